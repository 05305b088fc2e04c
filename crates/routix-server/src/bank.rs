//! Importing designer thumbnails into the template bank, shared by `POST /api/v1/admin/bank`
//! and `routix bank import`. An upload is one image or a zip of them. Every image passes the
//! checks of `/files/upload` (magic bytes, size, a header-only megapixel check, a full
//! decode, EXIF orientation applied), then is measured (`routix_render::style_dna`) and given a 480x270 WebP preview.
//! Zips are read defensively: entry count, declared and actual sizes (a zip bomb's headers
//! lie, so reading stops at the declared size), path traversal, nested archives and
//! non-images are refused with the entry's name. An import is all or nothing: everything is
//! checked before anything is stored, and blobs written before a failure are removed.

use std::io::{Cursor, Read};

use bytes::Bytes;
use routix_core::bank::search::Index;
use routix_core::{Category, Rgb};
use routix_render::{Fit, OutputFormat};
use routix_store::{
    bank::{BankItem, NewBankItem},
    blobs::{content_key, BlobStore},
    Db, UserId,
};

pub use routix_engine::bank::{build_index, reindex, search_doc, LAYOUT_TAG};

use crate::{
    config::Settings,
    error::ApiError,
    routes::files::{check_image, mime_and_ext, sniff, unsupported, Checked},
};

/// At most this many entries in one zip (or images in one directory import).
pub const MAX_ENTRIES: usize = 200;
/// At most this many bytes of images in one import, as declared and as read.
pub const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;
/// The size of the stored preview, as for generations.
pub const PREVIEW: (u32, u32) = (480, 270);

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// How much one import may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One image's bytes (`MAX_UPLOAD_MB`).
    pub max_image_bytes: usize,
    /// One image's pixels (`MAX_UPLOAD_MEGAPIXELS`).
    pub max_pixels: u64,
    pub max_entries: usize,
    pub max_total_bytes: u64,
}

impl Limits {
    pub fn from_settings(settings: &Settings) -> Limits {
        Limits {
            max_image_bytes: settings.max_upload_bytes,
            max_pixels: settings.max_upload_pixels,
            max_entries: MAX_ENTRIES,
            max_total_bytes: MAX_TOTAL_BYTES,
        }
    }
}

/// One image file before it is checked: its name (for the title and error messages) and bytes.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub bytes: Bytes,
}

/// What the admin said about the whole import.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// One image takes it as is; several are numbered ("Title 1", "Title 2", ...). Without
    /// it, each image's title comes from its file name.
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub category: Option<Category>,
    pub created_by: Option<UserId>,
}

/// Whether `bytes` is a zip archive (local file header, or an empty archive's end record).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn refuse(entry: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!("zip entry {entry:?}: {why}; nothing was imported"))
}

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// Why an entry's path is unsafe, if it is: absolute, or climbing out with `..`.
fn unsafe_path(name: &str) -> Option<&'static str> {
    if name.contains('\0') {
        return Some("its name holds a NUL byte");
    }
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') || name.starts_with('\\') || drive {
        return Some("absolute paths are not allowed");
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Some("paths may not climb out of the archive with `..`");
    }
    None
}

/// Entries skipped without a word: macOS resource forks and dotfiles (`.DS_Store`).
fn ignored(name: &str) -> bool {
    name.starts_with("__MACOSX/")
        || name
            .split(['/', '\\'])
            .any(|part| part.starts_with('.') && part != "." && !part.is_empty())
}

