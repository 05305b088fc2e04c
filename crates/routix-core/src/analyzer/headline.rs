//! The words to set on a thumbnail. Text the creator gave (quotes, «», `text:`/`متن:`) is
//! used as given; otherwise the clause of the request or title that says the most is cut
//! to the two to four words a creator would write: numbers ("100 DAYS"), superlatives
//! ("CHEAPEST LAPTOP"), the things shown and questions are kept, fillers are not, and a
//! phrase is never cut in the middle.

use super::lexicon::{COLOR_WORDS, INSTRUCTION_CUES, STOPWORDS};
use super::{has, is_rtl, normalise};

/// Most words a derived headline keeps; thumbnails are read in a glance.
pub const MAX_HEADLINE_WORDS: usize = 4;

/// The text to set on the thumbnail: quoted text, a `text:` label, else the best two to
/// four words of the title or request.
pub(super) fn headline(raw: &str, text: &str) -> String {
    if let Some(q) = quoted(raw) {
        return q;
    }
    if let Some(l) = labelled(raw) {
        return l;
    }
    let described = described(raw);
    let instruction = described.is_none() && INSTRUCTION_CUES.iter().any(|c| has(text, c));
    let source = if instruction {
        strip_instructions(raw)
    } else {
        raw.to_string()
    };
    let clause: Vec<&str> = if let Some(title) = &described {
        title.split_whitespace().collect()
    } else if instruction {
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
        pasted_title(raw)
    };
    let h = punch(&clause).join(" ");
    if h.is_empty() {
        raw.split_whitespace()
            .take(MAX_HEADLINE_WORDS)
            .collect::<Vec<_>>()
            .join(" ")
    } else if is_rtl(&h) {
        h
    } else {
        h.to_uppercase()
    }
}

/// A pasted title's main part: before a separator ("|", " - ", "#", a colon after two or
/// more words), without bracketed asides ("(Official Video)", "[4K]") and emoji.
fn pasted_title(raw: &str) -> Vec<&str> {
    let mut title = raw.split(['|', '#', '•']).next().unwrap_or(raw);
    for sep in [" - ", " – ", " — ", ": ", " / "] {
        if let Some((head, _)) = title.split_once(sep) {
            if head.split_whitespace().count() >= 2 {
                title = head;
            }
        }
    }
    let mut depth = 0i32;
    title
        .split_whitespace()
        .filter(|w| {
            let opens = w.starts_with(['(', '[']);
            if opens {
                depth += 1;
            }
            let keep = depth == 0;
            if w.ends_with([')', ']']) {
                depth = (depth - 1).max(0);
            }
            keep && w.chars().any(char::is_alphanumeric)
        })
        .collect()
}

/// One word of a clause, as the headline scorer sees it.
struct Word<'a> {
    text: &'a str,
    weight: f32,
    /// A window may not start or end on it (little words, fillers).
    inner_only: bool,
    /// A punctuation mark or a joining word after it ends the phrase.
    ends_phrase: bool,
    question: bool,
    superlative: bool,
}

/// The best two to four consecutive words of `clause`: never across a phrase boundary,
/// never starting or ending on a little word, weighted towards numbers, superlatives,
/// things and emphasis. A clause that already fits is kept whole.
fn punch(clause: &[&str]) -> Vec<String> {
    punch_to(clause, MAX_HEADLINE_WORDS)
}

/// `headline` cut to at most `max_words` words, keeping the ones that sell (numbers,
/// superlatives, names, things) and never ending on a little word: what the compositor
/// sets when the whole headline cannot be read at YouTube's sizes. Punctuation around the
/// words goes, except a question mark.
pub fn shorten(headline: &str, max_words: usize) -> String {
    let words: Vec<&str> = headline.split_whitespace().collect();
    if words.len() <= max_words {
        return headline.to_string();
    }
    let cut = punch_to(&words, max_words.max(1));
    if cut.is_empty() {
        words[..max_words.max(1)].join(" ")
    } else {
        cut.join(" ")
    }
}

