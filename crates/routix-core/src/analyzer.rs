//! The rule-based analyzer: what a request (or a pasted video title) is about, with no
//! network. It is the fallback for every LLM failure, so it must be good on its own:
//! category by weighted cue words, colours by name in English and Persian, the headline from
//! quotes, a `text:` label, or the title itself, and a style and mood that suit the category.

mod lexicon;

use lexicon::{
    CATEGORY_CUES, COLOR_WORDS, INSTRUCTION_CUES, MOOD_CUES, PALETTE_WORDS, STOPWORDS, STYLE_CUES,
};

use crate::{Analysis, AnalysisSource, Category, Direction, NamedColor};

/// Most words a derived headline keeps; thumbnails are read in a glance.
pub const MAX_HEADLINE_WORDS: usize = 6;

/// Analyses `prompt` with rules only.
pub fn analyze(prompt: &str) -> Analysis {
    let text = normalise(prompt);
    let rtl = is_rtl(prompt);
    let (category, confidence) = category(&text);
    let colors = colors(&text);
    let style = pick(&text, STYLE_CUES).unwrap_or_else(|| default_style(category));
    let mood = pick(&text, MOOD_CUES).unwrap_or_else(|| default_mood(category));
    Analysis {
        category,
        headline: headline(prompt, &text),
        keywords: keywords(&text),
        colors,
        style: style.to_string(),
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
        || (cue.chars().any(is_arabic_script) && text.contains(&format!(" {cue}")))
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

fn category(text: &str) -> (Category, f32) {
    let mut scores: Vec<(Category, f32)> = Vec::new();
    for (cat, weight, cues) in CATEGORY_CUES {
        let hits = cues.iter().filter(|c| has(text, c)).count() as f32;
        if hits > 0.0 {
            match scores.iter_mut().find(|(c, _)| c == cat) {
                Some((_, s)) => *s += hits * weight,
                None => scores.push((*cat, hits * weight)),
            }
        }
    }
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
                .is_none_or(|c| !c.is_alphabetic() || is_arabic_script(c));
            if boundary || word.chars().any(is_arabic_script) {
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
        Category::Reaction => "playful",
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
        Category::Music => "energetic",
        _ => "fun",
    }
}

/// The text to set on the thumbnail: quoted text, a `text:` label, else the prompt itself
/// trimmed of instructions and colour talk, at most six words.
fn headline(raw: &str, text: &str) -> String {
    if let Some(q) = quoted(raw) {
        return q;
    }
    if let Some(l) = labelled(raw) {
        return l;
    }
    if let Some(title) = described(raw) {
        return if is_rtl(&title) {
            title
        } else {
            title.to_uppercase()
        };
    }
    let instruction = INSTRUCTION_CUES.iter().any(|c| has(text, c));
    let source = if instruction {
        strip_instructions(raw)
    } else {
        raw.to_string()
    };
    let cleaned: Vec<&str> = if instruction {
        // The clause that says the most ("…python for beginners, blue colours" → the first),
        // without colour words, the little words that joined them, and "video"-type fillers
        // at its start; little words inside the title stay ("pasta in 10 minutes").
        let clauses: Vec<Vec<&str>> = source
            .split([',', '،', ';', '؛'])
            .map(content_words)
            .collect();
        let score = |c: &Vec<&str>| c.iter().filter(|w| !is_stopword(w)).count();
        clauses
            .into_iter()
            .max_by_key(|c| score(c) * 2 + usize::from(c.is_empty()))
            .unwrap_or_default()
    } else {
        // A pasted title: keep its words, cut after a separator like "|" or " - ".
        let title = raw.split(['|', '#']).next().unwrap_or(raw);
        let title = title.split(" - ").next().unwrap_or(title);
        title.split_whitespace().collect()
    };
    let mut head: Vec<&str> = cleaned.into_iter().take(MAX_HEADLINE_WORDS).collect();
    while head.last().is_some_and(|w| is_stopword(w)) {
        head.pop();
    }
    let h = head.join(" ");
    let h = h.trim_matches(|c: char| {
        matches!(c, ',' | '.' | ':' | ';' | '،' | '؛') || c.is_whitespace()
    });
    if h.is_empty() {
        raw.split_whitespace()
            .take(MAX_HEADLINE_WORDS)
            .collect::<Vec<_>>()
            .join(" ")
    } else if is_rtl(h) {
        h.to_string()
    } else {
        h.to_uppercase()
    }
}

fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&normalise(w).trim())
}

fn is_colour_word(w: &str) -> bool {
    let n = normalise(w);
    COLOR_WORDS.iter().any(|(c, _, _)| *c == n.trim())
}

