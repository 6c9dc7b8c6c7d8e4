"""The world `slotbase dev` (and `make run`) brings up on one machine: the database
(DATABASE_URL, or the embedded cluster under .data/), migrations, login passwords, the token
keys in SQL, the first platform admin, the demo salon, a throwaway Redis, the outbox worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from api.common.settings import Settings
from api.ops import keysync
from api.ops import migrate as migrations
from api.ops.devdb import LocalCluster, reachable
from jwks import KeyConfigError, load_keyset

log = logging.getLogger("slotbase")
DEV_DATABASE = "slotbase"
DEMO_PASSWORDS = {"owner": "salon-demo-owner-2026", "customer": "salon-demo-kunde-2026"}


@dataclass(frozen=True)
class Database:
    admin_dsn: str
    api_dsn: str
    worker_dsn: str
    local: bool


@contextlib.contextmanager
def database(settings: Settings, *, keep_running: bool = False) -> Iterator[Database]:
    """DATABASE_URL when set; else the embedded cluster under .data/, started if needed."""
    if settings.database_url or settings.api_database_url:
        admin = settings.database_url or ""
        yield Database(
            admin, settings.authenticator_dsn(admin), settings.worker_dsn(admin), local=False
        )
        return
    home = reachable(settings.data_dir)
    cluster = LocalCluster(home / "pg", socket_dir=home / "run")
    was_running = cluster.is_running()
    cluster.init()
    cluster.start()
    try:
        asyncio.run(create_database(cluster.dsn("postgres"), DEV_DATABASE))
        yield Database(
            cluster.dsn(DEV_DATABASE),
            cluster.dsn(DEV_DATABASE, user="authenticator"),
            cluster.dsn(DEV_DATABASE, user=migrations.WORKER_ROLE),
            local=True,
        )
    finally:
        if not (was_running or keep_running):
            cluster.stop()


async def create_database(dsn: str, name: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("select 1 from pg_database where datname = $1", name):
            await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()


async def prepare(settings: Settings, db: Database) -> list[str]:
    """Migrations, login passwords, the token keys, and the first platform admin."""
    applied = await migrations.migrate(db.admin_dsn, log=log.info)
    log.info("migrations: %s", f"applied {len(applied)} files" if applied else "up to date")
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        for role, secret in (
            ("authenticator", settings.authenticator_password),
            (migrations.WORKER_ROLE, settings.worker_password),
        ):
            if secret:
                password = secret.replace("'", "''")
                await conn.execute(f"alter role {role} password '{password}'")
        await publish_keys(conn, settings)
        if settings.first_superuser_email and settings.first_superuser_password:
            await conn.fetchval(
                "select private.create_superuser($1, $2)",
                settings.first_superuser_email,
                settings.first_superuser_password,
            )
            log.info("platform admin: %s", settings.first_superuser_email)
    finally:
        await conn.close()
    return applied


async def publish_keys(
    conn: asyncpg.Connection, settings: Settings, keys_dir: Path | None = None
) -> None:
    try:
        if keys_dir is None:
            keyset = keysync.load_keys(settings)
        else:
            keyset, _ = load_keyset(
                private_key=None, public_keys=settings.jwt_public_keys, keys_dir=keys_dir
            )
    except KeyConfigError as exc:
        log.warning("token keys not published to the database: %s", exc)
        return
    await keysync.try_publish(conn, keyset, settings)


async def seed_demo(admin_dsn: str, *, only_if_empty: bool) -> dict | None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        if only_if_empty and await conn.fetchval("select exists (select 1 from app.organizations)"):
            return None
        existed = await conn.fetchval("select private.demo_ids() is not null")
        demo = await conn.fetchval(
            "select private.seed_demo($1, $2)::text",
            DEMO_PASSWORDS["owner"],
            DEMO_PASSWORDS["customer"],
        )
        return {**json.loads(demo), "existed": existed}
    finally:
        await conn.close()


def shell_name(name: str) -> str:
    """A shell variable for a demo name: Skægtrim -> SKAEGTRIM, Locs vedligehold -> LOCS."""
    word = name.split()[0].upper()
    for letter, spelled in (("Æ", "AE"), ("Ø", "OE"), ("Å", "AA")):
        word = word.replace(letter, spelled)
    return "".join(c for c in word if c.isascii() and c.isalnum())


def print_demo(demo: dict, base: str) -> None:
    owner, customer = DEMO_PASSWORDS["owner"], DEMO_PASSWORDS["customer"]
    mette = demo["providers"]["Mette"]
    cut = demo["services"]["Klipning"]
    providers = " ".join(f"{shell_name(n)}={i}" for n, i in demo["providers"].items())
    services = " ".join(f"{shell_name(n)}={i}" for n, i in demo["services"].items())
    state = "exists" if demo.get("existed") else "seeded"
    print(
        f"""
Demo salon {state}: {demo["org_slug"]} ({demo["org_id"]})
  booking page  {base}/book/{demo["org_slug"]}
  staff view    {base}/staff
  owner     {demo["owner"]} / {owner}
  provider  {demo["provider"]} / {owner}
  customer  {demo["customer"]} / {customer}
Paste these to follow the README:
  export ORG={demo["org_id"]} {providers}
  export {services}
Try:
  curl '{base}/api/v1/providers/{mette}/slots?service_id={cut}'
  curl '{base}/api/v1/orgs/{demo["org_id"]}/slots?service_id={cut}'
  curl -X POST {base}/api/v1/auth/login -H 'content-type: application/json' \\
    -d '{{"email": "{demo["customer"]}", "password": "{customer}"}}'
""",
        flush=True,
    )
    if feed := demo.get("calendar_feed"):
        # Shown once: only its hash is stored. Calendar apps subscribe to this URL.
        print(f"Mette's calendar feed (subscribe in a calendar app):\n  {base}{feed}\n", flush=True)


@contextlib.contextmanager
def local_redis(settings: Settings) -> Iterator[Settings]:
    """Without REDIS_URL: a throwaway redis-server on a socket under .data/, when installed."""
    binary = shutil.which("redis-server")
    if os.environ.get("REDIS_URL") or binary is None:
        yield settings
        return
    socket = settings.data_dir / "run" / "redis.sock"
    socket.parent.mkdir(parents=True, exist_ok=True)
    command = [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700"]
    command += ["--save", "", "--appendonly", "no", "--loglevel", "warning"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        yield dataclasses.replace(settings, redis_url=f"unix://{socket}")
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def outbox_worker(settings: Settings, dsn: str) -> Iterator[None]:
    """The outbox worker beside the API, as its own process sharing this environment."""
    env = {**os.environ, "REDIS_URL": settings.redis_url, "DATA_DIR": str(settings.data_dir)}
    command = [sys.executable, "-m", "api.worker", "--dsn", dsn]
    process = subprocess.Popen(command, env=env)
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
