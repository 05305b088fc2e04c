//! Plans, packs, monthly grants and purchases, on SQLite and (when reachable) PostgreSQL.

use routix_core::{credits::LedgerKind, Algorithm};
use routix_store::{
    billing::{PackChange, PaidSession, Period, PlanChange, PurchaseOutcome},
    generations::NewGeneration,
    users::Plan,
    Db, StoreError, UserId,
};

mod common;

async fn on_plan(db: &Db, plan: Plan) -> UserId {
    let id = common::user(db).await;
    db.set_plan(routix_store::audit::Actor::Cli, id, plan)
        .await
        .unwrap();
    id
}

async fn assert_consistent(db: &Db, user: UserId) {
    assert_eq!(
        db.balance(user).await.unwrap(),
        db.ledger_sum(user).await.unwrap(),
        "the ledger explains the balance"
    );
}

fn job(user: UserId, algorithm: Algorithm) -> NewGeneration<'static> {
    NewGeneration {
        user_id: user,
        conversation_id: None,
        prompt: "cooking video, warm colours",
        algorithm,
        requested_template: None,
        reference_file_ids: vec![],
        format: "jpeg",
        cost: algorithm.cost().0,
        watermark: false,
        max_attempts: 2,
        options: None,
        parent_id: None,
    }
}

fn paid<'a>(event: &'a str, session: &'a str, user: UserId, pack: &'a str) -> PaidSession<'a> {
    PaidSession {
        event_id: event,
        event_kind: "checkout.session.completed",
        session_id: session,
        user,
        pack,
        amount_cents: Some(1500),
        currency: Some("usd"),
    }
}

