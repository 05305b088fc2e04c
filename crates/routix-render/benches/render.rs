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
    if only.is_none() {
        with_subject(&library, runs);
    }
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

/// A basic thumbnail as the product makes it: a subject sticker (prepared from its art:
/// nothing cached), the legibility check, and a mirrored Persian layout; then three
/// variants of one request (three layouts) as `POST /generations {variants: 3}` makes them.
fn with_subject(library: &TemplateLibrary, runs: usize) {
    let cold = || {
        clear_static_cache();
        routix_render::sticker::clear_cache();
    };
    let one = |id: &str, title: &str| {
        let template = library.get(id).expect("template");
        let request = RenderRequest {
            subjects: vec!["🐶".into()],
            mirror: template.mirrors_for(title),
            ..RenderRequest::titled(title)
        };
        let out = render(template, &request).expect("render");
        assert!(out.layout.legibility().is_some_and(|l| l.ok));
        encode(&out.image, OutputFormat::Jpeg, 85).expect("encode");
    };
    let cases: [(&str, &[(&str, &str)]); 3] = [
        ("subject, cold", &[("animals-cozy-disc", "DOG REACTS")]),
        (
            "subject, Persian mirrored, cold",
            &[("gaming-split-hero", "واکنش سگ من")],
        ),
        (
            "3 variants, cold",
            &[
                ("animals-cozy-disc", "DOG REACTS"),
                ("animals-pet-banner", "DOG REACTS"),
                ("general-circle-arrow", "DOG REACTS"),
            ],
        ),
    ];
    let mut prep: Vec<Duration> = (0..runs)
        .map(|_| {
            routix_render::sticker::clear_cache();
            let start = Instant::now();
            routix_render::sticker::prepared("🐶", 400).expect("dog art");
            start.elapsed()
        })
        .collect();
    prep.sort();
    println!(
        "sticker prepared from its art at 400 px: median {:.1} ms",
        ms(prep[prep.len() / 2])
    );
    for (label, renders) in cases {
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        for _ in 0..runs + 2 {
            cold();
            let start = Instant::now();
            for (id, title) in renders {
                one(id, title);
            }
            times.push(start.elapsed());
        }
        times.drain(..2);
        times.sort();
        println!(
            "{label}: median {:.1} ms over {runs} runs (min {:.1} ms, max {:.1} ms), JPEG 85 included",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
