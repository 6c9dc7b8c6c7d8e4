"""Beyond one server, side by side in one run: the same two reads through each deployment.

- direct: one API process, its pool on the primary;
- PgBouncer: the same, its pool through PgBouncer in transaction mode
  (DB_PREPARED_STATEMENTS=false);
- replica: one API process reading from a streaming replica (DATABASE_READ_URLS), Redis holding
  readers' write positions;
- two processes: `slotbase serve --workers 2`, both on the primary.

The reads are `GET /users/me` (signed in: with a replica, one Redis lookup decides where it
goes) and an anonymous slot query for one provider's day. Client, API processes, PostgreSQL,
replica, PgBouncer and Redis all share this machine's cores, so a replica or a second process
here shows its cost and what it frees on the primary, not the gain of another machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import uvloop

from api.ops.devdb import LocalCluster
from bench.accounts import API_POOL, EMAIL, PASSWORD, line
from bench.common import (
    CONF,
    Load,
    api_server,
    free_port,
    http_load,
    local_cluster,
    login,
    redis_server,
    request_bytes,
)
from tests.support.pgbouncer import PgBouncer
from tests.support.replication import caught_up

CLIENTS = 32


@contextlib.contextmanager
def standby_of(primary: LocalCluster) -> Iterator[LocalCluster]:
    workdir = Path(tempfile.mkdtemp(prefix="slotbase-bench-replica-"))
    os.chmod(workdir, 0o755)
    replica = LocalCluster(
        workdir / "pg", socket_dir=workdir / "run", port=free_port(), fsync=False, extra_conf=CONF
    )
    try:
        replica.standby_of(primary)
        replica.start()
        yield replica
    finally:
        with contextlib.suppress(Exception):
            replica.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def bouncer(primary: LocalCluster) -> Iterator[PgBouncer]:
    workdir = Path(tempfile.mkdtemp(prefix="slotbase-bench-pgbouncer-"))
    os.chmod(workdir, 0o755)
    server = PgBouncer(workdir, primary.dsn("postgres"), pool_size=API_POOL)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def shop(admin: str) -> tuple[str, str]:
    """A provider open 08-18 every day with a 30-minute service; a customer account."""
    conn = await asyncpg.connect(admin)
    try:
        await conn.fetchval("select private.register($1, $2, null, null)", EMAIL, PASSWORD)
        org = await conn.fetchval(
            "insert into app.organizations (slug, name) values ('bench-scale', 'Scale')"
            " returning id"
        )
        provider = await conn.fetchval(
            "insert into app.providers (org_id, display_name) values ($1, 'Ann') returning id", org
        )
        service = await conn.fetchval(
            "insert into app.services (org_id, name, duration_minutes, price_minor, currency) "
            "values ($1, 'Cut', 30, 100, 'DKK') returning id",
            org,
        )
        await conn.execute(
            "insert into app.service_providers (org_id, service_id, provider_id) "
            "values ($1, $2, $3)",
            org,
            service,
            provider,
        )
        await conn.execute(
            "insert into app.working_hours (org_id, provider_id, weekday, starts, ends) "
            "select $1, $2, d, '08:00', '18:00' from generate_series(1, 7) d",
            org,
            provider,
        )
        return str(provider), str(service)
    finally:
        await conn.close()


async def commits(dsn: str) -> int:
    """Transactions committed in the database so far (pg_stat_database; a standby counts its
    read-only ones too)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("select pg_stat_clear_snapshot()")
        return int(
            await conn.fetchval(
                "select xact_commit from pg_stat_database where datname = current_database()"
            )
        )
    finally:
        await conn.close()


def reads(port: int, provider: str, service: str) -> tuple[bytes, bytes]:
    token = login(port, EMAIL, PASSWORD)["access_token"]
    me = request_bytes("GET", "/api/v1/users/me", {"Authorization": f"Bearer {token}"})
    day = (date.today() + timedelta(days=7)).isoformat()
    path = f"/api/v1/providers/{provider}/slots?service_id={service}&from={day}&to={day}"
    return me, request_bytes("GET", path, {})


def measure(port: int, provider: str, service: str, seconds: float) -> tuple[Load, Load]:
    me, slots = reads(port, provider, service)
    time.sleep(0.5)  # a replica's position is polled: let the login's write be seen there
    users = uvloop.run(http_load(port, me, clients=CLIENTS, seconds=seconds))
    free = uvloop.run(http_load(port, slots, clients=CLIENTS, seconds=seconds))
    return users, free


def main(seconds: float = 5.0) -> None:
    results: dict[str, tuple[Load, Load]] = {}
    served: dict[str, int] = {}  # transactions the replica ran during each setup
    with (
        local_cluster() as primary,
        standby_of(primary) as replica,
        bouncer(primary) as pgbouncer,
        redis_server() as redis_url,
    ):
        admin = primary.dsn("postgres")
        api_dsn = primary.dsn("postgres", user="authenticator")
        provider, service = asyncio.run(shop(admin))
        asyncio.run(caught_up(admin, replica.dsn("postgres")))
        setups = {
            "direct, one process": ({}, 1),
            "through PgBouncer (transaction mode)": (
                {
                    "API_DATABASE_URL": pgbouncer.url("postgres", "authenticator"),
                    "DB_PREPARED_STATEMENTS": "false",
                    "DIRECT_DATABASE_URL": api_dsn,
                },
                1,
            ),
            "reads on a streaming replica": (
                {
                    "DATABASE_READ_URLS": replica.dsn("postgres", user="authenticator"),
                    "REDIS_URL": redis_url,
                },
                1,
            ),
            "two API processes (--workers 2)": ({}, 2),
        }
        for label, (env, workers) in setups.items():
            env = {"API_DATABASE_URL": api_dsn, **env}
            dsn = env.pop("API_DATABASE_URL")
            on_replica = asyncio.run(commits(replica.dsn("postgres")))
            with api_server(dsn, pool=API_POOL, extra_env=env, workers=workers) as (port, _):
                results[label] = measure(port, provider, service, seconds)
            served[label] = asyncio.run(commits(replica.dsn("postgres"))) - on_replica

    print(f"Deployments side by side, {CLIENTS} concurrent clients, {seconds:.0f} s each")
    base_me, base_slots = results["direct, one process"]
    for label, (me, slots) in results.items():
        print(f"{label}")
        print(line("GET /users/me", me))
        print(line("GET /providers/{id}/slots (anonymous, one day)", slots))
        if "replica" in label:
            counted = me.count + slots.count
            print(
                f"  transactions run by the replica: {served[label]} for {counted} counted reads"
                " (and the warm-ups, and position polls)"
            )
        print(
            f"  ratio to direct, one process: users/me {me.rate / base_me.rate:.2f}, "
            f"slots {slots.rate / base_slots.rate:.2f}"
        )
    print(json.dumps({k: [round(m.rate), round(s.rate)] for k, (m, s) in results.items()}))


if __name__ == "__main__":
    main(float(os.environ.get("BENCH_SECONDS", "5")))
