"""api/edge/cors.py: CORS headers only for configured origins, refused preflights as problems."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from api.common.settings import Settings
from jwks import KeySet
from tests.support.app import serve
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio


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
