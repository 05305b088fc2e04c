//! The template bank: browse, preview, match; and `POST /analyze`.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use routix_core::{Algorithm, Analysis, TemplateMeta};
use routix_render::{encode, render, OutputFormat, RenderRequest};
use routix_store::{FileId, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path, Query},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list))
        .route("/templates/match", post(match_templates))
        .route("/templates/{id}", get(get_one))
        .route("/templates/{id}/preview", get(preview))
        .route("/analyze", post(analyze))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub meta: TemplateMeta,
    pub preview_url: String,
}

impl From<&TemplateMeta> for TemplateView {
    fn from(m: &TemplateMeta) -> Self {
        TemplateView {
            preview_url: format!("/api/v1/templates/{}/preview", m.id),
            meta: m.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateView>,
    pub next_cursor: Option<String>,
    /// Every category the analyzer can answer, with how many templates the library has
    /// for it (requests in a category without one are matched to the nearest).
    pub categories: Vec<CategoryCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCount {
    /// e.g. gaming, animals, diy.
    pub id: String,
    pub templates: usize,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TemplateQuery {
    /// e.g. gaming, tech, cooking.
    #[param(
        pattern = "^(|gaming|tech|education|vlog|cooking|fitness|finance|travel|music|news|beauty|sports|reaction|tutorial|review|podcast|animals|cars|comedy|entertainment|science|kids|diy|general)$"
    )]
    pub category: Option<String>,
    /// A style tag, e.g. neon, minimal.
    pub style: Option<String>,
    /// Only designs that suit right-to-left headlines.
    pub rtl: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", params(TemplateQuery),
    responses((status = 200, body = TemplateList), (status = 422, description = "unknown category")))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<TemplateQuery>,
) -> ApiResult<Json<TemplateList>> {
    let category = match q.category.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<routix_core::Category>()
                .map_err(|e| ApiError::validation(e.to_string()))?,
        ),
    };
    let style = q.style.as_deref().map(str::to_lowercase);
    let items = state
        .engine
        .templates
        .all()
        .iter()
        .map(|t| &t.meta)
        .filter(|m| category.is_none_or(|c| m.category == c))
        .filter(|m| {
            style
                .as_deref()
                .is_none_or(|s| m.styles.iter().any(|x| x.eq_ignore_ascii_case(s)))
        })
        .filter(|m| q.rtl.is_none_or(|r| m.supports_rtl == r))
        .map(TemplateView::from)
        .collect();
    let all = state.engine.templates.all();
    let categories = routix_core::Category::ALL
        .iter()
        .map(|c| CategoryCount {
            id: c.as_str().to_string(),
            templates: all.iter().filter(|t| t.meta.category == *c).count(),
        })
        .collect();
    Ok(Json(TemplateList {
        items,
        next_cursor: None,
        categories,
    }))
}

fn find(state: &AppState, id: &str) -> ApiResult<routix_render::Template> {
    state
        .engine
        .templates
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("template"))
}

#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "templates", params(("id" = String, Path)),
    responses((status = 200, body = TemplateView), (status = 404, description = "no such template")))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(TemplateView::from(&find(&state, &id)?.meta)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    /// Headline to preview with (default: the template's name).
    pub title: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/templates/{id}/preview", tag = "templates",
    params(("id" = String, Path), PreviewQuery),
    responses((status = 200, description = "a 640x360 JPEG preview", content_type = "image/jpeg"),
              (status = 404, description = "no such template")))]
