use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, Backend, TestApp};

const PASSWORD: &str = "correct horse battery";

crate::both! {
    async fn register_returns_tokens_and_normalised_user(app) {
        let res = app.register("  Maya@Example.COM ", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["expires_in"], 1800);
        assert_eq!(body["user"]["email"], "maya@example.com");
        assert_eq!(body["user"]["role"], "user");
        assert!(body["refresh_token"].as_str().unwrap().len() >= 32);
        let me = app.get("/api/v1/users/me", body["access_token"].as_str()).await;
        assert_eq!(me.status(), StatusCode::OK);
    }

    async fn duplicate_email_is_a_conflict_whatever_its_case(app) {
        app.signed_up("dup@example.com").await;
        let res = app.register("DUP@example.com", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(error_code(res).await, "email_taken");
    }

    async fn invalid_registrations_are_rejected_with_422(app) {
        for (email, password) in [
            ("not-an-email", PASSWORD),
            ("a@b", PASSWORD),
            ("ok@example.com", "short"),
        ] {
            let res = app.register(email, password).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email} / {password}");
            assert_eq!(error_code(res).await, "validation_error");
        }
        let res = app
            .request(Method::POST, "/api/v1/auth/register", None)
            .header(header::CONTENT_TYPE, "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error());
        let body: Value = res.json().await.unwrap();
        assert!(body["error"]["message"].is_string());
    }

    async fn login_accepts_json_and_oauth2_form(app) {
        app.signed_up("login@example.com").await;
        let res = app
            .post_json("/api/v1/auth/login", None, json!({"email": "Login@example.com", "password": PASSWORD}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app
            .request(Method::POST, "/api/v1/auth/login", None)
            .form(&[("username", "login@example.com"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["token_type"], "bearer");
        let wrong = app
            .post_json("/api/v1/auth/login", None, json!({"email": "login@example.com", "password": "wrong password"}))
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let unknown = app
            .post_json("/api/v1/auth/login", None, json!({"email": "nobody@example.com", "password": PASSWORD}))
            .await;
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    }

    async fn refresh_rotates_and_reuse_revokes_the_chain(app) {
        let first = app.signed_up("rotate@example.com").await;
        let r1 = first["refresh_token"].as_str().unwrap();
        let res = app.post_json("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let second: Value = res.json().await.unwrap();
        let r2 = second["refresh_token"].as_str().unwrap();
        assert_ne!(r1, r2);
        // r1 presented again: a thief or a replay. The whole chain dies, r2 included.
        let reuse = app.post_json("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).await;
        assert_eq!(reuse.status(), StatusCode::UNAUTHORIZED);
        let after = app.post_json("/api/v1/auth/refresh", None, json!({"refresh_token": r2})).await;
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
        let garbage = app.post_json("/api/v1/auth/refresh", None, json!({"refresh_token": "nope"})).await;
        assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
    }

    async fn logout_revokes_the_refresh_token(app) {
        let tokens = app.signed_up("bye@example.com").await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let res = app
            .post_json("/api/v1/auth/logout", Some(access), json!({"refresh_token": refresh}))
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app.post_json("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    async fn missing_forged_and_expired_tokens_get_401(app) {
        let res = app.get("/api/v1/users/me", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.get("/api/v1/users/me", Some("not.a.jwt")).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let tokens = app.signed_up("claims@example.com").await;
        let sub = tokens["user"]["id"].as_str().unwrap();
        let now = chrono::Utc::now().timestamp();
        let forged = sign(json!({"sub": sub, "iat": now, "exp": now + 600, "typ": "access", "role": "admin", "jti": "x"}), b"some-other-secret-0123456789abcdef");
        let res = app.get("/api/v1/users/me", Some(&forged)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let expired = sign(json!({"sub": sub, "iat": now - 7200, "exp": now - 3600, "typ": "access", "role": "user", "jti": "y"}), SECRET.as_bytes());
        let res = app.get("/api/v1/users/me", Some(&expired)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let valid = sign(json!({"sub": sub, "iat": now, "exp": now + 600, "typ": "access", "role": "user", "jti": "z"}), SECRET.as_bytes());
        let res = app.get("/api/v1/users/me", Some(&valid)).await;
        assert_eq!(res.status(), StatusCode::OK, "a token signed with the server's key is accepted");
    }
}

pub const SECRET: &str = "test-secret-key-0123456789abcdef-0123456789";

fn sign(claims: Value, key: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key),
    )
    .unwrap()
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled_with_retry_after() {
    let app = TestApp::spawn(Backend::Sqlite, &[("LOGIN_MAX_FAILURES", "3")]).await;
    app.signed_up("locked@example.com").await;
    let attempt = |password: &'static str| {
        app.post_json(
            "/api/v1/auth/login",
            None,
            json!({"email": "locked@example.com", "password": password}),
        )
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("wrong password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked now, even with the right password.
    let res = attempt(PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900, "Retry-After {retry}");
}

#[tokio::test]
async fn a_successful_login_clears_the_failure_count() {
    let app = TestApp::spawn(Backend::Sqlite, &[("LOGIN_MAX_FAILURES", "3")]).await;
    app.signed_up("forgetful@example.com").await;
    for round in 0..2 {
        for _ in 0..2 {
            let res = app
                .post_json(
                    "/api/v1/auth/login",
                    None,
                    json!({"email": "forgetful@example.com", "password": "wrong password"}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "round {round}");
        }
        let res = app
            .post_json(
                "/api/v1/auth/login",
                None,
                json!({"email": "forgetful@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "round {round}");
    }
}

#[tokio::test]
async fn one_address_failing_over_many_accounts_is_throttled() {
    let app = TestApp::spawn(Backend::Sqlite, &[("LOGIN_MAX_FAILURES", "2")]).await;
    // Address allowance is four times the per-account one: 8 failures, spread over accounts.
    for i in 0..8 {
        let res = app
            .post_json(
                "/api/v1/auth/login",
                None,
                json!({"email": format!("user{i}@example.com"), "password": "guess guess"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"email": "fresh@example.com", "password": "guess guess"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

crate::both! {
    async fn web_clients_keep_the_refresh_token_in_an_httponly_cookie(app) {
        let res = app
            .request(Method::POST, "/api/v1/auth/register", None)
            .header("x-routix-client", "web")
            .json(&json!({"email": "browser@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api/v1/auth"), "{cookie}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["refresh_token"], "", "scripts never see it");
        let pair = cookie.split(';').next().unwrap().to_string();

        // Without the client header (a cross-site form post), the cookie alone is refused.
        let csrf = app
            .request(Method::POST, "/api/v1/auth/refresh", None)
            .header(header::COOKIE, &pair)
            .send()
            .await
            .unwrap();
        assert_eq!(csrf.status(), StatusCode::UNAUTHORIZED);

        let res = app
            .request(Method::POST, "/api/v1/auth/refresh", None)
            .header(header::COOKIE, &pair)
            .header("x-routix-client", "web")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let rotated = res.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
        assert_ne!(rotated, pair, "rotated on use");
        let body: Value = res.json().await.unwrap();
        assert!(body["access_token"].as_str().unwrap().len() > 20);

        let res = app
            .request(Method::POST, "/api/v1/auth/logout", None)
            .header(header::COOKIE, &rotated)
            .header("x-routix-client", "web")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert!(res.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
        let after = app
            .request(Method::POST, "/api/v1/auth/refresh", None)
            .header(header::COOKIE, &rotated)
            .header("x-routix-client", "web")
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresh_cookie_is_secure_in_production() {
    let app = TestApp::spawn(Backend::Sqlite, &[("ENVIRONMENT", "production")]).await;
    let res = app
        .request(Method::POST, "/api/v1/auth/register", None)
        .header("x-routix-client", "web")
        .json(&json!({"email": "prod@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

crate::both! {
    async fn api_clients_get_the_refresh_token_in_the_body_and_no_cookie(app) {
        let res = app
            .post_json(
                "/api/v1/auth/register",
                None,
                json!({"email": "cli@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        let body: Value = res.json().await.unwrap();
        assert!(body["refresh_token"].as_str().unwrap().len() > 20);
    }
}
