//! Publishing to YouTube against a local fake that speaks Google's OAuth 2.0 token and revoke
//! endpoints and the YouTube Data API v3 as documented: form-encoded token requests checked
//! field by field, PKCE S256 verified against the challenge of the consent URL, Bearer tokens
//! that expire or get revoked, uploads checked for content type and size, and Google's error
//! bodies (`{"error":{"code","message","errors":[{"reason"}]}}`) for every failure mapped.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use reqwest::{redirect::Policy, Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wiremock::{
    matchers::{method, path},
    Mock, MockServer, Request, Respond, ResponseTemplate,
};

use crate::helpers::{error_code, generated, Backend, TestApp};

const CLIENT_ID: &str = "routix-test.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "GOCSPX-client-secret-never-shown";
const REFRESH_TOKEN: &str = "1//refresh-token-never-stored-in-clear";
const CHANNEL: &str = "UCfakechannel00000000000";
const UPLOADS: &str = "UUfakechannel00000000000";
const VIDEOS: [&str; 3] = ["dQw4w9WgXcQ", "9bZkp7q19f0", "kJQP7kiw5Fk"];
const UPLOAD_SCOPE: &str = "https://www.googleapis.com/auth/youtube.upload";
const READONLY_SCOPE: &str = "https://www.googleapis.com/auth/youtube.readonly";

/// One thumbnail the fake received.
#[derive(Debug, Clone)]
struct Upload {
    video_id: String,
    content_type: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct Google {
    /// Codes issued at the consent screen: the PKCE challenge and redirect URI they were
    /// asked with.
    codes: HashMap<String, (String, String)>,
    access_tokens: HashSet<String>,
    refresh_valid: bool,
    issued: u32,
    /// `expires_in` of the next tokens.
    expires_in: i64,
    /// Scope granted at the consent screen.
    granted_scope: Option<String>,
    refreshes: u32,
    revoked: Vec<String>,
    uploads: Vec<Upload>,
    /// Every token-endpoint form, for checks on what was sent.
    token_forms: Vec<HashMap<String, String>>,
}

#[derive(Clone)]
struct FakeGoogle {
    server: Arc<MockServer>,
    state: Arc<Mutex<Google>>,
}

#[derive(Clone, Copy)]
enum Endpoint {
    Token,
    Revoke,
    Api,
}

#[derive(Clone)]
struct Responder(Endpoint, Arc<Mutex<Google>>);

fn oauth_error(status: u16, error: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": error, "error_description": "Bad Request"}))
}

/// Google's API error body.
fn api_error(status: u16, reason: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.thumbnail", "reason": reason}]
        }
    }))
}

fn form(req: &Request) -> Option<HashMap<String, String>> {
    let ct = req.headers.get("content-type")?.to_str().ok()?;
    if !ct.starts_with("application/x-www-form-urlencoded") {
        return None;
    }
    serde_urlencoded::from_bytes(&req.body).ok()
}

