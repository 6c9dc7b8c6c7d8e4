-- 45 schedules: a provider's weekly working hours, per-date overrides and time off — the
-- policies, grants and api functions that read and replace them.
-- Depends on: 002 (app.working_hours with working_hours_no_overlap, app.date_overrides,
--   app.time_off, private.is_time_zone), 10-helpers (encode_cursor, decode_cursor, page_limit,
--   parse_instant, local_iso), 30-accounts (require_user), 35-roles (is_org_manager,
--   is_org_staff, is_org_member, is_provider_self), 40-organizations (usage on schema app),
--   43-providers (provider_zone; RLS on app.providers, which decides whether a provider is
--   visible; the providers update policy and row rules that let the provider themself set
--   their zone).
-- Raises: PT401 unauthorized (anon); PT403 forbidden (a visible provider the caller may not
--   change, or whose time off the caller may not read); PT404 not_found (unknown provider, an
--   inactive provider for a non-member, time off the caller cannot see); PT422 validation_failed
--   (malformed or overlapping windows, end not after start, bad dates, unknown time zone, long
--   reason, inverted range), unknown_field (an unknown key inside a window), invalid_time
--   (instants without an offset, unparsable range bounds).
--
-- Who may do what:
--   working hours  read: anyone          replace (and set the provider's zone): owner, admin, the provider
--   overrides      read: anyone          replace, delete: owner, admin, staff, the provider
--   time off       read: org members and the provider (the reason is private)
--                  create, delete: owner, admin, staff, the provider
-- Hours are public because they drive the slots anyone may see. The slot engine reads time off
-- through its own definer helper, so visitors get busy time, never reasons.
--
-- Wall-clock times are "HH:MM"; "24:00" is allowed as an end (the end of the day). Weekly windows
-- are stored as times of an ISO weekday (Monday = 1) with an inclusive validity period
-- [valid_from, valid_until], either end open. Override windows are stored as tsrange on their
-- local date; an end of "24:00" is stored as the next midnight.

-- ---------------------------------------------------------------------------------------------
-- Who the caller is for a provider

create or replace function private.require_schedule_provider(p_provider_id uuid)
returns uuid
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id uuid;
begin
  -- Row-level security on app.providers decides what "visible" means (43-providers).
  select p.org_id into v_org_id from app.providers p where p.id = p_provider_id;
  if v_org_id is null then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such provider.';
  end if;
  return v_org_id;
end;
$$;
comment on function private.require_schedule_provider(uuid) is
  'The organization of a provider the caller can see (active providers are public, inactive ones visible to their organization''s members), else 404 not_found.';
grant execute on function private.require_schedule_provider(uuid) to anon, authenticated, service_role;

create or replace function private.require_schedule_writer(
  p_org_id uuid,
  p_provider_id uuid,
  p_staff_too boolean
)
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  if private.is_provider_self(p_provider_id) then
    return;
  end if;
  if p_staff_too and private.is_org_staff(p_org_id) then
    return;
  end if;
  if not p_staff_too and private.is_org_manager(p_org_id) then
    return;
  end if;
  raise exception using errcode = 'PT403', message = 'forbidden',
    detail = case when p_staff_too
      then 'Only the organization''s owners, admins and staff, or the provider, may change this.'
      else 'Only the organization''s owners and admins, or the provider, may change working hours.'
    end;
end;
$$;
comment on function private.require_schedule_writer(uuid, uuid, boolean) is
  '401 for anon; 403 forbidden unless the caller is the provider, or owner/admin of the organization (and staff too when p_staff_too). Call after private.require_schedule_provider, so an invisible provider is 404 first.';
grant execute on function private.require_schedule_writer(uuid, uuid, boolean) to anon, authenticated, service_role;

create or replace function private.lock_schedule(p_provider_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Replacing a set is delete + insert; two replacements of one provider's schedule at once
  -- would otherwise meet in the exclusion or primary key constraint instead of taking turns.
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.schedule:' || p_provider_id::text, 0));
end;
$$;
comment on function private.lock_schedule(uuid) is
  'Serialize writers of one provider''s working hours and overrides until the transaction ends.';
grant execute on function private.lock_schedule(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Reading input

create or replace function private.wall_clock(p_value json, p_field text, p_is_end boolean)
returns time
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_text text := case when pg_catalog.json_typeof(p_value) = 'string' then p_value #>> '{}' end;
begin
  if v_text is null
      or (v_text !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and not (p_is_end and v_text = '24:00')) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = p_field || ' must be a wall-clock time "HH:MM"'
        || case when p_is_end then ' (up to 24:00).' else ' (00:00 to 23:59).' end;
  end if;
  return v_text::time;
end;
$$;
comment on function private.wall_clock(json, text, boolean) is
  'A JSON string "HH:MM" as time; "24:00" only when p_is_end. 422 validation_failed naming p_field otherwise.';
grant execute on function private.wall_clock(json, text, boolean) to anon, authenticated, service_role;

create or replace function private.json_date(p_value json, p_field text)
returns date
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_text text;
begin
  if p_value is null or pg_catalog.json_typeof(p_value) = 'null' then
    return null;
  end if;
  v_text := case when pg_catalog.json_typeof(p_value) = 'string' then p_value #>> '{}' end;
  if v_text is null or v_text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = p_field || ' must be a date "YYYY-MM-DD".';
  end if;
  begin
    return v_text::date;
  exception when data_exception then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = p_field || ' is not a valid date.';
  end;
end;
$$;
comment on function private.json_date(json, text) is
  'A JSON string "YYYY-MM-DD" as date (JSON null or absent: NULL). 422 validation_failed naming p_field otherwise.';
grant execute on function private.json_date(json, text) to anon, authenticated, service_role;

create or replace function private.working_hours_input(p_windows json)
returns table (
  weekday smallint,
  starts time,
  ends time,
  valid_from date,
  valid_until date,
  ordinal integer
)
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_item json;
  v_n bigint;
  v_field text;
  v_unknown text;
begin
  if p_windows is null or pg_catalog.json_typeof(p_windows) <> 'array' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'windows must be a list of {weekday, start, end, valid_from?, valid_until?}.';
  end if;
  for v_item, v_n in
    select e.value, e.ordinality from pg_catalog.json_array_elements(p_windows) with ordinality e
  loop
    ordinal := v_n - 1;
    v_field := 'windows[' || ordinal || ']';
    if pg_catalog.json_typeof(v_item) <> 'object' then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = v_field || ' must be an object {weekday, start, end, valid_from?, valid_until?}.';
    end if;
    select pg_catalog.string_agg(k.key, ', ' order by k.key) into v_unknown
    from pg_catalog.json_object_keys(v_item) k(key)
    where k.key not in ('weekday', 'start', 'end', 'valid_from', 'valid_until');
    if v_unknown is not null then
      raise exception using errcode = 'PT422', message = 'unknown_field',
        detail = 'Unknown field in ' || v_field || ': ' || v_unknown || '.';
    end if;
    if pg_catalog.json_typeof(v_item -> 'weekday') is distinct from 'number'
        or (v_item ->> 'weekday') !~ '^[1-7]$' then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = v_field || '.weekday must be a number from 1 (Monday) to 7 (Sunday).';
    end if;
    weekday := (v_item ->> 'weekday')::smallint;
    starts := private.wall_clock(v_item -> 'start', v_field || '.start', false);
    ends := private.wall_clock(v_item -> 'end', v_field || '.end', true);
    if ends <= starts then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = v_field || '.end must be after its start.';
    end if;
    valid_from := private.json_date(v_item -> 'valid_from', v_field || '.valid_from');
    valid_until := private.json_date(v_item -> 'valid_until', v_field || '.valid_until');
    if valid_until < valid_from then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = v_field || '.valid_until must not be before its valid_from.';
    end if;
    return next;
  end loop;
end;
$$;
comment on function private.working_hours_input(json) is
  'The windows of PUT working-hours as rows (ordinal = index in the list, from 0), or 422 validation_failed / unknown_field naming the window. Overlaps are left to working_hours_no_overlap.';
grant execute on function private.working_hours_input(json) to authenticated, service_role;

create or replace function private.override_input(p_on_date date, p_windows json)
returns tsrange[]
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_item json;
  v_n bigint;
  v_field text;
  v_unknown text;
  v_start time;
  v_end time;
  v_ranges tsrange[] := '{}';
  v_first bigint;
  v_second bigint;
begin
  if p_windows is null or pg_catalog.json_typeof(p_windows) <> 'array' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'windows must be a list of {start, end} ([] = closed that day).';
  end if;
  for v_item, v_n in
    select e.value, e.ordinality from pg_catalog.json_array_elements(p_windows) with ordinality e
  loop
    v_field := 'windows[' || (v_n - 1) || ']';
    if pg_catalog.json_typeof(v_item) <> 'object' then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = v_field || ' must be an object {start, end}.';
    end if;
    select pg_catalog.string_agg(k.key, ', ' order by k.key) into v_unknown
    from pg_catalog.json_object_keys(v_item) k(key)
    where k.key not in ('start', 'end');
    if v_unknown is not null then
      raise exception using errcode = 'PT422', message = 'unknown_field',
        detail = 'Unknown field in ' || v_field || ': ' || v_unknown || '.';
    end if;
    v_start := private.wall_clock(v_item -> 'start', v_field || '.start', false);
    v_end := private.wall_clock(v_item -> 'end', v_field || '.end', true);
    if v_end <= v_start then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = v_field || '.end must be after its start.';
    end if;
    v_ranges := v_ranges || pg_catalog.tsrange(p_on_date + v_start, p_on_date + v_end, '[)');
  end loop;
  select a.n, b.n into v_first, v_second
  from pg_catalog.unnest(v_ranges) with ordinality a(r, n)
  join pg_catalog.unnest(v_ranges) with ordinality b(r, n) on b.n > a.n and a.r operator(pg_catalog.&&) b.r
  order by a.n, b.n
  limit 1;
  if v_first is not null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'windows[' || (v_first - 1) || '] and windows[' || (v_second - 1) || '] overlap.';
  end if;
  return array(select r from pg_catalog.unnest(v_ranges) r order by pg_catalog.lower(r));
end;
$$;
comment on function private.override_input(date, json) is
  'The windows of PUT overrides/{date} as wall-clock tsranges on that date, sorted, or 422 validation_failed / unknown_field naming the window (including two windows that overlap).';
grant execute on function private.override_input(date, json) to authenticated, service_role;

create or replace function private.schedule_bound(
  p_value text,
  p_zone text,
  p_field text,
  p_is_end boolean
)
returns timestamptz
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_date date;
begin
  if p_value is null then
    return null;
  end if;
  if p_value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
    begin
      v_date := p_value::date;
    exception when data_exception then
      raise exception using errcode = 'PT422', message = 'invalid_time',
        detail = p_field || ' is not a valid date.';
    end;
    -- A date means its whole local day: from its midnight, or to the next one.
    return (v_date + case when p_is_end then 1 else 0 end)::timestamp at time zone p_zone;
  end if;
  return private.parse_instant(p_value, p_field);
end;
$$;
comment on function private.schedule_bound(text, text, text, boolean) is
  'A list bound: a date "YYYY-MM-DD" is that local day in p_zone (from its start, or up to its end when p_is_end), anything else must be an RFC 3339 instant with an offset; 422 invalid_time otherwise.';
grant execute on function private.schedule_bound(text, text, text, boolean) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Shapes

create or replace function private.working_hours_json(p_provider_id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'provider_id', p_provider_id,
    'timezone', private.provider_zone(p_provider_id),
    'windows', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
          'weekday', w.weekday,
          'start', pg_catalog.to_char(w.starts, 'HH24:MI'),
          'end', pg_catalog.to_char(w.ends, 'HH24:MI'),
          'valid_from', pg_catalog.to_char(w.valid_from, 'YYYY-MM-DD'),
          'valid_until', pg_catalog.to_char(w.valid_until, 'YYYY-MM-DD')
        ) order by w.weekday, w.starts, w.valid_from nulls first, w.id)
      from app.working_hours w
      where w.provider_id = p_provider_id
    ), '[]')
  );
