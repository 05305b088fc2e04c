//! routix-providers
