"""GET /api/v1/openapi.json: an OpenAPI 3.1 document built from the route table and the catalog.

Arguments and their types come from the api functions' signatures, descriptions from their
`COMMENT ON`, error codes from their SQL source (api/contract/errorcodes.py), result shapes from
api/contract/shapes.py. The document is built once per catalog and served with an ETag.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as StarletteRoute

from api import VERSION
from api.common.errors import PROBLEM_JSON
from api.contract import openapi_static, shapes
from api.contract.errorcodes import ErrorCodes
from api.request import db
from api.request.catalog import Catalog, Function, argument_schema
from api.request.routes import PREFIX, ROUTES, Route

Schema = dict[str, Any]
PATH = PREFIX + "/openapi.json"
PARAM_RE = re.compile(r"{([^}]+)}")

# Answered before or around SQL, by any forwarded call (docs/errors.md, "Requests").
EDGE: dict[int, list[str]] = {
    400: ["invalid_host"],  # a Host outside ALLOWED_HOSTS
    401: openapi_static.TOKEN_CODES,
    422: ["validation_failed", "unknown_field"],
    429: ["rate_limited"],
    500: ["internal_error"],
    503: ["service_unavailable"],
    504: ["timeout"],
}
BODY_EDGE: dict[int, list[str]] = {400: ["invalid_json"], 413: ["payload_too_large"]}


HEADERS: dict[int, Schema] = {
    401: {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="<code>"'},
    429: {
        "Retry-After": "Seconds to wait",
        "RateLimit-Limit": "Requests allowed in the window of the tightest limit",
        "RateLimit-Remaining": "Requests left in that window (0 on a refusal)",
        "RateLimit-Reset": "Seconds until that window has room again",
    },
    503: {"Retry-After": "Seconds to wait"},
}

# A calendar feed route (Route.calendar) answers iCalendar text, not the function's JSON.
CALENDAR_FEED: dict[str, Schema] = {
    "200": {
        "description": "The feed (RFC 5545)",
        "headers": {
            "ETag": {"description": "The feed's version", "schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}},
        },
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    },
    "304": {"description": "Not modified: If-None-Match named the current ETag"},
}


def problem(status: int, codes: list[str] | set[str]) -> Schema:
    listed = sorted(set(codes))
    headers = {
        name: {"description": text, "schema": {"type": "string"}}
        for name, text in HEADERS.get(status, {}).items()
    }
    return {
        "description": ", ".join(listed),
        **({"headers": headers} if headers else {}),
        "content": {
            PROBLEM_JSON: {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Problem"},
                        {"properties": {"code": {"enum": listed}}},
                    ]
                }
            }
        },
    }


def _merge(*tables: dict[int, list[str]] | dict[int, set[str]]) -> dict[int, set[str]]:
    merged: dict[int, set[str]] = {}
    for table in tables:
        for status, codes in table.items():
            merged.setdefault(status, set()).update(codes)
    return merged


class Builder:
    def __init__(self, catalog: Catalog, codes: ErrorCodes) -> None:
        self.catalog = catalog
        self.codes = codes
        self.operation_ids: set[str] = set()

    def _operation_id(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.operation_ids:
            n += 1
            candidate = f"{name}_{n}"
        self.operation_ids.add(candidate)
        return candidate

    def _errors(
        self, fn: Function, *, body: bool, path_params: bool, extra: dict[int, set[str]]
    ) -> dict[str, Schema]:
        tables: list[dict[int, list[str]] | dict[int, set[str]]] = [
            EDGE,
            self.codes.of(fn.name),
            extra,
        ]
        if body:
            tables.append(BODY_EDGE)
        if not fn.anon:
            tables.append({401: ["unauthorized"]})
        if path_params:
            tables.append({404: ["not_found"]})
        merged = _merge(*tables)
        return {str(status): problem(status, merged[status]) for status in sorted(merged)}

    def _success(self, fn: Function, status: int) -> dict[str, Schema]:
        if fn.returns_void or status == 204:
            code = 204 if status == 200 else status
            return {str(code): {"description": "Done; no content"}}
        schema = shapes.RESULTS.get(fn.name, {})
        return {
            str(status): {
                "description": "The function's result",
                "content": {"application/json": {"schema": schema}},
            }
        }

    def _security(self, fn: Function) -> list[Schema]:
        return [{"bearer": []}, {}] if fn.anon else [{"bearer": []}]

    def _args(self, fn: Function) -> list[tuple[str, str, bool]]:
        return [
            (name, sql_type, i < fn.required)
            for i, (name, sql_type) in enumerate(zip(fn.arg_names, fn.arg_types, strict=True))
        ]

    @staticmethod
    def _body(args: list[tuple[str, str, bool]]) -> Schema | None:
        if not args:
            return None
        schema: Schema = {
            "type": "object",
            "additionalProperties": False,
            # null for an optional argument means "not given", as leaving it out does.
            "properties": {
                name: argument_schema(t) if req else shapes.nullable(argument_schema(t))
                for name, t, req in args
            },
        }
        required = [name for name, _, req in args if req]
        if required:
            schema["required"] = required
        return {
            "required": bool(required),
            "content": {"application/json": {"schema": schema}},
        }

    def route(self, route: Route) -> tuple[str, str, Schema] | None:
        fn = self.catalog.functions.get(route.function)
        if fn is None:
            return None
        args = self._args(fn)
        types = {name: (t, req) for name, t, req in args}
        path_names = PARAM_RE.findall(route.path)
        parameters: list[Schema] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": argument_schema(types.get(name, ("text", True))[0]),
            }
            for name in path_names
        ]
        for query, arg in route.query.items():
            sql_type, req = types.get(arg, ("text", False))
            parameters.append(
                {
                    "name": query,
                    "in": "query",
                    "required": req,
                    "schema": argument_schema(sql_type),
                }
            )
        for header, arg in route.headers.items():
            sql_type, req = types.get(arg, ("text", False))
            parameters.append(
                {
                    "name": header.title(),
                    "in": "header",
                    "required": req,
                    "schema": argument_schema(sql_type),
                }
            )
        bound = set(path_names) | set(route.query.values()) | set(route.headers.values())
        operation: Schema = {
            "tags": [route.path[len(PREFIX) :].split("/")[1]],
            "operationId": self._operation_id(fn.name),
            "summary": f"api.{fn.name}",
            "description": fn.comment or "",
            "security": self._security(fn),
            "parameters": parameters,
        }
        body = self._body([a for a in args if a[0] not in bound]) if route.body else None
        if body:
            operation["requestBody"] = body
        responses = CALENDAR_FEED if route.calendar else self._success(fn, route.status)
        operation["responses"] = {
            **responses,
            **self._errors(fn, body=route.body, path_params=bool(path_names), extra={}),
        }
        return route.path, route.method.lower(), operation

    def rpc(self, fn: Function) -> dict[str, Schema]:
        args = self._args(fn)
        success = self._success(fn, 200)
        if fn.name == "create_booking":  # a replayed Idempotency-Key answers the original 201
            success["201"] = success["200"]
        ops: dict[str, Schema] = {}
        base: Schema = {
            "tags": ["rpc"],
            "summary": f"api.{fn.name}",
            "description": fn.comment or "",
            "security": self._security(fn),
        }
        post: Schema = {**base, "operationId": self._operation_id(f"rpc_{fn.name}")}
        body = self._body(args)
        if body:
            post["requestBody"] = body
        post["responses"] = {
            **success,
            **self._errors(fn, body=True, path_params=False, extra={}),
        }
        ops["post"] = post
        plain = [a for a in args if not a[1].endswith("[]") and a[1] not in ("json", "jsonb")]
        if fn.read_only and len(plain) == len(args):
            ops["get"] = {
                **base,
                "operationId": self._operation_id(f"rpc_{fn.name}_get"),
                "parameters": [
                    {
                        "name": name,
                        "in": "query",
                        "required": req,
                        "schema": argument_schema(sql_type),
                    }
                    for name, sql_type, req in args
                ],
                "responses": {
                    **success,
                    **self._errors(fn, body=False, path_params=False, extra={}),
                },
            }
        return ops

    def document(self) -> Schema:
        paths: dict[str, Schema] = {}
        for route in ROUTES:
            built = self.route(route)
            if built is not None:
                path, method, operation = built
                paths.setdefault(path, {})[method] = operation
        paths.update(openapi_static.paths(problem))
        for name in sorted(self.catalog.functions):
            paths[f"{PREFIX}/rpc/{name}"] = self.rpc(self.catalog.functions[name])
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "slotbase",
                "version": VERSION,
                "description": openapi_static.DESCRIPTION,
            },
            "paths": paths,
            "components": {
                "securitySchemes": openapi_static.SECURITY_SCHEMES,
                "schemas": {**openapi_static.schemas(), **shapes.SCHEMAS},
            },
        }


async def document(request: Request) -> tuple[bytes, str]:
    """The document of the current catalog: (bytes, etag), built once per catalog.

    The error codes are read with the catalog at start (`load_codes`), so the document is
    built and served while the database is away; when the catalog was reloaded, they are read
    again if the database answers."""
    state = request.app.state
    cached = getattr(state, "openapi", None)
    if cached is not None and cached[0] is state.catalog:
        return cached[1], cached[2]
    catalog = state.catalog
    if cached is not None:
        with contextlib.suppress(db.Unavailable, asyncpg.PostgresError, *db.CONNECTION_ERRORS):
            await load_codes(state)
    codes = state.error_codes
    body = json.dumps(Builder(catalog, codes).document(), indent=1).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    state.openapi = (catalog, body, etag)
    return body, etag


async def load_codes(state: Any) -> None:
    state.error_codes = await ErrorCodes.load(state.pool)


async def openapi_json(request: Request) -> Response:
    body, etag = await document(request)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    match = request.headers.get("if-none-match", "")
    if etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def routes() -> list[BaseRoute]:
    return [StarletteRoute(PATH, openapi_json, methods=["GET"])]
