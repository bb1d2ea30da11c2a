//! The authorization matrix: every `/api/v1` route, taken from the OpenAPI document (so a new
//! route cannot be forgotten), called by each role and without credentials.

use serde_json::{json, Value};

use crate::helpers::{on_both_databases, TestApp};

on_both_databases!(every_api_route_obeys_the_authorization_matrix);

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// No credentials needed.
    Public,
    /// Any signed-in user (acting on their own things).
    SignedIn,
    /// Administrators only; everyone else gets 403.
    Admin,
    /// Any signed-in user, within their scope; outside it, 404.
    Scoped,
}

/// The rule for every documented route. A route missing here fails the test.
fn rule(method: &str, path: &str) -> Option<Rule> {
    Some(match (method, path) {
        ("POST", "/api/v1/auth/login") => Rule::Public,
        ("POST", "/api/v1/auth/logout")
        | ("GET", "/api/v1/me")
        | ("POST", "/api/v1/me/password")
        | ("GET", "/api/v1/me/tokens")
        | ("POST", "/api/v1/me/tokens")
        | ("DELETE", "/api/v1/me/tokens/{id}")
        | ("GET", "/api/v1/sites") => Rule::SignedIn,
        ("GET", "/api/v1/sites/{code}") => Rule::Scoped,
        ("GET", "/api/v1/users")
        | ("POST", "/api/v1/users")
        | ("GET", "/api/v1/users/{id}")
        | ("PATCH", "/api/v1/users/{id}")
        | ("POST", "/api/v1/users/{id}/deactivate")
        | ("POST", "/api/v1/users/{id}/activate")
        | ("POST", "/api/v1/users/{id}/reset-password")
        | ("GET", "/api/v1/audit-trail") => Rule::Admin,
        _ => return None,
    })
}

/// A well-formed body for routes that take one, so the answer is about permission, not shape.
fn body(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("POST", "/api/v1/auth/login") => {
            json!({ "email": "nobody@attest.example", "password": "wrong password" })
        }
        ("POST", "/api/v1/me/password") => {
            json!({ "current_password": "wrong password", "new_password": "whatever it may be" })
        }
        ("POST", "/api/v1/me/tokens") => json!({ "name": "matrix" }),
        ("POST", "/api/v1/users") => {
            json!({ "email": "matrix@attest.example", "name": "Matrix", "role": "staff", "scope_code": "KEN-NBO", "password": "temporary pass 1" })
        }
        ("PATCH", "/api/v1/users/{id}") => json!({ "name": "Matrix Target" }),
        ("POST", "/api/v1/users/{id}/reset-password") => json!({ "password": "temporary pass 2" }),
        _ => return None,
    })
}

/// The roles, each with a site code inside and one outside their scope.
const ROLES: [(&str, &str, Option<&str>); 6] = [
    ("staff.nbo@attest.example", "KEN-NBO", Some("UGA-KLA")),
    ("lead.nbo@attest.example", "KEN-NBO", Some("UGA-KLA")),
    ("lead.kla@attest.example", "UGA-KLA", Some("KEN-NBO")),
    ("rm.eha@attest.example", "UGA-KLA", Some("PHL-MNL")),
    ("qo@attest.example", "PHL-MNL", None),
    // Last: the administrator's calls change the target user.
    ("admin@attest.example", "KEN-NBO", None),
];

async fn call(app: &TestApp, method: &str, path: &str, concrete: &str, token: Option<&str>) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.client.request(method.clone(), app.url(concrete));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body(method.as_str(), path) {
        request = request.json(&body);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn every_api_route_obeys_the_authorization_matrix(app: TestApp) {
    app.seed_demo().await;
    let openapi: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let target: i64 = app.user_id("lead.amm@attest.example").await;
    let mut routes = Vec::new();
    for (path, operations) in openapi["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            let rule = rule(&method, path)
                .unwrap_or_else(|| panic!("{method} {path} has no rule in the matrix"));
            routes.push((method, path.clone(), rule));
        }
    }
    assert!(
        routes.len() >= 17,
        "the document lists the routes: {routes:?}"
    );
    let concrete = |path: &str, site: &str| {
        path.replace("{id}", &target.to_string())
            .replace("{code}", site)
    };

    for (method, path, rule) in &routes {
        let status = call(&app, method, path, &concrete(path, "KEN-NBO"), None).await;
        // Public routes answer 401 here too: the sample credentials are wrong.
        assert_eq!(
            status, 401,
            "{method} {path} without credentials ({rule:?})"
        );
    }

    for (email, inside, outside) in ROLES {
        let is_admin = email.starts_with("admin");
        for (method, path, rule) in &routes {
            // Sign in afresh for each call: logging out ends the token it uses.
            let token = app.token_for(email).await;
            let status = call(&app, method, path, &concrete(path, inside), Some(&token)).await;
            match rule {
                Rule::Public => {}
                Rule::SignedIn => assert!(
                    ![401, 403].contains(&status),
                    "{email}: {method} {path} answered {status}"
                ),
                Rule::Admin if is_admin => assert!(
                    ![401, 403, 404].contains(&status),
                    "{email}: {method} {path} answered {status}"
                ),
                Rule::Admin => assert_eq!(status, 403, "{email}: {method} {path}"),
                Rule::Scoped => {
                    assert_eq!(
                        status, 200,
                        "{email}: {method} {path} inside the scope ({inside})"
                    );
                    if let Some(outside) = outside {
                        let status =
                            call(&app, method, path, &concrete(path, outside), Some(&token)).await;
                        assert_eq!(
                            status, 404,
                            "{email}: {method} {path} outside the scope ({outside})"
                        );
                    }
                }
            }
        }
    }
}
