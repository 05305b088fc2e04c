//! The web UI: static assets compiled into the binary (no Node.js build to run it), served at
//! `/` with client-side routes falling back to `index.html`.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::{extract::Path, state::AppState};

const INDEX: &str = include_str!("../web/index.html");

/// (name, content type, bytes) of every asset under `/assets/`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../web/app.js"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../web/api.js"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../web/i18n.js"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../web/live.js"),
    ),
    (
        "views.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../web/views.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../web/app.css"),
    ),
    (
        "Vazirmatn-Regular.woff2",
        "font/woff2",
        include_bytes!("../web/fonts/Vazirmatn-Regular.woff2"),
    ),
    (
        "Vazirmatn-Bold.woff2",
        "font/woff2",
        include_bytes!("../web/fonts/Vazirmatn-Bold.woff2"),
    ),
];

/// Client-side routes that load the app shell.
const PAGES: &[&str] = &[
    "/",
    "/login",
    "/register",
    "/chat",
    "/chat/{id}",
    "/gallery",
    "/templates",
    "/account",
    "/admin",
];

pub fn router() -> Router<AppState> {
    let mut r = Router::new().route("/assets/{name}", get(asset));
    for page in PAGES {
        r = r.route(page, get(index));
    }
    r
}

async fn index() -> Response {
    let mut response = INDEX.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, bytes)) => {
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
