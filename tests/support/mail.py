"""Mail for the outbox tests: an SMTP server that keeps what it is given (aiosmtpd on
127.0.0.1), mail settings that point at it, outbox rows of booking messages, and the .ics of a
message read back."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller

from api.common.settings import MailSettings
from tests.support.servers import free_port

ZONE = "Europe/Copenhagen"


@dataclass(frozen=True)
class Received:
    at: float
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip().strip("<>")


class Sink:
    """aiosmtpd in its own thread; `hold` delays the answer to the nth message (seconds)."""

    def __init__(self, **smtp: Any) -> None:
        self.port = free_port()
        self.smtp = smtp
        self.received: list[Received] = []
        self.hold: dict[int, float] = {}
        self.logins: list[bytes] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received.append(
                Received(time.time(), envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
            n = len(self.received)
        if n in self.hold:
            await asyncio.sleep(self.hold[n])
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.smtp)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def wait_for(self, count: int, seconds: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} messages came"
            await asyncio.sleep(0.02)
        return list(self.received)

    def ids(self) -> Counter[str]:
        return Counter(r.message_id for r in list(self.received))


def mail_to(server: Sink, **kw: Any) -> MailSettings:
    return MailSettings(
        host="127.0.0.1", port=server.port, sender="Salon <salon@example.com>", **kw
    )


def calendar_of(msg: EmailMessage) -> tuple[str, dict[str, tuple[str, str]]]:
    """The raw .ics text, and its VEVENT properties: name -> (parameters, value)."""
    parts = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one .ics attachment"
    raw = parts[0].get_payload(decode=True)
    assert isinstance(raw, bytes)
    text = raw.decode()
    unfolded = text.replace("\r\n ", "")
    props: dict[str, tuple[str, str]] = {}
    inside = False
    for line in unfolded.split("\r\n"):
        if line in ("BEGIN:VEVENT", "END:VEVENT"):
            inside = line == "BEGIN:VEVENT"
        elif inside or line.startswith("METHOD:"):
            head, _, value = line.partition(":")
            name, _, params = head.partition(";")
            props[name] = (params, value)
    return text, props


def ics_instant(prop: tuple[str, str]) -> datetime:
    params, value = prop
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    zone = dict(p.split("=", 1) for p in params.split(";"))["TZID"]
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(zone))


def booking_row(kind: str, locale: str, **payload: Any) -> dict[str, Any]:
    base = {
        "booking_id": "0b5c7d52-4f34-4d52-9a55-9c0a1f8e6d01",
        "status": "confirmed",
        "sequence": 2,
        "start": "2026-03-29T10:00:00+02:00",  # the first day of summer time in Copenhagen
        "end": "2026-03-29T10:45:00+02:00",
        "timezone": ZONE,
        "previous_start": None,
        "duration_minutes": 45,
        "price_minor": 45000,
        "currency": "DKK",
        "cancel_reason": None,
        "org_name": "Salon Nørrebro, København",
        "provider_name": "Mette",
        "service_name": "Klipning; vask",
        "recipient_name": "Åse",
    }
    return {
        "message_id": f"{base['booking_id']}.{kind}.2@slotbase",
        "kind": kind,
        "recipient_email": "ase@example.com",
        "locale": locale,
        "payload": json.dumps({**base, **payload}),
        "created_at": datetime(2026, 3, 20, 12, 0, tzinfo=UTC),
    }
