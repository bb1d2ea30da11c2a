//! Demo PT/EQA: three years of events for six laboratory schemes across the laboratories, mostly
//! satisfactory with some questionable and unsatisfactory results, one site whose HIV serology
//! participation became unsuccessful, an open round to enter results into, and radiology QC
//! re-reads for every radiology site over the last two quarters (two readers with low κ).
//! Events are scored with the real scoring, so the automatic CAPAs exist; the older ones are
//! taken through their lifecycle like the audit CAPAs. Skipped when schemes already exist.

use chrono::{Days, NaiveDate, Utc};
use serde_json::json;

use crate::db::{now_text, WriteTx};
use crate::documents::review::date_text;
use crate::error::Error;
use crate::pt::{self, repo};
use crate::trail::{self, Change, Who};

use super::dice::Dice;

struct SchemeDef {
    code: &'static str,
    name: &'static str,
    provider: &'static str,
    discipline: &'static str,
    result_type: &'static str,
    per_year: u64,
    /// The lab test a site must run to take part.
    test: &'static str,
}

const SCHEMES: &[SchemeDef] = &[
    SchemeDef {
        code: "NRL-SMEAR",
        name: "TB smear microscopy blinded rechecking",
        provider: "National TB Reference Laboratory network",
        discipline: "tb_smear",
        result_type: "smear_grade",
        per_year: 2,
        test: "smear",
    },
    SchemeDef {
        code: "XPERT-EQA",
        name: "Xpert MTB/RIF proficiency panel",
        provider: "SmartSpot Quality",
        discipline: "xpert",
        result_type: "qualitative",
        per_year: 2,
        test: "xpert",
    },
    SchemeDef {
        code: "SYPH-RPR",
        name: "Syphilis RPR titre",
        provider: "Commercial serology EQA",
        discipline: "syphilis",
        result_type: "titre",
        per_year: 2,
        test: "syphilis",
    },
    SchemeDef {
        code: "HIV-SERO",
        name: "HIV serology",
        provider: "Commercial serology EQA",
        discipline: "hiv",
        result_type: "qualitative",
        per_year: 2,
        test: "hiv",
    },
    SchemeDef {
        code: "HBV-QUANT",
        name: "HBsAg quantification",
        provider: "National Reference Laboratory for hepatitis",
        discipline: "hepatitis_b",
        result_type: "quantitative",
        per_year: 2,
        test: "hbsag",
    },
    SchemeDef {
        code: "SNRL-DST",
        name: "TB drug-susceptibility panel",
        provider: "WHO Supranational Reference Laboratory",
        discipline: "tb_dst",
        result_type: "dst_panel",
        per_year: 1,
        test: "dst",
    },
];

/// The site whose HIV serology participation becomes unsuccessful in the demo.
const STRUGGLING_SITE: &str = "UGA-KLA";
const DRUGS: [&str; 4] = ["isoniazid", "rifampicin", "streptomycin", "ethambutol"];

/// A challenge to create: (sample, analyte, unit, method, X, σpt, u(X), consensus, expected).
type ChallengeDef = (
    String,
    String,
    String,
    &'static str,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    bool,
    Option<String>,
);

