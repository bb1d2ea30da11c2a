-- Site audits: versioned checklist templates, audits with their team, answers (one row per item,
-- with a revision for conflict detection), evidence files and findings. Also the laboratory PT
-- event scores per site that the audit's PT gate reads (the PT feature fills them).

create table checklist_templates (
    id integer primary key,
    code text not null,                          -- e.g. LAB-QMS
    version integer not null,
    title text not null,
    kind text not null check (kind in ('laboratory', 'radiology', 'other')),
    scoring text not null default '',
    created_by integer references users (id),
    created_at text not null,
    unique (code, version)
);

create table template_sections (
    id integer primary key,
    template_id integer not null references checklist_templates (id),
    position integer not null,
    title text not null,
    unique (template_id, position)
);

create table template_items (
    id integer primary key,
    template_id integer not null references checklist_templates (id),
    section_id integer not null references template_sections (id),
    position integer not null,
    text text not null,
    weight integer not null check (weight > 0),
    clause text not null default '',
    guidance text not null default '',
    unique (section_id, position)
);
create index template_items_template_id_idx on template_items (template_id);

create table audits (
    id integer primary key,
    site_id integer not null references sites (id),
    template_id integer not null references checklist_templates (id),
    audit_type text not null check (audit_type in ('internal', 'external', 'follow_up', 'remote')),
    planned_start text not null,                 -- YYYY-MM-DD
    planned_end text not null,
    lead_auditor_id integer not null references users (id),
    scope text not null default '',
    state text not null check (state in ('planned', 'in_progress', 'submitted', 'report_issued', 'closed', 'cancelled')),
    started_at text,
    submitted_at text,
    report_issued_at text,
    closed_at text,
    cancelled_at text,
    cancel_reason text,
    -- The score when submitted, kept for lists and trends (recomputed from the answers on demand).
    score_points integer,
    score_applicable integer,
    created_by integer not null references users (id),
    created_at text not null,
    updated_at text not null,
    check (planned_end >= planned_start)
);
create index audits_site_id_idx on audits (site_id);
create index audits_planned_start_idx on audits (planned_start);

create table audit_team (
    audit_id integer not null references audits (id),
    user_id integer not null references users (id),
    primary key (audit_id, user_id)
);

create table audit_answers (
    audit_id integer not null references audits (id),
    item_id integer not null references template_items (id),
    answer text not null check (answer in ('yes', 'partial', 'no', 'not_applicable')),
    notes text not null default '',
    revision integer not null,                    -- 1 for the first answer, +1 at each change
    answered_by integer not null references users (id),
    answered_at text not null,
    primary key (audit_id, item_id)
);

create table audit_evidence (
    id integer primary key,
    audit_id integer not null references audits (id),
    item_id integer not null references template_items (id),
    file_name text not null,
    media_type text not null,
    size integer not null,
    sha256 text not null,
    content blob not null,
    uploaded_by integer not null references users (id),
    uploaded_at text not null
);
create index audit_evidence_audit_item_idx on audit_evidence (audit_id, item_id);

create table findings (
    id integer primary key,
    audit_id integer not null references audits (id),
    number integer not null,                      -- 1, 2, … within the audit
    item_id integer references template_items (id),
    severity text not null check (severity in ('critical', 'major', 'minor', 'observation')),
    clause text not null default '',
    description text not null,
    evidence text not null default '',
    status text not null default 'open' check (status in ('open', 'withdrawn')),
    withdrawn_reason text,
    created_by integer not null references users (id),
    created_at text not null,
    updated_at text not null,
    unique (audit_id, number)
);

create table pt_lab_event_scores (
    id integer primary key,
    site_id integer not null references sites (id),
    event_date text not null,                    -- YYYY-MM-DD
    event_label text not null,
    score_percent real not null,
    created_at text not null
);
create index pt_lab_event_scores_site_idx on pt_lab_event_scores (site_id, event_date);
