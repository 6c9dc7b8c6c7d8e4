"""api/asgi.py: the app a process manager builds from the environment
(`uvicorn --factory api.asgi:app_from_env`): bad settings stop it with one line, good ones give
an app that connects as authenticator."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.asgi import app_from_env
from tests.support.env import production_env

pytestmark = pytest.mark.anyio
SLOTBASE_ENV = (
    "ENVIRONMENT", "HOST", "PORT", "DATABASE_URL", "API_DATABASE_URL", "AUTHENTICATOR_PASSWORD",
    "REDIS_URL", "JWT_PRIVATE_KEY", "JWT_KEY_ID", "JWT_PUBLIC_KEYS", "JWT_KEYS_DIR", "JWT_ISSUER",
    "FIRST_SUPERUSER_EMAIL", "FIRST_SUPERUSER_PASSWORD", "DATA_DIR", "DEBUG", "METRICS_TOKEN",
    "METRICS_PORT", "LOG_FORMAT", "LOG_LEVEL", "DATABASE_READ_URLS", "DIRECT_DATABASE_URL",
)  # fmt: skip


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No slotbase setting leaks in from the caller; keys go to a directory of the test's own."""
    for name in SLOTBASE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


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


def test_without_a_database_the_factory_stops_and_says_what_to_set(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "slotbase: set API_DATABASE_URL or DATABASE_URL\n"


async def test_the_app_from_the_environment_connects_as_authenticator(
    environment: pytest.MonkeyPatch,
    root_logging: logging.Logger,
    db: Any,
    redis_url: str,
) -> None:
    environment.setenv("DATABASE_URL", db.admin_dsn)
    environment.setenv("REDIS_URL", redis_url)
    environment.setenv("LOG_FORMAT", "text")
    app = app_from_env()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            assert (await http.get("/health/ready")).status_code == 200
        conn = await asyncpg.connect(db.admin_dsn)
        try:
            users = await conn.fetch(
                "select distinct usename from pg_stat_activity"
                " where datname = $1 and pid <> pg_backend_pid()",
                db.name,
            )
        finally:
            await conn.close()
    assert {r["usename"] for r in users} == {"authenticator"}
    assert [type(h.formatter).__name__ for h in root_logging.handlers] == ["TextFormatter"]
