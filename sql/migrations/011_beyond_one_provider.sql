-- 011 beyond one provider: holds, recurring series, shared resources, the waitlist and
-- calendar feeds.
-- Depends on: 002 (app.bookings, app.services, app.providers), 010 (status 'held').
-- Code (functions, policies, grants) is in sql/code/47-resources.sql, 50-slots.sql,
-- 60-bookings.sql, 62-holds.sql, 63-series.sql, 64-waitlist.sql and 77-feeds.sql.
--
-- A hold is a row of app.bookings with status 'held' and an expiry, so it is kept off its slot's
-- time by the same exclusion constraint as every booking. For an expired hold to stop blocking
-- at once, whether or not anything has deleted it yet, the constraint compares claims in two
-- dimensions: the time they block, and the wall-clock time during which they claim it
-- (claimed = [claimed_since, hold_expires_at), unbounded above for bookings). Two claims
-- conflict only when both overlap; a booking made after a hold's expiry never meets it.

alter table app.organizations
  add column hold_minutes integer not null default 10 check (hold_minutes between 1 and 1440),
  add column waitlist_enabled boolean not null default true;
comment on column app.organizations.hold_minutes is
  'How long a hold keeps its slot (POST /bookings/holds, and the holds the waitlist offers).';
comment on column app.organizations.waitlist_enabled is
  'Customers may join the waitlist for this organization''s services.';

create table app.booking_series (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references app.organizations (id) on delete cascade,
  provider_id uuid not null,
  service_id uuid not null,
  customer_id uuid not null references auth.users (id) on delete restrict,
  every_weeks smallint not null check (every_weeks in (1, 2, 4)),
  occurrences smallint not null check (occurrences between 2 and 52),
  first_start timestamptz not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (org_id, id),
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete restrict,
  foreign key (org_id, service_id) references app.services (org_id, id) on delete restrict
);
create index booking_series_customer_idx on app.booking_series (customer_id);
create index booking_series_org_id_idx on app.booking_series (org_id);
create index booking_series_provider_id_idx on app.booking_series (provider_id);
alter table app.booking_series enable row level security;
alter table app.booking_series force row level security;
comment on table app.booking_series is
  'A recurring booking: every 1, 2 or 4 weeks at the same local wall-clock time in the provider''s zone; its occurrences are rows of app.bookings with series_id.';

alter table app.bookings
  add column series_id uuid references app.booking_series (id) on delete set null,
  add column hold_expires_at timestamptz,
  add column claimed_since timestamptz;
update app.bookings set claimed_since = created_at;
alter table app.bookings
  alter column claimed_since set not null,
  alter column claimed_since set default now(),
  add column claimed tstzrange generated always as (tstzrange(claimed_since, hold_expires_at, '[)')) stored,
  add constraint bookings_hold_expiry check ((status = 'held') = (hold_expires_at is not null)),
  add constraint bookings_hold_after_claim check (hold_expires_at is null or hold_expires_at > claimed_since),
  drop constraint bookings_no_overlap,
  add constraint bookings_no_overlap exclude using gist (
    org_id with =,
    provider_id with =,
    blocked with &&,
    claimed with &&
  ) where (status in ('held', 'pending', 'confirmed'));
create index bookings_series_idx on app.bookings (series_id, starts_at) where series_id is not null;
create index bookings_hold_expiry_idx on app.bookings (hold_expires_at) where status = 'held';
comment on column app.bookings.hold_expires_at is 'For a hold (status held): when it stops keeping its slot. NULL for every booking.';
comment on column app.bookings.claimed_since is 'When this row took its current time: set on insert and on every move.';
comment on column app.bookings.claimed is
  'The wall-clock time during which the row claims its blocked range: [claimed_since, hold_expires_at), open above for bookings. bookings_no_overlap compares it with blocked, so an expired hold blocks nothing.';
comment on table app.bookings is
  'Appointments and holds. blocked = [start - buffer_before, end + buffer_after); live holds, pending and confirmed bookings of one provider never overlap (bookings_no_overlap).';

