use std::io::Cursor;

use reqwest::{multipart, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, generated, TestApp};

/// The logo's colour: nothing a template draws is this magenta.
const LOGO: [u8; 3] = [255, 0, 255];

fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A magenta badge on a transparent background.
fn logo_png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(200, 100, |x, y| {
        let inside = (10..190).contains(&x) && (10..90).contains(&y);
        if inside {
            image::Rgba([LOGO[0], LOGO[1], LOGO[2], 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    encode(
        image::DynamicImage::ImageRgba8(img),
        image::ImageFormat::Png,
    )
}

fn opaque_png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(200, 100, image::Rgb([10, 200, 10]));
    encode(image::DynamicImage::ImageRgb8(img), image::ImageFormat::Png)
}

fn face_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 400, |x, y| {
        let (dx, dy) = (x as f32 - 150.0, y as f32 - 160.0);
        if (dx / 80.0).powi(2) + (dy / 100.0).powi(2) <= 1.0 {
            image::Rgb([230, 180, 150])
        } else {
            image::Rgb([40, 60, 110])
        }
    });
    encode(
        image::DynamicImage::ImageRgb8(img),
        image::ImageFormat::Jpeg,
    )
}

fn file(bytes: Vec<u8>, name: &str) -> multipart::Part {
    multipart::Part::bytes(bytes).file_name(name.to_string())
}

async fn put(app: &TestApp, token: &str, form: multipart::Form) -> reqwest::Response {
    app.request(Method::PUT, "/api/v1/users/me/brand", Some(token))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn kit(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/users/me/brand", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The result image of a finished generation.
async fn result_image(app: &TestApp, g: &Value) -> image::RgbaImage {
    let bytes = app
        .get(g["result_url"].as_str().unwrap(), None)
        .await
        .bytes()
        .await
        .unwrap();
    image::load_from_memory(&bytes).unwrap().to_rgba8()
}

/// The share of pixels in `rect` within a small distance of `color`.
fn share_of(img: &image::RgbaImage, rect: [u32; 4], color: [u8; 3]) -> f32 {
    let [x0, y0, w, h] = rect;
    let mut hits = 0;
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            let p = img.get_pixel(x, y);
            let d: i32 = (0..3)
                .map(|i| (i32::from(p[i]) - i32::from(color[i])).abs())
                .sum();
            if d < 60 {
                hits += 1;
            }
        }
    }
    hits as f32 / (w * h) as f32
}

crate::both! {
    async fn brand_kit_round_trips_and_keeps_what_a_put_leaves_out(app) {
        let token = app.token_for("brand@example.com").await;
        let empty = kit(&app, &token).await;
        assert!(empty["logo"].is_null() && empty["face"].is_null());
        assert_eq!(empty["logo_position"], "top-left");
        assert_eq!(empty["fonts"].as_array().unwrap().len(), 2);

        let form = multipart::Form::new()
            .part("logo", file(logo_png(), "logo.png"))
            .part("face", file(face_jpeg(), "me.jpg"))
            .text("colors", "#FF3B30, #101010")
            .text("colors", "#ffd60a")
            .text("font", "bebas-neue")
            .text("logo_position", "top-right");
        let res = put(&app, &token, form).await;
        assert_eq!(res.status(), StatusCode::OK);
        let saved: Value = res.json().await.unwrap();
        assert_eq!(saved["colors"], json!(["#ff3b30", "#101010", "#ffd60a"]));
        assert_eq!(saved["font"], "bebas-neue");
        assert_eq!(saved["logo_position"], "top-right");
        assert_eq!(saved["logo"]["mime"], "image/png");
        assert_eq!(saved["face"]["mime"], "image/jpeg");
        assert_eq!(kit(&app, &token).await, saved);

        // The stored logo is the owner's file, and no one else's.
        let url = saved["logo"]["url"].as_str().unwrap();
        let res = app.get(url, Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), logo_png().as_slice());
        let other = app.token_for("other@example.com").await;
        assert_eq!(app.get(url, Some(&other)).await.status(), StatusCode::NOT_FOUND);
        let theirs = kit(&app, &other).await;
        assert!(theirs["logo"].is_null() && theirs["colors"] == json!([]));

        // A PUT of one part changes that part only.
        let res = put(&app, &token, multipart::Form::new().text("font", "vazirmatn")).await;
        let changed: Value = res.json().await.unwrap();
        assert_eq!(changed["font"], "vazirmatn");
        assert_eq!(changed["colors"], saved["colors"]);
        assert_eq!(changed["logo"], saved["logo"]);

        // Removing the logo keeps the rest; empty values clear colours and font.
        let res = app.request(Method::DELETE, "/api/v1/users/me/brand/logo", Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let removed: Value = res.json().await.unwrap();
        assert!(removed["logo"].is_null());
        assert_eq!(removed["face"], saved["face"]);
        let res = put(&app, &token, multipart::Form::new().text("colors", "").text("font", "")).await;
        let cleared: Value = res.json().await.unwrap();
        assert_eq!(cleared["colors"], json!([]));
        assert!(cleared["font"].is_null());
        let res = app.request(Method::DELETE, "/api/v1/users/me/brand/face", Some(&token)).send().await.unwrap();
        assert!(res.json::<Value>().await.unwrap()["face"].is_null());
    }
}

crate::both! {
    async fn brand_kit_refuses_bad_parts_and_changes_nothing(app) {
        let token = app.token_for("strict@example.com").await;
        let cases: Vec<(multipart::Form, StatusCode)> = vec![
            (multipart::Form::new().part("logo", file(face_jpeg(), "logo.jpg")), StatusCode::UNSUPPORTED_MEDIA_TYPE),
            (multipart::Form::new().part("logo", file(b"<svg></svg>".to_vec(), "logo.svg")), StatusCode::UNSUPPORTED_MEDIA_TYPE),
            (multipart::Form::new().part("logo", file(opaque_png(), "logo.png")), StatusCode::UNPROCESSABLE_ENTITY),
            (multipart::Form::new().part("face", file(b"GIF89a....".to_vec(), "me.gif")), StatusCode::UNSUPPORTED_MEDIA_TYPE),
            (multipart::Form::new().text("colors", "#111111,#222222,#333333,#444444,#555555"), StatusCode::UNPROCESSABLE_ENTITY),
            (multipart::Form::new().text("colors", "red"), StatusCode::UNPROCESSABLE_ENTITY),
            (multipart::Form::new().text("colors", "#12345g"), StatusCode::UNPROCESSABLE_ENTITY),
            (multipart::Form::new().text("font", "comic-sans"), StatusCode::UNPROCESSABLE_ENTITY),
            (multipart::Form::new().text("logo_position", "middle"), StatusCode::UNPROCESSABLE_ENTITY),
            (multipart::Form::new().text("colour", "#ffffff"), StatusCode::UNPROCESSABLE_ENTITY),
            // A good logo with a bad colour: nothing is saved.
            (multipart::Form::new().part("logo", file(logo_png(), "logo.png")).text("colors", "blue"), StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (i, (form, status)) in cases.into_iter().enumerate() {
            let res = put(&app, &token, form).await;
            assert_eq!(res.status(), status, "case {i}");
            let code = error_code(res).await;
            assert!(["validation_error", "unsupported_media_type"].contains(&code.as_str()), "case {i}: {code}");
        }
        let unchanged = kit(&app, &token).await;
        assert!(unchanged["logo"].is_null() && unchanged["updated_at"].is_null(), "{unchanged}");
        let res = app.get("/api/v1/users/me/brand", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

crate::both! {
    async fn logo_is_stamped_in_its_corner_and_moved_off_the_duration_badge(app) {
        let token = app.token_for("logo@example.com").await;
        let form = multipart::Form::new()
            .part("logo", file(logo_png(), "logo.png"))
            .text("logo_position", "top-right");
        assert_eq!(put(&app, &token, form).await.status(), StatusCode::OK);
        let g = generated(&app, &token, json!({"prompt": "cooking pasta at home, text: EASY PASTA", "algorithm": "basic", "format": "png"})).await;
        assert_eq!(g["branding"]["logo"], true, "{g}");
        let rect: Vec<u32> = g["logo"]["rect"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap().round() as u32).collect();
        let img = result_image(&app, &g).await;
        let corner = g["logo"]["corner"].as_str().unwrap();
        // Where the record says, the logo's colour; it is about an eighth of the width.
        assert!(share_of(&img, [rect[0] + 4, rect[1] + 4, rect[2] - 8, rect[3] - 8], LOGO) > 0.6, "{g}");
        assert!((120..=200).contains(&rect[2]), "{rect:?}");
        if corner == "top-right" {
            assert!(rect[0] > 1000 && rect[1] < 60, "{rect:?}");
            assert!(g["logo"]["moved_because"].is_null());
        } else {
            // Only the headline sitting there may move it.
            assert!(g["logo"]["moved_because"].as_str().unwrap().contains("headline"), "{g}");
        }

        // Asked for the duration corner, it goes elsewhere and says why.
        let form = multipart::Form::new().text("logo_position", "bottom-right");
        assert_eq!(put(&app, &token, form).await.status(), StatusCode::OK);
        let g = generated(&app, &token, json!({"prompt": "cooking pasta at home, text: EASY PASTA", "algorithm": "basic", "format": "png"})).await;
        assert_ne!(g["logo"]["corner"], "bottom-right");
        assert!(g["logo"]["moved_because"].as_str().unwrap().contains("duration"), "{g}");
        let img = result_image(&app, &g).await;
        assert!(share_of(&img, [1050, 620, 230, 100], LOGO) < 0.01);

        // Without a logo: nothing stamped, and the record says so.
        let other = app.token_for("nologo@example.com").await;
        let g = generated(&app, &other, json!({"prompt": "cooking pasta at home", "algorithm": "basic"})).await;
        assert_eq!(g["branding"], json!({"logo": false, "colors": false, "face": false}));
    }
}

crate::both! {
    async fn brand_colours_are_used_only_when_the_request_names_none(app) {
        let token = app.token_for("colours@example.com").await;
        let form = multipart::Form::new().text("colors", "#00ff00,#0000ff,#00ff00");
        assert_eq!(put(&app, &token, form).await.status(), StatusCode::OK);
        let g = generated(&app, &token, json!({"prompt": "cooking pasta at home, text: EASY PASTA", "algorithm": "basic", "format": "png"})).await;
        assert_eq!(g["branding"]["colors"], true, "{g}");
        let img = result_image(&app, &g).await;
        let green = share_of(&img, [0, 0, 1280, 720], [0, 255, 0]) + share_of(&img, [0, 0, 1280, 720], [0, 0, 255]);
        assert!(green > 0.05, "brand colours cover {green}");

        let g = generated(&app, &token, json!({"prompt": "gaming video, red and black, text: NEW SEASON", "algorithm": "basic", "format": "png"})).await;
        assert_eq!(g["branding"]["colors"], false, "{g}");
        let img = result_image(&app, &g).await;
        assert!(share_of(&img, [0, 0, 1280, 720], [0, 255, 0]) < 0.01);
    }
}

crate::both! {
    async fn face_is_the_subject_of_requests_about_the_creator(app) {
        let token = app.token_for("face@example.com").await;
        let form = multipart::Form::new().part("face", file(face_jpeg(), "me.jpg"));
        assert_eq!(put(&app, &token, form).await.status(), StatusCode::OK);
        let g = generated(&app, &token, json!({"prompt": "my reaction video to the new iPhone", "algorithm": "basic"})).await;
        assert_eq!(g["branding"]["face"], true, "{g}");
        let g = generated(&app, &token, json!({"prompt": "واکنش من به آیفون جدید", "algorithm": "basic"})).await;
        assert_eq!(g["branding"]["face"], true, "{g}");
        // Not about the creator: the usual subject.
        let g = generated(&app, &token, json!({"prompt": "cooking pasta at home", "algorithm": "basic"})).await;
        assert_eq!(g["branding"]["face"], false, "{g}");
    }
}
