//! REST handler for browsing the audit trail.

use app::model::users::{Page, TrailEntry, TrailQuery};
use axum::extract::{Query, State};
use axum::Json;

use crate::api::error::{ApiResult, ErrorBody};
use crate::auth::Actor;
use crate::db::Db;

/// Audit-trail entries, newest first, filtered by entity, actor, site and dates (administrators).
#[utoipa::path(get, path = "/audit-trail", tag = "audit trail", params(TrailQuery),
    responses((status = 200, body = Page<TrailEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_trail(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<TrailQuery>,
) -> ApiResult<Json<Page<TrailEntry>>> {
    Ok(Json(super::browse(&db, &actor, &query).await?))
}
