//! `GET /chat/conversations/{id}/export`: a conversation to keep — its messages and the
//! thumbnails made in it, with the absolute addresses of their images — as Markdown to read
//! or JSON to process. Gathering is I/O; `markdown` and `attachment` are pure.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use routix_store::{
    chat::Role, generations::GenerationFilter, ConversationId, Cursor, GenerationId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{owned, ConversationView};
use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Path, Query},
    routes::generations::GenerationView,
    state::AppState,
};

/// Rows fetched per round trip while gathering.
const BATCH: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// `markdown` (default) or `json`.
    #[param(pattern = "^(|markdown|md|json)$")]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    Json,
}

impl ExportFormat {
    pub fn parse(s: Option<&str>) -> Result<ExportFormat, ApiError> {
        match s {
            None | Some("") | Some("markdown") | Some("md") => Ok(ExportFormat::Markdown),
            Some("json") => Ok(ExportFormat::Json),
            Some(_) => Err(ApiError::validation("format must be markdown or json")),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "text/markdown; charset=utf-8",
            ExportFormat::Json => "application/json",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationExport {
    pub conversation: ConversationView,
    pub exported_at: DateTime<Utc>,
    /// Oldest first.
    pub messages: Vec<ExportedMessage>,
    /// The thumbnails asked for in this conversation (deleted ones left out), oldest first.
    pub generations: Vec<ExportedGeneration>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedMessage {
    /// `user`, `assistant` or `system`.
    #[schema(value_type = String)]
    pub role: Role,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedGeneration {
    #[schema(value_type = uuid::Uuid)]
    pub id: GenerationId,
    pub prompt: String,
    /// queued, processing, completed, failed or cancelled.
    pub status: String,
    pub headline: Option<String>,
    pub template_id: Option<String>,
    pub engine: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The full image (absolute URL), once completed.
    pub image_url: Option<String>,
    pub preview_url: Option<String>,
    /// Every image of a multi-variant request (absolute URLs), the first being `image_url`.
    pub variant_urls: Vec<String>,
}

impl ExportedGeneration {
    /// From the API's own view of the generation, its image paths made absolute on `base`.
    fn new(view: GenerationView, base: &str) -> ExportedGeneration {
        let absolute = |path: String| format!("{base}{path}");
        ExportedGeneration {
            id: view.id,
            prompt: view.prompt,
            status: view.status.as_str().to_string(),
            headline: view.headline,
            template_id: view.template_id,
            engine: view.engine,
            created_at: view.created_at,
            image_url: view.result_url.map(absolute),
            preview_url: view.preview_url.map(absolute),
            variant_urls: view.variants.into_iter().map(|v| absolute(v.url)).collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/chat/conversations/{id}/export", tag = "chat",
    params(("id" = uuid::Uuid, Path), ExportParams),
    responses(
        (status = 200, description = "`text/markdown; charset=utf-8` or `application/json` (the schema), as an attachment",
         content((ConversationExport = "application/json"), (String = "text/markdown"))),
        (status = 404, description = "no such conversation of yours"),
        (status = 422, description = "format is neither markdown nor json")),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<ConversationId>,
    Query(params): Query<ExportParams>,
) -> ApiResult<Response> {
    let conversation = owned(&state, &user, id).await?;
    let format = ExportFormat::parse(params.format.as_deref())?;
    let doc = ConversationExport {
        messages: messages(&state, id).await?,
        generations: generations(&state, &user, id).await?,
        conversation: conversation.into(),
        exported_at: routix_store::now(),
    };
    let body = match format {
        ExportFormat::Markdown => markdown(&doc, Labels::for_locale(&user.user.locale)),
        ExportFormat::Json => serde_json::to_string_pretty(&doc).map_err(|e| {
            tracing::error!(error = %e, "conversation export did not serialise");
            ApiError::internal()
        })?,
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.mime()),
    );
    if let Ok(v) =
        HeaderValue::from_str(&attachment(&doc.conversation.title, id, format.extension()))
    {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn messages(state: &AppState, id: ConversationId) -> ApiResult<Vec<ExportedMessage>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = state.db.list_messages(id, cursor, BATCH).await?;
        out.extend(page.items.into_iter().map(|m| ExportedMessage {
            role: m.role,
            content: m.content,
            created_at: m.created_at,
        }));
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::parse(&next)?),
            None => return Ok(out),
        }
    }
}

async fn generations(
    state: &AppState,
    user: &AuthUser,
    id: ConversationId,
) -> ApiResult<Vec<ExportedGeneration>> {
    let filter = GenerationFilter {
        conversation_id: Some(id),
        ..GenerationFilter::default()
    };
    let base = &state.settings.mail.public_url;
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = state
            .db
            .list_generations(Some(user.id()), &filter, cursor, BATCH)
            .await?;
        out.extend(
            page.items
                .into_iter()
                .map(|g| ExportedGeneration::new(GenerationView::from(g), base)),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::parse(&next)?),
            None => break,
        }
    }
    // Listed newest first; a record reads oldest first.
    out.reverse();
    Ok(out)
}

/// The words of the Markdown file, in the owner's language.
pub struct Labels {
    you: &'static str,
    assistant: &'static str,
    system: &'static str,
    messages: &'static str,
    thumbnails: &'static str,
    started: &'static str,
    exported: &'static str,
    status: &'static str,
    variants: &'static str,
    none: &'static str,
}

impl Labels {
    pub fn for_locale(locale: &str) -> &'static Labels {
        if locale.starts_with("fa") {
            &FA
        } else {
            &EN
        }
    }
}

static EN: Labels = Labels {
    you: "You",
    assistant: "Routix",
    system: "System",
    messages: "Messages",
    thumbnails: "Thumbnails",
    started: "Started",
    exported: "Exported",
    status: "Status",
    variants: "Variants",
    none: "None yet.",
};

static FA: Labels = Labels {
    you: "شما",
    assistant: "روتیکس",
    system: "سامانه",
    messages: "پیام‌ها",
    thumbnails: "تامبنیل‌ها",
    started: "شروع",
    exported: "خروجی گرفته شده",
    status: "وضعیت",
    variants: "نسخه‌ها",
    none: "هنوز چیزی نیست.",
};

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One line of text, safe inside `[...]` of a Markdown link or image.
fn inline(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// The conversation as a Markdown document: messages as quotes under who wrote them and when,
/// then each thumbnail with its image.
pub fn markdown(doc: &ConversationExport, l: &Labels) -> String {
    let c = &doc.conversation;
    let mut out = format!(
        "# {}\n\n- {}: {}\n- {}: {}\n\n## {}\n\n",
        inline(&c.title),
        l.started,
        when(c.created_at),
        l.exported,
        when(doc.exported_at),
        l.messages
    );
    if doc.messages.is_empty() {
        out.push_str(l.none);
        out.push_str("\n\n");
    }
    for m in &doc.messages {
        let who = match m.role {
            Role::User => l.you,
            Role::Assistant => l.assistant,
            Role::System => l.system,
        };
        out.push_str(&format!("**{who}** · {}\n\n", when(m.created_at)));
        for line in m.content.lines() {
            out.push_str(&format!("> {line}\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!("## {}\n\n", l.thumbnails));
    if doc.generations.is_empty() {
        out.push_str(l.none);
        out.push_str("\n\n");
    }
    for g in &doc.generations {
        out.push_str(&format!(
            "### {}\n\n{} · {}: {}\n\n",
            inline(&g.prompt),
            when(g.created_at),
            l.status,
            g.status
        ));
        if let Some(url) = &g.image_url {
            let alt = inline(g.headline.as_deref().unwrap_or(&g.prompt));
            out.push_str(&format!("![{alt}](<{url}>)\n\n"));
        }
        if g.variant_urls.len() > 1 {
            let links: Vec<String> = g
                .variant_urls
                .iter()
                .enumerate()
                .map(|(i, url)| format!("[{}](<{url}>)", i + 1))
                .collect();
            out.push_str(&format!("{}: {}\n\n", l.variants, links.join(" · ")));
        }
    }
    out
}

/// `Content-Disposition` of the download: an ASCII name every client understands, and the
/// title itself (RFC 6266 `filename*`) for those that read it.
pub fn attachment(title: &str, id: ConversationId, extension: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        slug = id.0.simple().to_string()[..8].to_string();
    }
    let mut encoded = String::new();
    for b in title.trim().bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "attachment; filename=\"routix-chat-{slug}.{extension}\"; filename*=UTF-8''{encoded}.{extension}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> ConversationExport {
        let at = "2026-12-01T10:00:00Z".parse().unwrap();
        ConversationExport {
            conversation: ConversationView {
                id: ConversationId::new(),
                title: "Season [2] launch".into(),
                archived: false,
                created_at: at,
                updated_at: at,
            },
            exported_at: at,
            messages: vec![
                ExportedMessage {
                    role: Role::User,
                    content: "gaming video\ntext: NEW SEASON".into(),
                    created_at: at,
                },
                ExportedMessage {
                    role: Role::Assistant,
                    content: "Here are three templates.".into(),
                    created_at: at,
                },
            ],
            generations: vec![ExportedGeneration {
                id: GenerationId::new(),
                prompt: "gaming, red and black".into(),
                status: "completed".into(),
                headline: Some("NEW SEASON".into()),
                template_id: Some("bold-left".into()),
                engine: Some("compositor".into()),
                created_at: at,
                image_url: Some("https://r.example/uploads/a.jpg".into()),
                preview_url: Some("https://r.example/uploads/a-p.webp".into()),
                variant_urls: vec![
                    "https://r.example/uploads/a.jpg".into(),
                    "https://r.example/uploads/b.jpg".into(),
                ],
            }],
        }
    }

    #[test]
    fn markdown_has_messages_quoted_and_images_embedded() {
        let md = markdown(&doc(), &EN);
        assert!(md.starts_with("# Season \\[2\\] launch\n"), "{md}");
        assert!(
            md.contains("**You** · 2026-12-01 10:00 UTC\n\n> gaming video\n> text: NEW SEASON\n"),
            "{md}"
        );
        assert!(md.contains("**Routix** · "), "{md}");
        assert!(
            md.contains("![NEW SEASON](<https://r.example/uploads/a.jpg>)"),
            "{md}"
        );
        assert!(md.contains("Variants: [1](<https://r.example/uploads/a.jpg>) · [2](<https://r.example/uploads/b.jpg>)"), "{md}");
    }

    #[test]
    fn markdown_speaks_the_owners_language() {
        let mut d = doc();
        d.generations.clear();
        let md = markdown(&d, Labels::for_locale("fa"));
        assert!(
            md.contains("**شما**") && md.contains("## تامبنیل‌ها\n\nهنوز چیزی نیست."),
            "{md}"
        );
    }

    #[test]
    fn attachment_names_are_ascii_with_the_title_alongside() {
        let id = ConversationId::new();
        assert_eq!(
            attachment("Season 2: launch!", id, "md"),
            "attachment; filename=\"routix-chat-season-2-launch.md\"; filename*=UTF-8''Season%202%3A%20launch!.md"
        );
        let persian = attachment("کیک", id, "json");
        let short = &id.0.simple().to_string()[..8];
        assert!(persian.starts_with(&format!("attachment; filename=\"routix-chat-{short}.json\"; filename*=UTF-8''%DA%A9%DB%8C%DA%A9.json")), "{persian}");
    }

    #[test]
    fn format_is_markdown_json_or_an_error() {
        assert_eq!(ExportFormat::parse(None).unwrap(), ExportFormat::Markdown);
        assert_eq!(
            ExportFormat::parse(Some("json")).unwrap(),
            ExportFormat::Json
        );
        assert!(ExportFormat::parse(Some("pdf")).is_err());
    }
}
