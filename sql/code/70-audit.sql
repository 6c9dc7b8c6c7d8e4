-- 70 audit: the audit trail — the generic trigger that records every insert, update and delete
-- of the audited tables, who may read the trail, and the api functions that page it.
-- Depends on: 003 (audit.log, gdpr.consents), 001 and 002 (the audited tables), 10-helpers
--   (private.now, private.utc, encode_cursor, decode_cursor, page_limit), 30-accounts
--   (private.require_user, private.is_platform_admin, private.require_platform_admin),
--   35-roles (private.require_org_manager, private.my_org_ids, private.manager_roles).
-- Raises: PT401 unauthorized (anon); PT403 forbidden (not an owner or admin of the organization,
--   not a platform admin); PT404 not_found (unknown organization or user); PT422
--   validation_failed (limit, cursor).
--
-- An entry names the actor (auth.uid(), NULL = system), the request (request.id, which the API
-- returns as X-Request-ID), the table and key of the row, the organization it belongs to and the
-- person it is about. It holds the whole row on insert and delete and only the changed columns
-- on update, without secret columns (password, token and request hashes, token claims, stored
-- responses) and without generated columns (derived copies such as search documents, which
-- would repeat names in a form erasure could not find).
-- Readers: owners and admins of the organization, platform admins. No API role holds insert,
-- update or delete on audit.log; only the trigger (definer) writes it, and only erasure and the
-- retention job (definers in 75-gdpr) change or remove entries.

grant usage on schema audit to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The trigger

create or replace function private.audit_row()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  -- Never recorded, whatever table carries them.
  v_skip text[] := array['password_hash', 'token_hash', 'request_hash', 'refresh_token',
    'refresh_token_hash', 'access_claims', 'response_body', 'secret']
    || pg_catalog.string_to_array(nullif(TG_ARGV[1], ''), ',');
  v_keys text[] := pg_catalog.string_to_array(TG_ARGV[0], ',');
  v_org_column text := nullif(TG_ARGV[2], '');
  v_subject text := nullif(TG_ARGV[3], '');
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_subject_id uuid;
begin
  if TG_OP <> 'INSERT' then
    v_old := pg_catalog.to_jsonb(OLD) - v_skip;
  end if;
  if TG_OP <> 'DELETE' then
    v_new := pg_catalog.to_jsonb(NEW) - v_skip;
  end if;
  v_row := coalesce(v_new, v_old);
  if TG_OP = 'UPDATE' then
    select coalesce(pg_catalog.jsonb_object_agg(n.key, v_old -> n.key), '{}'),
           coalesce(pg_catalog.jsonb_object_agg(n.key, n.value), '{}')
    into v_old, v_new
    from pg_catalog.jsonb_each(v_new) n
    where n.value is distinct from v_old -> n.key;
    -- Nothing recordable changed: no entry, unless a secret did (a new password is worth an
    -- entry, with {} for its values).
    if v_new = '{}' and pg_catalog.to_jsonb(OLD) = pg_catalog.to_jsonb(NEW) then
      return null;
    end if;
  end if;

  -- Who the row is about: a column of the row, or the customer of its booking, or the person
  -- behind its provider.
  if v_subject like 'booking:%' then
    select b.customer_id into v_subject_id
    from app.bookings b where b.id = (v_row ->> pg_catalog.split_part(v_subject, ':', 2))::uuid;
  elsif v_subject like 'provider:%' then
    select p.user_id into v_subject_id
    from app.providers p where p.id = (v_row ->> pg_catalog.split_part(v_subject, ':', 2))::uuid;
  elsif v_subject is not null then
    v_subject_id := (v_row ->> v_subject)::uuid;
  end if;

  insert into audit.log (at, actor_id, request_id, table_name, row_id, org_id, subject_user_id,
      action, old_values, new_values)
  values (
    private.now(),
    auth.uid(),
    nullif(pg_catalog.current_setting('request.id', true), ''),
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    (select pg_catalog.string_agg(v_row ->> k.name, '/' order by k.n)
       from pg_catalog.unnest(v_keys) with ordinality k(name, n)),
    (v_row ->> v_org_column)::uuid,
    v_subject_id,
    pg_catalog.lower(TG_OP),
    v_old,
    v_new
  );
  return null;
end;
$$;
comment on function private.audit_row() is
  'AFTER INSERT OR UPDATE OR DELETE row trigger writing audit.log. Arguments: key columns, columns never to record (generated ones), the organization column, how to find the person the row is about (a column, booking:<column> or provider:<column>). Secret columns are always left out. Definer: clients may not write audit.log, and the subject lookups read rows the caller may not see.';

-- Attach the trigger to every audited table. Keys and generated columns are read from the
-- catalog, so a later migration that adds a generated column is picked up on the next apply
-- (code files are re-applied after every migration).
do $$
declare
  v_table record;
  v_keys text;
  v_generated text;
