//! Variants of a thumbnail the creator uploaded: each changes one thing and says which.

use std::io::Cursor;

use reqwest::{multipart, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{credits, error_code, finished, generated, Backend, TestApp};

/// A thumbnail-like 1920x1080 JPEG: a warm face on the left, a blue-purple background, a
/// block of white "letters" on the right.
fn thumbnail() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1920, 1080, |x, y| {
        let (dx, dy) = (x as f32 - 600.0, y as f32 - 540.0);
        if (dx / 260.0).powi(2) + (dy / 360.0).powi(2) <= 1.0 {
            image::Rgb([224, 172, 140])
        } else if (1150..1800).contains(&x) && (180..420).contains(&y) && (x / 40) % 2 == 0 {
            image::Rgb([255, 255, 255])
        } else {
            let t = x as f32 / 1920.0;
            image::Rgb([(40.0 + 90.0 * t) as u8, 60, (200.0 - 40.0 * t) as u8])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, token: &str) -> String {
    let part = multipart::Part::bytes(thumbnail())
        .file_name("thumb.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    let res = app
        .request(Method::POST, "/api/v1/files/upload", Some(token))
        .multipart(multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.unwrap();
    file["id"].as_str().unwrap().to_string()
}

async fn images(app: &TestApp, g: &Value) -> Vec<image::RgbaImage> {
    let mut out = Vec::new();
    for v in g["variants"].as_array().unwrap() {
        let bytes = app
            .get(v["url"].as_str().unwrap(), None)
            .await
            .bytes()
            .await
            .unwrap();
        out.push(image::load_from_memory(&bytes).unwrap().to_rgba8());
    }
    out
}

/// Whether two pictures differ visibly: a local change (over 1 % of the pixels moved by more
/// than 48 of 255 in a channel, well above JPEG noise) or a global one (a mean channel
/// difference above 3). Answers the two figures for the message.
fn distinct(a: &image::RgbaImage, b: &image::RgbaImage) -> (bool, f32, f32) {
    let changed = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| (0..3).any(|c| p[c].abs_diff(q[c]) > 48))
        .count();
    let share = changed as f32 / (a.width() * a.height()) as f32;
    let mean = routix_render::variants::difference(a, b);
    (share > 0.01 || mean > 3.0, share, mean)
}

crate::both! {
    async fn four_variants_of_an_upload_each_change_one_thing_for_one_basic_credit(app) {
        let token = app.token_for("variants-src@example.com").await;
        let file = upload(&app, &token).await;
        let before = credits(&app, &token).await;
        let g = generated(&app, &token, json!({
            "prompt": "variants of my thumbnail", "source_file_id": file, "variants": 4,
        })).await;
        assert_eq!(credits(&app, &token).await, before - 1, "one basic credit: {g}");
        let variants = g["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 4, "{g}");
        let dims: Vec<&str> = variants
            .iter()
            .map(|v| {
                let changed = v["changed"].as_array().unwrap();
                assert_eq!(changed.len(), 1, "one change at a time: {v}");
                assert!(v["note"].as_str().is_some_and(|n| !n.is_empty()), "{v}");
                changed[0].as_str().unwrap()
            })
            .collect();
        assert_eq!(dims, ["background", "contrast", "zoom", "callout"]);
        let source = routix_render::fit_image(
            &image::load_from_memory(&thumbnail()).unwrap(),
            (1280, 720),
            routix_render::Fit::Cover,
            routix_core::Rgb::new(0, 0, 0),
        );
        let made = images(&app, &g).await;
        for (i, a) in made.iter().enumerate() {
            assert_eq!(a.dimensions(), (1280, 720));
            let (differs, share, mean) = distinct(a, &source);
            assert!(differs, "variant {i} is the upload again ({share}, {mean})");
            for (j, b) in made.iter().enumerate().skip(i + 1) {
                let (differs, share, mean) = distinct(a, b);
                assert!(differs, "variants {i} and {j} look the same ({share}, {mean})");
            }
        }
        // A variant downloads by its index, like any other.
        let id = g["id"].as_str().unwrap();
        let res = app.get(&format!("/api/v1/generations/{id}/download?variant=3"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        // Variants of an upload are not re-edited.
        let res = app.post_json(&format!("/api/v1/generations/{id}/edit"), Some(&token), json!({"headline": "NEW"})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(error_code(res).await, "not_editable");
    }

    async fn a_given_headline_is_its_own_variant_and_a_missing_source_costs_nothing(app) {
        let token = app.token_for("variants-headline@example.com").await;
        let file = upload(&app, &token).await;
        let g = generated(&app, &token, json!({
            "prompt": "try a new title", "source_file_id": file, "variants": 6, "headline": "I QUIT?",
        })).await;
        let variants = g["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 6);
        assert_eq!(variants[0]["changed"], json!(["headline"]), "{g}");
        assert!(variants[0]["note"].as_str().unwrap().contains("I QUIT?"));
        let mut dims: Vec<&str> = variants.iter().map(|v| v["changed"][0].as_str().unwrap()).collect();
        dims.sort();
        assert_eq!(dims, ["background", "background", "callout", "contrast", "headline", "zoom"]);

        // Someone else's file, or none, is a 404 and nothing is charged.
        let before = credits(&app, &token).await;
        let other = app.token_for("variants-other@example.com").await;
        let theirs = upload(&app, &other).await;
        for id in [theirs.as_str(), "7d0f2f49-7c64-4e0c-9a34-5d9c1f6f0a11"] {
            let res = app.post_json("/api/v1/generations", Some(&token), json!({
                "prompt": "variants", "source_file_id": id, "variants": 2,
            })).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            assert_eq!(error_code(res).await, "not_found");
        }
        let res = app.post_json("/api/v1/generations", Some(&token), json!({
            "prompt": "variants", "source_file_id": file, "headline": "   ",
        })).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(credits(&app, &token).await, before);
    }
}

/// `count` pro variants of `file` asking for a red background, finished.
async fn pro_variants(app: &TestApp, token: &str, file: &str, count: u8) -> Value {
    let res = app
        .post_json(
            "/api/v1/generations",
            Some(token),
            json!({"prompt": "make the background red", "source_file_id": file,
                   "variants": count, "algorithm": "pro"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    let g = finished(app, token, queued["id"].as_str().unwrap()).await;
    assert_eq!(g["status"], "completed", "{g}");
    g
}

/// An image model that edits turns the creator's words into real edits, each priced; when
/// it refuses, the compositor makes every variant for one basic price and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pro_variants_are_edits_by_the_image_model_with_the_creators_words() {
    use base64::Engine as _;
    use wiremock::{
        matchers::{header, method, path},
        Mock, MockServer, ResponseTemplate,
    };
    let gemini = MockServer::start().await;
    let edited = {
        let img = image::RgbImage::from_pixel(1344, 768, image::Rgb([220, 20, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        base64::engine::general_purpose::STANDARD.encode(out.into_inner())
    };
    Mock::given(method("POST"))
        .and(path(
            "/v1beta/models/gemini-2.5-flash-image:generateContent",
        ))
        .and(header("x-goog-api-key", "gm-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"inlineData": {"mimeType": "image/png", "data": edited}}
            ]}, "finishReason": "STOP"}]
        })))
        .mount(&gemini)
        .await;
    let app = TestApp::spawn(
        Backend::Sqlite,
        &[
            ("GEMINI_API_KEY", "gm-key"),
            ("GEMINI_BASE_URL", &gemini.uri()),
            ("FREE_CREDITS", "100"),
        ],
    )
    .await;
    let token = app.token_for("variants-pro@example.com").await;
    let file = upload(&app, &token).await;
    let before = credits(&app, &token).await;
    let g = pro_variants(&app, &token, &file, 2).await;
    let variants = g["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    for v in variants {
        assert_eq!(v["changed"], json!(["edit"]), "{v}");
    }
    assert!(g["engine"].as_str().unwrap().starts_with("gemini:"), "{g}");
    let cost = g["cost"].as_i64().unwrap();
    assert!(cost > 2, "two pro images: {g}");
    assert_eq!(
        before - credits(&app, &token).await,
        cost,
        "each edit at pro's price"
    );
    // The model got the upload and the creator's words.
    let edits: Vec<Value> = gemini
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().contains("-image:"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(edits.len(), 2);
    let parts = &edits[0]["contents"][0]["parts"];
    assert!(parts[0]["text"]
        .as_str()
        .unwrap()
        .contains("make the background red"));
    let png = base64::engine::general_purpose::STANDARD
        .decode(parts[1]["inline_data"]["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    let made = images(&app, &g).await;
    let centre = made[0].get_pixel(640, 360);
    assert!(
        centre[0] > 180 && centre[1] < 80,
        "the model's image: {centre:?}"
    );

    // A revoked key: every variant from the compositor, one basic price, the reason kept.
    gemini.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"code": 401, "message": "API key not valid", "status": "UNAUTHENTICATED"}
        })))
        .mount(&gemini)
        .await;
    let before = credits(&app, &token).await;
    let g = pro_variants(&app, &token, &file, 3).await;
    let dims: Vec<&str> = g["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["changed"][0].as_str().unwrap())
        .collect();
    assert_eq!(dims, ["background", "contrast", "zoom"]);
    assert_eq!(
        before - credits(&app, &token).await,
        1,
        "one basic credit: {g}"
    );
    assert_eq!(g["fell_back"], true, "{g}");
    assert_eq!(g["engine"], "compositor");
    assert!(
        g["fallback_reason"]
            .as_str()
            .is_some_and(|r| r.contains("401")),
        "the reason is kept: {g}"
    );
}
