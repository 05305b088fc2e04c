//! Layer by layer onto a tiny-skia canvas.

use image::{imageops::FilterType, DynamicImage, RgbaImage};
use routix_core::{Palette, Rgb};
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Mask, Paint as SkPaint, Path, PathBuilder, Pixmap,
    PixmapPaint, Rect as SkRect, Stroke as SkStroke, Transform,
};

use crate::{
    fonts::fonts,
    raster,
    template::{
        Backdrop, Fill, Layer, Paint, PatternKind, Rect, ShapeKind, Slot, Stroke, Template,
        DESIGN_HEIGHT, DESIGN_WIDTH,
    },
    text::{self, FitRequest},
    Layout, RenderError, RenderRequest, Rendered,
};

/// Design space → output pixels.
#[derive(Clone, Copy)]
struct Space {
    sx: f32,
    sy: f32,
}

impl Space {
    fn rect(&self, r: &Rect) -> [f32; 4] {
        [
            r[0] * self.sx,
            r[1] * self.sy,
            r[2] * self.sx,
            r[3] * self.sy,
        ]
    }
    /// Lengths that should not stretch (font sizes, strokes).
    fn len(&self, v: f32) -> f32 {
        v * self.sx.min(self.sy)
    }
}

fn color(c: Rgb, opacity: f32) -> Color {
    Color::from_rgba8(
        c.r,
        c.g,
        c.b,
        (opacity.clamp(0.0, 1.0) * 255.0).round() as u8,
    )
}

fn solid(c: Rgb, opacity: f32) -> SkPaint<'static> {
    let mut p = SkPaint::default();
    p.set_color(color(c, opacity));
    p.anti_alias = true;
    p
}

/// The layers below a template's first text depend only on the design, the size and the
/// palette when no image is supplied; they are kept and reused, so a template rendered again
/// (another title, the same look) only draws its text. Kept from the second render of the
/// same look on: most requested palettes are seen once, and copying their canvas into the
/// cache would be wasted. Bounded: a few full canvases.
type StaticKey = (u64, u32, u32, [u8; 9]);
const STATIC_CACHE_ENTRIES: usize = 16;
const SEEN_KEYS: usize = 1024;

#[derive(Default)]
struct StaticCache {
    canvases: std::collections::HashMap<StaticKey, std::sync::Arc<Pixmap>>,
    /// Looks rendered once, not (yet) kept.
    seen: std::collections::HashSet<StaticKey>,
}

fn static_cache() -> &'static std::sync::Mutex<StaticCache> {
    static CACHE: std::sync::OnceLock<std::sync::Mutex<StaticCache>> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Empties the static-layer cache (benchmarks measure cold renders with it).
pub fn clear_static_cache() {
    if let Ok(mut cache) = static_cache().lock() {
        cache.canvases.clear();
        cache.seen.clear();
    }
}

fn static_prefix(template: &Template, req: &RenderRequest) -> usize {
    if req.image.is_some() || template.fingerprint == 0 {
        return 0;
    }
    template
        .layers
        .iter()
        .take_while(|l| !matches!(l, Layer::Text { .. } | Layer::Subject { .. }))
        .count()
}

/// The largest part of `slot` clear of the text boxes (left, right, above or below their
/// union), kept out of YouTube's duration corner (bottom right, 18 % x 14 %); the whole slot
/// when the text does not touch it.
fn free_room(slot: [f32; 4], text: &[[f32; 4]], w: f32, h: f32) -> [f32; 4] {
    let [sx, sy, sw, sh] = slot;
    let overlapping: Vec<&[f32; 4]> = text
        .iter()
        .filter(|t| t[0] < sx + sw && t[0] + t[2] > sx && t[1] < sy + sh && t[1] + t[3] > sy)
        .collect();
    let room = if overlapping.is_empty() {
        slot
    } else {
        let x0 = overlapping.iter().map(|t| t[0]).fold(f32::MAX, f32::min);
        let y0 = overlapping.iter().map(|t| t[1]).fold(f32::MAX, f32::min);
        let x1 = overlapping
            .iter()
            .map(|t| t[0] + t[2])
            .fold(f32::MIN, f32::max);
        let y1 = overlapping
            .iter()
            .map(|t| t[1] + t[3])
            .fold(f32::MIN, f32::max);
        let candidates = [
            [sx, sy, (x0 - sx).max(0.0), sh],
            [x1, sy, (sx + sw - x1).max(0.0), sh],
            [sx, sy, sw, (y0 - sy).max(0.0)],
            [sx, y1, sw, (sy + sh - y1).max(0.0)],
        ];
        candidates
            .into_iter()
            .max_by(|a, b| a[2].min(a[3]).total_cmp(&b[2].min(b[3])))
            .filter(|r| r[2].min(r[3]) >= h * 0.3)
            .unwrap_or(slot)
    };
    // Never reach into the duration corner.
    let corner_top = h * 0.86;
    let corner_left = w * 0.82;
    if room[0] + room[2] > corner_left && room[1] + room[3] > corner_top {
        return [
            room[0],
            room[1],
            room[2],
            (corner_top - room[1]).max(room[3] * 0.5),
        ];
    }
    room
}

