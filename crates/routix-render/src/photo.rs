//! Photo finishing for the image slot: `enhance` makes a user's reference photo "pop" before
//! it is composited (auto-levels, vibrance that spares skin, a touch of clarity), and
//! `busiest_focus` finds where its detail is so the compositor can crop around it. Both are
//! pure and cheap: statistics come from a sparse sample of the photo, the per-pixel work is
//! integer maths and lookup tables, and the large clarity blur is a running-sum box blur whose
//! cost does not grow with its radius.

use image::{DynamicImage, GenericImageView};

/// Share of the darkest and of the brightest luminance ignored when finding the black and
/// white points, so a few specks or specular highlights do not pin the range.
const LEVELS_CLIP: f64 = 0.005;
/// Photos whose percentiles already reach these points are left alone by auto-levels.
const LEVELS_SPAN_LO: u8 = 8;
const LEVELS_SPAN_HI: u8 = 247;
/// The strongest stretch; a nearly flat photo stretched fully would just amplify its noise.
const LEVELS_MAX_GAIN: f64 = 2.5;
/// How far toward black and white the percentiles are moved: all the way would crush the
/// shadows of a face when it is the darkest thing in the photo.
const LEVELS_STRENGTH: f64 = 0.85;
/// The most the stretch may raise a pixel's saturation (chroma relative to luminance). Moving
/// the black point darkens a pixel without taking its chroma away, which turns dark skin
/// and foliage neon; levels chroma only this much faster than luminance.
const LEVELS_MAX_SATURATION: f64 = 1.25;
/// Width of the soft shoulder and toe the stretch rolls into white and black with.
const LEVELS_KNEE: f64 = 16.0;
/// About how many samples across the photo the level statistics look at.
const STATS_SAMPLES_WIDE: usize = 256;

/// Vibrance at zero saturation, in 1/256: a grey-ish pixel's chroma grows by half.
const VIBRANCE: i32 = 128;
/// The share of the vibrance boost skin tones keep, in 1/256 (a fifth).
const SKIN_SHARE: i32 = 51;

/// Clarity blur radius as a share of the photo's width, and its strength.
const CLARITY_RADIUS: f32 = 0.0175;
const CLARITY_AMOUNT: f32 = 0.25;
/// Local contrast beyond this many grey levels is rolled off, so strong edges get no halos.
const CLARITY_KNEE: f32 = 40.0;

/// Width of the grey grid `busiest_focus` measures edges on, and how many sample points each
/// grid cell reads per side.
const FOCUS_GRID_W: u32 = 64;
const FOCUS_CELL_SAMPLES: u32 = 4;
/// Smoothing radius of the edge-density map in grid cells (the "window").
const FOCUS_WINDOW: usize = 4;
/// Below this smoothed edge density (grey levels) a photo counts as flat.
const FOCUS_FLAT: f32 = 2.0;
/// How much the upper-middle of the frame is favoured over an equally busy spot elsewhere.
const FOCUS_BIAS: f32 = 0.15;
const FOCUS_MARGIN: f32 = 0.15;
/// Where a flat photo is focused: a little above centre, where a face would usually be.
const FLAT_FOCUS: [f32; 2] = [0.5, 0.4];

/// Auto-levels (black/white points from the 0.5 %/99.5 % percentiles of luminance, applied to
/// all channels together so colours do not shift; skipped when the photo already spans the
/// range; moved 85 % of the way, eased into black and white, and never raising a pixel's
/// saturation by more than a quarter), vibrance (saturation raised more for dull pixels than for saturated
/// ones; skin tones — hue about 0-50 degrees at moderate saturation — keep a fifth of the boost)
/// and a little clarity (an unsharp mask on luminance with a radius of ~1.75 % of the width and
/// amount 0.25, rolled off on strong edges). Returns a new image of the same size; alpha is
/// kept. Works at 8 bits per channel: the result is RGBA8 when the input has alpha, else RGB8.
pub fn enhance(img: &DynamicImage) -> DynamicImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if img.color().has_alpha() {
        let mut buf = img.to_rgba8();
        enhance_pixels::<4>(&mut buf, w, h);
        DynamicImage::ImageRgba8(buf)
    } else {
        let mut buf = img.to_rgb8();
        enhance_pixels::<3>(&mut buf, w, h);
        DynamicImage::ImageRgb8(buf)
    }
}

