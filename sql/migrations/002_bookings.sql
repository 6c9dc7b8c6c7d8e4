-- 002 bookings: organizations, memberships, providers, services, availability (weekly hours,
-- date overrides, time off), bookings with their history, internal notes and idempotency keys.
-- Depends on: 001 (auth.users, extensions btree_gist).
-- The exclusion constraint app.bookings_no_overlap makes double booking impossible: every path
-- that writes or moves a booking goes through it; org_id leads the key for sharding by org.

create schema app;
comment on schema app is 'The booking domain. Tables only; rules in sql/code, exposed through api.';

-- Adding minutes to an instant does not depend on the session time zone (only days and months
-- do), so this is truly immutable and may define the generated blocked range.
create function private.plus_minutes(p_at timestamptz, p_minutes integer)
returns timestamptz
language sql
immutable
parallel safe
security invoker
set search_path = ''
return p_at + pg_catalog.make_interval(mins => p_minutes);

create function private.is_time_zone(p_name text)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return p_name is not null
    and exists (select 1 from pg_catalog.pg_timezone_names z where z.name = p_name);
end;
$$;

create type app.member_role as enum ('owner', 'admin', 'staff', 'provider');
create type app.booking_status as enum ('pending', 'confirmed', 'declined', 'cancelled', 'completed', 'no_show');

