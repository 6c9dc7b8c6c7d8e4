-- Accounts: what each persona may read, change and call in auth.* under row-level security;
-- then the account rules: login lockout, refresh token rotation and reuse, password and email
-- rules.
-- Depends on: sql/code/30-accounts.sql (policies, grants, api functions) and
--   tests/sql/helpers/10-personas.sql (personas switch role exactly as the API does;
--   tests.freeze_time).
-- Denials are asserted by SQLSTATE: 42501 for a missing privilege, PT4xx for the API's codes.
-- Errors that must survive the call (a failed login, a reused refresh token) are answered, not
-- raised: the body carries the code and response.status / response.headers carry the rest.
-- Those settings last for the transaction, so checks of them start with tests.clear_response().
begin;
select plan(120);

select tests.create_user('alma');
select tests.create_user('bruno');
select tests.create_user('pia_platform_admin', true);
-- Bruno and Pia are logged in on one device each; Alma on two: her laptop first, then her phone,
-- the session she acts in from here on.
select tests.login_as('bruno');
select tests.login_as('pia_platform_admin');
select tests.login_as('alma');
select tests.clear_authentication();
select tests.session_id('alma') as alma_laptop \gset
select tests.login_as('alma');
select tests.clear_authentication();
select tests.session_id('alma') as alma_phone \gset

-- as alma -----------------------------------------------------------------------------------------
select tests.authenticate_as('alma');

select is(current_user::text, 'authenticated', 'Acting as Alma runs queries as the role authenticated');
select is(auth.uid(), tests.user_id('alma'), 'Acting as Alma carries her user id in the claims');

-- Reading accounts
select results_eq(
  $$select u.id from auth.users u$$,
  $$values (tests.user_id('alma'))$$,
  'Alma sees exactly one account in auth.users: her own'
);
select is((select count(*) from auth.users), 1::bigint, 'Alma counts one row in auth.users');
select is_empty(
  $$select u.id from auth.users u where u.id = tests.user_id('bruno')$$,
  'Alma cannot see Bruno''s account'
);
select throws_ok(
  $$select u.password_hash from auth.users u where u.id = tests.user_id('alma')$$,
  '42501', null,
  'Alma cannot read a password hash, not even her own'
);
select ok(private.user_object(tests.user_id('bruno')) is null, 'private.user_object gives Alma nothing about Bruno');
select is((api.me() ->> 'id')::uuid, tests.user_id('alma'), 'api.me answers Alma''s own account');

-- Changing accounts
with changed as (
  update auth.users u set full_name = 'Changed by Alma' where u.id = tests.user_id('bruno') returning u.id
)
select count(*) as bruno_rows_changed from changed \gset
select is(:bruno_rows_changed::bigint, 0::bigint, 'Alma''s UPDATE of Bruno''s name changes no row');

with changed as (
  update auth.users u set full_name = 'Alma A.' where u.id = tests.user_id('alma') returning u.id
)
select count(*) as alma_rows_changed from changed \gset
select is(:alma_rows_changed::bigint, 1::bigint, 'Alma may UPDATE her own name');

select throws_ok(
  $$update auth.users u set is_platform_admin = true where u.id = tests.user_id('alma')$$,
  '42501', null,
  'Alma cannot make herself a platform admin'
);
select throws_ok(
  $$update auth.users u set email = 'alma@elsewhere.example' where u.id = tests.user_id('alma')$$,
  '42501', null,
  'Alma cannot change her email address by UPDATE'
);
select throws_ok(
  $$insert into auth.users (email) values ('mallory@example.com')$$,
  '42501', null,
  'Alma cannot insert an account'
);
select throws_ok(
  $$delete from auth.users u where u.id = tests.user_id('alma')$$,
  '42501', null,
  'Alma cannot delete an account, not even her own'
);
select is(
  api.update_me(full_name => 'Alma Andersen') ->> 'full_name',
  'Alma Andersen',
  'api.update_me renames Alma and answers her account'
);

