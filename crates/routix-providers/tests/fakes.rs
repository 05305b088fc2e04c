//! The providers against local fakes (wiremock) that speak the vendors' wire formats,
//! errors included. Each fake checks the exact request we send.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use base64::Engine as _;
use routix_core::{algorithms::default_chain, Algorithm, AnalysisSource, TemplateMeta};
use routix_providers::{resilience::Policy, Providers, ProvidersConfig, ReferenceImage};
use serde_json::{json, Value};
use wiremock::{
    matchers::{body_partial_json, header, method, path},
    Mock, MockServer, Request, ResponseTemplate,
};

fn config(vars: &[(&str, &str)]) -> ProvidersConfig {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut c = ProvidersConfig::from_env(|k| map.get(k).cloned()).unwrap();
    c.policy = Policy {
        timeout: Duration::from_millis(400),
        attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(2),
        breaker_threshold: 50,
        breaker_cooldown: Duration::from_secs(30),
    };
    c
}

fn openai(server: &MockServer) -> Providers {
    Providers::new(
        config(&[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", &server.uri()),
            ("OPENAI_MODEL", "gpt-4o-mini"),
        ]),
        None,
        "test",
    )
    .unwrap()
}

fn analysis_json(category: &str) -> String {
    json!({
        "category": category, "colors": [{"name": "blue", "hex": "#1e5eff"}], "style": "minimal",
        "mood": "serious", "headline": "IPHONE 17 REVIEW", "keywords": ["iphone", "review"], "subjects": ["phone"],
        "language": "en", "direction": "ltr", "confidence": 0.92, "image_description": "a phone on a desk"
    })
    .to_string()
}

fn chat_completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
    })
}

fn openai_error(code: &str, message: &str) -> Value {
    json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}})
}

fn png_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 36, image::Rgb([200, 40, 40]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn meta() -> TemplateMeta {
    serde_json::from_value(json!({
        "id": "t", "name": "T", "category": "tech", "styles": ["minimal"], "mood": "serious",
        "palette": {"primary": "#1e5eff", "secondary": "#0a1024", "accent": "#00d1ff"},
        "supports_rtl": true, "has_image_slot": true, "headline_chars": 14
    }))
    .unwrap()
}

#[tokio::test]
async fn openai_analysis_sends_schema_and_inline_images() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(json!({
            "model": "gpt-4o-mini",
            "response_format": {"type": "json_schema", "json_schema": {"name": "thumbnail_analysis", "strict": true}}
        })))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let parts = &body["messages"][1]["content"];
            parts[0]["type"] == "text"
                && parts[1]["image_url"]["url"].as_str().is_some_and(|u| u.starts_with("data:image/png;base64,"))
                && body["response_format"]["json_schema"]["schema"]["required"].as_array().is_some_and(|r| r.len() == 11 && r.contains(&json!("subjects")))
                && body["response_format"]["json_schema"]["schema"]["properties"]["category"]["enum"]
                    .as_array()
                    .is_some_and(|e| e.contains(&json!("animals")) && e.contains(&json!("diy")))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(chat_completion(&analysis_json("review"))))
        .expect(1)
        .mount(&server)
        .await;
    let p = openai(&server);
    let refs = [ReferenceImage {
        bytes: png_bytes(),
        mime: "image/png".into(),
    }];
    let out = p.analyze("iphone 17 review", Algorithm::Pro, &refs).await;
    assert_eq!(out.fell_back, None);
    assert_eq!(out.analysis.source, AnalysisSource::Openai);
    assert_eq!(out.analysis.category.as_str(), "review");
    assert_eq!(out.analysis.subjects, ["phone"]);
    assert_eq!(
        out.analysis.image_description.as_deref(),
        Some("a phone on a desk")
    );
}

