//! `spawn_app`: a real server on 127.0.0.1:0 with a database of its own.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use server::config::{Config, DatabaseUrl};
use server::db::Db;
use server::reports::identity::{SigningIdentity, SigningPaths};
use server::startup::Application;
use sqlx::Connection;
use tokio::sync::oneshot;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = server::seed::demo::DEMO_PASSWORD;

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub database_url: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GET, returning the status and the body as text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body read"))
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn token_for(&self, email: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": DEMO_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{email} signs in");
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// A browser-like client (with a cookie jar) signed in through the login form.
    pub async fn browser_for(&self, email: &str) -> reqwest::Client {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = browser
            .post(self.url("/rpc/account/login"))
            .header("accept", "text/html")
            .header("origin", &self.address)
            .form(&[("email", email), ("password", DEMO_PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{email} signs in through the form");
        browser
    }

    /// POST a JSON body with a bearer token.
    pub async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// PUT a JSON body with a bearer token.
    pub async fn put_as(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// POST without a body, with a bearer token (the state-changing actions).
    pub async fn post_empty_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// The id of a user, by email.
    pub async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("select id from users where email = $1")
            .bind(email)
            .fetch_one(self.db.pool())
            .await
            .expect("the user exists")
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A page as a signed-in user sees it: status and HTML.
    pub async fn page_as(&self, email: &str, path: &str) -> (u16, String) {
        let browser = self.browser_for(email).await;
        let response = browser
            .get(self.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub async fn seed_demo(&self) {
        server::seed::demo::seed(&self.db, &signing_identity())
            .await
            .expect("demo data seeds");
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count query")
    }
}

/// The JSON body of a response that must have `status` (the body is shown when it has not).
pub async fn json_of(response: reqwest::Response, status: u16) -> serde_json::Value {
    let actual = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    assert_eq!(actual, status, "{body}");
    body
}

/// One signing certificate and key for the whole test run (generating an RSA key per server
/// would cost a second each); `identity.rs` tests the generation itself.
pub fn signing_fixture() -> SigningPaths {
    static PATHS: OnceLock<SigningPaths> = OnceLock::new();
    PATHS
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temporary directory").keep();
            let paths = SigningPaths {
                certificate: dir.join("cert.pem"),
                key: dir.join("key.pem"),
                configured: true,
            };
            SigningIdentity::generate("Attest test signer")
                .expect("a key is generated")
                .store(&paths)
                .expect("the pair is stored");
            paths
        })
        .clone()
}

/// The test run's signing identity, loaded from [`signing_fixture`].
pub fn signing_identity() -> SigningIdentity {
    SigningIdentity::load(&signing_fixture()).expect("the test signing pair loads")
}

/// Job settings from the defaults and some variables (`ATTEST_JOB_…`).
pub fn job_settings(vars: &[(&str, &str)]) -> server::jobs::settings::JobSettings {
    let vars: std::collections::HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    server::jobs::settings::JobSettings::from_lookup(&|name: &str| vars.get(name).cloned())
        .expect("valid job settings")
}

/// SMTP settings for a server on 127.0.0.1 without TLS (the test sink).
pub fn smtp_to(port: u16) -> server::notifications::mail::SmtpSettings {
    let vars = [
        ("ATTEST_SMTP_HOST", "127.0.0.1".to_string()),
        ("ATTEST_SMTP_PORT", port.to_string()),
        ("ATTEST_SMTP_TLS", "none".to_string()),
        (
            "ATTEST_SMTP_FROM",
            "Attest <attest@attest.example>".to_string(),
        ),
    ];
    server::notifications::mail::SmtpSettings::from_lookup(
        &|name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        },
        "https://attest.test",
    )
    .expect("valid SMTP settings")
    .expect("SMTP is configured")
}

/// Starts a server against a fresh, migrated, empty database.
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, |_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration first.
pub async fn spawn_app_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init();
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let database_url = match engine {
        Engine::Sqlite => {
            let path = dir.path().join("attest.db");
            DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap()
        }
        Engine::Postgres => fresh_postgres_database().await,
    };
    let mut config = Config {
        database_url,
        addr: "127.0.0.1:0".parse().unwrap(),
        site_root: dir.path().join("site"),
        auth: Default::default(),
        signing: signing_fixture(),
        jobs: job_settings(&[]),
        smtp: None,
        mail_poll: std::time::Duration::from_millis(500),
    };
    adjust(&mut config);
    let database_url = config.database_url.as_str().to_string();
    let app = Application::build(&config)
        .await
        .expect("the server starts");
    let address = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        db,
        database_url,
        client,
        stop: Some(stop),
        _dir: dir,
    }
}

