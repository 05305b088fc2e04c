//! Favourites and public share links of a creator's results. A share link is an unguessable
//! token (128 bits) naming one completed generation; its page (`/s/{token}`) needs no
//! sign-in and carries OpenGraph and Twitter card tags so the image unfurls where it is
//! pasted. Revoking a link makes the page 404 at once. A generation deleted while shared
//! keeps its images until the link is revoked.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Router,
};
use base64::Engine as _;
use rand::RngCore;
use routix_store::GenerationId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::ApiResult,
    extract::{Json, Path},
    routes::generations::{forget_stored, media_url, store_404, GenerationView},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/generations/{id}/favorite",
            post(favorite).delete(unfavorite),
        )
        .route("/generations/{id}/share", post(share).delete(unshare))
}

/// The public pages, outside `/api/v1`.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/s/page.css", get(stylesheet))
        .route("/s/{token}", get(page))
}

/// The share page's look (a file of its own: the site's policy allows no inline styles).
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

#[utoipa::path(post, path = "/api/v1/generations/{id}/favorite", tag = "generations",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = GenerationView, description = "kept among the favourites (`GET /generations?favorite=true`)"),
              (status = 404, description = "no such generation of yours")),
    security(("bearer" = [])))]
pub async fn favorite(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<Json<GenerationView>> {
    let g = state
        .db
        .set_favorite(user.id(), id, true)
        .await
        .map_err(store_404)?;
    Ok(Json(g.into()))
}

#[utoipa::path(delete, path = "/api/v1/generations/{id}/favorite", tag = "generations",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = GenerationView, description = "no longer a favourite"),
              (status = 404, description = "no such generation of yours")),
    security(("bearer" = [])))]
pub async fn unfavorite(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<Json<GenerationView>> {
    let g = state
        .db
        .set_favorite(user.id(), id, false)
        .await
        .map_err(store_404)?;
    Ok(Json(g.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShareLink {
    /// The public page, `/s/{token}` (relative to the site).
    pub url: String,
    /// The page's full address (`PUBLIC_URL` + `url`).
    pub absolute_url: String,
}

/// 16 random bytes, URL-safe base64 (22 characters).
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[utoipa::path(post, path = "/api/v1/generations/{id}/share", tag = "generations",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ShareLink, description = "the live link (the same one when shared again)"),
              (status = 404, description = "no such completed generation of yours")),
    security(("bearer" = [])))]
pub async fn share(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<Json<ShareLink>> {
    let token = state
        .db
        .share_generation(user.id(), id, &new_token())
        .await
        .map_err(store_404)?;
    let url = format!("/s/{token}");
    Ok(Json(ShareLink {
        absolute_url: format!("{}{url}", state.settings.mail.public_url),
        url,
    }))
}

#[utoipa::path(delete, path = "/api/v1/generations/{id}/share", tag = "generations",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "revoked: the page answers 404 from now on"),
              (status = 404, description = "no live link of yours for it")),
    security(("bearer" = [])))]
pub async fn unshare(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
) -> ApiResult<StatusCode> {
    let g = state
        .db
        .revoke_share(user.id(), id)
        .await
        .map_err(store_404)?;
    // A generation deleted while shared kept its images for the link; now they can go (a
    // live generation still uses them, so nothing of it is touched).
    forget_stored(&state, &g).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The public page of a live link.
async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let gone = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            Html(
                SHELL
                    .replace(
                        "{body}",
                        "<p class=\"gone\">This link was removed or never existed.</p>",
                    )
                    .replace("{head}", "<title>Not found · Routix</title>"),
            ),
        )
            .into_response()
    };
    // Tokens are 22 URL-safe characters; anything else is not one of ours.
    if token.len() != 22
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return gone();
    }
    let shared = match state.db.shared(&token).await {
        Ok(s) => s,
        Err(routix_store::StoreError::NotFound) => return gone(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let g = &shared.generation;
    let Some(result) = g.result_key.as_deref() else {
        return gone();
    };
    let base = &state.settings.mail.public_url;
    let image = format!("{base}{}", media_url(result));
    let headline = g
        .details
        .as_ref()
        .and_then(|d| d.get("headline"))
        .and_then(|h| h.as_str())
        .filter(|h| !h.trim().is_empty());
    let title = headline.unwrap_or(&g.prompt);
    let title: String = title.chars().take(100).collect();
    let description: String = g.prompt.chars().take(200).collect();
    let e = crate::mail::compose::escape;
    let head = format!(
        "<title>{t} · Routix</title>\n\
         <meta name=\"description\" content=\"{d}\">\n\
         <meta property=\"og:type\" content=\"website\">\n\
         <meta property=\"og:site_name\" content=\"Routix\">\n\
         <meta property=\"og:title\" content=\"{t}\">\n\
         <meta property=\"og:description\" content=\"{d}\">\n\
         <meta property=\"og:url\" content=\"{u}\">\n\
         <meta property=\"og:image\" content=\"{i}\">\n\
         <meta property=\"og:image:width\" content=\"{w}\">\n\
         <meta property=\"og:image:height\" content=\"{h}\">\n\
         <meta name=\"twitter:card\" content=\"summary_large_image\">\n\
         <meta name=\"twitter:title\" content=\"{t}\">\n\
         <meta name=\"twitter:image\" content=\"{i}\">",
        t = e(&title),
        d = e(&description),
        u = e(&format!("{base}/s/{token}")),
        i = e(&image),
        w = g.width.unwrap_or(1280),
        h = g.height.unwrap_or(720),
    );
    let body = format!(
        "<main><img src=\"{src}\" alt=\"{t}\" width=\"{w}\" height=\"{h}\">\n\
         <h1 dir=\"auto\">{t}</h1>\n\
         <p class=\"made\">Made with <a href=\"/\">Routix</a></p></main>",
        src = e(&media_url(result)),
        t = e(&title),
        w = g.width.unwrap_or(1280),
        h = g.height.unwrap_or(720),
    );
    // Revalidated on every visit, so a revoked link stops working at once, caches included.
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Html(SHELL.replace("{head}", &head).replace("{body}", &body)),
    )
        .into_response()
}

/// A page of its own: no script, the image first.
const SHELL: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{head}\n\
<link rel=\"stylesheet\" href=\"/s/page.css\">\n</head>\n<body>\n{body}\n</body>\n</html>\n";

const STYLE: &str =
    "body{margin:0;background:#0f1115;color:#e8eaf0;font:16px/1.5 system-ui,sans-serif}\n\
main{max-width:960px;margin:0 auto;padding:24px}\n\
img{width:100%;height:auto;border-radius:12px;display:block;box-shadow:0 8px 30px #0008}\n\
h1{font-size:1.4rem;margin:16px 0 4px}\n.made,.gone{color:#9aa3b2}\na{color:#8ab4ff}\n\
.gone{padding:48px 24px;text-align:center}\n";
