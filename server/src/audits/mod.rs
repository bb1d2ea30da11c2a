//! Site audits: versioned checklist templates, planning, conducting (answers saved one by one,
//! conflicts reported rather than overwritten), SLIPTA-style scoring with the PT gate, and
//! findings.
//!
//! Every operation checks [`access`] and the [`lifecycle`] first, then changes the database and
//! records the audit trail in one transaction, so a refused request leaves nothing behind.

pub mod access;
pub mod api;
pub mod form;
pub mod lifecycle;
pub mod repo;
pub mod scoring;
pub mod template;

use std::collections::HashMap;

use app::model::audits::{
    AnswerBatchResult, AnswerConflict, AnswerInput, Audit, AuditActions, AuditQuery, AuditScore,
    AuditState, AuditSummary, AuditType, Finding, FindingInput, NewAudit, PtGateResult,
    SectionScore, Severity, Template, TemplateSection, TemplateSummary, TEMPLATE_KINDS,
};
use app::model::auth::Role;
use app::model::users::Page;
use chrono::{NaiveDate, Utc};
use serde::Serialize;

use self::lifecycle::{transition, AuditAction};
use self::repo::AuditRow;
use self::template::TemplateDefinition;
use crate::auth::policy::ScopeFilter;
use crate::auth::Actor;
use crate::db::{now_text, Db, WriteTx};
use crate::error::{Error, FieldError};
use crate::trail::{self, Change, Who};

/// The most answers one request may carry (a whole checklist fits easily).
pub const MAX_BATCH: usize = 500;

fn not_found(id: i64) -> Error {
    Error::NotFound(format!("There is no audit with id {id}."))
}

fn forbidden(what: &str) -> Error {
    Error::Forbidden(format!("Your role and scope do not allow you to {what}."))
}

fn change(action: &'static str, audit: &AuditRow) -> Change {
    Change::new(action, "audit", audit.id).site(
        Some(audit.site_code.clone()),
        Some(audit.region_code.clone()),
    )
}

fn can_conduct(actor: &Actor, audit: &AuditRow) -> bool {
    access::can_conduct(
        actor.user.role,
        &actor.user.scope,
        &audit.site_code,
        &audit.region_code,
    )
}

/// The audit if the caller may see it; "not found" otherwise.
async fn visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<AuditRow, Error> {
    let audit = repo::find(conn, id).await?.ok_or_else(|| not_found(id))?;
    if access::can_see(
        actor.user.role,
        &actor.user.scope,
        &audit.site_code,
        &audit.region_code,
    ) {
        Ok(audit)
    } else {
        Err(not_found(id))
    }
}

/// Loads the audit for a change, locked on PostgreSQL so changes to one audit run in turn.
async fn for_change(tx: &mut WriteTx, actor: &Actor, id: i64) -> Result<AuditRow, Error> {
    if tx.engine() == crate::db::Engine::Postgres {
        repo::lock(tx.conn(), id).await?;
    }
    visible(tx.conn(), actor, id).await
}

// ---------------------------------------------------------------- templates

/// Every template version, newest first within each code.
pub async fn templates(db: &Db, _actor: &Actor) -> Result<Vec<TemplateSummary>, Error> {
    let mut conn = db.pool().acquire().await?;
    Ok(repo::templates(&mut conn)
        .await?
        .iter()
        .map(|t| t.summary())
        .collect())
}

