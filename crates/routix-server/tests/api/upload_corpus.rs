//! Hostile uploads, made here byte by byte, against `/api/v1/files/upload` and the bank
//! upload: polyglots, truncations, lying headers, bombs, scripts, EXIF turns and blocks,
//! animations. Each one is refused with a clear message or stored in a form that is safe.

use std::io::{Cursor, Write};

use reqwest::{header, multipart, Method, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

fn encoded(img: image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Left half red, right half blue: which way up it is shows in its pixels.
fn halves(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([230, 20, 20])
        } else {
            image::Rgb([20, 20, 230])
        }
    })
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(halves(width, height), image::ImageFormat::Jpeg)
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(halves(width, height), image::ImageFormat::Png)
}

fn webp(width: u32, height: u32) -> Vec<u8> {
    encoded(halves(width, height), image::ImageFormat::WebP)
}

/// `jpeg` with `segments` (each a marker byte and a payload) right after its start marker.
fn with_segments(jpeg: Vec<u8>, segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for (marker, payload) in segments {
        out.extend_from_slice(&[0xFF, *marker]);
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// An APP1 Exif payload (big-endian TIFF) with one IFD entry: Orientation = `orientation`.
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes());
    exif.extend_from_slice(&0x0112u16.to_be_bytes());
    exif.extend_from_slice(&3u16.to_be_bytes());
    exif.extend_from_slice(&1u32.to_be_bytes());
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    exif
}

fn zip_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(bytes).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A PNG chunk: length, type, data, CRC.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

/// `png` with its header rewritten to claim `width`x`height` (checksum fixed).
fn png_claiming(png: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = png[16..29].to_vec();
    ihdr[..4].copy_from_slice(&width.to_be_bytes());
    ihdr[4..8].copy_from_slice(&height.to_be_bytes());
    let mut out = png[..8].to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend_from_slice(&png[33..]);
    out
}

/// A real, whole PNG of `width`x`height` black grey pixels: a few hundred KB that inflate
/// to `width * height` bytes.
fn black_png(width: u32, height: u32) -> Vec<u8> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let pixels = vec![0u8; width as usize * height as usize];
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::NoFilter)
        .write_image(&pixels, width, height, image::ExtendedColorType::L8)
        .unwrap();
    out
}

/// A two-frame animated WebP: VP8X with the animation flag, ANIM, two ANMF frames each
/// holding the lossless bitstream of a real 8x8 WebP.
fn animated_webp() -> Vec<u8> {
    let still = webp(8, 8);
    let at = still.windows(4).position(|w| w == b"VP8L").unwrap();
    let frame_data = &still[at..];
    let riff_chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = kind.to_vec();
        c.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let u24 = |v: u32| v.to_le_bytes()[..3].to_vec();
    let mut vp8x = vec![0x02, 0, 0, 0];
    vp8x.extend(u24(7));
    vp8x.extend(u24(7));
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend(riff_chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for _ in 0..2 {
        let mut anmf = [u24(0), u24(0), u24(7), u24(7), u24(100)].concat();
        anmf.push(0);
        anmf.extend_from_slice(frame_data);
        body.extend(riff_chunk(b"ANMF", &anmf));
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    out.extend(body);
    out
}

async fn send(
    app: &TestApp,
    path: &str,
    token: &str,
    bytes: Vec<u8>,
    name: &str,
) -> (StatusCode, Value) {
    let part = multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/octet-stream")
        .unwrap();
    let res = app
        .request(Method::POST, path, Some(token))
        .multipart(multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, name: &str) -> (StatusCode, Value) {
    send(app, "/api/v1/files/upload", token, bytes, name).await
}

async fn bank_upload(
    app: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    name: &str,
) -> (StatusCode, Value) {
    send(app, "/api/v1/admin/bank", token, bytes, name).await
}

async fn admin_token(app: &TestApp, email: &str) -> String {
    let body = app.signed_up(email).await;
    let id: routix_store::UserId = body["user"]["id"].as_str().unwrap().parse().unwrap();
    app.state_db()
        .set_role(
            routix_store::audit::Actor::Cli,
            id,
            routix_store::users::Role::Admin,
        )
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// Asserts a refusal: its status, code, and that its message says `says`.
fn refused(answer: &(StatusCode, Value), status: StatusCode, code: &str, says: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

async fn fetch(
    app: &TestApp,
    url: &str,
    token: Option<&str>,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = app.get(url, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let headers = res.headers().clone();
    (headers, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn polyglots_are_stored_as_images_and_served_only_as_images() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("polyglot@example.com").await;
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>";
    let jpeg_zip = [jpeg(32, 32), zip_of("index.html", html)].concat();
    let jpeg_html = [
        with_segments(jpeg(32, 32), &[(0xFE, html.to_vec())]),
        html.to_vec(),
    ]
    .concat();
    for (name, bytes) in [("a.zip", jpeg_zip), ("a.html", jpeg_html)] {
        let (status, file) = upload(&app, &token, bytes.clone(), name).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {file}");
        assert_eq!(file["mime"], "image/jpeg", "{name}");
        let (headers, body) = fetch(&app, file["url"].as_str().unwrap(), Some(&token)).await;
        // A browser told "image, do not sniff" never runs the HTML or opens the zip.
        assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg", "{name}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{name}");
        assert!(
            headers.contains_key(header::CONTENT_SECURITY_POLICY),
            "{name}"
        );
        assert_eq!(body, bytes, "{name}");
    }
}

#[tokio::test]
async fn bank_reads_a_jpeg_that_is_also_a_zip_as_one_image() {
    let app = TestApp::sqlite().await;
    let token = admin_token(&app, "bank-polyglot@example.com").await;
    let inner = png(64, 36);
    let polyglot = [jpeg(64, 36), zip_of("inner.png", &inner)].concat();
    let (status, body) = bank_upload(&app, &token, polyglot, "look.jpg").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the zip inside is not unpacked: {body}");
    let (headers, _) = fetch(&app, items[0]["image_url"].as_str().unwrap(), None).await;
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn truncated_images_are_refused_as_corrupt() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("truncated@example.com").await;
    let admin = admin_token(&app, "truncated-admin@example.com").await;
    let cases = [
        ("half.jpg", jpeg(256, 256), 2),
        ("half.png", png(256, 256), 2),
        ("half.webp", webp(256, 256), 2),
        ("header-only.png", png(256, 256), 40),
        ("header-only.webp", webp(256, 256), 40),
    ];
    for (name, mut bytes, keep) in cases {
        let len = if keep == 2 { bytes.len() / 2 } else { keep };
        bytes.truncate(len);
        let answer = upload(&app, &token, bytes.clone(), name).await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            "corrupt",
        );
        let answer = bank_upload(&app, &admin, bytes, name).await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            "corrupt",
        );
    }
    assert_eq!(app.state_db().count_bank_items().await.unwrap(), 0);
}

#[tokio::test]
async fn a_png_declaring_100000_by_100000_is_refused_from_its_header() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("giant@example.com").await;
    let admin = admin_token(&app, "giant-admin@example.com").await;
    let giant = png_claiming(&png(16, 16), 100_000, 100_000);
    let answer = upload(&app, &token, giant.clone(), "giant.png").await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        "100000x100000",
    );
    let answer = bank_upload(&app, &admin, giant, "giant.png").await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        "megapixels",
    );
}

#[tokio::test]
async fn a_small_png_inflating_past_the_pixel_limit_is_refused() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("inflate@example.com").await;
    // 48 megapixels of black in well under a megabyte.
    let bomb = black_png(8_000, 6_000);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let answer = upload(&app, &token, bomb, "bomb.png").await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        "8000x6000",
    );
}

