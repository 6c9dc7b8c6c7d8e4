"""GET /metrics: Prometheus text for this process.

METRICS_ENABLED=false: 404. METRICS_TOKEN set: `Authorization: Bearer <token>` is required (401
otherwise). METRICS_PORT set: served only on that port, by a small server inside the process,
and not on the API's port. Pool and outbox gauges are read at scrape time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.common.errors import problem
from api.common.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, POOL_CONNECTIONS, REGISTRY
from api.common.settings import Settings

log = logging.getLogger("slotbase")
BACKLOG = "select pending, oldest_age_seconds from private.outbox_backlog()"
TIMEOUT = 2.0


async def refresh(state: Any) -> None:
    """Set the gauges that describe a state, from the pool and the database."""
    pool = getattr(state, "pool", None)
    if pool is None:
        return
    idle = pool.get_idle_size()
    POOL_CONNECTIONS.labels("idle").set(idle)
    POOL_CONNECTIONS.labels("in_use").set(pool.get_size() - idle)
    try:
        async with asyncio.timeout(TIMEOUT), pool.acquire() as conn:
            row = await conn.fetchrow(BACKLOG)
        OUTBOX_BACKLOG.set(row["pending"])
        OUTBOX_OLDEST_AGE.set(row["oldest_age_seconds"])
    except Exception:  # a scrape still answers when the database does not
        log.warning("metrics: cannot read the outbox backlog", exc_info=True)


def authorized(settings: Settings, authorization: str | None) -> bool:
    if not settings.metrics_token:
        return True
    expected = f"Bearer {settings.metrics_token}".encode()
    return hmac.compare_digest((authorization or "").encode(), expected)


async def render(state: Any) -> bytes:
    await refresh(state)
    return generate_latest(REGISTRY)


async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if not settings.metrics_enabled or settings.metrics_port:
        return problem(404, "not_found", "No such resource.")
    if not authorized(settings, request.headers.get("authorization")):
        return problem(401, "unauthorized", "Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.")
    body = await render(request.app.state)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def routes() -> list[BaseRoute]:
    return [Route("/metrics", metrics, methods=["GET"])]


# ---------------------------------------------------------------------------------------------
# METRICS_PORT: a separate listener, e.g. reachable only from the monitoring network.


async def _answer(state: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    settings: Settings = state.settings
    try:
        async with asyncio.timeout(10):
            head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, *_ = [*lines[0].split(" "), "", ""][:3]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)
        }
        if method != "GET" or path.split("?")[0] != "/metrics":
            status, kind, body = "404 Not Found", "text/plain", b"not found\n"
        elif not authorized(settings, headers.get("authorization")):
            status, kind, body = "401 Unauthorized", "text/plain", b"unauthorized\n"
        else:
            status, kind, body = "200 OK", CONTENT_TYPE_LATEST, await render(state)
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def start_server(state: Any, host: str, port: int) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer(state, reader, writer)

    server = await asyncio.start_server(handle, host, port)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server
