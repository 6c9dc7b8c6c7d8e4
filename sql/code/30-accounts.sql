-- 30 accounts: registration, login, lockout, sessions, refresh rotation, profile, platform admins.
-- Depends on: 001 (auth tables, settings), 10-helpers, 20-request.
-- Raises: PT409 email_taken; PT422 invalid_email, weak_password; PT401 invalid_credentials,
--   invalid_refresh_token, session_revoked, unauthorized; PT403 forbidden; PT404 not_found.
-- Answers without rolling back (private.error): 401 invalid_credentials and 429 account_locked
--   from login (the failure must count), 401 refresh_token_reused (the revocation must stay).
-- Python signs the access token: login and refresh return its claims under "claims".

-- ---------------------------------------------------------------------------------------------
-- Rules on input

create or replace function private.check_email(p_email text)
returns extensions.citext
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_email text := pg_catalog.btrim(coalesce(p_email, ''));
  v_domains text := pg_catalog.replace(coalesce(private.setting('registration_email_domains'), ''), ' ', '');
begin
  if pg_catalog.length(v_email) > 254 or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = 'PT422', message = 'invalid_email',
      detail = 'The email address is not valid.';
  end if;
  if v_domains <> '' and not (pg_catalog.lower(pg_catalog.split_part(v_email, '@', 2))
      = any (pg_catalog.string_to_array(pg_catalog.lower(v_domains), ','))) then
    raise exception using errcode = 'PT422', message = 'invalid_email',
      detail = 'Registration is limited to addresses of certain domains.';
  end if;
  return v_email::extensions.citext;
end;
$$;
comment on function private.check_email(text) is
  'Trimmed email as citext, or 422 invalid_email (shape, length, registration_email_domains). Definer: reads settings.';

create or replace function private.check_password(p_password text, p_email text)
returns void
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_lower text := pg_catalog.lower(coalesce(p_password, ''));
begin
  if p_password is null or pg_catalog.length(p_password) < 8 then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'The password must have at least 8 characters.';
  end if;
  if pg_catalog.octet_length(p_password) > 72 then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'The password must be at most 72 bytes long.';
  end if;
  if v_lower = pg_catalog.lower(p_email)
      or v_lower = pg_catalog.lower(pg_catalog.split_part(p_email, '@', 1)) then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'The password must not be the email address.';
  end if;
  if exists (select 1 from auth.common_passwords c where c.password = v_lower) then
    raise exception using errcode = 'PT422', message = 'weak_password',
      detail = 'This password is too common; choose another.';
  end if;
end;
$$;
comment on function private.check_password(text, text) is
  'Password policy: 8+ characters, at most 72 bytes (bcrypt), not the email or its local part, not on auth.common_passwords; else 422 weak_password. Definer: reads the block list.';

create or replace function private.hash_password(p_password text)
returns text
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return extensions.crypt(p_password, extensions.gen_salt('bf', private.setting('bcrypt_cost')::integer));
end;
$$;
comment on function private.hash_password(text) is 'bcrypt hash at the configured cost (private.settings.bcrypt_cost).';

-- ---------------------------------------------------------------------------------------------
-- Shapes

create or replace function private.user_json(p_user auth.users)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
      'id', p_user.id,
      'email', p_user.email::text,
      'full_name', p_user.full_name,
      'locale', p_user.locale,
      'email_verified', p_user.email_verified_at is not null,
      'created_at', private.utc(p_user.created_at)
    );
end;
$$;
comment on function private.user_json(auth.users) is 'The user object of the REST contract.';

create or replace function private.random_token()
returns text
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.rtrim(pg_catalog.translate(
      pg_catalog.encode(extensions.gen_random_bytes(32), 'base64'), E'+/\n', '-_'), '=');
end;
$$;
comment on function private.random_token() is '256 random bits as base64url text.';

create or replace function private.successor_token(p_token text)
returns text
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Keyed with a secret of the server's: only the server computes the successor, so it can hand
  -- a second tab the same pair within the grace window while storing hashes only, and a token
  -- seen once (a log, a backup, an old device) tells nobody what comes after it.
  return pg_catalog.rtrim(pg_catalog.translate(pg_catalog.encode(
      extensions.hmac(
        pg_catalog.convert_to(p_token, 'UTF8'),
        (select s.value from private.secrets s where s.name = 'refresh_successor'),
        'sha256'),
      'base64'), E'+/\n', '-_'), '=');
