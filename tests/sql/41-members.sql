-- Members: the caller's own memberships (api.my_memberships), what each persona is answered, and
-- that no organization of someone else's appears.
-- Depends on: sql/code/41-members.sql (api.my_memberships), 35-roles.sql, 40-organizations.sql
--   and 43-providers.sql (the grants and policies it reads under as the caller), and
--   tests/sql/helpers/ (personas; tests.id for fixture ids). The member list and its writes are
--   in tests/test_organizations.py, over HTTP.
begin;
select plan(13);

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A: Olga (owner), Stan (staff), Pia (provider, the person behind provider Pia and behind
-- the older, inactive Pia (old chair)). Atelier C: Olga (admin). Studio B: Bo (owner). Cora is a
-- customer, a member of nothing.

select tests.create_user('olga_owner');
select tests.create_user('stan_staff');
select tests.create_user('pia_provider');
select tests.create_user('bo_owner_b');
select tests.create_user('cora_customer');

insert into app.organizations (id, slug, name, timezone) values
  (tests.id('org_a'), 'salon-a', 'Salon A', 'Europe/Copenhagen'),
  (tests.id('org_b'), 'studio-b', 'Studio B', 'Europe/Stockholm'),
  (tests.id('org_c'), 'atelier-c', 'Atelier C', 'Europe/Oslo');

insert into app.memberships (org_id, user_id, role) values
  (tests.id('org_a'), tests.user_id('olga_owner'), 'owner'),
  (tests.id('org_a'), tests.user_id('stan_staff'), 'staff'),
  (tests.id('org_a'), tests.user_id('pia_provider'), 'provider'),
  (tests.id('org_c'), tests.user_id('olga_owner'), 'admin'),
  (tests.id('org_b'), tests.user_id('bo_owner_b'), 'owner');

insert into app.providers (id, org_id, user_id, display_name, active, created_at) values
  (tests.id('provider_pia_old'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia (old chair)', false, '2025-01-01'),
  (tests.id('provider_pia'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia', true, '2026-01-01'),
  (tests.id('provider_per'), tests.id('org_a'), null, 'Per', true, '2026-01-01'),
  (tests.id('provider_quinn'), tests.id('org_b'), null, 'Quinn', true, '2026-01-01');

-- as anon ---------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select api.my_memberships()$$, 'PT401', 'unauthorized',
  'Anon is asked to authenticate for their memberships');

-- as cora_customer ------------------------------------------------------------------------------
select tests.authenticate_as('cora_customer');

select is(api.my_memberships()::jsonb, '{"items": [], "next_cursor": null}'::jsonb,
  'A customer who is a member of nothing gets an empty list');

-- as olga_owner ---------------------------------------------------------------------------------
select tests.authenticate_as('olga_owner');

select results_eq(
  $$select m ->> 'name', m ->> 'role', m ->> 'provider_id' from json_array_elements(api.my_memberships() -> 'items') m$$,
  $$values ('Atelier C', 'admin', null::text), ('Salon A', 'owner', null::text)$$,
  'Olga sees her two organizations by name, with her role in each and no provider of her own'
);
select is(
  (select array_agg(k order by k) from json_array_elements(api.my_memberships() -> 'items') m, json_object_keys(m) k
   where m ->> 'org_id' = tests.id('org_a')::text),
  array['name', 'org_id', 'provider_id', 'role', 'slug', 'timezone'],
  'A membership has org_id, slug, name, timezone, role and provider_id, nothing else'
);
select is(
  (select m::jsonb from json_array_elements(api.my_memberships() -> 'items') m where m ->> 'org_id' = tests.id('org_c')::text),
  jsonb_build_object('org_id', tests.id('org_c'), 'slug', 'atelier-c', 'name', 'Atelier C',
    'timezone', 'Europe/Oslo', 'role', 'admin', 'provider_id', null),
  'The organization''s slug and time zone come with it'
);

-- as pia_provider -------------------------------------------------------------------------------
select tests.authenticate_as('pia_provider');

select is(api.my_memberships()::jsonb,
  jsonb_build_object('items', jsonb_build_array(jsonb_build_object(
    'org_id', tests.id('org_a'), 'slug', 'salon-a', 'name', 'Salon A', 'timezone', 'Europe/Copenhagen',
    'role', 'provider', 'provider_id', tests.id('provider_pia'))), 'next_cursor', null),
  'A provider sees her organization with her role and her own provider'
);

select tests.clear_authentication();
update app.providers p set active = false where p.id = tests.id('provider_pia');
select tests.authenticate_as('pia_provider');
select is(api.my_memberships() -> 'items' -> 0 ->> 'provider_id', tests.id('provider_pia_old')::text,
  'Behind two inactive providers, the older one is hers');

select tests.clear_authentication();
update app.providers p set user_id = null where p.user_id = tests.user_id('pia_provider');
select tests.authenticate_as('pia_provider');
select is(api.my_memberships() -> 'items' -> 0 ->> 'provider_id', null,
  'A member behind no provider has a null provider_id');

-- as stan_staff ---------------------------------------------------------------------------------
select tests.authenticate_as('stan_staff');

select results_eq(
  $$select (m ->> 'org_id')::uuid, m ->> 'role' from json_array_elements(api.my_memberships() -> 'items') m$$,
  $$values (tests.id('org_a'), 'staff')$$,
  'Staff of Salon A see Salon A only'
);
select is_empty(
  $$select 1 from json_array_elements(api.my_memberships() -> 'items') m
    where m ->> 'org_id' in (tests.id('org_b')::text, tests.id('org_c')::text)$$,
  'Staff of Salon A never see Studio B, nor Atelier C where their owner is admin'
);

-- as bo_owner_b ---------------------------------------------------------------------------------
select tests.authenticate_as('bo_owner_b');

select results_eq(
  $$select (m ->> 'org_id')::uuid, m ->> 'role' from json_array_elements(api.my_memberships() -> 'items') m$$,
  $$values (tests.id('org_b'), 'owner')$$,
  'The owner of Studio B sees Studio B only'
);

-- A changed membership counts at once ----------------------------------------------------------
select tests.clear_authentication();
delete from app.memberships m where m.org_id = tests.id('org_a') and m.user_id = tests.user_id('stan_staff');
select tests.authenticate_as('stan_staff');
select is((api.my_memberships() -> 'items')::jsonb, '[]'::jsonb,
  'Stan, removed from Salon A, has no membership left in the same session');

-- the privileges --------------------------------------------------------------------------------
select tests.clear_authentication();
select ok(has_function_privilege('anon', 'api.my_memberships()', 'execute')
          and has_function_privilege('authenticated', 'api.my_memberships()', 'execute'),
  'api.my_memberships is granted to anon (who get 401) and authenticated, like the other api functions');

select * from finish();
rollback;