create table app.organizations (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  name text not null check (length(btrim(name)) between 1 and 200),
  timezone text not null default 'Europe/Copenhagen',
  currency text not null default 'DKK' check (currency ~ '^[A-Z]{3}$'),
  search_language text not null default 'danish',
  cancellation_cutoff_minutes integer not null default 1440 check (cancellation_cutoff_minutes between 0 and 525600),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table app.organizations enable row level security;
alter table app.organizations force row level security;
comment on table app.organizations is 'A salon, clinic or studio: the tenant. Public: anyone may read it.';
comment on column app.organizations.cancellation_cutoff_minutes is 'Customers may cancel or reschedule until this many minutes before the start.';
comment on column app.organizations.search_language is 'Text search configuration for its services (danish, english, simple, ...).';

create table app.memberships (
  org_id uuid not null references app.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role app.member_role not null,
  created_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
create index memberships_user_id_idx on app.memberships (user_id);
alter table app.memberships enable row level security;
alter table app.memberships force row level security;
comment on table app.memberships is 'Who works for an organization, and as what. Looked up by every policy; never taken from a token.';

create table app.providers (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references app.organizations (id) on delete cascade,
  user_id uuid references auth.users (id) on delete set null,
  display_name text not null check (length(btrim(display_name)) between 1 and 200),
  timezone text,
  bio text not null default '' check (length(bio) <= 5000),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id)
);
create index providers_org_id_idx on app.providers (org_id);
create index providers_user_id_idx on app.providers (user_id);
alter table app.providers enable row level security;
alter table app.providers force row level security;
comment on table app.providers is 'A bookable person or resource. timezone NULL means the organization''s.';

create table app.services (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references app.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text not null default '' check (length(description) <= 5000),
  duration_minutes integer not null check (duration_minutes between 5 and 1440),
  buffer_before_minutes integer not null default 0 check (buffer_before_minutes between 0 and 480),
  buffer_after_minutes integer not null default 0 check (buffer_after_minutes between 0 and 480),
  price_minor bigint not null check (price_minor >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  min_notice_minutes integer not null default 0 check (min_notice_minutes between 0 and 525600),
  max_advance_days integer not null default 90 check (max_advance_days between 1 and 730),
  slot_interval_minutes integer not null check (slot_interval_minutes between 5 and 1440),
  requires_confirmation boolean not null default false,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id)
);
create index services_org_id_idx on app.services (org_id);
alter table app.services enable row level security;
alter table app.services force row level security;
comment on table app.services is 'What can be booked: duration, buffers, price in minor units, notice and advance limits, slot grid.';

create table app.service_providers (
  org_id uuid not null,
  service_id uuid not null,
  provider_id uuid not null,
  primary key (service_id, provider_id),
  foreign key (org_id, service_id) references app.services (org_id, id) on delete cascade,
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete cascade
);
create index service_providers_provider_id_idx on app.service_providers (provider_id);
create index service_providers_org_id_idx on app.service_providers (org_id);
alter table app.service_providers enable row level security;
alter table app.service_providers force row level security;
comment on table app.service_providers is 'Which providers offer which services (same organization by construction).';

create table app.working_hours (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  provider_id uuid not null,
  weekday smallint not null check (weekday between 1 and 7),
  starts time not null,
  ends time not null,
  valid_from date,
  valid_until date,
  check (ends > starts),
  check (valid_until is null or valid_from is null or valid_until >= valid_from),
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete cascade,
  constraint working_hours_no_overlap exclude using gist (
    provider_id with =,
    weekday with =,
    tsrange(date '2000-01-01' + starts, date '2000-01-01' + ends) with &&,
    daterange(valid_from, valid_until, '[]') with &&
  )
);
create index working_hours_org_id_idx on app.working_hours (org_id);
alter table app.working_hours enable row level security;
alter table app.working_hours force row level security;
comment on table app.working_hours is 'Weekly windows in the provider''s local wall-clock time (ISO weekday, Monday = 1); several a day, never overlapping.';

create table app.date_overrides (
  org_id uuid not null,
  provider_id uuid not null,
  on_date date not null,
  windows tsrange[] not null default '{}',
  primary key (provider_id, on_date),
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete cascade
);
create index date_overrides_org_id_idx on app.date_overrides (org_id);
alter table app.date_overrides enable row level security;
alter table app.date_overrides force row level security;
comment on table app.date_overrides is 'Replaces the weekly hours on one local date; windows are wall-clock ranges on that date, {} = closed.';

create table app.time_off (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  provider_id uuid not null,
  period tstzrange not null check (not isempty(period) and not lower_inf(period) and not upper_inf(period)),
  reason text not null default '' check (length(reason) <= 1000),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete cascade
);
create index time_off_provider_period_idx on app.time_off using gist (provider_id, period);
create index time_off_org_id_idx on app.time_off (org_id);
alter table app.time_off enable row level security;
alter table app.time_off force row level security;
comment on table app.time_off is 'Absences as instant ranges. The reason is visible to organization members only.';

create table app.bookings (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  provider_id uuid not null,
  service_id uuid not null,
  customer_id uuid not null references auth.users (id) on delete restrict,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  buffer_before_minutes integer not null default 0 check (buffer_before_minutes >= 0),
  buffer_after_minutes integer not null default 0 check (buffer_after_minutes >= 0),
  blocked tstzrange generated always as (tstzrange(
    private.plus_minutes(starts_at, -buffer_before_minutes),
    private.plus_minutes(ends_at, buffer_after_minutes), '[)')) stored,
  status app.booking_status not null,
  price_minor bigint not null check (price_minor >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  customer_note text not null default '' check (length(customer_note) <= 2000),
  sequence integer not null default 0,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  cancelled_at timestamptz,
  cancel_reason text check (length(cancel_reason) <= 1000),
  check (ends_at > starts_at),
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete restrict,
  foreign key (org_id, service_id) references app.services (org_id, id) on delete restrict,
  constraint bookings_no_overlap exclude using gist (
    org_id with =,
    provider_id with =,
    blocked with &&
  ) where (status in ('pending', 'confirmed'))
);
create index bookings_customer_idx on app.bookings (customer_id, starts_at, id);
create index bookings_provider_idx on app.bookings (provider_id, starts_at, id);
create index bookings_org_idx on app.bookings (org_id, starts_at, id);
alter table app.bookings enable row level security;
alter table app.bookings force row level security;
comment on table app.bookings is 'Appointments. blocked = [start - buffer_before, end + buffer_after); pending and confirmed bookings of one provider never overlap (bookings_no_overlap).';
comment on column app.bookings.sequence is 'Rises by one on every reschedule (iCalendar SEQUENCE).';
comment on column app.bookings.buffer_before_minutes is 'The service''s buffers when booked, so later service edits do not move existing blocks.';

create table app.booking_notes (
  booking_id uuid primary key references app.bookings (id) on delete cascade,
  org_id uuid not null references app.organizations (id) on delete cascade,
  internal_note text not null default '' check (length(internal_note) <= 5000),
  updated_at timestamptz not null default now()
);
create index booking_notes_org_id_idx on app.booking_notes (org_id);
alter table app.booking_notes enable row level security;
alter table app.booking_notes force row level security;
comment on table app.booking_notes is 'Internal notes on a booking: organization members only, never the customer (a separate table so RLS, not column grants, guards them).';

create table app.booking_history (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  booking_id uuid not null references app.bookings (id) on delete cascade,
  at timestamptz not null default now(),
  actor_id uuid references auth.users (id) on delete set null,
  action text not null,
  from_status app.booking_status,
  to_status app.booking_status,
  from_start timestamptz,
  to_start timestamptz
);
create index booking_history_booking_idx on app.booking_history (booking_id, id);
create index booking_history_org_id_idx on app.booking_history (org_id);
alter table app.booking_history enable row level security;
alter table app.booking_history force row level security;
comment on table app.booking_history is 'One row per change of a booking, written by trigger: who, when, what moved.';

create table app.idempotency_keys (
  user_id uuid not null references auth.users (id) on delete cascade,
  key text not null check (length(key) between 1 and 255),
  request_hash bytea not null,
  response_status integer,
  response_body text,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
alter table app.idempotency_keys enable row level security;
alter table app.idempotency_keys force row level security;
comment on table app.idempotency_keys is 'Idempotency-Key per user: the first request''s body hash and response, replayed for the same body.';
