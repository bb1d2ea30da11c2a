//! REST handlers for controlled documents and acknowledgements.

use app::model::documents::{
    Acknowledgement, AcknowledgementStatus, ApproverOption, Document, DocumentQuery,
    DocumentSummary, DraftUpdate, NewDocument, ReasonInput, ReviewInput, SignatureInput, Version,
    VersionDiff,
};
use app::model::users::Page;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::Upload;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use std::sync::Arc;

use crate::auth::{Actor, AuthSettings};
use crate::db::Db;
use crate::error::Error;

/// Documents in the caller's scope, filtered (`?review=overdue` lists the reviews past due).
#[utoipa::path(get, path = "/documents", tag = "documents", params(DocumentQuery),
    responses((status = 200, body = Page<DocumentSummary>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_documents(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<DocumentQuery>,
) -> ApiResult<Json<Page<DocumentSummary>>> {
    Ok(Json(super::list(&db, &actor, &query).await?))
}

/// Creates a document with its first draft (version 1).
#[utoipa::path(post, path = "/documents", tag = "documents", request_body = NewDocument,
    responses((status = 201, body = Document), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_document(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewDocument>,
) -> ApiResult<(StatusCode, Json<Document>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create(&db, &actor, body).await?),
    ))
}

/// Quality officers and regional managers who may be named approver.
#[utoipa::path(get, path = "/documents/approvers", tag = "documents",
    responses((status = 200, body = Vec<ApproverOption>), (status = 403, body = ErrorBody)))]
pub async fn list_approvers(
    State(db): State<Db>,
    actor: Actor,
) -> ApiResult<Json<Vec<ApproverOption>>> {
    Ok(Json(super::approver_options(&db, &actor).await?))
}

/// One document with its version history, site variants and reviews.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = Document), (status = 404, body = ErrorBody)))]
pub async fn get_document(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Document>> {
    Ok(Json(super::get(&db, &actor, id).await?))
}

/// Starts a new draft, copied from the version in force.
#[utoipa::path(post, path = "/documents/{id}/versions", tag = "documents", params(("id" = i64, Path)),
    responses((status = 201, body = Version), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_version(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<Version>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::new_version(&db, &actor, id).await?),
    ))
}

/// One version with its Markdown and the Markdown rendered to safe HTML.
#[utoipa::path(get, path = "/documents/{id}/versions/{version_id}", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)),
    responses((status = 200, body = Version), (status = 404, body = ErrorBody)))]
pub async fn get_version(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Version>> {
    Ok(Json(super::version(&db, &actor, id, version_id).await?))
}

/// Saves a draft's text and change summary.
#[utoipa::path(put, path = "/documents/{id}/versions/{version_id}", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)), request_body = DraftUpdate,
    responses((status = 200, body = Version), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_version(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<DraftUpdate>,
) -> ApiResult<Json<Version>> {
    Ok(Json(
        super::update_draft(&db, &actor, id, version_id, body).await?,
    ))
}

/// Reads the `file` part of a multipart upload.
pub async fn read_upload(multipart: Multipart) -> Result<Upload, Error> {
    read_upload_of_at_most(multipart, super::MAX_FILE_BYTES).await
}

/// Like [`read_upload`], for a route whose body limit is `max_bytes` (named in the message).
pub async fn read_upload_of_at_most(
    mut multipart: Multipart,
    max_bytes: usize,
) -> Result<Upload, Error> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::invalid_field(
                "file",
                format!(
                    "The file is too large; attach at most {} MB.",
                    max_bytes / 1_048_576
                ),
            )
        } else {
            Error::invalid_field(
                "file",
                format!("The upload could not be read: {}", e.body_text()),
            )
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(unreadable)?.to_vec();
            return Ok(Upload { name, bytes });
        }
    }
    Err(Error::invalid_field("file", "Choose a file to attach."))
}

/// The multipart body of a file upload (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FileUpload {
    /// A PDF or DOCX file of at most 10 MB.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Attaches a PDF or DOCX file (multipart field `file`, at most 10 MB) to a draft.
#[utoipa::path(put, path = "/documents/{id}/versions/{version_id}/file", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Version), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_file(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
    multipart: Multipart,
) -> ApiResult<Json<Version>> {
    let upload = read_upload(multipart).await?;
    Ok(Json(
        super::attach_file(&db, &actor, id, version_id, upload).await?,
    ))
}

