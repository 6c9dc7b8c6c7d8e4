-- Helpers: the pinned clock, instants as text, page sizes, the keyset cursor every list uses, and
-- the committed-error answer, each called as a client calls them (anon, then a signed-in user).
-- Depends on: sql/code/10-helpers.sql and tests/sql/helpers/10-personas.sql (personas,
--   tests.freeze_time, tests.clear_response).
begin;
select plan(30);

select tests.create_user('alma');
select tests.freeze_time('2026-03-02 09:00:00+00');

-- as anon: the clock and instants as text -------------------------------------------------------
select tests.authenticate_as_anon();

select is(private.now(), '2026-03-02 09:00:00+00'::timestamptz, 'private.now() answers the pinned instant');
select set_config('timezone', 'America/New_York', true);
select is(private.utc('2026-03-02 10:00:00+01'), '2026-03-02T09:00:00Z',
  'private.utc writes RFC 3339 in UTC whatever the session''s time zone');
select is(private.parse_instant('2026-03-29T09:00:00+02:00'), '2026-03-29 07:00:00+00'::timestamptz,
  'private.parse_instant reads an instant with its offset');
select is(private.parse_instant('2026-03-29 07:00Z'), '2026-03-29 07:00:00+00'::timestamptz,
  'private.parse_instant takes Z and a space for T');
select throws_ok($$select private.parse_instant('2026-03-29T09:00:00')$$, 'PT422', 'invalid_time',
  'An instant without an offset is refused, not read in the session''s zone');
select throws_ok($$select private.parse_instant('2026-02-30T09:00:00+01:00')$$, 'PT422', 'invalid_time',
  'A date that does not exist is refused as invalid_time');
select is(private.local_iso('2026-03-29 00:30:00+00', 'Europe/Copenhagen'), '2026-03-29T01:30:00+01:00',
  'private.local_iso writes winter time with +01:00 before the clocks go forward');
select is(private.local_iso('2026-03-29 01:30:00+00', 'Europe/Copenhagen'), '2026-03-29T03:30:00+02:00',
  'private.local_iso writes summer time with +02:00 an hour later, on the same day');
select is(private.local_iso(null, 'Europe/Copenhagen'), null, 'private.local_iso of no instant is NULL');
select set_config('timezone', 'UTC', true);

-- as anon: page sizes, ids and the committed-error answer ---------------------------------------
select is(private.page_limit(null), 50, 'No limit means a page of 50');
select is(private.page_limit(200), 200, 'A limit of 200 is allowed');
select throws_ok($$select private.page_limit(0)$$, 'PT422', 'validation_failed', 'A limit of 0 is refused');
select throws_ok($$select private.page_limit(201)$$, 'PT422', 'validation_failed', 'A limit over 200 is refused');
select is(private.as_uuid('6F9619FF-8B86-D011-B42D-00C04FC964FF'), '6f9619ff-8b86-d011-b42d-00c04fc964ff'::uuid,
  'private.as_uuid reads a uuid in capitals');
select is(private.as_uuid('not-a-uuid'), null, 'private.as_uuid of anything else is NULL, not an error');
select tests.clear_response();
select is(private.error(429, 'account_locked', 'Try later.', '{"Retry-After": "60"}')::jsonb,
  '{"code": "account_locked", "detail": "Try later."}'::jsonb,
  'private.error answers the code and the detail');
select is(array[current_setting('response.status', true), current_setting('response.headers', true)::jsonb ->> 'Retry-After'],
  array['429', '60'], 'private.error sets the status and the headers of the response');
select tests.clear_response();

-- as alma: the keyset cursor --------------------------------------------------------------------
select tests.authenticate_as('alma');

select is(
  private.decode_cursor(private.encode_cursor('2026-03-02 09:00:00.123456+00', tests.user_id('alma')::text),
                        'timestamptz', 'uuid'),
  array['2026-03-02 09:00:00.123456+00', tests.user_id('alma')::text],
  'A cursor reads back the parts it was made of'
);
select is(
  private.decode_cursor(private.encode_cursor('Æble | "Søren" \ 1', tests.user_id('alma')::text), 'text', 'uuid'),
  array['Æble | "Søren" \ 1', tests.user_id('alma')::text],
  'Any text survives a cursor: separators, quotes, backslashes and letters beyond ASCII'
);
select ok(private.encode_cursor(repeat('ø', 100), 'x') ~ '^[A-Za-z0-9_-]+$',
  'A cursor is URL-safe: base64url without padding');
select is(
  (private.decode_cursor(private.encode_cursor('0.0607927', 'Klip', 'service', tests.user_id('alma')::text),
                         'real', 'text', 'text', 'uuid'))[1]::real,
  0.0607927::real,
  'A rank travels as text and reads back to the identical real'
);
select is(private.decode_cursor(null, 'text'), null, 'No cursor is the first page');
select is(private.decode_cursor('', 'text'), null, 'An empty cursor is the first page too');
select throws_ok($$select private.decode_cursor('garbage', 'timestamptz', 'uuid')$$, 'PT422', 'validation_failed',
  'A cursor this server did not make is refused');
select throws_ok(
  $$select private.decode_cursor(private.encode_cursor('Anna', tests.user_id('alma')::text), 'real', 'text', 'text', 'uuid')$$,
  'PT422', 'validation_failed',
  'A cursor of a list whose key has another shape is refused'
);
select throws_ok(
  $$select private.decode_cursor(private.encode_cursor('Anna', tests.user_id('alma')::text), 'timestamptz', 'uuid')$$,
  'PT422', 'validation_failed',
  'A part that does not read as its type is refused, before any cast in the list can fail'
);
select throws_ok(
  $$select private.decode_cursor(
      pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to('[null, "x"]', 'UTF8'), 'base64'), E'+/=\n', '-_'),
      'text', 'text')$$,
  'PT422', 'validation_failed',
  'A cursor with a missing part is refused'
);
-- Cursors issued before the one format: "timestamp|id" text, and [name, id] for names.
select throws_ok(
  format($$select private.decode_cursor(%L, 'timestamptz', 'text')$$,
    pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(
      '2026-03-02 09:00:00+00|' || tests.user_id('alma'), 'UTF8'), 'base64'), E'+/=\n', '-_')),
  'PT422', 'validation_failed',
  'A cursor in the earlier "timestamp|id" form answers the clear 422 of any unknown cursor'
);
select is(
  private.decode_cursor(
    pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(
      pg_catalog.json_build_array('Anna', tests.user_id('alma'))::text, 'UTF8'), 'base64'), E'+/=\n', '-_'),
    'text', 'uuid'),
  array['Anna', tests.user_id('alma')::text],
  'A cursor in the earlier [name, id] form of the provider and service lists still reads'
);
select throws_ok($$select private.decode_cursor(private.encode_cursor('1'), 'integer')$$, 'XX000', 'internal_error',
  'Decoding to a type the decoder does not check is a programming error, not a client''s');

select tests.clear_authentication();

select * from finish();
rollback;