pub fn render(template: &Template, req: &RenderRequest) -> Result<Rendered, RenderError> {
    let mirrored;
    let template = if req.mirror {
        mirrored = template.mirrored();
        &mirrored
    } else {
        template
    };
    let (w, h) = (req.width, req.height);
    let palette = match &req.palette {
        Some(colors) => template.meta.palette.overridden_by(colors),
        None => template.meta.palette,
    };
    let prefix = static_prefix(template, req);
    let key: StaticKey = (
        template.fingerprint,
        w,
        h,
        [
            palette.primary.r,
            palette.primary.g,
            palette.primary.b,
            palette.secondary.r,
            palette.secondary.g,
            palette.secondary.b,
            palette.accent.r,
            palette.accent.g,
            palette.accent.b,
        ],
    );
    // The cached canvas, or whether this render should leave one (its look seen before).
    let (cached, keep) = match (prefix > 0).then(|| static_cache().lock().ok()).flatten() {
        Some(mut cache) => match cache.canvases.get(&key).cloned() {
            Some(base) => (Some(base), false),
            None => {
                if cache.seen.len() >= SEEN_KEYS {
                    cache.seen.clear();
                }
                (None, !cache.seen.insert(key))
            }
        },
        None => (None, false),
    };
    let (mut canvas, start) = match cached {
        Some(base) => ((*base).clone(), prefix),
        None => {
            let mut fresh = Pixmap::new(w, h).ok_or(RenderError::BadSize {
                width: w,
                height: h,
            })?;
            // Thumbnails are opaque: start from black, unless the first layer is a
            // background that will cover every pixel anyway.
            let covered = matches!(template.layers.first(), Some(Layer::Background { .. }))
                && (template.meta.has_image_slot || req.image.is_none());
            if !covered {
                fresh.fill(Color::BLACK);
            }
            (fresh, 0)
        }
    };
    let space = Space {
        sx: w as f32 / DESIGN_WIDTH,
        sy: h as f32 / DESIGN_HEIGHT,
    };
    let mut layout = Layout::default();
    let has_slot = template.meta.has_image_slot;
    // Without an image slot, a supplied image becomes the background, darkened for text.
    if let (false, Some(img)) = (has_slot, &req.image) {
        draw_background_image(&mut canvas, img, req.enhance_photo);
    }
    // Without subject layers, the subject goes over everything but the text, in the image
    // slot's room clear of the headline.
    let photo = req.image.is_some();
    let explicit = template
        .layers
        .iter()
        .any(|l| matches!(l, Layer::Subject { .. }));
    let mut subject = req
        .subjects
        .first()
        .filter(|_| !photo && !explicit)
        .and_then(|emoji| {
            let slot = template.layers.iter().find_map(|l| match l {
                Layer::Image { area, .. } => Some(space.rect(area)),
                _ => None,
            })?;
            let text: Vec<[f32; 4]> = template
                .layers
                .iter()
                .filter_map(|l| match l {
                    Layer::Text {
                        area,
                        slot: crate::template::Slot::Headline,
                        ..
                    } => Some(space.rect(area)),
                    _ => None,
                })
                .collect();
            let room = free_room(slot, &text, w as f32, h as f32);
            let size = (h as f32 * 0.56).min(room[2] * 0.85).min(room[3] * 0.85);
            let sticker = crate::brand::subject_sticker(req, 0, emoji, size.round() as u32)?;
            Some((sticker, room))
        });
    for (index, layer) in template.layers.iter().enumerate().skip(start) {
        if index == prefix && keep {
            if let Ok(mut cache) = static_cache().lock() {
                if cache.canvases.len() >= STATIC_CACHE_ENTRIES {
                    cache.canvases.clear();
                }
                cache
                    .canvases
                    .insert(key, std::sync::Arc::new(canvas.clone()));
            }
        }
        if matches!(layer, Layer::Text { .. }) {
            if let Some((sticker, slot)) = subject.take() {
                let tilt = [-6.0, 4.0, -3.5, 6.5, -5.0, 3.0][(template.fingerprint % 6) as usize];
                let center = (slot[0] + slot[2] / 2.0, slot[1] + slot[3] / 2.0);
                layout.face |= req.face.is_some();
                crate::sticker::draw(
                    &mut canvas,
                    &sticker,
                    center,
                    tilt,
                    Backdrop::Glow,
                    palette.accent,
                );
            }
        }
        match layer {
            Layer::Background { fill } => {
                if has_slot || req.image.is_none() {
                    let (w, h) = (w as f32, h as f32);
                    paint_fill(&mut canvas, fill, &palette, [0.0, 0.0, w, h], None);
                }
            }
            Layer::Pattern {
                kind,
                color: c,
                opacity,
                spacing,
                area,
            } => {
                pattern(
                    &mut canvas,
                    space,
                    *kind,
                    c.resolve(&palette),
                    *opacity,
                    space.len(*spacing),
                    area.as_ref(),
                );
            }
            Layer::Noise { opacity } => raster::grain(&mut canvas, *opacity),
            Layer::Vignette { strength } => vignette(&mut canvas, *strength),
            Layer::Image {
                area,
                focus,
                darken,
                blur,
                tint,
                tint_opacity,
                shape,
                border,
                placeholder,
                flip,
            } => {
                let px = space.rect(area);
                match &req.image {
                    Some(img) => {
                        let tint = tint.map(|t| (t.resolve(&palette), *tint_opacity));
                        let fitted = if req.enhance_photo {
                            fit_photo(img, px[2], px[3], *darken, *blur, tint)
                        } else {
                            cover(img, px[2], px[3], *focus, *darken, *blur, tint)
                        };
                        place_image(
                            &mut canvas,
                            &fitted,
                            px,
                            shape.unwrap_or(ShapeKind::Rect),
                            *flip,
                        );
                    }
                    None => {
                        if let Some(fill) = placeholder {
                            let clip = shape_path(shape.unwrap_or(ShapeKind::Rect), px, 0.0, *flip)
                                .and_then(|path| mask_of(&canvas, &path));
                            if let Some(clip) = &clip {
                                paint_fill(&mut canvas, fill, &palette, px, Some(clip));
                                bokeh(&mut canvas, px, clip, &palette, &template.meta.id.0);
                            }
                        }
                    }
                }
                if let Some(b) = border {
                    if let Some(path) = shape_path(shape.unwrap_or(ShapeKind::Rect), px, 0.0, *flip)
                    {
                        stroke_path(
                            &mut canvas,
                            &path,
                            b.color.resolve(&palette),
                            1.0,
                            space.len(b.width),
                        );
                    }
                }
            }
            Layer::Shape {
                kind,
                area,
                color: c,
                opacity,
                rotate,
                shadow,
                flip,
            } => {
                let px = space.rect(area);
                if let Some(s) = shadow {
                    let moved = [
                        px[0] + space.len(s.dx),
                        px[1] + space.len(s.dy),
                        px[2],
                        px[3],
                    ];
                    if let Some(path) = shape_path(*kind, moved, *rotate, *flip) {
                        canvas.fill_path(
                            &path,
                            &solid(s.color.resolve(&palette), s.opacity),
                            FillRule::Winding,
                            Transform::identity(),
                            None,
                        );
                    }
                }
                if let Some(path) = shape_path(*kind, px, *rotate, *flip) {
                    if *kind == ShapeKind::Ring {
                        stroke_path(
                            &mut canvas,
                            &path,
                            c.resolve(&palette),
                            *opacity,
                            (px[2].min(px[3]) * 0.08).max(2.0),
                        );
                    } else {
                        canvas.fill_path(
                            &path,
                            &solid(c.resolve(&palette), *opacity),
                            FillRule::Winding,
                            Transform::identity(),
                            None,
                        );
                    }
                }
            }
            Layer::Subject {
                area,
                index,
                tilt,
                backdrop,
            } => {
                let Some(emoji) = req.subjects.get(*index).filter(|_| !photo) else {
                    continue;
                };
                let px = space.rect(area);
                // The prepared sticker is its art plus 30 % for outline and shadow.
                let size = (px[2].min(px[3]) / 1.3).round() as u32;
                if let Some(sticker) = crate::brand::subject_sticker(req, *index, emoji, size) {
                    let center = (px[0] + px[2] / 2.0, px[1] + px[3] / 2.0);
                    layout.face |= *index == 0 && req.face.is_some();
                    crate::sticker::draw(
                        &mut canvas,
                        &sticker,
                        center,
                        *tilt,
                        *backdrop,
                        palette.accent,
                    );
                }
            }
            Layer::Text { slot, .. } => {
                let content = match slot {
                    Slot::Headline => Some(req.title.as_str()),
                    Slot::Subtitle => req.subtitle.as_deref(),
                    Slot::Badge => req.badge.as_deref(),
                };
                let Some(content) = content.map(str::trim).filter(|c| !c.is_empty()) else {
                    continue;
                };
                let branded = match (slot, req.font) {
                    (Slot::Headline, Some(font)) => Some(crate::brand::with_font(layer, font)),
                    _ => None,
                };
                let layer = branded.as_ref().unwrap_or(layer);
                if let Some(placed) =
                    draw_text(&mut canvas, space, layer, content, &palette, req.strict)?
                {
                    layout.texts.push(placed);
                }
            }
        }
    }
    let mark = req.watermark.as_deref().filter(|m| !m.trim().is_empty());
    if let Some(logo) = &req.logo {
        layout.logo = Some(crate::brand::stamp(
            &mut canvas,
            logo,
            &layout.texts,
            mark.is_some(),
        ));
    }
    if let Some(mark) = mark {
        crate::encode::draw_watermark(&mut canvas, mark)?;
    }
    Ok(Rendered {
        image: to_image(canvas),
        layout,
    })
}

