//! Conversations and their messages. Every read and write is scoped to the owner: another
//! user's conversation is `NotFound`, indistinguishable from one that never existed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use crate::{now, on_db, ConversationId, Cursor, Db, MessageId, Page, Result, StoreError, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Conversation {
    pub id: ConversationId,
    #[serde(skip)]
    pub user_id: UserId,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
        let role = match r.role.as_str() {
            "assistant" => Role::Assistant,
            "system" => Role::System,
            _ => Role::User,
        };
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

const CONV_COLUMNS: &str = "id, user_id, title, created_at, updated_at";
const MSG_COLUMNS: &str = "id, conversation_id, user_id, role, content, metadata, created_at";

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

    /// The user's live conversations, newest first.
    pub async fn list_conversations(
        &self,
        user: UserId,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<Conversation>> {
        let sql = format!(
            "SELECT {CONV_COLUMNS} FROM conversations
             WHERE user_id = $1 AND deleted_at IS NULL AND ($2 IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3"
        );
        let cursor = after.map(|c| ConversationId(c.0));
        let rows: Vec<Conversation> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(user)
            .bind(cursor)
            .bind(limit as i64 + 1)
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

    pub async fn rename_conversation(
        &self,
        user: UserId,
        id: ConversationId,
        title: &str,
    ) -> Result<Conversation> {
        let sql = format!(
            "UPDATE conversations SET title = $3, updated_at = $4
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING {CONV_COLUMNS}"
        );
        Ok(on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .bind(user)
            .bind(title)
            .bind(now())
            .fetch_one(pool)
            .await)?)
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
