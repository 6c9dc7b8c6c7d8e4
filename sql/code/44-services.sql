-- 44 services: what an organization offers — the row rules, privileges and policies of services
-- and of which provider offers which service, their JSON shape and the api functions.
-- Depends on: 002 (app.services, app.service_providers), 10-helpers (private.touch_updated_at,
--   page helpers), 30-accounts (private.require_user), 35-roles (private.is_org_manager,
--   private.is_org_member, private.require_org_manager), 40-organizations (usage on schema app,
--   private.require_visible_org), 43-providers (the providers a service links to),
--   80-search (private.search_services answers api.list_services with ?q=), 47-resources
--   (private.set_service_resources and private.service_requirements_json, called at run time:
--   that file comes later because its policies on app.service_resources read app.services).
-- Raises: PT401 unauthorized (anon calling a write); PT403 forbidden (not a manager); PT404
--   not_found (unknown or invisible); PT422 validation_failed (a field out of range,
--   provider_ids not of this organization, resource_requirements, limit, cursor, q).
--
-- Active services are public, inactive ones are seen by the organization's members only. Owners
-- and admins write; nobody deletes one (it is deactivated). The row rules are triggers, so a
-- client that writes the table directly with SQL meets the same rules as the REST API.

-- ---------------------------------------------------------------------------------------------
-- Row rules

create or replace function private.check_service()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Defaults that depend on other values, so column defaults cannot express them.
  if NEW.currency is null then
    select o.currency into NEW.currency from app.organizations o where o.id = NEW.org_id;
  end if;
  NEW.slot_interval_minutes := coalesce(NEW.slot_interval_minutes, NEW.duration_minutes);
  NEW.description := coalesce(NEW.description, '');
  -- The ranges repeat the check constraints of 002 (which stay the last word) to answer with a
  -- sentence naming the field instead of a bare constraint violation.
  if NEW.name is null or pg_catalog.length(pg_catalog.btrim(NEW.name)) not between 1 and 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'name must have 1 to 200 characters.';
  end if;
  if pg_catalog.length(NEW.description) > 5000 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'description must have at most 5000 characters.';
  end if;
  if NEW.duration_minutes is null or NEW.duration_minutes not between 5 and 1440 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'duration_minutes must be between 5 and 1440.';
  end if;
  if NEW.buffer_before_minutes not between 0 and 480 or NEW.buffer_after_minutes not between 0 and 480 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'buffer_before_minutes and buffer_after_minutes must be between 0 and 480.';
  end if;
  if NEW.price_minor is null or NEW.price_minor < 0 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'price_minor must be a whole number of minor units, 0 or more.';
  end if;
  if NEW.currency !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'currency must be a three-letter ISO 4217 code in capitals, such as DKK.';
  end if;
  if NEW.min_notice_minutes not between 0 and 525600 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'min_notice_minutes must be between 0 and 525600 (one year).';
  end if;
  if NEW.max_advance_days not between 1 and 730 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'max_advance_days must be between 1 and 730.';
  end if;
  if NEW.slot_interval_minutes not between 5 and 1440 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'slot_interval_minutes must be between 5 and 1440.';
  end if;
  return NEW;
end;
$$;
comment on function private.check_service() is
  'BEFORE INSERT OR UPDATE trigger on app.services: currency defaults to the organization''s, slot_interval_minutes to the duration; 422 validation_failed with a sentence naming the field that is out of range.';

drop trigger if exists services_check on app.services;
create trigger services_check before insert or update on app.services
  for each row execute function private.check_service();

drop trigger if exists services_touch_updated_at on app.services;
create trigger services_touch_updated_at before update on app.services
  for each row execute function private.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Table privileges and policies
-- Revoked first so that this file, re-applied, is the whole current definition.

revoke all on app.services, app.service_providers from anon, authenticated;

-- Services: the same pattern as providers.
grant select (id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes,
    price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes,
    requires_confirmation, active, created_at, updated_at)
  on app.services to anon, authenticated;
grant insert (org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes,
    price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes,
    requires_confirmation, active)
  on app.services to authenticated;
grant update (name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes,
    price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes,
    requires_confirmation, active)
  on app.services to authenticated;

