-- The audit trail: an entry for every write to every audited table, naming the actor and the
-- request; never a secret column; readable by the organization's owners and admins and by
-- platform admins only; written by nobody through the API roles. Consents are audited too
-- (what a consent is and who reads it: 75-gdpr.sql).
-- Depends on: sql/migrations/003_audit_gdpr.sql (audit.log, gdpr.consents), sql/code/70-audit.sql
--   (the trigger, policies, api.org_audit, api.user_audit), 75-gdpr.sql (consents), the account,
--   organization, schedule and booking code it exercises, and tests/sql/helpers/ (personas,
--   tests.id, tests.rows_written).
-- Writes under test run as personas, each with its own request id set the way
-- private.handle_request sets it, so every entry can be traced back to the call that made it.
begin;
select plan(49);

-- Fixtures, as the superuser ------------------------------------------------------------------
-- Salon A: Olga (owner), Ada (admin), Stan (staff), Pia (provider with her own account) and Per
-- (provider without one). Studio B: Bo (owner), Bea (admin), provider Quinn. Cora books Pia at
-- Salon A and Quinn at Studio B. Root is a platform admin.

select tests.create_user('cora_customer');
select tests.create_user('olga_owner');
select tests.create_user('ada_admin');
select tests.create_user('stan_staff');
select tests.create_user('pia_provider');
select tests.create_user('bo_owner_b');
select tests.create_user('bea_admin_b');
select tests.create_user('root_admin', true);
select tests.create_user('newt_newcomer');

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

insert into app.providers (id, org_id, user_id, display_name) values
  (tests.id('provider_pia'), tests.id('org_a'), tests.user_id('pia_provider'), 'Pia'),
  (tests.id('provider_per'), tests.id('org_a'), null, 'Per'),
  (tests.id('provider_quinn'), tests.id('org_b'), null, 'Quinn');

insert into app.services (id, org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes) values
  (tests.id('service_cut'), tests.id('org_a'), 'Haircut', 30, 35000, 'DKK', 30),
  (tests.id('service_massage'), tests.id('org_b'), 'Massage', 60, 60000, 'DKK', 60);

insert into app.service_providers (org_id, service_id, provider_id) values
  (tests.id('org_a'), tests.id('service_cut'), tests.id('provider_pia')),
  (tests.id('org_b'), tests.id('service_massage'), tests.id('provider_quinn'));

insert into app.working_hours (org_id, provider_id, weekday, starts, ends) values
  (tests.id('org_a'), tests.id('provider_pia'), 1, '09:00', '17:00'),
  (tests.id('org_b'), tests.id('provider_quinn'), 1, '09:00', '17:00');

insert into app.date_overrides (org_id, provider_id, on_date, windows) values
  (tests.id('org_a'), tests.id('provider_per'), '2026-03-16', '{}');

insert into app.time_off (id, org_id, provider_id, period, reason) values
  (tests.id('time_off_quinn'), tests.id('org_b'), tests.id('provider_quinn'),
   tstzrange('2026-03-18 09:00+01', '2026-03-18 17:00+01'), 'Course');

insert into app.bookings (id, org_id, provider_id, service_id, customer_id, starts_at, ends_at, status, price_minor, currency) values
  (tests.id('booking_cora_a'), tests.id('org_a'), tests.id('provider_pia'), tests.id('service_cut'),
   tests.user_id('cora_customer'), '2026-03-23 10:00+01', '2026-03-23 10:30+01', 'confirmed', 35000, 'DKK'),
  (tests.id('booking_cora_b'), tests.id('org_b'), tests.id('provider_quinn'), tests.id('service_massage'),
   tests.user_id('cora_customer'), '2026-03-23 14:00+01', '2026-03-23 15:00+01', 'confirmed', 60000, 'DKK');

insert into app.booking_notes (booking_id, org_id, internal_note) values
  (tests.id('booking_cora_b'), tests.id('org_b'), 'Bad back: soft table');

-- Entries written by the fixtures ------------------------------------------------------------

