//! Plans and credit packs: the public price list, checkout of a pack through a Stripe-format
//! API, the signed webhook that credits a paid pack, and the admins' edits of both lists.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    routing::{get, post},
    Router,
};
use chrono::{DateTime, Utc};
use routix_store::{
    audit::Actor,
    billing::{CreditPack, PackChange, PaidSession, PlanChange, PlanTerms, PurchaseOutcome},
    users::Plan,
    StoreError, UserId,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{AdminUser, AuthUser},
    error::{ApiError, ApiResult},
    extract::{Json, Path},
    state::AppState,
    stripe::{self, CheckoutSession, Event, StripeError},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/billing/plans", get(catalog))
        .route("/billing/checkout", post(checkout))
        .route("/billing/webhook", post(webhook))
        .route("/admin/plans", get(admin_plans))
        .route("/admin/plans/{id}", get(admin_plan).patch(update_plan))
        .route("/admin/packs", get(admin_packs))
        .route("/admin/packs/{id}", get(admin_pack).patch(update_pack))
}

/// The session events that carry a paid checkout (the second for delayed payment methods).
const PAID_SESSION_EVENTS: [&str; 2] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
];

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// `free`, `pro`, `agency` or `enterprise`.
    #[schema(value_type = String, example = "pro")]
    pub id: Plan,
    pub name_en: String,
    pub name_fa: String,
    /// Granted at the start of every calendar month (UTC).
    pub monthly_credits: i64,
    /// Granted once when an account is created (free plan only).
    pub signup_credits: Option<i64>,
    /// Never refused for balance; every generation is still ledgered.
    pub unlimited: bool,
    /// Results carry the Routix watermark.
    pub watermark: bool,
    /// Per month, in cents; `null`: on request.
    pub price_cents: Option<i64>,
    pub currency: String,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

impl PlanView {
    fn new(p: PlanTerms, signup_credits: i64) -> Self {
        PlanView {
            signup_credits: (p.id == Plan::Free).then_some(signup_credits),
            unlimited: p.id.is_unlimited(),
            id: p.id,
            name_en: p.name_en,
            name_fa: p.name_fa,
            monthly_credits: p.monthly_credits,
            watermark: p.watermark,
            price_cents: p.price_cents,
            currency: p.currency,
            enabled: p.enabled,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackView {
    #[schema(example = "creator")]
    pub id: String,
    pub name_en: String,
    pub name_fa: String,
    pub credits: i64,
    /// In cents.
    pub price_cents: i64,
    /// ISO 4217, lowercase.
    pub currency: String,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<CreditPack> for PackView {
    fn from(p: CreditPack) -> Self {
        PackView {
            id: p.id,
            name_en: p.name_en,
            name_fa: p.name_fa,
            credits: p.credits,
            price_cents: p.price_cents,
            currency: p.currency,
            enabled: p.enabled,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogView {
    pub plans: Vec<PlanView>,
    pub packs: Vec<PackView>,
    /// Whether packs can be bought here (a payment provider is configured).
    pub payments_enabled: bool,
}

#[utoipa::path(get, path = "/api/v1/billing/plans", tag = "billing",
    responses((status = 200, body = CatalogView, description = "the plans and credit packs on offer")))]
pub async fn catalog(State(state): State<AppState>) -> ApiResult<Json<CatalogView>> {
    let plans = state.db.plans().await?;
    let packs = state.db.packs().await?;
    Ok(Json(CatalogView {
        plans: plans
            .into_iter()
            .filter(|p| p.enabled)
            .map(|p| PlanView::new(p, state.settings.free_credits))
            .collect(),
        packs: packs
            .into_iter()
            .filter(|p| p.enabled)
            .map(PackView::from)
            .collect(),
        payments_enabled: state.settings.payments.secret_key.is_some(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// A pack id from `GET /billing/plans`.
    #[schema(example = "creator")]
    pub pack: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutView {
    /// The payment page to send the buyer to.
    pub url: String,
}

fn not_configured() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "payments_not_configured",
        "payments are not configured",
    )
}

#[utoipa::path(post, path = "/api/v1/billing/checkout", tag = "billing", request_body = CheckoutRequest,
    responses((status = 200, body = CheckoutView, description = "a checkout session was created; redirect to its url"),
              (status = 404, description = "no such pack"),
              (status = 422, description = "the pack is not on sale"),
              (status = 502, description = "the payment provider refused or answered nonsense"),
              (status = 503, description = "payments are not configured, or the provider is unavailable")),
    security(("bearer" = [])))]
pub async fn checkout(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(req): Json<CheckoutRequest>,
) -> ApiResult<Json<CheckoutView>> {
    let payments = &state.settings.payments;
    let key = payments.secret_key.as_ref().ok_or_else(not_configured)?;
    let pack = state.db.pack(req.pack.trim()).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("credit pack"),
        other => other.into(),
    })?;
    if !pack.enabled {
        return Err(ApiError::validation(format!(
            "the {} pack is not on sale",
            pack.id
        )));
    }
    let base = match &payments.return_base {
        Some(base) => base.clone(),
        None => request_origin(&headers, &state),
    };
    let user_id = user.id().to_string();
    let form = [
        ("mode", "payment".to_string()),
        ("client_reference_id", user_id.clone()),
        ("metadata[routix_user_id]", user_id),
        ("metadata[routix_pack]", pack.id.clone()),
        ("line_items[0][price_data][currency]", pack.currency.clone()),
        (
            "line_items[0][price_data][unit_amount]",
            pack.price_cents.to_string(),
        ),
        (
            "line_items[0][price_data][product_data][name]",
            format!("Routix {}: {} credits", pack.name_en, pack.credits),
        ),
        ("line_items[0][quantity]", "1".to_string()),
        (
            "success_url",
            format!("{base}/account?checkout=success&session_id={{CHECKOUT_SESSION_ID}}"),
        ),
        ("cancel_url", format!("{base}/account?checkout=cancelled")),
    ];
    let session = stripe::create_checkout_session(&payments.api_base, key, &form)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, pack = %pack.id, "checkout session not created");
            match e {
                StripeError::Unavailable(_) => ApiError {
                    retry_after: Some(30),
                    ..ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "payments_unavailable",
                        "the payment provider is unavailable right now; try again in a minute",
                    )
                },
                StripeError::Refused { .. } | StripeError::Malformed(_) => ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "payment_provider_error",
                    "the payment provider could not start a checkout; nothing was charged. \
                     Try again later or contact support",
                ),
            }
        })?;
    tracing::info!(user = %user.id(), pack = %pack.id, session = %session.id, "checkout session created");
    Ok(Json(CheckoutView { url: session.url }))
}

