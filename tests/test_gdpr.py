"""GDPR over HTTP: export, erasure, consents, the audit trail's routes, and retention.

Accounts register and log in through the API; the salon around them (organization, providers,
services, hours) is inserted as the superuser. Bookings, notes and consents are made through the
API, so every trace they leave is one a real request leaves. The erasure tests then search every
text and JSON column of the database for what the person wrote or was called.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.bookings import API, Seed, local

pytestmark = pytest.mark.anyio

ZONE = "Europe/Copenhagen"
SCHEMAS = ("auth", "app", "audit", "gdpr", "outbox", "private")
TEXT_COLUMNS = """
select c.table_schema, c.table_name, c.column_name
from information_schema.columns c
join information_schema.tables t
  on t.table_schema = c.table_schema and t.table_name = c.table_name
where t.table_type = 'BASE TABLE'
  and c.table_schema = any ($1::text[])
  and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
       or c.udt_name = 'citext')
order by 1, 2, 3
"""
SECRET_SHAPES = {
    "bcrypt hash": re.compile(r"\$2[abxy]\$"),
    "sha256 hex digest": re.compile(r"(?i)(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])"),
    "base64url token": re.compile(r"[A-Za-z0-9_-]{40,}"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"),
}
SECRET_KEY = re.compile(r"(?i)hash|token|secret|password|claims")


def day_ahead(days: int) -> date:
    return date.today() + timedelta(days=days)


def at(days: int, hhmm: str) -> str:
    return local(day_ahead(days), hhmm, ZONE)


def strings(value: Any) -> Iterator[str]:
    """Every key and every string value in a JSON document, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def occurrences(conn: asyncpg.Connection, values: list[str]) -> dict[str, list[str]]:
    """For each value, the columns (schema.table.column) whose text holds it, ignoring case."""
    found: dict[str, list[str]] = {value: [] for value in values}
    for row in await conn.fetch(TEXT_COLUMNS, list(SCHEMAS)):
        schema, table, column = (
            '"' + row[name].replace('"', '""') + '"'
            for name in ("table_schema", "table_name", "column_name")
        )
        hits = await conn.fetch(
            f"select v from unnest($1::text[]) v where exists (select 1 from {schema}.{table} t"
            f" where strpos(lower(t.{column}::text), lower(v)) > 0)",
            values,
        )
        for hit in hits:
            found[hit["v"]].append(
                f"{row['table_schema']}.{row['table_name']}.{row['column_name']}"
            )
    return found


@dataclass
class Salon:
    """Olga owns the salon (staff+: notes, bookings for customers); Ada is its admin and Stig
    its staff. Provider `desk` offers `cut` (60 minutes, 450.00 DKK) every day 08:00-18:00."""

    client: httpx.AsyncClient
    seed: Seed
    make_account: Any
    olga: Any
    ada: Any
    stig: Any
    org: str
    desk: str
    cut: str

    async def book(self, who: Any, days: int, hhmm: str, **extra: Any) -> dict[str, Any]:
        headers = dict(who.headers if hasattr(who, "headers") else who)
        if key := extra.pop("key", None):
            headers["Idempotency-Key"] = key
        body = {"provider_id": self.desk, "service_id": self.cut, "start": at(days, hhmm), **extra}
        response = await self.client.post(f"{API}/bookings", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def totals(self) -> tuple[int, int]:
        row = await self.seed.conn.fetchrow(
            "select count(*) as n, coalesce(sum(price_minor), 0) as revenue"
            " from app.bookings where org_id = $1",
            self.org,
        )
        return int(row["n"]), int(row["revenue"])


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, db: Any) -> AsyncIterator[Salon]:
    seed = await Seed.connect(db.admin_dsn)
    try:
        olga = await make_account("olga", full_name="Olga Owner")
        ada = await make_account("ada", full_name="Ada Admin")
        stig = await make_account("stig", full_name="Stig Staff")
        org = await seed.org()
        await seed.member(org, olga.id, "owner")
        await seed.member(org, ada.id, "admin")
        await seed.member(org, stig.id, "staff")
        desk = await seed.provider(org)
        cut = await seed.service(org, [desk], duration=60, price_minor=45000)
        await seed.hours(desk, range(1, 8), "08:00", "18:00")
        yield Salon(client, seed, make_account, olga, ada, stig, org, desk, cut)
    finally:
        await seed.close()


