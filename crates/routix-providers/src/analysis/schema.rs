//! The JSON schema both LLMs must answer in, and the validation of what they answer into
//! our `Analysis` (anything off-schema is rejected, so downstream code never sees it).

use routix_core::{Analysis, AnalysisSource, Category, Direction, NamedColor, Rgb};
use serde_json::{json, Value};

pub fn schema() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": categories},
            "colors": {"type": "array", "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "hex": {"type": "string"}},
                "required": ["name", "hex"],
                "additionalProperties": false
            }},
            "style": {"type": "string"},
            "mood": {"type": "string"},
            "headline": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "subjects": {"type": "array", "items": {"type": "string"}},
            "language": {"type": "string", "enum": ["en", "fa"]},
            "direction": {"type": "string", "enum": ["ltr", "rtl"]},
            "confidence": {"type": "number"},
            "image_description": {"type": ["string", "null"]}
        },
        "required": ["category", "colors", "style", "mood", "headline", "keywords", "subjects", "language", "direction", "confidence", "image_description"],
        "additionalProperties": false
    })
}

/// Gemini's dialect of the same schema (OpenAPI subset: `nullable`, upper-case types).
pub fn gemini_schema() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "type": "OBJECT",
        "properties": {
            "category": {"type": "STRING", "enum": categories},
            "colors": {"type": "ARRAY", "items": {
                "type": "OBJECT",
                "properties": {"name": {"type": "STRING"}, "hex": {"type": "STRING"}},
                "required": ["name", "hex"]
            }},
            "style": {"type": "STRING"},
            "mood": {"type": "STRING"},
            "headline": {"type": "STRING"},
            "keywords": {"type": "ARRAY", "items": {"type": "STRING"}},
            "subjects": {"type": "ARRAY", "items": {"type": "STRING"}},
            "language": {"type": "STRING", "enum": ["en", "fa"]},
            "direction": {"type": "STRING", "enum": ["ltr", "rtl"]},
            "confidence": {"type": "NUMBER"},
            "image_description": {"type": "STRING", "nullable": true}
        },
        "required": ["category", "colors", "style", "mood", "headline", "keywords", "subjects", "language", "direction", "confidence"]
    })
}

/// Validates model output text into an `Analysis`; the error says what was wrong.
pub fn validate(text: &str, source: AnalysisSource) -> Result<Analysis, String> {
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("not JSON: {e}"))?;
    let s = |k: &str| -> Result<String, String> {
        v.get(k)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
            .ok_or_else(|| format!("missing string `{k}`"))
    };
    let category: Category = s("category")?
        .parse()
        .map_err(|_| "unknown category".to_string())?;
    let headline = s("headline")?;
    if headline.is_empty() || headline.chars().count() > 80 {
        return Err("headline must be 1 to 80 characters".into());
    }
    let mut colors = Vec::new();
    for c in v
        .get("colors")
        .and_then(Value::as_array)
        .ok_or("missing `colors`")?
    {
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .ok_or("colour without name")?;
        let hex: Rgb = c
            .get("hex")
            .and_then(Value::as_str)
            .ok_or("colour without hex")?
            .parse()
            .map_err(|_| format!("colour {name:?} has an invalid hex"))?;
        colors.push(NamedColor {
            name: name.to_lowercase(),
            hex,
        });
    }
    let keywords = v
        .get("keywords")
        .and_then(Value::as_array)
        .ok_or("missing `keywords`")?
        .iter()
        .filter_map(Value::as_str)
        .take(8)
        .map(str::to_string)
        .collect();
    // Older answers without `subjects` are still valid: the rules can name them later.
    let subjects = v
        .get("subjects")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && s.chars().count() <= 40)
                .take(4)
                .collect()
        })
        .unwrap_or_default();
    let direction = match s("direction")?.as_str() {
        "ltr" => Direction::Ltr,
        "rtl" => Direction::Rtl,
        other => return Err(format!("direction {other:?}")),
    };
    let language = s("language")?;
    if language != "en" && language != "fa" {
        return Err(format!("language {language:?}"));
    }
    let confidence = v
        .get("confidence")
        .and_then(Value::as_f64)
        .ok_or("missing `confidence`")? as f32;
    if !(0.0..=1.0).contains(&confidence) {
        return Err("confidence must be between 0 and 1".into());
    }
    Ok(Analysis {
        category,
        colors: colors.into_iter().take(4).collect(),
        style: s("style")?,
        mood: s("mood")?,
        headline,
        keywords,
        subjects,
        language,
        direction,
        confidence,
        source,
        image_description: v
            .get("image_description")
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|d| !d.is_empty()),
    })
}
