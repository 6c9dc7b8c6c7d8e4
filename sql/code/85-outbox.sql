-- 85 outbox: booking emails enqueued by trigger, reminders, password reset and email
-- verification, and the worker's claim / mark functions.
-- Depends on: 005 (outbox.messages, auth.one_time_tokens, settings), 10-helpers, 30-accounts
--   (private.random_token, private.token_hash, private.check_password, private.hash_password,
--   private.revoke_sessions, private.require_user), 10-helpers (private.local_iso).
-- Raises: PT400 invalid_token (unknown, used, expired or wrong-purpose token); PT422
--   weak_password (through private.check_password); PT401 unauthorized.
--
-- Delivery is at least once: a message is a row written in the transaction of its cause, so it
-- exists exactly when the change committed. The worker claims rows with FOR UPDATE SKIP LOCKED
-- and a lease, sends them, then marks them; if it dies between sending and marking, the lease
-- runs out and the row is sent again under the same Message-ID (a recognisable duplicate, never
-- a loss). message_id is unique and derived from the event, so an event never enqueues twice.
-- Inserting into outbox.messages NOTIFYs channel 'outbox' (delivered at commit) to wake workers.
-- Every instant here comes from private.now(), the clock tests pin: due, leased, backed off.

-- ---------------------------------------------------------------------------------------------
-- Waking the worker

create or replace function private.notify_outbox()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Identical notifications within a transaction are folded into one, delivered at commit.
  perform pg_catalog.pg_notify('outbox', '');
  return null;
end;
$$;
comment on function private.notify_outbox() is 'AFTER INSERT statement trigger on outbox.messages: NOTIFY outbox, so workers wake at commit instead of at their next poll.';

drop trigger if exists messages_notify on outbox.messages;
create trigger messages_notify after insert on outbox.messages
  for each statement execute function private.notify_outbox();

-- ---------------------------------------------------------------------------------------------
-- Booking messages

create or replace function private.booking_message_id(p_booking_id uuid, p_kind text, p_sequence integer)
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return p_booking_id::text || '.' || p_kind || '.' || p_sequence::text || '@slotbase';
end;
$$;
comment on function private.booking_message_id(uuid, text, integer) is
  'The stable Message-ID of a booking event: <booking_id>.<kind>.<sequence>@slotbase (one per event; a reschedule raises the sequence).';

create or replace function private.enqueue_booking_messages(
  p_ids uuid[],
  p_kinds text[],
  p_previous_starts timestamptz[]
)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.enqueue_booking_messages(uuid[], text[], timestamptz[]) is
  'Enqueue one message of a kind per booking to its customer, in the customer''s locale, with what the renderer needs in payload; an event already enqueued (same message_id) is skipped. Definer: writes outbox.messages and reads the customer''s email, which no client may.';

create or replace function private.booking_inserted()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.booking_inserted() is
  'AFTER INSERT statement trigger on app.bookings: booking_created to each customer, in the same transaction (a hold has none until it is confirmed). Definer: writes outbox.messages.';

create or replace function private.booking_updated()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.booking_updated() is
  'AFTER UPDATE statement trigger on app.bookings: booking_created (a hold confirmed), booking_confirmed, booking_declined, booking_cancelled or booking_rescheduled to the customer, in the same transaction. Definer: writes outbox.messages.';

drop trigger if exists bookings_outbox_inserted on app.bookings;
create trigger bookings_outbox_inserted after insert on app.bookings
  referencing new table as new_rows
  for each statement execute function private.booking_inserted();

drop trigger if exists bookings_outbox_updated on app.bookings;
create trigger bookings_outbox_updated after update on app.bookings
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.booking_updated();

create or replace function private.enqueue_reminders()
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.enqueue_reminders() is
  'Enqueue booking_reminder for active bookings starting within reminder_hours_before (not for those booked inside that window); once per booking and sequence. Run by the worker periodically; returns how many were enqueued. Definer: writes outbox.messages.';
grant execute on function private.enqueue_reminders() to service_role;

-- ---------------------------------------------------------------------------------------------
-- The worker's side: claim, mark sent, mark failed (service_role only)

create or replace function private.claim_messages(p_limit integer, p_lease_seconds integer)
returns setof outbox.messages
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.claim_messages(integer, integer) is
  'Claim up to p_limit due messages for p_lease_seconds (FOR UPDATE SKIP LOCKED, so concurrent workers take different rows); each claim counts as an attempt. A lease that runs out unmarked makes the row claimable again. Definer: the worker holds no privilege on outbox.messages, only EXECUTE here.';
grant execute on function private.claim_messages(integer, integer) to service_role;

