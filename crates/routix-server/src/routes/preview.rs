//! Preview in context: `GET /generations/{id}/preview` draws the thumbnail (or up to four
//! variants side by side) inside a YouTube-like feed — home grid, search results or the phone
//! feed, light or dark — at YouTube's display sizes, as a PNG. The title, channel and numbers
//! are in the creator's language; a Persian page is mirrored as YouTube mirrors it. The cards
//! around are the creator's other results, else grey placeholders.

use axum::{
    extract::State,
    http::{header, HeaderName, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use routix_core::GenerationStatus;
use routix_render::{FeedCard, FeedLayout, FeedTheme, MAX_FEATURED};
use routix_store::{generations::GenerationFilter, GenerationId};
use serde::Deserialize;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::{Path, Query},
    picks::{self, Pick, Picked},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/generations/{id}/preview", get(preview))
}

/// Where each featured thumbnail lies in the PNG: `x,y,w,h;x,y,w,h…`, in order.
pub const THUMBNAILS_HEADER: &str = "routix-thumbnails";

pub const MAX_TITLE_CHARS: usize = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    /// `home` (default), `search` or `mobile`.
    #[param(pattern = "^(home|search|mobile)$")]
    pub layout: Option<String>,
    /// `light` (default) or `dark`.
    #[param(pattern = "^(light|dark)$")]
    pub theme: Option<String>,
    /// Which results to show side by side, comma-separated, at most 4: a variant number of
    /// this generation (`0,2`), or another of your results as `{generation_id}` or
    /// `{generation_id}:{variant}`. Default: every variant of this generation.
    #[param(
        pattern = r"^(\s*|\s*([0-9]{1,9}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(:[0-9]{1,9})?)\s*(,\s*([0-9]{1,9}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(:[0-9]{1,9})?)\s*){0,3})$"
    )]
    pub variants: Option<String>,
    /// The video title to show (at most 100 characters); default the headline, else the prompt.
    pub title: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/generations/{id}/preview", tag = "generations",
    params(("id" = uuid::Uuid, Path), PreviewQuery),
    responses((status = 200, description = "the feed as a PNG; header `routix-thumbnails` gives each featured thumbnail's `x,y,w,h`", content_type = "image/png",
                headers(("routix-thumbnails" = String, description = "x,y,w,h of each featured thumbnail, `;`-separated"))),
              (status = 400, description = "malformed query string"),
              (status = 401, description = "not signed in"),
              (status = 404, description = "no such generation of yours (nor a picked one)"),
              (status = 409, description = "`not_finished`: a picked result has no finished image yet"),
              (status = 422, description = "unknown layout or theme, bad or too many `variants`, or title too long; a picked variant that does not exist is a 404")),
    security(("bearer" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<GenerationId>,
    Query(q): Query<PreviewQuery>,
) -> ApiResult<Response> {
    let layout = FeedLayout::parse(q.layout.as_deref().unwrap_or("home"))
        .ok_or_else(|| ApiError::validation("layout must be home, search or mobile"))?;
    let theme = FeedTheme::parse(q.theme.as_deref().unwrap_or("light"))
        .ok_or_else(|| ApiError::validation("theme must be light or dark"))?;
    let title = match q.title.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) if t.chars().count() > MAX_TITLE_CHARS => {
            return Err(ApiError::validation(format!(
                "title takes at most {MAX_TITLE_CHARS} characters"
            )))
        }
        Some(t) => Some(t.to_string()),
    };
    let own = state
        .db
        .generation(user.id(), id)
        .await
        .map_err(crate::routes::generations::store_404)?;
    let wanted = match q.variants.as_deref().map(str::trim) {
        None | Some("") => default_picks(&own),
        Some(list) => parse_list(id, list)?,
    };
    let mut featured = Vec::with_capacity(wanted.len());
    for pick in wanted {
        featured.push(if pick.generation == id {
            picks::picked(own.clone(), pick)?
        } else {
            picks::resolve(&state, user.id(), pick).await?
        });
    }

    let channel = channel_name(&user.user.display_name, &user.user.email);
    let first_title = title.clone().unwrap_or_else(|| featured[0].title());
    let rtl = user.user.locale == "fa" || routix_render::paragraph_is_rtl(&first_title);
    let words = if rtl { Words::Fa } else { Words::En };
    let mut cards = Vec::with_capacity(featured.len());
    for p in &featured {
        cards.push(FeedCard {
            image: Some(picks::load_image(&state, &p.key).await?),
            title: title.clone().unwrap_or_else(|| p.title()),
            channel: channel.clone(),
            meta: words.meta(p.generation.id),
            duration: words.duration(p.generation.id),
        });
    }
    let neighbours = neighbours(&state, &user, &featured, layout, words, &channel).await?;
    let feed = routix_render::Feed {
        layout,
        theme,
        rtl,
        featured: cards,
        neighbours,
    };
    let (png, boxes) = routix_engine::cpu::run(move || {
        let drawn = routix_render::render_feed(&feed)?;
        let png = routix_render::encode(&drawn.image, routix_render::OutputFormat::Png, 100)?;
        Ok::<_, routix_render::RenderError>((png, drawn.thumbnails))
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "feed preview failed");
        ApiError::internal()
    })?;
    let boxes = boxes
        .iter()
        .map(|[x, y, w, h]| format!("{x},{y},{w},{h}"))
        .collect::<Vec<_>>()
        .join(";");
    let mut response = png.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    if let Ok(v) = HeaderValue::from_str(&boxes) {
        headers.insert(HeaderName::from_static(THUMBNAILS_HEADER), v);
    }
    Ok(response)
}

