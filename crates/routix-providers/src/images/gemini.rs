//! Gemini image output: generateContent on an image model, image as inline data. The same
//! call edits an image: the source goes in as an inline part next to the instruction.

use base64::Engine as _;
use reqwest::Client;
use serde_json::{json, Value};

use super::{decode_b64, edit_instruction};
use crate::{analysis::send, prompt::ArtworkPrompt, ProviderError};

const PROVIDER: &str = "gemini";

pub fn request_body(prompt: &ArtworkPrompt) -> Value {
    let mut parts =
        vec![json!({"text": format!("{} Avoid: {}.", prompt.positive, prompt.negative)})];
    // A style reference goes in as an extra image part, with what to take from it.
    if let Some(reference) = &prompt.style_reference {
        parts.push(json!({"text": "Follow the style, palette and composition of this reference thumbnail, without copying it."}));
        parts.push(png_part(reference));
    }
    with_parts(parts)
}

/// The edit request: the creator's instruction, then the thumbnail to change.
pub fn edit_body(instruction: &str, png: &[u8]) -> Value {
    with_parts(vec![
        json!({"text": edit_instruction(instruction, usize::MAX)}),
        png_part(png),
    ])
}

fn png_part(png: &[u8]) -> Value {
    json!({"inline_data": {
        "mime_type": "image/png",
        "data": base64::engine::general_purpose::STANDARD.encode(png),
    }})
}

fn with_parts(parts: Vec<Value>) -> Value {
    json!({
        "contents": [{"role": "user", "parts": parts}],
        "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}}
    })
}

pub async fn generate(
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    prompt: &ArtworkPrompt,
) -> Result<Vec<u8>, ProviderError> {
    image_call(http, base, key, model, &request_body(prompt)).await
}

/// `png` changed as `instruction` asks.
pub async fn edit(
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    png: &[u8],
    instruction: &str,
) -> Result<Vec<u8>, ProviderError> {
    image_call(http, base, key, model, &edit_body(instruction, png)).await
}

/// One generateContent call on an image model; the image of its answer, or why there is none.
async fn image_call(
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    request: &Value,
) -> Result<Vec<u8>, ProviderError> {
    let body = send(
        PROVIDER,
        http.post(format!("{base}/v1beta/models/{model}:generateContent"))
            .header("x-goog-api-key", key)
            .json(request),
    )
    .await?;
    if let Some(reason) = body["promptFeedback"]["blockReason"].as_str() {
        return Err(ProviderError::ContentPolicy {
            provider: PROVIDER,
            message: format!("prompt blocked: {reason}"),
        });
    }
    let parts = body["candidates"][0]["content"]["parts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let data = parts.iter().find_map(|p| {
        p.get("inlineData")
            .or_else(|| p.get("inline_data"))
            .and_then(|d| d["data"].as_str())
            .map(str::to_string)
    });
    match data {
        Some(d) => decode_b64(PROVIDER, &d),
        None => match body["candidates"][0]["finishReason"].as_str() {
            Some(r @ ("SAFETY" | "PROHIBITED_CONTENT" | "IMAGE_SAFETY")) => {
                Err(ProviderError::ContentPolicy {
                    provider: PROVIDER,
                    message: format!("answer blocked: {r}"),
                })
            }
            _ => Err(ProviderError::Malformed {
                provider: PROVIDER,
                message: "no inline image in the answer".into(),
            }),
        },
    }
}
