-- 10 helpers: the clock, settings, instants as text, cursors and the committed-error convention.
-- Depends on: 001 (private.settings, private.clock).
-- The claim helpers (auth.jwt(), auth.uid(), ...) are in 14-claims.sql.
-- Raises: PT422 validation_failed (cursor, limit), invalid_time (an instant without an offset, or
--   not an instant).
--
-- Why even one-statement functions are plpgsql: PostgreSQL (before 18) plans the body of a
-- `language sql` function anew on every call unless it is inlined, and a function with
-- `set search_path` is never inlined; plpgsql keeps its plans for the life of the connection.
-- On the request path that is the difference between ~3,000 and ~15,000 calls/s (bench/).

create or replace function private.now()
returns timestamptz
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select coalesce((select c.frozen_at from private.clock c), pg_catalog.now())
  );
end;
$$;
comment on function private.now() is
  'The current instant for every rule (notice periods, lockout, token lifetimes). Returns private.clock.frozen_at when a test pinned it. Definer: private.clock is readable by the owner only, so no client can move the clock.';
grant execute on function private.now() to anon, authenticated, service_role, authenticator;

create or replace function private.setting(p_name text)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select s.value from private.settings s where s.name = p_name
  );
end;
$$;
comment on function private.setting(text) is
  'Value of one tunable rule from private.settings. Definer: the settings table is owner-only.';
grant execute on function private.setting(text) to anon, authenticated, service_role;

create or replace function private.utc(p_at timestamptz)
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
end;
$$;
comment on function private.utc(timestamptz) is 'RFC 3339 text in UTC, whatever the session time zone.';
grant execute on function private.utc(timestamptz) to anon, authenticated, service_role;

create or replace function private.parse_instant(p_value text, p_field text default 'start')
returns timestamptz
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- RFC 3339 with an explicit offset; a bare local time would silently take the session's zone.
  if p_value is null
      or p_value !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
    raise exception using errcode = 'PT422', message = 'invalid_time',
      detail = p_field || ' must be an RFC 3339 instant with an offset, e.g. 2026-03-29T09:00:00+02:00.';
  end if;
  return p_value::timestamptz;
exception
  when sqlstate '22007' or sqlstate '22008' then
    raise exception using errcode = 'PT422', message = 'invalid_time',
      detail = p_field || ' is not a valid instant.';
end;
$$;
comment on function private.parse_instant(text, text) is 'Parse an RFC 3339 instant that carries an offset; 422 invalid_time otherwise.';
grant execute on function private.parse_instant(text, text) to anon, authenticated, service_role;

create or replace function private.local_iso(p_at timestamptz, p_zone text)
returns text
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_local timestamp := p_at at time zone p_zone;
  v_offset interval := v_local - (p_at at time zone 'UTC');
begin
  if p_at is null then
    return null;
  end if;
  return pg_catalog.to_char(v_local, 'YYYY-MM-DD"T"HH24:MI:SS')
    || case when v_offset < interval '0' then '-' else '+' end
    || pg_catalog.to_char(pg_catalog.abs(extract(epoch from v_offset)) * interval '1 second', 'HH24:MI');
end;
$$;
comment on function private.local_iso(timestamptz, text) is 'RFC 3339 text of an instant in a zone, with that zone''s offset at that instant (DST-correct).';
grant execute on function private.local_iso(timestamptz, text) to anon, authenticated, service_role;

create or replace function private.error(
  p_status integer,
  p_code text,
  p_detail text,
  p_headers jsonb default null
)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- A raised exception rolls the transaction back. Some failures must leave a trace (a failed
  -- login counts toward lockout; a reused refresh token revokes its session), so those return
  -- an error body and set the status instead, PostgREST's response.status convention.
  perform pg_catalog.set_config('response.status', p_status::text, true);
  if p_headers is not null then
    perform pg_catalog.set_config('response.headers', p_headers::text, true);
  end if;
  return pg_catalog.json_build_object('code', p_code, 'detail', p_detail);
end;
$$;
comment on function private.error(integer, text, text, jsonb) is
  'Answer an error without rolling back: sets response.status (and response.headers) and returns {code, detail}.';
grant execute on function private.error(integer, text, text, jsonb) to anon, authenticated, service_role;

create or replace function private.touch_updated_at()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  NEW.updated_at := pg_catalog.now();
  return NEW;
end;
$$;
comment on function private.touch_updated_at() is 'BEFORE UPDATE trigger keeping updated_at true.';

-- Keyset cursors: the sort key of the last row of a page, read back to continue after it. One
-- format for every list: base64url (no padding) of a JSON array of the key's parts as text.
-- Each list names the types of its parts when decoding, so a forged cursor, or one of a list
-- whose key has another shape, is refused with one clear 422 instead of a cast error.

