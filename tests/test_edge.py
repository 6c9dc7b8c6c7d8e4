"""The edge: security headers, allowed hosts, CORS, the request deadline, per-role statement
timeouts, and what production refuses to start with."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.support.env import production_env

pytestmark = pytest.mark.anyio

# ---------------------------------------------------------------------------------------------
# Headers


# ---------------------------------------------------------------------------------------------
# Allowed hosts


# ---------------------------------------------------------------------------------------------
# CORS


# ---------------------------------------------------------------------------------------------
# Timeouts


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
