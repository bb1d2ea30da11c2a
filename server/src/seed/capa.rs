//! Demo CAPAs, raised from the demo audit findings: older ones mostly closed (a few after an
//! ineffective check, a few rejected or cancelled), recent ones spread over every step, some
//! overdue. Skipped when CAPAs already exist, so seeding twice adds nothing.

use chrono::{Days, NaiveDate, Utc};
use serde_json::json;

use app::model::audits::Severity;
use app::model::capa::{DueDays, Fishbone, RootCauseAnalysis, RootCauseMethod, Verdict};

use crate::capa::{due, repo};
use crate::db::WriteTx;
use crate::documents::review::date_text;
use crate::error::Error;
use crate::trail::{self, Change, Who};

/// The findings a CAPA is seeded for: (finding, site id, site code, region, number, severity,
/// clause, description, submitted date).
type FindingRow = (
    i64,
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
);

fn stamp(date: NaiveDate, hour: u32) -> String {
    format!("{}T{hour:02}:00:00Z", date_text(date))
}

/// Seeds the demo CAPAs; returns how many were added.
pub async fn seed(tx: &mut WriteTx) -> Result<usize, Error> {
    let existing: i64 =
        sqlx::query_scalar("select count(*) from capas where source = 'audit_finding'")
            .fetch_one(tx.conn())
            .await?;
    if existing > 0 {
        return Ok(0);
    }
    let qo: i64 = sqlx::query_scalar("select id from users where email = 'qo@attest.example'")
        .fetch_one(tx.conn())
        .await?;
    let findings: Vec<FindingRow> = sqlx::query_as(
        "select f.id, s.id, s.code, co.region_code, f.number, f.severity, f.clause, f.description,
                substr(a.submitted_at, 1, 10)
           from findings f
           join audits a on a.id = f.audit_id
           join sites s on s.id = a.site_id
           join countries co on co.code = s.country_code
          where a.state = 'submitted' and f.status = 'open' and f.severity <> 'observation'
          order by a.submitted_at, f.id",
    )
    .fetch_all(tx.conn())
    .await?;
    let days = DueDays::default();
    let today = Utc::now().date_naive();
    let mut added = 0;
    // Owner (the site lead, else the quality officer) and plan approver, once per site.
    let mut people: std::collections::HashMap<i64, (i64, i64)> = std::collections::HashMap::new();
    for (
        n,
        (finding_id, site_id, site, region, number, severity, clause, description, submitted),
    ) in findings.into_iter().enumerate()
    {
        let Ok(submitted) = NaiveDate::parse_from_str(&submitted, "%Y-%m-%d") else {
            continue;
        };
        let age = (today - submitted).num_days();
        // Not every finding of the older audits is in the demo: keep the lists readable.
        if age > 300 && n % 2 == 1 {
            continue;
        }
        let severity = Severity::parse(&severity).unwrap_or(Severity::Minor);
        let opened = submitted + Days::new(2);
        let due_date = due::default_due(opened, severity, &days);
        let (owner, approver) = match people.get(&site_id) {
            Some(known) => *known,
            None => {
                let owner = repo::site_lead(tx.conn(), site_id).await?.unwrap_or(qo);
                let approver: i64 = sqlx::query_scalar(
                    "select coalesce((select min(id) from users where role = 'regional_manager' and region_code = $1 and active = 1), $2)",
                )
                .bind(&region)
                .bind(qo)
                .fetch_one(tx.conn())
                .await?;
                people.insert(site_id, (owner, approver));
                (owner, approver)
            }
        };
        let state = demo_state(age, n);
        let year: i32 = opened.format("%Y").to_string().parse().unwrap_or(2026);
        let (seq, capa_number) = repo::next_number(tx.conn(), year).await?;
        let text: String = description.chars().take(100).collect();
        let title = format!("Finding {number} ({clause}): {text}");
        let id = repo::insert(
            tx.conn(),
            &repo::NewRow {
                year,
                seq,
                number: &capa_number,
                site_id,
                title: &title,
                description: &format!("{description}\n\nRaised from the audit finding."),
                source: "audit_finding",
                source_ref: "",
                source_key: Some(&format!("finding:{finding_id}")),
                finding_id: Some(finding_id),
                severity: severity.as_str(),
                owner_id: owner,
                state: "open",
                opened_on: &date_text(opened),
                due_date: &date_text(due_date),
                created_by: qo,
                now: &stamp(opened, 9),
            },
        )
        .await?;
        let row = walk(
            tx,
            id,
            &Walk {
                state,
                opened,
                due_date,
                n,
                owner,
                approver,
                qo,
            },
        )
        .await?;
        trail::record(
            tx,
            &Who::system(),
            Change::new("capa.create", "capa", id)
                .site(Some(site.clone()), Some(region.clone()))
                .after(json!({
                    "detail": format!(
                        "{capa_number} loaded with the demo data: opened {}, now {}",
                        date_text(opened),
                        row.state
                    ),
                })),
        )
        .await?;
        added += 1;
    }
    Ok(added)
}

