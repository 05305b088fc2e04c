//! A self-hosted AUTOMATIC1111-compatible server (A1111, Forge, SD.Next): `/sdapi/v1/txt2img`.

use reqwest::Client;
use serde_json::{json, Value};

use super::decode_b64;
use crate::{analysis::send, prompt::ArtworkPrompt, ProviderError};

const PROVIDER: &str = "sd-webui";

pub fn request_body(prompt: &ArtworkPrompt) -> Value {
    json!({
        "prompt": prompt.positive,
        "negative_prompt": prompt.negative,
        "width": 1344,
        "height": 768,
        "steps": 30,
        "cfg_scale": 7,
        "sampler_name": "DPM++ 2M",
        "seed": -1,
        "batch_size": 1
    })
}

pub async fn generate(
    http: &Client,
    url: &str,
    prompt: &ArtworkPrompt,
) -> Result<Vec<u8>, ProviderError> {
    let body = send(
        PROVIDER,
        http.post(format!("{url}/sdapi/v1/txt2img"))
            .json(&request_body(prompt)),
    )
    .await?;
    let b64 = body["images"][0]
        .as_str()
        .ok_or_else(|| ProviderError::Malformed {
            provider: PROVIDER,
            message: "no images[0]".into(),
        })?;
    decode_b64(PROVIDER, b64)
}
