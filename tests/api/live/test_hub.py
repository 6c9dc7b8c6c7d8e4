"""api/live/hub.py: which event reaches which stream (SQL decides who sees a booking), what an
event carries, and the streams the hub ends: at logout, or when one cannot keep up.

Each test runs the app in a real uvicorn server (tests/support/live.py) against its own
database; booking changes go through the REST API, as an app would make them, and events arrive
from NOTIFY.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest

from api.live.hub import Event, Subscriber
from api.request.auth import ANON
from tests.support.bookings import API
from tests.support.live import AVAILABILITY_DATA, Salon, at, auth, mentions, sse, token, ws

pytestmark = pytest.mark.anyio


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


# ---------------------------------------------------------------------------------------------
# Heartbeats, and the streams the hub ends


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


def test_a_stream_takes_each_event_of_its_topics_once() -> None:
    sub = Subscriber(ANON, {"availability:a"}, "sse", queue_size=10)
    first = Event.from_json({"id": 5, "topic": "availability:a", "kind": "availability.changed"})
    other = Event.from_json({"id": 6, "topic": "availability:b", "kind": "availability.changed"})
    replayed = Event(7, "availability:a", "availability.changed", "{}")
    sub.remember(replayed.id)  # delivered by the replay already
    for event in (first, other, first, replayed):
        sub.offer(event)
    assert sub.queue.qsize() == 1 and sub.queue.get_nowait() is first
    assert sub.last_id == 7
    assert first.sse == f"id: 5\ndata: {first.text}\n\n".encode()


def test_a_closed_stream_is_told_to_end_and_takes_nothing_more() -> None:
    sub = Subscriber(ANON, {"bookings"}, "ws", queue_size=2)
    sub.offer(Event(1, "bookings", "booking.created", "{}"))
    sub.close("session_closed")
    sub.close("slow")  # the first reason stands
    sub.offer(Event(2, "bookings", "booking.created", "{}"))
    assert sub.closed == "session_closed"
    assert sub.queue.get_nowait() is None and sub.queue.empty()
