"""api/edge/timeouts.py: a request past REQUEST_TIMEOUT_SECONDS is cancelled and answered 504;
live streams are exempt."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import pytest

from api.app import create_app
from api.common.settings import Settings
from jwks import KeySet
from tests.support.app import SLOW, admin, serve
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio


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
