"""Calendar feeds over HTTP (API.md "Booking beyond one provider"): a token issued to a provider
or to a customer opens an RFC 5545 feed of their bookings, read with a real iCalendar parser.

The database clock is pinned to Monday 2026-03-02 09:00 in Copenhagen, as in
tests/test_booking_workflow.py, so the bookings made here are upcoming.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from api.common.logs import JsonFormatter
from tests.support.bookings import API, Seed, local
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
TUESDAY, WEDNESDAY = date(2026, 3, 3), date(2026, 3, 4)


@dataclass
class Salon:
    """Pia works as provider `desk` at the salon, where Stig is staff; Alma and Bo are customers.
    Bruno is the owner of another organization."""

    client: httpx.AsyncClient
    alma: Any
    bo: Any
    pia: Any
    stig: Any
    bruno: Any
    desk: str
    cut: str

    async def book(self, who: Any, start: str) -> dict[str, Any]:
        body = {"provider_id": self.desk, "service_id": self.cut, "start": start}
        response = await self.client.post(f"{API}/bookings", json=body, headers=who.headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def post(self, who: Any, path: str, body: dict[str, Any] | None = None):
        headers = who.headers if who is not None else {}
        return await self.client.post(f"{API}{path}", json=body, headers=headers)

    async def issue(self, who: Any, path: str) -> dict[str, Any]:
        response = await self.post(who, path)
        assert response.status_code == 201, response.text
        return response.json()

    async def feed(self, url_path: str, **headers: str) -> httpx.Response:
        return await self.client.get(url_path, headers=headers)


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Salon]:
    handles = ("alma", "bo", "pia", "stig", "bruno")
    accounts = await asyncio.gather(
        *(make_account(h, full_name=h.capitalize() + " Jensen") for h in handles)
    )
    people = dict(zip(handles, accounts, strict=True))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        other = await seed.org(timezone=ZONE)
        await seed.member(org, people["pia"].id, "provider")
        await seed.member(org, people["stig"].id, "staff")
        await seed.member(other, people["bruno"].id, "owner")
        desk = await seed.provider(org, user_id=people["pia"].id)
        cut = await seed.service(org, [desk], duration=60)
        await seed.hours(desk, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        yield Salon(client, **people, desk=desk, cut=cut)
    finally:
        await seed.close()


def events_of(response: httpx.Response) -> tuple[Calendar, dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.text)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_a_providers_feed_has_one_event_per_booking_in_the_providers_zone(salon: Salon):
    first = await salon.book(salon.alma, local(TUESDAY, "10:00", ZONE))
    second = await salon.book(salon.bo, local(WEDNESDAY, "14:00", ZONE))
    issued = await salon.issue(salon.pia, f"/providers/{salon.desk}/calendar-token")
    assert issued["url_path"] == (
        f"{API}/providers/{salon.desk}/calendar.ics?token={issued['token']}"
    )

    calendar, events = events_of(await salon.feed(issued["url_path"]))
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]
    assert set(events) == {f"{first['id']}@slotbase", f"{second['id']}@slotbase"}
    event = events[f"{first['id']}@slotbase"]
    assert event["DTSTART"].params["TZID"] == ZONE
    assert event.decoded("DTSTART") == datetime(2026, 3, 3, 10, tzinfo=ZoneInfo(ZONE))
    assert event.decoded("DTEND") == datetime(2026, 3, 3, 11, tzinfo=ZoneInfo(ZONE))
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert "Alma Jensen" in str(event["SUMMARY"])  # the provider sees who comes


async def test_a_rescheduled_booking_keeps_its_uid_and_a_cancelled_one_says_cancelled(
    salon: Salon,
):
    moved = await salon.book(salon.alma, local(TUESDAY, "10:00", ZONE))
    gone = await salon.book(salon.bo, local(TUESDAY, "12:00", ZONE))
    url = (await salon.issue(salon.pia, f"/providers/{salon.desk}/calendar-token"))["url_path"]
    before = await salon.feed(url)
    _, events = events_of(before)
    etag = before.headers["etag"]
    assert before.headers["cache-control"] == "private, max-age=300"

    same = await salon.feed(url, **{"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == etag

    path = f"/bookings/{moved['id']}/reschedule"
    response = await salon.post(salon.alma, path, {"start": local(WEDNESDAY, "09:00", ZONE)})
    assert response.status_code == 200, response.text
    response = await salon.post(salon.bo, f"/bookings/{gone['id']}/cancel", {})
    assert response.status_code == 200, response.text

    after = await salon.feed(url, **{"If-None-Match": etag})
    assert after.headers["etag"] != etag
    _, later = events_of(after)
    uid = f"{moved['id']}@slotbase"
    assert int(later[uid]["SEQUENCE"]) > int(events[uid]["SEQUENCE"])
    assert later[uid].decoded("DTSTART") == datetime(2026, 3, 4, 9, tzinfo=ZoneInfo(ZONE))
    cancelled = later[f"{gone['id']}@slotbase"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(events[f"{gone['id']}@slotbase"]["SEQUENCE"])


async def test_a_customers_feed_shows_only_her_bookings_with_service_and_provider(
    salon: Salon,
):
    mine = await salon.book(salon.alma, local(TUESDAY, "10:00", ZONE))
    await salon.book(salon.bo, local(TUESDAY, "12:00", ZONE))
    issued = await salon.issue(salon.alma, "/users/me/calendar-token")
    assert issued["url_path"] == f"{API}/users/me/calendar.ics?token={issued['token']}"
    calendar, events = events_of(await salon.feed(issued["url_path"]))
    assert list(events) == [f"{mine['id']}@slotbase"]
    summary = str(events[f"{mine['id']}@slotbase"]["SUMMARY"])
    assert " with " in summary and "Jensen" not in summary  # the provider's name, not hers
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]


async def test_a_new_token_revokes_the_old_and_a_wrong_token_is_not_found(salon: Salon):
    path = f"/providers/{salon.desk}/calendar-token"
    old = await salon.issue(salon.pia, path)
    new = await salon.issue(salon.stig, path)  # the organization's staff may too
    assert new["token"] != old["token"]
    assert_problem(await salon.feed(old["url_path"]), 404, "not_found")
    assert (await salon.feed(new["url_path"])).status_code == 200
    wrong = f"{API}/providers/{salon.desk}/calendar.ics?token=not-the-token"
    assert_problem(await salon.feed(wrong), 404, "not_found")
    unknown = f"{API}/providers/00000000-0000-4000-8000-000000000000/calendar.ics?token=x"
    assert_problem(await salon.feed(unknown), 404, "not_found")

    response = await salon.client.delete(f"{API}{path}", headers=salon.pia.headers)
    assert response.status_code == 204
    assert_problem(await salon.feed(new["url_path"]), 404, "not_found")

    mine = await salon.issue(salon.alma, "/users/me/calendar-token")
    response = await salon.client.delete(
        f"{API}/users/me/calendar-token", headers=salon.alma.headers
    )
    assert response.status_code == 204
    assert_problem(await salon.feed(mine["url_path"]), 404, "not_found")


async def test_only_the_provider_and_its_organizations_staff_issue_its_token(salon: Salon):
    path = f"/providers/{salon.desk}/calendar-token"
    assert_problem(await salon.post(salon.bruno, path), 403, "forbidden")
    assert_problem(await salon.post(salon.alma, path), 403, "forbidden")
    assert_problem(await salon.post(None, path), 401, "unauthorized")
    assert_problem(await salon.post(None, "/users/me/calendar-token"), 401, "unauthorized")


async def test_the_access_log_never_writes_the_feed_token(
    salon: Salon, caplog: pytest.LogCaptureFixture
):
    issued = await salon.issue(salon.pia, f"/providers/{salon.desk}/calendar-token")
    caplog.set_level(logging.DEBUG)
    assert (await salon.feed(issued["url_path"])).status_code == 200
    # Every line the server wrote (httpx, the test's own client, logs the URL it asked for).
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name != "httpx"]
    assert any("calendar.ics" in line for line in lines)
    assert all(issued["token"] not in line for line in lines)
