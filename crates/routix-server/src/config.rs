//! Typed settings, read once at start-up from the environment (and `.env` when present).
//! Every malformed value stops start-up with a message naming the variable; a weak
//! SECRET_KEY is refused in production and replaced by a persisted random key in development.

use std::{collections::HashMap, fmt, net::SocketAddr, path::PathBuf, str::FromStr};

use rand::RngCore;

/// The placeholder the original code shipped with; never acceptable.
pub const PLACEHOLDER_SECRET: &str = "your-secret-key-change-in-production";
const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub secret_key: Secret,
    /// Set when the key was generated because none (or a weak one) was configured.
    pub secret_key_generated: bool,
    pub database_url: String,
    pub database_pool_size: u32,
    pub redis_url: Option<String>,
    pub redis_key_prefix: String,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    pub cors_origins: Vec<String>,
    pub max_upload_bytes: usize,
    pub max_upload_pixels: u64,
    pub rate_limit_ip_per_minute: u32,
    pub rate_limit_user_per_minute: u32,
    pub login_max_failures: u32,
    pub login_lockout_seconds: u64,
    pub log_format: LogFormat,
    /// Where uploads and results are stored.
    pub storage: routix_store::blobs::StorageBackend,
    /// AI providers (keys, base URLs, models, timeouts).
    pub providers: routix_providers::ProvidersConfig,
    /// Credits every new account starts with.
    pub free_credits: i64,
    /// Generation jobs this process runs at once (0: no in-process worker).
    pub worker_concurrency: usize,
    /// How long a worker's claim on a job lasts without a heartbeat.
    pub job_lease_seconds: u64,
    /// Tries per job before it is failed and refunded.
    pub job_max_attempts: i32,
    /// WebSocket ping interval; a peer silent for three intervals is dropped.
    pub ws_ping_seconds: u64,
    /// Fill an empty installation's bank with the layout templates' previews (once).
    pub bank_seed: bool,
    /// Outgoing mail (verification and password-reset links).
    pub mail: MailSettings,
    /// Credit packs paid through a Stripe-format API.
    pub payments: PaymentSettings,
    /// Publishing to YouTube (`None`: GOOGLE_CLIENT_ID unset, the routes answer 503).
    pub youtube: Option<YoutubeSettings>,
    /// Seals secrets stored in the database (OAuth tokens).
    pub data_key: Option<crate::crypto::DataKey>,
    /// Set when `data_key` is the development key kept in the data dir.
    pub data_key_generated: bool,
}

/// Where mail goes and what the links in it point at.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `None`: every mail is written as an `.eml` file under `<data dir>/outbox/` instead.
    pub smtp: Option<SmtpSettings>,
    /// The `From:` mailbox, e.g. `Routix <no-reply@example.com>` (checked at start-up).
    pub from: String,
    /// The site's address as users reach it, without a trailing slash.
    pub public_url: String,
    /// Unverified accounts may not create generations.
    pub require_verification: bool,
    /// Wait before the first retry of a failed send; doubles with each try, up to an hour.
    pub retry_seconds: u64,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (`?tls=required` for STARTTLS) or `smtps://host:port`; it may carry
    /// credentials, so the whole URL is a secret.
    pub url: Secret,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

fn err(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        reason: reason.into(),
    }
}

/// The variables Routix reads, looked up through a function so tests need no process env.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

pub struct Vars<'a>(Lookup<'a>);

impl<'a> Vars<'a> {
    pub fn from_fn(f: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Vars(Box::new(f))
    }

    /// The process environment, after loading `.env` from the working directory if present
    /// (variables already set win over the file).
    pub fn from_process_env() -> Vars<'static> {
        let _ = dotenvy::dotenv();
        Vars::from_fn(|k| std::env::var(k).ok())
    }

    pub fn from_map(map: HashMap<String, String>) -> Vars<'static> {
        Vars::from_fn(move |k| map.get(k).cloned())
    }

    fn get(&self, key: &str) -> Option<String> {
        (self.0)(key).filter(|v| !v.trim().is_empty())
    }

    fn parse<T: FromStr>(&self, key: &'static str, default: T) -> Result<T, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|_| err(key, format!("expected a number, got {raw:?}"))),
        }
    }

    fn positive<T: FromStr + PartialOrd + Default>(
        &self,
        key: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        let v = self.parse(key, default)?;
        if v <= T::default() {
            return Err(err(key, "must be greater than zero"));
        }
        Ok(v)
    }
}