/// Where a demo CAPA should end up, and the people who take it there.
pub(super) struct Walk {
    pub state: &'static str,
    pub opened: NaiveDate,
    pub due_date: NaiveDate,
    /// Varies the analysis and the plan from one CAPA to the next.
    pub n: usize,
    pub owner: i64,
    pub approver: i64,
    pub qo: i64,
}

/// One action of a seeded plan.
pub(super) struct PlannedAction {
    pub description: &'static str,
    pub due: NaiveDate,
    pub status: &'static str,
    pub completed_at: Option<String>,
    pub created_at: String,
}

/// One effectiveness check of a seeded CAPA.
pub(super) struct PlannedCheck {
    pub verdict: Verdict,
    pub evidence: &'static str,
    pub checked_by: i64,
    pub at: String,
}

/// A seeded CAPA taken to its state: the lifecycle columns, the plan and the checks, dated
/// after its opening. Plain values, so the demo writes them row by row and the scale seed in
/// batches.
pub(super) struct Lifecycle {
    /// The stored state (a reopened CAPA is back at `root_cause`).
    pub state: &'static str,
    pub containment: &'static str,
    pub containment_at: Option<String>,
    pub root_cause_json: Option<String>,
    pub root_cause_at: Option<String>,
    pub plan_submitted_at: Option<String>,
    pub plan_approved_by: Option<i64>,
    pub plan_approved_at: Option<String>,
    pub implementation_started_at: Option<String>,
    pub implemented_on: Option<String>,
    pub effectiveness_due: Option<String>,
    pub reopened_at: Option<String>,
    pub ended_on: Option<String>,
    pub end_reason: Option<&'static str>,
    /// Closed: when, which is also when the quality officer signed.
    pub closed_at: Option<String>,
    pub actions: Vec<PlannedAction>,
    pub checks: Vec<PlannedCheck>,
    /// The day of the latest step: nothing is dated after it.
    pub last_day: NaiveDate,
}

