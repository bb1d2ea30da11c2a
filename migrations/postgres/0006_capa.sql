-- Corrective and preventive actions: the CAPA with its lifecycle columns, the action plan,
-- effectiveness checks, comments and attachments; the default due days per severity (an
-- admin setting) and the yearly number counter. The timeline is read from the audit trail.

create table capa_due_days (
    severity text primary key check (severity in ('critical', 'major', 'minor')),
    days bigint not null check (days between 1 and 365),
    updated_by bigint references users (id),
    updated_at text not null
);
insert into capa_due_days (severity, days, updated_at) values
    ('critical', 30, '2026-01-01T00:00:00Z'),
    ('major', 60, '2026-01-01T00:00:00Z'),
    ('minor', 90, '2026-01-01T00:00:00Z');

-- The last number given in each year: CAPA-2026-0042 is (2026, 42).
create table capa_counters (
    year bigint primary key,
    last bigint not null
);

create table capas (
    id bigint generated always as identity primary key,
    year bigint not null,
    seq bigint not null,
    number text not null unique,                 -- CAPA-2026-0042
    site_id bigint not null references sites (id),
    title text not null,
    description text not null default '',
    source text not null check (source in ('audit_finding', 'pt_result', 'pt_event', 'radiology_qc', 'incident', 'complaint', 'management_review')),
    source_ref text not null default '',
    -- One live CAPA per source record (e.g. 'finding:12'); a cancelled one frees it.
    source_key text,
    finding_id bigint references findings (id),
    severity text not null check (severity in ('critical', 'major', 'minor')),
    owner_id bigint not null references users (id),
    state text not null check (state in ('open', 'containment', 'root_cause', 'action_plan', 'plan_approved', 'implementing', 'effectiveness_check', 'closed', 'rejected', 'cancelled')),
    opened_on text not null,                     -- YYYY-MM-DD in the site's time zone
    due_date text not null,                      -- YYYY-MM-DD in the site's time zone
    containment text not null default '',
    containment_at text,
    root_cause_json text,
    root_cause_at text,
    plan_submitted_at text,
    plan_approved_by bigint references users (id),
    plan_approved_at text,
    plan_return_reason text,
    implementation_started_at text,
    implemented_on text,                         -- YYYY-MM-DD
    effectiveness_due text,                      -- YYYY-MM-DD, at least 30 days after implemented_on
    reopened bigint not null default 0,
    reopened_at text,
    ended_on text,                               -- YYYY-MM-DD closed, rejected or cancelled
    end_reason text,
    closed_at text,
    closure_signature_id bigint references signatures (id),
    created_by bigint not null references users (id),
    created_at text not null,
    updated_at text not null,
    unique (year, seq),
    check (due_date >= opened_on)
);
create index capas_site_id_idx on capas (site_id);
create index capas_owner_id_idx on capas (owner_id);
create index capas_state_due_idx on capas (state, due_date);
create index capas_finding_id_idx on capas (finding_id);
create unique index capas_source_key_idx on capas (source_key) where state <> 'cancelled';

create table capa_actions (
    id bigint generated always as identity primary key,
    capa_id bigint not null references capas (id),
    number bigint not null,
    description text not null,
    owner_id bigint not null references users (id),
    due_date text not null,
    status text not null check (status in ('planned', 'in_progress', 'done', 'cancelled')),
    justification text not null default '',
    completed_at text,
    created_by bigint not null references users (id),
    created_at text not null,
    updated_at text not null,
    unique (capa_id, number)
);
create index capa_actions_owner_id_idx on capa_actions (owner_id);

create table capa_checks (
    id bigint generated always as identity primary key,
    capa_id bigint not null references capas (id),
    verdict text not null check (verdict in ('effective', 'ineffective')),
    evidence text not null,
    checked_by bigint not null references users (id),
    checked_at text not null
);
create index capa_checks_capa_id_idx on capa_checks (capa_id);

create table capa_comments (
    id bigint generated always as identity primary key,
    capa_id bigint not null references capas (id),
    body text not null,
    author_id bigint not null references users (id),
    created_at text not null
);
create index capa_comments_capa_id_idx on capa_comments (capa_id);

create table capa_attachments (
    id bigint generated always as identity primary key,
    capa_id bigint not null references capas (id),
    file_name text not null,
    media_type text not null,
    size bigint not null,
    sha256 text not null,
    content bytea not null,
    uploaded_by bigint not null references users (id),
    uploaded_at text not null
);
create index capa_attachments_capa_id_idx on capa_attachments (capa_id);
