//! SQL of the scheduled jobs: the run records (claimed once per occurrence), and the reads
//! each check makes across documents, CAPA, PT, radiology QC and audits.

use sqlx::{AnyConnection, FromRow};

use app::model::jobs::{JobRun, RunOutcome, RunTrigger};

#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    pub id: i64,
    pub job: String,
    pub scheduled_for: String,
    pub trigger: String,
    pub instance: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: String,
    pub flagged: i64,
    pub notified: i64,
    pub summary: String,
    pub error: Option<String>,
}

impl RunRow {
    pub fn run(self) -> JobRun {
        JobRun {
            id: self.id,
            job: self.job,
            scheduled_for: self.scheduled_for,
            trigger: RunTrigger::parse(&self.trigger).unwrap_or(RunTrigger::Schedule),
            instance: self.instance,
            started_at: self.started_at,
            finished_at: self.finished_at,
            outcome: RunOutcome::parse(&self.outcome).unwrap_or(RunOutcome::Failed),
            flagged: self.flagged,
            notified: self.notified,
            summary: self.summary,
            error: self.error,
        }
    }
}

const RUN_COLUMNS: &str = "id, job, scheduled_for, trigger, instance, started_at, finished_at, \
                           outcome, flagged, notified, summary, error";

/// Claims an occurrence: inserts its row as running. `None` when another instance (or an
/// earlier run) has it already — the unique (job, scheduled_for) decides, on both engines.
pub async fn claim(
    conn: &mut AnyConnection,
    job: &str,
    scheduled_for: &str,
    trigger: &str,
    instance: &str,
    now: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into job_runs (job, scheduled_for, trigger, instance, started_at, outcome)
         values ($1, $2, $3, $4, $5, 'running')
         on conflict (job, scheduled_for) do nothing returning id",
    )
    .bind(job)
    .bind(scheduled_for)
    .bind(trigger)
    .bind(instance)
    .bind(now)
    .fetch_optional(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn finish(
    conn: &mut AnyConnection,
    id: i64,
    outcome: &str,
    flagged: i64,
    notified: i64,
    summary: &str,
    error: Option<&str>,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update job_runs set outcome = $1, flagged = $2, notified = $3, summary = $4, error = $5,
                finished_at = $6 where id = $7",
    )
    .bind(outcome)
    .bind(flagged)
    .bind(notified)
    .bind(summary)
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks the runs still "running" that started before `started_before` as failed with
/// `error`: their server stopped during the run. Returns their ids and jobs.
pub async fn fail_abandoned(
    conn: &mut AnyConnection,
    started_before: &str,
    error: &str,
    now: &str,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "update job_runs set outcome = 'failed', error = $1, finished_at = $2
          where outcome = 'running' and started_at < $3
         returning id, job",
    )
    .bind(error)
    .bind(now)
    .bind(started_before)
    .fetch_all(conn)
    .await
}

