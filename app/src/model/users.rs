//! Users as administrators manage them, personal API tokens, and pages of results.

use serde::{Deserialize, Serialize};

use super::auth::{Role, Scope};

/// A user account as an administrator sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "site_lead"))]
    pub role: Role,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub scope: Scope,
    pub active: bool,
    pub must_change_password: bool,
    pub locked: bool,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

/// A new account. The password is temporary: the user must change it at first sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "staff"))]
    pub role: Role,
    /// `global`, or the region code (`EHA`) or site code (`KEN-NBO`) the role needs.
    pub scope_code: Option<String>,
    pub password: String,
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub role: Option<Role>,
    pub scope_code: Option<String>,
}

/// Filters for the user list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct UserQuery {
    /// Matches name or email.
    pub q: Option<String>,
    pub role: Option<String>,
    /// `true` for active accounts only, `false` for deactivated ones.
    pub active: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A personal API token as listed (the secret is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise the token.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A token just created: `token` is its only appearance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    pub token: String,
    #[serde(flatten)]
    pub details: ApiToken,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// How many pages there are (at least one, even when empty).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}

/// An audit-trail entry as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrailEntry {
    pub id: i64,
    pub at: String,
    pub actor_email: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub site_code: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub hash: String,
}

/// Filters for the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct TrailQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Matches the actor's email.
    pub actor: Option<String>,
    pub site: Option<String>,
    /// First day included, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD`.
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        let page = |total| Page::<()> {
            items: vec![],
            total,
            page: 1,
            per_page: 25,
        };
        assert_eq!(page(0).pages(), 1);
        assert_eq!(page(25).pages(), 1);
        assert_eq!(page(26).pages(), 2);
    }
}
