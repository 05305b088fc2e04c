//! Mail Routix sends, and the one-time links in it.
//!
//! Account tokens (confirm an address, reset a password) are stored as SHA-256 hashes only and
//! used up by the same UPDATE that checks them, so a link works once even when it is opened
//! twice at the same moment. Issuing a token and queueing its mail is one transaction.
//!
//! The outbox is a durable queue: a request only inserts a row; a sender in any server
//! process claims a due row by moving its `next_attempt_at` past the lease (PostgreSQL skips
//! rows another sender is claiming), sends it, and records the outcome. A sent mail keeps its
//! envelope but loses its bodies, so the links in it do not linger in the database.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{now, on_db, Db, Result, UserId};

/// What a mailed link is for; each has its own lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirms the account's email address.
    Verify,
    /// Lets the owner choose a new password.
    Reset,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Verify => "verify",
            TokenPurpose::Reset => "reset",
        }
    }

    /// How long a link stays valid: a day to confirm an address, an hour to reset a password.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            TokenPurpose::Verify => chrono::Duration::hours(24),
            TokenPurpose::Reset => chrono::Duration::hours(1),
        }
    }
}

/// What presenting a token came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// The token was valid and is now used up; its effect is applied.
    Applied { user_id: UserId },
    /// The token exists but was already used, has expired, or its account is gone.
    Gone,
    /// No token of this purpose has this hash.
    Unknown,
}

/// The state of a token without using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Valid,
    Gone,
    Unknown,
}

/// Whether a token found in the database can still be used at `at`.
pub fn token_state(
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> TokenState {
    if used_at.is_some() || expires_at <= at {
        TokenState::Gone
    } else {
        TokenState::Valid
    }
}

/// What using a token does to its account.
#[derive(Debug, Clone, Copy)]
pub enum TokenEffect<'a> {
    /// Marks the address verified.
    VerifyEmail,
    /// Sets this password hash and revokes every refresh token of the account. The link
    /// reached its owner's inbox, so the address counts as confirmed as well.
    SetPassword { password_hash: &'a str },
}

impl TokenEffect<'_> {
    fn purpose(self) -> TokenPurpose {
        match self {
            TokenEffect::VerifyEmail => TokenPurpose::Verify,
            TokenEffect::SetPassword { .. } => TokenPurpose::Reset,
        }
    }
}

/// A mail to queue. The bodies are complete: the sender adds only the envelope.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// A mail claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// Tries so far, this one included.
    pub attempts: i32,
}

