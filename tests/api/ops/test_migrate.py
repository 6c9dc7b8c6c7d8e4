"""api/ops/migrate.py, the migration runner, against brand-new empty databases (not clones of
the template): versioned files once, code files on change, checksums, the advisory lock, dry
runs, status and failures; and the bootstrap every start runs (the API roles' timeouts)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from api.cli import schema_dump
from api.ops.migrate import OWNER_ROLE, SQL_DIR, MigrationError, migrate, read_status

pytestmark = pytest.mark.anyio

_numbers = itertools.count(1)
MIGRATIONS = sorted(p.name for p in (SQL_DIR / "migrations").glob("*.sql"))
CODE = sorted(p.name for p in (SQL_DIR / "code").glob("*.sql"))
FIRST = MIGRATIONS[0]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _admin(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _new_database(pg) -> tuple[str, str]:
    name = f"slotbase_migrate_{os.getpid()}_{next(_numbers)}"
    await _admin(pg.admin_dsn(), f"drop database if exists {_ident(name)} with (force)")
    await _admin(pg.admin_dsn(), f"create database {_ident(name)}")
    return name, pg.admin_dsn(name)


@pytest.fixture
async def empty_db(pg) -> AsyncIterator[str]:
    """The admin DSN of a brand-new, empty database (created here, not from the template)."""
    name, dsn = await _new_database(pg)
    try:
        yield dsn
    finally:
        await _admin(pg.admin_dsn(), f"drop database if exists {_ident(name)} with (force)")


@pytest.fixture
def sql_dir(tmp_path: Path) -> Path:
    """A copy of the real sql/ tree that a test may add files to or edit."""
    target = tmp_path / "sql"
    shutil.copytree(SQL_DIR / "migrations", target / "migrations")
    shutil.copytree(SQL_DIR / "code", target / "code")
    return target


async def fetch(dsn: str, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def fetchval(dsn: str, query: str, *args: object) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def applied(dsn: str) -> dict[str, str]:
    rows = await fetch(dsn, "select name, checksum from migrations.applied order by version")
    return {r["name"]: r["checksum"] for r in rows}


async def table_exists(dsn: str, name: str) -> bool:
    return bool(await fetchval(dsn, "select to_regclass($1) is not null", name))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_migration(sql_dir: Path, name: str, text: str) -> Path:
    path = sql_dir / "migrations" / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------


async def test_real_migrations_build_an_empty_database_owned_by_the_owner_role(
    empty_db: str,
) -> None:
    done = await migrate(empty_db)

    assert done == MIGRATIONS + CODE
    schemas = {
        r["nspname"]: r["owner"]
        for r in await fetch(
            empty_db,
            "select nspname, pg_get_userbyid(nspowner) as owner from pg_namespace"
            " where nspname in ('api', 'auth', 'private')",
        )
    }
    assert schemas == dict.fromkeys(("api", "auth", "private"), OWNER_ROLE)
    relations = await fetch(
        empty_db,
        "select c.oid::regclass::text as name, pg_get_userbyid(c.relowner) as owner"
        " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname in ('api', 'auth', 'private') and c.relkind in ('r', 'p', 'v', 'm', 'S')",
    )
    tables = {r["name"] for r in relations}
    assert {"auth.users", "auth.sessions", "private.settings"} <= tables
    assert [r["name"] for r in relations if r["owner"] != OWNER_ROLE] == []
    functions = await fetch(
        empty_db,
        "select p.oid::regprocedure::text as name, pg_get_userbyid(p.proowner) as owner"
        " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname in ('api', 'auth', 'private')",
    )
    assert functions, "the code files created no functions"
    assert [r["name"] for r in functions if r["owner"] != OWNER_ROLE] == []
    roles = {r["rolname"] for r in await fetch(empty_db, "select rolname from pg_roles")}
    assert {OWNER_ROLE, "anon", "authenticated", "service_role", "authenticator"} <= roles


async def test_roles_are_cluster_wide_so_a_second_database_migrates_too(pg, empty_db: str) -> None:
    await migrate(empty_db)
    name, second = await _new_database(pg)
    try:
        assert await migrate(second) == MIGRATIONS + CODE
        assert list(await applied(second)) == MIGRATIONS
        assert await table_exists(second, "auth.users")
    finally:
        await _admin(pg.admin_dsn(), f"drop database if exists {_ident(name)} with (force)")


async def test_migrating_twice_is_a_no_op(empty_db: str, sql_dir: Path) -> None:
    await migrate(empty_db, sql_dir=sql_dir)
    before = await fetch(empty_db, "select * from migrations.applied order by version")
    code_before = await fetch(empty_db, "select * from migrations.code order by file")

    assert await migrate(empty_db, sql_dir=sql_dir) == []

    assert await fetch(empty_db, "select * from migrations.applied order by version") == before
    assert await fetch(empty_db, "select * from migrations.code order by file") == code_before


async def test_every_file_is_recorded_with_its_sha256(empty_db: str, sql_dir: Path) -> None:
    await migrate(empty_db, sql_dir=sql_dir)

    assert await applied(empty_db) == {
        name: sha256(sql_dir / "migrations" / name) for name in MIGRATIONS
    }
    code = {
        r["file"]: r["checksum"]
        for r in await fetch(empty_db, "select file, checksum from migrations.code")
    }
    assert code == {name: sha256(sql_dir / "code" / name) for name in CODE}


async def test_a_pending_migration_is_applied_once_and_recorded(
    empty_db: str, sql_dir: Path
) -> None:
    await migrate(empty_db, sql_dir=sql_dir)
    path = add_migration(
        sql_dir,
        "900_notes.sql",
        "create table private.notes (id int primary key);\ninsert into private.notes values (1);\n",
    )

    assert await migrate(empty_db, sql_dir=sql_dir) == ["900_notes.sql", *CODE]
    assert await migrate(empty_db, sql_dir=sql_dir) == []

    assert await fetchval(empty_db, "select count(*) from private.notes") == 1
    rows = await fetch(empty_db, "select * from migrations.applied where name = '900_notes.sql'")
    assert [(r["version"], r["checksum"]) for r in rows] == [("900", sha256(path))]
    owner = await fetchval(
        empty_db,
        "select pg_get_userbyid(relowner) from pg_class where oid = 'private.notes'::regclass",
    )
    assert owner == OWNER_ROLE


async def test_an_edited_landed_migration_is_refused_and_nothing_else_applies(
    empty_db: str, sql_dir: Path
) -> None:
    await migrate(empty_db, sql_dir=sql_dir)
    recorded = await applied(empty_db)
    landed = sql_dir / "migrations" / FIRST
    landed.write_text(landed.read_text(encoding="utf-8") + "\n-- edited afterwards\n")
    add_migration(sql_dir, "900_after.sql", "create table private.after_edit (id int);\n")
    code = sql_dir / "code" / CODE[-1]
    code.write_text(code.read_text(encoding="utf-8") + "\n-- changed too\n")

    with pytest.raises(MigrationError) as refused:
        await migrate(empty_db, sql_dir=sql_dir)

    assert FIRST in str(refused.value)
    assert "900_after.sql" not in str(refused.value)
    assert not await table_exists(empty_db, "private.after_edit")
    assert await applied(empty_db) == recorded
    code_checksum = await fetchval(
        empty_db, "select checksum from migrations.code where file = $1", CODE[-1]
    )
    assert code_checksum == sha256(SQL_DIR / "code" / CODE[-1])


async def test_a_changed_code_file_reapplies_every_code_file_in_order(
    empty_db: str, sql_dir: Path
) -> None:
    add_migration(
        sql_dir,
        "900_code_runs.sql",
        "create table private.code_runs ("
        " seq bigint generated always as identity primary key, file text not null);\n",
    )
    for name in CODE:
        path = sql_dir / "code" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text + f"\ninsert into private.code_runs (file) values ('{name}');\n")
    runs = "select file from private.code_runs order by seq"
    await migrate(empty_db, sql_dir=sql_dir)
    assert [r["file"] for r in await fetch(empty_db, runs)] == CODE
    await _admin(empty_db, "truncate private.code_runs")

    changed = sql_dir / "code" / CODE[-1]
    changed.write_text(changed.read_text(encoding="utf-8") + "-- touched\n")
    logged: list[str] = []
    done = await migrate(empty_db, sql_dir=sql_dir, log=logged.append)

    assert done == CODE
    assert [r["file"] for r in await fetch(empty_db, runs)] == CODE
    assert [m for m in logged if "migration" in m] == []
    checksum = await fetchval(
        empty_db, "select checksum from migrations.code where file = $1", CODE[-1]
    )
    assert checksum == sha256(changed)
    await _admin(empty_db, "truncate private.code_runs")
    assert await migrate(empty_db, sql_dir=sql_dir) == []
    assert await fetch(empty_db, runs) == []


async def test_dry_run_lists_what_is_due_and_changes_nothing(empty_db: str, sql_dir: Path) -> None:
    assert await migrate(empty_db, sql_dir=sql_dir, dry_run=True) == MIGRATIONS + CODE
    assert not await table_exists(empty_db, "migrations.applied")
    assert await fetchval(empty_db, "select count(*) from pg_namespace where nspname = 'auth'") == 0

    await migrate(empty_db, sql_dir=sql_dir)
    assert await migrate(empty_db, sql_dir=sql_dir, dry_run=True) == []

    add_migration(sql_dir, "900_later.sql", "create table private.later (id int);\n")
    assert await migrate(empty_db, sql_dir=sql_dir, dry_run=True) == ["900_later.sql", *CODE]
    assert not await table_exists(empty_db, "private.later")
    assert "900_later.sql" not in await applied(empty_db)


async def test_dry_run_refuses_an_edited_migration(empty_db: str, sql_dir: Path) -> None:
    await migrate(empty_db, sql_dir=sql_dir)
    landed = sql_dir / "migrations" / FIRST
    landed.write_text(landed.read_text(encoding="utf-8") + "\n-- edited\n")

    with pytest.raises(MigrationError, match=FIRST):
        await migrate(empty_db, sql_dir=sql_dir, dry_run=True)


async def test_two_runners_at_once_apply_each_file_exactly_once(
    empty_db: str, sql_dir: Path
) -> None:
    add_migration(
        sql_dir,
        "900_counter.sql",
        "create table private.counter (n int not null);\ninsert into private.counter values (1);\n",
    )

    first, second = await asyncio.gather(
        migrate(empty_db, sql_dir=sql_dir), migrate(empty_db, sql_dir=sql_dir)
    )

    assert sorted([first, second], key=len) == [[], [*MIGRATIONS, "900_counter.sql", *CODE]]
    rows = await fetch(
        empty_db, "select name, count(*) over (partition by version) from migrations.applied"
    )
    assert sorted(r["name"] for r in rows) == sorted([*MIGRATIONS, "900_counter.sql"])
    assert all(r["count"] == 1 for r in rows)
    assert await fetchval(empty_db, "select count(*) from private.counter") == 1


async def test_status_reports_pending_edited_and_current(empty_db: str, sql_dir: Path) -> None:
    conn = await asyncpg.connect(empty_db)
    try:
        fresh = await read_status(conn, sql_dir)
        assert fresh.pending == MIGRATIONS
        assert fresh.code_changed == CODE
        assert fresh.edited == []
        assert not fresh.current

        await migrate(empty_db, sql_dir=sql_dir)
        done = await read_status(conn, sql_dir)
        assert (done.pending, done.edited, done.unknown, done.code_changed) == ([], [], [], [])
        assert done.current

        add_migration(sql_dir, "900_next.sql", "select 1;\n")
        landed = sql_dir / "migrations" / FIRST
        landed.write_text(landed.read_text(encoding="utf-8") + "\n-- edited\n")
        code = sql_dir / "code" / CODE[0]
        code.write_text(code.read_text(encoding="utf-8") + "\n-- edited\n")
        drifted = await read_status(conn, sql_dir)
        assert drifted.pending == ["900_next.sql"]
        assert drifted.edited == [FIRST]
        assert drifted.code_changed == [CODE[0]]
        assert not drifted.current

        (sql_dir / "migrations" / "900_next.sql").unlink()
        shutil.copy(SQL_DIR / "migrations" / FIRST, landed)
        shutil.copy(SQL_DIR / "code" / CODE[0], code)
        assert (await read_status(conn, sql_dir)).current

        await conn.execute(
            "insert into migrations.applied (version, name, checksum)"
            " values ('899', '899_gone.sql', 'x')"
        )
        gone = await read_status(conn, sql_dir)
        assert gone.unknown == ["899_gone.sql"]
    finally:
        await conn.close()


async def test_a_failing_migration_rolls_back_entirely_and_a_fixed_one_applies(
    empty_db: str, sql_dir: Path
) -> None:
    await migrate(empty_db, sql_dir=sql_dir)
    broken = add_migration(
        sql_dir,
        "900_broken.sql",
        "create table private.half_done (id int primary key);\n"
        "insert into private.half_done values (1);\n"
        "selec 1;\n",
    )
    add_migration(sql_dir, "901_after.sql", "create table private.after_broken (id int);\n")

    with pytest.raises(MigrationError) as failed:
        await migrate(empty_db, sql_dir=sql_dir)

    assert "900_broken.sql" in str(failed.value)
    assert not await table_exists(empty_db, "private.half_done")
    assert not await table_exists(empty_db, "private.after_broken")
    assert list(await applied(empty_db)) == MIGRATIONS

    broken.write_text(
        "create table private.half_done (id int primary key);\n"
        "insert into private.half_done values (1);\n"
    )
    assert await migrate(empty_db, sql_dir=sql_dir) == ["900_broken.sql", "901_after.sql", *CODE]
    assert await fetchval(empty_db, "select count(*) from private.half_done") == 1
    assert await table_exists(empty_db, "private.after_broken")
    assert (await applied(empty_db))["900_broken.sql"] == sha256(broken)


async def test_a_failing_code_file_rolls_back_all_code_and_names_the_file(
    empty_db: str, sql_dir: Path
) -> None:
    await migrate(empty_db, sql_dir=sql_dir)
    recorded = await fetch(empty_db, "select file, checksum from migrations.code order by file")
    first = sql_dir / "code" / CODE[0]
    first.write_text(
        first.read_text(encoding="utf-8")
        + "\ncreate function private.probe() returns int language sql as 'select 1';\n"
    )
    last = sql_dir / "code" / CODE[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\ncreate tabel nope ();\n")

    with pytest.raises(MigrationError, match=CODE[-1]):
        await migrate(empty_db, sql_dir=sql_dir)

    assert await fetchval(empty_db, "select to_regprocedure('private.probe()')") is None
    after = await fetch(empty_db, "select file, checksum from migrations.code order by file")
    assert after == recorded


async def test_the_committed_schema_is_what_the_migrations_build(empty_db: str) -> None:
    """sql/schema.sql mirrors the code by design: changing sql/ without `make dump` fails here."""
    await migrate(empty_db)
    dumped = await asyncio.to_thread(schema_dump, empty_db)
    committed = (SQL_DIR / "schema.sql").read_text()
    assert dumped == committed, "sql/schema.sql is stale: run `make dump` and commit it"


async def test_a_code_file_stands_aside_where_an_extension_provides_it(
    empty_db: str, sql_dir: Path
) -> None:
    """How the claim helpers make way for Neon's pg_session_jwt: a code file that names an
    installed extension is skipped (here pg_trgm, which the migrations install), one naming an
    absent extension runs, and both are recorded."""
    (sql_dir / "code" / "98-provided.sql").write_text(
        "-- unless extension: pg_trgm\ncreate table private.provided_here (id int);\n"
    )
    (sql_dir / "code" / "99-needed.sql").write_text(
        "-- unless extension: no_such_extension\ncreate table private.needed_here (id int);\n"
    )
    logged: list[str] = []
    await migrate(empty_db, sql_dir=sql_dir, log=logged.append)
    assert not await table_exists(empty_db, "private.provided_here")
    assert await table_exists(empty_db, "private.needed_here")
    assert "skipping code 98-provided.sql: the extension pg_trgm provides it" in logged
    recorded = await fetch(empty_db, "select file from migrations.code")
    assert {"98-provided.sql", "99-needed.sql"} <= {r["file"] for r in recorded}


async def test_the_bootstrap_takes_service_role_back_from_the_api_login(empty_db: str) -> None:
    await migrate(empty_db)
    await _admin(empty_db, "grant service_role to authenticator")  # as an earlier version did
    await migrate(empty_db)
    members = await fetch(
        empty_db,
        "select m.member::regrole::text as member from pg_auth_members m"
        " where m.roleid = 'service_role'::regrole",
    )
    assert [r["member"] for r in members] == ["slotbase_worker"]


async def test_migrations_give_the_api_roles_a_statement_timeout(db: Any):
    from api.ops.migrate import migrate

    await migrate(db.admin_dsn)  # the bootstrap runs on every start
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        rows = await conn.fetch(
            "select setrole::regrole::text as role, setconfig from pg_db_role_setting"
            " where setdatabase = (select oid from pg_database where datname = $1)",
            db.name,
        )
    finally:
        await conn.close()
    found = {r["role"]: r["setconfig"] for r in rows}
    assert found["anon"] == ["statement_timeout=5s"]
    assert found["authenticated"] == ["statement_timeout=8s"]