/// One template version with its sections and items.
pub async fn template(db: &Db, _actor: &Actor, id: i64) -> Result<Template, Error> {
    let mut conn = db.pool().acquire().await?;
    let row = repo::template(&mut conn, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no checklist template with id {id}.")))?;
    Ok(Template {
        summary: row.summary(),
        scoring: row.scoring.clone(),
        sections: repo::structure(&mut conn, id).await?,
    })
}

/// A template version in the import format, for editing and re-importing.
pub async fn export_template(db: &Db, actor: &Actor, id: i64) -> Result<TemplateDefinition, Error> {
    let template = template(db, actor, id).await?;
    Ok(TemplateDefinition {
        code: template.summary.code,
        version: Some(template.summary.version),
        title: template.summary.title,
        scoring: template.scoring,
        sections: template
            .sections
            .into_iter()
            .map(|s| template::SectionDefinition {
                title: s.title,
                items: s
                    .items
                    .into_iter()
                    .map(|i| template::ItemDefinition {
                        text: i.text,
                        weight: i.weight,
                        clause: i.clause,
                        guidance: i.guidance,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Imports a template from JSON: a new code starts at version 1, a known code gets the next
/// version (audits keep the version they started with). `kind` decides the PT gate.
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn import_template(
    db: &Db,
    actor: &Actor,
    json: &str,
    kind: &str,
) -> Result<Template, Error> {
    if !access::can_manage_templates(actor.user.role) {
        return Err(forbidden("import checklist templates"));
    }
    if !TEMPLATE_KINDS.contains(&kind) {
        return Err(Error::invalid_field(
            "kind",
            "Choose laboratory, radiology or other.",
        ));
    }
    let definition = template::parse(json).map_err(|e| Error::Invalid {
        message: format!("The template is not valid at {}: {}", e.path, e.message),
        fields: vec![FieldError {
            field: "template".into(),
            message: e.to_string(),
        }],
    })?;
    let mut tx = db.begin_write().await?;
    let id = store_template(&mut tx, Some(actor.id()), &definition, kind).await?;
    let stored = repo::template(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::Internal("template vanished".into()))?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("template.import", "checklist_template", id).after(stored.summary()),
    )
    .await?;
    tx.commit().await?;
    template(db, actor, id).await
}

/// Writes a template definition as the next version of its code; returns the new id.
pub async fn store_template(
    tx: &mut WriteTx,
    created_by: Option<i64>,
    definition: &TemplateDefinition,
    kind: &str,
) -> Result<i64, Error> {
    let code = definition.code.trim().to_uppercase();
    let version = repo::latest_version(tx.conn(), &code).await?.unwrap_or(0) + 1;
    let id = repo::insert_template(
        tx.conn(),
        &code,
        version,
        definition.title.trim(),
        kind,
        &definition.scoring,
        created_by,
        &now_text(),
    )
    .await?;
    for (s, section) in definition.sections.iter().enumerate() {
        let section_id =
            repo::insert_section(tx.conn(), id, s as i64 + 1, section.title.trim()).await?;
        for (i, item) in section.items.iter().enumerate() {
            repo::insert_item(
                tx.conn(),
                id,
                section_id,
                i as i64 + 1,
                item.text.trim(),
                item.weight,
                item.clause.trim(),
                item.guidance.trim(),
            )
            .await?;
        }
    }
    Ok(id)
}

// ---------------------------------------------------------------- audits

fn parse_date_field(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    crate::documents::review::parse_date(text.trim()).ok_or_else(|| FieldError {
        field: field.into(),
        message: "Enter a date as YYYY-MM-DD.".into(),
    })
}

/// The PT gate for a laboratory audit, from the site's PT scores up to `until`.
async fn gate(
    conn: &mut sqlx::AnyConnection,
    audit: &AuditRow,
) -> Result<Option<scoring::PtGate>, Error> {
    if audit.template_kind != "laboratory" {
        return Ok(None);
    }
    let until = audit
        .submitted_at
        .as_deref()
        .map(|t| t[..10.min(t.len())].to_string())
        .unwrap_or_else(|| crate::documents::review::date_text(Utc::now().date_naive()));
    let scores = repo::recent_lab_pt_scores(conn, audit.site_id, &until).await?;
    Ok(Some(scoring::pt_gate(&scores)))
}

/// A list entry: the stored score (set at submission) with stars after the gate.
async fn summary(conn: &mut sqlx::AnyConnection, audit: &AuditRow) -> Result<AuditSummary, Error> {
    let percent = match (audit.score_points, audit.score_applicable) {
        (Some(points), Some(applicable)) if applicable > 0 => {
            Some(points as f64 * 100.0 / applicable as f64)
        }
        _ => None,
    };
    let stars = match percent {
        Some(_) => scoring::gated_stars(percent, gate(conn, audit).await?.as_ref()),
        None => None,
    };
    Ok(audit.summary(percent, stars))
}

/// Audits in the caller's scope, filtered; newest first, or in date order for a calendar.
pub async fn list(db: &Db, actor: &Actor, query: &AuditQuery) -> Result<Page<AuditSummary>, Error> {
    let (page, per_page, offset) = crate::users::paging(query.page, query.per_page.or(Some(25)));
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut fields = Vec::new();
    for (name, value) in [("from", &query.from), ("to", &query.to)] {
        if let Some(v) = text(value) {
            if let Err(e) = parse_date_field(name, &v) {
                fields.push(e);
            }
        }
    }
    if let Some(state) = text(&query.state) {
        if AuditState::parse(&state).is_none() {
            fields.push(FieldError {
                field: "state".into(),
                message:
                    "Choose planned, in_progress, submitted, report_issued, closed or cancelled."
                        .into(),
            });
        }
    }
    if !fields.is_empty() {
        return Err(Error::Invalid {
            message: "Please correct the filters.".into(),
            fields,
        });
    }
    let filter = repo::AuditFilter {
        scope: Some(ScopeFilter::of(&actor.user.scope)),
        site: text(&query.site).map(|s| s.to_uppercase()),
        region: text(&query.region).map(|s| s.to_uppercase()),
        state: text(&query.state),
        ascending: query.from.is_some(),
        from: text(&query.from),
        to: text(&query.to),
        failed_item: text(&query.failed_item),
    };
    if actor.user.role == Role::Staff {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    }
    let mut conn = db.pool().acquire().await?;
    let (rows, total) = repo::list(&mut conn, &filter, per_page, offset).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut item = summary(&mut conn, row).await?;
        if !access::can_see_results(actor.user.role, row.state()) {
            item.percent = None;
            item.stars = None;
            item.open_findings = 0;
        }
        items.push(item);
    }
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The score of an audit from its answers as they are now.
fn compute_score(
    sections: &[TemplateSection],
    answers: &HashMap<i64, repo::AnswerRow>,
    gate: Option<scoring::PtGate>,
) -> AuditScore {
    let mut section_scores = Vec::new();
    let mut all = Vec::new();
    for section in sections {
        let items: Vec<(i64, Option<scoring::Answer>)> = section
            .items
            .iter()
            .map(|i| (i.weight, answers.get(&i.id).and_then(|a| a.answer())))
            .collect();
        let tally = scoring::tally(items.iter().copied());
        section_scores.push(SectionScore {
            section_id: section.id,
            title: section.title.clone(),
            points: tally.points,
            applicable: tally.applicable,
            answered: tally.answered,
            items: tally.items,
            percent: tally.percent(),
        });
        all.extend(items);
    }
    let total = scoring::tally(all);
    let percent = total.percent();
    AuditScore {
        points: total.points,
        applicable: total.applicable,
        answered: total.answered,
        items: total.items,
        percent,
        stars: scoring::gated_stars(percent, gate.as_ref()),
        sections: section_scores,
        pt_gate: gate.map(|g| PtGateResult {
            passed: g.passed,
            reason: g.reason,
        }),
    }
}

/// One audit with its checklist, answers, findings and score (answers and findings only for
/// those who may see them at this stage).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Audit, Error> {
    let mut conn = db.pool().acquire().await?;
    let audit = visible(&mut conn, actor, id).await?;
    load(&mut conn, actor, &audit).await
}

async fn load(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    audit: &AuditRow,
) -> Result<Audit, Error> {
    let template_row = repo::template(conn, audit.template_id)
        .await?
        .ok_or_else(|| Error::Internal("audit template missing".into()))?;
    let sections = repo::structure(conn, audit.template_id).await?;
    let results = access::can_see_results(actor.user.role, audit.state());
    let answers: HashMap<i64, repo::AnswerRow> = if results {
        repo::answers(conn, audit.id)
            .await?
            .into_iter()
            .map(|a| (a.item_id, a))
            .collect()
    } else {
        HashMap::new()
    };
    let evidence = if results {
        repo::evidence(conn, audit.id).await?
    } else {
        Vec::new()
    };
    let findings: Vec<Finding> = if results {
        repo::findings(conn, audit.id)
            .await?
            .iter()
            .map(|f| f.finding())
            .collect()
    } else {
        Vec::new()
    };
    let score = compute_score(&sections, &answers, gate(conn, audit).await?);
    let state = audit.state();
    let conduct = can_conduct(actor, audit);
    let mut summary = summary(conn, audit).await?;
    if !results {
        summary.percent = None;
        summary.stars = None;
        summary.open_findings = 0;
    }
    Ok(Audit {
        summary,
        scope: audit.scope.clone(),
        team: repo::team(conn, audit.id).await?,
        started_at: audit.started_at.clone(),
        submitted_at: audit.submitted_at.clone(),
        cancel_reason: audit.cancel_reason.clone(),
        template: Template {
            summary: template_row.summary(),
            scoring: template_row.scoring.clone(),
            sections,
        },
        answers: answers.values().map(|a| a.item_answer()).collect(),
        findings,
        evidence,
        score,
        actions: AuditActions {
            start: conduct && state == AuditState::Planned,
            answer: conduct && lifecycle::open_for_answers(state),
            submit: conduct && state == AuditState::InProgress,
            cancel: conduct && transition(state, AuditAction::Cancel).is_ok(),
            findings: conduct && lifecycle::open_for_findings(state),
            issue_report: actor.id() == audit.lead_auditor_id
                && transition(state, AuditAction::IssueReport).is_ok(),
            preview_report: results
                && matches!(state, AuditState::InProgress | AuditState::Submitted),
        },
        report: crate::reports::repo::for_audit(conn, audit.id).await?,
    })
}

/// The score alone (`GET /audits/{id}/score`).
pub async fn score(db: &Db, actor: &Actor, id: i64) -> Result<AuditScore, Error> {
    let audit = get(db, actor, id).await?;
    if !access::can_see_results(actor.user.role, audit.summary.state) {
        return Err(Error::Forbidden(
            "The score is shown to the site once the audit is submitted.".into(),
        ));
    }
    Ok(audit.score)
}

// ---------------------------------------------------------------- report

/// An audit with everything its report shows, for someone who may see its results.
pub(crate) async fn for_report(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<(AuditRow, Audit), Error> {
    let row = visible(conn, actor, id).await?;
    if !access::can_see_results(actor.user.role, row.state()) {
        return Err(Error::Forbidden(
            "The report is shown to the site once the audit is submitted.".into(),
        ));
    }
    let audit = load(conn, actor, &row).await?;
    Ok((row, audit))
}

/// Checks, inside the issuing transaction, that the caller may issue the audit's report now:
/// the lead auditor, on a submitted audit. Returns the audit as the report shows it.
pub(crate) async fn for_issue(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
) -> Result<(AuditRow, Audit), Error> {
    let row = for_change(tx, actor, id).await?;
    if row.lead_auditor_id != actor.id() {
        return Err(Error::Forbidden(format!(
            "Only the lead auditor, {}, issues this audit's report.",
            row.lead_name
        )));
    }
    if row.state() == AuditState::ReportIssued || row.state() == AuditState::Closed {
        return Err(Error::Conflict(
            "The report of this audit is already issued; an issued report is never replaced."
                .into(),
        ));
    }
    transition(row.state(), AuditAction::IssueReport).map_err(Error::Conflict)?;
    let audit = load(tx.conn(), actor, &row).await?;
    Ok((row, audit))
}

/// Moves an audit to "report issued" (in the issuing transaction), and on to "closed" at once
/// when no finding needs a corrective action.
pub(crate) async fn mark_report_issued(
    tx: &mut WriteTx,
    actor: &Actor,
    row: &AuditRow,
) -> Result<(), Error> {
    step(tx, &Who::from(actor), row, AuditAction::IssueReport, None).await?;
    close_when_resolved(tx, &Who::from(actor), row.id).await?;
    Ok(())
}

/// Closes an audit whose report is issued once every open finding that needs a CAPA has a
/// closed one (at once when none needs one). Called when the report is issued and whenever a
/// CAPA raised from a finding closes. Returns whether it closed the audit.
pub(crate) async fn close_when_resolved(
    tx: &mut WriteTx,
    who: &Who,
    audit_id: i64,
) -> Result<bool, Error> {
    if tx.engine() == crate::db::Engine::Postgres {
        // Two last CAPAs closing at once must not both count the other as still open.
        repo::lock(tx.conn(), audit_id).await?;
    }
    let Some(row) = repo::find(tx.conn(), audit_id).await? else {
        return Ok(false);
    };
    if row.state() != AuditState::ReportIssued {
        return Ok(false);
    }
    let (needing, closed) = repo::capa_progress(tx.conn(), audit_id).await?;
    if closed < needing {
        return Ok(false);
    }
    let reason = if needing == 0 {
        "No finding needs a corrective action.".to_string()
    } else {
        format!("The CAPA of every finding that needed one is closed ({closed}).")
    };
    step(tx, who, &row, AuditAction::Close, Some(&reason)).await?;
    Ok(true)
}

/// Plans an audit of a site with the latest (or a chosen) template version.
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn create(db: &Db, actor: &Actor, new: NewAudit) -> Result<Audit, Error> {
    let mut fields = Vec::new();
    let audit_type = AuditType::parse(new.audit_type.trim());
    if audit_type.is_none() {
        fields.push(FieldError {
            field: "audit_type".into(),
            message: "Choose internal, external, follow_up or remote.".into(),
        });
    }
    let start = parse_date_field("planned_start", &new.planned_start)
        .map_err(|e| fields.push(e))
        .ok();
    let end = parse_date_field("planned_end", &new.planned_end)
        .map_err(|e| fields.push(e))
        .ok();
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            fields.push(FieldError {
                field: "planned_end".into(),
                message: "The audit cannot end before it starts.".into(),
            });
        }
    }
    if new.scope.chars().count() > 4000 {
        fields.push(FieldError {
            field: "scope".into(),
            message: "Keep the scope under 4000 characters.".into(),
        });
    }
    if !fields.is_empty() {
        return Err(Error::Invalid {
            message: "Please correct the highlighted fields.".into(),
            fields,
        });
    }
    let (Some(audit_type), Some(start), Some(end)) = (audit_type, start, end) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let site_code = new.site_code.trim().to_uppercase();
    let mut tx = db.begin_write().await?;
    let (site_id, region) = repo::site_by_code(tx.conn(), &site_code)
        .await?
        .ok_or_else(|| {
            Error::invalid_field(
                "site_code",
                format!("There is no active site with the code '{site_code}'."),
            )
        })?;
    if !access::can_conduct(actor.user.role, &actor.user.scope, &site_code, &region) {
        return Err(forbidden("plan audits for this site"));
    }
    if repo::template(tx.conn(), new.template_id).await?.is_none() {
        return Err(Error::invalid_field(
            "template_id",
            "Choose a checklist template.",
        ));
    }
    let lead = new.lead_auditor_id.unwrap_or(actor.id());
    let mut people = vec![lead];
    people.extend(new.team_ids.iter().copied().filter(|id| *id != lead));
    for (n, person) in people.iter().enumerate() {
        let ok = match repo::active_user(tx.conn(), *person).await? {
            Some((role, region_code, _)) => {
                role == "quality_officer" && region_code.as_deref().is_none_or(|r| r == region)
            }
            None => false,
        };
        if !ok {
            return Err(Error::invalid_field(
                if n == 0 {
                    "lead_auditor_id"
                } else {
                    "team_ids"
                },
                format!("User {person} is not an active quality officer for this site's region."),
            ));
        }
    }
    let now = now_text();
    let id = repo::insert(
        tx.conn(),
        &repo::NewAuditRow {
            site_id,
            template_id: new.template_id,
            audit_type: audit_type.as_str(),
            planned_start: &crate::documents::review::date_text(start),
            planned_end: &crate::documents::review::date_text(end),
            lead_auditor_id: lead,
            scope: new.scope.trim(),
            created_by: actor.id(),
        },
        AuditState::Planned.as_str(),
        &now,
    )
    .await?;
    for person in &people[1..] {
        repo::add_team_member(tx.conn(), id, *person).await?;
    }
    let audit = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found(id))?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("audit.plan", &audit).after(audit.summary(None, None)),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

#[derive(Serialize)]
struct StateRecord<'a> {
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// Moves the audit through one lifecycle step, in the caller's transaction.
async fn step(
    tx: &mut WriteTx,
    who: &Who,
    audit: &AuditRow,
    action: AuditAction,
    reason: Option<&str>,
) -> Result<AuditState, Error> {
    let from = audit.state();
    let to = transition(from, action).map_err(Error::Conflict)?;
    if !repo::move_state(tx.conn(), audit.id, from, to, &now_text()).await? {
        return Err(Error::Conflict(
            "Someone else changed this audit just now; reload and try again.".into(),
        ));
    }
    let name = match action {
        AuditAction::Start => "audit.start",
        AuditAction::Submit => "audit.submit",
        AuditAction::IssueReport => "audit.issue_report",
        AuditAction::Close => "audit.close",
        AuditAction::Cancel => "audit.cancel",
    };
    trail::record(
        tx,
        who,
        change(name, audit)
            .before(StateRecord {
                state: from.as_str(),
                reason: None,
            })
            .after(StateRecord {
                state: to.as_str(),
                reason,
            }),
    )
    .await?;
    Ok(to)
}

/// Starts conducting a planned audit.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id))]
pub async fn start(db: &Db, actor: &Actor, id: i64) -> Result<Audit, Error> {
    let mut tx = db.begin_write().await?;
    let audit = for_change(&mut tx, actor, id).await?;
    if !can_conduct(actor, &audit) {
        return Err(forbidden("conduct this audit"));
    }
    step(&mut tx, &Who::from(actor), &audit, AuditAction::Start, None).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Cancels a planned or in-progress audit, with the reason.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id))]
pub async fn cancel(db: &Db, actor: &Actor, id: i64, reason: &str) -> Result<Audit, Error> {
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 2000 {
        return Err(Error::invalid_field(
            "reason",
            "Give the reason in a sentence (5 to 2000 characters); it is kept in the record.",
        ));
    }
    let mut tx = db.begin_write().await?;
    let audit = for_change(&mut tx, actor, id).await?;
    if !can_conduct(actor, &audit) {
        return Err(forbidden("cancel this audit"));
    }
    step(
        &mut tx,
        &Who::from(actor),
        &audit,
        AuditAction::Cancel,
        Some(reason),
    )
    .await?;
    repo::set_cancel_reason(tx.conn(), id, reason).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Saves a batch of answers. An answer whose item someone else changed since the auditor saw it
/// (a different `base_revision` and a different answer) is a conflict: reported, not saved. A
/// planned audit starts with its first answer. Items must belong to the audit's template
/// version; otherwise nothing of the batch is saved.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id, answers = inputs.len()))]
pub async fn answer(
    db: &Db,
    actor: &Actor,
    id: i64,
    inputs: Vec<AnswerInput>,
) -> Result<AnswerBatchResult, Error> {
    if inputs.is_empty() || inputs.len() > MAX_BATCH {
        return Err(Error::invalid_field(
            "answers",
            format!("Send between 1 and {MAX_BATCH} answers."),
        ));
    }
    if let Some(long) = inputs.iter().find(|a| a.notes.chars().count() > 4000) {
        return Err(Error::invalid_field(
            "notes",
            format!(
                "The notes on item {} are too long (at most 4000 characters).",
                long.item_id
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = inputs.iter().find(|a| !seen.insert(a.item_id)) {
        return Err(Error::invalid_field(
            "item_id",
            format!(
                "Item {} appears twice in one batch; send one answer per item.",
                twice.item_id
            ),
        ));
    }
    let mut tx = db.begin_write().await?;
    let mut audit = for_change(&mut tx, actor, id).await?;
    if !can_conduct(actor, &audit) {
        return Err(Error::Forbidden(
            "Only quality officers conducting the audit may answer its checklist.".into(),
        ));
    }
    if !lifecycle::open_for_answers(audit.state()) {
        return Err(Error::Conflict(format!(
            "This audit is {}; its answers can no longer change.",
            audit.state().label().to_lowercase()
        )));
    }
    let items: Vec<i64> = repo::structure(tx.conn(), audit.template_id)
        .await?
        .into_iter()
        .flat_map(|s| s.items.into_iter().map(|i| i.id))
        .collect();
    if let Some(stranger) = inputs.iter().find(|a| !items.contains(&a.item_id)) {
        return Err(Error::invalid_field(
            "item_id",
            format!(
                "Item {} is not in this audit's checklist ({} version {}); reload the audit.",
                stranger.item_id, audit.template_code, audit.template_version
            ),
        ));
    }
    if audit.state() == AuditState::Planned {
        step(&mut tx, &Who::from(actor), &audit, AuditAction::Start, None).await?;
        audit = repo::find(tx.conn(), id)
            .await?
            .ok_or_else(|| not_found(id))?;
    }
    let mut current: HashMap<i64, repo::AnswerRow> = repo::answers(tx.conn(), id)
        .await?
        .into_iter()
        .map(|a| (a.item_id, a))
        .collect();
    let now = now_text();
    let mut saved = Vec::new();
    let mut conflicts = Vec::new();
    let mut changes = Vec::new();
    for input in inputs {
        let notes = input.notes.trim().to_string();
        let existing = current.get(&input.item_id).cloned();
        match &existing {
            // The same answer again (a retried sync, or two auditors agreeing): nothing to do.
            Some(row) if row.answer() == Some(input.answer) && row.notes == notes => {
                saved.push(row.item_answer());
                continue;
            }
            Some(row) if row.revision != input.base_revision => {
                conflicts.push(AnswerConflict {
                    yours: input,
                    theirs: row.item_answer(),
                });
                continue;
            }
            _ => {}
        }
        let revision = existing.as_ref().map(|r| r.revision).unwrap_or(0) + 1;
        if !repo::save_answer(
            tx.conn(),
            id,
            input.item_id,
            input.answer,
            &notes,
            revision,
            actor.id(),
            &now,
        )
        .await?
        {
            return Err(Error::Conflict(
                "Someone else answered at the same moment; try again.".into(),
            ));
        }
        let row = repo::AnswerRow {
            item_id: input.item_id,
            answer: input.answer.as_str().into(),
            notes: notes.clone(),
            revision,
            answered_by: actor.id(),
            answered_by_name: actor.user.name.clone(),
            answered_at: now.clone(),
        };
        changes.push(serde_json::json!({
            "item_id": input.item_id,
            "before": existing.as_ref().map(|r| serde_json::json!({"answer": r.answer, "notes": r.notes, "revision": r.revision})),
            "after": {"answer": input.answer.as_str(), "notes": notes, "revision": revision},
        }));
        saved.push(row.item_answer());
        current.insert(input.item_id, row);
    }
    if !changes.is_empty() {
        trail::record(
            &mut tx,
            &Who::from(actor),
            change("audit.answer", &audit).after(serde_json::json!({ "answers": changes })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(AnswerBatchResult { saved, conflicts })
}

/// Submits an audit whose every item is answered; its score is kept for lists and trends.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id))]
pub async fn submit(db: &Db, actor: &Actor, id: i64) -> Result<Audit, Error> {
    let mut tx = db.begin_write().await?;
    let audit = for_change(&mut tx, actor, id).await?;
    if !can_conduct(actor, &audit) {
        return Err(forbidden("submit this audit"));
    }
    transition(audit.state(), AuditAction::Submit).map_err(Error::Conflict)?;
    let sections = repo::structure(tx.conn(), audit.template_id).await?;
    let answers: HashMap<i64, repo::AnswerRow> = repo::answers(tx.conn(), id)
        .await?
        .into_iter()
        .map(|a| (a.item_id, a))
        .collect();
    let score = compute_score(&sections, &answers, None);
    let missing = score.items - score.answered;
    if missing > 0 {
        return Err(Error::invalid_field(
            "answers",
            format!("{missing} of {} items have no answer yet; answer every item (N/A where it does not apply) before submitting.", score.items),
        ));
    }
    step(
        &mut tx,
        &Who::from(actor),
        &audit,
        AuditAction::Submit,
        None,
    )
    .await?;
    repo::set_score(tx.conn(), id, score.points, score.applicable).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

// ---------------------------------------------------------------- findings

fn check_finding(input: &FindingInput) -> Result<Severity, Error> {
    let mut fields = Vec::new();
    let severity = Severity::parse(input.severity.trim());
    if severity.is_none() {
        fields.push(FieldError {
            field: "severity".into(),
            message: "Choose critical, major, minor or observation.".into(),
        });
    }
    let description = input.description.trim();
    if description.is_empty() || description.chars().count() > 4000 {
        fields.push(FieldError {
            field: "description".into(),
            message: "Describe the finding (at most 4000 characters).".into(),
        });
    }
    if input.evidence.chars().count() > 4000 || input.clause.chars().count() > 100 {
        fields.push(FieldError {
            field: "evidence".into(),
            message: "Keep the evidence under 4000 and the clause under 100 characters.".into(),
        });
    }
    match severity {
        Some(severity) if fields.is_empty() => Ok(severity),
        _ => Err(Error::Invalid {
            message: "Please correct the highlighted fields.".into(),
            fields,
        }),
    }
}

async fn for_findings(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    input: &FindingInput,
) -> Result<AuditRow, Error> {
    let audit = for_change(tx, actor, id).await?;
    if !can_conduct(actor, &audit) {
        return Err(forbidden("record findings for this audit"));
    }
    if !lifecycle::open_for_findings(audit.state()) {
        return Err(Error::Conflict(format!(
            "This audit is {}; findings are recorded while it is in progress or submitted.",
            audit.state().label().to_lowercase()
        )));
    }
    if let Some(item) = input.item_id {
        let items: Vec<i64> = repo::structure(tx.conn(), audit.template_id)
            .await?
            .into_iter()
            .flat_map(|s| s.items.into_iter().map(|i| i.id))
            .collect();
        if !items.contains(&item) {
            return Err(Error::invalid_field(
                "item_id",
                format!("Item {item} is not in this audit's checklist."),
            ));
        }
    }
    Ok(audit)
}

/// Raises a finding (from an item, or ad hoc).
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id))]
pub async fn create_finding(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: FindingInput,
) -> Result<Finding, Error> {
    let severity = check_finding(&input)?;
    let mut tx = db.begin_write().await?;
    let audit = for_findings(&mut tx, actor, id, &input).await?;
    let finding_id = repo::insert_finding(
        tx.conn(),
        id,
        input.item_id,
        severity,
        input.clause.trim(),
        input.description.trim(),
        input.evidence.trim(),
        actor.id(),
        &now_text(),
    )
    .await?;
    let finding = repo::finding(tx.conn(), finding_id)
        .await?
        .ok_or_else(|| Error::Internal("finding vanished".into()))?
        .finding();
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("finding.create", "finding", finding_id)
            .site(
                Some(audit.site_code.clone()),
                Some(audit.region_code.clone()),
            )
            .after(&finding),
    )
    .await?;
    tx.commit().await?;
    Ok(finding)
}

async fn finding_of(
    tx: &mut WriteTx,
    audit_id: i64,
    finding_id: i64,
) -> Result<repo::FindingRow, Error> {
    repo::finding(tx.conn(), finding_id)
        .await?
        .filter(|f| f.audit_id == audit_id)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "Audit {audit_id} has no finding with id {finding_id}."
            ))
        })
}

/// Changes a finding.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id, finding_id))]
pub async fn update_finding(
    db: &Db,
    actor: &Actor,
    id: i64,
    finding_id: i64,
    input: FindingInput,
) -> Result<Finding, Error> {
    let severity = check_finding(&input)?;
    let mut tx = db.begin_write().await?;
    let audit = for_findings(&mut tx, actor, id, &input).await?;
    let before = finding_of(&mut tx, id, finding_id).await?;
    if before.status != "open" {
        return Err(Error::Conflict(
            "This finding was withdrawn; raise a new one instead.".into(),
        ));
    }
    repo::update_finding(
        tx.conn(),
        finding_id,
        input.item_id,
        severity,
        input.clause.trim(),
        input.description.trim(),
        input.evidence.trim(),
        &now_text(),
    )
    .await?;
    let after = finding_of(&mut tx, id, finding_id).await?.finding();
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("finding.update", "finding", finding_id)
            .site(
                Some(audit.site_code.clone()),
                Some(audit.region_code.clone()),
            )
            .before(before.finding())
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Withdraws a finding raised in error (it is kept, marked withdrawn, with the reason).
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id, finding_id))]
pub async fn withdraw_finding(
    db: &Db,
    actor: &Actor,
    id: i64,
    finding_id: i64,
    reason: &str,
) -> Result<Finding, Error> {
    let reason = reason.trim();
    if reason.chars().count() < 5 {
        return Err(Error::invalid_field(
            "reason",
            "Say why the finding is withdrawn (at least 5 characters).",
        ));
    }
    let mut tx = db.begin_write().await?;
    let audit = for_findings(&mut tx, actor, id, &FindingInput::default()).await?;
    let before = finding_of(&mut tx, id, finding_id).await?;
    if before.status != "open" {
        return Err(Error::Conflict("This finding is already withdrawn.".into()));
    }
    repo::withdraw_finding(tx.conn(), finding_id, reason, &now_text()).await?;
    let after = finding_of(&mut tx, id, finding_id).await?.finding();
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("finding.withdraw", "finding", finding_id)
            .site(
                Some(audit.site_code.clone()),
                Some(audit.region_code.clone()),
            )
            .before(before.finding())
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Quality officers who may lead or join audits (for the planning form).
pub async fn auditors(db: &Db, actor: &Actor) -> Result<Vec<app::model::documents::Person>, Error> {
    if actor.user.role != Role::QualityOfficer {
        return Err(forbidden("plan audits"));
    }
    let mut conn = db.pool().acquire().await?;
    Ok(repo::quality_officers(&mut conn).await?)
}

// ---------------------------------------------------------------- evidence

/// Evidence files larger than this are refused.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// Checks an evidence file by its content: a photo (JPEG, PNG, WebP) or a PDF, at most 10 MB.
pub fn check_evidence(upload: &crate::documents::Upload) -> Result<(String, &'static str), Error> {
    let bytes = &upload.bytes;
    if bytes.is_empty() || bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(Error::invalid_field(
            "file",
            format!(
                "Attach a file of at most {} MB.",
                MAX_EVIDENCE_BYTES / 1_048_576
            ),
        ));
    }
    let media_type = if bytes.starts_with(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else {
        return Err(Error::invalid_field(
            "file",
            "Attach a photo (JPEG, PNG, WebP) or a PDF; this file is none of these.",
        ));
    };
    let name: String = upload
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    Ok((
        if name.is_empty() {
            "evidence".into()
        } else {
            name
        },
        media_type,
    ))
}

/// Attaches a photo or PDF to an item of an audit being conducted.
#[tracing::instrument(skip_all, fields(actor = actor.id(), audit_id = id, item_id))]
pub async fn attach_evidence(
    db: &Db,
    actor: &Actor,
    id: i64,
    item_id: i64,
    upload: crate::documents::Upload,
) -> Result<app::model::audits::Evidence, Error> {
    let (name, media_type) = check_evidence(&upload)?;
    let mut tx = db.begin_write().await?;
    let audit = for_change(&mut tx, actor, id).await?;
    if !can_conduct(actor, &audit) {
        return Err(forbidden("add evidence to this audit"));
    }
    if audit.state() != AuditState::InProgress {
        return Err(Error::Conflict(format!(
            "This audit is {}; evidence is added while it is in progress (start it first).",
            audit.state().label().to_lowercase()
        )));
    }
    let in_checklist = repo::structure(tx.conn(), audit.template_id)
        .await?
        .iter()
        .any(|s| s.items.iter().any(|i| i.id == item_id));
    if !in_checklist {
        return Err(Error::invalid_field(
            "item_id",
            format!("Item {item_id} is not in this audit's checklist."),
        ));
    }
    let sha256 = crate::signatures::content_hash(&upload.bytes);
    let evidence_id = repo::insert_evidence(
        tx.conn(),
        id,
        item_id,
        &name,
        media_type,
        &sha256,
        &upload.bytes,
        actor.id(),
        &now_text(),
    )
    .await?;
    let stored = repo::evidence(tx.conn(), id)
        .await?
        .into_iter()
        .find(|e| e.id == evidence_id)
        .ok_or_else(|| Error::Internal("evidence vanished".into()))?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("audit.evidence", &audit).after(&stored),
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// An evidence file, checked against its SHA-256: (name, media type, bytes).
pub async fn evidence_file(
    db: &Db,
    actor: &Actor,
    id: i64,
    evidence_id: i64,
) -> Result<(String, String, Vec<u8>), Error> {
    let mut conn = db.pool().acquire().await?;
    let audit = visible(&mut conn, actor, id).await?;
    let missing = || Error::NotFound(format!("Audit {id} has no evidence with id {evidence_id}."));
    if !access::can_see_results(actor.user.role, audit.state()) {
        return Err(missing());
    }
    let (audit_id, name, media_type, sha256, bytes) = repo::evidence_file(&mut conn, evidence_id)
        .await?
        .ok_or_else(missing)?;
    if audit_id != id {
        return Err(missing());
    }
    if crate::signatures::content_hash(&bytes) != sha256 {
        tracing::error!(evidence_id, "stored evidence does not match its SHA-256");
        return Err(Error::Conflict("The stored file no longer matches its recorded SHA-256, so it was not sent. Tell an administrator.".into()));
    }
    Ok((name, media_type, bytes))
}

// ---------------------------------------------------------------- network patterns

/// How many items the pattern view lists.
pub const PATTERN_ITEMS: i64 = 20;

/// The checklist items most often answered no or partial in submitted audits of a period,
/// within the caller's scope (quality officers, administrators, regional managers).
pub async fn patterns(
    db: &Db,
    actor: &Actor,
    query: &app::model::audits::PatternQuery,
) -> Result<app::model::audits::PatternReport, Error> {
    if !matches!(
        actor.user.role,
        Role::QualityOfficer | Role::Admin | Role::RegionalManager
    ) {
        return Err(forbidden("see the network's audit patterns"));
    }
    let today = Utc::now().date_naive();
    let date = |field: &str, value: &Option<String>, default: NaiveDate| -> Result<String, Error> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(crate::documents::review::date_text(default)),
            Some(v) => parse_date_field(field, v)
                .map(crate::documents::review::date_text)
                .map_err(|f| Error::Invalid {
                    message: "Please correct the period.".into(),
                    fields: vec![f],
                }),
        }
    };
    let from = date("from", &query.from, today - chrono::Days::new(365))?;
    let to = date("to", &query.to, today + chrono::Days::new(1))?;
    if to <= from {
        return Err(Error::invalid_field(
            "to",
            "The period must end after it starts.",
        ));
    }
    let region = query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_uppercase);
    let mut conn = db.pool().acquire().await?;
    let (rows, total) = repo::patterns(
        &mut conn,
        &ScopeFilter::of(&actor.user.scope),
        region.as_deref(),
        &from,
        &to,
        PATTERN_ITEMS,
    )
    .await?;
    let mut running = 0;
    let items = rows
        .into_iter()
        .map(|r| {
            let count = r.no_count + r.partial_count;
            running += count;
            let share = |n: i64| {
                if total > 0 {
                    n as f64 * 100.0 / total as f64
                } else {
                    0.0
                }
            };
            app::model::audits::PatternItem {
                template_code: r.template_code,
                clause: r.clause,
                text: r.text,
                no: r.no_count,
                partial: r.partial_count,
                audits: r.audits,
                sites: r.sites,
                share: share(count),
                cumulative: share(running),
            }
        })
        .collect();
    Ok(app::model::audits::PatternReport {
        from,
        to,
        total,
        items,
    })
}
