//! The generation queue and the credit ledger, on SQLite and (when reachable) PostgreSQL.

use std::time::Duration;

use routix_core::{Algorithm, GenerationStatus};
use routix_store::{
    generations::{CancelOutcome, Completion, Lease, NewGeneration},
    users::{NewUser, Role},
    Db, GenerationId, StoreError, UserId,
};

mod common;

const LEASE: Duration = Duration::from_secs(30);

async fn user(db: &Db, credits: i64) -> UserId {
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let u = db
        .create_user(NewUser {
            email: &email,
            password_hash: "x",
            display_name: "t",
            locale: "en",
            role: Role::User,
            credits: 0,
        })
        .await
        .unwrap();
    if credits > 0 {
        db.grant_credits(routix_store::audit::Actor::Cli, u.id, credits, "test")
            .await
            .unwrap();
    }
    u.id
}

fn job(user: UserId, algorithm: Algorithm) -> NewGeneration<'static> {
    NewGeneration {
        user_id: user,
        conversation_id: None,
        prompt: "gaming video, red and black",
        algorithm,
        requested_template: None,
        reference_file_ids: vec![],
        format: "jpeg",
        cost: algorithm.cost().0,
        watermark: true,
        max_attempts: 2,
        options: None,
        parent_id: None,
    }
}

fn completion() -> Completion {
    Completion {
        stages: vec![],
        result_key: "generations/abc.jpg".into(),
        preview_key: "generations/abc-preview.webp".into(),
        result_bytes: 1234,
        width: 1280,
        height: 720,
        details: None,
        charged: None,
    }
}

async fn assert_books_balance(db: &Db, user: UserId, expected: i64) {
    assert_eq!(db.balance(user).await.unwrap(), expected, "balance");
    assert_eq!(
        db.ledger_sum(user).await.unwrap(),
        expected,
        "ledger sum equals balance"
    );
}

