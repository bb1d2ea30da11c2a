//! PT/EQA and radiology QC over HTTP on both databases: every worked example of scoring.md
//! reproduced through the API, automatic CAPAs opened once, CSV import with bad rows, scope
//! (a site lead sees their own results and the consensus, never other sites), and bad input.

use serde_json::{json, Value};

use crate::helpers::{json_of, on_both_databases, TestApp};

const QO: &str = "qo@attest.example";
const LEAD: &str = "lead.nbo@attest.example";
const RM: &str = "rm.eha@attest.example";

on_both_databases!(
    ;
    seeded:
    quantitative_worked_examples_score_through_the_api,
    categories_titres_smear_and_dst_score_through_the_api,
    unsuccessful_participation_opens_one_critical_capa_and_notifies_the_manager,
    csv_import_checks_every_row_and_applies_as_chosen,
    radiology_qc_metrics_kappa_and_flags,
    bad_input_is_refused_with_clear_errors,
    the_demo_has_scored_history_and_an_open_round,
    the_pt_forms_work_as_a_browser_sends_them,
);

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-4)
}

/// A new scheme with these participants (creates it as the quality officer).
async fn scheme(
    app: &TestApp,
    qo: &str,
    code: &str,
    discipline: &str,
    result_type: &str,
    sites: &[&str],
) -> Value {
    json_of(
        app.post_as(
            qo,
            "/api/v1/pt/schemes",
            json!({ "code": code, "name": format!("{code} test scheme"), "provider": "Test provider",
                    "discipline": discipline, "result_type": result_type, "events_per_year": 3, "sites": sites }),
        )
        .await,
        201,
    )
    .await
}

/// A new event whose deadline is `days` from today (negative: already past).
async fn event(
    app: &TestApp,
    qo: &str,
    scheme: &str,
    code: &str,
    days: i64,
    challenges: Value,
) -> Value {
    let today = chrono::Utc::now().date_naive();
    let deadline = today + chrono::Duration::days(days);
    let dispatch = deadline - chrono::Duration::days(30);
    json_of(
        app.post_as(
            qo,
            "/api/v1/pt/events",
            json!({ "scheme": scheme, "code": code, "dispatch_date": dispatch.to_string(),
                    "deadline": deadline.to_string(), "challenges": challenges }),
        )
        .await,
        201,
    )
    .await
}

fn challenge_ids(event: &Value) -> Vec<i64> {
    event["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn submit(
    app: &TestApp,
    token: &str,
    event: i64,
    site: &str,
    results: Value,
) -> reqwest::Response {
    app.post_as(
        token,
        &format!("/api/v1/pt/events/{event}/results"),
        json!({ "site": site, "results": results }),
    )
    .await
}

/// Closes and scores the event; returns the event.
async fn close_and_score(app: &TestApp, qo: &str, event: i64) -> Value {
    json_of(
        app.post_empty_as(qo, &format!("/api/v1/pt/events/{event}/close"))
            .await,
        200,
    )
    .await;
    json_of(
        app.post_empty_as(qo, &format!("/api/v1/pt/events/{event}/score"))
            .await,
        200,
    )
    .await
}

async fn results(app: &TestApp, token: &str, event: i64) -> Value {
    json_of(
        app.get_as(token, &format!("/api/v1/pt/events/{event}/results"))
            .await,
        200,
    )
    .await
}

fn result_for<'a>(results: &'a Value, site: &str, sample: &str) -> &'a Value {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["site"] == site && r["sample"] == sample)
        .unwrap_or_else(|| panic!("a result of {site} for {sample}: {results}"))
}

fn score_of<'a>(results: &'a Value, site: &str) -> &'a Value {
    results["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == site)
        .unwrap_or_else(|| panic!("a score of {site}: {results}"))
}