/// Takes a demo CAPA through its lifecycle to `walk.state`, with plausible dates after its
/// opening: containment, analysis, plan, approval, actions, checks, closure.
pub(super) fn lifecycle(walk: &Walk) -> Lifecycle {
    let Walk {
        state,
        opened,
        due_date,
        n,
        owner: _,
        approver,
        qo,
    } = *walk;
    let mut latest = 0u64;
    let mut step = |k: u64| {
        latest = latest.max(k);
        opened + Days::new(k)
    };
    let reached = |s: &str| rank(state) >= rank(s);
    let mut life = Lifecycle {
        state: if state == "reopened" {
            "root_cause"
        } else {
            state
        },
        containment: "",
        containment_at: None,
        root_cause_json: None,
        root_cause_at: None,
        plan_submitted_at: None,
        plan_approved_by: None,
        plan_approved_at: None,
        implementation_started_at: None,
        implemented_on: None,
        effectiveness_due: None,
        reopened_at: None,
        ended_on: None,
        end_reason: None,
        closed_at: None,
        actions: Vec::new(),
        checks: Vec::new(),
        last_day: opened,
    };
    if reached("containment") {
        life.containment = "Stopped the affected activity, segregated the records concerned and informed the team the same day.";
        life.containment_at = Some(stamp(step(1), 10));
    }
    if reached("root_cause") {
        let analysis = if n % 3 == 0 {
            RootCauseAnalysis {
                method: RootCauseMethod::Fishbone,
                whys: Vec::new(),
                fishbone: Fishbone {
                    people: "Relief staff not trained on the procedure".into(),
                    methods: "Procedure does not say who checks".into(),
                    materials: "Reagent lot changed without verification".into(),
                    ..Fishbone::default()
                },
                analysis: String::new(),
                root_cause:
                    "No documented responsibility for the check when the usual person is away."
                        .into(),
            }
        } else {
            RootCauseAnalysis {
                method: RootCauseMethod::FiveWhys,
                whys: vec![
                    "The record was incomplete on the day of the audit.".into(),
                    "The check was not done during the week.".into(),
                    "The person responsible was on leave.".into(),
                    "No deputy is named in the procedure.".into(),
                ],
                fishbone: Fishbone::default(),
                analysis: String::new(),
                root_cause: "The procedure names no deputy for the weekly check.".into(),
            }
        };
        life.root_cause_json = serde_json::to_string(&analysis).ok();
        life.root_cause_at = Some(stamp(step(6), 11));
    }
    let mut action_status = "planned";
    if reached("action_plan") {
        life.plan_submitted_at = Some(stamp(step(8), 12));
    }
    if reached("plan_approved") {
        life.plan_approved_by = Some(approver);
        life.plan_approved_at = Some(stamp(step(10), 9));
    }
    if reached("implementing") {
        life.implementation_started_at = Some(stamp(step(11), 9));
        action_status = "in_progress";
    }
    if reached("effectiveness_check") {
        let implemented = step(25);
        life.implemented_on = Some(date_text(implemented));
        life.effectiveness_due = Some(date_text(due::earliest_check(implemented)));
        action_status = "done";
    }
    for (k, (action, offset)) in [
        (
            "Name a deputy for the check in the procedure and train them.",
            20u64,
        ),
        (
            "Review the records of the last three months for the same gap.",
            25,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        if k == 1 && n % 2 == 0 {
            continue;
        }
        if reached("action_plan") || state == "root_cause" {
            let created_at = stamp(step(7), 9);
            let completed_at = (action_status == "done").then(|| stamp(step(24), 15));
            life.actions.push(PlannedAction {
                description: action,
                // The due date is planned, not a step taken.
                due: (opened + Days::new(offset)).min(due_date),
                status: action_status,
                completed_at,
                created_at,
            });
        }
    }
    // Every eighth CAPA that got as far as a check failed it once and was reopened.
    let reopened_once = reached("effectiveness_check") && n % 8 == 3;
    if reopened_once || state == "reopened" {
        let at = stamp(step(56), 14);
        life.checks.push(PlannedCheck {
            verdict: Verdict::Ineffective,
            evidence: "The same gap was found again at the follow-up visit.",
            checked_by: qo,
            at: at.clone(),
        });
        life.reopened_at = Some(at);
    }
    if state == "reopened" {
        life.root_cause_at = None;
        life.plan_submitted_at = None;
        life.plan_approved_by = None;
        life.plan_approved_at = None;
        life.implementation_started_at = None;
        life.implemented_on = None;
        life.effectiveness_due = None;
    }
    if state == "closed" {
        let checked = step(if reopened_once { 110 } else { 60 });
        life.checks.push(PlannedCheck {
            verdict: Verdict::Effective,
            evidence:
                "Records of the last month sampled: complete, checks signed by the named deputy.",
            checked_by: qo,
            at: stamp(checked, 15),
        });
        life.closed_at = Some(stamp(checked, 16));
        life.ended_on = Some(date_text(checked));
    }
    if matches!(state, "rejected" | "cancelled") {
        life.end_reason = Some(if state == "rejected" {
            "Not a nonconformity: the record exists and was shown after the audit."
        } else {
            "Raised twice; the work continues under the other CAPA."
        });
        life.ended_on = Some(date_text(step(5)));
    }
    life.last_day = opened + Days::new(latest);
    life
}

/// Takes a freshly opened demo CAPA through its lifecycle to `walk.state` (see [`lifecycle`]).
pub(super) async fn walk(tx: &mut WriteTx, id: i64, walk: &Walk) -> Result<repo::CapaRow, Error> {
    let mut row = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::Internal("seeded CAPA vanished".into()))?;
    let life = lifecycle(walk);
    for action in &life.actions {
        let action_id = repo::insert_action(
            tx.conn(),
            id,
            action.description,
            walk.owner,
            &date_text(action.due),
            "",
            walk.owner,
            &action.created_at,
        )
        .await?;
        sqlx::query("update capa_actions set status = $1, completed_at = $2 where id = $3")
            .bind(action.status)
            .bind(&action.completed_at)
            .bind(action_id)
            .execute(tx.conn())
            .await?;
    }
    for check in &life.checks {
        repo::insert_check(
            tx.conn(),
            id,
            check.verdict,
            check.evidence,
            check.checked_by,
            &check.at,
        )
        .await?;
    }
    if let Some(closed_at) = &life.closed_at {
        let signature: i64 = sqlx::query_scalar(
            "insert into signatures (signer_id, signed_at, meaning, entity_type, entity_id, content_sha256)
             values ($1, $2, 'verified effective', 'capa', $3, $4) returning id",
        )
        .bind(walk.qo)
        .bind(closed_at)
        .bind(id.to_string())
        .bind(crate::signatures::content_hash(row.number.as_bytes()))
        .fetch_one(tx.conn())
        .await?;
        row.closure_signature_id = Some(signature);
    }
    // The row was just opened: every lifecycle column comes from the walk.
    row.state = life.state.to_string();
    row.containment = life.containment.to_string();
    row.containment_at = life.containment_at;
    row.root_cause_json = life.root_cause_json;
    row.root_cause_at = life.root_cause_at;
    row.plan_submitted_at = life.plan_submitted_at;
    row.plan_approved_by = life.plan_approved_by;
    row.plan_approved_at = life.plan_approved_at;
    row.implementation_started_at = life.implementation_started_at;
    row.implemented_on = life.implemented_on;
    row.effectiveness_due = life.effectiveness_due;
    row.reopened = i64::from(life.reopened_at.is_some());
    row.reopened_at = life.reopened_at;
    row.closed_at = life.closed_at;
    row.ended_on = life.ended_on;
    row.end_reason = life.end_reason.map(str::to_string);
    repo::save(tx.conn(), &row, &stamp(walk.opened, 9)).await?;
    Ok(row)
}

