//! The template format. A template is a JSON file: metadata the matcher reads (shared with
//! `routix-core`) plus a list of layers drawn bottom to top, in a 1280x720 design space that
//! is scaled to the requested size. Colours are `#rrggbb` or a palette role (`primary`,
//! `secondary`, `accent`), so a requested palette recolours the design.

use std::path::Path;

use routix_core::{Palette, Rgb, TemplateMeta};
use serde::Deserialize;

use crate::RenderError;

pub const DESIGN_WIDTH: f32 = 1280.0;
pub const DESIGN_HEIGHT: f32 = 720.0;

#[derive(Debug, Clone, Deserialize)]
pub struct Template {
    #[serde(flatten)]
    pub meta: TemplateMeta,
    pub layers: Vec<Layer>,
    /// Identifies this exact design (id and layers), for the static-layer cache.
    #[serde(skip)]
    pub fingerprint: u64,
}

/// A colour in a template: fixed, or one of the palette's roles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Fixed(Rgb),
    Primary,
    Secondary,
    Accent,
}

impl<'de> Deserialize<'de> for Paint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "primary" => Ok(Paint::Primary),
            "secondary" => Ok(Paint::Secondary),
            "accent" => Ok(Paint::Accent),
            "white" => Ok(Paint::Fixed(Rgb::new(255, 255, 255))),
            "black" => Ok(Paint::Fixed(Rgb::new(0, 0, 0))),
            hex => hex.parse().map(Paint::Fixed).map_err(|_| {
                serde::de::Error::custom(format!(
                    "colour {hex:?}: expected #rrggbb, primary, secondary, accent, white or black"
                ))
            }),
        }
    }
}

impl Paint {
    pub fn resolve(self, palette: &Palette) -> Rgb {
        match self {
            Paint::Fixed(c) => c,
            Paint::Primary => palette.primary,
            Paint::Secondary => palette.secondary,
            Paint::Accent => palette.accent,
        }
    }
}

