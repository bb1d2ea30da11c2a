//! The body of each job: find the conditions, store one notification per person and
//! condition (the key makes a second run a no-op), and say what was flagged.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::AnyConnection;

use super::repo;
use super::settings::JobSettings;
use super::windows::{self, DeadlineStage};
use crate::capa::due;
use crate::db::{Db, WriteTx};
use crate::documents::review;
use crate::error::Error;
use crate::notifications::repo as notifications;
use crate::reports::identity::SigningIdentity;

/// What a run found: one line per condition, and how many notifications were new.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub lines: Vec<String>,
    pub notified: i64,
}

/// A notification to store once per user and key.
struct Note<'a> {
    key: String,
    title: String,
    body: String,
    link: String,
    now: &'a str,
}

impl Flagged {
    async fn notify(
        &mut self,
        tx: &mut WriteTx,
        users: &[i64],
        note: &Note<'_>,
    ) -> Result<(), Error> {
        for user in users {
            if notifications::notify(
                tx.conn(),
                *user,
                &note.key,
                &note.title,
                &note.body,
                &note.link,
                note.now,
            )
            .await?
            {
                self.notified += 1;
            }
        }
        Ok(())
    }
}

/// The people to tell, read once per region and site within a run (a run may flag hundreds
/// of CAPAs or participations in the same few regions).
#[derive(Default)]
struct Recipients {
    managers: HashMap<String, Vec<i64>>,
    leads: HashMap<i64, Vec<i64>>,
}

impl Recipients {
    /// The active regional managers of a region.
    async fn regional_managers(
        &mut self,
        conn: &mut AnyConnection,
        region: &str,
    ) -> Result<Vec<i64>, Error> {
        if let Some(ids) = self.managers.get(region) {
            return Ok(ids.clone());
        }
        let ids = notifications::regional_managers(conn, region).await?;
        self.managers.insert(region.to_string(), ids.clone());
        Ok(ids)
    }

    /// The active site leads of a site.
    async fn site_leads(&mut self, conn: &mut AnyConnection, site: i64) -> Result<Vec<i64>, Error> {
        if let Some(ids) = self.leads.get(&site) {
            return Ok(ids.clone());
        }
        let ids = notifications::site_leads(conn, site).await?;
        self.leads.insert(site, ids.clone());
        Ok(ids)
    }
}

/// `sop-review-due`: documents whose review is due within 30 days or overdue — the register's
/// "due soon" and "overdue" — notify their owner at 30, 14 and 0 days, then weekly.
pub async fn sop_review_due(
    tx: &mut WriteTx,
    today: NaiveDate,
    now: &str,
) -> Result<Flagged, Error> {
    let until = review::date_text(today + Days::new(crate::documents::DUE_SOON_DAYS));
    let mut flagged = Flagged::default();
    for doc in repo::reviews_due(tx.conn(), &until).await? {
        let Some(due) = review::parse_date(&doc.next_review_due) else {
            continue;
        };
        let days = review::days_until(due, today);
        let Some(stage) = windows::review_stage(days) else {
            continue;
        };
        let words = windows::review_words(days);
        flagged.lines.push(format!(
            "{} {}: {words} ({})",
            doc.code, doc.title, doc.next_review_due
        ));
        let note = Note {
            key: format!(
                "sop-review:{}:{}:{}",
                doc.id,
                doc.next_review_due,
                stage.key()
            ),
            title: format!("SOP {} {words}", doc.code),
            body: format!("{} — next review due {}.", doc.title, doc.next_review_due),
            link: format!("/documents/{}", doc.id),
            now,
        };
        flagged.notify(tx, &[doc.owner_id], &note).await?;
    }
    Ok(flagged)
}

/// `ack-overdue`: each person with an overdue read-and-acknowledge task hears of it once.
pub async fn ack_overdue(tx: &mut WriteTx, today: NaiveDate, now: &str) -> Result<Flagged, Error> {
    let mut flagged = Flagged::default();
    for ack in repo::acknowledgements_overdue(tx.conn(), &review::date_text(today)).await? {
        flagged.lines.push(format!(
            "{} v{} at {}: {} has not acknowledged (due {})",
            ack.document_code, ack.version, ack.site_code, ack.user_email, ack.due_date
        ));
        let note = Note {
            key: format!("ack-overdue:{}", ack.id),
            title: format!(
                "Acknowledge {} v{}: overdue",
                ack.document_code, ack.version
            ),
            body: format!(
                "Please read and acknowledge {} (version {}); it was due {}.",
                ack.title, ack.version, ack.due_date
            ),
            link: "/acknowledgements".into(),
            now,
        };
        flagged.notify(tx, &[ack.user_id], &note).await?;
    }
    Ok(flagged)
}

