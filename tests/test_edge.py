"""The edge: security headers, allowed hosts, CORS, the request deadline, per-role statement
timeouts, and what production refuses to start with."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from api.app import create_app
from api.common.settings import Settings
from jwks import KeySet
from tests.support.app import SLOW, admin, serve
from tests.support.env import production_env
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio

# ---------------------------------------------------------------------------------------------
# Headers


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


# ---------------------------------------------------------------------------------------------
# Allowed hosts


async def test_a_request_for_another_host_is_refused_but_health_answers(
    db: Any, settings: Settings, keyset: KeySet
):
    strict = dataclasses.replace(settings, allowed_hosts=("slotbase.test", "*.slotbase.example"))
    async with serve(db, strict, keyset) as http:
        assert (await http.get("/.well-known/jwks.json")).status_code == 200
        ok = await http.get("/.well-known/jwks.json", headers={"host": "eu.slotbase.example:443"})
        assert ok.status_code == 200
        refused = await http.get("/.well-known/jwks.json", headers={"host": "evil.example"})
        assert_problem(refused, 400, "invalid_host")
        assert refused.headers["x-request-id"]
        bare = await http.get("/.well-known/jwks.json", headers={"host": "slotbase.example"})
        assert_problem(bare, 400, "invalid_host")
        probe = await http.get("/health/live", headers={"host": "10.0.0.5:8000"})
        assert probe.status_code == 200


# ---------------------------------------------------------------------------------------------
# CORS

APP_ORIGIN = "https://app.salon.example"


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
    }


async def test_no_cors_headers_without_configured_origins(client: httpx.AsyncClient):
    response = await client.get("/health/live", headers={"origin": APP_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_configured_origins_and_refuses_others(
    db: Any, settings: Settings, keyset: KeySet
):
    cors = dataclasses.replace(settings, cors_origins=(APP_ORIGIN,), cors_allow_credentials=True)
    async with serve(db, cors, keyset) as http:
        allowed = await http.options("/api/v1/auth/login", headers=preflight(APP_ORIGIN))
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
        assert allowed.headers["access-control-allow-credentials"] == "true"
        assert "POST" in allowed.headers["access-control-allow-methods"]

        refused = await http.options("/api/v1/auth/login", headers=preflight("https://evil.test"))
        assert_problem(refused, 400, "cors_refused")
        assert "access-control-allow-origin" not in refused.headers

        simple = await http.get("/health/live", headers={"origin": APP_ORIGIN})
        assert simple.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "X-Request-ID" in simple.headers["access-control-expose-headers"]
        other = await http.get("/health/live", headers={"origin": "https://evil.test"})
        assert "access-control-allow-origin" not in other.headers


# ---------------------------------------------------------------------------------------------
# Timeouts


async def test_a_request_past_its_deadline_is_a_504_problem(
    db: Any, settings: Settings, keyset: KeySet
):
    await admin(db, SLOW)
    quick = dataclasses.replace(settings, request_timeout_seconds=1)
    async with serve(db, quick, keyset) as http:
        response = await http.post("/api/v1/rpc/slow", json={"p_seconds": 5})
        assert_problem(response, 504, "timeout")
        assert response.headers["x-request-id"]
        # The pool is sound afterwards: the cancelled query did not keep its connection busy.
        assert (await http.post("/api/v1/rpc/slow", json={"p_seconds": 0})).status_code == 200


async def test_each_roles_statement_timeout_answers_504(
    db: Any, settings: Settings, keyset: KeySet, make_account: Any
):
    await admin(
        db,
        SLOW,
        f"alter role anon in database \"{db.name}\" set statement_timeout = '200ms'",
        f"alter role authenticated in database \"{db.name}\" set statement_timeout = '1s'",
    )
    try:
        async with serve(db, settings, keyset) as http:
            anon = await http.post("/api/v1/rpc/slow", json={"p_seconds": 0.6})
            assert_problem(anon, 504, "timeout")
            email, password = "tove@example.com", "velvet-otter-harbour"
            await http.post("/api/v1/auth/register", json={"email": email, "password": password})
            login = await http.post(
                "/api/v1/auth/login", json={"email": email, "password": password}
            )
            auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
            signed_in = await http.post("/api/v1/rpc/slow", json={"p_seconds": 0.6}, headers=auth)
            assert signed_in.status_code == 200, signed_in.text  # 1 s for authenticated
            late = await http.post("/api/v1/rpc/slow", json={"p_seconds": 1.5}, headers=auth)
            assert_problem(late, 504, "timeout")
    finally:
        await admin(
            db,
            f'alter role anon in database "{db.name}" reset statement_timeout',
            f'alter role authenticated in database "{db.name}" reset statement_timeout',
        )


async def test_a_statement_cancelled_by_the_server_is_a_504_not_a_500(
    db: Any, settings: Settings, keyset: KeySet
):
    await admin(
        db, SLOW, f'alter role authenticator in database "{db.name}" set statement_timeout = 200'
    )
    try:
        async with serve(db, settings, keyset) as http:
            response = await http.post("/api/v1/rpc/slow", json={"p_seconds": 2})
        assert_problem(response, 504, "timeout")
    finally:
        await admin(db, f'alter role authenticator in database "{db.name}" reset all')


async def test_migrations_give_the_api_roles_a_statement_timeout(db: Any):
    from api.ops.migrate import migrate

    await migrate(db.admin_dsn)  # the bootstrap runs on every start
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        rows = await conn.fetch(
            "select setrole::regrole::text as role, setconfig from pg_db_role_setting"
            " where setdatabase = (select oid from pg_database where datname = $1)",
            db.name,
        )
    finally:
        await conn.close()
    found = {r["role"]: r["setconfig"] for r in rows}
    assert found["anon"] == ["statement_timeout=5s"]
    assert found["authenticated"] == ["statement_timeout=8s"]


# ---------------------------------------------------------------------------------------------
# Production refuses development defaults


def test_the_asgi_factory_stops_with_one_line_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from api.asgi import app_from_env

    for name, value in production_env(DEBUG="true").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DEBUG must be off" in err and "Traceback" not in err


async def test_live_streams_outlive_the_request_deadline(
    db: Any, settings: Settings, keyset: KeySet
):
    from tests.support.live import serve as serve_live
    from tests.support.live import sse, ws

    quick = dataclasses.replace(
        settings, request_timeout_seconds=1, allowed_hosts=("127.0.0.1", "localhost")
    )
    org, provider = uuid.uuid4(), uuid.uuid4()
    await admin(
        db,
        f"insert into app.organizations (id, slug, name) values ('{org}', 'salon-d', 'Salon D')",
        "insert into app.providers (id, org_id, display_name)"
        f" values ('{provider}', '{org}', 'Dina')",
    )
    application = create_app(quick, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with application.router.lifespan_context(application), serve_live(application) as base:
        async with ws(base) as socket:
            await asyncio.sleep(1.5)
            await socket.send({"type": "ping"})
            assert (await socket.recv())["type"] == "pong"
        async with sse(base, f"availability:{provider}") as stream:
            await asyncio.sleep(1.5)
            assert not stream.ended.is_set()
