//! Admin broadcasts: a message every signed-in user sees until it expires or an admin ends
//! it. Starting and ending one are admin changes, audited in their own transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::{
    audit::{Actor, AuditEntry, AuditLog},
    now, on_db, BroadcastId, Db, Result, StoreError, UserId,
};

/// How loudly a broadcast is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Critical,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Info, Level::Warning, Level::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Broadcast {
    pub id: BroadcastId,
    pub message: String,
    pub level: Level,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// Shown until then; `None`: until an admin ends it.
    pub expires_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: BroadcastId,
    message: String,
    level: String,
    created_by: Option<UserId>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
}

impl From<Row> for Broadcast {
    fn from(r: Row) -> Self {
        Broadcast {
            id: r.id,
            message: r.message,
            level: Level::parse(&r.level).unwrap_or(Level::Info),
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
            ended_at: r.ended_at,
        }
    }
}

const COLUMNS: &str = "id, message, level, created_by, created_at, expires_at, ended_at";

fn audit_view(b: &Row) -> serde_json::Value {
    json!({
        "message": b.message,
        "level": b.level,
        "expires_at": b.expires_at,
        "ended_at": b.ended_at,
    })
}

impl Db {
    /// Starts a broadcast (message already validated by the caller).
    pub async fn create_broadcast(
        &self,
        actor: Actor,
        message: &str,
        level: Level,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Broadcast> {
        let sql = format!(
            "INSERT INTO broadcasts (id, message, level, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        );
        let created_by = match actor {
            Actor::Admin(id) => Some(id),
            Actor::Cli => None,
        };
        let row: Row = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Row = sqlx::query_as(&sql)
                .bind(BroadcastId::new())
                .bind(message)
                .bind(level.as_str())
                .bind(created_by)
                .bind(now())
                .bind(expires_at)
                .fetch_one(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "broadcast.create",
                target_kind: "broadcast",
                target_id: row.id.to_string(),
                before: None,
                after: Some(audit_view(&row)),
            })
            .await?;
            tx.commit().await?;
            row
        });
        Ok(row.into())
    }

    /// Ends a broadcast now. One already ended (or unknown) → `NotFound`.
    pub async fn end_broadcast(&self, actor: Actor, id: BroadcastId) -> Result<Broadcast> {
        let sql = format!(
            "UPDATE broadcasts SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL RETURNING {COLUMNS}"
        );
        let row: Row = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<Row> = sqlx::query_as(&sql)
                .bind(id)
                .bind(now())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(StoreError::NotFound);
            };
            let mut before = audit_view(&row);
            before["ended_at"] = serde_json::Value::Null;
            tx.audit(&AuditEntry {
                actor,
                action: "broadcast.end",
                target_kind: "broadcast",
                target_id: id.to_string(),
                before: Some(before),
                after: Some(audit_view(&row)),
            })
            .await?;
            tx.commit().await?;
            row
        });
        Ok(row.into())
    }

    /// Broadcasts to show now (not ended, not expired), newest first.
    pub async fn active_broadcasts(&self) -> Result<Vec<Broadcast>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM broadcasts
             WHERE ended_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
             ORDER BY id DESC LIMIT 20"
        );
        let rows: Vec<Row> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(now()).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Broadcast::from).collect())
    }
}
