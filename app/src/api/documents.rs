//! Server functions for controlled documents and read-and-acknowledge tasks.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::documents::{
    Acknowledgement, AcknowledgementStatus, ApproverOption, Document, DocumentQuery,
    DocumentSummary, DraftUpdate, NewDocument, ReviewInput, Version, VersionDiff,
};
use crate::model::users::Page;

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "documents", input = Json)]
pub async fn list_documents(query: DocumentQuery) -> Result<Page<DocumentSummary>, AppError> {
    crate::backend::backend()?.list_documents(query).await
}

#[server(prefix = "/rpc", endpoint = "documents/get")]
pub async fn get_document(id: i64) -> Result<Document, AppError> {
    crate::backend::backend()?.document(id).await
}

#[server(prefix = "/rpc", endpoint = "documents/create")]
pub async fn create_document(document: NewDocument) -> Result<Document, AppError> {
    let created = crate::backend::backend()?.create_document(document).await?;
    crate::pages::redirect_after_form(&format!("/documents/{}", created.summary.id));
    Ok(created)
}

#[server(prefix = "/rpc", endpoint = "documents/approvers")]
pub async fn approver_options() -> Result<Vec<ApproverOption>, AppError> {
    crate::backend::backend()?.approver_options().await
}

#[server(prefix = "/rpc", endpoint = "documents/version")]
pub async fn get_version(id: i64, version_id: i64) -> Result<Version, AppError> {
    crate::backend::backend()?
        .document_version(id, version_id)
        .await
}

#[server(prefix = "/rpc", endpoint = "documents/new-version")]
pub async fn new_version(id: i64) -> Result<Version, AppError> {
    let version = crate::backend::backend()?.new_version(id).await?;
    crate::pages::redirect_after_form(&format!("/documents/{id}/versions/{}", version.summary.id));
    Ok(version)
}

#[server(prefix = "/rpc", endpoint = "documents/save-draft")]
pub async fn save_draft(id: i64, version_id: i64, draft: DraftUpdate) -> Result<Version, AppError> {
    let result = crate::backend::backend()?
        .update_draft(id, version_id, draft)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}/versions/{version_id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/submit")]
pub async fn submit_version(id: i64, version_id: i64) -> Result<Version, AppError> {
    let result = crate::backend::backend()?
        .submit_version(id, version_id)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}/versions/{version_id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/return")]
pub async fn return_version(id: i64, version_id: i64, reason: String) -> Result<Version, AppError> {
    let result = crate::backend::backend()?
        .return_version(id, version_id, reason)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}/versions/{version_id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/approve")]
pub async fn approve_version(
    id: i64,
    version_id: i64,
    password: String,
) -> Result<Version, AppError> {
    let result = crate::backend::backend()?
        .approve_version(id, version_id, password)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}/versions/{version_id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/make-effective")]
pub async fn make_effective(id: i64, version_id: i64) -> Result<Version, AppError> {
    let result = crate::backend::backend()?
        .make_effective(id, version_id)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}/versions/{version_id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/review")]
pub async fn review_document(id: i64, review: ReviewInput) -> Result<Document, AppError> {
    let result = crate::backend::backend()?
        .review_document(id, review)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/withdraw")]
pub async fn withdraw_document(id: i64, reason: String) -> Result<Document, AppError> {
    let result = crate::backend::backend()?
        .withdraw_document(id, reason)
        .await?;
    crate::pages::redirect_plain_form(&format!("/documents/{id}"));
    Ok(result)
}

#[server(prefix = "/rpc", endpoint = "documents/diff")]
pub async fn diff_versions(id: i64, from: i64, to: i64) -> Result<VersionDiff, AppError> {
    crate::backend::backend()?.diff_versions(id, from, to).await
}

#[server(prefix = "/rpc", endpoint = "documents/acknowledgements")]
pub async fn document_acknowledgements(id: i64) -> Result<AcknowledgementStatus, AppError> {
    crate::backend::backend()?
        .document_acknowledgements(id)
        .await
}

#[server(prefix = "/rpc", endpoint = "acknowledgements")]
pub async fn my_acknowledgements() -> Result<Vec<Acknowledgement>, AppError> {
    crate::backend::backend()?.my_acknowledgements().await
}

#[server(prefix = "/rpc", endpoint = "acknowledgements/acknowledge")]
pub async fn acknowledge(id: i64) -> Result<Acknowledgement, AppError> {
    let result = crate::backend::backend()?.acknowledge(id).await?;
    crate::pages::redirect_plain_form("/acknowledgements");
    Ok(result)
}
