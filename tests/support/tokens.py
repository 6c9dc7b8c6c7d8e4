"""Claims, hand-made tokens and refusal codes for the tests of the jwks package."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from jwks import TokenError, Verifier

ISSUER = "https://slotbase.test"
AUDIENCE = "slotbase-api"
NOW = 1_700_000_000
LEEWAY = 30


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def claims(now: int = NOW, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "7b0c6a52-3c0e-4f1e-9c55-0d2f4f1b7a10",
        "sid": "1f6f5d0e-8d7a-4a57-9a37-2d8b2b0c9f11",
        "role": "authenticated",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "b1e4c1d2-57a4-4c0e-8f6d-6a3b1f2e9c01",
    }
    base.update(changes)
    return base


def craft(header: dict[str, Any], payload: dict[str, Any], signer: Callable[[bytes], bytes]) -> str:
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    return signing_input + "." + b64url(signer(signing_input.encode()))


def error_code(verifier: Verifier, token: str, now: float = NOW) -> str:
    with pytest.raises(TokenError) as caught:
        verifier.verify(token, now=now)
    assert caught.value.detail
    return caught.value.code
