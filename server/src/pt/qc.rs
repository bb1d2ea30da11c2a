//! Radiology QC re-reads: recording them (JSON or CSV, every read checked), the metrics per site
//! and per reader over a window, the flag thresholds, and the quarter check that opens a CAPA
//! for a raised flag.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::model::audits::Severity;
use app::model::capa::CapaSource;
use app::model::pt::{
    ImportMode, ImportReport, NewQcRead, PeerScore, QcFlag, QcMetrics, QcMetricsRow, QcQuery,
    QcRead, QcThresholds, RowError, XrayClass,
};
use app::model::users::Page;
use chrono::{Datelike, Days, NaiveDate, Utc};
use serde_json::json;

use super::{access, field, forbidden, invalid, manages, radiology, read_guard, repo, scope};
use crate::auth::policy::reaches;
use crate::auth::Actor;
use crate::capa::auto::{self, AutoCapa};
use crate::db::{now_text, Db, WriteTx};
use crate::documents::review::{date_text, parse_date};
use crate::error::Error;
use crate::trail::{self, Change, Who};

/// The most QC reads recorded in one request.
const MAX_READS: usize = 5000;

fn window(q: &QcQuery) -> Result<(NaiveDate, NaiveDate), Error> {
    let to = match q.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            parse_date(t).ok_or_else(|| Error::invalid_field("to", "Give a date as YYYY-MM-DD."))?
        }
        None => Utc::now().date_naive(),
    };
    let from = match q.from.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_date(t)
            .ok_or_else(|| Error::invalid_field("from", "Give a date as YYYY-MM-DD."))?,
        None => to - Days::new(90),
    };
    if from > to {
        return Err(Error::invalid_field(
            "from",
            "The window starts after it ends.",
        ));
    }
    Ok((from, to))
}

fn qc_binds(actor: &Actor, q: &QcQuery, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let scope = scope(actor);
    vec![
        scope.kind.to_string(),
        scope.code,
        date_text(from),
        date_text(to),
        q.site.clone().unwrap_or_default().trim().to_uppercase(),
        q.region.clone().unwrap_or_default().trim().to_uppercase(),
    ]
}

fn read_view(r: repo::ReadRow) -> QcRead {
    QcRead {
        id: r.id,
        site: r.site_code,
        exam_id: r.exam_id,
        reader: r.reader,
        qc_reader: r.qc_reader,
        primary_class: XrayClass::parse(&r.primary_class).unwrap_or(XrayClass::Normal),
        qc_class: XrayClass::parse(&r.qc_class).unwrap_or(XrayClass::Normal),
        peer_score: PeerScore::parse(&r.peer_score).unwrap_or(PeerScore::Agree),
        image_quality: r.image_quality,
        read_on: r.read_on,
    }
}

/// QC reads in scope and window, newest first.
pub async fn reads(db: &Db, actor: &Actor, q: &QcQuery) -> Result<Page<QcRead>, Error> {
    read_guard(actor)?;
    let (from, to) = window(q)?;
    let (page, per_page, offset) = crate::users::paging(q.page, q.per_page);
    let mut conn = db.pool().acquire().await?;
    let (rows, total) = crate::db::page_of::<repo::ReadRow>(
        &mut conn,
        &repo::reads_sql(),
        &qc_binds(actor, q, from, to),
        "q.read_on desc, q.id desc",
        per_page,
        offset,
    )
    .await?;
    Ok(Page {
        items: rows.into_iter().map(read_view).collect(),
        total,
        page,
        per_page,
    })
}

fn to_read(r: &repo::ReadRow) -> radiology::Read {
    radiology::Read {
        primary: XrayClass::parse(&r.primary_class).unwrap_or(XrayClass::Normal),
        qc: XrayClass::parse(&r.qc_class).unwrap_or(XrayClass::Normal),
        peer: PeerScore::parse(&r.peer_score).unwrap_or(PeerScore::Agree),
        quality: r.image_quality,
    }
}

fn metrics_row(
    site: &str,
    reader: &str,
    reads: &[radiology::Read],
    t: &QcThresholds,
) -> QcMetricsRow {
    let m = radiology::metrics(reads);
    QcMetricsRow {
        site: site.to_string(),
        reader: reader.to_string(),
        reads: m.reads as i64,
        concordance_percent: m.concordance_percent,
        kappa: m.kappa,
        significant_percent: m.significant_percent,
        poor_image_percent: m.poor_image_percent,
        flags: radiology::flags(&m, t),
    }
}

