//! Scheduled jobs: what they flag, that running again repeats no notification, exactly one run
//! per occurrence across instances, catching up after downtime, closing the runs a stopped
//! server left running, e-mail through a real SMTP
//! conversation, and the notification list behind the bell.

use std::collections::BTreeMap;

use chrono::{Duration, Timelike, Utc};
use serde_json::{json, Value};
use server::config::DatabaseUrl;

use crate::helpers::{
    job_settings, json_of, on_both_databases, smtp_to, spawn_app_with, Engine, TestApp,
};
use crate::smtp_sink::SmtpSink;

on_both_databases!(
    catching_up_after_downtime_runs_the_latest_missed_occurrence_once,
    a_run_left_running_by_a_stopped_server_is_marked_failed_at_the_next_start;
    seeded:
    sop_review_due_flags_what_the_register_shows_and_notifies_once,
    jobs_are_for_administrators_and_unknown_names_are_listed,
    the_bell_lists_notifications_and_marks_them_read,
    pt_deadlines_warn_the_site_lead_then_report_a_miss_to_the_manager,
    notifications_reach_the_smtp_server_once_with_their_links,
    an_unreachable_smtp_server_is_retried_and_the_job_still_succeeds,
);

async fn run_job(app: &TestApp, token: &str, name: &str) -> Value {
    json_of(
        app.post_empty_as(token, &format!("/api/v1/jobs/{name}/run"))
            .await,
        201,
    )
    .await
}

/// Document codes the register (as an administrator sees it) shows as overdue or due soon.
async fn register_due(app: &TestApp, token: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for review in ["overdue", "due_soon"] {
        let page = json_of(
            app.get_as(
                token,
                &format!("/api/v1/documents?review={review}&per_page=100"),
            )
            .await,
            200,
        )
        .await;
        assert!(
            page["total"].as_i64().unwrap() <= 100,
            "one page holds them"
        );
        for item in page["items"].as_array().unwrap() {
            codes.push(item["code"].as_str().unwrap().to_string());
        }
    }
    codes.sort();
    codes
}

async fn sop_review_due_flags_what_the_register_shows_and_notifies_once(app: TestApp) {
    let admin = app.token_for("admin@attest.example").await;
    let due = register_due(&app, &admin).await;
    assert!(due.len() >= 3, "the demo has reviews due: {due:?}");

    let first = run_job(&app, &admin, "sop-review-due").await;
    assert_eq!(first["outcome"], "succeeded", "{first}");
    assert_eq!(first["trigger"], "manual");
    assert_eq!(
        first["flagged"].as_i64().unwrap(),
        due.len() as i64,
        "{first}"
    );
    // One owner per document: one notification each.
    assert_eq!(first["notified"].as_i64().unwrap(), due.len() as i64);
    let mut flagged: Vec<String> = first["summary"]
        .as_str()
        .unwrap()
        .lines()
        .map(|line| line.split(' ').next().unwrap().to_string())
        .collect();
    flagged.sort();
    assert_eq!(
        flagged, due,
        "exactly the documents the register shows as due"
    );

    let second = run_job(&app, &admin, "sop-review-due").await;
    assert_eq!(second["flagged"], first["flagged"]);
    assert_eq!(
        second["notified"], 0,
        "nothing new the second time: {second}"
    );
    assert_eq!(
        scalar(
            &app,
            "select count(*) from notifications where key like 'sop-review:%'"
        )
        .await,
        due.len() as i64
    );
    assert_eq!(
        scalar(
            &app,
            "select count(*) from job_runs where job = 'sop-review-due'"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &app,
            "select count(*) from audit_trail where action = 'job.run'"
        )
        .await,
        2,
        "each run is in the audit trail"
    );

    // The owner finds each in their list, linked to the document.
    let (owner, id): (String, i64) = sqlx::query_as(
        "select u.email, d.id from documents d join users u on u.id = d.owner_id where d.code = $1",
    )
    .bind(&due[0])
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let token = app.token_for(&owner).await;
    let list = json_of(app.get_as(&token, "/api/v1/notifications").await, 200).await;
    assert!(list["unread"].as_i64().unwrap() >= 1, "{list}");
    assert_eq!(list["email_enabled"], false);
    let items = list["page"]["items"].as_array().unwrap();
    let note = items
        .iter()
        .find(|n| n["title"].as_str().unwrap().contains(&due[0]))
        .unwrap_or_else(|| panic!("{} in {list}", due[0]));
    assert_eq!(note["link"], format!("/documents/{id}"));
    assert!(note["read_at"].is_null());
}

