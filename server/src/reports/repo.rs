//! SQL for issued reports. Rows are inserted once and never updated.

use app::model::reports::IssuedReport;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
struct ReportRow {
    id: i64,
    reference: String,
    kind: String,
    audit_id: Option<i64>,
    site_code: Option<String>,
    site_name: Option<String>,
    region_code: Option<String>,
    period: Option<String>,
    file_name: String,
    sha256: String,
    size: i64,
    signer_name: String,
    certificate_subject: String,
    issued_at: String,
}

impl From<ReportRow> for IssuedReport {
    fn from(r: ReportRow) -> Self {
        IssuedReport {
            id: r.id,
            reference: r.reference,
            kind: r.kind,
            audit_id: r.audit_id,
            site_code: r.site_code,
            site_name: r.site_name,
            region_code: r.region_code,
            period: r.period,
            file_name: r.file_name,
            sha256: r.sha256,
            size: r.size,
            signer_name: r.signer_name,
            certificate_subject: r.certificate_subject,
            issued_at: r.issued_at,
        }
    }
}

const SELECT: &str = "select r.id, r.reference, r.kind, r.audit_id, s.code as site_code,
        s.name as site_name, r.region_code, r.period, r.file_name, r.sha256, r.size,
        r.signer_name, r.certificate_subject, r.issued_at
   from issued_reports r
   left join audits a on a.id = r.audit_id
   left join sites s on s.id = a.site_id";

