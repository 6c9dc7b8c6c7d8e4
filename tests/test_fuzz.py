"""Property: whatever JSON reaches the anonymous account routes, the answer is never a server error,
and every error is an RFC 9457 problem document."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.app import create_app
from jwks import KeySet
from tests.support.servers import LoopThread

T = TypeVar("T")
# Hypothesis' failure report imports a module that trips this deprecation; with warnings as errors
# it would turn a readable falsifying example into an internal error.
pytestmark = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict:DeprecationWarning")
ROUTES = ("/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh")
FIELDS = ["email", "password", "full_name", "locale", "role", "refresh_token"]
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}
AWKWARD_TEXT = [
    "\u0000",
    "alma\u0000@example.com",
    "quiet-lantern\u0000meadow",
    "\ud800",
    "\udfff",
    "\ud83e\udda6",
    "🦦" * 20,
    "\u202egnirts",
    "ø" * 40,
    "a" * 300,
    "",
    " ",
    "alma@example.com",
    "ALMA@EXAMPLE.COM",
    "quiet-lantern-meadow",
    "en-GB",
    "'; drop table auth.users; --",
    "%s %n",
    "\\u0000",
    "$1",
]

text = st.text(max_size=40) | st.sampled_from(AWKWARD_TEXT) | st.emails()
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**80), max_value=10**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | text, json_values, max_size=6) | json_values


@pytest.fixture
def post(
    db: Any, settings: Any, keyset: KeySet
) -> Iterator[Callable[[str, bytes], httpx.Response]]:
    """POST raw bytes as JSON to the API (real database and Redis), from synchronous code."""
    runner = LoopThread()
    stack = contextlib.AsyncExitStack()

    async def start() -> httpx.AsyncClient:
        application = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
        await stack.enter_async_context(application.router.lifespan_context(application))
        transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
        return await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=settings.issuer)
        )

    try:
        client = runner.run(start())

        def send(path: str, raw: bytes) -> httpx.Response:
            headers = {"content-type": "application/json"}
            return runner.run(client.post(path, content=raw, headers=headers))

        yield send
    finally:
        runner.run(stack.aclose())
        runner.close()


def encode(body: Any) -> bytes:
    # json.dumps escapes control characters (NUL becomes \u0000) and lone surrogates, so both
    # reach the server as valid JSON that decodes to exactly these strings.
    return json.dumps(body).encode("ascii")


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
@example(body={"email": "alma\u0000@example.com", "password": "quiet-lantern-meadow"})
@example(body={"email": "alma@example.com", "password": "quiet\u0000lantern-meadow"})
@example(
    body={"email": "bo@example.com", "password": "quiet-lantern-meadow", "full_name": "\u0000"}
)
@example(body={"email": "\ud800@example.com", "password": "quiet-lantern-meadow"})
@example(body={"email": "cai@example.com", "password": "quiet-lantern-meadow", "\ud800": 1})
@example(body={"email": "dagny@example.com", "password": "quiet-lantern-meadow", "\u0000": 1})
@example(body={"email": 10**80, "password": -(10**80), "full_name": 1.5e308})
@example(body={"email": {"email": ["alma@example.com"]}, "password": [None, True]})
@example(body={"email": "ebbe@example.com", "password": "quiet-lantern-meadow", "role": "admin"})
@example(body={"refresh_token": "\u0000"})
@example(body=[{"email": "alma@example.com"}])
@example(body=None)
def test_any_json_body_to_the_account_routes_is_answered_without_a_server_error(
    post: Callable[[str, bytes], httpx.Response], body: Any
):
    raw = encode(body)
    for path in ROUTES:
        response = post(path, raw)
        assert response.status_code < 500, (path, raw, response.text)
        if response.status_code < 400:
            assert response.status_code in (200, 201), (path, raw, response.text)
            continue
        content_type = response.headers.get("content-type", "")
        assert content_type.startswith("application/problem+json"), (path, raw, content_type)
        problem = response.json()
        assert set(problem) == PROBLEM_KEYS, (path, raw, problem)
        assert problem["status"] == response.status_code
        assert "traceback" not in response.text.lower()


def test_a_nul_character_reaches_the_server_and_is_refused(
    post: Callable[[str, bytes], httpx.Response],
):
    raw = encode({"email": "alma@example.com", "password": "quiet-lantern\u0000meadow"})
    assert b"\\u0000" in raw
    response = post(ROUTES[0], raw)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("name", ["\ud800", "role\udfff", "\udc80\udc81"])
def test_a_field_name_with_a_lone_surrogate_is_refused_as_unknown(
    post: Callable[[str, bytes], httpx.Response], name: str
):
    raw = encode({"email": "alma@example.com", "password": "quiet-lantern-meadow", name: 1})
    response = post(ROUTES[0], raw)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unknown_field"
