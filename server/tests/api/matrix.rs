//! The authorization matrix: every `/api/v1` route, taken from the OpenAPI document (so a new
//! route cannot be forgotten), called by each role and without credentials.

use serde_json::{json, Value};

use crate::helpers::{on_both_databases, TestApp};

on_both_databases!(
    ;
    seeded:
    every_api_route_obeys_the_authorization_matrix,
);

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
    /// An action on a record: inside the scope the answer is about the role or the record's
    /// state (403, 409, 422, …) but never "not found"; outside it, 404.
    Acting,
    /// The caller's own task: someone else's answers 404.
    Own,
}

/// The rule for every documented route. A route missing here fails the test.
fn rule(method: &str, path: &str) -> Option<Rule> {
    Some(match (method, path) {
        ("POST", "/api/v1/auth/login") | ("POST", "/api/v1/verify") => Rule::Public,
        ("POST", "/api/v1/auth/logout")
        | ("GET", "/api/v1/me")
        | ("POST", "/api/v1/me/password")
        | ("GET", "/api/v1/me/tokens")
        | ("POST", "/api/v1/me/tokens")
        | ("DELETE", "/api/v1/me/tokens/{id}")
        | ("GET", "/api/v1/sites")
        | ("GET", "/api/v1/notifications")
        | ("POST", "/api/v1/notifications/read-all")
        | ("PUT", "/api/v1/notifications/email-preference") => Rule::SignedIn,
        ("POST", "/api/v1/notifications/{id}/read") => Rule::Own,
        ("GET", "/api/v1/jobs") | ("POST", "/api/v1/jobs/{name}/run") => Rule::Admin,
        ("GET", "/api/v1/dashboard/thresholds") => Rule::SignedIn,
        ("PUT", "/api/v1/dashboard/thresholds") => Rule::Admin,
        ("GET", "/api/v1/dashboard/network")
        | ("GET", "/api/v1/dashboard/region/{code}")
        | ("GET", "/api/v1/dashboard/site/{code}") => Rule::Acting,
        ("GET", "/api/v1/sites/{code}") => Rule::Scoped,
        ("GET", "/api/v1/users")
        | ("POST", "/api/v1/users")
        | ("GET", "/api/v1/users/{id}")
        | ("PATCH", "/api/v1/users/{id}")
        | ("POST", "/api/v1/users/{id}/deactivate")
        | ("POST", "/api/v1/users/{id}/activate")
        | ("POST", "/api/v1/users/{id}/reset-password")
        | ("GET", "/api/v1/audit-trail") => Rule::Admin,
        ("GET", "/api/v1/documents") | ("GET", "/api/v1/acknowledgements") => Rule::SignedIn,
        ("GET", "/api/v1/documents/{id}")
        | ("GET", "/api/v1/documents/{id}/versions/{version_id}")
        | ("GET", "/api/v1/documents/{id}/versions/{version_id}/file")
        | ("GET", "/api/v1/documents/{id}/diff") => Rule::Scoped,
        ("POST", "/api/v1/documents")
        | ("GET", "/api/v1/documents/approvers")
        | ("POST", "/api/v1/documents/{id}/versions")
        | ("PUT", "/api/v1/documents/{id}/versions/{version_id}")
        | ("PUT", "/api/v1/documents/{id}/versions/{version_id}/file")
        | ("POST", "/api/v1/documents/{id}/versions/{version_id}/submit")
        | ("POST", "/api/v1/documents/{id}/versions/{version_id}/return")
        | ("POST", "/api/v1/documents/{id}/versions/{version_id}/approve")
        | ("POST", "/api/v1/documents/{id}/versions/{version_id}/make-effective")
        | ("POST", "/api/v1/documents/{id}/review")
        | ("POST", "/api/v1/documents/{id}/withdraw")
        | ("GET", "/api/v1/documents/{id}/acknowledgements") => Rule::Acting,
        ("POST", "/api/v1/acknowledgements/{id}/acknowledge") => Rule::Own,
        ("GET", "/api/v1/templates")
        | ("GET", "/api/v1/templates/{id}")
        | ("GET", "/api/v1/templates/{id}/export")
        | ("GET", "/api/v1/audits") => Rule::SignedIn,
        ("GET", "/api/v1/audits/{id}")
        | ("GET", "/api/v1/audits/{id}/score")
        | ("GET", "/api/v1/audits/{id}/evidence/{evidence_id}")
        | ("GET", "/api/v1/audits/{id}/report.pdf") => Rule::Scoped,
        ("POST", "/api/v1/templates")
        | ("POST", "/api/v1/audits")
        | ("GET", "/api/v1/audits/auditors")
        | ("GET", "/api/v1/audits/patterns")
        | ("POST", "/api/v1/audits/{id}/start")
        | ("POST", "/api/v1/audits/{id}/answers")
        | ("POST", "/api/v1/audits/{id}/submit")
        | ("POST", "/api/v1/audits/{id}/cancel")
        | ("POST", "/api/v1/audits/{id}/findings")
        | ("PUT", "/api/v1/audits/{id}/findings/{finding_id}")
        | ("POST", "/api/v1/audits/{id}/findings/{finding_id}/withdraw")
        | ("POST", "/api/v1/audits/{id}/items/{item_id}/evidence")
        | ("POST", "/api/v1/audits/{id}/report")
        | ("GET", "/api/v1/regions/{region}/monthly-reports/{period}") => Rule::Acting,
        ("GET", "/api/v1/capas")
        | ("GET", "/api/v1/capas/export.csv")
        | ("GET", "/api/v1/capas/settings")
        | ("GET", "/api/v1/capas/assignees") => Rule::SignedIn,
        ("PUT", "/api/v1/capas/settings") => Rule::Admin,
        ("GET", "/api/v1/capas/{id}")
        | ("GET", "/api/v1/capas/{id}/comments")
        | ("GET", "/api/v1/capas/{id}/timeline")
        | ("GET", "/api/v1/capas/{id}/attachments/{attachment_id}") => Rule::Scoped,
        ("POST", "/api/v1/capas")
        | ("PATCH", "/api/v1/capas/{id}")
        | ("POST", "/api/v1/capas/{id}/steps/{step}")
        | ("POST", "/api/v1/capas/{id}/actions")
        | ("PATCH", "/api/v1/capas/{id}/actions/{action_id}")
        | ("POST", "/api/v1/capas/{id}/comments")
        | ("POST", "/api/v1/capas/{id}/attachments") => Rule::Acting,
        ("GET", "/api/v1/pt/schemes/{id}")
        | ("GET", "/api/v1/pt/events/{id}")
        | ("GET", "/api/v1/pt/events/{id}/results")
        | ("GET", "/api/v1/pt/events/{id}/scores")
        | ("GET", "/api/v1/pt/events/{id}/results/template.csv")
        | ("GET", "/api/v1/pt/sites/{code}/history") => Rule::Scoped,
        ("GET", "/api/v1/pt/schemes")
        | ("POST", "/api/v1/pt/schemes")
        | ("PATCH", "/api/v1/pt/schemes/{id}")
        | ("GET", "/api/v1/pt/events")
        | ("POST", "/api/v1/pt/events")
        | ("POST", "/api/v1/pt/events/{id}/challenges")
        | ("PATCH", "/api/v1/pt/challenges/{id}")
        | ("POST", "/api/v1/pt/events/{id}/close")
        | ("POST", "/api/v1/pt/events/{id}/score")
        | ("POST", "/api/v1/pt/events/{id}/results")
        | ("POST", "/api/v1/pt/events/{id}/results/import")
        | ("GET", "/api/v1/pt/radiology/reads")
        | ("POST", "/api/v1/pt/radiology/reads")
        | ("POST", "/api/v1/pt/radiology/reads/import")
        | ("GET", "/api/v1/pt/radiology/metrics")
        | ("GET", "/api/v1/pt/radiology/thresholds")
        | ("PUT", "/api/v1/pt/radiology/thresholds") => Rule::Acting,
        _ => return None,
    })
}

