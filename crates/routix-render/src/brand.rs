//! A creator's brand on a thumbnail: their logo in a corner (kept out of YouTube's duration
//! badge and off the text), their face photo cut out as the subject, their headline face.
//! The corner choice is pure geometry (`place_logo`), so it is tested with tables.

use std::sync::Arc;

use image::{imageops::FilterType, DynamicImage, RgbaImage};
use routix_core::brand::{BrandFont, Corner};
use tiny_skia::{FilterQuality, Pixmap, PixmapPaint, Transform};

use crate::{
    template::{FontChoice, Layer},
    RenderRequest, TextLayout,
};

/// What a creator's kit puts on each of their thumbnails.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub logo: Option<Logo>,
    /// Their face cut out (`face_cutout`), drawn as the first subject.
    pub face: Option<RgbaImage>,
    pub font: Option<BrandFont>,
}

impl Brand {
    /// `request` with the brand's logo, face and headline face.
    pub fn apply(&self, request: RenderRequest) -> RenderRequest {
        RenderRequest {
            logo: self.logo.clone(),
            face: self.face.clone(),
            font: self.font,
            ..request
        }
    }
}

/// The logo to stamp and the corner its owner asked for.
#[derive(Debug, Clone)]
pub struct Logo {
    pub image: RgbaImage,
    pub corner: Corner,
}

/// Where a logo went, in output pixels.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogoPlacement {
    pub requested: Corner,
    pub corner: Corner,
    /// `[x, y, width, height]`.
    pub rect: [f32; 4],
    /// Why it is not in the requested corner, for the generation's record.
    pub moved_because: Option<String>,
}

/// The logo's width as a share of the thumbnail's, and the most height it may take.
const LOGO_WIDTH: f32 = 0.12;
const LOGO_MAX_HEIGHT: f32 = 0.2;
/// Its distance from the edges, as a share of the width.
const LOGO_MARGIN: f32 = 0.025;
/// YouTube's duration badge (bottom right), as in the layouts: 18 % by 14 %.
const DURATION_CORNER: [f32; 2] = [0.18, 0.14];

/// The logo's size on a `w`x`h` thumbnail: 12 % of the width, less for a tall logo.
pub fn logo_size(logo: (u32, u32), w: f32, h: f32) -> (f32, f32) {
    let aspect = logo.0.max(1) as f32 / logo.1.max(1) as f32;
    let width = w * LOGO_WIDTH;
    let height = width / aspect;
    if height > h * LOGO_MAX_HEIGHT {
        (h * LOGO_MAX_HEIGHT * aspect, h * LOGO_MAX_HEIGHT)
    } else {
        (width, height)
    }
}

/// The rectangle a logo of `size` takes in `corner`.
pub fn logo_rect(corner: Corner, size: (f32, f32), w: f32, h: f32) -> [f32; 4] {
    let margin = w * LOGO_MARGIN;
    let x = if corner.is_left() {
        margin
    } else {
        w - margin - size.0
    };
    let y = if corner.is_top() {
        margin
    } else {
        h - margin - size.1
    };
    [x, y, size.0, size.1]
}

fn overlap(a: [f32; 4], b: [f32; 4]) -> f32 {
    let dx = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
    let dy = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
    dx.max(0.0) * dy.max(0.0)
}

fn corner_point(c: Corner, w: f32, h: f32) -> (f32, f32) {
    (
        if c.is_left() { 0.0 } else { w },
        if c.is_top() { 0.0 } else { h },
    )
}

