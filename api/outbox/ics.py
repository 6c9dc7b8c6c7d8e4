"""iCalendar (RFC 5545) for booking emails, built and written by the icalendar library: one
VEVENT with a VTIMEZONE for the provider's zone.

The UID is stable per booking and the SEQUENCE is the booking's, so a calendar updates the same
event on a reschedule and removes it on a cancellation (METHOD:CANCEL). Times are local with
TZID, described by a VTIMEZONE derived from the system's zone data, so DST days are right; UTC,
and a zone the system does not know, give UTC times ('Z').
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    is_utc,
    vCalAddress,
    vText,
)
from icalendar.parser import Contentline

PRODID = "-//slotbase//slotbase bookings//EN"


def escape_text(value: str) -> str:
    """A TEXT value as icalendar writes it (3.3.11): backslash, semicolon, comma and newlines
    escaped."""
    return vText(value).to_ical().decode()


def fold(line: str) -> str:
    """A content line as icalendar writes it (3.1): at most 75 octets a line, never splitting a
    UTF-8 character."""
    return Contentline(line).to_ical().decode()


class Change(NamedTuple):
    """One observance of a VTIMEZONE: the offset from `onset` on."""

    onset: datetime  # local wall-clock time in the offset before the change (RFC 5545 3.6.5)
    before: timedelta
    after: timedelta
    daylight: bool
    name: str | None


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    return at.astimezone(zone).utcoffset() or timedelta(0)


def changes(zone_name: str, first_year: int, last_year: int) -> tuple[Change, ...]:
    """The offset in force at the start of first_year, then every change of offset up to the end
    of last_year, found by stepping a day at a time and bisecting to the second.

    Not icalendar's Timezone.from_tzinfo: in icalendar 7.3 it writes the onset of a change to
    summer time in the new offset (an hour late, by RFC 5545 and by icalendar's own reading), and
    it searches in strides of 64 days, so it misses shorter periods, such as Morocco's hour back
    during Ramadan."""
    zone = ZoneInfo(zone_name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)

    def change(at: datetime, before: timedelta, after: timedelta) -> Change:
        local = at.astimezone(zone)
        onset = (at + before).replace(tzinfo=None)
        return Change(onset, before, after, bool(local.dst()), local.tzname())

    first = _offset(zone, start)
    found = [change(start, first, first)]
    at, current = start, first
    while at < end:
        step = at + timedelta(days=1)
        if _offset(zone, step) != current:
            lo, hi = at, step
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if _offset(zone, mid) == current else (lo, mid)
            after = _offset(zone, hi)
            found.append(change(hi, current, after))
            current = after
        at = step
    return tuple(found)


@functools.lru_cache(maxsize=256)
def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of a zone over whole years: one STANDARD or DAYLIGHT block per change.
    Built once and shared by every calendar that needs it, so never changed after."""
    timezone = Timezone()
    timezone.add("TZID", zone_name)
    for c in changes(zone_name, first_year, last_year):
        block = TimezoneDaylight() if c.daylight else TimezoneStandard()
        block.add("DTSTART", c.onset)
        block.add("TZOFFSETFROM", c.before)
        block.add("TZOFFSETTO", c.after)
        if c.name:
            block.add("TZNAME", c.name)
        timezone.add_component(block)
    return timezone


def in_zone(at: datetime, zone_name: str) -> datetime:
    """An instant as DTSTART/DTEND take it: local in the zone (written with TZID), or in UTC
    (written with 'Z') for UTC and for a zone the system does not know."""
    try:
        return at.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        return at.astimezone(UTC)


def booking_calendar(
    payload: dict[str, Any],
    *,
    method: str,
    organizer: str,
    attendee: str,
    attendee_name: str,
    summary: str,
    description: str,
    stamp: datetime,
) -> str:
    """The VCALENDAR text (CRLF line endings, folded) of one booking message."""
    start = datetime.fromisoformat(payload["start"])
    end = datetime.fromisoformat(payload["end"])
    zone_name = str(payload.get("timezone") or "UTC")
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    start, end = in_zone(start, zone_name), in_zone(end, zone_name)
    if not is_utc(start):  # icalendar writes times in UTC itself with 'Z', and no TZID
        calendar.add_component(vtimezone(zone_name, start.year - 1, end.year + 1))
    cancelled = method == "CANCEL"
    status = {"pending": "TENTATIVE"}.get(str(payload.get("status")), "CONFIRMED")
    org_name = str(payload.get("org_name") or "")
    event = Event()
    event.add("UID", f"{payload['booking_id']}@slotbase")
    event.add("SEQUENCE", int(payload.get("sequence") or 0))
    event.add("DTSTAMP", stamp.astimezone(UTC))
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("SUMMARY", summary)
    event.add("LOCATION", org_name)
    event.add("DESCRIPTION", description.strip())
    event.add("ORGANIZER", vCalAddress.new(organizer, cn=org_name or "slotbase"))
    event.add(
        "ATTENDEE",
        vCalAddress.new(
            attendee,
            cn=attendee_name or attendee,
            role="REQ-PARTICIPANT",
            partstat="DECLINED" if cancelled else "ACCEPTED",
            rsvp=False,
        ),
    )
    event.add("STATUS", "CANCELLED" if cancelled else status)
    event.add("TRANSP", "OPAQUE")
    calendar.add_component(event)
    # Unsorted: properties in the order above, as in RFC 5545's examples (DTSTART first).
    return calendar.to_ical(sorted=False).decode()
