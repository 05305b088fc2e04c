//! Registration, login (JSON or OAuth2 password form), refresh-token rotation, logout.

use std::{net::SocketAddr, time::Duration};

use axum::{
    extract::{ConnectInfo, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use bytes::Bytes;
use routix_store::{
    tokens::Rotation,
    users::{NewUser, Role, User},
    StoreError,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{
        decoy_hash, hash_password, hash_refresh_token, new_refresh_token, verify_password,
        TokenType,
    },
    config::Environment,
    error::{ApiError, ApiResult},
    extract::Json,
    routes::users::{validate_display_name, UserView},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// An email address (at most 254 characters).
    #[schema(
        max_length = 254,
        pattern = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    )]
    pub email: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// 1 to 80 characters, no control characters (default: the email's local part).
    #[schema(min_length = 1, max_length = 80, pattern = r"\S")]
    pub display_name: Option<String>,
    /// `en` (default) or `fa`.
    #[schema(pattern = "^(en|fa)$")]
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize)]
struct OAuth2Form {
    username: String,
    password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LogoutRequest {
    pub refresh_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserView,
}

/// A syntactically valid, normalised (trimmed, lower-cased) email address.
pub fn normalise_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let invalid = || ApiError::validation("email is not a valid address");
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

pub(crate) fn validate_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(ApiError::validation("password must be 8 to 128 characters"));
    }
    Ok(())
}

pub(crate) async fn hash_off_runtime(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| ApiError::internal())?
}

pub(crate) async fn verify_off_runtime(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Issues an access token and starts a new refresh-token family.
async fn issue_tokens(state: &AppState, user: User) -> ApiResult<TokenResponse> {
    let ttl = state.settings.access_token_minutes * 60;
    let access_token = state
        .keys
        .issue(user.id, user.role, TokenType::Access, ttl)?;
    let (refresh_token, hash) = new_refresh_token();
    let expires = chrono::Utc::now() + chrono::Duration::days(state.settings.refresh_token_days);
    state
        .db
        .store_refresh_token(user.id, &hash, expires)
        .await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "bearer",
        expires_in: ttl,
        user: user.into(),
    })
}

/// Creates an account (used by the API and by `routix admin create-user`).
pub async fn create_account(
    state_db: &routix_store::Db,
    email: &str,
    password: &str,
    display_name: Option<&str>,
    locale: Option<&str>,
    role: Role,
    credits: i64,
) -> ApiResult<User> {
    let email = normalise_email(email)?;
    validate_password(password)?;
    let fallback_name = email.split('@').next().unwrap_or("creator").to_string();
    let display_name = match display_name {
        Some(name) => validate_display_name(name)?.to_string(),
        None => fallback_name,
    };
    let locale = locale.unwrap_or("en");
    if !crate::routes::users::LOCALES.contains(&locale) {
        return Err(ApiError::validation("locale must be \"en\" or \"fa\""));
    }
    let password_hash = hash_off_runtime(password.to_string()).await?;
    state_db
        .create_user(NewUser {
            email: &email,
            password_hash: &password_hash,
            display_name: &display_name,
            locale,
            role,
            credits,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                "email_taken",
                "an account with this email already exists",
            ),
            other => other.into(),
        })
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = TokenResponse, description = "account created; a verification link is mailed"),
              (status = 409, description = "email taken"),
              (status = 422, description = "invalid email or password")))]
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<RegisterRequest>,
) -> ApiResult<Response> {
    let user = create_account(
        &state.db,
        &req.email,
        &req.password,
        req.display_name.as_deref(),
        req.locale.as_deref(),
        Role::User,
        state.settings.free_credits,
    )
    .await?;
    // Queued, not sent: a mail server that is down never fails a registration.
    if let Err(e) = crate::mail::links::send_verification(&state, &user).await {
        tracing::error!(user = %user.id, error = %e, "could not queue the verification mail");
    }
    let tokens = issue_tokens(&state, user).await?;
    Ok(respond(&state, &headers, StatusCode::CREATED, tokens))
}

/// The web UI marks its requests; it gets the refresh token as an HttpOnly cookie (never
/// readable by scripts) instead of in the body. Requiring this header on cookie-based
/// refresh and logout is also the CSRF guard: a cross-site form cannot set it.
pub const WEB_CLIENT_HEADER: &str = "x-routix-client";
const REFRESH_COOKIE: &str = "routix_refresh";

fn is_web(headers: &HeaderMap) -> bool {
    headers
        .get(WEB_CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "web")
}

