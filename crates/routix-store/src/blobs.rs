//! Object storage for uploads and results, behind `object_store` so the local directory of
//! the embedded default and S3/GCS/Azure are one interface. Keys are content-addressed
//! (`folder/<sha256 prefix>.<ext>`), so storing the same bytes twice is harmless.

use bytes::Bytes;
use object_store::{local::LocalFileSystem, path::Path as ObjectPath, ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use std::{path::Path, sync::Arc};

use crate::{Result, StoreError};

#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    /// Human-readable description for logs, e.g. "local:./data/uploads".
    label: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("label", &self.label)
            .finish()
    }
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The content-addressed key for `bytes` in `folder`.
pub fn content_key(folder: &str, bytes: &[u8], extension: &str) -> String {
    let digest = sha256_hex(bytes);
    format!("{folder}/{}.{extension}", &digest[..32])
}

impl BlobStore {
    /// Files under `root` on the local disk (created when missing).
    pub fn local(root: &Path) -> Result<BlobStore> {
        std::fs::create_dir_all(root)
            .map_err(|e| StoreError::Blob(format!("cannot create {}: {e}", root.display())))?;
        let fs =
            LocalFileSystem::new_with_prefix(root).map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(BlobStore {
            inner: Arc::new(fs),
            label: format!("local:{}", root.display()),
        })
    }

    pub fn from_store(inner: Arc<dyn ObjectStore>, label: impl Into<String>) -> BlobStore {
        BlobStore {
            inner,
            label: label.into(),
        }
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        let path = parse_key(key)?;
        self.inner
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes> {
        let path = parse_key(key)?;
        match self.inner.get(&path).await {
            Ok(got) => got
                .bytes()
                .await
                .map_err(|e| StoreError::Blob(e.to_string())),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(e) => Err(StoreError::Blob(e.to_string())),
        }
    }

    /// Deletes the object; an object already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<()> {
        let path = parse_key(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::Blob(e.to_string())),
        }
    }
}

fn parse_key(key: &str) -> Result<ObjectPath> {
    if key
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(StoreError::NotFound);
    }
    ObjectPath::parse(key).map_err(|_| StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_content_addressed() {
        let a = content_key("uploads", b"abc", "png");
        assert_eq!(a, content_key("uploads", b"abc", "png"));
        assert_ne!(a, content_key("uploads", b"abd", "png"));
        assert!(a.starts_with("uploads/") && a.ends_with(".png"));
    }

    #[tokio::test]
    async fn stores_reads_and_deletes_on_local_disk() {
        let dir = std::env::temp_dir().join(format!("routix-blob-{}", uuid::Uuid::new_v4()));
        let store = BlobStore::local(&dir).unwrap();
        store
            .put("uploads/x.png", Bytes::from_static(b"png"))
            .await
            .unwrap();
        assert_eq!(
            store.get("uploads/x.png").await.unwrap(),
            Bytes::from_static(b"png")
        );
        store.delete("uploads/x.png").await.unwrap();
        assert!(matches!(
            store.get("uploads/x.png").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.get("../etc/passwd").await,
            Err(StoreError::NotFound)
        ));
        std::fs::remove_dir_all(dir).ok();
    }
}
