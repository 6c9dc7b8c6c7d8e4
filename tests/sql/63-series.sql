-- Recurring series at the SQL level: occurrences at one local wall-clock time across a DST
-- change, fail (all or nothing) and skip, validation, the customer's cap, who reads a series
-- (RLS on app.booking_series) and cancel scope this | following.
-- Depends on: sql/code/63-series.sql, 60-bookings.sql (api.cancel_booking), 50-slots.sql, and
--   tests/sql/helpers/ (personas; tests.id for fixture ids).
begin;
select plan(30);

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A (Copenhagen): Stan is staff; provider Per works every day 09:00-17:00 and cuts hair
-- (60 minutes, bookable a year ahead). Studio B: Bea is admin. Cora and Otto are customers.
-- Now is Monday 2026-03-02 09:00 local; summer time starts Sunday 2026-03-29.

select tests.create_user('cora_customer');
select tests.create_user('otto_customer');
select tests.create_user('stan_staff');
select tests.create_user('bea_admin_b');

insert into app.organizations (id, slug, name, timezone) values
  (tests.id('org_a'), 'salon-a', 'Salon A', 'Europe/Copenhagen'),
  (tests.id('org_b'), 'studio-b', 'Studio B', 'Europe/Copenhagen');
insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('stan_staff'), 'staff'),
  (tests.id('org_b'), tests.user_id('bea_admin_b'), 'admin');
insert into app.providers (id, org_id, display_name) values
  (tests.id('provider_per'), tests.id('org_a'), 'Per');
insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes, max_advance_days) values
  (tests.id('service_cut'), tests.id('org_a'), 'Haircut', 60, 35000, 'DKK', 60, 365);
insert into app.service_providers (org_id, service_id, provider_id) values
  (tests.id('org_a'), tests.id('service_cut'), tests.id('provider_per'));
insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
select tests.id('org_a'), tests.id('provider_per'), d, '09:00', '17:00' from generate_series(1, 7) d;
select tests.freeze_time('2026-03-02 08:00Z');

-- Every call below books Per's haircut; the start and the series' shape vary.
create function pg_temp.series(p_start text, p_every text, p_count integer, p_on_conflict text default 'fail', p_customer_id uuid default null)
returns jsonb
language sql
as $$
  select api.create_booking_series(tests.id('provider_per'), tests.id('service_cut'), p_start, p_every, p_count,
    p_on_conflict, customer_id => p_customer_id)::jsonb;
$$;
grant execute on function pg_temp.series(text, text, integer, text, uuid) to anon, authenticated;

-- as anon --------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 3)$$, '42501', null,
  'Anon cannot book a series');
select throws_ok($$select s.id from app.booking_series s$$, '42501', null, 'Anon cannot read series');

-- as cora_customer ------------------------------------------------------------------------------
select tests.authenticate_as('cora_customer');

select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 3) as cora_series \gset

select results_eq(
  format($$select to_char(b.starts_at at time zone 'Europe/Copenhagen', 'YYYY-MM-DD HH24:MI'),
                  to_char(b.starts_at at time zone 'UTC', 'HH24:MI')
           from app.bookings b where b.series_id = %L order by b.starts_at$$, :'cora_series'::jsonb ->> 'series_id'),
  $$values ('2026-03-24 09:00', '08:00'), ('2026-03-31 09:00', '07:00'), ('2026-04-07 09:00', '07:00')$$,
  'Cora''s weekly series is at 09:00 local each week, 08:00 UTC before summer time and 07:00 after'
);
select is(:'cora_series'::jsonb -> 'skipped', '[]'::jsonb, 'Nothing was skipped');
select is(jsonb_array_length(:'cora_series'::jsonb -> 'bookings'), 3, 'The answer holds the three bookings');
select results_eq(
  $$select s.customer_id, s.every_weeks::integer, s.occurrences::integer from app.booking_series s$$,
  $$values (tests.user_id('cora_customer'), 1, 3)$$,
  'Cora reads her series: hers, weekly, three times'
);

select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P3W', 3)$$, 'PT422', 'validation_failed',
  'every must be P1W, P2W or P4W');
select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 1)$$, 'PT422', 'validation_failed',
  'A series has at least two occurrences');
select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 53)$$, 'PT422', 'validation_failed',
  'A series has at most 52 occurrences');
select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 2, 'maybe')$$, 'PT422', 'validation_failed',
  'on_conflict must be fail or skip');
select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 2, 'fail', tests.user_id('otto_customer'))$$,
  'PT403', 'forbidden', 'A customer cannot book a series for someone else');

-- as otto_customer ------------------------------------------------------------------------------
select tests.authenticate_as('otto_customer');

select is_empty($$select s.id from app.booking_series s$$, 'Otto reads none of Cora''s series');
select throws_ok($$select pg_temp.series('2026-03-17T09:00:00+01:00', 'P1W', 3)$$, 'PT409', 'slot_taken',
  'fail: Otto''s series meets Cora''s on 24 March and is refused');
