-- Scheduled jobs and notification delivery.
--
-- A job occurrence is claimed by inserting its (job, scheduled_for) row: the unique constraint
-- lets exactly one of several server instances sharing a database run it. Manual runs
-- ("run now") use the moment they were asked for as their occurrence.
create table job_runs (
    id bigint generated always as identity primary key,
    job text not null,
    scheduled_for text not null,                 -- RFC 3339 UTC: the occurrence
    trigger text not null check (trigger in ('schedule', 'catch_up', 'manual')),
    instance text not null,                      -- which server process ran it
    started_at text not null,
    finished_at text,
    outcome text not null check (outcome in ('running', 'succeeded', 'failed')),
    flagged bigint not null default 0,          -- conditions found
    notified bigint not null default 0,         -- notifications created (new ones only)
    summary text not null default '',            -- what it flagged, one line per item
    error text,
    unique (job, scheduled_for)
);
create index job_runs_started_idx on job_runs (started_at);

-- E-mail delivery of stored notifications: immediate, in a daily digest, or not at all.
alter table users add column email_notifications text not null default 'immediate'
    check (email_notifications in ('immediate', 'daily', 'off'));

alter table notifications add column email_status text not null default 'pending'
    check (email_status in ('pending', 'sent', 'failed', 'skipped'));
alter table notifications add column email_attempts bigint not null default 0;
alter table notifications add column email_next_at text;         -- earliest next attempt
alter table notifications add column email_claimed_until text;   -- an instance is sending it
alter table notifications add column email_sent_at text;
alter table notifications add column email_error text;
create index notifications_email_idx on notifications (email_status, email_next_at);
