"""The outbox worker (`python -m api.worker`): claim due messages, hand them to SMTP, mark them.

Delivery is at least once. A batch is claimed with FOR UPDATE SKIP LOCKED and a lease, so
concurrent workers take different rows; each message is marked sent right after the SMTP server
accepted it. A worker that dies between the two leaves the row leased; when the lease runs out
the row is claimed again and sent again under the same Message-ID: a duplicate a mail client can
recognise, never a loss. Failures are retried with backoff (private.mark_failed) until
outbox_max_attempts.

The worker LISTENs on channel 'outbox', which every insert into outbox.messages notifies at
commit, and polls as a fallback (retries come due without a notification). It also enqueues
booking reminders and, when that function exists, runs gdpr.purge_expired() now and then.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

from api.common.settings import DEV_SECRETS, ROOT, MailSettings, Settings, SettingsError
from api.outbox.render import for_log, render
from api.outbox.smtp import SendError, SmtpSender

log = logging.getLogger("slotbase.worker")

CHANNEL = "outbox"
CLAIM = "select * from private.claim_messages($1, $2)"
MARK_SENT = "select private.mark_sent($1)"
MARK_FAILED = "select private.mark_failed($1, $2, $3)"
REMINDERS = "select private.enqueue_reminders()"
EXPIRE_HOLDS = "select private.expire_holds()"
HAS_PURGE = "select pg_catalog.to_regproc('gdpr.purge_expired') is not null"
PURGE = "select gdpr.purge_expired()::text"
PURGE_EVENTS = "select private.purge_events()"
DATABASE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def as_service(conn: asyncpg.Connection, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Run one statement as service_role in its own transaction.

    private.act_as switches only to anon or authenticated, the roles of API callers. The worker
    is a trusted job: it connects as its own login, slotbase_worker, the only member of
    service_role, and becomes it with SET LOCAL ROLE, so the role ends with the transaction.
    """
    async with conn.transaction():
        await conn.execute("set local role service_role")
        return await conn.fetch(sql, *args)


