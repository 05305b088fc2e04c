//! Publishing to YouTube: a creator connects a channel with Google OAuth 2.0 (authorization
//! code + PKCE), picks one of its recent uploads, and sets a finished result as that video's
//! thumbnail. The `state` sent to Google is random, single use, expires in ten minutes and
//! is stored only as a hash, beside the PKCE verifier (sealed) of the same attempt. The
//! refresh token is sealed with `DATA_ENCRYPTION_KEY` before it is stored; access tokens are
//! refreshed when they expire, and a refused refresh marks the connection for reconnecting.
//! Google's wire formats are in `crate::youtube`.

use std::future::Future;

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore;
use routix_core::GenerationStatus;
pub use routix_engine::view::PublicationView;
use routix_store::{
    youtube::{Connection, NewConnection},
    GenerationId, StoreError, UserId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::AuthUser,
    config::YoutubeSettings,
    crypto::DataKey,
    error::{ApiError, ApiResult},
    extract::{Json, Path, Query},
    routes::generations::store_404,
    state::AppState,
    youtube::{self, GoogleError},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/youtube/connect", get(connect))
        .route("/youtube/callback", get(callback))
        .route("/youtube/connection", get(connection).delete(disconnect))
        .route("/youtube/videos", get(videos))
        .route("/generations/{id}/publish", post(publish))
}

/// How long a started connection may take at Google's consent screen.
const STATE_LIFETIME_MINUTES: i64 = 10;
/// An access token this close to expiry is refreshed first.
const EXPIRY_MARGIN_SECONDS: i64 = 60;
const UPLOAD_SCOPE: &str = "https://www.googleapis.com/auth/youtube.upload";

fn configured(state: &AppState) -> ApiResult<(&YoutubeSettings, &DataKey)> {
    match (&state.settings.youtube, &state.settings.data_key) {
        (Some(cfg), Some(key)) => Ok((cfg, key)),
        _ => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "youtube_not_configured",
            "publishing to YouTube is not configured on this server (GOOGLE_CLIENT_ID)",
        )),
    }
}

/// What each sealed value is, and whose: a value moved to another row fails to open.
fn refresh_context(user: UserId) -> String {
    format!("youtube.refresh_token:{user}")
}
fn access_context(user: UserId) -> String {
    format!("youtube.access_token:{user}")
}
fn verifier_context(user: UserId) -> String {
    format!("youtube.pkce_verifier:{user}")
}

fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

fn reconnect() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "youtube_reconnect",
        "access to your YouTube channel was revoked or has expired; reconnect it on the account page",
    )
}

fn not_connected() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "youtube_not_connected",
        "connect a YouTube channel first (account page)",
    )
}

fn retry_later(status: StatusCode, code: &'static str, message: &str, secs: u64) -> ApiError {
    ApiError {
        retry_after: Some(secs),
        ..ApiError::new(status, code, message)
    }
}

