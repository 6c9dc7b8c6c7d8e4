-- 40 organizations: the organization itself — its row rules, privileges and policies, its JSON
-- shape and the api functions that create, read and change it.
-- Depends on: 002 (app.organizations, private.is_time_zone), 10-helpers (private.utc,
--   private.touch_updated_at), 30-accounts (private.require_user), 35-roles
--   (private.is_org_manager, private.require_org_manager).
-- Raises: PT401 unauthorized (anon calling a write); PT403 forbidden (visible but not yours to
--   change); PT404 not_found (unknown); PT409 conflict (slug taken); PT422 validation_failed.
--
-- Organizations are public; owners and admins ("managers") change them. Creating one is a
-- SECURITY DEFINER function, because the creator becomes its first owner in the same step.
-- The row rules (slugs, valid time zones, currencies, text search configurations, ranges with
-- readable messages) are triggers, so a client that writes the table directly with SQL meets the
-- same rules as the REST API.

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

drop trigger if exists organizations_check on app.organizations;
create trigger organizations_check before insert or update on app.organizations
  for each row execute function private.check_organization();

drop trigger if exists organizations_touch_updated_at on app.organizations;
create trigger organizations_touch_updated_at before update on app.organizations
  for each row execute function private.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Table privileges and policies
-- Revoked first so that this file, re-applied, is the whole current definition.

revoke all on app.organizations from anon, authenticated;

-- Organizations are public, every column of them.
grant select (id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes,
  max_active_bookings_per_customer, booking_requires_verified_email, hold_minutes, waitlist_enabled,
  created_at, updated_at)
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

-- ---------------------------------------------------------------------------------------------
-- Shape and lookup

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

-- ---------------------------------------------------------------------------------------------
-- Creating an organization (definer part)

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

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

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
