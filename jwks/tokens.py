"""Signing and verifying RS256 access tokens against a KeySet.

PyJWT's decode parses the token (canonical base64url, JSON objects), holds `alg` to the allowed
list, verifies the signature with the key the token's `kid` names and requires the claims. What
stays here is what PyJWT does not do, or does otherwise than slotbase answers; private.verify_jwt
(sql/code/12-tokens.sql) makes the same checks in the same order, so a token gets the same code
at either door (but for one thing PyJWT adds: a signed token with a part in non-canonical
base64url, or with `b64: false`, is malformed_token here and taken by SQL):

- At most 8192 ASCII characters, unpadded base64url (PyJWT takes `=` padding).
- The header is read first, for `alg`, `crit` (refused; PyJWT takes `b64`) and `kid`: PyJWT must
  be handed the key, and its get_unverified_header decodes and checks every part before anything
  else, so a refused `alg` would answer malformed_token for a fault further on.
- The signature is checked once with PyJWT's Algorithm.verify before PyJWT's decode checks it
  again. PyJWT (2.15) checks the base64url alphabet of every part one character at a time in
  Python before it verifies: a forged 8 KiB token under a published kid cost its decode 364 µs,
  8.4 times the 43 µs it costs here (`PYTHONPATH=. .venv/bin/python -m bench.tokens`, 2 shared
  cores, 2026-12-05), and refusals are not cached: a forged token is verified on every request,
  before the rate limiter has decided. A token that verifies pays the second RSA check (20 µs
  in that run) once; then it is cached.
- Claim types: PyJWT reads a time with int(), so "1700000000", true or 1.9 pass, and it does not
  look at sid or role.
- exp, nbf, iat with the leeway, then aud, then iss: PyJWT reads the clock itself (a cache hit,
  and a test, must be judged at a given instant by the same rule), checks iat, nbf, exp, iss,
  aud in that order, and raises the same InvalidIssuerError for an issuer that is not a string
  (malformed_token) and for another issuer (wrong_issuer).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import time
from types import MappingProxyType
from typing import Any, Literal

import jwt
from jwt.algorithms import Algorithm, get_default_algorithms

from jwks.cache import Verified, VerifiedCache
from jwks.keys import KeySet

TokenErrorCode = Literal[
    "token_expired",
    "token_not_yet_valid",
    "unknown_kid",
    "bad_signature",
    "wrong_audience",
    "wrong_issuer",
    "algorithm_not_allowed",
    "malformed_token",
]

REQUIRED_CLAIMS = ("iss", "aud", "sub", "sid", "role", "iat", "nbf", "exp", "jti")
STRING_CLAIMS = ("iss", "sub", "sid", "role", "jti")
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
MAX_TOKEN_LENGTH = 8192
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# What PyJWT checks of the claims; the rest is checked below, in slotbase's order.
_DECODE_OPTIONS: jwt.types.Options = {
    "require": list(REQUIRED_CLAIMS),
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


class TokenError(Exception):
    def __init__(self, code: TokenErrorCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code: TokenErrorCode = code
        self.detail = detail


def sign(keyset: KeySet, claims: dict[str, Any]) -> str:
    """RS256 is deterministic: the same claims and key always give the same token."""
    return jwt.encode(
        claims,
        keyset.signing.private_key,
        algorithm="RS256",
        headers={"kid": keyset.signing.kid, "typ": "JWT"},
    )


def _b64decode(segment: str, what: str) -> bytes:
    if not _B64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise TokenError("malformed_token", f"{what} is not base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("malformed_token", f"{what} is not base64url") from None


def _header(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment, "header"))
    except (ValueError, RecursionError):
        raise TokenError("malformed_token", "header is not JSON") from None
    if not isinstance(value, dict):
        raise TokenError("malformed_token", "header is not a JSON object")
    return value


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenError("malformed_token", f"claim {name!r} must be a NumericDate")
    return float(value)


class Verifier:
    def __init__(
        self,
        keyset: KeySet,
        *,
        issuer: str,
        audience: str,
        leeway: int = 30,
        algorithms: tuple[str, ...] = ("RS256",),
        cache_size: int = 10000,
    ) -> None:
        unsupported = [alg for alg in algorithms if alg not in RSA_ALGORITHMS]
        if unsupported or not algorithms:
            raise ValueError(f"only RSA signature algorithms can be allowed, got {unsupported}")
        if leeway < 0:
            raise ValueError("leeway must be >= 0")
        known = get_default_algorithms()
        self._algorithms: dict[str, Algorithm] = {alg: known[alg] for alg in algorithms}
        self._decoder = jwt.PyJWT(_DECODE_OPTIONS)
        self._keyset = keyset
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._cache = VerifiedCache(cache_size)

    @property
    def keyset(self) -> KeySet:
        return self._keyset

    def replace_keyset(self, keyset: KeySet) -> None:
        self._keyset = keyset
        self._cache.clear()

    @property
    def cache_entries(self) -> int:
        return len(self._cache)

    def verify(self, token: str, now: float | None = None) -> dict[str, Any]:
        """The token's claims, a copy the caller may change."""
        return dict(self.check(token, now).claims)

    def check(self, token: str, now: float | None = None) -> Verified:
        """The cached outcome of verifying the token; TokenError when it does not verify."""
        if now is None:
            now = time.time()
        if not isinstance(token, str) or not token.isascii() or len(token) > MAX_TOKEN_LENGTH:
            raise TokenError("malformed_token", "token is not a compact JWS")
        digest = hashlib.sha256(token.encode("ascii")).digest()
        hit = self._cache.get(digest)
        if hit is None:
            hit = self._verify_uncached(token, now)
            self._cache.put(digest, hit)
        else:
            try:
                self._check_time(hit, now)
            except TokenError:
                self._cache.drop(digest)
                raise
        return hit

    def _verify_uncached(self, token: str, now: float) -> Verified:
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed_token", "token must have three dot-separated parts")
        header = _header(parts[0])
        alg = header.get("alg")
        if not isinstance(alg, str):
            raise TokenError("malformed_token", "header has no 'alg'")
        if alg not in self._algorithms:
            raise TokenError("algorithm_not_allowed", f"algorithm {alg!r} is not allowed")
        if "crit" in header:
            raise TokenError("malformed_token", "header 'crit' extensions are not supported")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("malformed_token", "header has no 'kid'")
        key = self._keyset.public_key(kid)
        if key is None:
            raise TokenError("unknown_kid", f"no published key has kid {kid!r}")
        signature = _b64decode(parts[2], "signature")
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        if not self._algorithms[alg].verify(signing_input, key, signature):
            raise TokenError("bad_signature", "signature does not match")
        if not _B64URL.fullmatch(parts[1]):
            raise TokenError("malformed_token", "payload is not base64url")  # PyJWT takes padding

        try:
            claims = self._decoder.decode(token, key, algorithms=[alg])
        except jwt.InvalidSignatureError:
            raise TokenError("bad_signature", "signature does not match") from None
        except jwt.InvalidAlgorithmError:
            raise TokenError("algorithm_not_allowed", f"algorithm {alg!r} is not allowed") from None
        except jwt.InvalidTokenError as exc:
            raise TokenError("malformed_token", str(exc)) from None

        for name in STRING_CLAIMS:
            if not isinstance(claims[name], str):
                raise TokenError("malformed_token", f"claim {name!r} must be a string")
        aud = claims["aud"]
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise TokenError("malformed_token", "claim 'aud' must be a string or list of strings")

        verified = Verified(
            MappingProxyType(claims),
            json.dumps(claims, separators=(",", ":")),
            *(_number(claims, name) for name in ("exp", "nbf", "iat")),
        )
        self._check_time(verified, now)
        if self.audience not in audiences:
            raise TokenError("wrong_audience", f"token is not for audience {self.audience!r}")
        if claims["iss"] != self.issuer:
            raise TokenError("wrong_issuer", f"token was not issued by {self.issuer!r}")
        return verified

    def _check_time(self, verified: Verified, now: float) -> None:
        if verified.exp <= now - self.leeway:
            raise TokenError("token_expired", "token has expired")
        if verified.nbf > now + self.leeway:
            raise TokenError("token_not_yet_valid", "token is not valid yet (nbf)")
        if verified.iat > now + self.leeway:
            raise TokenError("token_not_yet_valid", "token was issued in the future (iat)")
