//! Who may do what with a CAPA. Everyone who can see a site's CAPAs may comment; the owner,
//! the site's lead and quality officers work them through; regional managers and quality
//! officers approve plans (never their own); quality officers verify and close. Staff do not
//! see CAPAs.

use app::model::auth::{Role, Scope};
use app::model::capa::CapaStep;

use crate::auth::policy::reaches;

/// The caller as far as CAPA rules care: role, scope and id.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub id: i64,
    pub role: Role,
    pub scope: &'a Scope,
}

/// The CAPA as far as the rules care.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub site: &'a str,
    pub region: &'a str,
    pub owner_id: i64,
}

/// Whether the caller may see the CAPA at all (others get "not found").
pub fn can_see(caller: Caller, capa: Subject) -> bool {
    caller.role != Role::Staff && reaches(caller.scope, capa.site, capa.region)
}

/// Whether the caller may raise CAPAs for the site.
pub fn can_create(role: Role, scope: &Scope, site: &str, region: &str) -> bool {
    matches!(
        role,
        Role::QualityOfficer | Role::RegionalManager | Role::SiteLead
    ) && reaches(scope, site, region)
}

/// The people who work a CAPA through: its owner, the site's lead, quality officers in scope.
pub fn can_work(caller: Caller, capa: Subject) -> bool {
    can_see(caller, capa)
        && (caller.id == capa.owner_id
            || matches!(caller.role, Role::SiteLead | Role::QualityOfficer))
}

/// Regional managers and quality officers oversee: approve, return, reject, cancel, set dates.
pub fn can_oversee(caller: Caller, capa: Subject) -> bool {
    can_see(caller, capa) && matches!(caller.role, Role::RegionalManager | Role::QualityOfficer)
}

/// Whether the caller's role allows the step on this CAPA (the state is checked separately).
pub fn allows(caller: Caller, capa: Subject, step: CapaStep) -> bool {
    use CapaStep as A;
    match step {
        A::Contain | A::RootCause | A::SubmitPlan | A::Start | A::Complete => {
            can_work(caller, capa)
        }
        A::ApprovePlan | A::ReturnPlan | A::Reject | A::Cancel => can_oversee(caller, capa),
        A::Verify | A::Close => can_see(caller, capa) && caller.role == Role::QualityOfficer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAIROBI: Subject = Subject {
        site: "KEN-NBO",
        region: "EHA",
        owner_id: 7,
    };

    fn caller(id: i64, role: Role, scope: &Scope) -> Caller<'_> {
        Caller { id, role, scope }
    }

    #[test]
    fn a_site_lead_acts_only_on_their_own_sites_capas() {
        let nairobi = Scope::Site("KEN-NBO".into());
        let kampala = Scope::Site("UGA-KLA".into());
        assert!(allows(
            caller(7, Role::SiteLead, &nairobi),
            NAIROBI,
            CapaStep::Contain
        ));
        assert!(!can_see(caller(8, Role::SiteLead, &kampala), NAIROBI));
        assert!(!allows(
            caller(8, Role::SiteLead, &kampala),
            NAIROBI,
            CapaStep::Contain
        ));
        assert!(!allows(
            caller(7, Role::SiteLead, &nairobi),
            NAIROBI,
            CapaStep::ApprovePlan
        ));
        assert!(!allows(
            caller(7, Role::SiteLead, &nairobi),
            NAIROBI,
            CapaStep::Close
        ));
    }

    #[test]
    fn regional_managers_approve_plans_only_in_their_region() {
        let east = Scope::Region("EHA".into());
        let asia = Scope::Region("AP".into());
        assert!(allows(
            caller(3, Role::RegionalManager, &east),
            NAIROBI,
            CapaStep::ApprovePlan
        ));
        assert!(!allows(
            caller(4, Role::RegionalManager, &asia),
            NAIROBI,
            CapaStep::ApprovePlan
        ));
        assert!(
            !allows(
                caller(3, Role::RegionalManager, &east),
                NAIROBI,
                CapaStep::Contain
            ),
            "managers oversee; the site does the work"
        );
        assert!(!allows(
            caller(3, Role::RegionalManager, &east),
            NAIROBI,
            CapaStep::Verify
        ));
    }

    #[test]
    fn quality_officers_verify_and_close() {
        let global = Scope::Global;
        let qo = caller(2, Role::QualityOfficer, &global);
        for step in [
            CapaStep::Verify,
            CapaStep::Close,
            CapaStep::ApprovePlan,
            CapaStep::RootCause,
        ] {
            assert!(allows(qo, NAIROBI, step), "{step:?}");
        }
    }

    #[test]
    fn staff_and_admins_do_not_work_capas() {
        let nairobi = Scope::Site("KEN-NBO".into());
        assert!(!can_see(caller(9, Role::Staff, &nairobi), NAIROBI));
        assert!(!can_create(Role::Staff, &nairobi, "KEN-NBO", "EHA"));
        let admin = caller(1, Role::Admin, &Scope::Global);
        assert!(can_see(admin, NAIROBI), "admins read everything");
        assert!(!can_create(Role::Admin, &Scope::Global, "KEN-NBO", "EHA"));
        for step in CapaStep::ALL {
            assert!(!allows(admin, NAIROBI, *step), "{step:?}");
        }
    }

    #[test]
    fn an_owner_from_another_role_may_work_their_capa() {
        let east = Scope::Region("EHA".into());
        let owner = caller(7, Role::RegionalManager, &east);
        assert!(can_work(owner, NAIROBI));
    }
}
