-- 77 feeds: calendar feeds — a secret URL per provider and per user that calendar apps
-- subscribe to (RFC 5545, rendered by the API from the JSON built here), the tokens that open
-- them, and who may issue and revoke those.
-- Depends on: 011 (app.calendar_feeds), 002 (app.bookings, app.providers, app.services,
--   app.organizations), 10-helpers (private.now, private.utc, private.local_iso), 30-accounts
--   (private.random_token, private.token_hash, private.require_user), 35-roles
--   (private.is_org_member, private.is_org_staff, private.is_provider_self), 43-providers
--   (private.provider_zone).
-- Raises: PT401 unauthorized (anon issuing or revoking); PT403 forbidden (issuing or revoking a
--   provider's feed without being the provider or the organization's staff+); PT404 not_found
--   (an unknown or invisible provider; a feed read with a wrong, revoked or missing token).
--
-- Calendar apps cannot send an Authorization header, so the token in the URL is the credential:
-- whoever holds it reads the feed, as anon. Only its sha256 is stored (app.calendar_feeds); a
-- new token replaces the row's hash, which revokes the old one at once. A wrong token answers
-- exactly as an unknown provider does, so a feed URL tells nothing about what exists.
--
-- A feed is the complete current state, so that a subscribed calendar can follow it: bookings
-- that have not ended more than 30 days ago (pending, confirmed, completed, no-show), and those
-- cancelled or declined in the last 30 days as STATUS:CANCELLED, so calendars remove them. Holds
-- never appear. Each event's UID is '<booking id>@slotbase', the same across reschedules, and
-- its SEQUENCE is the booking's (one more once cancelled or declined, so that version wins).
-- etag is an md5 of everything the feed shows: equal etags mean equal feeds.
-- Who sees what: the provider's feed names the customer (as the provider's calendar does); the
-- customer's feed names the service, the provider and the organization, nothing of others.

-- No client role reads or writes the table: the definer functions below are the only way in.
revoke all on app.calendar_feeds from anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- The feed as JSON

