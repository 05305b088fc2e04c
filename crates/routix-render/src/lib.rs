//! routix-render
