//! Reference-image uploads. The type is judged by magic bytes only; dimensions are read from
//! the header before anything is decoded, so a decompression bomb is refused cheaply.

use std::io::Cursor;

use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use image::ImageFormat;
use routix_store::{
    blobs::{content_key, sha256_hex},
    files::{NewFile, StoredFile},
    FileId, StoreError,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path},
    state::AppState,
};

pub fn router(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/files/upload",
            // Room for the multipart framing around a maximal file; the file itself is
            // checked against the exact limit below.
            post(upload).layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024)),
        )
        .route("/files/{id}", get(download))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    #[schema(value_type = uuid::Uuid)]
    pub id: FileId,
    /// Where the owner can fetch it (with their token).
    pub url: String,
    pub mime: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub sha256: String,
    pub original_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<StoredFile> for FileView {
    fn from(f: StoredFile) -> Self {
        FileView {
            url: format!("/api/v1/files/{}", f.id),
            id: f.id,
            mime: f.mime,
            size_bytes: f.size_bytes,
            width: f.width,
            height: f.height,
            sha256: f.sha256,
            original_name: f.original_name,
            created_at: f.created_at,
        }
    }
}

/// The accepted image types, recognised by their first bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

pub fn mime_and_ext(format: ImageFormat) -> (&'static str, &'static str) {
    match format {
        ImageFormat::Png => ("image/png", "png"),
        ImageFormat::WebP => ("image/webp", "webp"),
        _ => ("image/jpeg", "jpg"),
    }
}

/// Checks that `bytes` is a whole, decodable image of at most `max_pixels`; returns its size.
pub fn inspect_image(
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
) -> Result<(u32, u32), ApiError> {
    decode_image(bytes, format, max_pixels).map(|img| (img.width(), img.height()))
}

/// Decodes `bytes` as a whole image of at most `max_pixels`, reading the header first so an
/// oversized image is refused before anything is allocated for its pixels.
pub fn decode_image(
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
) -> Result<image::DynamicImage, ApiError> {
    let reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|_| ApiError::validation("the image is corrupt: its header cannot be read"))?;
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(ApiError::validation(format!(
            "the image is {w}x{h}, more than {} megapixels; please upload a smaller image",
            max_pixels / 1_000_000
        )));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(max_pixels * 4 + (64 << 20));
    reader.limits(limits);
    reader.decode().map_err(|_| {
        ApiError::validation("the image is truncated or corrupt and cannot be decoded")
    })
}

pub fn unsupported() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "only JPEG, PNG and WebP images are accepted",
    )
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("files may be at most {} MB", max / (1024 * 1024)),
    )
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The image (JPEG, PNG or WebP).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(post, path = "/api/v1/files/upload", tag = "files",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = FileView),
              (status = 413, description = "larger than MAX_UPLOAD_MB"),
              (status = 415, description = "not a JPEG, PNG or WebP image"),
              (status = 422, description = "corrupt, truncated or more than 40 megapixels")),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    user: AuthUser,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    let max = state.settings.max_upload_bytes;
    let mut found: Option<(Bytes, Option<String>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(max)),
            Err(e) => {
                return Err(ApiError::bad_request(format!(
                    "malformed multipart body: {}",
                    e.body_text()
                )))
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(|n| n.chars().take(255).collect::<String>());
        let data = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large(max)
            } else {
                ApiError::bad_request(format!("malformed multipart body: {}", e.body_text()))
            }
        })?;
        found = Some((data, name));
        break;
    }
    let (data, original_name) = found
        .ok_or_else(|| ApiError::validation("send the image in a multipart field named `file`"))?;
    if data.len() > max {
        return Err(too_large(max));
    }
    if data.is_empty() {
        return Err(ApiError::validation("the file is empty"));
    }
    let format = sniff(&data).ok_or_else(unsupported)?;
    let max_pixels = state.settings.max_upload_pixels;
    let checked = data.clone();
    let (width, height) =
        tokio::task::spawn_blocking(move || inspect_image(&checked, format, max_pixels))
            .await
            .map_err(|_| ApiError::internal())??;

    let (mime, ext) = mime_and_ext(format);
    let key = content_key("uploads", &data, ext);
    state.blobs.put(&key, data.clone()).await?;
    let stored = state
        .db
        .insert_file(NewFile {
            user_id: user.id(),
            sha256: &sha256_hex(&data),
            storage_key: &key,
            mime,
            size_bytes: data.len() as i64,
            width,
            height,
            original_name: original_name.as_deref(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "the image bytes", content_type = "image/*"),
              (status = 404, description = "no such file of yours")),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<FileId>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found("file");
    let file = state.db.file(user.id(), id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    let bytes = state
        .blobs
        .get(&file.storage_key)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_only_real_image_signatures() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ImageFormat::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<svg"), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
    }
}
