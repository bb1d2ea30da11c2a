//! Authentication and authorization: passwords, lockout, sessions, API tokens, the acting user
//! and the one policy every service asks.

pub mod actor;
pub mod api;
pub mod lockout;
pub mod middleware;
pub mod passwords;
pub mod policy;
pub mod secrets;
pub mod service;
pub mod tokens;

pub use actor::{Actor, Credential, RequestMeta};
pub use service::AuthSettings;
