//! Text: shaping, right-to-left ordering, auto-fit and outlines.
//!
//! Each word is shaped once with rustybuzz (Arabic-script words right to left, so letters
//! join), measured in font units, and reused at every trial size. Fitting tries sizes from
//! the slot's size down to its minimum, wrapping greedily into at most `max_lines` lines that
//! fit the box; if none fits, that is an error, never a clipped image. Lines are ordered for
//! display at word level with the bidi rule L2: in a right-to-left paragraph, runs of Latin
//! words and numbers keep their left-to-right order.

use rustybuzz::{ttf_parser, Direction, Face, UnicodeBuffer};
use serde::Serialize;
use tiny_skia::{Path, PathBuilder};

use crate::{
    template::{Align, VAlign},
    RenderError,
};

pub fn is_arabic_script(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// `text` without the characters `face` has no glyph for (emoji, most symbols), keeping
/// spaces and the invisible joiners and direction marks shaping relies on. Spaces left
/// doubled or dangling by a removed character are collapsed.
pub fn drawable(face: &Face<'_>, text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|&c| {
            c.is_whitespace()
                || matches!(c, '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}')
                || face.glyph_index(c).is_some()
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a paragraph reads right to left (its first strong letter is Arabic-script).
pub fn paragraph_is_rtl(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(is_arabic_script)
}

/// One shaped word: glyphs in visual order with positions in font units.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub rtl: bool,
    pub glyphs: Vec<(ttf_parser::GlyphId, f32, f32)>,
    pub advance: f32,
}

pub fn shape_word(face: &Face<'_>, text: &str) -> Word {
    // Right to left when it has Arabic-script letters; Persian and Arabic-Indic digits (and
    // ٪) are numbers, which read left to right inside right-to-left text.
    let rtl = text
        .chars()
        .any(|c| c.is_alphabetic() && is_arabic_script(c));
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if rtl {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    buffer.guess_segment_properties();
    // Proportional figures: tabular digits leave a display face's narrow "1" in a wide
    // cell, which reads as a stray space in "10 MINUTES".
    let features = [rustybuzz::Feature::new(
        ttf_parser::Tag::from_bytes(b"pnum"),
        1,
        ..,
    )];
    let shaped = rustybuzz::shape(face, &features, buffer);
    let mut pen = 0.0;
    let mut glyphs = Vec::with_capacity(shaped.len());
    for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
        glyphs.push((
            ttf_parser::GlyphId(info.glyph_id as u16),
            pen + pos.x_offset as f32,
            pos.y_offset as f32,
        ));
        pen += pos.x_advance as f32;
    }
    Word {
        text: text.to_string(),
        rtl,
        glyphs,
        advance: pen,
    }
}

fn space_advance(face: &Face<'_>) -> f32 {
    face.glyph_index(' ')
        .and_then(|g| face.glyph_hor_advance(g))
        .map(f32::from)
        .unwrap_or(face.units_per_em() as f32 * 0.25)
}

/// A laid-out line, in output pixels.
#[derive(Debug, Clone, Serialize)]
pub struct LineLayout {
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// A laid-out text slot, in output pixels.
#[derive(Debug, Clone, Serialize)]
pub struct TextLayout {
    pub slot: String,
    /// The slot's box: `[x, y, width, height]`.
    pub area: [f32; 4],
    pub size: f32,
    pub lines: Vec<LineLayout>,
    pub rtl: bool,
    /// The text as given, when it was cut to fit at a legible size (the lines hold what
    /// was drawn).
    pub shortened_from: Option<String>,
    /// WCAG contrast ratio of the letters against what surrounds them (their stroke or
    /// plate, else the pixels behind them).
    pub contrast: f32,
    /// Height of the smallest word's letters when the thumbnail is shown 320 pixels wide.
    pub min_glyph_px_at_320: f32,
}

impl TextLayout {
    /// Whether every line lies within the slot's box (half a pixel of rounding allowed).
    pub fn fits(&self) -> bool {
        let [x, y, w, h] = self.area;
        self.lines.iter().all(|l| {
            l.x >= x - 0.5
                && l.y >= y - 0.5
                && l.x + l.width <= x + w + 0.5
                && l.y + l.height <= y + h + 0.5
        })
    }
}

pub struct FitRequest<'a> {
    pub slot: &'a str,
    pub text: &'a str,
    pub area: [f32; 4],
    pub size: f32,
    pub min_size: f32,
    pub max_lines: usize,
    pub line_height: f32,
    pub align: Align,
    pub valign: VAlign,
}

/// The shaped words, their layout, and where each word's pen starts.
pub struct Fitted {
    pub words: Vec<Word>,
    pub layout: TextLayout,
    /// Per word: its pen x in pixels and baseline y, for drawing.
    pub placements: Vec<(usize, f32, f32, f32)>,
}

pub fn fit(face: &Face<'_>, req: &FitRequest<'_>) -> Result<Fitted, RenderError> {
    let words: Vec<Word> = req
        .text
        .split_whitespace()
        .map(|w| shape_word(face, w))
        .collect();
    let too_big = || RenderError::TextDoesNotFit {
        slot: req.slot.to_string(),
        text: req.text.to_string(),
    };
    if words.is_empty() {
        return Err(too_big());
    }
    let upem = face.units_per_em() as f32;
    let space = space_advance(face);
    let [bx, by, bw, bh] = req.area;
    let rtl = paragraph_is_rtl(req.text);
    let mut size = req.size;
    loop {
        let scale = size / upem;
        let max_units = bw / scale;
        if let Some(lines) = wrap(&words, space, max_units, req.max_lines) {
            let line_px = size * req.line_height;
            if line_px * lines.len() as f32 <= bh + 0.01 {
                return Ok(place(face, words, lines, req, size, rtl, bx, by, bw, bh));
            }
        }
        if size <= req.min_size {
            return Err(too_big());
        }
        size = (size - (size * 0.04).max(1.0)).max(req.min_size);
    }
}

fn wrap(words: &[Word], space: f32, max: f32, max_lines: usize) -> Option<Vec<Vec<usize>>> {
    let mut lines: Vec<Vec<usize>> = vec![Vec::new()];
    let mut width = 0.0;
    for (i, w) in words.iter().enumerate() {
        if w.advance > max {
            return None;
        }
        let line = lines.last_mut()?;
        let needed = if line.is_empty() {
            w.advance
        } else {
            width + space + w.advance
        };
        if needed <= max {
            line.push(i);
            width = needed;
        } else {
            lines.push(vec![i]);
            width = w.advance;
        }
    }
    (lines.len() <= max_lines).then_some(lines)
}

/// Visual order of a line's words (bidi rule L2 at word granularity).
fn visual_order(words: &[Word], line: &[usize], rtl: bool) -> Vec<usize> {
    // A word of neutrals only ("•", "-", "|") takes the paragraph's direction (rules N1/N2:
    // numbers count as right-to-left beside it), so "بازدید • ۳" keeps its bullet between.
    let neutral = |i: usize| !words[i].text.chars().any(char::is_alphanumeric);
    let level = |i: usize| -> u8 {
        match (words[i].rtl, rtl) {
            (true, _) => 1,
            (false, true) if neutral(i) => 1,
            (false, true) => 2,
            (false, false) => 0,
        }
    };
    let mut order: Vec<usize> = line.to_vec();
    let max = order.iter().map(|&i| level(i)).max().unwrap_or(0);
    for k in (1..=max).rev() {
        let mut start = 0;
        while start < order.len() {
            if level(order[start]) >= k {
                let mut end = start;
                while end < order.len() && level(order[end]) >= k {
                    end += 1;
                }
                order[start..end].reverse();
                start = end;
            } else {
                start += 1;
            }
        }
    }
    order
}

#[allow(clippy::too_many_arguments)]
fn place(
    face: &Face<'_>,
    words: Vec<Word>,
    lines: Vec<Vec<usize>>,
    req: &FitRequest<'_>,
    size: f32,
    rtl: bool,
    bx: f32,
    by: f32,
    bw: f32,
    bh: f32,
) -> Fitted {
    let upem = face.units_per_em() as f32;
    let scale = size / upem;
    let space = space_advance(face) * scale;
    let line_px = size * req.line_height;
    let block = line_px * lines.len() as f32;
    let top = match req.valign {
        VAlign::Top => by,
        VAlign::Center => by + (bh - block) / 2.0,
        VAlign::Bottom => by + bh - block,
    };
    let ascender = face.ascender() as f32 * scale;
    let descender = face.descender() as f32 * scale;
    // Align is written for left-to-right; a right-to-left paragraph mirrors it.
    let align = match (req.align, rtl) {
        (Align::Start, true) => Align::End,
        (Align::End, true) => Align::Start,
        (a, _) => a,
    };
    let mut placements = Vec::new();
    let mut out_lines = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let width: f32 = line.iter().map(|&i| words[i].advance * scale).sum::<f32>()
            + space * line.len().saturating_sub(1) as f32;
        let x0 = match align {
            Align::Start => bx,
            Align::Center => bx + (bw - width) / 2.0,
            Align::End => bx + bw - width,
        };
        let line_top = top + n as f32 * line_px;
        let baseline = line_top + line_px / 2.0 + (ascender + descender) / 2.0;
        let mut pen = x0;
        for &i in &visual_order(&words, line, rtl) {
            placements.push((i, pen, baseline, scale));
            pen += words[i].advance * scale + space;
        }
        out_lines.push(LineLayout {
            text: line
                .iter()
                .map(|&i| words[i].text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            x: x0,
            y: line_top,
            width,
            height: line_px,
        });
    }
    Fitted {
        layout: TextLayout {
            slot: req.slot.to_string(),
            area: req.area,
            size,
            lines: out_lines,
            rtl,
            shortened_from: None,
            contrast: 0.0,
            min_glyph_px_at_320: 0.0,
        },
        words,
        placements,
    }
}

/// Glyph outlines of one placed word as a path in output pixels.
pub fn word_path(face: &Face<'_>, word: &Word, x: f32, baseline: f32, scale: f32) -> Option<Path> {
    struct Builder<'a> {
        pb: &'a mut PathBuilder,
        x: f32,
        y: f32,
        scale: f32,
    }
    impl ttf_parser::OutlineBuilder for Builder<'_> {
        fn move_to(&mut self, x: f32, y: f32) {
            self.pb
                .move_to(self.x + x * self.scale, self.y - y * self.scale);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.pb
                .line_to(self.x + x * self.scale, self.y - y * self.scale);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.pb.quad_to(
                self.x + x1 * self.scale,
                self.y - y1 * self.scale,
                self.x + x * self.scale,
                self.y - y * self.scale,
            );
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.pb.cubic_to(
                self.x + x1 * self.scale,
                self.y - y1 * self.scale,
                self.x + x2 * self.scale,
                self.y - y2 * self.scale,
                self.x + x * self.scale,
                self.y - y * self.scale,
            );
        }
        fn close(&mut self) {
            self.pb.close();
        }
    }
    let mut pb = PathBuilder::new();
    for &(glyph, gx, gy) in &word.glyphs {
        let mut b = Builder {
            pb: &mut pb,
            x: x + gx * scale,
            y: baseline - gy * scale,
            scale,
        };
        face.outline_glyph(glyph, &mut b);
    }
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> &'static Face<'static> {
        &crate::fonts::fonts().unwrap().persian
    }

    #[test]
    fn persian_letters_join() {
        // Joined forms use different glyphs than isolated letters: «بب» is not two isolated «ب».
        let joined = shape_word(face(), "بب");
        let isolated = shape_word(face(), "ب");
        assert_eq!(joined.glyphs.len(), 2);
        assert_ne!(joined.glyphs[0].0, isolated.glyphs[0].0);
        assert!(joined.rtl);
    }

    #[test]
    fn latin_runs_keep_their_order_inside_rtl_lines() {
        let words: Vec<Word> = ["بررسی", "iPhone", "17", "جدید"]
            .iter()
            .map(|w| shape_word(face(), w))
            .collect();
        let order = visual_order(&words, &[0, 1, 2, 3], true);
        // Displayed left to right: جدید iPhone 17 بررسی
        assert_eq!(order, vec![3, 1, 2, 0]);
    }

    #[test]
    fn persian_numbers_read_left_to_right_in_persian_lines() {
        let words: Vec<Word> = ["قیمت", "۲۰٪", "بالا"]
            .iter()
            .map(|w| shape_word(face(), w))
            .collect();
        assert!(words[0].rtl && !words[1].rtl && words[2].rtl);
        // The digits stay in reading order: ۲ is drawn before (left of) ۰.
        let two = face().glyph_index('۲').unwrap();
        let zero = face().glyph_index('۰').unwrap();
        let drawn: Vec<_> = words[1].glyphs.iter().map(|g| g.0).collect();
        let at = |g| drawn.iter().position(|&d| d == g).unwrap();
        assert!(at(two) < at(zero), "{drawn:?}");
        // Displayed left to right: بالا ۲۰٪ قیمت
        assert_eq!(visual_order(&words, &[0, 1, 2], true), vec![2, 1, 0]);
    }

    #[test]
    fn a_bullet_between_persian_words_and_numbers_stays_between_them() {
        let words: Vec<Word> = ["بازدید", "•", "۳", "روز"]
            .iter()
            .map(|w| shape_word(face(), w))
            .collect();
        // Displayed left to right: روز ۳ • بازدید
        assert_eq!(visual_order(&words, &[0, 1, 2, 3], true), vec![3, 2, 1, 0]);
    }

    #[test]
    fn figures_are_proportional() {
        let display = &crate::fonts::fonts().unwrap().display;
        let one = shape_word(display, "1").advance;
        let zero = shape_word(display, "0").advance;
        assert!(one < zero * 0.8, "1 is {one} wide, 0 is {zero}");
    }

    #[test]
    fn characters_without_glyphs_are_left_out() {
        let display = &crate::fonts::fonts().unwrap().display;
        assert_eq!(drawable(display, "🔥 NEW SEASON 🔥"), "NEW SEASON");
        assert_eq!(drawable(display, "GG🎮WP"), "GGWP");
        // The Persian face keeps Persian, its joiners, and Latin.
        assert_eq!(drawable(face(), "می‌خواهم 🎉 Vlog"), "می‌خواهم Vlog");
        assert_eq!(drawable(display, "🔥🔥"), "");
    }

    #[test]
    fn shrinks_then_wraps_then_refuses() {
        let req = |text: &'static str, max_lines| FitRequest {
            slot: "headline",
            text,
            area: [0.0, 0.0, 600.0, 300.0],
            size: 140.0,
            min_size: 40.0,
            max_lines,
            line_height: 1.05,
            align: Align::Start,
            valign: VAlign::Center,
        };
        let short = fit(face(), &req("HELLO", 2)).unwrap();
        assert_eq!(short.layout.size, 140.0);
        let long = fit(
            face(),
            &req("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AGAIN", 3),
        )
        .unwrap();
        assert!(long.layout.size < 140.0 && long.layout.lines.len() > 1);
        assert!(long.layout.fits());
        assert!(matches!(
            fit(
                face(),
                &req("SUPERCALIFRAGILISTICEXPIALIDOCIOUS-AND-MUCH-MORE-STILL", 1)
            ),
            Err(RenderError::TextDoesNotFit { .. })
        ));
    }
}
