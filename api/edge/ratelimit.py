"""Rate limits per client address, per user and for the auth routes, shared through Redis.

Every HTTP request (but /health* and /metrics) and every WebSocket upgrade counts against its
client address (api.edge.proxies); a request with a valid bearer token also counts against its user
(the verified `sub`); login, register, refresh and password reset count against a stricter bucket
per address as well. One script call decides all of a request's buckets (api.edge.gcra).

When Redis fails the limiter decides in-process, logs a warning once, and tries Redis again every
few seconds; /health reports `degraded` meanwhile. Limits are then per instance, not shared.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.common import metrics
from api.common.errors import problem
from api.common.resp import Connection, ReplyError, bulk
from api.common.scope import header
from api.common.settings import Rate, Settings
from api.edge import gcra
from api.request.auth import identify_caller
from api.request.routes import AUTH_PATHS
from jwks import TokenError

log = logging.getLogger("slotbase")
RETRY_SECONDS = 5.0
EXEMPT = ("/health", "/metrics")


class Limiter:
    """Decides in Redis; falls back to in-process buckets while Redis does not answer."""

    def __init__(self, redis_url: str, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.redis = Connection(redis_url, timeout=0.25)
        self.local = gcra.Local()
        self.retry_seconds = retry_seconds
        self.fallback_since: float | None = None
        self._retry_at = 0.0

    @property
    def shared(self) -> bool:
        return self.fallback_since is None

    async def decide(self, buckets: Sequence[gcra.Bucket]) -> gcra.Decision:
        if self.fallback_since is not None:
            now = time.monotonic()
            if now < self._retry_at:
                return self.local.decide(buckets)
            self._retry_at = now + self.retry_seconds  # one request at a time tries Redis
        try:
            reply = await self._call(buckets)
        except (ReplyError, OSError) as exc:
            if self.fallback_since is None:
                self.fallback_since = time.monotonic()
                self._retry_at = self.fallback_since + self.retry_seconds
                log.warning(
                    "rate limits: Redis unavailable (%s: %s); limiting per process until it "
                    "answers again",
                    type(exc).__name__,
                    exc,
                )
            return self.local.decide(buckets)
        self._resumed()
        return gcra.from_reply(reply)

    async def recheck(self) -> None:
        """While limiting per process, ask Redis again when a retry is due: /health calls this,
        so an instance without limited traffic notices too that Redis is back."""
        now = time.monotonic()
        if self.fallback_since is None or now < self._retry_at:
            return
        self._retry_at = now + self.retry_seconds
        try:
            await self.redis.execute("PING")
        except (ReplyError, OSError):
            return
        self._resumed()

    def _resumed(self) -> None:
        if self.fallback_since is not None:
            down = time.monotonic() - self.fallback_since
            self.fallback_since = None
            log.info("rate limits: Redis answers again after %.0f s; limits are shared again", down)

    async def _call(self, buckets: Sequence[gcra.Bucket]) -> list[int]:
        # EVALSHA <sha> <n> <keys...> <limit window>...: only the keys are encoded per request.
        n = len(buckets)
        head = b"*%d\r\n$7\r\nEVALSHA\r\n$40\r\n%s\r\n%s" % (3 + 3 * n, SHA, bulk(n))
        keys = b"".join([bulk(b.key) for b in buckets])
        rates = b"".join([_rate_args(b.limit, b.window_ms) for b in buckets])
        try:
            reply = await self.redis.send(head + keys + rates)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
            args = gcra.script_args(buckets)
            keys_ = [b.key for b in buckets]
            reply = await self.redis.execute("EVAL", gcra.SCRIPT, n, *keys_, *args)
        assert isinstance(reply, list)
        return reply

    async def close(self) -> None:
        await self.redis.close()


SHA = gcra.SHA.encode()


@functools.cache
def _rate_args(limit: int, window_ms: int) -> bytes:
    return bulk(limit) + bulk(window_ms)


def open_limiter(settings: Settings) -> Limiter | None:
    return Limiter(settings.redis_url) if settings.rate_limit_enabled else None


def _bucket(kind: str, who: str, rate: Rate) -> gcra.Bucket:
    return gcra.Bucket(f"rl:{kind}:{who}", rate.limit, rate.window * 1000)


class RateLimit:
    """Applies the limits (when enabled) to the address ClientAddress resolved.

    The limiter and verifier are read from app.state, which the lifespan fills.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.rates = {
            "ip": settings.rate_limit_ip,
            "user": settings.rate_limit_user,
            "auth": settings.rate_limit_auth,
        }

    def buckets(self, scope: Scope, ip: str) -> tuple[list[str], list[gcra.Bucket]]:
        kinds, buckets = ["ip"], [_bucket("ip", ip, self.rates["ip"])]
        authorization = header(scope, b"authorization")
        if authorization:
            try:
                sub = identify_caller(scope, authorization).sub
            except TokenError:
                sub = None  # the route answers 401; the address limit still applies
            if sub:
                kinds.append("user")
                buckets.append(_bucket("user", sub, self.rates["user"]))
        if scope["path"] in AUTH_PATHS:
            kinds.append("auth")
            buckets.append(_bucket("auth", ip, self.rates["auth"]))
        return kinds, buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        limiter: Limiter | None = getattr(scope["app"].state, "limiter", None)
        if limiter is None or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        kinds, buckets = self.buckets(scope, scope["state"]["client_key"])
        decision = await limiter.decide(buckets)
        bucket = buckets[decision.bucket]
        headers = [
            (b"ratelimit-limit", str(bucket.limit).encode()),
            (b"ratelimit-remaining", str(decision.remaining).encode()),
            (b"ratelimit-reset", str(-(-decision.reset_ms // 1000)).encode()),
        ]
        if not decision.allowed:
            metrics.RATE_LIMITED.labels(limit=kinds[decision.bucket]).inc()
            await self.refuse(scope, receive, send, headers, decision)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        decision: gcra.Decision,
    ) -> None:
        retry = str(max(1, -(-decision.retry_ms // 1000)))
        response = problem(
            429,
            "rate_limited",
            f"Too many requests; try again in {retry} s.",
            {"Retry-After": retry, **{k.decode(): v.decode() for k, v in headers}},
        )
        if scope["type"] == "http":
            await response(scope, receive, send)
            return
        # A WebSocket upgrade is refused before it is accepted: with the HTTP answer where the
        # server supports it, else with a close (which the server turns into a 403).
        if "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": 429,
                    "headers": response.raw_headers,
                }
            )
            await send({"type": "websocket.http.response.body", "body": response.body})
        else:
            await send({"type": "websocket.close", "code": 1008, "reason": "rate_limited"})
