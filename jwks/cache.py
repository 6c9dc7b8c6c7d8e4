"""A bounded map from token hash to verified claims, oldest evicted first."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple


class Verified(NamedTuple):
    claims: dict[str, Any]
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
