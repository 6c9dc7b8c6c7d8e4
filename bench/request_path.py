"""What the API adds to a signed-in read, beside the same read without it and a bare HTTP answer.

`GET /api/v1/users/me` with a bearer token, three ways (the API twice), side by side in one run:

- API: `slotbase serve` (uvicorn, one process, a pool of 8 connections) behind 32 keep-alive
  HTTP clients, with LOG_LEVEL=WARNING as in the other benchmarks; and a second one with the
  default LOG_LEVEL=INFO, writing its JSON access line per request to a file;
- direct SQL: the one statement the API sends for that request, `private.handle_request`
  (role `authenticated` and request.jwt.claims set transaction-locally, then `api.me()`), from
  32 asyncpg callers sharing a pool of 8 connections as authenticator, like the API's;
- bare HTTP: an ASGI app answering the same JSON bytes, under the same uvicorn settings as the
  API, behind the same 32 clients: the most a Python HTTP server answers on this machine.

The load runs in a process of its own (never inside the process measured), closed loop at a
fixed concurrency: each client sends its next request when the answer to the last has come.
Rounds rotate the order of the four so that drift of the machine hits all alike. Besides
requests per second and latency, each process's CPU time over the measured window (utime +
stime from /proc, PostgreSQL summed over all its processes) is divided by the requests
answered: microseconds of CPU per request, which do not depend on how the 2 cores were shared.

`--profile FILE` afterwards samples the API process with py-spy (installed separately, not a
dependency) during one more API run and prints where its CPU goes per request.

`--against DIR` instead puts this checkout's API beside the API of another checkout (say
`git archive <commit> | tar -x -C /tmp/old`), LOG_LEVEL=WARNING and then INFO, rounds
alternating which goes first: requests per second and CPU per request, before and after, in
one run.

Alone: `PYTHONPATH=. .venv/bin/python -m bench.request_path [--profile FILE | --against DIR]`.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import uvloop

from api.request import db
from bench.common import (
    CONTENT_LENGTH,
    ROOT,
    Load,
    api_server,
    free_port,
    local_cluster,
    login,
    request_bytes,
)

EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
CLIENTS = 32
POOL = 8  # the API's pool in the other benchmarks (bench/accounts.py: best on 2 cores)
ROUNDS = 4  # each of the four first once
WARMUP = 1.0
HANDLE = db.HANDLE
ME = "select api.me()::text"
TICK = os.sysconf("SC_CLK_TCK")
KINDS = ("API", "API, log on", "direct SQL", "bare HTTP")


# -- CPU time of processes, from /proc --------------------------------------------------------


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rpartition(")")[2].split()


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all threads."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu_seconds(root: int) -> float:
    """cpu_seconds of a process and its children (PostgreSQL: the postmaster and its backends)."""
    total = cpu_seconds(root)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(_stat(int(entry.name))[1]) == root:
                    total += cpu_seconds(int(entry.name))
    return total


@dataclass(frozen=True)
class Watch:
    """Processes whose CPU is counted over the measured window."""

    api: int | None  # the server answering HTTP (the API, or the bare app)
    postgres: int  # the postmaster

    def sample(self) -> dict[str, float]:
        sample = {"load": time.process_time(), "PostgreSQL": tree_cpu_seconds(self.postgres)}
        if self.api is not None:
            sample["server"] = cpu_seconds(self.api)
        return sample


@dataclass
class Run:
    load: Load
    cpu: dict[str, float]  # CPU seconds over the window, by process

    def per_request(self, process: str) -> float:
        """µs of CPU per answered request."""
        return self.cpu[process] / max(1, self.load.count) * 1e6


# -- the load, in its own process --------------------------------------------------------------


async def _window(load: Load, watch: Watch, start: float, stop: float) -> dict[str, float]:
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    first = watch.sample()
    await asyncio.sleep(max(0.0, stop - time.perf_counter()))
    last = watch.sample()
    return {name: last[name] - first[name] for name in first}


async def _http(port: int, request: bytes, watch: Watch, seconds: float) -> Run:
    load = Load(seconds)
    start = time.perf_counter() + WARMUP
    stop = start + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (now := time.perf_counter()) < stop:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                match = CONTENT_LENGTH.search(head)
                await reader.readexactly(int(match.group(1)) if match else 0)
                if start <= now:
                    load.statuses[int(head[9:12])] += 1
                    load.latencies.append(time.perf_counter() - now)
        finally:
            writer.close()

    window = asyncio.ensure_future(_window(load, watch, start, stop))
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return Run(load, await window)


async def _sql(dsn: str, values: tuple[object, ...], watch: Watch, seconds: float) -> Run:
    load = Load(seconds)
    pool = await db.create_pool(dsn, min_size=POOL, max_size=POOL)
    start = time.perf_counter() + WARMUP
    stop = start + seconds

    async def client() -> None:
        while (now := time.perf_counter()) < stop:
            async with pool.acquire() as conn:
                row = await conn.fetchrow(HANDLE, *values)
            if start <= now:
                load.statuses[row["status"]] += 1
                load.latencies.append(time.perf_counter() - now)

    window = asyncio.ensure_future(_window(load, watch, start, stop))
    try:
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
    finally:
        await pool.close()
    return Run(load, await window)


def http_run(
    port: int, request: bytes, watch: Watch, seconds: float, cpus: set[int] | None = None
) -> Run:
    """cpus: the cores this load process may use during the run (the profile pins it)."""
    before = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        return uvloop.run(_http(port, request, watch, seconds))
    finally:
        os.sched_setaffinity(0, before)


def sql_run(dsn: str, values: tuple[object, ...], watch: Watch, seconds: float) -> Run:
    run = uvloop.run(_sql(dsn, values, watch, seconds))
    run.cpu["server"] = run.cpu.pop("load")  # here the client is the one doing the work
    return run


# -- the bare HTTP answer ---------------------------------------------------------------------


class Bare:
    """An ASGI app answering one constant JSON body to every request."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": self.body})  # type: ignore[operator]


