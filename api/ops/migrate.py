"""The migration runner: versioned files once, repeatable code files on change.

sql/migrations/NNN_name.sql are applied once each, in order, in their own transaction, and
recorded with their sha256; a recorded file whose checksum changed stops the runner (landed
migrations are history). sql/code/*.sql are re-applied, all of them in order and in one
transaction, whenever any of them changed or a migration ran, so a function always sees the
tables it was written for. A session advisory lock keeps two runners from migrating at once.
Everything runs as the owner role so that it, not the connecting administrator, owns the objects.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg


def _sql_dir() -> Path:
    """sql/ beside the package in a checkout; the `slotbase_sql` package in an installed wheel."""
    beside = Path(__file__).resolve().parents[2] / "sql"
    if (beside / "migrations").is_dir():
        return beside
    import importlib.util

    spec = importlib.util.find_spec("slotbase_sql")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the SQL files are missing: reinstall slotbase")
    return Path(next(iter(spec.submodule_search_locations)))


SQL_DIR = _sql_dir()
OWNER_ROLE = "slotbase_owner"
LOCK_KEY = 0x510750A5E  # any constant; names the migration lock in pg_locks
CLIENT_ROLE = "slotbase_client"  # direct SQL clients: anon/authenticated, identity by token
WORKER_ROLE = "slotbase_worker"  # the outbox worker: the only login that reaches service_role

# sql/bootstrap.sql runs as the connecting administrator on every start: the roles (it spells out
# the names above), their statement timeouts and the runner's own tables. Roles are cluster-wide,
# so it is idempotent rather than versioned; everything else lives in migration files.
BOOTSTRAP = (SQL_DIR / "bootstrap.sql").read_text(encoding="utf-8")


# A code file may stand aside for an extension that provides the same functions (Neon's
# pg_session_jwt provides the claim helpers): the file is skipped where the extension is installed.
UNLESS_EXTENSION = re.compile(r"^-- unless extension: (\S+)$", re.M)


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class SqlFile:
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def version(self) -> str:
        return self.path.name.split("_", 1)[0]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class Status:
    pending: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    code_changed: list[str] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return not (self.pending or self.edited or self.code_changed)


def migration_files(sql_dir: Path = SQL_DIR) -> list[SqlFile]:
    files = [SqlFile(p) for p in sorted((sql_dir / "migrations").glob("*.sql"))]
    versions = [f.version for f in files]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version number: {versions}")
    return files


def code_files(sql_dir: Path = SQL_DIR) -> list[SqlFile]:
    return [SqlFile(p) for p in sorted((sql_dir / "code").glob("*.sql"))]


async def read_status(conn: asyncpg.Connection, sql_dir: Path = SQL_DIR) -> Status:
    """Compare the files on disk with what the database recorded; read-only."""
    status = Status()
    if await conn.fetchval("select to_regclass('migrations.applied')") is None:
        status.pending = [f.name for f in migration_files(sql_dir)]
        status.code_changed = [f.name for f in code_files(sql_dir)]
        return status
    applied = {r["version"]: r for r in await conn.fetch("select * from migrations.applied")}
    on_disk = {f.version: f for f in migration_files(sql_dir)}
    for version, f in on_disk.items():
        row = applied.get(version)
        if row is None:
            status.pending.append(f.name)
        elif row["checksum"] != f.checksum:
            status.edited.append(f.name)
    status.unknown = [r["name"] for v, r in sorted(applied.items()) if v not in on_disk]
    recorded = {r["file"]: r["checksum"] for r in await conn.fetch("select * from migrations.code")}
    status.code_changed = [
        f.name for f in code_files(sql_dir) if recorded.get(f.name) != f.checksum
    ]
    return status


def _refuse_edited(status: Status) -> None:
    if status.edited:
        raise MigrationError(
            "refusing to migrate: these migrations were edited after they were applied: "
            + ", ".join(status.edited)
            + ". A landed migration is history; restore it and fix forward with a new file."
        )


async def migrate(
    dsn: str,
    *,
    dry_run: bool = False,
    sql_dir: Path = SQL_DIR,
    log: Callable[[str], None] = lambda _msg: None,
) -> list[str]:
    """Apply pending migrations and changed code files; return the names applied (or due)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("select pg_advisory_lock($1)", LOCK_KEY)
        try:
            return await _migrate_locked(conn, dry_run=dry_run, sql_dir=sql_dir, log=log)
        finally:
            await conn.execute("select pg_advisory_unlock($1)", LOCK_KEY)
    finally:
        await conn.close()


async def _migrate_locked(
    conn: asyncpg.Connection, *, dry_run: bool, sql_dir: Path, log: Callable[[str], None]
) -> list[str]:
    if dry_run:
        status = await read_status(conn, sql_dir)
        _refuse_edited(status)
        return status.pending + (
            [f.name for f in code_files(sql_dir)] if status.pending or status.code_changed else []
        )
    await conn.execute(BOOTSTRAP)
    database = _quote_ident(await conn.fetchval("select current_database()"))
    await conn.execute(f"grant create, temporary on database {database} to {OWNER_ROLE}")
    status = await read_status(conn, sql_dir)
    _refuse_edited(status)
    done: list[str] = []
    for f in migration_files(sql_dir):
        if f.name not in status.pending:
            continue
        log(f"applying migration {f.name}")
        async with conn.transaction():
            await conn.execute(f"set local role {OWNER_ROLE}")
            await _run(conn, f)
            await conn.execute("reset role")
            await conn.execute(
                "insert into migrations.applied (version, name, checksum) values ($1, $2, $3)",
                f.version,
                f.name,
                f.checksum,
            )
        done.append(f.name)
    if done or status.code_changed:
        files = code_files(sql_dir)
        async with conn.transaction():
            await conn.execute(f"set local role {OWNER_ROLE}")
            for f in files:
                provider = await _provided_by_extension(conn, f)
                if provider:
                    log(f"skipping code {f.name}: the extension {provider} provides it")
                    continue
                log(f"applying code {f.name}")
                await _run(conn, f)
            await conn.execute("reset role")
            await conn.execute("truncate migrations.code")
            await conn.executemany(
                "insert into migrations.code (file, checksum) values ($1, $2)",
                [(f.name, f.checksum) for f in files],
            )
        done += [f.name for f in files]
    return done


async def _provided_by_extension(conn: asyncpg.Connection, f: SqlFile) -> str | None:
    match = UNLESS_EXTENSION.search(f.text)
    if match is None:
        return None
    sql = "select exists (select from pg_extension where extname = $1)"
    return match[1] if await conn.fetchval(sql, match[1]) else None


async def _run(conn: asyncpg.Connection, f: SqlFile) -> None:
    try:
        await conn.execute(f.text)
    except asyncpg.PostgresError as exc:
        where = getattr(exc, "position", None)
        at = f" at character {where}" if where else ""
        raise MigrationError(f"{f.name}: {exc.sqlstate} {exc}{at}") from exc


async def status(dsn: str, sql_dir: Path = SQL_DIR) -> Status:
    conn = await asyncpg.connect(dsn)
    try:
        return await read_status(conn, sql_dir)
    finally:
        await conn.close()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