-- Sessions and refresh tokens
select set_eq(
  $$select s.id from auth.sessions s$$,
  format('values (%L::uuid), (%L::uuid)', :'alma_laptop', :'alma_phone'),
  'Alma sees exactly her own two sessions, nobody else''s'
);
select set_eq(
  $$select t.session_id from auth.refresh_tokens t$$,
  format('values (%L::uuid), (%L::uuid)', :'alma_laptop', :'alma_phone'),
  'Alma sees exactly the refresh tokens of her own sessions'
);
select throws_ok(
  $$select t.token_hash from auth.refresh_tokens t$$,
  '42501', null,
  'Alma cannot read refresh token hashes, not even her own'
);
select throws_ok(
  $$insert into auth.sessions (user_id, expires_at) values (tests.user_id('alma'), now() + interval '1 year')$$,
  '42501', null,
  'Alma cannot insert a session'
);
select throws_ok(
  $$update auth.sessions s set revoked_at = null, expires_at = now() + interval '1 year'$$,
  '42501', null,
  'Alma cannot reopen or extend a session by UPDATE'
);
select throws_ok(
  $$delete from auth.sessions s where s.user_id = tests.user_id('alma')$$,
  '42501', null,
  'Alma cannot delete a session'
);
select throws_ok(
  format(
    $$insert into auth.refresh_tokens (session_id, user_id, token_hash, access_claims)
      values (%L, tests.user_id('alma'), '\x00', '{}')$$,
    :'alma_phone'),
  '42501', null,
  'Alma cannot insert a refresh token'
);
select throws_ok(
  $$delete from auth.refresh_tokens t where t.user_id = tests.user_id('alma')$$,
  '42501', null,
  'Alma cannot delete a refresh token'
);
select throws_ok(
  format('select api.revoke_session(%L)', tests.session_id('bruno')),
  'PT404', 'not_found',
  'Alma ending Bruno''s session answers not found'
);

-- Owner-only tables and functions
select throws_ok($$select f.email from auth.login_failures f$$, '42501', null,
  'Alma cannot read auth.login_failures');
select throws_ok($$select s.name, s.value from private.settings s$$, '42501', null,
  'Alma cannot read private.settings');
select throws_ok($$select c.frozen_at from private.clock c$$, '42501', null,
  'Alma cannot read private.clock');
select throws_ok($$select c.password from auth.common_passwords c$$, '42501', null,
  'Alma cannot read auth.common_passwords');
select throws_ok(
  $$select private.revoke_sessions(tests.user_id('bruno'), 'revoked_by_alma')$$,
  '42501', null,
  'Alma cannot execute private.revoke_sessions'
);
select throws_ok(
  $$select private.erase_user(tests.user_id('bruno'), 'erased_by_alma')$$,
  '42501', null,
  'Alma cannot execute private.erase_user'
);
select throws_ok(
  $$select private.create_superuser('mallory@example.com', 'mallory-pass-word')$$,
  '42501', null,
  'Alma cannot execute private.create_superuser'
);
select throws_ok(
  $$select private.act_as('authenticated', jsonb_build_object('sub', tests.user_id('bruno')))$$,
  '42501', null,
  'Alma cannot switch identity through private.act_as'
);
select throws_ok($$select api.list_users()$$, 'PT403', 'forbidden',
  'Alma may not list every account');
select throws_ok(format('select api.get_user(%L)', tests.user_id('bruno')), 'PT403', 'forbidden',
  'Alma may not read Bruno''s account through api.get_user');

-- Logging out
select lives_ok($$select api.logout()$$, 'Alma may log out');

-- as the superuser, checking what the calls above left behind -------------------------------------
select tests.clear_authentication();

select is(
  (select s.revoked_reason from auth.sessions s where s.id = :'alma_phone'),
  'logout',
  'Logging out ended the session Alma acted in'
);
select is(
  (select s.revoked_at from auth.sessions s where s.id = :'alma_laptop'),
  null,
  'Logging out left Alma''s other session (her laptop) open'
);
select is_empty(
  $$select s.id from auth.sessions s where s.user_id <> tests.user_id('alma') and s.revoked_at is not null$$,
  'Neither Alma''s logout nor her attempts ended anybody else''s session'
);
select is(
  (select u.full_name from auth.users u where u.id = tests.user_id('alma')),
  'Alma Andersen',
  'Alma''s account has the name she gave it through api.update_me'
);
select is(
  (select u.full_name from auth.users u where u.id = tests.user_id('bruno')),
  'Bruno',
  'Bruno''s name is unchanged by Alma''s UPDATE and by api.update_me'
);
select is(
  (select u.is_platform_admin from auth.users u where u.id = tests.user_id('alma')),
  false,
  'Alma is still not a platform admin'
);

-- as alma, in a new session after her logout ------------------------------------------------------
select tests.authenticate_as('alma');

select lives_ok(format('select api.revoke_session(%L)', :'alma_laptop'),
  'Alma may end her own other session');
