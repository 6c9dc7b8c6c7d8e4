"""The browser harness itself (tests/support/browser.py): a headless chromium opens a page of the
live app, sees what the page requested and logged, and the seeded app answers another client."""

from __future__ import annotations

from collections.abc import Callable

from selenium import webdriver

from tests.support.browser import (
    Site,
    assert_same_origin,
    console_problems,
    requested_urls,
    screenshot,
    wait_for,
    wait_until,
)


def test_the_docs_page_renders_from_its_own_origin_without_console_errors(
    site: Site, browser: Callable[..., webdriver.Chrome]
) -> None:
    driver = browser()
    driver.get(f"{site.url}/docs")
    wait_for(driver, ".swagger-ui .info .title")
    wait_for(driver, ".swagger-ui .opblock")  # the operations of /api/v1/openapi.json

    urls = requested_urls(driver)
    assert f"{site.url}/docs/assets/swagger-ui-bundle.js" in urls
    assert f"{site.url}/api/v1/openapi.json" in urls
    assert_same_origin(driver, site.url)
    assert console_problems(driver) == []
    path = screenshot(driver, "docs-page")
    assert path.read_bytes().startswith(b"\x89PNG"), path


def test_the_browser_takes_the_language_and_time_zone_it_is_given(
    site: Site, browser: Callable[..., webdriver.Chrome]
) -> None:
    driver = browser(lang="da", timezone="Europe/Copenhagen", width=390, height=844)
    driver.get(f"{site.url}/docs")
    wait_for(driver, ".swagger-ui .info")
    seen = driver.execute_script(
        "return [navigator.language, Intl.DateTimeFormat().resolvedOptions().timeZone,"
        " window.innerWidth, window.innerHeight]"
    )
    assert seen == ["da", "Europe/Copenhagen", 390, 844]


def test_a_foreign_request_fails_the_same_origin_check(
    site: Site, browser: Callable[..., webdriver.Chrome]
) -> None:
    # A page without the app's CSP, which would block the request before it is made (and log
    # the violation, which `console_problems` reports).
    driver = browser()
    other = site.url.replace("127.0.0.1", "localhost") + "/health"
    driver.get(f'data:text/html,<img src="{other}">')
    wait_until(driver, lambda d: other in requested_urls(d), what="the image request")
    try:
        assert_same_origin(driver, site.url)
    except AssertionError as refused:
        assert other in str(refused)
    else:
        raise AssertionError("a request to another origin passed the same-origin check")


def test_the_live_app_serves_the_seeded_demo_salon(site: Site) -> None:
    answer = site.call("GET", "/api/v1/orgs/salon-norrebro")
    assert answer.status_code == 200, answer.text
    org = answer.json()
    assert org["id"] == site.demo["org_id"]
    assert org["slug"] == site.demo["org_slug"] == "salon-norrebro"
    assert org["timezone"] == "Europe/Copenhagen"

    token = site.login(site.demo["owner"])
    me = site.call("GET", "/api/v1/users/me", token=token)
    assert me.status_code == 200, me.text
    assert me.json()["email"] == site.demo["owner"]
