"""api/worker.py: `python -m api.worker` runs the outbox worker's command (api.outbox.worker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "api.worker", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_module_answers_help_with_the_workers_options(tmp_path: Path) -> None:
    done = worker("--help", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m api.worker")
    for option in ("--dsn", "--batch", "--check", "--lease-seconds", "--poll-seconds"):
        assert option in done.stdout


def test_the_health_check_exits_by_the_age_of_the_heartbeat(tmp_path: Path) -> None:
    assert worker("--check", data_dir=tmp_path).returncode == 1  # no worker has run here
    heartbeat = tmp_path / "worker.alive"
    heartbeat.touch()
    assert worker("--check", data_dir=tmp_path).returncode == 0
    stale = heartbeat.stat().st_mtime - 3600
    os.utime(heartbeat, (stale, stale))
    assert worker("--check", data_dir=tmp_path).returncode == 1


def test_an_unknown_option_is_refused_with_the_usage(tmp_path: Path) -> None:
    done = worker("--no-such-option", data_dir=tmp_path)
    assert done.returncode == 2
    assert "usage: python -m api.worker" in done.stderr
