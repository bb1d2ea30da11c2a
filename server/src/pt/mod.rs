//! Proficiency testing / EQA: schemes with their participating sites, events (rounds) with
//! challenges, results entered by site leads (form, CSV or API), scoring by the rules in
//! [`scoring`] and [`grade`], automatic CAPAs for failures (once per source), and radiology QC
//! re-reads with their metrics and flags ([`radiology`]).
//!
//! Every operation checks [`access`] first and writes its audit-trail entry in the same
//! transaction as its change.

pub mod access;
pub mod api;
pub mod grade;
pub mod input;
pub mod qc;
pub mod radiology;
pub mod repo;
pub mod scoring;

pub use qc::{
    check_radiology_flags, import_reads, may_record_reads, metrics, parse_reads_csv, quarter_of,
    reads, record_reads, set_thresholds, thresholds,
};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::model::audits::Severity;
use app::model::capa::CapaSource;
use app::model::pt::{
    Challenge, ChallengeUpdate, Discipline, Event, EventQuery, EventResults, EventScore, EventSite,
    EventStatus, EventSummary, EventVerdict, HistoryEvent, ImportMode, ImportReport, NewChallenge,
    NewEvent, NewScheme, PtCapa, PtResult, ResultType, ResultVerdict, RowError, Scheme,
    SchemeUpdate, ScoreKind, ScoreMethod, SiteHistory, SiteRef, SmearGrading, SubmitResults,
    ZPoint, ZSeries,
};
use app::model::users::Page;
use chrono::{NaiveDate, Utc};
use serde_json::json;

use self::grade::{ChallengeSpec, ResultSpec};
use self::repo::{ChallengeRow, EventRow, Participant, ResultRow, SchemeRow};
use crate::auth::policy::ScopeFilter;
use crate::auth::Actor;
use crate::capa::auto::{self, AutoCapa};
use crate::capa::due;
use crate::db::{now_text, Db, Engine, WriteTx};
use crate::documents::review::parse_date;
use crate::error::{Error, FieldError};
use crate::trail::{self, Change, Who};

/// The most challenges an event may have, and rows a results file may hold.
const MAX_CHALLENGES: usize = 200;
const MAX_IMPORT_ROWS: usize = 5000;

fn not_found(what: &str, id: impl std::fmt::Display) -> Error {
    Error::NotFound(format!("There is no {what} {id}."))
}

fn forbidden(what: &str) -> Error {
    Error::Forbidden(format!("Your role and scope do not allow you to {what}."))
}

fn scope(actor: &Actor) -> ScopeFilter {
    ScopeFilter::of(&actor.user.scope)
}

fn manages(actor: &Actor) -> bool {
    access::can_manage(actor.user.role, &actor.user.scope)
}

fn read_guard(actor: &Actor) -> Result<(), Error> {
    if access::can_read(actor.user.role) {
        Ok(())
    } else {
        Err(forbidden("see proficiency testing"))
    }
}

/// Staff see no PT: a PT record answers them "not found", as records outside a scope do.
fn hide_from_staff(actor: &Actor, what: &str, id: impl std::fmt::Display) -> Result<(), Error> {
    if access::can_read(actor.user.role) {
        Ok(())
    } else {
        Err(not_found(what, id))
    }
}

/// The caller may enter results for at least one participating site in scope.
fn submits_for_any(actor: &Actor, participants: &[Participant]) -> Result<(), Error> {
    if participants
        .iter()
        .any(|p| access::can_submit(actor.user.role, &actor.user.scope, &p.code, &p.region))
    {
        Ok(())
    } else {
        Err(forbidden("enter PT results"))
    }
}

fn invalid(fields: Vec<FieldError>) -> Error {
    let message = if fields.len() == 1 {
        format!("Please correct the {} field.", fields[0].field)
    } else {
        format!("Please correct the {} fields marked.", fields.len())
    };
    Error::Invalid { message, fields }
}

fn field(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn discipline_of(row: &str) -> Discipline {
    Discipline::parse(row).unwrap_or(Discipline::Hiv)
}

fn result_type_of(row: &str) -> ResultType {
    ResultType::parse(row).unwrap_or(ResultType::Qualitative)
}

fn status_of(row: &str) -> EventStatus {
    EventStatus::parse(row).unwrap_or(EventStatus::Open)
}

/// The site's calendar date today.
fn site_today(timezone: &str) -> NaiveDate {
    due::local_today(due::zone(timezone), Utc::now())
}

/// Whether a result for this site now is late: the event no longer open, or the site's date
/// past the deadline.
fn is_late(event: &EventRow, timezone: &str) -> bool {
    status_of(&event.status) != EventStatus::Open
        || parse_date(&event.deadline).is_some_and(|d| site_today(timezone) > d)
}

// ---------------------------------------------------------------- schemes

fn scheme_view(row: SchemeRow, participants: &[Participant]) -> Scheme {
    Scheme {
        sites: participants
            .iter()
            .filter(|p| p.scheme_id == row.id)
            .map(|p| SiteRef {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect(),
        id: row.id,
        code: row.code,
        name: row.name,
        provider: row.provider,
        discipline: discipline_of(&row.discipline),
        result_type: result_type_of(&row.result_type),
        events_per_year: row.events_per_year,
        status: row.status,
        events: row.events,
    }
}

/// Schemes with a participating site in the caller's scope (every scheme for managers).
pub async fn schemes(db: &Db, actor: &Actor) -> Result<Vec<Scheme>, Error> {
    read_guard(actor)?;
    let mut conn = db.pool().acquire().await?;
    let scope = scope(actor);
    let rows = repo::schemes(&mut conn, &scope, manages(actor)).await?;
    let participants = repo::participants(&mut conn, &scope, None).await?;
    Ok(rows
        .into_iter()
        .map(|r| scheme_view(r, &participants))
        .collect())
}

/// One scheme.
pub async fn scheme(db: &Db, actor: &Actor, id: i64) -> Result<Scheme, Error> {
    hide_from_staff(actor, "scheme with id", id)?;
    let mut conn = db.pool().acquire().await?;
    let scope = scope(actor);
    let row = repo::scheme(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("scheme with id", id))?;
    let participants = repo::participants(&mut conn, &scope, Some(id)).await?;
    if participants.is_empty() && !manages(actor) {
        return Err(not_found("scheme with id", id));
    }
    Ok(scheme_view(row, &participants))
}

fn check_scheme_text(s: &NewScheme) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let code = s.code.trim();
    if code.len() < 2
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(field(
            "code",
            "Give a code of 2 to 40 letters, digits or dashes, e.g. NRL-SMEAR.",
        ));
    }
    if !(3..=200).contains(&s.name.trim().chars().count()) {
        errors.push(field("name", "Give a name of 3 to 200 characters."));
    }
    if !(2..=200).contains(&s.provider.trim().chars().count()) {
        errors.push(field(
            "provider",
            "Name the provider (2 to 200 characters).",
        ));
    }
    if s.discipline.is_none() {
        errors.push(field("discipline", "Choose the discipline."));
    }
    if s.result_type.is_none() {
        errors.push(field("result_type", "Choose how results are reported."));
    }
    if !s.events_per_year.is_some_and(|n| (1..=12).contains(&n)) {
        errors.push(field("events_per_year", "Give 1 to 12 events per year."));
    }
    errors
}

/// Looks up participating sites by code; unknown codes are field errors.
async fn participant_ids(
    conn: &mut sqlx::AnyConnection,
    codes: &[String],
) -> Result<Vec<i64>, Error> {
    let wanted: BTreeSet<String> = codes
        .iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let wanted: Vec<String> = wanted.into_iter().collect();
    let found = repo::site_ids(conn, &wanted).await?;
    let unknown: Vec<&String> = wanted
        .iter()
        .filter(|c| !found.iter().any(|(f, _)| f == *c))
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(vec![field(
            "sites",
            format!(
                "There is no active site {}.",
                unknown
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]));
    }
    Ok(found.into_iter().map(|(_, id)| id).collect())
}

/// Creates a scheme with its participating sites.
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn create_scheme(db: &Db, actor: &Actor, new: NewScheme) -> Result<Scheme, Error> {
    if !manages(actor) {
        return Err(forbidden("manage PT schemes"));
    }
    let errors = check_scheme_text(&new);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let new = NewScheme {
        code: new.code.trim().to_uppercase(),
        name: new.name.trim().to_string(),
        provider: new.provider.trim().to_string(),
        ..new
    };
    let mut tx = db.begin_write().await?;
    if repo::scheme_by_code(tx.conn(), &new.code).await?.is_some() {
        return Err(Error::invalid_field(
            "code",
            format!("A scheme {} exists already.", new.code),
        ));
    }
    let site_ids = participant_ids(tx.conn(), &new.sites).await?;
    let id = repo::insert_scheme(tx.conn(), &new, actor.id(), &now_text()).await?;
    repo::set_participants(tx.conn(), id, &site_ids).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.scheme.create", "pt_scheme", id).after(json!({
            "code": new.code, "name": new.name, "provider": new.provider,
            "discipline": new.discipline.map(|d| d.as_str()),
            "result_type": new.result_type.map(|r| r.as_str()),
            "events_per_year": new.events_per_year, "sites": new.sites,
        })),
    )
    .await?;
    tx.commit().await?;
    scheme(db, actor, id).await
}

