"""What every benchmark needs: a throwaway cluster, the API in its own process, a lean load loop.

Figures are ratios measured side by side in one run on the same machine, never absolutes to
compare across machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import redis

from api.ops import migrate
from api.ops.devdb import LocalCluster
from jwks import generate_key, private_pem

ROOT = Path(__file__).resolve().parent.parent
CONTENT_LENGTH = re.compile(rb"content-length: *(\d+)", re.I)


@dataclass
class Load:
    """Completed operations of one measured run."""

    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        values = sorted(self.latencies)
        return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


CONF = {"max_connections": "300", "shared_buffers": "256MB", "synchronous_commit": "off"}


@contextlib.contextmanager
def cluster(bcrypt_cost: int | None = None) -> Iterator[tuple[str, str]]:
    """A migrated throwaway database: (owner DSN, authenticator DSN)."""
    with local_cluster(bcrypt_cost) as pg:
        yield pg.dsn("postgres"), pg.dsn("postgres", user="authenticator")


@contextlib.contextmanager
def local_cluster(bcrypt_cost: int | None = None) -> Iterator[LocalCluster]:
    """The migrated throwaway cluster itself (its database "postgres" holds slotbase)."""
    workdir = Path(tempfile.mkdtemp(prefix="slotbase-bench-"))
    os.chmod(workdir, 0o755)
    pg = LocalCluster(workdir / "pg", socket_dir=workdir / "run", fsync=False, extra_conf=CONF)
    try:
        pg.init()
        pg.start()
        admin = pg.dsn("postgres")
        asyncio.run(migrate.migrate(admin))
        if bcrypt_cost is not None:
            asyncio.run(
                _execute(
                    admin,
                    f"update private.settings set value = '{bcrypt_cost}' "
                    "where name = 'bcrypt_cost'",
                )
            )
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server on a free TCP port: its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found (Debian: apt-get install redis-server)")
    workdir = Path(tempfile.mkdtemp(prefix="slotbase-bench-redis-"))
    port = free_port()
    command = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", str(workdir), "--logfile", str(workdir / "redis.log"),
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(url, socket_timeout=1).ping():
                    break
            except (redis.RedisError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def api_server(
    api_dsn: str,
    *,
    pool: int = 32,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    log_file: Path | None = None,
    source: Path = ROOT,
) -> Iterator[tuple[int, str]]:
    """The API as `slotbase serve` in its own process: (port, PEM of its signing key).

    Rate limits are off unless `extra_env` turns them on (bench/ratelimit.py). Its stderr goes
    to a pipe read only if it fails to start, or to `log_file` (with LOG_LEVEL=INFO in
    `extra_env`, a line per request that a pipe would not hold). `source`: the checkout whose
    api package it runs (its working directory, which `python -m` puts first on sys.path)."""
    port = free_port()
    pem = private_pem(generate_key())
    env = {
        **os.environ,
        "API_DATABASE_URL": api_dsn,
        "JWT_PRIVATE_KEY": pem,
        "JWT_ISSUER": f"http://127.0.0.1:{port}",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DB_POOL_MIN": str(pool),
        "DB_POOL_MAX": str(pool),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "RATE_LIMIT_ENABLED": "false",
        # One access line per request would fill the stderr pipe read only on failure, and stall.
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(source),
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)
    log = open(log_file, "wb") if log_file else None  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--workers", str(workers)],
        cwd=source,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    if log_file:
                        err = log_file.read_text(errors="replace")
                    else:
                        err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"API did not start:\n{err}") from None
                time.sleep(0.1)
        yield port, pem
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            log.close()


async def http_load(
    port: int, request: bytes, *, clients: int, seconds: float, warmup: float = 1.0
) -> Load:
    """Keep-alive HTTP/1.1 clients sending the same request as fast as answers come back."""
    return await http_load_each(port, [request] * clients, seconds=seconds, warmup=warmup)


async def http_load_each(
    port: int, requests: list[bytes], *, seconds: float, warmup: float = 1.0
) -> Load:
    """One keep-alive client per request, each repeating its own request."""
    load = Load(seconds)
    start = time.perf_counter() + warmup
    stop = start + seconds

    async def client(request: bytes) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (now := time.perf_counter()) < stop:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                match = CONTENT_LENGTH.search(head)
                await reader.readexactly(int(match.group(1)) if match else 0)
                if now >= start:
                    load.statuses[int(head[9:12])] += 1
                    load.latencies.append(time.perf_counter() - now)
        finally:
            writer.close()

    await asyncio.gather(*(client(request) for request in requests))
    return load


async def sql_load(
    pool: asyncpg.Pool,
    call: Callable[[asyncpg.Connection], Awaitable[object]],
    *,
    clients: int,
    seconds: float,
    warmup: float = 1.0,
) -> Load:
    """`clients` tasks, each holding a pooled connection, calling as fast as answers come back."""
    load = Load(seconds)
    start = time.perf_counter() + warmup
    stop = start + seconds

    async def client() -> None:
        async with pool.acquire() as conn:
            while (now := time.perf_counter()) < stop:
                await call(conn)
                if now >= start:
                    load.statuses[200] += 1
                    load.latencies.append(time.perf_counter() - now)

    await asyncio.gather(*(client() for _ in range(clients)))
    return load


def request_bytes(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def login(port: int, email: str, password: str) -> dict:
    """A token pair from the API under test, over HTTP."""
    body = json.dumps({"email": email, "password": password}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        data=body,
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req) as response:
        return dict(json.load(response))
