//! One policy for every provider call: a timeout per attempt, retries with jittered
//! exponential back-off that honours Retry-After (capped), no retry on errors that can't
//! change, and a circuit breaker that stops hammering a provider that keeps failing. Every
//! attempt is counted by provider and outcome.

use std::{
    future::Future,
    sync::Mutex,
    time::{Duration, Instant},
};

use rand::Rng;

use crate::ProviderError;

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub timeout: Duration,
    /// Attempts in all, including the first.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Consecutive outages that open the circuit.
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timeout: Duration::from_secs(60),
            attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

/// The resilience state of one provider.
#[derive(Debug)]
pub struct Guard {
    pub provider: &'static str,
    pub policy: Policy,
    breaker: Mutex<Breaker>,
}

impl Guard {
    pub fn new(provider: &'static str, policy: Policy) -> Guard {
        Guard {
            provider,
            policy,
            breaker: Mutex::new(Breaker::default()),
        }
    }

    /// `closed`, `open` or `half-open`, for the admin panel.
    pub fn state(&self) -> &'static str {
        let b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        match b.open_until {
            Some(t) if t > Instant::now() => "open",
            Some(_) => "half-open",
            None => "closed",
        }
    }

    /// Runs `attempt` under the policy.
    pub async fn call<T, F, Fut>(&self, mut attempt: F) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let provider = self.provider;
        if self.is_open() {
            metrics::counter!("provider_requests_total", "provider" => provider, "outcome" => "circuit_open").increment(1);
            return Err(ProviderError::CircuitOpen { provider });
        }
        let mut tries = 0;
        loop {
            tries += 1;
            let started = Instant::now();
            let result = match tokio::time::timeout(self.policy.timeout, attempt()).await {
                Ok(r) => r,
                Err(_) => Err(ProviderError::Timeout { provider }),
            };
            metrics::histogram!("provider_request_duration_seconds", "provider" => provider)
                .record(started.elapsed().as_secs_f64());
            let err = match result {
                Ok(v) => {
                    metrics::counter!("provider_requests_total", "provider" => provider, "outcome" => "ok").increment(1);
                    self.record(true);
                    return Ok(v);
                }
                Err(e) => e,
            };
            metrics::counter!("provider_requests_total", "provider" => provider, "outcome" => err.outcome()).increment(1);
            if err.is_outage() {
                self.record(false);
            }
            if !err.retryable() || tries >= self.policy.attempts || self.is_open() {
                tracing::warn!(provider, error = %err, tries, "provider call failed");
                return Err(err);
            }
            let delay = self.delay(tries, &err);
            tracing::info!(provider, error = %err, retry_in_ms = delay.as_millis() as u64, "retrying provider call");
            tokio::time::sleep(delay).await;
        }
    }

    /// Back-off before try `tries + 1`: the server's Retry-After when it gave one (capped),
    /// else exponential with full jitter.
    fn delay(&self, tries: u32, err: &ProviderError) -> Duration {
        if let ProviderError::RateLimited {
            retry_after: Some(d),
            ..
        } = err
        {
            return (*d).min(self.policy.max_delay);
        }
        let exp = self
            .policy
            .base_delay
            .saturating_mul(1 << (tries - 1).min(10));
        let cap = exp.min(self.policy.max_delay);
        let jitter = rand::thread_rng().gen_range(0.5..=1.0);
        cap.mul_f64(jitter)
    }

    fn is_open(&self) -> bool {
        let b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        matches!(b.open_until, Some(t) if t > Instant::now())
    }

    fn record(&self, ok: bool) {
        let mut b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            *b = Breaker::default();
            return;
        }
        b.failures += 1;
        if b.failures >= self.policy.breaker_threshold {
            if b.open_until.is_none_or(|t| t <= Instant::now()) {
                tracing::warn!(
                    provider = self.provider,
                    failures = b.failures,
                    "circuit opened"
                );
            }
            b.open_until = Some(Instant::now() + self.policy.breaker_cooldown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick() -> Policy {
        Policy {
            timeout: Duration::from_millis(200),
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            breaker_threshold: 2,
            breaker_cooldown: Duration::from_secs(60),
        }
    }

    #[tokio::test]
    async fn retries_transient_errors_then_succeeds() {
        let g = Guard::new("test", quick());
        let n = AtomicU32::new(0);
        let r = g
            .call(|| async {
                if n.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(ProviderError::Server {
                        provider: "test",
                        status: 503,
                    })
                } else {
                    Ok(7)
                }
            })
            .await;
        assert_eq!(r, Ok(7));
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn never_retries_a_bad_key_or_refused_content() {
        let g = Guard::new("test", quick());
        let n = AtomicU32::new(0);
        let r: Result<(), _> = g
            .call(|| async {
                n.fetch_add(1, Ordering::SeqCst);
                Err(ProviderError::Unauthorized { provider: "test" })
            })
            .await;
        assert!(matches!(r, Err(ProviderError::Unauthorized { .. })));
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn opens_the_circuit_after_repeated_outages() {
        let g = Guard::new("test", quick());
        let n = AtomicU32::new(0);
        let fail = || async {
            n.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(ProviderError::Server {
                provider: "test",
                status: 500,
            })
        };
        let _ = g.call(fail).await;
        assert_eq!(g.state(), "open");
        let calls = n.load(Ordering::SeqCst);
        assert_eq!(calls, 2, "stopped retrying once the circuit opened");
        let r = g.call(fail).await;
        assert!(matches!(r, Err(ProviderError::CircuitOpen { .. })));
        assert_eq!(
            n.load(Ordering::SeqCst),
            calls,
            "an open circuit makes no call"
        );
    }

    #[tokio::test]
    async fn slow_calls_time_out() {
        let g = Guard::new("test", quick());
        let r: Result<(), _> = g
            .call(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(())
            })
            .await;
        assert!(matches!(r, Err(ProviderError::Timeout { .. })));
    }
}
