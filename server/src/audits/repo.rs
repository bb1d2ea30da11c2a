//! SQL for checklist templates, audits, answers, evidence, findings and the PT scores the gate
//! reads.

use app::model::audits::{
    Answer, AuditState, AuditSummary, AuditType, Evidence, Finding, ItemAnswer, Severity,
    TemplateItem, TemplateSection, TemplateSummary,
};
use app::model::capa::{CapaLink, CapaState};
use app::model::documents::Person;
use sqlx::{AnyConnection, FromRow};

use crate::auth::policy::ScopeFilter;

// ---------------------------------------------------------------- templates

const SELECT_TEMPLATES: &str = "
    select t.id, t.code, t.version, t.title, t.kind, t.scoring,
           (select count(*) from template_sections x where x.template_id = t.id) as sections,
           (select count(*) from template_items x where x.template_id = t.id) as items,
           (select count(*) from audits x where x.template_id = t.id) as audits,
           case when t.version = (select max(v.version) from checklist_templates v where v.code = t.code)
                then 1 else 0 end as latest
      from checklist_templates t";

#[derive(Debug, Clone, FromRow)]
pub struct TemplateRow {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub title: String,
    pub kind: String,
    pub scoring: String,
    pub sections: i64,
    pub items: i64,
    pub audits: i64,
    pub latest: i64,
}

impl TemplateRow {
    pub fn summary(&self) -> TemplateSummary {
        TemplateSummary {
            id: self.id,
            code: self.code.clone(),
            version: self.version,
            title: self.title.clone(),
            kind: self.kind.clone(),
            section_count: self.sections,
            item_count: self.items,
            audit_count: self.audits,
            latest: self.latest != 0,
        }
    }
}

pub async fn templates(conn: &mut AnyConnection) -> sqlx::Result<Vec<TemplateRow>> {
    sqlx::query_as(&format!(
        "{SELECT_TEMPLATES} order by t.code, t.version desc"
    ))
    .fetch_all(conn)
    .await
}