crate::both! {
    async fn seeds_the_four_plans_and_three_packs(db) {
        let plans = db.plans().await.unwrap();
        let ids: Vec<_> = plans.iter().map(|p| (p.id, p.monthly_credits, p.watermark)).collect();
        assert_eq!(
            ids,
            [
                (Plan::Free, 0, true),
                (Plan::Pro, 100, false),
                (Plan::Agency, 500, false),
                (Plan::Enterprise, 0, false),
            ]
        );
        let packs: Vec<_> = db.packs().await.unwrap().into_iter().map(|p| (p.id, p.credits)).collect();
        assert_eq!(
            packs,
            [("starter".to_string(), 50), ("creator".to_string(), 200), ("studio".to_string(), 1000)]
        );
    }

    async fn admin_edits_change_only_the_named_fields(db) {
        let pro = db
            .update_plan(routix_store::audit::Actor::Cli, Plan::Pro, &PlanChange { monthly_credits: Some(120), price_cents: Some(None), ..Default::default() })
            .await
            .unwrap();
        assert_eq!((pro.monthly_credits, pro.price_cents, pro.name_en.as_str()), (120, None, "Pro"));
        let pack = db
            .update_pack(routix_store::audit::Actor::Cli, "studio", &PackChange { enabled: Some(false), name_fa: Some("استودیو بزرگ"), ..Default::default() })
            .await
            .unwrap();
        assert!(!pack.enabled);
        assert_eq!((pack.credits, pack.name_fa.as_str()), (1000, "استودیو بزرگ"));
        assert!(matches!(db.pack("nope").await, Err(StoreError::NotFound)));
    }

    async fn monthly_grant_runs_once_per_period_even_concurrently(db) {
        let pro = on_plan(db, Plan::Pro).await;
        let agency = on_plan(db, Plan::Agency).await;
        let free = common::user(db).await;
        let period = Period::current();
        let runs = grant_twice_at_once(db, &period).await;
        assert_eq!(runs.iter().sum::<u64>(), 2, "each paying account once: {runs:?}");
        assert_eq!(db.grant_plan_credits(&period).await.unwrap(), 0);
        assert_eq!(db.balance(pro).await.unwrap(), 100);
        assert_eq!(db.balance(agency).await.unwrap(), 500);
        assert_eq!(db.balance(free).await.unwrap(), 0);
        for user in [pro, agency, free] {
            assert_consistent(db, user).await;
        }
        // The next month grants again.
        let next = Period::of(chrono::Utc::now() + chrono::Duration::days(32));
        assert_eq!(db.grant_plan_credits(&next).await.unwrap(), 2);
        assert_eq!(db.balance(pro).await.unwrap(), 200);
    }

    async fn a_paid_session_credits_once_per_event_and_per_session(db) {
        let user = common::user(db).await;
        let first = db.record_purchase(&paid("evt_1", "cs_1", user, "creator")).await.unwrap();
        assert_eq!(first, PurchaseOutcome::Credited { credits: 200, balance: 200 });
        assert_eq!(
            db.record_purchase(&paid("evt_1", "cs_1", user, "creator")).await.unwrap(),
            PurchaseOutcome::DuplicateEvent
        );
        assert_eq!(
            db.record_purchase(&paid("evt_2", "cs_1", user, "creator")).await.unwrap(),
            PurchaseOutcome::DuplicateSession
        );
        assert_eq!(
            db.record_purchase(&paid("evt_3", "cs_3", user, "platinum")).await.unwrap(),
            PurchaseOutcome::UnknownPack
        );
        assert_eq!(
            db.record_purchase(&paid("evt_4", "cs_4", UserId::new(), "starter")).await.unwrap(),
            PurchaseOutcome::UnknownAccount
        );
        assert_eq!(db.balance(user).await.unwrap(), 200);
        let ledger = db.ledger(user, None, 10).await.unwrap().items;
        assert_eq!(ledger.len(), 1);
        assert_eq!(ledger[0].kind, LedgerKind::Purchase);
        assert!(ledger[0].note.contains("cs_1"), "{}", ledger[0].note);
        assert_consistent(db, user).await;
    }

    async fn enterprise_reserves_past_zero_and_leaving_it_closes_the_usage(db) {
        let user = on_plan(db, Plan::Enterprise).await;
        let queued = db.enqueue_generation(job(user, Algorithm::Pro)).await.unwrap();
        assert_eq!(queued.cost, 5);
        assert_eq!(db.balance(user).await.unwrap(), -5);
        assert_consistent(db, user).await;
        let ledger = db.ledger(user, None, 10).await.unwrap().items;
        assert_eq!((ledger[0].kind, ledger[0].amount), (LedgerKind::Reserve, -5));

        db.set_plan(routix_store::audit::Actor::Cli, user, Plan::Pro).await.unwrap();
        assert_eq!(db.balance(user).await.unwrap(), 0);
        assert_eq!(db.user_by_id(user).await.unwrap().plan, Plan::Pro);
        let ledger = db.ledger(user, None, 10).await.unwrap().items;
        assert_eq!((ledger[0].kind, ledger[0].amount), (LedgerKind::Grant, 5));
        assert_consistent(db, user).await;
        // On pro the balance limits again.
        assert!(matches!(
            db.enqueue_generation(job(user, Algorithm::Basic)).await,
            Err(StoreError::InsufficientCredits { needed: 1, balance: 0 })
        ));
    }

    async fn only_enterprise_may_hold_a_negative_balance(db) {
        let pro = on_plan(db, Plan::Pro).await;
        let sql = "UPDATE users SET credits = -1 WHERE id = $1";
        let refused = routix_store::on_db!(db, pool => sqlx::query(sql).bind(pro).execute(pool).await.map(|_| ()));
        assert!(refused.is_err(), "the CHECK holds for pro");
    }
}

/// Two grant runs at once, as two servers would.
async fn grant_twice_at_once(db: &Db, period: &Period) -> Vec<u64> {
    let (a, b) = tokio::join!(db.grant_plan_credits(period), db.grant_plan_credits(period));
    vec![a.unwrap(), b.unwrap()]
}
