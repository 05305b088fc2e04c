//! The admin dashboard's figures: `GET /admin/stats?days=30`.

use axum::{extract::State, routing::get, Router};
use routix_store::stats::AdminStats;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::AdminUser,
    error::{ApiError, ApiResult},
    extract::{Json, Query},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/stats", get(stats))
}

/// Days covered when `days` is not given.
const DEFAULT_DAYS: u32 = 30;
const MAX_DAYS: u32 = 365;

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// Days to cover, ending today (UTC): 1 to 365, default 30.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 365)]
    pub days: Option<String>,
}

impl StatsQuery {
    /// Read as text so that `days=abc` answers 422 like `days=0`, not a bare 400.
    fn days(&self) -> ApiResult<u32> {
        match self.days.as_deref() {
            // An integer parameter sent empty is not absent: it is not an integer.
            None => Ok(DEFAULT_DAYS),
            Some(d) => d
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=MAX_DAYS).contains(d))
                .ok_or_else(|| ApiError::validation("days must be a whole number from 1 to 365")),
        }
    }
}

/// Credits moved by ledger kind.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreditFlowView {
    /// `grant` rows: admins, welcome credits, monthly plan credits.
    granted: i64,
    /// `purchase` rows: paid packs.
    purchased: i64,
    /// `reserve` rows: taken when a generation is queued.
    spent: i64,
    /// `refund` rows: given back when a generation failed or was cancelled.
    refunded: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DayStatsView {
    /// `YYYY-MM-DD` (UTC); for `totals`, `first..last`.
    day: String,
    generations: i64,
    /// Count by status: `queued`, `processing`, `completed`, `failed`, `cancelled`.
    by_status: std::collections::BTreeMap<String, i64>,
    /// Count by the engine that made the image; `none` while none has.
    by_engine: std::collections::BTreeMap<String, i64>,
    /// Generations whose artwork came from further down the fallback chain.
    fallbacks: i64,
    signups: i64,
    credits: CreditFlowView,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StageTimingView {
    /// 1 to 5, or 0 for the whole run.
    stage: u8,
    label: String,
    samples: u64,
    p50_ms: Option<i64>,
    p95_ms: Option<i64>,
}

/// The dashboard. Stage timings come from the start and finish times each generation
/// records per stage, over the most recent 5000 completed generations of the window.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AdminStatsView {
    days: u32,
    from: String,
    to: String,
    /// One entry per day, oldest first, quiet days included.
    daily: Vec<DayStatsView>,
    statuses: Vec<String>,
    engines: Vec<String>,
    totals: DayStatsView,
    stages: Vec<StageTimingView>,
}

#[utoipa::path(get, path = "/api/v1/admin/stats", tag = "admin", params(StatsQuery),
    responses((status = 200, body = AdminStatsView),
              (status = 401, description = "not signed in"),
              (status = 403, description = "not an admin"),
              (status = 422, description = "days outside 1 to 365")),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<AdminStats>> {
    let days = q.days()?;
    let today = chrono::Utc::now().date_naive();
    Ok(Json(state.db.admin_stats(days, today).await?))
}
