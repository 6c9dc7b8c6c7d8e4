"""api/edge/middleware.py: the order of the edge. The access log and the request id sit outside
everything that may refuse a request, so every refusal is logged and carries an id."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import pytest

from api.common.logs import JsonFormatter
from api.common.settings import Settings
from api.edge.access import AccessLog
from api.edge.context import RequestContext
from api.edge.cors import ProblemCORS
from api.edge.hosts import AllowedHosts
from api.edge.middleware import stack
from api.edge.proxies import ClientAddress
from api.edge.ratelimit import RateLimit
from api.edge.timeouts import Deadline
from jwks import KeySet
from tests.support.app import SLOW, admin, serve
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio
ORDER = [AccessLog, RequestContext, ClientAddress, RateLimit, AllowedHosts, Deadline]


def test_the_edge_runs_outermost_first_in_the_documented_order() -> None:
    assert [layer.cls for layer in stack(Settings())] == ORDER
    browser = Settings(cors_origins=("https://app.salon.example",))
    assert [layer.cls for layer in stack(browser)] == [*ORDER[:2], ProblemCORS, *ORDER[2:]]


def test_hsts_reaches_the_request_context_only_in_production() -> None:
    def hsts(settings: Settings) -> Any:
        [context] = [layer for layer in stack(settings) if layer.cls is RequestContext]
        return context.kwargs["hsts_max_age"]

    assert hsts(Settings(hsts_max_age=600)) is None
    production = Settings(environment="production", hsts_max_age=600)
    assert hsts(production) == 600


async def test_a_refusal_from_an_inner_layer_carries_a_request_id_and_is_logged(
    db: Any, settings: Settings, keyset: KeySet, caplog: pytest.LogCaptureFixture
) -> None:
    await admin(db, SLOW)
    strict = dataclasses.replace(
        settings, allowed_hosts=("slotbase.test",), request_timeout_seconds=1
    )
    caplog.set_level(logging.INFO, logger="slotbase.access")
    async with serve(db, strict, keyset) as http:
        wrong_host = await http.get("/api/v1/orgs/x", headers={"host": "evil.example"})
        too_slow = await http.post("/api/v1/rpc/slow", json={"p_seconds": 3})
    assert_problem(wrong_host, 400, "invalid_host")
    assert_problem(too_slow, 504, "timeout")
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "slotbase.access"]
    assert [(line["route"], line["status"]) for line in lines] == [
        ("/api/v1/orgs/{id_or_slug}", 400),
        ("/api/v1/rpc/{name}", 504),
    ]
    for response, line in zip((wrong_host, too_slow), lines, strict=True):
        assert response.headers["x-request-id"] == line["request_id"]
        assert response.headers["x-content-type-options"] == "nosniff"
