//! Generations: queue a thumbnail, follow it, list the gallery, cancel, delete, download.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use routix_core::{algorithms::WatermarkRule, Algorithm, GenerationStatus};
use routix_store::{
    generations::{CancelOutcome, Generation, GenerationFilter, NewGeneration},
    users::Plan,
    ConversationId, FileId, GenerationId, Page, StoreError,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path, Query},
    media::Format,
    routes::chat::owned,
    state::AppState,
};

pub use routix_engine::view::{
    generation_event, media_url, Downloads, GenerationView, StageView, VariantView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/generations", get(list).post(create))
        .route("/generations/{id}", get(get_one).delete(delete))
        .route("/generations/{id}/cancel", post(cancel))
        .route("/generations/{id}/edit", post(edit))
        .route("/generations/{id}/rating", post(rate))
        .route("/generations/{id}/download", get(download))
}

pub const MAX_PROMPT_CHARS: usize = 2000;
pub const MAX_REFERENCES: usize = 4;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateGeneration {
    /// What the thumbnail should be, in English or Persian (1 to 2000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub prompt: String,
    /// `basic`, `premium` or `pro` (names and prices in `GET /algorithms`). Default `basic`.
    #[schema(value_type = Option<String>, pattern = "^(basic|premium|pro)$")]
    pub algorithm: Option<String>,
    /// Use this template instead of the best match.
    pub template_id: Option<String>,
    #[schema(value_type = Option<uuid::Uuid>, pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")]
    pub conversation_id: Option<ConversationId>,
    /// Uploaded reference images (at most 4).
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 4)]
    pub reference_file_ids: Vec<FileId>,
    /// Output encoding; default `jpeg`.
    pub format: Option<Format>,
    /// How many thumbnails to make, 1 to 8 (default 1). The compositor makes them all for
    /// one price (different layouts, or with `source_file_id` one change each); with a
    /// provider every image costs its own price.
    #[schema(minimum = 1, maximum = 8)]
    pub variants: Option<u8>,
    /// An uploaded finished thumbnail (`POST /files/upload`) to make variants of instead of
    /// a new design: fitted to 1280x720, each variant changes one thing and lists it in
    /// `variants[].changed`. The prompt says what to change (it drives the image model's
    /// edits for premium and pro); `reference_file_ids` are not used.
    #[schema(value_type = Option<uuid::Uuid>, pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")]
    pub source_file_id: Option<FileId>,
    /// The thumbnail's text exactly as written (1 to 200 characters), instead of one Routix
    /// writes; with `source_file_id`, the text of a new-headline variant.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub headline: Option<String>,
}

/// A free re-edit: any of these, the rest taken from the original.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditGeneration {
    /// New text for the thumbnail (1 to 200 characters).
    #[schema(min_length = 1, max_length = 200)]
    pub headline: Option<String>,
    /// Another layout from `GET /templates`.
    pub template_id: Option<String>,
    /// Up to three colours `#rrggbb`: primary, secondary, accent.
    #[schema(min_items = 1, max_items = 3)]
    pub palette: Option<Vec<String>>,
    /// What to show: an emoji (🐱) or a word in English or Persian ("cat", «گربه»).
    pub subject: Option<String>,
}

pub const MAX_EDIT_HEADLINE_CHARS: usize = 200;

/// Tells the owner's listeners (and the conversation's, if any) where a generation is.
pub async fn publish(state: &AppState, generation: Generation) {
    routix_engine::worker::publish_generation(&state.events, generation).await;
}

