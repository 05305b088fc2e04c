//! Style DNA: what a thumbnail looks like, measured offline from its pixels so the template
//! bank can be searched by look. Everything works on small copies of the picture — a grid
//! whose longer side is 320 cells (the size thumbnails are judged at in a feed) for tone,
//! edges, text and subject, and 160 point samples across for the palette — so a 1280x720
//! image takes a few milliseconds. Colours are compared in CIELAB, where a distance (ΔE) is
//! roughly what the eye sees. The result is deterministic: no randomness, fixed iteration
//! orders, so the same pixels always give the same DNA. Alpha is ignored (thumbnails are
//! opaque); the vision-model fields (`description`, `mood`, `has_face`) are left `None`.

use std::borrow::Cow;

use image::DynamicImage;
use routix_core::bank::{Composition, Place, StyleDna, Swatch};

/// The longer side of the analysis grid (box-averaged in linear light).
const GRID_LONG: u32 = 320;
/// The longer side of the point-sampled grid the palette is clustered from. Point samples,
/// not averages, so anti-aliased edges do not invent blend colours.
const PALETTE_LONG: u32 = 160;

/// Most colours the palette reports.
const PALETTE_K: usize = 5;
/// Lab bin size the palette samples are pre-grouped by before clustering (ΔE units).
const PALETTE_BIN: f32 = 3.0;
/// Seeding stops early when every sample is this close (ΔE) to a seed: the picture has
/// fewer distinct colours than `PALETTE_K`.
const PALETTE_SEED_MIN_DE: f32 = 6.0;
/// Clusters closer than this (ΔE) are one colour and are merged.
const PALETTE_MERGE_DE: f32 = 10.0;
/// Clusters lighter than this share of the picture are folded into their nearest neighbour.
const PALETTE_MIN_WEIGHT: f32 = 0.01;
const PALETTE_ITERATIONS: usize = 30;

/// Chroma (C*) counted as fully saturated: pure sRGB red is about 104, green 120, blue 133.
/// Each pixel's C* / 100 is clamped to 1 before averaging.
const CHROMA_FULL: f32 = 100.0;
/// Percentiles of L* whose distance is the contrast.
const CONTRAST_LO: f32 = 0.05;
const CONTRAST_HI: f32 = 0.95;

/// A Sobel gradient (normalised to L* units per cell) at least this strong is an edge.
const EDGE_STRONG: f32 = 15.0;
/// Energy's inputs are counted as "full" at these values: saturation 0.5 (half the frame
/// vivid), contrast 0.8 (near black to near white), a fifth of the cells on strong edges.
const ENERGY_SATURATION_FULL: f32 = 0.5;
const ENERGY_CONTRAST_FULL: f32 = 0.8;
const ENERGY_EDGES_FULL: f32 = 0.2;
/// Energy's blend weights (sum to 1).
const ENERGY_W_SATURATION: f32 = 0.35;
const ENERGY_W_CONTRAST: f32 = 0.3;
const ENERGY_W_EDGES: f32 = 0.35;

/// Text: a cell is stroke when its L* differs from the local mean (a window of
/// `short side / TEXT_WINDOW_DIV` radius) by more than this, brighter or darker.
const TEXT_OFFSET: f32 = 14.0;
const TEXT_WINDOW_DIV: usize = 12;
/// Glyph height as a share of the grid's short side, and never below this many cells.
const GLYPH_MIN_H: f32 = 0.03;
const GLYPH_MIN_CELLS: usize = 5;
const GLYPH_MAX_H: f32 = 0.45;
/// The widest a glyph may be for its height, and how much of its box it may fill.
const GLYPH_MAX_ASPECT: f32 = 1.6;
const GLYPH_FILL: (f32, f32) = (0.15, 0.85);
/// Estimated stroke width (2 × area / boundary) may be at most this share of the height:
/// letters are drawn with strokes, blobs are solid.
const GLYPH_MAX_STROKE: f32 = 0.35;
/// Mean difference from the local mean (L*) a glyph needs: thumbnail text is loud.
const GLYPH_MIN_CONTRAST: f32 = 20.0;
/// Neighbours in a line: heights within this ratio, stroke widths within this ratio, tops or
/// bottoms (caps, or a baseline) level to this share of the taller one, and a gap of at most
/// this many heights. Real lettering is this regular; blobs of a texture are not.
const LINE_HEIGHT_RATIO: f32 = 1.3;
const LINE_STROKE_RATIO: f32 = 1.6;
const LINE_ALIGN: f32 = 0.15;
const LINE_MAX_GAP: f32 = 1.2;
/// Letters' boxes may overlap this share of the taller height (italics, tight kerning), no more.
const LINE_MAX_OVERLAP: f32 = 0.2;
/// Glyphs a line needs to count as text.
const LINE_MIN_GLYPHS: usize = 3;

/// Saliency: the surroundings a cell is compared with are a box of this share of the grid's
/// width (radius); edge density is smoothed over this share.
const SURROUND_RADIUS: f32 = 0.25;
const EDGE_BLUR_RADIUS: f32 = 0.025;
/// ΔE-equivalent of a fully edged neighbourhood.
const SALIENCY_EDGE_WEIGHT: f32 = 30.0;
/// Saliency below this (ΔE) is background; only the excess counts as subject mass.
const SALIENCY_FLOOR: f32 = 15.0;
/// Mean excess saliency per cell below which no subject is reported.
const SALIENCY_MIN_MEAN: f32 = 0.5;

