//! Scale-out: two `serve` instances and a standalone worker sharing PostgreSQL and Redis.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{redis_available, service_missing, Backend, TestApp, REDIS_URL};

async fn next_of(ws: &mut crate::ws::Socket, kind: &str) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("an event within 20 s")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = frame {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == kind {
                return v;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_instances_and_a_standalone_workers_progress_arrives() {
    if !redis_available().await {
        service_missing("Redis");
        return;
    }
    let prefix = format!("routix-multi-{}", uuid::Uuid::new_v4().simple());
    let shared = [
        ("REDIS_URL", REDIS_URL),
        ("REDIS_KEY_PREFIX", prefix.as_str()),
        // Neither server runs jobs: the standalone worker below does.
        ("WORKER_CONCURRENCY", "0"),
    ];
    let Some(first) = TestApp::postgres_with(&shared).await else {
        return;
    };
    let url = first.database_url();
    let mut vars = shared.to_vec();
    vars.push(("DATABASE_URL", url.as_str()));
    let data = first.data_dir.path().display().to_string();
    vars.push(("ROUTIX_DATA_DIR", data.as_str()));
    let second = TestApp::spawn(Backend::Sqlite, &vars).await;

    let token = first.token_for("everywhere@example.com").await;
    let conv: Value = first
        .post_json(
            "/api/v1/chat/conversations",
            Some(&token),
            json!({"title": "two servers"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let conv = conv["id"].as_str().unwrap();
    let connect = |app: &TestApp| format!("ws://{}/api/v1/ws/chat/{conv}?token={token}", app.addr);
    let (mut on_first, _) = tokio_tungstenite::connect_async(connect(&first))
        .await
        .unwrap();
    let (mut on_second, _) = tokio_tungstenite::connect_async(connect(&second))
        .await
        .unwrap();
    next_of(&mut on_first, "connection").await;
    next_of(&mut on_second, "connection").await;

    on_first
        .send(Message::Text(
            json!({"type": "chat", "content": "hello from instance one"})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let m = next_of(&mut on_second, "message").await;
    assert_eq!(m["message"]["content"], "hello from instance one");

    // A standalone worker (its own process role) runs a job queued through instance two.
    let settings = routix_server::Settings::load(
        &routix_server::Vars::from_map(
            vars.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        None,
    )
    .unwrap();
    let (worker, _db) = routix_server::app::standalone_worker(&settings, 1)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handles = worker.spawn(stopped);
    let g: Value = second
        .post_json(
            "/api/v1/generations",
            Some(&token),
            json!({"prompt": "music video, neon", "conversation_id": conv}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = g["id"].as_str().unwrap();
    let mut stages_seen = Vec::new();
    loop {
        let e = next_of(&mut on_first, "generation").await;
        assert_eq!(e["generation"]["id"], id);
        stages_seen.push(e["generation"]["stage"].as_u64().unwrap());
        if e["generation"]["status"] == "completed" {
            break;
        }
        assert_ne!(e["generation"]["status"], "failed", "{e}");
    }
    assert!(
        stages_seen.contains(&3) && stages_seen.contains(&5),
        "{stages_seen:?}"
    );
    let _ = stop.send(true);
    for h in handles {
        let _ = h.await;
    }
}