/// What the creator is told when Google or YouTube says no. `publishing`: the call was
/// `thumbnails.set` (a 403 then means the channel may not use custom thumbnails).
fn google_error(e: GoogleError, publishing: bool) -> ApiError {
    match e {
        GoogleError::Unavailable(why) => {
            tracing::warn!(%why, "YouTube unavailable");
            retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                "youtube_unavailable",
                "YouTube can't be reached right now; retry later",
                30,
            )
        }
        GoogleError::InvalidGrant | GoogleError::Unauthorized => reconnect(),
        GoogleError::Api { status, reason } => match (status, reason.as_deref()) {
            (_, Some("quotaExceeded" | "dailyLimitExceeded")) => retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                "youtube_quota_exceeded",
                "this site's daily YouTube quota is used up; retry later (it resets at midnight Pacific time)",
                3600,
            ),
            (429, _)
            | (_, Some("rateLimitExceeded" | "userRateLimitExceeded" | "uploadRateLimitExceeded")) => {
                retry_later(
                    StatusCode::TOO_MANY_REQUESTS,
                    "youtube_rate_limited",
                    "YouTube is limiting uploads for this channel; retry in a few minutes",
                    60,
                )
            }
            (_, Some("videoNotFound")) | (404, _) => ApiError::new(
                StatusCode::NOT_FOUND,
                "video_not_found",
                "YouTube has no video with that id on your channel",
            ),
            (_, Some("insufficientPermissions" | "authError")) => reconnect(),
            (403, _) if publishing => ApiError::new(
                StatusCode::FORBIDDEN,
                "youtube_forbidden",
                "YouTube won't set a custom thumbnail for this video: the channel may not be \
                 allowed custom thumbnails yet (verify it at https://www.youtube.com/verify), \
                 or the video is not on the connected channel",
            ),
            (403, _) => ApiError::new(
                StatusCode::FORBIDDEN,
                "youtube_forbidden",
                "YouTube refused access to the connected channel",
            ),
            (status, reason) => {
                tracing::warn!(status, reason, "YouTube refused a request");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "youtube_error",
                    format!(
                        "YouTube refused the request ({})",
                        reason.unwrap_or("no reason given")
                    ),
                )
            }
        },
        e @ (GoogleError::OAuth { .. } | GoogleError::Malformed(_)) => {
            tracing::error!(error = %e, "Google OAuth or YouTube answer unusable");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "youtube_error",
                "Google refused this server's request; the administrator should check the OAuth client settings",
            )
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectView {
    /// Google's consent page: open it in the browser. Valid for ten minutes, once.
    pub url: String,
}

#[utoipa::path(get, path = "/api/v1/youtube/connect", tag = "youtube",
    responses((status = 200, body = ConnectView, description = "where to send the browser to connect a channel"),
              (status = 401, description = "not signed in"),
              (status = 503, description = "publishing to YouTube is not configured")),
    security(("bearer" = [])))]