impl Settings {
    /// What the engine needs of these settings, as plain values.
    pub fn engine(&self) -> routix_engine::EngineSettings {
        routix_engine::EngineSettings {
            database_url: self.database_url.clone(),
            database_pool_size: self.database_pool_size,
            storage: self.storage.clone(),
            uploads_dir: self.data_dir.join("uploads"),
            redis_url: self.redis_url.clone(),
            redis_key_prefix: self.redis_key_prefix.clone(),
            providers: self.providers.clone(),
            job_lease: std::time::Duration::from_secs(self.job_lease_seconds),
        }
    }

    /// Reads every setting. `bind_override` is the `--bind` flag, which wins over PORT.
    pub fn load(
        vars: &Vars<'_>,
        bind_override: Option<SocketAddr>,
    ) -> Result<Settings, ConfigError> {
        let environment = match vars.get("ENVIRONMENT").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(err(
                    "ENVIRONMENT",
                    format!("expected development or production, got {other:?}"),
                ))
            }
        };
        let data_dir = PathBuf::from(
            vars.get("ROUTIX_DATA_DIR")
                .unwrap_or_else(|| "./data".into()),
        );
        let database_url = vars
            .get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/routix.db", data_dir.display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err(
                "DATABASE_URL",
                "expected sqlite://<path> or postgres://user@host/db",
            ));
        }
        let redis_url = vars.get("REDIS_URL");
        if let Some(url) = &redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(err("REDIS_URL", "expected redis://host:port"));
            }
        }
        let port: Option<u16> = match vars.get("PORT") {
            None => None,
            Some(raw) => Some(
                raw.trim()
                    .parse()
                    .map_err(|_| err("PORT", format!("expected a port number, got {raw:?}")))?,
            ),
        };
        let host = vars.get("HOST").unwrap_or_else(|| "127.0.0.1".into());
        let bind = match bind_override {
            Some(addr) => addr,
            None => format!("{host}:{}", port.unwrap_or(8000))
                .parse()
                .map_err(|_| err("HOST", format!("not an IP address: {host:?}")))?,
        };
        let log_format = match vars.get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ))
            }
        };
        let max_upload_mb: u64 = vars.positive("MAX_UPLOAD_MB", 10)?;
        let (secret_key, secret_key_generated) = secret_key(vars, environment, &data_dir)?;
        let mail = mail(vars, environment, bind)?;
        let payments = payments(vars, environment, &mail)?;
        let youtube = youtube(vars, &mail)?;
        let (data_key, data_key_generated) =
            data_key(vars, environment, &data_dir, youtube.is_some())?;
        Ok(Settings {
            environment,
            secret_key,
            secret_key_generated,
            database_url,
            database_pool_size: vars.positive("DATABASE_POOL_SIZE", 10)?,
            redis_url,
            redis_key_prefix: vars
                .get("REDIS_KEY_PREFIX")
                .unwrap_or_else(|| "routix".into()),
            access_token_minutes: vars.positive("ACCESS_TOKEN_EXPIRE_MINUTES", 30)?,
            refresh_token_days: vars.positive("REFRESH_TOKEN_EXPIRE_DAYS", 7)?,
            data_dir,
            bind,
            cors_origins: vars
                .get("CORS_ORIGINS")
                .map(|s| {
                    s.split(',')
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            max_upload_bytes: (max_upload_mb * 1024 * 1024) as usize,
            max_upload_pixels: vars.positive("MAX_UPLOAD_MEGAPIXELS", 40u64)? * 1_000_000,
            rate_limit_ip_per_minute: vars.positive("RATE_LIMIT_PER_MINUTE", 300)?,
            rate_limit_user_per_minute: vars.positive("RATE_LIMIT_USER_PER_MINUTE", 120)?,
            login_max_failures: vars.positive("LOGIN_MAX_FAILURES", 5)?,
            login_lockout_seconds: vars.positive("LOGIN_LOCKOUT_SECONDS", 900)?,
            log_format,
            storage: storage(vars)?,
            providers: routix_providers::ProvidersConfig::from_env(|k| vars.get(k)).map_err(
                |reason| {
                    // The provider config names its variable first: "NAME: why".
                    let var = PROVIDER_VARS
                        .iter()
                        .find(|v| reason.starts_with(*v))
                        .copied()
                        .unwrap_or("provider settings");
                    err(
                        var,
                        reason
                            .split_once(": ")
                            .map(|(_, r)| r.to_string())
                            .unwrap_or(reason.clone()),
                    )
                },
            )?,
            free_credits: match vars.parse("FREE_CREDITS", 10i64)? {
                n if n >= 0 => n,
                _ => return Err(err("FREE_CREDITS", "must be zero or more")),
            },
            worker_concurrency: vars.parse("WORKER_CONCURRENCY", 2)?,
            job_lease_seconds: vars.positive("JOB_LEASE_SECONDS", 60)?,
            job_max_attempts: vars.positive("JOB_MAX_ATTEMPTS", 3)?,
            ws_ping_seconds: vars.positive("WS_PING_SECONDS", 20)?,
            bank_seed: vars.parse("BANK_SEED", true)?,
            mail,
            payments,
            youtube,
            data_key,
            data_key_generated,
        })
    }
}

