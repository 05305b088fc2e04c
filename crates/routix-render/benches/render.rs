//! End-to-end render benchmark: layout + shaping + effects + JPEG 85 of a representative
//! thumbnail, median of N runs: cold (every layer drawn, as for a template's first render)
//! and warm (the template's static layers come from the cache; only the text is drawn). Compare with `benches/pillow_render.py` (same picture in
//! Python/Pillow): `bash benches/run.sh` runs both.

use std::time::{Duration, Instant};

/// The same allocator as the `routix` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use routix_render::{
    clear_static_cache, encode, render, OutputFormat, RenderRequest, TemplateLibrary,
};

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(30);
    let library = TemplateLibrary::builtin().expect("templates");
    let template = library.get("gaming-split-hero").expect("template");
    let request = RenderRequest::titled("NEW SEASON IS HERE");
    println!("routix-render: gaming-split-hero (gradient, stripes, bokeh slot, slant, grain, stroked/shadowed headline) + JPEG 85, 1280x720");
    // `cold` or `warm` as an argument runs only that half (for profiling).
    let only = std::env::args()
        .skip(1)
        .find(|a| a == "cold" || a == "warm");
    for (label, cold) in [("cold", true), ("warm", false)] {
        if only.as_deref().is_some_and(|o| o != label) {
            continue;
        }
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut drawing: Vec<Duration> = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs + 2 {
            if cold {
                // Every render draws every layer, as the first render of a template does.
                clear_static_cache();
            }
            let start = Instant::now();
            let out = render(template, &request).expect("render");
            let drawn = start.elapsed();
            let bytes = encode(&out.image, OutputFormat::Jpeg, 85).expect("encode");
            times.push(start.elapsed());
            drawing.push(drawn);
            size = bytes.len();
        }
        times.drain(..2);
        drawing.drain(..2);
        times.sort();
        drawing.sort();
        let median = times[times.len() / 2];
        let draw = drawing[drawing.len() / 2];
        println!(
            "{label}: median {:.1} ms over {runs} runs (min {:.1} ms, max {:.1} ms), {} KiB; drawing {:.1} ms, JPEG {:.1} ms",
            ms(median),
            ms(times[0]),
            ms(times[times.len() - 1]),
            size / 1024,
            ms(draw),
            ms(median.saturating_sub(draw))
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
