//! Heavy pixel work — rendering, encoding, resizing, variants — on threads of its own at a
//! lower OS priority (nice 10 on Linux), one per core. A busy worker then never delays what
//! is live: WebSocket deliveries, chat and API answers run on the async threads, which the
//! kernel serves first; the pixels use whatever CPU is left. The pool is also a bound: at
//! most one image per core is in memory being worked on, where `spawn_blocking` would start
//! hundreds.

use std::{
    panic::AssertUnwindSafe,
    sync::{mpsc, Arc, Mutex, OnceLock},
};

type Job = Box<dyn FnOnce() + Send>;

/// The work panicked, or the pool is gone (the process is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the image worker crashed")]
pub struct Crashed;

/// How much lower than normal the pool's threads run (Linux nice value).
const NICE: i32 = 10;

fn queue() -> &'static Mutex<mpsc::Sender<Job>> {
    static QUEUE: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("routix-pixels-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // One waiting thread holds the lock; the job runs after it is released.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start an image thread");
            }
        }
        Mutex::new(tx)
    })
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux a priority set for "this process" from a thread applies to that thread only.
    if let Err(e) = rustix::process::setpriority_process(None, NICE) {
        tracing::debug!(error = %e, "image threads keep normal priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Runs `work` on the pixel pool and waits for it without blocking the async threads.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Crashed> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(work)));
    });
    queue()
        .lock()
        .map_err(|_| Crashed)?
        .send(job)
        .map_err(|_| Crashed)?;
    rx.await.map_err(|_| Crashed)?.map_err(|_| Crashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_off_the_async_threads_and_a_panic_is_an_error() {
        let name = run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("routix-pixels-"));
        let sums =
            futures::future::join_all((0..16u64).map(|n| run(move || (0..=n).sum::<u64>()))).await;
        let sums: Vec<u64> = sums.into_iter().map(Result::unwrap).collect();
        assert_eq!(sums[15], 120);
        assert!(run(|| -> u8 { panic!("boom") }).await.is_err());
        // The pool survives a panic.
        assert_eq!(run(|| 7).await.unwrap(), 7);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_pool_runs_at_a_lower_priority() {
        let nice = run(|| rustix::process::getpriority_process(None).unwrap())
            .await
            .unwrap();
        assert_eq!(nice, NICE);
    }
}
