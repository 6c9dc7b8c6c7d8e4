"""Reads on a real streaming replica (pg_basebackup -R), writes on the primary.

Pausing the replica's replay (pg_wal_replay_pause) makes lag as long as a test needs: what the
replica answers is then visibly older than the primary, which shows where each read went.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.app import create_app
from api.request import replicas
from tests.conftest import ISSUER, PASSWORD
from tests.support.bookings import API, Seed, local
from tests.support.problems import answer_errors
from tests.support.replication import Pair, replicated
from tests.support.servers import until

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
ZONE = "Europe/Copenhagen"


@pytest.fixture
async def pair(server_tmp_path: Path) -> AsyncIterator[Pair]:
    async with replicated(server_tmp_path) as servers:
        yield servers


@contextlib.asynccontextmanager
async def instance(pair: Pair, settings: Any, keyset: Any, **changes: Any) -> AsyncIterator[Any]:
    """An API instance reading from the replica; yields (app, client). Every answer is checked:
    no 5xx, every error a problem document."""
    changes.setdefault("database_read_max_lag_seconds", 600)  # a paused replica stays in use
    tuned = dataclasses.replace(settings, database_read_urls=(pair.url(pair.standby),), **changes)
    app = create_app(tuned, dsn=pair.url(pair.primary), keyset=keyset)
    unsound: list[str] = []

    async def inspect(response: httpx.Response) -> None:
        await response.aread()
        unsound.extend(answer_errors(response))

    async with app.router.lifespan_context(app):
        await until(lambda: app.state.router.replicas[0].up, "the replica takes reads")
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url=ISSUER, event_hooks={"response": [inspect]}
        ) as http:
            yield app, http
    assert unsound == [], "unsound answers:\n" + "\n".join(unsound)


async def pause(pair: Pair) -> None:
    await pair.caught_up()
    await pair.sql(pair.standby, "select pg_wal_replay_pause()")


async def resume(pair: Pair) -> None:
    await pair.sql(pair.standby, "select pg_wal_replay_resume()")


async def account(http: httpx.AsyncClient, handle: str) -> dict[str, str]:
    body = {"email": f"{handle}@example.com", "password": PASSWORD}
    assert (await http.post(f"{API}/auth/register", json=body)).status_code == 201
    login = await http.post(f"{API}/auth/login", json=body)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def shop(pair: Pair) -> tuple[str, str, str]:
    seed = await Seed.connect(pair.primary.dsn("slotbase"))
    try:
        org = await seed.org(timezone=ZONE)
        provider = await seed.provider(org)
        service = await seed.service(org, [provider], duration=60)
        await seed.hours(provider, range(1, 8), "08:00", "18:00")
    finally:
        await seed.close()
    return org, provider, service


def next_week() -> date:
    return datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=7)


async def test_reads_go_to_the_replica_and_a_person_reads_their_own_writes(
    pair: Pair, settings: Any, keyset: Any
):
    async with instance(pair, settings, keyset) as (_, http):
        org, _, _ = await shop(pair)
        await pause(pair)
        # Written on the primary behind the API's back: the paused replica does not have it.
        await pair.sql(
            pair.primary, f"update app.organizations set name = 'Renamed' where id = '{org}'"
        )
        seen = await http.get(f"{API}/orgs/{org}")
        assert seen.status_code == 200 and seen.json()["name"] != "Renamed", "read on the replica"

        # Registered and logged in while the replica is paused: the session exists only on
        # the primary, yet the first read with the new token finds it.
        alma = await account(http, "alma")
        me = await http.get(f"{API}/users/me", headers=alma)
        assert me.status_code == 200, me.text
        changed = await http.patch(f"{API}/users/me", json={"full_name": "Alma Ny"}, headers=alma)
        assert changed.status_code == 200, changed.text
        again = await http.get(f"{API}/users/me", headers=alma)
        assert again.json()["full_name"] == "Alma Ny"
        # Anonymous reads still come from the replica meanwhile.
        assert (await http.get(f"{API}/orgs/{org}")).json()["name"] != "Renamed"

        await resume(pair)
        await pair.caught_up()
        await asyncio.sleep(0.3)  # a poll of the replica's position
        assert (await http.get(f"{API}/orgs/{org}")).json()["name"] == "Renamed"


async def test_a_write_whose_outcome_is_unknown_sends_the_writer_to_the_primary(
    pair: Pair, settings: Any, keyset: Any
):
    """A write answered 503 may have committed; that person's reads avoid the replicas then."""
    async with instance(pair, settings, keyset) as (app, http):
        alma = await account(http, "alma")
        alma_id = (await http.get(f"{API}/users/me", headers=alma)).json()["id"]
        router = app.state.router
        await pair.caught_up()
        await asyncio.sleep(0.3)  # a poll of the replica's position
        assert (await router.pool_for(alma_id, read_only=True))[1], "she reads on the replica"

        await asyncio.to_thread(pair.primary.stop, "immediate")
        try:
            raw = httpx.ASGITransport(app=app)  # this one answer is a 503 by design
            async with httpx.AsyncClient(transport=raw, base_url=ISSUER) as lost:
                body = {"full_name": "Alma?"}
                answer = await lost.patch(f"{API}/users/me", json=body, headers=alma)
            assert answer.status_code == 503 and answer.headers["retry-after"]
            assert await router.position_of(alma_id) == replicas.UNKNOWN
            pool, on_replica = await router.pool_for(alma_id, read_only=True)
            assert not on_replica and pool is app.state.pool
        finally:
            await asyncio.to_thread(pair.primary.start)