/// The canvas as straight RGBA, reusing its buffer.
pub(crate) fn to_image(canvas: Pixmap) -> RgbaImage {
    let (width, height) = (canvas.width(), canvas.height());
    let mut data = canvas.take();
    // Opaque pixels are already straight RGBA, and thumbnails are opaque throughout: one
    // AND over the words (which vectorises) usually settles it.
    let all_opaque = data.chunks_exact(4).fold(u32::MAX, |acc, px| {
        acc & u32::from_le_bytes([px[0], px[1], px[2], px[3]])
    }) >> 24
        == 255;
    if all_opaque {
        return RgbaImage::from_raw(width, height, data)
            .unwrap_or_else(|| RgbaImage::new(width, height));
    }
    for px in data.chunks_exact_mut(4) {
        if px[3] != 255 {
            let c = tiny_skia::PremultipliedColorU8::from_rgba(px[0], px[1], px[2], px[3])
                .map(|p| p.demultiply())
                .unwrap_or(tiny_skia::ColorU8::from_rgba(0, 0, 0, 0));
            px.copy_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
        }
    }
    RgbaImage::from_raw(width, height, data).unwrap_or_else(|| RgbaImage::new(width, height))
}

pub(crate) fn to_pixmap(img: &RgbaImage) -> Option<Pixmap> {
    let mut pm = Pixmap::new(img.width(), img.height())?;
    for (dst, src) in pm.pixels_mut().iter_mut().zip(img.pixels()) {
        let [r, g, b, a] = src.0;
        *dst = tiny_skia::ColorU8::from_rgba(r, g, b, a).premultiply();
    }
    Some(pm)
}

/// Paints `fill` (laid out over the whole canvas, as templates describe it) on the pixels of
/// `area`, through `clip` when given.
fn paint_fill(
    canvas: &mut Pixmap,
    fill: &Fill,
    palette: &Palette,
    area: [f32; 4],
    clip: Option<&Mask>,
) {
    let (w, h) = (canvas.width() as f32, canvas.height() as f32);
    let (geometry, ramp) = match fill {
        Fill::Solid(p) => {
            let c = p.resolve(palette);
            (
                raster::Geometry::Radial {
                    center: [0.0, 0.0],
                    radius: 1.0,
                },
                raster::Ramp::new(&[(0.0, c, 1.0)]),
            )
        }
        Fill::Linear { from, to, angle } => {
            let (s, c) = angle.to_radians().sin_cos();
            let (cx, cy) = (w / 2.0, h / 2.0);
            let half = (w * c.abs() + h * s.abs()) / 2.0;
            (
                raster::Geometry::Linear {
                    from: [cx - c * half, cy - s * half],
                    to: [cx + c * half, cy + s * half],
                },
                raster::Ramp::new(&[
                    (0.0, from.resolve(palette), 1.0),
                    (1.0, to.resolve(palette), 1.0),
                ]),
            )
        }
        Fill::Radial {
            inner,
            outer,
            center,
            radius,
        } => (
            raster::Geometry::Radial {
                center: [center[0] * w, center[1] * h],
                radius: (radius * w).max(1.0),
            },
            raster::Ramp::new(&[
                (0.0, inner.resolve(palette), 1.0),
                (1.0, outer.resolve(palette), 1.0),
            ]),
        ),
    };
    raster::gradient(canvas, geometry, &ramp, area, clip);
}

