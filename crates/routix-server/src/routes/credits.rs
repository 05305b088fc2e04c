//! The signed-in user's credits: balance, plan and the ledger that explains the balance.

use axum::{extract::State, routing::get, Router};
use chrono::{DateTime, Utc};
use routix_core::credits::LedgerKind;
use routix_store::{credits::LedgerEntry, users::Plan, GenerationId, LedgerId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::ApiResult,
    extract::{Json, Query},
    routes::PageQuery,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/users/me/credits", get(credits))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerView {
    #[schema(value_type = uuid::Uuid)]
    pub id: LedgerId,
    /// grant, purchase, reserve, settle or refund.
    #[schema(value_type = String)]
    pub kind: LedgerKind,
    /// Signed change to the balance.
    pub amount: i64,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub generation_id: Option<GenerationId>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl From<LedgerEntry> for LedgerView {
    fn from(e: LedgerEntry) -> Self {
        LedgerView {
            id: e.id,
            kind: e.kind,
            amount: e.amount,
            generation_id: e.generation_id,
            note: e.note,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditsView {
    pub balance: i64,
    /// `free`, `pro`, `agency` or `enterprise` (terms in `GET /billing/plans`).
    #[schema(value_type = String)]
    pub plan: Plan,
    /// Newest first.
    pub ledger: Vec<LedgerView>,
    pub next_cursor: Option<String>,
    /// What each algorithm on offer costs per image (as in `GET /algorithms`).
    pub prices: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/users/me/credits", tag = "users", params(PageQuery),
    responses((status = 200, body = CreditsView)), security(("bearer" = [])))]
pub async fn credits(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<CreditsView>> {
    let (cursor, limit) = q.parse()?;
    let balance = state.db.balance(user.id()).await?;
    let page = state.db.ledger(user.id(), cursor, limit).await?;
    let prices = state
        .db
        .algorithms()
        .await?
        .into_iter()
        .filter(|a| a.enabled)
        .map(|a| (a.id.as_str().to_string(), serde_json::json!(a.cost.0)))
        .collect::<serde_json::Map<_, _>>();
    Ok(Json(CreditsView {
        balance,
        plan: user.user.plan,
        ledger: page.items.into_iter().map(LedgerView::from).collect(),
        next_cursor: page.next_cursor,
        prices: prices.into(),
    }))
}
