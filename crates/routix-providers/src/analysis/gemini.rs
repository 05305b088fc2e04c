//! Gemini generateContent with a response schema; reference images as inline data.

use base64::Engine as _;
use reqwest::Client;
use serde_json::{json, Value};

use super::{send, Task};
use crate::{facade::ReferenceImage, ProviderError};

pub const PROVIDER: &str = "gemini";

pub fn request_body(task: &Task, prompt: &str, images: &[ReferenceImage]) -> Value {
    let mut parts = vec![json!({"text": format!("{}\n\nRequest: {prompt}", task.instruction)})];
    for img in images {
        let data = base64::engine::general_purpose::STANDARD.encode(&img.bytes);
        parts.push(json!({"inline_data": {"mime_type": img.mime, "data": data}}));
    }
    json!({
        "contents": [{"role": "user", "parts": parts}],
        "generationConfig": {"responseMimeType": "application/json", "responseSchema": (task.gemini_schema)()}
    })
}

/// The first candidate's text, or why there is none.
pub fn candidate_text(body: &Value) -> Result<String, ProviderError> {
    if let Some(reason) = body["promptFeedback"]["blockReason"].as_str() {
        return Err(ProviderError::ContentPolicy {
            provider: PROVIDER,
            message: format!("prompt blocked: {reason}"),
        });
    }
    let candidate = &body["candidates"][0];
    let finish = candidate["finishReason"].as_str().unwrap_or("STOP");
    if matches!(
        finish,
        "SAFETY" | "PROHIBITED_CONTENT" | "BLOCKLIST" | "SPII"
    ) {
        return Err(ProviderError::ContentPolicy {
            provider: PROVIDER,
            message: format!("answer blocked: {finish}"),
        });
    }
    candidate["content"]["parts"]
        .as_array()
        .and_then(|parts| parts.iter().find_map(|p| p["text"].as_str()))
        .map(str::to_string)
        .ok_or_else(|| ProviderError::Malformed {
            provider: PROVIDER,
            message: "no candidates[0].content.parts[].text".into(),
        })
}

pub async fn complete(
    task: &Task,
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    prompt: &str,
    images: &[ReferenceImage],
) -> Result<String, ProviderError> {
    let body = send(
        PROVIDER,
        http.post(format!("{base}/v1beta/models/{model}:generateContent"))
            .header("x-goog-api-key", key)
            .json(&request_body(task, prompt, images)),
    )
    .await?;
    candidate_text(&body)
}
