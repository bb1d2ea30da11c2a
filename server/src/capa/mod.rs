//! Corrective and preventive actions: raised from a finding (one click) or by hand, worked
//! through containment, root cause, an approved action plan and implementation, checked for
//! effectiveness no earlier than 30 days later, and closed with a quality officer's signature.
//!
//! Every operation checks [`access`] and the [`lifecycle`] first, then changes the row in
//! memory and saves it with its audit-trail entry in one transaction, so a refused request
//! leaves nothing behind. The timeline is read back from the audit trail.

pub mod access;
pub mod api;
pub mod auto;
pub mod due;
pub mod form;
pub mod lifecycle;
pub mod repo;

use app::model::audits::{AuditState, Severity};
use app::model::auth::Role;
use app::model::capa::{
    ActionInput, ActionStatus, ActionUpdate, AgeBucket, Capa, CapaAction, CapaAttachment,
    CapaComment, CapaPermissions, CapaQuery, CapaSource, CapaState, CapaStep, CapaSummary,
    CapaUpdate, ClosureSignature, DueDays, FindingSource, FollowUpEvidence, NewCapa,
    RootCauseAnalysis, RootCauseMethod, StepInput, TimelineEntry, Verdict,
};
use app::model::documents::Person;
use app::model::users::Page;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use self::access::{Caller, Subject};
use self::repo::{ActionRow, CapaRow};
use crate::auth::lockout::LockoutPolicy;
use crate::auth::policy::ScopeFilter;
use crate::auth::Actor;
use crate::db::{now_text, Db, Engine, WriteTx};
use crate::error::{Error, FieldError};
use crate::signatures::{self, Meaning};
use crate::trail::{self, Change, Who};

/// The longest free text accepted (descriptions, analyses, evidence, comments).
pub const MAX_TEXT: usize = 4000;
/// The furthest ahead a due date may be set.
const MAX_DUE_DAYS: i64 = 730;

fn not_found(id: i64) -> Error {
    Error::NotFound(format!("There is no CAPA with id {id}."))
}

fn forbidden(what: &str) -> Error {
    Error::Forbidden(format!("Your role and scope do not allow you to {what}."))
}

fn caller(actor: &Actor) -> Caller<'_> {
    Caller {
        id: actor.id(),
        role: actor.user.role,
        scope: &actor.user.scope,
    }
}

fn subject(row: &CapaRow) -> Subject<'_> {
    Subject {
        site: &row.site_code,
        region: &row.region_code,
        owner_id: row.owner_id,
    }
}

