"""Outbox figures: worker throughput to a local SMTP sink, and commit → handed-to-SMTP latency.

One worker process (`python -m api.worker`, batch 50) sends to an aiosmtpd sink in this
process, which notes when each message's DATA completes. Messages are booking confirmations
(text, HTML and an .ics with a VTIMEZONE), the heaviest kind to render.

1. Backlog: 1,000 messages committed in one transaction while the worker idles; it wakes on the
   NOTIFY and drains them. Throughput = 1,000 / (last handed over - commit).
2. Steady: 1,000 messages committed one by one at half that rate; latency per message is its
   commit → its DATA at the sink (NOTIFY, claim, render, SMTP, no queue).
3. Baseline: the same work without a database or worker: render, then smtplib to the sink.
   The ratio worker / baseline is what claiming, marking and LISTEN cost (1.0 = nothing).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import smtplib
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiosmtpd.controller import Controller

from api.common.settings import MailSettings, with_user
from api.outbox.render import render
from bench.common import ROOT, cluster, free_port

COUNT = 1000
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.M | re.I)
INSERT = (
    "insert into outbox.messages (message_id, kind, recipient_email, locale, payload)"
    " select m.id, 'booking_created', m.email, 'da', $3::jsonb"
    " from unnest($1::text[], $2::text[]) as m(id, email)"
)


class Sink:
    """Notes the time each message is handed over (end of DATA), by Message-ID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.at: dict[bytes, float] = {}
        self.count = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        match = MESSAGE_ID.search(envelope.content)
        with self._lock:
            self.count += 1
            if match:
                self.at.setdefault(match.group(1), now)
        return "250 OK"

    def __enter__(self) -> Sink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    async def wait(self, ids: list[str], seconds: float = 300) -> None:
        wanted = [i.encode() for i in ids]
        deadline = time.monotonic() + seconds
        while not all(w in self.at for w in wanted):
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {sum(w in self.at for w in wanted)} of {len(ids)} came")
            await asyncio.sleep(0.01)


def payload() -> str:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    return json.dumps(
        {
            "booking_id": str(uuid.uuid4()),
            "status": "confirmed",
            "sequence": 0,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "timezone": "Europe/Copenhagen",
            "duration_minutes": 60,
            "price_minor": 45000,
            "currency": "DKK",
            "org_name": "Salon Nørrebro",
            "provider_name": "Mette",
            "service_name": "Klipning",
            "recipient_name": "Karl Kunde",
        }
    )


def ids(prefix: str) -> list[str]:
    return [f"{prefix}-{i}.{uuid.uuid4().hex}@bench" for i in range(COUNT)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def start_worker(worker_dsn: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MAIL_"))}
    env.update(
        WORKER_DATABASE_URL=worker_dsn,
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "api.worker", "--batch", "50"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def measure(admin: str, api_dsn: str, sink: Sink, seconds: float) -> dict[str, Any]:
    conn = await asyncpg.connect(admin)
    worker = start_worker(with_user(api_dsn, "slotbase_worker"), sink.port)
    body = payload()
    try:
        # Warm up: the worker is connected and idle before anything is timed.
        warm = ids("warm")[:20]
        await conn.execute(INSERT, warm, [f"w{i}@example.com" for i in range(20)], body)
        await sink.wait(warm, 60)

        backlog = ids("backlog")
        emails = [f"customer{i}@example.com" for i in range(COUNT)]
        await conn.execute(INSERT, backlog, emails, body)  # one transaction, one commit
        committed = time.time()
        await sink.wait(backlog)
        handed = [sink.at[i.encode()] for i in backlog]
        drain = max(handed) - committed
        rate = COUNT / drain
        backlog_latency = [t - committed for t in handed]

        # Steady: one commit at a time, at half the drain rate, at most `seconds` long.
        steady = ids("steady")
        interval = max(1 / (rate / 2), seconds / COUNT)
        commits: dict[str, float] = {}
        started = time.perf_counter()
        for n, message_id in enumerate(steady):
            await asyncio.sleep(max(0.0, started + n * interval - time.perf_counter()))
            await conn.execute(INSERT, [message_id], [f"steady{n}@example.com"], body)
            commits[message_id] = time.time()
        await sink.wait(steady)
        steady_latency = [sink.at[i.encode()] - commits[i] for i in steady]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        await conn.close()
    return {
        "rate": rate,
        "drain": drain,
        "backlog": backlog_latency,
        "steady": steady_latency,
        "steady_rate": 1 / interval,
    }


def direct_rate(port: int) -> float:
    """The same work without a database: render each message and send it with smtplib over one
    connection."""
    mail = MailSettings(host="127.0.0.1", port=port)
    body = json.loads(payload())
    rows = [
        {
            "message_id": f"direct-{i}@bench",
            "kind": "booking_created",
            "recipient_email": f"customer{i}@example.com",
            "locale": "da",
            "payload": body,
            "created_at": datetime.now(UTC),
        }
        for i in range(COUNT)
    ]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for row in rows:
            smtp.send_message(render(row, mail), mail.envelope_from, [row["recipient_email"]])
    return COUNT / (time.perf_counter() - started)


def render_rate() -> float:
    mail = MailSettings()
    row = {
        "message_id": "render@bench",
        "kind": "booking_created",
        "recipient_email": "customer@example.com",
        "locale": "da",
        "payload": payload(),
        "created_at": datetime.now(UTC),
    }
    started = time.perf_counter()
    for _ in range(200):
        render(row, mail).as_bytes()
    return 200 / (time.perf_counter() - started)


def main(seconds: float) -> None:
    with cluster() as (admin, api_dsn), Sink() as sink:
        figures = asyncio.run(measure(admin, api_dsn, sink, seconds))
        direct = direct_rate(sink.port)
    rendering = render_rate()
    ms = 1000.0
    backlog, steady = figures["backlog"], figures["steady"]
    print(f"Outbox worker: {COUNT:,} booking emails (text, HTML, .ics) to a local SMTP sink")
    print(f"  backlog of {COUNT:,} in one commit  {figures['rate']:8.0f} messages/s")
    print(
        f"    commit -> handed to SMTP        median {statistics.median(backlog) * ms:7.1f} ms"
        f"  p99 {percentile(backlog, 99) * ms:7.1f} ms  (queueing included)"
    )
    print(
        f"  one commit at a time, {figures['steady_rate']:.0f}/s"
        f"      median {statistics.median(steady) * ms:7.1f} ms"
        f"  p99 {percentile(steady, 99) * ms:7.1f} ms"
    )
    print(f"  render + smtplib, no database    {direct:8.0f} messages/s")
    print(f"  rendering alone                  {rendering:8.0f} messages/s")
    print(f"  ratio worker / render + smtplib: {figures['rate'] / direct:.2f}")


if __name__ == "__main__":
    main(float(os.environ.get("BENCH_SECONDS", "5")))
