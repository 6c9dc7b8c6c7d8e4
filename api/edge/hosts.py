"""The Host header checked against ALLOWED_HOSTS: exact names and `*.example.com` patterns.

A request for another host is refused with 400 invalid_host (a DNS-rebinding page, a stray
vhost). /health and /health/* answer any host: load balancers probe by address.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from api.common.errors import problem
from api.edge.context import header


def _host(scope: Scope) -> str:
    host = (header(scope, b"host") or "").strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AllowedHosts:
    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ("*",)) -> None:
        self.app = app
        names = [h.strip().lower() for h in allowed]
        self.any = "*" in names
        self.exact = {h for h in names if not h.startswith("*.")}
        self.suffixes = tuple(h[1:] for h in names if h.startswith("*."))  # ".example.com"

    def allows(self, host: str) -> bool:
        return self.any or host in self.exact or (bool(host) and host.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if self.allows(_host(scope)) or path == "/health" or path.startswith("/health/"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "invalid_host"})
            return
        response = problem(400, "invalid_host", "This server does not answer for that host name.")
        await response(scope, receive, send)