const PROVIDER_VARS: [&str; 8] = [
    "OPENAI_BASE_URL",
    "GEMINI_BASE_URL",
    "STABILITY_BASE_URL",
    "SD_WEBUI_URL",
    "STABILITY_API_VERSION",
    "OPENAI_IMAGE_MODEL",
    "PROVIDER_TIMEOUT_SECONDS",
    "ANALYSIS_CACHE_TTL_SECONDS",
];

fn storage(vars: &Vars<'_>) -> Result<routix_store::blobs::StorageBackend, ConfigError> {
    use routix_store::blobs::{SecretString, StorageBackend};
    let use_s3 = match vars.get("USE_S3").map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => true,
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => false,
        Some(v) => return Err(err("USE_S3", format!("expected true or false, got {v:?}"))),
    };
    let backend = vars
        .get("STORAGE_BACKEND")
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_else(|| if use_s3 { "s3".into() } else { "local".into() });
    let required = |key: &'static str| {
        vars.get(key)
            .ok_or_else(|| err(key, format!("is required when storage is {backend}")))
    };
    // Endpoints of S3- and Azure-compatible servers: absolute http(s) URLs.
    let endpoint = |key: &'static str| -> Result<Option<String>, ConfigError> {
        match vars.get(key) {
            None => Ok(None),
            Some(v)
                if ["http://", "https://"].iter().any(|scheme| {
                    v.strip_prefix(scheme)
                        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
                }) =>
            {
                Ok(Some(v.trim_end_matches('/').to_string()))
            }
            Some(v) => Err(err(key, format!("expected an http(s) URL, got {v:?}"))),
        }
    };
    Ok(match backend.as_str() {
        "local" => StorageBackend::Local,
        "s3" => StorageBackend::S3 {
            bucket: required("AWS_S3_BUCKET")?,
            region: vars.get("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            endpoint: endpoint("AWS_ENDPOINT_URL")?,
            access_key_id: vars.get("AWS_ACCESS_KEY_ID"),
            secret_access_key: vars.get("AWS_SECRET_ACCESS_KEY").map(SecretString),
        },
        "gcs" => StorageBackend::Gcs {
            bucket: required("GCS_BUCKET")?,
            service_account_path: vars.get("GOOGLE_SERVICE_ACCOUNT_PATH"),
        },
        "azure" => StorageBackend::Azure {
            account: required("AZURE_STORAGE_ACCOUNT")?,
            container: required("AZURE_STORAGE_CONTAINER")?,
            access_key: vars.get("AZURE_STORAGE_ACCESS_KEY").map(SecretString),
            endpoint: endpoint("AZURE_STORAGE_ENDPOINT")?,
        },
        other => {
            return Err(err(
                "STORAGE_BACKEND",
                format!("expected local, s3, gcs or azure, got {other:?}"),
            ))
        }
    })
}

