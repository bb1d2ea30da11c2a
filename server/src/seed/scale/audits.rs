//! Audits of the scale network, on the demo's two checklists (a second version of each from
//! half-way through): a yearly internal laboratory and radiology audit per site, an external
//! laboratory audit every other year, follow-ups after poor scores, a few cancelled. Answers aim
//! at each site's level, drifting over the years; findings (with their CAPAs) come from the no
//! and partial answers. Past audits have their report issued after a week or two and close when
//! their CAPAs do; recent ones wait for their report, one or two are in progress, and the coming
//! months are planned.

use chrono::{Days, NaiveDate};
use serde_json::json;

use app::model::audits::{Answer, Severity};

use crate::audits::scoring::points;
use crate::audits::template;
use crate::documents::review::date_text;
use crate::error::Error;
use crate::seed::dice::Dice;
use crate::trail::Change;

use super::batch::{row, Table, Writer};
use super::capa::CapaBook;
use super::trail::TrailLog;
use super::{stamp, Context, Network, Person};

const LAB_QMS: &str = include_str!("../data/checklists/lab-qms.json");
const RAD_QA: &str = include_str!("../data/checklists/rad-qa.json");

/// Audits are planned this far ahead.
const PLANNED_AHEAD_DAYS: u64 = 120;
/// Reports of audits submitted this recently may still be waiting.
const REPORT_WAIT_DAYS: i64 = 42;

/// One checklist item: (id, weight, clause, text).
type Item = (i64, i64, String, String);

/// A checklist version and its items, and from when it is used.
struct Checklist {
    id: i64,
    from: NaiveDate,
    items: Vec<Item>,
}

/// The versions of one checklist, oldest first.
struct Checklists {
    versions: Vec<Checklist>,
}

impl Checklists {
    fn on(&self, day: NaiveDate) -> &Checklist {
        self.versions
            .iter()
            .rev()
            .find(|c| c.from <= day)
            .unwrap_or(&self.versions[0])
    }
}

/// Stores a checklist once, or twice (a second version from half-way through the period).
async fn checklists(
    w: &mut Writer,
    cx: &Context,
    json: &str,
    kind: &str,
) -> Result<Checklists, Error> {
    let definition =
        template::parse(json).map_err(|e| Error::Internal(format!("seed template: {e}")))?;
    let half = cx.first_day + Days::new(((cx.today - cx.first_day).num_days() / 2).max(0) as u64);
    let mut versions = Vec::new();
    for from in [cx.first_day, half] {
        if versions.iter().any(|c: &Checklist| c.from == from) {
            continue;
        }
        let tx = w.tx().await?;
        let id = crate::audits::store_template(tx, None, &definition, kind).await?;
        // Dated when it came into use, not when the seed ran.
        sqlx::query("update checklist_templates set created_at = $1 where id = $2")
            .bind(stamp(from - Days::new(30), 9))
            .bind(id)
            .execute(tx.conn())
            .await?;
        let items: Vec<Item> = sqlx::query_as(
            "select id, weight, clause, text from template_items where template_id = $1
              order by section_id, position",
        )
        .bind(id)
        .fetch_all(tx.conn())
        .await?;
        versions.push(Checklist { id, from, items });
    }
    Ok(Checklists { versions })
}

/// One audit to seed.
struct Planned<'a> {
    site: usize,
    checklist: &'a Checklists,
    audit_type: &'static str,
    start: NaiveDate,
    lead: &'a Person,
    second: Option<&'a Person>,
}

/// How an audit's answers aim: the site's level, its drift over the years, some noise.
fn target(quality: i64, trend: i64, years_in: i64, dice: &mut Dice) -> i64 {
    (quality + trend * years_in + dice.below(21) as i64 - 10).clamp(35, 99)
}

/// An answer rolled against the target: a few not applicable, yes up to the target, the rest
/// split between partial and no.
fn answer(roll: i64, target: i64) -> Answer {
    if roll < 4 {
        Answer::NotApplicable
    } else if roll < target {
        Answer::Yes
    } else if roll < target + (100 - target) / 2 {
        Answer::Partial
    } else {
        Answer::No
    }
}

