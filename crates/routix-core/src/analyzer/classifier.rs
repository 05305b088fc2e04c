//! The trained category classifier: a linear model over hashed word and character n-grams,
//! shipped as `assets/category-model.bin` and compiled into the binary.
//!
//! Word unigrams and bigrams carry names and phrases ("official video", "test drive");
//! character 2–5-grams inside each word carry morphology, so Persian suffixes («بازی‌ها»,
//! «آموزشی») and misspelt or transliterated names still land near their stems. Features are
//! hashed (FNV-1a, stable across platforms) into `2^bits` rows of one score per class,
//! quantised to `i8` with one scale for the whole table. `routix dev train` writes the file.

use std::sync::OnceLock;

use crate::Category;

use super::normalise;

const MAGIC: &[u8; 8] = b"RTXCAT03";
/// Shortest and longest character n-gram; part of the file's meaning, so fixed here.
const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 2..=5;

/// A loaded model: classes, per-class bias and a quantised weight row per hash bucket.
#[derive(Debug, Clone)]
pub struct Model {
    bits: u32,
    classes: Vec<Category>,
    bias: Vec<f32>,
    /// One scale per hash row.
    scales: Vec<f32>,
    weights: Vec<i8>,
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
    /// weak ones their resolution.
    pub fn quantise(bits: u32, classes: Vec<Category>, bias: Vec<f32>, weights: &[f32]) -> Model {
        let n = classes.len().max(1);
        let mut scales = Vec::with_capacity(weights.len() / n);
        let mut quantised = Vec::with_capacity(weights.len());
        for row in weights.chunks(n) {
            let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
            scales.push(scale);
            quantised.extend(row.iter().map(|w| {
                if scale > 0.0 {
                    (w / scale).round().clamp(-127.0, 127.0) as i8
                } else {
                    0
                }
            }));
        }
        Model {
            bits,
            classes,
            bias,
            scales,
            weights: quantised,
        }
    }

    pub fn classes(&self) -> &[Category] {
        &self.classes
    }

    /// Probability of each class for `text`, in the order of [`Model::classes`].
    pub fn predict(&self, text: &str) -> Vec<f32> {
        let n = self.classes.len();
        let feats = features(text, self.bits);
        let mut acc = vec![0.0f32; n];
        for (f, v) in &feats {
            let row = &self.weights[*f as usize * n..(*f as usize + 1) * n];
            let scaled = v * self.scales[*f as usize];
            for (a, w) in acc.iter_mut().zip(row) {
                *a += f32::from(*w) * scaled;
            }
        }
        let norm = feature_norm(&feats);
        let logits: Vec<f32> = acc
            .iter()
            .zip(&self.bias)
            .map(|(a, b)| a * norm + b)
            .collect();
        softmax(&logits)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.weights.len() + 256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&(self.classes.len() as u32).to_le_bytes());
        for c in &self.classes {
            out.push(c.as_str().len() as u8);
            out.extend_from_slice(c.as_str().as_bytes());
        }
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for s in &self.scales {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend(self.weights.iter().map(|w| *w as u8));
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
        let bias = (0..n).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
        let scales = (0..1usize << bits)
            .map(|_| r.f32())
            .collect::<Result<Vec<_>, _>>()?;
        let weights: Vec<i8> = r
            .take((1usize << bits) * n)?
            .iter()
            .map(|b| *b as i8)
            .collect();
        if r.at != bytes.len() {
            return Err("trailing bytes after the weights".into());
        }
        Ok(Model {
            bits,
            classes,
            bias,
            scales,
            weights,
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

pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// Hashed feature buckets of `text` with their values, each bucket once.
pub fn features(text: &str, bits: u32) -> Vec<(u32, f32)> {
    let norm = normalise(text);
    let words: Vec<String> = norm
        .split_whitespace()
        .map(|w| w.trim_matches(['.', '!', '\'']).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let mask = (1u64 << bits) - 1;
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(words.len() * 16);
    let mut push = |kind: u8, parts: &[&str]| {
        let value = match kind {
            b'w' => WORD,
            b'b' => BIGRAM,
            b'c' => CHARS,
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
        out.push(((h.0 & mask) as u32, value));
    };
    push(b'B', &[]);
    for (i, w) in words.iter().enumerate() {
        let shape = word_shape(w);
        push(b'w', &[shape.as_deref().unwrap_or(w)]);
        if let Some(next) = words.get(i + 1) {
            let next_shape = word_shape(next);
            push(
                b'b',
                &[
                    shape.as_deref().unwrap_or(w),
                    next_shape.as_deref().unwrap_or(next),
                ],
            );
        }
        if shape.is_some() {
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
    // One entry per bucket, its largest value.
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    out.dedup_by_key(|f| f.0);
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
    }

    #[test]
    fn a_model_round_trips_through_bytes_and_rejects_damage() {
        let classes = vec![Category::Gaming, Category::Cooking];
        let weights: Vec<f32> = (0..(1 << 8) * 2).map(|i| (i % 7) as f32 - 3.0).collect();
        let m = Model::quantise(8, classes, vec![0.1, -0.1], &weights);
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.classes(), m.classes());
        assert_eq!(back.predict("pasta"), m.predict("pasta"));
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