/// For actions only some roles may take: who they are. Everyone else gets 403 (or 404 where
/// they cannot see the record at all).
fn actors(method: &str, path: &str) -> Option<&'static [&'static str]> {
    const QUALITY: &[&str] = &["qo@attest.example"];
    const TEMPLATES: &[&str] = &["qo@attest.example", "admin@attest.example"];
    const PATTERNS: &[&str] = &[
        "qo@attest.example",
        "admin@attest.example",
        "rm.eha@attest.example",
    ];
    // CAPAs: the site works them, managers and quality officers oversee, admins only read.
    const RAISE: &[&str] = &[
        "lead.nbo@attest.example",
        "lead.kla@attest.example",
        "rm.eha@attest.example",
        "qo@attest.example",
    ];
    const WORK: &[&str] = &[
        "lead.nbo@attest.example",
        "lead.kla@attest.example",
        "qo@attest.example",
    ];
    const OVERSEE: &[&str] = &["rm.eha@attest.example", "qo@attest.example"];
    // PT: everyone but staff reads; network quality officers and admins manage and score;
    // site leads (their site) and quality officers enter results.
    const PT_READ: &[&str] = &[
        "lead.nbo@attest.example",
        "lead.kla@attest.example",
        "rm.eha@attest.example",
        "qo@attest.example",
        "admin@attest.example",
    ];
    const PT_MANAGE: &[&str] = &["qo@attest.example", "admin@attest.example"];
    const PT_SUBMIT: &[&str] = &[
        "lead.nbo@attest.example",
        "lead.kla@attest.example",
        "qo@attest.example",
    ];
    // Monthly regional reports: the region's managers, quality officers, administrators.
    const REGION_REPORTS: &[&str] = &[
        "rm.eha@attest.example",
        "qo@attest.example",
        "admin@attest.example",
    ];
    // Dashboards: the network's for quality officers and administrators, a region's like its
    // reports, a site's for everyone but staff.
    const NETWORK: &[&str] = &["qo@attest.example", "admin@attest.example"];
    match (method, path) {
        ("GET", "/api/v1/regions/{region}/monthly-reports/{period}")
        | ("GET", "/api/v1/dashboard/region/{code}") => Some(REGION_REPORTS),
        ("GET", "/api/v1/dashboard/network") => Some(NETWORK),
        ("GET", "/api/v1/dashboard/site/{code}") => Some(PT_READ),
        ("GET", "/api/v1/pt/schemes")
        | ("GET", "/api/v1/pt/events")
        | ("GET", "/api/v1/pt/radiology/reads")
        | ("GET", "/api/v1/pt/radiology/metrics")
        | ("GET", "/api/v1/pt/radiology/thresholds") => Some(PT_READ),
        ("POST", "/api/v1/pt/events/{id}/results")
        | ("POST", "/api/v1/pt/events/{id}/results/import") => Some(PT_SUBMIT),
        (_, p) if p.starts_with("/api/v1/pt/") => Some(PT_MANAGE),
        ("POST", "/api/v1/capas")
        | ("PATCH", "/api/v1/capas/{id}")
        | ("POST", "/api/v1/capas/{id}/attachments") => Some(RAISE),
        ("POST", "/api/v1/capas/{id}/actions")
        | ("PATCH", "/api/v1/capas/{id}/actions/{action_id}") => Some(WORK),
        ("POST", "/api/v1/capas/{id}/steps/{step}") => Some(OVERSEE),
        ("POST", "/api/v1/templates") => Some(TEMPLATES),
        ("GET", "/api/v1/audits/patterns") => Some(PATTERNS),
        ("GET", "/api/v1/audits")
        | ("GET", "/api/v1/audits/{id}")
        | ("GET", "/api/v1/audits/{id}/score") => None,
        (_, p) if p.starts_with("/api/v1/audits") && !p.contains("/evidence/") => Some(QUALITY),
        _ => None,
    }
}

