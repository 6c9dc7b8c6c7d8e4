-- 007 direct clients: the public keys that verify access tokens inside PostgreSQL, and the cache
-- of tokens that verified.
--
-- Clients that connect as slotbase_client prove who they are with auth.jwt_session_init(jwt):
-- the RS256 signature is checked in SQL against these keys, which the API keeps equal to the
-- JWKS it publishes (sql/code/12-tokens.sql, private.publish_keys). Both tables are readable by
-- the owner only: a client learns nothing from them and can put nothing in them.
-- Depends on: 001 (auth, private.settings), the runner's bootstrap (roles).

create table auth.jwt_keys (
  kid text primary key check (length(kid) between 1 and 200),
  n numeric not null check (n > 0 and scale(n) = 0),
  e numeric not null check (e > 1 and scale(e) = 0),
  size_bytes integer not null check (size_bytes between 256 and 1024),
  published_at timestamptz not null default now()
);
alter table auth.jwt_keys enable row level security;
alter table auth.jwt_keys force row level security;
comment on table auth.jwt_keys is
  'Public keys of the published JWKS (RSA modulus n and exponent e as integers), replaced by private.publish_keys whenever the API starts, migrates or rotates keys. Owner-only.';
comment on column auth.jwt_keys.size_bytes is 'Length of the modulus in bytes: an RS256 signature must be exactly this long.';

create table auth.verified_tokens (
  token_hash bytea primary key check (length(token_hash) = 32),
  kid text not null,
  sid uuid not null,
  claims jsonb not null,
  expires_at timestamptz not null,
  verified_at timestamptz not null default now()
);
create index verified_tokens_expires_at_idx on auth.verified_tokens (expires_at);
create index verified_tokens_kid_idx on auth.verified_tokens (kid);
alter table auth.verified_tokens enable row level security;
alter table auth.verified_tokens force row level security;
comment on table auth.verified_tokens is
  'Claims of access tokens whose signature verified, by sha256 of the token, so that each later statement of a direct client re-checks only expiry and the session. Owner-only.';
comment on column auth.verified_tokens.expires_at is 'The token''s exp plus the clock leeway: after it the entry is useless and is purged.';

insert into private.settings (name, value, description) values
  ('jwt_issuer', '', 'iss that tokens must carry to verify in the database; set by the API from JWT_ISSUER'),
  ('jwt_audience', 'slotbase', 'aud that tokens must carry to verify in the database; set by the API from JWT_AUDIENCE'),
  ('jwt_leeway_seconds', '30', 'clock leeway for exp, nbf and iat when the database verifies a token; set by the API');
