//! SQL for PT/EQA and radiology QC. Scope conditions use [`ScopeFilter::sql`] on the site (`s`)
//! and its country (`co`), bound at `$1`/`$2`.
//!
//! Statements that bind an `Option<f64>` are not kept prepared (`persistent(false)`): sqlx
//! 0.8.6's `Any` driver declares a NULL `f64` as `float4` to PostgreSQL (the swapped NULL float kinds of sqlx PR #4359, fixed
//! upstream after 0.8.6), and a statement first prepared with a NULL then fails for a number
//! with "incorrect binary data format". Prepared afresh, each execution declares its own types.

use sqlx::{AnyConnection, FromRow};

use crate::auth::policy::ScopeFilter;

/// Joins a site alias `s` to its country `co`, for scope conditions.
const SITE_JOIN: &str =
    "join sites s on s.id = {site} join countries co on co.code = s.country_code";

fn site_join(site_column: &str) -> String {
    SITE_JOIN.replace("{site}", site_column)
}

fn scope_sql() -> String {
    ScopeFilter::sql("co.region_code", "s.code", 1)
}

// ---------------------------------------------------------------- schemes

#[derive(Debug, Clone, FromRow)]
pub struct SchemeRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub provider: String,
    pub discipline: String,
    pub result_type: String,
    pub events_per_year: i64,
    pub status: String,
    pub events: i64,
}

const SCHEME_COLUMNS: &str = "sc.id, sc.code, sc.name, sc.provider, sc.discipline, sc.result_type,
    sc.events_per_year, sc.status,
    cast((select count(*) from pt_events e where e.scheme_id = sc.id) as bigint) as events";

/// Schemes with a participating site in scope (all of them when `all`).
pub async fn schemes(
    conn: &mut AnyConnection,
    scope: &ScopeFilter,
    all: bool,
) -> sqlx::Result<Vec<SchemeRow>> {
    sqlx::query_as(&format!(
        "select {SCHEME_COLUMNS} from pt_schemes sc
          where $3 = '1' or exists (select 1 from pt_scheme_sites ss {} where ss.scheme_id = sc.id and {})
          order by sc.status, sc.name",
        site_join("ss.site_id"),
        scope_sql()
    ))
    .bind(scope.kind)
    .bind(&scope.code)
    .bind(if all { "1" } else { "0" })
    .fetch_all(conn)
    .await
}

