//! Server functions for audits and checklist templates.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::audits::{
    AnswerBatchResult, AnswerInput, Audit, AuditQuery, AuditSummary, Finding, FindingInput,
    NewAudit, PatternQuery, PatternReport, TemplateSummary,
};
use crate::model::documents::Person;
use crate::model::users::Page;

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "audits", input = Json)]
pub async fn list_audits(query: AuditQuery) -> Result<Page<AuditSummary>, AppError> {
    crate::backend::backend()?.list_audits(query).await
}

#[server(prefix = "/rpc", endpoint = "audits/get")]
pub async fn get_audit(id: i64) -> Result<Audit, AppError> {
    crate::backend::backend()?.audit(id).await
}

#[server(prefix = "/rpc", endpoint = "audits/plan")]
pub async fn plan_audit(audit: NewAudit) -> Result<Audit, AppError> {
    let planned = crate::backend::backend()?.plan_audit(audit).await?;
    crate::pages::redirect_after_form(&format!("/audits/{}", planned.summary.id));
    Ok(planned)
}

#[server(prefix = "/rpc", endpoint = "audits/auditors")]
pub async fn auditors() -> Result<Vec<Person>, AppError> {
    crate::backend::backend()?.auditors().await
}

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "audits/patterns", input = Json)]
pub async fn audit_patterns(query: PatternQuery) -> Result<PatternReport, AppError> {
    crate::backend::backend()?.audit_patterns(query).await
}

#[server(prefix = "/rpc", endpoint = "audits/templates")]
pub async fn list_templates() -> Result<Vec<TemplateSummary>, AppError> {
    crate::backend::backend()?.templates().await
}

#[server(prefix = "/rpc", endpoint = "audits/templates/import")]
pub async fn import_template(json: String, kind: String) -> Result<TemplateSummary, AppError> {
    crate::backend::backend()?.import_template(json, kind).await
}

#[server(prefix = "/rpc", endpoint = "audits/start")]
pub async fn start_audit(id: i64) -> Result<Audit, AppError> {
    let audit = crate::backend::backend()?.start_audit(id).await?;
    crate::pages::redirect_after_form(&format!("/audits/{id}/conduct"));
    Ok(audit)
}

// Sent by the conducting page's sync loop, never by a plain form.
#[server(prefix = "/rpc", endpoint = "audits/answers", input = Json)]
pub async fn answer_items(
    id: i64,
    answers: Vec<AnswerInput>,
    as_user: i64,
) -> Result<AnswerBatchResult, AppError> {
    let backend = crate::backend::backend()?;
    // Answers queued on a shared tablet belong to whoever gave them: if someone else is signed
    // in by the time they are sent, they are refused, not recorded under the wrong name.
    let signed_in = backend.current_user().await?.map(|user| user.id);
    if signed_in != Some(as_user) {
        let refused = AppError::Unauthorized(
            "These answers were given by someone else on this device; sign in as them to send them.".into(),
        );
        crate::pages::set_status(refused.status());
        return Err(refused);
    }
    backend.answer_items(id, answers).await
}

#[server(prefix = "/rpc", endpoint = "audits/submit")]
pub async fn submit_audit(id: i64) -> Result<Audit, AppError> {
    let audit = crate::backend::backend()?.submit_audit(id).await?;
    crate::pages::redirect_plain_form(&format!("/audits/{id}"));
    Ok(audit)
}

#[server(prefix = "/rpc", endpoint = "audits/cancel")]
pub async fn cancel_audit(id: i64, reason: String) -> Result<Audit, AppError> {
    let audit = crate::backend::backend()?.cancel_audit(id, reason).await?;
    crate::pages::redirect_plain_form(&format!("/audits/{id}"));
    Ok(audit)
}

#[server(prefix = "/rpc", endpoint = "audits/findings/create")]
pub async fn raise_finding(id: i64, finding: FindingInput) -> Result<Finding, AppError> {
    let raised = crate::backend::backend()?
        .raise_finding(id, finding)
        .await?;
    crate::pages::redirect_plain_form(&format!("/audits/{id}"));
    Ok(raised)
}

#[server(prefix = "/rpc", endpoint = "audits/findings/withdraw")]
pub async fn withdraw_finding(
    id: i64,
    finding_id: i64,
    reason: String,
) -> Result<Finding, AppError> {
    let finding = crate::backend::backend()?
        .withdraw_finding(id, finding_id, reason)
        .await?;
    crate::pages::redirect_plain_form(&format!("/audits/{id}"));
    Ok(finding)
}