select results_eq(
  $$select distinct l.table_name from audit.log l where l.action = 'insert' order by 1$$,
  $$values ('app.booking_notes'), ('app.bookings'), ('app.date_overrides'), ('app.memberships'),
           ('app.organizations'), ('app.providers'), ('app.services'), ('app.time_off'),
           ('app.working_hours'), ('auth.users')$$,
  'Inserting into each audited table wrote an insert entry for it'
);
select is_empty(
  $$select l.id from audit.log l where l.actor_id is not null or l.request_id is not null$$,
  'Writes made outside any request (no claims, no request id) are recorded as the system''s'
);
select results_eq(
  $$select l.row_id, l.org_id, l.subject_user_id from audit.log l
    where l.table_name = 'app.memberships' and l.action = 'insert'
      and l.subject_user_id = tests.user_id('olga_owner')$$,
  $$values (tests.id('org_a')::text || '/' || tests.user_id('olga_owner')::text, tests.id('org_a'),
            tests.user_id('olga_owner'))$$,
  'A composite key is recorded as its columns joined with /, with the organization and the member'
);
select results_eq(
  $$select l.subject_user_id from audit.log l
    where l.table_name = 'app.bookings' and l.row_id = tests.id('booking_cora_a')::text$$,
  $$values (tests.user_id('cora_customer'))$$,
  'An entry of a booking is about its customer'
);
select results_eq(
  $$select l.subject_user_id, l.org_id from audit.log l
    where l.table_name = 'app.booking_notes' and l.row_id = tests.id('booking_cora_b')::text$$,
  $$values (tests.user_id('cora_customer'), tests.id('org_b'))$$,
  'An entry of an internal note is about the customer of its booking'
);
select results_eq(
  $$select l.subject_user_id from audit.log l
    where l.table_name = 'app.working_hours' and l.org_id = tests.id('org_a')$$,
  $$values (tests.user_id('pia_provider'))$$,
  'An entry of working hours is about the person behind the provider'
);
select ok(
  (select not (l.new_values ? 'blocked') and l.new_values ? 'starts_at'
   from audit.log l where l.table_name = 'app.bookings' and l.row_id = tests.id('booking_cora_a')::text),
  'A booking''s insert entry holds its columns but not the generated blocked range'
);
select is(
  (select l.new_values ->> 'email' from audit.log l
   where l.table_name = 'auth.users' and l.row_id = tests.user_id('cora_customer')::text),
  'cora_customer@example.com',
  'An account''s insert entry holds its email'
);

-- Writes through the API, each with its own request id ----------------------------------------

select tests.authenticate_as('cora_customer');
select set_config('request.id', 'pgtap-cora-profile', true);
select api.update_me(full_name => 'Cora C.');
select set_config('request.id', 'pgtap-cora-note', true);
select api.update_booking_notes(tests.id('booking_cora_a'), customer_note => 'Window seat please');
select set_config('request.id', 'pgtap-cora-consent', true);
select api.set_marketing_consent(true, '2026-01');
select set_config('request.id', 'pgtap-cora-password', true);
select private.change_password('cora_customer-pass-word', 'a-brand-new-secret');

select tests.authenticate_as('olga_owner');
select set_config('request.id', 'pgtap-olga-org', true);
select api.update_org(tests.id('org_a'), name => 'Salon A Deluxe');
select set_config('request.id', 'pgtap-olga-member', true);
select api.add_member(tests.id('org_a'), 'newt_newcomer@example.com', 'staff');
select set_config('request.id', 'pgtap-olga-provider', true);
select api.update_provider(tests.id('provider_per'), bio => 'Twenty years of scissors');
select set_config('request.id', 'pgtap-olga-service', true);
select api.update_service(tests.id('service_cut'), price_minor => 37500);

select tests.authenticate_as('pia_provider');
select set_config('request.id', 'pgtap-pia-hours', true);
select api.set_working_hours(tests.id('provider_pia'), '[{"weekday": 2, "start": "10:00", "end": "16:00"}]');
select set_config('request.id', 'pgtap-pia-time-off', true);
select api.create_time_off(tests.id('provider_pia'), '2026-04-01T09:00:00+02:00', '2026-04-01T12:00:00+02:00', 'Dentist');

select tests.authenticate_as('stan_staff');
select set_config('request.id', 'pgtap-stan-override', true);
select api.set_override(tests.id('provider_per'), '2026-03-17', '[{"start": "12:00", "end": "15:00"}]');
select set_config('request.id', 'pgtap-stan-note', true);
select api.update_booking_notes(tests.id('booking_cora_a'), internal_note => 'Prefers scissors');
select tests.clear_authentication();
select set_config('request.id', '', true);

