//! Controlled documents of the scale network: the demo's network SOPs (their titles and text)
//! with a version history over the whole period, periodic reviews, some site variants, and
//! read-and-acknowledge tasks for everyone at the sites in scope. Reviews come due soon or are
//! overdue for some, recent versions still wait for acknowledgements, a few documents have a
//! new version in preparation, and one in twenty is withdrawn.

use chrono::{Days, Months, NaiveDate};
use serde_json::json;

use crate::documents::review::{date_text, next_review_due};
use crate::documents::ACKNOWLEDGE_WITHIN_DAYS;
use crate::error::Error;
use crate::seed::dice::Dice;
use crate::seed::documents::{demo_documents, DemoDocument};
use crate::signatures::content_hash;
use crate::trail::Change;

use super::batch::{row, Table, Writer};
use super::trail::TrailLog;
use super::{stamp, Context, Network, Person};

/// What happened to a document on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// A new version took effect.
    Version(NaiveDate),
    /// The effective version was reviewed and confirmed.
    Review(NaiveDate),
}

/// A document's history from `start` to `today`: a first version on `start`, then every
/// 60–115% of the review interval either a new version or a confirmed review. When the last
/// gap overran the interval, the review is overdue today.
fn history(start: NaiveDate, today: NaiveDate, interval_months: u32, dice: &mut Dice) -> Vec<Step> {
    let mut steps = vec![Step::Version(start)];
    let mut base = start;
    loop {
        let days = (interval_months as u64 * 30) * (60 + dice.below(56)) / 100;
        let next = base + Days::new(days.max(30));
        if next > today {
            return steps;
        }
        steps.push(if dice.chance(40) {
            Step::Review(next)
        } else {
            Step::Version(next)
        });
        base = next;
    }
}

/// One document to write.
struct Plan<'a> {
    code: String,
    title: String,
    demo: &'a DemoDocument,
    site: Option<usize>,
    parent_id: Option<i64>,
    owner: &'a Person,
    approver: &'a Person,
    start: NaiveDate,
    withdrawn: bool,
}

