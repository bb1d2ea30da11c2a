//! Who may do what with PT/EQA and radiology QC.
//!
//! - Admins and quality officers with network scope manage schemes, events and challenges and
//!   score events (an event spans sites of many regions; a regional officer reads their region).
//! - Site leads enter results for their own site; quality officers may enter them for sites in
//!   their scope (transcribing a provider's report).
//! - Everyone but staff reads PT within their scope; a site lead sees only their own site's
//!   results, and consensus values without the identities of the other sites.
//! - Quality officers in scope record radiology QC reads; admins and network quality officers
//!   change the flag thresholds.

use app::model::auth::{Role, Scope};

use crate::auth::policy::reaches;

/// Whether the caller sees PT at all (others get "not found").
pub fn can_read(role: Role) -> bool {
    role != Role::Staff
}

/// Whether the caller sees this site's PT results and scores.
pub fn can_see_site(role: Role, scope: &Scope, site: &str, region: &str) -> bool {
    can_read(role) && reaches(scope, site, region)
}

/// Whether the caller manages schemes, events and challenges and scores events.
pub fn can_manage(role: Role, scope: &Scope) -> bool {
    match role {
        Role::Admin => true,
        Role::QualityOfficer => matches!(scope, Scope::Global),
        _ => false,
    }
}

/// Whether the caller may enter results for the site.
pub fn can_submit(role: Role, scope: &Scope, site: &str, region: &str) -> bool {
    matches!(role, Role::SiteLead | Role::QualityOfficer) && reaches(scope, site, region)
}

/// Whether the caller may record radiology QC reads for the site.
pub fn can_record_reads(role: Role, scope: &Scope, site: &str, region: &str) -> bool {
    match role {
        Role::Admin => true,
        Role::QualityOfficer => reaches(scope, site, region),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_leads_enter_and_see_their_own_site_only() {
        let nairobi = Scope::Site("KEN-NBO".into());
        assert!(can_submit(Role::SiteLead, &nairobi, "KEN-NBO", "EHA"));
        assert!(!can_submit(Role::SiteLead, &nairobi, "UGA-KLA", "EHA"));
        assert!(can_see_site(Role::SiteLead, &nairobi, "KEN-NBO", "EHA"));
        assert!(!can_see_site(Role::SiteLead, &nairobi, "UGA-KLA", "EHA"));
        assert!(!can_manage(Role::SiteLead, &nairobi));
    }

    #[test]
    fn regional_people_read_their_region_and_do_not_manage() {
        let east = Scope::Region("EHA".into());
        assert!(can_see_site(Role::RegionalManager, &east, "UGA-KLA", "EHA"));
        assert!(!can_see_site(Role::RegionalManager, &east, "PHL-MNL", "AP"));
        assert!(!can_submit(Role::RegionalManager, &east, "UGA-KLA", "EHA"));
        assert!(!can_manage(Role::QualityOfficer, &east));
        assert!(can_submit(Role::QualityOfficer, &east, "UGA-KLA", "EHA"));
        assert!(can_manage(Role::QualityOfficer, &Scope::Global));
        assert!(can_manage(Role::Admin, &Scope::Global));
    }

    #[test]
    fn staff_see_no_pt() {
        let nairobi = Scope::Site("KEN-NBO".into());
        assert!(!can_read(Role::Staff));
        assert!(!can_see_site(Role::Staff, &nairobi, "KEN-NBO", "EHA"));
        assert!(!can_submit(Role::Staff, &nairobi, "KEN-NBO", "EHA"));
    }

    #[test]
    fn qc_reads_are_recorded_by_quality_officers_in_scope() {
        let east = Scope::Region("EHA".into());
        assert!(can_record_reads(
            Role::QualityOfficer,
            &east,
            "KEN-NBO",
            "EHA"
        ));
        assert!(!can_record_reads(
            Role::QualityOfficer,
            &east,
            "PHL-MNL",
            "AP"
        ));
        assert!(!can_record_reads(
            Role::SiteLead,
            &Scope::Site("KEN-NBO".into()),
            "KEN-NBO",
            "EHA"
        ));
    }
}
