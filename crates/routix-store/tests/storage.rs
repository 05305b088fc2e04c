//! Object storage against a local S3 (moto), and the local fallback when S3 fails.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use bytes::Bytes;
use routix_store::blobs::{content_key, BlobStore, SecretString, StorageBackend};

struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `moto_server` on a random port, or explains why not (fatal in CI).
async fn moto() -> Option<(Moto, String)> {
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(child) = child else {
        assert!(
            std::env::var_os("CI").is_none(),
            "moto_server is required in CI (pip install 'moto[server]')"
        );
        eprintln!("moto_server not installed: skipping S3 tests");
        return None;
    };
    let moto = Moto(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            // Create the bucket with a plain S3 call.
            let status = reqwest::Client::new()
                .put(format!("{url}/routix-test"))
                .send()
                .await
                .map(|r| r.status());
            if matches!(status, Ok(s) if s.is_success()) {
                return Some((moto, url));
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto_server did not start");
}

fn s3(endpoint: &str) -> StorageBackend {
    StorageBackend::S3 {
        bucket: "routix-test".into(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some(SecretString("testing".into())),
    }
}

#[tokio::test]
async fn results_round_trip_through_s3() {
    let Some((_moto, url)) = moto().await else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    let store = BlobStore::open(&s3(&url), local.path()).unwrap();
    assert_eq!(store.label(), "s3:routix-test");
    let bytes = Bytes::from_static(b"\xff\xd8\xff fake jpeg body");
    let key = content_key("generations", &bytes, "jpg");
    store.put(&key, bytes.clone()).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), bytes);
    // It went to S3, not to the local fallback.
    assert!(!local.path().join(&key).exists());
    let listing = reqwest::get(format!("{url}/routix-test?list-type=2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listing.contains(&key), "the bucket lists {key}: {listing}");
    store.delete(&key).await.unwrap();
    assert!(matches!(
        store.get(&key).await,
        Err(routix_store::StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_failing_s3_falls_back_to_local_disk() {
    // Nothing listens on this port: every S3 call fails.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let local = tempfile::tempdir().unwrap();
    let store = BlobStore::open(&s3(&dead), local.path()).unwrap();
    let bytes = Bytes::from_static(b"png bytes");
    let key = content_key("generations", &bytes, "png");
    store.put(&key, bytes.clone()).await.expect("kept locally");
    assert!(local.path().join(&key).exists());
    assert_eq!(
        store.get(&key).await.unwrap(),
        bytes,
        "read back from the fallback"
    );
}
