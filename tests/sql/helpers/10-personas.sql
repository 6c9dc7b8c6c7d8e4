-- Test personas: named users with real sessions, and the identity switch the API performs.
-- Loaded once into the template database by tests/conftest.py, as the superuser, before each
-- test database is cloned from it; the pgTAP files under tests/sql/ call these functions.
-- Depends on: 001 (auth.users, auth.sessions, private.clock), 20-request (private.act_as),
--   30-accounts (private.register, private.issue_tokens, private.random_token).
-- Raises: P0002 unknown_persona (a handle tests.create_user did not make).
--
-- Usage, in a pgTAP file:
--   select tests.create_user('alma');                  -- alma@example.com / alma-pass-word
--   select tests.create_user('pia_platform_admin', true);
--   select tests.authenticate_as('alma');              -- her open session, or a new one
--   select tests.login_as('alma');                     -- always a new session (another device)
--   select tests.authenticate_as_anon();
--   select tests.clear_authentication();               -- back to the superuser
--   select tests.freeze_time('2026-03-02 09:00:00+00'); select tests.unfreeze_time();
--   select tests.clear_response();                     -- forget response.status and .headers
--
-- Switching identity goes through private.act_as, which sets role and claims the way
-- private.handle_request does for the API, so EXECUTE grants, RLS and the claim helpers see what
-- a real request sees. The switching functions are
-- SECURITY INVOKER because PostgreSQL refuses to set the role inside a definer function; they
-- first return to the session role (the superuser), so they work from any persona. The
-- functions that read or write fixtures are definers owned by the superuser, so a test may call
-- them while it acts as anon or authenticated without granting those roles anything else.

create schema if not exists tests;
comment on schema tests is 'Persona and clock helpers for the pgTAP tests. Exists in test databases only.';
revoke all on schema tests from public;
grant usage on schema tests to anon, authenticated, authenticator;

create table if not exists tests.personas (
  handle text primary key,
  user_id uuid not null unique,
  session_id uuid,
  refresh_token text
);
comment on table tests.personas is
  'Handle of each test user, its id, and the session (and the refresh token issued with it) the persona acts in.';

-- ---------------------------------------------------------------------------------------------
-- Fixtures

create or replace function tests.create_user(handle text, is_platform_admin boolean default false)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  v_id := (private.register(
    create_user.handle || '@example.com',
    create_user.handle || '-pass-word',
    pg_catalog.initcap(pg_catalog.replace(create_user.handle, '_', ' ')),
    null
  ) ->> 'id')::uuid;
  if create_user.is_platform_admin then
    update auth.users u set is_platform_admin = true where u.id = v_id;
  end if;
  insert into tests.personas (handle, user_id) values (create_user.handle, v_id);
  return v_id;
end;
$$;
comment on function tests.create_user(text, boolean) is
  'Register <handle>@example.com with password <handle>-pass-word through private.register, optionally as a platform admin; returns the user id. Definer: anyone may set up fixtures mid-test.';

create or replace function tests.persona(p_handle text)
returns tests.personas
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_persona tests.personas;
begin
  select * into v_persona from tests.personas p where p.handle = p_handle;
  if not found then
    raise exception using errcode = 'P0002', message = 'unknown_persona',
      detail = pg_catalog.format('No persona %L; create it with tests.create_user().', p_handle);
  end if;
  return v_persona;
end;
$$;
comment on function tests.persona(text) is 'The personas row of a handle, or P0002 unknown_persona. Definer: tests.personas is superuser-only.';