begin
  for v_table in
    select t.rel::regclass as rel, t.org_column, t.subject
    from (values
      ('auth.users', '', 'id'),
      ('app.organizations', 'id', ''),
      ('app.memberships', 'org_id', 'user_id'),
      ('app.invitations', 'org_id', ''),
      ('app.providers', 'org_id', 'user_id'),
      ('app.services', 'org_id', ''),
      ('app.working_hours', 'org_id', 'provider:provider_id'),
      ('app.date_overrides', 'org_id', 'provider:provider_id'),
      ('app.time_off', 'org_id', 'provider:provider_id'),
      ('app.bookings', 'org_id', 'customer_id'),
      ('app.booking_notes', 'org_id', 'booking:booking_id'),
      ('app.booking_series', 'org_id', 'customer_id'),
      ('app.waitlist_entries', 'org_id', 'customer_id'),
      ('app.resources', 'org_id', ''),
      ('app.service_resources', 'org_id', ''),
      ('gdpr.consents', '', 'user_id')
    ) t(rel, org_column, subject)
  loop
    select pg_catalog.string_agg(a.attname, ',' order by k.n) into v_keys
    from pg_catalog.pg_index i
    cross join lateral pg_catalog.unnest(i.indkey::smallint[]) with ordinality k(attnum, n)
    join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = v_table.rel and i.indisprimary;
    select coalesce(pg_catalog.string_agg(a.attname, ',' order by a.attnum), '') into v_generated
    from pg_catalog.pg_attribute a
    where a.attrelid = v_table.rel and a.attnum > 0 and not a.attisdropped and a.attgenerated <> '';
    execute pg_catalog.format('drop trigger if exists audit_changes on %s', v_table.rel);
    execute pg_catalog.format(
      'create trigger audit_changes after insert or update or delete on %s'
      ' for each row execute function private.audit_row(%L, %L, %L, %L)',
      v_table.rel, v_keys, v_generated, v_table.org_column, v_table.subject);
  end loop;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- Who reads the trail

revoke all on audit.log from anon, authenticated, service_role;
grant select on audit.log to authenticated, service_role;
-- No insert, update or delete for any API role: a write answers 42501.

-- Owners and admins read their organizations' entries, platform admins every entry.
drop policy if exists "owners and admins read their organization's audit entries" on audit.log;
drop policy if exists "platform admins read every audit entry" on audit.log;
drop policy if exists "owners, admins and platform admins read audit entries" on audit.log;
create policy "owners, admins and platform admins read audit entries" on audit.log
  for select to authenticated
  using (org_id = any ((select private.my_org_ids(private.manager_roles()))::uuid[])
         or (select private.is_platform_admin()));

-- The managers' organizations are private.my_org_ids(private.manager_roles()) (35-roles) now.
drop function if exists private.my_managed_org_ids();

-- ---------------------------------------------------------------------------------------------
-- Shapes and pages

create or replace function private.audit_json(p_entry audit.log)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.json_build_object(
    'id', p_entry.id,
    'at', private.utc(p_entry.at),
    'actor_id', p_entry.actor_id,
    'request_id', p_entry.request_id,
    'table_name', p_entry.table_name,
    'row_id', p_entry.row_id,
    'org_id', p_entry.org_id,
    'subject_user_id', p_entry.subject_user_id,
    'action', p_entry.action,
    'old_values', p_entry.old_values,
    'new_values', p_entry.new_values
  );
end;
$$;
comment on function private.audit_json(audit.log) is
  'The audit entry object: {id, at, actor_id, request_id, table_name, row_id, org_id, subject_user_id, action, old_values, new_values}.';
grant execute on function private.audit_json(audit.log) to authenticated, service_role;

create or replace function private.audit_page(
  p_org_id uuid,
  p_user_id uuid,
  p_limit integer,
  p_cursor text
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(p_limit);
  v_after text[];
  v_items json;
  v_next text;
begin
  v_after := private.decode_cursor(p_cursor, 'timestamptz', 'bigint');
  -- Runs as the caller: the policies on audit.log decide which entries exist for them.
  with page as (
    select l, pg_catalog.row_number() over (order by l.at desc, l.id desc) as n
    from audit.log l
    where (p_org_id is null or l.org_id = p_org_id)
      and (p_user_id is null or l.subject_user_id = p_user_id or l.actor_id = p_user_id)
      and (v_after is null or (l.at, l.id) < (v_after[1]::timestamptz, v_after[2]::bigint))
    order by l.at desc, l.id desc
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.audit_json(p.l) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor((p.l).at::text, (p.l).id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function private.audit_page(uuid, uuid, integer, text) is
  'One page of the audit entries the caller may read, newest first, of an organization or about/by a user: {items: [audit entry], next_cursor}.';
grant execute on function private.audit_page(uuid, uuid, integer, text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The contract (schema api)

create or replace function api.org_audit(org_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_org_manager(org_audit.org_id);
  return private.audit_page(org_audit.org_id, null, org_audit.lim, org_audit.cursor);
end;
$$;
comment on function api.org_audit(uuid, integer, text) is
  'GET /orgs/{org_id}/audit?limit&cursor. Owners and admins. Every recorded change of the organization''s rows (memberships, providers, services, hours, overrides, time off, bookings, internal notes), newest first: {items: [{id, at, actor_id (null = system), request_id, table_name, row_id, org_id, subject_user_id, action (insert|update|delete), old_values, new_values (only changed columns on update)}], next_cursor}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed (limit, cursor).';
grant execute on function api.org_audit(uuid, integer, text) to anon, authenticated;

create or replace function api.user_audit(user_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_platform_admin();
  if not exists (select 1 from auth.users u where u.id = user_audit.user_id) then
    raise exception using errcode = 'PT404', message = 'not_found', detail = 'No such user.';
  end if;
  return private.audit_page(null, user_audit.user_id, user_audit.lim, user_audit.cursor);
end;
$$;
comment on function api.user_audit(uuid, integer, text) is
  'GET /users/{user_id}/audit?limit&cursor. Platform admins. Every entry about the person (subject_user_id) or made by them (actor_id), newest first: {items: [audit entry as api.org_audit], next_cursor}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';
grant execute on function api.user_audit(uuid, integer, text) to authenticated;
