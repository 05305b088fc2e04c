//! Pixel loops for the layers that cover most of a thumbnail — gradients, soft lights,
//! diagonal stripes, film grain — over tiny-skia's premultiplied RGBA. tiny-skia's general
//! pipeline (float stages per pixel) and its supersampled rasteriser spent most of a first
//! render on these; here each is one pass of integer blending with per-row arithmetic.
//! Shapes with arbitrary outlines (text, badges, clip paths) stay with tiny-skia.

use routix_core::Rgb;
use tiny_skia::{Mask, Pixmap};

/// A gradient's colours sampled at 256 points, premultiplied, as little-endian RGBA words.
pub(crate) struct Ramp([u32; 256]);

impl Ramp {
    /// `stops`: (position 0..=1, colour, opacity 0..=1), in increasing position. Colours are
    /// interpolated unpremultiplied, as tiny-skia does, then premultiplied.
    pub(crate) fn new(stops: &[(f32, Rgb, f32)]) -> Ramp {
        let mut lut = [0u32; 256];
        for (i, entry) in lut.iter_mut().enumerate() {
            let t = i as f32 / 255.0;
            let [r, g, b, a] = sample(stops, t);
            let byte = |v: f32| (v * 255.0).round().clamp(0.0, 255.0) as u8;
            *entry = u32::from_le_bytes([byte(r * a), byte(g * a), byte(b * a), byte(a)]);
        }
        Ramp(lut)
    }
}

fn sample(stops: &[(f32, Rgb, f32)], t: f32) -> [f32; 4] {
    let rgba = |(_, c, o): &(f32, Rgb, f32)| {
        [
            f32::from(c.r) / 255.0,
            f32::from(c.g) / 255.0,
            f32::from(c.b) / 255.0,
            o.clamp(0.0, 1.0),
        ]
    };
    let Some(first) = stops.first() else {
        return [0.0; 4];
    };
    if t <= first.0 {
        return rgba(first);
    }
    for pair in stops.windows(2) {
        let (lo, hi) = (&pair[0], &pair[1]);
        if t <= hi.0 {
            let f = if hi.0 > lo.0 {
                (t - lo.0) / (hi.0 - lo.0)
            } else {
                1.0
            };
            let (a, b) = (rgba(lo), rgba(hi));
            return std::array::from_fn(|i| a[i] + (b[i] - a[i]) * f);
        }
    }
    rgba(stops.last().unwrap_or(first))
}

/// Where along a gradient a pixel falls.
#[derive(Clone, Copy)]
pub(crate) enum Geometry {
    /// t = 0 at `from`, 1 at `to`, constant across the perpendicular.
    Linear { from: [f32; 2], to: [f32; 2] },
    /// t = distance from `center` / `radius`.
    Radial { center: [f32; 2], radius: f32 },
}

/// Rounds a float box (x, y, w, h) to whole pixels inside the canvas: (x0, y0, x1, y1).
fn pixel_bounds(canvas: &Pixmap, [x, y, w, h]: [f32; 4]) -> Option<(usize, usize, usize, usize)> {
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as usize;
    let (x0, x1) = (
        clamp(x.floor(), canvas.width()),
        clamp((x + w).ceil(), canvas.width()),
    );
    let (y0, y1) = (
        clamp(y.floor(), canvas.height()),
        clamp((y + h).ceil(), canvas.height()),
    );
    (x0 < x1 && y0 < y1).then_some((x0, y0, x1, y1))
}

/// x / 255, rounded, for x ≤ 255².
#[inline(always)]
fn div255(x: u32) -> u32 {
    let x = x + 128;
    (x + (x >> 8)) >> 8
}

/// Each channel of a little-endian RGBA word times `c` / 255, rounded: two channels per
/// 16-bit lane pair, so a pixel costs two multiplies.
#[inline(always)]
fn scale(p: u32, c: u32) -> u32 {
    let rb = (p & 0x00FF_00FF) * c + 0x0080_0080;
    let ag = ((p >> 8) & 0x00FF_00FF) * c + 0x0080_0080;
    let rb = ((rb + ((rb >> 8) & 0x00FF_00FF)) >> 8) & 0x00FF_00FF;
    let ag = (ag + ((ag >> 8) & 0x00FF_00FF)) & 0xFF00_FF00;
    rb | ag
}

