//! Plans, credit packs and the money that moves credits: monthly plan grants and paid packs.
//! Both are idempotent by a unique row written in the same transaction as the credit — one
//! `plan_grants` row per account and month, one `payment_events` row per provider event and
//! one `purchases` row per checkout session — so repeated runs, redelivered events and
//! several servers at once credit exactly once.

use chrono::{DateTime, Datelike, Utc};
use routix_core::credits::LedgerKind;
use serde::Serialize;

use crate::{
    audit::{Actor, AuditEntry, AuditLog},
    credits::INSERT_LEDGER,
    now, on_db,
    users::Plan,
    Db, GenerationId, LedgerId, Result, StoreError, UserId,
};

/// What a plan gives and costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTerms {
    pub id: Plan,
    pub name_en: String,
    pub name_fa: String,
    /// Granted once per calendar month (UTC); 0 for none.
    pub monthly_credits: i64,
    /// Results carry the Routix watermark.
    pub watermark: bool,
    /// Per month, in the currency's minor unit; `None`: on request.
    pub price_cents: Option<i64>,
    pub currency: String,
    /// Offered to customers (a disabled plan keeps its accounts).
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// Credits sold in one payment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditPack {
    pub id: String,
    pub name_en: String,
    pub name_fa: String,
    pub credits: i64,
    /// In the currency's minor unit (cents).
    pub price_cents: i64,
    /// ISO 4217, lowercase (`usd`).
    pub currency: String,
    /// On sale (a disabled pack can't be bought; one already paid for is still credited).
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: String,
    name_en: String,
    name_fa: String,
    monthly_credits: i64,
    watermark: bool,
    price_cents: Option<i64>,
    currency: String,
    enabled: bool,
    updated_at: DateTime<Utc>,
}

impl TryFrom<PlanRow> for PlanTerms {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> Result<Self> {
        Ok(PlanTerms {
            id: Plan::parse(&r.id).ok_or(StoreError::Conflict("unknown plan in plans"))?,
            name_en: r.name_en,
            name_fa: r.name_fa,
            monthly_credits: r.monthly_credits,
            watermark: r.watermark,
            price_cents: r.price_cents,
            currency: r.currency,
            enabled: r.enabled,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PackRow {
    id: String,
    name_en: String,
    name_fa: String,
    credits: i64,
    price_cents: i64,
    currency: String,
    enabled: bool,
    updated_at: DateTime<Utc>,
}

impl From<PackRow> for CreditPack {
    fn from(r: PackRow) -> Self {
        CreditPack {
            id: r.id,
            name_en: r.name_en,
            name_fa: r.name_fa,
            credits: r.credits,
            price_cents: r.price_cents,
            currency: r.currency,
            enabled: r.enabled,
            updated_at: r.updated_at,
        }
    }
}

impl PlanRow {
    /// What an admin can change, as the audit log records it.
    fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "name_en": self.name_en,
            "name_fa": self.name_fa,
            "monthly_credits": self.monthly_credits,
            "watermark": self.watermark,
            "price_cents": self.price_cents,
            "currency": self.currency,
            "enabled": self.enabled,
        })
    }
}

impl PackRow {
    /// What an admin can change, as the audit log records it.
    fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "name_en": self.name_en,
            "name_fa": self.name_fa,
            "credits": self.credits,
            "price_cents": self.price_cents,
            "currency": self.currency,
            "enabled": self.enabled,
        })
    }
}

const PLAN_COLUMNS: &str =
    "id, name_en, name_fa, monthly_credits, watermark, price_cents, currency, enabled, updated_at";
const PACK_COLUMNS: &str =
    "id, name_en, name_fa, credits, price_cents, currency, enabled, updated_at";

/// An admin's edit of a plan; `None` leaves a field as it is. Values are validated by the
/// caller (the database's CHECKs are the backstop).
#[derive(Debug, Default)]
pub struct PlanChange<'a> {
    pub name_en: Option<&'a str>,
    pub name_fa: Option<&'a str>,
    pub monthly_credits: Option<i64>,
    pub watermark: Option<bool>,
    /// `Some(None)`: the price becomes "on request".
    pub price_cents: Option<Option<i64>>,
    pub currency: Option<&'a str>,
    pub enabled: Option<bool>,
}

/// An admin's edit of a pack; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct PackChange<'a> {
    pub name_en: Option<&'a str>,
    pub name_fa: Option<&'a str>,
    pub credits: Option<i64>,
    pub price_cents: Option<i64>,
    pub currency: Option<&'a str>,
    pub enabled: Option<bool>,
}

/// A calendar month in UTC, `YYYY-MM`: the unit of monthly plan credits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period(String);

impl Period {
    pub fn of(at: DateTime<Utc>) -> Period {
        Period(format!("{:04}-{:02}", at.year(), at.month()))
    }

