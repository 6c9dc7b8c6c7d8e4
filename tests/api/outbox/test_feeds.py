"""api/outbox/feeds.py: a feed object from SQL written as a VCALENDAR, read back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from api.outbox.feeds import calendar


def event(uid: str, zone: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid,
        "sequence": 0,
        "status": "CONFIRMED",
        "timezone": zone,
        "start": start,
        "end": end,
        "summary": "Haircut, Alma",
        "location": "Salon A",
        "description": "",
        "updated_at": "2026-03-01T12:00:00Z",
        **extra,
    }


FEED = {
    "name": "Pia",
    "timezone": "Europe/Copenhagen",
    "etag": "x",
    "events": [
        event("a@slotbase", "Europe/Copenhagen", "2026-03-29T01:30:00+01:00",
              "2026-03-29T03:30:00+02:00"),  # across the change to summer time
        event("b@slotbase", "Asia/Tokyo", "2026-07-01T09:00:00+09:00",
              "2026-07-01T10:00:00+09:00", status="CANCELLED", sequence=3,
              description="Bring the dog; and a towel"),
        event("c@slotbase", "UTC", "2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z"),
    ],
}  # fmt: skip


def test_each_event_is_local_with_its_zone_described_once():
    cal = Calendar.from_ical(calendar(FEED))
    assert str(cal["X-WR-CALNAME"]) == "Pia" and str(cal["METHOD"]) == "PUBLISH"
    assert sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")) == [
        "Asia/Tokyo",
        "Europe/Copenhagen",
    ]  # UTC is written with 'Z', no VTIMEZONE
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    a, b, c = events["a@slotbase"], events["b@slotbase"], events["c@slotbase"]
    assert a["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert a.decoded("DTEND") == datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert str(b["STATUS"]) == "CANCELLED" and int(b["SEQUENCE"]) == 3
    assert str(b["TRANSP"]) == "TRANSPARENT" and str(a["TRANSP"]) == "OPAQUE"
    assert str(b["DESCRIPTION"]) == "Bring the dog; and a towel"
    assert "DESCRIPTION" not in a
    assert c.decoded("DTSTART") == datetime(2026, 3, 5, 9, tzinfo=UTC)
    assert a.decoded("DTSTAMP") == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_the_same_feed_object_gives_the_same_text():
    assert calendar(FEED) == calendar(FEED)
    assert calendar(FEED).endswith("END:VCALENDAR\r\n")


def test_an_empty_feed_is_a_valid_calendar_without_events():
    cal = Calendar.from_ical(calendar({"name": "Bookings", "timezone": None, "events": []}))
    assert cal.walk("VEVENT") == [] and "X-WR-TIMEZONE" not in cal
