-- Whose claims count: auth.uid(), auth.user_id() and auth.jwt() read request.jwt.claims for a
-- superuser (a DBA, these personas) and for the API's role switch.
-- Depends on: sql/code/14-claims.sql, tests/sql/helpers/10-personas.sql (tests.create_user,
--   tests.authenticate_as). Claims of direct SQL clients, which count only when verified inside
--   the database, are in tests/test_direct_sql.py.
begin;
select plan(4);

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
