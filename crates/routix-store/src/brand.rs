//! Brand kits: one row per creator naming their logo and face (uploaded files; the bytes are
//! in object storage), colours, headline font and logo corner. A creator without a row has
//! the empty kit.

use chrono::{DateTime, Utc};

use crate::{now, on_db, Db, FileId, Result, UserId};

/// A kit as stored. Colours are `#rrggbb` strings and font and corner their wire names;
/// the server parses them into domain types on the way in and out.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct BrandKit {
    pub logo_file_id: Option<FileId>,
    pub face_file_id: Option<FileId>,
    /// Comma-separated, in order; empty for none.
    pub colors: String,
    pub font: Option<String>,
    pub logo_position: String,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Db {
    /// `user`'s kit; the empty kit (top-left corner) when they never saved one.
    pub async fn brand_kit(&self, user: UserId) -> Result<BrandKit> {
        let row: Option<BrandKit> = on_db!(self, pool => sqlx::query_as(
            "SELECT logo_file_id, face_file_id, colors, font, logo_position, updated_at
             FROM brand_kits WHERE user_id = $1",
        )
        .bind(user)
        .fetch_optional(pool)
        .await)?;
        Ok(row.unwrap_or_else(|| BrandKit {
            logo_position: "top-left".into(),
            ..BrandKit::default()
        }))
    }

    /// Saves `kit` as `user`'s whole kit (the caller merged in what was left unchanged);
    /// answers it as stored.
    pub async fn put_brand_kit(&self, user: UserId, kit: &BrandKit) -> Result<BrandKit> {
        on_db!(self, pool => sqlx::query(
            "INSERT INTO brand_kits (user_id, logo_file_id, face_file_id, colors, font, logo_position, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (user_id) DO UPDATE SET logo_file_id = $2, face_file_id = $3,
                 colors = $4, font = $5, logo_position = $6, updated_at = $7",
        )
        .bind(user)
        .bind(kit.logo_file_id)
        .bind(kit.face_file_id)
        .bind(&kit.colors)
        .bind(&kit.font)
        .bind(&kit.logo_position)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        self.brand_kit(user).await
    }
}
