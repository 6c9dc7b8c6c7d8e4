"""The real outbox worker against a real SMTP server (aiosmtpd on 127.0.0.1).

Each booking event sends exactly one message to the customer, in her language, with an .ics
whose UID and SEQUENCE are the booking's; a worker killed mid-batch loses nothing; two workers
never send one message twice; an SMTP server that is down means retries with backoff, then
delivery; reminders go out once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.common.settings import MailSettings
from api.outbox import worker
from tests.support.bookings import API, Seed, local
from tests.support.mail import ZONE, Sink, calendar_of, ics_instant, mail_to

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    server.start()
    try:
        yield server
    finally:
        server.stop()


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


async def test_an_expired_hold_is_deleted_and_its_slot_offered_to_the_next_in_line_by_email(
    db: Any, sink: Sink
):
    seed = await Seed.connect(db.admin_dsn)
    try:
        holder, vera = await seed.user("hanne"), await seed.user("vera")
        org = await seed.org(timezone=ZONE)
        provider = await seed.provider(org)
        service = await seed.service(org, [provider])
        await seed.hours(provider, range(1, 8), "09:00", "10:00")  # one slot a day
        start = local(date.today() + timedelta(days=10), "09:00", ZONE)
        # A hold made an hour ago, for ten minutes: expired, and still there.
        await seed.freeze(datetime.now(UTC) - timedelta(hours=1))
        await seed.conn.execute(
            "insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at,"
            " ends_at, status, hold_expires_at, price_minor, currency)"
            " values ($1, $2, $3, $4, $5::text::timestamptz,"
            " $5::text::timestamptz + interval '1 hour',"
            " 'held', private.now() + interval '10 minutes', 45000, 'DKK')",
            org,
            provider,
            service,
            holder.user_id,
            start,
        )
        await seed.conn.execute("delete from private.clock")
        await seed.conn.execute(
            "insert into app.waitlist_entries (org_id, service_id, customer_id, wanted)"
            " values ($1, $2, $3, tstzrange($4::text::timestamptz - interval '1 hour',"
            " $4::text::timestamptz + interval '1 hour'))",
            org,
            service,
            vera.user_id,
            start,
        )
    finally:
        await seed.close()

    async with running_worker(db.dsn_as("slotbase_worker"), mail_to(sink)):
        await sink.wait_for(1)
    offer = sink.received[0].message
    assert offer["X-Slotbase-Kind"] == "waitlist_offer"
    assert "vera@example.com" in str(offer["To"])
    conn = await admin(db)
    try:
        holds = await conn.fetch(
            "select customer_id::text from app.bookings where status = 'held' order by created_at"
        )
    finally:
        await conn.close()
    assert [h["customer_id"] for h in holds] == [vera.user_id], "the expired hold is gone"


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
# Starting and health


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
