//! SQL for sites.

use std::collections::HashMap;

use app::model::sites::{Site, SiteSummary};
use sqlx::FromRow;

use crate::auth::policy::ScopeFilter;
use crate::db::Db;

#[derive(FromRow)]
struct SiteRow {
    id: i64,
    code: String,
    name: String,
    city: String,
    country: String,
    country_code: String,
    region_code: String,
    region_name: String,
    timezone: String,
}

/// A site's services, lab tests and programmes, by kind.
#[derive(Default)]
struct Capabilities {
    services: Vec<String>,
    lab_tests: Vec<String>,
    programmes: Vec<String>,
}

const SELECT_SITES: &str = "
    select s.id, s.code, s.name, s.city, c.name as country, c.code as country_code,
           r.code as region_code, r.name as region_name, s.timezone
      from sites s
      join countries c on c.code = s.country_code
      join regions r on r.code = c.region_code
     where s.status = 'active'";

// One query for all three lists, so a page of sites costs two round trips, not 1 + 3n.
const SELECT_CAPABILITIES: &str = "
    select site_id, 'service' as kind, service as value from site_services
    union all
    select site_id, 'test' as kind, test as value from site_lab_tests
    union all
    select site_id, 'programme' as kind, programme as value from site_programmes";

/// The order people expect to read each list in (TB tests before serology; programmes as the
/// product brief lists them); unknown values go last, alphabetically.
fn sort_key(kind: &str, value: &str) -> (usize, String) {
    const SERVICES: [&str; 4] = ["radiology", "lab", "telerad_primary", "telerad_qc"];
    const TESTS: [&str; 8] = [
        "smear", "culture", "dst", "xpert", "syphilis", "hiv", "hbsag", "hcv",
    ];
    const PROGRAMMES: [&str; 5] = ["US", "CA", "AU", "UK", "NZ"];
    let order: &[&str] = match kind {
        "service" => &SERVICES,
        "test" => &TESTS,
        "programme" => &PROGRAMMES,
        _ => &[],
    };
    let rank = order
        .iter()
        .position(|x| *x == value)
        .unwrap_or(order.len());
    (rank, value.to_string())
}

async fn capabilities(db: &Db, site_id: Option<i64>) -> sqlx::Result<HashMap<i64, Capabilities>> {
    let rows: Vec<(i64, String, String)> = match site_id {
        Some(id) => {
            sqlx::query_as(&format!(
                "select site_id, kind, value from ({SELECT_CAPABILITIES}) x where site_id = $1"
            ))
            .bind(id)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query_as(SELECT_CAPABILITIES)
                .fetch_all(db.pool())
                .await?
        }
    };
    let mut by_site: HashMap<i64, Capabilities> = HashMap::new();
    for (site_id, kind, value) in rows {
        let entry = by_site.entry(site_id).or_default();
        match kind.as_str() {
            "service" => entry.services.push(value),
            "test" => entry.lab_tests.push(value),
            _ => entry.programmes.push(value),
        }
    }
    for entry in by_site.values_mut() {
        entry.services.sort_by_key(|v| sort_key("service", v));
        entry.lab_tests.sort_by_key(|v| sort_key("test", v));
        entry.programmes.sort_by_key(|v| sort_key("programme", v));
    }
    Ok(by_site)
}

pub async fn list(db: &Db, scope: &ScopeFilter) -> sqlx::Result<Vec<SiteSummary>> {
    let in_scope = ScopeFilter::sql("r.code", "s.code", 1);
    let rows: Vec<SiteRow> = sqlx::query_as(&format!(
        "{SELECT_SITES} and {in_scope} order by r.name, s.name"
    ))
    .bind(scope.kind)
    .bind(&scope.code)
    .fetch_all(db.pool())
    .await?;
    let mut capabilities = capabilities(db, None).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let caps = capabilities.remove(&row.id).unwrap_or_default();
            SiteSummary {
                code: row.code,
                name: row.name,
                city: row.city,
                country: row.country,
                region_code: row.region_code,
                region_name: row.region_name,
                services: caps.services,
            }
        })
        .collect())
}

pub async fn find(db: &Db, scope: &ScopeFilter, code: &str) -> sqlx::Result<Option<Site>> {
    let in_scope = ScopeFilter::sql("r.code", "s.code", 2);
    let row: Option<SiteRow> =
        sqlx::query_as(&format!("{SELECT_SITES} and s.code = $1 and {in_scope}"))
            .bind(code)
            .bind(scope.kind)
            .bind(&scope.code)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else { return Ok(None) };
    let caps = capabilities(db, Some(row.id))
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(Some(Site {
        code: row.code,
        name: row.name,
        city: row.city,
        country: row.country,
        country_code: row.country_code,
        region_code: row.region_code,
        region_name: row.region_name,
        timezone: row.timezone,
        services: caps.services,
        lab_tests: caps.lab_tests,
        programmes: caps.programmes,
    }))
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn lab_tests_read_tb_first_then_serology_and_unknown_tests_last() {
        let mut tests = vec!["hiv", "zika", "culture", "smear", "hbsag"];
        tests.sort_by_key(|t| sort_key("test", t));
        assert_eq!(tests, ["smear", "culture", "hiv", "hbsag", "zika"]);
    }
}