/// `scheme://host` the request was addressed to (behind a proxy: its forwarded headers).
fn request_origin(headers: &HeaderMap, state: &AppState) -> String {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or(v).trim().to_string())
            .filter(|v| !v.is_empty() && !v.contains(['/', ' ', '\\']))
    };
    let host = text("x-forwarded-host")
        .or_else(|| text(header::HOST.as_str()))
        .unwrap_or_else(|| state.settings.bind.to_string());
    let scheme = match text("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    pub received: bool,
}

#[utoipa::path(post, path = "/api/v1/billing/webhook", tag = "billing",
    request_body(content = String, content_type = "application/json",
        description = "a Stripe event, signed in the `Stripe-Signature` header"),
    params(("Stripe-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"{t}.{body}\">")),
    responses((status = 200, body = WebhookAck, description = "handled, already handled, or ignored"),
              (status = 400, description = "missing, malformed, expired or wrong signature; or not an event"),
              (status = 503, description = "payments are not configured")))]
pub async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookAck>> {
    // The header is required by the description, so its absence is the caller's error
    // whether or not payments are switched on.
    if !headers.contains_key("stripe-signature") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_signature",
            "the Stripe-Signature header is missing",
        ));
    }
    let secret = state
        .settings
        .payments
        .webhook_secret
        .as_ref()
        .ok_or_else(not_configured)?;
    let signature = headers
        .get("stripe-signature")
        .map(|v| v.to_str().unwrap_or_default());
    stripe::verify_signature(signature, &body, secret, Utc::now().timestamp()).map_err(|e| {
        tracing::warn!(reason = %e, "webhook refused");
        ApiError::new(StatusCode::BAD_REQUEST, "bad_signature", e.to_string())
    })?;
    let event: Event = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("the body is not a Stripe event"))?;
    let ack = Json(WebhookAck { received: true });
    if !PAID_SESSION_EVENTS.contains(&event.kind.as_str()) {
        tracing::debug!(event = %event.id, kind = %event.kind, "webhook event ignored");
        return Ok(ack);
    }
    let session: CheckoutSession = serde_json::from_value(event.data.object)
        .map_err(|_| ApiError::bad_request("the event does not carry a checkout session"))?;
    if session.payment_status.as_deref() != Some("paid") {
        tracing::info!(event = %event.id, session = %session.id, "checkout completed unpaid; waiting for the payment");
        return Ok(ack);
    }
    let (Some(user), Some(pack)) = (
        session.metadata.get("routix_user_id"),
        session.metadata.get("routix_pack"),
    ) else {
        tracing::info!(event = %event.id, session = %session.id, "paid session without Routix metadata ignored");
        return Ok(ack);
    };
    let Ok(user) = user.parse::<UserId>() else {
        tracing::error!(event = %event.id, session = %session.id, "paid session names no valid account; not credited");
        return Ok(ack);
    };
    let paid = PaidSession {
        event_id: &event.id,
        event_kind: &event.kind,
        session_id: &session.id,
        user,
        pack,
        amount_cents: session.amount_total,
        currency: session.currency.as_deref(),
    };
    match state.db.record_purchase(&paid).await? {
        PurchaseOutcome::Credited { credits, balance } => tracing::info!(
            event = %event.id, session = %session.id, %user, pack, credits, balance, "pack credited"
        ),
        PurchaseOutcome::DuplicateEvent | PurchaseOutcome::DuplicateSession => tracing::info!(
            event = %event.id, session = %session.id, "webhook redelivery; already credited"
        ),
        PurchaseOutcome::UnknownPack | PurchaseOutcome::UnknownAccount => tracing::error!(
            event = %event.id, session = %session.id, %user, pack,
            "paid session names an unknown pack or account; not credited"
        ),
    }
    Ok(ack)
}

