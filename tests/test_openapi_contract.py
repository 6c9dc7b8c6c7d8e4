"""Schemathesis against the running API: no 5xx, and every answer is what the document says.

The app is served by uvicorn on a socket (tests/support/live.py); `st run` reads
/api/v1/openapi.json from it and calls every operation with generated data, as a logged-in demo
account. Routes that end the caller's session (logout, password change, account erasure) would
turn the rest of the run into 401s (schemathesis feeds ids it has seen, the caller's own session
id among them, to other operations), and the event stream never ends, so they are left out. The
account owns an organization with a provider, a service, working hours and a booking, so that
the ids the run discovers lead somewhere.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live import serve

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

API = "/api/v1"
# Per operation; the run takes about 2.5 minutes on 2 cores.
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)
LEFT_OUT = (
    r"^/api/v1/(events"
    r"|auth/(logout|logout-all|change-password|sessions/\{id\})"
    r"|users/me"
    r"|rpc/(logout|logout_all|change_password|delete_me|revoke_session))$"
)


async def seed(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    async def post(path: str, body: dict[str, Any], method: str = "POST") -> Any:
        response = await client.request(method, API + path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    org = await post("/orgs", {"slug": "fuzz-salon", "name": "Fuzz Salon"})
    provider = await post(f"/orgs/{org['id']}/providers", {"display_name": "Alma"})
    service = await post(
        f"/orgs/{org['id']}/services",
        {
            "name": "Cut",
            "duration_minutes": 30,
            "price_minor": 35000,
            "provider_ids": [provider["id"]],
        },
    )
    windows = [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(1, 8)]
    await post(f"/providers/{provider['id']}/working-hours", {"windows": windows}, "PUT")
    slots = await client.get(
        f"{API}/providers/{provider['id']}/slots",
        params={"service_id": service["id"]},
        headers=headers,
    )
    assert slots.status_code == 200, slots.text
    first = slots.json()["slots"][0]["start"]
    booking = {"provider_id": provider["id"], "service_id": service["id"], "start": first}
    await post("/bookings", booking)


async def test_schemathesis_finds_no_server_error_and_no_violation(
    app: Any, client: httpx.AsyncClient, make_account: Any, tmp_path: Path
) -> None:
    account = await make_account("schema_fuzzer")
    await seed(client, account.headers)
    async with serve(app) as base:
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("st")),
            "--no-color",
            "run",
            f"{base}/api/v1/openapi.json",
            "--url",
            base,
            "--header",
            f"Authorization: Bearer {account.tokens['access_token']}",
            "--checks",
            CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            os.environ.get("SCHEMATHESIS_SEED", "1"),
            "--phases",
            "examples,coverage,fuzzing",
            "--mode",
            "all",
            "--workers",
            "2",
            "--exclude-path-regex",
            LEFT_OUT,
            "--request-timeout",
            "10",
            "--suppress-health-check",
            "all",
            "--generation-database",
            "none",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
        )
        output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-20000:]