/// One row of the outbox as operators see it (no bodies).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Claimed {
    user_id: UserId,
    expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Seen {
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

const INSERT_MAIL: &str = "INSERT INTO mail_outbox
    (recipient, subject, text_body, html_body, attempts, next_attempt_at, created_at)
    VALUES ($1, $2, $3, $4, 0, $5, $6)";

impl Db {
    /// Stores a new token for the account and queues the mail that carries it, in one
    /// transaction. Earlier unused tokens of the same purpose are used up: the newest link is
    /// the one that works.
    pub async fn issue_account_token(
        &self,
        user_id: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        mail: &NewMail<'_>,
    ) -> Result<()> {
        let at = now();
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE account_tokens SET used_at = $3
                 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
                .bind(user_id)
                .bind(purpose.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, created_at)
                 VALUES ($1, $2, $3, $4, $5)")
                .bind(token_hash)
                .bind(user_id)
                .bind(purpose.as_str())
                .bind(at + purpose.lifetime())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(INSERT_MAIL)
                .bind(mail.recipient)
                .bind(mail.subject)
                .bind(mail.text)
                .bind(mail.html)
                .bind(at.timestamp_millis())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether the token could be used now, without using it.
    pub async fn account_token_state(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
    ) -> Result<TokenState> {
        let seen: Option<Seen> = on_db!(self, pool => sqlx::query_as(
            "SELECT used_at, expires_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2")
            .bind(token_hash)
            .bind(purpose.as_str())
            .fetch_optional(pool)
            .await)?;
        Ok(match seen {
            None => TokenState::Unknown,
            Some(s) => token_state(s.used_at, s.expires_at, now()),
        })
    }

    /// Uses up the token and applies its effect in the same transaction. A token that is
    /// presented after it expired is used up too (it could never work again anyway).
    pub async fn use_account_token(
        &self,
        token_hash: &str,
        effect: TokenEffect<'_>,
    ) -> Result<TokenUse> {
        let at = now();
        let purpose = effect.purpose().as_str();
        let outcome = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let claimed: Option<Claimed> = sqlx::query_as(
                "UPDATE account_tokens SET used_at = $3
                 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL
                 RETURNING user_id, expires_at")
                .bind(token_hash)
                .bind(purpose)
                .bind(at)
                .fetch_optional(&mut *tx)
                .await?;
            let outcome = match claimed {
                None => {
                    let known: Option<i32> = sqlx::query_scalar(
                        "SELECT 1 FROM account_tokens WHERE token_hash = $1 AND purpose = $2")
                        .bind(token_hash)
                        .bind(purpose)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if known.is_some() { TokenUse::Gone } else { TokenUse::Unknown }
                }
                Some(c) if c.expires_at <= at => TokenUse::Gone,
                Some(c) => {
                    let changed = match effect {
                        TokenEffect::VerifyEmail => sqlx::query(
                            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2)
                             WHERE id = $1 AND deleted_at IS NULL")
                            .bind(c.user_id)
                            .bind(at)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected(),
                        TokenEffect::SetPassword { password_hash } => {
                            let changed = sqlx::query(
                                "UPDATE users SET password_hash = $2, updated_at = $3,
                                     email_verified_at = COALESCE(email_verified_at, $3)
                                 WHERE id = $1 AND deleted_at IS NULL")
                                .bind(c.user_id)
                                .bind(password_hash)
                                .bind(at)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                            sqlx::query(
                                "UPDATE refresh_tokens SET revoked_at = $2
                                 WHERE user_id = $1 AND revoked_at IS NULL")
                                .bind(c.user_id)
                                .bind(at)
                                .execute(&mut *tx)
                                .await?;
                            changed
                        }
                    };
                    if changed == 0 { TokenUse::Gone } else { TokenUse::Applied { user_id: c.user_id } }
                }
            };
            tx.commit().await?;
            outcome
        });
        Ok(outcome)
    }

    /// Queues a mail that carries no token.
    pub async fn queue_mail(&self, mail: &NewMail<'_>) -> Result<()> {
        let at = now();
        on_db!(self, pool => sqlx::query(INSERT_MAIL)
            .bind(mail.recipient)
            .bind(mail.subject)
            .bind(mail.text)
            .bind(mail.html)
            .bind(at.timestamp_millis())
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Claims the mail that has waited longest among those due and not yet given up on
    /// (fewer than `max_attempts` tries), for `lease`: if this sender dies, another sends it
    /// once the lease is over.
    pub async fn claim_mail(
        &self,
        lease: Duration,
        max_attempts: i32,
    ) -> Result<Option<OutboxMail>> {
        let at = now().timestamp_millis();
        let lock = match self {
            Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            Db::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE mail_outbox SET next_attempt_at = $1, attempts = attempts + 1
             WHERE id = (
                 SELECT id FROM mail_outbox
                 WHERE sent_at IS NULL AND attempts < $2 AND next_attempt_at <= $3
                 ORDER BY next_attempt_at, id LIMIT 1 {lock})
             RETURNING id, recipient, subject, text_body, html_body, attempts"
        );
        let mail: Option<OutboxMail> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(at + lease.as_millis() as i64)
            .bind(max_attempts)
            .bind(at)
            .fetch_optional(pool)
            .await)?;
        Ok(mail)
    }

    /// Records a delivery: the mail is done and its bodies are dropped.
    pub async fn mail_sent(&self, id: i64) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "UPDATE mail_outbox SET sent_at = $2, text_body = '', html_body = '', last_error = NULL
             WHERE id = $1")
            .bind(id)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed try; the mail is due again after `retry_in`.
    pub async fn mail_failed(&self, id: i64, error: &str, retry_in: Duration) -> Result<()> {
        let error: String = error.chars().take(500).collect();
        on_db!(self, pool => sqlx::query(
            "UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1")
            .bind(id)
            .bind(error)
            .bind(now().timestamp_millis() + retry_in.as_millis() as i64)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The mails to one address, newest first, without their bodies.
    pub async fn outbox_for(&self, recipient: &str) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<OutboxEntry> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, recipient, subject, attempts, sent_at, last_error, created_at
             FROM mail_outbox WHERE recipient = $1 ORDER BY id DESC")
            .bind(recipient)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_expire_after_their_purpose_lifetime() {
        assert_eq!(TokenPurpose::Verify.lifetime(), chrono::Duration::hours(24));
        assert_eq!(TokenPurpose::Reset.lifetime(), chrono::Duration::hours(1));
    }

    #[test]
    fn a_token_is_usable_only_unused_and_before_it_expires() {
        let at = now();
        let later = at + chrono::Duration::seconds(1);
        let earlier = at - chrono::Duration::seconds(1);
        let cases = [
            (None, later, TokenState::Valid),
            (None, at, TokenState::Gone),
            (None, earlier, TokenState::Gone),
            (Some(earlier), later, TokenState::Gone),
        ];
        for (used_at, expires_at, want) in cases {
            assert_eq!(
                token_state(used_at, expires_at, at),
                want,
                "{used_at:?} {expires_at}"
            );
        }
    }
}
