//! The generation worker: claims jobs from the database queue, runs the five stages, keeps
//! its lease alive with a heartbeat, and records the outcome. `routix serve` runs one in
//! process; `routix worker` runs one alone against the same database (scale-out). Several
//! workers on one PostgreSQL never share a job (claims skip locked rows), and a job whose
//! worker died is picked up again when its lease runs out.

use std::{
    sync::{
        atomic::{AtomicU8, Ordering},
        Arc,
    },
    time::Duration,
};

use routix_core::Stage;
use routix_store::{
    blobs::BlobStore,
    generations::{Completion, Generation, Lease, Progress, StageRecord},
    now, Db, GenerationId,
};
use tokio::sync::{watch, Notify};

use crate::{
    events::EventBus,
    pipeline::{Engine, JobError, StageOutcome, Stages, Stores},
};

/// What a worker needs; the server's `AppState` has all of it, and so does `routix worker`.
#[derive(Clone)]
pub struct WorkerDeps {
    pub db: Db,
    pub blobs: BlobStore,
    pub events: EventBus,
    pub engine: Arc<Engine>,
    /// The bank's search index: a request's best reference steers its look.
    pub bank: Arc<std::sync::RwLock<routix_core::bank::search::Index>>,
}

impl WorkerDeps {
    /// The storage side, as the pipeline sees it.
    pub fn stores(&self) -> Stores<'_> {
        Stores {
            db: &self.db,
            blobs: &self.blobs,
            bank: &self.bank,
        }
    }
}

pub struct Worker {
    pub deps: WorkerDeps,
    /// Unique per process and slot, recorded as the lease owner.
    pub id: String,
    pub concurrency: usize,
    pub lease: Duration,
    /// How often to look for work when not woken.
    pub poll: Duration,
    pub wake: Arc<Notify>,
}

const GO_ON: u8 = 0;
const CANCEL: u8 = 1;
const LOST: u8 = 2;

impl Worker {
    /// Runs `concurrency` job slots and a reaper until `shutdown` turns true. A job in flight
    /// at shutdown is left to its lease: another worker retries it.
    pub fn spawn(self, shutdown: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
        let me = Arc::new(self);
        let mut handles = Vec::new();
        for slot in 0..me.concurrency.max(1) {
            let me = me.clone();
            let shutdown = shutdown.clone();
            handles.push(tokio::spawn(async move { me.slot(slot, shutdown).await }));
        }
        let reaper = me.clone();
        handles.push(tokio::spawn(async move { reaper.reap(shutdown).await }));
        handles
    }

