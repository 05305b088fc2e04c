//! Email verification, password reset and password change, with mail delivered over SMTP to
//! a real (small) SMTP server started by each test — or written to the outbox folder when no
//! SMTP server is configured.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{error_code, Backend, TestApp},
    smtp::{token_in, SmtpSink},
};

const PUBLIC_URL: &str = "http://thumbs.test";
const PASSWORD: &str = "correct horse battery";

/// Runs each body on SQLite and PostgreSQL, with the app's SMTP_URL pointing at a new sink.
macro_rules! with_sink {
    ($(async fn $name:ident($app:ident, $sink:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($app: TestApp, $sink: SmtpSink) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let sink = SmtpSink::start().await;
                let url = sink.url();
                let app = TestApp::spawn(Backend::Sqlite, &vars(&url)).await;
                body(app, sink).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let sink = SmtpSink::start().await;
                let url = sink.url();
                if let Some(app) = TestApp::postgres_with(&vars(&url)).await {
                    body(app, sink).await
                }
            }
        }
    )*};
}

fn vars(smtp_url: &str) -> [(&'static str, &str); 3] {
    [
        ("SMTP_URL", smtp_url),
        ("PUBLIC_URL", PUBLIC_URL),
        ("MAIL_FROM", "Routix <no-reply@thumbs.test>"),
    ]
}

async fn register(app: &TestApp, email: &str, locale: &str) -> Value {
    let res = app
        .post_json(
            "/api/v1/auth/register",
            None,
            json!({"email": email, "password": PASSWORD, "display_name": "Sara", "locale": locale}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

fn access(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

async fn me(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/users/me", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/verify", None, json!({ "token": token }))
        .await
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> StatusCode {
    app.post_json(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": refresh_token }),
    )
    .await
    .status()
}

/// Polls `check` every 100 ms until it answers something (at most 20 s).
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

with_sink! {
    async fn registration_mails_a_link_that_confirms_the_address(app, sink) {
        let tokens = register(&app, "sara@example.com", "en").await;
        assert_eq!(tokens["user"]["email_verified"], false);
        let mail = sink.wait_for("sara@example.com", 1).await.remove(0);
        assert_eq!(mail.from, "no-reply@thumbs.test");
        assert_eq!(mail.header("Subject").unwrap(), "Confirm your email for Routix");
        assert!(mail.header("Content-Type").unwrap().starts_with("multipart/alternative"));
        let token = mail.token(PUBLIC_URL, "verify");
        assert_eq!(token.len(), 43, "256 random bits");
        assert!(mail.text().starts_with("Hi Sara,"));
        assert!(mail.html().contains(&format!("href=\"{PUBLIC_URL}/verify?token={token}\"")));
        assert_eq!(me(&app, access(&tokens)).await["email_verified"], false);

        let res = verify(&app, &token).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(&app, access(&tokens)).await["email_verified"], true);

        let again = verify(&app, &token).await;
        assert_eq!(again.status(), StatusCode::GONE);
        assert_eq!(error_code(again).await, "token_gone");
        let unknown = verify(&app, "not-a-token-anyone-issued").await;
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_code(unknown).await, "invalid_token");
        // A verification link is no reset link.
        let res = app
            .post_json("/api/v1/auth/password/reset", None, json!({"token": token, "password": "another long one"}))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }

    async fn resend_sends_a_new_link_and_is_rate_limited(app, sink) {
        let tokens = register(&app, "rhea@example.com", "en").await;
        let first = sink.wait_for("rhea@example.com", 1).await[0].token(PUBLIC_URL, "verify");
        let unsigned = app.post_json("/api/v1/auth/verify/resend", None, json!({})).await;
        assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
        for _ in 0..3 {
            let res = app.post_json("/api/v1/auth/verify/resend", Some(access(&tokens)), json!({})).await;
            assert_eq!(res.status(), StatusCode::ACCEPTED);
        }
        let limited = app.post_json("/api/v1/auth/verify/resend", Some(access(&tokens)), json!({})).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(limited.headers().contains_key("retry-after"));
        let mails = sink.wait_for("rhea@example.com", 4).await;
        assert_eq!(mails.len(), 4, "the refused resend sent nothing");
        let newest = mails[3].token(PUBLIC_URL, "verify");
        assert_ne!(newest, first);
        // Only the newest link works.
        assert_eq!(verify(&app, &first).await.status(), StatusCode::GONE);
        assert_eq!(verify(&app, &newest).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(&app, access(&tokens)).await["email_verified"], true);
    }

    async fn forgot_and_reset_change_the_password_and_end_every_session(app, sink) {
        let signed_up = register(&app, "nima@example.com", "en").await;
        sink.wait_for("nima@example.com", 1).await;
        let signed_in: Value = login(&app, "nima@example.com", PASSWORD).await.json().await.unwrap();

        let unknown = app
            .post_json("/api/v1/auth/password/forgot", None, json!({"email": "nobody@example.com"}))
            .await;
        assert_eq!(unknown.status(), StatusCode::ACCEPTED);
        let known = app
            .post_json("/api/v1/auth/password/forgot", None, json!({"email": " Nima@Example.com "}))
            .await;
        assert_eq!(known.status(), StatusCode::ACCEPTED);
        let mail = sink.wait_for("nima@example.com", 2).await.remove(1);
        assert_eq!(mail.header("Subject").unwrap(), "Reset your Routix password");
        let token = mail.token(PUBLIC_URL, "reset");
        // The unknown address was asked for first; its request queued nothing.
        assert!(sink.mails_to("nobody@example.com").is_empty());
        assert!(app.state_db().outbox_for("nobody@example.com").await.unwrap().is_empty());

        let weak = app
            .post_json("/api/v1/auth/password/reset", None, json!({"token": token, "password": "short"}))
            .await;
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = app
            .post_json("/api/v1/auth/password/reset", None, json!({"token": token, "password": "a brand new secret"}))
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let reused = app
            .post_json("/api/v1/auth/password/reset", None, json!({"token": token, "password": "yet another secret"}))
            .await;
        assert_eq!(reused.status(), StatusCode::GONE);
        assert_eq!(error_code(reused).await, "token_gone");

        assert_eq!(login(&app, "nima@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(login(&app, "nima@example.com", "yet another secret").await.status(), StatusCode::UNAUTHORIZED);
        let fresh = login(&app, "nima@example.com", "a brand new secret").await;
        assert_eq!(fresh.status(), StatusCode::OK);
        for session in [&signed_up, &signed_in] {
            assert_eq!(refresh(&app, session["refresh_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED);
        }
        // Opening the mailed link proved the address too.
        let fresh: Value = fresh.json().await.unwrap();
        assert_eq!(fresh["user"]["email_verified"], true);
    }

    async fn persian_accounts_get_persian_mail(app, sink) {
        register(&app, "dara@example.com", "fa").await;
        let mail = sink.wait_for("dara@example.com", 1).await.remove(0);
        assert_eq!(mail.header("Subject").unwrap(), "ایمیل خود را در روتیکس تأیید کنید");
        assert!(mail.text().starts_with("سلام Sara،"), "{}", mail.text());
        assert!(mail.html().contains("lang=\"fa\" dir=\"rtl\""));
        mail.token(PUBLIC_URL, "verify");

        let res = app
            .post_json("/api/v1/auth/password/forgot", None, json!({"email": "dara@example.com"}))
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let reset = sink.wait_for("dara@example.com", 2).await.remove(1);
        assert_eq!(reset.header("Subject").unwrap(), "بازنشانی رمز عبور روتیکس");
        assert!(reset.text().contains("تا یک ساعت معتبر"));
        reset.token(PUBLIC_URL, "reset");
    }

    async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(app, sink) {
        let other = register(&app, "kian@example.com", "en").await;
        let this: Value = login(&app, "kian@example.com", PASSWORD).await.json().await.unwrap();
        let change = |body: Value| {
            app.request(Method::PATCH, "/api/v1/users/me/password", Some(access(&this)))
                .json(&body)
                .send()
        };
        let wrong = change(json!({"current_password": "not my password", "new_password": "fresh and long"})).await.unwrap();
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        assert_eq!(error_code(wrong).await, "wrong_password");
        let weak = change(json!({"current_password": PASSWORD, "new_password": "short"})).await.unwrap();
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let ok = change(json!({
            "current_password": PASSWORD,
            "new_password": "fresh and long",
            "refresh_token": this["refresh_token"],
        }))
        .await
        .unwrap();
        assert_eq!(ok.status(), StatusCode::NO_CONTENT);

        assert_eq!(refresh(&app, other["refresh_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED);
        assert_eq!(refresh(&app, this["refresh_token"].as_str().unwrap()).await, StatusCode::OK);
        assert_eq!(login(&app, "kian@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(login(&app, "kian@example.com", "fresh and long").await.status(), StatusCode::OK);
        drop(sink);
    }
}

mod a_mail_server_that_is_down_delays_mail_but_never_fails_registration {
    use super::*;

    /// A port nothing listens on (yet).
    fn free_port() -> u16 {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    }

    fn vars(url: &str) -> [(&'static str, &str); 3] {
        [
            ("SMTP_URL", url),
            ("PUBLIC_URL", PUBLIC_URL),
            ("MAIL_RETRY_SECONDS", "1"),
        ]
    }

    async fn body(app: TestApp, port: u16) {
        register(&app, "omid@example.com", "en").await;
        let db = app.state_db().clone();
        let failed = eventually("a failed try recorded", || {
            let db = db.clone();
            async move {
                let rows = db.outbox_for("omid@example.com").await.unwrap();
                rows.into_iter()
                    .find(|r| r.attempts >= 1 && r.last_error.is_some())
            }
        })
        .await;
        assert!(failed.sent_at.is_none());

        let sink = SmtpSink::on(port).await;
        let mail = sink.wait_for("omid@example.com", 1).await.remove(0);
        let sent = eventually("the mail marked sent", || {
            let db = db.clone();
            async move {
                let rows = db.outbox_for("omid@example.com").await.unwrap();
                rows.into_iter().find(|r| r.sent_at.is_some())
            }
        })
        .await;
        assert!(sent.attempts >= 2, "sent on a retry: {sent:?}");
        assert!(sent.last_error.is_none());
        let token = mail.token(PUBLIC_URL, "verify");
        assert_eq!(verify(&app, &token).await.status(), StatusCode::NO_CONTENT);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let port = free_port();
        let url = format!("smtp://127.0.0.1:{port}");
        body(TestApp::spawn(Backend::Sqlite, &vars(&url)).await, port).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let port = free_port();
        let url = format!("smtp://127.0.0.1:{port}");
        if let Some(app) = TestApp::postgres_with(&vars(&url)).await {
            body(app, port).await
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_is_written_to_the_outbox_folder() {
    let app = TestApp::sqlite().await;
    let tokens = register(&app, "lale@example.com", "en").await;
    let outbox = app.data_dir.path().join("outbox");
    let eml = eventually("an .eml file", || {
        let outbox = outbox.clone();
        async move {
            let entry = std::fs::read_dir(&outbox)
                .ok()?
                .flatten()
                .find(|e| e.file_name().to_string_lossy().ends_with(".eml"))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = entry.metadata().ok()?.permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "only the owner reads a live link");
            }
            std::fs::read_to_string(entry.path()).ok()
        }
    })
    .await;
    assert!(eml.contains("To: lale@example.com"), "{eml}");
    let mail = crate::smtp::Received {
        from: String::new(),
        to: vec![],
        data: eml,
    };
    // Without PUBLIC_URL, links point at the server itself.
    let token = token_in(&mail.text(), &app.state.settings.mail.public_url, "verify");
    assert_eq!(verify(&app, &token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, access(&tokens)).await["email_verified"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_is_rate_limited_per_address_and_per_client() {
    let app = TestApp::sqlite().await;
    let forgot = |email: String| {
        app.post_json(
            "/api/v1/auth/password/forgot",
            None,
            json!({ "email": email }),
        )
    };
    for _ in 0..3 {
        assert_eq!(
            forgot("ghost@example.com".into()).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let limited = forgot("ghost@example.com".into()).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    let invalid = forgot("not an address".into()).await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Other addresses from the same client: 10 accepted requests in the window, counting
    // the three above (refused ones don't count).
    for i in 0..7 {
        assert_eq!(
            forgot(format!("ghost{i}@example.com")).await.status(),
            StatusCode::ACCEPTED,
            "{i}"
        );
    }
    assert_eq!(
        forgot("ghost-last@example.com".into()).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverified_accounts_cannot_generate_when_verification_is_required() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let mut vars = vars(&url).to_vec();
    vars.push(("REQUIRE_EMAIL_VERIFICATION", "true"));
    let app = TestApp::spawn(Backend::Sqlite, &vars).await;
    let tokens = register(&app, "ava@example.com", "en").await;
    let ask = || {
        app.post_json(
            "/api/v1/generations",
            Some(access(&tokens)),
            json!({"prompt": "gaming video, red and black"}),
        )
    };
    let refused = ask().await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(refused).await, "email_unverified");
    // Reading is still allowed.
    assert_eq!(
        app.get("/api/v1/generations", Some(access(&tokens)))
            .await
            .status(),
        StatusCode::OK
    );

    let token = sink.wait_for("ava@example.com", 1).await[0].token(PUBLIC_URL, "verify");
    assert_eq!(verify(&app, &token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(ask().await.status(), StatusCode::ACCEPTED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_who_is_verified_and_can_resend_the_link() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn(Backend::Sqlite, &vars(&url)).await;
    let admin = register(&app, "root@example.com", "en").await;
    let admin_id: routix_store::UserId = admin["user"]["id"].as_str().unwrap().parse().unwrap();
    app.state_db()
        .set_role(
            routix_store::audit::Actor::Cli,
            admin_id,
            routix_store::users::Role::Admin,
        )
        .await
        .unwrap();
    let user = register(&app, "mina@example.com", "en").await;
    let id = user["user"]["id"].as_str().unwrap();
    sink.wait_for("mina@example.com", 1).await;

    let listed: Value = app
        .get("/api/v1/admin/users?search=mina", Some(access(&admin)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["email"], "mina@example.com");
    assert_eq!(listed["items"][0]["email_verified"], false);

    let path = format!("/api/v1/admin/users/{id}/verification/resend");
    let by_user = app.post_json(&path, Some(access(&user)), json!({})).await;
    assert_eq!(by_user.status(), StatusCode::FORBIDDEN);
    let res = app.post_json(&path, Some(access(&admin)), json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let token = sink.wait_for("mina@example.com", 2).await[1].token(PUBLIC_URL, "verify");
    assert_eq!(verify(&app, &token).await.status(), StatusCode::NO_CONTENT);

    let listed: Value = app
        .get("/api/v1/admin/users?search=mina", Some(access(&admin)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["email_verified"], true);
    let again = app.post_json(&path, Some(access(&admin)), json!({})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let missing = app
        .post_json(
            "/api/v1/admin/users/00000000-0000-7000-8000-000000000000/verification/resend",
            Some(access(&admin)),
            json!({}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app_serves_the_mailed_link_pages() {
    let app = TestApp::sqlite().await;
    for page in ["/verify?token=abc", "/reset?token=abc", "/forgot"] {
        let res = app.get(page, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        assert!(res.text().await.unwrap().contains("<html"), "{page}");
    }
}
