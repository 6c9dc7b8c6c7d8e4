-- 20 request: the one statement the API sends per call.
-- Depends on: 10-helpers (private.now), 001 (auth.sessions).
-- Raises: PT401 session_revoked (token of an ended session), PT403 forbidden (role not allowed).
--
-- The API, connected as authenticator, runs `select * from private.handle_request(...)` in an
-- implicit transaction: one round trip. Everything below is transaction-local, so nothing
-- survives into the next request on the pooled connection. The call itself is executed after
-- the role switch, so EXECUTE grants, RLS and the claim helpers see the caller, not the API.

create or replace function private.session_is_active(p_session_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select exists (
        select 1
        from auth.sessions s
        where s.id = p_session_id
          and s.revoked_at is null
          and s.expires_at > private.now()
      )
  );
end;
$$;
comment on function private.session_is_active(uuid) is
  'Is this session (a token''s sid) open? Definer: the API checks it before switching role.';
grant execute on function private.session_is_active(uuid) to authenticator, authenticated;

create or replace function private.handle_request(
  p_role text,
  p_claims jsonb,
  p_context jsonb,
  p_call text,
  p_args jsonb,
  p_read_only boolean default false
)
returns table (status integer, headers jsonb, body text)
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_body text;
  v_sid uuid;
begin
  if p_role is null or p_role not in ('anon', 'authenticated') then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'This role may not call the API.';
  end if;
  if p_claims is not null then
    v_sid := nullif(p_claims ->> 'sid', '')::uuid;
    if v_sid is null or not private.session_is_active(v_sid) then
      raise exception using errcode = 'PT401', message = 'session_revoked',
        detail = 'The session of this token has ended; log in again.';
    end if;
  end if;
  perform pg_catalog.set_config('request.jwt.claims', coalesce(p_claims::text, ''), true);
  perform pg_catalog.set_config('request.id', coalesce(p_context ->> 'id', ''), true);
  perform pg_catalog.set_config('request.ip', coalesce(p_context ->> 'ip', ''), true);
  perform pg_catalog.set_config('request.user_agent', coalesce(p_context ->> 'user_agent', ''), true);
  -- The request id as application_name: server logs (%a) and pg_stat_activity join the API's
  -- access log and the audit rows. Transaction-local, like everything here.
  if coalesce(p_context ->> 'id', '') <> '' then
    perform pg_catalog.set_config('application_name', p_context ->> 'id', true);
  end if;
  if p_read_only then
    perform pg_catalog.set_config('transaction_read_only', 'on', true);
  end if;
  perform pg_catalog.set_config('role', p_role, true);
  execute p_call into v_body using p_args;
  return query select
    coalesce(nullif(pg_catalog.current_setting('response.status', true), '')::integer, 200),
    nullif(pg_catalog.current_setting('response.headers', true), '')::jsonb,
    v_body;
end;
$$;
comment on function private.handle_request(text, jsonb, jsonb, text, jsonb, boolean) is
  'Run one API call as the caller: checks the session, sets role, claims and request context (transaction-local), executes p_call with $1 = p_args, returns (status, headers, body). Invoker: SET ROLE is not allowed inside a definer function, and the call must run as the caller.';
grant execute on function private.handle_request(text, jsonb, jsonb, text, jsonb, boolean) to authenticator;

-- pgTAP personas and DBAs (superusers, the owner's members) switch identity through the same
-- code the API uses. No login that a client or the API holds may run it: it takes claims
-- without a signature.
create or replace function private.act_as(p_role text, p_claims jsonb default null)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_role is null or p_role not in ('anon', 'authenticated') then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'This role may not call the API.';
  end if;
  perform pg_catalog.set_config('request.jwt.claims', coalesce(p_claims::text, ''), true);
  perform pg_catalog.set_config('role', p_role, true);
end;
$$;
comment on function private.act_as(text, jsonb) is
  'Become p_role with these claims for the rest of the transaction, as private.handle_request does.';
revoke execute on function private.act_as(text, jsonb) from authenticator;

create or replace function private.pre_request()
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_claims jsonb := auth.jwt();
begin
  -- PostgREST verifies the signature itself, against this API's JWKS; what it cannot know is
  -- whether the session behind the token has ended since.
  -- Anonymous requests carry no claims, or (PostgREST) only a role: nothing to revoke.
  if v_claims is null or coalesce(v_claims ->> 'sub', '') = '' then
    return;
  end if;
  if private.as_uuid(v_claims ->> 'sid') is null
      or not private.session_is_active(private.as_uuid(v_claims ->> 'sid')) then
    raise exception using errcode = 'PT401', message = 'session_revoked',
      detail = 'The session of this token has ended; log in again.';
  end if;
end;
$$;
comment on function private.pre_request() is
  'For PostgREST''s db-pre-request: refuses (PT401 session_revoked) a token whose session was logged out, revoked or ended by a password change, so revocation holds behind PostgREST as it does over REST and direct SQL.';
grant execute on function private.pre_request() to anon, authenticated;
