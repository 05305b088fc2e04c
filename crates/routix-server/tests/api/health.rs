use reqwest::{header, StatusCode};
use serde_json::Value;

crate::both! {
    async fn health_ready_and_metrics_answer(app) {
        let res = app.get("/health", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.get("/ready", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["database"], "ok", "{body}");
        app.get("/api/v1/users/me", None).await;
        let metrics = app.get("/metrics", None).await.text().await.unwrap();
        assert!(metrics.contains("http_requests_total"), "{metrics}");
        assert!(metrics.contains("route=\"/api/v1/users/me\""), "labelled by route template");
        assert!(metrics.contains("http_request_duration_seconds_bucket"), "latency histogram");
    }
}

#[tokio::test]
async fn openapi_lists_the_api_and_docs_page_is_self_contained() {
    let app = crate::helpers::TestApp::sqlite().await;
    let spec: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/users/me",
        "/api/v1/chat/conversations/{id}/messages",
        "/api/v1/files/upload",
    ] {
        assert!(paths.contains_key(p), "openapi misses {p}");
    }
    let res = app.get("/docs", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains("/docs/docs.js"));
    assert!(
        !html.contains("https://"),
        "docs must not load third-party assets"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let app = crate::helpers::TestApp::sqlite().await;
    let res = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(crate::helpers::error_code(res).await, "not_found");
    let res = app
        .request(reqwest::Method::PUT, "/api/v1/auth/login", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(crate::helpers::error_code(res).await, "method_not_allowed");
}
