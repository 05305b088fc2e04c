//! Conversations and messages, always scoped to the signed-in owner (others' → 404). Search
//! and export live in their own files.

pub mod export;
pub mod search;

use axum::{extract::State, http::StatusCode, routing::get, Router};
use chrono::{DateTime, Utc};
use routix_store::{
    chat::{Conversation, ConversationChange, Message, Role},
    ConversationId, Page,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path, Query},
    routes::{PageOf, PageQuery},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/chat/conversations",
            get(list_conversations).post(create_conversation),
        )
        .route(
            "/chat/conversations/{id}",
            get(get_conversation)
                .patch(update_conversation)
                .delete(delete_conversation),
        )
        .route(
            "/chat/conversations/{id}/messages",
            get(list_messages).post(post_message),
        )
        .route("/chat/conversations/{id}/export", get(export::export))
        .route("/chat/search", get(search::search))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationView {
    #[schema(value_type = uuid::Uuid)]
    pub id: ConversationId,
    pub title: String,
    /// Archived conversations are left out of the default list.
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Conversation> for ConversationView {
    fn from(c: Conversation) -> Self {
        ConversationView {
            id: c.id,
            title: c.title,
            archived: c.archived_at.is_some(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    #[schema(value_type = uuid::Uuid)]
    pub id: routix_store::MessageId,
    #[schema(value_type = uuid::Uuid)]
    pub conversation_id: ConversationId,
    /// `user`, `assistant` or `system`.
    #[schema(value_type = String)]
    pub role: Role,
    pub content: String,
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        MessageView {
            id: m.id,
            conversation_id: m.conversation_id,
            role: m.role,
            content: m.content,
            metadata: m.metadata,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateConversation {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
}

/// Either or both; an absent or null field stays as it is (`{}` changes nothing).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConversation {
    /// A new title, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    /// `true` hides it from the default list; `false` brings it back.
    pub archived: Option<bool>,
}

/// `?archived=&cursor=&limit=` of the conversation list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ConversationListQuery {
    /// `true`: only the archived conversations; otherwise only the others.
    pub archived: Option<bool>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PostMessage {
    /// 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub content: String,
    /// Any JSON object, kept with the message.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostedMessage {
    pub message: MessageView,
    /// The assistant's answer, when one was produced.
    pub reply: Option<MessageView>,
}

pub const MAX_MESSAGE_CHARS: usize = 4000;

fn validate_title(title: &str) -> Result<&str, ApiError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ApiError::validation("title must be 1 to 200 characters"));
    }
    Ok(title)
}

pub fn validate_message(content: &str) -> Result<&str, ApiError> {
    let content = content.trim();
    if content.is_empty() {
        return Err(ApiError::validation("content must not be empty"));
    }
    if content.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::validation(format!(
            "content must be at most {MAX_MESSAGE_CHARS} characters"
        )));
    }
    Ok(content)
}

#[utoipa::path(get, path = "/api/v1/chat/conversations", tag = "chat", params(ConversationListQuery),
    responses((status = 200, body = PageOf<ConversationView>, description = "newest first")),
    security(("bearer" = [])))]
pub async fn list_conversations(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ConversationListQuery>,
) -> ApiResult<Json<Page<ConversationView>>> {
    let (cursor, limit) = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    }
    .parse()?;
    let archived = q.archived.unwrap_or(false);
    let page = state
        .db
        .list_conversations(user.id(), archived, cursor, limit)
        .await?;
    Ok(Json(page.map(ConversationView::from)))
}

#[utoipa::path(post, path = "/api/v1/chat/conversations", tag = "chat", request_body = CreateConversation,
    responses((status = 201, body = ConversationView)), security(("bearer" = [])))]
pub async fn create_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateConversation>,
) -> ApiResult<(StatusCode, Json<ConversationView>)> {
    let title = match req.title.as_deref() {
        Some(t) => validate_title(t)?,
        None => "New conversation",
    };
    let conversation = state.db.create_conversation(user.id(), title).await?;
    Ok((StatusCode::CREATED, Json(conversation.into())))
}

