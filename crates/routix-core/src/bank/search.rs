//! Search of the bank by meaning, in English and Persian. Each item and each query becomes two
//! things: its words (for BM25 over titles and tags) and its *concepts* — the subjects it
//! names (the subject table with its CLDR keywords in both languages, so «سگ» and "puppy"
//! are one concept), the video category the understanding layer reads in it, and the
//! colours it names. Concepts carry meaning across languages where words cannot: «بازی
//! ویدیویی» shares no word with "Boss fight in a dark castle" but both are `gaming`. Colours
//! a query names are also compared with each item's measured palette, and featured items,
//! priority and how well an item has performed lift it a little.
//!
//! The index lives in memory beside the items (a few hundred bytes an item): brute-force
//! scoring is under a few milliseconds at ten thousand items. Past a hundred thousand, the
//! concept vectors belong in pgvector or a vector engine (see DESIGN notes).

use std::collections::HashMap;

use crate::{
    analyzer::{self, normalise},
    bank::StyleDna,
    subjects, Category, Rgb,
};

/// What the index knows of one bank item.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub title: String,
    pub tags: Vec<String>,
    pub category: Option<Category>,
    pub dna: Option<StyleDna>,
    /// Featured, priority and performance together, about −1..1 (see [`boost`]).
    pub boost: f32,
}

/// The rank lift of an item: featured and priority as set by an admin, and its performance
/// (the share of its uses that completed and were not rated down), smoothed towards a
/// neutral prior so a single vote cannot flip it.
pub fn boost(featured: bool, priority: i32, uses: u32, successes: u32, down: u32) -> f32 {
    // Ten uses' worth of a typical item (four in five complete and are kept) before any.
    const PRIOR_USES: f32 = 10.0;
    const TYPICAL: f32 = 0.8;
    let good = successes.saturating_sub(down) as f32;
    let performance = (good + PRIOR_USES * TYPICAL) / (uses as f32 + PRIOR_USES) - TYPICAL;
    (if featured { 0.3 } else { 0.0 }) + priority.clamp(-100, 100) as f32 / 200.0 + performance
}

/// A concept: a subject or a category, shared by both languages. (Colours are matched
/// against the measured palette instead.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Concept {
    Subject(&'static str),
    Category(Category),
}

/// An item's or a query's meaning: concepts with weights, normalised to length 1.
type Meaning = Vec<(Concept, f32)>;

struct Entry {
    doc: Doc,
    /// Word counts of title and tags.
    words: HashMap<String, u32>,
    len: u32,
    meaning: Meaning,
    palette: Vec<(Rgb, f32)>,
}

pub struct Index {
    entries: Vec<Entry>,
    /// How many items each word occurs in.
    df: HashMap<String, u32>,
    avg_len: f32,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
}

impl Index {
    pub fn build(docs: Vec<Doc>) -> Index {
        let entries: Vec<Entry> = docs.into_iter().map(entry).collect();
        let mut df: HashMap<String, u32> = HashMap::new();
        for e in &entries {
            for w in e.words.keys() {
                *df.entry(w.clone()).or_default() += 1;
            }
        }
        let avg_len =
            entries.iter().map(|e| e.len as f32).sum::<f32>() / entries.len().max(1) as f32;
        Index {
            entries,
            df,
            avg_len: avg_len.max(1.0),
        }
    }

    /// Adds `doc`, or replaces the item with its id (an admin's edit): the cost of one
    /// item, not of a rebuild.
    pub fn upsert(&mut self, doc: Doc) {
        self.remove(&doc.id);
        let e = entry(doc);
        for w in e.words.keys() {
            *self.df.entry(w.clone()).or_default() += 1;
        }
        self.entries.push(e);
        self.refresh_len();
    }

