"""The client's address: the TCP peer, or what trusted proxies say it was.

`X-Forwarded-For` and RFC 7239 `Forwarded: for=` are read only when the peer itself is in
TRUSTED_PROXIES; the chain is then walked from the right while each hop is trusted, and the
first untrusted hop is the client. A client cannot choose its address by sending the header
itself: the proxy appends the real peer, and walking stops there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

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


def _hops(scope: Scope) -> list[str]:
    forwarded: list[str] = []
    xff: list[str] = []
    for name, value in scope["headers"]:
        if name == b"forwarded":
            for element in value.decode("latin-1").split(","):
                for pair in element.split(";"):
                    key, _, given = pair.strip().partition("=")
                    if key.lower() == "for":
                        forwarded.append(given)
        elif name == b"x-forwarded-for":
            xff.extend(value.decode("latin-1").split(","))
    return forwarded or xff  # the standard header wins when a proxy sends both


def client_ip(scope: Scope, trusted: Sequence[Network]) -> str | None:
    client = scope.get("client")
    peer = client[0] if client else None
    if not trusted or peer is None:
        return peer
    current = _address(peer)
    if current is None or not _trusted(current, trusted):
        return peer
    for hop in reversed(_hops(scope)):
        address = _address(hop)
        if address is None:
            break  # an unreadable hop: the last trusted proxy is as far as we can see
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)
