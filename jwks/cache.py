"""The one cache of verified tokens, token hash → what verifying it found; oldest evicted first.

What: tokens that verified, with their claims and the compact JSON of them that the API hands
the database, so a client repeating its header costs a lookup. How long: a hit is answered only
while the token passes the time checks a fresh verification makes (the Verifier checks exp, nbf
and iat on every hit, with the same leeway, and drops an entry that fails); at most `size`
entries; none survives a new key set (Verifier.replace_keyset), so a token whose key was retired
is verified afresh and refused. Revocation is checked by SQL on every call, not here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, NamedTuple


class Verified(NamedTuple):
    """Shared by every hit: read it, never change it (Verifier.verify hands out a copy)."""

    claims: Mapping[str, Any]
    claims_json: str
    exp: float
    nbf: float
    iat: float


class VerifiedCache:
    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError("cache size must be >= 0")
        self._size = size
        self._entries: OrderedDict[bytes, Verified] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, digest: bytes) -> Verified | None:
        return self._entries.get(digest)

    def put(self, digest: bytes, entry: Verified) -> None:
        if self._size == 0:
            return
        self._entries[digest] = entry
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def drop(self, digest: bytes) -> None:
        self._entries.pop(digest, None)

    def clear(self) -> None:
        self._entries.clear()
