//! Signed PDF reports: the audit report (issued by the lead auditor, digitally signed with the
//! organisation's certificate) and the public check of an uploaded file against the reports
//! Attest issued.

pub mod identity;
pub mod pdf;

