"""Accounts and sessions over HTTP: registration, login, lockout, refresh rotation, logout,
password change, sessions, profile, erasure and the platform-admin user list. The OAuth2 form is
tested beside its module (tests/api/request/test_oauth.py), and so is the body reading
(tests/api/request/test_forward.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.accounts import USER_KEYS, assert_pair, unverified_claims
from tests.support.problems import problem_errors

pytestmark = pytest.mark.anyio

API = "/api/v1"
SESSION_KEYS = {"id", "created_at", "last_used_at", "expires_at", "user_agent", "ip", "current"}
CLIENT_IP = "203.0.113.7"
GOOD_PASSWORD = "quiet-lantern-meadow"
NEW_PASSWORD = "amber-falcon-orchard"


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert problem_errors(response) == []
    if code is not None:
        assert response.json()["code"] == code, response.text


def assert_user(body: Any, email: str) -> None:
    assert set(body) == USER_KEYS
    assert body["email"] == email
    uuid.UUID(body["id"])
    assert isinstance(body["email_verified"], bool)
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def register(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post(f"{API}/auth/register", json=body)


async def login(client: httpx.AsyncClient, email: str, password: str, **kw: Any) -> httpx.Response:
    return await client.post(f"{API}/auth/login", json={"email": email, "password": password}, **kw)


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(f"{API}/auth/refresh", json={"refresh_token": token})


async def fetch(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def execute(dsn: str, query: str, *args: Any) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(query, *args)
    finally:
        await conn.close()


async def make_platform_admin(db: Any, make_account: Any, handle: str = "root") -> Any:
    admin = await make_account(handle)
    await execute(
        db.admin_dsn, "update auth.users set is_platform_admin = true where id = $1", admin.id
    )
    return admin


# ---------------------------------------------------------------------------------------------
# Registration


async def test_registration_answers_201_with_the_user_and_no_password(client: httpx.AsyncClient):
    response = await register(
        client, email="alma@example.com", password=GOOD_PASSWORD, full_name="Alma", locale="en-GB"
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert_user(body, "alma@example.com")
    assert body["full_name"] == "Alma" and body["locale"] == "en-GB"
    assert body["email_verified"] is False
    text = response.text.lower()
    assert "password" not in text and "hash" not in text
    assert GOOD_PASSWORD not in text and "$2a$" not in text and "$2b$" not in text


async def test_registration_defaults_full_name_and_locale(client: httpx.AsyncClient):
    response = await register(client, email="bo@example.com", password=GOOD_PASSWORD)
    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "" and response.json()["locale"] == "da"


@pytest.mark.parametrize("again", ["alma@example.com", "ALMA@Example.COM", "  alma@example.com "])
async def test_an_email_registers_once_whatever_its_case(client: httpx.AsyncClient, again: str):
    first = await register(client, email="alma@example.com", password=GOOD_PASSWORD)
    assert first.status_code == 201, first.text
    second = await register(client, email=again, password=NEW_PASSWORD)
    assert_problem(second, 409, "email_taken")


@pytest.mark.parametrize(
    "email", ["not-an-email", "alma@", "@example.com", "alma@example", "al ma@example.com", ""]
)
async def test_registration_refuses_an_invalid_email(client: httpx.AsyncClient, email: str):
    response = await register(client, email=email, password=GOOD_PASSWORD)
    assert_problem(response, 422, "invalid_email")


async def test_registration_refuses_an_overlong_email(client: httpx.AsyncClient):
    response = await register(client, email="a" * 250 + "@example.com", password=GOOD_PASSWORD)
    assert_problem(response, 422, "invalid_email")


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("short1!", id="seven-characters"),
        pytest.param("ø" * 37, id="74-bytes-in-37-characters"),
        pytest.param("x" * 73, id="73-bytes"),
        pytest.param("alma.larsen@example.com", id="the-email"),
        pytest.param("ALMA.LARSEN@EXAMPLE.COM", id="the-email-in-capitals"),
        pytest.param("Alma.Larsen", id="the-local-part"),
        pytest.param("password123", id="common"),
        pytest.param("Sommer2026", id="common-in-another-case"),
    ],
)
async def test_registration_refuses_a_weak_password(client: httpx.AsyncClient, password: str):
    response = await register(client, email="alma.larsen@example.com", password=password)
    assert_problem(response, 422, "weak_password")


async def test_a_password_of_exactly_72_bytes_is_accepted(client: httpx.AsyncClient):
    response = await register(client, email="alma@example.com", password="ø" * 36)
    assert response.status_code == 201, response.text


async def test_registration_refuses_a_role_and_creates_no_user(client: httpx.AsyncClient, db: Any):
    response = await register(
        client, email="mallory@example.com", password=GOOD_PASSWORD, role="admin"
    )
    assert_problem(response, 422, "unknown_field")
    for field in ("is_platform_admin", "email_verified"):
        response = await register(
            client, email="mallory@example.com", password=GOOD_PASSWORD, **{field: True}
        )
        assert_problem(response, 422, "unknown_field")
    rows = await fetch(
        db.admin_dsn, "select id from auth.users where lower(email::text) = 'mallory@example.com'"
    )
    assert rows == []


async def test_registration_without_a_password_answers_422(client: httpx.AsyncClient):
    response = await register(client, email="alma@example.com")
    assert_problem(response, 422)


# ---------------------------------------------------------------------------------------------
# Login and lockout


async def test_login_answers_a_token_pair(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    response = await login(client, account.email, account.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_pair(body)
    assert body["user"] == account.user
    assert body["refresh_token"] != account.tokens["refresh_token"]
    assert (
        unverified_claims(body["access_token"])["sid"]
        != unverified_claims(account.tokens["access_token"])["sid"]
    )


async def test_login_ignores_the_case_of_the_email(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    response = await login(client, account.email.upper(), account.password)
    assert response.status_code == 200, response.text


async def test_unknown_email_and_wrong_password_answer_byte_identically(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    wrong = await login(client, account.email, "not-the-right-password")
    unknown = await login(client, "nobody@example.com", "not-the-right-password")
    assert_problem(wrong, 401, "invalid_credentials")
    assert unknown.status_code == wrong.status_code
    assert unknown.content == wrong.content

    def headers(response: httpx.Response) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in response.headers.items() if k != "x-request-id")

    assert headers(unknown) == headers(wrong)


async def test_five_failed_logins_lock_the_account_even_for_the_right_password(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    for _ in range(5):
        failed = await login(client, account.email, "not-the-right-password")
        assert_problem(failed, 401, "invalid_credentials")
    locked = await login(client, account.email, account.password)
    assert_problem(locked, 429, "account_locked")
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    other = await make_account("bo")
    assert (await login(client, other.email, other.password)).status_code == 200


async def test_four_failed_logins_do_not_lock_and_success_clears_them(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    for _ in range(4):
        assert (await login(client, account.email, "nope-nope-nope")).status_code == 401
    assert (await login(client, account.email, account.password)).status_code == 200
    for _ in range(4):
        assert (await login(client, account.email, "nope-nope-nope")).status_code == 401
    assert (await login(client, account.email, account.password)).status_code == 200


async def test_unknown_emails_lock_like_known_ones(client: httpx.AsyncClient):
    for _ in range(5):
        assert (await login(client, "nobody@example.com", "nope-nope-nope")).status_code == 401
    locked = await login(client, "nobody@example.com", "nope-nope-nope")
    assert_problem(locked, 429, "account_locked")


# ---------------------------------------------------------------------------------------------
# OAuth2 token endpoint (RFC 6749)


# ---------------------------------------------------------------------------------------------
# Refresh rotation


async def test_refresh_rotates_the_pair(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    response = await refresh(client, account.tokens["refresh_token"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert_pair(body)
    assert body["refresh_token"] != account.tokens["refresh_token"]
    assert body["access_token"] != account.tokens["access_token"]
    old, new = (
        unverified_claims(account.tokens["access_token"]),
        unverified_claims(body["access_token"]),
    )
    assert new["sid"] == old["sid"] and new["jti"] != old["jti"]
    me = await client.get(f"{API}/users/me", headers=bearer(body))
    assert me.status_code == 200, me.text
    again = await refresh(client, body["refresh_token"])
    assert again.status_code == 200, again.text


async def test_a_refresh_token_replayed_at_once_returns_the_same_pair(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    first = await refresh(client, account.tokens["refresh_token"])
    second = await refresh(client, account.tokens["refresh_token"])
    assert first.status_code == second.status_code == 200, second.text
    assert second.json() == first.json()


async def test_a_refresh_token_reused_after_the_grace_window_ends_the_session(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    account = await make_account("alma")
    first = await refresh(client, account.tokens["refresh_token"])
    assert first.status_code == 200, first.text
    newest = first.json()
    await execute(
        db.admin_dsn,
        "update auth.refresh_tokens set used_at = used_at - interval '11 seconds'"
        " where used_at is not null",
    )
    reused = await refresh(client, account.tokens["refresh_token"])
    assert_problem(reused, 401, "refresh_token_reused")
    after = await refresh(client, newest["refresh_token"])
    assert_problem(after, 401, "session_revoked")
    me = await client.get(f"{API}/users/me", headers=bearer(newest))
    assert_problem(me, 401, "session_revoked")
    assert (await login(client, account.email, account.password)).status_code == 200


async def test_an_unknown_refresh_token_answers_invalid_refresh_token(client: httpx.AsyncClient):
    response = await refresh(client, "bm90LWEtcmVhbC1yZWZyZXNoLXRva2VuLWF0LWFsbC0xMjM0NQ")
    assert_problem(response, 401, "invalid_refresh_token")


async def test_refresh_without_a_token_answers_422(client: httpx.AsyncClient):
    response = await client.post(f"{API}/auth/refresh", json={})
    assert_problem(response, 422)


# ---------------------------------------------------------------------------------------------
# Logout


async def test_logout_refuses_the_access_token_at_once(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 200
    response = await client.post(f"{API}/auth/logout", headers=account.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert_problem(me, 401, "session_revoked")
    assert me.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="session_revoked"'
    )
    after = await refresh(client, account.tokens["refresh_token"])
    assert_problem(after, 401, "session_revoked")


async def test_logout_ends_only_the_current_session(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    other = (await login(client, account.email, account.password)).json()
    assert (await client.post(f"{API}/auth/logout", headers=account.headers)).status_code == 204
    assert (await client.get(f"{API}/users/me", headers=bearer(other))).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/auth/logout", None),
        ("POST", "/auth/logout-all", None),
        ("POST", "/auth/change-password", {"current_password": "a", "new_password": NEW_PASSWORD}),
        ("GET", "/auth/sessions", None),
        ("DELETE", "/auth/sessions/00000000-0000-4000-8000-000000000000", None),
        ("GET", "/auth/me", None),
        ("GET", "/users/me", None),
        ("PATCH", "/users/me", {"full_name": "Nobody"}),
        ("DELETE", "/users/me", None),
        ("GET", "/users", None),
        ("GET", "/users/00000000-0000-4000-8000-000000000000", None),
    ],
)
async def test_account_routes_need_an_access_token(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, str] | None
):
    response = await client.request(method, API + path, json=body)
    assert_problem(response, 401)


async def test_logout_all_ends_every_session(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    second = (await login(client, account.email, account.password)).json()
    bystander = await make_account("bo")
    response = await client.post(f"{API}/auth/logout-all", headers=bearer(second))
    assert response.status_code == 204, response.text
    for tokens in (account.tokens, second):
        me = await client.get(f"{API}/users/me", headers=bearer(tokens))
        assert_problem(me, 401, "session_revoked")
        assert_problem(await refresh(client, tokens["refresh_token"]), 401, "session_revoked")
    assert (await client.get(f"{API}/users/me", headers=bystander.headers)).status_code == 200


# ---------------------------------------------------------------------------------------------
# Change password


async def change_password(
    client: httpx.AsyncClient, headers: dict[str, str], current: str, new: str
) -> httpx.Response:
    return await client.post(
        f"{API}/auth/change-password",
        json={"current_password": current, "new_password": new},
        headers=headers,
    )


async def test_changing_the_password_ends_other_sessions_and_keeps_this_one(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    other = (await login(client, account.email, account.password)).json()
    response = await change_password(client, account.headers, account.password, NEW_PASSWORD)
    assert response.status_code == 204, response.text
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 200
    assert_problem(
        await client.get(f"{API}/users/me", headers=bearer(other)), 401, "session_revoked"
    )
    assert_problem(await refresh(client, other["refresh_token"]), 401, "session_revoked")
    assert (await refresh(client, account.tokens["refresh_token"])).status_code == 200
    assert_problem(await login(client, account.email, account.password), 401, "invalid_credentials")
    assert (await login(client, account.email, NEW_PASSWORD)).status_code == 200


async def test_changing_the_password_needs_the_current_one(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    response = await change_password(client, account.headers, "not-my-password", NEW_PASSWORD)
    assert_problem(response, 401, "invalid_credentials")
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 200
    assert (await login(client, account.email, account.password)).status_code == 200


@pytest.mark.parametrize("new", ["short", "password123", "alma@example.com", "alma", "y" * 73])
async def test_changing_to_a_weak_password_answers_weak_password(
    client: httpx.AsyncClient, make_account: Any, new: str
):
    account = await make_account("alma")
    response = await change_password(client, account.headers, account.password, new)
    assert_problem(response, 422, "weak_password")
    assert (await login(client, account.email, account.password)).status_code == 200


# ---------------------------------------------------------------------------------------------
# Sessions


async def list_sessions(client: httpx.AsyncClient, tokens: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/auth/sessions", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "next_cursor"}
    assert body["next_cursor"] is None
    return body["items"]


async def test_sessions_list_shows_device_and_which_one_is_current(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    phone = await login(
        client, account.email, account.password, headers={"user-agent": "AlmaPhone/2.1"}
    )
    phone_tokens = phone.json()
    items = await list_sessions(client, phone_tokens)
    assert len(items) == 2
    for item in items:
        assert set(item) == SESSION_KEYS
        assert item["ip"] == CLIENT_IP
        for stamp in ("created_at", "last_used_at", "expires_at"):
            assert datetime.fromisoformat(item[stamp]).utcoffset() is not None
    by_id = {item["id"]: item for item in items}
    phone_sid = unverified_claims(phone_tokens["access_token"])["sid"]
    first_sid = unverified_claims(account.tokens["access_token"])["sid"]
    assert by_id[phone_sid]["current"] is True
    assert by_id[phone_sid]["user_agent"] == "AlmaPhone/2.1"
    assert by_id[first_sid]["current"] is False
    assert by_id[first_sid]["user_agent"].startswith("python-httpx/")
    mine = await list_sessions(client, account.tokens)
    assert {item["id"]: item["current"] for item in mine} == {first_sid: True, phone_sid: False}


async def test_sessions_list_shows_no_one_elses_sessions(
    client: httpx.AsyncClient, make_account: Any
):
    alma = await make_account("alma")
    bo = await make_account("bo")
    ids = {item["id"] for item in await list_sessions(client, alma.tokens)}
    assert ids == {unverified_claims(alma.tokens["access_token"])["sid"]}
    assert unverified_claims(bo.tokens["access_token"])["sid"] not in ids


async def test_revoking_an_own_session_ends_it(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    other = (await login(client, account.email, account.password)).json()
    sid = unverified_claims(other["access_token"])["sid"]
    response = await client.delete(f"{API}/auth/sessions/{sid}", headers=account.headers)
    assert response.status_code == 204, response.text
    assert_problem(
        await client.get(f"{API}/users/me", headers=bearer(other)), 401, "session_revoked"
    )
    assert sid not in {item["id"] for item in await list_sessions(client, account.tokens)}
    again = await client.delete(f"{API}/auth/sessions/{sid}", headers=account.headers)
    assert_problem(again, 404, "not_found")


async def test_another_users_session_is_not_found(client: httpx.AsyncClient, make_account: Any):
    alma = await make_account("alma")
    bo = await make_account("bo")
    bo_sid = unverified_claims(bo.tokens["access_token"])["sid"]
    response = await client.delete(f"{API}/auth/sessions/{bo_sid}", headers=alma.headers)
    assert_problem(response, 404, "not_found")
    assert (await client.get(f"{API}/users/me", headers=bo.headers)).status_code == 200
    unknown = await client.delete(f"{API}/auth/sessions/{uuid.uuid4()}", headers=alma.headers)
    assert_problem(unknown, 404, "not_found")
    assert unknown.content == response.content


async def test_revoking_a_session_by_a_non_uuid_answers_422(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    response = await client.delete(f"{API}/auth/sessions/not-a-uuid", headers=account.headers)
    assert_problem(response, 422)


# ---------------------------------------------------------------------------------------------
# Profile


@pytest.mark.parametrize("path", ["/auth/me", "/users/me"])
async def test_me_answers_the_callers_user(client: httpx.AsyncClient, make_account: Any, path: str):
    account = await make_account("alma", full_name="Alma Larsen")
    response = await client.get(API + path, headers=account.headers)
    assert response.status_code == 200, response.text
    assert_user(response.json(), account.email)
    assert response.json() == account.user
    assert response.json()["full_name"] == "Alma Larsen"


async def test_profile_updates_full_name_and_locale(client: httpx.AsyncClient, make_account: Any):
    account = await make_account("alma")
    response = await client.patch(
        f"{API}/users/me",
        json={"full_name": "Alma Ørsted", "locale": "en-GB"},
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_user(body, account.email)
    assert body["full_name"] == "Alma Ørsted" and body["locale"] == "en-GB"
    partial = await client.patch(f"{API}/users/me", json={"locale": "da"}, headers=account.headers)
    assert partial.status_code == 200, partial.text
    assert partial.json()["full_name"] == "Alma Ørsted" and partial.json()["locale"] == "da"
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert me.json() == partial.json()


@pytest.mark.parametrize(
    "change",
    [{"locale": "english"}, {"locale": "EN"}, {"locale": "en_GB"}, {"full_name": "x" * 201}],
)
async def test_profile_refuses_bad_values(
    client: httpx.AsyncClient, make_account: Any, change: dict[str, str]
):
    account = await make_account("alma")
    response = await client.patch(f"{API}/users/me", json=change, headers=account.headers)
    assert_problem(response, 422)
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert me.json() == account.user


@pytest.mark.parametrize(
    "change",
    [
        {"email": "new@example.com"},
        {"is_platform_admin": True},
        {"id": "00000000-0000-0000-0000-000000000000"},
    ],
)
async def test_profile_refuses_fields_it_does_not_own(
    client: httpx.AsyncClient, make_account: Any, change: dict[str, Any]
):
    account = await make_account("alma")
    response = await client.patch(f"{API}/users/me", json=change, headers=account.headers)
    assert_problem(response, 422, "unknown_field")
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert me.json() == account.user


# ---------------------------------------------------------------------------------------------
# Account erasure


async def test_deleting_the_account_erases_it_and_ends_its_sessions(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    account = await make_account("alma", full_name="Alma Larsen")
    second = (await login(client, account.email, account.password)).json()
    admin = await make_platform_admin(db, make_account)
    response = await client.delete(f"{API}/users/me", headers=account.headers)
    assert response.status_code == 204, response.text
    assert_problem(await login(client, account.email, account.password), 401, "invalid_credentials")
    for tokens in (account.tokens, second):
        assert_problem(
            await client.get(f"{API}/users/me", headers=bearer(tokens)), 401, "session_revoked"
        )
        assert (await refresh(client, tokens["refresh_token"])).status_code == 401
    seen = await client.get(f"{API}/users/{account.id}", headers=admin.headers)
    assert seen.status_code == 200, seen.text
    erased = seen.json()
    assert set(erased) == USER_KEYS
    assert erased["email"] != account.email
    assert "alma" not in seen.text.lower() and "larsen" not in seen.text.lower()
    assert erased["full_name"] == ""
    rows = await fetch(
        db.admin_dsn,
        "select password_hash, full_name from auth.users where id = $1",
        account.id,
    )
    assert rows[0]["password_hash"] is None and rows[0]["full_name"] == ""


# ---------------------------------------------------------------------------------------------
# Platform admins: the user list


async def test_users_are_listed_for_platform_admins_only(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    alma = await make_account("alma")
    admin = await make_platform_admin(db, make_account)
    assert_problem(await client.get(f"{API}/users", headers=alma.headers), 403, "forbidden")
    assert_problem(
        await client.get(f"{API}/users/{admin.id}", headers=alma.headers), 403, "forbidden"
    )
    assert_problem(
        await client.get(f"{API}/users/{alma.id}", headers=alma.headers), 403, "forbidden"
    )
    listed = await client.get(f"{API}/users", params={"limit": "200"}, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert set(body) == {"items", "next_cursor"}
    for item in body["items"]:
        assert set(item) == USER_KEYS
    assert {alma.email, admin.email} <= {item["email"] for item in body["items"]}
    one = await client.get(f"{API}/users/{alma.id}", headers=admin.headers)
    assert one.status_code == 200, one.text
    assert one.json() == alma.user


async def test_revoking_platform_admin_takes_effect_at_once(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    admin = await make_platform_admin(db, make_account)
    assert (await client.get(f"{API}/users", headers=admin.headers)).status_code == 200
    await execute(db.admin_dsn, "update auth.users set is_platform_admin = false")
    assert_problem(await client.get(f"{API}/users", headers=admin.headers), 403, "forbidden")


async def test_an_unknown_user_is_not_found(client: httpx.AsyncClient, make_account: Any, db: Any):
    admin = await make_platform_admin(db, make_account)
    response = await client.get(f"{API}/users/{uuid.uuid4()}", headers=admin.headers)
    assert_problem(response, 404, "not_found")
    malformed = await client.get(f"{API}/users/not-a-uuid", headers=admin.headers)
    assert_problem(malformed, 422)


async def test_the_user_list_pages_through_every_user_once(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    admin = await make_platform_admin(db, make_account)
    for handle in ("alma", "bo", "cai", "dagny", "ebbe"):
        await make_account(handle)
    rows = await fetch(db.admin_dsn, "select id::text from auth.users")
    everyone = {row["id"] for row in rows}
    assert len(everyone) >= 6
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"{API}/users", params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 2
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages <= len(everyone)
    assert len(seen) == len(set(seen))
    assert set(seen) == everyone
    assert pages == (len(everyone) + 1) // 2


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "201"}, {"limit": "-1"}, {"limit": "many"}, {"cursor": "%%%"}],
)
async def test_the_user_list_refuses_bad_paging(
    client: httpx.AsyncClient, make_account: Any, db: Any, params: dict[str, str]
):
    admin = await make_platform_admin(db, make_account)
    response = await client.get(f"{API}/users", params=params, headers=admin.headers)
    assert_problem(response, 422)


async def test_the_user_list_refuses_unknown_query_parameters(
    client: httpx.AsyncClient, make_account: Any, db: Any
):
    admin = await make_platform_admin(db, make_account)
    response = await client.get(f"{API}/users", params={"role": "admin"}, headers=admin.headers)
    assert_problem(response, 422, "unknown_field")
