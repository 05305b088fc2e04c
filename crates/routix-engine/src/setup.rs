//! Starting the engine: storage, Redis, the event bus, templates and providers, and a whole
//! standalone worker for `routix worker`. It takes its settings as plain values
//! (`EngineSettings`); reading them from the environment is the caller's job.

use std::{path::PathBuf, sync::Arc, time::Duration};

use routix_store::{
    blobs::{BlobStore, StorageBackend},
    Db, StoreError,
};
use tokio::sync::Notify;

use crate::{
    events::EventBus,
    pipeline::Engine,
    worker::{Worker, WorkerDeps},
};

/// What the engine needs to run: where the data is, Redis, the providers, the job lease.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub database_url: String,
    pub database_pool_size: u32,
    /// Where uploads and results are stored.
    pub storage: StorageBackend,
    /// The local directory blobs live under when `storage` is the filesystem.
    pub uploads_dir: PathBuf,
    pub redis_url: Option<String>,
    pub redis_key_prefix: String,
    /// AI providers (keys, base URLs, models, timeouts).
    pub providers: routix_providers::ProvidersConfig,
    /// How long a worker's claim on a job lasts without a heartbeat.
    pub job_lease: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot open the database: {0}")]
    Database(#[from] StoreError),
    #[error("cannot open object storage: {0}")]
    Storage(#[source] StoreError),
    #[error("cannot set up generation: {0}")]
    Engine(String),
}

/// Connects to the database (applying migrations) and object storage.
pub async fn open_storage(settings: &EngineSettings) -> Result<(Db, BlobStore), SetupError> {
    let db = Db::connect(&settings.database_url, settings.database_pool_size).await?;
    db.migrate().await?;
    let blobs =
        BlobStore::open(&settings.storage, &settings.uploads_dir).map_err(SetupError::Storage)?;
    tracing::info!(storage = blobs.label(), "object storage ready");
    Ok((db, blobs))
}

/// Connects to Redis if configured; failure is logged and the process works without it.
pub async fn connect_redis(settings: &EngineSettings) -> Option<redis::aio::ConnectionManager> {
    let url = settings.redis_url.as_deref()?;
    let attempt = async {
        let client = redis::Client::open(url)?;
        redis::aio::ConnectionManager::new(client).await
    };
    match tokio::time::timeout(Duration::from_secs(3), attempt).await {
        Ok(Ok(conn)) => Some(conn),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "Redis unreachable; rate limits and events stay in this process");
            None
        }
        Err(_) => {
            tracing::warn!(
                "Redis did not answer within 3 s; rate limits and events stay in this process"
            );
            None
        }
    }
}

/// Templates, analyzer and image providers, configured from the settings.
pub async fn build_engine(
    settings: &EngineSettings,
    redis: Option<redis::aio::ConnectionManager>,
) -> Result<Engine, SetupError> {
    let templates =
        routix_render::TemplateLibrary::builtin().map_err(|e| SetupError::Engine(e.to_string()))?;
    let providers = routix_providers::Providers::new(
        settings.providers.clone(),
        redis,
        &settings.redis_key_prefix,
    )
    .map_err(|e| SetupError::Engine(e.to_string()))?;
    Ok(Engine {
        templates: Arc::new(templates),
        providers,
    })
}

/// Events through Redis when it is configured and answered, else in this process only.
pub async fn event_bus(
    settings: &EngineSettings,
    redis: &Option<redis::aio::ConnectionManager>,
) -> EventBus {
    match (redis, settings.redis_url.as_deref()) {
        (Some(conn), Some(url)) => {
            EventBus::with_redis(url, conn.clone(), &settings.redis_key_prefix).await
        }
        _ => EventBus::local(),
    }
}

/// A name for this process's worker, unique enough to tell lease owners apart.
pub fn worker_id() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A worker for `routix worker`: its own storage, events and engine, no HTTP.
pub async fn standalone_worker(
    settings: &EngineSettings,
    concurrency: usize,
) -> Result<(Worker, Db), SetupError> {
    let (db, blobs) = open_storage(settings).await?;
    let redis = connect_redis(settings).await;
    let events = event_bus(settings, &redis).await;
    let engine = Arc::new(build_engine(settings, redis).await?);
    // Its own copy of the bank index, refreshed now and then (admins edit through `serve`).
    let bank = Arc::new(std::sync::RwLock::new(crate::bank::build_index(&db).await?));
    {
        let (db, bank) = (db.clone(), bank.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(300)).await;
                match crate::bank::build_index(&db).await {
                    Ok(fresh) => {
                        if let Ok(mut index) = bank.write() {
                            *index = fresh;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "bank index refresh failed"),
                }
            }
        });
    }
    crate::grants::spawn(db.clone(), None);
    let worker = Worker {
        deps: WorkerDeps {
            db: db.clone(),
            blobs,
            events,
            engine,
            bank,
        },
        id: worker_id(),
        concurrency,
        lease: settings.job_lease,
        poll: Duration::from_millis(500),
        wake: Arc::new(Notify::new()),
    };
    Ok((worker, db))
}