select throws_ok(format('select api.revoke_session(%L)', :'alma_laptop'), 'PT404', 'not_found',
  'Ending a session that has already ended answers not found');

-- as bruno ----------------------------------------------------------------------------------------
select tests.authenticate_as('bruno');

select results_eq(
  $$select u.id, u.full_name from auth.users u$$,
  $$values (tests.user_id('bruno'), 'Bruno')$$,
  'Bruno sees only his own account, his name unchanged'
);
select set_eq(
  $$select s.id from auth.sessions s where s.revoked_at is null$$,
  $$values (tests.session_id('bruno'))$$,
  'Bruno''s session is still open and the only one he sees'
);

-- as pia_platform_admin ---------------------------------------------------------------------------
select tests.authenticate_as('pia_platform_admin');

select set_eq(
  $$select u.id from auth.users u$$,
  $$values (tests.user_id('alma')), (tests.user_id('bruno')), (tests.user_id('pia_platform_admin'))$$,
  'A platform admin reads every account'
);
select throws_ok(
  $$select u.password_hash from auth.users u$$,
  '42501', null,
  'A platform admin cannot read password hashes either'
);
select is_empty(
  $$select s.id from auth.sessions s where s.user_id <> tests.user_id('pia_platform_admin')$$,
  'A platform admin sees only her own sessions'
);
select is(
  (api.get_user(tests.user_id('bruno')) ->> 'id')::uuid,
  tests.user_id('bruno'),
  'A platform admin reads Bruno''s account through api.get_user'
);
select is(
  json_array_length(api.list_users() -> 'items'),
  3,
  'A platform admin lists all three accounts through api.list_users'
);

with changed as (
  update auth.users u set full_name = 'Changed by Pia' where u.id = tests.user_id('bruno') returning u.id
)
select count(*) as rows_changed_by_pia from changed \gset
select is(:rows_changed_by_pia::bigint, 0::bigint, 'A platform admin cannot rename another account by UPDATE');

-- as anon -----------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select is(current_user::text, 'anon', 'Acting as anon runs queries as the role anon');
select is(auth.uid(), null, 'Anon carries no user id');
select throws_ok($$select u.id, u.email from auth.users u$$, '42501', null,
  'Anon cannot read auth.users at all');
select throws_ok($$select s.id from auth.sessions s$$, '42501', null,
  'Anon cannot read auth.sessions');
select throws_ok($$select t.id from auth.refresh_tokens t$$, '42501', null,
  'Anon cannot read auth.refresh_tokens');
select throws_ok($$insert into auth.users (email) values ('mallory@example.com')$$, '42501', null,
  'Anon cannot insert an account except through registration');
select throws_ok($$select api.me()$$, '42501', null,
  'Anon cannot call api.me');
select throws_ok($$select api.update_me(full_name => 'Mallory')$$, '42501', null,
  'Anon cannot call api.update_me');
select throws_ok($$select api.logout()$$, '42501', null,
  'Anon cannot call api.logout');
select throws_ok(format('select api.revoke_session(%L)', tests.session_id('bruno')), '42501', null,
  'Anon cannot call api.revoke_session');
select throws_ok($$select api.list_users()$$, '42501', null,
  'Anon cannot call api.list_users');
select throws_ok(format('select private.user_object(%L)', tests.user_id('bruno')), '42501', null,
  'Anon cannot execute private.user_object');
select throws_ok(
  $$select private.revoke_sessions(tests.user_id('bruno'), 'revoked_by_anon')$$,
  '42501', null,
  'Anon cannot execute private.revoke_sessions'
);

-- Account rules ===================================================================================
-- Alma (four failures, then her password) and Bruno (five failures: locked for fifteen minutes)
-- are the personas above; what they did there changes none of what follows.
select tests.create_user('cleo');   -- her wrong password is compared with an unknown address
select tests.create_user('dora');   -- failures spread over more than fifteen minutes
select tests.create_user('erik');   -- refresh rotation, grace window and reuse
select tests.create_user('frida');  -- a session kept alive by use, then left to expire
select tests.create_user('gunnar'); -- logs out

-- as anon: lockout --------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select tests.freeze_time('2026-03-02 09:00:00+00');

