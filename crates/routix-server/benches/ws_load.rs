//! WebSocket fan-out load test: N clients on one conversation, M broadcasts, delivery latency
//! and server memory per connection, beside the old 5-second polling.
//!
//! `cargo bench -p routix-server --bench ws_load -- [connections] [messages]`
//! (defaults 10000 and 20). The server runs in a child process (this same binary with
//! ROUTIX_BENCH_ROLE=server) so its memory is measured alone.

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
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let connections: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let messages: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    raise_fd_limit(connections * 2 + 1024);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(drive(connections, messages));
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

async fn drive(connections: usize, messages: usize) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .env("ROUTIX_BENCH_ROLE", "server")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(p) = line.strip_prefix("PORT ") {
            break p.parse().unwrap();
        }
    };
    let base = format!("http://127.0.0.1:{port}");
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
    let conv: Value = http
        .post(format!("{base}/api/v1/chat/conversations"))
        .bearer_auth(&token)
        .json(&json!({"title": "bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conv = conv["id"].as_str().unwrap().to_string();
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
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };

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
        "delivery latency p50:       {:.1} ms",
        pct(0.50).as_secs_f64() * 1e3
    );
    println!(
        "delivery latency p99:       {:.1} ms",
        pct(0.99).as_secs_f64() * 1e3
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
