"""api/ops/dev.py, the world `slotbase dev` brings up, and its demo salon (`slotbase demo`, and
`make run` on an empty local database): what it seeds is usable over HTTP end to end, and
seeding it again prints the same ids and seeds nothing. `slotbase dev` itself, started as a
process and stopped by a signal, is tested with the other commands (tests/api/test_cli.py)."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import asyncpg
import httpx
import pytest

from api.cli import main
from api.ops.dev import DEMO_PASSWORDS, seed_demo

pytestmark = pytest.mark.anyio

API = "/api/v1"
ZONE = ZoneInfo("Europe/Copenhagen")
SLUG = "salon-norrebro"
OWNER = "owner@salon-norrebro.example"
PROVIDER = "mette@salon-norrebro.example"
CUSTOMER = "customer@salon-norrebro.example"
BOOKING_KEYS = {
    "id",
    "org_id",
    "provider_id",
    "service_id",
    "customer_id",
    "start",
    "end",
    "status",
    "price_minor",
    "currency",
    "customer_note",
    "sequence",
    "created_at",
    "updated_at",
    "cancelled_at",
    "cancel_reason",
    "series_id",
}
# Settings the command reads; none may leak in from the environment running the tests.
SLOTBASE_ENV = (
    "ENVIRONMENT",
    "DATABASE_URL",
    "API_DATABASE_URL",
    "WORKER_DATABASE_URL",
    "AUTHENTICATOR_PASSWORD",
    "REDIS_URL",
    "JWT_PRIVATE_KEY",
    "JWT_KEY_ID",
    "JWT_PUBLIC_KEYS",
    "JWT_KEYS_DIR",
    "FIRST_SUPERUSER_EMAIL",
    "FIRST_SUPERUSER_PASSWORD",
    "DATA_DIR",
)


@pytest.fixture
def demo_env(db: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> str:
    """DATABASE_URL names the test database; nothing else is configured."""
    for name in SLOTBASE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", db.admin_dsn)
    return db.admin_dsn


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(demo_env: str, capsys: pytest.CaptureFixture[str]) -> str:
    """`slotbase demo` has run once against the test database; its output."""
    code, out, err = run_cli(capsys, "demo")
    assert code == 0, err
    return out


@dataclass
class Demo:
    org_id: str
    mette: str
    services: dict[str, dict[str, Any]]


async def discover(client: httpx.AsyncClient) -> Demo:
    """Find the salon, Mette and the services the way an app would: by slug, then lists."""
    org = await client.get(f"{API}/orgs/{SLUG}")
    assert org.status_code == 200, org.text
    org_id = org.json()["id"]
    providers = (await client.get(f"{API}/orgs/{org_id}/providers")).json()["items"]
    mette = next(p for p in providers if p["display_name"] == "Mette")
    services = (await client.get(f"{API}/orgs/{org_id}/services")).json()["items"]
    return Demo(org_id, mette["id"], {s["name"]: s for s in services})


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def week_of_slots(client: httpx.AsyncClient, provider: str, service: str) -> list[dict]:
    """The slots of the next 7 days (the default range), read as a visitor."""
    response = await client.get(f"{API}/providers/{provider}/slots", params={"service_id": service})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provider_id"] == provider and body["service_id"] == service
    assert body["timezone"] == "Europe/Copenhagen"
    return body["slots"]


async def book(
    client: httpx.AsyncClient, headers: dict[str, str], provider: str, service: str, start: str
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/bookings",
        json={"provider_id": provider, "service_id": service, "start": start},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------------------------------------


async def test_the_demo_command_seeds_the_salon_and_says_how_to_try_it(
    client: httpx.AsyncClient, seeded: str
):
    demo = await discover(client)
    assert f"Demo salon seeded: {SLUG} ({demo.org_id})" in seeded
    for email in (OWNER, PROVIDER, CUSTOMER):
        assert email in seeded
    assert DEMO_PASSWORDS["customer"] in seeded and DEMO_PASSWORDS["owner"] in seeded
    cut = demo.services["Klipning"]["id"]
    assert f"/api/v1/providers/{demo.mette}/slots?service_id={cut}" in seeded
    assert f"/book/{SLUG}\n" in seeded  # the booking page
    page = await client.get(f"/book/{SLUG}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]

    assert sorted(demo.services) == ["Farvning", "Klipning", "Locs vedligehold", "Skægtrim"]
    assert demo.services["Klipning"]["price_minor"] == 45000
    assert demo.services["Klipning"]["currency"] == "DKK"
    assert demo.services["Farvning"]["requires_confirmation"] is True
    providers = (await client.get(f"{API}/orgs/{demo.org_id}/providers")).json()["items"]
    assert sorted(p["display_name"] for p in providers) == ["Jonas", "Mette"]
    hours = (await client.get(f"{API}/providers/{demo.mette}/working-hours")).json()
    assert sorted({w["weekday"] for w in hours["windows"]}) == [1, 2, 3, 4, 5]
    wednesday = [(w["start"], w["end"]) for w in hours["windows"] if w["weekday"] == 3]
    assert wednesday == [("09:00", "12:00"), ("13:30", "18:00")]


async def test_the_demo_customer_books_the_first_haircut_with_mette_this_week(
    client: httpx.AsyncClient, seeded: str
):
    demo = await discover(client)
    cut = demo.services["Klipning"]
    headers = await login(client, CUSTOMER, DEMO_PASSWORDS["customer"])
    me = (await client.get(f"{API}/users/me", headers=headers)).json()

    asked_at = datetime.now(ZONE)
    slots = await week_of_slots(client, demo.mette, cut["id"])
    assert slots, "Mette has no haircut slot in the next 7 days"
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        local = start.astimezone(ZONE)
        assert start.utcoffset() == local.utcoffset(), "slots are in the provider's zone"
        assert asked_at + timedelta(minutes=1440) <= start < asked_at + timedelta(days=7, minutes=1)
        assert local.isoweekday() <= 5, "Mette does not work weekends"
        assert local.minute in (0, 30)
        assert datetime.fromisoformat(slot["end"]) - start == timedelta(minutes=45)

    first = slots[0]
    booking = await book(client, headers, demo.mette, cut["id"], first["start"])
    assert set(booking) == BOOKING_KEYS, "a customer never sees internal_note"
    uuid.UUID(booking["id"])
    assert booking["status"] == "confirmed"
    assert booking["price_minor"] == 45000 and booking["currency"] == "DKK"
    assert booking["start"] == first["start"] and booking["end"] == first["end"]
    assert booking["org_id"] == demo.org_id
    assert booking["provider_id"] == demo.mette and booking["service_id"] == cut["id"]
    assert booking["customer_id"] == me["id"]
    assert booking["sequence"] == 0

    after = await week_of_slots(client, demo.mette, cut["id"])
    assert first["start"] not in [s["start"] for s in after], "a booked slot is still offered"
    own = await client.get(f"{API}/bookings", headers=headers)
    assert own.status_code == 200, own.text
    items = own.json()["items"]
    assert [b["id"] for b in items if b["series_id"] is None] == [booking["id"]]
    # The demo customer also has a course: locs with Jonas every second Tuesday at 10:00.
    course = [b for b in items if b["series_id"] is not None]
    assert len(course) == 4 and len({b["series_id"] for b in course}) == 1
    starts = [datetime.fromisoformat(b["start"]) for b in course]
    assert {
        (s.astimezone(ZONE).isoweekday(), s.astimezone(ZONE).strftime("%H:%M")) for s in starts
    } == {(2, "10:00")}
    days = [s.astimezone(ZONE).date() for s in starts]
    assert [b - a for a, b in itertools.pairwise(days)] == [timedelta(days=14)] * 3


async def test_the_demo_colour_service_books_as_pending(client: httpx.AsyncClient, seeded: str):
    demo = await discover(client)
    colour = demo.services["Farvning"]
    headers = await login(client, CUSTOMER, DEMO_PASSWORDS["customer"])
    slots = await week_of_slots(client, demo.mette, colour["id"])
    assert slots, "Mette has no colouring slot in the next 7 days"
    booking = await book(client, headers, demo.mette, colour["id"], slots[0]["start"])
    assert booking["status"] == "pending"
    assert booking["price_minor"] == 125000 and booking["currency"] == "DKK"
    start = datetime.fromisoformat(booking["start"])
    assert datetime.fromisoformat(booking["end"]) - start == timedelta(minutes=120)
    # Pending holds the slot.
    after = await week_of_slots(client, demo.mette, colour["id"])
    assert slots[0]["start"] not in [s["start"] for s in after]


async def test_the_demo_owner_and_mette_see_the_customers_bookings(
    client: httpx.AsyncClient, seeded: str
):
    demo = await discover(client)
    customer = await login(client, CUSTOMER, DEMO_PASSWORDS["customer"])
    cut, colour = demo.services["Klipning"]["id"], demo.services["Farvning"]["id"]
    haircut = await book(
        client,
        customer,
        demo.mette,
        cut,
        (await week_of_slots(client, demo.mette, cut))[0]["start"],
    )
    colouring = await book(
        client,
        customer,
        demo.mette,
        colour,
        (await week_of_slots(client, demo.mette, colour))[0]["start"],
    )
    expected = {haircut["id"]: "confirmed", colouring["id"]: "pending"}

    owner = await login(client, OWNER, DEMO_PASSWORDS["owner"])
    listed = await client.get(f"{API}/bookings", params={"org_id": demo.org_id}, headers=owner)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert {b["id"]: b["status"] for b in items if b["series_id"] is None} == expected
    assert sum(b["series_id"] is not None for b in items) == 4, "and the demo course"
    assert all("internal_note" in b for b in items), "staff see internal notes"
    assert [b["start"] for b in items] == sorted(b["start"] for b in items)
    pending = await client.get(
        f"{API}/bookings", params={"org_id": demo.org_id, "status": "pending"}, headers=owner
    )
    assert [b["id"] for b in pending.json()["items"]] == [colouring["id"]]

    # Mette logs in with the owner's demo password and sees her own calendar.
    mette = await login(client, PROVIDER, DEMO_PASSWORDS["owner"])
    calendar = await client.get(f"{API}/bookings", params={"org_id": demo.org_id}, headers=mette)
    assert calendar.status_code == 200, calendar.text
    assert {b["id"] for b in calendar.json()["items"]} == set(expected)

    # The customer is no member: the organization's list is closed to them.
    closed = await client.get(f"{API}/bookings", params={"org_id": demo.org_id}, headers=customer)
    assert closed.status_code == 403, closed.text
    assert closed.json()["code"] == "forbidden"


async def test_the_demo_seed_function_returns_the_ids_the_api_shows(
    client: httpx.AsyncClient, db: Any
):
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        seeded = json.loads(
            await conn.fetchval(
                "select private.seed_demo($1, $2)::text",
                DEMO_PASSWORDS["owner"],
                DEMO_PASSWORDS["customer"],
            )
        )
    finally:
        await conn.close()
    demo = await discover(client)
    assert seeded["org_id"] == demo.org_id and seeded["org_slug"] == SLUG
    assert seeded["providers"]["Mette"] == demo.mette
    assert seeded["services"] == {name: s["id"] for name, s in demo.services.items()}
    assert (seeded["owner"], seeded["provider"], seeded["customer"]) == (OWNER, PROVIDER, CUSTOMER)
    await login(client, CUSTOMER, DEMO_PASSWORDS["customer"])


async def test_running_the_demo_again_prints_the_same_ids_and_seeds_nothing(
    client: httpx.AsyncClient, seeded: str, demo_env: str, capsys: pytest.CaptureFixture[str]
):
    code, out, err = await anyio.to_thread.run_sync(run_cli, capsys, "demo")
    assert code == 0, err
    assert "Traceback" not in out + err
    assert "Demo salon exists: " in out
    exports = [line.strip() for line in out.splitlines() if line.strip().startswith("export ")]
    assert exports and exports == [
        line.strip() for line in seeded.splitlines() if line.strip().startswith("export ")
    ]
    demo = await discover(client)
    assert f"METTE={demo.mette}" in exports[0] and f"ORG={demo.org_id}" in exports[0]
    assert f"KLIPNING={demo.services['Klipning']['id']}" in exports[1]
    assert f"SKAEGTRIM={demo.services['Skægtrim']['id']}" in exports[1]

    conn = await asyncpg.connect(demo_env)
    try:
        orgs = await conn.fetchval("select count(*) from app.organizations")
        users = await conn.fetchval(
            "select count(*) from auth.users where email::text like '%@salon-norrebro.example'"
        )
    finally:
        await conn.close()
    assert (orgs, users) == (1, 3), "the second run seeded something"
    await login(client, CUSTOMER, DEMO_PASSWORDS["customer"])


async def test_make_run_seeds_the_demo_only_into_an_empty_database(
    client: httpx.AsyncClient, db: Any, make_account: Any
):
    first = await seed_demo(db.admin_dsn, only_if_empty=True)
    assert first is not None and first["org_slug"] == SLUG
    assert await seed_demo(db.admin_dsn, only_if_empty=True) is None
    assert (await discover(client)).org_id == first["org_id"]


async def test_make_run_leaves_a_database_with_organizations_alone(
    client: httpx.AsyncClient, db: Any, make_account: Any
):
    alma = await make_account("alma")
    created = await client.post(
        f"{API}/orgs", json={"slug": "almas", "name": "Alma's"}, headers=alma.headers
    )
    assert created.status_code == 201, created.text
    assert await seed_demo(db.admin_dsn, only_if_empty=True) is None
    missing = await client.get(f"{API}/orgs/{SLUG}")
    assert missing.status_code == 404


async def test_the_demo_prints_mettes_calendar_feed_and_the_salon_shares_two_chairs(
    client: httpx.AsyncClient, seeded: str
):
    demo = await discover(client)
    feed = re.search(r"(/api/v1/providers/[0-9a-f-]+/calendar\.ics\?token=\S+)", seeded)
    assert feed, seeded
    answer = await client.get(feed.group(1))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    assert f"/providers/{demo.mette}/" in feed.group(1)
    owner = await login(client, OWNER, DEMO_PASSWORDS["owner"])
    listed = await client.get(f"{API}/orgs/{demo.org_id}/resources", headers=owner)
    assert listed.status_code == 200, listed.text
    kinds = sorted(r["kind"] for r in listed.json()["items"])
    assert kinds == ["basin", "chair", "chair"]
    colour = await client.get(f"{API}/services/{demo.services['Farvning']['id']}")
    needs = {(n["kind"], n["count"]) for n in colour.json()["resource_requirements"]}
    assert needs == {("chair", 1), ("basin", 1)}
