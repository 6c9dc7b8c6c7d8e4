"""Recurring series over HTTP (API.md "Booking beyond one provider"): POST /bookings/series with
on_conflict fail and skip, the same local time across DST changes, validation, the customer's
cap, who may book and cancel, cancel scope this | following, and two series racing for one
occurrence on real parallel connections.

Accounts log in first (their tokens carry the real time); the database clock is then pinned to
Monday 2026-03-02 09:00 in Copenhagen, as in tests/test_booking_workflow.py.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.bookings import API, OVERLAPS, Seed, local

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
TUESDAY = date(2026, 3, 3)


def at(day: date, hhmm: str = "09:00", zone: str = ZONE) -> str:
    return local(day, hhmm, zone)


def weeks(n: int) -> timedelta:
    return timedelta(weeks=n)


@dataclass
class Salon:
    """Customers alma, bo and otto; sofie (owner) and stig (staff) of the salon; bea, admin of
    another organization. `desk` works every day 08:00-18:00 in Copenhagen, `ny` in New York;
    `cut` (60 min) is offered by both and may be booked a year ahead."""

    client: httpx.AsyncClient
    seed: Seed
    alma: Any
    bo: Any
    otto: Any
    sofie: Any
    stig: Any
    bea: Any
    org: str
    desk: str
    ny: str
    cut: str

    async def series(self, who: Any, start: str, *, key: str | None = None, **fields: Any):
        body = {
            "provider_id": self.desk,
            "service_id": self.cut,
            "start": start,
            "every": "P1W",
            "count": 4,
            **fields,
        }
        headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post(f"{API}/bookings/series", json=body, headers=headers)

    async def booked_series(self, who: Any, start: str, **fields: Any) -> dict[str, Any]:
        response = await self.series(who, start, **fields)
        assert response.status_code == 201, response.text
        return response.json()

    async def book(self, who: Any, start: str, **fields: Any) -> dict[str, Any]:
        body = {"provider_id": self.desk, "service_id": self.cut, "start": start, **fields}
        response = await self.client.post(f"{API}/bookings", json=body, headers=who.headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def cancel(self, who: Any, booking_id: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"{API}/bookings/{booking_id}/cancel", json=body, headers=who.headers
        )

    async def statuses(self, customer: Any) -> dict[str, str]:
        """start (UTC text) -> status of every booking of this customer."""
        rows = await self.seed.conn.fetch(
            "select starts_at, status::text from app.bookings where customer_id = $1",
            customer.id,
        )
        return {row["starts_at"].isoformat(): row["status"] for row in rows}


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Salon]:
    handles = ("alma", "bo", "otto", "sofie", "stig", "bea")
    accounts = dict(zip(handles, await asyncio.gather(*map(make_account, handles)), strict=True))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        await seed.member(org, accounts["sofie"].id, "owner")
        await seed.member(org, accounts["stig"].id, "staff")
        other = await seed.org(timezone=ZONE)
        await seed.member(other, accounts["bea"].id, "admin")
        desk = await seed.provider(org)
        ny = await seed.provider(org, timezone="America/New_York")
        cut = await seed.service(org, [desk, ny], duration=60, max_advance_days=400)
        for provider in (desk, ny):
            await seed.hours(provider, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        yield Salon(client, seed, **accounts, org=org, desk=desk, ny=ny, cut=cut)
    finally:
        await seed.close()


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    return body


# ---------------------------------------------------------------------------------------------
# Booking a series


async def test_a_weekly_series_books_every_occurrence_with_the_series_id(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY), customer_note="Same as always")
    assert set(series) == {"series_id", "bookings", "skipped"}
    assert series["skipped"] == []
    assert [b["start"] for b in series["bookings"]] == [at(TUESDAY + weeks(i)) for i in range(4)]
    assert {(b["customer_id"], b["status"], b["customer_note"]) for b in series["bookings"]} == {
        (salon.alma.id, "confirmed", "Same as always")
    }
    row = await salon.seed.conn.fetchrow(
        "select customer_id::text, every_weeks, occurrences, first_start, created_by::text"
        " from app.booking_series where id = $1",
        series["series_id"],
    )
    assert dict(row) == {
        "customer_id": salon.alma.id,
        "every_weeks": 1,
        "occurrences": 4,
        "first_start": datetime.fromisoformat(at(TUESDAY)),
        "created_by": salon.alma.id,
    }
    ids = await salon.seed.conn.fetch(
        "select id::text from app.bookings where series_id = $1 order by starts_at",
        series["series_id"],
    )
    assert [r["id"] for r in ids] == [b["id"] for b in series["bookings"]]


async def test_every_two_and_four_weeks(salon: Salon):
    for every, step in (("P2W", 2), ("P4W", 4)):
        start = TUESDAY + weeks(1 if step == 2 else 2)
        series = await salon.booked_series(salon.alma, at(start, "11:00"), every=every, count=3)
        assert [b["start"] for b in series["bookings"]] == [
            at(start + weeks(step * i), "11:00") for i in range(3)
        ]


@pytest.mark.parametrize(
    ("zone", "first", "offsets"),
    [
        # Copenhagen: summer time from the last Sunday of March (2026-03-29), winter time from
        # the last Sunday of October (2026-10-25).
        ("Europe/Copenhagen", date(2026, 3, 17), ["+01:00", "+01:00", "+02:00", "+02:00"]),
        ("Europe/Copenhagen", date(2026, 10, 13), ["+02:00", "+02:00", "+01:00", "+01:00"]),
        # New York: from the second Sunday of March (2026-03-08) to the first Sunday of
        # November (2026-11-01).
        ("America/New_York", date(2026, 3, 3), ["-05:00", "-04:00", "-04:00", "-04:00"]),
        ("America/New_York", date(2026, 10, 20), ["-04:00", "-04:00", "-05:00", "-05:00"]),
    ],
)
async def test_occurrences_keep_their_local_time_across_daylight_saving_changes(
    salon: Salon, zone: str, first: date, offsets: list[str]
):
    provider = salon.desk if zone == ZONE else salon.ny
    series = await salon.booked_series(salon.alma, at(first, "09:00", zone), provider_id=provider)
    starts = [b["start"] for b in series["bookings"]]
    assert starts == [f"{first + weeks(i)}T09:00:00{offsets[i]}" for i in range(4)]
    in_utc = {datetime.fromisoformat(s).astimezone(ZoneInfo("UTC")).hour for s in starts}
    assert len(in_utc) == 2, "the UTC time moves by an hour when the clocks change"


async def test_fail_books_nothing_when_one_occurrence_is_taken_and_names_its_start(salon: Salon):
    taken = at(TUESDAY + weeks(2))
    await salon.book(salon.bo, taken)
    body = assert_problem(await salon.series(salon.alma, at(TUESDAY)), 409, "slot_taken")
    assert taken in body["detail"]
    assert await salon.statuses(salon.alma) == {}
    assert await salon.seed.conn.fetchval("select count(*) from app.booking_series") == 0


async def test_fail_answers_the_occurrences_own_reason(salon: Salon):
    # Every 4 weeks from Tuesday: occurrence 14 is 393 days after now (Monday), within the
    # 400-day limit; occurrence 15, 421 days ahead, is not.
    body = assert_problem(
        await salon.series(salon.alma, at(TUESDAY), every="P4W", count=20), 422, "too_far_ahead"
    )
    assert at(TUESDAY + weeks(60)) in body["detail"]
    await salon.seed.override(salon.desk, TUESDAY + weeks(1), [])
    body = assert_problem(await salon.series(salon.alma, at(TUESDAY)), 422, "outside_working_hours")
    assert at(TUESDAY + weeks(1)) in body["detail"]
    assert await salon.statuses(salon.alma) == {}


async def test_skip_books_the_free_occurrences_and_lists_the_others(salon: Salon):
    await salon.book(salon.bo, at(TUESDAY + weeks(1)))
    await salon.seed.override(salon.desk, TUESDAY + weeks(3), [])
    series = await salon.booked_series(salon.alma, at(TUESDAY), count=5, on_conflict="skip")
    assert [b["start"] for b in series["bookings"]] == [at(TUESDAY + weeks(i)) for i in (0, 2, 4)]
    assert series["skipped"] == [
        {"start": at(TUESDAY + weeks(1)), "reason": "slot_taken"},
        {"start": at(TUESDAY + weeks(3)), "reason": "outside_working_hours"},
    ]
    assert not await salon.seed.conn.fetch(OVERLAPS)


async def test_skip_with_nothing_free_is_slot_taken(salon: Salon):
    for i in range(2):
        await salon.book(salon.bo, at(TUESDAY + weeks(i)))
    assert_problem(
        await salon.series(salon.alma, at(TUESDAY), count=2, on_conflict="skip"), 409, "slot_taken"
    )
    assert await salon.seed.conn.fetchval("select count(*) from app.booking_series") == 0


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"every": "P3W"}, "every"),
        ({"every": "P1D"}, "every"),
        ({"every": "1 week"}, "every"),
        ({"count": 1}, "count"),
        ({"count": 53}, "count"),
        ({"on_conflict": "replace"}, "on_conflict"),
    ],
)
async def test_invalid_series_are_refused(salon: Salon, fields: dict[str, Any], names: str):
    body = assert_problem(await salon.series(salon.alma, at(TUESDAY), **fields), 422,
                          "validation_failed")  # fmt: skip
    assert names in body["detail"]
    assert await salon.statuses(salon.alma) == {}


async def test_a_start_without_offset_is_invalid_time(salon: Salon):
    assert_problem(await salon.series(salon.alma, "2026-03-03T09:00:00"), 422, "invalid_time")


async def test_replaying_an_idempotency_key_returns_the_same_series(salon: Salon):
    first = await salon.series(salon.alma, at(TUESDAY), key="series-1")
    assert first.status_code == 201, first.text
    again = await salon.series(salon.alma, at(TUESDAY), key="series-1")
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert_problem(
        await salon.series(salon.alma, at(TUESDAY), key="series-1", count=3),
        422,
        "idempotency_key_reused",
    )
    assert await salon.seed.conn.fetchval("select count(*) from app.booking_series") == 1


async def test_the_customer_cap_counts_the_booked_occurrences(salon: Salon):
    await salon.seed.conn.execute(
        "update app.organizations set max_active_bookings_per_customer = 3 where id = $1",
        salon.org,
    )
    body = assert_problem(await salon.series(salon.alma, at(TUESDAY)), 409, "too_many_bookings")
    assert "at most 3" in body["detail"]
    assert await salon.statuses(salon.alma) == {}
    # skip: only what is booked counts; two taken occurrences leave three, within the cap.
    for i in (1, 3):
        await salon.book(salon.bo, at(TUESDAY + weeks(i)))
    series = await salon.booked_series(salon.alma, at(TUESDAY), count=5, on_conflict="skip")
    assert (len(series["bookings"]), len(series["skipped"])) == (3, 2)
    assert_problem(
        await salon.series(salon.alma, at(TUESDAY, "14:00"), count=2), 409, "too_many_bookings"
    )


# ---------------------------------------------------------------------------------------------
# Who may book a series for whom


async def test_staff_book_a_series_for_a_customer_of_theirs(salon: Salon):
    await salon.book(salon.alma, at(TUESDAY, "15:00"))  # alma is a customer of the salon
    series = await salon.booked_series(salon.stig, at(TUESDAY), customer_id=salon.alma.id)
    assert {b["customer_id"] for b in series["bookings"]} == {salon.alma.id}
    assert all("internal_note" in b for b in series["bookings"])
    mine = await salon.client.get(f"{API}/bookings", headers=salon.alma.headers)
    assert len(mine.json()["items"]) == 5


async def test_only_the_salons_staff_book_for_another_customer(salon: Salon):
    await salon.book(salon.alma, at(TUESDAY, "15:00"))
    for who in (salon.bo, salon.bea):
        assert_problem(
            await salon.series(who, at(TUESDAY), customer_id=salon.alma.id), 403, "forbidden"
        )
    # otto never came to the salon: staff may not book for him either.
    assert_problem(
        await salon.series(salon.stig, at(TUESDAY), customer_id=salon.otto.id),
        422,
        "validation_failed",
    )
    assert await salon.seed.conn.fetchval("select count(*) from app.booking_series") == 0


async def test_the_customer_and_staff_read_a_series_and_strangers_do_not(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY), every="P2W", count=2)
    path = f"{API}/bookings/series/{series['series_id']}"
    mine = await salon.client.get(path, headers=salon.alma.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["every"], body["count"], body["start"], body["customer_id"]) == (
        "P2W",
        2,
        at(TUESDAY),
        salon.alma.id,
    )
    assert body["bookings"] == series["bookings"]
    staff = await salon.client.get(path, headers=salon.stig.headers)
    assert staff.status_code == 200, staff.text
    assert all("internal_note" in b for b in staff.json()["bookings"])
    for who in (salon.bo, salon.bea):
        assert_problem(await salon.client.get(path, headers=who.headers), 404, "not_found")


# ---------------------------------------------------------------------------------------------
# Cancelling


async def test_cancel_following_cancels_the_occurrence_and_every_later_one(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY), count=5)
    ids = [b["id"] for b in series["bookings"]]
    response = await salon.cancel(salon.alma, ids[2], scope="following", reason="Moving away")
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert (cancelled["id"], cancelled["status"], cancelled["cancel_reason"]) == (
        ids[2],
        "cancelled",
        "Moving away",
    )
    rows = await salon.seed.conn.fetch(
        "select id::text, status::text, cancel_reason from app.bookings"
        " where series_id = $1 order by starts_at",
        series["series_id"],
    )
    assert [(r["status"], r["cancel_reason"]) for r in rows] == [
        ("confirmed", None),
        ("confirmed", None),
        ("cancelled", "Moving away"),
        ("cancelled", "Moving away"),
        ("cancelled", "Moving away"),
    ]
    history = await salon.seed.conn.fetchval(
        "select count(*) from app.booking_history where booking_id = any($1::uuid[])"
        " and action = 'cancelled'",
        ids,
    )
    assert history == 3


async def test_cancel_this_leaves_the_rest_of_the_series(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY))
    ids = [b["id"] for b in series["bookings"]]
    response = await salon.cancel(salon.alma, ids[1], scope="this")
    assert response.status_code == 200, response.text
    default = await salon.cancel(salon.alma, ids[2])
    assert default.status_code == 200, default.text
    statuses = await salon.seed.conn.fetch(
        "select status::text from app.bookings where series_id = $1 order by starts_at",
        series["series_id"],
    )
    assert [r["status"] for r in statuses] == ["confirmed", "cancelled", "cancelled", "confirmed"]


async def test_cancel_following_skips_occurrences_already_ended_and_single_bookings(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY))
    ids = [b["id"] for b in series["bookings"]]
    assert (await salon.cancel(salon.alma, ids[2])).status_code == 200
    response = await salon.cancel(salon.alma, ids[1], scope="following")
    assert response.status_code == 200, response.text
    single = await salon.book(salon.alma, at(TUESDAY, "15:00"))
    response = await salon.cancel(salon.alma, single["id"], scope="following")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert sorted(Counter((await salon.statuses(salon.alma)).values()).items()) == [
        ("cancelled", 4),
        ("confirmed", 1),
    ]


async def test_an_unknown_scope_is_refused(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY))
    body = assert_problem(
        await salon.cancel(salon.alma, series["bookings"][0]["id"], scope="all"),
        422,
        "validation_failed",
    )
    assert "scope" in body["detail"]


async def test_staff_cancel_following_and_strangers_see_nothing(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY))
    first = series["bookings"][0]["id"]
    for who in (salon.bo, salon.bea):
        assert_problem(await salon.cancel(who, first, scope="following"), 404, "not_found")
    response = await salon.cancel(salon.stig, first, scope="following")
    assert response.status_code == 200, response.text
    assert set((await salon.statuses(salon.alma)).values()) == {"cancelled"}


# ---------------------------------------------------------------------------------------------
# Personal data


async def test_the_export_lists_the_series_and_erasure_keeps_it(salon: Salon):
    series = await salon.booked_series(salon.alma, at(TUESDAY), every="P2W", count=2)
    export = (await salon.client.get(f"{API}/users/me/export", headers=salon.alma.headers)).json()
    assert [(s["id"], s["every"], s["count"]) for s in export["booking_series"]] == [
        (series["series_id"], "P2W", 2)
    ]
    erased = await salon.client.delete(f"{API}/users/me", headers=salon.alma.headers)
    assert erased.status_code == 204, erased.text
    assert (
        await salon.seed.conn.fetchval(
            "select count(*) from app.booking_series where customer_id = $1", salon.alma.id
        )
        == 1
    )


# ---------------------------------------------------------------------------------------------
# Races


async def test_two_series_racing_for_one_occurrence_leave_one_winner(salon: Salon):
    """alma wants Tuesdays from 3 March, bo Tuesdays from 24 March: they meet on 24 March."""
    await salon.seed.conn.execute(
        "update app.organizations set max_active_bookings_per_customer = 100 where id = $1",
        salon.org,
    )
    expected: Counter[str] = Counter()
    for hour in ("09:00", "11:00", "13:00", "15:00"):
        calls = (
            salon.series(salon.alma, at(TUESDAY, hour)),
            salon.series(salon.bo, at(TUESDAY + weeks(3), hour), count=3),
        )
        alma, bo = await asyncio.wait_for(asyncio.gather(*calls), timeout=60)
        assert sorted((alma.status_code, bo.status_code)) == [201, 409], (alma.text, bo.text)
        loser = alma if alma.status_code == 409 else bo
        assert loser.json()["code"] == "slot_taken"
        assert at(TUESDAY + weeks(3), hour) in loser.json()["detail"]
        expected.update({salon.alma.id: 4} if alma.status_code == 201 else {salon.bo.id: 3})
    booked = Counter(
        row["customer_id"]
        for row in await salon.seed.conn.fetch("select customer_id::text from app.bookings")
    )
    assert booked == expected, "every winner booked its whole series, every loser nothing"
    assert await salon.seed.conn.fetchval("select count(*) from app.booking_series") == 4
    assert not await salon.seed.conn.fetch(OVERLAPS)
