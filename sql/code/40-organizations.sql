-- 40 organizations: organizations, their memberships, providers, services and which provider
-- offers which service — privileges, policies, row rules (triggers) and the api functions.
-- Depends on: 002 (app tables, private.is_time_zone), 10-helpers (private.utc, page helpers,
--   private.touch_updated_at), 30-accounts (private.require_user), 35-app-helpers (role lookups,
--   private.require_visible_org, private.require_org_manager).
-- Raises: PT401 unauthorized (anon calling a write); PT403 forbidden (visible but not yours to
--   change); PT404 not_found (unknown or invisible); PT409 conflict (slug taken, already a
--   member), last_owner (an organization keeps at least one owner); PT422 validation_failed.
--
-- Visibility: organizations are public; active providers and services are public, inactive ones
-- are seen by the organization's members only; memberships are seen by members only. Owners and
-- admins ("managers") write. Memberships are written through SECURITY DEFINER functions only,
-- because the last-owner rule needs a lock and a count that no policy can express; creating an
-- organization is one too, because the creator becomes its first owner in the same step.
-- The row rules (valid time zones, text search configurations, ranges with readable messages,
-- what a provider may change about themself) are triggers, so a client that writes the tables
-- directly with SQL meets the same rules as the REST API.

grant usage on schema app to anon, authenticated, service_role;
-- Created in 002 without a grant; the row rules below call it as the caller.
grant execute on function private.is_time_zone(text) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Row rules

create or replace function private.is_text_search_config(p_name text)
returns boolean
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- A bare name must be a configuration in pg_catalog, because text is cast to regconfig under
  -- the functions' search_path (pg_catalog, then pg_temp); others must be schema-qualified.
  return p_name is not null and exists (
    select 1
    from pg_catalog.pg_ts_config c
    join pg_catalog.pg_namespace n on n.oid = c.cfgnamespace
    where (n.nspname = 'pg_catalog' and c.cfgname = p_name)
       or n.nspname || '.' || c.cfgname = p_name
  );
end;
$$;
comment on function private.is_text_search_config(text) is
  'Is this the name of a text search configuration that casts to regconfig under the functions'' search_path (danish, english, simple, or schema.name)?';
grant execute on function private.is_text_search_config(text) to anon, authenticated, service_role;

create or replace function private.check_organization()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if NEW.slug is null
      or NEW.slug !~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'slug must be 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.';
  end if;
  -- GET /orgs/{id_or_slug} reads a UUID as an id, so a UUID-shaped slug could never be reached.
  if NEW.slug ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'slug must not have the shape of a UUID.';
  end if;
  if NEW.name is null or pg_catalog.length(pg_catalog.btrim(NEW.name)) not between 1 and 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'name must have 1 to 200 characters.';
  end if;
  -- pg_timezone_names is slow to scan, so an unchanged zone is not checked again.
  if (TG_OP = 'INSERT' or NEW.timezone is distinct from OLD.timezone)
      and not private.is_time_zone(NEW.timezone) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'timezone must be an IANA time zone name such as Europe/Copenhagen.';
  end if;
  if NEW.currency is null or NEW.currency !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'currency must be a three-letter ISO 4217 code in capitals, such as DKK.';
  end if;
  if not private.is_text_search_config(NEW.search_language) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'search_language must name a text search configuration, such as danish, english or simple.';
  end if;
  if NEW.cancellation_cutoff_minutes is null
      or NEW.cancellation_cutoff_minutes not between 0 and 525600 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'cancellation_cutoff_minutes must be between 0 and 525600 (one year).';
  end if;
  return NEW;
end;
$$;
comment on function private.check_organization() is
  'BEFORE INSERT OR UPDATE trigger on app.organizations: 422 validation_failed with a readable detail for a bad slug, name, time zone, currency, search language or cutoff.';

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

drop trigger if exists organizations_check on app.organizations;
create trigger organizations_check before insert or update on app.organizations
  for each row execute function private.check_organization();

drop trigger if exists organizations_touch_updated_at on app.organizations;
create trigger organizations_touch_updated_at before update on app.organizations
  for each row execute function private.touch_updated_at();

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

drop trigger if exists services_check on app.services;
create trigger services_check before insert or update on app.services
  for each row execute function private.check_service();

drop trigger if exists services_touch_updated_at on app.services;
create trigger services_touch_updated_at before update on app.services
  for each row execute function private.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Table privileges and policies
-- Revoked first so that this file, re-applied, is the whole current definition.

revoke all on app.organizations, app.memberships, app.providers, app.services, app.service_providers
  from anon, authenticated;