/// Changes a scheme's particulars, participants or status.
#[tracing::instrument(skip_all, fields(actor = actor.id(), scheme = id))]
pub async fn update_scheme(
    db: &Db,
    actor: &Actor,
    id: i64,
    update: SchemeUpdate,
) -> Result<Scheme, Error> {
    hide_from_staff(actor, "scheme with id", id)?;
    if !manages(actor) {
        return Err(forbidden("manage PT schemes"));
    }
    let mut tx = db.begin_write().await?;
    let mut row = repo::scheme(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found("scheme with id", id))?;
    let before = json!({"name": row.name, "provider": row.provider, "events_per_year": row.events_per_year, "status": row.status});
    let mut errors = Vec::new();
    if let Some(name) = &update.name {
        if !(3..=200).contains(&name.trim().chars().count()) {
            errors.push(field("name", "Give a name of 3 to 200 characters."));
        }
        row.name = name.trim().to_string();
    }
    if let Some(provider) = &update.provider {
        if !(2..=200).contains(&provider.trim().chars().count()) {
            errors.push(field(
                "provider",
                "Name the provider (2 to 200 characters).",
            ));
        }
        row.provider = provider.trim().to_string();
    }
    if let Some(n) = update.events_per_year {
        if !(1..=12).contains(&n) {
            errors.push(field("events_per_year", "Give 1 to 12 events per year."));
        }
        row.events_per_year = n;
    }
    if let Some(status) = &update.status {
        if !matches!(status.as_str(), "active" | "retired") {
            errors.push(field("status", "Choose active or retired."));
        }
        row.status = status.clone();
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if let Some(sites) = &update.sites {
        let ids = participant_ids(tx.conn(), sites).await?;
        repo::set_participants(tx.conn(), id, &ids).await?;
    }
    repo::save_scheme(tx.conn(), &row, &now_text()).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.scheme.update", "pt_scheme", id)
            .before(before)
            .after(json!({"name": row.name, "provider": row.provider, "events_per_year": row.events_per_year, "status": row.status, "sites": update.sites})),
    )
    .await?;
    tx.commit().await?;
    scheme(db, actor, id).await
}

// ---------------------------------------------------------------- events

fn challenge_view(
    row: &ChallengeRow,
    result_type: ResultType,
    discipline: Discipline,
) -> Challenge {
    Challenge {
        id: row.id,
        position: row.position,
        code: row.code.clone(),
        analyte: row.analyte.clone(),
        unit: row.unit.clone(),
        method: ScoreMethod::parse(&row.method).unwrap_or(ScoreMethod::Category),
        assigned_value: row.assigned_value,
        sigma_pt: row.sigma_pt,
        u_assigned: row.u_assigned,
        expanded_assigned: row.expanded_assigned,
        consensus: row.consensus != 0,
        consensus_value: row.consensus_value,
        consensus_sigma: row.consensus_sigma,
        consensus_count: row.consensus_count,
        expected: row.expected.clone(),
        categories: result_type
            .categories(discipline)
            .iter()
            .map(|c| c.to_string())
            .collect(),
    }
}

/// A challenge without its answer: assigned value, σ, uncertainties, consensus and expected.
fn sealed(c: Challenge) -> Challenge {
    Challenge {
        assigned_value: None,
        sigma_pt: None,
        u_assigned: None,
        expanded_assigned: None,
        consensus_value: None,
        consensus_sigma: None,
        consensus_count: None,
        expected: None,
        ..c
    }
}

/// Events whose scheme has a participating site in scope, newest deadline first.
pub async fn events(db: &Db, actor: &Actor, q: &EventQuery) -> Result<Page<EventSummary>, Error> {
    read_guard(actor)?;
    let (page, per_page, offset) = crate::users::paging(q.page, q.per_page);
    let scope = scope(actor);
    let status = q.status.clone().unwrap_or_default();
    if !status.is_empty() && EventStatus::parse(&status).is_none() {
        return Err(Error::invalid_field(
            "status",
            "Choose open, closed or scored.",
        ));
    }
    let words =
        q.q.as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(|w| format!("%{}%", w.to_lowercase()))
            .unwrap_or_default();
    let binds = [
        scope.kind.to_string(),
        scope.code.clone(),
        if manages(actor) { "1" } else { "0" }.to_string(),
        q.scheme.clone().unwrap_or_default().trim().to_uppercase(),
        status,
        q.site.clone().unwrap_or_default().trim().to_uppercase(),
        words,
    ];
    let mut conn = db.pool().acquire().await?;
    let (rows, total) = crate::db::page_of::<repo::EventListRow>(
        &mut conn,
        &repo::event_list_sql(),
        &binds,
        "e.deadline desc, e.id desc",
        per_page,
        offset,
    )
    .await?;
    Ok(Page {
        items: rows.into_iter().map(summary_view).collect(),
        total,
        page,
        per_page,
    })
}

fn summary_view(r: repo::EventListRow) -> EventSummary {
    EventSummary {
        id: r.id,
        scheme_code: r.scheme_code,
        scheme_name: r.scheme_name,
        discipline: discipline_of(&r.discipline),
        result_type: result_type_of(&r.result_type),
        code: r.code,
        dispatch_date: r.dispatch_date,
        deadline: r.deadline,
        status: status_of(&r.status),
        challenges: r.challenges,
        participants: r.participants,
        submitted: r.submitted,
        unsatisfactory: r.unsatisfactory,
        my_score: r.my_score,
    }
}

