-- 00 grants: the privilege baseline every later file builds on.
-- Functions are not executable by PUBLIC; each file grants EXECUTE beside each function.
--
-- Every function says `set search_path = pg_catalog, pg_temp`, not `= ''`: PostgreSQL searches
-- the session's temporary schema *first* for table and type names unless the path names it, and
-- any client may create a pg_temp.jsonb domain whose check runs its own code. Inside a definer
-- function (or an invoker helper it calls) that code would run as the owner. Named last,
-- pg_temp is searched after pg_catalog, where every unqualified type here lives.
-- Roles: anon (no token), authenticated (valid token), service_role (trusted jobs, BYPASSRLS),
-- authenticator (the API's login role, switching into anon/authenticated per request),
-- slotbase_client (the login of direct SQL clients: anon/authenticated, identity only from a
-- verified token), slotbase_worker (the outbox worker's login, the only way to service_role).

alter default privileges for role slotbase_owner revoke execute on functions from public;
alter default privileges for role slotbase_owner in schema api revoke execute on functions from public;
revoke execute on all functions in schema api, auth, private from public;

grant usage on schema api to anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role, slotbase_client;
grant usage on schema private to anon, authenticated, service_role, authenticator, slotbase_client;
grant usage on schema extensions to anon, authenticated, service_role, authenticator;
