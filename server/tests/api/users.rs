//! User administration over HTTP on both databases.

use serde_json::{json, Value};

use crate::helpers::{on_both_databases, TestApp};

const ADMIN: &str = "admin@attest.example";

on_both_databases!(
    ;
    seeded:
    an_administrator_creates_a_user_who_must_change_the_temporary_password,
    invalid_new_users_are_refused_field_by_field,
    only_administrators_manage_users,
    role_and_scope_change_together_and_are_recorded,
    the_user_list_searches_filters_and_pages,
);

async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_as(token, "/api/v1/users", body).await
}

fn new_user(email: &str) -> Value {
    json!({ "email": email, "name": "Wanjiru Njoroge", "role": "staff", "scope_code": "ken-nbo", "password": "temporary pass 1" })
}

async fn an_administrator_creates_a_user_who_must_change_the_temporary_password(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let response = create(&app, &admin, new_user("W.Njoroge@attest.example")).await;
    assert_eq!(response.status(), 201);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["email"], "w.njoroge@attest.example");
    assert_eq!(user["scope"], json!({ "kind": "site", "code": "KEN-NBO" }));
    assert_eq!(user["must_change_password"], true);
    assert!(user.get("password_hash").is_none());
    let stored: String = sqlx::query_scalar(
        "select password_hash from users where email = 'w.njoroge@attest.example'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(
        stored.starts_with("$argon2id$"),
        "argon2id, never the password"
    );

    let login = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "w.njoroge@attest.example", "password": "temporary pass 1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.json::<Value>().await.unwrap()["user"]["must_change_password"],
        true
    );

    let duplicate = create(&app, &admin, new_user("w.njoroge@attest.example")).await;
    assert_eq!(duplicate.status(), 422);
    let body: Value = duplicate.json().await.unwrap();
    assert!(
        body["error"]["fields"]["email"]
            .as_str()
            .unwrap()
            .contains("already"),
        "{body}"
    );
}

async fn invalid_new_users_are_refused_field_by_field(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let before = app.count("users").await;
    let response = create(
        &app,
        &admin,
        json!({ "email": "not-an-email", "name": " ", "role": "regional_manager", "scope_code": null, "password": "too short" }),
    )
    .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let fields = &body["error"]["fields"];
    for field in ["email", "name", "password", "scope_code"] {
        assert!(fields[field].is_string(), "{field} is reported: {body}");
    }
    let unknown_site = create(&app, &admin, json!({ "email": "x@attest.example", "name": "X", "role": "site_lead", "scope_code": "XXX-NOPE", "password": "long enough pass" })).await;
    assert_eq!(unknown_site.status(), 422);
    assert!(
        unknown_site.json::<Value>().await.unwrap()["error"]["fields"]["scope_code"]
            .as_str()
            .unwrap()
            .contains("XXX-NOPE")
    );
    let bad_role = create(&app, &admin, json!({ "email": "x@attest.example", "name": "X", "role": "superuser", "scope_code": null, "password": "long enough pass" })).await;
    assert_eq!(bad_role.status(), 422);
    assert_eq!(app.count("users").await, before, "nothing was written");
}

async fn only_administrators_manage_users(app: TestApp) {
    for email in [
        "qo@attest.example",
        "rm.eha@attest.example",
        "lead.nbo@attest.example",
        "staff.nbo@attest.example",
    ] {
        let token = app.token_for(email).await;
        assert_eq!(
            app.get_as(&token, "/api/v1/users").await.status(),
            403,
            "{email}"
        );
        assert_eq!(
            create(&app, &token, new_user("sneaky@attest.example"))
                .await
                .status(),
            403,
            "{email}"
        );
        assert_eq!(
            app.get_as(&token, "/api/v1/audit-trail").await.status(),
            403,
            "{email}"
        );
    }
}

async fn role_and_scope_change_together_and_are_recorded(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let id: i64 = app.user_id("staff.nbo@attest.example").await;
    let patch = |body: Value| {
        app.client
            .patch(app.url(&format!("/api/v1/users/{id}")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };

    let needs_region = patch(json!({ "role": "regional_manager" })).await.unwrap();
    assert_eq!(
        needs_region.status(),
        422,
        "a site is no scope for a regional manager"
    );
    let promoted = patch(json!({ "role": "site_lead" })).await.unwrap();
    assert_eq!(promoted.status(), 200, "the site scope fits a site lead");
    let moved = patch(json!({ "role": "regional_manager", "scope_code": "WCA" }))
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let user: Value = moved.json().await.unwrap();
    assert_eq!(user["role"], "regional_manager");
    assert_eq!(user["scope"], json!({ "kind": "region", "code": "WCA" }));

    let trail: Value = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-trail?entity_type=user&entity_id={id}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let updates: Vec<&Value> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "user.update")
        .collect();
    assert_eq!(updates.len(), 2);
    let last = updates[0];
    assert!(last["before_json"].as_str().unwrap().contains("site_lead"));
    assert!(last["after_json"].as_str().unwrap().contains("WCA"));
    assert_eq!(last["actor_email"], ADMIN);
}

async fn the_user_list_searches_filters_and_pages(app: TestApp) {
    let admin = app.token_for(ADMIN).await;
    let page: Value = app
        .get_as(&admin, "/api/v1/users?per_page=3&page=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 11);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["page"], 2);
    let leads: Value = app
        .get_as(&admin, "/api/v1/users?role=site_lead")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(leads["total"], 5);
    let search: Value = app
        .get_as(&admin, "/api/v1/users?q=odhiambo")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(search["total"], 1);
    assert_eq!(search["items"][0]["email"], "lead.nbo@attest.example");
    let wildcard: Value = app
        .get_as(&admin, "/api/v1/users?q=%25")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        wildcard["total"], 0,
        "a % typed by the user matches literally"
    );
}
