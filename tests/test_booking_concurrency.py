"""Double booking under real parallel connections: over HTTP, and at the SQL level with
hypothesis choosing services, buffers and racing starts. The exclusion constraint decides;
every loser must hear 409 slot_taken and nothing else.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.bookings import API, Caller, Seed, Sql, SqlError, local

pytestmark = [
    pytest.mark.anyio,
    # On a failure Hypothesis imports libcst to print the example as a patch; libcst trips this.
    pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"),
]

ZONE = "Europe/Copenhagen"


@pytest.fixture
async def seed(db: Any) -> AsyncIterator[Seed]:
    seed = await Seed.connect(db.admin_dsn)
    try:
        yield seed
    finally:
        await seed.close()


def next_week() -> date:
    """A date a week ahead in Copenhagen: inside every service's advance limit, past its notice.

    The HTTP tests leave the clock alone, because the tokens they use are checked against the
    real time.
    """
    return datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=7)


async def open_shop(seed: Seed, **service: Any) -> tuple[str, str, str]:
    org = await seed.org(timezone=ZONE)
    provider = await seed.provider(org)
    service_id = await seed.service(org, [provider], **service)
    await seed.hours(provider, range(1, 8), "08:00", "18:00")
    return org, provider, service_id


async def race(client: httpx.AsyncClient, accounts: list[Any], bodies: list[dict[str, Any]]):
    async def post(account: Any, body: dict[str, Any], n: int) -> httpx.Response:
        headers = {**account.headers, "Idempotency-Key": f"race-{n}"}
        return await client.post(f"{API}/bookings", json=body, headers=headers)

    calls = (post(a, b, n) for n, (a, b) in enumerate(zip(accounts, bodies, strict=True)))
    return await asyncio.wait_for(asyncio.gather(*calls), timeout=60)


def assert_one_winner(responses: list[httpx.Response]) -> dict[str, Any]:
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 409: len(responses) - 1}, [r.text for r in responses]
    winner = next(response.json() for response in responses if response.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            assert response.headers["content-type"].startswith("application/problem+json")
            body = response.json()
            assert body["code"] == "slot_taken"
            assert winner["id"] not in response.text
            assert winner["start"][:16] not in response.text
    return winner


async def active_bookings(seed: Seed, provider: str) -> list[str]:
    rows = await seed.conn.fetch(
        "select id from app.bookings where provider_id = $1 and status in ('pending', 'confirmed')",
        provider,
    )
    return [str(row["id"]) for row in rows]


async def test_fifty_parallel_bookings_of_overlapping_starts_admit_exactly_one(
    client: httpx.AsyncClient, make_account: Any, seed: Seed
):
    accounts = await asyncio.gather(*(make_account(f"racer{n}") for n in range(50)))
    _, provider, service = await open_shop(seed, duration=60, after=10, interval=15)
    day = next_week()
    # Starts 10:00, 10:15, 10:30 and 10:45 all overlap one another.
    overlapping = [local(day, f"10:{15 * (n % 4):02d}", ZONE) for n in range(50)]
    bodies = [{"provider_id": provider, "service_id": service, "start": s} for s in overlapping]

    winner = assert_one_winner(await race(client, accounts, bodies))
    assert await active_bookings(seed, provider) == [winner["id"]]
    assert await seed.overlaps() == []


async def test_sixty_four_racers_for_one_slot_all_get_an_answer(
    client: httpx.AsyncClient, make_account: Any, seed: Seed
):
    accounts = await asyncio.gather(*(make_account(f"runner{n}") for n in range(64)))
    _, provider, service = await open_shop(seed, duration=30, before=5, after=5, interval=30)
    body = {
        "provider_id": provider,
        "service_id": service,
        "start": local(next_week(), "14:00", ZONE),
    }

    responses = await race(client, accounts, [body] * 64)
    assert all(response.status_code < 500 for response in responses)
    winner = assert_one_winner(responses)
    assert await active_bookings(seed, provider) == [winner["id"]]


async def test_parallel_retries_with_one_idempotency_key_create_one_booking(
    client: httpx.AsyncClient, make_account: Any, seed: Seed
):
    alma = await make_account("alma")
    _, provider, service = await open_shop(seed, duration=60)
    start = local(next_week(), "11:00", ZONE)
    body = {"provider_id": provider, "service_id": service, "start": start}
    headers = {**alma.headers, "Idempotency-Key": "checkout-7f3a"}
    responses = await asyncio.wait_for(
        asyncio.gather(
            *(client.post(f"{API}/bookings", json=body, headers=headers) for _ in range(12))
        ),
        timeout=60,
    )
    assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1
    replayed = [r.headers.get("idempotent-replayed") for r in responses]
    assert sorted(replayed, key=str) == [None] + ["true"] * 11
    assert await active_bookings(seed, provider) == [responses[0].json()["id"]]


# ---------------------------------------------------------------------------------------------
# Property: whatever overlaps, races end in zero overlaps and true answers

RACERS = 24
MONDAY = date(2026, 3, 2)
CLOCK = "2026-02-27T09:00:00Z"


class Racers(list[tuple[Sql, Caller]]):
    """Connections as authenticator, each with its own customer (named briefly in reports)."""

    def __repr__(self) -> str:
        return f"<{len(self)} racers>"


@pytest.fixture
async def racers(db: Any, seed: Seed) -> AsyncIterator[Racers]:
    customers = [await seed.user() for _ in range(RACERS)]
    conns = await asyncio.gather(
        *(asyncpg.connect(db.dsn_as("authenticator")) for _ in range(RACERS))
    )
    try:
        yield Racers(zip((Sql(conn) for conn in conns), customers, strict=True))
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))


async def try_booking(
    sql: Sql, customer: Caller, provider: str, service: str, start: str
) -> tuple[str, dict[str, Any] | None]:
    """("booked", booking), or ("<SQLSTATE> <code or error class>", None)."""
    try:
        return "booked", await sql.book(customer, provider, service, start)
    except SqlError as exc:
        return f"{exc.sqlstate} {exc.code}", None
    except asyncpg.PostgresError as exc:
        return f"{exc.sqlstate} {type(exc).__name__}", None


async def race_in_sql(
    racers: Racers, provider: str, service: str, wanted: list[str]
) -> list[tuple[str, dict[str, Any] | None]]:
    calls = (
        try_booking(sql, who, provider, service, start)
        for (sql, who), start in zip(racers, wanted, strict=False)
    )
    return await asyncio.wait_for(asyncio.gather(*calls), timeout=60)


async def test_sql_callers_racing_for_overlapping_starts_hear_slot_taken_not_a_deadlock(
    seed: Seed, racers: Racers
):
    await seed.freeze(CLOCK)
    # A deadlock needs two inserts to meet mid-flight, so the race is run a dozen times.
    for _ in range(12):
        _, provider, service = await open_shop(seed, duration=60, before=15, after=15, interval=15)
        # Starts 09:00, 09:15, 09:30 and 09:45, six callers each: all four blocks overlap.
        wanted = [local(MONDAY, f"09:{15 * (n % 4):02d}", ZONE) for n in range(RACERS)]
        outcomes = await race_in_sql(racers, provider, service, wanted)
        answers = Counter(answer for answer, _ in outcomes)
        assert answers == {"booked": 1, "PT409 slot_taken": RACERS - 1}, dict(answers)
        assert await seed.overlaps() == []


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    # Races do not replay exactly, so shrinking would chase a moving target.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    before=st.sampled_from([0, 5, 15, 30]),
    after=st.sampled_from([0, 5, 15, 30]),
    interval=st.sampled_from([15, 30, 60]),
    picks=st.lists(st.integers(0, 7), min_size=8, max_size=RACERS),
)
async def test_racing_bookings_never_overlap_and_every_answer_is_true(
    seed: Seed,
    racers: Racers,
    duration: int,
    before: int,
    after: int,
    interval: int,
    picks: list[int],
):
    await seed.freeze(CLOCK)
    _, provider, service = await open_shop(
        seed, duration=duration, before=before, after=after, interval=interval
    )
    # Grid starts 09:00 .. 16:00: inside 08:00-18:00 with every duration and buffer drawn.
    wanted = [
        local(MONDAY, f"{9 + (pick * interval) // 60:02d}:{(pick * interval) % 60:02d}", ZONE)
        for pick in picks
    ]
    outcomes = await race_in_sql(racers, provider, service, wanted)

    assert await seed.overlaps() == []
    answers = Counter(answer for answer, _ in outcomes)
    assert set(answers) <= {"booked", "PT409 slot_taken"}, (
        f"a caller that loses the race must hear PT409 slot_taken: {dict(answers)}"
    )
    successes = {booking["id"]: booking for _, booking in outcomes if booking is not None}
    assert successes, "the first of any set of racers gets its slot"
    stored = await seed.conn.fetch(
        "select id, customer_id, starts_at, status from app.bookings where provider_id = $1",
        provider,
    )
    assert {str(row["id"]) for row in stored} == set(successes)
    for row in stored:
        booking = successes[str(row["id"])]
        assert str(row["customer_id"]) == booking["customer_id"]
        assert row["starts_at"] == datetime.fromisoformat(booking["start"])
        assert row["status"] == "confirmed"
    # Every loser lost to a real overlap: some winner's block meets its own.
    span = timedelta(minutes=duration + before + after)
    won = [datetime.fromisoformat(booking["start"]) for booking in successes.values()]
    for (answer, _), start in zip(outcomes, wanted, strict=False):
        if answer != "booked":
            at = datetime.fromisoformat(start)
            assert any(abs(at - other) < span for other in won), start
