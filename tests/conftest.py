"""Fixtures: a throwaway PostgreSQL cluster and Redis server, a migrated template database, and a
fresh clone of it per test. TEST_DATABASE_URL / TEST_REDIS_URL use existing servers instead.
A service that cannot be reached fails the run; nothing here skips.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis

# Without tests/__init__.py pytest puts tests/ on sys.path, not the project root that `api` and
# `tests.support` are imported from; `python -m pytest` adds it, plain `pytest` would not.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.common.settings import Settings  # noqa: E402
from api.ops.devdb import ClusterError, LocalCluster  # noqa: E402
from api.ops.migrate import migrate  # noqa: E402
from jwks import KeySet, generate_key, load_keyset, private_pem  # noqa: E402
from tests.support import pgtap  # noqa: E402
from tests.support.problems import answer_errors  # noqa: E402
from tests.support.redis_server import RedisProcess  # noqa: E402

# The browser fixtures (`site`, `browser`) live with their helpers.
pytest_plugins = ["tests.support.browser"]

T = TypeVar("T")
TEST_SERVER_CONF = {"max_connections": "200", "shared_buffers": "128MB"}
_database_numbers = itertools.count(1)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    return pgtap.collect_file(file_path, parent)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a sync fixture, even if the calling thread has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _execute(dsn: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class PgServer:
    """A server on which the tests are superuser. `url` names its maintenance database."""

    url: str
    version_num: int = 0

    def dsn(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        parts = urlsplit(self.url)
        userinfo, _, hostport = parts.netloc.rpartition("@")
        if user is not None:
            userinfo = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        netloc = f"{userinfo}@{hostport}" if userinfo else hostport
        return urlunsplit((parts.scheme, netloc, "/" + quote(dbname, safe=""), parts.query, ""))

    def admin_dsn(self, dbname: str = "postgres") -> str:
        return self.dsn(dbname)


@dataclass
class TestDatabase:
    """A database cloned from the template for one test, dropped after it."""

    __test__ = False

    name: str
    admin_dsn: str
    server: PgServer = field(repr=False)

    def dsn_as(self, user: str, password: str | None = None) -> str:
        """A DSN for `user` (e.g. "authenticator"); the throwaway cluster trusts its socket."""
        return self.server.dsn(self.name, user, password)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    return parts._replace(netloc=f"{userinfo.partition(':')[0]}:***@{hostport}").geturl()


def _traversable_tempdir(prefix: str) -> Path:
    # mkdtemp makes a 0700 directory; the server user (when run as root) must be able to enter it.
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)
    return path


async def _inspect_server(url: str) -> PgServer:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        superuser = await conn.fetchval(
            "select rolsuper from pg_catalog.pg_roles where rolname = current_user"
        )
        version_num = int(await conn.fetchval("show server_version_num"))
    finally:
        await conn.close()
    if not superuser:
        pytest.fail(
            f"TEST_DATABASE_URL must name a superuser: {_without_password(url)}", pytrace=False
        )
    return PgServer(url, version_num)


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    """The PostgreSQL server: a throwaway cluster, or TEST_DATABASE_URL when set."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        if not url.startswith(("postgresql://", "postgres://")):
            pytest.fail("TEST_DATABASE_URL must be a postgresql:// URL", pytrace=False)
        try:
            server = run_sync(_inspect_server(url))
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            shown = _without_password(url)
            pytest.fail(f"cannot connect to TEST_DATABASE_URL ({shown}): {exc}", pytrace=False)
        yield server
        return
    base = _traversable_tempdir("slotbase-pg-")
    try:
        cluster = LocalCluster(base / "data", fsync=False, extra_conf=TEST_SERVER_CONF)
        cluster.init()
        cluster.start()
    except ClusterError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(
            f"cannot start a throwaway PostgreSQL cluster: {exc}\n"
            "Install the PostgreSQL server or set TEST_DATABASE_URL.",
            pytrace=False,
        )
    try:
        yield run_sync(_inspect_server(cluster.dsn()))
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


