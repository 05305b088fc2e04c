//! OpenAI Chat Completions with a strict JSON-schema response format; reference images go
//! inline as data URLs (vision).

use std::{
    collections::HashSet,
    sync::{Mutex, OnceLock},
};

use base64::Engine as _;
use reqwest::Client;
use serde_json::{json, Value};

use super::{send, Task};
use crate::{facade::ReferenceImage, ProviderError};

pub const PROVIDER: &str = "openai";

/// How the answer's shape is asked for: a strict JSON schema (OpenAI), or — for
/// OpenAI-compatible servers that reject `json_schema` (many self-hosted ones) — plain JSON
/// mode with the schema spelled out in the instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Schema,
    JsonObject,
}

pub fn request_body(
    task: &Task,
    model: &str,
    prompt: &str,
    images: &[ReferenceImage],
    format: Format,
) -> Value {
    let mut content = vec![json!({"type": "text", "text": prompt})];
    for img in images {
        let data = base64::engine::general_purpose::STANDARD.encode(&img.bytes);
        content.push(json!({"type": "image_url", "image_url": {"url": format!("data:{};base64,{data}", img.mime)}}));
    }
    let (system, response_format) = match format {
        Format::Schema => (
            task.instruction.to_string(),
            json!({
                "type": "json_schema",
                "json_schema": {"name": task.name, "strict": true, "schema": (task.schema)()}
            }),
        ),
        Format::JsonObject => (
            format!("{} The JSON schema: {}", task.instruction, (task.schema)()),
            json!({"type": "json_object"}),
        ),
    };
    json!({
        "model": model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": content}
        ],
        "response_format": response_format
    })
}

/// Servers (by base URL) that answered a `json_schema` request with 400: asked in JSON
/// mode from then on, so each analysis costs one call, not two.
fn without_schema() -> &'static Mutex<HashSet<String>> {
    static BASES: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    BASES.get_or_init(Default::default)
}

/// One call (two, the first time a server turns out not to support `json_schema`);
/// answers the model's JSON text.
pub async fn complete(
    task: &Task,
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    prompt: &str,
    images: &[ReferenceImage],
) -> Result<String, ProviderError> {
    let known = without_schema()
        .lock()
        .map(|b| b.contains(base))
        .unwrap_or(false);
    let format = if known {
        Format::JsonObject
    } else {
        Format::Schema
    };
    match call(task, http, base, key, model, prompt, images, format).await {
        Err(ProviderError::BadRequest { message, .. })
            if format == Format::Schema && mentions_response_format(&message) =>
        {
            tracing::info!(
                base,
                "the analysis server does not take json_schema; using JSON mode"
            );
            if let Ok(mut bases) = without_schema().lock() {
                bases.insert(base.to_string());
            }
            call(
                task,
                http,
                base,
                key,
                model,
                prompt,
                images,
                Format::JsonObject,
            )
            .await
        }
        other => other,
    }
}

fn mentions_response_format(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("response_format") || m.contains("json_schema") || m.contains("response format")
}

#[allow(clippy::too_many_arguments)]
async fn call(
    task: &Task,
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    prompt: &str,
    images: &[ReferenceImage],
    format: Format,
) -> Result<String, ProviderError> {
    let body = send(
        PROVIDER,
        http.post(format!("{base}/v1/chat/completions"))
            .bearer_auth(key)
            .json(&request_body(task, model, prompt, images, format)),
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
