//! Any bytes as an uploaded image: sniffed by magic bytes, then the header-only megapixel
//! check and the full decode of `/files/upload` and the bank import. Refusals are fine;
//! panics, hangs and allocations past the pixel limit are not.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use routix_server::routes::files::{check_image, sniff};

/// Smaller than the server's 40 megapixels so each run stays fast; the logic is the same.
const MAX_PIXELS: u64 = 1_000_000;

fuzz_target!(|data: &[u8]| {
    let Some(format) = sniff(data) else {
        return;
    };
    if let Ok(checked) = check_image(Bytes::copy_from_slice(data), format, MAX_PIXELS) {
        let pixels = u64::from(checked.image.width()) * u64::from(checked.image.height());
        assert!(pixels <= MAX_PIXELS, "decoded {pixels} pixels");
        assert_eq!(sniff(&checked.bytes), Some(format), "stored bytes change type");
    }
});
