//! Queue pickup latency and basic-generation throughput, on SQLite and (when it answers)
//! PostgreSQL: `cargo bench -p routix-server --bench queue -- [jobs]` (default 60).
//! Jobs are queued through the API as fast as it accepts them; the in-process worker (2 slots)
//! runs them with the offline compositor.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};

fn main() {
    let jobs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        run("sqlite", None, jobs).await;
        let admin = "postgres://postgres@127.0.0.1:5432/postgres";
        match PgConnection::connect(admin).await {
            Ok(mut c) => {
                let name = format!("routix_bench_{}", std::process::id());
                c.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap();
                run(
                    "postgres",
                    Some(format!("postgres://postgres@127.0.0.1:5432/{name}")),
                    jobs,
                )
                .await;
                let _ = c
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
            }
            Err(_) => println!("postgres: not reachable, skipped"),
        }
    });
}

async fn run(label: &str, database_url: Option<String>, jobs: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut vars = HashMap::new();
    vars.insert(
        "ROUTIX_DATA_DIR".to_string(),
        dir.path().display().to_string(),
    );
    vars.insert(
        "SECRET_KEY".to_string(),
        "bench-secret-0123456789abcdef-0123456789".to_string(),
    );
    vars.insert("RATE_LIMIT_PER_MINUTE".to_string(), "1000000".to_string());
    vars.insert(
        "RATE_LIMIT_USER_PER_MINUTE".to_string(),
        "1000000".to_string(),
    );
    vars.insert("FREE_CREDITS".to_string(), "100000".to_string());
    vars.insert("WORKER_CONCURRENCY".to_string(), "2".to_string());
    if let Some(url) = database_url {
        vars.insert("DATABASE_URL".to_string(), url);
    }
    vars.insert("BANK_SEED".to_string(), "false".to_string());
    let settings = routix_server::Settings::load(
        &routix_server::Vars::from_map(vars),
        Some("127.0.0.1:0".parse().unwrap()),
    )
    .unwrap();
    let app = routix_server::Application::build(settings).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let http = reqwest::Client::new();
    let tokens: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"email": "bench@example.com", "password": "bench password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let started = Instant::now();
    for i in 0..jobs {
        let res = http
            .post(format!("{base}/api/v1/generations"))
            .bearer_auth(&token)
            .json(&json!({"prompt": format!("gaming video {i}, red and black, text: EPISODE {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    let user: routix_store::UserId = tokens["user"]["id"].as_str().unwrap().parse().unwrap();
    let filter = routix_store::generations::GenerationFilter {
        status: Some(routix_core::GenerationStatus::Completed),
        ..Default::default()
    };
    loop {
        let done = state
            .db
            .list_generations(Some(user), &filter, None, 100)
            .await
            .unwrap();
        if done.items.len() >= jobs.min(100) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    let all = state
        .db
        .list_generations(Some(user), &filter, None, 100)
        .await
        .unwrap()
        .items;
    let mut pickups: Vec<f64> = Vec::new();
    let mut durations: Vec<f64> = Vec::new();
    for g in &all {
        if let (Some(s), Some(f)) = (g.started_at, g.finished_at) {
            durations.push((f - s).num_microseconds().unwrap_or(0) as f64 / 1000.0);
        }
    }
    // Pickup latency measured on the first job (nothing ahead of it in the queue).
    if let Some(first) = all.iter().min_by_key(|g| g.created_at) {
        if let Some(s) = first.started_at {
            pickups.push((s - first.created_at).num_microseconds().unwrap_or(0) as f64 / 1000.0);
        }
    }
    durations.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = durations.get(durations.len() / 2).copied().unwrap_or(0.0);
    println!(
        "{label}: {jobs} basic generations in {:.1} s = {:.2} jobs/s (2 worker slots); pickup of an idle queue {:.1} ms; median job {:.0} ms",
        elapsed.as_secs_f64(),
        jobs as f64 / elapsed.as_secs_f64(),
        pickups.first().copied().unwrap_or(0.0),
        median
    );
}
