//! Algorithms as data: the public price list, and the admins' view (settings with each
//! algorithm's figures over the last 30 days) and edits. An edit applies to the next request
//! on every server: `POST /generations` reads the row each time.

use axum::{extract::State, routing::get, Router};
use chrono::{DateTime, Utc};
use routix_core::{
    algorithms::{self, ImageProvider, WatermarkRule},
    Algorithm,
};
use routix_store::{
    algorithms::{AlgorithmChange, AlgorithmSpec, AlgorithmStats},
    audit::Actor,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AdminUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path},
    state::AppState,
};

/// The window of the admins' figures.
pub const STATS_DAYS: u32 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/algorithms", get(list))
        .route("/admin/algorithms", get(admin_list))
        .route("/admin/algorithms/{id}", axum::routing::patch(update))
}

/// An algorithm on offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmView {
    /// `basic`, `premium` or `pro`: the `algorithm` of `POST /generations`.
    #[schema(value_type = String, example = "premium")]
    pub id: Algorithm,
    pub name_en: String,
    pub name_fa: String,
    /// Credits per image.
    pub cost: i64,
    /// Whether each variant of a request costs `cost` (an image provider makes each), or
    /// all of them together cost `cost` once (the offline compositor).
    pub priced_per_image: bool,
}

impl From<&AlgorithmSpec> for AlgorithmView {
    fn from(a: &AlgorithmSpec) -> Self {
        AlgorithmView {
            id: a.id,
            name_en: a.name_en.clone(),
            name_fa: a.name_fa.clone(),
            cost: a.cost.0,
            priced_per_image: !a.chain.is_empty(),
        }
    }
}

/// An algorithm as admins set it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmSettings {
    #[schema(value_type = String, example = "premium")]
    pub id: Algorithm,
    pub name_en: String,
    pub name_fa: String,
    /// Image providers tried in order (`openai`, `gemini`, `stability`, `sd-webui`; only
    /// configured ones are called); when all fail the offline compositor makes the image.
    #[schema(value_type = Vec<String>, example = json!(["stability", "sd-webui"]))]
    pub chain: Vec<ImageProvider>,
    /// Credits per image, 1 to 1000.
    pub cost: i64,
    /// A disabled algorithm refuses new requests (409 `algorithm_disabled`).
    pub enabled: bool,
    /// `plan` (as the account's plan says), `always` or `never`.
    #[schema(value_type = String, example = "plan")]
    pub watermark: WatermarkRule,
    pub updated_at: DateTime<Utc>,
}

impl From<AlgorithmSpec> for AlgorithmSettings {
    fn from(a: AlgorithmSpec) -> Self {
        AlgorithmSettings {
            id: a.id,
            name_en: a.name_en,
            name_fa: a.name_fa,
            chain: a.chain,
            cost: a.cost.0,
            enabled: a.enabled,
            watermark: a.watermark,
            updated_at: a.updated_at,
        }
    }
}