/// A side (left/right, top/bottom) wins when its third holds at least the middle's mass and
/// this much more of the total than the opposite third.
const PLACE_MARGIN: f32 = 0.15;

/// Measures `img`'s style DNA: palette, tone, energy, text and subject placement.
pub fn style_dna(img: &DynamicImage) -> StyleDna {
    let source = Source::new(img);
    let grid = Grid::from_source(&source, GRID_LONG);
    if grid.cells.is_empty() {
        return StyleDna {
            palette: Vec::new(),
            brightness: 0.0,
            contrast: 0.0,
            saturation: 0.0,
            energy: 1,
            composition: Composition {
                text: Place::None,
                subject: Place::None,
            },
            has_text: false,
            description: None,
            mood: None,
            has_face: None,
        };
    }
    let tone = Tone::measure(&grid);
    let edges = grid.strong_edges();
    let edge_density = edges.iter().filter(|&&e| e).count() as f32 / edges.len() as f32;
    let lines = text_lines(&grid);
    let text_place = place_of(
        lines
            .iter()
            .flat_map(|l| l.glyphs.iter())
            .map(|g| (g.centre(), g.area as f32)),
        grid.w,
        grid.h,
    );
    let subject = subject_place(&grid, &edges, &lines);

    StyleDna {
        palette: palette(&source),
        brightness: round3(tone.brightness),
        contrast: round3(tone.contrast),
        saturation: round3(tone.saturation),
        energy: energy(tone.saturation, tone.contrast, edge_density),
        composition: Composition {
            text: text_place,
            subject,
        },
        has_text: !lines.is_empty(),
        description: None,
        mood: None,
        has_face: None,
    }
}

/// Three decimals are plenty for search and keep stored DNA readable.
fn round3(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// 1 (calm) to 10 (loud): a weighted blend of saturation, contrast and edge density, each
/// capped at its "full" value, mapped linearly onto 1..10.
fn energy(saturation: f32, contrast: f32, edge_density: f32) -> u8 {
    let e = ENERGY_W_SATURATION * (saturation / ENERGY_SATURATION_FULL).min(1.0)
        + ENERGY_W_CONTRAST * (contrast / ENERGY_CONTRAST_FULL).min(1.0)
        + ENERGY_W_EDGES * (edge_density / ENERGY_EDGES_FULL).min(1.0);
    (1.0 + 9.0 * e).round().clamp(1.0, 10.0) as u8
}

/// The picture's 8-bit RGB pixels, borrowed when already RGB(A)8.
struct Source<'a> {
    raw: Cow<'a, [u8]>,
    channels: usize,
    w: u32,
    h: u32,
}

impl<'a> Source<'a> {
    fn new(img: &'a DynamicImage) -> Source<'a> {
        let (w, h) = (img.width(), img.height());
        match img {
            DynamicImage::ImageRgb8(b) => Source {
                raw: Cow::Borrowed(b.as_raw()),
                channels: 3,
                w,
                h,
            },
            DynamicImage::ImageRgba8(b) => Source {
                raw: Cow::Borrowed(b.as_raw()),
                channels: 4,
                w,
                h,
            },
            other => Source {
                raw: Cow::Owned(other.to_rgb8().into_raw()),
                channels: 3,
                w,
                h,
            },
        }
    }

    fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.w as usize + x as usize) * self.channels;
        [self.raw[i], self.raw[i + 1], self.raw[i + 2]]
    }

    /// Grid size with the longer side at most `long` (never upscaled, never zero when the
    /// picture is not empty).
    fn grid_size(&self, long: u32) -> (u32, u32) {
        let (w, h) = (u64::from(self.w), u64::from(self.h));
        let longer = w.max(h);
        if longer <= u64::from(long) {
            return (self.w, self.h);
        }
        let scale = |side: u64| ((side * u64::from(long) + longer / 2) / longer).max(1) as u32;
        (scale(w), scale(h))
    }
}

/// A small Lab copy of the picture.
struct Grid {
    w: usize,
    h: usize,
    cells: Vec<[f32; 3]>,
}

impl Grid {
    /// Box-averages `source` in linear light down to a grid with the longer side `long`.
    fn from_source(source: &Source, long: u32) -> Grid {
        let (gw, gh) = source.grid_size(long);
        let lut = linear_lut();
        let mut cells = Vec::with_capacity(gw as usize * gh as usize);
        if source.w == 0 || source.h == 0 {
            return Grid { w: 0, h: 0, cells };
        }
        for gy in 0..gh {
            let (y0, y1) = span(gy, gh, source.h);
            for gx in 0..gw {
                let (x0, x1) = span(gx, gw, source.w);
                let mut sum = [0f32; 3];
                for y in y0..y1 {
                    for x in x0..x1 {
                        let [r, g, b] = source.rgb(x, y);
                        sum[0] += lut[r as usize];
                        sum[1] += lut[g as usize];
                        sum[2] += lut[b as usize];
                    }
                }
                let n = ((y1 - y0) * (x1 - x0)) as f32;
                cells.push(lab_from_linear(sum.map(|s| s / n)));
            }
        }
        Grid {
            w: gw as usize,
            h: gh as usize,
            cells,
        }
    }

