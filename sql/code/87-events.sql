-- 87 events: the change feed for live updates. Triggers record booking and availability changes
-- in app.events and NOTIFY them; the policies decide who may read each event; the api functions
-- are what the API's streams (and direct-SQL clients) read through.
-- Depends on: 006 (app.events, settings), 10-helpers, 60-bookings (the bookings policies that
--   the booking-event policy defers to), 43-providers (provider policies).
-- Raises: PT401 unauthorized (bookings topic without a token); PT404 not_found (a provider the
--   caller cannot see); PT422 validation_failed (a malformed topic or cursor).
--
-- Channel 'slotbase_events' carries, at commit only (NOTIFY is transactional):
--   {"id": n, "topic": "bookings"}                   a booking changed; who may see it is asked
--                                                    of SQL per subscriber (api.visible_events)
--   {"id": n, "topic": "availability:<provider>", …} the whole public event, no personal data
--   {"topic": "session", "sid": "<session id>"}      a session ended: close its streams
-- Any role that can connect may LISTEN, so payloads hold nothing a stranger may not see.

-- ---------------------------------------------------------------------------------------------
-- Shapes

create or replace function private.event_topic(p_event app.events)
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_event.topic = 'availability' then
    return 'availability:' || p_event.provider_id::text;
  end if;
  return p_event.topic;
end;
$$;
comment on function private.event_topic(app.events) is 'The topic a client subscribes to for this event: bookings, or availability:<provider id>.';
grant execute on function private.event_topic(app.events) to anon, authenticated, service_role;

create or replace function private.event_json(p_event app.events)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.jsonb_build_object(
    'id', p_event.id,
    'topic', private.event_topic(p_event),
    'kind', p_event.kind,
    'at', private.utc(p_event.at),
    'data', case p_event.topic
      when 'bookings' then pg_catalog.jsonb_build_object(
        'booking_id', p_event.booking_id,
        'org_id', p_event.org_id,
        'provider_id', p_event.provider_id,
        'status', p_event.status)
      else pg_catalog.jsonb_build_object(
        'org_id', p_event.org_id,
        'provider_id', p_event.provider_id,
        'from', private.utc(pg_catalog.lower(p_event.during)),
        'to', private.utc(pg_catalog.upper(p_event.during)))
    end);
end;
$$;
comment on function private.event_json(app.events) is 'One event as clients receive it: {id, topic, kind, at, data}; data holds ids, a status or a time range, never personal data.';
grant execute on function private.event_json(app.events) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Writing events

create or replace function private.publish_event(
  p_topic text,
  p_kind text,
  p_org_id uuid,
  p_provider_id uuid,
  p_booking_id uuid default null,
  p_status text default null,
  p_during tstzrange default null
)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_event app.events;
begin
  insert into app.events (at, topic, kind, org_id, provider_id, booking_id, status, during)
  values (private.now(), p_topic, p_kind, p_org_id, p_provider_id, p_booking_id, p_status, p_during)
  returning * into v_event;
  perform pg_catalog.pg_notify('slotbase_events', case
    when v_event.topic = 'bookings'
      then pg_catalog.jsonb_build_object('id', v_event.id, 'topic', 'bookings')::text
    else private.event_json(v_event)::text
  end);
end;
$$;
comment on function private.publish_event(text, text, uuid, uuid, uuid, text, tstzrange) is
  'Record one event in app.events and NOTIFY slotbase_events (delivered when the transaction commits, never if it rolls back). Called by triggers only.';
revoke execute on function private.publish_event(text, text, uuid, uuid, uuid, text, tstzrange) from public;

create or replace function private.booking_events()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_kind text;
  v_was_blocking boolean := TG_OP = 'UPDATE' and OLD.status in ('held', 'pending', 'confirmed');
  v_is_blocking boolean := NEW.status in ('held', 'pending', 'confirmed');
