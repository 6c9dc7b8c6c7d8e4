"""A keys directory: ``signing.pem`` (kid in ``signing.kid`` if present) signs, and every
``<kid>.pub.pem`` is published.

Files are replaced atomically so a process starting during a rotation reads either the old or the
new signing key, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from jwks.jwk import same_key, thumbprint
from jwks.pem import (
    KeyConfigError,
    generate_key,
    private_pem,
    public_pem,
    read_private_key,
    read_public_key,
)

SIGNING_FILE = "signing.pem"
KID_FILE = "signing.kid"
PUBLIC_SUFFIX = ".pub.pem"
_KID = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199}")


class DirKeys(NamedTuple):
    private_key: RSAPrivateKey
    kid: str
    published: dict[str, RSAPublicKey]


def check_kid(kid: str, where: str) -> str:
    if not _KID.fullmatch(kid):
        raise KeyConfigError(
            f"{where}: key id {kid!r} must be 1-200 characters of A-Z a-z 0-9 . _ ~ - "
            "and not start with a dot"
        )
    return kid


def _ensure_dir(keys_dir: Path) -> None:
    if keys_dir.exists():
        if not keys_dir.is_dir():
            raise KeyConfigError(f"keys directory {keys_dir} exists and is not a directory")
        return
    keys_dir.mkdir(parents=True, mode=0o700)
    keys_dir.chmod(0o700)


def _write(path: Path, text: str, mode: int, *, exclusive: bool = False) -> None:
    """Atomic write; with ``exclusive``, FileExistsError if ``path`` already exists."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _read_signing(keys_dir: Path) -> tuple[RSAPrivateKey, str] | None:
    path = keys_dir / SIGNING_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyConfigError(f"cannot read {path}: {exc}") from None
    try:
        key = read_private_key(text)
    except KeyConfigError as exc:
        raise KeyConfigError(f"{path}: {exc}") from None
    kid_path = keys_dir / KID_FILE
    try:
        kid = kid_path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        kid = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyConfigError(f"cannot read {kid_path}: {exc}") from None
    if kid:
        check_kid(kid, str(kid_path))
    else:
        kid = thumbprint(key.public_key())
    return key, kid


def read_dir(keys_dir: Path) -> DirKeys | None:
    """The directory's keys, or None when it has no ``signing.pem``."""
    signing = _read_signing(keys_dir)
    if signing is None:
        return None
    key, kid = signing
    signing_public = key.public_key()
    published: dict[str, RSAPublicKey] = {}
    for path in sorted(keys_dir.glob(f"*{PUBLIC_SUFFIX}")):
        pub_kid = check_kid(path.name.removesuffix(PUBLIC_SUFFIX), str(path))
        try:
            public = read_public_key(path.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, KeyConfigError) as exc:
            raise KeyConfigError(f"{path}: {exc}") from None
        if pub_kid == kid:
            if not same_key(public, signing_public):
                raise KeyConfigError(f"{path} has the signing key's id {kid!r} but another key")
            continue
        published[pub_kid] = public
    return DirKeys(key, kid, published)


def create_signing_key(keys_dir: Path) -> bool:
    """Create ``signing.pem`` if absent; False if another process created it first."""
    _ensure_dir(keys_dir)
    key = generate_key()
    try:
        _write(keys_dir / SIGNING_FILE, private_pem(key), 0o600, exclusive=True)
    except FileExistsError:
        return False
    return True


def rotate(keys_dir: Path) -> tuple[str, str]:
    """Publish the current key as ``<old_kid>.pub.pem`` and replace it; returns (old_kid, new_kid).

    With no current key the first one is created and old_kid is "".
    """
    _ensure_dir(keys_dir)
    old_kid = ""
    current = _read_signing(keys_dir)
    if current is not None:
        old_key, old_kid = current
        _write(keys_dir / f"{old_kid}{PUBLIC_SUFFIX}", public_pem(old_key), 0o644)
    new_key = generate_key()
    (keys_dir / KID_FILE).unlink(missing_ok=True)
    _write(keys_dir / SIGNING_FILE, private_pem(new_key), 0o600)
    return old_kid, thumbprint(new_key.public_key())
