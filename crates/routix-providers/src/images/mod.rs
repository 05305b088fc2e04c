//! Image providers, one file each, behind one enum so the fallback chain is a plain list.

pub mod gemini;
pub mod openai;
pub mod sdwebui;
pub mod stability;

use base64::Engine as _;
use reqwest::Client;

use crate::{config::Secret, prompt::ArtworkPrompt, ProviderError};

#[derive(Debug, Clone)]
pub enum ImageClient {
    OpenAi {
        base: String,
        key: Secret,
        model: String,
    },
    StabilityV1 {
        base: String,
        key: Secret,
    },
    StabilityV2 {
        base: String,
        key: Secret,
    },
    Gemini {
        base: String,
        key: Secret,
        model: String,
    },
    SdWebUi {
        url: String,
    },
}

impl ImageClient {
    /// The provider's name (resilience guard, metrics, prompt limits).
    pub fn provider(&self) -> &'static str {
        match self {
            ImageClient::OpenAi { .. } => "openai",
            ImageClient::StabilityV1 { .. } | ImageClient::StabilityV2 { .. } => "stability",
            ImageClient::Gemini { .. } => "gemini",
            ImageClient::SdWebUi { .. } => "sd-webui",
        }
    }

    /// What the generation records as its engine.
    pub fn engine(&self) -> String {
        match self {
            ImageClient::OpenAi { model, .. } => format!("openai:{model}"),
            ImageClient::StabilityV1 { .. } => "stability:sdxl-1.0".into(),
            ImageClient::StabilityV2 { .. } => "stability:core".into(),
            ImageClient::Gemini { model, .. } => format!("gemini:{model}"),
            ImageClient::SdWebUi { .. } => "sd-webui:txt2img".into(),
        }
    }

    /// One attempt; the encoded image bytes.
    pub async fn generate(
        &self,
        http: &Client,
        prompt: &ArtworkPrompt,
    ) -> Result<Vec<u8>, ProviderError> {
        match self {
            ImageClient::OpenAi { base, key, model } => {
                openai::generate(http, base, key.expose(), model, prompt).await
            }
            ImageClient::StabilityV1 { base, key } => {
                stability::generate_v1(http, base, key.expose(), prompt).await
            }
            ImageClient::StabilityV2 { base, key } => {
                stability::generate_v2(http, base, key.expose(), prompt).await
            }
            ImageClient::Gemini { base, key, model } => {
                gemini::generate(http, base, key.expose(), model, prompt).await
            }
            ImageClient::SdWebUi { url } => sdwebui::generate(http, url, prompt).await,
        }
    }

    /// Whether this client can change an existing image as told (gpt-image, Gemini).
    pub fn can_edit(&self) -> bool {
        match self {
            ImageClient::OpenAi { model, .. } => openai::can_edit(model),
            ImageClient::Gemini { .. } => true,
            _ => false,
        }
    }

    /// One attempt at changing `png` as `instruction` says; the encoded image bytes.
    pub async fn edit(
        &self,
        http: &Client,
        png: &[u8],
        instruction: &str,
    ) -> Result<Vec<u8>, ProviderError> {
        match self {
            ImageClient::OpenAi { base, key, model } => {
                openai::edit(http, base, key.expose(), model, png, instruction).await
            }
            ImageClient::Gemini { base, key, model } => {
                gemini::edit(http, base, key.expose(), model, png, instruction).await
            }
            _ => Err(ProviderError::BadRequest {
                provider: self.provider(),
                message: format!("{} cannot edit images", self.engine()),
            }),
        }
    }
}

/// The creator's instruction framed as an edit that keeps everything else, within `limit`
/// characters (the instruction is shortened, never the framing).
pub fn edit_instruction(instruction: &str, limit: usize) -> String {
    const HEAD: &str = "Edit this YouTube thumbnail: ";
    const TAIL: &str = ". Keep the rest of the image — layout, people, and any text — as it is.";
    let room = limit.saturating_sub(HEAD.chars().count() + TAIL.chars().count());
    let instruction = instruction.trim().trim_end_matches('.');
    let instruction: String = instruction.chars().take(room).collect();
    format!("{HEAD}{instruction}{TAIL}")
}

pub(crate) fn decode_b64(provider: &'static str, data: &str) -> Result<Vec<u8>, ProviderError> {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| ProviderError::Malformed {
            provider,
            message: format!("bad base64 image: {e}"),
        })
}
