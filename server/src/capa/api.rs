//! REST handlers for CAPAs: lists and CSV, create, particulars, lifecycle steps as explicit
//! actions, the action plan, comments, attachments, the timeline and the due-days setting.

use std::sync::Arc;

use app::model::capa::{
    ActionInput, ActionUpdate, Capa, CapaAction, CapaAttachment, CapaComment, CapaQuery, CapaStep,
    CapaSummary, CapaUpdate, DueDays, NewCapa, StepInput, TimelineEntry,
};
use app::model::documents::Person;
use app::model::users::Page;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::auth::{Actor, AuthSettings};
use crate::db::Db;
use crate::error::Error;

/// CAPAs in the caller's scope, filtered and sorted.
#[utoipa::path(get, path = "/capas", tag = "capa", params(CapaQuery),
    responses((status = 200, body = Page<CapaSummary>), (status = 422, body = ErrorBody)))]
pub async fn list_capas(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<CapaQuery>,
) -> ApiResult<Json<Page<CapaSummary>>> {
    Ok(Json(super::list(&db, &actor, &query).await?))
}

/// The same list as CSV (every matching CAPA), for spreadsheets.
#[utoipa::path(get, path = "/capas/export.csv", tag = "capa", params(CapaQuery),
    responses((status = 200, description = "CSV with a header row", content_type = "text/csv"), (status = 422, body = ErrorBody)))]
pub async fn export_capas(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<CapaQuery>,
) -> Result<Response, ApiError> {
    let csv = super::csv(&db, &actor, &query).await?;
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"capas.csv\"",
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from(csv))
        .map_err(|e| Error::Internal(e.to_string()).into())
}

/// Raises a CAPA. From a finding, `{"finding_id": N}` is enough: the rest is prefilled.
#[utoipa::path(post, path = "/capas", tag = "capa", request_body = NewCapa,
    responses((status = 201, body = Capa), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_capa(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewCapa>,
) -> ApiResult<(StatusCode, Json<Capa>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create(&db, &actor, body).await?),
    ))
}

/// One CAPA with its plan, checks, follow-up data, comments, files, timeline and what the
/// caller may do.
#[utoipa::path(get, path = "/capas/{id}", tag = "capa", params(("id" = i64, Path)),
    responses((status = 200, body = Capa), (status = 404, body = ErrorBody)))]
