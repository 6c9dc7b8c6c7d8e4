-- 62 holds: a slot kept for a customer while they finish booking, then confirmed into a
-- booking of the same slot, released, or left to expire.
-- Depends on: 010, 011, 10-helpers (parse_instant, local_iso, utc), 35-roles, 50-slots
--   (slot_problem, offered_service), 60-bookings (bookable_service, take_calendar,
--   check_customer_may_book, booking_out, raise_slot_problem).
-- Raises: PT401 unauthorized; PT404 not_found; PT409 slot_taken, resource_unavailable,
--   too_many_bookings, invalid_transition; PT410 hold_expired; PT422 as POST /bookings.
-- A hold is a row of app.bookings with status 'held': the exclusion constraint that keeps
-- bookings apart keeps holds apart from them too, and its claimed range ends at the hold's
-- expiry, so an expired hold stops blocking at that instant whether or not anything has
-- deleted it yet. private.expire_holds (run by the worker) deletes expired holds later, which
-- hands their slots on to the waitlist (64-waitlist).

create or replace function private.hold_json(p_hold app.bookings)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_zone text := private.provider_zone(p_hold.provider_id);
begin
  return pg_catalog.json_build_object(
    'id', p_hold.id,
    'org_id', p_hold.org_id,
    'provider_id', p_hold.provider_id,
    'service_id', p_hold.service_id,
    'start', private.local_iso(p_hold.starts_at, v_zone),
    'end', private.local_iso(p_hold.ends_at, v_zone),
    'expires_at', private.utc(p_hold.hold_expires_at));
end;
$$;
comment on function private.hold_json(app.bookings) is 'The hold object of the REST contract: {id, org_id, provider_id, service_id, start, end, expires_at}.';
grant execute on function private.hold_json(app.bookings) to authenticated, service_role;

create or replace function private.insert_hold(
  p_provider_id uuid,
  p_service app.services,
  p_customer_id uuid,
  p_start timestamptz
)
returns app.bookings
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hold app.bookings;
begin
  begin
    insert into app.bookings (
      org_id, provider_id, service_id, customer_id, starts_at, ends_at,
      buffer_before_minutes, buffer_after_minutes, status, hold_expires_at, price_minor, currency,
      created_by, created_at, updated_at)
    values (
      p_service.org_id, p_provider_id, p_service.id, p_customer_id, p_start,
      p_start + pg_catalog.make_interval(mins => p_service.duration_minutes),
      p_service.buffer_before_minutes, p_service.buffer_after_minutes, 'held',
      private.now() + pg_catalog.make_interval(mins => (
        select o.hold_minutes from app.organizations o where o.id = p_service.org_id)),
      p_service.price_minor, p_service.currency, p_customer_id, private.now(), private.now())
    returning * into v_hold;
  exception when exclusion_violation then
    perform private.raise_slot_problem('slot_taken');
  end;
  return v_hold;
end;
$$;
comment on function private.insert_hold(uuid, app.services, uuid, timestamptz) is
  'Insert a hold of the organization''s hold_minutes for a customer on a calendar the caller has locked and checked (private.take_calendar); a lost race is 409 slot_taken. Definer: clients may not write app.bookings; reached from private.create_hold and the waitlist only.';

