use std::io::{Cursor, Write};

use reqwest::{header, multipart, Method, StatusCode};
use serde_json::{json, Value};
use zip::write::SimpleFileOptions;

use crate::helpers::{error_code, TestApp};

fn encoded(img: image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

/// A red-and-black split frame: dark, loud.
fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([10, 10, 10])
        }
    });
    encoded(img, image::ImageFormat::Png)
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 200])
    });
    encoded(img, image::ImageFormat::Jpeg)
}

fn webp(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([250, 200, 220]));
    encoded(img, image::ImageFormat::WebP)
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, bytes) in entries {
        if name.ends_with('/') {
            zip.add_directory(*name, options).unwrap();
            continue;
        }
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Rewrites every header's uncompressed size of a one-entry zip: a bomb that lies.
fn lie_about_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    let patch = |zip: &mut Vec<u8>, signature: &[u8; 4], offset: usize| {
        let at = zip
            .windows(4)
            .position(|w| w == signature)
            .expect("header present");
        zip[at + offset..at + offset + 4].copy_from_slice(&size.to_le_bytes());
    };
    patch(&mut zip, b"PK\x03\x04", 22);
    patch(&mut zip, b"PK\x01\x02", 24);
    zip
}

/// An account with the admin role; answers its token.
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

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    bytes: Vec<u8>,
    name: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let part = multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/octet-stream")
        .unwrap();
    let mut form = multipart::Form::new().part("file", part);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    app.request(Method::POST, "/api/v1/admin/bank", token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp) -> i64 {
    app.state_db().count_bank_items().await.unwrap()
}

