//! The signed-in creator's brand kit: `GET/PUT /users/me/brand`, and `DELETE
//! /users/me/brand/logo` and `/face` to take a picture out. PUT is multipart and changes only
//! the parts it carries; its pictures pass the same checks as `/files/upload` and are stored
//! as the creator's files.

use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    routing::{delete, get},
    Router,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use image::ImageFormat;
use routix_core::{
    brand::{parse_colors, BrandFont, Corner, MAX_BRAND_COLORS},
    CoreError,
};
use routix_store::{
    blobs::{content_key, sha256_hex},
    brand::BrandKit,
    files::NewFile,
    FileId, UserId,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Multipart},
    routes::files::{check_image, mime_and_ext, sniff, unsupported},
    state::AppState,
};

pub fn router(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/users/me/brand",
            // Two pictures and a few short fields; each picture is held to the exact limit.
            get(get_brand)
                .put(put_brand)
                .layer(DefaultBodyLimit::max(2 * max_upload_bytes + 64 * 1024)),
        )
        .route("/users/me/brand/logo", delete(delete_logo))
        .route("/users/me/brand/face", delete(delete_face))
}

/// A stored brand picture.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrandImage {
    #[schema(value_type = uuid::Uuid)]
    pub file_id: FileId,
    /// Where the owner fetches it (with their token): `GET /api/v1/files/{id}`.
    pub url: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
}

/// One of the bundled headline faces.
#[derive(Debug, Serialize, ToSchema)]
pub struct FontOption {
    /// The value for `font`.
    pub id: &'static str,
    pub name: &'static str,
    /// Whether it has Persian letters (a Persian headline in a face without them is set in
    /// Vazirmatn).
    pub persian: bool,
}

/// A creator's brand kit.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrandView {
    /// Stamped on every thumbnail, about 12 % of the width, in `logo_position`.
    pub logo: Option<BrandImage>,
    /// The subject of requests about the creator ("my reaction", «واکنش من»).
    pub face: Option<BrandImage>,
    /// Up to four `#rrggbb`, used when a request names no colours: primary, secondary
    /// (background), accent.
    #[schema(example = json!(["#ff3b30", "#101010"]))]
    pub colors: Vec<String>,
    /// The headline face (`bebas-neue` or `vazirmatn`); null: each layout's own.
    #[schema(value_type = Option<String>, example = "bebas-neue")]
    pub font: Option<BrandFont>,
    /// `top-left`, `top-right`, `bottom-left` or `bottom-right` (bottom right is where
    /// YouTube shows the duration: a logo asked for there goes to the nearest free corner).
    #[schema(value_type = String, example = "top-left")]
    pub logo_position: Corner,
    /// The faces `font` may name.
    pub fonts: Vec<FontOption>,
    /// Null until the kit is first saved.
    pub updated_at: Option<DateTime<Utc>>,
}

async fn view(state: &AppState, user: UserId, kit: BrandKit) -> ApiResult<BrandView> {
    let image = |id: Option<FileId>| async move {
        match id {
            Some(id) => state.db.file(user, id).await.map(|f| {
                Some(BrandImage {
                    url: format!("/api/v1/files/{}", f.id),
                    file_id: f.id,
                    mime: f.mime,
                    width: f.width,
                    height: f.height,
                })
            }),
            None => Ok(None),
        }
    };
    Ok(BrandView {
        logo: image(kit.logo_file_id).await?,
        face: image(kit.face_file_id).await?,
        colors: kit
            .colors
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        font: kit.font.as_deref().and_then(|f| f.parse().ok()),
        logo_position: kit.logo_position.parse().unwrap_or_default(),
        fonts: BrandFont::ALL
            .into_iter()
            .map(|f| FontOption {
                id: f.as_str(),
                name: f.name(),
                persian: f == BrandFont::Vazirmatn,
            })
            .collect(),
        updated_at: kit.updated_at,
    })
}

#[utoipa::path(get, path = "/api/v1/users/me/brand", tag = "users",
    responses((status = 200, body = BrandView, description = "the kit; empty until first saved")),
    security(("bearer" = [])))]
