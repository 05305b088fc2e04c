//! What a search over a user's conversations is: the letter folding shared by the index and
//! the query, the query parsed into plain words (so no search-engine syntax a user types ever
//! reaches the database), and the snippet of a hit cut around its first match.
//!
//! The folding is mirrored in SQL by migration `0011_chat_search` on both databases; change
//! one and the other must follow, or indexed text and queries stop meeting.

use crate::CoreError;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Target length of a snippet, in characters (ellipses not counted).
pub const SNIPPET_CHARS: usize = 120;
/// How much of the text before the first match a snippet keeps, in characters.
const LEAD_CHARS: usize = 30;

/// Arabic letter variants a Persian keyboard may produce become their Persian forms, and the
/// zero-width non-joiner (می‌خواهم) separates words as a space does (می خواهم). One character in,
/// one out, so positions in folded text are positions in the original.
pub fn fold_char(c: char) -> char {
    match c {
        'ي' | 'ى' => 'ی',
        'ك' => 'ک',
        '\u{200c}' => ' ',
        c => c,
    }
}

/// `fold_char`, then lower case (its first character, to keep positions).
fn fold_lower(c: char) -> char {
    let c = fold_char(c);
    c.to_lowercase().next().unwrap_or(c)
}

/// A search as the user typed it, reduced to words: letters and digits, folded and lower
/// case, each matched as a word prefix, all required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<String>,
}

impl SearchQuery {
    pub fn parse(q: &str) -> Result<SearchQuery, CoreError> {
        let invalid = |reason: &str| CoreError::Invalid {
            field: "q",
            reason: reason.to_string(),
        };
        let q = q.trim();
        if q.is_empty() {
            return Err(invalid("type something to search for"));
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(invalid(&format!(
                "at most {MAX_QUERY_CHARS} characters, please"
            )));
        }
        let mut terms: Vec<String> = Vec::new();
        let folded: String = q.chars().map(fold_lower).collect();
        for word in folded.split(|c: char| !c.is_alphanumeric()) {
            if !word.is_empty() && !terms.iter().any(|t| t == word) {
                terms.push(word.to_string());
            }
        }
        if terms.is_empty() {
            return Err(invalid("search for at least one word (letters or digits)"));
        }
        Ok(SearchQuery { terms })
    }

    /// The distinct words, in the order typed.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

/// A short piece of `text` (whitespace collapsed) around the first place a query word starts
/// a word, with `…` where it was cut. Text that fits is returned whole.
pub fn snippet(text: &str, query: &SearchQuery) -> String {
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if chars.len() <= SNIPPET_CHARS {
        return chars.into_iter().collect();
    }
    let folded: Vec<char> = chars.iter().copied().map(fold_lower).collect();
    let at = first_match(&folded, query).unwrap_or(0);
    let mut start = at.saturating_sub(LEAD_CHARS);
    // Start on a word: after the nearest space before the match, if it is close.
    if start > 0 {
        if let Some(space) = folded[start..at].iter().position(|c| *c == ' ') {
            start += space + 1;
        }
    }
    let mut end = (start + SNIPPET_CHARS).min(chars.len());
    if end < chars.len() {
        // End on a word when one ends in the last stretch.
        if let Some(space) = folded[at..end].iter().rposition(|c| *c == ' ') {
            let cut = at + space;
            if end - cut < SNIPPET_CHARS / 4 {
                end = cut;
            }
        }
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Earliest position where a query word begins a word of `folded`; failing that, where one
/// appears at all.
fn first_match(folded: &[char], query: &SearchQuery) -> Option<usize> {
    let terms: Vec<Vec<char>> = query.terms.iter().map(|t| t.chars().collect()).collect();
    let at = |i: usize, t: &Vec<char>| folded[i..].starts_with(t);
    let word_start = (0..folded.len())
        .find(|&i| (i == 0 || !folded[i - 1].is_alphanumeric()) && terms.iter().any(|t| at(i, t)));
    word_start.or_else(|| (0..folded.len()).find(|&i| terms.iter().any(|t| at(i, t))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<String> {
        SearchQuery::parse(q).unwrap().terms().to_vec()
    }

    #[test]
    fn queries_become_folded_lower_case_words() {
        let cases: &[(&str, &[&str])] = &[
            ("Gaming video", &["gaming", "video"]),
            ("كيك شكلاتي", &["کیک", "شکلاتی"]),
            ("می‌خواهم", &["می", "خواهم"]),
            ("\"red\" OR -blue*", &["red", "or", "blue"]),
            ("NEAR(a b)", &["near", "a", "b"]),
            ("it's it's", &["it", "s"]),
            ("  season 2  ", &["season", "2"]),
        ];
        for (q, want) in cases {
            assert_eq!(terms(q), *want, "{q:?}");
        }
    }

    #[test]
    fn rejects_empty_long_and_wordless_queries() {
        for q in ["", "   ", "\"", "*", "-", "'", "()", "«»", "\u{200c}"] {
            assert!(SearchQuery::parse(q).is_err(), "{q:?}");
        }
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS + 1)).is_err());
    }

    #[test]
    fn short_text_is_its_own_snippet() {
        let q = SearchQuery::parse("cake").unwrap();
        assert_eq!(snippet("a  chocolate\ncake", &q), "a chocolate cake");
    }

    #[test]
    fn snippet_is_cut_around_the_first_match() {
        let filler = "lorem ipsum dolor sit amet ".repeat(10);
        let text = format!("{filler}the chocolate cake video {filler}");
        let q = SearchQuery::parse("CAKE").unwrap();
        let s = snippet(&text, &q);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("chocolate cake video"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 2, "{s}");
        // Cut between words, not inside them.
        let first = s.trim_start_matches('…').split(' ').next().unwrap();
        let last = s.trim_end_matches('…').rsplit(' ').next().unwrap();
        let words = [
            "lorem",
            "ipsum",
            "dolor",
            "sit",
            "amet",
            "the",
            "chocolate",
            "cake",
            "video",
        ];
        assert!(words.contains(&first) && words.contains(&last), "{s}");
    }

    #[test]
    fn snippet_finds_persian_across_letter_variants() {
        let filler = "متن طولانی برای آزمایش ".repeat(8);
        let text = format!("{filler}كيك شكلاتي خوشمزه {filler}");
        let q = SearchQuery::parse("کیک").unwrap();
        let s = snippet(&text, &q);
        // The original letters are kept; the match is in the piece.
        assert!(s.contains("كيك شكلاتي"), "{s}");
    }

    #[test]
    fn snippet_starts_at_the_beginning_when_the_match_is_early() {
        let text = format!("cake {}", "word ".repeat(60));
        let s = snippet(&text, &SearchQuery::parse("cake").unwrap());
        assert!(s.starts_with("cake ") && s.ends_with('…'), "{s}");
    }
}
