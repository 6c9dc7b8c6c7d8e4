"""Faults under booking load: PostgreSQL restarting, and a failover to a synchronous standby.

Eight clients book distinct slots, each booking with its own Idempotency-Key, retrying on 503
as an app would. While the database is away every answer must be 503 with Retry-After (never
500); afterwards the API serves writes again by itself, and every booking answered 201 is in the
database the API ends up on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from api.app import create_app
from api.ops.devdb import LocalCluster
from tests.conftest import PASSWORD
from tests.support.bookings import API, Seed, local
from tests.support.live import serve
from tests.support.problems import answer_errors
from tests.support.replication import DBNAME, Pair, migrated_cluster, replicated
from tests.support.servers import until

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
ZONE = "Europe/Copenhagen"
CLIENTS = 8
PER_CLIENT = 9  # under the default limit of active bookings per customer (10)


@dataclasses.dataclass
class Load:
    """What the clients saw: every answer's status, and the bookings answered 201."""

    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    unsound: list[str] = dataclasses.field(default_factory=list)
    booked: list[str] = dataclasses.field(default_factory=list)
    done: int = 0


def first_day() -> date:
    return datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=7)


async def open_shop(admin_dsn: str) -> tuple[str, str]:
    seed = await Seed.connect(admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        provider = await seed.provider(org)
        service = await seed.service(org, [provider], duration=60)
        await seed.hours(provider, range(1, 8), "08:00", "18:00")
    finally:
        await seed.close()
    return provider, service


async def customers(http: httpx.AsyncClient, count: int) -> list[dict[str, str]]:
    headers = []
    for n in range(count):
        body = {"email": f"load{n}@example.com", "password": PASSWORD}
        assert (await http.post(f"{API}/auth/register", json=body)).status_code == 201
        login = await http.post(f"{API}/auth/login", json=body)
        headers.append({"Authorization": f"Bearer {login.json()['access_token']}"})
    return headers


async def book_steadily(
    http: httpx.AsyncClient, who: dict[str, str], n: int, provider: str, service: str, load: Load
) -> None:
    """Client n books its slots one after another; a 503 is retried with the same key."""
    for k in range(PER_CLIENT):
        slot = n * PER_CLIENT + k
        day = first_day() + timedelta(days=slot // 10)
        start = local(day, f"{8 + slot % 10:02d}:00", ZONE)
        body = {"provider_id": provider, "service_id": service, "start": start}
        headers = {**who, "Idempotency-Key": f"load-{n}-{k}"}
        for _ in range(600):
            try:
                answer = await http.post(f"{API}/bookings", json=body, headers=headers)
            except httpx.TransportError:
                load.unsound.append("the API dropped a connection")
                await asyncio.sleep(0.1)
                continue
            load.statuses[answer.status_code] += 1
            if answer.status_code == 503:
                # The one 5xx allowed: a problem document saying when to try again.
                assert answer.headers.get("retry-after"), answer.headers
                assert answer.json()["code"] == "service_unavailable", answer.text
                await asyncio.sleep(0.1)
                continue
            load.unsound.extend(answer_errors(answer))
            assert answer.status_code == 201, answer.text
            load.booked.append(answer.json()["id"])
            break
        else:
            raise AssertionError("the API did not come back")
        load.done += 1


async def stored(dsn: str, ids: list[str]) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("select id::text from app.bookings where id = any($1::uuid[])", ids)
    finally:
        await conn.close()
    return {r["id"] for r in rows}


@contextlib.asynccontextmanager
async def api(settings: Any, keyset: Any, dsn: str) -> AsyncIterator[tuple[Any, str]]:
    app = create_app(settings, dsn=dsn, keyset=keyset)
    async with app.router.lifespan_context(app), serve(app) as base:
        yield app, base


@pytest.fixture
async def cluster(server_tmp_path: Path) -> AsyncIterator[LocalCluster]:
    """A server of this test alone, to restart, crash and freeze."""
    async with migrated_cluster(server_tmp_path / "data") as server:
        yield server


async def test_a_restart_under_booking_load_answers_503_never_500_and_loses_nothing(
    cluster: LocalCluster, settings: Any, keyset: Any
):
    provider, service = await open_shop(cluster.dsn(DBNAME))
    async with (
        api(settings, keyset, cluster.dsn(DBNAME, "authenticator")) as (_, base),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        people = await customers(http, CLIENTS)
        load = Load()
        clients = [
            asyncio.ensure_future(book_steadily(http, who, n, provider, service, load))
            for n, who in enumerate(people)
        ]
        await until(lambda: load.done >= CLIENTS, "bookings before the restart", 30)
        await asyncio.to_thread(cluster.stop, "immediate")
        # While it is down: the contract and its page still answer, from memory.
        down = await http.get(f"{API}/openapi.json")
        assert down.status_code == 200 and down.json()["openapi"].startswith("3.")
        assert (await http.get("/docs")).status_code == 200
        await asyncio.sleep(1.0)
        await asyncio.to_thread(cluster.start)
        await asyncio.gather(*clients)
    assert load.unsound == [], load.unsound
    assert set(load.statuses) <= {201, 503}, load.statuses
    assert load.statuses[503] > 0, "the restart was not noticed"
    assert len(load.booked) == CLIENTS * PER_CLIENT
    assert await stored(cluster.dsn(DBNAME), load.booked) == set(load.booked)


@pytest.fixture
async def pair(server_tmp_path: Path) -> AsyncIterator[Pair]:
    async with replicated(server_tmp_path, synchronous=True) as servers:
        yield servers


async def test_a_failover_to_the_synchronous_standby_keeps_every_answered_booking(
    pair: Pair, settings: Any, keyset: Any
):
    provider, service = await open_shop(pair.primary.dsn(DBNAME))
    await pair.caught_up()
    async with (
        api(settings, keyset, pair.failover_url()) as (_, base),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        people = await customers(http, CLIENTS)
        load = Load()
        clients = [
            asyncio.ensure_future(book_steadily(http, who, n, provider, service, load))
            for n, who in enumerate(people)
        ]
        await until(lambda: load.done >= CLIENTS * 2, "bookings before the failover", 30)
        # The primary's machine is lost; the standby is promoted. Nothing restarts the API.
        await asyncio.to_thread(pair.primary.stop, "immediate")
        await asyncio.sleep(0.5)
        await asyncio.to_thread(pair.standby.promote)
        await asyncio.gather(*clients)
        me = await http.get(f"{API}/users/me", headers=people[0])
        assert me.status_code == 200, me.text
    assert load.unsound == [], load.unsound
    assert set(load.statuses) <= {201, 503}, load.statuses
    assert load.statuses[503] > 0, "the failover was not noticed: did the load run across it?"
    assert len(load.booked) == CLIENTS * PER_CLIENT
    assert await stored(pair.standby.dsn(DBNAME), load.booked) == set(load.booked)


def freeze(cluster: LocalCluster, sig: signal.Signals) -> None:
    """SIGSTOP or SIGCONT the server and all its processes: a host that stops answering
    without closing a connection, as a hung machine or a network partition does."""
    postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in [postmaster, *map(int, children)]:
        os.kill(pid, sig)


async def test_a_database_that_stops_answering_gets_503_not_a_hung_request(
    cluster: LocalCluster, settings: Any, keyset: Any
):
    provider, service = await open_shop(cluster.dsn(DBNAME))
    day = first_day().isoformat()
    slots = f"{API}/providers/{provider}/slots?service_id={service}&from={day}&to={day}"
    async with (
        api(settings, keyset, cluster.dsn(DBNAME, "authenticator")) as (_, base),
        httpx.AsyncClient(base_url=base, timeout=60) as http,
    ):
        assert (await http.get(slots)).status_code == 200
        freeze(cluster, signal.SIGSTOP)
        try:
            # The anon role's 5 s statement timeout runs out; the cancel is never answered
            # either, so the connection is cut and the answer is 503, not a hung request.
            answer = await http.get(slots)
        finally:
            freeze(cluster, signal.SIGCONT)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"]
        assert answer.json()["code"] == "service_unavailable"
        again = await http.get(slots)
        assert again.status_code == 200, again.text


async def test_the_api_started_before_its_database_waits_for_it(
    cluster: LocalCluster, settings: Any, keyset: Any, caplog: pytest.LogCaptureFixture
):
    """API and database may start in any order (a host booting, a failover at start)."""
    await asyncio.to_thread(cluster.stop)

    app = create_app(settings, dsn=cluster.dsn(DBNAME, "authenticator"), keyset=keyset)
    started = asyncio.Event()

    async def run() -> None:
        async with app.router.lifespan_context(app):
            started.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.ensure_future(run())
    try:
        await until(lambda: "waiting for the database" in caplog.text, "a waiting API")
        assert not started.is_set() and not task.done()
        await asyncio.to_thread(cluster.start)
        await asyncio.wait_for(started.wait(), 30)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/health/ready")).status_code == 200
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_database_refusing_the_login_stops_the_start_at_once(
    cluster: LocalCluster, settings: Any, keyset: Any
):
    """Waiting cannot mend a wrong database name or password: fail fast, say why."""
    app = create_app(settings, dsn=cluster.dsn("no_such_db"), keyset=keyset)
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        async with app.router.lifespan_context(app):
            pass