async def make_platform_admin(salon: Salon, handle: str = "root") -> Any:
    admin = await salon.make_account(handle)
    await salon.seed.conn.execute(
        "update auth.users set is_platform_admin = true where id = $1", admin.id
    )
    return admin


async def login(client: httpx.AsyncClient, email: str, password: str, **headers: str):
    return await client.post(
        f"{API}/auth/login", json={"email": email, "password": password}, headers=headers
    )


# ---------------------------------------------------------------------------------------------
# Erasure

NAME = "Alma Erasmussen-Gdpr"
NOTE = "Lavender shampoo for my curls, please"
CANCEL_REASON = "Down with a fever this week"
INTERNAL = "Sensitive scalp, patch test before colouring"
AGENT = "AlmaPhone/7.1 (erasure test)"
BIO = "Twenty years of braids in Aarhus"
TIME_OFF = "Hospital appointment for knee"


@dataclass
class Person:
    """Alma with everything slotbase can hold about her, and what to search for afterwards."""

    account: Any
    tokens: dict[str, Any]
    booking_ids: list[str]
    values: list[str]


async def alma_everywhere(salon: Salon) -> Person:
    """Alma: customer of the salon (two bookings of her own, one booked for her by staff, a
    cancellation, notes), provider in a second organization (bio, time off), a failed login, a
    consent, a password-reset email, a session on her phone."""
    client = salon.client
    alma = await salon.make_account("alma", full_name=NAME)
    phone = await login(client, alma.email, alma.password, **{"User-Agent": AGENT})
    assert phone.status_code == 200, phone.text
    tokens = phone.json()
    wrong = await login(client, alma.email, "not-her-password")
    assert wrong.status_code == 401, wrong.text

    first = await salon.book(bearer(tokens), 5, "10:00", customer_note=NOTE, key="alma-key-1")
    second = await salon.book(bearer(tokens), 6, "11:00", customer_note=NOTE)
    by_staff = await salon.book(
        salon.olga, 7, "12:00", customer_id=alma.id, customer_note=NOTE, key="olga-for-alma"
    )
    cancelled = await client.post(
        f"{API}/bookings/{second['id']}/cancel",
        json={"reason": CANCEL_REASON},
        headers=bearer(tokens),
    )
    assert cancelled.status_code == 200, cancelled.text
    noted = await client.patch(
        f"{API}/bookings/{first['id']}",
        json={"internal_note": INTERNAL},
        headers=salon.olga.headers,
    )
    assert noted.status_code == 200, noted.text
    consent = await client.post(
        f"{API}/users/me/consents",
        json={"granted": True, "policy_version": "2026-01"},
        headers=bearer(tokens),
    )
    assert consent.status_code == 200, consent.text
    reset = await client.post(f"{API}/auth/password-reset/request", json={"email": alma.email})
    assert reset.status_code == 202, reset.text

    # A provider profile in another organization, under her own name, with a bio and time off.
    seed = salon.seed
    other_org = await seed.org()
    await seed.member(other_org, alma.id, "provider")
    profile = await seed.conn.fetchval(
        "insert into app.providers (org_id, user_id, display_name, bio) values ($1, $2, $3, $4)"
        " returning id",
        other_org,
        alma.id,
        NAME,
        BIO,
    )
    created = await client.post(
        f"{API}/providers/{profile}/time-off",
        json={"starts_at": at(8, "09:00"), "ends_at": at(8, "12:00"), "reason": TIME_OFF},
        headers=bearer(tokens),
    )
    assert created.status_code == 201, created.text

    values = [alma.email, NAME, NOTE, CANCEL_REASON, INTERNAL, AGENT, BIO, TIME_OFF]
    return Person(alma, tokens, [first["id"], second["id"], by_staff["id"]], values)


