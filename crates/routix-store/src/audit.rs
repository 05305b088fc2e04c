//! The admin audit log. Every admin change writes one row — who, what, on which target, the
//! state before and after — through `AuditLog::audit` on the transaction that makes the change,
//! so the row exists exactly when the change committed. A new admin action needs nothing here:
//! call `tx.audit(&AuditEntry { .. })` before `tx.commit()` in its store function.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use crate::{now, on_db, page::Cursor, AuditId, Db, Page, Result, UserId};

/// Who made an admin change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// An admin account, through the API.
    Admin(UserId),
    /// An operator at the shell (`routix admin ...`).
    Cli,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Admin(id) => id.fmt(f),
            Actor::Cli => f.write_str("cli"),
        }
    }
}

/// One admin change, as it is recorded.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: Actor,
    /// What was done, `<area>.<verb>`: `credits.grant`, `user.plan`, `bank_item.delete`...
    pub action: &'a str,
    /// What kind of thing changed: `user`, `bank_item`, `plan`, `pack`, `broadcast`...
    pub target_kind: &'a str,
    pub target_id: String,
    /// `None` for a creation.
    pub before: Option<Value>,
    /// `None` for a deletion.
    pub after: Option<Value>,
}

/// Writes audit rows on a connection — in practice the transaction making the change.
pub trait AuditLog {
    fn audit<'a>(
        &'a mut self,
        entry: &'a AuditEntry<'a>,
    ) -> impl Future<Output = Result<()>> + Send + 'a;
}

const INSERT_AUDIT: &str = "INSERT INTO admin_audit
    (id, actor, action, target_kind, target_id, before_json, after_json, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

macro_rules! audit_log_for {
    ($($conn:ty),+) => {$(
        impl AuditLog for $conn {
            fn audit<'a>(
                &'a mut self,
                entry: &'a AuditEntry<'a>,
            ) -> impl Future<Output = Result<()>> + Send + 'a {
                async move {
                    sqlx::query(INSERT_AUDIT)
                        .bind(AuditId::new())
                        .bind(entry.actor.to_string())
                        .bind(entry.action)
                        .bind(entry.target_kind)
                        .bind(&entry.target_id)
                        .bind(entry.before.as_ref().map(Json))
                        .bind(entry.after.as_ref().map(Json))
                        .bind(now())
                        .execute(&mut *self)
                        .await?;
                    Ok(())
                }
            }
        }
    )+};
}

audit_log_for!(sqlx::SqliteConnection, sqlx::PgConnection);

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: AuditId,
    /// An admin's user id, or `cli`.
    pub actor: String,
    /// The admin's address, while the account exists.
    pub actor_email: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: AuditId,
    actor: String,
    actor_email: Option<String>,
    action: String,
    target_kind: String,
    target_id: String,
    before_json: Option<Json<Value>>,
    after_json: Option<Json<Value>>,
    created_at: DateTime<Utc>,
}

/// Narrows the audit log; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    /// An admin's user id, or `cli`.
    pub actor: Option<&'a str>,
    pub target_kind: Option<&'a str>,
    /// Only with `target_kind`.
    pub target_id: Option<&'a str>,
}

impl Db {
    /// The audit log, newest first.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter<'_>,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<AuditRecord>> {
        let sql = "SELECT a.id, a.actor, u.email AS actor_email, a.action, a.target_kind,
                 a.target_id, a.before_json, a.after_json, a.created_at
             FROM admin_audit a LEFT JOIN users u ON CAST(u.id AS TEXT) = a.actor
             WHERE ($1 IS NULL OR a.actor = $1) AND ($2 IS NULL OR a.target_kind = $2)
               AND ($3 IS NULL OR a.target_id = $3) AND ($4 IS NULL OR a.id < $4)
             ORDER BY a.id DESC LIMIT $5";
        let rows: Vec<Row> = on_db!(self, pool => sqlx::query_as(sql)
            .bind(filter.actor)
            .bind(filter.target_kind)
            .bind(filter.target_id)
            .bind(cursor.map(|c| AuditId(c.0)))
            .bind((limit + 1) as i64)
            .fetch_all(pool)
            .await)?;
        Ok(
            Page::from_rows(rows, limit, |r| r.id.0).map(|r| AuditRecord {
                id: r.id,
                actor: r.actor,
                actor_email: r.actor_email,
                action: r.action,
                target_kind: r.target_kind,
                target_id: r.target_id,
                before: r.before_json.map(|j| j.0),
                after: r.after_json.map(|j| j.0),
                created_at: r.created_at,
            }),
        )
    }
}
