//! Routix's HTTP server: the REST API, auth, rate limits, metrics and docs. Business rules
//! live in `routix-core`; persistence in `routix-store`; this crate is the door to them.

pub mod app;
pub mod assistant;
pub mod auth;
pub mod bank;
pub mod config;
pub mod error;
pub mod events;
pub mod extract;
pub mod grants;
pub mod mail;
pub mod media;
pub mod pipeline;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod stripe;
pub mod telemetry;
pub mod web;
pub mod worker;
pub mod ws;

pub use app::{shutdown_signal, Application, StartError};
pub use config::{ConfigError, Settings, Vars};
