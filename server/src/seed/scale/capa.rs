//! The CAPAs of the scale network. The other parts of the seed ask for them as they go (audit
//! findings, PT failures, radiology QC flags); each gets its final state at once, from its age,
//! so that an audit knows whether its CAPAs closed. At the end they are numbered in the order
//! they were opened and written with their plans, checks and closing signatures.

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use app::model::audits::Severity;
use app::model::capa::{CapaSource, DueDays};

use crate::capa::auto::AutoCapa;
use crate::capa::due;
use crate::documents::review::date_text;
use crate::error::Error;
use crate::seed::capa::{lifecycle, Lifecycle, Walk};
use crate::seed::dice::Dice;
use crate::signatures::content_hash;
use crate::trail::Change;

use super::batch::{row, Table, Writer};
use super::trail::TrailLog;
use super::{stamp, Context, Network, Person};

/// Where a CAPA of this age (days since it opened) ends up; `n` spreads the states. Old CAPAs
/// are mostly closed (a few rejected, cancelled or stuck), recent ones are at every step.
pub(super) fn state_for(age: i64, n: usize) -> &'static str {
    match age {
        180.. => match n % 50 {
            0 | 1 => "cancelled",
            2 | 3 => "rejected",
            4 => "implementing",
            5 => "effectiveness_check",
            6 => "action_plan",
            _ => "closed",
        },
        90.. => match n % 10 {
            0 => "effectiveness_check",
            1 => "implementing",
            2 => "plan_approved",
            3 => "reopened",
            4 => "action_plan",
            5 => "cancelled",
            _ => "closed",
        },
        _ => match n % 10 {
            0 | 1 => "open",
            2 => "containment",
            3 => "root_cause",
            4 => "action_plan",
            5 => "plan_approved",
            6 => "implementing",
            7 => "effectiveness_check",
            8 => "closed",
            _ => "rejected",
        },
    }
}

/// The step before `state`, for a CAPA too young to have reached it.
fn earlier(state: &str) -> &'static str {
    match state {
        "closed" => "effectiveness_check",
        "effectiveness_check" | "reopened" => "implementing",
        "implementing" => "plan_approved",
        "plan_approved" => "action_plan",
        "action_plan" => "root_cause",
        "root_cause" => "containment",
        _ => "open",
    }
}

/// The lifecycle of `walk`, stepped back until no step is dated after `today`.
pub(super) fn settle(mut walk: Walk, today: NaiveDate) -> Lifecycle {
    loop {
        let life = lifecycle(&walk);
        if life.last_day <= today || walk.state == "open" {
            return life;
        }
        walk.state = earlier(walk.state);
    }
}

/// One CAPA to write.
struct Request {
    site: usize,
    source: CapaSource,
    source_key: Option<String>,
    source_ref: String,
    finding_id: Option<i64>,
    title: String,
    description: String,
    severity: Severity,
    raised_by: Person,
    opened: NaiveDate,
    due: NaiveDate,
    /// The state before settling (see [`settle`]) and the variation number.
    state: &'static str,
    n: usize,
}

/// CAPAs asked for, written at the end.
pub(super) struct CapaBook {
    today: NaiveDate,
    due_days: DueDays,
    requests: Vec<Request>,
}

/// What a CAPA will have come to: its state and, if closed, when.
pub(super) struct Outcome {
    pub state: &'static str,
    pub closed_at: Option<String>,
}

impl CapaBook {
    pub(super) fn new(cx: &Context, due_days: DueDays) -> CapaBook {
        CapaBook {
            today: cx.today,
            due_days,
            requests: Vec::new(),
        }
    }

    fn walk(&self, net: &Network, r: &Request) -> Walk {
        let site = &net.sites[r.site];
        let region = net.region_of(site);
        Walk {
            state: r.state,
            opened: r.opened,
            due_date: r.due,
            n: r.n,
            owner: site.lead.id,
            approver: region.rm.id,
            qo: region.qo.id,
        }
    }