crate::both! {
    async fn enqueue_reserves_and_completion_settles_once(db) {
        let u = user(db, 10).await;
        let g = db.enqueue_generation(job(u, Algorithm::Premium)).await.unwrap();
        assert_eq!(g.status, GenerationStatus::Queued);
        assert_books_balance(db, u, 7).await;
        let claimed = db.claim_generation("w1", LEASE).await.unwrap().expect("a job");
        assert_eq!(claimed.id, g.id);
        assert_eq!(claimed.status, GenerationStatus::Processing);
        assert_eq!(claimed.attempts, 1);
        assert!(db.complete_generation(g.id, "w1", &completion()).await.unwrap());
        assert!(!db.complete_generation(g.id, "w1", &completion()).await.unwrap(), "second completion is a no-op");
        assert!(!db.fail_generation(g.id, "w1", "late", &[]).await.unwrap(), "no refund after success");
        assert_books_balance(db, u, 7).await;
        let kinds: Vec<String> = db.ledger(u, None, 10).await.unwrap().items.iter().map(|e| e.kind.as_str().to_string()).collect();
        assert_eq!(kinds, ["settle", "reserve", "grant"]);
        let done = db.generation(u, g.id).await.unwrap();
        assert_eq!((done.status, done.progress, done.width), (GenerationStatus::Completed, 100, Some(1280)));
    }

    async fn a_premium_job_that_fell_back_is_settled_at_the_basic_price(db) {
        let u = user(db, 10).await;
        let g = db.enqueue_generation(job(u, Algorithm::Premium)).await.unwrap();
        assert_books_balance(db, u, 7).await;
        // The first worker dies after making the artwork, before settling: nothing moves.
        let short = Duration::from_millis(1);
        db.claim_generation("dies", short).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        db.claim_generation("w2", LEASE).await.unwrap().expect("reclaimed");
        let fell_back = Completion { charged: Some(1), ..completion() };
        assert!(!db.complete_generation(g.id, "dies", &fell_back).await.unwrap(), "the dead worker can't settle");
        assert_books_balance(db, u, 7).await;
        // The retry ends on the compositor: settled at 1, the other 2 returned with the settlement.
        assert!(db.complete_generation(g.id, "w2", &fell_back).await.unwrap());
        assert!(!db.complete_generation(g.id, "w2", &fell_back).await.unwrap());
        assert_books_balance(db, u, 9).await;
        let ledger = db.ledger(u, None, 10).await.unwrap().items;
        let refund = ledger.iter().find(|e| e.kind.as_str() == "refund").expect("a refund entry");
        assert_eq!(refund.amount, 2);
        assert_eq!(refund.note, "premium fell back: 2 credits returned");
        assert_eq!(db.generation(u, g.id).await.unwrap().cost, 1);
    }

    async fn not_enough_credits_writes_nothing(db) {
        let u = user(db, 2).await;
        match db.enqueue_generation(job(u, Algorithm::Pro)).await {
            Err(StoreError::InsufficientCredits { needed: 5, balance: 2 }) => {}
            other => panic!("expected InsufficientCredits, got {other:?}"),
        }
        assert_books_balance(db, u, 2).await;
        assert!(db.list_generations(Some(u), &Default::default(), None, 10).await.unwrap().items.is_empty());
        assert!(db.claim_generation("w", LEASE).await.unwrap().is_none());
    }

    async fn concurrent_enqueues_never_overdraw(db) {
        let u = user(db, 5).await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move { db.enqueue_generation(job(u, Algorithm::Basic)).await.is_ok() }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += usize::from(t.await.unwrap());
        }
        assert_eq!(ok, 5, "exactly the affordable number were queued");
        assert_books_balance(db, u, 0).await;
    }

    async fn two_workers_never_claim_the_same_job(db) {
        let u = user(db, 20).await;
        for _ in 0..6 {
            db.enqueue_generation(job(u, Algorithm::Basic)).await.unwrap();
        }
        let mut tasks = Vec::new();
        for w in 0..3 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(g) = db.claim_generation(&format!("w{w}"), LEASE).await.unwrap() {
                    mine.push(g.id);
                }
                mine
            }));
        }
        let mut all: Vec<GenerationId> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!((n, all.len()), (6, 6), "each job claimed exactly once");
    }

    async fn a_dead_workers_job_is_retried_then_failed_and_refunded(db) {
        let u = user(db, 3).await;
        let g = db.enqueue_generation(job(u, Algorithm::Basic)).await.unwrap();
        let short = Duration::from_millis(1);
        db.claim_generation("dies-1", short).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The lease ran out: another worker takes it over; the first can no longer write.
        let retry = db.claim_generation("w2", short).await.unwrap().expect("reclaimed");
        assert_eq!((retry.id, retry.attempts), (g.id, 2));
        assert_eq!(db.heartbeat(g.id, "dies-1", LEASE).await.unwrap(), Lease::Lost);
        assert!(!db.complete_generation(g.id, "dies-1", &completion()).await.unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Second worker died too: attempts exhausted, so it is failed and refunded.
        assert!(db.claim_generation("w3", LEASE).await.unwrap().is_none());
        let reaped = db.reap_abandoned().await.unwrap();
        assert_eq!(reaped.len(), 1);
        let failed = db.generation(u, g.id).await.unwrap();
        assert_eq!(failed.status, GenerationStatus::Failed);
        assert!(failed.error.unwrap().contains("refunded"));
        assert_books_balance(db, u, 3).await;
        assert!(db.reap_abandoned().await.unwrap().is_empty(), "reaped once");
    }

    async fn cancel_refunds_queued_now_and_running_via_worker(db) {
        let u = user(db, 2).await;
        let first = db.enqueue_generation(job(u, Algorithm::Basic)).await.unwrap();
        let second = db.enqueue_generation(job(u, Algorithm::Basic)).await.unwrap();
        assert_books_balance(db, u, 0).await;
        let claimed = db.claim_generation("w", LEASE).await.unwrap().unwrap();
        assert_eq!(claimed.id, first.id, "oldest first");
        assert_eq!(db.cancel_generation(u, second.id).await.unwrap(), CancelOutcome::Cancelled);
        assert_books_balance(db, u, 1).await;
        assert_eq!(db.cancel_generation(u, first.id).await.unwrap(), CancelOutcome::Requested);
        assert_eq!(db.heartbeat(first.id, "w", LEASE).await.unwrap(), Lease::CancelRequested);
        assert!(!db.complete_generation(first.id, "w", &completion()).await.unwrap(), "a cancelled job can't complete");
        assert!(db.finish_cancelled(first.id, "w", &[]).await.unwrap());
        assert_books_balance(db, u, 2).await;
        assert_eq!(
            db.cancel_generation(u, first.id).await.unwrap(),
            CancelOutcome::AlreadyFinished(GenerationStatus::Cancelled)
        );
        assert_books_balance(db, u, 2).await;
    }

    async fn generations_are_private_and_paged(db) {
        let a = user(db, 10).await;
        let b = user(db, 10).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(db.enqueue_generation(job(a, Algorithm::Basic)).await.unwrap().id);
        }
        assert!(matches!(db.generation(b, ids[0]).await, Err(StoreError::NotFound)));
        let first = db.list_generations(Some(a), &Default::default(), None, 2).await.unwrap();
        assert_eq!(first.items.iter().map(|g| g.id).collect::<Vec<_>>(), [ids[2], ids[1]]);
        let cursor = routix_store::Cursor::parse(first.next_cursor.as_deref().unwrap()).unwrap();
        let rest = db.list_generations(Some(a), &Default::default(), Some(cursor), 2).await.unwrap();
        assert_eq!(rest.items.iter().map(|g| g.id).collect::<Vec<_>>(), [ids[0]]);
        assert!(db.list_generations(Some(b), &Default::default(), None, 10).await.unwrap().items.is_empty());
        let deleted = db.delete_generation(a, ids[1]).await.unwrap();
        assert_eq!(deleted.status, GenerationStatus::Cancelled, "deleting a queued job cancels it");
        assert_books_balance(db, a, 8).await;
        assert!(matches!(db.generation(a, ids[1]).await, Err(StoreError::NotFound)));
    }
}
