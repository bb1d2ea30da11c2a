//! Demo controlled documents: about forty SOPs with three years of version history, approvals,
//! reviews (some overdue), site variants and acknowledgements (some pending), from
//! `data/documents.json`. Documents whose code already exists are left alone.

use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;

use crate::db::{now_text, WriteTx};
use crate::documents::review::{date_text, next_review_due, parse_date};
use crate::error::Error;
use crate::signatures;

const DOCUMENTS_JSON: &str = include_str!("data/documents.json");

/// The day the demo data's dates were written for; seeding later moves every date forward by
/// the same number of days, so overdue reviews and open acknowledgements stay as they were.
const WRITTEN_ON: &str = "2026-11-25";

/// A date of the demo data, moved to today's calendar.
fn shifted(text: &str, shift: i64) -> Option<NaiveDate> {
    parse_date(text).map(|d| d + chrono::Duration::days(shift))
}

#[derive(Debug, Deserialize)]
pub(super) struct DemoDocument {
    pub code: String,
    pub title: String,
    pub category: String,
    pub site: Option<String>,
    pub parent: Option<String>,
    pub review_interval_months: i64,
    pub retention_years: i64,
    pub tags: Vec<String>,
    last_review: Option<String>,
    withdrawn_reason: Option<String>,
    pub versions: Vec<DemoVersion>,
}

#[derive(Debug, Deserialize)]
pub(super) struct DemoVersion {
    state: String,
    effective_date: Option<String>,
    pub change_summary: String,
    pub content: String,
}

/// The demo's controlled documents (the scale seed reuses their titles and text).
pub(super) fn demo_documents() -> Result<Vec<DemoDocument>, serde_json::Error> {
    serde_json::from_str(DOCUMENTS_JSON)
}

/// A timestamp on a demo date, at a working hour.
fn at(date: NaiveDate, hour: u32) -> String {
    format!("{}T{hour:02}:00:00Z", date_text(date))
}

async fn user_id(tx: &mut WriteTx, email: &str) -> Result<Option<i64>, Error> {
    Ok(sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_optional(tx.conn())
        .await?)
}

/// Who owns and approves a demo document: network SOPs are written by the quality officer and
/// approved by the laboratory quality officer; a site variant is written by the site's lead
/// where there is a demo one.
async fn people(tx: &mut WriteTx, site: Option<&str>) -> Result<(i64, i64), Error> {
    let qo = user_id(tx, "qo@attest.example").await?;
    let lab_qo = user_id(tx, "qo.lab@attest.example").await?;
    let (Some(qo), Some(lab_qo)) = (qo, lab_qo) else {
        return Err(Error::Internal("demo quality officers missing".into()));
    };
    let lead = match site {
        Some(site) => {
            sqlx::query_scalar::<_, i64>(
                "select u.id from users u join sites s on s.id = u.site_id
                  where s.code = $1 and u.role = 'site_lead' order by u.id limit 1",
            )
            .bind(site)
            .fetch_optional(tx.conn())
            .await?
        }
        None => None,
    };
    Ok(match lead {
        Some(lead) => (lead, qo),
        None => (qo, lab_qo),
    })
}