/// Staff see SOPs and their own tasks, not audits: any audit record answers them 404.
fn hidden_from_staff(path: &str) -> bool {
    path.starts_with("/api/v1/audits/{id}")
        || path.starts_with("/api/v1/capas/{id}")
        || (path.starts_with("/api/v1/pt/") && path.contains('{'))
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
        ("PUT", "/api/v1/dashboard/thresholds") => json!({ "items": [] }),
        ("PUT", "/api/v1/notifications/email-preference") => json!({ "email_preference": "daily" }),
        ("POST", "/api/v1/users") => {
            json!({ "email": "matrix@attest.example", "name": "Matrix", "role": "staff", "scope_code": "KEN-NBO", "password": "temporary pass 1" })
        }
        ("PATCH", "/api/v1/users/{id}") => json!({ "name": "Matrix Target" }),
        ("POST", "/api/v1/users/{id}/reset-password") => json!({ "password": "temporary pass 2" }),
        ("POST", "/api/v1/documents") => {
            json!({ "code": "MATRIX-SOP-001", "title": "Matrix", "category": "laboratory", "approver_id": 1 })
        }
        ("PUT", "/api/v1/documents/{id}/versions/{version_id}") => {
            json!({ "content": "# Matrix", "change_summary": "matrix" })
        }
        ("POST", "/api/v1/documents/{id}/versions/{version_id}/return")
        | ("POST", "/api/v1/documents/{id}/withdraw") => {
            json!({ "reason": "authorization matrix" })
        }
        ("POST", "/api/v1/documents/{id}/versions/{version_id}/approve") => {
            json!({ "password": "wrong password" })
        }
        ("POST", "/api/v1/documents/{id}/review") => {
            json!({ "outcome": "confirm", "password": "wrong password" })
        }
        ("POST", "/api/v1/templates") => json!({ "kind": "other", "template": {
            "code": "MATRIX", "title": "Matrix", "sections": [{ "title": "S", "items": [{ "text": "I", "weight": 1 }] }]
        } }),
        ("POST", "/api/v1/audits") => json!({
            "site_code": "PHL-MNL", "template_id": 1, "audit_type": "internal",
            "planned_start": "2027-01-10", "planned_end": "2027-01-11"
        }),
        ("POST", "/api/v1/audits/{id}/answers") => json!([{ "item_id": 1, "answer": "yes" }]),
        ("POST", "/api/v1/audits/{id}/report") => json!({ "password": "wrong password" }),
        ("POST", "/api/v1/audits/{id}/cancel")
        | ("POST", "/api/v1/audits/{id}/findings/{finding_id}/withdraw") => {
            json!({ "reason": "authorization matrix" })
        }
        ("POST", "/api/v1/audits/{id}/findings")
        | ("PUT", "/api/v1/audits/{id}/findings/{finding_id}") => {
            json!({ "severity": "minor", "description": "authorization matrix" })
        }
        ("POST", "/api/v1/capas") => json!({
            "site": "UGA-KLA", "title": "Matrix", "source": "incident", "severity": "minor"
        }),
        ("PATCH", "/api/v1/capas/{id}") => json!({ "title": "Matrix title" }),
        ("POST", "/api/v1/capas/{id}/steps/{step}") => json!({}),
        ("POST", "/api/v1/capas/{id}/actions") => json!({ "description": "Matrix action" }),
        ("PATCH", "/api/v1/capas/{id}/actions/{action_id}") => json!({ "status": "done" }),
        ("POST", "/api/v1/capas/{id}/comments") => json!({ "body": "Matrix comment" }),
        ("PUT", "/api/v1/capas/settings") => json!({ "critical": 30, "major": 60, "minor": 90 }),
        ("POST", "/api/v1/pt/schemes") => json!({
            "code": "MATRIX-NEW", "name": "Matrix scheme", "provider": "Matrix", "discipline": "hiv",
            "result_type": "qualitative", "events_per_year": 2, "sites": ["KEN-NBO"]
        }),
        ("PATCH", "/api/v1/pt/schemes/{id}") => json!({ "name": "Matrix scheme renamed" }),
        ("POST", "/api/v1/pt/events") => json!({
            "scheme": "MX-KEN-NBO", "code": "MATRIX-2", "dispatch_date": "2026-01-01", "deadline": "2026-02-01",
            "challenges": [{ "code": "S1", "analyte": "HIV", "expected": "reactive" }]
        }),
        ("POST", "/api/v1/pt/events/{id}/challenges") => {
            json!([{ "code": "S9", "analyte": "HIV", "expected": "reactive" }])
        }
        ("PATCH", "/api/v1/pt/challenges/{id}") => json!({ "expected": "non-reactive" }),
        ("POST", "/api/v1/pt/events/{id}/results") => json!({ "site": "KEN-NBO", "results": [] }),
        ("POST", "/api/v1/pt/radiology/reads") => json!([]),
        ("PUT", "/api/v1/pt/radiology/thresholds") => {
            json!({ "kappa_min": 0.6, "significant_max_percent": 2.0, "poor_image_max_percent": 5.0 })
        }
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
    if (path.ends_with("/file") && method == reqwest::Method::PUT)
        || path.ends_with("/evidence")
        || path.ends_with("/verify")
        || (path.ends_with("/attachments") && method == reqwest::Method::POST)
    {
        let part =
            reqwest::multipart::Part::bytes(b"%PDF-1.4 matrix".to_vec()).file_name("matrix.pdf");
        request = request.multipart(reqwest::multipart::Form::new().part("file", part));
    }
    request.send().await.unwrap().status().as_u16()
}

