"""The request path through a real PgBouncer in transaction mode.

Every request is one implicit transaction whose settings are transaction-local, so any server
connection the pooler lends can run it: with DB_PREPARED_STATEMENTS=false asyncpg sends each
statement unnamed, in one parse-bind-execute sequence. LISTEN needs a session of its own, which
a transaction pooler cannot give: live updates listen on DIRECT_DATABASE_URL.

The module's `app` fixture replaces conftest's, so `client`, `make_account` and friends speak
to the API through PgBouncer with only two server connections for every client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.app import create_app
from tests.support import pgtap
from tests.support.bookings import API, Seed, local
from tests.support.live import serve, sse
from tests.support.pgbouncer import PgBouncer

pytestmark = pytest.mark.anyio
ZONE = "Europe/Copenhagen"
SERVER_CONNECTIONS = 2


@pytest.fixture
def bouncer(server_tmp_path: Path, pg: Any) -> Iterator[PgBouncer]:
    server = PgBouncer(server_tmp_path, pg.url, pool_size=SERVER_CONNECTIONS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def app(db: Any, settings: Any, keyset: Any, bouncer: PgBouncer) -> AsyncIterator[Any]:
    bounced = dataclasses.replace(
        settings,
        db_prepared_statements=False,
        direct_database_url=db.dsn_as("authenticator"),
        db_pool_max=20,
    )
    application = create_app(bounced, dsn=bouncer.url(db.name, "authenticator"), keyset=keyset)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def seed(db: Any) -> AsyncIterator[Seed]:
    seed = await Seed.connect(db.admin_dsn)
    try:
        yield seed
    finally:
        await seed.close()


def transactions(bouncer: PgBouncer, dbname: str) -> int:
    """Transactions PgBouncer passed to `dbname`, from its admin console (SHOW STATS)."""
    # The console speaks only the simple query protocol: psql, not asyncpg.
    url = bouncer.url("pgbouncer", "postgres")
    command = [pgtap.psql_binary(), "-X", "-At", "-F", "|", "-c", "show stats", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    for line in done.stdout.splitlines():
        fields = line.split("|")
        if fields[0] == dbname:
            return int(fields[1])  # total_xact_count
    return 0


def next_week() -> date:
    return datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=7)


async def shop(seed: Seed) -> tuple[str, str, str]:
    org = await seed.org(timezone=ZONE)
    provider = await seed.provider(org)
    service = await seed.service(org, [provider], duration=60)
    await seed.hours(provider, range(1, 8), "08:00", "18:00")
    return org, provider, service


async def test_accounts_work_through_pgbouncer(
    client: httpx.AsyncClient, make_account: Any, bouncer: PgBouncer, db: Any
):
    before = transactions(bouncer, db.name)
    alma = await make_account("alma")
    me = await client.get(f"{API}/users/me", headers=alma.headers)
    assert me.status_code == 200 and me.json()["email"] == "alma@example.com"
    # Many at once: each pooled client connection meets both server connections in turn
    # (with named prepared statements this fails with "prepared statement ... does not exist").
    many = await asyncio.gather(
        *(client.get(f"{API}/users/me", headers=alma.headers) for _ in range(300))
    )
    assert Counter(r.status_code for r in many) == {200: 300}

    refresh = {"refresh_token": alma.tokens["refresh_token"]}
    renewed = await client.post(f"{API}/auth/refresh", json=refresh)
    assert renewed.status_code == 200, renewed.text
    headers = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    changed = await client.post(
        f"{API}/auth/change-password",
        json={"current_password": alma.password, "new_password": "quiet-lantern-meadow"},
        headers=headers,
    )
    assert changed.status_code in (200, 204), changed.text
    wrong = await client.post(
        f"{API}/auth/login", json={"email": alma.email, "password": alma.password}
    )
    assert wrong.status_code == 401
    again = await client.post(
        f"{API}/auth/login", json={"email": alma.email, "password": "quiet-lantern-meadow"}
    )
    assert again.status_code == 200, again.text
    fresh = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert (await client.post(f"{API}/auth/logout", headers=fresh)).status_code == 204
    assert (await client.get(f"{API}/users/me", headers=fresh)).status_code == 401
    # Every one of those calls went through the pooler (login and friends are several each).
    assert transactions(bouncer, db.name) - before >= 8


async def test_bookings_work_and_races_hold_through_pgbouncer(
    client: httpx.AsyncClient, make_account: Any, seed: Seed
):
    _, provider, service = await shop(seed)
    people = [await make_account(f"racer{n}") for n in range(12)]
    start = local(next_week(), "10:00", ZONE)
    body = {"provider_id": provider, "service_id": service, "start": start}

    async def book(n: int) -> httpx.Response:
        headers = {**people[n].headers, "Idempotency-Key": f"bounce-{n}"}
        return await client.post(f"{API}/bookings", json=body, headers=headers)

    # Twelve clients share two server connections: each statement runs on whichever is free.
    answers = await asyncio.gather(*(book(n) for n in range(len(people))))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 409: len(people) - 1}, statuses
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"slot_taken"}
    assert await seed.overlaps() == []

    winner = next(n for n, a in enumerate(answers) if a.status_code == 201)
    booking = answers[winner].json()
    mine = await client.get(f"{API}/bookings", headers=people[winner].headers)
    assert [b["id"] for b in mine.json()["items"]] == [booking["id"]]
    cancelled = await client.post(
        f"{API}/bookings/{booking['id']}/cancel", json={}, headers=people[winner].headers
    )
    assert cancelled.status_code == 200, cancelled.text
    retry = await book((winner + 1) % len(people))
    assert retry.status_code == 201, retry.text


async def test_live_updates_listen_on_the_direct_url_while_requests_go_through_pgbouncer(
    app: Any, make_account: Any, seed: Seed
):
    _, provider, service = await shop(seed)
    alma = await make_account("alma")
    start = local(next_week(), "11:00", ZONE)
    body = {"provider_id": provider, "service_id": service, "start": start}
    async with serve(app) as base, sse(base, f"availability:{provider}") as visitor:
        async with httpx.AsyncClient(base_url=base) as http:
            booked = await http.post(f"{API}/bookings", json=body, headers=alma.headers)
            assert booked.status_code == 201, booked.text
        event = await visitor.event()
        assert event["kind"] == "availability.changed", event
    assert app.state.listener.connected.is_set()


async def test_a_listener_behind_pgbouncer_says_it_hears_nothing(
    db: Any, settings: Any, keyset: Any, bouncer: PgBouncer, caplog: pytest.LogCaptureFixture
):
    """Without DIRECT_DATABASE_URL, LISTEN through the pooler would be silently deaf."""
    bounced = dataclasses.replace(settings, db_prepared_statements=False)
    application = create_app(bounced, dsn=bouncer.url(db.name, "authenticator"), keyset=keyset)
    async with application.router.lifespan_context(application):
        assert not application.state.listener.connected.is_set()
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://slotbase.test") as http:
            health = (await http.get("/health")).json()
    assert health["checks"]["events"] != "ok", health
    assert "DIRECT_DATABASE_URL" in caplog.text
