//! One generation, stage by stage: analyse the request, match a template, make the artwork
//! (a provider, or the offline compositor when none is configured or all fail), compose the
//! text over it, then encode and store. Each step is a plain method with typed values, so the
//! worker (which records and publishes every stage) and `routix generate` (which prints them)
//! drive the same code.

use std::{future::Future, sync::Arc, sync::RwLock};

use image::{DynamicImage, RgbaImage};
use routix_core::{
    algorithms::ImageProvider, analyzer::Correction, bank::Place, matching, subjects::Subject,
    Algorithm, Analysis, Rgb, Stage, TemplateMeta,
};
use routix_render::{Fit, OutputFormat, RenderRequest, Template, TemplateLibrary};
use routix_store::{
    blobs::{content_key, BlobStore},
    generations::Generation,
    Db,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Where the pipeline reports its stages. The worker records and publishes each one, and
/// answers whether to go on (the owner cancelled, or another worker took the lease over).
pub trait Stages {
    /// Enters `stage`, saving what the previous stage learned. Errs when the job must stop.
    fn enter(
        &mut self,
        stage: Stage,
        learned: StageOutcome,
    ) -> impl Future<Output = Result<(), JobError>> + Send;

    /// Errs if the job must stop since the last check.
    fn check(&self) -> Result<(), JobError>;
}

/// What a job reads and writes besides the engine: its rows, its blobs, and the bank index
/// whose best fit steers its look.
pub struct Stores<'a> {
    pub db: &'a Db,
    pub blobs: &'a BlobStore,
    pub bank: &'a RwLock<routix_core::bank::search::Index>,
}

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
    /// Legibility, the headline drawn, variants, the stored artwork.
    pub details: serde_json::Value,
    /// What the job costs in the end: less than reserved when a premium or pro image fell
    /// back to the compositor (settled at the basic price, the rest returned).
    pub charged: i64,
}

/// The fair price of a finished job: each provider image at the algorithm's price, the
/// compositor's images at one basic price together (both as they stood when the job was
/// requested); never more than was reserved.
pub fn fair_price(
    reserved: i64,
    price: i64,
    basic_price: i64,
    provider_images: i64,
    composed: bool,
) -> i64 {
    let provider = price * provider_images;
    let compositor = if composed { basic_price } else { 0 };
    (provider + compositor).min(reserved)
}

/// What goes under the text: the creator's photo (made to pop before it is placed) or a
/// provider's artwork (placed as made).
pub struct Picture {
    pub image: DynamicImage,
    pub photo: bool,
}

impl Picture {
    /// `artwork` when there is some, else the first reference photo that decodes.
    pub fn choose(
        artwork: Option<DynamicImage>,
        references: &[routix_providers::ReferenceImage],
    ) -> Option<Picture> {
        match artwork {
            Some(image) => Some(Picture {
                image,
                photo: false,
            }),
            None => references
                .first()
                .and_then(|r| image::load_from_memory(&r.bytes).ok())
                .map(|image| Picture { image, photo: true }),
        }
    }
}

/// A composed thumbnail and what the compositor measured on it.
pub struct Composed {
    pub image: RgbaImage,
    pub legibility: Option<routix_render::Legibility>,
    /// The headline as drawn (after any shortening).
    pub headline: Option<String>,
    /// The headline asked for, when it had to be shortened to be read.
    pub shortened_from: Option<String>,
    pub mirrored: bool,
    /// Where the brand's logo went.
    pub logo: Option<routix_render::brand::LogoPlacement>,
    /// Whether the brand's face was drawn as the subject.
    pub face: bool,
}

/// What a job asks for beyond its prompt, stored with it (`generations.options`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobOptions {
    /// How many thumbnails to make (1 to 4); 0 or absent means 1.
    #[serde(default)]
    pub variants: u8,
    /// A free re-edit of the parent generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<Edit>,
    /// The algorithm's provider chain when requested; absent: its default chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<ImageProvider>>,
    /// The algorithm's and basic's prices per image when requested; absent: the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_price: Option<i64>,
    /// Variants of an uploaded thumbnail instead of a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::source::Source>,
}