#[utoipa::path(get, path = "/api/v1/admin/plans", tag = "admin",
    responses((status = 200, body = [PlanView], description = "every plan, on offer or not")),
    security(("bearer" = [])))]
pub async fn admin_plans(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<Vec<PlanView>>> {
    let plans = state.db.plans().await?;
    Ok(Json(
        plans
            .into_iter()
            .map(|p| PlanView::new(p, state.settings.free_credits))
            .collect(),
    ))
}

fn plan_id(id: &str) -> Result<Plan, ApiError> {
    Plan::parse(id).ok_or_else(|| ApiError::not_found("plan"))
}

#[utoipa::path(get, path = "/api/v1/admin/plans/{id}", tag = "admin",
    params(("id" = String, Path, description = "free, pro, agency or enterprise")),
    responses((status = 200, body = PlanView), (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
pub async fn admin_plan(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanView>> {
    let plan = state.db.plan_terms(plan_id(&id)?).await?;
    Ok(Json(PlanView::new(plan, state.settings.free_credits)))
}

/// `null` and absent differ: `"price_cents": null` makes the price "on request".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlan {
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub name_en: Option<String>,
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub name_fa: Option<String>,
    /// 0 to 1000000 (enterprise: always 0, it is unlimited).
    #[schema(minimum = 0, maximum = 1000000)]
    pub monthly_credits: Option<i64>,
    pub watermark: Option<bool>,
    /// Cents per month; `null` for "on request".
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000000)]
    pub price_cents: Option<Option<i64>>,
    /// Three letters, e.g. `usd`.
    #[schema(pattern = r"^\s*[A-Za-z]{3}\s*$")]
    pub currency: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePack {
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub name_en: Option<String>,
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub name_fa: Option<String>,
    /// 1 to 1000000.
    #[schema(minimum = 1, maximum = 1000000)]
    pub credits: Option<i64>,
    /// Cents, 1 to 100000000.
    #[schema(minimum = 1, maximum = 100000000)]
    pub price_cents: Option<i64>,
    /// Three letters, e.g. `usd`.
    #[schema(pattern = r"^\s*[A-Za-z]{3}\s*$")]
    pub currency: Option<String>,
    pub enabled: Option<bool>,
}

/// Checks of the fields plans and packs share; each answers the cleaned value.
fn name(field: &str, value: &Option<String>) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some(v) if (1..=60).contains(&v.chars().count()) => Ok(Some(v.to_string())),
        Some(_) => Err(ApiError::validation(format!(
            "{field} must be 1 to 60 characters"
        ))),
    }
}

fn in_range(
    field: &str,
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
) -> ApiResult<()> {
    match value {
        Some(v) if !range.contains(&v) => Err(ApiError::validation(format!(
            "{field} must be between {} and {}",
            range.start(),
            range.end()
        ))),
        _ => Ok(()),
    }
}

