//! Variants of a thumbnail that already works: one change at a time, so a creator testing
//! them learns which lever moved the click-through. Published creator tests put background
//! colour and contrast first, then framing (a tighter crop on the subject), an added callout,
//! and the text. Every change keeps skin tones and the rest of the picture as they were.

use image::{imageops::FilterType, DynamicImage, RgbaImage};
use routix_core::Rgb;
use serde::Serialize;
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, Pixmap, Stroke, Transform};

use crate::{
    draw::{pill, shape_path, to_image, to_pixmap},
    fonts::fonts,
    template::{Align, FontChoice, ShapeKind, VAlign},
    text::{self, FitRequest},
    RenderError,
};

/// One dimension a variant changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// The colours around the subject turned `degrees` round the colour wheel, with a tint
    /// of the new colour in flat greys; skin, white and black kept.
    Background { degrees: f32 },
    /// Stronger contrast and saturation.
    Contrast,
    /// Cropped `factor` times closer towards the subject.
    Zoom { factor: f32 },
    /// A callout drawn at the subject.
    Callout { kind: Callout },
    /// A new headline on a bright plate, clear of the subject and the duration badge.
    Headline { text: String },
    /// The layout mirrored left to right, the thumbnail's own title kept readable.
    Mirror,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Callout {
    /// An arrow pointing at the subject from the side with more room.
    Arrow,
    /// A ring round the subject.
    Circle,
    /// A starburst badge in the corner away from the subject, with a word ("NEW").
    Badge,
}

impl Change {
    /// The dimension's name, as each variant records it in `changed`.
    pub fn dimension(&self) -> &'static str {
        match self {
            Change::Background { .. } => "background",
            Change::Contrast => "contrast",
            Change::Zoom { .. } => "zoom",
            Change::Callout { .. } => "callout",
            Change::Headline { .. } => "headline",
            Change::Mirror => "mirror",
        }
    }

    /// What changed, in a few words for a Test & Compare note.
    pub fn describe(&self) -> String {
        match self {
            Change::Background { degrees } => {
                format!("background colour turned {degrees:+.0}° round the wheel (skin kept)")
            }
            Change::Contrast => "stronger contrast and saturation".into(),
            Change::Zoom { factor } => format!("cropped {factor:.2}x closer on the subject"),
            Change::Callout { kind } => match kind {
                Callout::Arrow => "an arrow pointing at the subject".into(),
                Callout::Circle => "a ring round the subject".into(),
                Callout::Badge => "a corner badge".into(),
            },
            Change::Headline { text } => format!("new headline: {text}"),
            Change::Mirror => "layout mirrored (title kept readable)".into(),
        }
    }
}

/// The changes for `count` variants (at most 8), the biggest levers first: a new headline
/// when one is given, background colour, contrast, a tighter crop, an arrow, then a second
/// colour, a ring, the mirrored layout and a badge.
pub fn plan(count: usize, headline: Option<&str>) -> Vec<Change> {
    let mut all = Vec::new();
    if let Some(h) = headline.map(str::trim).filter(|h| !h.is_empty()) {
        all.push(Change::Headline {
            text: h.to_string(),
        });
    }
    all.extend([
        Change::Background { degrees: 150.0 },
        Change::Contrast,
        Change::Zoom { factor: 1.3 },
        Change::Callout {
            kind: Callout::Arrow,
        },
        Change::Background { degrees: -90.0 },
        Change::Callout {
            kind: Callout::Circle,
        },
        Change::Mirror,
        Change::Callout {
            kind: Callout::Badge,
        },
    ]);
    all.truncate(count.min(MAX_VARIANTS));
    all
}

pub const MAX_VARIANTS: usize = 8;

/// Makes one variant of `source` (any size; callers fit it to 1280x720 first). `badge` is
/// the word a badge callout carries, in the request's language.
pub fn apply(source: &RgbaImage, change: &Change, badge: &str) -> Result<RgbaImage, RenderError> {
    let (width, height) = source.dimensions();
    if width < 16 || height < 16 {
        return Err(RenderError::BadSize { width, height });
    }
    let scene = Scene::of(source);
    match change {
        Change::Background { degrees } => Ok(regrade(source, &scene, *degrees)),
        Change::Contrast => Ok(punch(source)),
        Change::Zoom { factor } => Ok(zoom(source, &scene, *factor)),
        Change::Callout { kind } => callout(source, &scene, *kind, badge),
        Change::Headline { text } => headline(source, &scene, text),
        Change::Mirror => Ok(mirror(source, &scene)),
    }
}

