//! The organisation of the scale network: regions, countries and sites (from
//! `data/scale-places.csv`, taken a region at a time so that any number of sites spans every
//! region), what each site does, and the people: an administrator, quality officers, a regional
//! manager per region, a site lead and three staff per site.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use app::model::auth::Role;

use crate::seed::dice::Dice;
use crate::trail::{Change, Who};

use super::batch::{row, Table, Writer};
use super::trail::TrailLog;
use super::{stamp, Context, Network, Person, Region, Site};

const PLACES_CSV: &str = include_str!("../data/scale-places.csv");

/// The domain of every scale login.
pub const EMAIL_DOMAIN: &str = "scale.example";

/// Staff members per site (besides its lead).
pub(super) const STAFF_PER_SITE: usize = 3;

/// One row of `data/scale-places.csv`: a country and its cities, `CODE Name;CODE Name`.
#[derive(Debug, Deserialize)]
struct PlaceRecord {
    region_code: String,
    region_name: String,
    country_code: String,
    prefix: String,
    country: String,
    timezone: String,
    cities: String,
}

/// Where one site of the network is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    pub code: String,
    pub name: String,
    pub city: String,
    pub country_code: String,
    pub country: String,
    pub region_code: String,
    pub region_name: String,
    pub timezone: String,
}

fn records() -> Result<Vec<PlaceRecord>, csv::Error> {
    csv::Reader::from_reader(PLACES_CSV.as_bytes())
        .deserialize()
        .collect()
}

/// The first `n` places: one city of each region in turn (within a region, one city of each
/// country in turn), so that a small network still spans regions and countries. Past the list,
/// the same cities get second (third, …) centres: `KEN-NBO2`.
pub(super) fn places(n: usize) -> Result<Vec<Place>, csv::Error> {
    let records = records()?;
    // Region → its cities, countries interleaved.
    let mut regions: Vec<(String, Vec<Place>)> = Vec::new();
    let mut by_region: BTreeMap<String, Vec<Vec<Place>>> = BTreeMap::new();
    for r in &records {
        if !regions.iter().any(|(code, _)| *code == r.region_code) {
            regions.push((r.region_code.clone(), Vec::new()));
        }
        let cities = r
            .cities
            .split(';')
            .filter_map(|c| c.trim().split_once(' '))
            .map(|(code, city)| Place {
                code: format!("{}-{}", r.prefix, code),
                name: format!("{city} Health Assessment Centre"),
                city: city.to_string(),
                country_code: r.country_code.clone(),
                country: r.country.clone(),
                region_code: r.region_code.clone(),
                region_name: r.region_name.clone(),
                timezone: r.timezone.clone(),
            })
            .collect();
        by_region
            .entry(r.region_code.clone())
            .or_default()
            .push(cities);
    }
    for (code, interleaved) in regions.iter_mut() {
        let countries = by_region.remove(code).unwrap_or_default();
        let longest = countries.iter().map(Vec::len).max().unwrap_or(0);
        for k in 0..longest {
            interleaved.extend(countries.iter().filter_map(|c| c.get(k).cloned()));
        }
    }
    let mut order = Vec::new();
    let longest = regions.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
    for k in 0..longest {
        order.extend(regions.iter().filter_map(|(_, p)| p.get(k).cloned()));
    }
    let mut chosen = Vec::with_capacity(n);
    for k in 0..n {
        let Some(base) = order.get(k % order.len().max(1)) else {
            break;
        };
        let round = k / order.len();
        chosen.push(if round == 0 {
            base.clone()
        } else {
            Place {
                code: format!("{}{}", base.code, round + 1),
                name: format!("{} {}", base.name, round + 1),
                ..base.clone()
            }
        });
    }
    Ok(chosen)
}

const FIRST_NAMES: &[&str] = &[
    "Amina", "Joseph", "Maria", "Layla", "Elif", "Peter", "Grace", "Tomás", "Ngozi", "Hana",
    "Arjun", "Fatima", "Samuel", "Leila", "Daniel", "Aisha", "Mehmet", "Nadia", "Kwame", "Rosa",
    "Tariq", "Mei", "Ibrahim", "Sofia", "Yusuf", "Anh", "Olga", "Chinedu", "Priya", "Omar",
];
const LAST_NAMES: &[&str] = &[
    "Odhiambo", "Okello", "Santos", "Haddad", "Yılmaz", "Kamau", "Mwangi", "Herrera", "Adeyemi",
    "Tesfaye", "Mehta", "Rahman", "Mensah", "Nguyen", "Diallo", "Kaya", "Reyes", "Banda", "Petrov",
    "Hussein", "Chanda", "Silva", "Osei", "Khan", "Tran", "Bakr", "Moyo", "Ali",
];