/// Whether a result carries the watermark: the algorithm's rule, which may defer to the plan
/// (admin-editable per plan; free by default).
async fn watermarked(state: &AppState, plan: Plan, rule: WatermarkRule) -> ApiResult<bool> {
    if rule != WatermarkRule::Plan {
        return Ok(rule.applies(false));
    }
    match state.db.plan_terms(plan).await {
        Ok(terms) => Ok(terms.watermark),
        Err(StoreError::NotFound) => Ok(plan == Plan::Free),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn not_found() -> ApiError {
    ApiError::not_found("generation")
}

pub(crate) fn store_404(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => not_found(),
        other => other.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/generations", tag = "generations", request_body = CreateGeneration,
    responses((status = 202, body = GenerationView, description = "queued; follow it on GET or the WebSocket"),
              (status = 402, description = "not enough credits; nothing queued"),
              (status = 404, description = "conversation, reference or source file not found"),
              (status = 409, description = "the algorithm is switched off (`algorithm_disabled`); `GET /algorithms` lists those on offer"),
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
    // The price, chain and watermark rule as admins set them now; kept with the job.
    let specs = state.db.algorithms().await?;
    let price_of = |a: Algorithm| specs.iter().find(|s| s.id == a);
    let (Some(spec), Some(basic)) = (price_of(algorithm), price_of(Algorithm::Basic)) else {
        return Err(StoreError::NotFound.into());
    };
    if !spec.enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "algorithm_disabled",
            format!(
                "{} is switched off for now; choose another algorithm (GET /api/v1/algorithms lists those on offer)",
                spec.id
            ),
        ));
    }
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
    let source = match req.source_file_id {
        Some(id) => {
            state.db.file(user.id(), id).await.map_err(|e| match e {
                StoreError::NotFound => ApiError::not_found("source file"),
                other => other.into(),
            })?;
            Some(id)
        }
        None => None,
    };
    let headline = match req.headline.as_deref().map(str::trim) {
        Some(h) if h.is_empty() || h.chars().count() > MAX_EDIT_HEADLINE_CHARS => {
            return Err(ApiError::validation(format!(
                "headline must be 1 to {MAX_EDIT_HEADLINE_CHARS} characters"
            )))
        }
        other => other.map(str::to_string),
    };
    let format = req.format.unwrap_or(Format::Jpeg);
    let variants = req.variants.unwrap_or(1);
    if !(1..=crate::pipeline::MAX_VARIANTS).contains(&variants) {
        return Err(ApiError::validation(format!(
            "variants must be 1 to {}",
            crate::pipeline::MAX_VARIANTS
        )));
    }
    // The compositor's variants come at one price; each provider image has its own.
    let cost = if spec.chain.is_empty() {
        spec.cost.0
    } else {
        spec.cost.0 * i64::from(variants)
    };
    let (edit, source) = match source {
        Some(file_id) => (
            None,
            Some(routix_engine::source::Source { file_id, headline }),
        ),
        None => (
            headline.map(|h| crate::pipeline::Edit {
                headline: Some(h),
                ..Default::default()
            }),
            None,
        ),
    };
    let options = serde_json::to_value(crate::pipeline::JobOptions {
        variants,
        edit,
        chain: Some(spec.chain.clone()),
        price: Some(spec.cost.0),
        basic_price: Some(basic.cost.0),
        source,
    })
    .ok();
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
            cost,
            watermark: watermarked(&state, user.user.plan, spec.watermark).await?,
            max_attempts: state.settings.job_max_attempts,
            options,
            parent_id: None,
        })
        .await?;
    state.worker_wake.notify_one();
    metrics::counter!("generations_queued_total", "algorithm" => algorithm.as_str()).increment(1);
    publish(&state, generation.clone()).await;
    Ok((StatusCode::ACCEPTED, Json(generation.into())))
}