fn challenges(def: &SchemeDef, round: u64, dice: &mut Dice) -> Vec<ChallengeDef> {
    let cat = |sample: String, analyte: &str, expected: &str| {
        (
            sample,
            analyte.to_string(),
            String::new(),
            "category",
            None,
            None,
            None,
            false,
            Some(expected.to_string()),
        )
    };
    match def.result_type {
        "smear_grade" => ["negative", "1+", "scanty", "3+", "negative", "2+"]
            .iter()
            .cycle()
            .skip(round as usize % 6)
            .take(5)
            .enumerate()
            .map(|(i, g)| cat(format!("Slide {}", i + 1), "AFB", g))
            .collect(),
        "titre" => ["1:8", "1:16", "1:32", "non-reactive", "1:4"]
            .iter()
            .cycle()
            .skip(round as usize % 5)
            .take(5)
            .enumerate()
            .map(|(i, t)| cat(format!("S-{:02}", i + 1), "RPR", t))
            .collect(),
        "dst_panel" => (1..=4)
            .flat_map(|isolate| {
                let resistant_mdr = isolate == 2 || (isolate == 4 && round.is_multiple_of(2));
                DRUGS.iter().map(move |drug| {
                    let r = match *drug {
                        "isoniazid" | "rifampicin" => resistant_mdr,
                        "streptomycin" => isolate == 3,
                        _ => false,
                    };
                    (isolate, *drug, r)
                })
            })
            .map(|(isolate, drug, r)| {
                cat(
                    format!("Isolate {isolate}"),
                    drug,
                    if r { "resistant" } else { "susceptible" },
                )
            })
            .collect(),
        "quantitative" => vec![
            (
                "S-01".into(),
                "HBsAg".into(),
                "IU/mL".into(),
                "z",
                Some(250.0 + dice.below(50) as f64),
                Some(20.0),
                None,
                false,
                None,
            ),
            (
                "S-02".into(),
                "HBsAg".into(),
                "IU/mL".into(),
                "z",
                Some(1200.0),
                Some(100.0),
                Some(40.0),
                false,
                None,
            ),
            (
                "S-03".into(),
                "HBsAg".into(),
                "IU/mL".into(),
                "z",
                None,
                None,
                None,
                true,
                None,
            ),
        ],
        _ => {
            let options: &[&str] = if def.discipline == "xpert" {
                &[
                    "mtb detected, rif not detected",
                    "mtb not detected",
                    "mtb detected, rif detected",
                    "mtb not detected",
                    "mtb detected, rif not detected",
                ]
            } else {
                &[
                    "reactive",
                    "non-reactive",
                    "reactive",
                    "non-reactive",
                    "non-reactive",
                ]
            };
            options
                .iter()
                .cycle()
                .skip(round as usize % 3)
                .take(5)
                .enumerate()
                .map(|(i, e)| {
                    cat(
                        format!("S-{:02}", i + 1),
                        if def.discipline == "xpert" {
                            "MTB/RIF"
                        } else {
                            "HIV-1/2 Ab"
                        },
                        e,
                    )
                })
                .collect()
        }
    }
}

/// A wrong answer for a category challenge.
fn wrong(result_type: &str, discipline: &str, expected: &str) -> String {
    match result_type {
        "smear_grade" => match expected {
            "negative" => "scanty",
            "scanty" => "negative",
            "1+" => "3+",
            _ => "negative",
        }
        .into(),
        "titre" => match expected {
            "non-reactive" => "1:2".into(),
            t => pt::scoring::titre_steps(t)
                .map(|s| format!("1:{}", 1u64 << (s + 2)))
                .unwrap_or_else(|| "1:64".into()),
        },
        "dst_panel" => if expected == "resistant" {
            "susceptible"
        } else {
            "resistant"
        }
        .into(),
        _ if discipline == "xpert" => if expected == "mtb not detected" {
            "mtb detected, rif not detected"
        } else {
            "mtb not detected"
        }
        .into(),
        _ => if expected == "reactive" {
            "non-reactive"
        } else {
            "reactive"
        }
        .into(),
    }
}

struct Lab {
    id: i64,
    code: String,
    tests: Vec<String>,
    lead: i64,
}

