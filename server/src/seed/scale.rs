//! `attest seed scale --sites N --years Y`: a synthetic network of assessment centres at the size
//! of a large programme, for measuring the dashboards and lists against realistic volumes.
//!
//! Everything spans the Y years ending today: PT rounds with future deadlines, CAPAs due soon
//! and overdue, planned audits, SOP reviews due and overdue, pending acknowledgements. The
//! network is the same on every run of the same day (a seeded generator). Rows are written in
//! batches (see `batch`) in one transaction, with ids the seed gives, so that a 150-site,
//! ten-year network takes minutes. It only runs on a database without sites.

mod audits;
mod batch;
mod capa;
mod documents;
mod network;
mod pt;
mod qc;
mod trail;

use std::time::{Duration, Instant};

use chrono::{Months, NaiveDate, Utc};
use serde_json::json;

use crate::auth::passwords;
use crate::db::{now_text, Db};
use crate::documents::review::date_text;
use crate::error::Error;
use crate::trail::{Change, Who};

use self::batch::Writer;
use self::capa::CapaBook;
use self::trail::TrailLog;
use super::dice::Dice;

pub use self::network::EMAIL_DOMAIN;

/// How big a network to build.
#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    pub sites: usize,
    pub years: u32,
}

/// What the seed wrote and how long it took.
#[derive(Debug)]
pub struct ScaleSummary {
    pub sites: usize,
    pub regions: usize,
    pub first_day: NaiveDate,
    pub today: NaiveDate,
    /// Rows per table after seeding.
    pub counts: Vec<(&'static str, i64)>,
    pub elapsed: Duration,
    /// A region and a site code, to show the login pattern with.
    pub example_region: String,
    pub example_site: String,
}

/// A person of the network.
#[derive(Debug, Clone)]
struct Person {
    id: i64,
    email: String,
}

impl Person {
    fn who(&self) -> Who {
        Who {
            actor_id: Some(self.id),
            actor_email: Some(self.email.clone()),
            ..Who::default()
        }
    }
}

/// A region with its regional manager and regional quality officer.
#[derive(Debug)]
struct Region {
    code: String,
    rm: Person,
    qo: Person,
}

/// A site and what the seed needs to know about it.
#[derive(Debug)]
struct Site {
    id: i64,
    code: String,
    /// Index into [`Network::regions`].
    region: usize,
    lab: bool,
    radiology: bool,
    tests: Vec<&'static str>,
    lead: Person,
    staff: Vec<Person>,
    /// The audit score (%) the site's answers aim at.
    quality: i64,
    /// Radiology QC re-reads a month.
    qc_volume: u64,
}

/// The organisation the rest of the seed fills with work.
#[derive(Debug)]
struct Network {
    regions: Vec<Region>,
    sites: Vec<Site>,
    /// The global quality officers: general, and laboratory.
    qo: Person,
    qo_lab: Person,
}

impl Network {
    fn region_of(&self, site: &Site) -> &Region {
        &self.regions[site.region]
    }
}

/// The seed's calendar.
struct Context {
    today: NaiveDate,
    first_day: NaiveDate,
}

/// A timestamp on `date` at a working hour, as stored: RFC 3339 UTC.
fn stamp(date: NaiveDate, hour: u32) -> String {
    format!("{}T{hour:02}:00:00Z", date_text(date))
}

/// The tables the summary counts, in the order it lists them.
const COUNTED: &[&str] = &[
    "regions",
    "countries",
    "sites",
    "users",
    "documents",
    "document_versions",
    "document_reviews",
    "acknowledgements",
    "signatures",
    "checklist_templates",
    "template_items",
    "audits",
    "audit_answers",
    "findings",
    "pt_schemes",
    "pt_events",
    "pt_challenges",
    "pt_results",
    "pt_event_scores",
    "radiology_qc_reads",
    "site_month_figures",
    "capas",
    "capa_actions",
    "capa_checks",
    "audit_trail",
];

/// Builds the network; refuses (a conflict) when the database already has sites.
#[tracing::instrument(skip_all, fields(sites = options.sites, years = options.years))]
pub async fn seed(db: &Db, options: ScaleOptions) -> Result<ScaleSummary, Error> {
    let started = Instant::now();
    if options.sites == 0 || options.years == 0 || options.years > 50 {
        return Err(Error::Invalid {
            message: "Choose at least 1 site and between 1 and 50 years.".into(),
            fields: Vec::new(),
        });
    }
    let existing: i64 = sqlx::query_scalar("select count(*) from sites")
        .fetch_one(db.pool())
        .await?;
    if existing > 0 {
        return Err(Error::Conflict(format!(
            "this database already has {existing} sites; seed scale builds its network only in a fresh database (a new SQLite file or an empty PostgreSQL database)"
        )));
    }
    // One hash for every login: argon2 is slow on purpose.
    let password_hash = passwords::hash(super::demo::DEMO_PASSWORD.to_string()).await?;
    let today = Utc::now().date_naive();
    let first_day = today
        .checked_sub_months(Months::new(12 * options.years))
        .unwrap_or(today);
    let cx = Context { today, first_day };
    let mut dice = Dice(0x5CA1_E5EE_D000_0001);
    let mut w = Writer::begin(db).await?;
    let mut log = TrailLog::default();
    let phase = |name: &str| tracing::info!(elapsed = ?started.elapsed(), "scale seed: {name}");

    let net = network::seed(
        &mut w,
        &mut log,
        &cx,
        options.sites,
        &password_hash,
        &mut dice,
    )
    .await?;
    phase("network written");
    documents::seed(&mut w, &mut log, &cx, &net, &mut dice).await?;
    phase("documents written");
    let due_days = crate::capa::repo::due_days(w.tx().await?.conn()).await?;
    let mut capas = CapaBook::new(&cx, due_days);
    pt::seed(&mut w, &mut log, &cx, &net, &mut capas, &mut dice).await?;
    phase("PT written");
    qc::seed(&mut w, &cx, &net, &mut capas, &mut dice).await?;
    phase("radiology QC written");
    audits::seed(&mut w, &mut log, &cx, &net, &mut capas, &mut dice).await?;
    phase("audits written");
    capas.manual(&cx, &net, &mut dice);
    capas.write(&mut w, &mut log, &net).await?;
    phase("CAPAs written");
    let now = now_text();
    log.record(
        &now,
        &Who::system(),
        Change::new("seed.scale", "network", "scale").after(json!({
            "sites": options.sites,
            "years": options.years,
            "from": date_text(first_day),
            "to": date_text(today),
            "detail": format!("Synthetic network of {} sites over {} years loaded by attest seed scale", options.sites, options.years),
        })),
    );
    log.write(&mut w).await?;
    phase("audit trail written");
    // PT results and QC reads went in as raw rows: the dashboards' monthly figures are
    // computed from them once.
    crate::dashboard::rollup::rebuild(w.tx().await?.conn()).await?;
    phase("dashboard figures computed");
    w.commit().await?;
    phase("committed");
    if db.engine() == crate::db::Engine::Postgres {
        // Statistics for the planner right away, rather than whenever autovacuum gets to a
        // million new rows: measured, the regional dashboard went from 83 to 16 ms (p50).
        sqlx::query("analyze").execute(db.pool()).await?;
    }
    if db.engine() == crate::db::Engine::Sqlite {
        // Fold the write-ahead log (as big as the data) into the database file now, so the
        // file alone holds the network and the log does not linger at its size.
        sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(db.pool())
            .await?;
    }

    let mut counts = Vec::with_capacity(COUNTED.len());
    for table in COUNTED {
        let count: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(db.pool())
            .await?;
        counts.push((*table, count));
    }
    Ok(ScaleSummary {
        sites: net.sites.len(),
        regions: net.regions.len(),
        first_day,
        today,
        counts,
        elapsed: started.elapsed(),
        example_region: net
            .regions
            .first()
            .map(|r| r.code.to_lowercase())
            .unwrap_or_default(),
        example_site: net
            .sites
            .first()
            .map(|s| s.code.to_lowercase())
            .unwrap_or_default(),
    })
}