/// `path`'s anti-aliased coverage over the canvas.
fn mask_of(canvas: &Pixmap, path: &Path) -> Option<Mask> {
    let mut m = Mask::new(canvas.width(), canvas.height())?;
    m.fill_path(path, FillRule::Winding, true, Transform::identity());
    Some(m)
}

fn stroke_path(canvas: &mut Pixmap, path: &Path, c: Rgb, opacity: f32, width: f32) {
    let stroke = SkStroke {
        width,
        line_join: LineJoin::Round,
        line_cap: LineCap::Round,
        ..Default::default()
    };
    canvas.stroke_path(
        path,
        &solid(c, opacity),
        &stroke,
        Transform::identity(),
        None,
    );
}

fn pattern(
    canvas: &mut Pixmap,
    space: Space,
    kind: PatternKind,
    c: Rgb,
    opacity: f32,
    spacing: f32,
    area: Option<&Rect>,
) {
    let (w, h) = (canvas.width() as f32, canvas.height() as f32);
    let [ax, ay, aw, ah] = area.map(|a| space.rect(a)).unwrap_or([0.0, 0.0, w, h]);
    let mut pb = PathBuilder::new();
    match kind {
        PatternKind::Stripes => {
            let px = [ax.round(), ay.round(), aw.round(), ah.round()];
            raster::stripes(canvas, px, spacing, spacing * 0.35, c, opacity);
            return;
        }
        PatternKind::Dots | PatternKind::Halftone => {
            let mut y = ay + spacing / 2.0;
            let mut row = 0;
            while y < ay + ah {
                let mut x = ax + if row % 2 == 1 { spacing / 2.0 } else { 0.0 } + spacing / 2.0;
                while x < ax + aw {
                    let r = match kind {
                        PatternKind::Halftone => spacing * 0.45 * ((x - ax) / aw).clamp(0.05, 1.0),
                        _ => spacing * 0.14,
                    };
                    pb.push_circle(x, y, r.max(0.5));
                    x += spacing;
                }
                y += spacing * 0.87;
                row += 1;
            }
        }
        PatternKind::Grid => {
            let t = (spacing * 0.04).max(1.0);
            let mut x = ax;
            while x < ax + aw {
                if let Some(r) = SkRect::from_xywh(x, ay, t, ah) {
                    pb.push_rect(r);
                }
                x += spacing;
            }
            let mut y = ay;
            while y < ay + ah {
                if let Some(r) = SkRect::from_xywh(ax, y, aw, t) {
                    pb.push_rect(r);
                }
                y += spacing;
            }
        }
        PatternKind::Rays => {
            let (cx, cy) = (ax + aw / 2.0, ay + ah / 2.0);
            let r = (aw * aw + ah * ah).sqrt();
            let n = ((360.0 / (spacing / 4.0).max(4.0)) as usize).clamp(8, 48);
            for i in 0..n {
                let a0 = (i as f32) / n as f32 * std::f32::consts::TAU;
                let a1 = a0 + std::f32::consts::TAU / n as f32 / 2.0;
                pb.move_to(cx, cy);
                pb.line_to(cx + r * a0.cos(), cy + r * a0.sin());
                pb.line_to(cx + r * a1.cos(), cy + r * a1.sin());
                pb.close();
            }
        }
    }
    let Some(path) = pb.finish() else { return };
    // A full-canvas pattern needs no clip (the canvas clips it); building one costs a pass.
    let clip = area.and(SkRect::from_xywh(ax, ay, aw, ah)).and_then(|r| {
        let mut m = Mask::new(canvas.width(), canvas.height())?;
        m.fill_path(
            &PathBuilder::from_rect(r),
            FillRule::Winding,
            false,
            Transform::identity(),
        );
        Some(m)
    });
    canvas.fill_path(
        &path,
        &solid(c, opacity),
        FillRule::Winding,
        Transform::identity(),
        clip.as_ref(),
    );
}

