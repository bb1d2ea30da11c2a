-- Proficiency testing / EQA: schemes with their participating sites, events (rounds) with
-- their challenges (samples), results per site, the scores of each result and each site's
-- event score; radiology QC re-reads with the flag thresholds; and stored notifications (the
-- PT escalation writes them; delivery comes with the scheduled jobs).
--
-- The laboratory PT event scores the audit PT gate read until now are replaced by the double precision
-- event scores (`pt_event_scores`); the old table only ever held demo data.

drop table pt_lab_event_scores;

create table pt_schemes (
    id bigint generated always as identity primary key,
    code text not null unique,                   -- e.g. 'NRL-SMEAR'
    name text not null,
    provider text not null,
    discipline text not null check (discipline in ('tb_smear', 'tb_culture', 'tb_dst', 'xpert', 'syphilis', 'hiv', 'hepatitis_b', 'hepatitis_c', 'cxr_qc')),
    result_type text not null check (result_type in ('quantitative', 'qualitative', 'titre', 'smear_grade', 'dst_panel', 'radiology_read')),
    events_per_year bigint not null check (events_per_year between 1 and 12),
    status text not null default 'active' check (status in ('active', 'retired')),
    created_by bigint references users (id),
    created_at text not null,
    updated_at text not null
);

create table pt_scheme_sites (
    scheme_id bigint not null references pt_schemes (id),
    site_id bigint not null references sites (id),
    primary key (scheme_id, site_id)
);
create index pt_scheme_sites_site_idx on pt_scheme_sites (site_id);

create table pt_events (
    id bigint generated always as identity primary key,
    scheme_id bigint not null references pt_schemes (id),
    code text not null,                          -- the provider's round, e.g. '2026-2'
    dispatch_date text not null,                 -- YYYY-MM-DD
    deadline text not null,                      -- YYYY-MM-DD, last day for results (site calendar)
    status text not null default 'open' check (status in ('open', 'closed', 'scored')),
    scored_at text,
    created_by bigint references users (id),
    created_at text not null,
    updated_at text not null,
    unique (scheme_id, code)
);
create index pt_events_deadline_idx on pt_events (deadline);

create table pt_challenges (
    id bigint generated always as identity primary key,
    event_id bigint not null references pt_events (id),
    position bigint not null,
    code text not null,                          -- the sample id, e.g. 'S-03'
    analyte text not null,                       -- what is measured; for DST panels, the drug
    unit text not null default '',
    -- Quantitative: 'z' (z, or z' when u(X) > 0.3 sigma_pt), 'zeta' or 'en'; else 'category'.
    method text not null check (method in ('z', 'zeta', 'en', 'category')),
    assigned_value double precision,                         -- X from the provider
    sigma_pt double precision check (sigma_pt is null or sigma_pt > 0),
    u_assigned double precision check (u_assigned is null or u_assigned >= 0),          -- u(X)
    expanded_assigned double precision check (expanded_assigned is null or expanded_assigned > 0), -- U_ref (k = 2)
    consensus bigint not null default 0,        -- X and sigma from the participants' results
    consensus_value double precision,                        -- computed when scored
    consensus_sigma double precision,
    consensus_count bigint,
    expected text,                               -- category, titre ('1:16'), smear grade, 'resistant'
    unique (event_id, code, analyte)
);

create table pt_results (
    id bigint generated always as identity primary key,
    event_id bigint not null references pt_events (id),
    challenge_id bigint not null references pt_challenges (id),
    site_id bigint not null references sites (id),
    value text not null,                         -- as reported
    numeric_value double precision,
    unit text not null default '',
    u_lab double precision,                                  -- u(x), for zeta
    expanded_lab double precision,                           -- U_lab (k = 2), for En
    late bigint not null default 0,
    late_reason text,
    submitted_by bigint not null references users (id),
    submitted_at text not null,
    updated_at text not null,
    score_kind text,                             -- z, z_prime, zeta, en, category, titre, smear, dst
    score double precision,
    verdict text check (verdict in ('satisfactory', 'questionable', 'unsatisfactory', 'not_scored')),
    grading text,                                -- smear: correct, hfp, hfn, lfp, lfn, qe
    note text not null default '',
    scored_at text,
    unique (challenge_id, site_id)
);
create index pt_results_site_idx on pt_results (site_id, event_id);
create index pt_results_event_idx on pt_results (event_id);

create table pt_event_scores (
    id bigint generated always as identity primary key,
    event_id bigint not null references pt_events (id),
    site_id bigint not null references sites (id),
    acceptable bigint not null,
    total bigint not null,
    score_percent double precision,                          -- null when nothing could be scored
    verdict text not null check (verdict in ('satisfactory', 'unsatisfactory', 'not_scored')),
    unsuccessful bigint not null default 0,     -- unsuccessful participation at this event
    detail text not null default '{}',           -- JSON: smear error counts, DST per drug, notes
    scored_at text not null,
    unique (event_id, site_id)
);
create index pt_event_scores_site_idx on pt_event_scores (site_id);

create table radiology_qc_reads (
    id bigint generated always as identity primary key,
    site_id bigint not null references sites (id),
    exam_id text not null,
    reader text not null,                        -- the primary reader
    qc_reader text not null default '',
    primary_class text not null check (primary_class in ('normal', 'tb', 'other')),
    qc_class text not null check (qc_class in ('normal', 'tb', 'other')),
    peer_score text not null check (peer_score in ('1', '2a', '2b', '3a', '3b')),
    image_quality bigint not null check (image_quality between 1 and 4),
    read_on text not null,                       -- YYYY-MM-DD
    created_by bigint references users (id),
    created_at text not null,
    unique (site_id, exam_id)
);
create index radiology_qc_reads_site_idx on radiology_qc_reads (site_id, read_on);
create index radiology_qc_reads_date_idx on radiology_qc_reads (read_on);

-- The radiology QC flag thresholds (one row; an admin setting).
create table radiology_qc_thresholds (
    id bigint primary key check (id = 1),
    kappa_min double precision not null,
    significant_max_percent double precision not null,
    poor_image_max_percent double precision not null,
    updated_by bigint references users (id),
    updated_at text not null
);
insert into radiology_qc_thresholds (id, kappa_min, significant_max_percent, poor_image_max_percent, updated_at)
values (1, 0.6, 2.0, 5.0, '2026-01-01T00:00:00Z');

-- Notifications, stored once per user and condition (the key), delivered later.
create table notifications (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id),
    key text not null,
    title text not null,
    body text not null default '',
    link text not null default '',
    created_at text not null,
    read_at text,
    unique (user_id, key)
);
create index notifications_user_idx on notifications (user_id, read_at);
