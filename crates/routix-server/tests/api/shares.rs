//! Favourites and public share links.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{generated, TestApp};

async fn call(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::Response {
    app.request(method, path, Some(token)).send().await.unwrap()
}

crate::both! {
    async fn favourites_are_kept_listed_and_private(app) {
        let token = app.token_for("fav@example.com").await;
        let kept = generated(&app, &token, json!({"prompt": "gaming video, text: NEW SEASON"})).await;
        let other = generated(&app, &token, json!({"prompt": "cooking pasta at home"})).await;
        let id = kept["id"].as_str().unwrap();
        assert_eq!(kept["favorite"], false);
        let res = call(&app, Method::POST, &format!("/api/v1/generations/{id}/favorite"), &token).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["favorite"], true);
        let ids = |v: Value| v["items"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        let favs = ids(app.get("/api/v1/generations?favorite=true", Some(&token)).await.json().await.unwrap());
        assert_eq!(favs, [id]);
        let rest = ids(app.get("/api/v1/generations?favorite=false", Some(&token)).await.json().await.unwrap());
        assert_eq!(rest, [other["id"].as_str().unwrap()]);
        // Someone else can neither see nor mark it.
        let stranger = app.token_for("fav-stranger@example.com").await;
        for method in [Method::POST, Method::DELETE] {
            let res = call(&app, method, &format!("/api/v1/generations/{id}/favorite"), &stranger).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
        }
        assert_eq!(call(&app, Method::POST, &format!("/api/v1/generations/{}/share", id), &stranger).await.status(), StatusCode::NOT_FOUND);
        let res = call(&app, Method::DELETE, &format!("/api/v1/generations/{id}/favorite"), &token).await;
        assert_eq!(res.json::<Value>().await.unwrap()["favorite"], false);
        let favs = ids(app.get("/api/v1/generations?favorite=true", Some(&token)).await.json().await.unwrap());
        assert!(favs.is_empty());
        assert_eq!(app.get("/api/v1/generations?favorite=maybe", Some(&token)).await.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_share_link_opens_without_sign_in_until_revoked(app) {
        let token = app.token_for("share@example.com").await;
        let g = generated(&app, &token, json!({"prompt": "travel vlog, japan, text: TOKYO"})).await;
        let id = g["id"].as_str().unwrap();
        let res = call(&app, Method::POST, &format!("/api/v1/generations/{id}/share"), &token).await;
        assert_eq!(res.status(), StatusCode::OK);
        let link: Value = res.json().await.unwrap();
        let url = link["url"].as_str().unwrap().to_string();
        let secret = url.strip_prefix("/s/").unwrap();
        assert_eq!(secret.len(), 22, "128 random bits, URL-safe base64");
        assert!(link["absolute_url"].as_str().unwrap().ends_with(&url));
        // Sharing again answers the same link.
        let again: Value = call(&app, Method::POST, &format!("/api/v1/generations/{id}/share"), &token).await.json().await.unwrap();
        assert_eq!(again["url"], url.as_str());
        // A fresh client with no session opens it: the image and its card tags.
        let res = reqwest::get(app.url(&url)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        // Revalidated on every visit, so revoking works at once.
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let page = res.text().await.unwrap();
        let result = g["result_url"].as_str().unwrap();
        assert!(page.contains("<meta property=\"og:image\" content=\"http"), "{page}");
        assert!(page.contains(&format!("{result}\">")), "og:image is the full image: {page}");
        assert!(page.contains("summary_large_image") && page.contains("TOKYO"), "{page}");
        // Its look comes from a stylesheet of the site's own (no inline styles under the CSP).
        let css = reqwest::get(app.url("/s/page.css")).await.unwrap();
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        // Revoked: gone at once, and only once.
        assert_eq!(call(&app, Method::DELETE, &format!("/api/v1/generations/{id}/share"), &token).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(reqwest::get(app.url(&url)).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(call(&app, Method::DELETE, &format!("/api/v1/generations/{id}/share"), &token).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(reqwest::get(app.url("/s/not-a-token")).await.unwrap().status(), StatusCode::NOT_FOUND);
    }

    async fn a_shared_result_outlives_its_deleted_generation_until_unshared(app) {
        let token = app.token_for("share-delete@example.com").await;
        let g = generated(&app, &token, json!({"prompt": "my dog reacts to a robot vacuum"})).await;
        let id = g["id"].as_str().unwrap();
        let link: Value = call(&app, Method::POST, &format!("/api/v1/generations/{id}/share"), &token).await.json().await.unwrap();
        let page = app.url(link["url"].as_str().unwrap());
        let image = g["result_url"].as_str().unwrap().to_string();
        assert_eq!(call(&app, Method::DELETE, &format!("/api/v1/generations/{id}"), &token).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(&format!("/api/v1/generations/{id}"), Some(&token)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(reqwest::get(&page).await.unwrap().status(), StatusCode::OK, "the link still works");
        assert_eq!(app.get(&image, None).await.status(), StatusCode::OK, "its image was kept");
        assert_eq!(call(&app, Method::DELETE, &format!("/api/v1/generations/{id}/share"), &token).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(reqwest::get(&page).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&image, None).await.status(), StatusCode::NOT_FOUND, "unshared: the image went with it");
    }
}
