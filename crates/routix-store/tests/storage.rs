//! Object storage against a local S3 (moto) and a local Azure Blob service (Azurite), and
//! the local fallback when the remote store fails.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use bytes::Bytes;
use routix_store::blobs::{content_key, BlobStore, SecretString, StorageBackend};

/// A local stand-in for a cloud service, stopped when dropped.
struct Service(Child);

impl Drop for Service {
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

/// Starts a stand-in service, or says why not: a skip locally, a failure in CI.
fn spawn(mut command: Command, install: &str) -> Option<Service> {
    let name = command.get_program().to_string_lossy().into_owned();
    match command.stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        Ok(child) => Some(Service(child)),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{name} is required in CI ({install})"
            );
            eprintln!("{name} not installed: skipping its tests");
            None
        }
    }
}

/// Starts `moto_server` (a local S3) on a random port with a `routix-test` bucket.
async fn moto() -> Option<(Service, String)> {
    let port = free_port();
    let mut command = Command::new("moto_server");
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    let moto = spawn(command, "pip install 'moto[server]'")?;
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

/// Azurite's documented development account (not a secret: every Azurite has it).
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Starts `azurite-blob` (a local Azure Blob service) on a random port with a fresh
/// `routix-test` container.
async fn azurite() -> Option<(Service, tempfile::TempDir, String)> {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new("azurite-blob");
    command
        .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
        .args(["--silent", "--skipApiVersionCheck", "--location"])
        .arg(dir.path());
    let server = spawn(command, "npm install -g azurite")?;
    let endpoint = format!("http://127.0.0.1:{port}/{AZURITE_ACCOUNT}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            let status =
                azure_request("PUT", &endpoint, "routix-test", &[("restype", "container")])
                    .await
                    .map(|r| r.status());
            if matches!(status, Ok(s) if s.is_success()) {
                return Some((server, dir, endpoint));
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("azurite-blob did not start");
}

/// One request to the Blob service, signed with the account key (Shared Key), for what the
/// store itself does not do: creating the container, listing it.
async fn azure_request(
    method: &str,
    endpoint: &str,
    path: &str,
    query: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    use base64::Engine;
    use hmac::Mac;
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let version = "2021-08-06";
    let url_path = format!("/{AZURITE_ACCOUNT}/{path}");
    let mut resource = format!("/{AZURITE_ACCOUNT}{url_path}");
    let mut sorted = query.to_vec();
    sorted.sort();
    for (k, v) in &sorted {
        resource.push_str(&format!("\n{k}:{v}"));
    }
    // Verb, eleven standard headers (all empty here), the x-ms headers, the resource.
    let to_sign = format!(
        "{method}\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n{resource}"
    );
    let key = base64::engine::general_purpose::STANDARD
        .decode(AZURITE_KEY)
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let base = endpoint.trim_end_matches(&format!("/{AZURITE_ACCOUNT}"));
    reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{base}{url_path}"))
        .query(query)
        .header("x-ms-date", date)
        .header("x-ms-version", version)
        .header("content-length", "0")
        .header(
            "authorization",
            format!("SharedKey {AZURITE_ACCOUNT}:{signature}"),
        )
        .send()
        .await
}

#[tokio::test]
async fn results_round_trip_through_azure_blob_storage() {
    let Some((_azurite, _data, endpoint)) = azurite().await else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    let backend = StorageBackend::Azure {
        account: AZURITE_ACCOUNT.into(),
        container: "routix-test".into(),
        access_key: Some(SecretString(AZURITE_KEY.into())),
        endpoint: Some(endpoint.clone()),
    };
    let store = BlobStore::open(&backend, local.path()).unwrap();
    assert_eq!(store.label(), "azure:devstoreaccount1/routix-test");
    let bytes = Bytes::from_static(b"RIFF fake webp body");
    let key = content_key("previews", &bytes, "webp");
    store.put(&key, bytes.clone()).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), bytes);
    // It went to the container, not to the local fallback.
    assert!(!local.path().join(&key).exists());
    let listing = azure_request(
        "GET",
        &endpoint,
        "routix-test",
        &[("comp", "list"), ("restype", "container")],
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        listing.contains(&key),
        "the container lists {key}: {listing}"
    );
    store.delete(&key).await.unwrap();
    assert!(matches!(
        store.get(&key).await,
        Err(routix_store::StoreError::NotFound)
    ));
}
