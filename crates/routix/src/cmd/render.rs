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
    /// An emoji to draw as the subject (e.g. 🐶) when no --image is given; twice for a
    /// versus layout's two sides.
    #[arg(long)]
    subject: Vec<String>,
    /// Place --image as given: no crop to its busiest region, no auto-levels, vibrance or
    /// clarity (for artwork rather than photos).
    #[arg(long)]
    raw_image: bool,
    /// Fail when the title does not fit instead of shortening it (for scripts).
    #[arg(long)]
    strict: bool,
    /// Mirror the layout left to right (what Persian headlines get).
    #[arg(long)]
    mirror: bool,
    /// A logo (PNG or WebP with transparency) to stamp in --logo-corner.
    #[arg(long)]
    logo: Option<PathBuf>,
    /// top-left, top-right, bottom-left or bottom-right (moved when taken).
    #[arg(long, default_value = "top-left")]
    logo_corner: routix_core::brand::Corner,
    /// A photo of the creator, cut out and drawn as the subject.
    #[arg(long)]
    face: Option<PathBuf>,
    /// The headline face: bebas-neue or vazirmatn.
    #[arg(long)]
    font: Option<routix_core::brand::BrandFont>,
    /// Read templates from this directory instead of the built-in library.
    #[arg(long)]
    templates: Option<PathBuf>,
    #[arg(long, default_value_t = 1280)]
    width: u32,
    #[arg(long, default_value_t = 720)]
    height: u32,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let library = match &args.templates {
        Some(dir) => TemplateLibrary::load_dir(dir)?,
        None => TemplateLibrary::builtin()?,
    };
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
    let open = |path: &PathBuf| {
        image::open(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
    };
    let logo = match &args.logo {
        Some(path) => Some(routix_render::brand::Logo {
            image: open(path)?.to_rgba8(),
            corner: args.logo_corner,
        }),
        None => None,
    };
    let face = match &args.face {
        Some(path) => Some(routix_render::brand::face_cutout(&open(path)?)),
        None => None,
    };
    let request = RenderRequest {
        logo,
        face,
        font: args.font,
        title: args.title,
        subtitle: args.subtitle,
        badge: args.badge,
        image,
        palette,
        watermark: args.watermark.then(|| "Made with Routix".to_string()),
        subjects: args.subject,
        mirror: args.mirror,
        strict: args.strict,
        enhance_photo: !args.raw_image,
        width: args.width,
        height: args.height,
    };
    for emoji in &request.subjects {
        if !routix_render::sticker::has_art(emoji) {
            eprintln!("warning: no art for subject {emoji:?}; it is left out");
        }
    }
    let rendered = render(template, &request)?;
    if let Some(why) = rendered
        .layout
        .logo
        .as_ref()
        .and_then(|l| l.moved_because.as_ref())
    {
        eprintln!("note: {why}");
    }
    for text in &rendered.layout.texts {
        if let Some(given) = &text.shortened_from {
            let drawn: Vec<&str> = text.lines.iter().map(|l| l.text.as_str()).collect();
            eprintln!(
                "warning: the {} {given:?} was too long to read at YouTube's size; drew {:?} (--strict refuses instead)",
                text.slot,
                drawn.join(" ")
            );
        }
    }
    if let Some(l) = rendered.layout.legibility().filter(|l| !l.ok) {
        eprintln!(
            "warning: the headline may be hard to read at 320x180 (contrast {:.1}:1, letters {:.1} px)",
            l.contrast, l.min_text_px_at_320
        );
    }
    let bytes = encode(&rendered.image, format, 85)?;
    std::fs::write(&args.out, &bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", args.out.display()))?;
    println!("{} ({} KiB)", args.out.display(), bytes.len() / 1024);
    Ok(())
}