async fn capa_count(app: &TestApp, pattern: &str) -> i64 {
    sqlx::query_scalar("select count(*) from capas where source_key like $1")
        .bind(pattern)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

const CONSENSUS_SITES: [(&str, f64); 7] = [
    ("KEN-NBO", 4.9),
    ("UGA-KLA", 5.1),
    ("PHL-MNL", 5.0),
    ("JOR-AMM", 5.3),
    ("TUR-IST", 4.8),
    ("ETH-ADD", 5.2),
    ("KEN-KAK", 6.9),
];

async fn quantitative_worked_examples_score_through_the_api(app: TestApp) {
    let qo = app.token_for(QO).await;
    let sites: Vec<&str> = CONSENSUS_SITES.iter().map(|(s, _)| *s).collect();
    scheme(
        &app,
        &qo,
        "TEST-QUANT",
        "hepatitis_b",
        "quantitative",
        &sites,
    )
    .await;
    let unit = "mmol/L";
    let ev = event(
        &app,
        &qo,
        "TEST-QUANT",
        "2026-1",
        10,
        json!([
            { "code": "Z1", "analyte": "A", "unit": unit, "assigned_value": 12.0, "sigma_pt": 0.4 },
            { "code": "Z2", "analyte": "A", "unit": unit, "assigned_value": 12.0, "sigma_pt": 0.4 },
            { "code": "Z3", "analyte": "A", "unit": unit, "assigned_value": 12.0, "sigma_pt": 0.4 },
            { "code": "ZP", "analyte": "A", "unit": unit, "assigned_value": 5.0, "sigma_pt": 0.2, "u_assigned": 0.08 },
            { "code": "Z0", "analyte": "A", "unit": unit, "assigned_value": 5.0, "sigma_pt": 0.2, "u_assigned": 0.0 },
            { "code": "ZETA", "analyte": "A", "unit": unit, "method": "zeta", "assigned_value": 98.0, "u_assigned": 1.2 },
            { "code": "EN1", "analyte": "A", "unit": unit, "method": "en", "assigned_value": 10.0, "expanded_assigned": 0.2 },
            { "code": "EN2", "analyte": "A", "unit": unit, "method": "en", "assigned_value": 10.0, "expanded_assigned": 0.3 },
            { "code": "CONS", "analyte": "A", "unit": unit, "consensus": true },
        ]),
    )
    .await;
    let id = ev["summary"]["id"].as_i64().unwrap();
    let c = challenge_ids(&ev);
    // Nairobi's site lead enters Nairobi's results.
    let lead = app.token_for(LEAD).await;
    // Before scoring, participants do not see the answers.
    let sealed = json_of(
        app.get_as(&lead, &format!("/api/v1/pt/events/{id}")).await,
        200,
    )
    .await;
    assert_eq!(
        sealed["challenges"][0]["assigned_value"],
        Value::Null,
        "{sealed}"
    );
    assert_eq!(sealed["challenges"][0]["sigma_pt"], Value::Null);
    let entered = json_of(
        submit(
            &app,
            &lead,
            id,
            "KEN-NBO",
            json!([
                { "challenge_id": c[0], "value": "12.9", "unit": unit },
                { "challenge_id": c[1], "value": "10.9" },
                { "challenge_id": c[2], "value": "11.3" },
                { "challenge_id": c[3], "value": "5.6" },
                { "challenge_id": c[4], "value": "5.6" },
                { "challenge_id": c[5], "value": "101.0", "u": 1.0 },
                { "challenge_id": c[6], "value": "10.4", "expanded": 0.3 },
                { "challenge_id": c[7], "value": "10.4", "expanded": 0.5 },
                { "challenge_id": c[8], "value": "4.9" },
            ]),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(entered["results"].as_array().unwrap().len(), 9);
    // The other sites' consensus results, entered by the quality officer.
    for (site, value) in &CONSENSUS_SITES[1..] {
        json_of(
            submit(
                &app,
                &qo,
                id,
                site,
                json!([{ "challenge_id": c[8], "value": value.to_string() }]),
            )
            .await,
            201,
        )
        .await;
    }
    // Not before the deadline unless closed first.
    let early = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/pt/events/{id}/score"))
            .await,
        409,
    )
    .await;
    assert!(early["error"]["message"]
        .as_str()
        .unwrap()
        .contains("close the event first"));
    let scored = close_and_score(&app, &qo, id).await;
    assert_eq!(scored["summary"]["status"], "scored");
    let consensus = &scored["challenges"][8];
    assert!(close(&consensus["consensus_value"], 5.1), "{consensus}");
    assert!(close(&consensus["consensus_sigma"], 0.2224), "{consensus}");
    assert_eq!(consensus["consensus_count"], 7);

    let r = results(&app, &qo, id).await;
    for (sample, kind, score, verdict) in [
        ("Z1", "z", 2.25, "questionable"),
        ("Z2", "z", -2.75, "questionable"),
        ("Z3", "z", -1.75, "satisfactory"),
        ("ZP", "z_prime", 2.7854, "questionable"),
        ("Z0", "z", 3.0, "unsatisfactory"),
        ("ZETA", "zeta", 1.9206, "satisfactory"),
        ("EN1", "en", 1.1094, "unsatisfactory"),
        ("EN2", "en", 0.6860, "satisfactory"),
    ] {
        let x = result_for(&r, "KEN-NBO", sample);
        assert_eq!(x["score_kind"], kind, "{sample}: {x}");
        assert!(close(&x["score"], score), "{sample}: {x}");
        assert_eq!(x["verdict"], verdict, "{sample}: {x}");
    }
    let outlier = result_for(&r, "KEN-KAK", "CONS");
    assert!(
        (outlier["score"].as_f64().unwrap() - 8.09).abs() < 0.005,
        "{outlier}"
    );
    assert_eq!(outlier["verdict"], "unsatisfactory");
    // Nairobi: 7 of 9 acceptable (questionable counts) → 77.8% → unsatisfactory.
    let nbo = score_of(&r, "KEN-NBO");
    assert_eq!(
        (nbo["acceptable"].as_i64(), nbo["total"].as_i64()),
        (Some(7), Some(9))
    );
    assert_eq!(nbo["verdict"], "unsatisfactory");

    // Automatic CAPAs: one per unsatisfactory result (Z0, EN1 at Nairobi; the outlier), one per
    // unsatisfactory event score; scoring again adds none.
    assert_eq!(capa_count(&app, &format!("pt_result:{id}:%")).await, 3);
    let event_capas = capa_count(&app, &format!("pt_event:{id}:%")).await;
    let unsatisfactory_sites = r["scores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verdict"] == "unsatisfactory")
        .count() as i64;
    assert_eq!(event_capas, unsatisfactory_sites);
    assert!(event_capas >= 1);
    let again = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/pt/events/{id}/score"))
            .await,
        200,
    )
    .await;
    assert_eq!(capa_count(&app, &format!("pt_result:{id}:%")).await, 3);
    assert_eq!(
        capa_count(&app, &format!("pt_event:{id}:%")).await,
        event_capas
    );
    assert_eq!(
        again["capas"].as_array().unwrap().len() as i64,
        3 + event_capas
    );
    let owner: String = sqlx::query_scalar(
        "select u.email from capas c join users u on u.id = c.owner_id where c.source_key like $1 and c.site_id = (select id from sites where code = 'KEN-NBO') limit 1",
    )
    .bind(format!("pt_result:{id}:%"))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(owner, LEAD, "the site lead owns the CAPA");

    // The site lead sees Nairobi's results and the consensus, and no other site's identity.
    let (status, text) = {
        let response = app
            .get_as(&lead, &format!("/api/v1/pt/events/{id}/results"))
            .await;
        (response.status().as_u16(), response.text().await.unwrap())
    };
    assert_eq!(status, 200);
    let (_, event_text) = {
        let response = app.get_as(&lead, &format!("/api/v1/pt/events/{id}")).await;
        (response.status().as_u16(), response.text().await.unwrap())
    };
    for (other, _) in &CONSENSUS_SITES[1..] {
        assert!(
            !text.contains(other),
            "{other} leaks into the site lead's results"
        );
        assert!(
            !event_text.contains(other),
            "{other} leaks into the site lead's event"
        );
    }
    let lead_event: Value = serde_json::from_str(&event_text).unwrap();
    assert!(close(&lead_event["challenges"][8]["consensus_value"], 5.1));
    assert_eq!(
        lead_event["capas"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["site"] != "KEN-NBO")
            .count(),
        0
    );
    let lead_results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(lead_results["results"].as_array().unwrap().len(), 9);
    // Uganda's lead cannot enter Nairobi's results.
    let kla = app.token_for("lead.kla@attest.example").await;
    let refused = submit(
        &app,
        &kla,
        id,
        "KEN-NBO",
        json!([{ "challenge_id": c[0], "value": "12" }]),
    )
    .await;
    assert_eq!(refused.status().as_u16(), 403);
}

