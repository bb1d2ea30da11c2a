//! Scheduled jobs: overdue flags, escalations and monthly reports, run by cron expressions
//! inside the server ([`scheduler`]), by hand from the admin page or `attest jobs run NAME`.
//!
//! Every run is recorded in `job_runs`. An occurrence is claimed by inserting its
//! (job, scheduled time) row, so when several instances share one PostgreSQL database each
//! occurrence runs on one of them only; the notifications a job stores are unique per person
//! and condition, so running a job again never repeats one.

pub mod api;
pub mod checks;
pub mod repo;
pub mod schedule;
pub mod scheduler;
pub mod settings;
pub mod windows;

use std::sync::Arc;

use app::model::jobs::{Job, JobRun, JobsOverview, RunTrigger};
use app::model::users::Page;
use chrono::{DateTime, Utc};

use crate::auth::policy::{self, Permission};
use crate::auth::Actor;
use crate::db::{now_text, Db};
use crate::error::Error;
use crate::notifications::Outbox;
use crate::reports::identity::SigningIdentity;
use crate::trail::{self, Change, Who};
use checks::Flagged;
use settings::JobSettings;

/// The jobs, by the names used in configuration, on the command line and in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JobName {
    SopReviewDue,
    AckOverdue,
    CapaOverdue,
    PtDeadline,
    RadiologyQcQuota,
    AuditReportLate,
    MonthlyComplianceReport,
    EmailDigest,
}

impl JobName {
    pub const ALL: &'static [JobName] = &[
        JobName::SopReviewDue,
        JobName::AckOverdue,
        JobName::CapaOverdue,
        JobName::PtDeadline,
        JobName::RadiologyQcQuota,
        JobName::AuditReportLate,
        JobName::MonthlyComplianceReport,
        JobName::EmailDigest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobName::SopReviewDue => "sop-review-due",
            JobName::AckOverdue => "ack-overdue",
            JobName::CapaOverdue => "capa-overdue",
            JobName::PtDeadline => "pt-deadline",
            JobName::RadiologyQcQuota => "radiology-qc-quota",
            JobName::AuditReportLate => "audit-report-late",
            JobName::MonthlyComplianceReport => "monthly-compliance-report",
            JobName::EmailDigest => "email-digest",
        }
    }

    pub fn parse(name: &str) -> Option<JobName> {
        JobName::ALL
            .iter()
            .copied()
            .find(|j| j.as_str() == name.trim())
    }

    /// "sop-review-due, ack-overdue, …" for error messages.
    pub fn names() -> String {
        JobName::ALL
            .iter()
            .map(|j| j.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn description(self) -> &'static str {
        match self {
            JobName::SopReviewDue => "SOP reviews due in 30, 14 and 0 days, then weekly while overdue: the document owner.",
            JobName::AckOverdue => "Read-and-acknowledge tasks past their due date: the person who owes them.",
            JobName::CapaOverdue => "CAPAs past their due date: the owner; the regional managers after the grace period.",
            JobName::PtDeadline => "PT results not entered 7 days and 1 day before the deadline (site leads), and missed deadlines (also regional managers).",
            JobName::RadiologyQcQuota => "Radiology sites below last month's QC re-read sample: site lead and regional managers.",
            JobName::AuditReportLate => "Submitted audits without an issued report after the allowed days: the lead auditor.",
            JobName::MonthlyComplianceReport => "Issues and signs each region's compliance report for the previous month; tells the regional managers.",
            JobName::EmailDigest => "Sends one e-mail a day with the pending notifications of people who chose the daily digest.",
        }
    }

    /// Five-field cron expression, read in the job's time zone (UTC unless configured).
    pub fn default_cron(self) -> &'static str {
        match self {
            JobName::SopReviewDue
            | JobName::AckOverdue
            | JobName::CapaOverdue
            | JobName::PtDeadline
            | JobName::AuditReportLate => "0 6 * * *",
            JobName::RadiologyQcQuota => "0 6 2 * *",
            JobName::MonthlyComplianceReport => "0 5 1 * *",
            JobName::EmailDigest => "0 7 * * *",
        }
    }

    /// The setting holding the job's cron expression, e.g. `ATTEST_JOB_SOP_REVIEW_DUE`.
    pub fn cron_setting(self) -> &'static str {
        match self {
            JobName::SopReviewDue => "ATTEST_JOB_SOP_REVIEW_DUE",
            JobName::AckOverdue => "ATTEST_JOB_ACK_OVERDUE",
            JobName::CapaOverdue => "ATTEST_JOB_CAPA_OVERDUE",
            JobName::PtDeadline => "ATTEST_JOB_PT_DEADLINE",
            JobName::RadiologyQcQuota => "ATTEST_JOB_RADIOLOGY_QC_QUOTA",
            JobName::AuditReportLate => "ATTEST_JOB_AUDIT_REPORT_LATE",
            JobName::MonthlyComplianceReport => "ATTEST_JOB_MONTHLY_COMPLIANCE_REPORT",
            JobName::EmailDigest => "ATTEST_JOB_EMAIL_DIGEST",
        }
    }

    pub fn zone_setting(self) -> &'static str {
        match self {
            JobName::SopReviewDue => "ATTEST_JOB_SOP_REVIEW_DUE_TIMEZONE",
            JobName::AckOverdue => "ATTEST_JOB_ACK_OVERDUE_TIMEZONE",
            JobName::CapaOverdue => "ATTEST_JOB_CAPA_OVERDUE_TIMEZONE",
            JobName::PtDeadline => "ATTEST_JOB_PT_DEADLINE_TIMEZONE",
            JobName::RadiologyQcQuota => "ATTEST_JOB_RADIOLOGY_QC_QUOTA_TIMEZONE",
            JobName::AuditReportLate => "ATTEST_JOB_AUDIT_REPORT_LATE_TIMEZONE",
            JobName::MonthlyComplianceReport => "ATTEST_JOB_MONTHLY_COMPLIANCE_REPORT_TIMEZONE",
            JobName::EmailDigest => "ATTEST_JOB_EMAIL_DIGEST_TIMEZONE",
        }
    }
}