/// Soft out-of-focus lights and a light sweep, so an empty image slot still reads as a
/// picture. Seeded by the template id: the same template always looks the same.
fn bokeh(canvas: &mut Pixmap, px: [f32; 4], clip: &Mask, palette: &Palette, seed: &str) {
    let [x, y, w, h] = px;
    let mut state: u32 = seed.bytes().fold(0x811C_9DC5, |acc, b| {
        (acc ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 10_000) as f32 / 10_000.0
    };
    let white = Rgb::new(255, 255, 255);
    for i in 0..18 {
        let r = (w.min(h)) * (0.04 + next() * 0.16);
        let (cx, cy) = (x + next() * w, y + next() * h);
        let c = match i % 3 {
            0 => palette.accent,
            1 => white,
            _ => palette.primary,
        };
        let opacity = 0.08 + next() * 0.22;
        let ramp = raster::Ramp::new(&[(0.0, c, opacity), (0.7, c, opacity * 0.8), (1.0, c, 0.0)]);
        raster::gradient(
            canvas,
            raster::Geometry::Radial {
                center: [cx, cy],
                radius: r,
            },
            &ramp,
            [cx - r, cy - r, 2.0 * r, 2.0 * r],
            Some(clip),
        );
    }
    // A diagonal sweep of light across the slot.
    raster::trapezoid(
        canvas,
        [y, y + h],
        [x + w * 0.35, x + w * 0.6],
        [x, x + w * 0.25],
        white,
        0.07,
        clip,
    );
}

fn vignette(canvas: &mut Pixmap, strength: f32) {
    let (w, h) = (canvas.width() as f32, canvas.height() as f32);
    let black = Rgb::new(0, 0, 0);
    let ramp = raster::Ramp::new(&[(0.45, black, 0.0), (1.0, black, strength.clamp(0.0, 1.0))]);
    raster::gradient(
        canvas,
        raster::Geometry::Radial {
            center: [w / 2.0, h / 2.0],
            radius: (w * w + h * h).sqrt() / 2.0,
        },
        &ramp,
        [0.0, 0.0, w, h],
        None,
    );
}

fn draw_background_image(canvas: &mut Pixmap, img: &DynamicImage, photo: bool) {
    let (w, h) = (canvas.width() as f32, canvas.height() as f32);
    let fitted = if photo {
        fit_photo(img, w, h, 0.35, 0.0, None)
    } else {
        cover(img, w, h, [0.5, 0.4], 0.35, 0.0, None)
    };
    place_image(canvas, &fitted, [0.0, 0.0, w, h], ShapeKind::Rect, false);
}

/// Cover-fits `img` into `w`x`h` keeping `focus` in view, then darkens, blurs and tints.
pub(crate) fn cover(
    img: &DynamicImage,
    w: f32,
    h: f32,
    focus: [f32; 2],
    darken: f32,
    blur: f32,
    tint: Option<(Rgb, f32)>,
) -> RgbaImage {
    grade(crop_fit(img, w, h, focus), darken, blur, tint)
}

/// `img` cropped to the aspect of `w`x`h` around `focus` and resized to it.
fn crop_fit(img: &DynamicImage, w: f32, h: f32, focus: [f32; 2]) -> RgbaImage {
    let (tw, th) = (w.round().max(1.0) as u32, h.round().max(1.0) as u32);
    let (iw, ih) = (img.width() as f32, img.height() as f32);
    let scale = (tw as f32 / iw).max(th as f32 / ih);
    let (cw, ch) = ((tw as f32 / scale).min(iw), (th as f32 / scale).min(ih));
    let cx = (focus[0] * iw - cw / 2.0).clamp(0.0, iw - cw);
    let cy = (focus[1] * ih - ch / 2.0).clamp(0.0, ih - ch);
    let cropped = img.crop_imm(cx as u32, cy as u32, cw.max(1.0) as u32, ch.max(1.0) as u32);
    cropped
        .resize_exact(tw, th, FilterType::Lanczos3)
        .to_rgba8()
}

/// Darkens, blurs and tints a fitted image for the design.
fn grade(mut out: RgbaImage, darken: f32, blur: f32, tint: Option<(Rgb, f32)>) -> RgbaImage {
    if blur > 0.0 {
        out = image::imageops::fast_blur(&out, blur);
    }
    if darken > 0.0 || tint.is_some() {
        let keep = 1.0 - darken.clamp(0.0, 1.0);
        for p in out.pixels_mut() {
            for ch in 0..3 {
                let mut v = p.0[ch] as f32 * keep;
                if let Some((c, o)) = tint {
                    let t = [c.r, c.g, c.b][ch] as f32;
                    v = v * (1.0 - o) + t * o;
                }
                p.0[ch] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// A creator's photo fitted for a slot: cropped around its busiest region, then
/// auto-levelled, with vibrance and a little clarity (after the crop, so a 12-megapixel
/// photo costs what the slot costs), then graded for the design.
fn fit_photo(
    img: &DynamicImage,
    w: f32,
    h: f32,
    darken: f32,
    blur: f32,
    tint: Option<(Rgb, f32)>,
) -> RgbaImage {
    let focus = crate::photo::busiest_focus(img);
    let fitted = DynamicImage::ImageRgba8(crop_fit(img, w, h, focus));
    grade(
        crate::photo::enhance(&fitted).to_rgba8(),
        darken,
        blur,
        tint,
    )
}

fn place_image(canvas: &mut Pixmap, img: &RgbaImage, px: [f32; 4], shape: ShapeKind, flip: bool) {
    let Some(pm) = to_pixmap(img) else { return };
    let mask = if shape == ShapeKind::Rect {
        None
    } else {
        shape_path(shape, px, 0.0, flip).and_then(|path| {
            let mut m = Mask::new(canvas.width(), canvas.height())?;
            m.fill_path(&path, FillRule::Winding, true, Transform::identity());
            Some(m)
        })
    };
    canvas.draw_pixmap(
        px[0].round() as i32,
        px[1].round() as i32,
        pm.as_ref(),
        &PixmapPaint::default(),
        Transform::identity(),
        mask.as_ref(),
    );
}

pub(crate) fn shape_path(kind: ShapeKind, px: [f32; 4], rotate: f32, flip: bool) -> Option<Path> {
    let [x, y, w, h] = px;
    let mut pb = PathBuilder::new();
    match kind {
        ShapeKind::Rect => {
            let r = (w.min(h) * 0.08).min(24.0);
            rounded_rect(&mut pb, x, y, w, h, r);
        }
        ShapeKind::Circle | ShapeKind::Ring => {
            pb.push_oval(SkRect::from_xywh(x, y, w, h)?);
        }
        ShapeKind::Slant => {
            let lean = h * 0.25;
            pb.move_to(x + lean, y);
            pb.line_to(x + w, y);
            pb.line_to(x + w - lean, y + h);
            pb.line_to(x, y + h);
            pb.close();
        }
        ShapeKind::Banner => {
            let notch = h * 0.35;
            pb.move_to(x, y);
            pb.line_to(x + w, y);
            pb.line_to(x + w - notch, y + h / 2.0);
            pb.line_to(x + w, y + h);
            pb.line_to(x, y + h);
            pb.close();
        }
        ShapeKind::Arrow => {
            let shaft = h * 0.36;
            let head = (w * 0.45).min(h * 1.1);
            pb.move_to(x, y + h / 2.0 - shaft / 2.0);
            pb.line_to(x + w - head, y + h / 2.0 - shaft / 2.0);
            pb.line_to(x + w - head, y);
            pb.line_to(x + w, y + h / 2.0);
            pb.line_to(x + w - head, y + h);
            pb.line_to(x + w - head, y + h / 2.0 + shaft / 2.0);
            pb.line_to(x, y + h / 2.0 + shaft / 2.0);
            pb.close();
        }
        ShapeKind::Burst => {
            let (cx, cy) = (x + w / 2.0, y + h / 2.0);
            let points = 14;
            for i in 0..points * 2 {
                let a = i as f32 / (points * 2) as f32 * std::f32::consts::TAU
                    - std::f32::consts::FRAC_PI_2;
                let r = if i % 2 == 0 { 1.0 } else { 0.74 };
                let (px_, py_) = (cx + a.cos() * w / 2.0 * r, cy + a.sin() * h / 2.0 * r);
                if i == 0 {
                    pb.move_to(px_, py_);
                } else {
                    pb.line_to(px_, py_);
                }
            }
            pb.close();
        }
    }
    let mut path = pb.finish()?;
    if flip {
        path = path.transform(Transform::from_row(-1.0, 0.0, 0.0, 1.0, 2.0 * x + w, 0.0))?;
    }
    if rotate == 0.0 {
        return Some(path);
    }
    path.transform(Transform::from_rotate_at(rotate, x + w / 2.0, y + h / 2.0))
}

fn rounded_rect(pb: &mut PathBuilder, x: f32, y: f32, w: f32, h: f32, r: f32) {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    pb.move_to(x + r, y);
    pb.line_to(x + w - r, y);
    pb.quad_to(x + w, y, x + w, y + r);
    pb.line_to(x + w, y + h - r);
    pb.quad_to(x + w, y + h, x + w - r, y + h);
    pb.line_to(x + r, y + h);
    pb.quad_to(x, y + h, x, y + h - r);
    pb.line_to(x, y + r);
    pb.quad_to(x, y, x + r, y);
    pb.close();
}

/// `wanted` if it contrasts enough with `background` (WCAG 4.5:1), else black or white.
fn legible_on(wanted: Rgb, background: Rgb) -> Rgb {
    if wanted.contrast(background) >= 4.5 {
        return wanted;
    }
    let (black, white) = (Rgb::new(0, 0, 0), Rgb::new(255, 255, 255));
    if black.contrast(background) >= white.contrast(background) {
        black
    } else {
        white
    }
}

pub(crate) fn pill(canvas: &mut Pixmap, px: [f32; 4], c: Rgb, opacity: f32) {
    let mut pb = PathBuilder::new();
    rounded_rect(&mut pb, px[0], px[1], px[2], px[3], px[3] / 2.0);
    if let Some(path) = pb.finish() {
        canvas.fill_path(
            &path,
            &solid(c, opacity),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

fn draw_text(
    canvas: &mut Pixmap,
    space: Space,
    layer: &Layer,
    content: &str,
    palette: &Palette,
    strict: bool,
) -> Result<Option<crate::TextLayout>, RenderError> {
    let Layer::Text {
        slot,
        area,
        size,
        min_size,
        max_lines,
        line_height,
        color: fill,
        highlight,
        stroke,
        shadow,
        glow,
        uppercase,
        align,
        valign,
        font,
        plate,
        ..
    } = layer
    else {
        unreachable!("draw_text is called for text layers only")
    };
    let fonts = fonts()?;
    let text = if *uppercase && !content.chars().any(text::is_arabic_script) {
        content.to_uppercase()
    } else {
        content.to_string()
    };
    let face = fonts.pick(*font, &text);
    // Characters neither face draws (emoji, most symbols) are left out rather than drawn
    // as empty boxes; text that was nothing else is not drawn at all.
    let text = text::drawable(face, &text);
    if text.trim().is_empty() {
        return Ok(None);
    }
    // Persian display type needs a touch more room per line than Bebas' tall caps.
    let line_height = if text.chars().any(text::is_arabic_script) {
        line_height.max(1.3)
    } else {
        *line_height
    };
    let mut px = space.rect(area);
    // Strokes and shadows reach outside the glyphs: keep them inside the box too.
    let inset = stroke
        .as_ref()
        .map(|s| space.len(s.width) / 2.0)
        .unwrap_or(0.0)
        + shadow
            .as_ref()
            .map(|s| space.len(s.dx.abs().max(s.dy.abs())))
            .unwrap_or(0.0);
    if plate.is_some() {
        // Room for the pill's padding.
        let pad = space.len(*size) * 0.3;
        px = [
            px[0] + pad,
            px[1] + pad * 0.4,
            (px[2] - 2.0 * pad).max(1.0),
            (px[3] - pad * 0.8).max(1.0),
        ];
    }
    let inner = [
        px[0] + inset,
        px[1] + inset,
        (px[2] - 2.0 * inset).max(1.0),
        (px[3] - 2.0 * inset).max(1.0),
    ];
    let request = |text: &'_ str| -> Result<text::Fitted, RenderError> {
        text::fit(
            face,
            &FitRequest {
                slot: slot.as_str(),
                text,
                area: inner,
                size: space.len(*size),
                min_size: space.len(*min_size),
                max_lines: *max_lines,
                line_height,
                align: *align,
                valign: *valign,
            },
        )
    };
    let glyph_px = |f: &text::Fitted| -> f32 {
        f.placements
            .iter()
            .filter_map(|&(i, x, baseline, scale)| {
                text::word_path(face, &f.words[i], x, baseline, scale).map(|p| p.bounds().height())
            })
            .fold(f32::MAX, f32::min)
            * 320.0
            / canvas.width() as f32
    };
    let (cw, ch) = (canvas.width() as f32, canvas.height() as f32);
    let clear_of_corner = |f: &text::Fitted| {
        f.layout
            .lines
            .iter()
            .all(|l| l.x + l.width <= cw * 0.82 || l.y + l.height <= ch * 0.86)
    };
    let (fitted, drawn) = if strict {
        (request(&text)?, text.clone())
    } else {
        fit_legibly(&text, *slot, request, |f| {
            if clear_of_corner(f) {
                glyph_px(f)
            } else {
                0.0
            }
        })?
    };
    let shortened_from = (drawn != text).then(|| content.to_string());
    if let Some(p) = plate {
        if let (Some(first), Some(last)) = (fitted.layout.lines.first(), fitted.layout.lines.last())
        {
            let pad = fitted.layout.size * 0.3;
            let left = fitted
                .layout
                .lines
                .iter()
                .map(|l| l.x)
                .fold(f32::MAX, f32::min);
            let right = fitted
                .layout
                .lines
                .iter()
                .map(|l| l.x + l.width)
                .fold(f32::MIN, f32::max);
            pill(
                canvas,
                [
                    left - pad,
                    first.y - pad * 0.25,
                    right - left + 2.0 * pad,
                    last.y + last.height - first.y + pad * 0.5,
                ],
                p.resolve(palette),
                1.0,
            );
        }
    }
    let last_word = fitted.words.len().saturating_sub(1);
    let paths: Vec<(usize, Path)> = fitted
        .placements
        .iter()
        .filter_map(|&(i, x, baseline, scale)| {
            text::word_path(face, &fitted.words[i], x, baseline, scale).map(|p| (i, p))
        })
        .collect();
    let min_glyph = paths
        .iter()
        .map(|(_, p)| p.bounds().height())
        .reduce(f32::min)
        .unwrap_or(0.0)
        * 320.0
        / canvas.width() as f32;
    if let Some(g) = glow {
        let radius = space.len(g.radius);
        for step in [1.0, 0.66, 0.33] {
            for (_, path) in &paths {
                stroke_path(
                    canvas,
                    path,
                    g.color.resolve(palette),
                    g.opacity * 0.35,
                    radius * 2.0 * step,
                );
            }
        }
    }
    // On a plate, text must read against the plate whatever the palette did to it.
    let base = match plate {
        Some(p) => legible_on(fill.resolve(palette), p.resolve(palette)),
        None => fill.resolve(palette),
    };
    // Legibility: the letters against their plate or stroke, else against what is behind
    // them. Letters that would not stand out get a black or white stroke.
    let behind = TextBounds::of(canvas, paths.iter().map(|(_, p)| p))
        .map_or(base, |b| mean_color(canvas, &b));
    let mut stroke = stroke.clone();
    let mut contrast = match (plate, &stroke) {
        (Some(p), _) => base.contrast(p.resolve(palette)),
        (None, Some(st)) if space.len(st.width) >= 2.0 => base
            .contrast(st.color.resolve(palette))
            .max(base.contrast(behind)),
        _ => base.contrast(behind),
    };
    if contrast < MIN_CONTRAST && plate.is_none() {
        let (black, white) = (Rgb::new(0, 0, 0), Rgb::new(255, 255, 255));
        let edge = if base.contrast(black) >= base.contrast(white) {
            black
        } else {
            white
        };
        stroke = Some(Stroke {
            color: Paint::Fixed(edge),
            width: (fitted.layout.size / space.sy * 0.07).max(4.0),
        });
        contrast = base.contrast(edge).max(contrast);
    }
    // Each word's stroke outline, computed once and used for the shadow and the stroke.
    let outlines: Vec<Option<Path>> = paths
        .iter()
        .map(|(_, p)| {
            stroke.as_ref().and_then(|st| {
                p.stroke(
                    &SkStroke {
                        width: space.len(st.width),
                        line_join: LineJoin::Round,
                        line_cap: LineCap::Round,
                        ..Default::default()
                    },
                    1.0,
                )
            })
        })
        .collect();
    let highlighted = highlight.filter(|_| fitted.words.len() >= 2);
    // Coverage is rasterised once per shape into masks over the text's bounds — the glyphs
    // with their stroke (for the shadow and the stroke), the plain glyphs, the highlighted
    // word — and painted from there: two or three scan conversions instead of one per
    // paint.
    let Some(bounds) = TextBounds::of(
        canvas,
        outlines
            .iter()
            .flatten()
            .chain(paths.iter().map(|(_, p)| p)),
    ) else {
        let mut layout = fitted.layout;
        layout.area = space.rect(area);
        return Ok(Some(layout));
    };
    if stroke.is_some() || shadow.is_some() {
        let body = bounds.mask(
            paths
                .iter()
                .map(|(_, p)| p)
                .chain(outlines.iter().flatten()),
        );
        if let (Some(s), Some(body)) = (shadow, &body) {
            let (dx, dy) = (
                space.len(s.dx).round() as i32,
                space.len(s.dy).round() as i32,
            );
            raster::paint_mask(
                canvas,
                body,
                [bounds.x + dx, bounds.y + dy],
                s.color.resolve(palette),
                s.opacity,
            );
        }
        if let (Some(st), Some(body)) = (&stroke, &body) {
            raster::paint_mask(
                canvas,
                body,
                [bounds.x, bounds.y],
                st.color.resolve(palette),
                1.0,
            );
        }
    }
    let is_highlight = |i: usize| highlighted.is_some() && i == last_word;
    let groups = [
        (
            base,
            paths.iter().filter(|(i, _)| !is_highlight(*i)).count(),
        ),
        (
            highlighted
                .map(|h| h.resolve(palette))
                // A highlight lost against its stroke (or what is behind it) is not one.
                .filter(|h| {
                    let surround = stroke
                        .as_ref()
                        .map_or(behind, |st| st.color.resolve(palette));
                    h.contrast(surround) >= MIN_CONTRAST
                })
                .unwrap_or(base),
            paths.iter().filter(|(i, _)| is_highlight(*i)).count(),
        ),
    ];
    for (group, (c, count)) in groups.into_iter().enumerate() {
        if count == 0 {
            continue;
        }
        let members = paths
            .iter()
            .filter(|(i, _)| is_highlight(*i) == (group == 1))
            .map(|(_, p)| p);
        if let Some(glyphs) = bounds.mask(members) {
            raster::paint_mask(canvas, &glyphs, [bounds.x, bounds.y], c, 1.0);
        }
    }
    let mut layout = fitted.layout;
    layout.area = space.rect(area);
    layout.shortened_from = shortened_from;
    layout.contrast = contrast;
    layout.min_glyph_px_at_320 = min_glyph;
    Ok(Some(layout))
}

/// WCAG's ratio for large text: what a headline needs against its surround.
pub const MIN_CONTRAST: f32 = 3.0;
/// The smallest letters (in pixels, at 320 wide) a headline may have and still be read in
/// a feed.
pub const MIN_GLYPH_PX_AT_320: f32 = 8.0;

/// Most words a headline keeps: more cannot be read in the glance a feed gives.
pub const MAX_GLANCE_WORDS: usize = 8;

/// Fits `text` so it can be read: the whole text when its letters are big enough (and clear
/// of the duration corner: `glyph_px` answers 0 there), else the best shorter cut of it
/// (fewer words, the ones that sell kept) that fits larger, and as a last resort its first
/// word cut with an ellipsis. Only a text that cannot be drawn at all is an error. Returns
/// the layout and the text drawn.
fn fit_legibly(
    text: &str,
    slot: Slot,
    fit: impl Fn(&str) -> Result<text::Fitted, RenderError>,
    glyph_px: impl Fn(&text::Fitted) -> f32,
) -> Result<(text::Fitted, String), RenderError> {
    let mut best: Option<(text::Fitted, String)> = None;
    let mut attempt = if slot == Slot::Headline {
        routix_core::analyzer::shorten(text, MAX_GLANCE_WORDS)
    } else {
        text.to_string()
    };
    let mut first_error = None;
    loop {
        let words = attempt.split_whitespace().count();
        match fit(&attempt) {
            Ok(f) => {
                let legible = slot != Slot::Headline || glyph_px(&f) >= MIN_GLYPH_PX_AT_320;
                if legible {
                    return Ok((f, attempt));
                }
                if best
                    .as_ref()
                    .is_none_or(|(b, _)| f.layout.size > b.layout.size * 1.05)
                {
                    best = Some((f, attempt.clone()));
                }
            }
            Err(e @ RenderError::TextDoesNotFit { .. }) => {
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
        if words <= 1 {
            break;
        }
        let shorter = routix_core::analyzer::shorten(&attempt, words - 1);
        if shorter.split_whitespace().count() >= words {
            break;
        }
        attempt = shorter;
    }
    if let Some(found) = best {
        return Ok(found);
    }
    // Not even one word fits: cut it, keeping at least two letters.
    let word: Vec<char> = attempt.chars().collect();
    for keep in (2..word.len()).rev() {
        let cut: String = word[..keep].iter().collect::<String>() + "…";
        if let Ok(f) = fit(&cut) {
            return Ok((f, cut));
        }
    }
    Err(first_error.unwrap_or_else(|| RenderError::TextDoesNotFit {
        slot: slot.as_str().to_string(),
        text: text.to_string(),
    }))
}

/// The average colour of the canvas over `bounds`, sampled every other pixel.
fn mean_color(canvas: &Pixmap, b: &TextBounds) -> Rgb {
    let (mut sum, mut n) = ([0u64; 3], 0u64);
    let data = canvas.data();
    let width = canvas.width() as usize;
    for y in (b.y as usize..b.y as usize + b.height as usize).step_by(2) {
        for x in (b.x as usize..b.x as usize + b.width as usize).step_by(2) {
            let o = (y * width + x) * 4;
            for c in 0..3 {
                sum[c] += u64::from(data[o + c]);
            }
            n += 1;
        }
    }
    let n = n.max(1);
    Rgb::new((sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8)
}

/// A whole-pixel box around some paths, inside the canvas, with masks over it.
struct TextBounds {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
}

impl TextBounds {
    fn of<'a>(canvas: &Pixmap, paths: impl Iterator<Item = &'a Path>) -> Option<TextBounds> {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in paths {
            let b = p.bounds();
            x0 = x0.min(b.left());
            y0 = y0.min(b.top());
            x1 = x1.max(b.right());
            y1 = y1.max(b.bottom());
        }
        let x = (x0.floor() - 1.0).max(0.0) as i32;
        let y = (y0.floor() - 1.0).max(0.0) as i32;
        let right = (x1.ceil() + 1.0).min(canvas.width() as f32) as i32;
        let bottom = (y1.ceil() + 1.0).min(canvas.height() as f32) as i32;
        (right > x && bottom > y).then(|| TextBounds {
            x,
            y,
            width: (right - x) as u32,
            height: (bottom - y) as u32,
        })
    }

    /// The anti-aliased coverage of `paths` together (non-zero winding) over the box.
    fn mask<'a>(&self, paths: impl Iterator<Item = &'a Path>) -> Option<Mask> {
        crate::coverage::mask(
            paths,
            [self.x as f32, self.y as f32],
            self.width,
            self.height,
        )
    }
}
