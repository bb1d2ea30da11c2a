-- Issued, digitally signed PDF reports. A report is stored once, with its SHA-256, and never
-- replaced: re-downloading returns the same bytes, and /verify looks files up by their hash.
create table issued_reports (
    id integer primary key,
    kind text not null check (kind in ('audit', 'regional_monthly')),
    audit_id integer unique references audits (id),
    region_code text references regions (code),
    period text,                                  -- YYYY-MM, monthly reports
    reference text not null unique,               -- printed on every page, e.g. AR-00042
    file_name text not null,
    sha256 text not null unique,
    size integer not null,
    content blob not null,
    signature_id integer references signatures (id),  -- the issuer's electronic signature
    signer_name text not null,
    certificate_subject text not null,
    issued_at text not null,
    unique (kind, region_code, period),
    check ((kind = 'audit') = (audit_id is not null))
);