/// Where a demo CAPA stands, by how long ago its audit was submitted (and a little variety).
pub(super) fn demo_state(age: i64, n: usize) -> &'static str {
    match (age, n % 10) {
        (301.., 0) => "cancelled",
        // Odd-numbered findings of old audits are not seeded (see above).
        (301.., 4) => "rejected",
        (301.., _) => "closed",
        (121.., 0 | 1) => "effectiveness_check",
        (121.., 2 | 3) => "implementing",
        (121.., 4) => "reopened",
        (121.., _) => "closed",
        (61.., 0..=2) => "implementing",
        (61.., 3 | 4) => "plan_approved",
        (61.., 5 | 6) => "action_plan",
        (61.., _) => "effectiveness_check",
        (_, 0..=2) => "open",
        (_, 3 | 4) => "containment",
        (_, 5 | 6) => "root_cause",
        _ => "action_plan",
    }
}

/// The order of the steps, to tell what a state has passed through.
fn rank(state: &str) -> u8 {
    match state {
        "open" | "rejected" | "cancelled" => 0,
        "containment" => 1,
        "root_cause" | "reopened" => 2,
        "action_plan" => 3,
        "plan_approved" => 4,
        "implementing" => 5,
        "effectiveness_check" => 6,
        "closed" => 7,
        _ => 0,
    }
}
