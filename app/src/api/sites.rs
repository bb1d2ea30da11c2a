//! Server functions for the organisation's sites.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::sites::{Site, SiteSummary};

/// Every active site of the network, ordered by region and name.
#[server(prefix = "/rpc", endpoint = "sites/list")]
pub async fn list_sites() -> Result<Vec<SiteSummary>, AppError> {
    crate::backend::backend()?.list_sites().await
}

/// One site by its code.
#[server(prefix = "/rpc", endpoint = "sites/get")]
pub async fn get_site(code: String) -> Result<Site, AppError> {
    crate::backend::backend()?.site(&code).await
}
