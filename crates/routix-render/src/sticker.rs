//! A subject drawn the way thumbnails draw one: large, cut out with a white outline, a soft
//! drop shadow, a glow of the accent colour behind it and a slight tilt. The art is the
//! Fluent Emoji set shipped in `assets/subjects`; a prepared sticker (scaled, outlined,
//! shadowed) is kept per emoji and size, so repeated subjects cost one draw.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

use image::{imageops::FilterType, RgbaImage};
use routix_core::Rgb;
use tiny_skia::{
    Color, FillRule, FilterQuality, GradientStop, Paint, PathBuilder, Pixmap, PixmapPaint, Point,
    RadialGradient, SpreadMode, Transform,
};

use crate::{sticker_art::STICKERS, template::Backdrop};

/// A soft glow of `color` fading out at `radius`.
fn glow(canvas: &mut Pixmap, center: (f32, f32), radius: f32, color: Rgb) {
    let Some(shader) = RadialGradient::new(
        Point::from_xy(center.0, center.1),
        Point::from_xy(center.0, center.1),
        radius,
        vec![
            GradientStop::new(0.0, Color::from_rgba8(color.r, color.g, color.b, 150)),
            GradientStop::new(1.0, Color::from_rgba8(color.r, color.g, color.b, 0)),
        ],
        SpreadMode::Pad,
        Transform::identity(),
    ) else {
        return;
    };
    let paint = Paint {
        shader,
        anti_alias: true,
        ..Paint::default()
    };
    if let Some(circle) = PathBuilder::from_circle(center.0, center.1, radius) {
        canvas.fill_path(
            &circle,
            &paint,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

/// Prepared stickers kept at most; a thumbnail uses one or two.
const CACHE_ENTRIES: usize = 64;

/// Whether Routix ships art for `emoji` (variation selectors ignored).
pub fn has_art(emoji: &str) -> bool {
    art_bytes(emoji).is_some()
}

fn art_bytes(emoji: &str) -> Option<&'static [u8]> {
    let key: String = emoji.chars().filter(|c| *c != '\u{fe0f}').collect();
    STICKERS.iter().find(|(e, _)| *e == key).map(|(_, b)| *b)
}

type Key = (String, u32);

fn cache() -> &'static Mutex<HashMap<Key, Arc<Pixmap>>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<Pixmap>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Empties the prepared-sticker cache (benchmarks measure cold renders with it).
pub fn clear_cache() {
    if let Ok(mut c) = cache().lock() {
        c.clear();
    }
}

/// The sticker for `emoji`, `size` pixels across its art, outline and shadow included
/// around it; `None` when Routix has no art for it. The outline and shadow are built once
/// per emoji at the art's own resolution (256 px) and the result scaled: a new size costs
/// one scaled draw, not a new outline.
pub fn prepared(emoji: &str, size: u32) -> Option<Arc<Pixmap>> {
    let name: String = emoji.chars().filter(|c| *c != '\u{fe0f}').collect();
    let size = size.max(16);
    let lookup = |key: &Key| cache().lock().ok().and_then(|c| c.get(key).cloned());
    let remember = |key: Key, sticker: Arc<Pixmap>| {
        if let Ok(mut c) = cache().lock() {
            if c.len() >= CACHE_ENTRIES {
                c.clear();
            }
            c.insert(key, sticker);
        }
    };
    if let Some(hit) = lookup(&(name.clone(), size)) {
        return Some(hit);
    }
    let native_key = (name.clone(), 0);
    let native = match lookup(&native_key) {
        Some(hit) => hit,
        None => {
            let art = image::load_from_memory(art_bytes(emoji)?).ok()?.to_rgba8();
            let made = Arc::new(prepare(&art, art.width().max(16))?);
            remember(native_key, made.clone());
            made
        }
    };
    // The native sticker is its art plus a margin on each side in the same proportion.
    let art = native.width() as f32 / STICKER_SIDE_PER_ART;
    let scale = size as f32 / art;
    let side = (native.width() as f32 * scale).round().max(1.0) as u32;
    let mut scaled = Pixmap::new(side, side)?;
    scaled.draw_pixmap(
        0,
        0,
        native.as_ref().as_ref(),
        &PixmapPaint {
            quality: FilterQuality::Bilinear,
            ..PixmapPaint::default()
        },
        Transform::from_scale(scale, scale),
        None,
    );
    let scaled = Arc::new(scaled);
    remember((name, size), scaled.clone());
    Some(scaled)
}

/// A sticker made from `art` (square, transparent around its subject, such as a face
/// cut-out), `size` pixels across the art; not cached, as each creator's art is their own.
pub fn prepared_art(art: &RgbaImage, size: u32) -> Option<Pixmap> {
    prepare(art, size)
}

/// A prepared sticker's side over its art's: the outline and three shadow widths on each
/// side (see `prepare`).
const STICKER_SIDE_PER_ART: f32 = 1.0 + 2.0 * (0.045 + 3.0 * 0.035);

/// Scales the art to `size`, then builds outline and shadow from its silhouette.
fn prepare(art: &RgbaImage, size: u32) -> Option<Pixmap> {
    let size = size.max(16);
    let scaled = image::imageops::resize(art, size, size, FilterType::CatmullRom);
    let outline = (size as f32 * 0.045).round().max(2.0) as i32;
    let shadow = (size as f32 * 0.035).round().max(2.0) as i32;
    let margin = (outline + shadow * 3) as u32;
    let side = size + 2 * margin;
    let n = (side * side) as usize;
    let at = |x: u32, y: u32| (y * side + x) as usize;

    let mut alpha = vec![0u8; n];
    for (x, y, p) in scaled.enumerate_pixels() {
        alpha[at(x + margin, y + margin)] = p[3];
    }
    // The outline: the silhouette stamped around a circle of the outline's radius.
    let mut outer = alpha.clone();
    for step in 0..16 {
        let angle = step as f32 * std::f32::consts::TAU / 16.0;
        let (dx, dy) = (
            (angle.cos() * outline as f32).round() as i32,
            (angle.sin() * outline as f32).round() as i32,
        );
        max_shifted(&mut outer, &alpha, side, dx, dy);
    }
    // The shadow: the outlined shape moved down and right, blurred.
    let mut shade = vec![0u8; n];
    max_shifted(&mut shade, &outer, side, shadow / 2, shadow);
    for _ in 0..3 {
        box_blur(&mut shade, side, shadow.max(1) as usize);
    }

    let mut pixmap = Pixmap::new(side, side)?;
    let data = pixmap.data_mut();
    for y in 0..side {
        for x in 0..side {
            let i = at(x, y);
            // Shadow (black, 45 %) under the outline (white) under the art, premultiplied.
            let sa = f32::from(shade[i]) / 255.0 * 0.45;
            let oa = f32::from(outer[i]) / 255.0;
            let (mut r, mut g, mut b, mut a) = (0.0f32, 0.0, 0.0, sa);
            // White outline over the shadow.
            r = oa + r * (1.0 - oa);
            g = oa + g * (1.0 - oa);
            b = oa + b * (1.0 - oa);
            a = oa + a * (1.0 - oa);
            if x >= margin && y >= margin && x < margin + size && y < margin + size {
                let p = scaled.get_pixel(x - margin, y - margin);
                let pa = f32::from(p[3]) / 255.0;
                r = f32::from(p[0]) / 255.0 * pa + r * (1.0 - pa);
                g = f32::from(p[1]) / 255.0 * pa + g * (1.0 - pa);
                b = f32::from(p[2]) / 255.0 * pa + b * (1.0 - pa);
                a = pa + a * (1.0 - pa);
            }
            let o = i * 4;
            data[o] = (r * 255.0).round() as u8;
            data[o + 1] = (g * 255.0).round() as u8;
            data[o + 2] = (b * 255.0).round() as u8;
            data[o + 3] = (a * 255.0).round() as u8;
        }
    }
    Some(pixmap)
}

/// `dst = max(dst, src moved by (dx, dy))`.
fn max_shifted(dst: &mut [u8], src: &[u8], side: u32, dx: i32, dy: i32) {
    let side = side as i32;
    for y in 0..side {
        let sy = y - dy;
        if !(0..side).contains(&sy) {
            continue;
        }
        let (x0, x1) = (dx.max(0), (side + dx).min(side));
        let row = (y * side) as usize;
        let src_row = (sy * side) as usize;
        for x in x0..x1 {
            let v = src[src_row + (x - dx) as usize];
            let d = &mut dst[row + x as usize];
            if v > *d {
                *d = v;
            }
        }
    }
}

/// One horizontal and one vertical running-mean pass of radius `r`.
fn box_blur(buf: &mut [u8], side: u32, r: usize) {
    let side = side as usize;
    let mut tmp = vec![0u8; buf.len()];
    let window = (2 * r + 1) as u32;
    for line in 0..side {
        blur_line(
            |i| buf[line * side + i],
            |i, v| tmp[line * side + i] = v,
            side,
            r,
            window,
        );
    }
    for col in 0..side {
        blur_line(
            |i| tmp[i * side + col],
            |i, v| buf[i * side + col] = v,
            side,
            r,
            window,
        );
    }
}

fn blur_line(
    get: impl Fn(usize) -> u8,
    mut set: impl FnMut(usize, u8),
    len: usize,
    r: usize,
    window: u32,
) {
    let mut sum: u32 = (0..=r.min(len - 1)).map(|i| u32::from(get(i))).sum();
    for i in 0..len {
        set(i, (sum / window) as u8);
        if i + r + 1 < len {
            sum += u32::from(get(i + r + 1));
        }
        if i >= r {
            sum -= u32::from(get(i - r));
        }
    }
}

/// Draws a prepared sticker centred on `center`, turned by `tilt` degrees, with a glow of
/// `glow` behind it.
/// Draws a prepared sticker centred on `center`, tilted `tilt` degrees, over `backdrop` in
/// `color`.
pub fn draw(
    canvas: &mut Pixmap,
    sticker: &Pixmap,
    center: (f32, f32),
    tilt: f32,
    backdrop: Backdrop,
    color: Rgb,
) {
    let (w, h) = (sticker.width() as f32, sticker.height() as f32);
    match backdrop {
        Backdrop::Glow => glow(canvas, center, w.max(h) * 0.62, color),
        Backdrop::Burst | Backdrop::Disc => {
            let r = w.max(h)
                * if backdrop == Backdrop::Burst {
                    0.56
                } else {
                    0.44
                };
            let shape = if backdrop == Backdrop::Burst {
                crate::template::ShapeKind::Burst
            } else {
                crate::template::ShapeKind::Circle
            };
            let area = [center.0 - r, center.1 - r, 2.0 * r, 2.0 * r];
            if let Some(path) = crate::draw::shape_path(shape, area, tilt * 2.0, false) {
                let mut paint = Paint::default();
                paint.set_color(Color::from_rgba8(color.r, color.g, color.b, 255));
                paint.anti_alias = true;
                canvas.fill_path(
                    &path,
                    &paint,
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
            }
        }
        Backdrop::None => {}
    }
    let transform = Transform::from_translate(center.0 - w / 2.0, center.1 - h / 2.0)
        .pre_concat(Transform::from_rotate_at(tilt, w / 2.0, h / 2.0));
    canvas.draw_pixmap(
        0,
        0,
        sticker.as_ref(),
        &PixmapPaint {
            quality: FilterQuality::Bilinear,
            ..PixmapPaint::default()
        },
        transform,
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_sticker_decodes_with_transparency() {
        assert!(STICKERS.len() >= 70);
        for (emoji, bytes) in STICKERS {
            let img = image::load_from_memory(bytes)
                .unwrap_or_else(|e| panic!("{emoji}: {e}"))
                .to_rgba8();
            assert!(
                img.pixels().any(|p| p[3] == 0),
                "{emoji} has no transparent edge"
            );
        }
    }

    #[test]
    fn a_prepared_sticker_has_a_white_outline_around_the_art() {
        let s = prepared("🐶", 200).expect("the dog ships");
        assert!(s.width() > 200);
        // Scan the middle row from the left: the first opaque pixels are the white outline.
        let y = s.height() / 2;
        let first = (0..s.width())
            .map(|x| s.pixel(x, y).unwrap())
            .find(|p| p.alpha() > 250)
            .unwrap();
        assert!(first.red() > 240 && first.green() > 240 && first.blue() > 240);
        assert!(has_art("🏋️") && has_art("🏋"));
        assert!(!has_art("🦄"));
    }
}
