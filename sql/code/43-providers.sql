-- 43 providers: whom a booking is with — the row rules, privileges and policies of providers,
-- their JSON shape and the api functions.
-- Depends on: 002 (app.providers, private.is_time_zone), 008 (app.provider_former_people),
--   10-helpers (private.now, private.touch_updated_at, page helpers), 30-accounts
--   (private.require_user), 35-roles (private.is_org_manager, private.is_org_member,
--   private.is_provider_self, private.require_org_manager), 40-organizations (usage on schema
--   app, private.is_time_zone's grant, private.require_visible_org), 41-members (the person
--   behind a provider is a member).
-- Raises: PT401 unauthorized (anon calling a write); PT403 forbidden (not a manager, or the
--   provider themself changing more than their profile); PT404 not_found (unknown or
--   invisible); PT422 validation_failed (name, time zone, bio, user_id not a member, limit,
--   cursor).
--
-- Active providers are public, inactive ones are seen by the organization's members only.
-- Owners and admins add and change providers, the person behind one changes their own display
-- name, time zone and bio; nobody deletes one (it is deactivated). The row rules are triggers,
-- so a client that writes the table directly with SQL meets the same rules as the REST API.

-- ---------------------------------------------------------------------------------------------
-- Row rules

create or replace function private.check_provider()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  NEW.bio := coalesce(NEW.bio, '');
  if NEW.display_name is null or pg_catalog.length(pg_catalog.btrim(NEW.display_name)) not between 1 and 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'display_name must have 1 to 200 characters.';
  end if;
  if NEW.timezone is not null
      and (TG_OP = 'INSERT' or NEW.timezone is distinct from OLD.timezone)
      and not private.is_time_zone(NEW.timezone) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'timezone must be an IANA time zone name such as Europe/Copenhagen.';
  end if;
  if pg_catalog.length(NEW.bio) > 5000 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'bio must have at most 5000 characters.';
  end if;
  -- The update policy also admits the person behind the provider, for their own profile only.
  -- Column privileges cannot differ per row, so the other columns are guarded here. Definer code
  -- (running as the owner) is trusted and not restricted.
  if TG_OP = 'UPDATE'
      and current_user = 'authenticated'
      and not private.is_org_manager(OLD.org_id)
      and (NEW.user_id is distinct from OLD.user_id
        or NEW.active is distinct from OLD.active
        or NEW.org_id is distinct from OLD.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'A provider may change only their own display name, time zone and bio.';
  end if;
  return NEW;
end;
$$;
comment on function private.check_provider() is
  'BEFORE INSERT OR UPDATE trigger on app.providers: 422 validation_failed for a bad name, zone or bio; 403 forbidden when the provider themself (not a manager) changes anything but display_name, timezone, bio.';

create or replace function private.require_provider_member()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Linking a provider to a person names them to the organization's customers and staff; it
  -- must be someone who accepted to be a member, never any account a manager can name.
  if not exists (
    select from app.memberships m where m.org_id = NEW.org_id and m.user_id = NEW.user_id
  ) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'user_id must be a member of the organization: invite the person first.';
  end if;
  return null;
end;
$$;
comment on function private.require_provider_member() is
  'AFTER INSERT and UPDATE OF user_id trigger on app.providers: the person behind a provider must already be a member of its organization (422 validation_failed). Definer: reads memberships whatever the caller may see.';

create or replace function private.remember_provider_person()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into app.provider_former_people (provider_id, user_id, unlinked_at)
  values (OLD.id, OLD.user_id, private.now())
  on conflict (provider_id, user_id) do update set unlinked_at = excluded.unlinked_at;
  return null;
end;
$$;
comment on function private.remember_provider_person() is
  'AFTER UPDATE OF user_id trigger on app.providers: the account unlinked is recorded in app.provider_former_people, so erasing that person still finds the profile. Definer: that table is owner-only.';

drop trigger if exists providers_check on app.providers;
create trigger providers_check before insert or update on app.providers
  for each row execute function private.check_provider();

drop trigger if exists providers_link_member_on_insert on app.providers;
drop trigger if exists providers_member_on_insert on app.providers;
create trigger providers_member_on_insert after insert on app.providers
  for each row when (NEW.user_id is not null) execute function private.require_provider_member();

drop trigger if exists providers_link_member_on_update on app.providers;
drop trigger if exists providers_member_on_update on app.providers;
create trigger providers_member_on_update after update of user_id on app.providers
  for each row when (NEW.user_id is not null and NEW.user_id is distinct from OLD.user_id)
  execute function private.require_provider_member();
-- Linking used to make the person a member without asking them.
drop function if exists private.link_provider_member();

drop trigger if exists providers_remember_person on app.providers;
create trigger providers_remember_person after update of user_id on app.providers
  for each row when (OLD.user_id is not null and OLD.user_id is distinct from NEW.user_id)
  execute function private.remember_provider_person();

drop trigger if exists providers_touch_updated_at on app.providers;
create trigger providers_touch_updated_at before update on app.providers
  for each row execute function private.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Table privileges and policies
-- Revoked first so that this file, re-applied, is the whole current definition.

revoke all on app.providers from anon, authenticated;

-- Providers: public when active, else members only; managers write; no delete (deactivate).
grant select (id, org_id, user_id, display_name, timezone, bio, active, created_at, updated_at)
  on app.providers to anon, authenticated;
grant insert (org_id, user_id, display_name, timezone, bio, active) on app.providers to authenticated;
grant update (display_name, user_id, timezone, bio, active) on app.providers to authenticated;

drop policy if exists "visitors read active providers" on app.providers;
create policy "visitors read active providers" on app.providers
  for select to anon
  using (active);

drop policy if exists "users read active providers and all of their organizations' providers" on app.providers;
create policy "users read active providers and all of their organizations' providers" on app.providers
  for select to authenticated
  using (active or (select private.is_org_member(org_id)));

drop policy if exists "owners and admins add providers" on app.providers;
create policy "owners and admins add providers" on app.providers
  for insert to authenticated
  with check ((select private.is_org_manager(org_id)));

-- One update policy for both cases; private.check_provider limits what the provider themself
-- may change to display_name, timezone and bio.
drop policy if exists "owners, admins and the provider themself update a provider" on app.providers;
create policy "owners, admins and the provider themself update a provider" on app.providers
  for update to authenticated
  using ((select private.is_org_manager(org_id)) or user_id = (select auth.uid()))
  with check ((select private.is_org_manager(org_id)) or user_id = (select auth.uid()));

-- ---------------------------------------------------------------------------------------------
-- Shape

create or replace function private.provider_json(p_provider app.providers)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_json jsonb;
begin
  v_json := pg_catalog.jsonb_build_object(
    'id', p_provider.id,
    'org_id', p_provider.org_id,
    'user_id', p_provider.user_id,
    'display_name', p_provider.display_name,
    'timezone', coalesce(p_provider.timezone,
      (select o.timezone from app.organizations o where o.id = p_provider.org_id)),
    'bio', p_provider.bio,
    'active', p_provider.active
  );
  -- Which account works behind a provider is the organization's business, not the public's.
  if not private.is_org_member(p_provider.org_id) then
    v_json := v_json - 'user_id';
  end if;
  return v_json::json;
end;
$$;
comment on function private.provider_json(app.providers) is
  'The provider object: {id, org_id, user_id (members of the organization only), display_name, timezone, bio, active}; timezone is the effective zone (the provider''s own, else the organization''s).';
grant execute on function private.provider_json(app.providers) to anon, authenticated, service_role;

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
comment on function private.provider_zone(uuid) is 'The IANA zone a provider works in: its own, else its organization''s. Definer: also for a provider the caller cannot see, such as the inactive provider of a customer''s booking.';
grant execute on function private.provider_zone(uuid) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.create_provider(
  org_id uuid,
  display_name text,
  user_id uuid default null,
  timezone text default null,
  bio text default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_provider app.providers;
begin
  perform private.require_user();
  perform private.require_org_manager(create_provider.org_id);
  begin
    insert into app.providers (org_id, user_id, display_name, timezone, bio)
    values (
      create_provider.org_id,
      create_provider.user_id,
      create_provider.display_name,
      nullif(create_provider.timezone, ''),
      coalesce(create_provider.bio, '')
    )
    returning * into v_provider;
  exception when foreign_key_violation then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'user_id does not name an account.';
  end;
  return private.provider_json(v_provider);
end;
$$;
comment on function api.create_provider(uuid, text, uuid, text, text) is
  'POST /orgs/{org_id}/providers (201). Owners and admins. {display_name, user_id?, timezone? (omitted = the organization''s), bio?} -> provider {id, org_id, user_id, display_name, timezone (effective), bio, active}. user_id must name a member of the organization. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (name, time zone, bio, user_id not a member).';
grant execute on function api.create_provider(uuid, text, uuid, text, text) to anon, authenticated;

create or replace function api.list_providers(org_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(list_providers.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_providers.org_id);
  v_after := private.decode_cursor(list_providers.cursor, 'text', 'uuid');
  with page as (
    select p, p.display_name, p.id,
           pg_catalog.row_number() over (order by p.display_name, p.id) as n
    from app.providers p
    where p.org_id = list_providers.org_id
      and (v_after is null or (p.display_name, p.id) > (v_after[1], v_after[2]::uuid))
    order by p.display_name, p.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.provider_json(x.p) order by x.n)
                    filter (where x.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.display_name, x.id::text) order by x.n))[v_limit]
         end
  into v_items, v_next
  from page x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_providers(uuid, integer, text) is
  'GET /orgs/{org_id}/providers?limit&cursor. Anyone; inactive providers only for members. By display_name: {items: [provider {id, org_id, user_id, display_name, timezone, bio, active}], next_cursor}. Errors: 404 not_found; 422 validation_failed (limit, cursor).';
grant execute on function api.list_providers(uuid, integer, text) to anon, authenticated;

create or replace function api.get_provider(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_provider app.providers;
begin
  select * into v_provider from app.providers p where p.id = get_provider.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such provider.';
  end if;
  return private.provider_json(v_provider);
end;
$$;
comment on function api.get_provider(uuid) is
  'GET /providers/{id}. Anyone (an inactive provider: members only) -> provider {id, org_id, user_id, display_name, timezone, bio, active}. Errors: 404 not_found.';
grant execute on function api.get_provider(uuid) to anon, authenticated;

create or replace function api.update_provider(
  id uuid,
  display_name text default null,
  user_id uuid default null,
  timezone text default null,
  bio text default null,
  active boolean default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_provider app.providers;
begin
  perform private.require_user();
  select * into v_provider from app.providers p where p.id = update_provider.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such provider.';
  end if;
  if not private.is_org_manager(v_provider.org_id) then
    if not private.is_provider_self(v_provider.id) then
      raise exception using errcode = 'PT403', message = 'forbidden',
        detail = 'Only the organization''s owners and admins, and the provider themself, may change a provider.';
    end if;
    if update_provider.user_id is not null or update_provider.active is not null then
      raise exception using errcode = 'PT403', message = 'forbidden',
        detail = 'A provider may change only their own display name, time zone and bio.';
    end if;
  end if;
  begin
    update app.providers p
    set display_name = coalesce(update_provider.display_name, p.display_name),
        user_id = coalesce(update_provider.user_id, p.user_id),
        -- "" returns the provider to the organization's zone.
        timezone = case when update_provider.timezone is null then p.timezone
                        else nullif(update_provider.timezone, '') end,
        bio = coalesce(update_provider.bio, p.bio),
        active = coalesce(update_provider.active, p.active)
    where p.id = update_provider.id
    returning * into v_provider;
  exception when foreign_key_violation then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'user_id does not name an account.';
  end;
  return private.provider_json(v_provider);
end;
$$;
comment on function api.update_provider(uuid, text, uuid, text, text, boolean) is
  'PATCH /providers/{id}. Owners and admins: any field; the provider themself: display_name, timezone, bio. {display_name?, user_id?, timezone? ("" = the organization''s), bio?, active?} (omitted = unchanged) -> provider. A new user_id must name a member of the organization. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';
grant execute on function api.update_provider(uuid, text, uuid, text, text, boolean) to anon, authenticated;