/// Seeds the demo PT data; returns how many events were added.
pub async fn seed(tx: &mut WriteTx) -> Result<usize, Error> {
    let existing: i64 = sqlx::query_scalar("select count(*) from pt_schemes")
        .fetch_one(tx.conn())
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let qo: i64 = sqlx::query_scalar("select id from users where email = 'qo@attest.example'")
        .fetch_one(tx.conn())
        .await?;
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "select s.id, s.code, t.test from sites s join site_lab_tests t on t.site_id = s.id
          where s.status = 'active' order by s.code, t.test",
    )
    .fetch_all(tx.conn())
    .await?;
    let mut labs: Vec<Lab> = Vec::new();
    for (id, code, test) in rows {
        match labs.last_mut() {
            Some(l) if l.id == id => l.tests.push(test),
            _ => {
                let lead = crate::capa::repo::site_lead(tx.conn(), id)
                    .await?
                    .unwrap_or(qo);
                labs.push(Lab {
                    id,
                    code,
                    tests: vec![test],
                    lead,
                });
            }
        }
    }
    let today = Utc::now().date_naive();
    let now = now_text();
    let mut dice = Dice(0x5EED_0000_0000_E7A1);
    let mut events = Vec::new();
    for def in SCHEMES {
        let scheme_id: i64 = sqlx::query_scalar(
            "insert into pt_schemes (code, name, provider, discipline, result_type, events_per_year,
                 created_by, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
        )
        .bind(def.code)
        .bind(def.name)
        .bind(def.provider)
        .bind(def.discipline)
        .bind(def.result_type)
        .bind(def.per_year as i64)
        .bind(qo)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?;
        let members: Vec<&Lab> = labs
            .iter()
            .filter(|l| l.tests.iter().any(|t| t == def.test))
            .collect();
        repo::set_participants(
            tx.conn(),
            scheme_id,
            &members.iter().map(|l| l.id).collect::<Vec<_>>(),
        )
        .await?;
        trail::record(
            tx,
            &Who::system(),
            Change::new("pt.scheme.create", "pt_scheme", scheme_id).after(json!({
                "code": def.code, "sites": members.len(), "detail": format!("{} loaded with the demo data", def.code),
            })),
        )
        .await?;
        let spacing = 365 / def.per_year;
        let rounds = 3 * def.per_year;
        // Oldest first, so that scoring sees each site's history in order; plus one open round
        // for the serology schemes.
        let open_round = matches!(def.code, "HIV-SERO" | "SYPH-RPR");
        for round in 0..=rounds {
            let is_open = round == rounds;
            if is_open && !open_round {
                continue;
            }
            let deadline = if is_open {
                today + Days::new(12)
            } else {
                today - Days::new(20 + (rounds - 1 - round) * spacing)
            };
            let dispatch = deadline - Days::new(28);
            let code = format!("{}-{}", deadline.format("%Y"), round % def.per_year + 1);
            let code = if events.iter().any(|(_, c, s)| *c == code && *s == scheme_id) {
                format!("{code}b")
            } else {
                code
            };
            let event_id = repo::insert_event(
                tx.conn(),
                scheme_id,
                &code,
                &date_text(dispatch),
                &date_text(deadline),
                Some(qo),
                &now,
            )
            .await?;
            let defs = challenges(def, round, &mut dice);
            let mut ids = Vec::new();
            for (i, (sample, analyte, unit, method, x, sigma, u, consensus, expected)) in
                defs.iter().enumerate()
            {
                let id = repo::insert_challenge(
                    tx.conn(),
                    &repo::ChallengeRow {
                        id: 0,
                        event_id,
                        position: i as i64 + 1,
                        code: sample.clone(),
                        analyte: analyte.clone(),
                        unit: unit.clone(),
                        method: method.to_string(),
                        assigned_value: *x,
                        sigma_pt: *sigma,
                        u_assigned: *u,
                        expanded_assigned: None,
                        consensus: i64::from(*consensus),
                        consensus_value: None,
                        consensus_sigma: None,
                        consensus_count: None,
                        expected: expected.clone(),
                    },
                )
                .await?;
                ids.push(id);
            }
            // Results: on an open round only two sites have entered theirs.
            let mut batch = Vec::new();
            for (k, lab) in members.iter().enumerate() {
                if is_open && k >= 2 {
                    continue;
                }
                let struggling = lab.code == STRUGGLING_SITE
                    && def.code == "HIV-SERO"
                    && round + 3 >= rounds
                    && !is_open
                    && round != rounds - 2;
                let skip_sample = !is_open && dice.chance(2);
                let late = !is_open && dice.chance(2);
                for (i, (_, _, _, _, x, sigma, _, consensus, expected)) in defs.iter().enumerate() {
                    if skip_sample && i == defs.len() - 1 {
                        continue;
                    }
                    let (value, numeric) = match expected {
                        Some(e) => {
                            let error = if struggling { i < 2 } else { dice.chance(3) };
                            (
                                if error {
                                    wrong(def.result_type, def.discipline, e)
                                } else {
                                    e.clone()
                                },
                                None,
                            )
                        }
                        None => {
                            let (centre, spread) = if *consensus {
                                (48.0, 2.0)
                            } else {
                                (x.unwrap_or(100.0), sigma.unwrap_or(10.0))
                            };
                            let roll = dice.below(100);
                            let z = if roll < 2 {
                                3.4
                            } else if roll < 6 {
                                2.4
                            } else {
                                dice.gauss() * 0.8
                            };
                            let sign = if dice.chance(50) { 1.0 } else { -1.0 };
                            let v = ((centre + sign * z.abs() * spread) * 10.0).round() / 10.0;
                            (format!("{v}"), Some(v))
                        }
                    };
                    let submitted = if late {
                        deadline + Days::new(3)
                    } else {
                        deadline - Days::new(1 + dice.below(20))
                    };
                    batch.push((
                        ids[i],
                        lab.id,
                        value,
                        numeric,
                        def.result_type == "quantitative",
                        late,
                        lab.lead,
                        submitted,
                    ));
                }
            }
            insert_results(tx, event_id, &batch).await?;
            events.push((event_id, code, scheme_id));
            if !is_open {
                let ev = repo::event(tx.conn(), event_id)
                    .await?
                    .ok_or_else(|| Error::Internal("seeded event vanished".into()))?;
                pt::score_in(tx, &Who::system(), qo, &ev, Some(deadline + Days::new(5))).await?;
            }
        }
    }
    seed_radiology(tx, today, qo, &mut dice).await?;
    walk_pt_capas(tx, today, qo).await?;
    Ok(events.len())
}