end;
$$;
comment on function private.successor_token(text) is
  'The refresh token that succeeds p_token: HMAC-SHA256 of it under the server''s refresh_successor key (private.secrets). Called only from private.refresh (a definer), which reads the key as the owner.';

create or replace function private.token_hash(p_token text)
returns bytea
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
end;
$$;
comment on function private.token_hash(text) is 'How tokens are stored: sha256 of the text.';

create or replace function private.token_pair(
  p_user auth.users,
  p_refresh_token text,
  p_claims jsonb
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'token_type', 'bearer',
    'expires_in', (p_claims ->> 'exp')::bigint - (p_claims ->> 'iat')::bigint,
    'refresh_token', p_refresh_token,
    'user', private.user_json(p_user),
    'claims', p_claims
  );
end;
$$;
comment on function private.token_pair(auth.users, text, jsonb) is
  'Token pair before signing: the API replaces "claims" by the signed access_token.';

create or replace function private.issue_tokens(
  p_user auth.users,
  p_session_id uuid,
  p_parent_id bigint,
  p_refresh_token text
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now bigint := pg_catalog.floor(extract(epoch from private.now()))::bigint;
  v_claims jsonb;
begin
  v_claims := pg_catalog.jsonb_build_object(
    'sub', p_user.id::text,
    'sid', p_session_id::text,
    'role', 'authenticated',
    'iat', v_now,
    'nbf', v_now,
    'exp', v_now + private.setting('access_token_seconds')::bigint,
    'jti', pg_catalog.gen_random_uuid()::text
  );
  insert into auth.refresh_tokens (session_id, user_id, token_hash, parent_id, access_claims)
  values (p_session_id, p_user.id, private.token_hash(p_refresh_token), p_parent_id, v_claims);
  return private.token_pair(p_user, p_refresh_token, v_claims);
end;
$$;
comment on function private.issue_tokens(auth.users, uuid, bigint, text) is
  'Store a refresh token (hash only) with the claims of its access token; return the unsigned pair.';

-- ---------------------------------------------------------------------------------------------
-- Registration and login

create or replace function private.register(
  p_email text,
  p_password text,
  p_full_name text,
  p_locale text
)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_email extensions.citext := private.check_email(p_email);
  v_user auth.users;
begin
  perform private.check_password(p_password, v_email::text);
  begin
    insert into auth.users (email, password_hash, full_name, locale)
    values (v_email, private.hash_password(p_password), coalesce(p_full_name, ''), coalesce(p_locale, 'da'))
    returning * into v_user;
  exception when unique_violation then
    raise exception using errcode = 'PT409', message = 'email_taken',
      detail = 'An account with this email address exists already.';
  end;
  return private.user_json(v_user);
end;
$$;
comment on function private.register(text, text, text, text) is 'Create an account (never an admin). Definer: anon cannot insert into auth.users.';

create or replace function private.require_api_login()
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Failed logins, wrong current passwords and reused refresh tokens are counted by committing
  -- the failure with the answer (private.error). A direct SQL client chooses its own
  -- transactions and could roll every failure back, guessing without a lockout; these calls
  -- are the API's (tokens are signed there anyway).
  if not private.claims_are_trusted() then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Log in, refresh and change passwords over the API, not over direct SQL.';
  end if;
end;
$$;
comment on function private.require_api_login() is
  'PT403 forbidden unless the session''s login is the API''s (or the owner''s): password and refresh-token checks must not run where the caller can roll back the failures they record.';
grant execute on function private.require_api_login() to anon, authenticated, service_role;

create or replace function private.lockout(p_email extensions.citext)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
  v_window interval := pg_catalog.make_interval(mins => private.setting('lockout_window_minutes')::integer);
  v_lockout interval := pg_catalog.make_interval(mins => private.setting('lockout_minutes')::integer);
  v_last timestamptz;
  v_count integer;
begin
  -- Attempts for one email wait for each other (to the end of the transaction), so parallel
  -- guesses cannot all slip past the lockout count before any failure is recorded.
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('slotbase.login:' || pg_catalog.lower(p_email::text), 0));
  -- Locked: the latest failure completed a full set within the window, less than
  -- lockout_minutes ago. Failures are not recorded while locked, so the lock ends on time.
  select max(f.failed_at) into v_last
  from auth.login_failures f
  where f.email operator(extensions.=) p_email;
  if v_last is not null and v_last + v_lockout > v_now then
    select count(*) into v_count
    from auth.login_failures f
    where f.email operator(extensions.=) p_email
      and f.failed_at > v_last - v_window
      and f.failed_at <= v_last;
    if v_count >= private.setting('lockout_attempts')::integer then
      return private.error(429, 'account_locked',
        'Too many failed password attempts for this account; try again later.',
        pg_catalog.jsonb_build_object('Retry-After',
          pg_catalog.ceil(extract(epoch from v_last + v_lockout - v_now))::bigint::text));
    end if;
  end if;
  return null;
