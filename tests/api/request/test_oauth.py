"""api/request/oauth.py: POST /api/v1/auth/token, the OAuth2 form flavour of login and refresh,
with RFC 6749's request and error shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.accounts import assert_pair

pytestmark = pytest.mark.anyio

API = "/api/v1"


async def token_form(client: httpx.AsyncClient, form: dict[str, str]) -> httpx.Response:
    return await client.post(f"{API}/auth/token", data=form)


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert response.headers.get("cache-control") == "no-store"


async def test_token_endpoint_grants_a_pair_for_a_password(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    response = await token_form(
        client, {"grant_type": "password", "username": account.email, "password": account.password}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert_pair(response.json())


async def test_token_endpoint_grants_a_pair_for_a_refresh_token(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    response = await token_form(
        client, {"grant_type": "refresh_token", "refresh_token": account.tokens["refresh_token"]}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert_pair(body)
    assert body["refresh_token"] != account.tokens["refresh_token"]


async def test_token_endpoint_answers_invalid_grant_for_a_wrong_password(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    response = await token_form(
        client, {"grant_type": "password", "username": account.email, "password": "nope-nope"}
    )
    assert_oauth_error(response, 400, "invalid_grant")
    unknown = await token_form(
        client, {"grant_type": "password", "username": "nobody@example.com", "password": "nope"}
    )
    assert_oauth_error(unknown, 400, "invalid_grant")
    assert unknown.content == response.content


async def test_token_endpoint_answers_invalid_grant_for_a_bad_refresh_token(
    client: httpx.AsyncClient,
):
    response = await token_form(
        client, {"grant_type": "refresh_token", "refresh_token": "not-a-refresh-token"}
    )
    assert_oauth_error(response, 400, "invalid_grant")


@pytest.mark.parametrize("grant", ["client_credentials", "authorization_code", "", "PASSWORD"])
async def test_token_endpoint_refuses_other_grant_types(client: httpx.AsyncClient, grant: str):
    response = await token_form(client, {"grant_type": grant, "username": "a", "password": "b"})
    assert_oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "password", "username": "alma@example.com"},
        {"grant_type": "password", "password": "whatever-it-is"},
        {"grant_type": "refresh_token"},
        {"grant_type": "password", "username": "a@example.com", "password": "x", "role": "admin"},
    ],
)
async def test_token_endpoint_answers_invalid_request_for_missing_or_extra_parameters(
    client: httpx.AsyncClient, form: dict[str, str]
):
    assert_oauth_error(await token_form(client, form), 400, "invalid_request")


@pytest.mark.parametrize(
    "body", [b"grant_type=password&&username", b"\xff\xfe=1", b"grant_type=password&=x"]
)
async def test_token_endpoint_answers_invalid_request_for_a_body_that_is_not_a_form(
    client: httpx.AsyncClient, body: bytes
):
    response = await client.post(
        f"{API}/auth/token",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_oauth_error(response, 400, "invalid_request")


async def test_token_endpoint_refuses_a_body_over_the_limit(
    client: httpx.AsyncClient, settings: Any
):
    form = {"grant_type": "password", "username": "a@example.com", "password": "x"}
    form["password"] = "x" * settings.max_body_bytes
    assert_oauth_error(await token_form(client, form), 413, "invalid_request")


async def test_a_locked_account_is_an_invalid_grant_that_says_when_to_retry(
    client: httpx.AsyncClient, make_account: Any
):
    account = await make_account("alma")
    wrong = {"grant_type": "password", "username": account.email, "password": "nope-nope"}
    for _ in range(5):
        assert_oauth_error(await token_form(client, wrong), 400, "invalid_grant")
    right = {**wrong, "password": account.password}
    locked = await token_form(client, right)
    assert_oauth_error(locked, 400, "invalid_grant")
    assert locked.json()["error_description"] == "account_locked"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
