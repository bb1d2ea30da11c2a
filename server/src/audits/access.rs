//! Who may do what with audits: quality officers plan and conduct within their scope; regional
//! managers read their region; site leads and staff see their own site's audits, with answers and
//! findings only once submitted.

use app::model::audits::AuditState;
use app::model::auth::{Role, Scope};

use crate::auth::policy::reaches;

/// Whether the caller may see the audit at all (others get "not found"). Staff see SOPs and
/// their own tasks, not audits.
pub fn can_see(role: Role, scope: &Scope, site: &str, region: &str) -> bool {
    role != Role::Staff && reaches(scope, site, region)
}

/// Whether the caller may see the answers and findings (site people only after submission).
pub fn can_see_results(role: Role, state: AuditState) -> bool {
    match role {
        Role::SiteLead | Role::Staff => matches!(
            state,
            AuditState::Submitted | AuditState::ReportIssued | AuditState::Closed
        ),
        _ => true,
    }
}

/// Whether the caller may plan, conduct, submit and cancel audits of the site.
pub fn can_conduct(role: Role, scope: &Scope, site: &str, region: &str) -> bool {
    role == Role::QualityOfficer && reaches(scope, site, region)
}

/// Whether the caller may import and edit checklist templates.
pub fn can_manage_templates(role: Role) -> bool {
    matches!(role, Role::Admin | Role::QualityOfficer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_officers_conduct_within_their_scope_only() {
        let east = Scope::Region("EHA".into());
        assert!(can_conduct(Role::QualityOfficer, &east, "KEN-NBO", "EHA"));
        assert!(!can_conduct(Role::QualityOfficer, &east, "PHL-MNL", "AP"));
        assert!(can_conduct(
            Role::QualityOfficer,
            &Scope::Global,
            "PHL-MNL",
            "AP"
        ));
    }

    #[test]
    fn regional_managers_read_but_do_not_edit_responses() {
        let east = Scope::Region("EHA".into());
        assert!(can_see(Role::RegionalManager, &east, "UGA-KLA", "EHA"));
        assert!(can_see_results(
            Role::RegionalManager,
            AuditState::InProgress
        ));
        assert!(!can_conduct(Role::RegionalManager, &east, "UGA-KLA", "EHA"));
    }

    #[test]
    fn site_leads_see_results_of_their_site_after_submission() {
        let nairobi = Scope::Site("KEN-NBO".into());
        assert!(can_see(Role::SiteLead, &nairobi, "KEN-NBO", "EHA"));
        assert!(!can_see(Role::SiteLead, &nairobi, "UGA-KLA", "EHA"));
        assert!(
            !can_see(Role::Staff, &nairobi, "KEN-NBO", "EHA"),
            "staff do not see audits"
        );
        assert!(!can_see_results(Role::SiteLead, AuditState::InProgress));
        assert!(can_see_results(Role::SiteLead, AuditState::Submitted));
        assert!(!can_conduct(Role::SiteLead, &nairobi, "KEN-NBO", "EHA"));
    }
}
