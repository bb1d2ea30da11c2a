//! Benchmark (not a test): the dashboards and the busiest lists against a network at scale.
//!
//! For SQLite, and PostgreSQL when `ATTEST_BENCH_POSTGRES_URL` names a server, it seeds a
//! network with `attest seed scale` (once: a database already seeded with the same sizes is
//! kept), starts `attest serve` on a free port, signs in as a regional manager, a quality
//! officer and a site lead, and times repeated requests. It prints p50, p95 and the maximum per
//! endpoint and the server's resident memory against the budgets, as a markdown table. A
//! request that does not answer 200 is a failure, reported with its status and body; the
//! process then exits non-zero. Being over budget is reported, not failed.
//!
//! `cargo bench -p server --bench dashboards`
//!
//! Settings (environment):
//! - `ATTEST_BENCH_DIR`: where the SQLite database and server logs go (default
//!   `<target dir>/bench-data`);
//! - `ATTEST_BENCH_POSTGRES_URL`: a PostgreSQL URL whose user may create databases, e.g.
//!   `postgres://postgres@127.0.0.1:54329/postgres`; the network goes into a database named
//!   `attest_bench_<sites>_<years>` on that server (unset: PostgreSQL is skipped);
//! - `ATTEST_BENCH_SITES`, `ATTEST_BENCH_YEARS`: the network's size (default 150 and 10);
//! - `ATTEST_BENCH_REQUESTS`: timed requests per endpoint (default 200);
//! - `ATTEST_BENCH_RESEED=1`: seed again even if the network is there (after a change to the
//!   seed, e.g. new pre-aggregated figures).
//!
//! The server runs with its scheduled jobs switched off: their catch-up run at start-up would
//! work through the whole network while the requests are being timed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use server::config::DatabaseUrl;
use server::db::Db;

/// Requests made before timing starts, per endpoint.
const WARM_UP: usize = 10;
/// The resident memory budget of the server.
const RSS_BUDGET_MB: f64 = 200.0;

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum As {
    RegionalManager,
    QualityOfficer,
    SiteLead,
}

/// One endpoint to time, and its p95 budget.
struct Endpoint {
    name: &'static str,
    path: String,
    who: As,
    budget_ms: f64,
}

/// The timings of one endpoint, or why it failed.
struct Timing {
    name: &'static str,
    path: String,
    budget_ms: f64,
    times_ms: Vec<f64>,
    failure: Option<String>,
}

/// Where a network is, and what to call it in the report.
struct Target {
    engine: &'static str,
    url: String,
    /// For the server's files (logs, a generated signing key).
    dir: PathBuf,
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| {
            eprintln!("{name}={text} is not a whole number; using {default}");
            default
        }),
        Err(_) => default,
    }
}

