"""The Starlette application: the route table turned into endpoints, plus lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.routing import Route as StarletteRoute

from api.common import resp
from api.common.errors import Problem, problem
from api.common.settings import Settings
from api.contract import docs, openapi
from api.edge import ratelimit
from api.edge.middleware import stack
from api.live import hub, listener, sse, ws
from api.ops import health, keysync, monitoring
from api.outbox import feeds
from api.request import catalog, db, oauth, replicas
from api.request.forward import JSON, invoke, read_json, unavailable
from api.request.routes import PREFIX, ROUTES, SIGNING_FUNCTIONS, TOKEN_PATH, Route
from api.web import pages
from jwks import KeySet, Verifier

log = logging.getLogger("slotbase")
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(route: Route) -> Endpoint:
    bound = set(route.query.values()) | set(route.headers.values())

    async def handle(request: Request) -> Response:
        try:
            args: dict[str, Any] = {}
            if route.body:
                args = await read_json(request, request.app.state.settings.max_body_bytes)
                taken = sorted((bound | set(request.path_params)).intersection(args))
                if taken:
                    raise Problem(422, "unknown_field", "Unknown field: " + ", ".join(taken))
            body = frozenset(args)
            # Most requests carry no query string: skip parsing an empty one.
            query = request.query_params.items() if request.scope["query_string"] else ()
            for name, value in query:
                if name not in route.query:
                    raise Problem(422, "unknown_field", f"Unknown query parameter: {name}.")
                args[route.query[name]] = value
            for header, name in route.headers.items():
                if (given := request.headers.get(header)) is not None:
                    args[name] = given
            args.update(request.path_params)
        except Problem as exc:
            return exc.answer()
        text = frozenset(args).difference(body)
        if route.calendar:
            return await calendar_feed(request, route.function, args, text)
        return await invoke(
            request, route.function, args, status=route.status, sign=route.sign, text=text
        )

    return handle


CALENDAR = "text/calendar; charset=utf-8"


async def calendar_feed(
    request: Request, function: str, args: dict[str, Any], text: frozenset[str]
) -> Response:
    """A feed route: the feed object SQL answers, written as iCalendar, with the ETag SQL
    computed; 304 when the client already has it. Errors stay problem+json."""
    answer = await invoke(request, function, args, text=text, anonymous=True)
    if answer.status_code != 200:
        return answer
    feed = json.loads(bytes(answer.body))
    etag = f'"{feed["etag"]}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=300"}
    match = request.headers.get("if-none-match", "")
    if match.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(feeds.calendar(feed).encode(), headers=headers, media_type=CALENDAR)


async def rpc(request: Request) -> Response:
    name = request.path_params["name"]
    fn = request.app.state.catalog.functions.get(name)
    try:
        if request.method == "GET":
            if fn is not None and not fn.read_only:
                raise Problem(405, "method_not_allowed", "This function changes data; POST it.")
            args: dict[str, Any] = dict(request.query_params)
        else:
            args = await read_json(request, request.app.state.settings.max_body_bytes)
    except Problem as exc:
        return exc.answer()
    return await invoke(
        request,
        name,
        args,
        sign=name in SIGNING_FUNCTIONS,
        read_only=request.method == "GET",
        text=frozenset(args) if request.method == "GET" else frozenset(),
    )


async def jwks_document(request: Request) -> Response:
    body = json.dumps(request.app.state.keyset.jwks()).encode()
    return Response(body, media_type=JSON, headers={"Cache-Control": "public, max-age=300"})


async def openid_configuration(request: Request) -> Response:
    issuer = request.app.state.settings.issuer
    doc = {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "token_endpoint": f"{issuer}{TOKEN_PATH}",
        "grant_types_supported": ["password", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["iss", "aud", "sub", "sid", "role", "iat", "nbf", "exp", "jti"],
    }
    return Response(json.dumps(doc).encode(), media_type=JSON)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return problem(404, "not_found", "No such resource.")
    if exc.status_code == 405:
        return problem(405, "method_not_allowed", "This method is not allowed here.")
    return problem(exc.status_code, "validation_failed", str(exc.detail))


async def on_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, db.Unavailable) or db.unavailable(exc):
        # A path that reached the database outside forward.invoke (the catalog, OpenAPI).
        return unavailable(exc)
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "internal_error", "Something went wrong on our side.")


def routes() -> list[BaseRoute]:
    table: list[BaseRoute] = [
        StarletteRoute(rt.path, endpoint(rt), methods=[rt.method]) for rt in ROUTES
    ]
    return [
        *table,
        StarletteRoute(TOKEN_PATH, oauth.token, methods=["POST"]),
        StarletteRoute(PREFIX + "/rpc/{name}", rpc, methods=["GET", "POST"]),
        StarletteRoute(PREFIX + "/events", sse.events, methods=["GET"]),
        WebSocketRoute(PREFIX + "/ws", ws.websocket_endpoint),
        StarletteRoute("/.well-known/jwks.json", jwks_document, methods=["GET"]),
        StarletteRoute(PREFIX + "/auth/jwks", jwks_document, methods=["GET"]),
        StarletteRoute("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        *health.routes(),
        *monitoring.routes(),
        *openapi.routes(),
        *docs.routes(),
        *pages.routes(),
    ]


async def open_database(state: Any, settings: Settings, dsn: str) -> None:
    """The pool, the catalog, the published keys, the role timeouts and the error codes.

    A database that is not there yet (starting, failing over, unreachable) is waited for, so
    API and database may start in any order; a refusal that waiting cannot mend (a wrong
    password, a missing database) stops the start at once."""
    delay, waited = 0.5, False
    while True:
        pool = None
        try:
            with db.away():
                pool = await db.create_pool(
                    dsn,
                    min_size=settings.db_pool_min,
                    max_size=settings.db_pool_max,
                    prepared_statements=settings.db_prepared_statements,
                )
                state.pool = pool
                state.catalog = await catalog.Catalog.load(pool)
                await keysync.try_publish(pool, state.keyset, settings)
                state.role_timeouts = await db.role_timeouts(pool)
                await openapi.load_codes(state)  # the document is built without the database
        except db.Unavailable as exc:
            if pool is not None:
                pool.terminate()
            if not waited:
                log.warning("waiting for the database: %s", exc or type(exc).__name__)
            waited = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        if waited:
            log.info("the database answers; starting")
        return


GC_THRESHOLD = 10_000  # allocations between collections of the youngest generation (700)


def settle_gc() -> None:
    """The garbage collector of a process that serves, once its app is built.

    Requests free what they allocate by reference counting, but the objects of the requests in
    flight (tens each) cross the youngest generation's default threshold every few requests: a
    collection runs, moves them on to older generations, and now and then a full collection
    walks the whole heap, tens of thousands of objects from the imports. What exists at start
    is frozen out of collections, and the youngest generation waits for more allocations."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def create_app(settings: Settings, *, dsn: str, keyset: KeySet | None = None) -> Starlette:
    """dsn: the API's own connection (role authenticator), never the owner's."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = app.state
        state.keyset = keyset or keysync.load_keys(settings)
        state.verifier = Verifier(
            state.keyset,
            issuer=settings.issuer,
            audience=settings.jwt_audience,
            leeway=settings.jwt_leeway_seconds,
        )
        await open_database(state, settings, dsn)
        state.redis = resp.Connection(settings.redis_url, timeout=0.5)  # /health asks it
        state.limiter = ratelimit.open_limiter(settings)
        state.router = await replicas.open_router(
            state.pool,
            settings.database_read_urls,
            redis_url=settings.redis_url,
            max_lag=settings.database_read_max_lag_seconds,
            max_size=settings.db_pool_max,
            prepared_statements=settings.db_prepared_statements,
        )
        state.hub = hub.Hub(hub.sql_caller(state))
        # LISTEN needs a session of its own, which a transaction-pooling PgBouncer cannot give.
        state.listener = listener.Listener(
            settings.direct_database_url or dsn, state.hub, pool=state.pool
        )
        metrics_server = None
        try:
            await state.listener.start()
            if settings.metrics_enabled and settings.metrics_port:
                metrics_server = await monitoring.start_server(
                    state, settings.host, settings.metrics_port
                )
            yield
        finally:
            if metrics_server is not None:
                await metrics_server.shutdown()
            await state.listener.stop()
            state.hub.close_all("shutdown")
            await state.router.stop()
            await state.redis.close()
            if state.limiter is not None:
                await state.limiter.close()
            await state.pool.close()

    app = Starlette(
        routes=routes(),
        middleware=stack(settings),
        exception_handlers={HTTPException: on_http_error, Exception: on_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
