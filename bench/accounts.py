"""Accounts: GET /users/me through the API vs the same SQL call, and login throughput.

API: `slotbase serve` (one uvicorn process, pool of 32) behind 32 keep-alive HTTP clients.
Direct: 32 asyncpg connections as authenticator calling the very statement the API sends
(private.handle_request → api.me), and, for reference, the Neon-style three statements in a
transaction (set role, set claims, select api.me()).
"""

from __future__ import annotations

import json

import asyncpg
import jwt
import uvloop

from bench.common import (
    Load,
    api_server,
    cluster,
    http_load,
    http_load_each,
    login,
    request_bytes,
    sql_load,
)

EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
LOGIN_CLIENTS = 8
HANDLE = "select * from private.handle_request($1, $2, $3, $4, $5, $6)"
# The API's own pool: 8 connections suit 2 cores best (4: 2,400/s, 8: 2,900/s, 32: 1,900/s
# measured here); the direct clients hold one connection each, 32 of them.
API_POOL = 8
ME = "select api.me()::text"


def line(label: str, load: Load) -> str:
    bad = sum(n for s, n in load.statuses.items() if s >= 400)
    return (
        f"  {label:<44} {load.rate:>9.0f}/s   median {load.median * 1000:6.2f} ms"
        f"   p99 {load.percentile(99) * 1000:6.2f} ms   errors {bad}"
    )


async def measure(admin: str, api_dsn: str, port: int, seconds: float) -> None:
    conn = await asyncpg.connect(admin)
    await conn.fetchval("select private.register($1, $2, null, null)", EMAIL, PASSWORD)
    cost = await conn.fetchval("select value from private.settings where name = 'bcrypt_cost'")
    await conn.close()

    pair = login(port, EMAIL, PASSWORD)
    token = pair["access_token"]
    claims = json.dumps(jwt.decode(token, options={"verify_signature": False}))
    context = json.dumps({"id": "bench", "ip": "127.0.0.1", "user_agent": "bench"})
    clients = 32
    me = request_bytes("GET", "/api/v1/users/me", {"Authorization": f"Bearer {token}"})

    pool = await asyncpg.create_pool(api_dsn, min_size=clients, max_size=clients)

    async def direct(c: asyncpg.Connection) -> object:
        return await c.fetchrow(HANDLE, "authenticated", claims, context, ME, "{}", True)

    async def neon_style(c: asyncpg.Connection) -> object:
        async with c.transaction():
            await c.execute(
                "select set_config('role', 'authenticated', true), "
                f"set_config('request.jwt.claims', '{claims}', true)"
            )
            return await c.fetchval("select api.me()")

    api = await http_load(port, me, clients=clients, seconds=seconds)
    sql = await sql_load(pool, direct, clients=clients, seconds=seconds)
    neon = await sql_load(pool, neon_style, clients=clients, seconds=seconds)
    await pool.close()

    print(f"GET /api/v1/users/me, {clients} concurrent clients, {seconds:.0f} s each")
    print(line("API (HTTP → JWT check → one SQL statement)", api))
    print(line("direct SQL, the same statement (asyncpg)", sql))
    print(line("direct SQL, Neon-style transaction (asyncpg)", neon))
    print(f"  ratio API / direct same statement: {api.rate / sql.rate:.2f}  (target ≥ 0.5)")
    print(f"  ratio API / direct Neon-style:     {api.rate / neon.rate:.2f}")

    # Logins of one account take turns (lockout is counted per email), so each client logs in
    # as its own account: the figure is bcrypt-bound, not lock-bound.
    conn = await asyncpg.connect(admin)
    for i in range(LOGIN_CLIENTS * 2):
        await conn.fetchval(
            "select private.register($1, $2, null, null)", f"login{i}@example.com", PASSWORD
        )
    await conn.close()

    def login_request(i: int) -> bytes:
        body = json.dumps({"email": f"login{i}@example.com", "password": PASSWORD}).encode()
        headers = {"Content-Type": "application/json"}
        return request_bytes("POST", "/api/v1/auth/login", headers, body)

    logins = await http_load_each(
        port, [login_request(i) for i in range(LOGIN_CLIENTS)], seconds=seconds
    )
    pool = await asyncpg.create_pool(api_dsn, min_size=LOGIN_CLIENTS, max_size=LOGIN_CLIENTS)
    call = (
        "select api.login(email => r.email, password => r.password)::text "
        "from pg_catalog.jsonb_to_record($1) as r(email text, password text)"
    )
    accounts = iter(range(LOGIN_CLIENTS, LOGIN_CLIENTS * 2))
    own: dict[int, str] = {}

    async def direct_login(c: asyncpg.Connection) -> object:
        key = id(c)
        if key not in own:
            own[key] = json.dumps(
                {"email": f"login{next(accounts)}@example.com", "password": PASSWORD}
            )
        return await c.fetchrow(HANDLE, "anon", None, context, call, own[key], False)

    sql_logins = await sql_load(pool, direct_login, clients=LOGIN_CLIENTS, seconds=seconds)
    await pool.close()
    print(f"POST /api/v1/auth/login at bcrypt cost {cost}, {LOGIN_CLIENTS} clients, own accounts")
    print(line("API", logins))
    print(line("direct SQL, the same statement", sql_logins))
    print(f"  ratio API / direct: {logins.rate / sql_logins.rate:.2f}")


def main(seconds: float = 5.0) -> None:
    with cluster() as (admin, api_dsn), api_server(api_dsn, pool=API_POOL) as (port, _):
        uvloop.run(measure(admin, api_dsn, port, seconds))