async def assert_erased(salon: Salon, person: Person, before: tuple[int, int]) -> None:
    client, conn, alma = salon.client, salon.seed.conn, person.account
    leftovers = {value: where for value, where in (await occurrences(conn, person.values)).items()}
    assert all(not where for where in leftovers.values()), leftovers

    assert await salon.totals() == before, "the salon's booking count or revenue changed"
    statuses = await conn.fetch(
        "select id::text, status::text, customer_id::text from app.bookings"
        " where id = any ($1::uuid[]) order by starts_at",
        person.booking_ids,
    )
    assert [row["status"] for row in statuses] == ["confirmed", "cancelled", "confirmed"]
    assert {row["customer_id"] for row in statuses} == {alma.id}

    assert_problem(await login(client, alma.email, alma.password), 401, "invalid_credentials")
    for tokens in (alma.tokens, person.tokens):
        assert_problem(
            await client.get(f"{API}/users/me", headers=bearer(tokens)), 401, "session_revoked"
        )
        again = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert again.status_code == 401, again.text
    sessions = await conn.fetch(
        "select revoked_at, user_agent, ip from auth.sessions where user_id = $1", alma.id
    )
    assert sessions and all(s["revoked_at"] is not None for s in sessions)
    assert all(s["user_agent"] is None and s["ip"] is None for s in sessions)
    assert (
        await conn.fetchval("select count(*) from auth.refresh_tokens where user_id = $1", alma.id)
        == 0
    )
    assert (
        await conn.fetchval("select count(*) from auth.one_time_tokens where user_id = $1", alma.id)
        == 0
    )
    pending = await conn.fetchval(
        "select count(*) from outbox.messages where recipient_id = $1 and status = 'pending'",
        alma.id,
    )
    assert pending == 0, "a message to the erased person could still be sent"
    user = await conn.fetchrow(
        "select email::text, full_name, password_hash, deleted_at from auth.users where id = $1",
        alma.id,
    )
    assert user["email"].endswith("@erased.invalid") and user["full_name"] == ""
    assert user["password_hash"] is None and user["deleted_at"] is not None
    # The trail stays: what happened to her bookings, and who did it.
    kept = await conn.fetchval(
        "select count(*) from audit.log where subject_user_id = $1 and actor_id is not null",
        alma.id,
    )
    assert kept > 0


async def test_deleting_my_account_leaves_no_personal_data_anywhere(salon: Salon):
    person = await alma_everywhere(salon)
    found = await occurrences(salon.seed.conn, person.values)
    assert all(found.values()), f"the search must find every value before erasure: {found}"
    before = await salon.totals()

    response = await salon.client.delete(
        f"{API}/users/me", headers={**bearer(person.tokens), "X-Request-ID": "erase-alma-self"}
    )
    assert response.status_code == 204, response.text
    await assert_erased(salon, person, before)
    assert response.headers["x-request-id"] != "erase-alma-self"
    actor = await salon.seed.conn.fetchval(
        "select actor_id::text from audit.log where table_name = 'auth.users'"
        " and row_id = $1 and request_id = $2",
        person.account.id,
        response.headers["x-request-id"],
    )
    assert actor == person.account.id


async def test_a_platform_admin_anonymizes_a_user_leaving_no_personal_data(salon: Salon):
    person = await alma_everywhere(salon)
    admin = await make_platform_admin(salon)
    before = await salon.totals()

    refused = await salon.client.post(
        f"{API}/users/{person.account.id}/anonymize", headers=salon.olga.headers
    )
    assert_problem(refused, 403, "forbidden")
    response = await salon.client.post(
        f"{API}/users/{person.account.id}/anonymize",
        headers={**admin.headers, "X-Request-ID": "anonymize-alma"},
    )
    assert response.status_code == 204, response.text
    await assert_erased(salon, person, before)
    actor = await salon.seed.conn.fetchval(
        "select actor_id::text from audit.log where table_name = 'auth.users'"
        " and row_id = $1 and request_id = $2",
        person.account.id,
        response.headers["x-request-id"],
    )
    assert actor == admin.id
    again = await salon.client.post(
        f"{API}/users/{person.account.id}/anonymize", headers=admin.headers
    )
    assert again.status_code == 204, "anonymizing twice is harmless"
    unknown = await salon.client.post(
        f"{API}/users/00000000-0000-4000-8000-000000000000/anonymize", headers=admin.headers
    )
    assert_problem(unknown, 404, "not_found")