/// Source-over of premultiplied `src` onto `dst` (no channel can overflow: a valid
/// premultiplied channel is at most its alpha).
#[inline(always)]
fn over(dst: u32, src: u32) -> u32 {
    src + scale(dst, 255 - (src >> 24))
}

/// Source-over of one premultiplied colour onto a run of whole pixels. With the colour
/// fixed, every byte gets the same arithmetic: 16 at a time, in 16-bit lanes.
fn over_span(pixels: &mut [u8], src: u32) {
    let bytes = src.to_le_bytes();
    let keep = 255 - u16::from(bytes[3]);
    let pattern: [u8; 16] = std::array::from_fn(|i| bytes[i % 4]);
    let blend = |d: &mut u8, s: u8| {
        let x = u16::from(*d) * keep + 128;
        *d = s + ((x + (x >> 8)) >> 8) as u8;
    };
    let mut chunks = pixels.chunks_exact_mut(16);
    for chunk in &mut chunks {
        for (d, &s) in chunk.iter_mut().zip(&pattern) {
            blend(d, s);
        }
    }
    for (d, &s) in chunks.into_remainder().iter_mut().zip(&pattern) {
        blend(d, s);
    }
}

#[inline(always)]
fn load(px: &[u8]) -> u32 {
    u32::from_le_bytes(px.try_into().unwrap_or_default())
}

/// A ramp position (0..=1, clamped) as its index, rounded. Adding 2^23 puts the rounded
/// integer in the float's low mantissa bits: plain bit arithmetic, which the compiler
/// vectorises (a saturating float-to-int cast it would not; measured 4x faster per row).
#[inline(always)]
fn ramp_index(t: f32) -> u8 {
    ((t * 255.0).clamp(0.0, 255.0) + 8_388_608.0).to_bits() as u8
}

/// Paints `ramp` laid out by `geometry` over the pixels of `area` (x, y, w, h), each pixel
/// weighted by `clip`'s coverage when there is one.
pub(crate) fn gradient(
    canvas: &mut Pixmap,
    geometry: Geometry,
    ramp: &Ramp,
    area: [f32; 4],
    clip: Option<&Mask>,
) {
    let Some((left, y0, right, y1)) = pixel_bounds(canvas, area) else {
        return;
    };
    let width = canvas.width() as usize;
    let opaque = ramp.0.iter().all(|c| c >> 24 == 255);
    // A radial ramp that fades to nothing paints only inside its circle: each row is then
    // just the chord.
    let fades = ramp.0[255] == 0;
    let data = canvas.data_mut();
    // Per row: every pixel's ramp index (plain float arithmetic the compiler vectorises),
    // then one pass of colour lookups and blending.
    let mut index = vec![0u8; right - left];
    let to_index = ramp_index;
    for y in y0..y1 {
        let yc = y as f32 + 0.5;
        let (x0, x1) = match geometry {
            Geometry::Radial { center, radius } if fades => {
                let dy = yc - center[1];
                let half = (radius * radius - dy * dy).max(0.0).sqrt();
                let x0 = (center[0] - half).floor().max(left as f32) as usize;
                let x1 = ((center[0] + half).ceil() as usize).min(right);
                if x0 >= x1 {
                    continue;
                }
                (x0, x1)
            }
            _ => (left, right),
        };
        let index = &mut index[..x1 - x0];
        match geometry {
            Geometry::Linear { from, to } => {
                let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
                let inv = 1.0 / (dx * dx + dy * dy).max(f32::EPSILON);
                let base = (yc - from[1]) * dy * inv + (x0 as f32 + 0.5 - from[0]) * dx * inv;
                let step = dx * inv;
                for (i, v) in (0i32..).zip(index.iter_mut()) {
                    *v = to_index(base + i as f32 * step);
                }
            }
            Geometry::Radial { center, radius } => {
                let inv = 1.0 / radius.max(f32::EPSILON);
                let dy2 = (yc - center[1]) * (yc - center[1]);
                let left = x0 as f32 + 0.5 - center[0];
                for (i, v) in (0i32..).zip(index.iter_mut()) {
                    let dx = left + i as f32;
                    *v = to_index((dx * dx + dy2).sqrt() * inv);
                }
            }
        }
        let row = &mut data[(y * width + x0) * 4..(y * width + x1) * 4];
        let pixels = row.chunks_exact_mut(4).zip(index.iter());
        match clip {
            None if opaque => {
                for (px, &i) in pixels {
                    px.copy_from_slice(&ramp.0[usize::from(i)].to_le_bytes());
                }
            }
            None => {
                for (px, &i) in pixels {
                    let src = ramp.0[usize::from(i)];
                    px.copy_from_slice(&over(load(px), src).to_le_bytes());
                }
            }
            Some(mask) => {
                let coverage = &mask.data()[y * width + x0..y * width + x1];
                for ((px, &i), &m) in pixels.zip(coverage) {
                    let src = ramp.0[usize::from(i)];
                    if m == 0 || src == 0 {
                        continue;
                    }
                    let out = match (m, src >> 24) {
                        (255, 255) => src,
                        (255, _) => over(load(px), src),
                        _ => over(load(px), scale(src, u32::from(m))),
                    };
                    px.copy_from_slice(&out.to_le_bytes());
                }
            }
        }
    }
}

