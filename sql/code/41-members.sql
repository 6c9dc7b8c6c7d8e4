-- 41 members: who works for an organization, and as what — the member list, the caller's own
-- memberships, and adding, changing and removing members under the last-owner rule.
-- Depends on: 002 (app.memberships, app.member_role, app.providers), 10-helpers (private.utc,
--   page helpers), 30-accounts (private.require_user), 35-roles (private.org_role,
--   private.manager_roles, private.member_role, private.is_org_member), 40-organizations
--   (private.require_visible_org; organizations are readable by every user), 42-invitations
--   (private.add_member calls private.invite), 43-providers (members read every provider of
--   their organizations, which api.my_memberships reads as the caller).
-- Raises: PT401 unauthorized (anon); PT403 forbidden (not a member, or not a manager; only owners
--   make or change owners); PT404 not_found (unknown organization or member); PT409 conflict
--   (already a member), last_owner (an organization keeps at least one owner); PT422
--   validation_failed (role, limit, cursor), invalid_email.
--
-- Memberships are seen by members only and written through SECURITY DEFINER functions only,
-- because the last-owner rule needs a lock and a count that no policy can express. Adding a
-- member invites an address (42-invitations); the person becomes a member by accepting.

-- ---------------------------------------------------------------------------------------------
-- Privileges and policies
-- Revoked first so that this file, re-applied, is the whole current definition.

revoke all on app.memberships from anon, authenticated;

-- Memberships: read by members; written only by the definer functions below (last-owner rule).
grant select (org_id, user_id, role, created_at) on app.memberships to authenticated;

drop policy if exists "members read their organization's memberships" on app.memberships;
create policy "members read their organization's memberships" on app.memberships
  for select to authenticated
  using ((select private.is_org_member(org_id)));

-- ---------------------------------------------------------------------------------------------
-- Shapes and rules

create or replace function private.member_json(p_org_id uuid, p_user_id uuid)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select pg_catalog.json_build_object(
      'user_id', m.user_id,
      'email', u.email::text,
      'full_name', u.full_name,
      'role', m.role,
      'created_at', private.utc(m.created_at)
    )
    from app.memberships m
    join auth.users u on u.id = m.user_id
    where m.org_id = p_org_id
      and m.user_id = p_user_id
      and private.is_org_member(p_org_id)
  );
end;
$$;
comment on function private.member_json(uuid, uuid) is
  'The member object {user_id, email, full_name, role, created_at} of one member, or NULL unless the caller is a member of the organization. Definer: members may see each other''s email and name, which auth.users shows only to the account itself.';
grant execute on function private.member_json(uuid, uuid) to authenticated;

