-- Tokens and the role model: which login may become whom, the arithmetic under RS256, and whose
-- request.jwt.claims count.
-- Depends on: sql/code/12-tokens.sql, sql/code/14-claims.sql, sql/code/20-request.sql,
--   sql/bootstrap.sql (roles), tests/sql/helpers/*.sql (tests.create_user,
--   tests.authenticate_as). Real signatures and connections as slotbase_client are in
--   tests/test_direct_sql.py.
begin;
select plan(23);

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
  $$select r.rolname from pg_roles r
    where r.rolname in ('anon', 'authenticated', 'slotbase_client', 'slotbase_worker', 'service_role')
      and has_function_privilege(r.rolname, 'private.publish_keys(jsonb, text, text, integer)', 'execute')$$,
  'Only the owner and the API''s login publish the keys the database verifies with'
);

select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace in ('api'::regnamespace, 'auth'::regnamespace, 'private'::regnamespace,
                             'app'::regnamespace, 'gdpr'::regnamespace)
      and not exists (select from unnest(p.proconfig) c where c = 'search_path=pg_catalog, pg_temp')
      and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')$$,
  'Every function searches pg_catalog before pg_temp, so a planted pg_temp type never runs as the owner'
);

-- the arithmetic ------------------------------------------------------------------------------
select is(private.modexp(4, 13, 497), 445::numeric, '4^13 mod 497 = 445');
select is(private.modexp(7, 0, 13), 1::numeric, 'x^0 mod m = 1');
select is(
  private.modexp(2, 65537, 1000000007),
  pg_catalog.mod(private.modexp(2, 65536, 1000000007) * 2, 1000000007),
  'Square and multiply agrees with itself across one extra bit'
);
select is(private.bytes_to_numeric('\x'::bytea), 0::numeric, 'No bytes are zero');
select is(private.bytes_to_numeric('\x0100'::bytea), 256::numeric, 'Big-endian: 01 00 is 256');
select is(
  private.bytes_to_numeric('\xffffffffffffffffff'::bytea),
  4722366482869645213695::numeric,
  'Nine bytes of ff are 2^72 - 1, across a seven-byte chunk boundary'
);
select is(private.b64url_decode('QQ'), '\x41'::bytea, 'Unpadded base64url decodes');
select is(private.b64url_decode('-_-_'), '\xfbffbf'::bytea, 'The URL alphabet decodes');
select ok(private.b64url_decode('a+b/') is null, 'The standard alphabet is not base64url');
select ok(private.b64url_decode('QUJDR') is null, 'A length of 4k + 1 is never base64url');
select throws_ok(
  $$select private.publish_keys('{"keys": []}', 'http://x', 'slotbase', 30)$$,
  'PT422', 'validation_failed',
  'An empty key set is refused rather than silently disabling every direct client'
);

-- whose claims count -----------------------------------------------------------------------------
select tests.create_user('alma');
-- as a superuser (a DBA, these personas)
select set_config('request.jwt.claims', json_build_object('sub', tests.user_id('alma'))::text, true);
select is(auth.uid(), tests.user_id('alma'), 'A superuser''s request.jwt.claims count');
select set_config('request.jwt.claims', '{"sub": "not-a-uuid"}', true);
select ok(auth.uid() is null and auth.user_id() = 'not-a-uuid', 'A sub that is not a uuid is no uid');
select set_config('request.jwt.claims', '', true);
select ok(auth.jwt() is null, 'No claims: auth.jwt() is NULL');

-- as alma, through the personas' switch
select tests.authenticate_as('alma');
select is(auth.uid(), tests.user_id('alma'), 'The personas switch identity as the API does');
select tests.clear_authentication();

select * from finish();
rollback;
