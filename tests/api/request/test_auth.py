"""api/request/auth.py: who is calling (a bearer token verified once per request, verified
tokens answered from the verifier's cache until they expire) and signing the pairs SQL issues."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from api.common.metrics import REGISTRY
from api.request.auth import ANON, identify, identify_caller, sign_pair
from jwks import (
    KeySet,
    TokenError,
    Verifier,
    generate_key,
    load_keyset,
    private_pem,
    public_pem,
    sign,
)
from tests.conftest import ISSUER
from tests.support.problems import PROBLEM_KEYS

pytestmark = pytest.mark.anyio
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


# ---------------------------------------------------------------------------------------------
# Tokens at the HTTP edge: every way a bearer token can be wrong has its own 401 code, and the
# published keys (JWKS, discovery) verify the tokens the API signs.


ME = "/api/v1/users/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def craft(header: dict[str, Any], claims: dict[str, Any], signer: Callable[[bytes], bytes]) -> str:
    signing_input = b64url_json(header) + "." + b64url_json(claims)
    return signing_input + "." + b64url(signer(signing_input.encode("ascii")))


def unverified(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["code"] == code and body["status"] == status
    if status == 401:
        assert response.headers["www-authenticate"] == (
            f'Bearer error="invalid_token", error_description="{code}"'
        )


@pytest.fixture
async def session_claims(make_account: Any) -> dict[str, Any]:
    """Claims of a real access token: a live session (sid) of a real user (sub)."""
    account = await make_account("alma")
    return unverified(account.tokens["access_token"])


async def get_me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(ME, headers={"Authorization": f"Bearer {token}"})


async def test_a_token_signed_by_the_api_key_with_live_claims_is_accepted(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    now = int(time.time())
    token = sign(keyset, {**session_claims, "iat": now, "nbf": now, "exp": now + 60})
    response = await get_me(client, token)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == session_claims["sub"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"iat": -4000, "nbf": -4000, "exp": -3600}, "token_expired", id="expired"),
        pytest.param({"exp": -31}, "token_expired", id="expired-beyond-leeway"),
        pytest.param({"nbf": 3600, "exp": 4500}, "token_not_yet_valid", id="not-yet-valid"),
        pytest.param({"iat": 3600, "exp": 4500}, "token_not_yet_valid", id="issued-in-future"),
    ],
)
async def test_a_token_outside_its_lifetime_is_refused(
    client: httpx.AsyncClient,
    keyset: KeySet,
    session_claims: dict[str, Any],
    change: dict[str, int],
    code: str,
):
    now = int(time.time())
    claims = {**session_claims, "iat": now, "nbf": now, "exp": now + 900}
    claims.update({name: now + offset for name, offset in change.items()})
    assert_refused(await get_me(client, sign(keyset, claims)), 401, code)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"aud": "someone-else"}, "wrong_audience"),
        ({"aud": ["someone-else", "another"]}, "wrong_audience"),
        ({"iss": "https://evil.example"}, "wrong_issuer"),
        ({"iss": "http://slotbase.test/"}, "wrong_issuer"),
    ],
)
async def test_a_token_for_another_audience_or_issuer_is_refused(
    client: httpx.AsyncClient,
    keyset: KeySet,
    session_claims: dict[str, Any],
    change: dict[str, Any],
    code: str,
):
    assert_refused(await get_me(client, sign(keyset, {**session_claims, **change})), 401, code)


async def test_a_token_listing_our_audience_among_others_is_accepted(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any], settings: Any
):
    claims = {**session_claims, "aud": ["someone-else", settings.jwt_audience]}
    assert (await get_me(client, sign(keyset, claims))).status_code == 200


async def test_a_tampered_payload_is_a_bad_signature(client: httpx.AsyncClient, make_account: Any):
    alma = await make_account("alma")
    bo = await make_account("bo")
    header, _, signature = alma.tokens["access_token"].split(".")
    claims = {**unverified(alma.tokens["access_token"]), "sub": bo.id}
    forged = f"{header}.{b64url_json(claims)}.{signature}"
    assert_refused(await get_me(client, forged), 401, "bad_signature")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert_refused(
        await get_me(client, f"{header}.{alma.tokens['access_token'].split('.')[1]}.{flipped}"),
        401,
        "bad_signature",
    )


async def test_a_token_signed_by_another_key_under_our_kid_is_a_bad_signature(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    intruder = generate_key()
    token = jwt.encode(
        session_claims, intruder, algorithm="RS256", headers={"kid": keyset.signing.kid}
    )
    assert_refused(await get_me(client, token), 401, "bad_signature")


async def test_an_unsigned_token_is_refused(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    for alg in ("none", "None", "NONE"):
        header = {"alg": alg, "typ": "JWT", "kid": keyset.signing.kid}
        token = craft(header, session_claims, lambda _: b"")
        assert_refused(await get_me(client, token), 401, "algorithm_not_allowed")


async def test_hs256_signed_with_the_public_key_is_refused(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    secret = public_pem(keyset.signing.public_key).encode()
    header = {"alg": "HS256", "typ": "JWT", "kid": keyset.signing.kid}
    token = craft(
        header, session_claims, lambda data: hmac.new(secret, data, hashlib.sha256).digest()
    )
    assert_refused(await get_me(client, token), 401, "algorithm_not_allowed")


@pytest.mark.parametrize("alg", ["RS384", "PS256"])
async def test_other_rsa_algorithms_are_refused(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any], alg: str
):
    token = jwt.encode(
        session_claims,
        keyset.signing.private_key,
        algorithm=alg,
        headers={"kid": keyset.signing.kid},
    )
    assert_refused(await get_me(client, token), 401, "algorithm_not_allowed")


async def test_an_ec_signed_token_is_refused(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(session_claims, key, algorithm="ES256", headers={"kid": keyset.signing.kid})
    assert_refused(await get_me(client, token), 401, "algorithm_not_allowed")


async def test_an_unknown_kid_is_refused(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    token = jwt.encode(
        session_claims, keyset.signing.private_key, algorithm="RS256", headers={"kid": "retired"}
    )
    assert_refused(await get_me(client, token), 401, "unknown_kid")


async def test_a_token_without_kid_is_malformed(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    token = jwt.encode(session_claims, keyset.signing.private_key, algorithm="RS256")
    assert "kid" not in jwt.get_unverified_header(token)
    assert_refused(await get_me(client, token), 401, "malformed_token")


@pytest.mark.parametrize("claim", ["sid", "sub", "exp", "aud", "role", "jti"])
async def test_a_token_missing_a_required_claim_is_malformed(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any], claim: str
):
    claims = {k: v for k, v in session_claims.items() if k != claim}
    assert_refused(await get_me(client, sign(keyset, claims)), 401, "malformed_token")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer not.a.jwt",
        "Bearer a.b.c.d",
        "Bearer ...",
        "Bearer eyJhbGciOiJSUzI1NiJ9",
        "Bearer " + b64url(b"[1]") + "." + b64url(b"{}") + ".c2ln",
        "Bearer ",
        "Basic YWxtYTpzZWNyZXQ=",
        "Token abc.def.ghi",
    ],
)
async def test_garbage_in_the_authorization_header_is_a_malformed_token(
    client: httpx.AsyncClient, authorization: str
):
    response = await client.get(ME, headers={"Authorization": authorization})
    assert_refused(response, 401, "malformed_token")


async def test_a_token_of_an_unknown_session_is_refused(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any]
):
    claims = {**session_claims, "sid": "00000000-0000-4000-8000-000000000000"}
    assert_refused(await get_me(client, sign(keyset, claims)), 401, "session_revoked")


@pytest.mark.parametrize(
    "role", ["service_role", "anon", "postgres", "slotbase_owner", "authenticator", ""]
)
async def test_a_token_with_another_role_is_forbidden(
    client: httpx.AsyncClient, keyset: KeySet, session_claims: dict[str, Any], role: str
):
    response = await get_me(client, sign(keyset, {**session_claims, "role": role}))
    assert_refused(response, 403, "forbidden")


# ---------------------------------------------------------------------------------------------
# Keys and discovery

JWKS_PATHS = ["/.well-known/jwks.json", "/api/v1/auth/jwks"]


@pytest.mark.parametrize("path", JWKS_PATHS)
async def test_the_jwks_document_lists_the_signing_key(
    client: httpx.AsyncClient, keyset: KeySet, path: str
):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert keys
    for key in keys:
        assert {"kty", "use", "alg", "kid", "n", "e"} <= set(key)
        assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
        assert "d" not in key and "p" not in key and "q" not in key
    mine = next(key for key in keys if key["kid"] == keyset.signing.kid)
    numbers = keyset.signing.public_key.public_numbers()
    assert jwt.PyJWK(mine).key.public_numbers() == numbers


async def test_both_jwks_paths_publish_the_same_document(client: httpx.AsyncClient):
    first, second = [await client.get(path) for path in JWKS_PATHS]
    assert first.json() == second.json()


async def test_openid_configuration_points_at_the_keys_and_the_token_endpoint(
    client: httpx.AsyncClient, settings: Any
):
    response = await client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    assert doc["issuer"] == settings.issuer
    assert doc["jwks_uri"] == settings.issuer + "/.well-known/jwks.json"
    assert doc["token_endpoint"] == settings.issuer + "/api/v1/auth/token"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    published = await client.get(doc["jwks_uri"])
    assert published.status_code == 200 and published.json()["keys"]
    token_endpoint = await client.post(doc["token_endpoint"], data={"grant_type": "password"})
    assert token_endpoint.status_code == 400
    assert token_endpoint.json()["error"] == "invalid_request"


async def test_an_access_token_verifies_against_the_published_jwks(
    client: httpx.AsyncClient, make_account: Any, settings: Any
):
    account = await make_account("alma")
    token = account.tokens["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "JWT" and header["alg"] == "RS256"
    config = (await client.get("/.well-known/openid-configuration")).json()
    document = (await client.get(config["jwks_uri"])).json()
    jwk = jwt.PyJWK(next(key for key in document["keys"] if key["kid"] == header["kid"]))
    claims = jwt.decode(
        token,
        jwk.key,
        algorithms=config["id_token_signing_alg_values_supported"],
        audience=settings.jwt_audience,
        issuer=config["issuer"],
        options={"require": ["iss", "aud", "sub", "sid", "role", "iat", "nbf", "exp", "jti"]},
    )
    assert claims["sub"] == account.id
    assert claims["role"] == "authenticated"
    forged = jwt.encode(claims, generate_key(), algorithm="RS256", headers={"kid": header["kid"]})
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, jwk.key, algorithms=["RS256"], audience=settings.jwt_audience)
