//! The web UI: static assets compiled into the binary (no Node.js build to run it), served at
//! `/` with client-side routes falling back to `index.html`.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    sync::OnceLock,
};

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::{extract::Path, state::AppState};

const INDEX: &str = include_str!("../web/index.html");

/// `(name, bytes)` of one file under `web/`, served as `/assets/{name}`.
macro_rules! asset {
    ($file:literal) => {
        ($file, include_bytes!(concat!("../web/", $file)) as &[u8])
    };
    ($name:literal, $file:literal) => {
        ($name, include_bytes!(concat!("../web/", $file)) as &[u8])
    };
}

/// Every asset under `/assets/`; the content type follows from the extension.
const ASSETS: &[(&str, &[u8])] = &[
    asset!("app.js"),
    asset!("api.js"),
    asset!("dom.js"),
    asset!("i18n.js"),
    asset!("live.js"),
    asset!("generation.js"),
    asset!("auth.js"),
    asset!("chat.js"),
    asset!("gallery.js"),
    asset!("preview.js"),
    asset!("variants.js"),
    asset!("templates.js"),
    asset!("account.js"),
    asset!("brand.js"),
    asset!("email.js"),
    asset!("admin.js"),
    asset!("charts.js"),
    asset!("broadcasts.js"),
    asset!("admin-algorithms.js"),
    asset!("youtube.js"),
    asset!("app.css"),
    asset!("Vazirmatn-Regular.woff2", "fonts/Vazirmatn-Regular.woff2"),
    asset!("Vazirmatn-Bold.woff2", "fonts/Vazirmatn-Bold.woff2"),
    asset!("Vazirmatn-OFL.txt", "fonts/Vazirmatn-OFL.txt"),
];

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "text/plain; charset=utf-8",
    }
}

/// A strong validator per asset, computed once: browsers revalidate (`no-cache`) and get a
/// 304 while the binary is the same, and the new files as soon as it changes.
fn etag(index: usize) -> &'static HeaderValue {
    static TAGS: OnceLock<Vec<HeaderValue>> = OnceLock::new();
    &TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(_, bytes)| {
                let mut hasher = DefaultHasher::new();
                bytes.hash(&mut hasher);
                HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
                    .expect("hex is a valid header value")
            })
            .collect()
    })[index]
}

/// Client-side routes that load the app shell.
const PAGES: &[&str] = &[
    "/",
    "/login",
    "/register",
    "/chat",
    "/chat/{id}",
    "/gallery",
    "/preview/{id}",
    "/variants",
    "/templates",
    "/account",
    "/admin",
    "/verify",
    "/forgot",
    "/reset",
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

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|(n, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let tag = etag(index);
    let fresh = headers.get(header::IF_NONE_MATCH).is_some_and(|v| {
        v.as_bytes()
            .split(|b| *b == b',')
            .any(|t| t.trim_ascii() == tag.as_bytes())
    });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ASSETS[index].1.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::ETAG, tag.clone());
    response
}
