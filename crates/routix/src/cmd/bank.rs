//! `routix bank import DIR|FILE.zip`: fills the template bank from the shell through the same
//! checks and storage as `POST /api/v1/admin/bank` (`routix_server::bank`), all or nothing,
//! with a progress bar on stderr.

use std::path::{Path, PathBuf};

use routix_server::{
    bank::{self, Limits, Meta, Source},
    error::ApiError,
    Settings, Vars,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Import every image of a directory or a .zip, all or nothing.
    ///
    /// A directory: its top level only; subdirectories, dotfiles and files not named
    /// .jpg/.jpeg/.png/.webp are skipped. A zip: every entry must be an image (__MACOSX/ and
    /// dotfiles are skipped). At most 200 images and 200 MB at once; each image passes the
    /// upload checks (MAX_UPLOAD_MB, MAX_UPLOAD_MEGAPIXELS).
    Import {
        /// A directory of JPEG/PNG/WebP images, a .zip of them, or one image.
        path: PathBuf,
        /// A category id for every image (gaming, beauty, ...).
        #[arg(long)]
        category: Option<String>,
        /// Comma-separated tags for every image.
        #[arg(long)]
        tags: Option<String>,
        /// A title (numbered when there are several images); default: each file's name.
        #[arg(long)]
        title: Option<String>,
    },
}

fn said(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let Command::Import {
        path,
        category,
        tags,
        title,
    } = args.command;
    let meta = Meta {
        title: title
            .as_deref()
            .map(bank::validate_title)
            .transpose()
            .map_err(said)?,
        tags: tags
            .as_deref()
            .map(bank::parse_tags)
            .transpose()
            .map_err(said)?
            .unwrap_or_default(),
        category: category
            .as_deref()
            .map(bank::parse_category)
            .transpose()
            .map_err(said)?,
        created_by: None,
    };
    let settings = Settings::load(&Vars::from_process_env(), None)?;
    let limits = Limits::from_settings(&settings);
    let sources = read_sources(&path, &limits)?;
    super::runtime()?.block_on(async move {
        let (db, blobs) = routix_server::app::open_storage(&settings).await?;
        // A configured vision model describes each image (what it shows, mood, a face).
        let vision = routix_providers::Providers::new(settings.providers.clone(), None, "routix")
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        let result = bank::import(
            &db,
            &blobs,
            sources,
            meta,
            limits,
            Some(&vision),
            super::generate::progress,
        )
        .await;
        eprintln!();
        db.close().await;
        let items = result.map_err(said)?;
        for item in &items {
            println!("{}  {}", item.id, item.title);
        }
        println!("imported {} bank items", items.len());
        Ok(())
    })
}

/// The images to import: a directory's top-level image files, or a zip's (or one image).
fn read_sources(path: &Path, limits: &Limits) -> anyhow::Result<Vec<Source>> {
    let cannot = |e: std::io::Error| anyhow::anyhow!("cannot read {}: {e}", path.display());
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if metadata.is_file() {
        if metadata.len() > limits.max_total_bytes {
            anyhow::bail!(
                "{} is larger than {} MB; split it",
                path.display(),
                limits.max_total_bytes / (1024 * 1024)
            );
        }
        let bytes = std::fs::read(path).map_err(cannot)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return bank::unpack(
            Source {
                name,
                bytes: bytes.into(),
            },
            limits,
        )
        .map_err(said);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type().map_err(cannot)?.is_file() {
            continue;
        }
        let extension = Path::new(&name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if !matches!(extension.as_deref(), Some("jpg" | "jpeg" | "png" | "webp")) {
            eprintln!("skipped {name}: not a .jpg, .jpeg, .png or .webp file");
            continue;
        }
        let size = entry.metadata().map_err(cannot)?.len();
        files.push((name, entry.path(), size));
    }
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{} has no JPEG, PNG or WebP images", path.display());
    }
    if files.len() > limits.max_entries {
        anyhow::bail!(
            "{} has {} images, more than the {} one import may hold; split the directory",
            path.display(),
            files.len(),
            limits.max_entries
        );
    }
    let total: u64 = files.iter().map(|(_, _, size)| size).sum();
    if total > limits.max_total_bytes {
        anyhow::bail!(
            "{} holds {} MB of images, more than the {} MB one import may hold; split the directory",
            path.display(),
            total.div_ceil(1024 * 1024),
            limits.max_total_bytes / (1024 * 1024)
        );
    }
    files
        .into_iter()
        .map(|(name, file, size)| {
            if size > limits.max_image_bytes as u64 {
                anyhow::bail!(
                    "{name}: larger than the {} MB allowed for one image; nothing was imported",
                    limits.max_image_bytes / (1024 * 1024)
                );
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            Ok(Source {
                name,
                bytes: bytes.into(),
            })
        })
        .collect()
}
