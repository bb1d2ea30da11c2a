//! REST handlers for sites.

use app::model::sites::{Site, SiteSummary};
use axum::extract::{Path, State};
use axum::Json;

use crate::api::error::{ApiResult, ErrorBody};
use crate::auth::Actor;
use crate::db::Db;

/// The sites in the caller's scope, by region and name.
#[utoipa::path(get, path = "/sites", tag = "sites",
    responses((status = 200, body = Vec<SiteSummary>), (status = 401, body = ErrorBody)))]
pub async fn list_sites(State(db): State<Db>, actor: Actor) -> ApiResult<Json<Vec<SiteSummary>>> {
    Ok(Json(super::list(&db, &actor.user.scope).await?))
}

/// One site; 404 when it does not exist or is outside the caller's scope.
#[utoipa::path(get, path = "/sites/{code}", tag = "sites",
    params(("code" = String, Path, description = "Site code, e.g. KEN-NBO")),
    responses((status = 200, body = Site), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_site(
    State(db): State<Db>,
    actor: Actor,
    Path(code): Path<String>,
) -> ApiResult<Json<Site>> {
    Ok(Json(super::get(&db, &actor.user.scope, &code).await?))
}
