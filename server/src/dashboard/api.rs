//! REST handlers for the dashboards and their thresholds.

use app::model::dashboard::{
    NetworkDashboard, RegionalDashboard, SiteDashboard, Threshold, Thresholds,
};
use axum::extract::{Path, State};
use axum::Json;

use crate::api::error::{ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::auth::Actor;
use crate::db::Db;

/// A region's sites with their audit, CAPA, document, PT and radiology QC figures.
#[utoipa::path(get, path = "/dashboard/region/{code}", tag = "dashboard", params(("code" = String, Path)),
    responses((status = 200, body = RegionalDashboard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn regional_dashboard(
    State(db): State<Db>,
    actor: Actor,
    Path(code): Path<String>,
) -> ApiResult<Json<RegionalDashboard>> {
    Ok(Json(super::regional(&db, &actor, &code).await?))
}

/// The same figures per region, the most failed checklist clauses and 24 months of trends.
#[utoipa::path(get, path = "/dashboard/network", tag = "dashboard",
    responses((status = 200, body = NetworkDashboard), (status = 403, body = ErrorBody)))]
pub async fn network_dashboard(
    State(db): State<Db>,
    actor: Actor,
) -> ApiResult<Json<NetworkDashboard>> {
    Ok(Json(super::network(&db, &actor).await?))
}

/// A site's figures, CAPAs due, pending acknowledgements, PT deadlines, next audit and
/// histories.
#[utoipa::path(get, path = "/dashboard/site/{code}", tag = "dashboard", params(("code" = String, Path)),
    responses((status = 200, body = SiteDashboard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn site_dashboard(
    State(db): State<Db>,
    actor: Actor,
    Path(code): Path<String>,
) -> ApiResult<Json<SiteDashboard>> {
    Ok(Json(super::site(&db, &actor, &code).await?))
}

/// The limits against which every dashboard figure is rated.
#[utoipa::path(get, path = "/dashboard/thresholds", tag = "dashboard",
    responses((status = 200, body = Thresholds)))]
pub async fn get_thresholds(State(db): State<Db>, _actor: Actor) -> ApiResult<Json<Thresholds>> {
    Ok(Json(super::thresholds(&db).await?))
}

/// Changes the limits given (administrators).
#[utoipa::path(put, path = "/dashboard/thresholds", tag = "dashboard", request_body = Thresholds,
    responses((status = 200, body = Thresholds), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_thresholds(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<Thresholds>,
) -> ApiResult<Json<Thresholds>> {
    let items: Vec<Threshold> = body.items;
    Ok(Json(super::set_thresholds(&db, &actor, &items).await?))
}
