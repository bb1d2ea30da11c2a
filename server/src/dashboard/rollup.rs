//! The pre-aggregated PT and radiology QC figures per site and month (`site_month_figures`).
//!
//! Every change to PT results, event scores or QC reads recomputes the affected site-months
//! from the raw rows in the same transaction, so the table always equals a from-scratch
//! computation ([`rebuild`], which the seeds and the tests use). PT figures fall in the month
//! of the event's deadline, QC figures in the month of the re-read.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

/// The aggregate of every raw row matching the three filters (each may use `$1`…), as rows of
/// `site_month_figures`.
fn aggregate_sql(pt_filter: &str, score_filter: &str, qc_filter: &str) -> String {
    format!(
        "insert into site_month_figures
         select site_id, month, sum(pt_scored), sum(pt_satisfactory), sum(pt_events_scored),
                sum(pt_events_unsatisfactory), sum(pt_events_unsuccessful), sum(qc_reads),
                sum(qc_nn), sum(qc_nt), sum(qc_no), sum(qc_tn), sum(qc_tt), sum(qc_to),
                sum(qc_on), sum(qc_ot), sum(qc_oo), sum(qc_significant)
           from (
             select r.site_id, substr(e.deadline, 1, 7) as month,
                    count(*) as pt_scored,
                    sum(case when r.verdict = 'satisfactory' then 1 else 0 end) as pt_satisfactory,
                    0 as pt_events_scored, 0 as pt_events_unsatisfactory, 0 as pt_events_unsuccessful,
                    0 as qc_reads, 0 as qc_nn, 0 as qc_nt, 0 as qc_no, 0 as qc_tn, 0 as qc_tt,
                    0 as qc_to, 0 as qc_on, 0 as qc_ot, 0 as qc_oo, 0 as qc_significant
               from pt_results r join pt_events e on e.id = r.event_id
              where r.verdict in ('satisfactory', 'questionable', 'unsatisfactory') {pt_filter}
              group by r.site_id, substr(e.deadline, 1, 7)
             union all
             select s.site_id, substr(e.deadline, 1, 7), 0, 0,
                    sum(case when s.verdict <> 'not_scored' then 1 else 0 end),
                    sum(case when s.verdict = 'unsatisfactory' then 1 else 0 end),
                    sum(case when s.unsuccessful <> 0 then 1 else 0 end),
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
               from pt_event_scores s join pt_events e on e.id = s.event_id
              where 1 = 1 {score_filter}
              group by s.site_id, substr(e.deadline, 1, 7)
             union all
             select q.site_id, substr(q.read_on, 1, 7), 0, 0, 0, 0, 0, count(*),
                    sum(case when q.primary_class = 'normal' and q.qc_class = 'normal' then 1 else 0 end),
                    sum(case when q.primary_class = 'normal' and q.qc_class = 'tb' then 1 else 0 end),
                    sum(case when q.primary_class = 'normal' and q.qc_class = 'other' then 1 else 0 end),
                    sum(case when q.primary_class = 'tb' and q.qc_class = 'normal' then 1 else 0 end),
                    sum(case when q.primary_class = 'tb' and q.qc_class = 'tb' then 1 else 0 end),
                    sum(case when q.primary_class = 'tb' and q.qc_class = 'other' then 1 else 0 end),
                    sum(case when q.primary_class = 'other' and q.qc_class = 'normal' then 1 else 0 end),
                    sum(case when q.primary_class = 'other' and q.qc_class = 'tb' then 1 else 0 end),
                    sum(case when q.primary_class = 'other' and q.qc_class = 'other' then 1 else 0 end),
                    sum(case when q.peer_score in ('2b', '3a', '3b') then 1 else 0 end)
               from radiology_qc_reads q
              where 1 = 1 {qc_filter}
              group by q.site_id, substr(q.read_on, 1, 7)
           ) x
          group by site_id, month"
    )
}

/// Recomputes the whole table from the raw rows (after bulk loading, and in tests).
pub async fn rebuild(conn: &mut AnyConnection) -> sqlx::Result<()> {
    sqlx::query("delete from site_month_figures")
        .execute(&mut *conn)
        .await?;
    sqlx::query(&aggregate_sql("", "", ""))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `YYYY-MM` of a `YYYY-MM-DD` date.
pub fn month_of(date: &str) -> String {
    date.chars().take(7).collect()
}

/// The first day of the month after a `YYYY-MM` month, as `YYYY-MM-DD`.
fn next_month_start(month: &str) -> String {
    let (year, number) = month.split_once('-').unwrap_or((month, "1"));
    let year: i32 = year.parse().unwrap_or(0);
    let number: u32 = number.parse().unwrap_or(1);
    if number >= 12 {
        format!("{:04}-01-01", year + 1)
    } else {
        format!("{year:04}-{:02}-01", number + 1)
    }
}

/// Recomputes these site-months from the raw rows.
pub async fn refresh(
    conn: &mut AnyConnection,
    site_months: &BTreeSet<(i64, String)>,
) -> sqlx::Result<()> {
    if site_months.is_empty() {
        return Ok(());
    }
    let sql = aggregate_sql(
        "and r.site_id = $1 and e.deadline >= $2 and e.deadline < $3",
        "and s.site_id = $1 and e.deadline >= $2 and e.deadline < $3",
        "and q.site_id = $1 and q.read_on >= $2 and q.read_on < $3",
    );
    for (site_id, month) in site_months {
        sqlx::query("delete from site_month_figures where site_id = $1 and month = $2")
            .bind(site_id)
            .bind(month)
            .execute(&mut *conn)
            .await?;
        sqlx::query(&sql)
            .bind(site_id)
            .bind(format!("{month}-01"))
            .bind(next_month_start(month))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Recomputes the month of an event's deadline for these sites, or for every site with a
/// result or a score in the event when `sites` is empty.
pub async fn refresh_event(
    conn: &mut AnyConnection,
    event_id: i64,
    sites: &[i64],
) -> sqlx::Result<()> {
    let deadline: Option<String> =
        sqlx::query_scalar("select deadline from pt_events where id = $1")
            .bind(event_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(deadline) = deadline else {
        return Ok(());
    };
    let sites: Vec<i64> = if sites.is_empty() {
        sqlx::query_scalar(
            "select site_id from pt_results where event_id = $1
             union select site_id from pt_event_scores where event_id = $1",
        )
        .bind(event_id)
        .fetch_all(&mut *conn)
        .await?
    } else {
        sites.to_vec()
    };
    let month = month_of(&deadline);
    let pairs = sites.into_iter().map(|s| (s, month.clone())).collect();
    refresh(conn, &pairs).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_after_december_is_january_of_the_next_year() {
        assert_eq!(next_month_start("2026-12"), "2027-01-01");
        assert_eq!(next_month_start("2026-02"), "2026-03-01");
        assert_eq!(next_month_start("2026-09"), "2026-10-01");
        assert_eq!(month_of("2026-09-30"), "2026-09");
    }
}
