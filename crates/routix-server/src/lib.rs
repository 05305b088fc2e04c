//! Routix's HTTP server: the REST API, auth, rate limits, metrics and docs. Business rules
//! live in `routix-core`; persistence in `routix-store`; this crate is the door to them.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod events;
pub mod extract;
pub mod media;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod telemetry;

pub use app::{shutdown_signal, Application, StartError};
pub use config::{ConfigError, Settings, Vars};
