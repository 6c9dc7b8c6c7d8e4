"""api/common/errors.py: the SQLSTATE table, committed errors, and the problem+json answer.

The errors come from a real PostgreSQL: each is raised in a DO block (or by a constraint) on the
server's maintenance database, so asyncpg builds them exactly as it does for a request.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from starlette.responses import Response

from api.common.errors import PROBLEM_JSON, SQLSTATES, Problem, from_body, from_postgres, problem
from tests.support.problems import PROBLEM_KEYS
from tests.support.sqlstates import raised

pytestmark = pytest.mark.anyio


def body(response: Response) -> dict[str, Any]:
    data = json.loads(bytes(response.body))
    assert set(data) == PROBLEM_KEYS
    assert data["status"] == response.status_code
    assert response.media_type == PROBLEM_JSON
    return dict(data)


async def test_an_application_error_answers_its_status_code_and_detail(pg_conn: Any) -> None:
    exc = await raised(pg_conn, "PT409", "slot_taken", "That time is taken.")
    response = from_postgres(exc, anon=False)
    assert response.status_code == 409
    assert body(response) == {
        "type": "urn:slotbase:problem:slot_taken",
        "title": "Conflict",
        "status": 409,
        "detail": "That time is taken.",
        "code": "slot_taken",
    }


@pytest.mark.parametrize(
    ("sqlstate", "message"),
    [("PT409", "Slot Taken!"), ("PT409", "x"), ("PT200", "fine"), ("PT600", "odd_status")],
)
async def test_an_application_error_with_a_bad_code_or_status_is_an_internal_error(
    pg_conn: Any, sqlstate: str, message: str
) -> None:
    response = from_postgres(await raised(pg_conn, sqlstate, message, "internal words"), anon=False)
    assert response.status_code == 500
    answer = body(response)
    assert answer["code"] == "internal_error"
    assert "internal words" not in answer["detail"] and message not in answer["detail"]


@pytest.mark.parametrize(
    ("sqlstate", "status", "code"),
    [
        ("23505", 409, "conflict"),
        ("23503", 409, "conflict"),
        ("23502", 422, "validation_failed"),
        ("23514", 422, "validation_failed"),
        ("22007", 422, "validation_failed"),  # by its class, 22
        ("22P02", 422, "validation_failed"),
        ("40001", 409, "conflict"),
        ("40P01", 409, "conflict"),
        ("25006", 405, "method_not_allowed"),
        ("57014", 504, "timeout"),
        ("57P01", 503, "service_unavailable"),
        ("53300", 503, "service_unavailable"),
        ("08006", 503, "service_unavailable"),  # by its class, 08
        ("XX000", 500, "internal_error"),
        ("42P01", 500, "internal_error"),
    ],
)
async def test_built_in_states_map_by_code_then_by_class_then_to_500(
    pg_conn: Any, sqlstate: str, status: int, code: str
) -> None:
    exc = await raised(pg_conn, sqlstate, "relation private.secrets at 10:00", "Key (x)=(42).")
    response = from_postgres(exc, anon=False)
    assert response.status_code == status
    answer = body(response)
    assert answer["code"] == code
    # Never PostgreSQL's own words: they name tables, values and other people's data.
    assert "private.secrets" not in answer["detail"] and "42" not in answer["detail"]
    expected = SQLSTATES.get(sqlstate) or SQLSTATES.get(sqlstate[:2])
    if expected:
        assert answer["detail"] == expected[2]
    if status == 503:
        assert response.headers["retry-after"] == "1"


async def test_insufficient_privilege_asks_anon_to_sign_in_and_refuses_a_signed_in_caller(
    pg_conn: Any,
) -> None:
    exc = await raised(pg_conn, "42501", "permission denied for function create_org")
    anon = from_postgres(exc, anon=True)
    assert (anon.status_code, body(anon)["code"]) == (401, "unauthorized")
    assert anon.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    signed_in = from_postgres(exc, anon=False)
    assert (signed_in.status_code, body(signed_in)["code"]) == (403, "forbidden")
    assert "www-authenticate" not in signed_in.headers


async def test_an_exclusion_violation_never_passes_on_another_bookings_times(pg_conn: Any) -> None:
    await pg_conn.execute(
        "create temporary table held (during tstzrange, exclude using gist (during with &&))"
    )
    await pg_conn.execute("insert into held values ('[2026-03-03 10:00+00, 2026-03-03 11:00+00)')")
    with pytest.raises(asyncpg.ExclusionViolationError) as caught:
        await pg_conn.execute(
            "insert into held values ('[2026-03-03 10:30+00, 2026-03-03 11:30+00)')"
        )
    assert "2026-03-03 10:00" in (caught.value.detail or "")  # what PostgreSQL would tell
    response = from_postgres(caught.value, anon=False)
    assert response.status_code == 409
    text = bytes(response.body).decode()
    assert "2026" not in text and "held" not in text and "during" not in text
    assert body(response)["detail"] == SQLSTATES["23P01"][2]


def test_a_committed_error_answers_its_code_detail_and_headers() -> None:
    response = from_body(
        429, '{"code": "account_locked", "detail": "Try again later."}', {"Retry-After": "600"}
    )
    assert response.status_code == 429
    assert body(response)["code"] == "account_locked"
    assert body(response)["detail"] == "Try again later."
    assert response.headers["retry-after"] == "600"  # SQL's own, not the default of 1


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"detail": "no code"}', "null"])
def test_a_committed_error_that_is_not_a_code_and_detail_is_an_internal_error(text: str) -> None:
    response = from_body(409, text, None)
    assert response.status_code == 500
    assert body(response)["code"] == "internal_error"


def test_a_401_says_how_to_authenticate_and_a_429_or_503_when_to_retry() -> None:
    expired = problem(401, "token_expired", "The token has expired.")
    assert expired.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="token_expired"'
    )
    for status in (429, 503):
        assert problem(status, "rate_limited").headers["retry-after"] == "1"
    assert (
        problem(429, "rate_limited", headers={"Retry-After": "30"}).headers["retry-after"] == "30"
    )
    plain = problem(404, "not_found")
    assert "retry-after" not in plain.headers and "www-authenticate" not in plain.headers


def test_the_title_is_the_reason_phrase_or_else_the_code() -> None:
    assert body(problem(404, "not_found"))["title"] == "Not Found"
    assert body(problem(599, "odd_gateway"))["title"] == "odd_gateway"


def test_a_detail_with_any_characters_is_sent_as_ascii_json() -> None:
    response = problem(422, "unknown_field", "Unknown field: bøg\ud800.")
    raw = bytes(response.body)
    assert raw.isascii()
    assert json.loads(raw)["detail"] == "Unknown field: bøg\ud800."


def test_a_built_response_raised_as_a_problem_answers_that_same_response() -> None:
    built = from_body(429, '{"code": "account_locked", "detail": "Wait."}', {"Retry-After": "9"})
    raised_problem = Problem.of(built)
    assert (raised_problem.status, raised_problem.code, raised_problem.detail) == (
        429,
        "account_locked",
        "Wait.",
    )
    assert raised_problem.answer() is built
    refusal = Problem(422, "validation_failed", "Missing field: email.").answer()
    assert refusal.status_code == 422
    assert body(refusal)["detail"] == "Missing field: email."
