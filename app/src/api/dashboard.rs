//! Server functions for the dashboards.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::dashboard::{
    NetworkDashboard, RegionalDashboard, SiteDashboard, Threshold, Thresholds,
};

#[server(prefix = "/rpc", endpoint = "dashboard/region")]
pub async fn load_regional_dashboard(code: String) -> Result<RegionalDashboard, AppError> {
    crate::backend::backend()?.regional_dashboard(code).await
}

#[server(prefix = "/rpc", endpoint = "dashboard/network")]
pub async fn load_network_dashboard() -> Result<NetworkDashboard, AppError> {
    crate::backend::backend()?.network_dashboard().await
}

#[server(prefix = "/rpc", endpoint = "dashboard/site")]
pub async fn load_site_dashboard(code: String) -> Result<SiteDashboard, AppError> {
    crate::backend::backend()?.site_dashboard(code).await
}

#[server(prefix = "/rpc", endpoint = "dashboard/thresholds")]
pub async fn set_dashboard_thresholds(items: Vec<Threshold>) -> Result<Thresholds, AppError> {
    crate::backend::backend()?
        .set_dashboard_thresholds(items)
        .await
}
