"""Observability: one JSON access log line per request, the request id carried into PostgreSQL,
and /metrics (families, token, separate port, disabled)."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from api.common.settings import Settings
from jwks import KeySet
from tests.support.app import serve
from tests.support.problems import problem_errors
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio


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
