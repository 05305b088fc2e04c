//! Algorithms as data: one row per algorithm with its names, price, image-provider chain,
//! availability and watermark rule, read by every request (one primary-key lookup, so an
//! admin's edit applies to the next request on every server, with no cache to invalidate);
//! and each algorithm's figures over a recent window, taken from the generations table.

use chrono::{DateTime, Duration, Utc};
use routix_core::{
    algorithms::{percentile, ImageProvider, WatermarkRule},
    Algorithm, Credits,
};
use serde::Serialize;

use crate::{
    audit::{Actor, AuditEntry, AuditLog},
    now, on_db, Db, Result, StoreError,
};

/// An algorithm as admins set it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlgorithmSpec {
    pub id: Algorithm,
    pub name_en: String,
    pub name_fa: String,
    /// Image providers tried in order; empty for the offline compositor alone.
    pub chain: Vec<ImageProvider>,
    /// Credits per image.
    pub cost: Credits,
    /// Offered to users; a disabled algorithm refuses new requests.
    pub enabled: bool,
    pub watermark: WatermarkRule,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name_en: String,
    name_fa: String,
    chain: String,
    cost: i64,
    enabled: bool,
    watermark: String,
    updated_at: DateTime<Utc>,
}

impl Row {
    /// What an admin can change, as the audit log records it.
    fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "name_en": self.name_en,
            "name_fa": self.name_fa,
            "chain": serde_json::from_str::<serde_json::Value>(&self.chain).unwrap_or_default(),
            "cost": self.cost,
            "enabled": self.enabled,
            "watermark": self.watermark,
        })
    }
}

impl TryFrom<Row> for AlgorithmSpec {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let names: Vec<String> = serde_json::from_str(&r.chain)
            .map_err(|_| StoreError::Conflict("malformed chain in algorithms"))?;
        Ok(AlgorithmSpec {
            id: r
                .id
                .parse()
                .map_err(|_| StoreError::Conflict("unknown algorithm in algorithms"))?,
            name_en: r.name_en,
            name_fa: r.name_fa,
            chain: names
                .iter()
                .map(|n| n.parse())
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| StoreError::Conflict("unknown provider in algorithms"))?,
            cost: Credits(r.cost),
            enabled: r.enabled,
            watermark: r
                .watermark
                .parse()
                .map_err(|_| StoreError::Conflict("unknown watermark rule in algorithms"))?,
            updated_at: r.updated_at,
        })
    }
}

const COLUMNS: &str = "id, name_en, name_fa, chain, cost, enabled, watermark, updated_at";

/// An admin's edit of an algorithm; `None` leaves a field as it is. Values are validated by
/// the caller (`routix_core::algorithms`; the database's CHECKs are the backstop).
#[derive(Debug, Default)]
pub struct AlgorithmChange<'a> {
    pub name_en: Option<&'a str>,
    pub name_fa: Option<&'a str>,
    pub chain: Option<&'a [ImageProvider]>,
    pub cost: Option<Credits>,
    pub enabled: Option<bool>,
    pub watermark: Option<WatermarkRule>,
}

/// One algorithm's figures over the window, counting requests (re-edits excluded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlgorithmStats {
    pub algorithm: Algorithm,
    /// Requests made in the window, whatever became of them.
    pub count: i64,
    pub completed: i64,
    pub failed: i64,
    /// Completed out of those that ended completed or failed (cancellations are the user's
    /// choice and count for neither); `None` before any ended.
    pub success_rate: Option<f64>,
    /// Completed ones whose artwork came from further down the chain than its first provider
    /// (or from the compositor after the providers failed); `None` before any completed.
    pub fallback_rate: Option<f64>,
    /// Working time (first claim to result) of the completed ones, in milliseconds, over the
    /// most recent `DURATION_SAMPLE` of them.
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

