-- 47 resources: rooms, chairs and equipment an organization shares between its providers, the
-- resources a service needs, and the claims that keep one unit from being used twice at once.
-- Depends on: 011 (app.resources, app.service_resources, app.resource_claims, app.bookings'
--   blocked and claimed ranges), 10-helpers (private.now, private.utc, page helpers,
--   private.touch_updated_at), 30-accounts (private.require_user), 35-roles (is_org_member,
--   is_org_manager, require_org_manager), 40-organizations (private.require_visible_org),
--   44-services (app.services and its policies, which decide who reads a service's needs).
-- Raises: PT401 unauthorized; PT403 forbidden; PT404 not_found; PT409 resource_unavailable (no
--   free unit for a booking; a change or deletion that would take a unit from an upcoming
--   booking); PT422 validation_failed (a field out of range, resource_requirements, limit, cursor).
--
-- A resource has capacity units (a room: 1; "three chairs": one resource of capacity 3). A
-- service needs `count` units of each kind in app.service_resources. Every live hold and active
-- booking of such a service holds its units as rows of app.resource_claims, written by the
-- trigger below on app.bookings, so every path that writes a booking (create, reschedule, holds,
-- series, direct SQL) allocates the same way; the exclusion constraint
-- resource_claims_no_overlap stays the last word, one unit at a time. Members read resources
-- and claims; owners and admins write resources (policies) and never write claims.

-- ---------------------------------------------------------------------------------------------
-- Row rules of resources

create or replace function private.check_resource()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The check constraints of 011 stay the last word; these answer with a sentence naming the field.
  if NEW.name is null or pg_catalog.length(pg_catalog.btrim(NEW.name)) not between 1 and 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'name must have 1 to 200 characters.';
  end if;
  if NEW.kind is null or NEW.kind !~ '^[a-z0-9][a-z0-9_-]{0,62}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'kind must be 1 to 63 lowercase letters, digits, "_" or "-", starting with a letter or digit (such as room or chair).';
  end if;
  if NEW.capacity is null or NEW.capacity not between 1 and 100 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'capacity must be between 1 and 100.';
  end if;
  return NEW;
end;
$$;
comment on function private.check_resource() is
  'BEFORE INSERT OR UPDATE trigger on app.resources: 422 validation_failed with a sentence naming the field (name, kind, capacity) that is out of range.';

create or replace function private.lock_resource_kind(p_org_id uuid, p_kind text)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.resource:' || p_org_id::text || ':' || p_kind, 0));
end;
$$;
comment on function private.lock_resource_kind(uuid, text) is
  'Serialize, until the transaction ends, everything that allocates or takes away units of one kind of resource in one organization.';
revoke execute on function private.lock_resource_kind(uuid, text) from authenticated, service_role;  -- definer callers only

create or replace function private.guard_resource_claims()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz;
begin
  if TG_OP = 'UPDATE' and NEW.kind = OLD.kind and NEW.capacity >= OLD.capacity then
    return NEW;  -- no claimed unit can be lost (deactivating keeps the claims it has)
  end if;
  perform private.lock_resource_kind(OLD.org_id, OLD.kind);
  if TG_OP = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    -- Deleted by a cascade from its organization, whose bookings go with it.
    delete from app.resource_claims c where c.resource_id = OLD.id;
    return OLD;
  end if;
  v_now := private.now();
  -- Upcoming (or running) claims of a live hold or booking on the units about to go.
  if exists (
    select 1 from app.resource_claims c
    where c.resource_id = OLD.id
      and (TG_OP = 'DELETE' or NEW.kind <> OLD.kind or c.unit > NEW.capacity)
      and pg_catalog.upper(c.blocked) > v_now
      and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
  ) then
    raise exception using errcode = 'PT409', message = 'resource_unavailable',
      detail = case TG_OP
        when 'DELETE' then 'Upcoming bookings use this resource; cancel or move them first, or deactivate it (active: false) so that no new booking gets it.'
        else 'Upcoming bookings use this resource as it is; cancel or move them first, or add another resource.'
      end;
  end if;
  if TG_OP = 'DELETE' then
    -- What is left are past claims and claims of expired holds: they go with the resource.
    delete from app.resource_claims c where c.resource_id = OLD.id;
    return OLD;
  end if;
  return NEW;
end;
$$;
comment on function private.guard_resource_claims() is
  'BEFORE UPDATE OR DELETE trigger on app.resources: 409 resource_unavailable when lowering the capacity, changing the kind or deleting would take a unit from an upcoming live hold or booking; a deletion takes the resource''s past claims with it. Definer: reads and deletes claims of bookings the caller may not see, and clients never write app.resource_claims.';

drop trigger if exists resources_check on app.resources;
create trigger resources_check before insert or update on app.resources
  for each row execute function private.check_resource();

drop trigger if exists resources_guard_claims on app.resources;
create trigger resources_guard_claims before update or delete on app.resources
  for each row execute function private.guard_resource_claims();

drop trigger if exists resources_touch_updated_at on app.resources;
create trigger resources_touch_updated_at before update on app.resources
  for each row execute function private.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Table privileges and policies
-- Revoked first so that this file, re-applied, is the whole current definition.

revoke all on app.resources, app.service_resources, app.resource_claims from anon, authenticated;

-- Resources: the organization's members read them; owners and admins write them.
grant select (id, org_id, name, kind, capacity, active, created_at, updated_at)
  on app.resources to authenticated;
grant insert (org_id, name, kind, capacity, active) on app.resources to authenticated;
grant update (name, kind, capacity, active) on app.resources to authenticated;
grant delete on app.resources to authenticated;

drop policy if exists "members read their organization's resources" on app.resources;
create policy "members read their organization's resources" on app.resources
  for select to authenticated
  using ((select private.is_org_member(org_id)));

drop policy if exists "owners and admins add resources" on app.resources;
create policy "owners and admins add resources" on app.resources
  for insert to authenticated
  with check ((select private.is_org_manager(org_id)));

drop policy if exists "owners and admins update resources" on app.resources;
create policy "owners and admins update resources" on app.resources
  for update to authenticated
  using ((select private.is_org_manager(org_id)))
  with check ((select private.is_org_manager(org_id)));

drop policy if exists "owners and admins delete resources" on app.resources;
create policy "owners and admins delete resources" on app.resources
  for delete to authenticated
  using ((select private.is_org_manager(org_id)));

-- What a service needs: read by whoever may read the service (app.services' own policies decide,
-- inside the EXISTS), written by owners and admins, replaced as a set (delete, then insert).
grant select (org_id, service_id, kind, count) on app.service_resources to anon, authenticated;
grant insert (org_id, service_id, kind, count), delete on app.service_resources to authenticated;

drop policy if exists "visitors read what the services they see need" on app.service_resources;
create policy "visitors read what the services they see need" on app.service_resources
  for select to anon
  using (exists (select 1 from app.services s where s.id = service_id));

drop policy if exists "users read what the services they see need" on app.service_resources;
create policy "users read what the services they see need" on app.service_resources
  for select to authenticated
  using (exists (select 1 from app.services s where s.id = service_id));

drop policy if exists "owners and admins set what services need" on app.service_resources;
create policy "owners and admins set what services need" on app.service_resources
  for insert to authenticated
  with check ((select private.is_org_manager(org_id)));

drop policy if exists "owners and admins remove what services need" on app.service_resources;
create policy "owners and admins remove what services need" on app.service_resources
  for delete to authenticated
  using ((select private.is_org_manager(org_id)));

-- Claims: the organization's staff+ read which unit is in use when, and a provider those of the
-- bookings on their own calendar (a claim names its booking and its times, which the bookings
-- policy shows a provider only for their own calendar); only the trigger on app.bookings writes
-- them.
grant select (org_id, booking_id, resource_id, unit, blocked, claimed) on app.resource_claims to authenticated;

drop policy if exists "members read their organization's resource claims" on app.resource_claims;
drop policy if exists "staff and the provider read resource claims" on app.resource_claims;
create policy "staff and the provider read resource claims" on app.resource_claims
  for select to authenticated
  using (org_id = any ((select private.my_org_ids(private.staff_roles()))::uuid[])
         or exists (
           select 1 from app.bookings b
           where b.id = booking_id and b.provider_id = any ((select private.my_provider_ids())::uuid[])
         ));

-- ---------------------------------------------------------------------------------------------
-- Allocation: the trigger on app.bookings

create or replace function private.sync_resource_claims()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_live boolean := NEW.status in ('held', 'pending', 'confirmed');
  v_was_live boolean := TG_OP = 'UPDATE' and OLD.status in ('held', 'pending', 'confirmed');
  v_need record;
  v_now timestamptz;
  v_got bigint;
begin
  if v_was_live and v_live and NEW.service_id = OLD.service_id
      and NEW.blocked = OLD.blocked and NEW.claimed_since = OLD.claimed_since then
    -- The same time, claimed since the same instant: a pending booking confirmed, or a hold
    -- turned into a booking (its claim no longer expires). The units stay; only the claimed
    -- range follows the booking's.
    if NEW.claimed <> OLD.claimed then
      update app.resource_claims c set claimed = NEW.claimed where c.booking_id = NEW.id;
    end if;
    return null;
  end if;
  if TG_OP = 'UPDATE' then
    if not v_was_live and not v_live then
      return null;  -- a note on a cancelled booking, say
    end if;
    delete from app.resource_claims c where c.booking_id = NEW.id;
  end if;
  if not v_live then
    return null;
  end if;
  -- New, moved or claimed anew: allocate from scratch, one kind at a time, kinds in one order
  -- so that two bookings needing the same kinds take the locks the same way round.
  for v_need in
    select r.kind, r.count from app.service_resources r
    where r.service_id = NEW.service_id
    order by r.kind
  loop
    perform private.lock_resource_kind(NEW.org_id, v_need.kind);
    v_now := private.now();  -- after the lock: this statement sees every claim committed before it
    begin
      insert into app.resource_claims (org_id, booking_id, resource_id, unit, blocked, claimed)
      select NEW.org_id, NEW.id, u.resource_id, u.unit, NEW.blocked, NEW.claimed
      from (
        select x.id as resource_id, n.unit
        from app.resources x
        cross join lateral pg_catalog.generate_series(1, x.capacity::integer) n(unit)
        where x.org_id = NEW.org_id and x.kind = v_need.kind and x.active
          and not exists (
            select 1 from app.resource_claims c
            where c.resource_id = x.id and c.unit = n.unit
              and c.blocked operator(pg_catalog.&&) NEW.blocked
              and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
          )
        order by x.name, x.id, n.unit
        limit v_need.count
      ) u;
      get diagnostics v_got = row_count;
    exception when exclusion_violation then
      -- The constraint's detail names another booking's times: never passed on.
      v_got := -1;
    end;
    if v_got < v_need.count then
      raise exception using errcode = 'PT409', message = 'resource_unavailable',
        detail = 'The room, chair or equipment this service needs is taken at this time; choose another slot.';
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.sync_resource_claims() is
  'AFTER INSERT OR UPDATE trigger on app.bookings keeping app.resource_claims: a new, moved or re-claimed live hold or booking gets count free units of each kind its service needs (active resources by name, id, unit; under a lock per organization and kind), or 409 resource_unavailable; a hold confirmed keeps its units with the longer claimed range; a booking that stops being live gives its units back. Definer: claims are checked against other customers'' bookings and no client writes app.resource_claims.';

-- Named to fire before bookings_freed_time (64-waitlist): AFTER triggers of one event fire in
-- name order, and the waitlist must see a cancelled booking's units already free.
drop trigger if exists bookings_resource_claims on app.bookings;
drop trigger if exists bookings_claim_resources on app.bookings;
create trigger bookings_claim_resources after insert or update on app.bookings
  for each row execute function private.sync_resource_claims();

-- ---------------------------------------------------------------------------------------------
-- What a service needs (called by api.create_service and api.update_service, 44-services)

create or replace function private.set_service_resources(p_service app.services, p_requirements json)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bad constant text :=
    'resource_requirements must be a list of {kind, count}: kind 1 to 63 lowercase letters, digits, "_" or "-"; count 1 to 100.';
begin
  if pg_catalog.json_typeof(p_requirements) is distinct from 'array' or exists (
    select 1 from pg_catalog.json_array_elements(p_requirements) e(item)
    where pg_catalog.json_typeof(e.item) is distinct from 'object'
       or exists (select 1 from pg_catalog.json_object_keys(
                    case when pg_catalog.json_typeof(e.item) = 'object' then e.item else '{}' end) k(key)
                  where k.key not in ('kind', 'count'))
       or pg_catalog.json_typeof(e.item -> 'kind') is distinct from 'string'
       or (e.item ->> 'kind') !~ '^[a-z0-9][a-z0-9_-]{0,62}$'
       or pg_catalog.json_typeof(e.item -> 'count') is distinct from 'number'
       or (e.item ->> 'count') !~ '^[0-9]{1,3}$'
       or case when (e.item ->> 'count') ~ '^[0-9]{1,3}$' then (e.item ->> 'count')::integer end
            not between 1 and 100
  ) then
    raise exception using errcode = 'PT422', message = 'validation_failed', detail = v_bad;
  end if;
  if (select pg_catalog.count(*) <> pg_catalog.count(distinct e.item ->> 'kind')
      from pg_catalog.json_array_elements(p_requirements) e(item)) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'resource_requirements names a kind twice; give each kind once, with its count.';
  end if;
  delete from app.service_resources r where r.service_id = p_service.id;
  insert into app.service_resources (org_id, service_id, kind, count)
  select p_service.org_id, p_service.id, e.item ->> 'kind', (e.item ->> 'count')::smallint
  from pg_catalog.json_array_elements(p_requirements) e(item);
end;
$$;
comment on function private.set_service_resources(app.services, json) is
  'Make the service need exactly these resources: [{kind, count}], each kind once, count 1..100; [] for none. 422 validation_failed otherwise. Bookings already made keep the units they hold. Runs as the caller: the policies on app.service_resources require an owner or admin.';
grant execute on function private.set_service_resources(app.services, json) to authenticated;

create or replace function private.service_requirements_json(p_service_id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce((
    select pg_catalog.json_agg(pg_catalog.json_build_object('kind', r.kind, 'count', r.count) order by r.kind)
    from app.service_resources r
    where r.service_id = p_service_id
  ), '[]');
end;
$$;
comment on function private.service_requirements_json(uuid) is
  'A service''s resource_requirements, [{kind, count}] by kind, as the caller may read them (the service''s own visibility).';
grant execute on function private.service_requirements_json(uuid) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Shape

create or replace function private.resource_json(p_resource app.resources)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'id', p_resource.id,
    'org_id', p_resource.org_id,
    'name', p_resource.name,
    'kind', p_resource.kind,
    'capacity', p_resource.capacity,
    'active', p_resource.active,
    'created_at', private.utc(p_resource.created_at),
    'updated_at', private.utc(p_resource.updated_at)
  );
end;
$$;
comment on function private.resource_json(app.resources) is
  'The resource object {id, org_id, name, kind, capacity, active, created_at, updated_at} (instants in UTC).';
grant execute on function private.resource_json(app.resources) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.create_resource(
  org_id uuid,
  name text,
  kind text,
  capacity integer default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_resource app.resources;
begin
  perform private.require_org_manager(create_resource.org_id);
  insert into app.resources (org_id, name, kind, capacity)
  values (create_resource.org_id, create_resource.name, create_resource.kind,
          coalesce(create_resource.capacity, 1))
  returning * into v_resource;
  return private.resource_json(v_resource);
end;
$$;
comment on function api.create_resource(uuid, text, text, integer) is
  'POST /orgs/{org_id}/resources (201). Owners and admins. {name (1..200 characters), kind (such as room or chair: lowercase letters, digits, "_", "-"), capacity?=1 (1..100 units usable at once)} -> resource {id, org_id, name, kind, capacity, active, created_at, updated_at}. A service needing a kind gets units of any active resource of that kind. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';
grant execute on function api.create_resource(uuid, text, text, integer) to anon, authenticated;

create or replace function api.list_resources(
  org_id uuid,
  lim integer default null,
  cursor text default null
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(list_resources.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_resources.org_id);
  perform private.require_user();
  if not private.is_org_member(list_resources.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only members of the organization may see its resources.';
  end if;
  v_after := private.decode_cursor(list_resources.cursor, 'text', 'uuid');
  with page as (
    select x, x.name, x.id,
           pg_catalog.row_number() over (order by x.name, x.id) as n
    from app.resources x
    where x.org_id = list_resources.org_id
      and (v_after is null or (x.name, x.id) > (v_after[1], v_after[2]::uuid))
    order by x.name, x.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.resource_json(p.x) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(p.name, p.id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_resources(uuid, integer, text) is
  'GET /orgs/{org_id}/resources?limit&cursor. Members of the organization; active and inactive resources by name: {items: [resource], next_cursor}. Errors: 401 unauthorized; 403 forbidden (not a member); 404 not_found; 422 validation_failed (limit, cursor).';
grant execute on function api.list_resources(uuid, integer, text) to anon, authenticated;

create or replace function api.get_resource(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_resource app.resources;
begin
  perform private.require_user();
  select * into v_resource from app.resources x where x.id = get_resource.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such resource.';
  end if;
  return private.resource_json(v_resource);
end;
$$;
comment on function api.get_resource(uuid) is
  'GET /resources/{id}. Members of its organization -> resource {id, org_id, name, kind, capacity, active, created_at, updated_at}. Errors: 401 unauthorized; 404 not_found (unknown, or not a member).';
grant execute on function api.get_resource(uuid) to anon, authenticated;

create or replace function private.require_managed_resource(p_id uuid)
returns app.resources
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_resource app.resources;
begin
  perform private.require_user();
  select * into v_resource from app.resources x where x.id = p_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such resource.';
  end if;
  if not private.is_org_manager(v_resource.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may change its resources.';
  end if;
  return v_resource;
end;
$$;
comment on function private.require_managed_resource(uuid) is
  'The resource, or 401 for anon, 404 unless the caller is a member of its organization, 403 unless they are an owner or admin.';
grant execute on function private.require_managed_resource(uuid) to anon, authenticated, service_role;

create or replace function api.update_resource(
  id uuid,
  name text default null,
  kind text default null,
  capacity integer default null,
  active boolean default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_resource app.resources := private.require_managed_resource(update_resource.id);
begin
  -- private.guard_resource_claims refuses a kind or a lower capacity that upcoming bookings
  -- would lose their units to.
  update app.resources x
  set name = coalesce(update_resource.name, x.name),
      kind = coalesce(update_resource.kind, x.kind),
      capacity = coalesce(update_resource.capacity, x.capacity),
      active = coalesce(update_resource.active, x.active)
  where x.id = v_resource.id
  returning * into v_resource;
  return private.resource_json(v_resource);
end;
$$;
comment on function api.update_resource(uuid, text, text, integer, boolean) is
  'PATCH /resources/{id}. Owners and admins. {name?, kind?, capacity?, active?} (omitted = unchanged) -> resource. Deactivating keeps the units upcoming bookings hold and gives no new booking any. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 resource_unavailable (a new kind, or a capacity below a unit an upcoming booking holds); 422 validation_failed.';
grant execute on function api.update_resource(uuid, text, text, integer, boolean) to anon, authenticated;

create or replace function api.delete_resource(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_resource app.resources := private.require_managed_resource(delete_resource.id);
begin
  -- private.guard_resource_claims refuses while upcoming bookings hold a unit, and removes the
  -- past claims.
  delete from app.resources x where x.id = v_resource.id;
end;
$$;
comment on function api.delete_resource(uuid) is
  'DELETE /resources/{id} (204). Owners and admins. Removes the resource and the record of which past bookings used it; bookings themselves are untouched. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 resource_unavailable (an upcoming live hold or booking holds one of its units: cancel or move it, or deactivate the resource instead).';
grant execute on function api.delete_resource(uuid) to anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- For the slot engine (50-slots)

create or replace function private.resources_free(
  p_service_id uuid,
  p_blocked tstzrange,
  p_exclude_booking uuid default null
)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
begin
  -- For every kind the service needs: the active units of that kind, less the units a live claim
  -- holds anywhere in p_blocked, must cover the count.
  return not exists (
    select 1
    from app.service_resources r
    where r.service_id = p_service_id
      and r.count > (
        select coalesce(pg_catalog.sum(x.capacity), 0)
        from app.resources x
        where x.org_id = r.org_id and x.kind = r.kind and x.active
      ) - (
        select pg_catalog.count(distinct (c.resource_id, c.unit))
        from app.resource_claims c
        join app.resources x on x.id = c.resource_id
        where x.org_id = r.org_id and x.kind = r.kind and x.active
          and c.blocked operator(pg_catalog.&&) p_blocked
          and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
          and c.booking_id is distinct from p_exclude_booking
      )
  );
end;
$$;
comment on function private.resources_free(uuid, tstzrange, uuid) is
  'Whether every resource the service needs is free in enough units for the whole of p_blocked (live holds and active bookings claim units; p_exclude_booking''s own claims do not count). Definer: the slot engine asks for anyone, and claims belong to other customers'' bookings; it answers yes or no only.';
grant execute on function private.resources_free(uuid, tstzrange, uuid) to anon, authenticated;