/// The conversation if `user` owns it; 404 otherwise (never 403: existence is not revealed).
pub async fn owned(
    state: &AppState,
    user: &AuthUser,
    id: ConversationId,
) -> ApiResult<Conversation> {
    state
        .db
        .conversation(user.id(), id)
        .await
        .map_err(|e| match e {
            routix_store::StoreError::NotFound => ApiError::not_found("conversation"),
            other => other.into(),
        })
}

#[utoipa::path(get, path = "/api/v1/chat/conversations/{id}", tag = "chat",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ConversationView), (status = 404, description = "no such conversation of yours")),
    security(("bearer" = [])))]
pub async fn get_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<ConversationId>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(owned(&state, &user, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/chat/conversations/{id}", tag = "chat",
    params(("id" = uuid::Uuid, Path)), request_body = UpdateConversation,
    responses((status = 200, body = ConversationView), (status = 404),
              (status = 422, description = "a bad title")),
    security(("bearer" = [])))]
pub async fn update_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<ConversationId>,
    Json(req): Json<UpdateConversation>,
) -> ApiResult<Json<ConversationView>> {
    let change = ConversationChange {
        title: req.title.as_deref().map(validate_title).transpose()?,
        archived: req.archived,
    };
    let current = owned(&state, &user, id).await?;
    if change == ConversationChange::default() {
        return Ok(Json(current.into()));
    }
    Ok(Json(
        state
            .db
            .update_conversation(user.id(), id, change)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/chat/conversations/{id}", tag = "chat",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
pub async fn delete_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<ConversationId>,
) -> ApiResult<StatusCode> {
    owned(&state, &user, id).await?;
    state.db.delete_conversation(user.id(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/chat/conversations/{id}/messages", tag = "chat",
    params(("id" = uuid::Uuid, Path), PageQuery),
    responses((status = 200, body = PageOf<MessageView>, description = "oldest first"), (status = 404)),
    security(("bearer" = [])))]
pub async fn list_messages(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<ConversationId>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Page<MessageView>>> {
    let (cursor, limit) = q.parse()?;
    owned(&state, &user, id).await?;
    let page = state.db.list_messages(id, cursor, limit).await?;
    Ok(Json(page.map(MessageView::from)))
}

#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/messages", tag = "chat",
    params(("id" = uuid::Uuid, Path)), request_body = PostMessage,
    responses((status = 201, body = PostedMessage), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn post_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<ConversationId>,
    Json(req): Json<PostMessage>,
) -> ApiResult<(StatusCode, Json<PostedMessage>)> {
    let content = validate_message(&req.content)?;
    let metadata = match req.metadata {
        None | Some(serde_json::Value::Null) => serde_json::json!({}),
        Some(v @ serde_json::Value::Object(_)) => v,
        Some(_) => return Err(ApiError::validation("metadata must be a JSON object")),
    };
    let conversation = owned(&state, &user, id).await?;
    let (message, reply) = post_and_reply(&state, &conversation, content, &metadata, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(PostedMessage {
            message: message.into(),
            reply: reply.map(MessageView::from),
        }),
    ))
}

/// The one path every user message takes (REST and WebSocket): stored first, then broadcast
/// to the conversation, then answered by the assistant the same way. `origin` is the
/// WebSocket connection it came from, if any.
pub async fn post_and_reply(
    state: &AppState,
    conversation: &Conversation,
    content: &str,
    metadata: &serde_json::Value,
    origin: Option<&str>,
) -> ApiResult<(Message, Option<Message>)> {
    let message = state
        .db
        .add_message(
            conversation.id,
            Some(conversation.user_id),
            Role::User,
            content,
            metadata,
        )
        .await?;
    publish_message(state, &message, origin).await;
    let reply = match crate::assistant::reply(&state.engine, content).await {
        Some((text, meta)) => {
            let reply = state
                .db
                .add_message(conversation.id, None, Role::Assistant, &text, &meta)
                .await?;
            publish_message(state, &reply, None).await;
            Some(reply)
        }
        None => None,
    };
    Ok((message, reply))
}

pub fn message_event(message: &Message) -> serde_json::Value {
    serde_json::json!({"type": "message", "message": MessageView::from(message.clone())})
}

async fn publish_message(state: &AppState, message: &Message, origin: Option<&str>) {
    state
        .events
        .publish_from(
            &crate::events::conversation_topic(message.conversation_id),
            &message_event(message),
            origin,
        )
        .await;
}