-- Four failures leave an account open, and a success starts the count again.
select tests.clear_response();
select is(
  api.login('alma@example.com', 'wrong-pass-word') ->> 'code',
  'invalid_credentials',
  'A wrong password answers invalid_credentials'
);
select is(current_setting('response.status', true), '401', 'A wrong password answers with status 401');
select results_eq(
  $$select api.login('alma@example.com', 'wrong-pass-word-' || n) ->> 'code' from generate_series(2, 4) n$$,
  $$values ('invalid_credentials'), ('invalid_credentials'), ('invalid_credentials')$$,
  'Alma''s second to fourth wrong passwords answer invalid_credentials'
);
select tests.clear_response();
select ok(
  api.login('alma@example.com', 'alma-pass-word')::jsonb ? 'claims',
  'After four failures the fifth attempt still checks the password: the right one logs Alma in'
);
select is(current_setting('response.status', true), '', 'A successful login sets no error status');
select results_eq(
  $$select api.login('alma@example.com', 'wrong-pass-word-' || n) ->> 'code' from generate_series(5, 8) n$$,
  $$values ('invalid_credentials'), ('invalid_credentials'), ('invalid_credentials'), ('invalid_credentials')$$,
  'Four more wrong passwords after her login answer invalid_credentials, not account_locked'
);
select ok(
  api.login('alma@example.com', 'alma-pass-word')::jsonb ? 'claims',
  'The successful login cleared Alma''s failures: after four more, the right password still works'
);

-- Five failures within fifteen minutes lock the account, whatever the case of the address.
select results_eq(
  $$select api.login(e, 'wrong-pass-word') ->> 'code'
    from unnest(array['bruno@example.com', 'BRUNO@example.com', 'bruno@example.com',
                      'Bruno@Example.com', 'bruno@example.com']) e$$,
  $$values ('invalid_credentials'), ('invalid_credentials'), ('invalid_credentials'),
           ('invalid_credentials'), ('invalid_credentials')$$,
  'Bruno''s five wrong passwords, typed in any case, each answer invalid_credentials'
);
select tests.freeze_time('2026-03-02 09:01:00+00');
select tests.clear_response();
select is(
  api.login('bruno@example.com', 'bruno-pass-word') ->> 'code',
  'account_locked',
  'After five failures within fifteen minutes even the right password answers account_locked'
);
select is(current_setting('response.status', true), '429', 'A locked account answers with status 429');
select is(
  nullif(current_setting('response.headers', true), '')::jsonb ->> 'Retry-After',
  '840',
  'Retry-After counts the seconds until fifteen minutes after the last failure (840 s at 09:01)'
);
select tests.freeze_time('2026-03-02 09:14:59+00');
select tests.clear_response();
select is(
  api.login('bruno@example.com', 'wrong-pass-word') ->> 'code',
  'account_locked',
  'One second before the lock ends, a wrong password answers account_locked too'
);
select is(
  nullif(current_setting('response.headers', true), '')::jsonb ->> 'Retry-After',
  '1',
  'Retry-After one second before the lock ends is 1'
);
select tests.freeze_time('2026-03-02 09:15:00+00');
select tests.clear_response();
select ok(
  api.login('bruno@example.com', 'bruno-pass-word')::jsonb ? 'claims',
  'Fifteen minutes after the last failure the right password works again; attempts while locked did not extend the lock'
);
select is(current_setting('response.status', true), '', 'The login after the lock sets no error status');

-- An unknown address answers and locks exactly like a known one, so nothing is enumerated.
select is(
  api.login('nobody@example.com', 'wrong-pass-word')::jsonb,
  api.login('cleo@example.com', 'wrong-pass-word')::jsonb,
  'An unknown email answers exactly like a wrong password for an existing account'
);
select results_eq(
  $$select api.login('nobody@example.com', 'wrong-pass-word-' || n) ->> 'code' from generate_series(2, 5) n$$,
  $$values ('invalid_credentials'), ('invalid_credentials'), ('invalid_credentials'), ('invalid_credentials')$$,
  'The unknown email''s second to fifth attempts answer invalid_credentials'
);
select tests.clear_response();
select is(
  api.login('nobody@example.com', 'any-pass-word') ->> 'code',
  'account_locked',
  'After five failures an unknown email answers account_locked, like an existing account'
);
select is(current_setting('response.status', true), '429', 'The locked unknown email answers with status 429');
select ok(
  nullif(current_setting('response.headers', true), '')::jsonb ? 'Retry-After',
  'The locked unknown email answers with Retry-After'
);

-- Five failures spread over sixteen minutes never fill a fifteen-minute window.
do $$
begin
  for i in 0..4 loop
    perform tests.freeze_time('2026-03-02 10:00:00+00'::timestamptz + make_interval(mins => 4 * i));
    perform api.login('dora@example.com', 'wrong-pass-word');
  end loop;
