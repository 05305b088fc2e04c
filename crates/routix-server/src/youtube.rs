//! Google's and YouTube's wire formats, and only those: the OAuth 2.0 authorization-code flow
//! with PKCE (S256) for a web-server client, token refresh and revocation (form-encoded, as
//! RFC 6749/7009 and Google's endpoints take them), and the three YouTube Data API v3 calls
//! Routix makes: find the channel's uploads playlist, list recent uploads, set a thumbnail.
//! What a connection is and what a publish records is decided in `routes/youtube.rs`.
//! Tokens travel only in form bodies and `Authorization` headers, never in URLs, and no error
//! here carries a token or Google's own text.

use std::{sync::OnceLock, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::YoutubeSettings;

/// Upload thumbnails, and read the channel's uploads to choose a video.
pub const SCOPES: &str =
    "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly";

/// YouTube's limit on a custom thumbnail's file.
pub const MAX_THUMBNAIL_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    /// 5xx, a time-out or no connection: worth trying again shortly.
    #[error("Google is unavailable ({0})")]
    Unavailable(String),
    /// The token endpoint refused a code or refresh token (`invalid_grant`): expired, used,
    /// or the user revoked access.
    #[error("Google refused the grant (invalid_grant)")]
    InvalidGrant,
    /// Any other OAuth error (`invalid_client`, `invalid_request`, …).
    #[error("Google's token endpoint refused the request (HTTP {status}: {})", .error.as_deref().unwrap_or("no error code"))]
    OAuth { status: u16, error: Option<String> },
    /// The Data API answered 401: the access token is not (or no longer) accepted.
    #[error("YouTube refused the access token")]
    Unauthorized,
    /// The Data API refused the call; `reason` is the first `errors[].reason`
    /// (`forbidden`, `quotaExceeded`, `videoNotFound`, …).
    #[error("YouTube refused the request (HTTP {status}: {})", .reason.as_deref().unwrap_or("no reason"))]
    Api { status: u16, reason: Option<String> },
    /// A 2xx answer we can't use.
    #[error("Google sent an answer we can't use ({0})")]
    Malformed(&'static str),
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default()
    })
}

fn unavailable(e: reqwest::Error) -> GoogleError {
    GoogleError::Unavailable(if e.is_timeout() {
        "timed out".into()
    } else {
        "unreachable".into()
    })
}

/// A PKCE pair (RFC 7636): a 43-character verifier from 32 random bytes, and its S256
/// challenge, `BASE64URL(SHA256(verifier))`.
pub fn pkce_pair() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = pkce_challenge(&verifier);
    (verifier, challenge)
}

pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Google's consent page for `state`. `access_type=offline` and `prompt=consent` make Google
/// return a refresh token every time, also when the user connected before.
pub fn authorization_url(
    cfg: &YoutubeSettings,
    state: &str,
    challenge: &str,
    redirect_uri: &str,
) -> Result<String, GoogleError> {
    reqwest::Url::parse_with_params(
        &cfg.auth_url,
        &[
            ("client_id", cfg.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("include_granted_scopes", "true"),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .map(String::from)
    .map_err(|_| GoogleError::Malformed("GOOGLE_AUTH_URL is not a URL"))
}

/// The token endpoint's answer.
#[derive(Deserialize)]
pub struct Tokens {
    pub access_token: String,
    /// Seconds the access token lives (Google: 3599).
    pub expires_in: i64,
    /// Sent on the code exchange (offline access); on refresh only when rotated.
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub scope: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

async fn token_request(
    cfg: &YoutubeSettings,
    form: &[(&str, &str)],
) -> Result<Tokens, GoogleError> {
    let response = client()
        .post(&cfg.token_url)
        .form(form)
        .send()
        .await
        .map_err(unavailable)?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|_| GoogleError::Unavailable("the answer was cut off".into()))?;
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(GoogleError::Unavailable(format!(
            "HTTP {}",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        // RFC 6749 §5.2: `{"error": "invalid_grant", "error_description": "…"}`.
        #[derive(Deserialize)]
        struct OAuthError {
            error: Option<String>,
        }
        let error = serde_json::from_slice::<OAuthError>(&body)
            .ok()
            .and_then(|e| e.error);
        return Err(match error.as_deref() {
            Some("invalid_grant") => GoogleError::InvalidGrant,
            _ => GoogleError::OAuth {
                status: status.as_u16(),
                error,
            },
        });
    }
    serde_json::from_slice(&body).map_err(|_| GoogleError::Malformed("no access_token"))
}

/// Trades an authorization code (and the PKCE verifier it was asked with) for tokens.
pub async fn exchange_code(
    cfg: &YoutubeSettings,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<Tokens, GoogleError> {
    token_request(
        cfg,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", &cfg.client_id),
            ("client_secret", cfg.client_secret.expose()),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// A fresh access token from the refresh token.
pub async fn refresh(cfg: &YoutubeSettings, refresh_token: &str) -> Result<Tokens, GoogleError> {
    token_request(
        cfg,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &cfg.client_id),
            ("client_secret", cfg.client_secret.expose()),
        ],
    )
    .await
}

/// Revokes a token (and the grant behind it). A token Google no longer knows (400
/// `invalid_token`) counts as revoked.
pub async fn revoke(cfg: &YoutubeSettings, token: &str) -> Result<(), GoogleError> {
    let response = client()
        .post(&cfg.revoke_url)
        .form(&[("token", token)])
        .send()
        .await
        .map_err(unavailable)?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(GoogleError::Unavailable(format!(
            "HTTP {}",
            status.as_u16()
        )));
    }
    #[derive(Deserialize)]
    struct OAuthError {
        error: Option<String>,
    }
    let error = response
        .json::<OAuthError>()
        .await
        .ok()
        .and_then(|e| e.error);
    match error.as_deref() {
        Some("invalid_token") | Some("invalid_grant") => Ok(()),
        _ => Err(GoogleError::OAuth {
            status: status.as_u16(),
            error,
        }),
    }
}

/// A Data API answer: the body on 2xx, the error's first reason otherwise. The error body
/// is `{"error": {"code": 403, "message": "…", "errors": [{"reason": "…", …}]}}`.
async fn api_answer(response: reqwest::Response) -> Result<bytes::Bytes, GoogleError> {
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|_| GoogleError::Unavailable("the answer was cut off".into()))?;
    if status.is_success() {
        return Ok(body);
    }
    if status.as_u16() == 401 {
        return Err(GoogleError::Unauthorized);
    }
    #[derive(Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(Deserialize)]
    struct Detail {
        #[serde(default)]
        errors: Vec<Reason>,
    }
    #[derive(Deserialize)]
    struct Reason {
        reason: Option<String>,
    }
    let reason = serde_json::from_slice::<Body>(&body)
        .ok()
        .and_then(|b| b.error.errors.into_iter().find_map(|e| e.reason));
    if status.is_server_error() && reason.is_none() {
        return Err(GoogleError::Unavailable(format!(
            "HTTP {}",
            status.as_u16()
        )));
    }
    Err(GoogleError::Api {
        status: status.as_u16(),
        reason,
    })
}

/// The signed-in user's channel.
#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub title: String,
    pub uploads_playlist: Option<String>,
}

/// `channels?part=snippet,contentDetails&mine=true`; `None` when the account has no channel.
pub async fn my_channel(
    cfg: &YoutubeSettings,
    access_token: &str,
) -> Result<Option<Channel>, GoogleError> {
    #[derive(Deserialize)]
    struct List {
        #[serde(default)]
        items: Vec<Item>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        id: String,
        snippet: Option<Snippet>,
        content_details: Option<ContentDetails>,
    }
    #[derive(Deserialize)]
    struct Snippet {
        title: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ContentDetails {
        related_playlists: Option<Related>,
    }
    #[derive(Deserialize)]
    struct Related {
        uploads: Option<String>,
    }
    let response = client()
        .get(format!("{}/youtube/v3/channels", cfg.api_base))
        .query(&[("part", "snippet,contentDetails"), ("mine", "true")])
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(unavailable)?;
    let body = api_answer(response).await?;
    let list: List =
        serde_json::from_slice(&body).map_err(|_| GoogleError::Malformed("not a channel list"))?;
    Ok(list.items.into_iter().next().map(|item| Channel {
        title: item
            .snippet
            .and_then(|s| s.title)
            .unwrap_or_else(|| item.id.clone()),
        uploads_playlist: item
            .content_details
            .and_then(|c| c.related_playlists)
            .and_then(|r| r.uploads)
            .filter(|u| !u.is_empty()),
        id: item.id,
    }))
}

/// One upload of the channel.
#[derive(Debug, Clone)]
pub struct Video {
    pub id: String,
    pub title: String,
    pub thumbnail_url: Option<String>,
    pub published_at: Option<String>,
}

/// `playlistItems?part=snippet&playlistId=…&maxResults=…`: the newest uploads first.
pub async fn uploads(
    cfg: &YoutubeSettings,
    access_token: &str,
    playlist: &str,
    max: u8,
) -> Result<Vec<Video>, GoogleError> {
    #[derive(Deserialize)]
    struct List {
        #[serde(default)]
        items: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        snippet: Option<Snippet>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Snippet {
        title: Option<String>,
        published_at: Option<String>,
        #[serde(default)]
        thumbnails: std::collections::HashMap<String, Thumb>,
        resource_id: Option<Resource>,
    }
    #[derive(Deserialize)]
    struct Thumb {
        url: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Resource {
        video_id: Option<String>,
    }
    let max = max.to_string();
    let response = client()
        .get(format!("{}/youtube/v3/playlistItems", cfg.api_base))
        .query(&[
            ("part", "snippet"),
            ("playlistId", playlist),
            ("maxResults", max.as_str()),
        ])
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(unavailable)?;
    let body = api_answer(response).await?;
    let list: List = serde_json::from_slice(&body)
        .map_err(|_| GoogleError::Malformed("not a playlist item list"))?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|item| {
            let s = item.snippet?;
            let id = s.resource_id?.video_id?;
            // The 320x180 one suits a picker; larger or smaller when that's all there is.
            let thumbnail_url = ["medium", "high", "standard", "maxres", "default"]
                .iter()
                .find_map(|size| s.thumbnails.get(*size))
                .map(|t| t.url.clone());
            Some(Video {
                title: s.title.unwrap_or_default(),
                thumbnail_url,
                published_at: s.published_at,
                id,
            })
        })
        .collect())
}

/// `thumbnails.set` as a simple media upload: the image bytes are the body.
pub async fn set_thumbnail(
    cfg: &YoutubeSettings,
    access_token: &str,
    video_id: &str,
    image: bytes::Bytes,
    content_type: &'static str,
) -> Result<(), GoogleError> {
    let response = client()
        .post(format!("{}/upload/youtube/v3/thumbnails/set", cfg.api_base))
        .query(&[("videoId", video_id), ("uploadType", "media")])
        .bearer_auth(access_token)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(image)
        .send()
        .await
        .map_err(unavailable)?;
    api_answer(response).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_rfc7636_s256() {
        // BASE64URL(SHA256(verifier)) without padding, computed independently
        // (`python3 -c 'hashlib.sha256(v).digest()' | base64url`).
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk"),
            "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g"
        );
        let (verifier, challenge) = pkce_pair();
        assert_eq!(verifier.len(), 43);
        assert_eq!(challenge, pkce_challenge(&verifier));
    }
}
