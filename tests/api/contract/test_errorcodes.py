"""api/contract/errorcodes.py: the error codes each api function can answer, found in the SQL
source of the function, of what it calls and of the triggers of the tables it writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from api.contract.errorcodes import ErrorCodes

pytestmark = pytest.mark.anyio
ERRORS_MD = Path(__file__).resolve().parents[3] / "docs" / "errors.md"

SOURCES = {
    "api.book": [
        """
        begin
          perform private.check_slot(p_start);
          insert into app.bookings (starts_at) values (p_start);
        exception when exclusion_violation then
          raise exception using errcode = 'PT409', message = 'slot_taken', detail = 'Taken.';
        end
        """
    ],
    "private.check_slot": ["return private.error(422, 'too_soon', 'Book later.');"],
    "app.bookings_guard": [
        "raise exception using errcode = 'PT422', message = 'outside_working_hours';"
    ],
    "api.look": ["select json_build_object('q', p_q)"],
    "api.ping": ["perform api.pong();"],
    "api.pong": ["perform api.ping(); raise exception using errcode='PT418', message='teapot';"],
}
TRIGGERS = {"app.bookings": ["app.bookings_guard"]}


def test_codes_come_from_raises_answers_calls_and_the_triggers_of_written_tables() -> None:
    codes = ErrorCodes(SOURCES, TRIGGERS).of("book")
    assert codes == {
        409: {"slot_taken", "conflict"},  # a write may also meet a constraint
        422: {"too_soon", "outside_working_hours", "validation_failed"},
    }


def test_a_function_that_writes_nothing_may_still_fail_to_convert_a_value() -> None:
    scan = ErrorCodes(SOURCES, TRIGGERS)
    assert scan.of("look") == {422: {"validation_failed"}}
    assert scan.of("no_such_function") == {422: {"validation_failed"}}


def test_functions_calling_each_other_are_each_read_once() -> None:
    scan = ErrorCodes(SOURCES, TRIGGERS)
    assert list(scan.reachable("ping")) == [SOURCES["api.ping"][0], SOURCES["api.pong"][0]]
    assert scan.of("ping") == {418: {"teapot"}, 422: {"validation_failed"}}
    assert scan.of("ping") is scan.of("ping")  # worked out once


async def test_every_code_an_api_function_can_answer_is_in_the_error_table(db: Any) -> None:
    conn = await asyncpg.connect(db.dsn_as("authenticator"))
    try:
        scan = await ErrorCodes.load(conn)
        names = [r["proname"] for r in await conn.fetch(
            "select proname from pg_proc where pronamespace = 'api'::regnamespace"
        )]  # fmt: skip
    finally:
        await conn.close()
    documented = {
        (int(status), code)
        for code, status in re.findall(
            r"^\| `([a-z0-9_]+)` \| (\d{3}) \|", ERRORS_MD.read_text(), re.M
        )
    }
    found = {
        (status, code)
        for name in names
        for status, codes in scan.of(name).items()
        for code in codes
    }
    assert len(found) > 20
    assert found - documented == set()
    assert {(409, "slot_taken"), (429, "account_locked"), (401, "invalid_credentials")} <= found
