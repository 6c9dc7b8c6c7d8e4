"""api/contract/shapes.py: the JSON Schemas of what the api functions return, held against what
SQL really answers."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import jsonschema
import pytest

from api.contract.shapes import RESULTS, SCHEMAS, nullable
from api.request.catalog import Catalog

pytestmark = pytest.mark.anyio
API = "/api/v1"


def refs(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["$ref"]} if "$ref" in schema else set()
        return found.union(*(refs(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(refs(v) for v in schema))
    return set()


def assert_shape(function: str, value: Any) -> None:
    schema = {**RESULTS[function], "components": {"schemas": SCHEMAS}}
    jsonschema.Draft202012Validator(schema).validate(value)


def test_every_reference_names_a_schema() -> None:
    named = {f"#/components/schemas/{name}" for name in SCHEMAS}
    assert refs(SCHEMAS) | refs(RESULTS) <= named
    for schema in (*SCHEMAS.values(), *RESULTS.values()):
        jsonschema.Draft202012Validator.check_schema(schema)


async def test_every_shape_is_of_an_api_function(db: Any) -> None:
    conn = await asyncpg.connect(db.dsn_as("authenticator"))
    try:
        catalog = await Catalog.load(conn)
    finally:
        await conn.close()
    assert set(RESULTS) - set(catalog.functions) == set()


async def test_what_sql_answers_has_the_documented_shape(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    alma = await make_account("alma")
    assert_shape("register", alma.user)
    assert_shape("login", alma.tokens)
    assert_shape("me", (await client.get(f"{API}/users/me", headers=alma.headers)).json())
    org = await client.post(
        f"{API}/orgs", json={"name": "Salon Alma", "slug": "salon-alma"}, headers=alma.headers
    )
    assert_shape("create_org", org.json())
    org_id = org.json()["id"]
    provider = await client.post(
        f"{API}/orgs/{org_id}/providers", json={"display_name": "Alma"}, headers=alma.headers
    )
    assert_shape("create_provider", provider.json())
    assert_shape("list_providers", (await client.get(f"{API}/orgs/{org_id}/providers")).json())
    sessions = await client.get(f"{API}/auth/sessions", headers=alma.headers)
    assert_shape("list_sessions", sessions.json())
    members = await client.get(f"{API}/orgs/{org_id}/members", headers=alma.headers)
    assert_shape("list_members", members.json())


def test_a_documented_shape_refuses_what_sql_does_not_answer() -> None:
    with pytest.raises(jsonschema.ValidationError):
        assert_shape("register", {"id": "not-a-user"})
    with pytest.raises(jsonschema.ValidationError):
        assert_shape("list_users", {"items": [], "next_cursor": 3})


def test_nullable_widens_a_plain_type_and_leaves_a_reference() -> None:
    assert nullable({"type": "string", "format": "uuid"}) == {
        "type": ["string", "null"],
        "format": "uuid",
    }
    assert nullable({"$ref": "#/components/schemas/User"}) == {"$ref": "#/components/schemas/User"}
