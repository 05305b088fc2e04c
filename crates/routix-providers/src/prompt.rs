//! Artwork prompts: what to ask an image model for, per algorithm and within each
//! provider's limits. The artwork is a background for our own typography, so every prompt
//! asks for no text and leaves room where the template sets its headline.

use routix_core::{Algorithm, Analysis, TemplateMeta};

#[derive(Debug, Clone, PartialEq)]
pub struct ArtworkPrompt {
    pub positive: String,
    pub negative: String,
    /// A designer's thumbnail whose look the artwork should follow (PNG, 1344x768), for the
    /// providers whose API takes an image: Stability image-to-image, gpt-image edits,
    /// Gemini with the image as an extra part.
    pub style_reference: Option<std::sync::Arc<Vec<u8>>>,
}

pub const NEGATIVE: &str =
    "text, letters, words, typography, watermark, logo, signature, blurry, low quality, \
jpeg artifacts, deformed, disfigured, extra fingers, cropped face, oversaturated";

/// DALL-E 3 takes up to 4000 characters; the others are safest under 1000.
pub fn limit_for(provider: &str) -> usize {
    match provider {
        "openai" => 4000,
        "gemini" => 2000,
        _ => 1000,
    }
}

pub fn build(
    algorithm: Algorithm,
    a: &Analysis,
    template: &TemplateMeta,
    limit: usize,
) -> ArtworkPrompt {
    let subject = if a.keywords.is_empty() {
        a.headline.clone()
    } else {
        a.keywords.join(", ")
    };
    let colours = if a.colors.is_empty() {
        format!(
            "{}, {} and {}",
            template.palette.primary, template.palette.secondary, template.palette.accent
        )
    } else {
        a.colors
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let quality = match algorithm {
        Algorithm::Pro => {
            "award-winning, ultra detailed, dramatic cinematic lighting, sharp focus, rich depth"
        }
        _ => "high quality, detailed, vivid lighting",
    };
    let mut positive = format!(
        "YouTube thumbnail background artwork for a {} video about {subject}. {} style, {} mood, \
         dominant colours {colours}. {quality}. Bold, simple composition with one clear focal subject \
         and clean empty space for a large headline. 16:9. No text, no letters, no logos.",
        a.category.as_str(),
        a.style,
        a.mood
    );
    if let Some(d) = &a.image_description {
        positive.push_str(&format!(" Match the subject of the reference: {d}"));
    }
    ArtworkPrompt {
        style_reference: None,
        positive: cap(&positive, limit),
        negative: cap(NEGATIVE, limit),
    }
}

/// Cuts at a word boundary within `limit` characters.
fn cap(s: &str, limit: usize) -> String {
    if s.chars().count() <= limit {
        return s.to_string();
    }
    let cut: String = s.chars().take(limit).collect();
    match cut.rfind(' ') {
        Some(i) => cut[..i].to_string(),
        None => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> TemplateMeta {
        serde_json::from_value(serde_json::json!({
            "id": "t", "name": "T", "category": "gaming", "styles": ["neon"], "mood": "energetic",
            "palette": {"primary": "#e51b23", "secondary": "#0d0d0f", "accent": "#39ff14"},
            "supports_rtl": true, "has_image_slot": true, "headline_chars": 14
        }))
        .unwrap()
    }

    #[test]
    fn prompts_carry_the_analysis_and_respect_limits() {
        let mut a = routix_core::analyzer::analyze("gaming video, red and black, text: NEW SEASON");
        let p = build(Algorithm::Pro, &a, &meta(), 4000);
        assert!(p.positive.contains("gaming") && p.positive.contains("red and black"));
        assert!(p.positive.contains("No text"));
        assert!(p.negative.contains("watermark"));
        a.keywords = vec!["word".repeat(300)];
        let capped = build(Algorithm::Premium, &a, &meta(), 1000);
        assert!(capped.positive.chars().count() <= 1000);
    }
}
