//! The `attest` binary's command line and its answers to configuration mistakes: one clear line
//! naming the setting, a non-zero exit, never a panic.

use std::process::{Command, Output};

fn attest(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("ATTEST_DATABASE_URL")
        .env_remove("ATTEST_ADDR")
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .output()
        .expect("attest runs")
}

fn assert_clear_failure(output: &Output, setting: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1), "exit code; stderr: {stderr}");
    assert!(stderr.contains(setting), "names {setting}: {stderr}");
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "no backtrace hint: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn help_lists_the_subcommands() {
    let output = attest(&["--help"], &[]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "migrate", "seed"] {
        assert!(
            help.contains(command),
            "{command} missing from --help: {help}"
        );
    }
}

#[test]
fn seed_demo_creates_the_database_file_and_reports_what_it_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/attest.db", dir.path().display());
    let output = attest(&["seed", "demo"], &[("ATTEST_DATABASE_URL", &url)]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(stdout.contains("36 sites"));
    assert!(stdout.contains("signed audit reports"), "{stdout}");
    assert!(dir.path().join("data/attest.db").exists());
    // No signing pair was configured: one was generated beside the database, key private.
    let key = dir.path().join("data/signing/attest-signing-key.pem");
    assert!(
        key.exists()
            && dir
                .path()
                .join("data/signing/attest-signing-cert.pem")
                .exists()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The monthly report of a region, issued from the command line, once.
    let today = chrono::Utc::now().date_naive();
    let first = today - chrono::Days::new(u64::from(chrono::Datelike::day(&today)) - 1);
    let period = (first - chrono::Days::new(1)).format("%Y-%m").to_string();
    let args = ["reports", "monthly", "--period", &period, "--region", "EHA"];
    let output = attest(&args, &[("ATTEST_DATABASE_URL", &url)]);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with(&format!("RR-EHA-{period} issued sha256 ")),
        "{stdout}"
    );
    let output = attest(&args, &[("ATTEST_DATABASE_URL", &url)]);
    let again = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(again.contains("already issued"), "{again}");

    // A job run by hand prints what it flagged; the second run notifies no one again.
    let output = attest(
        &["jobs", "run", "sop-review-due"],
        &[("ATTEST_DATABASE_URL", &url)],
    );
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("LAB-SOP-012"), "{stdout}");
    assert!(stdout.contains("review due in"), "{stdout}");
    let flagged = stdout
        .lines()
        .find(|l| l.starts_with("sop-review-due: succeeded"))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_string();
    assert!(stdout.contains("e-mail: off"), "{stdout}");
    let output = attest(
        &["jobs", "run", "sop-review-due"],
        &[("ATTEST_DATABASE_URL", &url)],
    );
    let again = String::from_utf8_lossy(&output.stdout).to_string();
    let (count, _) = flagged
        .trim_start_matches("sop-review-due: succeeded (")
        .split_once(' ')
        .unwrap();
    assert!(
        again.contains(&format!("({count} flagged, 0 new notifications)")),
        "{flagged} then {again}"
    );
}

#[test]
fn jobs_list_shows_every_job_with_its_schedule() {
    let output = attest(
        &["jobs", "list"],
        &[
            ("ATTEST_JOB_PT_DEADLINE", "30 5 * * 1-5"),
            ("ATTEST_JOB_PT_DEADLINE_TIMEZONE", "Asia/Manila"),
            ("ATTEST_JOB_EMAIL_DIGEST", ""),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stdout}");
    for job in [
        "sop-review-due",
        "ack-overdue",
        "capa-overdue",
        "pt-deadline",
        "radiology-qc-quota",
        "audit-report-late",
        "monthly-compliance-report",
        "email-digest",
    ] {
        assert!(stdout.contains(job), "{job} in {stdout}");
    }
    let pt = stdout
        .lines()
        .find(|l| l.starts_with("pt-deadline"))
        .unwrap();
    assert!(
        pt.contains("30 5 * * 1-5") && pt.contains("Asia/Manila"),
        "{pt}"
    );
    let digest = stdout
        .lines()
        .find(|l| l.starts_with("email-digest"))
        .unwrap();
    assert!(digest.contains("disabled"), "{digest}");
}

#[test]
fn an_unknown_job_lists_the_valid_names() {
    let output = attest(&["jobs", "run", "sop-reviews"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no job 'sop-reviews'"), "{stderr}");
    assert!(stderr.contains("sop-review-due, ack-overdue"), "{stderr}");
}

#[test]
fn an_invalid_cron_expression_stops_the_server_naming_the_job() {
    let output = attest(&["serve"], &[("ATTEST_JOB_CAPA_OVERDUE", "0 25 * * *")]);
    let stderr = assert_clear_failure(&output, "ATTEST_JOB_CAPA_OVERDUE");
    assert!(stderr.contains("job capa-overdue"), "{stderr}");
    assert!(stderr.contains("'0 25 * * *'"), "{stderr}");
}

#[test]
fn incomplete_smtp_settings_stop_the_server() {
    let output = attest(&["serve"], &[("ATTEST_SMTP_HOST", "mail.example.org")]);
    assert_clear_failure(&output, "ATTEST_SMTP_FROM");
}

#[test]
fn a_configured_signing_key_that_is_missing_stops_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/attest.db", dir.path().display());
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let output = attest(
        &["seed", "demo"],
        &[
            ("ATTEST_DATABASE_URL", &url),
            ("ATTEST_SIGNING_CERT", &cert.display().to_string()),
            ("ATTEST_SIGNING_KEY", "/nowhere/attest-key.pem"),
        ],
    );
    let stderr = assert_clear_failure(&output, "ATTEST_SIGNING_CERT");
    assert!(stderr.contains("cert.pem"), "{stderr}");
    // With a readable certificate, the missing key is named.
    let identity = server::reports::identity::SigningIdentity::generate("CLI test").unwrap();
    let paths = server::reports::identity::SigningPaths {
        certificate: cert.clone(),
        key: dir.path().join("key.pem"),
        configured: true,
    };
    identity.store(&paths).unwrap();
    let output = attest(
        &["serve"],
        &[
            ("ATTEST_DATABASE_URL", &url),
            ("ATTEST_ADDR", "127.0.0.1:0"),
            ("ATTEST_SIGNING_CERT", &cert.display().to_string()),
            ("ATTEST_SIGNING_KEY", "/nowhere/attest-key.pem"),
        ],
    );
    let stderr = assert_clear_failure(&output, "ATTEST_SIGNING_KEY");
    assert!(stderr.contains("/nowhere/attest-key.pem"), "{stderr}");
}

#[test]
fn unknown_database_scheme_is_rejected_clearly() {
    let output = attest(
        &["migrate"],
        &[("ATTEST_DATABASE_URL", "mysql://localhost/attest")],
    );
    let stderr = assert_clear_failure(&output, "ATTEST_DATABASE_URL");
    assert!(
        stderr.contains("unknown database scheme 'mysql'"),
        "{stderr}"
    );
}

#[test]
fn unreachable_database_is_reported_without_its_password() {
    let output = attest(
        &["migrate"],
        &[(
            "ATTEST_DATABASE_URL",
            "postgres://attest:hunter2hunter2@127.0.0.1:1/attest",
        )],
    );
    let stderr = assert_clear_failure(&output, "ATTEST_DATABASE_URL");
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "password leaked: {stderr}");
}

#[test]
fn unwritable_data_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where a folder should be: no user, root included, can create it.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"").unwrap();
    let url = format!("sqlite://{}/data/attest.db", blocker.display());
    let output = attest(&["migrate"], &[("ATTEST_DATABASE_URL", &url)]);
    let stderr = assert_clear_failure(&output, "ATTEST_DATABASE_URL");
    assert!(stderr.contains("data directory"), "{stderr}");
}

