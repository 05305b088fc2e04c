//! Public share links of a generation's result: an unguessable token, at most one live per
//! generation, revocable. A live link keeps the result's stored images even after the
//! generation is deleted (`blob_in_use` counts it); revoking it lets them go.

use chrono::{DateTime, Utc};

use crate::{generations::Generation, now, on_db, Db, GenerationId, Result, StoreError, UserId};

/// What a share page shows.
#[derive(Debug, Clone)]
pub struct Shared {
    pub token: String,
    pub created_at: DateTime<Utc>,
    pub generation: Generation,
}

impl Db {
    /// The live link of one of the owner's completed generations, made with `token` when
    /// there is none yet (so sharing twice answers the same link). `NotFound` for anyone
    /// else's generation or one that is not finished.
    pub async fn share_generation(
        &self,
        user: UserId,
        id: GenerationId,
        token: &str,
    ) -> Result<String> {
        let g = self.generation(user, id).await?;
        if g.result_key.is_none() {
            return Err(StoreError::NotFound);
        }
        // Two requests at once: the unique index on live links lets one insert win; both
        // then read the same link.
        let inserted = on_db!(self, pool => sqlx::query(
            "INSERT INTO generation_shares (token, generation_id, user_id, created_at)
             SELECT $1, $2, $3, $4
             WHERE NOT EXISTS (SELECT 1 FROM generation_shares WHERE generation_id = $2 AND revoked_at IS NULL)",
        )
        .bind(token)
        .bind(id)
        .bind(user)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()));
        match inserted.map_err(StoreError::from) {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        let live: Option<String> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT token FROM generation_shares WHERE generation_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
        live.ok_or(StoreError::NotFound)
    }

    /// The live link of a generation of `user`'s (deleted or not), if there is one.
    pub async fn live_share(&self, user: UserId, id: GenerationId) -> Result<Option<String>> {
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "SELECT token FROM generation_shares WHERE generation_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(pool)
        .await)?)
    }

    /// Revokes the live link of one of `user`'s generations (also a deleted one: its link
    /// outlives it until revoked). Answers the generation, for its stored images; `NotFound`
    /// when there is no live link of theirs.
    pub async fn revoke_share(&self, user: UserId, id: GenerationId) -> Result<Generation> {
        let revoked = on_db!(self, pool => sqlx::query(
            "UPDATE generation_shares SET revoked_at = $3
             WHERE generation_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        if revoked == 0 {
            return Err(StoreError::NotFound);
        }
        self.generation_any(id).await
    }

    /// What a live link shows; `NotFound` for an unknown or revoked token.
    pub async fn shared(&self, token: &str) -> Result<Shared> {
        let row: Option<(GenerationId, DateTime<Utc>)> = on_db!(self, pool => sqlx::query_as(
            "SELECT generation_id, created_at FROM generation_shares WHERE token = $1 AND revoked_at IS NULL",
        )
        .bind(token)
        .fetch_optional(pool)
        .await)?;
        let (id, created_at) = row.ok_or(StoreError::NotFound)?;
        Ok(Shared {
            token: token.to_string(),
            created_at,
            generation: self.generation_any(id).await?,
        })
    }
}
