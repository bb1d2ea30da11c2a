//! SQL for the dashboards. Every query takes the same site filter, so the regional, network
//! and site dashboards read the same figures the same way.

use sqlx::{AnyConnection, FromRow};

/// Which sites a query covers.
#[derive(Debug, Clone)]
pub enum Sites {
    All,
    Region(String),
    One(i64),
}

impl Sites {
    /// The condition on `st` (sites) and `co` (countries), using placeholder `$n`.
    fn condition(&self, n: usize) -> String {
        match self {
            Sites::All => "1 = 1".into(),
            Sites::Region(_) => format!("co.region_code = ${n}"),
            Sites::One(_) => format!("st.id = ${n}"),
        }
    }

    fn bind_as<'q, T>(
        &self,
        q: sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>> {
        match self {
            Sites::All => q,
            Sites::Region(code) => q.bind(code.clone()),
            Sites::One(id) => q.bind(*id),
        }
    }

    /// How many placeholders the filter takes (the others follow it).
    fn binds(&self) -> usize {
        usize::from(!matches!(self, Sites::All))
    }
}

/// `join sites st … join countries co …` for a table aliased `x` with a `site_id`.
const SITE_JOIN: &str =
    "join sites st on st.id = x.site_id join countries co on co.code = st.country_code";

#[derive(Debug, Clone, FromRow)]
pub struct SiteRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub timezone: String,
    pub region_code: String,
    pub region_name: String,
    pub country: String,
}

/// The active sites, by region and code.
pub async fn sites(conn: &mut AnyConnection, sites: &Sites) -> sqlx::Result<Vec<SiteRow>> {
    let sql = format!(
        "select st.id, st.code, st.name, st.timezone, co.region_code, rg.name as region_name,
                co.name as country
           from sites st join countries co on co.code = st.country_code
           join regions rg on rg.code = co.region_code
          where st.status = 'active' and {}
          order by co.region_code, st.code",
        sites.condition(1)
    );
    sites.bind_as(sqlx::query_as(&sql)).fetch_all(conn).await
}

/// The regions: code and name.
pub async fn regions(conn: &mut AnyConnection) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("select code, name from regions order by code")
        .fetch_all(conn)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub site_id: i64,
    pub submitted_at: String,
    pub score_points: Option<i64>,
    pub score_applicable: Option<i64>,
}

/// The states of an audit that has been submitted.
const SUBMITTED: &str = "('submitted', 'report_issued', 'closed')";

/// Submitted audits (submitted, report issued or closed), per site newest first.
pub async fn submitted_audits(
    conn: &mut AnyConnection,
    sites: &Sites,
) -> sqlx::Result<Vec<AuditRow>> {
    let sql = format!(
        "select x.id, x.site_id, x.submitted_at, x.score_points, x.score_applicable
           from audits x {SITE_JOIN}
          where x.state in {SUBMITTED} and x.submitted_at is not null and {}
          order by x.site_id, x.submitted_at desc, x.id desc",
        sites.condition(1)
    );
    sites.bind_as(sqlx::query_as(&sql)).fetch_all(conn).await
}

/// The latest two scored audits of each site, newest first per site. (A row per audit
/// costs the driver a few microseconds: the network has thousands, the dashboards need two a
/// site.)
pub async fn latest_scored_audits(
    conn: &mut AnyConnection,
    sites: &Sites,
) -> sqlx::Result<Vec<AuditRow>> {
    let sql = format!(
        "select id, site_id, submitted_at, score_points, score_applicable
           from (select x.id, x.site_id, x.submitted_at, x.score_points, x.score_applicable,
                        row_number() over (partition by x.site_id
                                           order by x.submitted_at desc, x.id desc) as nth
                   from audits x {SITE_JOIN}
                  where x.state in {SUBMITTED} and x.submitted_at is not null
                    and x.score_points is not null and x.score_applicable > 0 and {}) latest
          where nth <= 2
          order by site_id, nth",
        sites.condition(1)
    );
    sites.bind_as(sqlx::query_as(&sql)).fetch_all(conn).await
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditMonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub audits: i64,
    /// The sum of the audits' scores in percent.
    pub percent_sum: f64,
}

