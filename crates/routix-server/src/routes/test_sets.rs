//! Test & Compare: three results a creator wants to test against each other (YouTube's
//! thumbnail test takes three), downloaded as one zip — `A.jpg`, `B.jpg`, `C.jpg` (1280x720
//! JPEG, at most 2 MB each) and `README.txt` saying what differs between them. A set keeps
//! only the picks; the zip is made from the results' stored images on each download, so a
//! result deleted since makes the set 404.

use std::io::{Cursor, Write};

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use chrono::{DateTime, Utc};
use image::DynamicImage;
use routix_core::Rgb;
use routix_store::TestSetId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Json, Path},
    picks::{self, Pick, PickInput, Picked},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/test-sets", post(create))
        .route("/test-sets/{id}/download", get(download))
}

/// How many results a set holds, and their names in the zip.
pub const LETTERS: [&str; 3] = ["A", "B", "C"];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTestSet {
    /// Exactly three different finished results of yours, in the order A, B, C. Each is a
    /// generation id (its image), `"{generation_id}:{variant}"` (variant 0 being the image
    /// itself) or `{"generation_id": "...", "variant": 1}`.
    #[schema(min_items = 3, max_items = 3)]
    pub generation_ids: Vec<PickInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestSetItem {
    /// `A.jpg`, `B.jpg` or `C.jpg`.
    pub file: String,
    #[schema(value_type = uuid::Uuid)]
    pub generation_id: routix_store::GenerationId,
    pub variant: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestSetView {
    #[schema(value_type = uuid::Uuid)]
    pub id: TestSetId,
    /// Downloads the zip (signed in as the set's owner).
    pub url: String,
    pub items: Vec<TestSetItem>,
    pub created_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/test-sets", tag = "generations", request_body = CreateTestSet,
    responses((status = 201, body = TestSetView, description = "made; `url` downloads the zip"),
              (status = 400, description = "malformed JSON"),
              (status = 401, description = "not signed in"),
              (status = 404, description = "a generation that is not yours or does not exist, or a variant it does not have"),
              (status = 415, description = "not JSON"),
              (status = 409, description = "`not_finished`: one of them has no finished image yet"),
              (status = 422, description = "not exactly three different results, or a malformed one")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateTestSet>,
) -> ApiResult<(StatusCode, Json<TestSetView>)> {
    if req.generation_ids.len() != LETTERS.len() {
        return Err(ApiError::validation(format!(
            "a test set takes exactly {} results, not {}",
            LETTERS.len(),
            req.generation_ids.len()
        )));
    }
    let wanted = req
        .generation_ids
        .into_iter()
        .map(Pick::try_from)
        .collect::<ApiResult<Vec<_>>>()?;
    for (n, p) in wanted.iter().enumerate() {
        if wanted[..n].contains(p) {
            return Err(ApiError::validation(
                "pick three different results (the same one is named twice)",
            ));
        }
    }
    for p in &wanted {
        picks::resolve(&state, user.id(), *p).await?;
    }
    let stored: Vec<_> = wanted.iter().map(|p| (*p).into()).collect();
    let set = state.db.create_test_set(user.id(), &stored).await?;
    Ok((
        StatusCode::CREATED,
        Json(TestSetView {
            url: format!("/api/v1/test-sets/{}/download", set.id),
            items: wanted
                .iter()
                .zip(LETTERS)
                .map(|(p, letter)| TestSetItem {
                    file: format!("{letter}.jpg"),
                    generation_id: p.generation,
                    variant: p.variant,
                })
                .collect(),
            id: set.id,
            created_at: set.created_at,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/test-sets/{id}/download", tag = "generations",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "the zip: A.jpg, B.jpg, C.jpg (1280x720, at most 2 MB each) and README.txt", content_type = "application/zip"),
              (status = 401, description = "not signed in"),
              (status = 404, description = "no such set of yours, or one of its results was deleted")),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<TestSetId>,
) -> ApiResult<Response> {
    let set = state
        .db
        .test_set(user.id(), id)
        .await
        .map_err(|e| match e {
            routix_store::StoreError::NotFound => ApiError::not_found("test set"),
            other => other.into(),
        })?;
    let mut results = Vec::with_capacity(set.picks.len());
    for p in &set.picks {
        let picked = picks::resolve(&state, user.id(), (*p).into())
            .await
            .map_err(|e| match e.status {
                StatusCode::NOT_FOUND => ApiError::not_found("a result of this test set"),
                _ => e,
            })?;
        let image = picks::load_image(&state, &picked.key).await?;
        results.push((picked, image));
    }
    let created = set.created_at;
    let zip = routix_engine::cpu::run(move || build_zip(&results, created))
        .await
        .map_err(|_| ApiError::internal())??;
    let mut response = zip.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"routix-test-set-{}.zip\"",
        &id.to_string()[..8]
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The zip: each result as a 1280x720 JPEG within YouTube's 2 MB, and the README.
fn build_zip(results: &[(Picked, DynamicImage)], created: DateTime<Utc>) -> ApiResult<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "test set zip failed");
        ApiError::internal()
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // JPEGs are compressed already; the README is deflated.
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for ((_, image), letter) in results.iter().zip(LETTERS) {
        let fitted = routix_render::fit_image(
            image,
            (1280, 720),
            routix_render::Fit::Cover,
            Rgb::new(0, 0, 0),
        );
        let jpeg = routix_render::encode(&fitted, routix_render::OutputFormat::Jpeg, 92)
            .map_err(|e| failed(&e))?;
        zip.start_file(format!("{letter}.jpg"), stored)
            .map_err(|e| failed(&e))?;
        zip.write_all(&jpeg).map_err(|e| failed(&e))?;
    }
    let pickeds: Vec<&Picked> = results.iter().map(|(p, _)| p).collect();
    zip.start_file("README.txt", deflated)
        .map_err(|e| failed(&e))?;
    zip.write_all(readme(&pickeds, created).as_bytes())
        .map_err(|e| failed(&e))?;
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

/// What each result is and what differs between them.
fn readme(results: &[&Picked], created: DateTime<Utc>) -> String {
    let table: Vec<Vec<(&str, String)>> = results.iter().map(|p| facts(p)).collect();
    let mut out = format!(
        "Routix Test & Compare set, made {}.\r\n\
         Upload A.jpg, B.jpg and C.jpg to YouTube's thumbnail test (Test & Compare) for one video.\r\n\r\n",
        created.format("%Y-%m-%d %H:%M UTC")
    );
    let fields = [
        "headline", "template", "palette", "changed", "engine", "prompt",
    ];
    let differ: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| {
            let values: Vec<Option<&String>> = table
                .iter()
                .map(|list| list.iter().find(|(k, _)| k == f).map(|(_, v)| v))
                .collect();
            values.iter().any(|v| *v != values[0])
        })
        .collect();
    out.push_str(&match differ.as_slice() {
        [] => "What differs: nothing recorded (the same look, picked three times over?).\r\n\r\n"
            .to_string(),
        list => format!("What differs: {}.\r\n\r\n", list.join(", ")),
    });
    for ((p, list), letter) in results.iter().zip(&table).zip(LETTERS) {
        out.push_str(&format!("{letter}.jpg: result {}\r\n", p.name()));
        for (key, value) in list {
            let mark = if differ.contains(key) { "*" } else { " " };
            out.push_str(&format!("  {mark} {key:<9} {value}\r\n"));
        }
        out.push_str("\r\n");
    }
    out.push_str("* differs between the three.\r\n");
    out
}

/// The facts of one result worth comparing, from its generation's record.
fn facts(p: &Picked) -> Vec<(&'static str, String)> {
    let g = &p.generation;
    let mut list = Vec::new();
    if let Some(h) = p.detail("headline") {
        list.push(("headline", h));
    }
    if let Some(t) = &p.template_id {
        list.push(("template", t.clone()));
    }
    if let Some(colors) = palette(g) {
        list.push(("palette", colors));
    }
    // A variant of an upload says what it changed; a re-edit, what its edit did.
    let variant_note = p
        .variant_record()
        .and_then(|v| v.get("note"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    if let Some(changed) = variant_note.or_else(|| changed(g)) {
        list.push(("changed", changed));
    }
    if let Some(e) = &g.engine {
        list.push(("engine", e.clone()));
    }
    list.push(("prompt", g.prompt.trim().chars().take(200).collect()));
    list
}

/// The colours asked for: `details.palette`, else a re-edit's palette, else the analysis's.
fn palette(g: &routix_store::generations::Generation) -> Option<String> {
    let from = |v: Option<&serde_json::Value>| -> Option<String> {
        let colors: Vec<String> = v?
            .as_array()?
            .iter()
            .filter_map(|c| {
                c.as_str()
                    .or_else(|| c.get("hex").and_then(|h| h.as_str()))
                    .map(str::to_string)
            })
            .collect();
        (!colors.is_empty()).then(|| colors.join(" "))
    };
    from(g.details.as_ref().and_then(|d| d.get("palette")))
        .or_else(|| from(g.options.as_ref().and_then(|o| o.pointer("/edit/palette"))))
        .or_else(|| from(g.analysis.as_ref().and_then(|a| a.get("colors"))))
}

/// What a re-edit changed: `details.changed` when recorded, else the edit's fields.
fn changed(g: &routix_store::generations::Generation) -> Option<String> {
    if let Some(c) = g.details.as_ref().and_then(|d| d.get("changed")) {
        return match c {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(list) => Some(
                list.iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        };
    }
    let edit = g.options.as_ref()?.get("edit")?.as_object()?;
    let fields: Vec<&str> = edit
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.as_str())
        .collect();
    (!fields.is_empty()).then(|| fields.join(", "))
}
