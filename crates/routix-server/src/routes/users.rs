//! The signed-in user's own account.

use axum::{extract::State, http::StatusCode, routing::get, Router};
use chrono::{DateTime, Utc};
use routix_store::users::{Plan, ProfileChange, Role, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/users/me", get(me).patch(update_me).delete(delete_me))
}

pub const LOCALES: [&str; 2] = ["en", "fa"];

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(value_type = uuid::Uuid)]
    pub id: routix_store::UserId,
    pub email: String,
    pub display_name: String,
    /// `en` or `fa`.
    pub locale: String,
    #[schema(value_type = String, example = "user")]
    pub role: Role,
    #[schema(value_type = String, example = "free")]
    pub plan: Plan,
    /// Whether the owner opened the confirmation link mailed to `email`.
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            locale: u.locale,
            role: u.role,
            plan: u.plan,
            email_verified: u.email_verified_at.is_some(),
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// 1 to 80 characters, no control characters.
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub display_name: Option<String>,
    /// `en` or `fa`.
    #[schema(pattern = "^(en|fa)$")]
    pub locale: Option<String>,
}

pub fn validate_display_name(name: &str) -> Result<&str, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ApiError::validation(
            "display_name must be 1 to 80 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "display_name must not contain control characters",
        ));
    }
    Ok(name)
}

#[utoipa::path(get, path = "/api/v1/users/me", tag = "users",
    responses((status = 200, body = UserView), (status = 401, description = "not signed in")),
    security(("bearer" = [])))]
pub async fn me(user: AuthUser) -> Json<UserView> {
    Json(user.user.into())
}

#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", request_body = UpdateMe,
    responses((status = 200, body = UserView), (status = 422, description = "invalid field")),
    security(("bearer" = [])))]
pub async fn update_me(
    State(state): State<AppState>,
    user: AuthUser,
    Json(change): Json<UpdateMe>,
) -> ApiResult<Json<UserView>> {
    let display_name = change
        .display_name
        .as_deref()
        .map(validate_display_name)
        .transpose()?;
    if let Some(locale) = &change.locale {
        if !LOCALES.contains(&locale.as_str()) {
            return Err(ApiError::validation("locale must be \"en\" or \"fa\""));
        }
    }
    let updated = state
        .db
        .update_profile(
            user.id(),
            ProfileChange {
                display_name,
                locale: change.locale.as_deref(),
            },
        )
        .await?;
    Ok(Json(updated.into()))
}

#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users",
    responses((status = 204, description = "account deleted; all sessions revoked")),
    security(("bearer" = [])))]
pub async fn delete_me(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    state.db.soft_delete_user(user.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}
