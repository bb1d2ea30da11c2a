//! REST handlers: an audit's report (issued file or DRAFT preview), issuing it, and the public
//! verification of a file.

use app::model::reports::{IssuedReport, Verification};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

use super::identity::SigningIdentity;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::api::file::{file_response, Disposition};
use crate::auth::{Actor, AuthSettings};
use crate::db::Db;

/// The audit's report as a PDF: the signed file once issued (the same bytes every time), or a
/// preview marked DRAFT on every page, unsigned, while the audit is in progress or submitted.
#[utoipa::path(get, path = "/audits/{id}/report.pdf", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn audit_report_pdf(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (name, bytes) = super::audit_report_pdf(&db, &actor, id).await?;
    file_response(&name, "application/pdf", bytes, Disposition::Inline)
}

/// The issuer's electronic signature: their password, re-entered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub password: String,
}

/// Issues the audit's report (lead auditor, submitted audit): generated, digitally signed with
/// the organisation's certificate, stored with its SHA-256; the audit moves to "report issued"
/// (and to "closed" at once if no finding needs a CAPA). An issued report is never replaced.
#[utoipa::path(post, path = "/audits/{id}/report", tag = "reports", params(("id" = i64, Path)),
    request_body = IssueInput,
    responses((status = 201, body = IssuedReport), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_audit_report(
    State(db): State<Db>,
    State(identity): State<Arc<SigningIdentity>>,
    State(auth): State<Arc<AuthSettings>>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IssueInput>,
) -> ApiResult<(StatusCode, Json<IssuedReport>)> {
    let issued =
        super::issue_audit_report(&db, &actor, &identity, &auth.lockout, id, body.password).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// The multipart body of a verification (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct VerifyUpload {
    /// The PDF to check, at most 10 MB.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Checks a PDF (multipart field `file`) against the reports Attest issued: `matched` is true
/// only for an unaltered issued report. No sign-in needed.
#[utoipa::path(post, path = "/verify", tag = "reports",
    request_body(content = VerifyUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Verification), (status = 422, body = ErrorBody)),
    security(()))]
pub async fn verify(State(db): State<Db>, multipart: Multipart) -> ApiResult<Json<Verification>> {
    let upload =
        crate::documents::api::read_upload_of_at_most(multipart, super::MAX_VERIFY_BYTES).await?;
    Ok(Json(super::verify(&db, &upload.bytes).await?))
}

/// A region's monthly compliance report as a PDF: the signed file once the monthly job issued
/// it, otherwise a DRAFT preview with the figures as they stand. `period` is `YYYY-MM`.
#[utoipa::path(get, path = "/regions/{region}/monthly-reports/{period}", tag = "reports",
    params(("region" = String, Path), ("period" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn regional_report_pdf(
    State(db): State<Db>,
    actor: Actor,
    Path((region, period)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (name, bytes) = super::regional_report_pdf(&db, &actor, &region, &period).await?;
    file_response(&name, "application/pdf", bytes, Disposition::Inline)
}
