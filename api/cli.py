"""The slotbase command: dev, serve, worker, demo, migrate, dump, keys, createsuperuser.

Each command is a few lines over api.ops (the local world in api.ops.dev, migrations, keys).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import asyncpg

from api.common.settings import Settings, SettingsError
from api.ops import migrate as migrations
from api.ops.dev import (
    database,
    local_redis,
    outbox_worker,
    prepare,
    print_demo,
    publish_keys,
    seed_demo,
)
from jwks import KeyConfigError, load_keyset, rotate

log = logging.getLogger("slotbase")


def _serve(settings: Settings, api_dsn: str, workers: int = 1) -> None:
    import uvicorn

    from api.app import create_app, settle_gc
    from api.common import logs

    logs.setup(settings)
    # Forwarded headers are read by api.edge.proxies, from TRUSTED_PROXIES only; uvicorn's are off.
    # The access log is api/edge/access.py; log_config=None keeps the handlers logs.setup installed.
    # Live event streams never end by themselves: give them a moment, then close them.
    options = dict(
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )
    if workers > 1:
        # Each worker process builds the app from the same environment (api.asgi), with the
        # same settings, edge and access log; the socket is shared, the kernel spreads requests.
        os.environ["API_DATABASE_URL"] = api_dsn
        uvicorn.run("api.asgi:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
        return
    app = create_app(settings, dsn=api_dsn)
    settle_gc()
    uvicorn.run(app, **options)  # type: ignore[arg-type]


def cmd_dev(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as db, local_redis(settings) as settings:
        asyncio.run(prepare(settings, db))
        base = f"http://{settings.host}:{settings.port}"
        if db.local and (demo := asyncio.run(seed_demo(db.admin_dsn, only_if_empty=True))):
            print_demo(demo, base)
        if db.local:
            print(f"PostgreSQL: {db.admin_dsn}  (psql: make psql)", flush=True)
            client = db.admin_dsn.replace("postgres@", f"{migrations.CLIENT_ROLE}@", 1)
            print(f"Direct SQL clients: psql '{client}'  (docs/psql.md)", flush=True)
        print(f"Redis: {settings.redis_url}", flush=True)
        print(f"slotbase listens on {base}", flush=True)
        with outbox_worker(settings, db.worker_dsn):
            _serve(settings, db.api_dsn)
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from api.outbox import worker

    with database(settings) as db:
        return worker.main(["--dsn", db.worker_dsn, *args.worker_args])


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as db:
        asyncio.run(migrations.migrate(db.admin_dsn))
        demo = asyncio.run(seed_demo(db.admin_dsn, only_if_empty=False))
        assert demo is not None
        print_demo(demo, f"http://{settings.host}:{settings.port}")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise SettingsError("--workers must be at least 1")
    if not (settings.database_url or settings.api_database_url):
        raise SettingsError("serve needs DATABASE_URL or API_DATABASE_URL (use `dev` locally)")
    with database(settings) as db:
        if args.migrate:
            if not settings.database_url:
                raise SettingsError("--migrate needs DATABASE_URL (an owner of the database)")
            asyncio.run(prepare(settings, db))
        _serve(settings, db.api_dsn, workers=args.workers)
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as db:
        if args.status:
            status = asyncio.run(migrations.status(db.admin_dsn))
            for label, names in (
                ("pending", status.pending),
                ("edited after landing", status.edited),
                ("recorded but missing on disk", status.unknown),
                ("code to re-apply", status.code_changed),
            ):
                for name in names:
                    print(f"{label}: {name}")
            print("current" if status.current else "not current")
            return 0 if status.current else 1
        if args.dry_run:
            due = asyncio.run(migrations.migrate(db.admin_dsn, dry_run=True))
            for name in due:
                print(f"would apply {name}")
            print("nothing to do" if not due else f"{len(due)} files")
            return 0
        done = asyncio.run(prepare(settings, db))
        print("nothing to do" if not done else f"{len(done)} files")
    return 0


def cmd_dump(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as db:
        print(schema_dump(db.admin_dsn), end="")
    return 0


def schema_dump(admin_dsn: str) -> str:
    """The schema as sql/schema.sql holds it: pg_dump --schema-only without its per-run noise."""
    from api.ops.devdb import find_bindir

    pg_dump = str(find_bindir() / "pg_dump")
    command = [pg_dump, "--schema-only", "--no-owner", "--no-privileges", admin_dsn]
    dump = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    # Drop the version banner and the per-dump random \restrict key, so the file only
    # changes when the schema does.
    noise = ("-- Dumped ", "\\restrict ", "\\unrestrict ")
    return "\n".join(line for line in dump.splitlines() if not line.startswith(noise)) + "\n"


def cmd_keys(settings: Settings, args: argparse.Namespace) -> int:
    directory = args.dir or settings.jwt_keys_dir
    if args.action == "generate":
        _, generated = load_keyset(private_key=None, keys_dir=directory, generate=True)
        print(f"{'generated' if generated else 'kept the existing'} key in {directory}")
    elif args.action == "rotate":
        old, new = rotate(directory)
        print(f"signing key {new}; previous key {old or '(none)'} stays published")
        if settings.database_url or (settings.data_dir / "pg" / "PG_VERSION").exists():
            with database(settings) as db:
                asyncio.run(_publish_to(db.admin_dsn, settings, directory))
    else:
        keyset, _ = load_keyset(
            private_key=settings.jwt_private_key,
            key_id=settings.jwt_key_id,
            public_keys=settings.jwt_public_keys,
            keys_dir=None if settings.jwt_private_key else directory,
        )
        print(json.dumps(keyset.jwks(), indent=2))
    return 0


async def _publish_to(dsn: str, settings: Settings, keys_dir: Path) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await publish_keys(conn, settings, keys_dir)
    finally:
        await conn.close()


def cmd_createsuperuser(settings: Settings, args: argparse.Namespace) -> int:
    email = args.email or settings.first_superuser_email or input("email: ")
    password = (
        os.environ.get("SUPERUSER_PASSWORD")
        or settings.first_superuser_password
        or getpass.getpass("password: ")
    )

    async def create(dsn: str) -> str:
        conn = await asyncpg.connect(dsn)
        try:
            sql = "select private.create_superuser($1, $2)"
            return str(await conn.fetchval(sql, email, password))
        finally:
            await conn.close()

    with database(settings) as db:
        asyncio.run(migrations.migrate(db.admin_dsn))
        print(f"platform admin {email} ({asyncio.run(create(db.admin_dsn))})")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="slotbase", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("dev", help="local database (unless DATABASE_URL), migrations, dev key, API")
    serve = sub.add_parser("serve", help="serve the API against DATABASE_URL / API_DATABASE_URL")
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.add_argument(
        "--workers", type=int, default=1, help="API processes sharing the port (default 1)"
    )
    mig = sub.add_parser("migrate", help="apply pending migrations and changed code files")
    mig.add_argument("--status", action="store_true", help="show what is pending; exit 1 if any")
    mig.add_argument("--dry-run", action="store_true", help="list what would be applied")
    keys = sub.add_parser("keys", help="signing keys: generate, rotate, print the JWKS")
    keys.add_argument("action", choices=["generate", "rotate", "jwks"])
    keys.add_argument("--dir", type=Path, default=None, help="default: JWT_KEYS_DIR")
    work = sub.add_parser("worker", help="send the outbox over SMTP (MAIL_*); also run by dev")
    work.add_argument("worker_args", nargs=argparse.REMAINDER, help="--batch, --lease-seconds ...")
    sub.add_parser("dump", help="print the schema (pg_dump --schema-only); make dump")
    sub.add_parser("demo", help="seed the demo salon (also on the first `make run`)")
    su = sub.add_parser("createsuperuser", help="create or promote a platform admin")
    su.add_argument("--email")
    return p


COMMANDS = {
    "dev": cmd_dev,
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "keys": cmd_keys,
    "createsuperuser": cmd_createsuperuser,
    "demo": cmd_demo,
    "dump": cmd_dump,
    "worker": cmd_worker,
}


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so the embedded cluster, Redis and the worker are stopped by
    # their context managers (uvicorn re-raises the signal once it has shut down).
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if threading.current_thread() is threading.main_thread():  # signals are the main thread's
        signal.signal(signal.SIGTERM, _terminate)
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return COMMANDS[args.command](settings, args)
    except (SettingsError, KeyConfigError, migrations.MigrationError) as exc:
        print(f"slotbase: {exc}", file=sys.stderr)
        return 2
    except asyncpg.PostgresError as exc:
        # PTnnn errors carry a stable code as message and a sentence as detail.
        detail = getattr(exc, "detail", None)
        print(f"slotbase: {exc}" + (f": {detail}" if detail else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
