//! SQL for CAPAs, their actions, checks, comments and attachments, the due-days setting, and
//! the reads the CAPA pages need from elsewhere (the source finding, follow-up data, the
//! timeline from the audit trail).

use app::model::capa::{
    CapaAction, CapaAttachment, CapaComment, DueDays, EffectivenessCheck, Verdict,
};
use app::model::documents::Person;
use sqlx::{AnyConnection, FromRow};

/// Every column of a CAPA with the names the pages show.
const SELECT_CAPAS: &str = "
    select c.id, c.number, c.site_id, s.code as site_code, s.name as site_name,
           co.region_code, s.timezone, c.title, c.description, c.source, c.source_ref,
           c.source_key, c.finding_id, c.severity, c.owner_id, o.name as owner_name, c.state,
           c.opened_on, c.due_date, c.containment, c.containment_at, c.root_cause_json,
           c.root_cause_at, c.plan_submitted_at, c.plan_approved_by,
           a.name as plan_approved_by_name, c.plan_approved_at, c.plan_return_reason,
           c.implementation_started_at, c.implemented_on, c.effectiveness_due, c.reopened,
           c.reopened_at, c.ended_on, c.end_reason, c.closed_at, c.closure_signature_id,
           c.created_by, cb.name as created_by_name, c.created_at
      from capas c
      join sites s on s.id = c.site_id
      join countries co on co.code = s.country_code
      join users o on o.id = c.owner_id
      join users cb on cb.id = c.created_by
      left join users a on a.id = c.plan_approved_by";

