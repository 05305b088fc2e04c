//! The event bus: conversation messages, typing and generation progress, fanned out to
//! whoever listens on a topic (`conversation:{id}`, `user:{id}`). In one process it is a set
//! of broadcast channels. With Redis, events are published to Redis and every process —
//! `routix serve` instances and standalone `routix worker`s — delivers what it receives to its
//! own listeners, so a client on one instance sees events made on another. If Redis goes
//! away, events are delivered locally and a warning is logged; it never takes a process down.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use futures::StreamExt;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;

/// One serialized event, shared by every listener without copying. `origin` names the
/// connection that caused it (if any), so that connection can skip its own echo.
#[derive(Debug, Clone)]
pub struct Payload {
    pub origin: Option<Arc<str>>,
    pub json: Arc<str>,
}

/// Separates origin from JSON on the Redis wire (never appears in JSON text unescaped).
const SEP: char = '\u{1f}';

impl Payload {
    fn to_wire(&self) -> String {
        format!("{}{SEP}{}", self.origin.as_deref().unwrap_or(""), self.json)
    }

    fn from_wire(text: &str) -> Option<Payload> {
        let (origin, json) = text.split_once(SEP)?;
        Some(Payload {
            origin: (!origin.is_empty()).then(|| Arc::from(origin)),
            json: Arc::from(json),
        })
    }
}

const CHANNEL_CAPACITY: usize = 256;

#[derive(Clone)]
pub struct EventBus(Arc<Inner>);

struct Inner {
    local: Mutex<HashMap<String, broadcast::Sender<Payload>>>,
    redis: Option<RedisLink>,
}

struct RedisLink {
    publisher: ConnectionManager,
    prefix: String,
    /// True while the subscriber loop is connected: only then is Redis the delivery path.
    subscribed: Arc<AtomicBool>,
}

impl EventBus {
    /// In-process fan-out only.
    pub fn local() -> EventBus {
        EventBus(Arc::new(Inner {
            local: Mutex::new(HashMap::new()),
            redis: None,
        }))
    }

    /// Fan-out through Redis pub/sub; `publisher` is an established connection.
    pub async fn with_redis(url: &str, publisher: ConnectionManager, prefix: &str) -> EventBus {
        let subscribed = Arc::new(AtomicBool::new(false));
        let bus = EventBus(Arc::new(Inner {
            local: Mutex::new(HashMap::new()),
            redis: Some(RedisLink {
                publisher,
                prefix: prefix.to_string(),
                subscribed: subscribed.clone(),
            }),
        }));
        match redis::Client::open(url) {
            Ok(client) => {
                let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
                tokio::spawn(subscribe_loop(
                    client,
                    format!("{prefix}:ev:"),
                    Arc::downgrade(&bus.0),
                    subscribed,
                    ready_tx,
                ));
                // Wait briefly for the first subscription so early events are not missed.
                let _ = tokio::time::timeout(Duration::from_secs(3), ready_rx).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "Redis URL unusable for events; delivering locally")
            }
        }
        bus
    }

    /// Listens on `topic` from now on.
    pub fn subscribe(&self, topic: &str) -> broadcast::Receiver<Payload> {
        let mut local = self.0.local.lock().unwrap_or_else(|p| p.into_inner());
        if local.len() > 1024 {
            local.retain(|_, tx| tx.receiver_count() > 0);
        }
        local
            .entry(topic.to_string())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Sends `event` to every listener of `topic`, in this process and (with Redis) others.
    pub async fn publish(&self, topic: &str, event: &serde_json::Value) {
        self.publish_from(topic, event, None).await
    }

    /// Like `publish`, tagged with the connection that caused it.
    pub async fn publish_from(&self, topic: &str, event: &serde_json::Value, origin: Option<&str>) {
        let payload = Payload {
            origin: origin.map(Arc::from),
            json: Arc::from(event.to_string()),
        };
        if let Some(link) = &self.0.redis {
            if link.subscribed.load(Ordering::Relaxed) {
                let channel = format!("{}:ev:{topic}", link.prefix);
                let mut conn = link.publisher.clone();
                let sent = tokio::time::timeout(
                    Duration::from_millis(500),
                    redis::cmd("PUBLISH")
                        .arg(&channel)
                        .arg(payload.to_wire())
                        .query_async::<i64>(&mut conn),
                )
                .await;
                match sent {
                    Ok(Ok(_)) => return,
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "Redis publish failed; delivering locally")
                    }
                    Err(_) => tracing::warn!("Redis publish timed out; delivering locally"),
                }
            }
        }
        self.0.deliver(topic, payload);
    }

    /// Whether events currently travel through Redis.
    pub fn shared(&self) -> bool {
        self.0
            .redis
            .as_ref()
            .is_some_and(|l| l.subscribed.load(Ordering::Relaxed))
    }
}

impl Inner {
    fn deliver(&self, topic: &str, payload: Payload) {
        let local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = local.get(topic) {
            let _ = tx.send(payload);
        }
    }
}

/// Keeps one pattern subscription open, reconnecting with back-off, for as long as the bus
/// lives.
async fn subscribe_loop(
    client: redis::Client,
    channel_prefix: String,
    bus: std::sync::Weak<Inner>,
    subscribed: Arc<AtomicBool>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut backoff = Duration::from_millis(250);
    loop {
        if bus.strong_count() == 0 {
            return;
        }
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => {
                if let Err(e) = pubsub.psubscribe(format!("{channel_prefix}*")).await {
                    tracing::warn!(error = %e, "Redis subscribe failed; events stay local");
                } else {
                    subscribed.store(true, Ordering::Relaxed);
                    backoff = Duration::from_millis(250);
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        let Some(bus) = bus.upgrade() else { return };
                        let topic = msg
                            .get_channel_name()
                            .strip_prefix(&channel_prefix)
                            .unwrap_or("");
                        if let Some(payload) = msg
                            .get_payload::<String>()
                            .ok()
                            .as_deref()
                            .and_then(Payload::from_wire)
                        {
                            bus.deliver(topic, payload);
                        }
                    }
                    subscribed.store(false, Ordering::Relaxed);
                    tracing::warn!(
                        "lost the Redis event subscription; delivering locally until it is back"
                    );
                }
            }
            Err(e) => {
                subscribed.store(false, Ordering::Relaxed);
                tracing::warn!(error = %e, "Redis unreachable for events; delivering locally");
            }
        }
        if let Some(r) = ready.take() {
            let _ = r.send(());
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

pub fn conversation_topic(id: impl std::fmt::Display) -> String {
    format!("conversation:{id}")
}

pub fn user_topic(id: impl std::fmt::Display) -> String {
    format!("user:{id}")
}
