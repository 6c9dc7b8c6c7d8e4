"""What a user and a token pair look like, as every account test checks them."""

from __future__ import annotations

from typing import Any

import jwt

USER_KEYS = {"id", "email", "full_name", "locale", "email_verified", "created_at"}
PAIR_KEYS = {"access_token", "token_type", "expires_in", "refresh_token", "user"}
CLAIMS = {"iss", "aud", "sub", "sid", "role", "iat", "nbf", "exp", "jti"}


def unverified_claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def assert_pair(body: Any) -> None:
    assert set(body) == PAIR_KEYS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert isinstance(body["refresh_token"], str) and len(body["refresh_token"]) >= 32
    assert set(body["user"]) == USER_KEYS
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256" and header["typ"] == "JWT" and header["kid"]
    claims = unverified_claims(body["access_token"])
    assert set(claims) >= CLAIMS
    assert claims["sub"] == body["user"]["id"]
    assert claims["role"] == "authenticated"
    assert claims["exp"] - claims["iat"] == body["expires_in"]
