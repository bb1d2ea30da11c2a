//! CAPAs over HTTP on both databases: the whole journey from a finding to a signed, verified
//! closure (with an ineffective check on the way), scope, lists and bad input.
//!
//! The effectiveness check comes at least 30 days after implementation, so the journey runs the
//! later steps on a second `attest` process started under `faketime` (Debian's libfaketime)
//! against the same database: the product has no clock override to abuse.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::helpers::{json_of, on_both_databases, TestApp};

const QO: &str = "qo@attest.example";
const LEAD: &str = "lead.nbo@attest.example";
const RM: &str = "rm.eha@attest.example";
const PASSWORD: &str = "attest-demo-2026";

on_both_databases!(
    ;
    seeded:
    a_finding_is_taken_to_a_signed_verified_closure,
    capas_are_seen_and_worked_only_within_scope,
    lists_filter_by_state_overdue_and_age_and_export_csv,
    bad_input_is_refused_and_nothing_is_half_written,
);

/// A second server process whose clock runs `days` ahead, on the same database.
struct FutureServer {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Drop for FutureServer {
    fn drop(&mut self) {
        // `faketime` runs the server as its child: stop the whole process group (`setsid` made
        // one), at once: a graceful shutdown would wait for this test's idle connections.
        let _ = Command::new("kill")
            .args(["-KILL", "--"])
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.wait();
    }
}

impl FutureServer {
    async fn start(app: &TestApp, days: u32) -> FutureServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let site = tempfile::tempdir().unwrap();
        let signing = crate::helpers::signing_fixture();
        let child = Command::new("setsid")
            .arg("faketime")
            .arg("-f")
            .arg(format!("+{days}d"))
            .arg(env!("CARGO_BIN_EXE_attest"))
            .arg("serve")
            .env("ATTEST_DATABASE_URL", &app.database_url)
            .env("ATTEST_ADDR", format!("127.0.0.1:{port}"))
            .env("ATTEST_SITE_ROOT", site.path())
            // The run's signing pair: never one generated in the working directory.
            .env("ATTEST_SIGNING_CERT", &signing.certificate)
            .env("ATTEST_SIGNING_KEY", &signing.key)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("faketime runs (scripts/setup.sh installs Debian's faketime package)");
        // Built at once, so that dropping it (also on a failed start) stops the process.
        let server = FutureServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        for _ in 0..200 {
            if server
                .client
                .get(format!("{}/healthz", server.url))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server {days} days ahead did not start");
    }

