"""The database side of a request: the pool, one call per request, a database that is away.

Each call is a single statement, `select * from private.handle_request(...)`, in an implicit
transaction on a pooled connection as `authenticator`: the function switches role and claims
transaction-locally and runs the api function, so a request costs one round trip and leaves
nothing behind on the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg

from api.common.errors import RETRYABLE

HANDLE = "select status, headers::text, body from private.handle_request($1, $2, $3, $4, $5, $6)"
RETRIES = 3


@dataclass(frozen=True)
class Result:
    status: int
    headers: dict[str, str] | None
    body: str | None
    wal: int | None = None  # the primary's WAL position after a write (read-your-writes)


class Unavailable(Exception):
    """The database cannot serve the call now: unreachable, restarting, failing over, or the
    server reached is a standby. Answered 503 with Retry-After; the connection is dropped so the
    pool connects afresh (to the new primary, with a multi-host DATABASE_URL)."""


# Errors of the connection rather than of the call. InternalClientError covers asyncpg's
# "cannot switch to state ...; another operation is in progress" on a connection broken by a
# restart, and TargetServerAttributeNotMatched while no host is the primary yet.
CONNECTION_ERRORS = (OSError, asyncpg.InterfaceError, asyncpg.InternalClientError)
# 08: connection exceptions; 57P01-57P03: shutdown, crash, not accepting connections yet;
# 53300: too many connections.
UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
READ_ONLY_TRANSACTION = "25006"
# The insert position, not the write position: with synchronous_commit=off the commit record may
# still be in WAL buffers past pg_current_wal_lsn(); a replica at the insert position has it.
WAL_POSITION = "select pg_catalog.pg_current_wal_insert_lsn()::text"


def unavailable(exc: BaseException, *, read_only: bool = True) -> bool:
    """Whether `exc` says the database is away rather than that the call was wrong.

    A write refused as read-only comes from a standby (a failover demoted the server this
    connection reached); a read-only call refused so called a volatile function (405)."""
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        return state.startswith(UNAVAILABLE_STATES) or (
            state == READ_ONLY_TRANSACTION and not read_only
        )
    return isinstance(exc, CONNECTION_ERRORS)


AWAY_ERRORS = (TimeoutError, asyncpg.PostgresError, *CONNECTION_ERRORS)


@contextlib.contextmanager
def away() -> Iterator[None]:
    """Raise Unavailable for an error saying the database is away (a timeout included: no
    statement here has a timeout of its own to mean otherwise); let any other error through."""
    try:
        yield
    except AWAY_ERRORS as exc:
        if isinstance(exc, asyncpg.PostgresError) and not unavailable(exc):
            raise
        raise Unavailable(str(exc) or type(exc).__name__) from exc


async def acquire(pool: asyncpg.Pool) -> asyncpg.Connection:
    try:
        return await pool.acquire()
    except AWAY_ERRORS:
        with away():  # the same translation, set up only on an error (µs per request)
            raise


RELEASE_TIMEOUT = 2.0  # seconds for a cancelled query's server to confirm; then the link is cut


async def release(
    pool: asyncpg.Pool, conn: asyncpg.Connection, *, broken: bool, idle: bool = False
) -> bool:
    """Give the connection back; False when it had to be cut (the server did not answer).

    After a timeout or a cancellation asyncpg waits for the server to confirm the cancel; a
    frozen or lost host never does, so the wait is bounded and the connection terminated.
    idle: its statements all completed, so giving it back sends nothing and waits for nothing:
    no bound is needed, and none is armed (a timer per request)."""
    if broken:
        conn.terminate()
    try:
        await pool.release(conn, timeout=None if idle else RELEASE_TIMEOUT)
    except (TimeoutError, *CONNECTION_ERRORS):
        conn.terminate()  # asyncpg has terminated it already on a timeout; this is idempotent
        return False
    return not broken


async def fetchval(pool: asyncpg.Pool, sql: str, *, seconds: float) -> Any:
    """One value from a pooled connection, within `seconds`, for background checks (polls)."""
    conn = await asyncio.wait_for(acquire(pool), seconds)
    broken = False
    try:
        return await conn.fetchval(sql, timeout=seconds)
    except (TimeoutError, asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
        broken = unavailable(exc) or isinstance(exc, TimeoutError)
        raise
    finally:
        await release(pool, conn, broken=broken)


async def call(
    pool: asyncpg.Pool,
    sql: str,
    args: dict[str, Any],
    *,
    role: str,
    claims: str | None,
    context: str,
    read_only: bool,
    statement_timeout: float | None = None,
    wal: bool = False,
) -> Result:
    """Run one api call; serialization failures and deadlocks are retried, then raised.

    statement_timeout: the role's statement_timeout in seconds. The call is one statement, whose
    timer PostgreSQL starts before handle_request switches role, so a `set_config` there would
    come too late; asyncpg instead cancels the query on the server and raises TimeoutError.
    wal: after a write, read the primary's WAL insert position (past the commit record, written
    or not) into Result.wal.
    Raises Unavailable when the database is away; the call may or may not have committed then,
    which is why writes carry an Idempotency-Key.
    """
    payload = json.dumps(args) if args else "{}"
    values = (role, claims, context, sql, payload, read_only)
    for attempt in range(RETRIES):
        conn = await acquire(pool)
        broken = False
        released = False
        idle = False
        try:
            row = await conn.fetchrow(HANDLE, *values, timeout=statement_timeout)
            position = await conn.fetchval(WAL_POSITION) if wal and not read_only else None
            idle = True
        except TimeoutError:
            released = True
            if not await release(pool, conn, broken=False):
                # Not even the cancel was answered: the server is gone, not slow.
                raise Unavailable("the database did not answer") from None
            raise  # the statement timeout: the query was cancelled, the connection is sound
        except (asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
            if unavailable(exc, read_only=read_only):
                broken = True
                raise Unavailable(str(exc) or type(exc).__name__) from exc
            if getattr(exc, "sqlstate", None) in RETRYABLE and attempt < RETRIES - 1:
                continue
            raise
        finally:
            if not released:
                await release(pool, conn, broken=broken, idle=idle)
        break
    headers = json.loads(row["headers"]) if row["headers"] else None
    return Result(row["status"], headers, row["body"], lsn(position) if position else None)


def lsn(text: str) -> int:
    """A pg_lsn ('16/B374D848') as a number, to compare positions."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


