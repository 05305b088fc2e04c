//! Training the category classifier: softmax regression by stochastic gradient descent over
//! the hashed features of [`classifier::features`], in a fixed order from a seeded generator,
//! and complement naive Bayes counts over [`classifier::word_features`], summed in the
//! examples' order, so the same examples always give the same file. Also the mapping between YouTube's own
//! category ids and Routix categories, used to label the titles data and to score on it.

use crate::Category;

use std::collections::HashMap;

use super::classifier::{self, feature_norm, softmax, Bayes, Model};

#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub label: Category,
    /// How much this example counts; hand-written requests count more than scraped titles.
    pub weight: f32,
}

#[derive(Debug, Clone, Copy)]
pub struct TrainConfig {
    /// Hash table of `2^bits` rows.
    pub bits: u32,
    pub epochs: usize,
    /// Starting learning rate, decayed linearly to zero.
    pub learning_rate: f32,
    pub seed: u64,
    /// 0 trains on the data as it is; 1 gives every class the same total weight; between,
    /// rare classes count for more without drowning the common ones.
    pub balance: f32,
    /// Hash space of the naive Bayes model, `2^bayes_bits` (stored sparsely, so it can be
    /// large: fewer collisions).
    pub bayes_bits: u32,
    /// Weight of its score against the linear model's log-probability; 0 leaves it out.
    pub bayes_weight: f32,
    /// Additive (Laplace) smoothing of its counts.
    pub bayes_alpha: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: 16,
            epochs: 20,
            learning_rate: 2.4,
            seed: 0x5EED_2026,
            balance: 0.0,
            bayes_bits: 20,
            bayes_weight: 2.0,
            bayes_alpha: 0.1,
        }
    }
}

/// An example as the trainer sees it: feature buckets with values, class index, weight.
type Encoded = (Vec<(u32, f32)>, usize, f32);

/// Trains on `examples`; classes are those with at least one example, in [`Category::ALL`] order.
pub fn train(examples: &[Example], cfg: &TrainConfig) -> Model {
    let classes: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|c| examples.iter().any(|e| e.label == *c))
        .collect();
    let n = classes.len();
    let rows = 1usize << cfg.bits;
    let mut weights = vec![0.0f32; rows * n];
    let mut bias = vec![0.0f32; n];
    let mut class_weight = vec![0.0f32; n];
    for e in examples {
        if let Some(i) = classes.iter().position(|c| *c == e.label) {
            class_weight[i] += e.weight;
        }
    }
    let total: f32 = class_weight.iter().sum();
    let class_factor: Vec<f32> = class_weight
        .iter()
        .map(|w| (total / (n as f32 * w.max(1e-3))).powf(cfg.balance))
        .collect();
    let encoded: Vec<Encoded> = examples
        .iter()
        .map(|e| {
            let label = classes.iter().position(|c| *c == e.label).unwrap_or(0);
            let weight = (e.weight * class_factor[label]).min(20.0);
            (classifier::features(&e.text, cfg.bits), label, weight)
        })
        .collect();
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = XorShift(cfg.seed | 1);
    let total = (cfg.epochs * encoded.len()).max(1) as f32;
    let mut step = 0usize;
    let mut logits = vec![0.0f32; n];
    for _ in 0..cfg.epochs {
        shuffle(&mut order, &mut rng);
        for &i in &order {
            let (feats, label, weight) = &encoded[i];
            let norm = feature_norm(feats);
            logits.copy_from_slice(&bias);
            for (f, v) in feats {
                let row = &weights[*f as usize * n..(*f as usize + 1) * n];
                for (l, w) in logits.iter_mut().zip(row) {
                    *l += w * v * norm;
                }
            }
            let p = softmax(&logits);
            let lr = cfg.learning_rate * (1.0 - step as f32 / total) * weight;
            step += 1;
            let grad: Vec<f32> = p
                .iter()
                .enumerate()
                .map(|(c, pc)| lr * (pc - if c == *label { 1.0 } else { 0.0 }))
                .collect();
            for (f, v) in feats {
                let row = &mut weights[*f as usize * n..(*f as usize + 1) * n];
                for (w, g) in row.iter_mut().zip(&grad) {
                    *w -= g * v * norm;
                }
            }
            for (b, g) in bias.iter_mut().zip(&grad) {
                *b -= g * 0.1;
            }
        }
    }
    let bayes = if cfg.bayes_weight > 0.0 {
        train_bayes(examples, &classes, cfg)
    } else {
        Bayes::default()
    };
    Model::quantise(cfg.bits, classes, bias, &weights, bayes)
}

