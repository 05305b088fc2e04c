//! The generation pipeline end to end through the API, with the in-process worker and the
//! offline compositor (no provider keys in tests).

use std::time::Duration;

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{credits, finished, generated, with_stability, Backend, TestApp};

crate::both! {
    async fn three_variants_are_three_distinct_images_for_one_basic_charge(app) {
        let token = app.token_for("variants@example.com").await;
        let before = credits(&app, &token).await;
        let g = generated(&app, &token, json!({"prompt": "my dog reacts to a robot vacuum", "variants": 3})).await;
        assert_eq!(credits(&app, &token).await, before - 1, "one basic charge");
        let variants = g["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 3, "{g}");
        assert_eq!(variants[0]["url"], g["result_url"]);
        let mut bodies = Vec::new();
        let mut templates = Vec::new();
        for v in variants {
            let bytes = app.get(v["url"].as_str().unwrap(), None).await.bytes().await.unwrap();
            let img = image::load_from_memory(&bytes).unwrap();
            assert_eq!((img.width(), img.height()), (1280, 720));
            bodies.push(bytes);
            templates.push(v["template_id"].as_str().unwrap().to_string());
            assert_eq!(v["legibility"]["ok"], true, "{v}");
        }
        let mut distinct = bodies.clone();
        distinct.sort();
        distinct.dedup();
        templates.sort();
        templates.dedup();
        assert_eq!(distinct.len(), 3, "three different images");
        assert_eq!(templates.len(), 3, "three layouts");
        // Out of range is refused before anything is charged.
        let res = app.post_json("/api/v1/generations", Some(&token), json!({"prompt": "x", "variants": 9})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(credits(&app, &token).await, before - 1);
        // Each variant downloads by its index; an index it does not have is refused.
        let gid = g["id"].as_str().unwrap();
        let third = app.get(&format!("/api/v1/generations/{gid}/download?variant=2"), Some(&token)).await;
        assert_eq!(third.status(), StatusCode::OK);
        assert!(third.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("-2.jpg"));
        assert_eq!(third.bytes().await.unwrap(), bodies[2]);
        let res = app.get(&format!("/api/v1/generations/{gid}/download?variant=3"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Deleting the generation deletes every variant's image.
        let res = app.request(Method::DELETE, &format!("/api/v1/generations/{}", g["id"].as_str().unwrap()), Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        for v in variants {
            let res = app.get(v["url"].as_str().unwrap(), None).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{v}");
        }
    }

    async fn an_edit_makes_a_new_image_for_free_from_the_original(app) {
        let token = app.token_for("edit@example.com").await;
        let original = generated(&app, &token, json!({"prompt": "easy pasta in 10 minutes"})).await;
        let balance = credits(&app, &token).await;
        let id = original["id"].as_str().unwrap();
        let res = app.post_json(&format!("/api/v1/generations/{id}/edit"), Some(&token), json!({"headline": "BEST PASTA EVER", "palette": ["#e51b23"]})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let queued: Value = res.json().await.unwrap();
        assert_eq!(queued["parent_id"], original["id"]);
        assert_eq!(queued["cost"], 0);
        let edited = finished(&app, &token, queued["id"].as_str().unwrap()).await;
        assert_eq!(edited["status"], "completed", "{edited}");
        assert_eq!(edited["headline"], "BEST PASTA EVER");
        assert_eq!(edited["template_id"], original["template_id"], "same layout unless asked");
        assert_eq!(edited["subject"]["emoji"], original["subject"]["emoji"]);
        assert_ne!(edited["result_url"], original["result_url"]);
        assert_eq!(credits(&app, &token).await, balance, "re-edits are free");
        // Another layout and subject, by word in Persian.
        let res = app.post_json(&format!("/api/v1/generations/{id}/edit"), Some(&token), json!({"template_id": "general-bold-type", "subject": "گربه"})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let queued: Value = res.json().await.unwrap();
        let edited = finished(&app, &token, queued["id"].as_str().unwrap()).await;
        assert_eq!(edited["template_id"], "general-bold-type");
        assert_eq!(edited["subject"]["emoji"], "🐱");
        // Bad edits are refused with the reason; nothing is queued.
        for (body, why) in [
            (json!({}), "nothing to change"),
            (json!({"headline": ""}), "empty headline"),
            (json!({"template_id": "nope"}), "unknown template"),
            (json!({"palette": ["red-ish"]}), "bad colour"),
            (json!({"subject": "qwertyuiop"}), "unknown subject"),
            (json!({"colour": "#fff"}), "unknown field"),
        ] {
            let res = app.post_json(&format!("/api/v1/generations/{id}/edit"), Some(&token), body).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        }
        let other = app.token_for("edit-other@example.com").await;
        let res = app.post_json(&format!("/api/v1/generations/{id}/edit"), Some(&other), json!({"headline": "MINE"})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(credits(&app, &token).await, balance);
    }

    async fn a_long_headline_is_shortened_and_the_record_says_so(app) {
        let token = app.token_for("long@example.com").await;
        let given = "I tried the cheapest 100 dollar gaming laptop on amazon for thirty days straight and here is what happened to my channel";
        let g = generated(&app, &token, json!({"prompt": format!("text: {given}")})).await;
        assert_eq!(g["headline_shortened_from"].as_str().map(str::to_uppercase), Some(given.to_uppercase()), "{g}");
        let drawn = g["headline"].as_str().unwrap();
        assert!(drawn.split_whitespace().count() <= 8, "{drawn}");
        assert_eq!(g["legibility"]["ok"], true, "{g}");
        assert!(g["legibility"]["contrast"].as_f64().unwrap() >= 3.0);
        assert!(g["legibility"]["min_text_px_at_320"].as_f64().unwrap() >= 8.0);
    }

    async fn the_subject_drawn_is_recorded_from_english_persian_and_emoji(app) {
        let token = app.token_for("subject@example.com").await;
        let cases = [
            ("my dog reacts to a robot vacuum", "🐶", "dog"),
            ("گربه‌ام برای اولین بار برف دید", "🐱", "cat"),
            ("easy dinner idea 🍕", "🍕", "pizza"),
        ];
        for (prompt, emoji, label) in cases {
            let g = generated(&app, &token, json!({"prompt": prompt})).await;
            assert_eq!(g["subject"]["kind"], "sticker", "{prompt}: {}", g["subject"]);
            assert_eq!(g["subject"]["emoji"], emoji, "{prompt}");
            assert_eq!(g["subject"]["label"], label, "{prompt}");
        }
    }

    async fn a_correction_in_words_steers_the_next_generation_of_the_conversation(app) {
        let token = app.token_for("correct@example.com").await;
        let conv: Value = app
            .post_json("/api/v1/chat/conversations", Some(&token), json!({"title": "mustang"}))
            .await
            .json()
            .await
            .unwrap();
        let conv_id = conv["id"].as_str().unwrap();
        let messages = format!("/api/v1/chat/conversations/{conv_id}/messages");
        let prompt = "Need for Speed style race, 0-60 in 3 seconds";
        let first: Value = app.post_json(&messages, Some(&token), json!({"content": prompt})).await.json().await.unwrap();
        let understood = first["reply"]["content"].as_str().unwrap();
        assert!(understood.contains("headline"), "the reply says what it understood: {understood}");
        let fix: Value = app
            .post_json(&messages, Some(&token), json!({"content": "no, it's about cars, not gaming"}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(fix["reply"]["metadata"]["kind"], "correction");
        assert_eq!(fix["reply"]["metadata"]["correction"]["category"], "cars");
        let text = fix["reply"]["content"].as_str().unwrap();
        assert!(text.contains("cars") && text.contains("not gaming"), "{text}");

        let g = generated(&app, &token, json!({"prompt": prompt, "conversation_id": conv_id})).await;
        assert_eq!(g["analysis"]["category"], "cars", "{}", g["analysis"]);
    }

    async fn a_basic_generation_runs_all_five_stages_and_is_stored(app) {
        let token = app.token_for("maker@example.com").await;
        let res = app
            .post_json("/api/v1/generations", Some(&token), json!({"prompt": "gaming video, red and black, text: NEW SEASON", "algorithm": "basic"}))
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let queued: Value = res.json().await.unwrap();
        assert_eq!(queued["status"], "queued");
        assert_eq!(queued["cost"], 1);
        assert_eq!(credits(&app, &token).await, 9, "reserved at once");
        let id = queued["id"].as_str().unwrap();
        let g = finished(&app, &token, id).await;
        assert_eq!(g["status"], "completed", "{g}");
        assert_eq!(g["progress"], 100);
        assert_eq!(g["stage"], 5);
        let stages: Vec<u64> = g["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_u64().unwrap()).collect();
        assert_eq!(stages, [1, 2, 3, 4, 5]);
        assert!(g["stages"].as_array().unwrap().iter().all(|s| s["finished_at"].is_string()));
        assert_eq!(g["engine"], "compositor");
        assert_eq!(g["fell_back"], false, "basic is meant for the compositor");
        assert_eq!(g["analysis"]["category"], "gaming");
        assert!(g["template_id"].is_string());
        assert_eq!(g["watermark"], true, "free plan");
        assert_eq!((g["width"].as_i64(), g["height"].as_i64()), (Some(1280), Some(720)));
        assert_eq!(credits(&app, &token).await, 9, "settled, not refunded");

        // The public result URL serves an immutable JPEG.
        let res = app.get(g["result_url"].as_str().unwrap(), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert!(res.headers()[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.len() <= 2 * 1024 * 1024);
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (1280, 720));

        // Downloads in the three formats, owner only.
        for (format, mime) in [("jpeg", "image/jpeg"), ("webp", "image/webp"), ("png", "image/png")] {
            let res = app.get(&format!("/api/v1/generations/{id}/download?format={format}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::OK, "{format}");
            assert_eq!(res.headers()[header::CONTENT_TYPE], mime);
            assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
            let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
            assert_eq!(img.width(), 1280);
        }
        let other = app.token_for("not-the-maker@example.com").await;
        assert_eq!(app.get(&format!("/api/v1/generations/{id}"), Some(&other)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/v1/generations/{id}/download"), Some(&other)).await.status(), StatusCode::NOT_FOUND);

        // The gallery lists it; deleting removes it and its stored objects.
        let gallery: Value = app.get("/api/v1/generations?status=completed", Some(&token)).await.json().await.unwrap();
        assert_eq!(gallery["items"][0]["id"], id);
        let res = app.request(Method::DELETE, &format!("/api/v1/generations/{id}"), Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(g["result_url"].as_str().unwrap(), None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/v1/generations/{id}"), Some(&token)).await.status(), StatusCode::NOT_FOUND);
    }

    async fn not_enough_credits_is_402_and_queues_nothing(app) {
        let token = app.token_for("poor@example.com").await;
        // 10 welcome credits: two pro generations use them up.
        for _ in 0..2 {
            let res = app.post_json("/api/v1/generations", Some(&token), json!({"prompt": "tech review", "algorithm": "pro"})).await;
            assert_eq!(res.status(), StatusCode::ACCEPTED);
        }
        let res = app.post_json("/api/v1/generations", Some(&token), json!({"prompt": "tech review", "algorithm": "basic"})).await;
        assert_eq!(res.status(), StatusCode::PAYMENT_REQUIRED);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "insufficient_credits");
        assert!(body["error"]["message"].as_str().unwrap().contains("credits"));
        let list: Value = app.get("/api/v1/generations", Some(&token)).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
    }

    async fn without_keys_premium_falls_back_to_the_compositor_and_says_so(app) {
        let token = app.token_for("premium@example.com").await;
        let g: Value = app.post_json("/api/v1/generations", Some(&token), json!({"prompt": "cooking pasta at home", "algorithm": "premium", "format": "png"})).await.json().await.unwrap();
        let g = finished(&app, &token, g["id"].as_str().unwrap()).await;
        assert_eq!(g["status"], "completed", "{g}");
        assert_eq!(g["engine"], "compositor");
        assert_eq!(g["fell_back"], true);
        assert!(g["fallback_reason"].as_str().unwrap().contains("not configured"), "{g}");
        assert_eq!(g["format"], "png");
        // A basic picture is charged the basic price: the other 2 come back with the settlement.
        assert_eq!(credits(&app, &token).await, 9, "charged 1 of the 3 reserved");
        assert_eq!(g["cost"], 1, "{g}");
        assert_eq!((g["price"]["reserved"].as_i64(), g["price"]["returned"].as_i64()), (Some(3), Some(2)), "{g}");
        let ledger: Value = app.get("/api/v1/users/me/credits", Some(&token)).await.json().await.unwrap();
        let refund = ledger["ledger"].as_array().unwrap().iter().find(|e| e["kind"] == "refund").cloned().unwrap_or_default();
        assert_eq!((refund["amount"].as_i64(), refund["note"].as_str()), (Some(2), Some("premium fell back: 2 credits returned")), "{ledger}");
    }

    async fn bad_generation_requests_are_rejected_before_charging(app) {
        let token = app.token_for("careful@example.com").await;
        for (body, status) in [
            (json!({"prompt": ""}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"prompt": "x".repeat(2001)}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"prompt": "ok", "algorithm": "ultra"}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"prompt": "ok", "template_id": "no-such-template"}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"prompt": "ok", "format": "gif"}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"prompt": "ok", "conversation_id": "00000000-0000-7000-8000-000000000000"}), StatusCode::NOT_FOUND),
            (json!({"prompt": "ok", "reference_file_ids": ["00000000-0000-7000-8000-000000000000"]}), StatusCode::NOT_FOUND),
        ] {
            let res = app.post_json("/api/v1/generations", Some(&token), body.clone()).await;
            assert_eq!(res.status(), status, "{body}");
        }
        assert_eq!(credits(&app, &token).await, 10);
    }
}

#[tokio::test]
async fn cancelling_a_queued_generation_refunds_it() {
    // No in-process worker: the job stays queued.
    let app = TestApp::spawn(Backend::Sqlite, &[("WORKER_CONCURRENCY", "0")]).await;
    let token = app.token_for("cancel@example.com").await;
    let g: Value = app
        .post_json(
            "/api/v1/generations",
            Some(&token),
            json!({"prompt": "travel vlog japan", "algorithm": "premium"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(credits(&app, &token).await, 7);
    let id = g["id"].as_str().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/generations/{id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let g: Value = res.json().await.unwrap();
    assert_eq!(g["status"], "cancelled");
    assert_eq!(credits(&app, &token).await, 10);
    let again = app
        .post_json(
            &format!("/api/v1/generations/{id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let ledger: Value = app
        .get("/api/v1/users/me/credits", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = ledger["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["refund", "reserve", "grant"]);
}

#[tokio::test]
async fn pro_plan_results_carry_no_watermark_and_admins_manage_credits() {
    let app = TestApp::sqlite().await;
    let admin_token = {
        let res = app
            .register("boss@example.com", "correct horse battery")
            .await;
        let body: Value = res.json().await.unwrap();
        let id: routix_store::UserId = body["user"]["id"].as_str().unwrap().parse().unwrap();
        app.state_db()
            .set_role(
                routix_store::audit::Actor::Cli,
                id,
                routix_store::users::Role::Admin,
            )
            .await
            .unwrap();
        // Roles are read from the account on each request, so the old token now works as admin.
        body["access_token"].as_str().unwrap().to_string()
    };
    let creator = app.signed_up("creator@example.com").await;
    let token = creator["access_token"].as_str().unwrap();
    let creator_id = creator["user"]["id"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/admin/users", Some(token)).await.status(),
        StatusCode::FORBIDDEN
    );
    let users: Value = app
        .get("/api/v1/admin/users?search=creator", Some(&admin_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users["items"][0]["email"], "creator@example.com");
    assert_eq!(users["items"][0]["balance"], 10);
    let res = app
        .post_json(
            &format!("/api/v1/admin/users/{creator_id}/credits"),
            Some(&admin_token),
            json!({"amount": 25, "note": "launch promo"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["balance"], 35);
    let res = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/users/{creator_id}"),
            Some(&admin_token),
        )
        .json(&json!({"plan": "pro"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let g: Value = app
        .post_json(
            "/api/v1/generations",
            Some(token),
            json!({"prompt": "finance tips", "algorithm": "basic"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(g["watermark"], false);
    let bad = app
        .post_json(
            &format!("/api/v1/admin/users/{creator_id}/credits"),
            Some(&admin_token),
            json!({"amount": -5}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn templates_can_be_browsed_previewed_and_matched() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("browser@example.com").await;
    let all: Value = app
        .get("/api/v1/templates", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(all["items"].as_array().unwrap().len() >= 24);
    let gaming: Value = app
        .get("/api/v1/templates?category=gaming", None)
        .await
        .json()
        .await
        .unwrap();
    let items = gaming["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|t| t["category"] == "gaming"));
    assert_eq!(
        app.get("/api/v1/templates?category=knitting", None)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let id = items[0]["id"].as_str().unwrap();
    let one: Value = app
        .get(&format!("/api/v1/templates/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], id);
    let res = app
        .get(&format!("/api/v1/templates/{id}/preview"), None)
        .await;
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
    let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (640, 360));
    assert_eq!(
        app.get("/api/v1/templates/nope", None).await.status(),
        StatusCode::NOT_FOUND
    );

    let m: Value = app
        .post_json(
            "/api/v1/templates/match",
            Some(&token),
            json!({"prompt": "Create a gaming thumbnail with red and black colors", "limit": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    let matches = m["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 3);
    assert_eq!(matches[0]["template"]["category"], "gaming");
    assert!(matches
        .iter()
        .all(|x| x["match_score"].as_f64().unwrap() >= 0.0
            && !x["reasons"].as_array().unwrap().is_empty()));
    let bad = app
        .post_json("/api/v1/templates/match", Some(&token), json!({"limit": 3}))
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let a: Value = app
        .post_json(
            "/api/v1/analyze",
            Some(&token),
            json!({"prompt": "یک تامبنیل گیمینگ با رنگ‌های قرمز و مشکی"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["category"], "gaming");
    assert_eq!(a["direction"], "rtl");
    assert_eq!(a["source"], "rules");
}

fn png_b64() -> String {
    use base64::Engine as _;
    let img = image::RgbImage::from_fn(1344, 768, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn premium_uses_stability_and_fits_its_image_to_1280x720() {
    use wiremock::{
        matchers::{body_partial_json, header as h, path},
        Mock, MockServer, ResponseTemplate,
    };
    let stability = MockServer::start().await;
    Mock::given(path(
        "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
    ))
    .and(h("authorization", "Bearer st-key"))
    .and(body_partial_json(json!({"width": 1344, "height": 768})))
    .respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"artifacts": [{"base64": png_b64(), "seed": 1, "finishReason": "SUCCESS"}]}),
    ))
    .expect(1)
    .mount(&stability)
    .await;
    let app = with_stability(&stability.uri()).await;
    let token = app.token_for("premium-real@example.com").await;
    let g: Value = app
        .post_json(
            "/api/v1/generations",
            Some(&token),
            json!({"prompt": "travel vlog, japan, text: TOKYO", "algorithm": "premium"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let g = finished(&app, &token, g["id"].as_str().unwrap()).await;
    assert_eq!(g["status"], "completed", "{g}");
    assert_eq!(g["engine"], "stability:sdxl-1.0");
    assert_eq!(g["fell_back"], false);
    let img = image::load_from_memory(
        &app.get(g["result_url"].as_str().unwrap(), None)
            .await
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!((img.width(), img.height()), (1280, 720));
    assert_eq!(credits(&app, &token).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pro_falls_back_to_the_compositor_when_openai_fails_and_still_delivers() {
    use wiremock::{matchers::path, Mock, MockServer, ResponseTemplate};
    let openai = MockServer::start().await;
    Mock::given(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "boom", "type": "server_error", "param": null, "code": null}})))
        .mount(&openai)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "bad key", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})))
        .mount(&openai)
        .await;
    let uri = openai.uri();
    let app = TestApp::spawn(
        Backend::Sqlite,
        &[
            ("OPENAI_API_KEY", "sk-x"),
            ("OPENAI_BASE_URL", uri.as_str()),
            ("PROVIDER_TIMEOUT_SECONDS", "5"),
        ],
    )
    .await;
    let token = app.token_for("pro@example.com").await;
    let g: Value = app
        .post_json(
            "/api/v1/generations",
            Some(&token),
            json!({"prompt": "finance tips, gold", "algorithm": "pro"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let g = finished(&app, &token, g["id"].as_str().unwrap()).await;
    assert_eq!(g["status"], "completed", "{g}");
    assert_eq!(g["engine"], "compositor");
    assert_eq!(g["fell_back"], true);
    assert!(
        g["fallback_reason"].as_str().unwrap().contains("openai"),
        "{g}"
    );
    assert_eq!(g["analysis"]["source"], "rules", "analysis fell back too");
    assert!(!g.to_string().contains("sk-x"), "no key in results");
}

crate::both! {
    async fn fifty_concurrent_requests_with_credits_for_ten_queue_exactly_ten(app) {
        let token = app.token_for("rush@example.com").await;
        let mut tasks = Vec::new();
        for i in 0..50 {
            let client = app.client.clone();
            let url = app.url("/api/v1/generations");
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                client.post(url).bearer_auth(token).json(&json!({"prompt": format!("tech review {i}")})).send().await.unwrap().status()
            }));
        }
        let mut accepted = 0;
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::ACCEPTED => accepted += 1,
                StatusCode::PAYMENT_REQUIRED => refused += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!((accepted, refused), (10, 40));
        let c: Value = app.get("/api/v1/users/me/credits", Some(&token)).await.json().await.unwrap();
        assert!(c["balance"].as_i64().unwrap() >= 0);
        // All ten complete and are paid exactly once.
        for _ in 0..1800 {
            let done: Value = app.get("/api/v1/generations?status=completed&limit=50", Some(&token)).await.json().await.unwrap();
            if done["items"].as_array().unwrap().len() == 10 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let done: Value = app.get("/api/v1/generations?status=completed&limit=50", Some(&token)).await.json().await.unwrap();
        assert_eq!(done["items"].as_array().unwrap().len(), 10);
        let c: Value = app.get("/api/v1/users/me/credits?limit=100", Some(&token)).await.json().await.unwrap();
        assert_eq!(c["balance"], 0);
        let settles = c["ledger"].as_array().unwrap().iter().filter(|e| e["kind"] == "settle").count();
        assert_eq!(settles, 10);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_worker_died_is_finished_once_by_another() {
    // No in-process worker at first; a "worker" claims the job with a short lease and dies.
    let app = TestApp::spawn(Backend::Sqlite, &[("WORKER_CONCURRENCY", "0")]).await;
    let token = app.token_for("orphan@example.com").await;
    let g: Value = app
        .post_json(
            "/api/v1/generations",
            Some(&token),
            json!({"prompt": "podcast episode 12"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = g["id"].as_str().unwrap().to_string();
    let claimed = app
        .state_db()
        .claim_generation("dead-worker", Duration::from_millis(50))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id.to_string(), id);
    tokio::time::sleep(Duration::from_millis(120)).await;
    // A healthy worker (same database) takes over after the lease expired.
    let settings = app.state.settings.clone();
    let (worker, _db) = routix_server::app::standalone_worker(&settings, 1)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handles = worker.spawn(stopped);
    let done = finished(&app, &token, &id).await;
    assert_eq!(done["status"], "completed");
    let _ = stop.send(true);
    for h in handles {
        let _ = h.await;
    }
    // The dead worker waking up can't complete or refund it again.
    let gid: routix_store::GenerationId = id.parse().unwrap();
    assert!(!app
        .state_db()
        .fail_generation(gid, "dead-worker", "late", &[])
        .await
        .unwrap());
    let c: Value = app
        .get("/api/v1/users/me/credits", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["balance"], 9, "charged exactly once");
    let kinds: Vec<&str> = c["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["settle", "reserve", "grant"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_of_provider_art_reuses_the_stored_artwork_without_calling_the_provider() {
    use wiremock::{
        matchers::{header as h, path},
        Mock, MockServer, ResponseTemplate,
    };
    let stability = MockServer::start().await;
    Mock::given(path(
        "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
    ))
    .and(h("authorization", "Bearer st-key"))
    .respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"artifacts": [{"base64": png_b64(), "seed": 1, "finishReason": "SUCCESS"}]}),
    ))
    .expect(1)
    .mount(&stability)
    .await;
    let app = with_stability(&stability.uri()).await;
    let token = app.token_for("edit-premium@example.com").await;
    let original = generated(
        &app,
        &token,
        json!({"prompt": "travel vlog, japan, text: TOKYO", "algorithm": "premium"}),
    )
    .await;
    assert_eq!(original["subject"]["kind"], "provider");
    let balance = credits(&app, &token).await;
    let id = original["id"].as_str().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/generations/{id}/edit"),
            Some(&token),
            json!({"headline": "KYOTO"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    let edited = finished(&app, &token, queued["id"].as_str().unwrap()).await;
    assert_eq!(edited["status"], "completed", "{edited}");
    assert_eq!(edited["headline"], "KYOTO");
    assert_eq!(edited["engine"], original["engine"]);
    assert_eq!(edited["subject"]["kind"], "provider");
    assert_eq!(credits(&app, &token).await, balance);
    let img = image::load_from_memory(
        &app.get(edited["result_url"].as_str().unwrap(), None)
            .await
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!((img.width(), img.height()), (1280, 720));
    // `expect(1)` on the fake: the edit made no second provider request.
    stability.verify().await;
}

crate::both! {
    async fn ratings_are_the_owners_and_rated_down_layouts_are_picked_less(app) {
        let token = app.token_for("rater@example.com").await;
        let prompt = json!({"prompt": "my dog reacts to a robot vacuum"});
        let first = generated(&app, &token, prompt.clone()).await;
        let layout = first["template_id"].as_str().unwrap().to_string();
        let id = first["id"].as_str().unwrap();
        let rating = format!("/api/v1/generations/{id}/rating");
        // Up, then changed to down: one rating per generation.
        let g: Value = app.post_json(&rating, Some(&token), json!({"value": 1})).await.json().await.unwrap();
        assert_eq!(g["rating"], 1);
        let g: Value = app.post_json(&rating, Some(&token), json!({"value": -1})).await.json().await.unwrap();
        assert_eq!(g["rating"], -1);
        for (body, status) in [
            (json!({"value": 2}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"value": "up"}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            assert_eq!(app.post_json(&rating, Some(&token), body).await.status(), status);
        }
        let other = app.token_for("rater-other@example.com").await;
        assert_eq!(app.post_json(&rating, Some(&other), json!({"value": -1})).await.status(), StatusCode::NOT_FOUND);
        // The same request again and again, each result on that layout rated down: within
        // five votes the layout ranks below another.
        let mut votes = 1;
        let next = loop {
            let g = generated(&app, &token, prompt.clone()).await;
            if g["template_id"] != layout.as_str() || votes >= 5 {
                break g;
            }
            let path = format!("/api/v1/generations/{}/rating", g["id"].as_str().unwrap());
            assert_eq!(app.post_json(&path, Some(&token), json!({"value": -1})).await.status(), StatusCode::OK);
            votes += 1;
        };
        assert_ne!(next["template_id"], layout.as_str(), "a layout rated down {votes} times ranks lower");
    }
}