#[tokio::test]
async fn svg_is_refused_with_or_without_script() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("svg@example.com").await;
    let admin = admin_token(&app, "svg-admin@example.com").await;
    let svgs = [
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"#,
        r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>"#,
    ];
    for svg in svgs {
        let bytes = svg.as_bytes().to_vec();
        let answer = upload(&app, &token, bytes.clone(), "pic.png").await;
        refused(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "JPEG, PNG and WebP",
        );
        let answer = bank_upload(&app, &admin, bytes, "pic.svg").await;
        refused(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "JPEG, PNG and WebP",
        );
    }
}

#[tokio::test]
async fn a_jpeg_turned_by_exif_is_stored_upright() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("exif@example.com").await;
    let admin = admin_token(&app, "exif-admin@example.com").await;
    // Stored 64 wide, 32 high; orientation 6 says "turn 90° clockwise to view": 32x64,
    // the left (red) half on top.
    let sideways = with_segments(jpeg(64, 32), &[(0xE1, exif_orientation(6))]);
    let (status, file) = upload(&app, &token, sideways.clone(), "phone.jpg").await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    assert_eq!(
        (file["width"].as_i64(), file["height"].as_i64()),
        (Some(32), Some(64))
    );
    let (_, stored) = fetch(&app, file["url"].as_str().unwrap(), Some(&token)).await;
    // The stored bytes are upright for readers that ignore EXIF (the compositor does).
    let upright = image::load_from_memory(&stored).unwrap().to_rgb8();
    assert_eq!(upright.dimensions(), (32, 64));
    let (top, bottom) = (upright.get_pixel(16, 8), upright.get_pixel(16, 56));
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(
        bottom[2] > 150 && bottom[0] < 100,
        "bottom is blue: {bottom:?}"
    );

    let (status, body) = bank_upload(&app, &admin, sideways, "phone.jpg").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let item = &body["items"][0];
    assert_eq!(
        (item["width"].as_i64(), item["height"].as_i64()),
        (Some(32), Some(64))
    );
    let (_, stored) = fetch(&app, item["image_url"].as_str().unwrap(), None).await;
    assert_eq!(
        image::load_from_memory(&stored)
            .unwrap()
            .to_rgb8()
            .dimensions(),
        (32, 64)
    );
}

#[tokio::test]
async fn a_huge_exif_block_is_stored_as_sent() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("big-exif@example.com").await;
    // 4 MB of APP1 segments, each claiming an IFD of 65535 entries that are not there.
    let mut junk = b"Exif\0\0MM\0\x2a\0\0\0\x08\xFF\xFF".to_vec();
    junk.resize(65_000, 0xAB);
    let segments: Vec<(u8, Vec<u8>)> = (0..64).map(|_| (0xE1, junk.clone())).collect();
    let bloated = with_segments(jpeg(48, 48), &segments);
    assert!(bloated.len() > 4_000_000);
    let started = std::time::Instant::now();
    let (status, file) = upload(&app, &token, bloated.clone(), "bloated.jpg").await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        (file["width"].as_i64(), file["height"].as_i64()),
        (Some(48), Some(48))
    );
    assert_eq!(file["size_bytes"].as_u64(), Some(bloated.len() as u64));
}

#[tokio::test]
async fn animated_webp_is_refused_as_animated() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("anim@example.com").await;
    let admin = admin_token(&app, "anim-admin@example.com").await;
    let anim = animated_webp();
    let answer = upload(&app, &token, anim.clone(), "anim.webp").await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        "animated",
    );
    let answer = bank_upload(&app, &admin, anim, "anim.webp").await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        "animated",
    );
    // The still it was made from is fine.
    let (status, body) = upload(&app, &token, webp(8, 8), "still.webp").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// PNG's chunk checksum (CRC-32/ISO-HDLC).
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
