//! The `routix` command: one binary for the server, the worker and the offline tools.

mod cmd;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cmd::Cli::parse().run()
}
