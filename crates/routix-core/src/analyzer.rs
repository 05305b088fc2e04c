//! The rule-based analyzer: what a request (or a pasted video title) is about, with no
//! network. It is the fallback for every LLM failure, so it must be good on its own:
//! category by weighted cue words, colours by name in English and Persian, the headline from
//! quotes, a `text:` label, or the title itself, and a style and mood that suit the category.

pub mod classifier;
mod correction;
mod cues;
mod headline;
mod lexicon;
pub mod train;

use lexicon::{COLOR_WORDS, MOOD_CUES, PALETTE_WORDS, STOPWORDS, STYLE_CUES};

use crate::{Analysis, AnalysisSource, Category, Direction, NamedColor};

pub use correction::{correction, Correction};
use headline::headline;
pub use headline::{shorten, MAX_HEADLINE_WORDS};

/// Analyses `prompt` with rules only.
pub fn analyze(prompt: &str) -> Analysis {
    let text = normalise(prompt);
    let rtl = is_rtl(prompt);
    let (category, confidence) = categorise(prompt, &text, classifier::shipped(), Blend::SHIPPED);
    let colors = colors(&text);
    let style = pick(&text, STYLE_CUES).unwrap_or_else(|| default_style(category));
    // A comparison or a transformation asks for a composition, ahead of any look.
    let style = match composition(&text) {
        Some(shape) => format!("{shape} {style}"),
        None => style.to_string(),
    };
    let mood = pick(&text, MOOD_CUES).unwrap_or_else(|| default_mood(category));
    Analysis {
        category,
        headline: headline(prompt, &text),
        keywords: keywords(&text),
        subjects: subjects(prompt),
        colors,
        style,
        mood: mood.to_string(),
        language: if rtl { "fa" } else { "en" }.to_string(),
        direction: if rtl { Direction::Rtl } else { Direction::Ltr },
        confidence,
        source: AnalysisSource::Rules,
        image_description: None,
    }
}

/// Lower case, Arabic letter forms unified to Persian, ZWNJ and punctuation to spaces,
/// padded with spaces so whole-word search is `contains(" word ")`.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    for c in s.chars() {
        let c = match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ة' => 'ه',
            'أ' | 'إ' => 'ا',
            '\u{200c}' | '\u{200f}' | '\u{200e}' => ' ',
            '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10).unwrap_or(c),
            '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10).unwrap_or(c),
            c if c.is_alphanumeric() || c == '\'' || c == '.' || c == '!' => c,
            _ => ' ',
        };
        out.extend(c.to_lowercase());
    }
    out.push(' ');
    // Collapse runs of spaces so phrases match across punctuation.
    let mut collapsed = String::with_capacity(out.len());
    let mut last_space = false;
    for c in out.chars() {
        if c == ' ' {
            if !last_space {
                collapsed.push(c);
            }
            last_space = true;
        } else {
            collapsed.push(c);
            last_space = false;
        }
    }
    collapsed
}

fn has(text: &str, cue: &str) -> bool {
    let cue = cue.trim();
    if cue.chars().all(|c| !c.is_alphanumeric()) {
        return text.contains(cue);
    }
    text.contains(&format!(" {cue} "))
        || text.contains(&format!(" {cue}. "))
        || text.contains(&format!(" {cue}! "))
        // Persian attaches plural and object suffixes: «بازی‌ها», «آموزشی».
        || (cue.chars().any(is_arabic_script) && persian_word_at(text, cue).is_some())
}