/// Objects stored in the bank folder of local storage.
fn stored_blobs(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.path().join("uploads").join("bank"))
        .map(|d| d.count())
        .unwrap_or(0)
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.request(
        Method::PATCH,
        &format!("/api/v1/admin/bank/{id}"),
        Some(token),
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

crate::both! {
    async fn an_admin_uploads_one_png_and_gets_its_style_dna(app) {
        let token = admin_token(&app, "curator@example.com").await;
        let bytes = png(320, 180);
        let res = upload(&app, Some(&token), bytes.clone(), "boss-fight_castle.png",
            &[("title", "Boss fight in a dark castle"), ("tags", "gaming, boss ,dark"), ("category", "gaming")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item["title"], "Boss fight in a dark castle");
        assert_eq!(item["tags"], json!(["gaming", "boss", "dark"]));
        assert_eq!(item["category"], "gaming");
        assert_eq!((item["width"].as_u64(), item["height"].as_u64()), (Some(320), Some(180)));
        assert_eq!((item["featured"].as_bool(), item["enabled"].as_bool()), (Some(false), Some(true)));
        assert_eq!(item["priority"], 0);
        assert_eq!(item["usage_count"], 0);
        let dna = &item["style_dna"];
        assert!(!dna["palette"].as_array().unwrap().is_empty(), "palette measured: {dna}");
        assert!(dna["palette"][0]["hex"].as_str().unwrap().starts_with('#'));
        let energy = dna["energy"].as_u64().unwrap();
        assert!((1..=10).contains(&energy));
        assert!(dna["brightness"].as_f64().unwrap() < 0.6, "red and black is dark: {dna}");

        // The original and a 480x270 WebP preview are served from object storage.
        let original = app.get(item["image_url"].as_str().unwrap(), None).await;
        assert_eq!(original.status(), StatusCode::OK);
        assert_eq!(original.bytes().await.unwrap().as_ref(), bytes.as_slice());
        let preview = app.get(item["preview_url"].as_str().unwrap(), None).await;
        assert_eq!(preview.status(), StatusCode::OK);
        assert_eq!(preview.headers()[header::CONTENT_TYPE], "image/webp");
        let preview = image::load_from_memory(&preview.bytes().await.unwrap()).unwrap();
        assert_eq!((preview.width(), preview.height()), (480, 270));

        let id = item["id"].as_str().unwrap();
        let one: Value = app.get(&format!("/api/v1/admin/bank/{id}"), Some(&token)).await.json().await.unwrap();
        assert_eq!(&one, item);
        let list: Value = app.get("/api/v1/admin/bank", Some(&token)).await.json().await.unwrap();
        assert_eq!(list["items"][0]["id"], item["id"]);
        assert!(list["next_cursor"].is_null());
    }

    async fn a_zip_of_three_images_makes_three_items(app) {
        let token = admin_token(&app, "curator@example.com").await;
        let zip = zip_of(&[
            ("set/", vec![]),
            ("set/neon-glow.png", png(160, 90)),
            ("set/pink_makeup look.jpg", jpeg(200, 120)),
            ("set/calm.webp", webp(64, 64)),
            // Skipped silently: macOS forks and dotfiles.
            ("__MACOSX/set/._neon-glow.png", b"\x00\x05\x16\x07 resource fork".to_vec()),
            ("set/.DS_Store", b"Bud1 junk".to_vec()),
        ]);
        let res = upload(&app, Some(&token), zip, "designs.zip", &[("tags", "demo"), ("category", "beauty")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        let items = body["items"].as_array().unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["neon glow", "pink makeup look", "calm"]);
        assert!(items.iter().all(|i| i["category"] == "beauty" && i["tags"] == json!(["demo"])));
        assert!(items.iter().all(|i| i["style_dna"]["palette"].is_array()));
        assert_eq!(count(&app).await, 3);

        // A title given for several images numbers them.
        let zip = zip_of(&[("a.png", png(32, 32)), ("b.png", png(48, 32))]);
        let res = upload(&app, Some(&token), zip, "more.zip", &[("title", "Reds")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["items"][0]["title"], "Reds 1");
        assert_eq!(body["items"][1]["title"], "Reds 2");
    }

    async fn bad_zips_are_refused_and_nothing_is_stored(app) {
        let token = admin_token(&app, "curator@example.com").await;
        let good = png(64, 36);
        let too_many: Vec<(String, Vec<u8>)> =
            (0..201).map(|i| (format!("img{i}.png"), good.clone())).collect();
        let too_many: Vec<(&str, Vec<u8>)> =
            too_many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        // Default limit: 10 MB per image. Zeros compress to almost nothing.
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(11 * 1024 * 1024, 0);
        let mut lying = b"\x89PNG\r\n\x1a\n".to_vec();
        lying.resize(3 * 1024 * 1024, 0);
        let mut truncated = good.clone();
        truncated.truncate(good.len() / 2);
        let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
            ("traversal", zip_of(&[("ok.png", good.clone()), ("../../evil.png", good.clone())]), &["../../evil.png"]),
            ("absolute", zip_of(&[("/etc/evil.png", good.clone())]), &["/etc/evil.png"]),
            ("too many entries", zip_of(&too_many), &["201 entries"]),
            ("declared bomb", zip_of(&[("ok.png", good.clone()), ("huge.png", big)]), &["\"huge.png\": it is 11 MB"]),
            ("lying bomb", lie_about_size(zip_of(&[("liar.png", lying)]), 1000), &["\"liar.png\"", "declare"]),
            ("non-image", zip_of(&[("ok.png", good.clone()), ("notes.txt", b"hello".to_vec())]), &["notes.txt"]),
            ("nested zip", zip_of(&[("ok.png", good.clone()), ("inner.zip", zip_of(&[("a.png", good.clone())]))]), &["inner.zip"]),
            ("nested zip by content", zip_of(&[("inner.png", zip_of(&[("a.png", good.clone())]))]), &["inner.png"]),
            ("corrupt image", zip_of(&[("ok.png", good.clone()), ("broken.png", truncated)]), &["broken.png"]),
            ("only junk", zip_of(&[("__MACOSX/._a.png", b"x".to_vec()), (".DS_Store", b"x".to_vec())]), &["no images"]),
        ];
        for (what, zip, named) in cases {
            let res = upload(&app, Some(&token), zip, "bad.zip", &[]).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            let body: Value = res.json().await.unwrap();
            let message = body["error"]["message"].as_str().unwrap();
            for needle in named {
                assert!(message.contains(needle), "{what}: {message:?} says {needle:?}");
            }
            assert_eq!(count(&app).await, 0, "{what}: no rows");
            assert_eq!(stored_blobs(&app), 0, "{what}: no blobs");
        }
        // A lone file that is no image at all.
        let res = upload(&app, Some(&token), b"GIF89a....".to_vec(), "anim.gif", &[]).await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let res = upload(&app, Some(&token), good.clone(), "x.png", &[("category", "knitting")]).await;
        assert_eq!(error_code(res).await, "validation_error");
        assert_eq!(count(&app).await, 0);
    }

    async fn admins_edit_and_delete_bank_items(app) {
        let token = admin_token(&app, "curator@example.com").await;
        let bytes = png(96, 54);
        let res = upload(&app, Some(&token), bytes.clone(), "first.png", &[("category", "gaming")]).await;
        let first: Value = res.json::<Value>().await.unwrap()["items"][0].clone();
        let id = first["id"].as_str().unwrap();

        let res = patch(&app, &token, id, json!({
            "title": "Boss fight", "tags": ["gaming", "castle"], "featured": true,
            "priority": 42, "enabled": false
        })).await;
        assert_eq!(res.status(), StatusCode::OK);
        let changed: Value = res.json().await.unwrap();
        assert_eq!(changed["title"], "Boss fight");
        assert_eq!(changed["tags"], json!(["gaming", "castle"]));
        assert_eq!((changed["featured"].as_bool(), changed["enabled"].as_bool()), (Some(true), Some(false)));
        assert_eq!(changed["priority"], 42);
        assert_eq!(changed["category"], "gaming", "untouched");
        assert!(app.state_db().all_enabled_bank_items().await.unwrap().is_empty());

        let res = patch(&app, &token, id, json!({"category": null})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["category"], Value::Null);
        let res = patch(&app, &token, id, json!({"category": "cars"})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["category"], "cars");

        for bad in [
            json!({"colour": "red"}),
            json!({"title": ""}),
            json!({"title": "x".repeat(201)}),
            json!({"tags": ["x".repeat(41)]}),
            json!({"tags": (0..21).map(|i| i.to_string()).collect::<Vec<_>>()}),
            json!({"category": "knitting"}),
            json!({"priority": 101}),
            json!({"priority": -101}),
        ] {
            let res = patch(&app, &token, id, bad.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }

        // The same image uploaded again shares its stored blobs.
        let res = upload(&app, Some(&token), bytes.clone(), "again.png", &[]).await;
        let second: Value = res.json::<Value>().await.unwrap()["items"][0].clone();
        assert_eq!(second["image_url"], first["image_url"]);

        let url = format!("/api/v1/admin/bank/{id}");
        let res = app.request(Method::DELETE, &url, Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(&url, Some(&token)).await.status(), StatusCode::NOT_FOUND);
        let res = app.request(Method::DELETE, &url, Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(patch(&app, &token, id, json!({"featured": true})).await.status(), StatusCode::NOT_FOUND);
        let image_url = first["image_url"].as_str().unwrap();
        assert_eq!(app.get(image_url, None).await.status(), StatusCode::OK, "still used by the second item");

        let second_url = format!("/api/v1/admin/bank/{}", second["id"].as_str().unwrap());
        let res = app.request(Method::DELETE, &second_url, Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(image_url, None).await.status(), StatusCode::NOT_FOUND, "last user gone");
        assert_eq!(app.get(first["preview_url"].as_str().unwrap(), None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(stored_blobs(&app), 0);
    }

    async fn only_admins_reach_the_bank(app) {
        let admin = admin_token(&app, "curator@example.com").await;
        let user = app.token_for("creator@example.com").await;
        let res = upload(&app, Some(&user), png(32, 32), "x.png", &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/api/v1/admin/bank", Some(&user)).await.status(), StatusCode::FORBIDDEN);
        let res = upload(&app, None, png(32, 32), "x.png", &[]).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/api/v1/admin/bank", None).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(count(&app).await, 0);

        let res = upload(&app, Some(&admin), png(32, 32), "x.png", &[]).await;
        let id = res.json::<Value>().await.unwrap()["items"][0]["id"].as_str().unwrap().to_string();
        let url = format!("/api/v1/admin/bank/{id}");
        assert_eq!(app.get(&url, Some(&user)).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(patch(&app, &user, &id, json!({"featured": true})).await.status(), StatusCode::FORBIDDEN);
        let res = app.request(Method::DELETE, &url, Some(&user)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let unknown = format!("/api/v1/admin/bank/{}", uuid::Uuid::now_v7());
        assert_eq!(app.get(&unknown, Some(&admin)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get("/api/v1/admin/bank/not-an-id", Some(&admin)).await.status(), StatusCode::NOT_FOUND);
    }
}

/// A flat picture of one colour with a block of another: enough for a palette.
fn two_tone(base: [u8; 3], block: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 360, |x, y| {
        if (200..440).contains(&x) && (90..270).contains(&y) {
            image::Rgb(block)
        } else {
            image::Rgb(base)
        }
    });
    encoded(img, image::ImageFormat::Png)
}

async fn search(app: &TestApp, token: Option<&str>, query: &str) -> reqwest::Response {
    let url =
        reqwest::Url::parse_with_params(&app.url("/api/v1/bank/search"), &[("q", query)]).unwrap();
    let path = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    app.request(Method::GET, &path, token).send().await.unwrap()
}

async fn first_title(app: &TestApp, token: &str, query: &str) -> String {
    let res = search(app, Some(token), query).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    let body: Value = res.json().await.unwrap();
    body["items"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

crate::both! {
    async fn the_bank_is_searched_by_meaning_across_english_and_persian(app) {
        let admin = admin_token(&app, "bank-search-admin@example.com").await;
        let items = [
            ("castle.png", two_tone([18, 13, 31], [123, 47, 247]), "Boss fight in a dark castle", "gaming"),
            ("makeup.png", two_tone([255, 209, 220], [233, 30, 99]), "Pink makeup look", "beauty,makeup"),
            ("giant.png", two_tone([11, 11, 26], [229, 27, 35]), "نبرد با غول آخر", "گیمینگ"),
            ("pasta.png", two_tone([245, 230, 200], [192, 57, 43]), "Creamy pasta in ten minutes", "cooking"),
            ("red-car.png", two_tone([229, 27, 35], [13, 13, 15]), "Track day in a supercar", "cars"),
            ("blue-car.png", two_tone([30, 94, 255], [255, 255, 255]), "Electric car road trip", "cars"),
        ];
        let mut ids = std::collections::HashMap::new();
        for (name, bytes, title, tags) in items {
            let res = upload(&app, Some(&admin), bytes, name, &[("title", title), ("tags", tags)]).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let body: Value = res.json().await.unwrap();
            ids.insert(title, body["items"][0]["id"].as_str().unwrap().to_string());
        }
        let token = app.token_for("bank-searcher@example.com").await;
        // Persian finds English and the reverse; a request finds a look by what it shows.
        let gaming: Value = search(&app, Some(&token), "بازی ویدیویی").await.json().await.unwrap();
        let top2: Vec<&str> = gaming["items"].as_array().unwrap().iter().take(2).map(|i| i["title"].as_str().unwrap()).collect();
        assert!(top2.contains(&"Boss fight in a dark castle") && top2.contains(&"نبرد با غول آخر"), "{top2:?}");
        assert_eq!(first_title(&app, &token, "lipstick tutorial").await, "Pink makeup look");
        assert_eq!(first_title(&app, &token, "آموزش رژ لب").await, "Pink makeup look");
        assert_eq!(first_title(&app, &token, "video game boss fight").await, "Boss fight in a dark castle");
        // Colours are matched against each item's measured palette.
        assert_eq!(first_title(&app, &token, "red car").await, "Track day in a supercar");
        assert_eq!(first_title(&app, &token, "ماشین آبی").await, "Electric car road trip");
        // Results carry what a picker shows.
        let hit = &gaming["items"][0];
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(hit["preview_url"].as_str().unwrap().starts_with("/uploads/bank/"));
        assert!(hit["style_dna"]["palette"].as_array().is_some_and(|p| !p.is_empty()));
        // A category filter, and paging.
        let page: Value = app.get("/api/v1/bank/search?q=car&category=cars&limit=1", Some(&token)).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let cursor = page["next_cursor"].as_str().unwrap();
        let next: Value = app.get(&format!("/api/v1/bank/search?q=car&category=cars&limit=1&cursor={cursor}"), Some(&token)).await.json().await.unwrap();
        assert_ne!(next["items"][0]["id"], page["items"][0]["id"]);
        // Disabled and deleted items are not found any more; no rebuild needed.
        let castle = &ids["Boss fight in a dark castle"];
        assert_eq!(patch(&app, &admin, castle, json!({"enabled": false})).await.status(), StatusCode::OK);
        assert_ne!(first_title(&app, &token, "boss fight in a dark castle").await, "Boss fight in a dark castle");
        let makeup = &ids["Pink makeup look"];
        let res = app.request(Method::DELETE, &format!("/api/v1/admin/bank/{makeup}"), Some(&admin)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_ne!(first_title(&app, &token, "lipstick tutorial").await, "Pink makeup look");
        // Bad queries are refused; signed out is 401.
        for bad in ["", "   "] {
            assert_eq!(search(&app, Some(&token), bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert_eq!(search(&app, Some(&token), &"x".repeat(201)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for bad in ["category=nope", "limit=0", "limit=51", "cursor=abc"] {
            let res = app.get(&format!("/api/v1/bank/search?q=car&{bad}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        // A query string that does not parse at all is a bad request.
        let res = app.get("/api/v1/bank/search?q=car&limit=x", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(search(&app, None, "car").await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_installation_seeds_the_bank_with_the_layouts_once() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite, &[("BANK_SEED", "true")]).await;
    let templates = routix_render::TemplateLibrary::builtin()
        .unwrap()
        .all()
        .len() as i64;
    for _ in 0..600 {
        if count(&app).await >= templates {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(count(&app).await, templates, "one item per layout template");
    let token = app.token_for("seeded@example.com").await;
    let body: Value = search(&app, Some(&token), "بازی ویدیویی")
        .await
        .json()
        .await
        .unwrap();
    let first = &body["items"][0];
    assert_eq!(first["category"], "gaming", "{body}");
    assert!(first["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "gaming"));
    // Once per installation: the flag is taken, a second claim finds it so.
    assert!(!app
        .state_db()
        .claim_flag("bank_seeded_with_templates")
        .await
        .unwrap());
}

crate::both! {
    async fn a_fitting_bank_look_steers_the_generation_and_learns_from_it(app) {
        let admin = admin_token(&app, "bank-steer-admin@example.com").await;
        let res = upload(&app, Some(&admin), two_tone([255, 209, 220], [233, 30, 99]), "pink.png", &[("title", "Pink makeup look"), ("tags", "beauty,makeup")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let item: Value = res.json().await.unwrap();
        let item_id = item["items"][0]["id"].as_str().unwrap().to_string();
        let token = app.token_for("bank-steer@example.com").await;
        let make = |prompt: &'static str| crate::helpers::generated(&app, &token, json!({"prompt": prompt}));
        // A request the look does not fit is made without it.
        let unrelated = make("my dog reacts to a robot vacuum").await;
        assert!(unrelated["reference_bank_id"].is_null(), "{unrelated}");
        let steered = make("lipstick tutorial for beginners").await;
        assert_eq!(steered["reference_bank_id"], item_id.as_str(), "{steered}");
        let counted: Value = app.get(&format!("/api/v1/admin/bank/{item_id}"), Some(&admin)).await.json().await.unwrap();
        assert_eq!(counted["usage_count"], 1);
        assert_eq!(counted["success_count"], 1);
        // The creator's verdict reaches the item: down, then changed to up.
        let rating = format!("/api/v1/generations/{}/rating", steered["id"].as_str().unwrap());
        assert_eq!(app.post_json(&rating, Some(&token), json!({"value": -1})).await.status(), StatusCode::OK);
        let counted: Value = app.get(&format!("/api/v1/admin/bank/{item_id}"), Some(&admin)).await.json().await.unwrap();
        assert_eq!((counted["rating_up"].as_i64(), counted["rating_down"].as_i64()), (Some(0), Some(1)));
        assert_eq!(app.post_json(&rating, Some(&token), json!({"value": 1})).await.status(), StatusCode::OK);
        let counted: Value = app.get(&format!("/api/v1/admin/bank/{item_id}"), Some(&admin)).await.json().await.unwrap();
        assert_eq!((counted["rating_up"].as_i64(), counted["rating_down"].as_i64()), (Some(1), Some(0)));
        // With the look switched off, the same request is made without it — and looks different.
        assert_eq!(patch(&app, &admin, &item_id, json!({"enabled": false})).await.status(), StatusCode::OK);
        let plain = make("lipstick tutorial for beginners").await;
        assert!(plain["reference_bank_id"].is_null(), "{plain}");
        assert_eq!(plain["template_id"], steered["template_id"]);
        let bytes = |g: &Value| {
            let url = g["result_url"].as_str().unwrap().to_string();
            let app = &app;
            async move { app.get(&url, None).await.bytes().await.unwrap() }
        };
        assert_ne!(bytes(&steered).await, bytes(&plain).await, "the reference's colours were used");
        // A request that names its colours keeps them: no steering of the palette.
        let named = make("lipstick tutorial, blue and white").await;
        assert_eq!(named["reference_bank_id"], Value::Null, "the item is off: {named}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn premium_sends_the_bank_reference_to_stability_as_image_to_image() {
    use base64::Engine as _;
    use wiremock::{
        matchers::{header as h, method, path},
        Mock, MockServer, ResponseTemplate,
    };
    let art = encoded(
        image::RgbImage::from_pixel(1344, 768, image::Rgb([40, 20, 90])),
        image::ImageFormat::Png,
    );
    let stability = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/generation/stable-diffusion-xl-1024-v1-0/image-to-image",
        ))
        .and(h("authorization", "Bearer st-key"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"artifacts": [{
                "base64": base64::engine::general_purpose::STANDARD.encode(&art),
                "seed": 7, "finishReason": "SUCCESS"
            }]})),
        )
        .expect(1)
        .mount(&stability)
        .await;
    let app = crate::helpers::with_stability(&stability.uri()).await;
    let admin = admin_token(&app, "bank-premium-admin@example.com").await;
    let res = upload(
        &app,
        Some(&admin),
        two_tone([18, 13, 31], [123, 47, 247]),
        "castle.png",
        &[("title", "Boss fight in a dark castle"), ("tags", "gaming")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let item: Value = res.json().await.unwrap();
    let token = app.token_for("bank-premium@example.com").await;
    let done = crate::helpers::generated(
        &app,
        &token,
        json!({"prompt": "gaming video, final boss fight", "algorithm": "premium"}),
    )
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["engine"], "stability:sdxl-1.0", "{done}");
    assert_eq!(done["reference_bank_id"], item["items"][0]["id"]);
    // The fake saw the reference as the init image (expect(1) on the image-to-image path).
    let sent = &stability.received_requests().await.unwrap()[0];
    assert!(String::from_utf8_lossy(&sent.body).contains("name=\"init_image\""));
    stability.verify().await;
}

crate::both! {
    async fn style_dna_tells_a_loud_dark_look_from_a_calm_pastel_one(app) {
        let admin = admin_token(&app, "bank-dna@example.com").await;
        let loud = encoded(
            image::RgbImage::from_fn(640, 360, |x, y| {
                if (x / 16 + y / 16) % 2 == 0 { image::Rgb([220, 20, 20]) } else { image::Rgb([10, 10, 10]) }
            }),
            image::ImageFormat::Png,
        );
        let pastel = encoded(
            image::RgbImage::from_fn(640, 360, |x, _| {
                let t = x as f32 / 640.0;
                image::Rgb([(255.0 - 40.0 * t) as u8, (220.0 + 10.0 * t) as u8, (230.0 + 20.0 * t) as u8])
            }),
            image::ImageFormat::Png,
        );
        let dna = |res: Value| res["items"][0]["style_dna"].clone();
        let loud = dna(upload(&app, Some(&admin), loud, "loud.png", &[]).await.json().await.unwrap());
        let pastel = dna(upload(&app, Some(&admin), pastel, "pastel.png", &[]).await.json().await.unwrap());
        assert!(loud["brightness"].as_f64().unwrap() < 0.4, "{loud}");
        assert!(loud["energy"].as_u64().unwrap() >= 8, "{loud}");
        assert!(pastel["brightness"].as_f64().unwrap() > 0.7, "{pastel}");
        assert!(pastel["energy"].as_u64().unwrap() <= 3, "{pastel}");
        assert!(pastel["saturation"].as_f64().unwrap() < loud["saturation"].as_f64().unwrap());
    }
}

crate::both! {
    async fn a_reference_with_its_text_on_the_right_picks_a_layout_with_the_headline_there(app) {
        // A designer's look with the headline on the right: one of the layouts, rendered.
        let library = routix_render::TemplateLibrary::builtin().unwrap();
        let headline_x = |id: &str| {
            library.get(id).unwrap().layers.iter().find_map(|l| match l {
                routix_render::Layer::Text { slot: routix_render::Slot::Headline, area, .. } => Some(area[0] + area[2] / 2.0),
                _ => None,
            }).unwrap()
        };
        let look = routix_render::render(
            library.get("cooking-recipe-circle").unwrap(),
            &routix_render::RenderRequest { subjects: vec!["🍝".into()], ..routix_render::RenderRequest::titled("CREAMY PASTA") },
        ).unwrap().image;
        let mut png = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(look).write_to(&mut png, image::ImageFormat::Png).unwrap();
        let token = app.token_for("bank-side@example.com").await;
        let before = crate::helpers::generated(&app, &token, json!({"prompt": "easy pasta in 10 minutes"})).await;
        let admin = admin_token(&app, "bank-side-admin@example.com").await;
        let res = upload(&app, Some(&admin), png.into_inner(), "creamy.png", &[("title", "Creamy pasta in ten minutes"), ("tags", "cooking,pasta")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let item: Value = res.json().await.unwrap();
        assert_eq!(item["items"][0]["style_dna"]["composition"]["text"], "right", "{item}");
        let after = crate::helpers::generated(&app, &token, json!({"prompt": "easy pasta in 10 minutes"})).await;
        assert_eq!(after["reference_bank_id"], item["items"][0]["id"]);
        let side = headline_x(after["template_id"].as_str().unwrap());
        assert!(side > 740.0, "{} has its headline at x {side}", after["template_id"]);
        assert!(headline_x(before["template_id"].as_str().unwrap()) <= 740.0 || before["template_id"] == after["template_id"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vision_model_describes_each_uploaded_look_and_search_finds_its_words() {
    use wiremock::{
        matchers::{body_string_contains, header as h, method, path},
        Mock, MockServer, ResponseTemplate,
    };
    let openai = MockServer::start().await;
    let described = json!({
        "description": "A knight faces a fire-breathing dragon on a castle bridge, title top left.",
        "mood": "dramatic",
        "has_face": true
    });
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(h("authorization", "Bearer oa-key"))
        .and(body_string_contains("thumbnail_description"))
        .and(body_string_contains("data:image/webp;base64,"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-1", "object": "chat.completion",
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": described.to_string(), "refusal": null}}]
        })))
        .expect(1)
        .mount(&openai)
        .await;
    let app = TestApp::spawn(
        crate::helpers::Backend::Sqlite,
        &[
            ("OPENAI_API_KEY", "oa-key"),
            ("OPENAI_BASE_URL", &openai.uri()),
        ],
    )
    .await;
    let admin = admin_token(&app, "bank-vision@example.com").await;
    let res = upload(
        &app,
        Some(&admin),
        png(320, 180),
        "look.png",
        &[("title", "Season finale")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let dna = &body["items"][0]["style_dna"];
    assert_eq!(dna["mood"], "dramatic", "{dna}");
    assert_eq!(dna["has_face"], true, "{dna}");
    assert!(
        dna["description"].as_str().unwrap().contains("dragon"),
        "{dna}"
    );
    openai.verify().await;
    // The description's words are searchable: nothing in the title says "dragon".
    let token = app.token_for("bank-vision-user@example.com").await;
    assert_eq!(first_title(&app, &token, "dragon").await, "Season finale");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_describes_when_openai_refuses_and_a_look_nobody_describes_still_imports() {
    use wiremock::{
        matchers::{body_string_contains, header as h, method, path},
        Mock, MockServer, ResponseTemplate,
    };
    let openai = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}
        })))
        .mount(&openai)
        .await;
    let gemini = MockServer::start().await;
    let described = json!({"description": "Soft pastel flat lay of a notebook and a cup of tea.", "mood": "calm", "has_face": false});
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.5-flash:generateContent"))
        .and(h("x-goog-api-key", "gm-key"))
        .and(body_string_contains("\"mime_type\":\"image/webp\""))
        .and(body_string_contains("has_face"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": described.to_string()}]}, "finishReason": "STOP"}]
        })))
        .up_to_n_times(1)
        .mount(&gemini)
        .await;
    // After the one good answer, Gemini is out of order too.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"code": 400, "message": "API key not valid", "status": "INVALID_ARGUMENT"}
        })))
        .mount(&gemini)
        .await;
    let app = TestApp::spawn(
        crate::helpers::Backend::Sqlite,
        &[
            ("OPENAI_API_KEY", "oa-key"),
            ("OPENAI_BASE_URL", &openai.uri()),
            ("GEMINI_API_KEY", "gm-key"),
            ("GEMINI_BASE_URL", &gemini.uri()),
        ],
    )
    .await;
    let admin = admin_token(&app, "bank-vision-gemini@example.com").await;
    let res = upload(&app, Some(&admin), png(320, 180), "tea.png", &[]).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let dna = &body["items"][0]["style_dna"];
    assert_eq!(
        (dna["mood"].as_str(), dna["has_face"].as_bool()),
        (Some("calm"), Some(false)),
        "{dna}"
    );
    // Nobody can describe the next one: it is imported with its measured DNA only.
    let res = upload(&app, Some(&admin), jpeg(320, 180), "plain.jpg", &[]).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let dna = &body["items"][0]["style_dna"];
    assert!(
        dna.get("description").is_none() && dna["energy"].is_u64(),
        "{dna}"
    );
}

crate::both! {
    async fn a_loud_reference_picks_a_loud_layout_and_a_calm_one_a_calm_layout(app) {
        let admin = admin_token(&app, "bank-energy-admin@example.com").await;
        let loud = encoded(
            image::RgbImage::from_fn(640, 360, |x, y| {
                if (x / 16 + y / 16) % 2 == 0 { image::Rgb([230, 20, 20]) } else { image::Rgb([10, 10, 10]) }
            }),
            image::ImageFormat::Png,
        );
        let calm = encoded(
            image::RgbImage::from_fn(640, 360, |x, _| {
                let t = x as f32 / 640.0;
                image::Rgb([(235.0 - 20.0 * t) as u8, (238.0 - 10.0 * t) as u8, (242.0 + 8.0 * t) as u8])
            }),
            image::ImageFormat::Png,
        );
        let mut ids = Vec::new();
        for (bytes, name) in [(loud, "loud.png"), (calm, "calm.png")] {
            let res = upload(&app, Some(&admin), bytes, name, &[("title", "New phone unboxing"), ("tags", "tech,phone,unboxing")]).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let body: Value = res.json().await.unwrap();
            ids.push(body["items"][0]["id"].as_str().unwrap().to_string());
        }
        let library = routix_render::TemplateLibrary::builtin().unwrap();
        let energy = |g: &Value| routix_core::bank::template_energy(&library.get(g["template_id"].as_str().unwrap()).unwrap().meta);
        let token = app.token_for("bank-energy@example.com").await;
        let mut made = Vec::new();
        for (on, off) in [(0, 1), (1, 0)] {
            assert_eq!(patch(&app, &admin, &ids[on], json!({"enabled": true})).await.status(), StatusCode::OK);
            assert_eq!(patch(&app, &admin, &ids[off], json!({"enabled": false})).await.status(), StatusCode::OK);
            let g = crate::helpers::generated(&app, &token, json!({"prompt": "unboxing the new phone, first look"})).await;
            assert_eq!(g["reference_bank_id"], ids[on].as_str(), "{g}");
            made.push(g);
        }
        let (loud, calm) = (energy(&made[0]), energy(&made[1]));
        assert!(loud >= 8 && calm <= 3, "loud look → {} ({loud}), calm look → {} ({calm})", made[0]["template_id"], made[1]["template_id"]);
    }
}
