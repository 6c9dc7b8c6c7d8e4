"""A real browser against the app on a real socket: the `site` and `browser` fixtures (registered
in tests/conftest.py), and what a page test asks of the browser: the URLs a page requested, its
console errors, a screenshot, a wait with a readable failure.

The browser is Debian's chromium, driven through its chromedriver (scripts/system-deps installs
both for `make test`). Selenium is always given both paths, so Selenium Manager never runs and
nothing is downloaded. Selenium calls block while the browser works, so the app is served by
uvicorn on an event loop of its own thread (tests/support/servers.py LoopThread); the fixtures and
the browser tests are plain sync tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from api.app import create_app
from api.ops.dev import DEMO_PASSWORDS, seed_demo
from tests.support.live import serve
from tests.support.servers import LoopThread

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "run: apt-get install chromium chromium-driver (or make test as root)"
IGNORED_SCHEMES = ("data:", "blob:", "about:")

# Selenium Manager is skipped when the driver path is given; should anything still reach it, it
# must not go online.
os.environ.setdefault("SE_OFFLINE", "true")


# ---------------------------------------------------------------------------------------------
# The app, seeded with the demo salon, on 127.0.0.1


@dataclass
class Site:
    """The live app: `url` to open in the browser, `demo` as private.seed_demo returned it
    (org_id, org_slug, owner, provider, customer, providers, services), and `call` for the
    other client in a test (someone else books the slot the page shows)."""

    url: str
    demo: dict[str, Any]
    admin_dsn: str
    http: httpx.Client = field(repr=False)

    def call(
        self, method: str, path: str, json: Any = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, path, json=json, headers=headers)

    def login(self, email: str, password: str | None = None) -> str:
        """An access token for a demo login (the owner's password when none is given; the
        customer's for the demo customer)."""
        if password is None:
            customer = email == self.demo["customer"]
            password = DEMO_PASSWORDS["customer" if customer else "owner"]
        answer = self.call("POST", "/api/v1/auth/login", {"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


@pytest.fixture
def site(db: Any, settings: Any, keyset: Any) -> Iterator[Site]:
    """The app over the test's database (the demo salon seeded) and real Redis, served by
    uvicorn on a free port of 127.0.0.1."""
    runner = LoopThread()
    stack = contextlib.AsyncExitStack()

    async def start() -> tuple[str, dict[str, Any]]:
        demo = await seed_demo(db.admin_dsn, only_if_empty=False)
        assert demo is not None
        demo.pop("existed", None)
        application = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
        await stack.enter_async_context(application.router.lifespan_context(application))
        url = await stack.enter_async_context(serve(application))
        return url, demo

    try:
        url, demo = runner.run(start())
        with httpx.Client(base_url=url, timeout=30) as http:
            yield Site(url, demo, db.admin_dsn, http)
    finally:
        try:
            runner.run(stack.aclose())
        finally:
            runner.close()


# ---------------------------------------------------------------------------------------------
# The browser


def chrome(
    *, lang: str = "en", width: int = 1280, height: int = 900, timezone: str | None = None
) -> webdriver.Chrome:
    """A headless chromium that logs every request and console message; the caller quits it
    (the `browser` fixture does). `timezone` is an IANA name the page sees as its own."""
    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver_path is None:
        missing = [n for n, p in (("chromium", binary), ("chromedriver", driver_path)) if not p]
        pytest.fail(f"{' and '.join(missing)} not found; {INSTALL}", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # the tests may run as root, where chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",  # Debian's launcher loads the packaged extensions otherwise
        f"--lang={lang}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        # Headless chromium keeps windows at least 500 pixels wide; the page's viewport is set
        # exactly, so a phone-sized page is one too.
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        if timezone is not None:
            driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": timezone})
    except Exception:
        driver.quit()
        raise
    return driver


@pytest.fixture
def browser() -> Iterator[Callable[..., webdriver.Chrome]]:
    """Factory: `browser(lang="da", timezone="Europe/Copenhagen")` opens a headless chromium
    (the arguments of `chrome`); every one opened is quit after the test."""
    opened: list[webdriver.Chrome] = []

    def open_browser(**options: Any) -> webdriver.Chrome:
        driver = chrome(**options)
        opened.append(driver)
        return driver

    yield open_browser
    for driver in opened:
        with contextlib.suppress(Exception):
            driver.quit()


# ---------------------------------------------------------------------------------------------
# What the page did. Reading a log empties it, so each driver's entries are kept here.

_logs: weakref.WeakKeyDictionary[webdriver.Chrome, dict[str, list[dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _log(driver: webdriver.Chrome, kind: str) -> list[dict[str, Any]]:
    kept = _logs.setdefault(driver, {}).setdefault(kind, [])
    kept.extend(driver.get_log(kind))
    return kept


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser asked for since it started, in order (Network.requestWillBeSent)."""
    urls = []
    for entry in _log(driver, "performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
    return urls


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, parts.hostname or "", port


def assert_same_origin(driver: webdriver.Chrome, base_url: str) -> None:
    """Every request went to the origin of `base_url` (data:, blob: and about: URLs aside).
    A request the page's CSP blocked was never made: it shows in `console_problems`."""
    urls = [u for u in requested_urls(driver) if not u.startswith(IGNORED_SCHEMES)]
    assert urls, "the browser requested nothing"
    foreign = [u for u in urls if _origin(u) != _origin(base_url)]
    assert foreign == [], "requests to another origin:\n" + "\n".join(foreign)


def console_problems(driver: webdriver.Chrome) -> list[str]:
    """SEVERE console entries (script errors, failed loads, CSP violations), as text."""
    return [
        f"{entry.get('source', '?')}: {entry['message']}"
        for entry in _log(driver, "browser")
        if entry.get("level") == "SEVERE"
    ]


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Saves the viewport as <name>.png under SLOTBASE_SCREENSHOTS (default build/screenshots)."""
    folder = Path(os.environ.get("SLOTBASE_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    return path


# ---------------------------------------------------------------------------------------------
# Waiting


def wait_until(
    driver: webdriver.Chrome,
    predicate: Callable[[webdriver.Chrome], Any],
    timeout: float = 10,
    what: str = "the condition",
) -> Any:
    """The first truthy value of `predicate(driver)` within `timeout` seconds."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(predicate)
    except TimeoutException:
        problems = console_problems(driver)
        said = "\nconsole:\n" + "\n".join(problems) if problems else ""
        raise AssertionError(
            f"waited {timeout} s in vain for {what} on {driver.current_url}{said}"
        ) from None


def wait_for(driver: webdriver.Chrome, css: str, timeout: float = 10) -> WebElement:
    """The first element matching the CSS selector, once there is one."""

    def found(d: webdriver.Chrome) -> WebElement | bool:
        elements = d.find_elements(By.CSS_SELECTOR, css)
        return elements[0] if elements else False

    element: WebElement = wait_until(driver, found, timeout, what=f"an element {css!r}")
    return element
