//! Attest's server: configuration, database, HTTP, services and command-line tools.
//!
//! `main.rs` only wires; everything here is reachable from the integration tests. Each area
//! (sites, users, trail, …) has its service in `mod.rs`, its SQL in `repo.rs` and its REST
//! handlers in `api.rs`.

pub mod api;
pub mod audits;
pub mod auth;
pub mod backend;
pub mod capa;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod documents;
pub mod error;
pub mod http;
pub mod jobs;
pub mod notifications;
pub mod pt;
pub mod reports;
pub mod seed;
pub mod signatures;
pub mod sites;
pub mod startup;
pub mod telemetry;
pub mod trail;
pub mod users;