async fn jobs_are_for_administrators_and_unknown_names_are_listed(app: TestApp) {
    let admin = app.token_for("admin@attest.example").await;
    let overview = json_of(app.get_as(&admin, "/api/v1/jobs").await, 200).await;
    let names: Vec<&str> = overview["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "sop-review-due",
            "ack-overdue",
            "capa-overdue",
            "pt-deadline",
            "radiology-qc-quota",
            "audit-report-late",
            "monthly-compliance-report",
            "email-digest"
        ]
    );
    let sop = &overview["jobs"][0];
    assert_eq!(sop["schedule"], "0 6 * * *");
    assert_eq!(sop["time_zone"], "UTC");
    assert!(
        sop["next_run"].as_str().unwrap().ends_with("T06:00:00Z"),
        "{sop}"
    );
    assert!(sop["last_run"].is_null());
    assert_eq!(overview["email_enabled"], false);

    let unknown = json_of(
        app.post_empty_as(&admin, "/api/v1/jobs/sop-reviews/run")
            .await,
        404,
    )
    .await;
    let message = unknown["error"]["message"].as_str().unwrap();
    assert!(message.contains("sop-reviews"), "{message}");
    assert!(message.contains("monthly-compliance-report"), "{message}");

    for email in [
        "qo@attest.example",
        "rm.eha@attest.example",
        "lead.nbo@attest.example",
    ] {
        let token = app.token_for(email).await;
        json_of(app.get_as(&token, "/api/v1/jobs").await, 403).await;
        json_of(
            app.post_empty_as(&token, "/api/v1/jobs/sop-review-due/run")
                .await,
            403,
        )
        .await;
    }
    assert_eq!(scalar(&app, "select count(*) from job_runs").await, 0);

    // Each check flags something in the demo and records it; the runs page shows them.
    for job in [
        "ack-overdue",
        "capa-overdue",
        "radiology-qc-quota",
        "audit-report-late",
    ] {
        let run = run_job(&app, &admin, job).await;
        assert_eq!(run["outcome"], "succeeded", "{run}");
        assert!(run["flagged"].as_i64().unwrap() > 0, "{job}: {run}");
    }
    let runs = json_of(
        app.get_as(&admin, "/api/v1/jobs?job=capa-overdue").await,
        200,
    )
    .await;
    assert_eq!(runs["runs"]["total"], 1, "{runs}");
    assert_eq!(runs["runs"]["items"][0]["job"], "capa-overdue");
}

