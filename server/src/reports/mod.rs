//! Signed PDF reports: the audit report (issued by the lead auditor, digitally signed with the
//! organisation's certificate, stored once with its SHA-256) and the public check of an
//! uploaded file against the reports Attest issued.

pub mod api;
pub mod audit_report;
pub mod form;
pub mod identity;
pub mod pdf;
pub mod repo;

use app::model::reports::{IssuedReport, Verification};
use chrono::Utc;

use self::audit_report::{Issue, ReportInput};
use self::identity::SigningIdentity;
use self::pdf::SignatureField;
use crate::auth::lockout::LockoutPolicy;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::Error;
use crate::signatures::{self, Meaning};

/// Uploads to the verification page larger than this are refused.
pub const MAX_VERIFY_BYTES: usize = crate::documents::MAX_FILE_BYTES;

fn minute(now: chrono::DateTime<Utc>) -> String {
    now.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An audit's report as a PDF: the issued, signed file once there is one (always the same
/// bytes), otherwise a DRAFT preview made now, unsigned.
pub async fn audit_report_pdf(
    db: &Db,
    actor: &Actor,
    audit_id: i64,
) -> Result<(String, Vec<u8>), Error> {
    let mut conn = db.pool().acquire().await?;
    let (row, audit) = crate::audits::for_report(&mut conn, actor, audit_id).await?;
    if let Some(stored) = repo::content_for_audit(&mut conn, audit_id).await? {
        return Ok(stored);
    }
    if !audit.actions.preview_report {
        return Err(Error::Conflict(format!(
            "This audit is {}; a report preview exists once it is in progress.",
            row.state().label().to_lowercase()
        )));
    }
    let input = ReportInput {
        address: repo::site_address(&mut conn, &row.site_code).await?,
        reference: audit_report::reference(audit_id),
        issue: None,
        generated_at: minute(Utc::now()),
        audit: &audit,
    };
    drop(conn);
    let name = format!("DRAFT-{}", audit_report::file_name(&audit));
    let bytes = audit_report::render(&input).finish(None)?;
    Ok((name, bytes))
}

/// Issues an audit's report: the lead auditor signs with their password; the PDF is generated,
/// digitally signed, stored with its SHA-256, and the audit moves to "report issued" (and on to
/// "closed" when no finding needs a CAPA) — all in one transaction.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id))]
pub async fn issue_audit_report(
    db: &Db,
    actor: &Actor,
    identity: &SigningIdentity,
    lockout: &LockoutPolicy,
    audit_id: i64,
    password: String,
) -> Result<IssuedReport, Error> {
    // Nothing is checked against the password before the audit is known to be issuable, so a
    // wrong audit does not cost a password attempt.
    {
        let mut conn = db.pool().acquire().await?;
        let (row, audit) = crate::audits::for_report(&mut conn, actor, audit_id).await?;
        if audit.report.is_some() {
            return Err(Error::Conflict(
                "The report of this audit is already issued; an issued report is never replaced."
                    .into(),
            ));
        }
        if !audit.actions.issue_report {
            if row.lead_auditor_id != actor.id() {
                return Err(Error::Forbidden(format!(
                    "Only the lead auditor, {}, issues this audit's report.",
                    row.lead_name
                )));
            }
            return Err(Error::Conflict(format!(
                "This audit is {}; its report is issued once it is submitted.",
                row.state().label().to_lowercase()
            )));
        }
    }
    signatures::verify_signer(db, actor, password, lockout).await?;

    let mut tx = db.begin_write().await?;
    let (row, audit) = crate::audits::for_issue(&mut tx, actor, audit_id).await?;
    let now = Utc::now();
    let issued_at = minute(now);
    let reference = audit_report::reference(audit_id);
    let input = ReportInput {
        address: repo::site_address(tx.conn(), &row.site_code).await?,
        reference: reference.clone(),
        issue: Some(Issue {
            signer_name: actor.user.name.clone(),
            signer_email: actor.user.email.clone(),
            issued_at: issued_at.clone(),
            certificate_subject: identity.subject.clone(),
        }),
        generated_at: issued_at.clone(),
        audit: &audit,
    };
    let field = SignatureField {
        signer_name: actor.user.name.clone(),
        reason: format!("Audit report {reference} issued by the lead auditor"),
        location: format!("{} ({})", row.site_name, row.site_code),
        signed_at: now,
    };
    let unsigned = audit_report::render(&input).finish(Some(&field))?;
    let signed = pdf::sign::sign(unsigned, |digest| identity.sign_digest(digest))?;
    let sha256 = signatures::content_hash(&signed);
    let signature = signatures::record(
        &mut tx,
        actor,
        Meaning::Issued,
        "audit",
        &audit_id.to_string(),
        &sha256,
    )
    .await?;
    let file_name = audit_report::file_name(&audit);
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    repo::insert(
        tx.conn(),
        &repo::NewReport {
            kind: "audit",
            audit_id: Some(audit_id),
            region_code: None,
            period: None,
            reference: &reference,
            file_name: &file_name,
            sha256: &sha256,
            content: &signed,
            signature_id: Some(signature.id),
            signer_name: &actor.user.name,
            certificate_subject: &identity.subject,
            issued_at: &stamp,
        },
    )
    .await?;
    crate::audits::mark_report_issued(&mut tx, actor, &row).await?;
    let issued = repo::for_audit(tx.conn(), audit_id)
        .await?
        .ok_or_else(|| Error::Internal("the issued report was not stored".into()))?;
    tx.commit().await?;
    tracing::info!(reference = %issued.reference, sha256 = %issued.sha256, size = issued.size, "audit report issued");
    Ok(issued)
}

/// Checks a file against the reports Attest issued, by its SHA-256. Anyone may ask.
pub async fn verify(db: &Db, bytes: &[u8]) -> Result<Verification, Error> {
    if bytes.is_empty() {
        return Err(Error::invalid_field("file", "Choose a PDF file to check."));
    }
    if bytes.len() > MAX_VERIFY_BYTES {
        return Err(Error::invalid_field(
            "file",
            format!(
                "The file is too large; reports are far smaller than {} MB.",
                MAX_VERIFY_BYTES / 1_048_576
            ),
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::invalid_field(
            "file",
            "This is not a PDF file; upload the report exactly as you received it.",
        ));
    }
    verify_hash(db, &signatures::content_hash(bytes)).await
}

/// Looks a SHA-256 (hex) up among the issued reports.
pub async fn verify_hash(db: &Db, sha256: &str) -> Result<Verification, Error> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid_field(
            "sha256",
            "A SHA-256 is 64 hexadecimal characters.",
        ));
    }
    let mut conn = db.pool().acquire().await?;
    let report = repo::by_sha256(&mut conn, &sha256).await?;
    let message = match &report {
        Some(r) => format!(
            "Authentic: this file is report {} exactly as Attest issued it on {}, signed by {}.",
            r.reference,
            audit_report::readable_time(&r.issued_at),
            r.signer_name
        ),
        None => "Not recognised: no report Attest issued has exactly this content. The file may have been altered, or it is not an Attest report.".into(),
    };
    Ok(Verification {
        matched: report.is_some(),
        sha256,
        message,
        report,
    })
}
