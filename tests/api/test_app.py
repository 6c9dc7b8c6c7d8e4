"""api/app.py: the route table turned into endpoints (arguments from the path, the query, headers
and the body), /rpc/<name>, the HTTP errors Starlette raises, and errors nobody caught."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest

from api.app import on_error
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio
API = "/api/v1"


async def test_an_undeclared_query_parameter_is_an_unknown_field(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    alma = await make_account("alma")
    response = await client.get(f"{API}/auth/sessions?limit=5&colour=teal", headers=alma.headers)
    assert_problem(response, 422, "unknown_field")
    assert "colour" in response.json()["detail"]


async def test_a_body_field_that_the_route_takes_from_the_path_or_a_header_is_refused(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    alma = await make_account("alma")
    org = await client.post(
        f"{API}/orgs", json={"name": "Salon Alma", "slug": "salon-alma"}, headers=alma.headers
    )
    org_id = org.json()["id"]
    from_path = await client.patch(
        f"{API}/orgs/{org_id}", json={"id": org_id, "name": "Other"}, headers=alma.headers
    )
    assert_problem(from_path, 422, "unknown_field")
    from_header = await client.post(
        f"{API}/bookings", json={"idempotency_key": "k-1"}, headers=alma.headers
    )
    assert_problem(from_header, 422, "unknown_field")
    assert (await client.get(f"{API}/orgs/salon-alma")).json()["name"] == "Salon Alma"


async def test_rpc_reaches_every_api_function_and_reads_only_with_get(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    alma = await make_account("alma")
    me = await client.get(f"{API}/rpc/me", headers=alma.headers)
    assert me.status_code == 200 and me.json()["id"] == alma.id
    changes = await client.get(f"{API}/rpc/create_org?name=x&slug=x", headers=alma.headers)
    assert_problem(changes, 405, "method_not_allowed")
    unknown = await client.post(f"{API}/rpc/no_such_function", json={})
    assert_problem(unknown, 404, "not_found")
    # A signing function through /rpc answers a signed pair, as its route does.
    pair = await client.post(
        f"{API}/rpc/login", json={"email": alma.email, "password": alma.password}
    )
    assert pair.status_code == 200 and "claims" not in pair.json()
    assert pair.json()["access_token"].count(".") == 2
    # A function that returns nothing answers 204 No Content.
    out = await client.post(f"{API}/rpc/logout", json={}, headers=alma.headers)
    assert out.status_code == 204 and out.content == b""


async def test_unknown_routes_and_methods_answer_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nowhere"), 404, "not_found")
    assert_problem(await client.delete(f"{API}/auth/login"), 405, "method_not_allowed")


async def test_an_error_nobody_caught_is_a_500_that_tells_nothing_and_an_outage_a_503() -> None:
    secret = await on_error(None, RuntimeError("password=hunter22 in private.settings"))
    assert secret.status_code == 500
    assert b"hunter22" not in bytes(secret.body) and b"private" not in bytes(secret.body)
    assert json.loads(bytes(secret.body))["code"] == "internal_error"
    away = await on_error(None, asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert away.status_code == 503 and away.headers["retry-after"]
    assert json.loads(bytes(away.body))["code"] == "service_unavailable"
