from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

import jwks.store
from jwks import Verifier, load_keyset, private_pem, public_pem, rotate, sign, thumbprint
from tests.support.tokens import AUDIENCE, ISSUER, NOW, claims


@pytest.fixture
def reuse_generated_keys(
    monkeypatch: pytest.MonkeyPatch, rsa_keys: list[RSAPrivateKey]
) -> Iterator[list[RSAPrivateKey]]:
    """Hand out the module's keys instead of generating new ones in the keys directory."""
    handed_out: list[RSAPrivateKey] = []
    pool = iter(rsa_keys)

    def next_key(bits: int = 2048) -> RSAPrivateKey:
        key = next(pool)
        handed_out.append(key)
        return key

    monkeypatch.setattr(jwks.store, "generate_key", next_key)
    yield handed_out


def test_generation_creates_a_private_keys_dir_and_key_file(tmp_path: Path) -> None:
    keys_dir = tmp_path / "state" / "keys"
    keyset, generated = load_keyset(private_key=None, keys_dir=keys_dir, generate=True)
    assert generated is True
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((keys_dir / "signing.pem").stat().st_mode) == 0o600
    assert keyset.signing.private_key.key_size == 2048
    assert keyset.signing.kid == thumbprint(keyset.signing.private_key.public_key())
    assert sorted(p.name for p in keys_dir.iterdir()) == ["signing.pem"]

    again, generated = load_keyset(private_key=None, keys_dir=keys_dir, generate=True)
    assert generated is False
    assert again.signing.kid == keyset.signing.kid


def test_keys_dir_kid_file_names_the_signing_key(
    tmp_path: Path, signing_key: RSAPrivateKey, previous_key: RSAPrivateKey
) -> None:
    (tmp_path / "signing.pem").write_text(private_pem(signing_key))
    (tmp_path / "signing.kid").write_text("live-2024\n")
    (tmp_path / "old-2023.pub.pem").write_text(public_pem(previous_key))
    keyset, generated = load_keyset(private_key=None, keys_dir=tmp_path)
    assert generated is False
    assert list(keyset.published) == ["live-2024", "old-2023"]


def test_rotation_publishes_the_previous_key_and_signs_with_the_new_one(
    tmp_path: Path, reuse_generated_keys: list[RSAPrivateKey]
) -> None:
    first_kid = load_keyset(private_key=None, keys_dir=tmp_path, generate=True)[0].signing.kid
    old_kid, new_kid = rotate(tmp_path)
    first, second = reuse_generated_keys
    assert old_kid == first_kid == thumbprint(first.public_key())
    assert new_kid == thumbprint(second.public_key())
    assert stat.S_IMODE((tmp_path / "signing.pem").stat().st_mode) == 0o600
    assert (tmp_path / f"{old_kid}.pub.pem").read_text() == public_pem(first)

    keyset, _ = load_keyset(private_key=None, keys_dir=tmp_path)
    assert keyset.signing.kid == new_kid
    assert [key["kid"] for key in keyset.jwks()["keys"]] == [new_kid, old_kid]
    header = jwt.get_unverified_header(sign(keyset, claims()))
    assert header["kid"] == new_kid


def test_tokens_signed_before_rotation_still_verify_after_it(
    tmp_path: Path, reuse_generated_keys: list[RSAPrivateKey]
) -> None:
    before, _ = load_keyset(private_key=None, keys_dir=tmp_path, generate=True)
    old_token = sign(before, claims())
    rotate(tmp_path)
    after, _ = load_keyset(private_key=None, keys_dir=tmp_path)
    verifier = Verifier(after, issuer=ISSUER, audience=AUDIENCE)
    assert verifier.verify(old_token, now=NOW)["sub"] == claims()["sub"]
    assert verifier.verify(sign(after, claims()), now=NOW)["jti"] == claims()["jti"]


def test_rotate_creates_the_first_key_when_none_exists(
    tmp_path: Path, reuse_generated_keys: list[RSAPrivateKey]
) -> None:
    keys_dir = tmp_path / "keys"
    old_kid, new_kid = rotate(keys_dir)
    assert old_kid == ""
    assert new_kid == thumbprint(reuse_generated_keys[0].public_key())
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert sorted(p.name for p in keys_dir.iterdir()) == ["signing.pem"]


def test_rotate_publishes_under_the_configured_kid_and_drops_it(
    tmp_path: Path, signing_key: RSAPrivateKey, reuse_generated_keys: list[RSAPrivateKey]
) -> None:
    (tmp_path / "signing.pem").write_text(private_pem(signing_key))
    (tmp_path / "signing.kid").write_text("live-2024\n")
    old_kid, new_kid = rotate(tmp_path)
    assert old_kid == "live-2024"
    assert not (tmp_path / "signing.kid").exists()
    keyset, _ = load_keyset(private_key=None, keys_dir=tmp_path)
    assert keyset.signing.kid == new_kid == thumbprint(reuse_generated_keys[0].public_key())
    assert list(keyset.published) == [new_kid, "live-2024"]
