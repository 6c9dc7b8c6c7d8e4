"""iCalendar (RFC 5545) for booking emails: one VEVENT with a VTIMEZONE for the provider's zone.

The UID is stable per booking and the SEQUENCE is the booking's, so a calendar updates the same
event on a reschedule and removes it on a cancellation (METHOD:CANCEL). Times are local with
TZID, described by a VTIMEZONE derived from the system's zone data, so DST days are right; a
zone the system does not know falls back to UTC times ('Z').
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CRLF = "\r\n"
PRODID = "-//slotbase//slotbase bookings//EN"


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param(value: str) -> str:
    """A parameter value (3.2): quoted when it holds ':', ';' or ','; DQUOTE cannot appear."""
    value = value.replace('"', "").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Lines of at most 75 octets (3.1), never splitting a UTF-8 character."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a multibyte character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines start with a space
    return (CRLF + " ").join(parts)


def utc_stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local_stamp(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%S")


def offset_text(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    return at.astimezone(zone).utcoffset() or timedelta(0)


@functools.lru_cache(maxsize=256)
def observances(zone_name: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """STANDARD/DAYLIGHT blocks covering [first_year, last_year]: the rule in force at the start,
    then one block per offset change, found by stepping a day at a time and bisecting."""
    zone = ZoneInfo(zone_name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)

    def block(at: datetime, before: timedelta, after: timedelta) -> str:
        local = at.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        onset = (at + before).replace(tzinfo=None)
        lines = [
            f"BEGIN:{kind}",
            f"DTSTART:{local_stamp(onset)}",
            f"TZOFFSETFROM:{offset_text(before)}",
            f"TZOFFSETTO:{offset_text(after)}",
        ]
        if name := local.tzname():
            lines.append(f"TZNAME:{escape_text(name)}")
        lines.append(f"END:{kind}")
        return CRLF.join(lines)

    first = _offset(zone, start)
    blocks = [block(start, first, first)]
    at, current = start, first
    while at < end:
        step = at + timedelta(days=1)
        if _offset(zone, step) != current:
            lo, hi = at, step
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if _offset(zone, mid) == current else (lo, mid)
            after = _offset(zone, hi)
            blocks.append(block(hi, current, after))
            current = after
        at = step
    return tuple(blocks)


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
    timezone: list[str] = []
    try:
        zone = ZoneInfo(zone_name)
        timezone = [
            "BEGIN:VTIMEZONE",
            f"TZID:{zone_name}",
            *observances(zone_name, start.year - 1, end.year + 1),
            "END:VTIMEZONE",
        ]
        tzid = f";TZID={param(zone_name)}"
        dtstart = tzid + ":" + local_stamp(start.astimezone(zone))
        dtend = tzid + ":" + local_stamp(end.astimezone(zone))
    except (ZoneInfoNotFoundError, ValueError):
        dtstart, dtend = ":" + utc_stamp(start), ":" + utc_stamp(end)
    cancelled = method == "CANCEL"
    status = {"pending": "TENTATIVE"}.get(str(payload.get("status")), "CONFIRMED")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *timezone,
        "BEGIN:VEVENT",
        f"UID:{payload['booking_id']}@slotbase",
        f"SEQUENCE:{int(payload.get('sequence') or 0)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART{dtstart}",
        f"DTEND{dtend}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(str(payload.get('org_name') or ''))}",
        f"DESCRIPTION:{escape_text(description.strip())}",
        f"ORGANIZER;CN={param(str(payload.get('org_name') or 'slotbase'))}:mailto:{organizer}",
        f"ATTENDEE;CN={param(attendee_name or attendee)};ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT={'DECLINED' if cancelled else 'ACCEPTED'};RSVP=FALSE:mailto:{attendee}",
        f"STATUS:{'CANCELLED' if cancelled else status}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + CRLF for line in CRLF.join(lines).split(CRLF))
