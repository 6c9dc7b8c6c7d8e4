"""api/edge/access.py: one JSON access log line per request, with the route template, never the
raw path, a token or a body."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from api.common.logs import JsonFormatter

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
