//! Reference-image uploads. The type is judged by magic bytes only; dimensions are read from
//! the header before anything is decoded, so a decompression bomb is refused cheaply.

use std::io::Cursor;

use axum::{
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use image::{metadata::Orientation, ImageDecoder, ImageFormat};
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
    extract::{Json, Multipart, Path},
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

/// An upload that passed every check: its pixels, upright, and the bytes to store.
pub struct Checked {
    pub image: image::DynamicImage,
    /// The original's bytes; or, when its EXIF says to turn it, the upright image re-encoded
    /// without EXIF, so every later reader (browsers, the compositor, image models) sees it
    /// the same way up.
    pub bytes: Bytes,
}

/// Checks that `bytes` is a whole, decodable still image of at most `max_pixels`.
pub fn check_image(
    bytes: Bytes,
    format: ImageFormat,
    max_pixels: u64,
) -> Result<Checked, ApiError> {
    let (image, orientation) = decode_oriented(&bytes, format, max_pixels)?;
    if orientation == Orientation::NoTransforms {
        return Ok(Checked { image, bytes });
    }
    let mut out = Cursor::new(Vec::new());
    let written =
        match format {
            ImageFormat::Jpeg => image.to_rgb8().write_with_encoder(
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92),
            ),
            _ => image.write_to(&mut out, format),
        };
    written.map_err(|e| {
        tracing::error!(error = %e, "turned upload cannot be re-encoded");
        ApiError::internal()
    })?;
    Ok(Checked {
        image,
        bytes: Bytes::from(out.into_inner()),
    })
}

/// Decodes `bytes` as a whole still image of at most `max_pixels`, upright (EXIF
/// orientation applied), reading the header first so an oversized image is refused before
/// anything is allocated for its pixels.
pub fn decode_image(
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
) -> Result<image::DynamicImage, ApiError> {
    decode_oriented(bytes, format, max_pixels).map(|(image, _)| image)
}

/// The pixels upright, and the EXIF orientation that was applied to them.
fn decode_oriented(
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
) -> Result<(image::DynamicImage, Orientation), ApiError> {
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
    if format == ImageFormat::Jpeg && jpeg_is_cut_short(bytes) {
        return Err(ApiError::validation(
            "the image is truncated or corrupt and cannot be decoded",
        ));
    }
    if format == ImageFormat::WebP && is_animated_webp(bytes) {
        return Err(ApiError::validation(
            "animated images are not accepted; upload a still JPEG, PNG or WebP",
        ));
    }
    let corrupt = |e: image::ImageError| match e {
        // 16-bit colour needs up to twice the memory the pixel limit allows for.
        image::ImageError::Limits(_) => ApiError::validation(format!(
            "the image ({w}x{h}) needs more memory to decode than allowed; please upload \
             a smaller or 8-bit image"
        )),
        _ => ApiError::validation("the image is truncated or corrupt and cannot be decoded"),
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(max_pixels * 4 + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    // An unreadable EXIF block is no reason to refuse the picture: it stays as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok((image, orientation))
}

/// Whether a JPEG stops before its end marker. The decoder paints a cut-off image grey
/// rather than failing, so without this a half-sent upload would be kept. Walks the
/// segments to the first scan (skipping EXIF thumbnails, which hold markers of their own),
/// then looks for the end marker after it; a layout it cannot follow is left to the decoder.
fn jpeg_is_cut_short(bytes: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if len < 2 {
            return false;
        }
        if marker == 0xDA {
            // Scan data never holds FF D9: the encoder stuffs every FF it writes there.
            let scan = bytes.get(at + 2 + len..).unwrap_or_default();
            return !scan.windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        at += 2 + len;
    }
    true
}

/// Whether a WebP declares an animation (the `VP8X` header's animation flag).
fn is_animated_webp(bytes: &[u8]) -> bool {
    bytes.len() > 20 && &bytes[12..16] == b"VP8X" && bytes[20] & 0x02 != 0
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

/// Reads the form's `file` field (other fields are skipped): its bytes, at most `max` and
/// not empty, and its file name. The route's whole use of the multipart body, kept apart so
/// the fuzz target (`fuzz/fuzz_targets/multipart_upload.rs`) runs exactly this.
pub async fn read_file_field(
    multipart: &mut Multipart,
    max: usize,
) -> Result<(Bytes, Option<String>), ApiError> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(max)
        } else {
            ApiError::bad_request(format!("malformed multipart body: {}", e.body_text()))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(|n| n.chars().take(255).collect::<String>());
        let data = field.bytes().await.map_err(malformed)?;
        if data.len() > max {
            return Err(too_large(max));
        }
        if data.is_empty() {
            return Err(ApiError::validation("the file is empty"));
        }
        return Ok((data, name));
    }
    Err(ApiError::validation(
        "send the image in a multipart field named `file`",
    ))
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
    let (data, original_name) = read_file_field(&mut multipart, max).await?;
    let format = sniff(&data).ok_or_else(unsupported)?;
    let max_pixels = state.settings.max_upload_pixels;
    let checked = routix_engine::cpu::run(move || check_image(data, format, max_pixels))
        .await
        .map_err(|_| ApiError::internal())??;
    let (width, height) = (checked.image.width(), checked.image.height());
    let data = checked.bytes;

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

    #[test]
    fn a_jpeg_is_cut_short_anywhere_before_its_end_marker() {
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8, 9]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        let whole = out.into_inner();
        assert!(!jpeg_is_cut_short(&whole));
        // Data after the end marker (a camera's trailer, a polyglot's zip) is not a cut.
        assert!(!jpeg_is_cut_short(
            &[whole.as_slice(), b"PK\x03\x04\xFF\xDA"].concat()
        ));
        for len in 2..whole.len() - 1 {
            assert!(
                jpeg_is_cut_short(&whole[..len]),
                "cut at {len} of {}",
                whole.len()
            );
        }
        // A layout it cannot follow is the decoder's to judge.
        assert!(!jpeg_is_cut_short(b"\xFF\xD8\x00\x00\x00\x00"));
    }
}