/// Scored audits submitted since `since` (`YYYY-MM-DD`), per month of submission: how many and
/// the sum of their scores.
pub async fn audit_months(
    conn: &mut AnyConnection,
    since: &str,
) -> sqlx::Result<Vec<AuditMonthRow>> {
    let sql = format!(
        "select substr(x.submitted_at, 1, 7) as month, count(*) as audits,
                cast(sum(cast(x.score_points as double precision) * 100.0 / x.score_applicable)
                     as double precision) as percent_sum
           from audits x
          where x.state in {SUBMITTED} and x.submitted_at >= $1
            and x.score_points is not null and x.score_applicable > 0
          group by substr(x.submitted_at, 1, 7)"
    );
    sqlx::query_as(&sql).bind(since).fetch_all(conn).await
}

/// Dates far enough from a site's today that the exact day no longer matters: the dashboards
/// need CAPAs' ages in buckets and whether they are overdue, and a site's today is within a
/// day of the UTC date.
#[derive(Debug, Clone)]
pub struct DateClamp {
    /// Opened on or before this day: more than 90 days old at every site.
    pub opened_long_ago: String,
    /// Due on or before this day: overdue at every site.
    pub due_past: String,
    /// Due on or after this day: not yet due at every site.
    pub due_future: String,
}

/// CAPAs still running, counted per site, opening day and due date, with those days clamped
/// (see [`DateClamp`]): a few hundred rows for the whole network instead of thousands.
pub async fn open_capas(
    conn: &mut AnyConnection,
    sites: &Sites,
    clamp: &DateClamp,
) -> sqlx::Result<Vec<(i64, String, String, i64)>> {
    let n = sites.binds();
    let (old, past, future) = (n + 1, n + 2, n + 3);
    let sql = format!(
        "select x.site_id,
                case when x.opened_on <= ${old} then ${old} else x.opened_on end as opened,
                case when x.due_date <= ${past} then ${past}
                     when x.due_date >= ${future} then ${future}
                     else x.due_date end as due,
                count(*) as capas
           from capas x {SITE_JOIN}
          where x.state not in ('closed', 'rejected', 'cancelled') and {}
          group by 1, 2, 3",
        sites.condition(1)
    );
    sites
        .bind_as(sqlx::query_as(&sql))
        .bind(&clamp.opened_long_ago)
        .bind(&clamp.due_past)
        .bind(&clamp.due_future)
        .fetch_all(conn)
        .await
}

/// CAPAs not cancelled that were open at some time since `from` (the first day of a month),
/// counted per opening day, due date and end day. Only whether a CAPA was open and overdue at
/// each month's end (or at today, in the running month that begins `current`) is wanted, so
/// before the running month a day stands for its month by the month's first day (`from` for
/// any day before `from`); due dates from the 28th on keep their day, as the last day of a
/// month is not yet overdue at that month's end.
pub async fn capas_since(
    conn: &mut AnyConnection,
    sites: &Sites,
    from: &str,
    current: &str,
) -> sqlx::Result<Vec<(String, String, Option<String>, i64)>> {
    let n = sites.binds();
    let (from_n, cur) = (n + 1, n + 2);
    let month_of = |column: &str| format!("substr({column}, 1, 7) || '-01'");
    let sql = format!(
        "select case when x.opened_on >= ${cur} then x.opened_on
                     when x.opened_on < ${from_n} then ${from_n}
                     else {opened} end as opened,
                case when x.due_date >= ${cur} or substr(x.due_date, 9, 2) >= '28' then x.due_date
                     when x.due_date < ${from_n} then ${from_n}
                     else {due} end as due,
                case when x.ended_on is null or x.ended_on >= ${cur} then x.ended_on
                     else {ended} end as ended,
                count(*) as capas
           from capas x {SITE_JOIN}
          where x.state <> 'cancelled' and (x.ended_on is null or x.ended_on >= ${from_n})
            and {}
          group by 1, 2, 3",
        sites.condition(1),
        opened = month_of("x.opened_on"),
        due = month_of("x.due_date"),
        ended = month_of("x.ended_on"),
    );
    sites
        .bind_as(sqlx::query_as(&sql))
        .bind(from)
        .bind(current)
        .fetch_all(conn)
        .await
}

/// Effective documents: id, site (none for a global one), the global document a site variant
/// adapts, next review date.
pub async fn effective_documents(
    conn: &mut AnyConnection,
) -> sqlx::Result<Vec<(i64, Option<i64>, Option<i64>, Option<String>)>> {
    sqlx::query_as(
        "select id, site_id, parent_id, next_review_due from documents where status = 'effective'",
    )
    .fetch_all(conn)
    .await
}

