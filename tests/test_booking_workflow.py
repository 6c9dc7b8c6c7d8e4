"""Every booking route of API.md "Bookings" over HTTP, allowed and denied, with its error codes.

Accounts log in first (their tokens carry the real time); then the reference data is inserted
as the superuser and the database clock is pinned to Monday 2026-03-02 09:00 in Copenhagen, so
dates, notice and cancellation cutoffs are fixed. Tokens stay valid: Python checks them
against the real time, the database checks only that their sessions are open.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tests.support.bookings import API, Seed, local

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
NOW = "2026-03-02T08:00:00Z"  # Monday 09:00 local
MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
BOOKING_FIELDS = {
    "id", "org_id", "provider_id", "service_id", "customer_id", "start", "end", "status",
    "price_minor", "currency", "customer_note", "sequence", "created_at", "updated_at",
    "cancelled_at", "cancel_reason", "series_id",
}  # fmt: skip
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def at(day: date, hhmm: str) -> str:
    return local(day, hhmm, ZONE)


@dataclass
class Team:
    """One salon: customers alma, bo and otto; sofie (owner), stig (staff) and pia (provider).

    Pia works as `pia_desk`; `desk` is a second provider without an account. `cut` (60 min,
    450.00 DKK) is offered by both, `consult` (30 min, needs confirmation) by pia only, `dye`
    by the desk only. Both work every day 08:00-18:00; the cancellation cutoff is 24 hours.
    """

    client: httpx.AsyncClient
    seed: Seed
    alma: Any
    bo: Any
    otto: Any
    sofie: Any
    stig: Any
    pia: Any
    org: str
    pia_desk: str
    desk: str
    cut: str
    consult: str
    dye: str

    async def book(
        self, who: Any, start: str, *, provider: str | None = None, service: str | None = None,
        key: str | None = None, **extra: Any,
    ) -> httpx.Response:  # fmt: skip
        body = {
            "provider_id": provider or self.pia_desk,
            "service_id": service or self.cut,
            "start": start,
            **extra,
        }
        headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post(f"{API}/bookings", json=body, headers=headers)

    async def booked(self, who: Any, start: str, **kw: Any) -> dict[str, Any]:
        response = await self.book(who, start, **kw)
        assert response.status_code == 201, response.text
        return response.json()

    async def get(self, who: Any, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(f"{API}{path}", headers=who.headers, params=params)

    async def post(self, who: Any, path: str, body: dict[str, Any] | None = None):
        return await self.client.post(f"{API}{path}", headers=who.headers, json=body)

    async def patch(self, who: Any, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.patch(f"{API}{path}", headers=who.headers, json=body)


@pytest.fixture
async def team(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Team]:
    handles = ("alma", "bo", "otto", "sofie", "stig", "pia")
    accounts = dict(zip(handles, await asyncio.gather(*map(make_account, handles)), strict=True))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE, currency="DKK", cutoff_minutes=1440)
        await seed.member(org, accounts["sofie"].id, "owner")
        await seed.member(org, accounts["stig"].id, "staff")
        await seed.member(org, accounts["pia"].id, "provider")
        pia_desk = await seed.provider(org, user_id=accounts["pia"].id)
        desk = await seed.provider(org)
        cut = await seed.service(org, [pia_desk, desk], duration=60, price_minor=45000)
        consult = await seed.service(
            org, [pia_desk], duration=30, price_minor=20000, requires_confirmation=True
        )
        dye = await seed.service(org, [desk], duration=90, price_minor=90000)
        for provider in (pia_desk, desk):
            await seed.hours(provider, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        yield Team(
            client, seed, **accounts, org=org, pia_desk=pia_desk, desk=desk, cut=cut,
            consult=consult, dye=dye,
        )  # fmt: skip
    finally:
        await seed.close()


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS and body["code"] == code and body["status"] == status
    return body


# ---------------------------------------------------------------------------------------------
# Create


async def test_customer_books_a_slot_and_gets_it_in_the_providers_zone_with_price_and_end(
    team: Team,
):
    response = await team.book(team.alma, at(TUESDAY, "10:00"), customer_note="Short, please")
    assert response.status_code == 201, response.text
    booking = response.json()
    assert set(booking) >= BOOKING_FIELDS
    assert "internal_note" not in booking
    uuid.UUID(booking["id"])
    assert booking | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "org_id": team.org,
        "provider_id": team.pia_desk,
        "service_id": team.cut,
        "customer_id": team.alma.id,
        "start": "2026-03-03T10:00:00+01:00",
        "end": "2026-03-03T11:00:00+01:00",
        "status": "confirmed",
        "price_minor": 45000,
        "currency": "DKK",
        "customer_note": "Short, please",
        "sequence": 0,
        "created_at": None,
        "updated_at": None,
        "cancelled_at": None,
        "cancel_reason": None,
        "series_id": None,
    }
    assert booking["created_at"] == "2026-03-02T08:00:00Z"


async def test_a_start_given_in_utc_is_answered_in_the_providers_zone(team: Team):
    booking = await team.booked(team.alma, "2026-03-03T13:00:00Z")
    assert (booking["start"], booking["end"]) == (
        "2026-03-03T14:00:00+01:00",
        "2026-03-03T15:00:00+01:00",
    )


async def test_a_service_requiring_confirmation_books_pending(team: Team):
    pending = await team.booked(team.alma, at(TUESDAY, "10:00"), service=team.consult)
    assert (pending["status"], pending["end"], pending["price_minor"]) == (
        "pending",
        "2026-03-03T10:30:00+01:00",
        20000,
    )
    plain = await team.booked(team.alma, at(TUESDAY, "10:00"), provider=team.desk)
    assert plain["status"] == "confirmed"


async def test_a_pending_booking_holds_its_slot(team: Team):
    await team.booked(team.alma, at(TUESDAY, "10:00"), service=team.consult)
    assert_problem(await team.book(team.bo, at(TUESDAY, "10:00")), 409, "slot_taken")


async def test_replaying_an_idempotency_key_returns_the_original_response(team: Team):
    first = await team.book(team.alma, at(TUESDAY, "10:00"), key="k-1")
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await team.book(team.alma, at(TUESDAY, "10:00"), key="k-1")
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    count = await team.seed.conn.fetchval(
        "select count(*) from app.bookings where customer_id = $1", team.alma.id
    )
    assert count == 1


async def test_an_idempotency_key_reused_with_another_body_is_refused(team: Team):
    await team.booked(team.alma, at(TUESDAY, "10:00"), key="k-1")
    response = await team.book(team.alma, at(TUESDAY, "11:00"), key="k-1")
    assert_problem(response, 422, "idempotency_key_reused")
    response = await team.book(team.alma, at(TUESDAY, "10:00"), key="k-1", customer_note="hi")
    assert_problem(response, 422, "idempotency_key_reused")


async def test_idempotency_keys_belong_to_one_user(team: Team):
    mine = await team.booked(team.alma, at(TUESDAY, "10:00"), key="shared")
    theirs = await team.booked(team.bo, at(TUESDAY, "11:00"), key="shared")
    assert theirs["id"] != mine["id"] and theirs["customer_id"] == team.bo.id


async def test_a_failed_booking_does_not_burn_its_idempotency_key(team: Team):
    await team.booked(team.alma, at(TUESDAY, "10:00"))
    assert_problem(await team.book(team.bo, at(TUESDAY, "10:00"), key="k-2"), 409, "slot_taken")
    retried = await team.book(team.bo, at(TUESDAY, "10:00"), key="k-2")
    assert_problem(retried, 409, "slot_taken")
    assert "idempotent-replayed" not in retried.headers


async def test_customer_cannot_book_for_another_customer(team: Team):
    response = await team.book(team.alma, at(TUESDAY, "10:00"), customer_id=team.bo.id)
    assert_problem(response, 403, "forbidden")
    response = await team.book(team.pia, at(TUESDAY, "10:00"), customer_id=team.bo.id)
    assert_problem(response, 403, "forbidden")


async def test_staff_book_for_a_customer(team: Team):
    # Alma has booked here before, so she is the salon's customer; Bo has not.
    own = await team.booked(team.alma, at(TUESDAY, "14:00"))
    stranger = await team.book(team.stig, at(TUESDAY, "10:00"), customer_id=team.bo.id)
    assert_problem(stranger, 422, "validation_failed")
    booking = await team.booked(team.stig, at(TUESDAY, "10:00"), customer_id=team.alma.id)
    assert booking["customer_id"] == team.alma.id
    assert "internal_note" in booking
    mine = (await team.get(team.alma, "/bookings")).json()["items"]
    assert sorted(item["id"] for item in mine) == sorted([booking["id"], own["id"]])


async def test_a_taken_slot_is_refused_without_naming_the_other_booking(team: Team):
    first = await team.booked(team.alma, at(TUESDAY, "10:00"))
    for start in (at(TUESDAY, "10:00"), "2026-03-03T09:00:00Z"):
        response = await team.book(team.bo, start)
        assert_problem(response, 409, "slot_taken")
        text = response.text
        assert first["id"] not in text and team.alma.id not in text
        for leaked in ("2026-03-03", "10:00", "11:00", "09:00"):
            assert leaked not in text


async def test_a_booking_that_breaks_a_rule_names_the_rule(team: Team):
    cases = [
        (at(TUESDAY, "07:00"), {}, 422, "outside_working_hours"),
        (at(TUESDAY, "17:30"), {}, 422, "outside_working_hours"),
        (at(TUESDAY, "10:30"), {}, 422, "outside_working_hours"),
        (at(MONDAY, "08:00"), {}, 422, "too_soon"),
        (at(date(2026, 6, 15), "10:00"), {}, 422, "too_far_ahead"),
        ("2026-03-03T10:00:00", {}, 422, "invalid_time"),
        ("next tuesday", {}, 422, "invalid_time"),
        (at(TUESDAY, "10:00"), {"service": team.dye}, 422, "service_not_offered"),
        (at(TUESDAY, "10:00"), {"provider": str(uuid.uuid4())}, 404, "not_found"),
        (at(TUESDAY, "10:00"), {"service": str(uuid.uuid4())}, 404, "not_found"),
        (at(TUESDAY, "10:00"), {"colour": "teal"}, 422, "unknown_field"),
    ]
    for start, extra, status, code in cases:
        response = await team.book(team.alma, start, **extra)
        assert_problem(response, status, code)
    anon = await team.client.post(
        f"{API}/bookings",
        json={"provider_id": team.pia_desk, "service_id": team.cut, "start": at(TUESDAY, "10:00")},
    )
    assert_problem(anon, 401, "unauthorized")


# ---------------------------------------------------------------------------------------------
# Read


async def test_a_booking_is_seen_by_its_customer_provider_and_staff_only(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    path = f"/bookings/{booking['id']}"
    noted = await team.patch(team.stig, path, {"internal_note": "Prefers scissors"})
    assert noted.status_code == 200, noted.text

    seen = await team.get(team.alma, path)
    assert seen.status_code == 200, seen.text
    assert "internal_note" not in seen.json()
    assert "Prefers scissors" not in seen.text
    for member in (team.pia, team.stig, team.sofie):
        response = await team.get(member, path)
        assert response.status_code == 200, response.text
        assert response.json()["internal_note"] == "Prefers scissors"
        assert response.json()["id"] == booking["id"]
    for stranger in (team.bo, team.otto):
        assert_problem(await team.get(stranger, path), 404, "not_found")
    assert_problem(await team.get(team.alma, f"/bookings/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(await team.client.get(f"{API}{path}"), 401, "unauthorized")


async def test_a_provider_does_not_see_another_providers_booking(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"), provider=team.desk)
    assert_problem(await team.get(team.pia, f"/bookings/{booking['id']}"), 404, "not_found")


async def test_customers_list_only_their_own_bookings(team: Team):
    mine = [
        await team.booked(team.alma, at(TUESDAY, "10:00")),
        await team.booked(team.alma, at(TUESDAY, "09:00"), provider=team.desk),
    ]
    await team.booked(team.bo, at(TUESDAY, "12:00"))
    response = await team.get(team.alma, "/bookings")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    assert [item["id"] for item in body["items"]] == [mine[1]["id"], mine[0]["id"]]
    assert all("internal_note" not in item for item in body["items"])
    assert (await team.get(team.otto, "/bookings")).json() == {"items": [], "next_cursor": None}


async def test_staff_list_the_organizations_bookings_and_a_provider_her_own_calendar(
    team: Team,
):
    on_pia = await team.booked(team.alma, at(TUESDAY, "10:00"))
    on_desk = await team.booked(team.bo, at(TUESDAY, "10:00"), provider=team.desk)
    for member in (team.stig, team.sofie):
        items = (await team.get(member, "/bookings", org_id=team.org)).json()["items"]
        assert {item["id"] for item in items} == {on_pia["id"], on_desk["id"]}
        assert all("internal_note" in item for item in items)
    items = (await team.get(team.pia, "/bookings", org_id=team.org)).json()["items"]
    assert [item["id"] for item in items] == [on_pia["id"]]
    only_desk = await team.get(team.stig, "/bookings", org_id=team.org, provider_id=team.desk)
    assert [item["id"] for item in only_desk.json()["items"]] == [on_desk["id"]]


async def test_staff_and_the_provider_see_the_customers_name_and_the_customer_does_not(
    team: Team,
):
    named = await team.patch(team.alma, "/users/me", {"full_name": "Alma Andersen"})
    assert named.status_code == 200, named.text
    on_pia = await team.booked(team.alma, at(TUESDAY, "10:00"))
    on_desk = await team.booked(team.bo, at(TUESDAY, "10:00"), provider=team.desk)
    assert "customer_name" not in on_pia
    for member in (team.sofie, team.stig):
        items = (await team.get(member, "/bookings", org_id=team.org)).json()["items"]
        # Bo registered without a name: the key is there, its value null.
        assert {item["id"]: item["customer_name"] for item in items} == {
            on_pia["id"]: "Alma Andersen",
            on_desk["id"]: None,
        }
    calendar = (await team.get(team.pia, "/bookings", org_id=team.org)).json()["items"]
    assert [(item["id"], item["customer_name"]) for item in calendar] == [
        (on_pia["id"], "Alma Andersen")
    ]
    own = (await team.get(team.alma, "/bookings")).json()["items"]
    assert [item["id"] for item in own] == [on_pia["id"]]
    assert all("customer_name" not in item for item in own)
    assert "customer_name" not in (await team.get(team.alma, f"/bookings/{on_pia['id']}")).json()


async def test_a_non_member_cannot_list_an_organizations_bookings(team: Team):
    await team.booked(team.alma, at(TUESDAY, "10:00"))
    assert_problem(await team.get(team.otto, "/bookings", org_id=team.org), 403, "forbidden")
    assert_problem(await team.get(team.alma, "/bookings", org_id=team.org), 403, "forbidden")


async def test_pagination_walks_every_booking_once_in_start_order(team: Team):
    made = []
    for hhmm in ("09:00", "10:00", "11:00", "12:00"):
        made.append(await team.booked(team.alma, at(TUESDAY, hhmm)))
        made.append(await team.booked(team.bo, at(TUESDAY, hhmm), provider=team.desk))
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        params = {"org_id": team.org, "limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await team.get(team.stig, "/bookings", **params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 3
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(item["id"] for item in seen) == sorted(item["id"] for item in made)
    assert len(seen) == len(made) == 8
    assert [item["start"] for item in seen] == sorted(item["start"] for item in made)
    assert_problem(
        await team.get(team.stig, "/bookings", org_id=team.org, limit=201), 422, "validation_failed"
    )


async def test_bookings_filter_by_status_and_reject_an_unknown_status(team: Team):
    kept = await team.booked(team.alma, at(TUESDAY, "10:00"))
    gone = await team.booked(team.alma, at(TUESDAY, "12:00"))
    assert (await team.post(team.alma, f"/bookings/{gone['id']}/cancel", {})).status_code == 200
    cancelled = (await team.get(team.alma, "/bookings", status="cancelled")).json()["items"]
    assert [item["id"] for item in cancelled] == [gone["id"]]
    confirmed = (await team.get(team.stig, "/bookings", org_id=team.org, status="confirmed")).json()
    assert [item["id"] for item in confirmed["items"]] == [kept["id"]]
    assert_problem(await team.get(team.alma, "/bookings", status="lost"), 422, "validation_failed")


async def test_bookings_filter_by_provider_zone_dates(team: Team):
    monday = await team.booked(team.alma, at(MONDAY, "17:00"))
    tuesday = await team.booked(team.alma, at(TUESDAY, "08:00"))
    wednesday = await team.booked(team.alma, at(date(2026, 3, 4), "08:00"))
    page = await team.get(team.stig, "/bookings", org_id=team.org, **{"from": "2026-03-03"})
    assert [item["id"] for item in page.json()["items"]] == [tuesday["id"], wednesday["id"]]
    page = await team.get(
        team.stig, "/bookings", org_id=team.org, **{"from": "2026-03-02", "to": "2026-03-03"}
    )
    assert [item["id"] for item in page.json()["items"]] == [monday["id"], tuesday["id"]]
    bad = await team.get(team.stig, "/bookings", org_id=team.org, **{"from": "2026-03-03T08:00"})
    assert_problem(bad, 422, "invalid_time")


# ---------------------------------------------------------------------------------------------
# Cancel and reschedule


async def test_customer_cancels_before_the_cutoff_and_the_slot_is_free_at_once(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))  # 25 hours ahead
    response = await team.post(team.alma, f"/bookings/{booking['id']}/cancel", {"reason": "Ill"})
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "Ill")
    assert cancelled["cancelled_at"] == "2026-03-02T08:00:00Z"
    again = await team.booked(team.bo, at(TUESDAY, "10:00"))
    assert again["status"] == "confirmed"


async def test_customer_cannot_cancel_after_the_cutoff_but_staff_can(team: Team):
    booking = await team.booked(team.alma, at(MONDAY, "15:00"))  # 6 hours ahead
    path = f"/bookings/{booking['id']}/cancel"
    assert_problem(await team.post(team.alma, path, {}), 409, "cancellation_window_passed")
    response = await team.post(team.stig, path, {"reason": "Salon closed"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"


async def test_only_the_customer_and_staff_cancel(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    path = f"/bookings/{booking['id']}/cancel"
    assert_problem(await team.post(team.bo, path, {}), 404, "not_found")
    assert_problem(await team.post(team.pia, path, {}), 403, "forbidden")
    assert (await team.post(team.sofie, path, {})).status_code == 200
    assert_problem(await team.post(team.alma, path, {}), 409, "invalid_transition")


async def test_reschedule_moves_the_booking_in_place_and_frees_the_old_slot(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    response = await team.post(
        team.alma, f"/bookings/{booking['id']}/reschedule", {"start": at(TUESDAY, "13:00")}
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["id"] == booking["id"]
    assert (moved["start"], moved["end"], moved["sequence"]) == (
        "2026-03-03T13:00:00+01:00",
        "2026-03-03T14:00:00+01:00",
        1,
    )
    assert moved["status"] == "confirmed"
    await team.booked(team.bo, at(TUESDAY, "10:00"))
    assert_problem(await team.book(team.bo, at(TUESDAY, "13:00")), 409, "slot_taken")
    again = await team.post(
        team.stig, f"/bookings/{booking['id']}/reschedule", {"start": at(TUESDAY, "15:00")}
    )
    assert again.status_code == 200, again.text
    assert again.json()["sequence"] == 2


async def test_reschedule_onto_a_taken_slot_is_slot_taken_and_changes_nothing(team: Team):
    mine = await team.booked(team.alma, at(TUESDAY, "10:00"))
    theirs = await team.booked(team.bo, at(TUESDAY, "12:00"))
    response = await team.post(
        team.alma, f"/bookings/{mine['id']}/reschedule", {"start": at(TUESDAY, "12:00")}
    )
    assert_problem(response, 409, "slot_taken")
    assert theirs["id"] not in response.text and "12:00" not in response.text
    unchanged = (await team.get(team.alma, f"/bookings/{mine['id']}")).json()
    assert (unchanged["start"], unchanged["sequence"]) == (mine["start"], 0)


async def test_reschedule_follows_the_booking_rules(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    path = f"/bookings/{booking['id']}/reschedule"
    assert_problem(
        await team.post(team.alma, path, {"start": at(TUESDAY, "19:00")}),
        422,
        "outside_working_hours",
    )
    assert_problem(
        await team.post(team.alma, path, {"start": "2026-03-03T12:00:00"}), 422, "invalid_time"
    )
    assert_problem(
        await team.post(team.bo, path, {"start": at(TUESDAY, "12:00")}), 404, "not_found"
    )
    soon = await team.booked(team.alma, at(MONDAY, "15:00"))
    assert_problem(
        await team.post(
            team.alma, f"/bookings/{soon['id']}/reschedule", {"start": at(TUESDAY, "16:00")}
        ),
        409,
        "cancellation_window_passed",
    )
    await team.post(team.alma, f"/bookings/{booking['id']}/cancel", {})
    assert_problem(
        await team.post(team.alma, path, {"start": at(TUESDAY, "12:00")}), 409, "invalid_transition"
    )


# ---------------------------------------------------------------------------------------------
# The status workflow


async def status_after(team: Team, who: Any, booking: dict[str, Any], action: str) -> str:
    response = await team.post(who, f"/bookings/{booking['id']}/{action}")
    assert response.status_code == 200, response.text
    return response.json()["status"]


async def test_the_provider_confirms_a_pending_booking_and_completes_it(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"), service=team.consult)
    assert await status_after(team, team.pia, booking, "confirm") == "confirmed"
    assert await status_after(team, team.pia, booking, "complete") == "completed"
    assert await team.booked(team.bo, at(TUESDAY, "10:00"), service=team.consult)


async def test_staff_decline_a_pending_booking_and_free_its_slot(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"), service=team.consult)
    assert await status_after(team, team.stig, booking, "decline") == "declined"
    assert (await team.booked(team.bo, at(TUESDAY, "10:00")))["status"] == "confirmed"


async def test_a_confirmed_booking_can_be_marked_no_show(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    assert await status_after(team, team.sofie, booking, "no-show") == "no_show"


async def test_illegal_transitions_are_refused_as_invalid_transition(team: Team):
    pending = await team.booked(team.alma, at(TUESDAY, "10:00"), service=team.consult)
    confirmed = await team.booked(team.alma, at(TUESDAY, "12:00"))
    completed = await team.booked(team.alma, at(TUESDAY, "14:00"))
    await status_after(team, team.stig, completed, "complete")
    declined = await team.booked(team.alma, at(TUESDAY, "11:00"), service=team.consult)
    await status_after(team, team.stig, declined, "decline")
    illegal = [
        (pending, "complete"),
        (pending, "no-show"),
        (confirmed, "confirm"),
        (confirmed, "decline"),
        (completed, "confirm"),
        (completed, "no-show"),
        (completed, "cancel"),
        (declined, "confirm"),
        (declined, "cancel"),
    ]
    for booking, action in illegal:
        response = await team.post(team.stig, f"/bookings/{booking['id']}/{action}")
        assert_problem(response, 409, "invalid_transition")
    statuses = [
        (await team.get(team.stig, f"/bookings/{b['id']}")).json()["status"]
        for b in (pending, confirmed, completed, declined)
    ]
    assert statuses == ["pending", "confirmed", "completed", "declined"]


async def test_customers_cannot_confirm_decline_complete_or_no_show(team: Team):
    pending = await team.booked(team.alma, at(TUESDAY, "10:00"), service=team.consult)
    confirmed = await team.booked(team.alma, at(TUESDAY, "12:00"))
    for booking, action in (
        (pending, "confirm"),
        (pending, "decline"),
        (confirmed, "complete"),
        (confirmed, "no-show"),
    ):
        response = await team.post(team.alma, f"/bookings/{booking['id']}/{action}")
        assert_problem(response, 403, "forbidden")
        assert_problem(
            await team.post(team.otto, f"/bookings/{booking['id']}/{action}"), 404, "not_found"
        )


# ---------------------------------------------------------------------------------------------
# Notes, history, availability


async def test_staff_write_internal_notes_and_customers_their_own_note(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    path = f"/bookings/{booking['id']}"
    staff = await team.patch(team.stig, path, {"internal_note": "VIP"})
    assert staff.status_code == 200, staff.text
    assert staff.json()["internal_note"] == "VIP"
    provider = await team.patch(team.pia, path, {"internal_note": "VIP, likes tea"})
    assert provider.json()["internal_note"] == "VIP, likes tea"
    customer = await team.patch(team.alma, path, {"customer_note": "Running late"})
    assert customer.status_code == 200, customer.text
    assert customer.json()["customer_note"] == "Running late"
    assert "internal_note" not in customer.json()
    assert_problem(
        await team.patch(team.alma, path, {"internal_note": "I am VIP"}), 403, "forbidden"
    )
    assert_problem(await team.patch(team.stig, path, {"customer_note": "x"}), 403, "forbidden")
    assert_problem(await team.patch(team.bo, path, {"customer_note": "x"}), 404, "not_found")
    final = (await team.get(team.sofie, path)).json()
    assert (final["internal_note"], final["customer_note"]) == ("VIP, likes tea", "Running late")


async def test_history_lists_every_change_with_its_actor(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    path = f"/bookings/{booking['id']}"
    await team.patch(team.alma, path, {"customer_note": "Fringe too"})
    await team.post(team.alma, f"{path}/reschedule", {"start": at(TUESDAY, "11:00")})
    await team.post(team.stig, f"{path}/cancel", {"reason": "Double-booked elsewhere"})

    response = await team.get(team.alma, f"{path}/history")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    ten, eleven = "2026-03-03T10:00:00+01:00", "2026-03-03T11:00:00+01:00"
    assert [
        (
            i["action"],
            i["actor_id"],
            i["from_status"],
            i["to_status"],
            i["from_start"],
            i["to_start"],
        )
        for i in items
    ] == [
        ("created", team.alma.id, None, "confirmed", None, ten),
        ("note_changed", team.alma.id, "confirmed", "confirmed", ten, ten),
        ("rescheduled", team.alma.id, "confirmed", "confirmed", ten, eleven),
        ("cancelled", team.stig.id, "confirmed", "cancelled", eleven, eleven),
    ]
    assert all(item["at"] == "2026-03-02T08:00:00Z" for item in items)
    for reader in (team.pia, team.stig):
        assert (await team.get(reader, f"{path}/history")).json()["items"] == items
    assert_problem(await team.get(team.bo, f"{path}/history"), 404, "not_found")


async def test_every_reschedule_that_raises_the_sequence_is_in_the_history(team: Team):
    booking = await team.booked(team.alma, at(TUESDAY, "10:00"))
    path = f"/bookings/{booking['id']}"
    for start in (at(TUESDAY, "11:00"), at(TUESDAY, "11:00")):  # the second keeps the time
        response = await team.post(team.alma, f"{path}/reschedule", {"start": start})
        assert response.status_code == 200, response.text
    sequence = (await team.get(team.alma, path)).json()["sequence"]
    items = (await team.get(team.alma, f"{path}/history")).json()["items"]
    rescheduled = [item for item in items if item["action"] == "rescheduled"]
    assert len(rescheduled) == sequence, f"sequence {sequence}, {len(rescheduled)} reschedules"


async def test_check_availability_answers_available_and_why_not(team: Team):
    async def check(start: str, service: str | None = None, who: Any = None) -> Any:
        body = {"provider_id": team.pia_desk, "service_id": service or team.cut, "start": start}
        response = await team.client.post(
            f"{API}/bookings/check-availability", json=body, headers=who.headers if who else {}
        )
        assert response.status_code == 200, response.text
        return response.json()

    assert await check(at(TUESDAY, "10:00")) == {"available": True, "reason": None}
    await team.booked(team.alma, at(TUESDAY, "10:00"))
    assert await check(at(TUESDAY, "10:00")) == {"available": False, "reason": "slot_taken"}
    assert await check(at(TUESDAY, "10:00"), who=team.bo) == {
        "available": False,
        "reason": "slot_taken",
    }
    assert await check(at(TUESDAY, "07:00")) == {
        "available": False,
        "reason": "outside_working_hours",
    }
    assert await check(at(MONDAY, "08:00")) == {"available": False, "reason": "too_soon"}
    assert await check(at(date(2026, 6, 15), "10:00")) == {
        "available": False,
        "reason": "too_far_ahead",
    }
    assert await check(at(TUESDAY, "10:00"), service=team.dye) == {
        "available": False,
        "reason": "service_not_offered",
    }
    response = await team.client.post(
        f"{API}/bookings/check-availability",
        json={"provider_id": team.pia_desk, "service_id": team.cut, "start": "2026-03-03T10:00"},
    )
    assert_problem(response, 422, "invalid_time")
