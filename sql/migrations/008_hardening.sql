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