#[utoipa::path(post, path = "/api/v1/generations/{id}/edit", tag = "generations",
    params(("id" = uuid::Uuid, Path)), request_body = EditGeneration,
    responses((status = 202, body = GenerationView, description = "a new generation (with `parent_id`) made from the original's stored artwork: no provider call, no charge"),
              (status = 404, description = "no such generation of yours"),
              (status = 409, description = "the original has not completed (`not_completed`), or is a set of variants of an upload (`not_editable`)"),
              (status = 422, description = "nothing to change, or an invalid headline, template, colour or subject")),
    security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
    Json(req): Json<EditGeneration>,
) -> ApiResult<(StatusCode, Json<GenerationView>)> {
    let original = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(store_404)?;
    if original.status != GenerationStatus::Completed {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_completed",
            "only a completed thumbnail can be edited",
        ));
    }
    if original
        .details
        .as_ref()
        .is_some_and(|d| d.get("source_file_id").is_some_and(|s| !s.is_null()))
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_editable",
            "variants of an uploaded thumbnail are not re-edited; ask for new variants of it",
        ));
    }
    if req.headline.is_none()
        && req.template_id.is_none()
        && req.palette.is_none()
        && req.subject.is_none()
    {
        return Err(ApiError::validation(
            "say what to change: headline, template_id, palette or subject",
        ));
    }
    let headline = match req.headline.as_deref().map(str::trim) {
        Some(h) if h.is_empty() || h.chars().count() > MAX_EDIT_HEADLINE_CHARS => {
            return Err(ApiError::validation(format!(
                "headline must be 1 to {MAX_EDIT_HEADLINE_CHARS} characters"
            )))
        }
        other => other.map(str::to_string),
    };
    if let Some(t) = req.template_id.as_deref() {
        if state.engine.templates.get(t).is_none() {
            return Err(ApiError::validation(format!("unknown template {t:?}")));
        }
    }
    let palette = match &req.palette {
        None => None,
        Some(colors) if colors.is_empty() || colors.len() > 3 => {
            return Err(ApiError::validation("palette takes 1 to 3 colours"))
        }
        Some(colors) => Some(
            colors
                .iter()
                .map(|c| {
                    c.trim().parse::<routix_core::Rgb>().map_err(|_| {
                        ApiError::validation(format!("palette: {c:?} is not a #rrggbb colour"))
                    })
                })
                .collect::<ApiResult<Vec<_>>>()?,
        ),
    };
    let subject = match req.subject.as_deref().map(str::trim) {
        Some(s) => {
            let found = crate::pipeline::resolve_subject(s)
                .filter(|found| routix_render::sticker::has_art(found.emoji))
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "no subject art for {s:?}; try a common word or emoji"
                    ))
                })?;
            Some(found.emoji.to_string())
        }
        None => None,
    };
    let options = crate::pipeline::JobOptions {
        variants: 1,
        edit: Some(crate::pipeline::Edit {
            headline,
            template_id: req.template_id.clone(),
            palette,
            subject,
        }),
        ..Default::default()
    };
    let rule = state.db.algorithm(original.algorithm).await?.watermark;
    let generation = state
        .db
        .enqueue_generation(NewGeneration {
            user_id: user.id(),
            conversation_id: original.conversation_id,
            prompt: &original.prompt,
            algorithm: original.algorithm,
            requested_template: req
                .template_id
                .as_deref()
                .or(original.template_id.as_deref()),
            reference_file_ids: original.reference_file_ids.clone(),
            format: &original.format,
            cost: 0,
            watermark: watermarked(&state, user.user.plan, rule).await?,
            max_attempts: state.settings.job_max_attempts,
            options: serde_json::to_value(options).ok(),
            parent_id: Some(original.id),
        })
        .await?;
    state.worker_wake.notify_one();
    metrics::counter!("generations_edited_total").increment(1);
    publish(&state, generation.clone()).await;
    Ok((StatusCode::ACCEPTED, Json(generation.into())))
}

/// A verdict on a result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// 1 (thumbs up), -1 (thumbs down) or 0 (take the rating back).
    #[schema(minimum = -1, maximum = 1)]
    pub value: i16,
}

#[utoipa::path(post, path = "/api/v1/generations/{id}/rating", tag = "generations",
    params(("id" = uuid::Uuid, Path)), request_body = Rating,
    responses((status = 200, body = GenerationView, description = "rated; one rating per generation, changed by rating again"),
              (status = 404, description = "no such generation of yours"),
              (status = 409, description = "only a completed thumbnail can be rated"),
              (status = 422, description = "value must be 1, -1 or 0")),
    security(("bearer" = [])))]
