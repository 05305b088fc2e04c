//! The admin panel's API: accounts, credits, plans, every generation, provider health.
//! Every handler takes `AdminUser`, so a non-admin token gets 403 before anything runs, and
//! every change is written to the audit log (`routes::audit`) in the change's transaction.

use axum::{extract::State, routing::get, routing::post, Router};
use routix_store::{audit::Actor, users::Plan, Page, StoreError, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AdminUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path, Query},
    routes::{generations::GenerationView, users::UserView},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users))
        .route("/admin/users/{id}", axum::routing::patch(update_user))
        .route("/admin/users/{id}/credits", post(grant))
        .route(
            "/admin/users/{id}/verification/resend",
            post(resend_verification),
        )
        .route("/admin/generations", get(list_generations))
        .route("/admin/providers", get(providers))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    #[serde(flatten)]
    pub user: UserView,
    pub balance: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Part of an email address.
    pub search: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", params(UserQuery),
    responses((status = 200, body = crate::routes::PageOf<AdminUserView>), (status = 403, description = "not an admin")),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<UserQuery>,
) -> ApiResult<Json<Page<AdminUserView>>> {
    let (cursor, limit) = crate::routes::PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    }
    .parse()?;
    let page = state
        .db
        .list_users(
            q.search.as_deref().filter(|s| !s.trim().is_empty()),
            cursor,
            limit,
        )
        .await?;
    Ok(Json(page.map(|(user, balance)| AdminUserView {
        user: user.into(),
        balance,
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUser {
    /// `free`, `pro`, `agency` or `enterprise`.
    #[schema(pattern = "^(free|pro|agency|enterprise)$")]
    pub plan: Option<String>,
    /// `user` or `admin`.
    #[schema(pattern = "^(user|admin)$")]
    pub role: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", request_body = UpdateUser,
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = AdminUserView), (status = 404, description = "no such account"),
              (status = 409, description = "an admin taking away their own admin role (`own_admin_role`): another admin must do it")),
    security(("bearer" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<UserId>,
    Json(req): Json<UpdateUser>,
) -> ApiResult<Json<AdminUserView>> {
    let plan = req
        .plan
        .as_deref()
        .map(|p| {
            Plan::parse(p)
                .ok_or_else(|| ApiError::validation("plan must be free, pro, agency or enterprise"))
        })
        .transpose()?;
    let role = match req.role.as_deref() {
        None => None,
        Some("user") => Some(routix_store::users::Role::User),
        Some("admin") => Some(routix_store::users::Role::Admin),
        Some(_) => return Err(ApiError::validation("role must be user or admin")),
    };
    if role == Some(routix_store::users::Role::User) && admin.0.id() == id {
        // A sound request that the account's state forbids: another admin must do it.
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "own_admin_role",
            "you can't remove your own admin role; another admin can",
        ));
    }
    let missing = |e: StoreError| match e {
        StoreError::NotFound => ApiError::not_found("user"),
        other => other.into(),
    };
    if let Some(plan) = plan {
        state
            .db
            .set_plan(Actor::Admin(admin.0.id()), id, plan)
            .await
            .map_err(missing)?;
        // A plan with monthly credits gives this month's at once, not at the next run (which
        // grants them anyway if this attempt fails).
        if let Err(e) = crate::grants::run_once(&state.db).await {
            tracing::warn!(error = %e, "monthly plan credits not granted yet");
        }
    }
    if let Some(role) = role {
        state
            .db
            .set_role(Actor::Admin(admin.0.id()), id, role)
            .await
            .map_err(missing)?;
    }
    let user = state.db.user_by_id(id).await.map_err(missing)?;
    let balance = state.db.balance(id).await?;
    tracing::info!(admin = %admin.0.id(), user = %id, ?plan, ?role, "account changed by admin");
    Ok(Json(AdminUserView {
        user: user.into(),
        balance,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// Credits to add, 1 to 100000.
    #[schema(minimum = 1, maximum = 100000)]
    pub amount: i64,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    pub balance: i64,
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/credits", tag = "admin", request_body = GrantRequest,
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = BalanceView), (status = 404, description = "no such account"),
              (status = 422, description = "amount out of range")),
    security(("bearer" = [])))]
pub async fn grant(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<UserId>,
    Json(req): Json<GrantRequest>,
) -> ApiResult<Json<BalanceView>> {
    if !(1..=100_000).contains(&req.amount) {
        return Err(ApiError::validation("amount must be between 1 and 100000"));
    }
    let note = req
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("granted by an admin");
    let balance = state
        .db
        .grant_credits(Actor::Admin(admin.0.id()), id, req.amount, note)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found("user"),
            other => other.into(),
        })?;
    tracing::info!(admin = %admin.0.id(), user = %id, amount = req.amount, "credits granted");
    Ok(Json(BalanceView { balance }))
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/verification/resend", tag = "admin",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 202, description = "a new verification link is queued to the account's address"),
              (status = 404, description = "no such account"),
              (status = 409, description = "`already_verified`")),
    security(("bearer" = [])))]
pub async fn resend_verification(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<UserId>,
) -> ApiResult<axum::http::StatusCode> {
    let user = state.db.user_by_id(id).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("user"),
        other => other.into(),
    })?;
    if user.email_verified() {
        return Err(crate::routes::account::already_verified());
    }
    crate::mail::links::send_verification(&state, &user).await?;
    tracing::info!(admin = %admin.0.id(), user = %id, "verification mail resent by admin");
    Ok(axum::http::StatusCode::ACCEPTED)
}

#[utoipa::path(get, path = "/api/v1/admin/generations", tag = "admin",
    params(crate::routes::generations::ListQuery),
    responses((status = 200, body = crate::routes::PageOf<GenerationView>)),
    security(("bearer" = [])))]
pub async fn list_generations(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<crate::routes::generations::ListQuery>,
) -> ApiResult<Json<Page<GenerationView>>> {
    let (filter, cursor, limit) = q.filter()?;
    let page = state
        .db
        .list_generations(None, &filter, cursor, limit)
        .await?;
    Ok(Json(page.map(GenerationView::from)))
}

#[utoipa::path(get, path = "/api/v1/admin/providers", tag = "admin",
    responses((status = 200, description = "each configured provider with its circuit state")),
    security(("bearer" = [])))]
pub async fn providers(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(state.engine.health()))
}