#[derive(Debug, Clone, FromRow)]
pub struct CapaRow {
    pub id: i64,
    pub number: String,
    pub site_id: i64,
    pub site_code: String,
    pub site_name: String,
    pub region_code: String,
    pub timezone: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub source_ref: String,
    pub source_key: Option<String>,
    pub finding_id: Option<i64>,
    pub severity: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub state: String,
    pub opened_on: String,
    pub due_date: String,
    pub containment: String,
    pub containment_at: Option<String>,
    pub root_cause_json: Option<String>,
    pub root_cause_at: Option<String>,
    pub plan_submitted_at: Option<String>,
    pub plan_approved_by: Option<i64>,
    pub plan_approved_by_name: Option<String>,
    pub plan_approved_at: Option<String>,
    pub plan_return_reason: Option<String>,
    pub implementation_started_at: Option<String>,
    pub implemented_on: Option<String>,
    pub effectiveness_due: Option<String>,
    pub reopened: i64,
    pub reopened_at: Option<String>,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
    pub closed_at: Option<String>,
    pub closure_signature_id: Option<i64>,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: String,
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<CapaRow>> {
    sqlx::query_as(&format!("{SELECT_CAPAS} where c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Locks the CAPA's row (PostgreSQL only: SQLite has one writer) so changes to one CAPA run
/// in turn.
pub async fn lock(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("select id from capas where id = $1 for update")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// A page of CAPAs: `conditions` are SQL over the columns of [`SELECT_CAPAS`] with text binds
/// `$1…` in order.
pub async fn page(
    conn: &mut AnyConnection,
    conditions: &[String],
    binds: &[String],
    order_by: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<CapaRow>, i64)> {
    let select = if conditions.is_empty() {
        SELECT_CAPAS.to_string()
    } else {
        format!("{SELECT_CAPAS} where {}", conditions.join(" and "))
    };
    crate::db::page_of(conn, &select, binds, order_by, limit, offset).await
}

/// The time zones of the sites, for "today" per site in list filters.
pub async fn site_timezones(conn: &mut AnyConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("select distinct timezone from sites order by timezone")
        .fetch_all(conn)
        .await
}

/// The next number of the year, claimed in the caller's transaction.
pub async fn next_number(conn: &mut AnyConnection, year: i32) -> sqlx::Result<(i64, String)> {
    let seq: i64 = sqlx::query_scalar(
        "insert into capa_counters (year, last) values ($1, 1)
         on conflict (year) do update set last = capa_counters.last + 1
         returning last",
    )
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    Ok((seq, format!("CAPA-{year}-{seq:04}")))
}

/// What a new CAPA row holds.
pub struct NewRow<'a> {
    pub year: i32,
    pub seq: i64,
    pub number: &'a str,
    pub site_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub source: &'a str,
    pub source_ref: &'a str,
    pub source_key: Option<&'a str>,
    pub finding_id: Option<i64>,
    pub severity: &'a str,
    pub owner_id: i64,
    pub state: &'a str,
    pub opened_on: &'a str,
    pub due_date: &'a str,
    pub created_by: i64,
    pub now: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, row: &NewRow<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into capas (year, seq, number, site_id, title, description, source, source_ref,
             source_key, finding_id, severity, owner_id, state, opened_on, due_date, created_by,
             created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
         returning id",
    )
    .bind(i64::from(row.year))
    .bind(row.seq)
    .bind(row.number)
    .bind(row.site_id)
    .bind(row.title)
    .bind(row.description)
    .bind(row.source)
    .bind(row.source_ref)
    .bind(row.source_key)
    .bind(row.finding_id)
    .bind(row.severity)
    .bind(row.owner_id)
    .bind(row.state)
    .bind(row.opened_on)
    .bind(row.due_date)
    .bind(row.created_by)
    .bind(row.now)
    .fetch_one(conn)
    .await
}

/// Writes every changeable column of the row back (the service changes the row in memory
/// after its checks, then saves it once).
pub async fn save(conn: &mut AnyConnection, row: &CapaRow, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update capas set title = $2, description = $3, owner_id = $4, state = $5, due_date = $6,
             containment = $7, containment_at = $8, root_cause_json = $9, root_cause_at = $10,
             plan_submitted_at = $11, plan_approved_by = $12, plan_approved_at = $13,
             plan_return_reason = $14, implementation_started_at = $15, implemented_on = $16,
             effectiveness_due = $17, reopened = $18, reopened_at = $19, ended_on = $20,
             end_reason = $21, closed_at = $22, closure_signature_id = $23, updated_at = $24
         where id = $1",
    )
    .bind(row.id)
    .bind(&row.title)
    .bind(&row.description)
    .bind(row.owner_id)
    .bind(&row.state)
    .bind(&row.due_date)
    .bind(&row.containment)
    .bind(&row.containment_at)
    .bind(&row.root_cause_json)
    .bind(&row.root_cause_at)
    .bind(&row.plan_submitted_at)
    .bind(row.plan_approved_by)
    .bind(&row.plan_approved_at)
    .bind(&row.plan_return_reason)
    .bind(&row.implementation_started_at)
    .bind(&row.implemented_on)
    .bind(&row.effectiveness_due)
    .bind(row.reopened)
    .bind(&row.reopened_at)
    .bind(&row.ended_on)
    .bind(&row.end_reason)
    .bind(&row.closed_at)
    .bind(row.closure_signature_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a live (not cancelled) CAPA already exists for the source record.
pub async fn live_for_source(conn: &mut AnyConnection, key: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select number from capas where source_key = $1 and state <> 'cancelled'")
        .bind(key)
        .fetch_optional(conn)
        .await
}

// ---------------------------------------------------------------- people

/// The site's id, region and time zone by code (active sites only).
pub async fn site(
    conn: &mut AnyConnection,
    code: &str,
) -> sqlx::Result<Option<(i64, String, String)>> {
    sqlx::query_as(
        "select s.id, c.region_code, s.timezone from sites s join countries c on c.code = s.country_code
          where s.code = $1 and s.status = 'active'",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// The site's lead (the first active one by name), who owns its CAPAs by default.
pub async fn site_lead(conn: &mut AnyConnection, site_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "select id from users where site_id = $1 and role = 'site_lead' and active = 1
          order by name limit 1",
    )
    .bind(site_id)
    .fetch_optional(conn)
    .await
}

/// Active people who may own a CAPA or an action of the site: its lead, and the quality
/// officers and regional managers whose scope reaches it.
pub async fn assignees(
    conn: &mut AnyConnection,
    site_id: i64,
    region: &str,
) -> sqlx::Result<Vec<Person>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "select id, name from users
          where active = 1
            and ((role = 'site_lead' and site_id = $1)
              or (role = 'quality_officer' and (region_code is null or region_code = $2))
              or (role = 'regional_manager' and region_code = $2))
          order by case role when 'site_lead' then 0 else 1 end, name",
    )
    .bind(site_id)
    .bind(region)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Person { id, name })
        .collect())
}

// ---------------------------------------------------------------- the source finding

#[derive(Debug, Clone, FromRow)]
pub struct FindingSourceRow {
    pub finding_id: i64,
    pub audit_id: i64,
    pub number: i64,
    pub item_id: Option<i64>,
    pub severity: String,
    pub clause: String,
    pub description: String,
    pub evidence: String,
    pub status: String,
    pub site_code: String,
    pub region_code: String,
    pub audit_state: String,
    pub template_code: String,
    pub template_title: String,
    pub planned_start: String,
    pub item_text: Option<String>,
}

pub async fn finding_source(
    conn: &mut AnyConnection,
    finding_id: i64,
) -> sqlx::Result<Option<FindingSourceRow>> {
    sqlx::query_as(
        "select f.id as finding_id, f.audit_id, f.number, f.item_id, f.severity, f.clause,
                f.description, f.evidence, f.status, s.code as site_code, co.region_code,
                a.state as audit_state, t.code as template_code, t.title as template_title,
                a.planned_start, i.text as item_text
           from findings f
           join audits a on a.id = f.audit_id
           join sites s on s.id = a.site_id
           join countries co on co.code = s.country_code
           join checklist_templates t on t.id = a.template_id
           left join template_items i on i.id = f.item_id
          where f.id = $1",
    )
    .bind(finding_id)
    .fetch_optional(conn)
    .await
}

/// The answers given to the same checklist item (same template code and item text) at the
/// site in audits submitted on or after `since`: (audit id, planned start, answer).
pub async fn later_answers(
    conn: &mut AnyConnection,
    site_code: &str,
    template_code: &str,
    item_text: &str,
    since: &str,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "select a.id, a.planned_start, an.answer
           from audits a
           join sites s on s.id = a.site_id
           join checklist_templates t on t.id = a.template_id
           join template_items i on i.template_id = t.id
           join audit_answers an on an.audit_id = a.id and an.item_id = i.id
          where s.code = $1 and t.code = $2 and i.text = $3
            and a.state in ('submitted', 'report_issued', 'closed') and a.submitted_at >= $4
          order by a.planned_start limit 3",
    )
    .bind(site_code)
    .bind(template_code)
    .bind(item_text)
    .bind(since)
    .fetch_all(conn)
    .await
}

/// Laboratory PT event scores of the site on or after `since`: (date, label, percent).
pub async fn later_pt_scores(
    conn: &mut AnyConnection,
    site_id: i64,
    since: &str,
) -> sqlx::Result<Vec<(String, String, f64)>> {
    sqlx::query_as(
        "select e.deadline, sc.name || ' ' || e.code, x.score_percent from pt_event_scores x
           join pt_events e on e.id = x.event_id join pt_schemes sc on sc.id = e.scheme_id
          where x.site_id = $1 and e.deadline >= $2 and sc.discipline <> 'cxr_qc'
            and x.score_percent is not null
          order by e.deadline limit 3",
    )
    .bind(site_id)
    .bind(since)
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------- actions

#[derive(Debug, Clone, FromRow)]
pub struct ActionRow {
    pub id: i64,
    pub capa_id: i64,
    pub number: i64,
    pub description: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_date: String,
    pub status: String,
    pub justification: String,
    pub completed_at: Option<String>,
}

impl ActionRow {
    pub fn action(&self, overdue: bool) -> CapaAction {
        CapaAction {
            id: self.id,
            number: self.number,
            description: self.description.clone(),
            owner: Person {
                id: self.owner_id,
                name: self.owner_name.clone(),
            },
            due_date: self.due_date.clone(),
            status: app::model::capa::ActionStatus::parse(&self.status)
                .unwrap_or(app::model::capa::ActionStatus::Planned),
            justification: self.justification.clone(),
            overdue,
            completed_at: self.completed_at.clone(),
        }
    }
}

const SELECT_ACTIONS: &str = "
    select x.id, x.capa_id, x.number, x.description, x.owner_id, u.name as owner_name, x.due_date,
           x.status, x.justification, x.completed_at
      from capa_actions x join users u on u.id = x.owner_id";

pub async fn actions(conn: &mut AnyConnection, capa_id: i64) -> sqlx::Result<Vec<ActionRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ACTIONS} where x.capa_id = $1 order by x.number"
    ))
    .bind(capa_id)
    .fetch_all(conn)
    .await
}

