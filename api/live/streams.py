"""The live-update endpoints: GET /api/v1/events (Server-Sent Events) and /api/v1/ws (WebSocket).

Both subscribe to the instance's Hub (api/live/events.py) after SQL has checked the topics under the
caller's identity (api.event_topics), and resume from an event id through api.events_since.
Tokens never travel in the URL: SSE takes the Authorization header; the WebSocket takes the
token in a `bearer.<token>` subprotocol or in its first message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from api.common.errors import Problem, problem
from api.live.events import Event, Hub, Subscriber
from api.request.auth import ANON, Identity, identify_caller
from jwks import TokenError

WRITE_TIMEOUT = 10.0  # a client that takes longer to accept one write is dropped
REPLAY_MAX = 1000  # events replayed on resume; beyond it the client is told to reload
MAX_TOPICS_TEXT = 8192
MAX_MESSAGE = 65536
SUBPROTOCOL = "slotbase.v1"

# WebSocket close codes (4000-4999 are the application's)
CLOSE_BAD_MESSAGE = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_SLOW = 4408
CLOSE_RESYNC = 4409
CLOSE_RATE_LIMITED = 4429
# What one socket may send: a burst, then a steady rate (messages per second). Subscribing runs
# SQL; each identity (a user, or an address without a token) may have this many subscriptions
# being checked at once, across all its sockets on this instance.
MESSAGE_BURST = 20
MESSAGES_PER_SECOND = 5.0
SUBSCRIBES_IN_FLIGHT = 2


def parse_topics(raw: Any, identity: Identity) -> list[str]:
    """Topic names, availability ids normalized; SQL judges whether they may be had."""
    if raw is None or raw == "":
        if identity.anon:
            raise Problem(
                422, "validation_failed", "Name topics: bookings, or availability:<provider id>."
            )
        return ["bookings"]
    if isinstance(raw, str):
        if len(raw) > MAX_TOPICS_TEXT:
            raise Problem(422, "validation_failed", "Too many topics.")
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise Problem(422, "validation_failed", "topics is a list of topic names.")
    topics: list[str] = []
    for item in raw:
        topic = item.strip()
        name, colon, rest = topic.partition(":")
        if colon and name == "availability":
            with contextlib.suppress(ValueError):
                topic = "availability:" + str(uuid.UUID(rest))
        if topic not in topics:
            topics.append(topic)
    return topics


def parse_last_id(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 18:
        raise Problem(422, "validation_failed", "Last-Event-ID must be an event id.")
    return int(text)


async def subscribe(
    hub: Hub, sub: Subscriber, topics: list[str], last_id: int | None
) -> tuple[list[Event], bool]:
    """Check the topics in SQL, start live delivery, and fetch what was missed since last_id.

    Live delivery starts before the replay is read, so nothing committed in between is lost;
    the stream drops the overlap by id.
    """
    hub.set_topics(sub, set(sub.topics) | set(topics))
    try:
        checked = await hub.call(sub.identity, "event_topics", {"topics": topics})
        hub.set_topics(sub, (set(sub.topics) - set(topics)) | set(checked))
        replay: list[Event] = []
        gap = False
        after = last_id
        while after is not None and len(replay) < REPLAY_MAX:
            page = await hub.call(
                sub.identity, "events_since", {"after": after, "topics": checked, "lim": 200}
            )
            gap = gap or bool(page.get("gap"))
            replay.extend(Event.from_json(item) for item in page["items"])
            cursor = page.get("next_cursor")
            after = int(cursor) if cursor else None
        if after is not None:
            gap = True  # more than a replay can carry: reload instead
            replay = []
    except Problem:  # forward.call raises every failure as one, the database being away too
        hub.set_topics(sub, set(sub.topics) - set(topics))
        raise
    for event in replay:
        sub.remember(event.id)
    return replay, gap


# ---------------------------------------------------------------------------------------------
# Server-Sent Events


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


HEARTBEAT = Event(0, "", "", "")


async def next_event(sub: Subscriber, heartbeat: float) -> Event | None:
    """The next event, HEARTBEAT after a quiet interval, or None once the stream is closed."""
    if not sub.queue.empty():  # the common case under load: no timer, no task
        return sub.queue.get_nowait()
    wait = heartbeat
    if sub.expires_at is not None:
        wait = min(wait, max(0.0, sub.expires_at - time.time()))
    try:
        return await asyncio.wait_for(sub.queue.get(), wait)
    except TimeoutError:
        if sub.expired():
            sub.close("token_expired")
            return sub.queue.get_nowait()
        return HEARTBEAT


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


# ---------------------------------------------------------------------------------------------
# WebSocket


class MessageBudget:
    """A token bucket: `burst` messages at once, refilled at `rate` per second."""

    def __init__(self, burst: int = MESSAGE_BURST, rate: float = MESSAGES_PER_SECOND) -> None:
        self.burst, self.rate = burst, rate
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class InFlight:
    """How many subscriptions each identity has being checked in SQL right now."""

    def __init__(self, limit: int = SUBSCRIBES_IN_FLIGHT) -> None:
        self.limit = limit
        self.counts: dict[str, int] = {}

    @contextlib.contextmanager
    def slot(self, who: str) -> Iterator[bool]:
        if self.counts.get(who, 0) >= self.limit:
            yield False
            return
        self.counts[who] = self.counts.get(who, 0) + 1
        try:
            yield True
        finally:
            self.counts[who] -= 1
            if not self.counts[who]:
                del self.counts[who]


SUBSCRIBING = InFlight()


class Socket:
    """One WebSocket: the reader answers the client's messages, the writer sends its events."""

    def __init__(self, websocket: WebSocket, hub: Hub, queue_size: int, heartbeat: float) -> None:
        self.ws, self.hub, self.heartbeat = websocket, hub, heartbeat
        self.queue_size = queue_size
        self.budget = MessageBudget()
        self.sub: Subscriber | None = None
        self.identity: Identity = ANON
        self.ready = asyncio.Event()
        self.lock = asyncio.Lock()

    async def send_text(self, text: str) -> None:
        async with self.lock, asyncio.timeout(WRITE_TIMEOUT):
            await self.ws.send_text(text)

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_text(json.dumps(message, separators=(",", ":")))

    async def send_event(self, event: Event) -> None:
        await self.send_text('{"type":"event","event":' + event.text + "}")

    def _subscriber(self) -> Subscriber:
        if self.sub is None:
            self.sub = Subscriber(self.identity, set(), "ws", self.queue_size)
            self.hub.add(self.sub)
            self.ready.set()
        return self.sub

    def _identify(self, token: str) -> Identity:
        try:
            return identify_caller(self.ws.scope, "Bearer " + token)
        except TokenError as exc:
            raise Problem(401, exc.code, exc.detail) from exc

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "auth":
            if self.sub is not None or not self.identity.anon:
                raise Problem(422, "validation_failed", "Authenticate once, first.")
            token = message.get("token")
            if not isinstance(token, str) or not token:
                raise Problem(401, "malformed_token", "token is the access token, a string.")
            self.identity = self._identify(token)
            await self.send({"type": "authenticated"})
        elif kind in ("subscribe", "unsubscribe"):
            try:
                topics = parse_topics(message.get("topics"), self.identity)
                last_id = parse_last_id(message.get("last_event_id"))
            except Problem as exc:  # a bad request, not a bad connection
                await self.send({"type": "error", "code": exc.code, "detail": exc.detail})
                return
            sub = self._subscriber()
            if kind == "unsubscribe":
                self.hub.set_topics(sub, sub.topics - set(topics))
                await self.send({"type": "unsubscribed", "topics": topics})
                return
            address = str(self.ws.scope.get("state", {}).get("client_key"))
            who = self.identity.sub or f"address:{address}"
            with SUBSCRIBING.slot(who) as allowed:
                if not allowed:
                    await self.send(
                        {
                            "type": "error",
                            "code": "rate_limited",
                            "detail": "Other subscriptions of yours are being checked; try again.",
                            "topics": topics,
                        }
                    )
                    return
                try:
                    replay, gap = await subscribe(self.hub, sub, topics, last_id)
                except Problem as exc:
                    await self.send(
                        {
                            "type": "error",
                            "status": exc.status,
                            "code": exc.code,
                            "detail": exc.detail,
                            "topics": topics,
                        }
                    )
                    return
            await self.send({"type": "subscribed", "topics": sorted(sub.topics)})
            if gap:
                await self.send({"type": "reset", "reason": "missed_events"})
            for event in replay:
                await self.send_event(event)
        else:
            raise Problem(422, "validation_failed", "Unknown message type.")

    async def read(self) -> None:
        while True:
            text = await self.ws.receive_text()
            if not self.budget.take():
                raise Problem(
                    429, "rate_limited", "Too many messages on this socket; reconnect later."
                )
            if len(text) > MAX_MESSAGE:
                raise Problem(422, "payload_too_large", "A message may be at most 64 KiB.")
            try:
                message = json.loads(text)
            except ValueError:
                raise Problem(422, "invalid_json", "Messages are JSON objects.") from None
            if not isinstance(message, dict):
                raise Problem(422, "validation_failed", "Messages are JSON objects.")
            await self.handle(message)

    async def write(self) -> None:
        while not self.ready.is_set():
            try:
                await asyncio.wait_for(self.ready.wait(), self.heartbeat)
            except TimeoutError:
                await self.send({"type": "heartbeat"})
        sub = self.sub
        assert sub is not None
        while True:
            event = await next_event(sub, self.heartbeat)
            if event is HEARTBEAT:
                await self.send({"type": "heartbeat"})
            elif event is None:
                raise Problem(401, sub.closed or "closed", "The stream was closed.")
            else:
                await self.send_event(event)