    fn l(&self, x: usize, y: usize) -> f32 {
        self.cells[y * self.w + x][0]
    }

    /// Cells on a strong lightness edge (3x3 Sobel, normalised so a sharp step of ΔL reads
    /// about ΔL; borders clamp).
    fn strong_edges(&self) -> Vec<bool> {
        let (w, h) = (self.w, self.h);
        let mut out = vec![false; w * h];
        for y in 0..h {
            let (ya, yb) = (y.saturating_sub(1), (y + 1).min(h - 1));
            for x in 0..w {
                let (xa, xb) = (x.saturating_sub(1), (x + 1).min(w - 1));
                let gx = (self.l(xb, ya) + 2.0 * self.l(xb, y) + self.l(xb, yb))
                    - (self.l(xa, ya) + 2.0 * self.l(xa, y) + self.l(xa, yb));
                let gy = (self.l(xa, yb) + 2.0 * self.l(x, yb) + self.l(xb, yb))
                    - (self.l(xa, ya) + 2.0 * self.l(x, ya) + self.l(xb, ya));
                out[y * w + x] = (gx * gx + gy * gy).sqrt() / 4.0 >= EDGE_STRONG;
            }
        }
        out
    }
}

/// The source pixels `[start, end)` grid cell `i` of `n` covers along a side of `len`.
fn span(i: u32, n: u32, len: u32) -> (u32, u32) {
    let start = (u64::from(i) * u64::from(len) / u64::from(n)) as u32;
    let end = (u64::from(i + 1) * u64::from(len) / u64::from(n)) as u32;
    (start, end.max(start + 1).min(len))
}

/// Brightness, contrast and saturation.
struct Tone {
    brightness: f32,
    contrast: f32,
    saturation: f32,
}

impl Tone {
    /// Brightness is mean L*/100; contrast the 5th-to-95th percentile spread of L*/100;
    /// saturation the mean of each cell's C*/100 clamped to 1.
    fn measure(grid: &Grid) -> Tone {
        const BINS: usize = 1001;
        let mut histogram = [0u32; BINS];
        let (mut l_sum, mut c_sum) = (0f64, 0f64);
        for &[l, a, b] in &grid.cells {
            l_sum += f64::from(l);
            c_sum += f64::from(((a * a + b * b).sqrt() / CHROMA_FULL).min(1.0));
            histogram[((l * 10.0).round() as usize).min(BINS - 1)] += 1;
        }
        let n = grid.cells.len() as f64;
        let percentile = |p: f32| {
            let target = (p * grid.cells.len() as f32).ceil().max(1.0) as u32;
            let mut seen = 0;
            for (i, &count) in histogram.iter().enumerate() {
                seen += count;
                if seen >= target {
                    return i as f32 / 10.0;
                }
            }
            100.0
        };
        Tone {
            brightness: ((l_sum / n) as f32 / 100.0).clamp(0.0, 1.0),
            contrast: ((percentile(CONTRAST_HI) - percentile(CONTRAST_LO)) / 100.0).clamp(0.0, 1.0),
            saturation: ((c_sum / n) as f32).clamp(0.0, 1.0),
        }
    }
}

/// Up to five dominant colours, heaviest first, with weights summing to 1.
///
/// Point samples (longer side 160) are grouped into small Lab bins, then clustered by
/// weighted k-means (k = 5). Seeds are chosen deterministically: the heaviest bin first,
/// then repeatedly the bin with the largest weight × squared distance to its nearest seed
/// (a greedy k-means++), stopping early when every bin is within ΔE 6 of a seed. Afterwards
/// clusters within ΔE 10 of each other are merged and clusters under 1 % of the picture are
/// folded into their nearest neighbour, so a two-colour picture reports two colours and a
/// flat one one: fewer than five entries means the picture has fewer distinct colours.
fn palette(source: &Source) -> Vec<Swatch> {
    let (pw, ph) = source.grid_size(PALETTE_LONG);
    if pw == 0 || ph == 0 {
        return Vec::new();
    }
    let lut = linear_lut();
    let mut samples: Vec<(u32, [f32; 3])> = Vec::with_capacity(pw as usize * ph as usize);
    for py in 0..ph {
        let y = ((2 * u64::from(py) + 1) * u64::from(source.h) / (2 * u64::from(ph))) as u32;
        for px in 0..pw {
            let x = ((2 * u64::from(px) + 1) * u64::from(source.w) / (2 * u64::from(pw))) as u32;
            let [r, g, b] = source.rgb(x.min(source.w - 1), y.min(source.h - 1));
            let lab = lab_from_linear([lut[r as usize], lut[g as usize], lut[b as usize]]);
            samples.push((bin_key(lab), lab));
        }
    }
    let total = samples.len() as f32;
    samples.sort_by_key(|s| s.0);

    // Bins: (weight, mean Lab).
    let mut bins: Vec<(f32, [f32; 3])> = Vec::new();
    let mut last_key = None;
    for (key, lab) in samples {
        match bins.last_mut() {
            Some((n, sum)) if last_key == Some(key) => {
                *n += 1.0;
                for (s, v) in sum.iter_mut().zip(lab) {
                    *s += v;
                }
            }
            _ => bins.push((1.0, lab)),
        }
        last_key = Some(key);
    }
    for (n, sum) in &mut bins {
        *sum = sum.map(|s| s / *n);
    }

    let mut centroids = seed(&bins);
    let mut assignment = vec![0usize; bins.len()];
    for _ in 0..PALETTE_ITERATIONS {
        for (slot, (_, lab)) in assignment.iter_mut().zip(&bins) {
            *slot = nearest(&centroids, *lab);
        }
        let mut sums = vec![(0f32, [0f32; 3]); centroids.len()];
        for (&c, (n, lab)) in assignment.iter().zip(&bins) {
            sums[c].0 += n;
            for (s, v) in sums[c].1.iter_mut().zip(lab) {
                *s += n * v;
            }
        }
        let mut moved = 0f32;
        for (centroid, (n, sum)) in centroids.iter_mut().zip(&sums) {
            if *n > 0.0 {
                let next = sum.map(|s| s / n);
                moved = moved.max(delta_e(*centroid, next));
                *centroid = next;
            }
        }
        if moved < 0.01 {
            break;
        }
    }
    let mut clusters: Vec<(f32, [f32; 3])> = centroids.iter().map(|&c| (0.0, c)).collect();
    for (&c, (n, _)) in assignment.iter().zip(&bins) {
        clusters[c].0 += n;
    }
    clusters.retain(|c| c.0 > 0.0);
    merge_clusters(&mut clusters);

    let mut swatches: Vec<Swatch> = clusters
        .iter()
        .map(|(n, lab)| Swatch {
            hex: hex_from_lab(*lab),
            weight: n / total,
        })
        .collect();
    swatches.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.hex.cmp(&b.hex)));
    swatches
}

