"""The API's Redis client (rate limits, read-your-writes positions, /health): one connection,
pipelined, RESP2.

Each request writes its command at once and waits on a future; the protocol parses replies as
bytes arrive and resolves the futures in order, so concurrent requests share the connection
without a pool, a lock or a reader task. A lost or silent connection fails every pending request
with ConnectionError (an OSError) and the next request connects again.

Why not redis-py: with it (`redis.asyncio`, pooled, one EVALSHA per request) rate limits on ÷
off was 0.64 in bench/ratelimit.py; with this client 12.5 µs of client CPU per decision and
0.8-0.9 (docs/benchmarks.md, "Rate limits"). The tests use redis-py, the reference client.

URLs: redis[s]://[[user]:password@]host[:port][/db] and unix://[[user]:password@]/path[?db=N].
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

INCOMPLETE = object()


class ReplyError(Exception):
    """An error answered by Redis (-ERR, -NOSCRIPT, ...); the connection stays usable."""


def bulk(arg: str | bytes | int) -> bytes:
    data = arg if isinstance(arg, bytes) else str(arg).encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


def encode(*args: str | bytes | int) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(bulk(arg) for arg in args)


def parse(buf: bytes | bytearray, pos: int) -> tuple[Any, int]:
    """One reply from buf at pos: (reply, next pos), or (INCOMPLETE, pos) when more must come."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return INCOMPLETE, pos
    kind, rest = buf[pos : pos + 1], buf[pos + 1 : end]
    after = end + 2
    if kind == b":":
        return int(rest), after
    if kind == b"+":
        return bytes(rest), after
    if kind == b"-":
        return ReplyError(bytes(rest).decode(errors="replace")), after
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None, after
        if len(buf) < after + size + 2:
            return INCOMPLETE, pos
        return bytes(buf[after : after + size]), after + size + 2
    if kind == b"*":
        size = int(rest)
        if size < 0:
            return None, after
        items = []
        for _ in range(size):
            if buf[after : after + 1] == b":":  # integers inline: the limiter's replies are these
                end = buf.find(b"\r\n", after)
                if end < 0:
                    return INCOMPLETE, pos
                items.append(int(buf[after + 1 : end]))
                after = end + 2
                continue
            item, after = parse(buf, after)
            if item is INCOMPLETE:
                return INCOMPLETE, pos
            items.append(item)
        return items, after
    raise ValueError(f"unexpected reply from Redis: {bytes(buf[pos:end])[:40]!r}")


class _Protocol(asyncio.Protocol):
    def __init__(self, owner: Connection) -> None:
        self.owner = owner
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        pending = self.owner.pending
        pos = 0
        try:
            while pos < len(buf):
                reply, pos = parse(buf, pos)
                if reply is INCOMPLETE:
                    break
                future, _ = pending.popleft()
                if future.done():
                    continue
                if isinstance(reply, ReplyError):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except (ValueError, IndexError) as exc:
            self.owner.drop(self, ConnectionError(f"Redis answered garbage: {exc}"))
            return
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner.drop(self, ConnectionError(f"Redis connection lost: {exc or 'closed'}"))


class Connection:
    def __init__(self, url: str, *, timeout: float = 0.25) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"unsupported Redis URL scheme: {parts.scheme!r}")
        query = parse_qs(parts.query)
        self.unix = parts.scheme == "unix"
        self.tls = parts.scheme == "rediss"  # verified against the system's CAs
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.path = unquote(parts.path)
        db = query.get("db", [""])[0] or ("" if self.unix else self.path.strip("/"))
        self.db = int(db or 0)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        if self.password is None and "password" in query:
            self.password = query["password"][0]
        self.timeout = timeout
        self.pending: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._outgoing: list[bytes] = []

    async def execute(self, *args: str | bytes | int) -> Any:
        return await self.send(encode(*args))

    async def send(self, command: bytes) -> Any:
        """One command already in RESP form (see encode and bulk)."""
        if self._protocol is None:
            await self._connect()
        protocol = self._protocol
        assert protocol is not None and protocol.transport is not None
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.append((future, time.monotonic()))
        # Commands sent in one turn of the event loop leave in one write (one syscall here, one
        # read for Redis) instead of one each.
        if not self._outgoing:
            loop.call_soon(self._flush)
        self._outgoing.append(command)
        return await future

    def _flush(self) -> None:
        protocol = self._protocol
        if self._outgoing and protocol is not None and protocol.transport is not None:
            data, self._outgoing = b"".join(self._outgoing), []
            protocol.transport.write(data)

    async def _connect(self) -> None:
        if self._connecting is not None:  # another request is connecting: wait for it
            await asyncio.shield(self._connecting)
            return
        loop = asyncio.get_running_loop()
        self._connecting = connecting = loop.create_future()
        try:
            async with asyncio.timeout(self.timeout):
                if self.unix:
                    _, protocol = await loop.create_unix_connection(
                        lambda: _Protocol(self), self.path
                    )
                else:
                    _, protocol = await loop.create_connection(
                        lambda: _Protocol(self), self.host, self.port, ssl=self.tls or None
                    )
                self._protocol = protocol
                self._watchdog = loop.call_later(self.timeout, self._watch)
                if self.password is not None:
                    auth = [self.username, self.password] if self.username else [self.password]
                    await self._setup("AUTH", *auth)
                if self.db:
                    await self._setup("SELECT", self.db)
            connecting.set_result(None)
        except BaseException as exc:
            failure = exc if isinstance(exc, OSError) else ConnectionError(str(exc) or repr(exc))
            if self._protocol is not None:
                self.drop(self._protocol, failure)
            connecting.set_exception(failure)
            connecting.exception()  # retrieved: the waiters get it, nobody else must
            raise failure from exc
        finally:
            self._connecting = None

    async def _setup(self, *args: str | int) -> None:
        protocol = self._protocol
        assert protocol is not None and protocol.transport is not None
        future = asyncio.get_running_loop().create_future()
        self.pending.append((future, time.monotonic()))
        protocol.transport.write(encode(*args))
        try:
            await future
        except ReplyError as exc:
            raise ConnectionError(f"Redis refused the connection: {exc}") from None

    def _watch(self) -> None:
        """Fails the connection when its oldest request has waited longer than the timeout."""
        protocol = self._protocol
        if protocol is None:
            return
        if self.pending and time.monotonic() - self.pending[0][1] > self.timeout:
            self.drop(protocol, TimeoutError(f"Redis did not answer within {self.timeout} s"))
            return
        self._watchdog = asyncio.get_running_loop().call_later(self.timeout / 2, self._watch)

    def drop(self, protocol: _Protocol, exc: Exception) -> None:
        if protocol is not self._protocol:
            return  # an old connection closing late
        self._protocol = None
        self._outgoing = []  # their requests fail below
        if protocol.transport is not None:
            protocol.transport.abort()
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self.pending:
            future, _ = self.pending.popleft()
            if not future.done():
                future.set_exception(exc)

    async def close(self) -> None:
        if self._protocol is not None:
            self.drop(self._protocol, ConnectionError("closed"))