async fn every_api_route_obeys_the_authorization_matrix(app: TestApp) {
    let openapi: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let target: i64 = app.user_id("lead.amm@attest.example").await;
    let variants = site_variants(&app).await;
    let audits = submitted_audits(&app).await;
    let capas = capa_records(&app).await;
    let pt = pt_records(&app).await;
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
        routes.len() >= 50,
        "the document lists the routes: {routes:?}"
    );
    // `{id}` is a user, a site's document variant or an acknowledgement, by the route's area.
    let concrete = |path: &str, site: &str, ack: i64| {
        let region = if site == "PHL-MNL" { "AP" } else { "EHA" };
        let (document, version) = variants
            .iter()
            .find(|(code, ..)| code == site)
            .map(|(_, d, v)| (*d, *v))
            .unwrap_or((0, 0));
        let (audit, finding, item, evidence) = audits
            .iter()
            .find(|(code, ..)| code == site)
            .map(|(_, a, f, i, e)| (*a, *f, *i, *e))
            .unwrap_or((0, 0, 0, 0));
        let (capa, action, attachment) = capas
            .iter()
            .find(|(code, ..)| code == site)
            .map(|(_, c, a, f)| (*c, *a, *f))
            .unwrap_or((0, 0, 0));
        let (pt_scheme, pt_event, pt_challenge) = pt
            .iter()
            .find(|(code, ..)| code == site)
            .map(|(_, s, e, c)| (*s, *e, *c))
            .unwrap_or((0, 0, 0));
        let id = if path.starts_with("/api/v1/capas") {
            capa
        } else if path.starts_with("/api/v1/pt/schemes") {
            pt_scheme
        } else if path.starts_with("/api/v1/pt/events") {
            pt_event
        } else if path.starts_with("/api/v1/pt/challenges") {
            pt_challenge
        } else if path.starts_with("/api/v1/documents") {
            document
        } else if path.starts_with("/api/v1/acknowledgements")
            || path.starts_with("/api/v1/notifications")
        {
            ack
        } else if path.starts_with("/api/v1/audits") {
            audit
        } else if path.starts_with("/api/v1/templates") {
            1
        } else {
            target
        };
        let mut concrete = path
            .replace("{id}", &id.to_string())
            .replace("{finding_id}", &finding.to_string())
            .replace("{item_id}", &item.to_string())
            .replace("{evidence_id}", &evidence.to_string())
            .replace("{action_id}", &action.to_string())
            .replace("{attachment_id}", &attachment.to_string())
            .replace("{step}", "approve_plan")
            .replace("{name}", "audit-report-late")
            .replace("{version_id}", &version.to_string())
            .replace(
                "{code}",
                if path.starts_with("/api/v1/dashboard/region/") {
                    region
                } else {
                    site
                },
            )
            .replace("{region}", region)
            .replace("{period}", "2026-10");
        if path.ends_with("/assignees") {
            concrete.push_str(&format!("?site={site}"));
        }
        if path.ends_with("/diff") {
            concrete.push_str(&format!("?from={version}&to={version}"));
        }
        concrete
    };

    for (method, path, rule) in &routes {
        let status = call(&app, method, path, &concrete(path, "KEN-NBO", 1), None).await;
        // Login answers 401 here too: the sample credentials are wrong. Verification needs
        // no credentials at all.
        let expected = if path == "/api/v1/verify" { 200 } else { 401 };
        assert_eq!(
            status, expected,
            "{method} {path} without credentials ({rule:?})"
        );
    }

    for (email, inside, outside) in ROLES {
        let is_admin = email.starts_with("admin");
        let own_ack = first_acknowledgement(&app, email, "=").await;
        let others_ack = first_acknowledgement(&app, email, "<>").await.unwrap_or(0);
        let own_note = first_notification(&app, email, "=").await;
        let others_note = first_notification(&app, email, "<>").await.unwrap_or(0);
        for (method, path, rule) in &routes {
            // "Own" records: acknowledgement tasks, or notifications.
            let (own_task, others_task) = if path.starts_with("/api/v1/notifications") {
                (own_note, others_note)
            } else {
                (own_ack, others_ack)
            };
            // Sign in afresh for each call: logging out ends the token it uses.
            let token = app.token_for(email).await;
            let own = own_task.unwrap_or(others_task);
            let status = call(
                &app,
                method,
                path,
                &concrete(path, inside, own),
                Some(&token),
            )
            .await;
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
                Rule::Scoped | Rule::Acting
                    if email.starts_with("staff") && hidden_from_staff(path) =>
                {
                    assert_eq!(status, 404, "{email}: {method} {path}");
                }
                Rule::Acting
                    if actors(method, path).is_some_and(|allowed| !allowed.contains(&email)) =>
                {
                    assert_eq!(status, 403, "{email}: {method} {path} is not theirs to do");
                }
                Rule::Scoped | Rule::Acting => {
                    if *rule == Rule::Scoped {
                        assert_eq!(
                            status, 200,
                            "{email}: {method} {path} inside the scope ({inside})"
                        );
                    } else {
                        assert!(
                            ![401, 404].contains(&status),
                            "{email}: {method} {path} inside the scope ({inside}) answered {status}"
                        );
                    }
                    if let Some(outside) = outside.filter(|_| path.contains('{')) {
                        let token = app.token_for(email).await;
                        let status = call(
                            &app,
                            method,
                            path,
                            &concrete(path, outside, 0),
                            Some(&token),
                        )
                        .await;
                        assert_eq!(
                            status, 404,
                            "{email}: {method} {path} outside the scope ({outside})"
                        );
                    }
                }
                Rule::Own => {
                    if own_task.is_some() {
                        assert!(
                            ![401, 403, 404].contains(&status),
                            "{email}: {method} {path} on their own task answered {status}"
                        );
                    }
                    let token = app.token_for(email).await;
                    let status = call(
                        &app,
                        method,
                        path,
                        &concrete(path, inside, others_task),
                        Some(&token),
                    )
                    .await;
                    assert_eq!(
                        status, 404,
                        "{email}: {method} {path} on someone else's task"
                    );
                }
            }
        }
    }
}