/// The images inside a zip, every entry checked before any is decompressed past its
/// declared size. Directories, `__MACOSX/` and dotfiles are skipped silently.
pub fn unzip(bytes: &[u8], limits: &Limits) -> Result<Vec<Source>, ApiError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ApiError::validation(format!(
            "the zip cannot be read ({e}); nothing was imported"
        ))
    })?;
    if archive.len() > limits.max_entries {
        return Err(ApiError::validation(format!(
            "the zip has {} entries, more than the {} allowed; split it into smaller zips",
            archive.len(),
            limits.max_entries
        )));
    }
    // First the headers alone: names and declared sizes, nothing decompressed.
    let mut wanted = Vec::new();
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| {
            ApiError::validation(format!(
                "zip entry #{}: cannot be read ({e}); nothing was imported",
                i + 1
            ))
        })?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if let Some(why) = unsafe_path(&name) {
            return Err(refuse(&name, why));
        }
        if entry.enclosed_name().is_none() {
            return Err(refuse(&name, "its path leaves the archive"));
        }
        if entry.is_dir() || ignored(&name) {
            continue;
        }
        if name.to_ascii_lowercase().ends_with(".zip") {
            return Err(refuse(&name, "nested archives are not accepted"));
        }
        if entry.encrypted() {
            return Err(refuse(&name, "encrypted entries are not accepted"));
        }
        if entry.is_symlink() {
            return Err(refuse(&name, "symbolic links are not accepted"));
        }
        let declared = entry.size();
        if declared > limits.max_image_bytes as u64 {
            return Err(refuse(
                &name,
                format!(
                    "it is {} MB, more than the {} MB allowed for one image",
                    mb(declared),
                    mb(limits.max_image_bytes as u64)
                ),
            ));
        }
        declared_total = declared_total.saturating_add(declared);
        if declared_total > limits.max_total_bytes {
            return Err(ApiError::validation(format!(
                "the zip holds more than {} MB of files (at {name:?}); split it into smaller zips",
                mb(limits.max_total_bytes)
            )));
        }
        wanted.push((i, name, declared));
    }
    if wanted.is_empty() {
        return Err(ApiError::validation(
            "the zip holds no images (JPEG, PNG or WebP); nothing was imported",
        ));
    }
    let mut sources = Vec::with_capacity(wanted.len());
    for (i, name, declared) in wanted {
        let entry = archive
            .by_index(i)
            .map_err(|e| refuse(&name, format!("cannot be read ({e})")))?;
        // Never trust the declared size: read at most one byte past it.
        let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
        entry
            .take(declared + 1)
            .read_to_end(&mut data)
            .map_err(|e| refuse(&name, format!("cannot be decompressed ({e})")))?;
        if data.len() as u64 > declared {
            return Err(refuse(
                &name,
                "it expands beyond the size it declares (a zip bomb)",
            ));
        }
        if is_zip(&data) {
            return Err(refuse(&name, "nested archives are not accepted"));
        }
        if sniff(&data).is_none() {
            return Err(refuse(
                &name,
                "not a JPEG, PNG or WebP image (only images may be in the zip)",
            ));
        }
        sources.push(Source {
            name,
            bytes: Bytes::from(data),
        });
    }
    Ok(sources)
}

/// An upload's images: the zip's entries, or the one image itself.
pub fn unpack(source: Source, limits: &Limits) -> Result<Vec<Source>, ApiError> {
    if is_zip(&source.bytes) {
        unzip(&source.bytes, limits)
    } else {
        Ok(vec![source])
    }
}

/// A title from a file name: no folders, no extension, dashes and underscores as spaces.
pub fn title_from_name(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match file.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => file,
    };
    let words: Vec<&str> = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let title: String = words.join(" ").chars().take(MAX_TITLE_CHARS).collect();
    if title.is_empty() {
        "Untitled".to_string()
    } else {
        title
    }
}

pub fn validate_title(title: &str) -> Result<String, ApiError> {
    let title = title.trim();
    let n = title.chars().count();
    if n == 0 || n > MAX_TITLE_CHARS {
        return Err(ApiError::validation(format!(
            "title must be 1 to {MAX_TITLE_CHARS} characters"
        )));
    }
    if title.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "title must not contain control characters",
        ));
    }
    Ok(title.to_string())
}

/// Trims each tag and drops repeats; refuses empty, overlong or too many tags.
pub fn validate_tags(tags: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut clean: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim();
        let n = tag.chars().count();
        if n == 0 || n > MAX_TAG_CHARS || tag.chars().any(char::is_control) {
            return Err(ApiError::validation(format!(
                "each tag must be 1 to {MAX_TAG_CHARS} characters without control characters"
            )));
        }
        if !clean.iter().any(|t| t == tag) {
            clean.push(tag.to_string());
        }
    }
    if clean.len() > MAX_TAGS {
        return Err(ApiError::validation(format!(
            "at most {MAX_TAGS} tags, please"
        )));
    }
    Ok(clean)
}

