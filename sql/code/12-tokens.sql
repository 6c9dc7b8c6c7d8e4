-- 12 tokens: RS256 access tokens verified inside PostgreSQL, for clients that connect directly.
-- Depends on: 007 (auth.jwt_keys, auth.verified_tokens, jwt_* settings), 10-helpers
--   (private.now, private.setting), 20-request (private.session_is_active).
-- Raises: PT401 with the API's token codes as message: malformed_token, algorithm_not_allowed,
--   unknown_kid, bad_signature, token_expired, token_not_yet_valid, wrong_audience,
--   wrong_issuer, session_revoked. PT422 validation_failed (private.publish_keys).
--
-- Stock PostgreSQL has no RSA, but RS256 verification is arithmetic on integers that numeric
-- holds exactly: with the signature as an integer s, s^e mod n must equal the PKCS#1 v1.5
-- encoding of sha256(header.payload) (RFC 8017 8.2.2). A 2048-bit check is 17 squarings of
-- 617-digit numbers; bench/tokens.py measures it. The claim helpers that use this are in
-- 14-claims.sql.

create or replace function private.b64url_decode(p_text text)
returns bytea
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- NULL for anything that is not unpadded base64url, so callers answer malformed_token.
  if p_text is null or p_text !~ '^[A-Za-z0-9_-]*$' or pg_catalog.length(p_text) % 4 = 1 then
    return null;
  end if;
  return pg_catalog.decode(
      pg_catalog.translate(p_text, '-_', '+/')
        || pg_catalog.repeat('=', (4 - pg_catalog.length(p_text) % 4) % 4),
      'base64');
end;
$$;
comment on function private.b64url_decode(text) is
  'Bytes of unpadded base64url text (RFC 7515 section 2); NULL when the text is not base64url.';

create or replace function private.bytes_to_numeric(p_bytes bytea)
returns numeric
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hex text := pg_catalog.encode(p_bytes, 'hex');
  v_len integer := pg_catalog.length(pg_catalog.encode(p_bytes, 'hex'));
  v_at integer;
  v_value numeric := 0;
begin
  -- Seven bytes at a time fit a bigint; the first chunk takes the remainder.
  v_at := v_len % 14;
  if v_at > 0 then
    v_value := ('x' || pg_catalog.lpad(pg_catalog.substr(v_hex, 1, v_at), 16, '0'))::bit(64)::bigint;
  end if;
  v_at := v_at + 1;
  while v_at <= v_len loop
    v_value := v_value * 72057594037927936
      + ('x' || pg_catalog.lpad(pg_catalog.substr(v_hex, v_at, 14), 16, '0'))::bit(64)::bigint;
    v_at := v_at + 14;
  end loop;
  return v_value;
end;
$$;
comment on function private.bytes_to_numeric(bytea) is
  'The unsigned big-endian integer of these bytes (RFC 8017 OS2IP), exactly, as numeric.';

create or replace function private.modexp(p_base numeric, p_exponent numeric, p_modulus numeric)
returns numeric
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_result numeric := 1;
  v_base numeric := pg_catalog.mod(p_base, p_modulus);
  v_exponent numeric := p_exponent;
begin
  -- Square and multiply, low bit first. Public exponents are small (65537: 17 squarings), and
  -- nothing here is secret, so the timing of the loop reveals nothing.
  while v_exponent > 0 loop
    if pg_catalog.mod(v_exponent, 2) = 1 then
      v_result := pg_catalog.mod(v_result * v_base, p_modulus);
    end if;
    v_exponent := pg_catalog.div(v_exponent, 2);
    if v_exponent > 0 then
      v_base := pg_catalog.mod(v_base * v_base, p_modulus);
    end if;
  end loop;
  return v_result;
end;
$$;
comment on function private.modexp(numeric, numeric, numeric) is
  'base ^ exponent mod modulus for non-negative integers, exactly (numeric arithmetic).';

create or replace function private.rs256_verify(
  p_signing_input text,
  p_signature bytea,
  p_key auth.jwt_keys
)
returns boolean
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_s numeric;
  v_encoded bytea;
