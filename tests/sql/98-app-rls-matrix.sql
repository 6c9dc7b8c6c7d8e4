-- The booking domain under row-level security: every app table x every persona x select, insert,
-- update and delete, each cell asserted as allowed, filtered or refused.
-- Depends on: sql/migrations/002_bookings.sql and 011 (the tables), sql/code/40-organizations.sql
--   to 47-resources.sql, 60-bookings.sql, 63-series.sql, 64-waitlist.sql and 77-feeds.sql (their grants and
--   policies), and tests/sql/helpers/10-personas.sql (personas switch role exactly as the API
--   does) and 20-app-personas.sql
--   (tests.id for fixture ids, tests.rows_written for writes that prove themselves and are undone).
-- Allowed writes are proven by the number of rows their RETURNING gives, then rolled back by
-- tests.rows_written, so every persona meets the same fixtures. Refusals are asserted as they
-- happen: 42501 from a missing privilege or a failed WITH CHECK, or a write that RLS narrows to
-- no row. The last section compares every table with its state after the fixtures, so no refused
-- attempt can have moved data unnoticed.
begin;
select plan(620);

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A: providers Pia (her own account), Per and Ivy (inactive); services Haircut, Colour and
-- Perm (inactive). Studio B: Quinn and Rex (inactive); Massage and Sauna (inactive).
-- Cora books Pia at Salon A and Quinn at Studio B, and has a weekly series with each; Otto books
-- Per at Salon A.

select tests.create_user('cora_customer');
select tests.create_user('otto_customer');
select tests.create_user('pia_provider');
select tests.create_user('stan_staff');
select tests.create_user('ada_admin');
select tests.create_user('olga_owner');
select tests.create_user('bea_admin_b');
select tests.create_user('bo_owner_b');

insert into app.organizations (id, slug, name) values
  (tests.id('org_a'), 'salon-a', 'Salon A'),
  (tests.id('org_b'), 'studio-b', 'Studio B');

insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('olga_owner'), 'owner'),
  (tests.id('org_a'), tests.user_id('ada_admin'), 'admin'),
  (tests.id('org_a'), tests.user_id('stan_staff'), 'staff'),
  (tests.id('org_b'), tests.user_id('bo_owner_b'), 'owner'),
  (tests.id('org_b'), tests.user_id('bea_admin_b'), 'admin'),
  (tests.id('org_a'), tests.user_id('pia_provider'), 'provider');

