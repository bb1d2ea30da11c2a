//! REST handlers for checklist templates, audits, answers, scores and findings.

use app::model::audits::{
    AnswerBatchResult, AnswerInput, Audit, AuditQuery, AuditScore, AuditSummary, Evidence, Finding,
    FindingInput, NewAudit, Template, TemplateSummary,
};
use app::model::documents::{Person, ReasonInput};
use app::model::users::Page;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::auth::Actor;
use crate::db::Db;

/// Every checklist template version.
#[utoipa::path(get, path = "/templates", tag = "audits",
    responses((status = 200, body = Vec<TemplateSummary>), (status = 401, body = ErrorBody)))]
pub async fn list_templates(
    State(db): State<Db>,
    actor: Actor,
) -> ApiResult<Json<Vec<TemplateSummary>>> {
    Ok(Json(super::templates(&db, &actor).await?))
}

/// A template to import: its kind and the template itself in the seed files' format.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateImport {
    /// `laboratory` (audits pass the PT gate), `radiology` or `other`.
    pub kind: String,
    /// `{code, title, scoring?, sections: [{title, items: [{text, weight, clause, guidance?}]}]}`.
    #[schema(value_type = Object)]
    pub template: serde_json::Value,
}

/// Imports a template: a new code starts at version 1; a known code gets its next version.
#[utoipa::path(post, path = "/templates", tag = "audits", request_body = TemplateImport,
    responses((status = 201, body = Template), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_template(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<TemplateImport>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    let json = body.template.to_string();
    Ok((
        StatusCode::CREATED,
        Json(super::import_template(&db, &actor, &json, &body.kind).await?),
    ))
}

/// One template version with its sections and items.
#[utoipa::path(get, path = "/templates/{id}", tag = "audits", params(("id" = i64, Path)),
    responses((status = 200, body = Template), (status = 404, body = ErrorBody)))]
pub async fn get_template(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Template>> {
    Ok(Json(super::template(&db, &actor, id).await?))
}

/// A template version in the import format.
#[utoipa::path(get, path = "/templates/{id}/export", tag = "audits", params(("id" = i64, Path)),
    responses((status = 200, description = "The template as JSON", body = Object), (status = 404, body = ErrorBody)))]
pub async fn export_template(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<super::template::TemplateDefinition>> {
    Ok(Json(super::export_template(&db, &actor, id).await?))
}

/// Audits in the caller's scope (`from`/`to` give a calendar window, in date order).
#[utoipa::path(get, path = "/audits", tag = "audits", params(AuditQuery),
    responses((status = 200, body = Page<AuditSummary>), (status = 422, body = ErrorBody)))]
pub async fn list_audits(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<Page<AuditSummary>>> {
    Ok(Json(super::list(&db, &actor, &query).await?))
}

/// Plans an audit (quality officers).
#[utoipa::path(post, path = "/audits", tag = "audits", request_body = NewAudit,
    responses((status = 201, body = Audit), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_audit(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewAudit>,
) -> ApiResult<(StatusCode, Json<Audit>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create(&db, &actor, body).await?),
    ))
}

/// Quality officers who may lead or join an audit.
#[utoipa::path(get, path = "/audits/auditors", tag = "audits",
    responses((status = 200, body = Vec<Person>), (status = 403, body = ErrorBody)))]
pub async fn list_auditors(State(db): State<Db>, actor: Actor) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(super::auditors(&db, &actor).await?))
}

