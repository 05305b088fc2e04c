//! Conversations and their messages. Every read and write is scoped to the owner: another
//! user's conversation is `NotFound`, indistinguishable from one that never existed.
//!
//! Search runs on each database's own full-text index (migration `0011_chat_search`): SQLite's
//! FTS5, PostgreSQL's `tsvector` with the `simple` configuration. Both index text folded by the
//! rule of `routix_core::chat_search`; queries reach them only as quoted word prefixes.

use chrono::{DateTime, Utc};
use routix_core::chat_search::SearchQuery;
use serde::Serialize;
use sqlx::types::Json;

use crate::{
    now, on_db, Backend, ConversationId, Cursor, Db, MessageId, Page, Result, StoreError, UserId,
};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Conversation {
    pub id: ConversationId,
    #[serde(skip)]
    pub user_id: UserId,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the owner keeps it out of the default list.
    pub archived_at: Option<DateTime<Utc>>,
}

/// What a `PATCH` of a conversation changes; `None` keeps the current value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConversationChange<'a> {
    pub title: Option<&'a str>,
    pub archived: Option<bool>,
}

/// A message or a conversation title that matched a search.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatHit {
    pub conversation_id: ConversationId,
    /// `None` when the conversation's title matched.
    pub message_id: Option<MessageId>,
    /// Who wrote the message; `None` for a title.
    pub role: Option<Role>,
    pub title: String,
    /// The matched text as written.
    pub text: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
        }
    }

    /// The stored form back (the column's CHECK allows nothing else; unknown reads as user).
    fn from_db(s: &str) -> Role {
        match s {
            "assistant" => Role::Assistant,
            "system" => Role::System,
            _ => Role::User,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct HitRow {
    conversation_id: ConversationId,
    message_id: Option<MessageId>,
    role: Option<String>,
    title: String,
    text: String,
    archived: bool,
    created_at: DateTime<Utc>,
}

impl From<HitRow> for ChatHit {
    fn from(r: HitRow) -> Self {
        ChatHit {
            conversation_id: r.conversation_id,
            message_id: r.message_id,
            role: r.role.as_deref().map(Role::from_db),
            title: r.title,
            text: r.text,
            archived: r.archived,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct MessageRow {
    id: MessageId,
    conversation_id: ConversationId,
    user_id: Option<UserId>,
    role: String,
    content: String,
    metadata: Json<serde_json::Value>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub user_id: Option<UserId>,
    pub role: Role,
    pub content: String,
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        let role = Role::from_db(&r.role);
        Message {
            id: r.id,
            conversation_id: r.conversation_id,
            user_id: r.user_id,
            role,
            content: r.content,
            metadata: r.metadata.0,
            created_at: r.created_at,
        }
    }
}

const CONV_COLUMNS: &str = "id, user_id, title, created_at, updated_at, archived_at";
const MSG_COLUMNS: &str = "id, conversation_id, user_id, role, content, metadata, created_at";

/// Ids are UUIDv7 on both tables, so the hit's own id orders hits by time.
const SQLITE_SEARCH: &str = "
    SELECT d.conversation_id, d.message_id, m.role, c.title, COALESCE(m.content, c.title) AS text,
           c.archived_at IS NOT NULL AS archived, COALESCE(m.created_at, c.created_at) AS created_at
    FROM chat_search s
    JOIN chat_search_docs d ON d.id = s.rowid
    JOIN conversations c ON c.id = d.conversation_id
    LEFT JOIN messages m ON m.id = d.message_id
    WHERE chat_search MATCH $1 AND c.user_id = $2 AND c.deleted_at IS NULL
    ORDER BY COALESCE(d.message_id, d.conversation_id) DESC
    LIMIT $3";

const POSTGRES_SEARCH: &str = "
    SELECT conversation_id, message_id, role, title, text, archived, created_at FROM (
        SELECT m.conversation_id, m.id AS message_id, m.role, c.title, m.content AS text,
               c.archived_at IS NOT NULL AS archived, m.created_at
        FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.search @@ to_tsquery('simple', $1) AND c.user_id = $2 AND c.deleted_at IS NULL
        UNION ALL
        SELECT c.id, NULL, NULL, c.title, c.title, c.archived_at IS NOT NULL, c.created_at
        FROM conversations c
        WHERE c.search @@ to_tsquery('simple', $1) AND c.user_id = $2 AND c.deleted_at IS NULL
    ) hits
    ORDER BY COALESCE(message_id, conversation_id) DESC
    LIMIT $3";

/// FTS5: every word a quoted prefix (`"cake"* "red"*`), so nothing typed is read as syntax.
fn fts5_pattern(query: &SearchQuery) -> String {
    query
        .terms()
        .iter()
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// PostgreSQL: every word a quoted prefix lexeme (`'cake':* & 'red':*`).
fn tsquery_pattern(query: &SearchQuery) -> String {
    query
        .terms()
        .iter()
        .map(|t| format!("'{}':*", t.replace('\\', "\\\\").replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(" & ")
}

impl Db {
    pub async fn create_conversation(&self, user: UserId, title: &str) -> Result<Conversation> {
        let at = now();
        let sql = format!(
            "INSERT INTO conversations (id, user_id, title, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING {CONV_COLUMNS}"
        );
        Ok(on_db!(self, pool => sqlx::query_as(&sql)
            .bind(ConversationId::new())
            .bind(user)
            .bind(title)
            .bind(at)
            .fetch_one(pool)
            .await)?)
    }

    /// The user's live conversations, newest first: the archived ones or the others.
    pub async fn list_conversations(
        &self,
        user: UserId,
        archived: bool,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<Conversation>> {
        let sql = format!(
            "SELECT {CONV_COLUMNS} FROM conversations
             WHERE user_id = $1 AND deleted_at IS NULL AND ($2 IS NULL OR id < $2)
               AND (archived_at IS NOT NULL) = $4
             ORDER BY id DESC LIMIT $3"
        );
        let cursor = after.map(|c| ConversationId(c.0));
        let rows: Vec<Conversation> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(user)
            .bind(cursor)
            .bind(limit as i64 + 1)
            .bind(archived)
            .fetch_all(pool)
            .await)?;
        Ok(Page::from_rows(rows, limit, |c| c.id.0))
    }

    pub async fn conversation(&self, user: UserId, id: ConversationId) -> Result<Conversation> {
        let sql = format!(
            "SELECT {CONV_COLUMNS} FROM conversations WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
        );
        Ok(on_db!(self, pool => sqlx::query_as(&sql).bind(id).bind(user).fetch_one(pool).await)?)
    }

    /// Renames and/or archives (or brings back) a conversation. Archiving one already archived
    /// keeps the time it was first archived.
    pub async fn update_conversation(
        &self,
        user: UserId,
        id: ConversationId,
        change: ConversationChange<'_>,
    ) -> Result<Conversation> {
        let sql = format!(
            "UPDATE conversations SET title = COALESCE($3, title),
                archived_at = CASE WHEN $4 IS NULL THEN archived_at
                                   WHEN $4 THEN COALESCE(archived_at, $5)
                                   ELSE NULL END,
                updated_at = $5
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING {CONV_COLUMNS}"
        );
        Ok(on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .bind(user)
            .bind(change.title)
            .bind(change.archived)
            .bind(now())
            .fetch_one(pool)
            .await)?)
    }

    /// The user's messages and conversation titles that hold every word of `query` (as a word
    /// or the start of one), newest first, in live conversations only (archived included).
    pub async fn search_chat(
        &self,
        user: UserId,
        query: &SearchQuery,
        limit: usize,
    ) -> Result<Vec<ChatHit>> {
        let (sql, pattern) = match self.backend() {
            Backend::Sqlite => (SQLITE_SEARCH, fts5_pattern(query)),
            Backend::Postgres => (POSTGRES_SEARCH, tsquery_pattern(query)),
        };
        let rows: Vec<HitRow> = on_db!(self, pool => sqlx::query_as(sql)
            .bind(pattern.as_str())
            .bind(user)
            .bind(limit as i64)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(ChatHit::from).collect())
    }

    pub async fn delete_conversation(&self, user: UserId, id: ConversationId) -> Result<()> {
        let done = on_db!(self, pool => sqlx::query(
            "UPDATE conversations SET deleted_at = $3 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
            .bind(id)
            .bind(user)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Appends a message. The conversation's owner is checked by the caller (via
    /// `conversation`); `author` is `None` for assistant messages.
    pub async fn add_message(
        &self,
        conversation: ConversationId,
        author: Option<UserId>,
        role: Role,
        content: &str,
        metadata: &serde_json::Value,
    ) -> Result<Message> {
        let at = now();
        let sql = format!(
            "INSERT INTO messages (id, conversation_id, user_id, role, content, metadata, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {MSG_COLUMNS}"
        );
        let row: MessageRow = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as(&sql)
                .bind(MessageId::new())
                .bind(conversation)
                .bind(author)
                .bind(role.as_str())
                .bind(content)
                .bind(Json(metadata))
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("UPDATE conversations SET updated_at = $2 WHERE id = $1")
                .bind(conversation)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        Ok(row.into())
    }

    /// Messages of a conversation, oldest first, after `after` (exclusive) when given.
    pub async fn list_messages(
        &self,
        conversation: ConversationId,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<Message>> {
        let sql = format!(
            "SELECT {MSG_COLUMNS} FROM messages
             WHERE conversation_id = $1 AND ($2 IS NULL OR id > $2)
             ORDER BY id ASC LIMIT $3"
        );
        let cursor = after.map(|c| MessageId(c.0));
        let rows: Vec<MessageRow> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(conversation)
            .bind(cursor)
            .bind(limit as i64 + 1)
            .fetch_all(pool)
            .await)?;
        Ok(Page::from_rows(rows, limit, |m| m.id.0).map(Message::from))
    }

    /// Metadata of the assistant's messages in a conversation written before `before`,
    /// oldest first: the record of what the assistant understood and was told.
    pub async fn assistant_metadata(
        &self,
        conversation: ConversationId,
        before: DateTime<Utc>,
    ) -> Result<Vec<serde_json::Value>> {
        let sql = "SELECT metadata FROM messages
             WHERE conversation_id = $1 AND role = 'assistant' AND created_at <= $2
             ORDER BY id ASC";
        let rows: Vec<(Json<serde_json::Value>,)> = on_db!(self, pool => sqlx::query_as(sql)
            .bind(conversation)
            .bind(before)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(|(m,)| m.0).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_quote_every_word_as_a_prefix() {
        let q = SearchQuery::parse("Cake OR \"red\" NEAR( -x* كيك").unwrap();
        assert_eq!(
            fts5_pattern(&q),
            r#""cake"* "or"* "red"* "near"* "x"* "کیک"*"#
        );
        assert_eq!(
            tsquery_pattern(&q),
            "'cake':* & 'or':* & 'red':* & 'near':* & 'x':* & 'کیک':*"
        );
    }
}
