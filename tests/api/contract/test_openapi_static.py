"""api/contract/openapi_static.py: the hand-written part of the OpenAPI document (the OAuth2
token form, SSE, keys, health), held against the routes that answer it."""

from __future__ import annotations

from typing import Any, get_args

import httpx
import jsonschema
import pytest
from starlette.routing import Route

from api.app import routes
from api.contract.openapi_static import TOKEN_CODES, paths, schemas
from jwks import TokenErrorCode

pytestmark = pytest.mark.anyio


def problem(status: int, codes: list[str] | set[str]) -> dict[str, Any]:
    return {"description": str(status), "x-codes": sorted(codes)}


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas()}}
    )


def test_every_hand_written_path_is_served_with_its_method() -> None:
    served = {
        (route.path, method.lower())
        for route in routes()
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    documented = {(path, method) for path, item in paths(problem).items() for method in item}
    assert documented - served == set()
    assert len(documented) == 10


def test_a_stream_may_be_refused_with_every_token_code() -> None:
    refusals = paths(problem)["/api/v1/events"]["get"]["responses"]["401"]["x-codes"]
    assert set(get_args(TokenErrorCode)) | {"session_revoked", "unauthorized"} == set(refusals)
    assert "session_revoked" in TOKEN_CODES


async def test_the_keys_and_health_answers_fit_their_schemas(client: httpx.AsyncClient) -> None:
    for path in ("/.well-known/jwks.json", "/api/v1/auth/jwks"):
        validator("Jwks").validate((await client.get(path)).json())
    for path in ("/health", "/health/live", "/health/ready", "/health/db", "/health/redis"):
        validator("Health").validate((await client.get(path)).json())


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "client_credentials"},
        {"grant_type": "password", "username": "a@example.com"},
        {"grant_type": "password", "username": "nobody@example.com", "password": "nope-nope"},
        {"grant_type": "refresh_token", "refresh_token": "not-a-refresh-token"},
    ],
)
async def test_every_oauth_error_the_token_endpoint_answers_is_in_its_schema(
    client: httpx.AsyncClient, form: dict[str, str]
) -> None:
    response = await client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 400
    validator("OAuthError").validate(response.json())  # the error is one of its enum
