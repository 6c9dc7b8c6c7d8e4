"""A deadline per request (REQUEST_TIMEOUT_SECONDS): past it the work is cancelled and, if no
answer has started, the client gets 504 timeout. Live streams (/api/v1/events, websockets) are
long-lived by design and exempt.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.common.errors import problem
from api.request.routes import PREFIX

EXEMPT = (PREFIX + "/events",)


class Deadline:
    def __init__(self, app: ASGIApp, seconds: float = 30) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, watch)
        except TimeoutError:
            if started:
                raise  # half an answer is out; only closing the connection is left
            detail = f"The request took longer than {self.seconds:g} seconds and was cancelled."
            await problem(504, "timeout", detail)(scope, receive, send)
