-- Calendar feeds: who may issue and revoke a feed token, that only its hash is stored, and that
-- the definer readers answer for the right token only, with the events each feed may show.
-- Depends on: sql/code/77-feeds.sql, sql/migrations/011_beyond_one_provider.sql
--   (app.calendar_feeds), and tests/sql/helpers/ (personas, tests.id, tests.freeze_time).
begin;
select plan(44);

select tests.freeze_time('2026-03-02 09:00:00+00');

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A: Olga (owner), Stan (staff), Pia (provider, the person behind provider Pia), Per (a
-- provider without an account). Studio B: Bo (owner). Cora and Otto are customers.
select tests.create_user('olga_owner');
select tests.create_user('stan_staff');
select tests.create_user('pia_provider');
select tests.create_user('bo_owner_b');
select tests.create_user('cora_customer');
select tests.create_user('otto_customer');

insert into app.organizations (id, slug, name) values
  (tests.id('org_a'), 'salon-a', 'Salon A'),
  (tests.id('org_b'), 'studio-b', 'Studio B');
insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('olga_owner'), 'owner'),
  (tests.id('org_a'), tests.user_id('stan_staff'), 'staff'),
  (tests.id('org_a'), tests.user_id('pia_provider'), 'provider'),
  (tests.id('org_b'), tests.user_id('bo_owner_b'), 'owner');
insert into app.providers (id, org_id, user_id, display_name, active) values
  (tests.id('pia'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia', true),
  (tests.id('ivy'), tests.id('org_a'), null, 'Ivy', false),
  (tests.id('quinn'), tests.id('org_b'), null, 'Quinn', true);
insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes) values
  (tests.id('cut'), tests.id('org_a'), 'Haircut', 60, 45000, 'DKK', 60),
  (tests.id('massage'), tests.id('org_b'), 'Massage', 60, 60000, 'DKK', 60);

create function pg_temp.book(p_label text, p_provider text, p_customer text, p_start timestamptz,
  p_status text, p_updated timestamptz default '2026-03-01 12:00+00')
returns void
language sql
as $$
  insert into app.bookings (id, org_id, provider_id, service_id, customer_id, starts_at, ends_at,
    status, price_minor, currency, updated_at, claimed_since, hold_expires_at)
  select tests.id(p_label), p.org_id, p.id,
    case when p.org_id = tests.id('org_a') then tests.id('cut') else tests.id('massage') end,
    tests.user_id(p_customer), p_start, p_start + interval '1 hour', p_status::app.booking_status,
    45000, 'DKK', p_updated, private.now(),
    case when p_status = 'held' then private.now() + interval '10 minutes' end
  from app.providers p where p.id = tests.id(p_provider);
$$;

select pg_temp.book('cora_next_week', 'pia', 'cora_customer', '2026-03-09 09:00+00', 'confirmed');
select pg_temp.book('otto_pending', 'pia', 'otto_customer', '2026-03-09 11:00+00', 'pending');
select pg_temp.book('cora_last_week', 'pia', 'cora_customer', '2026-02-23 09:00+00', 'completed');
select pg_temp.book('cora_long_ago', 'pia', 'cora_customer', '2026-01-05 09:00+00', 'confirmed', '2026-01-01 00:00+00');
select pg_temp.book('otto_cancelled', 'pia', 'otto_customer', '2026-03-10 09:00+00', 'cancelled', '2026-03-01 00:00+00');
select pg_temp.book('otto_cancelled_long_ago', 'pia', 'otto_customer', '2026-03-11 09:00+00', 'cancelled', '2026-01-15 00:00+00');
select pg_temp.book('otto_hold', 'pia', 'otto_customer', '2026-03-12 09:00+00', 'held');
select pg_temp.book('cora_at_b', 'quinn', 'cora_customer', '2026-03-09 14:00+00', 'confirmed');
-- as anon: nothing to issue, nothing to read ---------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok(format('select api.issue_provider_calendar_token(%L)', tests.id('pia')), 'PT401', 'unauthorized',
  'Anon cannot issue a provider''s feed token');
select throws_ok('select api.issue_my_calendar_token()', 'PT401', 'unauthorized',
  'Anon has no feed of their own');
select throws_ok('select f.id from app.calendar_feeds f', '42501', null,
  'Anon cannot read app.calendar_feeds');

-- as pia_provider: her own feed ------------------------------------------------------------------
select tests.authenticate_as('pia_provider');

select api.issue_provider_calendar_token(tests.id('pia')) ->> 'token' as pia_token_1 \gset
select is(
  api.issue_provider_calendar_token(tests.id('pia')) ->> 'url_path' like
    '/api/v1/providers/' || tests.id('pia') || '/calendar.ics?token=%', true,
  'Issuing answers the URL path of the feed with the token in its query string');
select api.issue_provider_calendar_token(tests.id('pia')) ->> 'token' as pia_token \gset
select isnt(:'pia_token'::text, :'pia_token_1'::text, 'Every issue makes a new token');
select throws_ok('select f.id from app.calendar_feeds f', '42501', null,
  'Pia cannot read app.calendar_feeds, not even her own feed''s row');
select throws_ok(format('select api.issue_provider_calendar_token(%L)', tests.id('quinn')), 'PT403', 'forbidden',
  'Pia cannot issue the feed token of another organization''s provider she can see');
select throws_ok(format('select api.issue_provider_calendar_token(%L)', tests.id('no_such_provider')), 'PT404', 'not_found',
  'An unknown provider is not found');

-- as the superuser: what is stored -------------------------------------------------------------
select tests.clear_authentication();

select is((select pg_catalog.count(*) from app.calendar_feeds f where f.provider_id = tests.id('pia')), 1::bigint,
  'One row per provider, however often its token is issued');
select is((select f.token_hash from app.calendar_feeds f where f.provider_id = tests.id('pia')),
  sha256(convert_to(:'pia_token', 'UTF8')), 'The row holds the sha256 of the latest token');
select is((select pg_catalog.count(*) from app.calendar_feeds f
           where position(convert_to(:'pia_token', 'UTF8') in f.token_hash) > 0
              or f::text like '%' || :'pia_token' || '%'), 0::bigint,
  'The token itself is stored nowhere in the row');
select is((select f.created_by from app.calendar_feeds f where f.provider_id = tests.id('pia')),
  tests.user_id('pia_provider'), 'The row records who issued it');

-- as anon: reading the feed with the token -------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('pia'), :'pia_token_1'), 'PT404', 'not_found',
  'The replaced token no longer opens the feed');