async fn the_bell_lists_notifications_and_marks_them_read(app: TestApp) {
    let admin = app.token_for("admin@attest.example").await;
    run_job(&app, &admin, "capa-overdue").await;
    let manager = app.token_for("rm.eha@attest.example").await;
    let list = json_of(
        app.get_as(&manager, "/api/v1/notifications?unread=true&per_page=5")
            .await,
        200,
    )
    .await;
    let unread = list["unread"].as_i64().unwrap();
    assert!(
        unread >= 2,
        "escalations reach the regional manager: {list}"
    );
    assert_eq!(list["page"]["total"].as_i64().unwrap(), unread);
    assert_eq!(
        list["page"]["items"].as_array().unwrap().len(),
        5.min(unread) as usize
    );
    let first = &list["page"]["items"][0];
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .starts_with("Escalated: CAPA-"),
        "{first}"
    );
    assert!(first["link"].as_str().unwrap().starts_with("/capas/"));

    let id = first["id"].as_i64().unwrap();
    let read = json_of(
        app.post_empty_as(&manager, &format!("/api/v1/notifications/{id}/read"))
            .await,
        200,
    )
    .await;
    assert!(read["read_at"].is_string());
    let after = json_of(app.get_as(&manager, "/api/v1/notifications").await, 200).await;
    assert_eq!(after["unread"].as_i64().unwrap(), unread - 1);

    // Someone else's notification is not found.
    let lead = app.token_for("lead.nbo@attest.example").await;
    json_of(
        app.post_empty_as(&lead, &format!("/api/v1/notifications/{id}/read"))
            .await,
        404,
    )
    .await;

    let all = json_of(
        app.post_empty_as(&manager, "/api/v1/notifications/read-all")
            .await,
        200,
    )
    .await;
    assert_eq!(all["marked_read"].as_i64().unwrap(), unread - 1);
    let after = json_of(app.get_as(&manager, "/api/v1/notifications").await, 200).await;
    assert_eq!(after["unread"], 0);

    let bad = json_of(
        app.put_as(
            &manager,
            "/api/v1/notifications/email-preference",
            json!({"email_preference": "hourly"}),
        )
        .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("email_preference"), "{bad}");
    let set = json_of(
        app.put_as(
            &manager,
            "/api/v1/notifications/email-preference",
            json!({"email_preference": "daily"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(set["email_preference"], "daily");
    let after = json_of(app.get_as(&manager, "/api/v1/notifications").await, 200).await;
    assert_eq!(after["email_preference"], "daily");
    for action in [
        "notification.read",
        "notification.read_all",
        "user.email_preference",
    ] {
        assert_eq!(
            scalar(
                &app,
                &format!("select count(*) from audit_trail where action = '{action}'")
            )
            .await,
            1,
            "{action}"
        );
    }
}

async fn pt_deadlines_warn_the_site_lead_then_report_a_miss_to_the_manager(app: TestApp) {
    let qo = app.token_for("qo@attest.example").await;
    json_of(
        app.post_as(&qo, "/api/v1/pt/schemes", json!({ "code": "JOB-HIV", "name": "Job test HIV",
            "provider": "Test", "discipline": "hiv", "result_type": "qualitative", "events_per_year": 3,
            "sites": ["KEN-NBO", "UGA-KLA"] }))
            .await,
        201,
    )
    .await;
    // Nairobi's calendar decides: a deadline five days ahead, and one two days past.
    let today = Utc::now()
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .date_naive();
    let mut events = Vec::new();
    for (code, days) in [("SOON", 5), ("PAST", -2)] {
        let deadline = today + Duration::days(days);
        let created = json_of(
            app.post_as(&qo, "/api/v1/pt/events", json!({ "scheme": "JOB-HIV", "code": code,
                "dispatch_date": (deadline - Duration::days(30)).to_string(), "deadline": deadline.to_string(),
                "challenges": [{ "code": "S1", "analyte": "HIV", "expected": "reactive" }] }))
                .await,
            201,
        )
        .await;
        events.push(created["summary"]["id"].as_i64().unwrap());
    }
    // Kampala entered its results for the coming round: only Nairobi is reminded of it.
    let lead_kla = app.token_for("lead.kla@attest.example").await;
    let challenge: i64 = sqlx::query_scalar("select id from pt_challenges where event_id = $1")
        .bind(events[0])
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    json_of(
        app.post_as(&lead_kla, &format!("/api/v1/pt/events/{}/results", events[0]),
            json!({ "site": "UGA-KLA", "results": [{ "challenge_id": challenge, "value": "reactive" }] }))
            .await,
        201,
    )
    .await;

    let admin = app.token_for("admin@attest.example").await;
    let run = run_job(&app, &admin, "pt-deadline").await;
    let summary = run["summary"].as_str().unwrap();
    assert!(
        summary.contains("JOB-HIV SOON (Job test HIV) at KEN-NBO: results due in 5 days"),
        "{summary}"
    );
    assert!(
        !summary.contains("SOON (Job test HIV) at UGA-KLA"),
        "Kampala has entered: {summary}"
    );
    assert!(
        summary.contains("JOB-HIV PAST (Job test HIV) at KEN-NBO: deadline"),
        "{summary}"
    );
    assert!(
        summary.contains("JOB-HIV PAST (Job test HIV) at UGA-KLA: deadline"),
        "{summary}"
    );

    let titles = |email: &'static str| {
        let app = &app;
        async move {
            let token = app.token_for(email).await;
            let list = json_of(
                app.get_as(&token, "/api/v1/notifications?per_page=100")
                    .await,
                200,
            )
            .await;
            list["page"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_string())
                .filter(|t| t.contains("JOB-HIV"))
                .collect::<Vec<_>>()
        }
    };
    let nbo = titles("lead.nbo@attest.example").await;
    assert!(
        nbo.contains(&"PT results due in 5 days: JOB-HIV SOON (Job test HIV)".to_string()),
        "{nbo:?}"
    );
    assert!(
        nbo.contains(&"PT results missed: JOB-HIV PAST (Job test HIV) at KEN-NBO".to_string()),
        "{nbo:?}"
    );
    let kla = titles("lead.kla@attest.example").await;
    assert_eq!(
        kla,
        ["PT results missed: JOB-HIV PAST (Job test HIV) at UGA-KLA"]
    );
    // A missed deadline also reaches the regional manager; a coming one does not.
    let manager = titles("rm.eha@attest.example").await;
    assert_eq!(manager.len(), 2, "{manager:?}");
    assert!(
        manager.iter().all(|t| t.starts_with("PT results missed")),
        "{manager:?}"
    );

    let again = run_job(&app, &admin, "pt-deadline").await;
    assert_eq!(again["flagged"], run["flagged"]);
    assert_eq!(again["notified"], 0);
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Polls (every 100 ms, up to 30 s) until the count `sql` satisfies `done`; returns the last
/// value.
async fn poll_count(app: &TestApp, sql: &str, done: impl Fn(i64) -> bool) -> i64 {
    let mut value = scalar(app, sql).await;
    for _ in 0..300 {
        if done(value) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        value = scalar(app, sql).await;
    }
    value
}

async fn count_reaches(app: &TestApp, sql: &str, at_least: i64) -> i64 {
    poll_count(app, sql, |n| n >= at_least).await
}

async fn catching_up_after_downtime_runs_the_latest_missed_occurrence_once(app: TestApp) {
    // The job last ran on schedule three days ago; the server was down since.
    let now = Utc::now();
    let six = |days: i64| {
        (now - Duration::days(days))
            .with_hour(6)
            .and_then(|t| t.with_minute(0))
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap()
    };
    let last = six(3);
    let expected = if now >= six(0) { six(0) } else { six(1) };
    sqlx::query(
        "insert into job_runs (job, scheduled_for, trigger, instance, started_at, finished_at, outcome)
         values ('sop-review-due', $1, 'schedule', 'before the downtime', $2, $2, 'succeeded')",
    )
    .bind(last.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    .bind(last.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    .execute(app.db.pool())
    .await
    .unwrap();

    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    let engine = engine_of(&app);
    let restarted = spawn_app_with(engine, {
        let url = url.clone();
        move |config| config.database_url = url
    })
    .await;
    let caught_up = "select count(*) from job_runs where trigger = 'catch_up'";
    assert_eq!(count_reaches(&restarted, caught_up, 1).await, 1);
    let (job, scheduled_for): (String, String) =
        sqlx::query_as("select job, scheduled_for from job_runs where trigger = 'catch_up'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        job, "sop-review-due",
        "jobs that never ran have nothing to catch up"
    );
    assert_eq!(
        scheduled_for,
        expected.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "the latest missed occurrence, not one per missed day"
    );

    // Starting again (or a second instance) finds nothing missed.
    let again = spawn_app_with(engine, move |config| config.database_url = url).await;
    assert_eq!(again.get("/healthz").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(scalar(&app, caught_up).await, 1);
    assert_eq!(scalar(&app, "select count(*) from job_runs").await, 2);
}

async fn a_run_left_running_by_a_stopped_server_is_marked_failed_at_the_next_start(app: TestApp) {
    // One run began two days ago on a server that then died; another began five minutes ago
    // on an instance that may still be working on it.
    let at = |minutes: i64| {
        (Utc::now() - Duration::minutes(minutes)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let mut ids = Vec::new();
    for (job, started) in [("ack-overdue", at(2 * 24 * 60)), ("capa-overdue", at(5))] {
        let id: i64 = sqlx::query_scalar(
            "insert into job_runs (job, scheduled_for, trigger, instance, started_at, outcome)
             values ($1, $2, 'manual', 'an earlier server', $2, 'running') returning id",
        )
        .bind(job)
        .bind(&started)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        ids.push(id);
    }

    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    let restarted = spawn_app_with(engine_of(&app), move |config| config.database_url = url).await;
    assert_eq!(restarted.get("/healthz").await.status(), 200);

    let run = |id: i64| {
        sqlx::query_as::<_, (String, Option<String>, Option<String>)>(
            "select outcome, error, finished_at from job_runs where id = $1",
        )
        .bind(id)
        .fetch_one(app.db.pool())
    };
    let (outcome, error, finished) = run(ids[0]).await.unwrap();
    assert_eq!(outcome, "failed");
    assert_eq!(
        error.as_deref(),
        Some("did not finish: the server stopped during the run")
    );
    assert!(finished.is_some());
    let (outcome, error, finished) = run(ids[1]).await.unwrap();
    assert_eq!(
        (outcome.as_str(), error, finished),
        ("running", None, None),
        "a run of five minutes may still be going on elsewhere"
    );
    let trail: Vec<(String, String)> =
        sqlx::query_as("select entity_id, action from audit_trail where action = 'job.abandoned'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        trail,
        vec![("ack-overdue".to_string(), "job.abandoned".to_string())]
    );
}

fn engine_of(app: &TestApp) -> Engine {
    if app.database_url.starts_with("postgres") {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

/// Every job off but one that runs each second, so that two instances race for every
/// occurrence.
fn racing_settings() -> server::jobs::settings::JobSettings {
    job_settings(&[
        ("ATTEST_JOB_SOP_REVIEW_DUE", "* * * * * *"),
        ("ATTEST_JOB_ACK_OVERDUE", ""),
        ("ATTEST_JOB_CAPA_OVERDUE", ""),
        ("ATTEST_JOB_PT_DEADLINE", ""),
        ("ATTEST_JOB_RADIOLOGY_QC_QUOTA", ""),
        ("ATTEST_JOB_AUDIT_REPORT_LATE", ""),
        ("ATTEST_JOB_MONTHLY_COMPLIANCE_REPORT", ""),
        ("ATTEST_JOB_EMAIL_DIGEST", ""),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_database_run_each_occurrence_once() {
    let first = spawn_app_with(Engine::Postgres, |config| config.jobs = racing_settings()).await;
    let url = DatabaseUrl::parse(&first.database_url).unwrap();
    let second = spawn_app_with(Engine::Postgres, move |config| {
        config.database_url = url;
        config.jobs = racing_settings();
    })
    .await;
    let runs = "select count(*) from job_runs where outcome = 'succeeded'";
    assert!(count_reaches(&first, runs, 6).await >= 6);
    let url = DatabaseUrl::parse(&first.database_url).unwrap();
    drop(second);
    drop(first);
    // The servers closed their pools on the way out.
    let db = server::db::Db::connect(&url).await.unwrap();
    let per_occurrence: Vec<(String, i64)> = sqlx::query_as(
        "select scheduled_for, count(*) from job_runs group by scheduled_for order by scheduled_for",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert!(per_occurrence.len() >= 6);
    for (occurrence, count) in &per_occurrence {
        assert_eq!(*count, 1, "{occurrence} ran {count} times");
    }
    // Every finished run did its work once: one trail entry each, no notification twice.
    let finished: i64 =
        sqlx::query_scalar("select count(*) from job_runs where outcome <> 'running'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let trail: i64 =
        sqlx::query_scalar("select count(*) from audit_trail where action = 'job.run'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(trail, finished);
    let instances: Vec<String> = sqlx::query_scalar("select distinct instance from job_runs")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert!(
        !instances.is_empty() && instances.len() <= 2,
        "{instances:?}"
    );
}

async fn notifications_reach_the_smtp_server_once_with_their_links(app: TestApp) {
    // The seeded app has no SMTP; start the same database with SMTP pointing at a sink.
    let sink = SmtpSink::start().await;
    let mailer = with_smtp(&app, sink.port).await;
    let admin = mailer.token_for("admin@attest.example").await;
    // The demo's own notifications (PT escalations) go out first.
    let immediate_pending = "select count(*) from notifications n join users u on u.id = n.user_id
          where u.email_notifications = 'immediate' and n.email_status = 'pending'";
    wait_until_zero(&app, immediate_pending).await;
    let before = sink.messages().len();
    let run = run_job(&mailer, &admin, "sop-review-due").await;
    let notified = run["notified"].as_i64().unwrap() as usize;
    assert!(notified >= 3, "{run}");

    let messages = sink.wait_for(before + notified).await[before..].to_vec();
    assert_eq!(messages.len(), notified);
    let expected: Vec<(String, i64)> = sqlx::query_as(
        "select u.email, d.id from notifications n join users u on u.id = n.user_id
           join documents d on n.key like 'sop-review:' || cast(d.id as text) || ':%'
          where n.key like 'sop-review:%' order by u.email, d.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for message in &messages {
        assert_eq!(message.from, "attest@attest.example");
        assert_eq!(message.to.len(), 1);
        *received.entry(message.to[0].clone()).or_default() += 1;
        assert!(message.data.contains("Subject: SOP "), "{}", message.data);
    }
    let mut wanted: BTreeMap<String, usize> = BTreeMap::new();
    for (email, id) in &expected {
        *wanted.entry(email.clone()).or_default() += 1;
        assert!(
            messages.iter().any(|m| m.to[0] == *email
                && m.data
                    .contains(&format!("https://attest.test/documents/{id}"))),
            "a message to {email} links document {id}"
        );
    }
    assert_eq!(
        received, wanted,
        "one e-mail per notification, to its owner"
    );
    assert_eq!(
        scalar(&app, "select count(*) from notifications where key like 'sop-review:%' and email_status = 'sent'").await,
        notified as i64
    );

    // Running again stores nothing new, so nothing more is sent.
    let again = run_job(&mailer, &admin, "sop-review-due").await;
    assert_eq!(again["notified"], 0);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), before + notified);

    // A daily-digest reader gets nothing at once, then one e-mail listing everything.
    let manager = mailer.token_for("rm.eha@attest.example").await;
    json_of(
        mailer
            .put_as(
                &manager,
                "/api/v1/notifications/email-preference",
                json!({"email_preference": "daily"}),
            )
            .await,
        200,
    )
    .await;
    run_job(&mailer, &admin, "capa-overdue").await;
    let escalations = scalar(
        &app,
        "select count(*) from notifications n join users u on u.id = n.user_id
          where u.email = 'rm.eha@attest.example' and n.key like 'capa-escalated:%'",
    )
    .await;
    assert!(escalations >= 2, "the demo has escalations in EHA");
    wait_until_zero(&app, immediate_pending).await;
    let to_manager = |messages: &[crate::smtp_sink::Received]| {
        messages
            .iter()
            .filter(|m| m.to[0] == "rm.eha@attest.example")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(
        to_manager(&sink.messages()[before..]).is_empty(),
        "no immediate e-mail for a digest reader"
    );
    let before = sink.messages().len();
    let digest = run_job(&mailer, &admin, "email-digest").await;
    assert_eq!(digest["outcome"], "succeeded");
    let messages = sink.wait_for(before + 1).await;
    let digests = to_manager(&messages[before..]);
    assert_eq!(digests.len(), 1, "one digest");
    assert!(
        digests[0]
            .data
            .contains(&format!("{escalations} new notifications")),
        "{}",
        digests[0].data
    );
    assert!(digests[0].data.contains("https://attest.test/capas/"));
}

/// Waits until the count `sql` is zero, and asserts it is.
async fn wait_until_zero(app: &TestApp, sql: &str) {
    assert_eq!(poll_count(app, sql, |n| n == 0).await, 0, "{sql}");
}

/// A second server on the seeded app's database, e-mailing through SMTP on `port`.
async fn with_smtp(app: &TestApp, port: u16) -> TestApp {
    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    spawn_app_with(engine_of(app), move |config| {
        config.database_url = url;
        config.smtp = Some(smtp_to(port));
    })
    .await
}

async fn an_unreachable_smtp_server_is_retried_and_the_job_still_succeeds(app: TestApp) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = with_smtp(&app, closed).await;
    let admin = mailer.token_for("admin@attest.example").await;
    let run = run_job(&mailer, &admin, "sop-review-due").await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    assert!(run["notified"].as_i64().unwrap() > 0);
    let tried = "select count(*) from notifications where email_attempts >= 1";
    assert!(count_reaches(&app, tried, 1).await >= 1);
    let (status, error, next_at): (String, Option<String>, Option<String>) = sqlx::query_as(
        "select email_status, email_error, email_next_at from notifications
          where email_attempts >= 1 order by id limit 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(status, "pending", "to be retried");
    assert!(error.is_some_and(|e| !e.is_empty()));
    let next_at = next_at.expect("a next attempt is planned");
    assert!(next_at > Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
}
