-- 63 series: recurring bookings. One request books the same service with the same provider every
-- 1, 2 or 4 weeks, 2 to 52 times, at the same local wall-clock time in the provider's zone
-- (09:00 stays 09:00 across DST changes); its occurrences are ordinary rows of app.bookings with
-- series_id set, each checked and inserted like a single booking; api.get_booking_series shows
-- one. Cancelling an occurrence with its later ones is api.cancel_booking(scope => 'following')
-- in 60-bookings.
-- Depends on: 011 (app.booking_series, app.bookings.series_id), 10-helpers (parse_instant,
--   local_iso, now), 35-roles (my_org_ids, staff_roles), 43-providers (provider_zone),
--   50-slots (offered_service, slot_problem), 60-bookings (check_booking_for,
--   check_customer_may_book, lock_provider_calendar, raise_slot_problem, booking_out,
--   idempotent_replay, idempotent_store).
-- Raises: PT401 unauthorized; PT403 forbidden, email_not_verified; PT404 not_found;
--   PT409 slot_taken, too_many_bookings; PT422 validation_failed, outside_working_hours,
--   too_soon, too_far_ahead, service_not_offered, invalid_time, idempotency_key_reused.
-- on_conflict 'fail' books every occurrence or none: the first one that cannot be booked
-- answers with its own error, naming its start. 'skip' books the free ones and lists the rest
-- with their reason; if none is free, 409 slot_taken. Either way the customer's cap on upcoming
-- bookings (max_active_bookings_per_customer) counts the occurrences actually booked, and a
-- series that would pass it books nothing (409 too_many_bookings).

-- ---------------------------------------------------------------------------------------------
-- Who sees which series

grant select on app.booking_series to authenticated;

drop policy if exists "customers and staff read their series" on app.booking_series;
create policy "customers and staff read their series" on app.booking_series
  for select to authenticated
  using (customer_id = (select auth.uid())
         or org_id = any ((select private.my_org_ids(private.staff_roles()))::uuid[]));

-- ---------------------------------------------------------------------------------------------
-- Booking a series

create or replace function private.create_booking_series(
  p_provider_id uuid,
  p_service_id uuid,
  p_start text,
  p_every text,
  p_count integer,
  p_on_conflict text,
  p_customer_note text,
  p_customer_id uuid,
  p_idempotency_key text
)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_customer uuid := coalesce(p_customer_id, v_uid);
  v_weeks integer := case p_every when 'P1W' then 1 when 'P2W' then 2 when 'P4W' then 4 end;
  v_replay json;
  v_service app.services;
  v_zone text;
  v_first timestamptz;
  v_series_id uuid;
  v_start timestamptz;
  v_problem text;
  v_booked integer := 0;
  v_skipped jsonb := '[]';
  v_cap integer;
  v_active bigint;
  v_state text;
  v_code text;
  v_detail text;
begin
  if v_weeks is null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'every must be P1W, P2W or P4W (every 1, 2 or 4 weeks).';
  end if;
  if p_count is null or p_count not between 2 and 52 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'count must be between 2 and 52.';
  end if;
  if p_on_conflict is null or p_on_conflict not in ('fail', 'skip') then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'on_conflict must be fail or skip.';
  end if;

  v_replay := private.idempotent_replay(p_idempotency_key, pg_catalog.jsonb_build_object(
    'route', 'POST /bookings/series', 'provider_id', p_provider_id, 'service_id', p_service_id,
    'start', p_start, 'every', p_every, 'count', p_count, 'on_conflict', p_on_conflict,
    'customer_note', p_customer_note, 'customer_id', p_customer_id));
  if v_replay is not null then
    return v_replay;
  end if;

  -- The checks of a single booking (60-bookings), once for the series.
  v_service := private.offered_service(p_provider_id, p_service_id);
  v_first := private.parse_instant(p_start);
  v_zone := private.provider_zone(p_provider_id);
  perform private.check_booking_for(v_service.org_id, v_customer);
  perform private.check_customer_may_book(v_service.org_id, v_customer);
  perform private.lock_provider_calendar(p_provider_id);

  insert into app.booking_series (
    org_id, provider_id, service_id, customer_id, every_weeks, occurrences, first_start,
    created_by, created_at)
  values (
    v_service.org_id, p_provider_id, p_service_id, v_customer, v_weeks, p_count, v_first,
    v_uid, private.now())
  returning id into v_series_id;

  for i in 0 .. p_count - 1 loop
    -- The same wall-clock time i periods later, read in the provider's zone.
    v_start := ((v_first at time zone v_zone) + pg_catalog.make_interval(weeks => i * v_weeks))
      at time zone v_zone;
    v_problem := private.slot_problem(p_provider_id, p_service_id, v_start);
    if v_problem is null then
      begin
        insert into app.bookings (
          org_id, provider_id, service_id, customer_id, starts_at, ends_at,
          buffer_before_minutes, buffer_after_minutes, status, price_minor, currency,
          customer_note, created_by, created_at, updated_at, series_id)
        values (
          v_service.org_id, p_provider_id, p_service_id, v_customer, v_start,
          v_start + pg_catalog.make_interval(mins => v_service.duration_minutes),
          v_service.buffer_before_minutes, v_service.buffer_after_minutes,
          case when v_service.requires_confirmation then 'pending' else 'confirmed' end::app.booking_status,
          v_service.price_minor, v_service.currency, coalesce(p_customer_note, ''), v_uid,
          private.now(), private.now(), v_series_id);
        v_booked := v_booked + 1;
      exception
        when exclusion_violation then
          -- The constraint's own detail names the other booking's times: never passed on.
          v_problem := 'slot_taken';
        when sqlstate 'PT409' then
          -- The resource claims trigger lost a race for the last unit (47-resources).
          v_problem := 'resource_unavailable';
      end;
    end if;
    continue when v_problem is null;
    if p_on_conflict = 'skip' then
      v_skipped := v_skipped || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'start', private.local_iso(v_start, v_zone), 'reason', v_problem));
      continue;
    end if;
    -- fail: the single booking's error for this start, naming it (the caller's own time).
    begin
      perform private.raise_slot_problem(v_problem);
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_code = message_text,
        v_detail = pg_exception_detail;
      raise exception using errcode = v_state, message = v_code,
        detail = pg_catalog.format('The occurrence at %s cannot be booked, so none was: %s',
          private.local_iso(v_start, v_zone), v_detail);
    end;
  end loop;

  if v_booked = 0 then
    raise exception using errcode = 'PT409', message = 'slot_taken',
      detail = 'None of the series'' occurrences is available; choose another time.';
  end if;

  -- The cap of private.check_customer_may_book, for everything this series adds (the customer's
  -- lock taken there is still held).
  select o.max_active_bookings_per_customer into v_cap from app.organizations o where o.id = v_service.org_id;
  select pg_catalog.count(*) into v_active
  from app.bookings b
  where b.org_id = v_service.org_id and b.customer_id = v_customer
    and (b.status in ('pending', 'confirmed')
         or (b.status = 'held' and b.hold_expires_at > private.now()))
    and b.ends_at > private.now();
  if v_active > v_cap then
    raise exception using errcode = 'PT409', message = 'too_many_bookings',
      detail = pg_catalog.format('A customer may hold at most %s upcoming bookings here, and this series would make %s; nothing was booked.',
        v_cap, v_active);
  end if;

  return private.idempotent_store(p_idempotency_key, 201, pg_catalog.json_build_object(
    'series_id', v_series_id,
    'bookings', (
      select pg_catalog.json_agg(private.booking_out(b.id) order by b.starts_at)
      from app.bookings b where b.series_id = v_series_id),
    'skipped', v_skipped));
