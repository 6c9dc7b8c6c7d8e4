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

from api.ops.devdb import LocalCluster
from api.ops.migrate import migrate
from tests.support.servers import free_port

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
        await caught_up(self.primary.dsn(DBNAME), self.standby.dsn(DBNAME))


async def caught_up(primary: str, standby: str) -> None:
    """Wait until the standby has replayed everything the primary wrote so far."""
    a, b = await asyncpg.connect(primary), await asyncpg.connect(standby)
    try:
        target = await a.fetchval("select pg_current_wal_lsn()")
        for _ in range(600):
            if await b.fetchval("select pg_last_wal_replay_lsn() >= $1", target):
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the standby did not catch up")
    finally:
        await a.close()
        await b.close()


@contextlib.asynccontextmanager
async def migrated_cluster(
    datadir: Path, *, socket_dir: Path | None = None
) -> AsyncIterator[LocalCluster]:
    """A throwaway cluster of one test with database DBNAME migrated; crashed at the end."""
    cluster = LocalCluster(datadir, port=free_port(), fsync=False, socket_dir=socket_dir)
    try:
        cluster.init()
        cluster.start()
        admin = await asyncpg.connect(cluster.dsn())
        try:
            await admin.execute(f"create database {DBNAME}")
        finally:
            await admin.close()
        await migrate(cluster.dsn(DBNAME))
        yield cluster
    finally:
        cluster.stop(mode="immediate")


@contextlib.asynccontextmanager
async def replicated(workdir: Path, *, synchronous: bool = False) -> AsyncIterator[Pair]:
    """A migrated primary and its hot standby; `synchronous`: a commit waits for the standby."""
    standby = LocalCluster(workdir / "standby", port=free_port(), fsync=False,
                           socket_dir=workdir / "run-standby")  # fmt: skip
    async with migrated_cluster(workdir / "primary", socket_dir=workdir / "run-primary") as primary:
        try:
            await _attach(primary, standby, synchronous)
            yield Pair(primary, standby)
        finally:
            standby.stop(mode="immediate")


async def _attach(primary: LocalCluster, standby: LocalCluster, synchronous: bool) -> None:
    standby.standby_of(primary, application_name="standby")
    standby.start()
    if synchronous:
        conn = await asyncpg.connect(primary.dsn())
        try:
            await conn.execute("alter system set synchronous_standby_names = 'standby'")
            await conn.execute("select pg_reload_conf()")
        finally:
            await conn.close()
    await Pair(primary, standby).caught_up()
