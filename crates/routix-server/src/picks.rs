//! Picks: one result image a creator chose — a generation's image or one of its variants.
//! On the wire a pick is `"{generation_id}"` (its image), `"{generation_id}:{n}"` (variant
//! `n`, 0 being the image itself) or `{"generation_id", "variant"}`. The feed preview and Test
//! & Compare take picks, so anything that keeps its images as a generation's
//! `details.variants` (variants, re-edits, variants of an uploaded thumbnail) works with both.

use std::str::FromStr;

use axum::http::StatusCode;
use image::DynamicImage;
use routix_core::GenerationStatus;
use routix_store::{generations::Generation, test_sets::SetPick, GenerationId, UserId};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, ApiResult},
    routes::generations::store_404,
    state::AppState,
};

/// A pick as clients send it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PickInput {
    /// `"{generation_id}"` or `"{generation_id}:{variant}"`.
    Text(String),
    Object {
        #[schema(value_type = uuid::Uuid)]
        generation_id: GenerationId,
        /// 0 (the default) is the generation's image; 1 to 3 its other variants.
        #[serde(default)]
        variant: u32,
    },
}

/// A parsed pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub generation: GenerationId,
    pub variant: u32,
}

impl FromStr for Pick {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Pick, ApiError> {
        let bad = || {
            ApiError::validation(format!(
                "{s:?} is not a result: use \"{{generation_id}}\" or \"{{generation_id}}:{{variant}}\""
            ))
        };
        let (id, variant) = match s.trim().split_once(':') {
            Some((id, n)) => (id, n.parse().map_err(|_| bad())?),
            None => (s.trim(), 0),
        };
        Ok(Pick {
            generation: id.parse().map_err(|_| bad())?,
            variant,
        })
    }
}

impl TryFrom<PickInput> for Pick {
    type Error = ApiError;

    fn try_from(input: PickInput) -> Result<Pick, ApiError> {
        match input {
            PickInput::Text(s) => s.parse(),
            PickInput::Object {
                generation_id,
                variant,
            } => Ok(Pick {
                generation: generation_id,
                variant,
            }),
        }
    }
}

impl From<Pick> for SetPick {
    fn from(p: Pick) -> SetPick {
        SetPick {
            generation_id: p.generation,
            variant: p.variant,
        }
    }
}

impl From<SetPick> for Pick {
    fn from(p: SetPick) -> Pick {
        Pick {
            generation: p.generation_id,
            variant: p.variant,
        }
    }
}

/// A pick found: its generation and the stored image it names.
#[derive(Debug, Clone)]
pub struct Picked {
    pub pick: Pick,
    pub generation: Generation,
    /// The full-size image.
    pub key: String,
    /// A smaller copy, when one was stored.
    pub preview_key: Option<String>,
    pub template_id: Option<String>,
}

/// Finds `pick` among `user`'s results: 404 for no such generation of theirs, 422 when it is
/// not finished or has no such variant.
pub async fn resolve(state: &AppState, user: UserId, pick: Pick) -> ApiResult<Picked> {
    let g = state
        .db
        .generation(user, pick.generation)
        .await
        .map_err(store_404)?;
    picked(g, pick)
}

/// `pick` in a generation already loaded.
pub fn picked(g: Generation, pick: Pick) -> ApiResult<Picked> {
    let (GenerationStatus::Completed, Some(key)) = (g.status, g.result_key.clone()) else {
        // The request is fine; the generation is not in a state to answer it yet.
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_finished",
            format!("generation {} has no finished image", g.id),
        ));
    };
    let variant = g
        .details
        .as_ref()
        .and_then(|d| d.get("variants"))
        .and_then(|v| v.as_array())
        .and_then(|list| {
            list.iter()
                .find(|v| v.get("index").and_then(|i| i.as_u64()) == Some(u64::from(pick.variant)))
        });
    let text =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let (key, preview_key, template_id) = match (pick.variant, variant) {
        (_, Some(v)) => (
            text(v, "key").unwrap_or(key),
            text(v, "preview_key"),
            text(v, "template_id").or_else(|| g.template_id.clone()),
        ),
        (0, None) => (key, g.preview_key.clone(), g.template_id.clone()),
        (n, None) => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("generation {} has no variant {n}", g.id),
            ))
        }
    };
    Ok(Picked {
        pick,
        generation: g,
        key,
        preview_key,
        template_id,
    })
}

impl Picked {
    /// A `details` text field of the generation.
    /// The picked variant's record in `details.variants`, when the generation has several.
    pub fn variant_record(&self) -> Option<&serde_json::Value> {
        self.generation
            .details
            .as_ref()?
            .get("variants")?
            .as_array()?
            .iter()
            .find(|v| v.get("index").and_then(|i| i.as_u64()) == Some(u64::from(self.pick.variant)))
    }

    pub fn detail(&self, key: &str) -> Option<String> {
        self.generation
            .details
            .as_ref()
            .and_then(|d| d.get(key))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// The words a video title would carry: the headline as drawn, else the prompt.
    pub fn title(&self) -> String {
        self.detail("headline")
            .unwrap_or_else(|| self.generation.prompt.trim().to_string())
    }

    /// `"{id}"` or `"{id}:{n}"`.
    pub fn name(&self) -> String {
        match self.pick.variant {
            0 => self.pick.generation.to_string(),
            n => format!("{}:{n}", self.pick.generation),
        }
    }
}

/// Decodes a stored image (off the async threads).
pub async fn load_image(state: &AppState, key: &str) -> ApiResult<DynamicImage> {
    let bytes = state.blobs.get(key).await.map_err(store_404)?;
    routix_engine::cpu::run(move || image::load_from_memory(&bytes))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "stored image cannot be decoded");
            ApiError::internal()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_parse_from_an_id_with_or_without_a_variant() {
        let id = GenerationId::new();
        let cases = [
            (format!("{id}"), Some(0)),
            (format!("{id}:2"), Some(2)),
            (format!(" {id}:0 "), Some(0)),
            (format!("{id}:x"), None),
            (format!("{id}:-1"), None),
            ("not-an-id".to_string(), None),
            (String::new(), None),
        ];
        for (text, want) in cases {
            let got = text.parse::<Pick>().ok().map(|p| {
                assert_eq!(p.generation, id);
                p.variant
            });
            assert_eq!(got, want, "{text:?}");
        }
    }
}
