//! Plans, packs and payments: the price list, checkout against a fake Stripe speaking its
//! wire format, signed webhooks that credit once, monthly plan grants, unlimited enterprise.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use wiremock::{
    matchers::{header, method, path},
    Mock, MockServer, ResponseTemplate,
};

use crate::helpers::{error_code, finished, Backend, TestApp};

const SECRET_KEY: &str = "sk_test_routix_0123456789";
const WEBHOOK_SECRET: &str = "whsec_routix_test_secret";

fn stripe_vars(fake: &str) -> Vec<(&'static str, String)> {
    vec![
        ("STRIPE_SECRET_KEY", SECRET_KEY.to_string()),
        ("STRIPE_API_BASE", fake.to_string()),
        ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.to_string()),
    ]
}

async fn spawn_with(backend: Backend, vars: &[(&'static str, String)]) -> TestApp {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::spawn(backend, &vars).await
}

/// An app on SQLite whose Stripe settings point at `fake`.
async fn with_stripe(fake: &str) -> TestApp {
    spawn_with(Backend::Sqlite, &stripe_vars(fake)).await
}

/// The same on PostgreSQL, when it answers.
async fn with_stripe_pg(fake: &str) -> Option<TestApp> {
    let vars = stripe_vars(fake);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::postgres_with(&vars).await
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let me: Value = app
        .get("/api/v1/users/me", Some(token))
        .await
        .json()
        .await
        .unwrap();
    me["id"].as_str().unwrap().to_string()
}

async fn credits(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/users/me/credits", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn balance(app: &TestApp, token: &str) -> i64 {
    credits(app, token).await["balance"].as_i64().unwrap()
}

async fn admin_token(app: &TestApp, email: &str) -> String {
    let token = app.token_for(email).await;
    let id = user_id(app, &token).await.parse().unwrap();
    app.state_db()
        .set_role(
            routix_store::audit::Actor::Cli,
            id,
            routix_store::users::Role::Admin,
        )
        .await
        .unwrap();
    token
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `Stripe-Signature` for `body` at `t`, computed here from the documented scheme.
fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn paid_event(event: &str, session: &str, user: &str, pack: &str) -> String {
    json!({
        "id": event,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {
            "id": session,
            "object": "checkout.session",
            "mode": "payment",
            "payment_status": "paid",
            "client_reference_id": user,
            "metadata": {"routix_user_id": user, "routix_pack": pack},
            "amount_total": 1500,
            "currency": "usd"
        }}
    })
    .to_string()
}

async fn deliver(app: &TestApp, body: &str, signature: Option<&str>) -> Response {
    let mut req = app
        .client
        .post(app.url("/api/v1/billing/webhook"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(sig) = signature {
        req = req.header("stripe-signature", sig);
    }
    req.send().await.unwrap()
}

async fn deliver_signed(app: &TestApp, body: &str) -> Response {
    deliver(app, body, Some(&signature(WEBHOOK_SECRET, now(), body))).await
}

async fn purchases_in_ledger(app: &TestApp, token: &str) -> Vec<Value> {
    credits(app, token).await["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "purchase")
        .cloned()
        .collect()
}

crate::both! {
    async fn plans_list_four_plans_and_three_packs_publicly(app) {
        let res = app.get("/api/v1/billing/plans", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let plans: Vec<(String, i64, bool, bool)> = body["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_string(),
                    p["monthly_credits"].as_i64().unwrap(),
                    p["watermark"].as_bool().unwrap(),
                    p["unlimited"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            plans,
            [
                ("free".to_string(), 0, true, false),
                ("pro".to_string(), 100, false, false),
                ("agency".to_string(), 500, false, false),
                ("enterprise".to_string(), 0, false, true),
            ]
        );
        // Free gives what registration grants, once.
        assert_eq!(body["plans"][0]["signup_credits"], 10);
        assert_eq!(body["plans"][0]["name_fa"], "رایگان");
        assert_eq!(body["plans"][3]["price_cents"], Value::Null);
        let packs: Vec<(String, i64, i64)> = body["packs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_string(),
                    p["credits"].as_i64().unwrap(),
                    p["price_cents"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            packs,
            [
                ("starter".to_string(), 50, 500),
                ("creator".to_string(), 200, 1500),
                ("studio".to_string(), 1000, 5000),
            ]
        );
        assert_eq!(body["payments_enabled"], false);
    }

    async fn admins_edit_plans_and_packs_and_the_list_follows(app) {
        let admin = admin_token(&app, "billing-admin@example.com").await;
        let user = app.token_for("billing-user@example.com").await;
        let patch = |path: &str, token: &str, body: Value| {
            app.request(reqwest::Method::PATCH, path, Some(token)).json(&body).send()
        };
        let res = patch("/api/v1/admin/packs/studio", &user, json!({"enabled": false})).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let res = patch("/api/v1/admin/packs/studio", &admin, json!({"enabled": false, "price_cents": 4500})).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let pack: Value = res.json().await.unwrap();
        assert_eq!((pack["enabled"].as_bool(), pack["price_cents"].as_i64()), (Some(false), Some(4500)));

        let res = patch("/api/v1/admin/plans/pro", &admin, json!({"monthly_credits": 150, "name_fa": "پرو", "price_cents": null})).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let pro: Value = res.json().await.unwrap();
        assert_eq!(pro["monthly_credits"], 150);
        assert_eq!(pro["name_fa"], "پرو");
        assert_eq!(pro["name_en"], "Pro");
        assert_eq!(pro["price_cents"], Value::Null);

        let listed: Value = app.get("/api/v1/billing/plans", None).await.json().await.unwrap();
        let pack_ids: Vec<&str> = listed["packs"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(pack_ids, ["starter", "creator"], "a disabled pack is not offered");
        assert_eq!(listed["plans"][1]["monthly_credits"], 150);
        let all: Value = app.get("/api/v1/admin/packs", Some(&admin)).await.json().await.unwrap();
        assert_eq!(all.as_array().unwrap().len(), 3, "admins see disabled packs");
        assert_eq!(app.get("/api/v1/admin/plans/agency", Some(&admin)).await.status(), StatusCode::OK);

        for (path, body, status) in [
            ("/api/v1/admin/plans/pro", json!({"monthly_credits": -1}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/admin/plans/enterprise", json!({"monthly_credits": 50}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/admin/plans/pro", json!({"currency": "dollars"}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/admin/plans/pro", json!({"nickname": "x"}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/admin/packs/starter", json!({"credits": 0}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/admin/packs/starter", json!({"name_en": "  "}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/admin/plans/platinum", json!({"enabled": false}), StatusCode::NOT_FOUND),
            ("/api/v1/admin/packs/platinum", json!({"enabled": false}), StatusCode::NOT_FOUND),
        ] {
            let res = patch(path, &admin, body.clone()).await.unwrap();
            assert_eq!(res.status(), status, "{path} {body}");
        }
    }

    async fn monthly_grant_runs_once_per_period_even_when_run_twice_at_once(app) {
        let token = app.token_for("agency@example.com").await;
        let id = user_id(&app, &token).await.parse().unwrap();
        let db = app.state_db();
        db.set_plan(routix_store::audit::Actor::Cli, id, routix_store::users::Plan::Agency).await.unwrap();
        let (a, b) = tokio::join!(
            routix_server::grants::run_once(db),
            routix_server::grants::run_once(db)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1, "one account, credited once");
        assert_eq!(routix_server::grants::run_once(db).await.unwrap(), 0);
        assert_eq!(balance(&app, &token).await, 10 + 500);
        let wallet = credits(&app, &token).await;
        let grants: Vec<&Value> = wallet["ledger"].as_array().unwrap().iter()
            .filter(|e| e["note"].as_str().unwrap().starts_with("agency plan"))
            .collect();
        assert_eq!(grants.len(), 1);
        let period = chrono::Utc::now().format("%Y-%m").to_string();
        assert!(grants[0]["note"].as_str().unwrap().contains(&period), "{}", grants[0]["note"]);
        assert_eq!(wallet["plan"], "agency");
    }

    async fn an_admin_moving_an_account_to_pro_grants_its_month_at_once(app) {
        let admin = admin_token(&app, "plans-admin@example.com").await;
        let token = app.token_for("upgraded@example.com").await;
        let id = user_id(&app, &token).await;
        let res = app
            .request(reqwest::Method::PATCH, &format!("/api/v1/admin/users/{id}"), Some(&admin))
            .json(&json!({"plan": "pro"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(balance(&app, &token).await, 110);
        // Down and up again within the month: no second grant.
        for plan in ["free", "pro"] {
            let res = app
                .request(reqwest::Method::PATCH, &format!("/api/v1/admin/users/{id}"), Some(&admin))
                .json(&json!({"plan": plan}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        assert_eq!(balance(&app, &token).await, 110);
    }
}

/// Enterprise: a zero balance never refuses a generation, and every one is still ledgered.
async fn enterprise_body(app: TestApp) {
    let token = app.token_for("enterprise@example.com").await;
    assert_eq!(balance(&app, &token).await, 0);
    let ask = json!({"prompt": "quarterly results, finance channel", "algorithm": "basic"});
    let refused = app
        .post_json("/api/v1/generations", Some(&token), ask.clone())
        .await;
    assert_eq!(refused.status(), StatusCode::PAYMENT_REQUIRED);

    let id = user_id(&app, &token).await.parse().unwrap();
    app.state_db()
        .set_plan(
            routix_store::audit::Actor::Cli,
            id,
            routix_store::users::Plan::Enterprise,
        )
        .await
        .unwrap();
    for _ in 0..2 {
        let res = app
            .post_json("/api/v1/generations", Some(&token), ask.clone())
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let g: Value = res.json().await.unwrap();
        let g = finished(&app, &token, g["id"].as_str().unwrap()).await;
        assert_eq!(g["status"], "completed", "{g}");
    }
    let wallet = credits(&app, &token).await;
    assert_eq!(wallet["balance"], -2, "the balance shows what was used");
    assert_eq!(wallet["plan"], "enterprise");
    let reserves = wallet["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "reserve" && e["amount"] == -1)
        .count();
    assert_eq!(reserves, 2);
    assert_eq!(
        app.state_db().ledger_sum(id).await.unwrap(),
        -2,
        "the ledger explains the balance"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enterprise_generates_with_zero_balance_and_is_still_ledgered_sqlite() {
    let app = spawn_with(Backend::Sqlite, &[("FREE_CREDITS", "0".to_string())]).await;
    enterprise_body(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enterprise_generates_with_zero_balance_and_is_still_ledgered_postgres() {
    if let Some(app) = TestApp::postgres_with(&[("FREE_CREDITS", "0")]).await {
        enterprise_body(app).await;
    }
}

/// A fake Stripe that creates one session per call.
async fn fake_stripe() -> MockServer {
    let stripe = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(header(
            "authorization",
            format!("Bearer {SECRET_KEY}").as_str(),
        ))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "cs_test_a1b2c3",
            "object": "checkout.session",
            "mode": "payment",
            "payment_status": "unpaid",
            "status": "open",
            "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3"
        })))
        .mount(&stripe)
        .await;
    stripe
}

async fn checkout(app: &TestApp, token: &str, pack: &str) -> Response {
    app.post_json(
        "/api/v1/billing/checkout",
        Some(token),
        json!({"pack": pack}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_creates_a_stripe_session_with_the_exact_form_and_key() {
    let stripe = fake_stripe().await;
    let app = with_stripe(&stripe.uri()).await;
    let token = app.token_for("buyer@example.com").await;
    let user = user_id(&app, &token).await;

    let res = checkout(&app, &token, "creator").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3"})
    );

    let requests = stripe.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let form: BTreeMap<String, String> = serde_urlencoded::from_bytes(&requests[0].body).unwrap();
    let base = format!("http://{}", app.addr);
    let want: BTreeMap<String, String> = [
        ("mode", "payment".to_string()),
        ("client_reference_id", user.clone()),
        ("metadata[routix_user_id]", user),
        ("metadata[routix_pack]", "creator".to_string()),
        ("line_items[0][price_data][currency]", "usd".to_string()),
        ("line_items[0][price_data][unit_amount]", "1500".to_string()),
        (
            "line_items[0][price_data][product_data][name]",
            "Routix Creator: 200 credits".to_string(),
        ),
        ("line_items[0][quantity]", "1".to_string()),
        (
            "success_url",
            format!("{base}/account?checkout=success&session_id={{CHECKOUT_SESSION_ID}}"),
        ),
        ("cancel_url", format!("{base}/account?checkout=cancelled")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(form, want);
    // Creating a session buys nothing yet.
    assert_eq!(balance(&app, &token).await, 10);
    let listed: Value = app
        .get("/api/v1/billing/plans", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["payments_enabled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_returns_to_public_url_when_set() {
    let stripe = fake_stripe().await;
    let mut vars = stripe_vars(&stripe.uri());
    vars.push(("PUBLIC_URL", "https://thumbs.example.com/".to_string()));
    let app = spawn_with(Backend::Sqlite, &vars).await;
    let token = app.token_for("public@example.com").await;
    assert_eq!(
        checkout(&app, &token, "starter").await.status(),
        StatusCode::OK
    );
    let requests = stripe.received_requests().await.unwrap();
    let form: BTreeMap<String, String> = serde_urlencoded::from_bytes(&requests[0].body).unwrap();
    assert_eq!(
        form["cancel_url"],
        "https://thumbs.example.com/account?checkout=cancelled"
    );
    assert_eq!(form["line_items[0][price_data][unit_amount]"], "500");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_maps_stripe_failures_to_clean_errors_without_the_key() {
    let cases = [
        (
            ResponseTemplate::new(401).set_body_json(json!({"error": {
                "type": "invalid_request_error",
                "message": format!("Invalid API Key provided: {SECRET_KEY}")
            }})),
            StatusCode::BAD_GATEWAY,
            "payment_provider_error",
        ),
        (
            ResponseTemplate::new(429)
                .set_body_json(json!({"error": {"type": "rate_limit_error"}})),
            StatusCode::SERVICE_UNAVAILABLE,
            "payments_unavailable",
        ),
        (
            ResponseTemplate::new(500).set_body_string("upstream exploded"),
            StatusCode::SERVICE_UNAVAILABLE,
            "payments_unavailable",
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>not json</html>"),
            StatusCode::BAD_GATEWAY,
            "payment_provider_error",
        ),
        (
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "cs_1", "url": "javascript:alert(1)"})),
            StatusCode::BAD_GATEWAY,
            "payment_provider_error",
        ),
    ];
    for (answer, status, code) in cases {
        let stripe = MockServer::start().await;
        Mock::given(path("/v1/checkout/sessions"))
            .respond_with(answer)
            .mount(&stripe)
            .await;
        let app = with_stripe(&stripe.uri()).await;
        let token = app.token_for("unlucky@example.com").await;
        let res = checkout(&app, &token, "starter").await;
        assert_eq!(res.status(), status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(res.headers().contains_key("retry-after"));
        }
        let text = res.text().await.unwrap();
        assert!(
            !text.contains(SECRET_KEY) && !text.contains("sk_test"),
            "{text}"
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], code, "{text}");
    }
    // Nothing listening at all.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = with_stripe(&dead).await;
    let token = app.token_for("offline@example.com").await;
    let res = checkout(&app, &token, "starter").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(res).await, "payments_unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_needs_a_key_a_known_pack_on_sale_and_a_session() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("nokey@example.com").await;
    let res = checkout(&app, &token, "starter").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payments_not_configured");
    assert_eq!(body["error"]["message"], "payments are not configured");

    let stripe = fake_stripe().await;
    let app = with_stripe(&stripe.uri()).await;
    let token = app.token_for("picky@example.com").await;
    assert_eq!(
        checkout(&app, &token, "platinum").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .post_json("/api/v1/billing/checkout", None, json!({"pack": "starter"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let admin = admin_token(&app, "shop-admin@example.com").await;
    let res = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/admin/packs/studio",
            Some(&admin),
        )
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        checkout(&app, &token, "studio").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert!(
        stripe.received_requests().await.unwrap().is_empty(),
        "nothing reached Stripe"
    );
}

async fn webhook_credits_once_body(app: TestApp) {
    let token = app.token_for("paid@example.com").await;
    let user = user_id(&app, &token).await;
    let event = paid_event("evt_paid_1", "cs_test_paid_1", &user, "creator");
    let res = deliver_signed(&app, &event).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"received": true})
    );
    assert_eq!(balance(&app, &token).await, 10 + 200);
    let purchases = purchases_in_ledger(&app, &token).await;
    assert_eq!(purchases.len(), 1);
    assert_eq!(purchases[0]["amount"], 200);
    assert!(purchases[0]["note"]
        .as_str()
        .unwrap()
        .contains("cs_test_paid_1"));

    // The same event again (Stripe retries), freshly signed: 200, nothing added.
    assert_eq!(deliver_signed(&app, &event).await.status(), StatusCode::OK);
    // Another event about the same session: 200, nothing added.
    let again = paid_event("evt_paid_2", "cs_test_paid_1", &user, "creator");
    assert_eq!(deliver_signed(&app, &again).await.status(), StatusCode::OK);
    assert_eq!(balance(&app, &token).await, 210);
    assert_eq!(purchases_in_ledger(&app, &token).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_paid_event_credits_the_pack_once_sqlite() {
    webhook_credits_once_body(with_stripe("http://127.0.0.1:9").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_paid_event_credits_the_pack_once_postgres() {
    if let Some(app) = with_stripe_pg("http://127.0.0.1:9").await {
        webhook_credits_once_body(app).await;
    }
}

async fn concurrent_deliveries_body(app: TestApp) {
    let token = app.token_for("rush@example.com").await;
    let user = user_id(&app, &token).await;
    // Eight copies of one event and four other events about the same session, all at once.
    let mut bodies: Vec<String> = (0..8)
        .map(|_| paid_event("evt_rush", "cs_test_rush", &user, "studio"))
        .collect();
    bodies.extend(
        (0..4).map(|i| paid_event(&format!("evt_rush_{i}"), "cs_test_rush", &user, "studio")),
    );
    let url = app.url("/api/v1/billing/webhook");
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let client = app.client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("stripe-signature", signature(WEBHOOK_SECRET, now(), &body))
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(balance(&app, &token).await, 10 + 1000);
    assert_eq!(purchases_in_ledger(&app, &token).await.len(), 1);
    let id = user.parse().unwrap();
    assert_eq!(app.state_db().ledger_sum(id).await.unwrap(), 1010);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_deliveries_credit_once_postgres() {
    if let Some(app) = with_stripe_pg("http://127.0.0.1:9").await {
        concurrent_deliveries_body(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_deliveries_credit_once_sqlite() {
    concurrent_deliveries_body(with_stripe("http://127.0.0.1:9").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_with_bad_missing_or_expired_signatures_are_refused() {
    let app = with_stripe("http://127.0.0.1:9").await;
    let token = app.token_for("forged@example.com").await;
    let user = user_id(&app, &token).await;
    let event = paid_event("evt_forged", "cs_test_forged", &user, "studio");
    let t = now();
    let cases = [
        ("missing", None),
        (
            "wrong secret",
            Some(signature("whsec_someone_else", t, &event)),
        ),
        ("expired", Some(signature(WEBHOOK_SECRET, t - 301, &event))),
        (
            "from the future",
            Some(signature(WEBHOOK_SECRET, t + 301, &event)),
        ),
        (
            "other body",
            Some(signature(
                WEBHOOK_SECRET,
                t,
                &event.replace("studio", "starter"),
            )),
        ),
        ("garbage", Some("sha256=abc".to_string())),
    ];
    for (what, sig) in cases {
        let res = deliver(&app, &event, sig.as_deref()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what}");
        assert_eq!(error_code(res).await, "bad_signature", "{what}");
    }
    assert_eq!(balance(&app, &token).await, 10);
    // Several v1 values (a secret being rolled): one good one is enough.
    let good = signature(WEBHOOK_SECRET, t, &event);
    let rolled = format!(
        "{},v1={}",
        signature("whsec_old", t, &event),
        good.rsplit_once("v1=").unwrap().1
    );
    assert_eq!(
        deliver(&app, &event, Some(&rolled)).await.status(),
        StatusCode::OK
    );
    assert_eq!(balance(&app, &token).await, 1010);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_events_and_unpaid_sessions_answer_200_and_change_nothing() {
    let app = with_stripe("http://127.0.0.1:9").await;
    let token = app.token_for("patient@example.com").await;
    let user = user_id(&app, &token).await;
    let unknown = json!({"id": "evt_other", "object": "event", "type": "customer.created",
        "data": {"object": {"id": "cus_1", "object": "customer"}}})
    .to_string();
    assert_eq!(
        deliver_signed(&app, &unknown).await.status(),
        StatusCode::OK
    );
    let unpaid = paid_event("evt_unpaid", "cs_test_later", &user, "starter")
        .replace("\"paid\"", "\"unpaid\"");
    assert_eq!(deliver_signed(&app, &unpaid).await.status(), StatusCode::OK);
    assert_eq!(balance(&app, &token).await, 10);
    // The delayed payment succeeds later: that event credits.
    let succeeded = paid_event("evt_async", "cs_test_later", &user, "starter").replace(
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    );
    assert_eq!(
        deliver_signed(&app, &succeeded).await.status(),
        StatusCode::OK
    );
    assert_eq!(balance(&app, &token).await, 60);
    // A signed body that is not an event at all.
    assert_eq!(
        deliver_signed(&app, "[1,2,3]").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_without_a_secret_are_503() {
    let app = TestApp::sqlite().await;
    let event = paid_event(
        "evt_x",
        "cs_x",
        "00000000-0000-0000-0000-000000000000",
        "starter",
    );
    let res = deliver_signed(&app, &event).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(res).await, "payments_not_configured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_the_billing_routes() {
    let app = TestApp::sqlite().await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/billing/plans",
        "/api/v1/billing/checkout",
        "/api/v1/billing/webhook",
        "/api/v1/admin/plans/{id}",
        "/api/v1/admin/packs/{id}",
    ] {
        assert!(doc["paths"].get(p).is_some(), "openapi misses {p}");
    }
}

crate::both! {
    async fn the_plans_watermark_setting_decides_the_next_result(app) {
        let admin = admin_token(&app, "wm-admin@example.com").await;
        let token = app.token_for("wm-free@example.com").await;
        let before = crate::helpers::generated(&app, &token, json!({"prompt": "gaming video"})).await;
        assert_eq!(before["watermark"], true, "free results carry it by default");
        let res = app
            .request(reqwest::Method::PATCH, "/api/v1/admin/plans/free", Some(&admin))
            .json(&json!({"watermark": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let after = crate::helpers::generated(&app, &token, json!({"prompt": "gaming video"})).await;
        assert_eq!(after["watermark"], false, "{after}");
    }
}
