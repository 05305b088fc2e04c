//! Command-line interface. One file per sub-command; each exposes `Args` and `run`.

mod admin;
mod analyze;
mod bank;
mod dev;
mod generate;
mod migrate;
mod render;
mod serve;
mod templates;
mod worker;

use clap::{Parser, Subcommand};
use routix_render::OutputFormat;
use std::{path::Path, process::ExitCode};

/// The output format: `--format` when given, else the `--out` file's extension, else JPEG.
/// A `--format` that contradicts the file's extension is refused rather than writing, say,
/// JPEG bytes into `thumb.png`.
fn output_format(flag: Option<&str>, out: &Path) -> anyhow::Result<OutputFormat> {
    let from_flag = flag
        .map(|f| {
            OutputFormat::parse(f)
                .ok_or_else(|| anyhow::anyhow!("--format must be jpeg, webp or png"))
        })
        .transpose()?;
    let extension = (!out.is_dir())
        .then(|| out.extension().and_then(|e| e.to_str()))
        .flatten();
    let from_extension = match extension {
        None => None,
        Some(e) => Some(OutputFormat::parse(e).ok_or_else(|| {
            anyhow::anyhow!(
                "--out {}: Routix writes .jpg, .webp or .png files",
                out.display()
            )
        })?),
    };
    match (from_flag, from_extension) {
        (Some(f), Some(e)) if f != e => anyhow::bail!(
            "--out {} is a .{} file but --format is {}; make them agree",
            out.display(),
            out.extension().and_then(|e| e.to_str()).unwrap_or_default(),
            f.name()
        ),
        (Some(f), _) | (None, Some(f)) => Ok(f),
        (None, None) => Ok(OutputFormat::Jpeg),
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "routix",
    version,
    about = "AI YouTube thumbnails from a chat message"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API, WebSocket and web UI (SQLite + ./data by default).
    Serve(serve::Args),
    /// Run generation jobs from the shared database (scale-out; no HTTP).
    Worker(worker::Args),
    /// Apply database migrations and exit.
    Migrate(migrate::Args),
    /// Account administration.
    Admin(admin::Args),
    /// The template bank: import designer thumbnails (a directory or a .zip).
    Bank(bank::Args),
    /// Analyse a prompt or video title (category, colours, headline, ...).
    Analyze(analyze::Args),
    /// Make a thumbnail from a prompt through the whole pipeline (offline by default).
    Generate(generate::Args),
    /// Render one thumbnail from a template with the offline compositor.
    Render(render::Args),
    /// List or preview the template library.
    Templates(templates::Args),
    /// Developer tools: train and measure the category classifier.
    Dev(dev::Args),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        let result = match self.command {
            Command::Serve(args) => serve::run(args),
            Command::Worker(args) => worker::run(args),
            Command::Migrate(args) => migrate::run(args),
            Command::Admin(args) => admin::run(args),
            Command::Bank(args) => bank::run(args),
            Command::Analyze(args) => analyze::run(args),
            Command::Generate(args) => generate::run(args),
            Command::Render(args) => render::run(args),
            Command::Templates(args) => templates::run(args),
            Command::Dev(args) => dev::run(args),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                // A bad configuration is the operator's to fix: say which variable, exit 2.
                if let Some(config) = err.downcast_ref::<routix_server::ConfigError>() {
                    eprintln!("configuration error: {config}");
                    return ExitCode::from(2);
                }
                eprintln!("error: {}", describe(&err));
                ExitCode::FAILURE
            }
        }
    }
}

/// The error and its causes, each said once: many errors already quote their source in
/// their own message.
fn describe(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

/// A multi-threaded runtime for the commands that do network or database work.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_each_cause_once() {
        let io = std::io::Error::other("disk full");
        let quoted = anyhow::Error::new(io).context("cannot write: disk full");
        assert_eq!(describe(&quoted), "cannot write: disk full");
        let plain = anyhow::Error::new(std::io::Error::other("disk full")).context("cannot write");
        assert_eq!(describe(&plain), "cannot write: disk full");
    }

    #[test]
    fn the_format_follows_the_flag_or_the_file_name() {
        let f = |flag, out: &str| output_format(flag, Path::new(out)).map_err(|e| e.to_string());
        assert_eq!(f(None, "thumb.png"), Ok(OutputFormat::Png));
        assert_eq!(f(None, "thumb.WEBP"), Ok(OutputFormat::Webp));
        assert_eq!(f(None, "thumb"), Ok(OutputFormat::Jpeg));
        assert_eq!(f(Some("png"), "thumb"), Ok(OutputFormat::Png));
        assert_eq!(f(Some("jpg"), "thumb.jpeg"), Ok(OutputFormat::Jpeg));
        assert!(f(Some("webp"), "thumb.png")
            .unwrap_err()
            .contains("make them agree"));
        assert!(f(Some("gif"), "thumb").unwrap_err().contains("--format"));
        assert!(f(None, "thumb.gif")
            .unwrap_err()
            .contains(".jpg, .webp or .png"));
    }
}