/// Completed generations per algorithm whose durations are measured.
pub const DURATION_SAMPLE: i64 = 5000;

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Db {
    /// Every algorithm, in display order.
    pub async fn algorithms(&self) -> Result<Vec<AlgorithmSpec>> {
        let sql = format!("SELECT {COLUMNS} FROM algorithms ORDER BY position, id");
        let rows: Vec<Row> = on_db!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        rows.into_iter().map(AlgorithmSpec::try_from).collect()
    }

    /// One algorithm as it stands now (read per request: edits apply at once everywhere).
    pub async fn algorithm(&self, id: Algorithm) -> Result<AlgorithmSpec> {
        let sql = format!("SELECT {COLUMNS} FROM algorithms WHERE id = $1");
        let row: Row = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id.as_str())
            .fetch_one(pool)
            .await)?;
        row.try_into()
    }

    /// Applies `actor`'s edit of an algorithm, audited (before and after) in the same
    /// transaction.
    pub async fn update_algorithm(
        &self,
        actor: Actor,
        id: Algorithm,
        change: &AlgorithmChange<'_>,
    ) -> Result<AlgorithmSpec> {
        let touch =
            format!("UPDATE algorithms SET updated_at = $2 WHERE id = $1 RETURNING {COLUMNS}");
        let sql = format!(
            "UPDATE algorithms SET name_en = COALESCE($2, name_en), name_fa = COALESCE($3, name_fa),
                 chain = COALESCE($4, chain), cost = COALESCE($5, cost),
                 enabled = COALESCE($6, enabled), watermark = COALESCE($7, watermark)
             WHERE id = $1 RETURNING {COLUMNS}"
        );
        let chain = change.chain.map(|c| {
            serde_json::Value::from(c.iter().map(|p| p.as_str()).collect::<Vec<_>>()).to_string()
        });
        let row: Row = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Row = sqlx::query_as(&touch)
                .bind(id.as_str())
                .bind(now())
                .fetch_one(&mut *tx)
                .await?;
            let after: Row = sqlx::query_as(&sql)
                .bind(id.as_str())
                .bind(change.name_en)
                .bind(change.name_fa)
                .bind(chain.as_deref())
                .bind(change.cost.map(|c| c.0))
                .bind(change.enabled)
                .bind(change.watermark.map(WatermarkRule::as_str))
                .fetch_one(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "algorithm.update",
                target_kind: "algorithm",
                target_id: id.as_str().to_string(),
                before: Some(before.audit_view()),
                after: Some(after.audit_view()),
            })
            .await?;
            tx.commit().await?;
            after
        });
        row.try_into()
    }

    /// Each algorithm's figures over the last `days` days (by request time), in
    /// `Algorithm::ALL` order; an algorithm nobody used has zero counts.
    pub async fn algorithm_stats(&self, days: u32) -> Result<Vec<AlgorithmStats>> {
        let since = now() - Duration::days(i64::from(days));
        let counts = "SELECT algorithm, COUNT(*) AS count,
                 COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS completed,
                 COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
                 COALESCE(SUM(CASE WHEN status = 'completed' AND fell_back THEN 1 ELSE 0 END), 0)
                     AS fell_back
             FROM generations WHERE created_at >= $1 AND parent_id IS NULL
             GROUP BY algorithm";
        let times = "SELECT started_at, finished_at FROM generations
             WHERE algorithm = $1 AND created_at >= $2 AND parent_id IS NULL
               AND status = 'completed' AND started_at IS NOT NULL AND finished_at IS NOT NULL
             ORDER BY created_at DESC LIMIT $3";
        let rows: Vec<(String, i64, i64, i64, i64)> = on_db!(self, pool => sqlx::query_as(counts)
            .bind(since)
            .fetch_all(pool)
            .await)?;
        let mut out = Vec::with_capacity(Algorithm::ALL.len());
        for algorithm in Algorithm::ALL {
            let (count, completed, failed, fell_back) = rows
                .iter()
                .find(|r| r.0 == algorithm.as_str())
                .map(|r| (r.1, r.2, r.3, r.4))
                .unwrap_or_default();
            let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = if completed > 0 {
                on_db!(self, pool => sqlx::query_as(times)
                    .bind(algorithm.as_str())
                    .bind(since)
                    .bind(DURATION_SAMPLE)
                    .fetch_all(pool)
                    .await)?
            } else {
                Vec::new()
            };
            let mut ms: Vec<i64> = spans
                .into_iter()
                .map(|(start, end)| (end - start).num_milliseconds().max(0))
                .collect();
            ms.sort_unstable();
            out.push(AlgorithmStats {
                algorithm,
                count,
                completed,
                failed,
                success_rate: rate(completed, completed + failed),
                fallback_rate: rate(fell_back, completed),
                p50_ms: percentile(&ms, 50),
                p95_ms: percentile(&ms, 95),
            });
        }
        Ok(out)
    }
}
