//! Variants of a thumbnail the creator uploaded (`source_file_id`): each changes one thing.
//! With an image model that edits (gpt-image, Gemini) and a premium or pro request, the
//! creator's words drive real edits, one image each at the algorithm's price; otherwise (and
//! for any edit that fails) the compositor changes one dimension at a time — background
//! colour, contrast, a tighter crop, a callout, a new headline — for one basic price.

use image::{DynamicImage, RgbaImage};
use routix_core::{Algorithm, Direction, Rgb, Stage};
use routix_render::variants::{self, Change};
use routix_store::{generations::Generation, FileId};
use serde_json::json;

use crate::pipeline::{
    fair_price, Engine, Finished, JobError, JobOptions, StageOutcome, Stages, Stores, HEIGHT,
    WATERMARK, WIDTH,
};

/// What a source job asks for beyond its prompt, kept in `JobOptions`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Source {
    pub file_id: FileId,
    /// New text for the headline variant, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

/// What one variant is and how it was made.
struct Made {
    image: RgbaImage,
    changed: Vec<&'static str>,
    note: String,
    edited_by: Option<String>,
}

/// A different ask for each model edit after the first, so the variants differ the way
/// creators test them.
const EDIT_ANGLES: [&str; 7] = [
    "Try a different, bolder background colour.",
    "Raise the contrast and saturation so it pops at small sizes.",
    "Frame the main subject tighter and larger.",
    "Make the main subject's expression more dramatic.",
    "Add one bold graphic callout (an arrow or a circle) pointing at the main subject.",
    "Use a contrasting colour grade: cool if it is warm, warm if it is cool.",
    "Simplify the background so the subject stands out.",
];

