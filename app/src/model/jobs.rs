//! Scheduled jobs: what runs when, and what each run found.

use serde::{Deserialize, Serialize};

use super::users::Page;

text_enum! {
    /// Why a job ran.
    RunTrigger {
        Schedule => "schedule", "On schedule",
        CatchUp => "catch_up", "Caught up at start",
        Manual => "manual", "Run by hand",
    }
}

text_enum! {
    RunOutcome {
        Running => "running", "Running",
        Succeeded => "succeeded", "Succeeded",
        Failed => "failed", "Failed",
    }
}

/// One recorded run of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    /// The occurrence it ran for (RFC 3339, UTC).
    pub scheduled_for: String,
    pub trigger: RunTrigger,
    /// The server process that ran it.
    pub instance: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: RunOutcome,
    /// Conditions found (documents due, CAPAs overdue, …).
    pub flagged: i64,
    /// Notifications created by this run (conditions already notified are not counted again).
    pub notified: i64,
    /// What it flagged, one line per item.
    pub summary: String,
    pub error: Option<String>,
}

/// A job, its schedule and its latest run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Job {
    pub name: String,
    pub description: String,
    /// The cron expression (empty: disabled).
    pub schedule: String,
    /// The IANA time zone the expression is read in.
    pub time_zone: String,
    pub enabled: bool,
    /// The next occurrence (RFC 3339, UTC).
    pub next_run: Option<String>,
    pub last_run: Option<JobRun>,
}

/// The jobs page: every job, e-mail status and the recent runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobsOverview {
    pub jobs: Vec<Job>,
    /// False when SMTP is not configured: notifications are stored and shown, not e-mailed.
    pub email_enabled: bool,
    pub runs: Page<JobRun>,
}
