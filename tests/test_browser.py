"""The booking page and the staff view in a real browser (headless chromium), against the app
on a real socket with the demo salon: what a visitor and a member of staff see and do.

Every test ends by checking that the page asked nothing of another host and logged no error
(a CSP violation is one). The screenshots land in build/screenshots; docs/screenshots holds the
current ones the README shows.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import asyncpg
import icalendar
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from api.ops.dev import DEMO_PASSWORDS
from tests.support.browser import (
    Site,
    assert_same_origin,
    console_problems,
    requested_urls,
    screenshot,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.slow
SALON = ZoneInfo("Europe/Copenhagen")
TAKEN = {
    "en": "Sorry, someone else just took that time.",
    "da": "Beklager, en anden har lige taget den tid.",
}


@dataclass
class Checks:
    """The drivers a test opened, and the API refusals it provokes on purpose (statuses)."""

    drivers: list[Any] = field(default_factory=list)
    refusals: set[int] = field(default_factory=set)

    def append(self, driver: Any) -> None:
        self.drivers.append(driver)


REFUSED = re.compile(r"^network: (\S+) - Failed to load resource: .* status of (\d{3})")


@pytest.fixture
def clean(site: Site, browser: Callable[..., webdriver.Chrome]) -> Iterator[Checks]:
    """Every page a test opens is checked when it ends: it asked nothing of another host, no
    token went into a URL, and it logged no error. The browser logs an API refusal as a failed
    load: one the test provoked on purpose (clean.refusals) is expected, the page says it in
    words; any other (a script error, a CSP violation, a missing file, an API call the page
    got wrong) is a defect."""
    checks = Checks()
    yield checks
    for driver in checks.drivers:
        assert_same_origin(driver, site.url)
        # A JWT starts with "eyJ" (base64 of '{"').
        assert [u for u in requested_urls(driver) if "eyJ" in u] == []
        unexpected = []
        for problem in console_problems(driver):
            refused = REFUSED.match(problem)
            if not (
                refused
                and refused[1].startswith(f"{site.url}/api/v1/")
                and int(refused[2]) in checks.refusals
            ):
                unexpected.append(problem)
        assert unexpected == []


def open_page(
    site: Site, browser: Callable[..., Any], clean: Checks, path: str, **options: Any
) -> Any:
    driver = browser(**options)
    clean.append(driver)
    driver.get(site.url + path)
    return driver


def book_page(site: Site, browser: Callable[..., Any], clean: Checks, **options: Any) -> Any:
    driver = open_page(site, browser, clean, "/book/" + site.demo["org_slug"], **options)
    wait_for(driver, '[data-service="Klipning"]')
    return driver


def signed_in_page(site: Site, browser: Callable[..., Any], clean: Checks) -> Any:
    """The booking page, the demo customer signed in from the header."""
    driver = book_page(site, browser, clean)
    click(driver, "#sign-in")
    sign_in(driver, site.demo["customer"], DEMO_PASSWORDS["customer"])
    return driver


def choose(driver: Any, service: str, provider: str | None = None) -> None:
    click(driver, f'[data-service="{service}"]')
    if provider is not None:
        click(driver, f'[data-provider="{provider}"]')
    wait_for(driver, "button.slot")
    wait_until(
        driver,
        lambda d: now(d, "#live-state", "@data-state") == "open",
        what="the live stream",
    )


def starts(driver: Any) -> list[str]:
    """The times offered, read in one script (the list is redrawn whenever it changes)."""
    found: list[str] = driver.execute_script(
        "return [...document.querySelectorAll('button.slot')].map(b => b.dataset.start)"
    )
    return found


def click(driver: Any, css: str) -> None:
    """Click the element once it is there and shown, in one script: the page redraws parts of
    itself as data arrives, and a pointer click aimed at a spot could land on what moved there."""
    script = (
        "const e = document.querySelector(arguments[0]);"
        " if (!e || e.disabled || e.offsetParent === null) return false;"
        " e.click(); return true;"
    )
    wait_until(driver, lambda d: d.execute_script(script, css), what=f"a click on {css}")


READ = """const e = document.querySelector(arguments[0]);
if (!e) return null;
return arguments[1].startsWith("@") ? e.getAttribute(arguments[1].slice(1)) : e[arguments[1]];"""


def now(driver: Any, css: str, what: str = "innerText") -> Any:
    """A property (or "@attribute") of the first element matching css, null when there is none;
    read in one script, since the page redraws parts of itself whenever the data changes."""
    return driver.execute_script(READ, css, what)


def read(driver: Any, css: str, what: str = "innerText") -> Any:
    """As `now`, once the element is there."""
    return wait_until(driver, lambda d: now(d, css, what), what=f"the {what} of {css}")


def slot(driver: Any, start: str) -> None:
    click(driver, f'button.slot[data-start="{start}"]')


def sign_in(driver: Any, email: str, password: str) -> None:
    wait_for(driver, "#auth-email").send_keys(email)
    driver.find_element(By.ID, "auth-password").send_keys(password)
    driver.find_element(By.ID, "auth-submit").click()


def alert_text(driver: Any) -> str:
    return read(driver, '#messages [role="alert"]')


async def execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def customer_token(site: Site) -> str:
    return site.login(site.demo["customer"])


def other_customer(site: Site, handle: str) -> str:
    email = f"{handle}@example.com"
    made = site.call("POST", "/api/v1/auth/register", {"email": email, "password": "p4ssw0rd-x"})
    assert made.status_code == 201, made.text
    return site.login(email, "p4ssw0rd-x")


def test_a_visitor_books_a_slot_end_to_end(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    driver = book_page(site, browser, clean, timezone="America/New_York")
    choose(driver, "Klipning")
    # The visitor is in New York: the salon's zone is said, the visitor's too, beside each time.
    assert "Europe/Copenhagen" in read(driver, "#slots")
    assert "America/New_York" in read(driver, "#your-zone")
    start_text, shown = driver.execute_script(
        "const b = document.querySelector('button.slot'); return [b.dataset.start, b.innerText]"
    )
    salon_time, own_time = shown.split("\n")
    start = datetime.fromisoformat(start_text)
    assert salon_time == start.astimezone(SALON).strftime("%H:%M")
    assert own_time == start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    screenshot(driver, "book-page")

    # Choosing a time asks for an account; once signed in the time is held while the note is
    # written, then booked.
    chosen = starts(driver)[2]
    slot(driver, chosen)
    sign_in(driver, site.demo["customer"], DEMO_PASSWORDS["customer"])
    wait_for(driver, "#held")
    token = customer_token(site)
    held = site.call("GET", "/api/v1/bookings?from=" + date.today().isoformat(), token=token)
    assert chosen not in [b["start"] for b in held.json()["items"]]  # a hold is not a booking
    driver.find_element(By.ID, "note").send_keys("Kort i nakken, tak")
    driver.find_element(By.ID, "confirm").click()
    assert read(driver, "#done-status", "@data-status") == "confirmed"
    # The tokens are in the page's memory only.
    kept = driver.execute_script(
        "return [localStorage.length, sessionStorage.length, document.cookie]"
    )
    assert kept == [0, 0, ""]
    screenshot(driver, "book-confirmed")

    mine = site.call("GET", "/api/v1/bookings?from=" + date.today().isoformat(), token=token)
    booked = [b for b in mine.json()["items"] if b["start"] == chosen]
    assert len(booked) == 1, mine.text
    assert booked[0]["customer_note"] == "Kort i nakken, tak"
    assert booked[0]["status"] == "confirmed"

    # "Add to calendar" is the booking as iCalendar, with the UID its emails carry.
    link = read(driver, "#ics", "href")
    assert link.startswith("data:text/calendar;charset=utf-8,")
    calendar = icalendar.Calendar.from_ical(unquote(link.split(",", 1)[1]))
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["UID"]) == f"{booked[0]['id']}@slotbase"
    assert event.decoded("DTSTART") == datetime.fromisoformat(chosen)

    # The booking is in "my bookings", and the time is no longer offered.
    wait_for(driver, f'[data-booking="{booked[0]["id"]}"]')
    wait_until(driver, lambda d: chosen not in starts(d), what="the booked time to go")


def test_a_slot_vanishes_when_another_client_books_it(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    driver = book_page(site, browser, clean)
    choose(driver, "Klipning", "Mette")
    target = starts(driver)[4]
    book(site, other_customer(site, "ane"), "Klipning", start=target)
    # Nobody touched the page: the live stream said the time changed, the list followed.
    wait_until(driver, lambda d: target not in starts(d), what=f"{target} to vanish")
    assert now(driver, "#live-state", "@data-state") == "open"


def test_choosing_another_time_releases_the_hold(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    driver = signed_in_page(site, browser, clean)
    choose(driver, "Klipning", "Mette")
    target = starts(driver)[3]
    slot(driver, target)
    wait_for(driver, "#held")
    # Held: nobody is offered the time, this visitor's own list included.
    wait_until(driver, lambda d: target not in starts(d), what="the held time to go")
    click(driver, "#release")
    wait_until(driver, lambda d: target in starts(d), what="the released time to come back")
    assert now(driver, "#held") is None
    booked = book(site, other_customer(site, "cy"), "Klipning", start=target)
    assert booked["start"] == target


def test_a_double_tap_holds_once_and_signing_out_releases_the_hold(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    driver = signed_in_page(site, browser, clean)
    choose(driver, "Klipning", "Mette")
    target = starts(driver)[5]
    driver.execute_script(
        "const b = document.querySelector(`button.slot[data-start='${arguments[0]}']`);"
        " b.click(); b.click();",
        target,
    )
    wait_for(driver, "#held")
    holds = [u for u in requested_urls(driver) if u == f"{site.url}/api/v1/bookings/holds"]
    assert len(holds) == 1
    click(driver, "#sign-out")
    wait_for(driver, "#sign-in")
    # The time is free again for everyone at once, not when the hold would have lapsed.
    assert book(site, other_customer(site, "dan"), "Klipning", start=target)["start"] == target


@pytest.mark.parametrize("lang", ["da", "en"])
def test_losing_a_race_says_slot_taken_in_words(
    site: Site, browser: Callable[..., Any], clean: Checks, lang: str
) -> None:
    clean.refusals.add(409)  # the hold the page asks for once signed in
    driver = book_page(site, browser, clean, lang=lang)
    choose(driver, "Klipning", "Mette")
    target = starts(driver)[1]
    slot(driver, target)
    wait_for(driver, "#auth-email")
    # While the visitor signs in, someone else books the time they chose.
    book(site, other_customer(site, "bo"), "Klipning", start=target)
    sign_in(driver, site.demo["customer"], DEMO_PASSWORDS["customer"])
    assert alert_text(driver).startswith(TAKEN[lang])
    assert driver.find_elements(By.ID, "held") == []
    wait_until(driver, lambda d: target not in starts(d) and starts(d), what="a fresh list")
    if lang == "da":
        assert now(driver, "html", "lang") == "da"
        screenshot(driver, "book-slot-taken")


def test_a_customer_moves_and_cancels_a_booking_from_my_bookings(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    token = customer_token(site)
    later = free_starts(site, "Klipning")[-1]
    booking = book(site, token, "Klipning")["id"]

    driver = signed_in_page(site, browser, clean)
    row = f'[data-booking="{booking}"]'
    # Choosing another treatment ends a move: the new list is not the booking's.
    click(driver, row + ' [data-action="reschedule"]')
    wait_for(driver, "#moving")
    click(driver, '[data-service="Skægtrim"]')
    wait_until(driver, lambda d: now(d, "#moving") is None, what="the move to end")
    click(driver, row + ' [data-action="reschedule"]')
    wait_for(driver, "#moving")
    wait_until(driver, lambda d: later in starts(d), what="the provider's times")
    slot(driver, later)
    wait_until(driver, lambda d: "moved" in now(d, "#messages"), what="moved")
    moved = site.call("GET", f"/api/v1/bookings/{booking}", token=token).json()
    assert moved["start"] == later and moved["sequence"] == 1

    click(driver, row + ' [data-action="cancel"]')
    click(driver, row + ' [data-action="cancel-yes"]')
    wait_until(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, row), what="cancelled")
    assert site.call("GET", f"/api/v1/bookings/{booking}", token=token).json()["status"] == (
        "cancelled"
    )


def test_inside_the_salons_cutoff_a_booking_offers_no_changes(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    token = customer_token(site)
    booking = book(site, token, "Klipning")
    # The salon now allows changes until 30 days before: the booking is inside that.
    owner = site.login(site.demo["owner"])
    month = {"cancellation_cutoff_minutes": 30 * 24 * 60}
    changed = site.call("PATCH", f"/api/v1/orgs/{site.demo['org_id']}", month, owner)
    assert changed.status_code == 200, changed.text
    driver = signed_in_page(site, browser, clean)
    rules = "You can cancel or move a booking until 30 days before it starts."
    assert read(driver, "#rules") == rules
    row = f'[data-booking="{booking["id"]}"]'
    assert read(driver, row, "@data-changeable") == "false"
    assert now(driver, row + " button") is None


def free_starts(site: Site, service: str, provider: str = "Mette") -> list[str]:
    """The free starts of the coming seven days: a provider's, or the salon's for "any"."""
    today = datetime.now(SALON).date()
    query = f"service_id={site.demo['services'][service]}&from={today}"
    query += f"&to={today + timedelta(days=6)}"
    where = (
        f"/orgs/{site.demo['org_id']}"
        if provider == "any"
        else f"/providers/{site.demo['providers'][provider]}"
    )
    starts = [s["start"] for s in site.call("GET", f"/api/v1{where}/slots?{query}").json()["slots"]]
    assert starts, f"no free {service} this week"
    return starts


def book(
    site: Site,
    token: str,
    service: str,
    *,
    start: str | None = None,
    provider: str = "Mette",
    note: str | None = None,
) -> dict[str, Any]:
    """A booking made through the API, as another app would: at `start`, else the first free
    time of the week."""
    made = site.call(
        "POST",
        "/api/v1/bookings",
        {
            "provider_id": "any" if provider == "any" else site.demo["providers"][provider],
            "service_id": site.demo["services"][service],
            "start": start or free_starts(site, service, provider)[0],
            "customer_note": note,
        },
        token,
    )
    assert made.status_code == 201, made.text
    booked: dict[str, Any] = made.json()
    return booked


def test_a_token_refresh_keeps_the_visitor_signed_in_and_the_note(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    # Access tokens of 6 seconds: the page refreshes every 5 (its floor) while the note is typed.
    asyncio.run(
        execute(
            site.admin_dsn,
            "update private.settings set value = '6' where name = 'access_token_seconds'",
        )
    )
    driver = book_page(site, browser, clean)
    choose(driver, "Klipning", "Mette")
    target = starts(driver)[0]
    slot(driver, target)
    sign_in(driver, site.demo["customer"], DEMO_PASSWORDS["customer"])
    wait_for(driver, "#held")
    driver.find_element(By.ID, "note").send_keys("Bare en studsning")

    def refreshed(d: Any) -> bool:
        return sum("/api/v1/auth/refresh" in u for u in requested_urls(d)) >= 2

    wait_until(driver, refreshed, timeout=20, what="two refreshes")
    # Past the first token's life: still signed in, the note and the focus where they were.
    assert now(driver, "#note", "value") == "Bare en studsning"
    assert driver.switch_to.active_element.get_attribute("id") == "note"
    click(driver, "#confirm")
    assert read(driver, "#done-status", "@data-status") == "confirmed"


def test_the_booking_page_works_from_the_keyboard_on_a_phone(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    driver = book_page(site, browser, clean, lang="da", width=390, height=844)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page is wider than the phone"
    body = driver.find_element(By.TAG_NAME, "body")
    focused = ""
    for _ in range(10):  # Tab from the top of the page to the first treatment
        body.send_keys(Keys.TAB) if not focused else driver.switch_to.active_element.send_keys(
            Keys.TAB
        )
        focused = driver.switch_to.active_element.get_attribute("data-service") or "x"
        if focused != "x":
            break
    assert focused != "x", "no treatment is reachable with Tab"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(driver, "button.slot")
    # The focus went on to the next step, and stayed there while the times arrived.
    assert now(driver, "#providers h2") == driver.execute_script(
        "return document.activeElement.innerText"
    )
    for _ in range(40):
        active = driver.switch_to.active_element
        if active.get_attribute("data-start"):
            break
        active.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("data-start"), "no time reachable"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    # Choosing a time while signed out takes the focus to the sign-in form.
    wait_until(
        driver,
        lambda d: d.switch_to.active_element.get_attribute("id") == "auth-email",
        what="the focus in the email field",
    )
    assert "Log ind" in read(driver, "#checkout")
    screenshot(driver, "book-phone")


def test_an_expired_session_is_said_in_words(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    clean.refusals.add(401)  # the refused call and the refused refresh
    driver = book_page(site, browser, clean)
    choose(driver, "Klipning", "Mette")
    click(driver, "#sign-in")
    sign_in(driver, site.demo["customer"], DEMO_PASSWORDS["customer"])
    wait_for(driver, "#sign-out")
    # Every session of the account ends elsewhere (a password change, "log out everywhere").
    ended = site.call("POST", "/api/v1/auth/logout-all", token=customer_token(site))
    assert ended.status_code == 204, ended.text
    slot(driver, starts(driver)[0])
    assert "session has ended" in alert_text(driver)
    wait_for(driver, "#auth-email")  # sign in again, the chosen time still chosen


def test_wrong_passwords_and_the_lockout_are_said_in_words(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    clean.refusals |= {401, 429}
    driver = book_page(site, browser, clean)
    click(driver, "#sign-in")
    wait_for(driver, "#auth-email").send_keys(site.demo["customer"])
    said = []
    for _ in range(6):  # the demo's lockout: 5 failures within 15 minutes
        box = driver.find_element(By.ID, "auth-password")
        box.clear()
        box.send_keys("not-the-password")
        driver.execute_script("document.getElementById('messages').replaceChildren()")
        click(driver, "#auth-submit")
        said.append(read(driver, '#messages [role="alert"]'))
    assert said[0] == "Wrong email or password."
    assert said[-1].startswith("Too many wrong passwords; try again in ")
    seconds = int(said[-1].split(" in ")[1].split()[0])
    assert 0 < seconds <= 15 * 60


def pending_colouring(site: Site, token: str, note: str | None = None) -> dict[str, Any]:
    """A colouring (confirmed by the salon) booked within this week."""
    booking = book(site, token, "Farvning", provider="any", note=note)
    assert booking["status"] == "pending"
    return booking


def test_a_staff_member_confirms_a_pending_booking(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    booking = pending_colouring(site, customer_token(site))
    driver = open_page(site, browser, clean, "/staff")
    sign_in(driver, site.demo["owner"], DEMO_PASSWORDS["owner"])
    click(driver, "#span-week")
    row = f'[data-booking="{booking["id"]}"]'
    # In Mette's column, with the customer's name, which staff may see.
    assert "Karl Kunde" in read(driver, f'[data-provider="Mette"] {row}[data-status="pending"]')
    screenshot(driver, "staff-view")
    click(driver, row + ' [data-action="confirm"]')
    wait_for(driver, row + '[data-status="confirmed"]')
    token = site.login(site.demo["owner"])
    seen = site.call("GET", f"/api/v1/bookings/{booking['id']}", token=token).json()
    assert seen["status"] == "confirmed"

    # The view is live: a booking made elsewhere appears without a reload.
    # Its customer chose a name and a note that are markup: the view shows them as text.
    name = '<img src="/x-name" onerror="document.title=1">'
    note = '<script src="/x-note"></script><b>bold</b>'
    made = site.call(
        "POST",
        "/api/v1/auth/register",
        {"email": "mallory@example.com", "password": "p4ssw0rd-x", "full_name": name},
    )
    assert made.status_code == 201, made.text
    another = pending_colouring(site, site.login("mallory@example.com", "p4ssw0rd-x"), note)
    shown = read(driver, f'[data-booking="{another["id"]}"][data-status="pending"]')
    assert name in shown and note in shown
    assert now(driver, f'[data-booking="{another["id"]}"] img, script[src="/x-note"]') is None
    assert [u for u in requested_urls(driver) if "/x-" in u] == []
    assert driver.title != "1"


def test_a_staff_member_marks_a_visit_completed_and_another_no_show(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    # Two confirmed cuts that began a moment ago (today in the salon, even just after midnight),
    # one with each provider: written as the superuser, since no API books the past.
    begun = """
      insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at,
        ends_at, status, price_minor, currency, created_by)
      select o.id, p.id, v.id, u.id, t.at, t.at + interval '45 minutes', 'confirmed', 45000,
        'DKK', u.id
      from app.organizations o
      join app.providers p on p.org_id = o.id
      join app.services v on v.org_id = o.id and v.name = 'Klipning'
      join auth.users u on u.email = 'customer@salon-norrebro.example'
      cross join lateral (select greatest(now() - interval '2 minutes',
        date_trunc('day', now() at time zone o.timezone) at time zone o.timezone) as at) t
      where o.slug = 'salon-norrebro'
    """
    asyncio.run(execute(site.admin_dsn, begun))
    driver = open_page(site, browser, clean, "/staff", lang="da")
    sign_in(driver, site.demo["owner"], DEMO_PASSWORDS["owner"])
    mette = '[data-provider="Mette"] [data-status="confirmed"]'
    jonas = '[data-provider="Jonas"] [data-status="confirmed"]'
    mette_id, jonas_id = read(driver, mette, "@data-booking"), read(driver, jonas, "@data-booking")
    click(driver, mette + ' [data-action="complete"]')
    click(driver, jonas + ' [data-action="no-show"]')
    wait_for(driver, f'[data-booking="{mette_id}"][data-status="completed"]')
    assert "Udeblev" in read(driver, f'[data-booking="{jonas_id}"][data-status="no_show"]')
    token = site.login(site.demo["owner"])
    for booking, status in ((mette_id, "completed"), (jonas_id, "no_show")):
        seen = site.call("GET", f"/api/v1/bookings/{booking}", token=token).json()
        assert seen["status"] == status


def test_a_provider_adds_time_off_and_the_booking_page_follows(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    visitor = book_page(site, browser, clean)
    choose(visitor, "Klipning", "Mette")
    target = datetime.fromisoformat(starts(visitor)[0]).astimezone(SALON)

    staff = open_page(site, browser, clean, "/staff", lang="da")
    sign_in(staff, site.demo["provider"], DEMO_PASSWORDS["owner"])
    wait_for(staff, "#off-provider")
    for css, value in (("#off-from", target), ("#off-to", target + timedelta(hours=2))):
        element = staff.find_element(By.CSS_SELECTOR, css)
        staff.execute_script(
            "arguments[0].value = arguments[1]", element, value.strftime("%Y-%m-%dT%H:%M")
        )
    staff.find_element(By.ID, "off-reason").send_keys("Tandlæge")
    staff.find_element(By.ID, "off-submit").click()
    wait_until(
        staff,
        lambda d: "Fraværet er tilføjet" in now(d, "#messages"),
        what="the time off saved",
    )
    gone = target.isoformat()
    wait_until(
        visitor,
        lambda d: starts(d) and gone not in starts(d),
        what="the time off to close the slot",
    )


def test_a_member_of_two_organizations_switches_between_them(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    owner = site.login(site.demo["owner"])
    org = site.call(
        "POST", "/api/v1/orgs", {"slug": "atelier-aarhus", "name": "Atelier Aarhus"}, owner
    )
    assert org.status_code == 201, org.text
    made = site.call(
        "POST", f"/api/v1/orgs/{org.json()['id']}/providers", {"display_name": "Zara"}, owner
    )
    assert made.status_code == 201, made.text

    driver = open_page(site, browser, clean, "/staff")
    sign_in(driver, site.demo["owner"], DEMO_PASSWORDS["owner"])
    # By name: the atelier first, with its own provider in the board and the time-off form.
    wait_until(driver, lambda d: now(d, "#title") == "Atelier Aarhus", what="the atelier")
    assert read(driver, "#off-provider", "innerText") == "Zara"
    assert now(driver, '[data-provider="Mette"]') is None
    driver.execute_script(
        "const s = document.getElementById('org'); s.value = arguments[0];"
        " s.dispatchEvent(new Event('change'))",
        site.demo["org_id"],
    )
    wait_until(driver, lambda d: now(d, "#title") == "Salon Nørrebro", what="the salon")
    wait_for(driver, '[data-provider="Mette"]')
    assert read(driver, "#off-provider", "innerText").split("\n") == ["Jonas", "Mette"]
    assert now(driver, '[data-provider="Zara"]') is None


def test_a_member_of_no_organization_is_told_so(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    driver = open_page(site, browser, clean, "/staff")
    sign_in(driver, site.demo["customer"], DEMO_PASSWORDS["customer"])
    assert "not a member" in alert_text(driver)


def test_a_page_opened_while_the_database_is_away_recovers_by_itself(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    clean.refusals.add(503)
    # The database takes no connection but a superuser's, and the API's are cut: every call
    # answers 503 with Retry-After, as while PostgreSQL restarts. (The test's own database, so
    # nothing else is touched; it is dropped after the test.)
    limit = (
        "do $$ begin execute format('alter database %I connection limit {}',"
        " pg_catalog.current_database()); end $$"
    )
    asyncio.run(execute(site.admin_dsn, limit.format(0)))
    cut = (
        "select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity"
        " where usename = 'authenticator' and datname = pg_catalog.current_database()"
    )
    asyncio.run(execute(site.admin_dsn, cut))
    try:
        driver = open_page(site, browser, clean, "/book/" + site.demo["org_slug"])
        assert "busy or restarting" in alert_text(driver)
    finally:
        asyncio.run(execute(site.admin_dsn, limit.format(-1)))
    # Back: the page carries on without a reload, and the words go.
    wait_for(driver, '[data-service="Klipning"]', timeout=20)
    assert now(driver, '#messages [role="alert"]') is None
    choose(driver, "Klipning", "Mette")


def test_an_unknown_salon_is_said_in_words(
    site: Site, browser: Callable[..., Any], clean: Checks
) -> None:
    clean.refusals.add(404)
    driver = open_page(site, browser, clean, "/book/no-such-salon")
    assert alert_text(driver) == "There is no salon at this address."