/// The corner for a logo of `size`: the requested one unless it is the duration corner or
/// something in `taken` (text, the watermark) is there; then the nearest corner that is
/// free, else the one it overlaps least. Each `taken` entry names what it is.
pub fn place_logo(
    requested: Corner,
    size: (f32, f32),
    w: f32,
    h: f32,
    taken: &[(&str, [f32; 4])],
) -> LogoPlacement {
    let pad = w * 0.01;
    let padded = |r: [f32; 4]| [r[0] - pad, r[1] - pad, r[2] + 2.0 * pad, r[3] + 2.0 * pad];
    let badge = [
        w * (1.0 - DURATION_CORNER[0]),
        h * (1.0 - DURATION_CORNER[1]),
        w * DURATION_CORNER[0],
        h * DURATION_CORNER[1],
    ];
    let clash = |c: Corner| -> (f32, Option<&str>) {
        let rect = padded(logo_rect(c, size, w, h));
        let mut worst = (0.0, None);
        for (what, r) in taken {
            let o = overlap(rect, *r);
            if o > worst.0 {
                worst = (o, Some(*what));
            }
        }
        if c == Corner::BottomRight || overlap(rect, badge) > 0.0 {
            return (f32::MAX, Some("YouTube's duration badge"));
        }
        worst
    };
    let from = corner_point(requested, w, h);
    let mut order: Vec<Corner> = Corner::ALL.to_vec();
    order.sort_by(|a, b| {
        let d = |c: Corner| {
            let p = corner_point(c, w, h);
            (p.0 - from.0).hypot(p.1 - from.1)
        };
        d(*a).total_cmp(&d(*b))
    });
    let (wanted_clash, blocker) = clash(requested);
    let corner = order
        .iter()
        .copied()
        .find(|c| clash(*c).0 == 0.0)
        .or_else(|| {
            order
                .iter()
                .copied()
                .min_by(|a, b| clash(*a).0.total_cmp(&clash(*b).0))
        })
        .unwrap_or(Corner::TopLeft);
    let moved_because = (corner != requested && wanted_clash > 0.0).then(|| {
        format!(
            "{} is taken by {}; the logo went {}",
            requested,
            blocker.unwrap_or("the layout"),
            corner
        )
    });
    LogoPlacement {
        requested,
        corner,
        rect: logo_rect(corner, size, w, h),
        moved_because,
    }
}

/// Scales `logo` to `rect` and draws it with a soft shadow that keeps a light logo
/// readable on a light picture.
pub(crate) fn draw_logo(canvas: &mut Pixmap, logo: &RgbaImage, rect: [f32; 4]) {
    let (lw, lh) = (
        rect[2].round().max(1.0) as u32,
        rect[3].round().max(1.0) as u32,
    );
    let scaled = image::imageops::resize(logo, lw, lh, FilterType::Lanczos3);
    let mut shadow = scaled.clone();
    for p in shadow.pixels_mut() {
        p.0 = [0, 0, 0, (f32::from(p[3]) * 0.35) as u8];
    }
    let shadow = image::imageops::blur(&shadow, (lw.min(lh) as f32 * 0.03).max(1.5));
    let paint = PixmapPaint {
        quality: FilterQuality::Nearest,
        ..PixmapPaint::default()
    };
    let offset = (rect[2] * 0.015).max(1.0);
    for (img, dx) in [(&shadow, offset), (&scaled, 0.0)] {
        if let Some(pm) = crate::draw::to_pixmap(img) {
            canvas.draw_pixmap(
                (rect[0] + dx).round() as i32,
                (rect[1] + dx).round() as i32,
                pm.as_ref(),
                &paint,
                Transform::identity(),
                None,
            );
        }
    }
}

/// The side of a face cut-out, in pixels.
const FACE_SIDE: u32 = 512;

/// A face photo as a subject: a square around the upper middle of the photo (where a head
/// and shoulders usually are), inside a feathered ellipse, transparent outside it.
pub fn face_cutout(photo: &DynamicImage) -> RgbaImage {
    let (w, h) = (photo.width().max(1), photo.height().max(1));
    let side = w.min(h);
    let x = (w - side) / 2;
    // Portraits: the head is in the upper part, so the square starts a little below the top.
    let y = ((h - side) as f32 * 0.3) as u32;
    let square = photo.crop_imm(x, y, side, side).to_rgba8();
    let mut out = image::imageops::resize(&square, FACE_SIDE, FACE_SIDE, FilterType::CatmullRom);
    let (cx, cy) = (FACE_SIDE as f32 / 2.0, FACE_SIDE as f32 / 2.0);
    let (rx, ry) = (FACE_SIDE as f32 * 0.40, FACE_SIDE as f32 * 0.48);
    // The edge fades over the last 12 % of the radius.
    let feather = 0.12;
    for (px, py, p) in out.enumerate_pixels_mut() {
        let dx = (px as f32 + 0.5 - cx) / rx;
        let dy = (py as f32 + 0.5 - cy) / ry;
        let d = (dx * dx + dy * dy).sqrt();
        let t = ((1.0 - d) / feather).clamp(0.0, 1.0);
        let a = t * t * (3.0 - 2.0 * t);
        p[3] = (f32::from(p[3]) * a).round() as u8;
    }
    out
}

/// The template's text layer with the brand's face when it is the headline.
pub(crate) fn with_font(layer: &Layer, font: BrandFont) -> Layer {
    let mut layer = layer.clone();
    if let Layer::Text { font: f, .. } = &mut layer {
        *f = match font {
            BrandFont::BebasNeue => FontChoice::Display,
            BrandFont::Vazirmatn => FontChoice::Sans,
        };
    }
    layer
}

