"""RSA keys as PEM, read from config values that may be text, escaped text or a path."""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

MIN_KEY_BITS = 2048
PUBLIC_EXPONENT = 65537


class KeyConfigError(ValueError):
    """A signing or verification key is missing, unreadable, not RSA or too short."""


def generate_key(bits: int = MIN_KEY_BITS) -> RSAPrivateKey:
    if bits < MIN_KEY_BITS:
        raise KeyConfigError(f"refusing to generate a {bits}-bit RSA key (minimum {MIN_KEY_BITS})")
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)


def private_pem(key: RSAPrivateKey) -> str:
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")


def public_pem(key: RSAPrivateKey | RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, RSAPrivateKey) else key
    return public.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode("ascii")


def _normalize(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\r\n", "\n")
    return text.strip() + "\n"


def load_pem_text(value: str) -> str:
    """Return PEM text given PEM text, PEM with literal ``\\n`` escapes, or a path to a PEM file.

    Errors name short paths only; a long value could be mangled key material.
    """
    if not isinstance(value, str) or not value.strip():
        raise KeyConfigError("key value is empty: expected PEM text or a path to a PEM file")
    if "-----BEGIN " in value:
        return _normalize(value)
    candidate = value.strip()
    if len(candidate) > 1024 or any(c in candidate for c in "\r\n\t"):
        raise KeyConfigError(
            f"key value ({len(value)} characters) is neither PEM text nor a path to a PEM file"
        )
    path = Path(candidate).expanduser()
    shown = str(path) if len(candidate) <= 255 else f"a {len(candidate)}-character path"
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyConfigError(
            f"key value is neither PEM text nor an existing file: {shown} not found"
        ) from None
    except OSError as exc:
        raise KeyConfigError(f"cannot read key file {shown}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise KeyConfigError(f"key file {shown} is not ASCII PEM") from None
    if "-----BEGIN " not in text:
        raise KeyConfigError(f"key file {shown} holds no PEM block")
    return _normalize(text)


def check_size(bits: int) -> None:
    if bits < MIN_KEY_BITS:
        raise KeyConfigError(f"RSA key has {bits} bits; at least {MIN_KEY_BITS} are required")


def read_private_key(value: str) -> RSAPrivateKey:
    pem = load_pem_text(value)
    if "PRIVATE KEY-----" not in pem:
        raise KeyConfigError("expected a PEM private key (BEGIN PRIVATE KEY / RSA PRIVATE KEY)")
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyConfigError(f"cannot parse PEM private key: {exc}") from None
    if not isinstance(key, RSAPrivateKey):
        raise KeyConfigError(f"private key is {type(key).__name__}, not RSA")
    check_size(key.key_size)
    return key


def read_public_key(value: str) -> RSAPublicKey:
    """A PEM public key, or the public half of a PEM private key."""
    pem = load_pem_text(value)
    if "PRIVATE KEY-----" in pem:
        return read_private_key(pem).public_key()
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyConfigError(f"cannot parse PEM public key: {exc}") from None
    if not isinstance(key, RSAPublicKey):
        raise KeyConfigError(f"public key is {type(key).__name__}, not RSA")
    check_size(key.key_size)
    return key