async def _prepare_template(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        # When pgTAP is not installed on the server, `pgtap_ready` fails the tests that need it.
        with contextlib.suppress(asyncpg.UndefinedFileError, asyncpg.FeatureNotSupportedError):
            await conn.execute("create extension if not exists pgtap")
    finally:
        await conn.close()

    await migrate(dsn)


async def _finish_template(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("update private.settings set value = '4' where name = 'bcrypt_cost'")
    finally:
        await conn.close()


def _run_helper(path: Path, dsn: str) -> None:
    command = [pgtap.psql_binary(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path), dsn]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"test helper {path.name} failed:\n{done.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def template_db(pg: PgServer) -> Iterator[str]:
    """Name of a database with pgTAP, all migrations, tests/sql/helpers/*.sql and bcrypt cost 4."""
    name = f"slotbase_template_{os.getpid()}"
    drop = f"drop database if exists {_ident(name)} with (force)"
    run_sync(_execute(pg.admin_dsn(), drop, f"create database {_ident(name)}"))
    try:
        dsn = pg.admin_dsn(name)
        run_sync(_prepare_template(dsn))
        for helper in sorted(pgtap.HELPERS_DIR.glob("*.sql")):
            _run_helper(helper, dsn)
        run_sync(_finish_template(dsn))
        yield name
    finally:
        run_sync(_execute(pg.admin_dsn(), drop))


@pytest.fixture(scope="session")
def pgtap_ready(pg: PgServer, template_db: str) -> None:
    """Fails (never skips) every test that needs pgTAP when the template lacks it."""

    async def check() -> tuple[bool, bool]:
        conn = await asyncpg.connect(pg.admin_dsn(template_db))
        try:
            installed = await conn.fetchval(
                "select exists (select from pg_catalog.pg_extension where extname = 'pgtap')"
            )
            available = await conn.fetchval(
                "select exists (select from pg_catalog.pg_available_extensions"
                " where name = 'pgtap')"
            )
        finally:
            await conn.close()
        return installed, available

    installed, available = run_sync(check())
    if not available:
        pytest.fail(
            "pgTAP is not installed on the PostgreSQL server; install it "
            "(Debian: apt-get install postgresql-15-pgtap) and run the tests again",
            pytrace=False,
        )
    if not installed:
        pytest.fail(f"pgTAP is available but not installed in {template_db}", pytrace=False)


@pytest.fixture
def db(pg: PgServer, template_db: str) -> Iterator[TestDatabase]:
    """A fresh database cloned from the template; the test may do anything to it."""
    name = f"slotbase_test_{os.getpid()}_{next(_database_numbers)}"
    strategy = " strategy file_copy" if pg.version_num >= 150000 else ""
    create = f"create database {_ident(name)} template {_ident(template_db)}{strategy}"
    run_sync(_execute(pg.admin_dsn(), create))
    try:
        yield TestDatabase(name, pg.admin_dsn(name), pg)
    finally:
        run_sync(_execute(pg.admin_dsn(), f"drop database if exists {_ident(name)} with (force)"))


@pytest.fixture
async def pg_conn(pg: PgServer) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to the server's maintenance database (no migrations there)."""
    conn = await asyncpg.connect(pg.admin_dsn())
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root and uvicorn loggers as they were, back after the test (api.common.logs.setup
    replaces them)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    uvicorn = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
        for name in ("uvicorn", "uvicorn.error")
    }
    try:
        yield root
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (kept, propagate) in uvicorn.items():
            logging.getLogger(name).handlers[:] = kept
            logging.getLogger(name).propagate = propagate


@pytest.fixture
def server_tmp_path() -> Iterator[Path]:
    """A temporary directory that an unprivileged server user can enter (tmp_path cannot)."""
    path = _traversable_tempdir("slotbase-test-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _redis_answers(url: str) -> bool:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
            return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """URL of a Redis server: a throwaway one on a unix socket, or TEST_REDIS_URL when set."""
    if url := os.environ.get("TEST_REDIS_URL"):
        if not _redis_answers(url):
            pytest.fail(f"TEST_REDIS_URL does not answer PING: {url}", pytrace=False)
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server not found; install it (Debian: apt-get install redis-server) "
            "or set TEST_REDIS_URL",
            pytrace=False,
        )
    workdir = Path(tempfile.mkdtemp(prefix="slotbase-redis-"))
    socket, log = workdir / "redis.sock", workdir / "redis.log"
    command = [
        binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
        "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", str(workdir), "--logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL)
    url = f"unix://{socket}"
    try:
        deadline = time.monotonic() + 10
        while not _redis_answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                output = log.read_text(errors="replace") if log.exists() else ""
                pytest.fail(f"redis-server did not start:\n{output}", pytrace=False)
            time.sleep(0.02)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def own_redis(server_tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of the test's own, to stop and start mid-test (the shared one stays up)."""
    server = RedisProcess(server_tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The Redis URL, its database flushed before the test."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


# ---------------------------------------------------------------------------------------------
# The API over its real stack: a test database (as authenticator), real Redis, real keys.

ISSUER = "http://slotbase.test"
PASSWORD = "velvet-otter-harbour"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def keyset() -> KeySet:
    keys, _ = load_keyset(private_key=private_pem(generate_key()))
    return keys


@pytest.fixture
def settings(redis_url: str) -> Settings:
    return Settings(
        environment="test",
        redis_url=redis_url,
        jwt_issuer=ISSUER,
        db_pool_min=1,
        db_pool_max=40,
        # Most tests make many accounts from one address; tests/api/edge/test_ratelimit.py turns
        # it on.
        rate_limit_enabled=False,
    )


@pytest.fixture
async def app(db: TestDatabase, settings: Settings, keyset: KeySet) -> Any:
    application = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> Any:
    """The API over HTTP. Every answer is checked: no 5xx ever, every error a problem document."""
    unsound: list[str] = []

    async def inspect(response: httpx.Response) -> None:
        await response.aread()
        unsound.extend(answer_errors(response))

    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url=ISSUER, event_hooks={"response": [inspect]}
    ) as http:
        yield http
    assert unsound == [], "unsound answers:\n" + "\n".join(unsound)


@dataclass
class Account:
    """A registered, logged-in user: its user object, token pair and auth header."""

    email: str
    password: str
    user: dict[str, Any]
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    @property
    def id(self) -> str:
        return str(self.user["id"])


@pytest.fixture
def make_account(client: httpx.AsyncClient) -> Any:
    """Factory: `await make_account("alma")` registers alma@example.com and logs in."""

    async def make(handle: str, password: str = PASSWORD, **fields: Any) -> Account:
        email = f"{handle}@example.com"
        body = {"email": email, "password": password, **fields}
        registered = await client.post("/api/v1/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        return Account(email, password, registered.json(), login.json())

    return make


@pytest.fixture
def verify_email(client: httpx.AsyncClient, db: TestDatabase) -> Any:
    """Factory: `await verify_email(account)` proves the account's address the way a person
    does, through the verification email's token (read from the outbox)."""

    async def verify(account: Account) -> None:
        me = await client.get("/api/v1/users/me", headers=account.headers)
        if me.json()["email_verified"]:
            return
        asked = await client.post("/api/v1/auth/verify-email/request", headers=account.headers)
        assert asked.status_code == 202, asked.text
        conn = await asyncpg.connect(db.admin_dsn)
        try:
            token = await conn.fetchval(
                "select payload ->> 'token' from outbox.messages"
                " where kind = 'email_verification' and recipient_email = $1"
                " order by id desc limit 1",
                account.email,
            )
        finally:
            await conn.close()
        done = await client.post("/api/v1/auth/verify-email/confirm", json={"token": token})
        assert done.status_code == 204, done.text

    return verify


@pytest.fixture
def add_member(client: httpx.AsyncClient, verify_email: Any) -> Any:
    """Factory: `await add_member(org_id, by, account, role)`: `by` invites the account's
    address, the account verifies it and accepts; returns the member object."""

    async def add(org_id: str, by: Account, account: Account, role: str) -> dict[str, Any]:
        invited = await client.post(
            f"/api/v1/orgs/{org_id}/members",
            json={"email": account.email, "role": role},
            headers=by.headers,
        )
        assert invited.status_code == 202, invited.text
        await verify_email(account)
        accepted = await client.post(
            f"/api/v1/invitations/{invited.json()['id']}/accept", headers=account.headers
        )
        assert accepted.status_code == 200, accepted.text
        return dict(accepted.json())

    return add