begin
  if NEW.status = 'held' then
    v_kind := null;  -- a hold is no booking yet; it shows as availability only
  elsif TG_OP = 'INSERT' or OLD.status = 'held' then
    v_kind := 'booking.created';
  elsif NEW.status is distinct from OLD.status then
    v_kind := 'booking.' || NEW.status::text;
  elsif NEW.starts_at is distinct from OLD.starts_at or NEW.ends_at is distinct from OLD.ends_at then
    v_kind := 'booking.rescheduled';
  elsif NEW.customer_note is distinct from OLD.customer_note then
    v_kind := 'booking.updated';
  end if;
  if v_kind is not null then
    perform private.publish_event('bookings', v_kind, NEW.org_id, NEW.provider_id, NEW.id, NEW.status::text);
  end if;
  -- Availability moves when the booking starts or stops blocking time, or blocks other time.
  if v_was_blocking or v_is_blocking then
    if TG_OP = 'INSERT' or v_was_blocking <> v_is_blocking or NEW.blocked <> OLD.blocked then
      perform private.publish_event('availability', 'availability.changed', NEW.org_id, NEW.provider_id,
        p_during => case
          when v_was_blocking and v_is_blocking then pg_catalog.range_merge(OLD.blocked, NEW.blocked)
          when v_was_blocking then OLD.blocked
          else NEW.blocked
        end);
    end if;
  end if;
  return null;
end;
$$;
comment on function private.booking_events() is 'AFTER trigger on app.bookings: a bookings event per change a client would show (a hold from its confirmation on), and an availability event when the blocked time moves (holds included). Definer: writes app.events, which no client may write.';

drop trigger if exists bookings_events on app.bookings;
create trigger bookings_events after insert or update on app.bookings
  for each row execute function private.booking_events();

create or replace function private.hold_deleted_events()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.publish_event('availability', 'availability.changed', OLD.org_id, OLD.provider_id,
    p_during => OLD.blocked);
  return null;
end;
$$;
comment on function private.hold_deleted_events() is 'AFTER DELETE trigger on app.bookings for holds (released or expired): an availability event for the time it kept. Definer: writes app.events, which no client may write.';

drop trigger if exists bookings_hold_deleted_events on app.bookings;
create trigger bookings_hold_deleted_events after delete on app.bookings
  for each row when (OLD.status = 'held') execute function private.hold_deleted_events();

create or replace function private.schedule_events()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row record;
  v_sent text := coalesce(pg_catalog.current_setting('slotbase.availability_sent', true), '');
  v_columns text := 'org_id, provider_id, '
    || case when TG_TABLE_NAME = 'time_off' then 'period' else 'null::tstzrange' end || ' as period';
  v_rows text := case TG_OP
    when 'INSERT' then pg_catalog.format('select %s from new_rows', v_columns)
    when 'DELETE' then pg_catalog.format('select %s from old_rows', v_columns)
    else pg_catalog.format('select %1$s from new_rows union all select %1$s from old_rows', v_columns)
  end;
begin
  -- Statement-level, so replacing a week of working hours is one event per provider, not one per
  -- row; the transaction-local list folds a delete-then-insert into one event as well.
  for v_row in execute pg_catalog.format(
    'select c.org_id, c.provider_id, pg_catalog.range_merge(pg_catalog.range_agg(c.period)) as during,'
    '       pg_catalog.bool_or(c.period is null) as unbounded'
    ' from (%s) c group by c.org_id, c.provider_id', v_rows)
  loop
    if TG_TABLE_NAME <> 'time_off' or v_row.unbounded then
      continue when pg_catalog.strpos(v_sent, v_row.provider_id::text) > 0;
      v_sent := v_sent || v_row.provider_id::text || ',';
      perform private.publish_event('availability', 'availability.changed', v_row.org_id, v_row.provider_id);
    else
      perform private.publish_event('availability', 'availability.changed', v_row.org_id, v_row.provider_id,
        p_during => v_row.during);
    end if;
  end loop;
  perform pg_catalog.set_config('slotbase.availability_sent', v_sent, true);
  return null;
end;
$$;
comment on function private.schedule_events() is 'AFTER statement trigger on working hours, date overrides and time off: one availability event per provider whose schedule changed (with the time range, for time off). Definer: writes app.events, which no client may write, whoever changed the schedule.';

