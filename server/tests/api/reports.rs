//! Signed audit reports over HTTP on both databases, checked with independent validators from
//! Debian's packages: poppler's `pdfsig` and `pdftotext`, and `qpdf --check`. Also the public
//! verification, tampering, issuing rules and the audit closing when its CAPAs close.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{json_of, on_both_databases, TestApp, DEMO_PASSWORD};

on_both_databases!(
    ;
    seeded:
    an_issued_report_is_signed_validated_and_verified_and_tampering_is_detected,
    issuing_is_for_the_lead_auditor_of_a_submitted_audit_once,
    the_verification_page_checks_uploads_without_a_sign_in,
    an_audit_closes_when_its_last_finding_capa_closes,
    an_audit_without_capa_findings_closes_when_its_report_is_issued,
    a_monthly_regional_report_is_previewed_then_issued_once_and_signed,
);

/// A submitted demo audit: (id, lead auditor's e-mail) — with `with_capas`, the one with the
/// most CAPA-linked findings; otherwise the one with the fewest, its findings turned into
/// observations so that none needs a CAPA.
async fn submitted_audit(app: &TestApp, with_capas: bool) -> (i64, String) {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select a.id, u.email,
                (select count(*) from capas c join findings f on f.id = c.finding_id
                  where f.audit_id = a.id) as capas
           from audits a join users u on u.id = a.lead_auditor_id
          where a.state = 'submitted'
          order by a.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    if with_capas {
        let (id, email, _) = rows
            .iter()
            .filter(|(_, _, capas)| *capas > 0)
            .max_by_key(|(_, _, capas)| *capas)
            .cloned()
            .expect("the demo has submitted audits with CAPAs");
        (id, email)
    } else {
        let (id, email, _) = rows
            .iter()
            .min_by_key(|(_, _, capas)| *capas)
            .cloned()
            .expect("the demo has submitted audits");
        sqlx::query("update findings set severity = 'observation' where audit_id = $1")
            .bind(id)
            .execute(app.db.pool())
            .await
            .unwrap();
        (id, email)
    }
}

