-- 50 slots: the availability engine. Working windows per local date (weekly hours, or that
-- date's override), converted to instants in the provider's zone (DST-correct), minus time off
-- and active bookings' blocked ranges, computed set-wise with multiranges; slot starts on the
-- service's grid counted from each window's start, with buffers, notice and advance limits.
-- Depends on: 002, 011, 10-helpers (parse_instant, local_iso), 35-roles (is_org_member),
--   43-providers (provider_zone), 47-resources (resources_free).
-- Raises: PT404 not_found, PT422 service_not_offered, invalid_time, range_too_long,
--   validation_failed.
-- Busy time is every live claim: pending and confirmed bookings, and holds until they expire
-- (an expired hold is free time at once, deleted or not). A service that needs resources is
-- offered only where enough of each kind is free for the whole blocked time.
-- The engine is SECURITY DEFINER: a free slot depends on other customers' bookings and on time
-- off, which the caller may not read; it returns instants only, never whose or why.

drop function if exists private.working_windows(uuid, date, date);

create or replace function private.working_windows(p_provider_ids uuid[], p_from timestamptz, p_to timestamptz)
returns table (provider_id uuid, window_range tstzrange)
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- PL/pgSQL, not SQL: its plan is kept between calls, where a SQL function plans every time.
  return query
  with providers as (
    select p.id, coalesce(p.timezone, o.timezone) as zone
    from app.providers p
    join app.organizations o on o.id = p.org_id
    where p.id = any (p_provider_ids)
  ), hours as materialized (
    -- Each provider's own rows, looked up one provider at a time (the exclusion constraint's
    -- index): a join on the provider array would read every provider's hours.
    select p.id, h.weekday, h.starts, h.ends, h.valid_from, h.valid_until
    from providers p
    cross join lateral (select * from app.working_hours x where x.provider_id = p.id) h
  ), overrides as materialized (
    select p.id, o.on_date, o.windows
    from providers p
    cross join lateral (
      select * from app.date_overrides x
      where x.provider_id = p.id
        and x.on_date between (p_from at time zone p.zone)::date - 1 and (p_to at time zone p.zone)::date + 1
    ) o
  ), days as (
    -- Every local date that can touch [p_from, p_to), with a day to spare on each side.
    select providers.id, providers.zone, d::date as day
    from providers
    cross join lateral pg_catalog.generate_series(
      ((p_from at time zone providers.zone)::date - 1)::timestamp,
      ((p_to at time zone providers.zone)::date + 1)::timestamp,
      interval '1 day') d
  ), local_windows as (
    select days.id, days.zone, w as local_range
    from days
    join overrides o on o.id = days.id and o.on_date = days.day
    cross join lateral pg_catalog.unnest(o.windows) w
    union all
    select days.id, days.zone, pg_catalog.tsrange(days.day + h.starts, days.day + h.ends)
    from days
    join hours h
      on h.id = days.id
     and h.weekday = extract(isodow from days.day)
     and (h.valid_from is null or h.valid_from <= days.day)
     and (h.valid_until is null or days.day <= h.valid_until)
    where not exists (
      select 1 from overrides o
      where o.id = days.id and o.on_date = days.day
    )
  )
  select l.id, pg_catalog.tstzrange(
    pg_catalog.lower(l.local_range) at time zone l.zone,
    pg_catalog.upper(l.local_range) at time zone l.zone)
  from local_windows l;
end;
$$;
comment on function private.working_windows(uuid[], timestamptz, timestamptz) is
  'The working windows of providers on every local date touching [p_from, p_to) (a day either side) as instant ranges: wall-clock times read in each provider''s zone on each date, so 09:00-17:00 stays 09:00-17:00 local on DST days.';

drop function if exists private.slots(uuid, uuid, timestamptz, timestamptz, uuid, boolean, boolean);

