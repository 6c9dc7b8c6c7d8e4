"""Reading the ASGI scope, which every layer of the edge and the request path does: a request
header without building Starlette's Headers (a list scan, the cheapest way for one name)."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (name in lower case, as ASGI gives it)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
