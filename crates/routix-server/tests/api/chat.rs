use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn create(app: &TestApp, token: &str, title: &str) -> Value {
    let res = app
        .post_json(
            "/api/v1/chat/conversations",
            Some(token),
            json!({"title": title}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect()
}

crate::both! {
    async fn conversations_list_newest_first_with_cursor_pages(app) {
        let token = app.token_for("pages@example.com").await;
        for i in 0..5 {
            create(&app, &token, &format!("video {i}")).await;
        }
        let first: Value = app
            .get("/api/v1/chat/conversations?limit=2", Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(titles(&first).await, ["video 4", "video 3"]);
        let cursor = first["next_cursor"].as_str().expect("more pages");
        let second: Value = app
            .get(&format!("/api/v1/chat/conversations?limit=2&cursor={cursor}"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(titles(&second).await, ["video 2", "video 1"]);
        let cursor = second["next_cursor"].as_str().unwrap();
        let last: Value = app
            .get(&format!("/api/v1/chat/conversations?limit=2&cursor={cursor}"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(titles(&last).await, ["video 0"]);
        assert!(last["next_cursor"].is_null());
        let bad = app.get("/api/v1/chat/conversations?limit=0", Some(&token)).await;
        assert!(bad.status().is_client_error());
        let bad = app.get("/api/v1/chat/conversations?cursor=zzz", Some(&token)).await;
        assert!(bad.status().is_client_error());
    }

    async fn conversations_can_be_renamed_and_soft_deleted(app) {
        let token = app.token_for("rename@example.com").await;
        let conv = create(&app, &token, "draft").await;
        let path = format!("/api/v1/chat/conversations/{}", conv["id"].as_str().unwrap());
        let res = app
            .request(Method::PATCH, &path, Some(&token))
            .json(&json!({"title": "Season 2 launch"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let got: Value = app.get(&path, Some(&token)).await.json().await.unwrap();
        assert_eq!(got["title"], "Season 2 launch");
        let res = app.request(Method::DELETE, &path, Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::NOT_FOUND);
        let list: Value = app.get("/api/v1/chat/conversations", Some(&token)).await.json().await.unwrap();
        assert!(list["items"].as_array().unwrap().is_empty(), "deleted conversations are hidden");
    }

    async fn messages_are_stored_in_order_and_paged(app) {
        let token = app.token_for("talk@example.com").await;
        let conv = create(&app, &token, "chat").await;
        let path = format!("/api/v1/chat/conversations/{}/messages", conv["id"].as_str().unwrap());
        for text in ["gaming video, red and black", "text: NEW SEASON", "make it bolder"] {
            let res = app.post_json(&path, Some(&token), json!({"content": text})).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let posted: Value = res.json().await.unwrap();
            assert_eq!(posted["message"]["role"], "user");
            assert_eq!(posted["message"]["content"], text);
        }
        let all: Value = app.get(&path, Some(&token)).await.json().await.unwrap();
        let users: Vec<&str> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "user")
            .map(|m| m["content"].as_str().unwrap())
            .collect();
        assert_eq!(users, ["gaming video, red and black", "text: NEW SEASON", "make it bolder"]);
        let page: Value = app.get(&format!("{path}?limit=1"), Some(&token)).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let cursor = page["next_cursor"].as_str().unwrap();
        let next: Value = app.get(&format!("{path}?limit=1&cursor={cursor}"), Some(&token)).await.json().await.unwrap();
        assert_ne!(next["items"][0]["id"], page["items"][0]["id"]);
        let empty = app.post_json(&path, Some(&token), json!({"content": "   "})).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn persian_messages_get_persian_replies_with_persian_template_names(app) {
        let token = app.token_for("farsi@example.com").await;
        let conv = create(&app, &token, "فصل جدید").await;
        let path = format!("/api/v1/chat/conversations/{}/messages", conv["id"].as_str().unwrap());
        let content = "تامبنیل گیمینگ با رنگ‌های قرمز و مشکی، متن: فصل جدید";
        let posted: Value = app.post_json(&path, Some(&token), json!({"content": content})).await.json().await.unwrap();
        let reply = &posted["reply"];
        let text = reply["content"].as_str().unwrap();
        assert!(text.contains("قالب‌های پیشنهادی") && text.contains("فصل جدید"), "{text}");
        let suggestions = reply["metadata"]["suggestions"].as_array().unwrap();
        assert!(!suggestions.is_empty());
        for s in suggestions {
            let name = s["name"].as_str().unwrap();
            assert!(name.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "{name}");
            assert!(text.contains(name), "{name} not in {text}");
        }
        // The template bank carries the Persian names for the UI.
        let bank: Value = app.get("/api/v1/templates?category=gaming", None).await.json().await.unwrap();
        assert!(bank["items"].as_array().unwrap().iter().all(|t| t["translations"]["fa"]["name"].is_string()));
    }

    async fn another_users_conversation_answers_404_to_everything(app) {
        let owner = app.token_for("owner@example.com").await;
        let intruder = app.token_for("intruder@example.com").await;
        let conv = create(&app, &owner, "private plans").await;
        let path = format!("/api/v1/chat/conversations/{}", conv["id"].as_str().unwrap());
        let messages = format!("{path}/messages");
        app.post_json(&messages, Some(&owner), json!({"content": "secret idea"})).await;

        assert_eq!(app.get(&path, Some(&intruder)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&messages, Some(&intruder)).await.status(), StatusCode::NOT_FOUND);
        let res = app.post_json(&messages, Some(&intruder), json!({"content": "hi"})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app
            .request(Method::PATCH, &path, Some(&intruder))
            .json(&json!({"title": "mine"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.request(Method::DELETE, &path, Some(&intruder)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Untouched for its owner.
        let got: Value = app.get(&path, Some(&owner)).await.json().await.unwrap();
        assert_eq!(got["title"], "private plans");
        let bogus = app.get("/api/v1/chat/conversations/not-a-uuid", Some(&owner)).await;
        assert_eq!(bogus.status(), StatusCode::NOT_FOUND);
    }
}
