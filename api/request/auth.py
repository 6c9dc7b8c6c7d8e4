"""Who is calling (bearer token → role and claims) and signing the pairs SQL issues.

Everything about accounts is decided in SQL; this module only verifies signatures and signs
the claims that api.login / api.refresh return.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Scope

from api.common.metrics import AUTH_FAILURES
from jwks import KeySet, TokenError, Verifier, sign


class Identity:
    __slots__ = ("claims", "role", "sub")

    def __init__(self, role: str, claims: str | None, sub: str | None = None) -> None:
        self.role = role
        self.claims = claims
        self.sub = sub  # the verified subject, for the access log; None for anon

    @property
    def anon(self) -> bool:
        return self.claims is None


ANON = Identity("anon", None)


def identify(authorization: str | None, verifier: Verifier) -> Identity:
    """Anon without a header; otherwise a verified token or TokenError.

    The verifier keeps what verifying a token found (jwks/cache.py), so a client repeating its
    header costs a lookup, not a signature check. Revocation is still checked by SQL on every call.
    """
    if not authorization:
        return ANON
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    try:
        if scheme.lower() != "bearer" or not token:
            raise TokenError("malformed_token", "Use the header 'Authorization: Bearer <token>'.")
        verified = verifier.check(token)
    except TokenError as exc:
        AUTH_FAILURES.labels(exc.code).inc()
        raise
    claims = verified.claims
    return Identity(claims["role"], verified.claims_json, claims["sub"])


def identify_caller(scope: Scope, authorization: str | None) -> Identity:
    """identify(), once per request: the outcome is kept in the request's scope state.

    The rate limiter, the route and the access log then share one verification, and a refused
    token counts once in AUTH_FAILURES. The verified `sub` is recorded as the access log's user.
    """
    state = scope.setdefault("state", {})
    seen = state.get("identity")
    if seen is not None and seen[0] == authorization:
        outcome = seen[1]
    else:
        app = scope["app"].state
        try:
            outcome = identify(authorization, app.verifier)
        except TokenError as exc:
            outcome = exc
        state["identity"] = (authorization, outcome)
    if isinstance(outcome, TokenError):
        raise outcome
    if outcome.sub is not None:
        state["user_id"] = outcome.sub
    return outcome


def sign_pair(body: str, keyset: KeySet, *, issuer: str, audience: str) -> bytes:
    """Replace the claims in a pair from SQL by the signed access token.

    Claims come back in the same order for the same pair (jsonb orders keys), and RS256 is
    deterministic, so a grace-window replay yields a byte-identical access token.
    """
    pair: dict[str, Any] = json.loads(body)
    claims = {"iss": issuer, "aud": audience, **pair.pop("claims")}
    token = sign(keyset, claims)
    out = {"access_token": token, **pair}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode()