pub async fn rate(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
    Json(req): Json<Rating>,
) -> ApiResult<Json<GenerationView>> {
    if !(-1..=1).contains(&req.value) {
        return Err(ApiError::validation("value must be 1, -1 or 0"));
    }
    let g = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(store_404)?;
    if g.status != GenerationStatus::Completed {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_completed",
            "only a completed thumbnail can be rated",
        ));
    }
    let before = g.rating;
    let reference = g
        .details
        .as_ref()
        .and_then(|d| d.get("reference_bank_id"))
        .and_then(|r| r.as_str())
        .and_then(|r| r.parse::<routix_store::BankItemId>().ok());
    let g = state
        .db
        .rate_generation(user.id(), id, req.value)
        .await
        .map_err(store_404)?;
    // The bank item it followed learns the verdict too.
    if let Some(item) = reference {
        match state.db.bank_item_rated(item, before, req.value).await {
            // Its rank moves with the verdict at once.
            Ok(()) => {
                if let Ok(updated) = state.db.bank_item(item).await {
                    crate::bank::reindex(&state.bank_index, &updated);
                }
            }
            Err(e) => tracing::warn!(error = %e, %item, "could not count a bank item's rating"),
        }
    }
    metrics::counter!("generation_ratings_total", "value" => req.value.to_string()).increment(1);
    Ok(Json(g.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// queued, processing, completed, failed or cancelled.
    #[param(pattern = "^(|queued|processing|completed|failed|cancelled)$")]
    pub status: Option<String>,
    /// basic, premium or pro.
    #[param(pattern = "^(|basic|premium|pro)$")]
    pub algorithm: Option<String>,
    #[param(
        pattern = "^(|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$"
    )]
    pub conversation_id: Option<String>,
    /// `true`: only favourites; `false`: only the others.
    pub favorite: Option<bool>,
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
                favorite: self.favorite,
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
    let published = state.db.publications(id).await?;
    let mut view = GenerationView::from(g);
    view.published = Some(published.into_iter().map(Into::into).collect());
    Ok(Json(view))
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
    forget_stored(&state, &g).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a generation's stored images — the result and preview, every variant's, and the
/// artwork under the text — that nothing else uses any more (identical results share an
/// object; a live share link keeps its generation's).
pub(crate) async fn forget_stored(state: &AppState, g: &Generation) -> ApiResult<()> {
    let details = g.details.clone().unwrap_or_default();
    let mut keys: Vec<String> = [g.result_key.clone(), g.preview_key.clone()]
        .into_iter()
        .flatten()
        .collect();
    if let Some(list) = details.get("variants").and_then(|v| v.as_array()) {
        for v in list {
            for field in ["key", "preview_key"] {
                if let Some(k) = v.get(field).and_then(|k| k.as_str()) {
                    keys.push(k.to_string());
                }
            }
        }
    }
    if let Some(k) = details.get("artwork_key").and_then(|k| k.as_str()) {
        keys.push(k.to_string());
    }
    keys.sort();
    keys.dedup();
    for key in keys.iter().map(String::as_str) {
        if !state.db.blob_in_use(key).await? {
            if let Err(e) = state.blobs.delete(key).await {
                tracing::warn!(error = %e, key, "could not delete a stored result");
            }
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DownloadQuery {
    /// jpeg, webp or png; default the generation's own format.
    #[param(pattern = "^(|jpeg|jpg|webp|png)$")]
    pub format: Option<String>,
    /// Which variant of a multi-variant generation (0 = the first, the default).
    #[param(minimum = 0, maximum = 3)]
    pub variant: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/generations/{id}/download", tag = "generations",
    params(("id" = uuid::Uuid, Path), DownloadQuery),
    responses((status = 200, description = "the thumbnail as an attachment", content_type = "image/*"),
              (status = 404, description = "no such finished generation of yours, or it has no such variant"),
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
    let key = match q.variant.filter(|v| *v > 0) {
        None => key,
        Some(v) => g
            .details
            .as_ref()
            .and_then(|d| d.get("variants"))
            .and_then(|list| list.as_array())
            .and_then(|list| {
                list.iter()
                    .find(|x| x.get("index").and_then(|i| i.as_u64()) == Some(u64::from(v)))
            })
            .and_then(|x| x.get("key"))
            .and_then(|k| k.as_str())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("this generation has no variant {v}"),
                )
            })?,
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
        routix_engine::cpu::run(move || crate::media::transcode(&bytes, wanted))
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
        "attachment; filename=\"routix-{}{}.{}\"",
        g.id,
        q.variant
            .filter(|v| *v > 0)
            .map(|v| format!("-{v}"))
            .unwrap_or_default(),
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