/// `color` at `opacity`, premultiplied, as a little-endian RGBA word.
fn premultiplied(color: Rgb, opacity: f32) -> u32 {
    let alpha = (opacity.clamp(0.0, 1.0) * 255.0).round() as u32;
    scale(u32::from_le_bytes([color.r, color.g, color.b, 255]), alpha)
}

/// Paints `full` over the run of `row` from x `a` to `b` (pixels below `limit`): whole
/// pixels at `clip`'s coverage (fully without a clip), the one or two pixels the ends cross
/// at the share of them the run covers.
fn span(row: &mut [u8], [a, b]: [f32; 2], limit: usize, full: u32, clip: Option<&[u8]>) {
    let (inner_first, inner_last) = (a.ceil() as usize, (b.floor() as usize).min(limit));
    if inner_first < inner_last {
        let pixels = &mut row[inner_first * 4..inner_last * 4];
        match clip {
            None => over_span(pixels, full),
            Some(clip) => {
                for (px, &m) in pixels
                    .chunks_exact_mut(4)
                    .zip(&clip[inner_first..inner_last])
                {
                    let src = match m {
                        0 => continue,
                        255 => full,
                        m => scale(full, u32::from(m)),
                    };
                    px.copy_from_slice(&over(load(px), src).to_le_bytes());
                }
            }
        }
    }
    let (first, last) = (a.floor() as usize, (b.ceil() as usize).min(limit));
    for x in (first..last).filter(|x| *x < inner_first || *x >= inner_last) {
        let share = b.min(x as f32 + 1.0) - a.max(x as f32);
        let cover = (share.clamp(0.0, 1.0) * 255.0 + 0.5) as u32;
        let m = clip.map_or(cover, |c| div255(u32::from(c[x]) * cover));
        if m == 0 {
            continue;
        }
        let px = &mut row[x * 4..x * 4 + 4];
        px.copy_from_slice(&over(load(px), scale(full, m)).to_le_bytes());
    }
}

/// A quadrilateral with horizontal top and bottom edges — `top` = [left, right] at row
/// `y_top`, `bottom` likewise at `y_bottom` — painted in `color` at `opacity` through `clip`.
/// The slanted sides are anti-aliased by each pixel's horizontal overlap.
pub(crate) fn trapezoid(
    canvas: &mut Pixmap,
    [y_top, y_bottom]: [f32; 2],
    top: [f32; 2],
    bottom: [f32; 2],
    color: Rgb,
    opacity: f32,
    clip: &Mask,
) {
    let height = y_bottom - y_top;
    let (x_min, x_max) = (top[0].min(bottom[0]), top[1].max(bottom[1]));
    let Some((_, y0, _, y1)) = pixel_bounds(canvas, [x_min, y_top, x_max - x_min, height]) else {
        return;
    };
    if height <= 0.0 {
        return;
    }
    let full = premultiplied(color, opacity);
    let width = canvas.width() as usize;
    let right_edge = width as f32;
    let data = canvas.data_mut();
    let coverage = clip.data();
    for y in y0..y1 {
        let f = ((y as f32 + 0.5 - y_top) / height).clamp(0.0, 1.0);
        let a = (top[0] + (bottom[0] - top[0]) * f).max(0.0);
        let b = (top[1] + (bottom[1] - top[1]) * f).min(right_edge);
        if a >= b {
            continue;
        }
        let row = &mut data[y * width * 4..(y + 1) * width * 4];
        span(
            row,
            [a, b],
            width,
            full,
            Some(&coverage[y * width..(y + 1) * width]),
        );
    }
}

