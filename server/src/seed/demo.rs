//! `attest seed demo`: the 36-site demo network, safe to run any number of times.

use serde::Deserialize;

use app::model::auth::Role;

use crate::auth::passwords;
use crate::db::{now_text, Db};
use crate::trail::{self, Change, Who};
use crate::users::repo as users;

/// The password of every demo login (see the README).
pub const DEMO_PASSWORD: &str = "attest-demo-2026";

/// One login per role, plus more site leads for realism: (email, name, role, scope code).
const DEMO_USERS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin@attest.example", "Grace Mwangi", Role::Admin, None),
    (
        "qo@attest.example",
        "Tomás Herrera",
        Role::QualityOfficer,
        None,
    ),
    (
        "qo.lab@attest.example",
        "Ngozi Adeyemi",
        Role::QualityOfficer,
        None,
    ),
    (
        "rm.eha@attest.example",
        "Hana Tesfaye",
        Role::RegionalManager,
        Some("EHA"),
    ),
    (
        "rm.ap@attest.example",
        "Arjun Mehta",
        Role::RegionalManager,
        Some("AP"),
    ),
    (
        "lead.nbo@attest.example",
        "Amina Odhiambo",
        Role::SiteLead,
        Some("KEN-NBO"),
    ),
    (
        "staff.nbo@attest.example",
        "Peter Kamau",
        Role::Staff,
        Some("KEN-NBO"),
    ),
    (
        "lead.kla@attest.example",
        "Joseph Okello",
        Role::SiteLead,
        Some("UGA-KLA"),
    ),
    (
        "lead.mnl@attest.example",
        "Maria Santos",
        Role::SiteLead,
        Some("PHL-MNL"),
    ),
    (
        "lead.amm@attest.example",
        "Layla Haddad",
        Role::SiteLead,
        Some("JOR-AMM"),
    ),
    (
        "lead.ist@attest.example",
        "Elif Yılmaz",
        Role::SiteLead,
        Some("TUR-IST"),
    ),
];

/// The demo network, copied from the product's reference data.
const SITES_CSV: &str = include_str!("data/sites.csv");

/// One row of `data/sites.csv`; lists are separated by semicolons.
#[derive(Debug, Deserialize)]
struct SiteRecord {
    code: String,
    name: String,
    city: String,
    country: String,
    country_code: String,
    region_code: String,
    region_name: String,
    timezone: String,
    services: String,
    lab_tests: String,
    programmes: String,
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn demo_sites() -> Result<Vec<SiteRecord>, csv::Error> {
    csv::Reader::from_reader(SITES_CSV.as_bytes())
        .deserialize()
        .collect()
}

/// What a seed run wrote, for the command's output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub regions: usize,
    pub countries: usize,
    pub sites: usize,
    /// Demo users that exist after the run (new or already there).
    pub users: usize,
    /// Demo documents added by this run.
    pub documents: usize,
    /// Demo audits added by this run.
    pub audits: usize,
    /// Demo CAPAs added by this run (from audit findings; PT CAPAs open when events are scored).
    pub capas: usize,
    /// Demo PT events added by this run.
    pub pt_events: usize,
    /// Signed audit reports issued by this run.
    pub reports: usize,
}

