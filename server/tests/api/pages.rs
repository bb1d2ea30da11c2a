//! Server-rendered pages, server functions and static assets.

use crate::helpers::{on_both_databases, spawn_app_with, Engine, TestApp};

on_both_databases!(
    sites_page_renders_every_site_grouped_by_region,
    site_detail_shows_services_tests_and_programmes,
    unknown_site_answers_404_with_a_readable_page,
    unknown_route_answers_404_with_a_readable_page,
    empty_network_says_how_to_add_sites,
    site_list_server_function_returns_the_network,
    pages_are_compressed_when_the_client_accepts_it,
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
    app.seed_demo().await;
    let (status, html) = app.get_text("/sites").await;
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
    let east_africa = section(&html, "East and Horn of Africa", "</section>");
    assert_eq!(region_count(east_africa), 6, "{east_africa}");
    assert!(east_africa.contains("KEN-NBO"));
    assert!(
        !east_africa.contains("GHA-ACC"),
        "Accra belongs to West and Central Africa"
    );
    assert!(html.contains(r#"href="/sites/KEN-NBO""#));
}

async fn site_detail_shows_services_tests_and_programmes(app: TestApp) {
    app.seed_demo().await;
    let (status, html) = app.get_text("/sites/KEN-NBO").await;
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
    let (_, kakuma) = app.get_text("/sites/KEN-KAK").await;
    assert!(kakuma.contains("Xpert MTB/RIF"));
    assert!(!kakuma.contains("TB culture"));
}

async fn unknown_site_answers_404_with_a_readable_page(app: TestApp) {
    app.seed_demo().await;
    let (status, html) = app.get_text("/sites/XXX-NOPE").await;
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
    let (status, html) = app.get_text("/sites").await;
    assert_eq!(status, 200);
    assert!(html.contains("No sites yet"), "{html}");
}

async fn site_list_server_function_returns_the_network(app: TestApp) {
    app.seed_demo().await;
    let response = app
        .client
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
    app.seed_demo().await;
    for encoding in ["br", "gzip"] {
        let response = app
            .client
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
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    let root = site.path().to_path_buf();
    let app = spawn_app_with(engine, move |config| config.site_root = root).await;

    let (_, html) = app.get_text("/").await;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_client_is_linked_and_cached_for_a_year_on_sqlite() {
    built_client_is_linked_and_cached_for_a_year(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_client_is_linked_and_cached_for_a_year_on_postgres() {
    built_client_is_linked_and_cached_for_a_year(Engine::Postgres).await;
}
