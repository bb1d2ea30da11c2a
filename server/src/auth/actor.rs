//! The user behind a request, and where the request came from.

use app::model::auth::CurrentUser;

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// How the user proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The browser's session cookie (state changes are checked against cross-site forgery).
    Cookie { session_hash: String },
    /// A session token from `POST /api/v1/auth/login`, sent as a bearer token.
    Bearer { session_hash: String },
    /// A personal API token.
    ApiToken { token_id: i64 },
}

/// A signed-in user making a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: CurrentUser,
    pub credential: Credential,
    pub meta: RequestMeta,
}

impl Actor {
    pub fn id(&self) -> i64 {
        self.user.id
    }
}
