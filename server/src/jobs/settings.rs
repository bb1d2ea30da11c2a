//! The jobs' configuration: each job's cron expression and time zone, and the thresholds of
//! the checks. Read once at start; a bad expression stops the server with the job's name.

use std::collections::BTreeMap;

use chrono_tz::Tz;

use super::schedule::{parse_zone, JobSchedule};
use super::JobName;
use crate::error::StartupError;

#[derive(Debug, Clone)]
pub struct JobSettings {
    pub schedules: BTreeMap<JobName, JobSchedule>,
    /// Days past a CAPA's due date before its regional managers are told.
    pub capa_escalation_days: i64,
    /// Days after submission before an audit without an issued report is late.
    pub audit_report_days: i64,
    /// QC re-reads each radiology site needs in a calendar month.
    pub qc_monthly_sample: i64,
}

impl JobSettings {
    pub fn schedule(&self, job: JobName) -> &JobSchedule {
        &self.schedules[&job]
    }

    /// Reads `ATTEST_JOBS_TIMEZONE`, `ATTEST_JOB_<NAME>` / `ATTEST_JOB_<NAME>_TIMEZONE` for
    /// each job, and the thresholds.
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, StartupError> {
        let zone_of = |setting: &'static str, fallback: Tz| -> Result<Tz, StartupError> {
            match lookup(setting).filter(|v| !v.trim().is_empty()) {
                None => Ok(fallback),
                Some(name) => parse_zone(&name).map_err(|problem| StartupError::Config {
                    setting,
                    problem,
                    fix: "use a name from the IANA time-zone database, e.g. Africa/Nairobi or UTC"
                        .into(),
                }),
            }
        };
        let default_zone = zone_of("ATTEST_JOBS_TIMEZONE", Tz::UTC)?;
        let mut schedules = BTreeMap::new();
        for job in JobName::ALL {
            let zone = zone_of(job.zone_setting(), default_zone)?;
            let expression =
                lookup(job.cron_setting()).unwrap_or_else(|| job.default_cron().into());
            let schedule =
                JobSchedule::parse(&expression, zone).map_err(|error| StartupError::Config {
                    setting: job.cron_setting(),
                    problem: format!(
                        "job {}: '{}' is not a cron expression ({error})",
                        job.as_str(),
                        expression.trim()
                    ),
                    fix: format!(
                        "use five fields (minute hour day month weekday), e.g. {}={:?}, or an empty value to disable the job",
                        job.cron_setting(),
                        job.default_cron()
                    ),
                })?;
            schedules.insert(*job, schedule);
        }
        Ok(JobSettings {
            schedules,
            capa_escalation_days: days(lookup, "ATTEST_CAPA_ESCALATION_DAYS", 7)?,
            audit_report_days: days(lookup, "ATTEST_AUDIT_REPORT_DAYS", 14)?,
            qc_monthly_sample: days(lookup, "ATTEST_QC_MONTHLY_SAMPLE", 20)?,
        })
    }
}

/// Days (or counts) from a variable: 0 to ten years.
fn days(
    lookup: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: i64,
) -> Result<i64, StartupError> {
    crate::config::number_in(lookup, setting, default, 0..=3650)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<JobSettings, StartupError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        JobSettings::from_lookup(&|name: &str| vars.get(name).cloned())
    }

    #[test]
    fn every_job_has_a_default_schedule_in_utc() {
        let settings = settings(&[]).unwrap();
        for job in JobName::ALL {
            let schedule = settings.schedule(*job);
            assert!(schedule.is_enabled(), "{}", job.as_str());
            assert_eq!(schedule.zone, Tz::UTC);
        }
        assert_eq!(settings.capa_escalation_days, 7);
    }

    #[test]
    fn a_job_can_be_moved_to_another_zone_or_disabled() {
        let settings = settings(&[
            ("ATTEST_JOBS_TIMEZONE", "Africa/Nairobi"),
            ("ATTEST_JOB_PT_DEADLINE_TIMEZONE", "Asia/Manila"),
            ("ATTEST_JOB_AUDIT_REPORT_LATE", ""),
        ])
        .unwrap();
        assert_eq!(
            settings.schedule(JobName::SopReviewDue).zone,
            chrono_tz::Africa::Nairobi
        );
        assert_eq!(
            settings.schedule(JobName::PtDeadline).zone,
            chrono_tz::Asia::Manila
        );
        assert!(!settings.schedule(JobName::AuditReportLate).is_enabled());
    }

    #[test]
    fn a_bad_expression_names_the_job_and_the_parse_error() {
        let message = settings(&[("ATTEST_JOB_CAPA_OVERDUE", "0 25 * * *")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("ATTEST_JOB_CAPA_OVERDUE"), "{message}");
        assert!(message.contains("job capa-overdue"), "{message}");
        assert!(message.contains("'0 25 * * *'"), "{message}");
        let zone = settings(&[("ATTEST_JOBS_TIMEZONE", "Nairobi")])
            .unwrap_err()
            .to_string();
        assert!(zone.contains("ATTEST_JOBS_TIMEZONE"), "{zone}");
    }
}