type ResultSeed = (i64, i64, String, Option<f64>, bool, bool, i64, NaiveDate);

/// Inserts results a hundred rows per statement.
async fn insert_results(tx: &mut WriteTx, event_id: i64, rows: &[ResultSeed]) -> Result<(), Error> {
    for chunk in rows.chunks(100) {
        let mut sql = String::from(
            "insert into pt_results (event_id, challenge_id, site_id, value, numeric_value, unit, late, late_reason, submitted_by, submitted_at, updated_at) values ",
        );
        for i in 0..chunk.len() {
            let b = i * 10;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 10
            ));
        }
        // Not kept prepared: see `pt::repo` on NULL floats and PostgreSQL.
        let mut q = sqlx::query(&sql).persistent(false);
        for (challenge, site, value, numeric, quantitative, late, by, day) in chunk {
            q = q
                .bind(event_id)
                .bind(*challenge)
                .bind(*site)
                .bind(value.clone())
                .bind(*numeric)
                .bind(if *quantitative { "IU/mL" } else { "" })
                .bind(i64::from(*late))
                .bind(late.then_some(
                    "Courier delayed the panel; results entered on receipt of the report.",
                ))
                .bind(*by)
                .bind(format!("{}T10:00:00Z", date_text(*day)));
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// A QC read to insert: (site id, exam id, reader, primary, QC class, peer score, quality, day).
type QcSeedRow = (
    i64,
    String,
    String,
    &'static str,
    &'static str,
    &'static str,
    i64,
    String,
);

/// QC re-reads per radiology site over the last two quarters.
const READS_PER_SITE: u64 = 90;

const READERS: &[&str] = &[
    "Dr A. Mwangi",
    "Dr B. Okello",
    "Dr C. Santos",
    "Dr D. Reyes",
    "Dr E. Haddad",
    "Dr F. Yilmaz",
    "Dr G. Nguyen",
    "Dr H. Tesfaye",
    "Dr I. Kaya",
    "Dr J. Mensah",
    "Dr K. Rahman",
    "Dr L. Diallo",
];

/// QC re-reads for every radiology site over the last two quarters; two readers misclassify
/// often enough for a low κ, which raises the site's flag and its CAPA.
async fn seed_radiology(
    tx: &mut WriteTx,
    today: NaiveDate,
    qo: i64,
    dice: &mut Dice,
) -> Result<(), Error> {
    let sites: Vec<(i64, String)> = sqlx::query_as(
        "select s.id, s.code from sites s join site_services x on x.site_id = s.id
          where x.service = 'radiology' and s.status = 'active' order by s.code",
    )
    .fetch_all(tx.conn())
    .await?;
    let (this_quarter, _, _) = pt::quarter_of(today);
    let (last_quarter, _, _) = pt::quarter_of(this_quarter - Days::new(1));
    let classes = ["normal", "tb", "other"];
    let now = now_text();
    let mut rows: Vec<QcSeedRow> = Vec::new();
    for (n, (site_id, code)) in sites.iter().enumerate() {
        let readers = [READERS[n % READERS.len()], READERS[(n + 5) % READERS.len()]];
        let poor_reader = n == 3 || n == 11;
        let days = (today - last_quarter).num_days().max(1) as u64;
        for k in 0..READS_PER_SITE {
            let day = last_quarter + Days::new(k * days / READS_PER_SITE);
            let reader_index = (k % 2) as usize;
            let truth = match dice.below(100) {
                0..=71 => 0,
                72..=85 => 1,
                _ => 2,
            };
            let sloppy = poor_reader && reader_index == 1;
            let primary = if dice.chance(if sloppy { 45 } else { 3 }) {
                (truth + 1 + dice.below(2) as usize) % 3
            } else {
                truth
            };
            // Most discrepancies are minor; a missed or invented TB sometimes matters clinically.
            let peer = if primary == truth {
                "1"
            } else if (truth == 1 || primary == 1) && dice.chance(if sloppy { 60 } else { 15 }) {
                if dice.chance(40) {
                    "3b"
                } else {
                    "2b"
                }
            } else if sloppy && dice.chance(30) {
                "3a"
            } else {
                "2a"
            };
            let quality = match dice.below(1000) {
                0..=599 => 1,
                600..=984 => 2,
                985..=996 => 3,
                _ => 4,
            };
            rows.push((
                *site_id,
                format!("{code}-CXR-{:05}", 1000 + k * 7 + n as u64),
                readers[reader_index].to_string(),
                classes[primary],
                classes[truth],
                peer,
                quality,
                date_text(day),
            ));
        }
    }
    for chunk in rows.chunks(80) {
        let mut sql = String::from(
            "insert into radiology_qc_reads (site_id, exam_id, reader, qc_reader, primary_class, qc_class, peer_score, image_quality, read_on, created_by, created_at) values ",
        );
        for i in 0..chunk.len() {
            let b = i * 11;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11
            ));
        }
        let mut q = sqlx::query(&sql);
        for (site_id, exam, reader, primary, qc, peer, quality, day) in chunk {
            q = q
                .bind(*site_id)
                .bind(exam.clone())
                .bind(reader.clone())
                .bind("Teleradiology QC centre")
                .bind(*primary)
                .bind(*qc)
                .bind(*peer)
                .bind(*quality)
                .bind(day.clone())
                .bind(qo)
                .bind(now.clone());
        }
        q.execute(tx.conn()).await?;
    }
    for (site_id, code) in &sites {
        let (_, end, _) = pt::quarter_of(last_quarter);
        pt::check_radiology_flags(
            tx,
            &Who::system(),
            qo,
            *site_id,
            code,
            last_quarter,
            Some(end + Days::new(3)),
        )
        .await?;
    }
    Ok(())
}

