"""Forwarding one call to SQL: read the body, identify the caller, call, answer.

`call` is the one way any part of the layer calls an api function under an identity (the HTTP
routes through `invoke`, live updates through api.live.hub): the catalog (reloaded when
migrated while running), the route to the primary or a replica, the role's statement timeout,
and every failure as a Problem. The JSON that SQL returns is written to the client as is; only
token pairs are opened, to sign.
"""

from __future__ import annotations

import functools
import json
import logging
from json.encoder import encode_basestring_ascii  # json.dumps's quoting of a str
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from api.common.errors import RETRYABLE, Problem, from_body, from_postgres, problem
from api.common.metrics import AUTH_FAILURES
from api.common.scope import header
from api.common.settings import Settings
from api.request import catalog, db, replicas
from api.request.auth import ANON, Identity, identify_caller, sign_pair
from jwks import TokenError

log = logging.getLogger("slotbase")
JSON = "application/json"


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise Problem(413, "payload_too_large", f"The body may be at most {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "payload_too_large", f"The body may be at most {limit} bytes.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "invalid_json", "The body is not valid JSON.") from None
    except RecursionError:
        data = TOO_DEEP  # nested past the parser's limit: refused below like any deep body
    if data is TOO_DEEP or _depth(data) > MAX_DEPTH:
        raise Problem(422, "validation_failed", f"JSON nested deeper than {MAX_DEPTH}.")
    if not isinstance(data, dict):
        raise Problem(422, "validation_failed", "The body must be a JSON object.")
    return data


MAX_DEPTH = 32  # no argument of the contract nests deeper than a few levels
TOO_DEEP = object()


def _depth(value: Any) -> int:
    """Nesting depth, counted without recursion (a deep body must not exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _context(request: Request) -> str:
    """json.dumps({"id": ..., "ip": ..., "user_agent": ...}), written out: the same text at a
    fraction of the cost, on every request."""
    scope = request.scope
    state = scope.get("state", {})
    peer = scope.get("client")
    client = state.get("client_ip") or (peer[0] if peer else None)
    rid, agent = state.get("request_id"), header(scope, b"user-agent")
    return f'{{"id": {_json(rid)}, "ip": {_json(client)}, "user_agent": {_json(agent)}}}'


def _json(value: object) -> str:
    if value is None:
        return "null"
    return encode_basestring_ascii(value) if isinstance(value, str) else json.dumps(value)


def unavailable(exc: BaseException) -> Response:
    """503 with Retry-After for a database that is away (db.unavailable)."""
    log.warning("database unavailable: %s", exc)
    return problem(503, "service_unavailable", "The database is unreachable; try again.")


def _signed_sub(body: str | None) -> str:
    """The person a token pair from SQL (login, register, refresh) was made for; "" if none.

    Their first read with the new token must find the session just written."""
    try:
        return str(json.loads(body or "")["claims"]["sub"])
    except (ValueError, KeyError, TypeError):
        return ""


async def call(
    state: Any,
    identity: Identity,
    function: str,
    args: dict[str, Any],
    *,
    context: str,
    read_only: bool | None = None,
    primary: bool = False,
    sign: bool = False,
    text: frozenset[str] = frozenset(),
) -> tuple[catalog.Function, db.Result]:
    """Call api.<function>(args) as `identity`; any error status is raised as a Problem.

    `primary` keeps a read off the replicas (a check that must see what was just committed).
    """
    router = state.router
    routed = False  # a call that never reached the router wrote nothing
    try:
        if function not in state.catalog.functions and state.catalog.stale():
            state.catalog = await catalog.Catalog.load(state.pool)  # migrated while running?
        fn, sql = state.catalog.prepare(function, args, anon=identity.anon, text=text)
        read_only = fn.read_only if read_only is None else read_only
        pool, on_replica = await router.pool_for(identity.sub, read_only=read_only and not primary)
        routed = router.enabled
        run = functools.partial(
            db.call,
            sql=sql,
            args=args,
            role=identity.role,
            claims=identity.claims,
            context=context,
            read_only=read_only,
            statement_timeout=state.role_timeouts.get(identity.role),
            wal=router.enabled,
        )
        try:
            result = await run(pool)
        except (db.Unavailable, asyncpg.PostgresError) as exc:
            # On a replica, a read is safe to repeat on the primary: the replica went away, or
            # cancelled the read in a recovery conflict (40001).
            conflict = getattr(exc, "sqlstate", None) in RETRYABLE
            if not on_replica or not (isinstance(exc, db.Unavailable) or conflict):
                raise
            if isinstance(exc, db.Unavailable):
                router.replica_failed(pool)
            result = await run(state.pool)
        if result.wal is not None:
            await router.wrote(_signed_sub(result.body) if sign else identity.sub, result.wal)
    except db.Unavailable as exc:
        if routed and not read_only and identity.sub:
            # The write may have committed: this person reads from the primary for a while.
            await router.wrote(identity.sub, replicas.UNKNOWN)
        raise Problem.of(unavailable(exc)) from exc
    except TimeoutError as exc:
        # The role's statement_timeout, enforced by cancelling the query (see db.call).
        raise Problem(504, "timeout", "The request took too long and was cancelled.") from exc
    except asyncpg.PostgresError as exc:
        if exc.sqlstate == "PT401" and not identity.anon:
            AUTH_FAILURES.labels(str(getattr(exc, "message", "") or "unauthorized")).inc()
        raise Problem.of(from_postgres(exc, anon=identity.anon)) from exc
    except db.CONNECTION_ERRORS as exc:
        raise Problem.of(unavailable(exc)) from exc
    if result.status >= 400:
        raise Problem.of(from_body(result.status, result.body or "", result.headers))
    return fn, result


async def invoke(
    request: Request,
    function: str,
    args: dict[str, Any],
    *,
    status: int = 200,
    sign: bool = False,
    read_only: bool | None = None,
    anonymous: bool = False,
    text: frozenset[str] = frozenset(),
) -> Response:
    """Forward one call to SQL under the caller's identity and answer with its JSON as is."""
    state = request.app.state
    try:
        identity = ANON
        if not anonymous:
            identity = identify_caller(request.scope, header(request.scope, b"authorization"))
        fn, result = await call(
            state,
            identity,
            function,
            args,
            context=_context(request),
            read_only=read_only,
            sign=sign,
            text=text,
        )
    except TokenError as exc:
        return problem(401, exc.code, exc.detail)
    except Problem as exc:
        return exc.answer()
    if result.status != 200:
        status = result.status
    if status == 204 or fn.returns_void:
        return Response(status_code=204 if status == 200 else status, headers=result.headers)
    body = (result.body or "null").encode()
    if sign:
        s: Settings = state.settings
        body = sign_pair(body.decode(), state.keyset, issuer=s.issuer, audience=s.jwt_audience)
    return Response(body, status_code=status, headers=result.headers, media_type=JSON)
