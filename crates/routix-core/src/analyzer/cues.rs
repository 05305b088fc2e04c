//! Category cue words, indexed for one pass over a request: the hand-kept list in
//! `lexicon.rs` plus the larger English and Persian lists in `assets/cues-*.tsv`
//! (`category<TAB>weight<TAB>cue`). A cue counts once however often it appears; Persian cues
//! also match with a suffix (short cues only the common ones, as in [`super::has`]).

use std::{
    collections::{HashMap, HashSet},
    sync::OnceLock,
};

use crate::Category;

use super::{is_arabic_script, lexicon::CATEGORY_CUES, normalise};

const SHIPPED: [&str; 2] = [
    include_str!("../../assets/cues-en.tsv"),
    include_str!("../../assets/cues-fa.tsv"),
];

/// Suffixes Persian attaches to a word; short cues match only with these.
const PERSIAN_SUFFIXES: &[&str] = &[
    "ها",
    "های",
    "هایی",
    "ی",
    "ای",
    "یی",
    "ه",
    "ش",
    "م",
    "ت",
    "مان",
    "تان",
    "شان",
    "ام",
    "ات",
    "اش",
    "تر",
    "ترین",
    "یه",
    "ست",
    "هاش",
    "هام",
    "هامون",
    "و",
    "رو",
];

#[derive(Debug)]
struct Cue {
    id: usize,
    /// Words after the first.
    rest: Vec<String>,
    category: Category,
    weight: f32,
}

#[derive(Debug, Default)]
pub struct CueIndex {
    by_first: HashMap<String, Vec<Cue>>,
    /// Cues that are only symbols ("!!"), matched as substrings.
    symbols: Vec<(String, Category, f32)>,
    len: usize,
}

/// The index of every shipped cue, built on first use.
pub fn index() -> &'static CueIndex {
    static INDEX: OnceLock<CueIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut entries: Vec<(Category, f32, String)> = Vec::new();
        for (category, weight, cues) in CATEGORY_CUES {
            entries.extend(cues.iter().map(|c| (*category, *weight, c.to_string())));
        }
        for file in SHIPPED {
            entries.extend(parse(file));
        }
        CueIndex::build(entries)
    })
}

/// Lines of a cue file; malformed lines are skipped (a test checks there are none).
pub fn parse(file: &str) -> impl Iterator<Item = (Category, f32, String)> + '_ {
    file.lines().filter_map(|line| {
        let mut cols = line.split('\t');
        let category = cols.next()?.trim().parse().ok()?;
        let weight: f32 = cols.next()?.trim().parse().ok()?;
        let cue = cols.next()?.trim();
        (!cue.is_empty() && weight > 0.0).then(|| (category, weight, cue.to_string()))
    })
}

impl CueIndex {
    pub fn build(entries: Vec<(Category, f32, String)>) -> CueIndex {
        let mut index = CueIndex::default();
        let mut seen: HashSet<(Category, String)> = HashSet::new();
        for (category, weight, raw) in entries {
            let norm = normalise(&raw);
            let words: Vec<String> = norm
                .split_whitespace()
                .map(|w| w.trim_matches(['.', '!']).to_string())
                .filter(|w| !w.is_empty())
                .collect();
            if !seen.insert((category, words.join(" "))) {
                continue;
            }
            if words.is_empty() || !raw.chars().any(char::is_alphanumeric) {
                index
                    .symbols
                    .push((raw.trim().to_string(), category, weight));
                continue;
            }
            let cue = Cue {
                id: index.len,
                rest: words[1..].to_vec(),
                category,
                weight,
            };
            index.len += 1;
            index
                .by_first
                .entry(words[0].clone())
                .or_default()
                .push(cue);
        }
        index
    }

