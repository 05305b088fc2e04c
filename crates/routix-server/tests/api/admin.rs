//! The admin dashboard (`/admin/stats`), the audit log (`/admin/audit`) and broadcasts.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, generated, TestApp};

/// A new account made admin from the shell; answers (token, user id).
async fn admin(app: &TestApp, email: &str) -> (String, String) {
    let body = app.signed_up(email).await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    app.state_db()
        .set_role(
            routix_store::audit::Actor::Cli,
            id.parse().unwrap(),
            routix_store::users::Role::Admin,
        )
        .await
        .unwrap();
    (body["access_token"].as_str().unwrap().to_string(), id)
}

async fn user(app: &TestApp, email: &str) -> (String, String) {
    let body = app.signed_up(email).await;
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["user"]["id"].as_str().unwrap().to_string(),
    )
}

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/admin/audit?{query}"), Some(token))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.request(Method::PATCH, path, Some(token))
        .json(&body)
        .send()
        .await
        .unwrap()
}

crate::both! {
    async fn stats_are_for_admins_with_days_from_1_to_365(app) {
        let res = app.get("/api/v1/admin/stats", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let (plain, _) = user(&app, "stats-user@example.com").await;
        let res = app.get("/api/v1/admin/stats", Some(&plain)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let (token, _) = admin(&app, "stats-admin@example.com").await;
        for bad in ["0", "366", "-1", "abc", "7.5"] {
            let res = app.get(&format!("/api/v1/admin/stats?days={bad}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "days={bad}");
            assert_eq!(error_code(res).await, "validation_error");
        }
        for (query, days) in [("", 30), ("?days=1", 1), ("?days=365", 365)] {
            let res = app.get(&format!("/api/v1/admin/stats{query}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::OK);
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["days"], days);
            assert_eq!(body["daily"].as_array().unwrap().len(), days as usize);
            assert_eq!(body["daily"].as_array().unwrap().last().unwrap()["day"], body["to"]);
        }
    }

    async fn stats_count_generations_sign_ups_credits_and_stage_times(app) {
        let (token, _) = admin(&app, "count-admin@example.com").await;
        let (maker, maker_id) = user(&app, "count-maker@example.com").await;
        let res = app
            .post_json(&format!("/api/v1/admin/users/{maker_id}/credits"), Some(&token), json!({"amount": 7}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        generated(&app, &maker, json!({"prompt": "gaming video, text: NEW SEASON"})).await;
        generated(&app, &maker, json!({"prompt": "cooking pasta in 5 minutes"})).await;

        let body: Value = app.get("/api/v1/admin/stats?days=7", Some(&token)).await.json().await.unwrap();
        let today = body["daily"].as_array().unwrap().last().unwrap().clone();
        let totals = &body["totals"];
        for d in [&today, totals] {
            assert_eq!(d["generations"], 2, "{d}");
            assert_eq!(d["by_status"]["completed"], 2, "{d}");
            assert_eq!(d["by_engine"]["compositor"], 2, "{d}");
            assert_eq!(d["fallbacks"], 0);
            assert_eq!(d["signups"], 2);
            assert_eq!(d["credits"]["spent"], 2, "two basic generations at 1 credit: {d}");
            assert_eq!(d["credits"]["refunded"], 0);
            assert!(d["credits"]["granted"].as_i64().unwrap() >= 7, "the admin's grant and welcome credits: {d}");
        }
        assert_eq!(body["statuses"], json!(["completed"]));
        assert_eq!(body["engines"], json!(["compositor"]));
        let stages = body["stages"].as_array().unwrap();
        for n in 1..=5 {
            let s = stages.iter().find(|s| s["stage"] == n).unwrap_or_else(|| panic!("stage {n} in {stages:?}"));
            assert_eq!(s["samples"], 2);
            assert!(s["p50_ms"].as_i64().unwrap() <= s["p95_ms"].as_i64().unwrap());
        }
        let whole = stages.iter().find(|s| s["stage"] == 0).unwrap();
        assert_eq!(whole["label"], "total");
        assert_eq!(whole["samples"], 2);
    }

    async fn the_audit_log_is_for_admins(app) {
        let res = app.get("/api/v1/admin/audit", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let (plain, _) = user(&app, "audit-user@example.com").await;
        let res = app.get("/api/v1/admin/audit", Some(&plain)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let (token, _) = admin(&app, "audit-admin@example.com").await;
        for bad in ["limit=0", "limit=101", "actor=a%20b", "target=user:x%27y"] {
            let res = app.get(&format!("/api/v1/admin/audit?{bad}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        let res = app.get("/api/v1/admin/audit?cursor=nope", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_grant_is_audited_exactly_when_it_committed(app) {
        let (token, admin_id) = admin(&app, "grant-admin@example.com").await;
        let (_, target) = user(&app, "grant-target@example.com").await;
        let missing = uuid::Uuid::now_v7();
        let res = app
            .post_json(&format!("/api/v1/admin/users/{missing}/credits"), Some(&token), json!({"amount": 5}))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app
            .post_json(&format!("/api/v1/admin/users/{target}/credits"), Some(&token), json!({"amount": 0}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(audit(&app, &token, "target=user").await.iter().all(|a| a["action"] != "credits.grant"),
            "failed grants leave no audit row");

        let res = app
            .post_json(&format!("/api/v1/admin/users/{target}/credits"), Some(&token), json!({"amount": 5, "note": "thanks"}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let balance = res.json::<Value>().await.unwrap()["balance"].as_i64().unwrap();
        let rows = audit(&app, &token, &format!("target=user:{target}")).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        let row = &rows[0];
        assert_eq!(row["action"], "credits.grant");
        assert_eq!(row["actor"], admin_id.as_str());
        assert_eq!(row["actor_email"], "grant-admin@example.com");
        assert_eq!(row["target_kind"], "user");
        assert_eq!(row["target_id"], target.as_str());
        assert_eq!(row["before"]["balance"], balance - 5);
        assert_eq!(row["after"]["balance"], balance);
        assert_eq!(row["after"]["note"], "thanks");
        assert!(row["created_at"].is_string());
    }

    async fn role_and_plan_changes_are_audited_and_refusals_are_not(app) {
        let (token, admin_id) = admin(&app, "role-admin@example.com").await;
        let (_, target) = user(&app, "role-target@example.com").await;
        let res = patch(&app, &format!("/api/v1/admin/users/{admin_id}"), &token, json!({"role": "user"})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "no admin removes their own role");
        assert_eq!(crate::helpers::error_code(res).await, "own_admin_role");
        let res = patch(&app, &format!("/api/v1/admin/users/{target}"), &token, json!({"role": "root"})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = patch(&app, &format!("/api/v1/admin/users/{}", uuid::Uuid::now_v7()), &token, json!({"role": "admin"})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let mine = audit(&app, &token, &format!("actor={admin_id}")).await;
        assert!(mine.is_empty(), "refused changes leave no row: {mine:?}");

        let res = patch(&app, &format!("/api/v1/admin/users/{target}"), &token, json!({"role": "admin"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = patch(&app, &format!("/api/v1/admin/users/{target}"), &token, json!({"plan": "pro"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let rows = audit(&app, &token, &format!("actor={}", admin_id.to_uppercase())).await;
        let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["user.plan", "user.role"], "newest first");
        assert_eq!(rows[1]["before"], json!({"role": "user"}));
        assert_eq!(rows[1]["after"], json!({"role": "admin"}));
        assert_eq!(rows[0]["before"]["plan"], "free");
        assert_eq!(rows[0]["after"]["plan"], "pro");

        // The shell's own change (making the admin) is the CLI's.
        let cli = audit(&app, &token, "actor=cli").await;
        assert_eq!(cli.len(), 1);
        assert_eq!(cli[0]["target_id"], admin_id.as_str());
        assert_eq!(cli[0]["actor_email"], Value::Null);

        // Pages of one follow the cursor to the end.
        let first: Value = app.get("/api/v1/admin/audit?limit=1", Some(&token)).await.json().await.unwrap();
        let cursor = first["next_cursor"].as_str().expect("more than one row");
        let second: Value = app
            .get(&format!("/api/v1/admin/audit?limit=1&cursor={cursor}"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    }

    async fn plan_and_pack_edits_are_audited(app) {
        let (token, _) = admin(&app, "terms-admin@example.com").await;
        let res = patch(&app, "/api/v1/admin/plans/pro", &token, json!({"monthly_credits": -1})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = patch(&app, "/api/v1/admin/packs/nope", &token, json!({"enabled": false})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(audit(&app, &token, "target=pack").await.is_empty());
        assert!(audit(&app, &token, "target=plan").await.is_empty());

        let res = patch(&app, "/api/v1/admin/plans/pro", &token, json!({"monthly_credits": 150})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = patch(&app, "/api/v1/admin/packs/studio", &token, json!({"enabled": false})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let plan = audit(&app, &token, "target=plan:pro").await;
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0]["action"], "plan.update");
        assert_ne!(plan[0]["before"]["monthly_credits"], 150);
        assert_eq!(plan[0]["after"]["monthly_credits"], 150);
        let pack = audit(&app, &token, "target=pack:studio").await;
        assert_eq!(pack.len(), 1);
        assert_eq!(pack[0]["before"]["enabled"], true);
        assert_eq!(pack[0]["after"]["enabled"], false);
    }

    async fn broadcasts_are_started_shown_and_ended_by_admins(app) {
        let body = json!({"message": "Maintenance at 22:00 UTC", "level": "warning"});
        let res = app.post_json("/api/v1/admin/broadcast", None, body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let (plain, _) = user(&app, "bc-user@example.com").await;
        let res = app.post_json("/api/v1/admin/broadcast", Some(&plain), body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let (token, admin_id) = admin(&app, "bc-admin@example.com").await;
        for bad in [
            json!({"message": "  "}),
            json!({"message": "x".repeat(501)}),
            json!({"message": "hi", "level": "loud"}),
            json!({"message": "hi", "expires_at": "2000-01-01T00:00:00Z"}),
            json!({"message": "hi", "expires_at": "tomorrow"}),
        ] {
            let res = app.post_json("/api/v1/admin/broadcast", Some(&token), bad.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        assert!(audit(&app, &token, "target=broadcast").await.is_empty());

        let res = app.get("/api/v1/broadcasts/active", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.post_json("/api/v1/admin/broadcast", Some(&token), body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let made: Value = res.json().await.unwrap();
        assert_eq!(made["level"], "warning");
        assert_eq!(made["created_by"], admin_id.as_str());
        let id = made["id"].as_str().unwrap().to_string();
        let shown: Value = app.get("/api/v1/broadcasts/active", Some(&plain)).await.json().await.unwrap();
        assert_eq!(shown.as_array().unwrap().len(), 1);
        assert_eq!(shown[0]["message"], "Maintenance at 22:00 UTC");

        let end = |t: &str| app.request(Method::DELETE, &format!("/api/v1/admin/broadcast/{id}"), Some(t)).send();
        assert_eq!(end(&plain).await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(end(&token).await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(end(&token).await.unwrap().status(), StatusCode::NOT_FOUND, "already ended");
        let shown: Value = app.get("/api/v1/broadcasts/active", Some(&plain)).await.json().await.unwrap();
        assert_eq!(shown, json!([]));
        let rows = audit(&app, &token, &format!("target=broadcast:{id}")).await;
        let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["broadcast.end", "broadcast.create"]);
        assert_eq!(rows[0]["before"]["ended_at"], Value::Null);
        assert!(rows[0]["after"]["ended_at"].is_string());
    }

    async fn an_expired_broadcast_is_not_shown(app) {
        let (token, _) = admin(&app, "exp-admin@example.com").await;
        let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
        let res = app
            .post_json("/api/v1/admin/broadcast", Some(&token), json!({"message": "brief", "expires_at": soon}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let shown: Value = app.get("/api/v1/broadcasts/active", Some(&token)).await.json().await.unwrap();
        assert_eq!(shown.as_array().unwrap().len(), 1);
        tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
        let shown: Value = app.get("/api/v1/broadcasts/active", Some(&token)).await.json().await.unwrap();
        assert_eq!(shown, json!([]));
    }
}

/// The next text frame of `kind` on the socket, skipping others; panics after 5 s.
async fn frame_of(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    kind: &str,
) -> Value {
    use futures::StreamExt;
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .unwrap_or_else(|_| panic!("a {kind} frame within 5 s"))
            .expect("socket open")
            .expect("frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            let event: Value = serde_json::from_str(text.as_str()).unwrap();
            if event["type"] == kind {
                return event;
            }
        }
    }
}

crate::both! {
    async fn a_connected_user_receives_broadcasts_live(app) {
        let (token, _) = admin(&app, "live-admin@example.com").await;
        let (plain, _) = user(&app, "live-user@example.com").await;
        let res = app
            .post_json("/api/v1/chat/conversations", Some(&plain), json!({"title": "anything"}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let conversation = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let url = format!("ws://{}/api/v1/ws/chat/{conversation}?token={plain}", app.addr);
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("upgrade");
        frame_of(&mut ws, "connection").await;

        let res = app
            .post_json("/api/v1/admin/broadcast", Some(&token), json!({"message": "New templates are live", "level": "info"}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let event = frame_of(&mut ws, "broadcast").await;
        assert_eq!(event["broadcast"]["id"], id.as_str());
        assert_eq!(event["broadcast"]["message"], "New templates are live");
        assert_eq!(event["broadcast"]["level"], "info");

        let res = app
            .request(Method::DELETE, &format!("/api/v1/admin/broadcast/{id}"), Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let event = frame_of(&mut ws, "broadcast_ended").await;
        assert_eq!(event["id"], id.as_str());
    }
}
