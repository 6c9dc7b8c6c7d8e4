-- GDPR: consents are decisions recorded by the server, read by the person and by platform admins
-- only; erasure, anonymization, export and retention are not a client's to run on anyone else.
-- Depends on: sql/migrations/003_audit_gdpr.sql (gdpr.consents), sql/code/75-gdpr.sql (consents,
--   their policy, api.set_marketing_consent, api.list_consents, the erasure and export
--   functions), and tests/sql/helpers/10-personas.sql (personas). That consents are audited is
--   in 70-audit.sql; what an export holds and what erasure leaves is in tests/test_gdpr.py.
begin;
select plan(15);

select tests.create_user('cora_customer');
select tests.create_user('olga_owner');
select tests.create_user('root_admin', true);

-- as cora_customer: giving and withdrawing consent ---------------------------------------------
select tests.authenticate_as('cora_customer');
select api.set_marketing_consent(true, '2026-01');
select results_eq($$select (api.list_consents() -> 'marketing' ->> 'granted')::boolean$$, $$values (true)$$,
  'api.list_consents shows Cora her current marketing consent');
select api.set_marketing_consent(false, '2026-02');
select results_eq(
  $$select e ->> 'granted', e ->> 'policy_version' from json_array_elements(api.list_consents() -> 'items') e$$,
  $$values ('false', '2026-02'), ('true', '2026-01')$$,
  'Withdrawing consent adds a decision; the history lists both, newest first'
);
select throws_ok($$select api.set_marketing_consent(null, '2026-02')$$, 'PT422', 'validation_failed',
  'A consent without a decision is refused');
select throws_ok($$select api.set_marketing_consent(true, '  ')$$, 'PT422', 'validation_failed',
  'A consent without a policy version is refused');
select throws_ok(
  $$insert into gdpr.consents (user_id, purpose, granted, policy_version) values (tests.user_id('cora_customer'), 'marketing', true, 'forged')$$,
  '42501', null, 'Cora cannot write gdpr.consents directly: the time and history come from the server');

-- as olga_owner ---------------------------------------------------------------------------------
select tests.authenticate_as('olga_owner');
select api.set_marketing_consent(true, '2026-01');
select results_eq(
  $$select distinct c.user_id from gdpr.consents c$$,
  $$values (tests.user_id('olga_owner'))$$,
  'Olga reads her own consent and none of Cora''s decisions'
);

-- as cora_customer ------------------------------------------------------------------------------
select tests.authenticate_as('cora_customer');
select results_eq(
  $$select c.granted, c.policy_version from gdpr.consents c order by c.policy_version$$,
  $$values (true, '2026-01'), (false, '2026-02')$$,
  'Cora reads her own two decisions, and not Olga''s'
);
select throws_ok($$select private.anonymize_user(tests.user_id('olga_owner'))$$,
  'PT403', 'forbidden', 'Cora cannot anonymize another account');
select throws_ok($$select api.export_user(tests.user_id('olga_owner'))$$,
  'PT403', 'forbidden', 'Cora cannot export another account');
select throws_ok($$select private.personal_data(tests.user_id('olga_owner'))$$,
  '42501', null, 'Cora cannot call the export builder for any id');

-- as root_admin ---------------------------------------------------------------------------------
select tests.authenticate_as('root_admin');
select bag_eq(
  $$select c.user_id from gdpr.consents c$$,
  $$values (tests.user_id('cora_customer')), (tests.user_id('cora_customer')), (tests.user_id('olga_owner'))$$,
  'Root the platform admin reads every consent'
);
select throws_ok($$select private.erase_user(tests.user_id('cora_customer'), 'by root')$$,
  '42501', null, 'A platform admin cannot call private.erase_user directly');
select throws_ok($$select gdpr.purge_expired()$$,
  '42501', null, 'A platform admin cannot run the retention job through the API role');

-- as anon ---------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select c.id from gdpr.consents c$$, '42501', null, 'Anon cannot read consents');

-- as the superuser: what the calls above recorded -----------------------------------------------
select tests.clear_authentication();
select results_eq(
  $$select c.granted, c.policy_version from gdpr.consents c
    where c.user_id = tests.user_id('cora_customer')
    order by c.policy_version$$,
  $$values (true, '2026-01'), (false, '2026-02')$$,
  'The consents are recorded for Cora, the withdrawal beside the first decision'
);

select * from finish();
rollback;
