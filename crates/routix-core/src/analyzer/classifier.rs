//! The trained category classifier, shipped as `assets/category-model.bin` and compiled into
//! the binary: two models over hashed word and character n-grams, their log-probabilities
//! added.
//!
//! - A linear (softmax) model over word unigrams and bigrams, which carry names and phrases
//!   ("official video", "test drive"), and character 2–5-grams inside each word, which carry
//!   morphology, so Persian suffixes («بازی‌ها», «آموزشی») and misspelt or transliterated
//!   names still land near their stems. Hashed (FNV-1a, stable across platforms) into
//!   `2^bits` rows of one score per class, quantised to `i8` with one scale per row.
//! - A complement naive Bayes model over the same words and bigrams (no character n-grams),
//!   in a larger hash space stored sparsely: only the rows some training text touched, the
//!   rest share one default row. On short, noisy titles it generalises differently from the
//!   linear model, and the two together beat either (about +2.5 points on the titles'
//!   validation folds).
//!
//! Both also read a title's segments: the words after a separator ("… | Channel", "Artist -
//! Song") are also features of their own, as channel and artist names sit there.
//! `routix dev train` writes the file.

use std::sync::OnceLock;

use crate::Category;

use super::normalise;

const MAGIC: &[u8; 8] = b"RTXCAT04";
/// Shortest and longest character n-gram; part of the file's meaning, so fixed here.
const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 2..=5;

/// A loaded model: the linear model (classes, per-class bias, a quantised weight row per hash
/// bucket) and the naive Bayes one.
#[derive(Debug, Clone)]
pub struct Model {
    bits: u32,
    classes: Vec<Category>,
    bias: Vec<f32>,
    /// One scale per hash row.
    scales: Vec<f32>,
    weights: Vec<i8>,
    bayes: Bayes,
}

/// Complement naive Bayes: per class, minus the log-probability of each feature in the
/// texts of *other* classes, each row centred (only differences between classes count).
#[derive(Debug, Clone, Default)]
pub struct Bayes {
    pub bits: u32,
    /// How much its (length-normalised) score weighs against the linear model's log-probability.
    pub weight: f32,
    /// The row of a bucket no training text touched.
    pub default: Vec<f32>,
    /// Touched buckets, ascending, with a quantised row and a scale each.
    pub keys: Vec<u32>,
    pub scales: Vec<f32>,
    pub rows: Vec<i8>,
}

impl Bayes {
    /// Rows (bucket, centred float row) quantised like the linear model's.
    pub fn quantise(bits: u32, weight: f32, default: Vec<f32>, rows: &[(u32, Vec<f32>)]) -> Bayes {
        let mut b = Bayes {
            bits,
            weight,
            default,
            ..Bayes::default()
        };
        for (key, row) in rows {
            let (scale, q) = quantise_row(row);
            b.keys.push(*key);
            b.scales.push(scale);
            b.rows.extend(q);
        }
        b
    }

    /// Per-class score of the (deduplicated) buckets `feats`.
    fn scores(&self, feats: &[u32], n: usize) -> Vec<f32> {
        let mut acc = vec![0.0f32; n];
        for f in feats {
            match self.keys.binary_search(f) {
                Ok(i) => {
                    let row = &self.rows[i * n..(i + 1) * n];
                    for (a, w) in acc.iter_mut().zip(row) {
                        *a += f32::from(*w) * self.scales[i];
                    }
                }
                Err(_) => {
                    for (a, w) in acc.iter_mut().zip(&self.default) {
                        *a += w;
                    }
                }
            }
        }
        let k = (feats.len().max(1) as f32).sqrt();
        acc.iter().map(|a| a / k).collect()
    }
}

fn quantise_row(row: &[f32]) -> (f32, Vec<i8>) {
    let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
    let q = row
        .iter()
        .map(|w| {
            if scale > 0.0 {
                (w / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            }
        })
        .collect();
    (scale, q)
}

/// The model compiled into Routix, parsed on first use.
pub fn shipped() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::from_bytes(include_bytes!("../../assets/category-model.bin")).ok())
        .as_ref()
}