#[tokio::test]
async fn servers_without_json_schema_are_asked_in_json_mode() {
    // An OpenAI-compatible server (vLLM's error shape) that rejects `json_schema`.
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_schema"}}),
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "object": "error", "type": "BadRequestError", "param": null, "code": 400,
            "message": "response_format of type json_schema is not supported by this model"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_object"}}),
        ))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            body["messages"][0]["content"]
                .as_str()
                .is_some_and(|s| s.contains("The JSON schema:") && s.contains("headline"))
        })
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_completion(&analysis_json("music"))),
        )
        .expect(2)
        .mount(&server)
        .await;
    let p = openai(&server);
    let first = p
        .analyze("lofi beats to study to", Algorithm::Pro, &[])
        .await;
    assert_eq!(first.fell_back, None);
    assert_eq!(first.analysis.source, AnalysisSource::Openai);
    assert_eq!(first.analysis.category.as_str(), "music");
    // The server is remembered: the next analysis goes straight to JSON mode (one call).
    let second = p.analyze("my new song is out", Algorithm::Pro, &[]).await;
    assert_eq!(second.analysis.source, AnalysisSource::Openai);
}

#[tokio::test]
async fn gemini_analysis_uses_its_header_schema_and_inline_data() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.5-flash:generateContent"))
        .and(header("x-goog-api-key", "g-test"))
        .and(body_partial_json(json!({"generationConfig": {"responseMimeType": "application/json"}})))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            body["contents"][0]["parts"][1]["inline_data"]["mime_type"] == "image/png"
                && body["generationConfig"]["responseSchema"]["type"] == "OBJECT"
                && body["generationConfig"]["responseSchema"]["properties"]["subjects"]["type"] == "ARRAY"
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": analysis_json("tech")}]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 5}, "modelVersion": "gemini-2.5-flash"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let p = Providers::new(
        config(&[
            ("GEMINI_API_KEY", "g-test"),
            ("GEMINI_BASE_URL", &server.uri()),
        ]),
        None,
        "t",
    )
    .unwrap();
    let refs = [ReferenceImage {
        bytes: png_bytes(),
        mime: "image/png".into(),
    }];
    let out = p.analyze("new phone", Algorithm::Pro, &refs).await;
    assert_eq!(out.analysis.source, AnalysisSource::Gemini);
    assert_eq!(out.analysis.category.as_str(), "tech");
    assert_eq!(out.analysis.subjects, ["phone"]);
}

#[tokio::test]
async fn a_bad_key_is_not_retried_and_the_rules_answer() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(401).set_body_json(openai_error(
            "invalid_api_key",
            "Incorrect API key provided",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let out = openai(&server)
        .analyze(
            "Create a gaming thumbnail with red and black colors",
            Algorithm::Basic,
            &[],
        )
        .await;
    assert_eq!(out.analysis.source, AnalysisSource::Rules);
    assert_eq!(out.analysis.category.as_str(), "gaming");
    let reason = out.fell_back.unwrap();
    assert!(reason.contains("rejected the API key"), "{reason}");
    assert!(!reason.contains("sk-test"), "never leak the key");
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_servers_delay() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(openai_error("rate_limit_exceeded", "slow down")),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_completion(&analysis_json("tech"))),
        )
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let out = openai(&server)
        .analyze("tech news", Algorithm::Basic, &[])
        .await;
    assert_eq!(out.analysis.source, AnalysisSource::Openai);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_completion(&analysis_json("tech"))),
        )
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let out = openai(&server)
        .analyze("tech news", Algorithm::Basic, &[])
        .await;
    assert_eq!(out.analysis.source, AnalysisSource::Openai);
}

#[tokio::test]
async fn timeouts_fall_back_to_the_rules() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(chat_completion(&analysis_json("tech")))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let out = openai(&server)
        .analyze("cooking pasta", Algorithm::Basic, &[])
        .await;
    assert_eq!(out.analysis.source, AnalysisSource::Rules);
    assert!(out.fell_back.unwrap().contains("timed out"));
}

#[tokio::test]
async fn malformed_bodies_fall_back_to_the_rules() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"choices\": [oops"))
        .mount(&server)
        .await;
    let out = openai(&server)
        .analyze("cooking pasta", Algorithm::Basic, &[])
        .await;
    assert_eq!(out.analysis.source, AnalysisSource::Rules);
    assert!(out.fell_back.unwrap().contains("unreadable"));
}

#[tokio::test]
async fn schema_invalid_answers_get_one_retry_then_the_rules() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(chat_completion("{\"category\": \"knitting\"}")),
        )
        .expect(2)
        .mount(&server)
        .await;
    let out = openai(&server)
        .analyze("travel vlog in japan", Algorithm::Basic, &[])
        .await;
    assert_eq!(out.analysis.source, AnalysisSource::Rules);
    assert_eq!(out.analysis.category.as_str(), "travel");
    assert!(out.fell_back.unwrap().contains("invalid answer"));
}

