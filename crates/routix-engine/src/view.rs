//! The public shape of a generation: what `GET /api/v1/generations/{id}` answers and what
//! the worker publishes on every stage (`{"type": "generation", "generation": …}`), built
//! from the stored row alone so the engine and the HTTP door send the same thing.

use chrono::{DateTime, Utc};
use routix_core::{Algorithm, GenerationStatus, Stage};
use routix_store::{
    generations::{Generation, StageRecord},
    youtube::Publication,
    ConversationId, FileId, GenerationId,
};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Downloads {
    pub jpeg: String,
    pub webp: String,
    pub png: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageView {
    pub stage: u8,
    pub label: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One time a generation was set as a YouTube video's thumbnail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationView {
    pub video_id: String,
    pub variant: u32,
    /// When it was set as the video's thumbnail.
    pub at: DateTime<Utc>,
    /// The video's page.
    pub url: String,
}

impl From<Publication> for PublicationView {
    fn from(p: Publication) -> Self {
        PublicationView {
            url: format!("https://www.youtube.com/watch?v={}", p.video_id),
            video_id: p.video_id,
            variant: u32::try_from(p.variant).unwrap_or(0),
            at: p.published_at,
        }
    }
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationView {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: GenerationId,
    /// queued, processing, completed, failed or cancelled.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: GenerationStatus,
    /// 0 before start, then 1 analysing, 2 matching template, 3 creating artwork,
    /// 4 composing, 5 optimising and storing.
    pub stage: u8,
    pub stage_label: Option<String>,
    /// 0 to 100.
    pub progress: u8,
    pub stages: Vec<StageView>,
    pub prompt: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub algorithm: Algorithm,
    pub format: String,
    pub cost: i64,
    pub watermark: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub conversation_id: Option<ConversationId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<uuid::Uuid>))]
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
    /// Whether the headline reads at YouTube's sizes: `{contrast, min_text_px_at_320, ok}`.
    pub legibility: Option<serde_json::Value>,
    /// The headline as drawn.
    pub headline: Option<String>,
    /// The headline asked for, when it was shortened so it could be read.
    pub headline_shortened_from: Option<String>,
    /// Every image of a multi-variant request, the first being `result_url`.
    pub variants: Vec<VariantView>,
    /// The generation this one re-edits.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub parent_id: Option<GenerationId>,
    /// The owner's verdict: 1 (up), -1 (down), null (none).
    pub rating: Option<i16>,
    /// Whether the owner keeps it among their favourites.
    pub favorite: bool,
    /// The bank item whose look steered this thumbnail, if one fitted the request.
    pub reference_bank_id: Option<String>,
    /// When less than reserved was charged (a premium or pro image that fell back to the
    /// compositor costs the basic price): `{reserved, charged, returned, reason}`.
    pub price: Option<serde_json::Value>,
    /// What the creator's brand kit gave it: `{logo, colors, face}`, each true or false.
    pub branding: Option<serde_json::Value>,
    /// Where the logo went: `{requested, corner, rect, moved_because}`; `moved_because`
    /// says why it is not in the corner asked for (the duration badge, the headline).
    pub logo: Option<serde_json::Value>,
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
    /// Where it was set as a YouTube video's thumbnail, oldest first (on `GET
    /// /generations/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Vec<PublicationView>>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantView {
    pub index: u32,
    pub url: String,
    pub preview_url: String,
    pub template_id: Option<String>,
    pub legibility: Option<serde_json::Value>,
    /// For variants of an uploaded thumbnail: what this one changed (`background`,
    /// `contrast`, `zoom`, `callout`, `headline`, or `edit` by an image model).
    pub changed: Vec<String>,
    /// What changed, in a few words (as the Test & Compare note says it).
    pub note: Option<String>,
}

/// Public URL of a stored object (content-hash names, served by the server's `media`).
pub fn media_url(key: &str) -> String {
    format!("/uploads/{key}")
}

impl From<Generation> for GenerationView {
    fn from(g: Generation) -> Self {
        let completed = g.status == GenerationStatus::Completed;
        let download = |f: &str| format!("/api/v1/generations/{}/download?format={f}", g.id);
        let details = g.details.clone().unwrap_or_default();
        let text = |k: &str| details.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let variants = details
            .get("variants")
            .and_then(|v| v.as_array())
            .filter(|_| completed)
            .map(|list| {
                list.iter()
                    .filter_map(|v| {
                        Some(VariantView {
                            index: v.get("index")?.as_u64()? as u32,
                            url: media_url(v.get("key")?.as_str()?),
                            preview_url: media_url(v.get("preview_key")?.as_str()?),
                            template_id: v
                                .get("template_id")
                                .and_then(|t| t.as_str())
                                .map(str::to_string),
                            legibility: v.get("legibility").filter(|l| !l.is_null()).cloned(),
                            changed: v
                                .get("changed")
                                .and_then(|c| c.as_array())
                                .map(|c| {
                                    c.iter()
                                        .filter_map(|x| x.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            note: v.get("note").and_then(|n| n.as_str()).map(str::to_string),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        GenerationView {
            legibility: details.get("legibility").filter(|l| !l.is_null()).cloned(),
            headline: text("headline"),
            headline_shortened_from: text("shortened_from"),
            variants,
            parent_id: g.parent_id,
            rating: g.rating,
            favorite: g.favorited_at.is_some(),
            reference_bank_id: text("reference_bank_id"),
            price: details.get("price").filter(|p| p.is_object()).cloned(),
            branding: details.get("branding").filter(|b| b.is_object()).cloned(),
            logo: details.get("logo").filter(|l| l.is_object()).cloned(),
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
            published: None,
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
