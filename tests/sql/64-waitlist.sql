-- Waitlist: freed time becomes a hold for the first entry in line that it fits, with an email,
-- in the transaction that freed it; a lapsed offer passes to the next; and what frees time:
-- cancelling, releasing or expiring a hold, removing time off, widening hours.
-- Depends on: sql/code/64-waitlist.sql, 62-holds.sql, 60-bookings.sql, 85-outbox.sql,
--   migration 011, and tests/sql/helpers/*.sql (personas, tests.id, tests.freeze_time).
-- A cancellation racing a direct booking of the same slot is in tests/test_waitlist.py.
begin;
select plan(23);

select tests.freeze_time('2026-03-02 08:00:00+00');
select tests.create_user('cora');
select tests.create_user('wanda');   -- first in line
select tests.create_user('will');    -- second in line
select tests.create_user('olga_owner');

insert into app.organizations (id, slug, name) values (tests.id('org_a'), 'salon-a', 'Salon A');
insert into app.memberships (org_id, user_id, role) values (tests.id('org_a'), tests.user_id('olga_owner'), 'owner');
insert into app.providers (id, org_id, display_name) values (tests.id('mette'), tests.id('org_a'), 'Mette');
insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
values (tests.id('cut'), tests.id('org_a'), 'Klipning', 60, 45000, 'DKK', 60);
insert into app.service_providers (org_id, service_id, provider_id) values (tests.id('org_a'), tests.id('cut'), tests.id('mette'));
-- Tuesday 3 March: 09:00-11:00 only, both hours booked by Cora.
insert into app.date_overrides (org_id, provider_id, on_date, windows)
values (tests.id('org_a'), tests.id('mette'), '2026-03-03', array[tsrange('2026-03-03 09:00', '2026-03-03 11:00')]);

select tests.authenticate_as('cora');
create temp table cora_nine as select api.create_booking(tests.id('mette')::text, tests.id('cut'), '2026-03-03T09:00:00+01:00') as b;
create temp table cora_ten as select api.create_booking(tests.id('mette')::text, tests.id('cut'), '2026-03-03T10:00:00+01:00') as b;

select tests.authenticate_as('wanda');
create temp table wanda_entry as select api.join_waitlist(tests.id('cut'), '2026-03-03', '2026-03-03') as e;
select is((select e ->> 'status' from wanda_entry), 'waiting', 'A customer joins the waitlist for a day');
select is((select e ->> 'from' from wanda_entry), '2026-03-03T00:00:00+01:00', 'The window is read as local dates, the end day included');
select is((select e ->> 'to' from wanda_entry), '2026-03-04T00:00:00+01:00', 'to the end of that day');
select tests.authenticate_as('will');
create temp table will_entry as select api.join_waitlist(tests.id('cut'), '2026-03-03T08:00:00+01:00', '2026-03-03T12:00:00+01:00', tests.id('mette')) as e;
select is(json_array_length(api.my_waitlist() -> 'items'), 1, 'Each customer reads only their own entries');
select throws_ok(format('select api.leave_waitlist(%L)', (select e ->> 'id' from wanda_entry)), 'PT404', 'not_found',
  'and cannot remove another''s');

-- A cancellation offers the slot to the first in line ----------------------------------------

select tests.authenticate_as('cora');
select is(api.cancel_booking((select (b ->> 'id')::uuid from cora_ten)) ->> 'status', 'cancelled', 'Cora cancels 10:00');
select tests.clear_authentication();
select results_eq(
  $$select status, customer_id, starts_at from app.bookings where id = (select hold_id from app.waitlist_entries where id = (select (e ->> 'id')::uuid from wanda_entry))$$,
  $$values ('held'::app.booking_status, tests.user_id('wanda'), '2026-03-03 09:00:00+00'::timestamptz)$$,
  'In the same transaction the first in line holds the freed slot');
select is((select status from app.waitlist_entries where id = (select (e ->> 'id')::uuid from wanda_entry)), 'offered',
  'and her entry is offered');
select is((select status from app.waitlist_entries where id = (select (e ->> 'id')::uuid from will_entry)), 'waiting',
  'The second in line keeps waiting');
select results_eq(
  $$select kind, recipient_id, payload ->> 'hold_expires_at' from outbox.messages where kind = 'waitlist_offer'$$,
  $$values ('waitlist_offer', tests.user_id('wanda'), '2026-03-02T09:10:00+01:00')$$,
  'An email tells her, with the time the hold ends');

-- Expiry passes it on ------------------------------------------------------------------------

select tests.freeze_time('2026-03-02 08:10:00+00');
set local role service_role;
select is(private.expire_holds(), 1, 'Her hold expires and the worker deletes it');
reset role;
select is((select status from app.waitlist_entries where id = (select (e ->> 'id')::uuid from wanda_entry)), 'lapsed',
  'Her entry has lapsed');
select is((select status from app.waitlist_entries where id = (select (e ->> 'id')::uuid from will_entry)), 'offered',
  'and the next in line is offered the slot');
select is((select count(*)::integer from outbox.messages where kind = 'waitlist_offer'), 2, 'with an email of his own');

select tests.authenticate_as('will');
select is(api.confirm_hold((select hold_id from app.waitlist_entries where id = (select (e ->> 'id')::uuid from will_entry))) ->> 'start',
  '2026-03-03T10:00:00+01:00', 'He confirms it into a booking');
select is((api.my_waitlist() -> 'items' -> 0 ->> 'status'), 'booked', 'and his entry is booked');

-- Time off removed, hours widened ------------------------------------------------------------

select tests.authenticate_as('wanda');
create temp table wanda_again as select api.join_waitlist(tests.id('cut'), '2026-03-04', '2026-03-04', tests.id('mette')) as e;
select tests.clear_authentication();
insert into app.time_off (id, org_id, provider_id, period)
values (tests.id('away'), tests.id('org_a'), tests.id('mette'), tstzrange('2026-03-04 08:00+00', '2026-03-04 09:00+00'));
insert into app.date_overrides (org_id, provider_id, on_date, windows)
values (tests.id('org_a'), tests.id('mette'), '2026-03-04', array[tsrange('2026-03-04 09:00', '2026-03-04 10:00')]);
select is((select status from app.waitlist_entries where id = (select (e ->> 'id')::uuid from wanda_again)), 'waiting',
  'While the only hour of the day is time off, nothing is offered');
delete from app.time_off where id = tests.id('away');
select is((select status from app.waitlist_entries where id = (select (e ->> 'id')::uuid from wanda_again)), 'offered',
  'Removing the time off offers that hour');
select tests.authenticate_as('wanda');
select lives_ok(format('select api.release_hold(%L)',
  (select hold_id from app.waitlist_entries where id = (select (e ->> 'id')::uuid from wanda_again))), 'She lets it go');
select tests.authenticate_as('will');
create temp table will_again as select api.join_waitlist(tests.id('cut'), '2026-03-04T10:00:00+01:00', '2026-03-04T12:00:00+01:00') as e;
select tests.clear_authentication();
update app.date_overrides set windows = array[tsrange('2026-03-04 09:00', '2026-03-04 12:00')]
where provider_id = tests.id('mette') and on_date = '2026-03-04';
select results_eq(
  $$select b.starts_at from app.waitlist_entries w join app.bookings b on b.id = w.hold_id where w.id = (select (e ->> 'id')::uuid from will_again)$$,
  $$values ('2026-03-04 09:00:00+00'::timestamptz)$$,
  'Widening the day''s hours offers the new time inside his window');

-- Closed ------------------------------------------------------------------------------------

select tests.authenticate_as('cora');
select throws_ok(format($$select api.join_waitlist(%L, '2026-03-01', '2026-03-01')$$, tests.id('cut')),
  'PT409', 'waitlist_closed', 'A window that has passed cannot be waited for');
select tests.clear_authentication();
update app.organizations set waitlist_enabled = false where id = tests.id('org_a');
select tests.authenticate_as('cora');
select throws_ok(format($$select api.join_waitlist(%L, '2026-03-05', '2026-03-05')$$, tests.id('cut')),
  'PT409', 'waitlist_closed', 'nor may anyone wait where the organization keeps no waitlist');
select throws_ok(format($$select api.join_waitlist(%L, '2026-03-06', '2026-03-05')$$, tests.id('cut')),
  'PT422', 'validation_failed', 'to must come after from');

select * from finish();
rollback;
