"""api/ops/monitoring.py: GET /metrics behind METRICS_TOKEN, on METRICS_PORT instead of the
API's port, or not at all."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg
import httpx
import pytest

from api.common.settings import Settings
from api.ops.monitoring import authorized
from jwks import KeySet
from tests.support.app import serve
from tests.support.problems import problem_errors
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio


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


def test_without_a_token_any_scraper_is_let_in_and_with_one_only_its_bearer() -> None:
    assert authorized(Settings(), None)
    guarded = Settings(metrics_token="a-long-random-metrics-token")
    assert authorized(guarded, "Bearer a-long-random-metrics-token")
    for header in (None, "", "a-long-random-metrics-token", "Bearer a-long-random-metrics-toke"):
        assert not authorized(guarded, header)


async def test_the_pool_and_outbox_gauges_are_read_at_scrape_time(
    client: httpx.AsyncClient, db: Any
) -> None:
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        await conn.execute(
            "insert into outbox.messages (message_id, kind, recipient_email)"
            " values ('metrics-test-1', 'email_verification', 'alma@example.com')"
        )
    finally:
        await conn.close()
    text = (await client.get("/metrics")).text
    assert "slotbase_outbox_backlog 1.0" in text
    assert 'slotbase_db_pool_connections{state="in_use"}' in text