fn punch_to<'a>(clause: &[&'a str], max_words: usize) -> Vec<String> {
    let all_caps = clause.iter().all(|w| !w.chars().any(char::is_lowercase));
    // In a sentence-case title, a capital inside the title marks a name ("California").
    let capitalised = clause
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    let title_case = capitalised * 5 >= clause.len().max(1) * 3;
    let mut words: Vec<Word<'a>> = Vec::with_capacity(clause.len());
    for (i, raw) in clause.iter().enumerate() {
        let text = raw.trim_matches(|c: char| {
            !c.is_alphanumeric() && !matches!(c, '$' | '%' | '€' | '£' | '+' | '٪')
        });
        if text.is_empty() {
            continue;
        }
        let lower = normalise(text);
        let lower = lower.trim();
        if BOUNDARY_WORDS.contains(&lower) {
            if let Some(last) = words.last_mut() {
                last.ends_phrase = true;
            }
            continue;
        }
        let stop = is_stopword(text) || FILLERS.contains(&lower) || LITTLE_WORDS.contains(&lower);
        let digits = text
            .chars()
            .filter(|c| c.is_ascii_digit() || ('۰'..='۹').contains(c))
            .count();
        let year = digits == 4
            && text.chars().count() == 4
            && (lower.starts_with("19") || lower.starts_with("20"));
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let emphasised = !all_caps
            && letters >= 2
            && !text.chars().any(char::is_lowercase)
            && text.chars().any(char::is_uppercase);
        // "I" right before a shouted word is part of it ("I QUIT").
        let shouted_i = !all_caps
            && text == "I"
            && clause.get(i + 1).is_some_and(|n| {
                n.chars().filter(|c| c.is_alphabetic()).count() >= 2
                    && !n.chars().any(char::is_lowercase)
            });
        let named = !title_case && i > 0 && text.chars().next().is_some_and(char::is_uppercase);
        let first_part = lower.split_whitespace().next().unwrap_or(lower);
        let number = !year && (digits > 0 || NUMBER_WORDS.contains(&lower));
        // The first number of a title is its hook ("50K OF DEBT IN 18 MONTHS").
        let lead = number && !words.iter().any(|w| w.weight >= 4.0);
        let superlative = is_superlative(lower);
        let weight = if year {
            2.5
        } else if lead {
            4.5
        } else if number {
            4.0
        } else if emphasised {
            3.0
        } else if superlative {
            2.5
        } else if crate::subjects::lookup(first_part).is_some() {
            2.0
        } else if shouted_i {
            1.0
        } else if stop {
            0.0
        } else {
            1.0
        } + if named { 1.0 } else { 0.0 };
        words.push(Word {
            text,
            weight,
            inner_only: (stop && weight < 2.0 && !shouted_i) || NO_END.contains(&lower),
            ends_phrase: raw.ends_with([',', '.', '!', '?', ':', ';', '،', '؛', '…', '؟']),
            question: raw.ends_with(['?', '؟']),
            superlative,
        });
    }
    // Little words at the edges never help.
    let start = words
        .iter()
        .position(|w| !w.inner_only)
        .unwrap_or(words.len());
    let end = words
        .iter()
        .rposition(|w| !w.inner_only)
        .map_or(start, |e| e + 1);
    let words = &words[start..end];
    let window = if words.len() <= max_words
        && !words[..words.len().saturating_sub(1)]
            .iter()
            .any(|w| w.ends_phrase)
    {
        words
    } else {
        best_window(words, max_words)
    };
    let mut out: Vec<String> = window.iter().map(|w| w.text.to_string()).collect();
    if let (Some(last), Some(w)) = (out.last_mut(), window.last()) {
        if w.question {
            last.push(if w.text.chars().any(super::is_arabic_script) {
                '؟'
            } else {
                '?'
            });
        }
    }
    out
}

fn best_window<'a, 'b>(words: &'b [Word<'a>], max_words: usize) -> &'b [Word<'a>] {
    let mut best: (f32, usize, usize) = (f32::MIN, 0, words.len().min(1));
    for i in 0..words.len() {
        if words[i].inner_only {
            continue;
        }
        let mut sum = 0.0;
        for j in i..words.len().min(i + max_words) {
            sum += words[j].weight;
            let len = j - i + 1;
            let ends_ok = !words[j].inner_only;
            if ends_ok && (len >= 2.min(max_words) || words.len() == 1) {
                // Longer windows must earn their words; earlier ones win ties.
                // A number keeps the word it counts ("10 MINUTES", not "IN 10").
                // So does a superlative ("PERFECT EGGS", not "THE PERFECT").
                let dangling = (words[j].weight >= 4.0 || words[j].superlative)
                    && words.get(j + 1).is_some_and(|n| !n.inner_only)
                    && !words[j].ends_phrase;
                let score = sum - 0.8 * len.saturating_sub(2) as f32 - 0.01 * i as f32
                    + if len == 1 { -1.5 } else { 0.0 }
                    + if dangling { -2.0 } else { 0.0 }
                    // A question keeps its question mark.
                    + if words[j].question { 1.0 } else { 0.0 };
                if score > best.0 {
                    best = (score, i, j + 1);
                }
            }
            if words[j].ends_phrase {
                break;
            }
        }
    }
    &words[best.1..best.2]
}