/// The centre of the photo's busiest region as fractions `[x, y]` of its width and height:
/// edge density (in-cell contrast plus the gradient between cells of a ~64 px wide grey grid),
/// smoothed over a window, its maximum refined to the density centroid around it. The
/// upper-middle third is slightly favoured (faces usually sit there) and the answer is never
/// closer than 0.15 to an edge. A flat photo answers `[0.5, 0.4]`.
pub fn busiest_focus(img: &DynamicImage) -> [f32; 2] {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return FLAT_FOCUS;
    }
    let gw = w.min(FOCUS_GRID_W);
    let gh = ((u64::from(h) * u64::from(gw) + u64::from(w) / 2) / u64::from(w))
        .clamp(1, u64::from(h)) as u32;
    let (gwu, ghu) = (gw as usize, gh as usize);

    let mut mean = vec![0f32; gwu * ghu];
    let mut density = vec![0f32; gwu * ghu];
    let mut samples = [0f32; (FOCUS_CELL_SAMPLES * FOCUS_CELL_SAMPLES) as usize];
    for cy in 0..gh {
        let (y0, y1) = (cy * h / gh, ((cy + 1) * h / gh).max(cy * h / gh + 1));
        for cx in 0..gw {
            let (x0, x1) = (cx * w / gw, ((cx + 1) * w / gw).max(cx * w / gw + 1));
            let mut n = 0;
            for sy in 0..FOCUS_CELL_SAMPLES {
                let py = y0 + (2 * sy + 1) * (y1 - y0) / (2 * FOCUS_CELL_SAMPLES);
                for sx in 0..FOCUS_CELL_SAMPLES {
                    let px = x0 + (2 * sx + 1) * (x1 - x0) / (2 * FOCUS_CELL_SAMPLES);
                    let [r, g, b, _] = img.get_pixel(px.min(w - 1), py.min(h - 1)).0;
                    samples[n] = f32::from(luma(r.into(), g.into(), b.into()) as u8);
                    n += 1;
                }
            }
            let m = samples.iter().sum::<f32>() / n as f32;
            let i = cy as usize * gwu + cx as usize;
            mean[i] = m;
            density[i] = samples.iter().map(|s| (s - m).abs()).sum::<f32>() / n as f32;
        }
    }
    for y in 0..ghu {
        for x in 0..gwu {
            let at = |x: usize, y: usize| mean[y * gwu + x];
            let dx = at((x + 1).min(gwu - 1), y) - at(x.saturating_sub(1), y);
            let dy = at(x, (y + 1).min(ghu - 1)) - at(x, y.saturating_sub(1));
            density[y * gwu + x] += 0.5 * (dx.abs() + dy.abs());
        }
    }

    let smooth = box_blur_f32(&density, gwu, ghu, FOCUS_WINDOW);
    let centre = |x: usize, y: usize| ((x as f32 + 0.5) / gw as f32, (y as f32 + 0.5) / gh as f32);
    let mut best = (0usize, 0usize);
    let (mut best_score, mut peak) = (f32::MIN, 0f32);
    for y in 0..ghu {
        for x in 0..gwu {
            let d = smooth[y * gwu + x];
            let (fx, fy) = centre(x, y);
            let dist2 = (fx - 0.5).powi(2) + (fy - 0.35).powi(2);
            let score = d * (1.0 + FOCUS_BIAS * (-dist2 / (2.0 * 0.25 * 0.25)).exp());
            if score > best_score {
                best_score = score;
                best = (x, y);
            }
            peak = peak.max(d);
        }
    }
    if peak < FOCUS_FLAT {
        return FLAT_FOCUS;
    }

    // The argmax sits on the edge of a plateau when the busy region is wider than the window;
    // the density centroid around it is the region's centre.
    let (mut sx, mut sy, mut sum) = (0f32, 0f32, 0f32);
    for y in best.1.saturating_sub(FOCUS_WINDOW)..(best.1 + FOCUS_WINDOW + 1).min(ghu) {
        for x in best.0.saturating_sub(FOCUS_WINDOW)..(best.0 + FOCUS_WINDOW + 1).min(gwu) {
            let d = density[y * gwu + x];
            let (fx, fy) = centre(x, y);
            sx += d * fx;
            sy += d * fy;
            sum += d;
        }
    }
    let (fx, fy) = if sum > 0.0 {
        (sx / sum, sy / sum)
    } else {
        centre(best.0, best.1)
    };
    [
        fx.clamp(FOCUS_MARGIN, 1.0 - FOCUS_MARGIN),
        fy.clamp(FOCUS_MARGIN, 1.0 - FOCUS_MARGIN),
    ]
}