def close_code(status: int, code: str) -> int:
    if code == "resync":
        return CLOSE_RESYNC
    if status == 429:
        return CLOSE_RATE_LIMITED
    if status == 401:
        return CLOSE_UNAUTHORIZED
    if status == 503:
        return 1013  # try again later
    return CLOSE_BAD_MESSAGE


async def websocket_endpoint(websocket: WebSocket) -> None:
    state = websocket.app.state
    offered = websocket.scope.get("subprotocols") or []
    token = next((p[len("bearer.") :] for p in offered if p.startswith("bearer.")), None)
    await websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
    socket = Socket(
        websocket, state.hub, state.settings.events_queue_size,
        float(state.settings.events_heartbeat_seconds),
    )  # fmt: skip
    tasks: list[asyncio.Task[Any]] = []
    code, reason = 1000, ""
    try:
        if token:
            socket.identity = socket._identify(token)
        tasks = [asyncio.ensure_future(socket.read()), asyncio.ensure_future(socket.write())]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    except Problem as exc:
        code, reason = close_code(exc.status, exc.code), exc.code
        with contextlib.suppress(Exception):
            await socket.send({"type": "error", "code": exc.code, "detail": exc.detail})
    except (WebSocketDisconnect, OSError, asyncio.CancelledError, TimeoutError):
        code = 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if socket.sub is not None:
            if socket.sub.closed == "slow":
                code, reason = CLOSE_SLOW, "slow"
            state.hub.remove(socket.sub)
        if code and websocket.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close(code=code, reason=reason[:120])
