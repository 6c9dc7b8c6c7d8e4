"""api/request/db.py: one call per request on a pooled connection, retries of conflicts, each
role's statement timeout, and telling a database that is away from a call that went wrong."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from api.common.settings import Settings
from api.request import db as calls
from api.request.catalog import Catalog
from jwks import KeySet
from tests.support.app import SLOW, admin, serve
from tests.support.problems import assert_problem
from tests.support.sqlstates import raised

pytestmark = pytest.mark.anyio


async def test_each_roles_statement_timeout_answers_504(
    db: Any, settings: Settings, keyset: KeySet, make_account: Any
):
    await admin(
        db,
        SLOW,
        f"alter role anon in database \"{db.name}\" set statement_timeout = '200ms'",
        f"alter role authenticated in database \"{db.name}\" set statement_timeout = '1s'",
    )
    try:
        async with serve(db, settings, keyset) as http:
            anon = await http.post("/api/v1/rpc/slow", json={"p_seconds": 0.6})
            assert_problem(anon, 504, "timeout")
            email, password = "tove@example.com", "velvet-otter-harbour"
            await http.post("/api/v1/auth/register", json={"email": email, "password": password})
            login = await http.post(
                "/api/v1/auth/login", json={"email": email, "password": password}
            )
            auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
            signed_in = await http.post("/api/v1/rpc/slow", json={"p_seconds": 0.6}, headers=auth)
            assert signed_in.status_code == 200, signed_in.text  # 1 s for authenticated
            late = await http.post("/api/v1/rpc/slow", json={"p_seconds": 1.5}, headers=auth)
            assert_problem(late, 504, "timeout")
    finally:
        await admin(
            db,
            f'alter role anon in database "{db.name}" reset statement_timeout',
            f'alter role authenticated in database "{db.name}" reset statement_timeout',
        )


async def test_a_statement_cancelled_by_the_server_is_a_504_not_a_500(
    db: Any, settings: Settings, keyset: KeySet
):
    await admin(
        db, SLOW, f'alter role authenticator in database "{db.name}" set statement_timeout = 200'
    )
    try:
        async with serve(db, settings, keyset) as http:
            response = await http.post("/api/v1/rpc/slow", json={"p_seconds": 2})
        assert_problem(response, 504, "timeout")
    finally:
        await admin(db, f'alter role authenticator in database "{db.name}" reset all')


@pytest.fixture
async def pool(db: Any) -> AsyncIterator[asyncpg.Pool]:
    """The API's own pool: as authenticator, on the test's database."""
    opened = await calls.create_pool(db.dsn_as("authenticator"), min_size=1, max_size=2)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.mark.parametrize(
    ("sqlstate", "away"),
    [
        ("08006", True),
        ("08001", True),
        ("57P01", True),
        ("57P02", True),
        ("57P03", True),
        ("53300", True),
        ("57014", False),  # a statement timeout: the call was too slow, the server is there
        ("40001", False),
        ("23505", False),
        ("42501", False),
        ("XX000", False),
    ],
)
async def test_a_database_that_is_away_is_told_from_a_call_that_went_wrong(
    pg_conn: Any, sqlstate: str, away: bool
) -> None:
    exc = await raised(pg_conn, sqlstate, "what the server says")
    assert calls.unavailable(exc) is away
    assert calls.unavailable(exc, read_only=False) is away


async def test_a_write_refused_as_read_only_means_a_standby_but_a_read_means_a_wrong_call(
    pg_conn: Any,
) -> None:
    exc = await raised(pg_conn, "25006", "cannot execute insert in a read-only transaction")
    assert calls.unavailable(exc, read_only=False)  # a failover demoted the server reached
    assert not calls.unavailable(exc, read_only=True)  # a GET of a volatile function: 405


def test_a_broken_connection_is_away_and_other_python_errors_are_not() -> None:
    assert calls.unavailable(ConnectionResetError("reset by peer"))
    assert calls.unavailable(asyncpg.ConnectionDoesNotExistError("closed"))
    assert calls.unavailable(asyncpg.InternalClientError("another operation is in progress"))
    assert not calls.unavailable(ValueError("not the database"))


async def test_away_raises_unavailable_for_an_outage_or_a_timeout_and_nothing_else(
    pg_conn: Any,
) -> None:
    for outage in (await raised(pg_conn, "57P01", "terminating"), TimeoutError(), OSError()):
        with pytest.raises(calls.Unavailable), calls.away():
            raise outage
    wrong = await raised(pg_conn, "23505", "duplicate key")
    with pytest.raises(asyncpg.UniqueViolationError), calls.away():
        raise wrong
    with pytest.raises(KeyError), calls.away():
        raise KeyError("x")


def test_wal_positions_read_as_numbers_in_their_order() -> None:
    assert calls.lsn("0/0") == 0
    assert calls.lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert calls.lsn("0/FFFFFFFF") < calls.lsn("1/0") < calls.lsn("1/1") < calls.lsn("A/0")


async def test_each_api_roles_statement_timeout_is_read_in_the_servers_units(
    db: Any, pool: asyncpg.Pool
) -> None:
    def setting(role: str, value: str) -> str:
        return f"alter role {role} in database \"{db.name}\" set statement_timeout = '{value}'"

    try:
        await admin(db, setting("anon", "1500ms"), setting("authenticated", "2min"))
        assert await calls.role_timeouts(pool) == {"anon": 1.5, "authenticated": 120.0}
        await admin(db, setting("authenticated", "0"))  # 0: no timeout
        assert await calls.role_timeouts(pool) == {"anon": 1.5}
    finally:
        await admin(
            db,
            f'alter role anon in database "{db.name}" reset statement_timeout',
            f'alter role authenticated in database "{db.name}" reset statement_timeout',
        )
    assert await calls.role_timeouts(pool) == {}


async def test_a_call_answers_the_functions_json_as_text_and_a_write_its_wal_position(
    db: Any, pool: asyncpg.Pool
) -> None:
    catalog = await Catalog.load(pool)
    args = {"email": "a@example.com", "password": "velvet-otter-harbour"}
    _, sql = catalog.prepare("register", args, anon=True)
    result = await calls.call(
        pool,
        sql,
        args,
        role="anon",
        claims=None,
        context='{"id": "test-1"}',
        read_only=False,
        wal=True,
    )
    assert result.status == 200 and isinstance(result.body, str)
    assert json.loads(result.body)["email"] == "a@example.com"
    assert result.wal is not None and result.wal > 0


async def test_a_serialization_failure_is_tried_three_times_then_raised(
    db: Any, pool: asyncpg.Pool
) -> None:
    await admin(
        db,
        "create sequence public.tries",
        "grant usage on sequence public.tries to anon",
        """
        create function api.always_in_conflict() returns json
        language plpgsql volatile security invoker set search_path = '' as $$
        begin
          perform pg_catalog.nextval('public.tries');
          raise exception using errcode = '40001', message = 'could not serialize access';
        end $$
        """,
        "grant execute on function api.always_in_conflict() to anon",
    )
    catalog = await Catalog.load(pool)
    _, sql = catalog.prepare("always_in_conflict", {}, anon=True)
    with pytest.raises(asyncpg.SerializationError):
        await calls.call(pool, sql, {}, role="anon", claims=None, context="{}", read_only=False)
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        # A sequence is not rolled back: it counts every attempt.
        assert await conn.fetchval("select last_value from public.tries") == calls.RETRIES
    finally:
        await conn.close()