fn mail(
    vars: &Vars<'_>,
    environment: Environment,
    bind: SocketAddr,
) -> Result<MailSettings, ConfigError> {
    let require_verification = match vars
        .get("REQUIRE_EMAIL_VERIFICATION")
        .map(|v| v.trim().to_ascii_lowercase())
    {
        None => false,
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => true,
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => false,
        Some(v) => {
            return Err(err(
                "REQUIRE_EMAIL_VERIFICATION",
                format!("expected true or false, got {v:?}"),
            ))
        }
    };
    let production = environment == Environment::Production;
    let smtp = match vars.get("SMTP_URL") {
        None if production && require_verification => {
            return Err(err(
                "SMTP_URL",
                "is required in production when REQUIRE_EMAIL_VERIFICATION is on \
                 (e.g. smtps://user:password@mail.example.com)",
            ))
        }
        None => None,
        Some(url) => {
            let url = url.trim().to_string();
            // Checked by the transport's own parser; the value is never echoed (credentials).
            let parses = (url.starts_with("smtp://") || url.starts_with("smtps://"))
                && lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url).is_ok();
            if !parses {
                return Err(err(
                    "SMTP_URL",
                    "expected smtp://host:port (add ?tls=required for STARTTLS) or \
                     smtps://host:port, with optional user:password@ before the host",
                ));
            }
            Some(SmtpSettings {
                url: Secret::new(url),
                username: vars.get("SMTP_USERNAME"),
                password: vars.get("SMTP_PASSWORD").map(Secret::new),
            })
        }
    };
    let public_url = match vars.get("PUBLIC_URL") {
        Some(v) => {
            let v = v.trim().trim_end_matches('/');
            let ok = ["http://", "https://"].iter().any(|scheme| {
                v.strip_prefix(scheme)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
            });
            if !ok {
                return Err(err(
                    "PUBLIC_URL",
                    format!("expected the site's http(s) address, got {v:?}"),
                ));
            }
            v.to_string()
        }
        None if production && smtp.is_some() => {
            return Err(err(
                "PUBLIC_URL",
                "is required in production when SMTP_URL is set: links in mails point at it \
                 (e.g. https://thumbs.example.com)",
            ))
        }
        None if bind.ip().is_unspecified() => format!("http://localhost:{}", bind.port()),
        None => format!("http://{bind}"),
    };
    let from = match vars.get("MAIL_FROM") {
        Some(v) => v.trim().to_string(),
        None if production && smtp.is_some() => return Err(err(
            "MAIL_FROM",
            "is required in production when SMTP_URL is set (e.g. Routix <no-reply@example.com>)",
        )),
        None => "Routix <no-reply@localhost>".to_string(),
    };
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(err(
            "MAIL_FROM",
            format!("expected an address like Routix <no-reply@example.com>, got {from:?}"),
        ));
    }
    Ok(MailSettings {
        smtp,
        from,
        public_url,
        require_verification,
        retry_seconds: vars.positive("MAIL_RETRY_SECONDS", 30)?,
    })
}

/// Stripe (or a server speaking its API): the secret key creates Checkout Sessions, the
/// webhook secret proves that a paid-session event came from Stripe.
#[derive(Debug, Clone)]
pub struct PaymentSettings {
    /// `None`: checkout answers 503 "payments are not configured".
    pub secret_key: Option<Secret>,
    /// `https://api.stripe.com`, or a compatible server; no trailing slash.
    pub api_base: String,
    /// `None`: webhooks answer 503 (the sender retries later).
    pub webhook_secret: Option<Secret>,
    /// Where checkout returns to: PUBLIC_URL when set, else the address the request came to.
    pub return_base: Option<String>,
}

