//! Server-rendered pages, server functions and static assets.

use crate::helpers::{on_both_databases, spawn_app_with, Engine, TestApp};

const QO: &str = "qo@attest.example";

on_both_databases!(
    unknown_route_answers_404_with_a_readable_page,
    empty_network_says_how_to_add_sites,
    pages_carry_a_content_security_policy_with_a_script_nonce,
    ;
    seeded:
    sites_page_renders_every_site_grouped_by_region,
    site_detail_shows_services_tests_and_programmes,
    unknown_site_answers_404_with_a_readable_page,
    site_list_server_function_returns_the_network,
    pages_are_compressed_when_the_client_accepts_it,
    signed_out_visitors_are_sent_to_sign_in_and_back,
    a_site_lead_sees_only_their_own_site,
    server_functions_answer_errors_with_their_status,
    the_login_form_works_without_javascript,
);

/// Text between `start` and the next `end`, for checking one region's block of the page.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The number in a region heading's count badge.
fn region_count(region_html: &str) -> usize {
    let badge = section(region_html, r#"data-testid="region-count""#, "</span>");
    let number = &badge[badge.find('>').expect("badge tag closes") + 1..];
    number
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("count badge holds a number: {badge}"))
}

async fn sites_page_renders_every_site_grouped_by_region(app: TestApp) {
    let (status, html) = app.page_as(QO, "/sites").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Sites · Attest</title>"), "{html}");
    assert!(html.contains("36 sites"));
    for name in [
        "Nairobi Health Assessment Centre",
        "Kampala Health Assessment Centre",
        "Bishkek Health Assessment Centre",
    ] {
        assert!(html.contains(name), "{name} missing");
    }
    // By its heading's id: the region's name also appears in the filter island's props.
    let east_africa = section(&html, r#"id="region-EHA""#, "</section>");
    assert_eq!(region_count(east_africa), 6, "{east_africa}");
    assert!(east_africa.contains("KEN-NBO"));
    assert!(
        !east_africa.contains("GHA-ACC"),
        "Accra belongs to West and Central Africa"
    );
    assert!(html.contains(r#"href="/sites/KEN-NBO""#));
}

async fn site_detail_shows_services_tests_and_programmes(app: TestApp) {
    let (status, html) = app.page_as(QO, "/sites/KEN-NBO").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Nairobi Health Assessment Centre (KEN-NBO) · Attest</title>"));
    for expected in [
        "Radiology (chest X-ray)",
        "Teleradiology quality control",
        "Xpert MTB/RIF",
        "TB drug susceptibility testing",
        "New Zealand (NZ)",
        "Africa/Nairobi",
        "East and Horn of Africa",
    ] {
        assert!(html.contains(expected), "{expected} missing from the page");
    }
    // Kakuma runs no culture: its page must not claim it does.
    let (_, kakuma) = app.page_as(QO, "/sites/KEN-KAK").await;
    assert!(kakuma.contains("Xpert MTB/RIF"));
    assert!(!kakuma.contains("TB culture"));
}

async fn unknown_site_answers_404_with_a_readable_page(app: TestApp) {
    let (status, html) = app.page_as(QO, "/sites/XXX-NOPE").await;
    assert_eq!(status, 404);
    assert!(html.contains("There is no site with the code"), "{html}");
    assert!(html.contains("XXX-NOPE"));
}

async fn unknown_route_answers_404_with_a_readable_page(app: TestApp) {
    let (status, html) = app.get_text("/definitely/not/here").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    assert!(html.contains(r#"href="/sites""#), "offers a way back");
}

async fn empty_network_says_how_to_add_sites(app: TestApp) {
    // Only a global quality officer remains once every site is retired.
    app.seed_demo().await;
    sqlx::query("update sites set status = 'retired'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, html) = app.page_as(QO, "/sites").await;
    assert_eq!(status, 200);
    assert!(html.contains("No sites yet"), "{html}");
}

async fn site_list_server_function_returns_the_network(app: TestApp) {
    let browser = app.browser_for(QO).await;
    let response = browser
        .post(app.url("/rpc/sites/list"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let sites: Vec<serde_json::Value> = response.json().await.unwrap();
    assert_eq!(sites.len(), 36);
    let nairobi = sites.iter().find(|s| s["code"] == "KEN-NBO").unwrap();
    assert_eq!(nairobi["region_code"], "EHA");
    assert_eq!(
        nairobi["services"],
        serde_json::json!(["radiology", "lab", "telerad_primary", "telerad_qc"])
    );
}

async fn pages_are_compressed_when_the_client_accepts_it(app: TestApp) {
    let browser = app.browser_for(QO).await;
    for encoding in ["br", "gzip"] {
        let response = browser
            .get(app.url("/sites"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
}

/// A built client: the HTML links the hashed bundle, which is served with a year-long cache.
async fn built_client_is_linked_and_cached_for_a_year(engine: Engine) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg/0123abcd4567ef89");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(site.path().join("BUILD_ID"), "0123abcd4567ef89\n").unwrap();
    std::fs::write(pkg.join("attest.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("attest.js"), "export default function init() {}").unwrap();
    std::fs::write(pkg.join("attest.wasm.br"), "brotli bytes").unwrap();
    std::fs::write(pkg.join("plain.wasm"), vec![0u8; 4096]).unwrap();
    std::fs::write(pkg.join("attest.wasm.gz"), "gzip bytes").unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(
        site.path().join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(
        site.path().join("offline.html"),
        "<!DOCTYPE html><title>Offline</title>",
    )
    .unwrap();
    std::fs::write(site.path().join("manifest.webmanifest"), "{}").unwrap();
    std::fs::create_dir_all(site.path().join("icons")).unwrap();
    std::fs::write(site.path().join("icons/attest-192.png"), b"\x89PNG").unwrap();
    let root = site.path().to_path_buf();
    let app = spawn_app_with(engine, move |config| config.site_root = root).await;

    let (_, html) = app.get_text("/login").await;
    assert!(html.contains("/pkg/0123abcd4567ef89/attest.js"), "{html}");
    assert!(html.contains("/pkg/0123abcd4567ef89/attest.css"));

    let wasm = app.get("/pkg/0123abcd4567ef89/attest.wasm").await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    assert_eq!(app.get("/favicon.svg").await.status(), 200);
    assert_eq!(
        app.get("/pkg/0123abcd4567ef89/missing.js").await.status(),
        404
    );

    // The build's brotli and gzip twins are served as they are: never compressed per request.
    for (encoding, body) in [("br", &b"brotli bytes"[..]), ("gzip", &b"gzip bytes"[..])] {
        let response = app
            .client
            .get(app.url("/pkg/0123abcd4567ef89/attest.wasm"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
        assert_eq!(response.headers()["content-type"], "application/wasm");
        assert_eq!(response.bytes().await.unwrap(), body);
    }
    // Without a twin (a development build), WebAssembly is sent as it is.
    let plain = app
        .client
        .get(app.url("/pkg/0123abcd4567ef89/plain.wasm"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());

    // Every public file has a cache policy; the worker and the offline page are checked anew
    // each time, so a new build's worker is found at once.
    for (path, cache) in [
        ("/sw.js", "no-cache"),
        ("/offline.html", "no-cache"),
        ("/manifest.webmanifest", "public, max-age=86400"),
        ("/favicon.svg", "public, max-age=604800"),
        ("/icons/attest-192.png", "public, max-age=604800"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], cache, "{path}");
    }
    let worker = app.get("/sw.js").await;
    assert!(worker.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(
        worker.headers()["content-security-policy"],
        "default-src 'none'; connect-src 'self'"
    );
    let (_, page) = app.get_text("/login").await;
    assert!(page.contains(r#"<link rel="manifest" href="/manifest.webmanifest""#));
    let login = app.get("/login").await;
    assert_eq!(login.headers()["cache-control"], "private, no-cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_client_is_linked_and_cached_for_a_year_on_sqlite() {
    built_client_is_linked_and_cached_for_a_year(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_client_is_linked_and_cached_for_a_year_on_postgres() {
    built_client_is_linked_and_cached_for_a_year(Engine::Postgres).await;
}

async fn signed_out_visitors_are_sent_to_sign_in_and_back(app: TestApp) {
    let response = app
        .client
        .get(app.url("/sites/KEN-NBO"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=/sites/KEN-NBO");
    assert_eq!(
        response.text().await.unwrap(),
        "",
        "nothing to render before the redirect"
    );
    // What `curl -sI /` sends: no Accept header, HEAD. Browsers follow only a 3xx, so a 401
    // with a Location left the visitor on a blank page until the client had loaded.
    for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
        let response = app
            .client
            .request(method.clone(), app.url("/"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{method}");
        assert_eq!(response.headers()["location"], "/login?next=/", "{method}");
    }
    let (status, html) = app.get_text("/login").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"name="email""#) && html.contains(r#"name="password""#));
}

async fn a_site_lead_sees_only_their_own_site(app: TestApp) {
    let (status, html) = app.page_as("lead.nbo@attest.example", "/sites").await;
    assert_eq!(status, 200);
    assert!(html.contains("KEN-NBO"));
    assert!(
        !html.contains("UGA-KLA"),
        "Kampala is outside a Nairobi lead's scope"
    );
    assert!(html.contains("Amina Odhiambo"), "the header names the user");
    let (status, html) = app
        .page_as("lead.nbo@attest.example", "/sites/UGA-KLA")
        .await;
    assert_eq!(status, 404);
    assert!(html.contains("There is no site with the code"));
}

async fn pages_carry_a_content_security_policy_with_a_script_nonce(app: TestApp) {
    let response = app.get("/login").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "scripts carry the policy's nonce"
    );
    assert!(
        policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
}

async fn server_functions_answer_errors_with_their_status(app: TestApp) {
    let response = app
        .client
        .post(app.url("/rpc/sites/list"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        401,
        "not a 500: the caller is simply not signed in"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["Unauthorized"].is_string(), "{body}");
}

async fn the_login_form_works_without_javascript(app: TestApp) {
    let form = |password: &'static str| {
        app.client
            .post(app.url("/rpc/account/login"))
            .header("accept", "text/html")
            .header("referer", app.url("/login?next=/sites"))
            .form(&[
                ("email", "qo@attest.example"),
                ("password", password),
                ("next", "/sites"),
            ])
            .send()
    };
    let ok = form(crate::helpers::DEMO_PASSWORD).await.unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/sites");
    let cookie = ok.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("attest_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Signing in again with the first session's cookie replaces that session.
    let first = cookie.split(';').next().unwrap().to_string();
    let again = app
        .client
        .post(app.url("/rpc/account/login"))
        .header("accept", "text/html")
        .header("cookie", &first)
        .form(&[
            ("email", "qo@attest.example"),
            ("password", crate::helpers::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    assert_ne!(
        again.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap(),
        first,
        "a new session id"
    );
    let old_session = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(old_session.status(), 401, "the previous session ended");
    let wrong = form("not the password").await.unwrap();
    assert_eq!(wrong.status(), 303, "back to the form");
    assert_eq!(wrong.headers()["location"], "/login?failed=1&next=/sites");
    assert!(wrong.headers().get("set-cookie").is_none());
    let (_, page) = app.get_text("/login?failed=1&next=/sites").await;
    assert!(
        page.contains("The email or password is not correct"),
        "the form says why"
    );
}
