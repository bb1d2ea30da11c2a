//! Types shared by the server and the browser: what the server functions return.

pub mod audits;
pub mod auth;
pub mod documents;
pub mod sites;
pub mod users;
