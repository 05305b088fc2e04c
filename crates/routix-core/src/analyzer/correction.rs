//! A creator correcting what Routix understood, in words: "it's about cars, not gaming",
//! «درباره‌ی ماشینه نه بازی», "the text should be: I QUIT". The correction is kept with the
//! conversation and applied to its later generations.

use serde::{Deserialize, Serialize};

use crate::{Analysis, Category};

use super::{normalise, rule_scores};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The category the creator said it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

impl Correction {
    /// `analysis` with the creator's word taking precedence.
    pub fn apply(&self, analysis: &mut Analysis) {
        if let Some(c) = self.category {
            analysis.category = c;
            analysis.confidence = 1.0;
        }
        if let Some(h) = &self.headline {
            analysis.headline = h.clone();
        }
    }

    /// Later corrections win field by field.
    pub fn merge(mut self, later: Correction) -> Correction {
        if later.category.is_some() {
            self.category = later.category;
            self.not_category = later.not_category;
        }
        if later.headline.is_some() {
            self.headline = later.headline;
        }
        self
    }
}

/// How a correction of the last answer opens, as opposed to a new request.
const OPENERS: &[&str] = &[
    "no",
    "nope",
    "actually",
    "it's",
    "its",
    "it is",
    "this is",
    "wrong",
    "the category",
    "category",
    "موضوعش",
    "موضوع",
    "درباره",
    "نه",
    "اشتباه",
    "این",
];

const NEGATIONS: &[&str] = &["not", "isn't", "not a", "نه", "نیست"];

/// The correction in `message`, if it is one: a short message with a marker that names a
/// category (and maybe the one it is not), or a new headline ("the text should be …").
pub fn correction(message: &str) -> Option<Correction> {
    let text = normalise(message);
    let words = text.split_whitespace().count();
    if words == 0 || words > 14 {
        return None;
    }
    let headline = new_headline(message);
    let opened = OPENERS.iter().any(|o| text.starts_with(&format!(" {o} ")));
    let (category, not_category) = categories(&text);
    // Without an opener, only "X, not Y" with both sides named is a correction.
    let (category, not_category) = if opened || not_category.is_some() {
        (category, not_category)
    } else {
        (None, None)
    };
    let category = category.filter(|c| Some(*c) != not_category);
    (category.is_some() || headline.is_some()).then_some(Correction {
        category,
        not_category,
        headline,
    })
}

/// The category the message affirms and the one it negates ("cars, not gaming").
fn categories(text: &str) -> (Option<Category>, Option<Category>) {
    // Split at the first negation: what follows it (up to a comma) is what it is not.
    let mut positive = text.to_string();
    let mut negative = String::new();
    for n in NEGATIONS {
        let needle = format!(" {n} ");
        if let Some(at) = text.find(&needle) {
            let rest = &text[at + needle.len()..];
            let (neg, after) = rest.split_once([',', '،']).unwrap_or((rest, ""));
            negative = format!(" {neg} ");
            positive = format!("{} {after} ", &text[..at]);
            break;
        }
    }
    let best = |t: &str| {
        rule_scores(t)
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
    };
    (best(&positive), best(&negative))
}

/// "the text should be: I QUIT", "change the headline to …", «متن رو بذار …».
fn new_headline(message: &str) -> Option<String> {
    let lower = message.to_lowercase();
    let cues = [
        "text should be",
        "headline should be",
        "change the text to",
        "change the headline to",
        "make the text",
        "make the headline",
        "متن رو بذار",
        "متن را بگذار",
        "تیتر رو بذار",
        "تیتر را بگذار",
        "متنش باشه",
        "متن بشه",
    ];
    for cue in cues {
        // Lower-casing keeps byte offsets for ASCII and Persian, the only cues here.
        if let Some(at) = lower.find(cue).filter(|_| lower.len() == message.len()) {
            let rest = message[at + cue.len()..]
                .trim_start_matches([':', ' ', '"', '«', '“'])
                .trim_end_matches(['"', '»', '”', '.', ' ']);
            let value = rest.trim();
            if !value.is_empty() && value.chars().count() <= 60 {
                return Some(value.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_in_words_name_the_category_and_what_it_is_not() {
        let cases = [
            (
                "it's about cars, not gaming",
                Category::Cars,
                Some(Category::Gaming),
            ),
            ("no, it's a cooking video", Category::Cooking, None),
            ("actually it's about my dog", Category::Animals, None),
            (
                "درباره‌ی ماشینه نه بازی",
                Category::Cars,
                Some(Category::Gaming),
            ),
            (
                "موضوعش آشپزیه، نه سفر",
                Category::Cooking,
                Some(Category::Travel),
            ),
        ];
        for (message, category, not) in cases {
            let c = correction(message).unwrap_or_else(|| panic!("{message}: none"));
            assert_eq!(c.category, Some(category), "{message}");
            assert_eq!(c.not_category, not, "{message}");
        }
    }

    #[test]
    fn new_requests_are_not_corrections() {
        for message in [
            "gaming video, red and black, text: NEW SEASON",
            "I Survived 100 Days in Hardcore Minecraft",
            "تامبنیل آشپزی با رنگ زرد",
            "why you should not buy a car in 2026 and what to buy instead of it now",
        ] {
            assert_eq!(correction(message), None, "{message}");
        }
    }

    #[test]
    fn a_new_headline_is_taken_as_written() {
        let c = correction("the text should be: I QUIT").unwrap();
        assert_eq!(c.headline.as_deref(), Some("I QUIT"));
        let c = correction("متن رو بذار «فصل جدید»").unwrap();
        assert_eq!(c.headline.as_deref(), Some("فصل جدید"));
    }

    #[test]
    fn applying_and_merging_keep_the_latest_word() {
        let mut a = super::super::analyze("Minecraft but every minute it gets harder");
        let c = Correction {
            category: Some(Category::Cars),
            ..Default::default()
        }
        .merge(Correction {
            headline: Some("FAST".into()),
            ..Default::default()
        });
        c.apply(&mut a);
        assert_eq!((a.category, a.headline.as_str()), (Category::Cars, "FAST"));
    }
}
