"""Observability: one JSON access log line per request, the request id carried into PostgreSQL,
and /metrics (families, token, separate port, disabled)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
import time
from typing import Any

import asyncpg
import httpx
import pytest
from starlette.requests import Request

from api.forward import _context
from api.logs import JsonFormatter
from api.metrics import REGISTRY
from api.settings import Settings
from jwks import KeySet
from tests.problems import problem_errors
from tests.support import free_port
from tests.test_edge import SLOW, admin, serve

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


def test_the_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("slotbase", logging.WARNING, __file__, 1, "a\nb %s", ("c",), None)
    record.fields = {"request_id": "r1"}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "a\nb c" and entry["request_id"] == "r1"
    assert entry["level"] == "warning"


def test_the_json_formatter_writes_each_record_s_own_time():
    formatter = JsonFormatter()
    for created in (1_800_000_000.25, 1_800_000_000.75, 1_800_000_001.5, 1_799_999_999.0):
        record = logging.LogRecord("slotbase", logging.INFO, __file__, 1, "m", (), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        assert json.loads(formatter.format(record))["ts"] == f"{stamp}.{int(record.msecs):03d}Z"


def test_the_context_for_sql_is_what_json_dumps_writes():
    agents = [None, "AlmaPhone/2.1", 'q"uote\\ æøå \u2028 \x00\t', "\xff"]
    for agent, client, state in itertools.product(
        agents,
        [None, ("203.0.113.7", 50000)],
        [{}, {"request_id": "abc-1f", "client_ip": "198.51.100.2"}],
    ):
        headers = [] if agent is None else [(b"user-agent", agent.encode("latin-1", "replace"))]
        request = Request({"type": "http", "headers": headers, "client": client, "state": state})
        ip = state.get("client_ip") or (client[0] if client else None)
        expected = {
            "id": state.get("request_id"),
            "ip": ip,
            "user_agent": request.headers.get("user-agent"),
        }
        assert _context(request) == json.dumps(expected)


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

FAMILIES = (
    "slotbase_http_requests_total",
    "slotbase_http_request_duration_seconds_bucket",
    "slotbase_db_pool_connections",
    "slotbase_auth_failures",
    "slotbase_rate_limited",
    "slotbase_event_connections",
    "slotbase_outbox_backlog",
    "slotbase_outbox_oldest_age_seconds",
)


async def test_metrics_expose_every_family(client: httpx.AsyncClient):
    await client.get("/health/live")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for family in FAMILIES:
        assert family in text, family
    assert 'route="/health/live"' in text
    assert 'slotbase_db_pool_connections{state="idle"}' in text
    assert "slotbase_outbox_backlog 0.0" in text


async def test_refused_tokens_are_counted_by_cause(client: httpx.AsyncClient):
    def counts() -> dict[str, float]:
        return {
            s.labels["cause"]: s.value
            for metric in REGISTRY.collect()
            if metric.name == "slotbase_auth_failures"
            for s in metric.samples
            if s.name == "slotbase_auth_failures_total"
        }

    for header in ("Basic x", "Bearer not.a.jwt", "Bearer a.b.c"):
        before = counts()
        response = await client.get("/api/v1/users/me", headers={"Authorization": header})
        assert response.status_code == 401
        cause = response.json()["code"]
        after = counts()
        assert after[cause] == before.get(cause, 0) + 1
        assert sum(after.values()) == sum(before.values()) + 1


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
