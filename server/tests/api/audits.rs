//! Site audits over HTTP on both databases: planning, conducting with concurrent auditors,
//! scoring with the PT gate, template versions, findings, scope and bad input.

use serde_json::{json, Value};

use crate::helpers::{json_of, on_both_databases, TestApp};

const QO: &str = "qo@attest.example";
const LAB_QO: &str = "qo.lab@attest.example";

on_both_databases!(
    ;
    seeded:
    a_quality_officer_plans_conducts_and_submits_an_audit,
    two_auditors_never_overwrite_each_other,
    audits_keep_the_template_version_they_started_with,
    bad_input_is_refused_and_nothing_is_half_written,
    audits_are_seen_only_within_scope_and_results_only_after_submission,
    findings_are_raised_from_items_and_withdrawn_with_a_reason,
    the_demo_has_two_years_of_audits_with_a_realistic_spread,
    the_plan_form_plans_an_audit_as_a_browser_sends_it,
    evidence_photos_are_checked_stored_and_served_back,
    the_pattern_view_ranks_items_by_shortfalls_and_drills_down,
    answers_queued_on_a_device_are_sent_only_as_whoever_gave_them,
);

async fn template_id(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar(
        "select id from checklist_templates where code = $1 order by version desc limit 1",
    )
    .bind(code)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

async fn plan(app: &TestApp, token: &str, site: &str, template: i64) -> Value {
    json_of(
        app.post_as(
            token,
            "/api/v1/audits",
            json!({ "site_code": site, "template_id": template, "audit_type": "internal",
                    "planned_start": "2027-01-11", "planned_end": "2027-01-12", "scope": "All sections" }),
        )
        .await,
        201,
    )
    .await
}

/// (item id, weight) of every item of an audit, in checklist order.
fn items(audit: &Value) -> Vec<(i64, i64)> {
    audit["template"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| (i["id"].as_i64().unwrap(), i["weight"].as_i64().unwrap()))
        })
        .collect()
}

