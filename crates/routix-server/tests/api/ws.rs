//! The WebSocket protocol with a real client (tokio-tungstenite).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{protocol::frame::coding::CloseCode, Message};

use crate::helpers::{Backend, TestApp};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn conversation(app: &TestApp, token: &str) -> String {
    let res = app
        .post_json(
            "/api/v1/chat/conversations",
            Some(token),
            json!({"title": "live"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    c["id"].as_str().unwrap().to_string()
}

async fn connect(app: &TestApp, query: &str, conversation: &str) -> Socket {
    let url = format!("ws://{}/api/v1/ws/chat/{conversation}?{query}", app.addr);
    tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade")
        .0
}

/// The next JSON event, skipping pings; panics after 5 s.
async fn next(ws: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .expect("socket open")
            .expect("frame");
        match frame {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Waits for the next event of `kind`, skipping others.
async fn next_of(ws: &mut Socket, kind: &str) -> Value {
    loop {
        let e = next(ws).await;
        if e["type"] == kind {
            return e;
        }
    }
}

async fn closed_with(ws: &mut Socket) -> CloseCode {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("closed within 5 s");
        match frame {
            Some(Ok(Message::Close(Some(f)))) => return f.code,
            Some(Ok(Message::Close(None))) | None => panic!("closed without a code"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error instead of a close frame: {e}"),
        }
    }
}

async fn send(ws: &mut Socket, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

crate::both! {
    async fn chat_is_stored_then_broadcast_with_an_assistant_reply(app) {
        let token = app.token_for("ws@example.com").await;
        let conv = conversation(&app, &token).await;
        let mut a = connect(&app, &format!("token={token}"), &conv).await;
        let hello = next(&mut a).await;
        assert_eq!(hello, json!({"type": "connection", "status": "connected", "conversation_id": conv}));
        let mut b = connect(&app, &format!("token={token}"), &conv).await;
        next(&mut b).await;

        send(&mut a, json!({"type": "chat", "content": "gaming video, red and black, text: NEW SEASON", "metadata": {"client": "test"}})).await;
        for ws in [&mut a, &mut b] {
            let m = next_of(ws, "message").await;
            assert_eq!(m["message"]["role"], "user");
            assert_eq!(m["message"]["content"], "gaming video, red and black, text: NEW SEASON");
            assert_eq!(m["message"]["conversation_id"], conv);
            assert!(m["message"]["id"].is_string() && m["message"]["created_at"].is_string());
            let reply = next_of(ws, "message").await;
            assert_eq!(reply["message"]["role"], "assistant");
            assert!(reply["message"]["content"].as_str().unwrap().to_lowercase().contains("gaming"), "{reply}");
        }
        // Stored: the REST history has both.
        let history: Value = app
            .get(&format!("/api/v1/chat/conversations/{conv}/messages"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(history["items"].as_array().unwrap().len(), 2);
    }

    async fn typing_and_disconnect_reach_the_others_only(app) {
        let token = app.token_for("typist@example.com").await;
        let conv = conversation(&app, &token).await;
        let mut a = connect(&app, &format!("token={token}"), &conv).await;
        next(&mut a).await;
        let mut b = connect(&app, &format!("token={token}"), &conv).await;
        next(&mut b).await;
        send(&mut a, json!({"type": "typing", "is_typing": true})).await;
        let t = next(&mut b).await;
        assert_eq!(t["type"], "typing");
        assert_eq!(t["is_typing"], true);
        assert!(t["user_id"].is_string());
        // `a` does not hear its own typing: the next thing it gets is the pong.
        send(&mut a, json!({"type": "ping"})).await;
        assert_eq!(next(&mut a).await["type"], "pong");
        a.close(None).await.unwrap();
        let gone = next(&mut b).await;
        assert_eq!(gone["type"], "user_disconnected");
    }

    async fn bad_messages_get_errors_and_the_socket_stays_open(app) {
        let token = app.token_for("sloppy@example.com").await;
        let conv = conversation(&app, &token).await;
        let mut ws = connect(&app, &format!("token={token}"), &conv).await;
        next(&mut ws).await;
        for (frame, code) in [
            ("{not json".to_string(), "invalid_json"),
            (json!({"type": "dance"}).to_string(), "unknown_type"),
            (json!({"type": "chat"}).to_string(), "missing_field"),
            (json!({"content": "hi"}).to_string(), "missing_field"),
            (json!({"type": "typing"}).to_string(), "missing_field"),
            (json!({"type": "chat", "content": "   "}).to_string(), "invalid_message"),
        ] {
            ws.send(Message::Text(frame.clone().into())).await.unwrap();
            let e = next(&mut ws).await;
            assert_eq!((e["type"].as_str(), e["code"].as_str()), (Some("error"), Some(code)), "{frame}");
            assert!(e["message"].is_string());
        }
        send(&mut ws, json!({"type": "ping"})).await;
        assert_eq!(next(&mut ws).await["type"], "pong", "still open");
    }

    async fn reconnect_with_since_replays_missed_messages(app) {
        let token = app.token_for("late@example.com").await;
        let conv = conversation(&app, &token).await;
        let path = format!("/api/v1/chat/conversations/{conv}/messages");
        let first: Value = app.post_json(&path, Some(&token), json!({"content": "first"})).await.json().await.unwrap();
        let seen = first["reply"]["id"].as_str().or(first["message"]["id"].as_str()).unwrap().to_string();
        app.post_json(&path, Some(&token), json!({"content": "while you were away"})).await;
        let mut ws = connect(&app, &format!("token={token}&since={seen}"), &conv).await;
        assert_eq!(next(&mut ws).await["type"], "connection");
        let missed = next(&mut ws).await;
        assert_eq!(missed["type"], "message");
        assert_eq!(missed["message"]["content"], "while you were away");
    }
}

#[tokio::test]
async fn bad_credentials_and_foreign_conversations_close_with_1008() {
    let app = TestApp::sqlite().await;
    let owner = app.token_for("owner-ws@example.com").await;
    let other = app.token_for("other-ws@example.com").await;
    let conv = conversation(&app, &owner).await;
    for query in [
        String::new(),
        "token=garbage".to_string(),
        format!("token={other}"),
    ] {
        let mut ws = connect(&app, &query, &conv).await;
        assert_eq!(closed_with(&mut ws).await, CloseCode::Policy, "{query}");
    }
    let mut ws = connect(
        &app,
        &format!("token={owner}"),
        "00000000-0000-7000-8000-000000000000",
    )
    .await;
    assert_eq!(closed_with(&mut ws).await, CloseCode::Policy);
}

#[tokio::test]
async fn tickets_work_once() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("ticket@example.com").await;
    let conv = conversation(&app, &token).await;
    let t: Value = app
        .post_json("/api/v1/ws/ticket", Some(&token), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let ticket = t["ticket"].as_str().unwrap();
    let mut ws = connect(&app, &format!("ticket={ticket}"), &conv).await;
    assert_eq!(next(&mut ws).await["type"], "connection");
    let mut again = connect(&app, &format!("ticket={ticket}"), &conv).await;
    assert_eq!(
        closed_with(&mut again).await,
        CloseCode::Policy,
        "a ticket is single-use"
    );
    // A ticket is not an access token, nor the reverse.
    assert_eq!(
        app.get("/api/v1/users/me", Some(ticket)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mut wrong = connect(&app, &format!("ticket={token}"), &conv).await;
    assert_eq!(closed_with(&mut wrong).await, CloseCode::Policy);
}

#[tokio::test]
async fn oversize_frames_close_with_1009() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("big-ws@example.com").await;
    let conv = conversation(&app, &token).await;
    let mut ws = connect(&app, &format!("token={token}"), &conv).await;
    next(&mut ws).await;
    let huge = json!({"type": "chat", "content": "x".repeat(40_000)}).to_string();
    ws.send(Message::Text(huge.into())).await.unwrap();
    assert_eq!(closed_with(&mut ws).await, CloseCode::Size);
}

#[tokio::test]
async fn flooding_is_refused_per_connection() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("flood@example.com").await;
    let conv = conversation(&app, &token).await;
    let mut ws = connect(&app, &format!("token={token}"), &conv).await;
    next(&mut ws).await;
    for _ in 0..25 {
        send(&mut ws, json!({"type": "ping"})).await;
    }
    let mut limited = false;
    for _ in 0..25 {
        let e = next(&mut ws).await;
        if e["code"] == "rate_limited" {
            limited = true;
            break;
        }
    }
    assert!(limited, "the 21st message in 10 s is refused");
}

#[tokio::test]
async fn an_expiring_token_ends_the_connection() {
    let app = TestApp::spawn(Backend::Sqlite, &[]).await;
    let tokens = app.signed_up("short@example.com").await;
    let token = tokens["access_token"].as_str().unwrap();
    let conv = conversation(&app, token).await;
    // A token valid for two more seconds, signed with the server's key.
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": tokens["user"]["id"], "iat": now, "exp": now + 2, "typ": "access", "role": "user", "jti": "short"});
    let short = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(crate::auth::SECRET.as_bytes()),
    )
    .unwrap();
    let mut ws = connect(&app, &format!("token={short}"), &conv).await;
    assert_eq!(next(&mut ws).await["type"], "connection");
    assert_eq!(closed_with(&mut ws).await, CloseCode::Policy);
}

#[tokio::test]
async fn server_shutdown_closes_sockets_with_1001() {
    let mut app = TestApp::sqlite().await;
    let token = app.token_for("bye-ws@example.com").await;
    let conv = conversation(&app, &token).await;
    let mut ws = connect(&app, &format!("token={token}"), &conv).await;
    next(&mut ws).await;
    app.shutdown();
    assert_eq!(closed_with(&mut ws).await, CloseCode::Away);
}

#[tokio::test]
async fn dead_peers_are_reaped_by_the_heartbeat() {
    let app = TestApp::spawn(Backend::Sqlite, &[("WS_PING_SECONDS", "1")]).await;
    let token = app.token_for("ghost@example.com").await;
    let conv = conversation(&app, &token).await;
    // A raw TCP client that completes the upgrade and then never answers anything.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let req = format!(
        "GET /api/v1/ws/chat/{conv}?token={token} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        app.addr
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    // Read until the server closes the connection; it must within a few seconds.
    let mut buf = vec![0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(8), async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => continue,
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true), "the silent peer was dropped");
}

#[tokio::test]
async fn a_client_that_never_reads_does_not_slow_the_others() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("lazy@example.com").await;
    let conv = conversation(&app, &token).await;
    let _lazy = connect(&app, &format!("token={token}"), &conv).await; // never read
    let mut eager = connect(&app, &format!("token={token}"), &conv).await;
    next(&mut eager).await;
    let path = format!("/api/v1/chat/conversations/{conv}/messages");
    for i in 0..40 {
        app.post_json(
            &path,
            Some(&token),
            json!({"content": format!("flood {i} {}", "x".repeat(2000))}),
        )
        .await;
    }
    let mut got = 0;
    while got < 40 {
        let m = next_of(&mut eager, "message").await;
        if m["message"]["role"] == "user" {
            got += 1;
        }
    }
}

#[tokio::test]
async fn losing_redis_degrades_to_local_fan_out() {
    // A Redis of our own, so the test can take it away.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Ok(mut redis) = std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is required in CI"
        );
        return;
    };
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let url = format!("redis://127.0.0.1:{port}");
    let app = TestApp::spawn(Backend::Sqlite, &[("REDIS_URL", url.as_str())]).await;
    assert!(
        app.state.events.shared(),
        "events travel through Redis while it is up"
    );
    let token = app.token_for("fragile@example.com").await;
    let conv = conversation(&app, &token).await;
    let mut ws = connect(&app, &format!("token={token}"), &conv).await;
    next(&mut ws).await;
    let _ = redis.kill();
    let _ = redis.wait();
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(&mut ws, json!({"type": "chat", "content": "still here?"})).await;
    let m = next_of(&mut ws, "message").await;
    assert_eq!(m["message"]["content"], "still here?");
    assert_eq!(app.get("/health", None).await.status(), StatusCode::OK);
}
