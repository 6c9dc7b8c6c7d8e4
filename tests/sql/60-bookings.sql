-- Bookings: the customer's name in the booking object (customer_name), for exactly the readers of
-- internal notes — staff+ of the organization and the booking's provider — and that its definer
-- helper, called directly, names nobody else's customer.
-- Depends on: sql/code/60-bookings.sql (private.booking_json, private.booking_customer_name,
--   api.get_booking, api.list_bookings, api.update_booking_notes), 35-roles.sql, 75-gdpr.sql
--   (private.erase_user), and tests/sql/helpers/ (personas, whose full names are their handles
--   in words: 'Cora Customer'; tests.id for fixture ids). The same over HTTP is in
--   tests/test_booking_workflow.py.
begin;
select plan(22);

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A: Olga (owner), Stan (staff), Pia (provider, the person behind provider Pia); provider
-- Per has no account. Studio B: Bo (owner), provider Quinn. Cora books Pia at Salon A and Quinn
-- at Studio B; Otto books Per; Nina, who gave no name, books Per; Erin books Per and is erased.

select tests.create_user('olga_owner');
select tests.create_user('stan_staff');
select tests.create_user('pia_provider');
select tests.create_user('bo_owner_b');
select tests.create_user('cora_customer');
select tests.create_user('otto_customer');
select tests.create_user('nina_customer');
select tests.create_user('erin_customer');
update auth.users u set full_name = '' where u.id = tests.user_id('nina_customer');

insert into app.organizations (id, slug, name) values
  (tests.id('org_a'), 'salon-a', 'Salon A'),
  (tests.id('org_b'), 'studio-b', 'Studio B');

insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('olga_owner'), 'owner'),
  (tests.id('org_a'), tests.user_id('stan_staff'), 'staff'),
  (tests.id('org_a'), tests.user_id('pia_provider'), 'provider'),
  (tests.id('org_b'), tests.user_id('bo_owner_b'), 'owner');