pub async fn connect(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<ConnectView>> {
    let (cfg, key) = configured(&state)?;
    let (verifier, challenge) = youtube::pkce_pair();
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let expires = routix_store::now() + TimeDelta::minutes(STATE_LIFETIME_MINUTES);
    state
        .db
        .save_oauth_state(
            &state_hash(&token),
            user.id(),
            &key.seal(&verifier_context(user.id()), &verifier),
            &cfg.redirect_uri,
            expires,
        )
        .await?;
    let url = youtube::authorization_url(cfg, &token, &challenge, &cfg.redirect_uri)
        .map_err(|e| google_error(e, false))?;
    Ok(Json(ConnectView { url }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CallbackQuery {
    /// The authorization code Google issued.
    pub code: Option<String>,
    /// The `state` of `GET /youtube/connect`'s URL.
    pub state: Option<String>,
    /// Set by Google instead of `code` (e.g. `access_denied`).
    pub error: Option<String>,
}

/// Back to the account page with the outcome (`?youtube=connected` or
/// `?youtube=error&reason=…`).
fn back(outcome: Result<(), &'static str>) -> Response {
    let to = match outcome {
        Ok(()) => "/account?youtube=connected".to_string(),
        Err(reason) => format!("/account?youtube=error&reason={reason}"),
    };
    Redirect::to(&to).into_response()
}

#[utoipa::path(get, path = "/api/v1/youtube/callback", tag = "youtube", params(CallbackQuery),
    responses((status = 303, description = "back to `/account?youtube=connected`, or `/account?youtube=error&reason=` \
                 `denied|expired|invalid_request|scope|no_channel|unavailable|failed`"),
              (status = 503, description = "publishing to YouTube is not configured")))]
pub async fn callback(
    State(state): State<AppState>,
    Query(q): Query<CallbackQuery>,
) -> ApiResult<Response> {
    let (cfg, key) = configured(&state)?;
    Ok(back(complete_connection(&state, cfg, key, q).await))
}

/// Google's redirect, checked and turned into a stored connection.
async fn complete_connection(
    state: &AppState,
    cfg: &YoutubeSettings,
    key: &DataKey,
    q: CallbackQuery,
) -> Result<(), &'static str> {
    let given = q.state.as_deref().ok_or("invalid_request")?;
    let pending = match state.db.take_oauth_state(&state_hash(given)).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Err("expired"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a pending YouTube authorization");
            return Err("failed");
        }
    };
    if q.error.is_some() {
        return Err("denied");
    }
    let code = q.code.as_deref().ok_or("invalid_request")?;
    let user = pending.user_id;
    let verifier = key
        .open(&verifier_context(user), &pending.verifier_sealed)
        .map_err(|_| "failed")?;
    let failed = |e: GoogleError| {
        tracing::warn!(error = %e, "connecting a YouTube channel failed");
        match e {
            GoogleError::Unavailable(_) => "unavailable",
            _ => "failed",
        }
    };
    let tokens = youtube::exchange_code(cfg, code, &verifier, &pending.redirect_uri)
        .await
        .map_err(failed)?;
    let Some(refresh_token) = tokens.refresh_token.as_deref() else {
        tracing::warn!("Google sent no refresh token for an offline-access request");
        return Err("failed");
    };
    // Google lets the user untick a scope on the consent screen; without upload there is
    // nothing to connect for.
    let granted = |scope: &str| tokens.scope.split_whitespace().any(|s| s == scope);
    let channel = if granted(UPLOAD_SCOPE) {
        youtube::my_channel(cfg, &tokens.access_token)
            .await
            .map_err(failed)?
    } else {
        None
    };
    let Some(channel) = channel else {
        if let Err(e) = youtube::revoke(cfg, refresh_token).await {
            tracing::warn!(error = %e, "could not revoke an unused YouTube grant");
        }
        return Err(if granted(UPLOAD_SCOPE) {
            "no_channel"
        } else {
            "scope"
        });
    };
    let expires = routix_store::now() + TimeDelta::seconds(tokens.expires_in.max(0));
    state
        .db
        .save_youtube_connection(
            user,
            &NewConnection {
                channel_id: channel.id,
                channel_title: channel.title,
                refresh_token_sealed: key.seal(&refresh_context(user), refresh_token),
                access_token_sealed: Some(key.seal(&access_context(user), &tokens.access_token)),
                access_expires_at: Some(expires),
                scope: tokens.scope.clone(),
            },
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "cannot store a YouTube connection");
            "failed"
        })?;
    tracing::info!(%user, "YouTube channel connected");
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionView {
    pub channel_id: String,
    pub channel_title: String,
    pub connected_at: DateTime<Utc>,
    /// Google refused the stored grant: connect again before publishing.
    pub needs_reconnect: bool,
}

impl From<Connection> for ConnectionView {
    fn from(c: Connection) -> Self {
        ConnectionView {
            channel_id: c.channel_id,
            channel_title: c.channel_title,
            connected_at: c.updated_at,
            needs_reconnect: c.broken_at.is_some(),
        }
    }
}

fn no_connection(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("YouTube connection"),
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/youtube/connection", tag = "youtube",
    responses((status = 200, body = ConnectionView, description = "the connected channel"),
              (status = 401, description = "not signed in"),
              (status = 404, description = "no channel connected"),
              (status = 503, description = "publishing to YouTube is not configured")),
    security(("bearer" = [])))]
pub async fn connection(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<ConnectionView>> {
    configured(&state)?;
    let c = state
        .db
        .youtube_connection(user.id())
        .await
        .map_err(no_connection)?;
    Ok(Json(c.into()))
}

#[utoipa::path(delete, path = "/api/v1/youtube/connection", tag = "youtube",
    responses((status = 204, description = "access revoked at Google and the connection forgotten"),
              (status = 401, description = "not signed in"),
              (status = 404, description = "no channel connected"),
              (status = 503, description = "not configured, or Google unreachable (nothing changed; retry later)")),
    security(("bearer" = [])))]
