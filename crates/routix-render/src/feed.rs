//! Feed previews: a thumbnail — or up to four variants side by side — as viewers meet it,
//! inside a believable YouTube feed at YouTube's own display sizes. Three layouts (the desktop
//! home grid, search results, the mobile feed), two themes, and right-to-left languages
//! mirrored the way YouTube mirrors them (cards run from the right, the duration badge sits
//! bottom-left). The caller brings the pictures and the words, already in the viewer's
//! language; neighbours without a picture are drawn as neutral grey placeholders, never
//! anyone else's thumbnails.

use image::{imageops::FilterType, DynamicImage, RgbaImage};
use routix_core::Rgb;
use tiny_skia::{FillRule, Mask, Paint, Path, PathBuilder, Pixmap, PixmapPaint, Transform};

use crate::{
    draw::{to_image, to_pixmap},
    fonts::fonts,
    template::{Align, VAlign},
    text::{self, FitRequest, Fitted},
    RenderError,
};

/// At most this many featured thumbnails in one preview.
pub const MAX_FEATURED: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedLayout {
    /// The desktop home grid: 360x202 thumbnails with 12 px corners, avatar, title, meta.
    Home,
    /// Desktop search results: a 360x202 thumbnail left, the words right.
    Search,
    /// The phone feed: full-width 390 px cards.
    Mobile,
}

impl FeedLayout {
    pub fn parse(s: &str) -> Option<FeedLayout> {
        match s {
            "home" => Some(FeedLayout::Home),
            "search" => Some(FeedLayout::Search),
            "mobile" => Some(FeedLayout::Mobile),
            _ => None,
        }
    }

    /// Home grid columns: four when four are featured, else three.
    fn columns(self, featured: usize) -> usize {
        if featured >= 4 {
            4
        } else {
            3
        }
    }

