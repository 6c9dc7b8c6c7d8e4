"""Holds (POST /bookings/holds, confirm, release) and booking with provider "any", over HTTP and
at the SQL level: a hold keeps its slot like a booking until it expires, then stops at once.

The HTTP tests log in first (the tokens carry the real time), then pin the database clock to
Monday 2026-03-02 09:00 in Copenhagen, as tests/test_booking_workflow.py does. Expiry is tested
at the SQL level, where moving the clock past a hold's expiry meets no token. Races run on real
parallel connections: separate HTTP requests, or one asyncpg connection per caller.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.bookings import API, Caller, Seed, Sql, SqlError, local, starts

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
TUESDAY = date(2026, 3, 3)
HOLD_FIELDS = {"id", "org_id", "provider_id", "service_id", "start", "end", "expires_at"}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def at(hhmm: str, day: date = TUESDAY) -> str:
    return local(day, hhmm, ZONE)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS and body["code"] == code and body["status"] == status
    return body


@dataclass
class Shop:
    """Two providers (`first`, added first, and `second`) offering `cut` (60 minutes) every day
    08:00-18:00; customers alma, bo and otto."""

    client: httpx.AsyncClient
    seed: Seed
    alma: Any
    bo: Any
    otto: Any
    org: str
    first: str
    second: str
    cut: str

    async def post(self, who: Any, path: str, body: dict[str, Any] | None = None):
        headers = who.headers if who is not None else {}
        return await self.client.post(f"{API}{path}", headers=headers, json=body)

    async def hold(self, who: Any, start: str, provider: str | None = None) -> httpx.Response:
        body = {"provider_id": provider or self.first, "service_id": self.cut, "start": start}
        return await self.post(who, "/bookings/holds", body)

    async def held(self, who: Any, start: str, provider: str | None = None) -> dict[str, Any]:
        response = await self.hold(who, start, provider)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def book(self, who: Any, start: str, provider: str | None = None) -> httpx.Response:
        body = {"provider_id": provider or self.first, "service_id": self.cut, "start": start}
        return await self.post(who, "/bookings", body)

    async def confirm(self, who: Any, hold_id: str) -> httpx.Response:
        return await self.post(who, f"/bookings/holds/{hold_id}/confirm", {})

    async def release(self, who: Any, hold_id: str) -> httpx.Response:
        headers = who.headers if who is not None else {}
        return await self.client.delete(f"{API}/bookings/holds/{hold_id}", headers=headers)

    async def provider_starts(self, provider: str) -> list[str]:
        params = {"service_id": self.cut, "from": "2026-03-03", "to": "2026-03-03"}
        response = await self.client.get(f"{API}/providers/{provider}/slots", params=params)
        assert response.status_code == 200, response.text
        return starts(response.json())

    async def org_slots(self) -> dict[str, list[str]]:
        params = {"service_id": self.cut, "from": "2026-03-03", "to": "2026-03-03"}
        response = await self.client.get(f"{API}/orgs/{self.org}/slots", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["org_id"], body["service_id"], body["timezone"]) == (self.org, self.cut, ZONE)
        return {slot["start"]: slot["provider_ids"] for slot in body["slots"]}


@pytest.fixture
async def shop(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Shop]:
    handles = ("alma", "bo", "otto")
    accounts = dict(zip(handles, await asyncio.gather(*map(make_account, handles)), strict=True))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE, cutoff_minutes=0)
        first = await seed.provider(org)
        second = await seed.provider(org)
        cut = await seed.service(org, [first, second], duration=60)
        for provider in (first, second):
            await seed.hours(provider, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        yield Shop(client, seed, **accounts, org=org, first=first, second=second, cut=cut)
    finally:
        await seed.close()


# ---------------------------------------------------------------------------------------------
# Over HTTP


async def test_a_hold_keeps_its_slot_until_confirmed_into_a_booking_of_the_same_id(shop: Shop):
    response = await shop.hold(shop.alma, at("10:00"))
    assert response.status_code == 201, response.text
    hold = response.json()
    assert set(hold) == HOLD_FIELDS
    assert hold | {"id": None} == {
        "id": None,
        "org_id": shop.org,
        "provider_id": shop.first,
        "service_id": shop.cut,
        "start": "2026-03-03T10:00:00+01:00",
        "end": "2026-03-03T11:00:00+01:00",
        "expires_at": "2026-03-02T08:10:00Z",  # the default ten minutes
    }
    got = await shop.client.get(f"{API}/bookings/holds/{hold['id']}", headers=shop.alma.headers)
    assert (got.status_code, got.json()) == (200, hold)

    # Gone from the provider's slots and from the organization's for that provider only.
    assert at("10:00") not in await shop.provider_starts(shop.first)
    assert at("10:00") in await shop.provider_starts(shop.second)
    merged = await shop.org_slots()
    assert merged[at("10:00")] == [shop.second]
    assert merged[at("11:00")] == [shop.first, shop.second]
    # Another customer cannot book it, nor hold it.
    taken = assert_problem(await shop.book(shop.bo, at("10:00")), 409, "slot_taken")
    assert hold["id"] not in str(taken) and shop.alma.id not in str(taken)
    assert_problem(await shop.hold(shop.bo, at("10:00")), 409, "slot_taken")

    confirmed = await shop.confirm(shop.alma, hold["id"])
    assert confirmed.status_code == 201, confirmed.text
    booking = confirmed.json()
    assert (booking["id"], booking["status"], booking["customer_id"]) == (
        hold["id"],
        "confirmed",
        shop.alma.id,
    )
    assert (booking["start"], booking["end"], booking["provider_id"]) == (
        hold["start"],
        hold["end"],
        shop.first,
    )
    assert_problem(await shop.confirm(shop.alma, hold["id"]), 409, "invalid_transition")
    # A hold confirmed is a booking: no longer a hold to read or release.
    got = await shop.client.get(f"{API}/bookings/holds/{hold['id']}", headers=shop.alma.headers)
    assert_problem(got, 404, "not_found")
    assert_problem(await shop.release(shop.alma, hold["id"]), 404, "not_found")
    mine = await shop.client.get(f"{API}/bookings/{hold['id']}", headers=shop.alma.headers)
    assert mine.status_code == 200 and mine.json()["status"] == "confirmed"
    assert at("10:00") not in await shop.provider_starts(shop.first)
    kinds = await shop.seed.conn.fetch(
        "select kind from outbox.messages where payload ->> 'booking_id' = $1", hold["id"]
    )
    assert [row["kind"] for row in kinds] == ["booking_created"]


async def test_only_the_holder_releases_a_hold_and_the_slot_is_free_at_once(shop: Shop):
    hold = await shop.held(shop.alma, at("10:00"))
    assert_problem(await shop.release(shop.bo, hold["id"]), 404, "not_found")
    assert_problem(await shop.confirm(shop.bo, hold["id"]), 404, "not_found")
    other = await shop.client.get(f"{API}/bookings/holds/{hold['id']}", headers=shop.bo.headers)
    assert_problem(other, 404, "not_found")
    assert at("10:00") not in await shop.provider_starts(shop.first)

    released = await shop.release(shop.alma, hold["id"])
    assert released.status_code == 204, released.text
    assert released.content == b""
    assert at("10:00") in await shop.provider_starts(shop.first)
    assert (await shop.org_slots())[at("10:00")] == [shop.first, shop.second]
    assert_problem(await shop.release(shop.alma, hold["id"]), 404, "not_found")
    assert_problem(await shop.confirm(shop.alma, hold["id"]), 404, "not_found")
    booking = await shop.book(shop.bo, at("10:00"))
    assert booking.status_code == 201, booking.text


async def test_holds_are_for_signed_in_users(shop: Shop):
    assert_problem(await shop.hold(None, at("10:00")), 401, "unauthorized")
    hold = await shop.held(shop.alma, at("10:00"))
    assert_problem(await shop.confirm(None, hold["id"]), 401, "unauthorized")
    assert_problem(await shop.release(None, hold["id"]), 401, "unauthorized")
    assert_problem(await shop.client.get(f"{API}/bookings/holds/{hold['id']}"), 401, "unauthorized")
    assert at("10:00") not in await shop.provider_starts(shop.first)


async def test_a_hold_with_any_provider_lands_on_a_free_one(shop: Shop):
    await shop.held(shop.alma, at("10:00"), provider=shop.first)
    anyone = await shop.hold(shop.bo, at("10:00"), provider="any")
    assert anyone.status_code == 201, anyone.text
    assert anyone.json()["provider_id"] == shop.second
    assert at("10:00") not in await shop.org_slots()
    assert_problem(await shop.hold(shop.otto, at("10:00"), provider="any"), 409, "slot_taken")
    assert_problem(await shop.book(shop.otto, at("10:00"), provider="any"), 409, "slot_taken")


async def test_a_malformed_hold_is_refused_with_the_rule_it_breaks(shop: Shop):
    for provider in ("anyone", "ANY", "12345", ""):
        body = {"provider_id": provider, "service_id": shop.cut, "start": at("10:00")}
        response = await shop.post(shop.alma, "/bookings/holds", body)
        assert_problem(response, 422, "validation_failed")
    for start, code in (
        (at("10:30"), "outside_working_hours"),
        (at("08:00", date(2026, 3, 2)), "too_soon"),
        ("tomorrow at ten", "invalid_time"),
    ):
        assert_problem(await shop.hold(shop.alma, start), 422, code)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(await shop.hold(shop.alma, at("10:00"), provider=unknown), 404, "not_found")
    assert_problem(await shop.confirm(shop.alma, unknown), 404, "not_found")
    count = await shop.seed.conn.fetchval(
        "select count(*) from app.bookings where org_id = $1", shop.org
    )
    assert count == 0


async def test_fewest_bookings_that_day_picks_the_emptier_provider(shop: Shop):
    # The first provider has a booking on Tuesday, the second none: "any" goes to the second,
    # although the first was added first; with one each, the first wins the tie.
    assert (await shop.book(shop.alma, at("08:00"), provider=shop.first)).status_code == 201
    anyone = await shop.book(shop.bo, at("15:00"), provider="any")
    assert anyone.status_code == 201, anyone.text
    assert anyone.json()["provider_id"] == shop.second
    tie = await shop.book(shop.otto, at("16:00"), provider="any")
    assert tie.status_code == 201, tie.text
    assert tie.json()["provider_id"] == shop.first
    # Another day's bookings do not count: on Wednesday both have none (Tuesday: 2 and 1).
    wednesday = TUESDAY + timedelta(days=1)
    first_wednesday = await shop.book(shop.bo, at("12:00", wednesday), provider="any")
    assert first_wednesday.json()["provider_id"] == shop.first


async def test_a_hold_and_a_booking_racing_for_one_slot_end_with_one_winner(shop: Shop):
    for hour in ("09:00", "11:00", "13:00", "15:00"):
        hold, booking = await asyncio.wait_for(
            asyncio.gather(shop.hold(shop.alma, at(hour)), shop.book(shop.bo, at(hour))),
            timeout=60,
        )
        assert sorted([hold.status_code, booking.status_code]) == [201, 409], (
            hold.text,
            booking.text,
        )
        loser = hold if hold.status_code == 409 else booking
        assert_problem(loser, 409, "slot_taken")
        rows = await shop.seed.conn.fetch(
            "select status::text from app.bookings where provider_id = $1 and starts_at = $2",
            shop.first,
            datetime.fromisoformat(at(hour)),
        )
        assert len(rows) == 1
    assert await live_overlaps(shop.seed) == []


async def test_two_confirmations_of_one_hold_make_one_booking(shop: Shop):
    for hour in ("09:00", "11:00", "13:00"):
        hold = await shop.held(shop.alma, at(hour))
        answers = await asyncio.wait_for(
            asyncio.gather(*(shop.confirm(shop.alma, hold["id"]) for _ in range(2))), timeout=60
        )
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert_problem(loser, 409, "invalid_transition")
        history = await shop.seed.conn.fetch(
            "select action from app.booking_history where booking_id = $1", hold["id"]
        )
        assert [row["action"] for row in history] == ["created"]
        messages = await shop.seed.conn.fetchval(
            "select count(*) from outbox.messages where kind = 'booking_created'"
            " and payload ->> 'booking_id' = $1",
            hold["id"],
        )
        assert messages == 1


# ---------------------------------------------------------------------------------------------
# At the SQL level: expiry, and fifty racers for five calendars

CLOCK = datetime.fromisoformat("2026-02-27T09:00:00+00:00")
MONDAY = date(2026, 3, 2)
LIVE_OVERLAPS = """
select a.id as a, b.id as b
from app.bookings a
join app.bookings b
  on a.provider_id = b.provider_id and a.blocked && b.blocked and a.id < b.id
