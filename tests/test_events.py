"""Live updates over SSE and WebSocket: who receives which event, resume, closing, privacy.

Each test runs the app in a real uvicorn server (tests/support/live.py) against its own
database; booking changes go through the REST API, as an app would make them, and events arrive
from NOTIFY.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.bookings import API, Seed, local
from tests.support.live import sse, ws

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
TUESDAY = date(2026, 3, 3)
AVAILABILITY_DATA = {"org_id", "provider_id", "from", "to"}


def at(hhmm: str) -> str:
    return local(TUESDAY, hhmm, ZONE)


@dataclass
class Salon:
    """Customers alma and bo, staff stig, provider pia (working as `pia_desk`), and `desk`."""

    client: httpx.AsyncClient
    base: str
    seed: Seed
    alma: Any
    bo: Any
    stig: Any
    pia: Any
    org: str
    pia_desk: str
    desk: str
    cut: str

    async def book(self, who: Any, start: str, provider: str | None = None) -> httpx.Response:
        body = {"provider_id": provider or self.desk, "service_id": self.cut, "start": start}
        return await self.client.post(f"{API}/bookings", json=body, headers=who.headers)

    async def booked(self, who: Any, start: str, provider: str | None = None) -> dict[str, Any]:
        response = await self.book(who, start, provider)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def cancel(self, who: Any, booking_id: str) -> None:
        response = await self.client.post(
            f"{API}/bookings/{booking_id}/cancel", json={}, headers=who.headers
        )
        assert response.status_code == 200, response.text


def auth(who: Any) -> dict[str, str]:
    return dict(who.headers)


def token(who: Any) -> str:
    return str(who.tokens["access_token"])


@pytest.fixture
async def salon(app: Any, client: httpx.AsyncClient, make_account: Any, db: Any):
    from tests.support.live import serve

    handles = ("alma", "bo", "stig", "pia")
    accounts = dict(zip(handles, await asyncio.gather(*map(make_account, handles)), strict=True))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        await seed.member(org, accounts["stig"].id, "staff")
        await seed.member(org, accounts["pia"].id, "provider")
        pia_desk = await seed.provider(org, user_id=accounts["pia"].id)
        desk = await seed.provider(org)
        cut = await seed.service(org, [pia_desk, desk], duration=60)
        for provider in (pia_desk, desk):
            await seed.hours(provider, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        async with serve(app) as base:
            yield Salon(
                client, base, seed, **accounts, org=org, pia_desk=pia_desk, desk=desk, cut=cut
            )
    finally:
        await seed.close()


def mentions(frames: list[dict[str, Any]], *needles: str) -> bool:
    text = json.dumps(frames)
    return any(needle in text for needle in needles)


# ---------------------------------------------------------------------------------------------
# Who receives what


async def test_sse_each_subscriber_receives_exactly_the_events_meant_for_them(salon: Salon):
    s = salon
    async with (
        sse(s.base, "bookings", auth(s.alma)) as alma,
        sse(s.base, "bookings", auth(s.bo)) as bo,
        sse(s.base, "bookings", auth(s.stig)) as stig,
        sse(s.base, "bookings", auth(s.pia)) as pia,
        sse(s.base, f"availability:{s.desk}") as visitor,
    ):
        mine = await s.booked(s.alma, at("10:00"))
        event = await alma.event()
        assert event["topic"] == "bookings" and event["kind"] == "booking.created"
        assert event["data"] == {
            "booking_id": mine["id"], "org_id": s.org, "provider_id": s.desk,
            "status": "confirmed",
        }  # fmt: skip
        assert event["_id"] == str(event["id"])
        assert (await stig.event())["data"]["booking_id"] == mine["id"]
        free = await visitor.event()
        assert free["topic"] == f"availability:{s.desk}" and free["kind"] == "availability.changed"
        assert set(free["data"]) == AVAILABILITY_DATA
        assert free["data"]["from"] == "2026-03-03T09:00:00Z"
        assert free["data"]["to"] == "2026-03-03T10:00:00Z"

        his = await s.booked(s.bo, at("12:00"), provider=s.pia_desk)
        assert (await bo.event())["data"]["booking_id"] == his["id"]
        assert (await stig.event())["data"]["booking_id"] == his["id"]
        assert (await pia.event())["data"]["booking_id"] == his["id"]  # her calendar

        await s.cancel(s.alma, mine["id"])
        cancelled = await alma.event()
        assert (cancelled["kind"], cancelled["data"]["status"]) == (
            "booking.cancelled",
            "cancelled",
        )
        assert (await stig.event())["kind"] == "booking.cancelled"
        assert (await visitor.event())["kind"] == "availability.changed"  # the hour is free again

        # Nobody got anything else: bo never sees alma's booking, pia never sees the desk's.
        assert not mentions(await bo.quiet(), mine["id"])
        assert await alma.quiet() == []
        assert await pia.quiet() == []
        assert await stig.quiet() == []
        leftovers = await visitor.quiet()
        assert leftovers == []  # pia's calendar is another topic


async def test_a_failed_booking_publishes_nothing(salon: Salon):
    s = salon
    await s.booked(s.alma, at("10:00"))
    async with (
        sse(s.base, "bookings", auth(s.stig)) as stig,
        sse(s.base, f"availability:{s.desk}") as visitor,
    ):
        taken = await s.book(s.bo, at("10:00"))
        assert taken.status_code == 409
        assert await stig.quiet() == [] and await visitor.quiet() == []


async def test_availability_events_carry_no_personal_data(salon: Salon, db: Any):
    s = salon
    conn = await asyncpg.connect(db.dsn_as("authenticator"))
    payloads: list[str] = []
    await conn.add_listener("slotbase_events", lambda *args: payloads.append(args[-1]))
    try:
        async with sse(s.base, f"availability:{s.desk}") as visitor:
            booking = await s.booked(s.alma, at("11:00"))
            event = await visitor.event()
        await asyncio.sleep(0.2)
    finally:
        await conn.close()
    text = json.dumps(event)
    for secret in (s.alma.id, s.alma.email, booking["id"], booking["customer_note"] or "\x00"):
        assert secret not in text
    # Whoever LISTENs (any role may) learns ids and kinds only; a booking event is its id.
    notified = [json.loads(p) for p in payloads]
    assert {"id", "topic"} == set(next(n for n in notified if n["topic"] == "bookings"))
    assert all(s.alma.id not in p and booking["id"] not in p for p in payloads)


async def test_websocket_delivers_the_same_events_by_either_way_of_giving_the_token(
    salon: Salon,
):
    s = salon
    async with (
        ws(s.base, token(s.alma)) as alma,
        ws(s.base, token(s.bo), via="message") as bo,
        ws(s.base, token(s.stig)) as stig,
        ws(s.base) as visitor,
    ):
        for client in (alma, bo, stig):
            assert await client.subscribe("bookings") == {
                "type": "subscribed",
                "topics": ["bookings"],
            }
        assert (await visitor.subscribe(f"availability:{s.desk.upper()}"))["topics"] == [
            f"availability:{s.desk}"
        ]
        mine = await s.booked(s.alma, at("10:00"))
        his = await s.booked(s.bo, at("14:00"))
        assert (await alma.event())["data"]["booking_id"] == mine["id"]
        assert (await bo.event())["data"]["booking_id"] == his["id"]
        seen = {(await stig.event())["data"]["booking_id"] for _ in range(2)}
        assert seen == {mine["id"], his["id"]}
        slots = [await visitor.event(), await visitor.event()]
        assert all(set(e["data"]) == AVAILABILITY_DATA for e in slots)
        assert not mentions(await alma.quiet(), his["id"])
        assert not mentions(await bo.quiet(), mine["id"])


# ---------------------------------------------------------------------------------------------
# Refusals


async def test_stream_refusals_are_problems(salon: Salon):
    s = salon
    async with httpx.AsyncClient(base_url=s.base) as http:
        cases = [
            ({"topics": "bookings"}, {}, 401, "unauthorized"),
            ({"topics": "bookings"}, {"Authorization": "Bearer nope"}, 401, "malformed_token"),
            ({"topics": "availability:00000000-0000-4000-8000-000000000000"}, {}, 404, "not_found"),
            ({"topics": "everything"}, auth(s.alma), 422, "validation_failed"),
            ({}, {}, 422, "validation_failed"),
            ({"topics": "bookings", "token": "x"}, auth(s.alma), 422, "unknown_field"),
            ({"topics": "bookings"}, {**auth(s.alma), "Last-Event-ID": "x"}, 422, None),
        ]
        for params, headers, status, code in cases:
            response = await http.get("/api/v1/events", params=params, headers=headers)
            assert response.status_code == status, (params, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            if code:
                assert response.json()["code"] in (code, "invalid_token"), response.text


async def test_websocket_refusals_are_messages_and_close_codes(salon: Salon):
    s = salon
    async with ws(s.base) as visitor:
        answer = await visitor.subscribe("bookings")
        assert (answer["type"], answer["code"]) == ("error", "unauthorized")
        answer = await visitor.subscribe("availability:00000000-0000-4000-8000-000000000000")
        assert (answer["type"], answer["code"]) == ("error", "not_found")
        await visitor.send({"type": "ping"})
        assert await visitor.recv() == {"type": "pong"}
        await visitor.conn.send("not json")
        assert (await visitor.recv())["code"] == "invalid_json"
        await visitor.conn.wait_closed()
        assert visitor.conn.close_code == 4400
    async with ws(s.base, "not-a-token") as bad:
        answer = await bad.recv()
        assert (answer["type"], answer["code"]) == ("error", "malformed_token")
        await bad.conn.wait_closed()
        assert bad.conn.close_code == 4401


async def test_a_websocket_that_floods_messages_is_closed(salon: Salon):
    from api.live.ws import CLOSE_RATE_LIMITED, MESSAGE_BURST

    async with ws(salon.base) as flooder:
        for _ in range(MESSAGE_BURST + 10):
            await flooder.send({"type": "ping"})
        answers = [await flooder.recv() for _ in range(MESSAGE_BURST + 1)]
        assert answers[:MESSAGE_BURST] == [{"type": "pong"}] * MESSAGE_BURST
        assert answers[MESSAGE_BURST]["code"] == "rate_limited"
        await flooder.conn.wait_closed()
        assert flooder.conn.close_code == CLOSE_RATE_LIMITED


# ---------------------------------------------------------------------------------------------
# Resume, heartbeats, closing


async def test_sse_resumes_after_last_event_id_with_only_the_callers_events(salon: Salon):
    s = salon
    async with sse(s.base, "bookings", auth(s.alma)) as alma:
        first = await s.booked(s.alma, at("09:00"))
        seen = await alma.event()
        assert seen["data"]["booking_id"] == first["id"]
    # While alma is away: her booking changes, and bo books.
    second = await s.booked(s.alma, at("11:00"))
    his = await s.booked(s.bo, at("13:00"))
    await s.cancel(s.alma, first["id"])
    headers = {**auth(s.alma), "Last-Event-ID": str(seen["id"])}
    async with sse(s.base, "bookings", headers) as alma:
        replayed = [await alma.event(), await alma.event()]
        assert [(e["kind"], e["data"]["booking_id"]) for e in replayed] == [
            ("booking.created", second["id"]),
            ("booking.cancelled", first["id"]),
        ]
        assert not mentions(await alma.quiet(), his["id"])
        third = await s.booked(s.alma, at("15:00"))  # and live delivery goes on
        assert (await alma.event())["data"]["booking_id"] == third["id"]


async def test_sse_tells_a_client_that_resumes_from_purged_events_to_reload(salon: Salon):
    s = salon
    await s.booked(s.alma, at("09:00"))
    await s.booked(s.alma, at("11:00"))
    await s.seed.conn.execute("delete from app.events where id = (select min(id) from app.events)")
    floor = await s.seed.conn.fetchval("select min(id) from app.events")
    headers = {**auth(s.alma), "Last-Event-ID": str(floor - 2)}
    async with sse(s.base, "bookings", headers) as alma:
        frame = await alma.next()
        assert frame["event"] == "reset"


async def test_heartbeats_keep_an_idle_stream_alive(salon: Salon, app: Any):
    from dataclasses import replace

    app.state.settings = replace(app.state.settings, events_heartbeat_seconds=1)
    async with sse(salon.base, f"availability:{salon.desk}") as visitor:
        frame = await visitor.next(wait=3, comments=True)
        assert frame == {"comment": "heartbeat"}
    async with ws(salon.base) as visitor:
        message = json.loads(await asyncio.wait_for(visitor.conn.recv(), 3))
        assert message == {"type": "heartbeat"}


async def test_logout_closes_the_sessions_streams_and_no_other(salon: Salon):
    s = salon
    async with (
        sse(s.base, "bookings", auth(s.alma)) as alma_sse,
        ws(s.base, token(s.alma)) as alma_ws,
        sse(s.base, "bookings", auth(s.bo)) as bo,
    ):
        assert (await alma_ws.subscribe("bookings"))["type"] == "subscribed"
        out = await s.client.post(f"{API}/auth/logout", headers=auth(s.alma))
        assert out.status_code == 204
        frame = await alma_sse.next()
        assert frame["event"] == "close" and json.loads(frame["data"]) == {
            "reason": "session_closed"
        }
        await asyncio.wait_for(alma_sse.ended.wait(), 5)
        closing = await alma_ws.recv()
        assert (closing["type"], closing["code"]) == ("error", "session_closed")
        await alma_ws.conn.wait_closed()
        assert alma_ws.conn.close_code == 4401
        his = await s.booked(s.bo, at("16:00"))
        assert (await bo.event())["data"]["booking_id"] == his["id"]


async def test_a_slow_stream_is_dropped_without_holding_up_the_others(salon: Salon, app: Any):
    from api.live.hub import Subscriber
    from api.request.auth import ANON

    s = salon
    hub = app.state.hub
    # A stream whose client reads nothing: its queue holds one event and nobody takes it.
    stuck = Subscriber(ANON, {f"availability:{s.desk}"}, "sse", queue_size=1)
    hub.add(stuck)
    try:
        async with sse(s.base, f"availability:{s.desk}") as reader:
            for hour in ("10:00", "12:00", "14:00"):
                await s.booked(s.alma, at(hour))
            got = [await reader.event() for _ in range(3)]
            assert [e["kind"] for e in got] == ["availability.changed"] * 3
        assert stuck.closed == "slow"
        assert stuck.queue.get_nowait() is None  # what it had was thrown away; it is told to end
    finally:
        hub.remove(stuck)


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


async def test_events_are_kept_for_their_retention_then_purged(salon: Salon, db: Any):
    from api.outbox.worker import PURGE_EVENTS, as_service

    s = salon
    conn = s.seed.conn
    await conn.execute("delete from app.events")  # the seeding's schedule events
    await s.booked(s.alma, at("10:00"))
    ids = [r["id"] for r in await conn.fetch("select id from app.events order by id")]
    assert len(ids) == 2  # the booking and the desk's availability
    await conn.execute(
        "update private.settings set value = '1' where name = 'events_retention_minutes'"
    )
    await conn.execute(
        "update app.events set at = $1::text::timestamptz - interval '4 minutes'", NOW
    )
    worker = await asyncpg.connect(db.dsn_as("slotbase_worker"))
    try:
        assert (await as_service(worker, PURGE_EVENTS))[0][0] == 0  # never kept under 5 minutes
        await conn.execute("update app.events set at = $1::text::timestamptz - interval '6 minutes'"
                           " where id = $2", NOW, ids[0])  # fmt: skip
        assert (await as_service(worker, PURGE_EVENTS))[0][0] == 1
    finally:
        await worker.close()
    assert [r["id"] for r in await conn.fetch("select id from app.events")] == ids[1:]