fn query(req: &Request) -> HashMap<String, String> {
    req.url.query_pairs().into_owned().collect()
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Google {
    fn issue(&mut self, with_refresh: bool) -> Value {
        self.issued += 1;
        let access = format!("ya29.access-{}", self.issued);
        self.access_tokens.insert(access.clone());
        let scope = self
            .granted_scope
            .clone()
            .unwrap_or_else(|| format!("{UPLOAD_SCOPE} {READONLY_SCOPE}"));
        let mut body = json!({
            "access_token": access,
            "expires_in": self.expires_in,
            "scope": scope,
            "token_type": "Bearer"
        });
        if with_refresh {
            self.refresh_valid = true;
            body["refresh_token"] = json!(REFRESH_TOKEN);
        }
        body
    }

    fn token(&mut self, req: &Request) -> ResponseTemplate {
        let Some(f) = form(req) else {
            return oauth_error(400, "invalid_request");
        };
        self.token_forms.push(f.clone());
        let field = |k: &str| f.get(k).map(String::as_str);
        if field("client_id") != Some(CLIENT_ID) || field("client_secret") != Some(CLIENT_SECRET) {
            return oauth_error(401, "invalid_client");
        }
        match field("grant_type") {
            Some("authorization_code") => {
                let (Some(code), Some(verifier), Some(redirect)) =
                    (field("code"), field("code_verifier"), field("redirect_uri"))
                else {
                    return oauth_error(400, "invalid_request");
                };
                match self.codes.remove(code) {
                    Some((challenge, uri)) if challenge == s256(verifier) && uri == redirect => {
                        ResponseTemplate::new(200).set_body_json(self.issue(true))
                    }
                    _ => oauth_error(400, "invalid_grant"),
                }
            }
            Some("refresh_token") => {
                if self.refresh_valid && field("refresh_token") == Some(REFRESH_TOKEN) {
                    self.refreshes += 1;
                    ResponseTemplate::new(200).set_body_json(self.issue(false))
                } else {
                    oauth_error(400, "invalid_grant")
                }
            }
            _ => oauth_error(400, "unsupported_grant_type"),
        }
    }

    fn revoke(&mut self, req: &Request) -> ResponseTemplate {
        let Some(token) = form(req).and_then(|f| f.get("token").cloned()) else {
            return oauth_error(400, "invalid_request");
        };
        if token == REFRESH_TOKEN && self.refresh_valid {
            // Revoking the refresh token ends the grant: its access tokens too.
            self.refresh_valid = false;
            self.access_tokens.clear();
            self.revoked.push(token);
            ResponseTemplate::new(200).set_body_json(json!({}))
        } else {
            oauth_error(400, "invalid_token")
        }
    }

    fn api(&mut self, req: &Request) -> ResponseTemplate {
        let bearer = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !bearer.is_some_and(|t| self.access_tokens.contains(t)) {
            return ResponseTemplate::new(401).set_body_json(json!({"error": {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "errors": [{"message": "Invalid Credentials", "domain": "global",
                            "reason": "authError", "location": "Authorization",
                            "locationType": "header"}],
                "status": "UNAUTHENTICATED"
            }}));
        }
        let q = query(req);
        let param = |k: &str| q.get(k).map(String::as_str);
        match req.url.path() {
            "/youtube/v3/channels" => {
                let parts: Vec<&str> = param("part").unwrap_or("").split(',').collect();
                if param("mine") != Some("true") || !parts.contains(&"contentDetails") {
                    return api_error(400, "missingRequiredParameter", "No filter selected.");
                }
                ResponseTemplate::new(200).set_body_json(json!({
                    "kind": "youtube#channelListResponse",
                    "etag": "x",
                    "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
                    "items": [{
                        "kind": "youtube#channel",
                        "etag": "y",
                        "id": CHANNEL,
                        "snippet": {"title": "Routix Test Channel", "description": ""},
                        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": UPLOADS}}
                    }]
                }))
            }
            "/youtube/v3/playlistItems" => {
                if param("part") != Some("snippet") || param("playlistId") != Some(UPLOADS) {
                    return api_error(404, "playlistNotFound", "Playlist not found.");
                }
                let max: usize = param("maxResults")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(5);
                let items: Vec<Value> = VIDEOS
                    .iter()
                    .take(max)
                    .enumerate()
                    .map(|(i, id)| {
                        json!({
                            "kind": "youtube#playlistItem",
                            "id": format!("item{i}"),
                            "snippet": {
                                "publishedAt": format!("2026-11-0{}T10:00:00Z", 3 - i),
                                "channelId": CHANNEL,
                                "title": format!("Video number {i}"),
                                "thumbnails": {
                                    "default": {"url": format!("https://i.ytimg.com/vi/{id}/default.jpg"), "width": 120, "height": 90},
                                    "medium": {"url": format!("https://i.ytimg.com/vi/{id}/mqdefault.jpg"), "width": 320, "height": 180}
                                },
                                "playlistId": UPLOADS,
                                "position": i,
                                "resourceId": {"kind": "youtube#video", "videoId": id}
                            }
                        })
                    })
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({
                    "kind": "youtube#playlistItemListResponse",
                    "items": items,
                    "pageInfo": {"totalResults": VIDEOS.len(), "resultsPerPage": max}
                }))
            }
            "/upload/youtube/v3/thumbnails/set" => {
                let content_type = req
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                if param("uploadType") != Some("media") {
                    return api_error(400, "badRequest", "Media upload expected.");
                }
                if !["image/jpeg", "image/png", "application/octet-stream"]
                    .contains(&content_type.as_str())
                    || req.body.is_empty()
                {
                    return api_error(
                        400,
                        "mediaBodyRequired",
                        "The request does not include the image content.",
                    );
                }
                if req.body.len() > 2 * 1024 * 1024 {
                    return api_error(413, "mediaBodyTooLarge", "Media larger than 2MB.");
                }
                let video = param("videoId").unwrap_or("").to_string();
                if !VIDEOS.contains(&video.as_str()) {
                    return api_error(
                        404,
                        "videoNotFound",
                        "The video that you are trying to update cannot be found.",
                    );
                }
                self.uploads.push(Upload {
                    video_id: video.clone(),
                    content_type,
                    bytes: req.body.clone(),
                });
                ResponseTemplate::new(200).set_body_json(json!({
                    "kind": "youtube#thumbnailSetResponse",
                    "etag": "z",
                    "items": [{"default": {"url": format!("https://i.ytimg.com/vi/{video}/default.jpg"), "width": 120, "height": 90}}]
                }))
            }
            _ => ResponseTemplate::new(404),
        }
    }
}

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut google = self.1.lock().unwrap();
        match self.0 {
            Endpoint::Token => google.token(req),
            Endpoint::Revoke => google.revoke(req),
            Endpoint::Api => google.api(req),
        }
    }
}

