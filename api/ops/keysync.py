"""Keeping the database's token keys equal to the JWKS the API publishes.

Direct SQL clients prove who they are with auth.jwt_session_init(jwt), which verifies RS256 in
SQL against auth.jwt_keys. private.publish_keys replaces that table with the keys of a JWKS and
records the issuer, audience and leeway the API verifies with; `slotbase migrate`, `serve` and
`keys rotate` call it, so a key verifies in the database exactly while it is published.
"""

from __future__ import annotations

import json
import logging

import asyncpg

from api.common.settings import Settings
from jwks import KeySet, load_keyset

log = logging.getLogger("slotbase.keys")
PUBLISH = "select private.publish_keys($1::jsonb, $2, $3, $4)"


async def publish(
    conn: asyncpg.Connection | asyncpg.Pool, keyset: KeySet, settings: Settings
) -> int:
    """Returns how many keys the database now verifies with."""
    return int(
        await conn.fetchval(
            PUBLISH,
            json.dumps(keyset.jwks()),
            settings.issuer,
            settings.jwt_audience,
            settings.jwt_leeway_seconds,
        )
    )


async def try_publish(
    conn: asyncpg.Connection | asyncpg.Pool, keyset: KeySet, settings: Settings
) -> bool:
    """publish(), but a database that cannot take the keys (a replica, an older schema) only
    costs direct SQL clients their logins: say so and go on serving."""
    try:
        count = await publish(conn, keyset, settings)
    except (asyncpg.PostgresError, OSError) as exc:
        log.warning(
            "token keys not published to the database (%s): direct SQL clients "
            "cannot sign in until they are",
            exc,
        )
        return False
    log.info("token keys published to the database: %d", count)
    return True


def load_keys(settings: Settings) -> KeySet:
    keyset, generated = load_keyset(
        private_key=settings.jwt_private_key,
        key_id=settings.jwt_key_id,
        public_keys=settings.jwt_public_keys,
        keys_dir=None if settings.jwt_private_key else settings.jwt_keys_dir,
        generate=not settings.production,
    )
    if generated:
        log.warning(
            "generated a development signing key in %s; set JWT_PRIVATE_KEY in production",
            settings.jwt_keys_dir,
        )
    return keyset
