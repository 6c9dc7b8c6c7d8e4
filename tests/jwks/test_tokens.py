from __future__ import annotations

import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import KeySet, SigningKey, Verifier, public_pem, sign
from jwks.tokens import REQUIRED_CLAIMS
from tests.support.tokens import AUDIENCE, ISSUER, LEEWAY, NOW, b64url, claims, craft, error_code

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
