//! OpenAI images: DALL-E 3 (hd, vivid, 1792x1024) or gpt-image-1 (1536x1024, high). Only
//! gpt-image edits an existing image (`/v1/images/edits`).

use reqwest::{multipart, Client};
use serde_json::{json, Value};

use super::{decode_b64, edit_instruction};
use crate::{analysis::send, prompt::ArtworkPrompt, ProviderError};

const PROVIDER: &str = "openai";
const PROMPT_LIMIT: usize = 4000;

/// gpt-image models take an input image; DALL-E 3 does not.
pub fn can_edit(model: &str) -> bool {
    model.starts_with("gpt-image")
}

pub fn request_body(model: &str, prompt: &ArtworkPrompt) -> Value {
    // DALL-E has no negative prompt: fold the exclusions into the prompt.
    let text = format!("{} Avoid: {}.", prompt.positive, prompt.negative);
    let text: String = text.chars().take(PROMPT_LIMIT).collect();
    if can_edit(model) {
        json!({"model": model, "prompt": text, "n": 1, "size": "1536x1024", "quality": "high", "output_format": "png"})
    } else {
        json!({"model": model, "prompt": text, "n": 1, "size": "1792x1024", "quality": "hd", "style": "vivid", "response_format": "b64_json"})
    }
}

/// The gpt-image edits form: the style reference as `image`, the prompt asking for its look.
pub fn edit_form(model: &str, prompt: &ArtworkPrompt, reference: &[u8]) -> multipart::Form {
    let text = format!(
        "A new YouTube thumbnail artwork in the style, palette and composition of this reference (not a copy of it): {} Avoid: {}.",
        prompt.positive, prompt.negative
    );
    image_form(model, &text, reference, "reference.png")
}

/// The edits form for the creator's own change to `png` ("make the background red").
pub fn instruction_form(model: &str, instruction: &str, png: &[u8]) -> multipart::Form {
    image_form(
        model,
        &edit_instruction(instruction, PROMPT_LIMIT),
        png,
        "source.png",
    )
}

fn image_form(model: &str, text: &str, png: &[u8], file_name: &str) -> multipart::Form {
    multipart::Form::new()
        .text("model", model.to_string())
        .text(
            "prompt",
            text.chars().take(PROMPT_LIMIT).collect::<String>(),
        )
        .text("n", "1")
        .text("size", "1536x1024")
        .text("quality", "high")
        .part(
            "image",
            multipart::Part::bytes(png.to_vec())
                .file_name(file_name.to_string())
                .mime_str("image/png")
                .unwrap_or_else(|_| multipart::Part::bytes(Vec::new())),
        )
}

pub async fn generate(
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    prompt: &ArtworkPrompt,
) -> Result<Vec<u8>, ProviderError> {
    // gpt-image takes a reference image through its edits endpoint; DALL-E 3 takes none.
    let request = match (&prompt.style_reference, can_edit(model)) {
        (Some(reference), true) => http
            .post(format!("{base}/v1/images/edits"))
            .multipart(edit_form(model, prompt, reference)),
        _ => http
            .post(format!("{base}/v1/images/generations"))
            .json(&request_body(model, prompt)),
    };
    let body = send(PROVIDER, request.bearer_auth(key)).await?;
    image_from_answer(http, &body).await
}

/// `png` changed as `instruction` asks. DALL-E models cannot.
pub async fn edit(
    http: &Client,
    base: &str,
    key: &str,
    model: &str,
    png: &[u8],
    instruction: &str,
) -> Result<Vec<u8>, ProviderError> {
    if !can_edit(model) {
        return Err(ProviderError::BadRequest {
            provider: PROVIDER,
            message: format!("{model} cannot edit images; use a gpt-image model"),
        });
    }
    let request = http
        .post(format!("{base}/v1/images/edits"))
        .multipart(instruction_form(model, instruction, png))
        .bearer_auth(key);
    let body = send(PROVIDER, request).await?;
    image_from_answer(http, &body).await
}

/// The image of an images answer: `data[0].b64_json`, or the file at `data[0].url`.
async fn image_from_answer(http: &Client, body: &Value) -> Result<Vec<u8>, ProviderError> {
    let item = &body["data"][0];
    if let Some(b64) = item["b64_json"].as_str() {
        return decode_b64(PROVIDER, b64);
    }
    if let Some(url) = item["url"].as_str() {
        let r = http
            .get(url)
            .send()
            .await
            .map_err(|e| crate::analysis::transport(PROVIDER, &e))?;
        if !r.status().is_success() {
            return Err(ProviderError::Server {
                provider: PROVIDER,
                status: r.status().as_u16(),
            });
        }
        return r
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| crate::analysis::transport(PROVIDER, &e));
    }
    Err(ProviderError::Malformed {
        provider: PROVIDER,
        message: "no data[0].b64_json or url".into(),
    })
}
