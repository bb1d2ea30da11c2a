//! Compliance dashboards: a region's sites (the regional manager's home page), the network's
//! regions with its patterns and trends (quality officers and administrators), and a site's
//! own to-do lists (the site lead's home page).
//!
//! Audits, CAPAs, documents and acknowledgements are read live with the indexes of migration
//! 0010; PT results and QC re-reads, by far the largest tables, come from the monthly
//! pre-aggregates in [`rollup`]. The window of the PT and QC figures is the running month and
//! the eleven before it.
//!
//! Queries add up in SQL and return few rows: every row costs the database driver a hand-off
//! between threads and a copy into a generic row (measured at 3–10 µs a row on SQLite, which
//! made the network dashboard's 25,000 rows cost more than its queries). Where a figure needs
//! dates, the dates that cannot change the answer are folded together first (see
//! [`repo::DateClamp`] and [`repo::capas_since`]).

pub mod access;
pub mod api;
pub mod repo;
pub mod rollup;

use std::collections::{BTreeMap, HashMap, HashSet};

use app::model::audits::stars;
use app::model::capa::AgeBucket;
use app::model::dashboard::{
    AuditPoint, CapaDue, CapaFigure, FailedClause, Figures, Kpi, Listed, MonthTrend, MonthlyReport,
    NetworkDashboard, NextAudit, PendingAck, PtDeadline, PtFigure, PtMonth, QcFigure, Ratio,
    RegionRow, RegionalDashboard, ScoreFigure, SiteDashboard, SiteRow, Threshold, Thresholds,
    Trend, Window, CAPA_DUE_SOON_DAYS,
};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde_json::json;
use sqlx::AnyConnection;

use crate::auth::policy::{require, Permission};
use crate::auth::Actor;
use crate::capa::due;
use crate::db::{now_text, Db};
use crate::error::Error;
use crate::pt::radiology::{cohens_kappa, KAPPA_MIN_READS};
use crate::trail::{self, Change, Who};
use repo::{MonthFigures, Sites};

/// How many rows the site dashboard's lists show (with the total beside them).
const LIST_LIMIT: i64 = 50;
/// How many clauses the network dashboard lists.
const FAILED_CLAUSES: i64 = 15;

/// `YYYY-MM` of a date.
fn month_text(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The `count` months ending with `today`'s, oldest first, as `YYYY-MM`.
pub fn months_ending(today: NaiveDate, count: u32) -> Vec<String> {
    let first = first_of_month(today);
    (0..count)
        .rev()
        .filter_map(|back| first.checked_sub_months(Months::new(back)))
        .map(month_text)
        .collect()
}

/// The last day of a `YYYY-MM` month.
fn month_end(month: &str) -> Option<NaiveDate> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

/// An audit's score in percent, when it has applicable points.
fn percent(points: Option<i64>, applicable: Option<i64>) -> Option<f64> {
    match (points, applicable) {
        (Some(p), Some(a)) if a > 0 => Some(p as f64 * 100.0 / a as f64),
        _ => None,
    }
}

/// What a row of figures is made of, in a form that adds up across sites.
#[derive(Debug, Clone, Default)]
struct Tally {
    /// Per site with a scored audit: latest submission date, latest score, the one before.
    audits: Vec<(String, f64, Option<f64>)>,
    capas: CapaFigure,
    sop: (i64, i64),
    acks: (i64, i64),
    months: MonthFigures,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.audits.extend(o.audits.iter().cloned());
        let c = &mut self.capas;
        c.open += o.capas.open;
        c.up_to_30 += o.capas.up_to_30;
        c.up_to_60 += o.capas.up_to_60;
        c.up_to_90 += o.capas.up_to_90;
        c.over_90 += o.capas.over_90;
        c.overdue += o.capas.overdue;
        self.sop.0 += o.sop.0;
        self.sop.1 += o.sop.1;
        self.acks.0 += o.acks.0;
        self.acks.1 += o.acks.1;
        self.months.add(&o.months);
    }

    fn figures(&self) -> Figures {
        Figures {
            audit: score_figure(&self.audits),
            capas: self.capas,
            sop_review: Ratio::of(self.sop.0, self.sop.1),
            acknowledgements: Ratio::of(self.acks.0, self.acks.1),
            pt: PtFigure {
                results: Ratio::of(self.months.pt_satisfactory, self.months.pt_scored),
                unsuccessful_events: self.months.pt_events_unsuccessful,
            },
            qc: qc_figure(&self.months),
        }
    }
}

