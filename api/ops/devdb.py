"""A local PostgreSQL cluster in a directory: the server behind `make run` and the tests.

initdb, pg_ctl and postgres refuse to run as root, so when this process is root the server
commands alone run as an unprivileged OS user; clients (psql, asyncpg) stay as they are.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shlex
import shutil
import stat
import subprocess
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

SERVER_USERS = ("postgres", "nobody")


class ClusterError(RuntimeError):
    """The local cluster could not be found, created, started or stopped."""


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl: `pg_config --bindir`, else the newest install."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    installed = glob.glob("/usr/lib/postgresql/*/bin")
    installed.sort(key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()])
    candidates += [Path(p) for p in reversed(installed)]
    for bindir in candidates:
        if (bindir / "initdb").is_file():
            return bindir
    raise ClusterError(
        "no PostgreSQL server binaries found: neither `pg_config --bindir` nor "
        "/usr/lib/postgresql/*/bin contains initdb (install postgresql, e.g. postgresql-15)"
    )


def server_user() -> pwd.struct_passwd | None:
    """The OS user that runs the server, or None to run it as the current user."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ClusterError(f"running as root, but none of the OS users {SERVER_USERS} exists")


def untraversable_parent(path: Path, user: pwd.struct_passwd) -> Path | None:
    """The first directory above `path` that `user` may not enter, if any."""
    groups = {user.pw_gid} | {g for g in os.getgrouplist(user.pw_name, user.pw_gid)}
    for parent in reversed(path.resolve().parents):
        st = parent.stat()
        if st.st_uid == user.pw_uid:
            allowed = st.st_mode & stat.S_IXUSR
        elif st.st_gid in groups:
            allowed = st.st_mode & stat.S_IXGRP
        else:
            allowed = st.st_mode & stat.S_IXOTH
        if not allowed:
            return parent
    return None


SERVER_HOME = Path("/var/lib/slotbase")


def reachable(data_dir: Path) -> Path:
    """Where the cluster's files go: `data_dir` itself, or, when the server's OS user cannot
    enter it (a clone in root's home, mode 700), a directory of its own under /var/lib/slotbase
    that `data_dir/pg` and `data_dir/run` link to, so `.data/` stays where a user looks."""
    data_dir = data_dir.absolute()
    data_dir.mkdir(parents=True, exist_ok=True)
    user = server_user()
    # A name that is never a link: the question is whether data_dir itself can be entered.
    if user is None or untraversable_parent(data_dir / ".probe", user) is None:
        return data_dir
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    home = Path(os.environ.get("SLOTBASE_SERVER_HOME") or SERVER_HOME) / key
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o755)
    for name in ("pg", "run"):
        link = data_dir / name
        if link.is_symlink() and link.resolve() == (home / name).resolve():
            continue
        if link.is_symlink() or (link.is_dir() and not any(link.iterdir())):
            link.unlink() if link.is_symlink() else link.rmdir()
        if link.exists():
            raise ClusterError(
                f"{link} holds files the server's OS user {user.pw_name!r} cannot reach; "
                f"move them to {home / name} and link {link} there"
            )
        link.symlink_to(home / name, target_is_directory=True)
    return home


class LocalCluster:
    def __init__(
        self,
        datadir: Path,
        *,
        socket_dir: Path | None = None,
        port: int = 5432,
        fsync: bool = True,
        extra_conf: dict[str, str] | None = None,
    ) -> None:
        self.datadir = Path(datadir).absolute()
        self.socket_dir = Path(socket_dir or self.datadir.parent / "run").absolute()
        self.port = port
        self.fsync = fsync
        self.extra_conf = dict(extra_conf or {})
        self.logfile = self.datadir.with_name(self.datadir.name + ".log")
        self.bindir = find_bindir()
        self.user = server_user()

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        host = quote(str(self.socket_dir), safe="/")
        return f"postgresql://{quote(user)}@/{quote(dbname)}?host={host}&port={self.port}"

    def init(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            return
        self._prepare(self.datadir)
        args = ["--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync"]
        first = self._server("initdb", "-D", str(self.datadir), *args, "--locale=C.UTF-8")
        if first.returncode != 0:
            # Some systems lack the C.UTF-8 locale; initdb leaves the directory empty on failure.
            second = self._server("initdb", "-D", str(self.datadir), *args, "--locale=C")
            if second.returncode != 0:
                raise ClusterError(f"initdb failed:\n{first.stderr}\n{second.stderr}")

    def start(self) -> None:
        if self.is_running():
            return
        self._prepare(self.socket_dir)
        self._prepare(self.logfile, directory=False)
        conf = {
            "listen_addresses": "",
            "fsync": "on" if self.fsync else "off",
            **self.extra_conf,
        }
        options = [f"-k {shlex.quote(str(self.socket_dir))}", f"-p {self.port}"]
        options += [f"-c {shlex.quote(f'{name}={value}')}" for name, value in conf.items()]
        result = self._server(
            "pg_ctl", "start", "-w", "-D", str(self.datadir), "-l", str(self.logfile),
            "-o", " ".join(options),
        )  # fmt: skip
        if result.returncode != 0:
            raise ClusterError(
                f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{self._log_tail()}"
            )

    def stop(self, mode: str = "fast") -> None:
        """mode: pg_ctl's shutdown mode; "immediate" is a crash, as a lost machine would be."""
        if not self.is_running():
            return
        result = self._server("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.datadir))
        if result.returncode != 0:
            raise ClusterError(f"pg_ctl stop failed:\n{result.stdout}{result.stderr}")

    def standby_of(self, primary: LocalCluster, *, application_name: str = "standby") -> None:
        """Make this (not yet initialised) cluster a streaming replica of `primary`.

        pg_basebackup -R writes standby.signal and primary_conninfo; the name lets the primary
        list it in synchronous_standby_names."""
        if (self.datadir / "PG_VERSION").exists():
            raise ClusterError(f"{self.datadir} holds a cluster already")
        self._prepare(self.datadir)
        conninfo = f"host={primary.socket_dir} port={primary.port} user=postgres"
        conninfo += f" application_name={application_name}"
        result = self._server(
            "pg_basebackup",
            "-D",
            str(self.datadir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "-d",
            conninfo,
        )
        if result.returncode != 0:
            raise ClusterError(f"pg_basebackup failed:\n{result.stderr}")

    def promote(self) -> None:
        result = self._server("pg_ctl", "promote", "-w", "-D", str(self.datadir))
        if result.returncode != 0:
            raise ClusterError(f"pg_ctl promote failed:\n{result.stdout}{result.stderr}")

    def is_running(self) -> bool:
        if not (self.datadir / "PG_VERSION").exists():
            return False
        return self._server("pg_ctl", "status", "-D", str(self.datadir)).returncode == 0

    def __enter__(self) -> LocalCluster:
        self.init()
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _server(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user.pw_name, "--", *command]
        # cwd="/" because the server user may not be allowed into the caller's directory.
        return subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)

    def _prepare(self, path: Path, *, directory: bool = True) -> None:
        """Create `path` owned by the server user, after checking that user can reach it."""
        if directory:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
        if self.user is None:
            return
        if blocked := untraversable_parent(path, self.user):
            raise ClusterError(
                f"OS user {self.user.pw_name!r} runs the server but cannot enter {blocked} "
                f"on the way to {path}; choose another directory or `chmod o+x {blocked}`"
            )
        os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