    /// Plans a CAPA for a finding (given by id, number, clause and text).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn for_finding(
        &mut self,
        net: &Network,
        site: usize,
        finding: (i64, i64, &str, &str),
        severity: Severity,
        raised_by: &Person,
        opened: NaiveDate,
    ) -> Outcome {
        let (id, number, clause, description) = finding;
        let text: String = description.chars().take(100).collect();
        self.add(
            net,
            Request {
                site,
                source: CapaSource::AuditFinding,
                source_key: Some(format!("finding:{id}")),
                source_ref: String::new(),
                finding_id: Some(id),
                title: format!("Finding {number} ({clause}): {text}"),
                description: format!("{description}\n\nRaised from the audit finding."),
                severity,
                raised_by: raised_by.clone(),
                opened,
                due: opened,
                state: "open",
                n: 0,
            },
        )
    }

    /// Plans a CAPA the system opens by itself (PT, radiology QC).
    pub(super) fn automatic(
        &mut self,
        net: &Network,
        site: usize,
        capa: AutoCapa,
        raised_by: &Person,
    ) -> Outcome {
        let opened = capa.opened.unwrap_or(self.today).min(self.today);
        self.add(
            net,
            Request {
                site,
                source: capa.source,
                source_key: Some(capa.source_key),
                source_ref: capa.source_ref,
                finding_id: None,
                title: capa.title.chars().take(200).collect(),
                description: capa.description,
                severity: capa.severity,
                raised_by: raised_by.clone(),
                opened,
                due: opened,
                state: "open",
                n: 0,
            },
        )
    }

    fn add(&mut self, net: &Network, mut r: Request) -> Outcome {
        r.opened = r.opened.min(self.today);
        r.due = due::default_due(r.opened, r.severity, &self.due_days);
        r.n = self.requests.len();
        r.state = state_for((self.today - r.opened).num_days(), r.n);
        let life = settle(self.walk(net, &r), self.today);
        r.state = if life.reopened_at.is_some() && life.state == "root_cause" {
            "reopened"
        } else {
            life.state
        };
        let outcome = Outcome {
            state: life.state,
            closed_at: life.closed_at,
        };
        self.requests.push(r);
        outcome
    }

    /// CAPAs raised by hand: incidents and complaints at the sites, and actions from the
    /// regions' management reviews, about one a site a year.
    pub(super) fn manual(&mut self, cx: &Context, net: &Network, dice: &mut Dice) {
        const RAISED: &[(CapaSource, Severity, &str, &str)] = &[
            (
                CapaSource::Incident,
                Severity::Major,
                "Specimen mislabelled at collection",
                "Two sputum containers were labelled with each other's identifiers; caught at reception before testing.",
            ),
            (
                CapaSource::Incident,
                Severity::Minor,
                "Refrigerator temperature out of range over a weekend",
                "The reagent refrigerator logged 11 °C for six hours; reagents quarantined and checked.",
            ),
            (
                CapaSource::Complaint,
                Severity::Minor,
                "Applicant complaint: results delayed past the promised date",
                "An applicant's panel results were released nine days after the promised date.",
            ),
            (
                CapaSource::Complaint,
                Severity::Major,
                "Receiving-country query on an incomplete chest X-ray report",
                "A receiving-country panel asked for a report that lacked the radiologist's classification.",
            ),
            (
                CapaSource::ManagementReview,
                Severity::Minor,
                "Management review: training records not kept up to date",
                "The annual management review found training records of new staff incomplete at several sites.",
            ),
        ];
        let days = (cx.today - cx.first_day).num_days().max(1) as u64;
        let years = days.div_ceil(365);
        for (site_index, site) in net.sites.iter().enumerate() {
            for _ in 0..years {
                if !dice.chance(60) {
                    continue;
                }
                let (source, severity, title, description) =
                    RAISED[dice.below(RAISED.len() as u64) as usize];
                let opened = cx.first_day + chrono::Days::new(dice.below(days));
                let raised_by = if source == CapaSource::ManagementReview {
                    &net.region_of(site).qo
                } else {
                    &site.lead
                };
                self.add(
                    net,
                    Request {
                        site: site_index,
                        source,
                        source_key: None,
                        source_ref: String::new(),
                        finding_id: None,
                        title: title.to_string(),
                        description: description.to_string(),
                        severity,
                        raised_by: raised_by.clone(),
                        opened,
                        due: opened,
                        state: "open",
                        n: 0,
                    },
                );
            }
        }
    }

    /// Numbers the CAPAs in the order they opened and writes them with their actions, checks,
    /// closing signatures, the yearly counters and their audit-trail entries.
    pub(super) async fn write(
        mut self,
        w: &mut Writer,
        log: &mut TrailLog,
        net: &Network,
    ) -> Result<usize, Error> {
        // Stable: CAPAs of one day keep the order they were raised in.
        self.requests.sort_by_key(|r| r.opened);
        let mut counters: Vec<(i32, i64)> = Vec::new();
        let written = self.requests.len();
        for r in &self.requests {
            let year = r.opened.year();
            let seq = match counters.last_mut() {
                Some((y, last)) if *y == year => {
                    *last += 1;
                    *last
                }
                _ => {
                    counters.push((year, 1));
                    1
                }
            };
            let number = format!("CAPA-{year}-{seq:04}");
            let id = w.next_id(Table::Capas);
            let walk = self.walk(net, r);
            let life = settle(walk, self.today);
            let site = &net.sites[r.site];
            let region = net.region_of(site);
            let signature = match &life.closed_at {
                Some(closed_at) => {
                    let signature_id = w.next_id(Table::Signatures);
                    w.push(
                        Table::Signatures,
                        row![
                            signature_id,
                            region.qo.id,
                            closed_at.as_str(),
                            "verified effective",
                            "capa",
                            id.to_string(),
                            content_hash(number.as_bytes())
                        ],
                    )
                    .await?;
                    Some(signature_id)
                }
                None => None,
            };
            let created_at = stamp(r.opened, 9);
            let updated_at = stamp(life.last_day, 17).max(created_at.clone());
            w.push(
                Table::Capas,
                row![
                    id,
                    i64::from(year),
                    seq,
                    number.as_str(),
                    site.id,
                    r.title.as_str(),
                    r.description.as_str(),
                    r.source.as_str(),
                    r.source_ref.as_str(),
                    r.source_key.clone(),
                    r.finding_id,
                    r.severity.as_str(),
                    site.lead.id,
                    life.state,
                    date_text(r.opened),
                    date_text(r.due),
                    life.containment,
                    life.containment_at.clone(),
                    life.root_cause_json.clone(),
                    life.root_cause_at.clone(),
                    life.plan_submitted_at.clone(),
                    life.plan_approved_by,
                    life.plan_approved_at.clone(),
                    life.implementation_started_at.clone(),
                    life.implemented_on.clone(),
                    life.effectiveness_due.clone(),
                    life.reopened_at.is_some(),
                    life.reopened_at.clone(),
                    life.ended_on.clone(),
                    life.end_reason,
                    life.closed_at.clone(),
                    signature,
                    r.raised_by.id,
                    created_at.as_str(),
                    updated_at.as_str()
                ],
            )
            .await?;
            for (k, action) in life.actions.iter().enumerate() {
                let updated = action
                    .completed_at
                    .clone()
                    .unwrap_or_else(|| action.created_at.clone());
                w.push(
                    Table::CapaActions,
                    row![
                        id,
                        k as i64 + 1,
                        action.description,
                        site.lead.id,
                        date_text(action.due),
                        action.status,
                        action.completed_at.clone(),
                        site.lead.id,
                        action.created_at.as_str(),
                        updated
                    ],
                )
                .await?;
            }
            for check in &life.checks {
                w.push(
                    Table::CapaChecks,
                    row![
                        id,
                        check.verdict.as_str(),
                        check.evidence,
                        check.checked_by,
                        check.at.as_str()
                    ],
                )
                .await?;
            }
            let change = |action: &'static str| {
                Change::new(action, "capa", id)
                    .site(Some(site.code.clone()), Some(region.code.clone()))
            };
            log.record(
                &created_at,
                &r.raised_by.who(),
                change("capa.create").after(json!({
                    "number": number,
                    "source": r.source.as_str(),
                    "source_key": r.source_key,
                    "detail": format!("{number} opened: {}", r.title),
                })),
            );
            if let Some((action, at, who)) = last_step(&life, site, region) {
                log.record(
                    &at,
                    &who.who(),
                    change(action).after(json!({
                        "state": life.state,
                        "detail": format!("{number}: {}", step_words(action)),
                    })),
                );
            }
        }
        for (year, last) in counters {
            w.push(Table::CapaCounters, row![i64::from(year), last])
                .await?;
        }
        Ok(written)
    }
}

