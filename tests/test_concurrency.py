"""Accounts under real parallel connections: racing refreshes and racing registrations."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest

pytestmark = pytest.mark.anyio

API = "/api/v1"


async def test_parallel_refreshes_of_one_token_share_one_successor_and_keep_the_session(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    account = await make_account("alma")
    token = account.tokens["refresh_token"]
    responses = await asyncio.gather(
        *(client.post(f"{API}/auth/refresh", json={"refresh_token": token}) for _ in range(20))
    )
    statuses = Counter(response.status_code for response in responses)
    assert all(status == 200 or 400 <= status < 500 for status in statuses), statuses
    winners = [response for response in responses if response.status_code == 200]
    assert winners, statuses
    for loser in responses:
        if loser.status_code != 200:
            assert loser.headers["content-type"].startswith("application/problem+json")
    pairs = [response.json() for response in winners]
    assert all(pair == pairs[0] for pair in pairs)
    successor = pairs[0]
    assert successor["refresh_token"] != token

    conn = await asyncpg.connect(db.admin_dsn)
    try:
        issued = await conn.fetchval(
            "select count(*) from auth.refresh_tokens where user_id = $1", account.id
        )
        revoked = await conn.fetchval(
            "select count(*) from auth.sessions where user_id = $1 and revoked_at is not null",
            account.id,
        )
    finally:
        await conn.close()
    assert issued == 2, "one login token and exactly one successor"
    assert revoked == 0

    headers = {"Authorization": f"Bearer {successor['access_token']}"}
    me = await client.get(f"{API}/users/me", headers=headers)
    assert me.status_code == 200, me.text
    onward = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": successor["refresh_token"]}
    )
    assert onward.status_code == 200, onward.text
    assert onward.json()["refresh_token"] not in (token, successor["refresh_token"])


async def test_parallel_registrations_of_one_email_create_one_account(
    client: httpx.AsyncClient, db: Any
):
    bodies = [
        {
            "email": "alma@example.com" if n % 2 else "ALMA@example.com",
            "password": f"quiet-lantern-{n}",
        }
        for n in range(10)
    ]
    responses = await asyncio.gather(
        *(client.post(f"{API}/auth/register", json=body) for body in bodies)
    )
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 409: 9}, [response.text for response in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["code"] == "email_taken"
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        count = await conn.fetchval(
            "select count(*) from auth.users where lower(email::text) = 'alma@example.com'"
        )
    finally:
        await conn.close()
    assert count == 1


async def test_parallel_logins_open_one_session_each(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    body = {"email": account.email, "password": account.password}
    responses = await asyncio.gather(
        *(client.post(f"{API}/auth/login", json=body) for _ in range(15))
    )
    assert [response.status_code for response in responses] == [200] * 15
    refresh_tokens = {response.json()["refresh_token"] for response in responses}
    assert len(refresh_tokens) == 15
    sessions = await client.get(f"{API}/auth/sessions", headers=account.headers)
    assert sessions.status_code == 200, sessions.text
    assert len(sessions.json()["items"]) == 16


async def test_parallel_wrong_passwords_lock_the_account(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    body = {"email": account.email, "password": "not-the-right-password"}
    responses = await asyncio.gather(
        *(client.post(f"{API}/auth/login", json=body) for _ in range(12))
    )
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] >= 5
    locked = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert locked.status_code == 429, locked.text
    assert locked.json()["code"] == "account_locked"
