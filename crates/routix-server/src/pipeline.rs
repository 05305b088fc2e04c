//! One generation, stage by stage: analyse the request, match a template, make the artwork
//! (a provider, or the offline compositor when none is configured or all fail), compose the
//! text over it, then encode and store. Each step is a plain method with typed values, so the
//! worker (which records and publishes every stage) and `routix generate` (which prints them)
//! drive the same code.

use std::sync::Arc;

use image::{DynamicImage, RgbaImage};
use routix_core::{
    analyzer::Correction, matching, subjects::Subject, Algorithm, Analysis, Rgb, Stage,
    TemplateMeta,
};
use routix_render::{Fit, OutputFormat, RenderRequest, Template, TemplateLibrary};
use routix_store::{blobs::content_key, generations::Generation};
use serde_json::json;

use crate::worker::{Tracker, WorkerDeps};

/// Why a job stopped without a result.
#[derive(Debug)]
pub enum JobError {
    Cancelled,
    LeaseLost,
    /// A message for the job's owner (never a secret or internal detail).
    Failed(String),
}

/// What a stage learned, saved with the next stage's progress.
#[derive(Debug, Default)]
pub struct StageOutcome {
    pub analysis: Option<serde_json::Value>,
    pub template_id: Option<String>,
    pub engine: Option<String>,
    pub fell_back: Option<bool>,
    pub fallback_reason: Option<String>,
    pub subject: Option<serde_json::Value>,
}

pub struct Finished {
    pub result_key: String,
    pub preview_key: String,
    pub result_bytes: i64,
    pub width: i32,
    pub height: i32,
}

/// The artwork step's result: who made it, and whether that was the plan.
pub struct Artwork {
    /// `compositor`, or `provider:model` such as `openai:dall-e-3`.
    pub engine: String,
    pub fell_back: bool,
    pub fallback_reason: Option<String>,
    /// Provider artwork fitted to the canvas; `None` when the compositor draws it all.
    pub image: Option<DynamicImage>,
}

pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;
const PREVIEW: (u32, u32) = (480, 270);
const WATERMARK: &str = "Made with Routix";

/// Everything a generation needs besides storage: templates, the analyzer, image providers.
pub struct Engine {
    pub templates: Arc<TemplateLibrary>,
    pub providers: routix_providers::Providers,
}

pub fn output_format(name: &str) -> OutputFormat {
    match name {
        "png" => OutputFormat::Png,
        "webp" => OutputFormat::Webp,
        _ => OutputFormat::Jpeg,
    }
}

pub fn extension(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Png => "png",
        OutputFormat::Webp => "webp",
        OutputFormat::Jpeg => "jpg",
    }
}

impl Engine {
    pub fn health(&self) -> serde_json::Value {
        self.providers.health()
    }

    /// Stage 1. Never fails: without an LLM (or when it fails) the rules answer.
    pub async fn analyse(
        &self,
        prompt: &str,
        algorithm: Algorithm,
        references: &[routix_providers::ReferenceImage],
    ) -> Analysis {
        self.providers
            .analyze(prompt, algorithm, references)
            .await
            .analysis
    }

    /// The best `limit` templates for `analysis`, with their metadata, best first.
    pub fn suggest(
        &self,
        analysis: &Analysis,
        limit: usize,
        has_image: bool,
    ) -> Vec<(TemplateMeta, matching::TemplateMatch)> {
        let metas: Vec<TemplateMeta> = self
            .templates
            .all()
            .iter()
            .map(|t| t.meta.clone())
            .collect();
        matching::match_templates(
            analysis,
            &metas,
            &matching::MatchOptions {
                limit,
                has_reference_image: has_image,
            },
        )
        .into_iter()
        .filter_map(|m| {
            metas
                .iter()
                .find(|t| t.id == m.template_id)
                .map(|t| (t.clone(), m))
        })
        .collect()
    }

    /// Stage 2: the requested template, else the best match.
    pub fn pick_template(
        &self,
        requested: Option<&str>,
        analysis: &Analysis,
        has_reference: bool,
    ) -> Result<Template, String> {
        if let Some(id) = requested {
            return self
                .templates
                .get(id)
                .cloned()
                .ok_or_else(|| format!("template {id:?} no longer exists"));
        }
        let metas: Vec<_> = self
            .templates
            .all()
            .iter()
            .map(|t| t.meta.clone())
            .collect();
        let best = matching::match_templates(
            analysis,
            &metas,
            &matching::MatchOptions {
                limit: 1,
                has_reference_image: has_reference,
            },
        );
        best.first()
            .and_then(|m| self.templates.get(&m.template_id.0))
            .or_else(|| self.templates.all().first())
            .cloned()
            .ok_or_else(|| "no templates are installed".to_string())
    }

