-- The template bank: designer-made reference thumbnails, described by their style DNA.
-- tags: JSON array of strings. category: a routix_core::Category id, or NULL for any.
-- storage_key / preview_key: the original and its 480x270 WebP preview in object storage
-- (content-hash names, so two rows may share them: blobs are deleted with the last row).
-- usage_count, success_count, rating_up, rating_down: what generations and ratings taught.
CREATE TABLE bank_items (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    category TEXT,
    storage_key TEXT NOT NULL,
    preview_key TEXT NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    style_dna TEXT NOT NULL,
    featured INTEGER NOT NULL DEFAULT 0,
    priority INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    usage_count INTEGER NOT NULL DEFAULT 0,
    success_count INTEGER NOT NULL DEFAULT 0,
    rating_up INTEGER NOT NULL DEFAULT 0,
    rating_down INTEGER NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX bank_items_enabled_category ON bank_items (enabled, category);
CREATE INDEX bank_items_storage_key ON bank_items (storage_key);
CREATE INDEX bank_items_preview_key ON bank_items (preview_key);