/// Seeds every audit and asks the CAPA book for the CAPAs of their findings.
pub(super) async fn seed(
    w: &mut Writer,
    log: &mut TrailLog,
    cx: &Context,
    net: &Network,
    capas: &mut CapaBook,
    dice: &mut Dice,
) -> Result<(), Error> {
    let lab = checklists(w, cx, LAB_QMS, "laboratory").await?;
    let rad = checklists(w, cx, RAD_QA, "radiology").await?;
    let horizon = cx.today + Days::new(PLANNED_AHEAD_DAYS);
    for (index, site) in net.sites.iter().enumerate() {
        let region = net.region_of(site);
        let offset = dice.below(365);
        let trend = dice.below(4) as i64 - 1;
        let mut planned: Vec<Planned> = Vec::new();
        let mut year = 0u64;
        loop {
            let base = cx.first_day + Days::new(offset + year * 365);
            if base > horizon {
                break;
            }
            if site.lab {
                planned.push(Planned {
                    site: index,
                    checklist: &lab,
                    audit_type: if dice.chance(10) {
                        "remote"
                    } else {
                        "internal"
                    },
                    start: base,
                    lead: if year.is_multiple_of(2) {
                        &net.qo_lab
                    } else {
                        &region.qo
                    },
                    second: dice.chance(50).then_some(&net.qo),
                });
                if year % 2 == 1 {
                    planned.push(Planned {
                        site: index,
                        checklist: &lab,
                        audit_type: "external",
                        start: base + Days::new(182),
                        lead: &net.qo,
                        second: Some(&net.qo_lab),
                    });
                }
            }
            if site.radiology {
                planned.push(Planned {
                    site: index,
                    checklist: &rad,
                    audit_type: "internal",
                    start: base + Days::new(120),
                    lead: &region.qo,
                    second: None,
                });
            }
            year += 1;
        }
        planned.retain(|p| p.start <= horizon);
        planned.sort_by_key(|p| p.start);
        let mut k = 0;
        while k < planned.len() {
            let years_in = (planned[k].start - cx.first_day).num_days() / 365;
            let aim = target(site.quality, trend, years_in, dice);
            if let Some(percent) = audit(w, log, cx, net, capas, dice, &planned[k], aim).await? {
                // A poor score brings a follow-up audit two or three months later.
                if percent < 65 && planned[k].audit_type != "follow_up" {
                    let start = planned[k].start + Days::new(60 + dice.below(30));
                    if start <= horizon {
                        let follow = Planned {
                            audit_type: "follow_up",
                            start,
                            second: None,
                            ..planned[k]
                        };
                        let at = planned
                            .iter()
                            .position(|p| p.start > start)
                            .unwrap_or(planned.len());
                        planned.insert(at, follow);
                    }
                }
            }
            k += 1;
        }
    }
    Ok(())
}

