//! Signed PDF reports: the audit report (issued by the lead auditor, digitally signed with the
//! organisation's certificate, stored once with its SHA-256) and the public check of an
//! uploaded file against the reports Attest issued.

pub mod api;
pub mod audit_report;
pub mod form;
pub mod identity;
pub mod pdf;
pub mod regional_report;
pub mod repo;

use app::model::capa::AgeBucket;
use app::model::reports::{IssuedReport, Verification};
use chrono::{Days, Months, NaiveDate, Utc};

use self::audit_report::{Issue, ReportInput};
use self::identity::SigningIdentity;
use self::pdf::SignatureField;
use crate::auth::lockout::LockoutPolicy;
use crate::auth::Actor;
use crate::db::{Db, WriteTx};
use crate::error::Error;
use crate::signatures::{self, Meaning};
use crate::trail::{self, Change, Who};

/// Uploads to the public verification page larger than this are refused before they are read
/// (issued reports are well under 1 MB; the page needs no sign-in, so the limit stays small).
pub const MAX_VERIFY_BYTES: usize = 4 * 1024 * 1024;

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
        if row.lead_auditor_id != actor.id() {
            return Err(Error::Forbidden(format!(
                "Only the lead auditor, {}, issues this audit's report.",
                row.lead_name
            )));
        }
        if audit.report.is_some() {
            return Err(Error::Conflict(
                "The report of this audit is already issued; an issued report is never replaced."
                    .into(),
            ));
        }
        if !audit.actions.issue_report {
            return Err(Error::Conflict(format!(
                "This audit is {}; its report is issued once it is submitted.",
                row.state().label().to_lowercase()
            )));
        }
    }
    signatures::verify_signer(db, actor, password, lockout).await?;
    let mut tx = db.begin_write().await?;
    let issued = issue_in(&mut tx, actor, identity, audit_id, Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(reference = %issued.reference, sha256 = %issued.sha256, size = issued.size, "audit report issued");
    Ok(issued)
}

/// Generates, signs and stores an audit's report as `actor` (its lead auditor, whose password
/// the caller has checked) at `now`, records the electronic signature, and moves the audit on.
/// Everything happens in `tx`, so the report, its signature and the state change commit
/// together or not at all.
pub(crate) async fn issue_in(
    tx: &mut WriteTx,
    actor: &Actor,
    identity: &SigningIdentity,
    audit_id: i64,
    now: chrono::DateTime<Utc>,
) -> Result<IssuedReport, Error> {
    let (row, audit) = crate::audits::for_issue(tx, actor, audit_id).await?;
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
        tx,
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
    crate::audits::mark_report_issued(tx, actor, &row).await?;
    repo::for_audit(tx.conn(), audit_id)
        .await?
        .ok_or_else(|| Error::Internal("the issued report was not stored".into()))
}

// ---------------------------------------------------------------- monthly regional report

