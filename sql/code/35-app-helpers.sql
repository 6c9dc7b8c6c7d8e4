-- 35 app helpers: who the caller is in an organization, and time parsing/formatting.
-- Depends on: 002 (app tables), 10-helpers.
-- Raises: PT422 invalid_time (instant without offset, unparsable), PT401 unauthorized,
--   PT403 forbidden, PT404 not_found (from the require_* helpers).
-- The role lookups are SECURITY DEFINER because policies on app.memberships themselves call
-- them: an invoker lookup would recurse into the policy it serves.

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
comment on function private.org_role(uuid) is 'The caller''s role in an organization, NULL when not a member.';
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
  'Does the caller hold one of these roles in the organization? Use as (select private.has_org_role(org_id, ...)) in policies.';
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
comment on function private.is_org_member(uuid) is 'Is the caller a member (any role) of the organization?';
grant execute on function private.is_org_member(uuid) to anon, authenticated, service_role;

create or replace function private.is_org_manager(p_org_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.has_org_role(p_org_id, '{owner,admin}');
end;
$$;
comment on function private.is_org_manager(uuid) is 'Owner or admin of the organization: manages it, its members, providers and services.';
grant execute on function private.is_org_manager(uuid) to anon, authenticated, service_role;

create or replace function private.is_org_staff(p_org_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.has_org_role(p_org_id, '{owner,admin,staff}');
end;
$$;
comment on function private.is_org_staff(uuid) is 'Owner, admin or staff ("staff+"): sees and handles every booking of the organization.';
grant execute on function private.is_org_staff(uuid) to anon, authenticated, service_role;

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
comment on function private.is_provider_self(uuid) is 'Is the caller the person behind this provider?';
grant execute on function private.is_provider_self(uuid) to anon, authenticated, service_role;

create or replace function private.provider_zone(p_provider_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select coalesce(p.timezone, o.timezone)
    from app.providers p
    join app.organizations o on o.id = p.org_id
    where p.id = p_provider_id
  );
end;
$$;
comment on function private.provider_zone(uuid) is 'The IANA zone a provider works in: its own, else its organization''s.';
grant execute on function private.provider_zone(uuid) to anon, authenticated, service_role;

create or replace function private.parse_instant(p_value text, p_field text default 'start')
returns timestamptz
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- RFC 3339 with an explicit offset; a bare local time would silently take the session's zone.
  if p_value is null
      or p_value !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
    raise exception using errcode = 'PT422', message = 'invalid_time',
      detail = p_field || ' must be an RFC 3339 instant with an offset, e.g. 2026-03-29T09:00:00+02:00.';
  end if;
  return p_value::timestamptz;
exception
  when sqlstate '22007' or sqlstate '22008' then
    raise exception using errcode = 'PT422', message = 'invalid_time',
      detail = p_field || ' is not a valid instant.';
end;
$$;
comment on function private.parse_instant(text, text) is 'Parse an RFC 3339 instant that carries an offset; 422 invalid_time otherwise.';
grant execute on function private.parse_instant(text, text) to anon, authenticated, service_role;

create or replace function private.local_iso(p_at timestamptz, p_zone text)
returns text
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_local timestamp := p_at at time zone p_zone;
  v_offset interval := v_local - (p_at at time zone 'UTC');
begin
  if p_at is null then
    return null;
  end if;
  return pg_catalog.to_char(v_local, 'YYYY-MM-DD"T"HH24:MI:SS')
    || case when v_offset < interval '0' then '-' else '+' end
    || pg_catalog.to_char(pg_catalog.abs(extract(epoch from v_offset)) * interval '1 second', 'HH24:MI');
end;
$$;
comment on function private.local_iso(timestamptz, text) is 'RFC 3339 text of an instant in a zone, with that zone''s offset at that instant (DST-correct).';
grant execute on function private.local_iso(timestamptz, text) to anon, authenticated, service_role;

create or replace function private.require_visible_org(p_org_id uuid)
returns app.organizations
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org app.organizations;
begin
  select * into v_org from app.organizations o where o.id = p_org_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
  end if;
  return v_org;
end;
$$;
comment on function private.require_visible_org(uuid) is 'The organization, or 404 not_found.';
grant execute on function private.require_visible_org(uuid) to anon, authenticated, service_role;

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