drop policy if exists "visitors read active services" on app.services;
create policy "visitors read active services" on app.services
  for select to anon
  using (active);

drop policy if exists "users read active services and all of their organizations' services" on app.services;
create policy "users read active services and all of their organizations' services" on app.services
  for select to authenticated
  using (active or (select private.is_org_member(org_id)));

drop policy if exists "owners and admins add services" on app.services;
create policy "owners and admins add services" on app.services
  for insert to authenticated
  with check ((select private.is_org_manager(org_id)));

drop policy if exists "owners and admins update services" on app.services;
create policy "owners and admins update services" on app.services
  for update to authenticated
  using ((select private.is_org_manager(org_id)))
  with check ((select private.is_org_manager(org_id)));

-- Service-provider links: every row is readable. A row holds three ids and no personal data, and
-- an id reveals nothing about a provider or service the reader cannot see (those rows stay
-- hidden by their own policies); filtering here would cost two policy lookups per row on a
-- table read by every slot and booking query. Readers that show links join app.providers and
-- app.services, whose policies decide what appears (see private.service_json).
grant select (org_id, service_id, provider_id) on app.service_providers to anon, authenticated;
grant insert (org_id, service_id, provider_id), delete on app.service_providers to authenticated;

drop policy if exists "anyone reads which providers offer which services" on app.service_providers;
drop policy if exists "visitors read which providers offer which services" on app.service_providers;
create policy "visitors read which providers offer which services" on app.service_providers
  for select to anon
  using (true);

drop policy if exists "signed-in users read which providers offer which services" on app.service_providers;
create policy "signed-in users read which providers offer which services" on app.service_providers
  for select to authenticated
  using (true);

drop policy if exists "owners and admins link providers to services" on app.service_providers;
create policy "owners and admins link providers to services" on app.service_providers
  for insert to authenticated
  with check ((select private.is_org_manager(org_id)));

drop policy if exists "owners and admins unlink providers from services" on app.service_providers;
create policy "owners and admins unlink providers from services" on app.service_providers
  for delete to authenticated
  using ((select private.is_org_manager(org_id)));

-- ---------------------------------------------------------------------------------------------
-- Shape

create or replace function private.service_json(p_service app.services)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'id', p_service.id,
    'org_id', p_service.org_id,
    'name', p_service.name,
    'description', p_service.description,
    'duration_minutes', p_service.duration_minutes,
    'buffer_before_minutes', p_service.buffer_before_minutes,
    'buffer_after_minutes', p_service.buffer_after_minutes,
    'price_minor', p_service.price_minor,
    'currency', p_service.currency,
    'min_notice_minutes', p_service.min_notice_minutes,
    'max_advance_days', p_service.max_advance_days,
    'slot_interval_minutes', p_service.slot_interval_minutes,
    'requires_confirmation', p_service.requires_confirmation,
    'active', p_service.active,
    -- Joined with app.providers under the caller's policies: visitors see active providers only.
    'provider_ids', coalesce((
      select pg_catalog.json_agg(p.id order by p.display_name, p.id)
      from app.service_providers sp
      join app.providers p on p.id = sp.provider_id
      where sp.service_id = p_service.id
    ), '[]'),
    'resource_requirements', private.service_requirements_json(p_service.id)
  );
end;
$$;
comment on function private.service_json(app.services) is
  'The service object: every field of app.services but the timestamps, plus provider_ids (the providers offering it that the caller may see) and resource_requirements ([{kind, count}], 47-resources).';
grant execute on function private.service_json(app.services) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function private.set_service_providers(p_service app.services, p_provider_ids uuid[])
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if exists (
    select 1 from pg_catalog.unnest(p_provider_ids) x(provider_id)
    where x.provider_id is null
       or not exists (
         select 1 from app.providers p where p.id = x.provider_id and p.org_id = p_service.org_id
       )
  ) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'provider_ids must name providers of the service''s organization.';
  end if;
  delete from app.service_providers sp
  where sp.service_id = p_service.id
    and not (sp.provider_id = any (p_provider_ids));
  insert into app.service_providers (org_id, service_id, provider_id)
  select distinct p_service.org_id, p_service.id, x.provider_id
  from pg_catalog.unnest(p_provider_ids) x(provider_id)
  on conflict (service_id, provider_id) do nothing;