/// Every variant of the generation (up to four), else its one image.
fn default_picks(g: &routix_store::generations::Generation) -> Vec<Pick> {
    let indices: Vec<u32> = g
        .details
        .as_ref()
        .and_then(|d| d.get("variants"))
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|v| v.get("index")?.as_u64())
                .filter_map(|i| u32::try_from(i).ok())
                .take(MAX_FEATURED)
                .collect()
        })
        .unwrap_or_default();
    let indices = if indices.is_empty() { vec![0] } else { indices };
    indices
        .into_iter()
        .map(|variant| Pick {
            generation: g.id,
            variant,
        })
        .collect()
}

/// `variants=0,2,{id},{id}:1`.
fn parse_list(id: GenerationId, list: &str) -> ApiResult<Vec<Pick>> {
    let items: Vec<&str> = list.split(',').map(str::trim).collect();
    if items.len() > MAX_FEATURED || items.iter().any(|s| s.is_empty()) {
        return Err(ApiError::validation(format!(
            "variants takes 1 to {MAX_FEATURED} comma-separated results"
        )));
    }
    items
        .into_iter()
        .map(|item| match item.parse::<u32>() {
            Ok(variant) => Ok(Pick {
                generation: id,
                variant,
            }),
            Err(_) => item.parse::<Pick>(),
        })
        .collect()
}

/// The display name, else the part of the address before the `@`.
fn channel_name(display_name: &str, email: &str) -> String {
    match display_name.trim() {
        "" => email.split('@').next().unwrap_or(email).to_string(),
        name => name.to_string(),
    }
}

/// The creator's other finished results, for the cards around; placeholders fill the rest.
async fn neighbours(
    state: &AppState,
    user: &AuthUser,
    featured: &[Picked],
    layout: FeedLayout,
    words: Words,
    channel: &str,
) -> ApiResult<Vec<FeedCard>> {
    let wanted = layout.cards(featured.len()) - featured.len();
    let filter = GenerationFilter {
        status: Some(GenerationStatus::Completed),
        ..GenerationFilter::default()
    };
    let page = state
        .db
        .list_generations(Some(user.id()), &filter, None, wanted + featured.len())
        .await?;
    let mut cards = Vec::with_capacity(wanted);
    for g in page.items {
        if cards.len() == wanted {
            break;
        }
        if featured.iter().any(|p| p.generation.id == g.id) {
            continue;
        }
        let id = g.id;
        let Ok(p) = picks::picked(
            g,
            Pick {
                generation: id,
                variant: 0,
            },
        ) else {
            continue;
        };
        let key = p.preview_key.clone().unwrap_or_else(|| p.key.clone());
        // A neighbour that cannot be read becomes a placeholder, not a failed preview.
        let image = picks::load_image(state, &key).await.ok();
        cards.push(FeedCard {
            image,
            title: p.title(),
            channel: channel.to_string(),
            meta: words.meta(id),
            duration: words.duration(id),
        });
    }
    Ok(cards)
}

