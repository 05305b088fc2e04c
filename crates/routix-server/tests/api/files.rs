use std::io::Cursor;

use reqwest::{header, multipart, StatusCode};
use serde_json::Value;

use crate::helpers::{error_code, Backend, TestApp};

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn upload(
    app: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> reqwest::Response {
    let part = multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap();
    app.request(reqwest::Method::POST, "/api/v1/files/upload", Some(token))
        .multipart(multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

crate::both! {
    async fn uploaded_image_is_served_to_its_owner_only(app) {
        let owner = app.token_for("uploader@example.com").await;
        let other = app.token_for("snoop@example.com").await;
        let bytes = png(64, 36);
        // The name and declared type lie; the bytes decide.
        let res = upload(&app, &owner, bytes.clone(), "photo.gif", "application/octet-stream").await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let file: Value = res.json().await.unwrap();
        assert_eq!(file["mime"], "image/png");
        assert_eq!(file["width"], 64);
        assert_eq!(file["height"], 36);
        let url = file["url"].as_str().unwrap();
        let res = app.get(url, Some(&owner)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
        assert_eq!(app.get(url, Some(&other)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(url, None).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn same_content_is_stored_once_under_its_hash(app) {
        let token = app.token_for("twice@example.com").await;
        let bytes = jpeg(40, 40);
        let a: Value = upload(&app, &token, bytes.clone(), "a.jpg", "image/jpeg").await.json().await.unwrap();
        let b: Value = upload(&app, &token, bytes, "b.jpg", "image/jpeg").await.json().await.unwrap();
        assert_ne!(a["id"], b["id"]);
        assert_eq!(a["sha256"], b["sha256"]);
        let stored: Vec<_> = walk(&app.data_dir.path().join("uploads"));
        assert_eq!(stored.len(), 1, "one blob for identical content: {stored:?}");
        let name = stored[0].file_name().unwrap().to_str().unwrap().to_string();
        assert!(a["sha256"].as_str().unwrap().starts_with(name.trim_end_matches(".jpg")), "{name}");
    }

    async fn non_images_are_refused_by_their_bytes(app) {
        let token = app.token_for("liar@example.com").await;
        let res = upload(&app, &token, b"<script>alert(1)</script>".to_vec(), "cat.png", "image/png").await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        let res = upload(&app, &token, gif, "anim.gif", "image/gif").await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let mut truncated = png(200, 200);
        truncated.truncate(truncated.len() / 2);
        let res = upload(&app, &token, truncated, "half.png", "image/png").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(walk(&app.data_dir.path().join("uploads")).is_empty(), "nothing half-written");
    }
}

#[tokio::test]
async fn oversize_upload_is_413() {
    let app = TestApp::spawn(Backend::Sqlite, &[("MAX_UPLOAD_MB", "1")]).await;
    let token = app.token_for("big@example.com").await;
    let mut bytes = png(8, 8);
    bytes.resize(1024 * 1024 + 10, 0);
    let res = upload(&app, &token, bytes, "big.png", "image/png").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(res).await, "payload_too_large");
}

#[tokio::test]
async fn decompression_bomb_is_refused_from_its_header() {
    let app = TestApp::spawn(Backend::Sqlite, &[]).await;
    let token = app.token_for("bomb@example.com").await;
    // A real PNG whose header is rewritten to claim 20000x20000 (400 megapixels): refused on
    // the header alone, long before a 1.6 GB decode.
    let mut bytes = png(16, 16);
    bytes[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    let res = upload(&app, &token, bytes, "bomb.png", "image/png").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("megapixels"),
        "{body}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// PNG's chunk checksum (CRC-32/ISO-HDLC), so the forged header is otherwise valid.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
