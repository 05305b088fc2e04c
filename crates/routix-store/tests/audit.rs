//! The admin audit log: a row is written by the change's own transaction, so it exists exactly
//! when the change committed. On SQLite and (when reachable) PostgreSQL.

mod common;

use routix_core::bank::{Composition, Place, StyleDna};
use routix_store::{
    audit::{Actor, AuditEntry, AuditFilter, AuditLog},
    bank::{BankUpdate, NewBankItem},
    BankItemId, StoreError,
};
use serde_json::json;

use common::user;

fn item() -> NewBankItem {
    NewBankItem {
        title: "Boss fight".into(),
        tags: vec!["gaming".into()],
        category: None,
        storage_key: "bank/a.png".into(),
        preview_key: "bank/a-preview.webp".into(),
        mime: "image/png".into(),
        width: 1280,
        height: 720,
        bytes: 10,
        style_dna: StyleDna {
            palette: vec![],
            brightness: 0.5,
            contrast: 0.5,
            saturation: 0.5,
            energy: 5,
            composition: Composition {
                text: Place::Left,
                subject: Place::Right,
            },
            has_text: true,
            description: None,
            mood: None,
            has_face: None,
        },
        created_by: None,
    }
}

async fn rows(db: &routix_store::Db, kind: &str) -> Vec<routix_store::audit::AuditRecord> {
    let filter = AuditFilter {
        target_kind: Some(kind),
        ..Default::default()
    };
    db.audit_log(&filter, None, 100).await.unwrap().items
}

crate::both! {
    async fn bank_edits_and_deletions_are_audited_with_before_and_after(db) {
        let admin = user(db).await;
        let made = db.insert_bank_items(vec![item()]).await.unwrap().remove(0);
        let missing = db.update_bank_item(Actor::Admin(admin), BankItemId::new(), BankUpdate::default()).await;
        assert!(matches!(missing, Err(StoreError::NotFound)));
        assert!(rows(db, "bank_item").await.is_empty(), "nothing changed, nothing recorded");

        db.update_bank_item(Actor::Admin(admin), made.id, BankUpdate { title: Some("Final boss".into()), ..Default::default() })
            .await
            .unwrap();
        db.delete_bank_item(Actor::Cli, made.id).await.unwrap();
        let log = rows(db, "bank_item").await;
        assert_eq!(log.len(), 2);
        let (deleted, edited) = (&log[0], &log[1]);
        assert_eq!(edited.action, "bank_item.update");
        assert_eq!(edited.actor, admin.to_string());
        assert!(edited.actor_email.is_some());
        assert_eq!(edited.target_id, made.id.to_string());
        assert_eq!(edited.before.as_ref().unwrap()["title"], "Boss fight");
        assert_eq!(edited.after.as_ref().unwrap()["title"], "Final boss");
        assert_eq!(deleted.action, "bank_item.delete");
        assert_eq!(deleted.actor, "cli");
        assert_eq!(deleted.before.as_ref().unwrap()["title"], "Final boss");
        assert_eq!(deleted.after, None);
    }

    async fn an_audit_row_written_in_a_rolled_back_transaction_is_gone(db) {
        // What a later admin action (e.g. an algorithm edit) does: audit inside its own tx.
        let entry = AuditEntry {
            actor: Actor::Cli,
            action: "algorithm.update",
            target_kind: "algorithm",
            target_id: "pro".into(),
            before: Some(json!({"cost": 5})),
            after: Some(json!({"cost": 6})),
        };
        routix_store::on_db!(db, pool => {
            let mut tx = pool.begin().await.unwrap();
            tx.audit(&entry).await.unwrap();
            tx.rollback().await.unwrap();
        });
        assert!(rows(db, "algorithm").await.is_empty());
        routix_store::on_db!(db, pool => {
            let mut tx = pool.begin().await.unwrap();
            tx.audit(&entry).await.unwrap();
            tx.commit().await.unwrap();
        });
        let log = rows(db, "algorithm").await;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].before, Some(json!({"cost": 5})));
        assert_eq!(log[0].after, Some(json!({"cost": 6})));
    }

    async fn a_refused_grant_leaves_no_row_and_a_grant_leaves_one(db) {
        let who = user(db).await;
        let nobody = routix_store::UserId::new();
        assert!(matches!(db.grant_credits(Actor::Cli, nobody, 5, "x").await, Err(StoreError::NotFound)));
        assert!(db.grant_credits(Actor::Cli, who, 0, "x").await.is_err());
        assert!(rows(db, "user").await.is_empty());
        assert_eq!(db.grant_credits(Actor::Cli, who, 5, "x").await.unwrap(), 5);
        let log = rows(db, "user").await;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].before, Some(json!({"balance": 0})));
        assert_eq!(log[0].after, Some(json!({"balance": 5, "amount": 5, "note": "x"})));
    }
}