    /// How many cards the feed shows for `featured` featured ones (the rest are neighbours).
    pub fn cards(self, featured: usize) -> usize {
        let featured = featured.clamp(1, MAX_FEATURED);
        match self {
            FeedLayout::Home => 2 * self.columns(featured),
            FeedLayout::Search => featured.max(3) + 1,
            FeedLayout::Mobile => featured.max(2) + 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedTheme {
    Light,
    Dark,
}

impl FeedTheme {
    pub fn parse(s: &str) -> Option<FeedTheme> {
        match s {
            "light" => Some(FeedTheme::Light),
            "dark" => Some(FeedTheme::Dark),
            _ => None,
        }
    }

    fn colors(self) -> Colors {
        match self {
            FeedTheme::Light => Colors {
                background: Rgb::new(0xff, 0xff, 0xff),
                text: Rgb::new(0x0f, 0x0f, 0x0f),
                secondary: Rgb::new(0x60, 0x60, 0x60),
                placeholder: Rgb::new(0xe5, 0xe5, 0xe5),
            },
            FeedTheme::Dark => Colors {
                background: Rgb::new(0x0f, 0x0f, 0x0f),
                text: Rgb::new(0xf1, 0xf1, 0xf1),
                secondary: Rgb::new(0xaa, 0xaa, 0xaa),
                placeholder: Rgb::new(0x27, 0x27, 0x27),
            },
        }
    }
}

#[derive(Clone, Copy)]
struct Colors {
    background: Rgb,
    text: Rgb,
    secondary: Rgb,
    placeholder: Rgb,
}

/// One video in the feed. Without an image the thumbnail is a grey placeholder; with an
/// empty title the words are grey bars too (a loading card).
#[derive(Debug, Clone, Default)]
pub struct FeedCard {
    pub image: Option<DynamicImage>,
    pub title: String,
    pub channel: String,
    /// "12K views · 3 days ago", in the viewer's language.
    pub meta: String,
    /// "12:34", in the viewer's digits.
    pub duration: String,
}

#[derive(Debug, Clone)]
pub struct Feed {
    pub layout: FeedLayout,
    pub theme: FeedTheme,
    /// Mirror the page for a right-to-left language.
    pub rtl: bool,
    /// The thumbnails being judged (1 to 4), first in the feed.
    pub featured: Vec<FeedCard>,
    /// The cards around them; missing ones are placeholders.
    pub neighbours: Vec<FeedCard>,
}

pub struct FeedPreview {
    pub image: RgbaImage,
    /// Where each featured thumbnail was drawn: `[x, y, width, height]` in pixels.
    pub thumbnails: Vec<[u32; 4]>,
}

/// Sizes of one layout, in CSS pixels (the preview is drawn at 1x).
struct Metrics {
    thumb: (f32, f32),
    corner: f32,
    avatar: f32,
    title_size: f32,
    title_line: f32,
    meta_size: f32,
    meta_line: f32,
}

const HOME: Metrics = Metrics {
    thumb: (360.0, 202.0),
    corner: 12.0,
    avatar: 36.0,
    title_size: 16.0,
    title_line: 22.0,
    meta_size: 14.0,
    meta_line: 20.0,
};
const SEARCH: Metrics = Metrics {
    thumb: (360.0, 202.0),
    corner: 12.0,
    avatar: 24.0,
    title_size: 18.0,
    title_line: 26.0,
    meta_size: 12.0,
    meta_line: 18.0,
};
const MOBILE: Metrics = Metrics {
    thumb: (390.0, 219.0),
    corner: 0.0,
    avatar: 36.0,
    title_size: 15.0,
    title_line: 21.0,
    meta_size: 12.0,
    meta_line: 18.0,
};

const PAD: f32 = 24.0;
const GAP: f32 = 16.0;
const HOME_ROW_GAP: f32 = 40.0;
const HOME_CARD: f32 = 202.0 + 12.0 + 2.0 * 22.0 + 4.0 + 2.0 * 20.0;
const SEARCH_TEXT: f32 = 600.0;
const MOBILE_CARD: f32 = 219.0 + 12.0 + 2.0 * 21.0 + 18.0 + 24.0;

/// Draws the feed.
pub fn render_feed(feed: &Feed) -> Result<FeedPreview, RenderError> {
    let featured = feed.featured.len();
    if !(1..=MAX_FEATURED).contains(&featured) {
        return Err(RenderError::BadImage(format!(
            "a feed preview shows 1 to {MAX_FEATURED} thumbnails, not {featured}"
        )));
    }
    let total = feed.layout.cards(featured);
    let placeholder = FeedCard::default();
    let cards: Vec<&FeedCard> = feed
        .featured
        .iter()
        .chain(feed.neighbours.iter())
        .chain(std::iter::repeat(&placeholder))
        .take(total)
        .collect();
    let (width, height) = match feed.layout {
        FeedLayout::Home => {
            let cols = feed.layout.columns(featured) as f32;
            (
                2.0 * PAD + cols * HOME.thumb.0 + (cols - 1.0) * GAP,
                2.0 * PAD + 2.0 * HOME_CARD + HOME_ROW_GAP,
            )
        }
        FeedLayout::Search => {
            let rows = total as f32;
            (
                2.0 * PAD + SEARCH.thumb.0 + GAP + SEARCH_TEXT,
                2.0 * PAD + rows * SEARCH.thumb.1 + (rows - 1.0) * GAP,
            )
        }
        FeedLayout::Mobile => (MOBILE.thumb.0, total as f32 * MOBILE_CARD),
    };
    let mut canvas = Pixmap::new(width as u32, height as u32).ok_or(RenderError::BadSize {
        width: width as u32,
        height: height as u32,
    })?;
    let colors = feed.theme.colors();
    canvas.fill(color(colors.background, 1.0));
    let page = Page {
        width,
        rtl: feed.rtl,
        colors,
    };
    let mut thumbnails = Vec::with_capacity(featured);
    for (n, card) in cards.iter().enumerate() {
        let thumb = match feed.layout {
            FeedLayout::Home => {
                let cols = feed.layout.columns(featured);
                let (col, row) = ((n % cols) as f32, (n / cols) as f32);
                let x = PAD + col * (HOME.thumb.0 + GAP);
                let y = PAD + row * (HOME_CARD + HOME_ROW_GAP);
                page.home_card(&mut canvas, card, x, y)?
            }
            FeedLayout::Search => {
                let y = PAD + n as f32 * (SEARCH.thumb.1 + GAP);
                page.search_row(&mut canvas, card, y)?
            }
            FeedLayout::Mobile => page.mobile_card(&mut canvas, card, n as f32 * MOBILE_CARD)?,
        };
        if n < featured {
            thumbnails.push(thumb.map(|v| v.round() as u32));
        }
    }
    Ok(FeedPreview {
        image: to_image(canvas),
        thumbnails,
    })
}

struct Page {
    width: f32,
    rtl: bool,
    colors: Colors,
}

impl Page {
    /// `[x, y, w, h]` laid out left to right, mirrored on a right-to-left page.
    fn place(&self, [x, y, w, h]: [f32; 4]) -> [f32; 4] {
        if self.rtl {
            [self.width - x - w, y, w, h]
        } else {
            [x, y, w, h]
        }
    }

    fn home_card(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        x: f32,
        y: f32,
    ) -> Result<[f32; 4], RenderError> {
        let m = &HOME;
        let thumb = self.place([x, y, m.thumb.0, m.thumb.1]);
        self.thumbnail(canvas, card, thumb, m.corner)?;
        let top = y + m.thumb.1 + 12.0;
        self.avatar(canvas, card, self.place([x, top, m.avatar, m.avatar]))?;
        let text_x = x + m.avatar + 12.0;
        let text_w = m.thumb.0 - m.avatar - 12.0 - 24.0;
        let title_h = self.title(
            canvas,
            card,
            m,
            self.place([text_x, top, text_w, 2.0 * m.title_line]),
        )?;
        self.kebab(
            canvas,
            card,
            self.place([x + m.thumb.0 - 12.0, top + 4.0, 4.0, 16.0]),
        );
        let mut line = top + title_h + 4.0;
        for (words, width) in [(&card.channel, 0.45), (&card.meta, 0.7)] {
            let area = self.place([text_x, line, text_w, m.meta_line]);
            self.secondary(canvas, card, words, area, m, width)?;
            line += m.meta_line;
        }
        Ok(thumb)
    }

    fn search_row(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        y: f32,
    ) -> Result<[f32; 4], RenderError> {
        let m = &SEARCH;
        let thumb = self.place([PAD, y, m.thumb.0, m.thumb.1]);
        self.thumbnail(canvas, card, thumb, m.corner)?;
        let text_x = PAD + m.thumb.0 + GAP;
        let text_w = SEARCH_TEXT - 32.0;
        let title_h = self.title(
            canvas,
            card,
            m,
            self.place([text_x, y, text_w, 2.0 * m.title_line]),
        )?;
        self.kebab(
            canvas,
            card,
            self.place([text_x + SEARCH_TEXT - 12.0, y + 4.0, 4.0, 16.0]),
        );
        let mut line = y + title_h + 2.0;
        self.secondary(
            canvas,
            card,
            &card.meta,
            self.place([text_x, line, text_w, m.meta_line]),
            m,
            0.35,
        )?;
        line += m.meta_line + 12.0;
        self.avatar(canvas, card, self.place([text_x, line, m.avatar, m.avatar]))?;
        let name = self.place([
            text_x + m.avatar + 8.0,
            line + (m.avatar - m.meta_line) / 2.0,
            text_w - m.avatar - 8.0,
            m.meta_line,
        ]);
        self.secondary(canvas, card, &card.channel, name, m, 0.25)?;
        Ok(thumb)
    }

    fn mobile_card(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        y: f32,
    ) -> Result<[f32; 4], RenderError> {
        let m = &MOBILE;
        let thumb = [0.0, y, m.thumb.0, m.thumb.1];
        self.thumbnail(canvas, card, thumb, m.corner)?;
        let top = y + m.thumb.1 + 12.0;
        self.avatar(canvas, card, self.place([12.0, top, m.avatar, m.avatar]))?;
        let text_x = 12.0 + m.avatar + 12.0;
        let text_w = m.thumb.0 - text_x - 36.0;
        let title_h = self.title(
            canvas,
            card,
            m,
            self.place([text_x, top, text_w, 2.0 * m.title_line]),
        )?;
        self.kebab(
            canvas,
            card,
            self.place([m.thumb.0 - 20.0, top + 2.0, 4.0, 16.0]),
        );
        // The phone puts channel, views and age on one line.
        let meta = match (card.channel.is_empty(), card.meta.is_empty()) {
            (false, false) => format!("{} · {}", card.channel, card.meta),
            (false, true) => card.channel.clone(),
            _ => card.meta.clone(),
        };
        let area = self.place([text_x, top + title_h + 2.0, text_w, m.meta_line]);
        self.secondary(canvas, card, &meta, area, m, 0.8)?;
        Ok(thumb)
    }

    /// The picture (or a grey box) with the duration badge.
    fn thumbnail(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        [x, y, w, h]: [f32; 4],
        corner: f32,
    ) -> Result<(), RenderError> {
        let Some(shape) = rounded(x, y, w, h, corner) else {
            return Ok(());
        };
        let Some(img) = &card.image else {
            fill(canvas, &shape, self.colors.placeholder, 1.0);
            return Ok(());
        };
        let fitted = img.resize_to_fill(w.round() as u32, h.round() as u32, FilterType::Lanczos3);
        let picture = to_pixmap(&fitted.to_rgba8()).ok_or(RenderError::BadSize {
            width: fitted.width(),
            height: fitted.height(),
        })?;
        let mut mask = Mask::new(canvas.width(), canvas.height()).ok_or(RenderError::BadSize {
            width: canvas.width(),
            height: canvas.height(),
        })?;
        mask.fill_path(&shape, FillRule::Winding, true, Transform::identity());
        canvas.draw_pixmap(
            x.round() as i32,
            y.round() as i32,
            picture.as_ref(),
            &PixmapPaint::default(),
            Transform::identity(),
            Some(&mask),
        );
        if !card.duration.is_empty() {
            self.duration(canvas, &card.duration, [x, y, w, h])?;
        }
        Ok(())
    }

    /// The dark badge over the bottom-right corner (bottom-left on a right-to-left page).
    fn duration(
        &self,
        canvas: &mut Pixmap,
        label: &str,
        [x, y, w, h]: [f32; 4],
    ) -> Result<(), RenderError> {
        let face = &fonts()?.persian;
        let size = 12.0;
        let fitted = line(
            face,
            label,
            [0.0, 0.0, 200.0, 18.0],
            size,
            18.0 / size,
            Align::Start,
        )?;
        let Some(first) = fitted.layout.lines.first() else {
            return Ok(());
        };
        let (bw, bh) = (first.width + 8.0, 18.0);
        let bx = if self.rtl { x + 8.0 } else { x + w - 8.0 - bw };
        let by = y + h - 8.0 - bh;
        if let Some(badge) = rounded(bx, by, bw, bh, 4.0) {
            fill(canvas, &badge, Rgb::new(0, 0, 0), 0.8);
        }
        let moved = line(
            face,
            label,
            [bx + 4.0, by, first.width + 0.5, bh],
            size,
            18.0 / size,
            Align::Start,
        )?;
        paint_words(canvas, face, &moved, Rgb::new(255, 255, 255));
        Ok(())
    }

    /// The channel's round avatar: its initial on a colour of its own.
    fn avatar(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        [x, y, d, _]: [f32; 4],
    ) -> Result<(), RenderError> {
        let mut pb = PathBuilder::new();
        pb.push_circle(x + d / 2.0, y + d / 2.0, d / 2.0);
        let Some(circle) = pb.finish() else {
            return Ok(());
        };
        let Some(initial) = card.channel.chars().find(|c| c.is_alphanumeric()) else {
            fill(canvas, &circle, self.colors.placeholder, 1.0);
            return Ok(());
        };
        fill(canvas, &circle, avatar_color(&card.channel), 1.0);
        let face = &fonts()?.persian;
        let letter: String = initial.to_uppercase().collect();
        let size = d * 0.5;
        let fitted = line(face, &letter, [x, y, d, d], size, d / size, Align::Center)?;
        paint_words(canvas, face, &fitted, Rgb::new(255, 255, 255));
        Ok(())
    }

    /// The title in at most two lines, cut with an ellipsis; answers the height it took.
    fn title(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        m: &Metrics,
        area: [f32; 4],
    ) -> Result<f32, RenderError> {
        let face = &fonts()?.persian;
        let words = text::drawable(face, &card.title);
        if words.is_empty() {
            self.bar(canvas, area, m.title_line, 0.9, 0.0);
            self.bar(canvas, area, m.title_line, 0.6, m.title_line);
            return Ok(2.0 * m.title_line);
        }
        let fitted = clipped(
            face,
            &words,
            area,
            m.title_size,
            m.title_line / m.title_size,
            2,
            self.align(&words),
        )?;
        paint_words(canvas, face, &fitted, self.colors.text);
        Ok(fitted.layout.lines.len().max(1) as f32 * m.title_line)
    }

    /// One grey line of secondary text (or a placeholder bar `bar` of the width).
    fn secondary(
        &self,
        canvas: &mut Pixmap,
        card: &FeedCard,
        words: &str,
        area: [f32; 4],
        m: &Metrics,
        bar: f32,
    ) -> Result<(), RenderError> {
        let face = &fonts()?.persian;
        let words = text::drawable(face, words);
        if words.is_empty() {
            if card.title.is_empty() {
                self.bar(canvas, area, m.meta_line, bar, 0.0);
            }
            return Ok(());
        }
        let fitted = clipped(
            face,
            &words,
            area,
            m.meta_size,
            m.meta_line / m.meta_size,
            1,
            self.align(&words),
        )?;
        paint_words(canvas, face, &fitted, self.colors.secondary);
        Ok(())
    }

    /// The alignment that puts `words` at the page's reading start (the text module mirrors
    /// Start for right-to-left words itself).
    fn align(&self, words: &str) -> Align {
        if self.rtl == text::paragraph_is_rtl(words) {
            Align::Start
        } else {
            Align::End
        }
    }

    /// A grey rounded bar standing in for a line of text.
    fn bar(&self, canvas: &mut Pixmap, [x, y, w, _]: [f32; 4], line: f32, share: f32, dy: f32) {
        let bw = w * share;
        let bx = if self.rtl { x + w - bw } else { x };
        if let Some(p) = rounded(bx, y + dy + line * 0.2, bw, line * 0.6, 4.0) {
            fill(canvas, &p, self.colors.placeholder, 1.0);
        }
    }

    /// The three-dot menu beside a title (a loading card has none).
    fn kebab(&self, canvas: &mut Pixmap, card: &FeedCard, [x, y, w, h]: [f32; 4]) {
        if card.title.is_empty() {
            return;
        }
        let mut pb = PathBuilder::new();
        for k in 0..3 {
            pb.push_circle(x + w / 2.0, y + h * (0.2 + 0.3 * k as f32), 1.6);
        }
        if let Some(p) = pb.finish() {
            fill(canvas, &p, self.colors.text, 0.9);
        }
    }
}

/// `words` laid out in `area` at `size`, shortened word by word (then letter by letter) with
/// an ellipsis until it fits `max_lines`.
fn clipped(
    face: &rustybuzz::Face<'_>,
    words: &str,
    area: [f32; 4],
    size: f32,
    line_height: f32,
    max_lines: usize,
    align: Align,
) -> Result<Fitted, RenderError> {
    let fit = |t: &str| {
        text::fit(
            face,
            &FitRequest {
                slot: "feed",
                text: t,
                area,
                size,
                min_size: size,
                max_lines,
                line_height,
                align,
                valign: VAlign::Top,
            },
        )
    };
    if let Ok(f) = fit(words) {
        return Ok(f);
    }
    let mut kept: Vec<&str> = words.split_whitespace().collect();
    while kept.len() > 1 {
        kept.pop();
        if let Ok(f) = fit(&format!("{}…", kept.join(" "))) {
            return Ok(f);
        }
    }
    let mut letters: Vec<char> = kept
        .first()
        .map(|w| w.chars().collect())
        .unwrap_or_default();
    while !letters.is_empty() {
        letters.pop();
        let cut: String = letters.iter().collect();
        if let Ok(f) = fit(&format!("{cut}…")) {
            return Ok(f);
        }
    }
    fit("…")
}

/// One line at a fixed size, for labels that always fit.
fn line(
    face: &rustybuzz::Face<'_>,
    words: &str,
    area: [f32; 4],
    size: f32,
    line_height: f32,
    align: Align,
) -> Result<Fitted, RenderError> {
    clipped(face, words, area, size, line_height, 1, align)
}

fn paint_words(canvas: &mut Pixmap, face: &rustybuzz::Face<'_>, fitted: &Fitted, c: Rgb) {
    for &(i, x, baseline, scale) in &fitted.placements {
        if let Some(path) = text::word_path(face, &fitted.words[i], x, baseline, scale) {
            fill(canvas, &path, c, 1.0);
        }
    }
}

fn color(c: Rgb, opacity: f32) -> tiny_skia::Color {
    tiny_skia::Color::from_rgba8(
        c.r,
        c.g,
        c.b,
        (opacity.clamp(0.0, 1.0) * 255.0).round() as u8,
    )
}

fn fill(canvas: &mut Pixmap, path: &Path, c: Rgb, opacity: f32) {
    let mut paint = Paint::default();
    paint.set_color(color(c, opacity));
    paint.anti_alias = true;
    canvas.fill_path(path, &paint, FillRule::Winding, Transform::identity(), None);
}

/// A rectangle with circular corners of radius `r` (0: square).
fn rounded(x: f32, y: f32, w: f32, h: f32, r: f32) -> Option<Path> {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    if r == 0.0 {
        return Some(PathBuilder::from_rect(tiny_skia::Rect::from_xywh(
            x, y, w, h,
        )?));
    }
    // Cubic approximation of a quarter circle.
    let k = r * 0.552_284_8;
    let mut pb = PathBuilder::new();
    pb.move_to(x + r, y);
    pb.line_to(x + w - r, y);
    pb.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
    pb.line_to(x + w, y + h - r);
    pb.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
    pb.line_to(x + r, y + h);
    pb.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
    pb.line_to(x, y + r);
    pb.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    pb.close();
    pb.finish()
}

/// A stable colour per channel name, from a set that carries white letters.
fn avatar_color(name: &str) -> Rgb {
    const SET: [Rgb; 8] = [
        Rgb::new(0xc2, 0x18, 0x5b),
        Rgb::new(0x51, 0x2d, 0xa8),
        Rgb::new(0x15, 0x65, 0xc0),
        Rgb::new(0x00, 0x79, 0x6b),
        Rgb::new(0x2e, 0x7d, 0x32),
        Rgb::new(0xef, 0x6c, 0x00),
        Rgb::new(0x6d, 0x4c, 0x41),
        Rgb::new(0x45, 0x5a, 0x64),
    ];
    let hash = name.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    SET[hash as usize % SET.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(title: &str, image: Option<DynamicImage>) -> FeedCard {
        FeedCard {
            image,
            title: title.into(),
            channel: "Routix Labs".into(),
            meta: "12K views · 3 days ago".into(),
            duration: "12:34".into(),
        }
    }

    fn red() -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(
            1280,
            720,
            image::Rgba([220, 20, 30, 255]),
        ))
    }

    fn feed(layout: FeedLayout, theme: FeedTheme, rtl: bool, featured: usize) -> Feed {
        Feed {
            layout,
            theme,
            rtl,
            featured: (0..featured)
                .map(|_| card("NEW SEASON is here", Some(red())))
                .collect(),
            neighbours: vec![],
        }
    }

    #[test]
    fn canvases_have_each_layouts_size() {
        let cases = [
            (FeedLayout::Home, 1, 1160, 692),
            (FeedLayout::Home, 4, 1536, 692),
            (FeedLayout::Search, 1, 1024, 904),
            (FeedLayout::Mobile, 1, 390, 945),
        ];
        for (layout, n, w, h) in cases {
            let p = render_feed(&feed(layout, FeedTheme::Light, false, n)).unwrap();
            assert_eq!(
                (p.image.width(), p.image.height()),
                (w, h),
                "{layout:?} x{n}"
            );
            assert_eq!(p.thumbnails.len(), n);
        }
    }

    #[test]
    fn right_to_left_mirrors_the_first_thumbnail_and_its_badge() {
        let ltr = render_feed(&feed(FeedLayout::Home, FeedTheme::Dark, false, 1)).unwrap();
        let rtl = render_feed(&feed(FeedLayout::Home, FeedTheme::Dark, true, 1)).unwrap();
        let [x, y, w, h] = ltr.thumbnails[0];
        assert_eq!(rtl.thumbnails[0], [ltr.image.width() - x - w, y, w, h]);
        // The badge is dark: bottom right in LTR, bottom left in RTL.
        let dark = |img: &RgbaImage, px: u32, py: u32| img.get_pixel(px, py).0[0] < 60;
        assert!(dark(&ltr.image, x + w - 14, y + h - 12));
        assert!(!dark(&ltr.image, x + 14, y + h - 12));
        let [rx, ..] = rtl.thumbnails[0];
        assert!(dark(&rtl.image, rx + 14, y + h - 12));
    }

    #[test]
    fn too_many_featured_is_refused() {
        assert!(render_feed(&feed(FeedLayout::Mobile, FeedTheme::Light, false, 5)).is_err());
        assert!(render_feed(&feed(FeedLayout::Mobile, FeedTheme::Light, false, 0)).is_err());
    }
}
