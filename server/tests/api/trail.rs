//! The tamper-evident audit trail and electronic signatures, on both databases.

use std::process::Command;

use serde_json::{json, Value};
use server::auth::{Actor, Credential, RequestMeta};
use server::db::Engine;
use server::signatures::{self, Meaning};

use crate::helpers::{on_both_databases, TestApp, DEMO_PASSWORD};

const ADMIN: &str = "admin@attest.example";

on_both_databases!(
    every_change_is_chained_and_the_chain_verifies,
    an_altered_entry_is_reported_by_verify,
    a_removed_entry_is_reported_by_verify,
    the_database_refuses_to_change_or_delete_entries,
    the_trail_can_be_filtered_by_entity_actor_site_and_date,
    ;
    seeded:
    concurrent_changes_keep_one_unbroken_chain,
    a_signature_needs_the_signers_password_and_is_recorded,
);

/// Runs `attest audit-trail verify` against the test's database.
fn verify(app: &TestApp) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(["audit-trail", "verify"])
        .env("ATTEST_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
    )
}

/// Lets the test act as a database owner would: with the append-only trigger out of the way.
async fn bypass_trigger(app: &TestApp, statement: &str) {
    let mut conn = app.db.pool().acquire().await.unwrap();
    match app.db.engine() {
        Engine::Sqlite => {
            for sql in [
                "drop trigger audit_trail_no_update",
                "drop trigger audit_trail_no_delete",
                statement,
            ] {
                sqlx::query(sql).execute(&mut *conn).await.unwrap();
            }
        }
        Engine::Postgres => {
            for sql in [
                "alter table audit_trail disable trigger audit_trail_append_only",
                statement,
            ] {
                sqlx::query(sql).execute(&mut *conn).await.unwrap();
            }
        }
    }
}

async fn make_some_changes(app: &TestApp) {
    app.seed_demo().await;
    let token = app.token_for(ADMIN).await;
    for name in ["one", "two", "three"] {
        let response = app
            .post_as(&token, "/api/v1/me/tokens", json!({ "name": name }))
            .await;
        assert_eq!(response.status(), 201);
    }
}