/// The feed's numbers and words in the creator's language. Views, age and duration are made
/// up, but steady per generation, so a preview looks the same every time.
#[derive(Debug, Clone, Copy)]
enum Words {
    En,
    Fa,
}

impl Words {
    fn meta(self, id: GenerationId) -> String {
        let seed = seed(id);
        let views =
            [1_200u32, 3_400, 12_000, 48_000, 127_000, 860_000, 2_400_000][(seed % 7) as usize];
        let (n, unit) = [
            (2u32, 0usize),
            (5, 0),
            (1, 1),
            (3, 1),
            (6, 1),
            (2, 2),
            (3, 2),
        ][(seed / 7 % 7) as usize];
        match self {
            Words::En => {
                let views = if views >= 1_000_000 {
                    format!("{:.1}M", f64::from(views) / 1e6)
                } else {
                    format!("{}K", views / 1000)
                };
                let unit = ["hour", "day", "week"][unit];
                let plural = if n == 1 { "" } else { "s" };
                format!("{views} views · {n} {unit}{plural} ago")
            }
            Words::Fa => {
                let views = if views >= 1_000_000 {
                    format!(
                        "{} میلیون",
                        persian_digits(&format!("{:.1}", f64::from(views) / 1e6)).replace('.', "٫")
                    )
                } else {
                    format!("{} هزار", persian_digits(&(views / 1000).to_string()))
                };
                let unit = ["ساعت", "روز", "هفته"][unit];
                format!(
                    "{views} بازدید • {} {unit} پیش",
                    persian_digits(&n.to_string())
                )
            }
        }
    }

    fn duration(self, id: GenerationId) -> String {
        let seed = seed(id) / 49;
        let text = format!("{}:{:02}", 4 + seed % 21, (seed / 21) % 60);
        match self {
            Words::En => text,
            Words::Fa => persian_digits(&text),
        }
    }
}

/// A number from the id's random bits (UUIDv7: the last eight bytes are random).
fn seed(id: GenerationId) -> u64 {
    let bytes = id.0.as_bytes();
    u64::from_le_bytes([
        bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15],
    ]) % 1_000_003
}

fn persian_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x06F0 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_is_the_display_name_or_the_address_before_the_at() {
        assert_eq!(channel_name("Maryam", "m@example.com"), "Maryam");
        assert_eq!(channel_name("  ", "sara.k@example.com"), "sara.k");
    }

    #[test]
    fn persian_numbers_use_persian_digits() {
        let id = GenerationId::new();
        let fa = Words::Fa.duration(id);
        assert!(
            fa.chars().all(|c| c == ':' || ('۰'..='۹').contains(&c)),
            "{fa}"
        );
        assert!(Words::Fa.meta(id).contains("بازدید"));
        assert!(Words::En.meta(id).contains(" views · "));
        assert_eq!(Words::En.meta(id), Words::En.meta(id));
    }

    #[test]
    fn variant_lists_take_numbers_and_other_results() {
        let id = GenerationId::new();
        let other = GenerationId::new();
        let picks = parse_list(id, &format!("0, 2,{other}:1")).unwrap();
        assert_eq!(
            picks,
            [
                Pick {
                    generation: id,
                    variant: 0
                },
                Pick {
                    generation: id,
                    variant: 2
                },
                Pick {
                    generation: other,
                    variant: 1
                },
            ]
        );
        assert!(parse_list(id, "0,1,2,3,0").is_err());
        assert!(parse_list(id, "0,,1").is_err());
        assert!(parse_list(id, "first").is_err());
    }
}
