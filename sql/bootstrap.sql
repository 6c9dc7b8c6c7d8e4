-- Bootstrap: the roles, their statement timeouts and the migration runner's own tables.
-- Run by api/ops/migrate.py as the connecting administrator on every start, before any migration.
-- Roles are cluster-wide, so this file is idempotent rather than versioned; everything else
-- lives in sql/migrations and sql/code. The role names are the ones api/ops/migrate.py and the
-- slotbase command use: slotbase_owner owns every object (OWNER_ROLE), slotbase_client is the
-- login of direct SQL clients (CLIENT_ROLE), slotbase_worker the outbox worker's (WORKER_ROLE).
-- Depends on: an administrator allowed to create and grant these roles (docs/operations.md,
--   "Database roles").
-- Raises: nothing of its own; a statement timeout it may not set is only a notice.

do $$
begin
  if not exists (select from pg_roles where rolname = 'slotbase_owner') then
    create role slotbase_owner nologin bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'slotbase_client') then
    create role slotbase_client login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'slotbase_worker') then
    create role slotbase_worker login noinherit;
  end if;
  -- The API's login and the clients' login may become a caller, never a trusted job: a member
  -- of service_role bypasses RLS and reads the outbox (reset tokens among it). Earlier versions
  -- granted it to authenticator; take that back.
  if exists (
    select from pg_auth_members m
    where m.roleid = 'service_role'::regrole and m.member = 'authenticator'::regrole
  ) then
    revoke service_role from authenticator;
  end if;
end
$$;
grant anon, authenticated to authenticator;
grant anon, authenticated to slotbase_client;
grant service_role to slotbase_worker;
grant slotbase_owner to current_user;
-- A statement_timeout for the API roles in this database, unless the DBA has set one (here or
-- for all databases): anon 5s, authenticated and direct SQL clients 8s. Direct SQL clients get
-- it at login; the API reads and enforces it per call.
do $$
declare
  v_role text;
  v_timeout text;
begin
  foreach v_role in array array['anon', 'authenticated', 'slotbase_client'] loop
    v_timeout := case v_role when 'anon' then '5s'
                             else '8s' end;
    if not exists (
      select from pg_db_role_setting s, unnest(s.setconfig) c
      where s.setrole = v_role::regrole
        and s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
        and c like 'statement_timeout=%'
    ) then
      begin
        execute format('alter role %I in database %I set statement_timeout = %L',
                       v_role, current_database(), v_timeout);
      exception when insufficient_privilege then
        raise notice 'cannot set statement_timeout of %: %', v_role, sqlerrm;
      end;
    end if;
  end loop;
end
$$;
create schema if not exists migrations;
create table if not exists migrations.applied (
  version text primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
);
create table if not exists migrations.code (
  file text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
revoke all on schema migrations from public;
grant usage on schema migrations to authenticator;
grant select on migrations.applied, migrations.code to authenticator;