/// Rec. 601 luminance in integer maths (weights sum to 256).
#[inline]
fn luma(r: i32, g: i32, b: i32) -> i32 {
    (77 * r + 150 * g + 29 * b + 128) >> 8
}

/// Enhances interleaved 8-bit pixels with `CH` channels (3 or 4; the fourth is left alone).
fn enhance_pixels<const CH: usize>(px: &mut [u8], w: usize, h: usize) {
    if w == 0 || h == 0 {
        return;
    }
    let levels = Levels::measure(px, w, h, CH);
    let recip = reciprocals();

    let lum: Vec<u8> = px
        .chunks_exact(CH)
        .map(|p| levels.lum[luma(p[0].into(), p[1].into(), p[2].into()) as usize])
        .collect();
    let radius = ((w as f32 * CLARITY_RADIUS).round() as usize).max(1);
    let blurred = box_blur_u8(&lum, w, h, radius);
    let detail = clarity_lut();

    for ((p, &y), &bl) in px.chunks_exact_mut(CH).zip(&lum).zip(&blurred) {
        let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
        let (r, g, b) = levels_and_vibrance(r, g, b, i32::from(y), &levels, &recip);
        // Clarity never pushes a channel past black or white: clipping one channel would
        // shift the hue and flatten the highlights it is meant to bring out.
        let d = i32::from(detail[(i32::from(y) - i32::from(bl) + 255) as usize])
            .min(255 - r.max(g).max(b))
            .max(-r.min(g).min(b));
        p[0] = (r + d) as u8;
        p[1] = (g + d) as u8;
        p[2] = (b + d) as u8;
    }
}

/// Auto-levels as two tables indexed by a pixel's luminance: its new luminance, and the factor
/// (in 1/256) its chroma — each channel's distance from the luminance — is scaled by.
struct Levels {
    lum: [u8; 256],
    chroma: [i32; 256],
}