select results_eq(
  $$select l.request_id, l.table_name, l.action, p.handle
    from audit.log l join tests.personas p on p.user_id = l.actor_id
    where l.request_id like 'pgtap-%'
    order by l.id$$,
  $$values
    ('pgtap-cora-profile', 'auth.users', 'update', 'cora_customer'),
    ('pgtap-cora-note', 'app.bookings', 'update', 'cora_customer'),
    ('pgtap-cora-consent', 'gdpr.consents', 'insert', 'cora_customer'),
    ('pgtap-cora-password', 'auth.users', 'update', 'cora_customer'),
    ('pgtap-olga-org', 'app.organizations', 'update', 'olga_owner'),
    ('pgtap-olga-member', 'app.invitations', 'insert', 'olga_owner'),
    ('pgtap-olga-provider', 'app.providers', 'update', 'olga_owner'),
    ('pgtap-olga-service', 'app.services', 'update', 'olga_owner'),
    ('pgtap-pia-hours', 'app.working_hours', 'delete', 'pia_provider'),
    ('pgtap-pia-hours', 'app.working_hours', 'insert', 'pia_provider'),
    ('pgtap-pia-time-off', 'app.time_off', 'insert', 'pia_provider'),
    ('pgtap-stan-override', 'app.date_overrides', 'insert', 'stan_staff'),
    ('pgtap-stan-note', 'app.booking_notes', 'insert', 'stan_staff')$$,
  'Every write through the API is recorded with its actor and the request id of its call, in order'
);
select results_eq(
  $$select l.old_values - 'updated_at', l.new_values - 'updated_at' from audit.log l
    where l.request_id = 'pgtap-olga-service'$$,
  $$values ('{"price_minor": 35000}'::jsonb, '{"price_minor": 37500}'::jsonb)$$,
  'An update entry holds only the changed columns (here the price, and updated_at), before and after'
);
select results_eq(
  $$select l.old_values ->> 'full_name', l.new_values ->> 'full_name' from audit.log l
    where l.request_id = 'pgtap-cora-profile'$$,
  $$values ('Cora Customer', 'Cora C.')$$,
  'A profile change records the old and the new name'
);
select results_eq(
  $$select l.subject_user_id, array(select jsonb_object_keys(l.old_values || l.new_values)) <@ array['updated_at']
    from audit.log l where l.request_id = 'pgtap-cora-password'$$,
  $$values (tests.user_id('cora_customer'), true)$$,
  'A password change is recorded as a change of the account, without its hash'
);
select results_eq(
  $$select l.new_values ->> 'granted', l.new_values ->> 'policy_version', l.subject_user_id
    from audit.log l where l.request_id = 'pgtap-cora-consent'$$,
  $$values ('true', '2026-01', tests.user_id('cora_customer'))$$,
  'Giving marketing consent is audited with its policy version, about the person'
);

-- Secrets never reach the trail ---------------------------------------------------------------

select is_empty(
  $$select l.id from audit.log l
    where coalesce(l.old_values, '{}') ?| array['password_hash', 'token_hash', 'request_hash', 'access_claims', 'response_body']
       or coalesce(l.new_values, '{}') ?| array['password_hash', 'token_hash', 'request_hash', 'access_claims', 'response_body']$$,
  'No entry holds a secret column'
);
select is_empty(
  $$select l.id from audit.log l
    where concat(l.old_values::text, l.new_values::text) ~ '\$2[abxy]\$'
       or concat(l.old_values::text, l.new_values::text) ~ '[0-9a-f]{64}'$$,
  'No entry holds anything shaped like a bcrypt hash or a sha256 digest'
);
select is(
  (select pg_catalog.count(*) from audit.log l where l.table_name like 'auth.%' and l.table_name <> 'auth.users'),
  0::bigint,
  'Sessions, refresh tokens and failed logins are not audited tables'
);

-- Reading the trail -----------------------------------------------------------------------------

select count(*) as total_entries from audit.log \gset
select count(*) as org_a_entries from audit.log where org_id = tests.id('org_a') \gset
select count(*) as org_b_entries from audit.log where org_id = tests.id('org_b') \gset

-- as olga_owner
select tests.authenticate_as('olga_owner');
select is((select count(*) from audit.log), :org_a_entries::bigint,
  'Olga the owner reads every entry of Salon A and nothing else');
select is_empty($$select l.id from audit.log l where l.org_id is distinct from tests.id('org_a')$$,
  'Olga reads no entry of Studio B and none without an organization (accounts, consents)');
select is((api.org_audit(tests.id('org_a'), 200) -> 'items' -> 0 ->> 'request_id'), 'pgtap-stan-note',
  'api.org_audit shows Olga the newest entry of Salon A first');
select throws_ok($$select api.org_audit(tests.id('org_b'))$$, 'PT403', 'forbidden',
  'api.org_audit refuses Olga the trail of Studio B');
select throws_ok($$select api.user_audit(tests.user_id('cora_customer'))$$, 'PT403', 'forbidden',
  'api.user_audit is for platform admins only, not for an owner');

-- as ada_admin
select tests.authenticate_as('ada_admin');
select is((select count(*) from audit.log), :org_a_entries::bigint,
  'Ada the admin reads every entry of Salon A and nothing else');
select is((api.org_audit(tests.id('org_a'), 2) -> 'items' -> 1 ->> 'request_id'), 'pgtap-stan-override',
  'api.org_audit pages Ada through Salon A''s entries, two at a time');
select ok((api.org_audit(tests.id('org_a'), 2) ->> 'next_cursor') is not null,
  'A full page of api.org_audit carries a cursor to the next one');
