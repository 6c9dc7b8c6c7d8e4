"""Observability: one JSON access log line per request, the request id carried into PostgreSQL,
and /metrics (families, token, separate port, disabled)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from typing import Any

import asyncpg
import httpx
import pytest

from api.common.logs import JsonFormatter
from api.common.settings import Settings
from jwks import KeySet
from tests.support.app import SLOW, admin, serve
from tests.support.problems import problem_errors
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "slotbase.access"]


async def test_one_json_line_per_request_with_route_template_and_user(
    client: httpx.AsyncClient, make_account: Any, caplog: pytest.LogCaptureFixture
):
    alma = await make_account("alma")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="slotbase.access")
    response = await client.get(
        "/api/v1/users/me", headers={**alma.headers, "X-Request-ID": "req-abc.123"}
    )
    ours = response.headers["x-request-id"]
    assert ours != "req-abc.123"
    missing = await client.get("/api/v1/no/such/thing?token=do-not-log-me")
    lines = access_lines(caplog)
    assert len(lines) == 2
    first, second = lines
    assert first["method"] == "GET"
    assert first["route"] == "/api/v1/users/me"
    assert first["status"] == response.status_code
    assert first["request_id"] == ours
    assert first["client_request_id"] == "req-abc.123"
    assert first["user_id"] == alma.id
    assert first["client"] == "203.0.113.7"
    assert isinstance(first["duration_ms"], float)
    assert second["status"] == missing.status_code == 404
    assert second["route"] == "(unmatched)"
    assert second["user_id"] is None
    assert second["request_id"] == missing.headers["x-request-id"]
    assert second["client_request_id"] is None
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert "do-not-log-me" not in logged and alma.tokens["access_token"] not in logged


async def test_path_parameters_are_logged_as_the_route_template(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="slotbase.access")
    await client.get("/api/v1/rpc/no_such_function")
    assert access_lines(caplog)[-1]["route"] == "/api/v1/rpc/{name}"


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


# ---------------------------------------------------------------------------------------------
# /metrics


async def test_metrics_need_the_token_when_one_is_set(db: Any, settings: Settings, keyset: KeySet):
    guarded = dataclasses.replace(settings, metrics_token="a-long-random-metrics-token")
    async with serve(db, guarded, keyset) as http:
        refused = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        ok = await http.get(
            "/metrics", headers={"Authorization": "Bearer a-long-random-metrics-token"}
        )
    for response in (refused, wrong):
        assert response.status_code == 401 and problem_errors(response) == []
    assert ok.status_code == 200 and "slotbase_http_requests_total" in ok.text


async def test_metrics_disabled_is_404(db: Any, settings: Settings, keyset: KeySet):
    async with serve(db, dataclasses.replace(settings, metrics_enabled=False), keyset) as http:
        response = await http.get("/metrics")
    assert response.status_code == 404 and problem_errors(response) == []


async def test_metrics_on_their_own_port_and_not_on_the_api(
    db: Any, settings: Settings, keyset: KeySet
):
    port = free_port()
    separate = dataclasses.replace(
        settings, host="127.0.0.1", metrics_port=port, metrics_token="a-long-random-metrics-token"
    )
    async with serve(db, separate, keyset) as http:
        on_api = await http.get("/metrics")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as scraper:
            refused = await scraper.get("/metrics")
            scraped = await scraper.get(
                "/metrics", headers={"Authorization": "Bearer a-long-random-metrics-token"}
            )
            other = await scraper.get("/elsewhere")
    assert on_api.status_code == 404
    assert refused.status_code == 401
    assert scraped.status_code == 200 and "slotbase_outbox_backlog" in scraped.text
    assert other.status_code == 404
