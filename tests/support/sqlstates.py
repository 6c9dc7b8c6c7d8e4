"""PostgreSQL errors of a chosen SQLSTATE, raised by a real server, so asyncpg builds them
exactly as it does for a request."""

from __future__ import annotations

import asyncpg
import pytest


async def raised(
    conn: asyncpg.Connection, sqlstate: str, message: str, detail: str = ""
) -> asyncpg.PostgresError:
    """The exception PostgreSQL sends for `raise exception using errcode = sqlstate, ...`."""
    sql = (
        "do $$ begin raise exception using errcode = '{}', message = '{}', detail = '{}'; end $$"
    ).format(sqlstate, message.replace("'", "''"), detail.replace("'", "''"))
    with pytest.raises(asyncpg.PostgresError) as caught:
        await conn.execute(sql)
    assert caught.value.sqlstate == sqlstate
    return caught.value