/// `capa-overdue`: open CAPAs past their due date (in the site's calendar) notify their owner,
/// and the region's managers once the grace period is over.
pub async fn capa_overdue(
    tx: &mut WriteTx,
    settings: &JobSettings,
    at: DateTime<Utc>,
    now: &str,
) -> Result<Flagged, Error> {
    // No site's calendar is more than a day ahead of UTC: read candidates up to tomorrow and
    // decide per site.
    let latest = review::date_text(at.date_naive() + Days::new(2));
    let mut flagged = Flagged::default();
    let mut recipients = Recipients::default();
    for capa in repo::open_capas_due_before(tx.conn(), &latest).await? {
        let Some(due_on) = review::parse_date(&capa.due_date) else {
            continue;
        };
        let today = due::local_today(due::zone(&capa.timezone), at);
        let escalation = windows::capa_escalation(due_on, today, settings.capa_escalation_days);
        if !escalation.owner {
            continue;
        }
        let days = due::days_overdue(due_on, today);
        flagged.lines.push(format!(
            "{} at {}: {days} days overdue (due {}){}",
            capa.number,
            capa.site_code,
            capa.due_date,
            if escalation.regional_manager {
                ", escalated to the regional manager"
            } else {
                ""
            }
        ));
        let link = format!("/capas/{}", capa.id);
        let owner = Note {
            key: format!("capa-overdue:{}:{}", capa.id, capa.due_date),
            title: format!("{} is overdue", capa.number),
            body: format!(
                "{} at {} was due {}.",
                capa.title, capa.site_code, capa.due_date
            ),
            link: link.clone(),
            now,
        };
        flagged.notify(tx, &[capa.owner_id], &owner).await?;
        if escalation.regional_manager {
            let managers = recipients
                .regional_managers(tx.conn(), &capa.region_code)
                .await?;
            let note = Note {
                key: format!("capa-escalated:{}:{}", capa.id, capa.due_date),
                title: format!(
                    "Escalated: {} at {} is {days} days overdue",
                    capa.number, capa.site_code
                ),
                body: format!(
                    "{} was due {}; its owner has been reminded.",
                    capa.title, capa.due_date
                ),
                link,
                now,
            };
            flagged.notify(tx, &managers, &note).await?;
        }
    }
    Ok(flagged)
}

/// `pt-deadline`: participating sites without results hear 7 days and 1 day before the
/// submission deadline (site leads), and after a missed one (site leads and regional managers).
pub async fn pt_deadline(tx: &mut WriteTx, at: DateTime<Utc>, now: &str) -> Result<Flagged, Error> {
    let utc_today = at.date_naive();
    let from =
        review::date_text(utc_today - Days::new(windows::MISSED_REPORTED_FOR_DAYS as u64 + 1));
    let to = review::date_text(utc_today + Days::new(8));
    let mut flagged = Flagged::default();
    let mut recipients = Recipients::default();
    for p in repo::pt_submissions_missing(tx.conn(), &from, &to).await? {
        let Some(deadline) = review::parse_date(&p.deadline) else {
            continue;
        };
        let today = due::local_today(due::zone(&p.timezone), at);
        let days = (deadline - today).num_days();
        let Some(stage) = windows::deadline_stage(days) else {
            continue;
        };
        let what = format!("{} {} ({})", p.scheme_code, p.event_code, p.scheme_name);
        let (title, words) = match stage {
            DeadlineStage::Missed => (
                format!("PT results missed: {what} at {}", p.site_code),
                format!("deadline {} missed", p.deadline),
            ),
            _ => {
                let left = if days == 0 {
                    "due today".to_string()
                } else if days == 1 {
                    "due tomorrow".to_string()
                } else {
                    format!("due in {days} days")
                };
                (
                    format!("PT results {left}: {what}"),
                    format!("results {left} ({})", p.deadline),
                )
            }
        };
        flagged
            .lines
            .push(format!("{what} at {}: {words}", p.site_code));
        let mut people = recipients.site_leads(tx.conn(), p.site_id).await?;
        if stage == DeadlineStage::Missed {
            people.extend(
                recipients
                    .regional_managers(tx.conn(), &p.region_code)
                    .await?,
            );
        }
        let note = Note {
            key: format!("pt-deadline:{}:{}:{}", p.event_id, p.site_id, stage.key()),
            title,
            body: format!(
                "{} has no results for {what}; the deadline is {}.",
                p.site_code, p.deadline
            ),
            link: format!("/pt/events/{}", p.event_id),
            now,
        };
        flagged.notify(tx, &people, &note).await?;
    }
    Ok(flagged)
}