    pub fn current() -> Period {
        Period::of(Utc::now())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A paid checkout session, as the payment provider's signed event described it.
#[derive(Debug, Clone)]
pub struct PaidSession<'a> {
    /// The provider's event id (`evt_…`).
    pub event_id: &'a str,
    /// The event's type (`checkout.session.completed`).
    pub event_kind: &'a str,
    /// The checkout session (`cs_…`).
    pub session_id: &'a str,
    pub user: UserId,
    pub pack: &'a str,
    pub amount_cents: Option<i64>,
    pub currency: Option<&'a str>,
}

/// What recording a paid session did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurchaseOutcome {
    /// The pack's credits were added.
    Credited { credits: i64, balance: i64 },
    /// This event was handled before; nothing changed.
    DuplicateEvent,
    /// Another event already credited this session; the event is recorded, nothing added.
    DuplicateSession,
    /// No pack has this id; nothing recorded.
    UnknownPack,
    /// No live account has this id; nothing recorded.
    UnknownAccount,
}

/// Accounts examined per query by the monthly grant.
const GRANT_BATCH: i64 = 200;

impl Db {
    /// Every plan, in display order.
    pub async fn plans(&self) -> Result<Vec<PlanTerms>> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM plans ORDER BY position, id");
        let rows: Vec<PlanRow> = on_db!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        rows.into_iter().map(PlanTerms::try_from).collect()
    }

    pub async fn plan_terms(&self, plan: Plan) -> Result<PlanTerms> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1");
        let row: PlanRow = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(plan.as_str())
            .fetch_one(pool)
            .await)?;
        row.try_into()
    }

    /// Applies `actor`'s edit of a plan, audited in the same transaction.
    pub async fn update_plan(
        &self,
        actor: Actor,
        plan: Plan,
        change: &PlanChange<'_>,
    ) -> Result<PlanTerms> {
        let touch =
            format!("UPDATE plans SET updated_at = $2 WHERE id = $1 RETURNING {PLAN_COLUMNS}");
        let sql = format!(
            "UPDATE plans SET name_en = COALESCE($2, name_en), name_fa = COALESCE($3, name_fa),
                 monthly_credits = COALESCE($4, monthly_credits), watermark = COALESCE($5, watermark),
                 price_cents = CASE WHEN $6 THEN $7 ELSE price_cents END,
                 currency = COALESCE($8, currency), enabled = COALESCE($9, enabled)
             WHERE id = $1 RETURNING {PLAN_COLUMNS}"
        );
        let row: PlanRow = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: PlanRow = sqlx::query_as(&touch)
                .bind(plan.as_str())
                .bind(now())
                .fetch_one(&mut *tx)
                .await?;
            let after: PlanRow = sqlx::query_as(&sql)
                .bind(plan.as_str())
                .bind(change.name_en)
                .bind(change.name_fa)
                .bind(change.monthly_credits)
                .bind(change.watermark)
                .bind(change.price_cents.is_some())
                .bind(change.price_cents.flatten())
                .bind(change.currency)
                .bind(change.enabled)
                .fetch_one(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "plan.update",
                target_kind: "plan",
                target_id: plan.as_str().to_string(),
                before: Some(before.audit_view()),
                after: Some(after.audit_view()),
            })
            .await?;
            tx.commit().await?;
            after
        });
        row.try_into()
    }

    /// Every pack, in display order.
    pub async fn packs(&self) -> Result<Vec<CreditPack>> {
        let sql = format!("SELECT {PACK_COLUMNS} FROM credit_packs ORDER BY position, id");
        let rows: Vec<PackRow> = on_db!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(CreditPack::from).collect())
    }

    pub async fn pack(&self, id: &str) -> Result<CreditPack> {
        let sql = format!("SELECT {PACK_COLUMNS} FROM credit_packs WHERE id = $1");
        let row: PackRow =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?;
        Ok(row.into())
    }

    /// Applies `actor`'s edit of a pack, audited in the same transaction.
    pub async fn update_pack(
        &self,
        actor: Actor,
        id: &str,
        change: &PackChange<'_>,
    ) -> Result<CreditPack> {
        let touch = format!(
            "UPDATE credit_packs SET updated_at = $2 WHERE id = $1 RETURNING {PACK_COLUMNS}"
        );
        let sql = format!(
            "UPDATE credit_packs SET name_en = COALESCE($2, name_en), name_fa = COALESCE($3, name_fa),
                 credits = COALESCE($4, credits), price_cents = COALESCE($5, price_cents),
                 currency = COALESCE($6, currency), enabled = COALESCE($7, enabled)
             WHERE id = $1 RETURNING {PACK_COLUMNS}"
        );
        let row: PackRow = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: PackRow = sqlx::query_as(&touch)
                .bind(id)
                .bind(now())
                .fetch_one(&mut *tx)
                .await?;
            let after: PackRow = sqlx::query_as(&sql)
                .bind(id)
                .bind(change.name_en)
                .bind(change.name_fa)
                .bind(change.credits)
                .bind(change.price_cents)
                .bind(change.currency)
                .bind(change.enabled)
                .fetch_one(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "pack.update",
                target_kind: "pack",
                target_id: id.to_string(),
                before: Some(before.audit_view()),
                after: Some(after.audit_view()),
            })
            .await?;
            tx.commit().await?;
            after
        });
        Ok(row.into())
    }

    /// Grants `period`'s plan credits to every live account whose plan has monthly credits
    /// and that has not had them yet; answers how many accounts were credited now. Safe to
    /// run any number of times, from any number of processes at once.
    pub async fn grant_plan_credits(&self, period: &Period) -> Result<u64> {
        let mut granted = 0;
        let mut after: Option<UserId> = None;
        loop {
            let due: Vec<(UserId, String, i64)> = on_db!(self, pool => sqlx::query_as(
                "SELECT u.id, u.plan, p.monthly_credits FROM users u JOIN plans p ON p.id = u.plan
                 WHERE u.deleted_at IS NULL AND p.monthly_credits > 0
                   AND NOT EXISTS (SELECT 1 FROM plan_grants g WHERE g.user_id = u.id AND g.period = $1)
                   AND ($2 IS NULL OR u.id > $2)
                 ORDER BY u.id LIMIT $3",
            )
            .bind(period.as_str())
            .bind(after)
            .bind(GRANT_BATCH)
            .fetch_all(pool)
            .await)?;
            let Some(last) = due.last() else {
                return Ok(granted);
            };
            after = Some(last.0);
            for (user, plan, credits) in due {
                if self.grant_for_period(user, &plan, credits, period).await? {
                    granted += 1;
                }
            }
        }
    }

    /// One account's monthly credits: the `plan_grants` row, the balance and the ledger move
    /// together or not at all. `false`: already granted, or the account changed meanwhile.
    async fn grant_for_period(
        &self,
        user: UserId,
        plan: &str,
        credits: i64,
        period: &Period,
    ) -> Result<bool> {
        let at = now();
        Ok(on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            // First statement a write: SQLite takes the write lock (waiting its busy timeout)
            // and PostgreSQL waits for a concurrent insert of the same key to settle.
            let claimed = sqlx::query(
                "INSERT INTO plan_grants (user_id, period, plan, credits, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, period) DO NOTHING",
            )
            .bind(user)
            .bind(period.as_str())
            .bind(plan)
            .bind(credits)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                return Ok(false);
            }
            let credited = sqlx::query(
                "UPDATE users SET credits = credits + $2
                 WHERE id = $1 AND plan = $3 AND deleted_at IS NULL",
            )
            .bind(user)
            .bind(credits)
            .bind(plan)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if credited == 0 {
                // Moved to another plan or deleted since the listing: the next run decides.
                return Ok(false);
            }
            sqlx::query(INSERT_LEDGER)
                .bind(LedgerId::new())
                .bind(user)
                .bind(LedgerKind::Grant.as_str())
                .bind(credits)
                .bind(None::<GenerationId>)
                .bind(format!("{plan} plan: {credits} credits for {period}"))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            true
        }))
    }

    /// Credits a paid session's pack to its account, once per event and once per session:
    /// the event row, the purchase row, the balance and the ledger are one transaction.
    pub async fn record_purchase(&self, paid: &PaidSession<'_>) -> Result<PurchaseOutcome> {
        let at = now();
        Ok(on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let fresh = sqlx::query(
                "INSERT INTO payment_events (id, kind, received_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(paid.event_id)
            .bind(paid.event_kind)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if fresh == 0 {
                return Ok(PurchaseOutcome::DuplicateEvent);
            }
            let pack: Option<(i64, String)> =
                sqlx::query_as("SELECT credits, name_en FROM credit_packs WHERE id = $1")
                    .bind(paid.pack)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((credits, pack_name)) = pack else {
                return Ok(PurchaseOutcome::UnknownPack);
            };
            let live: Option<UserId> =
                sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL")
                    .bind(paid.user)
                    .fetch_optional(&mut *tx)
                    .await?;
            if live.is_none() {
                return Ok(PurchaseOutcome::UnknownAccount);
            }
            let first = sqlx::query(
                "INSERT INTO purchases (session_id, event_id, user_id, pack, credits, amount_cents,
                     currency, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(paid.session_id)
            .bind(paid.event_id)
            .bind(paid.user)
            .bind(paid.pack)
            .bind(credits)
            .bind(paid.amount_cents)
            .bind(paid.currency)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if first == 0 {
                tx.commit().await?;
                return Ok(PurchaseOutcome::DuplicateSession);
            }
            let balance: i64 = sqlx::query_scalar(
                "UPDATE users SET credits = credits + $2 WHERE id = $1 RETURNING credits",
            )
            .bind(paid.user)
            .bind(credits)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(INSERT_LEDGER)
                .bind(LedgerId::new())
                .bind(paid.user)
                .bind(LedgerKind::Purchase.as_str())
                .bind(credits)
                .bind(None::<GenerationId>)
                .bind(format!("{pack_name} pack: {credits} credits ({})", paid.session_id))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            PurchaseOutcome::Credited { credits, balance }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn periods_are_utc_calendar_months() {
        let cases = [
            ((2026, 12, 31, 23, 59), "2026-12"),
            ((2027, 1, 1, 0, 0), "2027-01"),
            ((2026, 2, 28, 12, 0), "2026-02"),
        ];
        for ((y, m, d, h, min), want) in cases {
            let at = Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
            assert_eq!(Period::of(at).as_str(), want);
        }
    }
}