/// A calendar month `YYYY-MM`: its first and last day.
pub fn parse_period(period: &str) -> Result<(NaiveDate, NaiveDate), Error> {
    let invalid = || Error::invalid_field("period", "Give the month as YYYY-MM, e.g. 2026-10.");
    // Exactly four digits, a dash, two digits: one spelling per month, since the month is
    // part of what makes a report unique.
    let shape = period.len() == 7
        && period.bytes().enumerate().all(|(i, b)| {
            if i == 4 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return Err(invalid());
    }
    let first =
        NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").map_err(|_| invalid())?;
    let next = first
        .checked_add_months(Months::new(1))
        .ok_or_else(invalid)?;
    Ok((first, next.pred_opt().ok_or_else(invalid)?))
}

/// The figures of a region's monthly report, as recorded at the month's end.
async fn regional_input(
    conn: &mut sqlx::AnyConnection,
    region: &str,
    period: &str,
) -> Result<regional_report::RegionalInput, Error> {
    use regional_report::SiteFigures;
    let (first, month_end) = parse_period(period)?;
    let today = Utc::now().date_naive();
    if first > today {
        return Err(Error::invalid_field(
            "period",
            "That month has not begun; a report covers a month that has started.",
        ));
    }
    let (code, name) = repo::region(conn, region)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No region {region}.")))?;
    // A month still running is shown as it stands today, not as of its future last day.
    let last = month_end.min(today);
    let end = last.format("%Y-%m-%d").to_string();
    let after_end = format!("{}T00:00:00Z", (last + Days::new(1)).format("%Y-%m-%d"));
    let year_before = (last - Months::new(12) + Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let audits = repo::audits_before(conn, &code, &after_end).await?;
    let capas = repo::capas_open_on(conn, &code, &end).await?;
    let results = repo::pt_results_between(conn, &code, &year_before, &end).await?;
    let events = repo::pt_events_between(conn, &code, &year_before, &end).await?;
    let sites = repo::region_sites(conn, &code)
        .await?
        .into_iter()
        .map(|(id, site_code, site_name)| {
            let latest_audit = audits.iter().find(|a| a.0 == id).map(|a| {
                let percent = match (a.2, a.3) {
                    (Some(points), Some(applicable)) if applicable > 0 => {
                        Some(points as f64 * 100.0 / applicable as f64)
                    }
                    _ => None,
                };
                (a.1.chars().take(10).collect::<String>(), percent)
            });
            let mut capa_ages = [0i64; 4];
            let mut capas_overdue = 0;
            for (_, opened, due) in capas.iter().filter(|c| c.0 == id) {
                let bucket = NaiveDate::parse_from_str(opened, "%Y-%m-%d")
                    .map(|o| crate::capa::due::age_bucket(o, last))
                    .unwrap_or(AgeBucket::UpTo30);
                let slot = AgeBucket::ALL
                    .iter()
                    .position(|b| *b == bucket)
                    .unwrap_or(0);
                capa_ages[slot] += 1;
                if due.as_str() < end.as_str() {
                    capas_overdue += 1;
                }
            }
            let (pt_satisfactory, pt_scored) = results
                .iter()
                .find(|r| r.0 == id)
                .map(|r| (r.1, r.2))
                .unwrap_or((0, 0));
            let (pt_events_failed, unsuccessful) = events
                .iter()
                .find(|e| e.0 == id)
                .map(|e| (e.1, e.2))
                .unwrap_or((0, 0));
            SiteFigures {
                code: site_code,
                name: site_name,
                latest_audit,
                capa_ages,
                capas_overdue,
                pt_satisfactory,
                pt_scored,
                pt_events_failed,
                pt_unsuccessful: unsuccessful > 0,
            }
        })
        .collect();
    Ok(regional_report::RegionalInput {
        region_code: code.clone(),
        region_name: name,
        period: period.to_string(),
        period_end: end,
        reference: regional_report::reference(&code, period),
        sites,
        issued_at: None,
        generated_at: minute(Utc::now()),
    })
}

/// A region's monthly report: the signed file once the monthly job issued it, otherwise a
/// DRAFT preview with the figures as they stand.
pub async fn regional_report_pdf(
    db: &Db,
    actor: &Actor,
    region: &str,
    period: &str,
) -> Result<(String, Vec<u8>), Error> {
    crate::dashboard::access::check_region(actor, region, "Monthly compliance reports")?;
    let mut conn = db.pool().acquire().await?;
    if let Some(stored) = repo::content_for_region(&mut conn, region, period).await? {
        return Ok(stored);
    }
    let input = regional_input(&mut conn, region, period).await?;
    drop(conn);
    let name = format!("DRAFT-{}.pdf", input.reference);
    Ok((name, regional_report::render(&input).finish(None)?))
}

/// Issues a region's monthly report (the scheduled job's work; safe to repeat: an issued
/// month is returned as it is, never replaced). Returns the report and whether this call
/// issued it.
pub async fn issue_regional_report(
    db: &Db,
    identity: &SigningIdentity,
    region: &str,
    period: &str,
) -> Result<(IssuedReport, bool), Error> {
    let mut tx = db.begin_write().await?;
    if let Some(existing) = repo::for_region(tx.conn(), region, period).await? {
        return Ok((existing, false));
    }
    let (_, last) = parse_period(period)?;
    if last >= Utc::now().date_naive() {
        return Err(Error::invalid_field(
            "period",
            "That month is not over yet; its report is issued after its last day.",
        ));
    }
    let now = Utc::now();
    let mut input = regional_input(tx.conn(), region, period).await?;
    input.issued_at = Some(minute(now));
    let field = SignatureField {
        signer_name: "Attest".into(),
        reason: format!("Monthly compliance report {}", input.reference),
        location: input.region_name.clone(),
        signed_at: now,
    };
    let unsigned = regional_report::render(&input).finish(Some(&field))?;
    let signed = pdf::sign::sign(unsigned, |digest| identity.sign_digest(digest))?;
    let sha256 = signatures::content_hash(&signed);
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let file_name = format!("{}.pdf", input.reference);
    let id = repo::insert(
        tx.conn(),
        &repo::NewReport {
            kind: "regional_monthly",
            audit_id: None,
            region_code: Some(&input.region_code),
            period: Some(&input.period),
            reference: &input.reference,
            file_name: &file_name,
            sha256: &sha256,
            content: &signed,
            signature_id: None,
            signer_name: "Attest",
            certificate_subject: &identity.subject,
            issued_at: &stamp,
        },
    )
    .await?;
    let change = Change::new("report.issue", "report", id)
        .site(None, Some(input.region_code.clone()))
        .after(serde_json::json!({
            "reference": input.reference, "kind": "regional_monthly", "sha256": sha256,
            "size": signed.len(),
        }));
    trail::record(&mut tx, &Who::system(), change).await?;
    let issued = repo::for_region(tx.conn(), &input.region_code, &input.period)
        .await?
        .ok_or_else(|| Error::Internal("the issued report was not stored".into()))?;
    tx.commit().await?;
    Ok((issued, true))
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
                "The file is too large; attach at most {} MB (reports are far smaller).",
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