/// Greedy k-means++ seeds over weighted bins (see `palette`).
fn seed(bins: &[(f32, [f32; 3])]) -> Vec<[f32; 3]> {
    let mut seeds = Vec::with_capacity(PALETTE_K);
    let Some(first) = bins.iter().max_by(|a, b| a.0.total_cmp(&b.0)) else {
        return seeds;
    };
    seeds.push(first.1);
    let mut dist: Vec<f32> = bins.iter().map(|b| delta_e(b.1, first.1)).collect();
    while seeds.len() < PALETTE_K {
        let best = bins
            .iter()
            .zip(&dist)
            .enumerate()
            .filter(|(_, (_, &d))| d >= PALETTE_SEED_MIN_DE)
            .max_by(|(_, (a, da)), (_, (b, db))| (a.0 * *da * *da).total_cmp(&(b.0 * *db * *db)));
        let Some((i, _)) = best else { break };
        let next = bins[i].1;
        seeds.push(next);
        for (d, b) in dist.iter_mut().zip(bins) {
            *d = d.min(delta_e(b.1, next));
        }
    }
    seeds
}

/// Merges clusters within `PALETTE_MERGE_DE` (closest pair first), then folds clusters under
/// `PALETTE_MIN_WEIGHT` into their nearest neighbour (lightest first). Merged centroids are
/// weighted means.
fn merge_clusters(clusters: &mut Vec<(f32, [f32; 3])>) {
    let total: f32 = clusters.iter().map(|c| c.0).sum();
    let closest_pair = |clusters: &[(f32, [f32; 3])]| {
        let mut best: Option<(usize, usize, f32)> = None;
        for i in 0..clusters.len() {
            for j in i + 1..clusters.len() {
                let d = delta_e(clusters[i].1, clusters[j].1);
                if best.is_none_or(|(_, _, bd)| d < bd) {
                    best = Some((i, j, d));
                }
            }
        }
        best
    };
    let fold = |clusters: &mut Vec<(f32, [f32; 3])>, keep: usize, gone: usize| {
        let (nk, ck) = clusters[keep];
        let (ng, cg) = clusters[gone];
        let n = nk + ng;
        clusters[keep] = (n, std::array::from_fn(|k| (ck[k] * nk + cg[k] * ng) / n));
        clusters.remove(gone);
    };
    while let Some((i, j, d)) = closest_pair(clusters) {
        if d >= PALETTE_MERGE_DE {
            break;
        }
        fold(clusters, i, j);
    }
    while clusters.len() > 1 {
        let Some((light, &(n, lab))) = clusters
            .iter()
            .enumerate()
            .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
        else {
            break;
        };
        if n / total >= PALETTE_MIN_WEIGHT {
            break;
        }
        let others: Vec<[f32; 3]> = clusters.iter().map(|c| c.1).collect();
        let host = others
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != light)
            .min_by(|a, b| delta_e(*a.1, lab).total_cmp(&delta_e(*b.1, lab)))
            .map(|(k, _)| k);
        let Some(host) = host else { break };
        fold(clusters, host, light);
    }
}

fn nearest(centroids: &[[f32; 3]], lab: [f32; 3]) -> usize {
    let mut best = (0, f32::INFINITY);
    for (i, &c) in centroids.iter().enumerate() {
        let d = delta_e_sq(c, lab);
        if d < best.1 {
            best = (i, d);
        }
    }
    best.0
}

fn bin_key(lab: [f32; 3]) -> u32 {
    let q = |v: f32, offset: f32| ((v + offset) / PALETTE_BIN).clamp(0.0, 255.0) as u32;
    (q(lab[0], 0.0) << 16) | (q(lab[1], 128.0) << 8) | q(lab[2], 128.0)
}

