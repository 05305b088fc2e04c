//! The analysis cache: the same prompt with the same reference images is analysed once per
//! TTL. In memory by default; in Redis when configured (shared by every process), falling
//! back to memory, with a warning, when Redis misbehaves.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use redis::aio::ConnectionManager;
use routix_core::Analysis;
use sha2::{Digest, Sha256};

use crate::facade::ReferenceImage;

const MAX_ENTRIES: usize = 10_000;

pub struct AnalysisCache {
    ttl: Duration,
    memory: Mutex<HashMap<String, (Instant, Analysis)>>,
    redis: Option<(ConnectionManager, String)>,
}

/// Normalised prompt + image hashes + mode: what makes two requests the same.
pub fn key(prompt: &str, images: &[ReferenceImage], mode: &str) -> String {
    let normalised = prompt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut h = Sha256::new();
    h.update(mode.as_bytes());
    h.update([0]);
    h.update(normalised.as_bytes());
    for img in images {
        h.update([0]);
        h.update(Sha256::digest(&img.bytes));
    }
    hex::encode(h.finalize())
}

impl AnalysisCache {
    pub fn new(ttl: Duration, redis: Option<ConnectionManager>, prefix: &str) -> AnalysisCache {
        AnalysisCache {
            ttl,
            memory: Mutex::new(HashMap::new()),
            redis: redis.map(|c| (c, format!("{prefix}:analysis:"))),
        }
    }

    pub async fn get(&self, key: &str) -> Option<Analysis> {
        if let Some((conn, prefix)) = &self.redis {
            let mut conn = conn.clone();
            let got = tokio::time::timeout(
                Duration::from_millis(300),
                redis::cmd("GET")
                    .arg(format!("{prefix}{key}"))
                    .query_async::<Option<String>>(&mut conn),
            )
            .await;
            match got {
                Ok(Ok(Some(json))) => return serde_json::from_str(&json).ok(),
                Ok(Ok(None)) => return None,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "analysis cache: Redis read failed; using memory")
                }
                Err(_) => tracing::warn!("analysis cache: Redis read timed out; using memory"),
            }
        }
        let memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        memory
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, a)| a.clone())
    }

    pub async fn put(&self, key: &str, analysis: &Analysis) {
        if let Some((conn, prefix)) = &self.redis {
            if let Ok(json) = serde_json::to_string(analysis) {
                let mut conn = conn.clone();
                let set = tokio::time::timeout(
                    Duration::from_millis(300),
                    redis::cmd("SET")
                        .arg(format!("{prefix}{key}"))
                        .arg(json)
                        .arg("EX")
                        .arg(self.ttl.as_secs().max(1))
                        .query_async::<()>(&mut conn),
                )
                .await;
                if matches!(set, Ok(Ok(()))) {
                    return;
                }
                tracing::warn!("analysis cache: Redis write failed; using memory");
            }
        }
        let mut memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if memory.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            memory.retain(|_, (at, _)| at.elapsed() < ttl);
            if memory.len() >= MAX_ENTRIES {
                memory.clear();
            }
        }
        memory.insert(key.to_string(), (Instant::now(), analysis.clone()));
    }
}
