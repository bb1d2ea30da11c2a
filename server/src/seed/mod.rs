//! Seed data: the demo network (and, later, synthetic data at scale).

pub mod audits;
pub mod capa;
pub mod demo;
mod dice;
pub mod documents;
pub mod pt;
pub mod reports;