end;
$$;
comment on function private.set_service_providers(app.services, uuid[]) is
  'Make exactly these providers offer the service; 422 validation_failed unless each is a provider of its organization. Runs as the caller: the link policies require an owner or admin.';
grant execute on function private.set_service_providers(app.services, uuid[]) to authenticated;

-- resource_requirements (47-resources) joined the arguments; the old signature goes first, so
-- that one function answers the route.
drop function if exists api.create_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[]);

create or replace function api.create_service(
  org_id uuid,
  name text,
  duration_minutes integer,
  price_minor bigint,
  description text default null,
  buffer_before_minutes integer default null,
  buffer_after_minutes integer default null,
  currency text default null,
  min_notice_minutes integer default null,
  max_advance_days integer default null,
  slot_interval_minutes integer default null,
  requires_confirmation boolean default null,
  provider_ids uuid[] default null,
  resource_requirements json default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services;
begin
  perform private.require_user();
  perform private.require_org_manager(create_service.org_id);
  -- currency (the organization's) and slot_interval_minutes (the duration) default in
  -- private.check_service; the others repeat the column defaults, which an explicit NULL skips.
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
      buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
      slot_interval_minutes, requires_confirmation)
  values (
    create_service.org_id,
    create_service.name,
    coalesce(create_service.description, ''),
    create_service.duration_minutes,
    coalesce(create_service.buffer_before_minutes, 0),
    coalesce(create_service.buffer_after_minutes, 0),
    create_service.price_minor,
    create_service.currency,
    coalesce(create_service.min_notice_minutes, 0),
    coalesce(create_service.max_advance_days, 90),
    create_service.slot_interval_minutes,
    coalesce(create_service.requires_confirmation, false)
  )
  returning * into v_service;
  perform private.set_service_providers(v_service, coalesce(create_service.provider_ids, '{}'));
  perform private.set_service_resources(v_service, coalesce(create_service.resource_requirements, '[]'));
  return private.service_json(v_service);
end;
$$;
comment on function api.create_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], json) is
  'POST /orgs/{org_id}/services (201). Owners and admins. {name, duration_minutes (5..1440), price_minor (>= 0), description?="", buffer_before_minutes?=0, buffer_after_minutes?=0 (0..480), currency?=the organization''s, min_notice_minutes?=0, max_advance_days?=90 (1..730), slot_interval_minutes?=duration, requires_confirmation?=false, provider_ids?=[], resource_requirements?=[] ([{kind, count (1..100)}], each kind once: a booking also needs count free units of active resources of each kind)} -> service {id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes, requires_confirmation, active, provider_ids, resource_requirements}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (a field out of range, provider_ids not of this organization, resource_requirements).';
grant execute on function api.create_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], json) to anon, authenticated;

create or replace function api.list_services(
  org_id uuid,
  q text default null,
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
  v_org app.organizations := private.require_visible_org(list_services.org_id);
  v_limit integer := private.page_limit(list_services.lim);
  v_q text := nullif(pg_catalog.btrim(list_services.q), '');
  v_after text[];
  v_items json;
  v_next text;
begin
  if v_q is not null then
    -- Ranked search, the same as api.search within one organization (80-search).
    return private.search_services(v_org, private.search_q(v_q), v_limit, list_services.cursor);
  end if;
  v_after := private.decode_cursor(list_services.cursor, 'text', 'uuid');
  with page as (
    select s, s.name, s.id,
           pg_catalog.row_number() over (order by s.name, s.id) as n
    from app.services s
    where s.org_id = list_services.org_id
      and (v_after is null or (s.name, s.id) > (v_after[1], v_after[2]::uuid))
    order by s.name, s.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.service_json(x.s) order by x.n)
                    filter (where x.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.name, x.id::text) order by x.n))[v_limit]
         end
  into v_items, v_next
  from page x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_services(uuid, text, integer, text) is
  'GET /orgs/{org_id}/services?q&limit&cursor. Anyone; inactive services only for members. Without q: by name. With q: searched and ranked as api.search does (name and description in the organization''s search_language, accents folded, every word a prefix: "klip" finds "Klipning"; typos in the name by trigram similarity), best first. {items: [service], next_cursor}. Errors: 404 not_found; 422 validation_failed (limit, cursor, q over 200 characters).';
