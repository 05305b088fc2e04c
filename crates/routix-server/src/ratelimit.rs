//! Fixed-window counters for rate limits and login throttling. With Redis the counters are
//! shared by every server process; when Redis is missing or fails, the process's own memory
//! takes over (logged), so a Redis outage never turns into errors for users.

use redis::aio::ConnectionManager;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The state of one counter after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: u64,
    /// Seconds until the window resets.
    pub resets_in: u64,
}

pub struct Limiter {
    redis: Option<ConnectionManager>,
    prefix: String,
    memory: Mutex<HashMap<String, (Instant, u64)>>,
    last_warning: Mutex<Option<Instant>>,
}

impl Limiter {
    pub fn new(redis: Option<ConnectionManager>, prefix: &str) -> Self {
        Limiter {
            redis,
            prefix: prefix.to_string(),
            memory: Mutex::new(HashMap::new()),
            last_warning: Mutex::new(None),
        }
    }

    pub fn uses_redis(&self) -> bool {
        self.redis.is_some()
    }

    /// Counts one event under `key` in a window of `window` and returns the window's state.
    pub async fn hit(&self, key: &str, window: Duration) -> Window {
        if let Some(redis) = &self.redis {
            match self.hit_redis(redis.clone(), key, window).await {
                Ok(w) => return w,
                Err(e) => self.warn_fallback(&e),
            }
        }
        self.hit_memory(key, window, 1)
    }

    /// The window's state without counting.
    pub async fn peek(&self, key: &str, window: Duration) -> Window {
        if let Some(redis) = &self.redis {
            match self.peek_redis(redis.clone(), key).await {
                Ok(w) => return w,
                Err(e) => self.warn_fallback(&e),
            }
        }
        self.hit_memory(key, window, 0)
    }

    pub async fn reset(&self, key: &str) {
        if let Some(redis) = &self.redis {
            let mut conn = redis.clone();
            let full = format!("{}:rl:{key}", self.prefix);
            let result: Result<(), _> = tokio::time::timeout(
                Duration::from_millis(500),
                redis::cmd("DEL").arg(&full).query_async(&mut conn),
            )
            .await
            .unwrap_or_else(|_| Err(timeout_error()));
            if let Err(e) = result {
                self.warn_fallback(&e);
            }
        }
        if let Ok(mut map) = self.memory.lock() {
            map.remove(key);
        }
    }

    async fn hit_redis(
        &self,
        mut conn: ConnectionManager,
        key: &str,
        window: Duration,
    ) -> redis::RedisResult<Window> {
        let full = format!("{}:rl:{key}", self.prefix);
        let secs = window.as_secs().max(1);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("INCR")
            .arg(&full)
            .cmd("EXPIRE")
            .arg(&full)
            .arg(secs)
            .arg("NX")
            .ignore()
            .cmd("TTL")
            .arg(&full);
        let fut = pipe.query_async::<(u64, i64)>(&mut conn);
        let (count, ttl) = tokio::time::timeout(Duration::from_millis(500), fut)
            .await
            .unwrap_or_else(|_| Err(timeout_error()))?;
        Ok(Window {
            count,
            resets_in: if ttl > 0 { ttl as u64 } else { secs },
        })
    }

    async fn peek_redis(
        &self,
        mut conn: ConnectionManager,
        key: &str,
    ) -> redis::RedisResult<Window> {
        let full = format!("{}:rl:{key}", self.prefix);
        let mut pipe = redis::pipe();
        pipe.cmd("GET").arg(&full).cmd("TTL").arg(&full);
        let fut = pipe.query_async::<(Option<u64>, i64)>(&mut conn);
        let (count, ttl) = tokio::time::timeout(Duration::from_millis(500), fut)
            .await
            .unwrap_or_else(|_| Err(timeout_error()))?;
        Ok(Window {
            count: count.unwrap_or(0),
            resets_in: ttl.max(0) as u64,
        })
    }

    fn hit_memory(&self, key: &str, window: Duration, add: u64) -> Window {
        let now = Instant::now();
        let Ok(mut map) = self.memory.lock() else {
            return Window {
                count: 0,
                resets_in: 0,
            };
        };
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += add;
        let elapsed = now.duration_since(entry.0);
        Window {
            count: entry.1,
            resets_in: window.saturating_sub(elapsed).as_secs().max(1),
        }
    }

    /// Logs the fallback at most once a minute, so an outage doesn't flood the logs.
    fn warn_fallback(&self, error: &redis::RedisError) {
        let Ok(mut last) = self.last_warning.lock() else {
            return;
        };
        if last.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
            *last = Some(Instant::now());
            tracing::warn!(%error, "Redis unavailable for rate limits; counting in this process only");
        }
    }
}

fn timeout_error() -> redis::RedisError {
    redis::RedisError::from((
        redis::ErrorKind::IoError,
        "Redis did not answer within 500 ms",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_windows_count_and_reset() {
        let limiter = Limiter::new(None, "t");
        let w = Duration::from_secs(60);
        assert_eq!(limiter.hit("a", w).await.count, 1);
        assert_eq!(limiter.hit("a", w).await.count, 2);
        assert_eq!(limiter.peek("a", w).await.count, 2);
        assert_eq!(limiter.hit("b", w).await.count, 1);
        limiter.reset("a").await;
        assert_eq!(limiter.peek("a", w).await.count, 0);
        let short = Duration::from_millis(20);
        limiter.hit("c", short).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(limiter.hit("c", short).await.count, 1);
    }
}
