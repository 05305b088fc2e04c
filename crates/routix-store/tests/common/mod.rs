//! A fresh database per test: a temporary SQLite file, and a throwaway PostgreSQL database
//! when one answers on 127.0.0.1 (required in CI). `both!` runs a body on each.

use routix_store::{
    users::{NewUser, Role},
    Db, UserId,
};
use sqlx::{Connection, Executor, PgConnection};

pub const ADMIN_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop can't await: drop the database from a side thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut c) = PgConnection::connect(ADMIN_PG_URL).await {
                        let _ = c
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

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let db = Db::connect(&url, 4).await.unwrap();
    db.migrate().await.unwrap();
    TestDb {
        db,
        _dir: Some(dir),
        pg_name: None,
    }
}

pub async fn postgres() -> Option<TestDb> {
    let Ok(mut admin) = PgConnection::connect(ADMIN_PG_URL).await else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL is required in CI"
        );
        return None;
    };
    let name = format!("routix_store_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let db = Db::connect(&format!("postgres://postgres@127.0.0.1:5432/{name}"), 4)
        .await
        .unwrap();
    db.migrate().await.unwrap();
    Some(TestDb {
        db,
        _dir: None,
        pg_name: Some(name),
    })
}

#[macro_export]
macro_rules! both {
    ($(async fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($db: &routix_store::Db) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { body(&$crate::common::sqlite().await.db).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) = $crate::common::postgres().await { body(&t.db).await }
            }
        }
    )*};
}

/// An account to own records (not every test file needs one).
#[allow(dead_code)]
pub async fn user(db: &Db) -> UserId {
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    db.create_user(NewUser {
        email: &email,
        password_hash: "x",
        display_name: "t",
        locale: "en",
        role: Role::Admin,
        credits: 0,
    })
    .await
    .unwrap()
    .id
}
