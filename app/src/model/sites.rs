//! Sites of the network as the user interface sees them, and the rules for showing them.

use serde::{Deserialize, Serialize};

/// A site in a list: enough to find it and see what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteSummary {
    pub code: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub region_code: String,
    pub region_name: String,
    pub services: Vec<String>,
}

/// Everything about one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Site {
    pub code: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub country_code: String,
    pub region_code: String,
    pub region_name: String,
    pub timezone: String,
    pub services: Vec<String>,
    pub lab_tests: Vec<String>,
    pub programmes: Vec<String>,
}

/// Sites of one region, in the order they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionGroup<'a> {
    pub region_code: &'a str,
    pub region_name: &'a str,
    pub sites: Vec<&'a SiteSummary>,
}

/// Whether a site matches what the user typed in the filter box: every word must appear
/// (case-insensitively) in the site's code, name, city, country or region.
pub fn matches_filter(site: &SiteSummary, query: &str) -> bool {
    let haystack = format!(
        "{} {} {} {} {} {}",
        site.code, site.name, site.city, site.country, site.region_code, site.region_name
    )
    .to_lowercase();
    query
        .split_whitespace()
        .all(|word| haystack.contains(&word.to_lowercase()))
}

/// Groups sites by region, keeping the order of first appearance (the server sorts by region).
pub fn group_by_region(sites: &[SiteSummary]) -> Vec<RegionGroup<'_>> {
    let mut groups: Vec<RegionGroup<'_>> = Vec::new();
    for site in sites {
        match groups
            .iter_mut()
            .find(|g| g.region_code == site.region_code)
        {
            Some(group) => group.sites.push(site),
            None => groups.push(RegionGroup {
                region_code: &site.region_code,
                region_name: &site.region_name,
                sites: vec![site],
            }),
        }
    }
    groups
}

/// The name a person reads for a service code stored in the database.
pub fn service_label(code: &str) -> &str {
    match code {
        "radiology" => "Radiology (chest X-ray)",
        "lab" => "Laboratory",
        "telerad_primary" => "Teleradiology primary reading",
        "telerad_qc" => "Teleradiology quality control",
        other => other,
    }
}

/// A short badge text for a service code, for dense lists.
pub fn service_badge(code: &str) -> &str {
    match code {
        "radiology" => "Radiology",
        "lab" => "Lab",
        "telerad_primary" => "Telerad",
        "telerad_qc" => "Telerad QC",
        other => other,
    }
}

/// The name a person reads for a laboratory test code.
pub fn lab_test_label(code: &str) -> &str {
    match code {
        "smear" => "TB smear microscopy",
        "culture" => "TB culture",
        "dst" => "TB drug susceptibility testing",
        "xpert" => "Xpert MTB/RIF",
        "syphilis" => "Syphilis serology",
        "hiv" => "HIV serology",
        "hbsag" => "Hepatitis B surface antigen",
        "hcv" => "Hepatitis C serology",
        other => other,
    }
}

/// The name of a receiving-country programme.
pub fn programme_label(code: &str) -> &str {
    match code {
        "US" => "United States",
        "CA" => "Canada",
        "AU" => "Australia",
        "UK" => "United Kingdom",
        "NZ" => "New Zealand",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(code: &str, name: &str, city: &str, country: &str, region: &str) -> SiteSummary {
        SiteSummary {
            code: code.into(),
            name: name.into(),
            city: city.into(),
            country: country.into(),
            region_code: region.into(),
            region_name: format!("{region} region"),
            services: vec![],
        }
    }

    #[test]
    fn filter_matches_code_name_city_and_country_ignoring_case() {
        let nairobi = site("KEN-NBO", "Nairobi Centre", "Nairobi", "Kenya", "EHA");
        assert!(matches_filter(&nairobi, "ken-nbo"));
        assert!(matches_filter(&nairobi, "NAIROBI"));
        assert!(matches_filter(&nairobi, "kenya"));
        assert!(matches_filter(&nairobi, "eha"));
        assert!(!matches_filter(&nairobi, "kampala"));
    }

    #[test]
    fn filter_requires_every_word() {
        let nairobi = site("KEN-NBO", "Nairobi Centre", "Nairobi", "Kenya", "EHA");
        assert!(matches_filter(&nairobi, "kenya nairobi"));
        assert!(!matches_filter(&nairobi, "kenya kakuma"));
    }

    #[test]
    fn empty_filter_matches_everything() {
        let nairobi = site("KEN-NBO", "Nairobi Centre", "Nairobi", "Kenya", "EHA");
        assert!(matches_filter(&nairobi, ""));
        assert!(matches_filter(&nairobi, "   "));
    }

    #[test]
    fn grouping_keeps_region_order_and_counts_sites() {
        let sites = vec![
            site("KEN-NBO", "Nairobi", "Nairobi", "Kenya", "EHA"),
            site("UGA-KLA", "Kampala", "Kampala", "Uganda", "EHA"),
            site("GHA-ACC", "Accra", "Accra", "Ghana", "WCA"),
        ];
        let groups = group_by_region(&sites);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].region_code, "EHA");
        assert_eq!(groups[0].sites.len(), 2);
        assert_eq!(groups[1].region_code, "WCA");
        assert_eq!(groups[1].sites.len(), 1);
    }

    #[test]
    fn unknown_codes_are_shown_as_they_are() {
        assert_eq!(service_label("lab"), "Laboratory");
        assert_eq!(service_label("dentistry"), "dentistry");
        assert_eq!(lab_test_label("xpert"), "Xpert MTB/RIF");
        assert_eq!(programme_label("NZ"), "New Zealand");
    }
}