async fn every_change_is_chained_and_the_chain_verifies(app: TestApp) {
    make_some_changes(&app).await;
    let entries = app.count("audit_trail").await;
    // 11 demo users + the seed itself + a sign-in + three tokens, one entry per demo PT scheme,
    // one per demo CAPA (its timeline starts with how the demo loaded it), and one more for each
    // automatic PT/radiology CAPA the demo took past "open".
    let walked: i64 = sqlx::query_scalar(
        "select count(*) from capas where source in ('pt_result', 'pt_event', 'radiology_qc') and state <> 'open'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(walked > 0);
    // Each demo report issued: its signature and the state change, and a closing for the
    // audits that closed at once.
    let closed: i64 = sqlx::query_scalar("select count(*) from audits where state = 'closed'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        entries,
        16 + app.count("pt_schemes").await
            + app.count("capas").await
            + walked
            + 2 * app.count("issued_reports").await
            + closed
    );
    assert_eq!(verify(&app), (0, format!("ok {entries} entries")));
    let login: (Option<String>, Option<String>) =
        sqlx::query_as("select ip, user_agent from audit_trail where action = 'auth.login'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        login.0.as_deref(),
        Some("127.0.0.1"),
        "the client address is recorded"
    );
}

async fn an_altered_entry_is_reported_by_verify(app: TestApp) {
    make_some_changes(&app).await;
    let target: i64 = sqlx::query_scalar(
        "select id from audit_trail where action = 'token.create' order by id limit 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    bypass_trigger(
        &app,
        &format!(
            "update audit_trail set after_json = '{{\"name\":\"forged\"}}' where id = {target}"
        ),
    )
    .await;
    let (code, output) = verify(&app);
    assert_eq!(code, 1);
    assert!(
        output.starts_with(&format!("broken at entry {target}:")),
        "{output}"
    );
    assert!(output.contains("altered"), "{output}");
}

async fn a_removed_entry_is_reported_by_verify(app: TestApp) {
    make_some_changes(&app).await;
    let ids: Vec<i64> = sqlx::query_scalar("select id from audit_trail order by id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    bypass_trigger(
        &app,
        &format!("delete from audit_trail where id = {}", ids[4]),
    )
    .await;
    let (code, output) = verify(&app);
    assert_eq!(code, 1);
    assert!(
        output.starts_with(&format!("broken at entry {}:", ids[5])),
        "{output}"
    );
}

async fn the_database_refuses_to_change_or_delete_entries(app: TestApp) {
    make_some_changes(&app).await;
    let update = sqlx::query("update audit_trail set actor_email = 'someone@else.example'")
        .execute(app.db.pool())
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("delete from audit_trail")
        .execute(app.db.pool())
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(verify(&app).0, 0);
}

async fn concurrent_changes_keep_one_unbroken_chain(app: TestApp) {
    let emails = [
        "admin@attest.example",
        "qo@attest.example",
        "rm.eha@attest.example",
        "lead.nbo@attest.example",
        "lead.kla@attest.example",
    ];
    let mut tokens = Vec::new();
    for email in emails {
        tokens.push(app.token_for(email).await);
    }
    let app = &app;
    let requests = tokens.iter().flat_map(|token| {
        (0..4).map(move |n| {
            app.client
                .post(app.url("/api/v1/me/tokens"))
                .bearer_auth(token)
                .json(&json!({ "name": format!("parallel {n}") }))
                .send()
        })
    });
    for response in futures_util::future::join_all(requests).await {
        assert_eq!(response.unwrap().status(), 201);
    }
    let (code, output) = verify(app);
    assert_eq!(code, 0, "{output}");
    assert_eq!(app.count("api_tokens").await, 20);
}

async fn the_trail_can_be_filtered_by_entity_actor_site_and_date(app: TestApp) {
    make_some_changes(&app).await;
    let admin = app.token_for(ADMIN).await;
    let get = |query: &str| {
        let path = format!("/api/v1/audit-trail{query}");
        let app = &app;
        let admin = admin.clone();
        async move {
            app.get_as(&admin, &path)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let tokens = get("?entity_type=api_token").await;
    assert_eq!(tokens["total"], 3);
    let by_actor = get("?actor=ADMIN@attest").await;
    assert!(by_actor["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor_email"] == ADMIN));
    let nairobi = get("?site=KEN-NBO&entity_type=user").await;
    assert_eq!(
        nairobi["total"], 2,
        "the Nairobi lead and staff member were created: {nairobi}"
    );
    let future = get("?from=2999-01-01").await;
    assert_eq!(future["total"], 0);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let until_today = get(&format!("?to={today}")).await;
    assert_eq!(
        until_today["total"],
        app.count("audit_trail").await,
        "`to` includes the whole day"
    );
    let paged = get("?per_page=2&page=2").await;
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    let newest_first = get("").await;
    let ids: Vec<i64> = newest_first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
}

async fn a_signature_needs_the_signers_password_and_is_recorded(app: TestApp) {
    let row = server::users::repo::find_by_email(&app.db, "qo@attest.example")
        .await
        .unwrap()
        .unwrap();
    let actor = Actor {
        user: row.current_user(),
        credential: Credential::ApiToken { token_id: 0 },
        meta: RequestMeta::default(),
    };

    let refused = signatures::verify_signer(
        &app.db,
        &actor,
        "not my password".into(),
        &Default::default(),
    )
    .await;
    assert!(
        matches!(refused, Err(server::error::Error::Invalid { ref fields, .. }) if fields[0].field == "password")
    );

    signatures::verify_signer(&app.db, &actor, DEMO_PASSWORD.into(), &Default::default())
        .await
        .unwrap();
    let content = signatures::content_hash(b"LAB-SOP-012 version 3");
    let mut tx = app.db.begin_write().await.unwrap();
    let signature = signatures::record(
        &mut tx,
        &actor,
        Meaning::Approved,
        "document_version",
        "42",
        &content,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(signature.meaning, "approved");
    assert_eq!(signature.signer_email, "qo@attest.example");

    let recorded: (String, String) =
        sqlx::query_as("select meaning, content_sha256 from signatures where id = $1")
            .bind(signature.id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(recorded, ("approved".to_string(), content.clone()));
    let trail: String =
        sqlx::query_scalar("select after_json from audit_trail where action = 'signature.sign' and entity_type = 'document_version'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(trail.contains(&content) && trail.contains("approved"));
    assert_eq!(verify(&app).0, 0);
}