async fn state(app: &TestApp, audit: i64) -> String {
    sqlx::query_scalar("select state from audits where id = $1")
        .bind(audit)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn issue(app: &TestApp, token: &str, audit: i64, password: &str) -> reqwest::Response {
    app.post_as(
        token,
        &format!("/api/v1/audits/{audit}/report"),
        json!({ "password": password }),
    )
    .await
}

async fn pdf(app: &TestApp, token: &str, audit: i64) -> Vec<u8> {
    let response = app
        .get_as(token, &format!("/api/v1/audits/{audit}/report.pdf"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    response.bytes().await.unwrap().to_vec()
}

/// Runs a validator on a file and returns what it printed (stdout and stderr).
fn run(tool: &str, args: &[&str], file: &Path) -> (bool, String) {
    let output = Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} runs (poppler-utils and qpdf are installed by scripts/setup.sh): {e}")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn text_of(file: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-layout"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(output.status.success());
    // Collapse the layout's runs of spaces so phrases match.
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn verify_upload(app: &TestApp, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("report.pdf");
    reqwest::Client::new()
        .post(app.url("/api/v1/verify"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

async fn an_issued_report_is_signed_validated_and_verified_and_tampering_is_detected(app: TestApp) {
    let (audit_id, lead) = submitted_audit(&app, true).await;
    let token = app.token_for(&lead).await;
    let audit = json_of(
        app.get_as(&token, &format!("/api/v1/audits/{audit_id}"))
            .await,
        200,
    )
    .await;
    assert_eq!(audit["actions"]["issue_report"], true);
    assert_eq!(audit["report"], Value::Null);
    let dir = tempfile::tempdir().unwrap();

    // Before issue: a DRAFT preview, unsigned.
    let draft = pdf(&app, &token, audit_id).await;
    let draft_path = dir.path().join("draft.pdf");
    std::fs::write(&draft_path, &draft).unwrap();
    let draft_text = text_of(&draft_path);
    assert!(draft_text.contains("DRAFT"), "{draft_text}");
    let (_, sig) = run("pdfsig", &[], &draft_path);
    assert!(sig.contains("does not contain any signatures"), "{sig}");
    assert_eq!(state(&app, audit_id).await, "submitted");

    // A wrong password signs nothing.
    let wrong = json_of(issue(&app, &token, audit_id, "not my password").await, 422).await;
    assert!(
        wrong["error"]["fields"].get("password").is_some(),
        "{wrong}"
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from issued_reports where audit_id = $1")
        .bind(audit_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(state(&app, audit_id).await, "submitted");

    let issued = json_of(issue(&app, &token, audit_id, DEMO_PASSWORD).await, 201).await;
    assert_eq!(issued["reference"], format!("AR-{audit_id:05}"));
    assert_eq!(issued["kind"], "audit");
    assert!(issued["certificate_subject"]
        .as_str()
        .unwrap()
        .contains("CN=Attest test signer"));
    assert_eq!(state(&app, audit_id).await, "report_issued");

    // The stored file: the same bytes every time, with the recorded SHA-256.
    let bytes = pdf(&app, &token, audit_id).await;
    assert_eq!(pdf(&app, &token, audit_id).await, bytes);
    assert_eq!(
        server::signatures::content_hash(&bytes),
        issued["sha256"].as_str().unwrap()
    );
    assert_eq!(issued["size"], bytes.len() as i64);
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &bytes).unwrap();
    // To look at it (e.g. with pdftoppm): ATTEST_KEEP_REPORTS=/some/folder.
    if let Some(keep) = std::env::var_os("ATTEST_KEEP_REPORTS") {
        std::fs::write(
            Path::new(&keep).join(format!("report-{audit_id}.pdf")),
            &bytes,
        )
        .unwrap();
        std::fs::write(
            Path::new(&keep).join(format!("draft-{audit_id}.pdf")),
            &draft,
        )
        .unwrap();
    }

    // Independent validators.
    let (_, sig) = run("pdfsig", &[], &path);
    assert!(sig.contains("Signature is Valid."), "{sig}");
    assert!(sig.contains("Total document signed"), "{sig}");
    assert!(sig.contains("SHA-256"), "{sig}");
    assert!(sig.contains("adbe.pkcs7.detached"), "{sig}");
    let (ok, check) = run("qpdf", &["--check"], &path);
    assert!(ok, "{check}");
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    assert!(!check.contains("WARNING"), "{check}");

    // The content: site, score, every finding's clause.
    let text = text_of(&path);
    assert!(!text.contains("DRAFT"), "an issued report is not a draft");
    let site_name = audit["site_name"].as_str().unwrap();
    assert!(text.contains(site_name), "site name {site_name}");
    let percent = audit["score"]["percent"].as_f64().unwrap();
    assert!(
        text.contains(&format!("{percent:.1} %")),
        "score {percent:.1}"
    );
    let findings = audit["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings.iter().filter(|f| f["status"] == "open") {
        let clause = finding["clause"].as_str().unwrap();
        assert!(text.contains(clause), "finding clause {clause}");
        if let Some(number) = finding["capa"]["number"].as_str() {
            assert!(text.contains(number), "CAPA {number}");
        }
    }
    assert!(text.contains(&format!("AR-{audit_id:05}")));
    assert!(text.contains("Issued by"));

    // The audit and the trail say so.
    let audit = json_of(
        app.get_as(&token, &format!("/api/v1/audits/{audit_id}"))
            .await,
        200,
    )
    .await;
    assert_eq!(audit["report"]["sha256"], issued["sha256"]);
    assert_eq!(audit["actions"]["issue_report"], false);
    let trail: Vec<String> = sqlx::query_scalar(
        "select action from audit_trail where entity_type = $1 and entity_id = $2 order by id",
    )
    .bind("audit")
    .bind(audit_id.to_string())
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(
        trail.contains(&"audit.issue_report".to_string()),
        "{trail:?}"
    );
    assert!(trail.contains(&"signature.sign".to_string()), "{trail:?}");

    // Verification: the file as issued is recognised, with what it is.
    let verified = json_of(verify_upload(&app, bytes.clone()).await, 200).await;
    assert_eq!(verified["matched"], true);
    assert_eq!(verified["report"]["audit_id"], audit_id);
    assert_eq!(verified["report"]["site_name"], site_name);
    assert!(verified["message"]
        .as_str()
        .unwrap()
        .starts_with("Authentic"));

    // One byte flipped inside the signed range (in the document information).
    let mut tampered = bytes.clone();
    let at = tampered
        .windows(b"Attest (pdf-writer)".len())
        .position(|w| w == b"Attest (pdf-writer)")
        .expect("the producer is in the file");
    tampered[at] = b'X';
    let tampered_path = dir.path().join("tampered.pdf");
    std::fs::write(&tampered_path, &tampered).unwrap();
    let (_, sig) = run("pdfsig", &[], &tampered_path);
    // poppler words a changed byte as "Digest Mismatch" (an invalid signature).
    assert!(
        sig.contains("Digest Mismatch") || sig.contains("Signature is Invalid"),
        "{sig}"
    );
    assert!(!sig.contains("Signature is Valid."), "{sig}");
    let rejected = json_of(verify_upload(&app, tampered).await, 200).await;
    assert_eq!(rejected["matched"], false);
    assert_eq!(rejected["report"], Value::Null);
    assert!(rejected["message"]
        .as_str()
        .unwrap()
        .starts_with("Not recognised"));
}

async fn issuing_is_for_the_lead_auditor_of_a_submitted_audit_once(app: TestApp) {
    // A submitted audit at a site with a site lead (who will read the report).
    let (audit_id, lead): (i64, String) = sqlx::query_as(
        "select a.id, u.email from audits a join users u on u.id = a.lead_auditor_id
          where a.state = 'submitted'
            and exists (select 1 from users l where l.site_id = a.site_id and l.role = 'site_lead')
          order by a.id limit 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("the demo has a submitted audit at a site with a lead");
    let lead_token = app.token_for(&lead).await;
    let other_qo = if lead == "qo@attest.example" {
        "qo.lab@attest.example"
    } else {
        "qo@attest.example"
    };
    // Another quality officer, a site lead, a manager: not theirs to issue.
    let other = app.token_for(other_qo).await;
    let refused = json_of(issue(&app, &other, audit_id, DEMO_PASSWORD).await, 403).await;
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Only the lead auditor"));
    let admin = app.token_for("admin@attest.example").await;
    json_of(issue(&app, &admin, audit_id, DEMO_PASSWORD).await, 403).await;

    // An audit that is not submitted yet: its own lead auditor cannot issue it, and its
    // preview is a draft.
    let (in_progress, its_lead): (i64, String) = sqlx::query_as(
        "select a.id, u.email from audits a join users u on u.id = a.lead_auditor_id
          where a.state = 'in_progress' order by a.id limit 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("the demo has an audit in progress");
    let its_lead = app.token_for(&its_lead).await;
    let conflict = json_of(
        issue(&app, &its_lead, in_progress, DEMO_PASSWORD).await,
        409,
    )
    .await;
    assert!(conflict["error"]["message"]
        .as_str()
        .unwrap()
        .contains("issued once it is submitted"));
    let draft = pdf(&app, &its_lead, in_progress).await;
    assert!(draft.starts_with(b"%PDF-"));
    // A missing body field and an unknown audit.
    json_of(
        app.post_as(
            &lead_token,
            &format!("/api/v1/audits/{audit_id}/report"),
            json!({}),
        )
        .await,
        422,
    )
    .await;
    json_of(issue(&app, &lead_token, 999_999, DEMO_PASSWORD).await, 404).await;

    // Issued once; a second issue is refused and the stored report stays as it was.
    let first = json_of(issue(&app, &lead_token, audit_id, DEMO_PASSWORD).await, 201).await;
    let again = json_of(issue(&app, &lead_token, audit_id, DEMO_PASSWORD).await, 409).await;
    assert!(again["error"]["message"]
        .as_str()
        .unwrap()
        .contains("never replaced"));
    let stored: (String, i64) =
        sqlx::query_as("select sha256, count(*) over () from issued_reports where audit_id = $1")
            .bind(audit_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(stored, (first["sha256"].as_str().unwrap().to_string(), 1));

    // Site people see the issued report of their own site only.
    let site: String = sqlx::query_scalar(
        "select s.code from audits a join sites s on s.id = a.site_id where a.id = $1",
    )
    .bind(audit_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let outsider = if site == "KEN-NBO" {
        "lead.kla@attest.example"
    } else {
        "lead.nbo@attest.example"
    };
    let own_lead: String = sqlx::query_scalar(
        "select u.email from users u join sites s on s.id = u.site_id
          where s.code = $1 and u.role = 'site_lead'",
    )
    .bind(&site)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let own = app.token_for(&own_lead).await;
    let bytes = pdf(&app, &own, audit_id).await;
    assert_eq!(
        server::signatures::content_hash(&bytes),
        first["sha256"].as_str().unwrap()
    );
    let outsider = app.token_for(outsider).await;
    let response = app
        .get_as(&outsider, &format!("/api/v1/audits/{audit_id}/report.pdf"))
        .await;
    assert_eq!(response.status(), 404);
    let staff = app.token_for("staff.nbo@attest.example").await;
    let response = app
        .get_as(&staff, &format!("/api/v1/audits/{audit_id}/report.pdf"))
        .await;
    assert_eq!(response.status(), 404);
}

async fn the_verification_page_checks_uploads_without_a_sign_in(app: TestApp) {
    // Not a PDF.
    let response = verify_upload(&app, b"hello, this is text".to_vec()).await;
    let body = json_of(response, 422).await;
    assert!(body["error"]["fields"]["file"]
        .as_str()
        .unwrap()
        .contains("not a PDF"));
    // Too large.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(server::reports::MAX_VERIFY_BYTES + 1024, b' ');
    let response = verify_upload(&app, big).await;
    let body = json_of(response, 422).await;
    assert!(body["error"]["fields"]["file"]
        .as_str()
        .unwrap()
        .contains("too large"));
    // A PDF Attest never issued.
    let unknown = json_of(
        verify_upload(&app, b"%PDF-1.7\n%%EOF\n".to_vec()).await,
        200,
    )
    .await;
    assert_eq!(unknown["matched"], false);
    assert_eq!(unknown["sha256"].as_str().unwrap().len(), 64);

    // The page's plain form: redirects back with the hash or the reason.
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec()).file_name("x.pdf");
    let response = app
        .client
        .post(app.url("/verify"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("/verify?sha256={}", unknown["sha256"].as_str().unwrap())
    );
    let part = reqwest::multipart::Part::bytes(b"GIF89a".to_vec()).file_name("x.gif");
    let response = app
        .client
        .post(app.url("/verify"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/verify?error="), "{location}");
    // The page renders for anyone, with the verdict.
    let (status, html) = app.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("not a PDF"), "{html}");
    let (status, html) = app
        .get_text(&format!(
            "/verify?sha256={}",
            unknown["sha256"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Not recognised"), "{html}");
}

async fn an_audit_closes_when_its_last_finding_capa_closes(app: TestApp) {
    let (audit_id, lead) = submitted_audit(&app, true).await;
    let token = app.token_for(&lead).await;
    json_of(issue(&app, &token, audit_id, DEMO_PASSWORD).await, 201).await;
    let capas: Vec<i64> = sqlx::query_scalar(
        "select c.id from capas c join findings f on f.id = c.finding_id
          where f.audit_id = $1 and c.state <> 'cancelled' order by c.id",
    )
    .bind(audit_id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(!capas.is_empty());
    // Set-up shortcut (the CAPA tests walk the lifecycle): every CAPA but the last is closed,
    // the last has passed its effectiveness check and awaits the closing signature. Every
    // finding that needs a CAPA has one.
    let (last, others) = capas.split_last().unwrap();
    for id in others {
        sqlx::query("update capas set state = 'closed' where id = $1")
            .bind(id)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    sqlx::query(
        "update findings set severity = 'observation'
          where audit_id = $1 and not exists (select 1 from capas c where c.finding_id = findings.id and c.state <> 'cancelled')",
    )
    .bind(audit_id)
    .execute(app.db.pool())
    .await
    .unwrap();
    sqlx::query("update capas set state = 'effectiveness_check', reopened_at = null where id = $1")
        .bind(last)
        .execute(app.db.pool())
        .await
        .unwrap();
    let qo: i64 = app.user_id("qo@attest.example").await;
    sqlx::query(
        "insert into capa_checks (capa_id, verdict, evidence, checked_by, checked_at)
         values ($1, 'effective', 'Sampled records: complete.', $2, '2026-01-01T10:00:00Z')",
    )
    .bind(last)
    .bind(qo)
    .execute(app.db.pool())
    .await
    .unwrap();
    assert_eq!(state(&app, audit_id).await, "report_issued");

    let qo_token = app.token_for("qo@attest.example").await;
    let closed = app
        .post_as(
            &qo_token,
            &format!("/api/v1/capas/{last}/steps/close"),
            json!({ "password": DEMO_PASSWORD }),
        )
        .await;
    json_of(closed, 200).await;
    assert_eq!(state(&app, audit_id).await, "closed");
    let reason: String = sqlx::query_scalar(
        "select after_json from audit_trail where entity_type = 'audit' and entity_id = $1 and action = 'audit.close'",
    )
    .bind(audit_id.to_string())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(reason.contains("every finding"), "{reason}");
}

async fn an_audit_without_capa_findings_closes_when_its_report_is_issued(app: TestApp) {
    let (audit_id, lead) = submitted_audit(&app, false).await;
    let token = app.token_for(&lead).await;
    json_of(issue(&app, &token, audit_id, DEMO_PASSWORD).await, 201).await;
    assert_eq!(state(&app, audit_id).await, "closed");
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_trail where entity_type = 'audit' and entity_id = $1 order by id",
    )
    .bind(audit_id.to_string())
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["audit.issue_report", "audit.close"]);
    // The closed audit still serves its report, unchanged.
    let bytes = pdf(&app, &token, audit_id).await;
    let stored: String =
        sqlx::query_scalar("select sha256 from issued_reports where audit_id = $1")
            .bind(audit_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(server::signatures::content_hash(&bytes), stored);
}

async fn a_monthly_regional_report_is_previewed_then_issued_once_and_signed(app: TestApp) {
    // The month before this one (the report covers a month that is over).
    let today = chrono::Utc::now().date_naive();
    let first_of_month = today - chrono::Days::new(u64::from(chrono::Datelike::day(&today)) - 1);
    let last_month_end = first_of_month - chrono::Days::new(1);
    let period = last_month_end.format("%Y-%m").to_string();
    let end = last_month_end.format("%Y-%m-%d").to_string();
    let url = format!("/api/v1/regions/EHA/monthly-reports/{period}");
    let manager = app.token_for("rm.eha@attest.example").await;
    let dir = tempfile::tempdir().unwrap();

    // Before the job: a DRAFT with the figures as they stand.
    let response = app.get_as(&manager, &url).await;
    assert_eq!(response.status(), 200);
    let draft = response.bytes().await.unwrap().to_vec();
    let draft_path = dir.path().join("draft.pdf");
    std::fs::write(&draft_path, &draft).unwrap();
    let text = text_of(&draft_path);
    assert!(text.contains("DRAFT") && text.contains("Monthly regional compliance report"));
    let sites: Vec<String> = sqlx::query_scalar(
        "select s.code from sites s join countries c on c.code = s.country_code
          where c.region_code = 'EHA' and s.status = 'active'",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    for code in &sites {
        assert!(text.contains(code.as_str()), "site {code}");
    }
    // The open CAPAs at the month's end, counted straight from the table.
    let open: i64 = sqlx::query_scalar(
        "select count(*) from capas x join sites s on s.id = x.site_id
           join countries c on c.code = s.country_code
          where c.region_code = 'EHA' and x.opened_on <= $1
            and (x.ended_on is null or x.ended_on > $1) and x.state <> 'cancelled'",
    )
    .bind(&end)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(
        text.contains(&format!("Open CAPAs {open}")),
        "{open} open CAPAs in: {text}"
    );

    // The job's work: issued once, signed; a second run returns the same report.
    let identity = crate::helpers::signing_identity();
    let (first, created) =
        server::reports::issue_regional_report(&app.db, &identity, "EHA", &period)
            .await
            .unwrap();
    assert!(created);
    assert_eq!(first.reference, format!("RR-EHA-{period}"));
    let (again, created) =
        server::reports::issue_regional_report(&app.db, &identity, "EHA", &period)
            .await
            .unwrap();
    assert!(!created);
    assert_eq!(again.sha256, first.sha256);
    let bytes = app
        .get_as(&manager, &url)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(server::signatures::content_hash(&bytes), first.sha256);
    let path = dir.path().join("regional.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let (_, sig) = run("pdfsig", &[], &path);
    assert!(
        sig.contains("Signature is Valid.") && sig.contains("Total document signed"),
        "{sig}"
    );
    let (ok, check) = run("qpdf", &["--check"], &path);
    assert!(ok && !check.contains("WARNING"), "{check}");
    assert!(!text_of(&path).contains("DRAFT"));
    let verified = json_of(verify_upload(&app, bytes).await, 200).await;
    assert_eq!(verified["matched"], true);
    assert_eq!(verified["report"]["kind"], "regional_monthly");

    // Scope and bad input.
    let other_region = app.token_for("rm.ap@attest.example").await;
    assert_eq!(app.get_as(&other_region, &url).await.status(), 404);
    let site_lead = app.token_for("lead.nbo@attest.example").await;
    assert_eq!(app.get_as(&site_lead, &url).await.status(), 403);
    for bad in ["2026-13", "last-month", "2999-01"] {
        let response = app
            .get_as(
                &manager,
                &format!("/api/v1/regions/EHA/monthly-reports/{bad}"),
            )
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    let unfinished = today.format("%Y-%m").to_string();
    let error = server::reports::issue_regional_report(&app.db, &identity, "EHA", &unfinished)
        .await
        .unwrap_err();
    match error {
        server::error::Error::Invalid { fields, .. } => {
            assert!(fields[0].message.contains("not over yet"), "{fields:?}")
        }
        other => panic!("expected an invalid period, got {other:?}"),
    }
}
