//! Stripe's wire format, and only that: creating a Checkout Session (a form-encoded POST
//! authenticated with the secret key) and checking a webhook's `Stripe-Signature`. What a
//! payment buys is decided in `routes/billing.rs` and recorded by the store.

use std::{sync::OnceLock, time::Duration};

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::config::Secret;

/// How far a webhook's signed timestamp may be from our clock (Stripe's default).
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

/// A session Stripe created: where to send the buyer.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub id: String,
    pub url: String,
}

/// Why a session could not be created. Messages never carry the key, nor Stripe's own text
/// (which can echo part of it).
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// 429, 5xx, a time-out or no connection: worth trying again shortly.
    #[error("the payment provider is unavailable ({0})")]
    Unavailable(String),
    /// The key was refused or the request was (401, 403, other 4xx). `kind` and `code` are
    /// Stripe's error type and code (`invalid_request_error`, `amount_too_small`), for logs.
    #[error("the payment provider refused the request (HTTP {status}: {})", [kind, code].iter().filter_map(|s| s.as_deref()).collect::<Vec<_>>().join(", "))]
    Refused {
        status: u16,
        kind: Option<String>,
        code: Option<String>,
    },
    /// A 2xx answer without a usable session.
    #[error("the payment provider sent an answer we can't use ({0})")]
    Malformed(&'static str),
}

/// One HTTP client for every call (connection reuse, TLS set up once).
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default()
    })
}

/// `POST {base}/v1/checkout/sessions` with `form` (bracketed keys, as Stripe nests them).
pub async fn create_checkout_session(
    base: &str,
    key: &Secret,
    form: &[(&str, String)],
) -> Result<Session, StripeError> {
    let response = client()
        .post(format!("{base}/v1/checkout/sessions"))
        .bearer_auth(key.expose())
        .form(form)
        .send()
        .await
        .map_err(|e| {
            StripeError::Unavailable(if e.is_timeout() {
                "timed out".into()
            } else {
                "unreachable".into()
            })
        })?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|_| StripeError::Unavailable("the answer was cut off".into()))?;
    if status.as_u16() == 429 || status.is_server_error() {
        return Err(StripeError::Unavailable(format!(
            "HTTP {}",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        #[derive(Deserialize)]
        struct Body {
            error: Detail,
        }
        // Stripe's `message` is left out: for a bad key it quotes part of the key.
        #[derive(Deserialize)]
        struct Detail {
            #[serde(rename = "type")]
            kind: Option<String>,
            code: Option<String>,
        }
        let detail = serde_json::from_slice::<Body>(&body).ok().map(|b| b.error);
        let (kind, code) = detail.map(|d| (d.kind, d.code)).unwrap_or_default();
        return Err(StripeError::Refused {
            status: status.as_u16(),
            kind,
            code,
        });
    }
    let session: Session = serde_json::from_slice(&body)
        .map_err(|_| StripeError::Malformed("no session id and url"))?;
    if !(session.url.starts_with("https://") || session.url.starts_with("http://")) {
        return Err(StripeError::Malformed(
            "the session url is not a web address",
        ));
    }
    Ok(session)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed: expected t=<timestamp>,v1=<hex signature>")]
    Malformed,
    #[error("the signature's timestamp is more than 5 minutes from now")]
    Expired,
    #[error("no v1 signature matches the payload")]
    Mismatch,
}

/// Checks `Stripe-Signature: t=…,v1=…[,v1=…]`: some v1 must be the hex HMAC-SHA256 of
/// `"{t}.{body}"` under `secret`, and `t` (seconds) within the tolerance of `now`. Other
/// schemes (v0) are ignored; the comparison takes the same time however much matches.
pub fn verify_signature(
    header: Option<&str>,
    body: &[u8],
    secret: &Secret,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) if timestamp.is_none() => timestamp = Some(t),
            Some(("v1", v)) => signatures.push(hex::decode(v).ok()),
            _ => {}
        }
    }
    let raw_t = timestamp.ok_or(SignatureError::Malformed)?;
    let t: i64 = raw_t.parse().map_err(|_| SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - t).abs() > SIGNATURE_TOLERANCE_SECONDS {
        return Err(SignatureError::Expired);
    }
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| SignatureError::Mismatch)?;
    mac.update(raw_t.as_bytes());
    mac.update(b".");
    mac.update(body);
    let matched = signatures.iter().flatten().fold(false, |any, sig| {
        mac.clone().verify_slice(sig).is_ok() | any
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// An event as Stripe delivers it; `data.object` is read according to `type`.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// The fields of a Checkout Session that a paid-session event needs.
#[derive(Debug, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub payment_status: Option<String>,
    #[serde(default)]
    pub metadata: std::collections::HashMap<String, String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600;

    fn sign(secret: &str, t: i64, body: &str) -> String {
        let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn accepts_a_matching_v1_among_several_and_rejects_the_rest() {
        let secret = Secret::new("whsec_test");
        let body = r#"{"id":"evt_1"}"#;
        let good = sign("whsec_test", NOW, body);
        let other = sign("whsec_other", NOW, body);
        let verify = |h: Option<&str>, now| verify_signature(h, body.as_bytes(), &secret, now);
        let cases: [(Option<String>, i64, Result<(), SignatureError>); 9] = [
            (Some(format!("t={NOW},v1={good}")), NOW, Ok(())),
            (
                Some(format!("t={NOW},v1={other},v1={good},v0=abc")),
                NOW,
                Ok(()),
            ),
            (Some(format!("t={NOW}, v1={good}")), NOW + 299, Ok(())),
            (None, NOW, Err(SignatureError::Missing)),
            (
                Some(format!("v1={good}")),
                NOW,
                Err(SignatureError::Malformed),
            ),
            (
                Some(format!("t={NOW}")),
                NOW,
                Err(SignatureError::Malformed),
            ),
            (
                Some(format!("t={NOW},v1={other}")),
                NOW,
                Err(SignatureError::Mismatch),
            ),
            (
                Some(format!("t={NOW},v1=zz{good}")),
                NOW,
                Err(SignatureError::Mismatch),
            ),
            (
                Some(format!("t={NOW},v1={good}")),
                NOW + 301,
                Err(SignatureError::Expired),
            ),
        ];
        for (header, now, want) in cases {
            assert_eq!(verify(header.as_deref(), now), want, "{header:?}");
        }
        let tampered = verify_signature(
            Some(&format!("t={NOW},v1={good}")),
            br#"{"id":"evt_2"}"#,
            &secret,
            NOW,
        );
        assert_eq!(tampered, Err(SignatureError::Mismatch));
    }
}