impl Model {
    /// A model from trained float weights (`weights[bucket * classes + class]`), each row
    /// quantised with its own scale so rare strong features keep their strength and common
    /// weak ones their resolution, and a naive Bayes part (empty: none).
    pub fn quantise(
        bits: u32,
        classes: Vec<Category>,
        bias: Vec<f32>,
        weights: &[f32],
        bayes: Bayes,
    ) -> Model {
        let n = classes.len().max(1);
        let mut scales = Vec::with_capacity(weights.len() / n);
        let mut quantised = Vec::with_capacity(weights.len());
        for row in weights.chunks(n) {
            let (scale, q) = quantise_row(row);
            scales.push(scale);
            quantised.extend(q);
        }
        Model {
            bits,
            classes,
            bias,
            scales,
            weights: quantised,
            bayes,
        }
    }

    pub fn classes(&self) -> &[Category] {
        &self.classes
    }

    /// The linear model's hash size, `2^bits` rows, and the naive Bayes part's.
    pub fn bits(&self) -> (u32, u32) {
        (self.bits, self.bayes.bits)
    }

    /// Probability of each class for `text`, in the order of [`Model::classes`].
    pub fn predict(&self, text: &str) -> Vec<f32> {
        let n = self.classes.len();
        let (feats, words) = encode(text, self.bits, self.bayes.bits);
        let mut logits = softmax(&self.linear_logits(&feats));
        for l in logits.iter_mut() {
            *l = l.max(1e-6).ln();
        }
        if self.bayes.weight > 0.0 && self.bayes.default.len() == n {
            let nb = self.bayes.scores(&words, n);
            for (l, s) in logits.iter_mut().zip(nb) {
                *l += self.bayes.weight * s;
            }
        }
        softmax(&logits)
    }