impl Engine {
    /// The whole job for a source thumbnail.
    pub(crate) async fn run_source(
        &self,
        job: &Generation,
        deps: &Stores<'_>,
        tracker: &mut impl Stages,
        options: &JobOptions,
        source: &Source,
    ) -> Result<Finished, JobError> {
        tracker
            .enter(Stage::Analysing, StageOutcome::default())
            .await?;
        let picture = load_source(job, deps, source.file_id).await?;
        let analysis = self.analyse(&job.prompt, job.algorithm, &[]).await;
        tracker
            .enter(
                Stage::MatchingTemplate,
                StageOutcome {
                    analysis: serde_json::to_value(&analysis).ok(),
                    ..Default::default()
                },
            )
            .await?;
        tracker
            .enter(Stage::CreatingArtwork, StageOutcome::default())
            .await?;
        let count = options.count();
        let plan = variants::plan(count, source.headline.as_deref());
        let badge = match analysis.direction {
            Direction::Rtl => "جدید",
            Direction::Ltr => "NEW",
        };

        // Model edits first (each one priced), the compositor for the rest.
        let mut made: Vec<Option<Made>> = (0..plan.len()).map(|_| None).collect();
        let mut fallback_reason = None;
        let mut engine = "compositor".to_string();
        if job.algorithm != Algorithm::Basic {
            let chain = options.chain(job.algorithm);
            let original = DynamicImage::ImageRgba8(picture.clone());
            for (i, slot) in made.iter_mut().enumerate() {
                // A given headline is set by the compositor, exactly as written.
                if matches!(plan[i], Change::Headline { .. }) {
                    continue;
                }
                tracker.check()?;
                let instruction = match i {
                    0 => job.prompt.clone(),
                    _ => format!(
                        "{} {}",
                        job.prompt,
                        EDIT_ANGLES[(i - 1) % EDIT_ANGLES.len()]
                    ),
                };
                match self.providers.edit(&chain, &original, &instruction).await {
                    Ok(edited) => {
                        let fitted = crate::cpu::run(move || {
                            routix_render::fit_image(
                                &edited.image,
                                (WIDTH, HEIGHT),
                                routix_render::Fit::Cover,
                                Rgb::new(0, 0, 0),
                            )
                        })
                        .await
                        .map_err(|_| {
                            JobError::Failed("the edited image can't be resized".into())
                        })?;
                        engine = edited.engine.clone();
                        *slot = Some(Made {
                            image: fitted,
                            changed: vec!["edit"],
                            note: format!("edited by the image model: {instruction}"),
                            edited_by: Some(edited.engine),
                        });
                    }
                    Err(reason) => {
                        // The rest would fail the same way: the compositor makes them all.
                        fallback_reason = Some(reason);
                        break;
                    }
                }
            }
        }
        let provider_images = made.iter().flatten().count() as i64;
        tracker
            .enter(
                Stage::Composing,
                StageOutcome {
                    engine: Some(if provider_images > 0 {
                        engine
                    } else {
                        "compositor".into()
                    }),
                    fell_back: Some(fallback_reason.is_some()),
                    fallback_reason: fallback_reason.clone(),
                    ..Default::default()
                },
            )
            .await?;
        let mut composed_any = false;
        let mut finished = Vec::with_capacity(plan.len());
        for (change, slot) in plan.into_iter().zip(made) {
            tracker.check()?;
            let one = match slot {
                Some(m) => m,
                None => {
                    composed_any = true;
                    offline(&picture, change, badge).await?
                }
            };
            let image = if job.watermark {
                routix_render::watermark(&one.image, WATERMARK)
                    .map_err(|e| JobError::Failed(format!("could not mark the thumbnail: {e}")))?
            } else {
                one.image
            };
            finished.push(Made { image, ..one });
        }

        tracker
            .enter(Stage::Storing, StageOutcome::default())
            .await?;
        let format = crate::pipeline::output_format(&job.format);
        let mut list = Vec::with_capacity(finished.len());
        let mut first = None;
        for (index, one) in finished.into_iter().enumerate() {
            tracker.check()?;
            let (key, preview, size) = self.store(one.image, format, deps).await?;
            if first.is_none() {
                first = Some((key.clone(), preview.clone(), size));
            }
            list.push(json!({
                "index": index,
                "key": key,
                "preview_key": preview,
                "template_id": null,
                "legibility": null,
                "changed": one.changed,
                "note": one.note,
                "engine": one.edited_by.unwrap_or_else(|| "compositor".into()),
            }));
        }
        let Some((result_key, preview_key, result_bytes)) = first else {
            return Err(JobError::Failed("no variant was made".into()));
        };
        let charged = fair_price(
            job.cost,
            options.price.unwrap_or(job.algorithm.cost().0),
            options.basic_price.unwrap_or(Algorithm::Basic.cost().0),
            provider_images,
            composed_any,
        );
        let mut details = json!({
            "source_file_id": source.file_id,
            "headline": source.headline,
            "variants": list,
        });
        if charged < job.cost {
            details["price"] = json!({
                "reserved": job.cost,
                "charged": charged,
                "returned": job.cost - charged,
                "reason": format!("{} fell back to the offline compositor", job.algorithm.as_str()),
            });
        }
        Ok(Finished {
            result_key,
            preview_key,
            result_bytes,
            width: WIDTH as i32,
            height: HEIGHT as i32,
            details,
            charged,
        })
    }
}

/// The uploaded thumbnail, fitted to 1280x720 (cover: a 16:9 upload is only resized).
async fn load_source(
    job: &Generation,
    deps: &Stores<'_>,
    id: FileId,
) -> Result<RgbaImage, JobError> {
    let gone = || JobError::Failed("the source thumbnail is gone".into());
    let file = deps.db.file(job.user_id, id).await.map_err(|_| gone())?;
    let bytes = deps
        .blobs
        .get(&file.storage_key)
        .await
        .map_err(|_| gone())?;
    crate::cpu::run(move || {
        let img = image::load_from_memory(&bytes).ok()?;
        Some(routix_render::fit_image(
            &img,
            (WIDTH, HEIGHT),
            routix_render::Fit::Cover,
            Rgb::new(0, 0, 0),
        ))
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| JobError::Failed("the source thumbnail can't be read".into()))
}

async fn offline(
    picture: &RgbaImage,
    change: Change,
    badge: &'static str,
) -> Result<Made, JobError> {
    let picture = picture.clone();
    crate::cpu::run(move || {
        let image = variants::apply(&picture, &change, badge)?;
        Ok::<_, routix_render::RenderError>(Made {
            image,
            changed: vec![change.dimension()],
            note: change.describe(),
            edited_by: None,
        })
    })
    .await
    .map_err(|_| JobError::Failed("the compositor crashed".into()))?
    .map_err(|e| JobError::Failed(format!("could not make the variant: {e}")))
}