begin
  -- RFC 8017 8.2.2: the signature has the modulus's length and is smaller than the modulus.
  if p_signature is null or pg_catalog.length(p_signature) <> p_key.size_bytes then
    return false;
  end if;
  v_s := private.bytes_to_numeric(p_signature);
  if v_s >= p_key.n then
    return false;
  end if;
  -- EMSA-PKCS1-v1_5 (RFC 8017 9.2): 00 01 FF..FF 00, the DigestInfo prefix of SHA-256, the hash.
  v_encoded := '\x0001'::bytea
    || pg_catalog.decode(pg_catalog.repeat('ff', p_key.size_bytes - 54), 'hex')
    || '\x003031300d060960864801650304020105000420'::bytea
    || pg_catalog.sha256(pg_catalog.convert_to(p_signing_input, 'UTF8'));
  return private.modexp(v_s, p_key.e, p_key.n) = private.bytes_to_numeric(v_encoded);
end;
$$;
comment on function private.rs256_verify(text, bytea, auth.jwt_keys) is
  'Does this RSASSA-PKCS1-v1_5 SHA-256 signature over the signing input (header.payload) verify with this key?';

create or replace function private.token_error(p_code text, p_detail text)
returns void
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception using errcode = 'PT401', message = p_code, detail = p_detail;
end;
$$;
comment on function private.token_error(text, text) is
  'Raise PT401 with one of the API''s token codes (malformed_token, bad_signature, ...) as message.';

create or replace function private.jwt_part(p_segment text, p_what text)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bytes bytea := private.b64url_decode(p_segment);
  v_value jsonb;
begin
  if v_bytes is null then
    perform private.token_error('malformed_token', p_what || ' is not base64url.');
  end if;
  begin
    v_value := pg_catalog.convert_from(v_bytes, 'UTF8')::jsonb;
  exception when others then
    perform private.token_error('malformed_token', p_what || ' is not JSON.');
  end;
  if pg_catalog.jsonb_typeof(v_value) <> 'object' then
    perform private.token_error('malformed_token', p_what || ' is not a JSON object.');
  end if;
  return v_value;
end;
$$;
comment on function private.jwt_part(text, text) is
  'The JSON object in one base64url segment of a compact JWS; PT401 malformed_token otherwise.';

create or replace function private.verify_jwt(p_token text)
returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_parts text[];
  v_header jsonb;
  v_claims jsonb;
  v_key auth.jwt_keys;
  v_now numeric := extract(epoch from private.now());
  v_leeway numeric := coalesce(private.setting('jwt_leeway_seconds'), '30')::numeric;
  v_audiences jsonb;
  v_name text;
  v_signature bytea;
  v_sid uuid;