async fn categories_titres_smear_and_dst_score_through_the_api(app: TestApp) {
    let qo = app.token_for(QO).await;
    // Titres: expected 1:16 → 1:8, 1:16, 1:32 correct, 1:64 not; 4 of 5 = 80% passes.
    scheme(
        &app,
        &qo,
        "TEST-TITRE",
        "syphilis",
        "titre",
        &["KEN-NBO", "UGA-KLA"],
    )
    .await;
    let samples: Vec<Value> = (1..=5)
        .map(|i| json!({ "code": format!("T{i}"), "analyte": "RPR", "expected": "1:16" }))
        .collect();
    let ev = event(&app, &qo, "TEST-TITRE", "T-1", 5, json!(samples)).await;
    let id = ev["summary"]["id"].as_i64().unwrap();
    let c = challenge_ids(&ev);
    let answers = ["1:8", "1:16", "1:32", "1:64", "16"];
    let entries: Vec<Value> = c
        .iter()
        .zip(answers)
        .map(|(c, v)| json!({ "challenge_id": c, "value": v }))
        .collect();
    json_of(submit(&app, &qo, id, "KEN-NBO", json!(entries)).await, 201).await;
    // Uganda: 3 of 5, the other two missing → 60% → unsatisfactory.
    let entries: Vec<Value> = c
        .iter()
        .take(3)
        .map(|c| json!({ "challenge_id": c, "value": "1:16" }))
        .collect();
    json_of(submit(&app, &qo, id, "UGA-KLA", json!(entries)).await, 201).await;
    close_and_score(&app, &qo, id).await;
    let r = results(&app, &qo, id).await;
    for (sample, verdict) in [
        ("T1", "satisfactory"),
        ("T2", "satisfactory"),
        ("T3", "satisfactory"),
        ("T4", "unsatisfactory"),
        ("T5", "satisfactory"),
    ] {
        assert_eq!(
            result_for(&r, "KEN-NBO", sample)["verdict"],
            verdict,
            "{sample}"
        );
    }
    assert_eq!(
        result_for(&r, "KEN-NBO", "T5")["value"],
        "1:16",
        "stored in one spelling"
    );
    let nbo = score_of(&r, "KEN-NBO");
    assert!(close(&nbo["score_percent"], 80.0));
    assert_eq!(nbo["verdict"], "satisfactory", "exactly 80% passes");
    let kla = score_of(&r, "UGA-KLA");
    assert!(close(&kla["score_percent"], 60.0));
    assert_eq!(kla["verdict"], "unsatisfactory");
    assert!(
        kla["detail"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("Missing: T4 RPR, T5 RPR"),
        "{kla}"
    );

    // Smear rechecking: one HFN fails the panel even at 80%; the QE is counted.
    scheme(
        &app,
        &qo,
        "TEST-SMEAR",
        "tb_smear",
        "smear_grade",
        &["KEN-NBO"],
    )
    .await;
    let grades = ["negative", "1+", "3+", "scanty", "negative"];
    let samples: Vec<Value> = grades
        .iter()
        .enumerate()
        .map(
            |(i, g)| json!({ "code": format!("Slide {}", i + 1), "analyte": "AFB", "expected": g }),
        )
        .collect();
    let ev = event(&app, &qo, "TEST-SMEAR", "S-1", 5, json!(samples)).await;
    let id = ev["summary"]["id"].as_i64().unwrap();
    let read = ["negative", "negative", "1+", "scanty", "Negative"];
    let entries: Vec<Value> = challenge_ids(&ev)
        .iter()
        .zip(read)
        .map(|(c, v)| json!({ "challenge_id": c, "value": v }))
        .collect();
    json_of(submit(&app, &qo, id, "KEN-NBO", json!(entries)).await, 201).await;
    close_and_score(&app, &qo, id).await;
    let r = results(&app, &qo, id).await;
    assert_eq!(result_for(&r, "KEN-NBO", "Slide 2")["grading"], "hfn");
    assert_eq!(result_for(&r, "KEN-NBO", "Slide 3")["grading"], "qe");
    let s = score_of(&r, "KEN-NBO");
    assert!(close(&s["score_percent"], 80.0));
    assert_eq!(s["verdict"], "unsatisfactory", "{s}");
    assert!(
        s["detail"]["smear"]
            .as_array()
            .unwrap()
            .contains(&json!(["hfn", 1])),
        "{s}"
    );

    // DST: 20 isolates for rifampicin, 19 agreeing → 95% < 99% target.
    scheme(&app, &qo, "TEST-DST", "tb_dst", "dst_panel", &["KEN-NBO"]).await;
    let samples: Vec<Value> = (1..=20).map(|i| json!({ "code": format!("I{i:02}"), "analyte": "rifampicin", "expected": if i % 4 == 0 { "resistant" } else { "susceptible" } })).collect();
    let ev = event(&app, &qo, "TEST-DST", "D-1", 5, json!(samples)).await;
    let id = ev["summary"]["id"].as_i64().unwrap();
    let entries: Vec<Value> = challenge_ids(&ev)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let right = if (i + 1) % 4 == 0 { "R" } else { "S" };
            json!({ "challenge_id": c, "value": if i == 6 { "R" } else { right } })
        })
        .collect();
    json_of(submit(&app, &qo, id, "KEN-NBO", json!(entries)).await, 201).await;
    close_and_score(&app, &qo, id).await;
    let r = results(&app, &qo, id).await;
    let s = score_of(&r, "KEN-NBO");
    assert!(close(&s["score_percent"], 95.0));
    assert_eq!(s["verdict"], "unsatisfactory");
    let drug = &s["detail"]["dst"][0];
    assert_eq!(drug["drug"], "rifampicin");
    assert!(close(&drug["efficiency_percent"], 95.0));
    assert_eq!(drug["meets_target"], false);
}

