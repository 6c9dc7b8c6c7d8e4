from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from jwks import public_jwk, thumbprint
from tests.support.tokens import b64url_int

# RFC 7638 §3.1
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWK"
    "RXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMi"
    "cAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRw"
    "r3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)
RFC7638_KID = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


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
