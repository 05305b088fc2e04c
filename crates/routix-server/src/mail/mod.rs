//! Outgoing mail. Requests never talk to a mail server: they queue a composed mail in the
//! database (`routix_store::mail`) and wake the sender, a task started with the server that
//! drains the queue — over SMTP when `SMTP_URL` is set, otherwise into `.eml` files under
//! `<data dir>/outbox/` — and retries failures with a doubling back-off. A mail server that
//! is down delays mail; it never fails a request. Several servers may drain one queue: each
//! mail is claimed by one of them at a time.
//!
//! Mails carry one-time links, so their bodies are never logged: the log names the mail's
//! id, or the path of the `.eml` file.

pub mod compose;
pub mod links;

use std::{path::PathBuf, sync::Arc, time::Duration};

use lettre::{
    message::{
        header::{ContentTransferEncoding, ContentType},
        Mailbox, MultiPart, SinglePart,
    },
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use routix_store::{mail::OutboxMail, Db};
use tokio::sync::{watch, Notify};

use crate::config::MailSettings;

/// Tries per mail before it is left in the outbox as undeliverable.
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a claimed mail is reserved for its sender (longer than an SMTP conversation).
const LEASE: Duration = Duration::from_secs(120);
/// One SMTP conversation, connection included.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Development without a mail server: one `.eml` file per mail in this folder.
    Files(PathBuf),
}

/// Drains the outbox.
pub struct Mailer {
    db: Db,
    transport: Transport,
    from: Mailbox,
    retry: Duration,
    wake: Arc<Notify>,
}

impl Mailer {
    /// The sender for these settings; fails (naming the variable) when they can't work.
    pub fn new(
        settings: &MailSettings,
        data_dir: &std::path::Path,
        db: Db,
        wake: Arc<Notify>,
    ) -> Result<Mailer, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("MAIL_FROM: {e}"))?;
        let transport = match &settings.smtp {
            Some(smtp) => {
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp.url.expose())
                    // lettre's message names neither the URL nor its credentials.
                    .map_err(|e| format!("SMTP_URL: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT));
                if let Some(username) = &smtp.username {
                    let password = smtp
                        .password
                        .as_ref()
                        .map(|p| p.expose().to_string())
                        .unwrap_or_default();
                    builder = builder.credentials(Credentials::new(username.clone(), password));
                }
                Transport::Smtp(builder.build())
            }
            None => Transport::Files(data_dir.join("outbox")),
        };
        Ok(Mailer {
            db,
            transport,
            from,
            retry: Duration::from_secs(settings.retry_seconds),
            wake,
        })
    }

    /// Where mail goes, for the start-up log (no credentials).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".to_string(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Sends mail until `shutdown` turns true; a send in progress is finished first.
    pub fn spawn(self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let poll = self.retry.min(Duration::from_secs(5));
        tokio::spawn(async move {
            while !*shutdown.borrow() {
                match self.send_next().await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the mail outbox; retrying")
                    }
                }
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                    changed = shutdown.changed() => if changed.is_err() { return },
                }
            }
        })
    }

    /// Sends the next due mail, if any; answers whether there was one.
    async fn send_next(&self) -> Result<bool, routix_store::StoreError> {
        let Some(mail) = self.db.claim_mail(LEASE, MAX_ATTEMPTS).await? else {
            return Ok(false);
        };
        match self.deliver(&mail).await {
            Ok(()) => self.db.mail_sent(mail.id).await?,
            Err(error) => {
                let retry_in = backoff(self.retry, mail.attempts);
                if mail.attempts >= MAX_ATTEMPTS {
                    tracing::error!(mail = mail.id, attempts = mail.attempts, %error,
                        "mail given up after its last try; it stays in the outbox");
                } else {
                    tracing::warn!(mail = mail.id, attempt = mail.attempts, %error,
                        retry_in_s = retry_in.as_secs(), "mail not sent; will retry");
                }
                self.db.mail_failed(mail.id, &error, retry_in).await?;
            }
        }
        Ok(true)
    }

    async fn deliver(&self, mail: &OutboxMail) -> Result<(), String> {
        let message = self.message(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.map_err(|e| e.to_string())?;
                tracing::info!(mail = mail.id, "mail sent");
            }
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!(
                    "{}-{}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S"),
                    mail.id
                ));
                write_private(&path, &message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(mail = mail.id, path = %path.display(),
                    "mail written to the outbox folder (SMTP_URL is not set)");
            }
        }
        Ok(())
    }

    /// A multipart/alternative message: plain text first, HTML second, both base64 so any
    /// script and line length survive every relay.
    fn message(&self, mail: &OutboxMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient address: {e}"))?;
        let part = |kind: ContentType, body: &str| {
            SinglePart::builder()
                .header(kind)
                .header(ContentTransferEncoding::Base64)
                .body(body.to_string())
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &mail.text_body))
                    .singlepart(part(ContentType::TEXT_HTML, &mail.html_body)),
            )
            .map_err(|e| format!("cannot build the message: {e}"))
    }
}

/// Writes a new file only its owner can read (an outbox mail holds a live one-time link),
/// whole or not at all: it appears under its name once written.
async fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let (path, bytes) = (path.to_path_buf(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let partial = path.with_extension("partial");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&partial)?.write_all(&bytes)?;
        std::fs::rename(&partial, &path)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The wait after the `attempt`-th failed try: `first`, doubling, at most an hour.
pub fn backoff(first: Duration, attempt: i32) -> Duration {
    let doublings = attempt.saturating_sub(1).clamp(0, 16) as u32;
    first.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_by_doubling_up_to_an_hour() {
        let first = Duration::from_secs(30);
        let cases = [
            (0, 30),
            (1, 30),
            (2, 60),
            (3, 120),
            (7, 1920),
            (8, 3600),
            (40, 3600),
        ];
        for (attempt, secs) in cases {
            assert_eq!(
                backoff(first, attempt),
                Duration::from_secs(secs),
                "{attempt}"
            );
        }
    }
}
