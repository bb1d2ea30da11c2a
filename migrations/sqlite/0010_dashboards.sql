-- Dashboards: pre-aggregated PT and radiology QC figures per site and calendar month, the
-- colour thresholds of the dashboard cells, and the indexes the dashboard queries need.
--
-- PT results (1.5 million over ten years of a large network) and QC re-reads (900,000) are too
-- many to aggregate live for the network dashboard within its budget; everything else the
-- dashboards show is read live. A site-month row is recomputed from the raw rows in the same
-- transaction that changes them (server/src/dashboard/rollup.rs), so it always agrees with a
-- from-scratch computation. PT figures fall in the month of the event's deadline, QC figures
-- in the month of the re-read.
create table site_month_figures (
    site_id integer not null references sites (id),
    month text not null,                          -- YYYY-MM
    pt_scored integer not null default 0,         -- results graded satisfactory, questionable or unsatisfactory
    pt_satisfactory integer not null default 0,
    pt_events_scored integer not null default 0,  -- event scores other than not_scored
    pt_events_unsatisfactory integer not null default 0,
    pt_events_unsuccessful integer not null default 0,
    qc_reads integer not null default 0,
    -- The agreement table of primary reader (first letter) against QC reader (second):
    -- n normal, t TB, o other. Cohen's kappa is computed from the summed table.
    qc_nn integer not null default 0,
    qc_nt integer not null default 0,
    qc_no integer not null default 0,
    qc_tn integer not null default 0,
    qc_tt integer not null default 0,
    qc_to integer not null default 0,
    qc_on integer not null default 0,
    qc_ot integer not null default 0,
    qc_oo integer not null default 0,
    qc_significant integer not null default 0,   -- peer scores 2b, 3a, 3b
    primary key (site_id, month)
);
create index site_month_figures_month_idx on site_month_figures (month);

insert into site_month_figures
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
     where r.verdict in ('satisfactory', 'questionable', 'unsatisfactory')
     group by r.site_id, substr(e.deadline, 1, 7)
    union all
    select s.site_id, substr(e.deadline, 1, 7), 0, 0,
           sum(case when s.verdict <> 'not_scored' then 1 else 0 end),
           sum(case when s.verdict = 'unsatisfactory' then 1 else 0 end),
           sum(case when s.unsuccessful <> 0 then 1 else 0 end),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      from pt_event_scores s join pt_events e on e.id = s.event_id
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
     group by q.site_id, substr(q.read_on, 1, 7)
  ) x
 group by site_id, month;

-- Each dashboard figure is rated good / warning / poor against two limits; whether higher or
-- lower is better is fixed per figure in the code.
create table dashboard_thresholds (
    kpi text primary key check (kpi in ('audit_score', 'capas_overdue', 'capas_over_90', 'sop_review',
        'acknowledgements', 'pt_satisfactory', 'qc_kappa', 'qc_significant')),
    good real not null,
    warning real not null,
    updated_by integer references users (id),
    updated_at text not null
);
insert into dashboard_thresholds (kpi, good, warning, updated_at) values
    ('audit_score', 85, 75, '2026-01-01T00:00:00Z'),
    ('capas_overdue', 0, 2, '2026-01-01T00:00:00Z'),
    ('capas_over_90', 0, 2, '2026-01-01T00:00:00Z'),
    ('sop_review', 95, 85, '2026-01-01T00:00:00Z'),
    ('acknowledgements', 95, 85, '2026-01-01T00:00:00Z'),
    ('pt_satisfactory', 90, 80, '2026-01-01T00:00:00Z'),
    ('qc_kappa', 0.8, 0.6, '2026-01-01T00:00:00Z'),
    ('qc_significant', 1, 2, '2026-01-01T00:00:00Z');

-- What the live dashboard queries read: a site's submitted audits by date and the network's
-- recent ones (the most failed clauses), its CAPAs by state (covering the dates the ageing
-- needs), CAPAs by end date (the open ones at each month's end), acknowledgements per site and
-- version, and documents by their current version.
create index audits_site_submitted_idx on audits (site_id, submitted_at);
create index audits_submitted_idx on audits (submitted_at);
create index capas_site_state_idx on capas (site_id, state, opened_on, due_date);
create index capas_ended_idx on capas (ended_on, state, opened_on, due_date, site_id);
create index acknowledgements_site_version_idx on acknowledgements (site_id, version_id, status, due_date);
create index acknowledgements_status_version_idx on acknowledgements (status, version_id, site_id, due_date);
create index documents_effective_version_idx on documents (effective_version_id, status);
