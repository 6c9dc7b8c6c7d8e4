from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

import jwks.store
from jwks import (
    KeyConfigError,
    KeySet,
    SigningKey,
    TokenError,
    Verifier,
    load_keyset,
    load_pem_text,
    private_pem,
    public_jwk,
    public_pem,
    rotate,
    sign,
    thumbprint,
)
from jwks.tokens import REQUIRED_CLAIMS

ISSUER = "https://slotbase.test"
AUDIENCE = "slotbase-api"
NOW = 1_700_000_000
LEEWAY = 30

# RFC 7638 §3.1
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWK"
    "RXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMi"
    "cAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRw"
    "r3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)
RFC7638_KID = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


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


# --- keys and JWKS ---------------------------------------------------------------------------


def test_thumbprint_matches_rfc7638_example() -> None:
    public = rsa.RSAPublicNumbers(e=65537, n=b64url_int(RFC7638_N)).public_key()
    assert thumbprint(public) == RFC7638_KID


def test_public_jwk_has_the_fields_jwks_validators_require(signing_key: RSAPrivateKey) -> None:
    jwk = public_jwk(signing_key.public_key(), "k1")
    assert list(jwk) == ["kty", "use", "alg", "kid", "n", "e"]
    assert jwk["kty"] == "RSA" and jwk["use"] == "sig" and jwk["alg"] == "RS256"
    assert jwk["kid"] == "k1" and jwk["e"] == "AQAB"
    assert "=" not in jwk["n"] and "=" not in jwk["e"]
    assert b64url_int(jwk["n"]) == signing_key.public_key().public_numbers().n


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


def test_missing_signing_key_is_a_config_error_unless_generation_is_allowed(
    tmp_path: Path,
) -> None:
    with pytest.raises(KeyConfigError, match=r"signing\.pem"):
        load_keyset(private_key=None, keys_dir=tmp_path / "keys")
    assert not (tmp_path / "keys").exists()
    with pytest.raises(KeyConfigError, match="no signing key"):
        load_keyset(private_key=None)


# --- keys directory and rotation --------------------------------------------------------------


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


# --- signing ----------------------------------------------------------------------------------


def test_signing_is_deterministic_and_carries_kid_and_typ(keyset: KeySet) -> None:
    token = sign(keyset, claims())
    assert sign(keyset, claims()) == token
    assert sign(keyset, claims(jti="other")) != token
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": "current", "typ": "JWT"}


def test_valid_token_verifies_and_returns_its_claims(keyset: KeySet, verifier: Verifier) -> None:
    assert verifier.verify(sign(keyset, claims()), now=NOW + 60) == claims()


def test_token_with_a_list_audience_containing_ours_verifies(
    keyset: KeySet, verifier: Verifier
) -> None:
    token = sign(keyset, claims(aud=["other", AUDIENCE]))
    assert verifier.verify(token, now=NOW)["aud"] == ["other", AUDIENCE]


# --- every refusal has its code ---------------------------------------------------------------


def test_expired_token_is_refused_after_the_leeway(keyset: KeySet, verifier: Verifier) -> None:
    token = sign(keyset, claims())
    exp = claims()["exp"]
    assert verifier.verify(token, now=exp + LEEWAY - 1)
    assert error_code(verifier, sign(keyset, claims()), now=exp + LEEWAY) == "token_expired"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_from_the_future_is_not_yet_valid(
    claim: str, keyset: KeySet, verifier: Verifier
) -> None:
    token = sign(keyset, claims(**{claim: NOW + 120}))
    assert error_code(verifier, token) == "token_not_yet_valid"
    assert verifier.verify(token, now=NOW + 120 - LEEWAY)


def test_token_with_an_unpublished_kid_is_refused(
    stranger_key: RSAPrivateKey, verifier: Verifier
) -> None:
    stranger = KeySet(SigningKey(stranger_key, "stranger"), {})
    assert error_code(verifier, sign(stranger, claims())) == "unknown_kid"


def test_token_signed_by_another_key_under_a_published_kid_is_refused(
    stranger_key: RSAPrivateKey, verifier: Verifier
) -> None:
    impostor = KeySet(SigningKey(stranger_key, "current"), {})
    assert error_code(verifier, sign(impostor, claims())) == "bad_signature"


def test_tampered_payload_fails_the_signature_check(keyset: KeySet, verifier: Verifier) -> None:
    header, _, signature = sign(keyset, claims()).split(".")
    forged = b64url(json.dumps(claims(role="platform_admin")).encode())
    assert error_code(verifier, f"{header}.{forged}.{signature}") == "bad_signature"


