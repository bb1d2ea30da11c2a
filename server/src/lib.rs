//! Attest's server: configuration, database, HTTP, services and command-line tools.
//!
//! `main.rs` only wires; everything here is reachable from the integration tests.

pub mod backend;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod seed;
pub mod sites;
pub mod startup;
pub mod telemetry;
