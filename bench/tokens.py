"""Tokens verified in the API (jwks.Verifier) and inside PostgreSQL (what a direct SQL client
pays, and what REST pays for it).

- The API's verifier, in this process, no database: a first verification (nothing cached), its
  parts (the RSA signature check alone, PyJWT's decode alone), a forged 8 KiB token under a
  published kid, and a cache hit; rounds alternate, medians of the rounds.
- First verification of a token (nothing cached): `private.verify_jwt` alone and the whole
  `auth.jwt_session_init` (verify, cache, commit), one client, distinct tokens.
- Each later statement of a signed-in client re-checks its cached identity: `select auth.uid()`
  as slotbase_client with a token, beside the API's login with request.jwt.claims, and with no
  identity at all.
- `select api.me()` per second over direct SQL (slotbase_client, signed in once per connection)
  beside `GET /api/v1/users/me` over REST, the same number of clients.
- REST before and after: two databases in one cluster, one with the claim helpers as they were
  before direct clients existed (the only code on the request path that changed), each behind
  its own API process; rounds alternate between them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import jwt
import uvloop
from jwt.algorithms import get_default_algorithms

from api.common.settings import with_user
from bench.common import Load, api_server, cluster, http_load, login, request_bytes, sql_load
from jwks import KeySet, SigningKey, TokenError, Verifier, generate_key, sign
from jwks.tokens import MAX_TOKEN_LENGTH

EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
CLIENTS = 16
API_POOL = 8
FIRST_VERIFICATIONS = 300
PER_STATEMENT = 3000
ROUNDS = 3
BEFORE_AFTER_ROUNDS = 6
PY_TOKENS = 2000
PY_ROUNDS = 5

# The claim helpers before direct clients: request.jwt.claims believed from any login.
BEFORE = """
create or replace function auth.jwt()
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
end;
$$;
create or replace function auth.uid()
returns uuid
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return nullif(auth.jwt() ->> 'sub', '')::uuid;
end;
$$;
"""


def ms(values: list[float], p: float | None = None) -> str:
    if p is None:
        return f"{statistics.median(values) * 1000:6.2f} ms"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000:6.2f} ms"


def rate_line(label: str, load: Load) -> str:
    bad = sum(n for s, n in load.statuses.items() if s >= 400)
    return (
        f"  {label:<46} {load.rate:>8.0f}/s   median {load.median * 1000:6.2f} ms"
        f"   p99 {load.percentile(99) * 1000:6.2f} ms   errors {bad}"
    )


def fresh_tokens(template: str, private_pem: str, count: int) -> list[str]:
    """Tokens like the API's, each with its own jti, so none is in the cache."""
    header = jwt.get_unverified_header(template)
    claims = jwt.decode(template, options={"verify_signature": False})
    return [
        jwt.encode({**claims, "jti": str(uuid.uuid4())}, private_pem, "RS256", headers=header)
        for _ in range(count)
    ]