async def _wait(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=max(seconds, 0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


class Worker:
    def __init__(
        self,
        conn: asyncpg.Connection,
        mail: MailSettings,
        *,
        batch: int,
        lease_seconds: int,
    ) -> None:
        self.conn, self.mail = conn, mail
        self.batch, self.lease_seconds = batch, lease_seconds
        self.sender = SmtpSender(mail)

    async def maintain(self, *, purge: bool) -> None:
        try:
            rows = await as_service(self.conn, REMINDERS)
            if rows and rows[0][0]:
                log.info("enqueued %d booking reminders", rows[0][0])
            if purge and (await as_service(self.conn, HAS_PURGE))[0][0]:
                rows = await as_service(self.conn, PURGE)
                log.info("gdpr.purge_expired: %s", rows[0][0] if rows else "")
                rows = await as_service(self.conn, PURGE_EVENTS)
                log.info("purged %s live-update events past their retention", rows[0][0])
        except asyncpg.PostgresError as exc:
            log.warning("maintenance failed: %s", exc)

    async def expire_holds(self) -> None:
        """Delete expired holds every round: they stopped blocking at expiry already, and
        deleting one hands its slot to the next customer on the waitlist (with an email).

        A failure here (a deadlock with a booking, a timeout) is logged and tried again next
        round; it must never keep the outbox from being delivered."""
        try:
            rows = await as_service(self.conn, EXPIRE_HOLDS)
        except asyncpg.PostgresError as exc:
            log.warning("expiring holds failed: %s", exc)
            return
        if rows and rows[0][0]:
            log.info("deleted %d expired holds", rows[0][0])

    async def claim(self) -> list[asyncpg.Record]:
        return await as_service(self.conn, CLAIM, self.batch, self.lease_seconds)

    async def deliver(self, rows: list[asyncpg.Record]) -> None:
        # Stop well inside the lease: rows not reached yet are claimed again once it runs out,
        # rather than by another worker while this one might still send them.
        deadline = time.monotonic() + self.lease_seconds * 0.8
        unreachable: SendError | None = None
        sent = failed = 0
        try:
            for row in rows:
                if time.monotonic() > deadline:
                    left = len(rows) - sent - failed
                    log.warning("lease nearly over; %d messages left to be claimed again", left)
                    break
                error = unreachable or await self._send(row)
                if error is None:
                    await as_service(self.conn, MARK_SENT, row["id"])
                    sent += 1
                    continue
                log.warning("message %s not sent: %s", row["message_id"], error)
                await as_service(self.conn, MARK_FAILED, row["id"], str(error), error.permanent)
                failed += 1
                if error.unreachable:
                    unreachable = error  # the rest of this batch would wait the same way
        finally:
            await asyncio.to_thread(self.sender.close)
        log.info("batch of %d: %d sent, %d failed", len(rows), sent, failed)

    async def _send(self, row: asyncpg.Record) -> SendError | None:
        """None when the SMTP server accepted the message (or it was logged), else the error."""
        try:
            msg = render(row, self.mail)
        except Exception as exc:  # a template bug must not stop the queue; retried later
            log.exception("cannot render message %s", row["message_id"])
            return SendError(f"cannot render: {exc!r}")
        if not self.mail.sends:
            log.info("mail (MAIL_HOST unset, not sent):\n%s", for_log(msg))
            return None
        try:
            await asyncio.to_thread(self.sender.send, msg, row["recipient_email"])
        except SendError as exc:
            return exc
        return None


async def run(
    dsn: str,
    mail: MailSettings,
    *,
    stop: asyncio.Event,
    batch: int = 50,
    lease_seconds: int = 300,
    poll_seconds: float = 5.0,
    maintenance_seconds: float = 60.0,
    purge_seconds: float = 3600.0,
    heartbeat: Path | None = None,
) -> None:
    """Deliver the outbox until `stop` is set; reconnects when the database goes away.

    `heartbeat`, when given, is touched after every round with the database (at least every
    poll_seconds): a health check reads its age (`python -m api.worker --check`)."""
    wake = asyncio.Event()
    retry = 1.0
    next_purge = 0.0
    while not stop.is_set():
        try:
            conn = await asyncpg.connect(dsn)
        except DATABASE_ERRORS as exc:
            log.warning("cannot connect to the database (%s); retrying in %.0fs", exc, retry)
            await _wait(stop, asyncio.Event(), retry)
            retry = min(retry * 2, 30.0)
            continue
        worker = Worker(conn, mail, batch=batch, lease_seconds=lease_seconds)
        try:
            await conn.add_listener(CHANNEL, lambda *_: wake.set())
            retry = 1.0
            next_maintenance = 0.0
            while not stop.is_set():
                now = time.monotonic()
                if now >= next_maintenance:
                    await worker.maintain(purge=now >= next_purge)
                    next_maintenance = now + maintenance_seconds
                    next_purge = now + purge_seconds if now >= next_purge else next_purge
                wake.clear()  # before the claim: a commit during the batch wakes the next wait
                rows = await worker.claim()
                if heartbeat is not None:
                    os.utime(heartbeat)  # a metadata write; the file exists (heartbeat_file)
                if rows:
                    await worker.deliver(rows)
                await worker.expire_holds()  # after delivery: offers it makes go out next round
                if len(rows) < batch:
                    wait = min(poll_seconds, next_maintenance - time.monotonic())
                    await _wait(stop, wake, wait)
        except DATABASE_ERRORS as exc:
            log.warning("database connection lost (%s); reconnecting", exc)
            await _wait(stop, asyncio.Event(), retry)
        finally:
            worker.sender.close()
            with contextlib.suppress(*DATABASE_ERRORS, asyncio.TimeoutError):
                await asyncio.wait_for(conn.close(), 5)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m api.worker",
        description="Send the outbox: claim due messages, hand them to SMTP (MAIL_*), mark them.",
    )
    p.add_argument(
        "--dsn",
        help="database URL (default: WORKER_DATABASE_URL, else DATABASE_URL as slotbase_worker)",
    )
    p.add_argument("--batch", type=int, default=50, help="messages claimed at once (50)")
    p.add_argument(
        "--check",
        action="store_true",
        help="health check: exit 0 when the running worker's heartbeat is fresh, else 1",
    )
    p.add_argument(
        "--lease-seconds",
        type=int,
        default=300,
        help="how long a claim lasts before another worker may take it (300)",
    )
    p.add_argument(
        "--poll-seconds",
        type=float,
        default=5.0,
        help="longest sleep without a notification (5)",
    )
    return p


async def _serve(dsn: str, mail: MailSettings, args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def on_signal() -> None:
        if stop.is_set() and task is not None:
            task.cancel()  # a second signal: do not wait for the batch in flight
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        await run(
            dsn,
            mail,
            stop=stop,
            batch=args.batch,
            lease_seconds=args.lease_seconds,
            poll_seconds=args.poll_seconds,
            heartbeat=heartbeat_file(),
        )
    except asyncio.CancelledError:
        log.warning("stopped during a batch; its unmarked messages are sent again after the lease")


def heartbeat_file() -> Path:
    """DATA_DIR/worker.alive: where the worker says it is alive, and --check looks."""
    data_dir = Path(os.environ.get("DATA_DIR") or ROOT / ".data")
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "worker.alive"
    path.touch()
    return path


def check(poll_seconds: float) -> int:
    """0 when the heartbeat is younger than a few polls (a round may wait poll_seconds)."""
    data_dir = Path(os.environ.get("DATA_DIR") or ROOT / ".data")
    try:
        age = time.time() - (data_dir / "worker.alive").stat().st_mtime
    except OSError:
        return 1
    return 0 if age <= max(3 * poll_seconds, 30.0) else 1


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    if args.check:
        return check(args.poll_seconds)
    env = os.environ
    try:
        # Only the database settings of the API: the worker signs no tokens, so the API's
        # production checks of JWT keys do not apply to it.
        settings = Settings(
            database_url=env.get("DATABASE_URL") or None,
            worker_database_url=env.get("WORKER_DATABASE_URL") or None,
            worker_password=env.get("WORKER_PASSWORD") or None,
        )
        mail = MailSettings.from_env(env)
        dsn = args.dsn
        if not dsn:
            if not (settings.database_url or settings.worker_database_url):
                raise SettingsError(
                    "the worker needs WORKER_DATABASE_URL or DATABASE_URL (or --dsn)"
                )
            dsn = settings.worker_dsn(settings.database_url or "")
        if env.get("ENVIRONMENT") == "production" and not mail.sends:
            raise SettingsError("refusing to start in production without MAIL_HOST")
        if (
            env.get("ENVIRONMENT") == "production"
            and not (args.dsn or settings.worker_database_url)
            and (settings.worker_password or "") in DEV_SECRETS
        ):
            raise SettingsError("refusing to start in production: WORKER_PASSWORD must be set")
        if args.batch < 1 or args.lease_seconds < 1 or args.poll_seconds <= 0:
            raise SettingsError("--batch, --lease-seconds and --poll-seconds must be positive")
    except SettingsError as exc:
        print(f"slotbase worker: {exc}", file=sys.stderr)
        return 2
    level = logging.INFO if mail.sends else logging.WARNING
    log.log(level, "outbox worker: %s", mail.describe())
    asyncio.run(_serve(dsn, mail, args))
    log.info("outbox worker stopped")
    return 0