fn currency(value: &Option<String>) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some(v) if v.len() == 3 && v.chars().all(|c| c.is_ascii_alphabetic()) => {
            Ok(Some(v.to_ascii_lowercase()))
        }
        Some(_) => Err(ApiError::validation(
            "currency must be a three-letter ISO code such as usd",
        )),
    }
}

#[utoipa::path(patch, path = "/api/v1/admin/plans/{id}", tag = "admin", request_body = UpdatePlan,
    params(("id" = String, Path, description = "free, pro, agency or enterprise")),
    responses((status = 200, body = PlanView), (status = 404, description = "no such plan"),
              (status = 422, description = "a value out of range")),
    security(("bearer" = [])))]
pub async fn update_plan(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<String>,
    Json(req): Json<UpdatePlan>,
) -> ApiResult<Json<PlanView>> {
    let plan = plan_id(&id)?;
    let (name_en, name_fa) = (
        name("name_en", &req.name_en)?,
        name("name_fa", &req.name_fa)?,
    );
    in_range("monthly_credits", req.monthly_credits, 0..=1_000_000)?;
    if plan.is_unlimited() && req.monthly_credits.is_some_and(|c| c != 0) {
        return Err(ApiError::validation(
            "enterprise is unlimited; it has no monthly credits",
        ));
    }
    in_range("price_cents", req.price_cents.flatten(), 0..=100_000_000)?;
    let currency = currency(&req.currency)?;
    let change = PlanChange {
        name_en: name_en.as_deref(),
        name_fa: name_fa.as_deref(),
        monthly_credits: req.monthly_credits,
        watermark: req.watermark,
        price_cents: req.price_cents,
        currency: currency.as_deref(),
        enabled: req.enabled,
    };
    let terms = state
        .db
        .update_plan(Actor::Admin(admin.0.id()), plan, &change)
        .await?;
    tracing::info!(admin = %admin.0.id(), plan = plan.as_str(), ?change, "plan changed");
    Ok(Json(PlanView::new(terms, state.settings.free_credits)))
}

#[utoipa::path(get, path = "/api/v1/admin/packs", tag = "admin",
    responses((status = 200, body = [PackView], description = "every pack, on sale or not")),
    security(("bearer" = [])))]
pub async fn admin_packs(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<Vec<PackView>>> {
    let packs = state.db.packs().await?;
    Ok(Json(packs.into_iter().map(PackView::from).collect()))
}

fn pack_missing(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("credit pack"),
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/packs/{id}", tag = "admin",
    params(("id" = String, Path, description = "e.g. starter, creator, studio")),
    responses((status = 200, body = PackView), (status = 404, description = "no such pack")),
    security(("bearer" = [])))]
pub async fn admin_pack(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PackView>> {
    let pack = state.db.pack(&id).await.map_err(pack_missing)?;
    Ok(Json(pack.into()))
}

#[utoipa::path(patch, path = "/api/v1/admin/packs/{id}", tag = "admin", request_body = UpdatePack,
    params(("id" = String, Path, description = "e.g. starter, creator, studio")),
    responses((status = 200, body = PackView), (status = 404, description = "no such pack"),
              (status = 422, description = "a value out of range")),
    security(("bearer" = [])))]
pub async fn update_pack(
    State(state): State<AppState>,
    admin: AdminUser,
    Path(id): Path<String>,
    Json(req): Json<UpdatePack>,
) -> ApiResult<Json<PackView>> {
    let (name_en, name_fa) = (
        name("name_en", &req.name_en)?,
        name("name_fa", &req.name_fa)?,
    );
    in_range("credits", req.credits, 1..=1_000_000)?;
    in_range("price_cents", req.price_cents, 1..=100_000_000)?;
    let currency = currency(&req.currency)?;
    let change = PackChange {
        name_en: name_en.as_deref(),
        name_fa: name_fa.as_deref(),
        credits: req.credits,
        price_cents: req.price_cents,
        currency: currency.as_deref(),
        enabled: req.enabled,
    };
    let pack = state
        .db
        .update_pack(Actor::Admin(admin.0.id()), &id, &change)
        .await
        .map_err(pack_missing)?;
    tracing::info!(admin = %admin.0.id(), pack = %pack.id, ?change, "credit pack changed");
    Ok(Json(pack.into()))
}
