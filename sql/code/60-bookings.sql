-- 60 bookings: create, reschedule, the status workflow, notes, history, lists, idempotency.
-- Depends on: 002, 10-helpers (parse_instant, local_iso, cursors), 35-roles (is_org_staff,
--   is_org_member, is_provider_self, my_org_ids, staff_roles, my_provider_ids), 43-providers
--   (provider_zone), 50-slots.
-- Raises: PT401 unauthorized; PT403 forbidden; PT404 not_found; PT409 slot_taken,
--   invalid_transition, cancellation_window_passed; PT422 outside_working_hours, too_soon,
--   too_far_ahead, service_not_offered, invalid_time, idempotency_key_reused, validation_failed.
-- Writes go through SECURITY DEFINER functions in private (a booking is checked against other
-- customers' bookings the caller cannot read); every one of them lands on the exclusion
-- constraint app.bookings_no_overlap, which is the last word on double booking. Reads are
-- invoker and filtered by the policies below. Internal notes live in app.booking_notes, which
-- customers cannot read at all. Those who read them (staff+, the provider) also get the
-- customer's name, which only a definer can read from auth.users (private.booking_customer_name).

-- ---------------------------------------------------------------------------------------------
-- Who sees which booking

grant select on app.bookings to authenticated;
grant select on app.booking_notes to authenticated;
grant select on app.booking_history to authenticated;

-- A booking is read by its customer, by the provider whose calendar it is on, and by the
-- organization's staff (owners, admins, staff): one policy, the three cases or-ed.
drop policy if exists "customers read their own bookings" on app.bookings;
drop policy if exists "providers read bookings on their calendar" on app.bookings;
drop policy if exists "staff read their organization's bookings" on app.bookings;
drop policy if exists "customers, providers and staff read their bookings" on app.bookings;
create policy "customers, providers and staff read their bookings" on app.bookings
  for select to authenticated
  using (customer_id = (select auth.uid())
         or provider_id = any ((select private.my_provider_ids())::uuid[])
         or org_id = any ((select private.my_org_ids(private.staff_roles()))::uuid[]));

-- Internal notes are read by the organization's staff and by the provider whose calendar the
-- booking is on, never by the customer.
drop policy if exists "staff read internal notes" on app.booking_notes;
drop policy if exists "providers read internal notes on their calendar" on app.booking_notes;
drop policy if exists "staff and the provider read internal notes" on app.booking_notes;
create policy "staff and the provider read internal notes" on app.booking_notes
  for select to authenticated
  using (org_id = any ((select private.my_org_ids(private.staff_roles()))::uuid[])
         or exists (
           select 1 from app.bookings b
           where b.id = booking_id and b.provider_id = any ((select private.my_provider_ids())::uuid[])
         ));

-- The staff's organizations are private.my_org_ids(private.staff_roles()) (35-roles) now.
drop function if exists private.my_staff_org_ids();

drop policy if exists "readers of a booking read its history" on app.booking_history;
create policy "readers of a booking read its history" on app.booking_history
  for select to authenticated
  using (exists (select 1 from app.bookings b where b.id = booking_id));

-- Idempotency keys are read and written by private.idempotent_replay and idempotent_store only.

-- ---------------------------------------------------------------------------------------------
-- History

create or replace function private.record_booking_change()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_action text;
begin
  if NEW.status = 'held' then
    return NEW;  -- a hold is not a booking yet: its history starts when it is confirmed
  elsif TG_OP = 'INSERT' or OLD.status = 'held' then
    v_action := 'created';
  elsif NEW.status is distinct from OLD.status then
    v_action := NEW.status::text;
  elsif NEW.starts_at is distinct from OLD.starts_at then
    v_action := 'rescheduled';
  elsif NEW.customer_note is distinct from OLD.customer_note then
    v_action := 'note_changed';
  else
    return NEW;
  end if;
  insert into app.booking_history (org_id, booking_id, at, actor_id, action, from_status, to_status, from_start, to_start)
  values (
    NEW.org_id, NEW.id, private.now(), auth.uid(), v_action,
    case when v_action <> 'created' then OLD.status end, NEW.status,
    case when v_action <> 'created' then OLD.starts_at end, NEW.starts_at
  );
  return NEW;
end;
$$;
comment on function private.record_booking_change() is 'AFTER trigger: one app.booking_history row per change of a booking, with the acting user; a hold has none until it is confirmed (created). Definer: writes app.booking_history, which no client may write.';

drop trigger if exists bookings_history on app.bookings;
create trigger bookings_history after insert or update on app.bookings
  for each row execute function private.record_booking_change();

create or replace function private.stamp_claim()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The wall-clock start of the row's claim on its time (see app.bookings.claimed): on insert,
  -- and whenever the time moves, so an expired hold on the new time never stands in the way.
  if TG_OP = 'INSERT' or (NEW.starts_at, NEW.ends_at, NEW.buffer_before_minutes, NEW.buffer_after_minutes)
      is distinct from (OLD.starts_at, OLD.ends_at, OLD.buffer_before_minutes, OLD.buffer_after_minutes) then
    NEW.claimed_since := private.now();
  end if;
  return NEW;
end;
$$;
comment on function private.stamp_claim() is
  'BEFORE trigger on app.bookings: claimed_since is the clock''s now (private.now()) on insert and on every move, on every path that writes a booking.';

drop trigger if exists bookings_stamp_claim on app.bookings;
create trigger bookings_stamp_claim before insert or update on app.bookings
  for each row execute function private.stamp_claim();

drop trigger if exists bookings_touch_updated_at on app.bookings;
create trigger bookings_touch_updated_at before update on app.bookings
  for each row execute function private.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Shapes

create or replace function private.booking_json(p_booking app.bookings, p_internal_note text, p_with_note boolean)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_zone text := private.provider_zone(p_booking.provider_id);
  v_json jsonb;
begin
  v_json := pg_catalog.jsonb_build_object(
    'id', p_booking.id,
    'org_id', p_booking.org_id,
    'provider_id', p_booking.provider_id,
    'service_id', p_booking.service_id,
    'customer_id', p_booking.customer_id,
    'start', private.local_iso(p_booking.starts_at, v_zone),
    'end', private.local_iso(p_booking.ends_at, v_zone),
    'status', p_booking.status,
    'price_minor', p_booking.price_minor,
    'currency', p_booking.currency,
    'customer_note', p_booking.customer_note,
    'sequence', p_booking.sequence,
    'created_at', private.utc(p_booking.created_at),
    'updated_at', private.utc(p_booking.updated_at),
    'cancelled_at', private.utc(p_booking.cancelled_at),
    'cancel_reason', p_booking.cancel_reason,
    'series_id', p_booking.series_id
  );
  if p_with_note then
    -- By id, not from p_booking: the helper reads the booking itself and asks who the caller is.
    v_json := v_json || pg_catalog.jsonb_build_object(
      'internal_note', coalesce(p_internal_note, ''),
      'customer_name', private.booking_customer_name(p_booking.id));
  end if;
  return v_json::json;
end;
$$;
comment on function private.booking_json(app.bookings, text, boolean) is
  'The booking object of the REST contract (series_id names the recurring series it belongs to, if any); internal_note and customer_name only when p_with_note (organization staff or the provider).';
grant execute on function private.booking_json(app.bookings, text, boolean) to anon, authenticated, service_role;

create or replace function private.booking_customer_name(p_booking_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The booking is read here, by id: a row passed in could be forged by a direct SQL client
  -- (any customer_id, any org_id), and this function would then name a stranger.
  return (
    select nullif(u.full_name, '')
    from app.bookings b
    join auth.users u on u.id = b.customer_id
    where b.id = p_booking_id
      and u.deleted_at is null
      and (private.is_org_staff(b.org_id) or private.is_provider_self(b.provider_id))
  );
end;
$$;
comment on function private.booking_customer_name(uuid) is
  'The full name of a booking''s customer for staff+ of its organization and its provider (the readers of internal notes); NULL for anyone else, for an unknown booking, and when the customer has no name or was erased. Definer: auth.users shows an account only to itself.';
grant execute on function private.booking_customer_name(uuid) to authenticated;

create or replace function private.sees_internal_notes(p_booking app.bookings)
returns boolean
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.is_org_staff(p_booking.org_id) or private.is_provider_self(p_booking.provider_id);
end;
$$;
comment on function private.sees_internal_notes(app.bookings) is 'Staff+ of the organization and the provider see internal notes; the customer never.';
grant execute on function private.sees_internal_notes(app.bookings) to authenticated, service_role;

create or replace function private.booking_out(p_id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings;
  v_note text;
begin
  select * into v_booking from app.bookings b where b.id = p_id;
  select n.internal_note into v_note from app.booking_notes n where n.booking_id = p_id;
  return private.booking_json(v_booking, v_note, private.sees_internal_notes(v_booking));
end;
$$;
comment on function private.booking_out(uuid) is 'The booking object after a write, as the acting caller may see it (definer functions use it once they have checked access).';

-- ---------------------------------------------------------------------------------------------
-- Writes

create or replace function private.visible_booking_for_update(p_id uuid)
returns app.bookings
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings;
  v_uid uuid := private.require_user();
begin
  select * into v_booking from app.bookings b where b.id = p_id for update;
  if not found or v_booking.status = 'held' or not (
    v_booking.customer_id = v_uid
    or private.is_org_staff(v_booking.org_id)
    or private.is_provider_self(v_booking.provider_id)
  ) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such booking.';
  end if;
  return v_booking;
end;
$$;
comment on function private.visible_booking_for_update(uuid) is 'Lock a booking the caller may see (customer, staff+, the provider), else 404 not_found; a hold is not a booking (see 62-holds).';

create or replace function private.raise_slot_problem(p_problem text)
returns void
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_problem = 'slot_taken' then
    raise exception using errcode = 'PT409', message = 'slot_taken',
      detail = 'This time is not available; choose another slot.';
  elsif p_problem = 'resource_unavailable' then
    raise exception using errcode = 'PT409', message = 'resource_unavailable',
      detail = 'A room, chair or piece of equipment this service needs is taken at this time; choose another slot.';
  elsif p_problem = 'too_soon' then
    raise exception using errcode = 'PT422', message = 'too_soon',
      detail = 'This start is sooner than the service''s minimum notice.';
  elsif p_problem = 'too_far_ahead' then
    raise exception using errcode = 'PT422', message = 'too_far_ahead',
      detail = 'This start is further ahead than the service may be booked.';
  elsif p_problem is not null then
    raise exception using errcode = 'PT422', message = 'outside_working_hours',
      detail = 'This start is not a bookable slot of the provider''s working hours.';
  end if;
end;
$$;
comment on function private.raise_slot_problem(text) is 'Turn a private.slot_problem() code into its error.';

create or replace function private.lock_provider_calendar(p_provider_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.calendar:' || p_provider_id::text, 0));
end;
$$;
comment on function private.lock_provider_calendar(uuid) is
  'Serialize writes that place a booking on one provider''s calendar until the transaction ends.';

create or replace function private.customer_booking_problem(p_org_id uuid, p_customer_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_org app.organizations;
  v_now timestamptz := private.now();
begin
  select * into v_org from app.organizations o where o.id = p_org_id;
  if v_org.booking_requires_verified_email and not exists (
    select from auth.users u where u.id = p_customer_id and u.email_verified_at is not null
  ) then
    return 'email_not_verified';
  end if;
  if (select pg_catalog.count(*) from app.bookings b
      where b.org_id = p_org_id and b.customer_id = p_customer_id
        and (b.status in ('pending', 'confirmed') or (b.status = 'held' and b.hold_expires_at > v_now))
        and b.ends_at > v_now)
      >= v_org.max_active_bookings_per_customer then
    return 'too_many_bookings';
  end if;
  return null;
end;
$$;
comment on function private.customer_booking_problem(uuid, uuid) is
  'Why the organization''s rules keep a customer from another booking or hold (email_not_verified: it books verified addresses only; too_many_bookings: max_active_bookings_per_customer upcoming active bookings and live holds), or NULL. Definer: counts the customer''s bookings whatever the caller may see.';

create or replace function private.check_customer_may_book(p_org_id uuid, p_customer_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_problem text;
begin
  -- One customer's bookings at one organization take turns here, so parallel requests cannot
  -- all pass the count.
  perform private.require_fresh_snapshot();
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.customer:' || p_org_id::text || ':' || p_customer_id::text, 0));
  v_problem := private.customer_booking_problem(p_org_id, p_customer_id);
  if v_problem = 'email_not_verified' then
    raise exception using errcode = 'PT403', message = 'email_not_verified',
      detail = 'This organization takes bookings from verified email addresses only; verify yours first.';
  elsif v_problem = 'too_many_bookings' then
    raise exception using errcode = 'PT409', message = 'too_many_bookings',
      detail = pg_catalog.format('A customer may hold at most %s upcoming bookings here; cancel one first.',
        (select o.max_active_bookings_per_customer from app.organizations o where o.id = p_org_id));
  end if;
end;
$$;
comment on function private.check_customer_may_book(uuid, uuid) is
  'The organization''s rules on who may book or hold (private.customer_booking_problem), checked under the customer''s lock: 403 email_not_verified, 409 too_many_bookings. Definer: counts the customer''s bookings whatever the caller may see.';

drop function if exists private.bookable_service(uuid);

create or replace function private.bookable_service(p_provider_id uuid, p_service_id uuid)
returns app.services
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service app.services;
begin
  if p_provider_id is not null then
    return private.offered_service(p_provider_id, p_service_id);
  end if;
  select * into v_service from app.services s where s.id = p_service_id;
  if not found or not (v_service.active or private.is_org_member(v_service.org_id)) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such service.';
  end if;
  if not v_service.active then
    raise exception using errcode = 'PT422', message = 'service_not_offered',
      detail = 'This service is not offered at the moment.';
  end if;
  return v_service;
end;
$$;
comment on function private.bookable_service(uuid, uuid) is
  'The service of a new booking, hold or waitlist entry with this provider (private.offered_service) or, when p_provider_id is NULL, any provider: 404 not_found when the caller cannot see it, 422 service_not_offered when it is not active. Definer: booking calls it as the owner, so visibility is computed from the caller''s memberships, as in private.offered_service.';
revoke execute on function private.bookable_service(uuid, uuid) from authenticated;  -- definer callers only

create or replace function private.provider_choice(p_value text)
returns uuid
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_value is distinct from 'any' and private.as_uuid(p_value) is null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'provider_id must be a provider''s id or "any".';
  end if;
  return private.as_uuid(p_value);
end;
$$;
comment on function private.provider_choice(text) is
  'provider_id as a caller writes it: a provider''s id, or NULL for "any"; anything else is 422 validation_failed.';
grant execute on function private.provider_choice(text) to authenticated;

create or replace function private.take_calendar(p_provider_id uuid, p_service app.services, p_start timestamptz)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_candidates uuid[];
  v_candidate uuid;
  v_id uuid;
  v_problems text[];
begin
  if p_provider_id is not null then
    perform private.lock_provider_calendar(p_provider_id);
    perform private.raise_slot_problem(private.slot_problem(p_provider_id, p_service.id, p_start));
    return p_provider_id;
  end if;
  -- Any provider: lock every candidate's calendar in one global order (by id), so parallel
  -- "any" bookings see each other's commits and never wait on each other in a circle.
  select pg_catalog.array_agg(p.id order by p.id) into v_candidates
  from app.service_providers sp
  join app.providers p on p.id = sp.provider_id
  where sp.service_id = p_service.id and p.org_id = p_service.org_id and p.active;
  if v_candidates is null then
    raise exception using errcode = 'PT422', message = 'service_not_offered',
      detail = 'No provider offers this service at the moment.';
  end if;
  foreach v_candidate in array v_candidates loop
    perform private.lock_provider_calendar(v_candidate);
  end loop;
  perform private.require_fresh_snapshot();
  -- The free provider with the fewest bookings on that local day, then the longest-standing.
  select p.id into v_id
  from app.providers p
  cross join lateral (select (p_start at time zone private.provider_zone(p.id))::date as day) d
  where p.id = any (v_candidates)
    and private.slot_problem(p.id, p_service.id, p_start) is null
  order by (
      select pg_catalog.count(*) from app.bookings b
      where b.provider_id = p.id and b.status in ('pending', 'confirmed')
        and b.starts_at >= (d.day::timestamp at time zone private.provider_zone(p.id))
        and b.starts_at < ((d.day + 1)::timestamp at time zone private.provider_zone(p.id))),
    p.created_at, p.id
  limit 1;
  if v_id is null then
    select pg_catalog.array_agg(private.slot_problem(c, p_service.id, p_start)) into v_problems
    from pg_catalog.unnest(v_candidates) c;
    -- A provider free but without the room or chair says more than a taken calendar.
    perform private.raise_slot_problem(case
      when 'resource_unavailable' = any (v_problems) then 'resource_unavailable'
      when 'slot_taken' = any (v_problems) then 'slot_taken'
      else v_problems[1] end);
  end if;
  return v_id;
end;
$$;
comment on function private.take_calendar(uuid, app.services, timestamptz) is
  'Lock the calendar a new claim lands on and return its provider once the start is free there (the same checks as the slot list; 409 slot_taken, resource_unavailable, 422 too_soon, ...). With p_provider_id NULL, any active provider offering the service: all their calendars are locked in id order, and the free one with the fewest bookings that local day wins, then the one added first. Definer: reads other customers'' bookings to count and to check.';
revoke execute on function private.take_calendar(uuid, app.services, timestamptz) from authenticated;  -- definer callers only

create or replace function private.idempotent_replay(p_key text, p_request jsonb)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := auth.uid();
  v_hash bytea := pg_catalog.sha256(pg_catalog.convert_to(p_request::text, 'UTF8'));
  v_key app.idempotency_keys;
begin
  if p_key is null then
    return null;
  end if;
  -- A concurrent request with the same key waits here until the first one commits.
  insert into app.idempotency_keys (user_id, key, request_hash)
  values (v_uid, p_key, v_hash)
  on conflict do nothing;
  if found then
    return null;
  end if;
  select * into v_key from app.idempotency_keys k where k.user_id = v_uid and k.key = p_key;
  if v_key.request_hash <> v_hash then
    raise exception using errcode = 'PT422', message = 'idempotency_key_reused',
      detail = 'This Idempotency-Key was used with a different request.';
  end if;
  perform pg_catalog.set_config('response.status', v_key.response_status::text, true);
  perform pg_catalog.set_config('response.headers', '{"Idempotent-Replayed": "true"}', true);
  return v_key.response_body::json;
end;
$$;
comment on function private.idempotent_replay(text, jsonb) is
  'The caller''s earlier response for this Idempotency-Key and request (replayed with Idempotent-Replayed: true), or NULL when the key is new, which reserves it; 422 idempotency_key_reused for another request. Called from definer functions (they write app.idempotency_keys); not granted to clients.';

create or replace function private.idempotent_store(p_key text, p_status integer, p_body json)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_key is not null then
    update app.idempotency_keys k
    set response_status = p_status, response_body = p_body::text
    where k.user_id = auth.uid() and k.key = p_key;
  end if;
  return p_body;
end;
$$;
comment on function private.idempotent_store(text, integer, json) is
  'Keep the response of a request reserved by private.idempotent_replay, and pass it on. Not granted to clients.';

create or replace function private.create_booking(
  p_provider_id uuid,
  p_service_id uuid,
  p_start text,
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
  v_replay json;
  v_service app.services;
  v_start timestamptz;
  v_customer uuid := coalesce(p_customer_id, v_uid);
  v_provider uuid;
  v_booking app.bookings;
begin
  v_replay := private.idempotent_replay(p_idempotency_key, pg_catalog.jsonb_build_object(
    'provider_id', p_provider_id, 'service_id', p_service_id, 'start', p_start,
    'customer_note', p_customer_note, 'customer_id', p_customer_id));
  if v_replay is not null then
    return v_replay;
  end if;

  -- Visibility of provider and service is the caller's own, as in the slot list. No provider
  -- means any provider: one is picked below.
  v_service := private.bookable_service(p_provider_id, p_service_id);
  v_start := private.parse_instant(p_start);

  perform private.check_booking_for(v_service.org_id, v_customer);
  perform private.check_customer_may_book(v_service.org_id, v_customer);

  -- Bookings of one provider take turns: the check then sees every committed booking, and
  -- concurrent inserts cannot deadlock on the exclusion index, which stays the last word.
  v_provider := private.take_calendar(p_provider_id, v_service, v_start);

  begin
    insert into app.bookings (
      org_id, provider_id, service_id, customer_id, starts_at, ends_at,
      buffer_before_minutes, buffer_after_minutes, status, price_minor, currency,
      customer_note, created_by, created_at, updated_at)
    values (
      v_service.org_id, v_provider, p_service_id, v_customer, v_start,
      v_start + pg_catalog.make_interval(mins => v_service.duration_minutes),
      v_service.buffer_before_minutes, v_service.buffer_after_minutes,
      case when v_service.requires_confirmation then 'pending' else 'confirmed' end::app.booking_status,
      v_service.price_minor, v_service.currency, coalesce(p_customer_note, ''), v_uid,
      private.now(), private.now())
    returning * into v_booking;
  exception when exclusion_violation then
    -- Lost the race to a concurrent booking; the constraint's detail names the other booking's
    -- times, so it is never passed on.
    perform private.raise_slot_problem('slot_taken');
  end;

  return private.idempotent_store(p_idempotency_key, 201, private.booking_out(v_booking.id));
end;
$$;
comment on function private.create_booking(uuid, uuid, text, text, uuid, text) is
  'Book a slot after the same checks as the slot list, with p_provider_id or (NULL) any provider offering the service; the exclusion constraint settles races (409 slot_taken). Definer: checks against bookings the caller cannot read.';

drop function if exists private.act_as_caller_check(uuid, uuid);

create or replace function private.check_cutoff(p_booking app.bookings)
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_cutoff integer;
begin
  if private.is_org_staff(p_booking.org_id) then
    return;
  end if;
  select o.cancellation_cutoff_minutes into v_cutoff from app.organizations o where o.id = p_booking.org_id;
  if private.now() > p_booking.starts_at - pg_catalog.make_interval(mins => v_cutoff) then
    raise exception using errcode = 'PT409', message = 'cancellation_window_passed',
      detail = 'It is too close to the start to change this booking; contact the organization.';
  end if;
end;
$$;
comment on function private.check_cutoff(app.bookings) is 'Customers may cancel or reschedule until the organization''s cutoff before the start; staff+ any time.';

create or replace function private.transition_booking(p_id uuid, p_action text, p_reason text default null)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings := private.visible_booking_for_update(p_id);
  v_uid uuid := auth.uid();
  v_staff boolean := private.is_org_staff(v_booking.org_id);
  v_provider boolean := private.is_provider_self(v_booking.provider_id);
  v_from app.booking_status[];
  v_to app.booking_status;
begin
  case p_action
    when 'cancel' then
      if not (v_staff or v_booking.customer_id = v_uid) then
        raise exception using errcode = 'PT403', message = 'forbidden',
          detail = 'Only the customer and the organization''s staff may cancel.';
      end if;
      v_from := '{pending,confirmed}'; v_to := 'cancelled';
    when 'confirm' then v_from := '{pending}'; v_to := 'confirmed';
    when 'decline' then v_from := '{pending}'; v_to := 'declined';
    when 'complete' then v_from := '{confirmed}'; v_to := 'completed';
    when 'no_show' then v_from := '{confirmed}'; v_to := 'no_show';
    else
      raise exception using errcode = 'PT422', message = 'validation_failed', detail = 'Unknown action.';
  end case;
  if p_action <> 'cancel' and not (v_staff or v_provider) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s staff and the provider may do this.';
  end if;
  if not (v_booking.status = any (v_from)) then
    raise exception using errcode = 'PT409', message = 'invalid_transition',
      detail = pg_catalog.format('A %s booking cannot be changed this way.', v_booking.status);
  end if;
  if p_action = 'cancel' then
    perform private.check_cutoff(v_booking);
  end if;
  -- confirm keeps the slot it already holds: pending and confirmed are both active statuses, so
  -- the exclusion constraint has held this time since creation.
  update app.bookings b
  set status = v_to,
      cancelled_at = case when v_to = 'cancelled' then private.now() else b.cancelled_at end,
      cancel_reason = case when v_to = 'cancelled' then p_reason else b.cancel_reason end
  where b.id = p_id;
  return private.booking_out(p_id);
end;
$$;
comment on function private.transition_booking(uuid, text, text) is
  'Move a booking along the workflow: pending -> confirmed | declined | cancelled; confirmed -> completed | no_show | cancelled. 404, 403, 409 invalid_transition, 409 cancellation_window_passed. Definer: clients may not write app.bookings; the caller is checked first (private.visible_booking_for_update, then the action''s roles).';

create or replace function private.reschedule_booking(p_id uuid, p_start text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings := private.visible_booking_for_update(p_id);
  v_start timestamptz := private.parse_instant(p_start);
begin
  if not (private.is_org_staff(v_booking.org_id) or v_booking.customer_id = auth.uid()) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the customer and the organization''s staff may reschedule.';
  end if;
  if v_booking.status not in ('pending', 'confirmed') then
    raise exception using errcode = 'PT409', message = 'invalid_transition',
      detail = pg_catalog.format('A %s booking cannot be rescheduled.', v_booking.status);
  end if;
  perform private.check_cutoff(v_booking);
  if v_start = v_booking.starts_at then
    return private.booking_out(p_id);  -- nothing moves: no new sequence, no history
  end if;
  perform private.lock_provider_calendar(v_booking.provider_id);
  perform private.raise_slot_problem(
    private.slot_problem(v_booking.provider_id, v_booking.service_id, v_start, v_booking.id));
  begin
    update app.bookings b
    set starts_at = v_start,
        ends_at = v_start + (b.ends_at - b.starts_at),
        sequence = b.sequence + 1
    where b.id = p_id;
  exception when exclusion_violation then
    perform private.raise_slot_problem('slot_taken');
  end;
  return private.booking_out(p_id);
end;
$$;
comment on function private.reschedule_booking(uuid, text) is
  'Move a booking in place (same id, same duration, sequence + 1) after the slot checks, ignoring its own current block. Definer: clients may not write app.bookings, and the new time is checked against bookings the caller cannot read; the caller is checked first.';

create or replace function private.update_booking_notes(p_id uuid, p_internal_note text, p_customer_note text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings := private.visible_booking_for_update(p_id);
  v_notes boolean := private.sees_internal_notes(v_booking);
begin
  if p_internal_note is not null then
    if not v_notes then
      raise exception using errcode = 'PT403', message = 'forbidden',
        detail = 'Only the organization''s staff and the provider may write internal notes.';
    end if;
    insert into app.booking_notes (booking_id, org_id, internal_note)
    values (p_id, v_booking.org_id, p_internal_note)
    on conflict (booking_id) do update
      set internal_note = excluded.internal_note, updated_at = private.now();
  end if;
  if p_customer_note is not null then
    if v_booking.customer_id is distinct from auth.uid() then
      raise exception using errcode = 'PT403', message = 'forbidden',
        detail = 'Only the customer may change the customer note.';
    end if;
    update app.bookings b set customer_note = p_customer_note where b.id = p_id;
  end if;
  return private.booking_out(p_id);
end;
$$;
comment on function private.update_booking_notes(uuid, text, text) is
  'Internal note (staff+, the provider) and customer note (the customer). 403 for the other way round. Definer: clients may not write app.bookings or app.booking_notes; the caller is checked first.';

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

drop function if exists api.create_booking(uuid, uuid, text, text, uuid, text);

create or replace function api.create_booking(
  provider_id text,
  service_id uuid,
  start text,
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
  return private.create_booking(private.provider_choice(create_booking.provider_id),
    create_booking.service_id, create_booking.start, create_booking.customer_note,
    create_booking.customer_id, create_booking.idempotency_key);
end;
$$;
comment on function api.create_booking(text, uuid, text, text, uuid, text) is
  'POST /bookings {provider_id (an id, or "any": the free provider offering the service with the fewest bookings that day), service_id, start, customer_note?, customer_id? (staff only)}, header Idempotency-Key -> 201 booking. Errors: 409 slot_taken, resource_unavailable; 422 outside_working_hours, too_soon, too_far_ahead, service_not_offered, invalid_time, idempotency_key_reused; 403 forbidden (customer_id by non-staff); 422 validation_failed (customer_id not someone who has booked with the organization before, nor a member); 404 not_found.';
grant execute on function api.create_booking(text, uuid, text, text, uuid, text) to authenticated;
grant execute on function private.create_booking(uuid, uuid, text, text, uuid, text) to authenticated;

create or replace function api.get_booking(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings;
  v_note text;
begin
  perform private.require_user();
  select * into v_booking from app.bookings b where b.id = get_booking.id and b.status <> 'held';
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such booking.';
  end if;
  select n.internal_note into v_note from app.booking_notes n where n.booking_id = get_booking.id;
  return private.booking_json(v_booking, v_note, private.sees_internal_notes(v_booking));
end;
$$;
comment on function api.get_booking(uuid) is
  'GET /bookings/{id}: the customer, the provider, the organization''s staff+. Errors: 404 not_found (also for bookings the caller may not see).';
grant execute on function api.get_booking(uuid) to authenticated;

create or replace function api.list_bookings(
  org_id uuid default null,
  range_from text default null,
  range_to text default null,
  status text default null,
  provider_id uuid default null,
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
  v_uid uuid := private.require_user();
  v_limit integer := private.page_limit(list_bookings.lim);
  v_after text[];
  v_zone text := 'UTC';
  v_from timestamptz;
  v_to timestamptz;
  v_status app.booking_status;
  v_items json;
  v_next text;
begin
  if list_bookings.org_id is not null then
    select o.timezone into v_zone from app.organizations o where o.id = list_bookings.org_id;
    if not found then
      raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
    end if;
    if not private.is_org_member(list_bookings.org_id) then
      raise exception using errcode = 'PT403', message = 'forbidden',
        detail = 'Only members list an organization''s bookings.';
    end if;
  end if;
  v_from := private.range_bound(range_from, v_zone, false, 'from');
  v_to := private.range_bound(range_to, v_zone, true, 'to');
  begin
    v_status := list_bookings.status::app.booking_status;
  exception when invalid_text_representation then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'status must be one of pending, confirmed, declined, cancelled, completed, no_show.';
  end;
  v_after := private.decode_cursor(list_bookings.cursor, 'timestamptz', 'text');

  with page as (
    select b, n.internal_note, row_number() over (order by b.starts_at, b.id) as i
    from app.bookings b
    left join app.booking_notes n on n.booking_id = b.id
    where (case when list_bookings.org_id is null then b.customer_id = v_uid
                else b.org_id = list_bookings.org_id end)
      and (v_from is null or b.ends_at > v_from)
      and (v_to is null or b.starts_at < v_to)
      and (v_status is null or b.status = v_status)
      and b.status <> 'held'
      and (list_bookings.provider_id is null or b.provider_id = list_bookings.provider_id)
      and (v_after is null or (b.starts_at, b.id::text) > (v_after[1]::timestamptz, v_after[2]))
    order by b.starts_at, b.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(
           private.booking_json(p.b, p.internal_note,
             list_bookings.org_id is not null and private.sees_internal_notes(p.b))
           order by p.i) filter (where p.i <= v_limit), '[]'),
         max(case when p.i = v_limit then private.encode_cursor((p.b).starts_at::text, (p.b).id::text) end)
           filter (where exists (select 1 from page q where q.i > v_limit))
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_bookings(uuid, text, text, text, uuid, integer, text) is
  'GET /bookings?org_id&from&to&status&provider_id&limit&cursor. Without org_id: the caller''s own bookings as customer. With org_id (members only): staff+ see all, providers their own calendar. Ordered by start. -> {items: [booking], next_cursor}. Errors: 403 forbidden, 404 not_found, 422 validation_failed, invalid_time.';
grant execute on function api.list_bookings(uuid, text, text, text, uuid, integer, text) to authenticated;

create or replace function private.lock_following(p_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking app.bookings := private.visible_booking_for_update(p_id);
begin
  -- Lock this occurrence (above) and every later one of its series, in start order, before any
  -- cancellation frees time and offers it to the waitlist under a calendar lock: a reschedule
  -- takes a row lock and then the calendar's, so the other way round could deadlock.
  perform 1 from app.bookings later
  where later.series_id = v_booking.series_id and later.starts_at > v_booking.starts_at
  order by later.starts_at
  for update;
end;
$$;
comment on function private.lock_following(uuid) is
  'Lock a booking the caller may see (else 404 not_found) and every later occurrence of its series, in start order. Definer: clients hold no UPDATE privilege, which FOR UPDATE needs; the caller is checked first (private.visible_booking_for_update).';
grant execute on function private.lock_following(uuid) to authenticated;

drop function if exists api.cancel_booking(uuid, text);
create or replace function api.cancel_booking(id uuid, reason text default null, scope text default 'this')
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_booking json;
  v_later uuid;
begin
  if cancel_booking.scope is null or cancel_booking.scope not in ('this', 'following') then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'scope must be this or following.';
  end if;
  if cancel_booking.scope = 'following' then
    perform private.lock_following(cancel_booking.id);
  end if;
  v_booking := private.transition_booking(cancel_booking.id, 'cancel', cancel_booking.reason);
  if cancel_booking.scope = 'following' then
    -- Every later occurrence of its series, one by one through the same transition (history,
    -- email, event per booking). Whoever may cancel this one sees them: they have the same
    -- customer and organization.
    for v_later in
      select later.id
      from app.bookings b
      join app.bookings later on later.series_id = b.series_id and later.starts_at > b.starts_at
      where b.id = cancel_booking.id and later.status in ('pending', 'confirmed')
      order by later.starts_at
    loop
      perform private.transition_booking(v_later, 'cancel', cancel_booking.reason);
    end loop;
  end if;
  return v_booking;
end;
$$;
comment on function api.cancel_booking(uuid, text, text) is
  'POST /bookings/{id}/cancel {reason?, scope? = this | following}: the customer (until the organization''s cutoff) or staff+ (any time). Frees the slot at once. scope following also cancels every later pending or confirmed occurrence of the booking''s series (for a booking outside a series it is this). -> the booking named. Errors: 403, 404, 409 invalid_transition, cancellation_window_passed; 422 validation_failed (scope).';
grant execute on function api.cancel_booking(uuid, text, text) to authenticated;

create or replace function api.reschedule_booking(id uuid, start text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.reschedule_booking(reschedule_booking.id, reschedule_booking.start);
end;
$$;
comment on function api.reschedule_booking(uuid, text) is
  'POST /bookings/{id}/reschedule {start}: same id, sequence + 1. The customer (until cutoff) or staff+. Errors: 403, 404, 409 slot_taken, invalid_transition, cancellation_window_passed; 422 as create.';
grant execute on function api.reschedule_booking(uuid, text) to authenticated;

create or replace function api.confirm_booking(id uuid)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.transition_booking(confirm_booking.id, 'confirm');
end;
$$;
comment on function api.confirm_booking(uuid) is 'POST /bookings/{id}/confirm: pending -> confirmed. Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';
grant execute on function api.confirm_booking(uuid) to authenticated;

create or replace function api.decline_booking(id uuid)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.transition_booking(decline_booking.id, 'decline');
end;
$$;
comment on function api.decline_booking(uuid) is 'POST /bookings/{id}/decline: pending -> declined (frees the slot). Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';
grant execute on function api.decline_booking(uuid) to authenticated;

create or replace function api.complete_booking(id uuid)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.transition_booking(complete_booking.id, 'complete');
end;
$$;
comment on function api.complete_booking(uuid) is 'POST /bookings/{id}/complete: confirmed -> completed. Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';
grant execute on function api.complete_booking(uuid) to authenticated;

create or replace function api.no_show_booking(id uuid)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.transition_booking(no_show_booking.id, 'no_show');
end;
$$;
comment on function api.no_show_booking(uuid) is 'POST /bookings/{id}/no-show: confirmed -> no_show. Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';
grant execute on function api.no_show_booking(uuid) to authenticated;
grant execute on function private.transition_booking(uuid, text, text) to authenticated;
grant execute on function private.reschedule_booking(uuid, text) to authenticated;

create or replace function api.update_booking_notes(id uuid, internal_note text default null, customer_note text default null)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.update_booking_notes(update_booking_notes.id, update_booking_notes.internal_note,
    update_booking_notes.customer_note);
end;
$$;
comment on function api.update_booking_notes(uuid, text, text) is
  'PATCH /bookings/{id} {internal_note} (staff+, the provider) or {customer_note} (the customer) -> booking. Errors: 403, 404.';
grant execute on function api.update_booking_notes(uuid, text, text) to authenticated;
grant execute on function private.update_booking_notes(uuid, text, text) to authenticated;

create or replace function api.booking_history(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  if not exists (select 1 from app.bookings b where b.id = booking_history.id and b.status <> 'held') then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such booking.';
  end if;
  return pg_catalog.json_build_object('items', coalesce((
    select pg_catalog.json_agg(pg_catalog.json_build_object(
      'at', private.utc(h.at),
      'actor_id', h.actor_id,
      'action', h.action,
      'from_status', h.from_status,
      'to_status', h.to_status,
      'from_start', private.local_iso(h.from_start, private.provider_zone(b.provider_id)),
      'to_start', private.local_iso(h.to_start, private.provider_zone(b.provider_id))
    ) order by h.id)
    from app.booking_history h
    join app.bookings b on b.id = h.booking_id
    where h.booking_id = booking_history.id
  ), '[]'::json), 'next_cursor', null);
end;
$$;
comment on function api.booking_history(uuid) is
  'GET /bookings/{id}/history: every change, oldest first: {items: [{at, actor_id, action, from_status, to_status, from_start, to_start}], next_cursor: null}. Same readers as the booking. Errors: 404.';
grant execute on function api.booking_history(uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Booking for another customer (shared by private.create_booking and
-- private.create_booking_series in 63-series)

create or replace function private.check_booking_for(p_org_id uuid, p_customer_id uuid)
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_customer_id = auth.uid() then
    return;
  end if;
  if not private.is_org_staff(p_org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s staff may book for another customer.';
  end if;
  -- Only people who came to this organization themselves: a booking made for any account
  -- would send a stranger platform email with text the organization chose.
  if not exists (select 1 from auth.users u where u.id = p_customer_id and u.deleted_at is null)
      or not (
        exists (select 1 from app.bookings b
                where b.org_id = p_org_id and b.customer_id = p_customer_id)
        or exists (select 1 from app.memberships m
                   where m.org_id = p_org_id and m.user_id = p_customer_id)
      ) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'customer_id must be a customer of this organization: someone who has booked here before, or a member.';
  end if;
end;
$$;
comment on function private.check_booking_for(uuid, uuid) is
  'May the caller book for this customer at this organization? Themselves always; another customer only as staff+ (403 forbidden), and only someone who has booked there before or is a member (422 validation_failed). Called from definer functions, whose owner reads every booking and membership; not granted to clients.';
