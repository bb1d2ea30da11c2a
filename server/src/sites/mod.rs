//! Sites of the network: the register and one site's details.
//!
//! `repo` holds every SQL statement about sites; the functions here are the service that
//! handlers and the UI backend call.

pub mod repo;

use app::model::sites::{Site, SiteSummary};

use crate::db::Db;
use crate::error::Error;

/// Every active site, ordered by region name then site name.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db) -> Result<Vec<SiteSummary>, Error> {
    Ok(repo::list(db).await?)
}

/// One site by code; `Error::NotFound` when there is none.
#[tracing::instrument(skip_all, fields(site = %code))]
pub async fn get(db: &Db, code: &str) -> Result<Site, Error> {
    repo::find(db, code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no site with the code '{code}'.")))
}