/// A site's latest score, or for several sites the mean of their latest scores; the trend
/// compares the sites that have an earlier audit with their earlier scores.
fn score_figure(audits: &[(String, f64, Option<f64>)]) -> Option<ScoreFigure> {
    if audits.is_empty() {
        return None;
    }
    let n = audits.len() as f64;
    let latest = audits.iter().map(|a| a.1).sum::<f64>() / n;
    let paired: Vec<(f64, f64)> = audits
        .iter()
        .filter_map(|a| a.2.map(|p| (a.1, p)))
        .collect();
    let (now, before) = if paired.is_empty() {
        (latest, None)
    } else {
        let m = paired.len() as f64;
        (
            paired.iter().map(|p| p.0).sum::<f64>() / m,
            Some(paired.iter().map(|p| p.1).sum::<f64>() / m),
        )
    };
    Some(ScoreFigure {
        date: audits.iter().map(|a| a.0.clone()).max().unwrap_or_default(),
        percent: latest,
        stars: stars(latest),
        previous_percent: before,
        trend: Trend::between(now, before),
        audits: audits.len() as i64,
    })
}

/// κ from 20 reads (as the radiology QC page), and the significant discrepancy rate.
fn qc_figure(m: &MonthFigures) -> QcFigure {
    QcFigure {
        reads: m.qc_reads,
        kappa: if m.qc_reads >= KAPPA_MIN_READS as i64 {
            cohens_kappa(&m.agreement())
        } else {
            None
        },
        significant: Ratio::of(m.qc_significant, m.qc_reads),
    }
}

/// The figures of every site the filter covers, as they stand at `now`.
async fn site_tallies(
    conn: &mut AnyConnection,
    filter: &Sites,
    now: DateTime<Utc>,
) -> Result<(Vec<repo::SiteRow>, HashMap<i64, Tally>), Error> {
    let sites = repo::sites(conn, filter).await?;
    let today: HashMap<i64, NaiveDate> = sites
        .iter()
        .map(|s| (s.id, due::local_today(due::zone(&s.timezone), now)))
        .collect();
    let mut tallies: HashMap<i64, Tally> = sites.iter().map(|s| (s.id, Tally::default())).collect();

    // Latest and previous scored audit per site (rows come newest first per site).
    let mut previous_site = None;
    for a in repo::latest_scored_audits(conn, filter).await? {
        let (Some(p), Some(t)) = (
            percent(a.score_points, a.score_applicable),
            tallies.get_mut(&a.site_id),
        ) else {
            continue;
        };
        if previous_site == Some(a.site_id) {
            if let Some(latest) = t.audits.last_mut() {
                latest.2 = Some(p);
            }
        } else {
            t.audits
                .push((a.submitted_at.chars().take(10).collect(), p, None));
        }
        previous_site = Some(a.site_id);
    }

    for (site, opened, due_date, count) in repo::open_capas(conn, filter, &date_clamp(now)).await? {
        let (Some(t), Some(today)) = (tallies.get_mut(&site), today.get(&site)) else {
            continue;
        };
        let c = &mut t.capas;
        c.open += count;
        match parse_day(&opened).map(|o| due::age_bucket(o, *today)) {
            Some(AgeBucket::UpTo30) | None => c.up_to_30 += count,
            Some(AgeBucket::UpTo60) => c.up_to_60 += count,
            Some(AgeBucket::UpTo90) => c.up_to_90 += count,
            Some(AgeBucket::Over90) => c.over_90 += count,
        }
        if due_date < day_text(*today) {
            c.overdue += count;
        }
    }

    // A site follows the effective global documents, except where it has an effective
    // variant of its own, and its own variants.
    let documents = repo::effective_documents(conn).await?;
    let replaced: HashSet<(i64, i64)> = documents
        .iter()
        .filter_map(|(_, site, parent, _)| Some(((*site)?, (*parent)?)))
        .collect();
    for s in &sites {
        let today = day_text(today[&s.id]);
        let applies = documents.iter().filter(|(id, site, _, _)| match site {
            None => !replaced.contains(&(s.id, *id)),
            Some(own) => *own == s.id,
        });
        let t = tallies.get_mut(&s.id).expect("every site has a tally");
        for (_, _, _, next_review) in applies {
            t.sop.1 += 1;
            if next_review.as_deref().is_none_or(|d| d >= today.as_str()) {
                t.sop.0 += 1;
            }
        }
    }

    for (site, done) in repo::acknowledgements_done(conn, filter).await? {
        if let Some(t) = tallies.get_mut(&site) {
            t.acks.0 += done;
            t.acks.1 += done;
        }
    }
    for (site, due_date, count) in repo::acknowledgements_pending(conn, filter).await? {
        if let (Some(t), Some(today)) = (tallies.get_mut(&site), today.get(&site)) {
            t.acks.1 += count;
            if due_date >= day_text(*today) {
                t.acks.0 += count;
            }
        }
    }

    let window = window(now.date_naive());
    for row in repo::site_figures(conn, filter, &window.from, &window.to).await? {
        if let Some(t) = tallies.get_mut(&row.site_id) {
            t.months.add(&row.figures);
        }
    }
    Ok((sites, tallies))
}

