//! `routix templates list|preview`: the template library.

use std::path::PathBuf;

use image::{imageops::FilterType, RgbaImage};
use routix_render::{encode, render, OutputFormat, RenderRequest, TemplateLibrary};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Every template with its category, styles and palette.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Render every template with an English and a Persian title and its category's
    /// subject, plus a contact sheet.
    Preview {
        #[arg(long)]
        out: PathBuf,
        /// Read templates from this directory instead of the built-in library.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

pub const ENGLISH: &str = "NEW SEASON IS HERE";
pub const PERSIAN: &str = "فصل جدید از راه رسید";

pub fn run(args: Args) -> anyhow::Result<()> {
    let library = match &args.command {
        Command::Preview { dir: Some(dir), .. } => TemplateLibrary::load_dir(dir)?,
        _ => TemplateLibrary::builtin()?,
    };
    match args.command {
        Command::List { json } => {
            if json {
                let metas: Vec<_> = library.all().iter().map(|t| &t.meta).collect();
                println!("{}", serde_json::to_string_pretty(&metas)?);
            } else {
                for t in library.all() {
                    let m = &t.meta;
                    println!(
                        "{:<26} {:<10} {:<28} {} {} {}{}",
                        m.id.0,
                        m.category.as_str(),
                        m.styles.join(","),
                        m.palette.primary,
                        m.palette.secondary,
                        m.palette.accent,
                        if m.has_image_slot { "  [image]" } else { "" }
                    );
                }
            }
            Ok(())
        }
        Command::Preview { out, .. } => preview(&library, &out),
    }
}

fn preview(library: &TemplateLibrary, out: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let (cw, ch, cols) = (320u32, 180u32, 4u32);
    let n = library.all().len() as u32 * 2;
    let mut sheet = RgbaImage::from_pixel(
        cw * cols,
        ch * n.div_ceil(cols),
        image::Rgba([255, 255, 255, 255]),
    );
    let mut i = 0;
    for t in library.all() {
        let subject = routix_core::subjects::for_category(t.meta.category).emoji;
        for (lang, title) in [("en", ENGLISH), ("fa", PERSIAN)] {
            let request = RenderRequest {
                subjects: vec![subject.to_string(), "🆚".to_string()],
                mirror: t.mirrors_for(title),
                ..RenderRequest::titled(title)
            };
            let rendered = render(t, &request)?;
            let path = out.join(format!("{}-{lang}.jpg", t.meta.id));
            std::fs::write(&path, encode(&rendered.image, OutputFormat::Jpeg, 85)?)?;
            let small = image::imageops::resize(&rendered.image, cw, ch, FilterType::Triangle);
            image::imageops::overlay(
                &mut sheet,
                &small,
                i64::from((i % cols) * cw),
                i64::from((i / cols) * ch),
            );
            i += 1;
        }
    }
    let sheet_path = out.join("contact-sheet.jpg");
    std::fs::write(&sheet_path, encode(&sheet, OutputFormat::Jpeg, 85)?)?;
    println!("{} previews and {}", i, sheet_path.display());
    Ok(())
}
