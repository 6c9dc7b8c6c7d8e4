"""GET /metrics: Prometheus text for this process.

METRICS_ENABLED=false: 404. METRICS_TOKEN set: `Authorization: Bearer <token>` is required (401
otherwise). METRICS_PORT set: served only on that port, by a second uvicorn server inside the
process, and not on the API's port. Pool and outbox gauges are read at scrape time; the text is
prometheus-client's ASGI app.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

import uvicorn
from prometheus_client import make_asgi_app
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

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


def exposition(state: Any) -> ASGIApp:
    """/metrics as an ASGI app: the checks, the gauges read, then prometheus-client's own app
    (content negotiation, gzip, `name[]` filters)."""
    scrape = make_asgi_app(REGISTRY)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # a WebSocket or lifespan scope: nothing to serve
            return
        settings: Settings = state.settings
        headers = Headers(scope=scope)
        if scope["path"] != "/metrics" or scope["method"] not in ("GET", "HEAD"):
            response = problem(404, "not_found", "No such resource.")
        elif not authorized(settings, headers.get("authorization")):
            detail = "Metrics need 'Authorization: Bearer <METRICS_TOKEN>'."
            response = problem(401, "unauthorized", detail)
        else:
            await refresh(state)
            await scrape(scope, receive, send)
            return
        await response(scope, receive, send)

    return app


class OnApiPort:
    """GET /metrics on the API's own port, unless METRICS_PORT moved it (an ASGI endpoint, so
    prometheus-client's app writes the answer)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        if not state.settings.metrics_enabled or state.settings.metrics_port:
            await problem(404, "not_found", "No such resource.")(scope, receive, send)
            return
        await exposition(state)(scope, receive, send)


def routes() -> list[BaseRoute]:
    return [Route("/metrics", OnApiPort(), methods=["GET"])]


# ---------------------------------------------------------------------------------------------
# METRICS_PORT: a separate listener, e.g. reachable only from the monitoring network.


async def start_server(state: Any, host: str, port: int) -> uvicorn.Server:
    """uvicorn serving `exposition` on its own port, inside this process and its event loop
    (startup, not serve: the signals stay with the process's main server)."""
    config = uvicorn.Config(
        exposition(state), host=host, port=port, lifespan="off", log_config=None, access_log=False
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)  # "off": set as Server.serve would
    await server.startup()
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server
