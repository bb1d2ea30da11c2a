//! Seed data: the demo network, and a synthetic network at scale.

pub mod audits;
pub mod capa;
pub mod demo;
mod dice;
pub mod documents;
pub mod pt;
pub mod reports;
pub mod scale;