fn name(dice: &mut Dice) -> String {
    format!(
        "{} {}",
        FIRST_NAMES[dice.below(FIRST_NAMES.len() as u64) as usize],
        LAST_NAMES[dice.below(LAST_NAMES.len() as u64) as usize]
    )
}

/// The lab tests a laboratory may run, with the share of laboratories that run each.
const LAB_TESTS: &[(&str, u64)] = &[
    ("smear", 100),
    ("xpert", 95),
    ("syphilis", 95),
    ("hiv", 90),
    ("culture", 50),
    ("hbsag", 50),
    ("dst", 20),
    ("hcv", 20),
];

const PROGRAMMES: &[(&str, u64)] = &[("US", 90), ("CA", 70), ("AU", 60), ("UK", 50), ("NZ", 20)];

/// Writes the organisation and its people; returns them for the rest of the seed.
pub(super) async fn seed(
    w: &mut Writer,
    log: &mut TrailLog,
    cx: &Context,
    n: usize,
    password_hash: &str,
    dice: &mut Dice,
) -> Result<Network, crate::error::Error> {
    let chosen =
        places(n).map_err(|e| crate::error::Error::Internal(format!("scale places: {e}")))?;
    let created = stamp(cx.first_day, 7);
    let mut regions: Vec<Region> = Vec::new();
    let mut countries: Vec<&str> = Vec::new();
    let mut people = People {
        password_hash,
        created: &created,
    };
    people
        .add(w, log, "admin", "Grace Mwangi", Role::Admin, None, None)
        .await?;
    let qo = people
        .add(
            w,
            log,
            "qo",
            "Tomás Herrera",
            Role::QualityOfficer,
            None,
            None,
        )
        .await?;
    let qo_lab = people
        .add(
            w,
            log,
            "qo.lab",
            "Ngozi Adeyemi",
            Role::QualityOfficer,
            None,
            None,
        )
        .await?;
    for place in &chosen {
        if regions.iter().all(|r| r.code != place.region_code) {
            w.push(
                Table::Regions,
                row![
                    place.region_code.as_str(),
                    place.region_name.as_str(),
                    created.as_str(),
                    created.as_str()
                ],
            )
            .await?;
            let local = place.region_code.to_lowercase();
            let rm = people
                .add(
                    w,
                    log,
                    &format!("rm.{local}"),
                    &name(dice),
                    Role::RegionalManager,
                    Some(&place.region_code),
                    None,
                )
                .await?;
            let region_qo = people
                .add(
                    w,
                    log,
                    &format!("qo.{local}"),
                    &name(dice),
                    Role::QualityOfficer,
                    Some(&place.region_code),
                    None,
                )
                .await?;
            regions.push(Region {
                code: place.region_code.clone(),
                rm,
                qo: region_qo,
            });
        }
        if !countries.contains(&place.country_code.as_str()) {
            countries.push(&place.country_code);
            w.push(
                Table::Countries,
                row![
                    place.country_code.as_str(),
                    place.country.as_str(),
                    place.region_code.as_str(),
                    created.as_str(),
                    created.as_str()
                ],
            )
            .await?;
        }
    }
    let mut sites = Vec::with_capacity(chosen.len());
    for place in chosen {
        let id = w.next_id(Table::Sites);
        w.push(
            Table::Sites,
            row![
                id,
                place.code.as_str(),
                place.name.as_str(),
                place.city.as_str(),
                place.country_code.as_str(),
                place.timezone.as_str(),
                created.as_str(),
                created.as_str()
            ],
        )
        .await?;
        let radiology = dice.chance(96);
        let lab = dice.chance(80) || !radiology;
        let mut services = Vec::new();
        if radiology {
            services.push("radiology");
        }
        if lab {
            services.push("lab");
        }
        if radiology && dice.chance(5) {
            services.push("telerad_primary");
        }
        if radiology && dice.chance(2) {
            services.push("telerad_qc");
        }
        for service in services {
            w.push(Table::SiteServices, row![id, service]).await?;
        }
        let tests: Vec<&'static str> = if lab {
            LAB_TESTS
                .iter()
                .filter(|(_, share)| dice.chance(*share))
                .map(|(test, _)| *test)
                .collect()
        } else {
            Vec::new()
        };
        for test in &tests {
            w.push(Table::SiteLabTests, row![id, *test]).await?;
        }
        let mut programmes: Vec<&str> = PROGRAMMES
            .iter()
            .filter(|(_, share)| dice.chance(*share))
            .map(|(p, _)| *p)
            .collect();
        if programmes.is_empty() {
            programmes.push("US");
        }
        for programme in programmes {
            w.push(Table::SiteProgrammes, row![id, programme]).await?;
        }
        let local = place.code.to_lowercase();
        let lead = people
            .add(
                w,
                log,
                &format!("lead.{local}"),
                &name(dice),
                Role::SiteLead,
                None,
                Some((id, &place.code, &place.region_code)),
            )
            .await?;
        let mut staff = Vec::with_capacity(STAFF_PER_SITE);
        for k in 1..=STAFF_PER_SITE {
            staff.push(
                people
                    .add(
                        w,
                        log,
                        &format!("staff{k}.{local}"),
                        &name(dice),
                        Role::Staff,
                        None,
                        Some((id, &place.code, &place.region_code)),
                    )
                    .await?,
            );
        }
        let region = regions
            .iter()
            .position(|r| r.code == place.region_code)
            .unwrap_or(0);
        sites.push(Site {
            id,
            code: place.code,
            region,
            lab,
            radiology,
            tests,
            lead,
            staff,
            // Audit scores aim here: most sites do well, some struggle.
            quality: 55 + dice.below(41) as i64,
            // QC re-reads a month.
            qc_volume: 35 + dice.below(41),
        });
    }
    Ok(Network {
        regions,
        sites,
        qo,
        qo_lab,
    })
}

