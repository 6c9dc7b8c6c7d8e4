"""api/ops/keysync.py: loading the token keys from the settings, and keeping the keys the
database verifies with equal to the JWKS the API publishes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from api.common.settings import Settings
from api.ops.keysync import load_keys, publish, try_publish
from jwks import KeyConfigError, generate_key, load_keyset, private_pem, public_pem, thumbprint
from tests.support.env import production_env

pytestmark = pytest.mark.anyio


def test_an_escaped_pem_private_key_loads() -> None:
    key = generate_key()
    escaped = private_pem(key).replace("\n", "\\n")
    assert "\n" not in escaped

    settings = Settings.from_env(production_env(JWT_PRIVATE_KEY=escaped))
    keyset = load_keys(settings)

    assert [k["kid"] for k in keyset.jwks()["keys"]] == [thumbprint(key.public_key())]


def test_development_generates_a_key_once_and_production_never(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="slotbase.keys")
    development = Settings(jwt_keys_dir=tmp_path / "keys")
    first = load_keys(development)
    assert (tmp_path / "keys" / "signing.pem").exists()
    assert [r.message for r in caplog.records if "generated" in r.message]
    caplog.clear()
    assert load_keys(development).jwks() == first.jwks()
    assert caplog.records == []  # the key of the first start is kept
    with pytest.raises(KeyConfigError):
        load_keys(Settings(environment="production", jwt_keys_dir=tmp_path / "none"))
    assert not (tmp_path / "none").exists()


def test_a_previous_public_key_stays_published_beside_the_signing_key() -> None:
    old, new = generate_key(), generate_key()
    settings = Settings(
        jwt_private_key=private_pem(new), jwt_public_keys=[public_pem(old.public_key())]
    )
    keyset = load_keys(settings)
    assert keyset.signing.kid == thumbprint(new.public_key())
    kids = {key["kid"] for key in keyset.jwks()["keys"]}
    assert kids == {thumbprint(new.public_key()), thumbprint(old.public_key())}


async def test_the_database_verifies_with_exactly_the_published_keys(db: Any) -> None:
    settings = Settings(jwt_issuer="https://api.salon.example", jwt_leeway_seconds=10)
    old, new = generate_key(), generate_key()
    only_old, _ = load_keyset(private_key=private_pem(old))
    both, _ = load_keyset(private_key=private_pem(new), public_keys=[public_pem(old.public_key())])
    only_new, _ = load_keyset(private_key=private_pem(new))
    conn = await asyncpg.connect(db.admin_dsn)
    try:

        async def kids() -> set[str]:
            return {r["kid"] for r in await conn.fetch("select kid from auth.jwt_keys")}

        assert await publish(conn, only_old, settings) == 1
        assert await kids() == {thumbprint(old.public_key())}
        assert await publish(conn, both, settings) == 2  # a rotation: the old key still verifies
        assert await kids() == {thumbprint(old.public_key()), thumbprint(new.public_key())}
        assert await publish(conn, only_new, settings) == 1  # retired: it verifies no more
        assert await kids() == {thumbprint(new.public_key())}
        recorded = dict(
            await conn.fetch(
                "select name, value from private.settings"
                " where name in ('jwt_issuer', 'jwt_audience', 'jwt_leeway_seconds')"
            )
        )
    finally:
        await conn.close()
    assert recorded == {
        "jwt_issuer": "https://api.salon.example",
        "jwt_audience": "slotbase",
        "jwt_leeway_seconds": "10",
    }


async def test_a_database_that_cannot_take_the_keys_costs_only_a_warning(
    pg_conn: Any, keyset: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="slotbase.keys")
    # The maintenance database has no slotbase schema, like a database not yet migrated.
    assert await try_publish(pg_conn, keyset, Settings()) is False
    assert any("not published" in r.message for r in caplog.records)
