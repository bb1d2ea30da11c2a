//! Who may do what with a controlled document. Plain functions over the actor's role, scope and
//! the document's facts, so every rule has a unit test; the service calls them and the UI gets
//! their answers as [`DocumentActions`].

use app::model::auth::{Role, Scope};
use app::model::documents::DocumentActions;

use crate::auth::policy::reaches;

/// What the rules need to know about a caller.
#[derive(Debug, Clone)]
pub struct Caller<'a> {
    pub id: i64,
    pub role: Role,
    pub scope: &'a Scope,
}

/// What the rules need to know about a document.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// The site and region of a site variant; `None` for a global document.
    pub site: Option<(&'a str, &'a str)>,
    pub owner_id: i64,
    pub approver_id: i64,
    pub withdrawn: bool,
    pub has_effective_version: bool,
}

/// Whether the caller may see the document at all (others get "not found").
pub fn can_see(caller: &Caller, doc: &Facts) -> bool {
    let in_scope = match doc.site {
        None => true,
        Some((site, region)) => reaches(caller.scope, site, region),
    };
    // Staff read what is in force; drafts of documents never issued are not theirs to see.
    in_scope && (caller.role != Role::Staff || (doc.has_effective_version && !doc.withdrawn))
}

/// Whether the caller may read versions that are not in force (drafts, superseded).
pub fn can_read_all_versions(caller: &Caller) -> bool {
    caller.role != Role::Staff
}

/// Whether the caller may create a document: global ones by administrators and network-wide
/// quality officers; site variants also by quality officers of the region and the site's lead.
pub fn can_create(caller: &Caller, site: Option<(&str, &str)>) -> bool {
    match (caller.role, site) {
        (Role::Admin, _) => true,
        (Role::QualityOfficer, None) => *caller.scope == Scope::Global,
        (Role::QualityOfficer | Role::SiteLead, Some((site, region))) => {
            reaches(caller.scope, site, region)
        }
        _ => false,
    }
}

/// Whether the caller may write drafts, submit them, start a version and put an approved
/// version into force: the owner, administrators, quality officers reaching the document, and
/// the site lead for their own site's variant.
pub fn can_manage(caller: &Caller, doc: &Facts) -> bool {
    if doc.withdrawn {
        return false;
    }
    caller.id == doc.owner_id || can_create(caller, doc.site)
}

/// Whether the caller may approve (or return) a version: the document's approver, or a quality
/// officer reaching it.
pub fn can_approve(caller: &Caller, doc: &Facts) -> bool {
    if doc.withdrawn {
        return false;
    }
    caller.id == doc.approver_id
        || (caller.role == Role::QualityOfficer && can_create(caller, doc.site))
}

/// Whether the caller may record a periodic review: whoever may manage or approve it.
pub fn can_review(caller: &Caller, doc: &Facts) -> bool {
    doc.has_effective_version && (can_manage(caller, doc) || can_approve(caller, doc))
}

/// Whether the caller may withdraw the document (owners alone may not: withdrawal takes an
/// administrator, a quality officer, or the site lead for their own variant).
pub fn can_withdraw(caller: &Caller, doc: &Facts) -> bool {
    !doc.withdrawn && can_create(caller, doc.site)
}

/// Whether the caller may see who has acknowledged (everyone but staff, within their scope).
pub fn can_see_acknowledgements(caller: &Caller) -> bool {
    caller.role != Role::Staff
}