create or replace function private.encode_cursor(variadic p_parts text[])
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.translate(
    pg_catalog.encode(pg_catalog.convert_to(pg_catalog.array_to_json(p_parts)::text, 'UTF8'), 'base64'),
    E'+/=\n', '-_');
end;
$$;
comment on function private.encode_cursor(text[]) is
  'Opaque keyset cursor holding the sort key of the last row of a page, one text per part, e.g. private.encode_cursor(created_at::text, id::text); read back with private.decode_cursor().';
grant execute on function private.encode_cursor(text[]) to anon, authenticated, service_role;

create or replace function private.decode_cursor(p_cursor text, variadic p_types regtype[])
returns text[]
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_b64 text := pg_catalog.translate(p_cursor, '-_', '+/');
  v_json json;
  v_parts text[];
begin
  if p_cursor is null or p_cursor = '' then
    return null;
  end if;
  if not p_types <@ '{text,uuid,timestamptz,real,bigint}'::regtype[] then
    raise exception using errcode = 'XX000', message = 'internal_error',
      detail = 'private.decode_cursor reads parts of type text, uuid, timestamptz, real and bigint only.';
  end if;
  begin
    v_b64 := v_b64 || pg_catalog.repeat('=', (4 - pg_catalog.length(v_b64) % 4) % 4);
    v_json := pg_catalog.convert_from(pg_catalog.decode(v_b64, 'base64'), 'UTF8')::json;
    if pg_catalog.json_typeof(v_json) = 'array' then
      select pg_catalog.array_agg(e.part order by e.n) into v_parts
      from pg_catalog.json_array_elements_text(v_json) with ordinality e(part, n);
    end if;
    if pg_catalog.cardinality(v_parts) = pg_catalog.cardinality(p_types)
        and pg_catalog.array_position(v_parts, null) is null then
      -- Each part must read as its type, so the caller's casts cannot fail.
      for i in 1 .. pg_catalog.cardinality(p_types) loop
        case p_types[i]
          when 'uuid'::regtype then perform v_parts[i]::uuid;
          when 'timestamptz'::regtype then perform v_parts[i]::timestamptz;
          when 'real'::regtype then perform v_parts[i]::real;
          when 'bigint'::regtype then perform v_parts[i]::bigint;
          else null;
        end case;
      end loop;
      return v_parts;
    end if;
  exception when others then
    null;  -- not base64, not UTF-8, not JSON, or a part that does not read as its type
  end;
  raise exception using errcode = 'PT422', message = 'validation_failed',
    detail = 'The cursor is not one this server issued.';
end;
$$;
comment on function private.decode_cursor(text, regtype[]) is
  'The parts of a cursor made by private.encode_cursor(), as text, each checked to read as the type named for it (text, uuid, timestamptz, real or bigint); NULL for no cursor; 422 validation_failed for anything else, such as a cursor of a list whose key has another shape.';
grant execute on function private.decode_cursor(text, regtype[]) to anon, authenticated, service_role;

-- One format replaces the three encoders of earlier versions (timestamp|id text, [name, id] and
-- the search's tagged array).
drop function if exists private.page_cursor(timestamptz, text);
drop function if exists private.cursor_parts(text);
drop function if exists private.key_cursor(text, uuid);
drop function if exists private.key_cursor_parts(text);

create or replace function private.page_limit(p_limit integer)
returns integer
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_limit is null then
    return 50;
  end if;
  if p_limit < 1 or p_limit > 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'limit must be between 1 and 200.';
  end if;
  return p_limit;
end;
$$;
comment on function private.page_limit(integer) is 'The list page size: default 50, 1..200 or 422.';
grant execute on function private.page_limit(integer) to anon, authenticated, service_role;

create or replace function private.require_fresh_snapshot()
returns void
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- A count taken after an advisory lock sees what committed before the lock only if the
  -- statement takes a new snapshot. Under REPEATABLE READ the transaction's first snapshot is
  -- reused, so parallel callers would all pass a cap. The API always uses READ COMMITTED.
  if pg_catalog.current_setting('transaction_isolation') = 'repeatable read' then
    raise exception using errcode = 'PT409', message = 'conflict',
      detail = 'Run this in a READ COMMITTED (or SERIALIZABLE) transaction.';
  end if;
end;
$$;
comment on function private.require_fresh_snapshot() is
  'PT409 conflict under REPEATABLE READ, where a count after an advisory lock would miss rows committed meanwhile.';
grant execute on function private.require_fresh_snapshot() to anon, authenticated, service_role;

create or replace function private.as_uuid(p_text text)
returns uuid
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- One expression: a text that is not a uuid (a claim, a path segment) is NULL, never an error.
  return case when p_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_text::uuid end;
end;
$$;
comment on function private.as_uuid(text) is 'The uuid this text spells, NULL when it is not one.';
grant execute on function private.as_uuid(text) to anon, authenticated, service_role, slotbase_client;