create or replace function tests.user_id(handle text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select (tests.persona(user_id.handle)).user_id;
$$;
comment on function tests.user_id(text) is 'The user id of a persona. Definer: callable while acting as any role.';

create or replace function tests.session_id(handle text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select (tests.persona(session_id.handle)).session_id;
$$;
comment on function tests.session_id(text) is
  'The session the persona acts in (NULL before its first login). Definer: callable while acting as any role.';

create or replace function tests.refresh_token(handle text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select (tests.persona(refresh_token.handle)).refresh_token;
$$;
comment on function tests.refresh_token(text) is
  'The refresh token issued when the persona''s current session was opened. Definer: callable while acting as any role.';

create or replace function tests.open_session(handle text)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user auth.users;
  v_now timestamptz := private.now();
  v_session_id uuid;
  v_refresh_token text := private.random_token();
begin
  select u.* into v_user from auth.users u where u.id = tests.user_id(open_session.handle);
  insert into auth.sessions (user_id, user_agent, created_at, last_used_at, expires_at)
  values (
    v_user.id,
    'pgTAP persona ' || open_session.handle,
    v_now,
    v_now,
    v_now + pg_catalog.make_interval(days => private.setting('session_days')::integer)
  )
  returning id into v_session_id;
  -- The refresh token row a login writes beside its session, so refresh tokens exist to be read.
  perform private.issue_tokens(v_user, v_session_id, null, v_refresh_token);
  update tests.personas p
  set session_id = v_session_id, refresh_token = v_refresh_token
  where p.handle = open_session.handle;
  return v_session_id;
end;
$$;
comment on function tests.open_session(text) is
  'Open a new session (and its first refresh token) for a persona, as a login does, without switching to it. Definer: writes auth.sessions.';

create or replace function tests.claims(handle text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'iss', 'http://slotbase.test',
    'aud', 'slotbase',
    'sub', p.user_id::text,
    'sid', p.session_id::text,
    'role', 'authenticated',
    'iat', pg_catalog.floor(extract(epoch from private.now()))::bigint,
    'nbf', pg_catalog.floor(extract(epoch from private.now()))::bigint,
    'exp', pg_catalog.floor(extract(epoch from private.now()))::bigint
      + private.setting('access_token_seconds')::bigint,
    'jti', pg_catalog.gen_random_uuid()::text
  )
  from tests.persona(claims.handle) p;
$$;
comment on function tests.claims(text) is
  'Verified access-token claims for the persona''s current session, as the API passes them to private.handle_request.';

create or replace function tests.freeze_time(at timestamptz)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into private.clock (id, frozen_at) values (true, freeze_time.at)
  on conflict (id) do update set frozen_at = excluded.frozen_at;
$$;
comment on function tests.freeze_time(timestamptz) is
  'Pin private.now() to an instant for the rest of the transaction. Definer: private.clock is owner-only.';

create or replace function tests.unfreeze_time()
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  delete from private.clock;
$$;
comment on function tests.unfreeze_time() is 'Let private.now() follow the real clock again. Definer: private.clock is owner-only.';

create or replace function tests.clear_response()
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('response.status', '', true);
  perform pg_catalog.set_config('response.headers', '', true);
end;
$$;
comment on function tests.clear_response() is
  'Forget the response.status and response.headers an earlier call set in this transaction, so the next call''s can be checked.';

-- ---------------------------------------------------------------------------------------------
-- Switching identity (security invoker: see the header)

create or replace function tests.act_as(p_role text, p_claims jsonb)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_relation record;
begin
  perform pg_catalog.set_config('role', 'none', true);
  -- pgTAP keeps its plan and counters in temporary tables of the superuser; the personas must
  -- be able to write them, or every assertion after the switch would fail for the wrong reason.
  for v_relation in
    select c.oid::regclass as name, c.relkind
    from pg_catalog.pg_class c
    where c.relnamespace = pg_catalog.pg_my_temp_schema()
      and c.relname in ('__tcache__', '__tresults__', '__tcache___id_seq', '__tresults___numb_seq')
  loop
    execute pg_catalog.format('grant all on %s %s to anon, authenticated',
      case when v_relation.relkind = 'S' then 'sequence' else 'table' end, v_relation.name);
  end loop;
  perform private.act_as(p_role, p_claims);
end;
$$;
comment on function tests.act_as(text, jsonb) is
  'Return to the session role, let anon and authenticated write pgTAP''s bookkeeping, then switch with private.act_as.';

create or replace function tests.authenticate_as(handle text)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'none', true);
  if tests.session_id(authenticate_as.handle) is null
      or not private.session_is_active(tests.session_id(authenticate_as.handle)) then
    perform tests.open_session(authenticate_as.handle);
  end if;
  perform tests.act_as('authenticated', tests.claims(authenticate_as.handle));
end;
$$;
comment on function tests.authenticate_as(text) is
  'Act as the persona in its current session, opening a new session when it has none open (first use, after logout).';

create or replace function tests.login_as(handle text)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'none', true);
  perform tests.open_session(login_as.handle);
  perform tests.act_as('authenticated', tests.claims(login_as.handle));
end;
$$;
comment on function tests.login_as(text) is
  'Open a new session for the persona (another device) and act as the persona in it.';

create or replace function tests.authenticate_as_anon()
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'none', true);
  perform tests.act_as('anon', null);
end;
$$;
comment on function tests.authenticate_as_anon() is 'Act as a request without a token.';

create or replace function tests.clear_authentication()
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'none', true);
  perform pg_catalog.set_config('request.jwt.claims', '', true);
end;
$$;
comment on function tests.clear_authentication() is 'Back to the session role (the superuser) with no claims.';

-- ---------------------------------------------------------------------------------------------
-- Privileges: fixtures and switches may be called while acting as any persona.

revoke all on all functions in schema tests from public;
grant execute on function
  tests.create_user(text, boolean),
  tests.user_id(text),
  tests.session_id(text),
  tests.refresh_token(text),
  tests.open_session(text),
  tests.claims(text),
  tests.freeze_time(timestamptz),
  tests.unfreeze_time(),
  tests.clear_response(),
  tests.authenticate_as(text),
  tests.login_as(text),
  tests.authenticate_as_anon(),
  tests.clear_authentication()
  to anon, authenticated, authenticator;
