"""api/ops/devdb.py: a local PostgreSQL cluster in a directory, started as an unprivileged
user when run as root, and its data kept across restarts."""

from __future__ import annotations

import asyncio
import os
import pwd
import subprocess
from pathlib import Path

import asyncpg
import pytest

from api.ops.devdb import (
    ClusterError,
    LocalCluster,
    find_bindir,
    reachable,
    server_user,
    untraversable_parent,
)


def psql(dsn: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, dsn],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def postmaster_pid(cluster: LocalCluster) -> int:
    return int((cluster.datadir / "postmaster.pid").read_text().split()[0])


def test_bindir_holds_the_server_programs() -> None:
    bindir = find_bindir()

    assert (bindir / "initdb").is_file()
    assert (bindir / "pg_ctl").is_file()


def test_cluster_runs_as_an_unprivileged_user_when_started_by_root(server_tmp_path: Path) -> None:
    expected_uid = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()

    with LocalCluster(server_tmp_path / "data", fsync=False) as cluster:
        assert cluster.is_running()
        assert (cluster.datadir / "postmaster.pid").stat().st_uid == expected_uid
        assert Path(f"/proc/{postmaster_pid(cluster)}").stat().st_uid == expected_uid
        assert psql(cluster.dsn(), "show fsync") == "off"
        assert psql(cluster.dsn(), "show listen_addresses") == ""
        assert psql(cluster.dsn(), "select current_user") == "postgres"

    assert not cluster.is_running()


def test_cluster_start_is_idempotent(server_tmp_path: Path) -> None:
    cluster = LocalCluster(server_tmp_path / "data", port=5433, fsync=False)
    cluster.init()
    cluster.init()
    try:
        cluster.start()
        first = postmaster_pid(cluster)
        cluster.start()
        assert postmaster_pid(cluster) == first
    finally:
        cluster.stop()
    cluster.stop()

    assert not cluster.is_running()


def test_data_survives_a_restart(server_tmp_path: Path) -> None:
    cluster = LocalCluster(server_tmp_path / "data", fsync=False, extra_conf={"work_mem": "8MB"})
    with cluster:
        psql(cluster.dsn(), "create table kept (note text); insert into kept values ('still here')")

    with cluster:
        assert psql(cluster.dsn(), "select note from kept") == "still here"
        assert psql(cluster.dsn(), "show work_mem") == "8MB"


def test_asyncpg_connects_with_the_dsn(server_tmp_path: Path) -> None:
    async def server_version(dsn: str) -> str:
        conn = await asyncpg.connect(dsn)
        try:
            return str(await conn.fetchval("show server_version_num"))
        finally:
            await conn.close()

    with LocalCluster(server_tmp_path / "data", fsync=False) as cluster:
        assert int(asyncio.run(server_version(cluster.dsn()))) >= 150000


def test_dsn_names_the_socket_directory_and_port(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "data", socket_dir=tmp_path / "sock dir", port=6543)

    assert cluster.dsn("slotbase", "authenticator") == (
        f"postgresql://authenticator@/slotbase?host={tmp_path}/sock%20dir&port=6543"
    )


def test_a_directory_the_server_user_cannot_enter_is_reported(server_tmp_path: Path) -> None:
    closed = server_tmp_path / "closed"
    (closed / "data").mkdir(parents=True)
    closed.chmod(0o700)
    stranger = pwd.getpwnam("nobody")

    assert untraversable_parent(closed / "data", stranger) == closed
    closed.chmod(0o711)
    assert untraversable_parent(closed / "data", stranger) is None


def test_root_refuses_a_datadir_the_server_user_cannot_reach(tmp_path: Path) -> None:
    # pytest's tmp_path lives under a 0700 directory, so as root the check must refuse it; as
    # any other user the server runs as that user and the directory is fine.
    cluster = LocalCluster(tmp_path / "data", fsync=False)
    if server_user() is None:
        cluster.init()
        assert (cluster.datadir / "PG_VERSION").exists()
    else:
        with pytest.raises(ClusterError, match="cannot enter"):
            cluster.init()


def test_a_data_dir_the_server_user_cannot_reach_is_linked_to_one_it_can(
    tmp_path: Path, server_tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clone in root's home: `make run` keeps `.data/pg` and `.data/run` as links to a
    directory the server's OS user can enter, and the cluster runs there."""
    monkeypatch.setenv("SLOTBASE_SERVER_HOME", str(server_tmp_path / "home"))
    data_dir = tmp_path / "clone" / ".data"  # under pytest's 0700 tmp_path
    home = reachable(data_dir)
    if server_user() is None:  # not root: the server runs as us, and the directory is fine
        assert home == data_dir.absolute()
        return
    # A fresh clone in a folder the server user can enter: .data is made, and used as it is.
    fresh = server_tmp_path / "clone" / ".data"
    assert reachable(fresh) == fresh and fresh.is_dir()
    assert home.is_relative_to(server_tmp_path / "home")
    assert (data_dir / "pg").resolve() == (home / "pg").resolve()
    assert (data_dir / "run").resolve() == (home / "run").resolve()
    assert reachable(data_dir) == home, "the same clone always gets the same place"
    cluster = LocalCluster(home / "pg", socket_dir=home / "run", fsync=False)
    with cluster:
        assert (data_dir / "pg" / "PG_VERSION").exists()
        dsn = cluster.dsn()
        assert asyncio.run(_select_one(dsn)) == 1


async def _select_one(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("select 1"))
    finally:
        await conn.close()