async def test_a_slot_taken_on_the_primary_is_shown_by_a_lagging_replica_and_booking_it_is_409(
    pair: Pair, settings: Any, keyset: Any
):
    async with instance(pair, settings, keyset) as (_, http):
        _, provider, service = await shop(pair)
        first, second = await account(http, "first"), await account(http, "second")
        start = local(next_week(), "10:00", ZONE)
        await pair.caught_up()
        await pause(pair)
        body = {"provider_id": provider, "service_id": service, "start": start}
        taken = await http.post(f"{API}/bookings", json=body, headers=first)
        assert taken.status_code == 201, taken.text

        day = next_week().isoformat()
        query = {"service_id": service, "from": day, "to": day}
        slots = await http.get(f"{API}/providers/{provider}/slots", params=query)
        starts = [s["start"] for s in slots.json()["slots"]]
        assert any(s.startswith(start[:16]) for s in starts), "the replica still shows it free"

        lost = await http.post(f"{API}/bookings", json=body, headers=second)
        assert lost.status_code == 409 and lost.json()["code"] == "slot_taken", lost.text
        await resume(pair)
        count = await pair.sql(
            pair.primary,
            "select count(*) from app.bookings where status in ('pending', 'confirmed')",
        )
        assert count == 1


async def test_a_write_on_one_instance_is_read_back_on_another(
    pair: Pair, settings: Any, keyset: Any
):
    """The writer's position is shared through Redis: the load balancer may send the next
    read anywhere."""
    async with (
        instance(pair, settings, keyset) as (_, one),
        instance(pair, settings, keyset) as (second, two),
    ):
        alma = await account(one, "alma")
        alma_id = (await one.get(f"{API}/users/me", headers=alma)).json()["id"]
        await pair.caught_up()
        await pause(pair)
        changed = await one.patch(f"{API}/users/me", json={"full_name": "Alma To"}, headers=alma)
        assert changed.status_code == 200, changed.text
        # The second instance knows her position from Redis (None would mean "ask the primary
        # because Redis is away", which would pass this test for the wrong reason).
        known = await second.state.router.position_of(alma_id)
        assert known is not None and known > second.state.router.replicas[0].replay
        seen = await two.get(f"{API}/users/me", headers=alma)
        assert seen.json()["full_name"] == "Alma To"
        await resume(pair)


async def test_a_replica_too_far_behind_or_down_takes_no_reads(
    pair: Pair, settings: Any, keyset: Any, caplog: pytest.LogCaptureFixture
):
    async with instance(pair, settings, keyset, database_read_max_lag_seconds=1) as (app, http):
        org, _, _ = await shop(pair)
        await pause(pair)
        await pair.sql(
            pair.primary, f"update app.organizations set name = 'Later' where id = '{org}'"
        )
        replica = app.state.router.replicas[0]
        await until(lambda: not replica.up, "the lagging replica is left out", seconds=15)
        assert (await http.get(f"{API}/orgs/{org}")).json()["name"] == "Later"
        await resume(pair)
        await until(lambda: replica.up, "the replica caught up and takes reads again")

        health = (await http.get("/health")).json()
        assert health["checks"]["replicas"] == "1/1" and health["status"] == "ok", health

        # The replica goes away between two polls (the poll is held to make that moment last):
        # the read sent there is repeated on the primary, never answered 5xx.
        caplog.set_level(logging.WARNING, logger="slotbase")
        router = app.state.router
        assert router._task is not None
        router._task.cancel()
        await asyncio.to_thread(pair.standby.stop, "immediate")
        assert replica.up
        for _ in range(5):
            assert (await http.get(f"{API}/orgs/{org}")).status_code == 200
        assert "failed a read; read on the primary" in caplog.text
        assert not replica.up
        router._task = asyncio.create_task(router._poll_forever())
        await asyncio.to_thread(pair.standby.start)
        await until(lambda: replica.up, "the restarted replica takes reads again", seconds=20)

        await asyncio.to_thread(pair.standby.stop, "immediate")
        for _ in range(20):
            assert (await http.get(f"{API}/orgs/{org}")).status_code == 200
        await until(lambda: not replica.up, "the stopped replica is left out")
        health = (await http.get("/health")).json()
        assert health["checks"]["replicas"] == "0/1" and health["status"] == "degraded", health
        await asyncio.to_thread(pair.standby.start)
        await until(lambda: replica.up, "the restarted replica takes reads again", seconds=20)
