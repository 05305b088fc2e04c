//! Conversation search and archiving, on SQLite and (when reachable) PostgreSQL.

use routix_core::chat_search::SearchQuery;
use routix_store::{
    chat::{ConversationChange, Role},
    on_db, ConversationId, Db, MessageId, UserId,
};
use sqlx::{Connection, Executor, PgConnection};

mod common;

async fn hits(db: &Db, user: UserId, q: &str) -> Vec<(ConversationId, Option<MessageId>)> {
    db.search_chat(user, &SearchQuery::parse(q).unwrap(), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.conversation_id, h.message_id))
        .collect()
}

async fn say(db: &Db, c: ConversationId, user: UserId, text: &str) -> MessageId {
    db.add_message(c, Some(user), Role::User, text, &serde_json::json!({}))
        .await
        .unwrap()
        .id
}

crate::both! {
    async fn titles_are_reindexed_when_renamed(db) {
        let user = common::user(db).await;
        let c = db.create_conversation(user, "chocolate cake").await.unwrap();
        assert_eq!(hits(db, user, "chocolate").await, [(c.id, None)]);
        let change = ConversationChange { title: Some("gaming night"), archived: None };
        db.update_conversation(user, c.id, change).await.unwrap();
        assert!(hits(db, user, "chocolate").await.is_empty(), "the old title is forgotten");
        assert_eq!(hits(db, user, "gam").await, [(c.id, None)], "words match by prefix");
    }

    async fn hits_are_newest_first_and_the_owners_only(db) {
        let (me, other) = (common::user(db).await, common::user(db).await);
        let c = db.create_conversation(me, "plans").await.unwrap();
        let first = say(db, c.id, me, "red thumbnail").await;
        let second = say(db, c.id, me, "a RED and black thumbnail").await;
        let theirs = db.create_conversation(other, "red").await.unwrap();
        say(db, theirs.id, other, "red too").await;
        assert_eq!(hits(db, me, "red thumbnail").await, [(c.id, Some(second)), (c.id, Some(first))]);
        db.delete_conversation(me, c.id).await.unwrap();
        assert!(hits(db, me, "red").await.is_empty(), "deleted conversations are not searched");
    }

    async fn archiving_moves_a_conversation_between_the_lists(db) {
        let user = common::user(db).await;
        let kept = db.create_conversation(user, "kept").await.unwrap();
        let old = db.create_conversation(user, "old").await.unwrap();
        let archive = ConversationChange { title: None, archived: Some(true) };
        let archived = db.update_conversation(user, old.id, archive).await.unwrap();
        assert_eq!(archived.title, "old");
        let at = archived.archived_at.expect("archived");
        // Archiving again keeps the first time.
        let again = db.update_conversation(user, old.id, archive).await.unwrap();
        assert_eq!(again.archived_at, Some(at));
        let ids = |archived: bool| async move {
            db.list_conversations(user, archived, None, 20)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(false).await, [kept.id]);
        assert_eq!(ids(true).await, [old.id]);
        assert_eq!(hits(db, user, "old").await, [(old.id, None)], "archived ones are still searched");
        let back = ConversationChange { title: None, archived: Some(false) };
        assert!(db.update_conversation(user, old.id, back).await.unwrap().archived_at.is_none());
        assert_eq!(ids(false).await, [old.id, kept.id]);
    }
}

/// A database migrated up to (not including) 0011, with a conversation and a message written
/// the old way; then the rest of the migrations.
async fn backfilled(db: &Db) -> (UserId, ConversationId) {
    let user = common::user(db).await;
    let (c, m) = (ConversationId::new(), MessageId::new());
    let at = routix_store::now();
    on_db!(db, pool => {
        sqlx::query("INSERT INTO conversations (id, user_id, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(c).bind(user).bind("شب بازی").bind(at).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO messages (id, conversation_id, user_id, role, content, metadata, created_at) VALUES ($1, $2, $3, 'user', $4, '{}', $5)")
            .bind(m).bind(c).bind(user).bind("كيك شكلاتي مي‌خواهم").bind(at).execute(pool).await.unwrap();
    });
    db.migrate().await.unwrap();
    (user, c)
}

/// A database migrated up to (not including) 0011: the migrations before it, copied out and
/// run from disk.
async fn before_0011(url: &str) -> (Db, tempfile::TempDir) {
    let db = Db::connect(url, 2).await.unwrap();
    let backend = match db {
        Db::Sqlite(_) => "sqlite",
        Db::Postgres(_) => "postgres",
    };
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let older = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let version: u32 = name.split('_').next().unwrap().parse().unwrap();
        if version < 11 {
            std::fs::copy(&path, older.path().join(name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(older.path()).await.unwrap();
    match &db {
        Db::Sqlite(pool) => migrator.run(pool).await.unwrap(),
        Db::Postgres(pool) => migrator.run(pool).await.unwrap(),
    }
    (db, older)
}

async fn check_backfill(db: &Db) {
    let (user, c) = backfilled(db).await;
    let found = hits(db, user, "کیک").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, c);
    assert!(found[0].1.is_some(), "the message, not the title");
    assert_eq!(hits(db, user, "می خواهم").await.len(), 1);
    assert_eq!(hits(db, user, "بازی").await, [(c, None)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_indexes_existing_messages_and_titles() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _older) = before_0011(&format!("sqlite://{}/t.db", dir.path().display())).await;
    check_backfill(&db).await;
}

/// A throwaway PostgreSQL database left unmigrated, dropped with the value.
struct Scratch(String);

impl Drop for Scratch {
    fn drop(&mut self) {
        let name = self.0.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(mut c) = PgConnection::connect(common::ADMIN_PG_URL).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = c.execute(sql.as_str()).await;
                }
            });
        })
        .join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migration_indexes_existing_messages_and_titles() {
    let Ok(mut admin) = PgConnection::connect(common::ADMIN_PG_URL).await else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL is required in CI"
        );
        return;
    };
    let scratch = Scratch(format!("routix_store_{}", uuid::Uuid::new_v4().simple()));
    admin
        .execute(format!("CREATE DATABASE {}", scratch.0).as_str())
        .await
        .unwrap();
    let url = format!("postgres://postgres@127.0.0.1:5432/{}", scratch.0);
    let (db, _older) = before_0011(&url).await;
    check_backfill(&db).await;
    db.close().await;
}
