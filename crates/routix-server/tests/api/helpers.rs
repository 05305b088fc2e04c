use std::{collections::HashMap, net::SocketAddr, path::Path, sync::Once};

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use routix_server::{Application, Settings, Vars};
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::oneshot;

pub const ADMIN_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Runs each test body on SQLite, and on PostgreSQL when it answers.
#[macro_export]
macro_rules! both {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                body($crate::helpers::TestApp::sqlite().await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::postgres().await {
                    body(app).await
                }
            }
        }
    )*};
}

pub enum Backend {
    Sqlite,
    Postgres(String),
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: routix_server::state::AppState,
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    pg_database: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// With `CI` set, a missing PostgreSQL or Redis fails the run instead of skipping tests.
pub fn service_missing(what: &str) -> Option<TestApp> {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is not reachable on 127.0.0.1 but CI requires it");
    }
    static WARNED: Once = Once::new();
    WARNED.call_once(|| eprintln!("{what} not reachable: skipping its tests"));
    None
}

pub async fn redis_available() -> bool {
    tokio::net::TcpStream::connect("127.0.0.1:6379")
        .await
        .is_ok()
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::spawn(Backend::Sqlite, &[]).await
    }

    pub async fn postgres() -> Option<TestApp> {
        TestApp::postgres_with(&[]).await
    }

    pub async fn postgres_with(vars: &[(&str, &str)]) -> Option<TestApp> {
        let Ok(mut admin) = PgConnection::connect(ADMIN_PG_URL).await else {
            return service_missing("PostgreSQL");
        };
        let name = format!("routix_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let _ = admin.close().await;
        Some(TestApp::spawn(Backend::Postgres(name), vars).await)
    }

    pub async fn spawn(backend: Backend, vars: &[(&str, &str)]) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut map: HashMap<String, String> = HashMap::new();
        map.insert("ROUTIX_DATA_DIR".into(), path_str(data_dir.path()));
        map.insert(
            "SECRET_KEY".into(),
            "test-secret-key-0123456789abcdef-0123456789".into(),
        );
        // Tests build their own bank; the seeding has its own test.
        map.insert("BANK_SEED".into(), "false".into());
        // Tests poll while jobs run, for as long as a busy machine needs: the request limits
        // have their own tests, which set them low.
        map.insert("RATE_LIMIT_PER_MINUTE".into(), "1000000".into());
        map.insert("RATE_LIMIT_USER_PER_MINUTE".into(), "1000000".into());
        let pg_database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(name) => {
                map.insert(
                    "DATABASE_URL".into(),
                    format!("postgres://postgres@127.0.0.1:5432/{name}"),
                );
                map.insert("DATABASE_POOL_SIZE".into(), "4".into());
                Some(name)
            }
        };
        for (k, v) in vars {
            map.insert((*k).into(), (*v).into());
        }
        let settings = Settings::load(&Vars::from_map(map), Some("127.0.0.1:0".parse().unwrap()))
            .expect("test settings");
        let app = Application::build(settings).await.expect("app starts");
        let addr = app.local_addr();
        let state = app.state().clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            state,
            client: Client::builder().build().unwrap(),
            data_dir,
            pg_database,
            shutdown: Some(tx),
        }
    }

    pub fn database_url(&self) -> String {
        self.state.settings.database_url.clone()
    }

    pub fn state_db(&self) -> &routix_store::Db {
        &self.state.db
    }

    /// Starts the server's graceful shutdown.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let req = self.client.request(method, self.url(path));
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.unwrap()
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/register",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// A new account; answers its token response.
    pub async fn signed_up(&self, email: &str) -> Value {
        let res = self.register(email, "correct horse battery").await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    pub async fn token_for(&self, email: &str) -> String {
        self.signed_up(email).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(name) = self.pg_database.take() {
            // Drop the database from a side thread: Drop can't await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut admin) = PgConnection::connect(ADMIN_PG_URL).await {
                        let _ = admin
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("utf-8 temp path").to_string()
}

/// The error code of a JSON error body.
pub async fn error_code(res: Response) -> String {
    let body: Value = res.json().await.expect("JSON error body");
    body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_string()
}

/// The account's credit balance.
pub async fn credits(app: &TestApp, token: &str) -> i64 {
    let c: Value = app
        .get("/api/v1/users/me/credits", Some(token))
        .await
        .json()
        .await
        .unwrap();
    c["balance"].as_i64().unwrap()
}

/// Polls until the generation is finished (or 60 s pass).
pub async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..1800 {
        let g: Value = app
            .get(&format!("/api/v1/generations/{id}"), Some(token))
            .await
            .json()
            .await
            .unwrap();
        if ["completed", "failed", "cancelled"].contains(&g["status"].as_str().unwrap()) {
            return g;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("generation {id} did not finish");
}

/// Asks for a generation and waits for it to complete (it must).
pub async fn generated(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app
        .post_json("/api/v1/generations", Some(token), body)
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    let g = finished(app, token, queued["id"].as_str().unwrap()).await;
    assert_eq!(g["status"], "completed", "{g}");
    g
}

/// An app on SQLite whose Stability key and base URL point at a local fake.
pub async fn with_stability(fake: &str) -> TestApp {
    TestApp::spawn(
        Backend::Sqlite,
        &[
            ("STABILITY_API_KEY", "st-key"),
            ("STABILITY_BASE_URL", fake),
        ],
    )
    .await
}
