"""A small Redis client for the rate limiter: one connection, pipelined, RESP2.

Each request writes its command at once and waits on a future; one reader task resolves the
futures in order as replies arrive, so concurrent requests share the connection without a pool
or a lock. A lost or silent connection fails every pending request with ConnectionError (an
OSError) and the next request connects again. redis-py costs several times more per call, which
showed in the rate-limit benchmark; everything else uses redis-py.

URLs: redis://[[user]:password@]host[:port][/db] and unix://[[user]:password@]/path[?db=N].
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

Reply = int | bytes | list[Any] | None


class ReplyError(Exception):
    """An error answered by Redis (-ERR, -NOSCRIPT, ...); the connection stays usable."""


def encode(*args: str | bytes | int) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


async def read_reply(reader: asyncio.StreamReader) -> Reply | ReplyError:
    line = await reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b":":
        return int(rest)
    if kind == b"+":
        return rest
    if kind == b"-":
        return ReplyError(rest.decode(errors="replace"))
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else (await reader.readexactly(size + 2))[:-2]
    if kind == b"*":
        size = int(rest)
        if size < 0:
            return None
        return [await read_reply(reader) for _ in range(size)]
    raise ConnectionError(f"unexpected reply from Redis: {line[:40]!r}")


class Connection:
    def __init__(self, url: str, *, timeout: float = 0.25) -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.unix = parts.scheme == "unix"
        if parts.scheme not in ("redis", "unix"):
            raise ValueError(f"unsupported Redis URL scheme: {parts.scheme!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.path = unquote(parts.path)
        db = query.get("db", [""])[0] or (self.path.strip("/") if not self.unix else "")
        self.db = int(db or 0)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        if self.password is None and "password" in query:
            self.password = query["password"][0]
        self.timeout = timeout
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._pending: collections.deque[tuple[asyncio.Future[Reply], float]] = collections.deque()
        self._connecting: asyncio.Future[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    async def execute(self, *args: str | bytes | int) -> Reply:
        if self._writer is None:
            await self._connect()
        assert self._writer is not None
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending.append((future, time.monotonic()))
        self._writer.write(encode(*args))
        return await future

    async def _connect(self) -> None:
        if self._connecting is not None:  # another request is connecting: wait for it
            await asyncio.shield(self._connecting)
            return
        loop = asyncio.get_running_loop()
        self._connecting = loop.create_future()
        try:
            async with asyncio.timeout(self.timeout):
                if self.unix:
                    reader, writer = await asyncio.open_unix_connection(self.path)
                else:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                setup = []
                if self.password is not None:
                    auth = [self.username, self.password] if self.username else [self.password]
                    setup.append(encode("AUTH", *auth))
                if self.db:
                    setup.append(encode("SELECT", self.db))
                for command in setup:
                    writer.write(command)
                    answer = await read_reply(reader)
                    if isinstance(answer, ReplyError):
                        writer.close()
                        raise ConnectionError(f"Redis refused the connection: {answer}")
            self._writer = writer
            self._reader_task = loop.create_task(self._read(reader, writer))
            self._watchdog = loop.call_later(self.timeout, self._watch)
            self._connecting.set_result(None)
        except BaseException as exc:
            failure = exc if isinstance(exc, OSError) else ConnectionError(str(exc) or repr(exc))
            self._connecting.set_exception(failure)
            self._connecting.exception()  # retrieved: waiters get it, nobody else must
            raise failure from exc
        finally:
            self._connecting = None

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                reply = await read_reply(reader)
                future, _ = self._pending.popleft()
                if future.done():
                    continue
                if isinstance(reply, ReplyError):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError) as exc:
            self._drop(ConnectionError(f"Redis connection lost: {exc!r}"))

    def _watch(self) -> None:
        """Fails the connection when its oldest request has waited longer than the timeout."""
        if self._writer is None:
            return
        if self._pending and time.monotonic() - self._pending[0][1] > self.timeout:
            self._drop(TimeoutError(f"Redis did not answer within {self.timeout} s"))
            return
        self._watchdog = asyncio.get_running_loop().call_later(self.timeout / 2, self._watch)

    def _drop(self, exc: Exception) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        if self._reader_task is not None and self._reader_task is not asyncio.current_task():
            self._reader_task.cancel()
        self._reader_task = None
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._pending:
            future, _ = self._pending.popleft()
            if not future.done():
                future.set_exception(exc)

    async def close(self) -> None:
        task = self._reader_task
        self._drop(ConnectionError("closed"))
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