/// The picture flipped left to right, then its title (the text block, when one was found)
/// set back the right way round where the flip put it: the backward letters are painted
/// over with the background interpolated across each row, and the original letters are laid
/// on top, their edges blended by how far each pixel is from the background.
fn mirror(img: &RgbaImage, scene: &Scene) -> RgbaImage {
    let mut out = image::imageops::flip_horizontal(img);
    let Some([tx, ty, tw, th]) = scene.text else {
        return out;
    };
    let (w, h) = (img.width() as f32, img.height() as f32);
    let pad = (w * 0.012, h * 0.02);
    let x0 = within(tx * w - pad.0, 0.0, w - 1.0) as u32;
    let x1 = within((tx + tw) * w + pad.0, 0.0, w) as u32;
    let y0 = within(ty * h - pad.1, 0.0, h - 1.0) as u32;
    let y1 = within((ty + th) * h + pad.1, 0.0, h) as u32;
    if x1 <= x0 + 2 || y1 <= y0 {
        return out;
    }
    // Where the flip put the block: columns mirrored.
    let (mx0, mx1) = (img.width() - x1, img.width() - x0);
    for y in y0..y1 {
        let left = (mx0 > 0).then(|| rgb_of(out.get_pixel(mx0 - 1, y)));
        let right = (mx1 < img.width()).then(|| rgb_of(out.get_pixel(mx1, y)));
        let (left, right) = match (left, right) {
            (Some(l), Some(r)) => (l, r),
            (Some(l), None) => (l, l),
            (None, Some(r)) => (r, r),
            (None, None) => continue,
        };
        for x in mx0..mx1 {
            let t = (x - mx0) as f32 / (mx1 - mx0).max(1) as f32;
            let fill = [0, 1, 2].map(|c| left[c] + (right[c] - left[c]) * t);
            let p = out.get_pixel_mut(x, y);
            let keep = scene.background_weight(rgb_of(p), 0.0);
            for c in 0..3 {
                p[c] = (f32::from(p[c]) * keep + fill[c] * (1.0 - keep)).round() as u8;
            }
        }
        for x in x0..x1 {
            let from = img.get_pixel(x, y);
            let letter = 1.0 - scene.background_weight(rgb_of(from), 0.0);
            let p = out.get_pixel_mut(mx0 + (x - x0), y);
            for c in 0..3 {
                p[c] =
                    (f32::from(p[c]) * (1.0 - letter) + f32::from(from[c]) * letter).round() as u8;
            }
        }
    }
    out
}

/// What a variant needs to know about the picture: the background's colours (from the
/// frame's border, where thumbnails show background) and where the subject is.
struct Scene {
    /// Up to three colours of the border, 0–255.
    background: Vec<[f32; 3]>,
    /// The subject's box as fractions `[x, y, w, h]`.
    subject: [f32; 4],
    /// The biggest wide strip of foreground — the thumbnail's own headline or banner.
    text: Option<[f32; 4]>,
}

const GRID: (u32, u32) = (160, 90);
/// Colour distance (RGB, 0–441) under which a pixel counts as background.
const BACKGROUND_NEAR: f32 = 28.0;
const BACKGROUND_FAR: f32 = 60.0;

