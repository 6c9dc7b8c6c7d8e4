"""A primary and a streaming replica of one test alone, each a throwaway cluster.

The session's cluster serves every other test; these are stopped, paused and promoted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from api.devdb import LocalCluster
from api.migrate import migrate
from tests.support import free_port

DBNAME = "slotbase"


@dataclass
class Pair:
    primary: LocalCluster
    standby: LocalCluster

    def url(self, cluster: LocalCluster, user: str = "authenticator") -> str:
        return cluster.dsn(DBNAME, user)

    def failover_url(self, user: str = "authenticator") -> str:
        """One URL naming both servers: asyncpg connects to whichever accepts writes."""
        hosts = f"{self.primary.socket_dir},{self.standby.socket_dir}"
        ports = f"{self.primary.port},{self.standby.port}"
        return (
            f"postgresql://{user}@/{DBNAME}?host={hosts}&port={ports}"
            "&target_session_attrs=read-write"
        )

    async def sql(self, cluster: LocalCluster, statement: str) -> object:
        conn = await asyncpg.connect(cluster.dsn(DBNAME))
        try:
            return await conn.fetchval(statement)
        finally:
            await conn.close()

    async def caught_up(self) -> None:
        """Wait until the standby has replayed everything the primary wrote so far."""
        target = await self.sql(self.primary, "select pg_current_wal_lsn()")
        conn = await asyncpg.connect(self.standby.dsn(DBNAME))
        try:
            for _ in range(500):
                if await conn.fetchval("select pg_last_wal_replay_lsn() >= $1", target):
                    return
                await asyncio.sleep(0.02)
        finally:
            await conn.close()
        raise AssertionError("the standby did not catch up")


@contextlib.asynccontextmanager
async def replicated(workdir: Path, *, synchronous: bool = False) -> AsyncIterator[Pair]:
    """A migrated primary and its hot standby; `synchronous`: a commit waits for the standby."""
    primary = LocalCluster(workdir / "primary", port=free_port(), fsync=False,
                           socket_dir=workdir / "run-primary")  # fmt: skip
    standby = LocalCluster(workdir / "standby", port=free_port(), fsync=False,
                           socket_dir=workdir / "run-standby")  # fmt: skip
    try:
        primary.init()
        primary.start()
        admin = await asyncpg.connect(primary.dsn())
        try:
            await admin.execute(f"create database {DBNAME}")
        finally:
            await admin.close()
        await migrate(primary.dsn(DBNAME))
        standby.standby_of(primary, application_name="standby")
        standby.start()
        pair = Pair(primary, standby)
        if synchronous:
            conn = await asyncpg.connect(primary.dsn())
            try:
                await conn.execute("alter system set synchronous_standby_names = 'standby'")
                await conn.execute("select pg_reload_conf()")
            finally:
                await conn.close()
        await pair.caught_up()
        yield pair
    finally:
        standby.stop(mode="immediate")
        primary.stop(mode="immediate")