create or replace function private.lock_org_members(p_org_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Every change that can take an owner away waits here for the previous one of the same
  -- organization; NO KEY UPDATE leaves inserts that merely reference the organization alone.
  perform 1 from app.organizations o where o.id = p_org_id for no key update;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
  end if;
end;
$$;
comment on function private.lock_org_members(uuid) is
  'Serialize membership changes of one organization (row lock on it); 404 if it does not exist. Called by the membership definer functions only (not granted to clients).';

create or replace function private.require_other_owner(p_org_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_owners integer;
begin
  -- Locking the owner rows, not only counting them: under READ COMMITTED a row another
  -- transaction has just demoted is re-checked and drops out; under REPEATABLE READ it raises a
  -- serialization failure (retried by the API). Either way two owners demoting each other at
  -- once cannot both see the other as the remaining owner.
  select pg_catalog.count(*) into v_owners
  from (
    select 1 from app.memberships m
    where m.org_id = p_org_id and m.role = 'owner'
    for update
  ) owners;
  if v_owners <= 1 then
    raise exception using errcode = 'PT409', message = 'last_owner',
      detail = 'An organization keeps at least one owner; make someone else an owner first.';
  end if;
end;
$$;
comment on function private.require_other_owner(uuid) is
  '409 last_owner unless the organization has at least two owners; call with the organization locked (private.lock_org_members) when taking one owner away. Called by the membership definer functions only (not granted to clients).';

-- ---------------------------------------------------------------------------------------------
-- Adding, changing and removing members (definer parts)

create or replace function private.add_member(p_org_id uuid, p_email text, p_role text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_caller app.member_role;
  v_role app.member_role;
begin
  perform 1 from app.organizations o where o.id = p_org_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
  end if;
  v_caller := private.org_role(p_org_id);
  if v_caller is null or v_caller <> all (private.manager_roles()) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may add members.';
  end if;
  v_role := private.member_role(p_role);
  if v_role = 'owner' and v_caller <> 'owner' then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only owners may make someone an owner.';
  end if;
  if pg_catalog.btrim(coalesce(p_email, '')) = '' then
    raise exception using errcode = 'PT422', message = 'validation_failed', detail = 'email is required.';
  end if;
  if pg_catalog.btrim(p_email) !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or pg_catalog.length(pg_catalog.btrim(p_email)) > 254 then
    raise exception using errcode = 'PT422', message = 'invalid_email', detail = 'This is not an email address.';
  end if;
  if exists (
    select from app.memberships m
    join auth.users u on u.id = m.user_id
    where m.org_id = p_org_id
      and u.email operator(extensions.=) pg_catalog.btrim(p_email)::extensions.citext
  ) then
    raise exception using errcode = 'PT409', message = 'conflict',
      detail = 'This person is a member of the organization already; change their role instead.';
  end if;
  -- Never the account that holds the address today: whoever registered it may not be the
  -- person meant. The address gets an invitation; its verified owner accepts it.
  return private.invite(p_org_id, pg_catalog.btrim(p_email)::extensions.citext, v_role);
end;
$$;
comment on function private.add_member(uuid, text, text) is
  'Invite an address to an organization with a role (owners and admins; only owners invite owners): the person becomes a member when they accept while signed in with that address verified. Definer: reads memberships and accounts by email.';
grant execute on function private.add_member(uuid, text, text) to authenticated;

create or replace function private.update_member(p_org_id uuid, p_user_id uuid, p_role text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller app.member_role;
  v_role app.member_role;
  v_current app.member_role;
begin
  perform private.require_user();
  perform private.lock_org_members(p_org_id);
  v_caller := private.org_role(p_org_id);
  if v_caller is null or v_caller <> all (private.manager_roles()) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may change roles.';
  end if;
  v_role := private.member_role(p_role);
  select m.role into v_current
  from app.memberships m
  where m.org_id = p_org_id and m.user_id = p_user_id
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such member.';
  end if;
  if v_caller <> 'owner' and (v_current = 'owner' or v_role = 'owner') then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only owners may make someone an owner or change an owner''s role.';
  end if;
  if v_current = 'owner' and v_role <> 'owner' then
    perform private.require_other_owner(p_org_id);
  end if;
  update app.memberships m set role = v_role
  where m.org_id = p_org_id and m.user_id = p_user_id;
  return private.member_json(p_org_id, p_user_id);
end;
$$;
comment on function private.update_member(uuid, uuid, text) is
  'Change a member''s role under the last-owner rule (serialized per organization). Definer: memberships have no client write privileges.';
grant execute on function private.update_member(uuid, uuid, text) to authenticated;

create or replace function private.remove_member(p_org_id uuid, p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_caller app.member_role;
  v_current app.member_role;
begin
  perform private.lock_org_members(p_org_id);
  v_caller := private.org_role(p_org_id);
  if p_user_id is distinct from v_uid
      and (v_caller is null or v_caller <> all (private.manager_roles())) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may remove other members.';
  end if;
  select m.role into v_current
  from app.memberships m
  where m.org_id = p_org_id and m.user_id = p_user_id
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such member.';
  end if;
  if p_user_id <> v_uid and v_caller <> 'owner' and v_current = 'owner' then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only owners may remove an owner.';
  end if;
  if v_current = 'owner' then
    perform private.require_other_owner(p_org_id);
  end if;
  delete from app.memberships m where m.org_id = p_org_id and m.user_id = p_user_id;
  -- Someone who no longer works here no longer edits a provider profile here either.
  update app.providers p set user_id = null where p.org_id = p_org_id and p.user_id = p_user_id;
end;
$$;
comment on function private.remove_member(uuid, uuid) is
  'Remove a member (owners and admins; any member may leave), under the last-owner rule, and unlink them from the organization''s providers. Definer: memberships have no client write privileges.';
grant execute on function private.remove_member(uuid, uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.list_members(org_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(list_members.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_members.org_id);
  perform private.require_user();
  if not private.is_org_member(list_members.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only members of the organization may see its members.';
  end if;
  v_after := private.decode_cursor(list_members.cursor, 'timestamptz', 'uuid');
  with page as (
    select m.org_id, m.user_id, m.created_at,
           pg_catalog.row_number() over (order by m.created_at, m.user_id) as n
    from app.memberships m
    where m.org_id = list_members.org_id
      and (v_after is null or (m.created_at, m.user_id) > (v_after[1]::timestamptz, v_after[2]::uuid))
    order by m.created_at, m.user_id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.member_json(p.org_id, p.user_id) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(p.created_at::text, p.user_id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_members(uuid, integer, text) is
  'GET /orgs/{org_id}/members?limit&cursor. Members of the organization, longest-standing first: {items: [{user_id, email, full_name, role, created_at}], next_cursor}. Errors: 401 unauthorized; 403 forbidden (not a member); 404 not_found; 422 validation_failed (limit, cursor).';
grant execute on function api.list_members(uuid, integer, text) to anon, authenticated;

create or replace function api.my_memberships()
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
begin
  -- As the caller: a member reads their own organization's memberships and providers, and every
  -- user reads organizations. A person may be behind more than one provider of an organization
  -- (an old chair kept inactive): the active one wins, then the oldest.
  return pg_catalog.json_build_object(
    'items', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
               'org_id', o.id,
               'slug', o.slug,
               'name', o.name,
               'timezone', o.timezone,
               'role', m.role,
               'provider_id', (
                 select p.id from app.providers p
                 where p.org_id = m.org_id and p.user_id = v_uid
                 order by p.active desc, p.created_at, p.id
                 limit 1
               )
             ) order by o.name, o.id)
      from app.memberships m
      join app.organizations o on o.id = m.org_id
      where m.user_id = v_uid
    ), '[]'),
    'next_cursor', null
  );
end;
$$;
comment on function api.my_memberships() is
  'GET /users/me/memberships. The organizations the caller is a member of, by name: {items: [{org_id, slug, name, timezone, role, provider_id}], next_cursor: null}; provider_id is the caller''s own provider in that organization (the active one first), or null. Errors: 401 unauthorized.';
grant execute on function api.my_memberships() to anon, authenticated;

create or replace function api.add_member(org_id uuid, email text, role text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  return private.add_member(add_member.org_id, add_member.email, add_member.role);
end;
$$;
comment on function api.add_member(uuid, text, text) is
  'POST /orgs/{org_id}/members (202). Owners and admins; only owners may invite an owner. {email, role: owner|admin|staff|provider} -> invitation {id, org, email, role, created_at, expires_at}, and an email to the address. The person becomes a member when they accept (POST /invitations/{id}/accept) signed in with that address verified; inviting again renews the invitation. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 conflict (a member already); 422 invalid_email, validation_failed (role).';
grant execute on function api.add_member(uuid, text, text) to anon, authenticated;

create or replace function api.update_member(org_id uuid, user_id uuid, role text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  return private.update_member(update_member.org_id, update_member.user_id, update_member.role);
end;
$$;
comment on function api.update_member(uuid, uuid, text) is
  'PATCH /orgs/{org_id}/members/{user_id}. Owners and admins; only owners make owners or change an owner''s role. {role} -> member {user_id, email, full_name, role, created_at}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 last_owner (the organization would have no owner); 422 validation_failed (role).';
grant execute on function api.update_member(uuid, uuid, text) to anon, authenticated;

create or replace function api.remove_member(org_id uuid, user_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  perform private.remove_member(remove_member.org_id, remove_member.user_id);
end;
$$;
comment on function api.remove_member(uuid, uuid) is
  'DELETE /orgs/{org_id}/members/{user_id} (204). Owners and admins (only owners remove an owner); any member may remove themself. The person is unlinked from the organization''s providers. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 last_owner.';
grant execute on function api.remove_member(uuid, uuid) to anon, authenticated;
