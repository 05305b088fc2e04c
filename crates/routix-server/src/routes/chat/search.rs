//! `GET /chat/search`: the signed-in user's messages and conversation titles that hold the
//! words typed, newest first, each with a snippet around its first match.

use axum::extract::State;
use chrono::{DateTime, Utc};
use routix_core::chat_search::{snippet, SearchQuery};
use routix_store::{
    chat::{ChatHit, Role},
    ConversationId, MessageId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Query},
    state::AppState,
};

pub const MAX_LIMIT: usize = 50;
const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words to find (1 to 200 characters). Each matches a word or the start of one; all must
    /// appear. Arabic and Persian letter variants (ي/ی, ك/ک) and the zero-width non-joiner are
    /// treated alike.
    #[param(min_length = 1, max_length = 200, pattern = r"[^\W_]")]
    pub q: String,
    /// Hits to return, 1 to 50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatSearchHit {
    #[schema(value_type = uuid::Uuid)]
    pub conversation_id: ConversationId,
    /// The message that matched; null when the conversation's title did.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub message_id: Option<MessageId>,
    /// Who wrote the message: `user`, `assistant` or `system`; null for a title.
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    /// The conversation's title.
    pub title: String,
    /// Whether the conversation is archived.
    pub archived: bool,
    /// About 120 characters of the text around the first match, `…` where cut.
    pub snippet: String,
    /// When the message was written (for a title: when the conversation was started).
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatSearchResults {
    /// Newest first.
    pub items: Vec<ChatSearchHit>,
}

#[utoipa::path(get, path = "/api/v1/chat/search", tag = "chat", params(SearchParams),
    responses((status = 200, body = ChatSearchResults, description = "newest first"),
              (status = 422, description = "q empty, over 200 characters or without a word; limit out of 1–50")),
    security(("bearer" = [])))]
pub async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<ChatSearchResults>> {
    let query = SearchQuery::parse(&params.q).map_err(|e| ApiError::validation(e.to_string()))?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let hits = state.db.search_chat(user.id(), &query, limit).await?;
    let items = hits
        .into_iter()
        .map(|hit: ChatHit| ChatSearchHit {
            snippet: snippet(&hit.text, &query),
            conversation_id: hit.conversation_id,
            message_id: hit.message_id,
            role: hit.role,
            title: hit.title,
            archived: hit.archived,
            created_at: hit.created_at,
        })
        .collect();
    Ok(Json(ChatSearchResults { items }))
}