insert into app.providers (id, org_id, user_id, display_name, active) values
  (tests.id('provider_pia'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia', true),
  (tests.id('provider_per'), tests.id('org_a'), null, 'Per', true),
  (tests.id('provider_quinn'), tests.id('org_b'), null, 'Quinn', true);

insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes, active) values
  (tests.id('service_cut'), tests.id('org_a'), 'Haircut', 30, 35000, 'DKK', 30, true),
  (tests.id('service_massage'), tests.id('org_b'), 'Massage', 60, 60000, 'DKK', 60, true);

insert into app.service_providers (org_id, service_id, provider_id) values
  (tests.id('org_a'), tests.id('service_cut'), tests.id('provider_pia')),
  (tests.id('org_a'), tests.id('service_cut'), tests.id('provider_per')),
  (tests.id('org_b'), tests.id('service_massage'), tests.id('provider_quinn'));

insert into app.bookings (id, org_id, provider_id, service_id, customer_id, starts_at, ends_at, status, price_minor, currency) values
  (tests.id('booking_cora_a'), tests.id('org_a'), tests.id('provider_pia'), tests.id('service_cut'),
   tests.user_id('cora_customer'), '2026-03-23 10:00+01', '2026-03-23 10:30+01', 'confirmed', 35000, 'DKK'),
  (tests.id('booking_otto_a'), tests.id('org_a'), tests.id('provider_per'), tests.id('service_cut'),
   tests.user_id('otto_customer'), '2026-03-23 10:00+01', '2026-03-23 10:30+01', 'confirmed', 35000, 'DKK'),
  (tests.id('booking_nina_a'), tests.id('org_a'), tests.id('provider_per'), tests.id('service_cut'),
   tests.user_id('nina_customer'), '2026-03-23 11:00+01', '2026-03-23 11:30+01', 'confirmed', 35000, 'DKK'),
  (tests.id('booking_erin_a'), tests.id('org_a'), tests.id('provider_per'), tests.id('service_cut'),
   tests.user_id('erin_customer'), '2026-03-23 12:00+01', '2026-03-23 12:30+01', 'confirmed', 35000, 'DKK'),
  (tests.id('booking_cora_b'), tests.id('org_b'), tests.id('provider_quinn'), tests.id('service_massage'),
   tests.user_id('cora_customer'), '2026-03-23 14:00+01', '2026-03-23 15:00+01', 'confirmed', 60000, 'DKK');

select private.erase_user(tests.user_id('erin_customer'), 'account_deleted');

-- as stan_staff: every booking of Salon A, with its customer's name -----------------------------
select tests.authenticate_as('stan_staff');

select is(api.get_booking(tests.id('booking_cora_a')) ->> 'customer_name', 'Cora Customer',
  'Staff read the customer''s name on a booking of their organization');
select set_eq(
  $$select (b ->> 'id')::uuid as id, b::jsonb ? 'customer_name' as has_name, b ->> 'customer_name' as name
    from json_array_elements(api.list_bookings(tests.id('org_a')) -> 'items') b$$,
  $$values (tests.id('booking_cora_a'), true, 'Cora Customer'), (tests.id('booking_otto_a'), true, 'Otto Customer'),
           (tests.id('booking_nina_a'), true, null), (tests.id('booking_erin_a'), true, null)$$,
  'Staff listing Salon A''s bookings get every one with its customer''s name, and none of Studio B''s'
);
select is(
  (select b::jsonb from json_array_elements(api.list_bookings(tests.id('org_a')) -> 'items') b
   where b ->> 'id' = tests.id('booking_nina_a')::text) -> 'customer_name',
  'null'::jsonb,
  'A customer who gave no name: the key is there, its value null'
);
select is(
  (select b::jsonb from json_array_elements(api.list_bookings(tests.id('org_a')) -> 'items') b
   where b ->> 'id' = tests.id('booking_erin_a')::text) -> 'customer_name',
  'null'::jsonb,
  'An erased customer has no name'
);
select is(
  api.update_booking_notes(tests.id('booking_cora_a'), 'Prefers scissors', null) ->> 'customer_name',
  'Cora Customer',
  'The booking a write answers carries the name too'
);
select is(private.booking_customer_name(tests.id('booking_cora_b')), null,
  'The helper called directly with another organization''s booking names nobody');
select is(private.booking_customer_name(tests.id('no_such_booking')), null,
  'The helper called with an unknown booking id names nobody');
select is(
  private.booking_json(
    (select jsonb_populate_record(null::app.bookings,
       to_jsonb(b) || jsonb_build_object('customer_id', tests.user_id('bo_owner_b')))
     from app.bookings b where b.id = tests.id('booking_cora_a')),
    null, true) ->> 'customer_name',
  'Cora Customer',
  'A forged row naming a stranger as the customer still gets the booking''s own customer, read by id'
);
select is(
  private.booking_json(
    (select jsonb_populate_record(null::app.bookings,
       to_jsonb(b) || jsonb_build_object('id', tests.id('booking_cora_b')))
     from app.bookings b where b.id = tests.id('booking_cora_a')),
    null, true) ->> 'customer_name',
  null,
  'A forged row carrying another organization''s booking id names nobody'
);

-- as pia_provider: her own calendar only --------------------------------------------------------
select tests.authenticate_as('pia_provider');

select is(api.get_booking(tests.id('booking_cora_a')) ->> 'customer_name', 'Cora Customer',
  'The provider reads the customer''s name on a booking on her calendar');
select is(private.booking_customer_name(tests.id('booking_otto_a')), null,
  'The provider gets no name for a booking on a colleague''s calendar');

-- as olga_owner ---------------------------------------------------------------------------------
select tests.authenticate_as('olga_owner');

select is(api.get_booking(tests.id('booking_otto_a')) ->> 'customer_name', 'Otto Customer',
  'The owner reads the customer''s name');

-- as bo_owner_b ---------------------------------------------------------------------------------
select tests.authenticate_as('bo_owner_b');

select is(api.get_booking(tests.id('booking_cora_b')) ->> 'customer_name', 'Cora Customer',
  'The owner of Studio B reads the name on Studio B''s booking');
select is(private.booking_customer_name(tests.id('booking_cora_a')), null,
  'The owner of Studio B gets no name for a booking of Salon A, though the customer is the same');

-- as cora_customer: her own bookings, without the key ------------------------------------------
select tests.authenticate_as('cora_customer');

select ok(not (api.get_booking(tests.id('booking_cora_a'))::jsonb ? 'customer_name'),
  'The customer''s own booking has no customer_name key');
select ok(not (api.get_booking(tests.id('booking_cora_a'))::jsonb ? 'internal_note'),
  'nor an internal_note: the two come together');
select is_empty(
  $$select 1 from json_array_elements(api.list_bookings() -> 'items') b where b::jsonb ? 'customer_name'$$,
  'The customer''s list of her own bookings has no customer_name key'
);
select is(private.booking_customer_name(tests.id('booking_cora_a')), null,
  'The helper called by the customer herself names nobody: she is not staff');

-- as otto_customer ------------------------------------------------------------------------------
select tests.authenticate_as('otto_customer');

select is(private.booking_customer_name(tests.id('booking_cora_a')), null,
  'Another customer calling the helper with Cora''s booking id gets no name');

-- as anon ---------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok(format('select private.booking_customer_name(%L)', tests.id('booking_cora_a')),
  '42501', null, 'Anon cannot call the helper');

-- the privileges --------------------------------------------------------------------------------
select tests.clear_authentication();

select set_eq(
  $$select a.grantee::regrole::text
    from pg_proc p, aclexplode(p.proacl) a
    where p.oid = 'private.booking_customer_name(uuid)'::regprocedure
      and a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner$$,
  array['authenticated'],
  'The helper is granted to authenticated only: not to PUBLIC, anon or service_role'
);
select is(
  (select p.prosecdef from pg_proc p where p.oid = 'private.booking_customer_name(uuid)'::regprocedure),
  true,
  'The helper is SECURITY DEFINER: auth.users is not readable by clients'
);

select * from finish();
rollback;