pub async fn action(
    conn: &mut AnyConnection,
    capa_id: i64,
    id: i64,
) -> sqlx::Result<Option<ActionRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ACTIONS} where x.capa_id = $1 and x.id = $2"
    ))
    .bind(capa_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_action(
    conn: &mut AnyConnection,
    capa_id: i64,
    description: &str,
    owner_id: i64,
    due_date: &str,
    justification: &str,
    created_by: i64,
    now: &str,
) -> sqlx::Result<i64> {
    let number: i64 = sqlx::query_scalar(
        "select cast(coalesce(max(number), 0) + 1 as bigint) from capa_actions where capa_id = $1",
    )
    .bind(capa_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "insert into capa_actions (capa_id, number, description, owner_id, due_date, status,
             justification, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, 'planned', $6, $7, $8, $8) returning id",
    )
    .bind(capa_id)
    .bind(number)
    .bind(description)
    .bind(owner_id)
    .bind(due_date)
    .bind(justification)
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn save_action(conn: &mut AnyConnection, row: &ActionRow, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update capa_actions set description = $2, owner_id = $3, due_date = $4, status = $5,
             justification = $6, completed_at = $7, updated_at = $8
         where id = $1",
    )
    .bind(row.id)
    .bind(&row.description)
    .bind(row.owner_id)
    .bind(&row.due_date)
    .bind(&row.status)
    .bind(&row.justification)
    .bind(&row.completed_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- checks, comments, files

pub async fn checks(
    conn: &mut AnyConnection,
    capa_id: i64,
) -> sqlx::Result<Vec<EffectivenessCheck>> {
    let rows: Vec<(i64, String, String, i64, String, String)> = sqlx::query_as(
        "select k.id, k.verdict, k.evidence, k.checked_by, u.name, k.checked_at
           from capa_checks k join users u on u.id = k.checked_by
          where k.capa_id = $1 order by k.id",
    )
    .bind(capa_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, verdict, evidence, by, name, at)| EffectivenessCheck {
            id,
            verdict: Verdict::parse(&verdict).unwrap_or(Verdict::Ineffective),
            evidence,
            checked_by: Person { id: by, name },
            checked_at: at,
        })
        .collect())
}

