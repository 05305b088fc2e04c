//! routix-server