#[test]
fn port_in_use_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/attest.db", dir.path().display());
    let output = attest(
        &["serve"],
        &[("ATTEST_DATABASE_URL", &url), ("ATTEST_ADDR", &addr)],
    );
    let stderr = assert_clear_failure(&output, "ATTEST_ADDR");
    assert!(stderr.contains(&addr), "{stderr}");
}

#[test]
fn malformed_address_is_reported() {
    let output = attest(&["serve"], &[("ATTEST_ADDR", "localhost")]);
    assert_clear_failure(&output, "ATTEST_ADDR");
}

#[test]
fn seed_scale_builds_a_plausible_network_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/scale.db", dir.path().display());
    let env = [("ATTEST_DATABASE_URL", url.as_str())];
    let args = ["seed", "scale", "--sites", "6", "--years", "2"];
    let output = attest(&args, &env);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("6 sites in 6 regions"), "{stdout}");
    assert!(stdout.contains("lead.<site>@scale.example"), "{stdout}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = server::db::Db::connect(&server::config::DatabaseUrl::parse(&url).unwrap())
            .await
            .unwrap();
        let scalar = |sql: &'static str| {
            let pool = db.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        };
        // An administrator, two global quality officers, a manager and a quality officer per
        // region, a lead and three staff per site.
        assert_eq!(scalar("select count(*) from users").await, 1 + 2 + 6 * 2 + 6 * 4);
        let states: Vec<String> =
            sqlx::query_scalar("select distinct state from capas order by state")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(
            states,
            [
                "action_plan",
                "cancelled",
                "closed",
                "containment",
                "effectiveness_check",
                "implementing",
                "open",
                "plan_approved",
                "rejected",
                "root_cause"
            ]
        );
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        for (what, sql) in [
            ("PT results", "select count(*) from pt_results where verdict is not null"),
            ("unsatisfactory PT results", "select count(*) from pt_results where verdict = 'unsatisfactory'"),
            ("radiology QC reads", "select count(*) from radiology_qc_reads"),
            ("planned audits", "select count(*) from audits where state = 'planned'"),
            ("pending acknowledgements", "select count(*) from acknowledgements where status = 'pending'"),
        ] {
            assert!(scalar(sql).await > 0, "{what}");
        }
        for (what, sql) in [
            ("open PT rounds", "select count(*) from pt_events where status = 'open' and deadline > $1"),
            ("overdue CAPAs", "select count(*) from capas where state not in ('closed', 'rejected', 'cancelled') and due_date < $1"),
        ] {
            let count: i64 = sqlx::query_scalar(sql)
                .bind(&today)
                .fetch_one(db.pool())
                .await
                .unwrap();
            assert!(count > 0, "{what}");
        }
        assert!(scalar("select count(*) from pt_results").await > 5_000);
        assert!(scalar("select count(*) from radiology_qc_reads").await > 3_000);
        db.close().await;
    });

    let output = attest(&["audit-trail", "verify"], &env);
    let verified = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success() && verified.starts_with("ok "),
        "{verified}"
    );

    // A network exists: the second run refuses, in one line, and changes nothing.
    let output = attest(&args, &env);
    let stderr = assert_clear_failure(&output, "already has 6 sites");
    assert!(stderr.contains("fresh database"), "{stderr}");
}