select throws_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('pia'), 'wrong'), 'PT404', 'not_found',
  'A wrong token answers not_found');
select throws_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('no_such_provider'), :'pia_token'), 'PT404', 'not_found',
  'A right token for another provider answers not_found, as an unknown provider does');
select throws_ok(format('select api.provider_calendar_feed(%L, null)', tests.id('pia')), 'PT404', 'not_found',
  'No token answers not_found');
select throws_ok(format('select api.my_calendar_feed(%L)', :'pia_token'), 'PT404', 'not_found',
  'A provider''s token does not open a user''s feed');

select api.provider_calendar_feed(tests.id('pia'), :'pia_token') as pia_feed \gset
select is((:'pia_feed'::json ->> 'name'), 'Pia', 'The feed is named after the provider');
select is((:'pia_feed'::json ->> 'timezone'), 'Europe/Copenhagen', 'It carries the provider''s zone');
select is(
  array(select e ->> 'uid' from json_array_elements(:'pia_feed'::json -> 'events') e),
  array[tests.id('cora_last_week') || '@slotbase', tests.id('cora_next_week') || '@slotbase',
        tests.id('otto_pending') || '@slotbase', tests.id('otto_cancelled') || '@slotbase'],
  'Events: bookings ended less than 30 days ago and later, and recent cancellations; no hold, nothing older, by start');
select is(
  array(select e ->> 'status' from json_array_elements(:'pia_feed'::json -> 'events') e),
  array['CONFIRMED', 'CONFIRMED', 'TENTATIVE', 'CANCELLED'],
  'Statuses in iCalendar terms: completed and confirmed CONFIRMED, pending TENTATIVE, cancelled CANCELLED');
select is(
  array(select (e ->> 'sequence')::integer from json_array_elements(:'pia_feed'::json -> 'events') e),
  array[0, 0, 0, 1], 'A cancelled booking''s SEQUENCE is one more than the booking''s');
select is(
  (select e ->> 'start' from json_array_elements(:'pia_feed'::json -> 'events') e
   where e ->> 'uid' = tests.id('cora_next_week') || '@slotbase'),
  '2026-03-09T10:00:00+01:00', 'Times are in the provider''s zone');
select is(
  (select e ->> 'summary' from json_array_elements(:'pia_feed'::json -> 'events') e
   where e ->> 'uid' = tests.id('cora_next_week') || '@slotbase'),
  'Haircut – Cora Customer', 'The provider''s feed names the service and the customer');
select is(
  (select e ->> 'location' from json_array_elements(:'pia_feed'::json -> 'events') e limit 1),
  'Salon A', 'The location is the organization');
select is(api.provider_calendar_feed(tests.id('pia'), :'pia_token') ->> 'etag', :'pia_feed'::json ->> 'etag',
  'The etag is the same while nothing changes');

-- A change to a booking changes the etag.
select tests.clear_authentication();
update app.bookings b set sequence = b.sequence + 1, starts_at = starts_at + interval '1 hour',
  ends_at = ends_at + interval '1 hour' where b.id = tests.id('cora_next_week');
select tests.authenticate_as_anon();
select isnt(api.provider_calendar_feed(tests.id('pia'), :'pia_token') ->> 'etag', :'pia_feed'::json ->> 'etag',
  'A rescheduled booking changes the etag');