/// Radiology QC metrics per site and per reader over the window.
pub async fn metrics(db: &Db, actor: &Actor, q: &QcQuery) -> Result<QcMetrics, Error> {
    read_guard(actor)?;
    let (from, to) = window(q)?;
    let mut conn = db.pool().acquire().await?;
    let thresholds = repo::thresholds(&mut conn).await?;
    let rows = repo::reads(&mut conn, &qc_binds(actor, q, from, to)).await?;
    let mut by_site: BTreeMap<&str, Vec<radiology::Read>> = BTreeMap::new();
    let mut by_reader: BTreeMap<(&str, &str), Vec<radiology::Read>> = BTreeMap::new();
    for r in &rows {
        by_site.entry(&r.site_code).or_default().push(to_read(r));
        by_reader
            .entry((&r.site_code, &r.reader))
            .or_default()
            .push(to_read(r));
    }
    Ok(QcMetrics {
        from: date_text(from),
        to: date_text(to),
        sites: by_site
            .iter()
            .map(|(site, reads)| metrics_row(site, "", reads, &thresholds))
            .collect(),
        readers: by_reader
            .iter()
            .map(|((site, reader), reads)| metrics_row(site, reader, reads, &thresholds))
            .collect(),
        can_manage: manages(actor),
        thresholds,
    })
}

/// The calendar quarter of a date: (first day, last day, label like `2026-Q3`).
pub fn quarter_of(date: NaiveDate) -> (NaiveDate, NaiveDate, String) {
    let q = date.month0() / 3;
    let first = NaiveDate::from_ymd_opt(date.year(), q * 3 + 1, 1).unwrap_or(date);
    let next = if q == 3 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), q * 3 + 4, 1)
    }
    .unwrap_or(date);
    (
        first,
        next - Days::new(1),
        format!("{}-Q{}", date.year(), q + 1),
    )
}

/// Checks a site's quarter against the thresholds and opens one CAPA for the quarter when a
/// flag is raised on at least [`radiology::KAPPA_MIN_READS`] reads.
pub async fn check_radiology_flags(
    tx: &mut WriteTx,
    who: &Who,
    raised_by: i64,
    site_id: i64,
    site_code: &str,
    day: NaiveDate,
    opened: Option<NaiveDate>,
) -> Result<Option<String>, Error> {
    let (first, last, label) = quarter_of(day);
    let rows = repo::site_reads(tx.conn(), site_id, &date_text(first), &date_text(last)).await?;
    if rows.len() < radiology::KAPPA_MIN_READS {
        return Ok(None);
    }
    let reads: Vec<radiology::Read> = rows
        .iter()
        .map(|(p, q, s, quality)| radiology::Read {
            primary: XrayClass::parse(p).unwrap_or(XrayClass::Normal),
            qc: XrayClass::parse(q).unwrap_or(XrayClass::Normal),
            peer: PeerScore::parse(s).unwrap_or(PeerScore::Agree),
            quality: *quality,
        })
        .collect();
    let thresholds = repo::thresholds(tx.conn()).await?;
    let m = radiology::metrics(&reads);
    let flags = radiology::flags(&m, &thresholds);
    if flags.is_empty() {
        return Ok(None);
    }
    let capa = radiology_capa(
        site_id,
        site_code,
        &label,
        &m,
        &flags,
        &thresholds,
        raised_by,
        opened,
    );
    Ok(auto::raise_once(tx, who, &capa).await?.map(|(_, n)| n))
}

/// The CAPA that flags raised over a site's quarter (`label`, e.g. `2026-Q3`) open.
#[allow(clippy::too_many_arguments)]
pub fn radiology_capa(
    site_id: i64,
    site_code: &str,
    label: &str,
    m: &radiology::Metrics,
    flags: &[QcFlag],
    thresholds: &QcThresholds,
    raised_by: i64,
    opened: Option<NaiveDate>,
) -> AutoCapa {
    let fmt = |v: Option<f64>, suffix: &str| {
        v.map(|v| format!("{v:.2}{suffix}"))
            .unwrap_or_else(|| "n/a".into())
    };
    AutoCapa {
        site_id,
        source: CapaSource::RadiologyQc,
        source_key: format!("radiology_qc:{site_id}:{label}"),
        source_ref: format!("Radiology QC {label}"),
        title: format!(
            "Radiology QC flag at {site_code}, {label}: {}",
            flags.iter().map(|f| f.label()).collect::<Vec<_>>().join("; ")
        ),
        description: format!(
            "Over {} QC re-reads in {label}: κ {}, concordance {}, clinically significant discrepancies {}, poor/unacceptable images {}. Thresholds: κ ≥ {}, significant ≤ {}%, poor images ≤ {}%.\n\nOpened automatically when QC reads were recorded.",
            m.reads,
            fmt(m.kappa, ""),
            fmt(m.concordance_percent, "%"),
            fmt(m.significant_percent, "%"),
            fmt(m.poor_image_percent, "%"),
            thresholds.kappa_min,
            thresholds.significant_max_percent,
            thresholds.poor_image_max_percent
        ),
        severity: Severity::Major,
        raised_by,
        opened,
    }
}