/// The event, if the caller may see it (a participant in scope, or a manager).
async fn visible_event(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<(EventRow, Vec<Participant>), Error> {
    hide_from_staff(actor, "PT event with id", id)?;
    let event = repo::event(conn, id)
        .await?
        .ok_or_else(|| not_found("PT event with id", id))?;
    let participants = repo::participants(conn, &scope(actor), Some(event.scheme_id)).await?;
    if participants.is_empty() && !manages(actor) {
        return Err(not_found("PT event with id", id));
    }
    Ok((event, participants))
}

fn score_view(row: repo::ScoreRow) -> EventScore {
    EventScore {
        site: row.site_code,
        acceptable: row.acceptable,
        total: row.total,
        score_percent: row.score_percent,
        verdict: EventVerdict::parse(&row.verdict).unwrap_or(EventVerdict::NotScored),
        unsuccessful: row.unsuccessful != 0,
        detail: serde_json::from_str(&row.detail).unwrap_or_default(),
    }
}

fn capa_view(rows: Vec<(i64, String, String, String, String)>) -> Vec<PtCapa> {
    rows.into_iter()
        .map(|(id, number, site, title, state)| PtCapa {
            id,
            number,
            site,
            title,
            state,
        })
        .collect()
}

/// One event with its challenges, the sites in scope and what the caller may do.
pub async fn event(db: &Db, actor: &Actor, id: i64) -> Result<Event, Error> {
    let mut conn = db.pool().acquire().await?;
    let (event, participants) = visible_event(&mut conn, actor, id).await?;
    let scope = scope(actor);
    let result_type = result_type_of(&event.result_type);
    let discipline = discipline_of(&event.discipline);
    let challenges = repo::challenges(&mut conn, id).await?;
    let results = repo::results_in_scope(&mut conn, id, &scope).await?;
    let scores = repo::scores_in_scope(&mut conn, id, &scope).await?;
    let mut capas = Vec::new();
    for prefix in ["pt_result", "pt_event", "pt_participation"] {
        let pattern = format!("{prefix}:{id}:%");
        capas.extend(capa_view(
            repo::pt_capas(&mut conn, &pattern, &scope).await?,
        ));
    }
    capas.sort_by(|a, b| a.number.cmp(&b.number));
    let sites: Vec<EventSite> = participants
        .iter()
        .map(|p| EventSite {
            code: p.code.clone(),
            name: p.name.clone(),
            submitted: results.iter().filter(|r| r.site_id == p.site_id).count() as i64,
            late: results
                .iter()
                .filter(|r| r.site_id == p.site_id && r.late != 0)
                .count() as i64,
            score: scores
                .iter()
                .find(|s| s.site_id == p.site_id)
                .cloned()
                .map(score_view),
        })
        .collect();
    let can_submit_for = participants
        .iter()
        .filter(|p| access::can_submit(actor.user.role, &actor.user.scope, &p.code, &p.region))
        .map(|p| p.code.clone())
        .collect();
    let tz = participants
        .first()
        .filter(|_| matches!(actor.user.scope, app::model::auth::Scope::Site(_)))
        .map(|p| p.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    let summary = EventSummary {
        id: event.id,
        scheme_code: event.scheme_code.clone(),
        scheme_name: event.scheme_name.clone(),
        discipline,
        result_type,
        code: event.code.clone(),
        dispatch_date: event.dispatch_date.clone(),
        deadline: event.deadline.clone(),
        status: status_of(&event.status),
        challenges: challenges.len() as i64,
        participants: participants.len() as i64,
        submitted: sites.iter().filter(|s| s.submitted > 0).count() as i64,
        unsatisfactory: sites
            .iter()
            .filter(|s| {
                s.score
                    .as_ref()
                    .is_some_and(|x| x.verdict == EventVerdict::Unsatisfactory)
            })
            .count() as i64,
        my_score: None,
    };
    // Participants see the answers once the event is scored, never while they could still
    // enter results.
    let reveal = manages(actor) || summary.status == EventStatus::Scored;
    Ok(Event {
        past_deadline: parse_date(&event.deadline).is_some_and(|d| site_today(&tz) > d),
        provider: event.provider.clone(),
        challenges: challenges
            .iter()
            .map(|c| challenge_view(c, result_type, discipline))
            .map(|c| if reveal { c } else { sealed(c) })
            .collect(),
        sites,
        can_submit_for,
        can_manage: manages(actor),
        capas,
        summary,
    })
}

fn parse_day(name: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let d = parse_date(text.trim());
    if d.is_none() {
        errors.push(field(name, "Give a date as YYYY-MM-DD."));
    }
    d
}

/// Checks a challenge for an event of this result type; `prefix` names its fields.
fn check_challenge(
    c: &NewChallenge,
    result_type: ResultType,
    discipline: Discipline,
    prefix: &str,
    errors: &mut Vec<FieldError>,
) -> ChallengeRow {
    let f = |name: &str| format!("{prefix}.{name}");
    if c.code.trim().is_empty() || c.code.trim().chars().count() > 40 {
        errors.push(field(
            f("code"),
            "Give the sample id (up to 40 characters).",
        ));
    }
    if c.analyte.trim().is_empty() || c.analyte.trim().chars().count() > 100 {
        errors.push(field(
            f("analyte"),
            "Say what is measured (for DST panels, the drug).",
        ));
    }
    let method = if result_type == ResultType::Quantitative {
        c.method
            .filter(|m| *m != ScoreMethod::Category)
            .unwrap_or(ScoreMethod::Z)
    } else {
        ScoreMethod::Category
    };
    if let Some(s) = c.sigma_pt {
        if s <= 0.0 || !s.is_finite() {
            errors.push(field(f("sigma_pt"), "σpt must be greater than zero."));
        }
    }
    for (name, v) in [
        ("u_assigned", c.u_assigned),
        ("expanded_assigned", c.expanded_assigned),
    ] {
        if v.is_some_and(|v| v < 0.0 || !v.is_finite()) {
            errors.push(field(f(name), "An uncertainty cannot be negative."));
        }
    }
    let mut expected = c
        .expected
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    if result_type == ResultType::Quantitative {
        if c.unit.trim().is_empty() {
            errors.push(field(f("unit"), "Give the unit, e.g. IU/mL."));
        }
        if c.consensus && c.assigned_value.is_some() {
            errors.push(field(
                f("consensus"),
                "Either the provider's assigned value or a consensus, not both.",
            ));
        }
        expected = None;
    } else if let Some(e) = &expected {
        let demand = input::Demand {
            result_type,
            discipline,
            unit: "",
        };
        match input::check_value(&demand, e, "") {
            Ok(v) => expected = Some(v.value),
            Err((_, message)) => errors.push(field(f("expected"), message)),
        }
    }
    ChallengeRow {
        id: 0,
        event_id: 0,
        position: 0,
        code: c.code.trim().to_string(),
        analyte: c.analyte.trim().to_string(),
        unit: c.unit.trim().to_string(),
        method: method.as_str().to_string(),
        assigned_value: c.assigned_value,
        sigma_pt: c.sigma_pt,
        u_assigned: c.u_assigned,
        expanded_assigned: c.expanded_assigned,
        consensus: i64::from(c.consensus && result_type == ResultType::Quantitative),
        consensus_value: None,
        consensus_sigma: None,
        consensus_count: None,
        expected,
    }
}

/// Creates an event (round) of a scheme with its challenges.
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn create_event(db: &Db, actor: &Actor, new: NewEvent) -> Result<Event, Error> {
    if !manages(actor) {
        return Err(forbidden("manage PT events"));
    }
    let mut tx = db.begin_write().await?;
    let scheme = repo::scheme_by_code(tx.conn(), &new.scheme.trim().to_uppercase())
        .await?
        .ok_or_else(|| Error::invalid_field("scheme", "Choose an existing scheme."))?;
    if scheme.status != "active" {
        return Err(Error::invalid_field(
            "scheme",
            "This scheme is retired; reactivate it first.",
        ));
    }
    let mut errors = Vec::new();
    let code = new.code.trim();
    if code.is_empty() || code.chars().count() > 40 {
        errors.push(field(
            "code",
            "Give the round's identifier (up to 40 characters).",
        ));
    }
    let dispatch = parse_day("dispatch_date", &new.dispatch_date, &mut errors);
    let deadline = parse_day("deadline", &new.deadline, &mut errors);
    if let (Some(a), Some(b)) = (dispatch, deadline) {
        if b < a {
            errors.push(field(
                "deadline",
                "The deadline cannot be before the dispatch date.",
            ));
        }
    }
    if new.challenges.is_empty() || new.challenges.len() > MAX_CHALLENGES {
        errors.push(field(
            "challenges",
            format!("Give 1 to {MAX_CHALLENGES} challenges (samples)."),
        ));
    }
    let rt = result_type_of(&scheme.result_type);
    let discipline = discipline_of(&scheme.discipline);
    let mut rows: Vec<ChallengeRow> = new
        .challenges
        .iter()
        .enumerate()
        .map(|(i, c)| check_challenge(c, rt, discipline, &format!("challenges[{i}]"), &mut errors))
        .collect();
    let mut seen = BTreeSet::new();
    for (i, r) in rows.iter().enumerate() {
        if !seen.insert((r.code.to_lowercase(), r.analyte.to_lowercase())) {
            errors.push(field(
                format!("challenges[{i}].code"),
                format!("Sample {} / {} appears twice.", r.code, r.analyte),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let exists: Option<i64> =
        sqlx::query_scalar("select id from pt_events where scheme_id = $1 and code = $2")
            .bind(scheme.id)
            .bind(code)
            .fetch_optional(tx.conn())
            .await?;
    if exists.is_some() {
        return Err(Error::invalid_field(
            "code",
            format!("{} already has an event {code}.", scheme.code),
        ));
    }
    let now = now_text();
    let id = repo::insert_event(
        tx.conn(),
        scheme.id,
        code,
        new.dispatch_date.trim(),
        new.deadline.trim(),
        Some(actor.id()),
        &now,
    )
    .await?;
    for (i, row) in rows.iter_mut().enumerate() {
        row.event_id = id;
        row.position = i as i64 + 1;
        repo::insert_challenge(tx.conn(), row).await?;
    }
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.event.create", "pt_event", id).after(json!({
            "scheme": scheme.code, "code": code, "dispatch_date": new.dispatch_date,
            "deadline": new.deadline, "challenges": rows.len(),
            "detail": format!("{} {code} created with {} challenges", scheme.code, rows.len()),
        })),
    )
    .await?;
    tx.commit().await?;
    event(db, actor, id).await
}

/// Adds challenges to an event not yet scored.
pub async fn add_challenges(
    db: &Db,
    actor: &Actor,
    id: i64,
    new: Vec<NewChallenge>,
) -> Result<Event, Error> {
    hide_from_staff(actor, "PT event with id", id)?;
    if !manages(actor) {
        return Err(forbidden("manage PT events"));
    }
    let mut tx = db.begin_write().await?;
    let ev = repo::event(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found("PT event with id", id))?;
    if status_of(&ev.status) == EventStatus::Scored {
        return Err(Error::Conflict(
            "This event is scored; its challenges can no longer change.".into(),
        ));
    }
    let existing = repo::challenges(tx.conn(), id).await?;
    if new.is_empty() || existing.len() + new.len() > MAX_CHALLENGES {
        return Err(Error::invalid_field(
            "challenges",
            format!("Give at least one challenge; an event holds at most {MAX_CHALLENGES}."),
        ));
    }
    let rt = result_type_of(&ev.result_type);
    let discipline = discipline_of(&ev.discipline);
    let mut errors = Vec::new();
    let mut rows: Vec<ChallengeRow> = new
        .iter()
        .enumerate()
        .map(|(i, c)| check_challenge(c, rt, discipline, &format!("challenges[{i}]"), &mut errors))
        .collect();
    let mut seen: BTreeSet<(String, String)> = existing
        .iter()
        .map(|c| (c.code.to_lowercase(), c.analyte.to_lowercase()))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        if !seen.insert((r.code.to_lowercase(), r.analyte.to_lowercase())) {
            errors.push(field(
                format!("challenges[{i}].code"),
                format!("Sample {} / {} exists already.", r.code, r.analyte),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let start = existing.iter().map(|c| c.position).max().unwrap_or(0);
    for (i, row) in rows.iter_mut().enumerate() {
        row.event_id = id;
        row.position = start + i as i64 + 1;
        repo::insert_challenge(tx.conn(), row).await?;
    }
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.challenge.add", "pt_event", id)
            .after(json!({"added": rows.iter().map(|r| format!("{} {}", r.code, r.analyte)).collect::<Vec<_>>()})),
    )
    .await?;
    tx.commit().await?;
    event(db, actor, id).await
}

/// Sets a challenge's assigned value, σpt, uncertainties, consensus or expected answer (as the
/// provider publishes them). Re-score the event afterwards.
pub async fn update_challenge(
    db: &Db,
    actor: &Actor,
    id: i64,
    update: ChallengeUpdate,
) -> Result<Challenge, Error> {
    hide_from_staff(actor, "challenge with id", id)?;
    if !manages(actor) {
        return Err(forbidden("manage PT events"));
    }
    let mut tx = db.begin_write().await?;
    let mut row = repo::challenge(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found("challenge with id", id))?;
    let ev = repo::event(tx.conn(), row.event_id)
        .await?
        .ok_or_else(|| not_found("challenge with id", id))?;
    let rt = result_type_of(&ev.result_type);
    let discipline = discipline_of(&ev.discipline);
    let before = json!({"assigned_value": row.assigned_value, "sigma_pt": row.sigma_pt, "u_assigned": row.u_assigned, "expanded_assigned": row.expanded_assigned, "consensus": row.consensus, "expected": row.expected});
    let merged = NewChallenge {
        code: row.code.clone(),
        analyte: row.analyte.clone(),
        unit: row.unit.clone(),
        method: ScoreMethod::parse(&row.method),
        assigned_value: update.assigned_value.or(row.assigned_value),
        sigma_pt: update.sigma_pt.or(row.sigma_pt),
        u_assigned: update.u_assigned.or(row.u_assigned),
        expanded_assigned: update.expanded_assigned.or(row.expanded_assigned),
        consensus: update.consensus.unwrap_or(row.consensus != 0),
        expected: update.expected.clone().or(row.expected.clone()),
    };
    let merged = if update.consensus == Some(true) {
        NewChallenge {
            assigned_value: None,
            ..merged
        }
    } else if update.assigned_value.is_some() {
        NewChallenge {
            consensus: false,
            ..merged
        }
    } else {
        merged
    };
    let mut errors = Vec::new();
    let checked = check_challenge(&merged, rt, discipline, "challenge", &mut errors);
    if !errors.is_empty() {
        let fields = errors
            .into_iter()
            .map(|e| field(e.field.trim_start_matches("challenge."), e.message))
            .collect();
        return Err(invalid(fields));
    }
    row.assigned_value = checked.assigned_value;
    row.sigma_pt = checked.sigma_pt;
    row.u_assigned = checked.u_assigned;
    row.expanded_assigned = checked.expanded_assigned;
    row.consensus = checked.consensus;
    row.expected = checked.expected;
    if row.consensus == 0 {
        row.consensus_value = None;
        row.consensus_sigma = None;
        row.consensus_count = None;
    }
    repo::save_challenge(tx.conn(), &row).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.challenge.update", "pt_challenge", id)
            .before(before)
            .after(json!({"assigned_value": row.assigned_value, "sigma_pt": row.sigma_pt, "u_assigned": row.u_assigned, "expanded_assigned": row.expanded_assigned, "consensus": row.consensus, "expected": row.expected, "event": ev.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(challenge_view(&row, rt, discipline))
}

/// Closes an open event: further results need a reason.
pub async fn close_event(db: &Db, actor: &Actor, id: i64) -> Result<Event, Error> {
    hide_from_staff(actor, "PT event with id", id)?;
    if !manages(actor) {
        return Err(forbidden("manage PT events"));
    }
    let mut tx = db.begin_write().await?;
    let ev = repo::event(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found("PT event with id", id))?;
    if status_of(&ev.status) != EventStatus::Open {
        return Err(Error::Conflict(format!(
            "This event is {}; only an open event can be closed.",
            ev.status
        )));
    }
    repo::set_event_status(tx.conn(), id, "closed", &now_text()).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.event.close", "pt_event", id)
            .before(json!({"status": "open"}))
            .after(json!({"status": "closed", "detail": format!("{} {} closed", ev.scheme_code, ev.code)})),
    )
    .await?;
    tx.commit().await?;
    event(db, actor, id).await
}

// ---------------------------------------------------------------- results

/// One checked result, ready to write.
struct Checked<'c> {
    challenge: &'c ChallengeRow,
    value: String,
    numeric: Option<f64>,
    unit: String,
    u_lab: Option<f64>,
    expanded_lab: Option<f64>,
}

/// Writes one site's checked results and the trail entry; the event goes back from scored to
/// closed when results change after scoring (it needs scoring again).
#[allow(clippy::too_many_arguments)]
async fn store_results(
    tx: &mut WriteTx,
    actor: &Actor,
    ev: &EventRow,
    site: &Participant,
    checked: &[Checked<'_>],
    existing: &[ResultRow],
    late: bool,
    late_reason: Option<&str>,
) -> Result<(), Error> {
    let now = now_text();
    let mut replaced = Vec::new();
    for c in checked {
        if let Some(old) = existing
            .iter()
            .find(|r| r.challenge_id == c.challenge.id && r.site_id == site.site_id)
        {
            replaced.push(json!({"sample": c.challenge.code, "analyte": c.challenge.analyte, "before": old.value, "after": c.value}));
        }
        repo::upsert_result(
            tx.conn(),
            &repo::ResultWrite {
                event_id: ev.id,
                challenge_id: c.challenge.id,
                site_id: site.site_id,
                value: &c.value,
                numeric: c.numeric,
                unit: &c.unit,
                u_lab: c.u_lab,
                expanded_lab: c.expanded_lab,
                late,
                late_reason,
                submitted_by: actor.id(),
                now: &now,
            },
        )
        .await?;
    }
    // A corrected result loses its score until the event is scored again.
    crate::dashboard::rollup::refresh_event(tx.conn(), ev.id, &[site.site_id]).await?;
    if status_of(&ev.status) == EventStatus::Scored {
        repo::set_event_status(tx.conn(), ev.id, "closed", &now).await?;
    }
    let detail = format!(
        "{} {} results {} for {} {}{}",
        checked.len(),
        if checked.len() == 1 {
            "result"
        } else {
            "results"
        },
        if replaced.is_empty() {
            "submitted"
        } else {
            "corrected"
        },
        ev.scheme_code,
        ev.code,
        if late { " (late)" } else { "" }
    );
    trail::record(
        tx,
        &Who::from(actor),
        Change::new("pt.results.submit", "pt_event", ev.id)
            .site(Some(site.code.clone()), Some(site.region.clone()))
            .after(json!({
                "site": site.code,
                "results": checked.iter().map(|c| json!({"sample": c.challenge.code, "analyte": c.challenge.analyte, "value": c.value})).collect::<Vec<_>>(),
                "replaced": replaced,
                "late": late,
                "late_reason": late_reason,
                "detail": detail.replacen(" results results", " results", 1).replacen(" result result", " result", 1),
            })),
    )
    .await?;
    Ok(())
}

/// Finds the participant the caller may enter results for, by code.
fn submitter_site<'p>(
    actor: &Actor,
    participants: &'p [Participant],
    all_participants: &[Participant],
    ev: &EventRow,
    code: &str,
) -> Result<&'p Participant, Error> {
    let code = code.trim().to_uppercase();
    if code.is_empty() {
        return Err(Error::invalid_field("site", "Choose the site."));
    }
    match participants.iter().find(|p| p.code == code) {
        Some(p) if access::can_submit(actor.user.role, &actor.user.scope, &p.code, &p.region) => {
            Ok(p)
        }
        Some(_) => Err(forbidden(&format!("enter PT results for {code}"))),
        None if all_participants.iter().any(|p| p.code == code) => {
            Err(forbidden(&format!("enter PT results for {code}")))
        }
        None => Err(Error::invalid_field(
            "site",
            format!("{code} does not take part in {}.", ev.scheme_code),
        )),
    }
}

fn late_reason_checked(
    late: bool,
    reason: Option<&str>,
    deadline: &str,
) -> Result<Option<String>, Error> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if late {
        match reason {
            Some(r) if r.chars().count() <= 1000 => Ok(Some(r.to_string())),
            Some(_) => Err(Error::invalid_field(
                "late_reason",
                "At most 1000 characters.",
            )),
            None => Err(Error::invalid_field(
                "late_reason",
                format!("The deadline was {deadline}; give the reason the results are late."),
            )),
        }
    } else {
        Ok(None)
    }
}

/// Enters one site's results for an event (a batch). Already submitted results are refused
/// unless `replace` is set; after the deadline a reason is required and the results count as
/// late.
#[tracing::instrument(skip_all, fields(actor = actor.id(), event = id))]
pub async fn submit_results(
    db: &Db,
    actor: &Actor,
    id: i64,
    submission: SubmitResults,
) -> Result<EventResults, Error> {
    let mut tx = db.begin_write().await?;
    let (ev, participants) = visible_event(tx.conn(), actor, id).await?;
    let everyone = repo::participants(
        tx.conn(),
        &ScopeFilter::of(&app::model::auth::Scope::Global),
        Some(ev.scheme_id),
    )
    .await?;
    submits_for_any(actor, &participants)?;
    let site = submitter_site(actor, &participants, &everyone, &ev, &submission.site)?.clone();
    let late = is_late(&ev, &site.timezone);
    let late_reason = late_reason_checked(late, submission.late_reason.as_deref(), &ev.deadline)?;
    if submission.results.is_empty() {
        return Err(Error::invalid_field(
            "results",
            "Enter at least one result.",
        ));
    }
    let challenges = repo::challenges(tx.conn(), id).await?;
    let existing = repo::results(tx.conn(), id, Some(site.site_id)).await?;
    let rt = result_type_of(&ev.result_type);
    let discipline = discipline_of(&ev.discipline);
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    let mut seen = BTreeSet::new();
    let mut duplicates = Vec::new();
    for (i, r) in submission.results.iter().enumerate() {
        let f = |name: &str| format!("results[{i}].{name}");
        let Some(c) = challenges.iter().find(|c| c.id == r.challenge_id) else {
            errors.push(field(
                f("challenge_id"),
                format!("Challenge {} is not part of this event.", r.challenge_id),
            ));
            continue;
        };
        if !seen.insert(c.id) {
            errors.push(field(
                f("challenge_id"),
                format!("Sample {} {} is given twice.", c.code, c.analyte),
            ));
            continue;
        }
        if !submission.replace && existing.iter().any(|e| e.challenge_id == c.id) {
            duplicates.push(format!("{} {}", c.code, c.analyte));
            continue;
        }
        let demand = input::Demand {
            result_type: rt,
            discipline,
            unit: &c.unit,
        };
        let value = match input::check_value(&demand, &r.value, &r.unit) {
            Ok(v) => v,
            Err((column, message)) => {
                errors.push(field(f(column), message));
                continue;
            }
        };
        let u = r.u.filter(|u| u.is_finite() && *u >= 0.0);
        if r.u.is_some() && u.is_none() {
            errors.push(field(f("u"), "An uncertainty cannot be negative."));
            continue;
        }
        let expanded = r.expanded.filter(|u| u.is_finite() && *u >= 0.0);
        if r.expanded.is_some() && expanded.is_none() {
            errors.push(field(f("expanded"), "An uncertainty cannot be negative."));
            continue;
        }
        checked.push(Checked {
            challenge: c,
            value: value.value,
            numeric: value.numeric,
            unit: if c.unit.is_empty() {
                String::new()
            } else {
                c.unit.clone()
            },
            u_lab: u,
            expanded_lab: expanded,
        });
    }
    if !duplicates.is_empty() {
        return Err(Error::Conflict(format!(
            "{} already has results for {}; send them with replace to correct them.",
            site.code,
            duplicates.join(", ")
        )));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    store_results(
        &mut tx,
        actor,
        &ev,
        &site,
        &checked,
        &existing,
        late,
        late_reason.as_deref(),
    )
    .await?;
    tx.commit().await?;
    results(db, actor, id, Some(&site.code)).await
}

fn result_view(r: ResultRow, challenges: &[ChallengeRow]) -> PtResult {
    let c = challenges.iter().find(|c| c.id == r.challenge_id);
    PtResult {
        id: r.id,
        challenge_id: r.challenge_id,
        sample: c.map(|c| c.code.clone()).unwrap_or_default(),
        analyte: c.map(|c| c.analyte.clone()).unwrap_or_default(),
        site: r.site_code,
        value: r.value,
        unit: r.unit,
        u_lab: r.u_lab,
        expanded_lab: r.expanded_lab,
        late: r.late != 0,
        late_reason: r.late_reason,
        submitted_by: r.submitted_by,
        submitted_at: r.submitted_at,
        score_kind: r.score_kind.as_deref().and_then(ScoreKind::parse),
        score: r.score,
        verdict: r.verdict.as_deref().and_then(ResultVerdict::parse),
        grading: r.grading.as_deref().and_then(SmearGrading::parse),
        note: r.note,
    }
}

/// The event's results and scores of the sites in the caller's scope (optionally one site).
pub async fn results(
    db: &Db,
    actor: &Actor,
    id: i64,
    site: Option<&str>,
) -> Result<EventResults, Error> {
    let mut conn = db.pool().acquire().await?;
    let _ = visible_event(&mut conn, actor, id).await?;
    let scope = scope(actor);
    let challenges = repo::challenges(&mut conn, id).await?;
    let wanted = site
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty());
    let keep = |code: &str| wanted.as_deref().is_none_or(|w| w == code);
    Ok(EventResults {
        results: repo::results_in_scope(&mut conn, id, &scope)
            .await?
            .into_iter()
            .filter(|r| keep(&r.site_code))
            .map(|r| result_view(r, &challenges))
            .collect(),
        scores: repo::scores_in_scope(&mut conn, id, &scope)
            .await?
            .into_iter()
            .filter(|s| keep(&s.site_code))
            .map(score_view)
            .collect(),
    })
}

/// A CSV template for the event's results: one row per challenge and site the caller may
/// enter results for (or `site` only), with the value to fill in.
pub async fn results_template(
    db: &Db,
    actor: &Actor,
    id: i64,
    site: Option<&str>,
) -> Result<String, Error> {
    let ev = event(db, actor, id).await?;
    let wanted = site
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty());
    let mut out = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Internal(e.to_string());
    out.write_record(input::COLUMNS).map_err(io)?;
    for code in ev
        .can_submit_for
        .iter()
        .filter(|c| wanted.as_deref().is_none_or(|w| w == c.as_str()))
    {
        for c in &ev.challenges {
            out.write_record([code.as_str(), &c.code, &c.analyte, "", &c.unit, "", ""])
                .map_err(io)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string()))
}

/// Options of a results import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub mode: ImportMode,
    pub late_reason: Option<String>,
    pub replace: bool,
}

/// Imports results from CSV. Every row is checked; with errors, nothing is written unless the
/// caller chose to import the valid rows.
#[tracing::instrument(skip_all, fields(actor = actor.id(), event = id))]
pub async fn import_results(
    db: &Db,
    actor: &Actor,
    id: i64,
    text: &str,
    options: ImportOptions,
) -> Result<ImportReport, Error> {
    let mut tx = db.begin_write().await?;
    let (ev, participants) = visible_event(tx.conn(), actor, id).await?;
    let everyone = repo::participants(
        tx.conn(),
        &ScopeFilter::of(&app::model::auth::Scope::Global),
        Some(ev.scheme_id),
    )
    .await?;
    submits_for_any(actor, &participants)?;
    let rows = match input::parse_csv(text) {
        Ok(rows) => rows,
        Err(errors) => {
            return Ok(ImportReport {
                rows: 0,
                imported: 0,
                errors,
                applied: false,
            })
        }
    };
    if rows.is_empty() {
        return Err(Error::invalid_field("file", "The file has no result rows."));
    }
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(Error::invalid_field(
            "file",
            format!("At most {MAX_IMPORT_ROWS} rows per file."),
        ));
    }
    let challenges = repo::challenges(tx.conn(), id).await?;
    let existing = repo::results(tx.conn(), id, None).await?;
    let rt = result_type_of(&ev.result_type);
    let discipline = discipline_of(&ev.discipline);
    let mut errors: Vec<RowError> = Vec::new();
    let mut by_site: BTreeMap<String, Vec<Checked<'_>>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut late_sites = BTreeSet::new();
    for row in &rows {
        let error = |column: &str, message: String| RowError {
            line: row.line,
            column: column.to_string(),
            message,
        };
        let site = match submitter_site(actor, &participants, &everyone, &ev, &row.site) {
            Ok(site) => site,
            Err(e) => {
                let message = match e {
                    Error::Invalid { fields, .. } => fields
                        .into_iter()
                        .next()
                        .map(|f| f.message)
                        .unwrap_or_default(),
                    other => other.to_string(),
                };
                errors.push(error("site", message));
                continue;
            }
        };
        let sample = row.sample.trim();
        let analyte = row.analyte.trim();
        let matching: Vec<&ChallengeRow> = challenges
            .iter()
            .filter(|c| c.code.eq_ignore_ascii_case(sample))
            .filter(|c| analyte.is_empty() || c.analyte.eq_ignore_ascii_case(analyte))
            .collect();
        let c = match matching.as_slice() {
            [c] => *c,
            [] => {
                errors.push(error(
                    if analyte.is_empty()
                        || !challenges
                            .iter()
                            .any(|c| c.code.eq_ignore_ascii_case(sample))
                    {
                        "sample"
                    } else {
                        "analyte"
                    },
                    format!(
                        "This event has no sample '{sample}'{}.",
                        if analyte.is_empty() {
                            String::new()
                        } else {
                            format!(" for '{analyte}'")
                        }
                    ),
                ));
                continue;
            }
            _ => {
                errors.push(error(
                    "analyte",
                    format!("Sample '{sample}' has several analytes; say which one."),
                ));
                continue;
            }
        };
        if !seen.insert((site.site_id, c.id)) {
            errors.push(error(
                "sample",
                format!(
                    "{} {} for {} appears twice in the file.",
                    c.code, c.analyte, site.code
                ),
            ));
            continue;
        }
        if !options.replace
            && existing
                .iter()
                .any(|e| e.challenge_id == c.id && e.site_id == site.site_id)
        {
            errors.push(error(
                "sample",
                format!(
                    "{} already has a result for {} {}; choose 'replace' to correct it.",
                    site.code, c.code, c.analyte
                ),
            ));
            continue;
        }
        let demand = input::Demand {
            result_type: rt,
            discipline,
            unit: &c.unit,
        };
        let value = match input::check_value(&demand, &row.value, &row.unit) {
            Ok(v) => v,
            Err((column, message)) => {
                errors.push(error(column, message));
                continue;
            }
        };
        let u = match input::check_uncertainty("u", &row.u) {
            Ok(u) => u,
            Err((column, message)) => {
                errors.push(error(column, message));
                continue;
            }
        };
        let expanded = match input::check_uncertainty("expanded", &row.expanded) {
            Ok(u) => u,
            Err((column, message)) => {
                errors.push(error(column, message));
                continue;
            }
        };
        if is_late(&ev, &site.timezone) {
            late_sites.insert(site.code.clone());
        }
        by_site.entry(site.code.clone()).or_default().push(Checked {
            challenge: c,
            value: value.value,
            numeric: value.numeric,
            unit: c.unit.clone(),
            u_lab: u,
            expanded_lab: expanded,
        });
    }
    if !late_sites.is_empty() {
        late_reason_checked(true, options.late_reason.as_deref(), &ev.deadline)?;
    }
    let valid: usize = by_site.values().map(Vec::len).sum();
    let apply = valid > 0 && (errors.is_empty() || options.mode == ImportMode::ValidRows);
    if apply {
        for (code, checked) in &by_site {
            let site = participants
                .iter()
                .find(|p| &p.code == code)
                .ok_or_else(|| Error::Internal("site vanished".into()))?;
            let late = late_sites.contains(code);
            let reason = late_reason_checked(late, options.late_reason.as_deref(), &ev.deadline)?;
            store_results(
                &mut tx,
                actor,
                &ev,
                site,
                checked,
                &existing,
                late,
                reason.as_deref(),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(ImportReport {
        rows: rows.len() as i64,
        imported: if apply { valid as i64 } else { 0 },
        errors,
        applied: apply,
    })
}

// ---------------------------------------------------------------- scoring

/// The source keys of automatic CAPAs (one CAPA per key, ever).
pub fn result_capa_key(event_id: i64, result_id: i64) -> String {
    format!("pt_result:{event_id}:{result_id}")
}
pub fn event_capa_key(event_id: i64, site_id: i64) -> String {
    format!("pt_event:{event_id}:{site_id}")
}
pub fn participation_capa_key(event_id: i64, site_id: i64) -> String {
    format!("pt_participation:{event_id}:{site_id}")
}

/// The result an automatic CAPA is opened for: its id and site, what was reported, and for
/// which sample (`S-03 HBsAg`).
pub struct AutoResult<'a> {
    pub id: i64,
    pub site_id: i64,
    pub site_code: &'a str,
    pub value: &'a str,
    pub sample: &'a str,
}

/// The CAPA an unsatisfactory result opens (minor).
pub fn result_capa(
    ev: &EventRow,
    r: &AutoResult<'_>,
    g: &grade::Graded,
    raised_by: i64,
    opened: Option<NaiveDate>,
) -> AutoCapa {
    let source_ref = format!("{} {}", ev.scheme_code, ev.code);
    let what = r.sample;
    let score = g
        .score
        .map(|s| format!(" ({} = {s:.2})", g.kind.label()))
        .unwrap_or_default();
    AutoCapa {
        site_id: r.site_id,
        source: CapaSource::PtResult,
        source_key: result_capa_key(ev.id, r.id),
        title: format!("PT unsatisfactory result: {source_ref}, {what}{score}"),
        description: format!(
            "{} reported {} for sample {what} in {} ({}). {}\n\nOpened automatically when the event was scored.",
            r.site_code, r.value, ev.scheme_name, source_ref, g.note
        ),
        source_ref,
        severity: Severity::Minor,
        raised_by,
        opened,
    }
}

/// The CAPA an unsatisfactory event score opens (major).
pub fn event_capa(
    ev: &EventRow,
    site_id: i64,
    code: &str,
    s: &grade::SiteScore,
    raised_by: i64,
    opened: Option<NaiveDate>,
) -> AutoCapa {
    let source_ref = format!("{} {}", ev.scheme_code, ev.code);
    let percent = s
        .percent
        .map(|p| format!("{p:.0}%"))
        .unwrap_or_else(|| "no score".into());
    AutoCapa {
        site_id,
        source: CapaSource::PtEvent,
        source_key: event_capa_key(ev.id, site_id),
        title: format!("PT event unsatisfactory: {source_ref} at {code} ({percent})"),
        source_ref,
        description: format!(
            "{code} scored {percent} ({} of {} acceptable) in {} {}. {}\n\nOpened automatically when the event was scored.",
            s.acceptable,
            s.total,
            ev.scheme_name,
            ev.code,
            s.detail.notes.join(" ")
        ),
        severity: Severity::Major,
        raised_by,
        opened,
    }
}

/// The CAPA unsuccessful participation opens (critical).
pub fn participation_capa(
    ev: &EventRow,
    site_id: i64,
    code: &str,
    raised_by: i64,
    opened: Option<NaiveDate>,
) -> AutoCapa {
    AutoCapa {
        site_id,
        source: CapaSource::PtEvent,
        source_key: participation_capa_key(ev.id, site_id),
        source_ref: format!("{} {}", ev.scheme_code, ev.code),
        title: format!("Unsuccessful PT participation: {} at {code}", ev.scheme_name),
        description: format!(
            "{code} has two unsatisfactory events in a row, or two of the last three, in {} (latest {}). The regional manager is notified.\n\nOpened automatically when the event was scored.",
            ev.scheme_name, ev.code
        ),
        severity: Severity::Critical,
        raised_by,
        opened,
    }
}

/// What scoring did, for its trail entry and the caller.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScoringOutcome {
    pub results: usize,
    pub sites: usize,
    pub unsatisfactory_sites: usize,
    pub capas: Vec<String>,
}

/// Scores the event: consensus values, every result, each participating site's event score,
/// unsuccessful participation, and the automatic CAPAs (once per source). Scoring again after
/// a correction replaces the scores and opens no second CAPA for the same source.
#[tracing::instrument(skip_all, fields(actor = actor.id(), event = id))]
pub async fn score_event(db: &Db, actor: &Actor, id: i64) -> Result<Event, Error> {
    hide_from_staff(actor, "PT event with id", id)?;
    if !manages(actor) {
        return Err(forbidden("score PT events"));
    }
    let mut tx = db.begin_write().await?;
    if tx.engine() == Engine::Postgres {
        repo::lock_event(tx.conn(), id).await?;
    }
    let ev = repo::event(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found("PT event with id", id))?;
    if status_of(&ev.status) == EventStatus::Open
        && parse_date(&ev.deadline).is_some_and(|d| Utc::now().date_naive() <= d)
    {
        return Err(Error::Conflict(format!(
            "Results are accepted until {}; close the event first to score it early.",
            ev.deadline
        )));
    }
    let outcome = score_in(&mut tx, &Who::from(actor), actor.id(), &ev, None).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("pt.event.score", "pt_event", id)
            .before(json!({"status": ev.status}))
            .after(json!({
                "status": "scored",
                "results": outcome.results,
                "sites": outcome.sites,
                "unsatisfactory_sites": outcome.unsatisfactory_sites,
                "capas": outcome.capas,
                "detail": format!("{} {} scored: {} sites, {} unsatisfactory, {} CAPA opened", ev.scheme_code, ev.code, outcome.sites, outcome.unsatisfactory_sites, outcome.capas.len()),
            })),
    )
    .await?;
    tx.commit().await?;
    event(db, actor, id).await
}