do $$
declare
  v_table text;
  v_op text;
begin
  foreach v_table in array array['working_hours', 'date_overrides', 'time_off'] loop
    foreach v_op in array array['insert', 'update', 'delete'] loop
      execute pg_catalog.format('drop trigger if exists %I on app.%I', v_table || '_' || v_op || '_events', v_table);
      execute pg_catalog.format(
        'create trigger %I after %s on app.%I referencing %s for each statement execute function private.schedule_events()',
        v_table || '_' || v_op || '_events', v_op, v_table,
        case v_op
          when 'insert' then 'new table as new_rows'
          when 'delete' then 'old table as old_rows'
          else 'old table as old_rows new table as new_rows'
        end);
    end loop;
  end loop;
end;
$$;

create or replace function private.session_events()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_catalog.pg_notify('slotbase_events',
    pg_catalog.jsonb_build_object('topic', 'session', 'sid', OLD.id)::text);
  return null;
end;
$$;
comment on function private.session_events() is 'AFTER trigger on auth.sessions: a session that is revoked or deleted closes its live streams (NOTIFY at commit).';

drop trigger if exists sessions_revoked_events on auth.sessions;
create trigger sessions_revoked_events after update of revoked_at on auth.sessions
  for each row when (OLD.revoked_at is null and NEW.revoked_at is not null)
  execute function private.session_events();

drop trigger if exists sessions_deleted_events on auth.sessions;
create trigger sessions_deleted_events after delete on auth.sessions
  for each row when (OLD.revoked_at is null)
  execute function private.session_events();

-- ---------------------------------------------------------------------------------------------
-- Who may read which event

grant select on app.events to anon, authenticated, service_role;

drop policy if exists "anyone who sees a provider reads its availability events" on app.events;
drop policy if exists "visitors read availability events of providers they see" on app.events;
create policy "visitors read availability events of providers they see" on app.events
  for select to anon
  using (topic = 'availability' and exists (select 1 from app.providers p where p.id = provider_id));

-- Signed in: the availability events of providers the caller sees, and the events of bookings
-- the caller reads (the bookings policy decides).
drop policy if exists "signed-in users read availability events of providers they see" on app.events;
drop policy if exists "readers of a booking read its events" on app.events;
drop policy if exists "signed-in users read events of providers and bookings they see" on app.events;
create policy "signed-in users read events of providers and bookings they see" on app.events
  for select to authenticated
  using ((topic = 'availability' and exists (select 1 from app.providers p where p.id = provider_id))
         or (topic = 'bookings' and exists (select 1 from app.bookings b where b.id = booking_id)));

-- ---------------------------------------------------------------------------------------------
-- Reading events

create or replace function private.events_floor()
returns bigint
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select pg_catalog.min(e.id) from app.events e);
end;
$$;
comment on function private.events_floor() is 'The oldest event id still kept (null when none): a resume from before it has missed purged events. Definer: the oldest of all events kept, not only of those the caller may read.';
grant execute on function private.events_floor() to anon, authenticated, service_role;

create or replace function private.topic_filter(p_topics text[])
returns text[]
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_topic text;
  v_provider uuid;
  v_out text[] := '{}';
begin
  if p_topics is null or pg_catalog.cardinality(p_topics) = 0 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'Name at least one topic: bookings, or availability:<provider id>.';
  end if;
  if pg_catalog.cardinality(p_topics) > 100 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'At most 100 topics at once.';
  end if;
  foreach v_topic in array p_topics loop
    v_topic := pg_catalog.btrim(coalesce(v_topic, ''));
    if v_topic = 'bookings' then
      if auth.uid() is null then
        raise exception using errcode = 'PT401', message = 'unauthorized',
          detail = 'The bookings topic needs an access token.';
      end if;
    elsif v_topic ~* '^availability:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      v_provider := pg_catalog.substr(v_topic, 14)::uuid;
      if not exists (select 1 from app.providers p where p.id = v_provider) then
        raise exception using errcode = 'PT404', message = 'not_found',
          detail = 'No such provider.';
      end if;
      v_topic := 'availability:' || v_provider::text;
    else
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = 'Unknown topic; use bookings, or availability:<provider id>.';
    end if;
    if not v_topic = any (v_out) then
      v_out := v_out || v_topic;
    end if;
  end loop;
  return v_out;
