"""GCRA: the Lua script in Redis and the in-process copy decide alike."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from api.edge import gcra

pytestmark = pytest.mark.anyio


async def run_script(client: Any, buckets: list[gcra.Bucket]) -> gcra.Decision:
    keys = [b.key for b in buckets]
    reply = await client.eval(gcra.SCRIPT, len(keys), *keys, *gcra.script_args(buckets))
    return gcra.from_reply(reply)


async def test_redis_and_in_process_agree_on_a_burst(redis_url: str) -> None:
    buckets = [gcra.Bucket("rl:ip:a", 5, 60_000), gcra.Bucket("rl:auth:a", 3, 60_000)]
    local = gcra.Local()
    async with aioredis.from_url(redis_url) as client:
        shared = [await run_script(client, buckets) for _ in range(5)]
    mine = [local.decide(buckets) for _ in range(5)]
    assert [(d.allowed, d.bucket, d.remaining) for d in shared] == [
        (True, 1, 2),
        (True, 1, 1),
        (True, 1, 0),
        (False, 1, 0),
        (False, 1, 0),
    ]
    assert [(d.allowed, d.bucket, d.remaining) for d in mine] == [
        (d.allowed, d.bucket, d.remaining) for d in shared
    ]
    # 3 per minute: one every 20 s; the first refusal waits for the first cell to drain.
    for a, b in zip(shared, mine, strict=True):
        assert abs(a.retry_ms - b.retry_ms) < 200
        assert abs(a.reset_ms - b.reset_ms) < 200
    assert 19_500 < shared[3].retry_ms <= 20_000


async def test_a_refused_request_consumes_nothing(redis_url: str) -> None:
    ip, auth = gcra.Bucket("rl:ip:b", 10, 60_000), gcra.Bucket("rl:auth:b", 1, 60_000)
    local = gcra.Local()
    async with aioredis.from_url(redis_url) as client:
        for decide in (lambda bs: run_script(client, bs), lambda bs: _sync(local.decide(bs))):
            assert (await decide([ip, auth])).allowed
            assert not (await decide([ip, auth])).allowed
            after = await decide([ip])
            assert after.allowed and after.remaining == 8  # only the allowed request counted


async def _sync(decision: gcra.Decision) -> gcra.Decision:
    return decision


async def test_a_bucket_refills_after_its_interval(redis_url: str) -> None:
    bucket = [gcra.Bucket("rl:ip:c", 2, 400)]
    local = gcra.Local()
    async with aioredis.from_url(redis_url) as client:
        for decide in (lambda bs: run_script(client, bs), lambda bs: _sync(local.decide(bs))):
            assert (await decide(bucket)).allowed
            assert (await decide(bucket)).allowed
            refused = await decide(bucket)
            assert not refused.allowed and 0 < refused.retry_ms <= 200
            await asyncio.sleep(0.25)
            assert (await decide(bucket)).allowed


async def test_redis_forgets_full_buckets(redis_url: str) -> None:
    async with aioredis.from_url(redis_url) as client:
        await run_script(client, [gcra.Bucket("rl:ip:d", 100, 1000)])
        ttl = await client.pttl("rl:ip:d")
        assert 0 < ttl <= 10


def test_in_process_purge_forgets_full_buckets() -> None:
    local = gcra.Local()
    local.decide([gcra.Bucket("k", 10, 1000)], now=0)
    local.purge(now=50)
    assert local.tats == {"k": 100}
    local.purge(now=101)
    assert local.tats == {}
