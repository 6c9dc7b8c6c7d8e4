"""Outbox rows rendered as emails, without a server: subjects, text and HTML in the
recipient's language, the .ics of booking messages, and links that carry their token in the
fragment."""

from __future__ import annotations

from datetime import UTC, datetime

from api.common.settings import MailSettings
from api.outbox.render import render
from tests.support.mail import ZONE, booking_row, calendar_of, ics_instant


def test_a_booking_email_in_danish_carries_text_html_and_a_dst_correct_ics():
    msg = render(booking_row("booking_created", "da"), MailSettings())
    assert (
        str(msg["Subject"])
        == "Booking bekræftet: Klipning; vask søndag den 29. marts 2026 kl. 10.00"
    )
    assert msg["Message-ID"] == "<0b5c7d52-4f34-4d52-9a55-9c0a1f8e6d01.booking_created.2@slotbase>"
    assert msg["Date"] == "Fri, 20 Mar 2026 12:00:00 +0000"
    text = msg.get_body(("plain",)).get_content()
    assert "450,00\u00a0kr." in text and "45 minutter" in text and "Hej Åse," in text
    html = msg.get_body(("html",)).get_content()
    assert "Salon Nørrebro, København" in html and '<html lang="da">' in html
    raw, event = calendar_of(msg)
    assert event["DTSTART"] == (f"TZID={ZONE}", "20260329T100000")
    assert ics_instant(event["DTSTART"]) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert event["SEQUENCE"][1] == "2" and event["STATUS"][1] == "CONFIRMED"
    assert event["SUMMARY"][1] == "Klipning\\; vask hos Mette"
    assert event["LOCATION"][1] == "Salon Nørrebro\\, København"
    # The change to summer time that day is in the VTIMEZONE: 02:00 local, +0100 -> +0200.
    assert "DTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in raw


def test_an_english_cancellation_cancels_the_calendar_event():
    row = booking_row("booking_cancelled", "en-GB", status="cancelled", cancel_reason="Ill")
    msg = render(row, MailSettings())
    assert str(msg["Subject"]) == "Booking cancelled: Klipning; vask Sunday, 29 March 2026 at 10:00"
    assert msg["Content-Language"] == "en"
    text = msg.get_body(("plain",)).get_content()
    assert "Reason:" in text and "Ill" in text and "DKK\u00a0450.00" in text
    _, event = calendar_of(msg)
    assert event["METHOD"][1] == "CANCEL" and event["STATUS"][1] == "CANCELLED"
    assert event["UID"][1] == "0b5c7d52-4f34-4d52-9a55-9c0a1f8e6d01@slotbase"


def test_a_pending_booking_says_it_awaits_confirmation():
    msg = render(booking_row("booking_created", "da", status="pending"), MailSettings())
    assert str(msg["Subject"]).startswith("Booking modtaget")
    _, event = calendar_of(msg)
    assert event["STATUS"][1] == "TENTATIVE"


def test_a_reset_email_links_to_the_public_url_and_has_no_calendar():
    mail = MailSettings(public_url="https://book.example")
    row = {
        "message_id": "password_reset.x@slotbase",
        "kind": "password_reset",
        "recipient_email": "ase@example.com",
        "locale": "en",
        "payload": {"token": "a-b_c", "expires_minutes": 60, "recipient_name": ""},
        "created_at": datetime.now(UTC),
    }
    msg = render(row, mail)
    text = msg.get_body(("plain",)).get_content()
    assert "https://book.example/reset-password#token=a-b_c" in text
    assert "?token=" not in text  # never in a query string: servers and proxies log those
    assert "Hello ase," in text and "60 minutes" in text
    assert list(msg.iter_attachments()) == []


def test_a_waitlist_offer_says_until_when_the_slot_is_held_in_both_languages():
    mail = MailSettings(public_url="https://book.example")
    held = {"status": "held", "hold_expires_at": "2026-03-20T13:10:00+01:00"}
    da = render(booking_row("waitlist_offer", "da", **held), mail)
    assert str(da["Subject"]) == (
        "En tid er blevet ledig: Klipning; vask søndag den 29. marts 2026 kl. 10.00"
    )
    text = da.get_body(("plain",)).get_content()
    assert "fredag den 20. marts 2026 kl. 13.10" in text and "næste på listen" in text
    assert "https://book.example/waitlist" in text
    en = render(booking_row("waitlist_offer", "en-GB", **held), mail)
    assert (
        str(en["Subject"]) == "A time has come free: Klipning; vask Sunday, 29 March 2026 at 10:00"
    )
    text = en.get_body(("plain",)).get_content()
    assert "until Friday, 20 March 2026 at 13:10" in text and "Confirm the time" in text
    # Not a booking yet: no calendar invitation to accept.
    for msg in (da, en):
        assert not [
            part for part in msg.iter_attachments() if part.get_content_type() == "text/calendar"
        ]
