"""Who is calling (bearer token → role and claims) and signing the pairs SQL issues.

Everything about accounts is decided in SQL; this module only verifies signatures and signs
the claims that api.login / api.refresh return.
"""

from __future__ import annotations

import json
from typing import Any

from jwks import KeySet, TokenError, Verifier, sign


class Identity:
    __slots__ = ("claims", "role")

    def __init__(self, role: str, claims: str | None) -> None:
        self.role = role
        self.claims = claims

    @property
    def anon(self) -> bool:
        return self.claims is None


ANON = Identity("anon", None)


def identify(authorization: str | None, verifier: Verifier) -> Identity:
    """Anon without a header; otherwise a verified token or TokenError."""
    if not authorization:
        return ANON
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise TokenError("malformed_token", "Use the header 'Authorization: Bearer <token>'.")
    claims = verifier.verify(token)
    return Identity(str(claims.get("role", "")), json.dumps(claims, separators=(",", ":")))


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
