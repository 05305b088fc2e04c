//! Any text as a template file: `Template::parse` either refuses it with an error or
//! returns a template the compositor can mirror and draw (small, to keep runs fast).
#![no_main]

use libfuzzer_sys::fuzz_target;
use routix_render::{RenderRequest, Template};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = Template::parse("fuzz.json", json) else {
        return;
    };
    let _ = template.mirrors_for("NEW SEASON");
    let request = RenderRequest {
        title: "NEW SEASON".into(),
        mirror: true,
        ..RenderRequest::new(160, 90)
    };
    let _ = routix_render::render(&template, &request);
});