fn payments(
    vars: &Vars<'_>,
    environment: Environment,
    mail: &MailSettings,
) -> Result<PaymentSettings, ConfigError> {
    let secret_key = vars.get("STRIPE_SECRET_KEY").map(|k| Secret::new(k.trim()));
    let webhook_secret = vars
        .get("STRIPE_WEBHOOK_SECRET")
        .map(|k| Secret::new(k.trim()));
    if environment == Environment::Production && secret_key.is_some() && webhook_secret.is_none() {
        return Err(err(
            "STRIPE_WEBHOOK_SECRET",
            "is required in production when STRIPE_SECRET_KEY is set: paid packs are credited \
             by the signed webhook (copy the endpoint's whsec_… secret from Stripe)",
        ));
    }
    let api_base = match vars.get("STRIPE_API_BASE") {
        None => "https://api.stripe.com".to_string(),
        Some(v) => {
            let v = v.trim().trim_end_matches('/');
            let ok = ["http://", "https://"].iter().any(|scheme| {
                v.strip_prefix(scheme)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
            });
            if !ok {
                return Err(err(
                    "STRIPE_API_BASE",
                    format!("expected an http(s) URL like https://api.stripe.com, got {v:?}"),
                ));
            }
            v.to_string()
        }
    };
    Ok(PaymentSettings {
        secret_key,
        api_base,
        webhook_secret,
        return_base: vars.get("PUBLIC_URL").map(|_| mail.public_url.clone()),
    })
}

/// Google OAuth 2.0 and the YouTube Data API, for publishing thumbnails to a channel.
#[derive(Debug, Clone)]
pub struct YoutubeSettings {
    pub client_id: String,
    pub client_secret: Secret,
    /// Google's consent page (`GOOGLE_AUTH_URL`).
    pub auth_url: String,
    /// Code exchange and refresh (`GOOGLE_TOKEN_URL`).
    pub token_url: String,
    /// Token revocation (`GOOGLE_REVOKE_URL`).
    pub revoke_url: String,
    /// `https://www.googleapis.com` or a compatible server; no trailing slash.
    pub api_base: String,
    /// Where Google sends the browser back: `PUBLIC_URL` + `/api/v1/youtube/callback`
    /// (register exactly this URI with the OAuth client).
    pub redirect_uri: String,
}

/// An absolute http(s) URL from `key`, or `default`; no trailing slash.
fn http_url(vars: &Vars<'_>, key: &'static str, default: &str) -> Result<String, ConfigError> {
    let Some(v) = vars.get(key) else {
        return Ok(default.to_string());
    };
    let v = v.trim().trim_end_matches('/');
    let ok = ["http://", "https://"].iter().any(|scheme| {
        v.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
    });
    if !ok {
        return Err(err(
            key,
            format!("expected an http(s) URL like {default}, got {v:?}"),
        ));
    }
    Ok(v.to_string())
}

fn youtube(vars: &Vars<'_>, mail: &MailSettings) -> Result<Option<YoutubeSettings>, ConfigError> {
    let Some(client_id) = vars.get("GOOGLE_CLIENT_ID") else {
        return Ok(None);
    };
    let client_secret = vars.get("GOOGLE_CLIENT_SECRET").ok_or_else(|| {
        err(
            "GOOGLE_CLIENT_SECRET",
            "is required when GOOGLE_CLIENT_ID is set (the OAuth client's secret, from the \
             Google Cloud console)",
        )
    })?;
    Ok(Some(YoutubeSettings {
        client_id: client_id.trim().to_string(),
        client_secret: Secret::new(client_secret.trim()),
        auth_url: http_url(
            vars,
            "GOOGLE_AUTH_URL",
            "https://accounts.google.com/o/oauth2/v2/auth",
        )?,
        token_url: http_url(
            vars,
            "GOOGLE_TOKEN_URL",
            "https://oauth2.googleapis.com/token",
        )?,
        revoke_url: http_url(
            vars,
            "GOOGLE_REVOKE_URL",
            "https://oauth2.googleapis.com/revoke",
        )?,
        api_base: http_url(vars, "YOUTUBE_API_BASE", "https://www.googleapis.com")?,
        redirect_uri: format!("{}/api/v1/youtube/callback", mail.public_url),
    }))
}

