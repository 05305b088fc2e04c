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