/// The current version of every effective document. Acknowledgements are read by status and
/// version through their covering index, a few seeks instead of a join per acknowledgement.
const CURRENT_VERSIONS: &str = "select effective_version_id from documents
     where status = 'effective' and effective_version_id is not null";

/// Acknowledgements owed for the current version of effective documents: per site, how many
/// are done.
pub async fn acknowledgements_done(
    conn: &mut AnyConnection,
    sites: &Sites,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let sql = format!(
        "select x.site_id, count(*) from acknowledgements x {SITE_JOIN}
          where x.status = 'done' and x.version_id in ({CURRENT_VERSIONS}) and {}
          group by x.site_id",
        sites.condition(1)
    );
    sites.bind_as(sqlx::query_as(&sql)).fetch_all(conn).await
}

/// … and those still pending, per site and due date with their number.
pub async fn acknowledgements_pending(
    conn: &mut AnyConnection,
    sites: &Sites,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    let sql = format!(
        "select x.site_id, x.due_date, count(*) from acknowledgements x {SITE_JOIN}
          where x.status = 'pending' and x.version_id in ({CURRENT_VERSIONS}) and {}
          group by x.site_id, x.due_date",
        sites.condition(1)
    );
    sites.bind_as(sqlx::query_as(&sql)).fetch_all(conn).await
}

/// The pre-aggregated PT and QC counts of a site over months.
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct MonthFigures {
    pub pt_scored: i64,
    pub pt_satisfactory: i64,
    pub pt_events_unsuccessful: i64,
    pub qc_reads: i64,
    pub qc_nn: i64,
    pub qc_nt: i64,
    pub qc_no: i64,
    pub qc_tn: i64,
    pub qc_tt: i64,
    pub qc_to: i64,
    pub qc_on: i64,
    pub qc_ot: i64,
    pub qc_oo: i64,
    pub qc_significant: i64,
}

impl MonthFigures {
    /// The columns of `site_month_figures` that this reads.
    pub const COLUMNS: [&'static str; 14] = [
        "pt_scored",
        "pt_satisfactory",
        "pt_events_unsuccessful",
        "qc_reads",
        "qc_nn",
        "qc_nt",
        "qc_no",
        "qc_tn",
        "qc_tt",
        "qc_to",
        "qc_on",
        "qc_ot",
        "qc_oo",
        "qc_significant",
    ];

    pub fn add(&mut self, o: &MonthFigures) {
        self.pt_scored += o.pt_scored;
        self.pt_satisfactory += o.pt_satisfactory;
        self.pt_events_unsuccessful += o.pt_events_unsuccessful;
        self.qc_reads += o.qc_reads;
        self.qc_nn += o.qc_nn;
        self.qc_nt += o.qc_nt;
        self.qc_no += o.qc_no;
        self.qc_tn += o.qc_tn;
        self.qc_tt += o.qc_tt;
        self.qc_to += o.qc_to;
        self.qc_on += o.qc_on;
        self.qc_ot += o.qc_ot;
        self.qc_oo += o.qc_oo;
        self.qc_significant += o.qc_significant;
    }

    /// The agreement table, primary reader by row (normal, TB, other), QC reader by column.
    pub fn agreement(&self) -> [[u64; 3]; 3] {
        let c = |v: i64| v.max(0) as u64;
        [
            [c(self.qc_nn), c(self.qc_nt), c(self.qc_no)],
            [c(self.qc_tn), c(self.qc_tt), c(self.qc_to)],
            [c(self.qc_on), c(self.qc_ot), c(self.qc_oo)],
        ]
    }
}

