//! Dashboards: every figure against a straightforward computation over the raw tables, the
//! pre-aggregates against a rebuild after changes, scope, thresholds and the CSV downloads.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::helpers::{json_of, on_both_databases, TestApp};

on_both_databases!(
    ;
    seeded:
    regional_figures_equal_a_computation_from_the_raw_rows,
    the_network_adds_up_its_regions_and_counts_failed_clauses_and_trends,
    the_site_dashboard_lists_what_the_site_must_do,
    monthly_figures_stay_equal_to_a_rebuild_after_reads_and_scoring,
    dashboards_answer_only_within_scope,
    thresholds_are_checked_recorded_and_applied,
    the_csv_download_holds_the_rows_of_the_table,
    each_role_lands_on_its_dashboard,
);

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").unwrap()
}

/// The first day of the PT/QC window (the running month and the eleven before it) and the
/// first day after it, both as `YYYY-MM-DD`, in UTC.
fn window() -> (String, String) {
    let today = Utc::now().date_naive();
    let first = today.with_day(1).unwrap();
    let from = first - Months::new(11);
    let after = first + Months::new(1);
    (
        from.format("%Y-%m-%d").to_string(),
        after.format("%Y-%m-%d").to_string(),
    )
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}"),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

/// A site's figures computed the plain way, one query per figure over the raw rows.
#[derive(Debug, Default, Clone, PartialEq)]
struct Reference {
    latest: Option<f64>,
    previous: Option<f64>,
    capas: [i64; 6],
    sop: (i64, i64),
    acks: (i64, i64),
    pt: (i64, i64),
    unsuccessful: i64,
    qc_reads: i64,
    kappa: Option<f64>,
    significant: i64,
}

