//! The OpenAPI 3.1 description and a self-contained docs page that renders it (no CDN, so it
//! works offline and under a strict Content-Security-Policy).

use axum::{extract::State, http::header, response::IntoResponse, routing::get, Json, Router};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use crate::state::AppState;

mod responses;
use responses::CommonResponses;

#[derive(OpenApi)]
#[openapi(
    info(title = "Routix API", description = "AI YouTube thumbnails from a chat message."),
    paths(
        super::auth::register, super::auth::login, super::auth::refresh, super::auth::logout,
        super::account::verify, super::account::resend, super::account::forgot,
        super::account::reset, super::account::change_password,
        super::users::me, super::users::update_me, super::users::delete_me,
        super::brand::get_brand, super::brand::put_brand, super::brand::delete_logo,
        super::brand::delete_face,
        super::chat::list_conversations, super::chat::create_conversation,
        super::chat::get_conversation, super::chat::update_conversation,
        super::chat::delete_conversation, super::chat::list_messages, super::chat::post_message,
        super::chat::search::search, super::chat::export::export,
        super::files::upload, super::files::download,
        super::health::health, super::health::ready, super::health::metrics,
        super::credits::credits,
        super::algorithms::list, super::algorithms::admin_list, super::algorithms::update,
        super::generations::create, super::generations::list, super::generations::get_one,
        super::generations::cancel, super::generations::edit, super::generations::rate, super::generations::delete, super::generations::download,
        super::shares::favorite, super::shares::unfavorite, super::shares::share, super::shares::unshare,
        super::preview::preview, super::test_sets::create, super::test_sets::download,
        super::templates::list, super::templates::get_one, super::templates::preview,
        super::templates::match_templates, super::templates::analyze,
        super::admin::list_users, super::admin::update_user, super::admin::grant,
        super::admin::resend_verification,
        super::admin::list_generations, super::admin::providers,
        super::stats::stats, super::audit::list,
        super::broadcasts::create, super::broadcasts::end, super::broadcasts::active,
        super::bank::upload, super::bank::list, super::bank::get_one, super::bank::update,
        super::bank::delete, super::bank::search,
        super::billing::catalog, super::billing::checkout, super::billing::webhook,
        super::billing::admin_plans, super::billing::admin_plan, super::billing::update_plan,
        super::billing::admin_packs, super::billing::admin_pack, super::billing::update_pack,
        crate::ws::ticket, crate::ws::ws_doc,
        super::youtube::connect, super::youtube::callback, super::youtube::connection,
        super::youtube::disconnect, super::youtube::videos, super::youtube::publish,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &CommonResponses),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "users", description = "The signed-in user"),
        (name = "chat", description = "Conversations and messages"),
        (name = "files", description = "Reference-image uploads"),
        (name = "operations", description = "Health and metrics"),
        (name = "generations", description = "Thumbnails: queue, follow, gallery, download"),
        (name = "templates", description = "The template bank and matching"),
        (name = "analysis", description = "What a request is about"),
        (name = "billing", description = "Plans, credit packs and payments"),
        (name = "youtube", description = "Connect a YouTube channel and publish thumbnails to it"),
        (name = "admin", description = "Accounts, credits, plans, providers (admins only)"),
        (name = "websocket", description = "Live chat and progress (protocol in the README)"),
    )
)]
pub struct ApiDoc;

/// Every error: `{"error": {"code", "message", "details?"}}`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    code: String,
    message: String,
    details: Option<serde_json::Value>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/docs", get(docs_page))
        .route("/docs/docs.js", get(docs_js))
}

/// The description of this server: the template ids it names are the ones it has loaded.
async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    let mut doc = ApiDoc::openapi();
    let ids: Vec<String> = state
        .engine
        .templates
        .all()
        .iter()
        .map(|t| t.meta.id.to_string())
        .collect();
    responses::name_templates(&mut doc, &ids);
    Json(doc)
}

async fn docs_page() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("../../assets/docs.html"),
    )
}

async fn docs_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../assets/docs.js"),
    )
}