def test_unsigned_alg_none_token_is_refused(verifier: Verifier) -> None:
    token = craft({"alg": "none", "typ": "JWT", "kid": "current"}, claims(), lambda _: b"")
    assert error_code(verifier, token) == "algorithm_not_allowed"


def test_hs256_token_signed_with_public_key_is_refused(
    keyset: KeySet, signing_key: RSAPrivateKey, verifier: Verifier
) -> None:
    secret = public_pem(signing_key).encode()
    token = craft(
        {"alg": "HS256", "typ": "JWT", "kid": "current"},
        claims(),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )
    assert error_code(verifier, token) == "algorithm_not_allowed"


def test_algorithm_is_checked_before_the_key_is_looked_up(verifier: Verifier) -> None:
    token = craft({"alg": "HS256", "kid": "nobody"}, claims(), lambda _: b"x")
    assert error_code(verifier, token) == "algorithm_not_allowed"


def test_verifier_cannot_be_configured_to_accept_symmetric_algorithms(keyset: KeySet) -> None:
    for algorithms in [("HS256",), ("RS256", "none"), ()]:
        with pytest.raises(ValueError):
            Verifier(keyset, issuer=ISSUER, audience=AUDIENCE, algorithms=algorithms)


def test_token_for_another_audience_is_refused(keyset: KeySet, verifier: Verifier) -> None:
    assert error_code(verifier, sign(keyset, claims(aud="billing"))) == "wrong_audience"


def test_token_from_another_issuer_is_refused(keyset: KeySet, verifier: Verifier) -> None:
    token = sign(keyset, claims(iss="https://evil.test"))
    assert error_code(verifier, token) == "wrong_issuer"


def test_token_without_kid_is_malformed(signing_key: RSAPrivateKey, verifier: Verifier) -> None:
    token = jwt.encode(claims(), signing_key, algorithm="RS256")
    assert "kid" not in jwt.get_unverified_header(token)
    assert error_code(verifier, token) == "malformed_token"


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_token_missing_a_required_claim_is_malformed(
    claim: str, keyset: KeySet, verifier: Verifier
) -> None:
    payload = claims()
    del payload[claim]
    assert error_code(verifier, sign(keyset, payload)) == "malformed_token"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "!!!.???.***",
        b64url(b"[1]") + ".e30.",
        "eyJhbGciOiJSUzI1NiJ9.e30.sig\u00e9",
    ],
)
def test_garbage_is_a_malformed_token(token: str, verifier: Verifier) -> None:
    assert error_code(verifier, token) == "malformed_token"


def test_token_with_a_non_numeric_time_claim_is_malformed(
    keyset: KeySet, verifier: Verifier
) -> None:
    token = sign(keyset, claims(exp="tomorrow"))
    assert error_code(verifier, token) == "malformed_token"


# --- verification cache -----------------------------------------------------------------------


def test_verified_tokens_are_cached_but_still_expire(keyset: KeySet, verifier: Verifier) -> None:
    token = sign(keyset, claims())
    assert verifier.verify(token, now=NOW) == verifier.verify(token, now=NOW + 1)
    assert verifier.cache_entries == 1
    assert error_code(verifier, token, now=claims()["exp"] + LEEWAY) == "token_expired"
    assert verifier.cache_entries == 0


def test_cached_claims_are_not_shared_with_callers(keyset: KeySet, verifier: Verifier) -> None:
    token = sign(keyset, claims())
    verifier.verify(token, now=NOW)["role"] = "platform_admin"
    assert verifier.verify(token, now=NOW)["role"] == "authenticated"


def test_cache_is_bounded_and_evicts_the_oldest_entry(keyset: KeySet) -> None:
    verifier = Verifier(keyset, issuer=ISSUER, audience=AUDIENCE, cache_size=2)
    for jti in ["a", "b", "c"]:
        verifier.verify(sign(keyset, claims(jti=jti)), now=NOW)
    assert verifier.cache_entries == 2


def test_failed_verifications_are_not_cached(keyset: KeySet, verifier: Verifier) -> None:
    token = sign(keyset, claims(aud="billing"))
    for _ in range(2):
        assert error_code(verifier, token) == "wrong_audience"
    assert verifier.cache_entries == 0


def test_replacing_the_keyset_clears_the_cache(
    keyset: KeySet, previous_key: RSAPrivateKey, verifier: Verifier
) -> None:
    token = sign(keyset, claims())
    verifier.verify(token, now=NOW)
    successor = KeySet(SigningKey(previous_key, "previous"), {})
    verifier.replace_keyset(successor)
    assert verifier.keyset is successor
    assert verifier.cache_entries == 0
    assert error_code(verifier, token) == "unknown_kid"
