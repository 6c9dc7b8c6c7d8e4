-- Tokens: the arithmetic under RS256 and publishing the keys the database verifies with.
-- Depends on: sql/code/12-tokens.sql and sql/bootstrap.sql (the roles). Real signatures and
--   connections as slotbase_client are in tests/test_direct_sql.py.
begin;
select plan(12);

-- the arithmetic ------------------------------------------------------------------------------
select is(private.modexp(4, 13, 497), 445::numeric, '4^13 mod 497 = 445');
select is(private.modexp(7, 0, 13), 1::numeric, 'x^0 mod m = 1');
select is(
  private.modexp(2, 65537, 1000000007),
  pg_catalog.mod(private.modexp(2, 65536, 1000000007) * 2, 1000000007),
  'Square and multiply agrees with itself across one extra bit'
);
select is(private.bytes_to_numeric('\x'::bytea), 0::numeric, 'No bytes are zero');
select is(private.bytes_to_numeric('\x0100'::bytea), 256::numeric, 'Big-endian: 01 00 is 256');
select is(
  private.bytes_to_numeric('\xffffffffffffffffff'::bytea),
  4722366482869645213695::numeric,
  'Nine bytes of ff are 2^72 - 1, across a seven-byte chunk boundary'
);
select is(private.b64url_decode('QQ'), '\x41'::bytea, 'Unpadded base64url decodes');
select is(private.b64url_decode('-_-_'), '\xfbffbf'::bytea, 'The URL alphabet decodes');
select ok(private.b64url_decode('a+b/') is null, 'The standard alphabet is not base64url');
select ok(private.b64url_decode('QUJDR') is null, 'A length of 4k + 1 is never base64url');
select throws_ok(
  $$select private.publish_keys('{"keys": []}', 'http://x', 'slotbase', 30)$$,
  'PT422', 'validation_failed',
  'An empty key set is refused rather than silently disabling every direct client'
);

-- who may publish the keys -------------------------------------------------------------------
select is_empty(
  $$select r.rolname from pg_roles r
    where r.rolname in ('anon', 'authenticated', 'slotbase_client', 'slotbase_worker', 'service_role')
      and has_function_privilege(r.rolname, 'private.publish_keys(jsonb, text, text, integer)', 'execute')$$,
  'Only the owner and the API''s login publish the keys the database verifies with'
);

select * from finish();
rollback;
