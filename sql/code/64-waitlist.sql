-- 64 waitlist: customers waiting for a service within a window of time; a slot that frees up
-- becomes a hold for the first entry in line it fits, with an email, in the transaction that
-- freed it.
-- Depends on: 011, 10-helpers, 35-roles, 43-providers (provider_zone), 50-slots (slots,
--   slot_problem, offered_service, range_bound), 60-bookings (bookable_service,
--   lock_provider_calendar), 62-holds (insert_hold), 85-outbox (enqueue_booking_messages).
-- Raises: PT401 unauthorized; PT403 email_not_verified; PT404 not_found; PT409 waitlist_closed,
--   too_many_bookings; PT422 service_not_offered, invalid_time, range_too_long, validation_failed.
-- Time frees up when a booking is cancelled, declined or moved, a hold is released or expires
-- (deleted), time off is removed, or working hours or a date's hours change; a trigger on each
-- calls private.offer_waitlist for that provider. An offer is a hold of the organization's
-- hold_minutes: confirmed, the entry is booked; released or expired, the entry has lapsed and
-- the same trigger offers the slot to the next one in line.

grant select on app.waitlist_entries to authenticated;

drop policy if exists "customers and staff read waitlist entries" on app.waitlist_entries;
create policy "customers and staff read waitlist entries" on app.waitlist_entries
  for select to authenticated
  using (customer_id = (select auth.uid())
         or org_id = any ((select private.my_org_ids(private.staff_roles()))::uuid[]));

create or replace function private.waitlist_json(p_entry app.waitlist_entries)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_zone text := coalesce(private.provider_zone(p_entry.provider_id),
    (select o.timezone from app.organizations o where o.id = p_entry.org_id));
begin
  return pg_catalog.json_build_object(
    'id', p_entry.id,
    'org_id', p_entry.org_id,
    'service_id', p_entry.service_id,
    'provider_id', p_entry.provider_id,
    'from', private.local_iso(pg_catalog.lower(p_entry.wanted), v_zone),
    'to', private.local_iso(pg_catalog.upper(p_entry.wanted), v_zone),
    'status', p_entry.status,
    'hold_id', p_entry.hold_id,
    'offered_at', private.utc(p_entry.offered_at),
    'created_at', private.utc(p_entry.created_at));
end;
$$;
comment on function private.waitlist_json(app.waitlist_entries) is
  'The waitlist entry of the REST contract: {id, org_id, service_id, provider_id, from, to, status, hold_id, offered_at, created_at}; from/to in the provider''s zone, or the organization''s for any provider.';
grant execute on function private.waitlist_json(app.waitlist_entries) to authenticated, service_role;

create or replace function private.join_waitlist(p_service_id uuid, p_from text, p_to text, p_provider_id uuid)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_service app.services;
  v_org app.organizations;
  v_zone text;
  v_from timestamptz;
  v_to timestamptz;
  v_entry app.waitlist_entries;
