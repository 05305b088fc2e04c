//! Keyset pagination. Ids are UUIDv7, so "after this id" is "after this moment": the cursor
//! is simply the last id of the page, which stays correct while rows are added.

use serde::Serialize;
use uuid::Uuid;

use crate::StoreError;

/// A position in a listing, parsed from the client's opaque `cursor` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub Uuid);

impl Cursor {
    pub fn parse(s: &str) -> Result<Cursor, StoreError> {
        Uuid::parse_str(s)
            .map(Cursor)
            .map_err(|_| StoreError::BadCursor)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves there is more.
    pub fn from_rows(mut rows: Vec<T>, limit: usize, id_of: impl Fn(&T) -> Uuid) -> Page<T> {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|r| id_of(r).hyphenated().to_string())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