-- Pia is a member of Salon A (role provider), so her provider row may name her.
insert into app.providers (id, org_id, user_id, display_name, active) values
  (tests.id('provider_pia'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia', true),
  (tests.id('provider_per'), tests.id('org_a'), null, 'Per', true),
  (tests.id('provider_ivy'), tests.id('org_a'), null, 'Ivy', false),
  (tests.id('provider_quinn'), tests.id('org_b'), null, 'Quinn', true),
  (tests.id('provider_rex'), tests.id('org_b'), null, 'Rex', false);

insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes, active) values
  (tests.id('service_cut'), tests.id('org_a'), 'Haircut', 30, 35000, 'DKK', 30, true),
  (tests.id('service_colour'), tests.id('org_a'), 'Colour', 90, 90000, 'DKK', 30, true),
  (tests.id('service_perm'), tests.id('org_a'), 'Perm', 120, 120000, 'DKK', 30, false),
  (tests.id('service_massage'), tests.id('org_b'), 'Massage', 60, 60000, 'DKK', 60, true),
  (tests.id('service_sauna'), tests.id('org_b'), 'Sauna', 60, 20000, 'DKK', 60, false);

insert into app.service_providers (org_id, service_id, provider_id) values
  (tests.id('org_a'), tests.id('service_cut'), tests.id('provider_pia')),
  (tests.id('org_a'), tests.id('service_cut'), tests.id('provider_per')),
  (tests.id('org_a'), tests.id('service_colour'), tests.id('provider_pia')),
  (tests.id('org_a'), tests.id('service_perm'), tests.id('provider_ivy')),
  (tests.id('org_b'), tests.id('service_massage'), tests.id('provider_quinn')),
  (tests.id('org_b'), tests.id('service_sauna'), tests.id('provider_rex'));

insert into app.working_hours (org_id, provider_id, weekday, starts, ends) values
  (tests.id('org_a'), tests.id('provider_pia'), 1, '09:00', '17:00'),
  (tests.id('org_a'), tests.id('provider_per'), 1, '09:00', '17:00'),
  (tests.id('org_a'), tests.id('provider_ivy'), 2, '10:00', '14:00'),
  (tests.id('org_b'), tests.id('provider_quinn'), 1, '09:00', '17:00'),
  (tests.id('org_b'), tests.id('provider_rex'), 3, '09:00', '12:00');

insert into app.date_overrides (org_id, provider_id, on_date, windows) values
  (tests.id('org_a'), tests.id('provider_pia'), '2026-03-16', '{}'),
  (tests.id('org_a'), tests.id('provider_per'), '2026-03-16', '{"[\"2026-03-16 12:00\",\"2026-03-16 16:00\")"}'),
  (tests.id('org_b'), tests.id('provider_quinn'), '2026-03-16', '{}');

insert into app.time_off (id, org_id, provider_id, period, reason) values
  (tests.id('time_off_pia'), tests.id('org_a'), tests.id('provider_pia'),
   tstzrange('2026-03-18 09:00+01', '2026-03-18 12:00+01'), 'Dentist'),
  (tests.id('time_off_per'), tests.id('org_a'), tests.id('provider_per'),
   tstzrange('2026-03-19 00:00+01', '2026-03-21 00:00+01'), 'Family matters'),
  (tests.id('time_off_quinn'), tests.id('org_b'), tests.id('provider_quinn'),
   tstzrange('2026-03-18 09:00+01', '2026-03-18 17:00+01'), 'Course');

insert into app.bookings (id, org_id, provider_id, service_id, customer_id, starts_at, ends_at, status, price_minor, currency) values
  (tests.id('booking_cora_a'), tests.id('org_a'), tests.id('provider_pia'), tests.id('service_cut'),
   tests.user_id('cora_customer'), '2026-03-23 10:00+01', '2026-03-23 10:30+01', 'pending', 35000, 'DKK'),
  (tests.id('booking_otto_a'), tests.id('org_a'), tests.id('provider_per'), tests.id('service_cut'),
   tests.user_id('otto_customer'), '2026-03-23 10:00+01', '2026-03-23 10:30+01', 'confirmed', 35000, 'DKK'),
  (tests.id('booking_cora_b'), tests.id('org_b'), tests.id('provider_quinn'), tests.id('service_massage'),
   tests.user_id('cora_customer'), '2026-03-23 14:00+01', '2026-03-23 15:00+01', 'confirmed', 60000, 'DKK');
insert into app.booking_series (id, org_id, provider_id, service_id, customer_id, every_weeks, occurrences, first_start) values
  (tests.id('series_cora_a'), tests.id('org_a'), tests.id('provider_pia'), tests.id('service_cut'),
   tests.user_id('cora_customer'), 1, 2, '2026-03-23 10:00+01'),
  (tests.id('series_cora_b'), tests.id('org_b'), tests.id('provider_quinn'), tests.id('service_massage'),
   tests.user_id('cora_customer'), 1, 2, '2026-03-23 14:00+01');
-- A second history row for Cora's booking at Salon A.
update app.bookings b set status = 'confirmed' where b.id = tests.id('booking_cora_a');

insert into app.booking_notes (booking_id, org_id, internal_note) values
  (tests.id('booking_cora_a'), tests.id('org_a'), 'Prefers scissors to clippers'),
  (tests.id('booking_otto_a'), tests.id('org_a'), 'Sensitive scalp'),
  (tests.id('booking_cora_b'), tests.id('org_b'), 'Bad back: soft table');

insert into app.idempotency_keys (user_id, key, request_hash, response_status, response_body) values
  (tests.user_id('cora_customer'), 'cora-key-1', '\x01', 201, '{}'),
  (tests.user_id('otto_customer'), 'otto-key-1', '\x02', 201, '{}');

-- Calendar feeds: Pia's (issued by herself) and Cora's own, as hashes of their tokens.
insert into app.calendar_feeds (provider_id, user_id, token_hash, created_by) values
  (tests.id('provider_pia'), null, sha256('pia-feed-token'), tests.user_id('pia_provider')),
  (null, tests.user_id('cora_customer'), sha256('cora-feed-token'), tests.user_id('cora_customer'));

-- Shared resources: Salon A's basin, needed by the haircut and by the inactive perm; Studio B's
-- table, needed by the massage. The claims are written here as the trigger on app.bookings
-- would have written them had the needs existed when the bookings were made.
insert into app.resources (id, org_id, name, kind, capacity) values
  (tests.id('resource_basin'), tests.id('org_a'), 'Basin', 'basin', 1),
  (tests.id('resource_table'), tests.id('org_b'), 'Table', 'table', 1);
insert into app.service_resources (org_id, service_id, kind, count) values
  (tests.id('org_a'), tests.id('service_cut'), 'basin', 1),
  (tests.id('org_a'), tests.id('service_perm'), 'basin', 1),
  (tests.id('org_b'), tests.id('service_massage'), 'table', 1);
insert into app.resource_claims (org_id, booking_id, resource_id, unit, blocked, claimed)
select b.org_id, b.id, case b.org_id when tests.id('org_a') then tests.id('resource_basin') else tests.id('resource_table') end,
       1, b.blocked, b.claimed
from app.bookings b
where b.id in (tests.id('booking_cora_a'), tests.id('booking_cora_b'));

select results_eq(
  $$select m.role::text from app.memberships m
    where m.org_id = tests.id('org_a') and m.user_id = tests.user_id('pia_provider')$$,
  $$values ('provider')$$,
  'Pia is a member of Salon A with role provider, linked by her provider row'
);
select results_eq(
  $$select h.action from app.booking_history h where h.booking_id = tests.id('booking_cora_a') order by h.id$$,
  $$values ('created'), ('confirmed')$$,
  'The fixtures left two history rows for Cora''s booking at Salon A: created, then confirmed'
);

-- The waitlist: Cora waits at both, Otto for Per at Salon A.
insert into app.waitlist_entries (id, org_id, service_id, provider_id, customer_id, wanted) values
  (tests.id('wait_cora_a'), tests.id('org_a'), tests.id('service_cut'), null, tests.user_id('cora_customer'),
   tstzrange('2026-04-06 08:00+02', '2026-04-06 18:00+02')),
  (tests.id('wait_otto_a'), tests.id('org_a'), tests.id('service_cut'), tests.id('provider_per'), tests.user_id('otto_customer'),
   tstzrange('2026-04-07 08:00+02', '2026-04-07 18:00+02')),
  (tests.id('wait_cora_b'), tests.id('org_b'), tests.id('service_massage'), null, tests.user_id('cora_customer'),
   tstzrange('2026-04-06 08:00+02', '2026-04-06 18:00+02'));

-- Every app table as the fixtures left it, compared again at the end.
create temp view app_fingerprints as
select 'organizations' as table_name, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from app.organizations t
union all select 'memberships', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.memberships t
union all select 'providers', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.providers t
union all select 'services', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.services t
union all select 'service_providers', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.service_providers t
union all select 'working_hours', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.working_hours t
union all select 'date_overrides', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.date_overrides t
union all select 'time_off', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.time_off t
union all select 'bookings', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.bookings t
union all select 'booking_notes', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.booking_notes t
union all select 'booking_history', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.booking_history t
union all select 'idempotency_keys', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.idempotency_keys t
union all select 'calendar_feeds', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.calendar_feeds t
union all select 'booking_series', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.booking_series t
union all select 'resources', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.resources t
union all select 'service_resources', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.service_resources t
union all select 'resource_claims', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.resource_claims t
union all select 'waitlist_entries', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from app.waitlist_entries t;
create temp table fixture_fingerprints on commit drop as select * from app_fingerprints;

-- Reads: one query per table, and the rows each audience should get back.
select
  $$select o.id from app.organizations o$$ as q_orgs,
  $$select m.user_id, m.role::text from app.memberships m$$ as q_memberships,
  $$select p.id from app.providers p$$ as q_providers,
  $$select s.id from app.services s$$ as q_services,
  $$select sp.service_id, sp.provider_id from app.service_providers sp$$ as q_links,
  $$select w.provider_id, w.weekday::integer from app.working_hours w$$ as q_hours,
  $$select d.provider_id, d.on_date from app.date_overrides d$$ as q_overrides,
  $$select t.id from app.time_off t$$ as q_time_off,
  $$select b.id from app.bookings b$$ as q_bookings,
  $$select n.booking_id from app.booking_notes n$$ as q_notes,
  $$select h.booking_id, h.action from app.booking_history h$$ as q_history,
  $$select k.user_id, k.key from app.idempotency_keys k$$ as q_keys,
  $$select f.provider_id, f.user_id from app.calendar_feeds f$$ as q_feeds,
  $$select s.id from app.booking_series s$$ as q_series,
  $$values (tests.id('series_cora_a')), (tests.id('series_cora_b'))$$ as series_cora,
  $$values (tests.id('series_cora_a'))$$ as series_a,
  $$values (tests.id('series_cora_b'))$$ as series_b,
  $$values (tests.id('org_a')), (tests.id('org_b'))$$ as orgs_all,
  $$values (tests.user_id('olga_owner'), 'owner'), (tests.user_id('ada_admin'), 'admin'),
           (tests.user_id('stan_staff'), 'staff'), (tests.user_id('pia_provider'), 'provider')$$ as memberships_a,
  $$values (tests.user_id('bo_owner_b'), 'owner'), (tests.user_id('bea_admin_b'), 'admin')$$ as memberships_b,
  $$values (tests.id('provider_pia')), (tests.id('provider_per')), (tests.id('provider_quinn'))$$ as providers_active,
  $$values (tests.id('provider_pia')), (tests.id('provider_per')), (tests.id('provider_ivy')),
           (tests.id('provider_quinn'))$$ as providers_for_a,
  $$values (tests.id('provider_pia')), (tests.id('provider_per')), (tests.id('provider_quinn')),
           (tests.id('provider_rex'))$$ as providers_for_b,
  $$values (tests.id('service_cut')), (tests.id('service_colour')), (tests.id('service_massage'))$$ as services_active,
  $$values (tests.id('service_cut')), (tests.id('service_colour')), (tests.id('service_perm')),
           (tests.id('service_massage'))$$ as services_for_a,
  $$values (tests.id('service_cut')), (tests.id('service_colour')), (tests.id('service_massage')),
           (tests.id('service_sauna'))$$ as services_for_b,
  $$values (tests.id('service_cut'), tests.id('provider_pia')), (tests.id('service_cut'), tests.id('provider_per')),
           (tests.id('service_colour'), tests.id('provider_pia')), (tests.id('service_perm'), tests.id('provider_ivy')),
           (tests.id('service_massage'), tests.id('provider_quinn')), (tests.id('service_sauna'), tests.id('provider_rex'))$$ as links_all,
  $$values (tests.id('provider_pia'), 1), (tests.id('provider_per'), 1),
           (tests.id('provider_quinn'), 1)$$ as hours_active,
  $$values (tests.id('provider_pia'), 1), (tests.id('provider_per'), 1), (tests.id('provider_ivy'), 2),
           (tests.id('provider_quinn'), 1)$$ as hours_for_a,
  $$values (tests.id('provider_pia'), 1), (tests.id('provider_per'), 1),
           (tests.id('provider_quinn'), 1), (tests.id('provider_rex'), 3)$$ as hours_for_b,
  $$values (tests.id('provider_pia'), date '2026-03-16'), (tests.id('provider_per'), date '2026-03-16'),
           (tests.id('provider_quinn'), date '2026-03-16')$$ as overrides_all,
  $$values (tests.id('time_off_pia')), (tests.id('time_off_per'))$$ as time_off_a,
  $$values (tests.id('time_off_quinn'))$$ as time_off_b,
  $$values (tests.id('booking_cora_a')), (tests.id('booking_cora_b'))$$ as bookings_cora,
  $$values (tests.id('booking_otto_a'))$$ as bookings_otto,
  $$values (tests.id('booking_cora_a'))$$ as bookings_pia,
  $$values (tests.id('booking_cora_a')), (tests.id('booking_otto_a'))$$ as bookings_a,
  $$values (tests.id('booking_cora_b'))$$ as bookings_b,
  $$values (tests.id('booking_cora_a'), 'created'), (tests.id('booking_cora_a'), 'confirmed'),
           (tests.id('booking_cora_b'), 'created')$$ as history_cora,
  $$values (tests.id('booking_otto_a'), 'created')$$ as history_otto,
  $$values (tests.id('booking_cora_a'), 'created'), (tests.id('booking_cora_a'), 'confirmed')$$ as history_pia,
  $$values (tests.id('booking_cora_a'), 'created'), (tests.id('booking_cora_a'), 'confirmed'),
           (tests.id('booking_otto_a'), 'created')$$ as history_a,
  $$values (tests.id('booking_cora_b'), 'created')$$ as history_b
\gset

-- Writes: each one statement with RETURNING, tried by every persona.
select
  -- organizations
  $$insert into app.organizations (slug, name) values ('salon-c', 'Salon C') returning id$$ as insert_org,
  $$update app.organizations o set name = 'Salon A, renamed' where o.id = tests.id('org_a') returning o.id$$ as update_org_a,
  $$update app.organizations o set name = 'Studio B, renamed' where o.id = tests.id('org_b') returning o.id$$ as update_org_b,
  $$delete from app.organizations o where o.id = tests.id('org_a') returning o.id$$ as delete_org_a,
  -- memberships
  $$insert into app.memberships (org_id, user_id, role)
    values (tests.id('org_a'), tests.user_id('cora_customer'), 'owner') returning user_id$$ as insert_membership,
  $$update app.memberships m set role = 'owner'
    where m.org_id = tests.id('org_a') and m.user_id = tests.user_id('stan_staff') returning m.user_id$$ as update_membership,
  $$delete from app.memberships m
    where m.org_id = tests.id('org_a') and m.user_id = tests.user_id('stan_staff') returning m.user_id$$ as delete_membership,
  -- providers
  $$insert into app.providers (org_id, display_name) values (tests.id('org_a'), 'Nina') returning id$$ as insert_provider_a,
  $$insert into app.providers (org_id, display_name) values (tests.id('org_b'), 'Nils') returning id$$ as insert_provider_b,
  $$update app.providers p set bio = 'Cuts and colours' where p.id = tests.id('provider_pia') returning p.id$$ as update_provider_pia,
  $$update app.providers p set bio = 'Cuts only' where p.id = tests.id('provider_per') returning p.id$$ as update_provider_per,
  $$update app.providers p set bio = 'Deep tissue' where p.id = tests.id('provider_quinn') returning p.id$$ as update_provider_quinn,
  $$update app.providers p set active = false where p.id = tests.id('provider_pia') returning p.id$$ as deactivate_provider_pia,
  $$delete from app.providers p where p.id = tests.id('provider_per') returning p.id$$ as delete_provider_per,
  -- services
  $$insert into app.services (org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
    values (tests.id('org_a'), 'Beard trim', 15, 15000, 'DKK', 15) returning id$$ as insert_service_a,
  $$insert into app.services (org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
    values (tests.id('org_b'), 'Hot stones', 60, 70000, 'DKK', 60) returning id$$ as insert_service_b,
  $$update app.services s set price_minor = 40000 where s.id = tests.id('service_cut') returning s.id$$ as update_service_cut,
  $$update app.services s set price_minor = 65000 where s.id = tests.id('service_massage') returning s.id$$ as update_service_massage,
  $$delete from app.services s where s.id = tests.id('service_cut') returning s.id$$ as delete_service_cut,
  -- service_providers
  $$insert into app.service_providers (org_id, service_id, provider_id)
    values (tests.id('org_a'), tests.id('service_colour'), tests.id('provider_per')) returning service_id$$ as insert_link_a,
  $$insert into app.service_providers (org_id, service_id, provider_id)
    values (tests.id('org_b'), tests.id('service_massage'), tests.id('provider_rex')) returning service_id$$ as insert_link_b,
  $$update app.service_providers sp set provider_id = tests.id('provider_per')
    where sp.service_id = tests.id('service_colour') and sp.provider_id = tests.id('provider_pia')
    returning sp.service_id$$ as update_link_a,
  $$delete from app.service_providers sp
    where sp.service_id = tests.id('service_cut') and sp.provider_id = tests.id('provider_per')
    returning sp.service_id$$ as delete_link_a,
  $$delete from app.service_providers sp
    where sp.service_id = tests.id('service_massage') and sp.provider_id = tests.id('provider_quinn')
    returning sp.service_id$$ as delete_link_b,
  -- working_hours
  $$insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
    values (tests.id('org_a'), tests.id('provider_pia'), 2, '09:00', '17:00') returning id$$ as insert_hours_pia,
  $$insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
    values (tests.id('org_a'), tests.id('provider_per'), 2, '09:00', '17:00') returning id$$ as insert_hours_per,
  $$insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
    values (tests.id('org_b'), tests.id('provider_quinn'), 2, '09:00', '17:00') returning id$$ as insert_hours_quinn,
  $$update app.working_hours w set ends = '18:00' where w.provider_id = tests.id('provider_per') returning w.id$$ as update_hours_per,
  $$delete from app.working_hours w where w.provider_id = tests.id('provider_pia') returning w.id$$ as delete_hours_pia,
  $$delete from app.working_hours w where w.provider_id = tests.id('provider_per') returning w.id$$ as delete_hours_per,
  $$delete from app.working_hours w where w.provider_id = tests.id('provider_quinn') returning w.id$$ as delete_hours_quinn,
  -- date_overrides
  $$insert into app.date_overrides (org_id, provider_id, on_date, windows)
    values (tests.id('org_a'), tests.id('provider_pia'), '2026-03-24', '{}') returning on_date$$ as insert_override_pia,
  $$insert into app.date_overrides (org_id, provider_id, on_date, windows)
    values (tests.id('org_a'), tests.id('provider_per'), '2026-03-24', '{}') returning on_date$$ as insert_override_per,
  $$insert into app.date_overrides (org_id, provider_id, on_date, windows)
    values (tests.id('org_b'), tests.id('provider_quinn'), '2026-03-24', '{}') returning on_date$$ as insert_override_quinn,
  $$update app.date_overrides d set windows = '{}' where d.provider_id = tests.id('provider_per') returning d.on_date$$ as update_override_per,
  $$delete from app.date_overrides d where d.provider_id = tests.id('provider_pia') returning d.on_date$$ as delete_override_pia,
  $$delete from app.date_overrides d where d.provider_id = tests.id('provider_per') returning d.on_date$$ as delete_override_per,
  $$delete from app.date_overrides d where d.provider_id = tests.id('provider_quinn') returning d.on_date$$ as delete_override_quinn,
  -- time_off
  $$insert into app.time_off (org_id, provider_id, period, reason)
    values (tests.id('org_a'), tests.id('provider_pia'), tstzrange('2026-04-01 00:00+02', '2026-04-02 00:00+02'), 'Training')
    returning id$$ as insert_time_off_pia,
  $$insert into app.time_off (org_id, provider_id, period, reason)
    values (tests.id('org_a'), tests.id('provider_per'), tstzrange('2026-04-01 00:00+02', '2026-04-02 00:00+02'), 'Training')
    returning id$$ as insert_time_off_per,
  $$insert into app.time_off (org_id, provider_id, period, reason)
    values (tests.id('org_b'), tests.id('provider_quinn'), tstzrange('2026-04-01 00:00+02', '2026-04-02 00:00+02'), 'Training')
    returning id$$ as insert_time_off_quinn,
  $$update app.time_off t set reason = '' where t.id = tests.id('time_off_per') returning t.id$$ as update_time_off_per,
  $$delete from app.time_off t where t.id = tests.id('time_off_pia') returning t.id$$ as delete_time_off_pia,
  $$delete from app.time_off t where t.id = tests.id('time_off_per') returning t.id$$ as delete_time_off_per,
  $$delete from app.time_off t where t.id = tests.id('time_off_quinn') returning t.id$$ as delete_time_off_quinn,
  -- bookings
  $$insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at, ends_at, status, price_minor, currency)
    values (tests.id('org_a'), tests.id('provider_pia'), tests.id('service_cut'), tests.user_id('cora_customer'),
            '2026-03-30 10:00+02', '2026-03-30 10:30+02', 'confirmed', 0, 'DKK')
    returning id$$ as insert_booking,
  $$update app.bookings b set price_minor = 0 where b.id = tests.id('booking_cora_a') returning b.id$$ as update_booking,
  $$delete from app.bookings b where b.id = tests.id('booking_cora_a') returning b.id$$ as delete_booking,
  -- booking_notes
  $$insert into app.booking_notes (booking_id, org_id, internal_note)
    values (tests.id('booking_cora_a'), tests.id('org_a'), 'Forged') returning booking_id$$ as insert_note,
  $$update app.booking_notes n set internal_note = '' where n.booking_id = tests.id('booking_cora_a') returning n.booking_id$$ as update_note,
  $$delete from app.booking_notes n where n.booking_id = tests.id('booking_cora_a') returning n.booking_id$$ as delete_note,
  -- booking_history
  $$insert into app.booking_history (org_id, booking_id, action)
    values (tests.id('org_a'), tests.id('booking_cora_a'), 'forged') returning id$$ as insert_history,
  $$update app.booking_history h set action = 'forged' where h.booking_id = tests.id('booking_cora_a') returning h.id$$ as update_history,
  $$delete from app.booking_history h where h.booking_id = tests.id('booking_cora_a') returning h.id$$ as delete_history,
  -- idempotency_keys
  $$insert into app.idempotency_keys (user_id, key, request_hash)
    values (tests.user_id('cora_customer'), 'cora-key-2', '\x00') returning key$$ as insert_key,
  $$update app.idempotency_keys k set response_body = '{"forged": true}'
    where k.user_id = tests.user_id('cora_customer') returning k.key$$ as update_key,
  $$delete from app.idempotency_keys k where k.user_id = tests.user_id('cora_customer') returning k.key$$ as delete_key,
  -- calendar_feeds
  $$insert into app.calendar_feeds (provider_id, token_hash)
    values (tests.id('provider_per'), sha256('forged')) returning id$$ as insert_feed,
  $$update app.calendar_feeds f set token_hash = sha256('forged')
    where f.provider_id = tests.id('provider_pia') returning f.id$$ as update_feed,
  $$delete from app.calendar_feeds f where f.user_id = tests.user_id('cora_customer') returning f.id$$ as delete_feed,
  -- booking_series
  $$insert into app.booking_series (org_id, provider_id, service_id, customer_id, every_weeks, occurrences, first_start)
    values (tests.id('org_a'), tests.id('provider_pia'), tests.id('service_cut'), tests.user_id('cora_customer'),
            1, 2, '2026-03-30 10:00+02')
    returning id$$ as insert_series,
  $$update app.booking_series s set occurrences = 52 where s.id = tests.id('series_cora_a') returning s.id$$ as update_series,
  $$delete from app.booking_series s where s.id = tests.id('series_cora_a') returning s.id$$ as delete_series
\gset

-- as anon -------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select set_eq(:'q_orgs', :'orgs_all', 'Anon reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Anon cannot insert an organization');
select throws_ok(:'update_org_a', '42501', null, 'Anon cannot update an organization');
select throws_ok(:'delete_org_a', '42501', null, 'Anon cannot delete an organization');

select throws_ok(:'q_memberships', '42501', null, 'Anon cannot read memberships');
select throws_ok(:'insert_membership', '42501', null, 'Anon cannot insert a membership');
select throws_ok(:'update_membership', '42501', null, 'Anon cannot update a membership');
select throws_ok(:'delete_membership', '42501', null, 'Anon cannot delete a membership');

select set_eq(:'q_providers', :'providers_active', 'Anon reads the active providers of both organizations and no inactive one');
select throws_ok(:'insert_provider_a', '42501', null, 'Anon cannot insert a provider');
select throws_ok(:'update_provider_per', '42501', null, 'Anon cannot update a provider');
select throws_ok(:'delete_provider_per', '42501', null, 'Anon cannot delete a provider');

select set_eq(:'q_services', :'services_active', 'Anon reads the active services of both organizations and no inactive one');
select throws_ok(:'insert_service_a', '42501', null, 'Anon cannot insert a service');
select throws_ok(:'update_service_cut', '42501', null, 'Anon cannot update a service');
select throws_ok(:'delete_service_cut', '42501', null, 'Anon cannot delete a service');

select set_eq(:'q_links', :'links_all', 'Anon reads every service-provider link');
select throws_ok(:'insert_link_a', '42501', null, 'Anon cannot link a provider to a service');
select throws_ok(:'update_link_a', '42501', null, 'Anon cannot update a service-provider link');
select throws_ok(:'delete_link_a', '42501', null, 'Anon cannot unlink a provider from a service');

-- Not the hours of inactive providers (Ivy, Rex): hours are visible where the provider is.
select set_eq(:'q_hours', :'hours_active', 'Anon reads the working hours of active providers only');
select throws_ok(:'insert_hours_per', '42501', null, 'Anon cannot insert working hours');
select throws_ok(:'update_hours_per', '42501', null, 'Anon cannot update working hours');
select throws_ok(:'delete_hours_per', '42501', null, 'Anon cannot delete working hours');

select set_eq(:'q_overrides', :'overrides_all', 'Anon reads every date override');
select throws_ok(:'insert_override_per', '42501', null, 'Anon cannot insert a date override');
select throws_ok(:'update_override_per', '42501', null, 'Anon cannot update a date override');
select throws_ok(:'delete_override_per', '42501', null, 'Anon cannot delete a date override');

select throws_ok(:'q_time_off', '42501', null, 'Anon cannot read time off');
select throws_ok(:'insert_time_off_per', '42501', null, 'Anon cannot insert time off');
select throws_ok(:'update_time_off_per', '42501', null, 'Anon cannot update time off');
select throws_ok(:'delete_time_off_per', '42501', null, 'Anon cannot delete time off');

select throws_ok(:'q_bookings', '42501', null, 'Anon cannot read bookings');
select throws_ok(:'insert_booking', '42501', null, 'Anon cannot insert a booking');
select throws_ok(:'update_booking', '42501', null, 'Anon cannot update a booking');
select throws_ok(:'delete_booking', '42501', null, 'Anon cannot delete a booking');

select throws_ok(:'q_notes', '42501', null, 'Anon cannot read internal notes');
select throws_ok(:'insert_note', '42501', null, 'Anon cannot insert an internal note');
select throws_ok(:'update_note', '42501', null, 'Anon cannot update an internal note');
select throws_ok(:'delete_note', '42501', null, 'Anon cannot delete an internal note');

select throws_ok(:'q_history', '42501', null, 'Anon cannot read booking history');
select throws_ok(:'insert_history', '42501', null, 'Anon cannot insert booking history');
select throws_ok(:'update_history', '42501', null, 'Anon cannot update booking history');
select throws_ok(:'delete_history', '42501', null, 'Anon cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Anon cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Anon cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Anon cannot update an idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Anon cannot delete an idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Anon cannot read calendar feeds: only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Anon cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Anon cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Anon cannot delete a calendar feed');
select throws_ok(:'q_series', '42501', null, 'Anon cannot read series');
select throws_ok(:'insert_series', '42501', null, 'Anon cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Anon cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Anon cannot delete a series');

-- as cora_customer (books Pia at Salon A and Quinn at Studio B) ---------------------------------
select tests.authenticate_as('cora_customer');

select set_eq(:'q_orgs', :'orgs_all', 'Cora reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Cora cannot insert an organization directly');
select is(tests.rows_written(:'update_org_a'), 0::bigint, 'Cora''s UPDATE of Salon A changes no row');
select throws_ok(:'delete_org_a', '42501', null, 'Cora cannot delete an organization');

select is_empty(:'q_memberships', 'Cora, a member of nothing, reads no membership');
select throws_ok(:'insert_membership', '42501', null, 'Cora cannot make herself an owner by inserting a membership');
select throws_ok(:'update_membership', '42501', null, 'Cora cannot update a membership');
select throws_ok(:'delete_membership', '42501', null, 'Cora cannot delete a membership');

select set_eq(:'q_providers', :'providers_active', 'Cora reads the active providers and no inactive one');
select throws_ok(:'insert_provider_a', '42501', null, 'Cora cannot add a provider to Salon A');
select is(tests.rows_written(:'update_provider_per'), 0::bigint, 'Cora''s UPDATE of Per changes no row');
select throws_ok(:'delete_provider_per', '42501', null, 'Cora cannot delete a provider');

select set_eq(:'q_services', :'services_active', 'Cora reads the active services and no inactive one');
select throws_ok(:'insert_service_a', '42501', null, 'Cora cannot add a service to Salon A');
select is(tests.rows_written(:'update_service_cut'), 0::bigint, 'Cora''s UPDATE of the haircut''s price changes no row');
select throws_ok(:'delete_service_cut', '42501', null, 'Cora cannot delete a service');

select set_eq(:'q_links', :'links_all', 'Cora reads every service-provider link');
select throws_ok(:'insert_link_a', '42501', null, 'Cora cannot link a provider to a service');
select throws_ok(:'update_link_a', '42501', null, 'Cora cannot update a service-provider link');
select is(tests.rows_written(:'delete_link_a'), 0::bigint, 'Cora''s DELETE of a service-provider link removes no row');

select set_eq(:'q_hours', :'hours_active', 'Cora reads the working hours of active providers only');
select throws_ok(:'insert_hours_per', '42501', null, 'Cora cannot insert working hours for Per');
select throws_ok(:'update_hours_per', '42501', null, 'Cora cannot update working hours');
select is(tests.rows_written(:'delete_hours_per'), 0::bigint, 'Cora''s DELETE of Per''s working hours removes no row');

select set_eq(:'q_overrides', :'overrides_all', 'Cora reads every date override');
select throws_ok(:'insert_override_per', '42501', null, 'Cora cannot insert a date override for Per');
select throws_ok(:'update_override_per', '42501', null, 'Cora cannot update a date override');
select is(tests.rows_written(:'delete_override_per'), 0::bigint, 'Cora''s DELETE of Per''s date override removes no row');

select is_empty(:'q_time_off', 'Cora reads no time off, nor its reasons');
select throws_ok(:'insert_time_off_per', '42501', null, 'Cora cannot insert time off for Per');
select throws_ok(:'update_time_off_per', '42501', null, 'Cora cannot update time off');
select is(tests.rows_written(:'delete_time_off_per'), 0::bigint, 'Cora''s DELETE of Per''s time off removes no row');

select set_eq(:'q_bookings', :'bookings_cora', 'Cora reads exactly her own two bookings, in both organizations');
select throws_ok(:'insert_booking', '42501', null, 'Cora cannot insert a booking except through api.create_booking');
select throws_ok(:'update_booking', '42501', null, 'Cora cannot update her own booking directly');
select throws_ok(:'delete_booking', '42501', null, 'Cora cannot delete her own booking');

select is_empty(:'q_notes', 'Cora reads no internal note, not even on her own bookings');
select throws_ok(:'insert_note', '42501', null, 'Cora cannot insert an internal note');
select throws_ok(:'update_note', '42501', null, 'Cora cannot update the internal note on her booking');
select throws_ok(:'delete_note', '42501', null, 'Cora cannot delete the internal note on her booking');

select set_eq(:'q_history', :'history_cora', 'Cora reads the history of her own bookings and of no other');
select throws_ok(:'insert_history', '42501', null, 'Cora cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Cora cannot rewrite her booking''s history');
select throws_ok(:'delete_history', '42501', null, 'Cora cannot delete her booking''s history');

select throws_ok(:'q_keys', '42501', null, 'Cora cannot read idempotency keys, not even her own');
select throws_ok(:'insert_key', '42501', null, 'Cora cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Cora cannot rewrite the stored response of her own idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Cora cannot delete her own idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Cora cannot read calendar feeds (hers included): only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Cora cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Cora cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Cora cannot delete a calendar feed');
select set_eq(:'q_series', :'series_cora', 'Cora reads her own two series, in both organizations');
select throws_ok(:'insert_series', '42501', null, 'Cora cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Cora cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Cora cannot delete a series');

-- as otto_customer (books Per at Salon A) ------------------------------------------------------
select tests.authenticate_as('otto_customer');

select set_eq(:'q_orgs', :'orgs_all', 'Otto reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Otto cannot insert an organization directly');
select is(tests.rows_written(:'update_org_a'), 0::bigint, 'Otto''s UPDATE of Salon A changes no row');
select throws_ok(:'delete_org_a', '42501', null, 'Otto cannot delete an organization');

select is_empty(:'q_memberships', 'Otto, a member of nothing, reads no membership');
select throws_ok(:'insert_membership', '42501', null, 'Otto cannot insert a membership');
select throws_ok(:'update_membership', '42501', null, 'Otto cannot update a membership');
select throws_ok(:'delete_membership', '42501', null, 'Otto cannot delete a membership');

select set_eq(:'q_providers', :'providers_active', 'Otto reads the active providers and no inactive one');
select throws_ok(:'insert_provider_a', '42501', null, 'Otto cannot add a provider to Salon A');
select is(tests.rows_written(:'update_provider_per'), 0::bigint, 'Otto''s UPDATE of Per, his own provider, changes no row');
select throws_ok(:'delete_provider_per', '42501', null, 'Otto cannot delete a provider');

select set_eq(:'q_services', :'services_active', 'Otto reads the active services and no inactive one');
select throws_ok(:'insert_service_a', '42501', null, 'Otto cannot add a service to Salon A');
select is(tests.rows_written(:'update_service_cut'), 0::bigint, 'Otto''s UPDATE of the haircut''s price changes no row');
select throws_ok(:'delete_service_cut', '42501', null, 'Otto cannot delete a service');

select set_eq(:'q_links', :'links_all', 'Otto reads every service-provider link');
select throws_ok(:'insert_link_a', '42501', null, 'Otto cannot link a provider to a service');
select throws_ok(:'update_link_a', '42501', null, 'Otto cannot update a service-provider link');
select is(tests.rows_written(:'delete_link_a'), 0::bigint, 'Otto''s DELETE of a service-provider link removes no row');

select set_eq(:'q_hours', :'hours_active', 'Otto reads the working hours of active providers only');
select throws_ok(:'insert_hours_per', '42501', null, 'Otto cannot insert working hours for Per');
select throws_ok(:'update_hours_per', '42501', null, 'Otto cannot update working hours');
select is(tests.rows_written(:'delete_hours_per'), 0::bigint, 'Otto''s DELETE of Per''s working hours removes no row');

select set_eq(:'q_overrides', :'overrides_all', 'Otto reads every date override');
select throws_ok(:'insert_override_per', '42501', null, 'Otto cannot insert a date override for Per');
select throws_ok(:'update_override_per', '42501', null, 'Otto cannot update a date override');
select is(tests.rows_written(:'delete_override_per'), 0::bigint, 'Otto''s DELETE of Per''s date override removes no row');

select is_empty(:'q_time_off', 'Otto reads no time off, nor its reasons');
select throws_ok(:'insert_time_off_per', '42501', null, 'Otto cannot insert time off for Per');
select throws_ok(:'update_time_off_per', '42501', null, 'Otto cannot update time off');
select is(tests.rows_written(:'delete_time_off_per'), 0::bigint, 'Otto''s DELETE of Per''s time off removes no row');

select set_eq(:'q_bookings', :'bookings_otto', 'Otto reads exactly his own booking and nothing of Cora''s');
select throws_ok(:'insert_booking', '42501', null, 'Otto cannot insert a booking except through api.create_booking');
select throws_ok(:'update_booking', '42501', null, 'Otto cannot update Cora''s booking');
select throws_ok(:'delete_booking', '42501', null, 'Otto cannot delete Cora''s booking');

select is_empty(:'q_notes', 'Otto reads no internal note, not even on his own booking');
select throws_ok(:'insert_note', '42501', null, 'Otto cannot insert an internal note');
select throws_ok(:'update_note', '42501', null, 'Otto cannot update an internal note');
select throws_ok(:'delete_note', '42501', null, 'Otto cannot delete an internal note');

select set_eq(:'q_history', :'history_otto', 'Otto reads the history of his own booking and nothing of Cora''s');
select throws_ok(:'insert_history', '42501', null, 'Otto cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Otto cannot rewrite booking history');
select throws_ok(:'delete_history', '42501', null, 'Otto cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Otto cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Otto cannot insert an idempotency key in Cora''s name');
select throws_ok(:'update_key', '42501', null, 'Otto cannot rewrite Cora''s idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Otto cannot delete Cora''s idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Otto cannot read calendar feeds: only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Otto cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Otto cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Otto cannot delete a calendar feed');
select is_empty(:'q_series', 'Otto reads none of Cora''s series');
select throws_ok(:'insert_series', '42501', null, 'Otto cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Otto cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Otto cannot delete a series');

-- as pia_provider (provider Pia of Salon A, membership role provider) ---------------------------
select tests.authenticate_as('pia_provider');

select set_eq(:'q_orgs', :'orgs_all', 'Pia reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Pia cannot insert an organization directly');
select is(tests.rows_written(:'update_org_a'), 0::bigint, 'Pia''s UPDATE of Salon A, her own organization, changes no row');
select throws_ok(:'delete_org_a', '42501', null, 'Pia cannot delete an organization');

select set_eq(:'q_memberships', :'memberships_a', 'Pia reads exactly the memberships of Salon A');
select throws_ok(:'insert_membership', '42501', null, 'Pia cannot insert a membership');
select throws_ok(:'update_membership', '42501', null, 'Pia cannot change a colleague''s role');
select throws_ok(:'delete_membership', '42501', null, 'Pia cannot delete a membership');

select set_eq(:'q_providers', :'providers_for_a', 'Pia reads every provider of Salon A, inactive Ivy too, and only the active ones elsewhere');
select throws_ok(:'insert_provider_a', '42501', null, 'Pia cannot add a provider to Salon A');
select is(tests.rows_written(:'update_provider_pia'), 1::bigint, 'Pia may update her own provider profile');
select is(tests.rows_written(:'update_provider_per'), 0::bigint, 'Pia''s UPDATE of her colleague Per changes no row');
select throws_ok(:'deactivate_provider_pia', 'PT403', 'forbidden', 'Pia cannot deactivate herself: the row rule allows her profile fields only');
select throws_ok(:'delete_provider_per', '42501', null, 'Pia cannot delete a provider');

select set_eq(:'q_services', :'services_for_a', 'Pia reads every service of Salon A, the inactive perm too, and only the active ones elsewhere');
select throws_ok(:'insert_service_a', '42501', null, 'Pia cannot add a service to Salon A');
select is(tests.rows_written(:'update_service_cut'), 0::bigint, 'Pia''s UPDATE of the haircut''s price changes no row');
select throws_ok(:'delete_service_cut', '42501', null, 'Pia cannot delete a service');

select set_eq(:'q_links', :'links_all', 'Pia reads every service-provider link');
select throws_ok(:'insert_link_a', '42501', null, 'Pia cannot link a provider to a service');
select throws_ok(:'update_link_a', '42501', null, 'Pia cannot update a service-provider link');
select is(tests.rows_written(:'delete_link_a'), 0::bigint, 'Pia''s DELETE of a service-provider link removes no row');

select set_eq(:'q_hours', :'hours_for_a', 'Pia reads the hours of every provider of Salon A and of active providers elsewhere');
select is(tests.rows_written(:'insert_hours_pia'), 1::bigint, 'Pia may add a working-hours window of her own');
select throws_ok(:'insert_hours_per', '42501', null, 'Pia cannot add working hours for her colleague Per');
select throws_ok(:'update_hours_per', '42501', null, 'Pia cannot update working hours in place');
select is(tests.rows_written(:'delete_hours_pia'), 1::bigint, 'Pia may remove her own working hours');
select is(tests.rows_written(:'delete_hours_per'), 0::bigint, 'Pia''s DELETE of Per''s working hours removes no row');

select set_eq(:'q_overrides', :'overrides_all', 'Pia reads every date override');
select is(tests.rows_written(:'insert_override_pia'), 1::bigint, 'Pia may add a date override of her own');
select throws_ok(:'insert_override_per', '42501', null, 'Pia cannot add a date override for Per');
select throws_ok(:'update_override_per', '42501', null, 'Pia cannot update a date override in place');
select is(tests.rows_written(:'delete_override_pia'), 1::bigint, 'Pia may remove her own date override');
select is(tests.rows_written(:'delete_override_per'), 0::bigint, 'Pia''s DELETE of Per''s date override removes no row');

select set_eq(:'q_time_off', :'time_off_a', 'Pia, a member of Salon A, reads its time off and none of Studio B''s');
select is(tests.rows_written(:'insert_time_off_pia'), 1::bigint, 'Pia may add time off of her own');
select throws_ok(:'insert_time_off_per', '42501', null, 'Pia cannot add time off for Per');
select throws_ok(:'update_time_off_per', '42501', null, 'Pia cannot update time off in place');
select is(tests.rows_written(:'delete_time_off_pia'), 1::bigint, 'Pia may remove her own time off');
select is(tests.rows_written(:'delete_time_off_per'), 0::bigint, 'Pia''s DELETE of Per''s time off removes no row');

select set_eq(:'q_bookings', :'bookings_pia', 'Pia reads the booking on her calendar and not Otto''s booking with Per');
select throws_ok(:'insert_booking', '42501', null, 'Pia cannot insert a booking directly');
select throws_ok(:'update_booking', '42501', null, 'Pia cannot update a booking on her calendar directly');
select throws_ok(:'delete_booking', '42501', null, 'Pia cannot delete a booking on her calendar');

select set_eq(:'q_notes', :'bookings_pia', 'Pia reads the internal note on her calendar''s booking and no other');
select throws_ok(:'insert_note', '42501', null, 'Pia cannot insert an internal note directly');
select throws_ok(:'update_note', '42501', null, 'Pia cannot update an internal note except through api.update_booking_notes');
select throws_ok(:'delete_note', '42501', null, 'Pia cannot delete an internal note');

select set_eq(:'q_history', :'history_pia', 'Pia reads the history of the booking on her calendar and no other');
select throws_ok(:'insert_history', '42501', null, 'Pia cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Pia cannot rewrite booking history');
select throws_ok(:'delete_history', '42501', null, 'Pia cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Pia cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Pia cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Pia cannot update an idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Pia cannot delete an idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Pia cannot read calendar feeds (hers included): only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Pia cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Pia cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Pia cannot delete a calendar feed');
select is_empty(:'q_series', 'Pia reads no series: series are read by their customer and the organization''s staff');
select throws_ok(:'insert_series', '42501', null, 'Pia cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Pia cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Pia cannot delete a series');

-- as stan_staff (staff of Salon A) -------------------------------------------------------------
select tests.authenticate_as('stan_staff');

select set_eq(:'q_orgs', :'orgs_all', 'Stan reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Stan cannot insert an organization directly');
select is(tests.rows_written(:'update_org_a'), 0::bigint, 'Stan''s UPDATE of Salon A changes no row: staff do not manage the organization');
select throws_ok(:'delete_org_a', '42501', null, 'Stan cannot delete an organization');

select set_eq(:'q_memberships', :'memberships_a', 'Stan reads exactly the memberships of Salon A');
select throws_ok(:'insert_membership', '42501', null, 'Stan cannot insert a membership');
select throws_ok(:'update_membership', '42501', null, 'Stan cannot make himself an owner by UPDATE');
select throws_ok(:'delete_membership', '42501', null, 'Stan cannot delete a membership');

select set_eq(:'q_providers', :'providers_for_a', 'Stan reads every provider of Salon A and only the active ones elsewhere');
select throws_ok(:'insert_provider_a', '42501', null, 'Stan cannot add a provider: staff are not managers');
select is(tests.rows_written(:'update_provider_per'), 0::bigint, 'Stan''s UPDATE of Per changes no row');
select throws_ok(:'delete_provider_per', '42501', null, 'Stan cannot delete a provider');

select set_eq(:'q_services', :'services_for_a', 'Stan reads every service of Salon A and only the active ones elsewhere');
select throws_ok(:'insert_service_a', '42501', null, 'Stan cannot add a service: staff are not managers');
select is(tests.rows_written(:'update_service_cut'), 0::bigint, 'Stan''s UPDATE of the haircut''s price changes no row');
select throws_ok(:'delete_service_cut', '42501', null, 'Stan cannot delete a service');

select set_eq(:'q_links', :'links_all', 'Stan reads every service-provider link');
select throws_ok(:'insert_link_a', '42501', null, 'Stan cannot link a provider to a service');
select throws_ok(:'update_link_a', '42501', null, 'Stan cannot update a service-provider link');
select is(tests.rows_written(:'delete_link_a'), 0::bigint, 'Stan''s DELETE of a service-provider link removes no row');

select set_eq(:'q_hours', :'hours_for_a', 'Stan reads the hours of every provider of Salon A and of active providers elsewhere');
select throws_ok(:'insert_hours_per', '42501', null, 'Stan cannot add working hours: owners, admins and the provider set them');
select throws_ok(:'update_hours_per', '42501', null, 'Stan cannot update working hours in place');
select is(tests.rows_written(:'delete_hours_per'), 0::bigint, 'Stan''s DELETE of Per''s working hours removes no row');

select set_eq(:'q_overrides', :'overrides_all', 'Stan reads every date override');
select is(tests.rows_written(:'insert_override_per'), 1::bigint, 'Stan may add a date override for Per');
select throws_ok(:'update_override_per', '42501', null, 'Stan cannot update a date override in place');
select is(tests.rows_written(:'delete_override_per'), 1::bigint, 'Stan may remove Per''s date override');

select set_eq(:'q_time_off', :'time_off_a', 'Stan reads the time off of Salon A and none of Studio B''s');
select is(tests.rows_written(:'insert_time_off_per'), 1::bigint, 'Stan may add time off for Per');
select throws_ok(:'update_time_off_per', '42501', null, 'Stan cannot update time off in place');
select is(tests.rows_written(:'delete_time_off_per'), 1::bigint, 'Stan may remove Per''s time off');

select set_eq(:'q_bookings', :'bookings_a', 'Stan reads every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_booking', '42501', null, 'Stan cannot insert a booking directly');
select throws_ok(:'update_booking', '42501', null, 'Stan cannot update a booking directly');
select throws_ok(:'delete_booking', '42501', null, 'Stan cannot delete a booking');

select set_eq(:'q_notes', :'bookings_a', 'Stan reads the internal notes of every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_note', '42501', null, 'Stan cannot insert an internal note directly');
select throws_ok(:'update_note', '42501', null, 'Stan cannot update an internal note directly');
select throws_ok(:'delete_note', '42501', null, 'Stan cannot delete an internal note');

select set_eq(:'q_history', :'history_a', 'Stan reads the history of every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_history', '42501', null, 'Stan cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Stan cannot rewrite booking history');
select throws_ok(:'delete_history', '42501', null, 'Stan cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Stan cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Stan cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Stan cannot update an idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Stan cannot delete an idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Stan cannot read calendar feeds: only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Stan cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Stan cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Stan cannot delete a calendar feed');
select set_eq(:'q_series', :'series_a', 'Stan reads the series of Salon A and none of Studio B''s');
select throws_ok(:'insert_series', '42501', null, 'Stan cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Stan cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Stan cannot delete a series');

-- as ada_admin (admin of Salon A) --------------------------------------------------------------
select tests.authenticate_as('ada_admin');

select set_eq(:'q_orgs', :'orgs_all', 'Ada reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Ada cannot insert an organization except through api.create_org');
select is(tests.rows_written(:'update_org_a'), 1::bigint, 'Ada may rename Salon A');
select throws_ok(:'delete_org_a', '42501', null, 'Ada cannot delete Salon A');

select set_eq(:'q_memberships', :'memberships_a', 'Ada reads exactly the memberships of Salon A');
select throws_ok(:'insert_membership', '42501', null, 'Ada cannot insert a membership except through api.add_member');
select throws_ok(:'update_membership', '42501', null, 'Ada cannot change a role except through api.update_member');
select throws_ok(:'delete_membership', '42501', null, 'Ada cannot delete a membership except through api.remove_member');

select set_eq(:'q_providers', :'providers_for_a', 'Ada reads every provider of Salon A and only the active ones elsewhere');
select is(tests.rows_written(:'insert_provider_a'), 1::bigint, 'Ada may add a provider to Salon A');
select is(tests.rows_written(:'update_provider_per'), 1::bigint, 'Ada may update Per');
select throws_ok(:'delete_provider_per', '42501', null, 'Ada cannot delete a provider, only deactivate one');

select set_eq(:'q_services', :'services_for_a', 'Ada reads every service of Salon A and only the active ones elsewhere');
select is(tests.rows_written(:'insert_service_a'), 1::bigint, 'Ada may add a service to Salon A');
select is(tests.rows_written(:'update_service_cut'), 1::bigint, 'Ada may change the haircut''s price');
select throws_ok(:'delete_service_cut', '42501', null, 'Ada cannot delete a service, only deactivate one');

select set_eq(:'q_links', :'links_all', 'Ada reads every service-provider link');
select is(tests.rows_written(:'insert_link_a'), 1::bigint, 'Ada may let Per offer colouring');
select throws_ok(:'update_link_a', '42501', null, 'Ada cannot update a service-provider link in place');
select is(tests.rows_written(:'delete_link_a'), 1::bigint, 'Ada may stop Per offering haircuts');

select set_eq(:'q_hours', :'hours_for_a', 'Ada reads the hours of every provider of Salon A and of active providers elsewhere');
select is(tests.rows_written(:'insert_hours_per'), 1::bigint, 'Ada may add working hours for Per');
select throws_ok(:'update_hours_per', '42501', null, 'Ada cannot update working hours in place');
select is(tests.rows_written(:'delete_hours_per'), 1::bigint, 'Ada may remove Per''s working hours');

select set_eq(:'q_overrides', :'overrides_all', 'Ada reads every date override');
select is(tests.rows_written(:'insert_override_per'), 1::bigint, 'Ada may add a date override for Per');
select throws_ok(:'update_override_per', '42501', null, 'Ada cannot update a date override in place');
select is(tests.rows_written(:'delete_override_per'), 1::bigint, 'Ada may remove Per''s date override');

select set_eq(:'q_time_off', :'time_off_a', 'Ada reads the time off of Salon A and none of Studio B''s');
select is(tests.rows_written(:'insert_time_off_per'), 1::bigint, 'Ada may add time off for Per');
select throws_ok(:'update_time_off_per', '42501', null, 'Ada cannot update time off in place');
select is(tests.rows_written(:'delete_time_off_per'), 1::bigint, 'Ada may remove Per''s time off');

select set_eq(:'q_bookings', :'bookings_a', 'Ada reads every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_booking', '42501', null, 'Ada cannot insert a booking directly');
select throws_ok(:'update_booking', '42501', null, 'Ada cannot update a booking directly');
select throws_ok(:'delete_booking', '42501', null, 'Ada cannot delete a booking');

select set_eq(:'q_notes', :'bookings_a', 'Ada reads the internal notes of every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_note', '42501', null, 'Ada cannot insert an internal note directly');
select throws_ok(:'update_note', '42501', null, 'Ada cannot update an internal note directly');
select throws_ok(:'delete_note', '42501', null, 'Ada cannot delete an internal note');

select set_eq(:'q_history', :'history_a', 'Ada reads the history of every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_history', '42501', null, 'Ada cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Ada cannot rewrite booking history');
select throws_ok(:'delete_history', '42501', null, 'Ada cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Ada cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Ada cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Ada cannot update an idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Ada cannot delete an idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Ada cannot read calendar feeds: only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Ada cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Ada cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Ada cannot delete a calendar feed');
select set_eq(:'q_series', :'series_a', 'Ada reads the series of Salon A and none of Studio B''s');
select throws_ok(:'insert_series', '42501', null, 'Ada cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Ada cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Ada cannot delete a series');

-- as olga_owner (owner of Salon A) -------------------------------------------------------------
select tests.authenticate_as('olga_owner');

select set_eq(:'q_orgs', :'orgs_all', 'Olga reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Olga cannot insert an organization except through api.create_org');
select is(tests.rows_written(:'update_org_a'), 1::bigint, 'Olga may rename Salon A');
select is(tests.rows_written(:'update_org_b'), 0::bigint, 'Olga''s UPDATE of Studio B, which she does not own, changes no row');
select throws_ok(:'delete_org_a', '42501', null, 'Olga cannot delete Salon A, not even as its owner');

select set_eq(:'q_memberships', :'memberships_a', 'Olga reads exactly the memberships of Salon A');
select throws_ok(:'insert_membership', '42501', null, 'Olga cannot insert a membership except through api.add_member');
select throws_ok(:'update_membership', '42501', null, 'Olga cannot change a role except through api.update_member');
select throws_ok(:'delete_membership', '42501', null, 'Olga cannot delete a membership except through api.remove_member');

select set_eq(:'q_providers', :'providers_for_a', 'Olga reads every provider of Salon A and only the active ones elsewhere');
select is(tests.rows_written(:'insert_provider_a'), 1::bigint, 'Olga may add a provider to Salon A');
select is(tests.rows_written(:'update_provider_per'), 1::bigint, 'Olga may update Per');
select throws_ok(:'delete_provider_per', '42501', null, 'Olga cannot delete a provider, only deactivate one');

select set_eq(:'q_services', :'services_for_a', 'Olga reads every service of Salon A and only the active ones elsewhere');
select is(tests.rows_written(:'insert_service_a'), 1::bigint, 'Olga may add a service to Salon A');
select is(tests.rows_written(:'update_service_cut'), 1::bigint, 'Olga may change the haircut''s price');
select throws_ok(:'delete_service_cut', '42501', null, 'Olga cannot delete a service, only deactivate one');

select set_eq(:'q_links', :'links_all', 'Olga reads every service-provider link');
select is(tests.rows_written(:'insert_link_a'), 1::bigint, 'Olga may let Per offer colouring');
select throws_ok(:'update_link_a', '42501', null, 'Olga cannot update a service-provider link in place');
select is(tests.rows_written(:'delete_link_a'), 1::bigint, 'Olga may stop Per offering haircuts');

select set_eq(:'q_hours', :'hours_for_a', 'Olga reads the hours of every provider of Salon A and of active providers elsewhere');
select is(tests.rows_written(:'insert_hours_per'), 1::bigint, 'Olga may add working hours for Per');
select throws_ok(:'update_hours_per', '42501', null, 'Olga cannot update working hours in place');
select is(tests.rows_written(:'delete_hours_per'), 1::bigint, 'Olga may remove Per''s working hours');

select set_eq(:'q_overrides', :'overrides_all', 'Olga reads every date override');
select is(tests.rows_written(:'insert_override_per'), 1::bigint, 'Olga may add a date override for Per');
select throws_ok(:'update_override_per', '42501', null, 'Olga cannot update a date override in place');
select is(tests.rows_written(:'delete_override_per'), 1::bigint, 'Olga may remove Per''s date override');

select set_eq(:'q_time_off', :'time_off_a', 'Olga reads the time off of Salon A and none of Studio B''s');
select is(tests.rows_written(:'insert_time_off_per'), 1::bigint, 'Olga may add time off for Per');
select throws_ok(:'update_time_off_per', '42501', null, 'Olga cannot update time off in place');
select is(tests.rows_written(:'delete_time_off_per'), 1::bigint, 'Olga may remove Per''s time off');

select set_eq(:'q_bookings', :'bookings_a', 'Olga reads every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_booking', '42501', null, 'Olga cannot insert a booking directly');
select throws_ok(:'update_booking', '42501', null, 'Olga cannot update a booking directly');
select throws_ok(:'delete_booking', '42501', null, 'Olga cannot delete a booking');

select set_eq(:'q_notes', :'bookings_a', 'Olga reads the internal notes of every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_note', '42501', null, 'Olga cannot insert an internal note directly');
select throws_ok(:'update_note', '42501', null, 'Olga cannot update an internal note directly');
select throws_ok(:'delete_note', '42501', null, 'Olga cannot delete an internal note');

select set_eq(:'q_history', :'history_a', 'Olga reads the history of every booking of Salon A and none of Studio B''s');
select throws_ok(:'insert_history', '42501', null, 'Olga cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Olga cannot rewrite booking history');
select throws_ok(:'delete_history', '42501', null, 'Olga cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Olga cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Olga cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Olga cannot update an idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Olga cannot delete an idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Olga cannot read calendar feeds: only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Olga cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Olga cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Olga cannot delete a calendar feed');
select set_eq(:'q_series', :'series_a', 'Olga reads the series of Salon A and none of Studio B''s');
select throws_ok(:'insert_series', '42501', null, 'Olga cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Olga cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Olga cannot delete a series');

-- as bea_admin_b (admin of Studio B, a stranger to Salon A) -------------------------------------
-- Each refusal on Salon A is paired with the same write on Studio B succeeding, so the refusals
-- show the organization boundary, not a persona who can do nothing.
select tests.authenticate_as('bea_admin_b');

select set_eq(:'q_orgs', :'orgs_all', 'Bea reads both organizations');
select throws_ok(:'insert_org', '42501', null, 'Bea cannot insert an organization except through api.create_org');
select is(tests.rows_written(:'update_org_a'), 0::bigint, 'Bea''s UPDATE of Salon A changes no row');
select is(tests.rows_written(:'update_org_b'), 1::bigint, 'Bea may rename Studio B, where she is an admin');
select throws_ok(:'delete_org_a', '42501', null, 'Bea cannot delete an organization');

select set_eq(:'q_memberships', :'memberships_b', 'Bea reads the memberships of Studio B and none of Salon A''s');
select throws_ok(:'insert_membership', '42501', null, 'Bea cannot insert a membership');
select throws_ok(:'update_membership', '42501', null, 'Bea cannot change a role at Salon A');
select throws_ok(:'delete_membership', '42501', null, 'Bea cannot delete a membership at Salon A');

select set_eq(:'q_providers', :'providers_for_b', 'Bea reads every provider of Studio B and only the active ones of Salon A');
select throws_ok(:'insert_provider_a', '42501', null, 'Bea cannot add a provider to Salon A');
select is(tests.rows_written(:'insert_provider_b'), 1::bigint, 'Bea may add a provider to Studio B');
select is(tests.rows_written(:'update_provider_per'), 0::bigint, 'Bea''s UPDATE of Salon A''s provider Per changes no row');
select is(tests.rows_written(:'update_provider_quinn'), 1::bigint, 'Bea may update Studio B''s provider Quinn');
select throws_ok(:'delete_provider_per', '42501', null, 'Bea cannot delete a provider');

select set_eq(:'q_services', :'services_for_b', 'Bea reads every service of Studio B and only the active ones of Salon A');
select throws_ok(:'insert_service_a', '42501', null, 'Bea cannot add a service to Salon A');
select is(tests.rows_written(:'insert_service_b'), 1::bigint, 'Bea may add a service to Studio B');
select is(tests.rows_written(:'update_service_cut'), 0::bigint, 'Bea''s UPDATE of Salon A''s haircut price changes no row');
select is(tests.rows_written(:'update_service_massage'), 1::bigint, 'Bea may change the price of Studio B''s massage');
select throws_ok(:'delete_service_cut', '42501', null, 'Bea cannot delete a service');

select set_eq(:'q_links', :'links_all', 'Bea reads every service-provider link');
select throws_ok(:'insert_link_a', '42501', null, 'Bea cannot link providers to services of Salon A');
select is(tests.rows_written(:'insert_link_b'), 1::bigint, 'Bea may link providers to services of Studio B');
select throws_ok(:'update_link_a', '42501', null, 'Bea cannot update a service-provider link');
select is(tests.rows_written(:'delete_link_a'), 0::bigint, 'Bea''s DELETE of a Salon A link removes no row');
select is(tests.rows_written(:'delete_link_b'), 1::bigint, 'Bea may remove a Studio B link');

select set_eq(:'q_hours', :'hours_for_b', 'Bea reads the hours of every provider of Studio B and of active providers elsewhere');
select throws_ok(:'insert_hours_per', '42501', null, 'Bea cannot add working hours for Salon A''s Per');
select is(tests.rows_written(:'insert_hours_quinn'), 1::bigint, 'Bea may add working hours for Studio B''s Quinn');
select throws_ok(:'update_hours_per', '42501', null, 'Bea cannot update working hours in place');
select is(tests.rows_written(:'delete_hours_per'), 0::bigint, 'Bea''s DELETE of Per''s working hours removes no row');
select is(tests.rows_written(:'delete_hours_quinn'), 1::bigint, 'Bea may remove Quinn''s working hours');

select set_eq(:'q_overrides', :'overrides_all', 'Bea reads every date override');
select throws_ok(:'insert_override_per', '42501', null, 'Bea cannot add a date override for Salon A''s Per');
select is(tests.rows_written(:'insert_override_quinn'), 1::bigint, 'Bea may add a date override for Quinn');
select throws_ok(:'update_override_per', '42501', null, 'Bea cannot update a date override in place');
select is(tests.rows_written(:'delete_override_per'), 0::bigint, 'Bea''s DELETE of Per''s date override removes no row');
select is(tests.rows_written(:'delete_override_quinn'), 1::bigint, 'Bea may remove Quinn''s date override');

select set_eq(:'q_time_off', :'time_off_b', 'Bea reads the time off of Studio B and none of Salon A''s');
select throws_ok(:'insert_time_off_per', '42501', null, 'Bea cannot add time off for Salon A''s Per');
select is(tests.rows_written(:'insert_time_off_quinn'), 1::bigint, 'Bea may add time off for Quinn');
select throws_ok(:'update_time_off_per', '42501', null, 'Bea cannot update time off in place');
select is(tests.rows_written(:'delete_time_off_per'), 0::bigint, 'Bea''s DELETE of Per''s time off removes no row');
select is(tests.rows_written(:'delete_time_off_quinn'), 1::bigint, 'Bea may remove Quinn''s time off');

select set_eq(:'q_bookings', :'bookings_b', 'Bea reads the booking of Studio B and none of Salon A''s, though Cora booked both');
select throws_ok(:'insert_booking', '42501', null, 'Bea cannot insert a booking directly');
select throws_ok(:'update_booking', '42501', null, 'Bea cannot update a booking of Salon A');
select throws_ok(:'delete_booking', '42501', null, 'Bea cannot delete a booking of Salon A');

select set_eq(:'q_notes', :'bookings_b', 'Bea reads the internal note of Studio B''s booking and none of Salon A''s');
select throws_ok(:'insert_note', '42501', null, 'Bea cannot insert an internal note');
select throws_ok(:'update_note', '42501', null, 'Bea cannot update an internal note of Salon A');
select throws_ok(:'delete_note', '42501', null, 'Bea cannot delete an internal note of Salon A');

select set_eq(:'q_history', :'history_b', 'Bea reads the history of Studio B''s booking and none of Salon A''s');
select throws_ok(:'insert_history', '42501', null, 'Bea cannot forge booking history');
select throws_ok(:'update_history', '42501', null, 'Bea cannot rewrite booking history');
select throws_ok(:'delete_history', '42501', null, 'Bea cannot delete booking history');

select throws_ok(:'q_keys', '42501', null, 'Bea cannot read idempotency keys');
select throws_ok(:'insert_key', '42501', null, 'Bea cannot insert an idempotency key');
select throws_ok(:'update_key', '42501', null, 'Bea cannot update an idempotency key');
select throws_ok(:'delete_key', '42501', null, 'Bea cannot delete an idempotency key');

select throws_ok(:'q_feeds', '42501', null, 'Bea cannot read calendar feeds: only their definer functions do');
select throws_ok(:'insert_feed', '42501', null, 'Bea cannot insert a calendar feed');
select throws_ok(:'update_feed', '42501', null, 'Bea cannot replace a calendar feed''s token hash');
select throws_ok(:'delete_feed', '42501', null, 'Bea cannot delete a calendar feed');
select set_eq(:'q_series', :'series_b', 'Bea reads the series of Studio B and none of Salon A''s, though Cora booked both');
select throws_ok(:'insert_series', '42501', null, 'Bea cannot insert a series directly');
select throws_ok(:'update_series', '42501', null, 'Bea cannot update a series');
select throws_ok(:'delete_series', '42501', null, 'Bea cannot delete a series');

-- Shared resources: every persona ---------------------------------------------------------------
-- Resources and claims are the organization's members' to read; what a service needs, whoever
-- reads the service's. Owners and admins write resources and needs; no one writes claims
-- (the trigger on app.bookings does).
select
  $$select x.id from app.resources x$$ as q_resources,
  $$select r.service_id, r.kind from app.service_resources r$$ as q_needs,
  $$select c.booking_id from app.resource_claims c$$ as q_claims,
  $$values (tests.id('resource_basin'))$$ as resources_a,
  $$values (tests.id('resource_table'))$$ as resources_b,
  $$values (tests.id('service_cut'), 'basin'), (tests.id('service_massage'), 'table')$$ as needs_active,
  $$values (tests.id('service_cut'), 'basin'), (tests.id('service_perm'), 'basin'),
           (tests.id('service_massage'), 'table')$$ as needs_for_a,
  $$values (tests.id('booking_cora_a'))$$ as claims_a,
  $$values (tests.id('booking_cora_b'))$$ as claims_b,
  $$insert into app.resources (org_id, name, kind) values (tests.id('org_a'), 'Chair', 'chair') returning id$$ as insert_resource_a,
  $$insert into app.resources (org_id, name, kind) values (tests.id('org_b'), 'Mat', 'mat') returning id$$ as insert_resource_b,
  $$update app.resources x set capacity = 2 where x.id = tests.id('resource_basin') returning x.id$$ as update_resource_basin,
  $$delete from app.resources x where x.id = tests.id('resource_basin') returning x.id$$ as delete_resource_basin,
  $$insert into app.service_resources (org_id, service_id, kind, count)
    values (tests.id('org_a'), tests.id('service_colour'), 'basin', 1) returning service_id$$ as insert_need_a,
  $$insert into app.service_resources (org_id, service_id, kind, count)
    values (tests.id('org_b'), tests.id('service_massage'), 'towel', 2) returning service_id$$ as insert_need_b,
  $$update app.service_resources r set count = 2 where r.service_id = tests.id('service_cut') returning r.service_id$$ as update_need_cut,
  $$delete from app.service_resources r where r.service_id = tests.id('service_cut') returning r.service_id$$ as delete_need_cut,
  $$insert into app.resource_claims (org_id, booking_id, resource_id, unit, blocked, claimed)
    values (tests.id('org_a'), tests.id('booking_otto_a'), tests.id('resource_basin'), 1,
            tstzrange('2026-04-01 10:00+02', '2026-04-01 11:00+02'), tstzrange(now(), null))
    returning booking_id$$ as insert_claim,
  $$update app.resource_claims c set unit = 2 where c.booking_id = tests.id('booking_cora_a') returning c.booking_id$$ as update_claim,
  $$delete from app.resource_claims c where c.booking_id = tests.id('booking_cora_a') returning c.booking_id$$ as delete_claim
\gset

select tests.authenticate_as_anon();
select throws_ok(:'q_resources', '42501', null, 'Anon cannot read resources');
select throws_ok(:'insert_resource_a', '42501', null, 'Anon cannot insert a resource');
select throws_ok(:'update_resource_basin', '42501', null, 'Anon cannot update a resource');
select throws_ok(:'delete_resource_basin', '42501', null, 'Anon cannot delete a resource');
select set_eq(:'q_needs', :'needs_active', 'Anon reads what the active services need');
select throws_ok(:'insert_need_a', '42501', null, 'Anon cannot say what a service needs');
select throws_ok(:'update_need_cut', '42501', null, 'Anon cannot change what a service needs');
select throws_ok(:'delete_need_cut', '42501', null, 'Anon cannot remove what a service needs');
select throws_ok(:'q_claims', '42501', null, 'Anon cannot read resource claims');
select throws_ok(:'insert_claim', '42501', null, 'Anon cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Anon cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Anon cannot delete a resource claim');

select tests.authenticate_as('cora_customer');
select is_empty(:'q_resources', 'Cora, a customer, reads no resource');
select throws_ok(:'insert_resource_a', '42501', null, 'Cora cannot add a resource to Salon A');
select is(tests.rows_written(:'update_resource_basin'), 0::bigint, 'Cora''s UPDATE of the basin changes no row');
select is(tests.rows_written(:'delete_resource_basin'), 0::bigint, 'Cora''s DELETE of the basin removes no row');
select set_eq(:'q_needs', :'needs_active', 'Cora reads what the active services need, not the inactive perm');
select throws_ok(:'insert_need_a', '42501', null, 'Cora cannot say what a service needs');
select throws_ok(:'update_need_cut', '42501', null, 'Cora cannot change what a service needs in place');
select is(tests.rows_written(:'delete_need_cut'), 0::bigint, 'Cora''s DELETE of the haircut''s needs removes no row');
select is_empty(:'q_claims', 'Cora reads no resource claim, not even her own booking''s');
select throws_ok(:'insert_claim', '42501', null, 'Cora cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Cora cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Cora cannot delete a resource claim');

select tests.authenticate_as('otto_customer');
select is_empty(:'q_resources', 'Otto, a customer, reads no resource');
select throws_ok(:'insert_resource_a', '42501', null, 'Otto cannot add a resource to Salon A');
select is(tests.rows_written(:'update_resource_basin'), 0::bigint, 'Otto''s UPDATE of the basin changes no row');
select is(tests.rows_written(:'delete_resource_basin'), 0::bigint, 'Otto''s DELETE of the basin removes no row');
select set_eq(:'q_needs', :'needs_active', 'Otto reads what the active services need, not the inactive perm');
select throws_ok(:'insert_need_a', '42501', null, 'Otto cannot say what a service needs');
select throws_ok(:'update_need_cut', '42501', null, 'Otto cannot change what a service needs in place');
select is(tests.rows_written(:'delete_need_cut'), 0::bigint, 'Otto''s DELETE of the haircut''s needs removes no row');
select is_empty(:'q_claims', 'Otto reads no resource claim');
select throws_ok(:'insert_claim', '42501', null, 'Otto cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Otto cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Otto cannot delete a resource claim');

select tests.authenticate_as('pia_provider');
select set_eq(:'q_resources', :'resources_a', 'Pia (provider of Salon A) reads Salon A''s resources and none of Studio B''s');
select throws_ok(:'insert_resource_a', '42501', null, 'Pia cannot add a resource');
select is(tests.rows_written(:'update_resource_basin'), 0::bigint, 'Pia''s UPDATE of the basin changes no row');
select is(tests.rows_written(:'delete_resource_basin'), 0::bigint, 'Pia''s DELETE of the basin removes no row');
select set_eq(:'q_needs', :'needs_for_a', 'Pia reads what every service of Salon A needs, the inactive perm too');
select throws_ok(:'insert_need_a', '42501', null, 'Pia cannot say what a service needs');
select throws_ok(:'update_need_cut', '42501', null, 'Pia cannot change what a service needs in place');
select is(tests.rows_written(:'delete_need_cut'), 0::bigint, 'Pia''s DELETE of the haircut''s needs removes no row');
select set_eq(:'q_claims', :'claims_a', 'Pia reads Salon A''s resource claims and none of Studio B''s');
select throws_ok(:'insert_claim', '42501', null, 'Pia cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Pia cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Pia cannot delete a resource claim');

select tests.authenticate_as('stan_staff');
select set_eq(:'q_resources', :'resources_a', 'Stan (staff of Salon A) reads Salon A''s resources and none of Studio B''s');
select throws_ok(:'insert_resource_a', '42501', null, 'Stan cannot add a resource');
select is(tests.rows_written(:'update_resource_basin'), 0::bigint, 'Stan''s UPDATE of the basin changes no row');
select is(tests.rows_written(:'delete_resource_basin'), 0::bigint, 'Stan''s DELETE of the basin removes no row');
select set_eq(:'q_needs', :'needs_for_a', 'Stan reads what every service of Salon A needs, the inactive perm too');
select throws_ok(:'insert_need_a', '42501', null, 'Stan cannot say what a service needs');
select throws_ok(:'update_need_cut', '42501', null, 'Stan cannot change what a service needs in place');
select is(tests.rows_written(:'delete_need_cut'), 0::bigint, 'Stan''s DELETE of the haircut''s needs removes no row');
select set_eq(:'q_claims', :'claims_a', 'Stan reads Salon A''s resource claims and none of Studio B''s');
select throws_ok(:'insert_claim', '42501', null, 'Stan cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Stan cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Stan cannot delete a resource claim');

select tests.authenticate_as('ada_admin');
select set_eq(:'q_resources', :'resources_a', 'Ada (admin of Salon A) reads Salon A''s resources and none of Studio B''s');
select is(tests.rows_written(:'insert_resource_a'), 1::bigint, 'Ada may add a resource to Salon A');
select is(tests.rows_written(:'update_resource_basin'), 1::bigint, 'Ada may change the basin');
select is(tests.rows_written(:'delete_resource_basin'), 1::bigint, 'Ada may delete the basin, whose only claim is past');
select set_eq(:'q_needs', :'needs_for_a', 'Ada reads what every service of Salon A needs');
select is(tests.rows_written(:'insert_need_a'), 1::bigint, 'Ada may make the colouring need the basin');
select throws_ok(:'update_need_cut', '42501', null, 'Ada cannot change what a service needs in place (the set is replaced)');
select is(tests.rows_written(:'delete_need_cut'), 1::bigint, 'Ada may remove what the haircut needs');
select set_eq(:'q_claims', :'claims_a', 'Ada reads Salon A''s resource claims');
select throws_ok(:'insert_claim', '42501', null, 'Ada cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Ada cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Ada cannot delete a resource claim');

select tests.authenticate_as('olga_owner');
select set_eq(:'q_resources', :'resources_a', 'Olga (owner of Salon A) reads Salon A''s resources and none of Studio B''s');
select is(tests.rows_written(:'insert_resource_a'), 1::bigint, 'Olga may add a resource to Salon A');
select is(tests.rows_written(:'update_resource_basin'), 1::bigint, 'Olga may change the basin');
select is(tests.rows_written(:'delete_resource_basin'), 1::bigint, 'Olga may delete the basin, whose only claim is past');
select set_eq(:'q_needs', :'needs_for_a', 'Olga reads what every service of Salon A needs');
select is(tests.rows_written(:'insert_need_a'), 1::bigint, 'Olga may make the colouring need the basin');
select throws_ok(:'update_need_cut', '42501', null, 'Olga cannot change what a service needs in place (the set is replaced)');
select is(tests.rows_written(:'delete_need_cut'), 1::bigint, 'Olga may remove what the haircut needs');
select set_eq(:'q_claims', :'claims_a', 'Olga reads Salon A''s resource claims');
select throws_ok(:'insert_claim', '42501', null, 'Olga cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Olga cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Olga cannot delete a resource claim');

select tests.authenticate_as('bea_admin_b');
select set_eq(:'q_resources', :'resources_b', 'Bea reads Studio B''s resources and none of Salon A''s');
select throws_ok(:'insert_resource_a', '42501', null, 'Bea cannot add a resource to Salon A');
select is(tests.rows_written(:'insert_resource_b'), 1::bigint, 'Bea may add a resource to Studio B');
select is(tests.rows_written(:'update_resource_basin'), 0::bigint, 'Bea''s UPDATE of Salon A''s basin changes no row');
select is(tests.rows_written(:'delete_resource_basin'), 0::bigint, 'Bea''s DELETE of Salon A''s basin removes no row');
select set_eq(:'q_needs', :'needs_active', 'Bea reads what the active services need, not Salon A''s inactive perm');
select throws_ok(:'insert_need_a', '42501', null, 'Bea cannot say what a service of Salon A needs');
select is(tests.rows_written(:'insert_need_b'), 1::bigint, 'Bea may say what the massage needs');
select throws_ok(:'update_need_cut', '42501', null, 'Bea cannot change what a service needs in place');
select is(tests.rows_written(:'delete_need_cut'), 0::bigint, 'Bea''s DELETE of the haircut''s needs removes no row');
select set_eq(:'q_claims', :'claims_b', 'Bea reads Studio B''s resource claims and none of Salon A''s');
select throws_ok(:'insert_claim', '42501', null, 'Bea cannot insert a resource claim');
select throws_ok(:'update_claim', '42501', null, 'Bea cannot update a resource claim');
select throws_ok(:'delete_claim', '42501', null, 'Bea cannot delete a resource claim');

-- The waitlist: every persona -------------------------------------------------------------------
-- A customer reads their own entries, the organization's owners, admins and staff read its
-- entries; nobody writes the table but the definer functions of 64-waitlist.
select
  $$select w.id from app.waitlist_entries w$$ as q_waitlist,
  $$values (tests.id('wait_cora_a')), (tests.id('wait_cora_b'))$$ as waitlist_cora,
  $$values (tests.id('wait_otto_a'))$$ as waitlist_otto,
  $$values (tests.id('wait_cora_a')), (tests.id('wait_otto_a'))$$ as waitlist_a,
  $$values (tests.id('wait_cora_b'))$$ as waitlist_b,
  $$insert into app.waitlist_entries (org_id, service_id, customer_id, wanted)
    values (tests.id('org_a'), tests.id('service_cut'), tests.user_id('cora_customer'),
            tstzrange('2026-04-08 08:00+02', '2026-04-08 18:00+02')) returning id$$ as insert_wait,
  $$update app.waitlist_entries w set status = 'offered' where w.id = tests.id('wait_cora_a') returning w.id$$ as update_wait,
  $$delete from app.waitlist_entries w where w.id = tests.id('wait_otto_a') returning w.id$$ as delete_wait
\gset

select tests.authenticate_as_anon();
select throws_ok(:'q_waitlist', '42501', null, 'Anon cannot read the waitlist');
select throws_ok(:'insert_wait', '42501', null, 'Anon cannot join the waitlist directly');
select throws_ok(:'update_wait', '42501', null, 'Anon cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Anon cannot delete a waitlist entry');

select tests.authenticate_as('cora_customer');
select set_eq(:'q_waitlist', :'waitlist_cora', 'Cora reads her own entries at both organizations');
select throws_ok(:'insert_wait', '42501', null, 'Cora cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Cora cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Cora cannot delete a waitlist entry');

select tests.authenticate_as('otto_customer');
select set_eq(:'q_waitlist', :'waitlist_otto', 'Otto reads his own entry, not Cora''s');
select throws_ok(:'insert_wait', '42501', null, 'Otto cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Otto cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Otto cannot delete a waitlist entry');

select tests.authenticate_as('pia_provider');
select is_empty(:'q_waitlist', 'Pia, a provider member, reads no waitlist entry');
select throws_ok(:'insert_wait', '42501', null, 'Pia cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Pia cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Pia cannot delete a waitlist entry');

select tests.authenticate_as('stan_staff');
select set_eq(:'q_waitlist', :'waitlist_a', 'Stan, staff, reads Salon A''s waitlist and not Studio B''s');
select throws_ok(:'insert_wait', '42501', null, 'Stan cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Stan cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Stan cannot delete a waitlist entry');

select tests.authenticate_as('ada_admin');
select set_eq(:'q_waitlist', :'waitlist_a', 'Ada reads Salon A''s waitlist and not Studio B''s');
select throws_ok(:'insert_wait', '42501', null, 'Ada cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Ada cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Ada cannot delete a waitlist entry');

select tests.authenticate_as('olga_owner');
select set_eq(:'q_waitlist', :'waitlist_a', 'Olga reads Salon A''s waitlist and not Studio B''s');
select throws_ok(:'insert_wait', '42501', null, 'Olga cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Olga cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Olga cannot delete a waitlist entry');

select tests.authenticate_as('bea_admin_b');
select set_eq(:'q_waitlist', :'waitlist_b', 'Bea reads Studio B''s waitlist and none of Salon A''s, though Cora waits at both');
select throws_ok(:'insert_wait', '42501', null, 'Bea cannot write a waitlist entry directly');
select throws_ok(:'update_wait', '42501', null, 'Bea cannot change a waitlist entry');
select throws_ok(:'delete_wait', '42501', null, 'Bea cannot delete a waitlist entry');

-- as the superuser, checking that nothing moved ---------------------------------------------------
select tests.clear_authentication();

select is(f.digest, b.digest, format('Every row of app.%s is as the fixtures left it', f.table_name))
from app_fingerprints f
join fixture_fingerprints b using (table_name)
order by f.table_name;

select * from finish();
rollback;
