-- Test helpers for the booking domain: readable fixture ids, and writes that prove themselves and
-- leave no trace. Loaded once into the template database after 10-personas.sql.
-- Depends on: 10-personas (schema tests and its grants to anon, authenticated, authenticator).
-- Raises: nothing of its own; tests.rows_written passes on whatever the statement raises.
--
-- Usage, in a pgTAP file:
--   insert into app.organizations (id, slug, name) values (tests.id('org_a'), 'salon-a', 'Salon A');
--   select is(
--     tests.rows_written($$update app.organizations o set name = 'X' where o.id = tests.id('org_a') returning o.id$$),
--     1::bigint,
--     'Olga the owner may rename her organization'
--   );

create or replace function tests.id(label text)
returns uuid
language sql
immutable
parallel safe
security invoker
set search_path = ''
return pg_catalog.md5('slotbase test fixture ' || label)::uuid;
comment on function tests.id(text) is
  'A fixed UUID for a fixture label (tests.id(''booking_cora_a'')), the same on every call, so fixtures and assertions name rows by label instead of by psql variables.';

create or replace function tests.rows_written(statement text)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_rows bigint;
begin
  begin
    execute 'with written as (' || rows_written.statement || ') select pg_catalog.count(*) from written'
      into v_rows;
    -- Undo the write (the block's savepoint), so one persona's allowed write never changes what
    -- the next persona sees; local variables survive the rollback.
    raise exception using errcode = 'TSUND', message = 'undo';
  exception when sqlstate 'TSUND' then
    return v_rows;
  end;
end;
$$;
comment on function tests.rows_written(text) is
  'Run one INSERT, UPDATE or DELETE ... RETURNING as the current role, return how many rows it wrote, then roll it back. Any error of the statement (42501, a row rule) propagates. Invoker: it must run as the persona, under its privileges and row-level security.';

revoke all on function tests.id(text), tests.rows_written(text) from public;
grant execute on function tests.id(text), tests.rows_written(text) to anon, authenticated, authenticator;