/// Paints `color` at `opacity` through `mask`, the mask's top-left corner at `at` on the
/// canvas (parts off the canvas are skipped).
pub(crate) fn paint_mask(canvas: &mut Pixmap, mask: &Mask, at: [i32; 2], color: Rgb, opacity: f32) {
    let full = premultiplied(color, opacity);
    let (cw, ch) = (canvas.width() as i32, canvas.height() as i32);
    let (mw, mh) = (mask.width() as i32, mask.height() as i32);
    let (x0, x1) = (at[0].max(0), (at[0] + mw).min(cw));
    let (y0, y1) = (at[1].max(0), (at[1] + mh).min(ch));
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let data = canvas.data_mut();
    let coverage = mask.data();
    for y in y0..y1 {
        let my = (y - at[1]) as usize;
        let mx = (x0 - at[0]) as usize;
        let cov = &coverage[my * mw as usize + mx..my * mw as usize + mx + (x1 - x0) as usize];
        let row = &mut data[(y * cw + x0) as usize * 4..(y * cw + x1) as usize * 4];
        // Text boxes are mostly empty: skip eight uncovered pixels at a time.
        for (pixels, cov) in row.chunks_mut(32).zip(cov.chunks(8)) {
            if cov.iter().fold(0, |acc, &m| acc | m) == 0 {
                continue;
            }
            for (px, &m) in pixels.chunks_exact_mut(4).zip(cov) {
                let out = match (m, full >> 24) {
                    (0, _) => continue,
                    (255, 255) => full,
                    (255, _) => over(load(px), full),
                    (m, _) => over(load(px), scale(full, u32::from(m))),
                };
                px.copy_from_slice(&out.to_le_bytes());
            }
        }
    }
}

/// Stripes leaning 45° (lower left to upper right), `stripe` pixels wide every `spacing`
/// pixels, filling `area`, in `color` at `opacity`. Edges are anti-aliased by each pixel's
/// horizontal overlap with the stripe along its centre line.
pub(crate) fn stripes(
    canvas: &mut Pixmap,
    area: [f32; 4],
    spacing: f32,
    stripe: f32,
    color: Rgb,
    opacity: f32,
) {
    let Some((x0, y0, x1, y1)) = pixel_bounds(canvas, area) else {
        return;
    };
    if spacing < 1.0 || stripe <= 0.0 {
        return;
    }
    let full = premultiplied(color, opacity);
    let width = canvas.width() as usize;
    let data = canvas.data_mut();
    let (left, right) = (x0 as f32, x1 as f32);
    for y in y0..y1 {
        let yc = y as f32 + 0.5;
        // Stripe k covers [phase + k·spacing, + stripe) on this row.
        let phase = area[0] + area[1] - yc;
        let mut start = phase + ((left - stripe - phase) / spacing).floor() * spacing;
        let row = &mut data[y * width * 4..(y + 1) * width * 4];
        while start < right {
            let (a, b) = (start.max(left), (start + stripe).min(right));
            start += spacing;
            if a >= b {
                continue;
            }
            span(row, [a, b], x1, full, None);
        }
    }
}

/// Length of the grain pattern, in pixels: odd, so it never lines up with rows (it repeats
/// every 51 rows of a 1280-wide canvas, shifted sideways — invisible at grain strength).
const GRAIN_PERIOD: usize = 65_521;

/// Per amplitude: the grain as byte offsets to add and to subtract (one of the two is zero),
/// laid out like the pixels (alpha untouched), so applying it is saturating byte arithmetic.
type GrainTables = std::sync::Arc<(Vec<u8>, Vec<u8>)>;