pub async fn disconnect(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    let (cfg, key) = configured(&state)?;
    let c = state
        .db
        .youtube_connection(user.id())
        .await
        .map_err(no_connection)?;
    // A token that no longer opens (the key changed) can't be revoked; forget it anyway.
    match key.open(&refresh_context(user.id()), &c.refresh_token_sealed) {
        Ok(token) => match youtube::revoke(cfg, &token).await {
            Ok(()) => {}
            Err(e @ GoogleError::Unavailable(_)) => return Err(google_error(e, false)),
            Err(e) => tracing::warn!(error = %e, "Google did not revoke a YouTube grant"),
        },
        Err(e) => tracing::warn!(error = %e, "a stored YouTube token does not open"),
    }
    state
        .db
        .delete_youtube_connection(user.id())
        .await
        .map_err(no_connection)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An access token for the user's connection: the stored one while it lives, else a fresh
/// one from the refresh token (`force`: the stored one was just refused).
async fn access_token(
    state: &AppState,
    cfg: &YoutubeSettings,
    key: &DataKey,
    c: &Connection,
    force: bool,
) -> ApiResult<String> {
    let user = c.user_id;
    if c.broken_at.is_some() {
        return Err(reconnect());
    }
    let margin = routix_store::now() + TimeDelta::seconds(EXPIRY_MARGIN_SECONDS);
    if let (false, Some(sealed), Some(expires)) =
        (force, &c.access_token_sealed, c.access_expires_at)
    {
        if expires > margin {
            if let Ok(token) = key.open(&access_context(user), sealed) {
                return Ok(token);
            }
        }
    }
    let Ok(refresh_token) = key.open(&refresh_context(user), &c.refresh_token_sealed) else {
        tracing::error!(%user, "a stored YouTube refresh token does not open (DATA_ENCRYPTION_KEY changed?)");
        state.db.mark_youtube_broken(user).await?;
        return Err(reconnect());
    };
    let tokens = match youtube::refresh(cfg, &refresh_token).await {
        Ok(t) => t,
        Err(GoogleError::InvalidGrant) => {
            tracing::info!(%user, "Google refused a YouTube refresh token; reconnect needed");
            state.db.mark_youtube_broken(user).await?;
            return Err(reconnect());
        }
        Err(e) => return Err(google_error(e, false)),
    };
    let expires = routix_store::now() + TimeDelta::seconds(tokens.expires_in.max(0));
    let rotated = tokens
        .refresh_token
        .as_deref()
        .map(|r| key.seal(&refresh_context(user), r));
    state
        .db
        .update_youtube_tokens(
            user,
            &key.seal(&access_context(user), &tokens.access_token),
            expires,
            rotated.as_deref(),
        )
        .await?;
    Ok(tokens.access_token)
}

/// The calls of one request on the user's channel: one access token for all of them,
/// refreshed (once) when YouTube refuses it.
struct Session<'a> {
    state: &'a AppState,
    cfg: &'a YoutubeSettings,
    key: &'a DataKey,
    connection: Connection,
    token: Option<String>,
    refreshed: bool,
}

