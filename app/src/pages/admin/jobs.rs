//! Scheduled jobs (administrators): each job's schedule, next and latest run, "Run now", and
//! the recent runs with what they flagged.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{query_string, Pager};
use crate::api::jobs::{load_jobs, RunJob};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::FormError;
use crate::model::jobs::{Job, JobRun, RunOutcome};

#[component]
pub fn JobsPage() -> impl IntoView {
    let params = use_query_map();
    let filter = move || params.read().get("job").filter(|j| !j.is_empty());
    let page = move || {
        params
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
    };
    let run = ServerAction::<RunJob>::new();
    let just_ran = move || params.read().get("ran").and_then(|r| r.parse::<i64>().ok());
    let overview = Resource::new(
        move || (filter(), page(), run.version().get()),
        |(job, page, _)| load_jobs(job, page),
    );
    let run_error = crate::components::forms::rejected(run);

    view! {
        <Title text="Scheduled jobs" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/admin">"Administration"</A></nav>
            <h1>"Scheduled jobs"</h1>
            <p class="muted">
                "Cron expressions in each job's time zone (set with ATTEST_JOB_<NAME> and ATTEST_JOB_<NAME>_TIMEZONE). "
                "Each occurrence runs once, even with several servers on one PostgreSQL database; a run missed while the server was down is caught up once at start."
            </p>
            <FormError error=run_error />
            <Transition fallback=|| view! { <Loading label="Loading jobs…" /> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            let job = filter();
                            let href = move |n: i64| format!("/admin/jobs{}", query_string(&[
                                ("job", job.clone()),
                                ("page", Some(n.to_string())),
                            ]));
                            let pages = overview.runs.pages();
                            let names: Vec<String> = overview.jobs.iter().map(|j| j.name.clone()).collect();
                            // A run just started by hand (`?ran=` is its id, set by the server function).
                            let ran = just_ran().and_then(|id| overview.runs.items.iter().find(|r| r.id == id).cloned());
                            view! {
                                {ran.map(|done| view! {
                                    <div class="notice notice--ok" role="status" data-testid="run-result">
                                        <p>{format!("{}: {} — {} flagged, {} new notifications.", done.job, done.outcome.label(), done.flagged, done.notified)}</p>
                                    </div>
                                })}
                                {(!overview.email_enabled).then(|| view! {
                                    <p class="notice--warning" role="note" data-testid="email-off">
                                        "E-mail sending is off: SMTP is not configured (set ATTEST_SMTP_HOST and ATTEST_SMTP_FROM). "
                                        "Notifications are stored and shown under the bell only."
                                    </p>
                                })}
                                <JobTable jobs=overview.jobs run />
                                <h2>"Recent runs"</h2>
                                <Form method="GET" action="" attr:class="toolbar">
                                    <label class="field">
                                        <span class="field__label">"Job"</span>
                                        <select name="job">
                                            <option value="">"All jobs"</option>
                                            {names.into_iter().map(|name| {
                                                let selected = filter().as_deref() == Some(name.as_str());
                                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit" class="button">"Show"</button>
                                </Form>
                                {if overview.runs.items.is_empty() {
                                    view! {
                                        <EmptyState title="No runs yet".to_string()>
                                            <p>"Runs appear here when a job's time comes, or when you run one now."</p>
                                        </EmptyState>
                                    }.into_any()
                                } else {
                                    view! {
                                        <p class="result-count">{format!("{} runs", overview.runs.total)}</p>
                                        <RunTable runs=overview.runs.items />
                                        <Pager page=overview.runs.page pages href />
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn short(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

#[component]
fn JobTable(jobs: Vec<Job>, run: ServerAction<RunJob>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="jobs">
                <thead>
                    <tr>
                        <th scope="col">"Job"</th>
                        <th scope="col">"Schedule"</th>
                        <th scope="col">"Next run (UTC)"</th>
                        <th scope="col">"Last run"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {jobs.into_iter().map(|job| {
                        let name = job.name.clone();
                        let last = job.last_run.clone().map(|r| format!(
                            "{} {} · {} flagged, {} notified",
                            short(&r.started_at), r.outcome.label().to_lowercase(), r.flagged, r.notified
                        )).unwrap_or_else(|| "never".into());
                        view! {
                            <tr>
                                <th scope="row">
                                    <code>{job.name.clone()}</code>
                                    <p class="muted">{job.description.clone()}</p>
                                </th>
                                <td>
                                    {if job.enabled {
                                        view! { <code>{job.schedule.clone()}</code>" "<span class="muted">{job.time_zone.clone()}</span> }.into_any()
                                    } else {
                                        view! { <span class="muted">"disabled"</span> }.into_any()
                                    }}
                                </td>
                                <td>{job.next_run.as_deref().map(short).unwrap_or_else(|| "—".into())}</td>
                                <td>{last}</td>
                                <td>
                                    <ActionForm action=run attr:class="form--inline">
                                        <input type="hidden" name="name" value=name.clone() />
                                        <button type="submit" class="button button--quiet" disabled=move || run.pending().get()
                                            aria-label=format!("Run {name} now")>
                                            "Run now"
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RunTable(runs: Vec<JobRun>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table table--dense" data-testid="runs">
                <thead>
                    <tr>
                        <th scope="col">"Job"</th>
                        <th scope="col">"For (UTC)"</th>
                        <th scope="col">"Why"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Finished"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Flagged"</th>
                        <th scope="col">"New notifications"</th>
                        <th scope="col">"Server"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    {runs.into_iter().map(|r| {
                        let failed = r.outcome == RunOutcome::Failed;
                        let details = match (&r.error, r.summary.is_empty()) {
                            (Some(error), _) => Some(error.clone()),
                            (None, false) => Some(r.summary.clone()),
                            (None, true) => None,
                        };
                        view! {
                            <tr class:row--alert=failed>
                                <td><code>{r.job.clone()}</code></td>
                                <td>{short(&r.scheduled_for)}</td>
                                <td>{r.trigger.label()}</td>
                                <td>{short(&r.started_at)}</td>
                                <td>{r.finished_at.as_deref().map(short).unwrap_or_else(|| "—".into())}</td>
                                <td>{if failed { "⚠ Failed" } else { r.outcome.label() }}</td>
                                <td>{r.flagged}</td>
                                <td>{r.notified}</td>
                                <td class="muted">{r.instance.clone()}</td>
                                <td>
                                    {details.map(|text| view! {
                                        <details>
                                            <summary>{if failed { "Error" } else { "What it flagged" }}</summary>
                                            <pre>{text}</pre>
                                        </details>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