create or replace function private.provider_slots(
  p_provider_ids uuid[],
  p_service_id uuid,
  p_from timestamptz,
  p_to timestamptz,
  p_exclude_booking uuid default null,
  p_ignore_bookings boolean default false,
  p_ignore_limits boolean default false,
  p_ignore_resources boolean default false
)
returns table (provider_id uuid, starts_at timestamptz, ends_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
-- The planner cannot see how few rows the set-returning steps give and would JIT-compile the
-- query, which costs a hundred times what running it does.
set jit = off
set plan_cache_mode = force_generic_plan
as $$
declare
  v_service app.services;
  v_now timestamptz := private.now();
  v_duration interval;
  v_before interval;
  v_after interval;
  v_step interval;
  v_span tstzrange;
  v_resources boolean;
begin
  -- Callers ask for at most 62 local days (and the waitlist a day more each side); a direct
  -- caller of this function gets no more than that.
  if p_to - p_from > interval '66 days' then
    raise exception using errcode = 'PT422', message = 'range_too_long',
      detail = 'Ask for at most 62 days at a time.';
  end if;
  select * into v_service from app.services s where s.id = p_service_id;
  if not found then
    return;
  end if;
  v_step := pg_catalog.make_interval(mins => v_service.slot_interval_minutes);
  v_duration := pg_catalog.make_interval(mins => v_service.duration_minutes);
  v_before := pg_catalog.make_interval(mins => v_service.buffer_before_minutes);
  v_after := pg_catalog.make_interval(mins => v_service.buffer_after_minutes);
  v_resources := not (p_ignore_bookings or p_ignore_resources)
    and exists (select 1 from app.service_resources r where r.service_id = p_service_id);
  -- Everything that could touch a candidate: the range widened by a day and the buffers.
  v_span := pg_catalog.tstzrange(p_from - interval '1 day' - v_before, p_to + interval '1 day' + v_duration + v_after);

  return query
  with windows as (
    select w.provider_id, w.window_range
    from private.working_windows(p_provider_ids, p_from, p_to) w
  ), busy as materialized (
    select b.provider_id, pg_catalog.range_agg(b.period) as m
    from (
      select t.provider_id, t.period
      from app.time_off t
      where t.provider_id = any (p_provider_ids) and t.period operator(pg_catalog.&&) v_span
      union all
      select k.provider_id, k.blocked
      from app.bookings k
      where not p_ignore_bookings
        and k.org_id = v_service.org_id
        and k.provider_id = any (p_provider_ids)
        and k.blocked operator(pg_catalog.&&) v_span
        and (k.status in ('pending', 'confirmed') or (k.status = 'held' and k.hold_expires_at > v_now))
        and k.id is distinct from p_exclude_booking
    ) b
    group by b.provider_id
  ), working as (
    select w.provider_id, pg_catalog.range_agg(w.window_range) as m
    from windows w
    group by w.provider_id
  ), free as materialized (
    select x.provider_id, x.m operator(pg_catalog.-) coalesce(busy.m, '{}'::tstzmultirange) as m
    from working x
    left join busy on busy.provider_id = x.provider_id
  )
  -- Starts are on the grid counted from the window's start. A start fits when the booking with
  -- its buffers lies inside one free piece, so the grid is walked only inside the free pieces
  -- near the window (the window widened by the buffers, which may reach into a window next to
  -- it): no candidate is generated to be thrown away.
  select w.provider_id, s.at, s.at + v_duration
  from windows w
  join free f on f.provider_id = w.provider_id
  cross join lateral pg_catalog.unnest(f.m operator(pg_catalog.*) pg_catalog.tstzmultirange(pg_catalog.tstzrange(
    pg_catalog.lower(w.window_range) - v_before, pg_catalog.upper(w.window_range) + v_after))) as r(piece)
  cross join lateral (
    select greatest(pg_catalog.lower(r.piece) + v_before, pg_catalog.lower(w.window_range)) as first_at,
           least(pg_catalog.upper(r.piece) - v_after, pg_catalog.upper(w.window_range)) - v_duration as last_at
  ) b
  cross join lateral pg_catalog.generate_series(
    pg_catalog.lower(w.window_range) + v_step * ceil(
      extract(epoch from b.first_at - pg_catalog.lower(w.window_range)) / extract(epoch from v_step)),
    b.last_at,
    v_step) as s(at)
  where s.at >= p_from
    and s.at < p_to
    and (p_ignore_limits or (
      s.at >= v_now + pg_catalog.make_interval(mins => v_service.min_notice_minutes)
      and s.at <= v_now + pg_catalog.make_interval(days => v_service.max_advance_days)))
    and (not v_resources or private.resources_free(p_service_id,
      pg_catalog.tstzrange(s.at - v_before, s.at + v_duration + v_after), p_exclude_booking));
end;
$$;
comment on function private.provider_slots(uuid[], uuid, timestamptz, timestamptz, uuid, boolean, boolean, boolean) is
  'The availability engine, for several providers at once: bookable starts of a service with each provider in [p_from, p_to), inside working windows (with both buffers), outside time off, active bookings and live holds (except p_exclude_booking), with the service''s resources free unless told to ignore them, on the grid from each window''s start, within notice and advance unless told to ignore them. One query for all providers, so the org-wide list costs one pass; in no particular order. Definer: a free slot depends on other customers'' bookings and on time off, which the caller may not read; it returns instants only, never whose or why.';
grant execute on function private.provider_slots(uuid[], uuid, timestamptz, timestamptz, uuid, boolean, boolean, boolean) to anon, authenticated;

create or replace function private.slots(
  p_provider_id uuid,
  p_service_id uuid,
  p_from timestamptz,
  p_to timestamptz,
  p_exclude_booking uuid default null,
  p_ignore_bookings boolean default false,
  p_ignore_limits boolean default false,
  p_ignore_resources boolean default false
)
returns table (starts_at timestamptz, ends_at timestamptz)
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
  select s.starts_at, s.ends_at
  from private.provider_slots(array[p_provider_id], p_service_id, p_from, p_to, p_exclude_booking,
    p_ignore_bookings, p_ignore_limits, p_ignore_resources) s
  order by s.starts_at;
end;
$$;
comment on function private.slots(uuid, uuid, timestamptz, timestamptz, uuid, boolean, boolean, boolean) is
  'Bookable starts of a service with one provider in [p_from, p_to): private.provider_slots for that provider alone.';

create or replace function private.slot_problem(
  p_provider_id uuid,
  p_service_id uuid,
  p_start timestamptz,
  p_exclude_booking uuid default null
)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services;
  v_now timestamptz := private.now();
  v_tick timestamptz := p_start + interval '1 microsecond';
begin
  select * into v_service from app.services s where s.id = p_service_id;
  if p_start < v_now + pg_catalog.make_interval(mins => v_service.min_notice_minutes) then
    return 'too_soon';
  end if;
  if p_start > v_now + pg_catalog.make_interval(days => v_service.max_advance_days) then
    return 'too_far_ahead';
  end if;
  if not exists (
    select 1 from private.slots(p_provider_id, p_service_id, p_start, v_tick, null, true, true) s
    where s.starts_at = p_start
  ) then
    return 'outside_working_hours';
  end if;
  if not exists (
    select 1 from private.slots(p_provider_id, p_service_id, p_start, v_tick, p_exclude_booking, false, true, true) s
    where s.starts_at = p_start
  ) then
    return 'slot_taken';
  end if;
  if not exists (
    select 1 from private.slots(p_provider_id, p_service_id, p_start, v_tick, p_exclude_booking, false, true) s
    where s.starts_at = p_start
  ) then
    return 'resource_unavailable';
  end if;
  return null;
end;
$$;
comment on function private.slot_problem(uuid, uuid, timestamptz, uuid) is
  'Why a start cannot be booked (too_soon, too_far_ahead, outside_working_hours, slot_taken, resource_unavailable), or NULL: the same engine as the slot list, so an offered slot is always bookable. Definer: like private.slots, it reads bookings and time off the caller may not read, and answers a reason code only.';

create or replace function private.offered_service(p_provider_id uuid, p_service_id uuid)
returns app.services
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_provider app.providers;
  v_service app.services;
begin
  -- The visibility rules of the providers and services policies (active, or the caller is a
  -- member), spelled out because definer callers (booking) run as the owner.
  select * into v_provider from app.providers p where p.id = p_provider_id;
  if not found or not (v_provider.active or private.is_org_member(v_provider.org_id)) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such provider.';
  end if;
  select * into v_service from app.services s where s.id = p_service_id;
  if not found or not (v_service.active or private.is_org_member(v_service.org_id)) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such service.';
  end if;
  if v_service.org_id <> v_provider.org_id or not v_service.active or not v_provider.active
      or not exists (
        select 1 from app.service_providers sp
        where sp.service_id = p_service_id and sp.provider_id = p_provider_id) then
    raise exception using errcode = 'PT422', message = 'service_not_offered',
      detail = 'This provider does not offer this service.';
  end if;
  return v_service;
end;
$$;
comment on function private.offered_service(uuid, uuid) is
  'The service when the caller can see provider and service and the provider offers it (both active); 404 not_found or 422 service_not_offered otherwise. One rule for the slot list, availability checks and booking. Definer: booking calls it as the owner, so visibility is computed from the caller''s memberships, not from RLS.';
grant execute on function private.offered_service(uuid, uuid) to anon, authenticated;

create or replace function private.range_bound(p_value text, p_zone text, p_end boolean, p_field text)
returns timestamptz
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_value is null then
    return null;
  end if;
  if p_value ~ '^\d{4}-\d{2}-\d{2}$' then
    -- A date is a whole local day in the zone; as an end bound it includes that day.
    begin
      return ((p_value::date + case when p_end then 1 else 0 end)::timestamp) at time zone p_zone;
    exception when others then
      raise exception using errcode = 'PT422', message = 'invalid_time',
        detail = p_field || ' is not a valid date.';
    end;
  end if;
  return private.parse_instant(p_value, p_field);
end;
$$;
comment on function private.range_bound(text, text, boolean, text) is
  'A range bound given as a local date (YYYY-MM-DD in p_zone; an end date includes its day) or an RFC 3339 instant.';
grant execute on function private.range_bound(text, text, boolean, text) to anon, authenticated, service_role;

create or replace function private.slot_range(p_from text, p_to text, p_zone text)
returns tstzrange
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_from timestamptz := coalesce(private.range_bound(p_from, p_zone, false, 'from'), private.now());
  v_to timestamptz := coalesce(private.range_bound(p_to, p_zone, true, 'to'), v_from + interval '7 days');
begin
  if v_to <= v_from then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'to must be after from.';
  end if;
  -- Counted in local time, so 62 dates across the 25-hour autumn day are still 62 days.
  if (v_to at time zone p_zone) - (v_from at time zone p_zone) > interval '62 days' then
    raise exception using errcode = 'PT422', message = 'range_too_long',
      detail = 'Ask for at most 62 days at a time.';
  end if;
  return pg_catalog.tstzrange(v_from, v_to);
end;
$$;
comment on function private.slot_range(text, text, text) is
  'The range a slot list asks for: from/to as local dates in p_zone (to inclusive) or RFC 3339 instants, by default the next 7 days; 422 validation_failed when to is not after from, range_too_long past 62 local days.';
grant execute on function private.slot_range(text, text, text) to anon, authenticated;

create or replace function api.available_slots(
  provider_id uuid,
  service_id uuid,
  range_from text default null,
  range_to text default null
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services := private.offered_service(available_slots.provider_id, available_slots.service_id);
  v_zone text := private.provider_zone(available_slots.provider_id);
  v_range tstzrange := private.slot_range(range_from, range_to, v_zone);
begin
  return pg_catalog.json_build_object(
    'provider_id', available_slots.provider_id,
    'service_id', available_slots.service_id,
    'timezone', v_zone,
    'slots', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'start', private.local_iso(s.starts_at, v_zone),
        'end', private.local_iso(s.ends_at, v_zone)) order by s.starts_at)
      from private.slots(available_slots.provider_id, v_service.id,
        pg_catalog.lower(v_range), pg_catalog.upper(v_range)) s
    ), '[]'::json)
  );
