"""Live-update clients for tests: the app in a real uvicorn server, an SSE reader, a WebSocket;
and the salon whose bookings the live-update tests watch.

httpx's ASGI transport buffers whole responses, so streams are tested over real sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from tests.support.bookings import API, Seed, local

WAIT = 10.0  # seconds an expected event may take
QUIET = 0.6  # seconds of silence that show an event is not coming


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an app whose lifespan already runs; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(task, 10)
        sock.close()


@dataclass
class Sse:
    """One open event stream: frames arrive in `frames` as dicts (id, event, data, comment)."""

    response: httpx.Response
    frames: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    async def _read(self) -> None:
        frame: dict[str, Any] = {}
        try:
            async for line in self.response.aiter_lines():
                if line == "":
                    if frame:
                        await self.frames.put(frame)
                    frame = {}
                elif line.startswith(":"):
                    await self.frames.put({"comment": line[1:].strip()})
                else:
                    name, _, value = line.partition(":")
                    frame[name] = value[1:] if value.startswith(" ") else value
        except (httpx.HTTPError, asyncio.CancelledError):
            pass
        finally:
            self.ended.set()

    async def next(self, wait: float = WAIT, *, comments: bool = False) -> dict[str, Any]:
        while True:
            frame = await asyncio.wait_for(self.frames.get(), wait)
            if "comment" in frame and not comments:
                continue
            return frame

    async def event(self, wait: float = WAIT) -> dict[str, Any]:
        """The next data event, parsed."""
        while True:
            frame = await self.next(wait)
            if "data" in frame and "event" not in frame:
                return {"_id": frame.get("id"), **json.loads(frame["data"])}
            if frame.get("event") == "close":
                raise AssertionError(f"stream closed: {frame}")

    async def quiet(self, seconds: float = QUIET) -> list[dict[str, Any]]:
        """Data events that arrive within `seconds` (expected: none)."""
        got = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    frame = await self.next(seconds)
                    if "data" in frame:
                        got.append(frame)
        return got


@contextlib.asynccontextmanager
async def sse(
    base: str, topics: str | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[Sse]:
    params = {"topics": topics} if topics is not None else {}
    async with (
        httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(WAIT, read=None)) as http,
        http.stream("GET", "/api/v1/events", params=params, headers=headers or {}) as response,
    ):
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = Sse(response)
        stream.task = asyncio.ensure_future(stream._read())
        first = await stream.next()
        assert first == {"retry": "2000"}, first  # subscribed: live delivery has started
        try:
            yield stream
        finally:
            stream.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stream.task


class Ws:
    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn

    async def send(self, message: dict[str, Any]) -> None:
        await self.conn.send(json.dumps(message))

    async def recv(self, wait: float = WAIT) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.conn.recv(), wait))
            if message.get("type") != "heartbeat":
                return dict(message)

    async def subscribe(self, *topics: str, last_event_id: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "subscribe", "topics": list(topics)}
        if last_event_id is not None:
            body["last_event_id"] = last_event_id
        await self.send(body)
        return await self.recv()

    async def event(self, wait: float = WAIT) -> dict[str, Any]:
        message = await self.recv(wait)
        assert message["type"] == "event", message
        return dict(message["event"])

    async def quiet(self, seconds: float = QUIET) -> list[dict[str, Any]]:
        got = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    got.append(await self.recv(seconds))
        return got


@contextlib.asynccontextmanager
async def ws(base: str, token: str | None = None, *, via: str = "protocol") -> AsyncIterator[Ws]:
    url = base.replace("http://", "ws://") + "/api/v1/ws"
    protocols = ["slotbase.v1"]
    if token and via == "protocol":
        protocols.append(f"bearer.{token}")
    async with connect(url, subprotocols=protocols) as conn:  # type: ignore[arg-type]
        assert conn.subprotocol == "slotbase.v1"
        client = Ws(conn)
        if token and via == "message":
            await client.send({"type": "auth", "token": token})
            assert (await client.recv())["type"] == "authenticated"
        yield client


# ---------------------------------------------------------------------------------------------
# The salon the live-update tests watch (its fixture: tests/api/live/conftest.py)

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
TUESDAY = date(2026, 3, 3)
AVAILABILITY_DATA = {"org_id", "provider_id", "from", "to"}


def at(hhmm: str) -> str:
    return local(TUESDAY, hhmm, ZONE)


@dataclass
class Salon:
    """Customers alma and bo, staff stig, provider pia (working as `pia_desk`), and `desk`."""

    client: httpx.AsyncClient
    base: str
    seed: Seed
    alma: Any
    bo: Any
    stig: Any
    pia: Any
    org: str
    pia_desk: str
    desk: str
    cut: str

    async def book(self, who: Any, start: str, provider: str | None = None) -> httpx.Response:
        body = {"provider_id": provider or self.desk, "service_id": self.cut, "start": start}
        return await self.client.post(f"{API}/bookings", json=body, headers=who.headers)

    async def booked(self, who: Any, start: str, provider: str | None = None) -> dict[str, Any]:
        response = await self.book(who, start, provider)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def cancel(self, who: Any, booking_id: str) -> None:
        response = await self.client.post(
            f"{API}/bookings/{booking_id}/cancel", json={}, headers=who.headers
        )
        assert response.status_code == 200, response.text


def auth(who: Any) -> dict[str, str]:
    return dict(who.headers)


def token(who: Any) -> str:
    return str(who.tokens["access_token"])


def mentions(frames: list[dict[str, Any]], *needles: str) -> bool:
    text = json.dumps(frames)
    return any(needle in text for needle in needles)
