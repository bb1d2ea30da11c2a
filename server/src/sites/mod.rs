//! Sites of the network: the register and one site's details.
//!
//! `repo` holds every SQL statement about sites; the functions here are the service that
//! handlers and the UI backend call.

pub mod api;
pub mod repo;

use app::model::auth::Scope;
use app::model::sites::{Site, SiteSummary};

use crate::auth::policy::ScopeFilter;
use crate::db::Db;
use crate::error::Error;

/// Every active site in the scope, ordered by region name then site name.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, scope: &Scope) -> Result<Vec<SiteSummary>, Error> {
    Ok(repo::list(db, &ScopeFilter::of(scope)).await?)
}

/// One site by code; `Error::NotFound` when there is none in the scope.
#[tracing::instrument(skip_all, fields(site = %code))]
pub async fn get(db: &Db, scope: &Scope, code: &str) -> Result<Site, Error> {
    repo::find(db, &ScopeFilter::of(scope), code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no site with the code '{code}'.")))
}
