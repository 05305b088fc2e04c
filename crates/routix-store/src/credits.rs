//! The credit ledger. Every change to a balance is a ledger row written in the same
//! transaction as the `users.credits` update it explains, so the ledger's sum is always the
//! balance, and the `CHECK (credits >= 0)` makes overdraft impossible even under races.

use chrono::{DateTime, Utc};
use routix_core::credits::LedgerKind;
use serde::Serialize;

use serde_json::json;

use crate::{
    audit::{Actor, AuditEntry, AuditLog},
    now, on_db,
    page::Cursor,
    Db, GenerationId, LedgerId, Page, Result, StoreError, UserId,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    pub id: LedgerId,
    pub kind: LedgerKind,
    /// Signed: grants and refunds add, reservations subtract, settlements are zero.
    pub amount: i64,
    pub generation_id: Option<GenerationId>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: LedgerId,
    kind: String,
    amount: i64,
    generation_id: Option<GenerationId>,
    note: String,
    created_at: DateTime<Utc>,
}

pub(crate) fn parse_kind(s: &str) -> LedgerKind {
    match s {
        "grant" => LedgerKind::Grant,
        "purchase" => LedgerKind::Purchase,
        "reserve" => LedgerKind::Reserve,
        "settle" => LedgerKind::Settle,
        _ => LedgerKind::Refund,
    }
}

/// Insert one ledger row; `$1..$7` = id, user, kind, amount, generation, note, created_at.
pub(crate) const INSERT_LEDGER: &str =
    "INSERT INTO credit_ledger (id, user_id, kind, amount, generation_id, note, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl Db {
    /// Adds `amount` (> 0) credits to a live account; answers the new balance. The grant is
    /// audited as `actor`'s in the same transaction.
    pub async fn grant_credits(
        &self,
        actor: Actor,
        user: UserId,
        amount: i64,
        note: &str,
    ) -> Result<i64> {
        if amount <= 0 {
            return Err(StoreError::Conflict("a grant must be positive"));
        }
        let balance: i64 = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let balance: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET credits = credits + $2 WHERE id = $1 AND deleted_at IS NULL RETURNING credits",
            )
            .bind(user)
            .bind(amount)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(balance) = balance else {
                return Err(StoreError::NotFound);
            };
            sqlx::query(INSERT_LEDGER)
                .bind(LedgerId::new())
                .bind(user)
                .bind(LedgerKind::Grant.as_str())
                .bind(amount)
                .bind(None::<GenerationId>)
                .bind(note)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "credits.grant",
                target_kind: "user",
                target_id: user.to_string(),
                before: Some(json!({"balance": balance - amount})),
                after: Some(json!({"balance": balance, "amount": amount, "note": note})),
            })
            .await?;
            tx.commit().await?;
            balance
        });
        Ok(balance)
    }

    pub async fn balance(&self, user: UserId) -> Result<i64> {
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "SELECT credits FROM users WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(user)
        .fetch_one(pool)
        .await)?)
    }

    /// The sum of the ledger, which must always equal `balance` (checked by tests and the
    /// admin health view).
    pub async fn ledger_sum(&self, user: UserId) -> Result<i64> {
        Ok(on_db!(self, pool => sqlx::query_scalar::<_, Option<i64>>(
            "SELECT CAST(SUM(amount) AS BIGINT) FROM credit_ledger WHERE user_id = $1",
        )
        .bind(user)
        .fetch_one(pool)
        .await)?
        .unwrap_or(0))
    }

    /// Newest first.
    pub async fn ledger(
        &self,
        user: UserId,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<LedgerEntry>> {
        let fetch = (limit + 1) as i64;
        let rows: Vec<LedgerRow> = match cursor {
            Some(Cursor(after)) => on_db!(self, pool => sqlx::query_as(
                "SELECT id, kind, amount, generation_id, note, created_at FROM credit_ledger
                 WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(user)
            .bind(LedgerId(after))
            .bind(fetch)
            .fetch_all(pool)
            .await)?,
            None => on_db!(self, pool => sqlx::query_as(
                "SELECT id, kind, amount, generation_id, note, created_at FROM credit_ledger
                 WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(user)
            .bind(fetch)
            .fetch_all(pool)
            .await)?,
        };
        Ok(
            Page::from_rows(rows, limit, |r| r.id.0).map(|r| LedgerEntry {
                id: r.id,
                kind: parse_kind(&r.kind),
                amount: r.amount,
                generation_id: r.generation_id,
                note: r.note,
                created_at: r.created_at,
            }),
        )
    }
}
