-- 001 foundation: extensions, schemas, settings, the pinnable clock, and the identity tables
-- (users, sessions, refresh tokens, failed logins, common passwords).
-- Depends on: the runner's bootstrap (roles anon, authenticated, service_role, authenticator,
-- slotbase_owner — cluster-wide, so created idempotently outside versioned files).
-- Runs as slotbase_owner, which therefore owns every object created here.

create schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists citext with schema extensions;
create extension if not exists btree_gist with schema extensions;

create schema auth;
create schema api;
create schema private;
comment on schema auth is 'Identities, credentials, sessions, refresh tokens, lockout state, claim helpers.';
comment on schema api is 'The public contract: functions only. \df+ api.* is the API reference.';
comment on schema private is 'Helpers that must run as the owner (SECURITY DEFINER); never exposed as endpoints.';

-- Settings an operator may tune with plain SQL; read through private.setting().
create table private.settings (
  name text primary key,
  value text not null,
  description text not null
);
alter table private.settings enable row level security;
alter table private.settings force row level security;
comment on table private.settings is 'Tunable rules (bcrypt cost, token lifetimes, lockout). Change with UPDATE as the owner.';

insert into private.settings (name, value, description) values
  ('bcrypt_cost', '10', 'bcrypt work factor for new password hashes (4..15)'),
  ('access_token_seconds', '900', 'lifetime of an access token'),
  ('session_days', '30', 'lifetime of a session and its refresh tokens without use'),
  ('refresh_grace_seconds', '10', 'a used refresh token presented again within this window returns the same successor'),
  ('lockout_attempts', '5', 'failed logins within the window that lock an account'),
  ('lockout_window_minutes', '15', 'window in which failed logins are counted'),
  ('lockout_minutes', '15', 'how long an account stays locked'),
  ('registration_email_domains', '', 'comma-separated domains allowed to register; empty allows all');

-- One row pins "now" for functions that read the clock through private.now() (tests of notice
-- periods and DST); a table rather than a GUC because any client may set a GUC.
create table private.clock (
  id boolean primary key default true check (id),
  frozen_at timestamptz not null
);
alter table private.clock enable row level security;
alter table private.clock force row level security;
comment on table private.clock is 'When a row exists, private.now() returns its frozen_at. Tests only.';

create table auth.users (
  id uuid primary key default gen_random_uuid(),
  email extensions.citext not null,
  password_hash text,
  full_name text not null default '' check (length(full_name) <= 200),
  locale text not null default 'da' check (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  email_verified_at timestamptz,
  is_platform_admin boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  constraint users_email_key unique (email),
  constraint users_email_shape check (email::text ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and length(email::text) <= 254)
);
alter table auth.users enable row level security;
alter table auth.users force row level security;
comment on table auth.users is 'Accounts. password_hash is bcrypt (pgcrypto); NULL means no password login (erased account).';
comment on column auth.users.is_platform_admin is 'Platform operators: read every account. Set only by createsuperuser or SQL.';
comment on column auth.users.deleted_at is 'Set when the account was erased; the row stays as an anonymous placeholder.';

create table auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  user_agent text check (length(user_agent) <= 512),
  ip inet,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_user_id_idx on auth.sessions (user_id);
alter table auth.sessions enable row level security;
alter table auth.sessions force row level security;
comment on table auth.sessions is 'One row per login (device). The sid claim of access tokens; revoking it refuses its tokens at once.';

create table auth.refresh_tokens (
  id bigint generated always as identity primary key,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  token_hash bytea not null unique,
  parent_id bigint unique references auth.refresh_tokens (id) on delete cascade,
  access_claims jsonb not null,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
create index refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
create index refresh_tokens_user_id_idx on auth.refresh_tokens (user_id);
alter table auth.refresh_tokens enable row level security;
alter table auth.refresh_tokens force row level security;
comment on table auth.refresh_tokens is 'Single-use refresh tokens, stored as sha256 only, chained per session (parent_id).';
comment on column auth.refresh_tokens.access_claims is 'Claims of the access token issued beside this token, so a grace-window replay returns the same pair.';

create table auth.login_failures (
  id bigint generated always as identity primary key,
  email extensions.citext not null,
  failed_at timestamptz not null default now()
);
create index login_failures_email_failed_at_idx on auth.login_failures (email, failed_at);
alter table auth.login_failures enable row level security;
alter table auth.login_failures force row level security;
comment on table auth.login_failures is 'Failed logins by email (known or not, so lockout does not reveal which accounts exist).';

create table auth.common_passwords (
  password text primary key
);
alter table auth.common_passwords enable row level security;
alter table auth.common_passwords force row level security;
comment on table auth.common_passwords is 'Built-in block list (lower case) checked by private.check_password().';

insert into auth.common_passwords (password)
select lower(p) from unnest(array[
  'password', 'password1', 'password12', 'password123', 'password1234', 'passw0rd', 'p@ssw0rd',
  'p@ssword', 'pa$$word', '12345678', '123456789', '1234567890', '12345678910', '123123123',
  '11111111', '00000000', '88888888', '87654321', '11223344', '12121212', '123qweasd', '1q2w3e4r',
  '1q2w3e4r5t', '1qaz2wsx', 'qwertyui', 'qwertyuiop', 'qwerty123', 'qwerty1234', 'qwe12345',
  'asdfghjkl', 'asdfasdf', 'zxcvbnm1', 'zaq12wsx', 'abcd1234', 'abc12345', 'abcdefgh', 'aa123456',
  'iloveyou', 'iloveyou1', 'sunshine', 'princess', 'football', 'baseball', 'welcome1', 'welcome123',
  'letmein1', 'trustno1', 'superman', 'starwars', 'whatever', 'dragon12', 'computer', 'michelle',
  'jennifer', 'corvette', 'mercedes', 'liverpool', 'chelsea1', 'arsenal1', 'manchester', 'master12',
  'monkey12', 'shadow12', 'batman12', 'charlie1', 'michael1', 'jordan23', 'football1', 'basketball',
  'passport', 'changeme', 'changeme1', 'default1', 'administrator', 'admin123', 'admin1234',
  'root1234', 'test1234', 'testtest', 'guest123', 'login123', 'secret12', 'internet', 'mypassword',
  'access14', 'freedom1', 'hello123', 'lovelove', 'qazwsxedc', 'q1w2e3r4', 'q1w2e3r4t5', 'summer2024',
  'summer2025', 'summer2026', 'winter2025', 'winter2026', 'spring2026', 'autumn2026', 'january1',
  'kodeord1', 'kodeord123', 'adgangskode', 'sommer2025', 'sommer2026', 'vinter2026', 'hejmeddig',
  'hejhejhej', 'danmark1', 'danmark123', 'kobenhavn', 'københavn', 'elskerdig', 'fodbold1',
  'slotbase', 'slotbase1', 'slotbase123', 'booking1', 'booking123', 'salon123', 'frisør123'
]) as p
on conflict do nothing;
