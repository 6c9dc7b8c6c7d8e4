"""Email through a real SMTP server (aiosmtpd on 127.0.0.1) and the real outbox worker.

Each booking event sends exactly one message to the customer, in her language, with an .ics
whose UID and SEQUENCE are the booking's; a worker killed mid-batch loses nothing; two workers
never send one message twice; an SMTP server that is down means retries with backoff, then
delivery; reminders go out once. Rendering and iCalendar details are checked without a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from api.common.settings import MailSettings, SettingsError
from api.outbox import ics, worker
from api.outbox.render import render
from api.outbox.smtp import SendError, SmtpSender
from tests.support.bookings import API, Seed, local
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
ZONE = "Europe/Copenhagen"


# ---------------------------------------------------------------------------------------------
# An SMTP server that keeps what it is given


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


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def mail_to(server: Sink, **kw: Any) -> MailSettings:
    return MailSettings(
        host="127.0.0.1", port=server.port, sender="Salon <salon@example.com>", **kw
    )


@contextlib.asynccontextmanager
async def running_worker(dsn: str, mail: MailSettings, **kw: Any) -> AsyncIterator[asyncio.Task]:
    stop = asyncio.Event()
    kw.setdefault("poll_seconds", 0.2)
    task = asyncio.create_task(worker.run(dsn, mail, stop=stop, **kw))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def admin(db: Any) -> asyncpg.Connection:
    return await asyncpg.connect(db.admin_dsn)


async def enqueue(conn: asyncpg.Connection, count: int, prefix: str) -> list[str]:
    """`count` verification emails straight into the outbox, as an enqueueing transaction would."""
    ids = [f"{prefix}-{i}@test" for i in range(count)]
    payload = json.dumps({"token": "tok", "expires_minutes": 2880, "recipient_name": "Test"})
    await conn.executemany(
        "insert into outbox.messages (message_id, kind, recipient_email, locale, payload)"
        " values ($1, 'email_verification', $2, 'en', $3)",
        [(mid, f"user{i}@example.com", payload) for i, mid in enumerate(ids)],
    )
    return ids


async def wait_until(conn: asyncpg.Connection, sql: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await conn.fetchval(sql):
        assert time.monotonic() < deadline, f"never true: {sql}"
        await asyncio.sleep(0.05)


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


# ---------------------------------------------------------------------------------------------
# Booking events over HTTP, each one message


@dataclass
class Salon:
    client: httpx.AsyncClient
    owner: Any
    provider: str
    cut: str
    consult: str  # requires confirmation
    day: date

    async def post(self, who: Any, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.client.post(API + path, json=body or {}, headers=who.headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def book(self, who: Any, service: str, hhmm: str) -> dict[str, Any]:
        body = {"provider_id": self.provider, "service_id": service, "start": self.at(hhmm)}
        return await self.post(who, "/bookings", body)

    def at(self, hhmm: str) -> str:
        return local(self.day, hhmm, ZONE)


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Salon]:
    owner = await make_account("sofie")
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        await seed.member(org, owner.id, "owner")
        provider = await seed.provider(org)
        cut = await seed.service(org, [provider], duration=60, price_minor=45000)
        consult = await seed.service(org, [provider], duration=30, requires_confirmation=True)
        await seed.hours(provider, range(1, 8), "08:00", "18:00")
    finally:
        await seed.close()
    yield Salon(client, owner, provider, cut, consult, date.today() + timedelta(days=10))


async def test_each_booking_event_sends_one_message_in_the_customers_language(
    salon: Salon, make_account: Any, db: Any, sink: Sink
):
    alma = await make_account("alma")  # Danish, the default
    eddie = await make_account("eddie", locale="en")
    a = await salon.book(alma, salon.consult, "10:00")
    await salon.post(salon.owner, f"/bookings/{a['id']}/confirm")
    moved = await salon.post(alma, f"/bookings/{a['id']}/reschedule", {"start": salon.at("12:00")})
    cancelled = await salon.post(alma, f"/bookings/{a['id']}/cancel", {"reason": "Syg"})
    e = await salon.book(eddie, salon.consult, "14:00")
    await salon.post(salon.owner, f"/bookings/{e['id']}/decline")
    f = await salon.book(eddie, salon.cut, "15:00")
    await salon.post(salon.owner, f"/bookings/{f['id']}/complete")  # sends nothing

    async with running_worker(db.dsn_as("slotbase_worker"), mail_to(sink)):
        received = await sink.wait_for(7)
        await asyncio.sleep(0.5)  # nothing more comes
    assert len(sink.received) == 7

    expected = {
        f"{a['id']}.booking_created.0@slotbase": (alma, "da", "REQUEST", 0, a),
        f"{a['id']}.booking_confirmed.0@slotbase": (alma, "da", "REQUEST", 0, a),
        f"{a['id']}.booking_rescheduled.1@slotbase": (alma, "da", "REQUEST", 1, moved),
        f"{a['id']}.booking_cancelled.1@slotbase": (alma, "da", "CANCEL", 1, cancelled),
        f"{e['id']}.booking_created.0@slotbase": (eddie, "en", "REQUEST", 0, e),
        f"{e['id']}.booking_declined.0@slotbase": (eddie, "en", "CANCEL", 0, e),
        f"{f['id']}.booking_created.0@slotbase": (eddie, "en", "REQUEST", 0, f),
    }
    assert Counter(r.message_id for r in received) == Counter(list(expected))
    for r in received:
        who, lang, method, sequence, booking = expected[r.message_id]
        msg = r.message
        assert r.rcpt_tos == [who.email] and msg["To"].addresses[0].addr_spec == who.email
        assert r.mail_from == "salon@example.com"
        assert msg["Content-Language"] == lang
        assert msg["Date"] and msg["Auto-Submitted"] == "auto-generated"
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        greeting = "Hej" if lang == "da" else "Hello"
        assert text.startswith(greeting) and greeting in html
        raw, event = calendar_of(msg)
        assert event["METHOD"][1] == method
        assert event["UID"][1] == f"{booking['id']}@slotbase"
        assert int(event["SEQUENCE"][1]) == sequence == booking["sequence"]
        assert ics_instant(event["DTSTART"]) == datetime.fromisoformat(booking["start"])
        assert ics_instant(event["DTEND"]) == datetime.fromisoformat(booking["end"])
        assert event["DTSTART"][0] == f"TZID={ZONE}" and "BEGIN:VTIMEZONE" in raw
        assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
        assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))

    subjects = {r.message_id.split(".")[1]: str(r.message["Subject"]) for r in received}
    assert subjects["booking_cancelled"].startswith("Booking aflyst")
    assert subjects["booking_declined"].startswith("Booking declined")
    cancel_text = next(r for r in received if "cancelled" in r.message_id).message
    assert "Syg" in cancel_text.get_body(("plain",)).get_content()

    conn = await admin(db)
    try:
        states = await conn.fetch("select status, attempts, sent_at from outbox.messages")
    finally:
        await conn.close()
    assert {(s["status"], s["attempts"]) for s in states} == {("sent", 1)}


async def test_reminders_are_sent_once(db: Any, sink: Sink):
    seed = await Seed.connect(db.admin_dsn)
    try:
        customer = await seed.user("rita")
        org = await seed.org(timezone=ZONE)
        provider = await seed.provider(org)
        service = await seed.service(org, [provider])
        await seed.conn.execute(
            "insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at,"
            " ends_at, status, price_minor, currency, created_at)"
            " values ($1, $2, $3, $4, now() + interval '20 hours', now() + interval '21 hours',"
            " 'confirmed', 45000, 'DKK', now() - interval '3 days')",
            org,
            provider,
            service,
            customer.user_id,
        )
    finally:
        await seed.close()

    async with running_worker(db.dsn_as("slotbase_worker"), mail_to(sink), maintenance_seconds=0.2):
        await sink.wait_for(2)
        await asyncio.sleep(1.0)  # several more maintenance rounds
    kinds = Counter(str(r.message["X-Slotbase-Kind"]) for r in sink.received)
    assert kinds == Counter({"booking_created": 1, "booking_reminder": 1})
    reminder = next(r for r in sink.received if r.message["X-Slotbase-Kind"] == "booking_reminder")
    assert str(reminder.message["Subject"]).startswith("Påmindelse")


# ---------------------------------------------------------------------------------------------
# At least once: crashes, concurrency, an SMTP server that is down


async def test_a_worker_killed_mid_batch_loses_nothing(db: Any, sink: Sink, tmp_path: Path):
    conn = await admin(db)
    try:
        ids = await enqueue(conn, 12, "crash")
        # The server holds its answer to the third message, so the worker dies after handing
        # it over and before hearing back: the window between send and mark.
        sink.hold[3] = 5.0
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MAIL_"))}
        env.update(
            WORKER_DATABASE_URL=db.dsn_as("slotbase_worker"),
            MAIL_HOST="127.0.0.1",
            MAIL_PORT=str(sink.port),
            PYTHONPATH=str(ROOT),
            DATA_DIR=str(tmp_path),  # its heartbeat file, not the checkout's .data/
        )
        log = (tmp_path / "worker.log").open("wb")
        command = [sys.executable, "-m", "api.worker", "--batch", "5", "--lease-seconds", "2"]
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: ASYNC220
        try:
            await sink.wait_for(3)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            log.close()
        held = sink.received[2].message_id
        assert await conn.fetchval(
            "select status = 'pending' from outbox.messages where message_id = $1", held
        ), "the held message was never marked"

        await asyncio.sleep(2.1)  # the dead worker's lease runs out
        async with running_worker(db.dsn_as("slotbase_worker"), mail_to(sink)):
            await wait_until(
                conn, "select bool_and(status = 'sent') from outbox.messages", seconds=30
            )
    finally:
        await conn.close()
    counts = sink.ids()
    assert set(counts) == set(ids), "every message arrived"
    assert counts[held] == 2, "the message in flight was sent again, under the same Message-ID"
    assert max(counts.values()) <= 2


async def test_two_workers_at_once_never_send_a_message_twice(db: Any, sink: Sink):
    conn = await admin(db)
    try:
        ids = await enqueue(conn, 200, "pair")
        dsn, mail = db.dsn_as("slotbase_worker"), mail_to(sink)
        async with running_worker(dsn, mail, batch=10), running_worker(dsn, mail, batch=10):
            await sink.wait_for(200)
            await wait_until(conn, "select bool_and(status = 'sent') from outbox.messages")
            await asyncio.sleep(0.5)
        attempts = await conn.fetchval("select max(attempts) from outbox.messages")
    finally:
        await conn.close()
    assert sink.ids() == Counter(ids), "each message exactly once"
    assert attempts == 1


async def test_smtp_down_means_retries_with_backoff_then_delivery(db: Any, sink: Sink):
    sink.stop()
    conn = await admin(db)
    try:
        ids = await enqueue(conn, 3, "down")
        async with running_worker(db.dsn_as("slotbase_worker"), mail_to(sink)):
            await wait_until(conn, "select bool_and(last_error is not null) from outbox.messages")
            rows = await conn.fetch(
                "select status, attempts, locked_until, last_error,"
                " extract(epoch from next_attempt_at - now()) as wait from outbox.messages"
            )
            assert {(r["status"], r["attempts"], r["locked_until"]) for r in rows} == {
                ("pending", 1, None)
            }
            assert all(100 < r["wait"] <= 120 for r in rows), "due again in 2^1 minutes"
            assert all("cannot connect" in r["last_error"] for r in rows)
            assert sink.received == []

            sink.start()
            await asyncio.sleep(0.5)
            assert sink.received == [], "nothing is retried before its backoff ends"
            await conn.execute("update outbox.messages set next_attempt_at = now()")  # 2 min on
            await sink.wait_for(3)
            await wait_until(conn, "select bool_and(status = 'sent') from outbox.messages")
        final = await conn.fetch("select attempts, last_error from outbox.messages")
    finally:
        await conn.close()
    assert sink.ids() == Counter(ids)
    assert {(r["attempts"], r["last_error"]) for r in final} == {(2, None)}


async def test_a_refused_recipient_fails_at_once(db: Any):
    class Refusing(Sink):
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 No such user"

    server = Refusing()
    server.start()
    conn = await admin(db)
    try:
        await enqueue(conn, 1, "refused")
        async with running_worker(db.dsn_as("slotbase_worker"), mail_to(server)):
            await wait_until(conn, "select bool_and(status = 'failed') from outbox.messages")
        row = await conn.fetchrow("select attempts, last_error, payload from outbox.messages")
    finally:
        await conn.close()
        server.stop()
    assert row["attempts"] == 1 and "550" in row["last_error"]
    assert "token" not in json.loads(row["payload"])


async def test_without_mail_host_messages_are_logged_and_marked_sent(
    db: Any, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="slotbase.worker")
    conn = await admin(db)
    try:
        await enqueue(conn, 2, "logged")
        async with running_worker(db.dsn_as("slotbase_worker"), MailSettings()):
            await wait_until(conn, "select bool_and(status = 'sent') from outbox.messages")
    finally:
        await conn.close()
    logged = [r.getMessage() for r in caplog.records if "MAIL_HOST unset" in r.getMessage()]
    assert len(logged) == 2
    assert "Message-ID: <logged-0@test>" in "\n".join(logged)
    assert "Confirm your email address" in logged[0]


# ---------------------------------------------------------------------------------------------
# SMTP security: STARTTLS with AUTH, and implicit TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def verification_row() -> dict[str, Any]:
    return {
        "message_id": "tls-1@test",
        "kind": "email_verification",
        "recipient_email": "vera@example.com",
        "locale": "da",
        "payload": {"token": "abc", "expires_minutes": 2880, "recipient_name": "Vera"},
        "created_at": datetime.now(UTC),
    }


def test_starttls_with_auth_delivers(certificate: tuple[Path, Path]):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret-pass"
        if ok:
            server_sink.logins.append(auth_data.login)
        return AuthResult(success=ok)

    server_sink = Sink(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    server_sink.start()
    mail = mail_to(
        server_sink,
        security="starttls",
        username="salon",
        password="s3cret-pass",
        ca_file=str(certificate[0]),
    )
    sender = SmtpSender(mail)
    try:
        sender.send(render(verification_row(), mail), "vera@example.com")
        sender.close()
        plain = SmtpSender(mail_to(server_sink))  # MAIL_SECURITY=none
        with pytest.raises(SendError, match="530"):
            plain.send(render(verification_row(), mail), "vera@example.com")
        plain.close()
    finally:
        server_sink.stop()
    assert [r.message_id for r in server_sink.received] == ["tls-1@test"]
    assert server_sink.logins == [b"salon"]


def test_implicit_tls_delivers_and_checks_the_certificate(certificate: tuple[Path, Path]):
    server_sink = Sink(ssl_context=server_context(certificate))
    server_sink.start()
    try:
        mail = mail_to(server_sink, security="tls", ca_file=str(certificate[0]))
        sender = SmtpSender(mail)
        sender.send(render(verification_row(), mail), "vera@example.com")
        sender.close()
        untrusted = mail_to(server_sink, security="tls")
        with pytest.raises(SendError) as refused:
            SmtpSender(untrusted).send(render(verification_row(), mail), "vera@example.com")
    finally:
        server_sink.stop()
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    assert [r.message_id for r in server_sink.received] == ["tls-1@test"]


# ---------------------------------------------------------------------------------------------
# Settings, rendering and iCalendar without a server


def test_mail_settings_come_from_the_environment():
    assert MailSettings.from_env({}) == MailSettings()
    assert not MailSettings.from_env({}).sends
    mail = MailSettings.from_env(
        {
            "MAIL_HOST": "smtp.example.com",
            "MAIL_SECURITY": "starttls",
            "MAIL_USERNAME": "u",
            "MAIL_PASSWORD": "p",
            "MAIL_FROM": "Salon <booking@salon.example>",
            "PUBLIC_URL": "https://book.example/",
        }
    )
    assert (mail.port, mail.envelope_from, mail.public_url) == (
        587,
        "booking@salon.example",
        "https://book.example",
    )
    assert MailSettings.from_env({"MAIL_SECURITY": "tls"}).port == 465
    assert MailSettings.from_env({"MAIL_PORT": "1025"}).port == 1025
    for bad in (
        {"MAIL_SECURITY": "ssl"},
        {"MAIL_PORT": "smtp"},
        {"MAIL_PORT": "0"},
        {"MAIL_FROM": "nobody"},
        {"MAIL_USERNAME": "u"},
        {"PUBLIC_URL": "book.example"},
    ):
        with pytest.raises(SettingsError):
            MailSettings.from_env(bad)


def test_worker_refuses_to_start_in_production_without_mail_host(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MAIL_"))}
    env.update(
        ENVIRONMENT="production", WORKER_DATABASE_URL="postgresql://x@/y", PYTHONPATH=str(ROOT)
    )
    done = subprocess.run(
        [sys.executable, "-m", "api.worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "MAIL_HOST" in done.stderr


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


def test_the_worker_health_check_reads_the_age_of_its_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert worker.main(["--check"]) == 1, "no heartbeat yet: not healthy"
    beat = worker.heartbeat_file()
    assert worker.main(["--check"]) == 0
    stale = time.time() - 120
    os.utime(beat, (stale, stale))
    assert worker.main(["--check"]) == 1, "a worker that stopped going round is not healthy"
