//! Provider settings from the environment (names from the design's contract). Keys are
//! wrapped so `Debug` and logs never show them.

use std::{fmt, time::Duration};

use crate::resilience::Policy;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone)]
pub struct ProvidersConfig {
    pub openai_key: Option<Secret>,
    pub openai_base: String,
    /// Chat model for analysis.
    pub openai_model: String,
    /// `dall-e-3` or `gpt-image-1`.
    pub openai_image_model: String,
    pub gemini_key: Option<Secret>,
    pub gemini_base: String,
    pub gemini_model: String,
    pub gemini_image_model: String,
    pub stability_key: Option<Secret>,
    pub stability_base: String,
    /// `v1` (SDXL text-to-image) or `v2` (stable-image core).
    pub stability_api: String,
    pub sd_webui_url: Option<String>,
    pub policy: Policy,
    pub cache_ttl: Duration,
}

impl ProvidersConfig {
    /// Reads the variables through `get`; empty values count as unset.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<ProvidersConfig, String> {
        let var = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let secs = |k: &'static str, default: u64| -> Result<Duration, String> {
            match var(k) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        format!("{k}: expected a positive number of seconds, got {v:?}")
                    }),
            }
        };
        let url = |k: &'static str, default: &str| -> Result<String, String> {
            let v = var(k).unwrap_or_else(|| default.to_string());
            if v.starts_with("http://") || v.starts_with("https://") {
                Ok(v.trim_end_matches('/').to_string())
            } else {
                Err(format!("{k}: expected an http(s) URL, got {v:?}"))
            }
        };
        let stability_api = var("STABILITY_API_VERSION").unwrap_or_else(|| "v1".into());
        if stability_api != "v1" && stability_api != "v2" {
            return Err(format!(
                "STABILITY_API_VERSION: expected v1 or v2, got {stability_api:?}"
            ));
        }
        let image_model = var("OPENAI_IMAGE_MODEL").unwrap_or_else(|| "dall-e-3".into());
        if image_model != "dall-e-3" && image_model != "gpt-image-1" {
            return Err(format!(
                "OPENAI_IMAGE_MODEL: expected dall-e-3 or gpt-image-1, got {image_model:?}"
            ));
        }
        Ok(ProvidersConfig {
            openai_key: var("OPENAI_API_KEY").map(Secret),
            openai_base: url("OPENAI_BASE_URL", "https://api.openai.com")?,
            openai_model: var("OPENAI_MODEL").unwrap_or_else(|| "gpt-4o".into()),
            openai_image_model: image_model,
            gemini_key: var("GEMINI_API_KEY").map(Secret),
            gemini_base: url(
                "GEMINI_BASE_URL",
                "https://generativelanguage.googleapis.com",
            )?,
            gemini_model: var("GEMINI_MODEL").unwrap_or_else(|| "gemini-2.5-flash".into()),
            gemini_image_model: var("GEMINI_IMAGE_MODEL")
                .unwrap_or_else(|| "gemini-2.5-flash-image".into()),
            stability_key: var("STABILITY_API_KEY").map(Secret),
            stability_base: url("STABILITY_BASE_URL", "https://api.stability.ai")?,
            stability_api,
            sd_webui_url: match var("SD_WEBUI_URL") {
                None => None,
                Some(_) => Some(url("SD_WEBUI_URL", "")?),
            },
            policy: Policy {
                timeout: secs("PROVIDER_TIMEOUT_SECONDS", 90)?,
                ..Policy::default()
            },
            cache_ttl: secs("ANALYSIS_CACHE_TTL_SECONDS", 3600)?,
        })
    }

    /// No keys at all: the offline defaults.
    pub fn offline() -> ProvidersConfig {
        ProvidersConfig::from_env(|_| None).expect("defaults are valid")
    }
}
