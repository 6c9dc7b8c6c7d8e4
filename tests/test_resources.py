"""Shared resources over HTTP: who may read and change them, their shape and validation, the
resource_requirements of services, and bookings that need a resource — refused when it is taken,
and decided by the claims' exclusion constraint when two providers race for the last unit."""

from __future__ import annotations

import asyncio
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

from tests.support.bookings import API, Seed, Sql, SqlError, local

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
RESOURCE_KEYS = {"id", "org_id", "name", "kind", "capacity", "active", "created_at", "updated_at"}

# Two claims of live holds or bookings on one unit whose blocked times overlap: what
# resource_claims_no_overlap exists to make impossible. Read as the superuser.
OVERLAPPING_CLAIMS = """
select a.booking_id as a, b.booking_id as b
from app.resource_claims a
join app.resource_claims b
  on a.resource_id = b.resource_id and a.unit = b.unit and a.booking_id < b.booking_id
 and a.blocked && b.blocked
where (upper_inf(a.claimed) or upper(a.claimed) > now())
  and (upper_inf(b.claimed) or upper(b.claimed) > now())
"""


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code, response.text


def next_week() -> date:
    # The HTTP tests leave the clock alone: the tokens they use are checked against real time.
    return datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=7)


@pytest.fixture
async def seed(db: Any) -> AsyncIterator[Seed]:
    seed = await Seed.connect(db.admin_dsn)
    try:
        yield seed
    finally:
        await seed.close()


@dataclass
class Salon:
    id: str
    owner: Any
    admin: Any
    staff: Any
    customer: Any
    rival_admin: Any


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, add_member: Any) -> Salon:
    owner, admin, staff = [await make_account(h) for h in ("owner", "admin", "staff")]
    customer, rival_owner = await make_account("customer"), await make_account("rival-owner")
    rival_admin = await make_account("rival-admin")
    org = await client.post(
        f"{API}/orgs", json={"slug": "salon", "name": "Salon"}, headers=owner.headers
    )
    rival = await client.post(
        f"{API}/orgs", json={"slug": "rival", "name": "Rival"}, headers=rival_owner.headers
    )
    assert org.status_code == rival.status_code == 201
    await add_member(org.json()["id"], owner, admin, "admin")
    await add_member(org.json()["id"], owner, staff, "staff")
    await add_member(rival.json()["id"], rival_owner, rival_admin, "admin")
    return Salon(org.json()["id"], owner, admin, staff, customer, rival_admin)


async def create_resource(client: httpx.AsyncClient, salon: Salon, **body: Any) -> dict:
    response = await client.post(
        f"{API}/orgs/{salon.id}/resources", json=body, headers=salon.owner.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


# ---------------------------------------------------------------------------------------------
# Resources


async def test_an_owner_creates_reads_changes_and_deletes_a_resource(
    client: httpx.AsyncClient, salon: Salon
):
    created = await create_resource(client, salon, name="Basin", kind="basin")
    assert set(created) == RESOURCE_KEYS
    uuid.UUID(created["id"])
    assert {k: created[k] for k in ("org_id", "name", "kind", "capacity", "active")} == {
        "org_id": salon.id,
        "name": "Basin",
        "kind": "basin",
        "capacity": 1,
        "active": True,
    }
    assert created["created_at"].endswith("Z")
    url = f"{API}/resources/{created['id']}"
    assert (await client.get(url, headers=salon.staff.headers)).json() == created

    changed = await client.patch(
        url, json={"name": "Chairs", "kind": "chair", "capacity": 3}, headers=salon.admin.headers
    )
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("name", "kind", "capacity", "active")} == {
        "name": "Chairs",
        "kind": "chair",
        "capacity": 3,
        "active": True,
    }
    off = await client.patch(url, json={"active": False}, headers=salon.owner.headers)
    assert off.json()["active"] is False and off.json()["capacity"] == 3

    deleted = await client.delete(url, headers=salon.owner.headers)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert_problem(await client.get(url, headers=salon.owner.headers), 404, "not_found")
    assert_problem(await client.delete(url, headers=salon.owner.headers), 404, "not_found")


