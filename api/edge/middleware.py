"""The order of the layers at the edge: `stack` lists the middleware, outermost first."""

from __future__ import annotations

from starlette.middleware import Middleware

from api.common.settings import Settings
from api.edge.access import AccessLog
from api.edge.context import RequestContext
from api.edge.cors import cors
from api.edge.hosts import AllowedHosts
from api.edge.proxies import ClientAddress
from api.edge.ratelimit import RateLimit
from api.edge.timeouts import Deadline


def stack(settings: Settings) -> list[Middleware]:
    """The edge, outermost first."""
    hsts = settings.hsts_max_age if settings.production else None
    layers = [
        # Outermost, so it sees the final status of everything below, refusals included.
        Middleware(AccessLog),
        Middleware(RequestContext, hsts_max_age=hsts),
    ]
    if settings.cors_origins:
        # Outside the limiter, so a browser app can read a 429 and its Retry-After.
        layers.append(cors(settings))
    layers += [
        # The client address (TRUSTED_PROXIES), once, for the limits, the access log and SQL.
        Middleware(ClientAddress, settings=settings),
        # After the request id (its 429s carry one), before the rest.
        Middleware(RateLimit, settings=settings),
        Middleware(AllowedHosts, allowed=settings.allowed_hosts),
        Middleware(Deadline, seconds=settings.request_timeout_seconds),
    ]
    return layers
