-- Structure: the catalog keeps the rules that hold for every object, so a table, policy or
-- function added later is checked without touching this file (STYLE rules 5-8, 11 and 22).
-- Depends on: every migration and code file (it reads the catalog they produce).
-- Each check lists the offending objects when it fails.
begin;
select plan(21);

-- as the superuser, reading the catalog

-- Row-level security ---------------------------------------------------------------------------

select set_has(
  $$
  select n.nspname || '.' || c.relname
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('auth', 'app', 'private', 'audit', 'gdpr', 'outbox')
    and c.relkind in ('r', 'p')
  $$,
  $$
  values ('auth.users'), ('auth.sessions'), ('auth.refresh_tokens'), ('auth.login_failures'),
         ('auth.common_passwords'), ('private.settings'), ('private.clock')
  $$,
  'The table checks below see the identity tables, so they cannot pass by finding nothing'
);

select is_empty(
  $$
  select n.nspname || '.' || c.relname as table_without_rls
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('auth', 'app', 'private', 'audit', 'gdpr', 'outbox')
    and c.relkind in ('r', 'p')
    and not c.relrowsecurity
  order by 1
  $$,
  'Every table in auth, app, private, audit, gdpr and outbox has row-level security enabled'
);

select is_empty(
  $$
  select n.nspname || '.' || c.relname as table_without_forced_rls
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('auth', 'app', 'private', 'audit', 'gdpr', 'outbox')
    and c.relkind in ('r', 'p')
    and not c.relforcerowsecurity
  order by 1
  $$,
  'Every table in auth, app, private, audit, gdpr and outbox forces row-level security on its owner too'
);

select is_empty(
  $$
  select n.nspname || '.' || c.relname as table_without_comment
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('auth', 'app', 'private', 'audit', 'gdpr', 'outbox')
    and c.relkind in ('r', 'p')
    and pg_catalog.obj_description(c.oid, 'pg_class') is null
  order by 1
  $$,
  'Every table in auth, app, private, audit, gdpr and outbox has a comment'
);

-- Policies -------------------------------------------------------------------------------------

select is_empty(
  $$
  select p.polrelid::regclass::text || ': ' || p.polname as policy_for_all
  from pg_catalog.pg_policy p
  where p.polcmd = '*'
  order by 1
  $$,
  'No policy is FOR ALL: each names one operation'
);

-- PostgreSQL ors the permissive policies of a table, operation and role; one policy says the
-- whole rule in one place. A FOR ALL policy counts for each operation, a PUBLIC one for every role.
select is_empty(
  $$
  select p.polrelid::regclass::text || ' ' || c.command || ' to ' || r.rolname || ': '
         || pg_catalog.string_agg(p.polname, ', ' order by p.polname) as several_permissive_policies
  from pg_catalog.pg_policy p
  cross join lateral (
    select x.command
    from (values ('r', 'select'), ('a', 'insert'), ('w', 'update'), ('d', 'delete')) x(cmd, command)
    where p.polcmd = '*' or p.polcmd = x.cmd::"char"
  ) c
  cross join lateral (
    select g.rolname::text
    from pg_catalog.pg_roles g
    where g.oid = any (p.polroles) or 0::oid = any (p.polroles)
  ) r
  where p.polpermissive
  group by p.polrelid, c.command, r.rolname
  having pg_catalog.count(*) > 1
  order by 1
  $$,
  'One permissive policy per table, operation and role: one policy per operation per role'
);

select is_empty(
  $$
  select p.polrelid::regclass::text || ': ' || p.polname as policy_for_several_roles
  from pg_catalog.pg_policy p
  where pg_catalog.cardinality(p.polroles) <> 1
  order by 1
  $$,
  'Every policy names exactly one role'
);

select is_empty(
  $$
  select p.polrelid::regclass::text || ': ' || p.polname as policy_for_public
  from pg_catalog.pg_policy p
  where 0::oid = any (p.polroles)
  order by 1
  $$,
  'Every policy names the roles it applies to, none applies to PUBLIC'
);