end;
$$;
comment on function private.lockout(extensions.citext) is
  'Take the per-email password lock for this transaction; the committed 429 account_locked error when the email is locked out, else NULL. Shared by login and change_password. Definer: reads login_failures.';

create or replace function private.login(p_email text, p_password text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
  v_email extensions.citext := pg_catalog.btrim(coalesce(p_email, ''))::extensions.citext;
  v_locked json;
  v_user auth.users;
  v_ok boolean := false;
  v_session_id uuid;
begin
  perform private.require_api_login();
  if pg_catalog.length(v_email::text) > 254 then
    -- No account has such an address; answered like any wrong login, and nothing is stored.
    return private.error(401, 'invalid_credentials', 'The email or password is wrong.');
  end if;
  v_locked := private.lockout(v_email);
  if v_locked is not null then
    return v_locked;
  end if;

  select * into v_user
  from auth.users u
  where u.email operator(extensions.=) v_email
    and u.deleted_at is null;
  if found and v_user.password_hash is not null then
    v_ok := v_user.password_hash = extensions.crypt(coalesce(p_password, ''), v_user.password_hash);
  else
    -- Same bcrypt work for an unknown email, so timing does not tell which accounts exist.
    perform private.hash_password(coalesce(p_password, ''));
  end if;

  if not v_ok then
    insert into auth.login_failures (email, failed_at) values (v_email, v_now);
    return private.error(401, 'invalid_credentials', 'The email or password is wrong.');
  end if;

  delete from auth.login_failures f where f.email operator(extensions.=) v_email;
  insert into auth.sessions (user_id, user_agent, ip, created_at, last_used_at, expires_at)
  values (
    v_user.id,
    pg_catalog.left(nullif(pg_catalog.current_setting('request.user_agent', true), ''), 512),
    nullif(pg_catalog.current_setting('request.ip', true), '')::inet,
    v_now,
    v_now,
    v_now + pg_catalog.make_interval(days => private.setting('session_days')::integer)
  )
  returning id into v_session_id;
  return private.issue_tokens(v_user, v_session_id, null, private.random_token());
end;
$$;
comment on function private.login(text, text) is
  'Check a password under lockout rules and open a session. Unknown email and wrong password answer alike. Definer: reads password hashes.';

create or replace function private.refresh(p_refresh_token text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
  v_token auth.refresh_tokens;
  v_child auth.refresh_tokens;
  v_session auth.sessions;
  v_user auth.users;
  v_successor text;
begin
  perform private.require_api_login();
  select * into v_token
  from auth.refresh_tokens t
  where t.token_hash = private.token_hash(coalesce(p_refresh_token, ''))
  for update;
  if not found then
    raise exception using errcode = 'PT401', message = 'invalid_refresh_token',
      detail = 'This refresh token is not valid.';
  end if;

  select * into v_session from auth.sessions s where s.id = v_token.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= v_now then
    raise exception using errcode = 'PT401', message = 'session_revoked',
      detail = 'The session of this refresh token has ended; log in again.';
  end if;
  select * into v_user from auth.users u where u.id = v_token.user_id;
  v_successor := private.successor_token(p_refresh_token);

  if v_token.used_at is null then
    update auth.refresh_tokens t set used_at = v_now where t.id = v_token.id;
    update auth.sessions s
    set last_used_at = v_now,
        expires_at = v_now + pg_catalog.make_interval(days => private.setting('session_days')::integer)
    where s.id = v_session.id;
    return private.issue_tokens(v_user, v_session.id, v_token.id, v_successor);
  end if;

  if v_token.used_at > v_now - pg_catalog.make_interval(secs => private.setting('refresh_grace_seconds')::integer) then
    -- Two tabs refreshing at once: the late one gets the pair the first one got.
    select * into v_child from auth.refresh_tokens t where t.parent_id = v_token.id;
    return private.token_pair(v_user, v_successor, v_child.access_claims);
  end if;

  update auth.sessions s
  set revoked_at = v_now, revoked_reason = 'refresh_token_reused'
  where s.id = v_session.id;
  return private.error(401, 'refresh_token_reused',
    'This refresh token was used before; the session has been ended for safety.');
end;
$$;
comment on function private.refresh(text) is
  'Rotate a single-use refresh token: a fresh one returns a successor pair; a used one within refresh_grace_seconds returns the same successor; later, reuse ends the session. Definer: reads token hashes.';

create or replace function private.revoke_sessions(
  p_user_id uuid,
  p_reason text,
  p_only uuid default null,
  p_except uuid default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count integer;
begin
  update auth.sessions s
  set revoked_at = private.now(), revoked_reason = p_reason
  where s.user_id = p_user_id
    and s.revoked_at is null
    and (p_only is null or s.id = p_only)
    and (p_except is null or s.id <> p_except);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.revoke_sessions(uuid, text, uuid, uuid) is
  'End sessions of a user (one, all, or all but one). Definer: callers may not write auth.sessions directly, or they could reopen a revoked one.';

create or replace function private.require_user()
returns uuid
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is null then
    raise exception using errcode = 'PT401', message = 'unauthorized',
      detail = 'This needs an access token.';
  end if;
  return v_uid;
end;
$$;
comment on function private.require_user() is 'The caller''s user id, or 401 unauthorized.';
grant execute on function private.require_user() to anon, authenticated, service_role;

create or replace function private.end_my_sessions(
  p_reason text,
  p_only uuid default null,
  p_except uuid default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.revoke_sessions(private.require_user(), p_reason, p_only, p_except);
end;
$$;
comment on function private.end_my_sessions(text, uuid, uuid) is
  'End sessions of the caller only. Definer: it calls private.revoke_sessions, which takes any user id and is therefore not granted to clients.';

-- change_password returned void before it could answer a committed 429; a return type cannot be
-- replaced in place.
do $$
begin
  if (select p.prorettype from pg_catalog.pg_proc p
      where p.oid = pg_catalog.to_regprocedure('private.change_password(text, text)')) = 'pg_catalog.void'::pg_catalog.regtype then
    drop function api.change_password(text, text);
    drop function private.change_password(text, text);
  end if;
end
$$;
create or replace function private.change_password(p_current_password text, p_new_password text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user auth.users;
  v_locked json;
begin
  perform private.require_api_login();
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if not found or v_user.password_hash is null then
    raise exception using errcode = 'PT401', message = 'invalid_credentials',
      detail = 'The current password is wrong.';
  end if;
  -- A stolen access token must not guess the password at bcrypt speed: the same lockout as
  -- login, counted on the same rows, committed with the answer.
  v_locked := private.lockout(v_user.email);
  if v_locked is not null then
    return v_locked;
  end if;
  if v_user.password_hash <> extensions.crypt(coalesce(p_current_password, ''), v_user.password_hash) then
    insert into auth.login_failures (email, failed_at) values (v_user.email, private.now());
    return private.error(401, 'invalid_credentials', 'The current password is wrong.');
  end if;
  perform private.check_password(p_new_password, v_user.email::text);
  delete from auth.login_failures f where f.email operator(extensions.=) v_user.email;
  update auth.users u set password_hash = private.hash_password(p_new_password) where u.id = v_user.id;
  perform private.revoke_sessions(v_user.id, 'password_changed', null,
    nullif(auth.jwt() ->> 'sid', '')::uuid);
  return null;
end;
$$;
comment on function private.change_password(text, text) is
  'Replace the caller''s password after checking the current one (under the login lockout: failures count, 429 account_locked); ends every other session. Returns NULL, or the committed error. Definer: reads the hash.';

create or replace function private.erase_me()
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.erase_user(private.require_user(), 'account_deleted');
end;
$$;
comment on function private.erase_me() is 'Erase the caller''s own account. Definer: it calls private.erase_user, which takes any id and is therefore not granted to clients.';

create or replace function private.is_platform_admin()
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select coalesce((
        select u.is_platform_admin
        from auth.users u
        where u.id = auth.uid() and u.deleted_at is null
      ), false)
  );
end;
$$;
comment on function private.is_platform_admin() is
  'Is the caller a platform admin? Looked up, never trusted from the token, so revoking takes effect at once. Definer: used inside auth.users policies.';
grant execute on function private.is_platform_admin() to anon, authenticated, service_role;

create or replace function private.user_object(p_user_id uuid)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select private.user_json(u)
      from auth.users u
      where u.id = p_user_id
        and (u.id = auth.uid() or private.is_platform_admin())
  );
end;
$$;
comment on function private.user_object(uuid) is
  'The user object of an account the caller may see (their own; any for platform admins), else NULL. Definer: the object is built from the whole row, and clients may not read password_hash.';
grant execute on function private.user_object(uuid) to authenticated;

create or replace function private.create_superuser(p_email text, p_password text)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_email extensions.citext := private.check_email(p_email);
  v_user auth.users;
begin
  perform private.check_password(p_password, v_email::text);
  select * into v_user from auth.users u where u.email operator(extensions.=) v_email for update;
  if not found then
    insert into auth.users (email, password_hash, email_verified_at, is_platform_admin)
    values (v_email, private.hash_password(p_password), private.now(), true)
    returning * into v_user;
    return v_user.id;
  end if;
  if v_user.email_verified_at is null or v_user.deleted_at is not null then
    -- Whoever registered this address first never proved it was theirs: it may be someone
    -- waiting for the operator to promote it. The operator's password replaces theirs, the
    -- address counts as verified by the operator, and every session of the squatter ends.
    update auth.users u
    set password_hash = private.hash_password(p_password),
        email_verified_at = private.now(),
        deleted_at = null,
        is_platform_admin = true
    where u.id = v_user.id;
    perform private.revoke_sessions(v_user.id, 'superuser_bootstrap');
  else
    update auth.users u set is_platform_admin = true where u.id = v_user.id;
  end if;
  return v_user.id;
end;
$$;
comment on function private.create_superuser(text, text) is
  'Create a platform admin, or promote an existing account: a verified one keeps its password; an unverified one gets this password, is marked verified and loses every session (an unproven registration must not become an admin). Run by the slotbase command as the database owner. Definer: the slotbase command runs it as the connecting administrator, who holds the owner''s privileges but not its BYPASSRLS, and auth.users forces row-level security.';

-- ---------------------------------------------------------------------------------------------
-- Table privileges and policies

grant select (id, email, full_name, locale, email_verified_at, is_platform_admin, created_at, updated_at, deleted_at)
  on auth.users to authenticated;
grant update (full_name, locale) on auth.users to authenticated;
grant select (id, user_id, user_agent, ip, created_at, last_used_at, expires_at, revoked_at, revoked_reason)
  on auth.sessions to authenticated;
grant select (id, session_id, user_id, parent_id, created_at, used_at) on auth.refresh_tokens to authenticated;

drop trigger if exists users_touch_updated_at on auth.users;
create trigger users_touch_updated_at before update on auth.users
  for each row execute function private.touch_updated_at();

-- One permissive policy per operation and role: the cases are or-ed in it.
drop policy if exists "users read their own account" on auth.users;
drop policy if exists "platform admins read every account" on auth.users;
drop policy if exists "users read their own account, platform admins every account" on auth.users;
create policy "users read their own account, platform admins every account" on auth.users
  for select to authenticated
  using (id = (select auth.uid()) or (select private.is_platform_admin()));

drop policy if exists "users update their own profile" on auth.users;
create policy "users update their own profile" on auth.users
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

drop policy if exists "users read their own sessions" on auth.sessions;
create policy "users read their own sessions" on auth.sessions
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "users read their own refresh tokens" on auth.refresh_tokens;
create policy "users read their own refresh tokens" on auth.refresh_tokens
  for select to authenticated
  using (user_id = (select auth.uid()));

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.register(
  email text,
  password text,
  full_name text default null,
  locale text default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.register(register.email, register.password, register.full_name, register.locale);
end;
$$;
comment on function api.register(text, text, text, text) is
  'POST /auth/register. Create an account: {email, password, full_name?, locale?} -> user {id, email, full_name, locale, email_verified, created_at}. Errors: 409 email_taken; 422 invalid_email, weak_password.';
grant execute on function api.register(text, text, text, text) to anon, authenticated;
grant execute on function private.register(text, text, text, text) to anon, authenticated;

create or replace function api.login(email text, password text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.login(login.email, login.password);
end;
$$;
comment on function api.login(text, text) is
  'POST /auth/login. {email, password} -> {token_type, expires_in, refresh_token, user, claims}; the API signs claims into access_token. Errors (committed, not raised): 401 invalid_credentials (unknown email and wrong password alike), 429 account_locked with Retry-After.';
grant execute on function api.login(text, text) to anon, authenticated;
grant execute on function private.login(text, text) to anon, authenticated;

create or replace function api.refresh(refresh_token text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.refresh(refresh.refresh_token);
end;
$$;
comment on function api.refresh(text) is
  'POST /auth/refresh. {refresh_token} -> token pair as api.login. Errors: 401 invalid_refresh_token, session_revoked, refresh_token_reused (a used token after the grace window; the session is ended).';
grant execute on function api.refresh(text) to anon, authenticated;
grant execute on function private.refresh(text) to anon, authenticated;

create or replace function api.logout()
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.end_my_sessions('logout', nullif(auth.jwt() ->> 'sid', '')::uuid);
end;
$$;
comment on function api.logout() is 'POST /auth/logout. End the current session: its access and refresh tokens stop working at once.';
grant execute on function api.logout() to authenticated;
grant execute on function private.end_my_sessions(text, uuid, uuid) to authenticated;

create or replace function api.logout_all()
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.end_my_sessions('logout_all');
end;
$$;
comment on function api.logout_all() is 'POST /auth/logout-all. End every session of the caller, on every device.';
grant execute on function api.logout_all() to authenticated;

create or replace function api.change_password(current_password text, new_password text)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.change_password(change_password.current_password, change_password.new_password);
end;
$$;
comment on function api.change_password(text, text) is
  'POST /auth/change-password (204). {current_password, new_password}; every other session is ended. Wrong current passwords count toward the login lockout. Errors: 401 invalid_credentials; 422 weak_password; 429 account_locked (Retry-After).';
grant execute on function api.change_password(text, text) to authenticated;
grant execute on function private.change_password(text, text) to authenticated;

create or replace function api.me()
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return private.user_object(private.require_user());
end;
$$;
comment on function api.me() is 'GET /auth/me, GET /users/me. The caller''s user object.';
grant execute on function api.me() to authenticated;

create or replace function api.update_me(full_name text default null, locale text default null)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  update auth.users u
  set full_name = coalesce(update_me.full_name, u.full_name),
      locale = coalesce(update_me.locale, u.locale)
  where u.id = private.require_user()
  returning u.id into v_id;
  return private.user_object(v_id);
end;
$$;
comment on function api.update_me(text, text) is
  'PATCH /users/me. {full_name?, locale?} -> user. Errors: 422 validation_failed (locale like "da" or "en-GB", name up to 200 characters).';
grant execute on function api.update_me(text, text) to authenticated;

create or replace function api.delete_me()
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.erase_me();
end;
$$;
comment on function api.delete_me() is 'DELETE /users/me. Erase the caller''s personal data and end every session; login becomes impossible.';
grant execute on function api.delete_me() to authenticated;
grant execute on function private.erase_me() to authenticated;

create or replace function api.list_sessions(lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    with page as (
        select s.*
        from auth.sessions s,
          (select private.decode_cursor(list_sessions.cursor, 'timestamptz', 'text') as parts) c
        where s.user_id = private.require_user()
          and s.revoked_at is null
          and s.expires_at > private.now()
          and (c.parts is null or (s.created_at, s.id::text) < (c.parts[1]::timestamptz, c.parts[2]))
        order by s.created_at desc, s.id::text desc
        limit private.page_limit(list_sessions.lim) + 1
      ), numbered as (
        select p.*, row_number() over (order by p.created_at desc, p.id::text desc) as n from page p
      )
      select pg_catalog.json_build_object(
        'items', coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
          'id', n.id,
          'created_at', private.utc(n.created_at),
          'last_used_at', private.utc(n.last_used_at),
          'expires_at', private.utc(n.expires_at),
          'user_agent', n.user_agent,
          'ip', pg_catalog.host(n.ip),
          'current', n.id::text = auth.jwt() ->> 'sid'
        ) order by n.n) filter (where n.n <= private.page_limit(list_sessions.lim)), '[]'),
        'next_cursor', (
          select private.encode_cursor(x.created_at::text, x.id::text)
          from numbered x
          where x.n = private.page_limit(list_sessions.lim)
            and exists (select 1 from numbered y where y.n > x.n)
        )
      )
      from numbered n
  );
end;
$$;
comment on function api.list_sessions(integer, text) is
  'GET /auth/sessions?limit&cursor. The caller''s open sessions, newest first: {items: [{id, created_at, last_used_at, expires_at, user_agent, ip, current}], next_cursor}.';
grant execute on function api.list_sessions(integer, text) to authenticated;

create or replace function api.revoke_session(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if private.end_my_sessions('revoked_by_user', revoke_session.id) = 0 then
    raise exception using errcode = 'PT404', message = 'not_found',
      detail = 'No such session.';
  end if;
end;
$$;
comment on function api.revoke_session(uuid) is 'DELETE /auth/sessions/{id}. End one of the caller''s sessions. Errors: 404 not_found.';
grant execute on function api.revoke_session(uuid) to authenticated;

create or replace function private.require_platform_admin()
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  if not private.is_platform_admin() then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only platform admins may do this.';
  end if;
end;
$$;
comment on function private.require_platform_admin() is '401 for anon, 403 forbidden unless the caller is a platform admin.';
grant execute on function private.require_platform_admin() to anon, authenticated, service_role;

create or replace function api.list_users(lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(list_users.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_platform_admin();
  v_after := private.decode_cursor(list_users.cursor, 'timestamptz', 'text');
  with page as (
    select u.id, u.created_at
    from auth.users u
    where v_after is null or (u.created_at, u.id::text) > (v_after[1]::timestamptz, v_after[2])
    order by u.created_at, u.id::text
    limit v_limit + 1
  ), numbered as (
    select p.id, row_number() over (order by p.created_at, p.id::text) as n from page p
  )
  select coalesce(pg_catalog.json_agg(private.user_object(x.id) order by x.n) filter (where x.n <= v_limit), '[]'),
         max(case when x.n = v_limit + 1 then 1 end)
  into v_items, v_next
  from numbered x;
  if v_next is not null then
    select private.encode_cursor(u.created_at::text, u.id::text) into v_next
    from pg_catalog.json_array_elements(v_items) with ordinality e(item, i)
    join auth.users u on u.id = (e.item ->> 'id')::uuid
    order by e.i desc limit 1;
  end if;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.list_users(integer, text) is
  'GET /users?limit&cursor (platform admins). {items: [user], next_cursor}. Errors: 403 forbidden.';
grant execute on function api.list_users(integer, text) to authenticated;

create or replace function api.get_user(id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user json;
begin
  perform private.require_platform_admin();
  select private.user_object(get_user.id) into v_user;
  if v_user is null then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  return v_user;
end;
$$;
comment on function api.get_user(uuid) is 'GET /users/{id} (platform admins). Errors: 403 forbidden, 404 not_found.';
grant execute on function api.get_user(uuid) to authenticated;