pub async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> ApiResult<Response> {
    let template = find(&state, &id)?;
    let title = q
        .title
        .map(|t| t.chars().take(80).collect::<String>())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| template.meta.name.to_uppercase());
    let bytes = routix_engine::cpu::run(move || {
        let mut req = RenderRequest::titled(title);
        req.width = 640;
        req.height = 360;
        let out = render(&template, &req)?;
        encode(&out.image, OutputFormat::Jpeg, 80)
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| ApiError::validation(e.to_string()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchRequest {
    /// A finished analysis (from `POST /analyze`) ...
    #[schema(value_type = Option<Object>)]
    pub analysis: Option<Analysis>,
    /// ... or a prompt to analyse first (1 to 2000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub prompt: Option<String>,
    /// 1 to 100 (default 5).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub has_reference_image: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchView {
    pub template: TemplateView,
    pub match_score: f32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    #[schema(value_type = Object)]
    pub analysis: Analysis,
    pub matches: Vec<MatchView>,
}

#[utoipa::path(post, path = "/api/v1/templates/match", tag = "templates", request_body = MatchRequest,
    responses((status = 200, body = MatchResponse), (status = 422, description = "neither analysis nor prompt")),
    security(("bearer" = [])))]
pub async fn match_templates(
    State(state): State<AppState>,
    _user: AuthUser,
    Json(req): Json<MatchRequest>,
) -> ApiResult<Json<MatchResponse>> {
    let limit = req.limit.unwrap_or(5);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit must be between 1 and 100"));
    }
    // A prompt that is sent is checked even when an analysis makes it unused.
    if let Some(p) = req.prompt.as_deref() {
        if p.trim().is_empty() || p.chars().count() > 2000 {
            return Err(ApiError::validation("prompt must be 1 to 2000 characters"));
        }
    }
    let analysis = match (req.analysis, req.prompt.as_deref().map(str::trim)) {
        (Some(a), _) => a,
        (None, Some(p)) if !p.is_empty() => {
            state
                .engine
                .providers
                .analyze(p, Algorithm::Basic, &[])
                .await
                .analysis
        }
        _ => {
            return Err(ApiError::validation(
                "send an `analysis` or a non-empty `prompt`",
            ))
        }
    };
    let matches = state
        .engine
        .suggest(&analysis, limit, req.has_reference_image)
        .into_iter()
        .map(|(meta, m)| MatchView {
            template: TemplateView::from(&meta),
            match_score: m.match_score,
            reasons: m.reasons,
        })
        .collect();
    Ok(Json(MatchResponse { analysis, matches }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnalyzeRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub prompt: String,
    /// Uploaded images to look at (pro-grade vision when an LLM is configured).
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub reference_file_ids: Vec<FileId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyzeResponse {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub analysis: Analysis,
    /// Why the rules answered although an LLM is configured.
    pub fell_back: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/analyze", tag = "analysis", request_body = AnalyzeRequest,
    responses((status = 200, body = AnalyzeResponse), (status = 404, description = "a reference file is not yours"),
              (status = 422, description = "empty or too long prompt")),
    security(("bearer" = [])))]
pub async fn analyze(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<AnalyzeRequest>,
) -> ApiResult<Json<AnalyzeResponse>> {
    let prompt = req.prompt.trim();
    if prompt.is_empty() || prompt.chars().count() > crate::routes::generations::MAX_PROMPT_CHARS {
        return Err(ApiError::validation("prompt must be 1 to 2000 characters"));
    }
    let mut images = Vec::new();
    for id in req
        .reference_file_ids
        .iter()
        .take(crate::routes::generations::MAX_REFERENCES)
    {
        let file = state.db.file(user.id(), *id).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found("reference file"),
            other => other.into(),
        })?;
        let bytes = state.blobs.get(&file.storage_key).await?;
        images.push(routix_providers::ReferenceImage {
            bytes: bytes.to_vec(),
            mime: file.mime,
        });
    }
    let algorithm = if images.is_empty() {
        Algorithm::Basic
    } else {
        Algorithm::Pro
    };
    let outcome = state
        .engine
        .providers
        .analyze(prompt, algorithm, &images)
        .await;
    Ok(Json(AnalyzeResponse {
        analysis: outcome.analysis,
        fell_back: outcome.fell_back,
    }))
}