def serve_bare(port: int, body: bytes) -> None:
    import uvicorn

    # The uvicorn options of `slotbase serve` (api/cli.py), lifespan off: nothing to start.
    uvicorn.run(
        Bare(body),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
        lifespan="off",
    )


@contextlib.contextmanager
def bare_server(body: bytes) -> Iterator[tuple[int, int]]:
    """(port, pid) of the bare app in its own process."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BARE_BODY": body.decode()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.request_path", "--serve-bare", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the bare app did not start") from None
                time.sleep(0.1)
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def child_serving(port: int) -> int:
    """The pid of this process's child started with PORT=port (the API of api_server)."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(_stat(int(entry.name))[1]) != os.getpid():
                continue
            environ = Path(f"/proc/{entry.name}/environ").read_bytes().split(b"\0")
            if f"PORT={port}".encode() in environ:
                return int(entry.name)
    raise RuntimeError(f"no child process serves port {port}")


# -- the report -------------------------------------------------------------------------------


def line(label: str, runs: list[Run]) -> str:
    rate = statistics.median(r.load.rate for r in runs)
    median = statistics.median(r.load.median for r in runs) * 1000
    p99 = statistics.median(r.load.percentile(99) for r in runs) * 1000
    bad = sum(n for r in runs for s, n in r.load.statuses.items() if s >= 400)
    return (
        f"  {label:<12} {rate:>7.0f}/s   median {median:6.2f} ms   p99 {p99:6.2f} ms"
        f"   errors {bad}   rounds {', '.join(f'{r.load.rate:.0f}' for r in runs)}"
    )


def cpu_line(label: str, runs: list[Run]) -> str:
    def us(process: str) -> str:
        if process not in runs[0].cpu:
            return "      -"
        return f"{statistics.median(r.per_request(process) for r in runs):7.1f}"

    return f"  {label:<12} {us('server')}     {us('PostgreSQL')} {us('load')}"


def report(runs: dict[str, list[Run]], seconds: float) -> None:
    print(
        f"GET /api/v1/users/me, {CLIENTS} concurrent clients, {ROUNDS} rounds of {seconds:.0f} s,"
        " load from its own process"
    )
    for kind in KINDS:
        print(line(kind, runs[kind]))
    rate = {kind: statistics.median(r.load.rate for r in runs[kind]) for kind in KINDS}
    print(f"  ratio API / direct SQL: {rate['API'] / rate['direct SQL']:.2f}")
    print(f"  ratio API / bare HTTP:  {rate['API'] / rate['bare HTTP']:.2f}")
    print(f"  ratio API, log on / API: {rate['API, log on'] / rate['API']:.2f}")
    print(
        "CPU per request, µs (median of rounds); server: the API, the asyncpg caller, the bare app"
    )
    print("                server  PostgreSQL    load")
    for kind in KINDS:
        print(cpu_line(kind, runs[kind]))