pub async fn get_brand(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<BrandView>> {
    let kit = state.db.brand_kit(user.id()).await?;
    Ok(Json(view(&state, user.id(), kit).await?))
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BrandForm {
    /// The logo: PNG or WebP with a transparent background (an alpha channel that is used).
    #[schema(value_type = Option<String>, format = Binary)]
    logo: Option<Vec<u8>>,
    /// A photo of the creator (JPEG, PNG or WebP), head and shoulders in the upper middle.
    #[schema(value_type = Option<String>, format = Binary)]
    face: Option<Vec<u8>>,
    /// Up to four `#rrggbb`: comma-separated in one field, or the field repeated; an empty
    /// value clears them.
    #[schema(example = "#ff3b30,#101010,#ffd60a")]
    colors: Option<String>,
    /// `bebas-neue` or `vazirmatn`; empty: each layout's own face.
    #[schema(example = "bebas-neue")]
    font: Option<String>,
    /// `top-left`, `top-right`, `bottom-left` or `bottom-right`.
    #[schema(example = "top-left")]
    logo_position: Option<String>,
}

/// What one PUT asks to change; `None` keeps the current value.
#[derive(Default)]
struct Change {
    logo: Option<Bytes>,
    face: Option<Bytes>,
    colors: Option<Vec<String>>,
    font: Option<String>,
    logo_position: Option<String>,
}

/// The longest text field accepted (four colours and their commas fit many times over).
const MAX_TEXT_FIELD: usize = 256;

async fn read_change(multipart: &mut Multipart, max: usize) -> Result<Change, ApiError> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("pictures may be at most {} MB each", max / (1024 * 1024)),
            )
        } else {
            ApiError::bad_request(format!("malformed multipart body: {}", e.body_text()))
        }
    };
    let mut change = Change::default();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_string();
        let data = field.bytes().await.map_err(malformed)?;
        let text = || {
            if data.len() > MAX_TEXT_FIELD {
                return Err(ApiError::validation(format!("`{name}` is too long")));
            }
            std::str::from_utf8(&data)
                .map(|s| s.trim().to_string())
                .map_err(|_| ApiError::validation(format!("`{name}` is not UTF-8 text")))
        };
        match name.as_str() {
            "logo" | "face" => {
                if data.len() > max {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("pictures may be at most {} MB each", max / (1024 * 1024)),
                    ));
                }
                // A browser sends an empty part for a file input left empty: nothing chosen.
                if data.is_empty() {
                    continue;
                }
                if name == "logo" {
                    change.logo = Some(data);
                } else {
                    change.face = Some(data);
                }
            }
            "colors" => change.colors.get_or_insert_with(Vec::new).push(text()?),
            "font" => change.font = Some(text()?),
            "logo_position" => change.logo_position = Some(text()?),
            other => {
                return Err(ApiError::validation(format!(
                    "unknown field `{other}`: send logo, face, colors, font or logo_position"
                )))
            }
        }
    }
    Ok(change)
}

fn invalid(e: CoreError) -> ApiError {
    ApiError::validation(e.to_string())
}

/// Checks a logo: PNG or WebP (415 otherwise), whole, within the pixel limit, with pixels
/// that are see-through (422 for an opaque one: it would sit on the picture as a box).
fn check_logo(data: Bytes, max_pixels: u64) -> Result<(Bytes, ImageFormat, u32, u32), ApiError> {
    let format = match sniff(&data) {
        Some(f @ (ImageFormat::Png | ImageFormat::WebP)) => f,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "a logo must be a PNG or WebP with a transparent background; JPEG has none",
            ))
        }
        None => return Err(unsupported()),
    };
    let checked = check_image(data, format, max_pixels)?;
    let transparent =
        checked.image.color().has_alpha() && checked.image.to_rgba8().pixels().any(|p| p[3] < 250);
    if !transparent {
        return Err(ApiError::validation(
            "the logo has no transparent pixels; export it as a PNG or WebP with a \
             transparent background",
        ));
    }
    let (w, h) = (checked.image.width(), checked.image.height());
    if w.min(h) < 16 {
        return Err(ApiError::validation(format!(
            "the logo is {w}x{h}; it needs at least 16 pixels on each side"
        )));
    }
    Ok((checked.bytes, format, w, h))
}

/// Checks a face photo: JPEG, PNG or WebP, whole, within the pixel limit, big enough to show.
fn check_face(data: Bytes, max_pixels: u64) -> Result<(Bytes, ImageFormat, u32, u32), ApiError> {
    let format = sniff(&data).ok_or_else(unsupported)?;
    let checked = check_image(data, format, max_pixels)?;
    let (w, h) = (checked.image.width(), checked.image.height());
    if w.min(h) < 64 {
        return Err(ApiError::validation(format!(
            "the face photo is {w}x{h}; it needs at least 64 pixels on each side"
        )));
    }
    Ok((checked.bytes, format, w, h))
}

