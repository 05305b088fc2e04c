//! Colours as the user and the templates speak of them: `#rrggbb` on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

use crate::CoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Rgb {
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Rgb { r, g, b }
    }

    /// Relative luminance (WCAG), 0.0 for black to 1.0 for white.
    /// A perceptual distance (the "redmean" weighting of RGB differences): about 0 for the
    /// same colour, 50 for two reds a designer would call the same, 765 at most.
    pub fn distance(self, other: Rgb) -> f32 {
        let rmean = (f32::from(self.r) + f32::from(other.r)) / 2.0;
        let (dr, dg, db) = (
            f32::from(self.r) - f32::from(other.r),
            f32::from(self.g) - f32::from(other.g),
            f32::from(self.b) - f32::from(other.b),
        );
        ((2.0 + rmean / 256.0) * dr * dr
            + 4.0 * dg * dg
            + (2.0 + (255.0 - rmean) / 256.0) * db * db)
            .sqrt()
    }

    pub fn luminance(self) -> f32 {
        fn channel(c: u8) -> f32 {
            let c = c as f32 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// WCAG contrast ratio between two colours (1.0 to 21.0).
    pub fn contrast(self, other: Rgb) -> f32 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    /// Hue in degrees (0..360), saturation and lightness (0..1).
    pub fn hsl(self) -> (f32, f32, f32) {
        let r = self.r as f32 / 255.0;
        let g = self.g as f32 / 255.0;
        let b = self.b as f32 / 255.0;
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let l = (max + min) / 2.0;
        let d = max - min;
        if d == 0.0 {
            return (0.0, 0.0, l);
        }
        let s = d / (1.0 - (2.0 * l - 1.0).abs());
        let h = if max == r {
            60.0 * (((g - b) / d).rem_euclid(6.0))
        } else if max == g {
            60.0 * ((b - r) / d + 2.0)
        } else {
            60.0 * ((r - g) / d + 4.0)
        };
        (h, s.clamp(0.0, 1.0), l)
    }
}

/// Hue distance in degrees (0..=180).
fn hue_distance(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

/// Whether two colours' hues fight rather than pop: both clearly coloured and roughly a
/// third of the wheel apart (red against green). Complements (purple and yellow) and
/// neighbours (red and orange) are fine.
fn clashes(a: Rgb, b: Rgb) -> bool {
    let ((ha, sa, la), (hb, sb, lb)) = (a.hsl(), b.hsl());
    let coloured = |s: f32, l: f32| s > 0.3 && (0.15..0.9).contains(&l);
    coloured(sa, la) && coloured(sb, lb) && (95.0..=135.0).contains(&hue_distance(ha, hb))
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl FromStr for Rgb {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CoreError::InvalidColor(s.to_string());
        let hex = s.trim().strip_prefix('#').ok_or_else(err)?;
        // Checked first: slicing below counts bytes, and "#🤳2a" is six of them.
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        let expanded: String = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex.to_string(),
            _ => return Err(err()),
        };
        let byte = |i: usize| u8::from_str_radix(&expanded[i..i + 2], 16).map_err(|_| err());
        Ok(Rgb::new(byte(0)?, byte(2)?, byte(4)?))
    }
}

impl Serialize for Rgb {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A design's three colours: the dominant one, its partner, and the one that pops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Palette {
    pub primary: Rgb,
    pub secondary: Rgb,
    pub accent: Rgb,
}

impl Palette {
    /// Builds a palette from the colours a user asked for, keeping the template's colours
    /// for any role the request leaves open.
    /// A template's own accent that clashes with the requested primary (its neon green
    /// under a "red and black" request) is swapped for a classic highlight that goes with
    /// both: gold, cyan, hot pink or white, the first that reads on the secondary.
    pub fn overridden_by(self, requested: &[Rgb]) -> Palette {
        let primary = requested.first().copied().unwrap_or(self.primary);
        let secondary = requested.get(1).copied().unwrap_or(self.secondary);
        let accent = match requested.get(2) {
            Some(&accent) => accent,
            None if clashes(self.accent, primary) => {
                let candidates = [
                    Rgb::new(0xFF, 0xD6, 0x00),
                    Rgb::new(0x00, 0xE5, 0xFF),
                    Rgb::new(0xFF, 0x2E, 0x88),
                    Rgb::new(0xFF, 0xFF, 0xFF),
                ];
                let fitting = candidates.into_iter().filter(|&c| !clashes(c, primary));
                fitting
                    .clone()
                    .find(|c| c.contrast(secondary) >= 3.0)
                    .or_else(|| {
                        fitting
                            .max_by(|a, b| a.contrast(secondary).total_cmp(&b.contrast(secondary)))
                    })
                    .unwrap_or(self.accent)
            }
            None => self.accent,
        };
        Palette {
            primary,
            secondary,
            accent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_long_and_short_hex() {
        assert_eq!("#ff0000".parse::<Rgb>(), Ok(Rgb::new(255, 0, 0)));
        assert_eq!("#F00".parse::<Rgb>(), Ok(Rgb::new(255, 0, 0)));
        assert_eq!(Rgb::new(1, 2, 255).to_string(), "#0102ff");
    }

    #[test]
    fn rejects_malformed_hex() {
        for bad in ["ff0000", "#ff00", "#gg0000", "", "#ff00000"] {
            assert!(bad.parse::<Rgb>().is_err(), "{bad}");
        }
    }

    /// Found by `fuzz/fuzz_targets/template_json.rs`: six bytes that are not six characters
    /// used to panic on a slice inside the emoji.
    #[test]
    fn rejects_multibyte_characters_instead_of_panicking() {
        for bad in ["#\u{1F933}2a", "#\u{e9}\u{e9}\u{e9}", "#a\u{e9}", "#+1+1+1"] {
            assert!(bad.parse::<Rgb>().is_err(), "{bad}");
        }
    }

    #[test]
    fn contrast_of_black_on_white_is_21() {
        let c = Rgb::new(0, 0, 0).contrast(Rgb::new(255, 255, 255));
        assert!((c - 21.0).abs() < 0.01, "{c}");
    }

    #[test]
    fn hsl_of_pure_red() {
        let (h, s, l) = Rgb::new(255, 0, 0).hsl();
        assert_eq!((h.round(), s, l), (0.0, 1.0, 0.5));
    }

    #[test]
    fn a_clashing_template_accent_gives_way_to_one_that_fits() {
        let neon = Palette {
            primary: Rgb::new(0x7b, 0x2f, 0xf7),
            secondary: Rgb::new(0x0b, 0x0b, 0x1a),
            accent: Rgb::new(0x39, 0xff, 0x14),
        };
        let red = "#e0142a".parse().unwrap();
        let black = "#0a0a0a".parse().unwrap();
        let p = neon.overridden_by(&[red, black]);
        assert_eq!((p.primary, p.secondary), (red, black));
        assert_eq!(
            p.accent,
            Rgb::new(0xFF, 0xD6, 0x00),
            "gold on red and black"
        );
        // Purple with yellow is a complement, not a clash: kept.
        let gold = Palette {
            accent: Rgb::new(0xFF, 0xD6, 0x00),
            ..neon
        };
        assert_eq!(gold.overridden_by(&[neon.primary]).accent, gold.accent);
        // Light secondaries get an accent that reads on them.
        let white = Rgb::new(0xff, 0xff, 0xff);
        let p = Palette {
            accent: Rgb::new(0x39, 0xff, 0x14),
            ..neon
        }
        .overridden_by(&[Rgb::new(0xe0, 0x14, 0x2a), white]);
        assert!(p.accent.contrast(white) >= 3.0, "{}", p.accent);
        // An accent the user asked for is never second-guessed.
        let green = Rgb::new(0, 200, 0);
        assert_eq!(neon.overridden_by(&[red, black, green]).accent, green);
    }

    #[test]
    fn override_keeps_unrequested_roles() {
        let p = Palette {
            primary: Rgb::new(1, 1, 1),
            secondary: Rgb::new(2, 2, 2),
            accent: Rgb::new(3, 3, 3),
        };
        let o = p.overridden_by(&[Rgb::new(9, 9, 9)]);
        assert_eq!(o.primary, Rgb::new(9, 9, 9));
        assert_eq!(o.secondary, p.secondary);
        assert_eq!(o.accent, p.accent);
    }
}
