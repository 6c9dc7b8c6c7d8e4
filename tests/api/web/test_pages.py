"""The browser client's files as the server hands them out: the page shells, the allow-list of
assets, the Content-Security-Policy, and what the files themselves may contain.

What the pages do in a browser is tests/test_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from api.web import pages

PAGES = ["/book/salon-norrebro", "/staff"]


@pytest.mark.anyio
@pytest.mark.parametrize("path", PAGES)
async def test_a_page_is_html_under_a_strict_policy(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    policy = dict(
        part.strip().split(" ", 1) for part in answer.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/book/Not_A_Slug", "/book/-x", "/book/" + "a" * 64])
async def test_a_path_that_cannot_be_a_slug_is_not_found(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not_found"


@pytest.mark.anyio
async def test_an_asset_has_its_type_and_a_version_the_browser_can_keep(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/web/assets/book.js")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/javascript; charset=utf-8"
    assert first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    again = await client.get("/web/assets/book.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    css = await client.get("/web/assets/style.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    changed = await client.get("/web/assets/book.js", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    "name",
    ["shell.html", "book.html", "nothing.js", "..%2Fpages.py", "__init__.py", "%2e%2e", "pages.py"],
)
async def test_only_the_listed_assets_are_served(client: httpx.AsyncClient, name: str) -> None:
    answer = await client.get("/web/assets/" + name)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


class Shell(HTMLParser):
    """The tags and attributes of a page shell."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("name", ["book", "staff"])
def test_a_page_has_no_inline_code_and_names_only_served_files(name: str) -> None:
    shell = Shell()
    shell.feed(pages.PAGES[name].body.decode())
    assert ("script", {"type": "module", "src": f"/web/assets/{name}.js"}) in shell.tags
    for tag, attrs in shell.tags:
        assert tag != "style", "inline style"
        assert "style" not in attrs, (tag, attrs)
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        if tag == "script":
            assert attrs.get("type") == "module", attrs
            assert attrs["src"] and attrs["src"].startswith("/web/assets/"), attrs
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value.startswith("/"):
                assert value.removeprefix("/web/assets/") in pages.ASSETS, value
            else:
                assert value.startswith("#") or value == "", (tag, key, value)


SCRIPTS = sorted(name for name in pages.ASSETS if name.endswith(".js"))


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_module_imports_only_served_modules_and_writes_no_markup(name: str) -> None:
    text = pages.ASSETS[name].body.decode()
    for target in re.findall(r'from\s+"\./([^"]+)"', text):
        assert target in pages.ASSETS, (name, target)
    # No HTML strings (Trusted Types would refuse them anyway), no code from strings, and no
    # address of another host: every request the pages make is to this origin.
    for banned in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "localStorage",
        "sessionStorage",
        "document.cookie",
        "http://",
        "https://",
        "//cdn",
    ):
        assert banned not in text, (name, banned)


def test_the_scripts_are_the_ones_the_pages_load() -> None:
    assert {"api.js", "book.js", "i18n.js", "live.js", "staff.js", "ui.js"} <= set(SCRIPTS)


def test_the_readme_shows_screenshots_the_browser_tests_write() -> None:
    root = pages.STATIC.parents[2]
    shown = re.findall(r"\]\((docs/screenshots/[^)]+\.png)\)", (root / "README.md").read_text())
    assert shown, "the README shows no screenshot"
    written = set(
        re.findall(
            r'screenshot\(driver, "([^"]+)"\)', (root / "tests" / "test_browser.py").read_text()
        )
    )
    for path in shown:
        assert (root / path).read_bytes().startswith(b"\x89PNG"), path
        assert path.removeprefix("docs/screenshots/").removesuffix(".png") in written, path


def test_every_imported_name_is_exported_by_its_module() -> None:
    """A module that imports a name another does not export fails to load in the browser; this
    finds it without one."""
    exported = {
        name: set(
            re.findall(
                r"^export (?:async )?(?:function|class|const|let) (\w+)",
                pages.ASSETS[name].body.decode(),
                re.M,
            )
        )
        for name in SCRIPTS
    }
    for name in SCRIPTS:
        text = pages.ASSETS[name].body.decode()
        for names, target in re.findall(r'import\s*\{([^}]*)\}\s*from\s*"\./([^"]+)"', text):
            wanted = {n.strip() for n in names.split(",") if n.strip()}
            assert wanted <= exported[target], (name, target, sorted(wanted - exported[target]))