    /// The linear model's logits for hashed features.
    pub fn linear_logits(&self, feats: &[(u32, f32)]) -> Vec<f32> {
        let n = self.classes.len();
        let mut acc = vec![0.0f32; n];
        for (f, v) in feats {
            let row = &self.weights[*f as usize * n..(*f as usize + 1) * n];
            let scaled = v * self.scales[*f as usize];
            for (a, w) in acc.iter_mut().zip(row) {
                *a += f32::from(*w) * scaled;
            }
        }
        let norm = feature_norm(feats);
        acc.iter()
            .zip(&self.bias)
            .map(|(a, b)| a * norm + b)
            .collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let b = &self.bayes;
        let mut out = Vec::with_capacity(self.weights.len() + b.rows.len() * 2 + 256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&(self.classes.len() as u32).to_le_bytes());
        for c in &self.classes {
            out.push(c.as_str().len() as u8);
            out.extend_from_slice(c.as_str().as_bytes());
        }
        let f32s = |out: &mut Vec<u8>, xs: &[f32]| {
            for x in xs {
                out.extend_from_slice(&x.to_le_bytes());
            }
        };
        f32s(&mut out, &self.bias);
        f32s(&mut out, &self.scales);
        out.extend(self.weights.iter().map(|w| *w as u8));
        out.extend_from_slice(&b.bits.to_le_bytes());
        out.extend_from_slice(&b.weight.to_le_bytes());
        out.extend_from_slice(&(b.keys.len() as u32).to_le_bytes());
        f32s(&mut out, &b.default);
        for k in &b.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        f32s(&mut out, &b.scales);
        out.extend(b.rows.iter().map(|w| *w as u8));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a Routix category model (bad magic)".into());
        }
        let bits = r.u32()?;
        if !(8..=24).contains(&bits) {
            return Err(format!("hash size 2^{bits} out of range"));
        }
        let n = r.u32()? as usize;
        let mut classes = Vec::with_capacity(n);
        for _ in 0..n {
            let len = r.take(1)?[0] as usize;
            let name = std::str::from_utf8(r.take(len)?).map_err(|e| e.to_string())?;
            classes.push(name.parse::<Category>().map_err(|e| e.to_string())?);
        }
        let bias = r.f32s(n)?;
        let scales = r.f32s(1usize << bits)?;
        let weights = r.i8s((1usize << bits) * n)?;
        let nb_bits = r.u32()?;
        if nb_bits > 30 {
            return Err(format!("naive Bayes hash size 2^{nb_bits} out of range"));
        }
        let weight = r.f32()?;
        let count = r.u32()? as usize;
        let default = r.f32s(n)?;
        let keys = (0..count).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
        if keys.windows(2).any(|k| k[0] >= k[1]) || keys.last().is_some_and(|k| *k >> nb_bits != 0)
        {
            return Err("naive Bayes rows out of order".into());
        }
        let nb_scales = r.f32s(count)?;
        let rows = r.i8s(count * n)?;
        if r.at != bytes.len() {
            return Err("trailing bytes after the weights".into());
        }
        Ok(Model {
            bits,
            classes,
            bias,
            scales,
            weights,
            bayes: Bayes {
                bits: nb_bits,
                weight,
                default,
                keys,
                scales: nb_scales,
                rows,
            },
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or("model file is truncated")?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
    fn f32s(&mut self, n: usize) -> Result<Vec<f32>, String> {
        (0..n).map(|_| self.f32()).collect()
    }
    fn i8s(&mut self, n: usize) -> Result<Vec<i8>, String> {
        Ok(self.take(n)?.iter().map(|b| *b as i8).collect())
    }
}

/// A text's feature vector is scaled to unit length so long titles do not outvote short
/// requests.
pub fn feature_norm(feats: &[(u32, f32)]) -> f32 {
    let sum: f32 = feats.iter().map(|(_, v)| v * v).sum();
    1.0 / sum.max(1.0).sqrt()
}

/// How much each kind of feature weighs in a text's vector: whole words more than the many
/// character n-grams, and the cue words' verdict most.
const WORD: f32 = 1.5;
const BIGRAM: f32 = 1.0;
const CHARS: f32 = 0.5;
const CUE: f32 = 4.0;
/// A word in a title's segment (before or after a separator such as "|" or " - ").
const SEGMENT: f32 = 2.0;
/// What splits a title into segments: "Song - Artist", "Title | Channel", "(Official Video)".
const SEPARATORS: &[char] = &['|', '-', '–', '—', ':', '/', '(', '[', '"'];

pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// Hashed feature buckets of `text` with their values, each bucket once: the linear model's
/// input.
pub fn features(text: &str, bits: u32) -> Vec<(u32, f32)> {
    encode(text, bits, bits).0
}

/// The buckets of `text`'s word-level features (no character n-grams), each once: the
/// naive Bayes model's input.
pub fn word_features(text: &str, bits: u32) -> Vec<u32> {
    encode(text, bits, bits).1
}

/// [`features`] in `2^bits` buckets and [`word_features`] in `2^word_bits`, from one pass.
pub fn encode(text: &str, bits: u32, word_bits: u32) -> (Vec<(u32, f32)>, Vec<u32>) {
    let raw = raw_features(text);
    let mask = (1u64 << bits) - 1;
    let mut feats: Vec<(u32, f32)> = raw.iter().map(|(h, v)| ((h & mask) as u32, *v)).collect();
    // One entry per bucket, its largest value.
    feats.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    feats.dedup_by_key(|f| f.0);
    let word_mask = (1u64 << word_bits) - 1;
    let mut words: Vec<u32> = raw
        .iter()
        .filter(|(h, _)| h >> 63 == 0)
        .map(|(h, _)| (h & word_mask) as u32)
        .collect();
    words.sort_unstable();
    words.dedup();
    (feats, words)
}

/// Every feature of `text` as (64-bit hash, value); the hash's top bit marks a character
/// n-gram.
fn raw_features(text: &str) -> Vec<(u64, f32)> {
    let norm = normalise(text);
    let words: Vec<String> = norm
        .split_whitespace()
        .map(|w| w.trim_matches(['.', '!', '\'']).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<(u64, f32)> = Vec::with_capacity(words.len() * 16);
    let mut push = |kind: u8, parts: &[&str]| {
        let value = match kind {
            b'w' => WORD,
            b'b' => BIGRAM,
            b'c' => CHARS,
            b'z' => SEGMENT,
            b'B' => 1.0,
            _ => CUE,
        };
        let mut h = Fnv::new();
        h.byte(kind);
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                h.byte(b' ');
            }
            h.bytes(p.as_bytes());
        }
        let top = if kind == b'c' { 1 << 63 } else { 0 };
        out.push(((h.0 & !(1 << 63)) | top, value));
    };
    push(b'B', &[]);
    let shaped: Vec<String> = words
        .iter()
        .map(|w| word_shape(w).unwrap_or_else(|| w.clone()))
        .collect();
    for (i, w) in words.iter().enumerate() {
        push(b'w', &[&shaped[i]]);
        if let Some(next) = shaped.get(i + 1) {
            push(b'b', &[&shaped[i], next]);
        }
        if shaped[i] != *w {
            continue;
        }
        let padded: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        for n in CHAR_NGRAMS {
            for gram in padded.windows(n) {
                let s: String = gram.iter().collect();
                push(b'c', &[&s]);
            }
        }
    }
    // A title's segments: the words of the first ("F") and of the later ones ("L").
    let segments: Vec<&str> = text
        .split(SEPARATORS)
        .filter(|s| !s.trim().is_empty())
        .collect();
    if segments.len() > 1 {
        for (i, segment) in segments.iter().enumerate() {
            let tag = if i == 0 { "F" } else { "L" };
            for w in normalise(segment).split_whitespace() {
                let w = w.trim_matches(['.', '!', '\'']);
                if !w.is_empty() {
                    push(
                        b'z',
                        &[tag, &word_shape(w).unwrap_or_else(|| w.to_string())],
                    );
                }
            }
        }
    }
    // What the cue words say, so the model learns how far to trust each category's cues
    // (news cues in a title are reliable, "review" in a film title is not).
    let cues = super::rule_scores(&norm);
    let top = cues
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| *c);
    for (category, score) in &cues {
        let name = category.as_str();
        push(b'r', &[name]);
        if *score >= 3.0 {
            push(b'R', &[name]);
        }
        if *score >= 6.0 {
            push(b'S', &[name]);
        }
        if Some(*category) == top {
            push(b't', &[name]);
        }
    }
    out
}

