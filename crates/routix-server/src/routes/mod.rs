//! One module per resource; each exposes `router()` and its OpenAPI-annotated handlers.

pub mod account;
pub mod admin;
pub mod algorithms;
pub mod audit;
pub mod auth;
pub mod bank;
pub mod billing;
pub mod brand;
pub mod broadcasts;
pub mod chat;
pub mod credits;
pub mod docs;
pub mod files;
pub mod generations;
pub mod health;
pub mod preview;
pub mod shares;
pub mod stats;
pub mod templates;
pub mod test_sets;
pub mod users;
pub mod youtube;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use routix_store::Cursor;

/// `?cursor=&limit=` of every listing.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

impl PageQuery {
    pub fn parse(&self) -> Result<(Option<Cursor>, usize), ApiError> {
        let cursor = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(c) => Some(Cursor::parse(c)?),
        };
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::validation("limit must be between 1 and 100"));
        }
        Ok((cursor, limit))
    }
}

/// `{items, next_cursor}` for OpenAPI; the runtime value is `routix_store::Page`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PageOf<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
