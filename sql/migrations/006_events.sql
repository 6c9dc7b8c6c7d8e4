-- 006 events: the change feed behind live updates (GET /api/v1/events, /api/v1/ws).
--
-- Triggers on bookings and schedules write one row here per change and NOTIFY its id when the
-- transaction commits. The rows are what a reconnecting client resumes from (Last-Event-ID), and
-- the policies on this table decide, under the caller's identity, who may receive which event:
-- a booking event is readable exactly by those who can read the booking, an availability event
-- by anyone who can see the provider. Rows carry ids and kinds only, never names or notes.
-- Code (the triggers, the api functions, policies) is in sql/code/87-events.sql.

create table app.events (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  topic text not null check (topic in ('bookings', 'availability')),
  kind text not null check (kind ~ '^[a-z_]+\.[a-z_]+$'),
  org_id uuid not null references app.organizations (id) on delete cascade,
  provider_id uuid not null,
  booking_id uuid references app.bookings (id) on delete cascade,
  status text,
  during tstzrange,
  check ((topic = 'bookings') = (booking_id is not null))
);
create index events_at_idx on app.events (at);
create index events_booking_id_idx on app.events (booking_id) where booking_id is not null;
create index events_provider_id_idx on app.events (provider_id, id);
alter table app.events enable row level security;
alter table app.events force row level security;
comment on table app.events is 'The change feed for live updates: one row per booking or availability change, ids and kinds only; kept for private.settings events_retention_minutes, then purged.';
comment on column app.events.during is 'Availability events: the instants whose availability changed, when known (null: any time).';

insert into private.settings (name, value, description) values
  ('events_retention_minutes', '60', 'how long live-update events are kept for clients resuming with Last-Event-ID (at least 5)');
