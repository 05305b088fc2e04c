//! Monthly plan credits: a background task in every `routix serve` and `routix worker` that
//! grants the current month's credits to accounts on plans that have them. Every process runs
//! it; the store's one row per account and month makes each grant happen once however many
//! processes try, and an account moved to a paying plan mid-month gets its credits at the
//! next run.

use std::time::Duration;

use routix_store::{billing::Period, Db};
use tokio::{sync::watch, task::JoinHandle};

/// Time between runs; a new month is granted within this of its start.
const EVERY: Duration = Duration::from_secs(15 * 60);

/// Grants the current period to every account due; answers how many were credited now.
pub async fn run_once(db: &Db) -> Result<u64, routix_store::StoreError> {
    let period = Period::current();
    let granted = db.grant_plan_credits(&period).await?;
    if granted > 0 {
        tracing::info!(%period, accounts = granted, "monthly plan credits granted");
    }
    Ok(granted)
}

/// Runs now and then every 15 minutes, until `shutdown` turns true (never without one).
pub fn spawn(db: Db, shutdown: Option<watch::Receiver<bool>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut shutdown = shutdown;
        loop {
            if let Err(e) = run_once(&db).await {
                tracing::warn!(error = %e, "monthly plan credits not granted; retrying later");
            }
            let stop = async {
                match shutdown.as_mut() {
                    Some(rx) => {
                        let _ = rx.wait_for(|stopping| *stopping).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                () = stop => return,
            }
        }
    })
}
