"""Direct SQL clients: access tokens verified inside PostgreSQL, on real connections.

Every test here connects as the login a real client or the API holds (slotbase_client,
authenticator, slotbase_worker), never as a superuser, except to seed fixtures and to publish
the keys as `slotbase migrate` does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from api.common.settings import Settings
from api.ops import keysync
from jwks import KeySet, generate_key, load_keyset, private_pem, thumbprint
from jwks.tokens import sign
from tests.support.bookings import Caller, Seed, local

pytestmark = pytest.mark.anyio

CLIENT = "slotbase_client"
ISSUER = "http://slotbase.test"


def claims_for(caller: Caller, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "slotbase",
        "sub": caller.user_id,
        "sid": caller.session_id,
        "role": "authenticated",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return claims


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())


async def refused(conn: asyncpg.Connection, sql: str, *args: Any) -> str:
    """The PT401 code a statement fails with."""
    with pytest.raises(asyncpg.PostgresError) as caught:
        await conn.execute(sql, *args)
    assert caught.value.sqlstate == "PT401", caught.value
    return caught.value.as_dict()["message"]


async def denied(conn: asyncpg.Connection, sql: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with conn.transaction():
            await conn.execute(sql)


@pytest.fixture
async def seed(db: Any) -> AsyncIterator[Seed]:
    seed = await Seed.connect(db.admin_dsn)
    yield seed
    await seed.close()


@pytest.fixture
async def published(db: Any, seed: Seed, settings: Settings, keyset: KeySet) -> KeySet:
    """The test key set, published to the database as `slotbase migrate` publishes it."""
    await keysync.publish(seed.conn, keyset, settings)
    return keyset


@pytest.fixture
async def connect(db: Any) -> AsyncIterator[Any]:
    opened: list[asyncpg.Connection] = []

    async def open_as(user: str = CLIENT, **options: Any) -> asyncpg.Connection:
        conn = await asyncpg.connect(db.dsn_as(user), **options)
        opened.append(conn)
        return conn

    yield open_as
    for conn in opened:
        await conn.close()


async def signed_in(connect: Any, token: str, **options: Any) -> asyncpg.Connection:
    conn = await connect(**options)
    await conn.execute("select auth.init()")
    await conn.execute("select auth.jwt_session_init($1)", token)
    await conn.execute("set role authenticated")
    return conn


async def test_a_token_from_a_rest_login_makes_a_direct_client_that_user_and_no_other(
    client: Any, make_account: Any, connect: Any, seed: Seed
) -> None:
    alma, bruno = await make_account("alma"), await make_account("bruno")
    org = await seed.org()
    provider = await seed.provider(org)
    service = await seed.service(org, [provider])
    await seed.hours(provider, range(1, 8), "09:00", "17:00")
    day = (datetime.now(UTC) + timedelta(days=3)).date()

    as_alma = await signed_in(connect, alma.tokens["access_token"])
    as_bruno = await signed_in(connect, bruno.tokens["access_token"])
    assert str(await as_alma.fetchval("select auth.uid()")) == alma.id
    assert await as_alma.fetchval("select auth.user_id()") == alma.id
    assert str(await as_bruno.fetchval("select auth.uid()")) == bruno.id
    me = json.loads(await as_alma.fetchval("select api.me()::text"))
    assert me["email"] == "alma@example.com"

    for conn, hour in ((as_alma, "10:00"), (as_bruno, "12:00")):
        created = await conn.fetchval(
            "select api.create_booking($1, $2, $3)::text",
            provider,  # text: a provider's id or "any"
            uuid.UUID(service),
            local(day, hour, "Europe/Copenhagen"),
        )
        assert json.loads(created)["status"] == "confirmed"
    for conn, who in ((as_alma, alma), (as_bruno, bruno)):
        listed = json.loads(await conn.fetchval("select api.list_bookings()::text"))
        assert [b["customer_id"] for b in listed["items"]] == [who.id]
        sessions = json.loads(await conn.fetchval("select api.list_sessions()::text"))
        assert len(sessions["items"]) == 1 and sessions["items"][0]["current"] is True
        # Straight at the table, RLS confines the client as it confines the API.
        customers = await conn.fetch("select distinct customer_id from app.bookings")
        assert [str(r["customer_id"]) for r in customers] == [who.id]


async def test_the_clients_own_claims_setting_changes_nothing_before_or_after_sign_in(
    published: KeySet, seed: Seed, connect: Any
) -> None:
    alma, bruno = await seed.user("alma"), await seed.user("bruno")
    forged = json.dumps({"sub": bruno.user_id, "sid": bruno.session_id, "role": "authenticated"})
    conn = await connect()
    await conn.execute(f"set request.jwt.claims = '{forged}'")
    await conn.execute("select set_config('request.jwt.claims', $1, false)", forged)
    await conn.execute("set role authenticated")
    assert await conn.fetchval("select auth.uid()") is None
    assert await conn.fetchval("select auth.jwt()") is None
    async with conn.transaction():
        await conn.execute("select set_config('request.jwt.claims', $1, true)", forged)
        assert await conn.fetchval("select auth.uid()") is None

    await conn.execute("reset role")
    await conn.execute("select auth.jwt_session_init($1)", sign(published, claims_for(alma)))
    await conn.execute("set role authenticated")
    await conn.execute(f"set request.jwt.claims = '{forged}'")
    assert str(await conn.fetchval("select auth.uid()")) == alma.user_id
    async with conn.transaction():
        await conn.execute("select set_config('request.jwt.claims', $1, true)", forged)
        assert str(await conn.fetchval("select auth.uid()")) == alma.user_id


def tamper(keyset: KeySet, caller: Caller) -> dict[str, str]:
    """One bad token per way of making one, named after the code it must be refused with."""
    good = sign(keyset, claims_for(caller))
    header, payload, signature = good.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[-1] ^= 1
    flipped = f"{header}.{payload}.{b64url(bytes(raw))}"
    other = claims_for(Caller(str(uuid.uuid4()), caller.session_id))
    changed = f"{header}.{b64url(json.dumps(other).encode())}.{signature}"
    kid = keyset.signing.kid
    none = unsigned({"alg": "none", "kid": kid, "typ": "JWT"}, claims_for(caller)) + "."
    public = keyset.signing.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs_input = unsigned({"alg": "HS256", "kid": kid, "typ": "JWT"}, claims_for(caller))
    hs256 = hs_input + "." + b64url(hmac.new(public, hs_input.encode(), hashlib.sha256).digest())
    rs512 = jwt.encode(
        claims_for(caller),
        keyset.signing.private_key,
        algorithm="RS512",
        headers={"kid": kid, "typ": "JWT"},
    )
    stranger = load_keyset(private_key=private_pem(generate_key()))[0]
    now = int(time.time())
    return {
        "bad_signature/flipped bit": flipped,
        "bad_signature/changed payload": changed,
        "algorithm_not_allowed/none": none,
        "algorithm_not_allowed/HS256 keyed with the public key": hs256,
        "algorithm_not_allowed/RS512": rs512,
        "unknown_kid/unknown": sign(stranger, claims_for(caller)),
        "token_expired/expired": sign(
            keyset, claims_for(caller, iat=now - 3600, nbf=now - 3600, exp=now - 60)
        ),
        "token_not_yet_valid/nbf": sign(keyset, claims_for(caller, nbf=now + 600)),
        "token_not_yet_valid/iat": sign(keyset, claims_for(caller, iat=now + 600)),
        "wrong_audience/aud": sign(keyset, claims_for(caller, aud="someone-else")),
        "wrong_issuer/iss": sign(keyset, claims_for(caller, iss="http://evil.example")),
        "malformed_token/role": sign(keyset, claims_for(caller, role="service_role")),
        "malformed_token/garbage": "not.a.token",
        "malformed_token/two parts": f"{header}.{payload}",
    }


async def test_every_kind_of_bad_token_is_refused_with_its_code(
    published: KeySet, seed: Seed, connect: Any
) -> None:
    alma = await seed.user("alma")
    conn = await connect()
    for name, token in tamper(published, alma).items():
        code = name.split("/")[0]
        assert await refused(conn, "select auth.jwt_session_init($1)", token) == code, name
    await conn.execute("set role authenticated")
    assert await conn.fetchval("select auth.uid()") is None


@pytest.mark.parametrize("bits", [2048, 3072, 4096])
async def test_rs256_verifies_in_sql_with_keys_of_2048_3072_and_4096_bits(
    bits: int, db: Any, seed: Seed, settings: Settings, connect: Any
) -> None:
    key = generate_key(bits)
    keyset = load_keyset(private_key=private_pem(key))[0]
    assert keyset.signing.kid == thumbprint(key.public_key())
    await keysync.publish(seed.conn, keyset, settings)
    alma = await seed.user("alma")
    token = sign(keyset, claims_for(alma))
    conn = await signed_in(connect, token)
    assert str(await conn.fetchval("select auth.uid()")) == alma.user_id
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[len(raw) // 2] ^= 0x80
    await conn.execute("reset role")
    bad = f"{header}.{payload}.{b64url(bytes(raw))}"
    assert await refused(conn, "select auth.jwt_session_init($1)", bad) == "bad_signature"
    # The arithmetic underneath, against Python's, on this key's modulus.
    numbers = key.public_key().public_numbers()
    for base in (2, numbers.n - 1, int.from_bytes(hashlib.sha512(token.encode()).digest(), "big")):
        expected = pow(base, numbers.e, numbers.n)
        got = await seed.conn.fetchval(
            "select private.modexp($1::text::numeric, $2::text::numeric, $3::text::numeric)::text",
            str(base),
            str(numbers.e),
            str(numbers.n),
        )
        assert int(got) == expected


async def test_after_logout_revoke_or_password_change_the_next_statement_fails(
    client: Any, make_account: Any, connect: Any
) -> None:
    alma = await make_account("alma")
    conn = await signed_in(connect, alma.tokens["access_token"])
    assert str(await conn.fetchval("select auth.uid()")) == alma.id
    assert (await client.post("/api/v1/auth/logout", headers=alma.headers)).status_code == 204
    assert await refused(conn, "select auth.uid()") == "session_revoked"

    login = {"email": alma.email, "password": alma.password}
    first = (await client.post("/api/v1/auth/login", json=login)).json()
    second = (await client.post("/api/v1/auth/login", json=login)).json()
    conn = await signed_in(connect, first["access_token"])
    sessions = await client.get(
        "/api/v1/auth/sessions", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    sid = next(s["id"] for s in sessions.json()["items"] if not s["current"])
    revoked = await client.delete(
        f"/api/v1/auth/sessions/{sid}",
        headers={"Authorization": f"Bearer {second['access_token']}"},
    )
    assert revoked.status_code == 204
    assert await refused(conn, "select * from api.list_sessions()") == "session_revoked"

    conn = await signed_in(connect, second["access_token"])
    third = (await client.post("/api/v1/auth/login", json=login)).json()
    changed = await client.post(
        "/api/v1/auth/change-password",
        headers={"Authorization": f"Bearer {third['access_token']}"},
        json={"current_password": alma.password, "new_password": "granite-puffin-lighthouse"},
    )
    assert changed.status_code == 204
    assert await refused(conn, "select auth.uid()") == "session_revoked"
    # A fresh connection with the old token is refused at the door too.
    fresh = await connect()
    token = second["access_token"]
    assert await refused(fresh, "select auth.jwt_session_init($1)", token) == "session_revoked"


async def test_a_retired_key_stops_verifying_even_for_a_signed_in_connection(
    published: KeySet, db: Any, seed: Seed, settings: Settings, connect: Any
) -> None:
    alma = await seed.user("alma")
    conn = await signed_in(connect, sign(published, claims_for(alma)))
    successor = load_keyset(
        private_key=private_pem(generate_key()),
        public_keys=[
            published.signing.public_key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode()
        ],
    )[0]
    await keysync.publish(seed.conn, successor, settings)  # rotation: old key still published
    assert str(await conn.fetchval("select auth.uid()")) == alma.user_id
    await keysync.publish(
        seed.conn, load_keyset(private_key=private_pem(generate_key()))[0], settings
    )
    assert await refused(conn, "select auth.uid()") == "unknown_kid"


async def test_an_expired_token_stops_working_on_the_next_statement(
    published: KeySet, seed: Seed, connect: Any
) -> None:
    alma = await seed.user("alma")
    now = int(time.time())
    conn = await signed_in(connect, sign(published, claims_for(alma, exp=now + 60)))
    assert str(await conn.fetchval("select auth.uid()")) == alma.user_id
    await seed.freeze(datetime.fromtimestamp(now + 60 + 31, UTC))  # past exp and the leeway
    assert await refused(conn, "select auth.uid()") == "token_expired"


async def test_discard_all_and_reset_all_clear_the_identity(
    published: KeySet, seed: Seed, connect: Any
) -> None:
    alma = await seed.user("alma")
    token = sign(published, claims_for(alma))
    for clear in ("discard all", "reset all"):
        # DISCARD ALL also drops prepared statements, which asyncpg would otherwise reuse.
        conn = await signed_in(connect, token, statement_cache_size=0)
        assert str(await conn.fetchval("select auth.uid()")) == alma.user_id
        await conn.execute(clear)
        await conn.execute("set role authenticated")
        assert await conn.fetchval("select auth.uid()") is None


async def test_a_read_only_transaction_signs_in_without_caching(
    published: KeySet, seed: Seed, connect: Any
) -> None:
    alma = await seed.user("alma")
    conn = await connect()
    token = sign(published, claims_for(alma))
    async with conn.transaction(readonly=True):
        await conn.execute("select auth.jwt_session_init($1)", token)
    await conn.execute("set role authenticated")
    assert str(await conn.fetchval("select auth.uid()")) == alma.user_id
    cached = await seed.conn.fetchval("select count(*) from auth.verified_tokens")
    assert cached == 0


@pytest.mark.parametrize("login", [CLIENT, "authenticator"])
async def test_no_client_login_reaches_a_trusted_role_or_a_secret(
    login: str, published: KeySet, seed: Seed, connect: Any
) -> None:
    alma = await seed.user("alma")
    superuser = await seed.conn.fetchval("select current_user")
    conn = await connect(login)
    if login == CLIENT:
        await conn.execute("select auth.jwt_session_init($1)", sign(published, claims_for(alma)))
    for statement in (
        "set role service_role",
        "set role slotbase_owner",
        "set role slotbase_worker",
        f'set role "{superuser}"',
        f'set session authorization "{superuser}"',
        "set session authorization slotbase_owner",
    ):
        await denied(conn, statement)
    secrets = (
        "select * from auth.jwt_keys",
        "select * from auth.verified_tokens",
        "select * from outbox.messages",
        "select * from private.settings",
        "select private.act_as('authenticated', '{}')",
    )
    for as_role in ("", "authenticated", "anon"):
        for statement in secrets:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with conn.transaction():
                    if as_role:
                        await conn.execute(f"set local role {as_role}")
                    await conn.execute(statement)
    if login == CLIENT:
        await denied(conn, "select private.publish_keys('{\"keys\": []}', 'x', 'y', 1)")


async def test_only_the_worker_login_becomes_service_role(connect: Any) -> None:
    worker = await connect("slotbase_worker")
    async with worker.transaction():
        await worker.execute("set local role service_role")
        await worker.fetchval("select count(*) from outbox.messages")
    await denied(worker, "set role slotbase_owner")


async def test_postgrest_pre_request_refuses_a_revoked_session(seed: Seed, connect: Any) -> None:
    alma = await seed.user("alma")
    conn = await connect("authenticator")  # PostgREST's login, switching as it does

    async def pre_request() -> None:
        async with conn.transaction():
            await conn.execute(
                "select set_config('request.jwt.claims', $1, true),"
                " set_config('role', 'authenticated', true)",
                alma.claims,
            )
            await conn.execute("select private.pre_request()")

    await pre_request()
    await seed.conn.execute(
        "update auth.sessions set revoked_at = now() where id = $1", alma.session_id
    )
    with pytest.raises(asyncpg.PostgresError) as caught:
        await pre_request()
    assert caught.value.sqlstate == "PT401"
    assert caught.value.as_dict()["message"] == "session_revoked"


@pytest.mark.parametrize("login", [CLIENT, "authenticator"])
async def test_types_planted_in_the_temporary_schema_never_run_as_the_owner(
    login: str, published: KeySet, seed: Seed, connect: Any
) -> None:
    """PostgreSQL searches a session's pg_temp first for type names unless the search_path
    names it. A domain pg_temp.jsonb whose check calls the client's own function would then run
    inside the owner's definer functions, as the owner. Every function puts pg_temp last."""
    alma = await seed.user("alma")
    conn = await connect(login)
    await conn.execute(
        "create function pg_temp.evil(anyelement) returns boolean language plpgsql as"
        " $$begin raise exception 'planted code ran as %', current_user; end$$"
    )
    for name in ("jsonb", "json", "text", "uuid", "bytea", "numeric", "timestamptz", "int4"):
        await conn.execute(
            f"create domain pg_temp.{name} as pg_catalog.{name} check (pg_temp.evil(value))"
        )
    token = sign(published, claims_for(alma))
    for sql, args in (
        ("select private.verify_jwt('x.y.z')", ()),
        ("select private.verify_jwt($1)", (token,)),
        ("select private.token_claims($1)", (token,)),
        ("select auth.jwt_session_init($1)", (token,)),
        ("select api.get_org('no-such-salon')", ()),
    ):
        try:
            await conn.execute(sql, *args)
        except asyncpg.PostgresError as exc:
            assert "planted code ran" not in str(exc), (sql, str(exc))


