//! Mailed one-time links and the outbox queue, on SQLite and (when reachable) PostgreSQL.

use std::{collections::HashSet, time::Duration};

use routix_store::{
    mail::{NewMail, TokenEffect, TokenPurpose, TokenState, TokenUse},
    Db,
};

mod common;

const LEASE: Duration = Duration::from_secs(60);

fn mail(to: &str) -> NewMail<'_> {
    NewMail {
        recipient: to,
        subject: "s",
        text: "t",
        html: "<p>t</p>",
    }
}

/// Moves every token's expiry into the past, as if a day had gone by.
async fn expire_tokens(db: &Db) {
    let past = routix_store::now() - chrono::Duration::seconds(1);
    routix_store::on_db!(db, pool => sqlx::query("UPDATE account_tokens SET expires_at = $1")
        .bind(past)
        .execute(pool)
        .await
        .unwrap()
        .rows_affected());
}

crate::both! {
    async fn a_token_works_once_for_its_own_purpose(db) {
        let user = common::user(db).await;
        db.issue_account_token(user, TokenPurpose::Verify, "h-verify", &mail("a@example.com"))
            .await
            .unwrap();
        assert_eq!(db.account_token_state("h-verify", TokenPurpose::Verify).await.unwrap(), TokenState::Valid);
        assert_eq!(db.account_token_state("h-verify", TokenPurpose::Reset).await.unwrap(), TokenState::Unknown);
        let wrong = db
            .use_account_token("h-verify", TokenEffect::SetPassword { password_hash: "x" })
            .await
            .unwrap();
        assert_eq!(wrong, TokenUse::Unknown);
        assert!(!db.user_by_id(user).await.unwrap().email_verified());

        let used = db.use_account_token("h-verify", TokenEffect::VerifyEmail).await.unwrap();
        assert_eq!(used, TokenUse::Applied { user_id: user });
        assert!(db.user_by_id(user).await.unwrap().email_verified());
        assert_eq!(db.use_account_token("h-verify", TokenEffect::VerifyEmail).await.unwrap(), TokenUse::Gone);
        assert_eq!(db.use_account_token("nobody", TokenEffect::VerifyEmail).await.unwrap(), TokenUse::Unknown);
    }

    async fn expired_and_replaced_tokens_are_gone(db) {
        let user = common::user(db).await;
        db.issue_account_token(user, TokenPurpose::Reset, "h-old", &mail("a@example.com")).await.unwrap();
        db.issue_account_token(user, TokenPurpose::Reset, "h-new", &mail("a@example.com")).await.unwrap();
        assert_eq!(db.account_token_state("h-old", TokenPurpose::Reset).await.unwrap(), TokenState::Gone);
        assert_eq!(db.account_token_state("h-new", TokenPurpose::Reset).await.unwrap(), TokenState::Valid);
        expire_tokens(db).await;
        assert_eq!(db.account_token_state("h-new", TokenPurpose::Reset).await.unwrap(), TokenState::Gone);
        let late = db
            .use_account_token("h-new", TokenEffect::SetPassword { password_hash: "new-hash" })
            .await
            .unwrap();
        assert_eq!(late, TokenUse::Gone);
        assert_eq!(db.user_by_id(user).await.unwrap().password_hash, "x", "an expired link changes nothing");
    }

    async fn each_queued_mail_is_claimed_by_one_sender_at_a_time(db) {
        for i in 0..6 {
            db.queue_mail(&mail(&format!("r{i}@example.com"))).await.unwrap();
        }
        let claims = futures::future::join_all((0..8).map(|_| db.claim_mail(LEASE, 3))).await;
        let ids: Vec<i64> = claims.into_iter().filter_map(|c| c.unwrap()).map(|m| m.id).collect();
        assert_eq!(ids.len(), 6, "every mail claimed: {ids:?}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 6, "none twice: {ids:?}");
        assert!(db.claim_mail(LEASE, 3).await.unwrap().is_none(), "all leased");

        db.mail_failed(ids[0], "421 try later", Duration::ZERO).await.unwrap();
        let again = db.claim_mail(LEASE, 3).await.unwrap().expect("due again");
        assert_eq!((again.id, again.attempts), (ids[0], 2));
        db.mail_sent(again.id).await.unwrap();
        let row = db.outbox_for(&again.recipient).await.unwrap().remove(0);
        assert!(row.sent_at.is_some());
        assert!(row.last_error.is_none());
        assert!(db.claim_mail(Duration::ZERO, 3).await.unwrap().is_none(), "sent mail stays sent");
    }

    async fn a_mail_is_given_up_after_its_last_try(db) {
        db.queue_mail(&mail("x@example.com")).await.unwrap();
        for attempt in 1..=2 {
            let m = db.claim_mail(LEASE, 2).await.unwrap().expect("claimable");
            assert_eq!(m.attempts, attempt);
            db.mail_failed(m.id, "550 no such user", Duration::ZERO).await.unwrap();
        }
        assert!(db.claim_mail(LEASE, 2).await.unwrap().is_none());
        let row = db.outbox_for("x@example.com").await.unwrap().remove(0);
        assert_eq!(row.attempts, 2);
        assert_eq!(row.last_error.as_deref(), Some("550 no such user"));
    }
}
