"""api/request/forward.py: reading the JSON body before SQL sees it (size, syntax, depth, an
object), and forwarding the call."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from api.common.errors import Problem
from api.request.forward import MAX_DEPTH, _context, read_json
from tests.support.problems import assert_problem

pytestmark = pytest.mark.anyio

API = "/api/v1"
GOOD_PASSWORD = "quiet-lantern-meadow"


@pytest.mark.parametrize("body", [b"{not json", b'{"email": "a@example.com",', b"\xff\xfe{}"])
async def test_a_body_that_is_not_json_answers_400_invalid_json(
    client: httpx.AsyncClient, body: bytes
):
    response = await client.post(
        f"{API}/auth/register", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "invalid_json")


@pytest.mark.parametrize("body", [b"[1, 2]", b'"alma"', b"42", b"null"])
async def test_a_body_that_is_not_an_object_answers_422(client: httpx.AsyncClient, body: bytes):
    response = await client.post(
        f"{API}/auth/register", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 422)


async def test_a_body_over_the_limit_answers_413(client: httpx.AsyncClient, settings: Any):
    filler = "x" * settings.max_body_bytes
    body = json.dumps({"email": "alma@example.com", "password": GOOD_PASSWORD, "full_name": filler})
    response = await client.post(
        f"{API}/auth/register", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


async def test_a_streamed_body_over_the_limit_answers_413(client: httpx.AsyncClient, settings: Any):
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "alma@example.com", "full_name": "'
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        f"{API}/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload_too_large")


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
async def test_deeply_nested_json_is_refused_without_a_server_error(
    client: httpx.AsyncClient, depth: int
) -> None:
    body = b'{"email": ' + b"[" * depth + b"]" * depth + b"}"
    response = await client.post(
        f"{API}/auth/register", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation_failed")


def request(body: bytes, headers: dict[str, str] | None = None) -> Request:
    """A request whose body arrives in chunks of 4 bytes; reading it is recorded."""
    chunks = [body[i : i + 4] for i in range(0, len(body), 4)] or [b""]
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": raw, "query_string": b""}

    async def receive() -> dict[str, Any]:
        reads.append(1)
        return messages.pop(0)

    reads: list[int] = []
    made = Request(scope, receive)
    made.state.reads = reads
    return made


@pytest.mark.parametrize("body", [b"", b"  \n\t "])
async def test_an_empty_body_is_no_arguments(body: bytes) -> None:
    assert await read_json(request(body), limit=1024) == {}


async def test_a_body_is_read_whole_across_chunks() -> None:
    body = json.dumps({"email": "alma@example.com", "tags": [[1, 2], {"a": None}]}).encode()
    assert await read_json(request(body), limit=1024) == json.loads(body)


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read() -> None:
    too_big = request(b"{}", {"content-length": "2048"})
    with pytest.raises(Problem) as refused:
        await read_json(too_big, limit=1024)
    assert (refused.value.status, refused.value.code) == (413, "payload_too_large")
    assert too_big.state.reads == []


async def test_nesting_up_to_the_limit_passes_and_one_deeper_is_refused() -> None:
    def nested(depth: int) -> bytes:
        return b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"

    assert await read_json(request(nested(MAX_DEPTH)), limit=1 << 20)
    with pytest.raises(Problem) as refused:
        await read_json(request(nested(MAX_DEPTH + 1)), limit=1 << 20)
    assert (refused.value.status, refused.value.code) == (422, "validation_failed")


async def test_the_json_sql_answers_is_written_to_the_client_as_it_is(
    client: httpx.AsyncClient, make_account: Any
):
    alma = await make_account("alma")
    body = {"name": "Salon  Ø", "slug": "salon-o"}
    created = await client.post(f"{API}/orgs", json=body, headers=alma.headers)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
    fetched = await client.get(f"{API}/orgs/salon-o")
    # Byte for byte what json_build_object wrote: no re-encoding on the way out.
    assert fetched.content == created.content
    assert "Salon  Ø".encode() in fetched.content


def test_the_context_for_sql_is_what_json_dumps_writes():
    agents = [None, "AlmaPhone/2.1", 'q"uote\\ æøå \u2028 \x00\t', "\xff"]
    for agent, client, state in itertools.product(
        agents,
        [None, ("203.0.113.7", 50000)],
        [{}, {"request_id": "abc-1f", "client_ip": "198.51.100.2"}],
    ):
        headers = [] if agent is None else [(b"user-agent", agent.encode("latin-1", "replace"))]
        request = Request({"type": "http", "headers": headers, "client": client, "state": state})
        ip = state.get("client_ip") or (client[0] if client else None)
        expected = {
            "id": state.get("request_id"),
            "ip": ip,
            "user_agent": request.headers.get("user-agent"),
        }
        assert _context(request) == json.dumps(expected)
