//! Stored results served to browsers: `/uploads/{folder}/{name}`. Names are content hashes,
//! so a URL's bytes never change and may be cached forever. Only result folders are served
//! here; uploaded reference images stay private behind `GET /api/v1/files/{id}`.

use std::io::Cursor;

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use bytes::Bytes;
use routix_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::{ApiError, ApiResult},
    extract::Path,
    state::AppState,
};

/// Folders whose objects are public by their (unguessable) content-hash name. `bank` holds
/// the template bank's references and their previews, shown to signed-in users' searches.
pub const PUBLIC_FOLDERS: [&str; 3] = ["generations", "previews", "bank"];

pub fn router() -> Router<AppState> {
    Router::new().route("/uploads/{folder}/{name}", get(serve))
}

async fn serve(
    State(state): State<AppState>,
    Path((folder, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found("object");
    if !PUBLIC_FOLDERS.contains(&folder.as_str()) {
        return Err(not_found());
    }
    let format = name
        .rsplit_once('.')
        .and_then(|(_, ext)| Format::parse(ext))
        .ok_or_else(not_found)?;
    let bytes = state
        .blobs
        .get(&format!("{folder}/{name}"))
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.mime()),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

/// Re-encodes a stored image in another format (for downloads).
pub fn transcode(bytes: &[u8], to: Format) -> Result<Bytes, ApiError> {
    let img = image::load_from_memory(bytes).map_err(|e| {
        tracing::error!(error = %e, "stored image cannot be decoded");
        ApiError::internal()
    })?;
    let mut out = Cursor::new(Vec::new());
    let written =
        match to {
            Format::Jpeg => img.to_rgb8().write_with_encoder(
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90),
            ),
            Format::Png => img.write_to(&mut out, image::ImageFormat::Png),
            Format::Webp => img.to_rgba8().write_to(&mut out, image::ImageFormat::WebP),
        };
    written.map_err(|e| {
        tracing::error!(error = %e, "re-encoding failed");
        ApiError::internal()
    })?;
    Ok(Bytes::from(out.into_inner()))
}

/// The three encodings a result can be had in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Webp,
    Png,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Webp => "webp",
            Format::Png => "png",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jpeg" | "jpg" => Some(Format::Jpeg),
            "webp" => Some(Format::Webp),
            "png" => Some(Format::Png),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
            Format::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
            Format::Png => "png",
        }
    }
}
