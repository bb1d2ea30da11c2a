//! The scheduler inside the server: one task per enabled job that catches up a missed
//! occurrence once at start, then sleeps until each next occurrence and runs it.

use app::model::jobs::RunTrigger;
use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::{repo, JobName, Jobs};
use crate::trail::Who;

/// The running job tasks; dropping it stops them.
pub struct Scheduler {
    tasks: JoinSet<()>,
}

impl Scheduler {
    /// Starts a task for every enabled job.
    pub fn start(jobs: &Jobs) -> Scheduler {
        let mut tasks = JoinSet::new();
        for job in JobName::ALL {
            if jobs.settings().schedule(*job).is_enabled() {
                tasks.spawn(run_schedule(jobs.clone(), *job));
            }
        }
        Scheduler { tasks }
    }

    /// Stops every job task (a run in progress is abandoned; its row stays "running" until a
    /// server starts again: [`Jobs::close_abandoned_runs`]).
    pub fn stop(mut self) {
        self.tasks.abort_all();
    }
}

async fn run_schedule(jobs: Jobs, job: JobName) {
    let schedule = jobs.settings().schedule(job).clone();
    if let Some(missed) = missed_occurrence(&jobs, job).await {
        tracing::info!(job = job.as_str(), %missed, "catching up a run missed while the server was down");
        run_logged(&jobs, job, missed, RunTrigger::CatchUp).await;
    }
    loop {
        let now = Utc::now();
        let Some(next) = schedule.next_after(now) else {
            return;
        };
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::time::sleep(wait).await;
        run_logged(&jobs, job, next, RunTrigger::Schedule).await;
    }
}

/// The latest occurrence since the job's last scheduled run, if one was missed. A job that
/// never ran has nothing to catch up.
async fn missed_occurrence(jobs: &Jobs, job: JobName) -> Option<DateTime<Utc>> {
    let mut conn = match jobs.db().pool().acquire().await {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(job = job.as_str(), %error, "cannot read the job's last run");
            return None;
        }
    };
    let last = repo::last_scheduled(&mut conn, job.as_str())
        .await
        .inspect_err(
            |error| tracing::error!(job = job.as_str(), %error, "cannot read the job's last run"),
        )
        .ok()??;
    let last = DateTime::parse_from_rfc3339(&last)
        .ok()?
        .with_timezone(&Utc);
    jobs.settings()
        .schedule(job)
        .latest_missed(last, Utc::now())
}

async fn run_logged(jobs: &Jobs, job: JobName, occurrence: DateTime<Utc>, trigger: RunTrigger) {
    if let Err(error) = jobs.run(job, occurrence, trigger, &Who::system()).await {
        tracing::error!(job = job.as_str(), %error, "job run could not be recorded");
    }
}