impl<'a> Session<'a> {
    async fn open(
        state: &'a AppState,
        cfg: &'a YoutubeSettings,
        key: &'a DataKey,
        user: UserId,
    ) -> ApiResult<Session<'a>> {
        let connection = match state.db.youtube_connection(user).await {
            Ok(c) if c.broken_at.is_some() => return Err(reconnect()),
            Ok(c) => c,
            Err(StoreError::NotFound) => return Err(not_connected()),
            Err(e) => return Err(e.into()),
        };
        Ok(Session {
            state,
            cfg,
            key,
            connection,
            token: None,
            refreshed: false,
        })
    }

    async fn token(&mut self, force: bool) -> ApiResult<String> {
        let token = access_token(self.state, self.cfg, self.key, &self.connection, force).await?;
        self.token = Some(token.clone());
        Ok(token)
    }

    /// One YouTube call; `publishing`: it is `thumbnails.set` (for the error's wording).
    async fn call<T, F, Fut>(&mut self, publishing: bool, call: F) -> ApiResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, GoogleError>>,
    {
        let token = match self.token.clone() {
            Some(t) => t,
            None => self.token(false).await?,
        };
        let result = match call(token).await {
            Err(GoogleError::Unauthorized) if !self.refreshed => {
                self.refreshed = true;
                call(self.token(true).await?).await
            }
            other => other,
        };
        result.map_err(|e| google_error(e, publishing))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct VideosQuery {
    /// How many recent uploads, 1 to 50 (default 25).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VideoView {
    pub id: String,
    pub title: String,
    /// The video's current thumbnail.
    pub thumbnail_url: Option<String>,
    pub published_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VideosView {
    pub channel_id: String,
    pub channel_title: String,
    /// Newest first.
    pub items: Vec<VideoView>,
}

#[utoipa::path(get, path = "/api/v1/youtube/videos", tag = "youtube", params(VideosQuery),
    responses((status = 200, body = VideosView, description = "the connected channel's recent uploads"),
              (status = 400, description = "malformed query"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "YouTube refused access to the channel"),
              (status = 409, description = "no channel connected, or it must be reconnected"),
              (status = 422, description = "limit out of range"),
              (status = 429, description = "YouTube is rate-limiting this channel; retry later"),
              (status = 502, description = "YouTube refused the request"),
              (status = 503, description = "not configured, YouTube unavailable or its quota used up; retry later")),
    security(("bearer" = [])))]