fn distance(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

fn rgb_of(p: &image::Rgba<u8>) -> [f32; 3] {
    [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
}

impl Scene {
    fn of(img: &RgbaImage) -> Scene {
        let small = image::imageops::resize(img, GRID.0, GRID.1, FilterType::Triangle);
        let (gw, gh) = GRID;
        let band = |x: u32, y: u32| x < 8 || x >= gw - 8 || y < 5 || y >= gh - 5;
        let border: Vec<[f32; 3]> = small
            .enumerate_pixels()
            .filter(|(x, y, _)| band(*x, *y))
            .map(|(_, _, p)| rgb_of(p))
            .collect();
        let background = kmeans(&border, 3);
        let (subject, text) = blobs(&small, &background);
        let subject = subject.unwrap_or_else(|| {
            let [fx, fy] = crate::photo::busiest_focus(&DynamicImage::ImageRgba8(img.clone()));
            [fx - 0.17, fy - 0.28, 0.34, 0.56]
        });
        Scene {
            background,
            subject,
            text,
        }
    }

    /// How far inside the subject's box a point is: 1 well inside, 0 outside, feathered
    /// over 3 % of the frame.
    fn inside_subject(&self, x: f32, y: f32) -> f32 {
        let [sx, sy, sw, sh] = self.subject;
        let edge = (x - sx)
            .min(sx + sw - x)
            .min((y - sy) * 0.5625)
            .min((sy + sh - y) * 0.5625);
        smoothstep(-0.01, 0.03, edge)
    }

    /// How much a colour is background, 0 to 1; `strict` (0 to 1) narrows "near" down to
    /// a third, for pixels inside the subject.
    fn background_weight(&self, c: [f32; 3], strict: f32) -> f32 {
        let d = self
            .background
            .iter()
            .map(|b| distance(*b, c))
            .fold(f32::MAX, f32::min);
        let narrow = 1.0 - 0.66 * strict;
        1.0 - smoothstep(BACKGROUND_NEAR * narrow, BACKGROUND_FAR * narrow, d)
    }

    fn centre(&self) -> [f32; 2] {
        let [x, y, w, h] = self.subject;
        [x + w / 2.0, y + h / 2.0]
    }
}

/// `k` colour centres of `samples` (deterministic: farthest-first seeds, then Lloyd steps).
fn kmeans(samples: &[[f32; 3]], k: usize) -> Vec<[f32; 3]> {
    let Some(first) = samples.first() else {
        return Vec::new();
    };
    let mut centres = vec![*first];
    while centres.len() < k {
        let far = samples.iter().copied().max_by(|a, b| {
            let da = centres
                .iter()
                .map(|c| distance(*c, *a))
                .fold(f32::MAX, f32::min);
            let db = centres
                .iter()
                .map(|c| distance(*c, *b))
                .fold(f32::MAX, f32::min);
            da.total_cmp(&db)
        });
        match far {
            Some(f) if centres.iter().all(|c| distance(*c, f) > BACKGROUND_NEAR) => centres.push(f),
            _ => break,
        }
    }
    for _ in 0..8 {
        let mut sums = vec![([0f32; 3], 0usize); centres.len()];
        for s in samples {
            let nearest = (0..centres.len())
                .min_by(|a, b| distance(centres[*a], *s).total_cmp(&distance(centres[*b], *s)))
                .unwrap_or(0);
            for (sum, v) in sums[nearest].0.iter_mut().zip(s) {
                *sum += v;
            }
            sums[nearest].1 += 1;
        }
        for (centre, (sum, n)) in centres.iter_mut().zip(&sums) {
            if *n > 0 {
                *centre = sum.map(|v| v / *n as f32);
            }
        }
    }
    // A colour a tenth of the border or less is a thing at the edge, not the background.
    let counts: Vec<usize> = centres
        .iter()
        .map(|c| {
            samples
                .iter()
                .filter(|s| {
                    centres
                        .iter()
                        .all(|o| distance(*c, **s) <= distance(*o, **s))
                })
                .count()
        })
        .collect();
    centres
        .into_iter()
        .zip(counts)
        .filter(|(_, n)| *n * 10 >= samples.len())
        .map(|(c, _)| c)
        .collect()
}

/// The foreground's connected parts on the small grid (cells far from every background
/// colour): the subject is the biggest compact one, at least 1.5 % of the frame, not a frame
/// round the picture; the text is the biggest wide one (a line of text or a banner, wider
/// than 2.6 times its height), at least 0.5 %. Boxes as fractions of the picture.
fn blobs(small: &RgbaImage, background: &[[f32; 3]]) -> (Option<[f32; 4]>, Option<[f32; 4]>) {
    let (gw, gh) = small.dimensions();
    let (w, h) = (gw as usize, gh as usize);
    let foreground: Vec<bool> = small
        .pixels()
        .map(|p| {
            let c = rgb_of(p);
            background.iter().all(|b| distance(*b, c) > BACKGROUND_FAR)
        })
        .collect();
    // In the picture's proportions (a grid cell is square in a 16:9 frame).
    let wide = |[x0, y0, x1, y1]: [usize; 4]| (x1 - x0 + 1) as f32 / (y1 - y0 + 1) as f32 > 2.6;
    let frame =
        |[x0, y0, x1, y1]: [usize; 4]| x1 - x0 + 1 >= w * 95 / 100 && y1 - y0 + 1 >= h * 95 / 100;
    let subject = components(&foreground, w, h)
        .into_iter()
        .filter(|(area, b)| {
            let cells = (b[2] - b[0] + 1) * (b[3] - b[1] + 1);
            !wide(*b) && !frame(*b) && area * 1000 >= 15 * w * h && area * 10 >= 3 * cells
        })
        .max_by_key(|(area, _)| *area);
    // Letters join into lines when the gaps between them (two cells) are closed.
    let smeared: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            (x.saturating_sub(2)..(x + 3).min(w)).any(|xx| foreground[y * w + xx])
        })
        .collect();
    let strips: Vec<(usize, [usize; 4])> = components(&smeared, w, h)
        .into_iter()
        // A title's line is at least 6 % of the height; smaller print (a watermark, a
        // channel name, a credit line) is not the title.
        .filter(|(area, b)| {
            wide(*b) && !frame(*b) && area * 1000 >= 2 * w * h && (b[3] - b[1] + 1) * 100 >= 6 * h
        })
        .collect();
    let text = lines_to_block(strips)
        .into_iter()
        .filter(|(area, _)| *area * 1000 >= 5 * w * h)
        .max_by_key(|(area, _)| *area);
    let fractions = |(_, [x0, y0, x1, y1]): (usize, [usize; 4])| {
        [
            x0 as f32 / w as f32,
            y0 as f32 / h as f32,
            (x1 - x0 + 1) as f32 / w as f32,
            (y1 - y0 + 1) as f32 / h as f32,
        ]
    };
    (subject.map(fractions), text.map(fractions))
}

/// The 4-connected parts of `mask` (`w` x `h`): each one's cell count and box `[x0, y0, x1, y1]`.
fn components(mask: &[bool], w: usize, h: usize) -> Vec<(usize, [usize; 4])> {
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        let (mut area, mut x0, mut y0, mut x1, mut y1) = (0, w, h, 0, 0);
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            area += 1;
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            for j in neighbours.into_iter().flatten() {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        out.push((area, [x0, y0, x1, y1]));
    }
    out
}