end;
$$;
comment on function api.available_slots(uuid, uuid, text, text) is
  'GET /providers/{provider_id}/slots?service_id&from&to. from/to: local dates in the provider''s zone (to inclusive) or RFC 3339 instants; default the next 7 days; span at most 62 days. -> {provider_id, service_id, timezone, slots: [{start, end}]} in the provider''s zone. Errors: 404 not_found, 422 service_not_offered, invalid_time, range_too_long.';
grant execute on function api.available_slots(uuid, uuid, text, text) to anon, authenticated;
grant execute on function private.slots(uuid, uuid, timestamptz, timestamptz, uuid, boolean, boolean, boolean) to anon, authenticated;

create or replace function api.check_availability(provider_id uuid, service_id uuid, start text)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_reason text;
begin
  begin
    perform private.offered_service(check_availability.provider_id, check_availability.service_id);
  exception when sqlstate 'PT422' then
    return pg_catalog.json_build_object('available', false, 'reason', 'service_not_offered');
  end;
  v_reason := private.slot_problem(check_availability.provider_id, check_availability.service_id,
    private.parse_instant(check_availability.start));
  return pg_catalog.json_build_object('available', v_reason is null, 'reason', v_reason);
end;
$$;
comment on function api.check_availability(uuid, uuid, text) is
  'POST /bookings/check-availability {provider_id, service_id, start} -> {available, reason}: reason is too_soon, too_far_ahead, outside_working_hours, slot_taken, resource_unavailable or service_not_offered. Errors: 404 not_found, 422 invalid_time.';
