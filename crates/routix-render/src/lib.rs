//! routix-render: the offline thumbnail compositor. A template (data, under `templates/`)
//! describes layers — backgrounds, patterns, an image slot, shapes, text slots — and
//! `render` draws them at any size with the request's title, palette and image. Text is
//! shaped with rustybuzz (Persian and Arabic joined and laid out right to left), auto-fitted
//! into its box, and drawn with stroke, shadow and glow. `encode` keeps every output within
//! YouTube's 2 MB. No HTTP, no database: pure pixels in, bytes out.

pub mod brand;
mod coverage;
mod dna;
mod draw;
mod encode;
mod feed;
mod fonts;
mod photo;
mod raster;
pub mod sticker;
mod sticker_art;
mod template;
mod text;
pub mod variants;

pub use dna::style_dna;
pub use draw::clear_static_cache;
pub use encode::{encode, fit_image, optimize, watermark, Fit, OutputFormat, MAX_BYTES};
pub use feed::{render_feed, Feed, FeedCard, FeedLayout, FeedPreview, FeedTheme, MAX_FEATURED};
pub use photo::{busiest_focus, enhance};
pub use template::{Backdrop, Layer, Slot, Template, TemplateLibrary};
pub use text::{paragraph_is_rtl, LineLayout, TextLayout};

use image::{DynamicImage, RgbaImage};
use routix_core::Rgb;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {file}: {field}: {reason}")]
    BadTemplate {
        file: String,
        field: String,
        reason: String,
    },
    #[error("cannot read templates from {path}: {reason}")]
    TemplateDir { path: String, reason: String },
    #[error("font {name}: {reason}")]
    Font { name: String, reason: String },
    #[error("the {slot} text {text:?} does not fit its box even at the smallest size; shorten it")]
    TextDoesNotFit { slot: String, text: String },
    #[error("image cannot be read: {0}")]
    BadImage(String),
    #[error("cannot encode {format}: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },
    #[error("invalid size {width}x{height}: each side must be 16 to 4096 pixels")]
    BadSize { width: u32, height: u32 },
}

/// What to draw into a template.
#[derive(Debug, Clone)]
pub struct RenderRequest {
    pub title: String,
    pub subtitle: Option<String>,
    pub badge: Option<String>,
    /// A reference photo or AI artwork for the image slot (or the background when the
    /// template has no slot).
    pub image: Option<DynamicImage>,
    /// Requested colours, in order: primary, secondary, accent. Missing roles keep the
    /// template's own.
    pub palette: Option<Vec<Rgb>>,
    /// Free-tier watermark text.
    pub watermark: Option<String>,
    /// Emoji to draw as the subject(s) when there is no image: the first in the template's
    /// subject layer (or its image slot), the second in a versus layout's other corner.
    pub subjects: Vec<String>,
    /// Mirror the design left to right (right-to-left headlines: text right, subject left).
    pub mirror: bool,
    /// The image is the creator's own photo: crop it around its busiest region and make it
    /// pop (auto-levels, vibrance, clarity). Never set for provider artwork.
    pub enhance_photo: bool,
    /// Refuse text that does not fit (`TextDoesNotFit`) instead of shortening it.
    pub strict: bool,
    /// The creator's logo, stamped last in a free corner.
    pub logo: Option<brand::Logo>,
    /// The creator's face cut out (`brand::face_cutout`), drawn as the first subject.
    pub face: Option<RgbaImage>,
    /// The brand's headline face; Persian and Arabic headlines keep a face with their letters.
    pub font: Option<routix_core::brand::BrandFont>,
    pub width: u32,
    pub height: u32,
}

impl RenderRequest {
    pub fn new(width: u32, height: u32) -> RenderRequest {
        RenderRequest {
            title: String::new(),
            subtitle: None,
            badge: None,
            image: None,
            palette: None,
            watermark: None,
            subjects: Vec::new(),
            mirror: false,
            strict: false,
            enhance_photo: false,
            logo: None,
            face: None,
            font: None,
            width,
            height,
        }
    }

    pub fn titled(title: impl Into<String>) -> RenderRequest {
        RenderRequest {
            title: title.into(),
            ..RenderRequest::new(1280, 720)
        }
    }
}

/// Where each text went, in output pixels: for tests, previews and debugging.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub texts: Vec<TextLayout>,
    /// Where the logo went, when there was one.
    pub logo: Option<brand::LogoPlacement>,
    /// Whether the creator's face was drawn as the subject.
    pub face: bool,
}

/// Whether the headline can be read where thumbnails are seen: at 320x180 in a feed.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Legibility {
    /// WCAG contrast ratio of the letters against their stroke, plate or background.
    pub contrast: f32,
    /// The smallest word's letter height at 320 pixels wide.
    pub min_text_px_at_320: f32,
    pub ok: bool,
}

impl Layout {
    pub fn headline(&self) -> Option<&TextLayout> {
        self.texts.iter().find(|t| t.slot == "headline")
    }

    /// The headline's legibility; `None` when no headline was drawn.
    pub fn legibility(&self) -> Option<Legibility> {
        self.headline().map(|t| Legibility {
            contrast: (t.contrast * 100.0).round() / 100.0,
            min_text_px_at_320: (t.min_glyph_px_at_320 * 10.0).round() / 10.0,
            ok: t.contrast >= draw::MIN_CONTRAST
                && t.min_glyph_px_at_320 >= draw::MIN_GLYPH_PX_AT_320,
        })
    }
}

pub struct Rendered {
    pub image: RgbaImage,
    pub layout: Layout,
}

/// Draws `template` with `request`.
pub fn render(template: &Template, request: &RenderRequest) -> Result<Rendered, RenderError> {
    let (w, h) = (request.width, request.height);
    if !(16..=4096).contains(&w) || !(16..=4096).contains(&h) {
        return Err(RenderError::BadSize {
            width: w,
            height: h,
        });
    }
    draw::render(template, request)
}
