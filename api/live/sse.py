"""GET /api/v1/events: live updates as Server-Sent Events.

The token comes in the Authorization header (never the URL); topics in `?topics=`; a
reconnecting client resumes with Last-Event-ID. Replay first, then live events from the
instance's Hub, heartbeats between; a stream that cannot keep up is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from api.common.errors import Problem, problem
from api.live.hub import HEARTBEAT, Event, Hub, Subscriber, next_event
from api.live.topics import WRITE_TIMEOUT, parse_last_id, parse_topics, subscribe
from api.request.auth import identify_caller
from jwks import TokenError


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator


def sse_frame(event: Event) -> bytes:
    return event.sse


class EventStream(StreamingResponse):
    """The open text/event-stream: replay first, then live events, heartbeats between."""

    def __init__(
        self, hub: Hub, sub: Subscriber, replay: list[Event], gap: bool, heartbeat: float
    ) -> None:
        super().__init__(
            _nothing(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.hub, self.sub, self.replay, self.gap, self.heartbeat = hub, sub, replay, gap, heartbeat

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sub = self.sub

        async def write(data: bytes) -> None:
            async with asyncio.timeout(WRITE_TIMEOUT):
                await send({"type": "http.response.body", "body": data, "more_body": True})

        async def pump() -> None:
            await write(b"retry: 2000\n\n")
            if self.gap:
                await write(b'event: reset\ndata: {"reason": "missed_events"}\n\n')
            replayed = {event.id for event in self.replay}
            for event in self.replay:
                await write(sse_frame(event))
            while True:
                item = await next_event(sub, self.heartbeat)
                if item is HEARTBEAT:
                    await write(b": heartbeat\n\n")
                elif item is None:
                    reason = json.dumps({"reason": sub.closed})
                    await write(f"event: close\ndata: {reason}\n\n".encode())
                    return
                elif item.id not in replayed:
                    await write(sse_frame(item))

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(watch())]
        sub.task = tasks[0]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if tasks[0] in done and not tasks[0].cancelled() and tasks[0].exception() is None:
                with contextlib.suppress(Exception):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.hub.remove(sub)


async def events(request: Request) -> Response:
    state = request.app.state
    hub: Hub = state.hub
    sub: Subscriber | None = None
    try:
        unknown = sorted(set(request.query_params) - {"topics"})
        if unknown:
            raise Problem(422, "unknown_field", "Unknown query parameter: " + unknown[0] + ".")
        identity = identify_caller(request.scope, request.headers.get("authorization"))
        topics = parse_topics(request.query_params.get("topics"), identity)
        last_id = parse_last_id(request.headers.get("last-event-id"))
        settings = state.settings
        sub = Subscriber(identity, set(), "sse", settings.events_queue_size)
        hub.add(sub)
        replay, gap = await subscribe(hub, sub, topics, last_id)
    except TokenError as exc:
        return problem(401, exc.code, exc.detail)
    except Problem as exc:
        if sub is not None:
            hub.remove(sub)
        return exc.answer()
    except BaseException:
        if sub is not None:
            hub.remove(sub)
        raise
    return EventStream(hub, sub, replay, gap, float(settings.events_heartbeat_seconds))
