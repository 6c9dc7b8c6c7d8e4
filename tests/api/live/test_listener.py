"""api/live/listener.py: each instance LISTENs on a connection of its own and delivers to its
own streams; a lost connection or a PostgreSQL restart loses no event.

The restart test restarts a cluster of its own (the session's cluster serves every other test).
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from tests.support.bookings import API, Seed, local
from tests.support.live import Salon, at, auth, serve, sse
from tests.support.replication import DBNAME, migrated_cluster

pytestmark = pytest.mark.anyio
ZONE = "Europe/Copenhagen"


async def book_when_up(http: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]):
    """The pool's old connections died with the server: the first calls may answer 503."""
    for _ in range(50):
        response = await http.post(f"{API}/bookings", json=body, headers=headers)
        if response.status_code != 503:
            return response
        await asyncio.sleep(0.2)
    raise AssertionError("the API did not recover after the restart")


@pytest.mark.slow
async def test_the_listener_survives_a_postgresql_restart(
    server_tmp_path: Path, settings: Any, keyset: Any
):
    async with migrated_cluster(server_tmp_path / "data") as cluster:
        seed = await Seed.connect(cluster.dsn(DBNAME))
        org = await seed.org(timezone=ZONE)
        desk = await seed.provider(org)
        cut = await seed.service(org, [desk], duration=60)
        await seed.hours(desk, range(1, 8), "08:00", "18:00")

        app = create_app(settings, dsn=cluster.dsn(DBNAME, "authenticator"), keyset=keyset)
        async with (
            app.router.lifespan_context(app),
            serve(app) as base,
            httpx.AsyncClient(base_url=base) as http,
        ):
            account = {"email": "restart@example.com", "password": "velvet-otter-harbour"}
            assert (await http.post(f"{API}/auth/register", json=account)).status_code == 201
            login = await http.post(f"{API}/auth/login", json=account)
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            await seed.freeze("2026-03-02T08:00:00Z")  # after login: tokens carry the real time
            await seed.close()

            def body(hhmm: str) -> dict[str, Any]:
                start = local(date(2026, 3, 3), hhmm, ZONE)
                return {"provider_id": desk, "service_id": cut, "start": start}

            async with sse(base, f"availability:{desk}") as visitor:
                first = await book_when_up(http, body("10:00"), headers)
                assert first.status_code == 201, first.text
                assert (await visitor.event())["kind"] == "availability.changed"

                await asyncio.to_thread(cluster.stop)
                await asyncio.to_thread(cluster.start)

                second = await book_when_up(http, body("12:00"), headers)
                assert second.status_code == 201, second.text
                event = await visitor.event(wait=20)
                assert event["data"]["from"] == "2026-03-03T11:00:00Z"
                assert await visitor.quiet() == []
                health = (await http.get("/health")).json()
                assert health["checks"]["events"] == "ok", health


async def test_no_event_is_lost_while_the_listener_reconnects(salon: Salon, app: Any):
    s = salon
    listener = app.state.listener
    async with sse(s.base, "bookings", auth(s.alma)) as alma:
        killed = await s.seed.conn.fetchval(
            "select count(pg_catalog.pg_terminate_backend(pid)) from pg_stat_activity"
            " where application_name = 'slotbase-events' and datname = current_database()"
        )
        assert killed == 1
        # Committed while the listener is (most likely) away: the catch-up on reconnecting
        # delivers it, or the new LISTEN does; either way exactly once.
        booking = await s.booked(s.alma, at("10:00"))
        assert (await alma.event())["data"]["booking_id"] == booking["id"]
        await asyncio.wait_for(listener.connected.wait(), 10)
        assert await alma.quiet() == []
        later = await s.booked(s.alma, at("12:00"))
        assert (await alma.event())["data"]["booking_id"] == later["id"]


async def test_two_instances_each_deliver_to_their_own_clients(
    salon: Salon, db: Any, settings: Any, keyset: Any
):
    from api.app import create_app
    from tests.support.live import serve

    s = salon
    other = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with (
        other.router.lifespan_context(other),
        serve(other) as other_base,
        sse(s.base, "bookings", auth(s.stig)) as here,
        sse(other_base, "bookings", auth(s.stig)) as there,
        sse(other_base, "bookings", auth(s.bo)) as bo_there,
    ):
        booking = await s.booked(s.alma, at("10:00"))
        assert (await here.event())["data"]["booking_id"] == booking["id"]
        assert (await there.event())["data"]["booking_id"] == booking["id"]
        assert await bo_there.quiet() == []
