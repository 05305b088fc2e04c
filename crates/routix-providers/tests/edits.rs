//! Editing an existing thumbnail as the creator says ("make the background red"), against
//! wiremock fakes of the two APIs that edit: OpenAI's gpt-image edits endpoint and Gemini's
//! image models. Each fake checks the exact request we send.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use base64::Engine as _;
use routix_core::algorithms::ImageProvider;
use routix_providers::{images::edit_instruction, resilience::Policy, Providers, ProvidersConfig};
use serde_json::{json, Value};
use wiremock::{
    matchers::{header, method, path},
    Mock, MockServer, Request, ResponseTemplate,
};

const INSTRUCTION: &str = "make the background red";
const EDITS: &str = "/v1/images/edits";
const GEMINI: &str = "/v1beta/models/gemini-2.5-flash-image:generateContent";
const BOTH: [ImageProvider; 2] = [ImageProvider::OpenAi, ImageProvider::Gemini];

fn providers(vars: &[(&str, &str)]) -> Providers {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut c = ProvidersConfig::from_env(|k| map.get(k).cloned()).unwrap();
    c.policy = Policy {
        timeout: Duration::from_secs(5),
        attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(2),
        breaker_threshold: 50,
        breaker_cooldown: Duration::from_secs(30),
    };
    Providers::new(c, None, "t").unwrap()
}

fn gpt_image(server: &MockServer) -> Providers {
    providers(&[
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", &server.uri()),
        ("OPENAI_IMAGE_MODEL", "gpt-image-1"),
    ])
}

fn gemini(server: &MockServer) -> Providers {
    providers(&[
        ("GEMINI_API_KEY", "g-test"),
        ("GEMINI_BASE_URL", &server.uri()),
    ])
}

/// The thumbnail being edited: half red, half black, 16:9 but not the API's size.
fn source() -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(640, 360, |x, _| {
        if x < 320 {
            image::Rgb([229, 27, 35])
        } else {
            image::Rgb([13, 13, 15])
        }
    }))
}

/// What the fakes answer: a 64x36 PNG.
fn edited_png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 36, image::Rgb([200, 40, 40]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn openai_answer() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"created": 1, "data": [{"b64_json": b64(&edited_png())}]}))
}

fn gemini_answer() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "candidates": [{"content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": b64(&edited_png())}}]}, "finishReason": "STOP"}]
    }))
}

/// The image travelling inside a multipart body (the PNG decoder stops at IEND).
fn png_in(body: &[u8]) -> image::DynamicImage {
    let at = body
        .windows(4)
        .position(|w| w == b"\x89PNG")
        .expect("a PNG in the body");
    image::load_from_memory_with_format(&body[at..], image::ImageFormat::Png).expect("a whole PNG")
}

#[tokio::test]
async fn gpt_image_edits_send_the_thumbnail_and_the_instruction_as_multipart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(EDITS))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(openai_answer())
        .expect(1)
        .mount(&server)
        .await;
    let made = gpt_image(&server)
        .edit(&[ImageProvider::OpenAi], &source(), INSTRUCTION)
        .await
        .expect("edited");
    assert_eq!(made.engine, "openai:gpt-image-1:edit");
    assert_eq!((made.image.width(), made.image.height()), (64, 36));
    assert!(!made.fell_back);
    assert_eq!(made.fallback_reason, None);

    let sent = &server.received_requests().await.unwrap()[0];
    let content_type = sent.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/form-data"),
        "{content_type}"
    );
    let text = String::from_utf8_lossy(&sent.body);
    for field in [
        "name=\"model\"",
        "gpt-image-1",
        "name=\"prompt\"",
        "Edit this YouTube thumbnail: make the background red. Keep the rest",
        "name=\"image\"; filename=\"source.png\"",
        "image/png",
        "name=\"size\"",
        "1536x1024",
        "name=\"quality\"",
    ] {
        assert!(text.contains(field), "missing {field}");
    }
    let image = png_in(&sent.body);
    assert_eq!((image.width(), image.height()), (1536, 1024));
}