impl JobOptions {
    pub fn of(job: &Generation) -> JobOptions {
        job.options
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        usize::from(self.variants.clamp(1, MAX_VARIANTS))
    }

    /// The provider chain this job walks.
    pub fn chain(&self, algorithm: Algorithm) -> Vec<ImageProvider> {
        self.chain
            .clone()
            .unwrap_or_else(|| routix_core::algorithms::default_chain(algorithm))
    }
}

pub const MAX_VARIANTS: u8 = 8;

/// What a re-edit changes; everything else comes from the original.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Edit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Colours in order primary, secondary, accent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub palette: Option<Vec<Rgb>>,
    /// An emoji or a word naming the subject ("cat", «گربه», 🐱).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The subject a word or emoji names, if Routix has art for it.
pub fn resolve_subject(word: &str) -> Option<&'static Subject> {
    routix_core::subjects::lookup(word).or_else(|| {
        routix_core::subjects::find(word)
            .into_iter()
            .next()
            .map(|(s, _)| s)
    })
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
pub(crate) const WATERMARK: &str = "Made with Routix";

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
        performance: &std::collections::HashMap<String, f32>,
    ) -> Result<Template, String> {
        if let Some(id) = requested {
            return self
                .templates
                .get(id)
                .cloned()
                .ok_or_else(|| format!("template {id:?} no longer exists"));
        }
        self.ranked(analysis, has_reference, performance)
            .first()
            .and_then(|m| self.templates.get(&m.template_id.0))
            .or_else(|| self.templates.all().first())
            .cloned()
            .ok_or_else(|| "no templates are installed".to_string())
    }

    /// Every template, best match first, with how each has done with creators counted in
    /// (a template with no record yet is neither lifted nor lowered).
    fn ranked(
        &self,
        analysis: &Analysis,
        has_photo: bool,
        performance: &std::collections::HashMap<String, f32>,
    ) -> Vec<matching::TemplateMatch> {
        let metas: Vec<_> = self
            .templates
            .all()
            .iter()
            .map(|t| t.meta.clone())
            .collect();
        let mut ranked = matching::match_templates(
            analysis,
            &metas,
            &matching::MatchOptions {
                limit: metas.len(),
                has_reference_image: has_photo,
            },
        );
        matching::apply_performance(&mut ranked, |id| {
            Some(performance.get(id).copied().unwrap_or(0.0))
        });
        ranked
    }

    /// The layout closest to a bank reference's look among those scoring within 30 points
    /// of the best match (less than a category's worth: the reference steers within the
    /// kind of video, it does not change it): its energy near the reference's (3 points a
    /// step apart) and, when `side` is given, its headline on that side (30 points: the side
    /// wins inside the window).
    fn layout_like(
        &self,
        analysis: &Analysis,
        has_photo: bool,
        performance: &std::collections::HashMap<String, f32>,
        side: Option<Place>,
        energy: u8,
    ) -> Option<Template> {
        let ranked = self.ranked(analysis, has_photo, performance);
        let best = ranked.first()?.match_score;
        let fit = |m: &matching::TemplateMatch, t: &Template| {
            let apart = (routix_core::bank::template_energy(&t.meta) as f32 - energy as f32).abs();
            let sided = side.is_some_and(|s| headline_side(t) == Some(s));
            m.match_score - 3.0 * apart + if sided { 30.0 } else { 0.0 }
        };
        ranked
            .iter()
            .take_while(|m| m.match_score >= best - 30.0)
            .filter_map(|m| self.templates.get(&m.template_id.0).map(|t| (fit(m, t), t)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, t)| t.clone())
    }

    /// Stage 3: provider artwork for premium and pro, along their fallback chain; the
    /// compositor otherwise (and when every provider failed or none is configured).
    pub async fn artwork(
        &self,
        algorithm: Algorithm,
        chain: &[ImageProvider],
        analysis: &Analysis,
        template: &Template,
        style: Option<&DynamicImage>,
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
            .artwork(algorithm, chain, analysis, &template.meta, style)
            .await
        {
            Ok(made) => {
                // Every provider's size becomes the canvas: cover-fit with Lanczos3.
                let fitted = crate::cpu::run(move || {
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

    /// Stage 4: the template's text and overlays over the artwork (or reference photo), or
    /// over the subject(s) the compositor draws when there is neither. Right-to-left
    /// headlines get the mirrored design; a headline too long to read is shortened.
    // Each argument is one thing the result is made of; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub async fn compose(
        &self,
        template: Template,
        analysis: &Analysis,
        picture: Option<Picture>,
        subjects: &[&Subject],
        palette: Option<Vec<Rgb>>,
        watermark: bool,
        brand: &routix_render::brand::Brand,
    ) -> Result<Composed, String> {
        let enhance_photo = picture.as_ref().is_some_and(|p| p.photo);
        let image = picture.map(|p| p.image);
        let request = RenderRequest {
            enhance_photo,
            title: analysis.headline.clone(),
            mirror: template.mirrors_for(&analysis.headline),
            subjects: subjects.iter().map(|s| s.emoji.to_string()).collect(),
            image,
            palette: palette
                .or_else(|| (!analysis.colors.is_empty()).then(|| analysis.requested_colors())),
            watermark: watermark.then(|| WATERMARK.to_string()),
            ..RenderRequest::new(WIDTH, HEIGHT)
        };
        let request = brand.apply(request);
        let mirrored = request.mirror;
        let rendered = crate::cpu::run(move || routix_render::render(&template, &request))
            .await
            .map_err(|_| "the compositor crashed".to_string())?
            .map_err(|e| format!("could not compose the thumbnail: {e}"))?;
        let headline = rendered.layout.headline();
        Ok(Composed {
            legibility: rendered.layout.legibility(),
            headline: headline.map(|h| {
                h.lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            shortened_from: headline.and_then(|h| h.shortened_from.clone()),
            mirrored,
            logo: rendered.layout.logo.clone(),
            face: rendered.layout.face,
            image: rendered.image,
        })
    }

    /// Stage 5 (first half): the result in its format (≤ 2 MB) and a small WebP preview.
    pub async fn encode(
        &self,
        image: RgbaImage,
        format: OutputFormat,
    ) -> Result<(Vec<u8>, Vec<u8>), String> {
        crate::cpu::run(move || {
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

    /// The whole job for the worker, reporting each stage to `tracker`.
    pub async fn run(
        &self,
        job: &Generation,
        deps: &Stores<'_>,
        tracker: &mut impl Stages,
    ) -> Result<Finished, JobError> {
        let options = JobOptions::of(job);
        if let Some(source) = &options.source {
            return self.run_source(job, deps, tracker, &options, source).await;
        }
        tracker
            .enter(Stage::Analysing, StageOutcome::default())
            .await?;
        // A re-edit starts from what its original understood and made.
        let parent = match job.parent_id {
            Some(id) => Some(
                deps.db
                    .generation_any(id)
                    .await
                    .map_err(|_| JobError::Failed("the thumbnail being edited is gone".into()))?,
            ),
            None => None,
        };
        let references = reference_images(job, deps).await?;
        // The creator's brand kit; their face only when the request is about them.
        let brand = crate::brand::load(job.user_id, deps.db, deps.blobs).await;
        let brand = if routix_core::brand::about_creator(&job.prompt) {
            brand
        } else {
            brand.without_face()
        };
        let understood = parent
            .as_ref()
            .and_then(|p| p.analysis.clone())
            .and_then(|a| serde_json::from_value::<Analysis>(a).ok());
        let mut analysis = match understood {
            Some(a) => a,
            None => {
                let mut a = self.analyse(&job.prompt, job.algorithm, &references).await;
                if let Some(correction) = conversation_correction(job, deps).await {
                    correction.apply(&mut a);
                }
                a
            }
        };
        let edit = options.edit.clone().unwrap_or_default();
        if let Some(h) = edit.headline.as_deref() {
            analysis.headline = h.trim().to_string();
        }
        // A designer's look from the bank that fits the request steers its colours (when the
        // creator named none). Re-edits keep what the original had.
        let reference = match &parent {
            Some(_) => None,
            None => bank_reference(&job.prompt, deps).await,
        };
        let steered = reference
            .as_ref()
            .filter(|_| analysis.colors.is_empty())
            .and_then(|r| palette_from_dna(&r.style_dna));
        // Its feel too, when the creator named no mood and no model judged one: the vision
        // model's mood word, else a loud or calm one from its measured energy.
        if let Some(r) = &reference {
            let unnamed = analysis.source == routix_core::AnalysisSource::Rules
                && routix_core::analyzer::named_mood(&job.prompt).is_none();
            let felt = r.style_dna.mood.clone().or(match r.style_dna.energy {
                8.. => Some("energetic".to_string()),
                ..=3 => Some("calm".to_string()),
                _ => None,
            });
            if let (true, Some(mood)) = (unnamed, felt) {
                analysis.mood = mood;
            }
        }
        // Providers that take an image get the reference itself as a style guide.
        let style = match (&reference, job.algorithm) {
            (Some(r), Algorithm::Premium | Algorithm::Pro) => {
                match deps.blobs.get(&r.storage_key).await {
                    Ok(bytes) => image::load_from_memory(&bytes).ok(),
                    Err(e) => {
                        tracing::warn!(error = %e, item = %r.id, "bank reference image unreadable");
                        None
                    }
                }
            }
            _ => None,
        };
        // Without one, the creator's face when the request is about them.
        let face_reference = style.is_none() && job.algorithm != Algorithm::Basic;
        let style = style.or_else(|| brand.face_photo.clone().filter(|_| face_reference));
        let face_reference = face_reference && style.is_some();

        tracker
            .enter(
                Stage::MatchingTemplate,
                StageOutcome {
                    analysis: serde_json::to_value(&analysis).ok(),
                    ..Default::default()
                },
            )
            .await?;
        let has_photo = !references.is_empty() || job.algorithm != Algorithm::Basic;
        let performance = template_performance(deps).await;
        let template = self
            .pick_template(
                edit.template_id
                    .as_deref()
                    .or(job.requested_template.as_deref()),
                &analysis,
                has_photo,
                &performance,
            )
            .map_err(JobError::Failed)?;
        // A reference steers the layout within the near-best ones: its energy, and for
        // left-to-right requests the side its text sits on (Persian ones are mirrored anyway).
        let unasked = edit.template_id.is_none() && job.requested_template.is_none();
        let template = match &reference {
            Some(r) if unasked => {
                let side = Some(r.style_dna.composition.text)
                    .filter(|s| matches!(s, Place::Left | Place::Right))
                    .filter(|_| analysis.direction == routix_core::Direction::Ltr);
                self.layout_like(&analysis, has_photo, &performance, side, r.style_dna.energy)
                    .unwrap_or(template)
            }
            _ => template,
        };

        tracker
            .enter(
                Stage::CreatingArtwork,
                StageOutcome {
                    template_id: Some(template.meta.id.0.clone()),
                    ..Default::default()
                },
            )
            .await?;
        // The layer under the text: the original's stored artwork for a re-edit (no provider
        // call), else the provider's, kept in storage so re-edits are free.
        let (art, artwork_key) = match &parent {
            Some(p) => {
                let key = p
                    .details
                    .as_ref()
                    .and_then(|d| d.get("artwork_key"))
                    .and_then(|k| k.as_str())
                    .map(str::to_string);
                let image = match &key {
                    Some(k) => {
                        let bytes = deps.blobs.get(k).await.map_err(|_| {
                            JobError::Failed("the original artwork can't be read".into())
                        })?;
                        Some(image::load_from_memory(&bytes).map_err(|_| {
                            JobError::Failed("the original artwork can't be read".into())
                        })?)
                    }
                    None => None,
                };
                let art = Artwork {
                    engine: p.engine.clone().unwrap_or_else(|| "compositor".into()),
                    fell_back: p.fell_back,
                    fallback_reason: None,
                    image,
                };
                (art, key)
            }
            None => {
                let art = self
                    .artwork(
                        job.algorithm,
                        &options.chain(job.algorithm),
                        &analysis,
                        &template,
                        style.as_ref(),
                    )
                    .await;
                let key = match &art.image {
                    Some(img) => Some(store_artwork(img, deps).await?),
                    None => None,
                };
                (art, key)
            }
        };

        let provider_art = art.image.is_some();
        let image = Picture::choose(art.image, &references);
        let subjects = match edit.subject.as_deref().and_then(resolve_subject) {
            Some(s) => vec![s],
            None => subjects_for(&analysis),
        };
        let subjects = if image.is_none() {
            subjects
        } else {
            Vec::new()
        };
        let record = subject_record(subjects.first().copied(), provider_art, image.is_some());
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
        // The brand's colours when the request names none; they go before a bank look's.
        let brand_palette = brand
            .palette_for(&analysis)
            .filter(|_| edit.palette.is_none());
        let palette = edit.palette.clone().or(brand_palette.clone()).or(steered);
        let composed = self
            .compose(
                template.clone(),
                &analysis,
                image,
                &subjects,
                palette.clone(),
                job.watermark,
                &brand.render,
            )
            .await
            .map_err(JobError::Failed)?;
        // More variants: the next-best layouts, each with its own artwork from a provider
        // (each priced) or the same subject from the compositor (one price for all).
        let mut extra = Vec::new();
        let mut provider_images = i64::from(provider_art && parent.is_none());
        let mut composed_any = !provider_art;
        if options.count() > 1 && parent.is_none() {
            let others: Vec<Template> = self
                .suggest(&analysis, options.count() + 2, has_photo)
                .into_iter()
                .filter(|(meta, _)| meta.id != template.meta.id)
                .filter_map(|(meta, _)| self.templates.get(&meta.id.0).cloned())
                .take(options.count() - 1)
                .collect();
            for other in others {
                tracker.check()?;
                let art = if job.algorithm == Algorithm::Basic {
                    None
                } else {
                    self.artwork(
                        job.algorithm,
                        &options.chain(job.algorithm),
                        &analysis,
                        &other,
                        style.as_ref(),
                    )
                    .await
                    .image
                };
                if art.is_some() {
                    provider_images += 1;
                } else {
                    composed_any = true;
                }
                let image = Picture::choose(art, &references);
                let subjects = if image.is_none() {
                    subjects.clone()
                } else {
                    Vec::new()
                };
                let id = other.meta.id.0.clone();
                let made = self
                    .compose(
                        other,
                        &analysis,
                        image,
                        &subjects,
                        palette.clone(),
                        job.watermark,
                        &brand.render,
                    )
                    .await
                    .map_err(JobError::Failed)?;
                extra.push((id, made));
            }
        }

        tracker
            .enter(Stage::Storing, StageOutcome::default())
            .await?;
        let format = output_format(&job.format);
        let legibility = composed.legibility;
        let mut details = json!({
            "legibility": legibility,
            "headline": composed.headline,
            "shortened_from": composed.shortened_from,
            "mirrored": composed.mirrored,
            "artwork_key": artwork_key,
        });
        if let Some(r) = &reference {
            details["reference_bank_id"] = json!(r.id.to_string());
        }
        details["branding"] = json!({
            "logo": composed.logo.is_some(),
            "colors": brand_palette.is_some(),
            "face": composed.face || (face_reference && provider_art),
        });
        if let Some(logo) = &composed.logo {
            details["logo"] = json!(logo);
        }
        let charged = fair_price(
            job.cost,
            options.price.unwrap_or(job.algorithm.cost().0),
            options.basic_price.unwrap_or(Algorithm::Basic.cost().0),
            provider_images,
            composed_any,
        );
        if charged < job.cost {
            details["price"] = json!({
                "reserved": job.cost,
                "charged": charged,
                "returned": job.cost - charged,
                "reason": format!("{} fell back to the offline compositor", job.algorithm.as_str()),
            });
        }
        let (result_key, preview_key, size) = self.store(composed.image, format, deps).await?;
        if !extra.is_empty() {
            let mut variants = vec![json!({
                "index": 0,
                "key": result_key,
                "preview_key": preview_key,
                "template_id": template.meta.id.0,
                "legibility": legibility,
            })];
            for (index, (template_id, made)) in extra.into_iter().enumerate() {
                tracker.check()?;
                let legibility = made.legibility;
                let (key, preview, _) = self.store(made.image, format, deps).await?;
                variants.push(json!({
                    "index": index + 1,
                    "key": key,
                    "preview_key": preview,
                    "template_id": template_id,
                    "legibility": legibility,
                }));
            }
            details["variants"] = json!(variants);
        }
        if let Some(r) = &reference {
            match deps.db.bank_item_used(r.id, true).await {
                Ok(()) => {
                    if let Ok(updated) = deps.db.bank_item(r.id).await {
                        crate::bank::reindex(deps.bank, &updated);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, item = %r.id, "could not count a bank item's use")
                }
            }
        }
        Ok(Finished {
            result_key,
            preview_key,
            result_bytes: size,
            width: WIDTH as i32,
            height: HEIGHT as i32,
            details,
            charged,
        })
    }

    /// Encodes and stores one thumbnail and its preview; content-hash names, so storing
    /// again after a retry writes the same objects.
    pub(crate) async fn store(
        &self,
        image: RgbaImage,
        format: OutputFormat,
        deps: &Stores<'_>,
    ) -> Result<(String, String, i64), JobError> {
        let (bytes, preview) = self.encode(image, format).await.map_err(JobError::Failed)?;
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
        Ok((result_key, preview_key, size))
    }
}

/// Which side of the frame a layout's headline sits on: left or right of the middle fifth.
fn headline_side(t: &Template) -> Option<Place> {
    t.layers.iter().find_map(|l| match l {
        routix_render::Layer::Text {
            slot: routix_render::Slot::Headline,
            area,
            ..
        } => {
            let center = area[0] + area[2] / 2.0;
            Some(if center < 540.0 {
                Place::Left
            } else if center > 740.0 {
                Place::Right
            } else {
                Place::Center
            })
        }
        _ => None,
    })
}

/// The least search score at which a bank item counts as the request's reference.
const BANK_REFERENCE_MIN_SCORE: f32 = 0.15;

/// The bank item whose look fits `prompt` best, if one fits well enough (the layout
/// templates' own previews excepted: the matcher already weighs those).
async fn bank_reference(prompt: &str, deps: &Stores<'_>) -> Option<routix_store::bank::BankItem> {
    let hits = deps.bank.read().ok()?.search(prompt, None, 5);
    for hit in hits
        .into_iter()
        .filter(|h| h.score >= BANK_REFERENCE_MIN_SCORE)
    {
        let Ok(id) = hit.id.parse() else { continue };
        if let Ok(item) = deps.db.bank_item(id).await {
            if item.enabled && !item.tags.iter().any(|t| t == crate::bank::LAYOUT_TAG) {
                return Some(item);
            }
        }
    }
    None
}

/// A reference's measured palette as a template palette: its darkest colour the
/// background (secondary), the heaviest of the rest the main colour (primary), the most
/// vivid remaining one the accent. `None` for a one-colour picture.
pub fn palette_from_dna(dna: &routix_core::bank::StyleDna) -> Option<Vec<Rgb>> {
    let colours: Vec<Rgb> = dna
        .palette
        .iter()
        .filter_map(|s| s.hex.parse::<Rgb>().ok())
        .collect();
    if colours.len() < 2 {
        return None;
    }
    let darkest = colours
        .iter()
        .copied()
        .min_by(|a, b| a.luminance().total_cmp(&b.luminance()))?;
    let mut rest: Vec<Rgb> = colours.into_iter().filter(|c| *c != darkest).collect();
    let primary = rest.remove(0);
    let accent = rest
        .into_iter()
        .max_by(|a, b| a.hsl().1.total_cmp(&b.hsl().1))
        .unwrap_or(primary);
    Some(vec![primary, darkest, accent])
}

/// Each template's smoothed performance (completed and not rated down), for matching; empty
/// when the numbers cannot be read (matching then goes by fit alone).
async fn template_performance(deps: &Stores<'_>) -> std::collections::HashMap<String, f32> {
    match deps.db.template_performance().await {
        Ok(rows) => rows
            .into_iter()
            .map(|p| {
                let b =
                    routix_core::bank::search::boost(false, 0, p.uses, p.successes, p.rated_down);
                (p.template_id, b)
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "template performance unavailable");
            Default::default()
        }
    }
}

/// Keeps a provider's artwork (the layer under the text) for free re-edits.
async fn store_artwork(image: &DynamicImage, deps: &Stores<'_>) -> Result<String, JobError> {
    let rgba = image.to_rgba8();
    let bytes = crate::cpu::run(move || routix_render::encode(&rgba, OutputFormat::Jpeg, 92))
        .await
        .map_err(|_| JobError::Failed("the encoder crashed".into()))?
        .map_err(|e| JobError::Failed(format!("could not encode the artwork: {e}")))?;
    let key = content_key("artwork", &bytes, "jpg");
    deps.blobs
        .put(&key, bytes.into())
        .await
        .map_err(|e| JobError::Failed(format!("could not store the artwork: {e}")))?;
    Ok(key)
}

/// `{kind, emoji, label}`: what the thumbnail shows.
fn subject_record(subject: Option<&Subject>, provider_art: bool, photo: bool) -> serde_json::Value {
    match (subject, provider_art, photo) {
        (Some(s), _, _) => json!({"kind": "sticker", "emoji": s.emoji, "label": s.name}),
        (None, true, _) => json!({"kind": "provider", "emoji": null, "label": null}),
        (None, false, true) => json!({"kind": "reference", "emoji": null, "label": null}),
        (None, false, false) => json!({"kind": "none", "emoji": null, "label": null}),
    }
}

async fn reference_images(
    job: &Generation,
    deps: &Stores<'_>,
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
async fn conversation_correction(job: &Generation, deps: &Stores<'_>) -> Option<Correction> {
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

/// The subjects to draw: one, or two for a versus request that names two things (a
/// before/after shows the same subject twice).
pub fn subjects_for(analysis: &Analysis) -> Vec<&'static Subject> {
    let first = subject_for(analysis);
    let style = analysis.style.to_lowercase();
    if style.contains("before-after") {
        return vec![first, first];
    }
    if style.contains("versus") {
        // The other side: the next thing named, else the same kind of thing ("Peugeot vs
        // Pride" is car against car); never the VS sign itself.
        let second = analysis
            .subjects
            .iter()
            .filter_map(|s| resolve_subject(s))
            .find(|s| s.emoji != first.emoji && !s.emoji.starts_with('🆚'))
            .unwrap_or(first);
        return vec![first, second];
    }
    vec![first]
}

/// What to draw when there is no photo or artwork: the subject the request names, an emoji
/// in it, else one that stands for its category.
pub fn subject_for(analysis: &Analysis) -> &'static Subject {
    let named: Vec<String> = analysis
        .subjects
        .iter()
        .filter(|s| resolve_subject(s).is_none_or(|found| !found.emoji.starts_with('🆚')))
        .cloned()
        .collect();
    routix_core::subjects::pick(&named, &analysis.keywords.join(" "), analysis.category)
}