/// Complement naive Bayes: a feature's row holds, per class, minus the log of its smoothed
/// frequency in the other classes' texts (each text counting its features once, times its
/// weight), centred across classes.
fn train_bayes(examples: &[Example], classes: &[Category], cfg: &TrainConfig) -> Bayes {
    let n = classes.len();
    let mut counts: HashMap<u32, Vec<f64>> = HashMap::new();
    let mut class_total = vec![0.0f64; n];
    for e in examples {
        let Some(label) = classes.iter().position(|c| *c == e.label) else {
            continue;
        };
        let w = f64::from(e.weight);
        for f in classifier::word_features(&e.text, cfg.bayes_bits) {
            counts.entry(f).or_insert_with(|| vec![0.0; n])[label] += w;
            class_total[label] += w;
        }
    }
    let all: f64 = class_total.iter().sum();
    let alpha = f64::from(cfg.bayes_alpha);
    let smoothing = alpha * (1u64 << cfg.bayes_bits) as f64;
    let row = |c: &[f64]| -> Vec<f32> {
        let sum: f64 = c.iter().sum();
        let raw: Vec<f64> = (0..n)
            .map(|k| -((sum - c[k] + alpha) / (all - class_total[k] + smoothing)).ln())
            .collect();
        let mean = raw.iter().sum::<f64>() / n as f64;
        raw.iter().map(|r| (r - mean) as f32).collect()
    };
    let default = row(&vec![0.0; n]);
    let mut keys: Vec<u32> = counts.keys().copied().collect();
    keys.sort_unstable();
    let rows: Vec<(u32, Vec<f32>)> = keys.iter().map(|k| (*k, row(&counts[k]))).collect();
    Bayes::quantise(cfg.bayes_bits, cfg.bayes_weight, default, &rows)
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

fn shuffle(v: &mut [usize], rng: &mut XorShift) {
    for i in (1..v.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// The Routix category a YouTube category id stands for, before finer cues are read
/// ("Howto & Style" holds cooking, beauty and DIY; the rules split it).
pub fn youtube_category(id: u32) -> Option<Category> {
    Some(match id {
        1 | 24 | 30 | 43 => Category::Entertainment,
        2 => Category::Cars,
        10 => Category::Music,
        15 => Category::Animals,
        17 => Category::Sports,
        19 => Category::Travel,
        20 => Category::Gaming,
        22 => Category::Vlog,
        23 => Category::Comedy,
        25 | 29 => Category::News,
        26 => Category::Diy,
        27 => Category::Education,
        28 => Category::Tech,
        _ => return None,
    })
}

/// Whether `predicted` is a right answer for a title YouTube filed under `id`: the one
/// category it maps to, or a finer Routix category inside a coarse YouTube one.
pub fn youtube_accepts(id: u32, predicted: Category) -> bool {
    use Category::*;
    let finer: &[Category] = match id {
        1 => &[Kids],
        17 => &[Fitness],
        22 => &[Podcast, Reaction],
        26 => &[Cooking, Beauty, Fitness, Tutorial],
        27 => &[Science, Tutorial],
        28 => &[Science, Review],
        _ => &[],
    };
    youtube_category(id) == Some(predicted) || finer.contains(&predicted)
}

/// Which of ten folds a text falls in, by a hash of its normalised form: folds 0 and 1 are
/// the held-out test split that training never reads.
pub fn fold(text: &str) -> u32 {
    let norm = super::normalise(text);
    let mut h: u32 = 0x811c_9dc5;
    for b in norm.trim().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, label: Category) -> Example {
        Example {
            text: text.into(),
            label,
            weight: 1.0,
        }
    }

    #[test]
    fn learns_a_separable_toy_set_and_is_deterministic() {
        let data = vec![
            ex("minecraft survival day one", Category::Gaming),
            ex("fortnite victory royale", Category::Gaming),
            ex("boss fight in elden ring", Category::Gaming),
            ex("easy pasta recipe", Category::Cooking),
            ex("chocolate cake recipe", Category::Cooking),
            ex("how to cook rice", Category::Cooking),
        ];
        let cfg = TrainConfig {
            bits: 12,
            ..TrainConfig::default()
        };
        let a = train(&data, &cfg);
        assert_eq!(a.to_bytes(), train(&data, &cfg).to_bytes());
        let gaming = a.classes().iter().position(|c| *c == Category::Gaming);
        let p = a.predict("minecraft boss fight");
        assert!(p[gaming.unwrap()] > 0.5, "{p:?}");
        let p = a.predict("pasta recipe");
        assert!(p[gaming.unwrap()] < 0.5, "{p:?}");
    }

    #[test]
    fn youtube_ids_map_to_categories_and_finer_ones_are_accepted() {
        assert_eq!(youtube_category(15), Some(Category::Animals));
        assert_eq!(youtube_category(99), None);
        assert!(youtube_accepts(26, Category::Cooking));
        assert!(youtube_accepts(26, Category::Diy));
        assert!(!youtube_accepts(26, Category::Gaming));
        assert!(!youtube_accepts(24, Category::News));
    }
}
