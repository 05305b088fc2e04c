//! `routix migrate`: apply pending database migrations and exit.

use routix_server::{Settings, Vars};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    let settings = Settings::load(&Vars::from_process_env(), None)?;
    super::runtime()?.block_on(async move {
        let (db, _) = routix_server::app::open_storage(&settings).await?;
        db.close().await;
        println!(
            "migrations applied to {}",
            routix_store::redact_url(&settings.database_url)
        );
        Ok(())
    })
}
