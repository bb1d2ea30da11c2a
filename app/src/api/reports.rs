//! Server functions for signed reports: issuing an audit's report, checking a file's hash.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::reports::{IssuedReport, Verification};

#[server(prefix = "/rpc", endpoint = "reports/issue-audit")]
pub async fn issue_audit_report(id: i64, password: String) -> Result<IssuedReport, AppError> {
    let report = crate::backend::backend()?
        .issue_audit_report(id, password)
        .await?;
    crate::pages::redirect_plain_form(&format!("/audits/{id}"));
    Ok(report)
}

#[server(prefix = "/rpc", endpoint = "reports/verify")]
pub async fn verify_report(sha256: String) -> Result<Verification, AppError> {
    crate::backend::backend()?.verify_report(sha256).await
}
