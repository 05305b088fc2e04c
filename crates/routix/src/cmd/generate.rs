//! `routix generate "<prompt>"`: the whole pipeline from the shell, no server or database —
//! offline with the compositor (basic), or with providers when their keys are set.

use std::path::{Path, PathBuf};

use routix_core::{Algorithm, Stage};
use routix_server::{pipeline, Settings, Vars};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the thumbnail should show, e.g. "gaming video, red and black, text: NEW SEASON".
    prompt: String,
    /// basic (offline compositor), premium (Stability / self-hosted SD) or pro (OpenAI / Gemini).
    #[arg(long, default_value = "basic")]
    algorithm: Algorithm,
    /// A reference photo for the template's image slot (and vision analysis on pro).
    #[arg(long)]
    image: Option<PathBuf>,
    /// Use this template instead of the best match.
    #[arg(long)]
    template: Option<String>,
    /// jpeg, webp or png.
    #[arg(long, default_value = "jpeg")]
    format: String,
    /// Add the free-plan watermark.
    #[arg(long)]
    watermark: bool,
    /// A file, or a directory to write `routix-<time>.<ext>` into.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !["jpeg", "jpg", "webp", "png"].contains(&args.format.as_str()) {
        anyhow::bail!("--format must be jpeg, webp or png");
    }
    let settings = Settings::load(&Vars::from_process_env(), None)?;
    super::runtime()?.block_on(async move {
        let engine = routix_server::app::build_engine(&settings, None).await?;
        let references = match &args.image {
            Some(path) => vec![read_reference(path)?],
            None => Vec::new(),
        };
        step(Stage::Analysing);
        let analysis = engine
            .analyse(&args.prompt, args.algorithm, &references)
            .await;
        eprintln!(
            "   {} · headline “{}” · {:?} analysis",
            analysis.category.as_str(),
            analysis.headline,
            analysis.source
        );
        step(Stage::MatchingTemplate);
        let template = engine
            .pick_template(args.template.as_deref(), &analysis, !references.is_empty())
            .map_err(anyhow::Error::msg)?;
        eprintln!("   template {}", template.meta.id);
        step(Stage::CreatingArtwork);
        let art = engine.artwork(args.algorithm, &analysis, &template).await;
        match &art.fallback_reason {
            Some(reason) => eprintln!("   engine {} (fell back: {reason})", art.engine),
            None => eprintln!("   engine {}", art.engine),
        }
        step(Stage::Composing);
        let image = art.image.or_else(|| {
            references
                .first()
                .and_then(|r| image::load_from_memory(&r.bytes).ok())
        });
        let composed = engine
            .compose(template, &analysis, image, args.watermark)
            .await
            .map_err(anyhow::Error::msg)?;
        step(Stage::Storing);
        let format = pipeline::output_format(&args.format);
        let (bytes, _) = engine
            .encode(composed, format)
            .await
            .map_err(anyhow::Error::msg)?;
        let out = target(&args.out, pipeline::extension(format));
        std::fs::write(&out, &bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
        println!("{} ({} KiB)", out.display(), bytes.len() / 1024);
        Ok(())
    })
}

fn step(stage: Stage) {
    eprintln!("{}/5 {}", stage.number(), stage.label());
}

fn read_reference(path: &Path) -> anyhow::Result<routix_providers::ReferenceImage> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let format = image::guess_format(&bytes)
        .map_err(|_| anyhow::anyhow!("{} is not an image", path.display()))?;
    Ok(routix_providers::ReferenceImage {
        mime: format.to_mime_type().to_string(),
        bytes,
    })
}

fn target(out: &Path, ext: &str) -> PathBuf {
    if out.is_dir() {
        out.join(format!(
            "routix-{}.{ext}",
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        ))
    } else {
        out.to_path_buf()
    }
}