grant execute on function api.check_availability(uuid, uuid, text) to anon, authenticated;
grant execute on function private.slot_problem(uuid, uuid, timestamptz, uuid) to anon, authenticated;

create or replace function api.org_slots(
  org_id uuid,
  service_id uuid,
  range_from text default null,
  range_to text default null
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_zone text;
  v_service app.services;
  v_range tstzrange;
begin
  select o.timezone into v_zone from app.organizations o where o.id = org_slots.org_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
  end if;
  -- The services policy decides what the caller sees: active ones, or all for members.
  select * into v_service from app.services s
  where s.id = org_slots.service_id and s.org_id = org_slots.org_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such service.';
  end if;
  if not v_service.active then
    raise exception using errcode = 'PT422', message = 'service_not_offered',
      detail = 'This service is not offered at the moment.';
  end if;
  v_range := private.slot_range(range_from, range_to, v_zone);
  return pg_catalog.json_build_object(
    'org_id', org_slots.org_id,
    'service_id', v_service.id,
    'timezone', v_zone,
    'slots', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'start', private.local_iso(x.starts_at, v_zone),
        'end', private.local_iso(x.ends_at, v_zone),
        'provider_ids', x.provider_ids) order by x.starts_at, x.ends_at)
      from (
        select s.starts_at, s.ends_at, pg_catalog.array_agg(p.id order by p.created_at, p.id) as provider_ids
        from private.provider_slots(array(
          select sp.provider_id from app.service_providers sp
          join app.providers p on p.id = sp.provider_id
          where sp.service_id = v_service.id and p.org_id = org_slots.org_id and p.active),
          v_service.id, pg_catalog.lower(v_range), pg_catalog.upper(v_range)) s
        join app.providers p on p.id = s.provider_id
        group by s.starts_at, s.ends_at
      ) x
    ), '[]'::json)
  );
end;
$$;
comment on function api.org_slots(uuid, uuid, text, text) is
  'GET /orgs/{org_id}/slots?service_id&from&to: the free slots of every active provider offering the service, merged: {org_id, service_id, timezone, slots: [{start, end, provider_ids}]} in the organization''s zone; from/to as in GET /providers/{id}/slots (local dates in the organization''s zone). Book one with provider_id "any" or one of its provider_ids. Errors: 404 not_found, 422 service_not_offered, invalid_time, range_too_long, validation_failed.';
grant execute on function api.org_slots(uuid, uuid, text, text) to anon, authenticated;