impl Levels {
    /// Measures the photo's 0.5 %/99.5 % luminance percentiles on a sparse sample. Identity
    /// when they already span (nearly) the full range; otherwise a stretch of at most
    /// `LEVELS_MAX_GAIN` whose unused headroom is shared between shadows and highlights in
    /// proportion to where the photo sat (so a dark photo keeps its blacks), eased into black
    /// and white by `soft_clip`. Chroma follows the stretch (as if every channel went through
    /// the same curve) but never gains more than `LEVELS_MAX_SATURATION` relative to
    /// luminance.
    fn measure(px: &[u8], w: usize, h: usize, ch: usize) -> Levels {
        let mut levels = Levels {
            lum: [0; 256],
            chroma: [256; 256],
        };
        for (i, v) in levels.lum.iter_mut().enumerate() {
            *v = i as u8;
        }
        let step = (w / STATS_SAMPLES_WIDE).max(1);
        let mut hist = [0u32; 256];
        let mut n = 0u32;
        for y in (0..h).step_by(step) {
            let row = &px[y * w * ch..(y + 1) * w * ch];
            for p in row.chunks_exact(ch).step_by(step) {
                hist[luma(p[0].into(), p[1].into(), p[2].into()) as usize] += 1;
                n += 1;
            }
        }
        let clip = (f64::from(n) * LEVELS_CLIP) as u32;
        let (lo, hi) = (
            percentile_from_bottom(&hist, clip),
            255 - percentile_from_bottom_rev(&hist, clip),
        );
        if (lo <= LEVELS_SPAN_LO && hi >= LEVELS_SPAN_HI) || hi <= lo {
            return levels;
        }
        let (lo, hi) = (f64::from(lo), f64::from(hi));
        let keep = 1.0 - LEVELS_STRENGTH;
        let (black, white) = (lo * keep, 255.0 - (255.0 - hi) * keep);
        let gain = ((white - black) / (hi - lo)).min(LEVELS_MAX_GAIN);
        let slack = (white - black) - (hi - lo) * gain;
        let out_lo = black + slack * lo / (lo + (255.0 - hi));
        for (i, (l, c)) in levels
            .lum
            .iter_mut()
            .zip(levels.chroma.iter_mut())
            .enumerate()
        {
            let y = soft_clip((i as f64 - lo) * gain + out_lo);
            *l = y.round() as u8;
            let relative = if i == 0 {
                gain
            } else {
                LEVELS_MAX_SATURATION * y / i as f64
            };
            *c = (gain.min(relative) * 256.0).round() as i32;
        }
        levels
    }
}

/// Rolls a stretched level smoothly into 0..255 over the last `LEVELS_KNEE` levels at each
/// end, so the tones beyond the percentiles keep some detail instead of clipping flat.
fn soft_clip(t: f64) -> f64 {
    let (lo, hi) = (LEVELS_KNEE, 255.0 - LEVELS_KNEE);
    let t = if t > hi {
        hi + LEVELS_KNEE * ((t - hi) / LEVELS_KNEE).tanh()
    } else if t < lo {
        lo - LEVELS_KNEE * ((lo - t) / LEVELS_KNEE).tanh()
    } else {
        t
    };
    t.clamp(0.0, 255.0)
}

/// The first grey level with more than `clip` samples at or below it.
fn percentile_from_bottom(hist: &[u32; 256], clip: u32) -> u8 {
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > clip {
            return v as u8;
        }
    }
    255
}

/// Like `percentile_from_bottom` counted from white: how far below 255 the white point is.
fn percentile_from_bottom_rev(hist: &[u32; 256], clip: u32) -> u8 {
    let mut acc = 0;
    for (v, &c) in hist.iter().rev().enumerate() {
        acc += c;
        if acc > clip {
            return v as u8;
        }
    }
    255
}

/// `65536 / v` for each 8-bit `v` (and 65536 for 0), so saturation, hue and the clipping
/// limit need no division.
fn reciprocals() -> [i32; 256] {
    let mut t = [65536i32; 256];
    for (v, r) in t.iter_mut().enumerate().skip(1) {
        *r = (65536 + v as i32 / 2) / v as i32;
    }
    t
}

