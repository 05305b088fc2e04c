//! Refresh tokens. Only their SHA-256 hashes are stored. Each login starts a family; each
//! refresh uses up one token and issues the next of the same family. Presenting a used token
//! means it was stolen (or replayed), so the whole family is revoked.

use chrono::{DateTime, Utc};

use crate::{now, on_db, Db, Result, TokenFamilyId, UserId};

/// What happened when a refresh token was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was valid and is now used up; the new one is stored.
    Rotated { user_id: UserId },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used: the family has been revoked.
    Reused,
}

#[derive(sqlx::FromRow)]
struct Claimed {
    user_id: UserId,
    family_id: TokenFamilyId,
    expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Seen {
    family_id: TokenFamilyId,
    used_at: Option<DateTime<Utc>>,
}

impl Db {
    /// Stores the first token of a new family (a login).
    pub async fn store_refresh_token(
        &self,
        user_id: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.insert_refresh_token(user_id, TokenFamilyId::new(), token_hash, expires_at)
            .await
    }

    async fn insert_refresh_token(
        &self,
        user_id: UserId,
        family: TokenFamilyId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(TokenFamilyId::new())
            .bind(user_id)
            .bind(family)
            .bind(token_hash)
            .bind(expires_at)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Uses up the token with hash `presented` and stores `next` in its family. The claim is a
    /// single conditional UPDATE, so two concurrent refreshes with one token can't both win.
    pub async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &str,
        next_expires_at: DateTime<Utc>,
    ) -> Result<Rotation> {
        let at = now();
        let claimed: Option<Claimed> = on_db!(self, pool => sqlx::query_as(
            "UPDATE refresh_tokens SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL
             RETURNING user_id, family_id, expires_at")
            .bind(presented)
            .bind(at)
            .fetch_optional(pool)
            .await)?;
        if let Some(c) = claimed {
            if c.expires_at <= at {
                return Ok(Rotation::Invalid);
            }
            let user_alive = self.user_by_id(c.user_id).await.is_ok();
            if !user_alive {
                return Ok(Rotation::Invalid);
            }
            self.insert_refresh_token(c.user_id, c.family_id, next, next_expires_at)
                .await?;
            return Ok(Rotation::Rotated { user_id: c.user_id });
        }
        let seen: Option<Seen> = on_db!(self, pool => sqlx::query_as(
            "SELECT family_id, used_at FROM refresh_tokens WHERE token_hash = $1")
            .bind(presented)
            .fetch_optional(pool)
            .await)?;
        match seen {
            Some(Seen {
                family_id,
                used_at: Some(_),
            }) => {
                self.revoke_family(family_id).await?;
                Ok(Rotation::Reused)
            }
            _ => Ok(Rotation::Invalid),
        }
    }

    /// Revokes the family the token with this hash belongs to (logout). Unknown → no-op.
    pub async fn revoke_refresh_token(&self, token_hash: &str) -> Result<bool> {
        let seen: Option<Seen> = on_db!(self, pool => sqlx::query_as(
            "SELECT family_id, used_at FROM refresh_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?;
        match seen {
            Some(s) => {
                self.revoke_family(s.family_id).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    pub async fn revoke_all_refresh_tokens(&self, user_id: UserId) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn revoke_family(&self, family: TokenFamilyId) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL")
            .bind(family)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
