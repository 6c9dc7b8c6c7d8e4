"""Weaknesses found in a review, each proven fixed: every test here failed on the code before its
fix. docs/security.md maps the threat model to these tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_a_refresh_tokens_successor_cannot_be_computed_from_the_token(
    client: Any, make_account: Any
) -> None:
    alma = await make_account("alma")
    r0 = alma.tokens["refresh_token"]
    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": r0})
    assert first.status_code == 200
    r1 = first.json()["refresh_token"]
    # What the successor used to be: a function of the token alone.
    keyless = b64url(hmac.new(r0.encode(), b"slotbase refresh successor", hashlib.sha256).digest())
    assert r1 != keyless
    assert r1 != b64url(hmac.new(b"", r0.encode(), hashlib.sha256).digest())
    # The grace window still hands a second tab the same pair.
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": r0})
    assert second.status_code == 200
    assert second.json()["refresh_token"] == r1


async def test_change_password_guesses_count_toward_the_lockout(
    client: Any, make_account: Any
) -> None:
    alma = await make_account("alma")
    url = "/api/v1/auth/change-password"
    new = {"new_password": "granite-puffin-lighthouse"}
    for _ in range(5):
        guess = {"current_password": "nope", **new}
        wrong = await client.post(url, headers=alma.headers, json=guess)
        assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    right = {"current_password": alma.password, **new}
    locked = await client.post(url, headers=alma.headers, json=right)
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) > 0
    # The same count locks the login too: it is one account's password being guessed.
    login = {"email": alma.email, "password": alma.password}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 429


def test_change_password_is_in_the_stricter_auth_bucket() -> None:
    from api.ratelimit import AUTH_PATHS

    assert "/api/v1/auth/change-password" in AUTH_PATHS
    assert "/api/v1/rpc/change_password" in AUTH_PATHS


async def test_an_overlong_email_at_login_is_refused_before_anything_is_stored(
    client: Any, db: Any
) -> None:
    import asyncpg

    huge = "a" * 100_000 + "@example.com"
    refused = await client.post("/api/v1/auth/login", json={"email": huge, "password": "x" * 8})
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_credentials"
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        assert await conn.fetchval("select count(*) from auth.login_failures") == 0
    finally:
        await conn.close()


async def test_password_reset_requests_are_throttled_per_address_known_or_not(
    client: Any, make_account: Any, db: Any
) -> None:
    import asyncpg

    alma = await make_account("alma")
    for email in (alma.email, alma.email.upper(), "nobody@example.com", "nobody@example.com"):
        answer = await client.post("/api/v1/auth/password-reset/request", json={"email": email})
        assert answer.status_code == 202
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        sent = await conn.fetchval(
            "select count(*) from outbox.messages where kind = 'password_reset'"
        )
        recorded = await conn.fetchval("select count(*) from auth.password_reset_requests")
    finally:
        await conn.close()
    assert sent == 1, "one email per address per interval, however often it is asked for"
    assert recorded == 2, "an unknown address is recorded and throttled like a known one"


def test_subscribe_work_is_limited_per_identity_across_sockets() -> None:
    from api.streams import InFlight, MessageBudget

    inflight = InFlight(limit=2)
    with inflight.slot("alma") as first, inflight.slot("alma") as second:
        assert first and second
        with inflight.slot("alma") as third, inflight.slot("bo") as other:
            assert not third, "a third check for alma waits for none: it is refused"
            assert other, "another identity is not held up by alma"
    with inflight.slot("alma") as again:
        assert again, "finished checks give their slots back"
    assert inflight.counts == {}

    budget = MessageBudget(burst=3, rate=0.0)
    assert [budget.take() for _ in range(4)] == [True, True, True, False]