begin
  v_service := private.bookable_service(p_provider_id, p_service_id);
  select * into v_org from app.organizations o where o.id = v_service.org_id;
  v_zone := coalesce(private.provider_zone(p_provider_id), v_org.timezone);
  if p_from is null or p_to is null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'from and to are required: the window of time you want.';
  end if;
  v_from := private.range_bound(p_from, v_zone, false, 'from');
  v_to := private.range_bound(p_to, v_zone, true, 'to');
  if v_to <= v_from then
    raise exception using errcode = 'PT422', message = 'validation_failed', detail = 'to must be after from.';
  end if;
  if (v_to at time zone v_zone) - (v_from at time zone v_zone) > interval '62 days' then
    raise exception using errcode = 'PT422', message = 'range_too_long',
      detail = 'Wait for at most 62 days of time at once.';
  end if;
  if not v_org.waitlist_enabled then
    raise exception using errcode = 'PT409', message = 'waitlist_closed',
      detail = 'This organization keeps no waitlist.';
  end if;
  if v_to <= private.now() + pg_catalog.make_interval(mins => v_service.min_notice_minutes) then
    raise exception using errcode = 'PT409', message = 'waitlist_closed',
      detail = 'This window of time can no longer be booked.';
  end if;
  -- An offer confirmed is a booking: who may not book here may not wait here either.
  if v_org.booking_requires_verified_email and not exists (
    select from auth.users u where u.id = v_uid and u.email_verified_at is not null
  ) then
    raise exception using errcode = 'PT403', message = 'email_not_verified',
      detail = 'This organization takes bookings from verified email addresses only; verify yours first.';
  end if;
  -- Entries count against the same cap as bookings, so one account cannot queue for everything.
  perform private.require_fresh_snapshot();
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.customer:' || v_org.id::text || ':' || v_uid::text, 0));
  if (select pg_catalog.count(*) from app.waitlist_entries w
      where w.org_id = v_org.id and w.customer_id = v_uid and w.status in ('waiting', 'offered')
        and pg_catalog.upper(w.wanted) > private.now()) >= v_org.max_active_bookings_per_customer then
    raise exception using errcode = 'PT409', message = 'too_many_bookings',
      detail = pg_catalog.format('A customer may wait for at most %s windows here at once; leave one first.',
        v_org.max_active_bookings_per_customer);
  end if;
  insert into app.waitlist_entries (org_id, service_id, provider_id, customer_id, wanted, created_at, updated_at)
  values (v_org.id, v_service.id, p_provider_id, v_uid, pg_catalog.tstzrange(v_from, v_to), private.now(), private.now())
  returning * into v_entry;
  return private.waitlist_json(v_entry);
end;
$$;
comment on function private.join_waitlist(uuid, text, text, uuid) is
  'Put the caller in line for a service (with one provider, or any) within [from, to). Definer: counts the caller''s entries under the per-customer lock and writes app.waitlist_entries, which clients may not write.';
grant execute on function private.join_waitlist(uuid, text, text, uuid) to authenticated;

create or replace function api.join_waitlist(service_id uuid, "from" text, "to" text, provider_id uuid default null)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.join_waitlist(join_waitlist.service_id, join_waitlist."from", join_waitlist."to",
    join_waitlist.provider_id);
end;
$$;
comment on function api.join_waitlist(uuid, text, text, uuid) is
  'POST /waitlist {service_id, from, to, provider_id?} -> 201 entry {id, org_id, service_id, provider_id, from, to, status: waiting, hold_id, offered_at, created_at}. from/to: local dates (to inclusive) or RFC 3339 instants; a slot starting in [from, to) that frees up becomes a hold for the first entry in line it fits, with an email. Errors: 403 email_not_verified (the organization books verified addresses only), 404 not_found, 409 waitlist_closed (no waitlist here, or the window has passed), too_many_bookings; 422 service_not_offered, invalid_time, range_too_long, validation_failed.';
grant execute on function api.join_waitlist(uuid, text, text, uuid) to authenticated;

create or replace function api.my_waitlist()
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
begin
  return pg_catalog.json_build_object('items', coalesce((
    select pg_catalog.json_agg(private.waitlist_json(w) order by w.line)
    from app.waitlist_entries w
    where w.customer_id = v_uid
  ), '[]'::json), 'next_cursor', null);
end;
$$;
comment on function api.my_waitlist() is
  'GET /waitlist: the caller''s own entries, oldest first: {items: [entry], next_cursor: null}. status is waiting, offered (hold_id names the hold to confirm), booked, lapsed (an offer not taken) or cancelled.';
grant execute on function api.my_waitlist() to authenticated;

