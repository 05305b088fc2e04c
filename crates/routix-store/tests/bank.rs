//! The template bank's records, on SQLite and (when reachable) PostgreSQL.

mod common;

use routix_core::{
    bank::{Composition, Place, StyleDna, Swatch},
    Category,
};
use routix_store::{
    bank::{BankUpdate, NewBankItem},
    BankItemId, Cursor, StoreError,
};

use common::user;

fn dna(brightness: f32) -> StyleDna {
    StyleDna {
        palette: vec![
            Swatch {
                hex: "#d01010".into(),
                weight: 0.75,
            },
            Swatch {
                hex: "#101010".into(),
                weight: 0.25,
            },
        ],
        brightness,
        contrast: 0.8,
        saturation: 0.7,
        energy: 9,
        composition: Composition {
            text: Place::Left,
            subject: Place::Right,
        },
        has_text: true,
        description: None,
        mood: Some("intense".into()),
        has_face: None,
    }
}

fn item(title: &str, key: &str) -> NewBankItem {
    NewBankItem {
        title: title.into(),
        tags: vec!["gaming".into(), "boss".into()],
        category: Some(Category::Gaming),
        storage_key: format!("bank/{key}.png"),
        preview_key: format!("bank/{key}-preview.webp"),
        mime: "image/png".into(),
        width: 1280,
        height: 720,
        bytes: 12345,
        style_dna: dna(0.2),
        created_by: None,
    }
}

crate::both! {
    async fn inserted_items_round_trip_with_their_style_dna(db) {
        let admin = user(db).await;
        let mut new = item("Boss fight in a dark castle", "a");
        new.created_by = Some(admin);
        let items = db.insert_bank_items(vec![new, item("Second", "b")]).await.unwrap();
        assert_eq!(items.len(), 2);
        let first = db.bank_item(items[0].id).await.unwrap();
        assert_eq!(first, items[0]);
        assert_eq!(first.title, "Boss fight in a dark castle");
        assert_eq!(first.tags, ["gaming", "boss"]);
        assert_eq!(first.category, Some(Category::Gaming));
        assert_eq!(first.style_dna, dna(0.2));
        assert_eq!(first.created_by, Some(admin));
        assert_eq!((first.width, first.height, first.bytes), (1280, 720, 12345));
        assert!(!first.featured && first.enabled);
        assert_eq!((first.priority, first.usage_count, first.success_count), (0, 0, 0));
        assert_eq!((first.rating_up, first.rating_down), (0, 0));
        assert_eq!(db.count_bank_items().await.unwrap(), 2);
    }

    async fn a_failing_batch_inserts_nothing(db) {
        let mut bad = item("Orphan", "c");
        // No such user: the foreign key fails the second row, so the first is rolled back.
        bad.created_by = Some(routix_store::UserId::new());
        assert!(db.insert_bank_items(vec![item("Fine", "d"), bad]).await.is_err());
        assert_eq!(db.count_bank_items().await.unwrap(), 0);
    }

    async fn bank_listing_is_newest_first_and_paged(db) {
        let mut ids = Vec::new();
        for i in 0..5 {
            let made = db.insert_bank_items(vec![item(&format!("item {i}"), &i.to_string())]).await.unwrap();
            ids.push(made[0].id);
        }
        let page = db.list_bank_items(None, 2).await.unwrap();
        let titles: Vec<&str> = page.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["item 4", "item 3"]);
        let cursor = Cursor::parse(page.next_cursor.as_deref().unwrap()).unwrap();
        let page = db.list_bank_items(Some(cursor), 10).await.unwrap();
        let titles: Vec<&str> = page.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["item 2", "item 1", "item 0"]);
        assert!(page.next_cursor.is_none());
    }

    async fn only_enabled_items_are_indexed(db) {
        let made = db.insert_bank_items(vec![item("on", "e"), item("off", "f"), item("on too", "g")]).await.unwrap();
        db.update_bank_item(routix_store::audit::Actor::Cli, made[1].id, BankUpdate { enabled: Some(false), ..Default::default() }).await.unwrap();
        let titles: Vec<String> = db.all_enabled_bank_items().await.unwrap().into_iter().map(|i| i.title).collect();
        assert_eq!(titles, ["on", "on too"]);
    }

    async fn updates_change_only_the_given_fields(db) {
        let made = db.insert_bank_items(vec![item("Before", "h")]).await.unwrap().remove(0);
        let changed = db.update_bank_item(routix_store::audit::Actor::Cli, made.id, BankUpdate {
            title: Some("After".into()),
            featured: Some(true),
            priority: Some(-7),
            ..Default::default()
        }).await.unwrap();
        assert_eq!(changed.title, "After");
        assert!(changed.featured);
        assert_eq!(changed.priority, -7);
        assert_eq!(changed.tags, made.tags, "untouched");
        assert_eq!(changed.category, Some(Category::Gaming), "untouched");
        assert!(changed.updated_at >= made.updated_at);
        let cleared = db.update_bank_item(routix_store::audit::Actor::Cli, made.id, BankUpdate {
            category: Some(None),
            tags: Some(vec!["calm".into()]),
            ..Default::default()
        }).await.unwrap();
        assert_eq!(cleared.category, None);
        assert_eq!(cleared.tags, ["calm"]);
        assert_eq!(cleared.title, "After");
        let recategorised = db.update_bank_item(routix_store::audit::Actor::Cli, made.id, BankUpdate {
            category: Some(Some(Category::Beauty)),
            ..Default::default()
        }).await.unwrap();
        assert_eq!(recategorised.category, Some(Category::Beauty));
        assert!(matches!(
            db.update_bank_item(routix_store::audit::Actor::Cli, BankItemId::new(), BankUpdate::default()).await,
            Err(StoreError::NotFound)
        ));
    }

    async fn deleting_answers_the_item_and_frees_its_keys(db) {
        // Two rows share one stored image (the same file uploaded twice).
        let made = db.insert_bank_items(vec![item("one", "same"), item("two", "same")]).await.unwrap();
        let key = made[0].storage_key.clone();
        let gone = db.delete_bank_item(routix_store::audit::Actor::Cli, made[0].id).await.unwrap();
        assert_eq!(gone.title, "one");
        assert!(db.bank_key_in_use(&key).await.unwrap(), "the other row still uses it");
        db.delete_bank_item(routix_store::audit::Actor::Cli, made[1].id).await.unwrap();
        assert!(!db.bank_key_in_use(&key).await.unwrap());
        assert!(!db.bank_key_in_use(&made[1].preview_key).await.unwrap());
        assert!(matches!(db.bank_item(made[0].id).await, Err(StoreError::NotFound)));
        assert!(matches!(db.delete_bank_item(routix_store::audit::Actor::Cli, made[0].id).await, Err(StoreError::NotFound)));
    }
}