/// The first notification of the user (`=`) or of someone else (`<>`); every role gets one
/// first, so that each has its own to read.
async fn first_notification(app: &TestApp, email: &str, op: &str) -> Option<i64> {
    sqlx::query(
        "insert into notifications (user_id, key, title, created_at)
         select id, 'matrix', 'Matrix', '2026-11-01T00:00:00Z' from users u
          where not exists (select 1 from notifications n where n.user_id = u.id and n.key = 'matrix')",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    sqlx::query_scalar(&format!(
        "select min(n.id) from notifications n join users u on u.id = n.user_id where u.email {op} $1"
    ))
    .bind(email)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// For each demo site with one, a site variant in force and its effective version, with an
/// attached file so that downloads have something to serve.
async fn site_variants(app: &TestApp) -> Vec<(String, i64, i64)> {
    let variants: Vec<(String, i64)> = sqlx::query_as(
        "select s.code, min(d.id) from documents d join sites s on s.id = d.site_id
          where d.effective_version_id is not null and d.withdrawn_at is null group by s.code",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for (site, document) in variants {
        let version: i64 =
            sqlx::query_scalar("select effective_version_id from documents where id = $1")
                .bind(document)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let bytes = b"%PDF-1.4 matrix".to_vec();
        sqlx::query("insert into document_files (version_id, content) values ($1, $2)")
            .bind(version)
            .bind(bytes.clone())
            .execute(app.db.pool())
            .await
            .unwrap();
        sqlx::query(
            "update document_versions set file_name = 'matrix.pdf', file_media_type = 'application/pdf',
                 file_size = $1, file_sha256 = $2 where id = $3",
        )
        .bind(bytes.len() as i64)
        .bind(server::signatures::content_hash(&bytes))
        .bind(version)
        .execute(app.db.pool())
        .await
        .unwrap();
        out.push((site, document, version));
    }
    for site in ["KEN-NBO", "UGA-KLA", "PHL-MNL"] {
        assert!(
            out.iter().any(|(s, ..)| s == site),
            "the demo has a variant at {site}"
        );
    }
    out
}

