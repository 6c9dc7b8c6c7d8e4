-- 75 gdpr: what the system holds about a person (export), forgetting them (erasure), consents,
-- and retention (gdpr.purge_expired).
-- Depends on: 003 (gdpr.consents, audit.log, the retention settings), 001 and 002 (the tables
--   holding personal data), 10-helpers (private.now, private.utc, private.setting,
--   private.local_iso), 30-accounts (private.require_user, private.require_platform_admin,
--   private.revoke_sessions), 43-providers (private.provider_zone), 70-audit (the trail it
--   scrubs).
--   Optional, when their migration has run: outbox.messages and auth.one_time_tokens (005),
--   app.calendar_feeds (011); the code checks to_regclass before touching them, so it works
--   without them.
-- Raises: PT401 unauthorized (anon); PT403 forbidden (admin-only routes); PT404 not_found
--   (unknown user); PT422 validation_failed (consent input).
--
-- Export is one JSON document of everything about the person: account, sessions' metadata,
-- failed logins, memberships, provider profiles and their time off, bookings as customer (and
-- their recurring series) and as provider, internal notes about them, consents, messages to
-- them and audit entries about them. Never a hash, a token, a token's claims, a message payload (it may hold a link token) or
-- another customer's data.
--
-- Erasure (private.erase_user) keeps every row that business records point at, and replaces the
-- personal data in it: the account becomes erased-<id>@erased.invalid with no name and no
-- password, sessions are ended and stripped, tokens and failed logins deleted, notes and cancel
-- reasons of their bookings emptied, provider profiles renamed 'Former provider', messages to
-- them emptied (pending ones fail), and audit entries about them scrubbed. Bookings keep ids,
-- times, status and price, so the organization's counts and revenue do not change.

grant usage on schema gdpr to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Scrubbing personal values out of text and JSON

create or replace function private.scrub_text(p_text text, p_values text[])
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.scrub_text(text, text[]) is
  'Replace, ignoring case, a text equal to one of the values by [erased], and occurrences of values of 4+ characters inside it.';

create or replace function private.scrub_json(p_value jsonb, p_values text[], p_keys text[])
returns jsonb
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.scrub_json(jsonb, text[], text[]) is
  'A JSON value with every non-empty string under one of p_keys (at any depth) replaced by [erased], and every string scrubbed of p_values (private.scrub_text).';

-- ---------------------------------------------------------------------------------------------
-- Erasure

