//! Algorithms as data: the seeded rows, audited edits and per-algorithm figures, on SQLite and
//! (when reachable) PostgreSQL.

use chrono::Duration;
use routix_core::{
    algorithms::{default_chain, ImageProvider, WatermarkRule},
    Algorithm, Credits,
};
use routix_store::{
    algorithms::AlgorithmChange,
    audit::{Actor, AuditFilter},
    generations::NewGeneration,
    now, on_db, Db, GenerationId, UserId,
};

mod common;

async fn queued(
    db: &Db,
    user: UserId,
    algorithm: Algorithm,
    parent: Option<GenerationId>,
) -> GenerationId {
    db.enqueue_generation(NewGeneration {
        user_id: user,
        conversation_id: None,
        prompt: "cooking video, warm colours",
        algorithm,
        requested_template: None,
        reference_file_ids: vec![],
        format: "jpeg",
        cost: 0,
        watermark: false,
        max_attempts: 2,
        options: None,
        parent_id: parent,
    })
    .await
    .unwrap()
    .id
}

/// Moves a generation to `status`, started a minute ago and finished `took_ms` later.
async fn ended(db: &Db, id: GenerationId, status: &str, fell_back: bool, took_ms: i64) {
    let started = now() - Duration::seconds(60);
    let finished = started + Duration::milliseconds(took_ms);
    on_db!(db, pool => sqlx::query(
        "UPDATE generations SET status = $2, fell_back = $3, started_at = $4, finished_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(fell_back)
    .bind(started)
    .bind(finished)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

crate::both! {
    async fn seeds_the_three_algorithms_with_todays_terms(db) {
        let all = db.algorithms().await.unwrap();
        let seen: Vec<_> = all.iter().map(|a| (a.id, a.cost, a.chain.clone(), a.enabled, a.watermark)).collect();
        let expected: Vec<_> = Algorithm::ALL
            .into_iter()
            .map(|a| (a, a.cost(), default_chain(a), true, WatermarkRule::Plan))
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(db.algorithm(Algorithm::Pro).await.unwrap().name_fa, "حرفه‌ای");
    }

    async fn an_edit_changes_only_the_named_fields_and_is_audited(db) {
        let admin = common::user(db).await;
        let chain = [ImageProvider::SdWebUi];
        let after = db
            .update_algorithm(
                Actor::Admin(admin),
                Algorithm::Premium,
                &AlgorithmChange { chain: Some(&chain), cost: Some(Credits(8)), enabled: Some(false), ..Default::default() },
            )
            .await
            .unwrap();
        assert_eq!((after.cost, after.enabled, after.chain.as_slice()), (Credits(8), false, &chain[..]));
        assert_eq!((after.name_en.as_str(), after.watermark), ("Premium", WatermarkRule::Plan));
        assert_eq!(db.algorithm(Algorithm::Premium).await.unwrap(), after, "read back as written");

        let log = db
            .audit_log(&AuditFilter { target_kind: Some("algorithm"), ..Default::default() }, None, 10)
            .await
            .unwrap();
        assert_eq!(log.items.len(), 1);
        let row = &log.items[0];
        assert_eq!((row.action.as_str(), row.target_id.as_str()), ("algorithm.update", "premium"));
        assert_eq!(row.actor, admin.to_string());
        let before = row.before.as_ref().unwrap();
        let after = row.after.as_ref().unwrap();
        assert_eq!((before["cost"].as_i64(), after["cost"].as_i64()), (Some(3), Some(8)));
        assert_eq!(after["chain"], serde_json::json!(["sd-webui"]));
        assert_eq!(after["enabled"], false);
    }

    async fn figures_count_recent_requests_and_leave_out_edits_and_old_ones(db) {
        let user = common::user(db).await;
        let mut basics = Vec::new();
        for _ in 0..4 {
            basics.push(queued(db, user, Algorithm::Basic, None).await);
        }
        ended(db, basics[0], "completed", false, 1000).await;
        ended(db, basics[1], "completed", true, 3000).await;
        ended(db, basics[2], "failed", false, 500).await;
        // basics[3] is still queued: counted, neither a success nor a failure.
        let edit = queued(db, user, Algorithm::Basic, Some(basics[0])).await;
        ended(db, edit, "completed", false, 10).await;
        let old = queued(db, user, Algorithm::Premium, None).await;
        on_db!(db, pool => sqlx::query("UPDATE generations SET created_at = $2 WHERE id = $1")
            .bind(old)
            .bind(now() - Duration::days(31))
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();

        let stats = db.algorithm_stats(30).await.unwrap();
        assert_eq!(stats.iter().map(|s| s.algorithm).collect::<Vec<_>>(), Algorithm::ALL);
        let basic = &stats[0];
        assert_eq!((basic.count, basic.completed, basic.failed), (4, 2, 1));
        assert_eq!(basic.success_rate, Some(2.0 / 3.0));
        assert_eq!(basic.fallback_rate, Some(0.5));
        assert_eq!((basic.p50_ms, basic.p95_ms), (Some(1000), Some(3000)));
        let premium = &stats[1];
        assert_eq!((premium.count, premium.success_rate, premium.p50_ms), (0, None, None));
    }
}
