//! `attest seed demo`: the 36-site demo network, safe to run any number of times.

use serde::Deserialize;

use crate::db::{now_text, Db};

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
}

/// Loads the demo network. Existing rows are updated in place, never duplicated.
#[tracing::instrument(skip_all, err)]
pub async fn seed(db: &Db) -> Result<SeedSummary, sqlx::Error> {
    let records = demo_sites().map_err(|e| sqlx::Error::Protocol(format!("demo data: {e}")))?;
    let now = now_text();
    let mut tx = db.pool().begin().await?;
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
    tx.commit().await?;
    summary.regions = regions.len();
    summary.countries = countries.len();
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