fn state_of(row: &CapaRow) -> CapaState {
    CapaState::parse(&row.state).unwrap_or(CapaState::Open)
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn day_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The site's date now.
fn site_today(row: &CapaRow) -> NaiveDate {
    due::local_today(due::zone(&row.timezone), Utc::now())
}

/// Trimmed text of at least `min` and at most [`MAX_TEXT`] characters, or a field error.
fn required_text(
    field: &str,
    value: Option<&str>,
    min: usize,
    what: &str,
) -> Result<String, Error> {
    let text = value.unwrap_or_default().trim().to_string();
    let length = text.chars().count();
    if length < min || length > MAX_TEXT {
        return Err(Error::invalid_field(
            field,
            format!("{what} (at least {min} and at most {MAX_TEXT} characters)."),
        ));
    }
    Ok(text)
}

fn summary(row: &CapaRow, today: NaiveDate) -> CapaSummary {
    let state = state_of(row);
    let opened = parse_day(&row.opened_on).unwrap_or(today);
    let due_date = parse_day(&row.due_date).unwrap_or(today);
    let until = if state.is_final() {
        row.ended_on.as_deref().and_then(parse_day).unwrap_or(today)
    } else {
        today
    };
    let overdue = !state.is_final() && due::is_overdue(due_date, today);
    CapaSummary {
        id: row.id,
        number: row.number.clone(),
        site_code: row.site_code.clone(),
        site_name: row.site_name.clone(),
        region_code: row.region_code.clone(),
        title: row.title.clone(),
        source: CapaSource::parse(&row.source).unwrap_or(CapaSource::Incident),
        severity: Severity::parse(&row.severity).unwrap_or(Severity::Minor),
        state,
        owner: Person {
            id: row.owner_id,
            name: row.owner_name.clone(),
        },
        due_date: row.due_date.clone(),
        opened_on: row.opened_on.clone(),
        age_days: due::age_days(opened, until),
        age_bucket: due::age_bucket(opened, until),
        overdue,
        days_overdue: if overdue {
            due::days_overdue(due_date, today)
        } else {
            0
        },
        reopened: row.reopened,
    }
}

/// The CAPA if the caller may see it; "not found" otherwise.
async fn visible(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> Result<CapaRow, Error> {
    let row = repo::find(conn, id).await?.ok_or_else(|| not_found(id))?;
    if access::can_see(caller(actor), subject(&row)) {
        Ok(row)
    } else {
        Err(not_found(id))
    }
}

/// Loads the CAPA for a change, locked on PostgreSQL so changes to one CAPA run in turn.
async fn for_change(tx: &mut WriteTx, actor: &Actor, id: i64) -> Result<CapaRow, Error> {
    if tx.engine() == Engine::Postgres {
        repo::lock(tx.conn(), id).await?;
    }
    visible(tx.conn(), actor, id).await
}

fn change(action: &'static str, row: &CapaRow) -> Change {
    Change::new(action, "capa", row.id)
        .site(Some(row.site_code.clone()), Some(row.region_code.clone()))
}

// ---------------------------------------------------------------- lists

/// A SQL expression for "today" in each row's site time zone (`s.timezone`), shifted by
/// `shift` days: one branch per time zone the sites use. The dates are formatted here, never
/// taken from input, and the zone names come from the sites table (quotes doubled anyway).
fn site_date_sql(
    zones: &[String],
    now: DateTime<Utc>,
    shift: impl Fn(NaiveDate) -> NaiveDate,
) -> String {
    let mut sql = String::from("case s.timezone");
    for zone in zones {
        let date = shift(due::local_today(due::zone(zone), now));
        sql.push_str(&format!(
            " when '{}' then '{}'",
            zone.replace('\'', "''"),
            day_text(date)
        ));
    }
    sql.push_str(&format!(
        " else '{}' end",
        day_text(shift(now.date_naive()))
    ));
    sql
}

const FINAL_STATES: &str = "('closed', 'rejected', 'cancelled')";

/// CAPAs in the caller's scope, filtered and sorted.
pub async fn list(db: &Db, actor: &Actor, query: &CapaQuery) -> Result<Page<CapaSummary>, Error> {
    let (page, per_page, offset) = crate::users::paging(query.page, query.per_page.or(Some(25)));
    let (rows, total) = rows(db, actor, query, per_page, offset).await?;
    let now = Utc::now();
    let items = rows
        .iter()
        .map(|row| summary(row, due::local_today(due::zone(&row.timezone), now)))
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn rows(
    db: &Db,
    actor: &Actor,
    query: &CapaQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CapaRow>, i64), Error> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut fields = Vec::new();
    let mut bad = |field: &str, message: &str| {
        fields.push(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    let state = text(&query.state).filter(|s| s != "all");
    if let Some(s) = &state {
        if s != "active" && CapaState::parse(s).is_none() {
            bad("state", "Choose a state, active or all.");
        }
    }
    let severity = text(&query.severity);
    if severity
        .as_deref()
        .is_some_and(|s| Severity::parse(s).is_none())
    {
        bad("severity", "Choose critical, major or minor.");
    }
    let source = text(&query.source);
    if source
        .as_deref()
        .is_some_and(|s| CapaSource::parse(s).is_none())
    {
        bad("source", "Choose one of the CAPA sources.");
    }
    let age = text(&query.age);
    let bucket = age.as_deref().map(AgeBucket::parse);
    if bucket == Some(None) {
        bad("age", "Choose 0-30, 31-60, 61-90 or over-90.");
    }
    let order = match text(&query.sort).as_deref().unwrap_or("due") {
        "due" => "c.due_date, c.id",
        "-due" => "c.due_date desc, c.id desc",
        "opened" => "c.opened_on, c.id",
        "-opened" => "c.opened_on desc, c.id desc",
        "number" => "c.id",
        "-number" => "c.id desc",
        "state" => "c.state, c.due_date, c.id",
        "severity" => {
            "case c.severity when 'critical' then 0 when 'major' then 1 else 2 end, c.due_date, c.id"
        }
        _ => {
            bad("sort", "Sort by due, -due, opened, -opened, number, -number, state or severity.");
            "c.id"
        }
    };
    if !fields.is_empty() {
        return Err(Error::Invalid {
            message: "Please correct the filters.".into(),
            fields,
        });
    }
    if actor.user.role == Role::Staff {
        return Ok((Vec::new(), 0));
    }

    let mut conditions = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let bind = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        binds.len()
    };
    let scope = ScopeFilter::of(&actor.user.scope);
    let k = bind(scope.kind.to_string(), &mut binds);
    bind(scope.code.clone(), &mut binds);
    conditions.push(ScopeFilter::sql("co.region_code", "s.code", k));
    if query.mine == Some(true) {
        let n = bind(actor.id().to_string(), &mut binds);
        conditions.push(format!(
            "(c.owner_id = cast(${n} as bigint) or exists (select 1 from capa_actions x \
              where x.capa_id = c.id and x.owner_id = cast(${n} as bigint) \
                and x.status in ('planned', 'in_progress')))"
        ));
    }
    if let Some(site) = text(&query.site) {
        let n = bind(site.to_uppercase(), &mut binds);
        conditions.push(format!("s.code = ${n}"));
    }
    if let Some(region) = text(&query.region) {
        let n = bind(region.to_uppercase(), &mut binds);
        conditions.push(format!("co.region_code = ${n}"));
    }
    match state.as_deref() {
        Some("active") => conditions.push(format!("c.state not in {FINAL_STATES}")),
        Some(s) => {
            let n = bind(s.to_string(), &mut binds);
            conditions.push(format!("c.state = ${n}"));
        }
        None => {}
    }
    if let Some(s) = severity {
        let n = bind(s, &mut binds);
        conditions.push(format!("c.severity = ${n}"));
    }
    if let Some(s) = source {
        let n = bind(s, &mut binds);
        conditions.push(format!("c.source = ${n}"));
    }
    if let Some(q) = text(&query.q) {
        let n = bind(crate::trail::repo::like_pattern(&q), &mut binds);
        conditions.push(format!(
            "(lower(c.title) like ${n} escape '\\' or lower(c.number) like ${n} escape '\\')"
        ));
    }
    let mut conn = db.pool().acquire().await?;
    let now = Utc::now();
    if query.overdue.is_some() || bucket.is_some() {
        let zones = repo::site_timezones(&mut conn).await?;
        if let Some(overdue) = query.overdue {
            let today = site_date_sql(&zones, now, |d| d);
            conditions.push(if overdue {
                format!("(c.state not in {FINAL_STATES} and c.due_date < {today})")
            } else {
                format!("(c.state in {FINAL_STATES} or c.due_date >= {today})")
            });
        }
        if let Some(Some(bucket)) = bucket {
            // Age buckets describe CAPAs still running, by days since opening.
            conditions.push(format!("c.state not in {FINAL_STATES}"));
            let (least, most) = bucket.days();
            let latest = site_date_sql(&zones, now, |d| d - chrono::Duration::days(least));
            conditions.push(format!("c.opened_on <= {latest}"));
            if let Some(most) = most {
                let earliest = site_date_sql(&zones, now, |d| d - chrono::Duration::days(most));
                conditions.push(format!("c.opened_on >= {earliest}"));
            }
        }
    }
    Ok(repo::page(&mut conn, &conditions, &binds, order, limit, offset).await?)
}

/// The same list as CSV (every matching row, not one page).
pub async fn csv(db: &Db, actor: &Actor, query: &CapaQuery) -> Result<String, Error> {
    let (rows, _) = rows(db, actor, query, 100_000, 0).await?;
    let now = Utc::now();
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "number",
        "site",
        "title",
        "source",
        "severity",
        "state",
        "owner",
        "opened_on",
        "due_date",
        "age_days",
        "age_bucket",
        "overdue",
        "days_overdue",
        "reopened",
    ];
    let internal = |e: csv::Error| Error::Internal(e.to_string());
    out.write_record(header).map_err(internal)?;
    for row in &rows {
        let s = summary(row, due::local_today(due::zone(&row.timezone), now));
        out.write_record([
            s.number,
            s.site_code,
            s.title,
            s.source.as_str().to_string(),
            s.severity.as_str().to_string(),
            s.state.as_str().to_string(),
            s.owner.name,
            s.opened_on,
            s.due_date,
            s.age_days.to_string(),
            s.age_bucket.as_str().to_string(),
            if s.overdue { "yes" } else { "no" }.to_string(),
            s.days_overdue.to_string(),
            s.reopened.to_string(),
        ])
        .map_err(internal)?;
    }
    String::from_utf8(
        out.into_inner()
            .map_err(|e| Error::Internal(e.to_string()))?,
    )
    .map_err(|e| Error::Internal(e.to_string()))
}

// ---------------------------------------------------------------- one CAPA

/// One CAPA with its plan, checks, comments, files, follow-up data and timeline.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Capa, Error> {
    let mut conn = db.pool().acquire().await?;
    let row = visible(&mut conn, actor, id).await?;
    assemble(&mut conn, actor, row).await
}

async fn assemble(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    row: CapaRow,
) -> Result<Capa, Error> {
    let today = site_today(&row);
    let state = state_of(&row);
    let actions: Vec<CapaAction> = repo::actions(conn, row.id)
        .await?
        .iter()
        .map(|a| action_view(a, today))
        .collect();
    let finding = match row.finding_id {
        Some(finding_id) => repo::finding_source(conn, finding_id).await?,
        None => None,
    };
    let follow_up = follow_up(conn, &row, finding.as_ref()).await?;
    let closure = match row.closure_signature_id {
        Some(sid) => repo::signature(conn, sid)
            .await?
            .map(|(id, name, signed_at, meaning)| ClosureSignature {
                signer: Person { id, name },
                signed_at,
                meaning,
            }),
        None => None,
    };
    let timeline = read_timeline(conn, row.id).await?;
    let who = caller(actor);
    let on = subject(&row);
    let mut steps: Vec<CapaStep> = lifecycle::legal_steps(state)
        .into_iter()
        .filter(|step| access::allows(who, on, *step))
        .collect();
    if row.owner_id == actor.id() {
        steps.retain(|s| *s != CapaStep::ApprovePlan);
    }
    let works = access::can_work(who, on);
    let oversees = access::can_oversee(who, on);
    let can = CapaPermissions {
        steps,
        plan: works && (lifecycle::plan_open(state) || lifecycle::actions_progress(state)),
        edit: works && !state.is_final(),
        change_due: oversees && !state.is_final(),
        comment: true,
        attach: (works || oversees) && !state.is_final(),
    };
    Ok(Capa {
        summary: summary(&row, today),
        description: row.description.clone(),
        source_ref: row.source_ref.clone(),
        finding: finding.map(|f| FindingSource {
            audit_id: f.audit_id,
            finding_id: f.finding_id,
            number: f.number,
            clause: f.clause.clone(),
            description: f.description.clone(),
            audit_label: format!("{} audit of {}", f.template_title, f.planned_start),
        }),
        containment: row.containment.clone(),
        containment_at: row.containment_at.clone(),
        root_cause: row
            .root_cause_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<RootCauseAnalysis>(j).ok()),
        root_cause_at: row.root_cause_at.clone(),
        actions,
        plan_submitted_at: row.plan_submitted_at.clone(),
        plan_approved_by: row.plan_approved_by.map(|id| Person {
            id,
            name: row.plan_approved_by_name.clone().unwrap_or_default(),
        }),
        plan_approved_at: row.plan_approved_at.clone(),
        plan_return_reason: row.plan_return_reason.clone(),
        implemented_on: row.implemented_on.clone(),
        effectiveness_due: row.effectiveness_due.clone(),
        checks: repo::checks(conn, row.id).await?,
        follow_up,
        closure,
        end_reason: row.end_reason.clone(),
        comments: repo::comments(conn, row.id).await?,
        attachments: repo::attachments(conn, row.id).await?,
        timeline,
        created_by: Person {
            id: row.created_by,
            name: row.created_by_name.clone(),
        },
        created_at: row.created_at.clone(),
        can,
    })
}

