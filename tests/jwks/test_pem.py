from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import (
    KeyConfigError,
    KeySet,
    SigningKey,
    load_keyset,
    load_pem_text,
    private_pem,
    public_pem,
    thumbprint,
)


@pytest.mark.parametrize("form", ["pem", "escaped", "path", "quoted"])
def test_private_key_loads_from_pem_escaped_pem_or_path(
    form: str, signing_key: RSAPrivateKey, tmp_path: Path
) -> None:
    pem = private_pem(signing_key)
    if form == "escaped":
        value = pem.replace("\n", "\\n")
        assert "\n" not in value
    elif form == "path":
        path = tmp_path / "key.pem"
        path.write_text(pem)
        value = str(path)
    elif form == "quoted":
        value = '"' + pem.strip().replace("\n", "\\n") + '"'
    else:
        value = pem
    assert load_pem_text(value) == pem
    keyset, generated = load_keyset(private_key=value)
    assert generated is False
    assert keyset.signing.kid == thumbprint(signing_key.public_key())
    assert keyset.signing.private_key.private_numbers() == signing_key.private_numbers()


@pytest.mark.parametrize(
    "value",
    ["", "   ", "not a key", "/nonexistent/signing.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n"],
)
def test_garbage_key_config_is_a_clear_error(value: str, signing_key: RSAPrivateKey) -> None:
    with pytest.raises(KeyConfigError) as caught:
        load_keyset(private_key=value)
    assert str(caught.value) and "AAAA" not in str(caught.value)
    with pytest.raises(KeyConfigError, match="public key #1"):
        load_keyset(private_key=private_pem(signing_key), public_keys=[value])


def test_file_without_pem_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(KeyConfigError, match="no PEM block"):
        load_pem_text(str(path))


def test_key_errors_never_echo_key_material() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" * 50
    for value in [body, body + "\n" + body]:
        with pytest.raises(KeyConfigError) as caught:
            load_pem_text(value)
        assert "MIIE" not in str(caught.value)


def test_rsa_keys_under_2048_bits_are_refused(signing_key: RSAPrivateKey) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(KeyConfigError, match="1024 bits"):
        load_keyset(private_key=private_pem(weak))
    with pytest.raises(KeyConfigError, match="1024 bits"):
        load_keyset(private_key=private_pem(signing_key), public_keys=[public_pem(weak)])
    with pytest.raises(KeyConfigError, match="1024 bits"):
        KeySet(SigningKey(weak, "weak"), {})


def test_non_rsa_keys_are_refused() -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(KeyConfigError, match="not RSA"):
        load_keyset(private_key=ec_pem)
