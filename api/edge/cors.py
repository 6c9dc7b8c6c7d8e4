"""CORS from configuration (CORS_ORIGINS, CORS_ALLOW_CREDENTIALS), on Starlette's middleware.

Without CORS_ORIGINS no CORS header is ever sent (browsers then refuse cross-origin reads). A
preflight the configuration does not allow is answered 400 cors_refused as problem+json.
Settings.check refuses `*` together with credentials.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from api.common.errors import problem
from api.common.settings import Settings

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-None-Match",
    "Last-Event-ID",
    "X-Request-ID",
]
EXPOSED = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
]


class ProblemCORS(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode(errors="replace")  # "Disallowed CORS origin, ..."
        return problem(400, "cors_refused", reason.replace("Disallowed CORS", "Not allowed:"))


def cors(settings: Settings) -> Middleware:
    return Middleware(
        ProblemCORS,
        allow_origins=list(settings.cors_origins),
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=METHODS,
        allow_headers=HEADERS,
        expose_headers=EXPOSED,
        max_age=600,
    )