fn action_view(row: &ActionRow, today: NaiveDate) -> CapaAction {
    let open = matches!(row.status.as_str(), "planned" | "in_progress");
    let overdue = open && parse_day(&row.due_date).is_some_and(|d| due::is_overdue(d, today));
    row.action(overdue)
}

/// What happened since implementation that speaks to effectiveness: the next answers to the
/// finding's checklist item at the site, or the next laboratory PT event scores.
async fn follow_up(
    conn: &mut sqlx::AnyConnection,
    row: &CapaRow,
    finding: Option<&repo::FindingSourceRow>,
) -> Result<Vec<FollowUpEvidence>, Error> {
    let Some(since) = row.implemented_on.clone() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if let Some((finding, item_text)) =
        finding.and_then(|f| f.item_text.as_deref().map(|text| (f, text)))
    {
        for (audit_id, date, answer) in repo::later_answers(
            conn,
            &row.site_code,
            &finding.template_code,
            item_text,
            &since,
        )
        .await?
        {
            let answer = app::model::audits::Answer::parse(&answer);
            out.push(FollowUpEvidence {
                label: format!("Audit of {date}: the same checklist item"),
                value: answer.map(|a| a.label()).unwrap_or("—").to_string(),
                date,
                favourable: match answer {
                    Some(app::model::audits::Answer::Yes) => Some(true),
                    Some(app::model::audits::Answer::No | app::model::audits::Answer::Partial) => {
                        Some(false)
                    }
                    _ => None,
                },
                href: Some(format!("/audits/{audit_id}")),
            });
        }
    }
    if matches!(row.source.as_str(), "pt_result" | "pt_event") {
        for (date, label, percent) in repo::later_pt_scores(conn, row.site_id, &since).await? {
            out.push(FollowUpEvidence {
                label: format!("PT event {label}"),
                value: format!("{percent:.0}%"),
                date,
                favourable: Some(percent >= 80.0),
                href: None,
            });
        }
    }
    Ok(out)
}

/// Turns a trail entry into a line of the timeline: what happened in words, and the detail
/// the change recorded.
fn timeline_entry(at: String, actor: String, action: &str, after: Option<&str>) -> TimelineEntry {
    let after: serde_json::Value = after
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    let what = match action {
        "capa.create" => "Raised",
        "capa.update" => "Particulars changed",
        "capa.contain" => "Containment recorded",
        "capa.root_cause" => "Root cause recorded",
        "capa.submit_plan" => "Plan submitted for approval",
        "capa.approve_plan" => "Plan approved",
        "capa.return_plan" => "Plan returned",
        "capa.start" => "Implementation started",
        "capa.complete" => "Implementation complete",
        "capa.verify" => "Effectiveness checked",
        "capa.close" => "Closed with signature",
        "capa.reject" => "Rejected",
        "capa.cancel" => "Cancelled",
        "capa.action.add" => "Action added",
        "capa.action.update" => "Action changed",
        "capa.comment" => "Comment",
        "capa.attach" => "File attached",
        other => other,
    };
    TimelineEntry {
        at,
        actor,
        action: action.to_string(),
        what: what.to_string(),
        detail: after
            .get("detail")
            .and_then(|d| d.as_str())
            .unwrap_or_default()
            .to_string(),
    }
}

/// The timeline alone.
pub async fn timeline(db: &Db, actor: &Actor, id: i64) -> Result<Vec<TimelineEntry>, Error> {
    let mut conn = db.pool().acquire().await?;
    let row = visible(&mut conn, actor, id).await?;
    read_timeline(&mut conn, row.id).await
}

