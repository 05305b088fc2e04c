//! The bank's search index as the engine reads it: a request's best-fitting designer look
//! steers its generation. The server's bank routes change it item by item; a standalone
//! worker rebuilds its own copy now and then.

use routix_core::bank::search::{Doc, Index};
use routix_store::{bank::BankItem, Db, StoreError};

/// What the search index knows of an item.
pub fn search_doc(item: &BankItem) -> Doc {
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    Doc {
        id: item.id.to_string(),
        title: item.title.clone(),
        tags: item.tags.clone(),
        category: item.category,
        dna: Some(item.style_dna.clone()),
        boost: routix_core::bank::search::boost(
            item.featured,
            item.priority,
            count(item.usage_count),
            count(item.success_count),
            count(item.rating_down),
        ),
    }
}

/// The index of every enabled item, built off the async threads.
pub async fn build_index(db: &Db) -> Result<Index, StoreError> {
    let docs: Vec<_> = db
        .all_enabled_bank_items()
        .await?
        .iter()
        .map(search_doc)
        .collect();
    Ok(tokio::task::spawn_blocking(move || Index::build(docs))
        .await
        .unwrap_or_else(|_| Index::build(Vec::new())))
}

/// Brings the index up to date with `item` (added, edited, disabled).
pub fn reindex(index: &std::sync::RwLock<Index>, item: &BankItem) {
    let doc = item.enabled.then(|| search_doc(item));
    if let Ok(mut index) = index.write() {
        match doc {
            Some(doc) => index.upsert(doc),
            None => {
                index.remove(&item.id.to_string());
            }
        }
    }
}

/// The tag of the layout templates' own previews in the bank: found by search, but not a
/// designer's look to steer a generation by (the layout matcher already has them).
pub const LAYOUT_TAG: &str = "routix-layout";
