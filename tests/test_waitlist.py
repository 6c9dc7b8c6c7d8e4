"""The waitlist: POST/GET/DELETE /waitlist over HTTP, and at the SQL level how freed time becomes
a hold for the first entry in line it fits, in the transaction that freed it.

The HTTP tests log in first (the tokens carry the real time), then pin the database clock, as
tests/test_booking_workflow.py does. The SQL tests pin the clock and move it past a hold's
expiry; maintenance (private.expire_holds) runs as the superuser, as the worker's job would.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from tests.support.bookings import API, Caller, Seed, Sql, SqlError, local

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
TUESDAY = date(2026, 3, 3)
ENTRY_FIELDS = {
    "id", "org_id", "service_id", "provider_id", "from", "to", "status", "hold_id",
    "offered_at", "created_at",
}  # fmt: skip
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS and body["code"] == code and body["status"] == status
    return body


# ---------------------------------------------------------------------------------------------
# Over HTTP


@dataclass
class Line:
    client: httpx.AsyncClient
    seed: Seed
    alma: Any
    bo: Any
    org: str
    provider: str
    cut: str

    async def join(self, who: Any, **body: Any) -> httpx.Response:
        body = {"service_id": self.cut, "from": "2026-03-03", "to": "2026-03-04", **body}
        headers = who.headers if who is not None else {}
        return await self.client.post(f"{API}/waitlist", json=body, headers=headers)

    async def mine(self, who: Any) -> list[dict[str, Any]]:
        response = await self.client.get(f"{API}/waitlist", headers=who.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["next_cursor"] is None
        return list(body["items"])


@pytest.fixture
async def line(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Line]:
    alma, bo = await asyncio.gather(make_account("alma"), make_account("bo"))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        provider = await seed.provider(org)
        cut = await seed.service(org, [provider], duration=60)
        await seed.hours(provider, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        yield Line(client, seed, alma, bo, org, provider, cut)
    finally:
        await seed.close()


async def test_a_customer_joins_lists_and_leaves_the_waitlist(line: Line):
    response = await line.join(line.alma, provider_id=line.provider)
    assert response.status_code == 201, response.text
    entry = response.json()
    assert set(entry) == ENTRY_FIELDS
    uuid.UUID(entry["id"])
    assert entry | {"id": None} == {
        "id": None,
        "org_id": line.org,
        "service_id": line.cut,
        "provider_id": line.provider,
        "from": "2026-03-03T00:00:00+01:00",
        "to": "2026-03-05T00:00:00+01:00",  # the end date is included
        "status": "waiting",
        "hold_id": None,
        "offered_at": None,
        "created_at": "2026-03-02T08:00:00Z",
    }
    # A second later: the list is oldest first (at one instant, in the order of the ids).
    await line.seed.freeze("2026-03-02T08:00:01Z")
    anyone = await line.join(
        line.alma, **{"from": local(TUESDAY, "10:00", ZONE)}, to=local(TUESDAY, "12:30", ZONE)
    )
    assert anyone.status_code == 201, anyone.text
    assert (anyone.json()["provider_id"], anyone.json()["from"], anyone.json()["to"]) == (
        None,
        "2026-03-03T10:00:00+01:00",
        "2026-03-03T12:30:00+01:00",
    )
    assert await line.mine(line.alma) == [entry, anyone.json()]
    assert await line.mine(line.bo) == []

    # Only its customer may remove an entry; to anyone else it does not exist.
    others = await line.client.delete(f"{API}/waitlist/{entry['id']}", headers=line.bo.headers)
    assert_problem(others, 404, "not_found")
    left = await line.client.delete(f"{API}/waitlist/{entry['id']}", headers=line.alma.headers)
    assert left.status_code == 204, left.text
    assert await line.mine(line.alma) == [anyone.json()]
    again = await line.client.delete(f"{API}/waitlist/{entry['id']}", headers=line.alma.headers)
    assert_problem(again, 404, "not_found")


async def test_the_waitlist_is_for_signed_in_users(line: Line):
    assert_problem(await line.join(None), 401, "unauthorized")
    assert_problem(await line.client.get(f"{API}/waitlist"), 401, "unauthorized")
    entry = (await line.join(line.alma)).json()
    gone = await line.client.delete(f"{API}/waitlist/{entry['id']}")
    assert_problem(gone, 401, "unauthorized")
    assert [e["id"] for e in await line.mine(line.alma)] == [entry["id"]]


async def test_no_waitlist_where_the_organization_keeps_none_or_the_window_has_passed(line: Line):
    await line.seed.conn.execute(
        "update app.organizations set waitlist_enabled = false where id = $1", line.org
    )
    assert_problem(await line.join(line.alma), 409, "waitlist_closed")
    await line.seed.conn.execute(
        "update app.organizations set waitlist_enabled = true where id = $1", line.org
    )
    # Monday ended in the past, and a window ending now can no longer be booked.
    past = await line.join(line.alma, **{"from": "2026-02-27"}, to="2026-03-01")
    assert_problem(past, 409, "waitlist_closed")
    ending = await line.join(line.alma, **{"from": "2026-03-02T07:00:00Z"}, to=NOW)
    assert_problem(ending, 409, "waitlist_closed")
    assert await line.mine(line.alma) == []
    assert (
        await line.join(line.alma, **{"from": "2026-03-02"}, to="2026-03-02")
    ).status_code == 201


async def test_a_malformed_waitlist_entry_names_its_fault(line: Line):
    unknown = "00000000-0000-4000-8000-000000000000"
    cases = [
        ({"from": None}, 422, "validation_failed"),
        ({"to": None}, 422, "validation_failed"),
        ({"from": "2026-03-05", "to": "2026-03-04"}, 422, "validation_failed"),
        ({"from": "2026-03-03T10:00:00Z", "to": "2026-03-03T10:00:00Z"}, 422, "validation_failed"),
        ({"from": "2026-03-03", "to": "2026-05-10"}, 422, "range_too_long"),
        ({"from": "2026-02-30"}, 422, "invalid_time"),
        ({"to": "next week"}, 422, "invalid_time"),
        ({"service_id": unknown}, 404, "not_found"),
        ({"provider_id": unknown}, 404, "not_found"),
    ]
    for body, status, code in cases:
        assert_problem(await line.join(line.alma, **body), status, code)
    other = await line.seed.provider(line.org)
    assert_problem(await line.join(line.alma, provider_id=other), 422, "service_not_offered")
    assert await line.mine(line.alma) == []


async def test_the_waitlist_counts_against_the_customers_cap(line: Line):
    await line.seed.conn.execute(
        "update app.organizations set max_active_bookings_per_customer = 2 where id = $1", line.org
    )
    for _ in range(2):
        assert (await line.join(line.alma)).status_code == 201
    assert_problem(await line.join(line.alma), 409, "too_many_bookings")
    assert (await line.join(line.bo)).status_code == 201


# ---------------------------------------------------------------------------------------------
# At the SQL level: freed time is offered in line order

CLOCK = datetime.fromisoformat("2026-02-27T09:00:00+00:00")
MONDAY = date(2026, 3, 2)
WHOLE_MONDAY = ("2026-03-02", "2026-03-02")


def at(hhmm: str) -> str:
    return local(MONDAY, hhmm, ZONE)


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


@dataclass
class Full:
    """One provider working Monday 09:00-11:00, both hours booked by `x` and `y`."""

    seed: Seed
    sql: Sql
    org: str
    provider: str
    service: str
    x: Caller
    y: Caller
    nine: dict[str, Any]
    ten: dict[str, Any]

    async def join(self, who: Caller, window: tuple[str, str] = WHOLE_MONDAY) -> dict[str, Any]:
        entry = await self.sql.call(
            who,
            "select api.join_waitlist($1, $2, $3, $4)",
            self.service,
            window[0],
            window[1],
            self.provider,
        )
        # One second apart: the line is in the order of joining.
        now = await self.seed.conn.fetchval("select private.now()")
        await self.seed.freeze(now + timedelta(seconds=1))
        return dict(entry)

    async def entry(self, entry_id: str) -> asyncpg.Record:
        return await self.seed.conn.fetchrow(
            "select w.status, w.hold_id, w.offered_at, b.status::text as hold_status,"
            " b.customer_id, b.starts_at, b.provider_id, b.hold_expires_at"
            " from app.waitlist_entries w left join app.bookings b on b.id = w.hold_id"
            " where w.id = $1",
            entry_id,
        )

    async def offers(self, hold_id: Any) -> list[asyncpg.Record]:
        return await self.seed.conn.fetch(
            "select recipient_id, kind, payload from outbox.messages"
            " where booking_id = $1 and kind = 'waitlist_offer'",
            hold_id,
        )


@pytest.fixture
async def full(seed: Seed, sql: Sql) -> Full:
    org = await seed.org(timezone=ZONE, cutoff_minutes=0)
    provider = await seed.provider(org)
    service = await seed.service(org, [provider], duration=60)
    await seed.hours(provider, [1], "09:00", "11:00")
    x, y = await seed.user(), await seed.user()
    nine = await sql.book(x, provider, service, at("09:00"))
    ten = await sql.book(y, provider, service, at("10:00"))
    return Full(seed, sql, org, provider, service, x, y, nine, ten)


async def live_claims(seed: Seed, provider: str) -> list[asyncpg.Record]:
    return await seed.conn.fetch(
        "select id, status::text, starts_at, customer_id from app.bookings where provider_id = $1"
        " and (status in ('pending', 'confirmed')"
        "      or (status = 'held' and hold_expires_at > private.now()))"
        " order by starts_at",
        provider,
    )


async def test_a_cancellation_offers_the_slot_to_the_first_in_line_in_its_own_transaction(
    full: Full,
):
    alma, bo = await full.seed.user(), await full.seed.user()
    first = await full.join(alma)
    second = await full.join(bo)

    # Rolled back, the cancellation takes its offer with it: no hold, no email, still waiting.
    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with full.sql.conn.transaction():
            await full.sql.become(full.x)
            await full.sql.conn.fetchval("select api.cancel_booking($1)", full.nine["id"])
            assert (await full.entry(first["id"]))["status"] == "waiting"  # not yet committed
            raise Undo
    assert (await full.entry(first["id"]))["status"] == "waiting"
    assert (
        await full.seed.conn.fetchval("select count(*) from app.bookings where status = 'held'")
        == 0
    )
    assert (
        await full.seed.conn.fetchval(
            "select count(*) from outbox.messages where kind = 'waitlist_offer'"
        )
        == 0
    )

    cancelled = await full.sql.act(full.x, "cancel", full.nine["id"])
    assert cancelled["status"] == "cancelled"
    offered = await full.entry(first["id"])
    assert (offered["status"], offered["hold_status"], str(offered["customer_id"])) == (
        "offered",
        "held",
        alma.user_id,
    )
    now = await full.seed.conn.fetchval("select private.now()")
    assert offered["starts_at"] == datetime.fromisoformat(at("09:00"))
    assert offered["offered_at"] == now
    assert offered["hold_expires_at"] == now + timedelta(minutes=10)
    messages = await full.offers(offered["hold_id"])
    assert [(str(m["recipient_id"]), m["kind"]) for m in messages] == [
        (alma.user_id, "waitlist_offer")
    ]
    payload = json.loads(messages[0]["payload"])
    expires = (now + timedelta(minutes=10)).astimezone(ZoneInfo(ZONE))
    assert (payload["start"], payload["hold_expires_at"]) == (
        "2026-03-02T09:00:00+01:00",
        expires.isoformat(timespec="seconds"),
    )
    assert (await full.entry(second["id"]))["status"] == "waiting"
    # The holder sees the offer in their list and the hold itself.
    listed = await full.sql.call(alma, "select api.my_waitlist()")
    assert [(e["id"], e["status"], e["hold_id"]) for e in listed["items"]] == [
        (first["id"], "offered", str(offered["hold_id"]))
    ]
    hold = await full.sql.call(alma, "select api.get_hold($1)", offered["hold_id"])
    assert hold["start"] == at("09:00")
    # Nobody else can take the slot meanwhile.
    with pytest.raises(SqlError) as taken:
        await full.sql.book(full.x, full.provider, full.service, at("09:00"))
    assert taken.value.code == "slot_taken"


async def test_a_released_offer_goes_to_the_next_in_line_who_books_it(full: Full):
    alma, bo = await full.seed.user(), await full.seed.user()
    first = await full.join(alma)
    second = await full.join(bo)
    await full.sql.act(full.x, "cancel", full.nine["id"])
    alma_hold = (await full.entry(first["id"]))["hold_id"]

    await full.sql.call(alma, "select api.release_hold($1)", alma_hold)
    lapsed = await full.entry(first["id"])
    assert (lapsed["status"], lapsed["hold_id"]) == ("lapsed", None)
    offered = await full.entry(second["id"])
    assert (offered["status"], str(offered["customer_id"])) == ("offered", bo.user_id)
    assert offered["starts_at"] == datetime.fromisoformat(at("09:00"))
    assert len(await full.offers(offered["hold_id"])) == 1

    booking = await full.sql.call(bo, "select api.confirm_hold($1)", offered["hold_id"])
    assert (booking["id"], booking["status"]) == (str(offered["hold_id"]), "confirmed")
    booked = await full.entry(second["id"])
    assert (booked["status"], booked["hold_status"]) == ("booked", "confirmed")
    listed = await full.sql.call(bo, "select api.my_waitlist()")
    assert [e["status"] for e in listed["items"]] == ["booked"]
    assert [str(r["id"]) for r in await live_claims(full.seed, full.provider)] == [
        booking["id"],
        full.ten["id"],
    ]


async def test_an_expired_offer_goes_to_the_next_in_line_when_maintenance_deletes_it(full: Full):
    alma, bo = await full.seed.user(), await full.seed.user()
    first = await full.join(alma)
    second = await full.join(bo)
    await full.sql.act(full.x, "cancel", full.nine["id"])
    alma_hold = (await full.entry(first["id"]))["hold_id"]

    now = await full.seed.conn.fetchval("select private.now()")
    await full.seed.freeze(now + timedelta(minutes=10))
    # Expired but not deleted: nobody is offered anything yet, and the slot is free to all.
    assert (await full.entry(first["id"]))["status"] == "offered"
    assert (await full.entry(second["id"]))["status"] == "waiting"
    with pytest.raises(SqlError) as expired:
        await full.sql.call(alma, "select api.confirm_hold($1)", alma_hold)
    assert expired.value.code == "hold_expired"

    assert await full.seed.conn.fetchval("select private.expire_holds()") == 1
    assert (await full.entry(first["id"]))["status"] == "lapsed"
    offered = await full.entry(second["id"])
    assert (offered["status"], str(offered["customer_id"])) == ("offered", bo.user_id)
    assert offered["hold_expires_at"] == now + timedelta(minutes=20)
    booking = await full.sql.call(bo, "select api.confirm_hold($1)", offered["hold_id"])
    assert booking["status"] == "confirmed"
    assert (await full.entry(second["id"]))["status"] == "booked"


async def test_entries_that_do_not_fit_the_freed_time_keep_waiting(full: Full):
    alma, bo, cleo = await full.seed.user(), await full.seed.user(), await full.seed.user()
    other_provider = await full.seed.provider(full.org)
    await full.seed.conn.execute(
        "insert into app.service_providers (org_id, service_id, provider_id) values ($1, $2, $3)",
        full.org,
        full.service,
        other_provider,
    )
    # alma wants only 10:00-11:00; bo wants the other provider; cleo wants any at all.
    narrow = await full.join(alma, (at("10:00"), at("11:00")))
    elsewhere = await full.sql.call(
        bo,
        "select api.join_waitlist($1, $2, $3, $4)",
        full.service,
        *WHOLE_MONDAY,
        other_provider,
    )
    anyone = await full.sql.call(
        cleo, "select api.join_waitlist($1, $2, $3)", full.service, *WHOLE_MONDAY
    )
    await full.sql.act(full.x, "cancel", full.nine["id"])
    assert (await full.entry(narrow["id"]))["status"] == "waiting"
    assert (await full.entry(elsewhere["id"]))["status"] == "waiting"
    offered = await full.entry(anyone["id"])
    assert (offered["status"], str(offered["customer_id"])) == ("offered", cleo.user_id)
    assert str(offered["provider_id"]) == full.provider


async def test_a_cancelled_booking_gives_its_room_to_the_offer_of_its_time(seed: Seed, sql: Sql):
    """The service needs the one room there is; the 09:00 booking holds it. Cancelled, its time
    and its room are free again, so the first in line is offered 09:00, the first free start."""
    org = await seed.org(timezone=ZONE, cutoff_minutes=0)
    provider = await seed.provider(org)
    service = await seed.service(org, [provider], duration=60)
    await seed.hours(provider, [1], "09:00", "11:00")
    await seed.conn.execute(
        "insert into app.resources (org_id, name, kind, capacity) values ($1, 'Room', 'room', 1)",
        org,
    )
    await seed.conn.execute(
        "insert into app.service_resources (org_id, service_id, kind, count)"
        " values ($1, $2, 'room', 1)",
        org,
        service,
    )
    x, alma = await seed.user(), await seed.user()
    nine = await sql.book(x, provider, service, at("09:00"))
    entry = await sql.call(alma, "select api.join_waitlist($1, $2, $3)", service, *WHOLE_MONDAY)
    await sql.act(x, "cancel", nine["id"])
    offered = await seed.conn.fetchrow(
        "select w.status, b.starts_at, b.customer_id from app.waitlist_entries w"
        " join app.bookings b on b.id = w.hold_id where w.id = $1",
        entry["id"],
    )
    assert offered is not None
    assert (offered["status"], offered["starts_at"], str(offered["customer_id"])) == (
        "offered",
        datetime.fromisoformat(at("09:00")),
        alma.user_id,
    )


async def test_time_off_removed_offers_its_time(seed: Seed, sql: Sql):
    org = await seed.org(timezone=ZONE)
    provider = await seed.provider(org)
    service = await seed.service(org, [provider], duration=60)
    await seed.hours(provider, [1], "09:00", "11:00")
    await seed.time_off(provider, at("09:00"), at("10:00"))
    await sql.book(await seed.user(), provider, service, at("10:00"))
    alma = await seed.user()
    entry = await sql.call(alma, "select api.join_waitlist($1, $2, $3)", service, *WHOLE_MONDAY)
    await seed.conn.execute("delete from app.time_off where provider_id = $1", provider)
    offered = await seed.conn.fetchrow(
        "select w.status, b.starts_at, b.customer_id from app.waitlist_entries w"
        " join app.bookings b on b.id = w.hold_id where w.id = $1",
        entry["id"],
    )
    assert offered is not None
    assert (offered["status"], offered["starts_at"], str(offered["customer_id"])) == (
        "offered",
        datetime.fromisoformat(at("09:00")),
        alma.user_id,
    )


async def test_working_hours_widened_offer_the_new_time(seed: Seed, sql: Sql):
    org = await seed.org(timezone=ZONE)
    provider = await seed.provider(org)
    service = await seed.service(org, [provider], duration=60)
    await seed.hours(provider, [1], "09:00", "10:00")
    await sql.book(await seed.user(), provider, service, at("09:00"))
    alma = await seed.user()
    entry = await sql.call(
        alma, "select api.join_waitlist($1, $2, $3)", service, at("09:00"), at("12:00")
    )
    status = await seed.conn.fetchval(
        "select status from app.waitlist_entries where id = $1", entry["id"]
    )
    assert status == "waiting"
    await seed.conn.execute(
        "update app.working_hours set ends = '12:00' where provider_id = $1", provider
    )
    offered = await seed.conn.fetchrow(
        "select w.status, b.starts_at from app.waitlist_entries w"
        " join app.bookings b on b.id = w.hold_id where w.id = $1",
        entry["id"],
    )
    assert offered is not None
    assert (offered["status"], offered["starts_at"]) == (
        "offered",
        datetime.fromisoformat(at("10:00")),
    )


async def test_a_date_override_opening_a_day_offers_it(seed: Seed, sql: Sql):
    org = await seed.org(timezone=ZONE)
    provider = await seed.provider(org)
    service = await seed.service(org, [provider], duration=60)
    await seed.hours(provider, [2], "09:00", "10:00")  # Tuesdays only
    alma = await seed.user()
    entry = await sql.call(alma, "select api.join_waitlist($1, $2, $3)", service, *WHOLE_MONDAY)
    await seed.override(provider, MONDAY, [("14:00", "15:00")])
    offered = await seed.conn.fetchrow(
        "select w.status, b.starts_at from app.waitlist_entries w"
        " join app.bookings b on b.id = w.hold_id where w.id = $1",
        entry["id"],
    )
    assert offered is not None
    assert (offered["status"], offered["starts_at"]) == (
        "offered",
        datetime.fromisoformat(at("14:00")),
    )


async def test_a_cancellation_racing_a_booking_of_its_slot_never_leaves_two_claims(
    db: Any, seed: Seed
):
    conns = await asyncio.gather(*(asyncpg.connect(db.dsn_as("authenticator")) for _ in range(2)))
    answers: Counter[str] = Counter()
    try:
        for _ in range(15):
            org = await seed.org(timezone=ZONE, cutoff_minutes=0)
            provider = await seed.provider(org)
            service = await seed.service(org, [provider], duration=60)
            await seed.hours(provider, [1], "09:00", "10:00")
            x, waiting, third = await seed.user(), await seed.user(), await seed.user()
            booked = await Sql(conns[0]).book(x, provider, service, at("09:00"))
            entry = await Sql(conns[0]).call(
                waiting, "select api.join_waitlist($1, $2, $3)", service, *WHOLE_MONDAY
            )

            async def book(third: Caller, provider: str, service: str) -> str:
                try:
                    await Sql(conns[1]).book(third, provider, service, at("09:00"))
                except SqlError as exc:
                    return f"{exc.sqlstate} {exc.code}"
                except asyncpg.PostgresError as exc:
                    return f"{exc.sqlstate} {type(exc).__name__}"
                return "booked"

            async def cancel(x: Caller, booking_id: str) -> str:
                try:
                    await Sql(conns[0]).act(x, "cancel", booking_id)
                except (SqlError, asyncpg.PostgresError) as exc:
                    return f"cancel failed: {exc}"
                return "cancelled"

            outcome = await asyncio.wait_for(
                asyncio.gather(cancel(x, booked["id"]), book(third, provider, service)), timeout=60
            )
            assert outcome[0] == "cancelled", outcome
            answers[outcome[1]] += 1
            claims = await live_claims(seed, provider)
            assert len(claims) == 1, claims
            status = await seed.conn.fetchval(
                "select status from app.waitlist_entries where id = $1", entry["id"]
            )
            if outcome[1] == "booked":
                assert str(claims[0]["customer_id"]) == third.user_id
                assert status == "waiting"
            else:
                assert (str(claims[0]["customer_id"]), claims[0]["status"]) == (
                    waiting.user_id,
                    "held",
                )
                assert status == "offered"
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))
    assert set(answers) <= {"booked", "PT409 slot_taken"}, dict(answers)


async def test_the_waitlist_keeps_the_organizations_rules_on_who_may_book(full: Full):
    # An organization that books verified addresses only turns unverified ones away from its
    # waitlist too: an offer confirmed would otherwise be a booking the rule forbids.
    await full.seed.conn.execute(
        "update app.organizations set booking_requires_verified_email = true where id = $1",
        full.org,
    )
    unverified = await full.seed.user()
    with pytest.raises(SqlError) as refused:
        await full.join(unverified)
    assert (refused.value.sqlstate, refused.value.code) == ("PT403", "email_not_verified")


async def test_an_offer_skips_a_customer_at_the_cap_of_upcoming_bookings(full: Full):
    # y has the 10:00 booking; with a cap of one, y waiting for more is passed over for the
    # next in line when x's 09:00 frees up.
    await full.seed.conn.execute(
        "update app.organizations set max_active_bookings_per_customer = 1 where id = $1",
        full.org,
    )
    capped = await full.join(full.y)
    alma = await full.seed.user()
    next_in_line = await full.join(alma)
    await full.sql.act(full.x, "cancel", full.nine["id"])
    assert (await full.entry(capped["id"]))["status"] == "waiting"
    offered = await full.entry(next_in_line["id"])
    assert (offered["status"], str(offered["customer_id"])) == ("offered", alma.user_id)