/// The refresh cookie; `Secure` in production, where the site is served over HTTPS (plain
/// HTTP on a developer's machine would otherwise lose the session).
fn refresh_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.settings.environment == Environment::Production {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{REFRESH_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/api/v1/auth; Max-Age={max_age}{secure}"
    )
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == REFRESH_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

fn respond(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    mut tokens: TokenResponse,
) -> Response {
    if !is_web(headers) {
        return (status, Json(tokens)).into_response();
    }
    let cookie = refresh_cookie(
        state,
        &tokens.refresh_token,
        state.settings.refresh_token_days * 86_400,
    );
    tokens.refresh_token = String::new();
    let mut response = (status, Json(tokens)).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// The refresh token from the body, or (web clients only) from the cookie.
fn presented_token(headers: &HeaderMap, body: &Bytes) -> ApiResult<String> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
        v.get("refresh_token")
            .and_then(|t| t.as_str())
            .map(str::to_string)
            .filter(|t| !t.trim().is_empty())
    };
    if let Some(t) = from_body {
        return Ok(t);
    }
    if is_web(headers) {
        if let Some(t) = cookie_token(headers) {
            return Ok(t);
        }
    }
    Err(ApiError::unauthorized("missing refresh token"))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body(content = LoginRequest, description = "JSON `{email, password}`, or an OAuth2 password form (`username`, `password`) as application/x-www-form-urlencoded"),
    responses((status = 200, body = TokenResponse), (status = 401, description = "wrong email or password"),
              (status = 429, description = "too many failed attempts; see Retry-After")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let (email, password) = if is_form {
        let form: OAuth2Form = serde_urlencoded::from_bytes(&body)
            .map_err(|e| ApiError::validation(format!("invalid login form: {e}")))?;
        (form.username, form.password)
    } else {
        let json: LoginRequest = serde_json::from_slice(&body).map_err(|e| {
            if e.is_data() {
                ApiError::validation(format!("invalid login body: {e}"))
            } else {
                ApiError::bad_request(format!("malformed JSON: {e}"))
            }
        })?;
        (json.email, json.password)
    };
    let email = email.trim().to_lowercase();

    let window = Duration::from_secs(state.settings.login_lockout_seconds);
    let max = u64::from(state.settings.login_max_failures);
    let account_key = format!("login:acct:{email}");
    let ip_key = format!("login:ip:{}", peer.ip());
    // An address may be shared (an office, a school), so it gets a wider allowance than one
    // account; it still stops one client from spraying passwords over many accounts.
    for (key, limit) in [(&account_key, max), (&ip_key, max * 4)] {
        let w = state.limiter.peek(key, window).await;
        if w.count >= limit {
            return Err(ApiError::too_many(
                w.resets_in,
                "too many failed sign-in attempts; try again later",
            ));
        }
    }

    let user = state.db.user_by_email(&email).await;
    let hash = match &user {
        Ok(u) => u.password_hash.clone(),
        Err(StoreError::NotFound) => decoy_hash().to_string(),
        Err(_) => return Err(ApiError::internal()),
    };
    let ok = verify_off_runtime(password, hash).await;
    match user {
        Ok(user) if ok => {
            state.limiter.reset(&account_key).await;
            state.db.record_login(user.id).await?;
            let tokens = issue_tokens(&state, user).await?;
            Ok(respond(&state, &headers, StatusCode::OK, tokens))
        }
        _ => {
            state.limiter.hit(&account_key, window).await;
            state.limiter.hit(&ip_key, window).await;
            Err(ApiError::unauthorized("wrong email or password"))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse),
              (status = 401, description = "invalid, expired, revoked or already-used token (a reused token revokes its whole chain)")))]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let presented = hash_refresh_token(presented_token(&headers, &body)?.trim());
    let (next, next_hash) = new_refresh_token();
    let expires = chrono::Utc::now() + chrono::Duration::days(state.settings.refresh_token_days);
    match state
        .db
        .rotate_refresh_token(&presented, &next_hash, expires)
        .await?
    {
        Rotation::Rotated { user_id } => {
            let user = state.db.user_by_id(user_id).await?;
            let ttl = state.settings.access_token_minutes * 60;
            let tokens = TokenResponse {
                access_token: state
                    .keys
                    .issue(user.id, user.role, TokenType::Access, ttl)?,
                refresh_token: next,
                token_type: "bearer",
                expires_in: ttl,
                user: user.into(),
            };
            Ok(respond(&state, &headers, StatusCode::OK, tokens))
        }
        Rotation::Reused => {
            tracing::warn!("refresh token reused; its session chain was revoked");
            Err(ApiError::unauthorized(
                "refresh token already used; please sign in again",
            ))
        }
        Rotation::Invalid => Err(ApiError::unauthorized("invalid or expired refresh token")),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    request_body(content = Option<LogoutRequest>, description = "Optional: without a body (or a `refresh_token`) the `routix_refresh` cookie is used."),
    responses((status = 204, description = "the session's refresh tokens are revoked")))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    // The body is optional, but one that is sent must be a `LogoutRequest`.
    if !body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_slice::<Option<LogoutRequest>>(&body)
            .map_err(|e| ApiError::validation(format!("invalid logout body: {e}")))?;
    }
    if let Ok(token) = presented_token(&headers, &body) {
        state
            .db
            .revoke_refresh_token(&hash_refresh_token(token.trim()))
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if is_web(&headers) {
        if let Ok(v) = HeaderValue::from_str(&refresh_cookie(&state, "", 0)) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_valid_emails() {
        assert_eq!(
            normalise_email("  Ali@Example.COM ").unwrap(),
            "ali@example.com"
        );
        assert_eq!(
            normalise_email("a.b+c@sub.example.ir").unwrap(),
            "a.b+c@sub.example.ir"
        );
    }

    #[test]
    fn rejects_invalid_emails() {
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@",
            "a@b",
            "a b@c.com",
            "a@b..com",
            "a@.com",
            "a@@b.com",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }
}
