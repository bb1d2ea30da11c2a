//! HTTP-level integration tests: the real server on a random port against a fresh database,
//! each test run on SQLite and on PostgreSQL (see `helpers::on_both_databases!`).

mod helpers;

mod audits;
mod auth;
mod capa;
mod cli;
mod dashboard;
mod documents;
mod health;
mod jobs;
mod matrix;
mod pages;
mod pt;
mod reports;
mod seed;
mod smtp_sink;
mod trail;
mod users;