pub async fn template(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<TemplateRow>> {
    sqlx::query_as(&format!("{SELECT_TEMPLATES} where t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn latest_version(conn: &mut AnyConnection, code: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select max(version) from checklist_templates where code = $1")
        .bind(code)
        .fetch_one(conn)
        .await
}

/// The latest version's id of each template code, by code.
pub async fn latest_template_id(conn: &mut AnyConnection, code: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "select id from checklist_templates where code = $1 order by version desc limit 1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_template(
    conn: &mut AnyConnection,
    code: &str,
    version: i64,
    title: &str,
    kind: &str,
    scoring: &str,
    created_by: Option<i64>,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into checklist_templates (code, version, title, kind, scoring, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(code)
    .bind(version)
    .bind(title)
    .bind(kind)
    .bind(scoring)
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn insert_section(
    conn: &mut AnyConnection,
    template_id: i64,
    position: i64,
    title: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into template_sections (template_id, position, title) values ($1, $2, $3) returning id",
    )
    .bind(template_id)
    .bind(position)
    .bind(title)
    .fetch_one(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_item(
    conn: &mut AnyConnection,
    template_id: i64,
    section_id: i64,
    position: i64,
    text: &str,
    weight: i64,
    clause: &str,
    guidance: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into template_items (template_id, section_id, position, text, weight, clause, guidance)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(template_id)
    .bind(section_id)
    .bind(position)
    .bind(text)
    .bind(weight)
    .bind(clause)
    .bind(guidance)
    .fetch_one(conn)
    .await
}

#[derive(FromRow)]
struct StructureRow {
    section_id: i64,
    section_title: String,
    item_id: i64,
    text: String,
    weight: i64,
    clause: String,
    guidance: String,
}

/// A template's sections with their items, in order.
pub async fn structure(
    conn: &mut AnyConnection,
    template_id: i64,
) -> sqlx::Result<Vec<TemplateSection>> {
    let rows: Vec<StructureRow> = sqlx::query_as(
        "select s.id as section_id, s.title as section_title, i.id as item_id, i.text, i.weight,
                i.clause, i.guidance
           from template_sections s join template_items i on i.section_id = s.id
          where s.template_id = $1
          order by s.position, i.position",
    )
    .bind(template_id)
    .fetch_all(conn)
    .await?;
    let mut sections: Vec<TemplateSection> = Vec::new();
    for row in rows {
        if sections
            .last()
            .map(|s| s.id != row.section_id)
            .unwrap_or(true)
        {
            sections.push(TemplateSection {
                id: row.section_id,
                title: row.section_title.clone(),
                items: Vec::new(),
            });
        }
        if let Some(section) = sections.last_mut() {
            section.items.push(TemplateItem {
                id: row.item_id,
                text: row.text,
                weight: row.weight,
                clause: row.clause,
                guidance: row.guidance,
            });
        }
    }
    Ok(sections)
}

// ---------------------------------------------------------------- audits

const SELECT_AUDITS: &str = "
    select a.id, a.site_id, s.code as site_code, s.name as site_name, c.region_code as region_code,
           a.template_id, t.code as template_code, t.version as template_version,
           t.title as template_title, t.kind as template_kind, a.audit_type, a.planned_start,
           a.planned_end, a.lead_auditor_id, u.name as lead_name, a.state, a.score_points,
           a.score_applicable, a.scope, a.started_at, a.submitted_at, a.cancel_reason,
           (select count(*) from findings f where f.audit_id = a.id and f.status = 'open') as findings
      from audits a
      join sites s on s.id = a.site_id
      join countries c on c.code = s.country_code
      join checklist_templates t on t.id = a.template_id
      join users u on u.id = a.lead_auditor_id";

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub site_id: i64,
    pub site_code: String,
    pub site_name: String,
    pub region_code: String,
    pub template_id: i64,
    pub template_code: String,
    pub template_version: i64,
    pub template_title: String,
    pub template_kind: String,
    pub audit_type: String,
    pub planned_start: String,
    pub planned_end: String,
    pub lead_auditor_id: i64,
    pub lead_name: String,
    pub state: String,
    pub score_points: Option<i64>,
    pub score_applicable: Option<i64>,
    pub scope: String,
    pub started_at: Option<String>,
    pub submitted_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub findings: i64,
}

impl AuditRow {
    pub fn state(&self) -> AuditState {
        AuditState::parse(&self.state).unwrap_or(AuditState::Planned)
    }

    pub fn summary(&self, percent: Option<f64>, stars: Option<u8>) -> AuditSummary {
        AuditSummary {
            id: self.id,
            site_code: self.site_code.clone(),
            site_name: self.site_name.clone(),
            region_code: self.region_code.clone(),
            template_id: self.template_id,
            template_code: self.template_code.clone(),
            template_version: self.template_version,
            template_title: self.template_title.clone(),
            audit_type: AuditType::parse(&self.audit_type).unwrap_or(AuditType::Internal),
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            lead_auditor: Person {
                id: self.lead_auditor_id,
                name: self.lead_name.clone(),
            },
            state: self.state(),
            percent,
            stars,
            open_findings: self.findings,
        }
    }
}

/// The register's filters, checked, as SQL text values.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub scope: Option<ScopeFilter>,
    pub site: Option<String>,
    pub region: Option<String>,
    pub state: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub failed_item: Option<String>,
    pub ascending: bool,
}

pub async fn list(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<AuditRow>, i64)> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let bind = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        binds.len()
    };
    if let Some(scope) = &filter.scope {
        let k = bind(scope.kind.to_string(), &mut binds);
        bind(scope.code.clone(), &mut binds);
        conditions.push(ScopeFilter::sql("c.region_code", "s.code", k));
    }
    for (value, column, op) in [
        (&filter.site, "s.code", "="),
        (&filter.region, "c.region_code", "="),
        (&filter.state, "a.state", "="),
        (&filter.from, "a.planned_start", ">="),
        (&filter.to, "a.planned_start", "<"),
    ] {
        if let Some(value) = value {
            let k = bind(value.clone(), &mut binds);
            conditions.push(format!("{column} {op} ${k}"));
        }
    }
    if let Some(text) = &filter.failed_item {
        let k = bind(text.clone(), &mut binds);
        conditions.push(format!(
            "exists (select 1 from audit_answers aa join template_items i on i.id = aa.item_id
                      where aa.audit_id = a.id and aa.answer in ('no', 'partial') and i.text = ${k})"
        ));
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" where {}", conditions.join(" and "))
    };
    let order = if filter.ascending {
        "a.planned_start, s.code, a.id"
    } else {
        "a.planned_start desc, s.code, a.id"
    };
    crate::db::page_of(
        conn,
        &format!("{SELECT_AUDITS}{where_clause}"),
        &binds,
        order,
        limit,
        offset,
    )
    .await
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<AuditRow>> {
    sqlx::query_as(&format!("{SELECT_AUDITS} where a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A new audit's stored fields.
pub struct NewAuditRow<'a> {
    pub site_id: i64,
    pub template_id: i64,
    pub audit_type: &'a str,
    pub planned_start: &'a str,
    pub planned_end: &'a str,
    pub lead_auditor_id: i64,
    pub scope: &'a str,
    pub created_by: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    audit: &NewAuditRow<'_>,
    state: &str,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into audits (site_id, template_id, audit_type, planned_start, planned_end,
             lead_auditor_id, scope, state, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id",
    )
    .bind(audit.site_id)
    .bind(audit.template_id)
    .bind(audit.audit_type)
    .bind(audit.planned_start)
    .bind(audit.planned_end)
    .bind(audit.lead_auditor_id)
    .bind(audit.scope)
    .bind(state)
    .bind(audit.created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn add_team_member(
    conn: &mut AnyConnection,
    audit_id: i64,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("insert into audit_team (audit_id, user_id) values ($1, $2) on conflict do nothing")
        .bind(audit_id)
        .bind(user_id)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn team(conn: &mut AnyConnection, audit_id: i64) -> sqlx::Result<Vec<Person>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "select u.id, u.name from audit_team t join users u on u.id = t.user_id
          where t.audit_id = $1 order by u.name",
    )
    .bind(audit_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Person { id, name })
        .collect())
}

/// Moves an audit to `to` if it is still in `from`; `stamp` names the timestamp column to set.
pub async fn move_state(
    conn: &mut AnyConnection,
    id: i64,
    from: AuditState,
    to: AuditState,
    now: &str,
) -> sqlx::Result<bool> {
    let stamp = match to {
        AuditState::InProgress => ", started_at = $1",
        AuditState::Submitted => ", submitted_at = $1",
        AuditState::ReportIssued => ", report_issued_at = $1",
        AuditState::Closed => ", closed_at = $1",
        AuditState::Cancelled => ", cancelled_at = $1",
        AuditState::Planned => "",
    };
    let done = sqlx::query(&format!(
        "update audits set state = $2, updated_at = $1{stamp} where id = $3 and state = $4"
    ))
    .bind(now)
    .bind(to.as_str())
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_cancel_reason(
    conn: &mut AnyConnection,
    id: i64,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query("update audits set cancel_reason = $1 where id = $2")
        .bind(reason)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn set_score(
    conn: &mut AnyConnection,
    id: i64,
    points: i64,
    applicable: i64,
) -> sqlx::Result<()> {
    sqlx::query("update audits set score_points = $1, score_applicable = $2 where id = $3")
        .bind(points)
        .bind(applicable)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------- answers

#[derive(Debug, Clone, FromRow)]
pub struct AnswerRow {
    pub item_id: i64,
    pub answer: String,
    pub notes: String,
    pub revision: i64,
    pub answered_by: i64,
    pub answered_by_name: String,
    pub answered_at: String,
}

impl AnswerRow {
    pub fn answer(&self) -> Option<Answer> {
        Answer::parse(&self.answer)
    }

    pub fn item_answer(&self) -> ItemAnswer {
        ItemAnswer {
            item_id: self.item_id,
            answer: self.answer().unwrap_or(Answer::NotApplicable),
            notes: self.notes.clone(),
            revision: self.revision,
            answered_by: Person {
                id: self.answered_by,
                name: self.answered_by_name.clone(),
            },
            answered_at: self.answered_at.clone(),
        }
    }
}

pub async fn answers(conn: &mut AnyConnection, audit_id: i64) -> sqlx::Result<Vec<AnswerRow>> {
    sqlx::query_as(
        "select a.item_id, a.answer, a.notes, a.revision, a.answered_by, u.name as answered_by_name,
                a.answered_at
           from audit_answers a join users u on u.id = a.answered_by
          where a.audit_id = $1",
    )
    .bind(audit_id)
    .fetch_all(conn)
    .await
}

/// Writes an answer at `revision` (1 inserts, more updates the row that had `revision - 1`).
#[allow(clippy::too_many_arguments)]
pub async fn save_answer(
    conn: &mut AnyConnection,
    audit_id: i64,
    item_id: i64,
    answer: Answer,
    notes: &str,
    revision: i64,
    user_id: i64,
    now: &str,
) -> sqlx::Result<bool> {
    let done = if revision == 1 {
        sqlx::query(
            "insert into audit_answers (audit_id, item_id, answer, notes, revision, answered_by, answered_at)
             values ($1, $2, $3, $4, 1, $5, $6)",
        )
        .bind(audit_id)
        .bind(item_id)
        .bind(answer.as_str())
        .bind(notes)
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?
    } else {
        sqlx::query(
            "update audit_answers set answer = $1, notes = $2, revision = $3, answered_by = $4,
                 answered_at = $5
              where audit_id = $6 and item_id = $7 and revision = $8",
        )
        .bind(answer.as_str())
        .bind(notes)
        .bind(revision)
        .bind(user_id)
        .bind(now)
        .bind(audit_id)
        .bind(item_id)
        .bind(revision - 1)
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- findings

#[derive(Debug, Clone, FromRow)]
pub struct FindingRow {
    pub id: i64,
    pub audit_id: i64,
    pub number: i64,
    pub item_id: Option<i64>,
    pub severity: String,
    pub clause: String,
    pub description: String,
    pub evidence: String,
    pub status: String,
    pub withdrawn_reason: Option<String>,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: String,
    pub capa_id: Option<i64>,
    pub capa_number: Option<String>,
    pub capa_state: Option<String>,
}

impl FindingRow {
    pub fn finding(&self) -> Finding {
        let severity = Severity::parse(&self.severity).unwrap_or(Severity::Observation);
        Finding {
            id: self.id,
            audit_id: self.audit_id,
            number: self.number,
            item_id: self.item_id,
            severity,
            clause: self.clause.clone(),
            description: self.description.clone(),
            evidence: self.evidence.clone(),
            capa_required: severity.capa_required() && self.status == "open",
            status: self.status.clone(),
            withdrawn_reason: self.withdrawn_reason.clone(),
            created_by: Person {
                id: self.created_by,
                name: self.created_by_name.clone(),
            },
            created_at: self.created_at.clone(),
            capa: match (self.capa_id, &self.capa_number, &self.capa_state) {
                (Some(id), Some(number), Some(state)) => Some(CapaLink {
                    id,
                    number: number.clone(),
                    state: CapaState::parse(state).unwrap_or(CapaState::Open),
                }),
                _ => None,
            },
        }
    }
}

const SELECT_FINDINGS: &str = "
    select f.id, f.audit_id, f.number, f.item_id, f.severity, f.clause, f.description, f.evidence,
           f.status, f.withdrawn_reason, f.created_by, u.name as created_by_name, f.created_at,
           c.id as capa_id, c.number as capa_number, c.state as capa_state
      from findings f join users u on u.id = f.created_by
      left join capas c on c.finding_id = f.id and c.state <> 'cancelled'";

pub async fn findings(conn: &mut AnyConnection, audit_id: i64) -> sqlx::Result<Vec<FindingRow>> {
    sqlx::query_as(&format!(
        "{SELECT_FINDINGS} where f.audit_id = $1 order by f.number"
    ))
    .bind(audit_id)
    .fetch_all(conn)
    .await
}

pub async fn finding(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<FindingRow>> {
    sqlx::query_as(&format!("{SELECT_FINDINGS} where f.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_finding(
    conn: &mut AnyConnection,
    audit_id: i64,
    item_id: Option<i64>,
    severity: Severity,
    clause: &str,
    description: &str,
    evidence: &str,
    created_by: i64,
    now: &str,
) -> sqlx::Result<i64> {
    let number: i64 = sqlx::query_scalar(
        "select cast(coalesce(max(number), 0) + 1 as bigint) from findings where audit_id = $1",
    )
    .bind(audit_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "insert into findings (audit_id, number, item_id, severity, clause, description, evidence,
             created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
    )
    .bind(audit_id)
    .bind(number)
    .bind(item_id)
    .bind(severity.as_str())
    .bind(clause)
    .bind(description)
    .bind(evidence)
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn update_finding(
    conn: &mut AnyConnection,
    id: i64,
    item_id: Option<i64>,
    severity: Severity,
    clause: &str,
    description: &str,
    evidence: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update findings set item_id = $1, severity = $2, clause = $3, description = $4,
             evidence = $5, updated_at = $6 where id = $7",
    )
    .bind(item_id)
    .bind(severity.as_str())
    .bind(clause)
    .bind(description)
    .bind(evidence)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn withdraw_finding(
    conn: &mut AnyConnection,
    id: i64,
    reason: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update findings set status = 'withdrawn', withdrawn_reason = $1, updated_at = $2 where id = $3",
    )
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

// ---------------------------------------------------------------- PT gate, users

/// The site's laboratory PT event scores on or before `until` (`YYYY-MM-DD`), newest first.
pub async fn recent_lab_pt_scores(
    conn: &mut AnyConnection,
    site_id: i64,
    until: &str,
) -> sqlx::Result<Vec<f64>> {
    sqlx::query_scalar(
        "select x.score_percent from pt_event_scores x
           join pt_events e on e.id = x.event_id join pt_schemes sc on sc.id = e.scheme_id
          where x.site_id = $1 and e.deadline <= $2 and sc.discipline <> 'cxr_qc'
            and x.score_percent is not null
          order by e.deadline desc, e.id desc limit 2",
    )
    .bind(site_id)
    .bind(until)
    .fetch_all(conn)
    .await
}

/// The id and region of an active site, by code.
pub async fn site_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> sqlx::Result<Option<(i64, String)>> {
    crate::documents::repo::site_by_code(conn, code).await
}

/// The role and scope facts of an active user: (role, region code, site code).
pub async fn active_user(
    conn: &mut AnyConnection,
    id: i64,
) -> sqlx::Result<Option<(String, Option<String>, Option<String>)>> {
    sqlx::query_as(
        "select u.role, u.region_code, s.code from users u left join sites s on s.id = u.site_id
          where u.id = $1 and u.active = 1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Active quality officers, who may lead or join audits.
pub async fn quality_officers(conn: &mut AnyConnection) -> sqlx::Result<Vec<Person>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "select id, name from users where active = 1 and role = 'quality_officer' order by name",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Person { id, name })
        .collect())
}

#[derive(FromRow)]
struct EvidenceRow {
    id: i64,
    item_id: i64,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    uploaded_by: i64,
    uploaded_by_name: String,
    uploaded_at: String,
}

/// The evidence of an audit, without the bytes.
pub async fn evidence(conn: &mut AnyConnection, audit_id: i64) -> sqlx::Result<Vec<Evidence>> {
    let rows: Vec<EvidenceRow> = sqlx::query_as(
        "select e.id, e.item_id, e.file_name, e.media_type, e.size, e.sha256, e.uploaded_by,
                u.name as uploaded_by_name, e.uploaded_at
           from audit_evidence e join users u on u.id = e.uploaded_by
          where e.audit_id = $1 order by e.id",
    )
    .bind(audit_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Evidence {
            id: r.id,
            item_id: r.item_id,
            name: r.file_name,
            media_type: r.media_type,
            size: r.size,
            sha256: r.sha256,
            uploaded_by: Person {
                id: r.uploaded_by,
                name: r.uploaded_by_name,
            },
            uploaded_at: r.uploaded_at,
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_evidence(
    conn: &mut AnyConnection,
    audit_id: i64,
    item_id: i64,
    name: &str,
    media_type: &str,
    sha256: &str,
    bytes: &[u8],
    uploaded_by: i64,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into audit_evidence (audit_id, item_id, file_name, media_type, size, sha256, content,
             uploaded_by, uploaded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(audit_id)
    .bind(item_id)
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

/// One piece of evidence with its bytes: (audit id, name, media type, sha256, bytes).
pub async fn evidence_file(
    conn: &mut AnyConnection,
    id: i64,
) -> sqlx::Result<Option<(i64, String, String, String, Vec<u8>)>> {
    sqlx::query_as(
        "select audit_id, file_name, media_type, sha256, content from audit_evidence where id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// One row of the pattern view, before shares are computed.
#[derive(Debug, FromRow)]
pub struct PatternRow {
    pub template_code: String,
    pub clause: String,
    pub text: String,
    pub no_count: i64,
    pub partial_count: i64,
    pub audits: i64,
    pub sites: i64,
}

/// No/partial answers of submitted audits planned in `[from, to)` within the scope, grouped by
/// checklist item (across template versions), most frequent first; and their total.
pub async fn patterns(
    conn: &mut AnyConnection,
    scope: &ScopeFilter,
    region: Option<&str>,
    from: &str,
    to: &str,
    limit: i64,
) -> sqlx::Result<(Vec<PatternRow>, i64)> {
    let conditions = format!(
        "aa.answer in ('no', 'partial') and a.state in ('submitted', 'report_issued', 'closed')
         and a.planned_start >= $1 and a.planned_start < $2 and {} and ($5 = '' or c.region_code = $5)",
        ScopeFilter::sql("c.region_code", "s.code", 3)
    );
    let from_clause = "from audit_answers aa
          join audits a on a.id = aa.audit_id
          join template_items i on i.id = aa.item_id
          join checklist_templates t on t.id = a.template_id
          join sites s on s.id = a.site_id
          join countries c on c.code = s.country_code";
    let rows: Vec<PatternRow> = sqlx::query_as(&format!(
        "select t.code as template_code, i.clause, i.text,
                cast(sum(case when aa.answer = 'no' then 1 else 0 end) as bigint) as no_count,
                cast(sum(case when aa.answer = 'partial' then 1 else 0 end) as bigint) as partial_count,
                count(distinct a.id) as audits, count(distinct a.site_id) as sites
           {from_clause}
          where {conditions}
          group by t.code, i.clause, i.text
          order by count(*) desc, t.code, i.clause, i.text
          limit {limit}"
    ))
    .bind(from)
    .bind(to)
    .bind(scope.kind)
    .bind(&scope.code)
    .bind(region.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 =
        sqlx::query_scalar(&format!("select count(*) {from_clause} where {conditions}"))
            .bind(from)
            .bind(to)
            .bind(scope.kind)
            .bind(&scope.code)
            .bind(region.unwrap_or(""))
            .fetch_one(conn)
            .await?;
    Ok((rows, total))
}

/// Of an audit's open findings that need a CAPA: how many there are, and how many have a
/// closed one.
pub async fn capa_progress(conn: &mut AnyConnection, audit_id: i64) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "select count(*),
                coalesce(sum(case when exists (select 1 from capas c
                                                where c.finding_id = f.id and c.state = 'closed')
                                  then 1 else 0 end), 0)
           from findings f
          where f.audit_id = $1 and f.status = 'open' and f.severity <> 'observation'",
    )
    .bind(audit_id)
    .fetch_one(conn)
    .await
}

/// Locks an audit's row until the transaction ends (PostgreSQL; SQLite writes one at a time).
pub async fn lock(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("select id from audits where id = $1 for update")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// The audit a finding belongs to.
pub async fn audit_of_finding(conn: &mut AnyConnection, finding: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select audit_id from findings where id = $1")
        .bind(finding)
        .fetch_optional(conn)
        .await
}
