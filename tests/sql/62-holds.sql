-- Holds: a hold keeps its slot from everyone else exactly like a booking until it expires, an
-- expired hold blocks nobody whether or not it has been deleted, confirming turns it into the
-- booking of the same slot, and only the holder reaches it.
-- Depends on: sql/code/62-holds.sql, 60-bookings.sql, 50-slots.sql, migrations 010 and 011,
--   and tests/sql/helpers/*.sql (personas, tests.id, tests.freeze_time).
-- Parallel holds, bookings and confirmations race in tests/test_holds.py on real connections.
begin;
select plan(31);

select tests.freeze_time('2026-03-02 08:00:00+00');  -- a Monday, 09:00 in Copenhagen
select tests.create_user('cora');
select tests.create_user('dina');
select tests.create_user('olga_owner');

insert into app.organizations (id, slug, name, hold_minutes) values (tests.id('org_a'), 'salon-a', 'Salon A', 10);
insert into app.memberships (org_id, user_id, role) values (tests.id('org_a'), tests.user_id('olga_owner'), 'owner');
insert into app.providers (id, org_id, display_name, created_at) values
  (tests.id('mette'), tests.id('org_a'), 'Mette', '2026-01-01'),
  (tests.id('sofie'), tests.id('org_a'), 'Sofie', '2026-01-02');
insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
values (tests.id('cut'), tests.id('org_a'), 'Klipning', 60, 45000, 'DKK', 60);
insert into app.service_providers (org_id, service_id, provider_id) values
  (tests.id('org_a'), tests.id('cut'), tests.id('mette')),
  (tests.id('org_a'), tests.id('cut'), tests.id('sofie'));
insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
select tests.id('org_a'), p, d, '09:00', '17:00'
from unnest(array[tests.id('mette'), tests.id('sofie')]) p, generate_series(1, 5) d;

create function pg_temp.mette_free(p_at text)
returns boolean
language sql
as $$
  select exists (select 1 from json_array_elements(
    api.available_slots(tests.id('mette'), tests.id('cut'), '2026-03-03', '2026-03-03') -> 'slots') s
    where s ->> 'start' = p_at);
$$;

-- A hold keeps its slot -----------------------------------------------------------------------

select tests.authenticate_as('cora');
select lives_ok(
  format($$create temp table cora_hold as select api.create_hold(%L, %L, '2026-03-03T10:00:00+01:00') as h$$,
    tests.id('mette'), tests.id('cut')),
  'A customer holds a slot');
select is((select h ->> 'expires_at' from cora_hold), '2026-03-02T08:10:00Z',
  'It expires after the organization''s hold_minutes');
select is((select h ->> 'start' from cora_hold), '2026-03-03T10:00:00+01:00', 'The hold names its slot in the provider''s zone');
select ok(not pg_temp.mette_free('2026-03-03T10:00:00+01:00'), 'The held slot is gone from the slot list');
select is((api.check_availability(tests.id('mette'), tests.id('cut'), '2026-03-03T10:00:00+01:00') ->> 'reason'),
  'slot_taken', 'check-availability calls it taken');
select is(api.get_hold((select (h ->> 'id')::uuid from cora_hold)) ->> 'id', (select h ->> 'id' from cora_hold),
  'The holder reads her hold');
select is((api.list_bookings() -> 'items')::text, '[]', 'A hold is not in the holder''s bookings');
select throws_ok(format('select api.get_booking(%L)', (select h ->> 'id' from cora_hold)), 'PT404', 'not_found',
  'nor is it a booking');

select tests.authenticate_as('dina');
select throws_ok(
  format($$select api.create_booking(%L, %L, '2026-03-03T10:00:00+01:00')$$, tests.id('mette'), tests.id('cut')),
  'PT409', 'slot_taken', 'Another customer cannot book the held slot');
select throws_ok(
  format($$select api.create_hold(%L, %L, '2026-03-03T10:00:00+01:00')$$, tests.id('mette'), tests.id('cut')),
  'PT409', 'slot_taken', 'nor hold it');
select throws_ok(format('select api.get_hold(%L)', (select h ->> 'id' from cora_hold)), 'PT404', 'not_found',
  'Another customer does not see the hold');
select throws_ok(format('select api.confirm_hold(%L)', (select h ->> 'id' from cora_hold)), 'PT404', 'not_found',
  'nor confirm it');
select throws_ok(format('select api.release_hold(%L)', (select h ->> 'id' from cora_hold)), 'PT404', 'not_found',
  'nor release it');
select is((api.create_booking('any', tests.id('cut'), '2026-03-03T10:00:00+01:00') ->> 'provider_id')::uuid,
  tests.id('sofie'), '"any" books the provider who is free');

select tests.authenticate_as_anon();
select throws_ok(
  format($$select api.create_hold(%L, %L, '2026-03-03T11:00:00+01:00')$$, tests.id('mette'), tests.id('cut')),
  '42501', null, 'anon cannot hold (the API answers 401)');

-- Confirming ----------------------------------------------------------------------------------

select tests.authenticate_as('cora');
select is(api.confirm_hold((select (h ->> 'id')::uuid from cora_hold), 'Short, please') ->> 'status', 'confirmed',
  'Confirming a live hold makes it a booking');
select is(api.get_booking((select (h ->> 'id')::uuid from cora_hold)) ->> 'start', '2026-03-03T10:00:00+01:00',
  'with the same id and the same slot');
select throws_ok(format('select api.confirm_hold(%L)', (select h ->> 'id' from cora_hold)), 'PT409', 'invalid_transition',
  'A second confirmation is refused');
select tests.clear_authentication();
select results_eq(
  format('select action from app.booking_history where booking_id = %L order by id', (select h ->> 'id' from cora_hold)),
  $$values ('created')$$, 'Its history starts at the confirmation');
select results_eq(
  format('select kind from outbox.messages where booking_id = %L', (select h ->> 'id' from cora_hold)),
  $$values ('booking_created')$$, 'and so does its mail: one booking_created');

-- Expiry --------------------------------------------------------------------------------------

select tests.authenticate_as('cora');
create temp table late_hold as
  select api.create_hold(tests.id('mette')::text, tests.id('cut'), '2026-03-03T12:00:00+01:00') as h;
select tests.clear_authentication();
select tests.freeze_time('2026-03-02 08:10:00+00');
select tests.authenticate_as('dina');
select ok(pg_temp.mette_free('2026-03-03T12:00:00+01:00'), 'At its expiry instant the slot is free again, the row still there');
select is(api.create_booking(tests.id('mette')::text, tests.id('cut'), '2026-03-03T12:00:00+01:00') ->> 'status', 'confirmed',
  'and another customer books it: the constraint lets a claim made after expiry through');
select tests.authenticate_as('cora');
select throws_ok(format('select api.confirm_hold(%L)', (select h ->> 'id' from late_hold)), 'PT410', 'hold_expired',
  'The expired hold cannot be confirmed');
select is(api.get_hold((select (h ->> 'id')::uuid from late_hold)) ->> 'id', (select h ->> 'id' from late_hold),
  'The holder still reads it until it is deleted');
select tests.clear_authentication();
set local role service_role;
select is(private.expire_holds(), 1, 'The worker deletes the expired hold');
reset role;
select is((select count(*)::integer from app.bookings where id = (select (h ->> 'id')::uuid from late_hold)), 0, 'It is gone');

-- Release -------------------------------------------------------------------------------------

select tests.authenticate_as('cora');
create temp table let_go as
  select api.create_hold(tests.id('mette')::text, tests.id('cut'), '2026-03-03T14:00:00+01:00') as h;
select lives_ok(format('select api.release_hold(%L)', (select h ->> 'id' from let_go)), 'The holder releases her hold');
select ok(pg_temp.mette_free('2026-03-03T14:00:00+01:00'), 'and its slot is free at once');

-- The cap -------------------------------------------------------------------------------------

select tests.clear_authentication();
update app.organizations set max_active_bookings_per_customer = 2 where id = tests.id('org_a');
select tests.authenticate_as('cora');
select lives_ok(
  format($$select api.create_hold(%L, %L, '2026-03-03T15:00:00+01:00')$$, tests.id('mette'), tests.id('cut')),
  'With one booking, a customer under a cap of two may hold one more slot');
select throws_ok(
  format($$select api.create_hold(%L, %L, '2026-03-03T16:00:00+01:00')$$, tests.id('mette'), tests.id('cut')),
  'PT409', 'too_many_bookings', 'but not two: live holds count with bookings against the per-customer cap');
select throws_ok(
  format($$select api.create_hold('nobody', %L, '2026-03-03T15:00:00+01:00')$$, tests.id('cut')),
  'PT422', 'validation_failed', 'provider_id is an id or "any"');

select * from finish();
rollback;
