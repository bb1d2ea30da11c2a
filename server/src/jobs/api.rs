//! REST handlers for scheduled jobs (administrators): the jobs with their runs, and running
//! one now.

use app::model::jobs::{JobRun, JobsOverview};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Jobs;
use crate::api::error::{ApiResult, ErrorBody};
use crate::auth::Actor;

#[derive(Debug, Deserialize, IntoParams)]
pub struct RunsQuery {
    /// Only the runs of this job.
    pub job: Option<String>,
    pub page: Option<i64>,
}

/// Every job with its cron expression, time zone, next and latest run, whether e-mail is on,
/// and a page of recent runs.
#[utoipa::path(get, path = "/jobs", tag = "jobs", params(RunsQuery),
    responses((status = 200, body = JobsOverview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_jobs(
    State(jobs): State<Jobs>,
    actor: Actor,
    Query(query): Query<RunsQuery>,
) -> ApiResult<Json<JobsOverview>> {
    Ok(Json(
        jobs.overview(&actor, query.job.as_deref(), query.page)
            .await?,
    ))
}

/// Runs one occurrence of the job now and returns what it flagged.
#[utoipa::path(post, path = "/jobs/{name}/run", tag = "jobs", params(("name" = String, Path)),
    responses((status = 201, body = JobRun), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run_job(
    State(jobs): State<Jobs>,
    actor: Actor,
    Path(name): Path<String>,
) -> ApiResult<(StatusCode, Json<JobRun>)> {
    Ok((
        StatusCode::CREATED,
        Json(jobs.run_now(&actor, &name).await?),
    ))
}
