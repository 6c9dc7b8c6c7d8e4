"""api/common/metrics.py: the families every module reports to, and the counters as they count."""

from __future__ import annotations

import httpx
import pytest

from api.common.metrics import REGISTRY

pytestmark = pytest.mark.anyio


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


def test_every_family_is_a_slotbase_metric_with_a_description() -> None:
    families = list(REGISTRY.collect())
    assert len(families) >= 10
    for family in families:
        assert family.name.startswith("slotbase_"), family.name
        assert family.documentation.endswith("."), family.name
