"""The hand-written parts of the OpenAPI document: routes that are not one SQL function each."""

from __future__ import annotations

from typing import Any, get_args

from api.request.routes import PREFIX, TOKEN_PATH
from jwks.tokens import TokenErrorCode

Schema = dict[str, Any]

TOKEN_CODES = [*get_args(TokenErrorCode), "session_revoked"]

DESCRIPTION = """\
slotbase: appointment booking where PostgreSQL is the product. Every route below forwards to one
SQL function in schema `api` under the caller's identity; the same functions are also reachable
as `/api/v1/rpc/<name>` (listed under the `rpc` tag). This document is generated from the route
table and from the functions' signatures and `COMMENT ON` text.

Errors are RFC 9457 `application/problem+json` documents whose `code` is a stable,
machine-readable code (see docs/errors.md); each response lists the codes that route can answer.
A 401 carries `WWW-Authenticate`, a 429 or 503 carries `Retry-After`. Rate-limited responses,
successful or not, carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
(docs/operations.md, "Rate limits"). A Host outside the configured allowed hosts is 400
`invalid_host`; `GET /metrics` (Prometheus text, operators only) is not part of this contract.

Live updates are also offered over a WebSocket at `/api/v1/ws` (subprotocol `slotbase.v1`, see
docs/live-updates.md); OpenAPI cannot describe it, so it is not listed as a path.
"""

SECURITY_SCHEMES: Schema = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "An RS256 access token from POST /api/v1/auth/login, /auth/refresh or /auth/token. "
            "Its signing keys are published at /.well-known/jwks.json (also /api/v1/auth/jwks); "
            "discovery at /.well-known/openid-configuration."
        ),
    }
}

PROBLEM: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "urn:slotbase:problem:<code>"},
        "title": {"type": "string", "description": "The HTTP reason phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "A sentence for humans; do not parse."},
        "code": {"type": "string", "description": "Stable, machine-readable code."},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}

OAUTH_ERROR: Schema = {
    "type": "object",
    "required": ["error", "error_description"],
    "properties": {
        "error": {
            "type": "string",
            "enum": [
                "invalid_request",
                "invalid_grant",
                "unsupported_grant_type",
                "server_error",
                "temporarily_unavailable",
            ],
        },
        "error_description": {"type": "string"},
    },
}

JWKS: Schema = {
    "type": "object",
    "required": ["keys"],
    "properties": {
        "keys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kty", "kid", "n", "e"],
                "properties": {
                    "kty": {"type": "string", "enum": ["RSA"]},
                    "use": {"type": "string"},
                    "alg": {"type": "string"},
                    "kid": {"type": "string"},
                    "n": {"type": "string"},
                    "e": {"type": "string"},
                },
            },
        }
    },
}

HEALTH: Schema = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded", "down"]},
        "version": {"type": "string"},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _json(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _oauth_error(description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}},
    }


def _health(path: str, summary: str, *, problem_503: bool = True) -> tuple[str, Schema]:
    responses = {"200": _json({"$ref": "#/components/schemas/Health"})}
    if problem_503:
        responses["503"] = _json({"$ref": "#/components/schemas/Health"}, "Down")
    return path, {"get": {"tags": ["health"], "summary": summary, "responses": responses}}


def paths(problem: Any) -> dict[str, Schema]:
    """problem(status, codes) -> a response object with application/problem+json."""
    jwks_get = {
        "tags": ["keys"],
        "summary": "The public keys that sign access tokens (JWKS)",
        "responses": {"200": _json({"$ref": "#/components/schemas/Jwks"})},
    }
    token_form = {
        "type": "object",
        "required": ["grant_type"],
        "properties": {
            "grant_type": {"type": "string", "enum": ["password", "refresh_token"]},
            "username": {"type": "string"},
            "password": {"type": "string"},
            "refresh_token": {"type": "string"},
            "scope": {"type": "string"},
            "client_id": {"type": "string"},
        },
    }
    events_problems = {
        "401": problem(401, [*TOKEN_CODES, "unauthorized"]),
        "404": problem(404, ["not_found"]),
        "422": problem(422, ["validation_failed", "unknown_field"]),
        "429": problem(429, ["rate_limited"]),
        "500": problem(500, ["internal_error"]),
        "503": problem(503, ["service_unavailable"]),
    }
    return {
        TOKEN_PATH: {
            "post": {
                "tags": ["auth"],
                "operationId": "oauth_token",
                "summary": "OAuth2 token endpoint (RFC 6749): password and refresh_token grants",
                "description": "The form flavour of login and refresh. Errors use the RFC 6749 "
                "§5.2 shape `{error, error_description}`; error_description carries the code.",
                "requestBody": {
                    "required": True,
                    "content": {"application/x-www-form-urlencoded": {"schema": token_form}},
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/TokenPair"}, "Token pair"),
                    "400": _oauth_error("invalid_request, invalid_grant, unsupported_grant_type"),
                    "401": _oauth_error("A bad client credential"),
                    "413": _oauth_error("The body is too large"),
                    "429": _oauth_error("account_locked or rate_limited; see Retry-After"),
                    "500": _oauth_error("server_error"),
                    "503": _oauth_error("temporarily_unavailable"),
                    "504": _oauth_error("server_error (timeout)"),
                },
            }
        },
        f"{PREFIX}/events": {
            "get": {
                "tags": ["live"],
                "operationId": "events",
                "summary": "Live updates as server-sent events",
                "description": "A `text/event-stream` of booking and availability events the "
                "caller may see (row-level security decides). `topics`: comma-separated, "
                "`bookings` or `availability:<provider id>`. `Last-Event-ID` resumes after an "
                "event id. See docs/live-updates.md.",
                "security": [{"bearer": []}, {}],
                "parameters": [
                    {"name": "topics", "in": "query", "schema": {"type": "string"}},
                    {"name": "Last-Event-ID", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "The event stream",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    **events_problems,
                },
            }
        },
        "/.well-known/jwks.json": {"get": {**jwks_get, "operationId": "jwks"}},
        f"{PREFIX}/auth/jwks": {"get": {**jwks_get, "operationId": "auth_jwks"}},
        "/.well-known/openid-configuration": {
            "get": {
                "tags": ["keys"],
                "operationId": "openid_configuration",
                "summary": "OpenID discovery: issuer, jwks_uri, token_endpoint",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["issuer", "jwks_uri", "token_endpoint"],
                            "properties": {
                                "issuer": {"type": "string"},
                                "jwks_uri": {"type": "string"},
                                "token_endpoint": {"type": "string"},
                            },
                        }
                    )
                },
            }
        },
        **dict(
            [
                _health("/health", "Status of the database, Redis and migrations"),
                _health("/health/live", "200 while the process runs", problem_503=False),
                _health("/health/ready", "200 when the database answers and is migrated"),
                _health("/health/db", "The database check"),
                _health("/health/redis", "The Redis check"),
            ]
        ),
    }


def schemas() -> dict[str, Schema]:
    return {"Problem": PROBLEM, "OAuthError": OAUTH_ERROR, "Jwks": JWKS, "Health": HEALTH}
