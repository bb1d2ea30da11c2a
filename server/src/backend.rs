//! The server's implementation of the user interface's [`app::backend::Backend`] port.

use app::backend::Backend;
use app::error::AppError;
use app::model::sites::{Site, SiteSummary};

use crate::db::Db;
use crate::sites;

/// Answers the UI's server functions by calling the services.
pub struct UiBackend {
    db: Db,
}

impl UiBackend {
    pub fn new(db: Db) -> Self {
        UiBackend { db }
    }
}

#[async_trait::async_trait]
impl Backend for UiBackend {
    async fn list_sites(&self) -> Result<Vec<SiteSummary>, AppError> {
        Ok(sites::list(&self.db).await?)
    }

    async fn site(&self, code: &str) -> Result<Site, AppError> {
        Ok(sites::get(&self.db, code).await?)
    }
}