create or replace function private.leave_waitlist(p_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  delete from app.waitlist_entries w where w.id = p_id and w.customer_id = private.require_user();
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such waitlist entry.';
  end if;
end;
$$;
comment on function private.leave_waitlist(uuid) is
  'Delete the caller''s own entry (a hold it was offered stays until confirmed, released or expired). Definer: clients may not write app.waitlist_entries.';
grant execute on function private.leave_waitlist(uuid) to authenticated;

create or replace function api.leave_waitlist(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.leave_waitlist(leave_waitlist.id);
end;
$$;
comment on function api.leave_waitlist(uuid) is 'DELETE /waitlist/{id}: the caller''s own entry -> 204. Errors: 404 not_found.';
grant execute on function api.leave_waitlist(uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Offering freed time

create or replace function private.offer_waitlist(p_org_id uuid, p_provider_id uuid, p_during tstzrange)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_entry app.waitlist_entries;
  v_service app.services;
  v_now timestamptz := private.now();
  v_start timestamptz;
  v_hold app.bookings;
  v_count integer := 0;
begin
  if not exists (select 1 from app.providers p where p.id = p_provider_id and p.active) then
    return 0;
  end if;
  -- Entries in line order; SKIP LOCKED leaves one being changed elsewhere to that transaction.
  for v_entry in
    select w.* from app.waitlist_entries w
    join app.service_providers sp on sp.service_id = w.service_id and sp.provider_id = p_provider_id
    where w.org_id = p_org_id and w.status = 'waiting'
      and (w.provider_id is null or w.provider_id = p_provider_id)
      and w.wanted operator(pg_catalog.&&) p_during
      and pg_catalog.upper(w.wanted) > v_now
    order by w.line
    limit 50
    for update of w skip locked
  loop
    select * into v_service from app.services s where s.id = v_entry.service_id and s.active;
    continue when not found;
    -- The organization's rules on who may book hold for offers too (they may have changed since
    -- the entry joined, and the customer may have booked meanwhile): a customer who may not book
    -- is passed over. Counted without the customer's lock (taking it here, after a calendar
    -- lock, could deadlock with a booking), so a booking racing the offer can pass the cap by one.
    continue when private.customer_booking_problem(p_org_id, v_entry.customer_id) is not null;
    perform private.lock_provider_calendar(p_provider_id);
    -- The first free start in the entry's window near the freed time (a slot's buffers and
    -- duration reach a little beyond the time itself).
    select s.starts_at into v_start
    from private.slots(p_provider_id, v_service.id,
      greatest(pg_catalog.lower(v_entry.wanted),
               coalesce(pg_catalog.lower(p_during) - interval '1 day', pg_catalog.lower(v_entry.wanted))),
      least(pg_catalog.upper(v_entry.wanted),
            coalesce(pg_catalog.upper(p_during) + interval '1 day', pg_catalog.upper(v_entry.wanted)))) s
    order by s.starts_at
    limit 1;
    continue when v_start is null;
    begin
      v_hold := private.insert_hold(p_provider_id, v_service, v_entry.customer_id, v_start);
    exception when sqlstate 'PT409' then
      continue;  -- taken meanwhile (a resource, a race): try the next entry
    end;
    update app.waitlist_entries w
    set status = 'offered', hold_id = v_hold.id, offered_at = v_now, updated_at = v_now
    where w.id = v_entry.id;
    perform private.enqueue_booking_messages(array[v_hold.id], array['waitlist_offer'], array[null::timestamptz]);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function private.offer_waitlist(uuid, uuid, tstzrange) is
  'Offer time that freed up on a provider''s calendar around p_during (NULL bounds: all of it) to the waitlist: each waiting entry in line order that the provider serves, whose customer may book here (a verified address where wanted, under the cap of upcoming bookings), gets a hold on the first free start in its window, and a waitlist_offer email. Returns the number of offers. Definer: called by triggers of whoever freed the time; writes holds and outbox messages.';

create or replace function private.booking_freed_time()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if TG_OP = 'DELETE' then
    perform private.offer_waitlist(OLD.org_id, OLD.provider_id, OLD.blocked);
  elsif OLD.status in ('pending', 'confirmed')
      and (NEW.status not in ('pending', 'confirmed') or NEW.blocked <> OLD.blocked) then
    perform private.offer_waitlist(OLD.org_id, OLD.provider_id, OLD.blocked);
  end if;
  return null;
