//! Routix's generation engine: everything a `routix worker` process needs and nothing of
//! HTTP. The pipeline makes one thumbnail stage by stage and reports each stage through the
//! `pipeline::Stages` trait; the worker claims jobs from the database queue, implements that
//! trait (recording and publishing progress) and keeps its lease alive; the event bus fans
//! events out in one process or across many through Redis. Assistant replies, monthly plan
//! grants and the bank's search index live here too, because workers and the server both
//! use them. `routix-server` is the door in front of this crate.

pub mod assistant;
pub mod bank;
pub mod brand;
pub mod cpu;
pub mod events;
pub mod grants;
pub mod pipeline;
pub mod setup;
pub mod source;
pub mod view;
pub mod worker;

pub use pipeline::Engine;
pub use setup::{EngineSettings, SetupError};
