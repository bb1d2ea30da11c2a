//! The command line: `attest [serve] | migrate | seed demo | seed scale | audit-trail verify | reports monthly | jobs list | jobs run NAME`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::Db;
use crate::error::StartupError;
use crate::jobs::{JobName, Jobs};
use crate::startup::{shutdown_signal, Application};
use crate::trail::Who;
use app::model::jobs::RunTrigger;

/// Attest: quality management and audit compliance for migration health assessment centres.
///
/// Configuration comes from the environment: ATTEST_DATABASE_URL (default
/// sqlite://data/attest.db), ATTEST_ADDR (default 127.0.0.1:3000), ATTEST_SITE_ROOT (default
/// target/site) and RUST_LOG.
#[derive(Debug, Parser)]
#[command(name = "attest", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the web application and API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load data into the database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Check the tamper-evident audit trail.
    #[command(subcommand, name = "audit-trail")]
    AuditTrail(AuditTrailCommand),
    /// Issue signed reports.
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// The scheduled jobs: list them, or run one now.
    #[command(subcommand)]
    Jobs(JobsCommand),
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Every job with its cron expression, time zone and next run.
    List,
    /// Runs one occurrence of a job now, prints what it flagged, and e-mails the new
    /// notifications when SMTP is configured.
    Run {
        /// The job's name, e.g. sop-review-due (`attest jobs list` shows them all).
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// Issue the monthly compliance report of every region (or one) for a month that is over;
    /// a month already issued is left as it is.
    Monthly {
        /// The month, `YYYY-MM`.
        #[arg(long)]
        period: String,
        /// One region's code (default: every region).
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditTrailCommand {
    /// Walk the hash chain: prints `ok N entries` (exit 0) or the first broken entry (exit 1).
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// The 36-site demo network and one login per role; safe to run more than once.
    Demo,
    /// A synthetic network of N sites with Y years of audits, PT, radiology QC, CAPAs and
    /// documents ending today, for measuring at scale; only into a database without sites.
    Scale {
        /// How many sites.
        #[arg(long)]
        sites: usize,
        /// How many years of history, ending today.
        #[arg(long)]
        years: u32,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode, StartupError> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(&config).await?;
            tracing::info!(
                addr = %app.local_addr(),
                database = %config.database_url.redacted(),
                "attest is listening on http://{}", app.local_addr()
            );
            app.run_until(shutdown_signal())
                .await
                .map_err(|error| StartupError::Other(format!("server stopped: {error}")))?;
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            println!("migrations applied to {}", config.database_url.redacted());
        }
        Command::Seed(SeedCommand::Demo) => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let identity =
                crate::reports::identity::SigningIdentity::load_or_create(&config.signing)?;
            let summary = crate::seed::demo::seed(&db, &identity)
                .await
                .map_err(|error| StartupError::Other(format!("seeding failed: {error}")))?;
            println!(
                "demo network ready: {} regions, {} countries, {} sites, {} demo users (password: {}), {} documents, {} PT events, {} audits, {} CAPAs and {} signed audit reports added",
                summary.regions,
                summary.countries,
                summary.sites,
                summary.users,
                crate::seed::demo::DEMO_PASSWORD,
                summary.documents,
                summary.pt_events,
                summary.audits,
                summary.capas,
                summary.reports
            );
        }
        Command::Seed(SeedCommand::Scale { sites, years }) => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let options = crate::seed::scale::ScaleOptions { sites, years };
            let summary =
                crate::seed::scale::seed(&db, options)
                    .await
                    .map_err(|error| match error {
                        // A refusal is the whole message: one line, exit code 1.
                        crate::error::Error::Conflict(message)
                        | crate::error::Error::Invalid { message, .. } => {
                            StartupError::Other(message)
                        }
                        other => StartupError::Other(format!("seeding failed: {other}")),
                    })?;
            print_scale_summary(&summary);
        }
        Command::Reports(ReportsCommand::Monthly { period, region }) => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let identity =
                crate::reports::identity::SigningIdentity::load_or_create(&config.signing)?;
            let regions = match region {
                Some(code) => vec![code],
                None => {
                    let mut conn = db
                        .pool()
                        .acquire()
                        .await
                        .map_err(|e| StartupError::Other(e.to_string()))?;
                    crate::reports::repo::region_codes(&mut conn)
                        .await
                        .map_err(|e| StartupError::Other(e.to_string()))?
                }
            };
            // One region failing does not stop the others; the exit code says something did.
            let mut failed = 0;
            for code in regions {
                match crate::reports::issue_regional_report(&db, &identity, &code, &period).await {
                    Ok((report, created)) => println!(
                        "{} {} sha256 {} ({} bytes)",
                        report.reference,
                        if created { "issued" } else { "already issued" },
                        report.sha256,
                        report.size
                    ),
                    Err(error) => {
                        failed += 1;
                        let detail = error.form_message(&error.to_string());
                        eprintln!("attest: {code}: {detail}");
                    }
                }
            }
            if failed > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Jobs(JobsCommand::List) => {
            let now = chrono::Utc::now();
            println!(
                "{:<27} {:<14} {:<16} next run (UTC)",
                "job", "cron", "time zone"
            );
            for job in JobName::ALL {
                let schedule = config.jobs.schedule(*job);
                let next = schedule
                    .next_after(now)
                    .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "disabled".into());
                let expression = if schedule.is_enabled() {
                    schedule.expression.as_str()
                } else {
                    "-"
                };
                println!(
                    "{:<27} {:<14} {:<16} {next}",
                    job.as_str(),
                    expression,
                    schedule.zone.name()
                );
            }
        }
        Command::Jobs(JobsCommand::Run { name }) => {
            let Some(job) = JobName::parse(&name) else {
                eprintln!(
                    "attest: there is no job '{name}'. The jobs are: {}.",
                    JobName::names()
                );
                return Ok(ExitCode::from(2));
            };
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let identity =
                crate::reports::identity::SigningIdentity::load_or_create(&config.signing)?;
            let jobs = Jobs::new(
                db.clone(),
                std::sync::Arc::new(identity),
                config.jobs.clone(),
                crate::startup::outbox(&config)?,
            );
            let failed = |e: crate::error::Error| StartupError::Other(format!("{name}: {e}"));
            let run = jobs
                .run(job, chrono::Utc::now(), RunTrigger::Manual, &Who::system())
                .await
                .map_err(failed)?
                .ok_or_else(|| StartupError::Other(format!("{name}: already running")))?;
            for line in run.summary.lines() {
                println!("  {line}");
            }
            println!(
                "{name}: {} ({} flagged, {} new notifications)",
                run.outcome.label().to_lowercase(),
                run.flagged,
                run.notified
            );
            if let Some(error) = &run.error {
                eprintln!("attest: {name} failed: {error}");
                return Ok(ExitCode::FAILURE);
            }
            if jobs.outbox().enabled() {
                let delivery = jobs.outbox().deliver_now(&db).await.map_err(failed)?;
                println!(
                    "e-mail: {} sent, {} to retry, {} failed",
                    delivery.sent, delivery.retrying, delivery.failed
                );
            } else {
                println!("e-mail: off (ATTEST_SMTP_HOST is not set); notifications are in the app");
            }
        }
        Command::AuditTrail(AuditTrailCommand::Verify) => {
            let db = Db::connect(&config.database_url).await?;
            let outcome = crate::trail::verify(&db).await.map_err(|error| {
                StartupError::Other(format!("cannot read the audit trail: {error}"))
            })?;
            return Ok(match outcome {
                crate::trail::Verification::Intact { entries } => {
                    println!("ok {entries} entries");
                    ExitCode::SUCCESS
                }
                crate::trail::Verification::Broken {
                    entries_checked,
                    id,
                    reason,
                } => {
                    println!("broken at entry {id}: {reason} ({entries_checked} entries checked)");
                    ExitCode::FAILURE
                }
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `seed scale` wrote, how long it took, and how to sign in.
fn print_scale_summary(summary: &crate::seed::scale::ScaleSummary) {
    println!(
        "scale network ready in {:.1} s: {} sites in {} regions, {} to {}",
        summary.elapsed.as_secs_f64(),
        summary.sites,
        summary.regions,
        summary.first_day,
        summary.today
    );
    for (table, count) in &summary.counts {
        println!("  {table:<22} {count:>10}");
    }
    let domain = crate::seed::scale::EMAIL_DOMAIN;
    let (region, site) = (&summary.example_region, &summary.example_site);
    println!("logins (password {}):", crate::seed::demo::DEMO_PASSWORD);
    for (login, who) in [
        (format!("admin@{domain}"), "administrator".to_string()),
        (
            format!("qo@{domain}, qo.lab@{domain}"),
            "quality officers (global)".to_string(),
        ),
        (
            format!("qo.<region>@{domain}"),
            format!("regional quality officer, e.g. qo.{region}@{domain}"),
        ),
        (
            format!("rm.<region>@{domain}"),
            format!("regional manager, e.g. rm.{region}@{domain}"),
        ),
        (
            format!("lead.<site>@{domain}"),
            format!("site lead, e.g. lead.{site}@{domain}"),
        ),
        (
            format!("staff1..3.<site>@{domain}"),
            format!("staff, e.g. staff1.{site}@{domain}"),
        ),
    ] {
        println!("  {login:<40} {who}");
    }
}