pub async fn scheme(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<SchemeRow>> {
    sqlx::query_as(&format!(
        "select {SCHEME_COLUMNS} from pt_schemes sc where sc.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn scheme_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> sqlx::Result<Option<SchemeRow>> {
    sqlx::query_as(&format!(
        "select {SCHEME_COLUMNS} from pt_schemes sc where sc.code = $1"
    ))
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// A participating site.
#[derive(Debug, Clone, FromRow)]
pub struct Participant {
    pub scheme_id: i64,
    pub site_id: i64,
    pub code: String,
    pub name: String,
    pub region: String,
    pub timezone: String,
}

/// The participating sites of the schemes (every scheme when `scheme` is None), in scope.
pub async fn participants(
    conn: &mut AnyConnection,
    scope: &ScopeFilter,
    scheme: Option<i64>,
) -> sqlx::Result<Vec<Participant>> {
    sqlx::query_as(&format!(
        "select ss.scheme_id, s.id as site_id, s.code, s.name, co.region_code as region, s.timezone
           from pt_scheme_sites ss {}
          where {} and ($3 = 0 or ss.scheme_id = $3)
          order by s.code",
        site_join("ss.site_id"),
        scope_sql()
    ))
    .bind(scope.kind)
    .bind(&scope.code)
    .bind(scheme.unwrap_or(0))
    .fetch_all(conn)
    .await
}

pub async fn insert_scheme(
    conn: &mut AnyConnection,
    s: &app::model::pt::NewScheme,
    created_by: i64,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into pt_schemes (code, name, provider, discipline, result_type, events_per_year,
             created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
    )
    .bind(&s.code)
    .bind(&s.name)
    .bind(&s.provider)
    .bind(s.discipline.map(|d| d.as_str()))
    .bind(s.result_type.map(|r| r.as_str()))
    .bind(s.events_per_year.unwrap_or(2))
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn save_scheme(conn: &mut AnyConnection, s: &SchemeRow, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update pt_schemes set name = $2, provider = $3, events_per_year = $4, status = $5,
             updated_at = $6 where id = $1",
    )
    .bind(s.id)
    .bind(&s.name)
    .bind(&s.provider)
    .bind(s.events_per_year)
    .bind(&s.status)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Replaces the participating sites of a scheme.
pub async fn set_participants(
    conn: &mut AnyConnection,
    scheme_id: i64,
    site_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("delete from pt_scheme_sites where scheme_id = $1")
        .bind(scheme_id)
        .execute(&mut *conn)
        .await?;
    for id in site_ids {
        sqlx::query("insert into pt_scheme_sites (scheme_id, site_id) values ($1, $2)")
            .bind(scheme_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Active sites by code: (code, id).
pub async fn site_ids(
    conn: &mut AnyConnection,
    codes: &[String],
) -> sqlx::Result<Vec<(String, i64)>> {
    let mut found = Vec::new();
    for code in codes {
        if let Some(id) = sqlx::query_scalar::<_, i64>(
            "select id from sites where code = $1 and status = 'active'",
        )
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        {
            found.push((code.clone(), id));
        }
    }
    Ok(found)
}

/// A site by code: (id, code, name, region, time zone).
pub async fn site(
    conn: &mut AnyConnection,
    code: &str,
) -> sqlx::Result<Option<(i64, String, String, String, String)>> {
    sqlx::query_as(
        "select s.id, s.code, s.name, co.region_code, s.timezone
           from sites s join countries co on co.code = s.country_code where s.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub scheme_id: i64,
    pub scheme_code: String,
    pub scheme_name: String,
    pub provider: String,
    pub discipline: String,
    pub result_type: String,
    pub code: String,
    pub dispatch_date: String,
    pub deadline: String,
    pub status: String,
}

const EVENT_COLUMNS: &str = "e.id, e.scheme_id, sc.code as scheme_code, sc.name as scheme_name,
    sc.provider, sc.discipline, sc.result_type, e.code, e.dispatch_date, e.deadline, e.status";

pub async fn event(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<EventRow>> {
    sqlx::query_as(&format!(
        "select {EVENT_COLUMNS} from pt_events e join pt_schemes sc on sc.id = e.scheme_id
          where e.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The row lock PostgreSQL needs so that two scorings of one event run one after the other.
pub async fn lock_event(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("select id from pt_events where id = $1 for update")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map(|_| ())
}

/// An event in a list, with counts over the sites in scope.
#[derive(Debug, Clone, FromRow)]
pub struct EventListRow {
    pub id: i64,
    pub scheme_code: String,
    pub scheme_name: String,
    pub discipline: String,
    pub result_type: String,
    pub code: String,
    pub dispatch_date: String,
    pub deadline: String,
    pub status: String,
    pub challenges: i64,
    pub participants: i64,
    pub submitted: i64,
    pub unsatisfactory: i64,
    pub my_score: Option<f64>,
}

/// The event list's `select … where …`: binds `$1` kind, `$2` code, `$3` manage ('1'/'0'),
/// `$4` scheme code, `$5` status, `$6` site code, `$7` words (all text, '' = any).
pub fn event_list_sql() -> String {
    let scope = scope_sql();
    let join = site_join("ss.site_id");
    format!(
        "select e.id, sc.code as scheme_code, sc.name as scheme_name, sc.discipline, sc.result_type,
                e.code, e.dispatch_date, e.deadline, e.status,
                cast((select count(*) from pt_challenges c where c.event_id = e.id) as bigint) as challenges,
                cast((select count(*) from pt_scheme_sites ss {join} where ss.scheme_id = e.scheme_id and {scope}) as bigint) as participants,
                cast((select count(distinct r.site_id) from pt_results r {rjoin} where r.event_id = e.id and {scope}) as bigint) as submitted,
                cast((select count(*) from pt_event_scores x {xjoin} where x.event_id = e.id and x.verdict = 'unsatisfactory' and {scope}) as bigint) as unsatisfactory,
                (select x.score_percent from pt_event_scores x join sites s on s.id = x.site_id
                  where x.event_id = e.id and $1 = 'site' and s.code = $2) as my_score
           from pt_events e join pt_schemes sc on sc.id = e.scheme_id
          where ($3 = '1' or exists (select 1 from pt_scheme_sites ss {join} where ss.scheme_id = e.scheme_id and {scope}))
            and ($4 = '' or sc.code = $4)
            and ($5 = '' or e.status = $5)
            and ($6 = '' or exists (select 1 from pt_scheme_sites ss join sites s on s.id = ss.site_id where ss.scheme_id = e.scheme_id and s.code = $6))
            and ($7 = '' or lower(sc.name) like $7 or lower(sc.code) like $7 or lower(e.code) like $7)",
        rjoin = site_join("r.site_id"),
        xjoin = site_join("x.site_id"),
    )
}

pub async fn insert_event(
    conn: &mut AnyConnection,
    scheme_id: i64,
    code: &str,
    dispatch: &str,
    deadline: &str,
    created_by: Option<i64>,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into pt_events (scheme_id, code, dispatch_date, deadline, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6) returning id",
    )
    .bind(scheme_id)
    .bind(code)
    .bind(dispatch)
    .bind(deadline)
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn set_event_status(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update pt_events set status = $2, updated_at = $3,
             scored_at = case when $2 = 'scored' then $3 else scored_at end
          where id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

// ---------------------------------------------------------------- challenges

#[derive(Debug, Clone, FromRow)]
pub struct ChallengeRow {
    pub id: i64,
    pub event_id: i64,
    pub position: i64,
    pub code: String,
    pub analyte: String,
    pub unit: String,
    pub method: String,
    pub assigned_value: Option<f64>,
    pub sigma_pt: Option<f64>,
    pub u_assigned: Option<f64>,
    pub expanded_assigned: Option<f64>,
    pub consensus: i64,
    pub consensus_value: Option<f64>,
    pub consensus_sigma: Option<f64>,
    pub consensus_count: Option<i64>,
    pub expected: Option<String>,
}

pub async fn challenges(
    conn: &mut AnyConnection,
    event_id: i64,
) -> sqlx::Result<Vec<ChallengeRow>> {
    sqlx::query_as(
        "select id, event_id, position, code, analyte, unit, method, assigned_value, sigma_pt,
                u_assigned, expanded_assigned, consensus, consensus_value, consensus_sigma,
                consensus_count, expected
           from pt_challenges where event_id = $1 order by position, id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await
}

pub async fn challenge(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<ChallengeRow>> {
    sqlx::query_as(
        "select id, event_id, position, code, analyte, unit, method, assigned_value, sigma_pt,
                u_assigned, expanded_assigned, consensus, consensus_value, consensus_sigma,
                consensus_count, expected
           from pt_challenges where id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_challenge(conn: &mut AnyConnection, c: &ChallengeRow) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into pt_challenges (event_id, position, code, analyte, unit, method,
             assigned_value, sigma_pt, u_assigned, expanded_assigned, consensus, expected)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
    )
    .persistent(false)
    .bind(c.event_id)
    .bind(c.position)
    .bind(&c.code)
    .bind(&c.analyte)
    .bind(&c.unit)
    .bind(&c.method)
    .bind(c.assigned_value)
    .bind(c.sigma_pt)
    .bind(c.u_assigned)
    .bind(c.expanded_assigned)
    .bind(c.consensus)
    .bind(&c.expected)
    .fetch_one(conn)
    .await
}

pub async fn save_challenge(conn: &mut AnyConnection, c: &ChallengeRow) -> sqlx::Result<()> {
    sqlx::query(
        "update pt_challenges set assigned_value = $2, sigma_pt = $3, u_assigned = $4,
             expanded_assigned = $5, consensus = $6, consensus_value = $7, consensus_sigma = $8,
             consensus_count = $9, expected = $10
          where id = $1",
    )
    .persistent(false)
    .bind(c.id)
    .bind(c.assigned_value)
    .bind(c.sigma_pt)
    .bind(c.u_assigned)
    .bind(c.expanded_assigned)
    .bind(c.consensus)
    .bind(c.consensus_value)
    .bind(c.consensus_sigma)
    .bind(c.consensus_count)
    .bind(&c.expected)
    .execute(conn)
    .await
    .map(|_| ())
}

// ---------------------------------------------------------------- results

#[derive(Debug, Clone, FromRow)]
pub struct ResultRow {
    pub id: i64,
    pub event_id: i64,
    pub challenge_id: i64,
    pub site_id: i64,
    pub site_code: String,
    pub region: String,
    pub value: String,
    pub numeric_value: Option<f64>,
    pub unit: String,
    pub u_lab: Option<f64>,
    pub expanded_lab: Option<f64>,
    pub late: i64,
    pub late_reason: Option<String>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub score_kind: Option<String>,
    pub score: Option<f64>,
    pub verdict: Option<String>,
    pub grading: Option<String>,
    pub note: String,
}

const RESULT_COLUMNS: &str = "r.id, r.event_id, r.challenge_id, r.site_id, s.code as site_code,
    co.region_code as region, r.value, r.numeric_value, r.unit, r.u_lab, r.expanded_lab, r.late,
    r.late_reason, u.name as submitted_by, r.submitted_at, r.score_kind, r.score, r.verdict,
    r.grading, r.note";

/// The event's results of every site (for scoring and consensus), or of one site.
pub async fn results(
    conn: &mut AnyConnection,
    event_id: i64,
    site_id: Option<i64>,
) -> sqlx::Result<Vec<ResultRow>> {
    sqlx::query_as(&format!(
        "select {RESULT_COLUMNS} from pt_results r {} join users u on u.id = r.submitted_by
          where r.event_id = $1 and ($2 = 0 or r.site_id = $2)
          order by s.code, r.challenge_id",
        site_join("r.site_id")
    ))
    .bind(event_id)
    .bind(site_id.unwrap_or(0))
    .fetch_all(conn)
    .await
}

/// The event's results of the sites in scope.
pub async fn results_in_scope(
    conn: &mut AnyConnection,
    event_id: i64,
    scope: &ScopeFilter,
) -> sqlx::Result<Vec<ResultRow>> {
    sqlx::query_as(&format!(
        "select {RESULT_COLUMNS} from pt_results r {} join users u on u.id = r.submitted_by
          join pt_challenges c on c.id = r.challenge_id
          where r.event_id = $3 and {}
          order by s.code, c.position, c.id",
        site_join("r.site_id"),
        scope_sql()
    ))
    .bind(scope.kind)
    .bind(&scope.code)
    .bind(event_id)
    .fetch_all(conn)
    .await
}

/// One result to write.
#[derive(Debug, Clone)]
pub struct ResultWrite<'a> {
    pub event_id: i64,
    pub challenge_id: i64,
    pub site_id: i64,
    pub value: &'a str,
    pub numeric: Option<f64>,
    pub unit: &'a str,
    pub u_lab: Option<f64>,
    pub expanded_lab: Option<f64>,
    pub late: bool,
    pub late_reason: Option<&'a str>,
    pub submitted_by: i64,
    pub now: &'a str,
}

/// Inserts the result, or replaces the earlier one (clearing its score).
pub async fn upsert_result(conn: &mut AnyConnection, w: &ResultWrite<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "insert into pt_results (event_id, challenge_id, site_id, value, numeric_value, unit,
             u_lab, expanded_lab, late, late_reason, submitted_by, submitted_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
         on conflict (challenge_id, site_id) do update set
             value = excluded.value, numeric_value = excluded.numeric_value, unit = excluded.unit,
             u_lab = excluded.u_lab, expanded_lab = excluded.expanded_lab, late = excluded.late,
             late_reason = excluded.late_reason, submitted_by = excluded.submitted_by,
             updated_at = excluded.updated_at, score_kind = null, score = null, verdict = null,
             grading = null, note = '', scored_at = null",
    )
    .persistent(false)
    .bind(w.event_id)
    .bind(w.challenge_id)
    .bind(w.site_id)
    .bind(w.value)
    .bind(w.numeric)
    .bind(w.unit)
    .bind(w.u_lab)
    .bind(w.expanded_lab)
    .bind(i64::from(w.late))
    .bind(w.late_reason)
    .bind(w.submitted_by)
    .bind(w.now)
    .execute(conn)
    .await
    .map(|_| ())
}

#[allow(clippy::too_many_arguments)]
pub async fn save_grade(
    conn: &mut AnyConnection,
    id: i64,
    kind: &str,
    score: Option<f64>,
    verdict: &str,
    grading: Option<&str>,
    note: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update pt_results set score_kind = $2, score = $3, verdict = $4, grading = $5, note = $6,
             scored_at = $7 where id = $1",
    )
    .persistent(false)
    .bind(id)
    .bind(kind)
    .bind(score)
    .bind(verdict)
    .bind(grading)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

// ---------------------------------------------------------------- event scores

#[derive(Debug, Clone, FromRow)]
pub struct ScoreRow {
    pub event_id: i64,
    pub site_id: i64,
    pub site_code: String,
    pub acceptable: i64,
    pub total: i64,
    pub score_percent: Option<f64>,
    pub verdict: String,
    pub unsuccessful: i64,
    pub detail: String,
}

pub async fn scores_in_scope(
    conn: &mut AnyConnection,
    event_id: i64,
    scope: &ScopeFilter,
) -> sqlx::Result<Vec<ScoreRow>> {
    sqlx::query_as(&format!(
        "select x.event_id, x.site_id, s.code as site_code, x.acceptable, x.total, x.score_percent,
                x.verdict, x.unsuccessful, x.detail
           from pt_event_scores x {} where x.event_id = $3 and {} order by s.code",
        site_join("x.site_id"),
        scope_sql()
    ))
    .bind(scope.kind)
    .bind(&scope.code)
    .bind(event_id)
    .fetch_all(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn upsert_score(
    conn: &mut AnyConnection,
    event_id: i64,
    site_id: i64,
    acceptable: i64,
    total: i64,
    percent: Option<f64>,
    verdict: &str,
    detail: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into pt_event_scores (event_id, site_id, acceptable, total, score_percent, verdict,
             detail, scored_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (event_id, site_id) do update set acceptable = excluded.acceptable,
             total = excluded.total, score_percent = excluded.score_percent,
             verdict = excluded.verdict, detail = excluded.detail, scored_at = excluded.scored_at",
    )
    .persistent(false)
    .bind(event_id)
    .bind(site_id)
    .bind(acceptable)
    .bind(total)
    .bind(percent)
    .bind(verdict)
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A site's scored events of one scheme in date order: (event id, verdict, unsuccessful).
pub async fn scheme_history(
    conn: &mut AnyConnection,
    scheme_id: i64,
    site_id: i64,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "select x.event_id, x.verdict, x.unsuccessful from pt_event_scores x
           join pt_events e on e.id = x.event_id
          where e.scheme_id = $1 and x.site_id = $2 and x.verdict <> 'not_scored'
          order by e.deadline, e.id",
    )
    .bind(scheme_id)
    .bind(site_id)
    .fetch_all(conn)
    .await
}

pub async fn set_unsuccessful(
    conn: &mut AnyConnection,
    event_id: i64,
    site_id: i64,
    unsuccessful: bool,
) -> sqlx::Result<()> {
    sqlx::query("update pt_event_scores set unsuccessful = $3 where event_id = $1 and site_id = $2")
        .bind(event_id)
        .bind(site_id)
        .bind(i64::from(unsuccessful))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A site's event scores, newest first.
#[derive(Debug, Clone, FromRow)]
pub struct HistoryRow {
    pub event_id: i64,
    pub scheme_code: String,
    pub scheme_name: String,
    pub code: String,
    pub deadline: String,
    pub score_percent: Option<f64>,
    pub verdict: String,
    pub unsuccessful: i64,
}

pub async fn site_history(conn: &mut AnyConnection, site_id: i64) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(
        "select x.event_id, sc.code as scheme_code, sc.name as scheme_name, e.code, e.deadline,
                x.score_percent, x.verdict, x.unsuccessful
           from pt_event_scores x join pt_events e on e.id = x.event_id
           join pt_schemes sc on sc.id = e.scheme_id
          where x.site_id = $1 order by e.deadline desc, e.id desc",
    )
    .bind(site_id)
    .fetch_all(conn)
    .await
}

/// A site's z-type scores over time: (scheme, analyte, unit, deadline, event, sample, kind, score).
pub type ZRow = (String, String, String, String, String, String, String, f64);

pub async fn site_z_scores(conn: &mut AnyConnection, site_id: i64) -> sqlx::Result<Vec<ZRow>> {
    sqlx::query_as(
        "select sc.name, c.analyte, c.unit, e.deadline, e.code, c.code, r.score_kind, r.score
           from pt_results r join pt_challenges c on c.id = r.challenge_id
           join pt_events e on e.id = r.event_id join pt_schemes sc on sc.id = e.scheme_id
          where r.site_id = $1 and r.score is not null and r.score_kind in ('z', 'z_prime', 'zeta')
          order by sc.name, c.analyte, e.deadline, c.position",
    )
    .bind(site_id)
    .fetch_all(conn)
    .await
}

/// CAPAs opened from PT or radiology QC sources at these sites: (id, number, site, title, state).
pub async fn pt_capas(
    conn: &mut AnyConnection,
    key_prefix: &str,
    scope: &ScopeFilter,
) -> sqlx::Result<Vec<(i64, String, String, String, String)>> {
    sqlx::query_as(&format!(
        "select c.id, c.number, s.code, c.title, c.state from capas c {}
          where c.source_key like $3 and {} order by c.number",
        site_join("c.site_id"),
        scope_sql()
    ))
    .bind(scope.kind)
    .bind(&scope.code)
    .bind(key_prefix)
    .fetch_all(conn)
    .await
}

/// One site's CAPAs opened from PT or radiology QC, by number: (id, number, site, title, state).
/// Read through the site's index: the generic scope filter above scans every CAPA.
pub async fn site_pt_capas(
    conn: &mut AnyConnection,
    site_id: i64,
) -> sqlx::Result<Vec<(i64, String, String, String, String)>> {
    sqlx::query_as(
        "select c.id, c.number, s.code, c.title, c.state from capas c join sites s on s.id = c.site_id
          where c.site_id = $1 and (c.source_key like 'pt_%' or c.source_key like 'radiology_qc:%')
          order by c.number",
    )
    .bind(site_id)
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------- radiology QC

#[derive(Debug, Clone, FromRow)]
pub struct ReadRow {
    pub id: i64,
    pub site_code: String,
    pub exam_id: String,
    pub reader: String,
    pub qc_reader: String,
    pub primary_class: String,
    pub qc_class: String,
    pub peer_score: String,
    pub image_quality: i64,
    pub read_on: String,
}

/// QC reads `select … where …` in scope and window: binds `$1` kind, `$2` code, `$3` from,
/// `$4` to, `$5` site ('' any), `$6` region ('' any).
pub fn reads_sql() -> String {
    format!(
        "select q.id, s.code as site_code, q.exam_id, q.reader, q.qc_reader, q.primary_class,
                q.qc_class, q.peer_score, q.image_quality, q.read_on
           from radiology_qc_reads q {}
          where {} and q.read_on >= $3 and q.read_on <= $4
            and ($5 = '' or s.code = $5) and ($6 = '' or co.region_code = $6)",
        site_join("q.site_id"),
        scope_sql()
    )
}

pub async fn reads(conn: &mut AnyConnection, binds: &[String]) -> sqlx::Result<Vec<ReadRow>> {
    let sql = format!("{} order by s.code, q.reader, q.read_on", reads_sql());
    let mut query = sqlx::query_as::<_, ReadRow>(&sql);
    for b in binds {
        query = query.bind(b);
    }
    query.fetch_all(conn).await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_read(
    conn: &mut AnyConnection,
    site_id: i64,
    r: &app::model::pt::NewQcRead,
    primary: &str,
    qc: &str,
    peer: &str,
    created_by: Option<i64>,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into radiology_qc_reads (site_id, exam_id, reader, qc_reader, primary_class,
             qc_class, peer_score, image_quality, read_on, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(site_id)
    .bind(r.exam_id.trim())
    .bind(r.reader.trim())
    .bind(r.qc_reader.trim())
    .bind(primary)
    .bind(qc)
    .bind(peer)
    .bind(r.image_quality)
    .bind(r.read_on.trim())
    .bind(created_by)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn read_exists(
    conn: &mut AnyConnection,
    site_id: i64,
    exam_id: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar::<_, i64>(
        "select id from radiology_qc_reads where site_id = $1 and exam_id = $2",
    )
    .bind(site_id)
    .bind(exam_id)
    .fetch_optional(conn)
    .await
    .map(|r| r.is_some())
}

pub async fn thresholds(conn: &mut AnyConnection) -> sqlx::Result<app::model::pt::QcThresholds> {
    let (kappa_min, significant_max_percent, poor_image_max_percent): (f64, f64, f64) =
        sqlx::query_as(
            "select kappa_min, significant_max_percent, poor_image_max_percent
               from radiology_qc_thresholds where id = 1",
        )
        .fetch_one(conn)
        .await?;
    Ok(app::model::pt::QcThresholds {
        kappa_min,
        significant_max_percent,
        poor_image_max_percent,
    })
}

pub async fn save_thresholds(
    conn: &mut AnyConnection,
    t: &app::model::pt::QcThresholds,
    by: i64,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update radiology_qc_thresholds set kappa_min = $1, significant_max_percent = $2,
             poor_image_max_percent = $3, updated_by = $4, updated_at = $5 where id = 1",
    )
    .bind(t.kappa_min)
    .bind(t.significant_max_percent)
    .bind(t.poor_image_max_percent)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A site's reads in a window, for the automatic flag check.
pub async fn site_reads(
    conn: &mut AnyConnection,
    site_id: i64,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    sqlx::query_as(
        "select primary_class, qc_class, peer_score, image_quality from radiology_qc_reads
          where site_id = $1 and read_on >= $2 and read_on <= $3",
    )
    .bind(site_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}
