"""What every error answer must look like: RFC 9457 problem+json, nothing internal leaked."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_plus

import httpx

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}
# What must never appear in an error body: SQL, server internals, stack traces.
LEAKS = (
    "traceback",
    'file "',
    "select ",
    "insert into",
    "pg_catalog",
    "private.",
    "auth.",
    "sqlstate",
    "asyncpg",
    "plpgsql",
    "syntax error",
    "violates",
)
# Answers with a shape of their own: OAuth2 errors (RFC 6749) and health documents.
OWN_SHAPE = ("/api/v1/auth/token", "/health")


def _sent(response: httpx.Response) -> str:
    try:
        request = response.request
    except RuntimeError:  # a response made in a test, not received
        return ""
    try:
        body = request.content.decode("utf-8", "replace")
    except httpx.RequestNotRead:  # a streamed body
        body = ""
    return (unquote_plus(str(request.url)) + " " + body).lower()


def problem_errors(response: httpx.Response) -> list[str]:
    """What is wrong with an error response (empty when it is a proper problem document)."""
    wrong = []
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        wrong.append(f"content-type {response.headers.get('content-type')!r}")
    try:
        body = json.loads(response.content)
    except ValueError:
        return [*wrong, f"body is not JSON: {response.content[:200]!r}"]
    if not isinstance(body, dict) or set(body) != PROBLEM_KEYS:
        return [*wrong, f"keys {sorted(body) if isinstance(body, dict) else body!r}"]
    if body["status"] != response.status_code:
        wrong.append(f"status {body['status']} in a {response.status_code} response")
    # A detail may name back what the client sent ("Unknown query parameter: AUTH."): the
    # client's own words are taken out before looking for what must not leak.
    sent = set(re.findall(r"\w+", _sent(response)))
    lowered = re.sub(r"\w+", lambda m: "" if m[0] in sent else m[0], response.text.lower())
    wrong.extend(f"leaks {marker!r}" for marker in LEAKS if marker in lowered)
    if response.status_code == 401:
        expected = f'Bearer error="invalid_token", error_description="{body["code"]}"'
        if response.headers.get("www-authenticate") != expected:
            wrong.append(f"WWW-Authenticate {response.headers.get('www-authenticate')!r}")
    if response.status_code in (429, 503) and "retry-after" not in response.headers:
        wrong.append("no Retry-After")
    return wrong


def answer_errors(response: httpx.Response) -> list[str]:
    """Any 5xx (but a health check's 503), or an error that is not a sound problem document."""
    where = f"{response.request.method} {response.request.url.path}"
    path = response.request.url.path
    if response.status_code >= 500 and not (
        response.status_code == 503 and path.startswith("/health")
    ):
        return [f"{where} -> {response.status_code}: {response.text[:300]}"]
    if response.status_code < 400 or path.startswith(OWN_SHAPE):
        return []
    return [f"{where} -> {response.status_code}: {w}" for w in problem_errors(response)]


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> None:
    """A sound problem document of this status, and of this code when one is given."""
    assert response.status_code == status, response.text
    assert problem_errors(response) == []
    if code is not None:
        assert response.json()["code"] == code, response.text