/// Scoring inside a transaction (also used by the demo seed).
pub async fn score_in(
    tx: &mut WriteTx,
    who: &Who,
    raised_by: i64,
    ev: &EventRow,
    opened: Option<NaiveDate>,
) -> Result<ScoringOutcome, Error> {
    let now = now_text();
    let rt = result_type_of(&ev.result_type);
    let mut challenges = repo::challenges(tx.conn(), ev.id).await?;
    let results = repo::results(tx.conn(), ev.id, None).await?;
    let mut specs = Vec::with_capacity(challenges.len());
    for c in challenges.iter_mut() {
        let mut spec = ChallengeSpec {
            sample: c.code.clone(),
            analyte: c.analyte.clone(),
            method: ScoreMethod::parse(&c.method).unwrap_or(ScoreMethod::Category),
            assigned: c.assigned_value,
            sigma: c.sigma_pt,
            u_assigned: c.u_assigned,
            expanded_assigned: c.expanded_assigned,
            expected: c.expected.clone(),
            unscorable: None,
        };
        if c.consensus != 0 {
            let values: Vec<f64> = results
                .iter()
                .filter(|r| r.challenge_id == c.id && r.late == 0)
                .filter_map(|r| r.numeric_value)
                .collect();
            match scoring::robust_consensus(&values) {
                Ok(consensus) => {
                    c.consensus_value = Some(consensus.value);
                    c.consensus_sigma = Some(consensus.sigma);
                    c.consensus_count = Some(consensus.count as i64);
                    spec.assigned = Some(consensus.value);
                    spec.sigma = Some(consensus.sigma);
                    spec.method = ScoreMethod::Z;
                    spec.u_assigned = None;
                }
                Err(why) => {
                    c.consensus_value = None;
                    c.consensus_sigma = None;
                    c.consensus_count = Some(values.len() as i64);
                    spec.unscorable = Some(why);
                }
            }
            repo::save_challenge(tx.conn(), c).await?;
        }
        specs.push(spec);
    }
    // Grade every result.
    let mut graded: HashMap<i64, (grade::Graded, bool)> = HashMap::new();
    for r in &results {
        let Some(i) = challenges.iter().position(|c| c.id == r.challenge_id) else {
            continue;
        };
        let g = grade::grade(
            rt,
            &specs[i],
            &ResultSpec {
                value: r.value.clone(),
                numeric: r.numeric_value,
                u_lab: r.u_lab,
                expanded_lab: r.expanded_lab,
                late: r.late != 0,
            },
        );
        repo::save_grade(
            tx.conn(),
            r.id,
            g.kind.as_str(),
            g.score,
            g.verdict.as_str(),
            g.grading.map(|x| x.as_str()),
            &g.note,
            &now,
        )
        .await?;
        graded.insert(r.id, (g, r.late != 0));
    }
    // Each participating site (and any site with results) gets an event score.
    let participants = repo::participants(
        tx.conn(),
        &ScopeFilter::of(&app::model::auth::Scope::Global),
        Some(ev.scheme_id),
    )
    .await?;
    let mut site_ids: BTreeMap<i64, (String, String)> = participants
        .iter()
        .map(|p| (p.site_id, (p.code.clone(), p.region.clone())))
        .collect();
    for r in &results {
        site_ids
            .entry(r.site_id)
            .or_insert((r.site_code.clone(), r.region.clone()));
    }
    let mut outcome = ScoringOutcome {
        results: results.len(),
        sites: site_ids.len(),
        ..ScoringOutcome::default()
    };
    let mut site_verdicts = Vec::new();
    for (&site_id, (code, region)) in &site_ids {
        let per_challenge: Vec<Option<(grade::Graded, bool)>> = challenges
            .iter()
            .map(|c| {
                results
                    .iter()
                    .find(|r| r.challenge_id == c.id && r.site_id == site_id)
                    .and_then(|r| graded.get(&r.id).cloned())
            })
            .collect();
        let s = grade::site_score(rt, &specs, &per_challenge);
        let detail = serde_json::to_string(&s.detail).unwrap_or_else(|_| "{}".into());
        repo::upsert_score(
            tx.conn(),
            ev.id,
            site_id,
            s.acceptable as i64,
            s.total as i64,
            s.percent,
            s.verdict.as_str(),
            &detail,
            &now,
        )
        .await?;
        if s.verdict == EventVerdict::Unsatisfactory {
            outcome.unsatisfactory_sites += 1;
        }
        site_verdicts.push((site_id, code.clone(), region.clone(), s));
    }
    repo::set_event_status(tx.conn(), ev.id, "scored", &now).await?;
    crate::dashboard::rollup::refresh_event(tx.conn(), ev.id, &[]).await?;

    // Unsuccessful participation, recomputed over the site's history in this scheme.
    let mut unsuccessful_here = Vec::new();
    for (site_id, code, region, _) in &site_verdicts {
        let history = repo::scheme_history(tx.conn(), ev.scheme_id, *site_id).await?;
        let flags = scoring::unsuccessful_participation(
            &history
                .iter()
                .map(|(_, v, _)| v == "satisfactory")
                .collect::<Vec<_>>(),
        );
        for ((event_id, _, stored), flag) in history.iter().zip(&flags) {
            if (*stored != 0) != *flag {
                repo::set_unsuccessful(tx.conn(), *event_id, *site_id, *flag).await?;
                crate::dashboard::rollup::refresh_event(tx.conn(), *event_id, &[*site_id]).await?;
            }
            if *event_id == ev.id && *flag {
                unsuccessful_here.push((*site_id, code.clone(), region.clone()));
            }
        }
    }

    // Automatic CAPAs, once per source.
    for r in &results {
        let Some((g, _)) = graded.get(&r.id) else {
            continue;
        };
        if g.verdict != ResultVerdict::Unsatisfactory {
            continue;
        }
        let c = challenges.iter().find(|c| c.id == r.challenge_id);
        let what = c
            .map(|c| format!("{} {}", c.code, c.analyte))
            .unwrap_or_default();
        let capa = result_capa(
            ev,
            &AutoResult {
                id: r.id,
                site_id: r.site_id,
                site_code: &r.site_code,
                value: &r.value,
                sample: &what,
            },
            g,
            raised_by,
            opened,
        );
        if let Some((_, number)) = auto::raise_once(tx, who, &capa).await? {
            outcome.capas.push(number);
        }
    }
    for (site_id, code, _, s) in &site_verdicts {
        if s.verdict != EventVerdict::Unsatisfactory {
            continue;
        }
        let capa = event_capa(ev, *site_id, code, s, raised_by, opened);
        if let Some((_, number)) = auto::raise_once(tx, who, &capa).await? {
            outcome.capas.push(number);
        }
    }
    for (site_id, code, region) in &unsuccessful_here {
        let capa = participation_capa(ev, *site_id, code, raised_by, opened);
        let opened = auto::raise_once(tx, who, &capa).await?;
        if let Some((capa_id, number)) = &opened {
            outcome.capas.push(number.clone());
            for manager in crate::notifications::repo::regional_managers(tx.conn(), region).await? {
                crate::notifications::repo::notify(
                    tx.conn(),
                    manager,
                    &format!("pt-unsuccessful:{}:{}:{site_id}", ev.scheme_id, ev.id),
                    &format!(
                        "Unsuccessful PT participation at {code}: {}",
                        ev.scheme_name
                    ),
                    &format!("{number} was opened after {} {}.", ev.scheme_code, ev.code),
                    &format!("/capas/{capa_id}"),
                    &now,
                )
                .await?;
            }
        }
    }
    Ok(outcome)
}