def python_verifier() -> None:
    """µs per token through jwks.Verifier, and through the pieces it is made of."""
    keyset = KeySet(SigningKey(generate_key(), "bench"), {})
    issuer, audience, now = "https://bench.test", "slotbase-api", int(time.time())
    claims = {"iss": issuer, "aud": audience, "role": "authenticated", "sid": str(uuid.uuid4())}
    claims |= {"sub": str(uuid.uuid4()), "iat": now, "nbf": now, "exp": now + 900}
    tokens = [sign(keyset, {**claims, "jti": str(uuid.uuid4())}) for _ in range(PY_TOKENS)]
    key = keyset.signing.public_key
    rs256 = get_default_algorithms()["RS256"]
    signed = [
        (t.rsplit(".", 1)[0].encode(), jwt.utils.base64url_decode(t.rsplit(".", 1)[1]))
        for t in tokens
    ]
    # As long as the verifier takes: a published kid, junk for a payload, a signature of the
    # right length that does not match.
    header, _, signature = tokens[0].split(".")
    room = MAX_TOKEN_LENGTH - len(header) - len(signature) - 2
    forged = [f"{header}.{'A' * (room - room % 4)}.{signature}"] * (PY_TOKENS // 4)
    pyjwt = jwt.PyJWT({"verify_exp": False, "verify_aud": False})
    fresh = Verifier(keyset, issuer=issuer, audience=audience, cache_size=0)
    cached = Verifier(keyset, issuer=issuer, audience=audience)
    cached.verify(tokens[0])

    def refused(verify: Callable[[str], object]) -> Callable[[str], None]:
        def call(token: str) -> None:
            try:
                verify(token)
            except (TokenError, jwt.InvalidTokenError):
                return
            raise AssertionError("a forged token verified")

        return call

    def decode(token: str) -> object:
        return pyjwt.decode(token, key, algorithms=["RS256"])

    cases: dict[str, tuple[Callable[[Any], object], list[Any]]] = {
        "first verification (nothing cached)": (fresh.verify, tokens),
        "  the RSA signature check alone": (lambda p: rs256.verify(p[0], key, p[1]), signed),
        "  PyJWT's decode alone (parse, signature, claims)": (decode, tokens),
        "forged 8 KiB token, refused by the verifier": (refused(fresh.verify), forged),
        "  the same token through PyJWT's decode": (refused(decode), forged),
        "cache hit (every later request with the header)": (cached.check, [tokens[0]] * 20000),
    }
    figures: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(PY_ROUNDS):
        for label, (call, items) in cases.items():
            began = time.perf_counter()
            for item in items:
                call(item)
            figures[label].append((time.perf_counter() - began) / len(items))
    median = {label: statistics.median(values) * 1e6 for label, values in figures.items()}
    print(f"The API's verifier (RS256, 2048-bit key), µs per token, median of {PY_ROUNDS} rounds")
    for label, value in median.items():
        print(f"  {label:<54} {value:8.1f} µs")
    ratio = (
        median["  the same token through PyJWT's decode"]
        / (median["forged 8 KiB token, refused by the verifier"])
    )
    print(f"  the forged token costs PyJWT's decode {ratio:.1f} x what the verifier pays")


async def first_verification(client_dsn: str, tokens: list[str]) -> None:
    conn = await asyncpg.connect(client_dsn)
    half = len(tokens) // 2
    verify, init = [], []
    for token in tokens[:half]:
        began = time.perf_counter()
        await conn.fetchval("select private.verify_jwt($1) is not null", token)
        verify.append(time.perf_counter() - began)
    for token in tokens[half:]:
        began = time.perf_counter()
        await conn.execute("select auth.jwt_session_init($1)", token)
        init.append(time.perf_counter() - began)
    await conn.close()
    print(f"First verification of a token, one client, {half} distinct tokens each")
    for label, values in (
        ("private.verify_jwt (RS256 in SQL)", verify),
        ("auth.jwt_session_init (verify, cache)", init),
    ):
        print(f"  {label:<42} median {ms(values)}   p99 {ms(values, 99)}")
    met = sorted(init)[int(0.99 * len(init))] <= 0.005
    print(f"  target p99 ≤ 5 ms for jwt_session_init: {'met' if met else 'NOT met'}")


async def per_statement(client_dsn: str, api_dsn: str, token: str, claims: str) -> None:
    async def timed(conn: asyncpg.Connection, prepare: str | None, *args: object) -> float:
        if prepare:
            await conn.execute(prepare, *args)
        stmt = await conn.prepare("select auth.uid()")
        for _ in range(200):
            await stmt.fetchval()
        began = time.perf_counter()
        for _ in range(PER_STATEMENT):
            await stmt.fetchval()
        return (time.perf_counter() - began) / PER_STATEMENT

    client = await asyncpg.connect(client_dsn)
    await client.execute("select auth.jwt_session_init($1)", token)
    await client.execute("set role authenticated")
    api = await asyncpg.connect(api_dsn)
    await api.execute("select set_config('request.jwt.claims', $1, false)", claims)
    await api.execute("set role authenticated")
    anon = await asyncpg.connect(client_dsn)
    await anon.execute("set role anon")
    figures = {"signed-in client": [], "API login, claims set": [], "no identity": []}
    for _ in range(ROUNDS):
        figures["signed-in client"].append(await timed(client, None))
        figures["API login, claims set"].append(await timed(api, None))
        figures["no identity"].append(await timed(anon, None))
    for conn in (client, api, anon):
        await conn.close()
    print(f"select auth.uid(), one connection, {PER_STATEMENT} statements x {ROUNDS} rounds")
    for label, values in figures.items():
        print(f"  {label:<44} {statistics.median(values) * 1e6:7.1f} µs per statement")
    extra = statistics.median(figures["signed-in client"]) - statistics.median(
        figures["API login, claims set"]
    )
    print(f"  re-checking a cached identity costs {extra * 1e6:.1f} µs per statement")


async def me_rate(client_dsn: str, port: int, token: str, seconds: float) -> None:
    async def init(conn: asyncpg.Connection) -> None:
        await conn.execute("select auth.jwt_session_init($1)", token)
        await conn.execute("set role authenticated")

    pool = await asyncpg.create_pool(client_dsn, min_size=CLIENTS, max_size=CLIENTS, init=init)
    me = request_bytes("GET", "/api/v1/users/me", {"Authorization": f"Bearer {token}"})
    rest = await http_load(port, me, clients=CLIENTS, seconds=seconds)
    direct = await sql_load(
        pool, lambda c: c.fetchval("select api.me()::text"), clients=CLIENTS, seconds=seconds
    )
    await pool.close()
    print(f"api.me() over direct SQL vs GET /api/v1/users/me, {CLIENTS} clients, {seconds:.0f} s")
    print(rate_line("REST (API process, pool of 8)", rest))
    print(rate_line("direct SQL as slotbase_client, signed in", direct))
    print(f"  ratio direct SQL / REST: {direct.rate / rest.rate:.2f}")


async def before_after(
    ports: dict[str, int], tokens: dict[str, str], dsns: dict[str, str], claims: str, seconds: float
) -> None:
    # The claim helpers alone, as the API's login calls them: µs per call, many calls per statement.
    per_call: dict[str, float] = {}
    for name, dsn in dsns.items():
        conn = await asyncpg.connect(dsn)
        await conn.execute("select set_config('request.jwt.claims', $1, false)", claims)
        await conn.execute("set role authenticated")
        stmt = await conn.prepare("select count(auth.uid()) from generate_series(1, 20000)")
        await stmt.fetchval()
        timings = []
        for _ in range(5):
            began = time.perf_counter()
            await stmt.fetchval()
            timings.append((time.perf_counter() - began) / 20000)
        per_call[name] = statistics.median(timings)
        await conn.close()
    # Whole requests: rounds alternate which server goes first, so drift hits both alike.
    rates: dict[str, list[float]] = {"before": [], "after": []}
    for round_ in range(BEFORE_AFTER_ROUNDS):
        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
        for name in order:
            auth = {"Authorization": f"Bearer {tokens[name]}"}
            request = request_bytes("GET", "/api/v1/users/me", auth)
            load = await http_load(ports[name], request, clients=CLIENTS, seconds=seconds)
            rates[name].append(load.rate)
    ratios = [a / b for a, b in zip(rates["after"], rates["before"], strict=True)]
    print("The REST path before vs after direct clients (the claim helpers are what changed)")
    for name in ("before", "after"):
        cost = per_call[name] * 1e6
        print(f"  auth.uid() as the API's login, {name:<6}  {cost:6.2f} µs per call")
    print(
        f"GET /api/v1/users/me, {BEFORE_AFTER_ROUNDS} rounds of {seconds:.0f} s, alternating order"
    )
    for name in ("before", "after"):
        listed = ", ".join(f"{r:.0f}" for r in rates[name])
        print(f"  {name:<6} median {statistics.median(rates[name]):8.0f}/s   rounds: {listed}")
    print(
        f"  ratio after / before: median of rounds {statistics.median(ratios):.3f}"
        f"  (rounds {', '.join(f'{r:.2f}' for r in ratios)}; target within 3 %)"
    )


def main(seconds: float = 5.0) -> None:
    python_verifier()
    print()
    with cluster() as (admin, api_dsn):
        asyncio.run(_prepare(admin))
        before_api = api_dsn.replace("@/postgres", "@/before")
        with (
            api_server(api_dsn, pool=API_POOL) as (port, pem),
            api_server(before_api, pool=API_POOL) as (before_port, _),
        ):
            pair, old = login(port, EMAIL, PASSWORD), login(before_port, EMAIL, PASSWORD)
            token = pair["access_token"]
            claims = json.dumps(jwt.decode(token, options={"verify_signature": False}))
            client_dsn = with_user(admin, "slotbase_client")
            tokens = fresh_tokens(token, pem, FIRST_VERIFICATIONS * 2)
            uvloop.run(first_verification(client_dsn, tokens))
            print()
            uvloop.run(per_statement(client_dsn, api_dsn, token, claims))
            print()
            uvloop.run(me_rate(client_dsn, port, token, seconds))
            print()
            uvloop.run(
                before_after(
                    {"before": before_port, "after": port},
                    {"before": old["access_token"], "after": token},
                    {"before": before_api, "after": api_dsn},
                    claims,
                    seconds,
                )
            )


async def _prepare(admin: str) -> None:
    conn = await asyncpg.connect(admin)
    await conn.fetchval("select private.register($1, $2, null, null)", EMAIL, PASSWORD)
    await conn.execute("create database before template postgres")
    await conn.close()
    conn = await asyncpg.connect(admin.replace("@/postgres", "@/before"))
    await conn.execute("set role slotbase_owner")
    await conn.execute(BEFORE)
    await conn.close()


if __name__ == "__main__":
    main()