/// The trail action of the step that brought a CAPA to its state, when it was taken, and by
/// whom (the site lead works the CAPA, the regional manager approves, the quality officer
/// checks, closes, rejects and cancels).
fn last_step<'a>(
    life: &Lifecycle,
    site: &'a super::Site,
    region: &'a super::Region,
) -> Option<(&'static str, String, &'a Person)> {
    let lead = &site.lead;
    let qo = &region.qo;
    let step = match life.state {
        "closed" => ("capa.close", life.closed_at.clone(), qo),
        "rejected" => (
            "capa.reject",
            life.ended_on.as_deref().map(|d| format!("{d}T10:00:00Z")),
            qo,
        ),
        "cancelled" => (
            "capa.cancel",
            life.ended_on.as_deref().map(|d| format!("{d}T10:00:00Z")),
            qo,
        ),
        "effectiveness_check" => (
            "capa.complete",
            life.implemented_on
                .as_deref()
                .map(|d| format!("{d}T16:00:00Z")),
            lead,
        ),
        "implementing" => ("capa.start", life.implementation_started_at.clone(), lead),
        "plan_approved" => (
            "capa.approve_plan",
            life.plan_approved_at.clone(),
            &region.rm,
        ),
        "action_plan" => ("capa.submit_plan", life.plan_submitted_at.clone(), lead),
        "root_cause" if life.reopened_at.is_some() => ("capa.verify", life.reopened_at.clone(), qo),
        "root_cause" => ("capa.root_cause", life.root_cause_at.clone(), lead),
        "containment" => ("capa.contain", life.containment_at.clone(), lead),
        _ => return None,
    };
    let (action, at, who) = step;
    at.map(|at| (action, at, who))
}