/// The days around `now` beyond which a CAPA's exact opening day or due date makes no
/// difference at any site (a site's today is within a day of the UTC date; three days give a
/// margin).
fn date_clamp(now: DateTime<Utc>) -> repo::DateClamp {
    let utc_today = now.date_naive();
    let shifted = |days: i64| day_text(utc_today + chrono::Duration::days(days));
    repo::DateClamp {
        opened_long_ago: shifted(-(90 + 3)),
        due_past: shifted(-3),
        due_future: shifted(3),
    }
}

/// The PT and QC window: the running month (UTC) and the eleven before it.
fn window(today: NaiveDate) -> Window {
    let months = months_ending(today, 12);
    Window {
        from: months.first().cloned().unwrap_or_default(),
        to: months.last().cloned().unwrap_or_default(),
    }
}

pub async fn thresholds_in(conn: &mut AnyConnection) -> Result<Thresholds, Error> {
    let rows = repo::thresholds(conn).await?;
    Ok(Thresholds {
        items: Kpi::ALL
            .iter()
            .map(|kpi| {
                rows.iter()
                    .find(|r| r.0 == kpi.as_str())
                    .map(|r| Threshold {
                        kpi: *kpi,
                        good: r.1,
                        warning: r.2,
                    })
                    .unwrap_or(Threshold {
                        kpi: *kpi,
                        good: 0.0,
                        warning: 0.0,
                    })
            })
            .collect(),
    })
}

/// The regional dashboard.
#[tracing::instrument(skip_all, fields(actor = actor.id(), region = code))]
pub async fn regional(db: &Db, actor: &Actor, code: &str) -> Result<RegionalDashboard, Error> {
    let code = code.trim().to_uppercase();
    access::check_region(actor, &code, "Regional dashboards")?;
    let mut conn = db.pool().acquire().await?;
    let name = repo::regions(&mut conn)
        .await?
        .into_iter()
        .find(|r| r.0 == code)
        .map(|r| r.1)
        .ok_or_else(|| Error::NotFound(format!("No region {code}.")))?;
    let now = Utc::now();
    let (sites, tallies) = site_tallies(&mut conn, &Sites::Region(code.clone()), now).await?;
    let mut total = Tally::default();
    let rows = sites
        .iter()
        .map(|s| {
            let t = &tallies[&s.id];
            total.add(t);
            SiteRow {
                code: s.code.clone(),
                name: s.name.clone(),
                country: s.country.clone(),
                figures: t.figures(),
            }
        })
        .collect();
    let issued: HashSet<String> = repo::issued_periods(&mut conn, &code)
        .await?
        .into_iter()
        .collect();
    let today = now.date_naive();
    // The twelve months before the running one: those a monthly report covers in full.
    let mut reports: Vec<MonthlyReport> = months_ending(today, 13)
        .into_iter()
        .take(12)
        .map(|period| MonthlyReport {
            issued: issued.contains(&period),
            period,
        })
        .collect();
    reports.reverse();
    Ok(RegionalDashboard {
        code,
        name,
        as_of: day_text(today),
        window: window(today),
        sites: rows,
        total: total.figures(),
        thresholds: thresholds_in(&mut conn).await?,
        reports,
    })
}

