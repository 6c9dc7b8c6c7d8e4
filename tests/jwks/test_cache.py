from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import KeySet, SigningKey, Verifier, sign
from tests.support.tokens import AUDIENCE, ISSUER, LEEWAY, NOW, claims, error_code


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