/// Starts a server on a copy of a database that holds the demo network. The demo is seeded
/// once per engine and test run (seeding takes seconds; copying, milliseconds); the seed itself
/// is tested through the live server in `seed.rs`.
pub async fn spawn_seeded_app(engine: Engine) -> TestApp {
    spawn_seeded_app_with(engine, |_| {}).await
}

/// Like [`spawn_seeded_app`], letting the test adjust the configuration first.
pub async fn spawn_seeded_app_with(
    engine: Engine,
    adjust: impl FnOnce(&mut Config) + Send + 'static,
) -> TestApp {
    match engine {
        Engine::Sqlite => {
            let template = sqlite_template().await;
            spawn_app_with(engine, |config| {
                let path = config
                    .database_url
                    .as_str()
                    .trim_start_matches("sqlite://")
                    .to_string();
                std::fs::copy(template, &path).expect("the seeded template is copied");
                adjust(config);
            })
            .await
        }
        Engine::Postgres => {
            let template = postgres_template().await;
            let url = postgres_database_from(Some(template)).await;
            spawn_app_with(engine, move |config| {
                config.database_url = url;
                adjust(config);
            })
            .await
        }
    }
}

/// Seeds a fresh database of its own, then closes it.
async fn seed_template(url: &DatabaseUrl) {
    let db = Db::connect(url).await.expect("the template database opens");
    db.migrate().await.expect("the template database migrates");
    server::seed::demo::seed(&db, &signing_identity())
        .await
        .expect("demo data seeds the template");
    if matches!(db.engine(), server::db::Engine::Sqlite) {
        // Everything into the main file, so that copying the file copies the data.
        sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(db.pool())
            .await
            .expect("checkpoint");
    }
    db.close().await;
}

async fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            // Kept for the whole run: the directory is never cleaned up by a guard.
            let dir = tempfile::tempdir().expect("temporary directory").keep();
            let path = dir.join("template.db");
            let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
            seed_template(&url).await;
            path
        })
        .await
}

async fn postgres_template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let url = postgres_database_from(None).await;
            seed_template(&url).await;
            let name = url.as_str().rsplit('/').next().unwrap_or_default();
            name.split('?').next().unwrap_or_default().to_string()
        })
        .await
}

/// The URL of the test PostgreSQL server's maintenance database (set by scripts/test.sh).
pub fn postgres_admin_url() -> String {
    std::env::var("ATTEST_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "ATTEST_TEST_POSTGRES_URL is not set. Run scripts/test.sh, or start the test \
             database with `export ATTEST_TEST_POSTGRES_URL=$(scripts/postgres.sh start)`."
        )
    })
}

/// Creates an empty database on the test server and returns its URL.
async fn fresh_postgres_database() -> DatabaseUrl {
    postgres_database_from(None).await
}

/// Creates a database on the test server, empty or as a copy of `template`, and returns its URL.
async fn postgres_database_from(template: Option<&str>) -> DatabaseUrl {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin_url = postgres_admin_url();
    let name = format!(
        "attest_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros()
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("the test PostgreSQL server answers");
    let copy = template
        .map(|t| format!(" template {t}"))
        .unwrap_or_default();
    sqlx::query(&format!("create database {name}{copy}"))
        .execute(&mut admin)
        .await
        .expect("test database created");
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url.as_str(), String::new()),
    };
    let base = base.rsplit_once('/').map(|(host, _)| host).unwrap_or(base);
    DatabaseUrl::parse(&format!("{base}/{name}{query}")).unwrap()
}

/// Declares each listed `async fn name(app: TestApp)` as two tests, `sqlite::name` and
/// `postgres::name`, each with a server of its own. Tests listed after `; seeded:` start with
/// the demo network already loaded (a copy of a database seeded once per run).
macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        crate::helpers::on_both_databases!($($test),* ; seeded:);
    };
    ($($test:ident),* $(,)? ; seeded: $($seeded:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(crate::helpers::spawn_app(crate::helpers::Engine::Sqlite).await).await
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $seeded() {
                    super::$seeded(crate::helpers::spawn_seeded_app(crate::helpers::Engine::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(crate::helpers::spawn_app(crate::helpers::Engine::Postgres).await).await
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $seeded() {
                    super::$seeded(crate::helpers::spawn_seeded_app(crate::helpers::Engine::Postgres).await).await
                }
            )*
        }
    };
}
pub(crate) use on_both_databases;
