"""api/cli.py, the slotbase command: migrate, keys, createsuperuser and serve through
api.cli.main, and `slotbase dev` as a process of its own. The settings it reads are tested in
tests/api/common/test_settings.py."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from api.cli import main
from api.common.settings import with_user
from api.ops.devdb import LocalCluster
from api.ops.migrate import SQL_DIR
from jwks import generate_key, private_pem, thumbprint
from tests.support.servers import free_port

MIGRATIONS = sorted(p.name for p in (SQL_DIR / "migrations").glob("*.sql"))
CODE = sorted(p.name for p in (SQL_DIR / "code").glob("*.sql"))
STRONG_PASSWORD = "granite-puffin-lighthouse"
SLOTBASE_ENV = (
    "ENVIRONMENT",
    "HOST",
    "PORT",
    "DATABASE_URL",
    "API_DATABASE_URL",
    "AUTHENTICATOR_PASSWORD",
    "WORKER_DATABASE_URL",
    "WORKER_PASSWORD",
    "REDIS_URL",
    "JWT_PRIVATE_KEY",
    "JWT_KEY_ID",
    "JWT_PUBLIC_KEYS",
    "JWT_KEYS_DIR",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "FIRST_SUPERUSER_EMAIL",
    "FIRST_SUPERUSER_PASSWORD",
    "SUPERUSER_PASSWORD",
    "DATA_DIR",
)
_numbers = itertools.count(1)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _admin(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _fetchrow(dsn: str, query: str, *args: object) -> asyncpg.Record | None:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchrow(query, *args)
    finally:
        await conn.close()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No slotbase setting leaks in from the caller; nothing falls back to the repo's .data/."""
    for name in SLOTBASE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def empty_db(pg, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A brand-new empty database that DATABASE_URL points at."""
    name = f"slotbase_cli_{os.getpid()}_{next(_numbers)}"
    asyncio.run(_admin(pg.admin_dsn(), f"create database {_ident(name)}"))
    try:
        monkeypatch.setenv("DATABASE_URL", pg.admin_dsn(name))
        yield pg.admin_dsn(name)
    finally:
        asyncio.run(_admin(pg.admin_dsn(), f"drop database if exists {_ident(name)} with (force)"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------------------------
# migrate


def test_migrate_status_dry_run_and_apply(
    empty_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "migrate", "--status")
    assert code == 1
    for name in MIGRATIONS:
        assert f"pending: {name}" in out
    for name in CODE:
        assert f"code to re-apply: {name}" in out
    assert out.strip().splitlines()[-1] == "not current"

    code, out, _ = run(capsys, "migrate", "--dry-run")
    assert code == 0
    for name in MIGRATIONS + CODE:
        assert f"would apply {name}" in out
    assert run(capsys, "migrate", "--status")[0] == 1, "--dry-run changed the database"
    row = _fetchrow_sync(empty_db, "select to_regclass('migrations.applied') as t")
    assert row is not None and row["t"] is None

    code, out, _ = run(capsys, "migrate")
    assert code == 0
    assert f"{len(MIGRATIONS) + len(CODE)} files" in out

    code, out, _ = run(capsys, "migrate", "--status")
    assert code == 0
    assert out.strip().splitlines() == ["current"]

    code, out, _ = run(capsys, "migrate", "--dry-run")
    assert code == 0
    assert "would apply" not in out
    assert "nothing to do" in out
    assert run(capsys, "migrate")[1].strip().splitlines()[-1] == "nothing to do"


def _fetchrow_sync(dsn: str, query: str, *args: object) -> asyncpg.Record | None:
    return asyncio.run(_fetchrow(dsn, query, *args))


# ---------------------------------------------------------------------------------------------
# keys


def jwks_from(out: str) -> list[dict[str, str]]:
    document = json.loads(out)
    keys = document["keys"]
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert key["kid"]
        assert key["n"] and key["e"]
        assert "d" not in key and "p" not in key, "a private parameter is published"
    return keys


def test_keys_generate_creates_a_private_signing_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_dir = tmp_path / "keys"

    code, out, _ = run(capsys, "keys", "generate", "--dir", str(keys_dir))

    assert code == 0
    assert "generated" in out
    signing = keys_dir / "signing.pem"
    assert stat.S_IMODE(signing.stat().st_mode) == 0o600
    assert "PRIVATE KEY" in signing.read_text()
    before = signing.read_bytes()

    code, out, _ = run(capsys, "keys", "generate", "--dir", str(keys_dir))
    assert code == 0
    assert "kept the existing" in out
    assert signing.read_bytes() == before


def test_keys_rotate_keeps_the_previous_key_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_dir = tmp_path / "keys"
    assert run(capsys, "keys", "generate", "--dir", str(keys_dir))[0] == 0
    code, out, _ = run(capsys, "keys", "jwks", "--dir", str(keys_dir))
    assert code == 0
    [old] = jwks_from(out)

    code, out, _ = run(capsys, "keys", "rotate", "--dir", str(keys_dir))
    assert code == 0
    assert old["kid"] in out
    assert stat.S_IMODE((keys_dir / "signing.pem").stat().st_mode) == 0o600

    code, out, _ = run(capsys, "keys", "jwks", "--dir", str(keys_dir))
    assert code == 0
    keys = jwks_from(out)
    assert len(keys) == 2
    assert old in keys
    [new] = [k for k in keys if k["kid"] != old["kid"]]
    assert new["n"] != old["n"]
    assert new["kid"] in run(capsys, "keys", "rotate", "--dir", str(keys_dir))[1]
    assert len(jwks_from(run(capsys, "keys", "jwks", "--dir", str(keys_dir))[1])) == 3


def test_keys_jwks_without_a_key_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "keys", "jwks", "--dir", str(tmp_path / "nothing"))

    assert code == 2
    assert out == ""
    assert "signing.pem" in err


def test_keys_jwks_reads_an_escaped_pem_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_key()
    monkeypatch.setenv("JWT_PRIVATE_KEY", private_pem(key).replace("\n", "\\n"))

    code, out, _ = run(capsys, "keys", "jwks")

    assert code == 0
    [published] = jwks_from(out)
    assert published["kid"] == thumbprint(key.public_key())


# ---------------------------------------------------------------------------------------------
# createsuperuser


def test_createsuperuser_creates_a_platform_admin(
    empty_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPERUSER_PASSWORD", STRONG_PASSWORD)

    code, out, _ = run(capsys, "createsuperuser", "--email", "Root@Example.com")

    assert code == 0
    assert "Root@Example.com" in out
    row = _fetchrow_sync(
        empty_db,
        "select id, is_platform_admin, email_verified_at is not null as verified,"
        " password_hash is not null as has_password from auth.users where lower(email::text) = $1",
        "root@example.com",
    )
    assert row is not None
    assert row["is_platform_admin"] is True
    assert row["verified"] and row["has_password"]
    assert str(row["id"]) in out

    # Running it again promotes the same account rather than failing or duplicating it.
    assert run(capsys, "createsuperuser", "--email", "root@example.com")[0] == 0
    count = _fetchrow_sync(empty_db, "select count(*) as n from auth.users")
    assert count is not None and count["n"] == 1


def test_createsuperuser_promotes_an_existing_account(
    empty_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPERUSER_PASSWORD", STRONG_PASSWORD)
    assert run(capsys, "migrate")[0] == 0
    asyncio.run(
        _admin(
            empty_db,
            "insert into auth.users (email, password_hash, email_verified_at)"
            " values ('staff@example.com', 'x', now())",
        )
    )

    assert run(capsys, "createsuperuser", "--email", "staff@example.com")[0] == 0

    row = _fetchrow_sync(
        empty_db,
        "select is_platform_admin, password_hash from auth.users where email = 'staff@example.com'",
    )
    assert row is not None and row["is_platform_admin"] is True
    assert row["password_hash"] == "x", "a verified account keeps its own password"


def test_createsuperuser_refuses_a_weak_password_without_a_traceback(
    empty_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPERUSER_PASSWORD", "short")
    capsys.readouterr()

    escaped: asyncpg.PostgresError | None = None
    try:
        code = main(["createsuperuser", "--email", "root@example.com"])
    except asyncpg.PostgresError as exc:
        escaped = exc
    if escaped is not None:
        pytest.fail(
            f"createsuperuser let {type(escaped).__name__} (SQLSTATE {escaped.sqlstate}: "
            f"{escaped}) escape as a traceback instead of printing the problem and exiting "
            "with status 2",
            pytrace=False,
        )
    out, err = capsys.readouterr()

    assert code == 2
    assert "Traceback" not in out + err
    assert "password" in err.lower()
    assert "8 characters" in err or "weak" in err.lower()
    row = _fetchrow_sync(empty_db, "select count(*) as n from auth.users")
    assert row is not None and row["n"] == 0


def test_an_invalid_port_makes_the_command_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "eighty")

    code, _, err = run(capsys, "keys", "generate", "--dir", str(tmp_path / "keys"))

    assert code == 2
    assert "PORT" in err
    assert "Traceback" not in err
    assert not (tmp_path / "keys").exists()


def test_with_user_dsn_connects_as_authenticator(empty_db: str) -> None:
    assert main(["migrate"]) == 0
    dsn = with_user(empty_db, "authenticator")

    row = _fetchrow_sync(dsn, "select current_user as who, session_user as login")

    assert row is not None
    assert (row["who"], row["login"]) == ("authenticator", "authenticator")


def test_serve_runs_several_worker_processes_on_one_port(
    empty_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    assert run(capsys, "migrate")[0] == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if k not in SLOTBASE_ENV},
        "API_DATABASE_URL": with_user(empty_db, "authenticator"),
        "JWT_PRIVATE_KEY": private_pem(generate_key()),
        "PORT": str(port),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SQL_DIR.parent),
    }
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--workers", "2"], env=env, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "serve --workers 2 did not answer"
                time.sleep(0.2)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        workers = [c for c in children if "api.asgi" in _cmdline(c) or _is_python(c)]
        assert len(workers) >= 2, children
        for _ in range(20):
            answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/auth/jwks", timeout=5)
            assert answer.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text()


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _is_python(pid: str) -> bool:
    return "python" in _cmdline(pid)


# ---------------------------------------------------------------------------------------------
# dev: the two-command promise end to end. With no DATABASE_URL, `slotbase dev` starts an
# embedded PostgreSQL under DATA_DIR, migrates it, serves the API; Ctrl-C stops both; data
# survives.

ROOT = Path(__file__).resolve().parents[2]
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