async fn read_timeline(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Vec<TimelineEntry>, Error> {
    Ok(repo::trail(conn, id)
        .await?
        .into_iter()
        .map(|(at, actor, action, after)| timeline_entry(at, actor, &action, after.as_deref()))
        .collect())
}

/// The comments alone, oldest first.
pub async fn comments(db: &Db, actor: &Actor, id: i64) -> Result<Vec<CapaComment>, Error> {
    let mut conn = db.pool().acquire().await?;
    let row = visible(&mut conn, actor, id).await?;
    Ok(repo::comments(&mut conn, row.id).await?)
}

// ---------------------------------------------------------------- create and update

/// Checks that `owner` may own CAPAs and actions of the site.
async fn check_assignee(
    conn: &mut sqlx::AnyConnection,
    site_id: i64,
    region: &str,
    owner: i64,
    field: &str,
) -> Result<Person, Error> {
    repo::assignees(conn, site_id, region)
        .await?
        .into_iter()
        .find(|p| p.id == owner)
        .ok_or_else(|| {
            Error::invalid_field(
                field,
                "Choose the site's lead, a quality officer or a regional manager whose scope includes the site.",
            )
        })
}

fn check_due(field: &str, text: &str, not_before: NaiveDate) -> Result<NaiveDate, Error> {
    let date = parse_day(text)
        .ok_or_else(|| Error::invalid_field(field, "Give the date as YYYY-MM-DD."))?;
    if date < not_before {
        return Err(Error::invalid_field(
            field,
            format!("The due date cannot be before {}.", day_text(not_before)),
        ));
    }
    if (date - not_before).num_days() > MAX_DUE_DAYS {
        return Err(Error::invalid_field(
            field,
            "The due date is more than two years away; choose an earlier date.",
        ));
    }
    Ok(date)
}

/// Raises a CAPA, by hand or from a finding (then only the finding is needed).
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn create(db: &Db, actor: &Actor, new: NewCapa) -> Result<Capa, Error> {
    let mut tx = db.begin_write().await?;
    let finding = match new.finding_id {
        Some(fid) => {
            let f = repo::finding_source(tx.conn(), fid)
                .await?
                .ok_or_else(|| Error::NotFound(format!("There is no finding with id {fid}.")))?;
            let audit_state = AuditState::parse(&f.audit_state).unwrap_or(AuditState::Planned);
            let role = actor.user.role;
            let sees = crate::audits::access::can_see(
                role,
                &actor.user.scope,
                &f.site_code,
                &f.region_code,
            ) && crate::audits::access::can_see_results(role, audit_state);
            if !sees {
                return Err(Error::NotFound(format!(
                    "There is no finding with id {fid}."
                )));
            }
            if f.status != "open" {
                return Err(Error::invalid_field(
                    "finding_id",
                    "This finding was withdrawn; it needs no CAPA.",
                ));
            }
            Some(f)
        }
        None => None,
    };
    let site_code = match (&finding, new.site.as_deref().map(str::trim)) {
        (Some(f), _) => f.site_code.clone(),
        (None, Some(code)) if !code.is_empty() => code.to_uppercase(),
        _ => return Err(Error::invalid_field("site", "Choose the site.")),
    };
    let (site_id, region, timezone) =
        repo::site(tx.conn(), &site_code).await?.ok_or_else(|| {
            Error::invalid_field("site", format!("There is no active site {site_code}."))
        })?;
    if !access::can_create(actor.user.role, &actor.user.scope, &site_code, &region) {
        return Err(forbidden(&format!("raise CAPAs for {site_code}")));
    }

    let severity = match (new.severity, &finding) {
        (Some(s), _) => s,
        (None, Some(f)) => Severity::parse(&f.severity).unwrap_or(Severity::Minor),
        (None, None) => {
            return Err(Error::invalid_field(
                "severity",
                "Choose critical, major or minor.",
            ))
        }
    };
    if severity == Severity::Observation {
        return Err(Error::invalid_field(
            "severity",
            "Observations need no CAPA; choose critical, major or minor to raise one anyway.",
        ));
    }
    let source = if finding.is_some() {
        CapaSource::AuditFinding
    } else {
        new.source
            .ok_or_else(|| Error::invalid_field("source", "Choose where the problem came from."))?
    };
    if source == CapaSource::AuditFinding && finding.is_none() {
        return Err(Error::invalid_field(
            "source",
            "Raise CAPAs for audit findings from the finding itself, so they stay linked.",
        ));
    }
    let title = match (new.title.as_deref().map(str::trim), &finding) {
        (Some(t), _) if !t.is_empty() => t.to_string(),
        (_, Some(f)) => {
            let text: String = f.description.chars().take(120).collect();
            let clause = if f.clause.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.clause)
            };
            format!("Finding {}{clause}: {text}", f.number)
        }
        _ => String::new(),
    };
    let title_chars = title.chars().count();
    if !(3..=200).contains(&title_chars) {
        return Err(Error::invalid_field(
            "title",
            "Give a title of 3 to 200 characters.",
        ));
    }
    let description = match (new.description.as_deref().map(str::trim), &finding) {
        (Some(d), _) if !d.is_empty() => d.to_string(),
        (_, Some(f)) => {
            let mut d = f.description.clone();
            if !f.evidence.is_empty() {
                d.push_str(&format!("\n\nObjective evidence: {}", f.evidence));
            }
            d.push_str(&format!(
                "\n\nRaised from finding {} of the {} audit of {} ({}).",
                f.number, f.template_title, site_code, f.planned_start
            ));
            d
        }
        _ => String::new(),
    };
    if description.chars().count() > MAX_TEXT {
        return Err(Error::invalid_field(
            "description",
            format!("At most {MAX_TEXT} characters."),
        ));
    }
    let source_ref = new
        .source_ref
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    if source_ref.chars().count() > 200 {
        return Err(Error::invalid_field(
            "source_ref",
            "At most 200 characters.",
        ));
    }
    let source_key = finding
        .as_ref()
        .map(|f| format!("finding:{}", f.finding_id));
    if let Some(key) = &source_key {
        if let Some(number) = repo::live_for_source(tx.conn(), key).await? {
            return Err(Error::Conflict(format!(
                "This finding already has {number}; open it instead of raising another."
            )));
        }
    }
    let owner_id = match new.owner_id {
        Some(id) => id,
        None => repo::site_lead(tx.conn(), site_id)
            .await?
            .unwrap_or(actor.id()),
    };
    check_assignee(tx.conn(), site_id, &region, owner_id, "owner_id").await?;

    let opened = due::local_today(due::zone(&timezone), Utc::now());
    let due_date = match new
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => check_due("due_date", text, opened)?,
        None => due::default_due(opened, severity, &repo::due_days(tx.conn()).await?),
    };
    let year = opened
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2026);
    let (seq, number) = repo::next_number(tx.conn(), year).await?;
    let now = now_text();
    let inserted = repo::insert(
        tx.conn(),
        &repo::NewRow {
            year,
            seq,
            number: &number,
            site_id,
            title: &title,
            description: &description,
            source: source.as_str(),
            source_ref: &source_ref,
            source_key: source_key.as_deref(),
            finding_id: finding.as_ref().map(|f| f.finding_id),
            severity: severity.as_str(),
            owner_id,
            state: CapaState::Open.as_str(),
            opened_on: &day_text(opened),
            due_date: &day_text(due_date),
            created_by: actor.id(),
            now: &now,
        },
    )
    .await;
    let id = match inserted {
        Ok(id) => id,
        // Another request raised a CAPA for the same finding between the check and the insert.
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Err(Error::Conflict(
                "This finding already has a CAPA; open it instead of raising another.".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let row = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::Internal("CAPA vanished".into()))?;
    let detail = match &finding {
        Some(f) => format!(
            "{number} raised from finding {} ({})",
            f.number,
            severity.label()
        ),
        None => format!("{number} raised ({}, {})", source.label(), severity.label()),
    };
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("capa.create", &row).after(json!({
            "summary": summary(&row, opened),
            "detail": detail,
        })),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Changes title, description, owner or due date (the due date only by those who oversee,
/// with a reason).
#[tracing::instrument(skip_all, fields(actor = actor.id(), capa_id = id))]
pub async fn update(db: &Db, actor: &Actor, id: i64, update: CapaUpdate) -> Result<Capa, Error> {
    let mut tx = db.begin_write().await?;
    let mut row = for_change(&mut tx, actor, id).await?;
    let state = state_of(&row);
    let who = caller(actor);
    if !access::can_work(who, subject(&row)) && !access::can_oversee(who, subject(&row)) {
        return Err(forbidden("change this CAPA"));
    }
    if state.is_final() {
        return Err(Error::Conflict(format!(
            "This CAPA is {}; it no longer changes.",
            state.label().to_lowercase()
        )));
    }
    let today = site_today(&row);
    let before = summary(&row, today);
    let mut notes = Vec::new();
    if let Some(title) = update.title.as_deref().map(str::trim) {
        if !(3..=200).contains(&title.chars().count()) {
            return Err(Error::invalid_field(
                "title",
                "Give a title of 3 to 200 characters.",
            ));
        }
        row.title = title.to_string();
    }
    if let Some(description) = update.description.as_deref().map(str::trim) {
        if description.chars().count() > MAX_TEXT {
            return Err(Error::invalid_field(
                "description",
                format!("At most {MAX_TEXT} characters."),
            ));
        }
        row.description = description.to_string();
    }
    if let Some(owner) = update.owner_id.filter(|o| *o != row.owner_id) {
        let person = check_assignee(
            tx.conn(),
            row.site_id,
            &row.region_code.clone(),
            owner,
            "owner_id",
        )
        .await?;
        notes.push(format!("owner now {}", person.name));
        row.owner_id = owner;
    }
    if let Some(text) = update
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|d| *d != row.due_date)
    {
        if !access::can_oversee(who, subject(&row)) {
            return Err(forbidden(
                "move a CAPA's due date (regional managers and quality officers do)",
            ));
        }
        let opened = parse_day(&row.opened_on).unwrap_or(today);
        let date = check_due("due_date", text, opened)?;
        let reason = required_text(
            "reason",
            update.reason.as_deref(),
            5,
            "Say why the due date moves",
        )?;
        notes.push(format!(
            "due date {} → {} ({reason})",
            row.due_date,
            day_text(date)
        ));
        row.due_date = day_text(date);
    }
    repo::save(tx.conn(), &row, &now_text()).await?;
    let row = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found(id))?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("capa.update", &row)
            .before(&before)
            .after(json!({ "summary": summary(&row, today), "detail": notes.join("; ") })),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

// ---------------------------------------------------------------- the lifecycle

fn trail_action(step: CapaStep) -> &'static str {
    match step {
        CapaStep::Contain => "capa.contain",
        CapaStep::RootCause => "capa.root_cause",
        CapaStep::SubmitPlan => "capa.submit_plan",
        CapaStep::ApprovePlan => "capa.approve_plan",
        CapaStep::ReturnPlan => "capa.return_plan",
        CapaStep::Start => "capa.start",
        CapaStep::Complete => "capa.complete",
        CapaStep::Verify => "capa.verify",
        CapaStep::Close => "capa.close",
        CapaStep::Reject => "capa.reject",
        CapaStep::Cancel => "capa.cancel",
    }
}

/// Checks a root-cause analysis: the method's working must be there, and the conclusion.
pub fn check_root_cause(analysis: &RootCauseAnalysis) -> Result<RootCauseAnalysis, Error> {
    let mut clean = analysis.clone();
    clean.root_cause = clean.root_cause.trim().to_string();
    clean.analysis = clean.analysis.trim().to_string();
    clean.whys = clean.whys.iter().map(|w| w.trim().to_string()).collect();
    while clean.whys.last().is_some_and(|w| w.is_empty()) {
        clean.whys.pop();
    }
    let too_long = |t: &str| t.chars().count() > MAX_TEXT;
    match clean.method {
        RootCauseMethod::FiveWhys => {
            if clean.whys.len() < 2 || clean.whys.iter().any(|w| w.is_empty()) {
                return Err(Error::invalid_field(
                    "whys",
                    "Answer at least two whys, in order, without gaps (up to five).",
                ));
            }
            if clean.whys.len() > 5 || clean.whys.iter().any(|w| too_long(w)) {
                return Err(Error::invalid_field(
                    "whys",
                    "At most five whys, each at most 4000 characters.",
                ));
            }
        }
        RootCauseMethod::Fishbone => {
            let filled = clean
                .fishbone
                .categories()
                .iter()
                .filter(|(_, _, v)| !v.trim().is_empty())
                .count();
            if filled < 2 {
                return Err(Error::invalid_field(
                    "fishbone",
                    "Write the possible causes under at least two of the six categories.",
                ));
            }
            if clean
                .fishbone
                .categories()
                .iter()
                .any(|(_, _, v)| too_long(v))
            {
                return Err(Error::invalid_field(
                    "fishbone",
                    "At most 4000 characters per category.",
                ));
            }
        }
        RootCauseMethod::Other => {
            if clean.analysis.chars().count() < 20 {
                return Err(Error::invalid_field(
                    "analysis",
                    "Describe the analysis (at least 20 characters).",
                ));
            }
        }
    }
    if too_long(&clean.analysis) {
        return Err(Error::invalid_field("analysis", "At most 4000 characters."));
    }
    let length = clean.root_cause.chars().count();
    if !(10..=MAX_TEXT).contains(&length) {
        return Err(Error::invalid_field(
            "root_cause",
            "State the root cause the analysis found (at least 10 characters).",
        ));
    }
    Ok(clean)
}

/// Takes one step of the lifecycle. `close` is an electronic signature: the password is
/// checked (counting towards lockout) before anything is written.
#[tracing::instrument(skip_all, fields(actor = actor.id(), capa_id = id, step = step.as_str()))]
pub async fn step(
    db: &Db,
    actor: &Actor,
    id: i64,
    step: CapaStep,
    input: StepInput,
    lockout: &LockoutPolicy,
) -> Result<Capa, Error> {
    if step == CapaStep::Close {
        // Refuse what would be refused anyway before asking for the password, so a wrong
        // state does not cost a lockout strike.
        {
            let mut conn = db.pool().acquire().await?;
            let row = visible(&mut conn, actor, id).await?;
            check_step(&mut conn, actor, &row, step, &input).await?;
        }
        let password = input.password.clone().unwrap_or_default();
        if password.is_empty() {
            return Err(Error::invalid_field(
                "password",
                "Enter your password to sign.",
            ));
        }
        signatures::verify_signer(db, actor, password, lockout).await?;
    }
    let mut tx = db.begin_write().await?;
    let mut row = for_change(&mut tx, actor, id).await?;
    let to = check_step(tx.conn(), actor, &row, step, &input).await?;
    let today = site_today(&row);
    let now = now_text();
    let before = summary(&row, today);
    let detail: String;
    let mut extra = serde_json::Map::new();
    match step {
        CapaStep::Contain => {
            let text = required_text(
                "containment",
                input.containment.as_deref(),
                10,
                "Describe the immediate correction",
            )?;
            row.containment = text.clone();
            row.containment_at = Some(now.clone());
            detail = text;
        }
        CapaStep::RootCause => {
            let analysis = input.root_cause.as_ref().ok_or_else(|| {
                Error::invalid_field("root_cause", "Record the root-cause analysis.")
            })?;
            let analysis = check_root_cause(analysis)?;
            row.root_cause_json =
                Some(serde_json::to_string(&analysis).map_err(|e| Error::Internal(e.to_string()))?);
            row.root_cause_at = Some(now.clone());
            detail = format!("{}: {}", analysis.method.label(), analysis.root_cause);
            extra.insert("root_cause".into(), json!(analysis));
        }
        CapaStep::SubmitPlan => {
            row.plan_submitted_at = Some(now.clone());
            row.plan_return_reason = None;
            detail = String::new();
        }
        CapaStep::ApprovePlan => {
            row.plan_approved_by = Some(actor.id());
            row.plan_approved_at = Some(now.clone());
            detail = String::new();
        }
        CapaStep::ReturnPlan => {
            let reason = required_text(
                "reason",
                input.reason.as_deref(),
                5,
                "Say why the plan goes back",
            )?;
            row.plan_return_reason = Some(reason.clone());
            row.plan_submitted_at = None;
            detail = reason;
        }
        CapaStep::Start => {
            row.implementation_started_at = Some(now.clone());
            detail = String::new();
        }
        CapaStep::Complete => {
            let implemented = match input
                .implemented_on
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                Some(text) => parse_day(text).ok_or_else(|| {
                    Error::invalid_field("implemented_on", "Give the date as YYYY-MM-DD.")
                })?,
                None => today,
            };
            let approved = row
                .plan_approved_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| due::local_today(due::zone(&row.timezone), t.to_utc()))
                .unwrap_or(today);
            if implemented > today || implemented < approved {
                return Err(Error::invalid_field(
                    "implemented_on",
                    format!(
                        "The implementation date must lie between the plan's approval ({}) and today ({}).",
                        day_text(approved),
                        day_text(today)
                    ),
                ));
            }
            let earliest = due::earliest_check(implemented);
            let check_on = match input
                .effectiveness_due
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                Some(text) => parse_day(text).ok_or_else(|| {
                    Error::invalid_field("effectiveness_due", "Give the date as YYYY-MM-DD.")
                })?,
                None => earliest,
            };
            if check_on < earliest {
                return Err(Error::invalid_field(
                    "effectiveness_due",
                    format!(
                        "The effectiveness check comes at least {} days after implementation: {} or later.",
                        due::EFFECTIVENESS_DELAY_DAYS,
                        day_text(earliest)
                    ),
                ));
            }
            row.implemented_on = Some(day_text(implemented));
            row.effectiveness_due = Some(day_text(check_on));
            detail = format!(
                "implemented on {}; effectiveness check on or after {}",
                day_text(implemented),
                day_text(check_on)
            );
        }
        CapaStep::Verify => {
            let verdict = input.verdict.ok_or_else(|| {
                Error::invalid_field("verdict", "Choose effective or not effective.")
            })?;
            let evidence = required_text(
                "evidence",
                input.evidence.as_deref(),
                10,
                "Record the evidence the verdict rests on",
            )?;
            repo::insert_check(tx.conn(), row.id, verdict, &evidence, actor.id(), &now).await?;
            if verdict == Verdict::Ineffective {
                row.reopened += 1;
                row.reopened_at = Some(now.clone());
                row.root_cause_at = None;
                row.plan_submitted_at = None;
                row.plan_approved_by = None;
                row.plan_approved_at = None;
                row.implementation_started_at = None;
                row.implemented_on = None;
                row.effectiveness_due = None;
            }
            detail = format!("{}: {evidence}", verdict.label());
            extra.insert("verdict".into(), json!(verdict));
        }
        CapaStep::Close => {
            let content = serde_json::to_vec(&json!({
                "capa": row.number,
                "summary": before,
                "checks": repo::checks(tx.conn(), row.id).await?,
            }))
            .map_err(|e| Error::Internal(e.to_string()))?;
            let signature = signatures::record(
                &mut tx,
                actor,
                Meaning::VerifiedEffective,
                "capa",
                &row.id.to_string(),
                &signatures::content_hash(&content),
            )
            .await?;
            row.closure_signature_id = Some(signature.id);
            row.closed_at = Some(now.clone());
            row.ended_on = Some(day_text(today));
            detail = "Verified effective and closed".into();
        }
        CapaStep::Reject | CapaStep::Cancel => {
            let what = if step == CapaStep::Reject {
                "rejected"
            } else {
                "cancelled"
            };
            let reason = required_text(
                "reason",
                input.reason.as_deref(),
                5,
                &format!("Say why the CAPA is {what}"),
            )?;
            row.end_reason = Some(reason.clone());
            row.ended_on = Some(day_text(today));
            detail = reason;
        }
    }
    row.state = to.as_str().to_string();
    repo::save(tx.conn(), &row, &now).await?;
    let row = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found(id))?;
    extra.insert("summary".into(), json!(summary(&row, today)));
    extra.insert("detail".into(), json!(detail));
    trail::record(
        &mut tx,
        &Who::from(actor),
        change(trail_action(step), &row)
            .before(json!({ "state": before.state }))
            .after(serde_json::Value::Object(extra)),
    )
    .await?;
    if step == CapaStep::Close {
        // The audit the finding came from closes when its last CAPA does.
        if let Some(finding) = row.finding_id {
            if let Some(audit) = crate::audits::repo::audit_of_finding(tx.conn(), finding).await? {
                crate::audits::close_when_resolved(&mut tx, &Who::from(actor), audit).await?;
            }
        }
    }
    tx.commit().await?;
    get(db, actor, id).await
}