begin
  -- The same checks, in the same order, as the API's verifier (jwks/tokens.py), so a token
  -- answers with the same code whichever door it is shown at.
  if p_token is null or pg_catalog.length(p_token) > 8192
      or p_token !~ '^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$' then
    perform private.token_error('malformed_token', 'The token is not a compact JWS.');
  end if;
  v_parts := pg_catalog.string_to_array(p_token, '.');
  v_header := private.jwt_part(v_parts[1], 'The header');
  if pg_catalog.jsonb_typeof(v_header -> 'alg') is distinct from 'string' then
    perform private.token_error('malformed_token', 'The header has no alg.');
  end if;
  if v_header ->> 'alg' <> 'RS256' then
    perform private.token_error('algorithm_not_allowed', 'Only RS256 tokens are accepted.');
  end if;
  if v_header ? 'crit' then
    perform private.token_error('malformed_token', 'Header crit extensions are not supported.');
  end if;
  if pg_catalog.jsonb_typeof(v_header -> 'kid') is distinct from 'string'
      or v_header ->> 'kid' = '' then
    perform private.token_error('malformed_token', 'The header has no kid.');
  end if;
  select * into v_key from auth.jwt_keys k where k.kid = v_header ->> 'kid';
  if not found then
    perform private.token_error('unknown_kid', 'No published key has this kid.');
  end if;
  v_signature := private.b64url_decode(v_parts[3]);
  if v_signature is null then
    perform private.token_error('malformed_token', 'The signature is not base64url.');
  end if;
  if not private.rs256_verify(v_parts[1] || '.' || v_parts[2], v_signature, v_key) then
    perform private.token_error('bad_signature', 'The signature does not match.');
  end if;

  v_claims := private.jwt_part(v_parts[2], 'The payload');
  foreach v_name in array array['iss', 'aud', 'sub', 'sid', 'role', 'iat', 'nbf', 'exp', 'jti'] loop
    if not v_claims ? v_name then
      perform private.token_error('malformed_token', 'The claim ' || v_name || ' is missing.');
    end if;
  end loop;
  foreach v_name in array array['iss', 'sub', 'sid', 'role', 'jti'] loop
    if pg_catalog.jsonb_typeof(v_claims -> v_name) <> 'string' then
      perform private.token_error('malformed_token', 'The claim ' || v_name || ' must be a string.');
    end if;
  end loop;
  foreach v_name in array array['exp', 'nbf', 'iat'] loop
    if pg_catalog.jsonb_typeof(v_claims -> v_name) <> 'number' then
      perform private.token_error('malformed_token', 'The claim ' || v_name || ' must be a NumericDate.');
    end if;
  end loop;
  v_audiences := case pg_catalog.jsonb_typeof(v_claims -> 'aud')
    when 'string' then pg_catalog.jsonb_build_array(v_claims -> 'aud')
    else v_claims -> 'aud' end;
  if pg_catalog.jsonb_typeof(v_audiences) <> 'array' or exists (
      select from pg_catalog.jsonb_array_elements(v_audiences) a where pg_catalog.jsonb_typeof(a) <> 'string') then
    perform private.token_error('malformed_token', 'The claim aud must be a string or a list of strings.');
  end if;
  if (v_claims ->> 'exp')::numeric <= v_now - v_leeway then
    perform private.token_error('token_expired', 'The token has expired.');
  end if;
  if (v_claims ->> 'nbf')::numeric > v_now + v_leeway then
    perform private.token_error('token_not_yet_valid', 'The token is not valid yet (nbf).');
  end if;
  if (v_claims ->> 'iat')::numeric > v_now + v_leeway then
    perform private.token_error('token_not_yet_valid', 'The token was issued in the future (iat).');
  end if;
  if not v_audiences ? coalesce(private.setting('jwt_audience'), '') then
    perform private.token_error('wrong_audience', 'The token is not for this audience.');
  end if;
  if v_claims ->> 'iss' is distinct from private.setting('jwt_issuer') then
    perform private.token_error('wrong_issuer', 'The token was not issued by this server.');
  end if;
  if v_claims ->> 'role' <> 'authenticated' then
    perform private.token_error('malformed_token', 'The role claim must be authenticated.');
  end if;
  v_sid := private.as_uuid(v_claims ->> 'sid');
  if v_sid is null or not private.session_is_active(v_sid) then
    perform private.token_error('session_revoked', 'The session of this token has ended; log in again.');
  end if;
  return v_claims;
end;
$$;
comment on function private.verify_jwt(text) is
  'The claims of an access token that verifies (RS256 with a published kid, exp/nbf/iat with the leeway, aud, iss, role, open session); PT401 with the failing check''s code otherwise. Definer: the keys, settings and sessions it reads are owner-only.';
grant execute on function private.verify_jwt(text) to anon, authenticated, service_role, slotbase_client;

create or replace function private.token_claims(p_token text)
returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
  v_claims jsonb;
  v_expires_at timestamptz;
  v_open boolean;
begin
  -- Runs for every statement of a signed-in client (and for every row where a policy calls a
  -- membership helper), so the cache and the session are read in one query.
  select c.claims, c.expires_at, s.id is not null
  into v_claims, v_expires_at, v_open
  from auth.verified_tokens c
  -- A key retired while this token was being cached must not leave the entry valid.
  join auth.jwt_keys k on k.kid = c.kid
  left join auth.sessions s
    on s.id = c.sid and s.revoked_at is null and s.expires_at > v_now
  where c.token_hash = pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
  if not found then
    -- Not cached (a read-only transaction, a purge, another database): verify in full.
    return private.verify_jwt(p_token);
  end if;
  if v_expires_at <= v_now then
    perform private.token_error('token_expired', 'The token has expired.');
  end if;
  if not v_open then
    perform private.token_error('session_revoked', 'The session of this token has ended; log in again.');
  end if;
  return v_claims;
end;
$$;
comment on function private.token_claims(text) is
  'Claims of a token a direct client presented: from the cache of verified tokens (re-checking expiry and the session), else verified in full. Definer: the cache is owner-only.';
grant execute on function private.token_claims(text) to anon, authenticated, service_role, slotbase_client;

create or replace function private.accept_token(p_token text)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hash bytea := pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
  v_claims jsonb;
