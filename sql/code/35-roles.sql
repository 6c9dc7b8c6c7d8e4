-- 35 roles: who the caller is in an organization — the role sets, the membership lookups that
-- policies and functions ask, and which providers the caller is the person behind.
-- Depends on: 002 (app.memberships, app.member_role, app.providers), 14-claims (auth.uid),
--   30-accounts (private.require_user), 40-organizations (private.require_visible_org, which
--   private.require_org_manager calls).
-- Raises: PT401 unauthorized, PT403 forbidden, PT404 not_found (private.require_org_manager);
--   PT422 validation_failed (private.member_role).
--
-- Roles are data (app.memberships), looked up on every call and never taken from a token, so a
-- change takes effect at once. Every question comes in two forms: a boolean about one
-- organization or provider (private.is_org_staff(org_id), private.is_provider_self(id)), and the
-- array of every one where it holds (private.my_org_ids(roles), private.my_provider_ids()). A
-- policy on a large table compares with the array, `org_id = any ((select ...))`, which runs once
-- per statement instead of once per row.
-- The lookups read app.memberships and app.providers as SECURITY DEFINER: the policy on
-- app.memberships calls private.is_org_member, which as the caller would recurse into it, and
-- the others read the rows directly rather than through a policy evaluated for every row.
-- Whether the caller is a platform admin is a property of the account, not a membership:
-- private.is_platform_admin is in 30-accounts.

-- ---------------------------------------------------------------------------------------------
-- Role names and sets

create or replace function private.member_role(p_role text)
returns app.member_role
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The enum is the list; the detail names it for people.
  if p_role is null or p_role <> all (pg_catalog.enum_range(null::app.member_role)::text[]) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'role must be one of owner, admin, staff, provider.';
  end if;
  return p_role::app.member_role;
end;
$$;
comment on function private.member_role(text) is 'A role name as app.member_role, or 422 validation_failed.';
grant execute on function private.member_role(text) to anon, authenticated, service_role;

create or replace function private.manager_roles()
returns app.member_role[]
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return '{owner,admin}';
end;
$$;
comment on function private.manager_roles() is
  'The roles that manage an organization, its members, providers and services: owner and admin.';
grant execute on function private.manager_roles() to anon, authenticated, service_role;

create or replace function private.staff_roles()
returns app.member_role[]
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return '{owner,admin,staff}';
end;
$$;
comment on function private.staff_roles() is
  'The roles ("staff+") that see and handle every booking of an organization: owner, admin and staff.';
grant execute on function private.staff_roles() to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The caller in one organization

create or replace function private.org_role(p_org_id uuid)
returns app.member_role
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select m.role from app.memberships m
    where m.org_id = p_org_id and m.user_id = auth.uid()
  );
end;
$$;
comment on function private.org_role(uuid) is
  'The caller''s role in an organization, NULL when not a member. Definer: reads app.memberships directly, not through its policy, which would call private.is_org_member for every row.';
grant execute on function private.org_role(uuid) to anon, authenticated, service_role;

create or replace function private.has_org_role(p_org_id uuid, p_roles app.member_role[])
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return exists (
    select 1 from app.memberships m
    where m.org_id = p_org_id and m.user_id = auth.uid() and m.role = any (p_roles)
  );
end;
$$;
comment on function private.has_org_role(uuid, app.member_role[]) is
  'Does the caller hold one of these roles in the organization? Use as (select private.has_org_role(org_id, ...)) in policies. Definer: reads app.memberships directly, not through its policy, which would call private.is_org_member for every row.';
grant execute on function private.has_org_role(uuid, app.member_role[]) to anon, authenticated, service_role;

create or replace function private.is_org_member(p_org_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return exists (
    select 1 from app.memberships m where m.org_id = p_org_id and m.user_id = auth.uid()
  );
end;
$$;
comment on function private.is_org_member(uuid) is
  'Is the caller a member (any role) of the organization? Definer: the policy on app.memberships calls it; as the caller its lookup would recurse into that policy.';
grant execute on function private.is_org_member(uuid) to anon, authenticated, service_role;

create or replace function private.is_org_manager(p_org_id uuid)
returns boolean
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.has_org_role(p_org_id, private.manager_roles());
end;
$$;
comment on function private.is_org_manager(uuid) is
  'Owner or admin of the organization (private.manager_roles): manages it, its members, providers and services. Runs as the caller: private.has_org_role, which it asks, is the definer.';
grant execute on function private.is_org_manager(uuid) to anon, authenticated, service_role;

create or replace function private.is_org_staff(p_org_id uuid)
returns boolean
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.has_org_role(p_org_id, private.staff_roles());
end;
$$;
comment on function private.is_org_staff(uuid) is
  'Owner, admin or staff (private.staff_roles): sees and handles every booking of the organization. Runs as the caller: private.has_org_role, which it asks, is the definer.';
grant execute on function private.is_org_staff(uuid) to anon, authenticated, service_role;

create or replace function private.require_org_manager(p_org_id uuid)
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_visible_org(p_org_id);
  perform private.require_user();
  if not private.is_org_manager(p_org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may do this.';
  end if;
end;
$$;
comment on function private.require_org_manager(uuid) is '404 for an unknown organization, 401 for anon, 403 unless owner or admin.';
grant execute on function private.require_org_manager(uuid) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Every organization and provider at once (for policies)

create or replace function private.my_org_ids(p_roles app.member_role[])
returns uuid[]
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce((
    select pg_catalog.array_agg(m.org_id) from app.memberships m
    where m.user_id = auth.uid() and m.role = any (p_roles)
  ), '{}');
end;
$$;
comment on function private.my_org_ids(app.member_role[]) is
  'Organizations where the caller holds one of these roles, e.g. private.staff_roles(); evaluated once per statement in policies as org_id = any ((select private.my_org_ids(...))). Definer: reads app.memberships directly, not through its policy, which would call private.is_org_member for every row.';
grant execute on function private.my_org_ids(app.member_role[]) to anon, authenticated, service_role;

create or replace function private.is_provider_self(p_provider_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return auth.uid() is not null and exists (
    select 1 from app.providers p where p.id = p_provider_id and p.user_id = auth.uid()
  );
end;
$$;
comment on function private.is_provider_self(uuid) is
  'Is the caller the person behind this provider? Definer: reads app.providers whatever its policies show the caller, inactive providers included.';
grant execute on function private.is_provider_self(uuid) to anon, authenticated, service_role;

create or replace function private.my_provider_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce((
    select pg_catalog.array_agg(p.id) from app.providers p where p.user_id = auth.uid()
  ), '{}');
end;
$$;
comment on function private.my_provider_ids() is
  'Providers the caller is the person behind; evaluated once per statement in policies. Definer: reads app.providers whatever its policies show the caller, inactive providers included.';
grant execute on function private.my_provider_ids() to anon, authenticated, service_role;