/// `radiology-qc-quota`: radiology sites with fewer QC re-reads last month than the sample
/// requires notify their site lead and regional managers.
pub async fn radiology_qc_quota(
    tx: &mut WriteTx,
    settings: &JobSettings,
    today: NaiveDate,
    now: &str,
) -> Result<Flagged, Error> {
    let (first, last, period) = windows::previous_month(today);
    let quota = settings.qc_monthly_sample;
    let mut flagged = Flagged::default();
    let counts = repo::qc_reads_per_site(
        tx.conn(),
        &review::date_text(first),
        &review::date_text(last),
    )
    .await?;
    let mut recipients = Recipients::default();
    for site in counts.into_iter().filter(|s| s.reads < quota) {
        flagged.lines.push(format!(
            "{}: {} of {quota} QC re-reads in {period}",
            site.site_code, site.reads
        ));
        let mut people = recipients.site_leads(tx.conn(), site.site_id).await?;
        people.extend(
            recipients
                .regional_managers(tx.conn(), &site.region_code)
                .await?,
        );
        let note = Note {
            key: format!("qc-quota:{}:{period}", site.site_id),
            title: format!(
                "Radiology QC sample not met at {} in {period}",
                site.site_code
            ),
            body: format!(
                "{} chest X-rays were re-read for QC in {period}; the monthly sample is {quota}.",
                site.reads
            ),
            link: format!("/pt/radiology?site={}", site.site_code),
            now,
        };
        flagged.notify(tx, &people, &note).await?;
    }
    Ok(flagged)
}

/// `audit-report-late`: submitted audits still without an issued report after the allowed
/// days notify their lead auditor.
pub async fn audit_report_late(
    tx: &mut WriteTx,
    settings: &JobSettings,
    today: NaiveDate,
    now: &str,
) -> Result<Flagged, Error> {
    let days = settings.audit_report_days;
    let cutoff = review::date_text(today - Days::new(days as u64));
    let mut flagged = Flagged::default();
    for audit in repo::reports_late(tx.conn(), &cutoff).await? {
        let submitted = audit.submitted_at.get(..10).and_then(review::parse_date);
        if !submitted.is_some_and(|s| windows::report_late(s, today, days)) {
            continue;
        }
        let waited = submitted.map(|s| (today - s).num_days()).unwrap_or(days);
        flagged.lines.push(format!(
            "audit {} at {}: submitted {}, no report after {waited} days",
            audit.id,
            audit.site_code,
            &audit.submitted_at[..10]
        ));
        let note = Note {
            key: format!("audit-report-late:{}", audit.id),
            title: format!("Audit report late: {} (audit {})", audit.site_code, audit.id),
            body: format!(
                "The audit was submitted {} and its report is not issued yet ({days} days allowed).",
                &audit.submitted_at[..10]
            ),
            link: format!("/audits/{}", audit.id),
            now,
        };
        flagged.notify(tx, &[audit.lead_auditor_id], &note).await?;
    }
    Ok(flagged)
}

/// `monthly-compliance-report`: issues and signs each region's report for the month before
/// (once: a month already issued is left as it is) and tells the region's managers.
pub async fn monthly_compliance_report(
    db: &Db,
    identity: &SigningIdentity,
    today: NaiveDate,
) -> Result<Flagged, Error> {
    let (_, _, period) = windows::previous_month(today);
    let regions = {
        let mut conn = db.pool().acquire().await?;
        crate::reports::repo::region_codes(&mut conn).await?
    };
    let mut flagged = Flagged::default();
    let mut failures = Vec::new();
    for region in regions {
        match crate::reports::issue_regional_report(db, identity, &region, &period).await {
            Ok((report, created)) => {
                flagged.lines.push(format!(
                    "{} {} sha256 {}",
                    report.reference,
                    if created { "issued" } else { "already issued" },
                    report.sha256
                ));
                let mut tx = db.begin_write().await?;
                let managers = notifications::regional_managers(tx.conn(), &region).await?;
                let note = Note {
                    key: format!("monthly-report:{region}:{period}"),
                    title: format!("Monthly compliance report {region} {period} issued"),
                    body: format!("{} is signed and ready to download.", report.reference),
                    link: format!("/api/v1/regions/{region}/monthly-reports/{period}"),
                    now: &crate::db::now_text(),
                };
                flagged.notify(&mut tx, &managers, &note).await?;
                tx.commit().await?;
            }
            Err(error) => failures.push(format!("{region}: {error}")),
        }
    }
    if failures.is_empty() {
        Ok(flagged)
    } else {
        // The regions that worked are issued and stay so; the run is recorded as failed.
        Err(Error::Internal(format!(
            "{} of the regions failed: {}",
            failures.len(),
            failures.join("; ")
        )))
    }
}
