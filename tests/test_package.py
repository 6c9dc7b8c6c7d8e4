"""The package as users install it: a wheel carries the SQL, and an installed wheel alone
migrates a database and serves the API (no checkout beside it)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from api.common.settings import ROOT, with_user
from jwks import generate_key, private_pem


def test_an_installed_wheel_migrates_and_serves_on_its_own(
    tmp_path: Path, pg: Any, server_tmp_path: Path
) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(tmp_path.glob("slotbase-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("slotbase_sql/")}
    on_disk = {p.name for p in (ROOT / "sql").rglob("*.sql")}
    assert on_disk <= shipped, f"SQL missing from the wheel: {sorted(on_disk - shipped)}"
    assert any(n.endswith("licenses/LICENSE") for n in names)
    pages = {Path(n).name for n in names if n.startswith("api/web/static/")}
    static = {p.name for p in (ROOT / "api" / "web" / "static").iterdir()}
    assert static <= pages, f"browser files missing from the wheel: {sorted(static - pages)}"

    # A fresh venv with the wheel; its dependencies come from this interpreter's site-packages
    # (added by a .pth, which does not run this checkout's editable-install hook).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = subprocess.run(
        [str(python), "-c", "import api.ops.migrate as m; print(m.SQL_DIR)"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    ).stdout.strip()  # fmt: skip
    assert where.startswith(str(venv)), f"migrations came from {where}, not the wheel"

    import asyncio

    import asyncpg

    name = f"wheel_{int(time.time() * 1000) % 10**9}"

    async def create() -> None:
        conn = await asyncpg.connect(pg.admin_dsn())
        try:
            await conn.execute(f'create database "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    admin = pg.dsn(name)
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": admin,
        "DATA_DIR": str(server_tmp_path / "data"),
        "JWT_PRIVATE_KEY": private_pem(generate_key()),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_LEVEL": "WARNING",
    }
    slotbase = str(venv / "bin" / "slotbase")
    migrated = subprocess.run(
        [slotbase, "migrate"], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert "files" in migrated.stdout

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve_env = {**env, "PORT": str(port), "API_DATABASE_URL": with_user(admin, "authenticator")}
    serve_env.pop("DATABASE_URL")
    proc = subprocess.Popen(
        [slotbase, "serve"], env=serve_env, cwd=tmp_path, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2)
                assert ready.status == 200
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"the installed API did not become ready:\n{err[-3000:]}")
                time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stderr:
            proc.stderr.close()
        asyncio.run(drop(pg.admin_dsn(), name))


async def drop(admin: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()