pub async fn run(conn: &mut AnyConnection, id: i64) -> sqlx::Result<RunRow> {
    sqlx::query_as(&format!("select {RUN_COLUMNS} from job_runs where id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await
}

/// The latest scheduled (not manual) occurrence of a job: where catching up starts.
pub async fn last_scheduled(conn: &mut AnyConnection, job: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "select max(scheduled_for) from job_runs where job = $1 and trigger <> 'manual'",
    )
    .bind(job)
    .fetch_one(conn)
    .await
}

pub async fn latest_run(conn: &mut AnyConnection, job: &str) -> sqlx::Result<Option<RunRow>> {
    sqlx::query_as(&format!(
        "select {RUN_COLUMNS} from job_runs where job = $1 order by started_at desc, id desc limit 1"
    ))
    .bind(job)
    .fetch_optional(conn)
    .await
}

/// Recent runs, newest first, of one job or all.
pub async fn runs(
    conn: &mut AnyConnection,
    job: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<RunRow>, i64)> {
    let (filter, binds) = match job {
        Some(job) => (" where job = $1", vec![job.to_string()]),
        None => ("", vec![]),
    };
    crate::db::page_of(
        conn,
        &format!("select {RUN_COLUMNS} from job_runs{filter}"),
        &binds,
        "started_at desc, id desc",
        limit,
        offset,
    )
    .await
}

// ---------------------------------------------------------------- what the checks read

#[derive(Debug, Clone, FromRow)]
pub struct ReviewDue {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub owner_id: i64,
    pub next_review_due: String,
}

/// Documents whose next review falls on or before `until` (withdrawn ones have none).
pub async fn reviews_due(conn: &mut AnyConnection, until: &str) -> sqlx::Result<Vec<ReviewDue>> {
    sqlx::query_as(
        "select id, code, title, owner_id, next_review_due from documents
         where next_review_due is not null and next_review_due <= $1
         order by next_review_due, code",
    )
    .bind(until)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct AckOverdue {
    pub id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub site_id: i64,
    pub site_code: String,
    pub document_code: String,
    pub title: String,
    pub version: i64,
    pub due_date: String,
}

/// Pending acknowledgements of active users due before `today`.
pub async fn acknowledgements_overdue(
    conn: &mut AnyConnection,
    today: &str,
) -> sqlx::Result<Vec<AckOverdue>> {
    sqlx::query_as(
        "select a.id, a.user_id, u.email as user_email, a.site_id, s.code as site_code, d.code as document_code, d.title,
                v.number as version, a.due_date
         from acknowledgements a
         join documents d on d.id = a.document_id
         join document_versions v on v.id = a.version_id
         join sites s on s.id = a.site_id
         join users u on u.id = a.user_id
         where a.status = 'pending' and a.due_date < $1 and u.active = 1
         order by a.due_date, d.code, a.id",
    )
    .bind(today)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct OpenCapa {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub owner_id: i64,
    pub due_date: String,
    pub site_code: String,
    pub timezone: String,
    pub region_code: String,
}

/// CAPAs still open whose due date is before `latest` (the latest "today" of any site).
pub async fn open_capas_due_before(
    conn: &mut AnyConnection,
    latest: &str,
) -> sqlx::Result<Vec<OpenCapa>> {
    sqlx::query_as(
        "select c.id, c.number, c.title, c.owner_id, c.due_date, s.code as site_code, s.timezone,
                co.region_code
         from capas c join sites s on s.id = c.site_id join countries co on co.code = s.country_code
         where c.state not in ('closed', 'rejected', 'cancelled') and c.due_date < $1
         order by c.due_date, c.number",
    )
    .bind(latest)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Participation {
    pub event_id: i64,
    pub event_code: String,
    pub deadline: String,
    pub scheme_code: String,
    pub scheme_name: String,
    pub site_id: i64,
    pub site_code: String,
    pub timezone: String,
    pub region_code: String,
}

/// Participating sites without any result for an unscored event whose deadline lies in
/// `[from, to]`.
pub async fn pt_submissions_missing(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<Participation>> {
    sqlx::query_as(
        "select e.id as event_id, e.code as event_code, e.deadline, sc.code as scheme_code,
                sc.name as scheme_name, s.id as site_id, s.code as site_code, s.timezone,
                co.region_code
         from pt_events e
         join pt_schemes sc on sc.id = e.scheme_id
         join pt_scheme_sites ps on ps.scheme_id = e.scheme_id
         join sites s on s.id = ps.site_id and s.status = 'active'
         join countries co on co.code = s.country_code
         where e.status in ('open', 'closed') and e.deadline >= $1 and e.deadline <= $2
           and not exists (select 1 from pt_results r where r.event_id = e.id and r.site_id = s.id)
         order by e.deadline, sc.code, s.code",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct QcCount {
    pub site_id: i64,
    pub site_code: String,
    pub region_code: String,
    pub reads: i64,
}

/// QC re-reads per active radiology site between two dates (inclusive).
pub async fn qc_reads_per_site(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<QcCount>> {
    sqlx::query_as(
        "select s.id as site_id, s.code as site_code, co.region_code,
                (select count(*) from radiology_qc_reads r
                  where r.site_id = s.id and r.read_on >= $1 and r.read_on <= $2) as reads
         from sites s
         join site_services sv on sv.site_id = s.id and sv.service = 'radiology'
         join countries co on co.code = s.country_code
         where s.status = 'active'
         order by s.code",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct LateReport {
    pub id: i64,
    pub site_code: String,
    pub lead_auditor_id: i64,
    pub submitted_at: String,
}

/// Submitted audits (no report issued) submitted before `before`.
pub async fn reports_late(conn: &mut AnyConnection, before: &str) -> sqlx::Result<Vec<LateReport>> {
    sqlx::query_as(
        "select a.id, s.code as site_code, a.lead_auditor_id, a.submitted_at
         from audits a join sites s on s.id = a.site_id
         where a.state = 'submitted' and a.submitted_at < $1
         order by a.submitted_at, a.id",
    )
    .bind(before)
    .fetch_all(conn)
    .await
}
