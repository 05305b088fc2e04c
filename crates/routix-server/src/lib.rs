//! Routix's HTTP server: the REST API, WebSocket, auth, rate limits, metrics, docs and web
//! assets. Business rules live in `routix-core`; persistence in `routix-store`; generation
//! (pipeline, worker, events, assistant replies) in `routix-engine`; this crate is the door
//! to them.

pub mod app;
pub mod auth;
pub mod bank;
pub mod config;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod mail;
pub mod media;
pub mod picks;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod stripe;
pub mod telemetry;
pub mod web;
pub mod ws;
pub mod youtube;

// The engine's modules under the paths the routes have always used.
pub use routix_engine::{assistant, events, grants, pipeline, worker};

pub use app::{shutdown_signal, Application, StartError};
pub use config::{ConfigError, Settings, Vars};
