-- Live-update events: what the triggers record, and who may read which event under row-level
-- security (the decision the API's streams defer to).
-- Depends on: sql/code/87-events.sql, sql/migrations/006_events.sql, and
--   tests/sql/helpers/*.sql (personas, tests.id, tests.freeze_time).
-- NOTIFY delivery at commit cannot be seen inside one transaction; tests/api/live/ listens.
begin;
select plan(33);

select tests.freeze_time('2026-03-02 09:00:00+00');
select tests.create_user('cora');   -- customer
select tests.create_user('dina');   -- another customer
select tests.create_user('sten');   -- staff at salon A
select tests.create_user('mette');  -- provider at salon A

insert into app.organizations (id, slug, name) values (tests.id('org_a'), 'salon-a', 'Salon A');
insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('sten'), 'staff'),
  (tests.id('org_a'), tests.user_id('mette'), 'provider');
insert into app.providers (id, org_id, display_name, user_id) values
  (tests.id('mette_desk'), tests.id('org_a'), 'Mette', tests.user_id('mette')),
  (tests.id('desk'), tests.id('org_a'), 'Desk', null);
insert into app.providers (id, org_id, display_name, active) values
  (tests.id('closed'), tests.id('org_a'), 'Closed', false);
insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
values (tests.id('cut'), tests.id('org_a'), 'Klipning', 60, 45000, 'DKK', 60);
delete from app.events;

create function pg_temp.book(p_label text, p_customer text, p_provider text, p_start timestamptz)
returns void
language sql
as $$
  insert into app.bookings (id, org_id, provider_id, service_id, customer_id, starts_at, ends_at,
    status, price_minor, currency, created_at)
  values (tests.id(p_label), tests.id('org_a'), tests.id(p_provider), tests.id('cut'),
    tests.user_id(p_customer), p_start, p_start + interval '1 hour', 'confirmed', 45000, 'DKK', private.now());
$$;

-- as the superuser: what the triggers record ----------------------------------------------------

select pg_temp.book('cora_cut', 'cora', 'desk', '2026-03-05 09:00:00+00');
select pg_temp.book('dina_cut', 'dina', 'mette_desk', '2026-03-05 09:00:00+00');
select results_eq(
  $$select topic, kind, booking_id, status, during from app.events order by id$$,
  $$values ('bookings', 'booking.created', tests.id('cora_cut'), 'confirmed', null::tstzrange),
           ('availability', 'availability.changed', null, null, '[2026-03-05 09:00:00+00,2026-03-05 10:00:00+00)'::tstzrange),
           ('bookings', 'booking.created', tests.id('dina_cut'), 'confirmed', null),
           ('availability', 'availability.changed', null, null, '[2026-03-05 09:00:00+00,2026-03-05 10:00:00+00)')$$,
  'A booking records a bookings event and an availability event for the blocked hour'
);
delete from app.events;
update app.bookings set customer_note = 'Kort, tak' where id = tests.id('cora_cut');
select results_eq(
  $$select topic, kind from app.events order by id$$,
  $$values ('bookings', 'booking.updated')$$,
  'A changed note is a booking.updated event; availability did not move, so no availability event'
);
delete from app.events;
update app.bookings set status = 'cancelled', cancelled_at = private.now() where id = tests.id('cora_cut');
select results_eq(
  $$select topic, kind, status from app.events order by id$$,
  $$values ('bookings', 'booking.cancelled', 'cancelled'), ('availability', 'availability.changed', null)$$,
  'Cancelling is booking.cancelled, and the hour becomes available'
);
delete from app.events;
insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
select tests.id('org_a'), tests.id('desk'), d, '08:00', '12:00' from generate_series(1, 5) d;
select results_eq(
  $$select topic, provider_id, during from app.events$$,
  $$values ('availability', tests.id('desk'), null::tstzrange)$$,
  'Five rows of working hours in one statement are one availability event with no range'
);
delete from app.events;
insert into app.time_off (org_id, provider_id, period)
values (tests.id('org_a'), tests.id('desk'), '[2026-03-06 08:00+00,2026-03-06 12:00+00)');
select results_eq(
  $$select during from app.events$$,
  $$values ('[2026-03-06 08:00+00,2026-03-06 12:00+00)'::tstzrange)$$,
  'Time off is an availability event over its period'
);
select pg_temp.book('cora_again', 'cora', 'desk', '2026-03-09 09:00:00+00');
select pg_temp.book('dina_again', 'dina', 'mette_desk', '2026-03-09 09:00:00+00');
insert into app.time_off (org_id, provider_id, period)
values (tests.id('org_a'), tests.id('closed'), '[2026-03-06 08:00+00,2026-03-06 12:00+00)');

-- who reads which event: one persona at a time, each cell asserted on its own -----------------
-- Events now: availability of Desk (time off), Cora's booking and Desk's hour, Dina's booking and
-- Mette's hour, and availability of the inactive provider Closed.

create temp table every_event as select array_agg(id) as ids from app.events;
grant select on every_event to public;

\set q_booking_events 'select booking_id from app.events where topic = ''bookings'''
\set q_availability 'select distinct provider_id from app.events where topic = ''availability'''
\set insert_event 'insert into app.events (at, topic, kind, org_id, provider_id) values (now(), ''availability'', ''x.y'', tests.id(''org_a''), tests.id(''desk''))'
\set update_event 'update app.events set kind = ''x.y'' where topic = ''availability'''
\set delete_event 'delete from app.events where topic = ''availability'''
\set public_providers 'values (tests.id(''desk'')), (tests.id(''mette_desk''))'
\set all_providers 'values (tests.id(''desk'')), (tests.id(''mette_desk'')), (tests.id(''closed''))'

-- as anon
select tests.authenticate_as_anon();
select is_empty(:'q_booking_events', 'Visitors read no booking event');
select set_eq(:'q_availability', :'public_providers', 'Visitors read availability events of active providers only');
select throws_ok(:'insert_event', '42501', null, 'Visitors cannot insert events');
select throws_ok(:'update_event', '42501', null, 'Visitors cannot update events');
select throws_ok(:'delete_event', '42501', null, 'Visitors cannot delete events');

-- as cora (customer of Desk)
select tests.authenticate_as('cora');
select set_eq(:'q_booking_events', $$values (tests.id('cora_again'))$$, 'A customer reads the events of her own bookings only');
select set_eq(:'q_availability', :'public_providers', 'A customer reads availability events of active providers only');
select throws_ok(:'insert_event', '42501', null, 'A customer cannot insert events');
select throws_ok(:'update_event', '42501', null, 'A customer cannot update events');
select throws_ok(:'delete_event', '42501', null, 'A customer cannot delete events');
select is(
  (select pg_catalog.json_array_length(api.visible_events((select ids from every_event)))),
  (select count(*)::integer from app.events),
  'Given every event id, api.visible_events answers exactly what the policies let the caller read'
);

-- as dina (customer of Mette)
select tests.authenticate_as('dina');
select set_eq(:'q_booking_events', $$values (tests.id('dina_again'))$$, 'Another customer reads her own booking events, never Cora''s');
select set_eq(:'q_availability', :'public_providers', 'Another customer reads availability events of active providers only');
select throws_ok(:'insert_event', '42501', null, 'Another customer cannot insert events');
select throws_ok(:'update_event', '42501', null, 'Another customer cannot update events');
select throws_ok(:'delete_event', '42501', null, 'Another customer cannot delete events');

-- as mette (provider at salon A)
select tests.authenticate_as('mette');
select set_eq(:'q_booking_events', $$values (tests.id('dina_again'))$$, 'A provider reads the booking events of her own calendar, not a colleague''s');
select set_eq(:'q_availability', :'all_providers', 'A provider, a member, also reads an inactive colleague''s availability');
select throws_ok(:'insert_event', '42501', null, 'A provider cannot insert events');
select throws_ok(:'update_event', '42501', null, 'A provider cannot update events');
select throws_ok(:'delete_event', '42501', null, 'A provider cannot delete events');

-- as sten (staff at salon A)
select tests.authenticate_as('sten');
select set_eq(:'q_booking_events', $$values (tests.id('cora_again')), (tests.id('dina_again'))$$, 'Staff read the booking events of their organization');
select set_eq(:'q_availability', :'all_providers', 'Staff also read an inactive provider''s availability');
select throws_ok(:'insert_event', '42501', null, 'Staff cannot insert events');
select throws_ok(:'update_event', '42501', null, 'Staff cannot update events');
select throws_ok(:'delete_event', '42501', null, 'Staff cannot delete events');

-- subscribing -----------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok(
  $$select api.event_topics(array['bookings'])$$,
  'PT401', 'unauthorized',
  'The bookings topic needs a token'
);
select throws_ok(
  format('select api.event_topics(array[%L])', 'availability:' || tests.id('closed')),
  'PT404', 'not_found',
  'Subscribing to a provider a visitor cannot see is not_found'
);

select * from finish();
rollback;
