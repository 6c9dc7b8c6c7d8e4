"""api/ops/health.py: liveness, readiness (database, migrations), and Redis as a soft
dependency."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.app import create_app
from jwks import KeySet

pytestmark = pytest.mark.anyio


@pytest.fixture
def closed_socket(server_tmp_path: Path) -> str:
    """A unix socket path that exists but that nobody listens on any more."""
    path = server_tmp_path / "redis.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
    return str(path)


@pytest.fixture
async def redisless_client(
    db: Any, settings: Any, keyset: KeySet, closed_socket: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The API over the same database, configured with a Redis that does not answer."""
    broken = dataclasses.replace(settings, redis_url=f"unix://{closed_socket}")
    application = create_app(broken, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url=settings.issuer) as http:
            yield http


async def forget_a_migration(db: Any) -> None:
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        deleted = await conn.fetchval(
            "with gone as (delete from migrations.applied"
            " where version = (select min(version) from migrations.applied) returning 1)"
            " select count(*) from gone"
        )
    finally:
        await conn.close()
    assert deleted == 1


async def test_health_reports_every_check_ok(client: httpx.AsyncClient):
    response = await client.get("/health")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "version", "checks"}
    assert body["status"] == "ok"
    assert isinstance(body["version"], str) and body["version"]
    assert body["checks"] == {
        "database": "ok",
        "redis": "ok",
        "migrations": "ok",
        "events": "ok",
    }


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/health/db", "/health/redis"])
async def test_each_health_probe_answers_200_when_all_is_well(client: httpx.AsyncClient, path: str):
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"


async def test_a_pending_migration_makes_the_service_not_ready(client: httpx.AsyncClient, db: Any):
    await forget_a_migration(db)
    ready = await client.get("/health/ready")
    assert ready.status_code == 503, ready.text
    health = await client.get("/health")
    assert health.status_code == 503, health.text
    body = health.json()
    assert body["status"] == "down"
    assert body["checks"]["migrations"] == "pending"
    assert body["checks"]["database"] == "ok"
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/db")).status_code == 200


async def test_redis_down_degrades_the_service_without_making_it_unready(
    redisless_client: httpx.AsyncClient,
):
    health = await redisless_client.get("/health")
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {
        "database": "ok",
        "redis": "down",
        "migrations": "ok",
        "events": "ok",
    }
    redis = await redisless_client.get("/health/redis")
    assert redis.status_code == 503, redis.text
    assert redis.json()["status"] == "down"
    assert (await redisless_client.get("/health/ready")).status_code == 200
    assert (await redisless_client.get("/health/live")).status_code == 200
    assert (await redisless_client.get("/health/db")).status_code == 200


async def test_redis_down_does_not_stop_accounts(redisless_client: httpx.AsyncClient):
    body = {"email": "alma@example.com", "password": "quiet-lantern-meadow"}
    registered = await redisless_client.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    login = await redisless_client.post("/api/v1/auth/login", json=body)
    assert login.status_code == 200, login.text
