//! The port through which server functions reach the server's services.
//!
//! `app` cannot depend on `server` (the server depends on `app` for its pages), so the server
//! implements this trait and provides it as Leptos context. Server functions stay thin: get the
//! backend, call it, return its typed result.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::model::sites::{Site, SiteSummary};

/// Everything the user interface asks of the server.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Every active site of the network, ordered by region and name.
    async fn list_sites(&self) -> Result<Vec<SiteSummary>, AppError>;
    /// One site by its code (`KEN-NBO`); `AppError::NotFound` when there is none.
    async fn site(&self, code: &str) -> Result<Site, AppError>;
}

/// The backend as it is stored in context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend provided by the server for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    use_context::<SharedBackend>()
        .ok_or_else(|| AppError::Internal("the server provided no backend".into()))
}