create or replace function private.create_hold(p_provider_id uuid, p_service_id uuid, p_start text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_service app.services;
  v_start timestamptz;
  v_provider uuid;
begin
  v_service := private.bookable_service(p_provider_id, p_service_id);
  v_start := private.parse_instant(p_start);
  -- Live holds count with upcoming bookings against the organization's cap, so one account
  -- cannot hold a whole calendar.
  perform private.check_customer_may_book(v_service.org_id, v_uid);
  v_provider := private.take_calendar(p_provider_id, v_service, v_start);
  return private.hold_json(private.insert_hold(v_provider, v_service, v_uid, v_start));
end;
$$;
comment on function private.create_hold(uuid, uuid, text) is
  'Hold a free slot for the caller, with the checks of a booking. Definer: checks against bookings the caller cannot read and writes app.bookings.';
grant execute on function private.create_hold(uuid, uuid, text) to authenticated;

create or replace function api.create_hold(provider_id text, service_id uuid, start text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.create_hold(private.provider_choice(create_hold.provider_id), create_hold.service_id,
    create_hold.start);
end;
$$;
comment on function api.create_hold(text, uuid, text) is
  'POST /bookings/holds {provider_id (an id or "any"), service_id, start} -> 201 {id, org_id, provider_id, service_id, start, end, expires_at}: the slot is kept for the caller like a booking until expires_at (the organization''s hold_minutes, default 10). Errors: as POST /bookings (409 slot_taken, resource_unavailable, too_many_bookings; 422 too_soon, outside_working_hours, ...).';
grant execute on function api.create_hold(text, uuid, text) to authenticated;

create or replace function private.my_hold_for_update(p_id uuid)
returns app.bookings
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hold app.bookings;
begin
  select * into v_hold from app.bookings b
  where b.id = p_id and b.customer_id = private.require_user()
  for update;
  if not found or v_hold.status not in ('held', 'pending', 'confirmed') then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such hold.';
  end if;
  return v_hold;
end;
$$;
comment on function private.my_hold_for_update(uuid) is
  'Lock the caller''s own hold (or the booking it has already become), else 404 not_found. Definer: reads the row under lock whatever policies a direct client has.';

create or replace function private.confirm_hold(p_id uuid, p_customer_note text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hold app.bookings := private.my_hold_for_update(p_id);
  v_service app.services;
begin
  if v_hold.status <> 'held' then
    raise exception using errcode = 'PT409', message = 'invalid_transition',
      detail = 'This hold has already been confirmed.';
  end if;
  if v_hold.hold_expires_at <= private.now() or v_hold.starts_at <= private.now() then
    raise exception using errcode = 'PT410', message = 'hold_expired',
      detail = 'This hold has expired and its slot may be taken; choose a slot again.';
  end if;
  select * into v_service from app.services s where s.id = v_hold.service_id;
  begin
    -- The claim becomes open-ended; the constraint checks it again, so a booking made after
    -- the expiry instant (possible once the clock has passed it) wins and this one is refused.
    update app.bookings b
    set status = case when v_service.requires_confirmation then 'pending' else 'confirmed' end::app.booking_status,
        hold_expires_at = null,
        customer_note = coalesce(p_customer_note, '')
    where b.id = p_id;
  exception when exclusion_violation then
    raise exception using errcode = 'PT410', message = 'hold_expired',
      detail = 'This hold has expired and its slot may be taken; choose a slot again.';
  end;
  update app.waitlist_entries w
  set status = 'booked', updated_at = private.now()
  where w.hold_id = p_id and w.status = 'offered';
  return private.booking_out(p_id);
end;
$$;
comment on function private.confirm_hold(uuid, text) is
  'Turn the caller''s live hold into a booking of the same slot (pending when the service wants confirmation); 409 invalid_transition when already confirmed, 410 hold_expired after expiry. Definer: clients may not write app.bookings.';
grant execute on function private.confirm_hold(uuid, text) to authenticated;

create or replace function api.confirm_hold(id uuid, customer_note text default null)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.confirm_hold(confirm_hold.id, confirm_hold.customer_note);
end;
$$;
comment on function api.confirm_hold(uuid, text) is
  'POST /bookings/holds/{id}/confirm {customer_note?}: the holder only -> 201 booking (same id, same slot). Errors: 404 not_found, 409 invalid_transition (already confirmed), 410 hold_expired.';
grant execute on function api.confirm_hold(uuid, text) to authenticated;

create or replace function private.release_hold(p_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hold app.bookings := private.my_hold_for_update(p_id);
begin
  if v_hold.status <> 'held' then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such hold.';
  end if;
  delete from app.bookings b where b.id = p_id;
end;
$$;
comment on function private.release_hold(uuid) is
  'Delete the caller''s hold: its slot is free at once (and offered to the waitlist). Definer: clients may not write app.bookings.';
grant execute on function private.release_hold(uuid) to authenticated;

create or replace function api.release_hold(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.release_hold(release_hold.id);
end;
$$;
comment on function api.release_hold(uuid) is
  'DELETE /bookings/holds/{id}: the holder only -> 204; the slot is free at once. Errors: 404 not_found.';
grant execute on function api.release_hold(uuid) to authenticated;

create or replace function api.get_hold(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hold app.bookings;
begin
  select * into v_hold from app.bookings b
  where b.id = get_hold.id and b.status = 'held' and b.customer_id = private.require_user();
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such hold.';
  end if;
  return private.hold_json(v_hold);
end;
$$;
comment on function api.get_hold(uuid) is
  'GET /bookings/holds/{id}: the holder''s hold, expired or not, until it is confirmed or deleted. Errors: 404 not_found.';
grant execute on function api.get_hold(uuid) to authenticated;

create or replace function private.expire_holds()
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hold record;
  v_count integer := 0;
begin
  -- They stopped blocking at expiry already; deleting them now hands their slots on to the
  -- waitlist (the delete trigger in 64-waitlist, which takes each provider's calendar lock):
  -- one at a time in provider order, the order every other multi-calendar path locks in.
  -- SKIP LOCKED: a hold being confirmed right now is left to that transaction.
  for v_hold in
    select h.id from app.bookings h
    where h.status = 'held' and h.hold_expires_at <= private.now()
    order by h.provider_id, h.hold_expires_at
    limit 100
    for update skip locked
  loop
    delete from app.bookings b where b.id = v_hold.id;
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function private.expire_holds() is
  'Delete up to 100 expired holds, in provider order (the worker runs it every round), and return how many. Definer: run by the worker as service_role; deletes rows of every organization.';
revoke execute on function private.expire_holds() from public;
grant execute on function private.expire_holds() to service_role;
