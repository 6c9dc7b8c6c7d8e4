"""GCRA (generic cell rate algorithm): one decision over several buckets, in Redis or in-process.

A bucket allowing `limit` requests per `window` stores one number, its theoretical arrival time
(TAT). A request at `now` moves it to max(TAT, now) + window/limit and is allowed while that stays
within `window` of now. A decision covers every bucket that applies to a request (client address,
user, auth routes) and is all or nothing: a refused request consumes nothing, an allowed one
consumes from each bucket. It answers for the tightest bucket: the one refusing for longest, else
the one with the fewest requests left.

The Lua script runs atomically in Redis, reading Redis's clock, so any number of API instances
share the buckets; `Local` is the same arithmetic in a dict, for when Redis is unreachable.
Times are milliseconds.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from typing import NamedTuple

SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local stored = redis.call('MGET', unpack(KEYS))
local tats = {}
local pick, pick_remaining, deny, deny_retry = 1, nil, 0, 0
for i = 1, n do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local interval = window / limit
  local tat = tonumber(stored[i]) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - window
  if now < allow_at then
    if allow_at - now > deny_retry then deny, deny_retry = i, allow_at - now end
  else
    local remaining = math.floor((now - allow_at) / interval)
    if pick_remaining == nil or remaining < pick_remaining then
      pick, pick_remaining = i, remaining
    end
  end
  tats[i] = {tat, new_tat}
end
if deny > 0 then
  return {0, deny, 0, math.ceil(tats[deny][1] - now), math.ceil(deny_retry)}
end
for i = 1, n do
  local ttl = math.ceil(tats[i][2] - now)
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i][2]), 'PX', ttl)
end
return {1, pick, pick_remaining, math.ceil(tats[pick][2] - now), 0}
"""
SHA = hashlib.sha1(SCRIPT.encode()).hexdigest()


class Bucket(NamedTuple):
    key: str
    limit: int
    window_ms: int


class Decision(NamedTuple):
    allowed: bool
    bucket: int  # the bucket answered for, 0-based
    remaining: int
    reset_ms: int  # until the bucket is full again
    retry_ms: int  # until a refused request would be allowed; 0 when allowed


def from_reply(reply: Sequence[int]) -> Decision:
    allowed, index, remaining, reset_ms, retry_ms = (int(v) for v in reply)
    return Decision(bool(allowed), index - 1, remaining, reset_ms, retry_ms)


def script_args(buckets: Sequence[Bucket]) -> list[str | int]:
    args: list[str | int] = []
    for bucket in buckets:
        args += [bucket.limit, bucket.window_ms]
    return args


class Local:
    """The script's arithmetic over a dict of key → TAT, for one process."""

    PURGE_EVERY = 10_000

    def __init__(self) -> None:
        self.tats: dict[str, float] = {}
        self._writes = 0

    def decide(self, buckets: Sequence[Bucket], now: float | None = None) -> Decision:
        now = time.time() * 1000 if now is None else now
        pick, pick_remaining, deny, deny_retry = 0, -1, -1, 0.0
        tats: list[tuple[float, float]] = []
        for i, bucket in enumerate(buckets):
            interval = bucket.window_ms / bucket.limit
            tat = max(self.tats.get(bucket.key, now), now)
            new_tat = tat + interval
            allow_at = new_tat - bucket.window_ms
            if now < allow_at:
                if allow_at - now > deny_retry:
                    deny, deny_retry = i, allow_at - now
            else:
                remaining = math.floor((now - allow_at) / interval)
                if pick_remaining < 0 or remaining < pick_remaining:
                    pick, pick_remaining = i, remaining
            tats.append((tat, new_tat))
        if deny >= 0:
            return Decision(False, deny, 0, math.ceil(tats[deny][0] - now), math.ceil(deny_retry))
        for bucket, (_, new_tat) in zip(buckets, tats, strict=True):
            self.tats[bucket.key] = new_tat
        self._writes += 1
        if self._writes % self.PURGE_EVERY == 0:
            self.purge(now)
        return Decision(True, pick, pick_remaining, math.ceil(tats[pick][1] - now), 0)

    def purge(self, now: float) -> None:
        """Forget buckets that are full again (a TAT in the past is the same as no entry)."""
        self.tats = {key: tat for key, tat in self.tats.items() if tat > now}
