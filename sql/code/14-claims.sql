-- 14 claims: who is calling. auth.jwt(), auth.session(), auth.user_id(), auth.uid(), and the
-- direct client's door: auth.init(), auth.jwt_session_init(jwt).
-- unless extension: pg_session_jwt
-- (The runner skips this file where Neon's pg_session_jwt is installed: its functions of the
-- same names are used, and every policy, written against these names, still works.)
-- Depends on: 12-tokens (private.token_claims, private.accept_token).
-- Raises: PT401 with a token code (jwt_session_init, and every statement of a direct client
--   whose token expired or whose session ended).
--
-- Whose word counts. The API's own login (authenticator) verifies the token and its session
-- before it sets request.jwt.claims (private.handle_request), and a superuser or a member of the
-- owner role can read and change everything anyway (a DBA, the pgTAP personas): for them the
-- setting is believed, and the REST path costs one comparison more than reading it. For every
-- other login (slotbase_client above all) the setting is the client's own word and counts for
-- nothing: only a token that verified through auth.jwt_session_init does, re-checked (expiry,
-- open session) on every statement from the owner-only cache of verified tokens.

create or replace function private.claims_are_trusted()
returns boolean
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return session_user = 'authenticator'
    or pg_catalog.pg_has_role(session_user, 'authenticator', 'member')
    or pg_catalog.pg_has_role(session_user, 'slotbase_owner', 'member');
end;
$$;
comment on function private.claims_are_trusted() is
  'Does request.jwt.claims count for this login? True for the API''s login (and logins it was granted to), the owner''s members and superusers.';
grant execute on function private.claims_are_trusted() to anon, authenticated, service_role, authenticator, slotbase_client;

create or replace function auth.jwt()
returns jsonb
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_token text;
begin
  if session_user = 'authenticator' or private.claims_are_trusted() then
    return nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
  end if;
  v_token := nullif(pg_catalog.current_setting('slotbase.jwt', true), '');
  if v_token is null then
    return null;
  end if;
  return private.token_claims(v_token);
end;
$$;
comment on function auth.jwt() is
  'The verified claims of the caller''s access token, NULL without one. Direct clients: the token given to auth.jwt_session_init, re-checked on each call (PT401 token_expired or session_revoked once it no longer holds).';
grant execute on function auth.jwt() to anon, authenticated, service_role, slotbase_client;

create or replace function auth.session()
returns jsonb
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return auth.jwt();
end;
$$;
comment on function auth.session() is 'Alias of auth.jwt() under the name Neon''s pg_session_jwt uses.';
grant execute on function auth.session() to anon, authenticated, service_role, slotbase_client;

create or replace function auth.user_id()
returns text
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return nullif(auth.jwt() ->> 'sub', '');
end;
$$;
comment on function auth.user_id() is 'The caller''s user id as text (the sub claim), NULL without a token.';
grant execute on function auth.user_id() to anon, authenticated, service_role, slotbase_client;

create or replace function auth.uid()
returns uuid
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The REST path, first and in one expression: every policy asks for the caller, and the API
  -- passes only claims of its own verified tokens, whose sub is always a user id.
  if session_user = 'authenticator' then
    return nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
  end if;
  -- Anyone else's claims may carry any sub (a DBA's by hand, pg_session_jwt's): NULL unless it
  -- is a uuid, as Supabase and Neon answer.
  return private.as_uuid(auth.jwt() ->> 'sub');
end;
$$;
comment on function auth.uid() is
  'The caller''s user id as uuid, NULL without a token or when sub is not a uuid. Use as (select auth.uid()) in policies.';
grant execute on function auth.uid() to anon, authenticated, service_role, slotbase_client;

create or replace function auth.init()
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- pg_session_jwt loads its key here. The keys this database verifies with are always those
  -- the API publishes (auth.jwt_keys, kept by private.publish_keys), read at each verification.
  return;
end;
$$;
comment on function auth.init() is
  'pg_session_jwt''s setup call; a no-op here, kept so the same client code runs on both.';
grant execute on function auth.init() to anon, authenticated, slotbase_client;

create or replace function auth.jwt_session_init(jwt text)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.accept_token(jwt_session_init.jwt);
  -- A session setting, so it outlives this statement; worthless to anyone who could not have
  -- presented the token: every read of the claims verifies it (or finds it cached as verified).
  -- DISCARD ALL and RESET ALL clear it.
  perform pg_catalog.set_config('slotbase.jwt', jwt_session_init.jwt, false);
end;
$$;
comment on function auth.jwt_session_init(text) is
  'Prove who this connection is with an access token from the API: verifies RS256 against the published keys (kid), exp/nbf/iat, iss, aud, role and that the session is open, then keeps the token for later statements. PT401 with the failing check''s code (malformed_token, algorithm_not_allowed, unknown_kid, bad_signature, token_expired, token_not_yet_valid, wrong_audience, wrong_issuer, session_revoked). Then SET ROLE authenticated.';
grant execute on function auth.jwt_session_init(text) to anon, authenticated, slotbase_client;
