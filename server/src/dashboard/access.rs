//! Who sees which dashboard. Outside the caller's scope a region or site is "not found";
//! a role without dashboards of that kind is "forbidden".

use app::model::auth::{Role, Scope};

use crate::auth::policy::reaches;
use crate::auth::Actor;
use crate::error::Error;

/// A region's dashboard and monthly reports: administrators, and quality officers and
/// regional managers whose scope holds the region.
pub fn check_region(actor: &Actor, region: &str, what: &str) -> Result<(), Error> {
    match (actor.user.role, &actor.user.scope) {
        (Role::Admin, _) => Ok(()),
        (Role::QualityOfficer | Role::RegionalManager, Scope::Global) => Ok(()),
        (Role::QualityOfficer | Role::RegionalManager, Scope::Region(own)) if own == region => {
            Ok(())
        }
        (Role::QualityOfficer | Role::RegionalManager, _) => Err(Error::NotFound(format!(
            "No region {region} in your scope."
        ))),
        _ => Err(Error::Forbidden(format!(
            "{what} are for regional managers, quality officers and administrators."
        ))),
    }
}

/// The network dashboard: administrators and quality officers with network-wide scope.
pub fn check_network(actor: &Actor) -> Result<(), Error> {
    match (actor.user.role, &actor.user.scope) {
        (Role::Admin, _) | (Role::QualityOfficer, Scope::Global) => Ok(()),
        _ => Err(Error::Forbidden(
            "The network dashboard is for quality officers and administrators; your own \
             dashboard is on the home page."
                .into(),
        )),
    }
}

/// A site's dashboard: everyone but staff whose scope reaches the site.
pub fn check_site(actor: &Actor, site: &str, region: &str) -> Result<(), Error> {
    if actor.user.role == Role::Staff {
        return Err(Error::Forbidden(
            "Site dashboards are for site leads, regional managers, quality officers and \
             administrators."
                .into(),
        ));
    }
    if actor.user.role == Role::Admin || reaches(&actor.user.scope, site, region) {
        Ok(())
    } else {
        Err(Error::NotFound(format!("No site {site} in your scope.")))
    }
}
