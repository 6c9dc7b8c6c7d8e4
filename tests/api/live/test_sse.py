"""api/live/sse.py: GET /api/v1/events, live updates as Server-Sent Events: refusals as problems,
and resuming from Last-Event-ID."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import Salon, at, auth, mentions, sse

pytestmark = pytest.mark.anyio


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