/// Seeds the demo documents; returns how many were added.
pub async fn seed(tx: &mut WriteTx) -> Result<usize, Error> {
    let documents =
        demo_documents().map_err(|e| Error::Internal(format!("demo documents: {e}")))?;
    let today = Utc::now().date_naive();
    let shift = parse_date(WRITTEN_ON)
        .map(|written| (today - written).num_days())
        .unwrap_or(0);
    let now = now_text();
    let mut added = 0;
    for (index, doc) in documents.iter().enumerate() {
        let exists: Option<i64> = sqlx::query_scalar("select id from documents where code = $1")
            .bind(&doc.code)
            .fetch_optional(tx.conn())
            .await?;
        if exists.is_some() {
            continue;
        }
        let (owner, approver) = people(tx, doc.site.as_deref()).await?;
        let site_id: Option<i64> = match &doc.site {
            Some(code) => Some(
                sqlx::query_scalar("select id from sites where code = $1")
                    .bind(code)
                    .fetch_one(tx.conn())
                    .await?,
            ),
            None => None,
        };
        let parent_id: Option<i64> = match &doc.parent {
            Some(code) => Some(
                sqlx::query_scalar("select id from documents where code = $1")
                    .bind(code)
                    .fetch_one(tx.conn())
                    .await?,
            ),
            None => None,
        };
        let first_date = doc
            .versions
            .iter()
            .find_map(|v| v.effective_date.as_deref().and_then(|d| shifted(d, shift)))
            .unwrap_or(today - Days::new(20));
        let created = at(first_date - Days::new(30), 9);
        let id: i64 = sqlx::query_scalar(
            "insert into documents (code, title, category, site_id, parent_id, owner_id, approver_id,
                 review_interval_months, retention_years, tags, ack_roles, self_approval_allowed,
                 status, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'site_lead,staff', 0, 'draft', $11, $12)
             returning id",
        )
        .bind(&doc.code)
        .bind(&doc.title)
        .bind(&doc.category)
        .bind(site_id)
        .bind(parent_id)
        .bind(owner)
        .bind(approver)
        .bind(doc.review_interval_months)
        .bind(doc.retention_years)
        .bind(doc.tags.join(",").to_lowercase())
        .bind(&created)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?;

        let mut effective: Option<(i64, NaiveDate)> = None;
        let mut first_state = "draft".to_string();
        for (number, version) in doc.versions.iter().enumerate() {
            let number = number as i64 + 1;
            let effective_date = version
                .effective_date
                .as_deref()
                .and_then(|d| shifted(d, shift));
            // Superseded on the day the next version took effect.
            let superseded = doc
                .versions
                .get(number as usize)
                .and_then(|next| next.effective_date.as_deref())
                .and_then(|d| shifted(d, shift))
                .map(|d| at(d, 8))
                .filter(|_| version.state == "superseded");
            let written = effective_date.unwrap_or(today - Days::new(12)) - Days::new(21);
            let submitted = (version.state != "draft").then(|| at(written + Days::new(7), 10));
            let approved = matches!(
                version.state.as_str(),
                "approved" | "effective" | "superseded"
            )
            .then(|| effective_date.unwrap_or(today - Days::new(3)) - Days::new(5));
            let version_id: i64 = sqlx::query_scalar(
                "insert into document_versions (document_id, number, state, content, change_summary,
                     author_id, submitted_at, approved_by, approved_at, effective_date, superseded_at,
                     created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning id",
            )
            .bind(id)
            .bind(number)
            .bind(&version.state)
            .bind(&version.content)
            .bind(&version.change_summary)
            .bind(owner)
            .bind(submitted)
            .bind(approved.map(|_| approver))
            .bind(approved.map(|d| at(d, 14)))
            .bind(effective_date.map(date_text))
            .bind(superseded)
            .bind(at(written, 9))
            .fetch_one(tx.conn())
            .await?;
            if let Some(date) = approved {
                // Signed as the service signs: code, number, text and file.
                let signed = format!(
                    "{}\nversion {number}\n{}\nfile:none",
                    doc.code, version.content
                );
                let signature_id =
                    signature(tx, approver, date, "approved", version_id, &signed).await?;
                sqlx::query(
                    "update document_versions set approval_signature_id = $1 where id = $2",
                )
                .bind(signature_id)
                .bind(version_id)
                .execute(tx.conn())
                .await?;
            }
            if number == 1 {
                first_state = version.state.clone();
            }
            if version.state == "effective" {
                effective = effective_date.map(|d| (version_id, d));
            }
        }

        if let Some((version_id, effective_date)) = effective {
            let last_review = doc.last_review.as_deref().and_then(|d| shifted(d, shift));
            let base = last_review.unwrap_or(effective_date).max(effective_date);
            let due = next_review_due(base, doc.review_interval_months as u32);
            sqlx::query(
                "update documents set status = 'effective', effective_version_id = $1,
                     review_base_date = $2, next_review_due = $3, last_reviewed_at = $4 where id = $5",
            )
            .bind(version_id)
            .bind(date_text(base))
            .bind(date_text(due))
            .bind(last_review.map(|d| at(d, 11)))
            .bind(id)
            .execute(tx.conn())
            .await?;
            if let Some(reviewed) = last_review {
                let content: String =
                    sqlx::query_scalar("select content from document_versions where id = $1")
                        .bind(version_id)
                        .fetch_one(tx.conn())
                        .await?;
                let signed = format!("{}\n{content}\nfile:none", doc.code);
                let signature_id =
                    signature(tx, approver, reviewed, "reviewed", version_id, &signed).await?;
                sqlx::query(
                    "insert into document_reviews (document_id, version_id, reviewer_id, reviewed_at, outcome, notes, signature_id)
                     values ($1, $2, $3, $4, 'confirmed', 'Periodic review: still accurate and in use.', $5)",
                )
                .bind(id)
                .bind(version_id)
                .bind(approver)
                .bind(at(reviewed, 11))
                .bind(signature_id)
                .execute(tx.conn())
                .await?;
            }
            seed_acknowledgements(tx, id, version_id, site_id, effective_date, today, index)
                .await?;
        } else {
            let status = match first_state.as_str() {
                "in_review" => "in_review",
                "approved" => "approved",
                _ => "draft",
            };
            sqlx::query("update documents set status = $1 where id = $2")
                .bind(status)
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        if let Some(reason) = &doc.withdrawn_reason {
            sqlx::query(
                "update documents set status = 'withdrawn', withdrawn_at = $1, withdrawn_reason = $2,
                     next_review_due = null where id = $3",
            )
            .bind(at(today - Days::new(60), 10))
            .bind(reason)
            .bind(id)
            .execute(tx.conn())
            .await?;
            sqlx::query("update acknowledgements set status = 'superseded' where document_id = $1 and status = 'pending'")
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        added += 1;
    }
    Ok(added)
}

/// A demo electronic signature, as `signatures::record` would have stored it.
async fn signature(
    tx: &mut WriteTx,
    signer: i64,
    date: NaiveDate,
    meaning: &str,
    version_id: i64,
    signed: &str,
) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "insert into signatures (signer_id, signed_at, meaning, entity_type, entity_id, content_sha256)
         values ($1, $2, $3, 'document_version', $4, $5) returning id",
    )
    .bind(signer)
    .bind(at(date, 14))
    .bind(meaning)
    .bind(version_id.to_string())
    .bind(signatures::content_hash(signed.as_bytes()))
    .fetch_one(tx.conn())
    .await?)
}

