//! Signing in and out, lockout, sessions, personal tokens, cross-site request forgery and
//! passwords, over HTTP on both databases.

use serde_json::{json, Value};

use crate::helpers::{on_both_databases, TestApp, DEMO_PASSWORD};

const LEAD: &str = "lead.nbo@attest.example";
const ADMIN: &str = "admin@attest.example";

on_both_databases!(
    every_response_carries_security_headers,
    ;
    seeded:
    login_returns_a_bearer_token_for_the_api,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    five_failures_lock_the_account_for_fifteen_minutes,
    an_expired_session_no_longer_works_and_use_extends_it,
    logout_ends_the_session,
    personal_tokens_are_shown_once_listed_and_revocable,
    cookie_requests_from_another_site_are_refused,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    a_reset_password_must_be_changed_before_anything_else,
    deactivated_users_cannot_sign_in_and_lose_their_sessions,
    malformed_and_oversized_requests_get_clear_errors,
);

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn login_returns_a_bearer_token_for_the_api(app: TestApp) {
    let response = login(&app, "  Lead.NBO@attest.example ", DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], LEAD);
    let me: Value = app
        .get_as(body["token"].as_str().unwrap(), "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Amina Odhiambo");
    assert_eq!(me["role"], "site_lead");
    assert_eq!(me["scope"], json!({ "kind": "site", "code": "KEN-NBO" }));
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
    assert_eq!(app.get_as("not-a-token", "/api/v1/me").await.status(), 401);
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(app: TestApp) {
    let wrong = login(&app, LEAD, "not the password").await;
    let unknown = login(&app, "nobody@attest.example", "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
}

async fn five_failures_lock_the_account_for_fifteen_minutes(app: TestApp) {
    for _ in 0..5 {
        assert_eq!(login(&app, LEAD, "guessing wrongly").await.status(), 401);
    }
    let locked = login(&app, LEAD, DEMO_PASSWORD).await;
    assert_eq!(locked.status(), 401, "locked even with the right password");
    let message: Value = locked.json().await.unwrap();
    assert!(message["error"]["message"]
        .as_str()
        .unwrap()
        .contains("locked"));
    let locks: i64 =
        sqlx::query_scalar("select count(*) from audit_trail where action = 'auth.locked'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(locks, 1);
    // Other accounts are unaffected; when the lock time has passed, the right password works.
    assert_eq!(login(&app, ADMIN, DEMO_PASSWORD).await.status(), 200);
    sqlx::query("update users set locked_until = '2000-01-01T00:00:00Z' where email = $1")
        .bind(LEAD)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(login(&app, LEAD, DEMO_PASSWORD).await.status(), 200);
}

async fn an_expired_session_no_longer_works_and_use_extends_it(app: TestApp) {
    let token = app.token_for(LEAD).await;
    // Seen five minutes ago, expiring in one minute: a request pushes the expiry back.
    sqlx::query(
        "update sessions set last_seen_at = '2026-01-01T00:00:00Z', expires_at = '2999-01-01T00:00:00Z'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    assert_eq!(app.get_as(&token, "/api/v1/me").await.status(), 200);
    let seen: String = sqlx::query_scalar("select last_seen_at from sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(
        seen.as_str() > "2026-01-01T00:00:00Z",
        "last_seen_at moved on: {seen}"
    );
    sqlx::query("update sessions set expires_at = '2000-01-01T00:00:00Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(app.get_as(&token, "/api/v1/me").await.status(), 401);
}

async fn logout_ends_the_session(app: TestApp) {
    let token = app.token_for(LEAD).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.get_as(&token, "/api/v1/me").await.status(), 401);
}

async fn personal_tokens_are_shown_once_listed_and_revocable(app: TestApp) {
    let session = app.token_for(LEAD).await;
    let created = app
        .post_as(
            &session,
            "/api/v1/me/tokens",
            json!({ "name": "LIMS export" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("att_"));
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.status(),
        200,
        "the token works"
    );

    let listed: Value = app
        .get_as(&session, "/api/v1/me/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        !listed.to_string().contains(&token),
        "the secret is never listed"
    );
    let stored: String = sqlx::query_scalar("select token_hash from api_tokens")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token, "only a hash is stored");

    let id = created["id"].as_i64().unwrap();
    let other = app.token_for("lead.kla@attest.example").await;
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "another user cannot revoke it");
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.status(),
        401,
        "revoked at once"
    );
    let again = app
        .client
        .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
}

async fn cookie_requests_from_another_site_are_refused(app: TestApp) {
    let browser = app.browser_for(LEAD).await;
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut request = browser
            .post(app.url("/api/v1/me/tokens"))
            .json(&json!({ "name": "from a page" }));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    let forged = post(Some("https://evil.example"), None).await.unwrap();
    assert_eq!(forged.status(), 403);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_rejected");
    assert_eq!(post(None, Some("cross-site")).await.unwrap().status(), 403);
    assert_eq!(
        post(Some(&app.address), Some("same-origin"))
            .await
            .unwrap()
            .status(),
        201
    );
    let tokens: i64 = sqlx::query_scalar("select count(*) from api_tokens")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(tokens, 1, "the forged requests changed nothing");
    // Reading is never blocked.
    let read = browser
        .get(app.url("/api/v1/me"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.post_as(
        token,
        "/api/v1/me/password",
        json!({ "current_password": current, "new_password": new }),
    )
    .await
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
    let token = app.token_for(LEAD).await;
    let other_session = app.token_for(LEAD).await;

    let wrong = change_password(&app, &token, "not my password", "a brand new passphrase").await;
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.unwrap();
    assert!(
        body["error"]["fields"]["current_password"].is_string(),
        "{body}"
    );

    let weak = change_password(&app, &token, DEMO_PASSWORD, "short").await;
    assert_eq!(weak.status(), 422);
    let body: Value = weak.json().await.unwrap();
    assert!(
        body["error"]["fields"]["new_password"]
            .as_str()
            .unwrap()
            .contains("12"),
        "{body}"
    );

    let ok = change_password(&app, &token, DEMO_PASSWORD, "a brand new passphrase").await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        app.get_as(&other_session, "/api/v1/me").await.status(),
        401,
        "other sessions end"
    );
    assert_eq!(login(&app, LEAD, DEMO_PASSWORD).await.status(), 401);
    assert_eq!(
        login(&app, LEAD, "a brand new passphrase").await.status(),
        200
    );
}

async fn a_reset_password_must_be_changed_before_anything_else(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let lead_session = app.token_for(LEAD).await;
    let lead_id: i64 = app.user_id(LEAD).await;
    let reset = app
        .post_as(
            &admin,
            &format!("/api/v1/users/{lead_id}/reset-password"),
            json!({ "password": "temporary password 1" }),
        )
        .await;
    assert_eq!(reset.status(), 200);
    assert_eq!(
        app.get_as(&lead_session, "/api/v1/me").await.status(),
        401,
        "the reset ends sessions"
    );

    let token = login(&app, LEAD, "temporary password 1")
        .await
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let blocked = app.get_as(&token, "/api/v1/sites").await;
    assert_eq!(blocked.status(), 403);
    assert_eq!(
        blocked.json::<Value>().await.unwrap()["error"]["code"],
        "password_change_required"
    );
    assert_eq!(
        app.get_as(&token, "/api/v1/me")
            .await
            .json::<Value>()
            .await
            .unwrap()["must_change_password"],
        true
    );
    assert_eq!(
        change_password(
            &app,
            &token,
            "temporary password 1",
            "my own new passphrase"
        )
        .await
        .status(),
        200
    );
    assert_eq!(app.get_as(&token, "/api/v1/sites").await.status(), 200);
}

async fn deactivated_users_cannot_sign_in_and_lose_their_sessions(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let staff = app.token_for("staff.nbo@attest.example").await;
    let id: i64 = app.user_id("staff.nbo@attest.example").await;
    let response = app
        .post_empty_as(&admin, &format!("/api/v1/users/{id}/deactivate"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["active"], false);
    assert_eq!(app.get_as(&staff, "/api/v1/me").await.status(), 401);
    assert_eq!(
        login(&app, "staff.nbo@attest.example", DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    let users: i64 =
        sqlx::query_scalar("select count(*) from users where email = 'staff.nbo@attest.example'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(users, 1, "deactivated, never deleted");
    let again = app
        .post_empty_as(&admin, &format!("/api/v1/users/{id}/deactivate"))
        .await;
    assert_eq!(again.status(), 409);
    let admin_id: i64 = app.user_id(ADMIN).await;
    let myself = app
        .post_empty_as(&admin, &format!("/api/v1/users/{admin_id}/deactivate"))
        .await;
    assert_eq!(
        myself.status(),
        409,
        "an administrator cannot lock themselves out"
    );
}

async fn malformed_and_oversized_requests_get_clear_errors(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let users_before: i64 = app.count("users").await;
    let post = |body: String, content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/users"))
            .bearer_auth(&admin)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases = [
        (post("{\"email\": ".into(), "application/json").await.unwrap(), 400, "malformed_request"),
        (post("email=x".into(), "application/x-www-form-urlencoded").await.unwrap(), 415, "unsupported_media_type"),
        (post(json!({"email": "a@b.org", "name": "A", "role": "staff", "scope_code": "KEN-NBO", "password": "long enough pass", "is_admin": true}).to_string(), "application/json").await.unwrap(), 422, "validation_failed"),
    ];
    for (response, status, code) in cases {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // The server answers an oversized body without reading it and closes the connection, so
    // this one goes on a client of its own.
    let oversized = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        // Just over the limit: small enough to sit in the socket buffers while the server answers.
        .body("x".repeat(server::api::MAX_BODY_BYTES + 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status(), 413);
    assert_eq!(
        oversized.json::<Value>().await.unwrap()["error"]["code"],
        "payload_too_large"
    );
    assert_eq!(
        app.count("users").await,
        users_before,
        "nothing half-written"
    );
    let unknown = app.get_as(&admin, "/api/v1/no-such-thing").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
}

async fn every_response_carries_security_headers(app: TestApp) {
    for path in ["/healthz", "/api/v1/me", "/login", "/nowhere"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
}
