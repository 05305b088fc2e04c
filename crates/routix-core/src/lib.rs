//! Routix's domain: the types every other crate speaks (analysis, template metadata,
//! generation states, credits) and the pure logic over them. No I/O lives here, so all of it
//! is tested with plain tables of cases.

pub mod algorithms;
pub mod analysis;
pub mod analyzer;
pub mod bank;
pub mod brand;
pub mod category;
pub mod chat_search;
pub mod color;
pub mod credits;
pub mod generation;
pub mod matching;
pub mod subjects;
pub mod template;

pub use analysis::{Analysis, AnalysisSource, Direction, NamedColor};
pub use category::Category;
pub use color::{Palette, Rgb};
pub use credits::Credits;
pub use generation::{Algorithm, GenerationStatus, Stage};
pub use template::{TemplateId, TemplateMeta, TemplateText};

/// Errors from parsing domain values out of untrusted text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CoreError {
    #[error("invalid colour {0:?}: expected #rrggbb")]
    InvalidColor(String),
    #[error("unknown category {0:?}")]
    UnknownCategory(String),
    #[error("unknown algorithm {0:?}: expected basic, premium or pro")]
    UnknownAlgorithm(String),
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}
