//! Server functions for the scheduled jobs page (administrators).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::jobs::{JobRun, JobsOverview};

#[server(prefix = "/rpc", endpoint = "jobs/overview")]
pub async fn load_jobs(job: Option<String>, page: Option<i64>) -> Result<JobsOverview, AppError> {
    crate::backend::backend()?.jobs(job, page).await
}

#[server(prefix = "/rpc", endpoint = "jobs/run")]
pub async fn run_job(name: String) -> Result<JobRun, AppError> {
    let run = crate::backend::backend()?.run_job(name).await?;
    crate::pages::redirect_after_form(&format!("/admin/jobs?ran={}", run.id));
    Ok(run)
}
