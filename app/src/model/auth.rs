//! Who is signed in and what they may reach: roles, scopes and the current user.

use serde::{Deserialize, Serialize};

/// A user's role; each role has one kind of scope (see [`Scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    QualityOfficer,
    RegionalManager,
    SiteLead,
    Staff,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::QualityOfficer,
        Role::RegionalManager,
        Role::SiteLead,
        Role::Staff,
    ];

    /// The value stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::QualityOfficer => "quality_officer",
            Role::RegionalManager => "regional_manager",
            Role::SiteLead => "site_lead",
            Role::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The role's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::QualityOfficer => "Quality officer",
            Role::RegionalManager => "Regional manager",
            Role::SiteLead => "Site lead",
            Role::Staff => "Staff",
        }
    }

    /// Which kinds of scope the role may have.
    pub fn allows(self, scope: &Scope) -> bool {
        matches!(
            (self, scope),
            (Role::Admin, Scope::Global)
                | (Role::QualityOfficer, Scope::Global | Scope::Region(_))
                | (Role::RegionalManager, Scope::Region(_))
                | (Role::SiteLead | Role::Staff, Scope::Site(_))
        )
    }
}

/// The part of the network a user works in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Scope {
    /// The whole network.
    Global,
    /// One region, by code (`EHA`).
    Region(String),
    /// One site, by code (`KEN-NBO`).
    Site(String),
}

impl Scope {
    /// `global`, `region` or `site`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Region(_) => "region",
            Scope::Site(_) => "site",
        }
    }

    /// The region or site code, empty for global.
    pub fn code(&self) -> &str {
        match self {
            Scope::Global => "",
            Scope::Region(code) | Scope::Site(code) => code,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Scope::Global => "Whole network".into(),
            Scope::Region(code) => format!("Region {code}"),
            Scope::Site(code) => format!("Site {code}"),
        }
    }
}

/// The signed-in user as the interface needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// Set after an administrator reset the password: the user must choose a new one.
    pub must_change_password: bool,
}

/// The one answer to every failed sign-in: it never tells whether the account exists.
pub const LOGIN_FAILED: &str = "The email or password is not correct, or the account is locked \
     after repeated failures. Try again in 15 minutes or ask an administrator.";

/// The minimum length of a password (no composition rules: length is what resists guessing).
pub const MIN_PASSWORD_LENGTH: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_has_its_kind_of_scope() {
        let region = Scope::Region("EHA".into());
        let site = Scope::Site("KEN-NBO".into());
        assert!(Role::Admin.allows(&Scope::Global));
        assert!(!Role::Admin.allows(&region));
        assert!(Role::QualityOfficer.allows(&Scope::Global));
        assert!(Role::QualityOfficer.allows(&region));
        assert!(!Role::QualityOfficer.allows(&site));
        assert!(Role::RegionalManager.allows(&region));
        assert!(!Role::RegionalManager.allows(&Scope::Global));
        assert!(Role::SiteLead.allows(&site));
        assert!(Role::Staff.allows(&site));
        assert!(!Role::Staff.allows(&region));
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
