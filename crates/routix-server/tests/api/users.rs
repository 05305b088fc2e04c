use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::error_code;

crate::both! {
    async fn profile_can_be_read_and_changed(app) {
        let token = app.token_for("profile@example.com").await;
        let res = app
            .request(Method::PATCH, "/api/v1/users/me", Some(&token))
            .json(&json!({"display_name": "Maya Rahimi", "locale": "fa"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let me: Value = app.get("/api/v1/users/me", Some(&token)).await.json().await.unwrap();
        assert_eq!(me["display_name"], "Maya Rahimi");
        assert_eq!(me["locale"], "fa");
        assert!(me.get("password_hash").is_none(), "never expose the hash");
    }

    async fn unsupported_locale_and_blank_name_are_rejected(app) {
        let token = app.token_for("locale@example.com").await;
        for body in [json!({"locale": "de"}), json!({"display_name": "   "})] {
            let res = app
                .request(Method::PATCH, "/api/v1/users/me", Some(&token))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(error_code(res).await, "validation_error");
        }
    }

    async fn deleting_the_account_revokes_every_token(app) {
        let tokens = app.signed_up("leaving@example.com").await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let res = app.request(Method::DELETE, "/api/v1/users/me", Some(access)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get("/api/v1/users/me", Some(access)).await.status(), StatusCode::UNAUTHORIZED);
        let res = app.post_json("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app
            .post_json("/api/v1/auth/login", None, json!({"email": "leaving@example.com", "password": "correct horse battery"}))
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        // The address is free again for a new account.
        assert_eq!(app.register("leaving@example.com", "another good password").await.status(), StatusCode::CREATED);
    }
}
