"""Fixtures of the jwks tests: three RSA keys made once per module, a key set publishing two
of them, and a verifier of that key set."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import KeySet, SigningKey, Verifier
from tests.support.tokens import AUDIENCE, ISSUER, LEEWAY


@pytest.fixture(scope="module")
def rsa_keys() -> list[RSAPrivateKey]:
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]


@pytest.fixture(scope="module")
def signing_key(rsa_keys: list[RSAPrivateKey]) -> RSAPrivateKey:
    return rsa_keys[0]


@pytest.fixture(scope="module")
def previous_key(rsa_keys: list[RSAPrivateKey]) -> RSAPrivateKey:
    return rsa_keys[1]


@pytest.fixture(scope="module")
def stranger_key(rsa_keys: list[RSAPrivateKey]) -> RSAPrivateKey:
    return rsa_keys[2]


@pytest.fixture(scope="module")
def keyset(signing_key: RSAPrivateKey, previous_key: RSAPrivateKey) -> KeySet:
    return KeySet(SigningKey(signing_key, "current"), {"previous": previous_key.public_key()})


@pytest.fixture
def verifier(keyset: KeySet) -> Verifier:
    return Verifier(keyset, issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY)