/// One audit with its checklist, answers, findings and score.
#[utoipa::path(get, path = "/audits/{id}", tag = "audits", params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 404, body = ErrorBody)))]
pub async fn get_audit(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Audit>> {
    Ok(Json(super::get(&db, &actor, id).await?))
}

/// Points, applicable points, percentage, stars, per-section scores and the PT gate.
#[utoipa::path(get, path = "/audits/{id}/score", tag = "audits", params(("id" = i64, Path)),
    responses((status = 200, body = AuditScore), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn audit_score(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<AuditScore>> {
    Ok(Json(super::score(&db, &actor, id).await?))
}

/// Starts conducting a planned audit.
#[utoipa::path(post, path = "/audits/{id}/start", tag = "audits", params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start_audit(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Audit>> {
    Ok(Json(super::start(&db, &actor, id).await?))
}

/// Saves answers; conflicting ones (someone changed the item since you saw it) come back unsaved.
#[utoipa::path(post, path = "/audits/{id}/answers", tag = "audits", params(("id" = i64, Path)),
    request_body = Vec<AnswerInput>,
    responses((status = 200, body = AnswerBatchResult), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_items(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Vec<AnswerInput>>,
) -> ApiResult<Json<AnswerBatchResult>> {
    Ok(Json(super::answer(&db, &actor, id, body).await?))
}

/// Submits an audit whose every item is answered.
#[utoipa::path(post, path = "/audits/{id}/submit", tag = "audits", params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_audit(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Audit>> {
    Ok(Json(super::submit(&db, &actor, id).await?))
}

/// Cancels a planned or in-progress audit, with the reason.
#[utoipa::path(post, path = "/audits/{id}/cancel", tag = "audits", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel_audit(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> ApiResult<Json<Audit>> {
    Ok(Json(super::cancel(&db, &actor, id, &body.reason).await?))
}

/// Raises a finding, from a checklist item or ad hoc.
#[utoipa::path(post, path = "/audits/{id}/findings", tag = "audits", params(("id" = i64, Path)),
    request_body = FindingInput,
    responses((status = 201, body = Finding), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_finding(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FindingInput>,
) -> ApiResult<(StatusCode, Json<Finding>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create_finding(&db, &actor, id, body).await?),
    ))
}

/// Changes a finding.
#[utoipa::path(put, path = "/audits/{id}/findings/{finding_id}", tag = "audits",
    params(("id" = i64, Path), ("finding_id" = i64, Path)), request_body = FindingInput,
    responses((status = 200, body = Finding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_finding(
    State(db): State<Db>,
    actor: Actor,
    Path((id, finding_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<FindingInput>,
) -> ApiResult<Json<Finding>> {
    Ok(Json(
        super::update_finding(&db, &actor, id, finding_id, body).await?,
    ))
}

/// Withdraws a finding raised in error, with the reason (it is kept, marked withdrawn).
#[utoipa::path(post, path = "/audits/{id}/findings/{finding_id}/withdraw", tag = "audits",
    params(("id" = i64, Path), ("finding_id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = Finding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw_finding(
    State(db): State<Db>,
    actor: Actor,
    Path((id, finding_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> ApiResult<Json<Finding>> {
    Ok(Json(
        super::withdraw_finding(&db, &actor, id, finding_id, &body.reason).await?,
    ))
}

/// Attaches a photo (JPEG, PNG, WebP) or PDF of at most 10 MB (multipart field `file`) to an
/// item of an audit being conducted.
#[utoipa::path(post, path = "/audits/{id}/items/{item_id}/evidence", tag = "audits",
    params(("id" = i64, Path), ("item_id" = i64, Path)),
    request_body(content = crate::documents::api::FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach_evidence(
    State(db): State<Db>,
    actor: Actor,
    Path((id, item_id)): Path<(i64, i64)>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Evidence>)> {
    let upload = crate::documents::api::read_upload(multipart).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::attach_evidence(&db, &actor, id, item_id, upload).await?),
    ))
}

/// Downloads an evidence file, after checking it against its recorded SHA-256.
#[utoipa::path(get, path = "/audits/{id}/evidence/{evidence_id}", tag = "audits",
    params(("id" = i64, Path), ("evidence_id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn download_evidence(
    State(db): State<Db>,
    actor: Actor,
    Path((id, evidence_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (name, media_type, bytes) = super::evidence_file(&db, &actor, id, evidence_id).await?;
    crate::api::file::file_response(
        &name,
        &media_type,
        bytes,
        crate::api::file::Disposition::Inline,
    )
}

/// The checklist items most often answered no or partial across sites in a period (Pareto).
#[utoipa::path(get, path = "/audits/patterns", tag = "audits", params(app::model::audits::PatternQuery),
    responses((status = 200, body = app::model::audits::PatternReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn audit_patterns(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<app::model::audits::PatternQuery>,
) -> ApiResult<Json<app::model::audits::PatternReport>> {
    Ok(Json(super::patterns(&db, &actor, &query).await?))
}
