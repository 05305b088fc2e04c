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
    /// Create an account (use --admin for an administrator); its email counts as confirmed.
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
    /// Add credits to an account (recorded in its ledger).
    GrantCredits {
        #[arg(long)]
        email: String,
        #[arg(long)]
        amount: i64,
        #[arg(long, default_value = "granted by an operator")]
        note: String,
    },
    /// Move an account to another plan: free (watermarked), pro, agency or enterprise.
    SetPlan {
        #[arg(long)]
        email: String,
        /// free, pro, agency or enterprise
        #[arg(long)]
        plan: String,
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
                let created = create_account(
                    &db,
                    &email,
                    &password,
                    display_name.as_deref(),
                    None,
                    role,
                    settings.free_credits,
                )
                .await
                .map_err(|e| anyhow::anyhow!(e.message))
                .map(|user| {
                    println!("created {} {} ({})", role.as_str(), user.email, user.id);
                    user.id
                });
                // The operator vouches for the address: no confirmation mail.
                match created {
                    Ok(id) => db.mark_email_verified(id).await.map_err(Into::into),
                    Err(e) => Err(e),
                }
            }
            Command::GrantCredits {
                email,
                amount,
                note,
            } => grant(&db, &email, amount, &note).await,
            Command::SetPlan { email, plan } => set_plan(&db, &email, &plan).await,
        };
        db.close().await;
        result
    })
}

async fn account(db: &routix_store::Db, email: &str) -> anyhow::Result<routix_store::users::User> {
    let email = email.trim().to_lowercase();
    db.user_by_email(&email).await.map_err(|e| match e {
        routix_store::StoreError::NotFound => anyhow::anyhow!("no account with email {email}"),
        other => other.into(),
    })
}

async fn grant(db: &routix_store::Db, email: &str, amount: i64, note: &str) -> anyhow::Result<()> {
    if !(1..=1_000_000).contains(&amount) {
        anyhow::bail!("--amount must be between 1 and 1000000");
    }
    let user = account(db, email).await?;
    let balance = db
        .grant_credits(routix_store::audit::Actor::Cli, user.id, amount, note)
        .await?;
    println!(
        "granted {amount} credits to {}; balance {balance}",
        user.email
    );
    Ok(())
}

async fn set_plan(db: &routix_store::Db, email: &str, plan: &str) -> anyhow::Result<()> {
    let plan = routix_store::users::Plan::parse(plan)
        .ok_or_else(|| anyhow::anyhow!("--plan must be free, pro, agency or enterprise"))?;
    let user = account(db, email).await?;
    db.set_plan(routix_store::audit::Actor::Cli, user.id, plan)
        .await?;
    if let Err(e) = routix_engine::grants::run_once(db).await {
        eprintln!("warning: this month's plan credits were not granted yet ({e}); the server's next run grants them");
    }
    println!("{} is now on the {} plan", user.email, plan.as_str());
    Ok(())
}
