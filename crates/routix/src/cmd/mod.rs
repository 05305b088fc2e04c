//! Command-line interface. One file per sub-command; each exposes `Args` and `run`.

mod analyze;
mod render;
mod templates;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "routix", version, about = "AI YouTube thumbnails from a chat message")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse a prompt or video title (category, colours, headline, ...).
    Analyze(analyze::Args),
    /// Render one thumbnail from a template with the offline compositor.
    Render(render::Args),
    /// List or preview the template library.
    Templates(templates::Args),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        let result = match self.command {
            Command::Analyze(args) => analyze::run(args),
            Command::Render(args) => render::run(args),
            Command::Templates(args) => templates::run(args),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        }
    }
}
