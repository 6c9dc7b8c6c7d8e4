"""A request id for every request and the baseline security headers (pure ASGI middleware).

Non-HTTP scopes pass through untouched, but for the request id that websockets also get.
"""

from __future__ import annotations

import itertools
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.common.scope import header

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
# An API answers JSON: nothing in it may load, run or be framed. A route that serves a page
# (/docs) sets its own Content-Security-Policy, which is then left alone.
DEFAULT_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


_PREFIX = uuid.uuid4().hex[:12]  # this process; unique enough across instances
_counter = itertools.count(1)


def _next_id() -> str:
    return f"{_PREFIX}-{next(_counter):x}"


def client_request_id(scope: Scope) -> str | None:
    """The X-Request-ID the client sent, when sane: logged beside ours, trusted for nothing."""
    given = header(scope, b"x-request-id") or ""
    return given if REQUEST_ID_RE.match(given) else None


class RequestContext:
    """Makes every request's id on the server, passes it to SQL (the audit trail) and back.

    A client's own X-Request-ID is kept for the access log only: a client-chosen id in the audit
    trail could tie its actions to another request's, or hide them among someone else's.

    Adds the security headers to every answer; HSTS only when hsts_max_age is given (production:
    a development server on http://localhost must not pin browsers to https).
    """

    def __init__(self, app: ASGIApp, hsts_max_age: int | None = None) -> None:
        self.app = app
        self.hsts: list[tuple[bytes, bytes]] = []
        if hsts_max_age:
            value = f"max-age={hsts_max_age}; includeSubDomains"
            self.hsts = [(b"strict-transport-security", value.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _next_id()
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        state["client_request_id"] = client_request_id(scope)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(b"x-request-id", rid.encode()), *SECURITY_HEADERS, *self.hsts]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *extra]
                if not any(name.lower() == DEFAULT_CSP[0] for name, _ in headers):
                    headers.append(DEFAULT_CSP)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
