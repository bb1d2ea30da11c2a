-- The organisation: regions, countries and sites with what each site does.
-- Timestamps are RFC 3339 UTC text; codes are text; the SQLite schema has the same names.

create table regions (
    code text primary key,
    name text not null,
    created_at text not null,
    updated_at text not null
);

create table countries (
    code text primary key,               -- ISO 3166-1 alpha-2
    name text not null,
    region_code text not null references regions (code),
    created_at text not null,
    updated_at text not null
);
create index countries_region_code_idx on countries (region_code);

create table sites (
    id bigint generated always as identity primary key,
    code text not null unique,           -- e.g. KEN-NBO
    name text not null,
    city text not null,
    country_code text not null references countries (code),
    timezone text not null,              -- IANA name, e.g. Africa/Nairobi
    status text not null default 'active' check (status in ('active', 'retired')),
    created_at text not null,
    updated_at text not null
);
create index sites_country_code_idx on sites (country_code);

create table site_services (
    site_id bigint not null references sites (id),
    service text not null check (service in ('radiology', 'lab', 'telerad_primary', 'telerad_qc')),
    primary key (site_id, service)
);

create table site_lab_tests (
    site_id bigint not null references sites (id),
    test text not null,
    primary key (site_id, test)
);

create table site_programmes (
    site_id bigint not null references sites (id),
    programme text not null check (programme in ('US', 'CA', 'AU', 'UK', 'NZ')),
    primary key (site_id, programme)
);
