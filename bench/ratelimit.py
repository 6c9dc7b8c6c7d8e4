"""Rate-limit figures: GET /users/me with rate limits on (shared in Redis) vs off, one run.

Two `slotbase serve` processes over the same database, identical but for RATE_LIMIT_ENABLED,
take turns under the same 32 keep-alive clients, BENCH_SECONDS / 2 each, six rounds, each side
going first as often as the other; the figure is the median of the rounds' ratios. Each request
with limits on costs one script call to a local redis-server over TCP deciding its address and
user buckets.
The limits are set far above the load, so nothing is refused and both sides do the same work.
"""

from __future__ import annotations

import os
import statistics
import urllib.request

import asyncpg
import uvloop

from bench.accounts import API_POOL, EMAIL, PASSWORD, line, login
from bench.common import Load, api_server, cluster, http_load, redis_server, request_bytes
from jwks import generate_key, private_pem

CLIENTS = 32
ROUNDS = 6  # short turns, many of them: load from outside the run hits both sides alike
WARMUP = 2.0
HIGH = "100000000/60s"


async def measure(
    admin: str, off_port: int, on_port: int, seconds: float
) -> list[tuple[Load, Load]]:
    conn = await asyncpg.connect(admin)
    await conn.fetchval("select private.register($1, $2, null, null)", EMAIL, PASSWORD)
    await conn.close()
    token = login(off_port)["access_token"]
    me = request_bytes("GET", "/api/v1/users/me", {"Authorization": f"Bearer {token}"})
    for port in (off_port, on_port):  # warm both servers (pools, caches) before measuring
        await http_load(port, me, clients=CLIENTS, seconds=WARMUP, warmup=0)
    rounds = []
    for i in range(ROUNDS):
        ports = [off_port, on_port] if i % 2 == 0 else [on_port, off_port]
        loads: dict[int, Load] = {}
        for port in ports:
            loads[port] = await http_load(port, me, clients=CLIENTS, seconds=seconds / 2)
        rounds.append((loads[off_port], loads[on_port]))
    return rounds


def headers_of(port: int, token: str) -> dict[str, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as response:
        return {k.lower(): v for k, v in response.headers.items()}


def main(seconds: float = 5.0) -> None:
    # One signing key and issuer, so a token works on both servers.
    same = {"JWT_PRIVATE_KEY": private_pem(generate_key()), "JWT_ISSUER": "http://bench.test"}
    with cluster() as (admin, api_dsn), redis_server() as redis_url:
        on_env = {
            **same,
            "RATE_LIMIT_ENABLED": "true",
            "REDIS_URL": redis_url,
            "RATE_LIMIT_IP": HIGH,
            "RATE_LIMIT_USER": HIGH,
        }
        with (
            api_server(api_dsn, pool=API_POOL, extra_env=same) as (off_port, _),
            api_server(api_dsn, pool=API_POOL, extra_env=on_env) as (on_port, _),
        ):
            rounds = uvloop.run(measure(admin, off_port, on_port, seconds))
            token = login(on_port)["access_token"]
            limited = "ratelimit-limit" in headers_of(on_port, token)
            unlimited = "ratelimit-limit" not in headers_of(off_port, token)
            assert limited and unlimited, "the two servers differ only in rate limiting"
    print(f"GET /api/v1/users/me, {CLIENTS} concurrent clients, {seconds / 2:.1f} s per turn")
    for i, (off, on) in enumerate(rounds, 1):
        print(line(f"round {i}: rate limits off", off))
        print(line(f"round {i}: rate limits on (Redis, ip + user)", on))
    ratios = [on.rate / off.rate for off, on in rounds]
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"  ratio on / off: {statistics.median(ratios):.2f} median of {shown}  (target ≥ 0.8)")


if __name__ == "__main__":
    main(float(os.environ.get("BENCH_SECONDS", "5")))