end;
$$;
comment on function private.topic_filter(text[]) is 'Checks topics under the caller''s identity (bookings needs a token; a provider must be visible) and returns them normalized, without repeats.';
grant execute on function private.topic_filter(text[]) to anon, authenticated, service_role;

create or replace function api.event_topics(topics text[])
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.to_json(private.topic_filter(topics));
end;
$$;
comment on function api.event_topics(text[]) is
  'Checks live-update topics before subscribing and returns them normalized. bookings: the caller''s bookings as customer, their calendar as provider, their organizations'' as staff (needs a token); availability:<provider id>: anyone who can see the provider. 401, 404 or 422 for a topic the caller may not have.';
grant execute on function api.event_topics(text[]) to anon, authenticated, service_role;

create or replace function api.events_since(after bigint, topics text[], lim integer default 200)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_topics text[] := private.topic_filter(topics);
  v_limit integer := private.page_limit(lim);
  v_items jsonb;
  v_floor bigint := private.events_floor();
begin
  if after is null or after < 0 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'after must be an event id (0 or more).';
  end if;
  select coalesce(pg_catalog.jsonb_agg(private.event_json(e) order by e.id), '[]')
  into v_items
  from (
    select e.* from app.events e
    where e.id > after and private.event_topic(e) = any (v_topics)
    order by e.id
    limit v_limit + 1
  ) e;
  return pg_catalog.json_build_object(
    'items', case when pg_catalog.jsonb_array_length(v_items) > v_limit then v_items - v_limit else v_items end,
    'next_cursor', case when pg_catalog.jsonb_array_length(v_items) > v_limit
      then (v_items -> (v_limit - 1) ->> 'id') end,
    -- Events after `after` were purged already: the client should reload what it shows.
    'gap', v_floor is not null and after < v_floor - 1);
end;
$$;
comment on function api.events_since(bigint, text[], integer) is
  'Events after the event id `after` on the given topics that the caller may read, oldest first: {items, next_cursor, gap}. gap is true when some were purged (kept for events_retention_minutes). What SSE''s Last-Event-ID resumes from.';
grant execute on function api.events_since(bigint, text[], integer) to anon, authenticated, service_role;

create or replace function api.visible_events(ids bigint[])
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if pg_catalog.cardinality(ids) > 1000 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'At most 1000 ids at once.';
  end if;
  return (
    select coalesce(pg_catalog.json_agg(private.event_json(e) order by e.id), '[]')
    from app.events e
    where e.id = any (ids)
  );
end;
$$;
comment on function api.visible_events(bigint[]) is
  'The events among `ids` that the caller may read (row-level security decides), oldest first. The API asks this for each subscriber before delivering a booking event.';
grant execute on function api.visible_events(bigint[]) to anon, authenticated, service_role;

create or replace function private.purge_events()
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count integer;
begin
  delete from app.events e
  where e.at < private.now()
    - pg_catalog.make_interval(mins => greatest(5, coalesce(private.setting('events_retention_minutes')::integer, 60)));
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.purge_events() is 'Delete events older than events_retention_minutes (never less than 5); the worker runs it. Definer: deletes from app.events, which service_role may not write.';
revoke execute on function private.purge_events() from public;
grant execute on function private.purge_events() to service_role;

create or replace function private.events_ceiling()
returns bigint
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce((select pg_catalog.max(e.id) from app.events e), 0);
end;
$$;
comment on function private.events_ceiling() is 'The newest event id (0 when none). The API''s listener reads it on (re)connecting, to catch its streams up on events it missed while the connection was down. Definer: the API''s login role (authenticator) holds no privilege on app.events; it learns one number.';
grant execute on function private.events_ceiling() to authenticator, service_role;
