"""RFC 9457 problem responses, and the one table mapping SQLSTATEs to them.

Application errors arrive as SQLSTATE PTnnn (PostgREST's convention): nnn is the HTTP status,
the message is a stable code, the detail a sentence for humans. Built-in SQLSTATEs map by exact
code, then by two-character class, then to 500. Built-in messages and details are never passed
on: a 23P01 DETAIL, for one, echoes another customer's booking times.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus

import asyncpg
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

# sqlstate -> (status, code, detail); classes are keyed by their first two characters.
SQLSTATES: dict[str, tuple[int, str, str]] = {
    "23P01": (409, "conflict", "The change conflicts with an existing record."),
    "23505": (409, "conflict", "A record with these values exists already."),
    "23503": (409, "conflict", "The change refers to a record that does not exist or is in use."),
    "23502": (422, "validation_failed", "A required value is missing."),
    "23514": (422, "validation_failed", "A value breaks a rule of the data."),
    "22": (422, "validation_failed", "A value has the wrong type, format or range."),
    "42501": (403, "forbidden", "You may not do this."),
    "40001": (409, "conflict", "Another change got in the way; try again."),
    "40P01": (409, "conflict", "Another change got in the way; try again."),
    "25006": (405, "method_not_allowed", "This call changes data; use POST."),
    "57014": (504, "timeout", "The request took too long and was cancelled."),
    "57P01": (503, "service_unavailable", "The database is restarting; try again shortly."),
    "57P02": (503, "service_unavailable", "The database is restarting; try again shortly."),
    "57P03": (503, "service_unavailable", "The database is starting; try again shortly."),
    "53300": (503, "service_unavailable", "The database is busy; try again shortly."),
    "08": (503, "service_unavailable", "The database is unreachable; try again shortly."),
}
RETRYABLE = {"40001", "40P01"}


class Problem(Exception):
    """An answer of problem+json raised where the problem is found, and answered where the
    request is: a refusal in Python (status, code, detail), or SQL's own error (`response`)."""

    def __init__(
        self, status: int, code: str, detail: str = "", response: Response | None = None
    ) -> None:
        super().__init__(detail or code)
        self.status, self.code, self.detail, self.response = status, code, detail, response

    @classmethod
    def of(cls, response: Response) -> Problem:
        """A problem response built already (from_postgres, from_body) as an exception."""
        body = json.loads(bytes(response.body))
        return cls(response.status_code, body["code"], body["detail"], response)

    def answer(self) -> Response:
        return self.response or problem(self.status, self.code, self.detail)


def problem(
    status: int,
    code: str,
    detail: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "type": f"urn:slotbase:problem:{code}",
        "title": HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else code,
        "status": status,
        "detail": detail,
        "code": code,
    }
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault(
            "WWW-Authenticate", f'Bearer error="invalid_token", error_description="{code}"'
        )
    if status in (429, 503):
        headers.setdefault("Retry-After", "1")
    # ASCII escapes: a detail may echo a field name the client sent, lone surrogates included.
    return Response(
        json.dumps(body).encode(),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


def from_postgres(exc: asyncpg.PostgresError, *, anon: bool) -> Response:
    state = exc.sqlstate or ""
    if state.startswith("PT") and state[2:].isdigit():
        status = int(state[2:])
        code = str(getattr(exc, "message", "") or "")
        if not CODE_RE.match(code) or not 400 <= status <= 599:
            return problem(500, "internal_error", "Something went wrong on our side.")
        return problem(status, code, str(getattr(exc, "detail", "") or ""))
    status, code, detail = (
        SQLSTATES.get(state)
        or SQLSTATES.get(state[:2])
        or (
            500,
            "internal_error",
            "Something went wrong on our side.",
        )
    )
    if state == "42501" and anon:
        status, code, detail = 401, "unauthorized", "This needs an access token."
    return problem(status, code, detail)


def from_body(status: int, body: str, headers: dict[str, str] | None) -> Response:
    """A committed error answered by SQL through private.error(): {code, detail}."""
    try:
        data = json.loads(body)
        code, detail = str(data["code"]), str(data.get("detail") or "")
    except (ValueError, KeyError, TypeError):
        code, detail = "internal_error", "Something went wrong on our side."
        status = 500
    return problem(status, code, detail, headers)