pub async fn get_capa(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Capa>> {
    Ok(Json(super::get(&db, &actor, id).await?))
}

/// Changes title, description, owner or (regional managers and quality officers, with a
/// reason) the due date.
#[utoipa::path(patch, path = "/capas/{id}", tag = "capa", params(("id" = i64, Path)), request_body = CapaUpdate,
    responses((status = 200, body = Capa), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_capa(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CapaUpdate>,
) -> ApiResult<Json<Capa>> {
    Ok(Json(super::update(&db, &actor, id, body).await?))
}

/// Takes one lifecycle step: `contain`, `root_cause`, `submit_plan`, `approve_plan`,
/// `return_plan`, `start`, `complete`, `verify`, `close` (electronic signature: `password`),
/// `reject` or `cancel`. An illegal step answers 409 naming the state and the possible steps.
#[utoipa::path(post, path = "/capas/{id}/steps/{step}", tag = "capa",
    params(("id" = i64, Path), ("step" = String, Path)), request_body = StepInput,
    responses((status = 200, body = Capa), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn take_step(
    State(db): State<Db>,
    State(auth): State<Arc<AuthSettings>>,
    actor: Actor,
    Path((id, step)): Path<(i64, String)>,
    body: Option<ApiJson<StepInput>>,
) -> ApiResult<Json<Capa>> {
    let step = CapaStep::parse(&step).ok_or_else(|| {
        Error::NotFound(format!(
            "There is no CAPA step '{step}'. Steps: {}.",
            CapaStep::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let input = body.map(|ApiJson(b)| b).unwrap_or_default();
    Ok(Json(
        super::step(&db, &actor, id, step, input, &auth.lockout).await?,
    ))
}

/// Adds an action to the plan (while it is drawn up). An action due after the CAPA needs a
/// justification.
#[utoipa::path(post, path = "/capas/{id}/actions", tag = "capa", params(("id" = i64, Path)), request_body = ActionInput,
    responses((status = 201, body = CapaAction), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_action(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionInput>,
) -> ApiResult<(StatusCode, Json<CapaAction>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::add_action(&db, &actor, id, body).await?),
    ))
}

/// Changes an action: particulars while the plan is drawn up, status once it is approved.
#[utoipa::path(patch, path = "/capas/{id}/actions/{action_id}", tag = "capa",
    params(("id" = i64, Path), ("action_id" = i64, Path)), request_body = ActionUpdate,
    responses((status = 200, body = CapaAction), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_action(
    State(db): State<Db>,
    actor: Actor,
    Path((id, action_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ActionUpdate>,
) -> ApiResult<Json<CapaAction>> {
    Ok(Json(
        super::update_action(&db, &actor, id, action_id, body).await?,
    ))
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
}

/// Comments on a CAPA, oldest first.
#[utoipa::path(get, path = "/capas/{id}/comments", tag = "capa", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CapaComment>), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CapaComment>>> {
    Ok(Json(super::comments(&db, &actor, id).await?))
}

/// Adds a comment.
#[utoipa::path(post, path = "/capas/{id}/comments", tag = "capa", params(("id" = i64, Path)), request_body = CommentInput,
    responses((status = 201, body = CapaComment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentInput>,
) -> ApiResult<(StatusCode, Json<CapaComment>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::comment(&db, &actor, id, &body.body).await?),
    ))
}

/// What happened to the CAPA, from the audit trail.
#[utoipa::path(get, path = "/capas/{id}/timeline", tag = "capa", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = ErrorBody)))]
pub async fn timeline(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<TimelineEntry>>> {
    Ok(Json(super::timeline(&db, &actor, id).await?))
}

/// Attaches a photo (JPEG, PNG, WebP) or PDF of at most 10 MB (multipart field `file`).
#[utoipa::path(post, path = "/capas/{id}/attachments", tag = "capa", params(("id" = i64, Path)),
    request_body(content = crate::documents::api::FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = CapaAttachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<CapaAttachment>)> {
    let upload = crate::documents::api::read_upload(multipart).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::attach(&db, &actor, id, upload).await?),
    ))
}

/// Downloads an attachment.
#[utoipa::path(get, path = "/capas/{id}/attachments/{attachment_id}", tag = "capa",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download_attachment(
    State(db): State<Db>,
    actor: Actor,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (name, media_type, bytes) = super::attachment_file(&db, &actor, id, attachment_id).await?;
    crate::api::file::file_response(
        &name,
        &media_type,
        bytes,
        crate::api::file::Disposition::Inline,
    )
}

/// The site whose assignees are wanted.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SiteParam {
    /// Site code, e.g. `KEN-NBO`.
    pub site: String,
}

/// People who may own the site's CAPAs and actions.
#[utoipa::path(get, path = "/capas/assignees", tag = "capa", params(SiteParam),
    responses((status = 200, body = Vec<Person>), (status = 404, body = ErrorBody)))]
pub async fn assignees(
    State(db): State<Db>,
    actor: Actor,
    Query(param): Query<SiteParam>,
) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(super::assignees(&db, &actor, &param.site).await?))
}

/// Default due days per severity.
#[utoipa::path(get, path = "/capas/settings", tag = "capa",
    responses((status = 200, body = DueDays), (status = 401, body = ErrorBody)))]
pub async fn get_settings(State(db): State<Db>, actor: Actor) -> ApiResult<Json<DueDays>> {
    Ok(Json(super::due_days(&db, &actor).await?))
}

/// Sets the default due days per severity (admins; 1 to 365 days each).
#[utoipa::path(put, path = "/capas/settings", tag = "capa", request_body = DueDays,
    responses((status = 200, body = DueDays), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<DueDays>,
) -> ApiResult<Json<DueDays>> {
    Ok(Json(super::set_due_days(&db, &actor, body).await?))
}
