"""Reads on streaming replicas, with read-your-writes.

DATABASE_READ_URLS names hot standbys (connected as the API's login, like the primary). A
read-only call (a stable api function; handle_request runs it in a read-only transaction, so it
cannot write anywhere) goes to a replica; everything else goes to the primary.

A person must see their own writes. After each write the API reads the primary's WAL insert
position (past the commit record) and remembers it for the caller, in this process and in Redis
so that every instance behind the load balancer knows it. A replica serves that person only once
its replay position has reached it; until then their reads go to the primary. Each replica's
position is polled every POLL seconds, so the position used is never ahead of the real one. When
Redis cannot be asked, signed-in readers go to the primary: safe, slower.

A replica that cannot be polled, or that has fallen more than `max_lag` seconds behind the
primary, takes no reads until it answers and catches up. What a replica can still show is a slot
that was taken a moment ago on the primary; booking it goes to the primary and answers 409.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import time
from dataclasses import dataclass, field

import asyncpg

from api.common import resp
from api.request import db

log = logging.getLogger("slotbase")
POLL = 0.1  # seconds between position polls
POLL_TIMEOUT = 1.0
REMEMBER_MS = 60_000  # how long a write's position is kept, at least (see Router.remember_ms)
UNKNOWN = 2**64 - 1  # the position of a write whose outcome is unknown: no replica reaches it
# A promoted replica keeps answering its last replay position; only a standby may take reads.
REPLAY = (
    "select case when pg_catalog.pg_is_in_recovery()"
    " then pg_catalog.pg_last_wal_replay_lsn()::text end"
)
REDIS_KEY = "slotbase:wal:"
# Keep the greater of two positions (written by two instances in either order). Positions are
# stored as 16 hex digits, so comparing the strings compares the numbers.
KEEP_GREATER = """
local old = redis.call('GET', KEYS[1])
if not old or old < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"""


@dataclass
class Replica:
    name: str
    pool: asyncpg.Pool
    replay: int = -1  # last polled replay position; -1 until the first poll
    up: bool = False


@dataclass
class Router:
    """Chooses the pool for each call and remembers writers' positions."""

    primary: asyncpg.Pool
    replicas: list[Replica]
    redis: resp.Connection | None = None
    max_lag: float = 5.0
    _positions: dict[str, tuple[int, float]] = field(default_factory=dict)
    _turn: itertools.cycle[int] | None = None
    _task: asyncio.Task[None] | None = None
    _primary_at: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)
    _redis_back_at: float = 0.0  # after a Redis error, ask again only from then on
    _primary_seen: float = 0.0  # monotonic time of the last answered poll of the primary

    @property
    def enabled(self) -> bool:
        return bool(self.replicas)

    @property
    def remember_ms(self) -> int:
        """A replica that takes reads is at most max_lag behind, so a write older than that is
        on every one of them: positions need keeping that long, with a margin."""
        return max(REMEMBER_MS, int(self.max_lag * 2000))

    def start(self) -> None:
        if self.replicas:
            self._turn = itertools.cycle(range(len(self.replicas)))
            self._task = asyncio.create_task(self._poll_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for replica in self.replicas:
            await replica.pool.close()
        if self.redis is not None:
            await self.redis.close()

    async def pool_for(self, sub: str | None, *, read_only: bool) -> tuple[asyncpg.Pool, bool]:
        """(pool, is a replica) for a call by `sub` (None for anon)."""
        if not (read_only and self._turn is not None):
            return self.primary, False
        needed = await self.position_of(sub) if sub is not None else 0
        if needed is None:
            return self.primary, False
        for _ in range(len(self.replicas)):
            replica = self.replicas[next(self._turn)]
            if replica.up and replica.replay >= needed:
                return replica.pool, True
        return self.primary, False

    def replica_failed(self, pool: asyncpg.Pool) -> None:
        for replica in self.replicas:
            if replica.pool is pool:
                if replica.up:
                    log.warning("read replica %s failed a read; read on the primary", replica.name)
                replica.up = False

    async def wrote(self, sub: str, position: int) -> None:
        """Remember that `sub` wrote up to `position` on the primary."""
        if not sub:
            return  # an anonymous write that made no session: nobody to read it back
        old = self._positions.get(sub)
        expires = time.monotonic() + self.remember_ms / 1000
        self._positions[sub] = (max(position, old[0] if old else 0), expires)
        if self.redis is not None:
            with contextlib.suppress(OSError, resp.ReplyError):  # away: this process knows
                key, value = REDIS_KEY + sub, f"{position:016x}"
                await self.redis.execute("EVAL", KEEP_GREATER, 1, key, value, self.remember_ms)

    async def position_of(self, sub: str) -> int | None:
        """The position `sub`'s reads must see; None when it cannot be known (Redis away)."""
        now = time.monotonic()
        local = self._positions.get(sub)
        if local is not None and local[1] < now:
            del self._positions[sub]
            local = None
        if self.redis is None:
            return local[0] if local else 0
        if now < self._redis_back_at:
            return None
        try:
            shared = await self.redis.execute("GET", REDIS_KEY + sub)
        except (OSError, resp.ReplyError):
            self._redis_back_at = now + 1.0  # not a connect timeout on every read meanwhile
            return None
        theirs = int(shared, 16) if shared else 0
        return max(theirs, local[0] if local else 0)

    async def _poll_forever(self) -> None:
        while True:
            await self._poll()
            self._forget_expired()
            await asyncio.sleep(POLL)

    async def _poll(self) -> None:
        now = time.monotonic()
        with contextlib.suppress(
            TimeoutError, db.Unavailable, asyncpg.PostgresError, *db.CONNECTION_ERRORS
        ):
            text = await db.fetchval(self.primary, db.WAL_POSITION, seconds=POLL_TIMEOUT)
            self._primary_at.append((now, db.lsn(text)))
            self._primary_seen = now
        while self._primary_at and now - self._primary_at[0][0] > 4 * self.max_lag + 1:
            self._primary_at.popleft()
        for replica in self.replicas:
            try:
                text = await db.fetchval(replica.pool, REPLAY, seconds=POLL_TIMEOUT)
            except (
                TimeoutError,
                db.Unavailable,
                asyncpg.PostgresError,
                *db.CONNECTION_ERRORS,
            ) as exc:
                if replica.up:
                    log.warning("read replica %s is away (%s); reads elsewhere", replica.name, exc)
                replica.up = False
                continue
            if text is None:  # promoted, or not a standby at all: never a reader
                replica.up = False
                continue
            replica.replay = db.lsn(text)
            lag = self._lag(replica.replay, now)
            healthy = lag <= self.max_lag
            if healthy != replica.up:
                log.info(
                    "read replica %s %s (%.1fs behind)",
                    replica.name,
                    "takes reads" if healthy else "is too far behind; reads go elsewhere",
                    lag,
                )
            replica.up = healthy

    def _lag(self, replay: int, now: float) -> float:
        """Seconds since the primary first passed `replay` (0 when it has not); infinite when
        the primary has not been seen lately, for then the lag cannot be known."""
        if now - self._primary_seen > self.max_lag:
            return float("inf")
        for at, position in self._primary_at:
            if position > replay:
                return now - at
        return 0.0

    def _forget_expired(self) -> None:
        if len(self._positions) < 10_000:
            return
        now = time.monotonic()
        for sub in [s for s, (_, expires) in self._positions.items() if expires < now]:
            del self._positions[sub]


async def open_router(
    primary: asyncpg.Pool,
    urls: tuple[str, ...],
    *,
    redis_url: str,
    max_lag: float,
    max_size: int,
    prepared_statements: bool,
) -> Router:
    """Pools for the replicas (lazily connected: a replica down at start is not fatal)."""
    replicas = []
    for url in urls:
        pool = await db.create_pool(
            url, min_size=0, max_size=max_size, prepared_statements=prepared_statements
        )
        replicas.append(Replica(name=_host(url), pool=pool))
    # The small Redis client: redis-py costs several times more per call (api/common/resp.py).
    redis = resp.Connection(redis_url) if replicas else None
    router = Router(primary, replicas, redis=redis, max_lag=max_lag)
    router.start()
    return router


def _host(url: str) -> str:
    """The URL without credentials (user info, query parameters such as password=), for logs."""
    rest = url.split("://", 1)[-1].split("?", 1)[0]
    return rest.rsplit("@", 1)[-1]