select is_empty(
  $$
  select p.polrelid::regclass::text || ': ' || p.polname as policy_calling_claims_per_row
  from pg_catalog.pg_policy p,
    lateral (values (pg_catalog.pg_get_expr(p.polqual, p.polrelid)),
                    (pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))) e(expr)
  where pg_catalog.regexp_replace(e.expr, 'SELECT auth\.(uid|jwt|session|user_id)\(\)', '', 'g')
        ~ 'auth\.(uid|jwt|session|user_id)\(\)'
  order by 1
  $$,
  'Every policy wraps the claim helpers as (select auth.uid()), so they run once per statement'
);

-- Functions ------------------------------------------------------------------------------------
-- "Project functions": every function outside the system schemas that no extension installed.

select is_empty(
  $$
  select p.oid::regprocedure::text as definer_without_search_path
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef
    and n.nspname <> 'information_schema'
    and n.nspname !~ '^pg_'
    and not exists (
      select from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
    and not exists (
      select from pg_catalog.unnest(p.proconfig) c(setting) where c.setting like 'search\_path=%'
    )
  order by 1
  $$,
  'Every SECURITY DEFINER function fixes its search_path'
);

select is_empty(
  $$
  select p.oid::regprocedure::text as definer_executable_by_public
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace,
    lateral pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
  where p.prosecdef
    and n.nspname <> 'information_schema'
    and n.nspname !~ '^pg_'
    and not exists (
      select from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
    and a.grantee = 0
    and a.privilege_type = 'EXECUTE'
  order by 1
  $$,
  'No SECURITY DEFINER function is executable by PUBLIC: each is granted to the roles that need it'
);

select cmp_ok(
  (select count(*)::integer from pg_catalog.pg_proc p where p.pronamespace = 'api'::regnamespace),
  '>=', 9,
  'The api checks below see the account functions, so they cannot pass by finding nothing'
);

select is_empty(
  $$
  select p.oid::regprocedure::text as api_function_without_comment
  from pg_catalog.pg_proc p
  where p.pronamespace = 'api'::regnamespace
    and coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') = ''
  order by 1
  $$,
  'Every function in schema api has a comment (\df+ api.* is the API reference)'
);

select is_empty(
  $$
  select p.oid::regprocedure::text as api_function_security_definer
  from pg_catalog.pg_proc p
  where p.pronamespace = 'api'::regnamespace
    and p.prosecdef
  order by 1
  $$,
  'No function in schema api is SECURITY DEFINER: the contract runs as the caller'
);

select is_empty(
  $$
  select p.oid::regprocedure::text as api_function_executable_by_public
  from pg_catalog.pg_proc p,
    lateral pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
  where p.pronamespace = 'api'::regnamespace
    and a.grantee = 0
    and a.privilege_type = 'EXECUTE'
  order by 1
  $$,
  'No function in schema api is executable by PUBLIC: each grants anon or authenticated explicitly'
);

select is_empty(
  $$
  select c.relname || ' (' || c.relkind::text || ')' as api_relation
  from pg_catalog.pg_class c
  where c.relnamespace = 'api'::regnamespace
  order by 1
  $$,
  'Schema api holds functions only: no tables, views or sequences'
);

-- The API's login role -------------------------------------------------------------------------

select is(
  (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = 'authenticator'),
  false,
  'The login role authenticator is not a superuser'
);

select is(
  (select r.rolbypassrls from pg_catalog.pg_roles r where r.rolname = 'authenticator'),
  false,
  'The login role authenticator does not bypass row-level security'
);

select is(
  (select r.rolinherit from pg_catalog.pg_roles r where r.rolname = 'authenticator'),
  false,
  'The login role authenticator is NOINHERIT: it holds no privileges until it switches role'
);

select is(
  pg_catalog.pg_has_role('authenticator', 'slotbase_owner', 'member'),
  false,
  'The login role authenticator cannot switch to the owner role'
);

select is_empty(
  $$
  select pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) as owned_by_authenticator
  from pg_catalog.pg_shdepend d
  where d.refclassid = 'pg_catalog.pg_authid'::regclass
    and d.refobjid = 'authenticator'::regrole
    and d.deptype = 'o'
    and d.dbid in (0, (select db.oid from pg_catalog.pg_database db where db.datname = current_database()))
  union all
  select 'database ' || db.datname
  from pg_catalog.pg_database db
  where db.datdba = 'authenticator'::regrole
  order by 1
  $$,
  'The login role authenticator owns nothing'
);

select * from finish();
rollback;