    async fn slot(&self, slot: usize, mut shutdown: watch::Receiver<bool>) {
        let owner = format!("{}/{slot}", self.id);
        while !*shutdown.borrow() {
            match self.deps.db.claim_generation(&owner, self.lease).await {
                Ok(Some(job)) => {
                    let run = self.run(&owner, job);
                    tokio::select! {
                        () = run => {}
                        _ = shutdown.changed() => return,
                    }
                }
                Ok(None) => {
                    tokio::select! {
                        () = self.wake.notified() => {}
                        () = tokio::time::sleep(self.poll) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a job; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Finishes jobs whose workers vanished for good (failed and refunded).
    async fn reap(&self, mut shutdown: watch::Receiver<bool>) {
        let every = (self.lease / 2).clamp(Duration::from_millis(200), Duration::from_secs(15));
        while !*shutdown.borrow() {
            match self.deps.db.reap_abandoned().await {
                Ok(reaped) => {
                    for g in reaped {
                        tracing::warn!(generation = %g.id, status = g.status.as_str(), "abandoned job finished and refunded");
                        self.publish(g).await;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reaper could not run"),
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn run(&self, owner: &str, job: Generation) {
        let id = job.id;
        tracing::info!(generation = %id, attempt = job.attempts, algorithm = job.algorithm.as_str(), "job started");
        metrics::counter!("generation_jobs_started_total").increment(1);
        let signal = Arc::new(AtomicU8::new(GO_ON));
        let heartbeat = tokio::spawn(heartbeat(
            self.deps.db.clone(),
            id,
            owner.to_string(),
            self.lease,
            signal.clone(),
        ));
        let mut tracker = Tracker {
            deps: &self.deps,
            owner,
            job: &job,
            stages: Vec::new(),
            signal: &signal,
        };
        let outcome = self
            .deps
            .engine
            .run(&job, &self.deps.stores(), &mut tracker)
            .await;
        heartbeat.abort();
        let stages = tracker.close();
        let db = &self.deps.db;
        let recorded = match outcome {
            Ok(done) => {
                let completion = Completion {
                    stages,
                    result_key: done.result_key,
                    preview_key: done.preview_key,
                    result_bytes: done.result_bytes,
                    width: done.width,
                    height: done.height,
                    details: Some(done.details),
                    charged: Some(done.charged),
                };
                let ok = db.complete_generation(id, owner, &completion).await;
                if matches!(ok, Ok(false)) && signal.load(Ordering::Relaxed) == CANCEL {
                    db.finish_cancelled(id, owner, &completion.stages).await
                } else {
                    ok
                }
            }
            Err(JobError::Cancelled) => db.finish_cancelled(id, owner, &stages).await,
            Err(JobError::LeaseLost) => Ok(false),
            Err(JobError::Failed(message)) => {
                tracing::warn!(generation = %id, error = %message, "job failed; credits refunded");
                db.fail_generation(id, owner, &message, &stages).await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(generation = %id, "job outcome not recorded: the lease had moved on")
            }
            Err(e) => {
                tracing::error!(generation = %id, error = %e, "could not record the job's outcome; its lease will expire and it will be retried")
            }
        }
        if let Ok(g) = db.generation_any(id).await {
            metrics::counter!("generation_jobs_finished_total", "status" => g.status.as_str())
                .increment(1);
            self.publish(g).await;
        }
    }

    async fn publish(&self, g: Generation) {
        publish_generation(&self.deps.events, g).await;
    }
}

pub async fn publish_generation(events: &EventBus, g: Generation) {
    let (user, conversation) = (g.user_id, g.conversation_id);
    let event = crate::view::generation_event(&crate::view::GenerationView::from(g));
    events
        .publish(&crate::events::user_topic(user), &event)
        .await;
    if let Some(c) = conversation {
        events
            .publish(&crate::events::conversation_topic(c), &event)
            .await;
    }
}

async fn heartbeat(
    db: Db,
    id: GenerationId,
    owner: String,
    lease: Duration,
    signal: Arc<AtomicU8>,
) {
    let every = (lease / 3).max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(every).await;
        match db.heartbeat(id, &owner, lease).await {
            Ok(Lease::Held) => {}
            Ok(Lease::CancelRequested) => signal.store(CANCEL, Ordering::Relaxed),
            Ok(Lease::Lost) => {
                signal.store(LOST, Ordering::Relaxed);
                return;
            }
            Err(e) => tracing::warn!(error = %e, generation = %id, "heartbeat failed"),
        }
    }
}

/// Records stage transitions for one job, publishes them, and tells the pipeline whether to
/// go on.
pub struct Tracker<'a> {
    deps: &'a WorkerDeps,
    owner: &'a str,
    job: &'a Generation,
    stages: Vec<StageRecord>,
    signal: &'a AtomicU8,
}

impl Stages for Tracker<'_> {
    async fn enter(&mut self, stage: Stage, learned: StageOutcome) -> Result<(), JobError> {
        self.check()?;
        let at = now();
        if let Some(last) = self.stages.last_mut() {
            last.finished_at.get_or_insert(at);
        }
        self.stages.push(StageRecord {
            stage: stage.number(),
            label: stage.label().to_string(),
            started_at: at,
            finished_at: None,
        });
        let progress = Progress {
            stage: stage.number(),
            progress: stage.start_percent(),
            stages: self.stages.clone(),
            analysis: learned.analysis,
            template_id: learned.template_id,
            engine: learned.engine,
            fell_back: learned.fell_back,
            fallback_reason: learned.fallback_reason,
            subject: learned.subject,
        };
        let lease = self
            .deps
            .db
            .record_progress(self.job.id, self.owner, &progress)
            .await
            .map_err(|e| JobError::Failed(format!("could not record progress: {e}")))?;
        match lease {
            Lease::Held => {}
            Lease::CancelRequested => return Err(JobError::Cancelled),
            Lease::Lost => return Err(JobError::LeaseLost),
        }
        if let Ok(g) = self.deps.db.generation_any(self.job.id).await {
            publish_generation(&self.deps.events, g).await;
        }
        Ok(())
    }

    /// Errs if the owner cancelled or the lease was lost since the last check.
    fn check(&self) -> Result<(), JobError> {
        match self.signal.load(Ordering::Relaxed) {
            CANCEL => Err(JobError::Cancelled),
            LOST => Err(JobError::LeaseLost),
            _ => Ok(()),
        }
    }
}

impl Tracker<'_> {
    fn close(mut self) -> Vec<StageRecord> {
        let at = now();
        if let Some(last) = self.stages.last_mut() {
            last.finished_at.get_or_insert(at);
        }
        self.stages
    }
}