-- Organizations are public, every column of them.
grant select (id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes,
  max_active_bookings_per_customer, booking_requires_verified_email, created_at, updated_at)
  on app.organizations to anon, authenticated;
grant update (slug, name, timezone, currency, search_language, cancellation_cutoff_minutes,
  max_active_bookings_per_customer, booking_requires_verified_email)
  on app.organizations to authenticated;
-- No insert or delete: api.create_org (private.create_org) creates an organization and its owner.

drop policy if exists "anyone reads organizations" on app.organizations;
drop policy if exists "visitors read organizations" on app.organizations;
create policy "visitors read organizations" on app.organizations
  for select to anon
  using (true);

drop policy if exists "signed-in users read organizations" on app.organizations;
create policy "signed-in users read organizations" on app.organizations
  for select to authenticated
  using (true);

drop policy if exists "owners and admins update their organization" on app.organizations;
create policy "owners and admins update their organization" on app.organizations
  for update to authenticated
  using ((select private.is_org_manager(id)))
  with check ((select private.is_org_manager(id)));

-- Memberships: read by members; written only by the definer functions below (last-owner rule).
grant select (org_id, user_id, role, created_at) on app.memberships to authenticated;

drop policy if exists "members read their organization's memberships" on app.memberships;
create policy "members read their organization's memberships" on app.memberships
  for select to authenticated
  using ((select private.is_org_member(org_id)));

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
-- Shapes and list cursors

create or replace function private.org_json(p_org app.organizations)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'id', p_org.id,
    'slug', p_org.slug,
    'name', p_org.name,
    'timezone', p_org.timezone,
    'currency', p_org.currency,
    'search_language', p_org.search_language,
    'cancellation_cutoff_minutes', p_org.cancellation_cutoff_minutes,
    'max_active_bookings_per_customer', p_org.max_active_bookings_per_customer,
    'booking_requires_verified_email', p_org.booking_requires_verified_email,
    'created_at', private.utc(p_org.created_at)
  );
end;
$$;
comment on function private.org_json(app.organizations) is
  'The org object: {id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes, max_active_bookings_per_customer, booking_requires_verified_email, created_at}.';
grant execute on function private.org_json(app.organizations) to anon, authenticated, service_role;

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
    ), '[]')
  );
end;
$$;
comment on function private.service_json(app.services) is
  'The service object: every field of app.services but the timestamps, plus provider_ids (the providers offering it that the caller may see).';
grant execute on function private.service_json(app.services) to anon, authenticated, service_role;

create or replace function private.key_cursor(p_key text, p_id uuid)
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.translate(
    pg_catalog.encode(pg_catalog.convert_to(pg_catalog.json_build_array(p_key, p_id)::text, 'UTF8'), 'base64'),
    E'+/=\n', '-_');
end;
$$;
comment on function private.key_cursor(text, uuid) is
  'Opaque keyset cursor for lists ordered by (text, id), such as names; read back with private.key_cursor_parts().';
grant execute on function private.key_cursor(text, uuid) to anon, authenticated, service_role;

create or replace function private.key_cursor_parts(p_cursor text, out key text, out id uuid)
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_b64 text := pg_catalog.translate(p_cursor, '-_', '+/');
  v_parts json;
begin
  if p_cursor is null or p_cursor = '' then
    return;
  end if;
  v_b64 := v_b64 || pg_catalog.repeat('=', (4 - pg_catalog.length(v_b64) % 4) % 4);
  v_parts := pg_catalog.convert_from(pg_catalog.decode(v_b64, 'base64'), 'UTF8')::json;
  key := v_parts ->> 0;
  id := (v_parts ->> 1)::uuid;
  if key is null or id is null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'The cursor is not one this server issued.';
  end if;
exception when others then
  raise exception using errcode = 'PT422', message = 'validation_failed',
    detail = 'The cursor is not one this server issued.';
end;
$$;
comment on function private.key_cursor_parts(text) is 'Decode a cursor made by private.key_cursor(); 422 on anything else.';
grant execute on function private.key_cursor_parts(text) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Organizations and memberships (definer parts)

create or replace function private.create_org(
  p_slug text,
  p_name text,
  p_timezone text,
  p_currency text,
  p_search_language text,
  p_cancellation_cutoff_minutes integer
)
returns app.organizations
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_org app.organizations;
begin
  -- The defaults repeat the column defaults of 002: an explicit NULL does not take them.
  insert into app.organizations (slug, name, timezone, currency, search_language, cancellation_cutoff_minutes)
  values (
    p_slug,
    p_name,
    coalesce(p_timezone, 'Europe/Copenhagen'),
    coalesce(p_currency, 'DKK'),
    coalesce(p_search_language, 'danish'),
    coalesce(p_cancellation_cutoff_minutes, 1440)
  )
  on conflict (slug) do nothing
  returning * into v_org;
  if not found then
    raise exception using errcode = 'PT409', message = 'conflict',
      detail = pg_catalog.format('The slug "%s" is taken; choose another.', p_slug);
  end if;
  insert into app.memberships (org_id, user_id, role) values (v_org.id, v_uid, 'owner');
  return v_org;