/// A clause's words without colour words, the stopwords beside them ("red and black",
/// "with blue"), "video"-type fillers at its start, and symbol-only words (emoji).
fn content_words(clause: &str) -> Vec<&str> {
    let words: Vec<&str> = clause
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let colour: Vec<bool> = words.iter().map(|w| is_colour_word(w)).collect();
    let mut kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|&(i, w)| {
            let beside_colour =
                (i > 0 && colour[i - 1]) || colour.get(i + 1).copied().unwrap_or(false);
            !colour[i] && (!is_stopword(w) || !beside_colour)
        })
        .map(|(_, w)| *w)
        .collect();
    while kept
        .first()
        .is_some_and(|w| is_stopword(w) || FILLERS.contains(&normalise(w).trim()))
    {
        kept.remove(0);
    }
    while kept
        .last()
        .is_some_and(|w| is_stopword(w) || FILLERS.contains(&normalise(w).trim()))
    {
        kept.pop();
    }
    kept
}

/// Words that say what the request is about rather than what the thumbnail should say.
const FILLERS: &[&str] = &[
    "video",
    "videos",
    "thumbnail",
    "ویدیو",
    "ویدیوی",
    "ویدئو",
    "ویدئوی",
    "تامبنیل",
    "رنگ",
    "colors",
    "colours",
    "color",
    "colour",
];

fn quoted(raw: &str) -> Option<String> {
    for (open, close) in [('"', '"'), ('“', '”'), ('«', '»'), ('\'', '\'')] {
        if let Some(start) = raw.find(open) {
            let rest = &raw[start + open.len_utf8()..];
            if let Some(end) = rest.find(close) {
                let inner = rest[..end].trim();
                if !inner.is_empty()
                    && inner.chars().count() <= 80
                    && (open != '\'' || inner.contains(' '))
                {
                    return Some(inner.to_string());
                }
            }
        }
    }
    None
}

fn labelled(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    for label in [
        "text:",
        "title:",
        "headline:",
        "متن:",
        "تیتر:",
        "عنوان:",
        "text :",
        "متن :",
    ] {
        if let Some(pos) = lower.find(label) {
            // Byte offsets in `lower` match `raw` for these ASCII/Persian labels.
            let rest = raw.get(pos + label.len()..)?;
            // The label's value ends at a comma, a new line or the end of a sentence.
            let value = rest.split([',', '\n', '،', ';']).next()?;
            let value = value.split(". ").next()?.trim().trim_end_matches('.');
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
    }
    None
}

/// "cooking video: easy pasta in 10 minutes, warm colours": a few words saying what the
/// video is, a colon, then its title (up to the first comma). Words that are only symbols
/// (emoji) are left out.
fn described(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    let (head, rest) = match raw.split_once([':', '：']) {
        Some(split) => split,
        // "vlog about my trip to Shiraz", "ویدیو درباره‌ی …" (the same offsets in `raw`).
        None => [" about ", " درباره‌ی ", " درباره ی ", " درباره "]
            .iter()
            .find_map(|sep| {
                lower
                    .find(sep)
                    .map(|at| (&raw[..at], &raw[at + sep.len()..]))
            })
            .filter(|_| lower.len() == raw.len())?,
    };
    let head = head.to_lowercase();
    let descriptor = [
        "video",
        "thumbnail",
        "vlog",
        "episode",
        "ویدیو",
        "ویدئو",
        "تامبنیل",
        "قسمت",
    ]
    .iter()
    .any(|w| head.contains(w));
    if !descriptor
        || head.split_whitespace().count() > 5
        || INSTRUCTION_CUES
            .iter()
            .any(|c| has(&normalise(&head), c) && *c != "thumbnail")
    {
        return None;
    }
    let value = rest.split([',', '\n', '،', ';']).next()?;
    let words = content_words(value);
    let title = words.join(" ");
    let title = title.trim_end_matches(['.', '!', '?']).trim();
    (1..=10)
        .contains(&words.len())
        .then(|| title.to_string())
        .filter(|t| !t.is_empty())
}

/// Removes "create a gaming thumbnail with ... colors"-style scaffolding, keeping the subject.
fn strip_instructions(raw: &str) -> String {
    let mut patterns = [
        "create a",
        "create an",
        "make a",
        "make an",
        "design a",
        "generate a",
        "i want a",
        "i need a",
        "thumbnail for",
        "thumbnail about",
        "thumbnail",
        "for my video about",
        "for my video",
        "for my",
        "video about",
        "with",
        "colors",
        "colours",
        "color",
        "colour",
        "برای ویدیوی",
        "برای ویدیو",
        "برای ویدئوی",
        "تامبنیل",
        "بساز",
        "طراحی کن",
        "میخوام",
        "می‌خوام",
        "با رنگ های",
        "با رنگ‌های",
        "با رنگ",
        "رنگ",
    ];
    // Longest first, so "for my video about" goes whole before "with" or "for my" could split it.
    patterns.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut s = raw.to_string();
    for pattern in patterns {
        let mut from = 0;
        loop {
            let lower = s.to_lowercase();
            // Lower-casing Persian and ASCII keeps byte offsets; anything else is skipped.
            if lower.len() != s.len() {
                break;
            }
            let Some(found) = lower[from..].find(pattern) else {
                break;
            };
            let (pos, end) = (from + found, from + found + pattern.len());
            let starts_word = s[..pos]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let ends_word = s[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            if starts_word && ends_word {
                s.replace_range(pos..end, " ");
                from = pos;
            } else {
                from = end;
            }
        }
    }
    s
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
