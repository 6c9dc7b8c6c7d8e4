"""Password reset and email verification over HTTP (API.md "Accounts and sessions").

Tokens are read from the outbox, where the email that carries them waits for the worker. They
are single-purpose and single-use, expire, are stored hashed, and are never access tokens; the
reset request answers the same 202 whether or not the account exists.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import Account

pytestmark = pytest.mark.anyio

API = "/api/v1"
NEW_PASSWORD = "copper-lantern-meadow"
# Headers that differ between any two answers, whatever they answer.
VOLATILE_HEADERS = {"date", "x-request-id"}


async def outbox(db: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        return await conn.fetch("select * from outbox.messages order by id")
    finally:
        await conn.close()


async def token_for(db: Any, kind: str, email: str) -> str:
    rows = [m for m in await outbox(db) if m["kind"] == kind and m["recipient_email"] == email]
    assert rows, f"no {kind} message to {email}"
    return str(json.loads(rows[-1]["payload"])["token"])


async def request_reset(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post(f"{API}/auth/password-reset/request", json={"email": email})


async def confirm_reset(client: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    body = {"token": token, "new_password": password}
    return await client.post(f"{API}/auth/password-reset/confirm", json=body)


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def comparable(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE_HEADERS}
    return response.status_code, response.content, headers


async def test_a_reset_request_answers_the_same_202_for_known_and_unknown_addresses(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    alma = await make_account("alma")

    known = await request_reset(client, alma.email)
    unknown = await request_reset(client, "nobody@example.com")
    malformed = await request_reset(client, "not an address")

    assert known.status_code == 202 and known.content == b""
    assert comparable(known) == comparable(unknown) == comparable(malformed)
    messages = await outbox(db)
    assert [(m["kind"], m["recipient_email"]) for m in messages] == [("password_reset", alma.email)]
    assert messages[0]["locale"] == "da"


async def test_a_reset_sets_the_password_and_ends_every_session(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    alma: Account = await make_account("alma")
    other_device = (
        await client.post(
            f"{API}/auth/login", json={"email": alma.email, "password": alma.password}
        )
    ).json()
    await request_reset(client, alma.email)
    token = await token_for(db, "password_reset", alma.email)

    done = await confirm_reset(client, token, NEW_PASSWORD)

    assert done.status_code == 204, done.text
    me = await client.get(f"{API}/users/me", headers=alma.headers)
    assert_problem(me, 401, "session_revoked")
    refreshed = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
    )
    assert_problem(refreshed, 401, "session_revoked")
    old = await client.post(
        f"{API}/auth/login", json={"email": alma.email, "password": alma.password}
    )
    assert_problem(old, 401, "invalid_credentials")
    new = await client.post(
        f"{API}/auth/login", json={"email": alma.email, "password": NEW_PASSWORD}
    )
    assert new.status_code == 200, new.text
    assert new.json()["user"]["email_verified"] is True  # the link came through her mailbox


async def test_a_reset_token_works_once(client: httpx.AsyncClient, make_account: Any, db: Any):
    alma = await make_account("alma")
    await request_reset(client, alma.email)
    token = await token_for(db, "password_reset", alma.email)
    assert (await confirm_reset(client, token, NEW_PASSWORD)).status_code == 204

    again = await confirm_reset(client, token, "another-fresh-phrase")

    assert_problem(again, 400, "invalid_token")


async def test_an_expired_reset_token_is_refused(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    alma = await make_account("alma")
    await request_reset(client, alma.email)
    token = await token_for(db, "password_reset", alma.email)
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        expires = await conn.fetchval(
            "select expires_at - created_at from auth.one_time_tokens"
            " where purpose = 'password_reset'"
        )
        await conn.execute(
            "update auth.one_time_tokens set expires_at = now() - interval '1 second'"
        )
    finally:
        await conn.close()
    assert expires.total_seconds() == 3600

    late = await confirm_reset(client, token, NEW_PASSWORD)

    assert_problem(late, 400, "invalid_token")


async def test_an_unknown_token_is_refused(client: httpx.AsyncClient, make_account: Any):
    await make_account("alma")
    assert_problem(await confirm_reset(client, "made-up-token", NEW_PASSWORD), 400, "invalid_token")
    confirm = await client.post(f"{API}/auth/verify-email/confirm", json={"token": "made-up-token"})
    assert_problem(confirm, 400, "invalid_token")


async def test_a_weak_new_password_is_refused_and_the_token_stays_usable(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    alma = await make_account("alma")
    await request_reset(client, alma.email)
    token = await token_for(db, "password_reset", alma.email)

    for weak in ("short", "password123", "alma@example.com"):
        assert_problem(await confirm_reset(client, token, weak), 422, "weak_password")

    assert (await confirm_reset(client, token, NEW_PASSWORD)).status_code == 204


async def test_tokens_serve_one_purpose_only(client: httpx.AsyncClient, make_account: Any, db: Any):
    alma = await make_account("alma")
    verify = await client.post(f"{API}/auth/verify-email/request", headers=alma.headers)
    assert verify.status_code == 202
    await request_reset(client, alma.email)
    verification = await token_for(db, "email_verification", alma.email)
    reset = await token_for(db, "password_reset", alma.email)

    assert_problem(await confirm_reset(client, verification, NEW_PASSWORD), 400, "invalid_token")
    confirm = await client.post(f"{API}/auth/verify-email/confirm", json={"token": reset})
    assert_problem(confirm, 400, "invalid_token")
    # Neither was spent by the wrong use.
    assert (await confirm_reset(client, reset, NEW_PASSWORD)).status_code == 204
    confirm = await client.post(f"{API}/auth/verify-email/confirm", json={"token": verification})
    assert confirm.status_code == 204


async def test_a_reset_or_verification_token_is_never_an_access_token(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    alma = await make_account("alma")
    await client.post(f"{API}/auth/verify-email/request", headers=alma.headers)
    await request_reset(client, alma.email)

    for kind in ("password_reset", "email_verification"):
        token = await token_for(db, kind, alma.email)
        me = await client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(me, 401, "malformed_token")


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, make_account: Any, db: Any):
    alma = await make_account("alma")
    await request_reset(client, alma.email)
    token = await token_for(db, "password_reset", alma.email)
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        row = await conn.fetchrow("select * from auth.one_time_tokens")
        digest = await conn.fetchval("select sha256(convert_to($1, 'UTF8'))", token)
    finally:
        await conn.close()
    assert row["token_hash"] == digest
    assert token.encode() not in b"".join(str(v).encode() for v in row.values())


async def test_verifying_an_email_needs_a_login_and_then_the_emailed_token(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    eddie = await make_account("eddie", locale="en")
    assert eddie.user["email_verified"] is False

    anon = await client.post(f"{API}/auth/verify-email/request")
    assert_problem(anon, 401, "unauthorized")

    asked = await client.post(f"{API}/auth/verify-email/request", headers=eddie.headers)
    assert asked.status_code == 202 and asked.content == b""
    [message] = await outbox(db)
    assert (message["kind"], message["recipient_email"], message["locale"]) == (
        "email_verification",
        eddie.email,
        "en",
    )
    token = json.loads(message["payload"])["token"]

    confirmed = await client.post(f"{API}/auth/verify-email/confirm", json={"token": token})
    assert confirmed.status_code == 204, confirmed.text
    me = await client.get(f"{API}/users/me", headers=eddie.headers)
    assert me.json()["email_verified"] is True

    again = await client.post(f"{API}/auth/verify-email/confirm", json={"token": token})
    assert_problem(again, 400, "invalid_token")
    # A verified address gets no further verification emails.
    await client.post(f"{API}/auth/verify-email/request", headers=eddie.headers)
    assert len(await outbox(db)) == 1
