//! What can go wrong talking to a provider, classified once so the retry policy and the
//! user-facing messages agree. Messages never carry keys or request bodies.

use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ProviderError {
    #[error("{provider} is not configured")]
    NotConfigured { provider: &'static str },
    #[error("{provider} rejected the API key (401/403)")]
    Unauthorized { provider: &'static str },
    #[error("{provider} is rate limiting us")]
    RateLimited {
        provider: &'static str,
        retry_after: Option<Duration>,
    },
    #[error("{provider} quota is exhausted")]
    QuotaExceeded { provider: &'static str },
    #[error("{provider} refused the content: {message}")]
    ContentPolicy {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} rejected the request: {message}")]
    BadRequest {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} failed with HTTP {status}")]
    Server { provider: &'static str, status: u16 },
    #[error("{provider} timed out")]
    Timeout { provider: &'static str },
    #[error("{provider} unreachable: {message}")]
    Network {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} answered something unreadable: {message}")]
    Malformed {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} is failing; paused for a moment (circuit open)")]
    CircuitOpen { provider: &'static str },
}

impl ProviderError {
    /// Worth another try: transient trouble only. Other 4xx, bad keys, exhausted quotas and
    /// refused content will not change on retry.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Server { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::Network { .. }
        )
    }

    /// Counts against the circuit breaker: the provider itself misbehaving.
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            ProviderError::Server { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::Network { .. }
                | ProviderError::Malformed { .. }
        )
    }

    pub fn outcome(&self) -> &'static str {
        match self {
            ProviderError::NotConfigured { .. } => "not_configured",
            ProviderError::Unauthorized { .. } => "unauthorized",
            ProviderError::RateLimited { .. } => "rate_limited",
            ProviderError::QuotaExceeded { .. } => "quota",
            ProviderError::ContentPolicy { .. } => "content_policy",
            ProviderError::BadRequest { .. } => "bad_request",
            ProviderError::Server { .. } => "server_error",
            ProviderError::Timeout { .. } => "timeout",
            ProviderError::Network { .. } => "network",
            ProviderError::Malformed { .. } => "malformed",
            ProviderError::CircuitOpen { .. } => "circuit_open",
        }
    }
}

/// Reads `Retry-After` (seconds) or OpenAI's `x-ratelimit-reset-requests` (`1s`, `250ms`).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    if let Some(secs) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        return Some(Duration::from_secs_f64(secs.max(0.0)));
    }
    let reset = headers
        .get("x-ratelimit-reset-requests")
        .and_then(|v| v.to_str().ok())?;
    if let Some(ms) = reset.strip_suffix("ms") {
        return ms
            .parse::<f64>()
            .ok()
            .map(|v| Duration::from_secs_f64(v / 1000.0));
    }
    reset
        .strip_suffix('s')
        .and_then(|s| s.parse::<f64>().ok())
        .map(Duration::from_secs_f64)
}

/// Maps an error response to a typed error, reading the vendor's error body for the cases
/// that need it (quota vs rate limit, content policy).
pub fn classify(
    provider: &'static str,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &str,
) -> ProviderError {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let code = json["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let status_word = json["error"]["status"].as_str().unwrap_or_default();
    let message = json["error"]["message"]
        .as_str()
        .or_else(|| json["message"].as_str())
        .or_else(|| json["errors"][0].as_str())
        .unwrap_or("no details")
        .chars()
        .take(300)
        .collect::<String>();
    match status {
        401 | 403 if status_word != "RESOURCE_EXHAUSTED" => {
            ProviderError::Unauthorized { provider }
        }
        429 if code == "insufficient_quota" => ProviderError::QuotaExceeded { provider },
        429 => ProviderError::RateLimited {
            provider,
            retry_after: retry_after(headers),
        },
        400 | 422
            if code == "content_policy_violation" || message.to_lowercase().contains("safety") =>
        {
            ProviderError::ContentPolicy { provider, message }
        }
        400..=499 => ProviderError::BadRequest { provider, message },
        _ => ProviderError::Server { provider, status },
    }
}
