"""api/request/routes.py: the route table, the functions whose answers are signed, and every
path that reaches a credentials function (which the edge limits more strictly)."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import pytest

from api.request.catalog import Catalog
from api.request.routes import AUTH_PATHS, PREFIX, ROUTES, SIGNING_FUNCTIONS, TOKEN_PATH

pytestmark = pytest.mark.anyio
CREDENTIALS = {
    "register",
    "login",
    "refresh",
    "change_password",
    "request_password_reset",
    "confirm_password_reset",
}


def test_only_login_and_refresh_answers_are_signed() -> None:
    assert {"login", "refresh"} == SIGNING_FUNCTIONS


def test_every_way_to_a_credentials_function_is_an_auth_path() -> None:
    assert {route.function for route in ROUTES if route.credentials} == CREDENTIALS
    expected = {TOKEN_PATH} | {f"{PREFIX}/rpc/{name}" for name in CREDENTIALS}
    expected |= {route.path for route in ROUTES if route.function in CREDENTIALS}
    assert expected == AUTH_PATHS
    assert TOKEN_PATH == "/api/v1/auth/token"
    assert f"{PREFIX}/auth/logout" not in AUTH_PATHS and f"{PREFIX}/users/me" not in AUTH_PATHS


def test_each_method_and_path_is_routed_once_under_the_prefix() -> None:
    seen = [(route.method, route.path) for route in ROUTES]
    assert len(seen) == len(set(seen))
    assert all(route.path.startswith(PREFIX + "/") for route in ROUTES)
    assert {route.method for route in ROUTES} <= {"GET", "POST", "PUT", "PATCH", "DELETE"}


async def test_every_route_calls_an_api_function_that_takes_the_arguments_it_binds(
    db: Any,
) -> None:
    conn = await asyncpg.connect(db.dsn_as("authenticator"))
    try:
        catalog = await Catalog.load(conn)
    finally:
        await conn.close()
    for route in ROUTES:
        fn = catalog.functions.get(route.function)
        assert fn is not None, route
        bound = set(re.findall(r"{([^}]+)}", route.path))
        bound |= set(route.query.values()) | set(route.headers.values())
        assert bound <= set(fn.arg_names), (route.path, bound - set(fn.arg_names))