/// The sticker for subject `index`: the creator's face for the first one when the request
/// carries it, else the emoji's art.
pub(crate) fn subject_sticker(
    req: &RenderRequest,
    index: usize,
    emoji: &str,
    size: u32,
) -> Option<Arc<Pixmap>> {
    match (&req.face, index) {
        (Some(face), 0) => crate::sticker::prepared_art(face, size).map(Arc::new),
        _ => crate::sticker::prepared(emoji, size),
    }
}

/// Places and draws `logo` clear of the drawn text and of the watermark (when there is
/// one, bottom left); answers where it went.
pub(crate) fn stamp(
    canvas: &mut Pixmap,
    logo: &Logo,
    texts: &[TextLayout],
    watermark: bool,
) -> LogoPlacement {
    let (w, h) = (canvas.width() as f32, canvas.height() as f32);
    let mut taken: Vec<(&str, [f32; 4])> = texts
        .iter()
        .flat_map(|t| {
            let what = if t.slot == "headline" {
                "the headline"
            } else {
                "the text"
            };
            t.lines
                .iter()
                .map(move |l| (what, [l.x, l.y, l.width, l.height]))
        })
        .collect();
    if watermark {
        // As `encode::draw_watermark` sets it.
        let size = (h * 0.038).max(10.0);
        taken.push((
            "the watermark",
            [size * 1.4, h - size * 2.6, w * 0.4, size * 1.6],
        ));
    }
    let size = logo_size(logo.image.dimensions(), w, h);
    let placed = place_logo(logo.corner, size, w, h, &taken);
    draw_logo(canvas, &logo.image, placed.rect);
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: f32 = 1280.0;
    const H: f32 = 720.0;

    #[test]
    fn a_logo_takes_about_an_eighth_of_the_width() {
        let (w, h) = logo_size((400, 200), W, H);
        assert!((w / W - 0.12).abs() < 0.001 && (h - w / 2.0).abs() < 0.5);
        // A tall logo is held to a fifth of the height.
        let (w, h) = logo_size((100, 400), W, H);
        assert!((h - H * 0.2).abs() < 0.5 && (w - h / 4.0).abs() < 0.5);
    }

    #[test]
    fn corners_are_chosen_clear_of_the_badge_the_text_and_the_watermark() {
        let size = logo_size((300, 300), W, H);
        let headline_top_left = ("the headline", [40.0, 30.0, 600.0, 200.0]);
        let watermark = ("the watermark", [27.0, 650.0, 512.0, 30.0]);
        // Requested corner, what is taken, the corner expected, whether it says it moved.
        type Case<'a> = (Corner, &'a [(&'a str, [f32; 4])], Corner, bool);
        let cases: &[Case] = &[
            (Corner::TopLeft, &[], Corner::TopLeft, false),
            (Corner::TopRight, &[], Corner::TopRight, false),
            (Corner::BottomLeft, &[], Corner::BottomLeft, false),
            // The duration corner: the nearest corner is straight up.
            (Corner::BottomRight, &[], Corner::TopRight, true),
            (
                Corner::TopLeft,
                &[headline_top_left],
                Corner::BottomLeft,
                true,
            ),
            (
                Corner::TopLeft,
                &[headline_top_left, watermark],
                Corner::TopRight,
                true,
            ),
            (Corner::BottomLeft, &[watermark], Corner::TopLeft, true),
            (
                Corner::BottomRight,
                &[("the headline", [700.0, 0.0, 580.0, 300.0])],
                Corner::BottomLeft,
                true,
            ),
        ];
        for (requested, taken, want, moved) in cases {
            let placed = place_logo(*requested, size, W, H, taken);
            assert_eq!(placed.corner, *want, "{requested} with {taken:?}");
            assert_eq!(placed.moved_because.is_some(), *moved, "{placed:?}");
        }
    }

    #[test]
    fn a_face_cutout_is_opaque_in_the_middle_and_clear_at_the_corners() {
        let photo = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            800,
            1000,
            image::Rgb([200, 150, 120]),
        ));
        let cut = face_cutout(&photo);
        assert_eq!(cut.dimensions(), (FACE_SIDE, FACE_SIDE));
        assert_eq!(cut.get_pixel(FACE_SIDE / 2, FACE_SIDE / 2)[3], 255);
        assert_eq!(cut.get_pixel(2, 2)[3], 0);
        assert_eq!(cut.get_pixel(FACE_SIDE - 3, FACE_SIDE - 3)[3], 0);
    }
}
