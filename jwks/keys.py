"""The key set a process signs with and publishes, loaded from config or a keys directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from jwks import store
from jwks.jwk import public_jwk, same_key, thumbprint
from jwks.pem import (
    KeyConfigError,
    check_size,
    generate_key,
    load_pem_text,
    private_pem,
    public_pem,
    read_private_key,
    read_public_key,
)
from jwks.store import rotate

__all__ = [
    "KeyConfigError",
    "KeySet",
    "SigningKey",
    "generate_key",
    "load_keyset",
    "load_pem_text",
    "private_pem",
    "public_jwk",
    "public_pem",
    "rotate",
    "thumbprint",
]


@dataclass(frozen=True)
class SigningKey:
    private_key: RSAPrivateKey
    kid: str

    @property
    def public_key(self) -> RSAPublicKey:
        return self.private_key.public_key()


@dataclass(frozen=True)
class KeySet:
    """``published`` maps kid to public key; the signing key is always in it, first."""

    signing: SigningKey
    published: dict[str, RSAPublicKey]

    def __post_init__(self) -> None:
        kid = self.signing.kid
        if not isinstance(kid, str) or not kid:
            raise KeyConfigError("the signing key needs a non-empty kid")
        signing_public = self.signing.public_key
        for key in (signing_public, *self.published.values()):
            check_size(key.key_size)
        listed = self.published.get(kid)
        if listed is not None and not same_key(listed, signing_public):
            raise KeyConfigError(f"kid {kid!r} is published for a key other than the signing key")
        published = {kid: signing_public}
        published.update((k, v) for k, v in self.published.items() if k != kid)
        object.__setattr__(self, "published", published)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key, kid) for kid, key in self.published.items()]}

    def public_key(self, kid: str) -> RSAPublicKey | None:
        return self.published.get(kid)


def load_keyset(
    *,
    private_key: str | None,
    key_id: str | None = None,
    public_keys: Sequence[str] = (),
    keys_dir: Path | None = None,
    generate: bool = False,
) -> tuple[KeySet, bool]:
    """Returns (keyset, generated).

    ``private_key`` (PEM, escaped PEM or a path) wins over ``keys_dir``; ``key_id`` names it and
    applies to it only (a directory's kid lives in ``signing.kid``). ``public_keys`` are published
    under their thumbprints in both cases.
    """
    generated = False
    published: dict[str, RSAPublicKey] = {}
    if private_key is not None and private_key.strip():
        key = read_private_key(private_key)
        kid = key_id or thumbprint(key.public_key())
    elif keys_dir is not None:
        keys_dir = Path(keys_dir)
        loaded = store.read_dir(keys_dir)
        if loaded is None:
            if not generate:
                raise KeyConfigError(
                    f"no signing key: {keys_dir / store.SIGNING_FILE} does not exist "
                    "(configure a private key, enable generation, or run a key rotation)"
                )
            generated = store.create_signing_key(keys_dir)
            loaded = store.read_dir(keys_dir)
            if loaded is None:
                raise KeyConfigError(f"{keys_dir / store.SIGNING_FILE} vanished after creation")
        key, kid, published = loaded
    else:
        raise KeyConfigError("no signing key configured: give a private key or a keys directory")

    known = [key.public_key(), *published.values()]
    for index, value in enumerate(public_keys, start=1):
        try:
            public = read_public_key(value)
        except KeyConfigError as exc:
            raise KeyConfigError(f"public key #{index}: {exc}") from None
        if any(same_key(public, other) for other in known):
            continue
        known.append(public)
        published.setdefault(thumbprint(public), public)
    return KeySet(SigningKey(key, kid), published), generated
