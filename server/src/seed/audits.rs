//! Demo audits: the two seed checklists, two years of laboratory and radiology audits across the
//! network with scores from about 45% to 97%, their findings, one audit in progress at Nairobi
//! and a few planned for the coming weeks. Skipped when templates already exist, so seeding
//! twice adds nothing. The PT gate reads the demo PT events, seeded before.

use chrono::{Days, NaiveDate, Utc};

use app::model::audits::{Answer, Severity};

use crate::audits::{repo, template};
use crate::db::{now_text, WriteTx};
use crate::documents::review::date_text;
use crate::error::Error;

use super::dice::Dice;

const LAB_QMS: &str = include_str!("data/checklists/lab-qms.json");
const RAD_QA: &str = include_str!("data/checklists/rad-qa.json");

struct Site {
    id: i64,
    code: String,
    lab: bool,
    radiology: bool,
}

/// Seeds the demo audits; returns how many were added.
pub async fn seed(tx: &mut WriteTx) -> Result<usize, Error> {
    let existing: i64 = sqlx::query_scalar("select count(*) from checklist_templates")
        .fetch_one(tx.conn())
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let lab_template = store(tx, LAB_QMS, "laboratory").await?;
    let rad_template = store(tx, RAD_QA, "radiology").await?;
    let qo: i64 = sqlx::query_scalar("select id from users where email = 'qo@attest.example'")
        .fetch_one(tx.conn())
        .await?;
    let lab_qo: i64 =
        sqlx::query_scalar("select id from users where email = 'qo.lab@attest.example'")
            .fetch_one(tx.conn())
            .await?;
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "select s.id, s.code,
                cast((select count(*) from site_services x where x.site_id = s.id and x.service = 'lab') as bigint),
                cast((select count(*) from site_services x where x.site_id = s.id and x.service = 'radiology') as bigint)
           from sites s where s.status = 'active' order by s.code",
    )
    .fetch_all(tx.conn())
    .await?;
    let sites: Vec<Site> = rows
        .into_iter()
        .map(|(id, code, lab, radiology)| Site {
            id,
            code,
            lab: lab > 0,
            radiology: radiology > 0,
        })
        .collect();
    let today = Utc::now().date_naive();
    let now = now_text();
    let mut dice = Dice(0x5EED_A0D1_7000_0001);
    let mut added = 0;

    for (n, site) in sites.iter().enumerate() {
        for years_ago in [2u64, 1] {
            for (applies, template_id, lead, offset) in [
                (site.lab, lab_template, lab_qo, 0u64),
                (site.radiology, rad_template, qo, 45),
            ] {
                if !applies {
                    continue;
                }
                // Spread over the year so that the calendar has audits in most months.
                let start =
                    today - Days::new(years_ago * 365 - 20 - ((n as u64 * 11 + offset) % 300));
                let target = 45 + dice.below(53) as i64;
                seed_audit(
                    tx,
                    site,
                    template_id,
                    lead,
                    start,
                    Some(target),
                    &mut dice,
                    &now,
                )
                .await?;
                added += 1;
            }
        }
    }
    // One audit in progress at Nairobi, half answered, and a few planned for the coming weeks.
    if let Some(nairobi) = sites.iter().find(|s| s.code == "KEN-NBO") {
        seed_audit(
            tx,
            nairobi,
            lab_template,
            qo,
            today - Days::new(1),
            None,
            &mut dice,
            &now,
        )
        .await?;
        added += 1;
    }
    for (i, code) in [
        "UGA-KLA", "PHL-MNL", "JOR-AMM", "TUR-IST", "GHA-ACC", "NPL-KTM",
    ]
    .iter()
    .enumerate()
    {
        if let Some(site) = sites.iter().find(|s| &s.code == code) {
            let template_id = if site.lab && i % 2 == 0 {
                lab_template
            } else {
                rad_template
            };
            let start = today + Days::new(7 + 6 * i as u64);
            let row = repo::NewAuditRow {
                site_id: site.id,
                template_id,
                audit_type: if i == 3 { "follow_up" } else { "internal" },
                planned_start: &date_text(start),
                planned_end: &date_text(start + Days::new(1)),
                lead_auditor_id: qo,
                scope: "Routine audit of the quality management system.",
                created_by: qo,
            };
            repo::insert(tx.conn(), &row, "planned", &now).await?;
            added += 1;
        }
    }
    Ok(added)
}