/// Takes the automatic PT and radiology CAPAs through their lifecycle by age, as the audit
/// CAPAs are: old ones closed (a few cancelled or rejected), recent ones at every step.
async fn walk_pt_capas(tx: &mut WriteTx, today: NaiveDate, qo: i64) -> Result<(), Error> {
    let capas: Vec<(i64, String, String, i64, String, String, String)> = sqlx::query_as(
        "select c.id, c.opened_on, c.due_date, c.owner_id, co.region_code, c.number, s.code from capas c
           join sites s on s.id = c.site_id join countries co on co.code = s.country_code
          where c.source in ('pt_result', 'pt_event', 'radiology_qc') order by c.id",
    )
    .fetch_all(tx.conn())
    .await?;
    for (n, (id, opened, due_date, owner, region, number, site)) in capas.into_iter().enumerate() {
        let (Some(opened), Some(due_date)) = (
            crate::documents::review::parse_date(&opened),
            crate::documents::review::parse_date(&due_date),
        ) else {
            continue;
        };
        let age = (today - opened).num_days();
        let state = super::capa::demo_state(age, n + 1);
        if state == "open" {
            continue;
        }
        let approver: i64 = sqlx::query_scalar(
            "select coalesce((select min(id) from users where role = 'regional_manager' and region_code = $1 and active = 1), $2)",
        )
        .bind(&region)
        .bind(qo)
        .fetch_one(tx.conn())
        .await?;
        let row = super::capa::walk(
            tx,
            id,
            &super::capa::Walk {
                state,
                opened,
                due_date,
                n: n + 1,
                owner,
                approver,
                qo,
            },
        )
        .await?;
        trail::record(
            tx,
            &Who::system(),
            Change::new("capa.update", "capa", id)
                .site(Some(site), Some(region))
                .after(json!({
                    "state": row.state,
                    "detail": format!("{number} taken to {} with the demo data", row.state),
                })),
        )
        .await?;
    }
    Ok(())
}