/// The first pending acknowledgement of the user (`=`) or of someone else (`<>`).
async fn first_acknowledgement(app: &TestApp, email: &str, relation: &str) -> Option<i64> {
    sqlx::query_scalar(&format!(
        "select min(k.id) from acknowledgements k join users u on u.id = k.user_id
          where u.email {relation} $1 and k.status = 'pending'"
    ))
    .bind(email)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// For each demo site, a submitted audit, one of its findings, an item of its checklist and a
/// piece of evidence (added here).
async fn submitted_audits(app: &TestApp) -> Vec<(String, i64, i64, i64, i64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "select s.code, max(a.id) from audits a join sites s on s.id = a.site_id
          where a.state in ('submitted', 'report_issued', 'closed')
            and exists (select 1 from findings f where f.audit_id = a.id)
          group by s.code",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for (site, audit) in rows {
        let finding: i64 = sqlx::query_scalar("select min(id) from findings where audit_id = $1")
            .bind(audit)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let item: i64 = sqlx::query_scalar(
            "select min(i.id) from template_items i join audits a on a.template_id = i.template_id where a.id = $1",
        )
        .bind(audit)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let bytes = b"%PDF-1.4 matrix".to_vec();
        let evidence: i64 = sqlx::query_scalar(
            "insert into audit_evidence (audit_id, item_id, file_name, media_type, size, sha256, content, uploaded_by, uploaded_at)
             values ($1, $2, 'matrix.pdf', 'application/pdf', $3, $4, $5, 1, '2026-01-01T00:00:00Z') returning id",
        )
        .bind(audit)
        .bind(item)
        .bind(bytes.len() as i64)
        .bind(server::signatures::content_hash(&bytes))
        .bind(bytes)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        out.push((site, audit, finding, item, evidence));
    }
    for site in ["KEN-NBO", "UGA-KLA", "PHL-MNL"] {
        assert!(
            out.iter().any(|(s, ..)| s == site),
            "the demo has a submitted audit at {site}"
        );
    }
    out
}