pub async fn videos(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<VideosQuery>,
) -> ApiResult<Json<VideosView>> {
    let (cfg, key) = configured(&state)?;
    let limit = q.limit.unwrap_or(25);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::validation("limit must be between 1 and 50"));
    }
    let mut session = Session::open(&state, cfg, key, user.id()).await?;
    let channel = session
        .call(false, |t| async move { youtube::my_channel(cfg, &t).await })
        .await?
        .ok_or_else(reconnect)?;
    let items = match channel.uploads_playlist.as_deref() {
        None => Vec::new(),
        Some(playlist) => {
            session
                .call(false, |t| async move {
                    youtube::uploads(cfg, &t, playlist, limit).await
                })
                .await?
        }
    };
    Ok(Json(VideosView {
        channel_id: channel.id,
        channel_title: channel.title,
        items: items
            .into_iter()
            .map(|v| VideoView {
                id: v.id,
                title: v.title,
                thumbnail_url: v.thumbnail_url,
                published_at: v.published_at,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// The YouTube video's id (11 characters), from `GET /youtube/videos`.
    pub video_id: String,
    /// Which variant of a multi-variant generation (0 = the first, the default).
    #[schema(minimum = 0, maximum = 3)]
    pub variant: Option<u32>,
}

/// YouTube video ids: 11 characters of the URL-safe base64 alphabet.
fn valid_video_id(id: &str) -> bool {
    id.len() == 11
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The image as YouTube takes it: JPEG or PNG up to 2 MB as stored, anything else (WebP,
/// or too large) re-encoded as JPEG, at lower quality and then smaller until it fits.
pub fn thumbnail_upload(bytes: Bytes) -> ApiResult<(Bytes, &'static str)> {
    use image::ImageFormat;
    let format = image::guess_format(&bytes).ok();
    if bytes.len() <= youtube::MAX_THUMBNAIL_BYTES {
        match format {
            Some(ImageFormat::Jpeg) => return Ok((bytes, "image/jpeg")),
            Some(ImageFormat::Png) => return Ok((bytes, "image/png")),
            _ => {}
        }
    }
    let img = image::load_from_memory(&bytes).map_err(|e| {
        tracing::error!(error = %e, "stored image cannot be decoded");
        ApiError::internal()
    })?;
    let encode = |img: &image::RgbImage, quality: u8| -> ApiResult<Vec<u8>> {
        let mut out = Vec::new();
        img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, quality,
        ))
        .map_err(|e| {
            tracing::error!(error = %e, "JPEG encoding failed");
            ApiError::internal()
        })?;
        Ok(out)
    };
    let full = img.to_rgb8();
    let smaller = img
        .resize(1280, 720, image::imageops::FilterType::Triangle)
        .to_rgb8();
    for (img, quality) in [
        (&full, 90),
        (&full, 80),
        (&full, 70),
        (&full, 60),
        (&smaller, 60),
        (&smaller, 40),
    ] {
        let out = encode(img, quality)?;
        if out.len() <= youtube::MAX_THUMBNAIL_BYTES {
            return Ok((Bytes::from(out), "image/jpeg"));
        }
    }
    Err(ApiError::validation(
        "this image can't be made smaller than YouTube's 2 MB limit",
    ))
}

#[utoipa::path(post, path = "/api/v1/generations/{id}/publish", tag = "youtube", request_body = PublishRequest,
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = PublicationView, description = "set as the video's thumbnail, and recorded"),
              (status = 400, description = "malformed JSON"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "YouTube won't set a custom thumbnail for this video (channel not allowed custom thumbnails, or not its video)"),
              (status = 404, description = "no such finished generation of yours, or no such video on the channel"),
              (status = 409, description = "no channel connected, or it must be reconnected"),
              (status = 415, description = "not JSON"),
              (status = 422, description = "malformed video id or unknown variant"),
              (status = 429, description = "YouTube is rate-limiting thumbnail uploads; retry later"),
              (status = 502, description = "YouTube refused the request"),
              (status = 503, description = "not configured, YouTube unavailable or its quota used up; retry later")),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
    Json(req): Json<PublishRequest>,
) -> ApiResult<Json<PublicationView>> {
    let (cfg, key) = configured(&state)?;
    let video_id = req.video_id.trim().to_string();
    if !valid_video_id(&video_id) {
        return Err(ApiError::validation(
            "video_id must be a YouTube video id (11 letters, digits, - or _)",
        ));
    }
    let g = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(store_404)?;
    let (Some(main), GenerationStatus::Completed) = (g.result_key.as_deref(), g.status) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_ready",
            "the generation has no image (yet)",
        ));
    };
    let variant = req.variant.unwrap_or(0);
    let blob_key = if variant == 0 {
        main
    } else {
        g.details
            .as_ref()
            .and_then(|d| d.get("variants"))
            .and_then(|list| list.as_array())
            .and_then(|list| {
                list.iter()
                    .find(|x| x.get("index").and_then(|i| i.as_u64()) == Some(u64::from(variant)))
            })
            .and_then(|x| x.get("key"))
            .and_then(|k| k.as_str())
            .ok_or_else(|| {
                ApiError::validation(format!("this generation has no variant {variant}"))
            })?
    };
    let mut session = Session::open(&state, cfg, key, user.id()).await?;
    let stored = state.blobs.get(blob_key).await.map_err(store_404)?;
    let (image, content_type) = routix_engine::cpu::run(move || thumbnail_upload(stored))
        .await
        .map_err(|_| ApiError::internal())??;
    let video = video_id.as_str();
    session
        .call(true, |t| {
            let image = image.clone();
            async move { youtube::set_thumbnail(cfg, &t, video, image, content_type).await }
        })
        .await?;
    let publication = state
        .db
        .record_publication(
            id,
            user.id(),
            &video_id,
            &session.connection.channel_id,
            i32::try_from(variant).unwrap_or(0),
        )
        .await?;
    tracing::info!(generation = %id, "thumbnail published to YouTube");
    Ok(Json(publication.into()))
}