impl FakeGoogle {
    async fn start() -> FakeGoogle {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(Google {
            expires_in: 3599,
            ..Google::default()
        }));
        for (verb, route, endpoint) in [
            ("POST", "/token", Endpoint::Token),
            ("POST", "/revoke", Endpoint::Revoke),
            ("GET", "/youtube/v3/channels", Endpoint::Api),
            ("GET", "/youtube/v3/playlistItems", Endpoint::Api),
            ("POST", "/upload/youtube/v3/thumbnails/set", Endpoint::Api),
        ] {
            Mock::given(method(verb))
                .and(path(route))
                .respond_with(Responder(endpoint, state.clone()))
                .mount(&server)
                .await;
        }
        FakeGoogle {
            server: Arc::new(server),
            state,
        }
    }

    fn vars(&self) -> Vec<(&'static str, String)> {
        let uri = self.server.uri();
        vec![
            ("GOOGLE_CLIENT_ID", CLIENT_ID.into()),
            ("GOOGLE_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("GOOGLE_AUTH_URL", format!("{uri}/o/oauth2/v2/auth")),
            ("GOOGLE_TOKEN_URL", format!("{uri}/token")),
            ("GOOGLE_REVOKE_URL", format!("{uri}/revoke")),
            ("YOUTUBE_API_BASE", uri),
            ("PUBLIC_URL", "http://thumbs.test".into()),
        ]
    }

    fn google(&self) -> std::sync::MutexGuard<'_, Google> {
        self.state.lock().unwrap()
    }

    /// The consent screen: checks the URL as Google would and issues a code for it.
    /// Answers (code, state).
    fn consent(&self, url: &str) -> (String, String) {
        let url = reqwest::Url::parse(url).unwrap();
        assert_eq!(
            url.as_str().split('?').next().unwrap(),
            format!("{}/o/oauth2/v2/auth", self.server.uri())
        );
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["access_type"], "offline");
        assert_eq!(
            q["redirect_uri"],
            "http://thumbs.test/api/v1/youtube/callback"
        );
        let scopes: Vec<&str> = q["scope"].split(' ').collect();
        assert!(
            scopes.contains(&UPLOAD_SCOPE) && scopes.contains(&READONLY_SCOPE),
            "{scopes:?}"
        );
        assert_eq!(q["code_challenge"].len(), 43, "base64url of a SHA-256");
        assert!(q["state"].len() >= 32, "an unguessable state");
        let mut google = self.google();
        let code = format!("4/code-{}", google.codes.len() + 1);
        google.codes.insert(
            code.clone(),
            (q["code_challenge"].clone(), q["redirect_uri"].clone()),
        );
        (code, q["state"].clone())
    }
}

