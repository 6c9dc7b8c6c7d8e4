"""Rate limits over real Redis: shared by instances, headers, auth and user buckets, outages."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from api.app import create_app
from api.common.metrics import REGISTRY
from api.common.settings import Rate, Settings
from jwks import KeySet
from tests.conftest import ISSUER, Account
from tests.support.live import serve
from tests.support.redis_server import RedisProcess

pytestmark = pytest.mark.anyio
JWKS = "/.well-known/jwks.json"  # a cheap route that touches neither the database nor a token


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        rate_limit_enabled=True,
        rate_limit_ip=Rate(5, 60),
        rate_limit_user=Rate(1000, 60),
        rate_limit_auth=Rate(1000, 60),
    )


@contextlib.asynccontextmanager
async def running(settings: Settings, db: Any, keyset: KeySet) -> AsyncIterator[Any]:
    app = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with app.router.lifespan_context(app):
        yield app


def http(app: Any, ip: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url=ISSUER)


async def test_the_limit_holds_across_two_instances_sharing_redis(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    async with (
        running(limited, db, keyset) as one,
        running(limited, db, keyset) as two,
        http(one) as a,
        http(two) as b,
    ):
        statuses = [(await (a if i % 2 else b).get(JWKS)).status_code for i in range(8)]
    assert statuses == [200] * 5 + [429] * 3


async def test_limited_answers_carry_ratelimit_headers_and_429_a_problem(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    before = REGISTRY.get_sample_value("slotbase_rate_limited_total", {"limit": "ip"}) or 0
    async with running(limited, db, keyset) as app, http(app) as client:
        answers = [await client.get(JWKS) for _ in range(6)]
        other = await http(app, "198.51.100.1").get(JWKS)
    after = REGISTRY.get_sample_value("slotbase_rate_limited_total", {"limit": "ip"})
    assert after == before + 1
    assert [r.headers["RateLimit-Remaining"] for r in answers] == ["4", "3", "2", "1", "0", "0"]
    assert {r.headers["RateLimit-Limit"] for r in answers} == {"5"}
    assert all(1 <= int(r.headers["RateLimit-Reset"]) <= 60 for r in answers)
    refused = answers[-1]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 11 <= int(refused.headers["Retry-After"]) <= 12  # 5 per minute: one every 12 s
    assert "Retry-After" not in answers[0].headers
    assert other.status_code == 200 and other.headers["RateLimit-Remaining"] == "4"


async def test_health_and_metrics_are_not_limited(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    async with running(limited, db, keyset) as app, http(app) as client:
        answers = [await client.get("/health/live") for _ in range(8)]
    assert {r.status_code for r in answers} == {200}
    assert "RateLimit-Limit" not in answers[0].headers


async def test_auth_routes_have_a_stricter_limit_per_address(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    strict = dataclasses.replace(limited, rate_limit_ip=Rate(100, 60), rate_limit_auth=Rate(3, 60))
    login = {"email": "nobody@example.com", "password": "wrong-password-1"}
    async with running(strict, db, keyset) as app, http(app) as client:
        first = await client.post("/api/v1/auth/login", json=login)
        rpc = await client.post("/api/v1/rpc/login", json=login)
        reset = await client.post(
            "/api/v1/auth/password-reset/request", json={"email": login["email"]}
        )
        refused = await client.post("/api/v1/auth/register", json=login)
        token = await client.post(
            "/api/v1/auth/token", data={"grant_type": "password", "username": "x", "password": "y"}
        )
        elsewhere = await client.get(JWKS)
    assert first.status_code == 401 and first.headers["RateLimit-Limit"] == "3"
    assert rpc.status_code != 429 and reset.status_code == 202
    assert refused.status_code == 429 and token.status_code == 429
    assert refused.headers["RateLimit-Limit"] == "3"
    assert elsewhere.status_code == 200 and elsewhere.headers["RateLimit-Limit"] == "100"


async def test_the_user_limit_follows_the_verified_sub_across_addresses(
    limited: Settings, db: Any, keyset: KeySet, make_account: Any
) -> None:
    alma: Account = await make_account("alma")
    bo: Account = await make_account("bo")
    per_user = dataclasses.replace(
        limited, rate_limit_ip=Rate(100, 60), rate_limit_user=Rate(3, 60)
    )
    async with running(per_user, db, keyset) as app:
        mine = [
            await http(app, f"192.0.2.{i}").get("/api/v1/users/me", headers=alma.headers)
            for i in range(4)
        ]
        theirs = await http(app, "192.0.2.1").get("/api/v1/users/me", headers=bo.headers)
        forged = alma.tokens["access_token"][:-4] + "AAAA"
        invalid = await http(app, "192.0.2.9").get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"}
        )
    assert [r.status_code for r in mine] == [200, 200, 200, 429]
    assert mine[0].headers["RateLimit-Limit"] == "3"
    assert theirs.status_code == 200 and theirs.headers["RateLimit-Remaining"] == "2"
    # A token that does not verify picks no user bucket: only the address limit applies.
    assert invalid.status_code == 401 and invalid.headers["RateLimit-Limit"] == "100"


async def test_forwarded_addresses_count_only_from_trusted_proxies(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    async with running(limited, db, keyset) as app, http(app, "10.0.0.5") as client:
        spoofed = [
            await client.get(JWKS, headers={"X-Forwarded-For": f"192.0.2.{i}"}) for i in range(6)
        ]
    assert spoofed[-1].status_code == 429  # untrusted: one bucket, whatever the header says
    proxied = dataclasses.replace(limited, trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),))
    async with running(proxied, db, keyset) as app, http(app, "10.0.0.5") as client:
        forwarded = [
            await client.get(JWKS, headers={"X-Forwarded-For": f"192.0.2.{i}"}) for i in range(6)
        ]
    assert {r.status_code for r in forwarded} == {200}
    assert {r.headers["RateLimit-Remaining"] for r in forwarded} == {"4"}


# ---------------------------------------------------------------------------------------------
# Redis stopped and started again under running instances.


async def test_without_redis_requests_are_served_and_health_is_degraded_until_it_returns(
    limited: Settings,
    db: Any,
    keyset: KeySet,
    own_redis: RedisProcess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="slotbase")
    settings = dataclasses.replace(limited, redis_url=own_redis.url, rate_limit_ip=Rate(6, 60))
    async with (
        running(settings, db, keyset) as one,
        running(settings, db, keyset) as two,
        http(one) as a,
        http(two) as b,
    ):
        for app in (one, two):
            app.state.limiter.retry_seconds = 0.2
        assert (await a.get(JWKS)).status_code == 200
        assert (await a.get("/health")).json()["status"] == "ok"

        own_redis.stop()
        during = [await a.get(JWKS) for _ in range(3)]
        assert {r.status_code for r in during} == {200}
        health = (await a.get("/health")).json()
        assert health["status"] == "degraded"
        assert health["checks"]["rate_limits"] == "local"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "Redis unavailable" in warnings[0].getMessage()
        # Per process meanwhile: this instance keeps its own count, the other starts afresh.
        assert [(await a.get(JWKS)).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert (await b.get(JWKS)).headers["RateLimit-Remaining"] == "5"

        own_redis.start()  # empty: the shared buckets start afresh
        await asyncio.sleep(0.3)
        statuses = [(await (a if i % 2 else b).get(JWKS)).status_code for i in range(8)]
        assert statuses == [200] * 6 + [429] * 2
        assert one.state.limiter.shared and two.state.limiter.shared
        health = (await a.get("/health")).json()
        assert health["status"] == "ok" and health["checks"]["rate_limits"] == "shared"
    resumed = [r for r in caplog.records if "shared again" in r.getMessage()]
    assert len(resumed) == 2 and {r.levelno for r in resumed} == {logging.INFO}


async def test_websocket_upgrades_count_against_the_address_limit(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    async with running(limited, db, keyset) as app, serve(app) as base:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(5):
                assert (await client.get(JWKS)).status_code == 200
        url = base.replace("http://", "ws://") + "/api/v1/ws"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url):
                pass
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["Retry-After"]


async def test_a_browser_app_can_read_a_refusal_and_its_limit_headers(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    origin = "https://app.example"
    browser = dataclasses.replace(limited, cors_origins=(origin,))
    async with running(browser, db, keyset) as app, http(app) as client:
        answers = [await client.get(JWKS, headers={"Origin": origin}) for _ in range(6)]
    refused = answers[-1]
    assert refused.status_code == 429
    assert refused.headers["Access-Control-Allow-Origin"] == origin
    exposed = {
        h.strip().lower() for h in refused.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= exposed


def auth_failures() -> float:
    return sum(
        s.value
        for metric in REGISTRY.collect()
        if metric.name == "slotbase_auth_failures"
        for s in metric.samples
        if s.name == "slotbase_auth_failures_total"
    )


async def test_a_refused_token_is_counted_once_though_the_limiter_reads_it_too(
    limited: Settings, db: Any, keyset: KeySet
) -> None:
    async with running(limited, db, keyset) as app, http(app) as client:
        before = auth_failures()
        response = await client.get(
            "/api/v1/users/me", headers={"Authorization": "Bearer not.a.jwt"}
        )
        after = auth_failures()
    assert response.status_code == 401
    assert "RateLimit-Limit" in response.headers  # the limiter did look at the request
    assert after == before + 1


async def test_an_idle_instance_notices_redis_is_back_when_health_asks(
    limited: Settings, db: Any, keyset: KeySet, own_redis: RedisProcess
) -> None:
    """/health is not limited, so without it an instance with no traffic would say "local"
    (degraded) for as long as nobody made a limited request."""
    settings = dataclasses.replace(limited, redis_url=own_redis.url)
    async with running(settings, db, keyset) as one, http(one) as a:
        one.state.limiter.retry_seconds = 0.2
        own_redis.stop()
        assert (await a.get(JWKS)).status_code == 200  # a limited request finds Redis gone
        assert (await a.get("/health")).json()["checks"]["rate_limits"] == "local"
        own_redis.start()
        await asyncio.sleep(0.3)
        health = (await a.get("/health")).json()
        assert health["checks"]["rate_limits"] == "shared" and health["status"] == "ok", health
