"""api/request/catalog.py: the api functions as pg_catalog lists them, the refusals made before
SQL is asked (404, 401 for anon, unknown_field, validation_failed), and the statement per call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from api.common.errors import Problem
from api.request.catalog import Catalog, Function, argument_schema, fits, kind

pytestmark = pytest.mark.anyio

BOOK = Function(
    name="book",
    volatility="v",
    returns_void=False,
    return_type="json",
    arg_names=("provider_id", "start", "seats", "tags", "note", "extra"),
    arg_types=("uuid", "timestamp with time zone", "integer", "text[]", "text", "jsonb"),
    required=2,
    anon=False,
    comment="Book a slot.",
)
LOOK = Function("look", "s", False, "json", ("q",), ("text",), 0, True, None)
CATALOG = Catalog({f.name: f for f in (BOOK, LOOK)})


def refusal(name: str, args: dict[str, Any], *, anon: bool = False, text: Any = ()) -> Problem:
    with pytest.raises(Problem) as refused:
        CATALOG.prepare(name, args, anon=anon, text=text)
    return refused.value


@pytest.mark.parametrize(
    ("sql_type", "expected", "good", "bad"),
    [
        ("text", "a string", "x", 1),
        ("uuid", "a string", "00000000-0000-4000-8000-000000000000", {"id": 1}),
        ("integer", "a number", 3, "3"),
        ("numeric", "a number", 2.5, True),
        ("boolean", "true or false", False, 0),
        ("text[]", "a list", ["a", "b"], "a,b"),
        ("integer[]", "a list", [1, 2], [1, "2"]),
        ("app.booking_status", "a string", "pending", ["pending"]),
    ],
)
def test_a_body_value_must_have_the_json_kind_of_its_sql_type(
    sql_type: str, expected: str, good: Any, bad: Any
) -> None:
    assert kind(sql_type) == expected
    assert fits(sql_type, good)
    assert not fits(sql_type, bad)


def test_json_arguments_take_any_value_and_arrays_describe_their_items() -> None:
    for value in ({"a": 1}, [1], "x", 2, None, True):
        assert fits("jsonb", value)
    assert kind("json") == "JSON"
    assert argument_schema("uuid[]") == {
        "type": "array",
        "items": {"type": "string", "format": "uuid"},
    }


def test_an_unknown_function_is_not_found() -> None:
    problem = refusal("drop_everything", {})
    assert (problem.status, problem.code) == (404, "not_found")


def test_anon_is_asked_to_sign_in_before_the_body_is_judged() -> None:
    problem = refusal("book", {"colour": "teal"}, anon=True)
    assert (problem.status, problem.code) == (401, "unauthorized")
    assert CATALOG.prepare("look", {"q": "hair"}, anon=True)[0] is LOOK


def test_an_argument_the_function_does_not_take_is_an_unknown_field() -> None:
    problem = refusal("book", {"provider_id": "p", "start": "s", "colour": "teal", "a": 1})
    assert (problem.status, problem.code) == (422, "unknown_field")
    assert problem.detail == "Unknown field: a, colour."


def test_a_missing_or_null_required_argument_fails_validation() -> None:
    problem = refusal("book", {"provider_id": "p", "start": None})
    assert (problem.status, problem.code) == (422, "validation_failed")
    assert problem.detail == "Missing field: start."


def test_a_body_value_of_the_wrong_kind_fails_validation_but_text_is_left_to_sql() -> None:
    args = {"provider_id": "p", "start": "s", "seats": "2"}
    problem = refusal("book", args)
    assert (problem.status, problem.detail) == (422, "seats must be a number.")
    # From the query string or the path every value is text; SQL converts it or refuses (422).
    assert CATALOG.prepare("book", args, anon=False, text={"seats"})[0] is BOOK


def test_the_call_names_only_the_given_arguments_and_is_made_once_per_set() -> None:
    _, sql = CATALOG.prepare("book", {"start": "s", "provider_id": "p"}, anon=False)
    assert sql == (
        'select api."book"("provider_id" => r."provider_id", "start" => r."start")::text'
        " from pg_catalog.jsonb_to_record($1)"
        ' as r("provider_id" uuid, "start" timestamp with time zone)'
    )
    _, again = CATALOG.prepare("book", {"provider_id": "q", "start": "t"}, anon=False)
    assert again is sql
    assert CATALOG.prepare("look", {}, anon=True)[1] == 'select api."look"()::text'


@pytest.fixture
async def catalog(db: Any) -> AsyncIterator[Catalog]:
    conn = await asyncpg.connect(db.dsn_as("authenticator"))
    try:
        yield await Catalog.load(conn)
    finally:
        await conn.close()


async def test_the_catalog_lists_the_api_functions_as_the_database_defines_them(
    catalog: Catalog,
) -> None:
    register, me, booking = (catalog.functions[n] for n in ("register", "me", "get_booking"))
    assert register.arg_names == ("email", "password", "full_name", "locale")
    assert register.arg_types == ("text", "text", "text", "text")
    assert register.required == 2
    assert register.anon and not register.read_only
    assert not me.anon and me.read_only
    assert booking.read_only and booking.arg_types == ("uuid",)
    assert all(fn.comment for fn in catalog.functions.values())
    assert not any(
        name.startswith(("handle_request", "publish_keys")) for name in catalog.functions
    )


async def test_a_statement_from_the_catalog_runs_in_postgresql(db: Any, catalog: Catalog) -> None:
    _, sql = catalog.prepare(
        "get_org", {"id_or_slug": "no-such-salon"}, anon=True, text={"id_or_slug"}
    )
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        with pytest.raises(asyncpg.PostgresError) as refused:
            await conn.fetchval(sql, '{"id_or_slug": "no-such-salon"}')
    finally:
        await conn.close()
    assert (refused.value.sqlstate, refused.value.message) == ("PT404", "not_found")