create or replace function private.erase_user(p_user_id uuid, p_reason text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.erase_user(uuid, text) is
  'Replace an account''s personal data with placeholders everywhere it appears (account, sessions, tokens, failed logins, waitlist entries and holds, notes and cancel reasons of their bookings, provider profiles, stored responses, messages, audit entries), end its sessions and make login impossible. Bookings keep ids, times, status and price. Not granted to clients: private.erase_me and private.anonymize_user call it. Definer: it must reach every row about the person whatever the session may read, also when an operator runs it in psql (docs/gdpr.md).';

create or replace function private.anonymize_user(p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_platform_admin();
  if not exists (select 1 from auth.users u where u.id = p_user_id) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  perform private.erase_user(p_user_id, 'anonymized');
end;
$$;
comment on function private.anonymize_user(uuid) is
  'Erase any account, for platform admins. Definer: private.erase_user writes tables clients may not.';
grant execute on function private.anonymize_user(uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Export

create or replace function private.personal_data(p_user_id uuid)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.personal_data(uuid) is
  'The export document of one account (NULL if there is none). Not granted to clients: private.export_me and private.export_user call it. Definer: it reads rows of every schema, which the person may not read directly.';

create or replace function private.export_me()
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.personal_data(private.require_user());
end;
$$;
comment on function private.export_me() is 'The caller''s own export document. Definer: see private.personal_data.';
grant execute on function private.export_me() to authenticated;

create or replace function private.export_user(p_user_id uuid)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.export_user(uuid) is 'Any account''s export document, for platform admins. Definer: see private.personal_data.';
grant execute on function private.export_user(uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Consents

create or replace function private.consent_json(p_consent gdpr.consents)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'purpose', p_consent.purpose,
    'granted', p_consent.granted,
    'policy_version', p_consent.policy_version,
    'at', private.utc(p_consent.at)
  );
end;
$$;
comment on function private.consent_json(gdpr.consents) is 'The consent object: {purpose, granted, policy_version, at}.';
grant execute on function private.consent_json(gdpr.consents) to authenticated, service_role;

create or replace function private.record_consent(p_purpose text, p_granted boolean, p_policy_version text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.record_consent(text, boolean, text) is
  'Record the caller''s decision on a purpose, with the server''s time. Definer: consents are append-only and clients have no write privileges, so neither the time nor an earlier decision can be forged.';
grant execute on function private.record_consent(text, boolean, text) to authenticated;

revoke all on gdpr.consents from anon, authenticated, service_role;
grant select on gdpr.consents to authenticated, service_role;

drop policy if exists "users read their own consents" on gdpr.consents;
drop policy if exists "platform admins read every consent" on gdpr.consents;
drop policy if exists "users read their own consents, platform admins every consent" on gdpr.consents;
create policy "users read their own consents, platform admins every consent" on gdpr.consents
  for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

-- ---------------------------------------------------------------------------------------------
-- Retention

create or replace function private.retention_cutoff(p_setting text)
returns timestamptz
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function private.retention_cutoff(text) is
  'private.now() minus the retention period (days) in a setting; NULL when the setting is empty (keep forever).';

create or replace function private.purge_expired()
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.purge_expired() is
  'The retention job behind gdpr.purge_expired(). Definer: it deletes from tables no role but the owner may write.';
grant execute on function private.purge_expired() to service_role;

create or replace function gdpr.purge_expired()
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.purge_expired();
end;
$$;
comment on function gdpr.purge_expired() is
  'Apply the retention periods of private.settings (retention_*_days; empty = keep forever): erase customer accounts inactive for retention_inactive_account_days; delete audit entries older than retention_audit_days; sessions (with refresh tokens) and one-time tokens ended more than retention_session_days ago; failed logins older than retention_login_failure_days; stored Idempotency-Key responses older than retention_idempotency_key_days; sent and failed outbox messages older than retention_sent_message_days. Idempotent: a second run finds nothing. Returns the counts: {inactive_accounts, audit_entries, sessions, refresh_tokens, one_time_tokens, login_failures, idempotency_keys, outbox_messages}. Schedule with pg_cron: select cron.schedule(''slotbase-purge'', ''17 3 * * *'', ''select gdpr.purge_expired()''); the worker runs it too. Runs as the owner or service_role.';
grant execute on function gdpr.purge_expired() to service_role;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.export_me()
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.export_me();
end;
$$;
comment on function api.export_me() is
  'GET /users/me/export. Everything slotbase holds about the caller, as one document: {exported_at, account, sessions: [{id, user_agent, ip, created_at, last_used_at, expires_at, revoked_at, revoked_reason}], failed_logins: [instant], memberships: [{org_id, org_name, role, created_at}], provider_profiles: [{id, org_id, display_name, bio, timezone, active, created_at, time_off: [...]}], bookings_as_customer: [{id, org_id, org_name, provider_id, provider_name, service_id, service_name, start, end, status, price_minor, currency, customer_note, cancelled_at, cancel_reason, sequence, created_at, updated_at, history: [...]}], booking_series: [{id, org_id, provider_id, service_id, every, count, first_start, created_at}], bookings_as_provider: [{id, org_id, provider_id, service_id, service_name, start, end, status}], notes_about_them: [{booking_id, internal_note, updated_at}], waitlist: [{id, org_id, service_id, provider_id, from, to, status, hold_id, offered_at, created_at}], calendar_feeds: [{provider_id (null: their own bookings), created_at}] (the feeds they issued, never a token), consents: [{purpose, granted, policy_version, at}], messages: [{message_id, kind, recipient_email, locale, booking_id, status, created_at, sent_at}], audit: [{id, at, actor_id, request_id, table_name, row_id, action, old_values, new_values}]}. No hashes, tokens or other people''s data. Errors: 401 unauthorized.';
grant execute on function api.export_me() to authenticated;

create or replace function api.export_user(user_id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.export_user(export_user.user_id);
end;
$$;
comment on function api.export_user(uuid) is
  'GET /users/{user_id}/export (platform admins). The export document of any account, as api.export_me. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';
grant execute on function api.export_user(uuid) to authenticated;

create or replace function api.anonymize_user(user_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.anonymize_user(anonymize_user.user_id);
end;
$$;
comment on function api.anonymize_user(uuid) is
  'POST /users/{user_id}/anonymize (204, platform admins). Erase an account as DELETE /users/me does: personal data replaced by placeholders everywhere (account, sessions, notes, provider profiles, messages, audit entries), sessions ended, login impossible; bookings stay as anonymous records. Repeating it is harmless. Errors: 401 unauthorized; 403 forbidden; 404 not_found.';
grant execute on function api.anonymize_user(uuid) to authenticated;

create or replace function api.list_consents()
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
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
comment on function api.list_consents() is
  'GET /users/me/consents. The caller''s current marketing consent (null before any decision) and every decision, newest first: {marketing: {purpose, granted, policy_version, at} | null, items: [consent], next_cursor: null}. Errors: 401 unauthorized.';
grant execute on function api.list_consents() to authenticated;

create or replace function api.set_marketing_consent(granted boolean, policy_version text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.record_consent('marketing', set_marketing_consent.granted,
    set_marketing_consent.policy_version);
end;
$$;
comment on function api.set_marketing_consent(boolean, text) is
  'POST /users/me/consents {granted, policy_version}. Give (true) or withdraw (false) consent to marketing under a version of the privacy policy; recorded with the server''s time, audited, exported -> {purpose: "marketing", granted, policy_version, at}. Errors: 401 unauthorized; 422 validation_failed (granted missing, policy_version empty or over 64 characters).';
grant execute on function api.set_marketing_consent(boolean, text) to authenticated;