fn is_superlative(w: &str) -> bool {
    SUPERLATIVES.contains(&w)
        || (w.len() > 5 && w.ends_with("est") && !w.ends_with("interest"))
        || w.ends_with("ترین")
}

/// Words that join two phrases; a headline takes one side.
const BOUNDARY_WORDS: &[&str] = &[
    "and", "but", "so", "that", "which", "who", "when", "while", "because", "then", "until", "و",
    "که", "اما", "ولی", "وقتی", "چون", "تا",
];

const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "twenty",
    "fifty",
    "hundred",
    "thousand",
    "million",
    "billion",
    "دو",
    "سه",
    "چهار",
    "پنج",
    "ده",
    "صد",
    "هزار",
    "میلیون",
    "میلیارد",
];

/// Function words and everyday verbs the shared stopword list leaves in; a headline does
/// not start or end on them.
const LITTLE_WORDS: &[&str] = &[
    "off",
    "up",
    "out",
    "just",
    "really",
    "so",
    "too",
    "also",
    "into",
    "onto",
    "over",
    "under",
    "after",
    "before",
    "should",
    "would",
    "could",
    "can",
    "will",
    "must",
    "might",
    "was",
    "were",
    "been",
    "being",
    "have",
    "has",
    "had",
    "do",
    "does",
    "did",
    "get",
    "got",
    "i'm",
    "i've",
    "you're",
    "we're",
    "it's",
    "here's",
    "what",
    "everyone",
    "everything",
    "know",
    "all",
    "his",
    "her",
    "their",
    "its",
    "them",
    "us",
    "he",
    "she",
    "they",
    "there",
    "here",
    "دارن",
    "داره",
    "دارم",
    "داریم",
    "میشه",
    "شد",
    "شده",
    "هست",
    "بود",
    "کنیم",
    "کردم",
    "کرد",
    "میکنه",
    "رو",
    "یه",
    "چی",
    "همه",
    "بعد",
    "قبل",
    "اون",
    "خیلی",
];

/// Words that leave a phrase hanging when it ends on them ("… WORTH", "… MAKES").
const NO_END: &[&str] = &[
    "worth", "makes", "make", "made", "found", "finds", "vs", "versus", "meets", "gets", "takes",
    "took", "tried", "bought", "played", "without", "like", "than", "بدون", "مثل",
];

const SUPERLATIVES: &[&str] = &[
    "best",
    "worst",
    "most",
    "least",
    "ultimate",
    "insane",
    "secret",
    "never",
    "free",
    "new",
    "first",
    "last",
    "only",
    "every",
    "impossible",
    "biggest",
    "huge",
    "crazy",
    "quit",
    "perfect",
    "بهترین",
    "بدترین",
    "جدید",
    "اولین",
    "آخرین",
    "رایگان",
    "مخفی",
    "غیرممکن",
    "هرگز",
];

pub(super) fn is_stopword(w: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shortening_keeps_the_words_that_sell() {
        assert_eq!(shorten("NEW SEASON", 4), "NEW SEASON");
        let cut = shorten("I PLAYED MINECRAFT HARDCORE FOR 100 DAYS", 3);
        assert!(cut.contains("100 DAYS"), "{cut}");
        assert!(cut.split_whitespace().count() <= 3, "{cut}");
        let cut = shorten("THE CHEAPEST GAMING LAPTOP ON AMAZON", 2);
        assert_eq!(cut, "CHEAPEST GAMING");
        let fa = shorten("سفر به شیراز در ۳ روز با ماشین", 3);
        assert!(fa.contains("۳ روز"), "{fa}");
        // Never more words than asked, never an empty cut.
        for n in 1..5 {
            let cut = shorten("and the of to in on", n);
            assert!(
                !cut.is_empty() && cut.split_whitespace().count() <= n,
                "{cut}"
            );
        }
    }
}