#[tokio::test]
async fn gemini_edits_send_the_instruction_and_an_inline_png() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GEMINI))
        .and(header("x-goog-api-key", "g-test"))
        .respond_with(gemini_answer())
        .expect(1)
        .mount(&server)
        .await;
    let made = gemini(&server)
        .edit(&BOTH, &source(), "surprised face")
        .await
        .expect("edited");
    assert_eq!(made.engine, "gemini:gemini-2.5-flash-image:edit");
    assert_eq!((made.image.width(), made.image.height()), (64, 36));

    let sent = &server.received_requests().await.unwrap()[0];
    assert!(
        !sent.url.as_str().contains("g-test"),
        "the key travels in a header"
    );
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    let parts = &body["contents"][0]["parts"];
    assert_eq!(body["contents"][0]["role"], "user");
    assert!(parts[0]["text"]
        .as_str()
        .is_some_and(|t| t.contains("surprised face") && t.contains("Keep the rest")));
    assert_eq!(parts[1]["inline_data"]["mime_type"], "image/png");
    let png = base64::engine::general_purpose::STANDARD
        .decode(parts[1]["inline_data"]["data"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        image::load_from_memory(&png).unwrap().width(),
        1536,
        "fitted to the edit size"
    );
    assert_eq!(
        body["generationConfig"],
        json!({"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}})
    );
}

#[tokio::test]
async fn a_rejected_key_is_not_retried_and_never_echoed() {
    let server = MockServer::start().await;
    Mock::given(path(EDITS))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"message": "Incorrect API key provided: sk-test", "type": "invalid_request_error", "code": "invalid_api_key"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = gpt_image(&server)
        .edit(&[ImageProvider::OpenAi], &source(), INSTRUCTION)
        .await
        .err()
        .expect("401");
    assert!(err.contains("openai rejected the API key"), "{err}");
    assert!(!err.contains("sk-test"), "never leak the key: {err}");
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after_then_edit() {
    let server = MockServer::start().await;
    Mock::given(path(GEMINI))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(GEMINI))
        .respond_with(gemini_answer())
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let made = gemini(&server)
        .edit(&BOTH, &source(), INSTRUCTION)
        .await
        .expect("edited after the wait");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    assert!(!made.fell_back);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(path(EDITS))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .expect(3)
        .mount(&server)
        .await;
    let err = gpt_image(&server)
        .edit(&[ImageProvider::OpenAi], &source(), INSTRUCTION)
        .await
        .err()
        .expect("500");
    assert_eq!(err, "openai failed with HTTP 500");
}

#[tokio::test]
async fn malformed_answers_are_errors_not_images() {
    let server = MockServer::start().await;
    Mock::given(path(EDITS))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"created": 1, "data": [{"b64_json": b64(b"definitely not a picture")}]}),
        ))
        .mount(&server)
        .await;
    let err = gpt_image(&server)
        .edit(&[ImageProvider::OpenAi], &source(), INSTRUCTION)
        .await
        .err()
        .expect("not an image");
    assert!(
        err.contains("openai answered something unreadable: not an image"),
        "{err}"
    );

    let g = MockServer::start().await;
    Mock::given(path(GEMINI))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "Here is your image!"}]}, "finishReason": "STOP"}]
        })))
        .mount(&g)
        .await;
    let err = gemini(&g)
        .edit(&BOTH, &source(), INSTRUCTION)
        .await
        .err()
        .expect("no image");
    assert!(err.contains("no inline image in the answer"), "{err}");
}

#[tokio::test]
async fn a_failing_openai_falls_back_to_gemini_and_says_why() {
    let oa = MockServer::start().await;
    Mock::given(path(EDITS))
        .respond_with(ResponseTemplate::new(500))
        .expect(3)
        .mount(&oa)
        .await;
    let g = MockServer::start().await;
    Mock::given(path(GEMINI))
        .and(header("x-goog-api-key", "g-test"))
        .respond_with(gemini_answer())
        .expect(1)
        .mount(&g)
        .await;
    let p = providers(&[
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", &oa.uri()),
        ("OPENAI_IMAGE_MODEL", "gpt-image-1"),
        ("GEMINI_API_KEY", "g-test"),
        ("GEMINI_BASE_URL", &g.uri()),
    ]);
    let made = p
        .edit(&BOTH, &source(), INSTRUCTION)
        .await
        .expect("gemini edits");
    assert_eq!(made.engine, "gemini:gemini-2.5-flash-image:edit");
    assert!(made.fell_back);
    assert_eq!(
        made.fallback_reason.as_deref(),
        Some("openai failed with HTTP 500")
    );
}

#[tokio::test]
async fn models_that_cannot_edit_are_never_called() {
    let server = MockServer::start().await;
    Mock::given(|_: &Request| true)
        .respond_with(openai_answer())
        .expect(0)
        .mount(&server)
        .await;
    // DALL-E 3 (the default image model) and Stability are configured; neither edits.
    let p = providers(&[
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", &server.uri()),
        ("STABILITY_API_KEY", "st-key"),
        ("STABILITY_BASE_URL", &server.uri()),
        ("GEMINI_API_KEY", "g-test"),
        ("GEMINI_BASE_URL", &server.uri()),
    ]);
    let chain = [ImageProvider::OpenAi, ImageProvider::Stability];
    let err = p
        .edit(&chain, &source(), INSTRUCTION)
        .await
        .err()
        .expect("nobody edits");
    assert!(
        err.starts_with("no image model that edits is configured for this chain"),
        "{err}"
    );
    assert!(err.contains("GEMINI_API_KEY"), "says what to set: {err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn long_instructions_are_shortened_but_keep_the_framing() {
    let framed = edit_instruction(&"red ".repeat(2000), 4000);
    assert_eq!(framed.chars().count(), 4000);
    assert!(framed.starts_with("Edit this YouTube thumbnail: red red"));
    assert!(framed.ends_with("any text — as it is."));
    assert_eq!(
        edit_instruction("  surprised face. ", 4000),
        "Edit this YouTube thumbnail: surprised face. Keep the rest of the image — layout, people, and any text — as it is."
    );
}