fn grain_tables(amp: i32) -> GrainTables {
    static TABLES: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<i32, GrainTables>>,
    > = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(Default::default);
    let mut tables = tables
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    tables
        .entry(amp)
        .or_insert_with(|| {
            let span = 2 * amp as u32 + 1;
            let mut seed: u32 = 0x9E37_79B9;
            let (mut up, mut down) = (vec![0; GRAIN_PERIOD * 4], vec![0; GRAIN_PERIOD * 4]);
            for (u, d) in up.chunks_exact_mut(4).zip(down.chunks_exact_mut(4)) {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let n = (seed % span) as i32 - amp;
                let (add, sub) = (n.max(0) as u8, (-n).max(0) as u8);
                u[..3].fill(add);
                d[..3].fill(sub);
            }
            std::sync::Arc::new((up, down))
        })
        .clone()
}

/// Film grain on an opaque canvas (thumbnails start opaque and only ever get source-over):
/// a fixed pseudo-random offset per pixel, the same on all three channels, up to
/// ±64·`opacity` levels, so the same input renders the same bytes.
pub(crate) fn grain(canvas: &mut Pixmap, opacity: f32) {
    let amp = (opacity.clamp(0.0, 1.0) * 64.0) as i32;
    if amp == 0 {
        return;
    }
    let tables = grain_tables(amp);
    let (up, down) = (&tables.0, &tables.1);
    for chunk in canvas.data_mut().chunks_mut(GRAIN_PERIOD * 4) {
        for ((v, &u), &d) in chunk.iter_mut().zip(up).zip(down) {
            *v = v.saturating_add(u).saturating_sub(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::{
        Color, FillRule, GradientStop, LinearGradient, Paint, PathBuilder, Point, RadialGradient,
        Rect, Shader, SpreadMode, Transform,
    };

    const RED: Rgb = Rgb::new(230, 20, 40);
    const NAVY: Rgb = Rgb::new(10, 20, 80);

    fn canvas() -> Pixmap {
        let mut p = Pixmap::new(320, 180).unwrap();
        p.fill(Color::from_rgba8(40, 40, 40, 255));
        p
    }

    fn max_difference(a: &Pixmap, b: &Pixmap) -> u8 {
        a.data()
            .iter()
            .zip(b.data())
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap()
    }

    fn with_skia(shader: Shader, clip: Option<&Mask>) -> Pixmap {
        let mut p = canvas();
        let paint = Paint {
            shader,
            ..Default::default()
        };
        p.fill_rect(
            Rect::from_xywh(0.0, 0.0, 320.0, 180.0).unwrap(),
            &paint,
            Transform::identity(),
            clip,
        );
        p
    }

    fn stops(list: &[(f32, Rgb, f32)]) -> Vec<GradientStop> {
        list.iter()
            .map(|&(t, c, o)| {
                GradientStop::new(t, Color::from_rgba8(c.r, c.g, c.b, (o * 255.0) as u8))
            })
            .collect()
    }

    #[test]
    fn span_blend_is_the_pixel_blend() {
        let src = u32::from_le_bytes([40, 10, 0, 60]);
        let mut run: Vec<u8> = (0..=255u8).flat_map(|v| [v, 255 - v, v / 2, 255]).collect();
        let want: Vec<u8> = run
            .chunks(4)
            .flat_map(|px| over(load(px), src).to_le_bytes())
            .collect();
        over_span(&mut run, src);
        assert_eq!(run, want);
    }

    #[test]
    fn ramp_index_rounds_and_clamps() {
        let cases = [
            (-1.0, 0),
            (0.0, 0),
            (0.001, 0),
            (0.5, 128),
            (0.998, 254),
            (1.0, 255),
        ];
        for (t, want) in cases {
            assert_eq!(ramp_index(t), want, "{t}");
        }
        assert_eq!(ramp_index(7.0), 255);
        assert_eq!(ramp_index(f32::NAN), 0);
    }

    #[test]
    fn linear_gradient_matches_tiny_skia() {
        let list = [(0.0, NAVY, 1.0), (1.0, RED, 1.0)];
        let (from, to) = ([20.0, 10.0], [300.0, 170.0]);
        let skia = with_skia(
            LinearGradient::new(
                Point::from_xy(from[0], from[1]),
                Point::from_xy(to[0], to[1]),
                stops(&list),
                SpreadMode::Pad,
                Transform::identity(),
            )
            .unwrap(),
            None,
        );
        let mut ours = canvas();
        gradient(
            &mut ours,
            Geometry::Linear { from, to },
            &Ramp::new(&list),
            [0.0, 0.0, 320.0, 180.0],
            None,
        );
        assert!(
            max_difference(&ours, &skia) <= 3,
            "{}",
            max_difference(&ours, &skia)
        );
    }

    #[test]
    fn translucent_radial_gradient_through_a_clip_matches_tiny_skia() {
        let list = [(0.0, RED, 0.3), (0.7, RED, 0.24), (1.0, RED, 0.0)];
        let mut clip = Mask::new(320, 180).unwrap();
        let mut pb = PathBuilder::new();
        pb.move_to(100.0, 0.0);
        pb.line_to(320.0, 0.0);
        pb.line_to(260.0, 180.0);
        pb.line_to(40.0, 180.0);
        pb.close();
        clip.fill_path(
            &pb.finish().unwrap(),
            FillRule::Winding,
            true,
            Transform::identity(),
        );
        let center = [180.0, 80.0];
        let skia = with_skia(
            RadialGradient::new(
                Point::from_xy(center[0], center[1]),
                Point::from_xy(center[0], center[1]),
                90.0,
                stops(&list),
                SpreadMode::Pad,
                Transform::identity(),
            )
            .unwrap(),
            Some(&clip),
        );
        let mut ours = canvas();
        gradient(
            &mut ours,
            Geometry::Radial {
                center,
                radius: 90.0,
            },
            &Ramp::new(&list),
            [90.0, -10.0, 180.0, 180.0],
            Some(&clip),
        );
        assert!(
            max_difference(&ours, &skia) <= 3,
            "{}",
            max_difference(&ours, &skia)
        );
        // Outside the clip nothing changed.
        assert_eq!(&ours.data()[..4], &[40, 40, 40, 255]);
    }

    #[test]
    fn stripes_cover_the_same_share_of_each_row_as_the_exact_shapes() {
        let (spacing, stripe) = (46.0, 16.0);
        let mut skia = canvas();
        let mut pb = PathBuilder::new();
        let mut x = -180.0;
        while x < 320.0 {
            pb.move_to(x, 180.0);
            pb.line_to(x + 180.0, 0.0);
            pb.line_to(x + 180.0 + stripe, 0.0);
            pb.line_to(x + stripe, 180.0);
            pb.close();
            x += spacing;
        }
        let mut paint = Paint::default();
        paint.set_color_rgba8(255, 255, 255, 255);
        paint.anti_alias = true;
        skia.fill_path(
            &pb.finish().unwrap(),
            &paint,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
        let mut ours = canvas();
        stripes(
            &mut ours,
            [0.0, 0.0, 320.0, 180.0],
            spacing,
            stripe,
            Rgb::new(255, 255, 255),
            1.0,
        );
        for y in [0, 45, 90, 179] {
            let row = |p: &Pixmap| -> u32 {
                p.data()[y * 320 * 4..(y + 1) * 320 * 4]
                    .iter()
                    .step_by(4)
                    .map(|&v| u32::from(v))
                    .sum()
            };
            let (a, b) = (row(&ours), row(&skia));
            assert!(a.abs_diff(b) * 100 <= b, "row {y}: ours {a}, tiny-skia {b}");
        }
        // A pixel in the middle of a stripe and one between stripes.
        let at = |p: &Pixmap, x: usize, y: usize| p.data()[(y * 320 + x) * 4];
        assert_eq!(at(&ours, 8, 179), 255);
        assert_eq!(at(&ours, 30, 179), 40);
    }

    #[test]
    fn grain_is_deterministic_bounded_and_centred() {
        let (mut a, mut b) = (canvas(), canvas());
        grain(&mut a, 0.05);
        grain(&mut b, 0.05);
        assert_eq!(a.data(), b.data());
        let values: Vec<i32> = a
            .data()
            .iter()
            .step_by(4)
            .map(|&v| i32::from(v) - 40)
            .collect();
        assert!(values.iter().all(|v| v.abs() <= 3));
        assert!(values.iter().any(|&v| v != 0));
        let mean = values.iter().sum::<i32>() as f32 / values.len() as f32;
        assert!(mean.abs() < 0.1, "{mean}");
        // Grey grain: the three channels move together; alpha stays opaque.
        assert!(a
            .data()
            .chunks(4)
            .all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 255));
    }
}