begin
  -- A pool signs each connection in again whenever it hands it out: a token verified before
  -- costs the cache lookup (expiry and session re-checked), not another signature check.
  if exists (select from auth.verified_tokens c where c.token_hash = v_hash) then
    return private.token_claims(p_token);
  end if;
  v_claims := private.verify_jwt(p_token);
  begin
    insert into auth.verified_tokens (token_hash, kid, sid, claims, expires_at)
    values (
      v_hash,
      private.jwt_part(pg_catalog.split_part(p_token, '.', 1), 'The header') ->> 'kid',
      (v_claims ->> 'sid')::uuid,
      v_claims,
      pg_catalog.to_timestamp((v_claims ->> 'exp')::numeric
        + coalesce(private.setting('jwt_leeway_seconds'), '30')::numeric)
    )
    on conflict (token_hash) do nothing;
    -- Entries die with their token; a few are swept on each insert, so the table stays small
    -- without a job.
    delete from auth.verified_tokens c
    where c.token_hash in (
        select o.token_hash from auth.verified_tokens o where o.expires_at <= private.now() limit 100
      );
  exception when read_only_sql_transaction then
    -- On a replica or in a READ ONLY transaction nothing is cached; each statement verifies.
    null;
  end;
  return v_claims;
end;
$$;
comment on function private.accept_token(text) is
  'Verify a token in full (private.verify_jwt) and cache its claims by sha256 until exp plus leeway; sweeps expired entries. Definer: the cache is owner-only; the claims cached are only ever those that verified.';
grant execute on function private.accept_token(text) to anon, authenticated, service_role, slotbase_client;

create or replace function private.jwks_keys(p_keys jsonb)
returns table (kid text, n numeric, e numeric, size_bytes integer)
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
  select k ->> 'kid',
         private.bytes_to_numeric(private.b64url_decode(k ->> 'n')),
         private.bytes_to_numeric(private.b64url_decode(k ->> 'e')),
         pg_catalog.length(private.b64url_decode(k ->> 'n'))
  from pg_catalog.jsonb_array_elements(p_keys) k
  where k ->> 'kty' = 'RSA' and coalesce(k ->> 'alg', 'RS256') = 'RS256'
    and coalesce(k ->> 'use', 'sig') = 'sig';
end;
$$;
comment on function private.jwks_keys(jsonb) is
  'The RSA signing keys of a JWKS "keys" array as (kid, n, e, modulus length in bytes).';

create or replace function private.publish_keys(
  p_jwks jsonb,
  p_issuer text,
  p_audience text,
  p_leeway_seconds integer
)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_keys jsonb := p_jwks -> 'keys';
begin
  if pg_catalog.jsonb_typeof(v_keys) is distinct from 'array' or pg_catalog.jsonb_array_length(v_keys) = 0
      or coalesce(p_issuer, '') = '' or coalesce(p_audience, '') = ''
      or p_leeway_seconds is null or p_leeway_seconds not between 0 and 600 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'Publishing keys needs a JWKS with keys, an issuer, an audience and a leeway of 0-600 s.';
  end if;
  -- The incoming set, read three times below; no temporary table, which a caller could have
  -- planted in its own session first.
  delete from auth.verified_tokens c
  where not exists (
      select from private.jwks_keys(v_keys) i
      join auth.jwt_keys k on k.kid = i.kid and k.n = i.n and k.e = i.e
      where i.kid = c.kid
    );
  delete from auth.jwt_keys k
  where not exists (
      select from private.jwks_keys(v_keys) i where i.kid = k.kid and i.n = k.n and i.e = k.e
    );
  insert into auth.jwt_keys (kid, n, e, size_bytes)
  select i.kid, i.n, i.e, i.size_bytes from private.jwks_keys(v_keys) i
  on conflict (kid) do nothing;

  if private.setting('jwt_issuer') is distinct from p_issuer
      or private.setting('jwt_audience') is distinct from p_audience
      or private.setting('jwt_leeway_seconds') is distinct from p_leeway_seconds::text then
    update private.settings s set value = case s.name
        when 'jwt_issuer' then p_issuer
        when 'jwt_audience' then p_audience
        else p_leeway_seconds::text end
    where s.name in ('jwt_issuer', 'jwt_audience', 'jwt_leeway_seconds');
    delete from auth.verified_tokens;
  end if;
  return (select pg_catalog.count(*) from auth.jwt_keys)::integer;
end;
$$;
comment on function private.publish_keys(jsonb, text, text, integer) is
  'Make the database verify exactly the keys of this JWKS, with this iss, aud and leeway (as the API verifies); returns how many keys verify. Called by slotbase migrate, serve and keys rotate. Definer: the key table and settings are owner-only.';
grant execute on function private.publish_keys(jsonb, text, text, integer) to authenticator;
