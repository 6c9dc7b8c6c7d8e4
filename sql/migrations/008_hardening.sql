-- 008 hardening: server-side keys that no client role can read; bounded login failures; a
-- record of password-reset requests, to throttle them per address.
--
-- A refresh token's successor is derived from the token and a key of the server's, so the same
-- successor can be handed to a second tab within the grace window while only hashes are stored,
-- yet nobody who saw an old token can compute the next one.
-- Depends on: 001 (private schema, pgcrypto in extensions).

create table private.secrets (
  name text primary key,
  value bytea not null check (length(value) >= 32),
  created_at timestamptz not null default now()
);
alter table private.secrets enable row level security;
alter table private.secrets force row level security;
comment on table private.secrets is 'Random keys of this database (HMAC keys). Owner-only; never leaves the database.';

insert into private.secrets (name, value) values
  ('refresh_successor', extensions.gen_random_bytes(32));

-- A login with a megabyte "email" must not be stored: no account has an address longer than
-- 254 characters (auth.users.users_email_shape), and private.login refuses such input before it
-- records anything. NOT VALID: rows from before are not rechecked, they age out.
alter table auth.login_failures
  add constraint login_failures_email_length check (length(email::text) <= 254) not valid;

-- Every password-reset request, for known and unknown addresses alike (by sha256 of the lower-case
-- address, so an unknown address is not kept in the clear): at most one email per address per
-- password_reset_interval_seconds, and both kinds of address cost the same write.
create table auth.password_reset_requests (
  id bigint generated always as identity primary key,
  email_hash bytea not null check (length(email_hash) = 32),
  requested_at timestamptz not null
);
create index password_reset_requests_email_hash_idx on auth.password_reset_requests (email_hash, requested_at);
create index password_reset_requests_requested_at_idx on auth.password_reset_requests (requested_at);
alter table auth.password_reset_requests enable row level security;
alter table auth.password_reset_requests force row level security;
comment on table auth.password_reset_requests is
  'Password-reset requests by sha256 of the address, known or not; kept a day, to throttle per address. Owner-only.';

insert into private.settings (name, value, description) values
  ('password_reset_interval_seconds', '60', 'at most one password-reset email per address within this many seconds');

-- Who ever worked behind a provider profile: erasing a person must reach the profiles they were
-- unlinked from before, whose name, bio and time-off reasons are theirs all the same. A table of
-- its own, readable by the owner only: who used to work where is nobody else's business.
create table app.provider_former_people (
  provider_id uuid not null references app.providers (id) on delete cascade,
  user_id uuid not null,
  unlinked_at timestamptz not null default now(),
  primary key (provider_id, user_id)
);
create index provider_former_people_user_id_idx on app.provider_former_people (user_id);
alter table app.provider_former_people enable row level security;
alter table app.provider_former_people force row level security;
comment on table app.provider_former_people is
  'Accounts once linked to a provider profile (written by a trigger when providers.user_id changes), so erasure finds the profile after an unlink. Owner-only.';
-- Earlier unlinks, from the audit trail (kept for retention_audit_days).
insert into app.provider_former_people (provider_id, user_id, unlinked_at)
select p.id, (l.old_values ->> 'user_id')::uuid, max(l.at)
from audit.log l
join app.providers p on p.id::text = l.row_id
where l.table_name = 'app.providers'
  and l.old_values ->> 'user_id' is not null
  and (l.old_values ->> 'user_id') is distinct from p.user_id::text
group by 1, 2;

-- Functions that earlier migrations made (for generated columns and indexes) search pg_catalog
-- before the session's temporary schema too, like every function in sql/code (see
-- sql/code/00-grants.sql): with `search_path = ''` a client's pg_temp types came first.
alter function private.plus_minutes(timestamptz, integer) set search_path = pg_catalog, pg_temp;
alter function private.is_time_zone(text) set search_path = pg_catalog, pg_temp;
alter function private.search_fold(text) set search_path = pg_catalog, pg_temp;
alter function private.search_config(text) set search_path = pg_catalog, pg_temp;
