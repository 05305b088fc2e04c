//! OpenAI Chat Completions with a strict JSON-schema response format; reference images go
//! inline as data URLs (vision).

use base64::Engine as _;
use reqwest::Client;
use serde_json::{json, Value};

use super::{schema, send, SYSTEM_PROMPT};
use crate::{facade::ReferenceImage, ProviderError};

pub const PROVIDER: &str = "openai";

pub fn request_body(model: &str, prompt: &str, images: &[ReferenceImage]) -> Value {
    let mut content = vec![json!({"type": "text", "text": prompt})];
    for img in images {
        let data = base64::engine::general_purpose::STANDARD.encode(&img.bytes);
        content.push(json!({"type": "image_url", "image_url": {"url": format!("data:{};base64,{data}", img.mime)}}));
    }
    json!({
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": content}
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "thumbnail_analysis", "strict": true, "schema": schema::schema()}
        }
    })
}

/// One call; answers the model's JSON text.
pub async fn complete(
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    prompt: &str,
    images: &[ReferenceImage],
) -> Result<String, ProviderError> {
    let body = send(
        PROVIDER,
        http.post(format!("{base}/v1/chat/completions"))
            .bearer_auth(key)
            .json(&request_body(model, prompt, images)),
    )
    .await?;
    let message = &body["choices"][0]["message"];
    if let Some(refusal) = message["refusal"].as_str() {
        return Err(ProviderError::ContentPolicy {
            provider: PROVIDER,
            message: refusal.chars().take(200).collect(),
        });
    }
    message["content"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ProviderError::Malformed {
            provider: PROVIDER,
            message: "no choices[0].message.content".into(),
        })
}