where (a.status in ('pending', 'confirmed')
       or (a.status = 'held' and a.hold_expires_at > private.now()))
  and (b.status in ('pending', 'confirmed')
       or (b.status = 'held' and b.hold_expires_at > private.now()))
"""


async def live_overlaps(seed: Seed) -> list[tuple[str, str]]:
    return [(str(row["a"]), str(row["b"])) for row in await seed.conn.fetch(LIVE_OVERLAPS)]


@pytest.fixture
async def seed(db: Any) -> AsyncIterator[Seed]:
    seed = await Seed.connect(db.admin_dsn)
    await seed.freeze(CLOCK)
    try:
        yield seed
    finally:
        await seed.close()


@pytest.fixture
async def sql(db: Any) -> AsyncIterator[Sql]:
    sql = await Sql.connect(db.dsn_as("authenticator"))
    try:
        yield sql
    finally:
        await sql.close()


async def open_shop(seed: Seed, providers: int = 1) -> tuple[str, list[str], str]:
    org = await seed.org(timezone=ZONE, cutoff_minutes=0)
    ids = [await seed.provider(org) for _ in range(providers)]
    service = await seed.service(org, ids, duration=60)
    for provider in ids:
        await seed.hours(provider, [1], "09:00", "17:00")
    return org, ids, service


async def test_an_expired_hold_blocks_nothing_even_before_it_is_deleted(seed: Seed, sql: Sql):
    _, (provider,), service = await open_shop(seed)
    alma, bo = await seed.user(), await seed.user()
    start = local(MONDAY, "10:00", ZONE)
    hold = await sql.call(alma, "select api.create_hold($1, $2, $3)", provider, service, start)
    assert datetime.fromisoformat(hold["expires_at"]) == CLOCK + timedelta(minutes=10)
    slots = await sql.slots(None, provider, service, "2026-03-02", "2026-03-02")
    assert start not in starts(slots)
    with pytest.raises(SqlError) as taken:
        await sql.book(bo, provider, service, start)
    assert taken.value.code == "slot_taken"

    # A microsecond before expiry it still holds; at expiry it stops, though the row is there.
    await seed.freeze(CLOCK + timedelta(minutes=10) - timedelta(microseconds=1))
    assert start not in starts(await sql.slots(None, provider, service, "2026-03-02", "2026-03-02"))
    await seed.freeze(CLOCK + timedelta(minutes=10))
    assert start in starts(await sql.slots(None, provider, service, "2026-03-02", "2026-03-02"))
    check = await sql.check(None, provider, service, start)
    assert check == {"available": True, "reason": None}
    assert (
        await seed.conn.fetchval("select status::text from app.bookings where id = $1", hold["id"])
        == "held"
    )
    # The holder can still read it, but not confirm it.
    again = await sql.call(alma, "select api.get_hold($1)", hold["id"])
    assert again == hold
    with pytest.raises(SqlError) as expired:
        await sql.call(alma, "select api.confirm_hold($1)", hold["id"])
    assert (expired.value.sqlstate, expired.value.code) == ("PT410", "hold_expired")

    booking = await sql.book(bo, provider, service, start)
    assert booking["status"] == "confirmed"
    await seed.freeze(CLOCK + timedelta(minutes=11))
    with pytest.raises(SqlError) as expired:
        await sql.call(alma, "select api.confirm_hold($1)", hold["id"])
    assert (expired.value.sqlstate, expired.value.code) == ("PT410", "hold_expired")
    assert await live_overlaps(seed) == []

    # The maintenance job deletes it; the booking made after its expiry stays.
    assert await seed.conn.fetchval("select private.expire_holds()") == 1
    rows = await seed.conn.fetch("select id, status::text from app.bookings")
    assert [(str(row["id"]), row["status"]) for row in rows] == [(booking["id"], "confirmed")]
    with pytest.raises(SqlError) as gone:
        await sql.call(alma, "select api.get_hold($1)", hold["id"])
    assert gone.value.code == "not_found"


async def test_a_hold_confirmed_just_before_expiry_is_a_booking_for_good(seed: Seed, sql: Sql):
    _, (provider,), service = await open_shop(seed)
    alma, bo = await seed.user(), await seed.user()
    start = local(MONDAY, "10:00", ZONE)
    hold = await sql.call(alma, "select api.create_hold($1, $2, $3)", provider, service, start)
    await seed.freeze(CLOCK + timedelta(minutes=9, seconds=59))
    booking = await sql.call(alma, "select api.confirm_hold($1, $2)", hold["id"], "see you")
    assert (booking["id"], booking["status"], booking["customer_note"]) == (
        hold["id"],
        "confirmed",
        "see you",
    )
    await seed.freeze(CLOCK + timedelta(days=1))
    assert await seed.conn.fetchval("select private.expire_holds()") == 0
    with pytest.raises(SqlError) as taken:
        await sql.book(bo, provider, service, start)
    assert taken.value.code == "slot_taken"
    assert start not in starts(await sql.slots(None, provider, service, "2026-03-02", "2026-03-02"))


async def test_expire_holds_is_for_the_worker_only(db: Any, seed: Seed, sql: Sql):
    alma = await seed.user()
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await sql.call(alma, "select private.expire_holds()")
    conn = await asyncpg.connect(db.dsn_as("slotbase_worker"))
    try:
        async with conn.transaction():
            await conn.execute("set local role service_role")
            assert await conn.fetchval("select private.expire_holds()") == 0
    finally:
        await conn.close()


RACERS = 50


async def test_fifty_parallel_any_bookings_fill_five_calendars_and_no_more(db: Any, seed: Seed):
    _, providers, service = await open_shop(seed, providers=5)
    customers = [await seed.user() for _ in range(RACERS)]
    conns = await asyncio.gather(
        *(asyncpg.connect(db.dsn_as("authenticator")) for _ in range(RACERS))
    )
    start = local(MONDAY, "11:00", ZONE)

    async def book(conn: asyncpg.Connection, who: Caller) -> tuple[str, dict[str, Any] | None]:
        try:
            return "booked", await Sql(conn).book(who, "any", service, start)
        except SqlError as exc:
            return f"{exc.sqlstate} {exc.code}", None
        except asyncpg.PostgresError as exc:
            return f"{exc.sqlstate} {type(exc).__name__}", None

    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(book(c, who) for c, who in zip(conns, customers, strict=True))),
            timeout=120,
        )
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))
    answers = Counter(answer for answer, _ in outcomes)
    assert answers == {"booked": 5, "PT409 slot_taken": RACERS - 5}, dict(answers)
    winners = [booking for _, booking in outcomes if booking is not None]
    assert sorted(b["provider_id"] for b in winners) == sorted(providers)
    assert await seed.overlaps() == []
    assert await live_overlaps(seed) == []
