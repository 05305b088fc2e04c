//! `routix serve`: the HTTP API, WebSocket and web UI on one port.

use std::net::SocketAddr;

use routix_server::{shutdown_signal, Application, Settings, Vars};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on; overrides HOST and PORT.
    #[arg(long, value_name = "ADDR")]
    bind: Option<SocketAddr>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let settings = Settings::load(&Vars::from_process_env(), args.bind)?;
    routix_server::telemetry::init_tracing(settings.log_format);
    if settings.secret_key_generated {
        tracing::warn!(
            path = %settings.data_dir.join("secret_key").display(),
            "SECRET_KEY is not set: using a generated development key kept in the data directory; set SECRET_KEY in production"
        );
    }
    super::runtime()?.block_on(async move {
        let stop = shutdown_signal();
        let app = Application::build(settings).await?;
        let addr = app.local_addr();
        tracing::info!(%addr, "Routix is listening on http://{addr}");
        app.run_until(stop).await?;
        Ok(())
    })
}
