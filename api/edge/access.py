"""The access log and the request metrics: one line per request, written when it ends.

Fields: method, route (the template, e.g. /api/v1/bookings/{booking_id}, never the raw path or
query string), status, duration_ms, request_id (ours), client_request_id (the client's
X-Request-ID, when it sent a sane one), user_id (the verified `sub`, when there was one)
and client (the proxy-resolved address when the rate limiter's proxy layer stored one). Headers,
tokens and bodies are never logged.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import Counter, Histogram
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.common.metrics import LATENCY, REQUESTS

log = logging.getLogger("slotbase.access")
UNMATCHED = "(unmatched)"  # bounded label for 404s, so a scan cannot blow up the metrics
# The labelled series of each (route, method, status) seen: .labels() costs more than the update.
_SERIES: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    # Answered above the router (a refused host, a preflight, a timeout): match it here.
    app = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        try:
            match, _ = candidate.matches(scope)
        except Exception:  # a scope a route cannot judge is simply not that route
            continue
        if match == Match.FULL:
            return str(getattr(candidate, "path", UNMATCHED))
    return UNMATCHED


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
            elif kind == "websocket.accept":
                status = 101
            elif kind == "websocket.close" and not status:
                status = 403  # closed before accepting: the handshake was refused
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except BaseException:
            status = status or 500
            raise
        finally:
            self._record(scope, status, time.perf_counter() - start)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        route = route_of(scope)
        method = scope.get("method", "WS")
        key = (route, method, status)
        series = _SERIES.get(key)
        if series is None:
            series = _SERIES[key] = (
                REQUESTS.labels(route, method, str(status)),
                LATENCY.labels(route, method),
            )
        requests, latency = series
        requests.inc()
        latency.observe(seconds)
        if not log.isEnabledFor(logging.INFO):
            return
        state = scope.get("state", {})
        client = state.get("client_ip") or (scope.get("client") or (None,))[0]
        fields = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "request_id": state.get("request_id"),
            "client_request_id": state.get("client_request_id"),
            "user_id": state.get("user_id"),
            "client": client,
        }
        log.info("%s %s %s", method, route, status, extra={"fields": fields})
