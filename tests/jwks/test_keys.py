from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import (
    KeyConfigError,
    KeySet,
    SigningKey,
    load_keyset,
    private_pem,
    public_pem,
    thumbprint,
)
from tests.support.tokens import b64url_int


def test_jwks_lists_the_signing_key_first_then_published_keys(
    keyset: KeySet, signing_key: RSAPrivateKey
) -> None:
    document = keyset.jwks()
    assert [key["kid"] for key in document["keys"]] == ["current", "previous"]
    assert all(key["use"] == "sig" and key["alg"] == "RS256" for key in document["keys"])
    assert b64url_int(document["keys"][0]["n"]) == signing_key.public_key().public_numbers().n
    json.dumps(document)


def test_keyset_always_publishes_the_signing_key(
    signing_key: RSAPrivateKey, previous_key: RSAPrivateKey
) -> None:
    keyset = KeySet(SigningKey(signing_key, "current"), {"previous": previous_key.public_key()})
    assert list(keyset.published) == ["current", "previous"]
    assert keyset.public_key("current") is not None
    assert keyset.public_key("nope") is None


def test_keyset_refuses_a_signing_kid_published_for_another_key(
    signing_key: RSAPrivateKey, previous_key: RSAPrivateKey
) -> None:
    with pytest.raises(KeyConfigError, match="current"):
        KeySet(SigningKey(signing_key, "current"), {"current": previous_key.public_key()})


def test_configured_key_id_names_the_signing_key(signing_key: RSAPrivateKey) -> None:
    keyset, _ = load_keyset(private_key=private_pem(signing_key), key_id="2024-06")
    assert keyset.signing.kid == "2024-06"
    assert [key["kid"] for key in keyset.jwks()["keys"]] == ["2024-06"]


def test_extra_public_keys_are_published_under_their_thumbprints(
    signing_key: RSAPrivateKey, previous_key: RSAPrivateKey, stranger_key: RSAPrivateKey
) -> None:
    keyset, _ = load_keyset(
        private_key=private_pem(signing_key),
        key_id="current",
        public_keys=[
            public_pem(previous_key).replace("\n", "\\n"),
            private_pem(stranger_key),  # contributes its public half
            public_pem(signing_key),  # already published as "current"
        ],
    )
    assert list(keyset.published) == [
        "current",
        thumbprint(previous_key.public_key()),
        thumbprint(stranger_key.public_key()),
    ]
    assert "PRIVATE" not in json.dumps(keyset.jwks())


def test_missing_signing_key_is_a_config_error_unless_generation_is_allowed(
    tmp_path: Path,
) -> None:
    with pytest.raises(KeyConfigError, match=r"signing\.pem"):
        load_keyset(private_key=None, keys_dir=tmp_path / "keys")
    assert not (tmp_path / "keys").exists()
    with pytest.raises(KeyConfigError, match="no signing key"):
        load_keyset(private_key=None)
