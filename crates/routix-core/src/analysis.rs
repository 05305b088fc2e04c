//! What Routix understood of a request. Produced by the rule-based analyzer or an LLM, and
//! validated into this one shape before anything downstream sees it.

use serde::{Deserialize, Serialize};

use crate::{Category, Rgb};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedColor {
    pub name: String,
    pub hex: Rgb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisSource {
    Rules,
    Openai,
    Gemini,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub category: Category,
    pub colors: Vec<NamedColor>,
    /// Visual style words, e.g. "bold", "minimal", "neon".
    pub style: String,
    /// Emotional tone, e.g. "energetic", "calm", "dramatic".
    pub mood: String,
    /// The text to set on the thumbnail.
    pub headline: String,
    pub keywords: Vec<String>,
    /// The concrete things the thumbnail should show ("dog", "laptop", «گربه»), most
    /// important first.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// ISO 639-1 code of the prompt's language, e.g. "en", "fa".
    pub language: String,
    pub direction: Direction,
    /// 0.0 to 1.0.
    pub confidence: f32,
    pub source: AnalysisSource,
    /// What the reference images show, when a vision model looked at them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_description: Option<String>,
}

impl Analysis {
    /// The requested colours in order, for palette overrides.
    pub fn requested_colors(&self) -> Vec<Rgb> {
        self.colors.iter().map(|c| c.hex).collect()
    }
}
