use reqwest::{header, StatusCode};

use crate::helpers::{redis_available, service_missing, Backend, TestApp, REDIS_URL};

#[tokio::test]
async fn per_address_limit_answers_429_with_retry_after() {
    let app = TestApp::spawn(Backend::Sqlite, &[("RATE_LIMIT_PER_MINUTE", "5")]).await;
    for i in 0..5 {
        let res = app.get("/api/v1/chat/conversations", None).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "request {i} is within the limit"
        );
    }
    let res = app.get("/api/v1/chat/conversations", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    // Health checks are not API traffic and stay reachable.
    assert_eq!(app.get("/health", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn redis_counters_are_shared_between_instances() {
    if !redis_available().await {
        service_missing("Redis");
        return;
    }
    let prefix = format!("routix-test-{}", uuid::Uuid::new_v4().simple());
    let vars = [
        ("RATE_LIMIT_PER_MINUTE", "4"),
        ("REDIS_URL", REDIS_URL),
        ("REDIS_KEY_PREFIX", prefix.as_str()),
    ];
    let a = TestApp::spawn(Backend::Sqlite, &vars).await;
    let b = TestApp::spawn(Backend::Sqlite, &vars).await;
    for app in [&a, &b, &a, &b] {
        assert_eq!(
            app.get("/api/v1/users/me", None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Four requests spread over two processes used the shared allowance.
    assert_eq!(
        a.get("/api/v1/users/me", None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        b.get("/api/v1/users/me", None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn unreachable_redis_degrades_to_local_limits() {
    let app = TestApp::spawn(
        Backend::Sqlite,
        &[
            ("RATE_LIMIT_PER_MINUTE", "3"),
            ("REDIS_URL", "redis://127.0.0.1:1"),
        ],
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/v1/users/me", None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.get("/api/v1/users/me", None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn per_user_limit_holds_one_account_without_touching_others() {
    let app = TestApp::spawn(Backend::Sqlite, &[("RATE_LIMIT_USER_PER_MINUTE", "3")]).await;
    let busy = app.token_for("busy@example.com").await;
    let calm = app.token_for("calm@example.com").await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/v1/users/me", Some(&busy)).await.status(),
            StatusCode::OK
        );
    }
    let res = app.get("/api/v1/users/me", Some(&busy)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(
        app.get("/api/v1/users/me", Some(&calm)).await.status(),
        StatusCode::OK
    );
}
