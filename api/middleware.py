"""Pure ASGI middleware: a request id for every request, and the baseline security headers.

Non-HTTP scopes pass through untouched.
"""

from __future__ import annotations

import itertools
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


_PREFIX = uuid.uuid4().hex[:12]  # this process; unique enough across instances
_counter = itertools.count(1)


def _next_id() -> str:
    return f"{_PREFIX}-{next(_counter):x}"


class RequestContext:
    """Takes X-Request-ID when it is sane, else makes one; passes it to SQL and back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        request_id = given if REQUEST_ID_RE.match(given) else _next_id()
        scope.setdefault("state", {})["request_id"] = request_id
        extra = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
