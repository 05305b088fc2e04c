//! Anti-aliased coverage of filled outlines, computed exactly: every edge deposits, in each
//! pixel it crosses, the share of the pixel's area to its right (a trapezoid), and a running
//! sum along each row turns those deposits into coverage. One pass over the edges and one
//! over the pixels — much cheaper than supersampling for big display type, where the text
//! masks are most of the work. Non-zero fill: the summed winding, clamped to one.

use tiny_skia::{Mask, Path, PathSegment, Point};

/// Curves are cut into straight pieces no farther than this from the curve, in pixels.
const TOLERANCE: f32 = 0.1;

/// The coverage of `paths` filled together, over the `width` x `height` box whose top-left
/// corner is at `origin`.
pub(crate) fn mask<'a>(
    paths: impl Iterator<Item = &'a Path>,
    origin: [f32; 2],
    width: u32,
    height: u32,
) -> Option<Mask> {
    let mut acc = Accumulator {
        width: width as usize,
        height: height as usize,
        cells: vec![0.0; (width as usize + 2) * height as usize],
    };
    let at = |p: Point| [p.x - origin[0], p.y - origin[1]];
    for path in paths {
        let (mut start, mut pen) = ([0.0; 2], [0.0; 2]);
        for segment in path.segments() {
            match segment {
                PathSegment::MoveTo(p) => {
                    acc.line(pen, start);
                    start = at(p);
                    pen = start;
                }
                PathSegment::LineTo(p) => {
                    let p = at(p);
                    acc.line(pen, p);
                    pen = p;
                }
                PathSegment::QuadTo(c, p) => {
                    let (c, p) = (at(c), at(p));
                    let bend = length(pen[0] - 2.0 * c[0] + p[0], pen[1] - 2.0 * c[1] + p[1]);
                    let n = pieces(bend / (8.0 * TOLERANCE));
                    let p0 = pen;
                    for i in 1..=n {
                        let t = i as f32 / n as f32;
                        let u = 1.0 - t;
                        let q = std::array::from_fn(|k| {
                            u * u * p0[k] + 2.0 * u * t * c[k] + t * t * p[k]
                        });
                        acc.line(pen, q);
                        pen = q;
                    }
                }
                PathSegment::CubicTo(c1, c2, p) => {
                    let (c1, c2, p) = (at(c1), at(c2), at(p));
                    let bend =
                        length(pen[0] - 2.0 * c1[0] + c2[0], pen[1] - 2.0 * c1[1] + c2[1]).max(
                            length(c1[0] - 2.0 * c2[0] + p[0], c1[1] - 2.0 * c2[1] + p[1]),
                        );
                    let n = pieces(3.0 * bend / (4.0 * TOLERANCE));
                    let p0 = pen;
                    for i in 1..=n {
                        let t = i as f32 / n as f32;
                        let u = 1.0 - t;
                        let q = std::array::from_fn(|k| {
                            u * u * u * p0[k]
                                + 3.0 * u * u * t * c1[k]
                                + 3.0 * u * t * t * c2[k]
                                + t * t * t * p[k]
                        });
                        acc.line(pen, q);
                        pen = q;
                    }
                }
                PathSegment::Close => {
                    acc.line(pen, start);
                    pen = start;
                }
            }
        }
        // A fill closes every open contour.
        acc.line(pen, start);
    }
    Mask::from_vec(acc.finish(), tiny_skia::IntSize::from_wh(width, height)?)
}

fn length(x: f32, y: f32) -> f32 {
    (x * x + y * y).sqrt()
}

/// Straight pieces for a curve whose deviation from straight, squared, is `spread`.
fn pieces(spread: f32) -> usize {
    (spread.sqrt().ceil() as usize).clamp(1, 100)
}

struct Accumulator {
    width: usize,
    height: usize,
    /// Per row, `width + 2` deposits: a row's running sum at pixel x is its winding there.
    cells: Vec<f32>,
}

impl Accumulator {
    fn line(&mut self, a: [f32; 2], b: [f32; 2]) {
        let (dir, top, bottom) = match a[1].partial_cmp(&b[1]) {
            Some(std::cmp::Ordering::Less) => (1.0, a, b),
            Some(std::cmp::Ordering::Greater) => (-1.0, b, a),
            _ => return,
        };
        let (y_start, y_end) = (top[1].max(0.0), bottom[1].min(self.height as f32));
        if y_start >= y_end {
            return;
        }
        let slope = (bottom[0] - top[0]) / (bottom[1] - top[1]);
        let x_at = |y: f32| top[0] + (y - top[1]) * slope;
        let mut y = y_start;
        let mut row = y_start as usize;
        while y < y_end && row < self.height {
            let next = ((row + 1) as f32).min(y_end);
            self.piece(row, x_at(y), x_at(next), (next - y) * dir);
            y = next;
            row += 1;
        }
    }

