//! Controlled documents over HTTP on both databases: the lifecycle from draft to acknowledged,
//! supersession, reviews, scope, files and bad input.

use chrono::Utc;
use serde_json::json;
use server::documents::review::{date_text, next_review_due, parse_date};

use crate::helpers::{json_of, on_both_databases, TestApp, DEMO_PASSWORD};

const QO: &str = "qo@attest.example";
const LAB_QO: &str = "qo.lab@attest.example";
const LEAD_NBO: &str = "lead.nbo@attest.example";
const STAFF_NBO: &str = "staff.nbo@attest.example";
const LEAD_KLA: &str = "lead.kla@attest.example";

on_both_databases!(
    ;
    seeded:
    a_site_variant_goes_from_draft_to_acknowledged,
    a_new_effective_version_supersedes_the_old_one_in_one_step,
    a_kampala_site_lead_cannot_see_or_change_a_nairobi_variant,
    staff_read_only_versions_in_force,
    bad_input_is_refused_clearly_and_changes_nothing,
    the_overdue_list_matches_the_review_rule,
    a_confirmed_review_is_signed_and_restarts_the_clock,
    a_review_can_start_a_revision_instead,
    a_withdrawn_document_needs_a_reason_and_then_stays_as_it_is,
    attached_files_come_back_identical_and_are_checked,
    the_register_searches_filters_sorts_and_pages,
    document_pages_render_on_the_server_and_hide_other_sites,
    editing_a_draft_counts_as_writing_it_for_self_approval,
    a_returned_version_loses_its_approval,
    wrong_signature_passwords_lock_the_account_like_wrong_sign_ins,
    the_new_document_form_sets_acknowledgement_roles_and_self_approval,
    the_approver_must_reach_the_documents_site,
    the_browser_upload_form_attaches_the_file_and_returns_to_the_version,
);