end;
$$;
select tests.clear_response();
select ok(
  api.login('dora@example.com', 'dora-pass-word')::jsonb ? 'claims',
  'Five failures at 10:00, 10:04, 10:08, 10:12 and 10:16 do not lock: at 10:16 the right password works'
);

-- as the superuser: what the lockout rules recorded -----------------------------------------------
select tests.clear_authentication();

select is(
  (select count(*) from auth.login_failures f where f.email = 'bruno@example.com'),
  0::bigint,
  'Bruno''s successful login after the lock cleared his failures'
);
select is(
  (select count(*) from auth.login_failures f where f.email = 'nobody@example.com'),
  5::bigint,
  'Failures of an unknown email are recorded, and attempts while locked are not'
);

-- as anon: refresh tokens -------------------------------------------------------------------------
select tests.authenticate_as_anon();
select tests.freeze_time('2026-03-02 12:00:00+00');

select p ->> 'refresh_token' as erik_token, p -> 'claims' ->> 'sid' as erik_session, p as erik_login
from (select api.login('erik@example.com', 'erik-pass-word')::jsonb as p) login \gset
select is(
  array[(:'erik_login'::jsonb ->> 'expires_in')::bigint,
        (:'erik_login'::jsonb -> 'claims' ->> 'iat')::bigint,
        (:'erik_login'::jsonb -> 'claims' ->> 'exp')::bigint],
  array[900,
        extract(epoch from timestamptz '2026-03-02 12:00:00+00')::bigint,
        extract(epoch from timestamptz '2026-03-02 12:15:00+00')::bigint],
  'A login issues access claims from the pinned clock for 15 minutes, and says so in expires_in'
);

select tests.freeze_time('2026-03-02 12:00:03+00');
select tests.clear_response();
select api.refresh(:'erik_token') as erik_first_refresh \gset
select isnt(
  :'erik_first_refresh'::jsonb ->> 'refresh_token',
  :'erik_token',
  'Refreshing rotates: the answer carries a different refresh token'
);
select is(
  :'erik_first_refresh'::jsonb -> 'claims' ->> 'sid',
  :'erik_session',
  'The rotated pair belongs to the same session'
);
select is(current_setting('response.status', true), '', 'A refresh sets no error status');

select tests.freeze_time('2026-03-02 12:00:08+00');
select api.refresh(:'erik_token') as erik_replay \gset
select is(
  :'erik_replay'::jsonb ->> 'refresh_token',
  :'erik_first_refresh'::jsonb ->> 'refresh_token',
  'The same token again 5 s after its use returns the same successor refresh token'
);
select is(
  :'erik_replay'::jsonb -> 'claims' ->> 'jti',
  :'erik_first_refresh'::jsonb -> 'claims' ->> 'jti',
  'The replay within the grace window returns the same access token claims (same jti)'
);
select is(
  :'erik_replay'::jsonb -> 'claims',
  :'erik_first_refresh'::jsonb -> 'claims',
  'The replay''s claims equal the first refresh''s claims in every field'
);
select is(current_setting('response.status', true), '', 'A replay within the grace window is no error');

select tests.freeze_time('2026-03-02 12:00:14+00');
select tests.clear_response();
select is(
  api.refresh(:'erik_token') ->> 'code',
  'refresh_token_reused',
  'The same token 11 s after its use answers refresh_token_reused'
);
select is(current_setting('response.status', true), '401', 'A reused refresh token answers with status 401');
select throws_ok(
  format('select api.refresh(%L)', :'erik_first_refresh'::jsonb ->> 'refresh_token'),
  'PT401', 'session_revoked',
  'After the reuse even the latest token of that session is refused: session_revoked'
);
select throws_ok(
  $$select api.refresh('not-a-token-this-server-issued')$$,
  'PT401', 'invalid_refresh_token',
  'An unknown refresh token answers invalid_refresh_token'
);
select throws_ok(
  $$select api.refresh(null)$$,
  'PT401', 'invalid_refresh_token',
  'A missing refresh token answers invalid_refresh_token'
);

