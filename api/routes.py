"""The route table: each REST route is one line naming the api function it forwards to.

Arguments come from the path (by name), the query string (declared names, optionally renamed)
and the JSON body (any argument not bound elsewhere). The generic /api/v1/rpc/<name> reaches
every api function the same way (PostgREST's convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)
    body: bool = False
    sign: bool = False


def r(method: str, path: str, function: str, status: int = 200, **kw: object) -> Route:
    return Route(method, PREFIX + path, function, status, **kw)  # type: ignore[arg-type]


PAGE = {"limit": "lim", "cursor": "cursor"}

ROUTES: list[Route] = [
    # Accounts and sessions
    r("POST", "/auth/register", "register", 201, body=True),
    r("POST", "/auth/login", "login", body=True, sign=True),
    r("POST", "/auth/refresh", "refresh", body=True, sign=True),
    r("POST", "/auth/logout", "logout", 204),
    r("POST", "/auth/logout-all", "logout_all", 204),
    r("POST", "/auth/change-password", "change_password", 204, body=True),
    r("GET", "/auth/sessions", "list_sessions", query=PAGE),
    r("DELETE", "/auth/sessions/{id}", "revoke_session", 204),
    r("GET", "/auth/me", "me"),
    r("GET", "/users/me", "me"),
    r("PATCH", "/users/me", "update_me", body=True),
    r("DELETE", "/users/me", "delete_me", 204),
    r("GET", "/users", "list_users", query=PAGE),
    r("GET", "/users/{id}", "get_user"),
]

# Functions whose result carries access-token claims for the API to sign.
SIGNING_FUNCTIONS = frozenset(route.function for route in ROUTES if route.sign)
