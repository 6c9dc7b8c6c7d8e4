"""api/edge/hosts.py: which Host headers pass, the shape of a refusal, and the app behind it."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from api.common.settings import Settings
from api.edge.hosts import AllowedHosts
from jwks import KeySet
from tests.support.app import serve
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio


async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def ask(host: str | None, path: str = "/api/v1/x", kind: str = "http") -> list[Any]:
    app = AllowedHosts(inner, allowed=["slotbase.test", "*.Salon.Example", "[::1]"])
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    scope = {"type": kind, "path": path, "headers": headers, "query_string": b""}
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize(
    "host",
    [
        "slotbase.test",
        "SLOTBASE.TEST:8443",
        "eu.salon.example",
        "a.b.salon.example:443",
        "[::1]:8000",
    ],
)
async def test_allowed_names_and_patterns_pass(host: str) -> None:
    assert (await ask(host))[0]["status"] == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example", "salon.example", "www.slotbase.test", "", None, "slotbase.test:x", "[::1"],
)
async def test_other_or_malformed_hosts_get_one_problem_document(host: str | None) -> None:
    start, body, *rest = await ask(host)
    assert rest == []
    assert start["status"] == 400
    assert (b"content-type", b"application/problem+json") in start["headers"]
    assert json.loads(body["body"])["code"] == "invalid_host"


async def test_health_answers_any_host() -> None:
    assert (await ask("10.0.0.5:8000", path="/health/ready"))[0]["status"] == 200
    assert (await ask("10.0.0.5", path="/health"))[0]["status"] == 200
    assert (await ask("10.0.0.5", path="/healthz"))[0]["status"] == 400


async def test_a_websocket_for_another_host_is_closed_with_policy_violation() -> None:
    assert await ask("evil.example", kind="websocket") == [
        {"type": "websocket.close", "code": 1008, "reason": "invalid_host"}
    ]
    assert await ask("slotbase.test", kind="websocket") == [{"type": "websocket.accept"}]


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
