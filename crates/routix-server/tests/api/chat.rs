use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, generated, TestApp};

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

async fn say(app: &TestApp, token: &str, conv: &Value, text: &str) -> Value {
    let path = format!(
        "/api/v1/chat/conversations/{}/messages",
        conv["id"].as_str().unwrap()
    );
    let res = app
        .post_json(&path, Some(token), json!({"content": text}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["message"].clone()
}

async fn search(app: &TestApp, token: &str, q: &str) -> Vec<Value> {
    let res = app
        .request(Method::GET, "/api/v1/chat/search", Some(token))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{q:?}");
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// The hits in one conversation on what the user wrote (their messages and the title), in
/// the order given; the assistant's replies, which often repeat the user's words, left out.
fn own_hits(items: &[Value], conv: &Value) -> Vec<Value> {
    items
        .iter()
        .filter(|h| h["conversation_id"] == conv["id"] && h["role"] != "assistant")
        .cloned()
        .collect()
}

/// `own_hits` as message ids (null for the title).
fn hit_ids(items: &[Value], conv: &Value) -> Vec<Value> {
    own_hits(items, conv)
        .iter()
        .map(|h| h["message_id"].clone())
        .collect()
}

async fn patch(app: &TestApp, token: &str, conv: &Value, body: Value) -> reqwest::Response {
    let path = format!(
        "/api/v1/chat/conversations/{}",
        conv["id"].as_str().unwrap()
    );
    app.request(Method::PATCH, &path, Some(token))
        .json(&body)
        .send()
        .await
        .unwrap()
}

crate::both! {
    async fn search_finds_messages_and_titles_of_the_owner_only(app) {
        let me = app.token_for("seeker@example.com").await;
        let other = app.token_for("neighbour@example.com").await;
        let plans = create(&app, &me, "Volcano documentary").await;
        let older = say(&app, &me, &plans, "a red volcano erupting at night").await;
        let newer = say(&app, &me, &plans, "make the Volcano text bigger").await;
        let theirs = create(&app, &other, "volcano for me too").await;
        say(&app, &other, &theirs, "volcano volcano").await;

        let items = search(&app, &me, "volcano").await;
        assert!(items.iter().all(|h| h["conversation_id"] == plans["id"]), "another user's hits: {items:?}");
        // Newest first: the two messages, then the title (the conversation came before them).
        assert_eq!(hit_ids(&items, &plans), [newer["id"].clone(), older["id"].clone(), Value::Null]);
        let own = own_hits(&items, &plans);
        assert_eq!(own[0]["snippet"], "make the Volcano text bigger");
        assert_eq!(own[0]["role"], "user");
        assert_eq!(own[0]["title"], "Volcano documentary");
        assert!(own[0]["created_at"].as_str().unwrap() > own[1]["created_at"].as_str().unwrap());
        assert_eq!(own[2]["snippet"], "Volcano documentary");
        assert!(own[2]["role"].is_null());
        // Every word must appear; a word matches by its start.
        let both = search(&app, &me, "RED volc").await;
        assert_eq!(hit_ids(&both, &plans), [older["id"].clone()]);
        assert!(search(&app, &me, "volcano lava").await.is_empty());
        // limit applies.
        let one: Value = app.get("/api/v1/chat/search?q=volcano&limit=1", Some(&me)).await.json().await.unwrap();
        assert_eq!(one["items"].as_array().unwrap().len(), 1);
        // The other user sees only their own.
        let theirs_items = search(&app, &other, "volcano").await;
        assert_eq!(own_hits(&theirs_items, &theirs).len(), 2);
        assert!(theirs_items.iter().all(|h| h["conversation_id"] == theirs["id"]));
    }

    async fn search_snippet_is_a_short_piece_around_the_match(app) {
        let token = app.token_for("snippets@example.com").await;
        let conv = create(&app, &token, "long notes").await;
        let filler = "lorem ipsum dolor sit amet ".repeat(12);
        say(&app, &token, &conv, &format!("{filler}the chocolate cake idea {filler}")).await;
        let items = own_hits(&search(&app, &token, "chocolate").await, &conv);
        let snippet = items[0]["snippet"].as_str().unwrap();
        assert!(snippet.contains("the chocolate cake idea"), "{snippet}");
        assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
        assert!(snippet.chars().count() <= 122, "{snippet}");
    }

    async fn persian_search_ignores_arabic_letter_variants_and_zwnj(app) {
        let token = app.token_for("persian-search@example.com").await;
        let conv = create(&app, &token, "دسر").await;
        // Typed on an Arabic keyboard: ك and ي.
        let arabic = say(&app, &token, &conv, "تامبنیل كيك شكلاتي").await;
        // Typed with Persian letters.
        let persian = say(&app, &token, &conv, "آموزش کیک ساده").await;
        let zwnj = say(&app, &token, &conv, "می\u{200c}خواهم یک تامبنیل").await;
        let spaced = say(&app, &token, &conv, "می خواهم رنگ قرمز").await;

        let by_persian = search(&app, &token, "کیک").await;
        assert_eq!(hit_ids(&by_persian, &conv), [persian["id"].clone(), arabic["id"].clone()]);
        // The snippet keeps the letters as they were typed.
        assert_eq!(own_hits(&by_persian, &conv)[1]["snippet"], "تامبنیل كيك شكلاتي");
        let by_arabic = search(&app, &token, "كيك شكلاتي").await;
        assert_eq!(hit_ids(&by_arabic, &conv), [arabic["id"].clone()]);
        let by_persian_letters = search(&app, &token, "شکلاتی").await;
        assert_eq!(hit_ids(&by_persian_letters, &conv), [arabic["id"].clone()]);

        let want = [spaced["id"].clone(), zwnj["id"].clone()];
        assert_eq!(hit_ids(&search(&app, &token, "می\u{200c}خواهم").await, &conv), want);
        assert_eq!(hit_ids(&search(&app, &token, "می خواهم").await, &conv), want);
        assert_eq!(hit_ids(&search(&app, &token, "مي خواهم").await, &conv), want, "Arabic yeh");
    }

    async fn hostile_search_strings_never_break_the_server(app) {
        let token = app.token_for("hostile@example.com").await;
        let conv = create(&app, &token, "hostile strings").await;
        say(&app, &token, &conv, "it's a \"quoted\" -minus *star* NEAR(x y) OR AND NOT").await;
        let hostile = [
            "\"", "*", "NEAR(", "'", "-", "OR", "AND", "NOT", "\"unterminated", "a OR", "(", ")", "^", ":",
            "x:*", "'; DROP TABLE messages; --", "a & b | !c", "near(a b, 3)", "\\", "{}", "«»", "a\"b", "*star*",
            "title:near", "-minus", "\u{200c}", "٪", "NEAR(x y)",
        ];
        for q in hostile {
            let res = app
                .request(Method::GET, "/api/v1/chat/search", Some(&token))
                .query(&[("q", q)])
                .send()
                .await
                .unwrap();
            let status = res.status();
            assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{q:?} → {status}");
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                assert_eq!(error_code(res).await, "validation_error", "{q:?}");
            }
        }
        // Syntax is taken as words: these find the message.
        for q in ["NEAR(", "OR", "\"quoted\"", "-minus", "*star*", "it's"] {
            assert_eq!(hit_ids(&search(&app, &token, q).await, &conv).len(), 1, "{q:?}");
        }
    }

    async fn search_rejects_empty_long_and_wordless_queries_and_bad_limits(app) {
        let token = app.token_for("bad-search@example.com").await;
        let long = "a".repeat(201);
        // `q` is required: without it the query string is malformed.
        let res = app.get("/api/v1/chat/search", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_code(res).await, "bad_request");
        for path in [
            "/api/v1/chat/search?q=".to_string(),
            "/api/v1/chat/search?q=%20%20".to_string(),
            "/api/v1/chat/search?q=%22*%22".to_string(),
            format!("/api/v1/chat/search?q={long}"),
            "/api/v1/chat/search?q=cake&limit=0".to_string(),
            "/api/v1/chat/search?q=cake&limit=51".to_string(),
        ] {
            let res = app.get(&path, Some(&token)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_eq!(error_code(res).await, "validation_error");
        }
        let ok = app.get(&format!("/api/v1/chat/search?q={}", "a".repeat(200)), Some(&token)).await;
        assert_eq!(ok.status(), StatusCode::OK);
        let ok = app.get("/api/v1/chat/search?q=cake&limit=50", Some(&token)).await;
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(app.get("/api/v1/chat/search?q=cake", None).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn archived_conversations_leave_the_default_list(app) {
        let token = app.token_for("archivist@example.com").await;
        let kept = create(&app, &token, "kept").await;
        let old = create(&app, &token, "old idea").await;
        assert_eq!(old["archived"], false);
        let res = patch(&app, &token, &old, json!({"archived": true})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let view: Value = res.json().await.unwrap();
        assert_eq!((view["archived"].clone(), view["title"].clone()), (json!(true), json!("old idea")));

        let default: Value = app.get("/api/v1/chat/conversations", Some(&token)).await.json().await.unwrap();
        assert_eq!(titles(&default).await, ["kept"]);
        let archived: Value = app.get("/api/v1/chat/conversations?archived=true", Some(&token)).await.json().await.unwrap();
        assert_eq!(titles(&archived).await, ["old idea"]);
        assert_eq!(archived["items"][0]["archived"], true);
        let not_archived: Value = app.get("/api/v1/chat/conversations?archived=false", Some(&token)).await.json().await.unwrap();
        assert_eq!(titles(&not_archived).await, ["kept"]);
        // Still readable, and found by search.
        let path = format!("/api/v1/chat/conversations/{}", old["id"].as_str().unwrap());
        assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::OK);
        let hits = search(&app, &token, "idea").await;
        assert_eq!(hit_ids(&hits, &old), [Value::Null]);
        assert!(hits.iter().all(|h| h["archived"] == true));

        // Rename and unarchive at once.
        let res = patch(&app, &token, &old, json!({"archived": false, "title": "revived idea"})).await;
        let view: Value = res.json().await.unwrap();
        assert_eq!((view["archived"].clone(), view["title"].clone()), (json!(false), json!("revived idea")));
        let default: Value = app.get("/api/v1/chat/conversations", Some(&token)).await.json().await.unwrap();
        assert_eq!(titles(&default).await, ["revived idea", "kept"]);
        let archived: Value = app.get("/api/v1/chat/conversations?archived=true", Some(&token)).await.json().await.unwrap();
        assert!(archived["items"].as_array().unwrap().is_empty());

        // Nothing sent changes nothing; what is sent must be well-formed; others can't archive it.
        for body in [json!({}), json!({"title": null})] {
            let res = patch(&app, &token, &kept, body.clone()).await;
            assert_eq!(res.status(), StatusCode::OK, "{body}");
            let unchanged: Value = res.json().await.unwrap();
            assert_eq!(unchanged["title"], "kept", "{body}");
            assert_eq!(unchanged["archived"], false, "{body}");
        }
        for body in [json!({"archived": "yes"}), json!({"title": ""}), json!({"pinned": true})] {
            let res = patch(&app, &token, &kept, body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let intruder = app.token_for("archive-intruder@example.com").await;
        let res = patch(&app, &intruder, &kept, json!({"archived": true})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let default: Value = app.get("/api/v1/chat/conversations", Some(&token)).await.json().await.unwrap();
        assert_eq!(default["items"][1]["archived"], false);
    }

    async fn export_gives_messages_and_thumbnails_as_markdown_or_json(app) {
        let token = app.token_for("exporter@example.com").await;
        let conv = create(&app, &token, "Season 2: launch").await;
        let conv_id = conv["id"].as_str().unwrap();
        say(&app, &token, &conv, "gaming video, red and black").await;
        say(&app, &token, &conv, "text: NEW SEASON").await;
        let g = generated(&app, &token, json!({"prompt": "gaming video, text: NEW SEASON", "conversation_id": conv_id})).await;
        let image = g["result_url"].as_str().unwrap().to_string();
        // A generation elsewhere is not part of this conversation's export.
        let other = generated(&app, &token, json!({"prompt": "cooking video, text: PASTA"})).await;

        let path = format!("/api/v1/chat/conversations/{conv_id}/export");
        let res = app.get(&format!("{path}?format=markdown"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/markdown; charset=utf-8");
        let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.starts_with("attachment; filename=\"routix-chat-season-2-launch.md\""), "{disposition}");
        let md = res.text().await.unwrap();
        assert!(md.starts_with("# Season 2: launch\n"), "{md}");
        assert!(md.contains("**You** · "), "{md}");
        assert!(md.contains("> gaming video, red and black\n") && md.contains("> text: NEW SEASON\n"), "{md}");
        assert!(md.contains("**Routix** · "), "assistant replies are exported: {md}");
        assert!(md.contains(&format!("{image}>)")), "the image URL: {md}");
        assert!(!md.contains(other["result_url"].as_str().unwrap()), "{md}");

        let res = app.get(&format!("{path}?format=json"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/json");
        let doc: Value = res.json().await.unwrap();
        assert_eq!(doc["conversation"]["id"], conv["id"]);
        assert_eq!(doc["conversation"]["title"], "Season 2: launch");
        let messages = doc["messages"].as_array().unwrap();
        let mine: Vec<&str> = messages
            .iter()
            .filter(|m| m["role"] == "user")
            .map(|m| m["content"].as_str().unwrap())
            .collect();
        assert_eq!(mine, ["gaming video, red and black", "text: NEW SEASON"]);
        assert!(messages.iter().all(|m| m["created_at"].is_string()));
        let gens = doc["generations"].as_array().unwrap();
        assert_eq!(gens.len(), 1);
        assert_eq!(gens[0]["id"], g["id"]);
        assert_eq!(gens[0]["status"], "completed");
        let url = gens[0]["image_url"].as_str().unwrap();
        assert!(url.starts_with("http") && url.ends_with(&image), "{url} for {image}");
        assert!(gens[0]["preview_url"].as_str().unwrap().ends_with(g["preview_url"].as_str().unwrap()));

        // Markdown is the default; anything else is refused.
        let res = app.get(&path, Some(&token)).await;
        assert_eq!(res.headers()["content-type"], "text/markdown; charset=utf-8");
        let res = app.get(&format!("{path}?format=pdf"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_code(res).await, "validation_error");
    }

    async fn another_users_conversation_cannot_be_exported_or_archived(app) {
        let owner = app.token_for("export-owner@example.com").await;
        let intruder = app.token_for("export-intruder@example.com").await;
        let conv = create(&app, &owner, "secret launch").await;
        say(&app, &owner, &conv, "the secret plan").await;
        let path = format!("/api/v1/chat/conversations/{}/export", conv["id"].as_str().unwrap());
        for format in ["markdown", "json", "pdf"] {
            let res = app.get(&format!("{path}?format={format}"), Some(&intruder)).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{format}");
        }
        assert!(search(&app, &intruder, "secret").await.is_empty());
        let res = app.get(&format!("{path}?format=json"), Some(&owner)).await;
        assert_eq!(res.status(), StatusCode::OK);
        // Deleted: gone for its owner too.
        let conv_path = format!("/api/v1/chat/conversations/{}", conv["id"].as_str().unwrap());
        app.request(Method::DELETE, &conv_path, Some(&owner)).send().await.unwrap();
        assert_eq!(app.get(&path, Some(&owner)).await.status(), StatusCode::NOT_FOUND);
        assert!(search(&app, &owner, "secret").await.is_empty());
    }
}

#[tokio::test]
async fn openapi_describes_search_export_and_archive() {
    let app = TestApp::sqlite().await;
    let spec: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let paths = &spec["paths"];
    assert!(paths["/api/v1/chat/search"]["get"].is_object());
    assert!(paths["/api/v1/chat/conversations/{id}/export"]["get"].is_object());
    let params = paths["/api/v1/chat/conversations"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params.iter().any(|p| p["name"] == "archived"), "{params:?}");
    let schemas = &spec["components"]["schemas"];
    assert!(schemas["UpdateConversation"]["properties"]["archived"].is_object());
    assert!(schemas["ConversationView"]["properties"]["archived"].is_object());
    assert!(schemas["ChatSearchHit"]["properties"]["snippet"].is_object());
}
