//! Algorithms as data: the public price list, admins' edits taking effect on the next request
//! (price, chain, availability, watermark), their checks, and per-algorithm figures.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{credits, error_code, finished, generated, TestApp};

/// A new account made admin from the shell; answers its token.
async fn admin(app: &TestApp, email: &str) -> String {
    let body = app.signed_up(email).await;
    app.state_db()
        .set_role(
            routix_store::audit::Actor::Cli,
            body["user"]["id"].as_str().unwrap().parse().unwrap(),
            routix_store::users::Role::Admin,
        )
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

async fn patch(app: &TestApp, id: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    app.request(
        Method::PATCH,
        &format!("/api/v1/admin/algorithms/{id}"),
        token,
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

async fn patched(app: &TestApp, id: &str, token: &str, body: Value) -> Value {
    let res = patch(app, id, Some(token), body.clone()).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    res.json().await.unwrap()
}

async fn public_list(app: &TestApp) -> Vec<Value> {
    let res = app.get("/api/v1/algorithms", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn admin_list(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/v1/admin/algorithms", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn find<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list:?}"))
}

crate::both! {
    async fn the_public_list_shows_names_and_prices_without_signing_in(app) {
        let list = public_list(&app).await;
        let ids: Vec<&str> = list.iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["basic", "premium", "pro"]);
        let costs: Vec<i64> = list.iter().map(|a| a["cost"].as_i64().unwrap()).collect();
        assert_eq!(costs, [1, 3, 5]);
        assert_eq!(list[1]["name_en"], "Premium");
        assert_eq!(list[1]["name_fa"], "ویژه");
        assert_eq!(list[0]["priced_per_image"], false);
        assert_eq!(list[2]["priced_per_image"], true);
        assert!(list[0].get("chain").is_none(), "the chain is for admins: {list:?}");
    }

    async fn a_new_price_is_charged_on_the_next_generation(app) {
        let admin = admin(&app, "prices-admin@example.com").await;
        let user = app.token_for("prices-user@example.com").await;
        assert_eq!(credits(&app, &user).await, 10);
        let body = patched(&app, "basic", &admin, json!({"cost": 4})).await;
        assert_eq!(body["cost"], 4);
        assert_eq!(find(&public_list(&app).await, "basic")["cost"], 4);
        let wallet: Value = app.get("/api/v1/users/me/credits", Some(&user)).await.json().await.unwrap();
        assert_eq!(wallet["prices"]["basic"], 4);

        let g = generated(&app, &user, json!({"prompt": "cooking video, warm colours"})).await;
        assert_eq!(g["cost"], 4);
        assert_eq!(credits(&app, &user).await, 6);

        // A premium request that ends on the compositor (no provider configured) pays the
        // basic price of its request time, not the premium one.
        patched(&app, "premium", &admin, json!({"cost": 5})).await;
        let res = app
            .post_json("/api/v1/generations", Some(&user), json!({"prompt": "gaming video", "algorithm": "premium"}))
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let queued: Value = res.json().await.unwrap();
        assert_eq!(queued["cost"], 5, "reserved at the new premium price");
        let g = finished(&app, &user, queued["id"].as_str().unwrap()).await;
        assert_eq!(g["status"], "completed", "{g}");
        assert_eq!(g["engine"], "compositor");
        assert_eq!(credits(&app, &user).await, 2, "charged basic's 4 of the 5 reserved");
    }

    async fn a_disabled_algorithm_refuses_requests_until_enabled_again(app) {
        let admin = admin(&app, "switch-admin@example.com").await;
        let user = app.token_for("switch-user@example.com").await;
        let body = patched(&app, "premium", &admin, json!({"enabled": false})).await;
        assert_eq!(body["enabled"], false);
        let ids: Vec<Value> = public_list(&app).await.iter().map(|a| a["id"].clone()).collect();
        assert_eq!(ids, [json!("basic"), json!("pro")]);
        let ask = json!({"prompt": "travel vlog, sunset beach", "algorithm": "premium"});
        let res = app.post_json("/api/v1/generations", Some(&user), ask.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(error_code(res).await, "algorithm_disabled");
        assert_eq!(credits(&app, &user).await, 10, "nothing reserved");
        let admin_view = admin_list(&app, &admin).await;
        assert_eq!(find(&admin_view, "premium")["enabled"], false, "admins still see it");

        patched(&app, "premium", &admin, json!({"enabled": true})).await;
        let res = app.post_json("/api/v1/generations", Some(&user), ask).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        assert_eq!(credits(&app, &user).await, 7);
    }

    async fn bad_chains_costs_and_rules_are_refused_with_422(app) {
        let admin = admin(&app, "checks-admin@example.com").await;
        let bad = [
            ("pro", json!({"chain": ["dall-e"]})),
            ("pro", json!({"chain": ["openai", "openai"]})),
            ("pro", json!({"chain": []})),
            ("premium", json!({"chain": "stability"})),
            ("basic", json!({"chain": ["stability"]})),
            ("basic", json!({"cost": 0})),
            ("basic", json!({"cost": 1001})),
            ("basic", json!({"cost": -2})),
            ("basic", json!({"watermark": "sometimes"})),
            ("basic", json!({"name_en": "  "})),
            ("basic", json!({"colour": "red"})),
        ];
        for (id, body) in bad {
            let res = patch(&app, id, Some(&admin), body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{id} {body}");
        }
        assert_eq!(public_list(&app).await.iter().map(|a| a["cost"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 3, 5], "nothing changed");
        let res = patch(&app, "turbo", Some(&admin), json!({"cost": 2})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        let body = patched(&app, "pro", &admin, json!({"chain": ["gemini", "openai"], "name_fa": "حرفه‌ای پلاس", "watermark": "always"})).await;
        assert_eq!(body["chain"], json!(["gemini", "openai"]));
        assert_eq!(body["name_fa"], "حرفه‌ای پلاس");
        assert_eq!(body["watermark"], "always");
        assert_eq!(body["cost"], 5, "fields not named stay");

        // The edit is in the audit log, before and after.
        let page: Value = app.get("/api/v1/admin/audit?target=algorithm:pro", Some(&admin)).await.json().await.unwrap();
        let rows = page["items"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{page}");
        assert_eq!(rows[0]["action"], "algorithm.update");
        assert_eq!(rows[0]["target_id"], "pro");
        assert_eq!(rows[0]["before"]["chain"], json!(["openai", "gemini", "stability", "sd-webui"]));
        assert_eq!(rows[0]["after"]["chain"], json!(["gemini", "openai"]));
    }

    async fn admin_routes_need_a_signed_in_admin(app) {
        assert_eq!(app.get("/api/v1/admin/algorithms", None).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(patch(&app, "basic", None, json!({"cost": 2})).await.status(), StatusCode::UNAUTHORIZED);
        let user = app.token_for("not-admin@example.com").await;
        assert_eq!(app.get("/api/v1/admin/algorithms", Some(&user)).await.status(), StatusCode::FORBIDDEN);
        let res = patch(&app, "basic", Some(&user), json!({"cost": 2})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(find(&public_list(&app).await, "basic")["cost"], 1);
    }

    async fn the_chain_and_watermark_rule_apply_to_the_next_request(app) {
        let admin = admin(&app, "chain-admin@example.com").await;
        let user = app.token_for("chain-user@example.com").await;
        let premium = json!({"prompt": "tech review, new phone", "algorithm": "premium"});
        let g = generated(&app, &user, premium.clone()).await;
        let reason = g["fallback_reason"].as_str().unwrap().to_string();
        assert!(reason.contains("STABILITY_API_KEY"), "{reason}");

        patched(&app, "premium", &admin, json!({"chain": ["sd-webui"]})).await;
        let g = generated(&app, &user, premium).await;
        let reason = g["fallback_reason"].as_str().unwrap();
        assert!(reason.contains("SD_WEBUI_URL") && !reason.contains("STABILITY"), "{reason}");

        // Free results carry the watermark by their plan; "never" overrides it.
        let basic = json!({"prompt": "cooking video, warm colours"});
        assert_eq!(generated(&app, &user, basic.clone()).await["watermark"], true);
        patched(&app, "basic", &admin, json!({"watermark": "never"})).await;
        assert_eq!(generated(&app, &user, basic).await["watermark"], false);
    }

    async fn figures_count_requests_successes_fallbacks_and_durations(app) {
        let admin = admin(&app, "figures-admin@example.com").await;
        let user = app.token_for("figures-user@example.com").await;
        generated(&app, &user, json!({"prompt": "cooking video, warm colours"})).await;
        for prompt in ["gaming video, red and black", "travel vlog, sunset beach"] {
            let g = generated(&app, &user, json!({"prompt": prompt, "algorithm": "premium"})).await;
            assert_eq!(g["fell_back"], true, "{g}");
        }
        let list = admin_list(&app, &admin).await;
        let basic = &find(&list, "basic")["stats"];
        assert_eq!(basic["days"], 30);
        assert_eq!(basic["count"], 1);
        assert_eq!(basic["completed"], 1);
        assert_eq!(basic["success_rate"], 1.0);
        assert_eq!(basic["fallback_rate"], 0.0);
        let premium = &find(&list, "premium")["stats"];
        assert_eq!(premium["count"], 2);
        assert_eq!(premium["success_rate"], 1.0);
        assert_eq!(premium["fallback_rate"], 1.0);
        let (p50, p95) = (premium["p50_ms"].as_i64().unwrap(), premium["p95_ms"].as_i64().unwrap());
        assert!(p50 > 0 && p50 <= p95, "{premium}");
        let pro = &find(&list, "pro")["stats"];
        assert_eq!(pro["count"], 0);
        assert_eq!(pro["success_rate"], Value::Null);
        assert_eq!(pro["p50_ms"], Value::Null);
        assert_eq!(find(&list, "pro")["chain"], json!(["openai", "gemini", "stability", "sd-webui"]));
    }
}
