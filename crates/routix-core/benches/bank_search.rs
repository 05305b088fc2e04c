//! Bank search at scale: ten thousand items (the layout templates' texts, recombined, in
//! both languages), the written query set run against them; prints the index build time and
//! the median and 95th-percentile query time. `cargo bench -p routix-core --bench bank_search`.

use std::time::{Duration, Instant};

use routix_core::{
    bank::search::{Doc, Index},
    Category,
};

const ITEMS: usize = 10_000;

fn main() {
    let words: Vec<&str> = include_str!("../tests/bank-queries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t').map(|(q, _)| q))
        .flat_map(str::split_whitespace)
        .collect();
    let queries: Vec<&str> = include_str!("../tests/bank-queries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t').map(|(q, _)| q))
        .collect();
    // Deterministic pseudo-random titles of three to six query words, with a category tag.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let docs: Vec<Doc> = (0..ITEMS)
        .map(|i| {
            let len = 3 + next(4);
            let title: Vec<&str> = (0..len).map(|_| words[next(words.len())]).collect();
            let category = Category::ALL[next(Category::ALL.len())];
            Doc {
                id: format!("item-{i:05}"),
                title: title.join(" "),
                tags: vec![category.as_str().to_string()],
                category: Some(category),
                dna: None,
                boost: 0.0,
            }
        })
        .collect();
    let start = Instant::now();
    let index = Index::build(docs);
    let built = start.elapsed();
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        for q in &queries {
            let start = Instant::now();
            let hits = index.search(q, None, 10);
            times.push(start.elapsed());
            assert!(hits.len() <= 10);
        }
    }
    times.sort();
    println!(
        "bank search over {} items: index built in {:.0} ms; {} queries: p50 {:.2} ms, p95 {:.2} ms",
        index.len(),
        built.as_secs_f64() * 1e3,
        times.len(),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() * 95 / 100].as_secs_f64() * 1e3,
    );
}
