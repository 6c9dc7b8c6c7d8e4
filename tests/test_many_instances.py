"""slotbase as several stateless instances: separate OS processes, one database, one Redis.

Every test starts real processes - the API as `python -m api.cli serve` (what `slotbase serve`
runs), the outbox worker as `python -m api.worker` - each on its own port, against the test's
database and a real Redis, and reaches them over TCP only. Nothing an instance needs may live
in that instance alone: rate-limit counts are in Redis, live events come from PostgreSQL's
NOTIFY, tokens verify with the one shared key and their sessions are rows, and the outbox is
claimed with SKIP LOCKED. Each test proves one of these across two processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller

from jwks import generate_key, private_pem
from tests.conftest import ISSUER, PASSWORD, TestDatabase
from tests.support.bookings import API, Seed, local
from tests.support.live import sse
from tests.support.problems import answer_errors
from tests.support.redis_server import RedisProcess
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
ZONE = "Europe/Copenhagen"
JWKS = "/.well-known/jwks.json"  # touches neither the database nor a token
START_SECONDS = 60.0  # an API process must be healthy by then (two CPUs, cold imports)
STOP_SECONDS = 15.0
# What a child process keeps of this one's environment: no setting leaks in unasked.
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


async def until(what: str, check: Callable[[], Awaitable[bool]], seconds: float) -> None:
    """Poll `check` until it holds; the deadline only keeps a broken run from hanging."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}"
        await asyncio.sleep(0.1)


# ---------------------------------------------------------------------------------------------
# Processes


@dataclass
class Process:
    """One child process, its output in a file (read when something goes wrong)."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    base: str = ""  # the API's URL; empty for a worker

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)  # graceful, as Ctrl-C or a supervisor would
            try:
                self.popen.wait(STOP_SECONDS)
                return
            except subprocess.TimeoutExpired:
                pass
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()


class Fleet:
    """Starts the test's processes and stops every one of them, whatever happened."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: list[Process] = []

    def spawn(self, name: str, command: list[str], env: dict[str, str], base: str = "") -> Process:
        full_env = {k: os.environ[k] for k in KEPT_ENV if k in os.environ}
        full_env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **env)
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, *command],
                cwd=ROOT,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log, base)
        self.processes.append(process)
        return process

    def api(self, name: str, env: dict[str, str]) -> Process:
        port = free_port()
        env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
        return self.spawn(name, ["-m", "api.cli", "serve"], env, f"http://127.0.0.1:{port}")

    def worker(self, name: str, dsn: str, env: dict[str, str]) -> Process:
        # A small batch and a short poll make the two workers' claims interleave.
        command = ["-m", "api.worker", "--dsn", dsn, "--batch", "2", "--poll-seconds", "0.2"]
        return self.spawn(name, command, env)

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()


async def health(http: httpx.AsyncClient, api: Process) -> dict[str, Any]:
    response = await http.get(f"{api.base}/health")
    return dict(response.json())


async def until_healthy(*apis: Process) -> None:
    """Wait until each instance's /health is ok: database, Redis, LISTEN and shared limits."""
    async with httpx.AsyncClient(timeout=5) as http:
        for api in apis:
            deadline = time.monotonic() + START_SECONDS
            while True:
                assert api.popen.poll() is None, f"{api.name} exited:\n{api.output()}"
                with contextlib.suppress(httpx.TransportError, ValueError):
                    if (await health(http, api))["status"] == "ok":
                        break
                assert time.monotonic() < deadline, f"{api.name} not healthy:\n{api.output()}"
                await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
def signing_key() -> str:
    """One PEM for every instance: a token signed by one verifies on all."""
    return private_pem(generate_key())


