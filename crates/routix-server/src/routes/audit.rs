//! The admin audit log: `GET /admin/audit`. Rows are written by the store functions that
//! make admin changes, in the change's own transaction (`routix_store::audit`).

use axum::{extract::State, routing::get, Router};
use routix_store::{
    audit::{AuditFilter, AuditRecord},
    Page,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::AdminUser,
    error::{ApiError, ApiResult},
    extract::{Json, Query},
    routes::PageQuery,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// An admin's user id, or `cli` for changes made with `routix admin`.
    #[param(pattern = r"^(|[A-Za-z0-9_.-]{1,64})$")]
    pub actor: Option<String>,
    /// A kind (`user`, `bank_item`, `plan`, `pack`, `broadcast`), or `kind:id` for one thing.
    #[param(pattern = r"^(|[A-Za-z0-9_.-]{1,64}(:[A-Za-z0-9_.-]{1,64})?)$")]
    pub target: Option<String>,
}

/// One admin change.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AuditView {
    id: uuid::Uuid,
    /// An admin's user id, or `cli`.
    actor: String,
    /// The admin's address, while the account exists.
    actor_email: Option<String>,
    /// `credits.grant`, `user.plan`, `user.role`, `bank_item.update`, `bank_item.delete`,
    /// `plan.update`, `pack.update`, `broadcast.create`, `broadcast.end`...
    action: String,
    target_kind: String,
    target_id: String,
    /// The state before; null for a creation.
    before: Option<serde_json::Value>,
    /// The state after; null for a deletion.
    after: Option<serde_json::Value>,
    created_at: chrono::DateTime<chrono::Utc>,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = crate::routes::PageOf<AuditView>, description = "newest first"),
              (status = 400, description = "a cursor that is not a `next_cursor`"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "not an admin"),
              (status = 422, description = "limit outside 1 to 100, or a malformed actor or target")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    let (cursor, limit) = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    }
    .parse()?;
    // Ids are recorded in their lowercase hyphenated form.
    let actor =
        q.actor
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(|a| match uuid::Uuid::parse_str(a) {
                Ok(id) => id.hyphenated().to_string(),
                Err(_) => a.to_string(),
            });
    if actor.as_deref().is_some_and(|a| !is_token(a)) {
        return Err(ApiError::validation(
            "actor must be an admin's user id or cli",
        ));
    }
    let (target_kind, target_id) = match q.target.as_deref() {
        None | Some("") => (None, None),
        Some(t) => match t.split_once(':') {
            Some((kind, id)) => (Some(kind), Some(id)),
            None => (Some(t), None),
        },
    };
    if target_kind.is_some_and(|k| !is_token(k)) || target_id.is_some_and(|i| !is_token(i)) {
        return Err(ApiError::validation(
            "target must be a kind such as user, or kind:id",
        ));
    }
    let filter = AuditFilter {
        actor: actor.as_deref(),
        target_kind,
        target_id,
    };
    Ok(Json(state.db.audit_log(&filter, cursor, limit).await?))
}
