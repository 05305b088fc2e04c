//! The description tells the truth: the statuses the server answers are documented, the
//! constraints it enforces are in the schema, and what the schema rejects is rejected.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

async fn spec(app: &TestApp) -> Value {
    app.get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap()
}

fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), op));
        }
    }
    out
}

#[tokio::test]
async fn every_authenticated_operation_documents_401_and_every_api_operation_429() {
    let app = TestApp::sqlite().await;
    let spec = spec(&app).await;
    for (path, method, op) in operations(&spec) {
        let responses = op["responses"].as_object().unwrap();
        let secured = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        });
        if secured {
            assert!(responses.contains_key("401"), "{method} {path} misses 401");
        }
        if path.starts_with("/api/") {
            assert!(responses.contains_key("429"), "{method} {path} misses 429");
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} misses {status}"
                );
            }
        }
        if path.starts_with("/api/v1/admin/") {
            assert!(responses.contains_key("403"), "{method} {path} misses 403");
        }
    }
    let shared = &spec["components"]["responses"]["RateLimited"];
    assert!(shared["headers"]["Retry-After"].is_object(), "{shared}");
    assert_eq!(
        shared["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
}

#[tokio::test]
async fn query_parameters_are_described_in_the_query_with_their_bounds() {
    let app = TestApp::sqlite().await;
    let spec = spec(&app).await;
    for (path, method, op) in operations(&spec) {
        for param in op["parameters"].as_array().into_iter().flatten() {
            if param["in"] == "path" {
                let name = param["name"].as_str().unwrap();
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: `{name}` is not in the path"
                );
            }
        }
    }
    let limit = spec["paths"]["/api/v1/generations"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()
        .clone();
    assert_eq!(limit["in"], "query", "{limit}");
    assert_eq!(limit["schema"]["minimum"], 1, "{limit}");
    assert_eq!(limit["schema"]["maximum"], 100, "{limit}");
}

#[tokio::test]
async fn password_length_is_in_the_schema() {
    let app = TestApp::sqlite().await;
    let spec = spec(&app).await;
    let password = &spec["components"]["schemas"]["RegisterRequest"]["properties"]["password"];
    assert_eq!(password["minLength"], 8, "{password}");
    assert_eq!(password["maxLength"], 128, "{password}");
}

#[tokio::test]
async fn websocket_route_is_described_as_an_upgrade() {
    let app = TestApp::sqlite().await;
    let spec = spec(&app).await;
    let op = &spec["paths"]["/api/v1/ws/chat/{conversation_id}"]["get"];
    assert!(op["responses"]["101"].is_object(), "{op}");
    let headers: Vec<&str> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "header" && p["required"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for h in [
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Key",
    ] {
        assert!(
            headers.contains(&h),
            "{h} not a required header: {headers:?}"
        );
    }
    assert!(op["description"].as_str().unwrap().contains("1008"));
}

crate::both! {
    async fn rejects_a_limit_that_is_not_an_integer(app) {
        let token = app.token_for("pager@example.com").await;
        for bad in ["abc", "1.5", "-1"] {
            let res = app.get(&format!("/api/v1/generations?limit={bad}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "limit={bad}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "bad_request", "{body}");
        }
        let res = app.get("/api/v1/generations?limit=0", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn a_plain_get_on_the_websocket_route_is_a_json_400(app) {
        let id = uuid::Uuid::new_v4();
        let res = app.get(&format!("/api/v1/ws/chat/{id}"), None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request", "{body}");
    }
}

#[tokio::test]
async fn schema_carries_token_format_template_ids_and_the_markdown_export() {
    let app = TestApp::sqlite().await;
    let spec = spec(&app).await;
    let schemas = &spec["components"]["schemas"];
    let token = &schemas["VerifyRequest"]["properties"]["token"];
    assert_eq!(token["pattern"], "^[A-Za-z0-9_-]{43}$", "{token}");
    let template = &schemas["CreateGeneration"]["properties"]["template_id"];
    let ids = template["enum"].as_array().expect("template ids listed");
    assert!(
        ids.contains(&Value::from("general-bold-type")),
        "{template}"
    );
    assert!(ids.contains(&Value::Null), "null stays valid: {template}");
    assert_eq!(
        schemas["MatchRequest"]["anyOf"].as_array().map(Vec::len),
        Some(2)
    );
    let export =
        &spec["paths"]["/api/v1/chat/conversations/{id}/export"]["get"]["responses"]["200"];
    assert!(export["content"]["text/markdown"].is_object(), "{export}");
    let logout = &spec["paths"]["/api/v1/auth/logout"]["post"]["requestBody"];
    assert_ne!(logout["required"], true, "{logout}");
}

#[tokio::test]
async fn reads_a_whole_number_float_as_an_integer_but_not_a_fraction() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("floats@example.com").await;
    let body = |limit: f64| serde_json::json!({"prompt": "a gaming video", "limit": limit});
    let res = app
        .post_json("/api/v1/templates/match", Some(&token), body(2.0))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let found: Value = res.json().await.unwrap();
    assert_eq!(
        found["matches"].as_array().map(Vec::len),
        Some(2),
        "{found}"
    );
    let res = app
        .post_json("/api/v1/templates/match", Some(&token), body(2.5))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn refuses_a_json_array_where_an_object_is_expected() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("arrays@example.com").await;
    let res = app
        .request(reqwest::Method::PATCH, "/api/v1/users/me", Some(&token))
        .json(&serde_json::json!([null, null]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_error", "{body}");
}

#[tokio::test]
async fn a_multipart_route_without_a_multipart_body_is_a_json_400() {
    let app = TestApp::sqlite().await;
    let token = app.token_for("noboundary@example.com").await;
    let res = app
        .request(reqwest::Method::POST, "/api/v1/files/upload", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
}

#[tokio::test]
async fn a_webhook_without_its_signature_header_is_a_400_even_when_payments_are_off() {
    let app = TestApp::sqlite().await;
    let res = app
        .post_json("/api/v1/billing/webhook", None, serde_json::json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_signature", "{body}");
}
