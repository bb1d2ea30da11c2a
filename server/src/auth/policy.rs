//! Authorization in one place: what a role may do, and which records a scope reaches.
//!
//! Services call these before acting; list queries use [`ScopeFilter`] so the database returns
//! only what the caller may see. A record outside the caller's scope is reported as not found,
//! so its existence is not revealed.

use app::model::auth::{Role, Scope};

use super::Actor;
use crate::error::Error;

/// Things only some roles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ManageUsers,
    ReadAuditTrail,
    RunJobs,
    SetDashboardThresholds,
}

fn roles_for(permission: Permission) -> &'static [Role] {
    match permission {
        Permission::ManageUsers => &[Role::Admin],
        Permission::ReadAuditTrail => &[Role::Admin],
        Permission::RunJobs => &[Role::Admin],
        Permission::SetDashboardThresholds => &[Role::Admin],
    }
}

/// `Ok` when the actor's role grants the permission; `Forbidden` otherwise.
pub fn require(actor: &Actor, permission: Permission) -> Result<(), Error> {
    if roles_for(permission).contains(&actor.user.role) {
        Ok(())
    } else {
        Err(Error::Forbidden("Your role does not allow this.".into()))
    }
}

/// Whether the actor's scope reaches a record of `site_code` in `region_code`.
pub fn reaches(scope: &Scope, site_code: &str, region_code: &str) -> bool {
    match scope {
        Scope::Global => true,
        Scope::Region(region) => region == region_code,
        Scope::Site(site) => site == site_code,
    }
}

/// A scope as SQL parameters: `kind` is `global`, `region` or `site`, `code` the region or site
/// code. Use with [`ScopeFilter::sql`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeFilter {
    pub kind: &'static str,
    pub code: String,
}

impl ScopeFilter {
    pub fn of(scope: &Scope) -> Self {
        ScopeFilter {
            kind: scope.kind(),
            code: scope.code().to_string(),
        }
    }

    /// A condition that keeps rows whose region column is `region_column` and site code column
    /// is `site_column`, with the filter bound at parameters `$k` (kind) and `$k+1` (code).
    pub fn sql(region_column: &str, site_column: &str, k: usize) -> String {
        format!(
            "(${k} = 'global' or (${k} = 'region' and {region_column} = ${c}) \
             or (${k} = 'site' and {site_column} = ${c}))",
            c = k + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_scope_reaches_only_its_site() {
        let nairobi = Scope::Site("KEN-NBO".into());
        assert!(reaches(&nairobi, "KEN-NBO", "EHA"));
        assert!(
            !reaches(&nairobi, "UGA-KLA", "EHA"),
            "same region, other site"
        );
    }

    #[test]
    fn a_region_scope_reaches_every_site_of_the_region() {
        let east = Scope::Region("EHA".into());
        assert!(reaches(&east, "UGA-KLA", "EHA"));
        assert!(!reaches(&east, "GHA-ACC", "WCA"));
    }

    #[test]
    fn the_global_scope_reaches_everything() {
        assert!(reaches(&Scope::Global, "GHA-ACC", "WCA"));
    }

    #[test]
    fn scope_sql_binds_kind_then_code() {
        assert_eq!(
            ScopeFilter::sql("c.region_code", "s.code", 3),
            "($3 = 'global' or ($3 = 'region' and c.region_code = $4) or ($3 = 'site' and s.code = $4))"
        );
    }
}