/// The sums of every pre-aggregated count (PostgreSQL sums bigints as numeric: cast back).
fn figure_sums() -> String {
    MonthFigures::COLUMNS
        .iter()
        .map(|c| format!("cast(sum(x.{c}) as bigint) as {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, FromRow)]
pub struct SiteFiguresRow {
    pub site_id: i64,
    #[sqlx(flatten)]
    pub figures: MonthFigures,
}

/// The pre-aggregated counts of each site, summed over the months `from` to `to`
/// (`YYYY-MM`, both included).
pub async fn site_figures(
    conn: &mut AnyConnection,
    sites: &Sites,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<SiteFiguresRow>> {
    let n = sites.binds();
    let sql = format!(
        "select x.site_id, {} from site_month_figures x {SITE_JOIN}
          where x.month >= ${} and x.month <= ${} and {}
          group by x.site_id",
        figure_sums(),
        n + 1,
        n + 2,
        sites.condition(1)
    );
    sites
        .bind_as(sqlx::query_as(&sql))
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct MonthRow {
    pub month: String,
    #[sqlx(flatten)]
    pub figures: MonthFigures,
}

/// The pre-aggregated counts of the sites, summed per month from `from` (`YYYY-MM`) on.
pub async fn month_figures(
    conn: &mut AnyConnection,
    sites: &Sites,
    from: &str,
) -> sqlx::Result<Vec<MonthRow>> {
    let sql = format!(
        "select x.month, {} from site_month_figures x {SITE_JOIN}
          where x.month >= ${} and {}
          group by x.month",
        figure_sums(),
        sites.binds() + 1,
        sites.condition(1)
    );
    sites
        .bind_as(sqlx::query_as(&sql))
        .bind(from)
        .fetch_all(conn)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ClauseRow {
    pub template: String,
    pub clause: String,
    pub text: String,
    pub answered: i64,
    pub failed: i64,
    pub partial: i64,
}

/// Answers of audits submitted since `since` (RFC 3339), per checklist and clause: answered
/// (not "not applicable"), "no" and "partial"; most "no" first.
pub async fn failed_clauses(
    conn: &mut AnyConnection,
    since: &str,
    limit: i64,
) -> sqlx::Result<Vec<ClauseRow>> {
    sqlx::query_as(
        // The audits first (by submission date), then their answers by key, counted per item
        // before the items' clauses are joined: the other way round, SQLite reads every answer
        // ever given. (Sums of counts are cast back: PostgreSQL sums bigints as numeric.)
        "select t.code as template, ti.clause, min(ti.text) as text,
                cast(sum(g.answered) as bigint) as answered, cast(sum(g.failed) as bigint) as failed,
                cast(sum(g.partial) as bigint) as partial
           from (select a.item_id, count(*) as answered,
                        sum(case when a.answer = 'no' then 1 else 0 end) as failed,
                        sum(case when a.answer = 'partial' then 1 else 0 end) as partial
                   from audit_answers a
                  where a.audit_id in (select au.id from audits au
                                        where au.submitted_at >= $1
                                          and au.state in ('submitted', 'report_issued', 'closed'))
                    and a.answer <> 'not_applicable'
                  group by a.item_id) g
           join template_items ti on ti.id = g.item_id
           join checklist_templates t on t.id = ti.template_id
          group by t.code, ti.clause
         having sum(g.failed) > 0
          order by failed desc, t.code, ti.clause
          limit $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Monthly reports issued for the region: their periods.
pub async fn issued_periods(conn: &mut AnyConnection, region: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select period from issued_reports where kind = 'regional_monthly' and region_code = $1",
    )
    .bind(region)
    .fetch_all(conn)
    .await
}

/// One site by code, active or not: its row.
pub async fn site_by_code(conn: &mut AnyConnection, code: &str) -> sqlx::Result<Option<SiteRow>> {
    sqlx::query_as(
        "select st.id, st.code, st.name, st.timezone, co.region_code, rg.name as region_name,
                co.name as country
           from sites st join countries co on co.code = st.country_code
           join regions rg on rg.code = co.region_code
          where st.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct CapaDueRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub severity: String,
    pub state: String,
    pub due_date: String,
    pub owner_id: i64,
    pub owner: String,
}

/// A site's running CAPAs due on or before `until`, soonest first (at most `limit`), and how
/// many there are.
pub async fn capas_due(
    conn: &mut AnyConnection,
    site_id: i64,
    until: &str,
    limit: i64,
) -> sqlx::Result<(Vec<CapaDueRow>, i64)> {
    const WHERE: &str =
        "where c.site_id = $1 and c.state not in ('closed', 'rejected', 'cancelled')
            and c.due_date <= $2";
    let rows = sqlx::query_as(&format!(
        "select c.id, c.number, c.title, c.severity, c.state, c.due_date, c.owner_id,
                u.name as owner
           from capas c join users u on u.id = c.owner_id {WHERE}
          order by c.due_date, c.id limit $3"
    ))
    .bind(site_id)
    .bind(until)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar(&format!("select count(*) from capas c {WHERE}"))
        .bind(site_id)
        .bind(until)
        .fetch_one(conn)
        .await?;
    Ok((rows, total))
}

#[derive(Debug, Clone, FromRow)]
pub struct PendingAckRow {
    pub document_id: i64,
    pub code: String,
    pub title: String,
    pub version: i64,
    pub person: String,
    pub due_date: String,
}

/// A site's pending acknowledgements for current versions, earliest due first (at most
/// `limit`), and how many there are.
pub async fn pending_acks(
    conn: &mut AnyConnection,
    site_id: i64,
    limit: i64,
) -> sqlx::Result<(Vec<PendingAckRow>, i64)> {
    const FROM: &str = "from acknowledgements a
           join documents d on d.effective_version_id = a.version_id and d.status = 'effective'
          where a.site_id = $1 and a.status = 'pending'";
    const FROM_JOINED: &str = "from acknowledgements a
           join documents d on d.effective_version_id = a.version_id and d.status = 'effective'
           join document_versions v on v.id = a.version_id
           join users u on u.id = a.user_id
          where a.site_id = $1 and a.status = 'pending'";
    let rows = sqlx::query_as(&format!(
        "select a.document_id, d.code, d.title, v.number as version, u.name as person, a.due_date
           {FROM_JOINED}
          order by a.due_date, d.code, u.name limit $2"
    ))
    .bind(site_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar(&format!("select count(*) {FROM}"))
        .bind(site_id)
        .fetch_one(conn)
        .await?;
    Ok((rows, total))
}

#[derive(Debug, Clone, FromRow)]
pub struct DeadlineRow {
    pub event_id: i64,
    pub scheme: String,
    pub scheme_name: String,
    pub round: String,
    pub deadline: String,
    pub results_entered: i64,
}

/// Open rounds of the active schemes the site takes part in, nearest deadline first.
pub async fn pt_deadlines(
    conn: &mut AnyConnection,
    site_id: i64,
) -> sqlx::Result<Vec<DeadlineRow>> {
    sqlx::query_as(
        "select e.id as event_id, s.code as scheme, s.name as scheme_name, e.code as round,
                e.deadline,
                (select count(*) from pt_results r where r.event_id = e.id and r.site_id = $1)
                    as results_entered
           from pt_events e
           join pt_schemes s on s.id = e.scheme_id
           join pt_scheme_sites ss on ss.scheme_id = s.id and ss.site_id = $1
          where e.status = 'open' and s.status = 'active'
          order by e.deadline, s.code",
    )
    .bind(site_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct NextAuditRow {
    pub id: i64,
    pub planned_start: String,
    pub planned_end: String,
    pub audit_type: String,
    pub template: String,
    pub lead_auditor: String,
    pub state: String,
}

/// The site's running audit, else its earliest planned one.
pub async fn next_audit(
    conn: &mut AnyConnection,
    site_id: i64,
) -> sqlx::Result<Option<NextAuditRow>> {
    sqlx::query_as(
        "select a.id, a.planned_start, a.planned_end, a.audit_type, t.title as template,
                u.name as lead_auditor, a.state
           from audits a
           join checklist_templates t on t.id = a.template_id
           join users u on u.id = a.lead_auditor_id
          where a.site_id = $1 and a.state in ('planned', 'in_progress')
          order by case when a.state = 'in_progress' then 0 else 1 end, a.planned_start, a.id
          limit 1",
    )
    .bind(site_id)
    .fetch_optional(conn)
    .await
}

/// A site's z and z′ scores for events whose deadline is on or after `from` (`YYYY-MM-DD`):
/// deadline month and score.
pub async fn z_scores(
    conn: &mut AnyConnection,
    site_id: i64,
    from: &str,
) -> sqlx::Result<Vec<(String, f64)>> {
    sqlx::query_as(
        "select substr(e.deadline, 1, 7), r.score
           from pt_results r join pt_events e on e.id = r.event_id
          where r.site_id = $1 and e.deadline >= $2 and r.score is not null
            and r.score_kind in ('z', 'z_prime')",
    )
    .bind(site_id)
    .bind(from)
    .fetch_all(conn)
    .await
}

/// The colour thresholds: figure, good limit, warning limit.
pub async fn thresholds(conn: &mut AnyConnection) -> sqlx::Result<Vec<(String, f64, f64)>> {
    sqlx::query_as("select kpi, good, warning from dashboard_thresholds order by kpi")
        .fetch_all(conn)
        .await
}

pub async fn set_threshold(
    conn: &mut AnyConnection,
    kpi: &str,
    good: f64,
    warning: f64,
    by: i64,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update dashboard_thresholds set good = $2, warning = $3, updated_by = $4, updated_at = $5
          where kpi = $1",
    )
    .bind(kpi)
    .bind(good)
    .bind(warning)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}
