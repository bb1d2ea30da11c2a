//! Demo CAPAs, raised from the demo audit findings: older ones mostly closed (a few after an
//! ineffective check, a few rejected or cancelled), recent ones spread over every step, some
//! overdue. Skipped when CAPAs already exist, so seeding twice adds nothing.

use chrono::{Days, NaiveDate, Utc};
use serde_json::json;

use app::model::audits::Severity;
use app::model::capa::{DueDays, Fishbone, RootCauseAnalysis, RootCauseMethod};

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

/// Takes a freshly opened demo CAPA through its lifecycle to `walk.state`, with plausible
/// dates after its opening: containment, analysis, plan, approval, actions, checks, closure.
pub(super) async fn walk(tx: &mut WriteTx, id: i64, walk: &Walk) -> Result<repo::CapaRow, Error> {
    let Walk {
        state,
        opened,
        due_date,
        n,
        owner,
        approver,
        qo,
    } = *walk;
    let mut row = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::Internal("seeded CAPA vanished".into()))?;
    let capa_number = row.number.clone();
    let step = |k: u64| opened + Days::new(k);
    let reached = |s: &str| rank(state) >= rank(s);
    if reached("containment") {
        row.containment = "Stopped the affected activity, segregated the records concerned and informed the team the same day.".into();
        row.containment_at = Some(stamp(step(1), 10));
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
        row.root_cause_json = serde_json::to_string(&analysis).ok();
        row.root_cause_at = Some(stamp(step(6), 11));
    }
    let mut action_status = "planned";
    if reached("action_plan") {
        row.plan_submitted_at = Some(stamp(step(8), 12));
    }
    if reached("plan_approved") {
        row.plan_approved_by = Some(approver);
        row.plan_approved_at = Some(stamp(step(10), 9));
    }
    if reached("implementing") {
        row.implementation_started_at = Some(stamp(step(11), 9));
        action_status = "in_progress";
    }
    if reached("effectiveness_check") {
        let implemented = step(25);
        row.implemented_on = Some(date_text(implemented));
        row.effectiveness_due = Some(date_text(due::earliest_check(implemented)));
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
    .iter()
    .enumerate()
    {
        if k == 1 && n % 2 == 0 {
            continue;
        }
        let action_due = step(*offset).min(due_date);
        if reached("action_plan") || state == "root_cause" {
            let action_id = repo::insert_action(
                tx.conn(),
                id,
                action,
                owner,
                &date_text(action_due),
                "",
                owner,
                &stamp(step(7), 9),
            )
            .await?;
            sqlx::query("update capa_actions set status = $1, completed_at = $2 where id = $3")
                .bind(action_status)
                .bind((action_status == "done").then(|| stamp(step(24), 15)))
                .bind(action_id)
                .execute(tx.conn())
                .await?;
        }
    }
    // Every eighth CAPA that got as far as a check failed it once and was reopened.
    let reopened_once = reached("effectiveness_check") && n % 8 == 3;
    if reopened_once || state == "reopened" {
        let checked = step(56);
        repo::insert_check(
            tx.conn(),
            id,
            app::model::capa::Verdict::Ineffective,
            "The same gap was found again at the follow-up visit.",
            qo,
            &stamp(checked, 14),
        )
        .await?;
        row.reopened = 1;
        row.reopened_at = Some(stamp(checked, 14));
    }
    if state == "reopened" {
        row.root_cause_at = None;
        row.plan_submitted_at = None;
        row.plan_approved_by = None;
        row.plan_approved_at = None;
        row.implementation_started_at = None;
        row.implemented_on = None;
        row.effectiveness_due = None;
    }
    if state == "closed" {
        let checked = step(if reopened_once { 110 } else { 60 });
        repo::insert_check(
            tx.conn(),
            id,
            app::model::capa::Verdict::Effective,
            "Records of the last month sampled: complete, checks signed by the named deputy.",
            qo,
            &stamp(checked, 15),
        )
        .await?;
        let signature: i64 = sqlx::query_scalar(
            "insert into signatures (signer_id, signed_at, meaning, entity_type, entity_id, content_sha256)
             values ($1, $2, 'verified effective', 'capa', $3, $4) returning id",
        )
        .bind(qo)
        .bind(stamp(checked, 16))
        .bind(id.to_string())
        .bind(crate::signatures::content_hash(capa_number.as_bytes()))
        .fetch_one(tx.conn())
        .await?;
        row.closure_signature_id = Some(signature);
        row.closed_at = Some(stamp(checked, 16));
        row.ended_on = Some(date_text(checked));
    }
    if matches!(state, "rejected" | "cancelled") {
        row.end_reason = Some(if state == "rejected" {
            "Not a nonconformity: the record exists and was shown after the audit.".into()
        } else {
            "Raised twice; the work continues under the other CAPA.".into()
        });
        row.ended_on = Some(date_text(step(5)));
    }
    row.state = if state == "reopened" {
        "root_cause"
    } else {
        state
    }
    .to_string();
    repo::save(tx.conn(), &row, &stamp(opened, 9)).await?;
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
