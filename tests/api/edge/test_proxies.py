"""The client address: forwarded headers count only when they come from a trusted proxy."""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.common.settings import Settings
from api.edge.proxies import client_ip, rate_key
from jwks import KeySet
from tests.conftest import ISSUER

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def scope(peer: str, *headers: tuple[str, str]) -> dict[str, Any]:
    return {
        "client": (peer, 40000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
    }


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    given = scope("198.51.100.9", ("X-Forwarded-For", "192.0.2.1"))
    assert client_ip(given, ()) == "198.51.100.9"


def test_forwarded_headers_from_an_untrusted_peer_are_ignored() -> None:
    given = scope("198.51.100.9", ("X-Forwarded-For", "192.0.2.1"), ("Forwarded", "for=192.0.2.2"))
    assert client_ip(given, PROXIES) == "198.51.100.9"


def test_a_trusted_proxy_names_the_client() -> None:
    given = scope("10.0.0.5", ("X-Forwarded-For", "192.0.2.1"))
    assert client_ip(given, PROXIES) == "192.0.2.1"


def test_a_client_cannot_choose_its_address_through_a_trusted_proxy() -> None:
    # The client sent "X-Forwarded-For: 203.0.113.66"; the proxy appended the real peer.
    given = scope("10.0.0.5", ("X-Forwarded-For", "203.0.113.66, 192.0.2.1"))
    assert client_ip(given, PROXIES) == "192.0.2.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    given = scope("10.0.0.5", ("X-Forwarded-For", "203.0.113.66, 192.0.2.1, 10.1.1.1"))
    assert client_ip(given, PROXIES) == "192.0.2.1"
    split = scope("10.0.0.5", ("X-Forwarded-For", "192.0.2.1"), ("X-Forwarded-For", "10.1.1.1"))
    assert client_ip(split, PROXIES) == "192.0.2.1"


def test_rfc7239_forwarded_is_read_with_ports_quotes_and_ipv6() -> None:
    given = scope("10.0.0.5", ("Forwarded", 'for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"'))
    assert client_ip(given, PROXIES, "forwarded") == "2001:db8::17"
    v4 = scope("fd00::1", ("Forwarded", 'for="192.0.2.60:8080";by=10.0.0.5'))
    assert client_ip(v4, PROXIES, "forwarded") == "192.0.2.60"


def test_a_client_cannot_choose_its_address_with_the_header_the_proxy_does_not_write() -> None:
    # The proxy appends to X-Forwarded-For and passes the client's own Forwarded through.
    given = scope("10.0.0.5", ("X-Forwarded-For", "192.0.2.1"), ("Forwarded", "for=192.0.2.2"))
    assert client_ip(given, PROXIES) == "192.0.2.1"
    assert client_ip(given, PROXIES, "x-forwarded-for") == "192.0.2.1"
    # And the other way round, for a proxy that writes Forwarded.
    given = scope("10.0.0.5", ("X-Forwarded-For", "192.0.2.1"), ("Forwarded", "for=192.0.2.2"))
    assert client_ip(given, PROXIES, "forwarded") == "192.0.2.2"


def test_ipv6_clients_are_rate_limited_by_their_64() -> None:
    same = rate_key("2001:db8:1:2:aaaa::1")
    assert same == rate_key("2001:db8:1:2:bbbb::99") == "2001:db8:1:2::/64"
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("192.0.2.7") == "192.0.2.7"
    assert rate_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert rate_key("unknown") == "unknown"


def test_an_unreadable_hop_stops_the_walk_at_the_last_trusted_proxy() -> None:
    given = scope("10.0.0.5", ("Forwarded", "for=unknown"))
    assert client_ip(given, PROXIES) == "10.0.0.5"
    hidden = scope("10.0.0.5", ("X-Forwarded-For", "192.0.2.1, _hidden, 10.2.2.2"))
    assert client_ip(hidden, PROXIES) == "10.2.2.2"


def test_a_trusted_peer_without_headers_is_the_client() -> None:
    assert client_ip(scope("10.0.0.5"), PROXIES) == "10.0.0.5"


@pytest.mark.anyio
async def test_sessions_record_the_address_a_trusted_proxy_forwarded(
    db: Any, settings: Settings, keyset: KeySet, make_account: Any
) -> None:
    alma = await make_account("alma")
    behind = dataclasses.replace(settings, trusted_proxies=PROXIES)
    app = create_app(behind, dsn=db.dsn_as("authenticator"), keyset=keyset)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.5", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as proxy:
            login = await proxy.post(
                "/api/v1/auth/login",
                json={"email": alma.email, "password": alma.password},
                headers={"X-Forwarded-For": "203.0.113.66, 192.0.2.44"},
            )
            token = login.json()["access_token"]
            sessions = await proxy.get(
                "/api/v1/auth/sessions", headers={"Authorization": f"Bearer {token}"}
            )
    current = [s for s in sessions.json()["items"] if s["current"]]
    assert [s["ip"] for s in current] == ["192.0.2.44"]