/// Levels and vibrance in one step: the pixel's chroma is scaled around its new luminance `y`
/// by the levels factor times a vibrance factor that shrinks as its saturation grows (and for
/// skin tones), capped where a channel would clip so the hue holds.
#[inline(always)]
fn levels_and_vibrance(
    r: i32,
    g: i32,
    b: i32,
    y: i32,
    levels: &Levels,
    recip: &[i32; 256],
) -> (i32, i32, i32) {
    let y0 = luma(r, g, b);
    let mx = r.max(g).max(b);
    let mn = r.min(g).min(b);
    let c = mx - mn;
    if c == 0 {
        return (y, y, y);
    }
    let k = levels.chroma[y0 as usize];
    // HSV saturation after levels, in 1/256.
    let top = (y + (((mx - y0) * k) >> 8)).clamp(1, 255);
    let s = ((((c * k) >> 8) * recip[top as usize]) >> 8).min(256);
    let mut boost = (VIBRANCE * (256 - s)) >> 8;
    if r == mx {
        let skin = skin_weight(g, b, c, s, recip);
        boost -= (((boost * (256 - SKIN_SHARE)) >> 8) * skin) >> 8;
    }
    let mut f = (k * (256 + boost)) >> 8;
    let (up, down) = (mx - y0, y0 - mn);
    if up > 0 && y + ((up * f) >> 8) > 255 {
        f = f.min(((255 - y) * recip[up as usize]) >> 8);
    }
    if down > 0 && y - ((down * f) >> 8) < 0 {
        f = f.min((y * recip[down as usize]) >> 8);
    }
    let scale = |v: i32| (y + (((v - y0) * f) >> 8)).clamp(0, 255);
    (scale(r), scale(g), scale(b))
}

/// How much a red-dominant pixel looks like skin, in 1/256: full for hue 0-45 degrees at up to
/// 60 % saturation, fading out by -10 and 55 degrees and by 75 % saturation.
#[inline]
fn skin_weight(g: i32, b: i32, c: i32, s: i32, recip: &[i32; 256]) -> i32 {
    // Hue in degrees when red is the largest channel: -60..=60.
    let hue = ((g - b) * 60 * recip[c as usize]) >> 16;
    let wh = match hue {
        0..=45 => 256,
        46..=54 => (55 - hue) * 256 / 10,
        -9..=-1 => (hue + 10) * 256 / 10,
        _ => return 0,
    };
    let ws = match s {
        ..=154 => 256,
        155..=191 => (192 - s) * 256 / 38,
        _ => return 0,
    };
    (wh * ws) >> 8
}

/// Clarity's luminance change for each difference between a pixel and its blurred
/// surroundings (index = difference + 255): `CLARITY_AMOUNT` of it for small differences,
/// rolled off for large ones so strong edges do not grow halos.
fn clarity_lut() -> [i8; 511] {
    let mut t = [0i8; 511];
    for (i, v) in t.iter_mut().enumerate() {
        let d = i as f32 - 255.0;
        *v = (CLARITY_AMOUNT * d / (1.0 + d.abs() / CLARITY_KNEE)).round() as i8;
    }
    t
}

/// Two passes of a separable running-sum box blur (close to a Gaussian), edges clamped.
fn box_blur_u8(src: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut tmp = vec![0u8; w * h];
    let mut out = vec![0u8; w * h];
    blur_rows(src, &mut tmp, w, r);
    blur_cols(&tmp, &mut out, w, h, r);
    blur_rows(&out, &mut tmp, w, r);
    blur_cols(&tmp, &mut out, w, h, r);
    out
}

/// Fixed-point `1 / (2r + 1)` in 1/65536 and its rounding half.
fn box_scale(r: usize) -> (u32, u32) {
    let n = 2 * r as u32 + 1;
    ((65536 + n / 2) / n, 1 << 15)
}

fn blur_rows(src: &[u8], dst: &mut [u8], w: usize, r: usize) {
    let (inv, half) = box_scale(r);
    for (row, out) in src.chunks_exact(w).zip(dst.chunks_exact_mut(w)) {
        let mut sum = (r as u32 + 1) * u32::from(row[0]);
        for i in 1..=r {
            sum += u32::from(row[i.min(w - 1)]);
        }
        for (x, o) in out.iter_mut().enumerate() {
            *o = ((sum * inv + half) >> 16).min(255) as u8;
            sum += u32::from(row[(x + r + 1).min(w - 1)]);
            sum -= u32::from(row[x.saturating_sub(r)]);
        }
    }
}