/// The network dashboard.
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn network(db: &Db, actor: &Actor) -> Result<NetworkDashboard, Error> {
    access::check_network(actor)?;
    let mut conn = db.pool().acquire().await?;
    let now = Utc::now();
    let today = now.date_naive();
    let (sites, tallies) = site_tallies(&mut conn, &Sites::All, now).await?;
    let mut by_region: BTreeMap<String, (String, i64, Tally)> = repo::regions(&mut conn)
        .await?
        .into_iter()
        .map(|(code, name)| (code, (name, 0, Tally::default())))
        .collect();
    let mut total = Tally::default();
    for s in &sites {
        let t = &tallies[&s.id];
        total.add(t);
        if let Some(region) = by_region.get_mut(&s.region_code) {
            region.1 += 1;
            region.2.add(t);
        }
    }
    let regions = by_region
        .into_iter()
        .map(|(code, (name, count, tally))| RegionRow {
            code,
            name,
            sites: count,
            figures: tally.figures(),
        })
        .collect();

    let months = months_ending(today, 24);
    let from = months.first().cloned().unwrap_or_default();
    let failed_clauses = repo::failed_clauses(&mut conn, &format!("{from}-01"), FAILED_CLAUSES)
        .await?
        .into_iter()
        .map(|c| FailedClause {
            failed_percent: if c.answered > 0 {
                c.failed as f64 * 100.0 / c.answered as f64
            } else {
                0.0
            },
            template: c.template,
            clause: c.clause,
            text: c.text,
            answered: c.answered,
            failed: c.failed,
            partial: c.partial,
        })
        .collect();
    let trends = network_trends(&mut conn, &months, today).await?;
    Ok(NetworkDashboard {
        as_of: day_text(today),
        window: window(today),
        regions,
        total: total.figures(),
        failed_clauses,
        trends,
        thresholds: thresholds_in(&mut conn).await?,
    })
}

/// Per month: mean score of the audits submitted, PT satisfactory among scored, and CAPAs
/// open and overdue at the month's end (today for the running month).
async fn network_trends(
    conn: &mut AnyConnection,
    months: &[String],
    today: NaiveDate,
) -> Result<Vec<MonthTrend>, Error> {
    let from = months.first().cloned().unwrap_or_default();
    let audits: HashMap<String, repo::AuditMonthRow> =
        repo::audit_months(conn, &format!("{from}-01"))
            .await?
            .into_iter()
            .map(|row| (row.month.clone(), row))
            .collect();
    let pt: HashMap<String, MonthFigures> = repo::month_figures(conn, &Sites::All, &from)
        .await?
        .into_iter()
        .map(|row| (row.month, row.figures))
        .collect();
    let current = format!("{}-01", month_text(today));
    let capas = repo::capas_since(conn, &Sites::All, &format!("{from}-01"), &current).await?;
    Ok(months
        .iter()
        .map(|month| {
            let end = month_end(month).map_or(today, |e| e.min(today));
            let end = day_text(end);
            let (mut open, mut overdue) = (0, 0);
            for (opened, due_date, ended, count) in &capas {
                let running = opened.as_str() <= end.as_str()
                    && ended.as_deref().is_none_or(|e| e > end.as_str());
                if running {
                    open += count;
                    if due_date.as_str() < end.as_str() {
                        overdue += count;
                    }
                }
            }
            let (sum, count) = audits
                .get(month)
                .map_or((0.0, 0), |a| (a.percent_sum, a.audits));
            let pt = pt.get(month).copied().unwrap_or_default();
            MonthTrend {
                month: month.clone(),
                audit_score: (count > 0).then(|| sum / count as f64),
                audits: count,
                pt: Ratio::of(pt.pt_satisfactory, pt.pt_scored),
                capas_open: open,
                capas_overdue: overdue,
            }
        })
        .collect())
}