/// Everything a job needs, shared by the scheduler, the API and the command line.
#[derive(Clone)]
pub struct Jobs {
    db: Db,
    signing: Arc<SigningIdentity>,
    settings: Arc<JobSettings>,
    outbox: Outbox,
    /// This process, as recorded on the runs it makes.
    instance: Arc<str>,
}

/// A name for this server process: host, process id and a random part (two instances in one
/// process, as in the tests, differ too).
fn instance_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "attest".into());
    let mut random = [0u8; 3];
    let _ = getrandom::fill(&mut random);
    format!("{host}:{}:{}", std::process::id(), hex::encode(random))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    // Microseconds: a manual run's occurrence is the moment it was asked for.
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Jobs {
    pub fn new(
        db: Db,
        signing: Arc<SigningIdentity>,
        settings: JobSettings,
        outbox: Outbox,
    ) -> Self {
        Jobs {
            db,
            signing,
            settings: Arc::new(settings),
            outbox,
            instance: instance_name().into(),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn settings(&self) -> &JobSettings {
        &self.settings
    }

    pub fn signing(&self) -> Arc<SigningIdentity> {
        self.signing.clone()
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Runs one occurrence of a job, unless another instance (or an earlier run) has claimed
    /// it: then `None`. The run is recorded whatever happens; a failing body is recorded as
    /// failed with its error, and its notifications are not stored.
    pub async fn run(
        &self,
        job: JobName,
        occurrence: DateTime<Utc>,
        trigger: RunTrigger,
        who: &Who,
    ) -> Result<Option<JobRun>, Error> {
        let mut conn = self.db.pool().acquire().await?;
        let Some(run_id) = repo::claim(
            &mut conn,
            job.as_str(),
            &rfc3339(occurrence),
            trigger.as_str(),
            &self.instance,
            &now_text(),
        )
        .await?
        else {
            tracing::debug!(job = job.as_str(), %occurrence, "occurrence already claimed");
            return Ok(None);
        };
        drop(conn);
        let started = Utc::now();
        let result = self.execute(job, started).await;
        let (outcome, flagged, error) = match result {
            Ok(flagged) => ("succeeded", flagged, None),
            Err(error) => {
                tracing::error!(job = job.as_str(), %error, "job failed");
                ("failed", Flagged::default(), Some(error.to_string()))
            }
        };
        let mut tx = self.db.begin_write().await?;
        let summary = flagged.lines.join("\n");
        repo::finish(
            tx.conn(),
            run_id,
            outcome,
            flagged.lines.len() as i64,
            flagged.notified,
            &summary,
            error.as_deref(),
            &now_text(),
        )
        .await?;
        trail::record(
            &mut tx,
            who,
            Change::new("job.run", "job", job.as_str()).after(serde_json::json!({
                "run": run_id,
                "scheduled_for": rfc3339(occurrence),
                "trigger": trigger.as_str(),
                "instance": &*self.instance,
                "outcome": outcome,
                "flagged": flagged.lines.len(),
                "notified": flagged.notified,
                "error": error,
            })),
        )
        .await?;
        let run = repo::run(tx.conn(), run_id).await?.run();
        tx.commit().await?;
        tracing::info!(
            job = job.as_str(),
            trigger = trigger.as_str(),
            outcome,
            flagged = run.flagged,
            notified = run.notified,
            "job run"
        );
        if run.notified > 0 {
            self.outbox.wake();
        }
        Ok(Some(run))
    }

    /// Closes the runs that a stopped server left "running" (a run is abandoned when its
    /// server stops or dies mid-way; its transaction was rolled back): marked failed, with why,
    /// in the trail. Only runs older than [`ABANDONED_AFTER`] count, as another instance on
    /// the same database may be running one right now. Their occurrences are not run again:
    /// the next occurrence checks the same conditions.
    pub async fn close_abandoned_runs(&self) -> Result<usize, Error> {
        let before = Utc::now() - ABANDONED_AFTER;
        let mut tx = self.db.begin_write().await?;
        let closed = repo::fail_abandoned(
            tx.conn(),
            &rfc3339_seconds(before),
            "did not finish: the server stopped during the run",
            &now_text(),
        )
        .await?;
        for (run, job) in &closed {
            trail::record(
                &mut tx,
                &Who::system(),
                Change::new("job.abandoned", "job", job).after(serde_json::json!({
                    "run": run,
                    "outcome": "failed",
                    "detail": "did not finish: the server stopped during the run",
                })),
            )
            .await?;
            tracing::warn!(
                job,
                run,
                "a run left unfinished by a stopped server is marked failed"
            );
        }
        tx.commit().await?;
        Ok(closed.len())
    }

    async fn execute(&self, job: JobName, at: DateTime<Utc>) -> Result<Flagged, Error> {
        let today = self.settings.schedule(job).local_date(at);
        let now = now_text();
        let settings = &self.settings;
        if job == JobName::MonthlyComplianceReport {
            return checks::monthly_compliance_report(&self.db, &self.signing, today).await;
        }
        if job == JobName::EmailDigest {
            // Off without SMTP: the notifications stay in the app.
            let Some(mailer) = self.outbox.mailer() else {
                return Ok(Flagged::default());
            };
            let delivery =
                crate::notifications::mail::deliver_digests(&self.db, mailer, at).await?;
            return Ok(Flagged {
                lines: delivery.lines,
                notified: 0,
            });
        }
        let mut tx = self.db.begin_write().await?;
        let flagged = match job {
            JobName::SopReviewDue => checks::sop_review_due(&mut tx, today, &now).await?,
            JobName::AckOverdue => checks::ack_overdue(&mut tx, today, &now).await?,
            JobName::CapaOverdue => checks::capa_overdue(&mut tx, settings, at, &now).await?,
            JobName::PtDeadline => checks::pt_deadline(&mut tx, at, &now).await?,
            JobName::RadiologyQcQuota => {
                checks::radiology_qc_quota(&mut tx, settings, today, &now).await?
            }
            JobName::AuditReportLate => {
                checks::audit_report_late(&mut tx, settings, today, &now).await?
            }
            JobName::MonthlyComplianceReport | JobName::EmailDigest => Flagged::default(),
        };
        tx.commit().await?;
        Ok(flagged)
    }

    /// Every job with its schedule, next run and latest run, and a page of recent runs
    /// (administrators only).
    pub async fn overview(
        &self,
        actor: &Actor,
        job: Option<&str>,
        page: Option<i64>,
    ) -> Result<JobsOverview, Error> {
        policy::require(actor, Permission::RunJobs)?;
        let filter = match job.map(str::trim).filter(|j| !j.is_empty()) {
            Some(name) => Some(known(name)?),
            None => None,
        };
        let mut conn = self.db.pool().acquire().await?;
        let now = Utc::now();
        let mut jobs = Vec::new();
        for name in JobName::ALL {
            let schedule = self.settings.schedule(*name);
            jobs.push(Job {
                name: name.as_str().into(),
                description: name.description().into(),
                schedule: schedule.expression.clone(),
                time_zone: schedule.zone.name().into(),
                enabled: schedule.is_enabled(),
                next_run: schedule.next_after(now).map(rfc3339_seconds),
                last_run: repo::latest_run(&mut conn, name.as_str())
                    .await?
                    .map(repo::RunRow::run),
            });
        }
        let (page, per_page, offset) = crate::users::paging(page, Some(25));
        let (rows, total) =
            repo::runs(&mut conn, filter.map(JobName::as_str), per_page, offset).await?;
        Ok(JobsOverview {
            jobs,
            email_enabled: self.outbox.enabled(),
            runs: Page {
                items: rows.into_iter().map(repo::RunRow::run).collect(),
                total,
                page,
                per_page,
            },
        })
    }

    /// Runs a job now on behalf of an administrator.
    pub async fn run_now(&self, actor: &Actor, name: &str) -> Result<JobRun, Error> {
        policy::require(actor, Permission::RunJobs)?;
        let job = known(name)?;
        self.run(job, Utc::now(), RunTrigger::Manual, &Who::from(actor))
            .await?
            .ok_or_else(|| Error::Conflict("The job is running already; try again.".into()))
    }
}

/// How long a run may take before a starting server takes it for abandoned. The longest job
/// (the monthly reports of every region, signed PDFs included) takes seconds.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::hours(1);

fn rfc3339_seconds(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The job of that name, or "not found" listing the valid names.
pub fn known(name: &str) -> Result<JobName, Error> {
    JobName::parse(name).ok_or_else(|| {
        Error::NotFound(format!(
            "There is no job '{}'. The jobs are: {}.",
            name.trim(),
            JobName::names()
        ))
    })
}
