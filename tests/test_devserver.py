"""The two-command promise end to end: `slotbase dev` with no DATABASE_URL starts an embedded
PostgreSQL under DATA_DIR, migrates it, serves the API; Ctrl-C stops both; data survives."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.ops.devdb import LocalCluster
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
EMAIL = "devserver@example.com"
PASSWORD = "copper-heron-valley"
CLEARED_ENV = (
    "ENVIRONMENT",
    "DATABASE_URL",
    "API_DATABASE_URL",
    "WORKER_DATABASE_URL",
    "AUTHENTICATOR_PASSWORD",
    "JWT_PRIVATE_KEY",
    "JWT_KEY_ID",
    "JWT_PUBLIC_KEYS",
    "JWT_KEYS_DIR",
    "JWT_ISSUER",
    "FIRST_SUPERUSER_EMAIL",
    "FIRST_SUPERUSER_PASSWORD",
)


@dataclass
class DevServer:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def explain(self, what: str) -> str:
        return f"{what}\n--- slotbase dev output ---\n{self.output()}"


class Runner:
    """Starts `python -m api.cli dev` processes and never leaves one (or its cluster) behind."""

    def __init__(self, data_dir: Path, log_dir: Path, redis_url: str) -> None:
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.redis_url = redis_url
        self.started: list[DevServer] = []

    def start(self) -> DevServer:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
        env.update(
            DATA_DIR=str(self.data_dir),
            PORT=str(port),
            HOST="127.0.0.1",
            REDIS_URL=self.redis_url,
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        log = self.log_dir / f"dev-{len(self.started) + 1}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "dev"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = DevServer(process, f"http://127.0.0.1:{port}", log)
        self.started.append(server)
        return server

    def wait_ready(self, server: DevServer, http: httpx.Client) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(
                    server.explain(f"slotbase dev exited with {server.process.returncode}"),
                    pytrace=False,
                )
            try:
                response = http.get(f"{server.base_url}/health/ready", timeout=2.0)
            except httpx.TransportError as exc:
                last = repr(exc)
            else:
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text}"
            time.sleep(0.2)
        pytest.fail(
            server.explain(f"/health/ready not 200 within {READY_TIMEOUT:.0f} s: {last}"),
            pytrace=False,
        )

    def interrupt(self, server: DevServer, sig: int = signal.SIGINT) -> int:
        server.process.send_signal(sig)
        try:
            return server.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            pytest.fail(
                server.explain(f"slotbase dev did not exit within {STOP_TIMEOUT:.0f} s of {sig}"),
                pytrace=False,
            )

    def cleanup(self) -> None:
        for server in self.started:
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGINT)
                try:
                    server.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()
        if (self.data_dir / "pg" / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                LocalCluster(self.data_dir / "pg", socket_dir=self.data_dir / "run").stop()


@pytest.fixture
def runner(server_tmp_path: Path, tmp_path: Path, redis_url: str) -> Iterator[Runner]:
    started = Runner(server_tmp_path / "data", tmp_path, redis_url)
    try:
        yield started
    finally:
        started.cleanup()


def login(http: httpx.Client, server: DevServer) -> str:
    response = http.post(
        f"{server.base_url}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
    )
    assert response.status_code == 200, server.explain(f"login: {response.text}")
    token = response.json()["access_token"]
    assert isinstance(token, str) and token
    return token


def me(http: httpx.Client, server: DevServer, token: str) -> dict[str, object]:
    response = http.get(
        f"{server.base_url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, server.explain(f"/users/me: {response.text}")
    return dict(response.json())


def assert_stopped(runner: Runner, server: DevServer, code: int) -> None:
    assert code in (0, 130, 143), server.explain(f"slotbase dev exited with {code} on a signal")
    pid_file = runner.data_dir / "pg" / "postmaster.pid"
    assert not pid_file.exists(), server.explain(
        "the embedded PostgreSQL is still running after slotbase dev exited"
    )


def test_dev_serves_over_http_stops_on_sigint_or_sigterm_and_keeps_its_data(runner: Runner) -> None:
    with httpx.Client(trust_env=False, timeout=10.0) as http:
        first = runner.start()
        runner.wait_ready(first, http)
        assert (runner.data_dir / "pg" / "PG_VERSION").is_file()

        registered = http.post(
            f"{first.base_url}/api/v1/auth/register",
            json={"email": EMAIL, "password": PASSWORD, "full_name": "Dev Server"},
        )
        assert registered.status_code == 201, first.explain(f"register: {registered.text}")
        user_id = registered.json()["id"]
        profile = me(http, first, login(http, first))
        assert profile["id"] == user_id
        assert profile["email"] == EMAIL

        assert_stopped(runner, first, runner.interrupt(first))

        second = runner.start()
        runner.wait_ready(second, http)
        again = me(http, second, login(http, second))
        assert again["id"] == user_id
        assert again["full_name"] == "Dev Server"

        # A process manager's SIGTERM stops everything as cleanly as Ctrl-C.
        assert_stopped(runner, second, runner.interrupt(second, signal.SIGTERM))
