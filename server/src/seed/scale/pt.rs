//! PT/EQA of the scale network: nine schemes (the laboratory disciplines and the teleradiology
//! QC centre's chest X-ray reading scheme), every round over the period with its samples, each
//! participating site's results, graded with the real grading (`pt::grade`) and scored into
//! event scores with unsuccessful participation, and the CAPAs scoring opens. Most results are
//! right; a site now and then has a bad round, misses a round or reports late, and a few sites
//! struggle with one scheme for a while (unsuccessful participation). Every scheme's latest
//! round is still open, with a deadline in the coming weeks.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

use app::model::pt::{Discipline, EventVerdict, ResultType, ResultVerdict, ScoreMethod};

use crate::documents::review::date_text;
use crate::error::Error;
use crate::pt::grade::{self, ChallengeSpec, Graded, ResultSpec};
use crate::pt::repo::EventRow;
use crate::pt::{self, scoring, AutoResult};
use crate::seed::dice::Dice;
use crate::trail::Change;

use super::batch::{row, Table, Writer};
use super::capa::CapaBook;
use super::trail::TrailLog;
use super::{stamp, Context, Network, Person};

struct SchemeDef {
    code: &'static str,
    name: &'static str,
    provider: &'static str,
    discipline: Discipline,
    result_type: ResultType,
    per_year: u64,
    /// The lab test a site must run to take part, or `radiology`.
    test: &'static str,
    /// Samples (challenges) per round.
    samples: usize,
}

const SCHEMES: &[SchemeDef] = &[
    SchemeDef {
        code: "NRL-SMEAR",
        name: "TB smear microscopy blinded rechecking",
        provider: "National TB Reference Laboratory network",
        discipline: Discipline::TbSmear,
        result_type: ResultType::SmearGrade,
        per_year: 4,
        test: "smear",
        samples: 60,
    },
    SchemeDef {
        code: "NRL-CULTURE",
        name: "TB culture proficiency panel",
        provider: "National TB Reference Laboratory network",
        discipline: Discipline::TbCulture,
        result_type: ResultType::Qualitative,
        per_year: 2,
        test: "culture",
        samples: 10,
    },
    SchemeDef {
        code: "SNRL-DST",
        name: "TB drug-susceptibility panel",
        provider: "WHO Supranational Reference Laboratory",
        discipline: Discipline::TbDst,
        result_type: ResultType::DstPanel,
        per_year: 2,
        test: "dst",
        // Five isolates, four drugs each.
        samples: 20,
    },
    SchemeDef {
        code: "XPERT-EQA",
        name: "Xpert MTB/RIF proficiency panel",
        provider: "SmartSpot Quality",
        discipline: Discipline::Xpert,
        result_type: ResultType::Qualitative,
        per_year: 4,
        test: "xpert",
        samples: 10,
    },
    SchemeDef {
        code: "SYPH-RPR",
        name: "Syphilis RPR titre",
        provider: "Commercial serology EQA",
        discipline: Discipline::Syphilis,
        result_type: ResultType::Titre,
        per_year: 4,
        test: "syphilis",
        samples: 10,
    },
    SchemeDef {
        code: "HIV-SERO",
        name: "HIV serology",
        provider: "Commercial serology EQA",
        discipline: Discipline::Hiv,
        result_type: ResultType::Qualitative,
        per_year: 4,
        test: "hiv",
        samples: 10,
    },
    SchemeDef {
        code: "HBV-QUANT",
        name: "HBsAg quantification",
        provider: "National Reference Laboratory for hepatitis",
        discipline: Discipline::HepatitisB,
        result_type: ResultType::Quantitative,
        per_year: 4,
        test: "hbsag",
        samples: 10,
    },
    SchemeDef {
        code: "HCV-SERO",
        name: "HCV antibody serology",
        provider: "Commercial serology EQA",
        discipline: Discipline::HepatitisC,
        result_type: ResultType::Qualitative,
        per_year: 3,
        test: "hcv",
        samples: 10,
    },
    SchemeDef {
        code: "CXR-EQA",
        name: "Chest X-ray reading proficiency",
        provider: "Teleradiology QC centre",
        discipline: Discipline::CxrQc,
        result_type: ResultType::RadiologyRead,
        per_year: 12,
        test: "radiology",
        samples: 60,
    },
];