fn main() -> ExitCode {
    let sites = env_number("ATTEST_BENCH_SITES", 150);
    let years = env_number("ATTEST_BENCH_YEARS", 10);
    let requests = env_number("ATTEST_BENCH_REQUESTS", 200).max(1) as usize;
    let reseed = std::env::var("ATTEST_BENCH_RESEED").is_ok_and(|v| !v.is_empty() && v != "0");
    let dir = std::env::var_os("ATTEST_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap_or(Path::new("target"))
                .join("bench-data")
        });
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut targets = vec![Target {
        engine: "SQLite",
        url: format!(
            "sqlite://{}/attest-bench-{sites}-{years}.db",
            absolute(&dir).display()
        ),
        dir: dir.join(format!("sqlite-{sites}-{years}")),
    }];
    match std::env::var("ATTEST_BENCH_POSTGRES_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            let name = format!("attest_bench_{sites}_{years}");
            match runtime.block_on(ensure_postgres_database(admin.trim(), &name, reseed)) {
                Ok(url) => targets.push(Target {
                    engine: "PostgreSQL",
                    url,
                    dir: dir.join(format!("postgres-{sites}-{years}")),
                }),
                Err(error) => {
                    eprintln!("PostgreSQL: cannot prepare database {name}: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => println!(
            "note: ATTEST_BENCH_POSTGRES_URL is not set, so PostgreSQL is skipped \
             (e.g. ATTEST_BENCH_POSTGRES_URL=$(scripts/postgres.sh start))"
        ),
    }

    let mut rows = Vec::new();
    let mut failed = false;
    for target in &targets {
        match runtime.block_on(bench(target, sites, years, requests, reseed)) {
            Ok((timings, memory)) => {
                failed |= timings.iter().any(|t| t.failure.is_some());
                rows.push((target.engine, timings, memory));
            }
            Err(error) => {
                eprintln!("{}: {error}", target.engine);
                failed = true;
            }
        }
    }
    print_report(&rows, sites, years, requests);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The URL of database `name` on the server of `admin`, created if absent (dropped first
/// when reseeding).
async fn ensure_postgres_database(admin: &str, name: &str, reseed: bool) -> Result<String, String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .map_err(|e| format!("cannot connect to ATTEST_BENCH_POSTGRES_URL: {e}"))?;
    if reseed {
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    let exists: Option<i32> = sqlx::query_scalar("select 1 from pg_database where datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    if exists.is_none() {
        // The name is made of digits and underscores here, never of input.
        sqlx::query(&format!("create database {name}"))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let server = base.rsplit_once('/').map(|(s, _)| s).unwrap_or(base);
    Ok(format!("{server}/{name}{query}"))
}

/// Seeds the target if needed, serves it, and times the endpoints.
async fn bench(
    target: &Target,
    sites: u64,
    years: u64,
    requests: usize,
    reseed: bool,
) -> Result<(Vec<Timing>, Memory), String> {
    std::fs::create_dir_all(&target.dir).map_err(|e| e.to_string())?;
    let url = DatabaseUrl::parse(&target.url).map_err(|e| e.to_string())?;
    if reseed {
        reset(&url).await?;
    }
    let (region, site) = match seeded_with(&url, sites, years).await? {
        Some(found) => {
            println!(
                "{}: the network of {sites} sites over {years} years is already seeded",
                target.engine
            );
            found
        }
        None => {
            reset(&url).await?;
            println!(
                "{}: seeding {sites} sites over {years} years (attest seed scale)…",
                target.engine
            );
            let started = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_attest"))
                .args(["seed", "scale", "--sites", &sites.to_string()])
                .args(["--years", &years.to_string()])
                .env("ATTEST_DATABASE_URL", &target.url)
                .env("RUST_LOG", "warn")
                .current_dir(&target.dir)
                .status()
                .map_err(|e| format!("cannot run attest: {e}"))?;
            if !status.success() {
                return Err(format!("attest seed scale failed ({status})"));
            }
            println!(
                "{}: seeded in {:.1} s",
                target.engine,
                started.elapsed().as_secs_f64()
            );
            seeded_with(&url, sites, years)
                .await?
                .ok_or("the seeded network has no marker")?
        }
    };

    let server = Server::start(target)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    server.wait_until_healthy(&client).await?;
    let region_lower = region.to_lowercase();
    let site_lower = site.to_lowercase();
    let mut tokens = Vec::new();
    for (who, email) in [
        (
            As::RegionalManager,
            format!("rm.{region_lower}@scale.example"),
        ),
        (As::QualityOfficer, "qo@scale.example".to_string()),
        (As::SiteLead, format!("lead.{site_lower}@scale.example")),
    ] {
        tokens.push((who, server.login(&client, &email).await?));
    }
    let token = |who: As| {
        tokens
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let endpoints = [
        Endpoint {
            name: "regional dashboard (regional manager)",
            path: format!("/api/v1/dashboard/region/{region}"),
            who: As::RegionalManager,
            budget_ms: 50.0,
        },
        Endpoint {
            name: "network dashboard (quality officer)",
            path: "/api/v1/dashboard/network".into(),
            who: As::QualityOfficer,
            budget_ms: 150.0,
        },
        Endpoint {
            name: "site dashboard (site lead)",
            path: format!("/api/v1/dashboard/site/{site}"),
            who: As::SiteLead,
            budget_ms: 50.0,
        },
        Endpoint {
            name: "overdue CAPAs of the region (regional manager)",
            path: format!("/api/v1/capas?region={region}&overdue=true"),
            who: As::RegionalManager,
            budget_ms: 30.0,
        },
        Endpoint {
            name: "site PT history (site lead)",
            path: format!("/api/v1/pt/sites/{site}/history"),
            who: As::SiteLead,
            budget_ms: 30.0,
        },
    ];
    let mut timings = Vec::new();
    for endpoint in &endpoints {
        let timing = server
            .time(&client, endpoint, &token(endpoint.who), requests)
            .await;
        match &timing.failure {
            Some(why) => eprintln!("{}: {} FAILED: {why}", target.engine, endpoint.path),
            None => println!(
                "{}: {} timed ({} requests)",
                target.engine,
                endpoint.path,
                timing.times_ms.len()
            ),
        }
        timings.push(timing);
    }
    let memory = server.memory();
    server.stop();
    Ok((timings, memory))
}

/// The region and site to measure, when the database holds a scale network of these sizes
/// (the `seed.scale` trail entry is written in the seed's transaction: it marks a complete
/// network).
async fn seeded_with(
    url: &DatabaseUrl,
    sites: u64,
    years: u64,
) -> Result<Option<(String, String)>, String> {
    if let DatabaseUrl::Sqlite { path, .. } = url {
        if !Path::new(path).exists() {
            return Ok(None);
        }
    }
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    let marker: Option<String> = sqlx::query_scalar(
        "select after_json from audit_trail where action = 'seed.scale' order by id desc limit 1",
    )
    .fetch_optional(db.pool())
    .await
    .unwrap_or(None);
    let found = match marker.and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok()) {
        Some(m) if m["sites"] == sites && m["years"] == years => {
            // The first site and its region: a busy region of the network.
            sqlx::query_as::<_, (String, String)>(
                "select c.region_code, s.code from sites s join countries c on c.code = s.country_code
                  order by s.id limit 1",
            )
            .fetch_optional(db.pool())
            .await
            .map_err(|e| e.to_string())?
        }
        _ => None,
    };
    db.close().await;
    Ok(found)
}

/// Empties the target before seeding: an interrupted or different seed leaves sites behind,
/// and `seed scale` only fills a database without any.
async fn reset(url: &DatabaseUrl) -> Result<(), String> {
    match url {
        DatabaseUrl::Sqlite { path, .. } => {
            for suffix in ["", "-wal", "-shm"] {
                let file = format!("{path}{suffix}");
                if Path::new(&file).exists() {
                    std::fs::remove_file(&file).map_err(|e| format!("{file}: {e}"))?;
                }
            }
            Ok(())
        }
        DatabaseUrl::Postgres { .. } => {
            let db = Db::connect(url).await.map_err(|e| e.to_string())?;
            let sites: i64 = sqlx::query_scalar("select count(*) from sites")
                .fetch_one(db.pool())
                .await
                .unwrap_or(0);
            db.close().await;
            if sites > 0 {
                return Err(format!(
                    "{} holds a network that is not the one asked for (or an interrupted one); run again with ATTEST_BENCH_RESEED=1 to start it afresh",
                    url.redacted()
                ));
            }
            Ok(())
        }
    }
}

/// The server's resident memory after the runs, in MB: (VmRSS, VmHWM).
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss_mb: Option<f64>,
    peak_mb: Option<f64>,
}

/// A `kB` line of `/proc/<pid>/status`, in MB.
fn status_mb(status: &str, key: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map(|kb| kb / 1024.0)
}

/// `attest serve` as a child process, stopped when dropped.
struct Server {
    child: Option<Child>,
    address: String,
    log: PathBuf,
}

impl Server {
    fn start(target: &Target) -> Result<Server, String> {
        // A free port: bound by the OS, released, then given to the server.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let log = target.dir.join("server.log");
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_attest"));
        command
            .arg("serve")
            .env("ATTEST_DATABASE_URL", &target.url)
            .env("ATTEST_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .current_dir(&target.dir)
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for job in [
            "SOP_REVIEW_DUE",
            "ACK_OVERDUE",
            "CAPA_OVERDUE",
            "PT_DEADLINE",
            "RADIOLOGY_QC_QUOTA",
            "AUDIT_REPORT_LATE",
            "MONTHLY_COMPLIANCE_REPORT",
            "EMAIL_DIGEST",
        ] {
            // An empty schedule switches the job off.
            command.env(format!("ATTEST_JOB_{job}"), "");
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start attest serve: {e}"))?;
        Ok(Server {
            child: Some(child),
            address: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    async fn wait_until_healthy(&self, client: &reqwest::Client) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            if let Ok(response) = client.get(format!("{}/healthz", self.address)).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(format!(
            "attest serve did not answer /healthz within two minutes; see {}",
            self.log.display()
        ))
    }

    async fn login(&self, client: &reqwest::Client, email: &str) -> Result<String, String> {
        let response = client
            .post(format!("{}/api/v1/auth/login", self.address))
            .json(&serde_json::json!({
                "email": email,
                "password": server::seed::demo::DEMO_PASSWORD,
            }))
            .send()
            .await
            .map_err(|e| format!("{email} cannot sign in: {e}"))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{email} cannot sign in: {status} {}", head(&body)));
        }
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_string))
            .ok_or_else(|| format!("{email}: no token in {}", head(&body)))
    }

    /// Warms up, then times `requests` sequential requests; stops at the first that fails.
    async fn time(
        &self,
        client: &reqwest::Client,
        endpoint: &Endpoint,
        token: &str,
        requests: usize,
    ) -> Timing {
        let mut timing = Timing {
            name: endpoint.name,
            path: endpoint.path.clone(),
            budget_ms: endpoint.budget_ms,
            times_ms: Vec::with_capacity(requests),
            failure: None,
        };
        let url = format!("{}{}", self.address, endpoint.path);
        for n in 0..WARM_UP + requests {
            let started = Instant::now();
            let outcome = match client.get(&url).bearer_auth(token).send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(_) if status.is_success() => Ok(()),
                        Ok(body) => Err(format!(
                            "status {status}, body: {}",
                            head(&String::from_utf8_lossy(&body))
                        )),
                        Err(error) => Err(format!("status {status}, body unreadable: {error}")),
                    }
                }
                Err(error) => Err(format!("no response: {error}")),
            };
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if let Err(why) = outcome {
                timing.failure = Some(why);
                break;
            }
            if n >= WARM_UP {
                timing.times_ms.push(elapsed);
            }
        }
        timing
    }

    fn memory(&self) -> Memory {
        match std::fs::read_to_string(format!("/proc/{}/status", self.pid())) {
            Ok(status) => Memory {
                rss_mb: status_mb(&status, "VmRSS:"),
                peak_mb: status_mb(&status, "VmHWM:"),
            },
            Err(_) => Memory::default(),
        }
    }

    /// Asks the server to shut down (SIGTERM, as an operator would), then kills it if it has
    /// not stopped within five seconds.
    fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The first 200 bytes of a body, on one line.
fn head(body: &str) -> String {
    let mut end = body.len().min(200);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].replace('\n', " ")
}

/// The nearest-rank percentile `q` (0–1) of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn verdict(value: f64, budget: f64) -> &'static str {
    if value <= budget {
        "within budget"
    } else {
        "OVER budget"
    }
}

