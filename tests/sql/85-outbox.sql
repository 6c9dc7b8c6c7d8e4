-- Outbox: booking events enqueue one message each in their own transaction, reminders once, the
-- worker's claim / mark / backoff rules, one-time tokens, and that no client reaches any of it.
-- Depends on: sql/code/85-outbox.sql, sql/migrations/005_outbox.sql, and
--   tests/sql/helpers/*.sql (personas, tests.id, tests.freeze_time).
-- Claiming with SKIP LOCKED from two sessions at once cannot be shown in one pgTAP session; the
-- Python tests (tests/api/outbox/test_worker.py) run two workers for that.
begin;
select plan(65);

select tests.freeze_time('2026-03-02 09:00:00+00');
select tests.create_user('cora');   -- Danish (the default locale)
select tests.create_user('emma');   -- English
update auth.users set locale = 'en' where id = tests.user_id('emma');

insert into app.organizations (id, slug, name) values (tests.id('org_a'), 'salon-a', 'Salon Ø');
insert into app.providers (id, org_id, display_name) values (tests.id('mette'), tests.id('org_a'), 'Mette');
insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
values (tests.id('cut'), tests.id('org_a'), 'Klipning', 60, 45000, 'DKK', 60);

create function pg_temp.book(p_label text, p_customer text, p_start timestamptz, p_status text default 'confirmed')
returns void
language sql
as $$
  insert into app.bookings (id, org_id, provider_id, service_id, customer_id, starts_at, ends_at,
    status, price_minor, currency, created_at)
  values (tests.id(p_label), tests.id('org_a'), tests.id('mette'), tests.id('cut'),
    tests.user_id(p_customer), p_start, p_start + interval '1 hour', p_status::app.booking_status,
    45000, 'DKK', private.now());
$$;

create function pg_temp.messages(p_label text)
returns table (kind text, message_id text)
language sql
as $$
  select m.kind, m.message_id from outbox.messages m where m.booking_id = tests.id(p_label) order by m.id;
$$;

-- as the superuser: booking events ----------------------------------------------------------------

select pg_temp.book('cora_cut', 'cora', '2026-03-05 09:00:00+00');
select results_eq(
  $$select kind, message_id from pg_temp.messages('cora_cut')$$,
  $$values ('booking_created', tests.id('cora_cut')::text || '.booking_created.0@slotbase')$$,
  'A new booking enqueues one booking_created message, with <booking>.<kind>.<sequence>@slotbase as its Message-ID'
);
select results_eq(
  $$select recipient_id, recipient_email, locale, status, attempts from outbox.messages where booking_id = tests.id('cora_cut')$$,
  $$values (tests.user_id('cora'), 'cora@example.com', 'da', 'pending', 0)$$,
  'It goes to the customer, in her locale, pending and not yet attempted'
);
select results_eq(
  $$select payload ->> 'start', payload ->> 'end', payload ->> 'timezone', payload ->> 'service_name',
           payload ->> 'provider_name', payload ->> 'org_name', (payload ->> 'sequence')::integer
    from outbox.messages where booking_id = tests.id('cora_cut')$$,
  $$values ('2026-03-05T10:00:00+01:00', '2026-03-05T11:00:00+01:00', 'Europe/Copenhagen', 'Klipning',
            'Mette', 'Salon Ø', 0)$$,
  'The payload holds what the email needs: local start and end with offset, the zone, service, provider, organization'
);
select is(
  (select next_attempt_at from outbox.messages where booking_id = tests.id('cora_cut')),
  '2026-03-02 09:00:00+00'::timestamptz,
  'A new message is due at once, by the pinned clock'
);

savepoint before_booking;
select pg_temp.book('cora_rolled_back', 'cora', '2026-03-06 09:00:00+00');
select is(
  (select count(*) from outbox.messages where booking_id = tests.id('cora_rolled_back')),
  1::bigint,
  'Inside the booking''s transaction its message exists'
);
rollback to savepoint before_booking;
select is_empty(
  $$select 1 from outbox.messages where message_id like tests.id('cora_rolled_back')::text || '%'$$,
  'A booking rolled back leaves no message: both are written in one transaction'
);

select pg_temp.book('emma_colour', 'emma', '2026-03-09 09:00:00+00', 'pending');
update app.bookings set status = 'confirmed' where id = tests.id('emma_colour');
select results_eq(
  $$select kind, message_id from pg_temp.messages('emma_colour')$$,
  $$values ('booking_created', tests.id('emma_colour')::text || '.booking_created.0@slotbase'),
           ('booking_confirmed', tests.id('emma_colour')::text || '.booking_confirmed.0@slotbase')$$,
  'Confirming a pending booking enqueues booking_confirmed after booking_created'
);
select is(
  (select locale from outbox.messages where message_id = tests.id('emma_colour')::text || '.booking_confirmed.0@slotbase'),
  'en',
  'Emma''s messages are in her locale, English'
);
select is(
  (select payload ->> 'status' from outbox.messages where message_id = tests.id('emma_colour')::text || '.booking_created.0@slotbase'),
  'pending',
  'The booking_created payload says the booking was pending, so the email can say it awaits confirmation'
);

update app.bookings
set starts_at = starts_at + interval '2 hours', ends_at = ends_at + interval '2 hours', sequence = sequence + 1
where id = tests.id('emma_colour');
select results_eq(
  $$select message_id, payload ->> 'start', payload ->> 'previous_start', (payload ->> 'sequence')::integer
    from outbox.messages where kind = 'booking_rescheduled' and booking_id = tests.id('emma_colour')$$,
  $$values (tests.id('emma_colour')::text || '.booking_rescheduled.1@slotbase', '2026-03-09T12:00:00+01:00',
            '2026-03-09T10:00:00+01:00', 1)$$,
  'A reschedule enqueues booking_rescheduled under the new sequence, with the new and the previous start'
);
update app.bookings set status = 'cancelled', cancel_reason = 'Syg', cancelled_at = private.now()
where id = tests.id('emma_colour');
select results_eq(
  $$select message_id, payload ->> 'cancel_reason' from outbox.messages
    where kind = 'booking_cancelled' and booking_id = tests.id('emma_colour')$$,
  $$values (tests.id('emma_colour')::text || '.booking_cancelled.1@slotbase', 'Syg')$$,
  'A cancellation enqueues booking_cancelled with the reason'
);

select pg_temp.book('cora_declined', 'cora', '2026-03-10 09:00:00+00', 'pending');
update app.bookings set status = 'declined' where id = tests.id('cora_declined');
select results_eq(
  $$select kind from pg_temp.messages('cora_declined')$$,
  $$values ('booking_created'), ('booking_declined')$$,
  'Declining a pending booking enqueues booking_declined'
);

update app.bookings set customer_note = 'Kort, tak' where id = tests.id('cora_cut');
update app.bookings set status = 'completed' where id = tests.id('cora_cut');
select results_eq(
  $$select kind from pg_temp.messages('cora_cut')$$,
  $$values ('booking_created')$$,
  'A note change and completing a booking send nothing'
);

select is(
  private.enqueue_booking_messages(array[tests.id('emma_colour')], array['booking_rescheduled'], array[null::timestamptz]),
  0,
  'Enqueuing an event again is a no-op: its Message-ID exists already'
);

select pg_temp.book('cora_history', 'cora', '2026-02-20 09:00:00+00');
select is_empty(
  $$select 1 from outbox.messages where booking_id = tests.id('cora_history')$$,
  'A booking that has already ended (imported history) sends nothing'
);

select tests.create_user('gone');
select pg_temp.book('gone_cut', 'gone', '2026-03-12 09:00:00+00');
select private.erase_user(tests.user_id('gone'), 'account_deleted');
update app.bookings set status = 'cancelled' where id = tests.id('gone_cut');
select results_eq(
  $$select kind from pg_temp.messages('gone_cut')$$,
  $$values ('booking_created')$$,
  'An erased account gets no more messages'
);

-- as the superuser: reminders ---------------------------------------------------------------------

select tests.freeze_time('2026-02-25 09:00:00+00');
select pg_temp.book('cora_tomorrow', 'cora', '2026-03-03 08:00:00+00');
select tests.freeze_time('2026-03-02 08:30:00+00');
select pg_temp.book('cora_short_notice', 'cora', '2026-03-02 15:00:00+00');
select tests.freeze_time('2026-03-02 09:00:00+00');
select is(private.enqueue_reminders(), 1, 'Reminders: one booking starts within 24 hours and was booked before that window');
select results_eq(
  $$select message_id from outbox.messages where kind = 'booking_reminder'$$,
  $$values (tests.id('cora_tomorrow')::text || '.booking_reminder.0@slotbase')$$,
  'The reminder is for the booking tomorrow'
);
select is(private.enqueue_reminders(), 0, 'Run again, it enqueues nothing: each booking is reminded once');
select is_empty(
  $$select 1 from outbox.messages where kind = 'booking_reminder' and booking_id = tests.id('cora_short_notice')$$,
  'A booking made inside the reminder window gets no reminder on top of its confirmation'
);
update private.settings set value = '12' where name = 'reminder_hours_before';
select tests.freeze_time('2026-03-02 21:00:00+00');
update app.bookings set starts_at = '2026-03-03 08:30:00+00', ends_at = '2026-03-03 09:30:00+00', sequence = 1
where id = tests.id('cora_tomorrow');
select is(private.enqueue_reminders(), 1, 'A rescheduled booking (new sequence) is reminded again for its new time, by the configured 12 hours');

-- as the superuser: claim, mark, backoff ----------------------------------------------------------

delete from outbox.messages;
select tests.freeze_time('2026-03-02 10:00:00+00');
insert into outbox.messages (message_id, kind, recipient_email, payload, next_attempt_at, created_at)
values ('m1@test', 'password_reset', 'a@example.com', '{"token": "t1"}', private.now(), private.now()),
       ('m2@test', 'password_reset', 'b@example.com', '{"token": "t2"}', private.now(), private.now()),
       ('m3@test', 'password_reset', 'c@example.com', '{"token": "t3"}', private.now(), private.now()),
       ('later@test', 'password_reset', 'd@example.com', '{}', private.now() + interval '1 minute', private.now());

select results_eq(
  $$select message_id, attempts, locked_until from private.claim_messages(2, 60) order by id$$,
  $$values ('m1@test', 1, '2026-03-02 10:01:00+00'::timestamptz), ('m2@test', 1, '2026-03-02 10:01:00+00'::timestamptz)$$,
  'A claim takes the oldest due messages up to the limit, counts an attempt and leases them'
);
select results_eq(
  $$select message_id from private.claim_messages(10, 60)$$,
  $$values ('m3@test')$$,
  'A second claim skips leased messages and those not yet due'
);
select is_empty($$select * from private.claim_messages(10, 60)$$, 'With everything leased, a claim returns nothing');
select tests.freeze_time('2026-03-02 10:01:01+00');
select results_eq(
  $$select message_id, attempts from private.claim_messages(10, 60) order by id$$,
  $$values ('m1@test', 2), ('m2@test', 2), ('m3@test', 2), ('later@test', 1)$$,
  'Once a lease runs out unmarked (the worker died), the message is claimed again: sent again, not lost'
);

select private.mark_sent(id) from outbox.messages where message_id = 'm1@test';
select results_eq(
  $$select status, sent_at, locked_until, payload ? 'token' from outbox.messages where message_id = 'm1@test'$$,
  $$values ('sent', '2026-03-02 10:01:01+00'::timestamptz, null::timestamptz, false)$$,
  'mark_sent: status sent, sent_at now, the lease released and the plain token gone from the payload'
);
select tests.freeze_time('2026-03-02 10:05:00+00');
select private.mark_sent(id) from outbox.messages where message_id = 'm1@test';
select is(
  (select sent_at from outbox.messages where message_id = 'm1@test'),
  '2026-03-02 10:01:01+00'::timestamptz,
  'mark_sent twice changes nothing'
);

select tests.freeze_time('2026-03-02 10:01:01+00');
select private.mark_failed(id, 'connection refused') from outbox.messages where message_id = 'm2@test';
select results_eq(
  $$select status, attempts, next_attempt_at, locked_until, last_error, payload ? 'token'
    from outbox.messages where message_id = 'm2@test'$$,
  $$values ('pending', 2, '2026-03-02 10:05:01+00'::timestamptz, null::timestamptz, 'connection refused', true)$$,
  'mark_failed after the second attempt: still pending, due again in 2^2 = 4 minutes, the error kept'
);
select private.mark_sent(id) from outbox.messages where message_id in ('m3@test', 'later@test');
select tests.freeze_time('2026-03-02 10:05:00+00');
select is_empty($$select * from private.claim_messages(10, 60)$$, 'A failed message is not claimed before its backoff ends');
select tests.freeze_time('2026-03-02 10:05:01+00');
select results_eq(
  $$select message_id, attempts from private.claim_messages(10, 60)$$,
  $$values ('m2@test', 3)$$,
  'When its backoff ends, it is claimed again'
);
update outbox.messages set attempts = 7 where message_id = 'm2@test';
select private.mark_failed(id, 'timeout') from outbox.messages where message_id = 'm2@test';
select is(
  (select next_attempt_at from outbox.messages where message_id = 'm2@test'),
  '2026-03-02 11:05:01+00'::timestamptz,
  'Backoff is capped at one hour (2^7 minutes would be more)'
);
update outbox.messages set attempts = 8 where message_id = 'm2@test';
select private.mark_failed(id, 'timeout') from outbox.messages where message_id = 'm2@test';
select results_eq(
  $$select status, last_error, payload ? 'token' from outbox.messages where message_id = 'm2@test'$$,
  $$values ('failed', 'timeout', false)$$,
  'After outbox_max_attempts (8) attempts a message is failed for good, and its token removed'
);

insert into outbox.messages (message_id, kind, recipient_email, next_attempt_at)
values ('refused@test', 'password_reset', 'nobody@example.com', private.now());
select private.claim_messages(1, 60);
select private.mark_failed(id, '550 no such user', true) from outbox.messages where message_id = 'refused@test';
select is(
  (select status from outbox.messages where message_id = 'refused@test'),
  'failed',
  'A permanent refusal (5xx) fails a message at once'
);

insert into outbox.messages (message_id, kind, recipient_email, next_attempt_at, attempts, locked_until)
values ('crashed@test', 'password_reset', 'x@example.com', private.now(), 8, private.now() - interval '1 second');
select is_empty($$select * from private.claim_messages(10, 60)$$, 'A message whose last allowed attempt died with its worker is not claimed again');
select is(
  (select status from outbox.messages where message_id = 'crashed@test'),
  'failed',
  'It is failed instead'
);

-- as the superuser: who may call the worker's functions ------------------------------------------

select ok(
  has_function_privilege('service_role', 'private.claim_messages(integer, integer)', 'execute')
    and has_function_privilege('service_role', 'private.mark_sent(bigint)', 'execute')
    and has_function_privilege('service_role', 'private.mark_failed(bigint, text, boolean)', 'execute')
    and has_function_privilege('service_role', 'private.enqueue_reminders()', 'execute'),
  'service_role (the worker) may claim, mark and enqueue reminders'
);

-- as anon and authenticated: nothing of the outbox or the tokens is reachable ----------------------

select tests.authenticate_as_anon();
select throws_ok($$select * from outbox.messages$$, '42501', null, 'Anon cannot read outbox.messages');
select throws_ok($$select * from auth.one_time_tokens$$, '42501', null, 'Anon cannot read auth.one_time_tokens');
select throws_ok($$select private.claim_messages(10, 60)$$, '42501', null, 'Anon cannot claim messages');
select throws_ok($$select api.request_email_verification()$$, '42501', null, 'Anon cannot ask for a verification email: it needs a login');

select tests.authenticate_as('cora');
select throws_ok($$select * from outbox.messages$$, '42501', null, 'Cora cannot read outbox.messages');
select throws_ok($$select * from auth.one_time_tokens$$, '42501', null, 'Cora cannot read auth.one_time_tokens');
select throws_ok(
  $$insert into outbox.messages (message_id, kind, recipient_email) values ('forged@test', 'password_reset', 'x@example.com')$$,
  '42501', null, 'Cora cannot write a message herself'
);
select throws_ok(
  $$select private.enqueue_booking_messages(array[gen_random_uuid()], array['booking_created'], array[null::timestamptz])$$,
  '42501', null, 'Cora cannot enqueue booking messages directly'
);
select throws_ok($$select private.mark_sent(1)$$, '42501', null, 'Cora cannot mark a message sent');
select throws_ok($$select private.enqueue_reminders()$$, '42501', null, 'Cora cannot run the reminder job');

-- as anon: password reset --------------------------------------------------------------------------

select tests.clear_authentication();
delete from outbox.messages;
select tests.freeze_time('2026-03-02 12:00:00+00');
select tests.authenticate_as('cora');  -- an open session, to be ended by the reset
select tests.authenticate_as_anon();
select api.request_password_reset('nobody@example.com');
select tests.clear_authentication();
select is_empty(
  $$select 1 from outbox.messages union all select 1 from auth.one_time_tokens$$,
  'A reset for an unknown address makes no token and no message'
);
select tests.authenticate_as_anon();
select api.request_password_reset('  CORA@Example.com ');
select api.request_password_reset('cora@example.com');
select tests.clear_authentication();
select results_eq(
  $$select kind, recipient_email, locale from outbox.messages order by id$$,
  $$values ('password_reset', 'cora@example.com', 'da')$$,
  'A reset for Cora''s address, in any case, enqueues one password_reset message; a second within the minute is dropped'
);
select tests.freeze_time('2026-03-02 12:01:01+00');
select tests.authenticate_as_anon();
select api.request_password_reset('cora@example.com');
select tests.clear_authentication();
select results_eq(
  $$select kind, recipient_email, locale from outbox.messages order by id$$,
  $$values ('password_reset', 'cora@example.com', 'da'), ('password_reset', 'cora@example.com', 'da')$$,
  'After password_reset_interval_seconds, the next request enqueues another message'
);
select results_eq(
  $$select purpose, expires_at, used_at from auth.one_time_tokens where user_id = tests.user_id('cora')$$,
  $$values ('password_reset', '2026-03-02 13:01:01+00'::timestamptz, null::timestamptz)$$,
  'One live reset token, valid for an hour: the later request replaced the first'
);
select is(
  (select count(*)::int from auth.password_reset_requests),
  3,
  'Requests are recorded for unknown addresses as for known ones (and not when throttled)'
);
select tests.freeze_time('2026-03-02 12:00:00+00');
select ok(
  (select t.token_hash = private.token_hash(m.payload ->> 'token')
   from auth.one_time_tokens t, outbox.messages m where m.id = (select max(id) from outbox.messages)),
  'The table keeps the sha256 of the token only; the plain token travels in the message'
);
select ok(
  (select m.payload ->> 'token' !~ '\.' from outbox.messages m order by id desc limit 1),
  'The token is opaque random text, not a JWT (no dots)'
);

create temporary table reset_tokens as select id, payload ->> 'token' as token from outbox.messages order by id;
grant select on reset_tokens to anon, authenticated;

select tests.authenticate_as_anon();
select throws_ok(
  format('select api.confirm_password_reset(%L, %L)', (select token from reset_tokens order by id limit 1), 'a-brand-new-secret'),
  'PT400', 'invalid_token', 'The replaced first token is no longer valid'
);
select throws_ok(
  format('select api.confirm_email(%L)', (select token from reset_tokens order by id desc limit 1)),
  'PT400', 'invalid_token', 'A reset token does not verify an email address (wrong purpose)'
);
select throws_ok(
  format('select api.confirm_password_reset(%L, %L)', (select token from reset_tokens order by id desc limit 1), 'cora'),
  'PT422', 'weak_password', 'A weak new password is refused'
);
select lives_ok(
  format('select api.confirm_password_reset(%L, %L)', (select token from reset_tokens order by id desc limit 1), 'a-brand-new-secret'),
  'The weak attempt did not spend the token: the current one sets a new password'
);
select throws_ok(
  format('select api.confirm_password_reset(%L, %L)', (select token from reset_tokens order by id desc limit 1), 'another-new-secret'),
  'PT400', 'invalid_token', 'A token works once'
);
select tests.clear_authentication();
select ok(
  (select password_hash = extensions.crypt('a-brand-new-secret', password_hash) from auth.users where id = tests.user_id('cora')),
  'Cora''s password is the new one'
);
select is_empty(
  $$select 1 from auth.sessions where user_id = tests.user_id('cora') and revoked_at is null$$,
  'The reset ended every session of hers'
);

-- as emma: email verification ----------------------------------------------------------------------

delete from outbox.messages;
select tests.authenticate_as('emma');
select api.request_email_verification();
select tests.clear_authentication();
select results_eq(
  $$select m.kind, m.recipient_email, m.locale, t.expires_at
    from outbox.messages m join auth.one_time_tokens t on t.token_hash = private.token_hash(m.payload ->> 'token')$$,
  $$values ('email_verification', 'emma@example.com', 'en', '2026-03-04 12:00:00+00'::timestamptz)$$,
  'A verification request enqueues an email_verification message with a token valid for 48 hours'
);
create temporary table verify_token as select payload ->> 'token' as token from outbox.messages;
grant select on verify_token to anon, authenticated;
select tests.freeze_time('2026-03-04 12:00:01+00');
select tests.authenticate_as_anon();
select throws_ok(
  format('select api.confirm_email(%L)', (select token from verify_token)),
  'PT400', 'invalid_token', 'An expired verification token is refused'
);
select tests.freeze_time('2026-03-04 11:59:59+00');
select throws_ok(
  format('select api.confirm_password_reset(%L, %L)', (select token from verify_token), 'a-brand-new-secret'),
  'PT400', 'invalid_token', 'A verification token does not reset a password (wrong purpose)'
);
select lives_ok(format('select api.confirm_email(%L)', (select token from verify_token)), 'Before it expires, it verifies the address');
select tests.clear_authentication();
select isnt(
  (select email_verified_at from auth.users where id = tests.user_id('emma')),
  null,
  'Emma''s address is verified'
);

select * from finish();
rollback;