    async fn token(&self, email: &str) -> String {
        let body: Value = self
            .client
            .post(format!("{}/api/v1/auth/login", self.url))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    async fn step(&self, token: &str, id: i64, step: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/capas/{id}/steps/{step}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn send(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

async fn step(app: &TestApp, token: &str, id: i64, step: &str, body: Value) -> reqwest::Response {
    app.post_as(token, &format!("/api/v1/capas/{id}/steps/{step}"), body)
        .await
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A fresh major finding on a submitted demo audit of the site: (audit id, finding id).
async fn fresh_finding(app: &TestApp, site: &str) -> (i64, i64) {
    let audit: i64 = sqlx::query_scalar(
        "select min(a.id) from audits a join sites s on s.id = a.site_id
          where s.code = $1 and a.state = 'submitted'",
    )
    .bind(site)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let qo = app.token_for(QO).await;
    let finding = json_of(
        app.post_as(
            &qo,
            &format!("/api/v1/audits/{audit}/findings"),
            json!({ "severity": "major", "clause": "5.3.1", "description": "Temperature log of the reagent fridge has gaps of up to four days.",
                    "evidence": "Log sheets for October sampled." }),
        )
        .await,
        201,
    )
    .await;
    (audit, finding["id"].as_i64().unwrap())
}

fn days_between(from: &str, to: &str) -> i64 {
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    (parse(to) - parse(from)).num_days()
}

async fn a_finding_is_taken_to_a_signed_verified_closure(app: TestApp) {
    let (audit, finding) = fresh_finding(&app, "KEN-NBO").await;
    let lead = app.token_for(LEAD).await;
    let qo = app.token_for(QO).await;
    let rm = app.token_for(RM).await;

    // One click: only the finding is sent; the rest is prefilled.
    let capa = json_of(
        app.post_as(&lead, "/api/v1/capas", json!({ "finding_id": finding }))
            .await,
        201,
    )
    .await;
    let id = capa["summary"]["id"].as_i64().unwrap();
    let number = capa["summary"]["number"].as_str().unwrap().to_string();
    assert!(
        number.starts_with("CAPA-20") && number.len() == "CAPA-2026-0042".len(),
        "{number}"
    );
    assert_eq!(capa["summary"]["state"], "open");
    assert_eq!(capa["summary"]["source"], "audit_finding");
    assert_eq!(capa["summary"]["severity"], "major");
    assert_eq!(
        capa["summary"]["owner"]["id"],
        app.user_id(LEAD).await,
        "the site lead owns it"
    );
    let opened = capa["summary"]["opened_on"].as_str().unwrap().to_string();
    assert_eq!(
        days_between(&opened, capa["summary"]["due_date"].as_str().unwrap()),
        60,
        "major: 60 days"
    );
    assert_eq!(capa["finding"]["clause"], "5.3.1");
    assert!(capa["description"]
        .as_str()
        .unwrap()
        .contains("Temperature log"));
    let again = json_of(
        app.post_as(&qo, "/api/v1/capas", json!({ "finding_id": finding }))
            .await,
        409,
    )
    .await;
    assert!(again["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&number));
    let seen = json_of(
        app.get_as(&lead, &format!("/api/v1/audits/{audit}")).await,
        200,
    )
    .await;
    let shown = seen["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == finding)
        .unwrap()
        .clone();
    assert_eq!(
        shown["capa"]["number"],
        number.as_str(),
        "the finding shows its CAPA"
    );
    assert_eq!(shown["capa"]["state"], "open");

    // Closing now is refused with the state and what is possible.
    let early = json_of(
        step(&app, &qo, id, "close", json!({ "password": PASSWORD })).await,
        409,
    )
    .await;
    let message = early["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'open'") && message.contains("contain"),
        "{message}"
    );

    json_of(
        step(
            &app,
            &lead,
            id,
            "contain",
            json!({ "containment": "short" }),
        )
        .await,
        422,
    )
    .await;
    json_of(step(&app, &lead, id, "contain", json!({ "containment": "Reagents of the affected lots quarantined; fridge moved to the monitored room." })).await, 200).await;
    let bad = json_of(step(&app, &lead, id, "root_cause", json!({ "root_cause": {
        "method": "five_whys", "whys": ["The log has gaps."], "root_cause": "Nobody is named for weekends." } })).await, 422).await;
    assert!(bad["error"]["fields"]["whys"].is_string());
    let five_whys = json!({ "root_cause": {
        "method": "five_whys",
        "whys": ["The log has gaps.", "Readings are not taken at weekends.", "Nobody is rostered at weekends.", "The procedure does not name a deputy."],
        "root_cause": "The temperature procedure names no deputy for weekends." } });
    let capa = json_of(
        step(&app, &lead, id, "root_cause", five_whys.clone()).await,
        200,
    )
    .await;
    assert_eq!(capa["root_cause"]["whys"].as_array().unwrap().len(), 4);

    let none = json_of(step(&app, &lead, id, "submit_plan", json!({})).await, 422).await;
    assert!(
        none["error"]["fields"]["actions"].is_string(),
        "a plan needs actions"
    );
    let due = capa["summary"]["due_date"].as_str().unwrap().to_string();
    let far = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap() + chrono::Days::new(20);
    let late = json!({ "description": "Install a data logger with alarms", "due_date": far.format("%Y-%m-%d").to_string() });
    let refused = json_of(
        app.post_as(&lead, &format!("/api/v1/capas/{id}/actions"), late)
            .await,
        422,
    )
    .await;
    assert!(
        refused["error"]["fields"]["justification"].is_string(),
        "{refused}"
    );
    let justified = json!({ "description": "Install a data logger with alarms", "due_date": far.format("%Y-%m-%d").to_string(),
                            "justification": "The supplier delivers loggers only quarterly." });
    let logger = json_of(
        app.post_as(&lead, &format!("/api/v1/capas/{id}/actions"), justified)
            .await,
        201,
    )
    .await;
    let roster = json_of(
        app.post_as(
            &lead,
            &format!("/api/v1/capas/{id}/actions"),
            json!({ "description": "Name a weekend deputy in the procedure" }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        roster["due_date"],
        due.as_str(),
        "an action defaults to the CAPA's due date"
    );
    json_of(step(&app, &lead, id, "submit_plan", json!({})).await, 200).await;

    // The owner cannot approve their own plan; a site lead cannot approve at all.
    json_of(
        patch(
            &app,
            &lead,
            &format!("/api/v1/capas/{id}"),
            json!({ "owner_id": app.user_id(QO).await }),
        )
        .await,
        200,
    )
    .await;
    let own = json_of(step(&app, &qo, id, "approve_plan", json!({})).await, 403).await;
    assert!(
        own["error"]["message"].as_str().unwrap().contains("own"),
        "{own}"
    );
    json_of(step(&app, &lead, id, "approve_plan", json!({})).await, 403).await;
    let approved = json_of(step(&app, &rm, id, "approve_plan", json!({})).await, 200).await;
    assert_eq!(approved["plan_approved_by"]["id"], app.user_id(RM).await);

    json_of(step(&app, &lead, id, "start", json!({})).await, 200).await;
    let open_actions = json_of(step(&app, &lead, id, "complete", json!({})).await, 422).await;
    assert!(open_actions["error"]["fields"]["actions"]
        .as_str()
        .unwrap()
        .contains("still open"));
    for action in [&logger, &roster] {
        let done = json_of(
            patch(
                &app,
                &lead,
                &format!("/api/v1/capas/{id}/actions/{}", action["id"]),
                json!({ "status": "done" }),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(done["status"], "done");
    }
    let too_soon = json_of(
        step(
            &app,
            &lead,
            id,
            "complete",
            json!({ "effectiveness_due": opened.clone() }),
        )
        .await,
        422,
    )
    .await;
    assert!(too_soon["error"]["fields"]["effectiveness_due"].is_string());
    let capa = json_of(step(&app, &lead, id, "complete", json!({})).await, 200).await;
    assert_eq!(capa["summary"]["state"], "effectiveness_check");
    let implemented = capa["implemented_on"].as_str().unwrap().to_string();
    assert_eq!(
        days_between(&implemented, capa["effectiveness_due"].as_str().unwrap()),
        30
    );
    let wait = json_of(
        step(
            &app,
            &qo,
            id,
            "verify",
            json!({ "verdict": "effective", "evidence": "Logs complete for a week." }),
        )
        .await,
        422,
    )
    .await;
    assert!(wait["error"]["fields"]["verdict"]
        .as_str()
        .unwrap()
        .contains("scheduled"));

    // 31 days later: the check fails and the CAPA reopens at root cause.
    let later = FutureServer::start(&app, 31).await;
    let (qo31, lead31, rm31) = (
        later.token(QO).await,
        later.token(LEAD).await,
        later.token(RM).await,
    );
    let reopened: Value = later.step(&qo31, id, "verify", json!({ "verdict": "ineffective", "evidence": "Two weekend gaps again in the last month." })).await.json().await.unwrap();
    assert_eq!(reopened["summary"]["state"], "root_cause", "{reopened}");
    assert_eq!(reopened["summary"]["reopened"], 1);
    let stale = later.step(&lead31, id, "submit_plan", json!({})).await;
    assert_eq!(stale.status(), 422, "the analysis must be revised first");
    let mut revised = five_whys.clone();
    revised["root_cause"]["root_cause"] =
        json!("The deputy was named but never given access to the fridge room.");
    assert_eq!(
        later
            .step(&lead31, id, "root_cause", revised)
            .await
            .status(),
        200
    );
    let access = later
        .send(
            &lead31,
            reqwest::Method::POST,
            &format!("/api/v1/capas/{id}/actions"),
            json!({ "description": "Give the deputy a key and an alarm phone" }),
        )
        .await;
    assert_eq!(access.status(), 201);
    let access: Value = access.json().await.unwrap();
    assert_eq!(
        later
            .step(&lead31, id, "submit_plan", json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        later
            .step(&rm31, id, "approve_plan", json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        later.step(&lead31, id, "start", json!({})).await.status(),
        200
    );
    let done = later
        .send(
            &lead31,
            reqwest::Method::PATCH,
            &format!("/api/v1/capas/{id}/actions/{}", access["id"]),
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(done.status(), 200);
    assert_eq!(
        later
            .step(&lead31, id, "complete", json!({}))
            .await
            .status(),
        200
    );
    drop(later);

    // 62 days later: effective, then closed with a signature (a wrong password changes nothing).
    let later = FutureServer::start(&app, 62).await;
    let qo62 = later.token(QO).await;
    let unverified = later
        .step(&qo62, id, "close", json!({ "password": PASSWORD }))
        .await;
    assert_eq!(
        unverified.status(),
        422,
        "closing needs an effective check since the reopening"
    );
    assert_eq!(later.step(&qo62, id, "verify", json!({ "verdict": "effective", "evidence": "Four weeks of complete logs, alarms tested." })).await.status(), 200);
    let signatures = app.count("signatures").await;
    let wrong: Value = later
        .step(&qo62, id, "close", json!({ "password": "not my password" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(wrong["error"]["fields"]["password"].is_string(), "{wrong}");
    assert_eq!(
        app.count("signatures").await,
        signatures,
        "nothing half-written"
    );
    let closed: Value = later
        .step(&qo62, id, "close", json!({ "password": PASSWORD }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["summary"]["state"], "closed", "{closed}");
    assert_eq!(closed["closure"]["meaning"], "verified effective");
    assert_eq!(
        closed["summary"]["overdue"], false,
        "a closed CAPA is never overdue"
    );
    let actions: Vec<String> = closed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "capa.create",
        "capa.contain",
        "capa.root_cause",
        "capa.action.add",
        "capa.submit_plan",
        "capa.approve_plan",
        "capa.start",
        "capa.complete",
        "capa.verify",
        "capa.close",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "the timeline has {expected}: {actions:?}"
        );
    }
    assert_eq!(actions.iter().filter(|a| *a == "capa.verify").count(), 2);
    let seen = json_of(
        app.get_as(&lead, &format!("/api/v1/audits/{audit}")).await,
        200,
    )
    .await;
    let shown = seen["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == finding)
        .unwrap()
        .clone();
    assert_eq!(shown["capa"]["state"], "closed");
}

async fn capas_are_seen_and_worked_only_within_scope(app: TestApp) {
    let (_, finding) = fresh_finding(&app, "KEN-NBO").await;
    let lead = app.token_for(LEAD).await;
    let capa = json_of(
        app.post_as(&lead, "/api/v1/capas", json!({ "finding_id": finding }))
            .await,
        201,
    )
    .await;
    let id = capa["summary"]["id"].as_i64().unwrap();
    let kampala = app.token_for("lead.kla@attest.example").await;
    json_of(
        app.get_as(&kampala, &format!("/api/v1/capas/{id}")).await,
        404,
    )
    .await;
    json_of(
        step(
            &app,
            &kampala,
            id,
            "contain",
            json!({ "containment": "Not my site, not my CAPA at all." }),
        )
        .await,
        404,
    )
    .await;
    json_of(
        app.post_as(&kampala, "/api/v1/capas", json!({ "finding_id": finding }))
            .await,
        404,
    )
    .await;
    let staff = app.token_for("staff.nbo@attest.example").await;
    json_of(
        app.get_as(&staff, &format!("/api/v1/capas/{id}")).await,
        404,
    )
    .await;
    let list = json_of(app.get_as(&staff, "/api/v1/capas").await, 200).await;
    assert_eq!(list["total"], 0, "staff see no CAPAs");

    // Walk to the plan, then: a manager of another region cannot approve it; the region's can.
    json_of(
        step(
            &app,
            &lead,
            id,
            "contain",
            json!({ "containment": "Quarantined the affected reagent lots." }),
        )
        .await,
        200,
    )
    .await;
    json_of(step(&app, &lead, id, "root_cause", json!({ "root_cause": { "method": "other", "analysis": "Process walk-through with the bench staff on Monday.", "root_cause": "The check is not in anyone's job description." } })).await, 200).await;
    json_of(
        app.post_as(
            &lead,
            &format!("/api/v1/capas/{id}/actions"),
            json!({ "description": "Add the check to the duty roster" }),
        )
        .await,
        201,
    )
    .await;
    json_of(step(&app, &lead, id, "submit_plan", json!({})).await, 200).await;
    let asia = app.token_for("rm.ap@attest.example").await;
    json_of(step(&app, &asia, id, "approve_plan", json!({})).await, 404).await;
    let region = app.token_for(RM).await;
    json_of(
        step(
            &app,
            &region,
            id,
            "contain",
            json!({ "containment": "Managers oversee; the site does the work." }),
        )
        .await,
        403,
    )
    .await;
    json_of(
        step(&app, &region, id, "approve_plan", json!({})).await,
        200,
    )
    .await;

    // Lists are scoped too: Kampala's lead sees only Kampala.
    let theirs = json_of(
        app.get_as(&kampala, "/api/v1/capas?state=all&per_page=100")
            .await,
        200,
    )
    .await;
    assert!(theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["site_code"] == "UGA-KLA"));
    let mine = json_of(
        app.get_as(&lead, "/api/v1/capas?mine=true&state=all&per_page=100")
            .await,
        200,
    )
    .await;
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == id));
}

async fn lists_filter_by_state_overdue_and_age_and_export_csv(app: TestApp) {
    let qo = app.token_for(QO).await;
    let mut all = Vec::new();
    for page in 1.. {
        let body = json_of(
            app.get_as(
                &qo,
                &format!("/api/v1/capas?state=all&per_page=100&page={page}"),
            )
            .await,
            200,
        )
        .await;
        let items = body["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        all.extend(items);
    }
    assert!(
        all.len() > 100,
        "the demo has CAPAs across the network: {}",
        all.len()
    );
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
    ] {
        assert!(
            all.iter().any(|c| c["state"] == state),
            "a demo CAPA is {state}"
        );
    }
    assert!(
        all.iter().any(|c| c["reopened"].as_i64().unwrap() > 0),
        "some were reopened"
    );
    let overdue_expected = all.iter().filter(|c| c["overdue"] == true).count();
    assert!(overdue_expected > 0, "some demo CAPAs are overdue");
    let overdue = json_of(
        app.get_as(&qo, "/api/v1/capas?state=all&overdue=true&per_page=100")
            .await,
        200,
    )
    .await;
    assert_eq!(
        overdue["total"].as_u64().unwrap() as usize,
        overdue_expected,
        "the filter agrees with each row's own figure"
    );
    for c in overdue["items"].as_array().unwrap() {
        assert_eq!(c["overdue"], true);
        assert!(c["days_overdue"].as_i64().unwrap() >= 1);
    }
    for bucket in ["0-30", "31-60", "61-90", "over-90"] {
        let expected = all
            .iter()
            .filter(|c| {
                c["age_bucket"] == bucket
                    && !["closed", "rejected", "cancelled"].contains(&c["state"].as_str().unwrap())
            })
            .count();
        let body = json_of(
            app.get_as(&qo, &format!("/api/v1/capas?age={bucket}&per_page=100"))
                .await,
            200,
        )
        .await;
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            expected,
            "age {bucket}"
        );
    }
    let critical = json_of(
        app.get_as(
            &qo,
            "/api/v1/capas?state=all&severity=critical&sort=-opened&per_page=100",
        )
        .await,
        200,
    )
    .await;
    let items = critical["items"].as_array().unwrap();
    assert!(items.iter().all(|c| c["severity"] == "critical"));
    assert!(
        items
            .windows(2)
            .all(|w| w[0]["opened_on"].as_str() >= w[1]["opened_on"].as_str()),
        "sorted newest first"
    );
    let csv = app
        .get_as(&qo, "/api/v1/capas/export.csv?state=all&overdue=true")
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("number,site,title,source,severity,state,owner,opened_on,due_date,age_days,age_bucket,overdue"));
    assert_eq!(lines.count(), overdue_expected, "one row per CAPA");
    json_of(app.get_as(&qo, "/api/v1/capas?age=forever").await, 422).await;
}

async fn bad_input_is_refused_and_nothing_is_half_written(app: TestApp) {
    let lead = app.token_for(LEAD).await;
    let before = app.count("capas").await;
    let trail = app.count("audit_trail").await;
    let observation = json_of(app.post_as(&lead, "/api/v1/capas", json!({ "site": "KEN-NBO", "title": "A thing", "source": "incident", "severity": "observation" })).await, 422).await;
    assert!(observation["error"]["fields"]["severity"].is_string());
    json_of(app.post_as(&lead, "/api/v1/capas", json!({ "site": "KEN-NBO", "title": "A thing", "source": "incident", "severity": "major", "due_date": "2020-01-01" })).await, 422).await;
    json_of(app.post_as(&lead, "/api/v1/capas", json!({ "site": "KEN-NBO", "title": "A thing", "source": "audit_finding", "severity": "major" })).await, 422).await;
    json_of(app.post_as(&lead, "/api/v1/capas", json!({ "site": "UGA-KLA", "title": "Not mine", "source": "incident", "severity": "major" })).await, 403).await;
    assert_eq!(app.count("capas").await, before);
    assert_eq!(app.count("audit_trail").await, trail);

    // An admin changes the default for critical; a hand-raised critical CAPA follows it.
    let admin = app.token_for("admin@attest.example").await;
    json_of(
        app.put_as(
            &admin,
            "/api/v1/capas/settings",
            json!({ "critical": 0, "major": 60, "minor": 90 }),
        )
        .await,
        422,
    )
    .await;
    json_of(
        app.put_as(
            &lead,
            "/api/v1/capas/settings",
            json!({ "critical": 10, "major": 60, "minor": 90 }),
        )
        .await,
        403,
    )
    .await;
    json_of(
        app.put_as(
            &admin,
            "/api/v1/capas/settings",
            json!({ "critical": 14, "major": 60, "minor": 90 }),
        )
        .await,
        200,
    )
    .await;
    let capa = json_of(app.post_as(&lead, "/api/v1/capas", json!({ "site": "KEN-NBO", "title": "Needle-stick injury in phlebotomy", "source": "incident", "source_ref": "INC-2026-117", "severity": "critical" })).await, 201).await;
    assert_eq!(
        days_between(
            capa["summary"]["opened_on"].as_str().unwrap(),
            capa["summary"]["due_date"].as_str().unwrap()
        ),
        14
    );
    let id = capa["summary"]["id"].as_i64().unwrap();
    let unknown = json_of(step(&app, &lead, id, "finish", json!({})).await, 404).await;
    assert!(unknown["error"]["message"]
        .as_str()
        .unwrap()
        .contains("submit_plan"));
    let illegal = json_of(
        app.post_empty_as(&lead, &format!("/api/v1/capas/{id}/steps/start"))
            .await,
        409,
    )
    .await;
    assert!(
        illegal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Possible now: contain"),
        "{illegal}"
    );
    json_of(
        step(&app, &lead, id, "cancel", json!({ "reason": "no" })).await,
        403,
    )
    .await;
    let qo = app.token_for(QO).await;
    json_of(
        step(&app, &qo, id, "cancel", json!({ "reason": "no" })).await,
        422,
    )
    .await;
    let cancelled = json_of(
        step(
            &app,
            &qo,
            id,
            "cancel",
            json!({ "reason": "Raised twice by mistake." }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["end_reason"], "Raised twice by mistake.");
    json_of(
        app.post_as(
            &lead,
            &format!("/api/v1/capas/{id}/actions"),
            json!({ "description": "Too late for this" }),
        )
        .await,
        409,
    )
    .await;
    let comment = json_of(
        app.post_as(
            &lead,
            &format!("/api/v1/capas/{id}/comments"),
            json!({ "body": "Duplicate of the other one." }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(comment["body"], "Duplicate of the other one.");
}
