-- Account rules: login lockout, refresh token rotation and reuse, password and email rules.
-- Depends on: sql/code/30-accounts.sql (api.login, api.refresh, api.register) and
--   tests/sql/helpers/10-personas.sql (personas, tests.freeze_time).
-- Errors that must survive the call (a failed login, a reused refresh token) are answered, not
-- raised: the body carries the code and response.status / response.headers carry the rest.
-- Those settings last for the transaction, so checks of them start with tests.clear_response().
begin;
select plan(56);

select tests.create_user('alma');   -- four failures, then her password
select tests.create_user('bruno');  -- five failures: locked for fifteen minutes
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
