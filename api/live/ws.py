"""/api/v1/ws: live updates over a WebSocket (subprotocol `slotbase.v1`).

The token comes in a `bearer.<token>` subprotocol or in the first message (never the URL);
subscribe and unsubscribe are messages, each checked in SQL like the SSE topics. What one socket
may send is budgeted, and subscription checks in flight are capped per identity.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from api.common.errors import Problem
from api.live.hub import HEARTBEAT, Event, Hub, Subscriber, next_event
from api.live.topics import WRITE_TIMEOUT, parse_last_id, parse_topics, subscribe
from api.request.auth import ANON, Identity, identify_caller
from jwks import TokenError

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