/// The site dashboard.
#[tracing::instrument(skip_all, fields(actor = actor.id(), site = code))]
pub async fn site(db: &Db, actor: &Actor, code: &str) -> Result<SiteDashboard, Error> {
    let code = code.trim().to_uppercase();
    let mut conn = db.pool().acquire().await?;
    let site = repo::site_by_code(&mut conn, &code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No site {code}.")))?;
    access::check_site(actor, &site.code, &site.region_code)?;
    let now = Utc::now();
    let today = due::local_today(due::zone(&site.timezone), now);
    let filter = Sites::One(site.id);
    let (_, tallies) = site_tallies(&mut conn, &filter, now).await?;
    let figures = tallies
        .get(&site.id)
        .map(Tally::figures)
        .unwrap_or_default();

    let days_to = |date: &str| parse_day(date).map_or(0, |d| (d - today).num_days());
    let until = today
        .checked_add_days(Days::new(CAPA_DUE_SOON_DAYS as u64))
        .unwrap_or(today);
    let (capas, capas_total) =
        repo::capas_due(&mut conn, site.id, &day_text(until), LIST_LIMIT).await?;
    let capas_due = Listed {
        items: capas
            .into_iter()
            .map(|c| CapaDue {
                days_left: days_to(&c.due_date),
                mine: c.owner_id == actor.id(),
                id: c.id,
                number: c.number,
                title: c.title,
                severity: c.severity,
                state: c.state,
                due_date: c.due_date,
                owner: c.owner,
            })
            .collect(),
        total: capas_total,
    };
    let today_text = day_text(today);
    let (acks, acks_total) = repo::pending_acks(&mut conn, site.id, LIST_LIMIT).await?;
    let acknowledgements_pending = Listed {
        items: acks
            .into_iter()
            .map(|a| PendingAck {
                overdue: a.due_date < today_text,
                document_id: a.document_id,
                code: a.code,
                title: a.title,
                version: a.version,
                person: a.person,
                due_date: a.due_date,
            })
            .collect(),
        total: acks_total,
    };
    let pt_deadlines = repo::pt_deadlines(&mut conn, site.id)
        .await?
        .into_iter()
        .map(|d| PtDeadline {
            days_left: days_to(&d.deadline),
            event_id: d.event_id,
            scheme: d.scheme,
            scheme_name: d.scheme_name,
            round: d.round,
            deadline: d.deadline,
            results_entered: d.results_entered,
        })
        .collect();
    let next_audit = repo::next_audit(&mut conn, site.id)
        .await?
        .map(|a| NextAudit {
            id: a.id,
            planned_start: a.planned_start,
            planned_end: a.planned_end,
            audit_type: a.audit_type,
            template: a.template,
            lead_auditor: a.lead_auditor,
            state: a.state,
        });
    let mut audit_history: Vec<AuditPoint> = repo::submitted_audits(&mut conn, &filter)
        .await?
        .into_iter()
        .filter_map(|a| {
            let p = percent(a.score_points, a.score_applicable)?;
            Some(AuditPoint {
                id: a.id,
                date: a.submitted_at.chars().take(10).collect(),
                percent: p,
                stars: stars(p),
            })
        })
        .collect();
    audit_history.reverse();

    let utc_today = now.date_naive();
    let months = months_ending(utc_today, 24);
    let from = months.first().cloned().unwrap_or_default();
    let pt: HashMap<String, MonthFigures> = repo::month_figures(&mut conn, &filter, &from)
        .await?
        .into_iter()
        .map(|row| (row.month, row.figures))
        .collect();
    let mut z: BTreeMap<String, (i64, f64, i64)> = BTreeMap::new();
    for (month, score) in repo::z_scores(&mut conn, site.id, &format!("{from}-01")).await? {
        let m = z.entry(month).or_default();
        m.0 += 1;
        m.1 += score.abs();
        if score.abs() > 2.0 {
            m.2 += 1;
        }
    }
    let pt_months = months
        .iter()
        .map(|month| {
            let f = pt.get(month).copied().unwrap_or_default();
            let (count, sum_abs, beyond) = z.get(month).copied().unwrap_or_default();
            PtMonth {
                month: month.clone(),
                results: Ratio::of(f.pt_satisfactory, f.pt_scored),
                z_scores: count,
                mean_abs_z: (count > 0).then(|| sum_abs / count as f64),
                beyond_2: beyond,
            }
        })
        .collect();

    Ok(SiteDashboard {
        code: site.code,
        name: site.name,
        region: site.region_code,
        as_of: today_text,
        window: window(utc_today),
        figures,
        capas_due,
        acknowledgements_pending,
        pt_deadlines,
        next_audit,
        audit_history,
        pt_months,
        thresholds: thresholds_in(&mut conn).await?,
    })
}

/// The colour thresholds (anyone signed in reads them: every dashboard shows them).
pub async fn thresholds(db: &Db) -> Result<Thresholds, Error> {
    let mut conn = db.pool().acquire().await?;
    thresholds_in(&mut conn).await
}

/// Replaces the thresholds given (administrators); every one is checked before any is saved.
pub async fn set_thresholds(
    db: &Db,
    actor: &Actor,
    items: &[Threshold],
) -> Result<Thresholds, Error> {
    require(actor, Permission::SetDashboardThresholds)?;
    let problems: Vec<String> = items.iter().filter_map(Threshold::problem).collect();
    if !problems.is_empty() {
        return Err(Error::Invalid {
            message: problems.join(" "),
            fields: items
                .iter()
                .filter(|t| t.problem().is_some())
                .map(|t| crate::error::FieldError {
                    field: t.kpi.as_str().to_string(),
                    message: t.problem().unwrap_or_default(),
                })
                .collect(),
        });
    }
    let mut tx = db.begin_write().await?;
    let before = thresholds_in(tx.conn()).await?;
    let now = now_text();
    for t in items {
        repo::set_threshold(
            tx.conn(),
            t.kpi.as_str(),
            t.good,
            t.warning,
            actor.id(),
            &now,
        )
        .await?;
    }
    let after = thresholds_in(tx.conn()).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("dashboard.thresholds", "dashboard_thresholds", "all")
            .before(json!(before.items))
            .after(json!({
                "items": after.items,
                "detail": format!("{} dashboard threshold(s) changed", items.len()),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_window_is_the_running_month_and_the_eleven_before() {
        let w = window(day("2026-11-27"));
        assert_eq!((w.from.as_str(), w.to.as_str()), ("2025-12", "2026-11"));
        let w = window(day("2026-01-01"));
        assert_eq!((w.from.as_str(), w.to.as_str()), ("2025-02", "2026-01"));
        let months = months_ending(day("2026-03-31"), 24);
        assert_eq!(months.len(), 24);
        assert_eq!(months[0], "2024-04");
        assert_eq!(months[23], "2026-03");
    }

    #[test]
    fn capa_dates_are_clamped_only_where_no_site_can_tell_the_difference() {
        // A site's today is 2026-11-26, -27 or -28 when UTC says 2026-11-27 12:00.
        let c = date_clamp("2026-11-27T12:00:00Z".parse().unwrap());
        // Opened on 2026-08-26 or before: 92 days or more at the earliest of those todays.
        assert_eq!(c.opened_long_ago, "2026-08-26");
        assert_eq!((day("2026-11-26") - day(&c.opened_long_ago)).num_days(), 92);
        // Due on the 24th: overdue everywhere; due on the 30th: not yet due anywhere.
        assert_eq!(
            (c.due_past.as_str(), c.due_future.as_str()),
            ("2026-11-24", "2026-11-30")
        );
    }

    #[test]
    fn a_months_end_knows_leap_years() {
        assert_eq!(month_end("2024-02"), Some(day("2024-02-29")));
        assert_eq!(month_end("2026-12"), Some(day("2026-12-31")));
    }

    #[test]
    fn a_regions_score_is_the_mean_of_its_sites_latest_and_its_trend_compares_pairs() {
        // Site A 80 (was 70), site B 90 (first audit), site C 60 (was 64).
        let f = score_figure(&[
            ("2026-10-01".into(), 80.0, Some(70.0)),
            ("2026-11-02".into(), 90.0, None),
            ("2026-09-15".into(), 60.0, Some(64.0)),
        ])
        .unwrap();
        assert!((f.percent - 230.0 / 3.0).abs() < 1e-9);
        assert_eq!(f.stars, 3);
        assert_eq!(f.date, "2026-11-02");
        // A and C: now 70 on average, before 67: up by 3 points.
        assert_eq!(f.previous_percent, Some(67.0));
        assert_eq!(f.trend, Trend::Up);
        assert_eq!(f.audits, 3);
        assert!(score_figure(&[]).is_none());
    }

    #[test]
    fn kappa_waits_for_twenty_reads() {
        let mut m = MonthFigures {
            qc_reads: 19,
            qc_nn: 10,
            qc_tt: 9,
            qc_significant: 1,
            ..MonthFigures::default()
        };
        let f = qc_figure(&m);
        assert_eq!(f.kappa, None);
        assert_eq!(f.significant.part, 1);
        m.qc_reads = 20;
        m.qc_nt = 1;
        let f = qc_figure(&m);
        // 19 of 20 agree; p_e = (11/20)(10/20) + (9/20)(10/20) = 0.5: κ = (0.95 − 0.5) / 0.5.
        assert!((f.kappa.unwrap() - 0.9).abs() < 1e-9);
        assert_eq!(f.significant.percent, Some(5.0));
    }
}
