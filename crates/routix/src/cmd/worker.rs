//! `routix worker`: runs generation jobs from the shared database, without serving HTTP.
//! Start several beside `routix serve` processes to scale out; with REDIS_URL their progress
//! reaches WebSocket clients on any server.

// The settings come from the server's reader (one environment for every command); the
// worker itself is the engine's.
use routix_server::{Settings, Vars};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Jobs run at once (default WORKER_CONCURRENCY, else 2).
    #[arg(long)]
    concurrency: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let settings = Settings::load(&Vars::from_process_env(), None)?;
    routix_server::telemetry::init_tracing(settings.log_format);
    super::runtime()?.block_on(async move {
        let concurrency = args
            .concurrency
            .unwrap_or(settings.worker_concurrency)
            .max(1);
        let (worker, db) =
            routix_engine::setup::standalone_worker(&settings.engine(), concurrency).await?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let signal = routix_server::shutdown_signal();
        let handles = worker.spawn(stopped);
        tracing::info!(concurrency, "worker started");
        signal.await;
        let _ = stop.send(true);
        for h in handles {
            let _ = h.await;
        }
        db.close().await;
        Ok(())
    })
}