/// Loads the demo network and demo users. Existing rows are updated in place, never
/// duplicated; a demo user whose password was changed keeps it.
#[tracing::instrument(skip_all, err)]
pub async fn seed(
    db: &Db,
    identity: &crate::reports::identity::SigningIdentity,
) -> Result<SeedSummary, crate::error::Error> {
    let records =
        demo_sites().map_err(|e| crate::error::Error::Internal(format!("demo data: {e}")))?;
    let password_hash = passwords::hash(DEMO_PASSWORD.to_string()).await?;
    let now = now_text();
    let mut write = db.begin_write().await?;
    let tx = write.conn();
    let mut summary = SeedSummary::default();
    let mut regions = std::collections::BTreeSet::new();
    let mut countries = std::collections::BTreeSet::new();

    for record in &records {
        if regions.insert(record.region_code.clone()) {
            sqlx::query(
                "insert into regions (code, name, created_at, updated_at) values ($1, $2, $3, $3)
                 on conflict (code) do update set name = excluded.name, updated_at = excluded.updated_at
                 where regions.name <> excluded.name",
            )
            .bind(&record.region_code)
            .bind(&record.region_name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        if countries.insert(record.country_code.clone()) {
            sqlx::query(
                "insert into countries (code, name, region_code, created_at, updated_at)
                 values ($1, $2, $3, $4, $4)
                 on conflict (code) do update
                    set name = excluded.name, region_code = excluded.region_code,
                        updated_at = excluded.updated_at
                  where countries.name <> excluded.name or countries.region_code <> excluded.region_code",
            )
            .bind(&record.country_code)
            .bind(&record.country)
            .bind(&record.region_code)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "insert into sites (code, name, city, country_code, timezone, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $6)
             on conflict (code) do update
                set name = excluded.name, city = excluded.city,
                    country_code = excluded.country_code, timezone = excluded.timezone,
                    updated_at = excluded.updated_at
              where sites.name <> excluded.name or sites.city <> excluded.city
                 or sites.country_code <> excluded.country_code
                 or sites.timezone <> excluded.timezone",
        )
        .bind(&record.code)
        .bind(&record.name)
        .bind(&record.city)
        .bind(&record.country_code)
        .bind(&record.timezone)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let site_id: i64 = sqlx::query_scalar("select id from sites where code = $1")
            .bind(&record.code)
            .fetch_one(&mut *tx)
            .await?;
        for (table, column, values) in [
            ("site_services", "service", &record.services),
            ("site_lab_tests", "test", &record.lab_tests),
            ("site_programmes", "programme", &record.programmes),
        ] {
            for value in list(values) {
                sqlx::query(&format!(
                    "insert into {table} (site_id, {column}) values ($1, $2) on conflict do nothing"
                ))
                .bind(site_id)
                .bind(value)
                .execute(&mut *tx)
                .await?;
            }
        }
        summary.sites += 1;
    }
    summary.regions = regions.len();
    summary.countries = countries.len();

    for &(email, name, role, scope_code) in DEMO_USERS {
        summary.users += 1;
        let exists: Option<i64> = sqlx::query_scalar("select id from users where email = $1")
            .bind(email)
            .fetch_optional(write.conn())
            .await?;
        if exists.is_some() {
            continue;
        }
        let (region_code, site_id) = match (role, scope_code) {
            (Role::SiteLead | Role::Staff, Some(code)) => {
                let id: i64 = sqlx::query_scalar("select id from sites where code = $1")
                    .bind(code)
                    .fetch_one(write.conn())
                    .await?;
                (None, Some(id))
            }
            (_, code) => (code.map(str::to_string), None),
        };
        let row = users::NewUserRow {
            email,
            name,
            role,
            region_code: region_code.clone(),
            site_id,
            password_hash: &password_hash,
            must_change_password: false,
        };
        let id = users::insert(&mut write, &row, &now).await?;
        let site_code = site_id.and(scope_code.map(str::to_string));
        let change = Change::new("user.create", "user", id)
            .site(site_code, region_code)
            .after(serde_json::json!({ "email": email, "name": name, "role": role.as_str(), "scope": scope_code }));
        trail::record(&mut write, &Who::system(), change).await?;
    }
    summary.documents = super::documents::seed(&mut write).await?;
    // PT before audits: the laboratory audits' PT gate reads the event scores.
    summary.pt_events = super::pt::seed(&mut write).await?;
    summary.audits = super::audits::seed(&mut write).await?;
    summary.capas = super::capa::seed(&mut write).await?;
    // Reports last: issuing closes audits whose finding CAPAs are all closed.
    summary.reports = super::reports::seed(&mut write, identity).await?;
    // The seeds write PT results and QC reads directly: the dashboards' monthly figures are
    // computed once from them.
    crate::dashboard::rollup::rebuild(write.conn()).await?;
    let change = Change::new("seed.demo", "network", "demo").after(serde_json::json!({
        "regions": summary.regions, "countries": summary.countries, "sites": summary.sites,
        "documents": summary.documents, "audits": summary.audits, "capas": summary.capas,
        "pt_events": summary.pt_events, "reports": summary.reports,
    }));
    trail::record(&mut write, &Who::system(), change).await?;
    write.commit().await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_network_has_36_sites_in_6_regions() {
        let sites = demo_sites().expect("the bundled CSV parses");
        assert_eq!(sites.len(), 36);
        let regions: std::collections::BTreeSet<_> =
            sites.iter().map(|s| s.region_code.as_str()).collect();
        assert_eq!(regions.len(), 6);
        let nairobi = sites.iter().find(|s| s.code == "KEN-NBO").unwrap();
        assert_eq!(nairobi.timezone, "Africa/Nairobi");
        assert_eq!(list(&nairobi.services).count(), 4);
    }

    #[test]
    fn a_region_name_with_a_comma_survives_quoting() {
        let sites = demo_sites().unwrap();
        let seeca = sites.iter().find(|s| s.region_code == "SEECA").unwrap();
        assert!(seeca.region_name.contains(','), "{}", seeca.region_name);
    }

    #[test]
    fn empty_lists_have_no_items() {
        assert_eq!(list("").count(), 0);
        assert_eq!(list("a; b;").collect::<Vec<_>>(), ["a", "b"]);
    }
}