/// Comma-separated tags (`gaming, boss fight`); empty pieces are ignored.
pub fn parse_tags(text: &str) -> Result<Vec<String>, ApiError> {
    validate_tags(
        text.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

pub fn parse_category(text: &str) -> Result<Category, ApiError> {
    text.parse().map_err(|_| {
        let ids: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        ApiError::validation(format!(
            "unknown category {text:?}; use one of {}",
            ids.join(", ")
        ))
    })
}

/// One checked image with everything the row needs.
struct Prepared {
    name: String,
    bytes: Bytes,
    mime: &'static str,
    ext: &'static str,
    width: u32,
    height: u32,
    dna: routix_core::bank::StyleDna,
    preview: Vec<u8>,
}

/// Checks, decodes, measures and previews one image (CPU-bound: run it off the runtime).
fn prepare(source: Source, limits: &Limits) -> Result<Prepared, ApiError> {
    if source.bytes.is_empty() {
        return Err(ApiError::validation("the file is empty"));
    }
    if source.bytes.len() > limits.max_image_bytes {
        return Err(ApiError::validation(format!(
            "it is {} MB, more than the {} MB allowed for one image",
            mb(source.bytes.len() as u64),
            mb(limits.max_image_bytes as u64)
        )));
    }
    let format = sniff(&source.bytes).ok_or_else(unsupported)?;
    let Checked { image, bytes } = check_image(source.bytes, format, limits.max_pixels)?;
    let dna = routix_render::style_dna(&image);
    let small = routix_render::fit_image(&image, PREVIEW, Fit::Cover, Rgb::new(0, 0, 0));
    let preview = routix_render::encode(&small, OutputFormat::Webp, 80).map_err(|e| {
        tracing::error!(error = %e, "bank preview cannot be encoded");
        ApiError::internal()
    })?;
    let (mime, ext) = mime_and_ext(format);
    Ok(Prepared {
        name: source.name,
        bytes,
        mime,
        ext,
        width: image.width(),
        height: image.height(),
        dna,
        preview,
    })
}

/// Checks every image, then stores them and their rows; all or nothing. `progress(done,
/// total, name)` is called before each image and once at the end.
pub async fn import(
    db: &Db,
    blobs: &BlobStore,
    sources: Vec<Source>,
    meta: Meta,
    limits: Limits,
    vision: Option<&routix_providers::Providers>,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<Vec<BankItem>, ApiError> {
    let total = sources.len();
    if total == 0 {
        return Err(ApiError::validation("no images to import"));
    }
    if total > limits.max_entries {
        return Err(ApiError::validation(format!(
            "{total} images in one import, more than the {} allowed; import them in parts",
            limits.max_entries
        )));
    }
    let bytes: u64 = sources.iter().map(|s| s.bytes.len() as u64).sum();
    if bytes > limits.max_total_bytes {
        return Err(ApiError::validation(format!(
            "{} MB of images in one import, more than the {} MB allowed; import them in parts",
            mb(bytes),
            mb(limits.max_total_bytes)
        )));
    }
    let mut prepared = Vec::with_capacity(total);
    for (i, source) in sources.into_iter().enumerate() {
        progress(i, total, &source.name);
        let name = source.name.clone();
        let done = tokio::task::spawn_blocking(move || prepare(source, &limits))
            .await
            .map_err(|_| ApiError::internal())?;
        prepared.push(done.map_err(|mut e| {
            e.message = format!("{name}: {}; nothing was imported", e.message);
            e
        })?);
    }
    if let Some(providers) = vision.filter(|p| p.can_describe()) {
        describe_all(providers, &mut prepared).await;
    }
    let title = |i: usize, name: &str| match &meta.title {
        Some(t) if total == 1 => t.clone(),
        Some(t) => format!("{t} {}", i + 1),
        None => title_from_name(name),
    };
    let mut written: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(total);
    let mut failure = None;
    for (i, p) in prepared.into_iter().enumerate() {
        let storage_key = content_key("bank", &p.bytes, p.ext);
        let preview_key = content_key("bank", &p.preview, "webp");
        let uploads = [
            (storage_key.clone(), p.bytes.clone()),
            (preview_key.clone(), Bytes::from(p.preview)),
        ];
        for (key, bytes) in uploads {
            // Remembered first: a failed put may still have left something behind.
            written.push(key.clone());
            if let Err(e) = blobs.put(&key, bytes).await {
                failure = Some(e);
                break;
            }
        }
        if failure.is_some() {
            break;
        }
        rows.push(NewBankItem {
            title: title(i, &p.name),
            tags: meta.tags.clone(),
            category: meta.category,
            storage_key,
            preview_key,
            mime: p.mime.to_string(),
            width: p.width,
            height: p.height,
            bytes: p.bytes.len() as i64,
            style_dna: p.dna,
            created_by: meta.created_by,
        });
    }
    let result = match failure {
        Some(e) => Err(e),
        None => db.insert_bank_items(rows).await,
    };
    match result {
        Ok(items) => {
            progress(total, total, "done");
            Ok(items)
        }
        Err(e) => {
            forget_blobs(db, blobs, written).await;
            Err(e.into())
        }
    }
}

/// How many images are described at once.
const DESCRIBE_AT_ONCE: usize = 4;

/// Adds a vision model's description, mood and face to each image's style DNA (from its
/// preview: a 480x270 WebP is plenty to see and cheap to send). An image the model cannot
/// describe is imported without; the reason is logged.
async fn describe_all(providers: &routix_providers::Providers, prepared: &mut [Prepared]) {
    for batch in prepared.chunks_mut(DESCRIBE_AT_ONCE) {
        let images: Vec<routix_providers::ReferenceImage> = batch
            .iter()
            .map(|p| routix_providers::ReferenceImage {
                bytes: p.preview.clone(),
                mime: "image/webp".into(),
            })
            .collect();
        let mut asks = Vec::with_capacity(images.len());
        for image in &images {
            asks.push(providers.describe(image));
        }
        let notes = futures::future::join_all(asks).await;
        for (p, note) in batch.iter_mut().zip(notes) {
            match note {
                Some(Ok(n)) => {
                    p.dna.description = Some(n.description);
                    p.dna.mood = Some(n.mood);
                    p.dna.has_face = Some(n.has_face);
                }
                Some(Err(why)) => {
                    tracing::warn!(image = %p.name, reason = %why, "bank image not described")
                }
                None => {}
            }
        }
    }
}

/// Deletes blobs no bank item uses (content-hash keys: an identical image imported earlier
/// shares its key and keeps it).
pub async fn forget_blobs(db: &Db, blobs: &BlobStore, mut keys: Vec<String>) {
    keys.sort();
    keys.dedup();
    for key in keys {
        match db.bank_key_in_use(&key).await {
            Ok(false) => {
                if let Err(e) = blobs.delete(&key).await {
                    tracing::warn!(key, error = %e, "bank blob left behind");
                }
            }
            Ok(true) => {}
            Err(e) => tracing::warn!(key, error = %e, "bank blob left behind"),
        }
    }
}

/// The flag that says this installation's bank was seeded.
const SEEDED: &str = "bank_seeded_with_templates";

/// On a fresh installation, fills the bank with the layout templates' own previews — their
/// names as titles, their styles and category as tags — so search has something to find
/// before an admin uploads anything. Once per installation (an admin who deletes them does
/// not get them back); if it fails, the next start tries again. Answers how many it added.
pub async fn seed_from_templates(
    db: &Db,
    blobs: &BlobStore,
    templates: &routix_render::TemplateLibrary,
    index: &std::sync::RwLock<Index>,
    limits: Limits,
) -> Result<usize, ApiError> {
    if !db.claim_flag(SEEDED).await? {
        return Ok(0);
    }
    let mut added = 0;
    for template in templates.all() {
        let t = template.clone();
        let subject = routix_core::subjects::for_category(t.meta.category).emoji;
        let rendered = tokio::task::spawn_blocking(move || {
            let request = routix_render::RenderRequest {
                subjects: vec![subject.to_string()],
                ..routix_render::RenderRequest::titled("NEW SEASON")
            };
            routix_render::render(&t, &request)
                .and_then(|r| routix_render::encode(&r.image, OutputFormat::Jpeg, 90))
        })
        .await
        .map_err(|_| ApiError::internal());
        let bytes = match rendered {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(e)) => {
                tracing::warn!(template = %template.meta.id, error = %e, "bank seed: preview failed");
                continue;
            }
            Err(e) => {
                let _ = db.release_flag(SEEDED).await;
                return Err(e);
            }
        };
        let mut tags = template.meta.styles.clone();
        tags.push(template.meta.category.as_str().to_string());
        tags.push(LAYOUT_TAG.to_string());
        let meta = Meta {
            title: Some(template.meta.name.clone()),
            tags: validate_tags(tags).unwrap_or_default(),
            category: Some(template.meta.category),
            created_by: None,
        };
        let source = Source {
            name: format!("{}.jpg", template.meta.id),
            bytes: bytes.into(),
        };
        match import(db, blobs, vec![source], meta, limits, None, |_, _, _| {}).await {
            Ok(items) => {
                for item in &items {
                    reindex(index, item);
                }
                added += items.len();
            }
            Err(e) => {
                let _ = db.release_flag(SEEDED).await;
                return Err(e);
            }
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(
            title_from_name("boss-fight_dark castle.png"),
            "boss fight dark castle"
        );
        assert_eq!(title_from_name("set/Neon__Glow.v2.webp"), "Neon Glow.v2");
        assert_eq!(title_from_name("___.jpg"), "Untitled");
    }

    #[test]
    fn unsafe_entry_paths_are_named() {
        assert!(unsafe_path("../evil.png").is_some());
        assert!(unsafe_path("a/../../evil.png").is_some());
        assert!(unsafe_path("a\\..\\evil.png").is_some());
        assert!(unsafe_path("/etc/passwd").is_some());
        assert!(unsafe_path("C:\\evil.png").is_some());
        assert!(unsafe_path("set/ok..png").is_none());
        assert!(unsafe_path("set/ok.png").is_none());
    }

    #[test]
    fn mac_and_dot_files_are_skipped() {
        assert!(ignored("__MACOSX/._a.png"));
        assert!(ignored(".DS_Store"));
        assert!(ignored("set/.hidden.png"));
        assert!(!ignored("set/a.png"));
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        assert_eq!(
            parse_tags(" gaming, boss ,,gaming").unwrap(),
            ["gaming", "boss"]
        );
        assert!(parse_tags(&"x".repeat(41)).is_err());
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(parse_tags(&many.join(",")).is_err());
    }
}