/// `DATA_ENCRYPTION_KEY` when set (always checked); otherwise, when something needs it
/// (YouTube is configured), a refusal in production and a random key kept in
/// `<data dir>/data_encryption_key` in development.
fn data_key(
    vars: &Vars<'_>,
    environment: Environment,
    data_dir: &std::path::Path,
    needed: bool,
) -> Result<(Option<crate::crypto::DataKey>, bool), ConfigError> {
    use crate::crypto::DataKey;
    if let Some(raw) = vars.get("DATA_ENCRYPTION_KEY") {
        let key = DataKey::parse(&raw).map_err(|reason| err("DATA_ENCRYPTION_KEY", reason))?;
        return Ok((Some(key), false));
    }
    if !needed {
        return Ok((None, false));
    }
    if environment == Environment::Production {
        return Err(err(
            "DATA_ENCRYPTION_KEY",
            "is required in production when GOOGLE_CLIENT_ID is set: YouTube tokens are \
             encrypted with it (32 bytes; generate one with `openssl rand -base64 32`)",
        ));
    }
    let path = data_dir.join("data_encryption_key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if let Ok(key) = DataKey::parse(&existing) {
            return Ok((Some(key), true));
        }
    }
    let key = DataKey::generate();
    std::fs::create_dir_all(data_dir)
        .and_then(|()| write_private(&path, &key.to_hex()))
        .map_err(|e| {
            err(
                "ROUTIX_DATA_DIR",
                format!(
                    "cannot store a generated DATA_ENCRYPTION_KEY in {}: {e}",
                    path.display()
                ),
            )
        })?;
    Ok((Some(key), true))
}

/// Why a configured secret is not good enough, if it isn't.
fn weakness(secret: &str) -> Option<&'static str> {
    if secret == PLACEHOLDER_SECRET {
        Some("is the published placeholder")
    } else if secret.chars().count() < MIN_SECRET_LEN {
        Some("is shorter than 32 characters")
    } else {
        None
    }
}

