"""The OpenAPI document is the contract apps build on: it changes only on purpose.

openapi.snapshot.json beside this file is the document as served; a change to the code that
changes the document fails here. After a deliberate change to the contract, run this test with
WRITE_OPENAPI_SNAPSHOT=1: it writes the served document and fails, so a run that rewrote the
record never passes; review the diff and run again without the variable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


async def test_the_document_is_the_one_on_record(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = render(response.json())
    if os.environ.get("WRITE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(served, encoding="utf-8")
        pytest.fail(f"wrote {SNAPSHOT.name}; review the diff, then run without the variable")
    recorded = SNAPSHOT.read_text(encoding="utf-8")
    assert served == recorded, "the OpenAPI document changed; see this module's docstring"