/// Lines of text stacked into blocks: strips that overlap sideways and sit at most a
/// line's height apart are one block (a two- or three-line title), its area their sum.
fn lines_to_block(mut blocks: Vec<(usize, [usize; 4])>) -> Vec<(usize, [usize; 4])> {
    loop {
        let mut merged = false;
        'outer: for i in 0..blocks.len() {
            for j in i + 1..blocks.len() {
                let ([ax0, ay0, ax1, ay1], [bx0, by0, bx1, by1]) = (blocks[i].1, blocks[j].1);
                let sideways = ax0 <= bx1 && bx0 <= ax1;
                let line = (ay1 - ay0 + 1).max(by1 - by0 + 1);
                let gap = by0.saturating_sub(ay1).max(ay0.saturating_sub(by1));
                if sideways && gap <= line {
                    let area = blocks[i].0 + blocks[j].0;
                    let bounds = [ax0.min(bx0), ay0.min(by0), ax1.max(bx1), ay1.max(by1)];
                    blocks[i] = (area, bounds);
                    blocks.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
        if !merged {
            return blocks;
        }
    }
}

/// How different two images of one size are: the mean absolute channel difference, 0 to 255.
pub fn difference(a: &RgbaImage, b: &RgbaImage) -> f32 {
    if a.dimensions() != b.dimensions() {
        return 255.0;
    }
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f32 / a.as_raw().len().max(1) as f32
}

/// Hue 0..360, saturation and value 0..1.
fn to_hsv(r: f32, g: f32, b: f32) -> (f32, f32, f32) {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    let h = if d <= f32::EPSILON {
        0.0
    } else if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    let s = if max <= f32::EPSILON { 0.0 } else { d / max };
    (h, s, max)
}

fn from_hsv(h: f32, s: f32, v: f32) -> (f32, f32, f32) {
    let c = v * s;
    let hp = h.rem_euclid(360.0) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    (r + m, g + m, b + m)
}

/// `v` kept within `lo..=hi`, `lo` winning when rounding leaves `hi` a hair below it (where
/// `f32::clamp` would panic).
fn within(v: f32, lo: f32, hi: f32) -> f32 {
    v.min(hi).max(lo)
}

fn smoothstep(lo: f32, hi: f32, x: f32) -> f32 {
    let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// How much a colour looks like skin, 0 to 1: warm hues (0–50°) at moderate saturation and
/// enough light — the range that covers skin from pale to dark under thumbnail lighting.
fn skin(h: f32, s: f32, v: f32) -> f32 {
    let hue = if h <= 50.0 {
        1.0 - smoothstep(38.0, 50.0, h)
    } else if h >= 345.0 {
        smoothstep(345.0, 355.0, h)
    } else {
        0.0
    };
    let sat = smoothstep(0.12, 0.2, s) * (1.0 - smoothstep(0.62, 0.75, s));
    hue * sat * smoothstep(0.2, 0.35, v)
}

/// The background turned `degrees` round the wheel: background-coloured pixels that have a
/// colour change hue; grey, dark or washed-out ones take a deep tint of the new colour (so a
/// black background becomes a dark colour). The subject, skin and text are left alone.
fn regrade(img: &RgbaImage, scene: &Scene, degrees: f32) -> RgbaImage {
    let hue = scene
        .background
        .iter()
        .map(|c| to_hsv(c[0] / 255.0, c[1] / 255.0, c[2] / 255.0))
        .filter(|(_, s, _)| *s > 0.15)
        .map(|(h, _, _)| h)
        .next()
        .unwrap_or(0.0);
    let tint_hue = hue + degrees;
    // A background that is itself skin-coloured (orange, peach) changes all the same.
    let skin_background = scene
        .background
        .iter()
        .map(|c| {
            let (h, s, v) = to_hsv(c[0] / 255.0, c[1] / 255.0, c[2] / 255.0);
            skin(h, s, v)
        })
        .fold(0.0, f32::max);
    let mut out = img.clone();
    let (w, h) = (img.width() as f32, img.height() as f32);
    for (x, y, p) in out.enumerate_pixels_mut() {
        // Inside the subject only colours very near the background's change (the sky
        // between a dog's ears, not its tan fur), so nothing outlines the subject's box.
        let inside = scene.inside_subject(x as f32 / w, y as f32 / h);
        let weight = scene.background_weight(rgb_of(p), inside);
        if weight <= 0.0 {
            continue;
        }
        let (r, g, b) = (
            f32::from(p[0]) / 255.0,
            f32::from(p[1]) / 255.0,
            f32::from(p[2]) / 255.0,
        );
        let (h, s, v) = to_hsv(r, g, b);
        let weight = weight * (1.0 - skin(h, s, v) * (1.0 - skin_background));
        let turn = smoothstep(0.06, 0.22, s) * weight;
        let (r2, g2, b2) = from_hsv(h + degrees * turn, s, v);
        let (tr, tg, tb) = from_hsv(tint_hue, 0.9, 0.3 + 0.7 * v);
        let tint = weight * 0.65 * (1.0 - smoothstep(0.15, 0.45, s));
        let mix = |c: f32, t: f32| (c + (t - c) * tint).clamp(0.0, 1.0);
        p[0] = (mix(r2, tr) * 255.0).round() as u8;
        p[1] = (mix(g2, tg) * 255.0).round() as u8;
        p[2] = (mix(b2, tb) * 255.0).round() as u8;
    }
    out
}

fn punch(img: &RgbaImage) -> RgbaImage {
    let n = (img.width() * img.height()).max(1) as f32;
    let mean = img.pixels().map(|p| luma(p[0], p[1], p[2])).sum::<f32>() / n;
    let mut out = img.clone();
    for p in out.pixels_mut() {
        let l = luma(p[0], p[1], p[2]);
        // Contrast round the picture's mean light, then saturation away from the grey.
        let l2 = mean + (l - mean) * 1.3;
        for c in 0..3 {
            let v = f32::from(p[c]);
            let contrasted = v + (l2 - l);
            let saturated = l2 + (contrasted - l2) * 1.35;
            p[c] = saturated.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

fn luma(r: u8, g: u8, b: u8) -> f32 {
    0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b)
}

/// Closer on the subject: never so close that the subject's box leaves the frame.
fn zoom(img: &RgbaImage, scene: &Scene, factor: f32) -> RgbaImage {
    let (w, h) = img.dimensions();
    // The subject and the thumbnail's own text stay whole when they can.
    let [bx, by, bw, bh] = match scene.text {
        Some([tx, ty, tw, th]) => {
            let [sx, sy, sw, sh] = scene.subject;
            let (x0, y0) = (sx.min(tx), sy.min(ty));
            let (x1, y1) = ((sx + sw).max(tx + tw), (sy + sh).max(ty + th));
            [x0, y0, x1 - x0, y1 - y0]
        }
        None => scene.subject,
    };
    let factor = factor.min(0.96 / bw.max(bh).max(0.05)).max(1.1);
    let focus = [bx + bw / 2.0, by + bh / 2.0];
    let cw = ((w as f32 / factor).round() as u32).clamp(1, w);
    let ch = ((h as f32 / factor).round() as u32).clamp(1, h);
    let cx = within(focus[0] * w as f32 - cw as f32 / 2.0, 0.0, (w - cw) as f32) as u32;
    let cy = within(focus[1] * h as f32 - ch as f32 / 2.0, 0.0, (h - ch) as f32) as u32;
    let crop = image::imageops::crop_imm(img, cx, cy, cw, ch).to_image();
    image::imageops::resize(&crop, w, h, FilterType::Lanczos3)
}

fn canvas_of(img: &RgbaImage) -> Result<Pixmap, RenderError> {
    to_pixmap(img).ok_or(RenderError::BadSize {
        width: img.width(),
        height: img.height(),
    })
}

fn paint(c: Rgb) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c.r, c.g, c.b, 255);
    p.anti_alias = true;
    p
}

const CALLOUT: Rgb = Rgb::new(255, 214, 0);
const CALLOUT_RED: Rgb = Rgb::new(235, 32, 40);
const OUTLINE: Rgb = Rgb::new(12, 12, 14);

fn callout(
    img: &RgbaImage,
    scene: &Scene,
    kind: Callout,
    badge: &str,
) -> Result<RgbaImage, RenderError> {
    let mut canvas = canvas_of(img)?;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let [sx, sy, sw, sh] = scene.subject;
    let (bx, by, bw, bh) = (sx * w, sy * h, sw * w, sh * h);
    let [fx, _] = scene.centre().map(|v| v * w);
    let fy = by + bh * 0.45;
    let outline = |width: f32| Stroke {
        width,
        line_join: LineJoin::Round,
        line_cap: LineCap::Round,
        ..Stroke::default()
    };
    match kind {
        Callout::Arrow => {
            // From the side with more room, its tip just short of the subject's edge.
            let (aw, ah) = (w * 0.17, h * 0.15);
            let gap = w * 0.015;
            let from_left = bx > w - (bx + bw);
            let x = if from_left {
                (bx - gap - aw).max(w * 0.01)
            } else {
                (bx + bw + gap).min(w * 0.99 - aw)
            };
            let y = within(fy - ah / 2.0, h * 0.04, h * 0.96 - ah);
            let tilt = if fy > h / 2.0 { -10.0 } else { 10.0 };
            let tilt = if from_left { tilt } else { -tilt };
            if let Some(path) = shape_path(ShapeKind::Arrow, [x, y, aw, ah], tilt, !from_left) {
                canvas.stroke_path(
                    &path,
                    &paint(OUTLINE),
                    &outline(h * 0.018),
                    Transform::identity(),
                    None,
                );
                canvas.fill_path(
                    &path,
                    &paint(CALLOUT_RED),
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
            }
        }
        Callout::Circle => {
            // A ring a little larger than the subject's box.
            let (rw, rh) = ((bw * 1.2).max(w * 0.12), (bh * 1.15).max(h * 0.2));
            let (rw, rh) = (rw.min(w * 0.98), rh.min(h * 0.98));
            let x = within(fx - rw / 2.0, w * 0.01, w * 0.99 - rw);
            let y = within(by + bh / 2.0 - rh / 2.0, h * 0.01, h * 0.99 - rh);
            if let Some(path) = shape_path(ShapeKind::Ring, [x, y, rw, rh], 0.0, false) {
                canvas.stroke_path(
                    &path,
                    &paint(OUTLINE),
                    &outline(h * 0.03),
                    Transform::identity(),
                    None,
                );
                canvas.stroke_path(
                    &path,
                    &paint(CALLOUT_RED),
                    &outline(h * 0.018),
                    Transform::identity(),
                    None,
                );
            }
        }
        Callout::Badge => {
            // The top corner away from the subject (the bottom right is the duration's).
            let size = h * 0.3;
            let x = if fx > w / 2.0 {
                w * 0.03
            } else {
                w * 0.97 - size
            };
            let area = [x, h * 0.04, size, size];
            if let Some(path) = shape_path(ShapeKind::Burst, area, 0.0, false) {
                canvas.stroke_path(
                    &path,
                    &paint(OUTLINE),
                    &outline(h * 0.012),
                    Transform::identity(),
                    None,
                );
                canvas.fill_path(
                    &path,
                    &paint(CALLOUT),
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
            }
            let inner = [
                area[0] + size * 0.2,
                area[1] + size * 0.3,
                size * 0.6,
                size * 0.4,
            ];
            draw_words(&mut canvas, badge, inner, size * 0.3, -8.0)?;
        }
    }
    Ok(to_image(canvas))
}

/// Fits `words` in `area` (at most `max_lines`, shrinking from `size` to a third of it) in
/// the display face, or the Persian one for Persian.
fn fit_words(
    words: &str,
    area: [f32; 4],
    size: f32,
    max_lines: usize,
    (align, valign): (Align, VAlign),
) -> Result<(&'static rustybuzz::Face<'static>, text::Fitted), RenderError> {
    let face = fonts()?.pick(FontChoice::Display, words);
    let fitted = text::fit(
        face,
        &FitRequest {
            slot: "headline",
            text: words,
            area,
            size,
            min_size: (size * 0.33).min(area[3]),
            max_lines,
            line_height: 1.05,
            align,
            valign,
        },
    )?;
    Ok((face, fitted))
}

/// One line of `words` in `area`, filled dark and turned `rotate` degrees about its centre.
fn draw_words(
    canvas: &mut Pixmap,
    words: &str,
    area: [f32; 4],
    size: f32,
    rotate: f32,
) -> Result<(), RenderError> {
    let (face, fitted) = fit_words(words, area, size, 1, (Align::Center, VAlign::Center))?;
    let [x, y, w, h] = area;
    let turn = Transform::from_rotate_at(rotate, x + w / 2.0, y + h / 2.0);
    fill_words(canvas, face, &fitted, turn);
    Ok(())
}

/// A new headline on a yellow plate. Over the thumbnail's own text when it has a line of
/// it (the new words replace the old ones); else where it covers least of the subject: the
/// top left, top right or lower left, above the watermark (YouTube's duration badge covers
/// the bottom right).
fn headline(img: &RgbaImage, scene: &Scene, words: &str) -> Result<RgbaImage, RenderError> {
    let (w, h) = (img.width() as f32, img.height() as f32);
    if let Some([tx, ty, tw, th]) = scene.text {
        let (pw, ph) = (tw * w + w * 0.03, (th * h + h * 0.04).max(h * 0.16));
        let px = within(tx * w - w * 0.015, w * 0.01, w * 0.99 - pw);
        let py = within((ty + th / 2.0) * h - ph / 2.0, h * 0.01, h * 0.99 - ph);
        let area = [px + pw * 0.04, py + ph * 0.08, pw * 0.92, ph * 0.84];
        let mut canvas = canvas_of(img)?;
        let plate = [px, py, pw, ph];
        let shadow = [px + h * 0.012, py + h * 0.012, pw, ph];
        plate_rect(&mut canvas, shadow, OUTLINE, 0.85);
        plate_rect(&mut canvas, plate, CALLOUT, 1.0);
        let centred = (Align::Center, VAlign::Center);
        if let Ok((face, fitted)) = fit_words(words, area, ph * 0.8, 2, centred) {
            fill_words(&mut canvas, face, &fitted, Transform::identity());
            return Ok(to_image(canvas));
        }
    }
    let mut canvas = canvas_of(img)?;
    let (bw, bh) = (w * 0.48, h * 0.34);
    let [sx, sy, sw, sh] = scene.subject;
    let overlap = |x: f32, y: f32| {
        let ox = ((x + bw).min((sx + sw) * w) - x.max(sx * w)).max(0.0);
        let oy = ((y + bh).min((sy + sh) * h) - y.max(sy * h)).max(0.0);
        ox * oy
    };
    // (x, y, right-aligned, top); the low one stays above the free plan's watermark.
    let spots = [
        (w * 0.03, h * 0.06, false, true),
        (w * 0.97 - bw, h * 0.06, true, true),
        (w * 0.03, h * 0.86 - bh, false, false),
    ];
    let (x, y, right, top) = spots
        .into_iter()
        .min_by(|a, b| overlap(a.0, a.1).total_cmp(&overlap(b.0, b.1)))
        .unwrap_or(spots[0]);
    let side = if right { Align::End } else { Align::Start };
    let edge = if top { VAlign::Top } else { VAlign::Bottom };
    let (face, fitted) = fit_words(words, [x, y, bw, bh], h * 0.2, 2, (side, edge))?;
    let pad = fitted.layout.size * 0.22;
    for line in &fitted.layout.lines {
        let plate = [
            line.x - pad,
            line.y - pad * 0.3,
            line.width + 2.0 * pad,
            line.height + pad * 0.6,
        ];
        let shadow = [
            plate[0] + pad * 0.4,
            plate[1] + pad * 0.4,
            plate[2],
            plate[3],
        ];
        plate_rect(&mut canvas, shadow, OUTLINE, 0.85);
        plate_rect(&mut canvas, plate, CALLOUT, 1.0);
    }
    fill_words(&mut canvas, face, &fitted, Transform::identity());
    Ok(to_image(canvas))
}

fn fill_words(
    canvas: &mut Pixmap,
    face: &rustybuzz::Face<'_>,
    fitted: &text::Fitted,
    transform: Transform,
) {
    for &(i, x, baseline, scale) in &fitted.placements {
        if let Some(path) = text::word_path(face, &fitted.words[i], x, baseline, scale) {
            canvas.fill_path(&path, &paint(OUTLINE), FillRule::Winding, transform, None);
        }
    }
}

fn plate_rect(canvas: &mut Pixmap, px: [f32; 4], c: Rgb, opacity: f32) {
    match shape_path(ShapeKind::Rect, px, -1.5, false) {
        Some(path) => {
            let mut p = paint(c);
            p.set_color_rgba8(c.r, c.g, c.b, (opacity * 255.0) as u8);
            canvas.fill_path(&path, &p, FillRule::Winding, Transform::identity(), None);
        }
        None => pill(canvas, px, c, opacity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thumbnail-like picture: a blue-to-purple background, a face-coloured oval on the
    /// left, a white block of "text" on the right.
    fn sample() -> RgbaImage {
        RgbaImage::from_fn(640, 360, |x, y| {
            let (dx, dy) = (x as f32 - 200.0, y as f32 - 180.0);
            if (dx / 90.0).powi(2) + (dy / 120.0).powi(2) <= 1.0 {
                image::Rgba([224, 172, 140, 255])
            } else if (400..600).contains(&x) && (60..140).contains(&y) && (x / 12) % 2 == 0 {
                image::Rgba([255, 255, 255, 255])
            } else {
                let t = x as f32 / 640.0;
                image::Rgba([(40.0 + 90.0 * t) as u8, 60, (200.0 - 40.0 * t) as u8, 255])
            }
        })
    }

    #[test]
    fn the_plan_puts_a_given_headline_first_and_never_repeats_a_change() {
        let plan = plan(8, Some("I QUIT?"));
        assert_eq!(plan.len(), 8);
        assert_eq!(plan[0].dimension(), "headline");
        for (i, a) in plan.iter().enumerate() {
            assert!(plan[i + 1..].iter().all(|b| b != a), "{a:?} twice");
        }
        let four = super::plan(4, None);
        let dims: Vec<_> = four.iter().map(Change::dimension).collect();
        assert_eq!(dims, ["background", "contrast", "zoom", "callout"]);
        assert_eq!(super::plan(20, None).len(), MAX_VARIANTS);
    }

    #[test]
    fn every_change_differs_from_the_source_and_from_the_others() {
        let source = sample();
        let made: Vec<RgbaImage> = plan(8, Some("NEW SEASON"))
            .iter()
            .map(|c| apply(&source, c, "NEW").unwrap())
            .collect();
        for (i, a) in made.iter().enumerate() {
            assert_eq!(a.dimensions(), source.dimensions());
            let d = difference(a, &source);
            assert!(d > 1.0, "variant {i} is the source again ({d})");
            for (j, b) in made.iter().enumerate().skip(i + 1) {
                let d = difference(a, b);
                assert!(d > 1.0, "variants {i} and {j} look the same ({d})");
            }
        }
    }

    #[test]
    fn the_subject_is_the_compact_thing_not_the_text_or_the_background() {
        let source = sample();
        let scene = Scene::of(&source);
        let [x, y, w, h] = scene.subject;
        // The face: 110..290 x 60..300 of 640x360.
        assert!(
            (x - 0.17).abs() < 0.03 && (w - 0.28).abs() < 0.04,
            "{:?}",
            scene.subject
        );
        assert!(
            (y - 0.17).abs() < 0.04 && (h - 0.66).abs() < 0.05,
            "{:?}",
            scene.subject
        );
        assert!(scene.background_weight([60.0, 60.0, 190.0], 0.0) > 0.9);
        assert!(scene.background_weight([224.0, 172.0, 140.0], 0.0) < 0.1);
    }

    #[test]
    fn a_background_change_keeps_the_subject_skin_and_text() {
        let source = sample();
        let out = regrade(&source, &Scene::of(&source), 150.0);
        assert_eq!(out.get_pixel(200, 180), source.get_pixel(200, 180), "skin");
        assert_eq!(out.get_pixel(408, 100), source.get_pixel(408, 100), "white");
        let bg = (source.get_pixel(620, 300), out.get_pixel(620, 300));
        assert!(
            bg.0 .0[..3]
                .iter()
                .zip(&bg.1 .0[..3])
                .map(|(a, b)| a.abs_diff(*b) as u32)
                .sum::<u32>()
                > 60,
            "background {bg:?}"
        );
    }

    #[test]
    fn grey_black_and_skin_coloured_backgrounds_change_colour_too() {
        for colour in [[120, 120, 120, 255], [0, 0, 0, 255], [250, 170, 90, 255]] {
            let flat = RgbaImage::from_pixel(64, 36, image::Rgba(colour));
            let out = regrade(&flat, &Scene::of(&flat), 150.0);
            assert!(difference(&out, &flat) > 8.0, "{colour:?}");
        }
    }

    #[test]
    fn every_change_works_on_any_picture() {
        // A subject filling the frame once made a ring's bounds cross by a rounding error.
        let filled = RgbaImage::from_fn(1280, 720, |x, y| {
            if (40..1240).contains(&x) && (20..700).contains(&y) {
                image::Rgba([230, 40, 40, 255])
            } else {
                image::Rgba([10, 10, 10, 255])
            }
        });
        let flat = RgbaImage::from_pixel(1280, 720, image::Rgba([30, 90, 200, 255]));
        for picture in [filled, flat, sample()] {
            for change in plan(8, Some("WOW")).iter().chain(&plan(8, None)) {
                let out = apply(&picture, change, "NEW").unwrap();
                assert_eq!(out.dimensions(), picture.dimensions());
            }
        }
        let tiny = RgbaImage::new(8, 8);
        assert!(apply(&tiny, &Change::Contrast, "NEW").is_err());
    }

    #[test]
    fn a_mirror_moves_the_subject_across_and_keeps_the_title_the_right_way_round() {
        // A face on the left; on the right a title of "letters" that read differently
        // backwards: a thick stroke, then a thin one.
        let source = RgbaImage::from_fn(640, 360, |x, y| {
            let (dx, dy) = (x as f32 - 150.0, y as f32 - 200.0);
            let letter = (380..600).contains(&x) && (60..110).contains(&y) && {
                let i = (x - 380) % 20;
                i < 6 || (10..12).contains(&i)
            };
            if (dx / 80.0).powi(2) + (dy / 110.0).powi(2) <= 1.0 {
                image::Rgba([224, 172, 140, 255])
            } else if letter {
                image::Rgba([255, 255, 255, 255])
            } else {
                image::Rgba([30, 60, 180, 255])
            }
        });
        let scene = Scene::of(&source);
        assert!(scene.text.is_some(), "the title is found");
        let out = mirror(&source, &scene);
        assert_eq!(
            out.get_pixel(489, 200),
            source.get_pixel(150, 200),
            "face moved"
        );
        // The white runs along a row through the title, in reading order.
        let runs = |img: &RgbaImage| {
            let mut runs = Vec::new();
            let mut run = 0;
            for x in 0..img.width() {
                if img.get_pixel(x, 85)[0] > 200 {
                    run += 1;
                } else if run > 0 {
                    runs.push(run);
                    run = 0;
                }
            }
            runs
        };
        let before = runs(&source);
        assert_eq!(&before[..2], &[6, 2]);
        // Same letters, same order, nothing backward left over.
        assert_eq!(runs(&out), before);
        // And they moved to the left half.
        assert!((0..320).any(|x| out.get_pixel(x, 85)[0] > 200));
        assert!((320..640).all(|x| out.get_pixel(x, 85)[0] <= 200));
    }

    #[test]
    fn a_zoom_keeps_the_size_and_moves_towards_the_subject() {
        let source = sample();
        let out = zoom(&source, &Scene::of(&source), 1.6);
        assert_eq!(out.dimensions(), source.dimensions());
        // The face (left third) now fills more of the frame, and all of it is still in.
        let skin_pixels = |img: &RgbaImage| {
            img.pixels()
                .filter(|p| p[0] > 200 && p[1] > 150 && p[1] < 190)
                .count()
        };
        assert!(skin_pixels(&out) > skin_pixels(&source) * 3 / 2);
        let top_row_skin = (0..640).filter(|x| out.get_pixel(*x, 0)[0] > 200).count();
        assert_eq!(top_row_skin, 0, "the face is cut at the top");
    }

    #[test]
    fn a_headline_plate_sits_away_from_the_subject_and_clear_of_the_duration_badge() {
        let source = sample();
        let out = headline(&source, &Scene::of(&source), "100 DAYS").unwrap();
        let changed = |x0: u32, x1: u32, y0: u32, y1: u32| {
            let mut n = 0;
            for y in y0..y1 {
                for x in x0..x1 {
                    n += u32::from(out.get_pixel(x, y) != source.get_pixel(x, y));
                }
            }
            n
        };
        // Subject on the left: the plate goes top right; bottom right stays as it was.
        assert!(changed(320, 640, 0, 140) > 3000);
        assert_eq!(changed(520, 640, 290, 360), 0);
        assert_eq!(changed(0, 160, 100, 300), 0);
        // Persian too, without error.
        headline(&source, &Scene::of(&source), "صد روز").unwrap();
    }
}
