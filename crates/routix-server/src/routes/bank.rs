//! The template bank's admin API: upload designer thumbnails (one image or a zip), list,
//! read, edit, delete. Every handler takes `AdminUser`. The checks and the storing live in
//! `crate::bank`, shared with `routix bank import`; search is elsewhere.

use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    routing::get,
    Router,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use routix_store::{
    audit::Actor,
    bank::{BankItem, BankUpdate},
    BankItemId, Page, StoreError,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AdminUser,
    bank::{self, Limits, Meta, Source},
    error::{ApiError, ApiResult},
    extract::{Json, Multipart, Path, Query},
    routes::{generations::media_url, PageQuery},
    state::AppState,
};

/// Room for the multipart framing and the text fields around a maximal zip.
const BODY_LIMIT: usize = bank::MAX_TOTAL_BYTES as usize + 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/bank",
            get(list)
                .post(upload)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route(
            "/admin/bank/{id}",
            get(get_one).patch(update).delete(delete),
        )
        .route("/bank/search", get(search))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// What to look for, in English or Persian (1 to 200 characters).
    #[param(min_length = 1, max_length = 200, pattern = r"\S")]
    pub q: String,
    /// Only items of this category (`gaming`, `beauty`, ...).
    #[param(
        pattern = "^(|gaming|tech|education|vlog|cooking|fitness|finance|travel|music|news|beauty|sports|reaction|tutorial|review|podcast|animals|cars|comedy|entertainment|science|kids|diy|general)$"
    )]
    pub category: Option<String>,
    /// Results per page, 1 to 50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^(|1?[0-9]{1,2})$")]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    #[schema(value_type = uuid::Uuid)]
    pub id: BankItemId,
    /// Relevance, higher first (not comparable across queries).
    pub score: f32,
    pub title: String,
    pub tags: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub category: Option<routix_core::Category>,
    #[schema(value_type = Object)]
    pub style_dna: routix_core::bank::StyleDna,
    pub preview_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    pub next_cursor: Option<String>,
}

/// Most results a search pages through.
const MAX_RESULTS: usize = 200;

#[utoipa::path(get, path = "/api/v1/bank/search", tag = "bank", params(SearchQuery),
    responses((status = 200, body = SearchResults, description = "best first; by meaning across English and Persian, words, and colours against each item's palette"),
              (status = 401, description = "not signed in"),
              (status = 422, description = "empty or too long query, unknown category, bad limit or cursor")),
    security(("bearer" = [])))]