end;
$$;
comment on function private.create_booking_series(uuid, uuid, text, text, integer, text, text, uuid, text) is
  'Book a recurring series (see api.create_booking_series): each occurrence after the same checks as a single booking, inserted with series_id under a savepoint so a lost race is one occurrence''s slot_taken. Definer: checks against bookings the caller cannot read, and writes app.bookings and app.booking_series, which clients may not.';
grant execute on function private.create_booking_series(uuid, uuid, text, text, integer, text, text, uuid, text) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.create_booking_series(
  provider_id uuid,
  service_id uuid,
  start text,
  every text,
  count integer,
  on_conflict text default 'fail',
  customer_note text default null,
  customer_id uuid default null,
  idempotency_key text default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.create_booking_series(create_booking_series.provider_id,
    create_booking_series.service_id, create_booking_series.start, create_booking_series.every,
    create_booking_series.count, create_booking_series.on_conflict,
    create_booking_series.customer_note, create_booking_series.customer_id,
    create_booking_series.idempotency_key);
end;
$$;
comment on function api.create_booking_series(uuid, uuid, text, text, integer, text, text, uuid, text) is
  'POST /bookings/series {provider_id, service_id, start, every: P1W | P2W | P4W, count: 2..52, on_conflict?: fail (default) | skip, customer_note?, customer_id? (staff only)}, header Idempotency-Key -> 201 {series_id, bookings: [booking], skipped: [{start, reason}]}. Occurrence i starts at start''s local wall-clock time in the provider''s zone, i * every later. fail: all or nothing, the first occurrence that cannot be booked answers its error (409 slot_taken, 422 too_soon, too_far_ahead, outside_working_hours) naming its start. skip: books the free occurrences and lists the others with their reason; 409 slot_taken if none is free. Errors: 409 too_many_bookings (the booked occurrences would pass the organization''s cap; nothing is booked); 422 validation_failed (every, count, on_conflict; customer_id as POST /bookings), service_not_offered, invalid_time, idempotency_key_reused; 403 forbidden (customer_id by non-staff), email_not_verified; 404 not_found.';
grant execute on function api.create_booking_series(uuid, uuid, text, text, integer, text, text, uuid, text) to authenticated;

create or replace function api.get_booking_series(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_series app.booking_series;
begin
  perform private.require_user();
  select * into v_series from app.booking_series s where s.id = get_booking_series.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such series.';
  end if;
  return pg_catalog.json_build_object(
    'series_id', v_series.id,
    'org_id', v_series.org_id,
    'provider_id', v_series.provider_id,
    'service_id', v_series.service_id,
    'customer_id', v_series.customer_id,
    'every', 'P' || v_series.every_weeks || 'W',
    'count', v_series.occurrences,
    'start', private.local_iso(v_series.first_start, private.provider_zone(v_series.provider_id)),
    'created_at', private.utc(v_series.created_at),
    'bookings', coalesce((
      select pg_catalog.json_agg(private.booking_json(b, n.internal_note, private.sees_internal_notes(b))
        order by b.starts_at)
      from app.bookings b
      left join app.booking_notes n on n.booking_id = b.id
      where b.series_id = v_series.id
    ), '[]'));
end;
$$;
comment on function api.get_booking_series(uuid) is
  'GET /bookings/series/{id}: the customer and the organization''s staff+. -> {series_id, org_id, provider_id, service_id, customer_id, every, count, start (the first, in the provider''s zone), created_at, bookings: [booking] (every occurrence booked, whatever its status now, by start)}. Errors: 401; 404 not_found (also for series the caller may not see).';
grant execute on function api.get_booking_series(uuid) to authenticated;
