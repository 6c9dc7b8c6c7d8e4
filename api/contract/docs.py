"""GET /docs: Swagger UI over /api/v1/openapi.json, every asset served from here (no CDN).

The assets are the static files of the swagger-ui-py package, served by an allow-list of file
names (nothing else on disk is reachable). The page has no inline script or style, so its CSP
allows only this origin, and the one <style> element the standalone preset writes (its logo)
by hash.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from pathlib import Path

import swagger_ui
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.common.errors import problem
from api.contract.openapi import PATH as OPENAPI_PATH

STATIC = Path(swagger_ui.__file__).resolve().parent / "static"
ASSETS = frozenset(
    {
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
        "favicon-16x16.png",
    }
)


def _inline_style_hashes() -> str:
    """CSP hashes of the <style> elements the preset creates (the top bar's logo colours)."""
    preset = (STATIC / "swagger-ui-standalone-preset.js").read_text(encoding="utf-8")
    texts = re.findall(r'createElement\("style",null,"([^"\\]*)"\)', preset)
    digests = (base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in texts)
    return "".join(f" 'sha256-{d}'" for d in digests)


CSP = (
    f"default-src 'none'; script-src 'self'; style-src 'self'{_inline_style_hashes()}; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
ASSET_CACHE = "public, max-age=86400"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>slotbase API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/docs/assets/index.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
"""
INIT_JS = f"""window.addEventListener("load", function () {{
  window.ui = SwaggerUIBundle({{
    url: "{OPENAPI_PATH}",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  }});
}});
"""


async def page(request: Request) -> Response:
    return Response(
        PAGE,
        media_type="text/html",
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"},
    )


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    headers = {"Cache-Control": ASSET_CACHE, "Content-Security-Policy": CSP}
    if name == "init.js":
        return Response(INIT_JS, media_type="text/javascript", headers=headers)
    if name not in ASSETS:
        return problem(404, "not_found", "No such resource.")
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type == "application/javascript":
        media_type = "text/javascript"
    return Response((STATIC / name).read_bytes(), media_type=media_type, headers=headers)


def routes() -> list[BaseRoute]:
    return [
        Route("/docs", page, methods=["GET"]),
        Route("/docs/assets/{name}", asset, methods=["GET"]),
    ]