pub async fn insert_check(
    conn: &mut AnyConnection,
    capa_id: i64,
    verdict: Verdict,
    evidence: &str,
    checked_by: i64,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into capa_checks (capa_id, verdict, evidence, checked_by, checked_at)
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(capa_id)
    .bind(verdict.as_str())
    .bind(evidence)
    .bind(checked_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn comments(conn: &mut AnyConnection, capa_id: i64) -> sqlx::Result<Vec<CapaComment>> {
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "select k.id, k.author_id, u.name, k.body, k.created_at
           from capa_comments k join users u on u.id = k.author_id
          where k.capa_id = $1 order by k.id",
    )
    .bind(capa_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, author, name, body, at)| CapaComment {
            id,
            author: Person { id: author, name },
            body,
            created_at: at,
        })
        .collect())
}

pub async fn insert_comment(
    conn: &mut AnyConnection,
    capa_id: i64,
    body: &str,
    author: i64,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into capa_comments (capa_id, body, author_id, created_at)
         values ($1, $2, $3, $4) returning id",
    )
    .bind(capa_id)
    .bind(body)
    .bind(author)
    .bind(now)
    .fetch_one(conn)
    .await
}

#[derive(Debug, FromRow)]
struct AttachmentRow {
    id: i64,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    uploaded_by: i64,
    uploader_name: String,
    uploaded_at: String,
}

