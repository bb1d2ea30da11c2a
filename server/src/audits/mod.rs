//! Site audits: versioned checklist templates, planning, conducting, scoring and findings.

pub mod access;
pub mod lifecycle;
pub mod scoring;
pub mod template;
