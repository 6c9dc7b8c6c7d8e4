"""Serving the browser client: the page shell and the files beside it.

Both pages are one static shell (api/web/static/shell.html) that loads the page's module; all
they know they learn from the REST API in the browser, under the visitor's own tokens. Only
the files that are there when the process starts can be served (an allow-list of names, no
paths), each with an ETag. The CSP admits scripts, styles and connections from this origin
only, no inline script or style, and Trusted Types with no policy: the client builds its DOM
from nodes and text, so a string that reaches an HTML sink is refused by the browser instead
of run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.common.errors import problem

STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'"
)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
# An organization's slug as SQL allows it (lower case, digits, hyphens); the page asks the API
# whether it exists.
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def load(folder: Path = STATIC) -> dict[str, Asset]:
    return {
        path.name: Asset.of(path.read_bytes(), TYPES[path.suffix])
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in TYPES
    }


ASSETS = load()
SHELL = ASSETS.pop("shell.html")
# The shell with each page's module in it: /book/{slug} loads book.js, /staff staff.js.
PAGES = {
    page: Asset.of(SHELL.body.replace(b"PAGE", page.encode()), SHELL.media_type)
    for page in ("book", "staff")
}


def answer(request: Request, asset: Asset) -> Response:
    """The file, or 304 when the browser has this version. no-cache: it asks every time, so a
    new release is picked up at the next load, and an unchanged file costs one round trip."""
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    if asset.etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


async def book(request: Request) -> Response:
    if not SLUG.match(request.path_params["slug"]):
        return problem(404, "not_found", "No such organization.")
    return answer(request, PAGES["book"])


async def staff(request: Request) -> Response:
    return answer(request, PAGES["staff"])


async def asset(request: Request) -> Response:
    found = ASSETS.get(request.path_params["name"])
    if found is None:
        return problem(404, "not_found", "No such resource.")
    return answer(request, found)


def routes() -> list[BaseRoute]:
    return [
        Route("/book/{slug}", book, methods=["GET"]),
        Route("/staff", staff, methods=["GET"]),
        Route("/web/assets/{name}", asset, methods=["GET"]),
    ]