async fn reference(app: &TestApp, site_id: i64, timezone: &str) -> Reference {
    let pool = app.db.pool();
    let today = server::capa::due::local_today(server::capa::due::zone(timezone), Utc::now());
    let today_text = today.format("%Y-%m-%d").to_string();
    let mut r = Reference::default();

    let audits: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "select score_points, score_applicable from audits
          where site_id = $1 and state in ('submitted', 'report_issued', 'closed')
            and submitted_at is not null and score_applicable > 0
          order by submitted_at desc, id desc",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let scores: Vec<f64> = audits
        .iter()
        .map(|(p, a)| p.unwrap() as f64 * 100.0 / a.unwrap() as f64)
        .collect();
    r.latest = scores.first().copied();
    r.previous = scores.get(1).copied();

    let capas: Vec<(String, String)> = sqlx::query_as(
        "select opened_on, due_date from capas
          where site_id = $1 and state not in ('closed', 'rejected', 'cancelled')",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
    .unwrap();
    for (opened, due) in &capas {
        r.capas[0] += 1;
        let age = (today - day(opened)).num_days();
        let bucket = if age <= 30 {
            1
        } else if age <= 60 {
            2
        } else if age <= 90 {
            3
        } else {
            4
        };
        r.capas[bucket] += 1;
        if due.as_str() < today_text.as_str() {
            r.capas[5] += 1;
        }
    }

    // The documents a site follows: its own effective variants, and the effective global
    // documents it has no effective variant of.
    let docs: Vec<(Option<String>,)> = sqlx::query_as(
        "select d.next_review_due from documents d
          where d.status = 'effective'
            and (d.site_id = $1
                 or (d.site_id is null and not exists (
                        select 1 from documents v
                         where v.parent_id = d.id and v.site_id = $1 and v.status = 'effective')))",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
    .unwrap();
    r.sop.1 = docs.len() as i64;
    r.sop.0 = docs
        .iter()
        .filter(|(d,)| d.as_deref().is_none_or(|d| d >= today_text.as_str()))
        .count() as i64;

    let acks: Vec<(String, String)> = sqlx::query_as(
        "select a.status, a.due_date from acknowledgements a
           join documents d on d.id = a.document_id
          where a.site_id = $1 and d.status = 'effective' and a.version_id = d.effective_version_id
            and a.status in ('pending', 'done')",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
    .unwrap();
    r.acks.1 = acks.len() as i64;
    r.acks.0 = acks
        .iter()
        .filter(|(status, due)| status == "done" || due.as_str() >= today_text.as_str())
        .count() as i64;

    let (from, after) = window();
    let verdicts: Vec<(Option<String>,)> = sqlx::query_as(
        "select r.verdict from pt_results r join pt_events e on e.id = r.event_id
          where r.site_id = $1 and e.deadline >= $2 and e.deadline < $3",
    )
    .bind(site_id)
    .bind(&from)
    .bind(&after)
    .fetch_all(pool)
    .await
    .unwrap();
    for (v,) in &verdicts {
        match v.as_deref() {
            Some("satisfactory") => {
                r.pt.0 += 1;
                r.pt.1 += 1;
            }
            Some("questionable" | "unsatisfactory") => r.pt.1 += 1,
            _ => {}
        }
    }
    r.unsuccessful = sqlx::query_scalar(
        "select count(*) from pt_event_scores s join pt_events e on e.id = s.event_id
          where s.site_id = $1 and s.unsuccessful <> 0 and e.deadline >= $2 and e.deadline < $3",
    )
    .bind(site_id)
    .bind(&from)
    .bind(&after)
    .fetch_one(pool)
    .await
    .unwrap();

    let reads: Vec<(String, String, String, i64)> = sqlx::query_as(
        "select primary_class, qc_class, peer_score, image_quality from radiology_qc_reads
          where site_id = $1 and read_on >= $2 and read_on < $3",
    )
    .bind(site_id)
    .bind(&from)
    .bind(&after)
    .fetch_all(pool)
    .await
    .unwrap();
    use app::model::pt::{PeerScore, XrayClass};
    let reads: Vec<server::pt::radiology::Read> = reads
        .iter()
        .map(|(p, q, s, quality)| server::pt::radiology::Read {
            primary: XrayClass::parse(p).unwrap(),
            qc: XrayClass::parse(q).unwrap(),
            peer: PeerScore::parse(s).unwrap(),
            quality: *quality,
        })
        .collect();
    let metrics = server::pt::radiology::metrics(&reads);
    r.qc_reads = reads.len() as i64;
    r.kappa = metrics.kappa;
    r.significant = reads
        .iter()
        .filter(|x| x.peer.clinically_significant())
        .count() as i64;
    r
}

/// The figures of a dashboard row in the shape of [`Reference`].
fn as_reference(f: &Value) -> Reference {
    let int = |v: &Value| v.as_i64().unwrap();
    let c = &f["capas"];
    Reference {
        latest: f["audit"]["percent"].as_f64(),
        previous: if f["audit"]["audits"].as_i64() == Some(1) {
            f["audit"]["previous_percent"].as_f64()
        } else {
            None
        },
        capas: [
            int(&c["open"]),
            int(&c["up_to_30"]),
            int(&c["up_to_60"]),
            int(&c["up_to_90"]),
            int(&c["over_90"]),
            int(&c["overdue"]),
        ],
        sop: (
            int(&f["sop_review"]["part"]),
            int(&f["sop_review"]["whole"]),
        ),
        acks: (
            int(&f["acknowledgements"]["part"]),
            int(&f["acknowledgements"]["whole"]),
        ),
        pt: (
            int(&f["pt"]["results"]["part"]),
            int(&f["pt"]["results"]["whole"]),
        ),
        unsuccessful: int(&f["pt"]["unsuccessful_events"]),
        qc_reads: int(&f["qc"]["reads"]),
        kappa: f["qc"]["kappa"].as_f64(),
        significant: int(&f["qc"]["significant"]["part"]),
    }
}

fn assert_same(site: &str, actual: &Reference, expected: &Reference) {
    close(
        actual.latest,
        expected.latest,
        &format!("{site} latest audit"),
    );
    close(
        actual.previous,
        expected.previous,
        &format!("{site} previous audit"),
    );
    close(actual.kappa, expected.kappa, &format!("{site} kappa"));
    let strip = |r: &Reference| Reference {
        latest: None,
        previous: None,
        kappa: None,
        ..r.clone()
    };
    assert_eq!(strip(actual), strip(expected), "{site}");
}

async fn sites_of(app: &TestApp, region: Option<&str>) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "select s.id, s.code, s.timezone from sites s join countries c on c.code = s.country_code
          where s.status = 'active' and ($1 = '' or c.region_code = $1) order by s.code",
    )
    .bind(region.unwrap_or(""))
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn regional_figures_equal_a_computation_from_the_raw_rows(app: TestApp) {
    let token = app.token_for("rm.eha@attest.example").await;
    let d = json_of(
        app.get_as(&token, "/api/v1/dashboard/region/eha").await,
        200,
    )
    .await;
    assert_eq!(d["code"], "EHA");
    let sites = sites_of(&app, Some("EHA")).await;
    let rows = d["sites"].as_array().unwrap();
    assert_eq!(rows.len(), sites.len());
    let mut total = Reference::default();
    let mut busy = (0, 0, 0, 0);
    for (id, code, timezone) in &sites {
        let row = rows.iter().find(|r| r["code"] == code.as_str()).unwrap();
        let expected = reference(&app, *id, timezone).await;
        assert_same(code, &as_reference(&row["figures"]), &expected);
        for (t, e) in total.capas.iter_mut().zip(expected.capas) {
            *t += e;
        }
        total.pt.0 += expected.pt.0;
        total.pt.1 += expected.pt.1;
        total.sop.0 += expected.sop.0;
        total.sop.1 += expected.sop.1;
        busy.0 += i64::from(expected.capas[5] > 0);
        busy.1 += i64::from(expected.pt.1 > 0);
        busy.2 += i64::from(expected.qc_reads >= 20);
        busy.3 += i64::from(expected.latest.is_some());
    }
    // The demo gives the comparison something to compare.
    assert!(
        busy.0 > 0 && busy.1 > 0 && busy.2 > 0 && busy.3 > 0,
        "{busy:?}"
    );
    let t = as_reference(&d["total"]);
    assert_eq!(t.capas, total.capas);
    assert_eq!((t.pt, t.sop), (total.pt, total.sop));
    // Twelve monthly reports, newest first, none in the running month.
    let reports = d["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 12);
    let this_month = Utc::now().format("%Y-%m").to_string();
    assert!(reports[0]["period"].as_str().unwrap() < this_month.as_str());
    assert!(reports[0]["period"].as_str() > reports[11]["period"].as_str());
}

async fn the_network_adds_up_its_regions_and_counts_failed_clauses_and_trends(app: TestApp) {
    put_capas_on_month_edges(&app).await;
    let qo = app.token_for("qo@attest.example").await;
    let d = json_of(app.get_as(&qo, "/api/v1/dashboard/network").await, 200).await;
    let regions = d["regions"].as_array().unwrap();
    let codes: Vec<String> = sqlx::query_scalar("select code from regions order by code")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(regions.len(), codes.len());
    let mut sum = [0i64; 6];
    for region in regions {
        let code = region["code"].as_str().unwrap();
        let regional = json_of(
            app.get_as(&qo, &format!("/api/v1/dashboard/region/{code}"))
                .await,
            200,
        )
        .await;
        // A region's row on the network dashboard is its regional dashboard's total.
        assert_eq!(region["figures"], regional["total"], "{code}");
        assert_eq!(
            region["sites"].as_i64().unwrap(),
            regional["sites"].as_array().unwrap().len() as i64
        );
        let r = as_reference(&region["figures"]);
        for (s, c) in sum.iter_mut().zip(r.capas) {
            *s += c;
        }
    }
    assert_eq!(as_reference(&d["total"]).capas, sum);

    // Failed clauses: "no" answers of submitted audits in the 24 months, per checklist and
    // clause, computed row by row.
    let from = (Utc::now().date_naive().with_day(1).unwrap() - Months::new(23))
        .format("%Y-%m-%d")
        .to_string();
    let answers: Vec<(String, String, String)> = sqlx::query_as(
        "select t.code, i.clause, a.answer from audit_answers a
           join audits au on au.id = a.audit_id
           join template_items i on i.id = a.item_id
           join checklist_templates t on t.id = i.template_id
          where au.state in ('submitted', 'report_issued', 'closed') and au.submitted_at >= $1",
    )
    .bind(&from)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut counts: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for (template, clause, answer) in answers {
        if answer == "not_applicable" {
            continue;
        }
        let c = counts.entry((template, clause)).or_default();
        c.0 += 1;
        c.1 += i64::from(answer == "no");
    }
    let clauses = d["failed_clauses"].as_array().unwrap();
    assert!(!clauses.is_empty(), "the demo has failed items");
    let mut most: Vec<i64> = counts.values().map(|c| c.1).filter(|n| *n > 0).collect();
    most.sort_unstable_by(|a, b| b.cmp(a));
    let listed: Vec<i64> = clauses
        .iter()
        .map(|c| c["failed"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, most[..listed.len()].to_vec(), "most failed first");
    for c in clauses {
        let key = (
            c["template"].as_str().unwrap().to_string(),
            c["clause"].as_str().unwrap().to_string(),
        );
        assert_eq!(
            (
                c["answered"].as_i64().unwrap(),
                c["failed"].as_i64().unwrap()
            ),
            counts[&key],
            "{key:?}"
        );
    }

    // Trends: 24 months, CAPAs open at each month's end counted one by one.
    let trends = d["trends"].as_array().unwrap();
    assert_eq!(trends.len(), 24);
    let capas: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "select opened_on, ended_on, due_date from capas where state <> 'cancelled'",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let today = Utc::now().date_naive();
    for m in trends {
        let month = m["month"].as_str().unwrap();
        let first = day(&format!("{month}-01"));
        let end = (first + Months::new(1)).pred_opt().unwrap().min(today);
        let end = end.format("%Y-%m-%d").to_string();
        let open: Vec<_> = capas
            .iter()
            .filter(|(o, e, _)| {
                o.as_str() <= end.as_str() && e.as_deref().is_none_or(|e| e > end.as_str())
            })
            .collect();
        assert_eq!(
            m["capas_open"].as_i64().unwrap(),
            open.len() as i64,
            "{month}"
        );
        let overdue = open
            .iter()
            .filter(|(_, _, due)| due.as_str() < end.as_str())
            .count();
        assert_eq!(
            m["capas_overdue"].as_i64().unwrap(),
            overdue as i64,
            "{month}"
        );
    }

    // Mean audit score of the month's submissions, and PT satisfactory among the results
    // scored in events with their deadline in the month.
    let audits: Vec<(String, i64, i64)> = sqlx::query_as(
        "select submitted_at, score_points, score_applicable from audits
          where state in ('submitted', 'report_issued', 'closed') and submitted_at is not null
            and score_applicable > 0",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let verdicts: Vec<(String, Option<String>)> = sqlx::query_as(
        "select e.deadline, r.verdict from pt_results r join pt_events e on e.id = r.event_id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut scored_months = 0;
    for m in trends {
        let month = m["month"].as_str().unwrap();
        let scores: Vec<f64> = audits
            .iter()
            .filter(|(at, _, _)| at.starts_with(month))
            .map(|(_, p, a)| *p as f64 * 100.0 / *a as f64)
            .collect();
        assert_eq!(
            m["audits"].as_i64().unwrap(),
            scores.len() as i64,
            "{month}"
        );
        let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        close(m["audit_score"].as_f64(), mean, month);
        scored_months += usize::from(mean.is_some());
        let of_month = verdicts
            .iter()
            .filter(|(deadline, _)| deadline.starts_with(month));
        let scored = of_month
            .clone()
            .filter(|(_, v)| {
                matches!(
                    v.as_deref(),
                    Some("satisfactory" | "questionable" | "unsatisfactory")
                )
            })
            .count() as i64;
        let satisfactory = of_month
            .filter(|(_, v)| v.as_deref() == Some("satisfactory"))
            .count() as i64;
        assert_eq!(
            (m["pt"]["part"].as_i64(), m["pt"]["whole"].as_i64()),
            (Some(satisfactory), Some(scored)),
            "{month}"
        );
    }
    assert!(
        scored_months > 0,
        "the demo has audits in the last 24 months"
    );
}

/// Moves a few CAPAs' dates onto the edges the network trends must get right: opened on a
/// month's first or last day, due on a month's last day (not yet overdue at that month's end)
/// or on the 28th, ended on a month's last day (no longer open at its end) or the day after,
/// opened and due before the window, and due today.
async fn put_capas_on_month_edges(app: &TestApp) {
    let pool = app.db.pool();
    let today = Utc::now().date_naive();
    let text = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let first = today.with_day(1).unwrap() - Months::new(5);
    let last = first + Months::new(1) - chrono::Days::new(1);
    let next = first + Months::new(1);
    let before = first - Months::new(1);
    let long_ago = first - Months::new(30);
    let with_day = |d: NaiveDate, n: u32| text(d.with_day(n).unwrap());
    // (running?, opened, due, ended)
    let edges: Vec<(bool, String, String, Option<String>)> = vec![
        (true, text(first), text(last), None),
        (false, text(last), text(last), Some(text(next))),
        (
            false,
            with_day(before, 15),
            with_day(first, 27),
            Some(text(last)),
        ),
        (true, with_day(first, 10), with_day(first, 28), None),
        (true, text(long_ago), with_day(long_ago, 20), None),
        (true, text(today), text(today), None),
        (false, with_day(before, 3), text(last), Some(text(today))),
    ];
    let running: Vec<i64> = sqlx::query_scalar(
        "select id from capas where state not in ('closed', 'rejected', 'cancelled') order by id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let ended: Vec<i64> = sqlx::query_scalar(
        "select id from capas where state in ('closed', 'rejected') order by id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let (mut r, mut e) = (running.iter(), ended.iter());
    for (is_running, opened, due, end) in edges {
        let id = if is_running { r.next() } else { e.next() };
        let id = *id.expect("the demo has enough running and ended CAPAs");
        sqlx::query("update capas set opened_on = $1, due_date = $2, ended_on = $3 where id = $4")
            .bind(opened)
            .bind(due)
            .bind(end)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
}

async fn the_site_dashboard_lists_what_the_site_must_do(app: TestApp) {
    // The demo site lead's site with the most CAPAs due soon or overdue.
    let leads = [
        ("lead.nbo@attest.example", "KEN-NBO"),
        ("lead.kla@attest.example", "UGA-KLA"),
        ("lead.mnl@attest.example", "PHL-MNL"),
        ("lead.amm@attest.example", "JOR-AMM"),
        ("lead.ist@attest.example", "TUR-IST"),
    ];
    let mut busiest = None;
    for (email, code) in leads {
        let due: i64 = sqlx::query_scalar(
            "select count(*) from capas c join sites s on s.id = c.site_id
              where s.code = $1 and c.state not in ('closed', 'rejected', 'cancelled')",
        )
        .bind(code)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        if busiest.is_none_or(|(_, _, n)| due > n) {
            busiest = Some((email, code, due));
        }
    }
    let (email, code, _) = busiest.unwrap();
    let lead = app.token_for(email).await;
    let lead_id = app.user_id(email).await;
    let d = json_of(
        app.get_as(&lead, &format!("/api/v1/dashboard/site/{code}"))
            .await,
        200,
    )
    .await;
    let (site_id, timezone): (i64, String) =
        sqlx::query_as("select id, timezone from sites where code = $1")
            .bind(code)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_same(
        code,
        &as_reference(&d["figures"]),
        &reference(&app, site_id, &timezone).await,
    );
    let today = server::capa::due::local_today(server::capa::due::zone(&timezone), Utc::now());
    let soon = (today + chrono::Days::new(14))
        .format("%Y-%m-%d")
        .to_string();
    let due: Vec<(i64, String, i64)> = sqlx::query_as(
        "select id, due_date, owner_id from capas
          where site_id = $1 and state not in ('closed', 'rejected', 'cancelled') and due_date <= $2
          order by due_date, id",
    )
    .bind(site_id)
    .bind(&soon)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(!due.is_empty(), "the demo has CAPAs due at {code}");
    assert_eq!(d["capas_due"]["total"].as_i64().unwrap(), due.len() as i64);
    let items = d["capas_due"]["items"].as_array().unwrap();
    assert_eq!(items.len(), due.len().min(50));
    for (item, (id, due_date, owner)) in items.iter().zip(&due) {
        assert_eq!(item["id"].as_i64().unwrap(), *id);
        assert_eq!(item["mine"].as_bool().unwrap(), *owner == lead_id);
        assert_eq!(
            item["days_left"].as_i64().unwrap(),
            (day(due_date) - today).num_days()
        );
    }
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from acknowledgements a join documents d on d.id = a.document_id
          where a.site_id = $1 and a.status = 'pending' and d.status = 'effective'
            and a.version_id = d.effective_version_id",
    )
    .bind(site_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        d["acknowledgements_pending"]["total"].as_i64().unwrap(),
        pending
    );
    let open_rounds: i64 = sqlx::query_scalar(
        "select count(*) from pt_events e join pt_scheme_sites ss on ss.scheme_id = e.scheme_id
           join pt_schemes s on s.id = e.scheme_id
          where ss.site_id = $1 and e.status = 'open' and s.status = 'active'",
    )
    .bind(site_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        d["pt_deadlines"].as_array().unwrap().len() as i64,
        open_rounds
    );
    let planned: Option<i64> = sqlx::query_scalar(
        "select id from audits where site_id = $1 and state in ('planned', 'in_progress')
          order by case when state = 'in_progress' then 0 else 1 end, planned_start, id limit 1",
    )
    .bind(site_id)
    .fetch_optional(app.db.pool())
    .await
    .unwrap();
    assert_eq!(d["next_audit"]["id"].as_i64(), planned);
    let history = d["audit_history"].as_array().unwrap();
    assert!(history.len() >= 2);
    assert!(history[0]["date"].as_str() <= history[history.len() - 1]["date"].as_str());
    assert_eq!(d["pt_months"].as_array().unwrap().len(), 24);
}

/// Every site-month of the pre-aggregated table.
async fn month_figures(app: &TestApp) -> Vec<Vec<i64>> {
    type Row = (i64, String, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "select site_id, month, pt_scored, pt_satisfactory, pt_events_scored,
                pt_events_unsatisfactory, pt_events_unsuccessful, qc_reads, qc_nn + 3 * qc_nt + 5 * qc_no
                    + 7 * qc_tn + 11 * qc_tt + 13 * qc_to + 17 * qc_on + 19 * qc_ot + 23 * qc_oo,
                qc_significant
           from site_month_figures order by site_id, month",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| {
            vec![
                r.0,
                r.1.replace('-', "").parse().unwrap(),
                r.2,
                r.3,
                r.4,
                r.5,
                r.6,
                r.7,
                r.8,
                r.9,
            ]
        })
        .collect()
}

async fn rebuilt(app: &TestApp) -> Vec<Vec<i64>> {
    let mut tx = app.db.begin_write().await.unwrap();
    server::dashboard::rollup::rebuild(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    month_figures(app).await
}

async fn monthly_figures_stay_equal_to_a_rebuild_after_reads_and_scoring(app: TestApp) {
    let seeded = month_figures(&app).await;
    assert!(seeded.len() > 100, "{} site-months", seeded.len());
    assert_eq!(seeded, rebuilt(&app).await, "the seed leaves them equal");

    // New QC reads: last month's and this month's, at two sites.
    let qo = app.token_for("qo@attest.example").await;
    let today = Utc::now().date_naive();
    let last_month = (today.with_day(1).unwrap() - Months::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let reads: Vec<Value> = (0..30)
        .map(|i| {
            json!({
                "site": if i % 2 == 0 { "KEN-NBO" } else { "UGA-KLA" },
                "exam_id": format!("DASH-{i}"),
                "reader": "Dr Test",
                "primary_class": if i % 3 == 0 { "tb" } else { "normal" },
                "qc_class": if i % 5 == 0 { "other" } else { "normal" },
                "peer_score": if i % 7 == 0 { "3b" } else { "1" },
                "image_quality": 2,
                "read_on": if i < 15 { last_month.clone() } else { today.format("%Y-%m-%d").to_string() },
            })
        })
        .collect();
    json_of(
        app.post_as(&qo, "/api/v1/pt/radiology/reads", json!(reads))
            .await,
        200,
    )
    .await;
    let after_reads = month_figures(&app).await;
    assert_ne!(after_reads, seeded, "the reads changed the figures");
    assert_eq!(after_reads, rebuilt(&app).await, "after recording reads");

    // Scoring an event with results (closing it first if it is still open).
    let event: Option<(i64, String)> = sqlx::query_as(
        "select e.id, e.status from pt_events e
          where e.status <> 'scored' and exists (select 1 from pt_results r where r.event_id = e.id)
          order by e.deadline limit 1",
    )
    .fetch_optional(app.db.pool())
    .await
    .unwrap();
    let (event, status) = event.expect("the demo has an event with results to score");
    if status == "open" {
        json_of(
            app.post_empty_as(&qo, &format!("/api/v1/pt/events/{event}/close"))
                .await,
            200,
        )
        .await;
    }
    json_of(
        app.post_empty_as(&qo, &format!("/api/v1/pt/events/{event}/score"))
            .await,
        200,
    )
    .await;
    let after_scoring = month_figures(&app).await;
    assert_ne!(after_scoring, after_reads, "scoring changed the figures");
    assert_eq!(after_scoring, rebuilt(&app).await, "after scoring");
}

async fn dashboards_answer_only_within_scope(app: TestApp) {
    let cases = [
        ("rm.eha@attest.example", "/api/v1/dashboard/region/EHA", 200),
        ("rm.eha@attest.example", "/api/v1/dashboard/region/AP", 404),
        (
            "rm.eha@attest.example",
            "/api/v1/dashboard/region/NOPE",
            404,
        ),
        (
            "rm.eha@attest.example",
            "/api/v1/dashboard/site/KEN-NBO",
            200,
        ),
        (
            "rm.eha@attest.example",
            "/api/v1/dashboard/site/PHL-MNL",
            404,
        ),
        ("rm.eha@attest.example", "/api/v1/dashboard/network", 403),
        ("rm.ap@attest.example", "/api/v1/dashboard/region/EHA", 404),
        (
            "lead.nbo@attest.example",
            "/api/v1/dashboard/site/KEN-NBO",
            200,
        ),
        (
            "lead.nbo@attest.example",
            "/api/v1/dashboard/site/UGA-KLA",
            404,
        ),
        (
            "lead.nbo@attest.example",
            "/api/v1/dashboard/region/EHA",
            403,
        ),
        (
            "staff.nbo@attest.example",
            "/api/v1/dashboard/site/KEN-NBO",
            403,
        ),
        ("qo@attest.example", "/api/v1/dashboard/network", 200),
        ("qo@attest.example", "/api/v1/dashboard/site/PHL-MNL", 200),
        ("admin@attest.example", "/api/v1/dashboard/region/AP", 200),
        ("admin@attest.example", "/api/v1/dashboard/site/NOPE-X", 404),
    ];
    for (email, path, status) in cases {
        let token = app.token_for(email).await;
        let response = app.get_as(&token, path).await;
        assert_eq!(response.status().as_u16(), status, "{email} {path}");
    }
    // The page says so too.
    let (status, html) = app
        .page_as("rm.eha@attest.example", "/dashboard/region/AP")
        .await;
    assert_eq!(status, 404);
    assert!(html.contains("No region AP in your scope"), "{html}");
}

async fn thresholds_are_checked_recorded_and_applied(app: TestApp) {
    let admin = app.token_for("admin@attest.example").await;
    let qo = app.token_for("qo@attest.example").await;
    let body = json!({ "items": [{ "kpi": "sop_review", "good": 80, "warning": 90 }] });
    let refused = json_of(
        app.put_as(&admin, "/api/v1/dashboard/thresholds", body.clone())
            .await,
        422,
    )
    .await;
    assert!(
        refused["error"]["fields"]["sop_review"].is_string(),
        "{refused}"
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("higher is better"));
    let body = json!({ "items": [{ "kpi": "sop_review", "good": 99, "warning": 90 }] });
    assert_eq!(
        app.put_as(&qo, "/api/v1/dashboard/thresholds", body.clone())
            .await
            .status()
            .as_u16(),
        403
    );
    let saved = json_of(
        app.put_as(&admin, "/api/v1/dashboard/thresholds", body.clone())
            .await,
        200,
    )
    .await;
    let sop = saved["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kpi"] == "sop_review")
        .unwrap()
        .clone();
    assert_eq!(
        (sop["good"].as_f64(), sop["warning"].as_f64()),
        (Some(99.0), Some(90.0))
    );
    let d = json_of(app.get_as(&qo, "/api/v1/dashboard/network").await, 200).await;
    assert!(d["thresholds"]["items"].as_array().unwrap().contains(&sop));
    let entries: i64 = sqlx::query_scalar(
        "select count(*) from audit_trail where action = 'dashboard.thresholds'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(entries, 1, "only the saved change is in the trail");
}

/// Undoes the `data:` address's percent-encoding.
fn decode(href: &str) -> String {
    let bytes = href.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&href[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

async fn the_csv_download_holds_the_rows_of_the_table(app: TestApp) {
    let token = app.token_for("rm.eha@attest.example").await;
    let d = json_of(
        app.get_as(&token, "/api/v1/dashboard/region/EHA").await,
        200,
    )
    .await;
    let (status, html) = app
        .page_as("rm.eha@attest.example", "/dashboard/region/EHA")
        .await;
    assert_eq!(status, 200);
    let marker = "download=\"region-EHA-sites.csv\" href=\"data:text/csv;charset=utf-8,";
    let start = html.find(marker).expect("the sites table has a CSV link") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    let text = decode(&html[start..end]);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("Site code,Site,Country,Latest audit date,Audit score %"));
    let sites = d["sites"].as_array().unwrap();
    assert_eq!(lines.len(), sites.len() + 1, "a header and a line per site");
    let header: Vec<&str> = lines[0].split(',').collect();
    let overdue = header.iter().position(|h| *h == "Overdue CAPAs").unwrap();
    for (line, site) in lines[1..].iter().zip(sites) {
        // Site names here hold no commas, so a plain split finds the cells.
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], site["code"].as_str().unwrap());
        assert_eq!(
            cells[overdue].parse::<i64>().unwrap(),
            site["figures"]["capas"]["overdue"].as_i64().unwrap()
        );
    }
    // The page itself shows the table with its data, rendered on the server.
    assert!(html.contains("data-testid=\"region-sites\""));
    assert!(html.contains("/dashboard/site/KEN-NBO"));
}

async fn each_role_lands_on_its_dashboard(app: TestApp) {
    for (email, path) in [
        ("rm.eha@attest.example", "/dashboard/region/EHA"),
        ("lead.kla@attest.example", "/dashboard/site/UGA-KLA"),
        ("qo@attest.example", "/dashboard"),
        ("admin@attest.example", "/dashboard"),
        ("staff.nbo@attest.example", "/"),
    ] {
        let browser = app.browser_for(email).await;
        let response = browser
            .get(app.url("/"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        if path == "/" {
            assert_eq!(
                response.status().as_u16(),
                200,
                "{email} stays on the overview"
            );
        } else {
            assert_eq!(response.status().as_u16(), 303, "{email}");
            assert_eq!(response.headers()["location"], path, "{email}");
        }
    }
}