/// Everything that decides whether a step may be taken now, without writing: role and scope,
/// the state machine, and the step's own preconditions. Returns the state it leads to.
async fn check_step(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    row: &CapaRow,
    step: CapaStep,
    input: &StepInput,
) -> Result<CapaState, Error> {
    let state = state_of(row);
    if !access::allows(caller(actor), subject(row), step) {
        return Err(forbidden(&format!(
            "'{}' on this CAPA",
            step.label().to_lowercase()
        )));
    }
    let mut to = lifecycle::transition(state, step).map_err(Error::Conflict)?;
    let today = site_today(row);
    match step {
        CapaStep::SubmitPlan => {
            // Reopening clears the analysis's time: it must be recorded again.
            if row.reopened > 0 && row.root_cause_at.is_none() {
                return Err(Error::invalid_field(
                    "root_cause",
                    "This CAPA was reopened after an ineffective check: revise the root-cause analysis before submitting a new plan.",
                ));
            }
            let actions = repo::actions(conn, row.id).await?;
            if !actions
                .iter()
                .any(|a| matches!(a.status.as_str(), "planned" | "in_progress"))
            {
                return Err(Error::invalid_field(
                    "actions",
                    "Add at least one action (with owner and due date) that is still to be done.",
                ));
            }
        }
        CapaStep::ApprovePlan if row.owner_id == actor.id() => {
            return Err(Error::Forbidden(
                "You own this CAPA, so you cannot approve its plan: the regional manager or a quality officer who does not own it approves.".into(),
            ));
        }
        CapaStep::Complete => {
            let open: Vec<String> = repo::actions(conn, row.id)
                .await?
                .iter()
                .filter(|a| matches!(a.status.as_str(), "planned" | "in_progress"))
                .map(|a| {
                    format!(
                        "{} ({})",
                        a.number,
                        a.description.chars().take(40).collect::<String>()
                    )
                })
                .collect();
            if !open.is_empty() {
                return Err(Error::invalid_field(
                    "actions",
                    format!(
                        "Mark every action done (or cancelled) first; still open: {}.",
                        open.join(", ")
                    ),
                ));
            }
        }
        CapaStep::Verify => {
            let due_on = row
                .effectiveness_due
                .as_deref()
                .and_then(parse_day)
                .unwrap_or(today);
            if today < due_on {
                return Err(Error::invalid_field(
                    "verdict",
                    format!(
                        "The effectiveness check is scheduled for {} (at least 30 days after implementation); it can be recorded from that day.",
                        day_text(due_on)
                    ),
                ));
            }
            if let Some(verdict) = input.verdict {
                to = lifecycle::after_verdict(verdict);
            }
        }
        CapaStep::Close => {
            let checks = repo::checks(conn, row.id).await?;
            let effective_since_reopen = checks.iter().rev().find(|c| {
                row.reopened_at
                    .as_deref()
                    .is_none_or(|r| c.checked_at.as_str() >= r)
            });
            if effective_since_reopen.is_none_or(|c| c.verdict != Verdict::Effective) {
                return Err(Error::invalid_field(
                    "verdict",
                    "Record an effective effectiveness check before closing the CAPA.",
                ));
            }
        }
        _ => {}
    }
    Ok(to)
}