create table app.resources (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references app.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  kind text not null check (kind ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  capacity smallint not null default 1 check (capacity between 1 and 100),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id)
);
create index resources_org_kind_idx on app.resources (org_id, kind);
alter table app.resources enable row level security;
alter table app.resources force row level security;
comment on table app.resources is
  'Rooms, chairs, equipment an organization shares between providers; capacity units of one kind can be in use at once.';

create table app.service_resources (
  org_id uuid not null,
  service_id uuid not null,
  kind text not null check (kind ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  count smallint not null check (count between 1 and 100),
  primary key (service_id, kind),
  foreign key (org_id, service_id) references app.services (org_id, id) on delete cascade
);
create index service_resources_org_id_idx on app.service_resources (org_id, kind);
alter table app.service_resources enable row level security;
alter table app.service_resources force row level security;
comment on table app.service_resources is 'What a service needs besides its provider: count resources of a kind, for the whole blocked time.';

create table app.resource_claims (
  org_id uuid not null,
  booking_id uuid not null references app.bookings (id) on delete cascade,
  resource_id uuid not null,
  unit smallint not null check (unit >= 1),
  blocked tstzrange not null,
  claimed tstzrange not null,
  primary key (booking_id, resource_id, unit),
  foreign key (org_id, resource_id) references app.resources (org_id, id) on delete restrict,
  constraint resource_claims_no_overlap exclude using gist (
    resource_id with =,
    unit with =,
    blocked with &&,
    claimed with &&
  )
);
create index resource_claims_org_id_idx on app.resource_claims (org_id);
alter table app.resource_claims enable row level security;
alter table app.resource_claims force row level security;
comment on table app.resource_claims is
  'Which unit of which resource a live hold or active booking uses, over the booking''s blocked and claimed ranges; one unit is never used twice at once (resource_claims_no_overlap). Kept by trigger on app.bookings.';

create table app.waitlist_entries (
  id uuid primary key default gen_random_uuid(),
  line bigint generated always as identity unique,
  org_id uuid not null,
  service_id uuid not null,
  provider_id uuid,
  customer_id uuid not null references auth.users (id) on delete cascade,
  wanted tstzrange not null check (not isempty(wanted) and not lower_inf(wanted) and not upper_inf(wanted)),
  status text not null default 'waiting' check (status in ('waiting', 'offered', 'booked', 'lapsed', 'cancelled')),
  hold_id uuid references app.bookings (id) on delete set null,
  offered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (org_id, service_id) references app.services (org_id, id) on delete cascade,
  foreign key (org_id, provider_id) references app.providers (org_id, id) on delete cascade
);
create index waitlist_entries_waiting_idx on app.waitlist_entries (org_id, line) where status = 'waiting';
create index waitlist_entries_customer_idx on app.waitlist_entries (customer_id, created_at);
create index waitlist_entries_org_id_idx on app.waitlist_entries (org_id);
create index waitlist_entries_hold_idx on app.waitlist_entries (hold_id) where hold_id is not null;
create index waitlist_entries_service_idx on app.waitlist_entries (service_id);
create index waitlist_entries_provider_idx on app.waitlist_entries (provider_id) where provider_id is not null;
alter table app.waitlist_entries enable row level security;
alter table app.waitlist_entries force row level security;
comment on table app.waitlist_entries is
  'A customer waiting for a service (from one provider, or any) within a window of time. First come, first offered (line): a freed slot becomes a hold for the first entry it fits.';

create table app.calendar_feeds (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid references app.providers (id) on delete cascade,
  user_id uuid references auth.users (id) on delete cascade,
  token_hash bytea not null unique,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (num_nonnulls(provider_id, user_id) = 1)
);
create unique index calendar_feeds_provider_key on app.calendar_feeds (provider_id) where provider_id is not null;
create unique index calendar_feeds_user_key on app.calendar_feeds (user_id) where user_id is not null;
alter table app.calendar_feeds enable row level security;
alter table app.calendar_feeds force row level security;
comment on table app.calendar_feeds is
  'One secret feed URL per provider and per user, stored as the sha256 of its token; issuing a new one replaces (revokes) the old.';