/// Byte offset of Persian `cue` at the start of a word of `text`, the word being the cue
/// plus a suffix. Short cues take only the common suffixes, so «مو» (hair) is not found
/// in «موسیقی» nor «شیر» (lion) in «شیراز»; longer ones take any ending («آموزشی»).
pub(crate) fn persian_word_at(text: &str, cue: &str) -> Option<usize> {
    let needle = format!(" {cue}");
    let mut from = 0;
    while let Some(found) = text[from..].find(&needle) {
        let at = from + found;
        // The cue (perhaps several words) and whatever ends its last word.
        let rest = &text[at + 1..];
        let end = cue.len()
            + rest[cue.len()..]
                .find(' ')
                .unwrap_or(rest.len() - cue.len());
        let word = rest[..end].trim_end_matches(['.', '!']);
        if cues::word_matches(cue, word) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

fn is_arabic_script(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Right-to-left when most letters are Arabic-script.
pub fn is_rtl(s: &str) -> bool {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        if is_arabic_script(c) {
            arabic += 1;
        } else {
            latin += 1;
        }
    }
    arabic > 0 && arabic >= latin
}

/// How the trained model and the cue words are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blend {
    /// Log-odds a point of cue weight is worth against the model's log-probability.
    pub rule_weight: f32,
    /// With no cue word at all, a model this unsure (top probability) answers `general`.
    pub general_below: f32,
}

impl Blend {
    pub const SHIPPED: Blend = Blend {
        rule_weight: 0.1,
        general_below: 0.2,
    };
}

/// The category of a prompt and how sure of it Routix is: the model's log-probabilities
/// plus the weighted cue words found in `text` (its normalised form), as one softmax.
/// Without a model, the cue words alone decide.
pub fn categorise(
    prompt: &str,
    text: &str,
    model: Option<&classifier::Model>,
    blend: Blend,
) -> (Category, f32) {
    let rules = rule_scores(text);
    let Some(model) = model else {
        return rules_only(rules);
    };
    let probs = model.predict(prompt);
    let rule = |c: Category| rules.iter().find(|(r, _)| *r == c).map_or(0.0, |(_, s)| *s);
    let combined: Vec<f32> = model
        .classes()
        .iter()
        .zip(&probs)
        .map(|(c, p)| p.max(1e-6).ln() + blend.rule_weight * rule(*c))
        .collect();
    let blended = classifier::softmax(&combined);
    let (best, conf) =
        blended.iter().enumerate().fold(
            (0, 0.0f32),
            |(bi, bp), (i, p)| if *p > bp { (i, *p) } else { (bi, bp) },
        );
    let top_model = probs.iter().copied().fold(0.0f32, f32::max);
    if rules.is_empty() && top_model < blend.general_below {
        return (Category::General, (1.0 - top_model).min(0.5));
    }
    let category = model.classes()[best];
    // `general` means no topic was found: never a confident answer.
    let conf = if category == Category::General {
        conf.min(0.4)
    } else {
        conf
    };
    (category, (conf * 100.0).round() / 100.0)
}

/// Summed cue weights per category, for the categories with any cue in `text`.
pub fn rule_scores(text: &str) -> Vec<(Category, f32)> {
    cues::index().scores(text)
}

/// The cue words' answer alone: the best score, sure in proportion to its lead.
fn rules_only(mut scores: Vec<(Category, f32)>) -> (Category, f32) {
    // Stable order: score, then the category list's order.
    scores.sort_by(|a, b| {
        b.1.partial_cmp(&a.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| {
                Category::ALL
                    .iter()
                    .position(|c| *c == a.0)
                    .cmp(&Category::ALL.iter().position(|c| *c == b.0))
            })
    });
    match scores.as_slice() {
        [] => (Category::General, 0.3),
        [(c, s)] => (*c, (0.6 + s / 20.0).min(0.95)),
        [(c, s), (_, next), ..] => {
            let margin = (s - next) / s;
            (*c, (0.45 + margin * 0.4 + s / 40.0).min(0.95))
        }
    }
}

/// The cue words' category for `prompt`, used to split YouTube's coarse categories when
/// labelling training data.
pub fn rule_category(prompt: &str) -> Option<Category> {
    let scores = rule_scores(&normalise(prompt));
    (!scores.is_empty()).then(|| rules_only(scores).0)
}

fn colors(text: &str) -> Vec<NamedColor> {
    let mut found: Vec<(usize, NamedColor)> = Vec::new();
    let mut taken = text.to_string();
    for (word, name, hex) in COLOR_WORDS {
        let needle = format!(" {word}");
        while let Some(pos) = taken.find(&needle) {
            let end = pos + needle.len();
            let boundary = taken[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphabetic());
            // Whole words only, in both scripts: «سبزی» (herbs) is no green.
            if boundary {
                if !found.iter().any(|(_, c)| c.name == *name) {
                    found.push((
                        pos,
                        NamedColor {
                            name: name.to_string(),
                            hex: *hex,
                        },
                    ));
                }
                // Blank it so "dark blue" is not also read as "blue".
                taken.replace_range(pos + 1..end, &" ".repeat(end - pos - 1));
            } else {
                taken.replace_range(pos..pos + 1, "\u{1}");
            }
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    if found.is_empty() {
        // "warm colours": a family of colours, when none is named.
        if let Some((_, family)) = PALETTE_WORDS.iter().find(|(phrase, _)| has(text, phrase)) {
            return family
                .iter()
                .map(|(name, hex)| NamedColor {
                    name: name.to_string(),
                    hex: *hex,
                })
                .collect();
        }
    }
    found.into_iter().map(|(_, c)| c).take(4).collect()
}

/// `versus` for "A vs B" requests, `before-after` for transformations: the template styles
/// that lay out two sides.
pub fn composition(text: &str) -> Option<&'static str> {
    const VERSUS: &[&str] = &[
        "vs",
        "vs.",
        "versus",
        "compared to",
        "comparison",
        "در مقابل",
        "در برابر",
        "مقایسه",
    ];
    const BEFORE_AFTER: &[&str] = &[
        "before and after",
        "before after",
        "before & after",
        "transformation",
        "glow up",
        "makeover",
        "قبل و بعد",
        "قبل بعد",
        "تغییر چهره",
    ];
    if BEFORE_AFTER.iter().any(|c| has(text, c)) {
        Some("before-after")
    } else if VERSUS.iter().any(|c| has(text, c)) {
        Some("versus")
    } else {
        None
    }
}

/// The mood `prompt` names outright ("calm", «هیجانی»), if any — no category default.
pub fn named_mood(prompt: &str) -> Option<&'static str> {
    pick(&normalise(prompt), MOOD_CUES)
}

fn pick(text: &str, table: &[(&'static str, &[&str])]) -> Option<&'static str> {
    table
        .iter()
        .map(|(name, cues)| (*name, cues.iter().filter(|c| has(text, c)).count()))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(name, _)| name)
}

fn default_style(c: Category) -> &'static str {
    match c {
        Category::Gaming | Category::Music => "neon",
        Category::Finance | Category::News | Category::Podcast | Category::Education => {
            "professional"
        }
        Category::Vlog | Category::Travel | Category::Cooking => "cinematic",
        Category::Beauty => "minimal",
        Category::Reaction | Category::Comedy | Category::Kids | Category::Animals => "playful",
        Category::Science | Category::Entertainment => "cinematic",
        _ => "bold",
    }
}

fn default_mood(c: Category) -> &'static str {
    match c {
        Category::Gaming | Category::Sports | Category::Fitness | Category::Reaction => "energetic",
        Category::News => "dramatic",
        Category::Travel | Category::Beauty | Category::Vlog | Category::Cooking => "inspiring",
        Category::Finance | Category::Education | Category::Tutorial | Category::Podcast => {
            "serious"
        }
        Category::Music | Category::Cars => "energetic",
        Category::Entertainment => "dramatic",
        Category::Science | Category::Diy => "inspiring",
        _ => "fun",
    }
}

/// What to draw: up to four subjects, named in the request's language (the English name
/// for English and for emoji, the word as written for Persian).
fn subjects(prompt: &str) -> Vec<String> {
    crate::subjects::find(prompt)
        .into_iter()
        .map(|(s, word)| {
            if word.chars().any(is_arabic_script) {
                word
            } else {
                s.name.to_string()
            }
        })
        .take(4)
        .collect()
}

fn keywords(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in text.split_whitespace() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.chars().count() < 3
            || STOPWORDS.contains(&w)
            || COLOR_WORDS.iter().any(|(c, _, _)| *c == w)
        {
            continue;
        }
        if !out.iter().any(|k| k == w) {
            out.push(w.to_string());
        }
        if out.len() == 8 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests;