select is_empty($$select b.id from app.bookings b where b.customer_id = tests.user_id('otto_customer')$$,
  'fail books nothing: not even the free 17 March');
select is(
  pg_temp.series('2026-03-17T09:00:00+01:00', 'P1W', 3, 'skip') -> 'skipped',
  '[{"start": "2026-03-24T09:00:00+01:00", "reason": "slot_taken"},
    {"start": "2026-03-31T09:00:00+02:00", "reason": "slot_taken"}]'::jsonb,
  'skip: Otto books 17 March and hears which two starts were taken'
);
select results_eq(
  $$select b.starts_at from app.bookings b where b.customer_id = tests.user_id('otto_customer')$$,
  $$values ('2026-03-17 09:00+01'::timestamptz)$$,
  'skip booked the one free occurrence'
);
select throws_ok($$select pg_temp.series('2026-03-24T09:00:00+01:00', 'P1W', 2, 'skip')$$, 'PT409', 'slot_taken',
  'skip with no free occurrence is slot_taken');
select throws_ok($$select pg_temp.series('2026-03-03T10:00:00+01:00', 'P4W', 15)$$, 'PT422', 'too_far_ahead',
  'fail answers an occurrence''s own reason: the 15th, 392 days out, is past the year');

-- The cap: Otto holds one upcoming booking; with a cap of 3 a series of 3 would make 4.
select tests.clear_authentication();
update app.organizations o set max_active_bookings_per_customer = 3 where o.id = tests.id('org_a');
select tests.authenticate_as('otto_customer');
select throws_ok($$select pg_temp.series('2026-05-05T09:00:00+02:00', 'P1W', 3)$$, 'PT409', 'too_many_bookings',
  'A series that would pass the cap books nothing');
select is(jsonb_array_length(pg_temp.series('2026-05-05T09:00:00+02:00', 'P1W', 2) -> 'bookings'), 2,
  'A series that reaches the cap exactly is booked');
select tests.clear_authentication();
update app.organizations o set max_active_bookings_per_customer = 10 where o.id = tests.id('org_a');

-- as bea_admin_b (admin of Studio B) ------------------------------------------------------------
select tests.authenticate_as('bea_admin_b');

select is_empty($$select s.id from app.booking_series s$$, 'Bea reads no series of Salon A');
select throws_ok(format('select api.cancel_booking(%L, scope => %L)',
    (:'cora_series'::jsonb -> 'bookings' -> 0 ->> 'id'), 'following'),
  'PT404', 'not_found', 'Bea cannot cancel Cora''s occurrences: she cannot see them');
select throws_ok($$select pg_temp.series('2026-06-02T09:00:00+02:00', 'P1W', 2, 'fail', tests.user_id('cora_customer'))$$,
  'PT403', 'forbidden', 'Bea cannot book a series at Salon A for Cora');

-- as stan_staff (staff of Salon A) --------------------------------------------------------------
select tests.authenticate_as('stan_staff');

select is((select count(*) from app.booking_series s)::integer, 3, 'Stan reads every series of Salon A');
select is(
  jsonb_array_length(pg_temp.series('2026-06-02T09:00:00+02:00', 'P2W', 2, 'fail', tests.user_id('cora_customer')) -> 'bookings'),
  2, 'Stan books a series for Cora, a customer of the salon');
select throws_ok(format('select api.cancel_booking(%L, scope => %L)',
    (:'cora_series'::jsonb -> 'bookings' -> 1 ->> 'id'), 'later'),
  'PT422', 'validation_failed', 'An unknown scope is refused');
select is(
  api.cancel_booking((:'cora_series'::jsonb -> 'bookings' -> 1 ->> 'id')::uuid, 'Closed for works', 'following')::jsonb ->> 'status',
  'cancelled', 'Stan cancels the second occurrence and the ones after it');
select results_eq(
  format($$select b.status::text, coalesce(b.cancel_reason, '') from app.bookings b where b.series_id = %L order by b.starts_at$$,
    :'cora_series'::jsonb ->> 'series_id'),
  $$values ('confirmed', ''), ('cancelled', 'Closed for works'), ('cancelled', 'Closed for works')$$,
  'The first occurrence stays; the second and third are cancelled with the reason'
);

-- as cora_customer, cancelling one occurrence ----------------------------------------------------
select tests.authenticate_as('cora_customer');

select is(
  api.cancel_booking((:'cora_series'::jsonb -> 'bookings' -> 0 ->> 'id')::uuid, null, 'this')::jsonb ->> 'status',
  'cancelled', 'Cora cancels one occurrence of her series');
select is(
  (select count(*) from app.booking_history h
   join app.bookings b on b.id = h.booking_id
   where b.series_id = (:'cora_series'::jsonb ->> 'series_id')::uuid and h.action = 'cancelled')::integer,
  3, 'Each cancelled occurrence has its own history row');

select * from finish();
rollback;