// ---------------------------------------------------------------- actions

/// Adds an action to the plan (before it is submitted).
#[tracing::instrument(skip_all, fields(actor = actor.id(), capa_id = id))]
pub async fn add_action(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: ActionInput,
) -> Result<CapaAction, Error> {
    let mut tx = db.begin_write().await?;
    let row = for_change(&mut tx, actor, id).await?;
    if !access::can_work(caller(actor), subject(&row)) {
        return Err(forbidden("plan actions for this CAPA"));
    }
    let state = state_of(&row);
    if !lifecycle::plan_open(state) {
        return Err(Error::Conflict(format!(
            "This CAPA is in state '{}'; actions are added while the plan is drawn up (open, containment, root cause). Possible now: {}.",
            state.as_str(),
            lifecycle::legal_steps(state).iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let description = required_text(
        "description",
        Some(&input.description),
        5,
        "Describe the action",
    )?;
    let owner = input.owner_id.unwrap_or(row.owner_id);
    let person =
        check_assignee(tx.conn(), row.site_id, &row.region_code, owner, "owner_id").await?;
    let today = site_today(&row);
    let due_date = match input
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => check_due("due_date", text, today)?,
        None => parse_day(&row.due_date).unwrap_or(today),
    };
    let justification = input.justification.trim().to_string();
    check_action_due(&row, due_date, &justification)?;
    let now = now_text();
    let action_id = repo::insert_action(
        tx.conn(),
        row.id,
        &description,
        owner,
        &day_text(due_date),
        &justification,
        actor.id(),
        &now,
    )
    .await?;
    let action = repo::action(tx.conn(), row.id, action_id)
        .await?
        .ok_or_else(|| Error::Internal("action vanished".into()))?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("capa.action.add", &row).after(json!({
            "action": action_view(&action, today),
            "detail": format!("{}. {description} — {}, due {}", action.number, person.name, day_text(due_date)),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(action_view(&action, today))
}

/// An action due after the CAPA needs a written justification.
fn check_action_due(row: &CapaRow, due_date: NaiveDate, justification: &str) -> Result<(), Error> {
    let capa_due = parse_day(&row.due_date);
    if capa_due.is_some_and(|d| due_date > d) && justification.chars().count() < 10 {
        return Err(Error::invalid_field(
            "justification",
            format!(
                "This action is due after the CAPA itself ({}): justify why (at least 10 characters), or choose an earlier date.",
                row.due_date
            ),
        ));
    }
    Ok(())
}

/// Changes an action: its particulars while the plan is drawn up, its status while the plan is
/// carried out.
#[tracing::instrument(skip_all, fields(actor = actor.id(), capa_id = id, action_id))]
pub async fn update_action(
    db: &Db,
    actor: &Actor,
    id: i64,
    action_id: i64,
    update: ActionUpdate,
) -> Result<CapaAction, Error> {
    let mut tx = db.begin_write().await?;
    let row = for_change(&mut tx, actor, id).await?;
    let mut action = repo::action(tx.conn(), row.id, action_id)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "CAPA {} has no action with id {action_id}.",
                row.number
            ))
        })?;
    let is_action_owner =
        action.owner_id == actor.id() && access::can_see(caller(actor), subject(&row));
    if !access::can_work(caller(actor), subject(&row)) && !is_action_owner {
        return Err(forbidden("change this CAPA's actions"));
    }
    let state = state_of(&row);
    let today = site_today(&row);
    let before = action_view(&action, today);
    let particulars = update.description.is_some()
        || update.owner_id.is_some()
        || update.due_date.is_some()
        || update.justification.is_some();
    if particulars && !lifecycle::plan_open(state) {
        return Err(Error::Conflict(format!(
            "This CAPA is in state '{}'; an action's description, owner and due date change only while the plan is drawn up.",
            state.as_str()
        )));
    }
    if let Some(d) = &update.description {
        action.description = required_text("description", Some(d), 5, "Describe the action")?;
    }
    if let Some(owner) = update.owner_id {
        check_assignee(tx.conn(), row.site_id, &row.region_code, owner, "owner_id").await?;
        action.owner_id = owner;
    }
    if let Some(j) = &update.justification {
        action.justification = j.trim().to_string();
    }
    if let Some(text) = &update.due_date {
        action.due_date = day_text(check_due("due_date", text, today)?);
    }
    if particulars {
        check_action_due(
            &row,
            parse_day(&action.due_date).unwrap_or(today),
            &action.justification,
        )?;
    }
    if let Some(status) = update.status {
        let allowed = match status {
            ActionStatus::Cancelled => {
                lifecycle::plan_open(state) || lifecycle::actions_progress(state)
            }
            ActionStatus::Planned => lifecycle::plan_open(state),
            ActionStatus::InProgress | ActionStatus::Done => lifecycle::actions_progress(state),
        };
        if !allowed {
            return Err(Error::Conflict(format!(
                "This CAPA is in state '{}'; actions are marked in progress or done once the plan is approved.",
                state.as_str()
            )));
        }
        action.completed_at = (status == ActionStatus::Done).then(now_text);
        action.status = status.as_str().to_string();
    }
    repo::save_action(tx.conn(), &action, &now_text()).await?;
    let action = repo::action(tx.conn(), row.id, action_id)
        .await?
        .ok_or_else(|| Error::Internal("action vanished".into()))?;
    let after = action_view(&action, today);
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("capa.action.update", &row).before(&before).after(json!({
            "action": after,
            "detail": format!("{}. {} — {}", after.number, after.description.chars().take(60).collect::<String>(), after.status.label()),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- comments and files

/// Adds a comment (anyone who may see the CAPA; also once it is final).
#[tracing::instrument(skip_all, fields(actor = actor.id(), capa_id = id))]
pub async fn comment(db: &Db, actor: &Actor, id: i64, body: &str) -> Result<CapaComment, Error> {
    let body = required_text("body", Some(body), 1, "Write the comment")?;
    let mut tx = db.begin_write().await?;
    let row = for_change(&mut tx, actor, id).await?;
    let now = now_text();
    let comment_id = repo::insert_comment(tx.conn(), row.id, &body, actor.id(), &now).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("capa.comment", &row).after(json!({ "comment_id": comment_id, "detail": body })),
    )
    .await?;
    tx.commit().await?;
    Ok(CapaComment {
        id: comment_id,
        author: Person {
            id: actor.id(),
            name: actor.user.name.clone(),
        },
        body,
        created_at: now,
    })
}

/// Attaches a photo or PDF (evidence of containment, actions, effectiveness).
#[tracing::instrument(skip_all, fields(actor = actor.id(), capa_id = id))]
pub async fn attach(
    db: &Db,
    actor: &Actor,
    id: i64,
    upload: crate::documents::Upload,
) -> Result<CapaAttachment, Error> {
    let (name, media_type) = crate::audits::check_evidence(&upload)?;
    let mut tx = db.begin_write().await?;
    let row = for_change(&mut tx, actor, id).await?;
    let who = caller(actor);
    if !access::can_work(who, subject(&row)) && !access::can_oversee(who, subject(&row)) {
        return Err(forbidden("attach files to this CAPA"));
    }
    if state_of(&row).is_final() {
        return Err(Error::Conflict(
            "This CAPA is final; files can no longer be attached.".into(),
        ));
    }
    let sha256 = signatures::content_hash(&upload.bytes);
    let now = now_text();
    let attachment_id = repo::insert_attachment(
        tx.conn(),
        row.id,
        &name,
        media_type,
        &sha256,
        &upload.bytes,
        actor.id(),
        &now,
    )
    .await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("capa.attach", &row).after(json!({
            "attachment_id": attachment_id, "sha256": sha256, "size": upload.bytes.len(),
            "detail": name,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(CapaAttachment {
        id: attachment_id,
        file_name: name,
        media_type: media_type.to_string(),
        size: upload.bytes.len() as i64,
        sha256,
        uploaded_by: Person {
            id: actor.id(),
            name: actor.user.name.clone(),
        },
        uploaded_at: now,
    })
}

/// An attachment's name, media type and bytes.
pub async fn attachment_file(
    db: &Db,
    actor: &Actor,
    id: i64,
    attachment_id: i64,
) -> Result<(String, String, Vec<u8>), Error> {
    let mut conn = db.pool().acquire().await?;
    visible(&mut conn, actor, id).await?;
    repo::attachment_file(&mut conn, id, attachment_id)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "CAPA {id} has no attachment with id {attachment_id}."
            ))
        })
}

// ---------------------------------------------------------------- people and settings

/// Who may own the site's CAPAs and actions.
pub async fn assignees(db: &Db, actor: &Actor, site_code: &str) -> Result<Vec<Person>, Error> {
    let mut conn = db.pool().acquire().await?;
    let code = site_code.trim().to_uppercase();
    let (site_id, region, _) = repo::site(&mut conn, &code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no site {code}.")))?;
    if actor.user.role == Role::Staff
        || !crate::auth::policy::reaches(&actor.user.scope, &code, &region)
    {
        return Err(Error::NotFound(format!("There is no site {code}.")));
    }
    Ok(repo::assignees(&mut conn, site_id, &region).await?)
}

/// The default due days per severity.
pub async fn due_days(db: &Db, _actor: &Actor) -> Result<DueDays, Error> {
    let mut conn = db.pool().acquire().await?;
    Ok(repo::due_days(&mut conn).await?)
}

/// Sets the default due days per severity (admins).
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn set_due_days(db: &Db, actor: &Actor, days: DueDays) -> Result<DueDays, Error> {
    if actor.user.role != Role::Admin {
        return Err(forbidden("change CAPA settings"));
    }
    let mut fields = Vec::new();
    for (field, value) in [
        ("critical", days.critical),
        ("major", days.major),
        ("minor", days.minor),
    ] {
        if !(1..=365).contains(&value) {
            fields.push(FieldError {
                field: field.into(),
                message: "Give a number of days from 1 to 365.".into(),
            });
        }
    }
    if !fields.is_empty() {
        return Err(Error::Invalid {
            message: "Please correct the days.".into(),
            fields,
        });
    }
    let mut tx = db.begin_write().await?;
    let before = repo::due_days(tx.conn()).await?;
    repo::save_due_days(tx.conn(), &days, actor.id(), &now_text()).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("capa.settings", "setting", "capa_due_days")
            .before(&before)
            .after(&days),
    )
    .await?;
    tx.commit().await?;
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::capa::Fishbone;

    fn analysis(method: RootCauseMethod) -> RootCauseAnalysis {
        RootCauseAnalysis {
            method,
            whys: Vec::new(),
            fishbone: Fishbone::default(),
            analysis: String::new(),
            root_cause: "No documented procedure for reagent lot verification.".into(),
        }
    }

    #[test]
    fn five_whys_need_at_least_two_answers_in_order() {
        let mut a = analysis(RootCauseMethod::FiveWhys);
        a.whys = vec!["The control failed.".into()];
        assert!(check_root_cause(&a).is_err());
        a.whys = vec![
            "The control failed.".into(),
            "".into(),
            "Lot not verified.".into(),
        ];
        assert!(check_root_cause(&a).is_err(), "a gap in the middle");
        a.whys = vec![
            "The control failed.".into(),
            "Lot not verified.".into(),
            " ".into(),
            "".into(),
        ];
        let clean = check_root_cause(&a).unwrap();
        assert_eq!(clean.whys.len(), 2, "trailing empty whys are dropped");
        a.whys = (0..6).map(|i| format!("why {i}")).collect();
        assert!(check_root_cause(&a).is_err(), "six whys");
    }

    #[test]
    fn a_fishbone_needs_two_categories_and_other_needs_words() {
        let mut a = analysis(RootCauseMethod::Fishbone);
        a.fishbone.people = "Untrained relief staff".into();
        assert!(check_root_cause(&a).is_err());
        a.fishbone.materials = "Reagent lot changed".into();
        assert!(check_root_cause(&a).is_ok());
        let mut other = analysis(RootCauseMethod::Other);
        other.analysis = "Too short".into();
        assert!(check_root_cause(&other).is_err());
        other.analysis = "Process mapping with the whole team on 3 March.".into();
        assert!(check_root_cause(&other).is_ok());
        other.root_cause = "short".into();
        assert!(
            check_root_cause(&other).is_err(),
            "the conclusion is required"
        );
    }

    #[test]
    fn the_site_date_expression_has_one_branch_per_zone() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T22:30:00Z")
            .unwrap()
            .to_utc();
        let sql = site_date_sql(
            &["Africa/Nairobi".into(), "America/Lima".into()],
            now,
            |d| d,
        );
        assert_eq!(
            sql,
            "case s.timezone when 'Africa/Nairobi' then '2026-11-28' when 'America/Lima' then '2026-11-27' else '2026-11-27' end"
        );
    }

    #[test]
    fn timeline_entries_read_the_detail_the_change_recorded() {
        let entry = timeline_entry(
            "2026-11-27T10:00:00Z".into(),
            "Grace Wanjiru".into(),
            "capa.contain",
            Some(r#"{"detail":"Quarantined the reagent lot"}"#),
        );
        assert_eq!(entry.what, "Containment recorded");
        assert_eq!(entry.detail, "Quarantined the reagent lot");
    }
}
