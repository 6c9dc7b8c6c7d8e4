"""The salon the live-update tests watch: its people, desks and a service, and the app served
over a real socket (tests/support/live.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.bookings import Seed
from tests.support.live import NOW, ZONE, Salon, serve


@pytest.fixture
async def salon(
    app: Any, client: httpx.AsyncClient, make_account: Any, db: Any
) -> AsyncIterator[Salon]:
    handles = ("alma", "bo", "stig", "pia")
    accounts = dict(zip(handles, await asyncio.gather(*map(make_account, handles)), strict=True))
    seed = await Seed.connect(db.admin_dsn)
    try:
        org = await seed.org(timezone=ZONE)
        await seed.member(org, accounts["stig"].id, "staff")
        await seed.member(org, accounts["pia"].id, "provider")
        pia_desk = await seed.provider(org, user_id=accounts["pia"].id)
        desk = await seed.provider(org)
        cut = await seed.service(org, [pia_desk, desk], duration=60)
        for provider in (pia_desk, desk):
            await seed.hours(provider, range(1, 8), "08:00", "18:00")
        await seed.freeze(NOW)
        async with serve(app) as base:
            yield Salon(
                client, base, seed, **accounts, org=org, pia_desk=pia_desk, desk=desk, cut=cut
            )
    finally:
        await seed.close()