select is(
  (api.org_audit(tests.id('org_a'), 2, api.org_audit(tests.id('org_a'), 2) ->> 'next_cursor') -> 'items' -> 0 ->> 'request_id'),
  'pgtap-pia-time-off',
  'The cursor continues where the first page ended'
);

-- as stan_staff
select tests.authenticate_as('stan_staff');
select is_empty($$select l.id from audit.log l$$, 'Stan the staff member reads no entry, not even his own');
select throws_ok($$select api.org_audit(tests.id('org_a'))$$, 'PT403', 'forbidden',
  'api.org_audit refuses Stan: staff is not owner or admin');

-- as pia_provider
select tests.authenticate_as('pia_provider');
select is_empty($$select l.id from audit.log l$$, 'Pia the provider reads no entry, not even about her own hours');

-- as cora_customer
select tests.authenticate_as('cora_customer');
select is_empty($$select l.id from audit.log l$$, 'Cora the customer reads no entry, not even about herself');
select throws_ok($$select api.org_audit(tests.id('org_a'))$$, 'PT403', 'forbidden',
  'api.org_audit refuses a customer');
select throws_ok($$select api.org_audit(tests.id('no_such_org'))$$, 'PT404', 'not_found',
  'api.org_audit answers not_found for an unknown organization');
select throws_ok($$select api.org_audit(tests.id('org_a'), 0)$$, 'PT403', 'forbidden',
  'Access is decided before the page size is looked at');

-- as bo_owner_b
select tests.authenticate_as('bo_owner_b');
select is((select count(*) from audit.log), :org_b_entries::bigint,
  'Bo, owner of Studio B, reads every entry of Studio B and nothing else');

-- as bea_admin_b
select tests.authenticate_as('bea_admin_b');
select is_empty($$select l.id from audit.log l where l.org_id = tests.id('org_a')$$,
  'Bea, admin of Studio B, reads no entry of Salon A');
select throws_ok($$select api.org_audit(tests.id('org_a'))$$, 'PT403', 'forbidden',
  'api.org_audit refuses another organization''s admin');

-- as root_admin
select tests.authenticate_as('root_admin');
select is((select count(*) from audit.log), :total_entries::bigint,
  'Root the platform admin reads every entry');
select is(
  (select pg_catalog.count(*) from json_array_elements(api.user_audit(tests.user_id('cora_customer'), 200) -> 'items') e
   where e ->> 'subject_user_id' = tests.user_id('cora_customer')::text or e ->> 'actor_id' = tests.user_id('cora_customer')::text),
  (select pg_catalog.count(*) from audit.log l
   where l.subject_user_id = tests.user_id('cora_customer') or l.actor_id = tests.user_id('cora_customer')),
  'api.user_audit lists every entry about Cora or made by her, and only those'
);
select throws_ok($$select api.user_audit(tests.id('nobody'))$$, 'PT404', 'not_found',
  'api.user_audit answers not_found for an unknown user');

-- Nobody writes the trail through the API roles ------------------------------------------------

select tests.authenticate_as('olga_owner');
select throws_ok($$insert into audit.log (table_name, row_id, action) values ('app.bookings', 'x', 'insert')$$,
  '42501', null, 'Olga cannot insert an entry');
select throws_ok($$update audit.log set request_id = 'forged' where org_id = tests.id('org_a')$$,
  '42501', null, 'Olga cannot change an entry of her own organization');
select throws_ok($$delete from audit.log where org_id = tests.id('org_a')$$,
  '42501', null, 'Olga cannot delete an entry of her own organization');

select tests.authenticate_as('root_admin');
select throws_ok($$insert into audit.log (table_name, row_id, action) values ('auth.users', 'x', 'insert')$$,
  '42501', null, 'A platform admin cannot insert an entry');
select throws_ok($$update audit.log set old_values = null$$,
  '42501', null, 'A platform admin cannot change an entry');
select throws_ok($$delete from audit.log$$,
  '42501', null, 'A platform admin cannot delete an entry');

select tests.authenticate_as('cora_customer');
select throws_ok($$delete from audit.log where subject_user_id = tests.user_id('cora_customer')$$,
  '42501', null, 'Cora cannot delete entries about herself');

select tests.authenticate_as_anon();
select throws_ok($$select l.id from audit.log l$$, '42501', null, 'Anon cannot read the trail');
select throws_ok($$insert into audit.log (table_name, row_id, action) values ('auth.users', 'x', 'insert')$$,
  '42501', null, 'Anon cannot insert an entry');
select throws_ok($$delete from audit.log$$, '42501', null, 'Anon cannot delete an entry');
select throws_ok($$select api.org_audit(tests.id('org_a'))$$, 'PT401', 'unauthorized',
  'api.org_audit asks anon to authenticate');

select tests.clear_authentication();

select * from finish();
rollback;
