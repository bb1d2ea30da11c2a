//! CAPAs the system opens by itself (PT failures, radiology QC flags): once per source record,
//! in the caller's transaction, owned by the site lead. A source that ever had a CAPA, even a
//! cancelled one, gets no second: re-scoring must not undo a decision people took.

use app::model::audits::Severity;
use app::model::capa::{CapaSource, CapaState};
use chrono::{NaiveDate, Utc};
use serde_json::json;

use super::{due, repo};
use crate::db::{now_text, WriteTx};
use crate::documents::review::date_text;
use crate::error::Error;
use crate::trail::{self, Change, Who};

/// What to open.
#[derive(Debug, Clone)]
pub struct AutoCapa {
    pub site_id: i64,
    pub source: CapaSource,
    /// Identifies the source record, e.g. `pt_result:42`.
    pub source_key: String,
    /// Shown with the CAPA, e.g. `NRL-SMEAR 2026-2`.
    pub source_ref: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    /// The user on whose action the CAPA opens (it is recorded as raised by them).
    pub raised_by: i64,
    /// The opening date; None is today on the site's calendar (the demo data backdates).
    pub opened: Option<NaiveDate>,
}

/// Opens the CAPA unless its source already had one; returns (id, number) when it opened one.
pub async fn raise_once(
    tx: &mut WriteTx,
    who: &Who,
    capa: &AutoCapa,
) -> Result<Option<(i64, String)>, Error> {
    let existing: Option<i64> =
        sqlx::query_scalar("select id from capas where source_key = $1 limit 1")
            .bind(&capa.source_key)
            .fetch_optional(tx.conn())
            .await?;
    if existing.is_some() {
        return Ok(None);
    }
    let (site_code, region, timezone): (String, String, String) = sqlx::query_as(
        "select s.code, c.region_code, s.timezone from sites s
           join countries c on c.code = s.country_code where s.id = $1",
    )
    .bind(capa.site_id)
    .fetch_one(tx.conn())
    .await?;
    let owner = repo::site_lead(tx.conn(), capa.site_id)
        .await?
        .unwrap_or(capa.raised_by);
    let opened = capa
        .opened
        .unwrap_or_else(|| due::local_today(due::zone(&timezone), Utc::now()));
    let now = match capa.opened {
        Some(day) => format!("{}T09:00:00Z", date_text(day)),
        None => now_text(),
    };
    let due_date = due::default_due(opened, capa.severity, &repo::due_days(tx.conn()).await?);
    let year: i32 = opened.format("%Y").to_string().parse().unwrap_or(2026);
    let (seq, number) = repo::next_number(tx.conn(), year).await?;
    let title: String = capa.title.chars().take(200).collect();
    let id = repo::insert(
        tx.conn(),
        &repo::NewRow {
            year,
            seq,
            number: &number,
            site_id: capa.site_id,
            title: &title,
            description: &capa.description,
            source: capa.source.as_str(),
            source_ref: &capa.source_ref,
            source_key: Some(&capa.source_key),
            finding_id: None,
            severity: capa.severity.as_str(),
            owner_id: owner,
            state: CapaState::Open.as_str(),
            opened_on: &date_text(opened),
            due_date: &date_text(due_date),
            created_by: capa.raised_by,
            now: &now,
        },
    )
    .await?;
    trail::record(
        tx,
        who,
        Change::new("capa.create", "capa", id)
            .site(Some(site_code), Some(region))
            .after(json!({
                "number": number,
                "source": capa.source.as_str(),
                "source_key": capa.source_key,
                "detail": format!("{number} opened automatically: {title}"),
            })),
    )
    .await?;
    Ok(Some((id, number)))
}