    /// Stage 3: provider artwork for premium and pro, along their fallback chain; the
    /// compositor otherwise (and when every provider failed or none is configured).
    pub async fn artwork(
        &self,
        algorithm: Algorithm,
        analysis: &Analysis,
        template: &Template,
    ) -> Artwork {
        if algorithm == Algorithm::Basic {
            return Artwork {
                engine: "compositor".into(),
                fell_back: false,
                fallback_reason: None,
                image: None,
            };
        }
        match self
            .providers
            .artwork(algorithm, analysis, &template.meta)
            .await
        {
            Ok(made) => {
                // Every provider's size becomes the canvas: cover-fit with Lanczos3.
                let fitted = tokio::task::spawn_blocking(move || {
                    routix_render::fit_image(
                        &made.image,
                        (WIDTH, HEIGHT),
                        Fit::Cover,
                        Rgb::new(0, 0, 0),
                    )
                })
                .await;
                match fitted {
                    Ok(img) => Artwork {
                        engine: made.engine,
                        fell_back: made.fell_back,
                        fallback_reason: made.fallback_reason,
                        image: Some(DynamicImage::ImageRgba8(img)),
                    },
                    Err(_) => Artwork {
                        engine: "compositor".into(),
                        fell_back: true,
                        fallback_reason: Some("the provider's image could not be resized".into()),
                        image: None,
                    },
                }
            }
            Err(reason) => Artwork {
                engine: "compositor".into(),
                fell_back: true,
                fallback_reason: Some(reason),
                image: None,
            },
        }
    }

    /// Stage 4: the template's text and overlays over the artwork (or reference photo).
    pub async fn compose(
        &self,
        template: Template,
        analysis: &Analysis,
        image: Option<DynamicImage>,
        subject: Option<&Subject>,
        watermark: bool,
    ) -> Result<RgbaImage, String> {
        let subject = subject.map(|s| s.emoji.to_string());
        let request = RenderRequest {
            title: analysis.headline.clone(),
            subject,
            image,
            palette: (!analysis.colors.is_empty()).then(|| analysis.requested_colors()),
            watermark: watermark.then(|| WATERMARK.to_string()),
            ..RenderRequest::new(WIDTH, HEIGHT)
        };
        tokio::task::spawn_blocking(move || routix_render::render(&template, &request))
            .await
            .map_err(|_| "the compositor crashed".to_string())?
            .map(|r| r.image)
            .map_err(|e| format!("could not compose the thumbnail: {e}"))
    }

    /// Stage 5 (first half): the result in its format (≤ 2 MB) and a small WebP preview.
    pub async fn encode(
        &self,
        image: RgbaImage,
        format: OutputFormat,
    ) -> Result<(Vec<u8>, Vec<u8>), String> {
        tokio::task::spawn_blocking(move || {
            let full = routix_render::encode(&image, format, 85)?;
            let small = image::imageops::resize(
                &image,
                PREVIEW.0,
                PREVIEW.1,
                image::imageops::FilterType::Triangle,
            );
            let preview = routix_render::encode(&small, OutputFormat::Webp, 80)?;
            Ok::<_, routix_render::RenderError>((full, preview))
        })
        .await
        .map_err(|_| "the encoder crashed".to_string())?
        .map_err(|e| format!("could not encode the thumbnail: {e}"))
    }