/// For each demo site with one, a CAPA with an action and an attached file:
/// (site, CAPA id, action id, attachment id).
async fn capa_records(app: &TestApp) -> Vec<(String, i64, i64, i64)> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "select s.code, c.id, min(x.id) from capas c
           join sites s on s.id = c.site_id
           join capa_actions x on x.capa_id = c.id
          where c.id = (select min(c2.id) from capas c2 join capa_actions x2 on x2.capa_id = c2.id
                         where c2.site_id = c.site_id)
          group by s.code, c.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for (site, capa, action) in rows {
        let attachment: i64 = sqlx::query_scalar(
            "insert into capa_attachments (capa_id, file_name, media_type, size, sha256, content, uploaded_by, uploaded_at)
             values ($1, 'matrix.pdf', 'application/pdf', 15, 'x', $2, 1, '2026-01-01T00:00:00Z') returning id",
        )
        .bind(capa)
        .bind(b"%PDF-1.4 matrix".to_vec())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        out.push((site, capa, action, attachment));
    }
    out
}

/// For the sites the matrix uses, a scheme in which only that site takes part, with one event
/// and one challenge: (site, scheme id, event id, challenge id).
async fn pt_records(app: &TestApp) -> Vec<(String, i64, i64, i64)> {
    let mut out = Vec::new();
    for site in ["KEN-NBO", "UGA-KLA", "PHL-MNL"] {
        let site_id: i64 = sqlx::query_scalar("select id from sites where code = $1")
            .bind(site)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let scheme: i64 = sqlx::query_scalar(
            "insert into pt_schemes (code, name, provider, discipline, result_type, events_per_year, created_at, updated_at)
             values ($1, 'Matrix', 'Matrix', 'hiv', 'qualitative', 2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') returning id",
        )
        .bind(format!("MX-{site}"))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        sqlx::query("insert into pt_scheme_sites (scheme_id, site_id) values ($1, $2)")
            .bind(scheme)
            .bind(site_id)
            .execute(app.db.pool())
            .await
            .unwrap();
        let event: i64 = sqlx::query_scalar(
            "insert into pt_events (scheme_id, code, dispatch_date, deadline, created_at, updated_at)
             values ($1, 'MATRIX-1', '2026-01-01', '2099-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') returning id",
        )
        .bind(scheme)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let challenge: i64 = sqlx::query_scalar(
            "insert into pt_challenges (event_id, position, code, analyte, method, expected)
             values ($1, 1, 'S1', 'HIV', 'category', 'reactive') returning id",
        )
        .bind(event)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        out.push((site.to_string(), scheme, event, challenge));
    }
    out
}