/// Seeds one audit with its answers, findings and team; returns the score (%) when submitted.
#[allow(clippy::too_many_arguments)]
async fn audit(
    w: &mut Writer,
    log: &mut TrailLog,
    cx: &Context,
    net: &Network,
    capas: &mut CapaBook,
    dice: &mut Dice,
    p: &Planned<'_>,
    aim: i64,
) -> Result<Option<i64>, Error> {
    let site = &net.sites[p.site];
    let region = net.region_of(site);
    let checklist = p.checklist.on(p.start);
    let id = w.next_id(Table::Audits);
    let end = p.start + Days::new(1);
    let started_at = stamp(p.start, 8);
    let submitted_day = end;
    let submitted_at = stamp(submitted_day, 16);
    let created_at = stamp(p.start.min(cx.today) - Days::new(30), 9);
    let change = |action: &'static str| {
        Change::new(action, "audit", id).site(Some(site.code.clone()), Some(region.code.clone()))
    };
    let scope = match p.audit_type {
        "follow_up" => "Follow-up of the findings of the previous audit.",
        "external" => "External audit on behalf of a receiving-country programme.",
        "remote" => "Remote audit: records and video walk-through.",
        _ => "Full checklist, all sections.",
    };
    // planned | in_progress | cancelled | submitted (and later)
    let state = if p.start > cx.today {
        "planned"
    } else if end >= cx.today {
        "in_progress"
    } else if dice.chance(2) {
        "cancelled"
    } else {
        "submitted"
    };
    let mut answers = Vec::new();
    let mut findings = Vec::new();
    let (mut earned, mut applicable) = (0, 0);
    if matches!(state, "in_progress" | "submitted") {
        for (n, (item, weight, clause, text)) in checklist.items.iter().enumerate() {
            if state == "in_progress" && n % 2 == 1 {
                continue;
            }
            let answer = answer(dice.below(100) as i64, aim);
            let (e, a) = points(answer, *weight);
            earned += e;
            applicable += a;
            let notes = match answer {
                Answer::No => "Not in place at the time of the audit.",
                Answer::Partial => "In place but incomplete; see the finding.",
                _ => "",
            };
            if state == "submitted"
                && matches!(answer, Answer::No | Answer::Partial)
                && findings.len() < 5
            {
                let severity = match (answer, weight) {
                    (Answer::No, w) if *w >= 5 => Severity::Critical,
                    (Answer::No, _) => Severity::Major,
                    _ => Severity::Minor,
                };
                findings.push((
                    Some(*item),
                    severity,
                    clause.clone(),
                    format!("{text} — {notes}"),
                ));
            }
            answers.push((*item, answer, notes));
        }
        if state == "submitted" && dice.chance(15) {
            findings.push((
                None,
                Severity::Observation,
                String::new(),
                "Observation: the waiting area signage is only in English.".to_string(),
            ));
        }
    }
    let percent = (applicable > 0).then(|| earned * 100 / applicable);

    // Findings and their CAPAs, to know whether the audit has closed.
    let opened = (submitted_day + Days::new(2)).min(cx.today);
    let mut finding_rows = Vec::new();
    let mut all_closed = true;
    let mut last_closed: Option<String> = None;
    for (number, (item, severity, clause, description)) in findings.into_iter().enumerate() {
        let finding_id = w.next_id(Table::Findings);
        let number = number as i64 + 1;
        if severity.capa_required() {
            let outcome = capas.for_finding(
                net,
                p.site,
                (finding_id, number, &clause, &description),
                severity,
                p.lead,
                opened,
            );
            match outcome.closed_at {
                Some(at) if outcome.state == "closed" => {
                    last_closed = last_closed.max(Some(at));
                }
                _ => all_closed = false,
            }
        }
        finding_rows.push((finding_id, number, item, severity, clause, description));
    }
    let waited = (cx.today - submitted_day).num_days();
    let report = (state == "submitted")
        .then(|| {
            if waited >= REPORT_WAIT_DAYS || (waited >= 8 && dice.chance(40)) {
                let day = submitted_day + Days::new(7 + dice.below(14));
                Some(day.min(cx.today))
            } else {
                None
            }
        })
        .flatten();
    let closed = match report {
        Some(issued) if all_closed => {
            Some(last_closed.map_or_else(|| stamp(issued, 17), |at| at.max(stamp(issued, 17))))
        }
        _ => None,
    };
    let final_state = match (state, report, &closed) {
        ("submitted", Some(_), Some(_)) => "closed",
        ("submitted", Some(_), None) => "report_issued",
        (state, _, _) => state,
    };
    let cancelled_at = (state == "cancelled").then(|| stamp(p.start - Days::new(7), 10));
    let scored = state == "submitted";
    let updated_at = closed
        .clone()
        .or_else(|| report.map(|d| stamp(d, 16)))
        .or_else(|| scored.then(|| submitted_at.clone()))
        .or_else(|| cancelled_at.clone())
        .unwrap_or_else(|| created_at.clone());
    w.push(
        Table::Audits,
        row![
            id,
            site.id,
            checklist.id,
            p.audit_type,
            date_text(p.start),
            date_text(end),
            p.lead.id,
            scope,
            final_state,
            matches!(state, "in_progress" | "submitted").then(|| started_at.clone()),
            scored.then(|| submitted_at.clone()),
            report.map(|d| stamp(d, 16)),
            closed.clone(),
            cancelled_at.clone(),
            (state == "cancelled")
                .then_some("Postponed: the site was closed for a public holiday; replanned."),
            scored.then_some(earned),
            scored.then_some(applicable),
            p.lead.id,
            created_at.as_str(),
            updated_at
        ],
    )
    .await?;
    w.push(Table::AuditTeam, row![id, p.lead.id]).await?;
    if let Some(second) = p.second.filter(|s| s.id != p.lead.id) {
        w.push(Table::AuditTeam, row![id, second.id]).await?;
    }
    for (item, answer, notes) in answers {
        w.push(
            Table::AuditAnswers,
            row![
                id,
                item,
                answer.as_str(),
                notes,
                1i64,
                p.lead.id,
                started_at.as_str()
            ],
        )
        .await?;
    }
    for (finding_id, number, item, severity, clause, description) in finding_rows {
        w.push(
            Table::Findings,
            row![
                finding_id,
                id,
                number,
                item,
                severity.as_str(),
                clause,
                description,
                "Observed on site; records sampled.",
                p.lead.id,
                submitted_at.as_str(),
                submitted_at.as_str()
            ],
        )
        .await?;
    }
    let who = p.lead.who();
    log.record(
        &created_at,
        &who,
        change("audit.plan").after(json!({
            "detail": format!("{} audit of {} planned for {}", p.audit_type, site.code, date_text(p.start)),
        })),
    );
    if let Some(at) = &cancelled_at {
        log.record(
            at,
            &who,
            change("audit.cancel").after(json!({ "state": "cancelled" })),
        );
    }
    if scored {
        log.record(
            &submitted_at,
            &who,
            change("audit.submit").after(json!({
                "state": "submitted",
                "detail": format!("Submitted with a score of {}%", percent.unwrap_or(0)),
            })),
        );
    }
    if let Some(day) = report {
        log.record(
            &stamp(day, 16),
            &who,
            change("audit.issue_report").after(json!({ "state": "report_issued" })),
        );
    }
    if let Some(at) = &closed {
        log.record(
            at,
            &region.qo.who(),
            change("audit.close").after(json!({
                "state": "closed",
                "detail": "Every finding's CAPA is closed",
            })),
        );
    }
    Ok(scored.then(|| percent.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_follow_the_target() {
        assert_eq!(answer(2, 80), Answer::NotApplicable);
        assert_eq!(answer(50, 80), Answer::Yes);
        assert_eq!(answer(85, 80), Answer::Partial);
        assert_eq!(answer(95, 80), Answer::No);
        let yes = (0..100).filter(|r| answer(*r, 60) == Answer::Yes).count();
        assert_eq!(yes, 56);
    }
}
