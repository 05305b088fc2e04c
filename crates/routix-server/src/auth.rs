//! Credentials: argon2id password hashes, HS256 access tokens, opaque refresh tokens (only
//! their hashes are stored), and the `AuthUser` extractor that guards routes.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use routix_store::{
    users::{Role, User},
    UserId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{error::ApiError, state::AppState};

/// Hashes a password with argon2id and a random salt (CPU-heavy: call off the async runtime).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A valid hash of a random password, verified against when the email is unknown so that a
/// login's timing does not reveal whether an account exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut pw = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut pw);
        hash_password(&hex::encode(pw)).unwrap_or_default()
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    /// Short-lived, single-purpose: opening a WebSocket without putting the access token in a URL.
    WsTicket,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(rename = "typ")]
    pub token_type: TokenType,
    pub role: Role,
    /// Unique token id (used to make tickets one-time).
    #[serde(default)]
    pub jti: String,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn issue(
        &self,
        user: UserId,
        role: Role,
        token_type: TokenType,
        ttl_seconds: i64,
    ) -> Result<String, ApiError> {
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.to_string(),
            exp: iat + ttl_seconds,
            iat,
            token_type,
            role,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "token signing failed");
            ApiError::internal()
        })
    }

    /// Verifies signature, expiry and type. Any failure is just "invalid": the reason is not
    /// the caller's business.
    pub fn verify(&self, token: &str, expected: TokenType) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        (data.claims.token_type == expected).then_some(data.claims)
    }
}

/// A new opaque refresh token and the hash that is stored for it.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in user, from `Authorization: Bearer <access token>`. Rejects with 401.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
}

impl AuthUser {
    pub fn id(&self) -> UserId {
        self.user.id
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| ApiError::unauthorized("expected `Authorization: Bearer <token>`"))?;
        let user = state.authenticate(token.trim(), TokenType::Access).await?;
        parts.extensions.insert(user.id);
        Ok(AuthUser { user })
    }
}

/// An `AuthUser` with the admin role; anyone else gets 403.
pub struct AdminUser(pub AuthUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if user.user.role != Role::Admin {
            return Err(ApiError::forbidden("administrators only"));
        }
        Ok(AdminUser(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_verify_only_with_the_same_key_and_type() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let user = UserId::new();
        let token = keys.issue(user, Role::User, TokenType::Access, 60).unwrap();
        let claims = keys.verify(&token, TokenType::Access).unwrap();
        assert_eq!(claims.sub, user.to_string());
        assert_eq!(claims.exp - claims.iat, 60);
        assert!(keys.verify(&token, TokenType::WsTicket).is_none());
        let other = TokenKeys::new(b"another-key-another-key-another-key");
        assert!(other.verify(&token, TokenType::Access).is_none());
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys
            .issue(UserId::new(), Role::User, TokenType::Access, -5)
            .unwrap();
        assert!(keys.verify(&token, TokenType::Access).is_none());
    }

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
