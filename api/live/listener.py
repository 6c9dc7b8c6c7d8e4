"""The one LISTEN connection per API instance (channel slotbase_events), handing what it hears
to the Hub.

LISTEN needs a session of its own: behind a transaction-pooling PgBouncer it would be silently
deaf, so on connect the listener proves it hears a notification sent from the request pool, and
refuses the connection otherwise (set DIRECT_DATABASE_URL). A lost connection is made again, and
the streams are told to resynchronise, since what was sent meanwhile was not heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import Any

import asyncpg

from api.live.hub import CHANNEL, Hub

log = logging.getLogger("slotbase.events")
APPLICATION_NAME = "slotbase-events"  # how the listener shows in pg_stat_activity


class ListenerError(Exception):
    pass


HEAR_SECONDS = 5.0


async def _hears(conn: asyncpg.Connection, pool: asyncpg.Pool | None) -> None:
    """NOTIFY a check channel of this connection from another one (the pool) and wait for it.

    Through a transaction-pooling PgBouncer, LISTEN runs on a server connection that is lent
    to others a moment later, and notifications are dropped without an error: only hearing
    one sent from elsewhere proves the connection works."""
    if pool is None:
        return
    heard = asyncio.Event()
    channel = f"slotbase_check_{id(conn):x}"

    def hear(*_: Any) -> None:
        heard.set()

    await conn.add_listener(channel, hear)
    try:
        async with asyncio.timeout(HEAR_SECONDS):  # a saturated pool must not hold it either
            await pool.execute("select pg_catalog.pg_notify($1, '')", channel)
            await heard.wait()
    except TimeoutError:
        raise ListenerError(
            "LISTEN hears nothing on this connection: is it a transaction-pooling PgBouncer?"
            " Set DIRECT_DATABASE_URL to a direct connection."
        ) from None
    finally:
        with contextlib.suppress(Exception):
            await conn.remove_listener(channel, hear)


class Listener:
    """One dedicated connection that LISTENs; reconnects with backoff and catches streams up."""

    PROBE_SECONDS = 5.0  # a silent connection is probed, so a dead one is noticed

    def __init__(self, dsn: str, hub: Hub, pool: asyncpg.Pool | None = None) -> None:
        """pool: another way into the database, to send the check notification from."""
        self.dsn = dsn
        self.hub = hub
        self.pool = pool
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, wait: float = 5.0) -> None:
        """Starts listening; waits a little for the first connection so /health starts true."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), wait)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.hub.notify(payload)

    async def _run(self) -> None:
        delay, first = 0.1, True
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(
                    self.dsn, timeout=5, server_settings={"application_name": APPLICATION_NAME}
                )
                lost = asyncio.Event()
                conn.add_termination_listener(functools.partial(_set, lost))
                await conn.add_listener(CHANNEL, self._on_notify)
                await _hears(conn, self.pool)
                ceiling = int(await conn.fetchval("select private.events_ceiling()") or 0)
                if first:
                    self.hub.high_water = max(self.hub.high_water, ceiling)
                else:
                    log.info("event listener reconnected")
                    await self.hub.catch_up(self.hub.high_water, ceiling)
                first, delay = False, 0.1
                self.connected.set()
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self.PROBE_SECONDS)
                    if not lost.is_set():
                        await conn.fetchval("select 1", timeout=self.PROBE_SECONDS)
                log.warning("event listener lost its connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.connected.is_set() or first:
                    log.warning("event listener lost its connection: %s", exc or type(exc).__name__)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def _set(flag: asyncio.Event, *_: Any) -> None:
    flag.set()