    /// Takes the item with `id` out; whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(at) = self.entries.iter().position(|e| e.doc.id == id) else {
            return false;
        };
        let e = self.entries.swap_remove(at);
        for w in e.words.keys() {
            if let Some(n) = self.df.get_mut(w) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.df.remove(w);
                }
            }
        }
        self.refresh_len();
        true
    }

    fn refresh_len(&mut self) {
        let total: u32 = self.entries.iter().map(|e| e.len).sum();
        self.avg_len = (total as f32 / self.entries.len().max(1) as f32).max(1.0);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` items for `query` (and `category`, when given), best first; ties
    /// broken by id so results never shuffle.
    pub fn search(&self, query: &str, category: Option<Category>, limit: usize) -> Vec<Hit> {
        let words = words_of(query);
        let (meaning, colours) = meaning_of(query, &[], None);
        // A mood the query names ("calm", «هیجانی») asks for items of that energy.
        let mood = crate::analyzer::named_mood(query);
        let energy = mood.and_then(super::mood_energy);
        let n = self.entries.len() as f32;
        let idf: Vec<(String, f32)> = words
            .keys()
            .map(|w| {
                let df = *self.df.get(w).unwrap_or(&0) as f32;
                (w.clone(), ((n - df + 0.5) / (df + 0.5) + 1.0).ln())
            })
            .collect();
        // Scores first, ids only for the winners: most of a large bank shares a concept
        // with most queries, and cloning every id would cost more than scoring.
        let mut scored: Vec<(f32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| category.is_none_or(|c| e.doc.category == Some(c)))
            .filter_map(|(i, e)| {
                let lexical = bm25(e, &idf, self.avg_len);
                let semantic = cosine(&meaning, &e.meaning);
                let colour = colour_match(&colours, &e.palette);
                let feel = feel_match(mood, energy, e.doc.dna.as_ref());
                if lexical <= 0.0 && semantic <= 0.0 && colour <= 0.0 && feel <= 0.0 {
                    return None;
                }
                // BM25 grows with rare words; squash it to 0..1 beside the cosine.
                let lexical = lexical / (lexical + 3.0);
                let score = 0.45 * lexical
                    + 0.45 * semantic
                    + 0.25 * colour
                    + 0.15 * feel
                    + 0.08 * e.doc.boost;
                Some(((score * 1000.0).round() / 1000.0, i))
            })
            .collect();
        let order = |a: &(f32, usize), b: &(f32, usize)| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.entries[a.1].doc.id.cmp(&self.entries[b.1].doc.id))
        };
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, order);
            scored.truncate(limit);
        }
        scored.sort_by(order);
        scored
            .into_iter()
            .take(limit)
            .map(|(score, i)| Hit {
                id: self.entries[i].doc.id.clone(),
                score,
            })
            .collect()
    }
}

/// How well an item's feel fits the mood a query names, 0..1: its measured energy near the
/// mood's (full marks within one step, nothing five or more apart), and the vision model's
/// mood word when it is the same. Zero when the query names no mood.
fn feel_match(mood: Option<&str>, energy: Option<u8>, dna: Option<&StyleDna>) -> f32 {
    let (Some(mood), Some(target), Some(dna)) = (mood, energy, dna) else {
        return 0.0;
    };
    let apart = (dna.energy as f32 - target as f32).abs();
    let near = (1.0 - (apart - 1.0).max(0.0) / 4.0).max(0.0);
    let said = dna.mood.as_deref() == Some(mood);
    (0.7 * near + if said { 0.3 } else { 0.0 }).min(1.0)
}

fn entry(mut doc: Doc) -> Entry {
    // An item without a category but tagged with one ("cars") belongs to it.
    if doc.category.is_none() {
        doc.category = doc.tags.iter().find_map(|t| t.trim().parse().ok());
    }
    // A vision model's description and mood are searchable words too.
    let seen = doc
        .dna
        .as_ref()
        .map(|d| {
            format!(
                "{} {}",
                d.description.as_deref().unwrap_or(""),
                d.mood.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default();
    let text = format!("{} {} {seen}", doc.title, doc.tags.join(" "));
    let words = words_of(&text);
    let len = words.values().sum();
    let (meaning, _) = meaning_of(&text, &doc.tags, doc.category);
    let palette = doc
        .dna
        .as_ref()
        .map(|d| {
            d.palette
                .iter()
                .filter_map(|s| s.hex.parse::<Rgb>().ok().map(|c| (c, s.weight)))
                .collect()
        })
        .unwrap_or_default();
    Entry {
        doc,
        words,
        len,
        meaning,
        palette,
    }
}

/// Normalised words of at least two letters, counted.
fn words_of(text: &str) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    for w in normalise(text).split_whitespace() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.chars().count() >= 2 {
            *out.entry(w.to_string()).or_default() += 1;
        }
    }
    out
}

/// The concepts `text` carries, and the colours it names. Tags that are category ids count
/// as that category outright.
fn meaning_of(text: &str, tags: &[String], category: Option<Category>) -> (Meaning, Vec<Rgb>) {
    let mut weights: HashMap<Concept, f32> = HashMap::new();
    for (subject, _) in subjects::find(text) {
        *weights.entry(Concept::Subject(subject.name)).or_default() += 1.0;
        // A thing shown implies the kind of video it belongs to (lipstick → beauty).
        if let Some(c) = subject_category(subject.name) {
            *weights.entry(Concept::Category(c)).or_default() += 0.5;
        }
    }
    let analysis = analyzer::analyze(text);
    if analysis.category != Category::General {
        *weights
            .entry(Concept::Category(analysis.category))
            .or_default() += analysis.confidence.clamp(0.3, 1.0);
    }
    for c in category.into_iter().chain(
        tags.iter()
            .filter_map(|t| t.trim().parse::<Category>().ok()),
    ) {
        *weights.entry(Concept::Category(c)).or_default() += 1.0;
    }
    let colours = analysis.requested_colors();
    let norm = weights.values().map(|w| w * w).sum::<f32>().sqrt();
    let mut meaning: Meaning = weights
        .into_iter()
        .map(|(c, w)| (c, w / norm.max(1e-6)))
        .collect();
    meaning.sort_by(|a, b| a.0.cmp(&b.0));
    (meaning, colours)
}

/// The category the understanding layer reads in a subject's own name, worked out once for
/// the whole subject table; `None` where it reads nothing particular.
fn subject_category(name: &str) -> Option<Category> {
    static TABLE: std::sync::OnceLock<HashMap<&'static str, Category>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            subjects::SUBJECTS
                .iter()
                .filter_map(|s| {
                    let a = analyzer::analyze(s.name);
                    (a.category != Category::General).then_some((s.name, a.category))
                })
                .collect()
        })
        .get(name)
        .copied()
}

fn cosine(a: &Meaning, b: &Meaning) -> f32 {
    // Both are sorted by concept: a merge walk.
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

fn bm25(e: &Entry, idf: &[(String, f32)], avg_len: f32) -> f32 {
    const K1: f32 = 1.2;
    const B: f32 = 0.75;
    idf.iter()
        .filter_map(|(w, idf)| {
            let tf = *e.words.get(w)? as f32;
            Some(idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * e.len as f32 / avg_len)))
        })
        .sum()
}

/// How well an item's measured palette holds the colours a query names: for each named
/// colour, the weight of palette colours close to it (0..1), averaged.
fn colour_match(wanted: &[Rgb], palette: &[(Rgb, f32)]) -> f32 {
    if wanted.is_empty() || palette.is_empty() {
        return 0.0;
    }
    let per: f32 = wanted
        .iter()
        .map(|w| {
            palette
                .iter()
                .map(|(c, weight)| {
                    let close = (1.0 - w.distance(*c) / 150.0).clamp(0.0, 1.0);
                    close * weight.clamp(0.0, 1.0).sqrt()
                })
                .fold(0.0, f32::max)
        })
        .sum();
    per / wanted.len() as f32
}