end;
$$;
comment on function private.working_hours_json(uuid) is
  'The working-hours object of the REST contract: {provider_id, timezone (effective), windows: [{weekday, start, end, valid_from, valid_until}]} ordered by weekday and start.';
grant execute on function private.working_hours_json(uuid) to anon, authenticated, service_role;

create or replace function private.window_json(p_on_date date, p_window tsrange)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'start', pg_catalog.to_char(pg_catalog.lower(p_window), 'HH24:MI'),
    'end', case when pg_catalog.upper(p_window) >= (p_on_date + 1)::timestamp
      then '24:00'
      else pg_catalog.to_char(pg_catalog.upper(p_window), 'HH24:MI')
    end
  );
end;
$$;
comment on function private.window_json(date, tsrange) is
  'One override window as {start, end} in "HH:MM"; a window reaching the next midnight ends at "24:00".';
grant execute on function private.window_json(date, tsrange) to anon, authenticated, service_role;

create or replace function private.override_json(p_on_date date, p_windows tsrange[])
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'date', pg_catalog.to_char(p_on_date, 'YYYY-MM-DD'),
    'windows', coalesce((
      select pg_catalog.json_agg(private.window_json(p_on_date, w.r) order by pg_catalog.lower(w.r))
      from pg_catalog.unnest(p_windows) w(r)
    ), '[]')
  );