pub async fn attachments(
    conn: &mut AnyConnection,
    capa_id: i64,
) -> sqlx::Result<Vec<CapaAttachment>> {
    let rows: Vec<AttachmentRow> = sqlx::query_as(
        "select k.id, k.file_name, k.media_type, k.size, k.sha256, k.uploaded_by,
                u.name as uploader_name, k.uploaded_at
           from capa_attachments k join users u on u.id = k.uploaded_by
          where k.capa_id = $1 order by k.id",
    )
    .bind(capa_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CapaAttachment {
            id: r.id,
            file_name: r.file_name,
            media_type: r.media_type,
            size: r.size,
            sha256: r.sha256,
            uploaded_by: Person {
                id: r.uploaded_by,
                name: r.uploader_name,
            },
            uploaded_at: r.uploaded_at,
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_attachment(
    conn: &mut AnyConnection,
    capa_id: i64,
    name: &str,
    media_type: &str,
    sha256: &str,
    bytes: &[u8],
    uploaded_by: i64,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into capa_attachments (capa_id, file_name, media_type, size, sha256, content,
             uploaded_by, uploaded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(capa_id)
    .bind(name)
    .bind(media_type)
    .bind(bytes.len() as i64)
    .bind(sha256)
    .bind(bytes.to_vec())
    .bind(uploaded_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// One attachment with its bytes: (name, media type, bytes).
pub async fn attachment_file(
    conn: &mut AnyConnection,
    capa_id: i64,
    id: i64,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    sqlx::query_as(
        "select file_name, media_type, content from capa_attachments where capa_id = $1 and id = $2",
    )
    .bind(capa_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

// ---------------------------------------------------------------- signature, timeline, settings

/// The closing signature: (signer id, signer name, signed at, meaning).
pub async fn signature(
    conn: &mut AnyConnection,
    id: i64,
) -> sqlx::Result<Option<(i64, String, String, String)>> {
    sqlx::query_as(
        "select g.signer_id, u.name, g.signed_at, g.meaning
           from signatures g join users u on u.id = g.signer_id where g.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The audit-trail entries of the CAPA, oldest first: (at, actor, action, after JSON).
pub async fn trail(
    conn: &mut AnyConnection,
    capa_id: i64,
) -> sqlx::Result<Vec<(String, String, String, Option<String>)>> {
    sqlx::query_as(
        "select t.at, coalesce(u.name, t.actor_email, 'system'), t.action, t.after_json
           from audit_trail t left join users u on u.id = t.actor_id
          where t.entity_type = 'capa' and t.entity_id = $1 order by t.id",
    )
    .bind(capa_id.to_string())
    .fetch_all(conn)
    .await
}

pub async fn due_days(conn: &mut AnyConnection) -> sqlx::Result<DueDays> {
    let rows: Vec<(String, i64)> = sqlx::query_as("select severity, days from capa_due_days")
        .fetch_all(conn)
        .await?;
    let mut days = DueDays::default();
    for (severity, value) in rows {
        match severity.as_str() {
            "critical" => days.critical = value,
            "major" => days.major = value,
            "minor" => days.minor = value,
            _ => {}
        }
    }
    Ok(days)
}

pub async fn save_due_days(
    conn: &mut AnyConnection,
    days: &DueDays,
    by: i64,
    now: &str,
) -> sqlx::Result<()> {
    for (severity, value) in [
        ("critical", days.critical),
        ("major", days.major),
        ("minor", days.minor),
    ] {
        sqlx::query(
            "update capa_due_days set days = $2, updated_by = $3, updated_at = $4 where severity = $1",
        )
        .bind(severity)
        .bind(value)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
