//! Issued, digitally signed reports and the public check of a file against them.

use serde::{Deserialize, Serialize};

/// A report Attest issued and signed (stored once; its bytes never change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssuedReport {
    pub id: i64,
    /// Printed on every page, e.g. `AR-00042`.
    pub reference: String,
    /// `audit` or `regional_monthly`.
    pub kind: String,
    pub audit_id: Option<i64>,
    pub site_code: Option<String>,
    pub site_name: Option<String>,
    pub region_code: Option<String>,
    /// `YYYY-MM` for monthly reports.
    pub period: Option<String>,
    pub file_name: String,
    /// Hex SHA-256 of the PDF as issued.
    pub sha256: String,
    pub size: i64,
    /// Who issued it (their electronic signature) — "Attest" for scheduled reports.
    pub signer_name: String,
    /// The certificate the PDF is digitally signed with.
    pub certificate_subject: String,
    pub issued_at: String,
}

/// The answer to "did Attest issue this file, unaltered?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Verification {
    /// True only when the file's SHA-256 equals that of a report Attest issued.
    pub matched: bool,
    /// Hex SHA-256 of the file checked.
    pub sha256: String,
    /// What it means, in words.
    pub message: String,
    pub report: Option<IssuedReport>,
}
