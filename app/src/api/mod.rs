//! Server functions: the user interface's calls to the server, one area per module.

pub mod account;
pub mod admin;
pub mod audits;
pub mod capa;
pub mod dashboard;
pub mod documents;
pub mod jobs;
pub mod notifications;
pub mod pt;
pub mod reports;
pub mod sites;