/// Replaces the site's laboratory PT event scores with these (deadline, percent), as events of
/// a scheme of its own.
async fn set_pt_scores(app: &TestApp, site: &str, scores: &[(&str, f64)]) {
    let site_id: i64 = sqlx::query_scalar("select id from sites where code = $1")
        .bind(site)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    sqlx::query("delete from pt_event_scores where site_id = $1")
        .bind(site_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let scheme: i64 = sqlx::query_scalar(
        "insert into pt_schemes (code, name, provider, discipline, result_type, events_per_year, created_at, updated_at)
         values ($1, 'Gate test', 'Test', 'hiv', 'qualitative', 4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') returning id",
    )
    .bind(format!("GATE-{site}-{}", scores.len()))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    for (n, (date, score)) in scores.iter().enumerate() {
        let event: i64 = sqlx::query_scalar(
            "insert into pt_events (scheme_id, code, dispatch_date, deadline, status, created_at, updated_at)
             values ($1, $2, $3, $3, 'scored', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') returning id",
        )
        .bind(scheme)
        .bind(format!("E{n}"))
        .bind(*date)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "insert into pt_event_scores (event_id, site_id, acceptable, total, score_percent, verdict, scored_at)
             values ($1, $2, 0, 0, $3, 'satisfactory', '2026-01-01T00:00:00Z')",
        )
        .bind(event)
        .bind(site_id)
        .bind(*score)
        .execute(app.db.pool())
        .await
        .unwrap();
    }
}

async fn a_quality_officer_plans_conducts_and_submits_an_audit(app: TestApp) {
    let qo = app.token_for(QO).await;
    let audit = plan(&app, &qo, "KEN-NBO", template_id(&app, "LAB-QMS").await).await;
    assert_eq!(audit["state"], "planned");
    let id = audit["id"].as_i64().unwrap();
    let started = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/start"))
            .await,
        200,
    )
    .await;
    assert_eq!(started["state"], "in_progress");

    // Every item answered: the first five as in the worked example's pattern, the rest yes.
    let all = items(&audit);
    let pattern = ["yes", "partial", "no", "not_applicable", "yes"];
    let answers: Vec<Value> = all
        .iter()
        .enumerate()
        .map(|(n, (item, _))| json!({ "item_id": item, "answer": pattern.get(n).copied().unwrap_or("yes") }))
        .collect();
    let result = json_of(
        app.post_as(&qo, &format!("/api/v1/audits/{id}/answers"), json!(answers))
            .await,
        200,
    )
    .await;
    assert_eq!(result["saved"].as_array().unwrap().len(), all.len());
    assert_eq!(result["conflicts"], json!([]));

    // The expected score, by the rule: yes = weight, partial = 1, no = 0, N/A left out.
    let (mut points, mut applicable) = (0, 0);
    for (n, (_, weight)) in all.iter().enumerate() {
        match pattern.get(n).copied().unwrap_or("yes") {
            "yes" => {
                points += weight;
                applicable += weight;
            }
            "partial" => {
                points += 1;
                applicable += weight;
            }
            "no" => applicable += weight,
            _ => {}
        }
    }
    set_pt_scores(
        &app,
        "KEN-NBO",
        &[("2026-06-01", 90.0), ("2026-09-01", 85.0)],
    )
    .await;
    let submitted = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/submit"))
            .await,
        200,
    )
    .await;
    assert_eq!(submitted["state"], "submitted");
    let score = json_of(
        app.get_as(&qo, &format!("/api/v1/audits/{id}/score")).await,
        200,
    )
    .await;
    assert_eq!(
        (
            score["points"].as_i64().unwrap(),
            score["applicable"].as_i64().unwrap()
        ),
        (points, applicable)
    );
    // The body reads back into the UI's own types (no key appears twice, for example).
    let text = app
        .get_as(&qo, &format!("/api/v1/audits/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let typed: app::model::audits::Audit = serde_json::from_str(&text).expect("an Audit");
    assert_eq!(
        typed.summary.state,
        app::model::audits::AuditState::Submitted
    );
    let text = app
        .get_as(
            &qo,
            &format!("/api/v1/templates/{}", typed.template.summary.id),
        )
        .await
        .text()
        .await
        .unwrap();
    serde_json::from_str::<app::model::audits::Template>(&text).expect("a Template");
    let percent = points as f64 * 100.0 / applicable as f64;
    assert!((score["percent"].as_f64().unwrap() - percent).abs() < 1e-9);
    assert_eq!(
        score["stars"].as_u64().unwrap() as u8,
        server::audits::scoring::stars(percent)
    );
    assert_eq!(score["pt_gate"]["passed"], true);
    assert_eq!(score["sections"].as_array().unwrap().len(), 12);

    // A failed PT event since then does not change a submitted audit's gate (it reads the
    // scores up to submission) ... but a newer audit would see it.
    set_pt_scores(
        &app,
        "KEN-NBO",
        &[
            ("2026-06-01", 90.0),
            ("2000-01-01", 85.0),
            ("2001-01-01", 60.0),
        ],
    )
    .await;
    let gated = json_of(
        app.get_as(&qo, &format!("/api/v1/audits/{id}/score")).await,
        200,
    )
    .await;
    assert_eq!(gated["pt_gate"]["passed"], false, "{gated}");
    assert_eq!(gated["stars"], 0);
    assert!(gated["pt_gate"]["reason"]
        .as_str()
        .unwrap()
        .contains("60.0%"));
    assert_eq!(gated["percent"], score["percent"], "the percentage stands");

    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_trail where entity_type = 'audit' and entity_id = $1 order by id",
    )
    .bind(id.to_string())
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["audit.plan", "audit.start", "audit.answer", "audit.submit"]
    );
    // Submitted answers are final.
    let late = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/audits/{id}/answers"),
            json!([{ "item_id": all[0].0, "answer": "no" }]),
        )
        .await,
        409,
    )
    .await;
    assert!(late["error"]["message"]
        .as_str()
        .unwrap()
        .contains("submitted"));
}

