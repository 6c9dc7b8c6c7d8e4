"""The Host header checked against ALLOWED_HOSTS: exact names and `*.example.com` patterns.

Starlette's TrustedHostMiddleware decides; this subclass gives its refusal slotbase's shape (400
invalid_host as problem+json, and a WebSocket closed with 1008), never redirects to `www.`, and
lets /health and /health/* answer any host: load balancers probe by address. A request for
another host is a DNS-rebinding page or a stray vhost.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.common.errors import problem

PASSED = "slotbase.host_allowed"  # set in the scope when the parent let the request through


class AllowedHosts(TrustedHostMiddleware):
    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ("*",)) -> None:
        names = [h.strip().lower() for h in allowed]
        super().__init__(self._through, allowed_hosts=names, www_redirect=False)
        self.inner = app

    async def _through(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[PASSED] = True
        await self.inner(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path == "/health" or path.startswith("/health/"):
            await self.inner(scope, receive, send)
            return
        refused = False

        async def answer(message: Message) -> None:
            nonlocal refused
            if scope.get(PASSED):
                await send(message)
                return
            if refused:
                return  # the rest of the parent's plain-text refusal
            refused = True
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": "invalid_host"})
                return
            detail = "This server does not answer for that host name."
            await problem(400, "invalid_host", detail)(scope, receive, send)

        await super().__call__(scope, receive, answer)