fn secret_key(
    vars: &Vars<'_>,
    environment: Environment,
    data_dir: &std::path::Path,
) -> Result<(Secret, bool), ConfigError> {
    const HOW: &str = "generate one with `openssl rand -hex 32` and set SECRET_KEY";
    let configured = vars.get("SECRET_KEY");
    let problem = match &configured {
        None => "is not set",
        Some(s) => match weakness(s) {
            None => return Ok((Secret::new(s.clone()), false)),
            Some(w) => w,
        },
    };
    if environment == Environment::Production {
        return Err(err(
            "SECRET_KEY",
            format!("{problem} (required in production); {HOW}"),
        ));
    }
    // Development: a random key kept in the data dir, so tokens survive restarts.
    let path = data_dir.join("secret_key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if weakness(existing).is_none() {
            return Ok((Secret::new(existing), true));
        }
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    std::fs::create_dir_all(data_dir)
        .and_then(|()| write_private(&path, &key))
        .map_err(|e| {
            err(
                "ROUTIX_DATA_DIR",
                format!(
                    "cannot store a generated SECRET_KEY in {}: {e}",
                    path.display()
                ),
            )
        })?;
    Ok((Secret::new(key), true))
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let dir = std::env::temp_dir().join(format!("routix-cfg-{}", uuid::Uuid::new_v4()));
        let mut map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.entry("ROUTIX_DATA_DIR".into())
            .or_insert_with(|| dir.display().to_string());
        Settings::load(&Vars::from_map(map), None)
    }

    const GOOD: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn storage_endpoints_must_be_http_urls() {
        let azure = [
            ("STORAGE_BACKEND", "azure"),
            ("AZURE_STORAGE_ACCOUNT", "acc"),
            ("AZURE_STORAGE_CONTAINER", "c"),
        ];
        let with = |key, value| {
            let mut pairs = azure.to_vec();
            pairs.push((key, value));
            load(&pairs)
        };
        let e = with("AZURE_STORAGE_ENDPOINT", "not a url").unwrap_err();
        assert_eq!(e.var, "AZURE_STORAGE_ENDPOINT");
        assert!(with(
            "AZURE_STORAGE_ENDPOINT",
            "http://127.0.0.1:10000/devstoreaccount1"
        )
        .is_ok());
        let e = load(&[
            ("STORAGE_BACKEND", "s3"),
            ("AWS_S3_BUCKET", "b"),
            ("AWS_ENDPOINT_URL", "ftp://minio"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "AWS_ENDPOINT_URL");
    }

    #[test]
    fn rejects_missing_placeholder_and_short_secret_in_production() {
        for secret in [None, Some(PLACEHOLDER_SECRET), Some("short-secret")] {
            let mut pairs = vec![("ENVIRONMENT", "production")];
            if let Some(s) = secret {
                pairs.push(("SECRET_KEY", s));
            }
            let e = load(&pairs).unwrap_err();
            assert_eq!(e.var, "SECRET_KEY");
            assert!(e.reason.contains("openssl rand"), "{}", e.reason);
        }
        assert!(load(&[("ENVIRONMENT", "production"), ("SECRET_KEY", GOOD)]).is_ok());
    }

    #[test]
    fn generates_and_keeps_a_secret_in_development() {
        let dir = std::env::temp_dir().join(format!("routix-cfg-{}", uuid::Uuid::new_v4()));
        let d = dir.display().to_string();
        let first = load(&[("ROUTIX_DATA_DIR", &d)]).unwrap();
        let second = load(&[("ROUTIX_DATA_DIR", &d)]).unwrap();
        assert!(first.secret_key_generated);
        assert_eq!(first.secret_key, second.secret_key);
        assert!(first.secret_key.expose().len() >= 32);
        assert!(!format!("{first:?}").contains(first.secret_key.expose()));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn names_the_malformed_variable() {
        let cases = [
            ("DATABASE_URL", "mysql://x"),
            ("ACCESS_TOKEN_EXPIRE_MINUTES", "thirty"),
            ("PORT", "80a"),
            ("DATABASE_POOL_SIZE", "0"),
            ("ENVIRONMENT", "staging"),
            ("REDIS_URL", "localhost:6379"),
            ("MAX_UPLOAD_MB", "-1"),
        ];
        for (var, value) in cases {
            let e = load(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var, "{value}");
        }
    }

    #[test]
    fn mail_defaults_to_the_outbox_in_development() {
        let s = load(&[]).unwrap();
        assert!(s.mail.smtp.is_none());
        assert!(!s.mail.require_verification);
        assert_eq!(s.mail.public_url, "http://127.0.0.1:8000");
        assert_eq!(s.mail.from, "Routix <no-reply@localhost>");
    }

    #[test]
    fn smtp_is_required_in_production_only_when_verification_is() {
        let prod = [("ENVIRONMENT", "production"), ("SECRET_KEY", GOOD)];
        assert!(load(&prod).unwrap().mail.smtp.is_none());
        let mut required = prod.to_vec();
        required.push(("REQUIRE_EMAIL_VERIFICATION", "true"));
        assert_eq!(load(&required).unwrap_err().var, "SMTP_URL");
        required.extend([
            ("SMTP_URL", "smtps://mailer:hunter2-secret@mail.example.com"),
            ("PUBLIC_URL", "https://thumbs.example.com/"),
            ("MAIL_FROM", "Routix <no-reply@example.com>"),
        ]);
        let s = load(&required).unwrap();
        assert!(s.mail.require_verification);
        assert_eq!(s.mail.public_url, "https://thumbs.example.com");
        assert!(!format!("{s:?}").contains("hunter2-secret"));
    }

    #[test]
    fn rejects_malformed_mail_settings_without_echoing_credentials() {
        let cases = [
            ("SMTP_URL", "http://user:hunter2-secret@mail.example.com"),
            ("SMTP_URL", "mail.example.com:587"),
            ("MAIL_FROM", "not an address"),
            ("PUBLIC_URL", "thumbs.example.com"),
            ("REQUIRE_EMAIL_VERIFICATION", "maybe"),
            ("MAIL_RETRY_SECONDS", "0"),
        ];
        for (var, value) in cases {
            let e = load(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var, "{value}");
            assert!(!e.to_string().contains("hunter2-secret"), "{e}");
        }
        let e = load(&[
            ("ENVIRONMENT", "production"),
            ("SECRET_KEY", GOOD),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "PUBLIC_URL");
    }

    #[test]
    fn defaults_to_embedded_sqlite_on_localhost_8000() {
        let s = load(&[]).unwrap();
        assert!(s.database_url.starts_with("sqlite://"));
        assert_eq!(s.bind.to_string(), "127.0.0.1:8000");
        assert_eq!(s.access_token_minutes, 30);
        assert_eq!(s.refresh_token_days, 7);
        assert_eq!(load(&[("PORT", "9000")]).unwrap().bind.port(), 9000);
    }

    #[test]
    fn youtube_needs_a_secret_and_in_production_a_data_key() {
        assert!(load(&[]).unwrap().youtube.is_none());
        let e = load(&[("GOOGLE_CLIENT_ID", "id.apps")]).unwrap_err();
        assert_eq!(e.var, "GOOGLE_CLIENT_SECRET");
        let google = [
            ("GOOGLE_CLIENT_ID", "id.apps"),
            ("GOOGLE_CLIENT_SECRET", "GOCSPX-hidden"),
        ];
        let mut prod = google.to_vec();
        prod.extend([("ENVIRONMENT", "production"), ("SECRET_KEY", GOOD)]);
        let e = load(&prod).unwrap_err();
        assert_eq!(e.var, "DATA_ENCRYPTION_KEY");
        assert!(e.reason.contains("openssl rand"), "{}", e.reason);
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        prod.push(("DATA_ENCRYPTION_KEY", key));
        let s = load(&prod).unwrap();
        assert!(s.data_key.is_some() && !s.data_key_generated);
        let y = s.youtube.as_ref().unwrap();
        assert_eq!(y.token_url, "https://oauth2.googleapis.com/token");
        assert_eq!(y.revoke_url, "https://oauth2.googleapis.com/revoke");
        assert_eq!(y.api_base, "https://www.googleapis.com");
        let shown = format!("{s:?}");
        assert!(!shown.contains("GOCSPX-hidden") && !shown.contains(key));
        let e = load(&[("DATA_ENCRYPTION_KEY", "too-short")]).unwrap_err();
        assert_eq!(e.var, "DATA_ENCRYPTION_KEY");
        let mut bad_url = google.to_vec();
        bad_url.push(("YOUTUBE_API_BASE", "www.googleapis.com"));
        assert_eq!(load(&bad_url).unwrap_err().var, "YOUTUBE_API_BASE");
    }

    #[test]
    fn keeps_a_development_data_key_in_the_data_dir() {
        let dir = std::env::temp_dir().join(format!("routix-cfg-{}", uuid::Uuid::new_v4()));
        let d = dir.display().to_string();
        let vars = [
            ("ROUTIX_DATA_DIR", d.as_str()),
            ("GOOGLE_CLIENT_ID", "id.apps"),
            ("GOOGLE_CLIENT_SECRET", "s"),
        ];
        let first = load(&vars).unwrap();
        let second = load(&vars).unwrap();
        assert!(first.data_key_generated);
        assert!(first.data_key.is_some());
        assert_eq!(first.data_key, second.data_key);
        assert!(dir.join("data_encryption_key").exists());
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn payments_are_off_without_a_key_and_need_a_webhook_secret_in_production() {
        let s = load(&[]).unwrap();
        assert!(s.payments.secret_key.is_none());
        assert_eq!(s.payments.api_base, "https://api.stripe.com");
        assert_eq!(s.payments.return_base, None);
        let e = load(&[
            ("ENVIRONMENT", "production"),
            ("SECRET_KEY", GOOD),
            ("STRIPE_SECRET_KEY", "sk_live_abc"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "STRIPE_WEBHOOK_SECRET");
        let e = load(&[("STRIPE_API_BASE", "api.stripe.com")]).unwrap_err();
        assert_eq!(e.var, "STRIPE_API_BASE");
        let s = load(&[
            ("STRIPE_SECRET_KEY", "sk_test_hidden"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_hidden"),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
            ("PUBLIC_URL", "https://thumbs.example.com/"),
        ])
        .unwrap();
        assert_eq!(s.payments.api_base, "http://127.0.0.1:9");
        assert_eq!(
            s.payments.return_base.as_deref(),
            Some("https://thumbs.example.com")
        );
        let shown = format!("{s:?}");
        assert!(!shown.contains("sk_test_hidden") && !shown.contains("whsec_hidden"));
    }
}
