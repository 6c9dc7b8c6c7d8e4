from __future__ import annotations

from types import MappingProxyType

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import KeySet, SigningKey, Verifier, sign
from jwks.cache import Verified, VerifiedCache
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


def entry(jti: str) -> Verified:
    return Verified(MappingProxyType({"jti": jti}), f'{{"jti":"{jti}"}}', NOW + 900, NOW, NOW)


def test_the_cache_answers_a_hit_with_the_stored_entry_and_a_miss_with_none() -> None:
    cache = VerifiedCache(2)
    stored = entry("a")
    cache.put(b"a", stored)
    assert cache.get(b"a") is stored
    assert cache.get(b"b") is None
    assert len(cache) == 1


def test_a_full_cache_evicts_the_entry_put_first() -> None:
    cache = VerifiedCache(2)
    for jti in ["a", "b", "c"]:
        cache.put(jti.encode(), entry(jti))
    assert len(cache) == 2
    assert cache.get(b"a") is None
    assert [cache.get(key) for key in (b"b", b"c")] == [entry("b"), entry("c")]


def test_dropping_removes_one_entry_and_clearing_all() -> None:
    cache = VerifiedCache(3)
    for jti in ["a", "b", "c"]:
        cache.put(jti.encode(), entry(jti))
    cache.drop(b"b")
    cache.drop(b"never-stored")
    assert (cache.get(b"a"), cache.get(b"b"), len(cache)) == (entry("a"), None, 2)
    cache.clear()
    assert len(cache) == 0 and cache.get(b"a") is None


def test_a_cache_of_size_zero_keeps_nothing_and_a_negative_size_is_refused() -> None:
    cache = VerifiedCache(0)
    cache.put(b"a", entry("a"))
    assert len(cache) == 0 and cache.get(b"a") is None
    with pytest.raises(ValueError, match=">= 0"):
        VerifiedCache(-1)


def test_a_repeated_token_is_answered_from_the_cache(keyset: KeySet, verifier: Verifier) -> None:
    token = sign(keyset, claims())
    first = verifier.check(token, now=NOW)
    assert verifier.check(token, now=NOW + 1) is first


def test_without_a_cache_every_token_is_verified_afresh(keyset: KeySet) -> None:
    verifier = Verifier(keyset, issuer=ISSUER, audience=AUDIENCE, cache_size=0)
    token = sign(keyset, claims())
    first = verifier.check(token, now=NOW)
    again = verifier.check(token, now=NOW)
    assert again == first and again is not first
    assert verifier.cache_entries == 0


def test_a_cached_token_is_refused_before_its_start_and_dropped(
    keyset: KeySet, verifier: Verifier
) -> None:
    token = sign(keyset, claims())
    verifier.verify(token, now=NOW)
    assert error_code(verifier, token, now=NOW - LEEWAY - 1) == "token_not_yet_valid"
    assert verifier.cache_entries == 0