/// Numbers stand for their shape ("2026" and "1999" are both a year).
fn word_shape(w: &str) -> Option<String> {
    if !w.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = w.chars().filter(char::is_ascii_digit).count();
    let letters: String = w.chars().filter(|c| !c.is_ascii_digit()).collect();
    Some(format!("#{}{letters}", digits.min(5)))
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
    fn bytes(&mut self, bs: &[u8]) {
        for b in bs {
            self.byte(*b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_stable_and_cover_words_and_subwords() {
        let a = features("Minecraft 100 days", 16);
        assert_eq!(a, features("minecraft  100 DAYS!", 16));
        // Same shape of number, same features.
        assert_eq!(a, features("Minecraft 365 days", 16));
        assert!(a.len() > 20, "{}", a.len());
        assert!(a.iter().all(|(f, v)| *f < 1 << 16 && *v > 0.0));
        // Word features leave out the character n-grams.
        let w = word_features("Minecraft 100 days", 20);
        assert!(
            w.len() < a.len() / 3 && w.iter().all(|f| *f < 1 << 20),
            "{w:?}"
        );
        // A title's segments are features of their own.
        let segmented = features("Minecraft | 100 days", 16);
        assert!(segmented.len() > a.len(), "{} {}", segmented.len(), a.len());
    }

    #[test]
    fn a_model_round_trips_through_bytes_and_rejects_damage() {
        let classes = vec![Category::Gaming, Category::Cooking];
        let weights: Vec<f32> = (0..(1 << 8) * 2).map(|i| (i % 7) as f32 - 3.0).collect();
        let pasta = word_features("pasta", 12);
        let rows: Vec<(u32, Vec<f32>)> = pasta.iter().map(|k| (*k, vec![-1.0, 1.0])).collect();
        let bayes = Bayes::quantise(12, 2.0, vec![0.1, -0.1], &rows);
        let m = Model::quantise(8, classes, vec![0.1, -0.1], &weights, bayes);
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.classes(), m.classes());
        assert_eq!(back.predict("pasta"), m.predict("pasta"));
        // The naive Bayes rows count: "pasta" leans to cooking.
        let p = m.predict("pasta");
        assert!(p[1] > p[0], "{p:?}");
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(Model::from_bytes(&bad).is_err());
    }

    #[test]
    fn the_shipped_model_loads() {
        let m = shipped().expect("assets/category-model.bin parses");
        assert!(m.classes().len() >= 20);
        let p = m.predict("anything at all");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-3);
    }
}
