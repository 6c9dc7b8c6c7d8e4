"""api/contract/docs.py: the Swagger UI page at /docs, its assets under a strict CSP, and
nothing else from the package's folder."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.anyio
DOC = "/api/v1/openapi.json"


async def test_docs_page_serves_its_assets_under_a_strict_csp(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    # 'self' and the hash of the preset's logo <style>; tests/test_browser_harness.py sees that
    # the page renders with no CSP violation in a real browser.
    style = next(d.split()[1:] for d in csp.split("; ") if d.startswith("style-src "))
    assert style[0] == "'self'" and len(style) == 2 and style[1].startswith("'sha256-"), style
    assert "http://" not in page.text and "https://" not in page.text and "//" not in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 4
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert "max-age" in asset.headers["cache-control"]
    init = await client.get("/docs/assets/init.js")
    assert DOC in init.text


async def test_docs_assets_outside_the_allow_list_are_not_found(
    client: httpx.AsyncClient,
) -> None:
    for path in (
        "/docs/assets/LICENSE",
        "/docs/assets/..%2F__init__.py",
        "/docs/assets/%2e%2e%2fcore.py",
        "/docs/assets/../../api/common/settings.py",
        "/docs/assets/swagger-editor.js",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