async def test_password_and_refresh_checks_refuse_direct_sql(
    published: KeySet, seed: Seed, connect: Any
) -> None:
    """Failures are counted by committing them with the answer; a direct client could roll
    them back and guess without a lockout, so these calls belong to the API."""
    alma = await seed.user("alma")
    email = await seed.conn.fetchval(
        "select email::text from auth.users where id = $1", alma.user_id
    )
    conn = await connect()
    attempts = (
        ("anon", "select api.login($1, 'a-wrong-guess')", (email,)),
        ("anon", "select private.login($1, 'a-wrong-guess')", (email,)),
        ("anon", "select api.refresh('whatever-refresh-token')", ()),
    )
    for role, sql, args in attempts:
        with pytest.raises(asyncpg.PostgresError) as caught:
            async with conn.transaction():
                await conn.execute(f"set local role {role}")
                await conn.fetchval(sql, *args)
        assert caught.value.sqlstate in ("PT403", "42501"), (sql, caught.value)
    await conn.execute("select auth.jwt_session_init($1)", sign(published, claims_for(alma)))
    with pytest.raises(asyncpg.PostgresError) as caught:
        async with conn.transaction():
            await conn.execute("set local role authenticated")
            await conn.fetchval("select api.change_password('a-wrong-guess', 'another-new-one')")
    assert caught.value.sqlstate == "PT403"
    assert await seed.conn.fetchval("select count(*) from auth.login_failures") == 0