create or replace function private.mark_sent(p_id bigint)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.mark_sent(bigint) is
  'The SMTP server accepted the message: status sent, sent_at, lease released, plain token removed from payload. Idempotent. Definer: as private.claim_messages.';
grant execute on function private.mark_sent(bigint) to service_role;

create or replace function private.mark_failed(p_id bigint, p_error text, p_permanent boolean default false)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.mark_failed(bigint, text, boolean) is
  'Sending failed: retry after least(2^attempts minutes, 1 hour), or status failed after outbox_max_attempts attempts or at once when p_permanent (the server refused the message for good). Definer: as private.claim_messages.';
grant execute on function private.mark_failed(bigint, text, boolean) to service_role;

-- ---------------------------------------------------------------------------------------------
-- One-time tokens: password reset and email verification

create or replace function private.issue_one_time_token(p_user auth.users, p_purpose text, p_minutes integer)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.issue_one_time_token(auth.users, text, integer) is
  'Make a random token for a purpose (stored as sha256 only), replacing unused ones, and enqueue the email that carries it. Definer: writes auth.one_time_tokens and outbox.messages.';

create or replace function private.use_one_time_token(p_token text, p_purpose text)
returns auth.users
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.use_one_time_token(text, text) is
  'Spend a token of a purpose and return its account, or 400 invalid_token (unknown, used, expired, another purpose, erased account). The caller''s transaction decides: an error after this rolls the use back. Definer: reads token hashes.';

create or replace function private.request_password_reset(p_email text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.request_password_reset(text) is
  'Enqueue a password-reset email for an existing, non-erased account, at most one per address per password_reset_interval_seconds; nothing for any other address (the caller cannot tell: both are recorded and throttled alike). Definer: reads auth.users, writes auth.password_reset_requests.';

create or replace function private.confirm_password_reset(p_token text, p_new_password text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.confirm_password_reset(text, text) is
  'Set a new password with a reset token; ends every session and clears the lockout count. Definer: writes the password hash.';

create or replace function private.request_email_verification()
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
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
comment on function private.request_email_verification() is
  'Enqueue a verification email to the caller, unless the address is verified already. Definer: writes tokens and the outbox.';

create or replace function private.confirm_email(p_token text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user auth.users := private.use_one_time_token(p_token, 'email_verification');
begin
  update auth.users u
  set email_verified_at = coalesce(u.email_verified_at, private.now())
  where u.id = v_user.id;
end;
$$;
comment on function private.confirm_email(text) is 'Mark an address verified with a verification token. Definer: writes auth.users.email_verified_at.';

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.request_password_reset(email text)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.request_password_reset(request_password_reset.email);
end;
$$;
comment on function api.request_password_reset(text) is
  'POST /auth/password-reset/request {email} -> 202, the same for every address (no account enumeration). An existing account gets an email with a link valid for password_reset_minutes (60). Errors: 429 (rate limit, in front of the database).';
grant execute on function api.request_password_reset(text) to anon, authenticated;
grant execute on function private.request_password_reset(text) to anon, authenticated;

create or replace function api.confirm_password_reset(token text, new_password text)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.confirm_password_reset(confirm_password_reset.token, confirm_password_reset.new_password);
end;
$$;
comment on function api.confirm_password_reset(text, text) is
  'POST /auth/password-reset/confirm {token, new_password} -> 204. Sets the password and ends every session of the account; the token is single-use. Errors: 400 invalid_token (unknown, used, expired, not a reset token); 422 weak_password (the token stays usable).';
grant execute on function api.confirm_password_reset(text, text) to anon, authenticated;
grant execute on function private.confirm_password_reset(text, text) to anon, authenticated;

create or replace function api.request_email_verification()
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.request_email_verification();
end;
$$;
comment on function api.request_email_verification() is
  'POST /auth/verify-email/request -> 202. Emails the caller a verification link valid for email_verification_minutes (2880); nothing when the address is verified already. Errors: 401 unauthorized.';
grant execute on function api.request_email_verification() to authenticated;
grant execute on function private.request_email_verification() to authenticated;

create or replace function api.confirm_email(token text)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.confirm_email(confirm_email.token);
end;
$$;
comment on function api.confirm_email(text) is
  'POST /auth/verify-email/confirm {token} -> 204: the address is verified (user.email_verified becomes true). No login needed: the token is the proof. Errors: 400 invalid_token (unknown, used, expired, not a verification token).';
grant execute on function api.confirm_email(text) to anon, authenticated;
grant execute on function private.confirm_email(text) to anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Table privileges: none for clients. The worker (service_role) may look, for operators.

grant usage on schema outbox to service_role;
grant select on outbox.messages to service_role;