end;
$$;
comment on function private.create_org(text, text, text, text, text, integer) is
  'Create an organization with the caller as its owner. Definer: clients may insert neither organizations nor memberships, so nobody can make themselves a member of someone else''s organization.';
grant execute on function private.create_org(text, text, text, text, text, integer) to authenticated;

create or replace function private.member_role(p_role text)
returns app.member_role
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_role is null or p_role not in ('owner', 'admin', 'staff', 'provider') then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'role must be one of owner, admin, staff, provider.';
  end if;
  return p_role::app.member_role;
end;
$$;
comment on function private.member_role(text) is 'A role name as app.member_role, or 422 validation_failed.';
grant execute on function private.member_role(text) to anon, authenticated, service_role;

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
  if v_caller is null or v_caller not in ('owner', 'admin') then
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
  if v_caller is null or v_caller not in ('owner', 'admin') then
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
      and (v_caller is null or v_caller not in ('owner', 'admin')) then
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
-- The contract (schema api): organizations and members

create or replace function api.create_org(
  slug text,
  name text,
  timezone text default null,
  currency text default null,
  search_language text default null,
  cancellation_cutoff_minutes integer default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  return private.org_json(private.create_org(
    create_org.slug,
    create_org.name,
    create_org.timezone,
    create_org.currency,
    create_org.search_language,
    create_org.cancellation_cutoff_minutes
  ));
end;
$$;
comment on function api.create_org(text, text, text, text, text, integer) is
  'POST /orgs. Any user; the caller becomes its owner. {slug, name, timezone?="Europe/Copenhagen", currency?="DKK", search_language?="danish", cancellation_cutoff_minutes?=1440} -> org {id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes, created_at}. slug: 1-63 of a-z, 0-9, "-" (not at either end, not UUID-shaped). Errors: 401 unauthorized; 409 conflict (slug taken); 422 validation_failed (slug, name, time zone, currency, search_language not a text search configuration, cutoff outside 0..525600).';
grant execute on function api.create_org(text, text, text, text, text, integer) to anon, authenticated;

create or replace function api.get_org(id_or_slug text)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
  v_org app.organizations;
begin
  if get_org.id_or_slug ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_id := get_org.id_or_slug::uuid;
  end if;
  select * into v_org
  from app.organizations o
  where o.id = v_id or o.slug = pg_catalog.lower(get_org.id_or_slug);
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
  end if;
  return private.org_json(v_org);
end;
$$;
comment on function api.get_org(text) is
  'GET /orgs/{id_or_slug}. Anyone. A UUID is read as the id, anything else as the slug -> org {id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes, created_at}. Errors: 404 not_found.';
grant execute on function api.get_org(text) to anon, authenticated;

-- Two settings joined the parameters; a signature cannot grow in place.
drop function if exists api.update_org(uuid, text, text, text, text, text, integer);
create or replace function api.update_org(
  id uuid,
  slug text default null,
  name text default null,
  timezone text default null,
  currency text default null,
  search_language text default null,
  cancellation_cutoff_minutes integer default null,
  max_active_bookings_per_customer integer default null,
  booking_requires_verified_email boolean default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org app.organizations;
begin
  perform private.require_user();
  perform private.require_org_manager(update_org.id);
  begin
    update app.organizations o
    set slug = coalesce(update_org.slug, o.slug),
        name = coalesce(update_org.name, o.name),
        timezone = coalesce(update_org.timezone, o.timezone),
        currency = coalesce(update_org.currency, o.currency),
        search_language = coalesce(update_org.search_language, o.search_language),
        cancellation_cutoff_minutes = coalesce(update_org.cancellation_cutoff_minutes, o.cancellation_cutoff_minutes),
        max_active_bookings_per_customer = coalesce(update_org.max_active_bookings_per_customer, o.max_active_bookings_per_customer),
        booking_requires_verified_email = coalesce(update_org.booking_requires_verified_email, o.booking_requires_verified_email)
    where o.id = update_org.id
    returning * into v_org;
  exception
    when unique_violation then
      raise exception using errcode = 'PT409', message = 'conflict',
        detail = pg_catalog.format('The slug "%s" is taken; choose another.', update_org.slug);
    when check_violation then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = 'A value is out of range (max_active_bookings_per_customer: 1 to 1000).';
  end;
  return private.org_json(v_org);
end;
$$;
comment on function api.update_org(uuid, text, text, text, text, text, integer, integer, boolean) is
  'PATCH /orgs/{id}. Owners and admins. {slug?, name?, timezone?, currency?, search_language?, cancellation_cutoff_minutes?, max_active_bookings_per_customer? (1..1000, default 10), booking_requires_verified_email? (default false)} (omitted = unchanged) -> org. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 conflict (slug taken); 422 validation_failed (as api.create_org).';
grant execute on function api.update_org(uuid, text, text, text, text, text, integer, integer, boolean) to anon, authenticated;

create or replace function api.list_members(org_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(list_members.lim);
  v_after record;
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_members.org_id);
  perform private.require_user();
  if not private.is_org_member(list_members.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only members of the organization may see its members.';
  end if;
  select * into v_after from private.cursor_parts(list_members.cursor);
  with page as (
    select m.org_id, m.user_id, m.created_at,
           pg_catalog.row_number() over (order by m.created_at, m.user_id) as n
    from app.memberships m
    where m.org_id = list_members.org_id
      and (v_after.at is null or (m.created_at, m.user_id) > (v_after.at, v_after.id::uuid))
    order by m.created_at, m.user_id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.member_json(p.org_id, p.user_id) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.page_cursor(p.created_at, p.user_id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_members(uuid, integer, text) is
  'GET /orgs/{org_id}/members?limit&cursor. Members of the organization, longest-standing first: {items: [{user_id, email, full_name, role, created_at}], next_cursor}. Errors: 401 unauthorized; 403 forbidden (not a member); 404 not_found; 422 validation_failed (limit, cursor).';
grant execute on function api.list_members(uuid, integer, text) to anon, authenticated;

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

-- ---------------------------------------------------------------------------------------------
-- The contract: providers

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
  v_after record;
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_providers.org_id);
  select * into v_after from private.key_cursor_parts(list_providers.cursor);
  with page as (
    select p, p.display_name, p.id,
           pg_catalog.row_number() over (order by p.display_name, p.id) as n
    from app.providers p
    where p.org_id = list_providers.org_id
      and (v_after.key is null or (p.display_name, p.id) > (v_after.key, v_after.id))
    order by p.display_name, p.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.provider_json(x.p) order by x.n)
                    filter (where x.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.key_cursor(x.display_name, x.id) order by x.n))[v_limit]
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

-- ---------------------------------------------------------------------------------------------
-- The contract: services

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
  provider_ids uuid[] default null
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
  return private.service_json(v_service);
end;
$$;
comment on function api.create_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[]) is
  'POST /orgs/{org_id}/services (201). Owners and admins. {name, duration_minutes (5..1440), price_minor (>= 0), description?="", buffer_before_minutes?=0, buffer_after_minutes?=0 (0..480), currency?=the organization''s, min_notice_minutes?=0, max_advance_days?=90 (1..730), slot_interval_minutes?=duration, requires_confirmation?=false, provider_ids?=[]} -> service {id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes, requires_confirmation, active, provider_ids}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (a field out of range, provider_ids not of this organization).';
grant execute on function api.create_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[]) to anon, authenticated;

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
  v_after record;
  v_items json;
  v_next text;
begin
  if v_q is not null then
    -- Ranked search, the same as api.search within one organization (80-search).
    return private.search_services(v_org, private.search_q(v_q), v_limit, list_services.cursor);
  end if;
  select * into v_after from private.key_cursor_parts(list_services.cursor);
  with page as (
    select s, s.name, s.id,
           pg_catalog.row_number() over (order by s.name, s.id) as n
    from app.services s
    where s.org_id = list_services.org_id
      and (v_after.key is null or (s.name, s.id) > (v_after.key, v_after.id))
    order by s.name, s.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.service_json(x.s) order by x.n)
                    filter (where x.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.key_cursor(x.name, x.id) order by x.n))[v_limit]
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
  'GET /services/{id}. Anyone (an inactive service: members only) -> service {id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes, requires_confirmation, active, provider_ids}. Errors: 404 not_found.';
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
  active boolean default null
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
  return private.service_json(v_service);
end;
$$;
comment on function api.update_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], boolean) is
  'PATCH /services/{id}. Owners and admins. Any field of api.create_service and active (omitted = unchanged; a new duration keeps the slot interval); provider_ids, when given, replaces the set -> service. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';
grant execute on function api.update_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], boolean) to anon, authenticated;

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
