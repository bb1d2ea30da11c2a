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
