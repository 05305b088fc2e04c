//! Any bytes as the body of `POST /files/upload` (multipart/form-data, a fixed boundary),
//! through the route's `Multipart` extractor (axum's, with the API's rejection) and
//! `read_file_field`, the route's own reading of it, then sniffing: a refusal or a file
//! within the limit, never a panic.
#![no_main]

use axum::{body::Body, extract::FromRequest, http::Request};
use libfuzzer_sys::fuzz_target;
use routix_server::extract::Multipart;
use routix_server::routes::files::{read_file_field, sniff};

const MAX: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let request = Request::post("/api/v1/files/upload")
        .header("content-type", "multipart/form-data; boundary=X")
        .body(Body::from(data.to_vec()))
        .expect("a valid request");
    futures::executor::block_on(async {
        let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
            return;
        };
        if let Ok((bytes, name)) = read_file_field(&mut multipart, MAX).await {
            assert!(!bytes.is_empty() && bytes.len() <= MAX, "{}", bytes.len());
            assert!(name.is_none_or(|n| n.chars().count() <= 255));
            let _ = sniff(&bytes);
        }
    });
});
