//! routix-store