async fn store_picture(
    state: &AppState,
    user: UserId,
    (bytes, format, width, height): (Bytes, ImageFormat, u32, u32),
    name: &str,
) -> ApiResult<FileId> {
    let (mime, ext) = mime_and_ext(format);
    let key = content_key("uploads", &bytes, ext);
    state.blobs.put(&key, bytes.clone()).await?;
    let stored = state
        .db
        .insert_file(NewFile {
            user_id: user,
            sha256: &sha256_hex(&bytes),
            storage_key: &key,
            mime,
            size_bytes: bytes.len() as i64,
            width,
            height,
            original_name: Some(name),
        })
        .await?;
    Ok(stored.id)
}

#[utoipa::path(put, path = "/api/v1/users/me/brand", tag = "users",
    request_body(content = BrandForm, content_type = "multipart/form-data",
        description = "Only the parts sent change. `colors` may be repeated or comma-separated \
                       (an empty value clears them); an empty `font` goes back to each layout's \
                       face; an empty file part is ignored. Remove a picture with \
                       `DELETE /api/v1/users/me/brand/logo` or `/face`."),
    responses((status = 200, body = BrandView, description = "the kit as saved"),
              (status = 400, description = "not a well-formed multipart body"),
              (status = 413, description = "a picture larger than MAX_UPLOAD_MB"),
              (status = 415, description = "a logo that is not PNG or WebP, or a face that is not JPEG, PNG or WebP"),
              (status = 422, description = "a logo without transparency, a corrupt, tiny or oversized picture, \
                                            more than four colours, a colour that is not #rrggbb, an unknown \
                                            font or corner, or an unknown field")),
    security(("bearer" = [])))]
pub async fn put_brand(
    State(state): State<AppState>,
    user: AuthUser,
    mut multipart: Multipart,
) -> ApiResult<Json<BrandView>> {
    let change = read_change(&mut multipart, state.settings.max_upload_bytes).await?;
    let mut kit = state.db.brand_kit(user.id()).await?;
    // Every value is checked before anything is stored: a bad part changes nothing.
    if let Some(values) = &change.colors {
        let colors = parse_colors(values.iter().map(String::as_str)).map_err(invalid)?;
        debug_assert!(colors.len() <= MAX_BRAND_COLORS);
        kit.colors = colors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
    }
    if let Some(font) = &change.font {
        kit.font = match font.as_str() {
            "" => None,
            f => Some(
                f.parse::<BrandFont>()
                    .map_err(invalid)?
                    .as_str()
                    .to_string(),
            ),
        };
    }
    if let Some(corner) = &change.logo_position {
        kit.logo_position = corner
            .parse::<Corner>()
            .map_err(invalid)?
            .as_str()
            .to_string();
    }
    let max_pixels = state.settings.max_upload_pixels;
    let (logo, face) = (change.logo, change.face);
    let (logo, face) = tokio::task::spawn_blocking(move || {
        let logo = logo.map(|l| check_logo(l, max_pixels)).transpose()?;
        let face = face.map(|f| check_face(f, max_pixels)).transpose()?;
        Ok::<_, ApiError>((logo, face))
    })
    .await
    .map_err(|_| ApiError::internal())??;
    if let Some(logo) = logo {
        kit.logo_file_id = Some(store_picture(&state, user.id(), logo, "brand-logo").await?);
    }
    if let Some(face) = face {
        kit.face_file_id = Some(store_picture(&state, user.id(), face, "brand-face").await?);
    }
    let saved = state.db.put_brand_kit(user.id(), &kit).await?;
    Ok(Json(view(&state, user.id(), saved).await?))
}

#[utoipa::path(delete, path = "/api/v1/users/me/brand/logo", tag = "users",
    responses((status = 200, body = BrandView, description = "the kit without a logo (also when it had none)")),
    security(("bearer" = [])))]
pub async fn delete_logo(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<BrandView>> {
    let mut kit = state.db.brand_kit(user.id()).await?;
    kit.logo_file_id = None;
    let saved = state.db.put_brand_kit(user.id(), &kit).await?;
    Ok(Json(view(&state, user.id(), saved).await?))
}

#[utoipa::path(delete, path = "/api/v1/users/me/brand/face", tag = "users",
    responses((status = 200, body = BrandView, description = "the kit without a face photo (also when it had none)")),
    security(("bearer" = [])))]
pub async fn delete_face(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<BrandView>> {
    let mut kit = state.db.brand_kit(user.id()).await?;
    kit.face_file_id = None;
    let saved = state.db.put_brand_kit(user.id(), &kit).await?;
    Ok(Json(view(&state, user.id(), saved).await?))
}