macro_rules! with_google {
    ($(async fn $name:ident($app:ident, $fake:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($app: TestApp, $fake: FakeGoogle) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let fake = FakeGoogle::start().await;
                let vars = fake.vars();
                let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                body(TestApp::spawn(Backend::Sqlite, &vars).await, fake).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let fake = FakeGoogle::start().await;
                let vars = fake.vars();
                let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                if let Some(app) = TestApp::postgres_with(&vars).await {
                    body(app, fake).await
                }
            }
        }
    )*};
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// `GET /youtube/callback?…` as the browser makes it; answers the redirect's target.
async fn callback(app: &TestApp, query: &[(&str, &str)]) -> String {
    let res = no_redirects()
        .get(app.url("/api/v1/youtube/callback"))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().unwrap().to_string()
}

async fn connect_url(app: &TestApp, token: &str) -> String {
    let res = app.get("/api/v1/youtube/connect", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["url"].as_str().unwrap().to_string()
}

/// A signed-up user with a connected channel; answers the access token.
async fn connected(app: &TestApp, fake: &FakeGoogle, email: &str) -> String {
    let token = app.token_for(email).await;
    let (code, state) = fake.consent(&connect_url(app, &token).await);
    let to = callback(app, &[("code", &code), ("state", &state)]).await;
    assert_eq!(to, "/account?youtube=connected");
    token
}

async fn user_id(app: &TestApp, token: &str) -> routix_store::UserId {
    let me: Value = app
        .get("/api/v1/users/me", Some(token))
        .await
        .json()
        .await
        .unwrap();
    me["id"].as_str().unwrap().parse().unwrap()
}

async fn publish(app: &TestApp, token: &str, generation: &str, body: Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/generations/{generation}/publish"),
        Some(token),
        body,
    )
    .await
}

async fn finished_generation(app: &TestApp, token: &str, format: &str) -> Value {
    generated(
        app,
        token,
        json!({"prompt": "gaming video, red and black, text: NEW SEASON", "algorithm": "basic", "format": format}),
    )
    .await
}

