//! Getting into and keeping an account over mail: confirming the address, resetting a
//! forgotten password, changing a known one — and, when `REQUIRE_EMAIL_VERIFICATION` is on,
//! keeping unconfirmed accounts from creating generations.
//!
//! Links carry a one-time token (`crate::mail::links`). A token nobody issued answers 400
//! `invalid_token`; one that was used, replaced by a newer link, or expired answers 410
//! `token_gone`. A forgotten-password request answers 202 before it even looks the address
//! up, so neither its answer nor its timing tells whether an account exists.

use std::{net::SocketAddr, time::Duration};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::Response,
    routing::{patch, post},
    Router,
};
use routix_store::mail::{TokenEffect, TokenPurpose, TokenState, TokenUse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    auth::{hash_refresh_token, AuthUser, TokenType},
    error::{ApiError, ApiResult},
    extract::Json,
    mail::links,
    routes::auth::{hash_off_runtime, normalise_email, validate_password, verify_off_runtime},
    state::AppState,
};

/// Verification mails one account may ask for in `MAIL_WINDOW`.
const RESEND_LIMIT: u64 = 3;
/// Reset mails one address may be sent in `MAIL_WINDOW`.
const FORGOT_PER_ADDRESS: u64 = 3;
/// Reset requests one client address may make in `MAIL_WINDOW` (shared offices get more).
const FORGOT_PER_IP: u64 = 10;
const MAIL_WINDOW: Duration = Duration::from_secs(15 * 60);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/verify", post(verify))
        .route("/auth/verify/resend", post(resend))
        .route("/auth/password/forgot", post(forgot))
        .route("/auth/password/reset", post(reset))
        .route("/users/me/password", patch(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    /// The `token` of the mailed link `{PUBLIC_URL}/verify?token=…`.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotRequest {
    /// An email address (at most 254 characters).
    #[schema(
        max_length = 254,
        pattern = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    )]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    /// The `token` of the mailed link `{PUBLIC_URL}/reset?token=…`.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub token: String,
    /// The new password, 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
    /// This client's refresh token, whose session stays signed in; every other session of
    /// the account is signed out. Without it, all are.
    pub refresh_token: Option<String>,
}

fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_token",
        "this link is not valid; check that it was copied whole",
    )
}

fn token_gone() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "token_gone",
        "this link was already used, replaced by a newer one, or has expired; ask for a new one",
    )
}

/// A presented token, before it is looked up: anything that can't be one (43 characters of
/// URL-safe base64, as `links::new_token` mints them) is refused early.
fn presented(token: &str) -> ApiResult<String> {
    let well_formed = token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(invalid_token());
    }
    Ok(links::hash_token(token))
}

fn outcome(used: TokenUse) -> ApiResult<StatusCode> {
    match used {
        TokenUse::Applied { .. } => Ok(StatusCode::NO_CONTENT),
        TokenUse::Gone => Err(token_gone()),
        TokenUse::Unknown => Err(invalid_token()),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "auth", request_body = VerifyRequest,
    responses((status = 204, description = "the address is confirmed (`email_verified: true` on /users/me)"),
              (status = 400, description = "`invalid_token`: no such link", body = crate::routes::docs::ErrorBody),
              (status = 410, description = "`token_gone`: the link was used, replaced or has expired (24 h)", body = crate::routes::docs::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    Json(req): Json<VerifyRequest>,
) -> ApiResult<StatusCode> {
    let hash = presented(&req.token)?;
    let used = state
        .db
        .use_account_token(&hash, TokenEffect::VerifyEmail)
        .await?;
    if let TokenUse::Applied { user_id } = used {
        tracing::info!(user = %user_id, "email address confirmed");
    }
    outcome(used)
}

#[utoipa::path(post, path = "/api/v1/auth/verify/resend", tag = "auth",
    responses((status = 202, description = "a new link is queued; earlier links stop working"),
              (status = 409, description = "`already_verified`"),
              (status = 429, description = "three mails per 15 minutes; see Retry-After")),
    security(("bearer" = [])))]
pub async fn resend(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    if user.user.email_verified() {
        return Err(already_verified());
    }
    let w = state
        .limiter
        .hit(&format!("mail:verify:{}", user.id()), MAIL_WINDOW)
        .await;
    if w.count > RESEND_LIMIT {
        return Err(ApiError::too_many(
            w.resets_in,
            "a verification mail was sent a moment ago; check your inbox (and spam) or try again later",
        ));
    }
    links::send_verification(&state, &user.user).await?;
    Ok(StatusCode::ACCEPTED)
}

pub fn already_verified() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_verified",
        "this email address is already confirmed",
    )
}

#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotRequest,
    responses((status = 202, description = "if an account has this address, a reset link (valid 1 h) is on its way; the answer is the same when none has"),
              (status = 422, description = "not an email address"),
              (status = 429, description = "too many requests for this address or from this client; see Retry-After")))]
