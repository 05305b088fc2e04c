//! `routix render`: one thumbnail from a template with the offline compositor.

use std::path::PathBuf;

use routix_core::Rgb;
use routix_render::{encode, render, RenderRequest, TemplateLibrary};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Template id (see `routix templates list`).
    #[arg(long)]
    template: String,
    #[arg(long)]
    title: String,
    #[arg(long)]
    subtitle: Option<String>,
    #[arg(long)]
    badge: Option<String>,
    /// A photo for the template's image slot.
    #[arg(long)]
    image: Option<PathBuf>,
    /// Colours overriding the template's palette, e.g. "#e51b23,#0d0d0f".
    #[arg(long)]
    palette: Option<String>,
    /// jpeg, webp or png (default: from --out's extension, else jpeg).
    #[arg(long)]
    format: Option<String>,
    /// Add the free-plan watermark.
    #[arg(long)]
    watermark: bool,
    /// An emoji to draw as the subject in the image slot (e.g. 🐶), when no --image is given.
    #[arg(long)]
    subject: Option<String>,
    #[arg(long, default_value_t = 1280)]
    width: u32,
    #[arg(long, default_value_t = 720)]
    height: u32,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let library = TemplateLibrary::builtin()?;
    let template = library.get(&args.template).ok_or_else(|| {
        anyhow::anyhow!(
            "no template {:?}; `routix templates list` shows them",
            args.template
        )
    })?;
    let format = super::output_format(args.format.as_deref(), &args.out)?;
    let palette = match &args.palette {
        None => None,
        Some(p) => Some(
            p.split(',')
                .map(|c| {
                    c.trim()
                        .parse::<Rgb>()
                        .map_err(|e| anyhow::anyhow!("--palette: {e}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
        ),
    };
    let image = match &args.image {
        None => None,
        Some(path) => Some(
            image::open(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
        ),
    };
    let request = RenderRequest {
        title: args.title,
        subtitle: args.subtitle,
        badge: args.badge,
        image,
        palette,
        watermark: args.watermark.then(|| "Made with Routix".to_string()),
        subject: args.subject,
        width: args.width,
        height: args.height,
    };
    let rendered = render(template, &request)?;
    let bytes = encode(&rendered.image, format, 85)?;
    std::fs::write(&args.out, &bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", args.out.display()))?;
    println!("{} ({} KiB)", args.out.display(), bytes.len() / 1024);
    Ok(())
}
