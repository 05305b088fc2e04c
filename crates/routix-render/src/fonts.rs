//! The bundled fonts (OFL, licences beside them in `fonts/`): Bebas Neue Bold, a condensed
//! heavy display face for Latin headlines, and Vazirmatn Black, a heavy sans covering
//! Persian, Arabic and Latin.

use std::sync::OnceLock;

use rustybuzz::Face;

use crate::{template::FontChoice, RenderError};

static DISPLAY: &[u8] = include_bytes!("../fonts/BebasNeue-Bold.otf");
static PERSIAN: &[u8] = include_bytes!("../fonts/Vazirmatn-Black.ttf");

pub struct Fonts {
    pub display: Face<'static>,
    pub persian: Face<'static>,
}

/// The parsed faces, loaded once per process.
pub fn fonts() -> Result<&'static Fonts, RenderError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let load = |name: &str, data: &'static [u8]| {
                Face::from_slice(data, 0).ok_or_else(|| format!("{name} is not a readable font"))
            };
            Ok(Fonts {
                display: load("BebasNeue-Bold.otf", DISPLAY)?,
                persian: load("Vazirmatn-Black.ttf", PERSIAN)?,
            })
        })
        .as_ref()
        .map_err(|reason| RenderError::Font {
            name: "bundled".into(),
            reason: reason.clone(),
        })
}

impl Fonts {
    /// The face for `text`: Arabic script always gets the Persian face (which also carries
    /// Latin, so mixed lines stay in one face).
    /// The display face for Latin headlines; the Persian face (which also has Latin) for
    /// Arabic script, for the sans choice, and for text with letters the display face lacks
    /// but the Persian face has.
    pub fn pick(&self, choice: FontChoice, text: &str) -> &Face<'static> {
        let only_persian_has = |c: char| {
            !c.is_whitespace()
                && self.display.glyph_index(c).is_none()
                && self.persian.glyph_index(c).is_some()
        };
        if choice == FontChoice::Sans
            || text.chars().any(crate::text::is_arabic_script)
            || text.chars().any(only_persian_has)
        {
            &self.persian
        } else {
            &self.display
        }
    }
}
