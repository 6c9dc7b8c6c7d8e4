"""Event fan-out: 1,000 SSE clients on one provider's availability; commit to delivery at the last.

Each round commits one change to the provider's schedule (a time-off row, written directly in
SQL) and waits until every client has received its event. The time is taken from just before
the COMMIT is sent to the moment the last client has read the event: trigger, NOTIFY, the API's
listener, the fan-out and 1,000 socket writes, and the clients' own reading, on shared cores.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import time

import asyncpg

from bench.bookings import bookable_provider_set
from bench.common import api_server, cluster

CLIENTS = 1000
ROUNDS = 40


class Client:
    def __init__(self) -> None:
        self.received: dict[int, float] = {}
        self.waiters: dict[int, asyncio.Future[None]] = {}

    async def run(self, port: int, topic: str, ready: asyncio.Event, counter: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET /api/v1/events?topics={topic} HTTP/1.1\r\nHost: bench\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"subscribe failed: {status!r}")
        while await reader.readline() not in (b"\r\n", b""):
            pass
        counter[0] += 1
        if counter[0] == CLIENTS:
            ready.set()
        while line := await reader.readline():
            # Chunked framing lines and SSE fields arrive as lines; only data lines matter here.
            if line.startswith(b"data: {"):
                event_id = json.loads(line[6:])["id"]
                self.received[event_id] = time.perf_counter()
                waiter = self.waiters.pop(event_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

    def arrival(self, event_id: int) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if event_id in self.received:
            future.set_result(None)
        else:
            self.waiters[event_id] = future
        return future


async def measure(admin: str, port: int) -> None:
    providers, _ = await bookable_provider_set(admin, 1)
    provider = providers[0]
    topic = f"availability:{provider}"
    clients = [Client() for _ in range(CLIENTS)]
    ready, counter = asyncio.Event(), [0]
    started = time.perf_counter()
    tasks = [asyncio.ensure_future(c.run(port, topic, ready, counter)) for c in clients]
    await asyncio.wait_for(ready.wait(), 120)
    connect_seconds = time.perf_counter() - started
    conn = await asyncpg.connect(admin)
    latencies: list[float] = []
    firsts: list[float] = []
    try:
        for i in range(ROUNDS):
            async with conn.transaction():
                event_id = None
                await conn.execute(
                    "insert into app.time_off (org_id, provider_id, period)"
                    " select org_id, id, tstzrange(now() + make_interval(days => $2),"
                    " now() + make_interval(days => $2, hours => 1))"
                    " from app.providers where id = $1",
                    provider,
                    i + 1,
                )
                event_id = await conn.fetchval("select max(id) from app.events")
                sent = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*(c.arrival(event_id) for c in clients)), 30)
            arrivals = sorted(c.received[event_id] for c in clients)
            if i > 0:  # the first round warms the path up
                latencies.append(arrivals[-1] - sent)
                firsts.append(arrivals[0] - sent)
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(f"  {CLIENTS} SSE clients on one topic connected in {connect_seconds:.1f} s")
    print(
        f"  commit -> delivery at the last client over {ROUNDS - 1} events: "
        f"median {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms"
    )
    first = statistics.median(firsts) * 1000
    print(f"  commit -> delivery at the first client: median {first:.1f} ms")


def main(seconds: float = 5.0) -> None:
    del seconds  # a fixed number of rounds, not a duration
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192)
    if soft < want:  # 1,000 sockets on each side; the API process inherits the limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    print("Live updates: event fan-out over Server-Sent Events")
    print("  one process each: this client (1,000 connections), the API, PostgreSQL; 2 cores")
    with cluster() as (admin, api_dsn), api_server(api_dsn) as (port, _):
        asyncio.run(measure(admin, port))


if __name__ == "__main__":
    main()