grant execute on function api.list_services(uuid, text, integer, text) to anon, authenticated;

create or replace function api.get_service(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services;
begin
  select * into v_service from app.services s where s.id = get_service.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such service.';
  end if;
  return private.service_json(v_service);
end;
$$;
comment on function api.get_service(uuid) is
  'GET /services/{id}. Anyone (an inactive service: members only) -> service {id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes, requires_confirmation, active, provider_ids, resource_requirements}. Errors: 404 not_found.';
grant execute on function api.get_service(uuid) to anon, authenticated;

create or replace function private.require_managed_service(p_id uuid)
returns app.services
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services;
begin
  perform private.require_user();
  select * into v_service from app.services s where s.id = p_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such service.';
  end if;
  if not private.is_org_manager(v_service.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may change its services.';
  end if;
  return v_service;
end;
$$;
comment on function private.require_managed_service(uuid) is
  'The service, or 401 for anon, 404 if the caller cannot see it, 403 unless they are an owner or admin of its organization.';
grant execute on function private.require_managed_service(uuid) to anon, authenticated, service_role;

drop function if exists api.update_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], boolean);

create or replace function api.update_service(
  id uuid,
  name text default null,
  duration_minutes integer default null,
  price_minor bigint default null,
  description text default null,
  buffer_before_minutes integer default null,
  buffer_after_minutes integer default null,
  currency text default null,
  min_notice_minutes integer default null,
  max_advance_days integer default null,
  slot_interval_minutes integer default null,
  requires_confirmation boolean default null,
  provider_ids uuid[] default null,
  active boolean default null,
  resource_requirements json default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services := private.require_managed_service(update_service.id);
begin
  update app.services s
  set name = coalesce(update_service.name, s.name),
      description = coalesce(update_service.description, s.description),
      duration_minutes = coalesce(update_service.duration_minutes, s.duration_minutes),
      buffer_before_minutes = coalesce(update_service.buffer_before_minutes, s.buffer_before_minutes),
      buffer_after_minutes = coalesce(update_service.buffer_after_minutes, s.buffer_after_minutes),
      price_minor = coalesce(update_service.price_minor, s.price_minor),
      currency = coalesce(update_service.currency, s.currency),
      min_notice_minutes = coalesce(update_service.min_notice_minutes, s.min_notice_minutes),
      max_advance_days = coalesce(update_service.max_advance_days, s.max_advance_days),
      slot_interval_minutes = coalesce(update_service.slot_interval_minutes, s.slot_interval_minutes),
      requires_confirmation = coalesce(update_service.requires_confirmation, s.requires_confirmation),
      active = coalesce(update_service.active, s.active)
  where s.id = v_service.id
  returning * into v_service;
  -- The update holds the service's row lock, so two replacements of the set run one after the other.
  if update_service.provider_ids is not null then
    perform private.set_service_providers(v_service, update_service.provider_ids);
  end if;
  if update_service.resource_requirements is not null then
    perform private.set_service_resources(v_service, update_service.resource_requirements);
  end if;
  return private.service_json(v_service);
end;
$$;
comment on function api.update_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], boolean, json) is
  'PATCH /services/{id}. Owners and admins. Any field of api.create_service and active (omitted = unchanged; a new duration keeps the slot interval); provider_ids and resource_requirements, when given, replace their sets (bookings already made keep the units they hold) -> service. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';
grant execute on function api.update_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], boolean, json) to anon, authenticated;

create or replace function api.delete_service(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services := private.require_managed_service(delete_service.id);
begin
  update app.services s set active = false where s.id = v_service.id;
end;
$$;
comment on function api.delete_service(uuid) is
  'DELETE /services/{id} (204). Owners and admins. Deactivates the service: it stays for its bookings and members, and disappears for everyone else. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';
grant execute on function api.delete_service(uuid) to anon, authenticated;
