//! Routix's persistence. One `Db` value speaks to SQLite (the embedded default) or PostgreSQL;
//! every repository function is written once and compiled for both backends by `on_db!`, so
//! the two can't drift apart. Object storage (local disk, S3, ...) lives in `blobs`.

mod db;
mod error;
mod ids;

pub mod algorithms;
pub mod audit;
pub mod bank;
pub mod billing;
pub mod blobs;
pub mod brand;
pub mod broadcasts;
pub mod chat;
pub mod credits;
pub mod files;
pub mod generations;
pub mod mail;
pub mod page;
pub mod shares;
pub mod stats;
pub mod test_sets;
pub mod tokens;
pub mod users;
pub mod youtube;

pub use db::{redact_url, Backend, Db};
pub use error::StoreError;
pub use ids::{
    AuditId, BankItemId, BroadcastId, ConversationId, FileId, GenerationId, LedgerId, MessageId,
    TestSetId, TokenFamilyId, UserId,
};
pub use page::{Cursor, Page};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time, truncated to microseconds so values survive a round trip through both
/// databases unchanged.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}