    /// An edge piece within one row, from x `xa` to `xb`, spanning `dy` of the row's height
    /// (signed by direction).
    fn piece(&mut self, row: usize, xa: f32, xb: f32, dy: f32) {
        let width = self.width;
        let stride = width + 2;
        let cells = &mut self.cells[row * stride..(row + 1) * stride];
        let right = width as f32;
        let (x0, x1) = if xa <= xb { (xa, xb) } else { (xb, xa) };
        // Wholly left of the box: every pixel of the row lies to the edge's right.
        if x1 <= 0.0 {
            cells[0] += dy;
            return;
        }
        if x0 >= right {
            return;
        }
        let span = x1 - x0;
        // Deposit for the part of the piece within pixel column `c`, between x `from` and
        // `to`: the pixel gets the area right of it, the pixels after it all of `share`.
        let mut deposit = |c: isize, from: f32, to: f32| {
            let share = if span > 1e-6 {
                dy * (to - from) / span
            } else {
                dy
            };
            if c < 0 {
                cells[0] += share;
                return;
            }
            let c = c as usize;
            if c >= width {
                return;
            }
            let inside = (c + 1) as f32 - (from + to) / 2.0;
            cells[c] += share * inside;
            cells[c + 1] += share * (1.0 - inside);
        };
        let first = x0.floor();
        if x1 <= first + 1.0 {
            deposit(first as isize, x0, x1);
            return;
        }
        deposit(first as isize, x0, first + 1.0);
        let mut c = first + 1.0;
        while c + 1.0 < x1 {
            deposit(c as isize, c, c + 1.0);
            c += 1.0;
        }
        deposit(c as isize, c, x1);
    }

    fn finish(self) -> Vec<u8> {
        let stride = self.width + 2;
        let mut out = Vec::with_capacity(self.width * self.height);
        for row in self.cells.chunks_exact(stride) {
            let mut winding = 0.0f32;
            out.extend(row[..self.width].iter().map(|&d| {
                winding += d;
                (winding.abs().min(1.0) * 255.0 + 0.5) as u8
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::{FillRule, PathBuilder, Transform};

    fn skia(paths: &[&Path], origin: [f32; 2], w: u32, h: u32) -> Mask {
        let mut pb = PathBuilder::new();
        for p in paths {
            pb.push_path(p);
        }
        let mut m = Mask::new(w, h).unwrap();
        m.fill_path(
            &pb.finish().unwrap(),
            FillRule::Winding,
            true,
            Transform::from_translate(-origin[0], -origin[1]),
        );
        m
    }

    /// Mean and largest per-pixel difference, and the difference in total coverage (%).
    fn compare(a: &Mask, b: &Mask) -> (f64, u8, f64) {
        let diffs: Vec<u8> = a
            .data()
            .iter()
            .zip(b.data())
            .map(|(x, y)| x.abs_diff(*y))
            .collect();
        let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
        let total = |m: &Mask| m.data().iter().map(|&v| f64::from(v)).sum::<f64>();
        let (ta, tb) = (total(a), total(b));
        (
            mean,
            *diffs.iter().max().unwrap(),
            (ta - tb).abs() / tb * 100.0,
        )
    }

    #[test]
    fn matches_tiny_skia_on_curves_overlaps_and_clipping() {
        let mut pb = PathBuilder::new();
        pb.push_circle(60.0, 50.0, 40.0);
        // A square overlapping the circle, partly outside the box on the left and bottom.
        pb.push_rect(tiny_skia::Rect::from_xywh(-20.0, 60.0, 90.0, 70.0).unwrap());
        // A cubic blob and a thin sliver.
        pb.move_to(120.0, 10.0);
        pb.cubic_to(190.0, 0.0, 200.0, 90.0, 130.0, 95.0);
        pb.line_to(125.0, 40.0);
        pb.close();
        pb.move_to(10.0, 5.0);
        pb.line_to(180.0, 7.0);
        pb.line_to(10.0, 8.0);
        let path = pb.finish().unwrap();
        let origin = [-3.5, 2.25];
        let ours = mask([&path].into_iter(), origin, 200, 100).unwrap();
        let reference = skia(&[&path], origin, 200, 100);
        let (mean, max, total) = compare(&ours, &reference);
        assert!(
            mean < 1.5 && max < 70 && total < 1.0,
            "mean {mean:.2}, max {max}, total {total:.2} %"
        );
        // Inside the overlap it is simply covered, not doubly.
        assert_eq!(ours.data()[(70.0 - origin[1]) as usize * 200 + 50], 255);
    }

    #[test]
    fn a_pixel_aligned_square_is_exact() {
        let path = PathBuilder::from_rect(tiny_skia::Rect::from_xywh(2.0, 3.0, 4.0, 5.0).unwrap());
        let m = mask([&path].into_iter(), [0.0, 0.0], 10, 10).unwrap();
        for y in 0..10 {
            for x in 0..10 {
                let inside = (2..6).contains(&x) && (3..8).contains(&y);
                assert_eq!(
                    m.data()[y * 10 + x],
                    if inside { 255 } else { 0 },
                    "{x},{y}"
                );
            }
        }
        // Half a pixel: half coverage.
        let path = PathBuilder::from_rect(tiny_skia::Rect::from_xywh(2.5, 3.0, 4.0, 5.0).unwrap());
        let m = mask([&path].into_iter(), [0.0, 0.0], 10, 10).unwrap();
        assert_eq!(m.data()[4 * 10 + 2], 128);
        assert_eq!(m.data()[4 * 10 + 6], 128);
    }
}