with_google! {
    async fn connects_with_pkce_and_seals_the_refresh_token(app, fake) {
        let token = connected(&app, &fake, "yt@example.com").await;
        {
            let google = fake.google();
            let exchange = &google.token_forms[0];
            assert_eq!(exchange["grant_type"], "authorization_code");
            assert_eq!(exchange["redirect_uri"], "http://thumbs.test/api/v1/youtube/callback");
        }
        let res = app.get("/api/v1/youtube/connection", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let c: Value = res.json().await.unwrap();
        assert_eq!(c["channel_id"], CHANNEL);
        assert_eq!(c["channel_title"], "Routix Test Channel");
        assert_eq!(c["needs_reconnect"], false);

        let row = app
            .state_db()
            .youtube_connection(user_id(&app, &token).await)
            .await
            .unwrap();
        assert!(!row.refresh_token_sealed.contains(REFRESH_TOKEN));
        assert!(row.refresh_token_sealed.starts_with("v1."));
        let access = row.access_token_sealed.clone().unwrap();
        assert!(!access.contains("ya29."));
        let key = app.state.settings.data_key.clone().unwrap();
        let opened = key
            .open(&format!("youtube.refresh_token:{}", row.user_id), &row.refresh_token_sealed)
            .unwrap();
        assert_eq!(opened, REFRESH_TOKEN);
        // Development without DATA_ENCRYPTION_KEY: the key lives in the data dir.
        assert!(app.data_dir.path().join("data_encryption_key").exists());
    }

    async fn a_state_is_single_use_bound_to_its_verifier_and_expires(app, fake) {
        let token = app.token_for("states@example.com").await;
        // Two attempts: Google's code for the first, the second's state. The verifier sent
        // is the second's, which does not match the first's challenge.
        let (code_a, state_a) = fake.consent(&connect_url(&app, &token).await);
        let (_code_b, state_b) = fake.consent(&connect_url(&app, &token).await);
        let to = callback(&app, &[("code", &code_a), ("state", &state_b)]).await;
        assert_eq!(to, "/account?youtube=error&reason=failed");
        assert_eq!(
            fake.google().token_forms.len(),
            1,
            "the exchange was tried, and refused by the fake's PKCE check"
        );
        let (code_c, state_c) = fake.consent(&connect_url(&app, &token).await);
        assert_eq!(
            callback(&app, &[("code", &code_c), ("state", &state_c)]).await,
            "/account?youtube=connected"
        );
        assert_eq!(
            callback(&app, &[("code", &code_c), ("state", &state_c)]).await,
            "/account?youtube=error&reason=expired",
            "a state is good once"
        );
        assert_eq!(
            callback(&app, &[("code", "4/x"), ("state", "made-up-state")]).await,
            "/account?youtube=error&reason=expired"
        );
        assert_eq!(
            callback(&app, &[("code", "4/x")]).await,
            "/account?youtube=error&reason=invalid_request"
        );
        assert_eq!(
            callback(&app, &[("error", "access_denied"), ("state", &state_a)]).await,
            "/account?youtube=error&reason=denied"
        );
        assert_eq!(
            callback(&app, &[("code", &code_a), ("state", &state_a)]).await,
            "/account?youtube=error&reason=expired",
            "a denied attempt's state is spent"
        );
        // A state past its ten minutes.
        let user = user_id(&app, &token).await;
        let stale = "stale-state-0123456789-0123456789";
        let hash = hex::encode(Sha256::digest(stale.as_bytes()));
        app.state_db()
            .save_oauth_state(&hash, user, "v1.x", "http://thumbs.test/api/v1/youtube/callback",
                chrono::Utc::now() - chrono::TimeDelta::minutes(1))
            .await
            .unwrap();
        assert_eq!(
            callback(&app, &[("code", "4/x"), ("state", stale)]).await,
            "/account?youtube=error&reason=expired"
        );
    }

    async fn a_grant_without_the_upload_scope_is_revoked_not_kept(app, fake) {
        fake.google().granted_scope = Some(READONLY_SCOPE.into());
        let token = app.token_for("scope@example.com").await;
        let (code, state) = fake.consent(&connect_url(&app, &token).await);
        assert_eq!(
            callback(&app, &[("code", &code), ("state", &state)]).await,
            "/account?youtube=error&reason=scope"
        );
        assert_eq!(fake.google().revoked, vec![REFRESH_TOKEN.to_string()]);
        let res = app.get("/api/v1/youtube/connection", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    async fn lists_the_channels_recent_uploads(app, fake) {
        let token = connected(&app, &fake, "list@example.com").await;
        let res = app.get("/api/v1/youtube/videos?limit=2", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["channel_id"], CHANNEL);
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["id"], VIDEOS[0]);
        assert_eq!(items[0]["title"], "Video number 0");
        assert_eq!(
            items[0]["thumbnail_url"],
            format!("https://i.ytimg.com/vi/{}/mqdefault.jpg", VIDEOS[0])
        );
        for bad in ["0", "51", "many"] {
            let res = app
                .get(&format!("/api/v1/youtube/videos?limit={bad}"), Some(&token))
                .await;
            assert!(res.status().is_client_error(), "{bad}: {}", res.status());
        }
        assert_eq!(fake.google().refreshes, 0, "the stored access token was still good");
    }

    async fn refreshes_an_expired_access_token_before_calling(app, fake) {
        // Tokens that live 30 s are inside the refresh margin from the start.
        fake.google().expires_in = 30;
        let token = connected(&app, &fake, "expired@example.com").await;
        let res = app.get("/api/v1/youtube/videos", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let google = fake.google();
        assert!(google.refreshes >= 1);
        let refresh = google
            .token_forms
            .iter()
            .find(|f| f["grant_type"] == "refresh_token")
            .unwrap();
        assert_eq!(refresh["refresh_token"], REFRESH_TOKEN);
        assert_eq!(refresh["client_id"], CLIENT_ID);
        assert_eq!(refresh["client_secret"], CLIENT_SECRET);
    }

    async fn refreshes_and_retries_when_youtube_refuses_the_access_token(app, fake) {
        let token = connected(&app, &fake, "refused@example.com").await;
        fake.google().access_tokens.clear();
        let res = app.get("/api/v1/youtube/videos", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(fake.google().refreshes, 1);
    }

    async fn publishes_the_results_bytes_and_records_it(app, fake) {
        let token = connected(&app, &fake, "publish@example.com").await;
        let g = finished_generation(&app, &token, "jpeg").await;
        let id = g["id"].as_str().unwrap();
        let res = publish(&app, &token, id, json!({"video_id": VIDEOS[1]})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["video_id"], VIDEOS[1]);
        assert_eq!(p["variant"], 0);
        let stored = app
            .get(&format!("/api/v1/generations/{id}/download"), Some(&token))
            .await
            .bytes()
            .await
            .unwrap();
        {
            let google = fake.google();
            assert_eq!(google.uploads.len(), 1);
            let up = &google.uploads[0];
            assert_eq!(up.video_id, VIDEOS[1]);
            assert_eq!(up.content_type, "image/jpeg");
            assert_eq!(up.bytes, stored.to_vec(), "the stored result, byte for byte");
        }
        let g: Value = app
            .get(&format!("/api/v1/generations/{id}"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(g["published"][0]["video_id"], VIDEOS[1]);
        assert!(g["published"][0]["at"].is_string());
        // Another user's generation is not theirs to publish.
        let other = connected(&app, &fake, "other@example.com").await;
        let res = publish(&app, &other, id, json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(fake.google().uploads.len(), 1);
    }

    async fn re_encodes_a_large_png_as_jpeg_under_two_megabytes(app, fake) {
        let token = connected(&app, &fake, "big@example.com").await;
        let g = finished_generation(&app, &token, "png").await;
        let id = g["id"].as_str().unwrap();
        // Noise does not compress: a 1280x720 PNG of it is ~2.7 MB.
        let key = g["result_url"].as_str().unwrap().trim_start_matches("/uploads/").to_string();
        let mut img = image::RgbImage::new(1280, 720);
        let mut seed = 0x2545_f491_u32;
        for p in img.pixels_mut() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *p = image::Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8]);
        }
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        assert!(png.len() > 2 * 1024 * 1024);
        app.state.blobs.put(&key, png.into()).await.unwrap();

        let res = publish(&app, &token, id, json!({"video_id": VIDEOS[2]})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let google = fake.google();
        let up = &google.uploads[0];
        assert_eq!(up.content_type, "image/jpeg");
        assert!(up.bytes.len() <= 2 * 1024 * 1024, "{} bytes", up.bytes.len());
        let sent = image::load_from_memory(&up.bytes).unwrap();
        assert_eq!((sent.width(), sent.height()), (1280, 720));
    }

    async fn maps_every_youtube_refusal_to_a_clear_error(app, fake) {
        let token = connected(&app, &fake, "errors@example.com").await;
        let g = finished_generation(&app, &token, "jpeg").await;
        let id = g["id"].as_str().unwrap();
        let cases = [
            (api_error(403, "forbidden", "The authenticated user doesn't have permissions to upload and set custom video thumbnails."),
             StatusCode::FORBIDDEN, "youtube_forbidden"),
            (api_error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota."),
             StatusCode::SERVICE_UNAVAILABLE, "youtube_quota_exceeded"),
            (api_error(429, "uploadRateLimitExceeded", "The user has sent too many thumbnail upload requests recently."),
             StatusCode::TOO_MANY_REQUESTS, "youtube_rate_limited"),
            (api_error(400, "invalidImage", "The provided image content is invalid."),
             StatusCode::BAD_GATEWAY, "youtube_error"),
            (ResponseTemplate::new(503).set_body_string("backend error"),
             StatusCode::SERVICE_UNAVAILABLE, "youtube_unavailable"),
        ];
        for (answer, status, code) in cases {
            Mock::given(method("POST"))
                .and(path("/upload/youtube/v3/thumbnails/set"))
                .respond_with(answer)
                .with_priority(1)
                .up_to_n_times(1)
                .mount(&fake.server)
                .await;
            let res = publish(&app, &token, id, json!({"video_id": VIDEOS[0]})).await;
            assert_eq!(res.status(), status, "{code}");
            if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
                assert!(res.headers().contains_key("retry-after"), "{code}");
            }
            let body = res.text().await.unwrap();
            assert!(body.contains(code), "{body}");
            assert!(!body.contains("ya29.") && !body.contains(REFRESH_TOKEN), "{body}");
        }
        // The fake's own answer for an unknown video.
        let res = publish(&app, &token, id, json!({"video_id": "AAAAAAAAAAA"})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(error_code(res).await, "video_not_found");
        // Quota on the listing too.
        Mock::given(method("GET"))
            .and(path("/youtube/v3/channels"))
            .respond_with(api_error(403, "quotaExceeded", "quota"))
            .with_priority(1)
            .up_to_n_times(1)
            .mount(&fake.server)
            .await;
        let res = app.get("/api/v1/youtube/videos", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(fake.google().uploads.is_empty());
        let g: Value = app
            .get(&format!("/api/v1/generations/{id}"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(g["published"], json!([]), "nothing recorded for failed publishes");
    }

    async fn a_revoked_grant_asks_to_reconnect(app, fake) {
        let token = connected(&app, &fake, "revoked@example.com").await;
        let g = finished_generation(&app, &token, "jpeg").await;
        let id = g["id"].as_str().unwrap();
        {
            // The user removed Routix's access in their Google account.
            let mut google = fake.google();
            google.refresh_valid = false;
            google.access_tokens.clear();
        }
        let res = publish(&app, &token, id, json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "youtube_reconnect");
        assert!(body["error"]["message"].as_str().unwrap().contains("reconnect"));
        let c: Value = app
            .get("/api/v1/youtube/connection", Some(&token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(c["needs_reconnect"], true);
        let forms = fake.google().token_forms.len();
        let res = app.get("/api/v1/youtube/videos", Some(&token)).await;
        assert_eq!(error_code(res).await, "youtube_reconnect");
        assert_eq!(fake.google().token_forms.len(), forms, "no retry of a dead grant");
        // Connecting again heals it.
        let (code, state) = fake.consent(&connect_url(&app, &token).await);
        assert_eq!(
            callback(&app, &[("code", &code), ("state", &state)]).await,
            "/account?youtube=connected"
        );
        let res = publish(&app, &token, id, json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    async fn disconnect_revokes_at_google_and_forgets_the_channel(app, fake) {
        let token = connected(&app, &fake, "bye@example.com").await;
        Mock::given(method("POST"))
            .and(path("/revoke"))
            .respond_with(ResponseTemplate::new(503))
            .with_priority(1)
            .up_to_n_times(1)
            .mount(&fake.server)
            .await;
        let res = app.request(Method::DELETE, "/api/v1/youtube/connection", Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "kept until Google confirms");
        let res = app.get("/api/v1/youtube/connection", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK);

        let res = app.request(Method::DELETE, "/api/v1/youtube/connection", Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(fake.google().revoked, vec![REFRESH_TOKEN.to_string()]);
        let res = app.get("/api/v1/youtube/connection", Some(&token)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.request(Method::DELETE, "/api/v1/youtube/connection", Some(&token)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.get("/api/v1/youtube/videos", Some(&token)).await;
        assert_eq!(error_code(res).await, "youtube_not_connected");
    }

    async fn rejects_bad_publish_requests(app, fake) {
        let token = app.token_for("bad@example.com").await;
        let g = finished_generation(&app, &token, "jpeg").await;
        let id = g["id"].as_str().unwrap();
        let res = publish(&app, &token, id, json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(error_code(res).await, "youtube_not_connected");
        let token = {
            let (code, state) = fake.consent(&connect_url(&app, &token).await);
            assert_eq!(callback(&app, &[("code", &code), ("state", &state)]).await, "/account?youtube=connected");
            token
        };
        for body in [json!({"video_id": "short"}), json!({"video_id": "has spaces!"}), json!({"video_id": VIDEOS[0], "variant": 3})] {
            let res = publish(&app, &token, id, body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let res = publish(&app, &token, id, json!({})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let missing = uuid::Uuid::now_v7();
        let res = publish(&app, &token, &missing.to_string(), json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = publish(&app, "not-a-token", id, json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(fake.google().uploads.is_empty());
    }
}

crate::both! {
    async fn answers_503_when_google_is_not_configured(app) {
        let token = app.token_for("nocfg@example.com").await;
        for path in ["/api/v1/youtube/connect", "/api/v1/youtube/videos", "/api/v1/youtube/connection", "/api/v1/youtube/callback?code=x&state=y"] {
            let res = app.get(path, Some(&token)).await;
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert_eq!(error_code(res).await, "youtube_not_configured", "{path}");
        }
        let res = publish(&app, &token, &uuid::Uuid::now_v7().to_string(), json!({"video_id": VIDEOS[0]})).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