pub async fn forgot(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<ForgotRequest>,
) -> ApiResult<StatusCode> {
    let email = normalise_email(&req.email)?;
    for (key, limit) in [
        (format!("mail:forgot:addr:{email}"), FORGOT_PER_ADDRESS),
        (format!("mail:forgot:ip:{}", peer.ip()), FORGOT_PER_IP),
    ] {
        let w = state.limiter.hit(&key, MAIL_WINDOW).await;
        if w.count > limit {
            return Err(ApiError::too_many(
                w.resets_in,
                "too many password-reset requests; try again later",
            ));
        }
    }
    // Off the request path: the answer goes out before the address is even looked up.
    tokio::spawn(async move {
        match state.db.user_by_email(&email).await {
            Ok(user) => {
                if let Err(e) = links::send_password_reset(&state, &user).await {
                    tracing::error!(user = %user.id, error = %e, "could not queue a password-reset mail");
                }
            }
            Err(routix_store::StoreError::NotFound) => {}
            Err(e) => tracing::error!(error = %e, "password-reset lookup failed"),
        }
    });
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 204, description = "password changed; every session of the account is signed out"),
              (status = 400, description = "`invalid_token`: no such link", body = crate::routes::docs::ErrorBody),
              (status = 410, description = "`token_gone`: the link was used, replaced or has expired (1 h)", body = crate::routes::docs::ErrorBody),
              (status = 422, description = "the password breaks the rules")))]
pub async fn reset(
    State(state): State<AppState>,
    Json(req): Json<ResetRequest>,
) -> ApiResult<StatusCode> {
    let hash = presented(&req.token)?;
    validate_password(&req.password)?;
    // Cheap check first, so a bogus link costs no password hashing.
    match state
        .db
        .account_token_state(&hash, TokenPurpose::Reset)
        .await?
    {
        TokenState::Valid => {}
        TokenState::Gone => return Err(token_gone()),
        TokenState::Unknown => return Err(invalid_token()),
    }
    let password_hash = hash_off_runtime(req.password).await?;
    let used = state
        .db
        .use_account_token(
            &hash,
            TokenEffect::SetPassword {
                password_hash: &password_hash,
            },
        )
        .await?;
    if let TokenUse::Applied { user_id } = used {
        tracing::info!(user = %user_id, "password reset by mailed link; sessions revoked");
        // Whoever was locked out by failed sign-ins may sign in with the new password now.
        if let Ok(user) = state.db.user_by_id(user_id).await {
            state
                .limiter
                .reset(&format!("login:acct:{}", user.email))
                .await;
        }
    }
    outcome(used)
}

#[utoipa::path(patch, path = "/api/v1/users/me/password", tag = "users", request_body = ChangePasswordRequest,
    responses((status = 204, description = "password changed; other sessions are signed out"),
              (status = 403, description = "`wrong_password`: the current password does not match", body = crate::routes::docs::ErrorBody),
              (status = 422, description = "the new password breaks the rules"),
              (status = 429, description = "too many wrong current passwords; see Retry-After")),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    validate_password(&req.new_password)?;
    // A stolen access token must not become a way to guess the password.
    let key = format!("password:acct:{}", user.id());
    let window = Duration::from_secs(state.settings.login_lockout_seconds);
    let w = state.limiter.peek(&key, window).await;
    if w.count >= u64::from(state.settings.login_max_failures) {
        return Err(ApiError::too_many(
            w.resets_in,
            "too many wrong passwords; try again later",
        ));
    }
    if !verify_off_runtime(req.current_password, user.user.password_hash.clone()).await {
        state.limiter.hit(&key, window).await;
        // 403, not 401: the session is fine, the password is not.
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_password",
            "the current password is not right",
        ));
    }
    state.limiter.reset(&key).await;
    let password_hash = hash_off_runtime(req.new_password).await?;
    let keep = req
        .refresh_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(hash_refresh_token);
    state
        .db
        .change_password(user.id(), &password_hash, keep.as_deref())
        .await?;
    tracing::info!(user = %user.id(), "password changed; other sessions revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// With `REQUIRE_EMAIL_VERIFICATION` on, refuses new generations (and edits, which make one)
/// from accounts whose address is unconfirmed: 403 `email_unverified`. Requests without a
/// valid token pass through, for the route itself to answer 401.
pub async fn require_verified(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let creates = req.method() == Method::POST
        && req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str())
            .is_some_and(|p| p.ends_with("/generations") || p.ends_with("/edit"));
    if !state.settings.mail.require_verification || !creates {
        return Ok(next.run(req).await);
    }
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    if let Some(token) = token {
        if let Ok(user) = state.authenticate(token, TokenType::Access).await {
            if !user.email_verified() {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "email_unverified",
                    "confirm your email address first: open the link we mailed you, \
                     or ask for a new one (POST /api/v1/auth/verify/resend)",
                ));
            }
        }
    }
    Ok(next.run(req).await)
}
