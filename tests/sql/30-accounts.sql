-- Accounts under row-level security: what each persona may read, change and call in auth.*.
-- Depends on: sql/code/30-accounts.sql (policies, grants, api functions) and
--   tests/sql/helpers/10-personas.sql (personas switch role exactly as the API does).
-- Denials are asserted by SQLSTATE: 42501 for a missing privilege, PT4xx for the API's codes.
begin;
select plan(64);

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

select * from finish();
rollback;
