//! `routix admin ...`: account administration from the shell, for the first admin and for
//! operators without the web panel.

use routix_server::routes::auth::create_account;
use routix_server::{Settings, Vars};
use routix_store::users::Role;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Create an account (use --admin for an administrator).
    CreateUser {
        #[arg(long)]
        email: String,
        /// At least 8 characters. Prefer ROUTIX_ADMIN_PASSWORD to keep it out of shell history.
        #[arg(long, env = "ROUTIX_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Give the account the admin role.
        #[arg(long)]
        admin: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let settings = Settings::load(&Vars::from_process_env(), None)?;
    super::runtime()?.block_on(async move {
        let (db, _) = routix_server::app::open_storage(&settings).await?;
        let result = match args.command {
            Command::CreateUser {
                email,
                password,
                display_name,
                admin,
            } => {
                let role = if admin { Role::Admin } else { Role::User };
                create_account(
                    &db,
                    &email,
                    &password,
                    display_name.as_deref(),
                    None,
                    role,
                    settings.free_credits,
                )
                .await
                .map(|user| println!("created {} {} ({})", role.as_str(), user.email, user.id))
                .map_err(|e| anyhow::anyhow!(e.message))
            }
        };
        db.close().await;
        result
    })
}
