//! Shared application state handed to every handler.

use std::sync::Arc;

use tokio::sync::{watch, Notify};

use routix_store::{blobs::BlobStore, users::User, Db, StoreError};

use crate::{
    auth::{TokenKeys, TokenType},
    config::Settings,
    error::ApiError,
    events::EventBus,
    ratelimit::Limiter,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub settings: Settings,
    pub db: Db,
    pub blobs: BlobStore,
    pub limiter: Limiter,
    pub keys: TokenKeys,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    pub events: EventBus,
    /// Wakes the in-process worker when a job is queued.
    pub worker_wake: Arc<Notify>,
    /// Wakes the mail sender when a mail is queued.
    pub mail_wake: Arc<Notify>,
    /// Turns true when the server begins shutting down (WebSockets close with 1001).
    pub shutdown: watch::Receiver<bool>,
    pub engine: Arc<routix_engine::Engine>,
    /// The bank's search index, kept beside the items: built at start, changed item by item
    /// as admins import, edit and delete.
    pub bank_index: Arc<std::sync::RwLock<routix_core::bank::search::Index>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }

    /// The live user a token of type `expected` belongs to; 401 for anything else (bad
    /// signature, expired, wrong type, deleted account).
    pub async fn authenticate(&self, token: &str, expected: TokenType) -> Result<User, ApiError> {
        let invalid = || ApiError::unauthorized("invalid or expired token");
        let claims = self.keys.verify(token, expected).ok_or_else(invalid)?;
        let id = claims.sub.parse().map_err(|_| invalid())?;
        match self.db.user_by_id(id).await {
            Ok(user) => Ok(user),
            Err(StoreError::NotFound) => Err(invalid()),
            Err(e) => Err(e.into()),
        }
    }
}
