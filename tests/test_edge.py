"""The edge: security headers, allowed hosts, CORS, the request deadline, per-role statement
timeouts, and what production refuses to start with."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from api.common.settings import Settings
from jwks import KeySet
from tests.support.app import SLOW, admin, serve
from tests.support.env import production_env
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio

# ---------------------------------------------------------------------------------------------
# Headers


# ---------------------------------------------------------------------------------------------
# Allowed hosts


# ---------------------------------------------------------------------------------------------
# CORS


# ---------------------------------------------------------------------------------------------
# Timeouts


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


async def test_migrations_give_the_api_roles_a_statement_timeout(db: Any):
    from api.ops.migrate import migrate

    await migrate(db.admin_dsn)  # the bootstrap runs on every start
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        rows = await conn.fetch(
            "select setrole::regrole::text as role, setconfig from pg_db_role_setting"
            " where setdatabase = (select oid from pg_database where datname = $1)",
            db.name,
        )
    finally:
        await conn.close()
    found = {r["role"]: r["setconfig"] for r in rows}
    assert found["anon"] == ["statement_timeout=5s"]
    assert found["authenticated"] == ["statement_timeout=8s"]


# ---------------------------------------------------------------------------------------------
# Production refuses development defaults


def test_the_asgi_factory_stops_with_one_line_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from api.asgi import app_from_env

    for name, value in production_env(DEBUG="true").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DEBUG must be off" in err and "Traceback" not in err
