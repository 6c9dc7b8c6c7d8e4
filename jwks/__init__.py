"""RS256 keys, JWKS and access tokens.

May import: nothing from `api`; the API, the command line and the tests build on it.
"""

from __future__ import annotations

from jwks.keys import (
    KeyConfigError,
    KeySet,
    SigningKey,
    generate_key,
    load_keyset,
    load_pem_text,
    private_pem,
    public_jwk,
    public_pem,
    rotate,
    thumbprint,
)
from jwks.tokens import TokenError, TokenErrorCode, Verifier, sign

__all__ = [
    "KeyConfigError",
    "KeySet",
    "SigningKey",
    "TokenError",
    "TokenErrorCode",
    "Verifier",
    "generate_key",
    "load_keyset",
    "load_pem_text",
    "private_pem",
    "public_jwk",
    "public_pem",
    "rotate",
    "sign",
    "thumbprint",
]
