//! Test & Compare: three results in one zip — A.jpg, B.jpg, C.jpg (1280x720 JPEG, at most
//! 2 MB) and README.txt saying what differs.

use std::io::{Cursor, Read};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, generated, TestApp};

async fn make(app: &TestApp, token: &str, ids: Value) -> reqwest::Response {
    app.post_json(
        "/api/v1/test-sets",
        Some(token),
        json!({ "generation_ids": ids }),
    )
    .await
}

crate::both! {
    async fn three_results_download_as_one_zip_with_a_readme(app) {
        let token = app.token_for("compare@example.com").await;
        let a = generated(&app, &token, json!({"prompt": "gaming video, red and black, text: NEW SEASON"})).await;
        let b = generated(&app, &token, json!({"prompt": "gaming video, text: BOSS FIGHT", "variants": 2})).await;
        let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
        // A by id, B as a variant in text, C as a variant in an object.
        let res = make(&app, &token, json!([a, format!("{b}:1"), {"generation_id": b, "variant": 0}])).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let set: Value = res.json().await.unwrap();
        let url = set["url"].as_str().unwrap();
        assert_eq!(url, format!("/api/v1/test-sets/{}/download", set["id"].as_str().unwrap()));
        assert_eq!(set["items"][1]["file"], "B.jpg");
        assert_eq!(set["items"][1]["variant"], 1);

        let res = app.get(url, Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/zip");
        let bytes = res.bytes().await.unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
        names.sort();
        assert_eq!(names, ["A.jpg", "B.jpg", "C.jpg", "README.txt"]);
        let mut pictures = Vec::new();
        for name in ["A.jpg", "B.jpg", "C.jpg"] {
            let mut data = Vec::new();
            zip.by_name(name).unwrap().read_to_end(&mut data).unwrap();
            assert!(data.len() <= 2 * 1024 * 1024, "{name} is {} bytes", data.len());
            assert_eq!(image::guess_format(&data).unwrap(), image::ImageFormat::Jpeg, "{name}");
            let img = image::load_from_memory(&data).unwrap();
            assert_eq!((img.width(), img.height()), (1280, 720), "{name}");
            pictures.push(img.to_rgb8());
        }
        assert!(pictures[0] != pictures[1] && pictures[1] != pictures[2], "three different pictures");
        let mut readme = String::new();
        zip.by_name("README.txt").unwrap().read_to_string(&mut readme).unwrap();
        assert!(readme.contains("What differs: headline"), "{readme}");
        assert!(readme.contains(&format!("A.jpg: result {a}\r\n")), "{readme}");
        assert!(readme.contains(&format!("B.jpg: result {b}:1\r\n")), "{readme}");
        assert!(readme.contains("NEW SEASON") && readme.contains("BOSS FIGHT"), "{readme}");
        assert!(readme.contains("template"), "{readme}");

        // Only its maker downloads it.
        let stranger = app.token_for("compare-stranger@example.com").await;
        assert_eq!(app.get(url, Some(&stranger)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(url, None).await.status(), StatusCode::UNAUTHORIZED);
        // A result deleted since makes the set 404.
        let res = app.request(reqwest::Method::DELETE, &format!("/api/v1/generations/{a}"), Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(url, Some(&token)).await.status(), StatusCode::NOT_FOUND);
    }

    async fn a_set_is_exactly_three_different_finished_results_of_yours(app) {
        let token = app.token_for("compare-rules@example.com").await;
        let mut ids = Vec::new();
        for prompt in ["cooking pasta at home", "travel vlog, japan", "my cat vs cucumber", "diy shelf build"] {
            ids.push(generated(&app, &token, json!({"prompt": prompt})).await["id"].as_str().unwrap().to_string());
        }
        for wrong in [json!([]), json!([ids[0], ids[1]]), json!([ids[0], ids[1], ids[2], ids[3]])] {
            let res = make(&app, &token, wrong.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
            assert_eq!(error_code(res).await, "validation_error");
        }
        // The same twice, something that is not an id; a variant it does not have is not found.
        for wrong in [json!([ids[0], ids[0], ids[1]]), json!([ids[0], ids[1], "latest"])] {
            assert_eq!(make(&app, &token, wrong.clone()).await.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        }
        let missing_variant = json!([ids[0], ids[1], format!("{}:9", ids[2])]);
        assert_eq!(make(&app, &token, missing_variant).await.status(), StatusCode::NOT_FOUND);
        let stranger = app.token_for("compare-rules-stranger@example.com").await;
        let theirs = generated(&app, &stranger, json!({"prompt": "science experiment, text: BOOM"})).await;
        let res = make(&app, &token, json!([ids[0], ids[1], theirs["id"]])).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = make(&app, &token, json!([ids[0], ids[1], uuid::Uuid::now_v7()])).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(make(&app, &token, json!([ids[1], ids[2], ids[3]])).await.status(), StatusCode::CREATED);
    }
}