// ---------------------------------------------------------------- history

/// A site's PT history: its event scores and z-score trends.
pub async fn site_history(db: &Db, actor: &Actor, code: &str) -> Result<SiteHistory, Error> {
    hide_from_staff(actor, "site", code)?;
    let code = code.trim().to_uppercase();
    let mut conn = db.pool().acquire().await?;
    let (site_id, code, name, region, _) = repo::site(&mut conn, &code)
        .await?
        .filter(|(_, code, _, region, _)| {
            access::can_see_site(actor.user.role, &actor.user.scope, code, region)
        })
        .ok_or_else(|| not_found("site", &code))?;
    let events = repo::site_history(&mut conn, site_id)
        .await?
        .into_iter()
        .map(|h| HistoryEvent {
            event_id: h.event_id,
            scheme_code: h.scheme_code,
            scheme_name: h.scheme_name,
            code: h.code,
            deadline: h.deadline,
            score_percent: h.score_percent,
            verdict: EventVerdict::parse(&h.verdict).unwrap_or(EventVerdict::NotScored),
            unsuccessful: h.unsuccessful != 0,
        })
        .collect();
    let mut series: Vec<ZSeries> = Vec::new();
    for (scheme, analyte, unit, date, event, sample, kind, score) in
        repo::site_z_scores(&mut conn, site_id).await?
    {
        let point = ZPoint {
            date,
            event,
            sample,
            score,
            kind: ScoreKind::parse(&kind).unwrap_or(ScoreKind::Z),
        };
        match series.last_mut() {
            Some(s) if s.scheme == scheme && s.analyte == analyte => s.points.push(point),
            _ => series.push(ZSeries {
                scheme,
                analyte,
                unit,
                points: vec![point],
            }),
        }
    }
    let capas = capa_view(repo::site_pt_capas(&mut conn, site_id).await?);
    let _ = region;
    Ok(SiteHistory {
        site: SiteRef { code, name },
        events,
        series,
        capas,
    })
}
