//! Generations, which are also the job queue. A generation row is the job: enqueued in the
//! same transaction as its credit reservation, claimed by a worker under a lease (renewed by
//! heartbeat), and finished in the same transaction as its settlement or refund. Every worker
//! write is conditioned on still holding the lease, so a worker that lost its job (lease
//! expired, job reclaimed or cancelled) can't overwrite the new owner's work or pay twice.

use chrono::{DateTime, Utc};
use routix_core::{credits::LedgerKind, Algorithm, GenerationStatus};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use std::time::Duration;

use crate::{
    credits::INSERT_LEDGER, now, on_db, page::Cursor, ConversationId, Db, FileId, GenerationId,
    LedgerId, Page, Result, StoreError, UserId,
};

/// When one stage of a generation started and finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    pub stage: u8,
    pub label: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generation {
    pub id: GenerationId,
    pub user_id: UserId,
    pub conversation_id: Option<ConversationId>,
    pub prompt: String,
    pub algorithm: Algorithm,
    pub requested_template: Option<String>,
    pub reference_file_ids: Vec<FileId>,
    pub format: String,
    pub cost: i64,
    pub watermark: bool,
    pub status: GenerationStatus,
    pub stage: u8,
    pub progress: u8,
    pub stages: Vec<StageRecord>,
    pub analysis: Option<serde_json::Value>,
    /// What the compositor drew as the subject: `{kind, emoji, label}`.
    pub subject: Option<serde_json::Value>,
    /// What was asked beyond the prompt: `{variants, edit}`.
    pub options: Option<serde_json::Value>,
    /// The generation this one re-edits.
    pub parent_id: Option<GenerationId>,
    /// What was made: legibility, the headline drawn, variants, the stored artwork.
    pub details: Option<serde_json::Value>,
    /// The owner's verdict: 1 up, -1 down.
    pub rating: Option<i16>,
    /// When the owner marked it a favourite.
    pub favorited_at: Option<DateTime<Utc>>,
    pub template_id: Option<String>,
    pub engine: Option<String>,
    pub fell_back: bool,
    pub fallback_reason: Option<String>,
    pub error: Option<String>,
    pub result_key: Option<String>,
    pub preview_key: Option<String>,
    pub result_bytes: Option<i64>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub cancel_requested: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: GenerationId,
    user_id: UserId,
    conversation_id: Option<ConversationId>,
    prompt: String,
    algorithm: String,
    requested_template: Option<String>,
    reference_file_ids: Json<Vec<FileId>>,
    format: String,
    cost: i64,
    watermark: bool,
    status: String,
    stage: i32,
    progress: i32,
    stages: Json<Vec<StageRecord>>,
    analysis: Option<Json<serde_json::Value>>,
    subject: Option<Json<serde_json::Value>>,
    options: Option<Json<serde_json::Value>>,
    parent_id: Option<GenerationId>,
    details: Option<Json<serde_json::Value>>,
    rating: Option<i16>,
    favorited_at: Option<DateTime<Utc>>,
    template_id: Option<String>,
    engine: Option<String>,
    fell_back: bool,
    fallback_reason: Option<String>,
    error: Option<String>,
    result_key: Option<String>,
    preview_key: Option<String>,
    result_bytes: Option<i64>,
    width: Option<i32>,
    height: Option<i32>,
    attempts: i32,
    max_attempts: i32,
    cancel_requested: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl From<Row> for Generation {
    fn from(r: Row) -> Self {
        Generation {
            id: r.id,
            user_id: r.user_id,
            conversation_id: r.conversation_id,
            prompt: r.prompt,
            algorithm: r.algorithm.parse().unwrap_or(Algorithm::Basic),
            requested_template: r.requested_template,
            reference_file_ids: r.reference_file_ids.0,
            format: r.format,
            cost: r.cost,
            watermark: r.watermark,
            status: r.status.parse().unwrap_or(GenerationStatus::Failed),
            stage: r.stage.clamp(0, 5) as u8,
            progress: r.progress.clamp(0, 100) as u8,
            stages: r.stages.0,
            analysis: r.analysis.map(|j| j.0),
            subject: r.subject.map(|j| j.0),
            options: r.options.map(|j| j.0),
            parent_id: r.parent_id,
            details: r.details.map(|j| j.0),
            rating: r.rating,
            favorited_at: r.favorited_at,
            template_id: r.template_id,
            engine: r.engine,
            fell_back: r.fell_back,
            fallback_reason: r.fallback_reason,
            error: r.error,
            result_key: r.result_key,
            preview_key: r.preview_key,
            result_bytes: r.result_bytes,
            width: r.width,
            height: r.height,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            cancel_requested: r.cancel_requested,
            created_at: r.created_at,
            updated_at: r.updated_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

const COLUMNS: &str = "id, user_id, conversation_id, prompt, algorithm, requested_template, reference_file_ids, \
    format, cost, watermark, status, stage, progress, stages, analysis, subject, options, parent_id, details, rating, favorited_at, template_id, engine, fell_back, \
    fallback_reason, error, result_key, preview_key, result_bytes, width, height, attempts, max_attempts, \
    cancel_requested, created_at, updated_at, started_at, finished_at";

/// A template's record: how often it was used, completed, and rated down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePerformance {
    pub template_id: String,
    pub uses: u32,
    pub successes: u32,
    pub rated_down: u32,
}

pub struct NewGeneration<'a> {
    pub user_id: UserId,
    pub conversation_id: Option<ConversationId>,
    pub prompt: &'a str,
    pub algorithm: Algorithm,
    pub requested_template: Option<&'a str>,
    pub reference_file_ids: Vec<FileId>,
    pub format: &'a str,
    pub cost: i64,
    pub watermark: bool,
    pub max_attempts: i32,
    pub options: Option<serde_json::Value>,
    pub parent_id: Option<GenerationId>,
}

#[derive(Debug, Clone, Default)]
pub struct GenerationFilter {
    pub status: Option<GenerationStatus>,
    pub algorithm: Option<Algorithm>,
    pub conversation_id: Option<ConversationId>,
    /// Only favourites (`true`) or only the others (`false`).
    pub favorite: Option<bool>,
}

/// What a worker learns when it renews its lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lease {
    Held,
    /// The owner asked to cancel: stop, then call `finish_cancelled`.
    CancelRequested,
    /// The job is no longer ours (lease expired and reclaimed, or finished elsewhere).
    Lost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// It was queued: cancelled and refunded now.
    Cancelled,
    /// It is running: its worker stops at the next check and refunds then.
    Requested,
    /// It had already finished with this status.
    AlreadyFinished(GenerationStatus),
}

/// Fields a worker fills in as the stages go by; `None` leaves a field as it was.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub stage: u8,
    pub progress: u8,
    pub stages: Vec<StageRecord>,
    pub analysis: Option<serde_json::Value>,
    pub template_id: Option<String>,
    pub engine: Option<String>,
    pub fell_back: Option<bool>,
    pub fallback_reason: Option<String>,
    pub subject: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct Completion {
    pub stages: Vec<StageRecord>,
    pub result_key: String,
    pub preview_key: String,
    pub result_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub details: Option<serde_json::Value>,
    /// What the job costs in the end; less than its reservation returns the difference in
    /// the same transaction (a premium image that fell back is charged the basic price).
    /// `None`: the reservation stands.
    pub charged: Option<i64>,
}

fn lease_deadline(lease: Duration) -> i64 {
    now().timestamp_millis() + lease.as_millis() as i64
}

/// Returns a generation's reservation inside the caller's transaction: the balance and the
/// ledger move together, at most once per generation (unique index on generation + kind).
macro_rules! refund_in_tx {
    ($tx:expr, $user:expr, $generation:expr, $cost:expr, $note:expr) => {{
        sqlx::query("UPDATE users SET credits = credits + $2 WHERE id = $1")
            .bind($user)
            .bind($cost)
            .execute(&mut *$tx)
            .await?;
        sqlx::query(INSERT_LEDGER)
            .bind(LedgerId::new())
            .bind($user)
            .bind(LedgerKind::Refund.as_str())
            .bind($cost)
            .bind(Some($generation))
            .bind($note)
            .bind(now())
            .execute(&mut *$tx)
            .await?;
    }};
}

impl Db {
    /// Reserves the credits and queues the job in one transaction; with too few credits
    /// nothing is written and `InsufficientCredits` says how many are missing. An account on
    /// an unlimited plan (enterprise) is never refused: its reservation is ledgered all the
    /// same and may take the balance below zero.
    pub async fn enqueue_generation(&self, new: NewGeneration<'_>) -> Result<Generation> {
        let id = GenerationId::new();
        let at = now();
        let sql = format!(
            "INSERT INTO generations (id, user_id, conversation_id, prompt, algorithm, requested_template,
                 reference_file_ids, format, cost, watermark, status, max_attempts, created_at, updated_at,
                 options, parent_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, $12, $12, $13, $14)
             RETURNING {COLUMNS}"
        );
        let row: Row = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let taken: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET credits = credits - $2
                 WHERE id = $1 AND deleted_at IS NULL AND (credits >= $2 OR plan = 'enterprise')
                 RETURNING credits",
            )
            .bind(new.user_id)
            .bind(new.cost)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_none() {
                let balance: Option<i64> = sqlx::query_scalar(
                    "SELECT credits FROM users WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(new.user_id)
                .fetch_optional(&mut *tx)
                .await?;
                return Err(match balance {
                    Some(balance) => StoreError::InsufficientCredits { needed: new.cost, balance },
                    None => StoreError::NotFound,
                });
            }
            let row: Row = sqlx::query_as(&sql)
                .bind(id)
                .bind(new.user_id)
                .bind(new.conversation_id)
                .bind(new.prompt)
                .bind(new.algorithm.as_str())
                .bind(new.requested_template)
                .bind(Json(&new.reference_file_ids))
                .bind(new.format)
                .bind(new.cost)
                .bind(new.watermark)
                .bind(new.max_attempts)
                .bind(at)
                .bind(new.options.as_ref().map(Json))
                .bind(new.parent_id)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(INSERT_LEDGER)
                .bind(LedgerId::new())
                .bind(new.user_id)
                .bind(LedgerKind::Reserve.as_str())
                .bind(-new.cost)
                .bind(Some(id))
                .bind(if new.parent_id.is_some() {
                    "free re-edit".to_string()
                } else {
                    format!("{} generation", new.algorithm)
                })
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        Ok(row.into())
    }

    /// A live generation, only if `user` owns it.
    pub async fn generation(&self, user: UserId, id: GenerationId) -> Result<Generation> {
        let sql = format!(
            "SELECT {COLUMNS} FROM generations WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
        );
        let row: Row =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id).bind(user).fetch_one(pool).await)?;
        Ok(row.into())
    }

    /// Any generation by id (workers, admins).
    pub async fn generation_any(&self, id: GenerationId) -> Result<Generation> {
        let sql = format!("SELECT {COLUMNS} FROM generations WHERE id = $1");
        let row: Row = on_db!(self, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?;
        Ok(row.into())
    }

    /// Newest first; `user: None` lists everyone's (admin).
    pub async fn list_generations(
        &self,
        user: Option<UserId>,
        filter: &GenerationFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<Generation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM generations
             WHERE deleted_at IS NULL
               AND ($1 IS NULL OR user_id = $1)
               AND ($2 IS NULL OR status = $2)
               AND ($3 IS NULL OR algorithm = $3)
               AND ($4 IS NULL OR conversation_id = $4)
               AND ($5 IS NULL OR id < $5)
               AND ($7 IS NULL OR (favorited_at IS NOT NULL) = $7)
             ORDER BY id DESC LIMIT $6"
        );
        let rows: Vec<Row> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(user)
            .bind(filter.status.map(|s| s.as_str()))
            .bind(filter.algorithm.map(|a| a.as_str()))
            .bind(filter.conversation_id)
            .bind(cursor.map(|c| GenerationId(c.0)))
            .bind((limit + 1) as i64)
            .bind(filter.favorite)
            .fetch_all(pool)
            .await)?;
        Ok(Page::from_rows(rows, limit, |r| r.id.0).map(Generation::from))
    }

    /// Claims the oldest runnable job: queued, or running under an expired lease (its worker
    /// died) with attempts left. PostgreSQL skips rows other workers hold; SQLite serialises
    /// writers, so the single UPDATE is already exclusive.
    pub async fn claim_generation(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Generation>> {
        let at = now();
        let lock = match self {
            Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            Db::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE generations
             SET status = 'processing', lease_owner = $1, lease_until = $2, attempts = attempts + 1,
                 started_at = COALESCE(started_at, $3), updated_at = $3
             WHERE id = (
                 SELECT id FROM generations
                 WHERE deleted_at IS NULL AND attempts < max_attempts AND cancel_requested = FALSE
                   AND (status = 'queued' OR (status = 'processing' AND lease_until < $4))
                 ORDER BY id LIMIT 1 {lock})
             RETURNING {COLUMNS}"
        );
        let row: Option<Row> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(worker)
            .bind(lease_deadline(lease))
            .bind(at)
            .bind(at.timestamp_millis())
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Generation::from))
    }

    /// Finishes jobs nobody can finish any more — lease expired with no attempts left, or
    /// cancelled while their worker was gone — as failed or cancelled, refunded. Answers them.
    pub async fn reap_abandoned(&self) -> Result<Vec<Generation>> {
        let mut reaped = Vec::new();
        let lock = match self {
            Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            Db::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE generations
             SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END,
                 error = CASE WHEN cancel_requested THEN NULL
                              ELSE 'the worker stopped responding too many times; credits refunded' END,
                 lease_owner = NULL, finished_at = $1, updated_at = $1
             WHERE id = (
                 SELECT id FROM generations
                 WHERE status = 'processing' AND lease_until < $2
                   AND (attempts >= max_attempts OR cancel_requested)
                 ORDER BY id LIMIT 1 {lock})
             RETURNING {COLUMNS}"
        );
        loop {
            let at = now();
            let row: Option<Row> = on_db!(self, pool => {
                let mut tx = pool.begin().await?;
                let row: Option<Row> = sqlx::query_as(&sql)
                    .bind(at)
                    .bind(at.timestamp_millis())
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(r) = &row {
                    refund_in_tx!(tx, r.user_id, r.id, r.cost, "refund: generation abandoned");
                }
                tx.commit().await?;
                row
            });
            match row {
                Some(r) => reaped.push(r.into()),
                None => return Ok(reaped),
            }
        }
    }

    /// Renews the lease; tells the worker whether to go on.
    pub async fn heartbeat(
        &self,
        id: GenerationId,
        worker: &str,
        lease: Duration,
    ) -> Result<Lease> {
        let flag: Option<bool> = on_db!(self, pool => sqlx::query_scalar(
            "UPDATE generations SET lease_until = $3
             WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING cancel_requested",
        )
        .bind(id)
        .bind(worker)
        .bind(lease_deadline(lease))
        .fetch_optional(pool)
        .await)?;
        Ok(match flag {
            None => Lease::Lost,
            Some(true) => Lease::CancelRequested,
            Some(false) => Lease::Held,
        })
    }

    /// Records a stage's progress; `Lost`/`CancelRequested` tell the worker to stop.
    pub async fn record_progress(
        &self,
        id: GenerationId,
        worker: &str,
        p: &Progress,
    ) -> Result<Lease> {
        let flag: Option<bool> = on_db!(self, pool => sqlx::query_scalar(
            "UPDATE generations
             SET stage = $3, progress = $4, stages = $5,
                 analysis = COALESCE($6, analysis), template_id = COALESCE($7, template_id),
                 engine = COALESCE($8, engine), fell_back = COALESCE($9, fell_back),
                 fallback_reason = COALESCE($10, fallback_reason), updated_at = $11,
                 subject = COALESCE($12, subject)
             WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING cancel_requested",
        )
        .bind(id)
        .bind(worker)
        .bind(i32::from(p.stage))
        .bind(i32::from(p.progress))
        .bind(Json(&p.stages))
        .bind(p.analysis.as_ref().map(Json))
        .bind(p.template_id.as_deref())
        .bind(p.engine.as_deref())
        .bind(p.fell_back)
        .bind(p.fallback_reason.as_deref())
        .bind(now())
        .bind(p.subject.as_ref().map(Json))
        .fetch_optional(pool)
        .await)?;
        Ok(match flag {
            None => Lease::Lost,
            Some(true) => Lease::CancelRequested,
            Some(false) => Lease::Held,
        })
    }

    /// Marks the job completed and settles its reservation, once. `false`: the lease was lost
    /// and someone else owns the outcome.
    pub async fn complete_generation(
        &self,
        id: GenerationId,
        worker: &str,
        done: &Completion,
    ) -> Result<bool> {
        let at = now();
        Ok(on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            // What was reserved (a job's cost changes only here, once: the status guard below).
            let reserved: Option<i64> = sqlx::query_scalar("SELECT cost FROM generations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let row: Option<(UserId, i64, String)> = sqlx::query_as(
                "UPDATE generations
                 SET status = 'completed', stage = 5, progress = 100, stages = $3, result_key = $4,
                     preview_key = $5, result_bytes = $6, width = $7, height = $8, error = NULL,
                     lease_owner = NULL, finished_at = $9, updated_at = $9, details = $10,
                     cost = CASE WHEN COALESCE($11, cost) < cost THEN $11 ELSE cost END
                 WHERE id = $1 AND lease_owner = $2 AND status = 'processing' AND cancel_requested = FALSE
                 RETURNING user_id, cost, algorithm",
            )
            .bind(id)
            .bind(worker)
            .bind(Json(&done.stages))
            .bind(&done.result_key)
            .bind(&done.preview_key)
            .bind(done.result_bytes)
            .bind(done.width)
            .bind(done.height)
            .bind(at)
            .bind(done.details.as_ref().map(Json))
            .bind(done.charged.map(|c| c.max(0)))
            .fetch_optional(&mut *tx)
            .await?;
            let Some((user, charged, algorithm)) = row else {
                return Ok(false);
            };
            let returned = reserved.unwrap_or(charged) - charged;
            if returned > 0 {
                let note = format!(
                    "{algorithm} fell back: {returned} credit{} returned",
                    if returned == 1 { "" } else { "s" }
                );
                refund_in_tx!(tx, user, id, returned, note.as_str());
            }
            sqlx::query(INSERT_LEDGER)
                .bind(LedgerId::new())
                .bind(user)
                .bind(LedgerKind::Settle.as_str())
                .bind(0i64)
                .bind(Some(id))
                .bind("generation completed")
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            true
        }))
    }

    /// Marks the job failed with a message for its owner and refunds it, once.
    pub async fn fail_generation(
        &self,
        id: GenerationId,
        worker: &str,
        error: &str,
        stages: &[StageRecord],
    ) -> Result<bool> {
        self.finish_unpaid(
            id,
            worker,
            "failed",
            Some(error),
            stages,
            "refund: generation failed",
        )
        .await
    }

    /// The worker saw a cancel request: mark cancelled and refund, once.
    pub async fn finish_cancelled(
        &self,
        id: GenerationId,
        worker: &str,
        stages: &[StageRecord],
    ) -> Result<bool> {
        self.finish_unpaid(
            id,
            worker,
            "cancelled",
            None,
            stages,
            "refund: generation cancelled",
        )
        .await
    }

    async fn finish_unpaid(
        &self,
        id: GenerationId,
        worker: &str,
        status: &str,
        error: Option<&str>,
        stages: &[StageRecord],
        note: &str,
    ) -> Result<bool> {
        let at = now();
        Ok(on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<(UserId, i64)> = sqlx::query_as(
                "UPDATE generations
                 SET status = $3, error = $4, stages = $5, lease_owner = NULL, finished_at = $6, updated_at = $6
                 WHERE id = $1 AND lease_owner = $2 AND status = 'processing'
                 RETURNING user_id, cost",
            )
            .bind(id)
            .bind(worker)
            .bind(status)
            .bind(error)
            .bind(Json(stages))
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((user, cost)) = row else {
                return Ok(false);
            };
            refund_in_tx!(tx, user, id, cost, note);
            tx.commit().await?;
            true
        }))
    }

    /// The owner cancels: a queued job is cancelled and refunded at once; a running one is
    /// flagged and its worker finishes the cancel.
    pub async fn cancel_generation(&self, user: UserId, id: GenerationId) -> Result<CancelOutcome> {
        let at = now();
        let cancelled: bool = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let cost: Option<i64> = sqlx::query_scalar(
                "UPDATE generations SET status = 'cancelled', finished_at = $3, updated_at = $3
                 WHERE id = $1 AND user_id = $2 AND status = 'queued' AND deleted_at IS NULL
                 RETURNING cost",
            )
            .bind(id)
            .bind(user)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(cost) = cost {
                refund_in_tx!(tx, user, id, cost, "refund: generation cancelled");
            }
            tx.commit().await?;
            cost.is_some()
        });
        if cancelled {
            return Ok(CancelOutcome::Cancelled);
        }
        let flagged = on_db!(self, pool => sqlx::query(
            "UPDATE generations SET cancel_requested = TRUE, updated_at = $3
             WHERE id = $1 AND user_id = $2 AND status = 'processing' AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(user)
        .bind(at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        if flagged > 0 {
            return Ok(CancelOutcome::Requested);
        }
        let current = self.generation(user, id).await?;
        Ok(CancelOutcome::AlreadyFinished(current.status))
    }

    /// Hides a generation (cancelling it first if it had not finished) and answers it, so
    /// the caller can delete its stored objects.
    pub async fn delete_generation(&self, user: UserId, id: GenerationId) -> Result<Generation> {
        if let Ok(g) = self.generation(user, id).await {
            if !g.status.is_terminal() {
                self.cancel_generation(user, id).await?;
            }
        }
        let sql = format!(
            "UPDATE generations SET deleted_at = $3, updated_at = $3
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING {COLUMNS}"
        );
        let row: Row = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .bind(user)
            .bind(now())
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    /// Marks (or unmarks) one of the owner's live generations as a favourite; `NotFound` for
    /// anyone else's. Marking twice keeps the first time.
    pub async fn set_favorite(
        &self,
        user: UserId,
        id: GenerationId,
        favorite: bool,
    ) -> Result<Generation> {
        let sql = format!(
            "UPDATE generations
             SET favorited_at = CASE WHEN $3 THEN COALESCE(favorited_at, $4) ELSE NULL END
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING {COLUMNS}"
        );
        let row: Row = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .bind(user)
            .bind(favorite)
            .bind(now())
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    /// Records the owner's verdict on a completed generation (1, -1, or 0 to take it back).
    pub async fn rate_generation(
        &self,
        user: UserId,
        id: GenerationId,
        value: i16,
    ) -> Result<Generation> {
        let sql = format!(
            "UPDATE generations SET rating = $3, updated_at = $4
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND status = 'completed'
             RETURNING {COLUMNS}"
        );
        let row: Option<Row> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .bind(user)
            .bind((value != 0).then_some(value))
            .bind(now())
            .fetch_optional(pool)
            .await)?;
        match row {
            Some(row) => Ok(row.into()),
            // Not completed (or not theirs): the caller tells which.
            None => Err(StoreError::NotFound),
        }
    }

    /// How each template has done: uses (finished jobs), successes (completed) and how
    /// many were rated down, for the matcher's performance score.
    pub async fn template_performance(&self) -> Result<Vec<TemplatePerformance>> {
        let rows: Vec<(String, i64, i64, i64)> = on_db!(self, pool => sqlx::query_as(
            "SELECT template_id, COUNT(*),
                    SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
                    SUM(CASE WHEN rating = -1 THEN 1 ELSE 0 END)
             FROM generations
             WHERE template_id IS NOT NULL AND status IN ('completed', 'failed')
             GROUP BY template_id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(template_id, uses, successes, down)| TemplatePerformance {
                template_id,
                uses: uses.max(0) as u32,
                successes: successes.max(0) as u32,
                rated_down: down.max(0) as u32,
            })
            .collect())
    }

    /// Whether a live generation, or a deleted one with a live share link, still points at
    /// `key` (content-hash names are shared by identical results, so an object is deleted
    /// only when its last user goes).
    pub async fn blob_in_use(&self, key: &str) -> Result<bool> {
        let n: i64 = on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM generations
             WHERE (deleted_at IS NULL
                    OR id IN (SELECT generation_id FROM generation_shares WHERE revoked_at IS NULL))
             AND (result_key = $1 OR preview_key = $1 OR CAST(details AS TEXT) LIKE '%' || $1 || '%')",
        )
        .bind(key)
        .fetch_one(pool)
        .await)?;
        Ok(n > 0)
    }
}
