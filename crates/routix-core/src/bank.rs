//! The template bank: designer-made reference thumbnails, described by their style DNA (what
//! they look like, measured offline from their pixels) and found by meaning in English and
//! Persian. The measuring lives in `routix-render` (it needs pixels), storage in
//! `routix-store`; the types and the search are here.

pub mod search;

use serde::{Deserialize, Serialize};

/// One of an image's dominant colours and its share of the picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swatch {
    /// `#rrggbb`.
    pub hex: String,
    /// Share of the pixels, 0..1; a palette's weights sum to 1.
    pub weight: f32,
}

/// Where something sits in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Left,
    Right,
    Center,
    Top,
    Bottom,
    /// Not found (no text-like strokes, no salient subject).
    None,
}

/// Where the text and the subject sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    pub text: Place,
    pub subject: Place,
}

/// What a thumbnail looks like, measured from its pixels (and, when a vision model is
/// configured, described by it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleDna {
    /// Up to five dominant colours by clustering in a perceptual space, heaviest first
    /// (fewer when the picture has fewer: a flat image has one).
    pub palette: Vec<Swatch>,
    /// Mean lightness, 0 (black) to 1 (white).
    pub brightness: f32,
    /// Spread of lightness, 0 (flat) to 1.
    pub contrast: f32,
    /// Mean chroma, 0 (grey) to 1.
    pub saturation: f32,
    /// 1 (calm) to 10 (loud): saturation, contrast and edge density together.
    pub energy: u8,
    pub composition: Composition,
    /// Whether text-like stroke regions were found.
    pub has_text: bool,
    /// A vision model's description, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_face: Option<bool>,
}

/// How loud a mood is on the style DNA's energy scale (1 calm … 10 loud), for the moods
/// the analyzer, the templates and the vision model name; `None` for a word it does not
/// know.
pub fn mood_energy(mood: &str) -> Option<u8> {
    Some(match mood.trim().to_lowercase().as_str() {
        "calm" | "peaceful" | "relaxing" => 2,
        "cosy" | "cozy" | "serious" | "analytical" => 3,
        "conversational" | "helpful" | "handy" => 4,
        "inspiring" | "satisfying" => 5,
        "confident" | "curious" | "glam" | "happy" | "mysterious" => 6,
        "fun" | "funny" | "groovy" => 7,
        "competitive" | "dramatic" => 8,
        "energetic" | "exciting" | "shocked" | "urgent" => 9,
        _ => return None,
    })
}

/// A layout template's energy: its mood's, one louder for loud styles and one calmer for
/// quiet ones.
pub fn template_energy(meta: &crate::TemplateMeta) -> u8 {
    const LOUD: &[&str] = &["loud", "neon", "high-contrast", "speed", "colorful"];
    const QUIET: &[&str] = &["minimal", "clean", "soft", "professional"];
    let base = mood_energy(&meta.mood).unwrap_or(5) as i32;
    let has = |set: &[&str]| {
        meta.styles
            .iter()
            .any(|s| set.contains(&s.to_lowercase().as_str()))
    };
    let lift = i32::from(has(LOUD)) - i32::from(has(QUIET));
    (base + lift).clamp(1, 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moods_order_from_calm_to_loud() {
        let e = |m| mood_energy(m).unwrap();
        assert!(e("calm") < e("serious"));
        assert!(e("serious") < e("fun"));
        assert!(e("fun") < e("energetic"));
        assert_eq!(mood_energy(" Energetic "), Some(9));
        assert_eq!(mood_energy("purple"), None);
    }
}
