//! Stability AI: v1 SDXL text-to-image (1344x768, the accepted 16:9-ish size) and the v2beta
//! Stable Image Core endpoint (multipart, aspect ratio 16:9).

use reqwest::{multipart, Client};
use serde_json::{json, Value};

use super::decode_b64;
use crate::{analysis::send, prompt::ArtworkPrompt, ProviderError};

const PROVIDER: &str = "stability";

pub fn v1_body(prompt: &ArtworkPrompt) -> Value {
    json!({
        "text_prompts": [
            {"text": prompt.positive, "weight": 1},
            {"text": prompt.negative, "weight": -1}
        ],
        "cfg_scale": 7,
        "width": 1344,
        "height": 768,
        "samples": 1,
        "steps": 30
    })
}

/// How much of a style reference image-to-image keeps (0: none of it, 1: all).
pub const STYLE_STRENGTH: f32 = 0.35;

/// The v1 image-to-image form: the reference as `init_image`, kept at [`STYLE_STRENGTH`].
pub fn v1_style_form(prompt: &ArtworkPrompt, reference: &[u8]) -> multipart::Form {
    multipart::Form::new()
        .text("text_prompts[0][text]", prompt.positive.clone())
        .text("text_prompts[0][weight]", "1")
        .text("text_prompts[1][text]", prompt.negative.clone())
        .text("text_prompts[1][weight]", "-1")
        .text("init_image_mode", "IMAGE_STRENGTH")
        .text("image_strength", STYLE_STRENGTH.to_string())
        .text("cfg_scale", "7")
        .text("samples", "1")
        .text("steps", "30")
        .part(
            "init_image",
            multipart::Part::bytes(reference.to_vec())
                .file_name("reference.png")
                .mime_str("image/png")
                .unwrap_or_else(|_| multipart::Part::bytes(Vec::new())),
        )
}

pub async fn generate_v1(
    http: &Client,
    base: &str,
    key: &str,
    prompt: &ArtworkPrompt,
) -> Result<Vec<u8>, ProviderError> {
    let engine = format!("{base}/v1/generation/stable-diffusion-xl-1024-v1-0");
    let request = match &prompt.style_reference {
        Some(reference) => http
            .post(format!("{engine}/image-to-image"))
            .multipart(v1_style_form(prompt, reference)),
        None => http
            .post(format!("{engine}/text-to-image"))
            .json(&v1_body(prompt)),
    };
    let body = send(
        PROVIDER,
        request
            .bearer_auth(key)
            .header("Accept", "application/json"),
    )
    .await?;
    let artifact = &body["artifacts"][0];
    match artifact["finishReason"].as_str() {
        Some("SUCCESS") | None => {}
        Some("CONTENT_FILTERED") => {
            return Err(ProviderError::ContentPolicy {
                provider: PROVIDER,
                message: "the image was filtered".into(),
            })
        }
        Some(other) => {
            return Err(ProviderError::Malformed {
                provider: PROVIDER,
                message: format!("finishReason {other}"),
            })
        }
    }
    let b64 = artifact["base64"]
        .as_str()
        .ok_or_else(|| ProviderError::Malformed {
            provider: PROVIDER,
            message: "no artifacts[0].base64".into(),
        })?;
    decode_b64(PROVIDER, b64)
}

pub async fn generate_v2(
    http: &Client,
    base: &str,
    key: &str,
    prompt: &ArtworkPrompt,
) -> Result<Vec<u8>, ProviderError> {
    let form = multipart::Form::new()
        .text("prompt", prompt.positive.clone())
        .text("negative_prompt", prompt.negative.clone())
        .text("aspect_ratio", "16:9")
        .text("output_format", "png");
    let body = send(
        PROVIDER,
        http.post(format!("{base}/v2beta/stable-image/generate/core"))
            .bearer_auth(key)
            .header("Accept", "application/json")
            .multipart(form),
    )
    .await?;
    if body["finish_reason"].as_str() == Some("CONTENT_FILTERED") {
        return Err(ProviderError::ContentPolicy {
            provider: PROVIDER,
            message: "the image was filtered".into(),
        });
    }
    let b64 = body["image"]
        .as_str()
        .ok_or_else(|| ProviderError::Malformed {
            provider: PROVIDER,
            message: "no image".into(),
        })?;
    decode_b64(PROVIDER, b64)
}