/// A run of glyph-like components lined up side by side.
struct TextLine {
    glyphs: Vec<Glyph>,
}

impl TextLine {
    /// The line's box, grown by half its height on every side (strokes, plates, shadows).
    fn padded_box(&self) -> (f32, f32, f32, f32) {
        let mut b = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for g in &self.glyphs {
            b = (
                b.0.min(g.x0 as f32),
                b.1.min(g.y0 as f32),
                b.2.max(g.x1 as f32),
                b.3.max(g.y1 as f32),
            );
        }
        let pad = 0.5 * (b.3 - b.1);
        (b.0 - pad, b.1 - pad, b.2 + pad, b.3 + pad)
    }
}

/// A connected region of stroke cells; the box is `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone)]
struct Glyph {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    area: usize,
    /// Cells with a 4-neighbour outside the region.
    boundary: usize,
    /// Summed |L* − local mean|.
    contrast: f32,
    bright: bool,
}

impl Glyph {
    fn width(&self) -> f32 {
        (self.x1 - self.x0) as f32
    }

    fn height(&self) -> f32 {
        (self.y1 - self.y0) as f32
    }

    fn centre(&self) -> (f32, f32) {
        (
            (self.x0 + self.x1) as f32 / 2.0,
            (self.y0 + self.y1) as f32 / 2.0,
        )
    }

    /// Stroke width estimate: a stroke of width s and length L has area sL and about 2L
    /// boundary cells.
    fn stroke(&self) -> f32 {
        2.0 * self.area as f32 / self.boundary.max(1) as f32
    }

    /// Letter-sized, letter-shaped (stroked, not solid; not too wide), loud, and whole: a
    /// region cut by the frame is not readable text (and the frame would line it up with others).
    fn looks_like_letter(&self, grid_w: usize, grid_h: usize) -> bool {
        let short_side = grid_w.min(grid_h);
        if self.x0 == 0 || self.y0 == 0 || self.x1 == grid_w || self.y1 == grid_h {
            return false;
        }
        let (w, h) = (self.width(), self.height());
        let min_h = (GLYPH_MIN_H * short_side as f32).max(GLYPH_MIN_CELLS as f32);
        let fill = self.area as f32 / (w * h);
        h >= min_h
            && h <= GLYPH_MAX_H * short_side as f32
            && w >= 2.0
            && w <= GLYPH_MAX_ASPECT * h
            && (GLYPH_FILL.0..=GLYPH_FILL.1).contains(&fill)
            && self.stroke() <= GLYPH_MAX_STROKE * h
            && self.contrast / self.area as f32 >= GLYPH_MIN_CONTRAST
    }

    /// Whether `other` could be the next letter of the same line.
    fn neighbours(&self, other: &Glyph) -> bool {
        let (ha, hb) = (self.height(), other.height());
        let taller = ha.max(hb);
        let (sa, sb) = (self.stroke(), other.stroke());
        let gap = (other.x0 as f32 - self.x1 as f32).max(self.x0 as f32 - other.x1 as f32);
        self.bright == other.bright
            && taller / ha.min(hb) <= LINE_HEIGHT_RATIO
            && sa.max(sb) / sa.min(sb) <= LINE_STROKE_RATIO
            && (self.y0.abs_diff(other.y0) as f32 <= LINE_ALIGN * taller
                || self.y1.abs_diff(other.y1) as f32 <= LINE_ALIGN * taller)
            && gap <= LINE_MAX_GAP * taller
            && gap >= -LINE_MAX_OVERLAP * taller
    }
}

/// Text lines: cells much brighter or darker than their neighbourhood (adaptive threshold on
/// L*) form connected regions (4-connected, each polarity separately); the letter-like ones
/// are linked to neighbours of similar height and stroke width on the same row, and every
/// linked run of three or more is a line.
fn text_lines(grid: &Grid) -> Vec<TextLine> {
    let (w, h) = (grid.w, grid.h);
    let short = w.min(h);
    let radius = (short / TEXT_WINDOW_DIV).max(3);
    let local = box_mean(
        &grid.cells.iter().map(|c| c[0]).collect::<Vec<_>>(),
        w,
        h,
        radius,
    );
    let diff: Vec<f32> = grid
        .cells
        .iter()
        .zip(&local)
        .map(|(c, m)| c[0] - m)
        .collect();

    let mut glyphs = Vec::new();
    for bright in [true, false] {
        let mask: Vec<bool> = diff
            .iter()
            .map(|&d| {
                if bright {
                    d > TEXT_OFFSET
                } else {
                    d < -TEXT_OFFSET
                }
            })
            .collect();
        glyphs.extend(
            components(&mask, &diff, w, h, bright)
                .into_iter()
                .filter(|g| g.looks_like_letter(w, h)),
        );
    }

    // Union-find over neighbouring glyphs.
    let mut parent: Vec<usize> = (0..glyphs.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..glyphs.len() {
        for j in i + 1..glyphs.len() {
            if glyphs[i].neighbours(&glyphs[j]) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); glyphs.len()];
    for i in 0..glyphs.len() {
        let r = root(&mut parent, i);
        groups[r].push(i);
    }
    groups
        .into_iter()
        .filter(|g| g.len() >= LINE_MIN_GLYPHS)
        .map(|g| TextLine {
            glyphs: g.into_iter().map(|i| glyphs[i].clone()).collect(),
        })
        .collect()
}

/// 4-connected regions of `mask`.
fn components(mask: &[bool], diff: &[f32], w: usize, h: usize, bright: bool) -> Vec<Glyph> {
    let mut seen = vec![false; mask.len()];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut g = Glyph {
            x0: usize::MAX,
            y0: usize::MAX,
            x1: 0,
            y1: 0,
            area: 0,
            boundary: 0,
            contrast: 0.0,
            bright,
        };
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            g.x0 = g.x0.min(x);
            g.y0 = g.y0.min(y);
            g.x1 = g.x1.max(x + 1);
            g.y1 = g.y1.max(y + 1);
            g.area += 1;
            g.contrast += diff[i].abs();
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            let mut edge = false;
            for n in neighbours {
                match n {
                    Some(n) if mask[n] => {
                        if !seen[n] {
                            seen[n] = true;
                            stack.push(n);
                        }
                    }
                    _ => edge = true,
                }
            }
            g.boundary += usize::from(edge);
        }
        out.push(g);
    }
    out
}

