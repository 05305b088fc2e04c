//! Uploaded files' records. The bytes live in object storage under `storage_key`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{now, on_db, Db, FileId, Result, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StoredFile {
    pub id: FileId,
    #[serde(skip)]
    pub user_id: UserId,
    pub sha256: String,
    #[serde(skip)]
    pub storage_key: String,
    pub mime: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub original_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub struct NewFile<'a> {
    pub user_id: UserId,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub mime: &'a str,
    pub size_bytes: i64,
    pub width: u32,
    pub height: u32,
    pub original_name: Option<&'a str>,
}

const COLUMNS: &str =
    "id, user_id, sha256, storage_key, mime, size_bytes, width, height, original_name, created_at";

impl Db {
    pub async fn insert_file(&self, new: NewFile<'_>) -> Result<StoredFile> {
        let sql = format!(
            "INSERT INTO files (id, user_id, sha256, storage_key, mime, size_bytes, width, height, original_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
        );
        Ok(on_db!(self, pool => sqlx::query_as(&sql)
            .bind(FileId::new())
            .bind(new.user_id)
            .bind(new.sha256)
            .bind(new.storage_key)
            .bind(new.mime)
            .bind(new.size_bytes)
            .bind(new.width as i32)
            .bind(new.height as i32)
            .bind(new.original_name)
            .bind(now())
            .fetch_one(pool)
            .await)?)
    }

    /// A file, only if `user` owns it.
    pub async fn file(&self, user: UserId, id: FileId) -> Result<StoredFile> {
        let sql = format!("SELECT {COLUMNS} FROM files WHERE id = $1 AND user_id = $2");
        Ok(on_db!(self, pool => sqlx::query_as(&sql).bind(id).bind(user).fetch_one(pool).await)?)
    }
}
