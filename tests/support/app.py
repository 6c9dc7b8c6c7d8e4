"""The app in-process with settings of a test's own, over httpx, and statements run as the
superuser on the test's database (a slow api function, a role setting)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx

from api.app import create_app
from api.common.settings import Settings
from jwks import KeySet

# api.slow(seconds): a call that takes as long as the test wants.
SLOW = """
create function api.slow(p_seconds double precision) returns json
language sql volatile security invoker set search_path = '' as
$$ select pg_catalog.pg_sleep(p_seconds); select '{}'::json $$;
grant execute on function api.slow(double precision) to anon, authenticated;
"""


@contextlib.asynccontextmanager
async def serve(db: Any, settings: Settings, keyset: KeySet) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=settings.issuer) as http:
            yield http


async def admin(db: Any, *statements: str) -> None:
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()