/// Seeds the documents.
pub(super) async fn seed(
    w: &mut Writer,
    log: &mut TrailLog,
    cx: &Context,
    net: &Network,
    dice: &mut Dice,
) -> Result<(), Error> {
    let demo = demo_documents().map_err(|e| Error::Internal(format!("demo documents: {e}")))?;
    let globals: Vec<&DemoDocument> = demo.iter().filter(|d| d.site.is_none()).collect();
    let span = (cx.today - cx.first_day).num_days().max(1) as u64;
    let mut parents: Vec<(i64, &DemoDocument, NaiveDate)> = Vec::new();
    for (k, doc) in globals.iter().enumerate() {
        let start = cx.first_day + Days::new(dice.below(span.min(180)));
        let id = write(
            w,
            log,
            cx,
            net,
            dice,
            Plan {
                code: doc.code.clone(),
                title: doc.title.clone(),
                demo: doc,
                site: None,
                parent_id: None,
                owner: &net.qo,
                approver: &net.qo_lab,
                start,
                withdrawn: k % 20 == 7,
            },
        )
        .await?;
        parents.push((id, doc, start));
    }
    // Site variants: about one site in five adapts one network SOP.
    for (index, site) in net.sites.iter().enumerate() {
        if parents.is_empty() || !dice.chance(20) {
            continue;
        }
        let (parent_id, doc, parent_start) = parents[dice.below(parents.len() as u64) as usize];
        let offset = (cx.today - parent_start).num_days().max(1) as u64;
        let start = parent_start + Days::new(dice.below(offset.min(span)));
        write(
            w,
            log,
            cx,
            net,
            dice,
            Plan {
                code: format!("{}-{}", doc.code, site.code),
                title: format!("{} ({})", doc.title, site.code),
                demo: doc,
                site: Some(index),
                parent_id: Some(parent_id),
                owner: &site.lead,
                approver: &net.region_of(site).qo,
                start,
                withdrawn: false,
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes one document with its versions, reviews, signatures and acknowledgements; returns
/// its id.
async fn write(
    w: &mut Writer,
    log: &mut TrailLog,
    cx: &Context,
    net: &Network,
    dice: &mut Dice,
    plan: Plan<'_>,
) -> Result<i64, Error> {
    let interval = plan.demo.review_interval_months.clamp(1, 120) as u32;
    let mut steps = history(plan.start, cx.today, interval, dice);
    // One document in eight is behind: its last review or revision did not happen, so the
    // review is overdue today.
    if dice.chance(12) {
        let overdue_from = cx.today - Days::new(u64::from(interval) * 31 + 10);
        while steps.len() > 1
            && matches!(steps.last(), Some(Step::Version(d) | Step::Review(d)) if *d > overdue_from)
        {
            steps.pop();
        }
    }
    let id = w.next_id(Table::Documents);
    let versions: Vec<NaiveDate> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Version(d) => Some(*d),
            Step::Review(_) => None,
        })
        .collect();
    let version_ids: Vec<i64> = versions
        .iter()
        .map(|_| w.next_id(Table::DocumentVersions))
        .collect();
    // A new version in preparation: draft, in review, or approved and waiting to take effect.
    let preparing = (!plan.withdrawn && dice.chance(25)).then(|| match dice.below(3) {
        0 => "draft",
        1 => "in_review",
        _ => "approved",
    });
    let preparing_id = preparing.map(|_| w.next_id(Table::DocumentVersions));
    let last_step = steps.last().copied().unwrap_or(Step::Version(plan.start));
    let (Step::Version(base) | Step::Review(base)) = last_step;
    let last_review = steps
        .iter()
        .rev()
        .take_while(|s| matches!(s, Step::Review(_)))
        .find_map(|s| match s {
            Step::Review(d) => Some(*d),
            Step::Version(_) => None,
        });
    let withdrawn_at = plan.withdrawn.then(|| {
        let days = (cx.today - base).num_days().clamp(1, 200) as u64;
        base + Days::new(dice.below(days))
    });
    let created = stamp(plan.start - Days::new(30), 9);
    let site = plan.site.map(|i| &net.sites[i]);
    let content = |n: usize| {
        plan.demo.versions[n % plan.demo.versions.len()]
            .content
            .clone()
    };
    w.push(
        Table::Documents,
        row![
            id,
            plan.code.as_str(),
            plan.title.as_str(),
            plan.demo.category.as_str(),
            site.map(|s| s.id),
            plan.parent_id,
            plan.owner.id,
            plan.approver.id,
            i64::from(interval),
            plan.demo.retention_years.clamp(1, 100),
            plan.demo.tags.join(",").to_lowercase(),
            if plan.withdrawn {
                "withdrawn"
            } else {
                "effective"
            },
            version_ids.last().copied(),
            date_text(base),
            (!plan.withdrawn).then(|| date_text(next_review_due(base, interval))),
            last_review.map(|d| stamp(d, 11)),
            withdrawn_at.map(|d| stamp(d, 10)),
            plan.withdrawn
                .then_some("Replaced by the programme-wide procedure; no longer in use."),
            created.as_str(),
            stamp(base, 12)
        ],
    )
    .await?;
    log.record(
        &created,
        &plan.owner.who(),
        Change::new("document.create", "document", id)
            .site(
                site.map(|s| s.code.clone()),
                site.map(|s| net.region_of(s).code.clone()),
            )
            .after(json!({
                "code": plan.code,
                "title": plan.title,
                "detail": format!("{} created", plan.code),
            })),
    );

    let last = versions.len().saturating_sub(1);
    for (n, effective) in versions.iter().enumerate() {
        let number = n as i64 + 1;
        let version_id = version_ids[n];
        let text = content(n);
        let approved = *effective - Days::new(5);
        let signature = sign(
            w,
            plan.approver,
            approved,
            "approved",
            version_id,
            &format!("{}\nversion {number}\n{text}\nfile:none", plan.code),
        )
        .await?;
        let superseded = versions.get(n + 1).map(|d| stamp(*d, 8));
        let written = *effective - Days::new(21);
        w.push(
            Table::DocumentVersions,
            row![
                version_id,
                id,
                number,
                if n == last { "effective" } else { "superseded" },
                text,
                if n == 0 {
                    "First issue.".to_string()
                } else {
                    plan.demo.versions[n % plan.demo.versions.len()]
                        .change_summary
                        .clone()
                },
                plan.owner.id,
                stamp(written + Days::new(7), 10),
                plan.approver.id,
                stamp(approved, 14),
                signature,
                date_text(*effective),
                superseded.clone(),
                stamp(written, 9),
                superseded.unwrap_or_else(|| stamp(approved, 14))
            ],
        )
        .await?;
        acknowledgements(
            w,
            cx,
            net,
            dice,
            (id, version_id, plan.site),
            *effective,
            versions.get(n + 1).copied().or(withdrawn_at),
        )
        .await?;
    }
    // Confirmed reviews of the version in force at the time.
    let mut current = 0usize;
    for step in &steps {
        match step {
            Step::Version(d) => {
                current = versions.iter().position(|v| v == d).unwrap_or(current);
            }
            Step::Review(d) => {
                let version_id = version_ids[current];
                let signature = sign(
                    w,
                    plan.approver,
                    *d,
                    "reviewed",
                    version_id,
                    &format!("{}\n{}\nfile:none", plan.code, content(current)),
                )
                .await?;
                w.push(
                    Table::DocumentReviews,
                    row![
                        id,
                        version_id,
                        plan.approver.id,
                        stamp(*d, 11),
                        "confirmed",
                        "Periodic review: still accurate and in use.",
                        signature
                    ],
                )
                .await?;
            }
        }
    }
    if let (Some(state), Some(version_id)) = (preparing, preparing_id) {
        let number = versions.len() as i64 + 1;
        let written = cx.today - Days::new(5 + dice.below(50));
        let text = content(versions.len());
        let submitted = (state != "draft").then(|| stamp(written + Days::new(2), 10));
        let approved = (state == "approved").then(|| written + Days::new(3));
        let signature = match approved {
            Some(day) => Some(
                sign(
                    w,
                    plan.approver,
                    day,
                    "approved",
                    version_id,
                    &format!("{}\nversion {number}\n{text}\nfile:none", plan.code),
                )
                .await?,
            ),
            None => None,
        };
        w.push(
            Table::DocumentVersions,
            row![
                version_id,
                id,
                number,
                state,
                text,
                "Periodic revision: references and contacts brought up to date.",
                plan.owner.id,
                submitted,
                approved.map(|_| plan.approver.id),
                approved.map(|d| stamp(d, 14)),
                signature,
                None::<String>,
                None::<String>,
                stamp(written, 9),
                stamp(written, 9)
            ],
        )
        .await?;
    }
    Ok(id)
}

/// An electronic signature on a version, as the documents service stores it.
async fn sign(
    w: &mut Writer,
    signer: &Person,
    day: NaiveDate,
    meaning: &str,
    version_id: i64,
    signed: &str,
) -> Result<i64, sqlx::Error> {
    let id = w.next_id(Table::Signatures);
    w.push(
        Table::Signatures,
        row![
            id,
            signer.id,
            stamp(day, 14),
            meaning,
            "document_version",
            version_id.to_string(),
            content_hash(signed.as_bytes())
        ],
    )
    .await?;
    Ok(id)
}

/// Tasks for the site leads and staff in scope (one site, or all) when a version takes
/// effect. Most were done within two weeks; the latest versions still wait, and a few people
/// are behind on versions of the last eighteen months. Tasks still open when the version was
/// replaced (or the document withdrawn) are superseded.
async fn acknowledgements(
    w: &mut Writer,
    cx: &Context,
    net: &Network,
    dice: &mut Dice,
    (document_id, version_id, site): (i64, i64, Option<usize>),
    effective: NaiveDate,
    replaced: Option<NaiveDate>,
) -> Result<(), sqlx::Error> {
    let due = effective + Days::new(ACKNOWLEDGE_WITHIN_DAYS);
    let created = stamp(effective, 8);
    let recent = effective + Days::new(45) > cx.today;
    let may_lag = effective
        .checked_add_months(Months::new(18))
        .is_some_and(|d| d > cx.today);
    let sites: Vec<&super::Site> = match site {
        Some(i) => vec![&net.sites[i]],
        None => net.sites.iter().collect(),
    };
    for s in sites {
        for person in std::iter::once(&s.lead).chain(&s.staff) {
            let pending = if recent {
                dice.chance(60)
            } else {
                may_lag && dice.chance(3)
            };
            let done_on = effective + Days::new(1 + dice.below(12));
            let (status, at) = if !pending && done_on <= cx.today {
                ("done", Some(stamp(done_on, 15)))
            } else if replaced.is_some_and(|d| d <= cx.today) {
                ("superseded", None)
            } else {
                ("pending", None)
            };
            w.push(
                Table::Acknowledgements,
                row![
                    document_id,
                    version_id,
                    person.id,
                    s.id,
                    date_text(due),
                    status,
                    at,
                    created.as_str()
                ],
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_history_starts_with_a_version_and_stays_in_the_past() {
        let mut dice = Dice(7);
        let today = date("2026-11-27");
        for _ in 0..50 {
            let steps = history(date("2016-11-27"), today, 24, &mut dice);
            assert_eq!(steps[0], Step::Version(date("2016-11-27")));
            let days: Vec<NaiveDate> = steps
                .iter()
                .map(|s| match s {
                    Step::Version(d) | Step::Review(d) => *d,
                })
                .collect();
            assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
            assert!(*days.last().unwrap() <= today);
            // 60–115% of 24 months: four to eight steps after the first in ten years.
            assert!((5..=10).contains(&steps.len()), "{}", steps.len());
        }
    }
}
