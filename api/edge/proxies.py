"""The client's address: the TCP peer, or what trusted proxies say it was.

One header is read, the one the operator's proxy writes (TRUSTED_PROXY_HEADER:
`X-Forwarded-For`, the default, or RFC 7239 `Forwarded: for=`), and only when the peer itself is in
TRUSTED_PROXIES; the chain is then walked from the right while each hop is trusted, and the
first untrusted hop is the client. A client cannot choose its address by sending the header
itself: the proxy appends the real peer, and walking stops there. Nor by sending the *other*
header, which a proxy passes through untouched: it is never read.

`ClientAddress` resolves it once per request or WebSocket and leaves it in the scope's state:
`client_ip` (for the access log and SQL) and `client_key` (what rate limits count, `rate_key`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from api.common.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(raw: str) -> Address | None:
    """An address from a header hop: 1.2.3.4, 1.2.3.4:80, 2001:db8::1, [2001:db8::1]:80."""
    raw = raw.strip().strip('"')
    if raw.startswith("["):
        raw = raw[1 : raw.find("]")] if "]" in raw else ""
    elif raw.count(":") == 1:
        raw = raw.partition(":")[0]
    try:
        return ipaddress.ip_address(raw)
    except ValueError:
        return None  # "unknown", obfuscated identifiers (_hidden) and garbage


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def _hops(scope: Scope, header: bytes) -> list[str]:
    hops: list[str] = []
    for name, value in scope["headers"]:
        if name != header:
            continue
        if header == b"forwarded":
            for element in value.decode("latin-1").split(","):
                for pair in element.split(";"):
                    key, _, given = pair.strip().partition("=")
                    if key.lower() == "for":
                        hops.append(given)
        else:
            hops.extend(value.decode("latin-1").split(","))
    return hops


def client_ip(
    scope: Scope, trusted: Sequence[Network], header: str = "x-forwarded-for"
) -> str | None:
    client = scope.get("client")
    peer = client[0] if client else None
    if not trusted or peer is None:
        return peer
    current = _address(peer)
    if current is None or not _trusted(current, trusted):
        return peer
    for hop in reversed(_hops(scope, header.encode("latin-1"))):
        address = _address(hop)
        if address is None:
            break  # an unreadable hop: the last trusted proxy is as far as we can see
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)


def rate_key(ip: str) -> str:
    """What a rate limit counts: an IPv4 address, or the /64 of an IPv6 one (one subscriber
    usually holds a whole /64, and would otherwise get 2^64 fresh buckets)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class ClientAddress:
    """Puts the client's address (`client_ip`) and its rate-limit key (`client_key`) in the
    scope's state, for the layers below and the endpoints."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.trusted = settings.trusted_proxies
        self.header = settings.trusted_proxy_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            ip = client_ip(scope, self.trusted, self.header) or "unknown"
            state = scope.setdefault("state", {})
            state["client_ip"] = ip
            state["client_key"] = rate_key(ip)
        await self.app(scope, receive, send)