#[tokio::test]
async fn the_cache_answers_the_second_time() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_completion(&analysis_json("tech"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let p = openai(&server);
    let a = p.analyze("New  iPhone review", Algorithm::Basic, &[]).await;
    let b = p
        .analyze("new iphone   REVIEW", Algorithm::Basic, &[])
        .await;
    assert_eq!(a.analysis, b.analysis);
}

#[tokio::test]
async fn dalle3_request_is_hd_vivid_landscape_and_its_image_is_used() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(json!({"model": "dall-e-3", "size": "1792x1024", "quality": "hd", "style": "vivid", "response_format": "b64_json", "n": 1})))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            body["prompt"].as_str().is_some_and(|p| p.chars().count() <= 4000 && p.contains("No text"))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"created": 1, "data": [{"b64_json": b64(&png_bytes()), "revised_prompt": "…"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let p = openai(&server);
    let a = routix_core::analyzer::analyze("iphone review, blue");
    let made = p
        .artwork(
            Algorithm::Pro,
            &default_chain(Algorithm::Pro),
            &a,
            &meta(),
            None,
        )
        .await
        .expect("artwork");
    assert_eq!(made.engine, "openai:dall-e-3");
    assert!(!made.fell_back);
    assert_eq!(made.image.width(), 64);
}

#[tokio::test]
async fn refused_content_moves_down_the_chain_to_stability() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(400).set_body_json(openai_error(
            "content_policy_violation",
            "Your request was rejected by our safety system",
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"))
        .and(header("authorization", "Bearer st-test"))
        .and(header("accept", "application/json"))
        .and(body_partial_json(json!({"cfg_scale": 7, "width": 1344, "height": 768, "steps": 30, "samples": 1})))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            body["text_prompts"][1]["weight"] == -1 && body["text_prompts"][0]["weight"] == 1
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"artifacts": [{"base64": b64(&png_bytes()), "seed": 42, "finishReason": "SUCCESS"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let p = Providers::new(
        config(&[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", &server.uri()),
            ("STABILITY_API_KEY", "st-test"),
            ("STABILITY_BASE_URL", &server.uri()),
        ]),
        None,
        "t",
    )
    .unwrap();
    let a = routix_core::analyzer::analyze("tech review");
    let made = p
        .artwork(
            Algorithm::Pro,
            &default_chain(Algorithm::Pro),
            &a,
            &meta(),
            None,
        )
        .await
        .expect("stability made it");
    assert_eq!(made.engine, "stability:sdxl-1.0");
    assert!(made.fell_back);
    assert!(made
        .fallback_reason
        .unwrap()
        .contains("refused the content"));
}

#[tokio::test]
async fn self_hosted_sd_and_gemini_images_work() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sdapi/v1/txt2img"))
        .and(body_partial_json(
            json!({"width": 1344, "height": 768, "batch_size": 1}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"images": [b64(&png_bytes())], "parameters": {}, "info": "{}"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let sd = Providers::new(config(&[("SD_WEBUI_URL", &server.uri())]), None, "t").unwrap();
    let a = routix_core::analyzer::analyze("cooking pasta");
    let made = sd
        .artwork(
            Algorithm::Premium,
            &default_chain(Algorithm::Premium),
            &a,
            &meta(),
            None,
        )
        .await
        .expect("sd");
    assert_eq!(made.engine, "sd-webui:txt2img");

    let g = MockServer::start().await;
    Mock::given(path("/v1beta/models/gemini-2.5-flash-image:generateContent"))
        .and(header("x-goog-api-key", "g-test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": b64(&png_bytes())}}]}, "finishReason": "STOP"}]
        })))
        .expect(1)
        .mount(&g)
        .await;
    let gem = Providers::new(
        config(&[("GEMINI_API_KEY", "g-test"), ("GEMINI_BASE_URL", &g.uri())]),
        None,
        "t",
    )
    .unwrap();
    let made = gem
        .artwork(
            Algorithm::Pro,
            &default_chain(Algorithm::Pro),
            &a,
            &meta(),
            None,
        )
        .await
        .expect("gemini");
    assert_eq!(made.engine, "gemini:gemini-2.5-flash-image");
}

