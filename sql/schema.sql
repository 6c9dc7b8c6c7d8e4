--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: api; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA api;


--
-- Name: SCHEMA api; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA api IS 'The public contract: functions only. \df+ api.* is the API reference.';


--
-- Name: app; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA app;


--
-- Name: SCHEMA app; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA app IS 'The booking domain. Tables only; rules in sql/code, exposed through api.';


--
-- Name: audit; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA audit;


--
-- Name: SCHEMA audit; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA audit IS 'The audit trail: who changed which row, when, in which request, from what to what. Written by trigger only.';


--
-- Name: auth; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA auth;


--
-- Name: SCHEMA auth; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA auth IS 'Identities, credentials, sessions, refresh tokens, lockout state, claim helpers.';


--
-- Name: extensions; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA extensions;


--
-- Name: gdpr; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA gdpr;


--
-- Name: SCHEMA gdpr; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA gdpr IS 'Data protection: recorded consents and the retention job (gdpr.purge_expired). Export and erasure are exposed through api.';


--
-- Name: migrations; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA migrations;


--
-- Name: outbox; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA outbox;


--
-- Name: SCHEMA outbox; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA outbox IS 'Messages waiting to be sent, and their delivery state. Read by the worker only (service_role through private functions).';


--
-- Name: private; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA private;


--
-- Name: SCHEMA private; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA private IS 'Helpers that must run as the owner (SECURITY DEFINER); never exposed as endpoints.';


--
-- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA extensions;


--
-- Name: EXTENSION btree_gist; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';


--
-- Name: citext; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;


--
-- Name: EXTENSION citext; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: unaccent; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA extensions;


--
-- Name: EXTENSION unaccent; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION unaccent IS 'text search dictionary that removes accents';


--
-- Name: booking_status; Type: TYPE; Schema: app; Owner: -
--

CREATE TYPE app.booking_status AS ENUM (
    'pending',
    'confirmed',
    'declined',
    'cancelled',
    'completed',
    'no_show',
    'held'
);


--
-- Name: member_role; Type: TYPE; Schema: app; Owner: -
--

CREATE TYPE app.member_role AS ENUM (
    'owner',
    'admin',
    'staff',
    'provider'
);


--
-- Name: accept_invitation(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.accept_invitation(id uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  return private.accept_invitation(accept_invitation.id);
end;
$$;


--
-- Name: FUNCTION accept_invitation(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.accept_invitation(id uuid) IS 'POST /invitations/{id}/accept. The invitee, signed in with the invited address verified, becomes a member with the invited role (one who is a member already keeps their role) -> member {user_id, email, full_name, role, created_at}. Errors: 401 unauthorized; 403 forbidden (address not verified); 404 not_found (no open invitation to you).';


--
-- Name: add_member(uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.add_member(org_id uuid, email text, role text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  return private.add_member(add_member.org_id, add_member.email, add_member.role);
end;
$$;


--
-- Name: FUNCTION add_member(org_id uuid, email text, role text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.add_member(org_id uuid, email text, role text) IS 'POST /orgs/{org_id}/members (202). Owners and admins; only owners may invite an owner. {email, role: owner|admin|staff|provider} -> invitation {id, org, email, role, created_at, expires_at}, and an email to the address. The person becomes a member when they accept (POST /invitations/{id}/accept) signed in with that address verified; inviting again renews the invitation. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 conflict (a member already); 422 invalid_email, validation_failed (role).';


--
-- Name: anonymize_user(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.anonymize_user(user_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.anonymize_user(anonymize_user.user_id);
end;
$$;


--
-- Name: FUNCTION anonymize_user(user_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.anonymize_user(user_id uuid) IS 'POST /users/{user_id}/anonymize (204, platform admins). Erase an account as DELETE /users/me does: personal data replaced by placeholders everywhere (account, sessions, notes, provider profiles, messages, audit entries), sessions ended, login impossible; bookings stay as anonymous records. Repeating it is harmless. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';


--
-- Name: available_slots(uuid, uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.available_slots(provider_id uuid, service_id uuid, range_from text DEFAULT NULL::text, range_to text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION available_slots(provider_id uuid, service_id uuid, range_from text, range_to text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.available_slots(provider_id uuid, service_id uuid, range_from text, range_to text) IS 'GET /providers/{provider_id}/slots?service_id&from&to. from/to: local dates in the provider''s zone (to inclusive) or RFC 3339 instants; default the next 7 days; span at most 62 days. -> {provider_id, service_id, timezone, slots: [{start, end}]} in the provider''s zone. Errors: 404 not_found, 422 service_not_offered, invalid_time, range_too_long.';


--
-- Name: booking_history(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.booking_history(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION booking_history(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.booking_history(id uuid) IS 'GET /bookings/{id}/history: every change, oldest first: {items: [{at, actor_id, action, from_status, to_status, from_start, to_start}], next_cursor: null}. Same readers as the booking. Errors: 404.';


--
-- Name: cancel_booking(uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.cancel_booking(id uuid, reason text DEFAULT NULL::text, scope text DEFAULT 'this'::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION cancel_booking(id uuid, reason text, scope text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.cancel_booking(id uuid, reason text, scope text) IS 'POST /bookings/{id}/cancel {reason?, scope? = this | following}: the customer (until the organization''s cutoff) or staff+ (any time). Frees the slot at once. scope following also cancels every later pending or confirmed occurrence of the booking''s series (for a booking outside a series it is this). -> the booking named. Errors: 403, 404, 409 invalid_transition, cancellation_window_passed; 422 validation_failed (scope).';


--
-- Name: change_password(text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.change_password(current_password text, new_password text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.change_password(change_password.current_password, change_password.new_password);
end;
$$;


--
-- Name: FUNCTION change_password(current_password text, new_password text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.change_password(current_password text, new_password text) IS 'POST /auth/change-password (204). {current_password, new_password}; every other session is ended. Wrong current passwords count toward the login lockout. Errors: 401 invalid_credentials; 422 weak_password; 429 account_locked (Retry-After).';


--
-- Name: check_availability(uuid, uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.check_availability(provider_id uuid, service_id uuid, start text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION check_availability(provider_id uuid, service_id uuid, start text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.check_availability(provider_id uuid, service_id uuid, start text) IS 'POST /bookings/check-availability {provider_id, service_id, start} -> {available, reason}: reason is too_soon, too_far_ahead, outside_working_hours, slot_taken, resource_unavailable or service_not_offered. Errors: 404 not_found, 422 invalid_time.';


--
-- Name: complete_booking(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.complete_booking(id uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.transition_booking(complete_booking.id, 'complete');
end;
$$;


--
-- Name: FUNCTION complete_booking(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.complete_booking(id uuid) IS 'POST /bookings/{id}/complete: confirmed -> completed. Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';


--
-- Name: confirm_booking(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.confirm_booking(id uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.transition_booking(confirm_booking.id, 'confirm');
end;
$$;


--
-- Name: FUNCTION confirm_booking(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.confirm_booking(id uuid) IS 'POST /bookings/{id}/confirm: pending -> confirmed. Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';


--
-- Name: confirm_email(text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.confirm_email(token text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.confirm_email(confirm_email.token);
end;
$$;


--
-- Name: FUNCTION confirm_email(token text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.confirm_email(token text) IS 'POST /auth/verify-email/confirm {token} -> 204: the address is verified (user.email_verified becomes true). No login needed: the token is the proof. Errors: 400 invalid_token (unknown, used, expired, not a verification token).';


--
-- Name: confirm_hold(uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.confirm_hold(id uuid, customer_note text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.confirm_hold(confirm_hold.id, confirm_hold.customer_note);
end;
$$;


--
-- Name: FUNCTION confirm_hold(id uuid, customer_note text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.confirm_hold(id uuid, customer_note text) IS 'POST /bookings/holds/{id}/confirm {customer_note?}: the holder only -> 201 booking (same id, same slot). Errors: 404 not_found, 409 invalid_transition (already confirmed), 410 hold_expired.';


--
-- Name: confirm_password_reset(text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.confirm_password_reset(token text, new_password text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.confirm_password_reset(confirm_password_reset.token, confirm_password_reset.new_password);
end;
$$;


--
-- Name: FUNCTION confirm_password_reset(token text, new_password text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.confirm_password_reset(token text, new_password text) IS 'POST /auth/password-reset/confirm {token, new_password} -> 204. Sets the password and ends every session of the account; the token is single-use. Errors: 400 invalid_token (unknown, used, expired, not a reset token); 422 weak_password (the token stays usable).';


--
-- Name: create_booking(text, uuid, text, text, uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_booking(provider_id text, service_id uuid, start text, customer_note text DEFAULT NULL::text, customer_id uuid DEFAULT NULL::uuid, idempotency_key text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.create_booking(private.provider_choice(create_booking.provider_id),
    create_booking.service_id, create_booking.start, create_booking.customer_note,
    create_booking.customer_id, create_booking.idempotency_key);
end;
$$;


--
-- Name: FUNCTION create_booking(provider_id text, service_id uuid, start text, customer_note text, customer_id uuid, idempotency_key text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_booking(provider_id text, service_id uuid, start text, customer_note text, customer_id uuid, idempotency_key text) IS 'POST /bookings {provider_id (an id, or "any": the free provider offering the service with the fewest bookings that day), service_id, start, customer_note?, customer_id? (staff only)}, header Idempotency-Key -> 201 booking. Errors: 409 slot_taken, resource_unavailable; 422 outside_working_hours, too_soon, too_far_ahead, service_not_offered, invalid_time, idempotency_key_reused; 403 forbidden (customer_id by non-staff); 422 validation_failed (customer_id not someone who has booked with the organization before, nor a member); 404 not_found.';


--
-- Name: create_booking_series(uuid, uuid, text, text, integer, text, text, uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_booking_series(provider_id uuid, service_id uuid, start text, every text, count integer, on_conflict text DEFAULT 'fail'::text, customer_note text DEFAULT NULL::text, customer_id uuid DEFAULT NULL::uuid, idempotency_key text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.create_booking_series(create_booking_series.provider_id,
    create_booking_series.service_id, create_booking_series.start, create_booking_series.every,
    create_booking_series.count, create_booking_series.on_conflict,
    create_booking_series.customer_note, create_booking_series.customer_id,
    create_booking_series.idempotency_key);
end;
$$;


--
-- Name: FUNCTION create_booking_series(provider_id uuid, service_id uuid, start text, every text, count integer, on_conflict text, customer_note text, customer_id uuid, idempotency_key text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_booking_series(provider_id uuid, service_id uuid, start text, every text, count integer, on_conflict text, customer_note text, customer_id uuid, idempotency_key text) IS 'POST /bookings/series {provider_id, service_id, start, every: P1W | P2W | P4W, count: 2..52, on_conflict?: fail (default) | skip, customer_note?, customer_id? (staff only)}, header Idempotency-Key -> 201 {series_id, bookings: [booking], skipped: [{start, reason}]}. Occurrence i starts at start''s local wall-clock time in the provider''s zone, i * every later. fail: all or nothing, the first occurrence that cannot be booked answers its error (409 slot_taken, 422 too_soon, too_far_ahead, outside_working_hours) naming its start. skip: books the free occurrences and lists the others with their reason; 409 slot_taken if none is free. Errors: 409 too_many_bookings (the booked occurrences would pass the organization''s cap; nothing is booked); 422 validation_failed (every, count, on_conflict; customer_id as POST /bookings), service_not_offered, invalid_time, idempotency_key_reused; 403 forbidden (customer_id by non-staff), email_not_verified; 404 not_found.';


--
-- Name: create_hold(text, uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_hold(provider_id text, service_id uuid, start text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.create_hold(private.provider_choice(create_hold.provider_id), create_hold.service_id,
    create_hold.start);
end;
$$;


--
-- Name: FUNCTION create_hold(provider_id text, service_id uuid, start text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_hold(provider_id text, service_id uuid, start text) IS 'POST /bookings/holds {provider_id (an id or "any"), service_id, start} -> 201 {id, org_id, provider_id, service_id, start, end, expires_at}: the slot is kept for the caller like a booking until expires_at (the organization''s hold_minutes, default 10). Errors: as POST /bookings (409 slot_taken, resource_unavailable, too_many_bookings; 422 too_soon, outside_working_hours, ...).';


--
-- Name: create_org(text, text, text, text, text, integer); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_org(slug text, name text, timezone text DEFAULT NULL::text, currency text DEFAULT NULL::text, search_language text DEFAULT NULL::text, cancellation_cutoff_minutes integer DEFAULT NULL::integer) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_org(slug text, name text, timezone text, currency text, search_language text, cancellation_cutoff_minutes integer); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_org(slug text, name text, timezone text, currency text, search_language text, cancellation_cutoff_minutes integer) IS 'POST /orgs. Any user; the caller becomes its owner. {slug, name, timezone?="Europe/Copenhagen", currency?="DKK", search_language?="danish", cancellation_cutoff_minutes?=1440} -> org {id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes, created_at}. slug: 1-63 of a-z, 0-9, "-" (not at either end, not UUID-shaped). Errors: 401 unauthorized; 409 conflict (slug taken); 422 validation_failed (slug, name, time zone, currency, search_language not a text search configuration, cutoff outside 0..525600).';


--
-- Name: create_provider(uuid, text, uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_provider(org_id uuid, display_name text, user_id uuid DEFAULT NULL::uuid, timezone text DEFAULT NULL::text, bio text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_provider(org_id uuid, display_name text, user_id uuid, timezone text, bio text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_provider(org_id uuid, display_name text, user_id uuid, timezone text, bio text) IS 'POST /orgs/{org_id}/providers (201). Owners and admins. {display_name, user_id?, timezone? (omitted = the organization''s), bio?} -> provider {id, org_id, user_id, display_name, timezone (effective), bio, active}. user_id must name a member of the organization. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (name, time zone, bio, user_id not a member).';


--
-- Name: create_resource(uuid, text, text, integer); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_resource(org_id uuid, name text, kind text, capacity integer DEFAULT NULL::integer) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_resource app.resources;
begin
  perform private.require_org_manager(create_resource.org_id);
  insert into app.resources (org_id, name, kind, capacity)
  values (create_resource.org_id, create_resource.name, create_resource.kind,
          coalesce(create_resource.capacity, 1))
  returning * into v_resource;
  return private.resource_json(v_resource);
end;
$$;


--
-- Name: FUNCTION create_resource(org_id uuid, name text, kind text, capacity integer); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_resource(org_id uuid, name text, kind text, capacity integer) IS 'POST /orgs/{org_id}/resources (201). Owners and admins. {name (1..200 characters), kind (such as room or chair: lowercase letters, digits, "_", "-"), capacity?=1 (1..100 units usable at once)} -> resource {id, org_id, name, kind, capacity, active, created_at, updated_at}. A service needing a kind gets units of any active resource of that kind. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';


--
-- Name: create_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], json); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_service(org_id uuid, name text, duration_minutes integer, price_minor bigint, description text DEFAULT NULL::text, buffer_before_minutes integer DEFAULT NULL::integer, buffer_after_minutes integer DEFAULT NULL::integer, currency text DEFAULT NULL::text, min_notice_minutes integer DEFAULT NULL::integer, max_advance_days integer DEFAULT NULL::integer, slot_interval_minutes integer DEFAULT NULL::integer, requires_confirmation boolean DEFAULT NULL::boolean, provider_ids uuid[] DEFAULT NULL::uuid[], resource_requirements json DEFAULT NULL::json) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
  perform private.set_service_resources(v_service, coalesce(create_service.resource_requirements, '[]'));
  return private.service_json(v_service);
end;
$$;


--
-- Name: FUNCTION create_service(org_id uuid, name text, duration_minutes integer, price_minor bigint, description text, buffer_before_minutes integer, buffer_after_minutes integer, currency text, min_notice_minutes integer, max_advance_days integer, slot_interval_minutes integer, requires_confirmation boolean, provider_ids uuid[], resource_requirements json); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_service(org_id uuid, name text, duration_minutes integer, price_minor bigint, description text, buffer_before_minutes integer, buffer_after_minutes integer, currency text, min_notice_minutes integer, max_advance_days integer, slot_interval_minutes integer, requires_confirmation boolean, provider_ids uuid[], resource_requirements json) IS 'POST /orgs/{org_id}/services (201). Owners and admins. {name, duration_minutes (5..1440), price_minor (>= 0), description?="", buffer_before_minutes?=0, buffer_after_minutes?=0 (0..480), currency?=the organization''s, min_notice_minutes?=0, max_advance_days?=90 (1..730), slot_interval_minutes?=duration, requires_confirmation?=false, provider_ids?=[], resource_requirements?=[] ([{kind, count (1..100)}], each kind once: a booking also needs count free units of active resources of each kind)} -> service {id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes, requires_confirmation, active, provider_ids, resource_requirements}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (a field out of range, provider_ids not of this organization, resource_requirements).';


--
-- Name: create_time_off(uuid, text, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_time_off(provider_id uuid, starts_at text, ends_at text, reason text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_time_off(provider_id uuid, starts_at text, ends_at text, reason text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_time_off(provider_id uuid, starts_at text, ends_at text, reason text) IS 'POST /providers/{provider_id}/time-off (owner, admin, staff, the provider). Body {starts_at, ends_at, reason?}: RFC 3339 instants with an offset, [starts_at, ends_at). -> 201 {id, provider_id, starts_at, ends_at, reason} with instants in the provider''s zone, reason null when none. Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members); 422 invalid_time (no offset, unparsable), validation_failed (ends_at not after starts_at, reason over 1000 characters).';


--
-- Name: decline_booking(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.decline_booking(id uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.transition_booking(decline_booking.id, 'decline');
end;
$$;


--
-- Name: FUNCTION decline_booking(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.decline_booking(id uuid) IS 'POST /bookings/{id}/decline: pending -> declined (frees the slot). Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';


--
-- Name: decline_invitation(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.decline_invitation(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  perform private.decline_invitation(decline_invitation.id);
end;
$$;


--
-- Name: FUNCTION decline_invitation(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.decline_invitation(id uuid) IS 'POST /invitations/{id}/decline (204). The invitee turns an open invitation down. Errors: 401 unauthorized; 403 forbidden (address not verified); 404 not_found.';


--
-- Name: delete_me(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.delete_me() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.erase_me();
end;
$$;


--
-- Name: FUNCTION delete_me(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.delete_me() IS 'DELETE /users/me. Erase the caller''s personal data and end every session; login becomes impossible.';


--
-- Name: delete_override(uuid, date); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.delete_override(provider_id uuid, on_date date) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION delete_override(provider_id uuid, on_date date); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.delete_override(provider_id uuid, on_date date) IS 'DELETE /providers/{provider_id}/overrides/{on_date} (owner, admin, staff, the provider). The date goes back to the weekly hours. Idempotent: deleting a date that has no override also succeeds (204). Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members).';


--
-- Name: delete_resource(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.delete_resource(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_resource app.resources := private.require_managed_resource(delete_resource.id);
begin
  -- private.guard_resource_claims refuses while upcoming bookings hold a unit, and removes the
  -- past claims.
  delete from app.resources x where x.id = v_resource.id;
end;
$$;


--
-- Name: FUNCTION delete_resource(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.delete_resource(id uuid) IS 'DELETE /resources/{id} (204). Owners and admins. Removes the resource and the record of which past bookings used it; bookings themselves are untouched. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 resource_unavailable (an upcoming live hold or booking holds one of its units: cancel or move it, or deactivate the resource instead).';


--
-- Name: delete_service(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.delete_service(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_service app.services := private.require_managed_service(delete_service.id);
begin
  update app.services s set active = false where s.id = v_service.id;
end;
$$;


--
-- Name: FUNCTION delete_service(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.delete_service(id uuid) IS 'DELETE /services/{id} (204). Owners and admins. Deactivates the service: it stays for its bookings and members, and disappears for everyone else. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';


--
-- Name: delete_time_off(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.delete_time_off(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION delete_time_off(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.delete_time_off(id uuid) IS 'DELETE /time-off/{id} (owner, admin, staff, the provider). -> 204. Errors: 401 unauthorized; 403 forbidden (a member who may read it but not remove it); 404 not_found (no such time off, or one the caller cannot see).';


--
-- Name: event_topics(text[]); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.event_topics(topics text[]) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.to_json(private.topic_filter(topics));
end;
$$;


--
-- Name: FUNCTION event_topics(topics text[]); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.event_topics(topics text[]) IS 'Checks live-update topics before subscribing and returns them normalized. bookings: the caller''s bookings as customer, their calendar as provider, their organizations'' as staff (needs a token); availability:<provider id>: anyone who can see the provider. 401, 404 or 422 for a topic the caller may not have.';


--
-- Name: events_since(bigint, text[], integer); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.events_since(after bigint, topics text[], lim integer DEFAULT 200) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION events_since(after bigint, topics text[], lim integer); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.events_since(after bigint, topics text[], lim integer) IS 'Events after the event id `after` on the given topics that the caller may read, oldest first: {items, next_cursor, gap}. gap is true when some were purged (kept for events_retention_minutes). What SSE''s Last-Event-ID resumes from.';


--
-- Name: export_me(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.export_me() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.export_me();
end;
$$;


--
-- Name: FUNCTION export_me(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.export_me() IS 'GET /users/me/export. Everything slotbase holds about the caller, as one document: {exported_at, account, sessions: [{id, user_agent, ip, created_at, last_used_at, expires_at, revoked_at, revoked_reason}], failed_logins: [instant], memberships: [{org_id, org_name, role, created_at}], provider_profiles: [{id, org_id, display_name, bio, timezone, active, created_at, time_off: [...]}], bookings_as_customer: [{id, org_id, org_name, provider_id, provider_name, service_id, service_name, start, end, status, price_minor, currency, customer_note, cancelled_at, cancel_reason, sequence, created_at, updated_at, history: [...]}], booking_series: [{id, org_id, provider_id, service_id, every, count, first_start, created_at}], bookings_as_provider: [{id, org_id, provider_id, service_id, service_name, start, end, status}], notes_about_them: [{booking_id, internal_note, updated_at}], waitlist: [{id, org_id, service_id, provider_id, from, to, status, hold_id, offered_at, created_at}], calendar_feeds: [{provider_id (null: their own bookings), created_at}] (the feeds they issued, never a token), consents: [{purpose, granted, policy_version, at}], messages: [{message_id, kind, recipient_email, locale, booking_id, status, created_at, sent_at}], audit: [{id, at, actor_id, request_id, table_name, row_id, action, old_values, new_values}]}. No hashes, tokens or other people''s data. Errors: 401 unauthorized.';


--
-- Name: export_user(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.export_user(user_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.export_user(export_user.user_id);
end;
$$;


--
-- Name: FUNCTION export_user(user_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.export_user(user_id uuid) IS 'GET /users/{user_id}/export (platform admins). The export document of any account, as api.export_me. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';


--
-- Name: get_booking(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_booking(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION get_booking(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_booking(id uuid) IS 'GET /bookings/{id}: the customer, the provider, the organization''s staff+. Errors: 404 not_found (also for bookings the caller may not see).';


--
-- Name: get_booking_series(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_booking_series(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION get_booking_series(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_booking_series(id uuid) IS 'GET /bookings/series/{id}: the customer and the organization''s staff+. -> {series_id, org_id, provider_id, service_id, customer_id, every, count, start (the first, in the provider''s zone), created_at, bookings: [booking] (every occurrence booked, whatever its status now, by start)}. Errors: 401; 404 not_found (also for series the caller may not see).';


--
-- Name: get_hold(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_hold(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION get_hold(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_hold(id uuid) IS 'GET /bookings/holds/{id}: the holder''s hold, expired or not, until it is confirmed or deleted. Errors: 404 not_found.';


--
-- Name: get_org(text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_org(id_or_slug text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION get_org(id_or_slug text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_org(id_or_slug text) IS 'GET /orgs/{id_or_slug}. Anyone. A UUID is read as the id, anything else as the slug -> org {id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes, created_at}. Errors: 404 not_found.';


--
-- Name: get_provider(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_provider(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION get_provider(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_provider(id uuid) IS 'GET /providers/{id}. Anyone (an inactive provider: members only) -> provider {id, org_id, user_id, display_name, timezone, bio, active}. Errors: 404 not_found.';


--
-- Name: get_resource(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_resource(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_resource app.resources;
begin
  perform private.require_user();
  select * into v_resource from app.resources x where x.id = get_resource.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such resource.';
  end if;
  return private.resource_json(v_resource);
end;
$$;


--
-- Name: FUNCTION get_resource(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_resource(id uuid) IS 'GET /resources/{id}. Members of its organization -> resource {id, org_id, name, kind, capacity, active, created_at, updated_at}. Errors: 401 unauthorized; 404 not_found (unknown, or not a member).';


--
-- Name: get_service(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_service(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION get_service(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_service(id uuid) IS 'GET /services/{id}. Anyone (an inactive service: members only) -> service {id, org_id, name, description, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days, slot_interval_minutes, requires_confirmation, active, provider_ids, resource_requirements}. Errors: 404 not_found.';


--
-- Name: get_user(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_user(id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user json;
begin
  perform private.require_platform_admin();
  select private.user_object(get_user.id) into v_user;
  if v_user is null then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  return v_user;
end;
$$;


--
-- Name: FUNCTION get_user(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_user(id uuid) IS 'GET /users/{id} (platform admins). Errors: 403 forbidden, 404 not_found.';


--
-- Name: get_working_hours(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.get_working_hours(provider_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_schedule_provider(get_working_hours.provider_id);
  return private.working_hours_json(get_working_hours.provider_id);
end;
$$;


--
-- Name: FUNCTION get_working_hours(provider_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.get_working_hours(provider_id uuid) IS 'GET /providers/{provider_id}/working-hours (anyone). -> {provider_id, timezone (the provider''s, else the organization''s), windows: [{weekday: 1..7 (ISO, Monday = 1), start: "HH:MM", end: "HH:MM", valid_from: date|null, valid_until: date|null}]} ordered by weekday, start; the validity dates are inclusive. Errors: 404 not_found (unknown provider; an inactive one for non-members).';


--
-- Name: issue_my_calendar_token(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.issue_my_calendar_token() RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.issue_calendar_token(null);
end;
$$;


--
-- Name: FUNCTION issue_my_calendar_token(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.issue_my_calendar_token() IS 'POST /users/me/calendar-token (201). Any signed-in user: a new secret URL of a feed of their own bookings; the previous one stops working at once. -> {token, url_path} (the token is shown this once; only its hash is kept). Errors: 401 unauthorized.';


--
-- Name: issue_provider_calendar_token(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.issue_provider_calendar_token(provider_id uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.issue_calendar_token(issue_provider_calendar_token.provider_id);
end;
$$;


--
-- Name: FUNCTION issue_provider_calendar_token(provider_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.issue_provider_calendar_token(provider_id uuid) IS 'POST /providers/{provider_id}/calendar-token (201). The provider themself, or owners, admins and staff of its organization. A new secret feed URL; the previous one stops working at once. -> {token, url_path} (the token is shown this once; only its hash is kept). Errors: 401 unauthorized; 403 forbidden; 404 not_found.';


--
-- Name: join_waitlist(uuid, text, text, uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.join_waitlist(service_id uuid, "from" text, "to" text, provider_id uuid DEFAULT NULL::uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.join_waitlist(join_waitlist.service_id, join_waitlist."from", join_waitlist."to",
    join_waitlist.provider_id);
end;
$$;


--
-- Name: FUNCTION join_waitlist(service_id uuid, "from" text, "to" text, provider_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.join_waitlist(service_id uuid, "from" text, "to" text, provider_id uuid) IS 'POST /waitlist {service_id, from, to, provider_id?} -> 201 entry {id, org_id, service_id, provider_id, from, to, status: waiting, hold_id, offered_at, created_at}. from/to: local dates (to inclusive) or RFC 3339 instants; a slot starting in [from, to) that frees up becomes a hold for the first entry in line it fits, with an email. Errors: 403 email_not_verified (the organization books verified addresses only), 404 not_found, 409 waitlist_closed (no waitlist here, or the window has passed), too_many_bookings; 422 service_not_offered, invalid_time, range_too_long, validation_failed.';


--
-- Name: leave_waitlist(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.leave_waitlist(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.leave_waitlist(leave_waitlist.id);
end;
$$;


--
-- Name: FUNCTION leave_waitlist(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.leave_waitlist(id uuid) IS 'DELETE /waitlist/{id}: the caller''s own entry -> 204. Errors: 404 not_found.';


--
-- Name: list_bookings(uuid, text, text, text, uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_bookings(org_id uuid DEFAULT NULL::uuid, range_from text DEFAULT NULL::text, range_to text DEFAULT NULL::text, status text DEFAULT NULL::text, provider_id uuid DEFAULT NULL::uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION list_bookings(org_id uuid, range_from text, range_to text, status text, provider_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_bookings(org_id uuid, range_from text, range_to text, status text, provider_id uuid, lim integer, cursor text) IS 'GET /bookings?org_id&from&to&status&provider_id&limit&cursor. Without org_id: the caller''s own bookings as customer. With org_id (members only): staff+ see all, providers their own calendar. Ordered by start. -> {items: [booking], next_cursor}. Errors: 403 forbidden, 404 not_found, 422 validation_failed, invalid_time.';


--
-- Name: list_consents(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_consents() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_uid uuid := private.require_user();
begin
  return pg_catalog.json_build_object(
    'marketing', (
      select private.consent_json(c) from gdpr.consents c
      where c.user_id = v_uid and c.purpose = 'marketing'
      order by c.at desc, c.id desc
      limit 1
    ),
    'items', coalesce((
      select pg_catalog.json_agg(private.consent_json(c) order by c.at desc, c.id desc)
      from gdpr.consents c where c.user_id = v_uid
    ), '[]'),
    'next_cursor', null
  );
end;
$$;


--
-- Name: FUNCTION list_consents(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_consents() IS 'GET /users/me/consents. The caller''s current marketing consent (null before any decision) and every decision, newest first: {marketing: {purpose, granted, policy_version, at} | null, items: [consent], next_cursor: null}. Errors: 401 unauthorized.';


--
-- Name: list_invitations(uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_invitations(org_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  return private.list_invitations(list_invitations.org_id, list_invitations.lim, list_invitations.cursor);
end;
$$;


--
-- Name: FUNCTION list_invitations(org_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_invitations(org_id uuid, lim integer, cursor text) IS 'GET /orgs/{org_id}/invitations?limit&cursor. Owners and admins: the open invitations, oldest first: {items: [invitation {id, org, email, role, created_at, expires_at}], next_cursor}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';


--
-- Name: list_members(uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_members(org_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_limit integer := private.page_limit(list_members.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_members.org_id);
  perform private.require_user();
  if not private.is_org_member(list_members.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only members of the organization may see its members.';
  end if;
  v_after := private.decode_cursor(list_members.cursor, 'timestamptz', 'uuid');
  with page as (
    select m.org_id, m.user_id, m.created_at,
           pg_catalog.row_number() over (order by m.created_at, m.user_id) as n
    from app.memberships m
    where m.org_id = list_members.org_id
      and (v_after is null or (m.created_at, m.user_id) > (v_after[1]::timestamptz, v_after[2]::uuid))
    order by m.created_at, m.user_id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.member_json(p.org_id, p.user_id) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(p.created_at::text, p.user_id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION list_members(org_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_members(org_id uuid, lim integer, cursor text) IS 'GET /orgs/{org_id}/members?limit&cursor. Members of the organization, longest-standing first: {items: [{user_id, email, full_name, role, created_at}], next_cursor}. Errors: 401 unauthorized; 403 forbidden (not a member); 404 not_found; 422 validation_failed (limit, cursor).';


--
-- Name: list_overrides(uuid, date, date); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_overrides(provider_id uuid, range_from date DEFAULT NULL::date, range_to date DEFAULT NULL::date) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION list_overrides(provider_id uuid, range_from date, range_to date); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_overrides(provider_id uuid, range_from date, range_to date) IS 'GET /providers/{provider_id}/overrides?from&to (anyone). Dates from..to inclusive, either open. -> {items: [{date, windows: [{start, end}]}] by date ([] windows = closed), next_cursor: null (one page)}. Errors: 404 not_found (unknown provider, an inactive one for non-members); 422 validation_failed (to before from, malformed date).';


--
-- Name: list_providers(uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_providers(org_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_limit integer := private.page_limit(list_providers.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_providers.org_id);
  v_after := private.decode_cursor(list_providers.cursor, 'text', 'uuid');
  with page as (
    select p, p.display_name, p.id,
           pg_catalog.row_number() over (order by p.display_name, p.id) as n
    from app.providers p
    where p.org_id = list_providers.org_id
      and (v_after is null or (p.display_name, p.id) > (v_after[1], v_after[2]::uuid))
    order by p.display_name, p.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.provider_json(x.p) order by x.n)
                    filter (where x.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.display_name, x.id::text) order by x.n))[v_limit]
         end
  into v_items, v_next
  from page x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION list_providers(org_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_providers(org_id uuid, lim integer, cursor text) IS 'GET /orgs/{org_id}/providers?limit&cursor. Anyone; inactive providers only for members. By display_name: {items: [provider {id, org_id, user_id, display_name, timezone, bio, active}], next_cursor}. Errors: 404 not_found; 422 validation_failed (limit, cursor).';


--
-- Name: list_resources(uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_resources(org_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_limit integer := private.page_limit(list_resources.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_visible_org(list_resources.org_id);
  perform private.require_user();
  if not private.is_org_member(list_resources.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only members of the organization may see its resources.';
  end if;
  v_after := private.decode_cursor(list_resources.cursor, 'text', 'uuid');
  with page as (
    select x, x.name, x.id,
           pg_catalog.row_number() over (order by x.name, x.id) as n
    from app.resources x
    where x.org_id = list_resources.org_id
      and (v_after is null or (x.name, x.id) > (v_after[1], v_after[2]::uuid))
    order by x.name, x.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.resource_json(p.x) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(p.name, p.id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION list_resources(org_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_resources(org_id uuid, lim integer, cursor text) IS 'GET /orgs/{org_id}/resources?limit&cursor. Members of the organization; active and inactive resources by name: {items: [resource], next_cursor}. Errors: 401 unauthorized; 403 forbidden (not a member); 404 not_found; 422 validation_failed (limit, cursor).';


--
-- Name: list_services(uuid, text, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_services(org_id uuid, q text DEFAULT NULL::text, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_org app.organizations := private.require_visible_org(list_services.org_id);
  v_limit integer := private.page_limit(list_services.lim);
  v_q text := nullif(pg_catalog.btrim(list_services.q), '');
  v_after text[];
  v_items json;
  v_next text;
begin
  if v_q is not null then
    -- Ranked search, the same as api.search within one organization (80-search).
    return private.search_services(v_org, private.search_q(v_q), v_limit, list_services.cursor);
  end if;
  v_after := private.decode_cursor(list_services.cursor, 'text', 'uuid');
  with page as (
    select s, s.name, s.id,
           pg_catalog.row_number() over (order by s.name, s.id) as n
    from app.services s
    where s.org_id = list_services.org_id
      and (v_after is null or (s.name, s.id) > (v_after[1], v_after[2]::uuid))
    order by s.name, s.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.service_json(x.s) order by x.n)
                    filter (where x.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.name, x.id::text) order by x.n))[v_limit]
         end
  into v_items, v_next
  from page x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION list_services(org_id uuid, q text, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_services(org_id uuid, q text, lim integer, cursor text) IS 'GET /orgs/{org_id}/services?q&limit&cursor. Anyone; inactive services only for members. Without q: by name. With q: searched and ranked as api.search does (name and description in the organization''s search_language, accents folded, every word a prefix: "klip" finds "Klipning"; typos in the name by trigram similarity), best first. {items: [service], next_cursor}. Errors: 404 not_found; 422 validation_failed (limit, cursor, q over 200 characters).';


--
-- Name: list_sessions(integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_sessions(lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    with page as (
        select s.*
        from auth.sessions s,
          (select private.decode_cursor(list_sessions.cursor, 'timestamptz', 'text') as parts) c
        where s.user_id = private.require_user()
          and s.revoked_at is null
          and s.expires_at > private.now()
          and (c.parts is null or (s.created_at, s.id::text) < (c.parts[1]::timestamptz, c.parts[2]))
        order by s.created_at desc, s.id::text desc
        limit private.page_limit(list_sessions.lim) + 1
      ), numbered as (
        select p.*, row_number() over (order by p.created_at desc, p.id::text desc) as n from page p
      )
      select pg_catalog.json_build_object(
        'items', coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
          'id', n.id,
          'created_at', private.utc(n.created_at),
          'last_used_at', private.utc(n.last_used_at),
          'expires_at', private.utc(n.expires_at),
          'user_agent', n.user_agent,
          'ip', pg_catalog.host(n.ip),
          'current', n.id::text = auth.jwt() ->> 'sid'
        ) order by n.n) filter (where n.n <= private.page_limit(list_sessions.lim)), '[]'),
        'next_cursor', (
          select private.encode_cursor(x.created_at::text, x.id::text)
          from numbered x
          where x.n = private.page_limit(list_sessions.lim)
            and exists (select 1 from numbered y where y.n > x.n)
        )
      )
      from numbered n
  );
end;
$$;


--
-- Name: FUNCTION list_sessions(lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_sessions(lim integer, cursor text) IS 'GET /auth/sessions?limit&cursor. The caller''s open sessions, newest first: {items: [{id, created_at, last_used_at, expires_at, user_agent, ip, current}], next_cursor}.';


--
-- Name: list_time_off(uuid, text, text, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_time_off(provider_id uuid, range_from text DEFAULT NULL::text, range_to text DEFAULT NULL::text, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION list_time_off(provider_id uuid, range_from text, range_to text, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_time_off(provider_id uuid, range_from text, range_to text, lim integer, cursor text) IS 'GET /providers/{provider_id}/time-off?from&to&limit&cursor (members of the organization, and the provider). from/to: a date "YYYY-MM-DD" (a whole local day in the provider''s zone: from its start, to its end) or an RFC 3339 instant with an offset; either open. Lists time off overlapping [from, to), by start. -> {items: [{id, provider_id, starts_at, ends_at, reason}], next_cursor}. Errors: 401 unauthorized; 403 forbidden (a visible provider of another organization); 404 not_found (unknown provider, an inactive one for non-members); 422 invalid_time (bad bound), validation_failed (to not after from, bad limit or cursor).';


--
-- Name: list_users(integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.list_users(lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_limit integer := private.page_limit(list_users.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_platform_admin();
  v_after := private.decode_cursor(list_users.cursor, 'timestamptz', 'text');
  with page as (
    select u.id, u.created_at
    from auth.users u
    where v_after is null or (u.created_at, u.id::text) > (v_after[1]::timestamptz, v_after[2])
    order by u.created_at, u.id::text
    limit v_limit + 1
  ), numbered as (
    select p.id, row_number() over (order by p.created_at, p.id::text) as n from page p
  )
  select coalesce(pg_catalog.json_agg(private.user_object(x.id) order by x.n) filter (where x.n <= v_limit), '[]'),
         max(case when x.n = v_limit + 1 then 1 end)
  into v_items, v_next
  from numbered x;
  if v_next is not null then
    select private.encode_cursor(u.created_at::text, u.id::text) into v_next
    from pg_catalog.json_array_elements(v_items) with ordinality e(item, i)
    join auth.users u on u.id = (e.item ->> 'id')::uuid
    order by e.i desc limit 1;
  end if;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION list_users(lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.list_users(lim integer, cursor text) IS 'GET /users?limit&cursor (platform admins). {items: [user], next_cursor}. Errors: 403 forbidden.';


--
-- Name: login(text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.login(email text, password text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.login(login.email, login.password);
end;
$$;


--
-- Name: FUNCTION login(email text, password text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.login(email text, password text) IS 'POST /auth/login. {email, password} -> {token_type, expires_in, refresh_token, user, claims}; the API signs claims into access_token. Errors (committed, not raised): 401 invalid_credentials (unknown email and wrong password alike), 429 account_locked with Retry-After.';


--
-- Name: logout(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.logout() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.end_my_sessions('logout', nullif(auth.jwt() ->> 'sid', '')::uuid);
end;
$$;


--
-- Name: FUNCTION logout(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.logout() IS 'POST /auth/logout. End the current session: its access and refresh tokens stop working at once.';


--
-- Name: logout_all(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.logout_all() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.end_my_sessions('logout_all');
end;
$$;


--
-- Name: FUNCTION logout_all(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.logout_all() IS 'POST /auth/logout-all. End every session of the caller, on every device.';


--
-- Name: me(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.me() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.user_object(private.require_user());
end;
$$;


--
-- Name: FUNCTION me(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.me() IS 'GET /auth/me, GET /users/me. The caller''s user object.';


--
-- Name: my_calendar_feed(text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.my_calendar_feed(token text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.calendar_feed(null, my_calendar_feed.token);
end;
$$;


--
-- Name: FUNCTION my_calendar_feed(token text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.my_calendar_feed(token text) IS 'GET /users/me/calendar.ics?token= (text/calendar over REST, with an ETag). Whoever holds the feed token -> the feed of that user''s bookings as a customer: {name, timezone (null: each event carries its provider''s), etag, events: [{uid, sequence, status, booking_status, timezone, start, end, summary (service with provider), location (organization), description, updated_at}]}. Errors: 404 not_found (also for a wrong or revoked token).';


--
-- Name: my_invitations(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.my_invitations() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  return private.my_invitations();
end;
$$;


--
-- Name: FUNCTION my_invitations(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.my_invitations() IS 'GET /users/me/invitations. The open invitations to the caller''s verified address: {items: [invitation], next_cursor: null}. Errors: 401 unauthorized; 403 forbidden (address not verified).';


--
-- Name: my_memberships(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.my_memberships() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_uid uuid := private.require_user();
begin
  -- As the caller: a member reads their own organization's memberships and providers, and every
  -- user reads organizations. A person may be behind more than one provider of an organization
  -- (an old chair kept inactive): the active one wins, then the oldest.
  return pg_catalog.json_build_object(
    'items', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
               'org_id', o.id,
               'slug', o.slug,
               'name', o.name,
               'timezone', o.timezone,
               'role', m.role,
               'provider_id', (
                 select p.id from app.providers p
                 where p.org_id = m.org_id and p.user_id = v_uid
                 order by p.active desc, p.created_at, p.id
                 limit 1
               )
             ) order by o.name, o.id)
      from app.memberships m
      join app.organizations o on o.id = m.org_id
      where m.user_id = v_uid
    ), '[]'),
    'next_cursor', null
  );
end;
$$;


--
-- Name: FUNCTION my_memberships(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.my_memberships() IS 'GET /users/me/memberships. The organizations the caller is a member of, by name: {items: [{org_id, slug, name, timezone, role, provider_id}], next_cursor: null}; provider_id is the caller''s own provider in that organization (the active one first), or null. Errors: 401 unauthorized.';


--
-- Name: my_waitlist(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.my_waitlist() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION my_waitlist(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.my_waitlist() IS 'GET /waitlist: the caller''s own entries, oldest first: {items: [entry], next_cursor: null}. status is waiting, offered (hold_id names the hold to confirm), booked, lapsed (an offer not taken) or cancelled.';


--
-- Name: no_show_booking(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.no_show_booking(id uuid) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.transition_booking(no_show_booking.id, 'no_show');
end;
$$;


--
-- Name: FUNCTION no_show_booking(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.no_show_booking(id uuid) IS 'POST /bookings/{id}/no-show: confirmed -> no_show. Staff+ or the provider. Errors: 403, 404, 409 invalid_transition.';


--
-- Name: org_audit(uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.org_audit(org_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_org_manager(org_audit.org_id);
  return private.audit_page(org_audit.org_id, null, org_audit.lim, org_audit.cursor);
end;
$$;


--
-- Name: FUNCTION org_audit(org_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.org_audit(org_id uuid, lim integer, cursor text) IS 'GET /orgs/{org_id}/audit?limit&cursor. Owners and admins. Every recorded change of the organization''s rows (memberships, providers, services, hours, overrides, time off, bookings, internal notes), newest first: {items: [{id, at, actor_id (null = system), request_id, table_name, row_id, org_id, subject_user_id, action (insert|update|delete), old_values, new_values (only changed columns on update)}], next_cursor}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (limit, cursor).';


--
-- Name: org_slots(uuid, uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.org_slots(org_id uuid, service_id uuid, range_from text DEFAULT NULL::text, range_to text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION org_slots(org_id uuid, service_id uuid, range_from text, range_to text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.org_slots(org_id uuid, service_id uuid, range_from text, range_to text) IS 'GET /orgs/{org_id}/slots?service_id&from&to: the free slots of every active provider offering the service, merged: {org_id, service_id, timezone, slots: [{start, end, provider_ids}]} in the organization''s zone; from/to as in GET /providers/{id}/slots (local dates in the organization''s zone). Book one with provider_id "any" or one of its provider_ids. Errors: 404 not_found, 422 service_not_offered, invalid_time, range_too_long, validation_failed.';


--
-- Name: provider_calendar_feed(uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.provider_calendar_feed(provider_id uuid, token text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.calendar_feed(provider_calendar_feed.provider_id, provider_calendar_feed.token);
end;
$$;


--
-- Name: FUNCTION provider_calendar_feed(provider_id uuid, token text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.provider_calendar_feed(provider_id uuid, token text) IS 'GET /providers/{provider_id}/calendar.ics?token= (text/calendar over REST, with an ETag). Whoever holds the feed token -> {name, timezone, etag, events: [{uid, sequence, status, booking_status, timezone, start, end, summary (service - customer), location, description, updated_at}]}: bookings not ended over 30 days ago, and those cancelled or declined in the last 30 days (status CANCELLED). Errors: 404 not_found (also for a wrong or revoked token).';


--
-- Name: refresh(text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.refresh(refresh_token text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.refresh(refresh.refresh_token);
end;
$$;


--
-- Name: FUNCTION refresh(refresh_token text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.refresh(refresh_token text) IS 'POST /auth/refresh. {refresh_token} -> token pair as api.login. Errors: 401 invalid_refresh_token, session_revoked, refresh_token_reused (a used token after the grace window; the session is ended).';


--
-- Name: register(text, text, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.register(email text, password text, full_name text DEFAULT NULL::text, locale text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.register(register.email, register.password, register.full_name, register.locale);
end;
$$;


--
-- Name: FUNCTION register(email text, password text, full_name text, locale text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.register(email text, password text, full_name text, locale text) IS 'POST /auth/register. Create an account: {email, password, full_name?, locale?} -> user {id, email, full_name, locale, email_verified, created_at}. Errors: 409 email_taken; 422 invalid_email, weak_password.';


--
-- Name: release_hold(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.release_hold(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.release_hold(release_hold.id);
end;
$$;


--
-- Name: FUNCTION release_hold(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.release_hold(id uuid) IS 'DELETE /bookings/holds/{id}: the holder only -> 204; the slot is free at once. Errors: 404 not_found.';


--
-- Name: remove_member(uuid, uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.remove_member(org_id uuid, user_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  perform private.remove_member(remove_member.org_id, remove_member.user_id);
end;
$$;


--
-- Name: FUNCTION remove_member(org_id uuid, user_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.remove_member(org_id uuid, user_id uuid) IS 'DELETE /orgs/{org_id}/members/{user_id} (204). Owners and admins (only owners remove an owner); any member may remove themself. The person is unlinked from the organization''s providers. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 last_owner.';


--
-- Name: request_email_verification(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.request_email_verification() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.request_email_verification();
end;
$$;


--
-- Name: FUNCTION request_email_verification(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.request_email_verification() IS 'POST /auth/verify-email/request -> 202. Emails the caller a verification link valid for email_verification_minutes (2880); nothing when the address is verified already. Errors: 401 unauthorized.';


--
-- Name: request_password_reset(text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.request_password_reset(email text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.request_password_reset(request_password_reset.email);
end;
$$;


--
-- Name: FUNCTION request_password_reset(email text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.request_password_reset(email text) IS 'POST /auth/password-reset/request {email} -> 202, the same for every address (no account enumeration). An existing account gets an email with a link valid for password_reset_minutes (60). Errors: 429 (rate limit, in front of the database).';


--
-- Name: reschedule_booking(uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.reschedule_booking(id uuid, start text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.reschedule_booking(reschedule_booking.id, reschedule_booking.start);
end;
$$;


--
-- Name: FUNCTION reschedule_booking(id uuid, start text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.reschedule_booking(id uuid, start text) IS 'POST /bookings/{id}/reschedule {start}: same id, sequence + 1. The customer (until cutoff) or staff+. Errors: 403, 404, 409 slot_taken, invalid_transition, cancellation_window_passed; 422 as create.';


--
-- Name: revoke_invitation(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.revoke_invitation(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  perform private.revoke_invitation(revoke_invitation.id);
end;
$$;


--
-- Name: FUNCTION revoke_invitation(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.revoke_invitation(id uuid) IS 'DELETE /invitations/{id} (204). Owners and admins of its organization withdraw an open invitation. Errors: 401 unauthorized; 404 not_found.';


--
-- Name: revoke_my_calendar_token(); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.revoke_my_calendar_token() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.revoke_calendar_token(null);
end;
$$;


--
-- Name: FUNCTION revoke_my_calendar_token(); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.revoke_my_calendar_token() IS 'DELETE /users/me/calendar-token (204). Any signed-in user: their feed URL stops working. Errors: 401 unauthorized.';


--
-- Name: revoke_provider_calendar_token(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.revoke_provider_calendar_token(provider_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.revoke_calendar_token(revoke_provider_calendar_token.provider_id);
end;
$$;


--
-- Name: FUNCTION revoke_provider_calendar_token(provider_id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.revoke_provider_calendar_token(provider_id uuid) IS 'DELETE /providers/{provider_id}/calendar-token (204). Who may issue it: the provider''s feed URL stops working. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';


--
-- Name: revoke_session(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.revoke_session(id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if private.end_my_sessions('revoked_by_user', revoke_session.id) = 0 then
    raise exception using errcode = 'PT404', message = 'not_found',
      detail = 'No such session.';
  end if;
end;
$$;


--
-- Name: FUNCTION revoke_session(id uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.revoke_session(id uuid) IS 'DELETE /auth/sessions/{id}. End one of the caller''s sessions. Errors: 404 not_found.';


--
-- Name: search(text, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.search(q text, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_q text := private.search_q(search.q);
  v_limit integer := private.page_limit(search.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  v_after := private.decode_cursor(search.cursor, 'real', 'text', 'text', 'uuid');
  with page as (
    select h.kind, h.id, h.org_id, h.name, h.text, h.rank,
           pg_catalog.row_number() over (order by h.rank desc, h.name, h.kind, h.id) as n
    from private.search_public(v_q, v_limit + 1, v_after[1]::real, v_after[2], v_after[3], v_after[4]::uuid) h
  )
  select coalesce(
           pg_catalog.json_agg(
             pg_catalog.json_build_object(
               'kind', x.kind,
               'id', x.id,
               'org_id', x.org_id,
               'org_slug', o.slug,
               'org_name', o.name,
               'name', x.name,
               case when x.kind = 'service' then 'description' else 'bio' end, x.text,
               'rank', x.rank)
             order by x.n) filter (where x.n <= v_limit),
           '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.rank::text, x.name, x.kind, x.id::text) order by x.n))[v_limit]
         end
  into v_items, v_next
  from page x
  join app.organizations o on o.id = x.org_id;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION search(q text, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.search(q text, lim integer, cursor text) IS 'GET /search?q&limit&cursor. Anyone. Searches the active services (name, description) and active providers (display name, bio) of every organization, each in its organization''s search_language with accents folded: every word of q is a required prefix ("klip" finds "Klipning", "frisor" finds "Frisør"); when a name is close but not matching (a typo: "klipnig"), trigram similarity finds it. Ranked: names matching the words (rank >= 3), then descriptions and bios (2..3), then typo matches (< 1); ties by name. -> {items: [{kind: "service"|"provider", id, org_id, org_slug, org_name, name, description (services) | bio (providers), rank}], next_cursor} (keyset pages; limit 1..200, default 50). Errors: 422 validation_failed (q missing, blank or over 200 characters; limit; cursor).';


--
-- Name: set_marketing_consent(boolean, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.set_marketing_consent(granted boolean, policy_version text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.record_consent('marketing', set_marketing_consent.granted,
    set_marketing_consent.policy_version);
end;
$$;


--
-- Name: FUNCTION set_marketing_consent(granted boolean, policy_version text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.set_marketing_consent(granted boolean, policy_version text) IS 'POST /users/me/consents {granted, policy_version}. Give (true) or withdraw (false) consent to marketing under a version of the privacy policy; recorded with the server''s time, audited, exported -> {purpose: "marketing", granted, policy_version, at}. Errors: 401 unauthorized; 422 validation_failed (granted missing, policy_version empty or over 64 characters).';


--
-- Name: set_override(uuid, date, json); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.set_override(provider_id uuid, on_date date, windows json) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION set_override(provider_id uuid, on_date date, windows json); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.set_override(provider_id uuid, on_date date, windows json) IS 'PUT /providers/{provider_id}/overrides/{on_date} (owner, admin, staff, the provider). Body {windows: [{start: "HH:MM", end: "HH:MM" ("24:00" allowed)}]} replaces that local date''s hours; [] = closed all day. -> {provider_id, date, windows: [{start, end}]} sorted by start. Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members); 422 validation_failed (overlapping windows, end not after start, malformed time or date), unknown_field (an unknown key in a window).';


--
-- Name: set_working_hours(uuid, json, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.set_working_hours(provider_id uuid, windows json, timezone text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION set_working_hours(provider_id uuid, windows json, timezone text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.set_working_hours(provider_id uuid, windows json, timezone text) IS 'PUT /providers/{provider_id}/working-hours (owner, admin, the provider). Body {timezone?, windows: [{weekday: 1..7 (ISO, Monday = 1), start: "HH:MM", end: "HH:MM" ("24:00" allowed), valid_from?: "YYYY-MM-DD", valid_until?: "YYYY-MM-DD" (inclusive)}]} replaces the provider''s whole weekly set in one transaction ([] clears it); several windows a day are allowed; timezone, when given, sets the provider''s IANA zone ("" = back to the organization''s). -> the same shape as GET working-hours. Errors: 401 unauthorized; 403 forbidden; 404 not_found (unknown provider, an inactive one for non-members); 422 validation_failed (windows of one weekday that overlap for part of their validity, end not after start, weekday outside 1..7, malformed time or date, valid_until before valid_from, unknown time zone), unknown_field (an unknown key in a window).';


--
-- Name: update_booking_notes(uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_booking_notes(id uuid, internal_note text DEFAULT NULL::text, customer_note text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.update_booking_notes(update_booking_notes.id, update_booking_notes.internal_note,
    update_booking_notes.customer_note);
end;
$$;


--
-- Name: FUNCTION update_booking_notes(id uuid, internal_note text, customer_note text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_booking_notes(id uuid, internal_note text, customer_note text) IS 'PATCH /bookings/{id} {internal_note} (staff+, the provider) or {customer_note} (the customer) -> booking. Errors: 403, 404.';


--
-- Name: update_me(text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_me(full_name text DEFAULT NULL::text, locale text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_id uuid;
begin
  update auth.users u
  set full_name = coalesce(update_me.full_name, u.full_name),
      locale = coalesce(update_me.locale, u.locale)
  where u.id = private.require_user()
  returning u.id into v_id;
  return private.user_object(v_id);
end;
$$;


--
-- Name: FUNCTION update_me(full_name text, locale text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_me(full_name text, locale text) IS 'PATCH /users/me. {full_name?, locale?} -> user. Errors: 422 validation_failed (locale like "da" or "en-GB", name up to 200 characters).';


--
-- Name: update_member(uuid, uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_member(org_id uuid, user_id uuid, role text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  return private.update_member(update_member.org_id, update_member.user_id, update_member.role);
end;
$$;


--
-- Name: FUNCTION update_member(org_id uuid, user_id uuid, role text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_member(org_id uuid, user_id uuid, role text) IS 'PATCH /orgs/{org_id}/members/{user_id}. Owners and admins; only owners make owners or change an owner''s role. {role} -> member {user_id, email, full_name, role, created_at}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 last_owner (the organization would have no owner); 422 validation_failed (role).';


--
-- Name: update_org(uuid, text, text, text, text, text, integer, integer, boolean, integer, boolean); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_org(id uuid, slug text DEFAULT NULL::text, name text DEFAULT NULL::text, timezone text DEFAULT NULL::text, currency text DEFAULT NULL::text, search_language text DEFAULT NULL::text, cancellation_cutoff_minutes integer DEFAULT NULL::integer, max_active_bookings_per_customer integer DEFAULT NULL::integer, booking_requires_verified_email boolean DEFAULT NULL::boolean, hold_minutes integer DEFAULT NULL::integer, waitlist_enabled boolean DEFAULT NULL::boolean) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
        booking_requires_verified_email = coalesce(update_org.booking_requires_verified_email, o.booking_requires_verified_email),
        hold_minutes = coalesce(update_org.hold_minutes, o.hold_minutes),
        waitlist_enabled = coalesce(update_org.waitlist_enabled, o.waitlist_enabled)
    where o.id = update_org.id
    returning * into v_org;
  exception
    when unique_violation then
      raise exception using errcode = 'PT409', message = 'conflict',
        detail = pg_catalog.format('The slug "%s" is taken; choose another.', update_org.slug);
    when check_violation then
      raise exception using errcode = 'PT422', message = 'validation_failed',
        detail = 'A value is out of range (max_active_bookings_per_customer: 1 to 1000; hold_minutes: 1 to 1440).';
  end;
  return private.org_json(v_org);
end;
$$;


--
-- Name: FUNCTION update_org(id uuid, slug text, name text, timezone text, currency text, search_language text, cancellation_cutoff_minutes integer, max_active_bookings_per_customer integer, booking_requires_verified_email boolean, hold_minutes integer, waitlist_enabled boolean); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_org(id uuid, slug text, name text, timezone text, currency text, search_language text, cancellation_cutoff_minutes integer, max_active_bookings_per_customer integer, booking_requires_verified_email boolean, hold_minutes integer, waitlist_enabled boolean) IS 'PATCH /orgs/{id}. Owners and admins. {slug?, name?, timezone?, currency?, search_language?, cancellation_cutoff_minutes?, max_active_bookings_per_customer? (1..1000, default 10), booking_requires_verified_email? (default false), hold_minutes? (1..1440, default 10: how long a hold keeps its slot), waitlist_enabled? (default true)} (omitted = unchanged) -> org. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 conflict (slug taken); 422 validation_failed (as api.create_org).';


--
-- Name: update_provider(uuid, text, uuid, text, text, boolean); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_provider(id uuid, display_name text DEFAULT NULL::text, user_id uuid DEFAULT NULL::uuid, timezone text DEFAULT NULL::text, bio text DEFAULT NULL::text, active boolean DEFAULT NULL::boolean) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION update_provider(id uuid, display_name text, user_id uuid, timezone text, bio text, active boolean); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_provider(id uuid, display_name text, user_id uuid, timezone text, bio text, active boolean) IS 'PATCH /providers/{id}. Owners and admins: any field; the provider themself: display_name, timezone, bio. {display_name?, user_id?, timezone? ("" = the organization''s), bio?, active?} (omitted = unchanged) -> provider. A new user_id must name a member of the organization. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';


--
-- Name: update_resource(uuid, text, text, integer, boolean); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_resource(id uuid, name text DEFAULT NULL::text, kind text DEFAULT NULL::text, capacity integer DEFAULT NULL::integer, active boolean DEFAULT NULL::boolean) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_resource app.resources := private.require_managed_resource(update_resource.id);
begin
  -- private.guard_resource_claims refuses a kind or a lower capacity that upcoming bookings
  -- would lose their units to.
  update app.resources x
  set name = coalesce(update_resource.name, x.name),
      kind = coalesce(update_resource.kind, x.kind),
      capacity = coalesce(update_resource.capacity, x.capacity),
      active = coalesce(update_resource.active, x.active)
  where x.id = v_resource.id
  returning * into v_resource;
  return private.resource_json(v_resource);
end;
$$;


--
-- Name: FUNCTION update_resource(id uuid, name text, kind text, capacity integer, active boolean); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_resource(id uuid, name text, kind text, capacity integer, active boolean) IS 'PATCH /resources/{id}. Owners and admins. {name?, kind?, capacity?, active?} (omitted = unchanged) -> resource. Deactivating keeps the units upcoming bookings hold and gives no new booking any. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 409 resource_unavailable (a new kind, or a capacity below a unit an upcoming booking holds); 422 validation_failed.';


--
-- Name: update_service(uuid, text, integer, bigint, text, integer, integer, text, integer, integer, integer, boolean, uuid[], boolean, json); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.update_service(id uuid, name text DEFAULT NULL::text, duration_minutes integer DEFAULT NULL::integer, price_minor bigint DEFAULT NULL::bigint, description text DEFAULT NULL::text, buffer_before_minutes integer DEFAULT NULL::integer, buffer_after_minutes integer DEFAULT NULL::integer, currency text DEFAULT NULL::text, min_notice_minutes integer DEFAULT NULL::integer, max_advance_days integer DEFAULT NULL::integer, slot_interval_minutes integer DEFAULT NULL::integer, requires_confirmation boolean DEFAULT NULL::boolean, provider_ids uuid[] DEFAULT NULL::uuid[], active boolean DEFAULT NULL::boolean, resource_requirements json DEFAULT NULL::json) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
  if update_service.resource_requirements is not null then
    perform private.set_service_resources(v_service, update_service.resource_requirements);
  end if;
  return private.service_json(v_service);
end;
$$;


--
-- Name: FUNCTION update_service(id uuid, name text, duration_minutes integer, price_minor bigint, description text, buffer_before_minutes integer, buffer_after_minutes integer, currency text, min_notice_minutes integer, max_advance_days integer, slot_interval_minutes integer, requires_confirmation boolean, provider_ids uuid[], active boolean, resource_requirements json); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.update_service(id uuid, name text, duration_minutes integer, price_minor bigint, description text, buffer_before_minutes integer, buffer_after_minutes integer, currency text, min_notice_minutes integer, max_advance_days integer, slot_interval_minutes integer, requires_confirmation boolean, provider_ids uuid[], active boolean, resource_requirements json) IS 'PATCH /services/{id}. Owners and admins. Any field of api.create_service and active (omitted = unchanged; a new duration keeps the slot interval); provider_ids and resource_requirements, when given, replace their sets (bookings already made keep the units they hold) -> service. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';


--
-- Name: user_audit(uuid, integer, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.user_audit(user_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_platform_admin();
  if not exists (select 1 from auth.users u where u.id = user_audit.user_id) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  return private.audit_page(null, user_audit.user_id, user_audit.lim, user_audit.cursor);
end;
$$;


--
-- Name: FUNCTION user_audit(user_id uuid, lim integer, cursor text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.user_audit(user_id uuid, lim integer, cursor text) IS 'GET /users/{user_id}/audit?limit&cursor. Platform admins. Every entry about the person (subject_user_id) or made by them (actor_id), newest first: {items: [audit entry as api.org_audit], next_cursor}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';


--
-- Name: visible_events(bigint[]); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.visible_events(ids bigint[]) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION visible_events(ids bigint[]); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.visible_events(ids bigint[]) IS 'The events among `ids` that the caller may read (row-level security decides), oldest first. The API asks this for each subscriber before delivering a booking event.';


--
-- Name: init(); Type: FUNCTION; Schema: auth; Owner: -
--

CREATE FUNCTION auth.init() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- pg_session_jwt loads its key here. The keys this database verifies with are always those
  -- the API publishes (auth.jwt_keys, kept by private.publish_keys), read at each verification.
  return;
end;
$$;


--
-- Name: FUNCTION init(); Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON FUNCTION auth.init() IS 'pg_session_jwt''s setup call; a no-op here, kept so the same client code runs on both.';


--
-- Name: jwt(); Type: FUNCTION; Schema: auth; Owner: -
--

CREATE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_token text;
begin
  if session_user = 'authenticator' or private.claims_are_trusted() then
    return nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
  end if;
  v_token := nullif(pg_catalog.current_setting('slotbase.jwt', true), '');
  if v_token is null then
    return null;
  end if;
  return private.token_claims(v_token);
end;
$$;


--
-- Name: FUNCTION jwt(); Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON FUNCTION auth.jwt() IS 'The verified claims of the caller''s access token, NULL without one. Direct clients: the token given to auth.jwt_session_init, re-checked on each call (PT401 token_expired or session_revoked once it no longer holds).';


--
-- Name: jwt_session_init(text); Type: FUNCTION; Schema: auth; Owner: -
--

CREATE FUNCTION auth.jwt_session_init(jwt text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.accept_token(jwt_session_init.jwt);
  -- A session setting, so it outlives this statement; worthless to anyone who could not have
  -- presented the token: every read of the claims verifies it (or finds it cached as verified).
  -- DISCARD ALL and RESET ALL clear it.
  perform pg_catalog.set_config('slotbase.jwt', jwt_session_init.jwt, false);
end;
$$;


--
-- Name: FUNCTION jwt_session_init(jwt text); Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON FUNCTION auth.jwt_session_init(jwt text) IS 'Prove who this connection is with an access token from the API: verifies RS256 against the published keys (kid), exp/nbf/iat, iss, aud, role and that the session is open, then keeps the token for later statements. PT401 with the failing check''s code (malformed_token, algorithm_not_allowed, unknown_kid, bad_signature, token_expired, token_not_yet_valid, wrong_audience, wrong_issuer, session_revoked). Then SET ROLE authenticated.';


--
-- Name: session(); Type: FUNCTION; Schema: auth; Owner: -
--

CREATE FUNCTION auth.session() RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return auth.jwt();
end;
$$;


--
-- Name: FUNCTION session(); Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON FUNCTION auth.session() IS 'Alias of auth.jwt() under the name Neon''s pg_session_jwt uses.';


--
-- Name: uid(); Type: FUNCTION; Schema: auth; Owner: -
--

CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- The REST path, first and in one expression: every policy asks for the caller, and the API
  -- passes only claims of its own verified tokens, whose sub is always a user id.
  if session_user = 'authenticator' then
    return nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
  end if;
  -- Anyone else's claims may carry any sub (a DBA's by hand, pg_session_jwt's): NULL unless it
  -- is a uuid, as Supabase and Neon answer.
  return private.as_uuid(auth.jwt() ->> 'sub');
end;
$$;


--
-- Name: FUNCTION uid(); Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON FUNCTION auth.uid() IS 'The caller''s user id as uuid, NULL without a token or when sub is not a uuid. Use as (select auth.uid()) in policies.';


--
-- Name: user_id(); Type: FUNCTION; Schema: auth; Owner: -
--

CREATE FUNCTION auth.user_id() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return nullif(auth.jwt() ->> 'sub', '');
end;
$$;


--
-- Name: FUNCTION user_id(); Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON FUNCTION auth.user_id() IS 'The caller''s user id as text (the sub claim), NULL without a token.';


--
-- Name: purge_expired(); Type: FUNCTION; Schema: gdpr; Owner: -
--

CREATE FUNCTION gdpr.purge_expired() RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.purge_expired();
end;
$$;


--
-- Name: FUNCTION purge_expired(); Type: COMMENT; Schema: gdpr; Owner: -
--

COMMENT ON FUNCTION gdpr.purge_expired() IS 'Apply the retention periods of private.settings (retention_*_days; empty = keep forever): erase customer accounts inactive for retention_inactive_account_days; delete audit entries older than retention_audit_days; sessions (with refresh tokens) and one-time tokens ended more than retention_session_days ago; failed logins older than retention_login_failure_days; stored Idempotency-Key responses older than retention_idempotency_key_days; sent and failed outbox messages older than retention_sent_message_days. Idempotent: a second run finds nothing. Returns the counts: {inactive_accounts, audit_entries, sessions, refresh_tokens, one_time_tokens, login_failures, idempotency_keys, outbox_messages}. Schedule with pg_cron: select cron.schedule(''slotbase-purge'', ''17 3 * * *'', ''select gdpr.purge_expired()''); the worker runs it too. Runs as the owner or service_role.';


--
-- Name: accept_invitation(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.accept_invitation(id uuid) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_invitation app.invitations := private.my_invitation(accept_invitation.id);
begin
  insert into app.memberships (org_id, user_id, role)
  values (v_invitation.org_id, auth.uid(), v_invitation.role)
  on conflict (org_id, user_id) do nothing;
  update app.invitations i set accepted_at = private.now() where i.id = v_invitation.id;
  return private.member_json(v_invitation.org_id, auth.uid());
end;
$$;


--
-- Name: FUNCTION accept_invitation(id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.accept_invitation(id uuid) IS 'The body of api.accept_invitation. Definer: invitations have no client privileges; the caller is checked first.';


--
-- Name: accept_token(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.accept_token(p_token text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_hash bytea := pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
  v_claims jsonb;
begin
  -- A pool signs each connection in again whenever it hands it out: a token verified before
  -- costs the cache lookup (expiry and session re-checked), not another signature check.
  if exists (select from auth.verified_tokens c where c.token_hash = v_hash) then
    return private.token_claims(p_token);
  end if;
  v_claims := private.verify_jwt(p_token);
  begin
    insert into auth.verified_tokens (token_hash, kid, sid, claims, expires_at)
    values (
      v_hash,
      private.jwt_part(pg_catalog.split_part(p_token, '.', 1), 'The header') ->> 'kid',
      (v_claims ->> 'sid')::uuid,
      v_claims,
      pg_catalog.to_timestamp((v_claims ->> 'exp')::numeric
        + coalesce(private.setting('jwt_leeway_seconds'), '30')::numeric)
    )
    on conflict (token_hash) do nothing;
    -- Entries die with their token; a few are swept on each insert, so the table stays small
    -- without a job.
    delete from auth.verified_tokens c
    where c.token_hash in (
        select o.token_hash from auth.verified_tokens o where o.expires_at <= private.now() limit 100
      );
  exception when read_only_sql_transaction then
    -- On a replica or in a READ ONLY transaction nothing is cached; each statement verifies.
    null;
  end;
  return v_claims;
end;
$$;


--
-- Name: FUNCTION accept_token(p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.accept_token(p_token text) IS 'Verify a token in full (private.verify_jwt) and cache its claims by sha256 until exp plus leeway; sweeps expired entries. Definer: the cache is owner-only; the claims cached are only ever those that verified.';


--
-- Name: act_as(text, jsonb); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.act_as(p_role text, p_claims jsonb DEFAULT NULL::jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_role is null or p_role not in ('anon', 'authenticated') then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'This role may not call the API.';
  end if;
  perform pg_catalog.set_config('request.jwt.claims', coalesce(p_claims::text, ''), true);
  perform pg_catalog.set_config('role', p_role, true);
end;
$$;


--
-- Name: FUNCTION act_as(p_role text, p_claims jsonb); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.act_as(p_role text, p_claims jsonb) IS 'Become p_role with these claims for the rest of the transaction, as private.handle_request does.';


--
-- Name: add_member(uuid, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.add_member(p_org_id uuid, p_email text, p_role text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
  if v_caller is null or v_caller <> all (private.manager_roles()) then
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
$_$;


--
-- Name: FUNCTION add_member(p_org_id uuid, p_email text, p_role text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.add_member(p_org_id uuid, p_email text, p_role text) IS 'Invite an address to an organization with a role (owners and admins; only owners invite owners): the person becomes a member when they accept while signed in with that address verified. Definer: reads memberships and accounts by email.';


--
-- Name: anonymize_user(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.anonymize_user(p_user_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_platform_admin();
  if not exists (select 1 from auth.users u where u.id = p_user_id) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  perform private.erase_user(p_user_id, 'anonymized');
end;
$$;


--
-- Name: FUNCTION anonymize_user(p_user_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.anonymize_user(p_user_id uuid) IS 'Erase any account, for platform admins. Definer: private.erase_user writes tables clients may not.';


--
-- Name: as_uuid(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.as_uuid(p_text text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  -- One expression: a text that is not a uuid (a claim, a path segment) is NULL, never an error.
  return case when p_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_text::uuid end;
end;
$_$;


--
-- Name: FUNCTION as_uuid(p_text text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.as_uuid(p_text text) IS 'The uuid this text spells, NULL when it is not one.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: log; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor_id uuid,
    request_id text,
    table_name text NOT NULL,
    row_id text NOT NULL,
    org_id uuid,
    subject_user_id uuid,
    action text NOT NULL,
    old_values jsonb,
    new_values jsonb,
    CONSTRAINT log_action_check CHECK ((action = ANY (ARRAY['insert'::text, 'update'::text, 'delete'::text])))
);

ALTER TABLE ONLY audit.log FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE log; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON TABLE audit.log IS 'One entry per insert, update or delete of an audited row. Secret columns (password, token and request hashes) and generated columns are never recorded. Owners and admins read their organization''s entries, platform admins all; nobody writes through the API roles.';


--
-- Name: COLUMN log.at; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.at IS 'When the change was made (private.now(), the transaction''s instant).';


--
-- Name: COLUMN log.actor_id; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.actor_id IS 'The user whose request made the change (auth.uid()); NULL for the system (maintenance jobs, migrations, psql).';


--
-- Name: COLUMN log.request_id; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.request_id IS 'The API request that caused the change (setting request.id, the X-Request-ID of the response); NULL outside the API.';


--
-- Name: COLUMN log.table_name; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.table_name IS 'Schema-qualified table, e.g. app.bookings.';


--
-- Name: COLUMN log.row_id; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.row_id IS 'The primary key of the row as text; the columns of a composite key joined with "/" in key order.';


--
-- Name: COLUMN log.org_id; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.org_id IS 'The organization the row belongs to (NULL for accounts and consents): decides who may read the entry.';


--
-- Name: COLUMN log.subject_user_id; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.subject_user_id IS 'The person the row is about (the account, the member, the customer of a booking, the person behind a provider): whose export holds the entry and whose erasure scrubs it.';


--
-- Name: COLUMN log.old_values; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.old_values IS 'Before the change: the whole row for delete, only the changed columns for update, NULL for insert.';


--
-- Name: COLUMN log.new_values; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.log.new_values IS 'After the change: the whole row for insert, only the changed columns for update, NULL for delete. An update that changed only secret columns (a new password) has {} on both sides.';


--
-- Name: audit_json(audit.log); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.audit_json(p_entry audit.log) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.json_build_object(
    'id', p_entry.id,
    'at', private.utc(p_entry.at),
    'actor_id', p_entry.actor_id,
    'request_id', p_entry.request_id,
    'table_name', p_entry.table_name,
    'row_id', p_entry.row_id,
    'org_id', p_entry.org_id,
    'subject_user_id', p_entry.subject_user_id,
    'action', p_entry.action,
    'old_values', p_entry.old_values,
    'new_values', p_entry.new_values
  );
end;
$$;


--
-- Name: FUNCTION audit_json(p_entry audit.log); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.audit_json(p_entry audit.log) IS 'The audit entry object: {id, at, actor_id, request_id, table_name, row_id, org_id, subject_user_id, action, old_values, new_values}.';


--
-- Name: audit_page(uuid, uuid, integer, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.audit_page(p_org_id uuid, p_user_id uuid, p_limit integer, p_cursor text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_limit integer := private.page_limit(p_limit);
  v_after text[];
  v_items json;
  v_next text;
begin
  v_after := private.decode_cursor(p_cursor, 'timestamptz', 'bigint');
  -- Runs as the caller: the policies on audit.log decide which entries exist for them.
  with page as (
    select l, pg_catalog.row_number() over (order by l.at desc, l.id desc) as n
    from audit.log l
    where (p_org_id is null or l.org_id = p_org_id)
      and (p_user_id is null or l.subject_user_id = p_user_id or l.actor_id = p_user_id)
      and (v_after is null or (l.at, l.id) < (v_after[1]::timestamptz, v_after[2]::bigint))
    order by l.at desc, l.id desc
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.audit_json(p.l) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor((p.l).at::text, (p.l).id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION audit_page(p_org_id uuid, p_user_id uuid, p_limit integer, p_cursor text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.audit_page(p_org_id uuid, p_user_id uuid, p_limit integer, p_cursor text) IS 'One page of the audit entries the caller may read, newest first, of an organization or about/by a user: {items: [audit entry], next_cursor}.';


--
-- Name: audit_row(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  -- Never recorded, whatever table carries them.
  v_skip text[] := array['password_hash', 'token_hash', 'request_hash', 'refresh_token',
    'refresh_token_hash', 'access_claims', 'response_body', 'secret']
    || pg_catalog.string_to_array(nullif(TG_ARGV[1], ''), ',');
  v_keys text[] := pg_catalog.string_to_array(TG_ARGV[0], ',');
  v_org_column text := nullif(TG_ARGV[2], '');
  v_subject text := nullif(TG_ARGV[3], '');
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_subject_id uuid;
begin
  if TG_OP <> 'INSERT' then
    v_old := pg_catalog.to_jsonb(OLD) - v_skip;
  end if;
  if TG_OP <> 'DELETE' then
    v_new := pg_catalog.to_jsonb(NEW) - v_skip;
  end if;
  v_row := coalesce(v_new, v_old);
  if TG_OP = 'UPDATE' then
    select coalesce(pg_catalog.jsonb_object_agg(n.key, v_old -> n.key), '{}'),
           coalesce(pg_catalog.jsonb_object_agg(n.key, n.value), '{}')
    into v_old, v_new
    from pg_catalog.jsonb_each(v_new) n
    where n.value is distinct from v_old -> n.key;
    -- Nothing recordable changed: no entry, unless a secret did (a new password is worth an
    -- entry, with {} for its values).
    if v_new = '{}' and pg_catalog.to_jsonb(OLD) = pg_catalog.to_jsonb(NEW) then
      return null;
    end if;
  end if;

  -- Who the row is about: a column of the row, or the customer of its booking, or the person
  -- behind its provider.
  if v_subject like 'booking:%' then
    select b.customer_id into v_subject_id
    from app.bookings b where b.id = (v_row ->> pg_catalog.split_part(v_subject, ':', 2))::uuid;
  elsif v_subject like 'provider:%' then
    select p.user_id into v_subject_id
    from app.providers p where p.id = (v_row ->> pg_catalog.split_part(v_subject, ':', 2))::uuid;
  elsif v_subject is not null then
    v_subject_id := (v_row ->> v_subject)::uuid;
  end if;

  insert into audit.log (at, actor_id, request_id, table_name, row_id, org_id, subject_user_id,
      action, old_values, new_values)
  values (
    private.now(),
    auth.uid(),
    nullif(pg_catalog.current_setting('request.id', true), ''),
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    (select pg_catalog.string_agg(v_row ->> k.name, '/' order by k.n)
       from pg_catalog.unnest(v_keys) with ordinality k(name, n)),
    (v_row ->> v_org_column)::uuid,
    v_subject_id,
    pg_catalog.lower(TG_OP),
    v_old,
    v_new
  );
  return null;
end;
$$;


--
-- Name: FUNCTION audit_row(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.audit_row() IS 'AFTER INSERT OR UPDATE OR DELETE row trigger writing audit.log. Arguments: key columns, columns never to record (generated ones), the organization column, how to find the person the row is about (a column, booking:<column> or provider:<column>). Secret columns are always left out. Definer: clients may not write audit.log, and the subject lookups read rows the caller may not see.';


--
-- Name: b64url_decode(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.b64url_decode(p_text text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  -- NULL for anything that is not unpadded base64url, so callers answer malformed_token.
  if p_text is null or p_text !~ '^[A-Za-z0-9_-]*$' or pg_catalog.length(p_text) % 4 = 1 then
    return null;
  end if;
  return pg_catalog.decode(
      pg_catalog.translate(p_text, '-_', '+/')
        || pg_catalog.repeat('=', (4 - pg_catalog.length(p_text) % 4) % 4),
      'base64');
end;
$_$;


--
-- Name: FUNCTION b64url_decode(p_text text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.b64url_decode(p_text text) IS 'Bytes of unpadded base64url text (RFC 7515 section 2); NULL when the text is not base64url.';


--
-- Name: search_fold(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.search_fold(p_text text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.lower(extensions.unaccent('extensions.unaccent'::pg_catalog.regdictionary, p_text));
end;
$$;


--
-- Name: FUNCTION search_fold(p_text text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.search_fold(p_text text) IS 'Lower case without accents ("Frisør Æble Åben Café" -> "frisor aeble aben cafe"): the text trigram search compares. IMMUTABLE although unaccent() is STABLE, because the dictionary is named explicitly (no search_path lookup) and its rules file is fixed at installation; rebuild search_name if it ever changes.';


--
-- Name: danish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.danish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR asciiword WITH danish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, danish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, danish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR hword_asciipart WITH danish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR asciihword WITH danish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, danish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.danish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION danish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.danish_unaccent IS 'pg_catalog.danish with unaccent before its dictionaries (search_language danish).';


--
-- Name: services; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.services (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    duration_minutes integer NOT NULL,
    buffer_before_minutes integer DEFAULT 0 NOT NULL,
    buffer_after_minutes integer DEFAULT 0 NOT NULL,
    price_minor bigint NOT NULL,
    currency text NOT NULL,
    min_notice_minutes integer DEFAULT 0 NOT NULL,
    max_advance_days integer DEFAULT 90 NOT NULL,
    slot_interval_minutes integer NOT NULL,
    requires_confirmation boolean DEFAULT false NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_config regconfig DEFAULT 'extensions.danish_unaccent'::regconfig NOT NULL,
    search_document tsvector GENERATED ALWAYS AS ((setweight(to_tsvector(search_config, name), 'A'::"char") || setweight(to_tsvector(search_config, description), 'B'::"char"))) STORED,
    search_name text GENERATED ALWAYS AS (private.search_fold(name)) STORED,
    CONSTRAINT services_buffer_after_minutes_check CHECK (((buffer_after_minutes >= 0) AND (buffer_after_minutes <= 480))),
    CONSTRAINT services_buffer_before_minutes_check CHECK (((buffer_before_minutes >= 0) AND (buffer_before_minutes <= 480))),
    CONSTRAINT services_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT services_description_check CHECK ((length(description) <= 5000)),
    CONSTRAINT services_duration_minutes_check CHECK (((duration_minutes >= 5) AND (duration_minutes <= 1440))),
    CONSTRAINT services_max_advance_days_check CHECK (((max_advance_days >= 1) AND (max_advance_days <= 730))),
    CONSTRAINT services_min_notice_minutes_check CHECK (((min_notice_minutes >= 0) AND (min_notice_minutes <= 525600))),
    CONSTRAINT services_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT services_price_minor_check CHECK ((price_minor >= 0)),
    CONSTRAINT services_slot_interval_minutes_check CHECK (((slot_interval_minutes >= 5) AND (slot_interval_minutes <= 1440)))
);

ALTER TABLE ONLY app.services FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE services; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.services IS 'What can be booked: duration, buffers, price in minor units, notice and advance limits, slot grid.';


--
-- Name: COLUMN services.search_config; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.services.search_config IS 'The folding text search configuration of the organization''s search_language (private.search_config), set by trigger on every write (extensions.danish_unaccent when triggers are skipped); the document is built with it.';


--
-- Name: COLUMN services.search_document; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.services.search_document IS 'Full-text document: name (weight A) and description (B), accents folded, in the organization''s language.';


--
-- Name: COLUMN services.search_name; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.services.search_name IS 'The name folded (private.search_fold) for trigram typo matching.';


--
-- Name: bookable_service(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.bookable_service(p_provider_id uuid, p_service_id uuid) RETURNS app.services
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION bookable_service(p_provider_id uuid, p_service_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.bookable_service(p_provider_id uuid, p_service_id uuid) IS 'The service of a new booking, hold or waitlist entry with this provider (private.offered_service) or, when p_provider_id is NULL, any provider: 404 not_found when the caller cannot see it, 422 service_not_offered when it is not active. Definer: booking calls it as the owner, so visibility is computed from the caller''s memberships, as in private.offered_service.';


--
-- Name: booking_customer_name(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_customer_name(p_booking_id uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION booking_customer_name(p_booking_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_customer_name(p_booking_id uuid) IS 'The full name of a booking''s customer for staff+ of its organization and its provider (the readers of internal notes); NULL for anyone else, for an unknown booking, and when the customer has no name or was erased. Definer: auth.users shows an account only to itself.';


--
-- Name: booking_events(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION booking_events(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_events() IS 'AFTER trigger on app.bookings: a bookings event per change a client would show (a hold from its confirmation on), and an availability event when the blocked time moves (holds included). Definer: writes app.events, which no client may write.';


--
-- Name: booking_freed_time(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_freed_time() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION booking_freed_time(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_freed_time() IS 'AFTER trigger on app.bookings: a cancelled, declined, completed-early or moved booking, or a deleted hold, offers its old time to the waitlist. Definer: offers run as the owner whoever freed the time.';


--
-- Name: booking_inserted(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_ids uuid[];
begin
  select pg_catalog.array_agg(n.id) into v_ids from new_rows n where n.status <> 'held';
  if v_ids is not null then
    perform private.enqueue_booking_messages(v_ids,
      pg_catalog.array_fill('booking_created'::text, array[pg_catalog.cardinality(v_ids)]),
      pg_catalog.array_fill(null::timestamptz, array[pg_catalog.cardinality(v_ids)]));
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION booking_inserted(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_inserted() IS 'AFTER INSERT statement trigger on app.bookings: booking_created to each customer, in the same transaction (a hold has none until it is confirmed). Definer: writes outbox.messages.';


--
-- Name: plus_minutes(timestamp with time zone, integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.plus_minutes(p_at timestamp with time zone, p_minutes integer) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    RETURN (p_at + make_interval(mins => p_minutes));


--
-- Name: bookings; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.bookings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    provider_id uuid NOT NULL,
    service_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    buffer_before_minutes integer DEFAULT 0 NOT NULL,
    buffer_after_minutes integer DEFAULT 0 NOT NULL,
    blocked tstzrange GENERATED ALWAYS AS (tstzrange(private.plus_minutes(starts_at, (- buffer_before_minutes)), private.plus_minutes(ends_at, buffer_after_minutes), '[)'::text)) STORED,
    status app.booking_status NOT NULL,
    price_minor bigint NOT NULL,
    currency text NOT NULL,
    customer_note text DEFAULT ''::text NOT NULL,
    sequence integer DEFAULT 0 NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    cancelled_at timestamp with time zone,
    cancel_reason text,
    series_id uuid,
    hold_expires_at timestamp with time zone,
    claimed_since timestamp with time zone DEFAULT now() NOT NULL,
    claimed tstzrange GENERATED ALWAYS AS (tstzrange(claimed_since, hold_expires_at, '[)'::text)) STORED,
    CONSTRAINT bookings_buffer_after_minutes_check CHECK ((buffer_after_minutes >= 0)),
    CONSTRAINT bookings_buffer_before_minutes_check CHECK ((buffer_before_minutes >= 0)),
    CONSTRAINT bookings_cancel_reason_check CHECK ((length(cancel_reason) <= 1000)),
    CONSTRAINT bookings_check CHECK ((ends_at > starts_at)),
    CONSTRAINT bookings_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT bookings_customer_note_check CHECK ((length(customer_note) <= 2000)),
    CONSTRAINT bookings_hold_after_claim CHECK (((hold_expires_at IS NULL) OR (hold_expires_at > claimed_since))),
    CONSTRAINT bookings_hold_expiry CHECK (((status = 'held'::app.booking_status) = (hold_expires_at IS NOT NULL))),
    CONSTRAINT bookings_price_minor_check CHECK ((price_minor >= 0))
);

ALTER TABLE ONLY app.bookings FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE bookings; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.bookings IS 'Appointments and holds. blocked = [start - buffer_before, end + buffer_after); live holds, pending and confirmed bookings of one provider never overlap (bookings_no_overlap).';


--
-- Name: COLUMN bookings.buffer_before_minutes; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.bookings.buffer_before_minutes IS 'The service''s buffers when booked, so later service edits do not move existing blocks.';


--
-- Name: COLUMN bookings.sequence; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.bookings.sequence IS 'Rises by one on every reschedule (iCalendar SEQUENCE).';


--
-- Name: COLUMN bookings.hold_expires_at; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.bookings.hold_expires_at IS 'For a hold (status held): when it stops keeping its slot. NULL for every booking.';


--
-- Name: COLUMN bookings.claimed_since; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.bookings.claimed_since IS 'When this row took its current time: set on insert and on every move.';


--
-- Name: COLUMN bookings.claimed; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.bookings.claimed IS 'The wall-clock time during which the row claims its blocked range: [claimed_since, hold_expires_at), open above for bookings. bookings_no_overlap compares it with blocked, so an expired hold blocks nothing.';


--
-- Name: booking_json(app.bookings, text, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_json(p_booking app.bookings, p_internal_note text, p_with_note boolean) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION booking_json(p_booking app.bookings, p_internal_note text, p_with_note boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_json(p_booking app.bookings, p_internal_note text, p_with_note boolean) IS 'The booking object of the REST contract (series_id names the recurring series it belongs to, if any); internal_note and customer_name only when p_with_note (organization staff or the provider).';


--
-- Name: booking_message_id(uuid, text, integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_message_id(p_booking_id uuid, p_kind text, p_sequence integer) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return p_booking_id::text || '.' || p_kind || '.' || p_sequence::text || '@slotbase';
end;
$$;


--
-- Name: FUNCTION booking_message_id(p_booking_id uuid, p_kind text, p_sequence integer); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_message_id(p_booking_id uuid, p_kind text, p_sequence integer) IS 'The stable Message-ID of a booking event: <booking_id>.<kind>.<sequence>@slotbase (one per event; a reschedule raises the sequence).';


--
-- Name: booking_out(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_out(p_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_booking app.bookings;
  v_note text;
begin
  select * into v_booking from app.bookings b where b.id = p_id;
  select n.internal_note into v_note from app.booking_notes n where n.booking_id = p_id;
  return private.booking_json(v_booking, v_note, private.sees_internal_notes(v_booking));
end;
$$;


--
-- Name: FUNCTION booking_out(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_out(p_id uuid) IS 'The booking object after a write, as the acting caller may see it (definer functions use it once they have checked access).';


--
-- Name: booking_updated(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.booking_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_ids uuid[];
  v_kinds text[];
  v_previous timestamptz[];
begin
  select pg_catalog.array_agg(n.id), pg_catalog.array_agg(e.kind),
         pg_catalog.array_agg(case when e.kind = 'booking_rescheduled' then o.starts_at end)
  into v_ids, v_kinds, v_previous
  from new_rows n
  join old_rows o on o.id = n.id
  cross join lateral (
    select case
      when o.status = 'held' and n.status in ('pending', 'confirmed') then 'booking_created'
      when n.status is distinct from o.status then
        case n.status
          when 'confirmed' then 'booking_confirmed'
          when 'declined' then 'booking_declined'
          when 'cancelled' then 'booking_cancelled'
        end  -- completed and no_show send nothing
      when n.starts_at is distinct from o.starts_at then 'booking_rescheduled'
    end as kind
  ) e
  where e.kind is not null;
  if v_ids is not null then
    perform private.enqueue_booking_messages(v_ids, v_kinds, v_previous);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION booking_updated(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.booking_updated() IS 'AFTER UPDATE statement trigger on app.bookings: booking_created (a hold confirmed), booking_confirmed, booking_declined, booking_cancelled or booking_rescheduled to the customer, in the same transaction. Definer: writes outbox.messages.';


--
-- Name: bytes_to_numeric(bytea); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.bytes_to_numeric(p_bytes bytea) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_hex text := pg_catalog.encode(p_bytes, 'hex');
  v_len integer := pg_catalog.length(pg_catalog.encode(p_bytes, 'hex'));
  v_at integer;
  v_value numeric := 0;
begin
  -- Seven bytes at a time fit a bigint; the first chunk takes the remainder.
  v_at := v_len % 14;
  if v_at > 0 then
    v_value := ('x' || pg_catalog.lpad(pg_catalog.substr(v_hex, 1, v_at), 16, '0'))::bit(64)::bigint;
  end if;
  v_at := v_at + 1;
  while v_at <= v_len loop
    v_value := v_value * 72057594037927936
      + ('x' || pg_catalog.lpad(pg_catalog.substr(v_hex, v_at, 14), 16, '0'))::bit(64)::bigint;
    v_at := v_at + 14;
  end loop;
  return v_value;
end;
$$;


--
-- Name: FUNCTION bytes_to_numeric(p_bytes bytea); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.bytes_to_numeric(p_bytes bytea) IS 'The unsigned big-endian integer of these bytes (RFC 8017 OS2IP), exactly, as numeric.';


--
-- Name: calendar_feed(uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.calendar_feed(p_provider_id uuid, p_token text) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION calendar_feed(p_provider_id uuid, p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.calendar_feed(p_provider_id uuid, p_token text) IS 'The feed object (private.calendar_json) that a token opens: a provider''s (p_provider_id; only while its issuer is still the provider''s linked person or the organization''s staff+), or its user''s (NULL); 404 not_found for any other token, so a wrong one and an unknown provider answer the same. Definer: the token is the credential, read as anon; app.calendar_feeds and the bookings are closed to anon.';


--
-- Name: calendar_json(text, text, uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.calendar_json(p_name text, p_zone text, p_provider_id uuid, p_customer_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION calendar_json(p_name text, p_zone text, p_provider_id uuid, p_customer_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.calendar_json(p_name text, p_zone text, p_provider_id uuid, p_customer_id uuid) IS 'The feed object of a provider (p_provider_id) or a customer (p_customer_id): {name, timezone, etag, events: [{uid, sequence, status (TENTATIVE, CONFIRMED, CANCELLED), booking_status, timezone, start, end, summary, location, description, updated_at}]}. Reads every row it names: called only by the definer feed readers, after the token matched.';


--
-- Name: change_password(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.change_password(p_current_password text, p_new_password text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users;
  v_locked json;
begin
  perform private.require_api_login();
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if not found or v_user.password_hash is null then
    raise exception using errcode = 'PT401', message = 'invalid_credentials',
      detail = 'The current password is wrong.';
  end if;
  -- A stolen access token must not guess the password at bcrypt speed: the same lockout as
  -- login, counted on the same rows, committed with the answer.
  v_locked := private.lockout(v_user.email);
  if v_locked is not null then
    return v_locked;
  end if;
  if v_user.password_hash <> extensions.crypt(coalesce(p_current_password, ''), v_user.password_hash) then
    insert into auth.login_failures (email, failed_at) values (v_user.email, private.now());
    return private.error(401, 'invalid_credentials', 'The current password is wrong.');
  end if;
  perform private.check_password(p_new_password, v_user.email::text);
  delete from auth.login_failures f where f.email operator(extensions.=) v_user.email;
  update auth.users u set password_hash = private.hash_password(p_new_password) where u.id = v_user.id;
  perform private.revoke_sessions(v_user.id, 'password_changed', null,
    nullif(auth.jwt() ->> 'sid', '')::uuid);
  return null;
end;
$$;


--
-- Name: FUNCTION change_password(p_current_password text, p_new_password text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.change_password(p_current_password text, p_new_password text) IS 'Replace the caller''s password after checking the current one (under the login lockout: failures count, 429 account_locked); ends every other session. Returns NULL, or the committed error. Definer: reads the hash.';


--
-- Name: check_booking_for(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_booking_for(p_org_id uuid, p_customer_id uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION check_booking_for(p_org_id uuid, p_customer_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_booking_for(p_org_id uuid, p_customer_id uuid) IS 'May the caller book for this customer at this organization? Themselves always; another customer only as staff+ (403 forbidden), and only someone who has booked there before or is a member (422 validation_failed). Called from definer functions, whose owner reads every booking and membership; not granted to clients.';


--
-- Name: check_customer_may_book(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_customer_may_book(p_org_id uuid, p_customer_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION check_customer_may_book(p_org_id uuid, p_customer_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_customer_may_book(p_org_id uuid, p_customer_id uuid) IS 'The organization''s rules on who may book or hold (private.customer_booking_problem), checked under the customer''s lock: 403 email_not_verified, 409 too_many_bookings. Definer: counts the customer''s bookings whatever the caller may see.';


--
-- Name: check_cutoff(app.bookings); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_cutoff(p_booking app.bookings) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION check_cutoff(p_booking app.bookings); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_cutoff(p_booking app.bookings) IS 'Customers may cancel or reschedule until the organization''s cutoff before the start; staff+ any time.';


--
-- Name: check_email(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_email(p_email text) RETURNS extensions.citext
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_email text := pg_catalog.btrim(coalesce(p_email, ''));
  v_domains text := pg_catalog.replace(coalesce(private.setting('registration_email_domains'), ''), ' ', '');
begin
  if pg_catalog.length(v_email) > 254 or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = 'PT422', message = 'invalid_email',
      detail = 'The email address is not valid.';
  end if;
  if v_domains <> '' and not (pg_catalog.lower(pg_catalog.split_part(v_email, '@', 2))
      = any (pg_catalog.string_to_array(pg_catalog.lower(v_domains), ','))) then
    raise exception using errcode = 'PT422', message = 'invalid_email',
      detail = 'Registration is limited to addresses of certain domains.';
  end if;
  return v_email::extensions.citext;
end;
$_$;


--
-- Name: FUNCTION check_email(p_email text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_email(p_email text) IS 'Trimmed email as citext, or 422 invalid_email (shape, length, registration_email_domains). Definer: reads settings.';


--
-- Name: check_organization(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_organization() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION check_organization(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_organization() IS 'BEFORE INSERT OR UPDATE trigger on app.organizations: 422 validation_failed with a readable detail for a bad slug, name, time zone, currency, search language or cutoff.';


--
-- Name: check_password(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_password(p_password text, p_email text) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_lower text := pg_catalog.lower(coalesce(p_password, ''));
begin
  if p_password is null or pg_catalog.length(p_password) < 8 then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'The password must have at least 8 characters.';
  end if;
  if pg_catalog.octet_length(p_password) > 72 then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'The password must be at most 72 bytes long.';
  end if;
  if v_lower = pg_catalog.lower(p_email)
      or v_lower = pg_catalog.lower(pg_catalog.split_part(p_email, '@', 1)) then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'The password must not be the email address.';
  end if;
  if exists (select 1 from auth.common_passwords c where c.password = v_lower) then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'This password is too common; choose another.';
  end if;
end;
$$;


--
-- Name: FUNCTION check_password(p_password text, p_email text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_password(p_password text, p_email text) IS 'Password policy: 8+ characters, at most 72 bytes (bcrypt), not the email or its local part, not on auth.common_passwords; else 422 weak_password. Definer: reads the block list.';


--
-- Name: check_provider(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_provider() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION check_provider(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_provider() IS 'BEFORE INSERT OR UPDATE trigger on app.providers: 422 validation_failed for a bad name, zone or bio; 403 forbidden when the provider themself (not a manager) changes anything but display_name, timezone, bio.';


--
-- Name: check_resource(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_resource() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  -- The check constraints of 011 stay the last word; these answer with a sentence naming the field.
  if NEW.name is null or pg_catalog.length(pg_catalog.btrim(NEW.name)) not between 1 and 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'name must have 1 to 200 characters.';
  end if;
  if NEW.kind is null or NEW.kind !~ '^[a-z0-9][a-z0-9_-]{0,62}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'kind must be 1 to 63 lowercase letters, digits, "_" or "-", starting with a letter or digit (such as room or chair).';
  end if;
  if NEW.capacity is null or NEW.capacity not between 1 and 100 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'capacity must be between 1 and 100.';
  end if;
  return NEW;
end;
$_$;


--
-- Name: FUNCTION check_resource(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_resource() IS 'BEFORE INSERT OR UPDATE trigger on app.resources: 422 validation_failed with a sentence naming the field (name, kind, capacity) that is out of range.';


--
-- Name: check_service(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.check_service() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION check_service(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.check_service() IS 'BEFORE INSERT OR UPDATE trigger on app.services: currency defaults to the organization''s, slot_interval_minutes to the duration; 422 validation_failed with a sentence naming the field that is out of range.';


--
-- Name: messages; Type: TABLE; Schema: outbox; Owner: -
--

CREATE TABLE outbox.messages (
    id bigint NOT NULL,
    message_id text NOT NULL,
    kind text NOT NULL,
    recipient_id uuid,
    recipient_email text NOT NULL,
    locale text DEFAULT 'da'::text NOT NULL,
    booking_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT messages_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text])))
);

ALTER TABLE ONLY outbox.messages FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE messages; Type: COMMENT; Schema: outbox; Owner: -
--

COMMENT ON TABLE outbox.messages IS 'One email per row, enqueued in the transaction of the change that causes it; sent at least once by the worker. No client reads it.';


--
-- Name: COLUMN messages.message_id; Type: COMMENT; Schema: outbox; Owner: -
--

COMMENT ON COLUMN outbox.messages.message_id IS 'Stable RFC 5322 Message-ID (without angle brackets), e.g. <booking_id>.booking_created.<sequence>@slotbase: the same event never enqueues twice, and a resend after a crash is recognisable as a duplicate.';


--
-- Name: COLUMN messages.kind; Type: COMMENT; Schema: outbox; Owner: -
--

COMMENT ON COLUMN outbox.messages.kind IS 'booking_created, booking_confirmed, booking_declined, booking_rescheduled, booking_cancelled, booking_reminder, password_reset, email_verification.';


--
-- Name: COLUMN messages.payload; Type: COMMENT; Schema: outbox; Owner: -
--

COMMENT ON COLUMN outbox.messages.payload IS 'Everything the renderer needs (names, service, start and end with their zone, organization, the plain token of a reset or verification link). Tokens are removed once the message is sent or has failed.';


--
-- Name: COLUMN messages.attempts; Type: COMMENT; Schema: outbox; Owner: -
--

COMMENT ON COLUMN outbox.messages.attempts IS 'Claims so far; each claim counts as an attempt, whether it ends in mark_sent, mark_failed or a crash.';


--
-- Name: COLUMN messages.locked_until; Type: COMMENT; Schema: outbox; Owner: -
--

COMMENT ON COLUMN outbox.messages.locked_until IS 'Lease of the worker that claimed the row; once it passes, the row may be claimed again (the worker died).';


--
-- Name: claim_messages(integer, integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.claim_messages(p_limit integer, p_lease_seconds integer) RETURNS SETOF outbox.messages
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_max integer := private.setting('outbox_max_attempts')::integer;
begin
  -- A message whose last allowed attempt died with its worker (the lease ran out unmarked)
  -- would otherwise be claimed forever: it has failed.
  update outbox.messages m
  set status = 'failed',
      locked_until = null,
      last_error = coalesce(m.last_error, 'the worker stopped during the last attempt'),
      payload = m.payload - 'token'
  where m.status = 'pending'
    and m.attempts >= v_max
    and m.locked_until < v_now;

  return query
  with due as (
    select m.id
    from outbox.messages m
    where m.status = 'pending'
      and m.next_attempt_at <= v_now
      and (m.locked_until is null or m.locked_until < v_now)
      and m.attempts < v_max
    order by m.next_attempt_at, m.id
    limit greatest(p_limit, 0)
    for update skip locked
  )
  update outbox.messages m
  set locked_until = v_now + pg_catalog.make_interval(secs => p_lease_seconds),
      attempts = m.attempts + 1
  from due
  where m.id = due.id
  returning m.*;
end;
$$;


--
-- Name: FUNCTION claim_messages(p_limit integer, p_lease_seconds integer); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.claim_messages(p_limit integer, p_lease_seconds integer) IS 'Claim up to p_limit due messages for p_lease_seconds (FOR UPDATE SKIP LOCKED, so concurrent workers take different rows); each claim counts as an attempt. A lease that runs out unmarked makes the row claimable again. Definer: the worker holds no privilege on outbox.messages, only EXECUTE here.';


--
-- Name: claims_are_trusted(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.claims_are_trusted() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return session_user = 'authenticator'
    or pg_catalog.pg_has_role(session_user, 'authenticator', 'member')
    or pg_catalog.pg_has_role(session_user, 'slotbase_owner', 'member');
end;
$$;


--
-- Name: FUNCTION claims_are_trusted(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.claims_are_trusted() IS 'Does request.jwt.claims count for this login? True for the API''s login (and logins it was granted to), the owner''s members and superusers.';


--
-- Name: confirm_email(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.confirm_email(p_token text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users := private.use_one_time_token(p_token, 'email_verification');
begin
  update auth.users u
  set email_verified_at = coalesce(u.email_verified_at, private.now())
  where u.id = v_user.id;
end;
$$;


--
-- Name: FUNCTION confirm_email(p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.confirm_email(p_token text) IS 'Mark an address verified with a verification token. Definer: writes auth.users.email_verified_at.';


--
-- Name: confirm_hold(uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.confirm_hold(p_id uuid, p_customer_note text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION confirm_hold(p_id uuid, p_customer_note text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.confirm_hold(p_id uuid, p_customer_note text) IS 'Turn the caller''s live hold into a booking of the same slot (pending when the service wants confirmation); 409 invalid_transition when already confirmed, 410 hold_expired after expiry. Definer: clients may not write app.bookings.';


--
-- Name: confirm_password_reset(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.confirm_password_reset(p_token text, p_new_password text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users := private.use_one_time_token(p_token, 'password_reset');
begin
  perform private.check_password(p_new_password, v_user.email::text);
  -- The link came through the mailbox, which proves the address as well.
  update auth.users u
  set password_hash = private.hash_password(p_new_password),
      email_verified_at = coalesce(u.email_verified_at, private.now())
  where u.id = v_user.id;
  perform private.revoke_sessions(v_user.id, 'password_reset');
  -- Whoever was guessing the old password no longer keeps the owner locked out.
  delete from auth.login_failures f where f.email operator(extensions.=) v_user.email;
end;
$$;


--
-- Name: FUNCTION confirm_password_reset(p_token text, p_new_password text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.confirm_password_reset(p_token text, p_new_password text) IS 'Set a new password with a reset token; ends every session and clears the lockout count. Definer: writes the password hash.';


--
-- Name: consents; Type: TABLE; Schema: gdpr; Owner: -
--

CREATE TABLE gdpr.consents (
    id bigint NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    granted boolean NOT NULL,
    policy_version text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT consents_policy_version_check CHECK (((length(btrim(policy_version)) >= 1) AND (length(btrim(policy_version)) <= 64))),
    CONSTRAINT consents_purpose_check CHECK ((purpose = 'marketing'::text))
);

ALTER TABLE ONLY gdpr.consents FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE consents; Type: COMMENT; Schema: gdpr; Owner: -
--

COMMENT ON TABLE gdpr.consents IS 'Every consent given or withdrawn, append-only: the latest row per user and purpose is the current state. No personal data beyond the user id, so erasure keeps it.';


--
-- Name: COLUMN consents.policy_version; Type: COMMENT; Schema: gdpr; Owner: -
--

COMMENT ON COLUMN gdpr.consents.policy_version IS 'The version of the privacy policy or terms the person saw when deciding.';


--
-- Name: consent_json(gdpr.consents); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.consent_json(p_consent gdpr.consents) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.json_build_object(
    'purpose', p_consent.purpose,
    'granted', p_consent.granted,
    'policy_version', p_consent.policy_version,
    'at', private.utc(p_consent.at)
  );
end;
$$;


--
-- Name: FUNCTION consent_json(p_consent gdpr.consents); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.consent_json(p_consent gdpr.consents) IS 'The consent object: {purpose, granted, policy_version, at}.';


--
-- Name: create_booking(uuid, uuid, text, text, uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.create_booking(p_provider_id uuid, p_service_id uuid, p_start text, p_customer_note text, p_customer_id uuid, p_idempotency_key text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_booking(p_provider_id uuid, p_service_id uuid, p_start text, p_customer_note text, p_customer_id uuid, p_idempotency_key text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.create_booking(p_provider_id uuid, p_service_id uuid, p_start text, p_customer_note text, p_customer_id uuid, p_idempotency_key text) IS 'Book a slot after the same checks as the slot list, with p_provider_id or (NULL) any provider offering the service; the exclusion constraint settles races (409 slot_taken). Definer: checks against bookings the caller cannot read.';


--
-- Name: create_booking_series(uuid, uuid, text, text, integer, text, text, uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.create_booking_series(p_provider_id uuid, p_service_id uuid, p_start text, p_every text, p_count integer, p_on_conflict text, p_customer_note text, p_customer_id uuid, p_idempotency_key text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_booking_series(p_provider_id uuid, p_service_id uuid, p_start text, p_every text, p_count integer, p_on_conflict text, p_customer_note text, p_customer_id uuid, p_idempotency_key text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.create_booking_series(p_provider_id uuid, p_service_id uuid, p_start text, p_every text, p_count integer, p_on_conflict text, p_customer_note text, p_customer_id uuid, p_idempotency_key text) IS 'Book a recurring series (see api.create_booking_series): each occurrence after the same checks as a single booking, inserted with series_id under a savepoint so a lost race is one occurrence''s slot_taken. Definer: checks against bookings the caller cannot read, and writes app.bookings and app.booking_series, which clients may not.';


--
-- Name: create_hold(uuid, uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.create_hold(p_provider_id uuid, p_service_id uuid, p_start text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_hold(p_provider_id uuid, p_service_id uuid, p_start text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.create_hold(p_provider_id uuid, p_service_id uuid, p_start text) IS 'Hold a free slot for the caller, with the checks of a booking. Definer: checks against bookings the caller cannot read and writes app.bookings.';


--
-- Name: organizations; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.organizations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    timezone text DEFAULT 'Europe/Copenhagen'::text NOT NULL,
    currency text DEFAULT 'DKK'::text NOT NULL,
    search_language text DEFAULT 'danish'::text NOT NULL,
    cancellation_cutoff_minutes integer DEFAULT 1440 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    max_active_bookings_per_customer integer DEFAULT 10 NOT NULL,
    booking_requires_verified_email boolean DEFAULT false NOT NULL,
    hold_minutes integer DEFAULT 10 NOT NULL,
    waitlist_enabled boolean DEFAULT true NOT NULL,
    CONSTRAINT organizations_cancellation_cutoff_minutes_check CHECK (((cancellation_cutoff_minutes >= 0) AND (cancellation_cutoff_minutes <= 525600))),
    CONSTRAINT organizations_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT organizations_hold_minutes_check CHECK (((hold_minutes >= 1) AND (hold_minutes <= 1440))),
    CONSTRAINT organizations_max_active_bookings_per_customer_check CHECK (((max_active_bookings_per_customer >= 1) AND (max_active_bookings_per_customer <= 1000))),
    CONSTRAINT organizations_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT organizations_slug_check CHECK ((slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'::text))
);

ALTER TABLE ONLY app.organizations FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE organizations; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.organizations IS 'A salon, clinic or studio: the tenant. Public: anyone may read it.';


--
-- Name: COLUMN organizations.search_language; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.organizations.search_language IS 'Text search configuration for its services (danish, english, simple, ...).';


--
-- Name: COLUMN organizations.cancellation_cutoff_minutes; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.organizations.cancellation_cutoff_minutes IS 'Customers may cancel or reschedule until this many minutes before the start.';


--
-- Name: COLUMN organizations.max_active_bookings_per_customer; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.organizations.max_active_bookings_per_customer IS 'How many pending or confirmed bookings in the future one customer may hold at this organization (staff booking for them count too).';


--
-- Name: COLUMN organizations.booking_requires_verified_email; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.organizations.booking_requires_verified_email IS 'Customers must have verified their email address before they can book here.';


--
-- Name: COLUMN organizations.hold_minutes; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.organizations.hold_minutes IS 'How long a hold keeps its slot (POST /bookings/holds, and the holds the waitlist offers).';


--
-- Name: COLUMN organizations.waitlist_enabled; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.organizations.waitlist_enabled IS 'Customers may join the waitlist for this organization''s services.';


--
-- Name: create_org(text, text, text, text, text, integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.create_org(p_slug text, p_name text, p_timezone text, p_currency text, p_search_language text, p_cancellation_cutoff_minutes integer) RETURNS app.organizations
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION create_org(p_slug text, p_name text, p_timezone text, p_currency text, p_search_language text, p_cancellation_cutoff_minutes integer); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.create_org(p_slug text, p_name text, p_timezone text, p_currency text, p_search_language text, p_cancellation_cutoff_minutes integer) IS 'Create an organization with the caller as its owner. Definer: clients may insert neither organizations nor memberships, so nobody can make themselves a member of someone else''s organization.';


--
-- Name: create_superuser(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.create_superuser(p_email text, p_password text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_email extensions.citext := private.check_email(p_email);
  v_user auth.users;
begin
  perform private.check_password(p_password, v_email::text);
  select * into v_user from auth.users u where u.email operator(extensions.=) v_email for update;
  if not found then
    insert into auth.users (email, password_hash, email_verified_at, is_platform_admin)
    values (v_email, private.hash_password(p_password), private.now(), true)
    returning * into v_user;
    return v_user.id;
  end if;
  if v_user.email_verified_at is null or v_user.deleted_at is not null then
    -- Whoever registered this address first never proved it was theirs: it may be someone
    -- waiting for the operator to promote it. The operator's password replaces theirs, the
    -- address counts as verified by the operator, and every session of the squatter ends.
    update auth.users u
    set password_hash = private.hash_password(p_password),
        email_verified_at = private.now(),
        deleted_at = null,
        is_platform_admin = true
    where u.id = v_user.id;
    perform private.revoke_sessions(v_user.id, 'superuser_bootstrap');
  else
    update auth.users u set is_platform_admin = true where u.id = v_user.id;
  end if;
  return v_user.id;
end;
$$;


--
-- Name: FUNCTION create_superuser(p_email text, p_password text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.create_superuser(p_email text, p_password text) IS 'Create a platform admin, or promote an existing account: a verified one keeps its password; an unverified one gets this password, is marked verified and loses every session (an unproven registration must not become an admin). Run by the slotbase command as the database owner. Definer: the slotbase command runs it as the connecting administrator, who holds the owner''s privileges but not its BYPASSRLS, and auth.users forces row-level security.';


--
-- Name: customer_booking_problem(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.customer_booking_problem(p_org_id uuid, p_customer_id uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION customer_booking_problem(p_org_id uuid, p_customer_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.customer_booking_problem(p_org_id uuid, p_customer_id uuid) IS 'Why the organization''s rules keep a customer from another booking or hold (email_not_verified: it books verified addresses only; too_many_bookings: max_active_bookings_per_customer upcoming active bookings and live holds), or NULL. Definer: counts the customer''s bookings whatever the caller may see.';


--
-- Name: decline_invitation(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.decline_invitation(id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_invitation app.invitations := private.my_invitation(decline_invitation.id);
begin
  update app.invitations i set declined_at = private.now() where i.id = v_invitation.id;
end;
$$;


--
-- Name: FUNCTION decline_invitation(id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.decline_invitation(id uuid) IS 'The body of api.decline_invitation. Definer: invitations have no client privileges; the caller is checked first.';


--
-- Name: decode_cursor(text, regtype[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.decode_cursor(p_cursor text, VARIADIC p_types regtype[]) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_b64 text := pg_catalog.translate(p_cursor, '-_', '+/');
  v_json json;
  v_parts text[];
begin
  if p_cursor is null or p_cursor = '' then
    return null;
  end if;
  if not p_types <@ '{text,uuid,timestamptz,real,bigint}'::regtype[] then
    raise exception using errcode = 'XX000', message = 'internal_error',
      detail = 'private.decode_cursor reads parts of type text, uuid, timestamptz, real and bigint only.';
  end if;
  begin
    v_b64 := v_b64 || pg_catalog.repeat('=', (4 - pg_catalog.length(v_b64) % 4) % 4);
    v_json := pg_catalog.convert_from(pg_catalog.decode(v_b64, 'base64'), 'UTF8')::json;
    if pg_catalog.json_typeof(v_json) = 'array' then
      select pg_catalog.array_agg(e.part order by e.n) into v_parts
      from pg_catalog.json_array_elements_text(v_json) with ordinality e(part, n);
    end if;
    if pg_catalog.cardinality(v_parts) = pg_catalog.cardinality(p_types)
        and pg_catalog.array_position(v_parts, null) is null then
      -- Each part must read as its type, so the caller's casts cannot fail.
      for i in 1 .. pg_catalog.cardinality(p_types) loop
        case p_types[i]
          when 'uuid'::regtype then perform v_parts[i]::uuid;
          when 'timestamptz'::regtype then perform v_parts[i]::timestamptz;
          when 'real'::regtype then perform v_parts[i]::real;
          when 'bigint'::regtype then perform v_parts[i]::bigint;
          else null;
        end case;
      end loop;
      return v_parts;
    end if;
  exception when others then
    null;  -- not base64, not UTF-8, not JSON, or a part that does not read as its type
  end;
  raise exception using errcode = 'PT422', message = 'validation_failed',
    detail = 'The cursor is not one this server issued.';
end;
$$;


--
-- Name: FUNCTION decode_cursor(p_cursor text, VARIADIC p_types regtype[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.decode_cursor(p_cursor text, VARIADIC p_types regtype[]) IS 'The parts of a cursor made by private.encode_cursor(), as text, each checked to read as the type named for it (text, uuid, timestamptz, real or bigint); NULL for no cursor; 422 validation_failed for anything else, such as a cursor of a list whose key has another shape.';


--
-- Name: demo_ids(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.demo_ids(p_calendar_feed text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select pg_catalog.json_build_object(
      'org_id', o.id, 'org_slug', o.slug,
      'providers', (select pg_catalog.json_object_agg(p.display_name, p.id order by p.display_name)
                    from app.providers p where p.org_id = o.id),
      'services', (select pg_catalog.json_object_agg(v.name, v.id order by v.name)
                   from app.services v where v.org_id = o.id),
      'owner', 'owner@salon-norrebro.example',
      'provider', 'mette@salon-norrebro.example',
      'customer', 'customer@salon-norrebro.example',
      'calendar_feed', p_calendar_feed
    )
    from app.organizations o
    where o.slug = 'salon-norrebro'
  );
end;
$$;


--
-- Name: FUNCTION demo_ids(p_calendar_feed text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.demo_ids(p_calendar_feed text) IS 'The demo salon''s ids (organization, providers and services by name), logins and p_calendar_feed (a feed path, known only when it was just made), NULL before it is seeded. Definer: reads across the demo organization.';


--
-- Name: encode_cursor(text[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.encode_cursor(VARIADIC p_parts text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.translate(
    pg_catalog.encode(pg_catalog.convert_to(pg_catalog.array_to_json(p_parts)::text, 'UTF8'), 'base64'),
    E'+/=\n', '-_');
end;
$$;


--
-- Name: FUNCTION encode_cursor(VARIADIC p_parts text[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.encode_cursor(VARIADIC p_parts text[]) IS 'Opaque keyset cursor holding the sort key of the last row of a page, one text per part, e.g. private.encode_cursor(created_at::text, id::text); read back with private.decode_cursor().';


--
-- Name: end_my_sessions(text, uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.end_my_sessions(p_reason text, p_only uuid DEFAULT NULL::uuid, p_except uuid DEFAULT NULL::uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.revoke_sessions(private.require_user(), p_reason, p_only, p_except);
end;
$$;


--
-- Name: FUNCTION end_my_sessions(p_reason text, p_only uuid, p_except uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.end_my_sessions(p_reason text, p_only uuid, p_except uuid) IS 'End sessions of the caller only. Definer: it calls private.revoke_sessions, which takes any user id and is therefore not granted to clients.';


--
-- Name: enqueue_booking_messages(uuid[], text[], timestamp with time zone[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.enqueue_booking_messages(p_ids uuid[], p_kinds text[], p_previous_starts timestamp with time zone[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_count integer;
begin
  -- Set-based, so a bulk import of bookings costs one statement, not one per row. No mail about
  -- a booking that has already ended (imported history), nor to an erased account.
  insert into outbox.messages (message_id, kind, recipient_id, recipient_email, locale, booking_id,
    payload, next_attempt_at, created_at)
  select
    private.booking_message_id(b.id, e.kind, b.sequence),
    e.kind,
    u.id,
    u.email::text,
    u.locale,
    b.id,
    pg_catalog.jsonb_build_object(
      'booking_id', b.id,
      'status', b.status,
      'sequence', b.sequence,
      'start', private.local_iso(b.starts_at, z.zone),
      'end', private.local_iso(b.ends_at, z.zone),
      'timezone', z.zone,
      'previous_start', private.local_iso(e.previous_start, z.zone),
      'duration_minutes', (extract(epoch from b.ends_at - b.starts_at) / 60)::integer,
      'price_minor', b.price_minor,
      'currency', b.currency,
      'cancel_reason', b.cancel_reason,
      'hold_expires_at', private.local_iso(b.hold_expires_at, z.zone),
      'org_id', o.id,
      'org_name', o.name,
      'org_slug', o.slug,
      'provider_name', p.display_name,
      'service_name', s.name,
      'recipient_name', u.full_name
    ),
    private.now(),
    private.now()
  from rows from (pg_catalog.unnest(p_ids), pg_catalog.unnest(p_kinds), pg_catalog.unnest(p_previous_starts))
    as e(id, kind, previous_start)
  join app.bookings b on b.id = e.id
  join app.organizations o on o.id = b.org_id
  join app.providers p on p.id = b.provider_id
  join app.services s on s.id = b.service_id
  join auth.users u on u.id = b.customer_id and u.deleted_at is null
  cross join lateral (select coalesce(p.timezone, o.timezone) as zone) z
  where e.kind is not null
    and b.ends_at > private.now()
  on conflict (message_id) do nothing;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;


--
-- Name: FUNCTION enqueue_booking_messages(p_ids uuid[], p_kinds text[], p_previous_starts timestamp with time zone[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.enqueue_booking_messages(p_ids uuid[], p_kinds text[], p_previous_starts timestamp with time zone[]) IS 'Enqueue one message of a kind per booking to its customer, in the customer''s locale, with what the renderer needs in payload; an event already enqueued (same message_id) is skipped. Definer: writes outbox.messages and reads the customer''s email, which no client may.';


--
-- Name: enqueue_reminders(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.enqueue_reminders() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_window interval := pg_catalog.make_interval(hours => private.setting('reminder_hours_before')::integer);
  v_ids uuid[];
begin
  -- Active bookings starting within the window. One booked inside the window already got a
  -- message with everything in it, so it gets no reminder on top. A reschedule raises the
  -- sequence, and with it the message_id: the new time gets its own reminder.
  select pg_catalog.array_agg(b.id) into v_ids
  from app.bookings b
  where b.status in ('pending', 'confirmed')
    and b.starts_at > v_now
    and b.starts_at <= v_now + v_window
    and b.created_at <= b.starts_at - v_window
    and not exists (
      select 1 from outbox.messages m
      where m.message_id = private.booking_message_id(b.id, 'booking_reminder', b.sequence)
    );
  if v_ids is null then
    return 0;
  end if;
  return private.enqueue_booking_messages(v_ids,
    pg_catalog.array_fill('booking_reminder'::text, array[pg_catalog.cardinality(v_ids)]),
    pg_catalog.array_fill(null::timestamptz, array[pg_catalog.cardinality(v_ids)]));
end;
$$;


--
-- Name: FUNCTION enqueue_reminders(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.enqueue_reminders() IS 'Enqueue booking_reminder for active bookings starting within reminder_hours_before (not for those booked inside that window); once per booking and sequence. Run by the worker periodically; returns how many were enqueued. Definer: writes outbox.messages.';


--
-- Name: erase_me(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.erase_me() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.erase_user(private.require_user(), 'account_deleted');
end;
$$;


--
-- Name: FUNCTION erase_me(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.erase_me() IS 'Erase the caller''s own account. Definer: it calls private.erase_user, which takes any id and is therefore not granted to clients.';


--
-- Name: erase_user(uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.erase_user(p_user_id uuid, p_reason text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users;
  v_email text;
  v_placeholder text := 'erased-' || p_user_id::text || '@erased.invalid';
  v_booking_ids uuid[];
  v_provider_ids uuid[];
  v_values text[];
  -- Columns that hold personal text in the audited tables; in entries about the person they
  -- are replaced whatever their value was at the time.
  v_keys text[] := array['email', 'full_name', 'customer_note', 'internal_note', 'cancel_reason',
    'display_name', 'bio', 'reason', 'user_agent', 'ip', 'recipient_email'];
begin
  select * into v_user from auth.users u where u.id = p_user_id for update;
  if not found then
    return;
  end if;
  v_email := v_user.email::text;
  select pg_catalog.array_agg(b.id) into v_booking_ids from app.bookings b where b.customer_id = p_user_id;
  select pg_catalog.array_agg(p.id) into v_provider_ids
  from app.providers p
  -- Their profiles, and the ones they were unlinked from that nobody has taken over since.
  where p.user_id = p_user_id
     or (p.user_id is null and exists (
           select from app.provider_former_people f where f.provider_id = p.id and f.user_id = p_user_id));

  -- Every personal text held about them, collected before it is replaced, so that copies of it
  -- in audit entries and messages can be found by value.
  select pg_catalog.array_agg(distinct v.value) into v_values
  from (
    select v_email as value
    union all select v_user.full_name
    union all select b.customer_note from app.bookings b where b.id = any (v_booking_ids)
    union all select b.cancel_reason from app.bookings b where b.id = any (v_booking_ids)
    union all select n.internal_note from app.booking_notes n where n.booking_id = any (v_booking_ids)
    union all select s.user_agent from auth.sessions s where s.user_id = p_user_id
    union all select pg_catalog.host(s.ip) from auth.sessions s where s.user_id = p_user_id
    union all select p.display_name from app.providers p where p.id = any (v_provider_ids)
    union all select p.bio from app.providers p where p.id = any (v_provider_ids)
    union all select t.reason from app.time_off t where t.provider_id = any (v_provider_ids)
  ) v
  where v.value is not null and v.value <> '' and v.value not in (v_placeholder, 'Former provider');

  -- The account: a placeholder that records still point at; no password, so no login.
  update auth.users u
  set email = v_placeholder::extensions.citext,
      password_hash = null,
      full_name = '',
      email_verified_at = null,
      is_platform_admin = false,
      deleted_at = coalesce(u.deleted_at, private.now())
  where u.id = p_user_id;
  perform private.revoke_sessions(p_user_id, p_reason);
  delete from auth.refresh_tokens t where t.user_id = p_user_id;
  update auth.sessions s set user_agent = null, ip = null
  where s.user_id = p_user_id and (s.user_agent is not null or s.ip is not null);
  delete from auth.login_failures f where f.email operator(extensions.=) v_email::extensions.citext;
  if pg_catalog.to_regclass('auth.one_time_tokens') is not null then
    delete from auth.one_time_tokens t where t.user_id = p_user_id;
  end if;
  -- Their calendar feeds, and those of their provider profiles: the URLs stop working.
  if pg_catalog.to_regclass('app.calendar_feeds') is not null then
    delete from app.calendar_feeds f where f.user_id = p_user_id or f.provider_id = any (v_provider_ids);
  end if;

  -- What they were waiting for, and the slots held for them, end with the account (a freed
  -- hold goes to the next one in line).
  delete from app.waitlist_entries w where w.customer_id = p_user_id;
  delete from app.bookings b where b.customer_id = p_user_id and b.status = 'held';

  -- Their bookings stay as anonymous business records: ids, times, status, price.
  update app.bookings b
  set customer_note = '', cancel_reason = null
  where b.id = any (v_booking_ids) and (b.customer_note <> '' or b.cancel_reason is not null);
  update app.booking_notes n
  set internal_note = '', updated_at = private.now()
  where n.booking_id = any (v_booking_ids) and n.internal_note <> '';
  -- Stored responses repeat the booking and its notes: theirs, and staff's made for them.
  delete from app.idempotency_keys k
  where k.user_id = p_user_id or k.response_body like '%' || p_user_id::text || '%';

  -- A provider profile is the organization's record of who worked there, so it stays, without
  -- the person's name, bio and reasons of absence.
  update app.providers p
  set display_name = 'Former provider', bio = ''
  where p.id = any (v_provider_ids);
  delete from app.provider_former_people f where f.user_id = p_user_id;
  update app.time_off t
  set reason = ''
  where t.provider_id = any (v_provider_ids) and t.reason <> '';

  if pg_catalog.to_regclass('outbox.messages') is not null then
    update outbox.messages m
    set recipient_email = v_placeholder,
        payload = '{}',
        last_error = case when m.status = 'pending' then 'recipient erased'
                          else private.scrub_text(m.last_error, v_values) end,
        status = case when m.status = 'pending' then 'failed' else m.status end,
        locked_until = null
    where m.recipient_id = p_user_id
       or pg_catalog.lower(m.recipient_email) = pg_catalog.lower(v_email);
    -- Messages to others about their bookings, or about bookings with them as the provider.
    update outbox.messages m
    set payload = private.scrub_json(m.payload, v_values, '{}'),
        last_error = private.scrub_text(m.last_error, v_values)
    where m.recipient_id is distinct from p_user_id
      and m.booking_id in (
        select b.id from app.bookings b
        where b.id = any (v_booking_ids) or b.provider_id = any (v_provider_ids)
      );
  end if;

  -- Last, so that the entries the statements above just wrote are scrubbed too: entries about
  -- them, and the history of their user row, bookings and provider profiles (written before a
  -- provider was linked to them, too). The entries stay: who did what, and when.
  update audit.log l
  set old_values = private.scrub_json(l.old_values, v_values, v_keys),
      new_values = private.scrub_json(l.new_values, v_values, v_keys)
  where l.subject_user_id = p_user_id
     or (l.table_name = 'auth.users' and l.row_id = p_user_id::text)
     or (l.table_name in ('app.bookings', 'app.booking_notes')
         and l.row_id = any (v_booking_ids::text[]))
     or (l.table_name = 'app.providers' and l.row_id = any (v_provider_ids::text[]));
end;
$$;


--
-- Name: FUNCTION erase_user(p_user_id uuid, p_reason text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.erase_user(p_user_id uuid, p_reason text) IS 'Replace an account''s personal data with placeholders everywhere it appears (account, sessions, tokens, failed logins, waitlist entries and holds, notes and cancel reasons of their bookings, provider profiles, stored responses, messages, audit entries), end its sessions and make login impossible. Bookings keep ids, times, status and price. Not granted to clients: private.erase_me and private.anonymize_user call it. Definer: it must reach every row about the person whatever the session may read, also when an operator runs it in psql (docs/gdpr.md).';


--
-- Name: error(integer, text, text, jsonb); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.error(p_status integer, p_code text, p_detail text, p_headers jsonb DEFAULT NULL::jsonb) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- A raised exception rolls the transaction back. Some failures must leave a trace (a failed
  -- login counts toward lockout; a reused refresh token revokes its session), so those return
  -- an error body and set the status instead, PostgREST's response.status convention.
  perform pg_catalog.set_config('response.status', p_status::text, true);
  if p_headers is not null then
    perform pg_catalog.set_config('response.headers', p_headers::text, true);
  end if;
  return pg_catalog.json_build_object('code', p_code, 'detail', p_detail);
end;
$$;


--
-- Name: FUNCTION error(p_status integer, p_code text, p_detail text, p_headers jsonb); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.error(p_status integer, p_code text, p_detail text, p_headers jsonb) IS 'Answer an error without rolling back: sets response.status (and response.headers) and returns {code, detail}.';


--
-- Name: events; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.events (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    topic text NOT NULL,
    kind text NOT NULL,
    org_id uuid NOT NULL,
    provider_id uuid NOT NULL,
    booking_id uuid,
    status text,
    during tstzrange,
    CONSTRAINT events_check CHECK (((topic = 'bookings'::text) = (booking_id IS NOT NULL))),
    CONSTRAINT events_kind_check CHECK ((kind ~ '^[a-z_]+\.[a-z_]+$'::text)),
    CONSTRAINT events_topic_check CHECK ((topic = ANY (ARRAY['bookings'::text, 'availability'::text])))
);

ALTER TABLE ONLY app.events FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE events; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.events IS 'The change feed for live updates: one row per booking or availability change, ids and kinds only; kept for private.settings events_retention_minutes, then purged.';


--
-- Name: COLUMN events.during; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.events.during IS 'Availability events: the instants whose availability changed, when known (null: any time).';


--
-- Name: event_json(app.events); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.event_json(p_event app.events) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION event_json(p_event app.events); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.event_json(p_event app.events) IS 'One event as clients receive it: {id, topic, kind, at, data}; data holds ids, a status or a time range, never personal data.';


--
-- Name: event_topic(app.events); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.event_topic(p_event app.events) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_event.topic = 'availability' then
    return 'availability:' || p_event.provider_id::text;
  end if;
  return p_event.topic;
end;
$$;


--
-- Name: FUNCTION event_topic(p_event app.events); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.event_topic(p_event app.events) IS 'The topic a client subscribes to for this event: bookings, or availability:<provider id>.';


--
-- Name: events_ceiling(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.events_ceiling() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return coalesce((select pg_catalog.max(e.id) from app.events e), 0);
end;
$$;


--
-- Name: FUNCTION events_ceiling(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.events_ceiling() IS 'The newest event id (0 when none). The API''s listener reads it on (re)connecting, to catch its streams up on events it missed while the connection was down. Definer: the API''s login role (authenticator) holds no privilege on app.events; it learns one number.';


--
-- Name: events_floor(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.events_floor() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (select pg_catalog.min(e.id) from app.events e);
end;
$$;


--
-- Name: FUNCTION events_floor(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.events_floor() IS 'The oldest event id still kept (null when none): a resume from before it has missed purged events. Definer: the oldest of all events kept, not only of those the caller may read.';


--
-- Name: expire_holds(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.expire_holds() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION expire_holds(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.expire_holds() IS 'Delete up to 100 expired holds, in provider order (the worker runs it every round), and return how many. Definer: run by the worker as service_role; deletes rows of every organization.';


--
-- Name: export_me(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.export_me() RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.personal_data(private.require_user());
end;
$$;


--
-- Name: FUNCTION export_me(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.export_me() IS 'The caller''s own export document. Definer: see private.personal_data.';


--
-- Name: export_user(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.export_user(p_user_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_document json;
begin
  perform private.require_platform_admin();
  v_document := private.personal_data(p_user_id);
  if v_document is null then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  return v_document;
end;
$$;


--
-- Name: FUNCTION export_user(p_user_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.export_user(p_user_id uuid) IS 'Any account''s export document, for platform admins. Definer: see private.personal_data.';


--
-- Name: guard_resource_claims(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.guard_resource_claims() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz;
begin
  if TG_OP = 'UPDATE' and NEW.kind = OLD.kind and NEW.capacity >= OLD.capacity then
    return NEW;  -- no claimed unit can be lost (deactivating keeps the claims it has)
  end if;
  perform private.lock_resource_kind(OLD.org_id, OLD.kind);
  if TG_OP = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    -- Deleted by a cascade from its organization, whose bookings go with it.
    delete from app.resource_claims c where c.resource_id = OLD.id;
    return OLD;
  end if;
  v_now := private.now();
  -- Upcoming (or running) claims of a live hold or booking on the units about to go.
  if exists (
    select 1 from app.resource_claims c
    where c.resource_id = OLD.id
      and (TG_OP = 'DELETE' or NEW.kind <> OLD.kind or c.unit > NEW.capacity)
      and pg_catalog.upper(c.blocked) > v_now
      and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
  ) then
    raise exception using errcode = 'PT409', message = 'resource_unavailable',
      detail = case TG_OP
        when 'DELETE' then 'Upcoming bookings use this resource; cancel or move them first, or deactivate it (active: false) so that no new booking gets it.'
        else 'Upcoming bookings use this resource as it is; cancel or move them first, or add another resource.'
      end;
  end if;
  if TG_OP = 'DELETE' then
    -- What is left are past claims and claims of expired holds: they go with the resource.
    delete from app.resource_claims c where c.resource_id = OLD.id;
    return OLD;
  end if;
  return NEW;
end;
$$;


--
-- Name: FUNCTION guard_resource_claims(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.guard_resource_claims() IS 'BEFORE UPDATE OR DELETE trigger on app.resources: 409 resource_unavailable when lowering the capacity, changing the kind or deleting would take a unit from an upcoming live hold or booking; a deletion takes the resource''s past claims with it. Definer: reads and deletes claims of bookings the caller may not see, and clients never write app.resource_claims.';


--
-- Name: handle_request(text, jsonb, jsonb, text, jsonb, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.handle_request(p_role text, p_claims jsonb, p_context jsonb, p_call text, p_args jsonb, p_read_only boolean DEFAULT false) RETURNS TABLE(status integer, headers jsonb, body text)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_body text;
  v_sid uuid;
begin
  if p_role is null or p_role not in ('anon', 'authenticated') then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'This role may not call the API.';
  end if;
  if p_claims is not null then
    v_sid := nullif(p_claims ->> 'sid', '')::uuid;
    if v_sid is null or not private.session_is_active(v_sid) then
      raise exception using errcode = 'PT401', message = 'session_revoked',
        detail = 'The session of this token has ended; log in again.';
    end if;
  end if;
  perform pg_catalog.set_config('request.jwt.claims', coalesce(p_claims::text, ''), true);
  perform pg_catalog.set_config('request.id', coalesce(p_context ->> 'id', ''), true);
  perform pg_catalog.set_config('request.ip', coalesce(p_context ->> 'ip', ''), true);
  perform pg_catalog.set_config('request.user_agent', coalesce(p_context ->> 'user_agent', ''), true);
  -- The request id as application_name: server logs (%a) and pg_stat_activity join the API's
  -- access log and the audit rows. Transaction-local, like everything here.
  if coalesce(p_context ->> 'id', '') <> '' then
    perform pg_catalog.set_config('application_name', p_context ->> 'id', true);
  end if;
  if p_read_only then
    perform pg_catalog.set_config('transaction_read_only', 'on', true);
  end if;
  perform pg_catalog.set_config('role', p_role, true);
  execute p_call into v_body using p_args;
  return query select
    coalesce(nullif(pg_catalog.current_setting('response.status', true), '')::integer, 200),
    nullif(pg_catalog.current_setting('response.headers', true), '')::jsonb,
    v_body;
end;
$$;


--
-- Name: FUNCTION handle_request(p_role text, p_claims jsonb, p_context jsonb, p_call text, p_args jsonb, p_read_only boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.handle_request(p_role text, p_claims jsonb, p_context jsonb, p_call text, p_args jsonb, p_read_only boolean) IS 'Run one API call as the caller: checks the session, sets role, claims and request context (transaction-local), executes p_call with $1 = p_args, returns (status, headers, body). Invoker: SET ROLE is not allowed inside a definer function, and the call must run as the caller.';


--
-- Name: has_org_role(uuid, app.member_role[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.has_org_role(p_org_id uuid, p_roles app.member_role[]) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return exists (
    select 1 from app.memberships m
    where m.org_id = p_org_id and m.user_id = auth.uid() and m.role = any (p_roles)
  );
end;
$$;


--
-- Name: FUNCTION has_org_role(p_org_id uuid, p_roles app.member_role[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.has_org_role(p_org_id uuid, p_roles app.member_role[]) IS 'Does the caller hold one of these roles in the organization? Use as (select private.has_org_role(org_id, ...)) in policies. Definer: reads app.memberships directly, not through its policy, which would call private.is_org_member for every row.';


--
-- Name: hash_password(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.hash_password(p_password text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return extensions.crypt(p_password, extensions.gen_salt('bf', private.setting('bcrypt_cost')::integer));
end;
$$;


--
-- Name: FUNCTION hash_password(p_password text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.hash_password(p_password text) IS 'bcrypt hash at the configured cost (private.settings.bcrypt_cost).';


--
-- Name: hold_deleted_events(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.hold_deleted_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.publish_event('availability', 'availability.changed', OLD.org_id, OLD.provider_id,
    p_during => OLD.blocked);
  return null;
end;
$$;


--
-- Name: FUNCTION hold_deleted_events(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.hold_deleted_events() IS 'AFTER DELETE trigger on app.bookings for holds (released or expired): an availability event for the time it kept. Definer: writes app.events, which no client may write.';


--
-- Name: hold_json(app.bookings); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.hold_json(p_hold app.bookings) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION hold_json(p_hold app.bookings); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.hold_json(p_hold app.bookings) IS 'The hold object of the REST contract: {id, org_id, provider_id, service_id, start, end, expires_at}.';


--
-- Name: hold_lapsed(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.hold_lapsed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  update app.waitlist_entries w
  set status = 'lapsed', updated_at = private.now()
  where w.hold_id = OLD.id and w.status = 'offered';
  return OLD;
end;
$$;


--
-- Name: FUNCTION hold_lapsed(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.hold_lapsed() IS 'BEFORE DELETE trigger on app.bookings for holds: the waitlist entry it was offered to has lapsed (while the row still names it). Definer: clients may not write app.waitlist_entries.';


--
-- Name: idempotent_replay(text, jsonb); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.idempotent_replay(p_key text, p_request jsonb) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION idempotent_replay(p_key text, p_request jsonb); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.idempotent_replay(p_key text, p_request jsonb) IS 'The caller''s earlier response for this Idempotency-Key and request (replayed with Idempotent-Replayed: true), or NULL when the key is new, which reserves it; 422 idempotency_key_reused for another request. Called from definer functions (they write app.idempotency_keys); not granted to clients.';


--
-- Name: idempotent_store(text, integer, json); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.idempotent_store(p_key text, p_status integer, p_body json) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_key is not null then
    update app.idempotency_keys k
    set response_status = p_status, response_body = p_body::text
    where k.user_id = auth.uid() and k.key = p_key;
  end if;
  return p_body;
end;
$$;


--
-- Name: FUNCTION idempotent_store(p_key text, p_status integer, p_body json); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.idempotent_store(p_key text, p_status integer, p_body json) IS 'Keep the response of a request reserved by private.idempotent_replay, and pass it on. Not granted to clients.';


--
-- Name: insert_hold(uuid, app.services, uuid, timestamp with time zone); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.insert_hold(p_provider_id uuid, p_service app.services, p_customer_id uuid, p_start timestamp with time zone) RETURNS app.bookings
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION insert_hold(p_provider_id uuid, p_service app.services, p_customer_id uuid, p_start timestamp with time zone); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.insert_hold(p_provider_id uuid, p_service app.services, p_customer_id uuid, p_start timestamp with time zone) IS 'Insert a hold of the organization''s hold_minutes for a customer on a calendar the caller has locked and checked (private.take_calendar); a lost race is 409 slot_taken. Definer: clients may not write app.bookings; reached from private.create_hold and the waitlist only.';


--
-- Name: invitations; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.invitations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    email extensions.citext NOT NULL,
    role app.member_role NOT NULL,
    invited_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    declined_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT invitations_check CHECK ((num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)),
    CONSTRAINT invitations_email_check CHECK ((length((email)::text) <= 254))
);

ALTER TABLE ONLY app.invitations FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE invitations; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.invitations IS 'Invitations to join an organization with a role, by email address. Open until accepted, declined, revoked or expired; accepting needs that address verified.';


--
-- Name: invitation_json(app.invitations); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.invitation_json(p_invitation app.invitations) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select pg_catalog.json_build_object(
      'id', p_invitation.id,
      'org', pg_catalog.json_build_object('id', o.id, 'slug', o.slug, 'name', o.name),
      'email', p_invitation.email::text,
      'role', p_invitation.role,
      'created_at', private.utc(p_invitation.created_at),
      'expires_at', private.utc(p_invitation.expires_at)
    )
    from app.organizations o
    where o.id = p_invitation.org_id
  );
end;
$$;


--
-- Name: FUNCTION invitation_json(p_invitation app.invitations); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.invitation_json(p_invitation app.invitations) IS 'The invitation object {id, org: {id, slug, name}, email, role, created_at, expires_at}. Definer: reads the organization of an invitation the caller was already allowed to see.';


--
-- Name: invite(uuid, extensions.citext, app.member_role); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.invite(p_org_id uuid, p_email extensions.citext, p_role app.member_role) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_expires timestamptz := private.now()
    + pg_catalog.make_interval(days => private.setting('invitation_days')::integer);
  v_invitation app.invitations;
  v_invitee auth.users;
begin
  -- Inviting the same address again renews its open invitation (new role, new expiry).
  update app.invitations i
  set role = p_role, expires_at = v_expires, invited_by = auth.uid(), created_at = v_now
  where i.org_id = p_org_id and i.email operator(extensions.=) p_email
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
  returning * into v_invitation;
  if not found then
    insert into app.invitations (org_id, email, role, invited_by, created_at, expires_at)
    values (p_org_id, p_email, p_role, auth.uid(), v_now, v_expires)
    returning * into v_invitation;
  end if;
  select * into v_invitee from auth.users u
  where u.email operator(extensions.=) p_email and u.deleted_at is null;
  insert into outbox.messages (message_id, kind, recipient_id, recipient_email, locale, payload,
    next_attempt_at, created_at)
  select
    'invitation.' || v_invitation.id::text || '.'
      || pg_catalog.floor(extract(epoch from v_now))::bigint::text || '@slotbase',
    'invitation',
    v_invitee.id,
    p_email::text,
    coalesce(v_invitee.locale, 'da'),
    pg_catalog.jsonb_build_object(
      'org_name', o.name,
      'role', p_role,
      'inviter_name', coalesce(nullif(inviter.full_name, ''), inviter.email::text, ''),
      'recipient_name', coalesce(v_invitee.full_name, ''),
      'expires_at', private.utc(v_expires)
    ),
    v_now,
    v_now
  from app.organizations o
  left join auth.users inviter on inviter.id = auth.uid()
  where o.id = p_org_id
  on conflict (message_id) do nothing;
  return private.invitation_json(v_invitation);
end;
$$;


--
-- Name: FUNCTION invite(p_org_id uuid, p_email extensions.citext, p_role app.member_role); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.invite(p_org_id uuid, p_email extensions.citext, p_role app.member_role) IS 'Open (or renew) the invitation of an address to an organization and enqueue its email. Called by private.add_member after its checks. Definer: writes app.invitations and outbox.messages.';


--
-- Name: is_org_manager(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_org_manager(p_org_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.has_org_role(p_org_id, private.manager_roles());
end;
$$;


--
-- Name: FUNCTION is_org_manager(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.is_org_manager(p_org_id uuid) IS 'Owner or admin of the organization (private.manager_roles): manages it, its members, providers and services. Runs as the caller: private.has_org_role, which it asks, is the definer.';


--
-- Name: is_org_member(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_org_member(p_org_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return exists (
    select 1 from app.memberships m where m.org_id = p_org_id and m.user_id = auth.uid()
  );
end;
$$;


--
-- Name: FUNCTION is_org_member(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.is_org_member(p_org_id uuid) IS 'Is the caller a member (any role) of the organization? Definer: the policy on app.memberships calls it; as the caller its lookup would recurse into that policy.';


--
-- Name: is_org_staff(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_org_staff(p_org_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.has_org_role(p_org_id, private.staff_roles());
end;
$$;


--
-- Name: FUNCTION is_org_staff(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.is_org_staff(p_org_id uuid) IS 'Owner, admin or staff (private.staff_roles): sees and handles every booking of the organization. Runs as the caller: private.has_org_role, which it asks, is the definer.';


--
-- Name: is_platform_admin(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_platform_admin() RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select coalesce((
        select u.is_platform_admin
        from auth.users u
        where u.id = auth.uid() and u.deleted_at is null
      ), false)
  );
end;
$$;


--
-- Name: FUNCTION is_platform_admin(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.is_platform_admin() IS 'Is the caller a platform admin? Looked up, never trusted from the token, so revoking takes effect at once. Definer: used inside auth.users policies.';


--
-- Name: is_provider_self(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_provider_self(p_provider_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return auth.uid() is not null and exists (
    select 1 from app.providers p where p.id = p_provider_id and p.user_id = auth.uid()
  );
end;
$$;


--
-- Name: FUNCTION is_provider_self(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.is_provider_self(p_provider_id uuid) IS 'Is the caller the person behind this provider? Definer: reads app.providers whatever its policies show the caller, inactive providers included.';


--
-- Name: is_text_search_config(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_text_search_config(p_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION is_text_search_config(p_name text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.is_text_search_config(p_name text) IS 'Is this the name of a text search configuration that casts to regconfig under the functions'' search_path (danish, english, simple, or schema.name)?';


--
-- Name: is_time_zone(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.is_time_zone(p_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return p_name is not null
    and exists (select 1 from pg_catalog.pg_timezone_names z where z.name = p_name);
end;
$$;


--
-- Name: issue_calendar_token(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.issue_calendar_token(p_provider_id uuid) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION issue_calendar_token(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.issue_calendar_token(p_provider_id uuid) IS 'A new feed token for a provider (p_provider_id), or for the caller''s own bookings (NULL), replacing the previous one: {token, url_path}. 401, 403, 404 as private.require_feed_keeper. Definer: app.calendar_feeds and private.random_token are closed to clients; the caller is checked first.';


--
-- Name: users; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email extensions.citext NOT NULL,
    password_hash text,
    full_name text DEFAULT ''::text NOT NULL,
    locale text DEFAULT 'da'::text NOT NULL,
    email_verified_at timestamp with time zone,
    is_platform_admin boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT users_email_shape CHECK ((((email)::text ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text) AND (length((email)::text) <= 254))),
    CONSTRAINT users_full_name_check CHECK ((length(full_name) <= 200)),
    CONSTRAINT users_locale_check CHECK ((locale ~ '^[a-z]{2}(-[A-Z]{2})?$'::text))
);

ALTER TABLE ONLY auth.users FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE users; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.users IS 'Accounts. password_hash is bcrypt (pgcrypto); NULL means no password login (erased account).';


--
-- Name: COLUMN users.is_platform_admin; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON COLUMN auth.users.is_platform_admin IS 'Platform operators: read every account. Set only by createsuperuser or SQL.';


--
-- Name: COLUMN users.deleted_at; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON COLUMN auth.users.deleted_at IS 'Set when the account was erased; the row stays as an anonymous placeholder.';


--
-- Name: issue_one_time_token(auth.users, text, integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.issue_one_time_token(p_user auth.users, p_purpose text, p_minutes integer) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_token text := private.random_token();
  v_expires timestamptz := private.now() + pg_catalog.make_interval(mins => p_minutes);
begin
  -- A new link replaces the unused ones of the same purpose: one live link per account.
  delete from auth.one_time_tokens t
  where t.user_id = p_user.id and t.purpose = p_purpose and t.used_at is null;
  insert into auth.one_time_tokens (user_id, purpose, token_hash, expires_at, created_at)
  values (p_user.id, p_purpose, private.token_hash(v_token), v_expires, private.now());
  insert into outbox.messages (message_id, kind, recipient_id, recipient_email, locale, payload,
    next_attempt_at, created_at)
  values (
    p_purpose || '.' || pg_catalog.gen_random_uuid()::text || '@slotbase',
    p_purpose,
    p_user.id,
    p_user.email::text,
    p_user.locale,
    pg_catalog.jsonb_build_object(
      'token', v_token,
      'expires_at', private.utc(v_expires),
      'expires_minutes', p_minutes,
      'recipient_name', p_user.full_name
    ),
    private.now(),
    private.now()
  );
end;
$$;


--
-- Name: FUNCTION issue_one_time_token(p_user auth.users, p_purpose text, p_minutes integer); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.issue_one_time_token(p_user auth.users, p_purpose text, p_minutes integer) IS 'Make a random token for a purpose (stored as sha256 only), replacing unused ones, and enqueue the email that carries it. Definer: writes auth.one_time_tokens and outbox.messages.';


--
-- Name: issue_tokens(auth.users, uuid, bigint, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.issue_tokens(p_user auth.users, p_session_id uuid, p_parent_id bigint, p_refresh_token text) RETURNS json
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now bigint := pg_catalog.floor(extract(epoch from private.now()))::bigint;
  v_claims jsonb;
begin
  v_claims := pg_catalog.jsonb_build_object(
    'sub', p_user.id::text,
    'sid', p_session_id::text,
    'role', 'authenticated',
    'iat', v_now,
    'nbf', v_now,
    'exp', v_now + private.setting('access_token_seconds')::bigint,
    'jti', pg_catalog.gen_random_uuid()::text
  );
  insert into auth.refresh_tokens (session_id, user_id, token_hash, parent_id, access_claims)
  values (p_session_id, p_user.id, private.token_hash(p_refresh_token), p_parent_id, v_claims);
  return private.token_pair(p_user, p_refresh_token, v_claims);
end;
$$;


--
-- Name: FUNCTION issue_tokens(p_user auth.users, p_session_id uuid, p_parent_id bigint, p_refresh_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.issue_tokens(p_user auth.users, p_session_id uuid, p_parent_id bigint, p_refresh_token text) IS 'Store a refresh token (hash only) with the claims of its access token; return the unsigned pair.';


--
-- Name: join_waitlist(uuid, text, text, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.join_waitlist(p_service_id uuid, p_from text, p_to text, p_provider_id uuid) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION join_waitlist(p_service_id uuid, p_from text, p_to text, p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.join_waitlist(p_service_id uuid, p_from text, p_to text, p_provider_id uuid) IS 'Put the caller in line for a service (with one provider, or any) within [from, to). Definer: counts the caller''s entries under the per-customer lock and writes app.waitlist_entries, which clients may not write.';


--
-- Name: json_date(json, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.json_date(p_value json, p_field text) RETURNS date
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION json_date(p_value json, p_field text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.json_date(p_value json, p_field text) IS 'A JSON string "YYYY-MM-DD" as date (JSON null or absent: NULL). 422 validation_failed naming p_field otherwise.';


--
-- Name: jwks_keys(jsonb); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.jwks_keys(p_keys jsonb) RETURNS TABLE(kid text, n numeric, e numeric, size_bytes integer)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return query
  select k ->> 'kid',
         private.bytes_to_numeric(private.b64url_decode(k ->> 'n')),
         private.bytes_to_numeric(private.b64url_decode(k ->> 'e')),
         pg_catalog.length(private.b64url_decode(k ->> 'n'))
  from pg_catalog.jsonb_array_elements(p_keys) k
  where k ->> 'kty' = 'RSA' and coalesce(k ->> 'alg', 'RS256') = 'RS256'
    and coalesce(k ->> 'use', 'sig') = 'sig';
end;
$$;


--
-- Name: FUNCTION jwks_keys(p_keys jsonb); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.jwks_keys(p_keys jsonb) IS 'The RSA signing keys of a JWKS "keys" array as (kid, n, e, modulus length in bytes).';


--
-- Name: jwt_part(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.jwt_part(p_segment text, p_what text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_bytes bytea := private.b64url_decode(p_segment);
  v_value jsonb;
begin
  if v_bytes is null then
    perform private.token_error('malformed_token', p_what || ' is not base64url.');
  end if;
  begin
    v_value := pg_catalog.convert_from(v_bytes, 'UTF8')::jsonb;
  exception when others then
    perform private.token_error('malformed_token', p_what || ' is not JSON.');
  end;
  if pg_catalog.jsonb_typeof(v_value) <> 'object' then
    perform private.token_error('malformed_token', p_what || ' is not a JSON object.');
  end if;
  return v_value;
end;
$$;


--
-- Name: FUNCTION jwt_part(p_segment text, p_what text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.jwt_part(p_segment text, p_what text) IS 'The JSON object in one base64url segment of a compact JWS; PT401 malformed_token otherwise.';


--
-- Name: leave_waitlist(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.leave_waitlist(p_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  delete from app.waitlist_entries w where w.id = p_id and w.customer_id = private.require_user();
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such waitlist entry.';
  end if;
end;
$$;


--
-- Name: FUNCTION leave_waitlist(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.leave_waitlist(p_id uuid) IS 'Delete the caller''s own entry (a hold it was offered stays until confirmed, released or expired). Definer: clients may not write app.waitlist_entries.';


--
-- Name: list_invitations(uuid, integer, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.list_invitations(org_id uuid, lim integer DEFAULT NULL::integer, cursor text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_limit integer := private.page_limit(list_invitations.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_user();
  perform private.require_visible_org(list_invitations.org_id);
  if not private.is_org_manager(list_invitations.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins see its invitations.';
  end if;
  v_after := private.decode_cursor(list_invitations.cursor, 'timestamptz', 'uuid');
  with page as (
    select i, i.created_at, i.id,
           pg_catalog.row_number() over (order by i.created_at, i.id) as n
    from app.invitations i
    where i.org_id = list_invitations.org_id
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > private.now()
      and (v_after is null or (i.created_at, i.id) > (v_after[1]::timestamptz, v_after[2]::uuid))
    order by i.created_at, i.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.invitation_json(p.i) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(p.created_at::text, p.id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION list_invitations(org_id uuid, lim integer, cursor text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.list_invitations(org_id uuid, lim integer, cursor text) IS 'The body of api.list_invitations. Definer: invitations have no client privileges; the caller is checked first.';


--
-- Name: local_iso(timestamp with time zone, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.local_iso(p_at timestamp with time zone, p_zone text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_local timestamp := p_at at time zone p_zone;
  v_offset interval := v_local - (p_at at time zone 'UTC');
begin
  if p_at is null then
    return null;
  end if;
  return pg_catalog.to_char(v_local, 'YYYY-MM-DD"T"HH24:MI:SS')
    || case when v_offset < interval '0' then '-' else '+' end
    || pg_catalog.to_char(pg_catalog.abs(extract(epoch from v_offset)) * interval '1 second', 'HH24:MI');
end;
$$;


--
-- Name: FUNCTION local_iso(p_at timestamp with time zone, p_zone text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.local_iso(p_at timestamp with time zone, p_zone text) IS 'RFC 3339 text of an instant in a zone, with that zone''s offset at that instant (DST-correct).';


--
-- Name: lock_following(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.lock_following(p_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION lock_following(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.lock_following(p_id uuid) IS 'Lock a booking the caller may see (else 404 not_found) and every later occurrence of its series, in start order. Definer: clients hold no UPDATE privilege, which FOR UPDATE needs; the caller is checked first (private.visible_booking_for_update).';


--
-- Name: lock_org_members(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.lock_org_members(p_org_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- Every change that can take an owner away waits here for the previous one of the same
  -- organization; NO KEY UPDATE leaves inserts that merely reference the organization alone.
  perform 1 from app.organizations o where o.id = p_org_id for no key update;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such organization.';
  end if;
end;
$$;


--
-- Name: FUNCTION lock_org_members(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.lock_org_members(p_org_id uuid) IS 'Serialize membership changes of one organization (row lock on it); 404 if it does not exist. Called by the membership definer functions only (not granted to clients).';


--
-- Name: lock_provider_calendar(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.lock_provider_calendar(p_provider_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.calendar:' || p_provider_id::text, 0));
end;
$$;


--
-- Name: FUNCTION lock_provider_calendar(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.lock_provider_calendar(p_provider_id uuid) IS 'Serialize writes that place a booking on one provider''s calendar until the transaction ends.';


--
-- Name: lock_resource_kind(uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.lock_resource_kind(p_org_id uuid, p_kind text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.resource:' || p_org_id::text || ':' || p_kind, 0));
end;
$$;


--
-- Name: FUNCTION lock_resource_kind(p_org_id uuid, p_kind text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.lock_resource_kind(p_org_id uuid, p_kind text) IS 'Serialize, until the transaction ends, everything that allocates or takes away units of one kind of resource in one organization.';


--
-- Name: lock_schedule(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.lock_schedule(p_provider_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- Replacing a set is delete + insert; two replacements of one provider's schedule at once
  -- would otherwise meet in the exclusion or primary key constraint instead of taking turns.
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.schedule:' || p_provider_id::text, 0));
end;
$$;


--
-- Name: FUNCTION lock_schedule(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.lock_schedule(p_provider_id uuid) IS 'Serialize writers of one provider''s working hours and overrides until the transaction ends.';


--
-- Name: lockout(extensions.citext); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.lockout(p_email extensions.citext) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_window interval := pg_catalog.make_interval(mins => private.setting('lockout_window_minutes')::integer);
  v_lockout interval := pg_catalog.make_interval(mins => private.setting('lockout_minutes')::integer);
  v_last timestamptz;
  v_count integer;
begin
  -- Attempts for one email wait for each other (to the end of the transaction), so parallel
  -- guesses cannot all slip past the lockout count before any failure is recorded.
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.login:' || pg_catalog.lower(p_email::text), 0));
  -- Locked: the latest failure completed a full set within the window, less than
  -- lockout_minutes ago. Failures are not recorded while locked, so the lock ends on time.
  select max(f.failed_at) into v_last
  from auth.login_failures f
  where f.email operator(extensions.=) p_email;
  if v_last is not null and v_last + v_lockout > v_now then
    select count(*) into v_count
    from auth.login_failures f
    where f.email operator(extensions.=) p_email
      and f.failed_at > v_last - v_window
      and f.failed_at <= v_last;
    if v_count >= private.setting('lockout_attempts')::integer then
      return private.error(429, 'account_locked',
        'Too many failed password attempts for this account; try again later.',
        pg_catalog.jsonb_build_object('Retry-After',
          pg_catalog.ceil(extract(epoch from v_last + v_lockout - v_now))::bigint::text));
    end if;
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION lockout(p_email extensions.citext); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.lockout(p_email extensions.citext) IS 'Take the per-email password lock for this transaction; the committed 429 account_locked error when the email is locked out, else NULL. Shared by login and change_password. Definer: reads login_failures.';


--
-- Name: login(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.login(p_email text, p_password text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_email extensions.citext := pg_catalog.btrim(coalesce(p_email, ''))::extensions.citext;
  v_locked json;
  v_user auth.users;
  v_ok boolean := false;
  v_session_id uuid;
begin
  perform private.require_api_login();
  if pg_catalog.length(v_email::text) > 254 then
    -- No account has such an address; answered like any wrong login, and nothing is stored.
    return private.error(401, 'invalid_credentials', 'The email or password is wrong.');
  end if;
  v_locked := private.lockout(v_email);
  if v_locked is not null then
    return v_locked;
  end if;

  select * into v_user
  from auth.users u
  where u.email operator(extensions.=) v_email
    and u.deleted_at is null;
  if found and v_user.password_hash is not null then
    v_ok := v_user.password_hash = extensions.crypt(coalesce(p_password, ''), v_user.password_hash);
  else
    -- Same bcrypt work for an unknown email, so timing does not tell which accounts exist.
    perform private.hash_password(coalesce(p_password, ''));
  end if;

  if not v_ok then
    insert into auth.login_failures (email, failed_at) values (v_email, v_now);
    return private.error(401, 'invalid_credentials', 'The email or password is wrong.');
  end if;

  delete from auth.login_failures f where f.email operator(extensions.=) v_email;
  insert into auth.sessions (user_id, user_agent, ip, created_at, last_used_at, expires_at)
  values (
    v_user.id,
    pg_catalog.left(nullif(pg_catalog.current_setting('request.user_agent', true), ''), 512),
    nullif(pg_catalog.current_setting('request.ip', true), '')::inet,
    v_now,
    v_now,
    v_now + pg_catalog.make_interval(days => private.setting('session_days')::integer)
  )
  returning id into v_session_id;
  return private.issue_tokens(v_user, v_session_id, null, private.random_token());
end;
$$;


--
-- Name: FUNCTION login(p_email text, p_password text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.login(p_email text, p_password text) IS 'Check a password under lockout rules and open a session. Unknown email and wrong password answer alike. Definer: reads password hashes.';


--
-- Name: manager_roles(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.manager_roles() RETURNS app.member_role[]
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return '{owner,admin}';
end;
$$;


--
-- Name: FUNCTION manager_roles(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.manager_roles() IS 'The roles that manage an organization, its members, providers and services: owner and admin.';


--
-- Name: mark_failed(bigint, text, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.mark_failed(p_id bigint, p_error text, p_permanent boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
begin
  update outbox.messages m
  set status = case
        when p_permanent or m.attempts >= private.setting('outbox_max_attempts')::integer then 'failed'
        else 'pending'
      end,
      next_attempt_at = v_now + least(
        pg_catalog.make_interval(mins => (2 ^ least(m.attempts, 16))::integer),
        interval '1 hour'),
      locked_until = null,
      last_error = pg_catalog.left(coalesce(p_error, 'unknown error'), 2000)
  where m.id = p_id
    and m.status = 'pending';
  update outbox.messages m
  set payload = m.payload - 'token'
  where m.id = p_id
    and m.status = 'failed';
end;
$$;


--
-- Name: FUNCTION mark_failed(p_id bigint, p_error text, p_permanent boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.mark_failed(p_id bigint, p_error text, p_permanent boolean) IS 'Sending failed: retry after least(2^attempts minutes, 1 hour), or status failed after outbox_max_attempts attempts or at once when p_permanent (the server refused the message for good). Definer: as private.claim_messages.';


--
-- Name: mark_sent(bigint); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.mark_sent(p_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  update outbox.messages m
  set status = 'sent',
      sent_at = private.now(),
      locked_until = null,
      last_error = null,
      payload = m.payload - 'token'  -- a sent link's token need not stay readable in the database
  where m.id = p_id
    and m.status <> 'sent';
end;
$$;


--
-- Name: FUNCTION mark_sent(p_id bigint); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.mark_sent(p_id bigint) IS 'The SMTP server accepted the message: status sent, sent_at, lease released, plain token removed from payload. Idempotent. Definer: as private.claim_messages.';


--
-- Name: member_json(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.member_json(p_org_id uuid, p_user_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION member_json(p_org_id uuid, p_user_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.member_json(p_org_id uuid, p_user_id uuid) IS 'The member object {user_id, email, full_name, role, created_at} of one member, or NULL unless the caller is a member of the organization. Definer: members may see each other''s email and name, which auth.users shows only to the account itself.';


--
-- Name: member_role(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.member_role(p_role text) RETURNS app.member_role
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- The enum is the list; the detail names it for people.
  if p_role is null or p_role <> all (pg_catalog.enum_range(null::app.member_role)::text[]) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'role must be one of owner, admin, staff, provider.';
  end if;
  return p_role::app.member_role;
end;
$$;


--
-- Name: FUNCTION member_role(p_role text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.member_role(p_role text) IS 'A role name as app.member_role, or 422 validation_failed.';


--
-- Name: modexp(numeric, numeric, numeric); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.modexp(p_base numeric, p_exponent numeric, p_modulus numeric) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_result numeric := 1;
  v_base numeric := pg_catalog.mod(p_base, p_modulus);
  v_exponent numeric := p_exponent;
begin
  -- Square and multiply, low bit first. Public exponents are small (65537: 17 squarings), and
  -- nothing here is secret, so the timing of the loop reveals nothing.
  while v_exponent > 0 loop
    if pg_catalog.mod(v_exponent, 2) = 1 then
      v_result := pg_catalog.mod(v_result * v_base, p_modulus);
    end if;
    v_exponent := pg_catalog.div(v_exponent, 2);
    if v_exponent > 0 then
      v_base := pg_catalog.mod(v_base * v_base, p_modulus);
    end if;
  end loop;
  return v_result;
end;
$$;


--
-- Name: FUNCTION modexp(p_base numeric, p_exponent numeric, p_modulus numeric); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.modexp(p_base numeric, p_exponent numeric, p_modulus numeric) IS 'base ^ exponent mod modulus for non-negative integers, exactly (numeric arithmetic).';


--
-- Name: my_hold_for_update(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.my_hold_for_update(p_id uuid) RETURNS app.bookings
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION my_hold_for_update(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.my_hold_for_update(p_id uuid) IS 'Lock the caller''s own hold (or the booking it has already become), else 404 not_found. Definer: reads the row under lock whatever policies a direct client has.';


--
-- Name: my_invitation(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.my_invitation(p_id uuid) RETURNS app.invitations
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users;
  v_invitation app.invitations;
begin
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if v_user.email_verified_at is null then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Verify your email address first: invitations are answered by the address they were sent to.';
  end if;
  select * into v_invitation
  from app.invitations i
  where i.id = p_id
    and i.email operator(extensions.=) v_user.email
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    and i.expires_at > private.now()
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found',
      detail = 'No open invitation with this id to your address.';
  end if;
  return v_invitation;
end;
$$;


--
-- Name: FUNCTION my_invitation(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.my_invitation(p_id uuid) IS 'The open, unexpired invitation with this id to the caller''s verified address, locked; 403 when the address is not verified, 404 otherwise. Definer: invitations have no client privileges.';


--
-- Name: my_invitations(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.my_invitations() RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users;
begin
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if v_user.email_verified_at is null then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Verify your email address to see the invitations sent to it.';
  end if;
  return pg_catalog.json_build_object(
    'items', coalesce((
      select pg_catalog.json_agg(private.invitation_json(i) order by i.created_at, i.id)
      from app.invitations i
      where i.email operator(extensions.=) v_user.email
        and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
        and i.expires_at > private.now()
    ), '[]'),
    'next_cursor', null
  );
end;
$$;


--
-- Name: FUNCTION my_invitations(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.my_invitations() IS 'The body of api.my_invitations. Definer: invitations have no client privileges; the caller is checked first.';


--
-- Name: my_org_ids(app.member_role[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.my_org_ids(p_roles app.member_role[]) RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return coalesce((
    select pg_catalog.array_agg(m.org_id) from app.memberships m
    where m.user_id = auth.uid() and m.role = any (p_roles)
  ), '{}');
end;
$$;


--
-- Name: FUNCTION my_org_ids(p_roles app.member_role[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.my_org_ids(p_roles app.member_role[]) IS 'Organizations where the caller holds one of these roles, e.g. private.staff_roles(); evaluated once per statement in policies as org_id = any ((select private.my_org_ids(...))). Definer: reads app.memberships directly, not through its policy, which would call private.is_org_member for every row.';


--
-- Name: my_provider_ids(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.my_provider_ids() RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return coalesce((
    select pg_catalog.array_agg(p.id) from app.providers p where p.user_id = auth.uid()
  ), '{}');
end;
$$;


--
-- Name: FUNCTION my_provider_ids(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.my_provider_ids() IS 'Providers the caller is the person behind; evaluated once per statement in policies. Definer: reads app.providers whatever its policies show the caller, inactive providers included.';


--
-- Name: notify_outbox(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.notify_outbox() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- Identical notifications within a transaction are folded into one, delivered at commit.
  perform pg_catalog.pg_notify('outbox', '');
  return null;
end;
$$;


--
-- Name: FUNCTION notify_outbox(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.notify_outbox() IS 'AFTER INSERT statement trigger on outbox.messages: NOTIFY outbox, so workers wake at commit instead of at their next poll.';


--
-- Name: now(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.now() RETURNS timestamp with time zone
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select coalesce((select c.frozen_at from private.clock c), pg_catalog.now())
  );
end;
$$;


--
-- Name: FUNCTION now(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.now() IS 'The current instant for every rule (notice periods, lockout, token lifetimes). Returns private.clock.frozen_at when a test pinned it. Definer: private.clock is readable by the owner only, so no client can move the clock.';


--
-- Name: offer_waitlist(uuid, uuid, tstzrange); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.offer_waitlist(p_org_id uuid, p_provider_id uuid, p_during tstzrange) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION offer_waitlist(p_org_id uuid, p_provider_id uuid, p_during tstzrange); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.offer_waitlist(p_org_id uuid, p_provider_id uuid, p_during tstzrange) IS 'Offer time that freed up on a provider''s calendar around p_during (NULL bounds: all of it) to the waitlist: each waiting entry in line order that the provider serves, whose customer may book here (a verified address where wanted, under the cap of upcoming bookings), gets a hold on the first free start in its window, and a waitlist_offer email. Returns the number of offers. Definer: called by triggers of whoever freed the time; writes holds and outbox messages.';


--
-- Name: offered_service(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.offered_service(p_provider_id uuid, p_service_id uuid) RETURNS app.services
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION offered_service(p_provider_id uuid, p_service_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.offered_service(p_provider_id uuid, p_service_id uuid) IS 'The service when the caller can see provider and service and the provider offers it (both active); 404 not_found or 422 service_not_offered otherwise. One rule for the slot list, availability checks and booking. Definer: booking calls it as the owner, so visibility is computed from the caller''s memberships, not from RLS.';


--
-- Name: org_json(app.organizations); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.org_json(p_org app.organizations) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
    'hold_minutes', p_org.hold_minutes,
    'waitlist_enabled', p_org.waitlist_enabled,
    'created_at', private.utc(p_org.created_at)
  );
end;
$$;


--
-- Name: FUNCTION org_json(p_org app.organizations); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.org_json(p_org app.organizations) IS 'The org object: {id, slug, name, timezone, currency, search_language, cancellation_cutoff_minutes, max_active_bookings_per_customer, booking_requires_verified_email, hold_minutes, waitlist_enabled, created_at}.';


--
-- Name: org_role(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.org_role(p_org_id uuid) RETURNS app.member_role
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select m.role from app.memberships m
    where m.org_id = p_org_id and m.user_id = auth.uid()
  );
end;
$$;


--
-- Name: FUNCTION org_role(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.org_role(p_org_id uuid) IS 'The caller''s role in an organization, NULL when not a member. Definer: reads app.memberships directly, not through its policy, which would call private.is_org_member for every row.';


--
-- Name: outbox_backlog(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.outbox_backlog() RETURNS TABLE(pending bigint, oldest_age_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  -- Due rows only: a reminder queued for next week is not late. Uses messages_claim_idx.
  select pg_catalog.count(*),
         coalesce(extract(epoch from (select private.now()) - pg_catalog.min(m.next_attempt_at)), 0)::double precision
  from outbox.messages m
  where m.status = 'pending'
    and m.next_attempt_at <= (select private.now());
$$;


--
-- Name: FUNCTION outbox_backlog(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.outbox_backlog() IS 'Emails due and not yet sent, and how many seconds the longest-waiting one has been due (0 when none waits), for the API''s /metrics. Definer: no API role reads outbox.messages, and only these two numbers leave it.';


--
-- Name: override_input(date, json); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.override_input(p_on_date date, p_windows json) RETURNS tsrange[]
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION override_input(p_on_date date, p_windows json); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.override_input(p_on_date date, p_windows json) IS 'The windows of PUT overrides/{date} as wall-clock tsranges on that date, sorted, or 422 validation_failed / unknown_field naming the window (including two windows that overlap).';


--
-- Name: override_json(date, tsrange[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.override_json(p_on_date date, p_windows tsrange[]) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION override_json(p_on_date date, p_windows tsrange[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.override_json(p_on_date date, p_windows tsrange[]) IS 'One date override as {date, windows: [{start, end}]} ([] = closed).';


--
-- Name: page_limit(integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.page_limit(p_limit integer) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_limit is null then
    return 50;
  end if;
  if p_limit < 1 or p_limit > 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'limit must be between 1 and 200.';
  end if;
  return p_limit;
end;
$$;


--
-- Name: FUNCTION page_limit(p_limit integer); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.page_limit(p_limit integer) IS 'The list page size: default 50, 1..200 or 422.';


--
-- Name: parse_instant(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.parse_instant(p_value text, p_field text DEFAULT 'start'::text) RETURNS timestamp with time zone
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  -- RFC 3339 with an explicit offset; a bare local time would silently take the session's zone.
  if p_value is null
      or p_value !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
    raise exception using errcode = 'PT422', message = 'invalid_time',
      detail = p_field || ' must be an RFC 3339 instant with an offset, e.g. 2026-03-29T09:00:00+02:00.';
  end if;
  return p_value::timestamptz;
exception
  when sqlstate '22007' or sqlstate '22008' then
    raise exception using errcode = 'PT422', message = 'invalid_time',
      detail = p_field || ' is not a valid instant.';
end;
$_$;


--
-- Name: FUNCTION parse_instant(p_value text, p_field text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.parse_instant(p_value text, p_field text) IS 'Parse an RFC 3339 instant that carries an offset; 422 invalid_time otherwise.';


--
-- Name: personal_data(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.personal_data(p_user_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users;
  v_provider_ids uuid[];
  v_messages json := '[]';
begin
  select * into v_user from auth.users u where u.id = p_user_id;
  if not found then
    return null;
  end if;
  select coalesce(pg_catalog.array_agg(p.id), '{}') into v_provider_ids
  from app.providers p where p.user_id = p_user_id;
  if pg_catalog.to_regclass('outbox.messages') is not null then
    -- Without payloads: a reset or verification link's token may be in one.
    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
      'message_id', m.message_id,
      'kind', m.kind,
      'recipient_email', m.recipient_email,
      'locale', m.locale,
      'booking_id', m.booking_id,
      'status', m.status,
      'created_at', private.utc(m.created_at),
      'sent_at', private.utc(m.sent_at)
    ) order by m.created_at, m.id), '[]') into v_messages
    from outbox.messages m
    where m.recipient_id = p_user_id;
  end if;

  return pg_catalog.json_build_object(
    'exported_at', private.utc(private.now()),
    'account', pg_catalog.json_build_object(
      'id', v_user.id,
      'email', v_user.email::text,
      'full_name', v_user.full_name,
      'locale', v_user.locale,
      'email_verified', v_user.email_verified_at is not null,
      'email_verified_at', private.utc(v_user.email_verified_at),
      'is_platform_admin', v_user.is_platform_admin,
      'created_at', private.utc(v_user.created_at),
      'updated_at', private.utc(v_user.updated_at),
      'deleted_at', private.utc(v_user.deleted_at)
    ),
    'sessions', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'id', s.id,
        'user_agent', s.user_agent,
        'ip', pg_catalog.host(s.ip),
        'created_at', private.utc(s.created_at),
        'last_used_at', private.utc(s.last_used_at),
        'expires_at', private.utc(s.expires_at),
        'revoked_at', private.utc(s.revoked_at),
        'revoked_reason', s.revoked_reason
      ) order by s.created_at, s.id)
      from auth.sessions s where s.user_id = p_user_id
    ), '[]'),
    'failed_logins', coalesce((
      select pg_catalog.json_agg(private.utc(f.failed_at) order by f.failed_at)
      from auth.login_failures f where f.email operator(extensions.=) v_user.email
    ), '[]'),
    'memberships', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'org_id', m.org_id,
        'org_name', o.name,
        'role', m.role,
        'created_at', private.utc(m.created_at)
      ) order by m.created_at, m.org_id)
      from app.memberships m join app.organizations o on o.id = m.org_id
      where m.user_id = p_user_id
    ), '[]'),
    'provider_profiles', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'id', p.id,
        'org_id', p.org_id,
        'display_name', p.display_name,
        'bio', p.bio,
        'timezone', p.timezone,
        'active', p.active,
        'created_at', private.utc(p.created_at),
        'time_off', coalesce((
          select pg_catalog.json_agg(pg_catalog.json_build_object(
            'id', t.id,
            'starts_at', private.utc(pg_catalog.lower(t.period)),
            'ends_at', private.utc(pg_catalog.upper(t.period)),
            'reason', t.reason
          ) order by t.period)
          from app.time_off t where t.provider_id = p.id
        ), '[]')
      ) order by p.created_at, p.id)
      from app.providers p where p.id = any (v_provider_ids)
    ), '[]'),
    'bookings_as_customer', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'id', b.id,
        'org_id', b.org_id,
        'org_name', o.name,
        'provider_id', b.provider_id,
        'provider_name', p.display_name,
        'service_id', b.service_id,
        'service_name', s.name,
        'start', private.local_iso(b.starts_at, coalesce(p.timezone, o.timezone)),
        'end', private.local_iso(b.ends_at, coalesce(p.timezone, o.timezone)),
        'status', b.status,
        'price_minor', b.price_minor,
        'currency', b.currency,
        'customer_note', b.customer_note,
        'cancelled_at', private.utc(b.cancelled_at),
        'cancel_reason', b.cancel_reason,
        'sequence', b.sequence,
        'created_at', private.utc(b.created_at),
        'updated_at', private.utc(b.updated_at),
        'history', coalesce((
          select pg_catalog.json_agg(pg_catalog.json_build_object(
            'at', private.utc(h.at),
            'actor_id', h.actor_id,
            'action', h.action,
            'from_status', h.from_status,
            'to_status', h.to_status,
            'from_start', private.utc(h.from_start),
            'to_start', private.utc(h.to_start)
          ) order by h.id)
          from app.booking_history h where h.booking_id = b.id
        ), '[]')
      ) order by b.starts_at, b.id)
      from app.bookings b
      join app.organizations o on o.id = b.org_id
      join app.providers p on p.id = b.provider_id
      join app.services s on s.id = b.service_id
      where b.customer_id = p_user_id
    ), '[]'),
    'booking_series', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'id', r.id,
        'org_id', r.org_id,
        'provider_id', r.provider_id,
        'service_id', r.service_id,
        'every', 'P' || r.every_weeks || 'W',
        'count', r.occurrences,
        'first_start', private.utc(r.first_start),
        'created_at', private.utc(r.created_at)
      ) order by r.first_start, r.id)
      from app.booking_series r
      where r.customer_id = p_user_id
    ), '[]'),
    -- Their working calendar: when and what, never who booked or their notes.
    'bookings_as_provider', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'id', b.id,
        'org_id', b.org_id,
        'provider_id', b.provider_id,
        'service_id', b.service_id,
        'service_name', s.name,
        'start', private.utc(b.starts_at),
        'end', private.utc(b.ends_at),
        'status', b.status
      ) order by b.starts_at, b.id)
      from app.bookings b
      join app.services s on s.id = b.service_id
      where b.provider_id = any (v_provider_ids)
    ), '[]'),
    'notes_about_them', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'booking_id', n.booking_id,
        'internal_note', n.internal_note,
        'updated_at', private.utc(n.updated_at)
      ) order by n.booking_id)
      from app.booking_notes n
      join app.bookings b on b.id = n.booking_id
      where b.customer_id = p_user_id and n.internal_note <> ''
    ), '[]'),
    'waitlist', coalesce((
      select pg_catalog.json_agg(private.waitlist_json(w) order by w.line)
      from app.waitlist_entries w where w.customer_id = p_user_id
    ), '[]'),
    -- That a feed exists and whose calendar it shows; never its token (only a hash is kept).
    'calendar_feeds', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'provider_id', f.provider_id,
        'created_at', private.utc(f.created_at)
      ) order by f.created_at, f.id)
      from app.calendar_feeds f
      where f.user_id = p_user_id or f.created_by = p_user_id
    ), '[]'),
    'consents', coalesce((
      select pg_catalog.json_agg(private.consent_json(c) order by c.at, c.id)
      from gdpr.consents c where c.user_id = p_user_id
    ), '[]'),
    'messages', v_messages,
    'audit', coalesce((
      select pg_catalog.json_agg(pg_catalog.json_build_object(
        'id', l.id,
        'at', private.utc(l.at),
        'actor_id', l.actor_id,
        'request_id', l.request_id,
        'table_name', l.table_name,
        'row_id', l.row_id,
        'action', l.action,
        'old_values', l.old_values,
        'new_values', l.new_values
      ) order by l.at, l.id)
      from audit.log l where l.subject_user_id = p_user_id
    ), '[]')
  );
end;
$$;


--
-- Name: FUNCTION personal_data(p_user_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.personal_data(p_user_id uuid) IS 'The export document of one account (NULL if there is none). Not granted to clients: private.export_me and private.export_user call it. Definer: it reads rows of every schema, which the person may not read directly.';


--
-- Name: pre_request(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.pre_request() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_claims jsonb := auth.jwt();
begin
  -- PostgREST verifies the signature itself, against this API's JWKS; what it cannot know is
  -- whether the session behind the token has ended since.
  -- Anonymous requests carry no claims, or (PostgREST) only a role: nothing to revoke.
  if v_claims is null or coalesce(v_claims ->> 'sub', '') = '' then
    return;
  end if;
  if private.as_uuid(v_claims ->> 'sid') is null
      or not private.session_is_active(private.as_uuid(v_claims ->> 'sid')) then
    raise exception using errcode = 'PT401', message = 'session_revoked',
      detail = 'The session of this token has ended; log in again.';
  end if;
end;
$$;


--
-- Name: FUNCTION pre_request(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.pre_request() IS 'For PostgREST''s db-pre-request: refuses (PT401 session_revoked) a token whose session was logged out, revoked or ended by a password change, so revocation holds behind PostgREST as it does over REST and direct SQL.';


--
-- Name: provider_choice(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.provider_choice(p_value text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_value is distinct from 'any' and private.as_uuid(p_value) is null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'provider_id must be a provider''s id or "any".';
  end if;
  return private.as_uuid(p_value);
end;
$$;


--
-- Name: FUNCTION provider_choice(p_value text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.provider_choice(p_value text) IS 'provider_id as a caller writes it: a provider''s id, or NULL for "any"; anything else is 422 validation_failed.';


--
-- Name: providers; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.providers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    user_id uuid,
    display_name text NOT NULL,
    timezone text,
    bio text DEFAULT ''::text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_config regconfig DEFAULT 'extensions.danish_unaccent'::regconfig NOT NULL,
    search_document tsvector GENERATED ALWAYS AS ((setweight(to_tsvector(search_config, display_name), 'A'::"char") || setweight(to_tsvector(search_config, bio), 'B'::"char"))) STORED,
    search_name text GENERATED ALWAYS AS (private.search_fold(display_name)) STORED,
    CONSTRAINT providers_bio_check CHECK ((length(bio) <= 5000)),
    CONSTRAINT providers_display_name_check CHECK (((length(btrim(display_name)) >= 1) AND (length(btrim(display_name)) <= 200)))
);

ALTER TABLE ONLY app.providers FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE providers; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.providers IS 'A bookable person or resource. timezone NULL means the organization''s.';


--
-- Name: COLUMN providers.search_config; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.providers.search_config IS 'The folding text search configuration of the organization''s search_language (private.search_config), set by trigger on every write (extensions.danish_unaccent when triggers are skipped); the document is built with it.';


--
-- Name: COLUMN providers.search_document; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.providers.search_document IS 'Full-text document: display_name (weight A) and bio (B), accents folded, in the organization''s language.';


--
-- Name: COLUMN providers.search_name; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.providers.search_name IS 'The display name folded (private.search_fold) for trigram typo matching.';


--
-- Name: provider_json(app.providers); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.provider_json(p_provider app.providers) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION provider_json(p_provider app.providers); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.provider_json(p_provider app.providers) IS 'The provider object: {id, org_id, user_id (members of the organization only), display_name, timezone, bio, active}; timezone is the effective zone (the provider''s own, else the organization''s).';


--
-- Name: provider_slots(uuid[], uuid, timestamp with time zone, timestamp with time zone, uuid, boolean, boolean, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.provider_slots(p_provider_ids uuid[], p_service_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_exclude_booking uuid DEFAULT NULL::uuid, p_ignore_bookings boolean DEFAULT false, p_ignore_limits boolean DEFAULT false, p_ignore_resources boolean DEFAULT false) RETURNS TABLE(provider_id uuid, starts_at timestamp with time zone, ends_at timestamp with time zone)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET jit TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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


--
-- Name: FUNCTION provider_slots(p_provider_ids uuid[], p_service_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_exclude_booking uuid, p_ignore_bookings boolean, p_ignore_limits boolean, p_ignore_resources boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.provider_slots(p_provider_ids uuid[], p_service_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_exclude_booking uuid, p_ignore_bookings boolean, p_ignore_limits boolean, p_ignore_resources boolean) IS 'The availability engine, for several providers at once: bookable starts of a service with each provider in [p_from, p_to), inside working windows (with both buffers), outside time off, active bookings and live holds (except p_exclude_booking), with the service''s resources free unless told to ignore them, on the grid from each window''s start, within notice and advance unless told to ignore them. One query for all providers, so the org-wide list costs one pass; in no particular order. Definer: a free slot depends on other customers'' bookings and on time off, which the caller may not read; it returns instants only, never whose or why.';


--
-- Name: provider_zone(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.provider_zone(p_provider_id uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select coalesce(p.timezone, o.timezone)
    from app.providers p
    join app.organizations o on o.id = p.org_id
    where p.id = p_provider_id
  );
end;
$$;


--
-- Name: FUNCTION provider_zone(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.provider_zone(p_provider_id uuid) IS 'The IANA zone a provider works in: its own, else its organization''s. Definer: also for a provider the caller cannot see, such as the inactive provider of a customer''s booking.';


--
-- Name: publish_event(text, text, uuid, uuid, uuid, text, tstzrange); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.publish_event(p_topic text, p_kind text, p_org_id uuid, p_provider_id uuid, p_booking_id uuid DEFAULT NULL::uuid, p_status text DEFAULT NULL::text, p_during tstzrange DEFAULT NULL::tstzrange) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION publish_event(p_topic text, p_kind text, p_org_id uuid, p_provider_id uuid, p_booking_id uuid, p_status text, p_during tstzrange); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.publish_event(p_topic text, p_kind text, p_org_id uuid, p_provider_id uuid, p_booking_id uuid, p_status text, p_during tstzrange) IS 'Record one event in app.events and NOTIFY slotbase_events (delivered when the transaction commits, never if it rolls back). Called by triggers only.';


--
-- Name: publish_keys(jsonb, text, text, integer); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.publish_keys(p_jwks jsonb, p_issuer text, p_audience text, p_leeway_seconds integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_keys jsonb := p_jwks -> 'keys';
begin
  if pg_catalog.jsonb_typeof(v_keys) is distinct from 'array' or pg_catalog.jsonb_array_length(v_keys) = 0
      or coalesce(p_issuer, '') = '' or coalesce(p_audience, '') = ''
      or p_leeway_seconds is null or p_leeway_seconds not between 0 and 600 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'Publishing keys needs a JWKS with keys, an issuer, an audience and a leeway of 0-600 s.';
  end if;
  -- The incoming set, read three times below; no temporary table, which a caller could have
  -- planted in its own session first.
  delete from auth.verified_tokens c
  where not exists (
      select from private.jwks_keys(v_keys) i
      join auth.jwt_keys k on k.kid = i.kid and k.n = i.n and k.e = i.e
      where i.kid = c.kid
    );
  delete from auth.jwt_keys k
  where not exists (
      select from private.jwks_keys(v_keys) i where i.kid = k.kid and i.n = k.n and i.e = k.e
    );
  insert into auth.jwt_keys (kid, n, e, size_bytes)
  select i.kid, i.n, i.e, i.size_bytes from private.jwks_keys(v_keys) i
  on conflict (kid) do nothing;

  if private.setting('jwt_issuer') is distinct from p_issuer
      or private.setting('jwt_audience') is distinct from p_audience
      or private.setting('jwt_leeway_seconds') is distinct from p_leeway_seconds::text then
    update private.settings s set value = case s.name
        when 'jwt_issuer' then p_issuer
        when 'jwt_audience' then p_audience
        else p_leeway_seconds::text end
    where s.name in ('jwt_issuer', 'jwt_audience', 'jwt_leeway_seconds');
    delete from auth.verified_tokens;
  end if;
  return (select pg_catalog.count(*) from auth.jwt_keys)::integer;
end;
$$;


--
-- Name: FUNCTION publish_keys(p_jwks jsonb, p_issuer text, p_audience text, p_leeway_seconds integer); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.publish_keys(p_jwks jsonb, p_issuer text, p_audience text, p_leeway_seconds integer) IS 'Make the database verify exactly the keys of this JWKS, with this iss, aud and leeway (as the API verifies); returns how many keys verify. Called by slotbase migrate, serve and keys rotate. Definer: the key table and settings are owner-only.';


--
-- Name: purge_events(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.purge_events() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION purge_events(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.purge_events() IS 'Delete events older than events_retention_minutes (never less than 5); the worker runs it. Definer: deletes from app.events, which service_role may not write.';


--
-- Name: purge_expired(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.purge_expired() RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_cutoff timestamptz;
  v_user_id uuid;
  v_accounts integer := 0;
  v_audit integer := 0;
  v_sessions integer := 0;
  v_refresh integer := 0;
  v_one_time integer := 0;
  v_failures integer := 0;
  v_keys integer := 0;
  v_messages integer := 0;
begin
  -- Customer accounts without activity: no login, booking or profile change within the period.
  -- Members of an organization (and providers) are left to the organization, platform admins
  -- to the operators.
  v_cutoff := private.retention_cutoff('retention_inactive_account_days');
  if v_cutoff is not null then
    for v_user_id in
      select u.id
      from auth.users u
      where u.deleted_at is null
        and not u.is_platform_admin
        and not exists (select 1 from app.memberships m where m.user_id = u.id)
        and not exists (select 1 from app.providers p where p.user_id = u.id)
        and greatest(
              u.created_at,
              u.updated_at,
              (select max(s.last_used_at) from auth.sessions s where s.user_id = u.id),
              (select max(b.ends_at) from app.bookings b where b.customer_id = u.id),
              (select max(c.at) from gdpr.consents c where c.user_id = u.id)
            ) < v_cutoff
      order by u.created_at, u.id
    loop
      perform private.erase_user(v_user_id, 'retention_inactive_account');
      v_accounts := v_accounts + 1;
    end loop;
  end if;

  v_cutoff := private.retention_cutoff('retention_audit_days');
  if v_cutoff is not null then
    delete from audit.log l where l.at < v_cutoff;
    get diagnostics v_audit = row_count;
  end if;

  -- Sessions that ended (expired or revoked) longer ago than the period, with their tokens.
  v_cutoff := private.retention_cutoff('retention_session_days');
  if v_cutoff is not null then
    delete from auth.refresh_tokens t
    using auth.sessions s
    where s.id = t.session_id and least(s.revoked_at, s.expires_at) < v_cutoff;
    get diagnostics v_refresh = row_count;
    delete from auth.sessions s where least(s.revoked_at, s.expires_at) < v_cutoff;
    get diagnostics v_sessions = row_count;
    if pg_catalog.to_regclass('auth.one_time_tokens') is not null then
      delete from auth.one_time_tokens t where least(t.used_at, t.expires_at) < v_cutoff;
      get diagnostics v_one_time = row_count;
    end if;
  end if;

  v_cutoff := private.retention_cutoff('retention_login_failure_days');
  if v_cutoff is not null then
    delete from auth.login_failures f where f.failed_at < v_cutoff;
    get diagnostics v_failures = row_count;
  end if;

  v_cutoff := private.retention_cutoff('retention_idempotency_key_days');
  if v_cutoff is not null then
    delete from app.idempotency_keys k where k.created_at < v_cutoff;
    get diagnostics v_keys = row_count;
  end if;

  v_cutoff := private.retention_cutoff('retention_sent_message_days');
  if v_cutoff is not null and pg_catalog.to_regclass('outbox.messages') is not null then
    delete from outbox.messages m
    where m.status in ('sent', 'failed') and coalesce(m.sent_at, m.created_at) < v_cutoff;
    get diagnostics v_messages = row_count;
  end if;

  return pg_catalog.json_build_object(
    'inactive_accounts', v_accounts,
    'audit_entries', v_audit,
    'sessions', v_sessions,
    'refresh_tokens', v_refresh,
    'one_time_tokens', v_one_time,
    'login_failures', v_failures,
    'idempotency_keys', v_keys,
    'outbox_messages', v_messages
  );
end;
$$;


--
-- Name: FUNCTION purge_expired(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.purge_expired() IS 'The retention job behind gdpr.purge_expired(). Definer: it deletes from tables no role but the owner may write.';


--
-- Name: raise_slot_problem(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.raise_slot_problem(p_problem text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION raise_slot_problem(p_problem text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.raise_slot_problem(p_problem text) IS 'Turn a private.slot_problem() code into its error.';


--
-- Name: random_token(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.random_token() RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.rtrim(pg_catalog.translate(
      pg_catalog.encode(extensions.gen_random_bytes(32), 'base64'), E'+/\n', '-_'), '=');
end;
$$;


--
-- Name: FUNCTION random_token(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.random_token() IS '256 random bits as base64url text.';


--
-- Name: range_bound(text, text, boolean, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.range_bound(p_value text, p_zone text, p_end boolean, p_field text) RETURNS timestamp with time zone
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION range_bound(p_value text, p_zone text, p_end boolean, p_field text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.range_bound(p_value text, p_zone text, p_end boolean, p_field text) IS 'A range bound given as a local date (YYYY-MM-DD in p_zone; an end date includes its day) or an RFC 3339 instant.';


--
-- Name: record_booking_change(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.record_booking_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION record_booking_change(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.record_booking_change() IS 'AFTER trigger: one app.booking_history row per change of a booking, with the acting user; a hold has none until it is confirmed (created). Definer: writes app.booking_history, which no client may write.';


--
-- Name: record_consent(text, boolean, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.record_consent(p_purpose text, p_granted boolean, p_policy_version text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_consent gdpr.consents;
begin
  if p_granted is null then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'granted must be true or false.';
  end if;
  if p_policy_version is null or pg_catalog.length(pg_catalog.btrim(p_policy_version)) not between 1 and 64 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'policy_version must have 1 to 64 characters.';
  end if;
  insert into gdpr.consents (user_id, purpose, granted, policy_version, at)
  values (private.require_user(), p_purpose, p_granted, pg_catalog.btrim(p_policy_version), private.now())
  returning * into v_consent;
  return private.consent_json(v_consent);
end;
$$;


--
-- Name: FUNCTION record_consent(p_purpose text, p_granted boolean, p_policy_version text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.record_consent(p_purpose text, p_granted boolean, p_policy_version text) IS 'Record the caller''s decision on a purpose, with the server''s time. Definer: consents are append-only and clients have no write privileges, so neither the time nor an earlier decision can be forged.';


--
-- Name: refresh(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.refresh(p_refresh_token text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_token auth.refresh_tokens;
  v_child auth.refresh_tokens;
  v_session auth.sessions;
  v_user auth.users;
  v_successor text;
begin
  perform private.require_api_login();
  select * into v_token
  from auth.refresh_tokens t
  where t.token_hash = private.token_hash(coalesce(p_refresh_token, ''))
  for update;
  if not found then
    raise exception using errcode = 'PT401', message = 'invalid_refresh_token',
      detail = 'This refresh token is not valid.';
  end if;

  select * into v_session from auth.sessions s where s.id = v_token.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= v_now then
    raise exception using errcode = 'PT401', message = 'session_revoked',
      detail = 'The session of this refresh token has ended; log in again.';
  end if;
  select * into v_user from auth.users u where u.id = v_token.user_id;
  v_successor := private.successor_token(p_refresh_token);

  if v_token.used_at is null then
    update auth.refresh_tokens t set used_at = v_now where t.id = v_token.id;
    update auth.sessions s
    set last_used_at = v_now,
        expires_at = v_now + pg_catalog.make_interval(days => private.setting('session_days')::integer)
    where s.id = v_session.id;
    return private.issue_tokens(v_user, v_session.id, v_token.id, v_successor);
  end if;

  if v_token.used_at > v_now - pg_catalog.make_interval(secs => private.setting('refresh_grace_seconds')::integer) then
    -- Two tabs refreshing at once: the late one gets the pair the first one got.
    select * into v_child from auth.refresh_tokens t where t.parent_id = v_token.id;
    return private.token_pair(v_user, v_successor, v_child.access_claims);
  end if;

  update auth.sessions s
  set revoked_at = v_now, revoked_reason = 'refresh_token_reused'
  where s.id = v_session.id;
  return private.error(401, 'refresh_token_reused',
    'This refresh token was used before; the session has been ended for safety.');
end;
$$;


--
-- Name: FUNCTION refresh(p_refresh_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.refresh(p_refresh_token text) IS 'Rotate a single-use refresh token: a fresh one returns a successor pair; a used one within refresh_grace_seconds returns the same successor; later, reuse ends the session. Definer: reads token hashes.';


--
-- Name: register(text, text, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.register(p_email text, p_password text, p_full_name text, p_locale text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_email extensions.citext := private.check_email(p_email);
  v_user auth.users;
begin
  perform private.check_password(p_password, v_email::text);
  begin
    insert into auth.users (email, password_hash, full_name, locale)
    values (v_email, private.hash_password(p_password), coalesce(p_full_name, ''), coalesce(p_locale, 'da'))
    returning * into v_user;
  exception when unique_violation then
    raise exception using errcode = 'PT409', message = 'email_taken',
      detail = 'An account with this email address exists already.';
  end;
  return private.user_json(v_user);
end;
$$;


--
-- Name: FUNCTION register(p_email text, p_password text, p_full_name text, p_locale text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.register(p_email text, p_password text, p_full_name text, p_locale text) IS 'Create an account (never an admin). Definer: anon cannot insert into auth.users.';


--
-- Name: reindex_org_search(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.reindex_org_search() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_config pg_catalog.regconfig := private.search_config(NEW.search_language);
begin
  update app.services s set search_config = v_config
  where s.org_id = NEW.id and s.search_config <> v_config;
  update app.providers p set search_config = v_config
  where p.org_id = NEW.id and p.search_config <> v_config;
  return null;
end;
$$;


--
-- Name: FUNCTION reindex_org_search(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.reindex_org_search() IS 'AFTER UPDATE OF search_language trigger on app.organizations: re-index the organization''s services and providers in the new language. Definer: the manager who changes the language has no privilege on search_config, and the documents must follow for every row, not only those the caller may write.';


--
-- Name: release_hold(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.release_hold(p_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_hold app.bookings := private.my_hold_for_update(p_id);
begin
  if v_hold.status <> 'held' then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such hold.';
  end if;
  delete from app.bookings b where b.id = p_id;
end;
$$;


--
-- Name: FUNCTION release_hold(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.release_hold(p_id uuid) IS 'Delete the caller''s hold: its slot is free at once (and offered to the waitlist). Definer: clients may not write app.bookings.';


--
-- Name: remember_provider_person(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.remember_provider_person() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  insert into app.provider_former_people (provider_id, user_id, unlinked_at)
  values (OLD.id, OLD.user_id, private.now())
  on conflict (provider_id, user_id) do update set unlinked_at = excluded.unlinked_at;
  return null;
end;
$$;


--
-- Name: FUNCTION remember_provider_person(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.remember_provider_person() IS 'AFTER UPDATE OF user_id trigger on app.providers: the account unlinked is recorded in app.provider_former_people, so erasing that person still finds the profile. Definer: that table is owner-only.';


--
-- Name: remove_member(uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.remove_member(p_org_id uuid, p_user_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_uid uuid := private.require_user();
  v_caller app.member_role;
  v_current app.member_role;
begin
  perform private.lock_org_members(p_org_id);
  v_caller := private.org_role(p_org_id);
  if p_user_id is distinct from v_uid
      and (v_caller is null or v_caller <> all (private.manager_roles())) then
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


--
-- Name: FUNCTION remove_member(p_org_id uuid, p_user_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.remove_member(p_org_id uuid, p_user_id uuid) IS 'Remove a member (owners and admins; any member may leave), under the last-owner rule, and unlink them from the organization''s providers. Definer: memberships have no client write privileges.';


--
-- Name: request_email_verification(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.request_email_verification() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user auth.users;
begin
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if found and v_user.email_verified_at is null then
    perform private.issue_one_time_token(v_user,
      'email_verification', private.setting('email_verification_minutes')::integer);
  end if;
end;
$$;


--
-- Name: FUNCTION request_email_verification(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.request_email_verification() IS 'Enqueue a verification email to the caller, unless the address is verified already. Definer: writes tokens and the outbox.';


--
-- Name: request_password_reset(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.request_password_reset(p_email text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_email extensions.citext := pg_catalog.btrim(coalesce(p_email, ''))::extensions.citext;
  v_hash bytea := pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.lower(v_email::text), 'UTF8'));
  v_now timestamptz := private.now();
  v_user auth.users;
begin
  if pg_catalog.length(v_email::text) > 254 then
    return;  -- no account has such an address
  end if;
  -- One request per address at a time, so parallel requests cannot both pass the throttle.
  perform private.require_fresh_snapshot();
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.password_reset:' || pg_catalog.encode(v_hash, 'hex'), 0));
  delete from auth.password_reset_requests r
  where r.id in (
      select o.id from auth.password_reset_requests o
      where o.requested_at < v_now - interval '1 day' limit 100
    );
  if exists (
    select from auth.password_reset_requests r
    where r.email_hash = v_hash
      and r.requested_at > v_now - pg_catalog.make_interval(
        secs => private.setting('password_reset_interval_seconds')::integer)
  ) then
    return;  -- the email sent a moment ago is still on its way: no second one, for anybody
  end if;
  -- Recorded for unknown addresses too: the same lookup, token and write either way, and the
  -- email itself leaves later through the outbox, so the answer says nothing about the account.
  insert into auth.password_reset_requests (email_hash, requested_at) values (v_hash, v_now);
  select * into v_user
  from auth.users u
  where u.email operator(extensions.=) v_email
    and u.deleted_at is null;
  if found then
    perform private.issue_one_time_token(v_user,
      'password_reset', private.setting('password_reset_minutes')::integer);
  else
    perform private.token_hash(private.random_token());
  end if;
end;
$$;


--
-- Name: FUNCTION request_password_reset(p_email text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.request_password_reset(p_email text) IS 'Enqueue a password-reset email for an existing, non-erased account, at most one per address per password_reset_interval_seconds; nothing for any other address (the caller cannot tell: both are recorded and throttled alike). Definer: reads auth.users, writes auth.password_reset_requests.';


--
-- Name: require_api_login(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_api_login() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- Failed logins, wrong current passwords and reused refresh tokens are counted by committing
  -- the failure with the answer (private.error). A direct SQL client chooses its own
  -- transactions and could roll every failure back, guessing without a lockout; these calls
  -- are the API's (tokens are signed there anyway).
  if not private.claims_are_trusted() then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Log in, refresh and change passwords over the API, not over direct SQL.';
  end if;
end;
$$;


--
-- Name: FUNCTION require_api_login(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_api_login() IS 'PT403 forbidden unless the session''s login is the API''s (or the owner''s): password and refresh-token checks must not run where the caller can roll back the failures they record.';


--
-- Name: require_feed_keeper(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_feed_keeper(p_provider_id uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_feed_keeper(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_feed_keeper(p_provider_id uuid) IS '401 for anon, 404 for a provider the caller cannot see, 403 unless the caller is the provider themself or staff+ of its organization. Called by the definer functions below, so it asks only questions about auth.uid(), not row-level security.';


--
-- Name: require_fresh_snapshot(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_fresh_snapshot() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- A count taken after an advisory lock sees what committed before the lock only if the
  -- statement takes a new snapshot. Under REPEATABLE READ the transaction's first snapshot is
  -- reused, so parallel callers would all pass a cap. The API always uses READ COMMITTED.
  if pg_catalog.current_setting('transaction_isolation') = 'repeatable read' then
    raise exception using errcode = 'PT409', message = 'conflict',
      detail = 'Run this in a READ COMMITTED (or SERIALIZABLE) transaction.';
  end if;
end;
$$;


--
-- Name: FUNCTION require_fresh_snapshot(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_fresh_snapshot() IS 'PT409 conflict under REPEATABLE READ, where a count after an advisory lock would miss rows committed meanwhile.';


--
-- Name: resources; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.resources (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    capacity smallint DEFAULT 1 NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT resources_capacity_check CHECK (((capacity >= 1) AND (capacity <= 100))),
    CONSTRAINT resources_kind_check CHECK ((kind ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT resources_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

ALTER TABLE ONLY app.resources FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE resources; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.resources IS 'Rooms, chairs, equipment an organization shares between providers; capacity units of one kind can be in use at once.';


--
-- Name: require_managed_resource(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_managed_resource(p_id uuid) RETURNS app.resources
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_resource app.resources;
begin
  perform private.require_user();
  select * into v_resource from app.resources x where x.id = p_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such resource.';
  end if;
  if not private.is_org_manager(v_resource.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may change its resources.';
  end if;
  return v_resource;
end;
$$;


--
-- Name: FUNCTION require_managed_resource(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_managed_resource(p_id uuid) IS 'The resource, or 401 for anon, 404 unless the caller is a member of its organization, 403 unless they are an owner or admin.';


--
-- Name: require_managed_service(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_managed_service(p_id uuid) RETURNS app.services
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_managed_service(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_managed_service(p_id uuid) IS 'The service, or 401 for anon, 404 if the caller cannot see it, 403 unless they are an owner or admin of its organization.';


--
-- Name: require_org_manager(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_org_manager(p_org_id uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_visible_org(p_org_id);
  perform private.require_user();
  if not private.is_org_manager(p_org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins may do this.';
  end if;
end;
$$;


--
-- Name: FUNCTION require_org_manager(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_org_manager(p_org_id uuid) IS '404 for an unknown organization, 401 for anon, 403 unless owner or admin.';


--
-- Name: require_other_owner(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_other_owner(p_org_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_other_owner(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_other_owner(p_org_id uuid) IS '409 last_owner unless the organization has at least two owners; call with the organization locked (private.lock_org_members) when taking one owner away. Called by the membership definer functions only (not granted to clients).';


--
-- Name: require_platform_admin(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_platform_admin() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  if not private.is_platform_admin() then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only platform admins may do this.';
  end if;
end;
$$;


--
-- Name: FUNCTION require_platform_admin(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_platform_admin() IS '401 for anon, 403 forbidden unless the caller is a platform admin.';


--
-- Name: require_provider_member(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_provider_member() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_provider_member(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_provider_member() IS 'AFTER INSERT and UPDATE OF user_id trigger on app.providers: the person behind a provider must already be a member of its organization (422 validation_failed). Definer: reads memberships whatever the caller may see.';


--
-- Name: require_schedule_provider(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_schedule_provider(p_provider_id uuid) RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_schedule_provider(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_schedule_provider(p_provider_id uuid) IS 'The organization of a provider the caller can see (active providers are public, inactive ones visible to their organization''s members), else 404 not_found.';


--
-- Name: require_schedule_writer(uuid, uuid, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_schedule_writer(p_org_id uuid, p_provider_id uuid, p_staff_too boolean) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_schedule_writer(p_org_id uuid, p_provider_id uuid, p_staff_too boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_schedule_writer(p_org_id uuid, p_provider_id uuid, p_staff_too boolean) IS '401 for anon; 403 forbidden unless the caller is the provider, or owner/admin of the organization (and staff too when p_staff_too). Call after private.require_schedule_provider, so an invisible provider is 404 first.';


--
-- Name: require_user(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_user() RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is null then
    raise exception using errcode = 'PT401', message = 'unauthorized',
      detail = 'This needs an access token.';
  end if;
  return v_uid;
end;
$$;


--
-- Name: FUNCTION require_user(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_user() IS 'The caller''s user id, or 401 unauthorized.';


--
-- Name: require_visible_org(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.require_visible_org(p_org_id uuid) RETURNS app.organizations
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION require_visible_org(p_org_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.require_visible_org(p_org_id uuid) IS 'The organization, or 404 not_found.';


--
-- Name: reschedule_booking(uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.reschedule_booking(p_id uuid, p_start text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION reschedule_booking(p_id uuid, p_start text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.reschedule_booking(p_id uuid, p_start text) IS 'Move a booking in place (same id, same duration, sequence + 1) after the slot checks, ignoring its own current block. Definer: clients may not write app.bookings, and the new time is checked against bookings the caller cannot read; the caller is checked first.';


--
-- Name: resource_json(app.resources); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.resource_json(p_resource app.resources) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.json_build_object(
    'id', p_resource.id,
    'org_id', p_resource.org_id,
    'name', p_resource.name,
    'kind', p_resource.kind,
    'capacity', p_resource.capacity,
    'active', p_resource.active,
    'created_at', private.utc(p_resource.created_at),
    'updated_at', private.utc(p_resource.updated_at)
  );
end;
$$;


--
-- Name: FUNCTION resource_json(p_resource app.resources); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.resource_json(p_resource app.resources) IS 'The resource object {id, org_id, name, kind, capacity, active, created_at, updated_at} (instants in UTC).';


--
-- Name: resources_free(uuid, tstzrange, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.resources_free(p_service_id uuid, p_blocked tstzrange, p_exclude_booking uuid DEFAULT NULL::uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
begin
  -- For every kind the service needs: the active units of that kind, less the units a live claim
  -- holds anywhere in p_blocked, must cover the count.
  return not exists (
    select 1
    from app.service_resources r
    where r.service_id = p_service_id
      and r.count > (
        select coalesce(pg_catalog.sum(x.capacity), 0)
        from app.resources x
        where x.org_id = r.org_id and x.kind = r.kind and x.active
      ) - (
        select pg_catalog.count(distinct (c.resource_id, c.unit))
        from app.resource_claims c
        join app.resources x on x.id = c.resource_id
        where x.org_id = r.org_id and x.kind = r.kind and x.active
          and c.blocked operator(pg_catalog.&&) p_blocked
          and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
          and c.booking_id is distinct from p_exclude_booking
      )
  );
end;
$$;


--
-- Name: FUNCTION resources_free(p_service_id uuid, p_blocked tstzrange, p_exclude_booking uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.resources_free(p_service_id uuid, p_blocked tstzrange, p_exclude_booking uuid) IS 'Whether every resource the service needs is free in enough units for the whole of p_blocked (live holds and active bookings claim units; p_exclude_booking''s own claims do not count). Definer: the slot engine asks for anyone, and claims belong to other customers'' bookings; it answers yes or no only.';


--
-- Name: retention_cutoff(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.retention_cutoff(p_setting text) RETURNS timestamp with time zone
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_days text := pg_catalog.btrim(coalesce(private.setting(p_setting), ''));
begin
  if v_days = '' then
    return null;
  end if;
  if v_days !~ '^\d{1,6}$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = pg_catalog.format('The setting %s must be a whole number of days, or empty.', p_setting);
  end if;
  return private.now() - pg_catalog.make_interval(days => v_days::integer);
end;
$_$;


--
-- Name: FUNCTION retention_cutoff(p_setting text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.retention_cutoff(p_setting text) IS 'private.now() minus the retention period (days) in a setting; NULL when the setting is empty (keep forever).';


--
-- Name: revoke_calendar_token(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.revoke_calendar_token(p_provider_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION revoke_calendar_token(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.revoke_calendar_token(p_provider_id uuid) IS 'Delete the feed of a provider (p_provider_id), or the caller''s own (NULL): its URL stops working. 401, 403, 404 as private.require_feed_keeper. Definer: app.calendar_feeds is closed to clients; the caller is checked first.';


--
-- Name: revoke_invitation(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.revoke_invitation(id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform private.require_user();
  update app.invitations i
  set revoked_at = private.now()
  where i.id = revoke_invitation.id
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    and private.is_org_manager(i.org_id);
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found',
      detail = 'No open invitation with this id in an organization you manage.';
  end if;
end;
$$;


--
-- Name: FUNCTION revoke_invitation(id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.revoke_invitation(id uuid) IS 'The body of api.revoke_invitation. Definer: invitations have no client privileges; the caller is checked first.';


--
-- Name: revoke_sessions(uuid, text, uuid, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.revoke_sessions(p_user_id uuid, p_reason text, p_only uuid DEFAULT NULL::uuid, p_except uuid DEFAULT NULL::uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_count integer;
begin
  update auth.sessions s
  set revoked_at = private.now(), revoked_reason = p_reason
  where s.user_id = p_user_id
    and s.revoked_at is null
    and (p_only is null or s.id = p_only)
    and (p_except is null or s.id <> p_except);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;


--
-- Name: FUNCTION revoke_sessions(p_user_id uuid, p_reason text, p_only uuid, p_except uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.revoke_sessions(p_user_id uuid, p_reason text, p_only uuid, p_except uuid) IS 'End sessions of a user (one, all, or all but one). Definer: callers may not write auth.sessions directly, or they could reopen a revoked one.';


--
-- Name: jwt_keys; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.jwt_keys (
    kid text NOT NULL,
    n numeric NOT NULL,
    e numeric NOT NULL,
    size_bytes integer NOT NULL,
    published_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT jwt_keys_e_check CHECK (((e > (1)::numeric) AND (scale(e) = 0))),
    CONSTRAINT jwt_keys_kid_check CHECK (((length(kid) >= 1) AND (length(kid) <= 200))),
    CONSTRAINT jwt_keys_n_check CHECK (((n > (0)::numeric) AND (scale(n) = 0))),
    CONSTRAINT jwt_keys_size_bytes_check CHECK (((size_bytes >= 256) AND (size_bytes <= 1024)))
);

ALTER TABLE ONLY auth.jwt_keys FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE jwt_keys; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.jwt_keys IS 'Public keys of the published JWKS (RSA modulus n and exponent e as integers), replaced by private.publish_keys whenever the API starts, migrates or rotates keys. Owner-only.';


--
-- Name: COLUMN jwt_keys.size_bytes; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON COLUMN auth.jwt_keys.size_bytes IS 'Length of the modulus in bytes: an RS256 signature must be exactly this long.';


--
-- Name: rs256_verify(text, bytea, auth.jwt_keys); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.rs256_verify(p_signing_input text, p_signature bytea, p_key auth.jwt_keys) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_s numeric;
  v_encoded bytea;
begin
  -- RFC 8017 8.2.2: the signature has the modulus's length and is smaller than the modulus.
  if p_signature is null or pg_catalog.length(p_signature) <> p_key.size_bytes then
    return false;
  end if;
  v_s := private.bytes_to_numeric(p_signature);
  if v_s >= p_key.n then
    return false;
  end if;
  -- EMSA-PKCS1-v1_5 (RFC 8017 9.2): 00 01 FF..FF 00, the DigestInfo prefix of SHA-256, the hash.
  v_encoded := '\x0001'::bytea
    || pg_catalog.decode(pg_catalog.repeat('ff', p_key.size_bytes - 54), 'hex')
    || '\x003031300d060960864801650304020105000420'::bytea
    || pg_catalog.sha256(pg_catalog.convert_to(p_signing_input, 'UTF8'));
  return private.modexp(v_s, p_key.e, p_key.n) = private.bytes_to_numeric(v_encoded);
end;
$$;


--
-- Name: FUNCTION rs256_verify(p_signing_input text, p_signature bytea, p_key auth.jwt_keys); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.rs256_verify(p_signing_input text, p_signature bytea, p_key auth.jwt_keys) IS 'Does this RSASSA-PKCS1-v1_5 SHA-256 signature over the signing input (header.payload) verify with this key?';


--
-- Name: schedule_bound(text, text, text, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.schedule_bound(p_value text, p_zone text, p_field text, p_is_end boolean) RETURNS timestamp with time zone
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION schedule_bound(p_value text, p_zone text, p_field text, p_is_end boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.schedule_bound(p_value text, p_zone text, p_field text, p_is_end boolean) IS 'A list bound: a date "YYYY-MM-DD" is that local day in p_zone (from its start, or up to its end when p_is_end), anything else must be an RFC 3339 instant with an offset; 422 invalid_time otherwise.';


--
-- Name: schedule_events(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.schedule_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION schedule_events(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.schedule_events() IS 'AFTER statement trigger on working hours, date overrides and time off: one availability event per provider whose schedule changed (with the time range, for time off). Definer: writes app.events, which no client may write, whoever changed the schedule.';


--
-- Name: schedule_freed_time(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.schedule_freed_time() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION schedule_freed_time(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.schedule_freed_time() IS 'AFTER statement trigger on app.time_off (delete), app.working_hours and app.date_overrides (insert, update, delete): offers the time that may have freed up to the waitlist. Definer: offers run as the owner.';


--
-- Name: scrub_json(jsonb, text[], text[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.scrub_json(p_value jsonb, p_values text[], p_keys text[]) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_value is null then
    return null;
  end if;
  case pg_catalog.jsonb_typeof(p_value)
    when 'object' then
      return coalesce((
        select pg_catalog.jsonb_object_agg(e.key,
          case when e.key = any (p_keys)
                    and pg_catalog.jsonb_typeof(e.value) = 'string'
                    and (e.value #>> '{}') <> ''
               then pg_catalog.to_jsonb('[erased]'::text)
               else private.scrub_json(e.value, p_values, p_keys) end)
        from pg_catalog.jsonb_each(p_value) e
      ), '{}'::jsonb);
    when 'array' then
      return coalesce((
        select pg_catalog.jsonb_agg(private.scrub_json(e.value, p_values, p_keys) order by e.n)
        from pg_catalog.jsonb_array_elements(p_value) with ordinality e(value, n)
      ), '[]'::jsonb);
    when 'string' then
      return pg_catalog.to_jsonb(private.scrub_text(p_value #>> '{}', p_values));
    else
      return p_value;
  end case;
end;
$$;


--
-- Name: FUNCTION scrub_json(p_value jsonb, p_values text[], p_keys text[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.scrub_json(p_value jsonb, p_values text[], p_keys text[]) IS 'A JSON value with every non-empty string under one of p_keys (at any depth) replaced by [erased], and every string scrubbed of p_values (private.scrub_text).';


--
-- Name: scrub_text(text, text[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.scrub_text(p_text text, p_values text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_text text := p_text;
  v_value text;
begin
  if p_text is null or p_values is null then
    return p_text;
  end if;
  foreach v_value in array p_values loop
    continue when v_value is null or v_value = '';
    if pg_catalog.lower(v_text) = pg_catalog.lower(v_value) then
      return '[erased]';
    end if;
    -- Inside longer text only values of 4+ characters, so a short name does not eat words.
    if pg_catalog.length(v_value) >= 4 then
      v_text := pg_catalog.regexp_replace(v_text,
        pg_catalog.regexp_replace(v_value, '([^[:alnum:][:space:]])', '\\\1', 'g'), '[erased]', 'gi');
    end if;
  end loop;
  return v_text;
end;
$$;


--
-- Name: FUNCTION scrub_text(p_text text, p_values text[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.scrub_text(p_text text, p_values text[]) IS 'Replace, ignoring case, a text equal to one of the values by [erased], and occurrences of values of 4+ characters inside it.';


--
-- Name: search_config(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.search_config(p_language text) RETURNS regconfig
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_name text := pg_catalog.regexp_replace(coalesce(p_language, ''), '^pg_catalog\.', '');
begin
  -- "danish" and "pg_catalog.danish" -> extensions.danish_unaccent; a folding configuration
  -- named directly is itself; anything else (a custom configuration) -> simple_unaccent, so every
  -- document is built with a configuration of one known set (see api.search).
  if v_name like 'extensions.%\_unaccent' then
    v_name := pg_catalog.substr(v_name, pg_catalog.length('extensions.') + 1);
  else
    v_name := v_name || '_unaccent';
  end if;
  return coalesce(
    (select c.oid::pg_catalog.regconfig
     from pg_catalog.pg_ts_config c
     where c.cfgnamespace = 'extensions'::pg_catalog.regnamespace and c.cfgname = v_name),
    'extensions.simple_unaccent'::pg_catalog.regconfig);
end;
$$;


--
-- Name: FUNCTION search_config(p_language text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.search_config(p_language text) IS 'The folding text search configuration for an organization''s search_language: danish -> extensions.danish_unaccent (likewise every built-in language); a custom configuration without a folding twin -> extensions.simple_unaccent.';


--
-- Name: search_public(text, integer, real, text, text, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.search_public(p_q text, p_limit integer, p_after_rank real DEFAULT NULL::real, p_after_name text DEFAULT NULL::text, p_after_kind text DEFAULT NULL::text, p_after_id uuid DEFAULT NULL::uuid) RETURNS TABLE(kind text, id uuid, org_id uuid, name text, text text, rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_fold text := private.search_fold(p_q);
  v_configs pg_catalog.regconfig[];
  v_queries tsquery[];
  v_name_queries tsquery[];
  v_any tsquery;
  v_query tsquery;
  v_found bigint := 0;
begin
  -- One query per language in use (a skip scan over organizations_search_language_idx finds
  -- them), since a word stems differently in danish and english. Their disjunction finds the
  -- candidates through the GIN index; each row then must match its own language's query.
  with recursive languages as (
    (select o.search_language as language
     from app.organizations o
     order by o.search_language
     limit 1)
    union all
    select (select o.search_language
            from app.organizations o
            where o.search_language > l.language
            order by o.search_language
            limit 1)
    from languages l
    where l.language is not null
  ),
  configs as (
    select distinct private.search_config(l.language) as config
    from languages l
    where l.language is not null
  ),
  queries as (
    select c.config,
           private.search_query(c.config, p_q) as query,
           private.search_query(c.config, p_q, 'A') as name_query
    from configs c
  )
  select pg_catalog.array_agg(x.config), pg_catalog.array_agg(x.query), pg_catalog.array_agg(x.name_query)
  into v_configs, v_queries, v_name_queries
  from queries x
  where x.query is not null;
  for v_query in select distinct u.query from pg_catalog.unnest(v_queries) u(query) loop
    v_any := case when v_any is null then v_query else v_any || v_query end;
  end loop;

  -- Public rows only: "active" is the whole of what the visitors' policies on app.services and
  -- app.providers admit (43-providers, 44-services); keep the two in step.
  -- Full-text matches rank >= 2 and typo matches <= 1, so a page is filled from the full-text
  -- matches first and, only when they run out, from the typo matches: a common word never pays
  -- for the trigram comparison, and a walk through the pages still meets every row once.
  if p_after_rank is null or p_after_rank >= 2 then
    return query
    select h.kind, h.id, h.org_id, h.name, h.text, h.rank
    from (
      select 'service'::text as kind, s.id, s.org_id, s.name, s.description as text,
             (case when s.search_document @@ qq.name_query then 3::real else 2::real end)
               + pg_catalog.ts_rank(s.search_document, qq.query, 32) as rank
      from app.services s
      join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries),
                      pg_catalog.unnest(v_name_queries)) qq(config, query, name_query)
        on qq.config = s.search_config
      where v_any is not null
        and s.search_document @@ v_any
        and s.search_document @@ qq.query
        and s.active
      union all
      select 'provider', p.id, p.org_id, p.display_name, p.bio,
             (case when p.search_document @@ qq.name_query then 3::real else 2::real end)
               + pg_catalog.ts_rank(p.search_document, qq.query, 32)
      from app.providers p
      join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries),
                      pg_catalog.unnest(v_name_queries)) qq(config, query, name_query)
        on qq.config = p.search_config
      where v_any is not null
        and p.search_document @@ v_any
        and p.search_document @@ qq.query
        and p.active
    ) h
    where p_after_rank is null
       or h.rank < p_after_rank
       or (h.rank = p_after_rank and (h.name, h.kind, h.id) > (p_after_name, p_after_kind, p_after_id))
    order by h.rank desc, h.name, h.kind, h.id
    limit p_limit;
    get diagnostics v_found = row_count;
  end if;
  if v_found < p_limit then
    -- Typos: names close to q that the full text did not find (those were listed above).
    return query
    select h.kind, h.id, h.org_id, h.name, h.text, h.rank
    from (
      select 'service'::text as kind, s.id, s.org_id, s.name, s.description as text,
             extensions.word_similarity(v_fold, s.search_name) as rank
      from app.services s
      left join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries)) qq(config, query)
        on qq.config = s.search_config
      where s.search_name operator(extensions.%>) v_fold
        and s.active
        and not coalesce(s.search_document @@ qq.query, false)
      union all
      select 'provider', p.id, p.org_id, p.display_name, p.bio,
             extensions.word_similarity(v_fold, p.search_name)
      from app.providers p
      left join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries)) qq(config, query)
        on qq.config = p.search_config
      where p.search_name operator(extensions.%>) v_fold
        and p.active
        and not coalesce(p.search_document @@ qq.query, false)
    ) h
    where p_after_rank is null
       or p_after_rank >= 2
       or h.rank < p_after_rank
       or (h.rank = p_after_rank and (h.name, h.kind, h.id) > (p_after_name, p_after_kind, p_after_id))
    order by h.rank desc, h.name, h.kind, h.id
    limit p_limit - v_found;
  end if;
end;
$$;


--
-- Name: FUNCTION search_public(p_q text, p_limit integer, p_after_rank real, p_after_name text, p_after_kind text, p_after_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.search_public(p_q text, p_limit integer, p_after_rank real, p_after_name text, p_after_kind text, p_after_id uuid) IS 'The ranked page of api.search after a cursor position: active services and providers of every organization matching q, best first. Definer: under row-level security PostgreSQL may not use an index for a condition whose operator is not leakproof (@@, %>), so as the caller every search would read every row; as the owner it reads the GIN indexes, and it returns active rows only, exactly what the visitors'' policies show anyone.';


--
-- Name: search_q(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.search_q(p_q text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_q text := pg_catalog.btrim(p_q);
begin
  if v_q is null or v_q = '' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'q is required: the words to search for.';
  end if;
  if pg_catalog.length(v_q) > 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'q must have at most 200 characters.';
  end if;
  return v_q;
end;
$$;


--
-- Name: FUNCTION search_q(p_q text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.search_q(p_q text) IS 'q trimmed; 422 validation_failed when blank or over 200 characters.';


--
-- Name: search_query(regconfig, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.search_query(p_config regconfig, p_text text, p_weights text DEFAULT ''::text) RETURNS tsquery
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_terms text;
begin
  if coalesce(p_weights, '') !~ '^[ABCD]*$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'Weights are letters A to D.';
  end if;
  -- The text is parsed, folded and stemmed exactly like the documents; each lexeme is then
  -- quoted (quotes and backslashes escaped) and made a prefix term. No lexeme (only stop words
  -- or punctuation) gives NULL, which matches nothing, instead of an empty query and a NOTICE.
  select pg_catalog.string_agg(
           '''' || pg_catalog.replace(pg_catalog.replace(t.lexeme, '\', '\\'), '''', '''''')
             || ''':*' || coalesce(p_weights, ''),
           ' & ' order by t.lexeme)
  into v_terms
  from pg_catalog.unnest(pg_catalog.to_tsvector(p_config, p_text)) t;
  return v_terms::tsquery;
end;
$_$;


--
-- Name: FUNCTION search_query(p_config regconfig, p_text text, p_weights text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.search_query(p_config regconfig, p_text text, p_weights text) IS 'The prefix query for free text in a configuration: every lexeme required, each a prefix (''klip'':*), optionally limited to weights (''A'' = names only); NULL when the text has no lexeme.';


--
-- Name: search_services(app.organizations, text, integer, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.search_services(p_org app.organizations, p_q text, p_limit integer, p_cursor text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_config pg_catalog.regconfig := private.search_config(p_org.search_language);
  v_query tsquery := private.search_query(v_config, p_q);
  v_name_query tsquery := private.search_query(v_config, p_q, 'A');
  v_fold text := private.search_fold(p_q);
  v_after text[];
  v_items json;
  v_next text;
begin
  v_after := private.decode_cursor(p_cursor, 'real', 'text', 'text', 'uuid');
  -- Rows come under the caller's policies: members find inactive services too, others do not.
  with hits as (
    select s, s.id, s.name,
           (case when s.search_document @@ v_name_query then 3::real else 2::real end)
             + pg_catalog.ts_rank(s.search_document, v_query, 32) as rank
    from app.services s
    where s.org_id = p_org.id
      and s.search_document @@ v_query
    union all
    select s, s.id, s.name, extensions.word_similarity(v_fold, s.search_name)
    from app.services s
    where s.org_id = p_org.id
      and s.search_name operator(extensions.%>) v_fold
  ),
  best as (
    select distinct on (h.id) h.s, h.id, h.name, h.rank
    from hits h
    order by h.id, h.rank desc
  ),
  page as (
    select b.s, b.id, b.name, b.rank,
           pg_catalog.row_number() over (order by b.rank desc, b.name, b.id) as n
    from best b
    where v_after is null
       or b.rank < v_after[1]::real
       or (b.rank = v_after[1]::real
           and (b.name, 'service', b.id) > (v_after[2], v_after[3], v_after[4]::uuid))
    order by b.rank desc, b.name, b.id
    limit p_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.service_json(x.s) order by x.n)
                    filter (where x.n <= p_limit), '[]'),
         case when pg_catalog.count(*) > p_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.rank::text, x.name, 'service', x.id::text) order by x.n))[p_limit]
         end
  into v_items, v_next
  from page x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;


--
-- Name: FUNCTION search_services(p_org app.organizations, p_q text, p_limit integer, p_cursor text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.search_services(p_org app.organizations, p_q text, p_limit integer, p_cursor text) IS 'The ?q= page of api.list_services: the organization''s services the caller may see, ranked as api.search ranks them (full text, then typos): {items: [service], next_cursor}.';


--
-- Name: seed_demo(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.seed_demo(p_owner_password text, p_customer_password text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_owner uuid;
  v_customer uuid;
  v_mette_user uuid;
  v_org uuid;
  v_mette uuid;
  v_jonas uuid;
  v_cut uuid;
  v_beard uuid;
  v_colour uuid;
  v_locs uuid;
  v_series uuid;
  v_first timestamptz;
  v_feed_token text := private.random_token();
begin
  if exists (select 1 from app.organizations o where o.slug = 'salon-norrebro') then
    return private.demo_ids();
  end if;
  v_owner := (private.register('owner@salon-norrebro.example', p_owner_password, 'Sofie Owner', 'da') ->> 'id')::uuid;
  v_customer := (private.register('customer@salon-norrebro.example', p_customer_password, 'Karl Kunde', 'da') ->> 'id')::uuid;
  v_mette_user := (private.register('mette@salon-norrebro.example', p_owner_password, 'Mette Frisør', 'da') ->> 'id')::uuid;

  insert into app.organizations (slug, name, timezone, currency, search_language, cancellation_cutoff_minutes)
  values ('salon-norrebro', 'Salon Nørrebro', 'Europe/Copenhagen', 'DKK', 'danish', 1440)
  returning id into v_org;
  insert into app.memberships (org_id, user_id, role) values
    (v_org, v_owner, 'owner'),
    (v_org, v_mette_user, 'provider');

  insert into app.providers (org_id, user_id, display_name, bio)
  values (v_org, v_mette_user, 'Mette', 'Klipning og farve, 15 års erfaring.')
  returning id into v_mette;
  insert into app.providers (org_id, display_name, bio)
  values (v_org, 'Jonas', 'Locs, fletninger og skægtrim.')
  returning id into v_jonas;

  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Klipning', 'Vask, klip og føn.', 45, 0, 15, 45000, 'DKK', 1440, 90, 30, false)
  returning id into v_cut;
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Skægtrim', 'Trim og konturer.', 20, 0, 10, 20000, 'DKK', 1440, 90, 30, false)
  returning id into v_beard;
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Farvning', 'Hel farve inkl. konsultation; bekræftes af salonen.', 120, 15, 15,
    125000, 'DKK', 1440, 90, 60, true)
  returning id into v_colour;
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Locs vedligehold', 'Retwist og pleje af locs.', 90, 0, 15, 90000, 'DKK', 1440, 90, 30, false)
  returning id into v_locs;

  insert into app.service_providers (org_id, service_id, provider_id) values
    (v_org, v_cut, v_mette), (v_org, v_colour, v_mette), (v_org, v_cut, v_jonas),
    (v_org, v_beard, v_jonas), (v_org, v_locs, v_jonas);

  -- Mette: Monday to Friday 09-17, Wednesday split around a long lunch.
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
  select v_org, v_mette, d, '09:00', '17:00' from pg_catalog.generate_series(1, 5) d where d <> 3;
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends) values
    (v_org, v_mette, 3, '09:00', '12:00'),
    (v_org, v_mette, 3, '13:30', '18:00');
  -- Jonas: Tuesday to Saturday 10-18, Saturday until 15.
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
  select v_org, v_jonas, d, '10:00', '18:00' from pg_catalog.generate_series(2, 5) d;
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
  values (v_org, v_jonas, 6, '10:00', '15:00');

  -- Two chairs and one basin: both can cut at once, and a colouring also needs the basin.
  insert into app.resources (org_id, name, kind, capacity) values
    (v_org, 'Stol ved vinduet', 'chair', 1),
    (v_org, 'Stol ved spejlet', 'chair', 1),
    (v_org, 'Vask', 'basin', 1);
  insert into app.service_resources (org_id, service_id, kind, count) values
    (v_org, v_cut, 'chair', 1), (v_org, v_beard, 'chair', 1), (v_org, v_locs, 'chair', 1),
    (v_org, v_colour, 'chair', 1), (v_org, v_colour, 'basin', 1);

  -- A course: Karl's locs every second Tuesday at 10:00 with Jonas, four times, from the first
  -- Tuesday at least two days ahead.
  v_first := ((pg_catalog.date_trunc('week', private.now() at time zone 'Europe/Copenhagen')::date
    + 1 + case when (private.now() at time zone 'Europe/Copenhagen')::date + 2
                    > pg_catalog.date_trunc('week', private.now() at time zone 'Europe/Copenhagen')::date + 1
               then 7 else 0 end) + time '10:00') at time zone 'Europe/Copenhagen';
  insert into app.booking_series (org_id, provider_id, service_id, customer_id, every_weeks,
    occurrences, first_start, created_by)
  values (v_org, v_jonas, v_locs, v_customer, 2, 4, v_first, v_customer)
  returning id into v_series;
  insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at, ends_at,
    buffer_after_minutes, status, price_minor, currency, series_id, created_by, created_at, updated_at)
  select v_org, v_jonas, v_locs, v_customer, t, t + interval '90 minutes', 15, 'confirmed', 90000,
    'DKK', v_series, v_customer, private.now(), private.now()
  from (
    select ((v_first at time zone 'Europe/Copenhagen') + i * interval '14 days') at time zone 'Europe/Copenhagen' as t
    from pg_catalog.generate_series(0, 3) i
  ) x;

  -- Mette's calendar feed; the token is shown once, now, and stored only as its hash.
  insert into app.calendar_feeds (provider_id, token_hash, created_by)
  values (v_mette, private.token_hash(v_feed_token), v_mette_user);

  return private.demo_ids('/api/v1/providers/' || v_mette || '/calendar.ics?token=' || v_feed_token);
end;
$$;


--
-- Name: FUNCTION seed_demo(p_owner_password text, p_customer_password text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.seed_demo(p_owner_password text, p_customer_password text) IS 'Seed the demo salon: an owner, a provider (Mette, with a login) and a customer account, two providers, four services (one requiring confirmation, with buffers), weekly hours with a split day, two chairs and a basin the services need, a course of four bookings for the customer, and Mette''s calendar feed. Returns the ids (private.demo_ids()) and, this once, the feed''s path with its token; when the demo exists already, returns the ids and changes nothing. Definer: the slotbase command runs it as the connecting administrator, who holds the owner''s privileges but not its BYPASSRLS, and every table forces row-level security.';


--
-- Name: sees_internal_notes(app.bookings); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.sees_internal_notes(p_booking app.bookings) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return private.is_org_staff(p_booking.org_id) or private.is_provider_self(p_booking.provider_id);
end;
$$;


--
-- Name: FUNCTION sees_internal_notes(p_booking app.bookings); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.sees_internal_notes(p_booking app.bookings) IS 'Staff+ of the organization and the provider see internal notes; the customer never.';


--
-- Name: service_json(app.services); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.service_json(p_service app.services) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
    ), '[]'),
    'resource_requirements', private.service_requirements_json(p_service.id)
  );
end;
$$;


--
-- Name: FUNCTION service_json(p_service app.services); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.service_json(p_service app.services) IS 'The service object: every field of app.services but the timestamps, plus provider_ids (the providers offering it that the caller may see) and resource_requirements ([{kind, count}], 47-resources).';


--
-- Name: service_requirements_json(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.service_requirements_json(p_service_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return coalesce((
    select pg_catalog.json_agg(pg_catalog.json_build_object('kind', r.kind, 'count', r.count) order by r.kind)
    from app.service_resources r
    where r.service_id = p_service_id
  ), '[]');
end;
$$;


--
-- Name: FUNCTION service_requirements_json(p_service_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.service_requirements_json(p_service_id uuid) IS 'A service''s resource_requirements, [{kind, count}] by kind, as the caller may read them (the service''s own visibility).';


--
-- Name: session_events(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.session_events() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform pg_catalog.pg_notify('slotbase_events',
    pg_catalog.jsonb_build_object('topic', 'session', 'sid', OLD.id)::text);
  return null;
end;
$$;


--
-- Name: FUNCTION session_events(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.session_events() IS 'AFTER trigger on auth.sessions: a session that is revoked or deleted closes its live streams (NOTIFY at commit).';


--
-- Name: session_is_active(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.session_is_active(p_session_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select exists (
        select 1
        from auth.sessions s
        where s.id = p_session_id
          and s.revoked_at is null
          and s.expires_at > private.now()
      )
  );
end;
$$;


--
-- Name: FUNCTION session_is_active(p_session_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.session_is_active(p_session_id uuid) IS 'Is this session (a token''s sid) open? Definer: the API checks it before switching role.';


--
-- Name: set_search_config(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.set_search_config() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- The documents are generated from search_config, so setting it here, on every write, is
  -- all it takes; a client cannot choose it (no column privilege), and this overrides anyone else.
  NEW.search_config := private.search_config(
    (select o.search_language from app.organizations o where o.id = NEW.org_id));
  return NEW;
end;
$$;


--
-- Name: FUNCTION set_search_config(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.set_search_config() IS 'BEFORE INSERT OR UPDATE trigger on app.services and app.providers: search_config := the folding configuration of the organization''s search_language, from which the search_document column is generated.';


--
-- Name: set_service_providers(app.services, uuid[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.set_service_providers(p_service app.services, p_provider_ids uuid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION set_service_providers(p_service app.services, p_provider_ids uuid[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.set_service_providers(p_service app.services, p_provider_ids uuid[]) IS 'Make exactly these providers offer the service; 422 validation_failed unless each is a provider of its organization. Runs as the caller: the link policies require an owner or admin.';


--
-- Name: set_service_resources(app.services, json); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.set_service_resources(p_service app.services, p_requirements json) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_bad constant text :=
    'resource_requirements must be a list of {kind, count}: kind 1 to 63 lowercase letters, digits, "_" or "-"; count 1 to 100.';
begin
  if pg_catalog.json_typeof(p_requirements) is distinct from 'array' or exists (
    select 1 from pg_catalog.json_array_elements(p_requirements) e(item)
    where pg_catalog.json_typeof(e.item) is distinct from 'object'
       or exists (select 1 from pg_catalog.json_object_keys(
                    case when pg_catalog.json_typeof(e.item) = 'object' then e.item else '{}' end) k(key)
                  where k.key not in ('kind', 'count'))
       or pg_catalog.json_typeof(e.item -> 'kind') is distinct from 'string'
       or (e.item ->> 'kind') !~ '^[a-z0-9][a-z0-9_-]{0,62}$'
       or pg_catalog.json_typeof(e.item -> 'count') is distinct from 'number'
       or (e.item ->> 'count') !~ '^[0-9]{1,3}$'
       or case when (e.item ->> 'count') ~ '^[0-9]{1,3}$' then (e.item ->> 'count')::integer end
            not between 1 and 100
  ) then
    raise exception using errcode = 'PT422', message = 'validation_failed', detail = v_bad;
  end if;
  if (select pg_catalog.count(*) <> pg_catalog.count(distinct e.item ->> 'kind')
      from pg_catalog.json_array_elements(p_requirements) e(item)) then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'resource_requirements names a kind twice; give each kind once, with its count.';
  end if;
  delete from app.service_resources r where r.service_id = p_service.id;
  insert into app.service_resources (org_id, service_id, kind, count)
  select p_service.org_id, p_service.id, e.item ->> 'kind', (e.item ->> 'count')::smallint
  from pg_catalog.json_array_elements(p_requirements) e(item);
end;
$_$;


--
-- Name: FUNCTION set_service_resources(p_service app.services, p_requirements json); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.set_service_resources(p_service app.services, p_requirements json) IS 'Make the service need exactly these resources: [{kind, count}], each kind once, count 1..100; [] for none. 422 validation_failed otherwise. Bookings already made keep the units they hold. Runs as the caller: the policies on app.service_resources require an owner or admin.';


--
-- Name: setting(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.setting(p_name text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select s.value from private.settings s where s.name = p_name
  );
end;
$$;


--
-- Name: FUNCTION setting(p_name text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.setting(p_name text) IS 'Value of one tunable rule from private.settings. Definer: the settings table is owner-only.';


--
-- Name: slot_problem(uuid, uuid, timestamp with time zone, uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.slot_problem(p_provider_id uuid, p_service_id uuid, p_start timestamp with time zone, p_exclude_booking uuid DEFAULT NULL::uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION slot_problem(p_provider_id uuid, p_service_id uuid, p_start timestamp with time zone, p_exclude_booking uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.slot_problem(p_provider_id uuid, p_service_id uuid, p_start timestamp with time zone, p_exclude_booking uuid) IS 'Why a start cannot be booked (too_soon, too_far_ahead, outside_working_hours, slot_taken, resource_unavailable), or NULL: the same engine as the slot list, so an offered slot is always bookable. Definer: like private.slots, it reads bookings and time off the caller may not read, and answers a reason code only.';


--
-- Name: slot_range(text, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.slot_range(p_from text, p_to text, p_zone text) RETURNS tstzrange
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION slot_range(p_from text, p_to text, p_zone text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.slot_range(p_from text, p_to text, p_zone text) IS 'The range a slot list asks for: from/to as local dates in p_zone (to inclusive) or RFC 3339 instants, by default the next 7 days; 422 validation_failed when to is not after from, range_too_long past 62 local days.';


--
-- Name: slots(uuid, uuid, timestamp with time zone, timestamp with time zone, uuid, boolean, boolean, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.slots(p_provider_id uuid, p_service_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_exclude_booking uuid DEFAULT NULL::uuid, p_ignore_bookings boolean DEFAULT false, p_ignore_limits boolean DEFAULT false, p_ignore_resources boolean DEFAULT false) RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return query
  select s.starts_at, s.ends_at
  from private.provider_slots(array[p_provider_id], p_service_id, p_from, p_to, p_exclude_booking,
    p_ignore_bookings, p_ignore_limits, p_ignore_resources) s
  order by s.starts_at;
end;
$$;


--
-- Name: FUNCTION slots(p_provider_id uuid, p_service_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_exclude_booking uuid, p_ignore_bookings boolean, p_ignore_limits boolean, p_ignore_resources boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.slots(p_provider_id uuid, p_service_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_exclude_booking uuid, p_ignore_bookings boolean, p_ignore_limits boolean, p_ignore_resources boolean) IS 'Bookable starts of a service with one provider in [p_from, p_to): private.provider_slots for that provider alone.';


--
-- Name: staff_roles(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.staff_roles() RETURNS app.member_role[]
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return '{owner,admin,staff}';
end;
$$;


--
-- Name: FUNCTION staff_roles(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.staff_roles() IS 'The roles ("staff+") that see and handle every booking of an organization: owner, admin and staff.';


--
-- Name: stamp_claim(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.stamp_claim() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION stamp_claim(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.stamp_claim() IS 'BEFORE trigger on app.bookings: claimed_since is the clock''s now (private.now()) on insert and on every move, on every path that writes a booking.';


--
-- Name: successor_token(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.successor_token(p_token text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- Keyed with a secret of the server's: only the server computes the successor, so it can hand
  -- a second tab the same pair within the grace window while storing hashes only, and a token
  -- seen once (a log, a backup, an old device) tells nobody what comes after it.
  return pg_catalog.rtrim(pg_catalog.translate(pg_catalog.encode(
      extensions.hmac(
        pg_catalog.convert_to(p_token, 'UTF8'),
        (select s.value from private.secrets s where s.name = 'refresh_successor'),
        'sha256'),
      'base64'), E'+/\n', '-_'), '=');
end;
$$;


--
-- Name: FUNCTION successor_token(p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.successor_token(p_token text) IS 'The refresh token that succeeds p_token: HMAC-SHA256 of it under the server''s refresh_successor key (private.secrets). Called only from private.refresh (a definer), which reads the key as the owner.';


--
-- Name: sync_resource_claims(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.sync_resource_claims() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_live boolean := NEW.status in ('held', 'pending', 'confirmed');
  v_was_live boolean := TG_OP = 'UPDATE' and OLD.status in ('held', 'pending', 'confirmed');
  v_need record;
  v_now timestamptz;
  v_got bigint;
begin
  if v_was_live and v_live and NEW.service_id = OLD.service_id
      and NEW.blocked = OLD.blocked and NEW.claimed_since = OLD.claimed_since then
    -- The same time, claimed since the same instant: a pending booking confirmed, or a hold
    -- turned into a booking (its claim no longer expires). The units stay; only the claimed
    -- range follows the booking's.
    if NEW.claimed <> OLD.claimed then
      update app.resource_claims c set claimed = NEW.claimed where c.booking_id = NEW.id;
    end if;
    return null;
  end if;
  if TG_OP = 'UPDATE' then
    if not v_was_live and not v_live then
      return null;  -- a note on a cancelled booking, say
    end if;
    delete from app.resource_claims c where c.booking_id = NEW.id;
  end if;
  if not v_live then
    return null;
  end if;
  -- New, moved or claimed anew: allocate from scratch, one kind at a time, kinds in one order
  -- so that two bookings needing the same kinds take the locks the same way round.
  for v_need in
    select r.kind, r.count from app.service_resources r
    where r.service_id = NEW.service_id
    order by r.kind
  loop
    perform private.lock_resource_kind(NEW.org_id, v_need.kind);
    v_now := private.now();  -- after the lock: this statement sees every claim committed before it
    begin
      insert into app.resource_claims (org_id, booking_id, resource_id, unit, blocked, claimed)
      select NEW.org_id, NEW.id, u.resource_id, u.unit, NEW.blocked, NEW.claimed
      from (
        select x.id as resource_id, n.unit
        from app.resources x
        cross join lateral pg_catalog.generate_series(1, x.capacity::integer) n(unit)
        where x.org_id = NEW.org_id and x.kind = v_need.kind and x.active
          and not exists (
            select 1 from app.resource_claims c
            where c.resource_id = x.id and c.unit = n.unit
              and c.blocked operator(pg_catalog.&&) NEW.blocked
              and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
          )
        order by x.name, x.id, n.unit
        limit v_need.count
      ) u;
      get diagnostics v_got = row_count;
    exception when exclusion_violation then
      -- The constraint's detail names another booking's times: never passed on.
      v_got := -1;
    end;
    if v_got < v_need.count then
      raise exception using errcode = 'PT409', message = 'resource_unavailable',
        detail = 'The room, chair or equipment this service needs is taken at this time; choose another slot.';
    end if;
  end loop;
  return null;
end;
$$;


--
-- Name: FUNCTION sync_resource_claims(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.sync_resource_claims() IS 'AFTER INSERT OR UPDATE trigger on app.bookings keeping app.resource_claims: a new, moved or re-claimed live hold or booking gets count free units of each kind its service needs (active resources by name, id, unit; under a lock per organization and kind), or 409 resource_unavailable; a hold confirmed keeps its units with the longer claimed range; a booking that stops being live gives its units back. Definer: claims are checked against other customers'' bookings and no client writes app.resource_claims.';


--
-- Name: take_calendar(uuid, app.services, timestamp with time zone); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.take_calendar(p_provider_id uuid, p_service app.services, p_start timestamp with time zone) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION take_calendar(p_provider_id uuid, p_service app.services, p_start timestamp with time zone); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.take_calendar(p_provider_id uuid, p_service app.services, p_start timestamp with time zone) IS 'Lock the calendar a new claim lands on and return its provider once the start is free there (the same checks as the slot list; 409 slot_taken, resource_unavailable, 422 too_soon, ...). With p_provider_id NULL, any active provider offering the service: all their calendars are locked in id order, and the free one with the fewest bookings that local day wins, then the one added first. Definer: reads other customers'' bookings to count and to check.';


--
-- Name: time_off_created_by(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.time_off_created_by() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  NEW.created_by := coalesce(auth.uid(), NEW.created_by);
  return NEW;
end;
$$;


--
-- Name: FUNCTION time_off_created_by(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.time_off_created_by() IS 'BEFORE INSERT on app.time_off: created_by is the caller (a job without a token may set it itself).';


--
-- Name: time_off_json(uuid, uuid, tstzrange, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.time_off_json(p_id uuid, p_provider_id uuid, p_period tstzrange, p_reason text, p_zone text) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION time_off_json(p_id uuid, p_provider_id uuid, p_period tstzrange, p_reason text, p_zone text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.time_off_json(p_id uuid, p_provider_id uuid, p_period tstzrange, p_reason text, p_zone text) IS 'One time off as {id, provider_id, starts_at, ends_at, reason} with instants in p_zone (the provider''s); an empty reason is null.';


--
-- Name: token_claims(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.token_claims(p_token text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_now timestamptz := private.now();
  v_claims jsonb;
  v_expires_at timestamptz;
  v_open boolean;
begin
  -- Runs for every statement of a signed-in client (and for every row where a policy calls a
  -- membership helper), so the cache and the session are read in one query.
  select c.claims, c.expires_at, s.id is not null
  into v_claims, v_expires_at, v_open
  from auth.verified_tokens c
  -- A key retired while this token was being cached must not leave the entry valid.
  join auth.jwt_keys k on k.kid = c.kid
  left join auth.sessions s
    on s.id = c.sid and s.revoked_at is null and s.expires_at > v_now
  where c.token_hash = pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
  if not found then
    -- Not cached (a read-only transaction, a purge, another database): verify in full.
    return private.verify_jwt(p_token);
  end if;
  if v_expires_at <= v_now then
    perform private.token_error('token_expired', 'The token has expired.');
  end if;
  if not v_open then
    perform private.token_error('session_revoked', 'The session of this token has ended; log in again.');
  end if;
  return v_claims;
end;
$$;


--
-- Name: FUNCTION token_claims(p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.token_claims(p_token text) IS 'Claims of a token a direct client presented: from the cache of verified tokens (re-checking expiry and the session), else verified in full. Definer: the cache is owner-only.';


--
-- Name: token_error(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.token_error(p_code text, p_detail text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  raise exception using errcode = 'PT401', message = p_code, detail = p_detail;
end;
$$;


--
-- Name: FUNCTION token_error(p_code text, p_detail text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.token_error(p_code text, p_detail text) IS 'Raise PT401 with one of the API''s token codes (malformed_token, bad_signature, ...) as message.';


--
-- Name: token_hash(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.token_hash(p_token text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
end;
$$;


--
-- Name: FUNCTION token_hash(p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.token_hash(p_token text) IS 'How tokens are stored: sha256 of the text.';


--
-- Name: token_pair(auth.users, text, jsonb); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.token_pair(p_user auth.users, p_refresh_token text, p_claims jsonb) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.json_build_object(
    'token_type', 'bearer',
    'expires_in', (p_claims ->> 'exp')::bigint - (p_claims ->> 'iat')::bigint,
    'refresh_token', p_refresh_token,
    'user', private.user_json(p_user),
    'claims', p_claims
  );
end;
$$;


--
-- Name: FUNCTION token_pair(p_user auth.users, p_refresh_token text, p_claims jsonb); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.token_pair(p_user auth.users, p_refresh_token text, p_claims jsonb) IS 'Token pair before signing: the API replaces "claims" by the signed access_token.';


--
-- Name: topic_filter(text[]); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.topic_filter(p_topics text[]) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION topic_filter(p_topics text[]); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.topic_filter(p_topics text[]) IS 'Checks topics under the caller''s identity (bookings needs a token; a provider must be visible) and returns them normalized, without repeats.';


--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  NEW.updated_at := pg_catalog.now();
  return NEW;
end;
$$;


--
-- Name: FUNCTION touch_updated_at(); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.touch_updated_at() IS 'BEFORE UPDATE trigger keeping updated_at true.';


--
-- Name: transition_booking(uuid, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.transition_booking(p_id uuid, p_action text, p_reason text DEFAULT NULL::text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION transition_booking(p_id uuid, p_action text, p_reason text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.transition_booking(p_id uuid, p_action text, p_reason text) IS 'Move a booking along the workflow: pending -> confirmed | declined | cancelled; confirmed -> completed | no_show | cancelled. 404, 403, 409 invalid_transition, 409 cancellation_window_passed. Definer: clients may not write app.bookings; the caller is checked first (private.visible_booking_for_update, then the action''s roles).';


--
-- Name: update_booking_notes(uuid, text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.update_booking_notes(p_id uuid, p_internal_note text, p_customer_note text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION update_booking_notes(p_id uuid, p_internal_note text, p_customer_note text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.update_booking_notes(p_id uuid, p_internal_note text, p_customer_note text) IS 'Internal note (staff+, the provider) and customer note (the customer). 403 for the other way round. Definer: clients may not write app.bookings or app.booking_notes; the caller is checked first.';


--
-- Name: update_member(uuid, uuid, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.update_member(p_org_id uuid, p_user_id uuid, p_role text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_caller app.member_role;
  v_role app.member_role;
  v_current app.member_role;
begin
  perform private.require_user();
  perform private.lock_org_members(p_org_id);
  v_caller := private.org_role(p_org_id);
  if v_caller is null or v_caller <> all (private.manager_roles()) then
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


--
-- Name: FUNCTION update_member(p_org_id uuid, p_user_id uuid, p_role text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.update_member(p_org_id uuid, p_user_id uuid, p_role text) IS 'Change a member''s role under the last-owner rule (serialized per organization). Definer: memberships have no client write privileges.';


--
-- Name: use_one_time_token(text, text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.use_one_time_token(p_token text, p_purpose text) RETURNS auth.users
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_token auth.one_time_tokens;
  v_user auth.users;
begin
  select * into v_token
  from auth.one_time_tokens t
  where t.token_hash = private.token_hash(coalesce(p_token, ''))
    and t.purpose = p_purpose
  for update;
  if found and v_token.used_at is null and v_token.expires_at > private.now() then
    select * into v_user from auth.users u where u.id = v_token.user_id and u.deleted_at is null;
  end if;
  if v_user.id is null then
    raise exception using errcode = 'PT400', message = 'invalid_token',
      detail = 'This link is not valid: it is unknown, used, expired or meant for something else.';
  end if;
  update auth.one_time_tokens t set used_at = private.now() where t.id = v_token.id;
  return v_user;
end;
$$;


--
-- Name: FUNCTION use_one_time_token(p_token text, p_purpose text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.use_one_time_token(p_token text, p_purpose text) IS 'Spend a token of a purpose and return its account, or 400 invalid_token (unknown, used, expired, another purpose, erased account). The caller''s transaction decides: an error after this rolls the use back. Definer: reads token hashes.';


--
-- Name: user_json(auth.users); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.user_json(p_user auth.users) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.json_build_object(
      'id', p_user.id,
      'email', p_user.email::text,
      'full_name', p_user.full_name,
      'locale', p_user.locale,
      'email_verified', p_user.email_verified_at is not null,
      'created_at', private.utc(p_user.created_at)
    );
end;
$$;


--
-- Name: FUNCTION user_json(p_user auth.users); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.user_json(p_user auth.users) IS 'The user object of the REST contract.';


--
-- Name: user_object(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.user_object(p_user_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select private.user_json(u)
      from auth.users u
      where u.id = p_user_id
        and (u.id = auth.uid() or private.is_platform_admin())
  );
end;
$$;


--
-- Name: FUNCTION user_object(p_user_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.user_object(p_user_id uuid) IS 'The user object of an account the caller may see (their own; any for platform admins), else NULL. Definer: the object is built from the whole row, and clients may not read password_hash.';


--
-- Name: utc(timestamp with time zone); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.utc(p_at timestamp with time zone) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
end;
$$;


--
-- Name: FUNCTION utc(p_at timestamp with time zone); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.utc(p_at timestamp with time zone) IS 'RFC 3339 text in UTC, whatever the session time zone.';


--
-- Name: verify_jwt(text); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.verify_jwt(p_token text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_parts text[];
  v_header jsonb;
  v_claims jsonb;
  v_key auth.jwt_keys;
  v_now numeric := extract(epoch from private.now());
  v_leeway numeric := coalesce(private.setting('jwt_leeway_seconds'), '30')::numeric;
  v_audiences jsonb;
  v_name text;
  v_signature bytea;
  v_sid uuid;
begin
  -- The same checks, in the same order, as the API's verifier (jwks/tokens.py), so a token
  -- answers with the same code whichever door it is shown at.
  if p_token is null or pg_catalog.length(p_token) > 8192
      or p_token !~ '^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$' then
    perform private.token_error('malformed_token', 'The token is not a compact JWS.');
  end if;
  v_parts := pg_catalog.string_to_array(p_token, '.');
  v_header := private.jwt_part(v_parts[1], 'The header');
  if pg_catalog.jsonb_typeof(v_header -> 'alg') is distinct from 'string' then
    perform private.token_error('malformed_token', 'The header has no alg.');
  end if;
  if v_header ->> 'alg' <> 'RS256' then
    perform private.token_error('algorithm_not_allowed', 'Only RS256 tokens are accepted.');
  end if;
  if v_header ? 'crit' then
    perform private.token_error('malformed_token', 'Header crit extensions are not supported.');
  end if;
  if pg_catalog.jsonb_typeof(v_header -> 'kid') is distinct from 'string'
      or v_header ->> 'kid' = '' then
    perform private.token_error('malformed_token', 'The header has no kid.');
  end if;
  select * into v_key from auth.jwt_keys k where k.kid = v_header ->> 'kid';
  if not found then
    perform private.token_error('unknown_kid', 'No published key has this kid.');
  end if;
  v_signature := private.b64url_decode(v_parts[3]);
  if v_signature is null then
    perform private.token_error('malformed_token', 'The signature is not base64url.');
  end if;
  if not private.rs256_verify(v_parts[1] || '.' || v_parts[2], v_signature, v_key) then
    perform private.token_error('bad_signature', 'The signature does not match.');
  end if;

  v_claims := private.jwt_part(v_parts[2], 'The payload');
  foreach v_name in array array['iss', 'aud', 'sub', 'sid', 'role', 'iat', 'nbf', 'exp', 'jti'] loop
    if not v_claims ? v_name then
      perform private.token_error('malformed_token', 'The claim ' || v_name || ' is missing.');
    end if;
  end loop;
  foreach v_name in array array['iss', 'sub', 'sid', 'role', 'jti'] loop
    if pg_catalog.jsonb_typeof(v_claims -> v_name) <> 'string' then
      perform private.token_error('malformed_token', 'The claim ' || v_name || ' must be a string.');
    end if;
  end loop;
  foreach v_name in array array['exp', 'nbf', 'iat'] loop
    if pg_catalog.jsonb_typeof(v_claims -> v_name) <> 'number' then
      perform private.token_error('malformed_token', 'The claim ' || v_name || ' must be a NumericDate.');
    end if;
  end loop;
  v_audiences := case pg_catalog.jsonb_typeof(v_claims -> 'aud')
    when 'string' then pg_catalog.jsonb_build_array(v_claims -> 'aud')
    else v_claims -> 'aud' end;
  if pg_catalog.jsonb_typeof(v_audiences) <> 'array' or exists (
      select from pg_catalog.jsonb_array_elements(v_audiences) a where pg_catalog.jsonb_typeof(a) <> 'string') then
    perform private.token_error('malformed_token', 'The claim aud must be a string or a list of strings.');
  end if;
  if (v_claims ->> 'exp')::numeric <= v_now - v_leeway then
    perform private.token_error('token_expired', 'The token has expired.');
  end if;
  if (v_claims ->> 'nbf')::numeric > v_now + v_leeway then
    perform private.token_error('token_not_yet_valid', 'The token is not valid yet (nbf).');
  end if;
  if (v_claims ->> 'iat')::numeric > v_now + v_leeway then
    perform private.token_error('token_not_yet_valid', 'The token was issued in the future (iat).');
  end if;
  if not v_audiences ? coalesce(private.setting('jwt_audience'), '') then
    perform private.token_error('wrong_audience', 'The token is not for this audience.');
  end if;
  if v_claims ->> 'iss' is distinct from private.setting('jwt_issuer') then
    perform private.token_error('wrong_issuer', 'The token was not issued by this server.');
  end if;
  if v_claims ->> 'role' <> 'authenticated' then
    perform private.token_error('malformed_token', 'The role claim must be authenticated.');
  end if;
  v_sid := private.as_uuid(v_claims ->> 'sid');
  if v_sid is null or not private.session_is_active(v_sid) then
    perform private.token_error('session_revoked', 'The session of this token has ended; log in again.');
  end if;
  return v_claims;
end;
$_$;


--
-- Name: FUNCTION verify_jwt(p_token text); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.verify_jwt(p_token text) IS 'The claims of an access token that verifies (RS256 with a published kid, exp/nbf/iat with the leeway, aud, iss, role, open session); PT401 with the failing check''s code otherwise. Definer: the keys, settings and sessions it reads are owner-only.';


--
-- Name: visible_booking_for_update(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.visible_booking_for_update(p_id uuid) RETURNS app.bookings
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION visible_booking_for_update(p_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.visible_booking_for_update(p_id uuid) IS 'Lock a booking the caller may see (customer, staff+, the provider), else 404 not_found; a hold is not a booking (see 62-holds).';


--
-- Name: waitlist_entries; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.waitlist_entries (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    line bigint NOT NULL,
    org_id uuid NOT NULL,
    service_id uuid NOT NULL,
    provider_id uuid,
    customer_id uuid NOT NULL,
    wanted tstzrange NOT NULL,
    status text DEFAULT 'waiting'::text NOT NULL,
    hold_id uuid,
    offered_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT waitlist_entries_status_check CHECK ((status = ANY (ARRAY['waiting'::text, 'offered'::text, 'booked'::text, 'lapsed'::text, 'cancelled'::text]))),
    CONSTRAINT waitlist_entries_wanted_check CHECK (((NOT isempty(wanted)) AND (NOT lower_inf(wanted)) AND (NOT upper_inf(wanted))))
);

ALTER TABLE ONLY app.waitlist_entries FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE waitlist_entries; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.waitlist_entries IS 'A customer waiting for a service (from one provider, or any) within a window of time. First come, first offered (line): a freed slot becomes a hold for the first entry it fits.';


--
-- Name: waitlist_json(app.waitlist_entries); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.waitlist_json(p_entry app.waitlist_entries) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION waitlist_json(p_entry app.waitlist_entries); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.waitlist_json(p_entry app.waitlist_entries) IS 'The waitlist entry of the REST contract: {id, org_id, service_id, provider_id, from, to, status, hold_id, offered_at, created_at}; from/to in the provider''s zone, or the organization''s for any provider.';


--
-- Name: wall_clock(json, text, boolean); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.wall_clock(p_value json, p_field text, p_is_end boolean) RETURNS time without time zone
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION wall_clock(p_value json, p_field text, p_is_end boolean); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.wall_clock(p_value json, p_field text, p_is_end boolean) IS 'A JSON string "HH:MM" as time; "24:00" only when p_is_end. 422 validation_failed naming p_field otherwise.';


--
-- Name: window_json(date, tsrange); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.window_json(p_on_date date, p_window tsrange) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION window_json(p_on_date date, p_window tsrange); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.window_json(p_on_date date, p_window tsrange) IS 'One override window as {start, end} in "HH:MM"; a window reaching the next midnight ends at "24:00".';


--
-- Name: working_hours_input(json); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.working_hours_input(p_windows json) RETURNS TABLE(weekday smallint, starts time without time zone, ends time without time zone, valid_from date, valid_until date, ordinal integer)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION working_hours_input(p_windows json); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.working_hours_input(p_windows json) IS 'The windows of PUT working-hours as rows (ordinal = index in the list, from 0), or 422 validation_failed / unknown_field naming the window. Overlaps are left to working_hours_no_overlap.';


--
-- Name: working_hours_json(uuid); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.working_hours_json(p_provider_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION working_hours_json(p_provider_id uuid); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.working_hours_json(p_provider_id uuid) IS 'The working-hours object of the REST contract: {provider_id, timezone (effective), windows: [{weekday, start, end, valid_from, valid_until}]} ordered by weekday and start.';


--
-- Name: working_windows(uuid[], timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: private; Owner: -
--

CREATE FUNCTION private.working_windows(p_provider_ids uuid[], p_from timestamp with time zone, p_to timestamp with time zone) RETURNS TABLE(provider_id uuid, window_range tstzrange)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION working_windows(p_provider_ids uuid[], p_from timestamp with time zone, p_to timestamp with time zone); Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON FUNCTION private.working_windows(p_provider_ids uuid[], p_from timestamp with time zone, p_to timestamp with time zone) IS 'The working windows of providers on every local date touching [p_from, p_to) (a day either side) as instant ranges: wall-clock times read in each provider''s zone on each date, so 09:00-17:00 stays 09:00-17:00 local on DST days.';


--
-- Name: arabic_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.arabic_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR asciiword WITH arabic_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, arabic_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, arabic_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR hword_asciipart WITH arabic_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR asciihword WITH arabic_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, arabic_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.arabic_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION arabic_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.arabic_unaccent IS 'pg_catalog.arabic with unaccent before its dictionaries (search_language arabic).';


--
-- Name: armenian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.armenian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR asciiword WITH armenian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, armenian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, armenian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR hword_asciipart WITH armenian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR asciihword WITH armenian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, armenian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.armenian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION armenian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.armenian_unaccent IS 'pg_catalog.armenian with unaccent before its dictionaries (search_language armenian).';


--
-- Name: basque_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.basque_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR asciiword WITH basque_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, basque_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, basque_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR hword_asciipart WITH basque_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR asciihword WITH basque_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, basque_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.basque_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION basque_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.basque_unaccent IS 'pg_catalog.basque with unaccent before its dictionaries (search_language basque).';


--
-- Name: catalan_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.catalan_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR asciiword WITH catalan_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, catalan_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, catalan_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR hword_asciipart WITH catalan_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR asciihword WITH catalan_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, catalan_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.catalan_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION catalan_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.catalan_unaccent IS 'pg_catalog.catalan with unaccent before its dictionaries (search_language catalan).';


--
-- Name: dutch_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.dutch_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR asciiword WITH dutch_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, dutch_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, dutch_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR hword_asciipart WITH dutch_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR asciihword WITH dutch_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, dutch_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.dutch_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION dutch_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.dutch_unaccent IS 'pg_catalog.dutch with unaccent before its dictionaries (search_language dutch).';


--
-- Name: english_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.english_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR asciiword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR hword_asciipart WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR asciihword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.english_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION english_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.english_unaccent IS 'pg_catalog.english with unaccent before its dictionaries (search_language english).';


--
-- Name: finnish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.finnish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR asciiword WITH finnish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, finnish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, finnish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR hword_asciipart WITH finnish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR asciihword WITH finnish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, finnish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.finnish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION finnish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.finnish_unaccent IS 'pg_catalog.finnish with unaccent before its dictionaries (search_language finnish).';


--
-- Name: french_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.french_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR asciiword WITH french_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, french_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, french_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR hword_asciipart WITH french_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR asciihword WITH french_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, french_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.french_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION french_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.french_unaccent IS 'pg_catalog.french with unaccent before its dictionaries (search_language french).';


--
-- Name: german_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.german_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR asciiword WITH german_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, german_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, german_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR hword_asciipart WITH german_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR asciihword WITH german_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, german_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.german_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION german_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.german_unaccent IS 'pg_catalog.german with unaccent before its dictionaries (search_language german).';


--
-- Name: greek_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.greek_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR asciiword WITH greek_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, greek_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, greek_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR hword_asciipart WITH greek_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR asciihword WITH greek_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, greek_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.greek_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION greek_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.greek_unaccent IS 'pg_catalog.greek with unaccent before its dictionaries (search_language greek).';


--
-- Name: hindi_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.hindi_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR asciiword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, hindi_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, hindi_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR hword_asciipart WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR asciihword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, hindi_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hindi_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION hindi_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.hindi_unaccent IS 'pg_catalog.hindi with unaccent before its dictionaries (search_language hindi).';


--
-- Name: hungarian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR asciiword WITH hungarian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, hungarian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, hungarian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR hword_asciipart WITH hungarian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR asciihword WITH hungarian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, hungarian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION hungarian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.hungarian_unaccent IS 'pg_catalog.hungarian with unaccent before its dictionaries (search_language hungarian).';


--
-- Name: indonesian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR asciiword WITH indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR hword_asciipart WITH indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR asciihword WITH indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION indonesian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.indonesian_unaccent IS 'pg_catalog.indonesian with unaccent before its dictionaries (search_language indonesian).';


--
-- Name: irish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.irish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR asciiword WITH irish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, irish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, irish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR hword_asciipart WITH irish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR asciihword WITH irish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, irish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.irish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION irish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.irish_unaccent IS 'pg_catalog.irish with unaccent before its dictionaries (search_language irish).';


--
-- Name: italian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.italian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR asciiword WITH italian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, italian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, italian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR hword_asciipart WITH italian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR asciihword WITH italian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, italian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.italian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION italian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.italian_unaccent IS 'pg_catalog.italian with unaccent before its dictionaries (search_language italian).';


--
-- Name: lithuanian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR asciiword WITH lithuanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, lithuanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, lithuanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR hword_asciipart WITH lithuanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR asciihword WITH lithuanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, lithuanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION lithuanian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.lithuanian_unaccent IS 'pg_catalog.lithuanian with unaccent before its dictionaries (search_language lithuanian).';


--
-- Name: nepali_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.nepali_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR asciiword WITH nepali_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, nepali_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, nepali_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR hword_asciipart WITH nepali_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR asciihword WITH nepali_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, nepali_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.nepali_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION nepali_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.nepali_unaccent IS 'pg_catalog.nepali with unaccent before its dictionaries (search_language nepali).';


--
-- Name: norwegian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR asciiword WITH norwegian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, norwegian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, norwegian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR hword_asciipart WITH norwegian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR asciihword WITH norwegian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, norwegian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION norwegian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.norwegian_unaccent IS 'pg_catalog.norwegian with unaccent before its dictionaries (search_language norwegian).';


--
-- Name: portuguese_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR asciiword WITH portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR hword_asciipart WITH portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR asciihword WITH portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION portuguese_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.portuguese_unaccent IS 'pg_catalog.portuguese with unaccent before its dictionaries (search_language portuguese).';


--
-- Name: romanian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.romanian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR asciiword WITH romanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, romanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, romanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR hword_asciipart WITH romanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR asciihword WITH romanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, romanian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.romanian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION romanian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.romanian_unaccent IS 'pg_catalog.romanian with unaccent before its dictionaries (search_language romanian).';


--
-- Name: russian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.russian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR asciiword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, russian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, russian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR hword_asciipart WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR asciihword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, russian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.russian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION russian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.russian_unaccent IS 'pg_catalog.russian with unaccent before its dictionaries (search_language russian).';


--
-- Name: serbian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.serbian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR asciiword WITH serbian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, serbian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, serbian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR hword_asciipart WITH serbian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR asciihword WITH serbian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, serbian_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.serbian_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION serbian_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.serbian_unaccent IS 'pg_catalog.serbian with unaccent before its dictionaries (search_language serbian).';


--
-- Name: simple_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.simple_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR asciiword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR hword_asciipart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR asciihword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.simple_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION simple_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.simple_unaccent IS 'pg_catalog.simple with unaccent before its dictionaries (search_language simple).';


--
-- Name: spanish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.spanish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR asciiword WITH spanish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, spanish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, spanish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR hword_asciipart WITH spanish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR asciihword WITH spanish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, spanish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.spanish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION spanish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.spanish_unaccent IS 'pg_catalog.spanish with unaccent before its dictionaries (search_language spanish).';


--
-- Name: swedish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.swedish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR asciiword WITH swedish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, swedish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, swedish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR hword_asciipart WITH swedish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR asciihword WITH swedish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, swedish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.swedish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION swedish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.swedish_unaccent IS 'pg_catalog.swedish with unaccent before its dictionaries (search_language swedish).';


--
-- Name: tamil_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.tamil_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR asciiword WITH tamil_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, tamil_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, tamil_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR hword_asciipart WITH tamil_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR asciihword WITH tamil_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, tamil_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.tamil_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION tamil_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.tamil_unaccent IS 'pg_catalog.tamil with unaccent before its dictionaries (search_language tamil).';


--
-- Name: turkish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.turkish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR asciiword WITH turkish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, turkish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, turkish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR hword_asciipart WITH turkish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR asciihword WITH turkish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, turkish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.turkish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION turkish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.turkish_unaccent IS 'pg_catalog.turkish with unaccent before its dictionaries (search_language turkish).';


--
-- Name: yiddish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: extensions; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR asciiword WITH yiddish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR word WITH extensions.unaccent, yiddish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR hword_part WITH extensions.unaccent, yiddish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR hword_asciipart WITH yiddish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR asciihword WITH yiddish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR hword WITH extensions.unaccent, yiddish_stem;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent
    ADD MAPPING FOR uint WITH simple;


--
-- Name: TEXT SEARCH CONFIGURATION yiddish_unaccent; Type: COMMENT; Schema: extensions; Owner: -
--

COMMENT ON TEXT SEARCH CONFIGURATION extensions.yiddish_unaccent IS 'pg_catalog.yiddish with unaccent before its dictionaries (search_language yiddish).';


--
-- Name: booking_history; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.booking_history (
    id bigint NOT NULL,
    org_id uuid NOT NULL,
    booking_id uuid NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor_id uuid,
    action text NOT NULL,
    from_status app.booking_status,
    to_status app.booking_status,
    from_start timestamp with time zone,
    to_start timestamp with time zone
);

ALTER TABLE ONLY app.booking_history FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE booking_history; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.booking_history IS 'One row per change of a booking, written by trigger: who, when, what moved.';


--
-- Name: booking_history_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.booking_history ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.booking_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: booking_notes; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.booking_notes (
    booking_id uuid NOT NULL,
    org_id uuid NOT NULL,
    internal_note text DEFAULT ''::text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT booking_notes_internal_note_check CHECK ((length(internal_note) <= 5000))
);

ALTER TABLE ONLY app.booking_notes FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE booking_notes; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.booking_notes IS 'Internal notes on a booking: organization members only, never the customer (a separate table so RLS, not column grants, guards them).';


--
-- Name: booking_series; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.booking_series (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    provider_id uuid NOT NULL,
    service_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    every_weeks smallint NOT NULL,
    occurrences smallint NOT NULL,
    first_start timestamp with time zone NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT booking_series_every_weeks_check CHECK ((every_weeks = ANY (ARRAY[1, 2, 4]))),
    CONSTRAINT booking_series_occurrences_check CHECK (((occurrences >= 2) AND (occurrences <= 52)))
);

ALTER TABLE ONLY app.booking_series FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE booking_series; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.booking_series IS 'A recurring booking: every 1, 2 or 4 weeks at the same local wall-clock time in the provider''s zone; its occurrences are rows of app.bookings with series_id.';


--
-- Name: calendar_feeds; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.calendar_feeds (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    provider_id uuid,
    user_id uuid,
    token_hash bytea NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT calendar_feeds_check CHECK ((num_nonnulls(provider_id, user_id) = 1))
);

ALTER TABLE ONLY app.calendar_feeds FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE calendar_feeds; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.calendar_feeds IS 'One secret feed URL per provider and per user, stored as the sha256 of its token; issuing a new one replaces (revokes) the old.';


--
-- Name: date_overrides; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.date_overrides (
    org_id uuid NOT NULL,
    provider_id uuid NOT NULL,
    on_date date NOT NULL,
    windows tsrange[] DEFAULT '{}'::tsrange[] NOT NULL
);

ALTER TABLE ONLY app.date_overrides FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE date_overrides; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.date_overrides IS 'Replaces the weekly hours on one local date; windows are wall-clock ranges on that date, {} = closed.';


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.idempotency_keys (
    user_id uuid NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    response_status integer,
    response_body text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_key_check CHECK (((length(key) >= 1) AND (length(key) <= 255)))
);

ALTER TABLE ONLY app.idempotency_keys FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE idempotency_keys; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.idempotency_keys IS 'Idempotency-Key per user: the first request''s body hash and response, replayed for the same body.';


--
-- Name: memberships; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.memberships (
    org_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role app.member_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app.memberships FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE memberships; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.memberships IS 'Who works for an organization, and as what. Looked up by every policy; never taken from a token.';


--
-- Name: provider_former_people; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.provider_former_people (
    provider_id uuid NOT NULL,
    user_id uuid NOT NULL,
    unlinked_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app.provider_former_people FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE provider_former_people; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.provider_former_people IS 'Accounts once linked to a provider profile (written by a trigger when providers.user_id changes), so erasure finds the profile after an unlink. Owner-only.';


--
-- Name: resource_claims; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.resource_claims (
    org_id uuid NOT NULL,
    booking_id uuid NOT NULL,
    resource_id uuid NOT NULL,
    unit smallint NOT NULL,
    blocked tstzrange NOT NULL,
    claimed tstzrange NOT NULL,
    CONSTRAINT resource_claims_unit_check CHECK ((unit >= 1))
);

ALTER TABLE ONLY app.resource_claims FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE resource_claims; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.resource_claims IS 'Which unit of which resource a live hold or active booking uses, over the booking''s blocked and claimed ranges; one unit is never used twice at once (resource_claims_no_overlap). Kept by trigger on app.bookings.';


--
-- Name: service_providers; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.service_providers (
    org_id uuid NOT NULL,
    service_id uuid NOT NULL,
    provider_id uuid NOT NULL
);

ALTER TABLE ONLY app.service_providers FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE service_providers; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.service_providers IS 'Which providers offer which services (same organization by construction).';


--
-- Name: service_resources; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.service_resources (
    org_id uuid NOT NULL,
    service_id uuid NOT NULL,
    kind text NOT NULL,
    count smallint NOT NULL,
    CONSTRAINT service_resources_count_check CHECK (((count >= 1) AND (count <= 100))),
    CONSTRAINT service_resources_kind_check CHECK ((kind ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text))
);

ALTER TABLE ONLY app.service_resources FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE service_resources; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.service_resources IS 'What a service needs besides its provider: count resources of a kind, for the whole blocked time.';


--
-- Name: time_off; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.time_off (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    org_id uuid NOT NULL,
    provider_id uuid NOT NULL,
    period tstzrange NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT time_off_period_check CHECK (((NOT isempty(period)) AND (NOT lower_inf(period)) AND (NOT upper_inf(period)))),
    CONSTRAINT time_off_reason_check CHECK ((length(reason) <= 1000))
);

ALTER TABLE ONLY app.time_off FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE time_off; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.time_off IS 'Absences as instant ranges. The reason is visible to organization members only.';


--
-- Name: waitlist_entries_line_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.waitlist_entries ALTER COLUMN line ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.waitlist_entries_line_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: working_hours; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.working_hours (
    id bigint NOT NULL,
    org_id uuid NOT NULL,
    provider_id uuid NOT NULL,
    weekday smallint NOT NULL,
    starts time without time zone NOT NULL,
    ends time without time zone NOT NULL,
    valid_from date,
    valid_until date,
    CONSTRAINT working_hours_check CHECK ((ends > starts)),
    CONSTRAINT working_hours_check1 CHECK (((valid_until IS NULL) OR (valid_from IS NULL) OR (valid_until >= valid_from))),
    CONSTRAINT working_hours_weekday_check CHECK (((weekday >= 1) AND (weekday <= 7)))
);

ALTER TABLE ONLY app.working_hours FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE working_hours; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.working_hours IS 'Weekly windows in the provider''s local wall-clock time (ISO weekday, Monday = 1); several a day, never overlapping.';


--
-- Name: working_hours_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.working_hours ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.working_hours_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: log_id_seq; Type: SEQUENCE; Schema: audit; Owner: -
--

ALTER TABLE audit.log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME audit.log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: common_passwords; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.common_passwords (
    password text NOT NULL
);

ALTER TABLE ONLY auth.common_passwords FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE common_passwords; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.common_passwords IS 'Built-in block list (lower case) checked by private.check_password().';


--
-- Name: login_failures; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.login_failures (
    id bigint NOT NULL,
    email extensions.citext NOT NULL,
    failed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY auth.login_failures FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE login_failures; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.login_failures IS 'Failed logins by email (known or not, so lockout does not reveal which accounts exist).';


--
-- Name: login_failures_id_seq; Type: SEQUENCE; Schema: auth; Owner: -
--

ALTER TABLE auth.login_failures ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME auth.login_failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: one_time_tokens; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.one_time_tokens (
    id bigint NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    token_hash bytea NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT one_time_tokens_purpose_check CHECK ((purpose = ANY (ARRAY['password_reset'::text, 'email_verification'::text])))
);

ALTER TABLE ONLY auth.one_time_tokens FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE one_time_tokens; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.one_time_tokens IS 'Single-purpose, single-use tokens of password-reset and email-verification links, stored as sha256 only. Opaque random text, never a JWT, so never an access token.';


--
-- Name: one_time_tokens_id_seq; Type: SEQUENCE; Schema: auth; Owner: -
--

ALTER TABLE auth.one_time_tokens ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME auth.one_time_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: password_reset_requests; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.password_reset_requests (
    id bigint NOT NULL,
    email_hash bytea NOT NULL,
    requested_at timestamp with time zone NOT NULL,
    CONSTRAINT password_reset_requests_email_hash_check CHECK ((length(email_hash) = 32))
);

ALTER TABLE ONLY auth.password_reset_requests FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE password_reset_requests; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.password_reset_requests IS 'Password-reset requests by sha256 of the address, known or not; kept a day, to throttle per address. Owner-only.';


--
-- Name: password_reset_requests_id_seq; Type: SEQUENCE; Schema: auth; Owner: -
--

ALTER TABLE auth.password_reset_requests ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME auth.password_reset_requests_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: refresh_tokens; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.refresh_tokens (
    id bigint NOT NULL,
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    parent_id bigint,
    access_claims jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    used_at timestamp with time zone
);

ALTER TABLE ONLY auth.refresh_tokens FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE refresh_tokens; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.refresh_tokens IS 'Single-use refresh tokens, stored as sha256 only, chained per session (parent_id).';


--
-- Name: COLUMN refresh_tokens.access_claims; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON COLUMN auth.refresh_tokens.access_claims IS 'Claims of the access token issued beside this token, so a grace-window replay returns the same pair.';


--
-- Name: refresh_tokens_id_seq; Type: SEQUENCE; Schema: auth; Owner: -
--

ALTER TABLE auth.refresh_tokens ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME auth.refresh_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: sessions; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    user_agent text,
    ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    CONSTRAINT sessions_user_agent_check CHECK ((length(user_agent) <= 512))
);

ALTER TABLE ONLY auth.sessions FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE sessions; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.sessions IS 'One row per login (device). The sid claim of access tokens; revoking it refuses its tokens at once.';


--
-- Name: verified_tokens; Type: TABLE; Schema: auth; Owner: -
--

CREATE TABLE auth.verified_tokens (
    token_hash bytea NOT NULL,
    kid text NOT NULL,
    sid uuid NOT NULL,
    claims jsonb NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    verified_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT verified_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY auth.verified_tokens FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE verified_tokens; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON TABLE auth.verified_tokens IS 'Claims of access tokens whose signature verified, by sha256 of the token, so that each later statement of a direct client re-checks only expiry and the session. Owner-only.';


--
-- Name: COLUMN verified_tokens.expires_at; Type: COMMENT; Schema: auth; Owner: -
--

COMMENT ON COLUMN auth.verified_tokens.expires_at IS 'The token''s exp plus the clock leeway: after it the entry is useless and is purged.';


--
-- Name: consents_id_seq; Type: SEQUENCE; Schema: gdpr; Owner: -
--

ALTER TABLE gdpr.consents ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME gdpr.consents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: applied; Type: TABLE; Schema: migrations; Owner: -
--

CREATE TABLE migrations.applied (
    version text NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: code; Type: TABLE; Schema: migrations; Owner: -
--

CREATE TABLE migrations.code (
    file text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: messages_id_seq; Type: SEQUENCE; Schema: outbox; Owner: -
--

ALTER TABLE outbox.messages ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME outbox.messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: clock; Type: TABLE; Schema: private; Owner: -
--

CREATE TABLE private.clock (
    id boolean DEFAULT true NOT NULL,
    frozen_at timestamp with time zone NOT NULL,
    CONSTRAINT clock_id_check CHECK (id)
);

ALTER TABLE ONLY private.clock FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE clock; Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON TABLE private.clock IS 'When a row exists, private.now() returns its frozen_at. Tests only.';


--
-- Name: secrets; Type: TABLE; Schema: private; Owner: -
--

CREATE TABLE private.secrets (
    name text NOT NULL,
    value bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT secrets_value_check CHECK ((length(value) >= 32))
);

ALTER TABLE ONLY private.secrets FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE secrets; Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON TABLE private.secrets IS 'Random keys of this database (HMAC keys). Owner-only; never leaves the database.';


--
-- Name: settings; Type: TABLE; Schema: private; Owner: -
--

CREATE TABLE private.settings (
    name text NOT NULL,
    value text NOT NULL,
    description text NOT NULL
);

ALTER TABLE ONLY private.settings FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE settings; Type: COMMENT; Schema: private; Owner: -
--

COMMENT ON TABLE private.settings IS 'Tunable rules (bcrypt cost, token lifetimes, lockout). Change with UPDATE as the owner.';


--
-- Name: booking_history booking_history_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_history
    ADD CONSTRAINT booking_history_pkey PRIMARY KEY (id);


--
-- Name: booking_notes booking_notes_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_notes
    ADD CONSTRAINT booking_notes_pkey PRIMARY KEY (booking_id);


--
-- Name: booking_series booking_series_org_id_id_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_org_id_id_key UNIQUE (org_id, id);


--
-- Name: booking_series booking_series_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_pkey PRIMARY KEY (id);


--
-- Name: bookings bookings_no_overlap; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (org_id WITH =, provider_id WITH =, blocked WITH &&, claimed WITH &&) WHERE ((status = ANY (ARRAY['held'::app.booking_status, 'pending'::app.booking_status, 'confirmed'::app.booking_status])));


--
-- Name: bookings bookings_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_pkey PRIMARY KEY (id);


--
-- Name: calendar_feeds calendar_feeds_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.calendar_feeds
    ADD CONSTRAINT calendar_feeds_pkey PRIMARY KEY (id);


--
-- Name: calendar_feeds calendar_feeds_token_hash_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.calendar_feeds
    ADD CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash);


--
-- Name: date_overrides date_overrides_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.date_overrides
    ADD CONSTRAINT date_overrides_pkey PRIMARY KEY (provider_id, on_date);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key);


--
-- Name: invitations invitations_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (id);


--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (org_id, user_id);


--
-- Name: organizations organizations_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);


--
-- Name: organizations organizations_slug_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);


--
-- Name: provider_former_people provider_former_people_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.provider_former_people
    ADD CONSTRAINT provider_former_people_pkey PRIMARY KEY (provider_id, user_id);


--
-- Name: providers providers_org_id_id_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.providers
    ADD CONSTRAINT providers_org_id_id_key UNIQUE (org_id, id);


--
-- Name: providers providers_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.providers
    ADD CONSTRAINT providers_pkey PRIMARY KEY (id);


--
-- Name: resource_claims resource_claims_no_overlap; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resource_claims
    ADD CONSTRAINT resource_claims_no_overlap EXCLUDE USING gist (resource_id WITH =, unit WITH =, blocked WITH &&, claimed WITH &&);


--
-- Name: resource_claims resource_claims_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resource_claims
    ADD CONSTRAINT resource_claims_pkey PRIMARY KEY (booking_id, resource_id, unit);


--
-- Name: resources resources_org_id_id_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resources
    ADD CONSTRAINT resources_org_id_id_key UNIQUE (org_id, id);


--
-- Name: resources resources_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resources
    ADD CONSTRAINT resources_pkey PRIMARY KEY (id);


--
-- Name: service_providers service_providers_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.service_providers
    ADD CONSTRAINT service_providers_pkey PRIMARY KEY (service_id, provider_id);


--
-- Name: service_resources service_resources_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.service_resources
    ADD CONSTRAINT service_resources_pkey PRIMARY KEY (service_id, kind);


--
-- Name: services services_org_id_id_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.services
    ADD CONSTRAINT services_org_id_id_key UNIQUE (org_id, id);


--
-- Name: services services_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.services
    ADD CONSTRAINT services_pkey PRIMARY KEY (id);


--
-- Name: time_off time_off_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.time_off
    ADD CONSTRAINT time_off_pkey PRIMARY KEY (id);


--
-- Name: waitlist_entries waitlist_entries_line_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.waitlist_entries
    ADD CONSTRAINT waitlist_entries_line_key UNIQUE (line);


--
-- Name: waitlist_entries waitlist_entries_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.waitlist_entries
    ADD CONSTRAINT waitlist_entries_pkey PRIMARY KEY (id);


--
-- Name: working_hours working_hours_no_overlap; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.working_hours
    ADD CONSTRAINT working_hours_no_overlap EXCLUDE USING gist (provider_id WITH =, weekday WITH =, tsrange(('2000-01-01'::date + starts), ('2000-01-01'::date + ends)) WITH &&, daterange(valid_from, valid_until, '[]'::text) WITH &&);


--
-- Name: working_hours working_hours_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.working_hours
    ADD CONSTRAINT working_hours_pkey PRIMARY KEY (id);


--
-- Name: log log_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.log
    ADD CONSTRAINT log_pkey PRIMARY KEY (id);


--
-- Name: common_passwords common_passwords_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.common_passwords
    ADD CONSTRAINT common_passwords_pkey PRIMARY KEY (password);


--
-- Name: jwt_keys jwt_keys_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.jwt_keys
    ADD CONSTRAINT jwt_keys_pkey PRIMARY KEY (kid);


--
-- Name: login_failures login_failures_email_length; Type: CHECK CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE auth.login_failures
    ADD CONSTRAINT login_failures_email_length CHECK ((length((email)::text) <= 254)) NOT VALID;


--
-- Name: login_failures login_failures_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (id);


--
-- Name: one_time_tokens one_time_tokens_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.one_time_tokens
    ADD CONSTRAINT one_time_tokens_pkey PRIMARY KEY (id);


--
-- Name: one_time_tokens one_time_tokens_token_hash_key; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.one_time_tokens
    ADD CONSTRAINT one_time_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: password_reset_requests password_reset_requests_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.password_reset_requests
    ADD CONSTRAINT password_reset_requests_pkey PRIMARY KEY (id);


--
-- Name: refresh_tokens refresh_tokens_parent_id_key; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.refresh_tokens
    ADD CONSTRAINT refresh_tokens_parent_id_key UNIQUE (parent_id);


--
-- Name: refresh_tokens refresh_tokens_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);


--
-- Name: refresh_tokens refresh_tokens_token_hash_key; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.refresh_tokens
    ADD CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: verified_tokens verified_tokens_pkey; Type: CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.verified_tokens
    ADD CONSTRAINT verified_tokens_pkey PRIMARY KEY (token_hash);


--
-- Name: consents consents_pkey; Type: CONSTRAINT; Schema: gdpr; Owner: -
--

ALTER TABLE ONLY gdpr.consents
    ADD CONSTRAINT consents_pkey PRIMARY KEY (id);


--
-- Name: applied applied_pkey; Type: CONSTRAINT; Schema: migrations; Owner: -
--

ALTER TABLE ONLY migrations.applied
    ADD CONSTRAINT applied_pkey PRIMARY KEY (version);


--
-- Name: code code_pkey; Type: CONSTRAINT; Schema: migrations; Owner: -
--

ALTER TABLE ONLY migrations.code
    ADD CONSTRAINT code_pkey PRIMARY KEY (file);


--
-- Name: messages messages_message_id_key; Type: CONSTRAINT; Schema: outbox; Owner: -
--

ALTER TABLE ONLY outbox.messages
    ADD CONSTRAINT messages_message_id_key UNIQUE (message_id);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: outbox; Owner: -
--

ALTER TABLE ONLY outbox.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);


--
-- Name: clock clock_pkey; Type: CONSTRAINT; Schema: private; Owner: -
--

ALTER TABLE ONLY private.clock
    ADD CONSTRAINT clock_pkey PRIMARY KEY (id);


--
-- Name: secrets secrets_pkey; Type: CONSTRAINT; Schema: private; Owner: -
--

ALTER TABLE ONLY private.secrets
    ADD CONSTRAINT secrets_pkey PRIMARY KEY (name);


--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: private; Owner: -
--

ALTER TABLE ONLY private.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (name);


--
-- Name: booking_history_booking_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX booking_history_booking_idx ON app.booking_history USING btree (booking_id, id);


--
-- Name: booking_history_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX booking_history_org_id_idx ON app.booking_history USING btree (org_id);


--
-- Name: booking_notes_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX booking_notes_org_id_idx ON app.booking_notes USING btree (org_id);


--
-- Name: booking_series_customer_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX booking_series_customer_idx ON app.booking_series USING btree (customer_id);


--
-- Name: booking_series_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX booking_series_org_id_idx ON app.booking_series USING btree (org_id);


--
-- Name: booking_series_provider_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX booking_series_provider_id_idx ON app.booking_series USING btree (provider_id);


--
-- Name: bookings_customer_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX bookings_customer_idx ON app.bookings USING btree (customer_id, starts_at, id);


--
-- Name: bookings_hold_expiry_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX bookings_hold_expiry_idx ON app.bookings USING btree (hold_expires_at) WHERE (status = 'held'::app.booking_status);


--
-- Name: bookings_org_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX bookings_org_idx ON app.bookings USING btree (org_id, starts_at, id);


--
-- Name: bookings_provider_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX bookings_provider_idx ON app.bookings USING btree (provider_id, starts_at, id);


--
-- Name: bookings_reminder_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX bookings_reminder_idx ON app.bookings USING btree (starts_at) WHERE (status = ANY (ARRAY['pending'::app.booking_status, 'confirmed'::app.booking_status]));


--
-- Name: bookings_series_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX bookings_series_idx ON app.bookings USING btree (series_id, starts_at) WHERE (series_id IS NOT NULL);


--
-- Name: calendar_feeds_provider_key; Type: INDEX; Schema: app; Owner: -
--

CREATE UNIQUE INDEX calendar_feeds_provider_key ON app.calendar_feeds USING btree (provider_id) WHERE (provider_id IS NOT NULL);


--
-- Name: calendar_feeds_user_key; Type: INDEX; Schema: app; Owner: -
--

CREATE UNIQUE INDEX calendar_feeds_user_key ON app.calendar_feeds USING btree (user_id) WHERE (user_id IS NOT NULL);


--
-- Name: date_overrides_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX date_overrides_org_id_idx ON app.date_overrides USING btree (org_id);


--
-- Name: events_at_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX events_at_idx ON app.events USING btree (at);


--
-- Name: events_booking_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX events_booking_id_idx ON app.events USING btree (booking_id) WHERE (booking_id IS NOT NULL);


--
-- Name: events_provider_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX events_provider_id_idx ON app.events USING btree (provider_id, id);


--
-- Name: invitations_email_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX invitations_email_idx ON app.invitations USING btree (email);


--
-- Name: invitations_invited_by_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX invitations_invited_by_idx ON app.invitations USING btree (invited_by);


--
-- Name: invitations_open_key; Type: INDEX; Schema: app; Owner: -
--

CREATE UNIQUE INDEX invitations_open_key ON app.invitations USING btree (org_id, email) WHERE ((accepted_at IS NULL) AND (declined_at IS NULL) AND (revoked_at IS NULL));


--
-- Name: invitations_org_id_created_at_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX invitations_org_id_created_at_idx ON app.invitations USING btree (org_id, created_at, id);


--
-- Name: memberships_user_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX memberships_user_id_idx ON app.memberships USING btree (user_id);


--
-- Name: organizations_search_language_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX organizations_search_language_idx ON app.organizations USING btree (search_language);


--
-- Name: provider_former_people_user_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX provider_former_people_user_id_idx ON app.provider_former_people USING btree (user_id);


--
-- Name: providers_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX providers_org_id_idx ON app.providers USING btree (org_id);


--
-- Name: providers_search_document_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX providers_search_document_idx ON app.providers USING gin (search_document);


--
-- Name: providers_search_name_trgm_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX providers_search_name_trgm_idx ON app.providers USING gin (search_name extensions.gin_trgm_ops);


--
-- Name: providers_user_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX providers_user_id_idx ON app.providers USING btree (user_id);


--
-- Name: resource_claims_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX resource_claims_org_id_idx ON app.resource_claims USING btree (org_id);


--
-- Name: resources_org_kind_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX resources_org_kind_idx ON app.resources USING btree (org_id, kind);


--
-- Name: service_providers_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX service_providers_org_id_idx ON app.service_providers USING btree (org_id);


--
-- Name: service_providers_provider_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX service_providers_provider_id_idx ON app.service_providers USING btree (provider_id);


--
-- Name: service_resources_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX service_resources_org_id_idx ON app.service_resources USING btree (org_id, kind);


--
-- Name: services_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX services_org_id_idx ON app.services USING btree (org_id);


--
-- Name: services_search_document_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX services_search_document_idx ON app.services USING gin (search_document);


--
-- Name: services_search_name_trgm_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX services_search_name_trgm_idx ON app.services USING gin (search_name extensions.gin_trgm_ops);


--
-- Name: time_off_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX time_off_org_id_idx ON app.time_off USING btree (org_id);


--
-- Name: time_off_provider_period_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX time_off_provider_period_idx ON app.time_off USING gist (provider_id, period);


--
-- Name: waitlist_entries_customer_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX waitlist_entries_customer_idx ON app.waitlist_entries USING btree (customer_id, created_at);


--
-- Name: waitlist_entries_hold_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX waitlist_entries_hold_idx ON app.waitlist_entries USING btree (hold_id) WHERE (hold_id IS NOT NULL);


--
-- Name: waitlist_entries_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX waitlist_entries_org_id_idx ON app.waitlist_entries USING btree (org_id);


--
-- Name: waitlist_entries_provider_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX waitlist_entries_provider_idx ON app.waitlist_entries USING btree (provider_id) WHERE (provider_id IS NOT NULL);


--
-- Name: waitlist_entries_service_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX waitlist_entries_service_idx ON app.waitlist_entries USING btree (service_id);


--
-- Name: waitlist_entries_waiting_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX waitlist_entries_waiting_idx ON app.waitlist_entries USING btree (org_id, line) WHERE (status = 'waiting'::text);


--
-- Name: working_hours_org_id_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX working_hours_org_id_idx ON app.working_hours USING btree (org_id);


--
-- Name: log_actor_id_at_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX log_actor_id_at_idx ON audit.log USING btree (actor_id, at DESC, id DESC);


--
-- Name: log_at_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX log_at_idx ON audit.log USING btree (at);


--
-- Name: log_org_id_at_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX log_org_id_at_idx ON audit.log USING btree (org_id, at DESC, id DESC);


--
-- Name: log_subject_user_id_at_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX log_subject_user_id_at_idx ON audit.log USING btree (subject_user_id, at DESC, id DESC);


--
-- Name: log_table_row_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX log_table_row_idx ON audit.log USING btree (table_name, row_id);


--
-- Name: login_failures_email_failed_at_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX login_failures_email_failed_at_idx ON auth.login_failures USING btree (email, failed_at);


--
-- Name: one_time_tokens_user_id_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX one_time_tokens_user_id_idx ON auth.one_time_tokens USING btree (user_id, purpose);


--
-- Name: password_reset_requests_email_hash_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX password_reset_requests_email_hash_idx ON auth.password_reset_requests USING btree (email_hash, requested_at);


--
-- Name: password_reset_requests_requested_at_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX password_reset_requests_requested_at_idx ON auth.password_reset_requests USING btree (requested_at);


--
-- Name: refresh_tokens_session_id_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX refresh_tokens_session_id_idx ON auth.refresh_tokens USING btree (session_id);


--
-- Name: refresh_tokens_user_id_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX refresh_tokens_user_id_idx ON auth.refresh_tokens USING btree (user_id);


--
-- Name: sessions_user_id_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX sessions_user_id_idx ON auth.sessions USING btree (user_id);


--
-- Name: verified_tokens_expires_at_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX verified_tokens_expires_at_idx ON auth.verified_tokens USING btree (expires_at);


--
-- Name: verified_tokens_kid_idx; Type: INDEX; Schema: auth; Owner: -
--

CREATE INDEX verified_tokens_kid_idx ON auth.verified_tokens USING btree (kid);


--
-- Name: consents_user_id_purpose_at_idx; Type: INDEX; Schema: gdpr; Owner: -
--

CREATE INDEX consents_user_id_purpose_at_idx ON gdpr.consents USING btree (user_id, purpose, at DESC, id DESC);


--
-- Name: messages_booking_id_idx; Type: INDEX; Schema: outbox; Owner: -
--

CREATE INDEX messages_booking_id_idx ON outbox.messages USING btree (booking_id);


--
-- Name: messages_claim_idx; Type: INDEX; Schema: outbox; Owner: -
--

CREATE INDEX messages_claim_idx ON outbox.messages USING btree (next_attempt_at, id) WHERE (status = 'pending'::text);


--
-- Name: messages_recipient_id_idx; Type: INDEX; Schema: outbox; Owner: -
--

CREATE INDEX messages_recipient_id_idx ON outbox.messages USING btree (recipient_id);


--
-- Name: booking_notes audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.booking_notes FOR EACH ROW EXECUTE FUNCTION private.audit_row('booking_id', '', 'org_id', 'booking:booking_id');


--
-- Name: booking_series audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.booking_series FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'org_id', 'customer_id');


--
-- Name: bookings audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', 'blocked,claimed', 'org_id', 'customer_id');


--
-- Name: date_overrides audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.date_overrides FOR EACH ROW EXECUTE FUNCTION private.audit_row('provider_id,on_date', '', 'org_id', 'provider:provider_id');


--
-- Name: invitations audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.invitations FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'org_id', '');


--
-- Name: memberships audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.memberships FOR EACH ROW EXECUTE FUNCTION private.audit_row('org_id,user_id', '', 'org_id', 'user_id');


--
-- Name: organizations audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.organizations FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'id', '');


--
-- Name: providers audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.providers FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', 'search_document,search_name', 'org_id', 'user_id');


--
-- Name: resources audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.resources FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'org_id', '');


--
-- Name: service_resources audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.service_resources FOR EACH ROW EXECUTE FUNCTION private.audit_row('service_id,kind', '', 'org_id', '');


--
-- Name: services audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.services FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', 'search_document,search_name', 'org_id', '');


--
-- Name: time_off audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.time_off FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'org_id', 'provider:provider_id');


--
-- Name: waitlist_entries audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.waitlist_entries FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'org_id', 'customer_id');


--
-- Name: working_hours audit_changes; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON app.working_hours FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', 'org_id', 'provider:provider_id');


--
-- Name: bookings bookings_claim_resources; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_claim_resources AFTER INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.sync_resource_claims();


--
-- Name: bookings bookings_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_events AFTER INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.booking_events();


--
-- Name: bookings bookings_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_freed_time AFTER UPDATE ON app.bookings FOR EACH ROW WHEN ((old.status = ANY (ARRAY['pending'::app.booking_status, 'confirmed'::app.booking_status]))) EXECUTE FUNCTION private.booking_freed_time();


--
-- Name: bookings bookings_history; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_history AFTER INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.record_booking_change();


--
-- Name: bookings bookings_hold_deleted_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_hold_deleted_events AFTER DELETE ON app.bookings FOR EACH ROW WHEN ((old.status = 'held'::app.booking_status)) EXECUTE FUNCTION private.hold_deleted_events();


--
-- Name: bookings bookings_hold_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_hold_freed_time AFTER DELETE ON app.bookings FOR EACH ROW WHEN ((old.status = 'held'::app.booking_status)) EXECUTE FUNCTION private.booking_freed_time();


--
-- Name: bookings bookings_hold_lapsed; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_hold_lapsed BEFORE DELETE ON app.bookings FOR EACH ROW WHEN ((old.status = 'held'::app.booking_status)) EXECUTE FUNCTION private.hold_lapsed();


--
-- Name: bookings bookings_outbox_inserted; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_outbox_inserted AFTER INSERT ON app.bookings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.booking_inserted();


--
-- Name: bookings bookings_outbox_updated; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_outbox_updated AFTER UPDATE ON app.bookings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.booking_updated();


--
-- Name: bookings bookings_stamp_claim; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_stamp_claim BEFORE INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.stamp_claim();


--
-- Name: bookings bookings_touch_updated_at; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER bookings_touch_updated_at BEFORE UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();


--
-- Name: date_overrides date_overrides_delete_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER date_overrides_delete_events AFTER DELETE ON app.date_overrides REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: date_overrides date_overrides_deleted_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER date_overrides_deleted_freed_time AFTER DELETE ON app.date_overrides REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_freed_time();


--
-- Name: date_overrides date_overrides_insert_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER date_overrides_insert_events AFTER INSERT ON app.date_overrides REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: date_overrides date_overrides_inserted_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER date_overrides_inserted_freed_time AFTER INSERT ON app.date_overrides REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_freed_time();


--
-- Name: date_overrides date_overrides_update_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER date_overrides_update_events AFTER UPDATE ON app.date_overrides REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: date_overrides date_overrides_updated_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER date_overrides_updated_freed_time AFTER UPDATE ON app.date_overrides REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_freed_time();


--
-- Name: organizations organizations_check; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER organizations_check BEFORE INSERT OR UPDATE ON app.organizations FOR EACH ROW EXECUTE FUNCTION private.check_organization();


--
-- Name: organizations organizations_search_reindex; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER organizations_search_reindex AFTER UPDATE OF search_language ON app.organizations FOR EACH ROW WHEN ((new.search_language IS DISTINCT FROM old.search_language)) EXECUTE FUNCTION private.reindex_org_search();


--
-- Name: organizations organizations_touch_updated_at; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER organizations_touch_updated_at BEFORE UPDATE ON app.organizations FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();


--
-- Name: providers providers_check; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER providers_check BEFORE INSERT OR UPDATE ON app.providers FOR EACH ROW EXECUTE FUNCTION private.check_provider();


--
-- Name: providers providers_member_on_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER providers_member_on_insert AFTER INSERT ON app.providers FOR EACH ROW WHEN ((new.user_id IS NOT NULL)) EXECUTE FUNCTION private.require_provider_member();


--
-- Name: providers providers_member_on_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER providers_member_on_update AFTER UPDATE OF user_id ON app.providers FOR EACH ROW WHEN (((new.user_id IS NOT NULL) AND (new.user_id IS DISTINCT FROM old.user_id))) EXECUTE FUNCTION private.require_provider_member();


--
-- Name: providers providers_remember_person; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER providers_remember_person AFTER UPDATE OF user_id ON app.providers FOR EACH ROW WHEN (((old.user_id IS NOT NULL) AND (old.user_id IS DISTINCT FROM new.user_id))) EXECUTE FUNCTION private.remember_provider_person();


--
-- Name: providers providers_search_config; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER providers_search_config BEFORE INSERT OR UPDATE ON app.providers FOR EACH ROW EXECUTE FUNCTION private.set_search_config();


--
-- Name: providers providers_touch_updated_at; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER providers_touch_updated_at BEFORE UPDATE ON app.providers FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();


--
-- Name: resources resources_check; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER resources_check BEFORE INSERT OR UPDATE ON app.resources FOR EACH ROW EXECUTE FUNCTION private.check_resource();


--
-- Name: resources resources_guard_claims; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER resources_guard_claims BEFORE DELETE OR UPDATE ON app.resources FOR EACH ROW EXECUTE FUNCTION private.guard_resource_claims();


--
-- Name: resources resources_touch_updated_at; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER resources_touch_updated_at BEFORE UPDATE ON app.resources FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();


--
-- Name: services services_check; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER services_check BEFORE INSERT OR UPDATE ON app.services FOR EACH ROW EXECUTE FUNCTION private.check_service();


--
-- Name: services services_search_config; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER services_search_config BEFORE INSERT OR UPDATE ON app.services FOR EACH ROW EXECUTE FUNCTION private.set_search_config();


--
-- Name: services services_touch_updated_at; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER services_touch_updated_at BEFORE UPDATE ON app.services FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();


--
-- Name: time_off time_off_created_by; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER time_off_created_by BEFORE INSERT ON app.time_off FOR EACH ROW EXECUTE FUNCTION private.time_off_created_by();


--
-- Name: time_off time_off_delete_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER time_off_delete_events AFTER DELETE ON app.time_off REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: time_off time_off_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER time_off_freed_time AFTER DELETE ON app.time_off REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_freed_time();


--
-- Name: time_off time_off_insert_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER time_off_insert_events AFTER INSERT ON app.time_off REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: time_off time_off_update_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER time_off_update_events AFTER UPDATE ON app.time_off REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: working_hours working_hours_delete_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER working_hours_delete_events AFTER DELETE ON app.working_hours REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: working_hours working_hours_insert_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER working_hours_insert_events AFTER INSERT ON app.working_hours REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: working_hours working_hours_inserted_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER working_hours_inserted_freed_time AFTER INSERT ON app.working_hours REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_freed_time();


--
-- Name: working_hours working_hours_update_events; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER working_hours_update_events AFTER UPDATE ON app.working_hours REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_events();


--
-- Name: working_hours working_hours_updated_freed_time; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER working_hours_updated_freed_time AFTER UPDATE ON app.working_hours REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION private.schedule_freed_time();


--
-- Name: users audit_changes; Type: TRIGGER; Schema: auth; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON auth.users FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', '', 'id');


--
-- Name: sessions sessions_deleted_events; Type: TRIGGER; Schema: auth; Owner: -
--

CREATE TRIGGER sessions_deleted_events AFTER DELETE ON auth.sessions FOR EACH ROW WHEN ((old.revoked_at IS NULL)) EXECUTE FUNCTION private.session_events();


--
-- Name: sessions sessions_revoked_events; Type: TRIGGER; Schema: auth; Owner: -
--

CREATE TRIGGER sessions_revoked_events AFTER UPDATE OF revoked_at ON auth.sessions FOR EACH ROW WHEN (((old.revoked_at IS NULL) AND (new.revoked_at IS NOT NULL))) EXECUTE FUNCTION private.session_events();


--
-- Name: users users_touch_updated_at; Type: TRIGGER; Schema: auth; Owner: -
--

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON auth.users FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();


--
-- Name: consents audit_changes; Type: TRIGGER; Schema: gdpr; Owner: -
--

CREATE TRIGGER audit_changes AFTER INSERT OR DELETE OR UPDATE ON gdpr.consents FOR EACH ROW EXECUTE FUNCTION private.audit_row('id', '', '', 'user_id');


--
-- Name: messages messages_notify; Type: TRIGGER; Schema: outbox; Owner: -
--

CREATE TRIGGER messages_notify AFTER INSERT ON outbox.messages FOR EACH STATEMENT EXECUTE FUNCTION private.notify_outbox();


--
-- Name: booking_history booking_history_actor_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_history
    ADD CONSTRAINT booking_history_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: booking_history booking_history_booking_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_history
    ADD CONSTRAINT booking_history_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES app.bookings(id) ON DELETE CASCADE;


--
-- Name: booking_notes booking_notes_booking_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_notes
    ADD CONSTRAINT booking_notes_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES app.bookings(id) ON DELETE CASCADE;


--
-- Name: booking_notes booking_notes_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_notes
    ADD CONSTRAINT booking_notes_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: booking_series booking_series_created_by_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: booking_series booking_series_customer_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES auth.users(id) ON DELETE RESTRICT;


--
-- Name: booking_series booking_series_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: booking_series booking_series_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE RESTRICT;


--
-- Name: booking_series booking_series_org_id_service_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.booking_series
    ADD CONSTRAINT booking_series_org_id_service_id_fkey FOREIGN KEY (org_id, service_id) REFERENCES app.services(org_id, id) ON DELETE RESTRICT;


--
-- Name: bookings bookings_created_by_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: bookings bookings_customer_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES auth.users(id) ON DELETE RESTRICT;


--
-- Name: bookings bookings_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE RESTRICT;


--
-- Name: bookings bookings_org_id_service_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_org_id_service_id_fkey FOREIGN KEY (org_id, service_id) REFERENCES app.services(org_id, id) ON DELETE RESTRICT;


--
-- Name: bookings bookings_series_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.bookings
    ADD CONSTRAINT bookings_series_id_fkey FOREIGN KEY (series_id) REFERENCES app.booking_series(id) ON DELETE SET NULL;


--
-- Name: calendar_feeds calendar_feeds_created_by_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.calendar_feeds
    ADD CONSTRAINT calendar_feeds_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: calendar_feeds calendar_feeds_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.calendar_feeds
    ADD CONSTRAINT calendar_feeds_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES app.providers(id) ON DELETE CASCADE;


--
-- Name: calendar_feeds calendar_feeds_user_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.calendar_feeds
    ADD CONSTRAINT calendar_feeds_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: date_overrides date_overrides_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.date_overrides
    ADD CONSTRAINT date_overrides_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE CASCADE;


--
-- Name: events events_booking_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.events
    ADD CONSTRAINT events_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES app.bookings(id) ON DELETE CASCADE;


--
-- Name: events events_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.events
    ADD CONSTRAINT events_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: idempotency_keys idempotency_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.idempotency_keys
    ADD CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: invitations invitations_invited_by_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.invitations
    ADD CONSTRAINT invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: invitations invitations_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.invitations
    ADD CONSTRAINT invitations_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: memberships memberships_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.memberships
    ADD CONSTRAINT memberships_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: memberships memberships_user_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: provider_former_people provider_former_people_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.provider_former_people
    ADD CONSTRAINT provider_former_people_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES app.providers(id) ON DELETE CASCADE;


--
-- Name: providers providers_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.providers
    ADD CONSTRAINT providers_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: providers providers_user_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.providers
    ADD CONSTRAINT providers_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: resource_claims resource_claims_booking_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resource_claims
    ADD CONSTRAINT resource_claims_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES app.bookings(id) ON DELETE CASCADE;


--
-- Name: resource_claims resource_claims_org_id_resource_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resource_claims
    ADD CONSTRAINT resource_claims_org_id_resource_id_fkey FOREIGN KEY (org_id, resource_id) REFERENCES app.resources(org_id, id) ON DELETE RESTRICT;


--
-- Name: resources resources_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.resources
    ADD CONSTRAINT resources_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: service_providers service_providers_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.service_providers
    ADD CONSTRAINT service_providers_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE CASCADE;


--
-- Name: service_providers service_providers_org_id_service_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.service_providers
    ADD CONSTRAINT service_providers_org_id_service_id_fkey FOREIGN KEY (org_id, service_id) REFERENCES app.services(org_id, id) ON DELETE CASCADE;


--
-- Name: service_resources service_resources_org_id_service_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.service_resources
    ADD CONSTRAINT service_resources_org_id_service_id_fkey FOREIGN KEY (org_id, service_id) REFERENCES app.services(org_id, id) ON DELETE CASCADE;


--
-- Name: services services_org_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.services
    ADD CONSTRAINT services_org_id_fkey FOREIGN KEY (org_id) REFERENCES app.organizations(id) ON DELETE CASCADE;


--
-- Name: time_off time_off_created_by_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.time_off
    ADD CONSTRAINT time_off_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: time_off time_off_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.time_off
    ADD CONSTRAINT time_off_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE CASCADE;


--
-- Name: waitlist_entries waitlist_entries_customer_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.waitlist_entries
    ADD CONSTRAINT waitlist_entries_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: waitlist_entries waitlist_entries_hold_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.waitlist_entries
    ADD CONSTRAINT waitlist_entries_hold_id_fkey FOREIGN KEY (hold_id) REFERENCES app.bookings(id) ON DELETE SET NULL;


--
-- Name: waitlist_entries waitlist_entries_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.waitlist_entries
    ADD CONSTRAINT waitlist_entries_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE CASCADE;


--
-- Name: waitlist_entries waitlist_entries_org_id_service_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.waitlist_entries
    ADD CONSTRAINT waitlist_entries_org_id_service_id_fkey FOREIGN KEY (org_id, service_id) REFERENCES app.services(org_id, id) ON DELETE CASCADE;


--
-- Name: working_hours working_hours_org_id_provider_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.working_hours
    ADD CONSTRAINT working_hours_org_id_provider_id_fkey FOREIGN KEY (org_id, provider_id) REFERENCES app.providers(org_id, id) ON DELETE CASCADE;


--
-- Name: one_time_tokens one_time_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.one_time_tokens
    ADD CONSTRAINT one_time_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: refresh_tokens refresh_tokens_parent_id_fkey; Type: FK CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.refresh_tokens
    ADD CONSTRAINT refresh_tokens_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES auth.refresh_tokens(id) ON DELETE CASCADE;


--
-- Name: refresh_tokens refresh_tokens_session_id_fkey; Type: FK CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES auth.sessions(id) ON DELETE CASCADE;


--
-- Name: refresh_tokens refresh_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.refresh_tokens
    ADD CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: auth; Owner: -
--

ALTER TABLE ONLY auth.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: consents consents_user_id_fkey; Type: FK CONSTRAINT; Schema: gdpr; Owner: -
--

ALTER TABLE ONLY gdpr.consents
    ADD CONSTRAINT consents_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: messages messages_booking_id_fkey; Type: FK CONSTRAINT; Schema: outbox; Owner: -
--

ALTER TABLE ONLY outbox.messages
    ADD CONSTRAINT messages_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES app.bookings(id) ON DELETE SET NULL;


--
-- Name: messages messages_recipient_id_fkey; Type: FK CONSTRAINT; Schema: outbox; Owner: -
--

ALTER TABLE ONLY outbox.messages
    ADD CONSTRAINT messages_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES auth.users(id) ON DELETE SET NULL;


--
-- Name: booking_history; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.booking_history ENABLE ROW LEVEL SECURITY;

--
-- Name: booking_notes; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.booking_notes ENABLE ROW LEVEL SECURITY;

--
-- Name: booking_series; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.booking_series ENABLE ROW LEVEL SECURITY;

--
-- Name: bookings; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.bookings ENABLE ROW LEVEL SECURITY;

--
-- Name: calendar_feeds; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.calendar_feeds ENABLE ROW LEVEL SECURITY;

--
-- Name: booking_series customers and staff read their series; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "customers and staff read their series" ON app.booking_series FOR SELECT TO authenticated USING (((customer_id = ( SELECT auth.uid() AS uid)) OR (org_id = ANY (( SELECT private.my_org_ids(private.staff_roles()) AS my_org_ids)::uuid[]))));


--
-- Name: waitlist_entries customers and staff read waitlist entries; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "customers and staff read waitlist entries" ON app.waitlist_entries FOR SELECT TO authenticated USING (((customer_id = ( SELECT auth.uid() AS uid)) OR (org_id = ANY (( SELECT private.my_org_ids(private.staff_roles()) AS my_org_ids)::uuid[]))));


--
-- Name: bookings customers, providers and staff read their bookings; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "customers, providers and staff read their bookings" ON app.bookings FOR SELECT TO authenticated USING (((customer_id = ( SELECT auth.uid() AS uid)) OR (provider_id = ANY (( SELECT private.my_provider_ids() AS my_provider_ids)::uuid[])) OR (org_id = ANY (( SELECT private.my_org_ids(private.staff_roles()) AS my_org_ids)::uuid[]))));


--
-- Name: date_overrides; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.date_overrides ENABLE ROW LEVEL SECURITY;

--
-- Name: events; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.events ENABLE ROW LEVEL SECURITY;

--
-- Name: idempotency_keys; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.idempotency_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: invitations; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.invitations ENABLE ROW LEVEL SECURITY;

--
-- Name: time_off members and the provider read time off; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "members and the provider read time off" ON app.time_off FOR SELECT TO authenticated USING ((( SELECT private.is_org_member(time_off.org_id) AS is_org_member) OR ( SELECT private.is_provider_self(time_off.provider_id) AS is_provider_self)));


--
-- Name: memberships members read their organization's memberships; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "members read their organization's memberships" ON app.memberships FOR SELECT TO authenticated USING (( SELECT private.is_org_member(memberships.org_id) AS is_org_member));


--
-- Name: resources members read their organization's resources; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "members read their organization's resources" ON app.resources FOR SELECT TO authenticated USING (( SELECT private.is_org_member(resources.org_id) AS is_org_member));


--
-- Name: memberships; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: organizations; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.organizations ENABLE ROW LEVEL SECURITY;

--
-- Name: providers owners and admins add providers; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins add providers" ON app.providers FOR INSERT TO authenticated WITH CHECK (( SELECT private.is_org_manager(providers.org_id) AS is_org_manager));


--
-- Name: resources owners and admins add resources; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins add resources" ON app.resources FOR INSERT TO authenticated WITH CHECK (( SELECT private.is_org_manager(resources.org_id) AS is_org_manager));


--
-- Name: services owners and admins add services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins add services" ON app.services FOR INSERT TO authenticated WITH CHECK (( SELECT private.is_org_manager(services.org_id) AS is_org_manager));


--
-- Name: resources owners and admins delete resources; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins delete resources" ON app.resources FOR DELETE TO authenticated USING (( SELECT private.is_org_manager(resources.org_id) AS is_org_manager));


--
-- Name: service_providers owners and admins link providers to services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins link providers to services" ON app.service_providers FOR INSERT TO authenticated WITH CHECK (( SELECT private.is_org_manager(service_providers.org_id) AS is_org_manager));


--
-- Name: service_resources owners and admins remove what services need; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins remove what services need" ON app.service_resources FOR DELETE TO authenticated USING (( SELECT private.is_org_manager(service_resources.org_id) AS is_org_manager));


--
-- Name: service_resources owners and admins set what services need; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins set what services need" ON app.service_resources FOR INSERT TO authenticated WITH CHECK (( SELECT private.is_org_manager(service_resources.org_id) AS is_org_manager));


--
-- Name: service_providers owners and admins unlink providers from services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins unlink providers from services" ON app.service_providers FOR DELETE TO authenticated USING (( SELECT private.is_org_manager(service_providers.org_id) AS is_org_manager));


--
-- Name: resources owners and admins update resources; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins update resources" ON app.resources FOR UPDATE TO authenticated USING (( SELECT private.is_org_manager(resources.org_id) AS is_org_manager)) WITH CHECK (( SELECT private.is_org_manager(resources.org_id) AS is_org_manager));


--
-- Name: services owners and admins update services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins update services" ON app.services FOR UPDATE TO authenticated USING (( SELECT private.is_org_manager(services.org_id) AS is_org_manager)) WITH CHECK (( SELECT private.is_org_manager(services.org_id) AS is_org_manager));


--
-- Name: organizations owners and admins update their organization; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners and admins update their organization" ON app.organizations FOR UPDATE TO authenticated USING (( SELECT private.is_org_manager(organizations.id) AS is_org_manager)) WITH CHECK (( SELECT private.is_org_manager(organizations.id) AS is_org_manager));


--
-- Name: working_hours owners, admins and the provider add working hours; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners, admins and the provider add working hours" ON app.working_hours FOR INSERT TO authenticated WITH CHECK ((( SELECT private.is_org_manager(working_hours.org_id) AS is_org_manager) OR ( SELECT private.is_provider_self(working_hours.provider_id) AS is_provider_self)));


--
-- Name: working_hours owners, admins and the provider remove working hours; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners, admins and the provider remove working hours" ON app.working_hours FOR DELETE TO authenticated USING ((( SELECT private.is_org_manager(working_hours.org_id) AS is_org_manager) OR ( SELECT private.is_provider_self(working_hours.provider_id) AS is_provider_self)));


--
-- Name: providers owners, admins and the provider themself update a provider; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "owners, admins and the provider themself update a provider" ON app.providers FOR UPDATE TO authenticated USING ((( SELECT private.is_org_manager(providers.org_id) AS is_org_manager) OR (user_id = ( SELECT auth.uid() AS uid)))) WITH CHECK ((( SELECT private.is_org_manager(providers.org_id) AS is_org_manager) OR (user_id = ( SELECT auth.uid() AS uid))));


--
-- Name: provider_former_people; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.provider_former_people ENABLE ROW LEVEL SECURITY;

--
-- Name: providers; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.providers ENABLE ROW LEVEL SECURITY;

--
-- Name: booking_history readers of a booking read its history; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "readers of a booking read its history" ON app.booking_history FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM app.bookings b
  WHERE (b.id = booking_history.booking_id))));


--
-- Name: resource_claims; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.resource_claims ENABLE ROW LEVEL SECURITY;

--
-- Name: resources; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.resources ENABLE ROW LEVEL SECURITY;

--
-- Name: service_providers; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.service_providers ENABLE ROW LEVEL SECURITY;

--
-- Name: service_resources; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.service_resources ENABLE ROW LEVEL SECURITY;

--
-- Name: services; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.services ENABLE ROW LEVEL SECURITY;

--
-- Name: date_overrides signed-in users read date overrides of visible providers; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "signed-in users read date overrides of visible providers" ON app.date_overrides FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM app.providers p
  WHERE (p.id = date_overrides.provider_id))));


--
-- Name: events signed-in users read events of providers and bookings they see; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "signed-in users read events of providers and bookings they see" ON app.events FOR SELECT TO authenticated USING ((((topic = 'availability'::text) AND (EXISTS ( SELECT 1
   FROM app.providers p
  WHERE (p.id = events.provider_id)))) OR ((topic = 'bookings'::text) AND (EXISTS ( SELECT 1
   FROM app.bookings b
  WHERE (b.id = events.booking_id))))));


--
-- Name: organizations signed-in users read organizations; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "signed-in users read organizations" ON app.organizations FOR SELECT TO authenticated USING (true);


--
-- Name: service_providers signed-in users read which providers offer which services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "signed-in users read which providers offer which services" ON app.service_providers FOR SELECT TO authenticated USING (true);


--
-- Name: working_hours signed-in users read working hours of visible providers; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "signed-in users read working hours of visible providers" ON app.working_hours FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM app.providers p
  WHERE (p.id = working_hours.provider_id))));


--
-- Name: date_overrides staff and the provider add date overrides; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "staff and the provider add date overrides" ON app.date_overrides FOR INSERT TO authenticated WITH CHECK ((( SELECT private.is_org_staff(date_overrides.org_id) AS is_org_staff) OR ( SELECT private.is_provider_self(date_overrides.provider_id) AS is_provider_self)));


--
-- Name: time_off staff and the provider add time off; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "staff and the provider add time off" ON app.time_off FOR INSERT TO authenticated WITH CHECK ((( SELECT private.is_org_staff(time_off.org_id) AS is_org_staff) OR ( SELECT private.is_provider_self(time_off.provider_id) AS is_provider_self)));


--
-- Name: booking_notes staff and the provider read internal notes; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "staff and the provider read internal notes" ON app.booking_notes FOR SELECT TO authenticated USING (((org_id = ANY (( SELECT private.my_org_ids(private.staff_roles()) AS my_org_ids)::uuid[])) OR (EXISTS ( SELECT 1
   FROM app.bookings b
  WHERE ((b.id = booking_notes.booking_id) AND (b.provider_id = ANY (( SELECT private.my_provider_ids() AS my_provider_ids)::uuid[])))))));


--
-- Name: resource_claims staff and the provider read resource claims; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "staff and the provider read resource claims" ON app.resource_claims FOR SELECT TO authenticated USING (((org_id = ANY (( SELECT private.my_org_ids(private.staff_roles()) AS my_org_ids)::uuid[])) OR (EXISTS ( SELECT 1
   FROM app.bookings b
  WHERE ((b.id = resource_claims.booking_id) AND (b.provider_id = ANY (( SELECT private.my_provider_ids() AS my_provider_ids)::uuid[])))))));


--
-- Name: date_overrides staff and the provider remove date overrides; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "staff and the provider remove date overrides" ON app.date_overrides FOR DELETE TO authenticated USING ((( SELECT private.is_org_staff(date_overrides.org_id) AS is_org_staff) OR ( SELECT private.is_provider_self(date_overrides.provider_id) AS is_provider_self)));


--
-- Name: time_off staff and the provider remove time off; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "staff and the provider remove time off" ON app.time_off FOR DELETE TO authenticated USING ((( SELECT private.is_org_staff(time_off.org_id) AS is_org_staff) OR ( SELECT private.is_provider_self(time_off.provider_id) AS is_provider_self)));


--
-- Name: time_off; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.time_off ENABLE ROW LEVEL SECURITY;

--
-- Name: providers users read active providers and all of their organizations' pro; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "users read active providers and all of their organizations' pro" ON app.providers FOR SELECT TO authenticated USING ((active OR ( SELECT private.is_org_member(providers.org_id) AS is_org_member)));


--
-- Name: services users read active services and all of their organizations' serv; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "users read active services and all of their organizations' serv" ON app.services FOR SELECT TO authenticated USING ((active OR ( SELECT private.is_org_member(services.org_id) AS is_org_member)));


--
-- Name: service_resources users read what the services they see need; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "users read what the services they see need" ON app.service_resources FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM app.services s
  WHERE (s.id = service_resources.service_id))));


--
-- Name: providers visitors read active providers; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read active providers" ON app.providers FOR SELECT TO anon USING (active);


--
-- Name: services visitors read active services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read active services" ON app.services FOR SELECT TO anon USING (active);


--
-- Name: events visitors read availability events of providers they see; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read availability events of providers they see" ON app.events FOR SELECT TO anon USING (((topic = 'availability'::text) AND (EXISTS ( SELECT 1
   FROM app.providers p
  WHERE (p.id = events.provider_id)))));


--
-- Name: date_overrides visitors read date overrides of visible providers; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read date overrides of visible providers" ON app.date_overrides FOR SELECT TO anon USING ((EXISTS ( SELECT 1
   FROM app.providers p
  WHERE (p.id = date_overrides.provider_id))));


--
-- Name: organizations visitors read organizations; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read organizations" ON app.organizations FOR SELECT TO anon USING (true);


--
-- Name: service_resources visitors read what the services they see need; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read what the services they see need" ON app.service_resources FOR SELECT TO anon USING ((EXISTS ( SELECT 1
   FROM app.services s
  WHERE (s.id = service_resources.service_id))));


--
-- Name: service_providers visitors read which providers offer which services; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read which providers offer which services" ON app.service_providers FOR SELECT TO anon USING (true);


--
-- Name: working_hours visitors read working hours of visible providers; Type: POLICY; Schema: app; Owner: -
--

CREATE POLICY "visitors read working hours of visible providers" ON app.working_hours FOR SELECT TO anon USING ((EXISTS ( SELECT 1
   FROM app.providers p
  WHERE (p.id = working_hours.provider_id))));


--
-- Name: waitlist_entries; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.waitlist_entries ENABLE ROW LEVEL SECURITY;

--
-- Name: working_hours; Type: ROW SECURITY; Schema: app; Owner: -
--

ALTER TABLE app.working_hours ENABLE ROW LEVEL SECURITY;

--
-- Name: log; Type: ROW SECURITY; Schema: audit; Owner: -
--

ALTER TABLE audit.log ENABLE ROW LEVEL SECURITY;

--
-- Name: log owners, admins and platform admins read audit entries; Type: POLICY; Schema: audit; Owner: -
--

CREATE POLICY "owners, admins and platform admins read audit entries" ON audit.log FOR SELECT TO authenticated USING (((org_id = ANY (( SELECT private.my_org_ids(private.manager_roles()) AS my_org_ids)::uuid[])) OR ( SELECT private.is_platform_admin() AS is_platform_admin)));


--
-- Name: common_passwords; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.common_passwords ENABLE ROW LEVEL SECURITY;

--
-- Name: jwt_keys; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.jwt_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: login_failures; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.login_failures ENABLE ROW LEVEL SECURITY;

--
-- Name: one_time_tokens; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.one_time_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: password_reset_requests; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.password_reset_requests ENABLE ROW LEVEL SECURITY;

--
-- Name: refresh_tokens; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.refresh_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: sessions; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users users read their own account, platform admins every account; Type: POLICY; Schema: auth; Owner: -
--

CREATE POLICY "users read their own account, platform admins every account" ON auth.users FOR SELECT TO authenticated USING (((id = ( SELECT auth.uid() AS uid)) OR ( SELECT private.is_platform_admin() AS is_platform_admin)));


--
-- Name: refresh_tokens users read their own refresh tokens; Type: POLICY; Schema: auth; Owner: -
--

CREATE POLICY "users read their own refresh tokens" ON auth.refresh_tokens FOR SELECT TO authenticated USING ((user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: sessions users read their own sessions; Type: POLICY; Schema: auth; Owner: -
--

CREATE POLICY "users read their own sessions" ON auth.sessions FOR SELECT TO authenticated USING ((user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: users users update their own profile; Type: POLICY; Schema: auth; Owner: -
--

CREATE POLICY "users update their own profile" ON auth.users FOR UPDATE TO authenticated USING ((id = ( SELECT auth.uid() AS uid))) WITH CHECK ((id = ( SELECT auth.uid() AS uid)));


--
-- Name: verified_tokens; Type: ROW SECURITY; Schema: auth; Owner: -
--

ALTER TABLE auth.verified_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: consents; Type: ROW SECURITY; Schema: gdpr; Owner: -
--

ALTER TABLE gdpr.consents ENABLE ROW LEVEL SECURITY;

--
-- Name: consents users read their own consents, platform admins every consent; Type: POLICY; Schema: gdpr; Owner: -
--

CREATE POLICY "users read their own consents, platform admins every consent" ON gdpr.consents FOR SELECT TO authenticated USING (((user_id = ( SELECT auth.uid() AS uid)) OR ( SELECT private.is_platform_admin() AS is_platform_admin)));


--
-- Name: messages; Type: ROW SECURITY; Schema: outbox; Owner: -
--

ALTER TABLE outbox.messages ENABLE ROW LEVEL SECURITY;

--
-- Name: clock; Type: ROW SECURITY; Schema: private; Owner: -
--

ALTER TABLE private.clock ENABLE ROW LEVEL SECURITY;

--
-- Name: secrets; Type: ROW SECURITY; Schema: private; Owner: -
--

ALTER TABLE private.secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: settings; Type: ROW SECURITY; Schema: private; Owner: -
--

ALTER TABLE private.settings ENABLE ROW LEVEL SECURITY;

--
-- PostgreSQL database dump complete
--


