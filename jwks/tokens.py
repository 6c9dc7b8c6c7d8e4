"""Signing and verifying RS256 access tokens against a KeySet."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import time
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
TIME_CLAIMS = ("iat", "nbf", "exp")
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
MAX_TOKEN_LENGTH = 8192
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


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


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment, what))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TokenError("malformed_token", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise TokenError("malformed_token", f"{what} is not a JSON object")
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
        return dict(hit.claims)

    def _verify_uncached(self, token: str, now: float) -> Verified:
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed_token", "token must have three dot-separated parts")
        header_b64, payload_b64, signature_b64 = parts
        header = _json_object(header_b64, "header")

        alg = header.get("alg")
        if not isinstance(alg, str):
            raise TokenError("malformed_token", "header has no 'alg'")
        algorithm = self._algorithms.get(alg)
        if algorithm is None:
            raise TokenError("algorithm_not_allowed", f"algorithm {alg!r} is not allowed")
        if "crit" in header:
            raise TokenError("malformed_token", "header 'crit' extensions are not supported")

        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("malformed_token", "header has no 'kid'")
        key = self._keyset.public_key(kid)
        if key is None:
            raise TokenError("unknown_kid", f"no published key has kid {kid!r}")

        signature = _b64decode(signature_b64, "signature")
        signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
        if not algorithm.verify(signing_input, key, signature):
            raise TokenError("bad_signature", "signature does not match")

        claims = _json_object(payload_b64, "payload")
        missing = [name for name in REQUIRED_CLAIMS if name not in claims]
        if missing:
            raise TokenError("malformed_token", f"missing claims: {', '.join(missing)}")
        for name in STRING_CLAIMS:
            if not isinstance(claims[name], str):
                raise TokenError("malformed_token", f"claim {name!r} must be a string")
        aud = claims["aud"]
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise TokenError("malformed_token", "claim 'aud' must be a string or list of strings")

        verified = Verified(claims, *(_number(claims, name) for name in ("exp", "nbf", "iat")))
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