const DRUGS: [&str; 4] = ["isoniazid", "rifampicin", "streptomycin", "ethambutol"];
const TITRES: [&str; 5] = ["1:4", "1:8", "1:16", "1:32", "non-reactive"];

/// A sample of a round.
#[derive(Debug, Clone)]
struct Challenge {
    code: String,
    analyte: String,
    unit: &'static str,
    method: ScoreMethod,
    assigned: Option<f64>,
    sigma: Option<f64>,
    u_assigned: Option<f64>,
    consensus: bool,
    expected: Option<String>,
}

fn category(code: String, analyte: &str, expected: &str) -> Challenge {
    Challenge {
        code,
        analyte: analyte.to_string(),
        unit: "",
        method: ScoreMethod::Category,
        assigned: None,
        sigma: None,
        u_assigned: None,
        consensus: false,
        expected: Some(expected.to_string()),
    }
}

/// The samples of one round of a scheme.
fn challenges(def: &SchemeDef, dice: &mut Dice) -> Vec<Challenge> {
    let pick = |dice: &mut Dice, weights: &[(&'static str, u64)]| {
        let total: u64 = weights.iter().map(|(_, w)| w).sum();
        let mut roll = dice.below(total);
        for (value, weight) in weights {
            if roll < *weight {
                return *value;
            }
            roll -= weight;
        }
        weights[0].0
    };
    match def.result_type {
        ResultType::SmearGrade => (1..=def.samples)
            .map(|i| {
                let grade = pick(
                    dice,
                    &[
                        ("negative", 60),
                        ("scanty", 10),
                        ("1+", 12),
                        ("2+", 10),
                        ("3+", 8),
                    ],
                );
                category(format!("Slide {i:02}"), "AFB", grade)
            })
            .collect(),
        ResultType::DstPanel => (1..=def.samples / DRUGS.len())
            .flat_map(|isolate| {
                let mdr = dice.chance(30);
                let streptomycin = dice.chance(20);
                DRUGS
                    .iter()
                    .map(|drug| {
                        let resistant = match *drug {
                            "isoniazid" | "rifampicin" => mdr,
                            "streptomycin" => streptomycin,
                            _ => false,
                        };
                        category(
                            format!("Isolate {isolate}"),
                            drug,
                            if resistant {
                                "resistant"
                            } else {
                                "susceptible"
                            },
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        ResultType::Titre => (1..=def.samples)
            .map(|i| {
                let titre = TITRES[dice.below(TITRES.len() as u64) as usize];
                category(format!("S-{i:02}"), "RPR", titre)
            })
            .collect(),
        ResultType::Quantitative => (1..=def.samples)
            .map(|i| {
                let assigned = (100 + dice.below(1900)) as f64;
                let sigma = (assigned * 0.08 * 10.0).round() / 10.0;
                let (assigned, sigma, u, consensus) = match i % 5 {
                    // Consensus samples: X and σ from the participants.
                    0 => (None, None, None, true),
                    // An uncertain assigned value: scored with z′.
                    3 => (Some(assigned), Some(sigma), Some(sigma * 0.4), false),
                    _ => (Some(assigned), Some(sigma), None, false),
                };
                Challenge {
                    code: format!("S-{i:02}"),
                    analyte: "HBsAg".into(),
                    unit: "IU/mL",
                    method: ScoreMethod::Z,
                    assigned,
                    sigma,
                    u_assigned: u,
                    consensus,
                    expected: None,
                }
            })
            .collect(),
        ResultType::RadiologyRead => (1..=def.samples)
            .map(|i| {
                let class = pick(dice, &[("normal", 65), ("tb", 20), ("other", 15)]);
                category(format!("CXR-{i:02}"), "Chest X-ray", class)
            })
            .collect(),
        ResultType::Qualitative => {
            let (analyte, weights): (&str, &[(&'static str, u64)]) = match def.discipline {
                Discipline::Xpert => (
                    "MTB/RIF",
                    &[
                        ("mtb not detected", 45),
                        ("mtb detected, rif not detected", 40),
                        ("mtb detected, rif detected", 15),
                    ],
                ),
                Discipline::TbCulture => ("MTB culture", &[("positive", 50), ("negative", 50)]),
                Discipline::HepatitisC => ("Anti-HCV", &[("reactive", 40), ("non-reactive", 60)]),
                _ => ("HIV-1/2 Ab", &[("reactive", 40), ("non-reactive", 60)]),
            };
            (1..=def.samples)
                .map(|i| category(format!("S-{i:02}"), analyte, pick(dice, weights)))
                .collect()
        }
    }
}

/// How wrong a reported result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slip {
    None,
    /// Harmless or questionable: a neighbouring smear grade, a titre one dilution off.
    Minor,
    /// Unsatisfactory: the wrong category, a high false smear, a titre far off, |z| ≥ 3.
    Major,
}

/// What a site reports for a challenge, given how wrong it is: (value, number).
fn report(def: &SchemeDef, c: &Challenge, slip: Slip, dice: &mut Dice) -> (String, Option<f64>) {
    let expected = c.expected.as_deref().unwrap_or("");
    match def.result_type {
        ResultType::Quantitative => {
            let (centre, spread) = match (c.assigned, c.sigma) {
                (Some(x), Some(s)) => (x, s),
                // Consensus samples: a true value near 800 IU/mL.
                _ => (800.0, 60.0),
            };
            let z = match slip {
                Slip::Major => 3.2 + dice.below(130) as f64 / 100.0,
                Slip::Minor => 2.1 + dice.below(80) as f64 / 100.0,
                Slip::None => dice.gauss() * 0.7,
            };
            let sign = if dice.chance(50) { 1.0 } else { -1.0 };
            let value = ((centre + sign * z.abs() * spread) * 10.0).round() / 10.0;
            (format!("{value}"), Some(value))
        }
        ResultType::SmearGrade => {
            let value = match (slip, expected) {
                (Slip::None, e) => e,
                (Slip::Minor, "negative") => "scanty",
                (Slip::Minor, "scanty") => "negative",
                (Slip::Minor, "1+") => "3+",
                (Slip::Minor, "3+") => "1+",
                (Slip::Minor, _) => "1+",
                (Slip::Major, "negative") => "2+",
                (Slip::Major, _) => "negative",
            };
            (value.to_string(), None)
        }
        ResultType::Titre => {
            let value = match (slip, scoring::titre_steps(expected)) {
                (Slip::None, _) | (Slip::Minor, None) => expected.to_string(),
                (Slip::Major, None) => "1:8".to_string(),
                (Slip::Minor, Some(steps)) => format!("1:{}", 1u64 << (steps + 1)),
                (Slip::Major, Some(steps)) => format!("1:{}", 1u64 << (steps + 3)),
            };
            (value, None)
        }
        _ => {
            if slip == Slip::None {
                return (expected.to_string(), None);
            }
            let options: Vec<&str> = def
                .result_type
                .categories(def.discipline)
                .iter()
                .copied()
                .filter(|o| !grade::same_category(o, expected))
                .collect();
            let value = options
                .get(dice.below(options.len() as u64) as usize)
                .copied()
                .unwrap_or("indeterminate");
            (value.to_string(), None)
        }
    }
}

/// One reported result, before it is written.
struct Reported {
    id: i64,
    challenge: usize,
    site: usize,
    value: String,
    numeric: Option<f64>,
    late: bool,
    submitted: NaiveDate,
    graded: Option<Graded>,
}

/// The deadlines of a scheme's rounds, oldest first: evenly spaced, the last one shortly after
/// today (that round is open), none before the first day.
fn deadlines(per_year: u64, offset: u64, first_day: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    let spacing = (365 / per_year.max(1)).max(1);
    let last = today + Days::new(3 + offset % spacing.saturating_sub(3).max(1));
    let mut days = Vec::new();
    let mut k = 0;
    while let Some(day) = last.checked_sub_days(Days::new(k * spacing)) {
        if day < first_day + Days::new(28) {
            break;
        }
        days.push(day);
        k += 1;
    }
    days.reverse();
    days
}

/// Seeds the schemes and their rounds, and asks the CAPA book for scoring's CAPAs.
pub(super) async fn seed(
    w: &mut Writer,
    log: &mut TrailLog,
    cx: &Context,
    net: &Network,
    capas: &mut CapaBook,
    dice: &mut Dice,
) -> Result<(), Error> {
    let created = stamp(cx.first_day, 8);
    for (s, def) in SCHEMES.iter().enumerate() {
        let members: Vec<usize> = net
            .sites
            .iter()
            .enumerate()
            .filter(|(_, site)| {
                if def.test == "radiology" {
                    site.radiology
                } else {
                    site.tests.contains(&def.test)
                }
            })
            .map(|(i, _)| i)
            .collect();
        if members.is_empty() {
            continue;
        }
        let scorer = if def.discipline == Discipline::CxrQc {
            &net.qo
        } else {
            &net.qo_lab
        };
        let scheme_id = w.next_id(Table::PtSchemes);
        w.push(
            Table::PtSchemes,
            row![
                scheme_id,
                def.code,
                def.name,
                def.provider,
                def.discipline.as_str(),
                def.result_type.as_str(),
                def.per_year as i64,
                scorer.id,
                created.as_str(),
                created.as_str()
            ],
        )
        .await?;
        for &m in &members {
            w.push(Table::PtSchemeSites, row![scheme_id, net.sites[m].id])
                .await?;
        }
        log.record(
            &created,
            &scorer.who(),
            Change::new("pt.scheme.create", "pt_scheme", scheme_id).after(json!({
                "code": def.code, "sites": members.len(),
                "detail": format!("{} created with {} participating sites", def.code, members.len()),
            })),
        );
        // A few sites struggle with this scheme for eighteen months.
        let span = (cx.today - cx.first_day).num_days().max(1) as u64;
        let mut struggling: HashMap<usize, (NaiveDate, NaiveDate)> = HashMap::new();
        for &m in &members {
            if dice.chance(4) {
                let from = cx.first_day + Days::new(dice.below(span));
                struggling.insert(m, (from, from + Days::new(540)));
            }
        }
        let mut history: HashMap<usize, Vec<bool>> = HashMap::new();
        let mut per_year: HashMap<i32, u32> = HashMap::new();
        for deadline in deadlines(def.per_year, s as u64 * 11, cx.first_day, cx.today) {
            let k = per_year.entry(deadline.year()).or_default();
            *k += 1;
            let round = Round {
                def,
                scheme_id,
                code: format!("{}-{k}", deadline.year()),
                deadline,
                scorer,
            };
            round
                .write(
                    w,
                    log,
                    cx,
                    net,
                    capas,
                    dice,
                    &members,
                    &struggling,
                    &mut history,
                )
                .await?;
        }
    }
    Ok(())
}

/// One round (event) of a scheme.
struct Round<'a> {
    def: &'a SchemeDef,
    scheme_id: i64,
    code: String,
    deadline: NaiveDate,
    scorer: &'a Person,
}

impl Round<'_> {
    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        w: &mut Writer,
        log: &mut TrailLog,
        cx: &Context,
        net: &Network,
        capas: &mut CapaBook,
        dice: &mut Dice,
        members: &[usize],
        struggling: &HashMap<usize, (NaiveDate, NaiveDate)>,
        history: &mut HashMap<usize, Vec<bool>>,
    ) -> Result<(), Error> {
        let def = self.def;
        let deadline = self.deadline;
        let dispatch = deadline - Days::new(if def.per_year >= 12 { 21 } else { 28 });
        let scored_on = deadline + Days::new(5);
        let status = if deadline > cx.today {
            "open"
        } else if scored_on > cx.today {
            "closed"
        } else {
            "scored"
        };
        let event_id = w.next_id(Table::PtEvents);
        let mut samples = challenges(def, dice);
        let challenge_ids: Vec<i64> = samples
            .iter()
            .map(|_| w.next_id(Table::PtChallenges))
            .collect();

        // What each site reported.
        let mut results: Vec<Reported> = Vec::new();
        for &m in members {
            let window = struggling.get(&m);
            let bad_chance = match window {
                Some((from, to)) if *from <= deadline && deadline <= *to => 45,
                _ => 2,
            };
            if status != "open" && dice.chance(1) {
                continue; // missed the round
            }
            let late = status != "open" && dice.chance(2);
            let bad = dice.chance(bad_chance);
            let skip = (status != "open" && dice.chance(1))
                .then(|| dice.below(samples.len() as u64) as usize);
            let submitted = if late {
                deadline + Days::new(1 + dice.below(4))
            } else {
                deadline - Days::new(1 + dice.below(20))
            };
            if submitted > cx.today {
                continue; // not entered yet
            }
            for (i, c) in samples.iter().enumerate() {
                if skip == Some(i) {
                    continue;
                }
                let slip = if bad && dice.chance(30) {
                    Slip::Major
                } else {
                    match (def.result_type, dice.below(10_000)) {
                        (ResultType::SmearGrade, 0..=4) => Slip::Major,
                        (ResultType::SmearGrade, 5..=154) => Slip::Minor,
                        (ResultType::Titre, 0..=29) => Slip::Major,
                        (ResultType::Titre, 30..=529) => Slip::Minor,
                        (ResultType::Quantitative, 0..=29) => Slip::Major,
                        (ResultType::Quantitative, 30..=129) => Slip::Minor,
                        (_, 0..=24) => Slip::Major,
                        _ => Slip::None,
                    }
                };
                let (value, numeric) = report(def, c, slip, dice);
                results.push(Reported {
                    id: w.next_id(Table::PtResults),
                    challenge: i,
                    site: m,
                    value,
                    numeric,
                    late,
                    submitted,
                    graded: None,
                });
            }
        }

        // Scoring, as `pt::score_in` does it, for rounds past their scoring day.
        let scored_at = stamp(scored_on, 10);
        let ev = EventRow {
            id: event_id,
            scheme_id: self.scheme_id,
            scheme_code: def.code.to_string(),
            scheme_name: def.name.to_string(),
            provider: def.provider.to_string(),
            discipline: def.discipline.as_str().to_string(),
            result_type: def.result_type.as_str().to_string(),
            code: self.code.clone(),
            dispatch_date: date_text(dispatch),
            deadline: date_text(deadline),
            status: status.to_string(),
        };
        let mut consensus: Vec<Option<(f64, f64)>> = vec![None; samples.len()];
        let mut consensus_count: Vec<Option<i64>> = vec![None; samples.len()];
        let mut scores = Vec::new();
        if status == "scored" {
            let mut specs = Vec::with_capacity(samples.len());
            for (i, c) in samples.iter_mut().enumerate() {
                let mut spec = ChallengeSpec {
                    sample: c.code.clone(),
                    analyte: c.analyte.clone(),
                    method: c.method,
                    assigned: c.assigned,
                    sigma: c.sigma,
                    u_assigned: c.u_assigned,
                    expanded_assigned: None,
                    expected: c.expected.clone(),
                    unscorable: None,
                };
                if c.consensus {
                    let values: Vec<f64> = results
                        .iter()
                        .filter(|r| r.challenge == i && !r.late)
                        .filter_map(|r| r.numeric)
                        .collect();
                    match scoring::robust_consensus(&values) {
                        Ok(found) => {
                            consensus[i] = Some((found.value, found.sigma));
                            consensus_count[i] = Some(found.count as i64);
                            spec.assigned = Some(found.value);
                            spec.sigma = Some(found.sigma);
                            spec.method = ScoreMethod::Z;
                            spec.u_assigned = None;
                        }
                        Err(why) => {
                            consensus_count[i] = Some(values.len() as i64);
                            spec.unscorable = Some(why);
                        }
                    }
                }
                specs.push(spec);
            }
            for r in results.iter_mut() {
                r.graded = Some(grade::grade(
                    def.result_type,
                    &specs[r.challenge],
                    &ResultSpec {
                        value: r.value.clone(),
                        numeric: r.numeric,
                        u_lab: None,
                        expanded_lab: None,
                        late: r.late,
                    },
                ));
            }
            let mut by_site: HashMap<usize, Vec<Option<(Graded, bool)>>> = HashMap::new();
            for r in &results {
                by_site
                    .entry(r.site)
                    .or_insert_with(|| vec![None; samples.len()])[r.challenge] =
                    r.graded.clone().map(|g| (g, r.late));
            }
            for &m in members {
                let graded = by_site
                    .remove(&m)
                    .unwrap_or_else(|| vec![None; samples.len()]);
                let score = grade::site_score(def.result_type, &specs, &graded);
                let past = history.entry(m).or_default();
                if score.verdict != EventVerdict::NotScored {
                    past.push(score.verdict == EventVerdict::Satisfactory);
                }
                let unsuccessful = score.verdict == EventVerdict::Unsatisfactory
                    && scoring::unsuccessful_participation(past)
                        .last()
                        .copied()
                        .unwrap_or(false);
                scores.push((m, score, unsuccessful));
            }
        }

        // Rows: the round, its samples, the results, the event scores.
        w.push(
            Table::PtEvents,
            row![
                event_id,
                self.scheme_id,
                self.code.as_str(),
                date_text(dispatch),
                date_text(deadline),
                status,
                (status == "scored").then(|| scored_at.clone()),
                self.scorer.id,
                stamp((dispatch - Days::new(14)).min(cx.today), 9),
                if status == "scored" {
                    scored_at.clone()
                } else {
                    stamp((dispatch - Days::new(14)).min(cx.today), 9)
                }
            ],
        )
        .await?;
        for (i, c) in samples.iter().enumerate() {
            w.push(
                Table::PtChallenges,
                row![
                    challenge_ids[i],
                    event_id,
                    i as i64 + 1,
                    c.code.as_str(),
                    c.analyte.as_str(),
                    c.unit,
                    c.method.as_str(),
                    c.assigned,
                    c.sigma,
                    c.u_assigned,
                    c.consensus,
                    consensus[i].map(|(x, _)| x),
                    consensus[i].map(|(_, s)| s),
                    consensus_count[i],
                    c.expected.clone()
                ],
            )
            .await?;
        }
        for r in &results {
            let site = &net.sites[r.site];
            let submitted_at = stamp(r.submitted, 10);
            let g = r.graded.as_ref();
            if let Some(g) = g.filter(|g| g.verdict == ResultVerdict::Unsatisfactory) {
                let c = &samples[r.challenge];
                let capa = pt::result_capa(
                    &ev,
                    &AutoResult {
                        id: r.id,
                        site_id: site.id,
                        site_code: &site.code,
                        value: &r.value,
                        sample: &format!("{} {}", c.code, c.analyte),
                    },
                    g,
                    self.scorer.id,
                    Some(scored_on),
                );
                capas.automatic(net, r.site, capa, self.scorer);
            }
            w.push(
                Table::PtResults,
                row![
                    r.id,
                    event_id,
                    challenge_ids[r.challenge],
                    site.id,
                    r.value.as_str(),
                    r.numeric,
                    samples[r.challenge].unit,
                    r.late,
                    r.late.then_some(
                        "Courier delayed the panel; results entered on receipt of the report."
                    ),
                    site.lead.id,
                    submitted_at.as_str(),
                    if g.is_some() {
                        scored_at.clone()
                    } else {
                        submitted_at.clone()
                    },
                    g.map(|g| g.kind.as_str()),
                    g.and_then(|g| g.score),
                    g.map(|g| g.verdict.as_str()),
                    g.and_then(|g| g.grading.map(|x| x.as_str())),
                    g.map(|g| g.note.clone()).unwrap_or_default(),
                    g.map(|_| scored_at.clone())
                ],
            )
            .await?;
        }
        let mut unsatisfactory = 0;
        for (m, score, unsuccessful) in &scores {
            let site = &net.sites[*m];
            let detail = serde_json::to_string(&score.detail).unwrap_or_else(|_| "{}".into());
            w.push(
                Table::PtEventScores,
                row![
                    event_id,
                    site.id,
                    score.acceptable as i64,
                    score.total as i64,
                    score.percent,
                    score.verdict.as_str(),
                    *unsuccessful,
                    detail,
                    scored_at.as_str()
                ],
            )
            .await?;
            if score.verdict == EventVerdict::Unsatisfactory {
                unsatisfactory += 1;
                let capa = pt::event_capa(
                    &ev,
                    site.id,
                    &site.code,
                    score,
                    self.scorer.id,
                    Some(scored_on),
                );
                capas.automatic(net, *m, capa, self.scorer);
            }
            if *unsuccessful {
                let capa = pt::participation_capa(
                    &ev,
                    site.id,
                    &site.code,
                    self.scorer.id,
                    Some(scored_on),
                );
                capas.automatic(net, *m, capa, self.scorer);
            }
        }
        if status == "scored" {
            log.record(
                &scored_at,
                &self.scorer.who(),
                Change::new("pt.event.score", "pt_event", event_id).after(json!({
                    "status": "scored",
                    "results": results.len(),
                    "sites": scores.len(),
                    "unsatisfactory_sites": unsatisfactory,
                    "detail": format!("{} {} scored: {} sites, {} unsatisfactory", def.code, self.code, scores.len(), unsatisfactory),
                })),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_scheme_has_a_round_open_after_today() {
        let today = date("2026-11-27");
        for (s, def) in SCHEMES.iter().enumerate() {
            let days = deadlines(def.per_year, s as u64 * 11, date("2016-11-27"), today);
            let last = *days.last().unwrap();
            assert!(
                last > today && last <= today + Days::new(365),
                "{}",
                def.code
            );
            assert!(days.windows(2).all(|w| w[0] < w[1]));
            let expected = 10 * def.per_year as usize;
            assert!(
                days.len().abs_diff(expected) <= 2,
                "{}: {}",
                def.code,
                days.len()
            );
        }
    }

    #[test]
    fn a_major_slip_is_graded_unsatisfactory_and_no_slip_satisfactory() {
        let mut dice = Dice(11);
        for def in SCHEMES {
            for c in challenges(def, &mut dice) {
                if c.consensus {
                    continue;
                }
                let spec = ChallengeSpec {
                    sample: c.code.clone(),
                    analyte: c.analyte.clone(),
                    method: c.method,
                    assigned: c.assigned,
                    sigma: c.sigma,
                    u_assigned: c.u_assigned,
                    expanded_assigned: None,
                    expected: c.expected.clone(),
                    unscorable: None,
                };
                let graded = |slip, dice: &mut Dice| {
                    let (value, numeric) = report(def, &c, slip, dice);
                    let spec_result = ResultSpec {
                        value,
                        numeric,
                        ..ResultSpec::default()
                    };
                    grade::grade(def.result_type, &spec, &spec_result).verdict
                };
                let right = graded(Slip::None, &mut dice);
                // Plain z around the assigned value can wander into questionable.
                assert!(right.acceptable(), "{} {}: {right:?}", def.code, c.code);
                let wrong = graded(Slip::Major, &mut dice);
                // A scanty slide read negative is only a low false negative.
                if c.expected.as_deref() != Some("scanty") {
                    assert_eq!(
                        wrong,
                        ResultVerdict::Unsatisfactory,
                        "{} {}",
                        def.code,
                        c.code
                    );
                }
            }
        }
    }
}