async def test_erasing_a_provider_keeps_the_profile_under_a_placeholder(salon: Salon):
    person = await alma_everywhere(salon)
    response = await salon.client.delete(f"{API}/users/me", headers=bearer(person.tokens))
    assert response.status_code == 204, response.text
    profile = await salon.seed.conn.fetchrow(
        "select display_name, bio, active from app.providers where user_id = $1",
        person.account.id,
    )
    assert (profile["display_name"], profile["bio"]) == ("Former provider", "")
    reasons = await salon.seed.conn.fetch(
        "select t.reason from app.time_off t join app.providers p on p.id = t.provider_id"
        " where p.user_id = $1",
        person.account.id,
    )
    assert [row["reason"] for row in reasons] == [""]


# ---------------------------------------------------------------------------------------------
# Export


async def test_my_export_holds_everything_about_me_and_nothing_secret_or_of_others(salon: Salon):
    person = await alma_everywhere(salon)
    client = salon.client
    rotated = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": person.tokens["refresh_token"]}
    )
    assert rotated.status_code == 200, rotated.text
    tokens = rotated.json()
    bo = await salon.make_account("bo", full_name="Bo Bystander-Other")
    bo_booking = await salon.book(bo, 5, "14:00", customer_note="Bo's own private remark")

    response = await client.get(f"{API}/users/me/export", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    export = response.json()

    assert export["account"]["id"] == person.account.id
    assert export["account"]["email"] == person.account.email
    assert export["account"]["full_name"] == NAME
    assert AGENT in {s["user_agent"] for s in export["sessions"]}
    assert len(export["failed_logins"]) == 1
    assert {b["id"] for b in export["bookings_as_customer"]} == set(person.booking_ids)
    assert {b["customer_note"] for b in export["bookings_as_customer"]} == {NOTE}
    assert CANCEL_REASON in {b["cancel_reason"] for b in export["bookings_as_customer"]}
    assert all(b["history"] for b in export["bookings_as_customer"])
    assert [n["internal_note"] for n in export["notes_about_them"]] == [INTERNAL]
    assert [p["display_name"] for p in export["provider_profiles"]] == [NAME]
    assert export["provider_profiles"][0]["bio"] == BIO
    assert [t["reason"] for t in export["provider_profiles"][0]["time_off"]] == [TIME_OFF]
    assert [(c["purpose"], c["granted"], c["policy_version"]) for c in export["consents"]] == [
        ("marketing", True, "2026-01")
    ]
    assert {m["kind"] for m in export["messages"]} >= {"booking_created", "password_reset"}
    assert export["audit"], "the export holds the audit entries about her"
    assert {entry["table_name"] for entry in export["audit"]} >= {
        "auth.users", "app.bookings", "app.booking_notes", "app.providers", "app.time_off",
        "gdpr.consents",
    }  # fmt: skip

    for text in strings(export):
        for shape, pattern in SECRET_SHAPES.items():
            assert not pattern.search(text), f"{shape} in the export: {text!r}"
    keys = {key for key in _keys(export)}
    assert not {key for key in keys if SECRET_KEY.search(key)}, keys
    document = response.text
    for token in (tokens["access_token"], tokens["refresh_token"], person.tokens["refresh_token"]):
        assert token not in document
    for of_bo in (
        bo.email,
        bo.id,
        "Bo Bystander-Other",
        bo_booking["id"],
        "Bo's own private remark",
    ):
        assert of_bo not in document, f"Alma's export holds {of_bo!r} of Bo"


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


async def test_platform_admins_export_any_user_and_nobody_else_does(salon: Salon):
    alma = await salon.make_account("alma", full_name=NAME)
    admin = await make_platform_admin(salon)
    client = salon.client

    response = await client.get(f"{API}/users/{alma.id}/export", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["account"]["email"] == alma.email
    assert "bookings_as_provider" in response.json()

    assert_problem(
        await client.get(f"{API}/users/{alma.id}/export", headers=salon.olga.headers),
        403,
        "forbidden",
    )
    assert_problem(
        await client.get(f"{API}/users/{admin.id}/export", headers=alma.headers), 403, "forbidden"
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(
        await client.get(f"{API}/users/{unknown}/export", headers=admin.headers), 404, "not_found"
    )
    assert_problem(await client.get(f"{API}/users/me/export"), 401, "unauthorized")


# ---------------------------------------------------------------------------------------------
# Consents


async def test_marketing_consent_is_given_withdrawn_exported_and_audited(salon: Salon):
    alma = await salon.make_account("alma")
    client = salon.client
    empty = await client.get(f"{API}/users/me/consents", headers=alma.headers)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {"marketing": None, "items": [], "next_cursor": None}

    given = await client.post(
        f"{API}/users/me/consents",
        json={"granted": True, "policy_version": "2026-01"},
        headers={**alma.headers, "X-Request-ID": "consent-given"},
    )
    assert given.status_code == 200, given.text
    assert given.headers["x-request-id"] != "consent-given"
    body = given.json()
    assert (body["purpose"], body["granted"], body["policy_version"]) == (
        "marketing", True, "2026-01",
    )  # fmt: skip
    assert datetime.fromisoformat(body["at"].replace("Z", "+00:00"))

    withdrawn = await client.post(
        f"{API}/users/me/consents",
        json={"granted": False, "policy_version": "2026-02"},
        headers={**alma.headers, "X-Request-ID": "consent-withdrawn"},
    )
    assert withdrawn.status_code == 200, withdrawn.text

    listed = (await client.get(f"{API}/users/me/consents", headers=alma.headers)).json()
    assert listed["marketing"]["granted"] is False
    assert listed["marketing"]["policy_version"] == "2026-02"
    assert [(c["granted"], c["policy_version"]) for c in listed["items"]] == [
        (False, "2026-02"), (True, "2026-01"),
    ]  # fmt: skip

    export = (await client.get(f"{API}/users/me/export", headers=alma.headers)).json()
    assert [(c["granted"], c["policy_version"]) for c in export["consents"]] == [
        (True, "2026-01"), (False, "2026-02"),
    ]  # fmt: skip
    rows = await salon.seed.conn.fetch(
        "select request_id, actor_id::text, new_values from audit.log"
        " where table_name = 'gdpr.consents' order by id"
    )
    assert [(r["request_id"], r["actor_id"]) for r in rows] == [
        (given.headers["x-request-id"], alma.id), (withdrawn.headers["x-request-id"], alma.id),
    ]  # fmt: skip
    assert [json.loads(r["new_values"])["granted"] for r in rows] == [True, False]

    for bad in (
        {"granted": True},
        {"policy_version": "2026-03"},
        {"granted": True, "policy_version": ""},
    ):
        response = await client.post(f"{API}/users/me/consents", json=bad, headers=alma.headers)
        assert response.status_code == 422, (bad, response.text)
    assert_problem(
        await client.post(
            f"{API}/users/me/consents",
            json={"granted": True, "policy_version": "v", "user_id": salon.olga.id},
            headers=alma.headers,
        ),
        422,
        "unknown_field",
    )
    assert_problem(
        await client.post(
            f"{API}/users/me/consents", json={"granted": True, "policy_version": "v"}
        ),
        401,
        "unauthorized",
    )


# ---------------------------------------------------------------------------------------------
# The audit trail over HTTP


async def test_audit_entries_carry_the_actor_and_the_request_id_the_server_made(salon: Salon):
    client = salon.client
    alma = await salon.make_account("alma")
    response = await client.post(
        f"{API}/orgs",
        json={"slug": "alma-studio", "name": "Alma's Studio"},
        headers={**alma.headers, "X-Request-ID": "create-alma-studio"},
    )
    assert response.status_code == 201, response.text
    minted = response.headers["x-request-id"]
    assert minted != "create-alma-studio"
    org = response.json()["id"]
    booking = await salon.book(alma, 5, "10:00")
    # With no X-Request-ID sent, too, the server's id is the one recorded.
    generated = await client.patch(
        f"{API}/bookings/{booking['id']}", json={"customer_note": "Hi"}, headers=alma.headers
    )
    assert generated.status_code == 200, generated.text

    rows = await salon.seed.conn.fetch(
        "select table_name, action, actor_id::text, request_id, row_id from audit.log"
        " where actor_id = $1 order by id",
        alma.id,
    )
    made = [(r["table_name"], r["action"], r["request_id"]) for r in rows]
    assert ("app.organizations", "insert", minted) in made
    assert ("app.memberships", "insert", minted) in made
    notes = [r for r in rows if r["table_name"] == "app.bookings" and r["action"] == "update"]
    assert [r["request_id"] for r in notes] == [generated.headers["x-request-id"]]
    assert {r["row_id"] for r in rows if r["table_name"] == "app.organizations"} == {org}


async def test_owners_and_admins_page_through_their_organizations_trail(salon: Salon):
    client = salon.client
    renames = []
    for n in range(3):
        renamed = await client.patch(
            f"{API}/orgs/{salon.org}", json={"name": f"Salon {n}"}, headers=salon.olga.headers
        )
        assert renamed.status_code == 200, renamed.text
        renames.append(renamed.headers["x-request-id"])
    total = await salon.seed.conn.fetchval(
        "select count(*) from audit.log where org_id = $1", salon.org
    )

    for who in (salon.olga, salon.ada):
        first = await client.get(
            f"{API}/orgs/{salon.org}/audit", params={"limit": "2"}, headers=who.headers
        )
        assert first.status_code == 200, first.text
        page = first.json()
        assert [item["request_id"] for item in page["items"]] == [renames[2], renames[1]]
        assert page["items"][0]["actor_id"] == salon.olga.id
        assert page["items"][0]["old_values"]["name"] == "Salon 1"
        assert page["items"][0]["new_values"]["name"] == "Salon 2"
        seen = [item["id"] for item in page["items"]]
        while page["next_cursor"]:
            response = await client.get(
                f"{API}/orgs/{salon.org}/audit",
                params={"limit": "2", "cursor": page["next_cursor"]},
                headers=who.headers,
            )
            assert response.status_code == 200, response.text
            page = response.json()
            seen += [item["id"] for item in page["items"]]
        assert len(seen) == len(set(seen)) == total
        assert all(isinstance(i, int) for i in seen) and seen == sorted(seen, reverse=True)

    outsider = await salon.make_account("outsider")
    for who in (salon.stig, outsider):
        refused = await client.get(f"{API}/orgs/{salon.org}/audit", headers=who.headers)
        assert refused.status_code in (403, 404), refused.text
    assert_problem(await client.get(f"{API}/orgs/{salon.org}/audit"), 401, "unauthorized")
    bad = await client.get(
        f"{API}/orgs/{salon.org}/audit", params={"cursor": "nonsense"}, headers=salon.olga.headers
    )
    assert_problem(bad, 422, "validation_failed")


async def test_only_platform_admins_read_a_users_trail(salon: Salon):
    client = salon.client
    admin = await make_platform_admin(salon)
    changed = await client.patch(
        f"{API}/users/me",
        json={"full_name": "Olga O."},
        headers={**salon.olga.headers, "X-Request-ID": "olga-renames-herself"},
    )
    assert changed.status_code == 200, changed.text

    response = await client.get(f"{API}/users/{salon.olga.id}/audit", headers=admin.headers)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0]["request_id"] == changed.headers["x-request-id"] != "olga-renames-herself"
    assert items[0]["new_values"]["full_name"] == "Olga O."
    assert all(salon.olga.id in (item["subject_user_id"], item["actor_id"]) for item in items)
    for who in (salon.olga, salon.ada):
        assert_problem(
            await client.get(f"{API}/users/{salon.olga.id}/audit", headers=who.headers),
            403,
            "forbidden",
        )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(
        await client.get(f"{API}/users/{unknown}/audit", headers=admin.headers), 404, "not_found"
    )


# ---------------------------------------------------------------------------------------------
# Retention


PURGE_KEYS = {
    "inactive_accounts", "audit_entries", "sessions", "refresh_tokens", "one_time_tokens",
    "login_failures", "idempotency_keys", "outbox_messages",
}  # fmt: skip
NOTHING = dict.fromkeys(PURGE_KEYS, 0)


async def purge(conn: asyncpg.Connection) -> dict[str, int]:
    counts = json.loads(await conn.fetchval("select gdpr.purge_expired()"))
    assert set(counts) == PURGE_KEYS
    return counts


async def test_purge_applies_each_retention_period_once(salon: Salon):
    conn, client = salon.seed.conn, salon.client
    alma = await salon.make_account("alma", full_name=NAME)
    admin = await make_platform_admin(salon)
    await salon.book(alma, 3, "10:00", customer_note=NOTE, key="alma-key")
    assert (await client.post(f"{API}/auth/logout", headers=alma.headers)).status_code == 204
    assert (await login(client, alma.email, "wrong-password-here")).status_code == 401
    await conn.execute(
        "insert into outbox.messages (message_id, kind, recipient_id, recipient_email, status,"
        " sent_at) values ('sent-1@test', 'booking_created', $1, $2, 'sent', now())",
        alma.id,
        alma.email,
    )
    now = await conn.fetchval("select now()")
    sessions = await conn.fetchval("select count(*) from auth.sessions")
    refresh_tokens = await conn.fetchval("select count(*) from auth.refresh_tokens")
    entries = await conn.fetchval("select count(*) from audit.log")

    async def at_day(days: int) -> None:
        await salon.seed.freeze(now + timedelta(days=days))

    await at_day(10)
    assert await purge(conn) == NOTHING, "nothing is old enough yet"

    # Sessions last 30 days and are kept 90 more; failed logins and idempotency keys 30 days.
    await at_day(125)
    counts = await purge(conn)
    assert counts == {
        **NOTHING,
        "sessions": sessions,
        "refresh_tokens": refresh_tokens,
        "login_failures": 1,
        "idempotency_keys": 1,
    }
    assert await purge(conn) == NOTHING, "a second run purges nothing"

    await at_day(200)
    messages = await conn.fetchval(
        "select count(*) from outbox.messages where status in ('sent', 'failed')"
    )
    assert messages >= 1
    assert await purge(conn) == {**NOTHING, "outbox_messages": messages}
    assert await purge(conn) == NOTHING

    # Alma's booking ended three days after the start: 1095 days later she is inactive. The
    # salon's staff and the platform admin are never purged as inactive.
    await at_day(1097)
    assert await purge(conn) == NOTHING
    await at_day(1100)
    # Erasure fails the messages still waiting for her; being old, they go in the same run.
    waiting = await conn.fetchval(
        "select count(*) from outbox.messages where recipient_id = $1", alma.id
    )
    assert await purge(conn) == {**NOTHING, "inactive_accounts": 1, "outbox_messages": waiting}
    assert await purge(conn) == NOTHING
    erased = await conn.fetch("select id::text from auth.users where deleted_at is not null")
    assert [row["id"] for row in erased] == [alma.id]
    assert admin.id not in [row["id"] for row in erased]
    leftovers = await occurrences(conn, [alma.email, NAME, NOTE])
    assert not any(leftovers.values()), leftovers

    # Audit entries are kept five years; the entries of the erasure itself are younger.
    erasure_entries = await conn.fetchval(
        "select count(*) from audit.log where at > $1", now + timedelta(days=1000)
    )
    await at_day(1900)
    counts = await purge(conn)
    assert counts == {**NOTHING, "audit_entries": entries}
    assert await conn.fetchval("select count(*) from audit.log") == erasure_entries
    assert await purge(conn) == NOTHING


async def test_an_empty_retention_period_keeps_data_forever(salon: Salon):
    conn = salon.seed.conn
    await salon.make_account("alma")
    await conn.execute("update private.settings set value = '' where name like 'retention\\_%'")
    await salon.seed.freeze(datetime.now().astimezone() + timedelta(days=10000))
    assert await purge(conn) == NOTHING
    assert await conn.fetchval("select count(*) from audit.log") > 0
    await conn.execute(
        "update private.settings set value = '1' where name = 'retention_audit_days'"
    )
    counts = await purge(conn)
    assert (
        counts["audit_entries"] > 0 and await conn.fetchval("select count(*) from audit.log") == 0
    )