    /// The whole job for the worker, recording each stage through `tracker`.
    pub async fn run(
        &self,
        job: &Generation,
        deps: &WorkerDeps,
        tracker: &mut Tracker<'_>,
    ) -> Result<Finished, JobError> {
        tracker
            .enter(Stage::Analysing, StageOutcome::default())
            .await?;
        let references = reference_images(job, deps).await?;
        let mut analysis = self.analyse(&job.prompt, job.algorithm, &references).await;
        if let Some(correction) = conversation_correction(job, deps).await {
            correction.apply(&mut analysis);
        }

        tracker
            .enter(
                Stage::MatchingTemplate,
                StageOutcome {
                    analysis: serde_json::to_value(&analysis).ok(),
                    ..Default::default()
                },
            )
            .await?;
        let template = self
            .pick_template(
                job.requested_template.as_deref(),
                &analysis,
                // Every thumbnail has something in its image slot: the reference photo,
                // the provider's artwork, or the subject the compositor draws.
                true,
            )
            .map_err(JobError::Failed)?;

        tracker
            .enter(
                Stage::CreatingArtwork,
                StageOutcome {
                    template_id: Some(template.meta.id.0.clone()),
                    ..Default::default()
                },
            )
            .await?;
        let art = self.artwork(job.algorithm, &analysis, &template).await;

        let provider_art = art.image.is_some();
        let image = art.image.or_else(|| {
            references
                .first()
                .and_then(|r| image::load_from_memory(&r.bytes).ok())
        });
        let subject = image.is_none().then(|| subject_for(&analysis));
        let record = match (subject, provider_art, image.is_some()) {
            (Some(s), _, _) => json!({"kind": "sticker", "emoji": s.emoji, "label": s.name}),
            (None, true, _) => json!({"kind": "provider", "emoji": null, "label": null}),
            (None, false, true) => json!({"kind": "reference", "emoji": null, "label": null}),
            (None, false, false) => json!({"kind": "none", "emoji": null, "label": null}),
        };
        tracker
            .enter(
                Stage::Composing,
                StageOutcome {
                    engine: Some(art.engine),
                    fell_back: Some(art.fell_back),
                    fallback_reason: art.fallback_reason,
                    subject: Some(record),
                    ..Default::default()
                },
            )
            .await?;
        let composed = self
            .compose(template, &analysis, image, subject, job.watermark)
            .await
            .map_err(JobError::Failed)?;

        tracker
            .enter(Stage::Storing, StageOutcome::default())
            .await?;
        let format = output_format(&job.format);
        let (bytes, preview) = self
            .encode(composed, format)
            .await
            .map_err(JobError::Failed)?;
        tracker.check()?;
        // Content-hash names: storing again after a retry writes the same objects.
        let result_key = content_key("generations", &bytes, extension(format));
        let preview_key = content_key("previews", &preview, "webp");
        let size = bytes.len() as i64;
        deps.blobs
            .put(&result_key, bytes.into())
            .await
            .map_err(|e| JobError::Failed(format!("could not store the thumbnail: {e}")))?;
        deps.blobs
            .put(&preview_key, preview.into())
            .await
            .map_err(|e| JobError::Failed(format!("could not store the preview: {e}")))?;
        Ok(Finished {
            result_key,
            preview_key,
            result_bytes: size,
            width: WIDTH as i32,
            height: HEIGHT as i32,
        })
    }
}

async fn reference_images(
    job: &Generation,
    deps: &WorkerDeps,
) -> Result<Vec<routix_providers::ReferenceImage>, JobError> {
    let mut out = Vec::new();
    for id in &job.reference_file_ids {
        let file = deps
            .db
            .file(job.user_id, *id)
            .await
            .map_err(|_| JobError::Failed("a reference image is gone".into()))?;
        let bytes = deps
            .blobs
            .get(&file.storage_key)
            .await
            .map_err(|_| JobError::Failed("a reference image can't be read".into()))?;
        out.push(routix_providers::ReferenceImage {
            bytes: bytes.to_vec(),
            mime: file.mime,
        });
    }
    Ok(out)
}

/// What the creator corrected in words earlier in the job's conversation ("it's about
/// cars, not gaming"), later corrections winning.
async fn conversation_correction(job: &Generation, deps: &WorkerDeps) -> Option<Correction> {
    let conversation = job.conversation_id?;
    let metadata = deps
        .db
        .assistant_metadata(conversation, job.created_at)
        .await
        .ok()?;
    metadata
        .into_iter()
        .filter(|m| m.get("kind").and_then(|k| k.as_str()) == Some("correction"))
        .filter_map(|m| serde_json::from_value::<Correction>(m.get("correction")?.clone()).ok())
        .reduce(Correction::merge)
}

/// What to draw when there is no photo or artwork: the subject the request names, an emoji
/// in it, else one that stands for its category.
pub fn subject_for(analysis: &Analysis) -> &'static Subject {
    routix_core::subjects::pick(
        &analysis.subjects,
        &analysis.keywords.join(" "),
        analysis.category,
    )
}