fn blur_cols(src: &[u8], dst: &mut [u8], w: usize, h: usize, r: usize) {
    let (inv, half) = box_scale(r);
    let row = |y: usize| &src[y * w..(y + 1) * w];
    let mut sums: Vec<u32> = row(0)
        .iter()
        .map(|&v| (r as u32 + 1) * u32::from(v))
        .collect();
    for i in 1..=r {
        for (s, &v) in sums.iter_mut().zip(row(i.min(h - 1))) {
            *s += u32::from(v);
        }
    }
    for (y, out) in dst.chunks_exact_mut(w).enumerate() {
        let (add, sub) = (row((y + r + 1).min(h - 1)), row(y.saturating_sub(r)));
        for (((o, s), &a), &d) in out.iter_mut().zip(sums.iter_mut()).zip(add).zip(sub) {
            *o = ((*s * inv + half) >> 16).min(255) as u8;
            *s = *s + u32::from(a) - u32::from(d);
        }
    }
}

/// A plain (one pass) box blur of a small float grid, edges clamped.
fn box_blur_f32(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut tmp = vec![0f32; w * h];
    let n = (2 * r + 1) as f32;
    for y in 0..h {
        for x in 0..w {
            let sum: f32 = (0..2 * r + 1)
                .map(|k| src[y * w + (x + k).saturating_sub(r).min(w - 1)])
                .sum();
            tmp[y * w + x] = sum / n;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let sum: f32 = (0..2 * r + 1)
                .map(|k| tmp[(y + k).saturating_sub(r).min(h - 1) * w + x])
                .sum();
            out[y * w + x] = sum / n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    /// A tiny deterministic noise source (xorshift), so tests need no extra crate.
    struct Noise(u32);

    impl Noise {
        fn next(&mut self, spread: i32) -> i32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            (self.0 % (2 * spread as u32 + 1)) as i32 - spread
        }
    }

    /// A photo-like scene: a bluish sky over greenish hills with a warm sun patch, plus noise.
    fn scene(w: u32, h: u32) -> RgbImage {
        let mut noise = Noise(0x2545_f491);
        RgbImage::from_fn(w, h, |x, y| {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let hill = 0.62 + 0.08 * (fx * 9.0).sin();
            let base = if fy < hill {
                let t = fy / hill;
                [120.0 + 90.0 * t, 150.0 + 70.0 * t, 215.0 + 20.0 * t]
            } else {
                let t = (fy - hill) / (1.0 - hill);
                [70.0 - 65.0 * t, 120.0 - 110.0 * t, 50.0 - 45.0 * t]
            };
            let sun = (-((fx - 0.7).powi(2) + (fy - 0.25).powi(2)) / 0.01).exp();
            let n = noise.next(12) as f32;
            let px = [
                base[0] + 120.0 * sun + n,
                base[1] + 110.0 * sun + n,
                base[2] + 30.0 * sun + n,
            ];
            Rgb(px.map(|v| v.clamp(0.0, 255.0) as u8))
        })
    }

    /// The same scene squeezed into 90..160, as a hazy grey-sky shot would be.
    fn hazy_scene(w: u32, h: u32) -> RgbImage {
        let mut img = scene(w, h);
        for p in img.pixels_mut() {
            p.0 = p.0.map(|v| (90 + u32::from(v) * 70 / 255) as u8);
        }
        img
    }

    fn luma_percentile_spread(img: &RgbImage) -> f32 {
        let mut l: Vec<i32> = img
            .pixels()
            .map(|p| luma(p[0].into(), p[1].into(), p[2].into()))
            .collect();
        l.sort_unstable();
        let at = |q: f32| l[((l.len() - 1) as f32 * q) as usize] as f32;
        at(0.99) - at(0.01)
    }

    /// The mean hue in degrees of each image (circular mean of unit hue vectors on opponent
    /// colour axes) over the pixels coloured in both, so a change in how colourful one region
    /// is relative to another does not count as a hue shift.
    fn mean_hues(before: &RgbImage, after: &RgbImage) -> (f64, f64) {
        let opponent = |p: &Rgb<u8>| {
            let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
            (r - (g + b) / 2.0, (g - b) * 3f64.sqrt() / 2.0)
        };
        let mut sums = [0f64; 4];
        for (p, q) in before.pixels().zip(after.pixels()) {
            let ((a0, b0), (a1, b1)) = (opponent(p), opponent(q));
            let (c0, c1) = (a0.hypot(b0), a1.hypot(b1));
            if c0 >= 6.0 && c1 >= 6.0 {
                sums[0] += a0 / c0;
                sums[1] += b0 / c0;
                sums[2] += a1 / c1;
                sums[3] += b1 / c1;
            }
        }
        (
            sums[1].atan2(sums[0]).to_degrees(),
            sums[3].atan2(sums[2]).to_degrees(),
        )
    }

    fn hsv_saturation(p: [u8; 3]) -> f32 {
        let mx = *p.iter().max().unwrap_or(&0) as f32;
        let mn = *p.iter().min().unwrap_or(&0) as f32;
        if mx == 0.0 {
            0.0
        } else {
            (mx - mn) / mx
        }
    }

    #[test]
    fn widens_the_range_of_a_hazy_photo_without_shifting_its_hue() {
        let before = hazy_scene(320, 180);
        let after = enhance(&DynamicImage::ImageRgb8(before.clone())).to_rgb8();
        let (s0, s1) = (
            luma_percentile_spread(&before),
            luma_percentile_spread(&after),
        );
        assert!(s1 > s0 * 1.4, "spread {s0} -> {s1}");
        let (h0, h1) = mean_hues(&before, &after);
        let dh = ((h1 - h0 + 540.0) % 360.0 - 180.0).abs();
        assert!(dh < 3.0, "mean hue {h0} -> {h1}");
    }

    #[test]
    fn leaves_the_levels_of_a_full_range_photo_alone() {
        let photo = scene(320, 180);
        let levels = Levels::measure(photo.as_raw(), 320, 180, 3);
        assert!(levels
            .lum
            .iter()
            .enumerate()
            .all(|(i, &v)| usize::from(v) == i));
        assert!(levels.chroma.iter().all(|&k| k == 256));

        // A grey full-range ramp: vibrance has no colour to act on, so only clarity may move it.
        let mut noise = Noise(7);
        let ramp = RgbImage::from_fn(320, 180, |x, _| {
            let v = (x as i32 * 255 / 319 + noise.next(6)).clamp(0, 255) as u8;
            Rgb([v, v, v])
        });
        let after = enhance(&DynamicImage::ImageRgb8(ramp.clone())).to_rgb8();
        let diff: u64 = ramp
            .as_raw()
            .iter()
            .zip(after.as_raw())
            .map(|(&a, &b)| u64::from(a.abs_diff(b)))
            .sum();
        let mean = diff as f64 / ramp.as_raw().len() as f64;
        assert!(mean < 2.0, "mean abs diff {mean}");
    }

    /// Three colour blocks between black and white bars (so auto-levels stays out of it);
    /// returns each block's centre pixel before and after.
    fn vibrance_blocks(colours: [[u8; 3]; 3]) -> Vec<([u8; 3], [u8; 3])> {
        let img = RgbImage::from_fn(360, 120, |x, y| match (x, y) {
            (_, 0..=9) => Rgb([0, 0, 0]),
            (_, 110..) => Rgb([255, 255, 255]),
            _ => Rgb(colours[(x / 120) as usize]),
        });
        let after = enhance(&DynamicImage::ImageRgb8(img.clone())).to_rgb8();
        (0..3)
            .map(|i| {
                (
                    img.get_pixel(60 + 120 * i, 60).0,
                    after.get_pixel(60 + 120 * i, 60).0,
                )
            })
            .collect()
    }

    #[test]
    fn vibrance_lifts_dull_colours_more_than_saturated_ones_and_spares_skin() {
        let blocks = vibrance_blocks([[110, 125, 160], [220, 30, 30], [224, 172, 138]]);
        let gain = |(b, a): ([u8; 3], [u8; 3])| hsv_saturation(a) - hsv_saturation(b);
        let (blue, red, skin) = (gain(blocks[0]), gain(blocks[1]), gain(blocks[2]));
        assert!(blue > 0.05, "dull blue gained only {blue}");
        assert!(blue > red, "dull blue {blue} vs saturated red {red}");
        assert!(skin.abs() < blue / 3.0, "skin {skin} vs dull blue {blue}");
    }

    #[test]
    fn keeps_alpha_and_size() {
        let img = RgbaImage::from_fn(97, 61, |x, y| {
            Rgba([
                (x * 2) as u8,
                (y * 3) as u8,
                120,
                ((x * 7 + y * 13) % 256) as u8,
            ])
        });
        let after = enhance(&DynamicImage::ImageRgba8(img.clone()));
        assert_eq!((after.width(), after.height()), (97, 61));
        let after = after
            .as_rgba8()
            .map(|a| a.pixels().map(|p| p[3]).collect::<Vec<_>>());
        let alpha: Vec<u8> = img.pixels().map(|p| p[3]).collect();
        assert_eq!(after, Some(alpha));

        let rgb = DynamicImage::ImageRgb8(RgbImage::new(33, 17));
        let out = enhance(&rgb);
        assert_eq!(
            (out.width(), out.height(), out.color().has_alpha()),
            (33, 17, false)
        );
    }

    #[test]
    fn a_flat_photo_focuses_a_little_above_centre() {
        let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(640, 360, Rgb([128, 140, 150])));
        assert_eq!(busiest_focus(&flat), [0.5, 0.4]);
    }

    /// A flat photo with a fine black-and-white checkerboard patch centred on `(cx, cy)`.
    fn checker_patch(w: u32, h: u32, cx: f32, cy: f32, cell: u32) -> DynamicImage {
        let (px, py) = ((cx * w as f32) as i64, (cy * h as f32) as i64);
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as i64 - px, y as i64 - py);
            if dx.abs() < i64::from(w / 10) && dy.abs() < i64::from(h / 8) {
                let v = if ((x / cell) + (y / cell)).is_multiple_of(2) {
                    20
                } else {
                    235
                };
                Rgb([v, v, v])
            } else {
                Rgb([128, 128, 128])
            }
        }))
    }

    #[test]
    fn focuses_on_the_detailed_patch() {
        for (cell, (w, h)) in [(6, (640, 360)), (2, (1280, 720)), (1, (300, 200))] {
            let [x, y] = busiest_focus(&checker_patch(w, h, 0.75, 0.3, cell));
            assert!(
                (x - 0.75).abs() < 0.12 && (y - 0.3).abs() < 0.12,
                "cell {cell} at {w}x{h}: focus {x},{y}"
            );
        }
    }

    #[test]
    fn focus_never_comes_closer_than_the_margin_to_an_edge() {
        let corners = [(0.02, 0.02), (0.98, 0.98), (0.02, 0.95), (0.9, 0.05)];
        for (cx, cy) in corners {
            let [x, y] = busiest_focus(&checker_patch(400, 300, cx, cy, 3));
            assert!(
                (0.15..=0.85).contains(&x) && (0.15..=0.85).contains(&y),
                "{x},{y}"
            );
            assert!(
                (x - 0.5).signum() == (cx - 0.5).signum(),
                "{x} should lean toward {cx}"
            );
        }
        for (w, h) in [(1, 1), (3, 200), (200, 3)] {
            let [x, y] = busiest_focus(&DynamicImage::ImageRgb8(scene(w, h)));
            assert!(
                (0.15..=0.85).contains(&x) && (0.15..=0.85).contains(&y),
                "{w}x{h}: {x},{y}"
            );
        }
    }
}