-- as cora_customer: her own feed ------------------------------------------------------------------
select tests.authenticate_as('cora_customer');
select api.issue_my_calendar_token() ->> 'token' as cora_token \gset
select throws_ok(format('select api.issue_provider_calendar_token(%L)', tests.id('pia')), 'PT403', 'forbidden',
  'A customer cannot issue a provider''s feed token');
select throws_ok(format('select api.issue_provider_calendar_token(%L)', tests.id('ivy')), 'PT404', 'not_found',
  'A provider the customer cannot see (inactive) is not found');

select tests.authenticate_as_anon();
select api.my_calendar_feed(:'cora_token') as cora_feed \gset
select is(
  array(select e ->> 'uid' from json_array_elements(:'cora_feed'::json -> 'events') e),
  array[tests.id('cora_last_week') || '@slotbase', tests.id('cora_next_week') || '@slotbase',
        tests.id('cora_at_b') || '@slotbase'],
  'The customer''s feed has her bookings at every organization, and nobody else''s');
select is(
  array(select e ->> 'summary' from json_array_elements(:'cora_feed'::json -> 'events') e),
  array['Haircut with Pia', 'Haircut with Pia', 'Massage with Quinn'],
  'Her feed names the service and the provider');
select is(
  array(select e ->> 'start' from json_array_elements(:'cora_feed'::json -> 'events') e),
  array['2026-02-23T10:00:00+01:00', '2026-03-09T11:00:00+01:00', '2026-03-09T15:00:00+01:00'],
  'Each event is in its provider''s zone');

-- as the organization's people ------------------------------------------------------------------
select tests.authenticate_as('stan_staff');
select lives_ok(format('select api.issue_provider_calendar_token(%L)', tests.id('ivy')),
  'Staff may issue the feed token of any provider of the organization, inactive ones too');
select tests.authenticate_as('bo_owner_b');
select throws_ok(format('select api.revoke_provider_calendar_token(%L)', tests.id('pia')), 'PT403', 'forbidden',
  'Another organization''s owner cannot revoke Pia''s feed');
select tests.authenticate_as('olga_owner');
select lives_ok(format('select api.revoke_provider_calendar_token(%L)', tests.id('pia')),
  'The owner may revoke Pia''s feed');
select tests.authenticate_as_anon();
select throws_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('pia'), :'pia_token'), 'PT404', 'not_found',
  'A revoked feed is not found');

select tests.authenticate_as('cora_customer');
select lives_ok('select api.revoke_my_calendar_token()', 'Cora may revoke her own feed');
select tests.authenticate_as_anon();
select throws_ok(format('select api.my_calendar_feed(%L)', :'cora_token'), 'PT404', 'not_found',
  'Her revoked feed is not found');

-- A provider's feed lasts while its issuer may keep that calendar --------------------------------
select tests.authenticate_as('stan_staff');
select api.issue_provider_calendar_token(tests.id('pia')) ->> 'token' as stan_token \gset
select tests.authenticate_as_anon();
select lives_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('pia'), :'stan_token'),
  'Staff issue a provider''s feed, and it opens');
select tests.clear_authentication();
delete from app.memberships where org_id = tests.id('org_a') and user_id = tests.user_id('stan_staff');
select tests.authenticate_as_anon();
select throws_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('pia'), :'stan_token'), 'PT404', 'not_found',
  'Once the staff member who issued it has left the organization, it opens no more');

-- The export names the feeds a person issued, never a token ------------------------------------
select tests.authenticate_as('cora_customer');
select api.issue_my_calendar_token() ->> 'token' as cora_token_2 \gset
select tests.clear_authentication();
select is((select count(*)::integer
           from json_array_elements(private.personal_data(tests.user_id('cora_customer')) -> 'calendar_feeds') e
           where e ->> 'provider_id' is null and e ->> 'created_at' is not null), 1,
  'Cora''s export lists her own feed');
select is(position(:'cora_token_2' in private.personal_data(tests.user_id('cora_customer'))::text), 0,
  'and not its token');

-- Erasing a person ends their feeds ------------------------------------------------------------
select tests.authenticate_as('otto_customer');
select api.issue_my_calendar_token() ->> 'token' as otto_token \gset
select tests.authenticate_as('pia_provider');
select api.issue_provider_calendar_token(tests.id('pia')) ->> 'token' as pia_token \gset
select tests.clear_authentication();
select private.erase_user(tests.user_id('otto_customer'), 'account_deleted');
select private.erase_user(tests.user_id('pia_provider'), 'account_deleted');
select tests.authenticate_as_anon();
select throws_ok(format('select api.my_calendar_feed(%L)', :'otto_token'), 'PT404', 'not_found',
  'An erased customer''s feed is gone');
select throws_ok(format('select api.provider_calendar_feed(%L, %L)', tests.id('pia'), :'pia_token'), 'PT404', 'not_found',
  'The feed of an erased person''s provider profile is gone');

select * from finish();
rollback;
