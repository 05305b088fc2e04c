//! routix-providers: every paid or remote AI service Routix talks to, behind one resilience
//! layer. LLM analysis (OpenAI Chat Completions with a JSON schema, Gemini generateContent
//! with a response schema, vision on reference images) always validates into
//! `routix_core::Analysis` and falls back to the rules; artwork providers (OpenAI images,
//! Stability v1 and v2beta, Gemini image output, a self-hosted AUTOMATIC1111 server) are
//! tried along a chain per algorithm, and the caller falls back to the offline compositor.
//! No database, no HTTP server: clients only.

pub mod analysis;
pub mod cache;
pub mod config;
pub mod error;
pub mod images;
pub mod prompt;
pub mod resilience;

mod facade;

pub use analysis::vision::VisionNotes;
pub use config::{ProvidersConfig, Secret};
pub use error::ProviderError;
pub use facade::{AnalysisOutcome, Made, Providers, ReferenceImage};
