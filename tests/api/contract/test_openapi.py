"""api/contract/openapi.py: the OpenAPI 3.1 document at /api/v1/openapi.json, built from the
route table, the catalog and the error codes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from api.request.routes import ROUTES

pytestmark = pytest.mark.anyio
DOC = "/api/v1/openapi.json"


async def fetch(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(DOC)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


def codes(operation: dict[str, Any], status: int) -> set[str]:
    schema = operation["responses"][str(status)]["content"]["application/problem+json"]["schema"]
    return set(schema["allOf"][1]["properties"]["code"]["enum"])


async def test_document_is_valid_openapi_3_1(client: httpx.AsyncClient) -> None:
    doc = await fetch(client)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


async def test_every_route_of_the_table_is_documented(client: httpx.AsyncClient) -> None:
    paths = (await fetch(client))["paths"]
    for route in ROUTES:
        assert route.method.lower() in paths.get(route.path, {}), (route.method, route.path)
    for path in ("/api/v1/auth/token", "/api/v1/events", "/.well-known/jwks.json", "/health"):
        assert path in paths
    assert "post" in paths["/api/v1/rpc/register"]
    assert "get" in paths["/api/v1/rpc/get_booking"]
    assert "get" not in paths["/api/v1/rpc/create_booking"]


async def test_bearer_scheme_points_to_the_jwks(client: httpx.AsyncClient) -> None:
    doc = await fetch(client)
    bearer = doc["components"]["securitySchemes"]["bearer"]
    assert bearer["type"] == "http" and bearer["scheme"] == "bearer"
    assert bearer["bearerFormat"] == "JWT"
    assert "/.well-known/jwks.json" in bearer["description"]
    me = doc["paths"]["/api/v1/auth/me"]["get"]
    assert me["security"] == [{"bearer": []}]
    register = doc["paths"]["/api/v1/auth/register"]["post"]
    assert {} in register["security"]


async def test_error_codes_come_from_the_sql_source(client: httpx.AsyncClient) -> None:
    paths = (await fetch(client))["paths"]
    register = paths["/api/v1/auth/register"]["post"]
    assert "email_taken" in codes(register, 409)
    assert {"invalid_email", "weak_password", "unknown_field"} <= codes(register, 422)
    assert "invalid_json" in codes(register, 400)
    login = paths["/api/v1/auth/login"]["post"]
    assert "account_locked" in codes(login, 429)  # committed through private.error()
    assert "invalid_credentials" in codes(login, 401)
    booking = paths["/api/v1/bookings"]["post"]
    assert "slot_taken" in codes(booking, 409)
    assert {"outside_working_hours", "too_soon", "invalid_time"} <= codes(booking, 422)
    cancel = paths["/api/v1/bookings/{id}/cancel"]["post"]
    assert "cancellation_window_passed" in codes(cancel, 409)
    assert "token_expired" in codes(cancel, 401)
    assert "WWW-Authenticate" in cancel["responses"]["401"]["headers"]
    assert "Retry-After" in login["responses"]["429"]["headers"]
    for operation in (register, booking, cancel):
        problem = operation["responses"]["422"]["content"]["application/problem+json"]
        assert problem["schema"]["allOf"][0] == {"$ref": "#/components/schemas/Problem"}


async def test_request_schemas_match_the_function_arguments(
    client: httpx.AsyncClient, app: Any
) -> None:
    paths = (await fetch(client))["paths"]
    register = paths["/api/v1/auth/register"]["post"]
    schema = register["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"email", "password", "full_name", "locale"}
    assert schema["required"] == ["email", "password"]
    assert schema["additionalProperties"] is False
    booking = paths["/api/v1/bookings"]["post"]
    body = booking["requestBody"]["content"]["application/json"]["schema"]
    assert "idempotency_key" not in body["properties"]
    # A provider's id or "any": text in SQL, so a plain string here.
    assert body["properties"]["provider_id"] == {"type": "string"}
    assert body["properties"]["service_id"] == {"type": "string", "format": "uuid"}
    headers = {p["name"] for p in booking["parameters"] if p["in"] == "header"}
    assert headers == {"Idempotency-Key"}
    slots = paths["/api/v1/providers/{provider_id}/slots"]["get"]
    assert {p["name"] for p in slots["parameters"]} == {"provider_id", "service_id", "from", "to"}
    catalog = app.state.catalog
    for route in ROUTES:
        fn = catalog.functions[route.function]
        operation = paths[route.path][route.method.lower()]
        assert operation["description"] == fn.comment
        bound = set(re.findall(r"{([^}]+)}", route.path)) | set(route.query.values())
        bound |= set(route.headers.values())
        if route.body:
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            given = set(body["schema"]["properties"]) if body else set()
            assert given == set(fn.arg_names) - bound, route.path


async def test_document_has_an_etag_and_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get(DOC)
    etag = first.headers["etag"]
    again = await client.get(DOC, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = await client.get(DOC, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200
