//! The template bank's records: designer-made reference thumbnails with their style DNA.
//! The images live in object storage under `storage_key` (the original) and `preview_key`
//! (a 480x270 WebP); both are content-hash names, so two rows can share them and a blob is
//! only deleted with the last row that uses it (`bank_key_in_use`).

use chrono::{DateTime, Utc};
use routix_core::{bank::StyleDna, Category};
use serde::Serialize;
use sqlx::types::Json;

use crate::{
    audit::{Actor, AuditEntry, AuditLog},
    now, on_db,
    page::Cursor,
    BankItemId, Db, Page, Result, UserId,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankItem {
    pub id: BankItemId,
    pub title: String,
    pub tags: Vec<String>,
    /// `None`: fits any category.
    pub category: Option<Category>,
    pub storage_key: String,
    pub preview_key: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub style_dna: StyleDna,
    pub featured: bool,
    /// -100..100; higher ranks first among equals.
    pub priority: i32,
    pub enabled: bool,
    pub usage_count: i64,
    pub success_count: i64,
    pub rating_up: i64,
    pub rating_down: i64,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: BankItemId,
    title: String,
    tags: Json<Vec<String>>,
    category: Option<String>,
    storage_key: String,
    preview_key: String,
    mime: String,
    width: i32,
    height: i32,
    bytes: i64,
    style_dna: Json<StyleDna>,
    featured: bool,
    priority: i32,
    enabled: bool,
    usage_count: i64,
    success_count: i64,
    rating_up: i64,
    rating_down: i64,
    created_by: Option<UserId>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for BankItem {
    fn from(r: Row) -> Self {
        BankItem {
            id: r.id,
            title: r.title,
            tags: r.tags.0,
            // A category id this build does not know reads as "any category".
            category: r.category.and_then(|c| c.parse().ok()),
            storage_key: r.storage_key,
            preview_key: r.preview_key,
            mime: r.mime,
            width: r.width,
            height: r.height,
            bytes: r.bytes,
            style_dna: r.style_dna.0,
            featured: r.featured,
            priority: r.priority,
            enabled: r.enabled,
            usage_count: r.usage_count,
            success_count: r.success_count,
            rating_up: r.rating_up,
            rating_down: r.rating_down,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// What an admin can change about an item, as the audit log records it.
fn audit_view(r: &Row) -> serde_json::Value {
    serde_json::json!({
        "title": r.title,
        "tags": r.tags.0,
        "category": r.category,
        "featured": r.featured,
        "priority": r.priority,
        "enabled": r.enabled,
        "storage_key": r.storage_key,
    })
}

const COLUMNS: &str = "id, title, tags, category, storage_key, preview_key, mime, width, height, \
    bytes, style_dna, featured, priority, enabled, usage_count, success_count, rating_up, \
    rating_down, created_by, created_at, updated_at";

/// A checked, stored image about to become a bank item.
#[derive(Debug, Clone)]
pub struct NewBankItem {
    pub title: String,
    pub tags: Vec<String>,
    pub category: Option<Category>,
    pub storage_key: String,
    pub preview_key: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub bytes: i64,
    pub style_dna: StyleDna,
    pub created_by: Option<UserId>,
}

/// An admin's edit; `None` leaves a field as it was. `category: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct BankUpdate {
    pub title: Option<String>,
    pub tags: Option<Vec<String>>,
    pub category: Option<Option<Category>>,
    pub featured: Option<bool>,
    pub priority: Option<i32>,
    pub enabled: Option<bool>,
}

impl Db {
    /// Inserts every item in one transaction: all of them, or none on any failure.
    pub async fn insert_bank_items(&self, items: Vec<NewBankItem>) -> Result<Vec<BankItem>> {
        let sql = format!(
            "INSERT INTO bank_items (id, title, tags, category, storage_key, preview_key, mime,
                 width, height, bytes, style_dna, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
             RETURNING {COLUMNS}"
        );
        let at = now();
        let rows: Vec<Row> = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut rows = Vec::with_capacity(items.len());
            for item in &items {
                let row: Row = sqlx::query_as(&sql)
                    .bind(BankItemId::new())
                    .bind(&item.title)
                    .bind(Json(&item.tags))
                    .bind(item.category.map(Category::as_str))
                    .bind(&item.storage_key)
                    .bind(&item.preview_key)
                    .bind(&item.mime)
                    .bind(item.width as i32)
                    .bind(item.height as i32)
                    .bind(item.bytes)
                    .bind(Json(&item.style_dna))
                    .bind(item.created_by)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                rows.push(row);
            }
            tx.commit().await?;
            rows
        });
        Ok(rows.into_iter().map(BankItem::from).collect())
    }

    pub async fn bank_item(&self, id: BankItemId) -> Result<BankItem> {
        let sql = format!("SELECT {COLUMNS} FROM bank_items WHERE id = $1");
        let row: Row = on_db!(self, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?;
        Ok(row.into())
    }

    /// Every item, enabled or not, newest first (the admin's listing).
    pub async fn list_bank_items(
        &self,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<BankItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bank_items
             WHERE ($1 IS NULL OR id < $1)
             ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<Row> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(cursor.map(|c| BankItemId(c.0)))
            .bind((limit + 1) as i64)
            .fetch_all(pool)
            .await)?;
        Ok(Page::from_rows(rows, limit, |r| r.id.0).map(BankItem::from))
    }

    /// Every enabled item, oldest first: what the search index is built from.
    pub async fn all_enabled_bank_items(&self) -> Result<Vec<BankItem>> {
        let sql = format!("SELECT {COLUMNS} FROM bank_items WHERE enabled = TRUE ORDER BY id");
        let rows: Vec<Row> = on_db!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(BankItem::from).collect())
    }

    pub async fn count_bank_items(&self) -> Result<i64> {
        Ok(
            on_db!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM bank_items")
            .fetch_one(pool)
            .await)?,
        )
    }

    /// Counts a generation that followed the item: one use, and one success when it
    /// completed.
    pub async fn bank_item_used(&self, id: BankItemId, completed: bool) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "UPDATE bank_items SET usage_count = usage_count + 1,
                 success_count = success_count + CASE WHEN $2 THEN 1 ELSE 0 END
             WHERE id = $1",
        )
        .bind(id)
        .bind(completed)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Counts a creator's verdict on a generation that followed the item (`before` is the
    /// rating it replaces).
    pub async fn bank_item_rated(
        &self,
        id: BankItemId,
        before: Option<i16>,
        now: i16,
    ) -> Result<()> {
        let delta = |v: i16| i64::from(now == v) - i64::from(before == Some(v));
        on_db!(self, pool => sqlx::query(
            "UPDATE bank_items SET rating_up = rating_up + $2, rating_down = rating_down + $3
             WHERE id = $1",
        )
        .bind(id)
        .bind(delta(1))
        .bind(delta(-1))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Applies `actor`'s edit, audited in the same transaction; answers the item as it now is.
    pub async fn update_bank_item(
        &self,
        actor: Actor,
        id: BankItemId,
        change: BankUpdate,
    ) -> Result<BankItem> {
        // Touching the row first reads the state before and holds the row until commit.
        let touch =
            format!("UPDATE bank_items SET updated_at = $2 WHERE id = $1 RETURNING {COLUMNS}");
        let sql = format!(
            "UPDATE bank_items SET
                 title = COALESCE($2, title),
                 tags = COALESCE($3, tags),
                 category = CASE WHEN $4 THEN $5 ELSE category END,
                 featured = COALESCE($6, featured),
                 priority = COALESCE($7, priority),
                 enabled = COALESCE($8, enabled)
             WHERE id = $1
             RETURNING {COLUMNS}"
        );
        let row: Row = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Row = sqlx::query_as(&touch)
                .bind(id)
                .bind(now())
                .fetch_one(&mut *tx)
                .await?;
            let after: Row = sqlx::query_as(&sql)
                .bind(id)
                .bind(change.title.as_deref())
                .bind(change.tags.as_ref().map(Json))
                .bind(change.category.is_some())
                .bind(change.category.flatten().map(Category::as_str))
                .bind(change.featured)
                .bind(change.priority)
                .bind(change.enabled)
                .fetch_one(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "bank_item.update",
                target_kind: "bank_item",
                target_id: id.to_string(),
                before: Some(audit_view(&before)),
                after: Some(audit_view(&after)),
            })
            .await?;
            tx.commit().await?;
            after
        });
        Ok(row.into())
    }

    /// Deletes the row, audited as `actor`'s in the same transaction, and answers it, so the
    /// caller can delete its blobs (those no other row uses: see `bank_key_in_use`).
    pub async fn delete_bank_item(&self, actor: Actor, id: BankItemId) -> Result<BankItem> {
        let sql = format!("DELETE FROM bank_items WHERE id = $1 RETURNING {COLUMNS}");
        let row: Row = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Row = sqlx::query_as(&sql).bind(id).fetch_one(&mut *tx).await?;
            tx.audit(&AuditEntry {
                actor,
                action: "bank_item.delete",
                target_kind: "bank_item",
                target_id: id.to_string(),
                before: Some(audit_view(&row)),
                after: None,
            })
            .await?;
            tx.commit().await?;
            row
        });
        Ok(row.into())
    }

    /// Whether any item still stores its original or its preview under `key`.
    pub async fn bank_key_in_use(&self, key: &str) -> Result<bool> {
        let n: i64 = on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM bank_items WHERE storage_key = $1 OR preview_key = $1",
        )
        .bind(key)
        .fetch_one(pool)
        .await)?;
        Ok(n > 0)
    }
}

impl Db {
    /// Claims a one-time event: `true` the first time `name` is claimed in this installation
    /// (across processes), `false` after.
    pub async fn claim_flag(&self, name: &str) -> Result<bool> {
        let inserted = on_db!(self, pool => sqlx::query(
            "INSERT INTO app_flags (name, set_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// Gives a claimed event back (what it was to do failed; the next start tries again).
    pub async fn release_flag(&self, name: &str) -> Result<()> {
        on_db!(self, pool => sqlx::query("DELETE FROM app_flags WHERE name = $1")
            .bind(name)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
