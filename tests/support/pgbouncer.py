"""A PgBouncer of one test alone, in transaction mode, in front of a test server.

Debian's pgbouncer refuses to run as root, so as root it runs as the server's OS user, as the
PostgreSQL server does (api.ops.devdb.server_user).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from api.ops.devdb import server_user
from tests.support.servers import free_port

USERS = ("postgres", "authenticator", "slotbase_worker", "slotbase_client")


def binary() -> str:
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    assert Path(found).exists(), "pgbouncer not found: apt-get install pgbouncer"
    return found


class PgBouncer:
    """pool_size server connections per (database, user), shared by every client in turn."""

    def __init__(self, workdir: Path, server_url: str, *, pool_size: int = 3) -> None:
        self.workdir = workdir
        parts = urlsplit(server_url)
        query = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)
        self.server_host = query.get("host") or parts.hostname or "127.0.0.1"
        self.server_port = int(query.get("port") or parts.port or 5432)
        self.pool_size = pool_size
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, dbname: str, user: str) -> str:
        return f"postgresql://{quote(user)}@127.0.0.1:{self.port}/{quote(dbname)}"

    def start(self) -> None:
        ini, users, log = (self.workdir / n for n in ("pgbouncer.ini", "users.txt", "pgb.log"))
        users.write_text("".join(f'"{u}" ""\n' for u in USERS))
        ini.write_text(
            "[databases]\n"
            f"* = host={self.server_host} port={self.server_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            f"pool_mode = transaction\ndefault_pool_size = {self.pool_size}\n"
            "max_client_conn = 500\nadmin_users = postgres\n"
            # asyncpg's startup packet carries no other parameters; let them pass all the same.
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {log}\npidfile = {self.workdir / 'pgb.pid'}\n"
        )
        command = [binary(), str(ini)]
        user = server_user()
        if user is not None:
            for path in (self.workdir, ini, users):
                os.chown(path, user.pw_uid, user.pw_gid)
            command = ["runuser", "-u", user.pw_name, "--", *command]
        self.process = subprocess.Popen(
            command, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )  # it logs to logfile too
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                exited = self.process.poll() is not None
                if exited or time.monotonic() > deadline:
                    output = log.read_text(errors="replace") if log.exists() else ""
                    raise AssertionError(f"pgbouncer did not start:\n{output}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
