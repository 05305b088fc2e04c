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
    /// Where writes go when `inner` (a remote store) fails, and where reads look next.
    fallback: Option<Arc<dyn ObjectStore>>,
    /// Human-readable description for logs, e.g. "local:./data/uploads".
    label: String,
}

/// Which object store to use, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageBackend {
    Local,
    S3 {
        bucket: String,
        region: String,
        /// For S3-compatible servers (MinIO, moto, R2...).
        endpoint: Option<String>,
        access_key_id: Option<String>,
        /// Never logged: `Debug` of the config prints only whether it is set.
        secret_access_key: Option<SecretString>,
    },
    Gcs {
        bucket: String,
        service_account_path: Option<String>,
    },
    Azure {
        account: String,
        container: String,
        access_key: Option<SecretString>,
        /// For Azure-compatible servers (Azurite, sovereign clouds), e.g.
        /// `http://127.0.0.1:10000/devstoreaccount1`.
        endpoint: Option<String>,
    },
}

#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(pub String);

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
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
            fallback: None,
            label: format!("local:{}", root.display()),
        })
    }

    pub fn from_store(inner: Arc<dyn ObjectStore>, label: impl Into<String>) -> BlobStore {
        BlobStore {
            inner,
            fallback: None,
            label: label.into(),
        }
    }

    /// The configured store; remote ones keep `local_root` as a fallback for failed writes
    /// (logged), so a storage outage never loses a finished thumbnail.
    pub fn open(backend: &StorageBackend, local_root: &Path) -> Result<BlobStore> {
        let local = BlobStore::local(local_root)?;
        let bad = |e: object_store::Error| StoreError::Blob(format!("storage configuration: {e}"));
        let (remote, label): (Arc<dyn ObjectStore>, String) = match backend {
            StorageBackend::Local => return Ok(local),
            StorageBackend::S3 {
                bucket,
                region,
                endpoint,
                access_key_id,
                secret_access_key,
            } => {
                let mut b = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region);
                if let Some(e) = endpoint {
                    b = b
                        .with_endpoint(e)
                        .with_allow_http(e.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                if let (Some(id), Some(secret)) = (access_key_id, secret_access_key) {
                    b = b.with_access_key_id(id).with_secret_access_key(&secret.0);
                }
                (Arc::new(b.build().map_err(bad)?), format!("s3:{bucket}"))
            }
            StorageBackend::Gcs {
                bucket,
                service_account_path,
            } => {
                let mut b =
                    object_store::gcp::GoogleCloudStorageBuilder::new().with_bucket_name(bucket);
                if let Some(p) = service_account_path {
                    b = b.with_service_account_path(p);
                }
                (Arc::new(b.build().map_err(bad)?), format!("gcs:{bucket}"))
            }
            StorageBackend::Azure {
                account,
                container,
                access_key,
                endpoint,
            } => {
                let mut b = object_store::azure::MicrosoftAzureBuilder::new()
                    .with_account(account)
                    .with_container_name(container);
                if let Some(k) = access_key {
                    b = b.with_access_key(&k.0);
                }
                if let Some(e) = endpoint {
                    b = b
                        .with_endpoint(e.clone())
                        .with_allow_http(e.starts_with("http://"));
                }
                (
                    Arc::new(b.build().map_err(bad)?),
                    format!("azure:{account}/{container}"),
                )
            }
        };
        Ok(BlobStore {
            inner: remote,
            fallback: Some(local.inner),
            label,
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        let path = parse_key(key)?;
        let primary = self
            .inner
            .put(&path, PutPayload::from_bytes(bytes.clone()))
            .await;
        match (primary, &self.fallback) {
            (Ok(_), _) => Ok(()),
            (Err(e), Some(local)) => {
                tracing::warn!(store = %self.label, error = %e, key, "remote storage write failed; kept on local disk");
                metrics::counter!("storage_fallback_writes_total").increment(1);
                local
                    .put(&path, PutPayload::from_bytes(bytes))
                    .await
                    .map_err(|e| StoreError::Blob(e.to_string()))?;
                Ok(())
            }
            (Err(e), None) => Err(StoreError::Blob(e.to_string())),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Bytes> {
        let path = parse_key(key)?;
        let primary = read(&self.inner, &path).await;
        match (primary, &self.fallback) {
            (Ok(b), _) => Ok(b),
            (Err(_), Some(local)) => read(local, &path).await,
            (Err(e), None) => Err(e),
        }
    }

    /// Deletes the object; an object already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<()> {
        let path = parse_key(key)?;
        if let Some(local) = &self.fallback {
            let _ = local.delete(&path).await;
        }
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::Blob(e.to_string())),
        }
    }
}

async fn read(store: &Arc<dyn ObjectStore>, path: &ObjectPath) -> Result<Bytes> {
    match store.get(path).await {
        Ok(got) => got
            .bytes()
            .await
            .map_err(|e| StoreError::Blob(e.to_string())),
        Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
        Err(e) => Err(StoreError::Blob(e.to_string())),
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
