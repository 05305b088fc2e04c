//! WebSocket load: delivery latency and server memory per connection.
//!
//! `cargo bench -p routix-server --bench ws_load -- [connections] [messages]` (defaults
//! 10000 and 20): fan-out, N clients on one conversation and M broadcasts, beside the old
//! 5-second polling.
//!
//! `cargo bench -p routix-server --bench ws_load -- latency [idle] [messages] [processes]
//! [pace_ms]` (defaults 10000, 200, 1, 0): with `idle` authenticated connections open and
//! silent on other conversations, the delivery time of chat messages between two sockets of
//! one conversation and of generations' stage events (`messages / 10` generations, all
//! requested at once, or one every `pace_ms`). With 2 processes the two sockets sit on
//! different servers sharing PostgreSQL (127.0.0.1) and Redis, so every delivery crosses Redis.
//!
//! Servers run in child processes (this same binary with ROUTIX_BENCH_ROLE=server) so their
//! memory is measured alone.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

fn main() {
    if std::env::var("ROUTIX_BENCH_ROLE").as_deref() == Ok("server") {
        return serve();
    }
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let latency = args.first().is_some_and(|a| a == "latency");
    if latency {
        args.remove(0);
    }
    let number =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let connections = number(0, 10_000);
    raise_fd_limit(connections * 2 + 1024);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if latency {
        rt.block_on(latency_under_load(
            connections,
            number(1, 200),
            number(2, 1),
            Duration::from_millis(number(3, 0) as u64),
        ));
    } else {
        rt.block_on(drive(connections, number(1, 20)));
    }
}

/// Child process: the real server on a random port, SQLite in a temp dir.
fn serve() {
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
    vars.insert("RATE_LIMIT_PER_MINUTE".to_string(), "100000000".to_string());
    vars.insert(
        "RATE_LIMIT_USER_PER_MINUTE".to_string(),
        "100000000".to_string(),
    );
    vars.insert("WORKER_CONCURRENCY".to_string(), "0".to_string());
    vars.insert("BANK_SEED".to_string(), "false".to_string());
    // The parent may set more (database, Redis, workers, credits) as ROUTIX_BENCH_SET_<NAME>.
    for (key, value) in std::env::vars() {
        if let Some(name) = key.strip_prefix("ROUTIX_BENCH_SET_") {
            vars.insert(name.to_string(), value);
        }
    }
    let settings = routix_server::Settings::load(
        &routix_server::Vars::from_map(vars),
        Some("127.0.0.1:0".parse().unwrap()),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let app = routix_server::Application::build(settings).await.unwrap();
        println!("PORT {}", app.local_addr().port());
        app.run_until(std::future::pending()).await.unwrap();
    });
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Warns when the open-file limit is too low for the requested connections.
fn raise_fd_limit(wanted: usize) {
    let limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(3)
                        .and_then(|v| v.parse::<usize>().ok())
                })
        })
        .unwrap_or(0);
    if limit < wanted {
        eprintln!("note: open-file limit {limit} < {wanted}; run `ulimit -n {wanted}` first for this many connections");
    }
}

/// Starts a server child with extra settings; its pid and port.
fn spawn_server(settings: &[(&str, &str)]) -> (std::process::Child, u16) {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new(exe);
    command
        .env("ROUTIX_BENCH_ROLE", "server")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in settings {
        command.env(format!("ROUTIX_BENCH_SET_{name}"), value);
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(p) = line.strip_prefix("PORT ") {
            break p.parse().unwrap();
        }
    };
    (child, port)
}