#[tokio::test]
async fn without_providers_the_reason_says_not_configured() {
    let p = Providers::new(ProvidersConfig::offline(), None, "t").unwrap();
    let a = routix_core::analyzer::analyze("cooking pasta");
    let err = p
        .artwork(
            Algorithm::Premium,
            &default_chain(Algorithm::Premium),
            &a,
            &meta(),
            None,
        )
        .await
        .err()
        .unwrap();
    assert!(err.contains("not configured"), "{err}");
    let health = p.health();
    assert_eq!(health["analysis"], "rules");
}

#[tokio::test]
async fn the_redis_cache_is_shared_between_processes() {
    let Ok(client) = redis::Client::open("redis://127.0.0.1:6379") else {
        return;
    };
    let Ok(Ok(conn)) = tokio::time::timeout(
        Duration::from_secs(2),
        redis::aio::ConnectionManager::new(client),
    )
    .await
    else {
        assert!(std::env::var_os("CI").is_none(), "Redis is required in CI");
        return;
    };
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_completion(&analysis_json("tech"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let prefix = format!("routix-cache-test-{}", std::process::id());
    let cfg = || {
        config(&[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", &server.uri()),
        ])
    };
    let one = Providers::new(cfg(), Some(conn.clone()), &prefix).unwrap();
    let two = Providers::new(cfg(), Some(conn), &prefix).unwrap();
    let a = one
        .analyze("shared cache prompt", Algorithm::Basic, &[])
        .await;
    let b = two
        .analyze("shared cache prompt", Algorithm::Basic, &[])
        .await;
    assert_eq!(a.analysis, b.analysis);
    assert_eq!(b.analysis.source, AnalysisSource::Openai);
}

#[tokio::test]
async fn gpt_image_and_stability_v2_speak_their_formats() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/images/generations"))
        .and(body_partial_json(json!({"model": "gpt-image-1", "size": "1536x1024", "quality": "high", "output_format": "png"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"created": 1, "data": [{"b64_json": b64(&png_bytes())}], "usage": {"total_tokens": 100}})))
        .expect(1)
        .mount(&server)
        .await;
    let p = Providers::new(
        config(&[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", &server.uri()),
            ("OPENAI_IMAGE_MODEL", "gpt-image-1"),
        ]),
        None,
        "t",
    )
    .unwrap();
    let a = routix_core::analyzer::analyze("tech review");
    assert_eq!(
        p.artwork(
            Algorithm::Pro,
            &default_chain(Algorithm::Pro),
            &a,
            &meta(),
            None
        )
        .await
        .expect("gpt-image")
        .engine,
        "openai:gpt-image-1"
    );

    let st = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2beta/stable-image/generate/core"))
        .and(header("accept", "application/json"))
        .and(|req: &Request| {
            let body = String::from_utf8_lossy(&req.body);
            req.headers
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap_or("").starts_with("multipart/form-data"))
                && body.contains("name=\"aspect_ratio\"")
                && body.contains("16:9")
                && body.contains("name=\"negative_prompt\"")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"image": b64(&png_bytes()), "finish_reason": "SUCCESS", "seed": 7}),
        ))
        .expect(1)
        .mount(&st)
        .await;
    let v2 = Providers::new(
        config(&[
            ("STABILITY_API_KEY", "st"),
            ("STABILITY_BASE_URL", &st.uri()),
            ("STABILITY_API_VERSION", "v2"),
        ]),
        None,
        "t",
    )
    .unwrap();
    assert_eq!(
        v2.artwork(
            Algorithm::Premium,
            &default_chain(Algorithm::Premium),
            &a,
            &meta(),
            None
        )
        .await
        .expect("v2")
        .engine,
        "stability:core"
    );
}

/// A small picture to use as a designer's style reference.
fn reference_image() -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(640, 360, |x, _| {
        if x < 320 {
            image::Rgb([229, 27, 35])
        } else {
            image::Rgb([13, 13, 15])
        }
    }))
}

