//! Demo reports: demo audits submitted more than six weeks ago have their reports issued by
//! their lead auditors a week after submission, through the same code as the issue button (so
//! the files are real, signed PDFs that pdfsig and /verify accept), and close when the CAPAs of
//! their findings are closed. Recent audits, and each site's latest, stay submitted: reports
//! waiting to be issued, for the demo quality officers.

use chrono::{DateTime, Days, Utc};

use crate::auth::{Actor, Credential, RequestMeta};
use crate::db::WriteTx;
use crate::error::Error;
use crate::reports::identity::SigningIdentity;

/// Audits submitted this recently keep waiting for their report.
const WAITING_DAYS: u64 = 42;

pub async fn seed(tx: &mut WriteTx, identity: &SigningIdentity) -> Result<usize, Error> {
    let existing: i64 = sqlx::query_scalar("select count(*) from issued_reports")
        .fetch_one(tx.conn())
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let now = Utc::now();
    let cutoff = (now - Days::new(WAITING_DAYS)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let audits: Vec<(i64, i64, String)> = sqlx::query_as(
        "select a.id, a.lead_auditor_id, a.submitted_at from audits a
          where a.state = 'submitted' and a.submitted_at < $1
            and exists (select 1 from audits later
                         where later.site_id = a.site_id and later.state = 'submitted'
                           and later.submitted_at > a.submitted_at)
          order by a.submitted_at, a.id",
    )
    .bind(&cutoff)
    .fetch_all(tx.conn())
    .await?;
    let mut issued = 0;
    for (audit_id, lead, submitted_at) in audits {
        let lead = crate::users::repo::find_in(tx, lead)
            .await?
            .ok_or_else(|| Error::Internal(format!("lead auditor {lead} missing")))?;
        let actor = Actor {
            user: lead.current_user(),
            credential: Credential::Bearer {
                session_hash: "demo seed".into(),
            },
            meta: RequestMeta::default(),
        };
        let at = DateTime::parse_from_rfc3339(&submitted_at)
            .map(|t| t.with_timezone(&Utc) + Days::new(7))
            .unwrap_or(now)
            .min(now);
        crate::reports::issue_in(tx, &actor, identity, audit_id, at).await?;
        let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        sqlx::query("update audits set report_issued_at = $1 where id = $2")
            .bind(&stamp)
            .bind(audit_id)
            .execute(tx.conn())
            .await?;
        issued += 1;
    }
    Ok(issued)
}