pub async fn for_audit(
    conn: &mut AnyConnection,
    audit_id: i64,
) -> sqlx::Result<Option<IssuedReport>> {
    let row: Option<ReportRow> = sqlx::query_as(&format!("{SELECT} where r.audit_id = $1"))
        .bind(audit_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn by_sha256(
    conn: &mut AnyConnection,
    sha256: &str,
) -> sqlx::Result<Option<IssuedReport>> {
    let row: Option<ReportRow> = sqlx::query_as(&format!("{SELECT} where r.sha256 = $1"))
        .bind(sha256)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

/// The stored bytes of an audit's report.
pub async fn content_for_audit(
    conn: &mut AnyConnection,
    audit_id: i64,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as("select file_name, content from issued_reports where audit_id = $1")
        .bind(audit_id)
        .fetch_optional(conn)
        .await
}

/// A report to store.
pub struct NewReport<'a> {
    pub kind: &'static str,
    pub audit_id: Option<i64>,
    pub region_code: Option<&'a str>,
    pub period: Option<&'a str>,
    pub reference: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub signature_id: Option<i64>,
    pub signer_name: &'a str,
    pub certificate_subject: &'a str,
    pub issued_at: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, report: &NewReport<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into issued_reports (kind, audit_id, region_code, period, reference, file_name,
                sha256, size, content, signature_id, signer_name, certificate_subject, issued_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
    )
    .bind(report.kind)
    .bind(report.audit_id)
    .bind(report.region_code)
    .bind(report.period)
    .bind(report.reference)
    .bind(report.file_name)
    .bind(report.sha256)
    .bind(report.content.len() as i64)
    .bind(report.content)
    .bind(report.signature_id)
    .bind(report.signer_name)
    .bind(report.certificate_subject)
    .bind(report.issued_at)
    .fetch_one(conn)
    .await
}

/// A site's address line: city and country.
pub async fn site_address(conn: &mut AnyConnection, site_code: &str) -> sqlx::Result<String> {
    let row: Option<(String, String)> = sqlx::query_as(
        "select s.city, c.name from sites s join countries c on c.code = s.country_code
          where s.code = $1",
    )
    .bind(site_code)
    .fetch_optional(conn)
    .await?;
    Ok(row
        .map(|(city, country)| format!("{city}, {country}"))
        .unwrap_or_default())
}

/// A region's code and name.
pub async fn region(
    conn: &mut AnyConnection,
    code: &str,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("select code, name from regions where code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// Every region's code.
pub async fn region_codes(conn: &mut AnyConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("select code from regions order by code")
        .fetch_all(conn)
        .await
}

const IN_REGION: &str = "join sites st on st.id = x.site_id
   join countries co on co.code = st.country_code
  where co.region_code = $1";

/// The active sites of a region: id, code, name.
pub async fn region_sites(
    conn: &mut AnyConnection,
    region: &str,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "select s.id, s.code, s.name from sites s join countries co on co.code = s.country_code
          where co.region_code = $1 and s.status = 'active' order by s.code",
    )
    .bind(region)
    .fetch_all(conn)
    .await
}

/// Submitted audits of a region before `before` (RFC 3339), newest first: site, submission
/// time, points, applicable points.
pub async fn audits_before(
    conn: &mut AnyConnection,
    region: &str,
    before: &str,
) -> sqlx::Result<Vec<(i64, String, Option<i64>, Option<i64>)>> {
    sqlx::query_as(&format!(
        "select x.site_id, x.submitted_at, x.score_points, x.score_applicable
           from audits x {IN_REGION}
            and x.state in ('submitted', 'report_issued', 'closed') and x.submitted_at < $2
          order by x.submitted_at desc"
    ))
    .bind(region)
    .bind(before)
    .fetch_all(conn)
    .await
}

/// CAPAs of a region open at the end of `day`: site, opened on, due date.
pub async fn capas_open_on(
    conn: &mut AnyConnection,
    region: &str,
    day: &str,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(&format!(
        "select x.site_id, x.opened_on, x.due_date from capas x {IN_REGION}
            and x.opened_on <= $2 and (x.ended_on is null or x.ended_on > $2)
            and x.state <> 'cancelled'"
    ))
    .bind(region)
    .bind(day)
    .fetch_all(conn)
    .await
}

/// Per site of a region, PT results scored for events whose deadline falls in [`from`, `to`]:
/// satisfactory and all scored.
pub async fn pt_results_between(
    conn: &mut AnyConnection,
    region: &str,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(&format!(
        "select x.site_id,
                coalesce(sum(case when x.verdict = 'satisfactory' then 1 else 0 end), 0),
                count(*)
           from pt_results x join pt_events e on e.id = x.event_id {IN_REGION}
            and x.verdict in ('satisfactory', 'questionable', 'unsatisfactory')
            and e.deadline >= $2 and e.deadline <= $3
          group by x.site_id"
    ))
    .bind(region)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Per site of a region, for events whose deadline falls in [`from`, `to`]: events scored
/// unsatisfactory and events at which participation was unsuccessful.
pub async fn pt_events_between(
    conn: &mut AnyConnection,
    region: &str,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(&format!(
        "select x.site_id,
                coalesce(sum(case when x.verdict = 'unsatisfactory' then 1 else 0 end), 0),
                coalesce(sum(case when x.unsuccessful <> 0 then 1 else 0 end), 0)
           from pt_event_scores x join pt_events e on e.id = x.event_id {IN_REGION}
            and e.deadline >= $2 and e.deadline <= $3
          group by x.site_id"
    ))
    .bind(region)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The stored bytes of a region's monthly report.
pub async fn content_for_region(
    conn: &mut AnyConnection,
    region: &str,
    period: &str,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as(
        "select file_name, content from issued_reports
          where kind = 'regional_monthly' and region_code = $1 and period = $2",
    )
    .bind(region)
    .bind(period)
    .fetch_optional(conn)
    .await
}

pub async fn for_region(
    conn: &mut AnyConnection,
    region: &str,
    period: &str,
) -> sqlx::Result<Option<IssuedReport>> {
    let row: Option<ReportRow> = sqlx::query_as(&format!(
        "{SELECT} where r.kind = 'regional_monthly' and r.region_code = $1 and r.period = $2"
    ))
    .bind(region)
    .bind(period)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}