async fn store(tx: &mut WriteTx, json: &str, kind: &str) -> Result<i64, Error> {
    let definition =
        template::parse(json).map_err(|e| Error::Internal(format!("seed template: {e}")))?;
    crate::audits::store_template(tx, None, &definition, kind).await
}

/// One audit, answered to about `target`% (submitted), or half answered when `target` is
/// `None` (in progress).
#[allow(clippy::too_many_arguments)]
async fn seed_audit(
    tx: &mut WriteTx,
    site: &Site,
    template_id: i64,
    lead: i64,
    start: NaiveDate,
    target: Option<i64>,
    dice: &mut Dice,
    now: &str,
) -> Result<(), Error> {
    let row = repo::NewAuditRow {
        site_id: site.id,
        template_id,
        audit_type: "internal",
        planned_start: &date_text(start),
        planned_end: &date_text(start + Days::new(1)),
        lead_auditor_id: lead,
        scope: "Full checklist, all sections.",
        created_by: lead,
    };
    let state = if target.is_some() {
        "submitted"
    } else {
        "in_progress"
    };
    let id = repo::insert(tx.conn(), &row, state, now).await?;
    let started = format!("{}T08:00:00Z", date_text(start));
    let submitted = format!("{}T16:00:00Z", date_text(start + Days::new(1)));
    sqlx::query("update audits set started_at = $1, submitted_at = $2 where id = $3")
        .bind(&started)
        .bind(target.map(|_| submitted.clone()))
        .bind(id)
        .execute(tx.conn())
        .await?;
    let items: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "select id, weight, clause, text from template_items where template_id = $1 order by section_id, position",
    )
    .bind(template_id)
    .fetch_all(tx.conn())
    .await?;
    let yes_chance = target.unwrap_or(80);
    let (mut points, mut applicable) = (0, 0);
    let mut values: Vec<String> = Vec::new();
    let mut binds: Vec<(i64, &'static str, String)> = Vec::new();
    let mut findings: Vec<(i64, Severity, String, String)> = Vec::new();
    for (n, (item, weight, clause, text)) in items.iter().enumerate() {
        if target.is_none() && n % 2 == 1 {
            continue;
        }
        let roll = dice.below(100) as i64;
        let answer = if roll < 4 {
            Answer::NotApplicable
        } else if roll < yes_chance {
            Answer::Yes
        } else if roll < yes_chance + (100 - yes_chance) / 2 {
            Answer::Partial
        } else {
            Answer::No
        };
        let (p, a) = crate::audits::scoring::points(answer, *weight);
        points += p;
        applicable += a;
        let notes = match answer {
            Answer::No => "Not in place at the time of the audit.".to_string(),
            Answer::Partial => "In place but incomplete; see the finding.".to_string(),
            _ => String::new(),
        };
        if matches!(answer, Answer::No | Answer::Partial) && findings.len() < 5 {
            let severity = match (answer, weight) {
                (Answer::No, w) if *w >= 5 => Severity::Critical,
                (Answer::No, _) => Severity::Major,
                _ => Severity::Minor,
            };
            findings.push((
                *item,
                severity,
                clause.clone(),
                format!("{} — {}", text, notes),
            ));
        }
        let k = binds.len() * 3;
        values.push(format!(
            "({id}, ${}, ${}, ${}, 1, {lead}, '{started}')",
            k + 1,
            k + 2,
            k + 3
        ));
        binds.push((*item, answer.as_str(), notes));
    }
    if !values.is_empty() {
        let sql = format!(
            "insert into audit_answers (audit_id, item_id, answer, notes, revision, answered_by, answered_at) values {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (item, answer, notes) in &binds {
            query = query.bind(*item).bind(*answer).bind(notes.clone());
        }
        query.execute(tx.conn()).await?;
    }
    if target.is_some() {
        repo::set_score(tx.conn(), id, points, applicable).await?;
        for (item, severity, clause, description) in findings {
            repo::insert_finding(
                tx.conn(),
                id,
                Some(item),
                severity,
                &clause,
                &description,
                "Observed on site; records sampled.",
                lead,
                &submitted,
            )
            .await?;
        }
    }
    Ok(())
}