# -- the profile ------------------------------------------------------------------------------


def py_spy() -> str | None:
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


def pin(pid: int, cpus: set[int]) -> None:
    """Every thread of a process onto `cpus`."""
    for task in os.scandir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(int(task.name), cpus)


def children(root: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(_stat(int(entry.name))[1]) == root:
                    found.append(int(entry.name))
    return found


def profile(
    pool: concurrent.futures.ProcessPoolExecutor,
    port: int,
    request: bytes,
    watch: Watch,
    seconds: float,
    out: Path,
) -> None:
    """py-spy samples wall time of a running thread, and on cores shared with PostgreSQL and
    the load a process woken up waits for a core often: its samples would pile up at the socket
    writes that wake the others. For the profile the API gets a core to itself, PostgreSQL and
    the load share the other."""
    binary = py_spy()
    if binary is None:
        print("py-spy not found (pip install py-spy): no profile")
        return
    assert watch.api is not None
    cores = os.sched_getaffinity(0)
    others = [watch.postgres, *children(watch.postgres)]
    rest = None
    if len(cores) >= 2:
        first, second = sorted(cores)[:2]
        rest = {second}
        pin(watch.api, {first})
        for pid in others:
            pin(pid, rest)
    future = pool.submit(http_run, port, request, watch, seconds, rest)
    time.sleep(WARMUP + 0.5)  # the load process starts and warms up first
    command = [
        binary, "record", "--pid", str(watch.api), "--duration", str(int(seconds) - 1),
        "--rate", "500", "--format", "raw", "--function", "--output", str(out),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = future.result()
    finally:
        for pid in (watch.api, *others):
            pin(pid, cores)
    if rest:
        print(
            f"API on a core of its own, PostgreSQL and the load on another: {run.load.rate:.0f}/s"
        )
    summarize(out, run.per_request("server"))


def summarize(raw: Path, us_per_request: float, top: int = 25) -> None:
    """Inclusive and own shares of the samples, as µs of the API's CPU per request."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for row in raw.read_text().splitlines():
        stack, _, count = row.rpartition(" ")
        frames = [
            f.split(" (")[0] + " " + f.rpartition("/")[2].rstrip(")") for f in stack.split(";")
        ]
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    print(f"Profile of the API process: {total} samples, {us_per_request:.0f} µs CPU per request")
    print("  (the event loop's own share is its C code: polling, socket reads, waking tasks)")
    for title, counter in (("inclusive", inclusive), ("own", own)):
        print(f"  top {top}, {title}: µs per request, share")
        shown = [
            (f, n) for f, n in counter.most_common() if n < 0.99 * total or f.startswith("Runner")
        ]
        for frame, n in shown[:top]:
            print(f"    {n / total * us_per_request:7.1f}  {n / total:6.1%}  {frame}")


# -- the run ----------------------------------------------------------------------------------


def main(seconds: float = 5.0, profile_to: Path | None = None) -> None:
    with local_cluster() as pg:
        admin, api_dsn = pg.dsn("postgres"), pg.dsn("postgres", user="authenticator")
        asyncio.run(_register(admin))
        postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
        spawn = multiprocessing.get_context("spawn")
        info = {"LOG_LEVEL": "INFO"}
        with (
            api_server(api_dsn, pool=POOL) as (port, _),
            api_server(
                api_dsn, pool=POOL, extra_env=info, log_file=pg.datadir.parent / "api.log"
            ) as (logging_port, _),
            concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as loads,
        ):
            token = login(port, EMAIL, PASSWORD)["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            me = request_bytes("GET", "/api/v1/users/me", headers)
            answer = urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/users/me", headers=headers)
            )
            body = answer.read()
            claims = json.dumps(_claims(token))
            context = json.dumps({"id": "bench", "ip": "127.0.0.1", "user_agent": None})
            values = ("authenticated", claims, context, ME, "{}", True)
            api_watch = Watch(child_serving(port), postmaster)
            logging_token = login(logging_port, EMAIL, PASSWORD)["access_token"]
            logging_me = request_bytes(
                "GET", "/api/v1/users/me", {"Authorization": f"Bearer {logging_token}"}
            )
            logging_watch = Watch(child_serving(logging_port), postmaster)
            with bare_server(body) as (bare_port, bare_pid):
                bare = request_bytes("GET", "/api/v1/users/me", headers)
                jobs = {
                    "API": (http_run, port, me, api_watch),
                    "API, log on": (http_run, logging_port, logging_me, logging_watch),
                    "direct SQL": (sql_run, api_dsn, values, Watch(None, postmaster)),
                    "bare HTTP": (http_run, bare_port, bare, Watch(bare_pid, postmaster)),
                }
                runs: dict[str, list[Run]] = {kind: [] for kind in KINDS}
                for round_ in range(ROUNDS):
                    for kind in KINDS[round_:] + KINDS[:round_]:
                        fn, *args = jobs[kind]
                        runs[kind].append(loads.submit(fn, *args, seconds).result())
            report(runs, seconds)
            if profile_to is not None:
                print()
                profile(loads, port, me, api_watch, max(seconds, 10.0), profile_to)


AGAINST_ROUNDS = 8


def against(old: Path, seconds: float) -> None:
    """The API of `old` (before) beside this checkout's (after), alternating, in one cluster."""
    with local_cluster() as pg:
        admin, api_dsn = pg.dsn("postgres"), pg.dsn("postgres", user="authenticator")
        asyncio.run(_register(admin))
        postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
        spawn = multiprocessing.get_context("spawn")
        print(
            f"GET /api/v1/users/me, {CLIENTS} concurrent clients, {AGAINST_ROUNDS} rounds of"
            f" {seconds:.0f} s each; before: {old}, after: {ROOT}"
        )
        for level in ("WARNING", "INFO"):
            with contextlib.ExitStack() as stack:
                loads = stack.enter_context(
                    concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn)
                )
                jobs = {}
                for name, source in (("before", old), ("after", ROOT)):
                    port, _ = stack.enter_context(
                        api_server(
                            api_dsn,
                            pool=POOL,
                            extra_env={"LOG_LEVEL": level},
                            log_file=pg.datadir.parent / f"{name}.log",
                            source=source,
                        )
                    )
                    token = login(port, EMAIL, PASSWORD)["access_token"]
                    me = request_bytes(
                        "GET", "/api/v1/users/me", {"Authorization": f"Bearer {token}"}
                    )
                    jobs[name] = (port, me, Watch(child_serving(port), postmaster))
                runs: dict[str, list[Run]] = {"before": [], "after": []}
                for round_ in range(AGAINST_ROUNDS):
                    for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                        runs[name].append(loads.submit(http_run, *jobs[name], seconds).result())
            print(f"LOG_LEVEL={level}")
            for name in ("before", "after"):
                cpu = [r.per_request("server") for r in runs[name]]
                print(
                    f"  {name:<7} {statistics.median(r.load.rate for r in runs[name]):7.0f}/s"
                    f"   API CPU {statistics.median(cpu):6.1f} µs per request"
                    f"   (rounds {', '.join(f'{c:.0f}' for c in cpu)})"
                )
            cpu_ratios = [
                a.per_request("server") / b.per_request("server")
                for a, b in zip(runs["after"], runs["before"], strict=True)
            ]
            rate_ratios = [
                a.load.rate / b.load.rate
                for a, b in zip(runs["after"], runs["before"], strict=True)
            ]
            print(
                f"  after / before: requests/s {statistics.median(rate_ratios):.2f},"
                f" CPU per request {statistics.median(cpu_ratios):.2f}"
                f" (rounds {', '.join(f'{r:.2f}' for r in cpu_ratios)})"
            )


def _claims(token: str) -> dict:
    import jwt

    return dict(jwt.decode(token, options={"verify_signature": False}))


async def _register(admin: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.fetchval("select private.register($1, $2, null, null)", EMAIL, PASSWORD)
    finally:
        await conn.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-bare"]:
        serve_bare(int(sys.argv[2]), os.environ["BARE_BODY"].encode())
    elif sys.argv[1:2] == ["--against"]:
        against(Path(sys.argv[2]).resolve(), float(os.environ.get("BENCH_SECONDS", "5")))
    else:
        out = Path(sys.argv[2]) if sys.argv[1:2] == ["--profile"] else None
        main(float(os.environ.get("BENCH_SECONDS", "5")), out)