async fn unsuccessful_participation_opens_one_critical_capa_and_notifies_the_manager(app: TestApp) {
    let qo = app.token_for(QO).await;
    scheme(
        &app,
        &qo,
        "TEST-HIV",
        "hiv",
        "qualitative",
        &["KEN-NBO", "UGA-KLA"],
    )
    .await;
    // One sample per round; Nairobi S U U, Kampala U S S U.
    let nbo = ["reactive", "non-reactive", "non-reactive", "reactive"];
    let kla = ["non-reactive", "reactive", "reactive", "non-reactive"];
    let mut ids = Vec::new();
    for round in 0..4 {
        let ev = event(
            &app,
            &qo,
            "TEST-HIV",
            &format!("R{round}"),
            10 + round as i64,
            json!([{ "code": "S1", "analyte": "HIV", "expected": "reactive" }]),
        )
        .await;
        let id = ev["summary"]["id"].as_i64().unwrap();
        let c = challenge_ids(&ev)[0];
        json_of(
            submit(
                &app,
                &qo,
                id,
                "KEN-NBO",
                json!([{ "challenge_id": c, "value": nbo[round] }]),
            )
            .await,
            201,
        )
        .await;
        json_of(
            submit(
                &app,
                &qo,
                id,
                "UGA-KLA",
                json!([{ "challenge_id": c, "value": kla[round] }]),
            )
            .await,
            201,
        )
        .await;
        close_and_score(&app, &qo, id).await;
        ids.push(id);
    }
    let flags = |r: &Value, site: &str| score_of(r, site)["unsuccessful"].as_bool().unwrap();
    let mut nbo_flags = Vec::new();
    let mut kla_flags = Vec::new();
    for id in &ids {
        let r = results(&app, &qo, *id).await;
        nbo_flags.push(flags(&r, "KEN-NBO"));
        kla_flags.push(flags(&r, "UGA-KLA"));
    }
    assert_eq!(
        nbo_flags,
        [false, false, true, false],
        "S U U: unsuccessful at the third"
    );
    assert_eq!(
        kla_flags,
        [false, false, false, false],
        "U S S U: not unsuccessful"
    );
    let critical: Vec<(String, String)> = sqlx::query_as(
        "select c.severity, s.code from capas c join sites s on s.id = c.site_id where c.source_key like 'pt_participation:%' and c.source_key like $1",
    )
    .bind(format!("pt_participation:{}:%", ids[2]))
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(critical, [("critical".to_string(), "KEN-NBO".to_string())]);
    let notified: Vec<String> = sqlx::query_scalar(
        "select u.email from notifications n join users u on u.id = n.user_id where n.key like 'pt-unsuccessful:%' and n.link like '/capas/%'",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(notified.iter().any(|e| e == RM), "{notified:?}");
    // Scoring the third round again opens nothing new and notifies no one twice.
    let before = app.count("capas").await;
    let notes = app.count("notifications").await;
    json_of(
        app.post_empty_as(&qo, &format!("/api/v1/pt/events/{}/score", ids[2]))
            .await,
        200,
    )
    .await;
    assert_eq!(app.count("capas").await, before);
    assert_eq!(app.count("notifications").await, notes);
    // The site's history shows it.
    let lead = app.token_for(LEAD).await;
    let history = json_of(
        app.get_as(&lead, "/api/v1/pt/sites/KEN-NBO/history").await,
        200,
    )
    .await;
    assert!(history["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["scheme_code"] == "TEST-HIV" && e["unsuccessful"] == true));
    let other = app.get_as(&lead, "/api/v1/pt/sites/UGA-KLA/history").await;
    assert_eq!(other.status().as_u16(), 404);
}

async fn csv_import_checks_every_row_and_applies_as_chosen(app: TestApp) {
    let qo = app.token_for(QO).await;
    scheme(
        &app,
        &qo,
        "TEST-CSV",
        "hepatitis_b",
        "quantitative",
        &["KEN-NBO", "UGA-KLA"],
    )
    .await;
    let ev = event(
        &app,
        &qo,
        "TEST-CSV",
        "C-1",
        10,
        json!([
            { "code": "S-01", "analyte": "HBsAg", "unit": "IU/mL", "assigned_value": 250.0, "sigma_pt": 20.0 },
            { "code": "S-02", "analyte": "HBsAg", "unit": "IU/mL", "assigned_value": 1200.0, "sigma_pt": 100.0 },
            { "code": "S-03", "analyte": "HBsAg", "unit": "IU/mL", "assigned_value": 80.0, "sigma_pt": 8.0 },
        ]),
    )
    .await;
    let id = ev["summary"]["id"].as_i64().unwrap();
    let lead = app.token_for(LEAD).await;
    // The template holds Nairobi's rows only.
    let template = app
        .get_as(
            &lead,
            &format!("/api/v1/pt/events/{id}/results/template.csv"),
        )
        .await;
    assert_eq!(template.status().as_u16(), 200);
    let text = template.text().await.unwrap();
    assert!(
        text.starts_with("site,sample,analyte,value,unit,u,expanded"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(!text.contains("UGA-KLA"));

    let import = |body: &'static str, query: &'static str| {
        let app = &app;
        let lead = lead.clone();
        async move {
            app.client
                .post(app.url(&format!("/api/v1/pt/events/{id}/results/import{query}")))
                .bearer_auth(lead)
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let bad = "site,sample,analyte,value,unit\nKEN-NBO,S-01,HBsAg,255.5,IU/mL\nKEN-NBO,S-02,HBsAg,twelve hundred,IU/mL\nKEN-NBO,S-03,HBsAg,81,mg/L\n";
    let report = json_of(import(bad, "").await, 200).await;
    assert_eq!(report["applied"], false);
    assert_eq!(report["imported"], 0);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{report}");
    assert_eq!(
        (errors[0]["line"].as_i64(), errors[0]["column"].as_str()),
        (Some(3), Some("value"))
    );
    assert_eq!(
        (errors[1]["line"].as_i64(), errors[1]["column"].as_str()),
        (Some(4), Some("unit"))
    );
    assert_eq!(
        results(&app, &qo, id).await["results"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing imported"
    );
    // Importing the valid rows only.
    let report = json_of(import(bad, "?mode=valid_rows").await, 200).await;
    assert_eq!(
        (report["applied"].as_bool(), report["imported"].as_i64()),
        (Some(true), Some(1))
    );
    // The same row again is a duplicate unless replacing.
    let again = "site,sample,value\nKEN-NBO,S-01,256\nKEN-NBO,S-02,1190\nKEN-NBO,S-02,1191\n";
    let report = json_of(import(again, "").await, 200).await;
    let columns: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [(2, "sample".to_string()), (4, "sample".to_string())],
        "{report}"
    );
    let report = json_of(
        import(
            "site,sample,value\nKEN-NBO,S-01,256\nKEN-NBO,S-02,1190\nKEN-NBO,S-03,79\n",
            "?replace=true",
        )
        .await,
        200,
    )
    .await;
    assert_eq!(report["imported"], 3, "{report}");
    let r = results(&app, &qo, id).await;
    assert_eq!(result_for(&r, "KEN-NBO", "S-01")["value"], "256");
    // Another site's rows are refused by row, not silently dropped.
    let report = json_of(
        import("site,sample,value\nUGA-KLA,S-01,250\n", "").await,
        200,
    )
    .await;
    assert_eq!(report["errors"][0]["column"], "site");
    assert_eq!(report["applied"], false);
    // A header without the needed columns.
    let report = json_of(import("sample;value\nS-01;1\n", "").await, 200).await;
    assert_eq!(report["errors"][0]["line"], 1);
    let trail: i64 = sqlx::query_scalar(
        "select count(*) from audit_trail where action = 'pt.results.submit' and entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(trail, 2, "one entry per applied import");
}

fn read(site: &str, exam: String, reader: &str, primary: &str, qc: &str, day: &str) -> Value {
    json!({ "site": site, "exam_id": exam, "reader": reader, "qc_reader": "QC centre",
            "primary_class": primary, "qc_class": qc,
            "peer_score": if primary == qc { "1" } else { "2a" }, "image_quality": 1, "read_on": day })
}

async fn radiology_qc_metrics_kappa_and_flags(app: TestApp) {
    let qo = app.token_for(QO).await;
    // The worked example: 100 reads, κ = 0.7535.
    let mut reads = Vec::new();
    for (primary, qc, count) in [
        ("normal", "normal", 70),
        ("tb", "tb", 12),
        ("other", "other", 8),
        ("normal", "tb", 3),
        ("tb", "normal", 2),
        ("normal", "other", 3),
        ("other", "normal", 2),
    ] {
        for _ in 0..count {
            let n = reads.len();
            let reader = if n % 2 == 0 { "Dr Even" } else { "Dr Odd" };
            reads.push(read(
                "KEN-NBO",
                format!("EX-{n:03}"),
                reader,
                primary,
                qc,
                "2025-02-10",
            ));
        }
    }
    let report = json_of(
        app.post_as(&qo, "/api/v1/pt/radiology/reads", json!(reads))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (report["applied"].as_bool(), report["imported"].as_i64()),
        (Some(true), Some(100)),
        "{report}"
    );
    let m = json_of(
        app.get_as(
            &qo,
            "/api/v1/pt/radiology/metrics?from=2025-01-01&to=2025-03-31&site=KEN-NBO",
        )
        .await,
        200,
    )
    .await;
    let site = &m["sites"][0];
    assert_eq!(site["reads"], 100);
    assert!(close(&site["kappa"], 0.7535), "{site}");
    assert!(close(&site["concordance_percent"], 90.0));
    assert_eq!(site["flags"], json!([]));
    assert_eq!(m["readers"].as_array().unwrap().len(), 2);
    assert_eq!(
        capa_count(&app, "radiology_qc:%:2025-Q1").await,
        0,
        "no flag, no CAPA"
    );

    // 19 reads: κ is "not enough reads"; the 20th makes it a number.
    let nineteen: Vec<Value> = (0..19)
        .map(|n| {
            read(
                "UGA-KLA",
                format!("K-{n}"),
                "Dr K",
                if n % 3 == 0 { "tb" } else { "normal" },
                "normal",
                "2025-05-10",
            )
        })
        .collect();
    json_of(
        app.post_as(&qo, "/api/v1/pt/radiology/reads", json!(nineteen))
            .await,
        200,
    )
    .await;
    let window = "/api/v1/pt/radiology/metrics?from=2025-04-01&to=2025-06-30&site=UGA-KLA";
    let m = json_of(app.get_as(&qo, window).await, 200).await;
    assert_eq!(m["sites"][0]["reads"], 19);
    assert_eq!(m["sites"][0]["kappa"], Value::Null);
    assert_eq!(
        capa_count(&app, "radiology_qc:%:2025-Q2").await,
        0,
        "too few reads to raise a CAPA"
    );
    let mut twentieth = read(
        "UGA-KLA",
        "K-19".into(),
        "Dr K",
        "tb",
        "normal",
        "2025-05-11",
    );
    twentieth["peer_score"] = json!("3b");
    json_of(
        app.post_as(&qo, "/api/v1/pt/radiology/reads", json!([twentieth]))
            .await,
        200,
    )
    .await;
    let m = json_of(app.get_as(&qo, window).await, 200).await;
    let row = &m["sites"][0];
    assert!(row["kappa"].as_f64().unwrap() < 0.6, "{row}");
    assert_eq!(
        row["flags"],
        json!(["low_kappa", "significant_discrepancies"])
    );
    assert_eq!(
        capa_count(&app, "radiology_qc:%:2025-Q2").await,
        1,
        "one CAPA for the flagged quarter"
    );
    // More reads in the quarter: still one.
    json_of(
        app.post_as(
            &qo,
            "/api/v1/pt/radiology/reads",
            json!([read(
                "UGA-KLA",
                "K-20".into(),
                "Dr K",
                "normal",
                "normal",
                "2025-05-12"
            )]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(capa_count(&app, "radiology_qc:%:2025-Q2").await, 1);
    // A duplicate exam and a bad grade are reported by row; nothing written.
    let mut bad = read(
        "UGA-KLA",
        "K-new".into(),
        "Dr K",
        "normal",
        "normal",
        "2025-05-12",
    );
    bad["image_quality"] = json!(7);
    let report = json_of(
        app.post_as(
            &qo,
            "/api/v1/pt/radiology/reads",
            json!([
                read(
                    "UGA-KLA",
                    "K-1".into(),
                    "Dr K",
                    "normal",
                    "normal",
                    "2025-05-12"
                ),
                bad
            ]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(report["applied"], false);
    let columns: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["exam_id", "image_quality"]);
    // The same through CSV: line and column of each problem; nothing recorded unless asked.
    let csv = "site,exam_id,reader,qc_reader,primary_class,qc_class,peer_score,image_quality,read_on\nUGA-KLA,CSV-1,Dr K,QC,normal,normal,1,1,2025-05-20\nUGA-KLA,CSV-2,Dr K,QC,normal,tb,4c,1,2025-05-20\n";
    let post_csv = |query: &'static str| {
        let app = &app;
        let qo = qo.clone();
        async move {
            app.client
                .post(app.url(&format!("/api/v1/pt/radiology/reads/import{query}")))
                .bearer_auth(qo)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap()
        }
    };
    let report = json_of(post_csv("").await, 200).await;
    assert_eq!(report["applied"], false);
    assert_eq!(
        (
            report["errors"][0]["line"].as_i64(),
            report["errors"][0]["column"].as_str()
        ),
        (Some(3), Some("peer_score"))
    );
    let report = json_of(post_csv("?mode=valid_rows").await, 200).await;
    assert_eq!(
        (report["applied"].as_bool(), report["imported"].as_i64()),
        (Some(true), Some(1))
    );
    // Site leads read their own site's metrics, and record nothing.
    let lead = app.token_for("lead.kla@attest.example").await;
    let m = json_of(
        app.get_as(
            &lead,
            "/api/v1/pt/radiology/metrics?from=2025-01-01&to=2025-06-30",
        )
        .await,
        200,
    )
    .await;
    let sites: Vec<&str> = m["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites, ["UGA-KLA"]);
    let refused = app
        .post_as(
            &lead,
            "/api/v1/pt/radiology/reads",
            json!([read(
                "UGA-KLA",
                "K-99".into(),
                "Dr K",
                "normal",
                "normal",
                "2025-05-12"
            )]),
        )
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    // Thresholds: admins change them, with a range check.
    let admin = app.token_for("admin@attest.example").await;
    let t = json_of(app.put_as(&admin, "/api/v1/pt/radiology/thresholds", json!({ "kappa_min": 0.5, "significant_max_percent": 10.0, "poor_image_max_percent": 5.0 })).await, 200).await;
    assert!(close(&t["kappa_min"], 0.5));
    let m = json_of(app.get_as(&qo, window).await, 200).await;
    assert_eq!(
        m["sites"][0]["flags"],
        json!(["low_kappa"]),
        "{}",
        m["sites"][0]
    );
    json_of(app.put_as(&admin, "/api/v1/pt/radiology/thresholds", json!({ "kappa_min": 2.0, "significant_max_percent": 10.0, "poor_image_max_percent": 5.0 })).await, 422).await;
}

async fn bad_input_is_refused_with_clear_errors(app: TestApp) {
    let qo = app.token_for(QO).await;
    scheme(
        &app,
        &qo,
        "TEST-BAD",
        "hepatitis_b",
        "quantitative",
        &["KEN-NBO"],
    )
    .await;
    // σpt of zero or below.
    let refused = json_of(
        app.post_as(&qo, "/api/v1/pt/events", json!({ "scheme": "TEST-BAD", "code": "B-0", "dispatch_date": "2026-01-01", "deadline": "2026-02-01",
            "challenges": [{ "code": "S1", "analyte": "A", "unit": "g/L", "assigned_value": 1.0, "sigma_pt": 0.0 }, { "code": "S2", "analyte": "A", "unit": "g/L", "assigned_value": 1.0, "sigma_pt": -1.0 }] })).await,
        422,
    )
    .await;
    let fields = refused["error"]["fields"].as_object().unwrap();
    assert!(
        fields["challenges[0].sigma_pt"]
            .as_str()
            .unwrap()
            .contains("greater than zero"),
        "{refused}"
    );
    assert!(fields.contains_key("challenges[1].sigma_pt"));
    let half_written: i64 = sqlx::query_scalar("select count(*) from pt_events where code = 'B-0'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(half_written, 0, "a refused event leaves nothing behind");
    let ev = event(&app, &qo, "TEST-BAD", "B-1", 5, json!([{ "code": "S1", "analyte": "A", "unit": "g/L", "assigned_value": 1.0, "sigma_pt": 0.1 }])).await;
    let id = ev["summary"]["id"].as_i64().unwrap();
    let c = challenge_ids(&ev)[0];
    // Not a number; a unit that does not match.
    let e = json_of(
        submit(
            &app,
            &qo,
            id,
            "KEN-NBO",
            json!([{ "challenge_id": c, "value": "1,2" }]),
        )
        .await,
        422,
    )
    .await;
    assert!(
        e["error"]["fields"]["results[0].value"]
            .as_str()
            .unwrap()
            .contains("not a number"),
        "{e}"
    );
    let e = json_of(
        submit(
            &app,
            &qo,
            id,
            "KEN-NBO",
            json!([{ "challenge_id": c, "value": "1.2", "unit": "mg/dL" }]),
        )
        .await,
        422,
    )
    .await;
    assert!(
        e["error"]["fields"]["results[0].unit"]
            .as_str()
            .unwrap()
            .contains("'g/L'"),
        "{e}"
    );
    // A site not in the scheme.
    let e = json_of(
        submit(
            &app,
            &qo,
            id,
            "UGA-KLA",
            json!([{ "challenge_id": c, "value": "1.2" }]),
        )
        .await,
        422,
    )
    .await;
    assert!(
        e["error"]["fields"]["site"]
            .as_str()
            .unwrap()
            .contains("does not take part"),
        "{e}"
    );
    // A duplicate submission.
    json_of(
        submit(
            &app,
            &qo,
            id,
            "KEN-NBO",
            json!([{ "challenge_id": c, "value": "1.2" }]),
        )
        .await,
        201,
    )
    .await;
    let e = json_of(
        submit(
            &app,
            &qo,
            id,
            "KEN-NBO",
            json!([{ "challenge_id": c, "value": "1.3" }]),
        )
        .await,
        409,
    )
    .await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already has results"),
        "{e}"
    );
    // After the deadline: a reason is needed, and the result counts as late.
    let past = event(&app, &qo, "TEST-BAD", "B-2", -3, json!([{ "code": "S1", "analyte": "A", "unit": "g/L", "assigned_value": 1.0, "sigma_pt": 0.1 }])).await;
    let pid = past["summary"]["id"].as_i64().unwrap();
    let pc = challenge_ids(&past)[0];
    let e = json_of(
        submit(
            &app,
            &qo,
            pid,
            "KEN-NBO",
            json!([{ "challenge_id": pc, "value": "1.0" }]),
        )
        .await,
        422,
    )
    .await;
    assert!(
        e["error"]["fields"]["late_reason"]
            .as_str()
            .unwrap()
            .contains("give the reason"),
        "{e}"
    );
    let late = json_of(
        app.post_as(&qo, &format!("/api/v1/pt/events/{pid}/results"), json!({ "site": "KEN-NBO", "late_reason": "Courier strike", "results": [{ "challenge_id": pc, "value": "1.0" }] })).await,
        201,
    )
    .await;
    assert_eq!(late["results"][0]["late"], true);
    assert_eq!(late["results"][0]["late_reason"], "Courier strike");
    let scored = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/pt/events/{pid}/score"))
            .await,
        200,
    )
    .await;
    assert_eq!(
        scored["sites"][0]["score"]["acceptable"], 0,
        "a late result is unacceptable: {scored}"
    );
    // Staff see no PT; regional managers read but do not score.
    let staff = app.token_for("staff.nbo@attest.example").await;
    assert_eq!(
        app.get_as(&staff, "/api/v1/pt/events")
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.get_as(&staff, &format!("/api/v1/pt/events/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );
    let rm = app.token_for(RM).await;
    assert_eq!(
        app.get_as(&rm, &format!("/api/v1/pt/events/{id}"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        app.post_empty_as(&rm, &format!("/api/v1/pt/events/{id}/score"))
            .await
            .status()
            .as_u16(),
        403
    );
}

async fn the_demo_has_scored_history_and_an_open_round(app: TestApp) {
    let lead = app.token_for("lead.kla@attest.example").await;
    let history = json_of(
        app.get_as(&lead, "/api/v1/pt/sites/UGA-KLA/history").await,
        200,
    )
    .await;
    let events = history["events"].as_array().unwrap();
    assert!(
        events.len() >= 20,
        "three years of events: {}",
        events.len()
    );
    assert!(
        events
            .iter()
            .any(|e| e["scheme_code"] == "HIV-SERO" && e["unsuccessful"] == true),
        "the demo's unsuccessful participation"
    );
    assert!(
        history["series"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["points"].as_array().unwrap().len() >= 6),
        "z-score trends"
    );
    let open = json_of(
        app.get_as(&lead, "/api/v1/pt/events?status=open").await,
        200,
    )
    .await;
    assert!(open["total"].as_i64().unwrap() >= 1, "{open}");
    let first = open["items"][0]["id"].as_i64().unwrap();
    let ev = json_of(
        app.get_as(&lead, &format!("/api/v1/pt/events/{first}"))
            .await,
        200,
    )
    .await;
    assert_eq!(ev["can_submit_for"], json!(["UGA-KLA"]));
    // Every automatic CAPA points at a real source, and no source has two.
    let duplicates: i64 = sqlx::query_scalar(
        "select count(*) from (select source_key from capas where source_key is not null group by source_key having count(*) > 1) x",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(duplicates, 0);
    let unsatisfactory: i64 =
        sqlx::query_scalar("select count(*) from pt_results where verdict = 'unsatisfactory'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let result_capas = capa_count(&app, "pt_result:%").await;
    assert_eq!(
        result_capas, unsatisfactory,
        "one CAPA per unsatisfactory result"
    );
    let radiology = json_of(app.get_as(&lead, "/api/v1/pt/radiology/metrics").await, 200).await;
    assert_eq!(radiology["sites"][0]["site"], "UGA-KLA");
    assert!(radiology["sites"][0]["reads"].as_i64().unwrap() >= 20);
}

async fn post_form(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = browser
        .post(app.url(path))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    if status != 303 {
        panic!("{path}: {status} {}", response.text().await.unwrap());
    }
    (status, location)
}

async fn the_pt_forms_work_as_a_browser_sends_them(app: TestApp) {
    let qo = app.browser_for(QO).await;
    // A scheme with two of the ticked sites (checkboxes post sparse indices).
    let (_, location) = post_form(
        &app,
        &qo,
        "/rpc/pt/schemes/create",
        &[
            ("form[code]", "form-hbv"),
            ("form[name]", "HBsAg by form"),
            ("form[provider]", "Form provider"),
            ("form[discipline]", "hepatitis_b"),
            ("form[result_type]", "quantitative"),
            ("form[events_per_year]", "2"),
            ("form[sites][2]", "KEN-NBO"),
            ("form[sites][7]", "UGA-KLA"),
        ],
    )
    .await;
    assert_eq!(location, "/pt?tab=schemes&created=FORM-HBV");
    let sites: i64 = sqlx::query_scalar("select count(*) from pt_scheme_sites ss join pt_schemes s on s.id = ss.scheme_id where s.code = 'FORM-HBV'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(sites, 2);
    // Editing it: a new name and Kampala dropped, as the edit form posts.
    let scheme_id: i64 = sqlx::query_scalar("select id from pt_schemes where code = 'FORM-HBV'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let scheme_text = scheme_id.to_string();
    let (_, location) = post_form(
        &app,
        &qo,
        "/rpc/pt/schemes/update",
        &[
            ("id", scheme_text.as_str()),
            ("form[name]", "HBsAg quantification by form"),
            ("form[provider]", "Form provider"),
            ("form[events_per_year]", "3"),
            ("form[status]", "active"),
            ("form[sites][4]", "KEN-NBO"),
        ],
    )
    .await;
    assert_eq!(location, "/pt?tab=schemes&updated=FORM-HBV");
    let (name, sites): (String, i64) = sqlx::query_as("select name, cast((select count(*) from pt_scheme_sites ss where ss.scheme_id = s.id) as bigint) from pt_schemes s where s.code = 'FORM-HBV'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!((name.as_str(), sites), ("HBsAg quantification by form", 1));
    let (status, html) = app.page_as(QO, &format!("/pt/schemes/{scheme_id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("HBsAg quantification by form"));
    // An event with one filled row and one empty row.
    let deadline = (chrono::Utc::now().date_naive() + chrono::Duration::days(9)).to_string();
    let (_, location) = post_form(
        &app,
        &qo,
        "/rpc/pt/events/create",
        &[
            ("form[scheme]", "FORM-HBV"),
            ("form[code]", "F-1"),
            ("form[dispatch_date]", "2026-01-05"),
            ("form[deadline]", deadline.as_str()),
            ("form[challenges][0][code]", "S-01"),
            ("form[challenges][0][analyte]", "HBsAg"),
            ("form[challenges][0][unit]", "IU/mL"),
            ("form[challenges][0][method]", "z"),
            ("form[challenges][0][assigned_value]", ""),
            ("form[challenges][0][sigma_pt]", ""),
            ("form[challenges][0][expected]", ""),
            ("form[challenges][1][code]", ""),
            ("form[challenges][1][analyte]", ""),
        ],
    )
    .await;
    let id: i64 = location
        .trim_start_matches("/pt/events/")
        .parse()
        .unwrap_or_else(|_| panic!("{location}"));
    let challenge: i64 = sqlx::query_scalar("select id from pt_challenges where event_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let challenge_text = challenge.to_string();
    let id_text = id.to_string();
    // The provider's values, set afterwards.
    post_form(
        &app,
        &qo,
        "/rpc/pt/challenges/update",
        &[
            ("event_id", id_text.as_str()),
            ("id", challenge_text.as_str()),
            ("values[assigned_value]", "250"),
            ("values[sigma_pt]", "20"),
            ("values[u_assigned]", ""),
            ("values[expanded_assigned]", ""),
        ],
    )
    .await;
    // The site lead's entry form renders and posts.
    let (status, html) = app.page_as(LEAD, &format!("/pt/events/{id}/enter")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("S-01 — HBsAg (IU/mL)"),
        "the sample is labelled"
    );
    assert!(
        html.contains("inputmode=\"decimal\""),
        "a decimal keypad on phones"
    );
    let lead = app.browser_for(LEAD).await;
    let (_, location) = post_form(
        &app,
        &lead,
        "/rpc/pt/event/submit",
        &[
            ("id", id_text.as_str()),
            ("form[site]", "KEN-NBO"),
            ("form[replace]", "false"),
            ("form[results][0][challenge_id]", challenge_text.as_str()),
            ("form[results][0][value]", "262.5"),
            ("form[results][0][u]", ""),
        ],
    )
    .await;
    assert_eq!(location, format!("/pt/events/{id}?entered=1"));
    let value: String = sqlx::query_scalar("select value from pt_results where challenge_id = $1")
        .bind(challenge)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(value, "262.5");
    // The pages render for the roles that use them; staff are not let in.
    for (email, path) in [
        (QO, "/pt"),
        (QO, "/pt/events/new"),
        (QO, "/pt/schemes/new"),
        (LEAD, "/pt/sites/KEN-NBO"),
        (RM, "/pt/radiology"),
        (LEAD, &format!("/pt/events/{id}") as &str),
    ] {
        let (status, _) = app.page_as(email, path).await;
        assert_eq!(status, 200, "{email} {path}");
    }
    let (status, _) = app.page_as(LEAD, "/pt/sites/UGA-KLA").await;
    assert_eq!(status, 404);
}
