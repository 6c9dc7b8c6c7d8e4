-- Metrics: private.outbox_backlog counts due, unsent emails and the wait of the oldest, and only
-- the API's login role may read it.
-- Depends on: sql/code/95-metrics.sql, sql/migrations/005_outbox.sql, tests/sql/helpers/*.sql
--   (tests.freeze_time, tests.create_user).
begin;
select plan(6);

select tests.freeze_time('2026-03-02 09:00:00+00');
select tests.create_user('cora');

select results_eq(
  $$select pending, oldest_age_seconds from private.outbox_backlog()$$,
  $$values (0::bigint, 0::double precision)$$,
  'An empty outbox: no backlog, no age'
);

insert into outbox.messages (message_id, kind, recipient_id, recipient_email, status, next_attempt_at)
values
  ('a@slotbase', 'password_reset', tests.user_id('cora'), 'cora@example.com', 'pending', '2026-03-02 08:58:00+00'),
  ('b@slotbase', 'password_reset', tests.user_id('cora'), 'cora@example.com', 'pending', '2026-03-02 08:59:30+00'),
  ('c@slotbase', 'booking_reminder', tests.user_id('cora'), 'cora@example.com', 'pending', '2026-03-09 09:00:00+00'),
  ('d@slotbase', 'password_reset', tests.user_id('cora'), 'cora@example.com', 'sent', '2026-03-01 09:00:00+00'),
  ('e@slotbase', 'password_reset', tests.user_id('cora'), 'cora@example.com', 'failed', '2026-03-01 09:00:00+00');

select results_eq(
  $$select pending, oldest_age_seconds from private.outbox_backlog()$$,
  $$values (2::bigint, 120::double precision)$$,
  'Pending emails that are due count, and the oldest has waited since it fell due; a reminder for next week, sent and failed emails do not'
);

-- as authenticator ---------------------------------------------------------------------------------
set local role authenticator;
select lives_ok(
  $$select * from private.outbox_backlog()$$,
  'The API''s login role reads the backlog for /metrics'
);
reset role;

-- as anon and authenticated --------------------------------------------------------------------------
select private.act_as('anon');
select throws_ok(
  $$select * from private.outbox_backlog()$$,
  '42501', null,
  'anon may not read the backlog'
);
reset role;
select private.act_as('authenticated', json_build_object('sub', tests.user_id('cora'), 'role', 'authenticated')::jsonb);
select throws_ok(
  $$select * from private.outbox_backlog()$$,
  '42501', null,
  'A signed-in user may not read the backlog'
);
reset role;

select is(
  (select count(*) from outbox.messages where status = 'pending')::int,
  3,
  'Reading the backlog changes nothing'
);

select * from finish();
rollback;