/// `[x, y, width, height]` in design pixels.
pub type Rect = [f32; 4];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fill {
    Solid(Paint),
    /// From one colour to another across the canvas at `angle` degrees (0 = left to right).
    Linear {
        from: Paint,
        to: Paint,
        angle: f32,
    },
    /// From `inner` at `center` (fractions of the canvas) to `outer` at `radius` (fraction
    /// of the canvas width).
    Radial {
        inner: Paint,
        outer: Paint,
        center: [f32; 2],
        radius: f32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    Stripes,
    Dots,
    Grid,
    Rays,
    Halftone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeKind {
    Rect,
    Circle,
    /// A parallelogram leaning right.
    Slant,
    /// A ribbon with a notched end.
    Banner,
    /// An arrow pointing right (rotate it for other directions).
    Arrow,
    /// A star burst.
    Burst,
    /// A ring (circle outline).
    Ring,
}

/// What is drawn behind a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backdrop {
    /// A soft glow of the accent colour.
    #[default]
    Glow,
    /// A star burst of the accent colour: loud, for reactions and kids.
    Burst,
    /// A disc of the accent colour: a clean cut-out look.
    Disc,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Start,
    Center,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VAlign {
    Top,
    #[default]
    Center,
    Bottom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FontChoice {
    /// A condensed heavy display face for Latin; Persian/Arabic use the Persian face.
    #[default]
    Display,
    /// A heavy sans with Latin and Persian (Vazirmatn Black).
    Sans,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    Headline,
    Subtitle,
    Badge,
}

impl Slot {
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Headline => "headline",
            Slot::Subtitle => "subtitle",
            Slot::Badge => "badge",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stroke {
    pub color: Paint,
    pub width: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shadow {
    pub color: Paint,
    #[serde(default = "default_opacity")]
    pub opacity: f32,
    pub dx: f32,
    pub dy: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Glow {
    pub color: Paint,
    pub radius: f32,
    #[serde(default = "default_opacity")]
    pub opacity: f32,
}

fn default_opacity() -> f32 {
    1.0
}

fn default_lines() -> usize {
    2
}

fn default_line_height() -> f32 {
    1.05
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Layer {
    Background {
        fill: Fill,
    },
    Pattern {
        kind: PatternKind,
        color: Paint,
        #[serde(default = "default_opacity")]
        opacity: f32,
        /// Distance between repeats, design pixels.
        spacing: f32,
        #[serde(default)]
        area: Option<Rect>,
    },
    Noise {
        opacity: f32,
    },
    Vignette {
        strength: f32,
    },
    /// Where the reference photo or artwork goes: cover-fitted around `focus`.
    Image {
        #[serde(rename = "box")]
        area: Rect,
        #[serde(default = "default_focus")]
        focus: [f32; 2],
        #[serde(default)]
        darken: f32,
        #[serde(default)]
        blur: f32,
        #[serde(default)]
        tint: Option<Paint>,
        #[serde(default)]
        tint_opacity: f32,
        /// Clip shape: rect (default), circle or slant.
        #[serde(default)]
        shape: Option<ShapeKind>,
        #[serde(default)]
        border: Option<Stroke>,
        /// Drawn when there is no image: a fill so the design still reads.
        #[serde(default)]
        placeholder: Option<Fill>,
        /// Mirror the clip shape left to right (a slant leaning the other way).
        #[serde(default)]
        flip: bool,
    },
    /// Where the subject goes when there is no photo: the request's emoji sticker, drawn
    /// large with its outline and shadow. `index` 1 is the second subject of an "A vs B"
    /// request; a template without subject layers gets its subject in the image slot.
    Subject {
        #[serde(rename = "box")]
        area: Rect,
        #[serde(default)]
        index: usize,
        /// Degrees, clockwise; a slight tilt reads as energy.
        #[serde(default)]
        tilt: f32,
        #[serde(default)]
        backdrop: Backdrop,
    },
    Shape {
        kind: ShapeKind,
        #[serde(rename = "box")]
        area: Rect,
        color: Paint,
        #[serde(default = "default_opacity")]
        opacity: f32,
        #[serde(default)]
        rotate: f32,
        #[serde(default)]
        shadow: Option<Shadow>,
        /// Mirror the shape left to right (an arrow pointing left, a slant leaning left).
        #[serde(default)]
        flip: bool,
    },
    Text {
        slot: Slot,
        #[serde(rename = "box")]
        area: Rect,
        size: f32,
        min_size: f32,
        #[serde(default = "default_lines")]
        max_lines: usize,
        #[serde(default = "default_line_height")]
        line_height: f32,
        color: Paint,
        /// Colour for the highlighted (last) word, if any.
        #[serde(default)]
        highlight: Option<Paint>,
        #[serde(default)]
        stroke: Option<Stroke>,
        #[serde(default)]
        shadow: Option<Shadow>,
        #[serde(default)]
        glow: Option<Glow>,
        #[serde(default)]
        uppercase: bool,
        #[serde(default)]
        align: Align,
        #[serde(default)]
        valign: VAlign,
        #[serde(default)]
        font: FontChoice,
        /// A pill behind the text (badges).
        #[serde(default)]
        plate: Option<Paint>,
        #[serde(default)]
        rotate: f32,
    },
}

fn default_focus() -> [f32; 2] {
    [0.5, 0.4]
}

impl Template {
    /// Parses and validates one template file's text; errors name `file` and the field.
    pub fn parse(file: &str, json: &str) -> Result<Template, RenderError> {
        let bad = |field: String, reason: String| RenderError::BadTemplate {
            file: file.to_string(),
            field,
            reason,
        };
        let mut t: Template = serde_json::from_str(json).map_err(|e| {
            bad(
                format!("line {} column {}", e.line(), e.column()),
                e.to_string(),
            )
        })?;
        if t.meta.id.0.is_empty()
            || !t
                .meta
                .id
                .0
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(bad(
                "id".into(),
                "must be lower-case letters, digits and dashes".into(),
            ));
        }
        for (lang, text) in &t.meta.translations {
            if text.name.trim().is_empty() {
                return Err(bad(
                    format!("translations.{lang}.name"),
                    "must not be empty".into(),
                ));
            }
        }
        if t.layers.is_empty() {
            return Err(bad(
                "layers".into(),
                "a template needs at least one layer".into(),
            ));
        }
        if !t.layers.iter().any(|l| {
            matches!(
                l,
                Layer::Text {
                    slot: Slot::Headline,
                    ..
                }
            )
        }) {
            return Err(bad("layers".into(), "no headline text slot".into()));
        }
        if t.meta.has_image_slot != t.layers.iter().any(|l| matches!(l, Layer::Image { .. })) {
            return Err(bad(
                "has_image_slot".into(),
                "must say whether an image layer exists".into(),
            ));
        }
        for (i, layer) in t.layers.iter().enumerate() {
            let field = |name: &str| format!("layers[{i}].{name}");
            // `key` is the rectangle's name in the file: `box`, or a pattern's `area`.
            let check_rect = |key: &str, area: &Rect| -> Result<(), RenderError> {
                let [x, y, w, h] = *area;
                if w <= 0.0
                    || h <= 0.0
                    || x < -DESIGN_WIDTH
                    || y < -DESIGN_HEIGHT
                    || x + w > 2.0 * DESIGN_WIDTH
                    || y + h > 2.0 * DESIGN_HEIGHT
                {
                    return Err(bad(
                        field(key),
                        format!("{area:?} is empty or far off the canvas"),
                    ));
                }
                Ok(())
            };
            let check_box = |area: &Rect| check_rect("box", area);
            match layer {
                Layer::Text {
                    area,
                    size,
                    min_size,
                    max_lines,
                    ..
                } => {
                    check_box(area)?;
                    let [x, y, w, h] = *area;
                    if x < 0.0 || y < 0.0 || x + w > DESIGN_WIDTH || y + h > DESIGN_HEIGHT {
                        return Err(bad(
                            field("box"),
                            "text boxes must lie inside the 1280x720 canvas".into(),
                        ));
                    }
                    if !(*min_size > 0.0 && min_size <= size) {
                        return Err(bad(
                            field("min_size"),
                            "must be positive and at most size".into(),
                        ));
                    }
                    if *max_lines == 0 || *max_lines > 6 {
                        return Err(bad(field("max_lines"), "must be 1 to 6".into()));
                    }
                }
                Layer::Image { area, .. } | Layer::Shape { area, .. } => check_box(area)?,
                Layer::Subject { area, index, .. } => {
                    check_box(area)?;
                    if *index > 1 {
                        return Err(bad(
                            field("index"),
                            "must be 0 (the subject) or 1 (the second of A vs B)".into(),
                        ));
                    }
                    let [x, y, w, h] = *area;
                    if x + w > DESIGN_WIDTH * 0.82 && y + h > DESIGN_HEIGHT * 0.86 {
                        return Err(bad(
                            field("box"),
                            "reaches YouTube's duration corner (bottom right 18 % x 14 %)".into(),
                        ));
                    }
                }
                Layer::Pattern { spacing, area, .. } => {
                    if *spacing < 4.0 {
                        return Err(bad(field("spacing"), "must be at least 4".into()));
                    }
                    // The pattern is drawn repeat by repeat across its area: one far past
                    // the canvas (a height of 1e38) never ends and fills the memory.
                    if let Some(area) = area {
                        check_rect("area", area)?;
                    }
                }
                Layer::Noise { opacity } | Layer::Vignette { strength: opacity }
                    if !(0.0..=1.0).contains(opacity) =>
                {
                    return Err(bad(field("opacity"), "must be between 0 and 1".into()))
                }
                _ => {}
            }
        }
        t.fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            t.meta.id.0.hash(&mut h);
            format!("{:?}", t.layers).hash(&mut h);
            h.finish()
        };
        Ok(t)
    }

    /// Whether `headline` should get the mirrored design: a right-to-left headline in a
    /// layout whose headline sits on the left (Persian reads from the right, so the text
    /// goes right and the subject left).
    pub fn mirrors_for(&self, headline: &str) -> bool {
        let rtl = headline.chars().any(crate::text::is_arabic_script);
        // A headline across the whole width (a band) has no side to move to.
        let left = self.layers.iter().find_map(|l| match l {
            Layer::Text {
                slot: Slot::Headline,
                area,
                ..
            } => Some(
                area[0] + area[2] / 2.0 < DESIGN_WIDTH / 2.0 - 40.0 && area[2] < DESIGN_WIDTH * 0.7,
            ),
            _ => None,
        });
        rtl && left == Some(true)
    }

    /// The same design mirrored left to right: for right-to-left headlines, which read
    /// best on the right with the subject on the left. Text keeps reading in its own
    /// direction; a photo is placed, not flipped.
    pub fn mirrored(&self) -> Template {
        let flip_fill = |f: &Fill| match f {
            Fill::Solid(p) => Fill::Solid(*p),
            Fill::Linear { from, to, angle } => Fill::Linear {
                from: *from,
                to: *to,
                angle: 180.0 - angle,
            },
            Fill::Radial {
                inner,
                outer,
                center,
                radius,
            } => Fill::Radial {
                inner: *inner,
                outer: *outer,
                center: [1.0 - center[0], center[1]],
                radius: *radius,
            },
        };
        let flip_align = |a: Align| match a {
            Align::Start => Align::End,
            Align::End => Align::Start,
            Align::Center => Align::Center,
        };
        let flip_box = |a: &mut Rect| a[0] = DESIGN_WIDTH - a[0] - a[2];
        let mut layers = self.layers.clone();
        for layer in &mut layers {
            match layer {
                Layer::Background { fill } => *fill = flip_fill(fill),
                Layer::Pattern { area, .. } => {
                    if let Some(a) = area {
                        flip_box(a);
                    }
                }
                Layer::Image {
                    area,
                    placeholder,
                    flip,
                    ..
                } => {
                    flip_box(area);
                    if let Some(fill) = placeholder {
                        *fill = flip_fill(fill);
                    }
                    *flip = !*flip;
                }
                Layer::Subject { area, tilt, .. } => {
                    flip_box(area);
                    *tilt = -*tilt;
                }
                Layer::Shape {
                    area,
                    rotate,
                    shadow,
                    flip,
                    ..
                } => {
                    flip_box(area);
                    *rotate = -*rotate;
                    if let Some(s) = shadow {
                        s.dx = -s.dx;
                    }
                    *flip = !*flip;
                }
                Layer::Text {
                    area,
                    shadow,
                    align,
                    rotate,
                    ..
                } => {
                    flip_box(area);
                    if let Some(s) = shadow {
                        s.dx = -s.dx;
                    }
                    *align = flip_align(*align);
                    *rotate = -*rotate;
                }
                Layer::Noise { .. } | Layer::Vignette { .. } => {}
            }
        }
        Template {
            meta: self.meta.clone(),
            layers,
            fingerprint: self.fingerprint ^ 0x9e37_79b9_7f4a_7c15,
        }
    }
}

/// The built-in templates, compiled into the binary.
const BUILTIN: &[(&str, &str)] = &include!(concat!(env!("OUT_DIR"), "/builtin_templates.rs"));

#[derive(Debug, Clone)]
pub struct TemplateLibrary {
    templates: Vec<Template>,
}

impl TemplateLibrary {
    pub fn builtin() -> Result<TemplateLibrary, RenderError> {
        let templates = BUILTIN
            .iter()
            .map(|(file, json)| Template::parse(file, json))
            .collect::<Result<Vec<_>, _>>()?;
        TemplateLibrary::from_templates(templates)
    }

    /// Every `*.json` in `dir`.
    pub fn load_dir(dir: &Path) -> Result<TemplateLibrary, RenderError> {
        let unreadable = |reason: String| RenderError::TemplateDir {
            path: dir.display().to_string(),
            reason,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| unreadable(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut templates = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
            templates.push(Template::parse(&path.display().to_string(), &text)?);
        }
        TemplateLibrary::from_templates(templates)
    }

    fn from_templates(mut templates: Vec<Template>) -> Result<TemplateLibrary, RenderError> {
        templates.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        if let Some(w) = templates.windows(2).find(|w| w[0].meta.id == w[1].meta.id) {
            return Err(RenderError::BadTemplate {
                file: w[1].meta.id.0.clone(),
                field: "id".into(),
                reason: "used by two templates".into(),
            });
        }
        Ok(TemplateLibrary { templates })
    }

    pub fn all(&self) -> &[Template] {
        &self.templates
    }

    pub fn get(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.meta.id.0 == id)
    }
}