ROLE_SETTINGS = """
select r.rolname as role, c.setting
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
cross join lateral unnest(s.setconfig) as c(setting)
where r.rolname in ('anon', 'authenticated')
  and s.setdatabase in (0, (select oid from pg_catalog.pg_database
                            where datname = pg_catalog.current_database()))
  and c.setting like 'statement_timeout=%'
order by s.setdatabase  -- a setting for this database overrides one for all databases
"""


SET_TIMEOUT = "select pg_catalog.set_config('statement_timeout', $1, true)"
READ_TIMEOUT = "select setting from pg_catalog.pg_settings where name = 'statement_timeout'"


async def role_timeouts(pool: asyncpg.Pool) -> dict[str, float]:
    """Each API role's statement_timeout (ALTER ROLE ... SET), in seconds; unset or 0: none."""
    timeouts: dict[str, float] = {}
    async with pool.acquire() as conn:
        for row in await conn.fetch(ROLE_SETTINGS):
            value = row["setting"].partition("=")[2]
            async with conn.transaction():  # let the server read its own units ('5s', '1min')
                await conn.execute(SET_TIMEOUT, value)
                ms = int(await conn.fetchval(READ_TIMEOUT))
            if ms > 0:
                timeouts[row["role"]] = ms / 1000
            else:
                timeouts.pop(row["role"], None)
    return timeouts


CONNECT_TIMEOUT = 5.0  # seconds; a host that does not answer must not hold a request for long
COMMAND_TIMEOUT = 30.0


async def create_pool(
    dsn: str, *, min_size: int, max_size: int, prepared_statements: bool = True
) -> asyncpg.Pool:
    """prepared_statements=False behind PgBouncer in transaction mode: asyncpg then sends each
    statement unnamed, parsed, bound and executed in one message sequence, which any server
    connection the pooler picks can run."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=CONNECT_TIMEOUT,
        # A bound for statements sent without a timeout of their own (catalog, health, polls).
        command_timeout=COMMAND_TIMEOUT,
        # The api functions are replaced by migrations while connections live; plans of
        # handle_request must not outlive them, and the statement is cheap to re-plan.
        statement_cache_size=16 if prepared_statements else 0,
        max_inactive_connection_lifetime=300,
        # Every call is one implicit transaction whose settings are transaction-local, so a
        # returned connection holds no state; asyncpg's default reset costs a round trip.
        reset=_no_reset,
    )


async def _no_reset(conn: asyncpg.Connection) -> None:
    return None