/// Tasks for everyone at the sites in scope; most were done within ten days. Recent versions
/// are still pending, and a few demo users are behind on older ones (overdue examples).
async fn seed_acknowledgements(
    tx: &mut WriteTx,
    document_id: i64,
    version_id: i64,
    site_id: Option<i64>,
    effective_date: NaiveDate,
    today: NaiveDate,
    index: usize,
) -> Result<(), Error> {
    let due = effective_date + Days::new(crate::documents::ACKNOWLEDGE_WITHIN_DAYS);
    crate::documents::repo::create_acknowledgements(
        tx.conn(),
        document_id,
        version_id,
        site_id,
        "site_lead,staff",
        &date_text(due),
        &at(effective_date, 8),
    )
    .await?;
    let tasks: Vec<(i64, String)> = sqlx::query_as(
        "select k.id, u.email from acknowledgements k join users u on u.id = k.user_id
          where k.version_id = $1 order by k.id",
    )
    .bind(version_id)
    .fetch_all(tx.conn())
    .await?;
    let recent = effective_date + Days::new(45) > today;
    for (n, (task, email)) in tasks.iter().enumerate() {
        // Old tasks would have been chased long ago: only those of the last eighteen months can still be open.
        let behind = effective_date + Days::new(540) > today
            && match email.as_str() {
                "lead.kla@attest.example" => index.is_multiple_of(4),
                "staff.nbo@attest.example" => index % 2 == 1,
                "lead.nbo@attest.example" => index % 7 == 2,
                _ => false,
            };
        if recent || behind {
            continue;
        }
        let done = effective_date + Days::new(1 + ((index + n) % 10) as u64);
        sqlx::query(
            "update acknowledgements set status = 'done', acknowledged_at = $1 where id = $2",
        )
        .bind(at(done, 15))
        .bind(task)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_register_has_every_state() {
        let docs = demo_documents().expect("the bundled JSON parses");
        assert!(docs.len() >= 40, "{}", docs.len());
        let states: std::collections::BTreeSet<&str> = docs
            .iter()
            .flat_map(|d| d.versions.iter().map(|v| v.state.as_str()))
            .collect();
        assert_eq!(
            states.into_iter().collect::<Vec<_>>(),
            ["approved", "draft", "effective", "in_review", "superseded"]
        );
        assert!(docs.iter().any(|d| d.withdrawn_reason.is_some()));
        assert!(docs.iter().any(|d| d.site.is_some() && d.parent.is_some()));
    }

    #[test]
    fn every_parent_comes_before_its_variants() {
        let docs = demo_documents().unwrap();
        for (i, doc) in docs.iter().enumerate() {
            if let Some(parent) = &doc.parent {
                assert!(docs[..i].iter().any(|d| &d.code == parent), "{}", doc.code);
            }
        }
    }
}
