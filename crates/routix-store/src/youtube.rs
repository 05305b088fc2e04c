//! Publishing to YouTube: a creator's connected channel, the pending OAuth authorizations
//! that lead to one, and the record of where each result was published. Tokens and PKCE
//! verifiers arrive here already sealed (the server encrypts them); this module never sees
//! them in the clear. OAuth states are kept only as hashes and can be taken once.

use chrono::{DateTime, Utc};

use crate::{now, on_db, Db, GenerationId, Result, StoreError, UserId};

/// A connected channel.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Connection {
    pub user_id: UserId,
    pub channel_id: String,
    pub channel_title: String,
    pub refresh_token_sealed: String,
    pub access_token_sealed: Option<String>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub scope: String,
    /// Set when Google refused the refresh token: the creator has to connect again.
    pub broken_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a completed authorization stores.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub channel_id: String,
    pub channel_title: String,
    pub refresh_token_sealed: String,
    pub access_token_sealed: Option<String>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub scope: String,
}

/// A pending authorization, as taken back by its state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingAuthorization {
    pub user_id: UserId,
    pub verifier_sealed: String,
    pub redirect_uri: String,
    pub expires_at: DateTime<Utc>,
}

/// One time a result was set as a video's thumbnail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Publication {
    pub video_id: String,
    pub channel_id: String,
    pub variant: i32,
    pub published_at: DateTime<Utc>,
}

const CONNECTION_COLUMNS: &str = "user_id, channel_id, channel_title, refresh_token_sealed, \
    access_token_sealed, access_expires_at, scope, broken_at, created_at, updated_at";

impl Db {
    /// Remembers an authorization in progress under the hash of its state; expired ones
    /// (abandoned at Google's consent screen) are swept on the way.
    pub async fn save_oauth_state(
        &self,
        state_hash: &str,
        user: UserId,
        verifier_sealed: &str,
        redirect_uri: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_db!(self, pool => sqlx::query("DELETE FROM youtube_oauth_states WHERE expires_at < $1")
            .bind(now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        on_db!(self, pool => sqlx::query(
            "INSERT INTO youtube_oauth_states (state_hash, user_id, verifier_sealed, redirect_uri, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(state_hash)
        .bind(user)
        .bind(verifier_sealed)
        .bind(redirect_uri)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Takes a pending authorization by the hash of its state: it is gone afterwards,
    /// whether or not it was still fresh. `NotFound` when unknown, used or expired.
    pub async fn take_oauth_state(&self, state_hash: &str) -> Result<PendingAuthorization> {
        let row: Option<PendingAuthorization> = on_db!(self, pool => sqlx::query_as(
            "DELETE FROM youtube_oauth_states WHERE state_hash = $1
             RETURNING user_id, verifier_sealed, redirect_uri, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(pool)
        .await)?;
        row.filter(|p| p.expires_at > now())
            .ok_or(StoreError::NotFound)
    }

    /// Stores (or replaces) the user's connected channel; a new connection is never broken.
    pub async fn save_youtube_connection(
        &self,
        user: UserId,
        c: &NewConnection,
    ) -> Result<Connection> {
        let at = now();
        let sql = format!(
            "INSERT INTO youtube_connections ({CONNECTION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8)
             ON CONFLICT (user_id) DO UPDATE SET
                channel_id = excluded.channel_id, channel_title = excluded.channel_title,
                refresh_token_sealed = excluded.refresh_token_sealed,
                access_token_sealed = excluded.access_token_sealed,
                access_expires_at = excluded.access_expires_at, scope = excluded.scope,
                broken_at = NULL, updated_at = excluded.updated_at
             RETURNING {CONNECTION_COLUMNS}"
        );
        Ok(on_db!(self, pool => sqlx::query_as(&sql)
            .bind(user)
            .bind(&c.channel_id)
            .bind(&c.channel_title)
            .bind(&c.refresh_token_sealed)
            .bind(&c.access_token_sealed)
            .bind(c.access_expires_at)
            .bind(&c.scope)
            .bind(at)
            .fetch_one(pool)
            .await)?)
    }

    /// The user's connected channel; `NotFound` when none.
    pub async fn youtube_connection(&self, user: UserId) -> Result<Connection> {
        let sql =
            format!("SELECT {CONNECTION_COLUMNS} FROM youtube_connections WHERE user_id = $1");
        Ok(on_db!(self, pool => sqlx::query_as(&sql)
            .bind(user)
            .fetch_one(pool)
            .await)?)
    }

    /// Keeps a freshly refreshed access token (and a rotated refresh token, if Google sent one).
    pub async fn update_youtube_tokens(
        &self,
        user: UserId,
        access_token_sealed: &str,
        access_expires_at: DateTime<Utc>,
        refresh_token_sealed: Option<&str>,
    ) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "UPDATE youtube_connections SET access_token_sealed = $2, access_expires_at = $3,
                refresh_token_sealed = COALESCE($4, refresh_token_sealed), updated_at = $5
             WHERE user_id = $1",
        )
        .bind(user)
        .bind(access_token_sealed)
        .bind(access_expires_at)
        .bind(refresh_token_sealed)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Marks the connection as needing a reconnect (Google refused its refresh token) and
    /// forgets its access token.
    pub async fn mark_youtube_broken(&self, user: UserId) -> Result<()> {
        let at = now();
        on_db!(self, pool => sqlx::query(
            "UPDATE youtube_connections SET broken_at = $2, access_token_sealed = NULL,
                access_expires_at = NULL, updated_at = $2
             WHERE user_id = $1",
        )
        .bind(user)
        .bind(at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Forgets the user's connection; `NotFound` when there was none.
    pub async fn delete_youtube_connection(&self, user: UserId) -> Result<()> {
        let deleted = on_db!(self, pool => sqlx::query("DELETE FROM youtube_connections WHERE user_id = $1")
            .bind(user)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records that a result (`variant` 0 is the main image) became `video_id`'s thumbnail.
    pub async fn record_publication(
        &self,
        generation: GenerationId,
        user: UserId,
        video_id: &str,
        channel_id: &str,
        variant: i32,
    ) -> Result<Publication> {
        let at = now();
        on_db!(self, pool => sqlx::query(
            "INSERT INTO generation_publications (generation_id, user_id, video_id, channel_id, variant, published_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(generation)
        .bind(user)
        .bind(video_id)
        .bind(channel_id)
        .bind(variant)
        .bind(at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(Publication {
            video_id: video_id.to_string(),
            channel_id: channel_id.to_string(),
            variant,
            published_at: at,
        })
    }

    /// Where a generation was published, oldest first.
    pub async fn publications(&self, generation: GenerationId) -> Result<Vec<Publication>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT video_id, channel_id, variant, published_at FROM generation_publications
             WHERE generation_id = $1 ORDER BY published_at, id",
        )
        .bind(generation)
        .fetch_all(pool)
        .await)?)
    }
}