create or replace function private.calendar_json(
  p_name text,
  p_zone text,
  p_provider_id uuid,
  p_customer_id uuid
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_since timestamptz := private.now() - interval '30 days';
  v_events json;
begin
  select coalesce(pg_catalog.json_agg(e.event order by e.starts_at, e.id), '[]')
  into v_events
  from (
    select b.id, b.starts_at, pg_catalog.json_build_object(
      'uid', b.id::text || '@slotbase',
      'sequence', b.sequence + case when x.cancelled then 1 else 0 end,
      'status', case when x.cancelled then 'CANCELLED'
                     when b.status = 'pending' then 'TENTATIVE'
                     else 'CONFIRMED' end,
      'booking_status', b.status,
      'timezone', x.zone,
      'start', private.local_iso(b.starts_at, x.zone),
      'end', private.local_iso(b.ends_at, x.zone),
      'summary', case
        when p_provider_id is not null
          then s.name || coalesce(' – ' || nullif(u.full_name, ''), '')
        else s.name || ' with ' || p.display_name end,
      'location', o.name,
      'description', b.customer_note,
      'updated_at', private.utc(b.updated_at)
    ) as event
    from app.bookings b
    join app.services s on s.id = b.service_id
    join app.providers p on p.id = b.provider_id
    join app.organizations o on o.id = b.org_id
    join auth.users u on u.id = b.customer_id
    cross join lateral (
      select b.status in ('cancelled', 'declined') as cancelled,
             coalesce(p.timezone, o.timezone) as zone
    ) x
    where (b.provider_id = p_provider_id or b.customer_id = p_customer_id)
      and b.status <> 'held'
      and case when x.cancelled then b.updated_at > v_since else b.ends_at > v_since end
  ) e;
  return pg_catalog.json_build_object(
    'name', p_name,
    'timezone', p_zone,
    'etag', pg_catalog.md5(pg_catalog.concat_ws(E'\n', p_name, p_zone, v_events::text)),
    'events', v_events
  );
end;
$$;
comment on function private.calendar_json(text, text, uuid, uuid) is
  'The feed object of a provider (p_provider_id) or a customer (p_customer_id): {name, timezone, etag, events: [{uid, sequence, status (TENTATIVE, CONFIRMED, CANCELLED), booking_status, timezone, start, end, summary, location, description, updated_at}]}. Reads every row it names: called only by the definer feed readers, after the token matched.';

-- ---------------------------------------------------------------------------------------------
-- Who may issue a provider's feed

create or replace function private.require_feed_keeper(p_provider_id uuid)
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_provider app.providers;
begin
  perform private.require_user();
  select * into v_provider from app.providers p where p.id = p_provider_id;
  -- As the providers' select policy: active ones are public, inactive ones for members only.
  if not found or not (v_provider.active or private.is_org_member(v_provider.org_id)) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such provider.';
  end if;
  if not (private.is_provider_self(v_provider.id) or private.is_org_staff(v_provider.org_id)) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the provider and the organization''s owners, admins and staff may manage its calendar feed.';
  end if;
end;
$$;
comment on function private.require_feed_keeper(uuid) is
  '401 for anon, 404 for a provider the caller cannot see, 403 unless the caller is the provider themself or staff+ of its organization. Called by the definer functions below, so it asks only questions about auth.uid(), not row-level security.';

-- ---------------------------------------------------------------------------------------------
-- Issuing, revoking and reading (definers: app.calendar_feeds is closed to clients)

create or replace function private.issue_calendar_token(p_provider_id uuid)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
  v_token text := private.random_token();
  v_hash bytea := private.token_hash(v_token);
begin
  if p_provider_id is null then
    insert into app.calendar_feeds (user_id, token_hash, created_by, created_at)
    values (v_uid, v_hash, v_uid, private.now())
    on conflict (user_id) where user_id is not null do update
      set token_hash = excluded.token_hash, created_at = excluded.created_at;
    return pg_catalog.json_build_object(
      'token', v_token, 'url_path', '/api/v1/users/me/calendar.ics?token=' || v_token);
  end if;
  perform private.require_feed_keeper(p_provider_id);
  insert into app.calendar_feeds (provider_id, token_hash, created_by, created_at)
  values (p_provider_id, v_hash, v_uid, private.now())
  on conflict (provider_id) where provider_id is not null do update
    set token_hash = excluded.token_hash, created_by = excluded.created_by,
        created_at = excluded.created_at;
  return pg_catalog.json_build_object(
    'token', v_token,
    'url_path', pg_catalog.format('/api/v1/providers/%s/calendar.ics?token=%s', p_provider_id, v_token));
end;
$$;
comment on function private.issue_calendar_token(uuid) is
  'A new feed token for a provider (p_provider_id), or for the caller''s own bookings (NULL), replacing the previous one: {token, url_path}. 401, 403, 404 as private.require_feed_keeper. Definer: app.calendar_feeds and private.random_token are closed to clients; the caller is checked first.';
grant execute on function private.issue_calendar_token(uuid) to anon, authenticated;

create or replace function private.revoke_calendar_token(p_provider_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_user();
begin
  if p_provider_id is null then
    delete from app.calendar_feeds f where f.user_id = v_uid;
  else
    perform private.require_feed_keeper(p_provider_id);
    delete from app.calendar_feeds f where f.provider_id = p_provider_id;
  end if;
end;
$$;
comment on function private.revoke_calendar_token(uuid) is
  'Delete the feed of a provider (p_provider_id), or the caller''s own (NULL): its URL stops working. 401, 403, 404 as private.require_feed_keeper. Definer: app.calendar_feeds is closed to clients; the caller is checked first.';
grant execute on function private.revoke_calendar_token(uuid) to anon, authenticated;

create or replace function private.calendar_feed(p_provider_id uuid, p_token text)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_feed app.calendar_feeds;
  v_provider app.providers;
  v_user auth.users;
begin
  select * into v_feed from app.calendar_feeds f where f.token_hash = private.token_hash(p_token);
  if not found or v_feed.provider_id is distinct from p_provider_id then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such calendar feed.';
  end if;
  if p_provider_id is not null then
    select * into v_provider from app.providers p where p.id = p_provider_id;
    -- A provider's feed lasts while whoever issued it may still keep that calendar: the person
    -- linked to the provider, or the organization's staff+. Someone who leaves, is unlinked or
    -- loses the role loses the URL with it.
    if v_feed.created_by is null or not (
        v_provider.user_id = v_feed.created_by
        or exists (
          select 1 from app.memberships m
          where m.org_id = v_provider.org_id and m.user_id = v_feed.created_by
            and m.role = any (private.staff_roles()))) then
      raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such calendar feed.';
    end if;
    return private.calendar_json(
      v_provider.display_name, private.provider_zone(v_provider.id), v_provider.id, null);
  end if;
  select * into v_user from auth.users u where u.id = v_feed.user_id;
  return private.calendar_json(coalesce(nullif(v_user.full_name, ''), 'Bookings'), null, null, v_user.id);
end;
$$;
comment on function private.calendar_feed(uuid, text) is
  'The feed object (private.calendar_json) that a token opens: a provider''s (p_provider_id; only while its issuer is still the provider''s linked person or the organization''s staff+), or its user''s (NULL); 404 not_found for any other token, so a wrong one and an unknown provider answer the same. Definer: the token is the credential, read as anon; app.calendar_feeds and the bookings are closed to anon.';
grant execute on function private.calendar_feed(uuid, text) to anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.issue_provider_calendar_token(provider_id uuid)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.issue_calendar_token(issue_provider_calendar_token.provider_id);
end;
$$;
comment on function api.issue_provider_calendar_token(uuid) is
  'POST /providers/{provider_id}/calendar-token (201). The provider themself, or owners, admins and staff of its organization. A new secret feed URL; the previous one stops working at once. -> {token, url_path} (the token is shown this once; only its hash is kept). Errors: 401 unauthorized; 403 forbidden; 404 not_found.';
grant execute on function api.issue_provider_calendar_token(uuid) to anon, authenticated;

create or replace function api.revoke_provider_calendar_token(provider_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.revoke_calendar_token(revoke_provider_calendar_token.provider_id);
end;
$$;
comment on function api.revoke_provider_calendar_token(uuid) is
  'DELETE /providers/{provider_id}/calendar-token (204). Who may issue it: the provider''s feed URL stops working. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';
grant execute on function api.revoke_provider_calendar_token(uuid) to anon, authenticated;

create or replace function api.issue_my_calendar_token()
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.issue_calendar_token(null);
end;
$$;
comment on function api.issue_my_calendar_token() is
  'POST /users/me/calendar-token (201). Any signed-in user: a new secret URL of a feed of their own bookings; the previous one stops working at once. -> {token, url_path} (the token is shown this once; only its hash is kept). Errors: 401 unauthorized.';
grant execute on function api.issue_my_calendar_token() to anon, authenticated;

create or replace function api.revoke_my_calendar_token()
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.revoke_calendar_token(null);
end;
$$;
comment on function api.revoke_my_calendar_token() is
  'DELETE /users/me/calendar-token (204). Any signed-in user: their feed URL stops working. Errors: 401 unauthorized.';
grant execute on function api.revoke_my_calendar_token() to anon, authenticated;

create or replace function api.provider_calendar_feed(provider_id uuid, token text)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.calendar_feed(provider_calendar_feed.provider_id, provider_calendar_feed.token);
end;
$$;
comment on function api.provider_calendar_feed(uuid, text) is
  'GET /providers/{provider_id}/calendar.ics?token= (text/calendar over REST, with an ETag). Whoever holds the feed token -> {name, timezone, etag, events: [{uid, sequence, status, booking_status, timezone, start, end, summary (service - customer), location, description, updated_at}]}: bookings not ended over 30 days ago, and those cancelled or declined in the last 30 days (status CANCELLED). Errors: 404 not_found (also for a wrong or revoked token).';
grant execute on function api.provider_calendar_feed(uuid, text) to anon, authenticated;

create or replace function api.my_calendar_feed(token text)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.calendar_feed(null, my_calendar_feed.token);
end;
$$;
comment on function api.my_calendar_feed(text) is
  'GET /users/me/calendar.ics?token= (text/calendar over REST, with an ETag). Whoever holds the feed token -> the feed of that user''s bookings as a customer: {name, timezone (null: each event carries its provider''s), etag, events: [{uid, sequence, status, booking_status, timezone, start, end, summary (service with provider), location (organization), description, updated_at}]}. Errors: 404 not_found (also for a wrong or revoked token).';
grant execute on function api.my_calendar_feed(text) to anon, authenticated;
