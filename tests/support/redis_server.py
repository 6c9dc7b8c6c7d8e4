"""A redis-server of one test alone, on a unix socket, that the test can stop and restart."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis


class RedisProcess:
    """A redis-server of this test alone, on a unix socket, that can be stopped and restarted."""

    def __init__(self, workdir: Path, *options: str) -> None:
        self.workdir = workdir
        self.options = options
        self.socket = workdir / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server not found"
        command = [
            binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
            "--logfile", str(self.workdir / "redis.log"), *self.options,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=self.workdir, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis.Redis.from_url(self.url, socket_timeout=1) as client:
                    if client.ping():
                        return
            except redis.AuthenticationError:
                return  # started with --requirepass: answering is enough
            except (redis.RedisError, OSError):
                pass
            assert self.process.poll() is None and time.monotonic() < deadline, "no redis-server"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
