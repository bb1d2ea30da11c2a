-- Controlled documents (SOPs): documents, their versions with optional attached file,
-- periodic reviews, and read-and-acknowledge tasks. Nothing here is ever deleted: versions are
-- superseded, documents withdrawn with a reason.

create table documents (
    id integer primary key,
    code text not null unique,                   -- e.g. LAB-SOP-012, LAB-SOP-012-KEN-NBO
    title text not null,
    category text not null check (category in ('laboratory', 'radiology', 'clinical', 'it', 'administration')),
    site_id integer references sites (id),        -- null: global; else a site variant
    parent_id integer references documents (id), -- the global document a site variant adapts
    owner_id integer not null references users (id),
    approver_id integer not null references users (id),
    review_interval_months integer not null default 24 check (review_interval_months between 1 and 120),
    retention_years integer not null default 10 check (retention_years between 1 and 100),
    tags text not null default '',               -- comma-separated, lower-case
    ack_roles text not null default 'site_lead,staff',
    self_approval_allowed integer not null default 0,
    -- Derived from the versions, kept in step in the same transaction, for filtering and sorting.
    status text not null default 'draft' check (status in ('draft', 'in_review', 'approved', 'effective', 'withdrawn')),
    effective_version_id integer,
    review_base_date text,                       -- YYYY-MM-DD: effective date or last confirmed review
    next_review_due text,                        -- YYYY-MM-DD: review_base_date + interval
    last_reviewed_at text,
    withdrawn_at text,
    withdrawn_reason text,
    created_at text not null,
    updated_at text not null,
    check (parent_id is null or site_id is not null)
);
create index documents_site_id_idx on documents (site_id);
create index documents_parent_id_idx on documents (parent_id);
create index documents_next_review_due_idx on documents (next_review_due);

create table document_versions (
    id integer primary key,
    document_id integer not null references documents (id),
    number integer not null,
    state text not null check (state in ('draft', 'in_review', 'approved', 'effective', 'superseded')),
    content text not null default '',
    change_summary text not null default '',
    author_id integer not null references users (id),
    submitted_at text,
    returned_reason text,
    approved_by integer references users (id),
    approved_at text,
    approval_signature_id integer references signatures (id),
    effective_date text,                         -- YYYY-MM-DD
    superseded_at text,
    file_name text,
    file_media_type text,
    file_size integer,
    file_sha256 text,
    created_at text not null,
    updated_at text not null,
    unique (document_id, number)
);
-- One version in force and at most one in preparation per document, whatever the code does.
create unique index document_versions_one_effective on document_versions (document_id) where state = 'effective';
create unique index document_versions_one_in_progress on document_versions (document_id)
    where state in ('draft', 'in_review', 'approved');

-- Attached files apart from the version rows, so lists never read the bytes.
create table document_files (
    version_id integer primary key references document_versions (id),
    content blob not null
);

create table document_reviews (
    id integer primary key,
    document_id integer not null references documents (id),
    version_id integer not null references document_versions (id),
    reviewer_id integer not null references users (id),
    reviewed_at text not null,
    outcome text not null check (outcome in ('confirmed', 'revision_started')),
    notes text not null default '',
    signature_id integer references signatures (id)
);
create index document_reviews_document_id_idx on document_reviews (document_id);

create table acknowledgements (
    id integer primary key,
    document_id integer not null references documents (id),
    version_id integer not null references document_versions (id),
    user_id integer not null references users (id),
    site_id integer not null references sites (id),
    due_date text not null,                      -- YYYY-MM-DD
    status text not null default 'pending' check (status in ('pending', 'done', 'superseded')),
    acknowledged_at text,
    created_at text not null,
    unique (version_id, user_id)
);
create index acknowledgements_user_status_idx on acknowledgements (user_id, status);
create index acknowledgements_document_id_idx on acknowledgements (document_id);

create trigger documents_no_delete before delete on documents
begin
    select raise(abort, 'controlled documents are never deleted: withdraw or supersede them');
end;

create trigger document_versions_no_delete before delete on document_versions
begin
    select raise(abort, 'controlled documents are never deleted: withdraw or supersede them');
end;