end;
$$;
comment on function private.booking_freed_time() is
  'AFTER trigger on app.bookings: a cancelled, declined, completed-early or moved booking, or a deleted hold, offers its old time to the waitlist. Definer: offers run as the owner whoever freed the time.';

create or replace function private.hold_lapsed()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update app.waitlist_entries w
  set status = 'lapsed', updated_at = private.now()
  where w.hold_id = OLD.id and w.status = 'offered';
  return OLD;
end;
$$;
comment on function private.hold_lapsed() is
  'BEFORE DELETE trigger on app.bookings for holds: the waitlist entry it was offered to has lapsed (while the row still names it). Definer: clients may not write app.waitlist_entries.';

drop trigger if exists bookings_hold_lapsed on app.bookings;
create trigger bookings_hold_lapsed before delete on app.bookings
  for each row when (OLD.status = 'held') execute function private.hold_lapsed();

-- Fires after bookings_claim_resources (47-resources; AFTER triggers go in name order), so a
-- cancelled booking's resource units are free when its time is offered.
drop trigger if exists bookings_freed_time on app.bookings;
create trigger bookings_freed_time after update on app.bookings
  for each row when (OLD.status in ('pending', 'confirmed')) execute function private.booking_freed_time();

drop trigger if exists bookings_hold_freed_time on app.bookings;
create trigger bookings_hold_freed_time after delete on app.bookings
  for each row when (OLD.status = 'held') execute function private.booking_freed_time();

create or replace function private.schedule_freed_time()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row record;
begin
  -- Time off removed frees its own period; new or changed hours may free any time ahead.
  if TG_TABLE_NAME = 'time_off' then
    for v_row in select o.org_id, o.provider_id, o.period from old_rows o order by o.provider_id loop
      perform private.offer_waitlist(v_row.org_id, v_row.provider_id, v_row.period);
    end loop;
  else
    for v_row in select distinct n.org_id, n.provider_id from changed_rows n order by n.provider_id loop
      perform private.offer_waitlist(v_row.org_id, v_row.provider_id, pg_catalog.tstzrange(private.now(), null));
    end loop;
  end if;
  return null;
end;
$$;
comment on function private.schedule_freed_time() is
  'AFTER statement trigger on app.time_off (delete), app.working_hours and app.date_overrides (insert, update, delete): offers the time that may have freed up to the waitlist. Definer: offers run as the owner.';

drop trigger if exists time_off_freed_time on app.time_off;
create trigger time_off_freed_time after delete on app.time_off
  referencing old table as old_rows
  for each statement execute function private.schedule_freed_time();

drop trigger if exists working_hours_inserted_freed_time on app.working_hours;
create trigger working_hours_inserted_freed_time after insert on app.working_hours
  referencing new table as changed_rows
  for each statement execute function private.schedule_freed_time();
drop trigger if exists working_hours_updated_freed_time on app.working_hours;
create trigger working_hours_updated_freed_time after update on app.working_hours
  referencing new table as changed_rows
  for each statement execute function private.schedule_freed_time();
drop trigger if exists date_overrides_inserted_freed_time on app.date_overrides;
create trigger date_overrides_inserted_freed_time after insert on app.date_overrides
  referencing new table as changed_rows
  for each statement execute function private.schedule_freed_time();
drop trigger if exists date_overrides_updated_freed_time on app.date_overrides;
create trigger date_overrides_updated_freed_time after update on app.date_overrides
  referencing new table as changed_rows
  for each statement execute function private.schedule_freed_time();
drop trigger if exists date_overrides_deleted_freed_time on app.date_overrides;
create trigger date_overrides_deleted_freed_time after delete on app.date_overrides
  referencing old table as changed_rows
  for each statement execute function private.schedule_freed_time();
