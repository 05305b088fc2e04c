//! Admin broadcasts: a message every signed-in user sees, live over the WebSocket (frames
//! `broadcast` and `broadcast_ended` on `BROADCAST_TOPIC`, which every connection follows) and
//! on their next page load (`GET /broadcasts/active`).

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post},
    Router,
};
use chrono::{DateTime, Utc};
use routix_store::{
    audit::Actor,
    broadcasts::{Broadcast, Level},
    BroadcastId, StoreError,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::{
    auth::{AdminUser, AuthUser},
    error::{ApiError, ApiResult},
    extract::{Json, Path},
    state::AppState,
};

/// The event-bus topic every WebSocket connection follows for broadcasts.
pub const BROADCAST_TOPIC: &str = "broadcasts";
/// Longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/broadcast", post(create))
        .route("/admin/broadcast/{id}", delete(end))
        .route("/broadcasts/active", get(active))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBroadcast {
    /// 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub message: String,
    /// `info` (default), `warning` or `critical`.
    #[schema(pattern = "^(info|warning|critical)$")]
    pub level: Option<String>,
    /// When it stops showing (must be in the future); absent: until an admin ends it.
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// An admin message.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BroadcastView {
    id: uuid::Uuid,
    message: String,
    /// `info`, `warning` or `critical`.
    level: String,
    created_by: Option<uuid::Uuid>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
}

#[utoipa::path(post, path = "/api/v1/admin/broadcast", tag = "admin", request_body = NewBroadcast,
    responses((status = 201, body = BroadcastView, description = "shown to every signed-in user from now"),
              (status = 400, description = "malformed JSON"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "not an admin"),
              (status = 415, description = "not JSON"),
              (status = 422, description = "an empty or over-long message, an unknown level, or an expiry in the past")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    admin: AdminUser,
    Json(req): Json<NewBroadcast>,
) -> ApiResult<(StatusCode, Json<Broadcast>)> {
    let message = req.message.trim();
    if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::validation("message must be 1 to 500 characters"));
    }
    let level = match req.level.as_deref() {
        None => Level::Info,
        Some(l) => Level::parse(l)
            .ok_or_else(|| ApiError::validation("level must be info, warning or critical"))?,
    };
    if req.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::validation("expires_at must be in the future"));
    }
    let broadcast = state
        .db
        .create_broadcast(Actor::Admin(admin.0.id()), message, level, req.expires_at)
        .await?;
    state
        .events
        .publish(
            BROADCAST_TOPIC,
            &json!({"type": "broadcast", "broadcast": broadcast}),
        )
        .await;
    tracing::info!(admin = %admin.0.id(), broadcast = %broadcast.id, "broadcast started");
    Ok((StatusCode::CREATED, Json(broadcast)))
}

#[utoipa::path(delete, path = "/api/v1/admin/broadcast/{id}", tag = "admin",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "ended: no longer shown"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "not an admin"),
              (status = 404, description = "no such broadcast, or already ended")),
    security(("bearer" = [])))]
pub async fn end(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<BroadcastId>,
) -> ApiResult<StatusCode> {
    state
        .db
        .end_broadcast(Actor::Admin(admin.0.id()), id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found("broadcast"),
            other => other.into(),
        })?;
    state
        .events
        .publish(
            BROADCAST_TOPIC,
            &json!({"type": "broadcast_ended", "id": id}),
        )
        .await;
    tracing::info!(admin = %admin.0.id(), broadcast = %id, "broadcast ended");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/broadcasts/active", tag = "users",
    responses((status = 200, body = [BroadcastView], description = "what to show now, newest first"),
              (status = 401, description = "not signed in")),
    security(("bearer" = [])))]
pub async fn active(
    State(state): State<AppState>,
    _user: AuthUser,
) -> ApiResult<Json<Vec<Broadcast>>> {
    Ok(Json(state.db.active_broadcasts().await?))
}