@pytest.fixture
def fleet(db: TestDatabase, tmp_path: Path) -> Iterator[Fleet]:
    """Depends on `db` so the processes stop before their database is dropped."""
    started = Fleet(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


StartApis = Callable[..., Awaitable[list[Process]]]


@pytest.fixture
def start_apis(fleet: Fleet, db: TestDatabase, signing_key: str, tmp_path: Path) -> StartApis:
    """`a, b = await start_apis(redis_url, RATE_LIMIT_IP="6/1h")`: healthy API processes."""

    async def start(redis_url: str, count: int = 2, **settings: str) -> list[Process]:
        env = {
            "ENVIRONMENT": "test",
            "API_DATABASE_URL": db.dsn_as("authenticator"),
            "REDIS_URL": redis_url,
            "JWT_PRIVATE_KEY": signing_key,
            "JWT_ISSUER": ISSUER,
            "DATA_DIR": str(tmp_path / "data"),
            "DB_POOL_MIN": "1",
            "DB_POOL_MAX": "10",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_AUTH": "1000/60s",  # the tests sign up several people from one address
            **settings,
        }
        apis = [fleet.api(f"api-{chr(ord('a') + i)}", env) for i in range(count)]
        await until_healthy(*apis)
        return apis

    return start


# ---------------------------------------------------------------------------------------------
# HTTP clients whose every answer is checked


class Answers:
    """Every answer the test's clients get must be sound: no 5xx, each error a problem document."""

    def __init__(self) -> None:
        self.unsound: list[str] = []

    async def _inspect(self, response: httpx.Response) -> None:
        await response.aread()
        self.unsound.extend(answer_errors(response))

    def client(self, api: Process, source: str = "127.0.0.1") -> httpx.AsyncClient:
        """A client of one instance, from `source` (any 127.0.0.0/8 address: its own bucket)."""
        return httpx.AsyncClient(
            base_url=api.base,
            transport=httpx.AsyncHTTPTransport(local_address=source),
            timeout=30,
            event_hooks={"response": [self._inspect]},
        )


@pytest.fixture
def answers() -> Iterator[Answers]:
    seen = Answers()
    yield seen
    assert seen.unsound == [], "unsound answers:\n" + "\n".join(seen.unsound)


@dataclass
class Person:
    user_id: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


async def sign_up(http: httpx.AsyncClient, handle: str) -> Person:
    body = {"email": f"{handle}@example.com", "password": PASSWORD}
    registered = await http.post(f"{API}/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    login = await http.post(f"{API}/auth/login", json=body)
    assert login.status_code == 200, login.text
    return Person(str(registered.json()["id"]), login.json())


@dataclass
class Salon:
    """One provider offering a one-hour service, open 08-18 every day."""

    provider: str
    service: str

    def body(self, day: date, hhmm: str) -> dict[str, str]:
        start = local(day, hhmm, ZONE)
        return {"provider_id": self.provider, "service_id": self.service, "start": start}


async def open_salon(db: TestDatabase) -> Salon:
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        provider = await seed.provider(org)
        service = await seed.service(org, [provider], duration=60)
        await seed.hours(provider, range(1, 8), "08:00", "18:00")
    finally:
        await seed.close()
    return Salon(provider, service)


def soon(days: int) -> date:
    return date.today() + timedelta(days=days)


# ---------------------------------------------------------------------------------------------
# 1. Rate limits, live events and sessions are shared by two API processes


@pytest.mark.slow
async def test_two_api_processes_count_one_rate_limit_per_address(
    start_apis: StartApis, redis_url: str, answers: Answers
) -> None:
    """With 6 requests per hour per address, requests alternating between the two processes are
    refused from the 7th on: one count in Redis. Per-process counts would allow 12."""
    a, b = await start_apis(redis_url, RATE_LIMIT_IP="6/1h")
    async with (
        answers.client(a) as to_a,
        answers.client(b) as to_b,
        answers.client(a, "127.0.0.2") as other_to_a,
        answers.client(b, "127.0.0.2") as other_to_b,
    ):
        replies = [await (to_a, to_b)[i % 2].get(JWKS) for i in range(8)]
        elsewhere = [await other_to_a.get(JWKS), await other_to_b.get(JWKS)]

    assert [r.status_code for r in replies] == [200] * 6 + [429] * 2
    remaining = [int(r.headers["RateLimit-Remaining"]) for r in replies]
    assert remaining == [5, 4, 3, 2, 1, 0, 0, 0], "each instance counts the other's requests"
    for refused in replies[6:]:  # one refused by each instance
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 600  # 6 per hour: one per 600 s
        assert refused.headers["RateLimit-Limit"] == "6"
    # Another address has a count of its own, on both instances.
    assert [r.status_code for r in elsewhere] == [200, 200]
    assert [r.headers["RateLimit-Remaining"] for r in elsewhere] == ["5", "4"]


@pytest.mark.slow
async def test_a_booking_made_through_one_instance_reaches_streams_on_both(
    start_apis: StartApis, redis_url: str, db: TestDatabase, answers: Answers
) -> None:
    """Each instance LISTENs to PostgreSQL itself: a stream held by A hears of a booking made
    through B, once, and so does a stream held by B; a customer's own `bookings` stream on A,
    opened with a token B issued, gets her booking."""
    salon = await open_salon(db)
    a, b = await start_apis(redis_url)
    topic = f"availability:{salon.provider}"
    async with answers.client(b) as to_b:
        alma = await sign_up(to_b, "alma")
        async with (
            sse(a.base, topic) as visitor_on_a,
            sse(b.base, topic) as visitor_on_b,
            sse(a.base, "bookings", alma.headers) as alma_on_a,
        ):
            made = await to_b.post(
                f"{API}/bookings", json=salon.body(soon(10), "10:00"), headers=alma.headers
            )
            assert made.status_code == 201, made.text
            booking = made.json()

            for stream in (visitor_on_a, visitor_on_b):
                event = await stream.event()
                assert (event["topic"], event["kind"]) == (topic, "availability.changed")
                assert event["data"]["provider_id"] == salon.provider
                assert datetime.fromisoformat(event["data"]["from"]) == datetime.fromisoformat(
                    booking["start"]
                )
            mine = await alma_on_a.event()
            assert mine["kind"] == "booking.created"
            assert mine["data"]["booking_id"] == booking["id"]
            assert await visitor_on_a.quiet() == [], "one event, not one per instance"


@pytest.mark.slow
async def test_a_token_from_one_instance_works_on_the_other_and_logout_ends_it_on_both(
    start_apis: StartApis, redis_url: str, answers: Answers
) -> None:
    """Both instances sign with the one key and keep no sessions of their own: B accepts and
    refreshes what A issued, and after a logout on A, B refuses the session's tokens and closes
    its stream."""
    a, b = await start_apis(redis_url)
    async with answers.client(a) as to_a, answers.client(b) as to_b:
        assert (await to_a.get(JWKS)).json() == (await to_b.get(JWKS)).json()
        alma = await sign_up(to_a, "alma")

        me = await to_b.get(f"{API}/users/me", headers=alma.headers)
        assert me.status_code == 200, me.text
        assert me.json()["id"] == alma.user_id

        renewed = await to_b.post(
            f"{API}/auth/refresh", json={"refresh_token": alma.tokens["refresh_token"]}
        )
        assert renewed.status_code == 200, renewed.text
        fresh = Person(alma.user_id, renewed.json())
        assert (await to_a.get(f"{API}/users/me", headers=fresh.headers)).status_code == 200

        async with sse(b.base, "bookings", fresh.headers) as stream_on_b:
            out = await to_a.post(f"{API}/auth/logout", headers=fresh.headers)
            assert out.status_code == 204, out.text
            closing = await stream_on_b.next()
            assert closing.get("event") == "close", closing
            assert '"session_closed"' in closing["data"]

        for who in (alma, fresh):
            for http in (to_a, to_b):
                after = await http.get(f"{API}/users/me", headers=who.headers)
                assert after.status_code == 401, after.text
        again = await to_b.post(
            f"{API}/auth/refresh", json={"refresh_token": fresh.tokens["refresh_token"]}
        )
        assert again.status_code == 401, again.text


# ---------------------------------------------------------------------------------------------
# 2. Two outbox worker processes


class Sink:
    """An SMTP server (aiosmtpd, in its own thread) that keeps each message's Message-ID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids: list[str] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.ids.append(str(message["Message-ID"]).strip().strip("<>"))
        return "250 Message accepted for delivery"

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self.ids)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
async def test_two_worker_processes_deliver_every_message_exactly_once(
    start_apis: StartApis,
    redis_url: str,
    db: TestDatabase,
    fleet: Fleet,
    sink: Sink,
    answers: Answers,
    tmp_path: Path,
) -> None:
    """Bookings made and cancelled through both API processes while two workers run: each
    message reaches the SMTP server once (by Message-ID), none is missing, none was retried."""
    salon = await open_salon(db)
    a, b = await start_apis(redis_url)
    workers = [
        fleet.worker(
            name,
            db.dsn_as("slotbase_worker"),
            {
                "ENVIRONMENT": "test",
                "MAIL_HOST": "127.0.0.1",
                "MAIL_PORT": str(sink.port),
                "MAIL_FROM": "Salon <salon@example.com>",
                "DATA_DIR": str(tmp_path / name),  # its heartbeat file
            },
        )
        for name in ("worker-1", "worker-2")
    ]
    slots = [(soon(days), f"{hour:02d}:00") for days in (10, 11, 12) for hour in range(8, 18)]
    async with answers.client(a) as to_a, answers.client(b) as to_b:
        instances = (to_a, to_b)
        people = await asyncio.gather(*(sign_up(instances[i % 2], f"c{i}") for i in range(4)))

        async def book(i: int, day: date, hhmm: str) -> dict[str, Any]:
            made = await instances[i % 2].post(
                f"{API}/bookings", json=salon.body(day, hhmm), headers=people[i % 4].headers
            )
            assert made.status_code == 201, made.text
            return dict(made.json())

        async def cancel(i: int, booking: dict[str, Any]) -> dict[str, Any]:
            # Through the instance that did not make it.
            done = await instances[(i + 1) % 2].post(
                f"{API}/bookings/{booking['id']}/cancel", json={}, headers=people[i % 4].headers
            )
            assert done.status_code == 200, done.text
            return dict(done.json())

        booked = await asyncio.gather(*(book(i, *slot) for i, slot in enumerate(slots)))
        cancelled = await asyncio.gather(
            *(cancel(i, booking) for i, booking in enumerate(booked) if i % 3 == 0)
        )
    expected = {f"{made['id']}.booking_created.0@slotbase" for made in booked} | {
        f"{done['id']}.booking_cancelled.{done['sequence']}@slotbase" for done in cancelled
    }

    conn = await asyncpg.connect(db.admin_dsn)
    try:

        async def all_sent() -> bool:
            return bool(
                await conn.fetchval("select bool_and(status = 'sent') from outbox.messages")
            )

        await until("every outbox message is marked sent", all_sent, 60)
        rows = await conn.fetch("select message_id, attempts from outbox.messages")
    finally:
        await conn.close()
    await asyncio.sleep(0.5)  # room for a duplicate to arrive, were one on its way

    in_outbox = Counter(str(r["message_id"]) for r in rows)
    assert expected <= set(in_outbox), "every booking and cancellation enqueued its message"
    assert sink.counts() == in_outbox, "each message arrived exactly once"
    assert {r["attempts"] for r in rows} == {1}, "no message was claimed twice"
    for worker in workers:
        assert worker.popen.poll() is None, f"{worker.name} died:\n{worker.output()}"


# ---------------------------------------------------------------------------------------------
# 3. Redis stopped and started under load


class Load:
    """Requests sent without pause by several loops; each outcome (a status, or the name of a
    transport error) is filed under the loop and the phase current when it came back."""

    def __init__(self) -> None:
        self.phase = "before"
        self.stopping = False
        self.outcomes: dict[tuple[str, str], list[int | str]] = {}

    def seen(self, phase: str) -> dict[str, int]:
        return {loop: len(got) for (loop, at), got in self.outcomes.items() if at == phase}

    def failures(self) -> dict[tuple[str, str], list[int | str]]:
        """Every outcome that is not a 2xx answer, by loop and phase."""
        bad = {
            key: [o for o in got if not (isinstance(o, int) and 200 <= o < 300)]
            for key, got in self.outcomes.items()
        }
        return {key: got for key, got in bad.items() if got}

    async def run(self, name: str, http: httpx.AsyncClient, path: str, **kw: Any) -> None:
        while not self.stopping:
            outcome: int | str
            try:
                outcome = (await http.get(path, **kw)).status_code
            except httpx.TransportError as exc:
                outcome = type(exc).__name__
            self.outcomes.setdefault((name, self.phase), []).append(outcome)

    async def until_each_loop_saw(self, phase: str, count: int, loops: int) -> None:
        async def enough() -> bool:
            seen = self.seen(phase)
            return len(seen) == loops and min(seen.values()) >= count

        await until(f"{count} answers per loop while {phase}", enough, 30)


@pytest.mark.slow
async def test_redis_restarted_under_load_fails_no_request_and_limits_are_shared_again(
    own_redis: RedisProcess,
    start_apis: StartApis,
    db: TestDatabase,
    answers: Answers,
) -> None:
    """A steady stream of requests through both instances while their Redis stops and starts:
    every answer is a 2xx. Meanwhile each limits on its own (health: `local`); once Redis is
    back both report `shared`, and the auth limit is counted once across the two again."""
    salon = await open_salon(db)
    a, b = await start_apis(
        own_redis.url,
        RATE_LIMIT_IP="1000000/60s",  # the load must not be refused
        RATE_LIMIT_USER="1000000/60s",
        RATE_LIMIT_AUTH="4/1h",  # the check of sharing at the end
    )
    slots_path = f"{API}/providers/{salon.provider}/slots"
    week = {"service_id": salon.service, "from": str(soon(1)), "to": str(soon(8))}
    load = Load()
    async with (
        answers.client(a) as to_a,
        answers.client(b) as to_b,
        httpx.AsyncClient(timeout=5) as probe,
    ):
        alma = await sign_up(to_a, "alma")
        loops = [
            load.run("me@a", to_a, f"{API}/users/me", headers=alma.headers),
            load.run("me@b", to_b, f"{API}/users/me", headers=alma.headers),
            load.run("slots@a", to_a, slots_path, params=week),
            load.run("slots@b", to_b, slots_path, params=week),
        ]
        running = [asyncio.ensure_future(loop) for loop in loops]
        try:

            async def limits_are(state: str) -> bool:
                reports = [await health(probe, api) for api in (a, b)]
                return all(r["checks"]["rate_limits"] == state for r in reports)

            async def all_ok() -> bool:
                reports = [await health(probe, api) for api in (a, b)]
                return all(r["status"] == "ok" for r in reports)

            await load.until_each_loop_saw("before", 10, len(loops))
            own_redis.stop()
            load.phase = "down"
            await until("both instances limit locally", lambda: limits_are("local"), 30)
            await load.until_each_loop_saw("down", 20, len(loops))

            own_redis.start()  # empty: the shared counts start afresh
            load.phase = "back"
            await until("both instances share limits again", lambda: limits_are("shared"), 30)
            await until("both instances are healthy again", all_ok, 30)
            await load.until_each_loop_saw("back", 20, len(loops))
        finally:
            load.stopping = True
            await asyncio.gather(*running, return_exceptions=True)
        for task in running:
            task.result()  # a loop that died of an exception fails the test here

        # Shared again: 4 logins per hour per address, alternating over the two instances.
        # A different unknown address each time, so the per-account lockout plays no part.
        async with (
            answers.client(a, "127.0.0.3") as fresh_a,
            answers.client(b, "127.0.0.3") as fresh_b,
        ):
            logins = [
                await (fresh_a, fresh_b)[i % 2].post(
                    f"{API}/auth/login",
                    json={"email": f"nobody{i}@example.com", "password": "wrong-password-1"},
                )
                for i in range(6)
            ]

    assert load.failures() == {}, "every request answered, every answer a 2xx"
    assert [r.json()["code"] for r in logins] == ["invalid_credentials"] * 4 + ["rate_limited"] * 2
    assert [r.status_code for r in logins] == [401] * 4 + [429] * 2