-- A session lives 30 days from its last use.
select tests.freeze_time('2026-03-02 12:00:00+00');
select p ->> 'refresh_token' as frida_token
from (select api.login('frida@example.com', 'frida-pass-word')::jsonb as p) login \gset
select tests.freeze_time('2026-03-31 12:00:00+00');
select api.refresh(:'frida_token') ->> 'refresh_token' as frida_token \gset
select tests.freeze_time('2026-04-29 12:00:00+00');
select ok(
  api.refresh(:'frida_token')::jsonb ? 'claims',
  'Refreshing after 29 days, and again 29 days later, keeps a session open beyond 30 days from its login'
);
select p ->> 'refresh_token' as frida_token
from (select api.login('frida@example.com', 'frida-pass-word')::jsonb as p) login \gset
select tests.freeze_time('2026-05-30 12:00:00+00');
select throws_ok(
  format('select api.refresh(%L)', :'frida_token'),
  'PT401', 'session_revoked',
  'A refresh token of a session unused for more than 30 days answers session_revoked'
);

-- as gunnar: logging out ends the refresh tokens of his session too ------------------------------
select tests.authenticate_as('gunnar');
select api.logout();

-- as anon, presenting gunnar's refresh token ------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok(
  format('select api.refresh(%L)', tests.refresh_token('gunnar')),
  'PT401', 'session_revoked',
  'After a logout the refresh token of that session answers session_revoked'
);

-- as the superuser: what the refresh rules recorded -----------------------------------------------
select tests.clear_authentication();

select is(
  (select s.revoked_reason from auth.sessions s where s.id = :'erik_session'),
  'refresh_token_reused',
  'Reuse after the grace window ended Erik''s whole session'
);
select is(
  (select count(*) from auth.refresh_tokens t where t.session_id = :'erik_session'),
  2::bigint,
  'The replay minted nothing: Erik''s session holds his first token and its one successor'
);

-- as anon: registration rules ---------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok(
  $$select api.register('gustav@example.com', 'k7#vx2m')$$,
  'PT422', 'weak_password',
  'A password of seven characters is too short'
);
select is(
  api.register('gustav@example.com', 'k7#vx2mq') ->> 'email',
  'gustav@example.com',
  'A password of eight characters is accepted'
);
select throws_ok(
  format('select api.register(%L, %L)', 'hanne@example.com', repeat('x', 73)),
  'PT422', 'weak_password',
  'A password of 73 bytes is too long for bcrypt'
);
select throws_ok(
  format('select api.register(%L, %L)', 'hanne@example.com', repeat('ø', 37)),
  'PT422', 'weak_password',
  'A password of 37 characters but 74 bytes is too long: the limit counts bytes'
);
select is(
  api.register('hanne@example.com', repeat('ø', 36)) ->> 'email',
  'hanne@example.com',
  'A password of exactly 72 bytes is accepted'
);
select throws_ok(
  $$select api.register('margrethe@example.com', 'margrethe@example.com')$$,
  'PT422', 'weak_password',
  'The email address itself is not a password'
);
select throws_ok(
  $$select api.register('margrethe@example.com', 'MARGRETHE@EXAMPLE.COM')$$,
  'PT422', 'weak_password',
  'The email address in another case is not a password either'
);
select throws_ok(
  $$select api.register('margrethe@example.com', 'margrethe')$$,
  'PT422', 'weak_password',
  'The local part of the email address is not a password'
);
select throws_ok(
  $$select api.register('margrethe@example.com', 'Margrethe')$$,
  'PT422', 'weak_password',
  'The local part in another case is not a password either'
);
select throws_ok(
  $$select api.register('ivan@example.com', 'password123')$$,
  'PT422', 'weak_password',
  'A common password is refused'
);
select throws_ok(
  $$select api.register('ivan@example.com', 'PASSWORD123')$$,
  'PT422', 'weak_password',
  'A common password in capitals is refused too'
);
select throws_ok(
  $$select api.register('not-an-email', 'a-fine-pass-word')$$,
  'PT422', 'invalid_email',
  'An address without @ is not an email address'
);
select throws_ok(
  $$select api.register('ivan@localhost', 'a-fine-pass-word')$$,
  'PT422', 'invalid_email',
  'An address without a dot in its domain is not accepted'
);
select throws_ok(
  $$select api.register('ALMA@Example.COM', 'another-fine-pass-word')$$,
  'PT409', 'email_taken',
  'An address that differs from an account''s only in case is taken'
);
select throws_ok(
  $$select api.register('  alma@example.com ', 'another-fine-pass-word')$$,
  'PT409', 'email_taken',
  'An address that differs from an account''s only by surrounding spaces is taken'
);

select * from finish();
rollback;