async def test_members_list_resources_by_name_page_by_page(client: httpx.AsyncClient, salon: Salon):
    for name in ("Sink", "Armchair", "Dryer"):
        await create_resource(client, salon, name=name, kind=name.lower(), capacity=2)
    url = f"{API}/orgs/{salon.id}/resources"
    seen, cursor = [], None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        page = await client.get(url, params=params, headers=salon.staff.headers)
        assert page.status_code == 200, page.text
        seen += [item["name"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Armchair", "Dryer", "Sink"]
    assert_problem(
        await client.get(url, params={"limit": "0"}, headers=salon.staff.headers),
        422,
        "validation_failed",
    )
    assert_problem(
        await client.get(url, params={"cursor": "nonsense"}, headers=salon.staff.headers),
        422,
        "validation_failed",
    )


async def test_staff_read_resources_but_only_owners_and_admins_change_them(
    client: httpx.AsyncClient, salon: Salon
):
    basin = await create_resource(client, salon, name="Basin", kind="basin")
    url = f"{API}/resources/{basin['id']}"
    staff = salon.staff.headers
    assert (await client.get(f"{API}/orgs/{salon.id}/resources", headers=staff)).status_code == 200
    assert_problem(
        await client.post(
            f"{API}/orgs/{salon.id}/resources", json={"name": "X", "kind": "x"}, headers=staff
        ),
        403,
        "forbidden",
    )
    assert_problem(await client.patch(url, json={"capacity": 2}, headers=staff), 403, "forbidden")
    assert_problem(await client.delete(url, headers=staff), 403, "forbidden")
    assert (await client.get(url, headers=salon.owner.headers)).json() == basin


@pytest.mark.parametrize("who", ["customer", "rival_admin"])
async def test_outsiders_neither_see_nor_change_resources(
    client: httpx.AsyncClient, salon: Salon, who: str
):
    basin = await create_resource(client, salon, name="Basin", kind="basin")
    url = f"{API}/resources/{basin['id']}"
    headers = getattr(salon, who).headers
    # The organization is public: acting on it is 403. Its resources are not: 404.
    assert_problem(
        await client.get(f"{API}/orgs/{salon.id}/resources", headers=headers), 403, "forbidden"
    )
    assert_problem(
        await client.post(
            f"{API}/orgs/{salon.id}/resources", json={"name": "X", "kind": "x"}, headers=headers
        ),
        403,
        "forbidden",
    )
    assert_problem(await client.get(url, headers=headers), 404, "not_found")
    assert_problem(await client.patch(url, json={"capacity": 2}, headers=headers), 404, "not_found")
    assert_problem(await client.delete(url, headers=headers), 404, "not_found")
    assert (await client.get(url, headers=salon.owner.headers)).json() == basin


async def test_anonymous_callers_get_401_on_every_resource_route(
    client: httpx.AsyncClient, salon: Salon
):
    basin = await create_resource(client, salon, name="Basin", kind="basin")
    url = f"{API}/resources/{basin['id']}"
    for response in (
        await client.get(f"{API}/orgs/{salon.id}/resources"),
        await client.post(f"{API}/orgs/{salon.id}/resources", json={"name": "X", "kind": "x"}),
        await client.get(url),
        await client.patch(url, json={"capacity": 2}),
        await client.delete(url),
    ):
        assert_problem(response, 401, "unauthorized")


async def test_a_resource_with_a_bad_field_is_refused(client: httpx.AsyncClient, salon: Salon):
    url, headers = f"{API}/orgs/{salon.id}/resources", salon.owner.headers
    base = {"name": "Basin", "kind": "basin"}
    for bad in (
        {"name": ""},
        {"name": "x" * 201},
        {"kind": "Basin"},
        {"kind": "wash basin"},
        {"kind": "-basin"},
        {"kind": "b" * 64},
        {"capacity": 0},
        {"capacity": 101},
        {"capacity": 1_000_000},
    ):
        assert_problem(
            await client.post(url, json={**base, **bad}, headers=headers), 422, "validation_failed"
        )
    assert_problem(
        await client.post(url, json={"name": "Basin"}, headers=headers), 422, "validation_failed"
    )
    assert_problem(
        await client.post(url, json={**base, "colour": "white"}, headers=headers),
        422,
        "unknown_field",
    )
    basin = await create_resource(client, salon, **base)
    assert_problem(
        await client.patch(f"{API}/resources/{basin['id']}", json={"capacity": 0}, headers=headers),
        422,
        "validation_failed",
    )
    assert_problem(
        await client.get(f"{API}/resources/not-a-uuid", headers=headers), 422, "validation_failed"
    )
    assert [r["name"] for r in (await client.get(url, headers=headers)).json()["items"]] == [
        "Basin"
    ]


# ---------------------------------------------------------------------------------------------
# What services need


async def test_a_service_states_and_replaces_what_it_needs(client: httpx.AsyncClient, salon: Salon):
    body = {
        "name": "Wash and cut",
        "duration_minutes": 60,
        "price_minor": 50000,
        "resource_requirements": [{"kind": "chair", "count": 1}, {"kind": "basin", "count": 1}],
    }
    created = await client.post(
        f"{API}/orgs/{salon.id}/services", json=body, headers=salon.admin.headers
    )
    assert created.status_code == 201, created.text
    service = created.json()
    assert service["resource_requirements"] == [
        {"kind": "basin", "count": 1},
        {"kind": "chair", "count": 1},
    ]
    url = f"{API}/services/{service['id']}"
    assert (await client.get(url)).json()["resource_requirements"] == service[
        "resource_requirements"
    ]

    # Another field leaves the set alone; a new list replaces it; [] clears it.
    priced = await client.patch(url, json={"price_minor": 1}, headers=salon.owner.headers)
    assert priced.json()["resource_requirements"] == service["resource_requirements"]
    replaced = await client.patch(
        url,
        json={"resource_requirements": [{"kind": "chair", "count": 2}]},
        headers=salon.owner.headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["resource_requirements"] == [{"kind": "chair", "count": 2}]
    cleared = await client.patch(
        url, json={"resource_requirements": []}, headers=salon.owner.headers
    )
    assert cleared.json()["resource_requirements"] == []

    plain = await client.post(
        f"{API}/orgs/{salon.id}/services",
        json={"name": "Cut", "duration_minutes": 30, "price_minor": 1},
        headers=salon.owner.headers,
    )
    assert plain.json()["resource_requirements"] == []


async def test_bad_resource_requirements_are_refused(client: httpx.AsyncClient, salon: Salon):
    url, headers = f"{API}/orgs/{salon.id}/services", salon.owner.headers
    base = {"name": "Wash", "duration_minutes": 30, "price_minor": 1}
    for bad in (
        {"kind": "basin", "count": 1},
        "basin",
        [{"kind": "Basin", "count": 1}],
        [{"kind": "basin", "count": 0}],
        [{"kind": "basin", "count": 101}],
        [{"kind": "basin", "count": 1.5}],
        [{"kind": "basin", "count": "1"}],
        [{"kind": "basin"}],
        [{"count": 1}],
        [{"kind": "basin", "count": 1, "room": "2"}],
        [{"kind": "basin", "count": 1}, {"kind": "basin", "count": 2}],
        [["basin", 1]],
    ):
        response = await client.post(
            url, json={**base, "resource_requirements": bad}, headers=headers
        )
        assert_problem(response, 422, "validation_failed")
        assert "resource_requirements" in response.json()["detail"]
    duplicate = await client.post(
        url,
        json={
            **base,
            "resource_requirements": [{"kind": "a", "count": 1}, {"kind": "a", "count": 1}],
        },
        headers=headers,
    )
    assert "twice" in duplicate.json()["detail"]
    # Nothing was half-created.
    assert (await client.get(url, headers=headers)).json()["items"] == []
    staff = await client.post(
        url, json={**base, "resource_requirements": []}, headers=salon.staff.headers
    )
    assert_problem(staff, 403, "forbidden")


# ---------------------------------------------------------------------------------------------
# Bookings that need a resource


async def basin_salon(seed: Seed, providers: int = 2) -> tuple[str, list[str], list[str], str]:
    """An organization with one basin, `providers` providers working 08-18 every day, and one
    wash service per provider, each needing the basin."""
    org = await seed.org(timezone=ZONE)
    provider_ids, service_ids = [], []
    for _ in range(providers):
        provider = await seed.provider(org)
        await seed.hours(provider, range(1, 8), "08:00", "18:00")
        service = await seed.service(org, [provider], duration=60, interval=60)
        await seed.conn.execute(
            "insert into app.service_resources (org_id, service_id, kind, count)"
            " values ($1, $2, 'basin', 1)",
            org,
            service,
        )
        provider_ids.append(provider)
        service_ids.append(service)
    basin = await seed.conn.fetchval(
        "insert into app.resources (org_id, name, kind) values ($1, 'Basin', 'basin') returning id",
        org,
    )
    return org, provider_ids, service_ids, str(basin)


async def overlapping_claims(seed: Seed) -> list[Any]:
    return list(await seed.conn.fetch(OVERLAPPING_CLAIMS))


async def test_a_booking_needing_a_taken_resource_is_refused_and_the_resource_is_guarded(
    client: httpx.AsyncClient, make_account: Any, seed: Seed, db: Any
):
    alma, bo = await make_account("alma"), await make_account("bo")
    org, (pia, per), (wash_pia, wash_per), basin = await basin_salon(seed)
    owner = await seed.user("basin-owner")
    await seed.member(org, owner.user_id, "owner")
    start = local(next_week(), "10:00", ZONE)

    first = await client.post(
        f"{API}/bookings",
        json={"provider_id": pia, "service_id": wash_pia, "start": start},
        headers=alma.headers,
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        f"{API}/bookings",
        json={"provider_id": per, "service_id": wash_per, "start": start},
        headers=bo.headers,
    )
    assert_problem(second, 409, "resource_unavailable")
    assert first.json()["id"] not in second.text and start[:16] not in second.text
    check = await client.post(
        f"{API}/bookings/check-availability",
        json={"provider_id": per, "service_id": wash_per, "start": start},
    )
    assert check.json() == {"available": False, "reason": "resource_unavailable"}

    # The owner may not take the basin away from the upcoming booking, only deactivate it.
    sql = await Sql.connect(db.dsn_as("authenticator"))
    try:
        for statement in (
            "select api.delete_resource($1)",
            "select api.update_resource($1, kind => 'sink')",
        ):
            with pytest.raises(SqlError) as refused:
                await sql.call(owner, statement, basin)
            assert refused.value.code == "resource_unavailable"
    finally:
        await sql.close()

    cancelled = await client.post(
        f"{API}/bookings/{first.json()['id']}/cancel", json={}, headers=alma.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    again = await client.post(
        f"{API}/bookings",
        json={"provider_id": per, "service_id": wash_per, "start": start},
        headers=bo.headers,
    )
    assert again.status_code == 201, again.text
    assert await overlapping_claims(seed) == []


async def test_two_providers_racing_for_the_last_basin_admit_exactly_one(
    client: httpx.AsyncClient, make_account: Any, seed: Seed
):
    """Different providers, different services, one basin: the provider calendars do not
    serialize these bookings, so the claims decide. Several rounds, each at its own time."""
    accounts = [await make_account(f"racer{n}") for n in range(4)]
    _, providers, services, _ = await basin_salon(seed, providers=4)
    for hour in ("09:00", "11:00", "13:00", "15:00", "17:00"):
        start = local(next_week(), hour, ZONE)
        calls = (
            client.post(
                f"{API}/bookings",
                json={"provider_id": provider, "service_id": service, "start": start},
                headers=account.headers,
            )
            for account, provider, service in zip(accounts, providers, services, strict=True)
        )
        responses = await asyncio.wait_for(asyncio.gather(*calls), timeout=60)
        statuses = Counter(response.status_code for response in responses)
        assert statuses == {201: 1, 409: 3}, [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 201)
        for response in responses:
            if response.status_code == 409:
                assert_problem(response, 409, "resource_unavailable")
                assert winner["id"] not in response.text
        assert await overlapping_claims(seed) == []
    assert await seed.conn.fetchval("select count(*) from app.resource_claims") == 5


async def test_the_claim_trigger_decides_a_race_the_slot_check_cannot_see(db: Any, seed: Seed):
    """Two transactions both pass the slot check (neither sees the other's uncommitted
    booking); the second waits on the basin's lock in the claim trigger and, once the first
    commits, hears resource_unavailable."""
    _, (pia, per), (wash_pia, wash_per), basin = await basin_salon(seed)
    alma, bo = await seed.user(), await seed.user()
    start = local(next_week(), "10:00", ZONE)
    first, second = [await asyncpg.connect(db.dsn_as("authenticator")) for _ in range(2)]
    booking = "select api.create_booking($1, $2, $3)"
    try:
        tx1 = first.transaction()
        await tx1.start()
        await Sql(first).become(alma)
        await first.fetchval(booking, pia, wash_pia, start)

        async def book_second() -> Any:
            async with second.transaction():
                await Sql(second).become(bo)
                return await second.fetchval(booking, per, wash_per, start)

        waiting = asyncio.ensure_future(book_second())
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await seed.conn.fetchval(
                "select count(*) from pg_stat_activity"
                " where wait_event_type = 'Lock' and wait_event = 'advisory'"
            ):
                break
        else:
            raise AssertionError("the second booking never waited on the resource lock")
        assert not waiting.done()
        await tx1.commit()
        with pytest.raises(asyncpg.PostgresError) as lost:
            await asyncio.wait_for(waiting, timeout=30)
        assert lost.value.sqlstate == "PT409"
        assert getattr(lost.value, "message", None) == "resource_unavailable"
    finally:
        await first.close()
        await second.close()
    claims = await seed.conn.fetch("select resource_id, unit from app.resource_claims")
    assert [(str(c["resource_id"]), c["unit"]) for c in claims] == [(basin, 1)]
    assert await overlapping_claims(seed) == []
