//! A creator's brand kit as the domain speaks of it: the corner their logo goes in, the
//! headline face they chose from the bundled ones, up to four colours, and whether a request
//! is about the creator themself (then their face photo is the subject). Parsed from the
//! wire into these types once, at the edge.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{CoreError, Rgb};

/// The most colours a kit holds: primary, secondary, accent and one spare.
pub const MAX_BRAND_COLORS: usize = 4;

/// A corner of the thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    #[default]
    TopLeft,
    TopRight,
    BottomLeft,
    /// Where YouTube prints the video's duration: a logo asked for here is moved.
    BottomRight,
}

impl Corner {
    pub const ALL: [Corner; 4] = [
        Corner::TopLeft,
        Corner::TopRight,
        Corner::BottomLeft,
        Corner::BottomRight,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Corner::TopLeft => "top-left",
            Corner::TopRight => "top-right",
            Corner::BottomLeft => "bottom-left",
            Corner::BottomRight => "bottom-right",
        }
    }

    pub fn is_top(self) -> bool {
        matches!(self, Corner::TopLeft | Corner::TopRight)
    }

    pub fn is_left(self) -> bool {
        matches!(self, Corner::TopLeft | Corner::BottomLeft)
    }
}

impl fmt::Display for Corner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Corner {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Corner::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| CoreError::Invalid {
                field: "logo_position",
                reason: format!(
                    "{s:?} is not a corner: use top-left, top-right, bottom-left or bottom-right"
                ),
            })
    }
}

/// The bundled faces a kit may choose for its headlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BrandFont {
    /// Bebas Neue Bold: condensed, tall capitals (Latin only).
    BebasNeue,
    /// Vazirmatn Black: a heavy sans with Latin and Persian letters.
    Vazirmatn,
}

impl BrandFont {
    pub const ALL: [BrandFont; 2] = [BrandFont::BebasNeue, BrandFont::Vazirmatn];

    pub fn as_str(self) -> &'static str {
        match self {
            BrandFont::BebasNeue => "bebas-neue",
            BrandFont::Vazirmatn => "vazirmatn",
        }
    }

    /// The face's own name, for people.
    pub fn name(self) -> &'static str {
        match self {
            BrandFont::BebasNeue => "Bebas Neue",
            BrandFont::Vazirmatn => "Vazirmatn",
        }
    }
}

impl FromStr for BrandFont {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BrandFont::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| CoreError::Invalid {
                field: "font",
                reason: format!(
                    "{s:?} is not a bundled font: use {}",
                    BrandFont::ALL.map(BrandFont::as_str).join(" or ")
                ),
            })
    }
}

/// Up to four `#rrggbb` colours from one or more form values, each a single colour or a
/// comma-separated list; blanks are skipped, so an empty value means "no colours".
pub fn parse_colors<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Vec<Rgb>, CoreError> {
    let mut colors = Vec::new();
    for value in values {
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            colors.push(part.parse::<Rgb>()?);
        }
    }
    if colors.len() > MAX_BRAND_COLORS {
        return Err(CoreError::Invalid {
            field: "colors",
            reason: format!(
                "{} colours given; a brand kit holds at most {MAX_BRAND_COLORS}",
                colors.len()
            ),
        });
    }
    Ok(colors)
}

/// Words that make the creator the subject: "my reaction", "me reacting", «واکنش من».
const CREATOR_PHRASES: [&str; 13] = [
    "my reaction",
    "my face",
    "me reacting",
    "me react",
    "my honest reaction",
    "i react",
    "i reacted",
    "my selfie",
    "of me",
    "واکنش من",
    "عکس من",
    "چهره من",
    "صورت من",
];

/// Whether a request is about the creator themself, so their face photo is the subject:
/// a phrase of the cue list, or «من» (me) standing as a word of a Persian request.
pub fn about_creator(prompt: &str) -> bool {
    let text = prompt
        .to_lowercase()
        .replace(['\u{200c}', '\u{200f}'], " ")
        .replace('ي', "ی");
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let spaced = format!(" {} ", words.join(" "));
    CREATOR_PHRASES
        .iter()
        .any(|p| spaced.contains(&format!(" {p} ")))
        || words.contains(&"من")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_parse_from_their_wire_names_only() {
        for c in Corner::ALL {
            assert_eq!(c.as_str().parse::<Corner>(), Ok(c));
        }
        assert!("top".parse::<Corner>().is_err());
        assert!("TOP-LEFT".parse::<Corner>().is_err());
    }

    #[test]
    fn fonts_parse_from_their_wire_names_only() {
        assert_eq!("bebas-neue".parse::<BrandFont>(), Ok(BrandFont::BebasNeue));
        assert_eq!("vazirmatn".parse::<BrandFont>(), Ok(BrandFont::Vazirmatn));
        assert!("comic-sans".parse::<BrandFont>().is_err());
    }

    #[test]
    fn colours_come_comma_separated_or_repeated() {
        let cases: &[(&[&str], Result<usize, ()>)] = &[
            (&["#ff0000,#00ff00"], Ok(2)),
            (&["#ff0000", "#00ff00", "#0000ff"], Ok(3)),
            (&["#ff0000, #00ff00", "#0000ff,#ffffff"], Ok(4)),
            (&[""], Ok(0)),
            (&["#ff0000,#00ff00,#0000ff,#ffffff,#000000"], Err(())),
            (&["red"], Err(())),
            (&["#ff00"], Err(())),
        ];
        for (values, want) in cases {
            let got = parse_colors(values.iter().copied())
                .map(|c| c.len())
                .map_err(|_| ());
            assert_eq!(&got, want, "{values:?}");
        }
    }

    #[test]
    fn requests_about_the_creator_are_recognised() {
        let cases = [
            ("my reaction video to the new iPhone", true),
            ("Me reacting to the finale", true),
            ("واکنش من به آیفون جدید", true),
            ("من و گربه‌ام", true),
            ("reaction video to the new iPhone", false),
            ("gaming video, red and black, text: NEW SEASON", false),
            ("آموزش آشپزی ماکارونی", false),
            ("mentor tips for coders", false),
        ];
        for (prompt, want) in cases {
            assert_eq!(about_creator(prompt), want, "{prompt}");
        }
    }
}