async fn drive(connections: usize, messages: usize) {
    let (mut child, port) = spawn_server(&[]);
    let pid = child.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let token = register(&http, &base, "bench@example.com").await;
    let conv = conversation(&http, &base, &token).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = rss_kib(pid);

    // Open the connections, a few hundred at a time.
    let url = format!("ws://127.0.0.1:{port}/api/v1/ws/chat/{conv}?token={token}");
    let started = Instant::now();
    let mut sockets = Vec::with_capacity(connections);
    for chunk in (0..connections).collect::<Vec<_>>().chunks(250) {
        let opened = futures::future::join_all(
            chunk
                .iter()
                .map(|_| tokio_tungstenite::connect_async(url.clone())),
        )
        .await;
        for ws in opened {
            match ws {
                Ok((mut ws, _)) => {
                    let _hello = ws.next().await;
                    sockets.push(ws);
                }
                Err(e) => {
                    eprintln!("connection failed after {}: {e}", sockets.len());
                    break;
                }
            }
        }
    }
    let open = sockets.len();
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = rss_kib(pid);

    // Every client records when each broadcast reaches it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    let mut readers = Vec::new();
    for ws in sockets {
        let tx = tx.clone();
        readers.push(tokio::spawn(async move {
            let (_sink, mut stream) = ws.split();
            while let Some(Ok(frame)) = stream.next().await {
                if let Message::Text(t) = frame {
                    if let Ok(v) = serde_json::from_str::<Value>(t.as_str()) {
                        if v["type"] == "message" && v["message"]["role"] == "user" {
                            if let Some(n) = v["message"]["content"]
                                .as_str()
                                .and_then(|c| c.strip_prefix("bench "))
                                .and_then(|n| n.parse().ok())
                            {
                                let _ = tx.send((n, Instant::now()));
                            }
                        }
                    }
                }
            }
        }));
    }
    drop(tx);
    let mut sent_at = Vec::new();
    let (mut sender, _) = tokio_tungstenite::connect_async(url.clone()).await.unwrap();
    let _ = sender.next().await;
    let mut latencies: Vec<Duration> = Vec::with_capacity(open * messages);
    for n in 0..messages {
        sent_at.push(Instant::now());
        sender
            .send(Message::Text(
                json!({"type": "chat", "content": format!("bench {n}")})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
        // Collect this round's deliveries before the next broadcast.
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut got = 0;
        while got < open && Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                Ok(Some((i, at))) if i < sent_at.len() => {
                    latencies.push(at - sent_at[i]);
                    if i == n {
                        got += 1;
                    }
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
    }
    // The old client polled GET messages every 5 s: a message waits half an interval on
    // average, plus the poll itself.
    let poll_started = Instant::now();
    let rounds = 20;
    for _ in 0..rounds {
        http.get(format!(
            "{base}/api/v1/chat/conversations/{conv}/messages?limit=50"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    }
    let poll_rtt = poll_started.elapsed() / rounds;

    println!(
        "connections open:           {open} (in {:.1} s)",
        connect_time.as_secs_f64()
    );
    println!(
        "broadcasts:                 {messages}, deliveries measured: {}",
        latencies.len()
    );
    println!(
        "delivery latency:           {}",
        percentiles(&mut latencies)
    );
    println!(
        "server memory per connection: {:.1} KiB (RSS {} -> {} KiB)",
        (rss_after.saturating_sub(rss_before)) as f64 / open.max(1) as f64,
        rss_before,
        rss_after
    );
    println!(
        "old 5 s polling mean latency: {:.0} ms (2500 ms average wait + {:.1} ms per poll)",
        2500.0 + poll_rtt.as_secs_f64() * 1e3,
        poll_rtt.as_secs_f64() * 1e3
    );
    let _ = child.kill();
    let _ = child.wait();
    for r in readers {
        r.abort();
    }
}

async fn register(http: &reqwest::Client, base: &str, email: &str) -> String {
    let tokens: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"email": email, "password": "bench password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"]
        .as_str()
        .expect("registered")
        .to_string()
}

async fn conversation(http: &reqwest::Client, base: &str, token: &str) -> String {
    let conv: Value = http
        .post(format!("{base}/api/v1/chat/conversations"))
        .bearer_auth(token)
        .json(&json!({"title": "bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    conv["id"].as_str().unwrap().to_string()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket on a conversation, past its hello frame.
async fn open_socket(port: u16, conv: &str, token: &str) -> Option<Socket> {
    let url = format!("ws://127.0.0.1:{port}/api/v1/ws/chat/{conv}?token={token}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    ws.next().await?.ok()?;
    Some(ws)
}

/// "p50 … ms, p99 … ms (n samples)".
fn percentiles(samples: &mut [Duration]) -> String {
    samples.sort();
    let at = |p: f64| {
        samples
            .get(((samples.len() as f64 * p) as usize).min(samples.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    };
    format!(
        "p50 {:.1} ms, p99 {:.1} ms ({} samples)",
        at(0.5),
        at(0.99),
        samples.len()
    )
}

/// A fresh PostgreSQL database for the two-process run, dropped afterwards.
struct BenchDatabase {
    name: String,
}

const ADMIN_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl BenchDatabase {
    async fn create() -> BenchDatabase {
        use sqlx::{Connection, Executor};
        let name = format!("routix_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(ADMIN_PG_URL)
            .await
            .expect("two processes need PostgreSQL on 127.0.0.1:5432");
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await
            .unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        BenchDatabase { name }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }

    async fn drop_it(self) {
        use sqlx::{Connection, Executor};
        if let Ok(mut admin) = sqlx::PgConnection::connect(ADMIN_PG_URL).await {
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await;
        }
    }
}

/// Idle connections open, then chat and generation-event delivery times between sockets
/// on one server (`processes` = 1) or across two servers over Redis (2).
async fn latency_under_load(idle: usize, messages: usize, processes: usize, pace: Duration) {
    let database = if processes > 1 {
        Some(BenchDatabase::create().await)
    } else {
        None
    };
    let prefix = format!("routix-bench-{}", std::process::id());
    let mut shared: Vec<(&str, String)> = vec![("FREE_CREDITS", "100000".into())];
    if let Some(db) = &database {
        shared.push(("DATABASE_URL", db.url()));
        shared.push(("REDIS_URL", "redis://127.0.0.1:6379".into()));
        shared.push(("REDIS_KEY_PREFIX", prefix.clone()));
    }
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut all: Vec<(&str, &str)> = shared.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(extra);
        all
    };
    // The first server holds the idle crowd and the senders and runs the jobs; with two
    // processes the receivers sit on the second, which runs none.
    let (first, first_port) = spawn_server(&with(&[("WORKER_CONCURRENCY", "2")]));
    let mut children = vec![first];
    let receive_port = if processes > 1 {
        let (second, port) = spawn_server(&with(&[("WORKER_CONCURRENCY", "0")]));
        children.push(second);
        port
    } else {
        first_port
    };
    let base = format!("http://127.0.0.1:{first_port}");
    let http = reqwest::Client::new();

    // The idle crowd: 100 connections per account, each account on its own conversation.
    let started = Instant::now();
    let per_account = 100;
    let mut idle_sockets = Vec::with_capacity(idle);
    for account in 0..idle.div_ceil(per_account) {
        let token = register(&http, &base, &format!("idle{account}@example.com")).await;
        let conv = conversation(&http, &base, &token).await;
        let wanted = per_account.min(idle - idle_sockets.len());
        let opened =
            futures::future::join_all((0..wanted).map(|_| open_socket(first_port, &conv, &token)))
                .await;
        idle_sockets.extend(opened.into_iter().flatten());
    }
    let open = idle_sockets.len();
    println!(
        "idle connections open:      {open} in {:.1} s ({} process{})",
        started.elapsed().as_secs_f64(),
        processes.min(2),
        if processes > 1 { "es over Redis" } else { "" }
    );
    // Keep them alive and drain whatever reaches them (pings), off the measured path.
    let idle_tasks: Vec<_> = idle_sockets
        .into_iter()
        .map(|ws| tokio::spawn(async move { ws.for_each(|_| async {}).await }))
        .collect();

    // Chat: a conversation with a receiver and a few senders (each socket may send 20
    // messages per 10 s), one message every 20 ms.
    let token = register(&http, &base, "alice@example.com").await;
    let conv = conversation(&http, &base, &token).await;
    let receiver = open_socket(receive_port, &conv, &token)
        .await
        .expect("receiver");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant, Option<Value>)>();
    let reader = {
        let tx = tx.clone();
        tokio::spawn(async move {
            let (_sink, mut stream) = receiver.split();
            while let Some(Ok(frame)) = stream.next().await {
                let now = Instant::now();
                if let Message::Text(t) = frame {
                    if let Ok(v) = serde_json::from_str::<Value>(t.as_str()) {
                        match v["type"].as_str() {
                            Some("message") => {
                                let content =
                                    v["message"]["content"].as_str().unwrap_or("").to_string();
                                let _ = tx.send((content, now, None));
                            }
                            Some("generation") => {
                                let _ =
                                    tx.send((String::new(), now, Some(v["generation"].clone())));
                            }
                            _ => {}
                        }
                    }
                }
            }
        })
    };
    let mut senders = Vec::new();
    for _ in 0..(messages / 15 + 1) {
        senders.push(
            open_socket(first_port, &conv, &token)
                .await
                .expect("sender"),
        );
    }
    let mut sent_at = HashMap::new();
    let mut chat = Vec::with_capacity(messages);
    for n in 0..messages {
        let content = format!("lat {n}");
        sent_at.insert(content.clone(), Instant::now());
        let count = senders.len();
        senders[n % count]
            .send(Message::Text(
                json!({"type": "chat", "content": content})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Ok((content, at, _)) = rx.try_recv() {
            if let Some(sent) = sent_at.remove(&content) {
                chat.push(at - sent);
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sent_at.is_empty() && Instant::now() < deadline {
        if let Ok(Some((content, at, _))) =
            tokio::time::timeout(Duration::from_secs(1), rx.recv()).await
        {
            if let Some(sent) = sent_at.remove(&content) {
                chat.push(at - sent);
            }
        }
    }
    println!(
        "chat delivery:              {} ({} lost)",
        percentiles(&mut chat),
        sent_at.len()
    );

    // Generations: every stage event's time from its `updated_at` (written just before it
    // is published) to its arrival. Same machine, same clock.
    let generations = (messages / 10).max(5);
    let wall = Instant::now();
    let wall_utc = chrono::Utc::now();
    // By kind: the creation (`queued`: twenty requests of one account at once, each
    // reserving credits from the same balance), the stage transitions while a job runs, and
    // the completion (written with the settlement).
    let (mut created, mut stage_events, mut completed) = (Vec::new(), Vec::new(), Vec::new());
    let mut finished = 0;
    for _ in 0..generations {
        // All at once by default; with a pace, one request every `pace` as creators send them.
        tokio::time::sleep(pace).await;
        let res = http
            .post(format!("{base}/api/v1/generations"))
            .bearer_auth(&token)
            .json(&json!({"prompt": "gaming video, red and black, text: NEW SEASON", "algorithm": "basic", "conversation_id": conv}))
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "generation refused: {}",
            res.status()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    while finished < generations && Instant::now() < deadline {
        let Ok(Some((_, at, Some(g)))) =
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
        else {
            continue;
        };
        let Some(updated) = g["updated_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        else {
            continue;
        };
        // Place the server's timestamp on this process's monotonic clock.
        let since_start = (updated.with_timezone(&chrono::Utc) - wall_utc)
            .to_std()
            .unwrap_or_default();
        let delay = (at - wall).saturating_sub(since_start);
        match g["status"].as_str() {
            Some("queued") => created.push(delay),
            Some("completed" | "failed") => {
                completed.push(delay);
                finished += 1;
            }
            _ => stage_events.push(delay),
        }
    }
    println!(
        "generation stage events:    {} over {generations} generations ({finished} finished)",
        percentiles(&mut stage_events)
    );
    println!("  creation (queued):        {}", percentiles(&mut created));
    println!(
        "  completion:               {}",
        percentiles(&mut completed)
    );

    drop(tx);
    reader.abort();
    for task in idle_tasks {
        task.abort();
    }
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Some(db) = database {
        db.drop_it().await;
    }
}