end;
$$;
comment on function private.override_json(date, tsrange[]) is 'One date override as {date, windows: [{start, end}]} ([] = closed).';
grant execute on function private.override_json(date, tsrange[]) to anon, authenticated, service_role;

create or replace function private.time_off_json(
  p_id uuid,
  p_provider_id uuid,
  p_period tstzrange,
  p_reason text,
  p_zone text
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'id', p_id,
    'provider_id', p_provider_id,
    'starts_at', private.local_iso(pg_catalog.lower(p_period), p_zone),
    'ends_at', private.local_iso(pg_catalog.upper(p_period), p_zone),
    'reason', nullif(p_reason, '')
  );
end;
$$;
comment on function private.time_off_json(uuid, uuid, tstzrange, text, text) is
  'One time off as {id, provider_id, starts_at, ends_at, reason} with instants in p_zone (the provider''s); an empty reason is null.';
grant execute on function private.time_off_json(uuid, uuid, tstzrange, text, text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Table privileges, policies and triggers

-- Revoked first so that this file, re-applied, is the whole current definition.
revoke all on app.working_hours, app.date_overrides, app.time_off from anon, authenticated;

grant select on app.working_hours to anon, authenticated;
grant insert (org_id, provider_id, weekday, starts, ends, valid_from, valid_until) on app.working_hours to authenticated;
grant delete on app.working_hours to authenticated;

drop policy if exists "anyone reads working hours" on app.working_hours;
drop policy if exists "anyone reads working hours of visible providers" on app.working_hours;
drop policy if exists "visitors read working hours of visible providers" on app.working_hours;
create policy "visitors read working hours of visible providers" on app.working_hours
  for select to anon
  using (exists (select 1 from app.providers p where p.id = provider_id));

drop policy if exists "signed-in users read working hours of visible providers" on app.working_hours;
create policy "signed-in users read working hours of visible providers" on app.working_hours
  for select to authenticated
  using (exists (select 1 from app.providers p where p.id = provider_id));

drop policy if exists "owners, admins and the provider add working hours" on app.working_hours;
create policy "owners, admins and the provider add working hours" on app.working_hours
  for insert to authenticated
  with check ((select private.is_org_manager(org_id)) or (select private.is_provider_self(provider_id)));

drop policy if exists "owners, admins and the provider remove working hours" on app.working_hours;
create policy "owners, admins and the provider remove working hours" on app.working_hours
  for delete to authenticated
  using ((select private.is_org_manager(org_id)) or (select private.is_provider_self(provider_id)));

grant select on app.date_overrides to anon, authenticated;
grant insert (org_id, provider_id, on_date, windows) on app.date_overrides to authenticated;
grant delete on app.date_overrides to authenticated;

drop policy if exists "anyone reads date overrides" on app.date_overrides;
drop policy if exists "anyone reads date overrides of visible providers" on app.date_overrides;
drop policy if exists "visitors read date overrides of visible providers" on app.date_overrides;
create policy "visitors read date overrides of visible providers" on app.date_overrides
  for select to anon
  using (exists (select 1 from app.providers p where p.id = provider_id));

drop policy if exists "signed-in users read date overrides of visible providers" on app.date_overrides;
create policy "signed-in users read date overrides of visible providers" on app.date_overrides
  for select to authenticated
  using (exists (select 1 from app.providers p where p.id = provider_id));

drop policy if exists "staff and the provider add date overrides" on app.date_overrides;
create policy "staff and the provider add date overrides" on app.date_overrides
  for insert to authenticated
  with check ((select private.is_org_staff(org_id)) or (select private.is_provider_self(provider_id)));

drop policy if exists "staff and the provider remove date overrides" on app.date_overrides;
create policy "staff and the provider remove date overrides" on app.date_overrides
  for delete to authenticated
  using ((select private.is_org_staff(org_id)) or (select private.is_provider_self(provider_id)));

-- created_by is not granted: the trigger below fills it from the token, so nobody can write
-- time off in another user's name.
grant select on app.time_off to authenticated;
grant insert (org_id, provider_id, period, reason) on app.time_off to authenticated;
grant delete on app.time_off to authenticated;

-- The provider themself reads their own time off even without a membership row: they may
-- create it, and INSERT ... RETURNING needs the new row to be readable.
drop policy if exists "members and the provider read time off" on app.time_off;
create policy "members and the provider read time off" on app.time_off
  for select to authenticated
  using ((select private.is_org_member(org_id)) or (select private.is_provider_self(provider_id)));

drop policy if exists "staff and the provider add time off" on app.time_off;
create policy "staff and the provider add time off" on app.time_off
  for insert to authenticated
  with check ((select private.is_org_staff(org_id)) or (select private.is_provider_self(provider_id)));

drop policy if exists "staff and the provider remove time off" on app.time_off;
create policy "staff and the provider remove time off" on app.time_off
  for delete to authenticated
  using ((select private.is_org_staff(org_id)) or (select private.is_provider_self(provider_id)));

create or replace function private.time_off_created_by()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  NEW.created_by := coalesce(auth.uid(), NEW.created_by);
  return NEW;
end;
$$;
comment on function private.time_off_created_by() is
  'BEFORE INSERT on app.time_off: created_by is the caller (a job without a token may set it itself).';

drop trigger if exists time_off_created_by on app.time_off;
create trigger time_off_created_by before insert on app.time_off
  for each row execute function private.time_off_created_by();

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api): weekly working hours

