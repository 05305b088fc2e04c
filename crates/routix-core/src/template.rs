//! Template metadata: what the matcher needs to know about a design, without its layers.
//! The layers themselves (how to draw it) belong to `routix-render`, which embeds this.

use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt};

use crate::{Category, Palette};

/// A template's stable identifier, e.g. `gaming-neon-split`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TemplateId(pub String);

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateMeta {
    pub id: TemplateId,
    pub name: String,
    pub category: Category,
    /// Style tags, e.g. ["bold", "neon", "high-contrast"].
    pub styles: Vec<String>,
    /// Emotional tone, e.g. "energetic".
    pub mood: String,
    pub palette: Palette,
    /// Whether the layout reads well with right-to-left headlines.
    pub supports_rtl: bool,
    /// Whether the design has a slot for a subject image (reference photo or AI artwork).
    pub has_image_slot: bool,
    /// Headline length (characters) the headline slot shows best.
    pub headline_chars: u16,
    #[serde(default)]
    pub description: String,
    /// Name and description in other languages, by language code (`fa`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, TemplateText>,
}

/// A template's name and description in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateText {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl TemplateMeta {
    /// The name in `lang` when the template has one, else its own (English) name.
    pub fn name_in(&self, lang: &str) -> &str {
        self.translations
            .get(lang)
            .map_or(self.name.as_str(), |t| t.name.as_str())
    }
}
