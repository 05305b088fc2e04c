//! Describing a designer's reference thumbnail for the template bank: what it shows, its
//! mood, and whether a face is in it — the parts of its style DNA pixels cannot tell.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Task;

/// The moods a description may name (the same words the template library uses, so a
/// bank item's mood and a request's can be compared).
pub const MOODS: &[&str] = &[
    "energetic",
    "dramatic",
    "fun",
    "happy",
    "calm",
    "serious",
    "inspiring",
    "curious",
    "shocked",
    "mysterious",
    "glam",
    "cosy",
];

pub const INSTRUCTION: &str =
    "You describe YouTube thumbnails made by designers, for a searchable \
bank of references. Answer only with JSON matching the schema: one English sentence of at most 30 \
words saying what the thumbnail shows (the subject, the setting, any text it carries and how the \
design is built), its mood (one of the listed words), and whether a human face is clearly visible.";

/// The description task.
pub const DESCRIBE: Task = Task {
    name: "thumbnail_description",
    instruction: INSTRUCTION,
    schema,
    gemini_schema,
};

pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "description": {"type": "string"},
            "mood": {"type": "string", "enum": MOODS},
            "has_face": {"type": "boolean"}
        },
        "required": ["description", "mood", "has_face"],
        "additionalProperties": false
    })
}

pub fn gemini_schema() -> Value {
    json!({
        "type": "OBJECT",
        "properties": {
            "description": {"type": "STRING"},
            "mood": {"type": "STRING", "enum": MOODS},
            "has_face": {"type": "BOOLEAN"}
        },
        "required": ["description", "mood", "has_face"]
    })
}

/// What a vision model saw in a thumbnail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisionNotes {
    pub description: String,
    pub mood: String,
    pub has_face: bool,
}

/// The longest description kept (a model that rambles is cut at a word).
const MAX_DESCRIPTION: usize = 300;

/// Validates a model's answer; the error says what was wrong.
pub fn validate(text: &str) -> Result<VisionNotes, String> {
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("not JSON: {e}"))?;
    let description = v
        .get("description")
        .and_then(Value::as_str)
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty())
        .ok_or("missing `description`")?;
    let description = if description.chars().count() > MAX_DESCRIPTION {
        let cut: String = description.chars().take(MAX_DESCRIPTION).collect();
        match cut.rfind(' ') {
            Some(i) => format!("{}…", &cut[..i]),
            None => format!("{cut}…"),
        }
    } else {
        description
    };
    let mood = v
        .get("mood")
        .and_then(Value::as_str)
        .map(|m| m.trim().to_lowercase())
        .ok_or("missing `mood`")?;
    if !MOODS.contains(&mood.as_str()) {
        return Err(format!("mood {mood:?} is not one of the listed words"));
    }
    let has_face = v
        .get("has_face")
        .and_then(Value::as_bool)
        .ok_or("missing boolean `has_face`")?;
    Ok(VisionNotes {
        description,
        mood,
        has_face,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_answer_is_kept_and_tidied() {
        let notes = validate(
            r#"{"description":"  A knight  faces a dragon\nin a dark castle, title top left. ","mood":"Dramatic","has_face":false}"#,
        )
        .unwrap();
        assert_eq!(
            notes.description,
            "A knight faces a dragon in a dark castle, title top left."
        );
        assert_eq!(notes.mood, "dramatic");
        assert!(!notes.has_face);
    }

    #[test]
    fn answers_off_the_schema_are_refused() {
        assert!(validate("not json").is_err());
        assert!(validate(r#"{"description":"","mood":"calm","has_face":true}"#).is_err());
        assert!(
            validate(r#"{"description":"x","mood":"sleepy","has_face":true}"#)
                .unwrap_err()
                .contains("sleepy")
        );
        assert!(validate(r#"{"description":"x","mood":"calm","has_face":"yes"}"#).is_err());
    }

    #[test]
    fn a_rambling_description_is_cut_at_a_word() {
        let long = "word ".repeat(200);
        let text = json!({"description": long, "mood": "calm", "has_face": true}).to_string();
        let notes = validate(&text).unwrap();
        assert!(notes.description.chars().count() <= MAX_DESCRIPTION + 1);
        assert!(notes.description.ends_with("word…"));
    }
}
