from __future__ import annotations

from datetime import datetime, timedelta

from api.common.settings import MailSettings
from api.outbox import ics
from api.outbox.render import render
from tests.support.mail import booking_row, calendar_of, ics_instant


def test_ics_text_is_escaped_and_folded_at_75_octets():
    assert ics.escape_text("a\\b;c,d\r\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "DESCRIPTION:" + "ø" * 80
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_a_zone_without_dst_and_one_south_of_the_equator_get_correct_times():
    for zone, start in (
        ("Asia/Tokyo", "2026-07-01T09:00:00+09:00"),
        ("Australia/Sydney", "2026-04-05T09:00:00+10:00"),  # the day summer time ends there
    ):
        end = (datetime.fromisoformat(start) + timedelta(hours=1)).isoformat()
        msg = render(booking_row("booking_created", "en", timezone=zone, start=start, end=end),
                     MailSettings())  # fmt: skip
        raw, event = calendar_of(msg)
        assert ics_instant(event["DTSTART"]) == datetime.fromisoformat(start)
        assert f"TZID:{zone}" in raw
