"""api/request/auth.py: who is calling (a bearer token verified once per request, verified
tokens answered from the verifier's cache until they expire) and signing the pairs SQL issues."""

from __future__ import annotations

import json
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from api.common.metrics import REGISTRY
from api.request.auth import ANON, identify, identify_caller, sign_pair
from jwks import KeySet, TokenError, Verifier, generate_key, load_keyset, private_pem, sign
from tests.conftest import ISSUER

AUDIENCE = "slotbase"


class CountingVerifier(Verifier):
    """Counts the verifications that were not answered from the cache."""

    def __init__(self, keyset: KeySet, cache_size: int = 10000) -> None:
        super().__init__(keyset, issuer=ISSUER, audience=AUDIENCE, cache_size=cache_size)
        self.calls = 0

    def _verify_uncached(self, token: str, now: float) -> Any:
        self.calls += 1
        return super()._verify_uncached(token, now)


@pytest.fixture
def verifier(keyset: KeySet) -> CountingVerifier:
    return CountingVerifier(keyset)


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    made = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "sid": str(uuid.uuid4()),
        "role": "authenticated", "iat": now, "nbf": now, "exp": now + 900,
        "jti": str(uuid.uuid4()),
    }  # fmt: skip
    return {**made, **changes}


def bearer(keyset: KeySet, **changes: Any) -> str:
    return "Bearer " + sign(keyset, claims(**changes))


def failures(cause: str) -> float:
    value = REGISTRY.get_sample_value("slotbase_auth_failures_total", {"cause": cause})
    return value or 0.0


def test_no_authorization_header_is_anon(verifier: CountingVerifier) -> None:
    for header in (None, ""):
        assert identify(header, verifier) is ANON
    assert ANON.anon and ANON.role == "anon" and ANON.sub is None


@pytest.mark.parametrize("header", ["Basic YWxtYTpzZWNyZXQ=", "Bearer", "Bearer   ", "token"])
def test_a_header_that_is_not_a_bearer_token_is_malformed_and_counted(
    verifier: CountingVerifier, header: str
) -> None:
    before = failures("malformed_token")
    with pytest.raises(TokenError) as refused:
        identify(header, verifier)
    assert refused.value.code == "malformed_token"
    assert failures("malformed_token") == before + 1
    assert verifier.calls == 0


def test_a_verified_token_gives_its_role_claims_and_subject(
    verifier: CountingVerifier, keyset: KeySet
) -> None:
    sub = str(uuid.uuid4())
    header = bearer(keyset, sub=sub)
    identity = identify(header, verifier)
    assert not identity.anon
    assert (identity.role, identity.sub) == ("authenticated", sub)
    assert json.loads(identity.claims or "") == verifier.verify(header.split()[1])


def test_a_known_token_is_not_verified_again_until_the_keys_change(
    verifier: CountingVerifier, keyset: KeySet
) -> None:
    header = bearer(keyset)
    first = identify(header, verifier)
    again = identify(header, verifier)
    assert (again.role, again.claims, again.sub) == (first.role, first.claims, first.sub)
    assert verifier.calls == 1
    other_keys, _ = load_keyset(private_key=private_pem(generate_key()))
    verifier.replace_keyset(other_keys)  # the cache is forgotten with the keys
    with pytest.raises(TokenError) as refused:
        identify(header, verifier)
    assert refused.value.code == "unknown_kid"


def test_a_known_token_past_its_expiry_is_refused(
    verifier: CountingVerifier, keyset: KeySet
) -> None:
    now = int(time.time())
    header = bearer(keyset, iat=now - 900, nbf=now - 900, exp=now + 1)
    identify(header, verifier)
    with pytest.raises(TokenError) as refused:
        verifier.check(header.split()[1], now=now + 1 + 31)  # past exp and the 30 s leeway
    assert refused.value.code == "token_expired"


def test_the_tokens_remembered_are_bounded(keyset: KeySet) -> None:
    verifier = CountingVerifier(keyset, cache_size=2)
    headers = [bearer(keyset) for _ in range(3)]
    for header in headers:
        identify(header, verifier)
    identify(headers[2], verifier)
    assert verifier.calls == 3  # the newest is still known
    identify(headers[0], verifier)
    assert verifier.calls == 4  # the oldest was let go


def test_a_request_verifies_its_token_once_and_records_the_user(
    verifier: CountingVerifier, keyset: KeySet
) -> None:
    app = SimpleNamespace(state=SimpleNamespace(verifier=verifier))
    scope: dict[str, Any] = {"app": app}
    sub = str(uuid.uuid4())
    header = bearer(keyset, sub=sub)
    assert identify_caller(scope, header) is identify_caller(scope, header)
    assert verifier.calls == 1
    assert scope["state"]["user_id"] == sub

    bad: dict[str, Any] = {"app": app}
    before = failures("bad_signature")
    flipped = "A" if header[-10] != "A" else "B"  # a character of the signature
    forged = header[:-10] + flipped + header[-9:]
    for _ in range(2):
        with pytest.raises(TokenError):
            identify_caller(bad, forged)
    assert failures("bad_signature") == before + 1  # counted once, however often it is read
    assert "user_id" not in bad["state"]


def test_a_pair_from_sql_is_answered_with_a_signed_access_token(
    verifier: CountingVerifier, keyset: KeySet
) -> None:
    made = claims()
    del made["iss"], made["aud"]  # SQL leaves them to the API
    pair = {"claims": made, "token_type": "bearer", "expires_in": 900, "refresh_token": "r1"}
    body = sign_pair(json.dumps(pair), keyset, issuer=ISSUER, audience=AUDIENCE)
    answer = json.loads(body)
    assert list(answer) == ["access_token", "token_type", "expires_in", "refresh_token"]
    assert verifier.verify(answer["access_token"]) == {**made, "iss": ISSUER, "aud": AUDIENCE}
    again = sign_pair(json.dumps(pair), keyset, issuer=ISSUER, audience=AUDIENCE)
    assert again == body  # RS256 is deterministic: a replayed refresh gets the same bytes