/// Downloads a version's attached file, after checking it against its recorded SHA-256.
#[utoipa::path(get, path = "/documents/{id}/versions/{version_id}/file", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn download_file(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (info, bytes) = super::file(&db, &actor, id, version_id).await?;
    let mut response = crate::api::file::file_response(
        &info.name,
        &info.media_type,
        bytes,
        crate::api::file::Disposition::Attachment,
    )?;
    if let Ok(sha256) = axum::http::HeaderValue::from_str(&info.sha256) {
        response.headers_mut().insert("x-content-sha256", sha256);
    }
    Ok(response)
}

/// Sends a draft for approval.
#[utoipa::path(post, path = "/documents/{id}/versions/{version_id}/submit", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)),
    responses((status = 200, body = Version), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit_version(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Version>> {
    Ok(Json(super::submit(&db, &actor, id, version_id).await?))
}

/// Returns a version in review (or approved, not yet in force) to draft, with the reason.
#[utoipa::path(post, path = "/documents/{id}/versions/{version_id}/return", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = Version), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn return_version(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> ApiResult<Json<Version>> {
    Ok(Json(
        super::return_to_draft(&db, &actor, id, version_id, &body.reason).await?,
    ))
}

/// Approves a version in review: an electronic signature with the approver's password.
#[utoipa::path(post, path = "/documents/{id}/versions/{version_id}/approve", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)), request_body = SignatureInput,
    responses((status = 200, body = Version), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_version(
    State(db): State<Db>,
    State(auth): State<Arc<AuthSettings>>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<SignatureInput>,
) -> ApiResult<Json<Version>> {
    Ok(Json(
        super::approve(&db, &actor, id, version_id, body.password, &auth.lockout).await?,
    ))
}

/// Puts an approved version in force; the previous one is superseded and acknowledgements begin.
#[utoipa::path(post, path = "/documents/{id}/versions/{version_id}/make-effective", tag = "documents",
    params(("id" = i64, Path), ("version_id" = i64, Path)),
    responses((status = 200, body = Version), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn make_version_effective(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Version>> {
    Ok(Json(
        super::make_effective(&db, &actor, id, version_id).await?,
    ))
}

/// Records a periodic review: `confirm` (signed with `password`) or `revise` (starts a draft).
#[utoipa::path(post, path = "/documents/{id}/review", tag = "documents", params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = Document), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_document(
    State(db): State<Db>,
    State(auth): State<Arc<AuthSettings>>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReviewInput>,
) -> ApiResult<Json<Document>> {
    Ok(Json(
        super::review(&db, &actor, id, body, &auth.lockout).await?,
    ))
}

/// Withdraws a document, with the reason.
#[utoipa::path(post, path = "/documents/{id}/withdraw", tag = "documents", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = Document), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn withdraw_document(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> ApiResult<Json<Document>> {
    Ok(Json(super::withdraw(&db, &actor, id, &body.reason).await?))
}

/// Two versions to compare, by version id.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

/// The line differences between two versions of the document.
#[utoipa::path(get, path = "/documents/{id}/diff", tag = "documents", params(("id" = i64, Path), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn diff_versions(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<Json<VersionDiff>> {
    Ok(Json(
        super::diff(&db, &actor, id, query.from, query.to).await?,
    ))
}

/// Who has acknowledged the version in force, per site (not for staff).
#[utoipa::path(get, path = "/documents/{id}/acknowledgements", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = AcknowledgementStatus), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn document_acknowledgements(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<AcknowledgementStatus>> {
    Ok(Json(super::acknowledgement_status(&db, &actor, id).await?))
}

/// The caller's own read-and-acknowledge tasks, pending first.
#[utoipa::path(get, path = "/acknowledgements", tag = "documents",
    responses((status = 200, body = Vec<Acknowledgement>), (status = 401, body = ErrorBody)))]
pub async fn my_acknowledgements(
    State(db): State<Db>,
    actor: Actor,
) -> ApiResult<Json<Vec<Acknowledgement>>> {
    Ok(Json(super::my_acknowledgements(&db, &actor).await?))
}

/// Confirms the caller has read the version (their own pending task only).
#[utoipa::path(post, path = "/acknowledgements/{id}/acknowledge", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = Acknowledgement), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn acknowledge(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Acknowledgement>> {
    Ok(Json(super::acknowledge(&db, &actor, id).await?))
}
