//! Wiring: settings → state → router → a listening server that shuts down gracefully.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use tokio::sync::Notify;

use axum::{
    extract::{ConnectInfo, DefaultBodyLimit, Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use routix_store::{blobs::BlobStore, Db};
use tokio::net::TcpListener;
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    trace::TraceLayer,
};

use routix_engine::{
    setup::{self, SetupError},
    worker::{Worker, WorkerDeps},
    Engine,
};

use crate::{
    auth::{TokenKeys, TokenType},
    config::Settings,
    error::ApiError,
    ratelimit::Limiter,
    routes,
    state::{AppState, Inner},
    telemetry,
};

/// Default cap on request bodies (uploads have their own, larger one).
const JSON_BODY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[from] routix_store::StoreError),
    #[error("cannot open object storage: {0}")]
    Storage(#[source] routix_store::StoreError),
    #[error("cannot set up generation: {0}")]
    Engine(String),
    #[error("cannot set up mail: {0}")]
    Mail(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

impl From<SetupError> for StartError {
    fn from(e: SetupError) -> StartError {
        match e {
            SetupError::Database(e) => StartError::Database(e),
            SetupError::Storage(e) => StartError::Storage(e),
            SetupError::Engine(reason) => StartError::Engine(reason),
        }
    }
}

/// Connects to the database (applying migrations) and object storage.
pub async fn open_storage(settings: &Settings) -> Result<(Db, BlobStore), StartError> {
    Ok(setup::open_storage(&settings.engine()).await?)
}

/// Templates, analyzer and image providers, configured from the environment.
pub async fn build_engine(
    settings: &Settings,
    redis: Option<redis::aio::ConnectionManager>,
) -> Result<Engine, StartError> {
    Ok(setup::build_engine(&settings.engine(), redis).await?)
}

/// A worker for `routix worker`: its own storage, events and engine, no HTTP.
pub async fn standalone_worker(
    settings: &Settings,
    concurrency: usize,
) -> Result<(Worker, Db), StartError> {
    Ok(setup::standalone_worker(&settings.engine(), concurrency).await?)
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    shutdown: tokio::sync::watch::Sender<bool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let engine_settings = settings.engine();
        let (db, blobs) = setup::open_storage(&engine_settings).await?;
        let redis = setup::connect_redis(&engine_settings).await;
        let events = setup::event_bus(&engine_settings, &redis).await;
        let engine = Arc::new(setup::build_engine(&engine_settings, redis.clone()).await?);
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let bank_index = crate::bank::build_index(&db).await?;
        let state = AppState::new(Inner {
            bank_index: Arc::new(std::sync::RwLock::new(bank_index)),
            keys: TokenKeys::new(settings.secret_key.expose().as_bytes()),
            limiter: Limiter::new(redis, &settings.redis_key_prefix),
            metrics: telemetry::metrics_handle(),
            events,
            worker_wake: Arc::new(Notify::new()),
            mail_wake: Arc::new(Notify::new()),
            shutdown: shutdown_rx.clone(),
            engine: engine.clone(),
            db,
            blobs,
            settings,
        });
        if state.settings.bank_seed {
            let seed = state.clone();
            tokio::spawn(async move {
                let limits = crate::bank::Limits::from_settings(&seed.settings);
                match crate::bank::seed_from_templates(
                    &seed.db,
                    &seed.blobs,
                    &seed.engine.templates,
                    &seed.bank_index,
                    limits,
                )
                .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(items = n, "bank seeded with the layout templates"),
                    Err(e) => {
                        tracing::warn!(error = %e.message, "bank seeding failed; the next start tries again")
                    }
                }
            });
        }
        let addr = state.settings.bind;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let mailer = crate::mail::Mailer::new(
            &state.settings.mail,
            &state.settings.data_dir,
            state.db.clone(),
            state.mail_wake.clone(),
        )
        .map_err(StartError::Mail)?;
        tracing::info!(to = %mailer.describe(), "mail sender ready");
        if state.settings.mail.smtp.is_none()
            && state.settings.environment == crate::config::Environment::Production
        {
            tracing::warn!(
                "SMTP_URL is not set: mails only reach the outbox folder, nobody receives them"
            );
        }
        if state.settings.data_key_generated {
            tracing::warn!(
                path = %state.settings.data_dir.join("data_encryption_key").display(),
                "DATA_ENCRYPTION_KEY is not set: YouTube tokens are encrypted with a development \
                 key kept in the data dir (set DATA_ENCRYPTION_KEY in production)"
            );
        }
        let mail_sender = mailer.spawn(shutdown_rx.clone());
        let mut workers = if state.settings.worker_concurrency > 0 {
            Worker {
                deps: WorkerDeps {
                    db: state.db.clone(),
                    blobs: state.blobs.clone(),
                    events: state.events.clone(),
                    engine,
                    bank: state.bank_index.clone(),
                },
                id: setup::worker_id(),
                concurrency: state.settings.worker_concurrency,
                lease: Duration::from_secs(state.settings.job_lease_seconds),
                poll: Duration::from_millis(1000),
                wake: state.worker_wake.clone(),
            }
            .spawn(shutdown_rx)
        } else {
            Vec::new()
        };
        workers.push(mail_sender);
        workers.push(crate::grants::spawn(
            state.db.clone(),
            Some(state.shutdown.clone()),
        ));
        Ok(Application {
            router: router(state.clone()),
            listener,
            state,
            shutdown,
            workers,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.state.settings.bind)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let notify = self.shutdown;
        let shutdown = async move {
            shutdown.await;
            // Long-lived connections (WebSockets) and workers watch this and wind down.
            let _ = notify.send(true);
        };
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        for worker in self.workers {
            let _ = worker.await;
        }
        self.state.db.close().await;
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called (not when
/// first polled), so a signal that arrives right after start-up is not missed.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = term => {},
                () = int => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(routes::auth::router())
        .merge(routes::users::router())
        .merge(routes::brand::router(state.settings.max_upload_bytes))
        .merge(routes::chat::router())
        .merge(routes::files::router(state.settings.max_upload_bytes))
        .merge(routes::credits::router())
        .merge(routes::algorithms::router())
        .merge(
            routes::generations::router().route_layer(middleware::from_fn_with_state(
                state.clone(),
                routes::account::require_verified,
            )),
        )
        .merge(routes::account::router())
        .merge(routes::admin::router())
        .merge(routes::audit::router())
        .merge(routes::stats::router())
        .merge(routes::broadcasts::router())
        .merge(routes::bank::router())
        .merge(routes::billing::router())
        .merge(routes::shares::router())
        .merge(routes::preview::router())
        .merge(routes::test_sets::router())
        .merge(routes::templates::router())
        .merge(routes::youtube::router())
        .merge(crate::ws::router());
    Router::new()
        .nest("/api/v1", api)
        .merge(routes::health::router())
        .merge(crate::media::router())
        .merge(routes::shares::pages())
        .merge(crate::web::router())
        .merge(routes::docs::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(middleware::from_fn(telemetry::track))
        .layer(cors(&state.settings.cors_origins))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The path only: query strings carry one-time tokens (`/verify?token=…`).
                tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

async fn fallback() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this route",
    )
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-csrf-token"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(3600))
}

/// Headers every response carries unless a handler set its own.
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
        script-src 'self'; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; \
        base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, CSP),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Per-IP limit on every API request, plus a per-user limit when a valid token is presented.
async fn rate_limit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if !req.uri().path().starts_with("/api/") {
        return Ok(next.run(req).await);
    }
    let minute = Duration::from_secs(60);
    let ip = state
        .limiter
        .hit(&format!("ip:{}", peer.ip()), minute)
        .await;
    if ip.count > u64::from(state.settings.rate_limit_ip_per_minute) {
        return Err(ApiError::too_many(
            ip.resets_in,
            "too many requests from this address; slow down",
        ));
    }
    let user = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| state.keys.verify(t.trim(), TokenType::Access));
    if let Some(claims) = user {
        let w = state
            .limiter
            .hit(&format!("user:{}", claims.sub), minute)
            .await;
        if w.count > u64::from(state.settings.rate_limit_user_per_minute) {
            return Err(ApiError::too_many(
                w.resets_in,
                "too many requests for this account; slow down",
            ));
        }
    }
    Ok(next.run(req).await)
}
