//! Generations: queue a thumbnail, follow it, list the gallery, cancel, delete, download.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use chrono::{DateTime, Utc};
use routix_core::{Algorithm, GenerationStatus, Stage};
use routix_store::{
    generations::{CancelOutcome, Generation, GenerationFilter, NewGeneration, StageRecord},
    users::Plan,
    ConversationId, FileId, GenerationId, Page, StoreError,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    events,
    extract::{Json, Path, Query},
    media::Format,
    routes::chat::owned,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/generations", get(list).post(create))
        .route("/generations/{id}", get(get_one).delete(delete))
        .route("/generations/{id}/cancel", post(cancel))
        .route("/generations/{id}/download", get(download))
}

pub const MAX_PROMPT_CHARS: usize = 2000;
pub const MAX_REFERENCES: usize = 4;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateGeneration {
    /// What the thumbnail should be, in English or Persian.
    pub prompt: String,
    /// `basic` (1 credit), `premium` (3) or `pro` (5). Default `basic`.
    #[schema(value_type = Option<String>)]
    pub algorithm: Option<String>,
    /// Use this template instead of the best match.
    pub template_id: Option<String>,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub conversation_id: Option<ConversationId>,
    /// Uploaded reference images (at most 4).
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub reference_file_ids: Vec<FileId>,
    /// Output encoding; default `jpeg`.
    pub format: Option<Format>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Downloads {
    pub jpeg: String,
    pub webp: String,
    pub png: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageView {
    pub stage: u8,
    pub label: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationView {
    #[schema(value_type = uuid::Uuid)]
    pub id: GenerationId,
    /// queued, processing, completed, failed or cancelled.
    #[schema(value_type = String)]
    pub status: GenerationStatus,
    /// 0 before start, then 1 analysing, 2 matching template, 3 creating artwork,
    /// 4 composing, 5 optimising and storing.
    pub stage: u8,
    pub stage_label: Option<String>,
    /// 0 to 100.
    pub progress: u8,
    pub stages: Vec<StageView>,
    pub prompt: String,
    #[schema(value_type = String)]
    pub algorithm: Algorithm,
    pub format: String,
    pub cost: i64,
    pub watermark: bool,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub conversation_id: Option<ConversationId>,
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub reference_file_ids: Vec<FileId>,
    /// The template used (chosen by matching unless one was requested).
    pub template_id: Option<String>,
    /// What the request was understood as.
    pub analysis: Option<serde_json::Value>,
    /// What the thumbnail shows: `{kind: sticker|reference|provider|none, emoji, label}`.
    pub subject: Option<serde_json::Value>,
    /// Which engine made the artwork: `compositor`, `openai:dall-e-3`, `stability:sdxl`, ...
    pub engine: Option<String>,
    /// Whether a provider failed (or was not configured) and a fallback made the image.
    pub fell_back: bool,
    pub fallback_reason: Option<String>,
    pub error: Option<String>,
    pub result_url: Option<String>,
    pub preview_url: Option<String>,
    pub downloads: Option<Downloads>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub bytes: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Public URL of a stored object (content-hash names; see `media`).
pub fn media_url(key: &str) -> String {
    format!("/uploads/{key}")
}

impl From<Generation> for GenerationView {
    fn from(g: Generation) -> Self {
        let completed = g.status == GenerationStatus::Completed;
        let download = |f: &str| format!("/api/v1/generations/{}/download?format={f}", g.id);
        GenerationView {
            stage_label: Stage::from_number(g.stage).map(|s| s.label().to_string()),
            stages: g.stages.into_iter().map(StageView::from).collect(),
            result_url: g.result_key.as_deref().filter(|_| completed).map(media_url),
            preview_url: g
                .preview_key
                .as_deref()
                .filter(|_| completed)
                .map(media_url),
            downloads: completed.then(|| Downloads {
                jpeg: download("jpeg"),
                webp: download("webp"),
                png: download("png"),
            }),
            id: g.id,
            status: g.status,
            stage: g.stage,
            progress: g.progress,
            prompt: g.prompt,
            algorithm: g.algorithm,
            format: g.format,
            cost: g.cost,
            watermark: g.watermark,
            conversation_id: g.conversation_id,
            reference_file_ids: g.reference_file_ids,
            template_id: g.template_id,
            analysis: g.analysis,
            subject: g.subject,
            engine: g.engine,
            fell_back: g.fell_back,
            fallback_reason: g.fallback_reason,
            error: g.error,
            width: g.width,
            height: g.height,
            bytes: g.result_bytes,
            created_at: g.created_at,
            updated_at: g.updated_at,
            started_at: g.started_at,
            finished_at: g.finished_at,
        }
    }
}

impl From<StageRecord> for StageView {
    fn from(s: StageRecord) -> Self {
        StageView {
            stage: s.stage,
            label: s.label,
            started_at: s.started_at,
            finished_at: s.finished_at,
        }
    }
}

/// The WebSocket/event form of a generation's state.
pub fn generation_event(view: &GenerationView) -> serde_json::Value {
    serde_json::json!({"type": "generation", "generation": view})
}

/// Tells the owner's listeners (and the conversation's, if any) where a generation is.
pub async fn publish(state: &AppState, generation: Generation) {
    let (user, conversation) = (generation.user_id, generation.conversation_id);
    let event = generation_event(&GenerationView::from(generation));
    state
        .events
        .publish(&events::user_topic(user), &event)
        .await;
    if let Some(c) = conversation {
        state
            .events
            .publish(&events::conversation_topic(c), &event)
            .await;
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("generation")
}

fn store_404(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => not_found(),
        other => other.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/generations", tag = "generations", request_body = CreateGeneration,
    responses((status = 202, body = GenerationView, description = "queued; follow it on GET or the WebSocket"),
              (status = 402, description = "not enough credits; nothing queued"),
              (status = 404, description = "conversation or reference file not found"),
              (status = 422, description = "invalid prompt, algorithm, template or format")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateGeneration>,
) -> ApiResult<(StatusCode, Json<GenerationView>)> {
    let prompt = req.prompt.trim();
    if prompt.is_empty() || prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(ApiError::validation(format!(
            "prompt must be 1 to {MAX_PROMPT_CHARS} characters"
        )));
    }
    let algorithm: Algorithm = match req.algorithm.as_deref() {
        None => Algorithm::Basic,
        Some(a) => a
            .parse()
            .map_err(|e: routix_core::CoreError| ApiError::validation(e.to_string()))?,
    };
    if let Some(t) = req.template_id.as_deref() {
        if state.engine.templates.get(t).is_none() {
            return Err(ApiError::validation(format!("unknown template {t:?}")));
        }
    }
    if let Some(c) = req.conversation_id {
        owned(&state, &user, c).await?;
    }
    if req.reference_file_ids.len() > MAX_REFERENCES {
        return Err(ApiError::validation(format!(
            "at most {MAX_REFERENCES} reference images"
        )));
    }
    for f in &req.reference_file_ids {
        state.db.file(user.id(), *f).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found("reference file"),
            other => other.into(),
        })?;
    }
    let format = req.format.unwrap_or(Format::Jpeg);
    let generation = state
        .db
        .enqueue_generation(NewGeneration {
            user_id: user.id(),
            conversation_id: req.conversation_id,
            prompt,
            algorithm,
            requested_template: req.template_id.as_deref(),
            reference_file_ids: req.reference_file_ids.clone(),
            format: format.as_str(),
            cost: algorithm.cost().0,
            watermark: user.user.plan == Plan::Free,
            max_attempts: state.settings.job_max_attempts,
        })
        .await?;
    state.worker_wake.notify_one();
    metrics::counter!("generations_queued_total", "algorithm" => algorithm.as_str()).increment(1);
    publish(&state, generation.clone()).await;
    Ok((StatusCode::ACCEPTED, Json(generation.into())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    /// queued, processing, completed, failed or cancelled.
    pub status: Option<String>,
    /// basic, premium or pro.
    pub algorithm: Option<String>,
    pub conversation_id: Option<String>,
}

impl ListQuery {
    pub fn filter(&self) -> ApiResult<(GenerationFilter, Option<routix_store::Cursor>, usize)> {
        let (cursor, limit) = crate::routes::PageQuery {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
        .parse()?;
        let status = match self.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                s.parse()
                    .map_err(|e: routix_core::CoreError| ApiError::validation(e.to_string()))?,
            ),
        };
        let algorithm = match self.algorithm.as_deref() {
            None | Some("") => None,
            Some(a) => Some(
                a.parse()
                    .map_err(|e: routix_core::CoreError| ApiError::validation(e.to_string()))?,
            ),
        };
        let conversation_id = match self.conversation_id.as_deref() {
            None | Some("") => None,
            Some(c) => Some(
                c.parse()
                    .map_err(|_| ApiError::validation("conversation_id is not an id"))?,
            ),
        };
        Ok((
            GenerationFilter {
                status,
                algorithm,
                conversation_id,
            },
            cursor,
            limit,
        ))
    }
}

#[utoipa::path(get, path = "/api/v1/generations", tag = "generations", params(ListQuery),
    responses((status = 200, body = crate::routes::PageOf<GenerationView>, description = "newest first")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Page<GenerationView>>> {
    let (filter, cursor, limit) = q.filter()?;
    let page = state
        .db
        .list_generations(Some(user.id()), &filter, cursor, limit)
        .await?;
    Ok(Json(page.map(GenerationView::from)))
}

#[utoipa::path(get, path = "/api/v1/generations/{id}", tag = "generations", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = GenerationView), (status = 404, description = "no such generation of yours")),
    security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<Json<GenerationView>> {
    let g = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(store_404)?;
    Ok(Json(g.into()))
}

#[utoipa::path(post, path = "/api/v1/generations/{id}/cancel", tag = "generations", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = GenerationView, description = "cancelled (queued jobs at once, running ones at their next step); credits refunded"),
              (status = 404, description = "no such generation of yours"),
              (status = 409, description = "it already finished")),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<Json<GenerationView>> {
    match state
        .db
        .cancel_generation(user.id(), id)
        .await
        .map_err(store_404)?
    {
        CancelOutcome::Cancelled | CancelOutcome::Requested => {}
        CancelOutcome::AlreadyFinished(status) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "already_finished",
                format!("the generation already finished ({})", status.as_str()),
            ))
        }
    }
    let g = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(store_404)?;
    publish(&state, g.clone()).await;
    Ok(Json(g.into()))
}

#[utoipa::path(delete, path = "/api/v1/generations/{id}", tag = "generations", params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "deleted with its stored images (a running job is cancelled and refunded)"),
              (status = 404, description = "no such generation of yours")),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<StatusCode> {
    let g = state
        .db
        .delete_generation(user.id(), id)
        .await
        .map_err(store_404)?;
    for key in [g.result_key.as_deref(), g.preview_key.as_deref()]
        .into_iter()
        .flatten()
    {
        // Identical results share an object; delete it only with its last generation.
        if !state.db.blob_in_use(key).await? {
            if let Err(e) = state.blobs.delete(key).await {
                tracing::warn!(error = %e, key, "could not delete a stored result");
            }
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DownloadQuery {
    /// jpeg, webp or png; default the generation's own format.
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/generations/{id}/download", tag = "generations",
    params(("id" = uuid::Uuid, Path), DownloadQuery),
    responses((status = 200, description = "the thumbnail as an attachment", content_type = "image/*"),
              (status = 404, description = "no such finished generation of yours"),
              (status = 422, description = "unknown format")),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    let g = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(store_404)?;
    let (Some(key), GenerationStatus::Completed) = (g.result_key.as_deref(), g.status) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_ready",
            "the generation has no image (yet)",
        ));
    };
    let stored = Format::parse(&g.format).unwrap_or(Format::Jpeg);
    let wanted = match q.format.as_deref() {
        None | Some("") => stored,
        Some(f) => Format::parse(f)
            .ok_or_else(|| ApiError::validation("format must be jpeg, webp or png"))?,
    };
    let bytes = state.blobs.get(key).await.map_err(store_404)?;
    let body = if wanted == stored {
        bytes
    } else {
        tokio::task::spawn_blocking(move || crate::media::transcode(&bytes, wanted))
            .await
            .map_err(|_| ApiError::internal())??
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(wanted.mime()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"routix-{}.{}\"",
        g.id,
        wanted.extension()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}