    /// Summed cue weights per category for normalised `text`, categories with any cue only.
    pub fn scores(&self, text: &str) -> Vec<(Category, f32)> {
        let tokens: Vec<&str> = text
            .split_whitespace()
            .map(|w| w.trim_matches(['.', '!']))
            .filter(|w| !w.is_empty())
            .collect();
        let mut hit: HashSet<usize> = HashSet::new();
        let mut scores: Vec<(Category, f32)> = Vec::new();
        let mut add =
            |category: Category, weight: f32| match scores.iter_mut().find(|(c, _)| *c == category)
            {
                Some((_, s)) => *s += weight,
                None => scores.push((category, weight)),
            };
        for (i, tok) in tokens.iter().enumerate() {
            for (key, exact) in keys(tok) {
                let Some(cues) = self.by_first.get(key) else {
                    continue;
                };
                for cue in cues {
                    let matched = if cue.rest.is_empty() {
                        exact || word_matches(key, tok)
                    } else {
                        exact && follows(&cue.rest, &tokens[i + 1..])
                    };
                    if matched && hit.insert(cue.id) {
                        add(cue.category, cue.weight);
                    }
                }
            }
        }
        for (symbol, category, weight) in &self.symbols {
            if text.contains(symbol.as_str()) {
                add(*category, *weight);
            }
        }
        scores
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len + self.symbols.len()
    }
}

/// The keys a token can match under: itself, and for Persian its stems (the token less a
/// common suffix, and every prefix of four letters or more).
fn keys(tok: &str) -> Vec<(&str, bool)> {
    let mut out = vec![(tok, true)];
    if !tok.chars().any(is_arabic_script) {
        return out;
    }
    for suffix in PERSIAN_SUFFIXES {
        if let Some(stem) = tok.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            out.push((stem, false));
        }
    }
    for (count, (at, _)) in tok.char_indices().enumerate().skip(4) {
        debug_assert!(count >= 4);
        out.push((&tok[..at], false));
    }
    out.sort_unstable();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// Whether Persian `tok` is `cue` plus an ending the cue allows: a common suffix for short
/// cues (so «شیر» is not found in «شیراز»), any ending for cues of four letters or more.
pub(crate) fn word_matches(cue: &str, tok: &str) -> bool {
    let Some(ending) = tok.strip_prefix(cue) else {
        return false;
    };
    ending.is_empty() || cue.chars().count() > 3 || PERSIAN_SUFFIXES.contains(&ending)
}

/// Whether `rest` are the next tokens, the last one perhaps with a Persian ending.
fn follows(rest: &[String], tokens: &[&str]) -> bool {
    if tokens.len() < rest.len() {
        return false;
    }
    rest.iter().zip(tokens).enumerate().all(|(i, (want, got))| {
        want == got
            || (i + 1 == rest.len() && got.chars().any(is_arabic_script) && word_matches(want, got))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(cues: &[(Category, &str)]) -> CueIndex {
        CueIndex::build(cues.iter().map(|(c, w)| (*c, 3.0, w.to_string())).collect())
    }

    fn cats(index: &CueIndex, text: &str) -> Vec<Category> {
        let mut s: Vec<Category> = index
            .scores(&normalise(text))
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        s.sort();
        s
    }

    #[test]
    fn whole_words_phrases_and_persian_endings() {
        let index = idx(&[
            (Category::Animals, "cat"),
            (Category::Animals, "شیر"),
            (Category::Sports, "خلاصه بازی"),
            (Category::Education, "آموزش"),
            (Category::Cars, "test drive"),
        ]);
        assert_eq!(cats(&index, "my cat!"), [Category::Animals]);
        assert!(cats(&index, "category theory").is_empty());
        assert!(
            cats(&index, "سفر به شیراز").is_empty(),
            "a short cue takes no free ending"
        );
        assert_eq!(cats(&index, "شیرها"), [Category::Animals]);
        assert_eq!(cats(&index, "خلاصه بازی‌های امشب"), [Category::Sports]);
        assert_eq!(cats(&index, "ویدیوی آموزشی"), [Category::Education]);
        assert_eq!(cats(&index, "Mustang test drive"), [Category::Cars]);
        assert!(cats(&index, "drive test").is_empty());
    }

    #[test]
    fn a_cue_counts_once_and_weights_add_per_category() {
        let index = idx(&[(Category::Animals, "dog"), (Category::Animals, "puppy")]);
        let s = index.scores(&normalise("dog dog puppy"));
        assert_eq!(s, vec![(Category::Animals, 6.0)]);
    }

    #[test]
    fn shipped_cue_files_are_well_formed() {
        for file in SHIPPED {
            for (n, line) in file.lines().enumerate() {
                let ok = parse(line).next().is_some();
                assert!(ok || line.trim().is_empty(), "line {}: {line:?}", n + 1);
            }
        }
        assert!(index().len() > CATEGORY_CUES.iter().map(|c| c.2.len()).sum::<usize>() / 2);
    }
}