async fn two_auditors_never_overwrite_each_other(app: TestApp) {
    let first = app.token_for(QO).await;
    let second = app.token_for(LAB_QO).await;
    let audit = plan(&app, &first, "KEN-NBO", template_id(&app, "LAB-QMS").await).await;
    let id = audit["id"].as_i64().unwrap();
    let all = items(&audit);
    let path = format!("/api/v1/audits/{id}/answers");
    // Different items at the same moment: both kept.
    let (a, b) = tokio::join!(
        app.post_as(
            &first,
            &path,
            json!([{ "item_id": all[0].0, "answer": "yes" }])
        ),
        app.post_as(
            &second,
            &path,
            json!([{ "item_id": all[1].0, "answer": "no", "notes": "No master list" }])
        ),
    );
    json_of(a, 200).await;
    json_of(b, 200).await;
    let stored: i64 = sqlx::query_scalar("select count(*) from audit_answers where audit_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 2);

    // The same item: the second auditor saw no answer (base 0) but the first has answered.
    let clash = json_of(
        app.post_as(
            &second,
            &path,
            json!([{ "item_id": all[0].0, "answer": "partial", "base_revision": 0 }]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(clash["saved"], json!([]));
    assert_eq!(clash["conflicts"][0]["theirs"]["answer"], "yes");
    assert_eq!(
        clash["conflicts"][0]["theirs"]["answered_by"]["name"],
        "Tomás Herrera"
    );
    assert_eq!(clash["conflicts"][0]["yours"]["answer"], "partial");
    let kept: String =
        sqlx::query_scalar("select answer from audit_answers where audit_id = $1 and item_id = $2")
            .bind(id)
            .bind(all[0].0)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(kept, "yes", "nothing was overwritten");
    // Agreeing is not a clash; deciding to overwrite, knowing the revision, is allowed.
    let same = json_of(
        app.post_as(
            &second,
            &path,
            json!([{ "item_id": all[0].0, "answer": "yes", "base_revision": 0 }]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(same["conflicts"], json!([]));
    let resolved = json_of(
        app.post_as(
            &second,
            &path,
            json!([{ "item_id": all[0].0, "answer": "partial", "base_revision": 1 }]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(resolved["saved"][0]["revision"], 2);
    // Sending the same batch again (a retried sync) changes nothing.
    let again = json_of(
        app.post_as(
            &second,
            &path,
            json!([{ "item_id": all[0].0, "answer": "partial", "base_revision": 1 }]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            again["saved"][0]["revision"].as_i64(),
            again["conflicts"].as_array().unwrap().len()
        ),
        (Some(2), 0)
    );
}

fn lab_template_with_heavier_first_item() -> Value {
    let mut template: Value =
        serde_json::from_str(include_str!("../../src/seed/data/checklists/lab-qms.json")).unwrap();
    template["sections"][0]["items"][0]["weight"] = json!(5);
    template
}

async fn audits_keep_the_template_version_they_started_with(app: TestApp) {
    let qo = app.token_for(QO).await;
    let v1 = template_id(&app, "LAB-QMS").await;
    let old = plan(&app, &qo, "KEN-NBO", v1).await;
    let imported = json_of(
        app.post_as(
            &qo,
            "/api/v1/templates",
            json!({ "kind": "laboratory", "template": lab_template_with_heavier_first_item() }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(imported["version"], 2);
    assert_eq!(imported["sections"][0]["items"][0]["weight"], 5);
    let v2 = imported["id"].as_i64().unwrap();
    // The audit planned before still shows version 1 and its weights.
    let id = old["id"].as_i64().unwrap();
    let audit = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(audit["template_version"], 1);
    assert_eq!(audit["template"]["sections"][0]["items"][0]["weight"], 3);
    // An answer to an item of the other version is refused, and nothing of the batch is kept.
    let v1_item = items(&audit)[0].0;
    let v2_item = imported["sections"][0]["items"][0]["id"].as_i64().unwrap();
    let refused = json_of(
        app.post_as(&qo, &format!("/api/v1/audits/{id}/answers"), json!([{ "item_id": v1_item, "answer": "yes" }, { "item_id": v2_item, "answer": "yes" }])).await,
        422,
    )
    .await;
    assert!(
        refused["error"]["fields"]["item_id"]
            .as_str()
            .unwrap()
            .contains("version 1"),
        "{refused}"
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from audit_answers where audit_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
    // Export gives back what was imported.
    let exported = json_of(
        app.get_as(&qo, &format!("/api/v1/templates/{v2}/export"))
            .await,
        200,
    )
    .await;
    assert_eq!(
        exported["sections"],
        lab_template_with_heavier_first_item()["sections"]
    );
    assert_eq!(exported["version"], 2);
    let staff = app.token_for("staff.nbo@attest.example").await;
    json_of(
        app.post_as(
            &staff,
            "/api/v1/templates",
            json!({ "kind": "laboratory", "template": lab_template_with_heavier_first_item() }),
        )
        .await,
        403,
    )
    .await;
}

async fn bad_input_is_refused_and_nothing_is_half_written(app: TestApp) {
    let qo = app.token_for(QO).await;
    let mut zero = lab_template_with_heavier_first_item();
    zero["sections"][2]["items"][1]["weight"] = json!(0);
    let before = app.count("checklist_templates").await;
    let refused = json_of(
        app.post_as(
            &qo,
            "/api/v1/templates",
            json!({ "kind": "laboratory", "template": zero }),
        )
        .await,
        422,
    )
    .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sections[2].items[1].weight"),
        "{refused}"
    );
    let mut malformed = lab_template_with_heavier_first_item();
    malformed["sections"][0]["items"][3]["weight"] = json!("heavy");
    let refused = json_of(
        app.post_as(
            &qo,
            "/api/v1/templates",
            json!({ "kind": "laboratory", "template": malformed }),
        )
        .await,
        422,
    )
    .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sections[0].items[3].weight"),
        "{refused}"
    );
    assert_eq!(app.count("checklist_templates").await, before);

    let audits = app.count("audits").await;
    let backwards = json_of(
        app.post_as(&qo, "/api/v1/audits", json!({ "site_code": "KEN-NBO", "template_id": template_id(&app, "LAB-QMS").await, "audit_type": "internal", "planned_start": "2027-02-10", "planned_end": "2027-02-09" })).await,
        422,
    )
    .await;
    assert!(backwards["error"]["fields"]["planned_end"]
        .as_str()
        .unwrap()
        .contains("before it starts"));
    json_of(
        app.post_as(&qo, "/api/v1/audits", json!({ "site_code": "KEN-NBO", "template_id": template_id(&app, "LAB-QMS").await, "audit_type": "holiday", "planned_start": "10/02/2027", "planned_end": "2027-02-09" })).await,
        422,
    )
    .await;
    assert_eq!(app.count("audits").await, audits);

    // Regional managers read but never answer; submitting with items unanswered is refused.
    let audit = plan(&app, &qo, "UGA-KLA", template_id(&app, "RAD-QA").await).await;
    let id = audit["id"].as_i64().unwrap();
    let manager = app.token_for("rm.eha@attest.example").await;
    json_of(
        app.post_as(
            &manager,
            &format!("/api/v1/audits/{id}/answers"),
            json!([{ "item_id": items(&audit)[0].0, "answer": "yes" }]),
        )
        .await,
        403,
    )
    .await;
    json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/audits/{id}/answers"),
            json!([{ "item_id": items(&audit)[0].0, "answer": "yes" }]),
        )
        .await,
        200,
    )
    .await;
    let early = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/submit"))
            .await,
        422,
    )
    .await;
    assert!(early["error"]["fields"]["answers"]
        .as_str()
        .unwrap()
        .contains("have no answer yet"));
    let cancelled = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/audits/{id}/cancel"),
            json!({ "reason": "Site closed for renovation" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["state"], "cancelled");
    let again = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/start"))
            .await,
        409,
    )
    .await;
    assert!(again["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("This audit is cancelled"));
}

async fn audits_are_seen_only_within_scope_and_results_only_after_submission(app: TestApp) {
    let qo = app.token_for(QO).await;
    let audit = plan(&app, &qo, "KEN-NBO", template_id(&app, "RAD-QA").await).await;
    let id = audit["id"].as_i64().unwrap();
    let all = items(&audit);
    let answers: Vec<Value> = all
        .iter()
        .map(|(item, _)| json!({ "item_id": item, "answer": "yes" }))
        .collect();
    json_of(
        app.post_as(&qo, &format!("/api/v1/audits/{id}/answers"), json!(answers))
            .await,
        200,
    )
    .await;

    // Staff see SOPs and their own tasks, not audits.
    let staff = app.token_for("staff.nbo@attest.example").await;
    json_of(
        app.get_as(&staff, &format!("/api/v1/audits/{id}")).await,
        404,
    )
    .await;
    let none = json_of(app.get_as(&staff, "/api/v1/audits").await, 200).await;
    assert_eq!(none["total"], 0);
    // One answer per item per batch.
    let twice = json_of(
        app.post_as(&qo, &format!("/api/v1/audits/{id}/answers"), json!([{ "item_id": all[0].0, "answer": "no" }, { "item_id": all[0].0, "answer": "yes" }])).await,
        422,
    )
    .await;
    assert!(twice["error"]["fields"]["item_id"]
        .as_str()
        .unwrap()
        .contains("twice"));

    let kampala = app.token_for("lead.kla@attest.example").await;
    json_of(
        app.get_as(&kampala, &format!("/api/v1/audits/{id}")).await,
        404,
    )
    .await;
    let list = json_of(
        app.get_as(&kampala, "/api/v1/audits?site=KEN-NBO").await,
        200,
    )
    .await;
    assert_eq!(list["total"], 0);
    let far = app.token_for("rm.ap@attest.example").await;
    json_of(app.get_as(&far, &format!("/api/v1/audits/{id}")).await, 404).await;
    let near = app.token_for("rm.eha@attest.example").await;
    let seen = json_of(
        app.get_as(&near, &format!("/api/v1/audits/{id}")).await,
        200,
    )
    .await;
    assert_eq!(
        seen["answers"].as_array().unwrap().len(),
        all.len(),
        "managers follow progress"
    );

    // The Nairobi lead sees the audit coming, but its answers only once it is submitted.
    let lead = app.token_for("lead.nbo@attest.example").await;
    let early = json_of(
        app.get_as(&lead, &format!("/api/v1/audits/{id}")).await,
        200,
    )
    .await;
    assert_eq!(early["answers"], json!([]));
    assert!(early["percent"].is_null());
    json_of(
        app.get_as(&lead, &format!("/api/v1/audits/{id}/score"))
            .await,
        403,
    )
    .await;
    json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/submit"))
            .await,
        200,
    )
    .await;
    let after = json_of(
        app.get_as(&lead, &format!("/api/v1/audits/{id}/score"))
            .await,
        200,
    )
    .await;
    assert_eq!(after["percent"], 100.0);
    assert_eq!(after["stars"], 5);
    assert!(
        after["pt_gate"].is_null(),
        "radiology audits have no PT gate"
    );
}

async fn findings_are_raised_from_items_and_withdrawn_with_a_reason(app: TestApp) {
    let qo = app.token_for(QO).await;
    let audit = plan(&app, &qo, "KEN-NBO", template_id(&app, "LAB-QMS").await).await;
    let id = audit["id"].as_i64().unwrap();
    let item = items(&audit)[1].0;
    json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/start"))
            .await,
        200,
    )
    .await;
    let path = format!("/api/v1/audits/{id}/findings");
    let major = json_of(app.post_as(&qo, &path, json!({ "item_id": item, "severity": "major", "clause": "8.3", "description": "Superseded SOPs at the bench", "evidence": "Two copies of LAB-SOP-012 v1 in the smear room" })).await, 201).await;
    assert_eq!(
        (major["number"].as_i64(), major["capa_required"].as_bool()),
        (Some(1), Some(true))
    );
    let note = json_of(app.post_as(&qo, &path, json!({ "severity": "observation", "description": "Good practice: colour-coded waste bins" })).await, 201).await;
    assert_eq!(
        (note["number"].as_i64(), note["capa_required"].as_bool()),
        (Some(2), Some(false))
    );
    let other_template_item: i64 = sqlx::query_scalar("select min(i.id) from template_items i join checklist_templates t on t.id = i.template_id where t.code = 'RAD-QA'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    json_of(
        app.post_as(
            &qo,
            &path,
            json!({ "item_id": other_template_item, "severity": "minor", "description": "x" }),
        )
        .await,
        422,
    )
    .await;
    json_of(
        app.post_as(
            &qo,
            &path,
            json!({ "severity": "catastrophic", "description": "x" }),
        )
        .await,
        422,
    )
    .await;
    let finding = major["id"].as_i64().unwrap();
    json_of(
        app.post_as(
            &qo,
            &format!("{path}/{finding}/withdraw"),
            json!({ "reason": "" }),
        )
        .await,
        422,
    )
    .await;
    let withdrawn = json_of(
        app.post_as(
            &qo,
            &format!("{path}/{finding}/withdraw"),
            json!({ "reason": "Copies were archive copies, marked as such" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            withdrawn["status"].as_str(),
            withdrawn["capa_required"].as_bool()
        ),
        (Some("withdrawn"), Some(false))
    );
    let audit = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(
        audit["findings"].as_array().unwrap().len(),
        2,
        "withdrawn findings are kept"
    );
    assert_eq!(audit["findings"], json!(audit["findings"].clone()));
    let trail: i64 =
        sqlx::query_scalar("select count(*) from audit_trail where entity_type = 'finding'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(trail, 3);
}

async fn the_demo_has_two_years_of_audits_with_a_realistic_spread(app: TestApp) {
    let qo = app.token_for(QO).await;
    // Older audits have their reports issued (and some are closed); recent ones wait.
    let mut percents: Vec<f64> = Vec::new();
    let mut total = 0;
    for state in ["submitted", "report_issued", "closed"] {
        let page = json_of(
            app.get_as(&qo, &format!("/api/v1/audits?state={state}&per_page=100"))
                .await,
            200,
        )
        .await;
        let count = page["total"].as_i64().unwrap();
        assert!(count > 0, "the demo has {state} audits");
        total += count;
        percents.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a["percent"].as_f64()),
        );
    }
    assert!(total >= 100, "{total} audits with results");
    let low = percents.iter().cloned().fold(f64::MAX, f64::min);
    let high = percents.iter().cloned().fold(f64::MIN, f64::max);
    assert!(low < 60.0 && high > 90.0, "scores from {low} to {high}");
    let planned = json_of(app.get_as(&qo, "/api/v1/audits?state=planned").await, 200).await;
    assert!(planned["total"].as_i64().unwrap() >= 5);
    let findings: i64 = app.count("findings").await;
    assert!(findings > 100);
    // Seeding again adds nothing.
    let audits = app.count("audits").await;
    app.seed_demo().await;
    assert_eq!(app.count("audits").await, audits);
}

async fn the_plan_form_plans_an_audit_as_a_browser_sends_it(app: TestApp) {
    let browser = app.browser_for(QO).await;
    let template = template_id(&app, "RAD-QA").await.to_string();
    let lead = app.user_id(LAB_QO).await.to_string();
    let response = browser
        .post(app.url("/rpc/audits/plan"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .form(&[
            ("audit[site_code]", "GHA-ACC"),
            ("audit[template_id]", template.as_str()),
            ("audit[audit_type]", "internal"),
            ("audit[planned_start]", "2027-01-11"),
            ("audit[planned_end]", "2027-01-12"),
            ("audit[lead_auditor_id]", lead.as_str()),
            ("audit[team_ids][1]", lead.as_str()),
            ("audit[scope]", ""),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response.headers().get("location").cloned();
    assert_eq!(status, 303, "{}", response.text().await.unwrap());
    let id: i64 = sqlx::query_scalar("select max(id) from audits")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(location.unwrap(), format!("/audits/{id}").as_str());
}

async fn evidence_photos_are_checked_stored_and_served_back(app: TestApp) {
    let qo = app.token_for(QO).await;
    let audit = plan(&app, &qo, "KEN-NBO", template_id(&app, "LAB-QMS").await).await;
    let id = audit["id"].as_i64().unwrap();
    let item = items(&audit)[0].0;
    json_of(
        app.post_empty_as(&qo, &format!("/api/v1/audits/{id}/start"))
            .await,
        200,
    )
    .await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        app.client
            .post(app.url(&format!("/api/v1/audits/{id}/items/{item}/evidence")))
            .bearer_auth(&qo)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let photo = b"\x89PNG\r\n\x1a\nnot really an image but starts like one".to_vec();
    let stored = json_of(upload(photo.clone(), "fridge-log.png").await.unwrap(), 201).await;
    assert_eq!(
        (stored["media_type"].as_str(), stored["name"].as_str()),
        (Some("image/png"), Some("fridge-log.png"))
    );
    json_of(
        upload(b"MZ executable".to_vec(), "photo.png")
            .await
            .unwrap(),
        422,
    )
    .await;
    let evidence = stored["id"].as_i64().unwrap();
    let back = app
        .get_as(&qo, &format!("/api/v1/audits/{id}/evidence/{evidence}"))
        .await;
    assert_eq!(back.status(), 200);
    assert_eq!(back.headers()["content-type"], "image/png");
    assert_eq!(back.bytes().await.unwrap().to_vec(), photo);
    let audit = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(audit["evidence"][0]["item_id"], item);
    // Site people see evidence only once the audit is submitted, like the answers.
    let lead = app.token_for("lead.nbo@attest.example").await;
    json_of(
        app.get_as(&lead, &format!("/api/v1/audits/{id}/evidence/{evidence}"))
            .await,
        404,
    )
    .await;
    // The browser's form returns to the item with the outcome.
    let browser = app.browser_for(QO).await;
    let response = browser
        .post(app.url(&format!("/audits/{id}/items/{item}/evidence")))
        .header("origin", &app.address)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.7 log".to_vec()).file_name("log.pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/audits/{id}/conduct?evidence={item}#item-{item}").as_str()
    );
}

async fn the_pattern_view_ranks_items_by_shortfalls_and_drills_down(app: TestApp) {
    let qo = app.token_for(QO).await;
    let report = json_of(
        app.get_as(&qo, "/api/v1/audits/patterns?from=2000-01-01&to=2100-01-01")
            .await,
        200,
    )
    .await;
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    // Most frequent first, shares adding up, counts agreeing with the stored answers.
    let counts: Vec<i64> = items
        .iter()
        .map(|i| i["no"].as_i64().unwrap() + i["partial"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let total: i64 = sqlx::query_scalar("select count(*) from audit_answers aa join audits a on a.id = aa.audit_id where aa.answer in ('no', 'partial') and a.state in ('submitted', 'report_issued', 'closed')")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(report["total"], total);
    let last = items.last().unwrap()["cumulative"].as_f64().unwrap();
    let sum: f64 = items.iter().map(|i| i["share"].as_f64().unwrap()).sum();
    assert!((last - sum).abs() < 1e-6 && last <= 100.0 + 1e-9);
    // Drill down: the audits where the top item fell short.
    let top = items[0]["text"].as_str().unwrap();
    let path = format!(
        "/api/v1/audits?failed_item={}&per_page=100",
        app::pages::encode_query_value(top)
    );
    let audits = json_of(app.get_as(&qo, &path).await, 200).await;
    assert_eq!(
        audits["total"].as_i64().unwrap(),
        items[0]["audits"].as_i64().unwrap()
    );
    // A regional manager sees their region's figures only; site people do not see the view.
    let east = app.token_for("rm.eha@attest.example").await;
    let regional = json_of(
        app.get_as(
            &east,
            "/api/v1/audits/patterns?from=2000-01-01&to=2100-01-01",
        )
        .await,
        200,
    )
    .await;
    assert!(regional["total"].as_i64().unwrap() < total);
    let lead = app.token_for("lead.nbo@attest.example").await;
    json_of(app.get_as(&lead, "/api/v1/audits/patterns").await, 403).await;
    json_of(
        app.get_as(&qo, "/api/v1/audits/patterns?from=2026-01-01&to=2025-01-01")
            .await,
        422,
    )
    .await;
}

/// A tablet shared between two auditors: answers queued by one and sent while the other is
/// signed in are refused (and the device keeps them), never recorded under the wrong name.
async fn answers_queued_on_a_device_are_sent_only_as_whoever_gave_them(app: TestApp) {
    let qo = app.token_for(QO).await;
    let audit = plan(&app, &qo, "KEN-NBO", template_id(&app, "LAB-QMS").await).await;
    let id = audit["id"].as_i64().unwrap();
    let item = items(&audit)[0].0;
    let (qo_id, other_id) = (app.user_id(QO).await, app.user_id(LAB_QO).await);
    let browser = app.browser_for(QO).await;
    let send = |as_user: i64| {
        browser
            .post(app.url("/rpc/audits/answers"))
            .json(&json!({
                "id": id,
                "answers": [{ "item_id": item, "answer": "yes", "notes": "", "base_revision": 0 }],
                "as_user": as_user,
            }))
            .send()
    };

    let refused = send(other_id).await.unwrap();
    assert_eq!(refused.status(), 401);
    let body = refused.text().await.unwrap();
    assert!(body.contains("someone else on this device"), "{body}");
    let seen = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(
        seen["answers"],
        json!([]),
        "nothing saved under the wrong name"
    );

    let sent = send(qo_id).await.unwrap();
    assert_eq!(sent.status(), 200, "{}", sent.text().await.unwrap());
    let seen = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(seen["answers"][0]["answered_by"]["id"], qo_id);

    // The same for a photo kept offline by the service worker and sent later.
    let attach = |as_user: i64| {
        let photo = b"\x89PNG\r\n\x1a\nkept offline".to_vec();
        let part = reqwest::multipart::Part::bytes(photo).file_name("sink.png");
        browser
            .post(app.url(&format!(
                "/audits/{id}/items/{item}/evidence?as_user={as_user}"
            )))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let refused = attach(other_id).await.unwrap();
    assert_eq!(refused.status(), 303);
    let location = refused.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("evidence_sender=other"), "{location}");
    let seen = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(
        seen["evidence"],
        json!([]),
        "no file stored under the wrong name"
    );
    let attached = attach(qo_id).await.unwrap();
    assert_eq!(attached.status(), 303);
    let location = attached.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains(&format!("evidence={item}")), "{location}");
    let seen = json_of(app.get_as(&qo, &format!("/api/v1/audits/{id}")).await, 200).await;
    assert_eq!(seen["evidence"][0]["name"], "sink.png");
}