/// Where the salient subject sits: each cell's ΔE from its wide surroundings (a box a quarter
/// of the width in radius) plus smoothed edge density, with text lines (padded) cut out; the
/// excess over a background floor is the subject's mass. `Place::None` when too little of the
/// frame stands out.
fn subject_place(grid: &Grid, edges: &[bool], lines: &[TextLine]) -> Place {
    let (w, h) = (grid.w, grid.h);
    let surround_r = ((SURROUND_RADIUS * w as f32) as usize).max(2);
    let channel = |k: usize| grid.cells.iter().map(|c| c[k]).collect::<Vec<_>>();
    let surround: Vec<Vec<f32>> = (0..3)
        .map(|k| box_mean(&channel(k), w, h, surround_r))
        .collect();
    let edge_r = ((EDGE_BLUR_RADIUS * w as f32) as usize).max(1);
    let edge_density = box_mean(
        &edges
            .iter()
            .map(|&e| f32::from(u8::from(e)))
            .collect::<Vec<_>>(),
        w,
        h,
        edge_r,
    );
    let boxes: Vec<_> = lines.iter().map(TextLine::padded_box).collect();

    let mut total = 0f32;
    let masses = grid.cells.iter().enumerate().map(|(i, &lab)| {
        let (x, y) = ((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
        let in_text = boxes
            .iter()
            .any(|b| x >= b.0 && x < b.2 && y >= b.1 && y < b.3);
        let mass = if in_text {
            0.0
        } else {
            let around = [surround[0][i], surround[1][i], surround[2][i]];
            let saliency = delta_e(lab, around) + SALIENCY_EDGE_WEIGHT * edge_density[i];
            (saliency - SALIENCY_FLOOR).max(0.0)
        };
        total += mass;
        ((x, y), mass)
    });
    let masses: Vec<_> = masses.collect();
    if total / (grid.cells.len() as f32) < SALIENCY_MIN_MEAN {
        return Place::None;
    }
    place_of(masses.into_iter(), w, h)
}

/// Where mass at points concentrates: by thirds horizontally (a side wins when its third
/// holds at least the middle third's mass and `PLACE_MARGIN` of the total more than the
/// opposite side), then, when that is centred, the same vertically; `Center` when neither
/// side wins, `None` when there is no mass.
fn place_of(points: impl Iterator<Item = ((f32, f32), f32)>, w: usize, h: usize) -> Place {
    let (mut cols, mut rows) = ([0f32; 3], [0f32; 3]);
    for ((x, y), m) in points {
        cols[((3.0 * x / w as f32) as usize).min(2)] += m;
        rows[((3.0 * y / h as f32) as usize).min(2)] += m;
    }
    let total: f32 = cols.iter().sum();
    if total <= 0.0 {
        return Place::None;
    }
    let side = |t: [f32; 3], first: Place, last: Place| {
        let (a, mid, b) = (t[0] / total, t[1] / total, t[2] / total);
        if a >= mid && a - b >= PLACE_MARGIN {
            Some(first)
        } else if b >= mid && b - a >= PLACE_MARGIN {
            Some(last)
        } else {
            None
        }
    };
    side(cols, Place::Left, Place::Right)
        .or_else(|| side(rows, Place::Top, Place::Bottom))
        .unwrap_or(Place::Center)
}

/// Mean of `v` over a `(2r+1)²` box around each cell, clipped at the borders (summed-area
/// table, so the cost does not grow with `r`).
fn box_mean(v: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let stride = w + 1;
    let mut sat = vec![0f64; stride * (h + 1)];
    for y in 0..h {
        let mut row = 0f64;
        for x in 0..w {
            row += f64::from(v[y * w + x]);
            sat[(y + 1) * stride + x + 1] = sat[y * stride + x + 1] + row;
        }
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = sat[y1 * stride + x1] - sat[y0 * stride + x1] - sat[y1 * stride + x0]
                + sat[y0 * stride + x0];
            out.push((sum / ((y1 - y0) * (x1 - x0)) as f64) as f32);
        }
    }
    out
}

/// sRGB 8-bit → linear light.
fn linear_lut() -> [f32; 256] {
    std::array::from_fn(|i| {
        let c = i as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    })
}

/// D65 white.
const WHITE: [f32; 3] = [0.95047, 1.0, 1.08883];
const LAB_EPSILON: f32 = 216.0 / 24389.0;
const LAB_KAPPA: f32 = 24389.0 / 27.0;

fn lab_from_linear([r, g, b]: [f32; 3]) -> [f32; 3] {
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / WHITE[0];
    let y = (0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b) / WHITE[1];
    let z = (0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b) / WHITE[2];
    let f = |t: f32| {
        if t > LAB_EPSILON {
            t.cbrt()
        } else {
            (LAB_KAPPA * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

fn hex_from_lab([l, a, b]: [f32; 3]) -> String {
    let fy = (l + 16.0) / 116.0;
    let (fx, fz) = (fy + a / 500.0, fy - b / 200.0);
    let finv = |t: f32| {
        let cube = t * t * t;
        if cube > LAB_EPSILON {
            cube
        } else {
            (116.0 * t - 16.0) / LAB_KAPPA
        }
    };
    let (x, y, z) = (
        WHITE[0] * finv(fx),
        WHITE[1] * finv(fy),
        WHITE[2] * finv(fz),
    );
    let linear = [
        3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z,
        -0.969_266 * x + 1.876_010_8 * y + 0.041_556 * z,
        0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z,
    ];
    let [r, g, b] = linear.map(|c| {
        let c = c.clamp(0.0, 1.0);
        let s = if c <= 0.003_130_8 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        };
        (s * 255.0).round().clamp(0.0, 255.0) as u8
    });
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn delta_e_sq(a: [f32; 3], b: [f32; 3]) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// CIE76 colour difference.
fn delta_e(a: [f32; 3], b: [f32; 3]) -> f32 {
    delta_e_sq(a, b).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, RenderRequest, TemplateLibrary};
    use image::{Rgb, RgbImage};

    fn lab_of_hex(hex: &str) -> [f32; 3] {
        let v = u32::from_str_radix(&hex[1..], 16).expect("hex");
        let lut = linear_lut();
        lab_from_linear([v >> 16, (v >> 8) & 0xff, v & 0xff].map(|c| lut[c as usize]))
    }

    fn lab_of(rgb: [u8; 3]) -> [f32; 3] {
        let lut = linear_lut();
        lab_from_linear(rgb.map(|c| lut[c as usize]))
    }

    fn rendered(id: &str, title: &str) -> DynamicImage {
        let library = TemplateLibrary::builtin().expect("builtin templates");
        let template = library.get(id).expect("template exists");
        let out = render(template, &RenderRequest::titled(title)).expect("renders");
        DynamicImage::ImageRgba8(out.image)
    }

    fn red_black_checks() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(1280, 720, |x, y| {
            if (x / 40 + y / 40) % 2 == 0 {
                Rgb([220, 20, 30])
            } else {
                Rgb([10, 10, 10])
            }
        }))
    }

    fn pastel_gradient() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(1280, 720, |x, _| {
            let t = x as f32 / 1279.0;
            let mix = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
            Rgb([mix(255.0, 200.0), mix(214.0, 225.0), mix(226.0, 250.0)])
        }))
    }

    /// A deterministic hash for value noise (no extra crate).
    fn hash(x: i32, y: i32, seed: u32) -> f32 {
        let mut h = (x as u32).wrapping_mul(0x27d4_eb2d) ^ (y as u32).wrapping_mul(0x1656_67b1);
        h ^= seed.wrapping_mul(0x9e37_79b9);
        h ^= h >> 15;
        h = h.wrapping_mul(0x2c1b_3c6d);
        h ^= h >> 12;
        (h & 0xffff) as f32 / 65535.0
    }

    /// Smooth multi-octave value noise in 0..1.
    fn value_noise(x: f32, y: f32, seed: u32) -> f32 {
        let (mut sum, mut amp, mut freq, mut norm) = (0.0, 1.0, 1.0 / 64.0, 0.0);
        for octave in 0..5 {
            let (fx, fy) = (x * freq, y * freq);
            let (ix, iy) = (fx.floor() as i32, fy.floor() as i32);
            let (tx, ty) = (fx - ix as f32, fy - iy as f32);
            let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
            let s = seed + octave;
            let top = hash(ix, iy, s) + (hash(ix + 1, iy, s) - hash(ix, iy, s)) * sx;
            let bottom = hash(ix, iy + 1, s) + (hash(ix + 1, iy + 1, s) - hash(ix, iy + 1, s)) * sx;
            sum += amp * (top + (bottom - top) * sy);
            norm += amp;
            amp *= 0.55;
            freq *= 2.0;
        }
        sum / norm
    }

    /// A photo-like texture: foliage/rock colours from value noise with fine grain.
    fn noise_texture() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(1280, 720, |x, y| {
            let (fx, fy) = (x as f32, y as f32);
            let n = value_noise(fx, fy, 7);
            let m = value_noise(fx, fy, 91);
            let grain = (hash(x as i32, y as i32, 3) - 0.5) * 30.0;
            let px = [
                40.0 + 170.0 * n + 40.0 * m + grain,
                60.0 + 150.0 * n + grain,
                30.0 + 90.0 * m + 60.0 * n + grain,
            ];
            Rgb(px.map(|v| v.clamp(0.0, 255.0) as u8))
        }))
    }

    #[test]
    fn red_black_busy_checks_are_dark_and_loud() {
        let dna = style_dna(&red_black_checks());
        assert!(dna.brightness < 0.4, "{dna:?}");
        assert!(dna.energy >= 8, "{dna:?}");
        let red = lab_of([220, 20, 30]);
        let black = lab_of([10, 10, 10]);
        let top: Vec<_> = dna
            .palette
            .iter()
            .take(2)
            .map(|s| lab_of_hex(&s.hex))
            .collect();
        assert_eq!(top.len(), 2, "{dna:?}");
        assert!(
            top.iter().any(|&c| delta_e(c, red) < 5.0)
                && top.iter().any(|&c| delta_e(c, black) < 5.0),
            "{dna:?}"
        );
    }

    #[test]
    fn pastel_gradient_is_bright_calm_and_unsaturated() {
        let dna = style_dna(&pastel_gradient());
        assert!(dna.brightness > 0.7, "{dna:?}");
        assert!(dna.energy <= 3, "{dna:?}");
        assert!(dna.saturation < 0.25, "{dna:?}");
        assert!(dna.contrast < 0.15, "{dna:?}");
    }

    #[test]
    fn palette_weights_sum_to_one_and_hexes_are_valid() {
        for img in [
            red_black_checks(),
            pastel_gradient(),
            noise_texture(),
            rendered("gaming-split-hero", "NEW SEASON"),
        ] {
            let dna = style_dna(&img);
            assert!((1..=PALETTE_K).contains(&dna.palette.len()), "{dna:?}");
            let sum: f32 = dna.palette.iter().map(|s| s.weight).sum();
            assert!((sum - 1.0).abs() < 1e-3, "{dna:?}");
            assert!(dna.palette.windows(2).all(|w| w[0].weight >= w[1].weight));
            for s in &dna.palette {
                assert_eq!(s.hex.len(), 7, "{s:?}");
                assert!(s.hex.starts_with('#'), "{s:?}");
                assert!(s.hex[1..]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            }
        }
    }

    #[test]
    fn two_colour_image_yields_its_two_colours() {
        let (teal, orange) = ([20, 130, 140], [250, 150, 40]);
        let img = DynamicImage::ImageRgb8(RgbImage::from_fn(1280, 720, |x, _| {
            Rgb(if x < 896 { teal } else { orange })
        }));
        let dna = style_dna(&img);
        assert_eq!(dna.palette.len(), 2, "{dna:?}");
        assert!(
            delta_e(lab_of_hex(&dna.palette[0].hex), lab_of(teal)) < 2.0,
            "{dna:?}"
        );
        assert!(
            delta_e(lab_of_hex(&dna.palette[1].hex), lab_of(orange)) < 2.0,
            "{dna:?}"
        );
        assert!((dna.palette[0].weight - 0.7).abs() < 0.02, "{dna:?}");
    }

    #[test]
    fn flat_image_has_a_one_colour_palette() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(640, 360, Rgb([90, 40, 160])));
        let dna = style_dna(&img);
        assert_eq!(dna.palette.len(), 1, "{dna:?}");
        assert_eq!(dna.palette[0].weight, 1.0);
        assert_eq!(dna.composition.subject, Place::None);
    }

    #[test]
    fn finds_the_headline_left_of_a_rendered_template() {
        let dna = style_dna(&rendered("gaming-split-hero", "NEW SEASON"));
        assert!(dna.has_text, "{dna:?}");
        assert_eq!(dna.composition.text, Place::Left, "{dna:?}");
    }

    #[test]
    fn plain_gradient_and_noise_texture_have_no_text() {
        for img in [pastel_gradient(), noise_texture(), red_black_checks()] {
            let dna = style_dna(&img);
            assert!(!dna.has_text, "{dna:?}");
            assert_eq!(dna.composition.text, Place::None, "{dna:?}");
        }
    }

    #[test]
    fn circle_on_the_right_is_the_subject() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_fn(1280, 720, |x, y| {
            let (dx, dy) = (x as f32 - 1000.0, y as f32 - 380.0);
            if dx * dx + dy * dy < 200.0 * 200.0 {
                Rgb([240, 190, 30])
            } else {
                Rgb([30, 50, 110])
            }
        }));
        let dna = style_dna(&img);
        assert_eq!(dna.composition.subject, Place::Right, "{dna:?}");
        assert!(!dna.has_text, "{dna:?}");
        assert_eq!(
            style_dna(&pastel_gradient()).composition.subject,
            Place::None
        );
    }

    #[test]
    fn same_image_gives_identical_dna() {
        let img = rendered("news-breaking-bar", "MARKETS CRASH");
        assert_eq!(style_dna(&img), style_dna(&img));
        let noise = noise_texture();
        assert_eq!(style_dna(&noise), style_dna(&noise));
    }

    #[test]
    fn empty_and_tiny_images_do_not_panic() {
        let empty = style_dna(&DynamicImage::new_rgb8(0, 0));
        assert!(empty.palette.is_empty());
        assert_eq!(empty.energy, 1);
        for (w, h) in [(1, 1), (1, 500), (3, 2)] {
            let dna = style_dna(&DynamicImage::new_rgba8(w, h));
            assert_eq!(dna.palette.len(), 1, "{dna:?}");
        }
    }
}