fn step_words(action: &str) -> &'static str {
    match action {
        "capa.close" => "verified effective and closed",
        "capa.reject" => "rejected: not a nonconformity",
        "capa.cancel" => "cancelled: raised twice",
        "capa.complete" => "implementation complete, effectiveness check scheduled",
        "capa.start" => "implementation started",
        "capa.approve_plan" => "action plan approved",
        "capa.submit_plan" => "action plan submitted for approval",
        "capa.verify" => "not effective: reopened at root cause",
        "capa.root_cause" => "root cause recorded",
        _ => "containment recorded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(state: &'static str, opened: NaiveDate, n: usize) -> Walk {
        Walk {
            state,
            opened,
            due_date: opened + chrono::Days::new(60),
            n,
            owner: 1,
            approver: 2,
            qo: 3,
        }
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_young_capa_never_has_a_step_dated_after_today() {
        let today = date("2026-11-27");
        for age in 0..130 {
            for n in 0..20 {
                let opened = today - chrono::Days::new(age);
                let life = settle(walk(state_for(age as i64, n), opened, n), today);
                assert!(life.last_day <= today, "age {age}, n {n}: {}", life.state);
            }
        }
        // Closing takes 60 days and completing 25: a CAPA opened 20 days ago and meant to be
        // closed is still implementing its plan.
        let life = settle(walk("closed", today - chrono::Days::new(20), 1), today);
        assert_eq!(life.state, "implementing");
    }

    #[test]
    fn every_state_occurs_and_old_capas_are_mostly_closed() {
        let mut seen = std::collections::BTreeSet::new();
        for age in [10, 40, 100, 400] {
            for n in 0..50 {
                seen.insert(state_for(age, n));
            }
        }
        for state in [
            "open",
            "containment",
            "root_cause",
            "action_plan",
            "plan_approved",
            "implementing",
            "effectiveness_check",
            "closed",
            "rejected",
            "cancelled",
            "reopened",
        ] {
            assert!(seen.contains(state), "{state}");
        }
        let closed = (0..1000).filter(|n| state_for(500, *n) == "closed").count();
        assert!(closed >= 850, "{closed} of 1000");
    }
}
