-- The role model and the privilege baseline: which login may become whom, what no application
-- role may touch, and the search_path every function declares (see sql/code/00-grants.sql).
-- Depends on: sql/bootstrap.sql (the roles and their memberships), sql/code/00-grants.sql and the
--   grants of every later code file (12-tokens: the key tables; 20-request: private.act_as).
--   Real connections as each login are in tests/test_direct_sql.py.
begin;
select plan(7);

-- as the superuser, reading the catalog

-- the role model ------------------------------------------------------------------------------
select set_eq(
  $$select r.rolname::text from pg_auth_members m join pg_roles r on r.oid = m.roleid
    where m.member = 'authenticator'::regrole$$,
  array['anon', 'authenticated'],
  'The API''s login may become anon or authenticated, nothing else'
);
select set_eq(
  $$select r.rolname::text from pg_auth_members m join pg_roles r on r.oid = m.roleid
    where m.member = 'slotbase_client'::regrole$$,
  array['anon', 'authenticated'],
  'The direct clients'' login may become anon or authenticated, nothing else'
);
select set_eq(
  $$select r.rolname::text from pg_auth_members m join pg_roles r on r.oid = m.member
    where m.roleid = 'service_role'::regrole$$,
  array['slotbase_worker'],
  'Only the worker''s login may become service_role'
);
select is_empty(
  $$select r.rolname from pg_roles r
    where r.rolname in ('authenticator', 'slotbase_client', 'slotbase_worker')
      and (r.rolinherit or not r.rolcanlogin or r.rolsuper or r.rolbypassrls or r.rolcreaterole)$$,
  'The three logins are NOINHERIT, can log in, and hold no attribute of their own'
);
select is_empty(
  $$select r.rolname, t.name from pg_roles r
    cross join (values ('auth.jwt_keys'), ('auth.verified_tokens'), ('private.settings'), ('private.secrets')) t (name)
    where r.rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'slotbase_client', 'slotbase_worker')
      and (has_table_privilege(r.rolname, t.name, 'select') or has_table_privilege(r.rolname, t.name, 'insert')
        or has_table_privilege(r.rolname, t.name, 'update') or has_table_privilege(r.rolname, t.name, 'delete'))$$,
  'No application role may read or write the keys, the cache of verified tokens, the settings or the server''s secrets'
);
select is_empty(
  $$select r.rolname from pg_roles r
    where r.rolname in ('anon', 'authenticated', 'authenticator', 'slotbase_client', 'slotbase_worker')
      and has_function_privilege(r.rolname, 'private.act_as(text, jsonb)', 'execute')$$,
  'private.act_as, which takes claims without a signature, is for superusers and the owner only'
);

select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace in ('api'::regnamespace, 'auth'::regnamespace, 'private'::regnamespace,
                             'app'::regnamespace, 'gdpr'::regnamespace)
      and not exists (select from unnest(p.proconfig) c where c = 'search_path=pg_catalog, pg_temp')
      and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')$$,
  'Every function searches pg_catalog before pg_temp, so a planted pg_temp type never runs as the owner'
);

select * from finish();
rollback;