/// An algorithm's figures over the last 30 days of requests (re-edits excluded).
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmStatsView {
    pub days: u32,
    /// Requests made, whatever became of them.
    pub count: i64,
    pub completed: i64,
    pub failed: i64,
    /// completed / (completed + failed), 0 to 1; `null` before any ended.
    pub success_rate: Option<f64>,
    /// Completed ones whose image came from further down the chain, 0 to 1.
    pub fallback_rate: Option<f64>,
    /// Working time (first claim to result) of completed ones, milliseconds.
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

impl From<AlgorithmStats> for AlgorithmStatsView {
    fn from(s: AlgorithmStats) -> Self {
        AlgorithmStatsView {
            days: STATS_DAYS,
            count: s.count,
            completed: s.completed,
            failed: s.failed,
            success_rate: s.success_rate,
            fallback_rate: s.fallback_rate,
            p50_ms: s.p50_ms,
            p95_ms: s.p95_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAlgorithmView {
    #[serde(flatten)]
    pub settings: AlgorithmSettings,
    pub stats: AlgorithmStatsView,
}

/// An admin's edit; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAlgorithm {
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub name_en: Option<String>,
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub name_fa: Option<String>,
    /// Provider names in the order to try them, each once. Basic is the offline compositor:
    /// its chain stays empty; premium and pro need at least one.
    pub chain: Option<Vec<String>>,
    /// Credits per image.
    #[schema(minimum = 1, maximum = 1000)]
    pub cost: Option<i64>,
    pub enabled: Option<bool>,
    /// `plan`, `always` or `never`.
    #[schema(pattern = "^(plan|always|never)$")]
    pub watermark: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/algorithms", tag = "generations",
    responses((status = 200, body = [AlgorithmView], description = "the algorithms on offer and their prices, in display order")))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<AlgorithmView>>> {
    let all = state.db.algorithms().await?;
    Ok(Json(
        all.iter()
            .filter(|a| a.enabled)
            .map(AlgorithmView::from)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/algorithms", tag = "admin",
    responses((status = 200, body = [AdminAlgorithmView], description = "every algorithm, enabled or not, with its figures over the last 30 days"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "not an admin")),
    security(("bearer" = [])))]
pub async fn admin_list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<Vec<AdminAlgorithmView>>> {
    let all = state.db.algorithms().await?;
    let mut stats = state.db.algorithm_stats(STATS_DAYS).await?;
    let views = all
        .into_iter()
        .filter_map(|a| {
            let at = stats.iter().position(|s| s.algorithm == a.id)?;
            Some(AdminAlgorithmView {
                settings: a.into(),
                stats: stats.swap_remove(at).into(),
            })
        })
        .collect();
    Ok(Json(views))
}

fn name(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None => Ok(None),
        Some(v) if (1..=60).contains(&v.chars().count()) => Ok(Some(v.to_string())),
        Some(_) => Err(ApiError::validation(format!(
            "{field} must be 1 to 60 characters"
        ))),
    }
}

fn invalid(e: routix_core::CoreError) -> ApiError {
    ApiError::validation(e.to_string())
}

#[utoipa::path(patch, path = "/api/v1/admin/algorithms/{id}", tag = "admin", request_body = UpdateAlgorithm,
    params(("id" = String, Path, description = "basic, premium or pro")),
    responses((status = 200, body = AlgorithmSettings, description = "changed; the next request uses it"),
              (status = 400, description = "a body that is not JSON"),
              (status = 401, description = "not signed in"),
              (status = 403, description = "not an admin"),
              (status = 404, description = "no such algorithm"),
              (status = 422, description = "an unknown or repeated provider, a chain that does not fit the algorithm, a cost outside 1 to 1000, an unknown watermark rule or a name outside 1 to 60 characters")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<String>,
    Json(req): Json<UpdateAlgorithm>,
) -> ApiResult<Json<AlgorithmSettings>> {
    let algorithm: Algorithm = id.parse().map_err(|_| ApiError::not_found("algorithm"))?;
    let name_en = name("name_en", req.name_en.as_deref())?;
    let name_fa = name("name_fa", req.name_fa.as_deref())?;
    let chain = req
        .chain
        .as_deref()
        .map(|c| algorithms::parse_chain(algorithm, c))
        .transpose()
        .map_err(invalid)?;
    let cost = req
        .cost
        .map(algorithms::parse_cost)
        .transpose()
        .map_err(invalid)?;
    let watermark = req
        .watermark
        .as_deref()
        .map(str::parse::<WatermarkRule>)
        .transpose()
        .map_err(invalid)?;
    let change = AlgorithmChange {
        name_en: name_en.as_deref(),
        name_fa: name_fa.as_deref(),
        chain: chain.as_deref(),
        cost,
        enabled: req.enabled,
        watermark,
    };
    let spec = state
        .db
        .update_algorithm(Actor::Admin(admin.0.id()), algorithm, &change)
        .await?;
    tracing::info!(admin = %admin.0.id(), algorithm = algorithm.as_str(), ?change, "algorithm changed");
    Ok(Json(spec.into()))
}
