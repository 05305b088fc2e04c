use reqwest::StatusCode;
use serde_json::Value;

crate::both! {
    async fn new_accounts_start_with_welcome_credits_in_the_ledger(app) {
        let token = app.token_for("rich@example.com").await;
        let res = app.get("/api/v1/users/me/credits", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["balance"], 10);
        assert_eq!(body["plan"], "free");
        assert_eq!(body["prices"]["basic"], 1);
        assert_eq!(body["prices"]["pro"], 5);
        let ledger = body["ledger"].as_array().unwrap();
        assert_eq!(ledger.len(), 1);
        assert_eq!(ledger[0]["kind"], "grant");
        assert_eq!(ledger[0]["amount"], 10);
        assert_eq!(app.get("/api/v1/users/me/credits", None).await.status(), StatusCode::UNAUTHORIZED);
    }
}
