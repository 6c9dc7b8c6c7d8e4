"""api/edge/context.py: the request id the server makes (to the client, the log and SQL) and
the security headers of every answer."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import asyncpg
import httpx
import pytest

from api.common.scope import header
from api.common.settings import Settings
from api.edge.context import RequestContext, client_request_id
from jwks import KeySet
from tests.support.app import SLOW, admin, serve

pytestmark = pytest.mark.anyio


async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient):
    for response in (await client.get("/health/live"), await client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        csp = response.headers["content-security-policy"]
        assert csp == "default-src 'none'; frame-ancestors 'none'"
        assert "strict-transport-security" not in response.headers  # not in development
        assert response.headers["x-request-id"]


async def test_hsts_is_sent_only_in_production(db: Any, settings: Settings, keyset: KeySet):
    production = dataclasses.replace(settings, environment="production", hsts_max_age=600)
    async with serve(db, production, keyset) as http:
        response = await http.get("/health/live")
    assert response.headers["strict-transport-security"] == "max-age=600; includeSubDomains"


async def test_a_route_that_sets_its_own_csp_keeps_it():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from api.edge.middleware import stack

    async def page(request: Any) -> Response:
        return Response("<p>hi</p>", headers={"Content-Security-Policy": "default-src 'self'"})

    app = Starlette(routes=[Route("/docs", page)], middleware=stack(Settings()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        response = await http.get("/docs")
    assert response.headers.get_list("content-security-policy") == ["default-src 'self'"]


async def test_a_generated_request_id_is_returned_and_a_bad_one_replaced(
    client: httpx.AsyncClient,
):
    generated = await client.get("/health/live")
    replaced = await client.get("/health/live", headers={"X-Request-ID": "bad id;drop"})
    assert generated.headers["x-request-id"] != replaced.headers["x-request-id"]
    assert replaced.headers["x-request-id"] != "bad id;drop"


async def test_the_request_id_reaches_postgresql(
    db: Any, settings: Settings, keyset: KeySet, make_account: Any, client: httpx.AsyncClient
):
    # Audit rows record the id the server made for the request, never the one the client sent.
    alma = await make_account("alma")
    headers = {**alma.headers, "X-Request-ID": "req-audit-1"}
    created = await client.post(
        "/api/v1/orgs", json={"name": "Salon Alma", "slug": "salon-alma"}, headers=headers
    )
    assert created.status_code == 201, created.text
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        ids = await conn.fetch("select distinct request_id from audit.log")
    finally:
        await conn.close()
    recorded = {r["request_id"] for r in ids}
    assert created.headers["x-request-id"] in recorded
    assert "req-audit-1" not in recorded


async def test_the_request_id_is_the_application_name_while_the_call_runs(
    db: Any, settings: Settings, keyset: KeySet
):
    await admin(db, SLOW)
    async with serve(db, settings, keyset) as http:
        call = asyncio.create_task(
            http.post("/api/v1/rpc/slow", json={"p_seconds": 1.5}, headers={"X-Request-ID": "rq-7"})
        )
        conn = await asyncpg.connect(db.admin_dsn)
        try:
            seen = None
            for _ in range(100):
                await asyncio.sleep(0.02)
                seen = await conn.fetchval(
                    "select application_name from pg_stat_activity"
                    " where datname = $1 and query like '%handle_request%' and state = 'active'",
                    db.name,
                )
                if seen:
                    break
        finally:
            await conn.close()
        answer = await call
        assert answer.status_code == 200
    assert seen == answer.headers["x-request-id"] != "rq-7"


def test_the_first_header_of_a_name_is_read_and_a_sane_client_id_kept() -> None:
    scope = {"headers": [(b"x-request-id", b"req-1.a:b"), (b"x-request-id", b"second")]}
    assert header(scope, b"x-request-id") == "req-1.a:b"
    assert header(scope, b"authorization") is None
    assert client_request_id(scope) == "req-1.a:b"
    for given in (b"bad id", b"a;b", b"x" * 129, b"", "ø".encode()):
        assert client_request_id({"headers": [(b"x-request-id", given)]}) is None


async def test_a_websocket_gets_a_request_id_and_other_scopes_pass_untouched() -> None:
    seen: list[dict[str, Any]] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)

    app = RequestContext(inner, hsts_max_age=600)
    websocket = {"type": "websocket", "headers": [(b"x-request-id", b"mine")]}
    lifespan = {"type": "lifespan"}
    await app(websocket, None, None)
    await app(lifespan, None, None)
    assert seen[0]["state"]["request_id"] and seen[0]["state"]["request_id"] != "mine"
    assert seen[0]["state"]["client_request_id"] == "mine"
    assert seen[1] == {"type": "lifespan"}