/// Everything the caller may do now, for the UI.
pub fn actions(caller: &Caller, doc: &Facts) -> DocumentActions {
    DocumentActions {
        edit: can_manage(caller, doc),
        approve: can_approve(caller, doc),
        make_effective: can_manage(caller, doc),
        review: can_review(caller, doc),
        withdraw: can_withdraw(caller, doc),
        new_version: can_manage(caller, doc),
        see_acknowledgements: can_see_acknowledgements(caller),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAIROBI: Option<(&str, &str)> = Some(("KEN-NBO", "EHA"));

    fn caller(role: Role, scope: &Scope) -> Caller<'_> {
        Caller {
            id: 100,
            role,
            scope,
        }
    }

    fn nairobi_variant() -> Facts<'static> {
        Facts {
            site: NAIROBI,
            owner_id: 1,
            approver_id: 2,
            withdrawn: false,
            has_effective_version: true,
        }
    }

    #[test]
    fn a_kampala_site_lead_cannot_see_or_change_a_nairobi_variant() {
        let kampala = Scope::Site("UGA-KLA".into());
        let lead = caller(Role::SiteLead, &kampala);
        assert!(!can_see(&lead, &nairobi_variant()));
        assert!(!can_manage(&lead, &nairobi_variant()));
        assert!(!can_create(&lead, NAIROBI));
    }

    #[test]
    fn a_site_lead_drafts_variants_for_their_own_site_only() {
        let nairobi = Scope::Site("KEN-NBO".into());
        let lead = caller(Role::SiteLead, &nairobi);
        assert!(can_create(&lead, NAIROBI));
        assert!(!can_create(&lead, None), "not global documents");
        assert!(can_manage(&lead, &nairobi_variant()));
        assert!(!can_approve(&lead, &nairobi_variant()));
    }

    #[test]
    fn staff_see_only_documents_in_force() {
        let nairobi = Scope::Site("KEN-NBO".into());
        let staff = caller(Role::Staff, &nairobi);
        assert!(can_see(&staff, &nairobi_variant()));
        let never_issued = Facts {
            has_effective_version: false,
            ..nairobi_variant()
        };
        assert!(!can_see(&staff, &never_issued));
        let withdrawn = Facts {
            withdrawn: true,
            ..nairobi_variant()
        };
        assert!(!can_see(&staff, &withdrawn));
        assert!(!can_read_all_versions(&staff));
        assert!(!can_manage(&staff, &nairobi_variant()));
    }

    #[test]
    fn the_named_approver_or_a_quality_officer_in_scope_approves() {
        let network = Scope::Global;
        let west = Scope::Region("WCA".into());
        let east = Scope::Region("EHA".into());
        let doc = nairobi_variant();
        let approver = Caller {
            id: 2,
            role: Role::RegionalManager,
            scope: &east,
        };
        assert!(can_approve(&approver, &doc));
        assert!(can_approve(&caller(Role::QualityOfficer, &network), &doc));
        assert!(can_approve(&caller(Role::QualityOfficer, &east), &doc));
        assert!(!can_approve(&caller(Role::QualityOfficer, &west), &doc));
        assert!(
            !can_approve(&caller(Role::RegionalManager, &east), &doc),
            "not named"
        );
        assert!(
            !can_approve(&caller(Role::Admin, &network), &doc),
            "admins manage, QOs approve"
        );
    }

    #[test]
    fn only_network_quality_officers_and_admins_create_global_documents() {
        assert!(can_create(
            &caller(Role::QualityOfficer, &Scope::Global),
            None
        ));
        assert!(can_create(&caller(Role::Admin, &Scope::Global), None));
        let east = Scope::Region("EHA".into());
        assert!(!can_create(&caller(Role::QualityOfficer, &east), None));
        assert!(!can_create(&caller(Role::RegionalManager, &east), None));
    }

    #[test]
    fn nothing_changes_on_a_withdrawn_document() {
        let doc = Facts {
            withdrawn: true,
            ..nairobi_variant()
        };
        let admin = caller(Role::Admin, &Scope::Global);
        let actions = actions(&admin, &doc);
        assert!(!actions.edit && !actions.approve && !actions.review && !actions.withdraw);
    }

    #[test]
    fn owners_manage_but_do_not_withdraw() {
        let east = Scope::Region("EHA".into());
        let owner = Caller {
            id: 1,
            role: Role::RegionalManager,
            scope: &east,
        };
        assert!(can_manage(&owner, &nairobi_variant()));
        assert!(!can_withdraw(&owner, &nairobi_variant()));
    }
}
