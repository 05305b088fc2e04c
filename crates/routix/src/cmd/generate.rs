//! `routix generate "<prompt>"`: the whole pipeline from the shell, no server or database —
//! offline with the compositor (basic), or with providers when their keys are set.

use std::path::{Path, PathBuf};

use routix_core::{Algorithm, Stage};
use routix_engine::{pipeline, setup};
use routix_server::{Settings, Vars};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the thumbnail should show, e.g. "gaming video, red and black, text: NEW SEASON".
    #[arg(required_unless_present = "batch")]
    prompt: Option<String>,
    /// A file with one prompt per line: makes them all into --out (a directory).
    #[arg(long, conflicts_with = "prompt")]
    batch: Option<PathBuf>,
    /// basic (offline compositor), premium (Stability / self-hosted SD) or pro (OpenAI / Gemini).
    #[arg(long, default_value = "basic")]
    algorithm: Algorithm,
    /// A reference photo for the template's image slot (and vision analysis on pro).
    #[arg(long)]
    image: Option<PathBuf>,
    /// Use this template instead of the best match.
    #[arg(long)]
    template: Option<String>,
    /// jpeg, webp or png (default: from --out's extension, else jpeg).
    #[arg(long)]
    format: Option<String>,
    /// Add the free-plan watermark.
    #[arg(long)]
    watermark: bool,
    /// A file, or a directory to write `routix-<time>.<ext>` into.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let format = super::output_format(args.format.as_deref(), &args.out)?;
    let settings = Settings::load(&Vars::from_process_env(), None)?;
    super::runtime()?.block_on(async move {
        let engine = setup::build_engine(&settings.engine(), None).await?;
        let references = match &args.image {
            Some(path) => vec![read_reference(path)?],
            None => Vec::new(),
        };
        let Some(batch) = &args.batch else {
            let prompt = args.prompt.clone().unwrap_or_default();
            let (bytes, out) = make(&engine, &args, format, &prompt, &references, 0, true).await?;
            println!("{} ({} KiB)", out.display(), bytes / 1024);
            return Ok(());
        };
        let text = std::fs::read_to_string(batch)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", batch.display()))?;
        let prompts: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        if prompts.is_empty() {
            anyhow::bail!("{} has no prompts (one per line)", batch.display());
        }
        std::fs::create_dir_all(&args.out)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", args.out.display()))?;
        let mut failed = 0;
        for (i, prompt) in prompts.iter().enumerate() {
            progress(i, prompts.len(), prompt);
            if let Err(e) = make(&engine, &args, format, prompt, &references, i + 1, false).await {
                failed += 1;
                eprintln!("\r\x1b[2K  {prompt}: {e:#}");
            }
        }
        progress(prompts.len(), prompts.len(), "done");
        eprintln!();
        println!(
            "{} of {} thumbnails in {}",
            prompts.len() - failed,
            prompts.len(),
            args.out.display()
        );
        if failed > 0 {
            anyhow::bail!("{failed} prompts failed");
        }
        Ok(())
    })
}

/// A one-line progress bar on stderr: `[#######.......] 3/7 prompt`.
pub(super) fn progress(done: usize, total: usize, label: &str) {
    let width = 24;
    let filled = done * width / total.max(1);
    let label: String = label.chars().take(40).collect();
    eprint!(
        "\r\x1b[2K[{}{}] {done}/{total} {label}",
        "#".repeat(filled),
        ".".repeat(width - filled)
    );
}

/// Runs the pipeline for one prompt; answers the size written and where.
async fn make(
    engine: &pipeline::Engine,
    args: &Args,
    format: routix_render::OutputFormat,
    prompt: &str,
    references: &[routix_providers::ReferenceImage],
    index: usize,
    verbose: bool,
) -> anyhow::Result<(usize, PathBuf)> {
    let say = |stage: Stage| {
        if verbose {
            step(stage);
        }
    };
    say(Stage::Analysing);
    let analysis = engine.analyse(prompt, args.algorithm, references).await;
    if verbose {
        eprintln!(
            "   {} · headline “{}” · {:?} analysis",
            analysis.category.as_str(),
            analysis.headline,
            analysis.source
        );
    }
    say(Stage::MatchingTemplate);
    let template = engine
        .pick_template(
            args.template.as_deref(),
            &analysis,
            !references.is_empty() || args.algorithm != Algorithm::Basic,
            &Default::default(),
        )
        .map_err(anyhow::Error::msg)?;
    if verbose {
        eprintln!("   template {}", template.meta.id);
    }
    say(Stage::CreatingArtwork);
    let art = engine
        .artwork(
            args.algorithm,
            &routix_core::algorithms::default_chain(args.algorithm),
            &analysis,
            &template,
            None,
        )
        .await;
    if verbose {
        match &art.fallback_reason {
            Some(reason) => eprintln!("   engine {} (fell back: {reason})", art.engine),
            None => eprintln!("   engine {}", art.engine),
        }
    }
    say(Stage::Composing);
    let image = pipeline::Picture::choose(art.image, references);
    let subjects = if image.is_none() {
        pipeline::subjects_for(&analysis)
    } else {
        Vec::new()
    };
    let composed = engine
        .compose(
            template,
            &analysis,
            image,
            &subjects,
            None,
            args.watermark,
            &Default::default(),
        )
        .await
        .map_err(anyhow::Error::msg)?;
    if verbose {
        if let Some(given) = &composed.shortened_from {
            eprintln!(
                "   headline {given:?} shortened to {:?} to be read at 320x180",
                composed.headline.as_deref().unwrap_or_default()
            );
        }
        if let Some(l) = composed.legibility {
            eprintln!(
                "   legibility: contrast {:.1}:1, letters {:.1} px at 320 wide{}",
                l.contrast,
                l.min_text_px_at_320,
                if l.ok { "" } else { " (hard to read)" }
            );
        }
    }
    let composed = composed.image;
    say(Stage::Storing);
    let (bytes, _) = engine
        .encode(composed, format)
        .await
        .map_err(anyhow::Error::msg)?;
    let out = if index > 0 {
        args.out
            .join(format!("{index:03}.{}", pipeline::extension(format)))
    } else {
        target(&args.out, pipeline::extension(format))
    };
    std::fs::write(&out, &bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    Ok((bytes.len(), out))
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
