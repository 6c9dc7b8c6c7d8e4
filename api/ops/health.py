"""Health endpoints: liveness, readiness (database answers and migrations are current), detail."""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api import VERSION
from api.ops import migrate

TIMEOUT = 2.0


async def check_database(request: Request) -> tuple[bool, bool]:
    """(database answers, migrations current)."""
    try:
        async with asyncio.timeout(TIMEOUT):
            async with request.app.state.pool.acquire() as conn:
                status = await migrate.read_status(conn)
        return True, status.current
    except Exception:
        return False, False


async def check_redis(request: Request) -> bool:
    try:
        async with asyncio.timeout(TIMEOUT):
            return bool(await request.app.state.redis.execute("PING") == b"PONG")
    except Exception:
        return False


def _json(data: dict, status: int) -> Response:
    headers = {"Retry-After": "5"} if status == 503 else None
    body = json.dumps(data).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")


async def health(request: Request) -> Response:
    (database, migrations), redis = await asyncio.gather(
        check_database(request), check_redis(request)
    )
    limiter = getattr(request.app.state, "limiter", None)
    if limiter is not None:
        await limiter.recheck()
    shared = limiter is None or limiter.shared  # per-process limits while Redis was away
    listening = request.app.state.listener.connected.is_set()
    if not (database and migrations):
        status = "down"
    else:
        status = "ok" if redis and listening and shared else "degraded"
    checks = {
        "database": "ok" if database else "down",
        "redis": "ok" if redis else "down",
        "migrations": "ok" if migrations else ("pending" if database else "unknown"),
        # Live updates: the one LISTEN connection of this instance (reconnects by itself).
        "events": "ok" if listening else "down",
    }
    if limiter is not None:
        checks["rate_limits"] = "shared" if shared else "local"
    router = request.app.state.router
    if router.enabled:
        # "2/2": replicas taking reads; the primary takes every read the others cannot.
        taking = sum(replica.up for replica in router.replicas)
        checks["replicas"] = f"{taking}/{len(router.replicas)}"
        if taking < len(router.replicas) and status == "ok":
            status = "degraded"
    body = {"status": status, "version": VERSION, "checks": checks}
    return _json(body, 503 if status == "down" else 200)


async def live(request: Request) -> Response:
    return _json({"status": "ok"}, 200)


async def ready(request: Request) -> Response:
    database, migrations = await check_database(request)
    ok = database and migrations
    return _json({"status": "ok" if ok else "down"}, 200 if ok else 503)


async def database(request: Request) -> Response:
    ok, _ = await check_database(request)
    return _json({"status": "ok" if ok else "down"}, 200 if ok else 503)


async def redis(request: Request) -> Response:
    ok = await check_redis(request)
    return _json({"status": "ok" if ok else "down"}, 200 if ok else 503)


def routes() -> list[BaseRoute]:
    return [
        Route("/health", health, methods=["GET"]),
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
        Route("/health/db", database, methods=["GET"]),
        Route("/health/redis", redis, methods=["GET"]),
    ]
