-- Roles: what the membership lookups answer each persona, as the policies and functions ask them
-- (the role sets, the caller in one organization, every organization and provider at once), and
-- that a changed membership counts at once.
-- Depends on: sql/code/35-roles.sql, sql/migrations/002_bookings.sql (the tables), and
--   tests/sql/helpers/ (personas; tests.id for fixture ids).
begin;
select plan(36);

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A: Olga (owner), Ada (admin), Stan (staff), Pia (provider, the person behind provider
-- Pia). Studio B: Bo (owner). Cora is a customer, a member of nothing.

select tests.create_user('olga_owner');
select tests.create_user('ada_admin');
select tests.create_user('stan_staff');
select tests.create_user('pia_provider');
select tests.create_user('bo_owner_b');
select tests.create_user('cora_customer');

insert into app.organizations (id, slug, name) values
  (tests.id('org_a'), 'salon-a', 'Salon A'),
  (tests.id('org_b'), 'studio-b', 'Studio B');

insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('olga_owner'), 'owner'),
  (tests.id('org_a'), tests.user_id('ada_admin'), 'admin'),
  (tests.id('org_a'), tests.user_id('stan_staff'), 'staff'),
  (tests.id('org_a'), tests.user_id('pia_provider'), 'provider'),
  (tests.id('org_b'), tests.user_id('bo_owner_b'), 'owner');

insert into app.providers (id, org_id, user_id, display_name, active) values
  (tests.id('provider_pia'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia', true),
  (tests.id('provider_pia_old'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia (old chair)', false),
  (tests.id('provider_per'), tests.id('org_a'), null, 'Per', true);

-- as anon: role names and sets, and a caller who is nobody ---------------------------------------
select tests.authenticate_as_anon();

select is(private.manager_roles(), '{owner,admin}'::app.member_role[], 'Managers are owners and admins');
select is(private.staff_roles(), '{owner,admin,staff}'::app.member_role[], 'Staff+ are owners, admins and staff');
select is(private.member_role('admin'), 'admin'::app.member_role, 'private.member_role reads a role name');
select throws_ok($$select private.member_role('boss')$$, 'PT422', 'validation_failed',
  'An unknown role name is refused');
select throws_ok($$select private.member_role(null)$$, 'PT422', 'validation_failed',
  'No role name is refused');
select is(private.is_org_member(tests.id('org_a')), false, 'Anon is a member of nothing');
select is(private.my_provider_ids(), '{}'::uuid[], 'Anon is the person behind no provider');
select throws_ok(format('select private.require_org_manager(%L)', tests.id('org_a')), 'PT401', 'unauthorized',
  'private.require_org_manager asks anon to authenticate');
select throws_ok(format('select private.require_org_manager(%L)', tests.id('no_such_org')), 'PT404', 'not_found',
  'private.require_org_manager answers not_found for an unknown organization first');

-- as olga_owner ---------------------------------------------------------------------------------
select tests.authenticate_as('olga_owner');

select is(private.org_role(tests.id('org_a')), 'owner'::app.member_role, 'Olga''s role in Salon A is owner');
select is(private.org_role(tests.id('org_b')), null, 'Olga has no role in Studio B');
select ok(private.is_org_member(tests.id('org_a')) and private.is_org_manager(tests.id('org_a'))
          and private.is_org_staff(tests.id('org_a')),
  'An owner is a member, a manager and staff+ of her organization');
select ok(not (private.is_org_member(tests.id('org_b')) or private.is_org_manager(tests.id('org_b'))),
  'Olga is neither member nor manager of Studio B');
select is(private.has_org_role(tests.id('org_a'), '{owner}'), true, 'private.has_org_role finds the owner role');
select is(private.my_org_ids(private.manager_roles()), array[tests.id('org_a')],
  'Olga manages Salon A only');
select lives_ok(format('select private.require_org_manager(%L)', tests.id('org_a')),
  'private.require_org_manager lets the owner through');
select throws_ok(format('select private.require_org_manager(%L)', tests.id('org_b')), 'PT403', 'forbidden',
  'private.require_org_manager refuses Olga in Studio B');
select is(private.is_provider_self(tests.id('provider_pia')), false, 'Olga is not the person behind Pia');

-- as ada_admin ----------------------------------------------------------------------------------
select tests.authenticate_as('ada_admin');

select ok(private.is_org_manager(tests.id('org_a')) and private.is_org_staff(tests.id('org_a')),
  'An admin is a manager and staff+');
select is(private.my_org_ids(private.staff_roles()), array[tests.id('org_a')],
  'Ada is staff+ of Salon A only');

-- as stan_staff ---------------------------------------------------------------------------------
select tests.authenticate_as('stan_staff');

select ok(private.is_org_staff(tests.id('org_a')) and not private.is_org_manager(tests.id('org_a')),
  'Staff are staff+ but not managers');
select is(private.my_org_ids(private.manager_roles()), '{}'::uuid[], 'Stan manages no organization');
select is(private.my_org_ids(private.staff_roles()), array[tests.id('org_a')], 'Stan is staff+ of Salon A');
select throws_ok(format('select private.require_org_manager(%L)', tests.id('org_a')), 'PT403', 'forbidden',
  'private.require_org_manager refuses staff');

-- as pia_provider -------------------------------------------------------------------------------
select tests.authenticate_as('pia_provider');

select is(private.org_role(tests.id('org_a')), 'provider'::app.member_role, 'Pia''s role in Salon A is provider');
select ok(private.is_org_member(tests.id('org_a')) and not private.is_org_staff(tests.id('org_a')),
  'A provider is a member, but not staff+');
select is(private.my_org_ids(private.staff_roles()), '{}'::uuid[], 'A provider is staff+ nowhere');
select ok(private.is_provider_self(tests.id('provider_pia')) and not private.is_provider_self(tests.id('provider_per')),
  'Pia is the person behind provider Pia, not behind Per');
select ok(private.is_provider_self(tests.id('provider_pia_old')),
  'Pia is the person behind her inactive provider too');
select is(
  (select array_agg(x order by x) from unnest(private.my_provider_ids()) x),
  (select array_agg(x order by x) from unnest(array[tests.id('provider_pia'), tests.id('provider_pia_old')]) x),
  'private.my_provider_ids lists both of Pia''s providers, active or not'
);

-- as cora_customer ------------------------------------------------------------------------------
select tests.authenticate_as('cora_customer');

select is(private.org_role(tests.id('org_a')), null, 'A customer has no role');
select is(private.my_org_ids(private.staff_roles()), '{}'::uuid[], 'A customer is staff+ nowhere');
select is(private.my_provider_ids(), '{}'::uuid[], 'A customer is the person behind no provider');

-- A changed membership counts at once: nothing is taken from the token ------------------------
select tests.clear_authentication();
update app.memberships m set role = 'provider'
where m.org_id = tests.id('org_a') and m.user_id = tests.user_id('stan_staff');
select tests.authenticate_as('stan_staff');
select is(private.is_org_staff(tests.id('org_a')), false, 'Stan, made a provider, is no longer staff+');

select tests.clear_authentication();
delete from app.memberships m where m.org_id = tests.id('org_a') and m.user_id = tests.user_id('ada_admin');
select tests.authenticate_as('ada_admin');
select is(private.is_org_manager(tests.id('org_a')), false, 'Ada, removed, manages Salon A no more, in the same session');
select is(private.my_org_ids(private.manager_roles()), '{}'::uuid[], 'Ada''s list of managed organizations is empty');

select tests.clear_authentication();

select * from finish();
rollback;