/// The request's body as text (multipart boundaries and all).
fn body_text(r: &Request) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[tokio::test]
async fn a_style_reference_goes_to_each_provider_in_its_own_format() {
    let a = routix_core::analyzer::analyze("gaming video, boss fight");
    let style = reference_image();

    // Stability v1: image-to-image, multipart, the reference as init_image at a strength.
    let st = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/generation/stable-diffusion-xl-1024-v1-0/image-to-image",
        ))
        .and(header("authorization", "Bearer st-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"artifacts": [{"base64": b64(&png_bytes()), "seed": 1, "finishReason": "SUCCESS"}]}),
        ))
        .expect(1)
        .mount(&st)
        .await;
    let p = Providers::new(
        config(&[
            ("STABILITY_API_KEY", "st-key"),
            ("STABILITY_BASE_URL", &st.uri()),
        ]),
        None,
        "t",
    )
    .unwrap();
    let made = p
        .artwork(
            Algorithm::Premium,
            &default_chain(Algorithm::Premium),
            &a,
            &meta(),
            Some(&style),
        )
        .await
        .expect("stability image-to-image");
    assert_eq!(made.engine, "stability:sdxl-1.0");
    let sent = &st.received_requests().await.unwrap()[0];
    let content_type = sent.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/form-data"),
        "{content_type}"
    );
    let text = body_text(sent);
    for field in [
        "name=\"init_image\"",
        "name=\"init_image_mode\"",
        "IMAGE_STRENGTH",
        "name=\"image_strength\"",
        "name=\"text_prompts[0][text]\"",
        "name=\"text_prompts[1][weight]\"",
    ] {
        assert!(text.contains(field), "missing {field}");
    }
    assert!(
        sent.body.windows(4).any(|w| w == b"\x89PNG"),
        "the reference travels as a PNG file"
    );

    // gpt-image-1: the edits endpoint, multipart, the reference as `image`.
    let oa = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/edits"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"created": 1, "data": [{"b64_json": b64(&png_bytes())}]})),
        )
        .expect(1)
        .mount(&oa)
        .await;
    let p = Providers::new(
        config(&[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", &oa.uri()),
            ("OPENAI_IMAGE_MODEL", "gpt-image-1"),
        ]),
        None,
        "t",
    )
    .unwrap();
    let made = p
        .artwork(
            Algorithm::Pro,
            &default_chain(Algorithm::Pro),
            &a,
            &meta(),
            Some(&style),
        )
        .await
        .expect("gpt-image edits");
    assert_eq!(made.engine, "openai:gpt-image-1");
    let text = body_text(&oa.received_requests().await.unwrap()[0]);
    for field in [
        "name=\"image\"",
        "name=\"model\"",
        "gpt-image-1",
        "name=\"prompt\"",
        "name=\"size\"",
        "1536x1024",
    ] {
        assert!(text.contains(field), "missing {field}");
    }

    // Gemini: the reference as an extra inline_data part of the same request.
    let g = MockServer::start().await;
    Mock::given(path("/v1beta/models/gemini-2.5-flash-image:generateContent"))
        .and(header("x-goog-api-key", "g-test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": b64(&png_bytes())}}]}, "finishReason": "STOP"}]
        })))
        .expect(1)
        .mount(&g)
        .await;
    let p = Providers::new(
        config(&[("GEMINI_API_KEY", "g-test"), ("GEMINI_BASE_URL", &g.uri())]),
        None,
        "t",
    )
    .unwrap();
    p.artwork(
        Algorithm::Pro,
        &default_chain(Algorithm::Pro),
        &a,
        &meta(),
        Some(&style),
    )
    .await
    .expect("gemini with a reference");
    let body: Value =
        serde_json::from_slice(&g.received_requests().await.unwrap()[0].body).unwrap();
    let parts = body["contents"][0]["parts"].as_array().unwrap();
    let image = parts
        .iter()
        .find_map(|p| p.get("inline_data"))
        .expect("an image part");
    assert_eq!(image["mime_type"], "image/png");
    let png = base64::engine::general_purpose::STANDARD
        .decode(image["data"].as_str().unwrap())
        .unwrap();
    let sent = image::load_from_memory(&png).unwrap();
    assert_eq!((sent.width(), sent.height()), (1344, 768));
}