create or replace function api.get_working_hours(provider_id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_schedule_provider(get_working_hours.provider_id);
  return private.working_hours_json(get_working_hours.provider_id);
end;
$$;
comment on function api.get_working_hours(uuid) is
  'GET /providers/{provider_id}/working-hours (anyone). -> {provider_id, timezone (the provider''s, else the organization''s), windows: [{weekday: 1..7 (ISO, Monday = 1), start: "HH:MM", end: "HH:MM", valid_from: date|null, valid_until: date|null}]} ordered by weekday, start; the validity dates are inclusive. Errors: 404 not_found (unknown provider; an inactive one for non-members).';
grant execute on function api.get_working_hours(uuid) to anon, authenticated;

create or replace function api.set_working_hours(
  provider_id uuid,
  windows json,
  timezone text default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id uuid;
  v_weekday smallint;
  v_first integer;
  v_second integer;
begin
  perform private.require_user();
  v_org_id := private.require_schedule_provider(set_working_hours.provider_id);
  perform private.require_schedule_writer(v_org_id, set_working_hours.provider_id, false);
  -- Parse everything before writing anything, so a bad window names itself.
  perform from private.working_hours_input(set_working_hours.windows);
  if set_working_hours.timezone is not null then
    if set_working_hours.timezone <> '' and not private.is_time_zone(set_working_hours.timezone) then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = 'timezone must be an IANA time zone name such as Europe/Copenhagen.';
    end if;
    -- The providers update policy admits owners, admins and the provider themself, the same
    -- people who may set working hours; "" returns to the organization's zone, as in PATCH.
    update app.providers p
    set timezone = nullif(set_working_hours.timezone, '')
    where p.id = set_working_hours.provider_id
      and p.timezone is distinct from nullif(set_working_hours.timezone, '');
  end if;
  perform private.lock_schedule(set_working_hours.provider_id);
  begin
    delete from app.working_hours w where w.provider_id = set_working_hours.provider_id;
    insert into app.working_hours (org_id, provider_id, weekday, starts, ends, valid_from, valid_until)
    select v_org_id, set_working_hours.provider_id, i.weekday, i.starts, i.ends, i.valid_from, i.valid_until
    from private.working_hours_input(set_working_hours.windows) i
    order by i.ordinal;
  exception when exclusion_violation then
    -- The raw DETAIL echoes row values; name the caller's own windows instead.
    select a.weekday, a.ordinal, b.ordinal into v_weekday, v_first, v_second
    from private.working_hours_input(set_working_hours.windows) a
    join private.working_hours_input(set_working_hours.windows) b
      on b.ordinal > a.ordinal
     and b.weekday = a.weekday
     and pg_catalog.tsrange(date '2000-01-01' + a.starts, date '2000-01-01' + a.ends)
         operator(pg_catalog.&&) pg_catalog.tsrange(date '2000-01-01' + b.starts, date '2000-01-01' + b.ends)
     and pg_catalog.daterange(a.valid_from, a.valid_until, '[]')
         operator(pg_catalog.&&) pg_catalog.daterange(b.valid_from, b.valid_until, '[]')
    order by a.ordinal, b.ordinal
    limit 1;
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = case when v_weekday is null
        then 'The windows overlap working hours written at the same moment; try again.'
        else 'windows[' || v_first || '] and windows[' || v_second || '] overlap on '
          || (array['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])[v_weekday]
          || '.'
      end;
  end;
  return private.working_hours_json(set_working_hours.provider_id);
end;
$$;
comment on function api.set_working_hours(uuid, json, text) is
  'PUT /providers/{provider_id}/working-hours (owner, admin, the provider). Body {timezone?, windows: [{weekday: 1..7 (ISO, Monday = 1), start: "HH:MM", end: "HH:MM" ("24:00" allowed), valid_from?: "YYYY-MM-DD", valid_until?: "YYYY-MM-DD" (inclusive)}]} replaces the provider''s whole weekly set in one transaction ([] clears it); several windows a day are allowed; timezone, when given, sets the provider''s IANA zone ("" = back to the organization''s). -> the same shape as GET working-hours. Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members); 422 validation_failed (windows of one weekday that overlap for part of their validity, end not after start, weekday outside 1..7, malformed time or date, valid_until before valid_from, unknown time zone), unknown_field (an unknown key in a window).';
grant execute on function api.set_working_hours(uuid, json, text) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Date overrides

create or replace function api.set_override(provider_id uuid, on_date date, windows json)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id uuid;
  v_windows tsrange[];
begin
  perform private.require_user();
  v_org_id := private.require_schedule_provider(set_override.provider_id);
  perform private.require_schedule_writer(v_org_id, set_override.provider_id, true);
  if set_override.on_date is null then
    raise exception using errcode = 'PT422', message = 'validation_failed', detail = 'on_date is required.';
  end if;
  v_windows := private.override_input(set_override.on_date, set_override.windows);
  perform private.lock_schedule(set_override.provider_id);
  delete from app.date_overrides d
  where d.provider_id = set_override.provider_id and d.on_date = set_override.on_date;
  insert into app.date_overrides (org_id, provider_id, on_date, windows)
  values (v_org_id, set_override.provider_id, set_override.on_date, v_windows);
  return pg_catalog.json_build_object(
    'provider_id', set_override.provider_id,
    'date', pg_catalog.to_char(set_override.on_date, 'YYYY-MM-DD'),
    'windows', private.override_json(set_override.on_date, v_windows) -> 'windows'
  );
end;
$$;
comment on function api.set_override(uuid, date, json) is
  'PUT /providers/{provider_id}/overrides/{on_date} (owner, admin, staff, the provider). Body {windows: [{start: "HH:MM", end: "HH:MM" ("24:00" allowed)}]} replaces that local date''s hours; [] = closed all day. -> {provider_id, date, windows: [{start, end}]} sorted by start. Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members); 422 validation_failed (overlapping windows, end not after start, malformed time or date), unknown_field (an unknown key in a window).';
grant execute on function api.set_override(uuid, date, json) to authenticated;

create or replace function api.delete_override(provider_id uuid, on_date date)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id uuid;
begin
  perform private.require_user();
  v_org_id := private.require_schedule_provider(delete_override.provider_id);
  perform private.require_schedule_writer(v_org_id, delete_override.provider_id, true);
  perform private.lock_schedule(delete_override.provider_id);
  delete from app.date_overrides d
  where d.provider_id = delete_override.provider_id and d.on_date = delete_override.on_date;
end;
$$;
comment on function api.delete_override(uuid, date) is
  'DELETE /providers/{provider_id}/overrides/{on_date} (owner, admin, staff, the provider). The date goes back to the weekly hours. Idempotent: deleting a date that has no override also succeeds (204). Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members).';
grant execute on function api.delete_override(uuid, date) to authenticated;

create or replace function api.list_overrides(
  provider_id uuid,
  range_from date default null,
  range_to date default null
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_schedule_provider(list_overrides.provider_id);
  if list_overrides.range_to < list_overrides.range_from then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'to must not be before from.';
  end if;
  return pg_catalog.json_build_object(
    'items', coalesce((
      select pg_catalog.json_agg(private.override_json(d.on_date, d.windows) order by d.on_date)
      from app.date_overrides d
      where d.provider_id = list_overrides.provider_id
        and (list_overrides.range_from is null or d.on_date >= list_overrides.range_from)
        and (list_overrides.range_to is null or d.on_date <= list_overrides.range_to)
    ), '[]'),
    'next_cursor', null
  );
end;
$$;
comment on function api.list_overrides(uuid, date, date) is
  'GET /providers/{provider_id}/overrides?from&to (anyone). Dates from..to inclusive, either open. -> {items: [{date, windows: [{start, end}]}] by date ([] windows = closed), next_cursor: null (one page)}. Errors: 404 not_found (unknown provider, an inactive one for non-members); 422 validation_failed (to before from, malformed date).';
grant execute on function api.list_overrides(uuid, date, date) to anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Time off

create or replace function api.create_time_off(
  provider_id uuid,
  starts_at text,
  ends_at text,
  reason text default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id uuid;
  v_starts timestamptz;
  v_ends timestamptz;
  v_row app.time_off;
begin
  perform private.require_user();
  v_org_id := private.require_schedule_provider(create_time_off.provider_id);
  perform private.require_schedule_writer(v_org_id, create_time_off.provider_id, true);
  v_starts := private.parse_instant(create_time_off.starts_at, 'starts_at');
  v_ends := private.parse_instant(create_time_off.ends_at, 'ends_at');
  if v_ends <= v_starts then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'ends_at must be after starts_at.';
  end if;
  if pg_catalog.length(create_time_off.reason) > 1000 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'reason must be at most 1000 characters.';
  end if;
  insert into app.time_off (org_id, provider_id, period, reason)
  values (v_org_id, create_time_off.provider_id, pg_catalog.tstzrange(v_starts, v_ends, '[)'),
          coalesce(create_time_off.reason, ''))
  returning * into v_row;
  return private.time_off_json(v_row.id, v_row.provider_id, v_row.period, v_row.reason,
    private.provider_zone(v_row.provider_id));
end;
$$;
comment on function api.create_time_off(uuid, text, text, text) is
  'POST /providers/{provider_id}/time-off (owner, admin, staff, the provider). Body {starts_at, ends_at, reason?}: RFC 3339 instants with an offset, [starts_at, ends_at). -> 201 {id, provider_id, starts_at, ends_at, reason} with instants in the provider''s zone, reason null when none. Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members); 422 invalid_time (no offset, unparsable), validation_failed (ends_at not after starts_at, reason over 1000 characters).';
grant execute on function api.create_time_off(uuid, text, text, text) to authenticated;

create or replace function api.list_time_off(
  provider_id uuid,
  range_from text default null,
  range_to text default null,
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
  v_org_id uuid;
  v_zone text;
  v_from timestamptz;
  v_to timestamptz;
  v_limit integer := private.page_limit(list_time_off.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_user();
  v_org_id := private.require_schedule_provider(list_time_off.provider_id);
  if not (private.is_org_member(v_org_id) or private.is_provider_self(list_time_off.provider_id)) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only members of the organization may read a provider''s time off.';
  end if;
  v_zone := private.provider_zone(list_time_off.provider_id);
  v_from := private.schedule_bound(list_time_off.range_from, v_zone, 'from', false);
  v_to := private.schedule_bound(list_time_off.range_to, v_zone, 'to', true);
  if v_to <= v_from then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'to must be after from.';
  end if;
  v_after := private.decode_cursor(list_time_off.cursor, 'timestamptz', 'text');
  with page as (
    select t.id, t.provider_id, t.period, t.reason
    from app.time_off t
    where t.provider_id = list_time_off.provider_id
      and t.period operator(pg_catalog.&&) pg_catalog.tstzrange(v_from, v_to, '[)')
      and (v_after is null
           or (pg_catalog.lower(t.period), t.id::text) > (v_after[1]::timestamptz, v_after[2]))
    order by pg_catalog.lower(t.period), t.id::text
    limit v_limit + 1
  ), numbered as (
    select p.*, row_number() over (order by pg_catalog.lower(p.period), p.id::text) as n from page p
  )
  select coalesce(pg_catalog.json_agg(
           private.time_off_json(x.id, x.provider_id, x.period, x.reason, v_zone) order by x.n
         ) filter (where x.n <= v_limit), '[]'),
         case when max(x.n) > v_limit then
           max(case when x.n = v_limit then private.encode_cursor(pg_catalog.lower(x.period)::text, x.id::text) end)
         end
  into v_items, v_next
  from numbered x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_time_off(uuid, text, text, integer, text) is
  'GET /providers/{provider_id}/time-off?from&to&limit&cursor (members of the organization, and the provider). from/to: a date "YYYY-MM-DD" (a whole local day in the provider''s zone: from its start, to its end) or an RFC 3339 instant with an offset; either open. Lists time off overlapping [from, to), by start. -> {items: [{id, provider_id, starts_at, ends_at, reason}], next_cursor}. Errors: 401 unauthorized; 403 forbidden (a visible provider of another organization); 404 not_found (unknown provider, an inactive one for non-members); 422 invalid_time (bad bound), validation_failed (to not after from, bad limit or cursor).';
grant execute on function api.list_time_off(uuid, text, text, integer, text) to anon, authenticated;

create or replace function api.delete_time_off(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id uuid;
  v_provider_id uuid;
begin
  perform private.require_user();
  select t.org_id, t.provider_id into v_org_id, v_provider_id
  from app.time_off t
  where t.id = delete_time_off.id;
  if v_org_id is null then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such time off.';
  end if;
  perform private.require_schedule_writer(v_org_id, v_provider_id, true);
  delete from app.time_off t where t.id = delete_time_off.id;
end;
$$;
comment on function api.delete_time_off(uuid) is
  'DELETE /time-off/{id} (owner, admin, staff, the provider). -> 204. Errors: 401 unauthorized; 403 forbidden (a member who may read it but not remove it); 404 not_found (no such time off, or one the caller cannot see).';
grant execute on function api.delete_time_off(uuid) to authenticated;