async fn document_id(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar("select id from documents where code = $1")
        .bind(code)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn version_state(app: &TestApp, version_id: i64) -> String {
    sqlx::query_scalar("select state from document_versions where id = $1")
        .bind(version_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn trail_actions(app: &TestApp, prefix: &str) -> Vec<String> {
    sqlx::query_scalar("select action from audit_trail where action like $1 order by id")
        .bind(format!("{prefix}%"))
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

/// A Nairobi variant of LAB-SOP-012 drafted by the Nairobi lead; returns (document, version).
async fn nairobi_draft(app: &TestApp, lead: &str, code: &str) -> (i64, i64) {
    let approver = app.user_id(QO).await;
    let created = json_of(
        app.post_as(
            lead,
            "/api/v1/documents",
            json!({
                "code": code, "title": "Smear microscopy at Nairobi", "category": "laboratory",
                "site_code": "KEN-NBO", "parent_code": "LAB-SOP-012", "approver_id": approver,
                "tags": "TB, microscopy", "content": "# Purpose\n\nStain for 5 minutes.\n"
            }),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let version = created["versions"][0]["id"].as_i64().unwrap();
    (id, version)
}

async fn a_site_variant_goes_from_draft_to_acknowledged(app: TestApp) {
    let lead = app.token_for(LEAD_NBO).await;
    let (id, version) = nairobi_draft(&app, &lead, "LAB-SOP-012-NBO-2").await;
    let base = format!("/api/v1/documents/{id}/versions/{version}");

    let edited = json_of(
        app.put_as(&lead, &base, json!({ "content": "# Purpose\n\nStain for **3** minutes.\n", "change_summary": "Local staining time" }))
            .await,
        200,
    )
    .await;
    assert!(edited["content_html"]
        .as_str()
        .unwrap()
        .contains("<strong>3</strong>"));
    let submitted = json_of(
        app.post_empty_as(&lead, &format!("{base}/submit")).await,
        200,
    )
    .await;
    assert_eq!(submitted["state"], "in_review");

    let qo = app.token_for(QO).await;
    let approved = json_of(
        app.post_as(
            &qo,
            &format!("{base}/approve"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["approved_by"]["id"], app.user_id(QO).await);
    let signatures: i64 = sqlx::query_scalar(
        "select count(*) from signatures where entity_type = 'document_version' and entity_id = $1 and meaning = 'approved'",
    )
    .bind(version.to_string())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(signatures, 1);

    let effective = json_of(
        app.post_empty_as(&lead, &format!("{base}/make-effective"))
            .await,
        200,
    )
    .await;
    assert_eq!(effective["state"], "effective");
    assert_eq!(effective["effective_date"], date_text(today()));
    let doc = json_of(
        app.get_as(&lead, &format!("/api/v1/documents/{id}")).await,
        200,
    )
    .await;
    assert_eq!(doc["status"], "effective");
    assert_eq!(
        doc["next_review_due"],
        date_text(next_review_due(today(), 24))
    );
    assert_eq!(
        doc["review_in_days"].as_i64().unwrap(),
        (next_review_due(today(), 24) - today()).num_days()
    );

    // Everyone at Nairobi with the default roles is asked; nobody elsewhere.
    // Bodies read back into the UI's own types (no key appears twice, for example).
    let text = app
        .get_as(&lead, &format!("/api/v1/documents/{id}"))
        .await
        .text()
        .await
        .unwrap();
    serde_json::from_str::<app::model::documents::Document>(&text).expect("a Document");
    let text = app.get_as(&lead, &base).await.text().await.unwrap();
    serde_json::from_str::<app::model::documents::Version>(&text).expect("a Version");

    let staff = app.token_for(STAFF_NBO).await;
    let tasks = json_of(app.get_as(&staff, "/api/v1/acknowledgements").await, 200).await;
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["document_id"] == id)
        .expect("staff are asked to acknowledge")
        .clone();
    assert_eq!(task["due_in_days"], 14);
    assert!(task["acknowledged_at"].is_null());
    let kampala = app.token_for(LEAD_KLA).await;
    let theirs = json_of(app.get_as(&kampala, "/api/v1/acknowledgements").await, 200).await;
    assert!(theirs
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["document_id"] != id));

    let done = json_of(
        app.post_empty_as(
            &staff,
            &format!("/api/v1/acknowledgements/{}/acknowledge", task["id"]),
        )
        .await,
        200,
    )
    .await;
    assert!(done["acknowledged_at"].is_string());
    let again = json_of(
        app.post_empty_as(
            &staff,
            &format!("/api/v1/acknowledgements/{}/acknowledge", task["id"]),
        )
        .await,
        409,
    )
    .await;
    assert!(again["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already acknowledged"));

    let status = json_of(
        app.get_as(&lead, &format!("/api/v1/documents/{id}/acknowledgements"))
            .await,
        200,
    )
    .await;
    assert_eq!(
        status["sites"],
        json!([{ "site_code": "KEN-NBO", "site_name": "Nairobi Health Assessment Centre", "total": 2, "done": 1, "overdue": 0 }])
    );

    assert_eq!(
        trail_actions(&app, "document").await,
        [
            "document.create",
            "document_version.create",
            "document_version.edit",
            "document_version.submit",
            "document_version.approve",
            "document_version.make_effective",
        ]
    );
    assert_eq!(
        trail_actions(&app, "acknowledgement").await,
        ["acknowledgement.acknowledge"]
    );
}

async fn a_new_effective_version_supersedes_the_old_one_in_one_step(app: TestApp) {
    let id = document_id(&app, "LAB-SOP-011").await;
    let old: i64 = sqlx::query_scalar("select effective_version_id from documents where id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let pending_before: i64 = sqlx::query_scalar(
        "select count(*) from acknowledgements where document_id = $1 and status = 'pending'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let owner = app.token_for(QO).await;
    let draft = json_of(
        app.post_empty_as(&owner, &format!("/api/v1/documents/{id}/versions"))
            .await,
        201,
    )
    .await;
    let version = draft["id"].as_i64().unwrap();
    let old_text = draft["content"].as_str().unwrap().to_string();
    // Only one version can be in preparation.
    json_of(
        app.post_empty_as(&owner, &format!("/api/v1/documents/{id}/versions"))
            .await,
        409,
    )
    .await;
    let base = format!("/api/v1/documents/{id}/versions/{version}");
    json_of(
        app.put_as(&owner, &base, json!({ "content": format!("{old_text}\nA new closing line.\n"), "change_summary": "Adds a line" })).await,
        200,
    )
    .await;
    json_of(
        app.post_empty_as(&owner, &format!("{base}/submit")).await,
        200,
    )
    .await;
    let approver = app.token_for(LAB_QO).await;
    json_of(
        app.post_as(
            &approver,
            &format!("{base}/approve"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await,
        200,
    )
    .await;
    json_of(
        app.post_empty_as(&owner, &format!("{base}/make-effective"))
            .await,
        200,
    )
    .await;

    assert_eq!(version_state(&app, old).await, "superseded");
    assert_eq!(version_state(&app, version).await, "effective");
    let effective: i64 = sqlx::query_scalar(
        "select count(*) from document_versions where document_id = $1 and state = 'effective'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(effective, 1);
    let retired: i64 = sqlx::query_scalar(
        "select count(*) from acknowledgements where document_id = $1 and version_id = $2 and status = 'superseded'",
    )
    .bind(id)
    .bind(old)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        retired, pending_before,
        "pending tasks of the old version are no longer asked for"
    );

    // The superseded version stays readable, marked as such, and compares with the new one.
    let previous = json_of(
        app.get_as(&owner, &format!("/api/v1/documents/{id}/versions/{old}"))
            .await,
        200,
    )
    .await;
    assert_eq!(previous["state"], "superseded");
    assert!(previous["superseded_at"].is_string());
    let diff = json_of(
        app.get_as(
            &owner,
            &format!("/api/v1/documents/{id}/diff?from={old}&to={version}"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (diff["added"].as_i64(), diff["removed"].as_i64()),
        (Some(2), Some(0))
    );
    assert!(diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["kind"] == "added" && l["text"] == "A new closing line."));
}

async fn a_kampala_site_lead_cannot_see_or_change_a_nairobi_variant(app: TestApp) {
    let nairobi = app.token_for(LEAD_NBO).await;
    let (id, version) = nairobi_draft(&app, &nairobi, "LAB-SOP-012-NBO-2").await;
    let kampala = app.token_for(LEAD_KLA).await;
    for path in [
        format!("/api/v1/documents/{id}"),
        format!("/api/v1/documents/{id}/versions/{version}"),
        format!("/api/v1/documents/{id}/acknowledgements"),
    ] {
        json_of(app.get_as(&kampala, &path).await, 404).await;
    }
    json_of(
        app.put_as(
            &kampala,
            &format!("/api/v1/documents/{id}/versions/{version}"),
            json!({ "content": "x", "change_summary": "x" }),
        )
        .await,
        404,
    )
    .await;
    json_of(
        app.post_empty_as(
            &kampala,
            &format!("/api/v1/documents/{id}/versions/{version}/submit"),
        )
        .await,
        404,
    )
    .await;
    json_of(
        app.post_as(
            &kampala,
            &format!("/api/v1/documents/{id}/withdraw"),
            json!({ "reason": "not mine to withdraw" }),
        )
        .await,
        404,
    )
    .await;
    let list = json_of(
        app.get_as(&kampala, "/api/v1/documents?site=KEN-NBO").await,
        200,
    )
    .await;
    assert_eq!(list["total"], 0);
    // Nor can they create documents for Nairobi, or network-wide ones.
    let approver = app.user_id(QO).await;
    let refused = json_of(
        app.post_as(&kampala, "/api/v1/documents", json!({ "code": "KLA-TRY-1", "title": "Try", "category": "laboratory", "site_code": "KEN-NBO", "approver_id": approver })).await,
        403,
    )
    .await;
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("this site"));
    json_of(app.post_as(&kampala, "/api/v1/documents", json!({ "code": "KLA-TRY-2", "title": "Try", "category": "laboratory", "approver_id": approver })).await, 403).await;
    assert_eq!(version_state(&app, version).await, "draft");
    // Their own site is fine.
    json_of(app.post_as(&kampala, "/api/v1/documents", json!({ "code": "KLA-TRY-3", "title": "Try", "category": "laboratory", "site_code": "UGA-KLA", "approver_id": approver })).await, 201).await;
}

async fn staff_read_only_versions_in_force(app: TestApp) {
    let staff = app.token_for(STAFF_NBO).await;
    let id = document_id(&app, "ADM-SOP-001").await;
    let doc = json_of(
        app.get_as(&staff, &format!("/api/v1/documents/{id}")).await,
        200,
    )
    .await;
    let states: Vec<&str> = doc["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["effective"]);
    assert_eq!(doc["actions"]["edit"], false);
    let draft: i64 = sqlx::query_scalar(
        "select id from document_versions where document_id = $1 and state = 'in_review'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    json_of(
        app.get_as(&staff, &format!("/api/v1/documents/{id}/versions/{draft}"))
            .await,
        404,
    )
    .await;
    // A document never in force is not in their register.
    let never = document_id(&app, "RAD-SOP-008").await;
    json_of(
        app.get_as(&staff, &format!("/api/v1/documents/{never}"))
            .await,
        404,
    )
    .await;
    let list = json_of(
        app.get_as(&staff, "/api/v1/documents?per_page=100").await,
        200,
    )
    .await;
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] == "effective"));
    json_of(
        app.get_as(&staff, &format!("/api/v1/documents/{id}/acknowledgements"))
            .await,
        403,
    )
    .await;
}

async fn bad_input_is_refused_clearly_and_changes_nothing(app: TestApp) {
    let lead = app.token_for(LEAD_NBO).await;
    let approver = app.user_id(QO).await;
    let duplicate = json_of(
        app.post_as(&lead, "/api/v1/documents", json!({ "code": "lab-sop-012-ken-nbo", "title": "Again", "category": "laboratory", "site_code": "KEN-NBO", "approver_id": approver })).await,
        422,
    )
    .await;
    assert!(
        duplicate["error"]["fields"].get("code").is_some(),
        "{duplicate}"
    );
    let before = app.count("documents").await;
    let invalid = json_of(
        app.post_as(&lead, "/api/v1/documents", json!({ "code": "A B", "title": "", "category": "cooking", "site_code": "KEN-NBO", "approver_id": approver, "review_interval_months": 0 })).await,
        422,
    )
    .await;
    let mut fields: Vec<&str> = invalid["error"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["category", "code", "review_interval_months", "title"]
    );
    assert_eq!(app.count("documents").await, before);

    // The laboratory quality officer writes the draft and is its named approver: self-approval.
    let lab_qo = app.token_for(LAB_QO).await;
    let created = json_of(
        app.post_as(&lab_qo, "/api/v1/documents", json!({ "code": "LAB-SOP-090", "title": "Own draft", "category": "laboratory", "approver_id": app.user_id(LAB_QO).await, "content": "# Text" })).await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let version = created["versions"][0]["id"].as_i64().unwrap();
    let base = format!("/api/v1/documents/{id}/versions/{version}");
    let early = json_of(
        app.post_empty_as(&lab_qo, &format!("{base}/make-effective"))
            .await,
        409,
    )
    .await;
    assert_eq!(
        early["error"]["message"],
        "This version is draft; 'make-effective' is not possible. Possible now: submit."
    );
    json_of(
        app.post_empty_as(&lab_qo, &format!("{base}/submit")).await,
        200,
    )
    .await;
    let own = json_of(
        app.post_as(
            &lab_qo,
            &format!("{base}/approve"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await,
        403,
    )
    .await;
    assert!(
        own["error"]["message"]
            .as_str()
            .unwrap()
            .contains("someone else must approve"),
        "{own}"
    );
    let qo = app.token_for(QO).await;
    let wrong = json_of(
        app.post_as(
            &qo,
            &format!("{base}/approve"),
            json!({ "password": "not my password" }),
        )
        .await,
        422,
    )
    .await;
    assert!(wrong["error"]["fields"].get("password").is_some());
    assert_eq!(version_state(&app, version).await, "in_review");
    let signatures: i64 = sqlx::query_scalar(
        "select count(*) from signatures where entity_type <> 'capa' and entity_id = $1",
    )
    .bind(version.to_string())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(signatures, 0, "no signature without the right password");

    // Files: wrong type and too large, on a draft.
    json_of(
        app.post_as(
            &qo,
            &format!("{base}/return"),
            json!({ "reason": "Needs a scope section" }),
        )
        .await,
        200,
    )
    .await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        app.client
            .put(app.url(&format!("{base}/file")))
            .bearer_auth(&lab_qo)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let exe = json_of(
        upload(b"MZ\x90\x00not a pdf".to_vec(), "sop.pdf")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(exe["error"]["fields"]["file"]
        .as_str()
        .unwrap()
        .contains("PDF"));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(server::documents::MAX_FILE_BYTES + 1, b' ');
    let large = json_of(upload(big, "big.pdf").await.unwrap(), 422).await;
    assert!(
        large["error"]["fields"]["file"]
            .as_str()
            .unwrap()
            .contains("at most 10 MB"),
        "{large}"
    );
    let stored: i64 =
        sqlx::query_scalar("select count(*) from document_files where version_id = $1")
            .bind(version)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(stored, 0);

    // A diff needs two versions of the same document.
    let other: i64 =
        sqlx::query_scalar("select effective_version_id from documents where code = 'LAB-SOP-011'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let mixed = json_of(
        app.get_as(
            &qo,
            &format!("/api/v1/documents/{id}/diff?from={version}&to={other}"),
        )
        .await,
        422,
    )
    .await;
    assert!(mixed["error"]["fields"].get("to").is_some());
    assert!(mixed["error"]["fields"]["to"]
        .as_str()
        .unwrap()
        .contains("another document"));
}

async fn the_overdue_list_matches_the_review_rule(app: TestApp) {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "select d.code, v.effective_date, d.review_interval_months from documents d
           join document_versions v on v.id = d.effective_version_id where d.withdrawn_at is null",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let reviewed: Vec<(String, String)> = sqlx::query_as(
        "select d.code, max(r.reviewed_at) from document_reviews r join documents d on d.id = r.document_id
          where r.outcome = 'confirmed' group by d.code",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut expected: Vec<String> = rows
        .into_iter()
        .filter(|(code, effective, months)| {
            let mut base = parse_date(effective).unwrap();
            if let Some((_, at)) = reviewed.iter().find(|(c, _)| c == code) {
                base = base.max(parse_date(&at[..10]).unwrap());
            }
            next_review_due(base, *months as u32) < today()
        })
        .map(|(code, ..)| code)
        .collect();
    expected.sort();
    assert!(
        expected.len() >= 5,
        "the demo has overdue reviews: {expected:?}"
    );
    let qo = app.token_for(QO).await;
    let list = json_of(
        app.get_as(&qo, "/api/v1/documents?review=overdue&per_page=100")
            .await,
        200,
    )
    .await;
    let mut listed: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, expected);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["review_in_days"].as_i64().unwrap() < 0));
    // A site lead sees the overdue ones that apply to their site only.
    let kampala = app.token_for(LEAD_KLA).await;
    let theirs = json_of(
        app.get_as(&kampala, "/api/v1/documents?review=overdue&per_page=100")
            .await,
        200,
    )
    .await;
    assert!(theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["site_code"].is_null() || d["site_code"] == "UGA-KLA"));
}

async fn a_confirmed_review_is_signed_and_restarts_the_clock(app: TestApp) {
    let qo = app.token_for(QO).await;
    let overdue = json_of(
        app.get_as(&qo, "/api/v1/documents?review=overdue&site=global")
            .await,
        200,
    )
    .await;
    let doc = &overdue["items"][0];
    let id = doc["id"].as_i64().unwrap();
    let refused = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/documents/{id}/review"),
            json!({ "outcome": "confirm" }),
        )
        .await,
        422,
    )
    .await;
    assert!(refused["error"]["fields"].get("password").is_some());
    let reviewed = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/documents/{id}/review"),
            json!({ "outcome": "confirm", "notes": "Still correct.", "password": DEMO_PASSWORD }),
        )
        .await,
        200,
    )
    .await;
    let months = reviewed["review_interval_months"].as_i64().unwrap() as u32;
    assert_eq!(
        reviewed["next_review_due"],
        date_text(next_review_due(today(), months))
    );
    assert_eq!(reviewed["reviews"][0]["outcome"], "confirmed");
    assert_eq!(
        reviewed["versions"][0]["number"], doc["effective_version"],
        "no new version"
    );
    let version = reviewed["versions"][0]["id"].as_i64().unwrap().to_string();
    let signed: i64 = sqlx::query_scalar(
        "select count(*) from signatures where meaning = 'reviewed' and entity_id = $1 and signer_id = $2",
    )
    .bind(&version)
    .bind(app.user_id(QO).await)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(signed, 1);
    let after = json_of(
        app.get_as(&qo, "/api/v1/documents?review=overdue&per_page=100")
            .await,
        200,
    )
    .await;
    assert!(after["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["id"] != id));
    assert_eq!(
        trail_actions(&app, "document.review").await,
        ["document.review"]
    );
}

async fn a_review_can_start_a_revision_instead(app: TestApp) {
    let id = document_id(&app, "LAB-SOP-011").await;
    let qo = app.token_for(QO).await;
    let reviewed = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/documents/{id}/review"),
            json!({ "outcome": "revise", "notes": "New WHO guidance" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(reviewed["versions"][0]["state"], "draft");
    assert!(reviewed["versions"][0]["change_summary"]
        .as_str()
        .unwrap()
        .contains("New WHO guidance"));
    assert_eq!(reviewed["revision"], "draft");
    // A second revision cannot start while this one is open.
    json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/documents/{id}/review"),
            json!({ "outcome": "revise" }),
        )
        .await,
        409,
    )
    .await;
}

async fn a_withdrawn_document_needs_a_reason_and_then_stays_as_it_is(app: TestApp) {
    let id = document_id(&app, "LAB-SOP-011").await;
    let qo = app.token_for(QO).await;
    json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/documents/{id}/withdraw"),
            json!({ "reason": "" }),
        )
        .await,
        422,
    )
    .await;
    let lead = app.token_for(LEAD_NBO).await;
    json_of(
        app.post_as(
            &lead,
            &format!("/api/v1/documents/{id}/withdraw"),
            json!({ "reason": "I do not like it" }),
        )
        .await,
        403,
    )
    .await;
    let withdrawn = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/documents/{id}/withdraw"),
            json!({ "reason": "Replaced by LAB-SOP-014" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["withdrawn_reason"], "Replaced by LAB-SOP-014");
    assert!(withdrawn["next_review_due"].is_null());
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from acknowledgements where document_id = $1 and status = 'pending'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(pending, 0);
    let again = json_of(
        app.post_empty_as(&qo, &format!("/api/v1/documents/{id}/versions"))
            .await,
        409,
    )
    .await;
    assert!(again["error"]["message"]
        .as_str()
        .unwrap()
        .contains("withdrawn"));
    // Still readable by those who manage documents.
    json_of(
        app.get_as(&qo, &format!("/api/v1/documents/{id}")).await,
        200,
    )
    .await;
}

async fn attached_files_come_back_identical_and_are_checked(app: TestApp) {
    let lead = app.token_for(LEAD_NBO).await;
    let (id, version) = nairobi_draft(&app, &lead, "LAB-SOP-012-NBO-2").await;
    let base = format!("/api/v1/documents/{id}/versions/{version}");
    let pdf = b"%PDF-1.7\n% Attest test file\n".to_vec();
    let part = reqwest::multipart::Part::bytes(pdf.clone()).file_name("C:\\fakepath\\smear.pdf");
    let attached = json_of(
        app.client
            .put(app.url(&format!("{base}/file")))
            .bearer_auth(&lead)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(attached["file"]["name"], "smear.pdf");
    assert_eq!(
        attached["file"]["sha256"],
        server::signatures::content_hash(&pdf)
    );
    let download = app.get_as(&lead, &format!("{base}/file")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);

    // A stored file that no longer matches its hash is not served.
    sqlx::query("update document_files set content = $1 where version_id = $2")
        .bind(b"%PDF-1.7\n% tampered\n".to_vec())
        .bind(version)
        .execute(app.db.pool())
        .await
        .unwrap();
    let refused = json_of(app.get_as(&lead, &format!("{base}/file")).await, 409).await;
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("SHA-256"));
}

async fn the_register_searches_filters_sorts_and_pages(app: TestApp) {
    let qo = app.token_for(QO).await;
    let all = json_of(app.get_as(&qo, "/api/v1/documents?per_page=100").await, 200).await;
    assert_eq!(all["total"], app.count("documents").await);
    let found = json_of(app.get_as(&qo, "/api/v1/documents?q=ziehl").await, 200).await;
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "LAB-SOP-012"),
        "{found}"
    );
    let radiology = json_of(
        app.get_as(&qo, "/api/v1/documents?category=radiology&per_page=100")
            .await,
        200,
    )
    .await;
    assert!(radiology["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["category"] == "radiology"));
    let variants = json_of(app.get_as(&qo, "/api/v1/documents?site=KEN-NBO").await, 200).await;
    assert!(variants["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["site_code"] == "KEN-NBO" && d["parent_code"].is_string()));
    let withdrawn = json_of(
        app.get_as(&qo, "/api/v1/documents?status=withdrawn").await,
        200,
    )
    .await;
    assert_eq!(withdrawn["total"], 1);
    let by_due = json_of(
        app.get_as(
            &qo,
            "/api/v1/documents?sort=review_due&status=effective&per_page=100",
        )
        .await,
        200,
    )
    .await;
    let dues: Vec<&str> = by_due["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["next_review_due"].as_str())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    let page2 = json_of(
        app.get_as(&qo, "/api/v1/documents?per_page=10&page=2")
            .await,
        200,
    )
    .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 10);
    assert_ne!(page2["items"][0]["code"], all["items"][0]["code"]);
    let bad = json_of(
        app.get_as(&qo, "/api/v1/documents?review=someday").await,
        422,
    )
    .await;
    assert!(bad["error"]["fields"].get("review").is_some());
    // The variant is listed under its parent.
    let parent = document_id(&app, "LAB-SOP-012").await;
    let doc = json_of(
        app.get_as(&qo, &format!("/api/v1/documents/{parent}"))
            .await,
        200,
    )
    .await;
    assert!(doc["variants"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["code"] == "LAB-SOP-012-KEN-NBO"));
}

async fn document_pages_render_on_the_server_and_hide_other_sites(app: TestApp) {
    let (status, html) = app.page_as(LEAD_KLA, "/documents?review=overdue").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("LAB-SOP-001-UGA-KLA"),
        "Kampala's overdue variant is listed"
    );
    assert!(html.contains("overdue by"));
    let nairobi = document_id(&app, "LAB-SOP-012-KEN-NBO").await;
    let (status, html) = app
        .page_as(LEAD_KLA, &format!("/documents/{nairobi}"))
        .await;
    assert_eq!(status, 404);
    assert!(
        !html.contains("Nairobi"),
        "nothing of the hidden document leaks"
    );
    let (status, html) = app
        .page_as(LEAD_NBO, &format!("/documents/{nairobi}"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Version history") && html.contains("in force"));
}

async fn the_browser_upload_form_attaches_the_file_and_returns_to_the_version(app: TestApp) {
    let lead = app.token_for(LEAD_NBO).await;
    let (id, version) = nairobi_draft(&app, &lead, "LAB-SOP-012-NBO-2").await;
    let browser = app.browser_for(LEAD_NBO).await;
    let form = |bytes: &'static [u8], name: &'static str| {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        )
    };
    let path = format!("/documents/{id}/versions/{version}/file");
    let response = browser
        .post(app.url(&path))
        .header("origin", &app.address)
        .multipart(form(b"PK\x03\x04docx body", "local.docx"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/documents/{id}/versions/{version}?uploaded=1")
    );
    let name: String = sqlx::query_scalar("select file_name from document_versions where id = $1")
        .bind(version)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(name, "local.docx");

    let refused = browser
        .post(app.url(&path))
        .header("origin", &app.address)
        .multipart(form(b"plain text", "notes.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    let location = refused.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("upload_error=Attach%20a%20PDF"),
        "{location}"
    );

    // From another site, the form is refused like everything else (cross-site posts too).
    let forged = browser
        .post(app.url(&path))
        .header("origin", "https://evil.example")
        .multipart(form(b"%PDF-1.4", "x.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

/// A network draft by the quality officer, approved by the laboratory quality officer.
async fn network_draft(app: &TestApp, owner: &str, code: &str) -> (i64, i64) {
    let created = json_of(
        app.post_as(
            owner,
            "/api/v1/documents",
            json!({ "code": code, "title": "Network SOP", "category": "clinical", "approver_id": app.user_id(LAB_QO).await, "content": "# Purpose" }),
        )
        .await,
        201,
    )
    .await;
    (
        created["id"].as_i64().unwrap(),
        created["versions"][0]["id"].as_i64().unwrap(),
    )
}

async fn editing_a_draft_counts_as_writing_it_for_self_approval(app: TestApp) {
    let qo = app.token_for(QO).await;
    let (id, version) = network_draft(&app, &qo, "CLN-SOP-090").await;
    let base = format!("/api/v1/documents/{id}/versions/{version}");
    // The approver edits the draft someone else started ...
    let approver = app.token_for(LAB_QO).await;
    json_of(
        app.put_as(
            &approver,
            &base,
            json!({ "content": "# Purpose\n\nMine now.", "change_summary": "Edited" }),
        )
        .await,
        200,
    )
    .await;
    json_of(app.post_empty_as(&qo, &format!("{base}/submit")).await, 200).await;
    // ... and so may not approve it.
    let refused = json_of(
        app.post_as(
            &approver,
            &format!("{base}/approve"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await,
        403,
    )
    .await;
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wrote or edited"));
    assert_eq!(version_state(&app, version).await, "in_review");
}

async fn a_returned_version_loses_its_approval(app: TestApp) {
    let qo = app.token_for(QO).await;
    let (id, version) = network_draft(&app, &qo, "CLN-SOP-091").await;
    let base = format!("/api/v1/documents/{id}/versions/{version}");
    json_of(app.post_empty_as(&qo, &format!("{base}/submit")).await, 200).await;
    let approver = app.token_for(LAB_QO).await;
    json_of(
        app.post_as(
            &approver,
            &format!("{base}/approve"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await,
        200,
    )
    .await;
    let returned = json_of(
        app.post_as(
            &approver,
            &format!("{base}/return"),
            json!({ "reason": "Scope needs the paediatric case" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(returned["state"], "draft");
    assert!(
        returned["approved_by"].is_null() && returned["approved_at"].is_null(),
        "{returned}"
    );
    assert_eq!(
        returned["returned_reason"],
        "Scope needs the paediatric case"
    );
    // Going back to draft does not make the signature disappear from the record.
    let kept: i64 = sqlx::query_scalar(
        "select count(*) from signatures where entity_id = $1 and meaning = 'approved'",
    )
    .bind(version.to_string())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(kept, 1);
}

async fn wrong_signature_passwords_lock_the_account_like_wrong_sign_ins(app: TestApp) {
    let qo = app.token_for(QO).await;
    let (id, version) = network_draft(&app, &qo, "CLN-SOP-092").await;
    let base = format!("/api/v1/documents/{id}/versions/{version}");
    json_of(app.post_empty_as(&qo, &format!("{base}/submit")).await, 200).await;
    let approver = app.token_for(LAB_QO).await;
    for _ in 0..5 {
        json_of(
            app.post_as(
                &approver,
                &format!("{base}/approve"),
                json!({ "password": "guess guess guess" }),
            )
            .await,
            422,
        )
        .await;
    }
    let locked = json_of(
        app.post_as(
            &approver,
            &format!("{base}/approve"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await,
        422,
    )
    .await;
    assert!(
        locked["error"]["fields"]["password"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{locked}"
    );
    assert_eq!(version_state(&app, version).await, "in_review");
    assert_eq!(trail_actions(&app, "signature.failed").await.len(), 4);
    assert_eq!(trail_actions(&app, "auth.locked").await.len(), 1);
}

async fn the_approver_must_reach_the_documents_site(app: TestApp) {
    let lead = app.token_for(LEAD_NBO).await;
    // The Asia-Pacific regional manager cannot approve a Nairobi document.
    let refused = json_of(
        app.post_as(&lead, "/api/v1/documents", json!({ "code": "NBO-X-1", "title": "X", "category": "laboratory", "site_code": "KEN-NBO", "approver_id": app.user_id("rm.ap@attest.example").await })).await,
        422,
    )
    .await;
    assert!(
        refused["error"]["fields"].get("approver_id").is_some(),
        "{refused}"
    );
    // The East Africa one can.
    json_of(
        app.post_as(&lead, "/api/v1/documents", json!({ "code": "NBO-X-2", "title": "X", "category": "laboratory", "site_code": "KEN-NBO", "approver_id": app.user_id("rm.eha@attest.example").await })).await,
        201,
    )
    .await;
    // Search text is literal: "%" finds only documents that contain a percent sign.
    let all = json_of(
        app.get_as(&lead, "/api/v1/documents?per_page=100").await,
        200,
    )
    .await;
    let percent = json_of(
        app.get_as(&lead, "/api/v1/documents?q=%25&per_page=100")
            .await,
        200,
    )
    .await;
    assert!(percent["total"].as_i64().unwrap() < all["total"].as_i64().unwrap());
}

async fn the_new_document_form_sets_acknowledgement_roles_and_self_approval(app: TestApp) {
    let browser = app.browser_for(LEAD_NBO).await;
    let approver = app.user_id(QO).await.to_string();
    // As the browser sends it without JavaScript: only "Staff" ticked, self-approval ticked.
    let response = browser
        .post(app.url("/rpc/documents/create"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .form(&[
            ("document[code]", "NBO-FORM-1"),
            ("document[title]", "From the form"),
            ("document[category]", "clinical"),
            ("document[site_code]", "KEN-NBO"),
            ("document[parent_code]", ""),
            ("document[approver_id]", approver.as_str()),
            ("document[review_interval_months]", "12"),
            ("document[retention_years]", "10"),
            ("document[tags]", ""),
            ("document[acknowledgement_roles][1]", "staff"),
            ("document[self_approval_allowed]", "true"),
            ("document[content]", "# Purpose"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let id = document_id(&app, "NBO-FORM-1").await;
    assert_eq!(response.headers()["location"], format!("/documents/{id}"));
    let (roles, self_approval, interval): (String, i64, i64) = sqlx::query_as(
        "select ack_roles, self_approval_allowed, review_interval_months from documents where id = $1",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((roles.as_str(), self_approval, interval), ("staff", 1, 12));
}