/// Records QC reads (a batch, or the rows of a CSV file). Every read is checked; with errors,
/// nothing is written unless `mode` says to keep the valid ones. Then each site's quarter is
/// checked against the flag thresholds.
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn record_reads(
    db: &Db,
    actor: &Actor,
    reads: Vec<(i64, NewQcRead)>,
    mode: ImportMode,
) -> Result<ImportReport, Error> {
    may_record_reads(actor)?;
    if reads.is_empty() {
        return Err(Error::invalid_field("reads", "Give at least one QC read."));
    }
    if reads.len() > MAX_READS {
        return Err(Error::invalid_field(
            "reads",
            format!("At most {MAX_READS} reads at once."),
        ));
    }
    let mut tx = db.begin_write().await?;
    let mut errors = Vec::new();
    let mut valid: Vec<(
        i64,
        String,
        NewQcRead,
        XrayClass,
        XrayClass,
        PeerScore,
        NaiveDate,
    )> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut sites: HashMap<String, Option<(i64, String)>> = HashMap::new();
    for (line, r) in reads {
        let error = |column: &str, message: String| RowError {
            line,
            column: column.into(),
            message,
        };
        let code = r.site.trim().to_uppercase();
        if !sites.contains_key(&code) {
            let found = repo::site(tx.conn(), &code).await?;
            sites.insert(
                code.clone(),
                found.map(|(id, _, _, region, _)| (id, region)),
            );
        }
        let Some((site_id, region)) = sites.get(&code).cloned().flatten() else {
            errors.push(error("site", format!("There is no site '{code}'.")));
            continue;
        };
        if !access::can_record_reads(actor.user.role, &actor.user.scope, &code, &region) {
            if reaches(&actor.user.scope, &code, &region) {
                return Err(forbidden(&format!("record radiology QC reads for {code}")));
            }
            errors.push(error("site", format!("There is no site '{code}'.")));
            continue;
        }
        let exam = r.exam_id.trim();
        if exam.is_empty() || exam.chars().count() > 60 {
            errors.push(error(
                "exam_id",
                "Give the exam id (up to 60 characters).".into(),
            ));
            continue;
        }
        if r.reader.trim().is_empty() || r.reader.trim().chars().count() > 100 {
            errors.push(error("reader", "Name the primary reader.".into()));
            continue;
        }
        let class = |text: &str| XrayClass::parse(text.trim().to_ascii_lowercase().as_str());
        let Some(primary) = class(&r.primary_class) else {
            errors.push(error(
                "primary_class",
                format!(
                    "'{}' is not a classification; use normal, tb or other.",
                    r.primary_class
                ),
            ));
            continue;
        };
        let Some(qc) = class(&r.qc_class) else {
            errors.push(error(
                "qc_class",
                format!(
                    "'{}' is not a classification; use normal, tb or other.",
                    r.qc_class
                ),
            ));
            continue;
        };
        let Some(peer) = PeerScore::parse(r.peer_score.trim().to_ascii_lowercase().as_str()) else {
            errors.push(error(
                "peer_score",
                format!(
                    "'{}' is not a peer-review score; use 1, 2a, 2b, 3a or 3b.",
                    r.peer_score
                ),
            ));
            continue;
        };
        if !(1..=4).contains(&r.image_quality) {
            errors.push(error(
                "image_quality",
                "Grade image quality 1 (good) to 4 (unacceptable).".into(),
            ));
            continue;
        }
        let Some(day) = parse_date(r.read_on.trim()) else {
            errors.push(error("read_on", "Give the date as YYYY-MM-DD.".into()));
            continue;
        };
        if day > Utc::now().date_naive() + Days::new(1) {
            errors.push(error("read_on", "The date is in the future.".into()));
            continue;
        }
        if !seen.insert((site_id, exam.to_string()))
            || repo::read_exists(tx.conn(), site_id, exam).await?
        {
            errors.push(error(
                "exam_id",
                format!("Exam {exam} at {code} already has a QC read."),
            ));
            continue;
        }
        valid.push((site_id, code, r, primary, qc, peer, day));
    }
    let apply = !valid.is_empty() && (errors.is_empty() || mode == ImportMode::ValidRows);
    let total = valid.len() + errors.len();
    if apply {
        let now = now_text();
        let mut quarters: BTreeMap<(i64, String, String), NaiveDate> = BTreeMap::new();
        for (site_id, code, r, primary, qc, peer, day) in &valid {
            repo::insert_read(
                tx.conn(),
                *site_id,
                r,
                primary.as_str(),
                qc.as_str(),
                peer.as_str(),
                Some(actor.id()),
                &now,
            )
            .await?;
            quarters
                .entry((*site_id, code.clone(), quarter_of(*day).2))
                .or_insert(*day);
        }
        let site_months = valid
            .iter()
            .map(|(site_id, .., day)| {
                (
                    *site_id,
                    crate::dashboard::rollup::month_of(&day.to_string()),
                )
            })
            .collect();
        crate::dashboard::rollup::refresh(tx.conn(), &site_months).await?;
        let mut per_site: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, code, ..) in &valid {
            *per_site.entry(code).or_default() += 1;
        }
        let mut capas = Vec::new();
        for ((site_id, code, _), day) in &quarters {
            if let Some(n) = check_radiology_flags(
                &mut tx,
                &Who::from(actor),
                actor.id(),
                *site_id,
                code,
                *day,
                None,
            )
            .await?
            {
                capas.push(n);
            }
        }
        trail::record(
            &mut tx,
            &Who::from(actor),
            Change::new("pt.radiology.reads", "radiology_qc", "reads").after(json!({
                "recorded": valid.len(), "per_site": per_site, "capas": capas,
                "detail": format!("{} radiology QC reads recorded", valid.len()),
            })),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(ImportReport {
        rows: total as i64,
        imported: if apply { valid.len() as i64 } else { 0 },
        errors,
        applied: apply,
    })
}

/// Only quality officers (within their scope) and admins record QC reads.
pub fn may_record_reads(actor: &Actor) -> Result<(), Error> {
    if matches!(
        actor.user.role,
        app::model::auth::Role::Admin | app::model::auth::Role::QualityOfficer
    ) {
        Ok(())
    } else {
        Err(forbidden("record radiology QC reads"))
    }
}

/// Records QC reads from CSV: a file that cannot be read is reported by line, nothing written.
pub async fn import_reads(
    db: &Db,
    actor: &Actor,
    text: &str,
    mode: ImportMode,
) -> Result<ImportReport, Error> {
    may_record_reads(actor)?;
    match parse_reads_csv(text) {
        Ok(reads) => record_reads(db, actor, reads, mode).await,
        Err(errors) => Ok(ImportReport {
            rows: 0,
            imported: 0,
            errors,
            applied: false,
        }),
    }
}

/// Reads QC reads from CSV (columns named as the fields of a read).
pub fn parse_reads_csv(text: &str) -> Result<Vec<(i64, NewQcRead)>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.deserialize::<NewQcRead>().enumerate() {
        let line = i as i64 + 2;
        match record {
            Ok(r) => out.push((line, r)),
            Err(e) => errors.push(RowError {
                line,
                column: String::new(),
                message: format!("This line could not be read: {e}."),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The flag thresholds.
pub async fn thresholds(db: &Db, actor: &Actor) -> Result<QcThresholds, Error> {
    read_guard(actor)?;
    let mut conn = db.pool().acquire().await?;
    Ok(repo::thresholds(&mut conn).await?)
}

/// Changes the flag thresholds (admins and network quality officers).
pub async fn set_thresholds(
    db: &Db,
    actor: &Actor,
    t: QcThresholds,
) -> Result<QcThresholds, Error> {
    if !manages(actor) {
        return Err(forbidden("change the radiology QC thresholds"));
    }
    let mut errors = Vec::new();
    if !(-1.0..=1.0).contains(&t.kappa_min) {
        errors.push(field("kappa_min", "κ lies between −1 and 1."));
    }
    for (name, v) in [
        ("significant_max_percent", t.significant_max_percent),
        ("poor_image_max_percent", t.poor_image_max_percent),
    ] {
        if !(0.0..=100.0).contains(&v) {
            errors.push(field(name, "Give a percentage from 0 to 100."));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let mut tx = db.begin_write().await?;
    let before = repo::thresholds(tx.conn()).await?;
    repo::save_thresholds(tx.conn(), &t, actor.id(), &now_text()).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new(
            "pt.radiology.thresholds",
            "setting",
            "radiology_qc_thresholds",
        )
        .before(&before)
        .after(&t),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}