pub async fn search(
    State(state): State<AppState>,
    _user: crate::auth::AuthUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let query = q.q.trim();
    if query.is_empty() || query.chars().count() > 200 {
        return Err(ApiError::validation("q must be 1 to 200 characters"));
    }
    let category = match q.category.as_deref() {
        None | Some("") => None,
        Some(c) => Some(bank::parse_category(c)?),
    };
    let limit = q.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::validation("limit must be between 1 and 50"));
    }
    let offset: usize = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse()
            .ok()
            .filter(|o| *o < MAX_RESULTS)
            .ok_or_else(|| ApiError::validation("cursor is not one this search gave"))?,
    };
    let index = state.bank_index.clone();
    let text = query.to_string();
    let hits = tokio::task::spawn_blocking(move || {
        index
            .read()
            .map(|i| i.search(&text, category, offset + limit + 1))
            .unwrap_or_default()
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let more = hits.len() > offset + limit;
    let mut items = Vec::new();
    for hit in hits.into_iter().skip(offset).take(limit) {
        let Ok(id) = hit.id.parse::<BankItemId>() else {
            continue;
        };
        // An item deleted between the search and now is left out.
        if let Ok(item) = state.db.bank_item(id).await {
            items.push(SearchHit {
                id: item.id,
                score: hit.score,
                title: item.title,
                tags: item.tags,
                category: item.category,
                style_dna: item.style_dna,
                preview_url: media_url(&item.preview_key),
            });
        }
    }
    Ok(Json(SearchResults {
        items,
        next_cursor: more.then(|| (offset + limit).to_string()),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BankItemView {
    #[schema(value_type = uuid::Uuid)]
    pub id: BankItemId,
    pub title: String,
    pub tags: Vec<String>,
    /// A category id (`gaming`, `beauty`, ...), or null for any.
    #[schema(value_type = Option<String>)]
    pub category: Option<routix_core::Category>,
    /// Palette (`#rrggbb` with weights), brightness, contrast, saturation, energy 1-10,
    /// composition `{text, subject}`, has_text; a vision model's description, mood, has_face.
    #[schema(value_type = Object)]
    pub style_dna: routix_core::bank::StyleDna,
    pub featured: bool,
    /// -100 to 100; higher ranks first among equals.
    pub priority: i32,
    pub enabled: bool,
    pub usage_count: i64,
    pub success_count: i64,
    pub rating_up: i64,
    pub rating_down: i64,
    /// The original as uploaded.
    pub image_url: String,
    /// A 480x270 WebP.
    pub preview_url: String,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BankItem> for BankItemView {
    fn from(item: BankItem) -> Self {
        BankItemView {
            image_url: media_url(&item.storage_key),
            preview_url: media_url(&item.preview_key),
            id: item.id,
            title: item.title,
            tags: item.tags,
            category: item.category,
            style_dna: item.style_dna,
            featured: item.featured,
            priority: item.priority,
            enabled: item.enabled,
            usage_count: item.usage_count,
            success_count: item.success_count,
            rating_up: item.rating_up,
            rating_down: item.rating_down,
            width: item.width,
            height: item.height,
            created_at: item.created_at,
            updated_at: item.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedItems {
    pub items: Vec<BankItemView>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BankUploadForm {
    /// One JPEG, PNG or WebP image, or a .zip of them (at most 200 entries and 200 MB
    /// uncompressed; `__MACOSX/` and dotfiles are skipped).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The title (several images are numbered); default: each file's name.
    title: Option<String>,
    /// Comma-separated, at most 20 of 1 to 40 characters.
    tags: Option<String>,
    /// A category id.
    #[schema(
        pattern = r"^(\s*|gaming|tech|education|vlog|cooking|fitness|finance|travel|music|news|beauty|sports|reaction|tutorial|review|podcast|animals|cars|comedy|entertainment|science|kids|diy|general)$"
    )]
    category: Option<String>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "uploads may be at most {} MB",
            bank::MAX_TOTAL_BYTES / (1024 * 1024)
        ),
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::bad_request(format!("malformed multipart body: {}", e.body_text()))
    }
}

#[utoipa::path(post, path = "/api/v1/admin/bank", tag = "admin",
    request_body(content = BankUploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportedItems),
              (status = 403, description = "not an admin"),
              (status = 413, description = "larger than the upload limit"),
              (status = 415, description = "not a JPEG, PNG or WebP image or a zip"),
              (status = 422, description = "a corrupt or oversized image, or a refused zip entry (named); nothing stored")),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    admin: AdminUser,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, Json<ImportedItems>)> {
    let mut file: Option<Source> = None;
    let mut meta = Meta {
        created_by: Some(admin.0.id()),
        ..Meta::default()
    };
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field
                    .file_name()
                    .map(|n| n.chars().take(255).collect::<String>())
                    .unwrap_or_else(|| "upload".to_string());
                let bytes: Bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some(Source { name, bytes });
            }
            "title" => {
                let text = field.text().await.map_err(multipart_error)?;
                if !text.trim().is_empty() {
                    meta.title = Some(bank::validate_title(&text)?);
                }
            }
            "tags" => {
                let text = field.text().await.map_err(multipart_error)?;
                meta.tags = bank::parse_tags(&text)?;
            }
            "category" => {
                let text = field.text().await.map_err(multipart_error)?;
                if !text.trim().is_empty() {
                    meta.category = Some(bank::parse_category(&text)?);
                }
            }
            _ => {}
        }
    }
    let file = file.ok_or_else(|| {
        ApiError::validation("send the image or zip in a multipart field named `file`")
    })?;
    let limits = Limits::from_settings(&state.settings);
    if file.bytes.is_empty() {
        return Err(ApiError::validation("the file is empty"));
    }
    if !bank::is_zip(&file.bytes) && file.bytes.len() > limits.max_image_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "images may be at most {} MB",
                limits.max_image_bytes / (1024 * 1024)
            ),
        ));
    }
    let sources = tokio::task::spawn_blocking(move || bank::unpack(file, &limits))
        .await
        .map_err(|_| ApiError::internal())??;
    let items = bank::import(
        &state.db,
        &state.blobs,
        sources,
        meta,
        limits,
        Some(&state.engine.providers),
        |_, _, _| {},
    )
    .await?;
    for item in &items {
        bank::reindex(&state.bank_index, item);
    }
    tracing::info!(admin = %admin.0.id(), count = items.len(), "bank items imported");
    Ok((
        StatusCode::CREATED,
        Json(ImportedItems {
            items: items.into_iter().map(BankItemView::from).collect(),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/bank", tag = "admin", params(PageQuery),
    responses((status = 200, body = crate::routes::PageOf<BankItemView>),
              (status = 403, description = "not an admin")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Page<BankItemView>>> {
    let (cursor, limit) = q.parse()?;
    let page = state.db.list_bank_items(cursor, limit).await?;
    Ok(Json(page.map(BankItemView::from)))
}

fn missing(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("bank item"),
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/bank/{id}", tag = "admin",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = BankItemView), (status = 404, description = "no such item")),
    security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<BankItemId>,
) -> ApiResult<Json<BankItemView>> {
    let item = state.db.bank_item(id).await.map_err(missing)?;
    Ok(Json(item.into()))
}

/// Present-and-null (`"category": null`) as `Some(None)`, absent as `None`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Any of these; the rest stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBankItem {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// At most 20, each 1 to 40 characters.
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// A category id, or null for any category.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = "^(gaming|tech|education|vlog|cooking|fitness|finance|travel|music|news|beauty|sports|reaction|tutorial|review|podcast|animals|cars|comedy|entertainment|science|kids|diy|general)$")]
    pub category: Option<Option<String>>,
    pub featured: Option<bool>,
    /// -100 to 100.
    #[schema(minimum = -100, maximum = 100)]
    pub priority: Option<i32>,
    pub enabled: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/admin/bank/{id}", tag = "admin", request_body = UpdateBankItem,
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = BankItemView), (status = 404, description = "no such item"),
              (status = 422, description = "an invalid or unknown field")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<BankItemId>,
    Json(req): Json<UpdateBankItem>,
) -> ApiResult<Json<BankItemView>> {
    if let Some(p) = req.priority {
        if !(-100..=100).contains(&p) {
            return Err(ApiError::validation(
                "priority must be between -100 and 100",
            ));
        }
    }
    let change = BankUpdate {
        title: req.title.as_deref().map(bank::validate_title).transpose()?,
        tags: req.tags.map(bank::validate_tags).transpose()?,
        category: req
            .category
            .map(|c| c.as_deref().map(bank::parse_category).transpose())
            .transpose()?,
        featured: req.featured,
        priority: req.priority,
        enabled: req.enabled,
    };
    let item = state
        .db
        .update_bank_item(Actor::Admin(admin.0.id()), id, change)
        .await
        .map_err(missing)?;
    bank::reindex(&state.bank_index, &item);
    tracing::info!(admin = %admin.0.id(), item = %id, "bank item changed");
    Ok(Json(item.into()))
}

#[utoipa::path(delete, path = "/api/v1/admin/bank/{id}", tag = "admin",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "deleted, with its images unless another item shares them"),
              (status = 404, description = "no such item")),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<BankItemId>,
) -> ApiResult<StatusCode> {
    let item = state
        .db
        .delete_bank_item(Actor::Admin(admin.0.id()), id)
        .await
        .map_err(missing)?;
    if let Ok(mut index) = state.bank_index.write() {
        index.remove(&item.id.to_string());
    }
    bank::forget_blobs(
        &state.db,
        &state.blobs,
        vec![item.storage_key, item.preview_key],
    )
    .await;
    tracing::info!(admin = %admin.0.id(), item = %id, "bank item deleted");
    Ok(StatusCode::NO_CONTENT)
}
