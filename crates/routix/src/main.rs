//! The `routix` command: one binary for the server, the worker and the offline tools.

mod cmd;

use clap::Parser;

/// Renders allocate and free canvas-sized buffers back to back; glibc's allocator hands such
/// blocks back to the kernel and faults them in again each time (measured: about 2,000 page
/// faults and 7 ms per 1280x720 render on this project's VMs). mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cmd::Cli::parse().run()
}
