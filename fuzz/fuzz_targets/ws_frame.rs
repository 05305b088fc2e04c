//! Any text as a client's WebSocket frame: parsed into a typed message or refused with an
//! error code the client is sent; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routix_server::ws::{parse_client_frame, ClientFrame};

fuzz_target!(|text: &str| {
    match parse_client_frame(text) {
        Ok(ClientFrame::Chat { content, metadata }) => {
            assert!(!content.is_empty() && content.trim() == content);
            assert!(metadata.is_object());
        }
        Ok(_) => {}
        Err(e) => assert!(!e.code.is_empty() && !e.message.is_empty()),
    }
});