/// Adds users with the one password hash.
struct People<'a> {
    password_hash: &'a str,
    created: &'a str,
}

impl People<'_> {
    /// Adds `local@scale.example` with its scope: a region code, or (site id, site code, region).
    #[allow(clippy::too_many_arguments)]
    async fn add(
        &mut self,
        w: &mut Writer,
        log: &mut TrailLog,
        local: &str,
        name: &str,
        role: Role,
        region: Option<&str>,
        site: Option<(i64, &str, &str)>,
    ) -> Result<Person, sqlx::Error> {
        let id = w.next_id(Table::Users);
        let email = format!("{local}@{EMAIL_DOMAIN}");
        w.push(
            Table::Users,
            row![
                id,
                email.as_str(),
                name,
                role.as_str(),
                region,
                site.map(|(site_id, _, _)| site_id),
                self.password_hash,
                self.created,
                self.created
            ],
        )
        .await?;
        let scope = site.map(|(_, code, _)| code).or(region);
        log.record(
            self.created,
            &Who::system(),
            Change::new("user.create", "user", id)
                .site(
                    site.map(|(_, code, _)| code.to_string()),
                    site.map(|(_, _, region)| region)
                        .or(region)
                        .map(str::to_string),
                )
                .after(
                    json!({ "email": email, "name": name, "role": role.as_str(), "scope": scope }),
                ),
        );
        Ok(Person { id, email })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_sites_are_one_in_each_region() {
        let six = places(6).unwrap();
        let regions: std::collections::BTreeSet<_> =
            six.iter().map(|p| p.region_code.as_str()).collect();
        assert_eq!(regions.len(), 6, "{six:?}");
    }

    #[test]
    fn a_hundred_and_fifty_sites_have_distinct_codes_and_known_time_zones() {
        let all = places(150).unwrap();
        assert_eq!(all.len(), 150);
        let codes: std::collections::BTreeSet<_> = all.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 150);
        for place in &all {
            assert!(
                place.timezone.parse::<chrono_tz::Tz>().is_ok(),
                "{}",
                place.timezone
            );
        }
    }

    #[test]
    fn past_the_list_cities_get_second_centres() {
        let many = places(400).unwrap();
        let codes: std::collections::BTreeSet<_> = many.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 400);
        assert!(codes.contains("KEN-NBO2"), "{codes:?}");
    }
}