fn print_report(rows: &[(&str, Vec<Timing>, Memory)], sites: u64, years: u64, requests: usize) {
    println!();
    println!(
        "### Dashboards at {sites} sites over {years} years ({requests} sequential requests per endpoint after {WARM_UP} to warm up)"
    );
    println!();
    println!("| database | endpoint | p50 ms | p95 ms | max ms | budget | verdict |");
    println!("|---|---|---:|---:|---:|---|---|");
    for (engine, timings, memory) in rows {
        for t in timings {
            let what = format!("{} `GET {}`", t.name, t.path);
            if let Some(why) = &t.failure {
                println!(
                    "| {engine} | {what} | – | – | – | p95 ≤ {} ms | FAILED: {} |",
                    t.budget_ms,
                    why.replace('|', "\\|")
                );
                continue;
            }
            let mut sorted = t.times_ms.clone();
            sorted.sort_by(f64::total_cmp);
            let p95 = percentile(&sorted, 0.95);
            println!(
                "| {engine} | {what} | {:.1} | {p95:.1} | {:.1} | p95 ≤ {} ms | {} |",
                percentile(&sorted, 0.5),
                sorted.last().copied().unwrap_or(f64::NAN),
                t.budget_ms,
                verdict(p95, t.budget_ms)
            );
        }
        for (label, value) in [
            (
                "server resident memory after the runs (VmRSS)",
                memory.rss_mb,
            ),
            ("server peak resident memory (VmHWM)", memory.peak_mb),
        ] {
            match value {
                Some(mb) => println!(
                    "| {engine} | {label} | | | {mb:.0} MB | ≤ {RSS_BUDGET_MB:.0} MB | {} |",
                    verdict(mb, RSS_BUDGET_MB)
                ),
                None => println!(
                    "| {engine} | {label} | | | – | ≤ {RSS_BUDGET_MB:.0} MB | not measured (no /proc) |"
                ),
            }
        }
    }
}
