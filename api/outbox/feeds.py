"""Calendar feeds (RFC 5545): the VCALENDAR text of a feed object that SQL built
(api.provider_calendar_feed, api.my_calendar_feed), which calendar apps subscribe to.

SQL decides which bookings appear and what each event says; this writes them down. A feed is a
published calendar (METHOD:PUBLISH) of the complete current state: one VEVENT per booking with
its stable UID and SEQUENCE, cancelled ones as STATUS:CANCELLED, and one VTIMEZONE per zone
the events use (api.outbox.ics). DTSTAMP is the booking's last change, so the same feed object
always gives the same text, byte for byte, and the ETag SQL computed names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import Calendar, Event, is_utc

from api.outbox.ics import PRODID, in_zone, vtimezone


def calendar(feed: dict[str, Any]) -> str:
    """The VCALENDAR text (CRLF line endings, folded) of one feed object."""
    cal = Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", str(feed.get("name") or "slotbase"))
    if feed.get("timezone"):
        cal.add("X-WR-TIMEZONE", str(feed["timezone"]))
    years: dict[str, tuple[int, int]] = {}  # zone -> the first and last year its events need
    events = []
    for item in feed.get("events") or []:
        zone = str(item.get("timezone") or "UTC")
        start = in_zone(datetime.fromisoformat(item["start"]), zone)
        end = in_zone(datetime.fromisoformat(item["end"]), zone)
        if not is_utc(start):
            first, last = years.get(zone, (start.year, end.year))
            years[zone] = (min(first, start.year), max(last, end.year))
        changed = datetime.fromisoformat(item["updated_at"])
        event = Event()
        event.add("UID", item["uid"])
        event.add("SEQUENCE", int(item.get("sequence") or 0))
        event.add("DTSTAMP", changed)
        event.add("LAST-MODIFIED", changed)
        event.add("DTSTART", start)
        event.add("DTEND", end)
        event.add("SUMMARY", str(item.get("summary") or ""))
        if item.get("location"):
            event.add("LOCATION", str(item["location"]))
        if item.get("description"):
            event.add("DESCRIPTION", str(item["description"]))
        event.add("STATUS", str(item.get("status") or "CONFIRMED"))
        event.add("TRANSP", "TRANSPARENT" if item.get("status") == "CANCELLED" else "OPAQUE")
        events.append(event)
    for zone in sorted(years):
        first, last = years[zone]
        cal.add_component(vtimezone(zone, first - 1, last + 1))
    for event in events:
        cal.add_component(event)
    # Unsorted: properties in the order above, as in RFC 5545's examples (DTSTART first).
    return cal.to_ical(sorted=False).decode()
