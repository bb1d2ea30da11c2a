-- Identity and accountability: users with one role and scope, server-side sessions, personal
-- API tokens, electronic signatures and the tamper-evident audit trail.

create table users (
    id integer primary key,
    email text not null unique,                  -- stored lower-case
    name text not null,
    role text not null check (role in ('admin', 'quality_officer', 'regional_manager', 'site_lead', 'staff')),
    region_code text references regions (code),  -- scope of a regional manager or regional QO
    site_id integer references sites (id),       -- scope of a site lead or staff member
    password_hash text not null,                 -- argon2id PHC string
    must_change_password integer not null default 0,
    active integer not null default 1,
    failed_logins integer not null default 0,    -- failures in the current window
    first_failed_at text,                        -- start of that window
    locked_until text,
    last_login_at text,
    created_at text not null,
    updated_at text not null,
    check (
        (role = 'admin' and region_code is null and site_id is null)
        or (role = 'quality_officer' and site_id is null)
        or (role = 'regional_manager' and region_code is not null and site_id is null)
        or (role in ('site_lead', 'staff') and site_id is not null and region_code is null)
    )
);
create index users_site_id_idx on users (site_id);
create index users_region_code_idx on users (region_code);

create table sessions (
    id_hash text primary key,                    -- SHA-256 of the cookie value, never the value
    user_id integer not null references users (id),
    created_at text not null,
    last_seen_at text not null,
    expires_at text not null,                    -- last_seen_at + idle timeout
    ip text,
    user_agent text
);
create index sessions_user_id_idx on sessions (user_id);

create table api_tokens (
    id integer primary key,
    user_id integer not null references users (id),
    name text not null,
    token_hash text not null unique,             -- SHA-256 of the token
    prefix text not null,                        -- first characters, to recognise it in a list
    created_at text not null,
    last_used_at text,
    revoked_at text
);
create index api_tokens_user_id_idx on api_tokens (user_id);

create table signatures (
    id integer primary key,
    signer_id integer not null references users (id),
    signed_at text not null,
    meaning text not null,                       -- approved, issued, verified effective, ...
    entity_type text not null,
    entity_id text not null,
    content_sha256 text not null
);
create index signatures_entity_idx on signatures (entity_type, entity_id);

create table audit_trail (
    id integer primary key,
    at text not null,
    actor_id integer,                            -- null when the system acted
    actor_email text,
    action text not null,
    entity_type text not null,
    entity_id text not null,
    site_code text,
    region_code text,
    before_json text,
    after_json text,
    ip text,
    user_agent text,
    prev_hash text not null,
    hash text not null unique                    -- SHA-256(prev_hash, canonical entry)
);
create index audit_trail_entity_idx on audit_trail (entity_type, entity_id);
create index audit_trail_actor_idx on audit_trail (actor_id);
create index audit_trail_site_idx on audit_trail (site_code);
create index audit_trail_region_idx on audit_trail (region_code);
create index audit_trail_at_idx on audit_trail (at);

create trigger audit_trail_no_update before update on audit_trail
begin
    select raise(abort, 'the audit trail is append-only');
end;

create trigger audit_trail_no_delete before delete on audit_trail
begin
    select raise(abort, 'the audit trail is append-only');
end;
