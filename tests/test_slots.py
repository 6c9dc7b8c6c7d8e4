"""The slot engine: which starts are offered, read through SQL (as anon) and over HTTP.

Reference data is inserted as the superuser; "now" is pinned with private.clock, so every rule
is checked on fixed dates. Slot reads need no token, so the pinned clock never meets a token.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.bookings import API, Seed, Sql, SqlError, clock_times, local, starts

pytestmark = [
    pytest.mark.anyio,
    # On a failure Hypothesis imports libcst to print the example as a patch; libcst trips this.
    pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"),
]

ZONE = "Europe/Copenhagen"
NOW = "2026-02-26T12:00:00Z"  # a Thursday; the slots asked for lie in the week after
MONDAY = date(2026, 3, 2)  # winter time, +01:00
TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
WEEKDAYS = range(1, 6)

Reader = Callable[[str, str, str, str], Awaitable[tuple[int, dict[str, Any]]]]


@pytest.fixture
async def seed(db: Any) -> AsyncIterator[Seed]:
    seed = await Seed.connect(db.admin_dsn)
    await seed.freeze(NOW)
    try:
        yield seed
    finally:
        await seed.close()


@pytest.fixture
async def sql(db: Any) -> AsyncIterator[Sql]:
    sql = await Sql.connect(db.dsn_as("authenticator"))
    try:
        yield sql
    finally:
        await sql.close()


@pytest.fixture(params=["sql", "http"])
def read(request: pytest.FixtureRequest, sql: Sql) -> Reader:
    """GET slots as anon, answering (HTTP status, body); a SQL error maps PTnnn to nnn."""
    if request.param == "sql":

        async def through_sql(provider: str, service: str, start: str, end: str):
            try:
                return 200, await sql.slots(None, provider, service, start, end)
            except SqlError as exc:
                return int(exc.sqlstate[2:]), {"code": exc.code}

        return through_sql

    client = request.getfixturevalue("client")

    async def over_http(provider: str, service: str, start: str, end: str):
        params = {"service_id": service, "from": start, "to": end}
        response = await client.get(f"{API}/providers/{provider}/slots", params=params)
        if response.status_code != 200:
            assert response.headers["content-type"].startswith("application/problem+json")
        return response.status_code, response.json()

    return over_http


async def offered(read: Reader, provider: str, service: str, first: date, last: date | None = None):
    status, body = await read(provider, service, str(first), str(last or first))
    assert status == 200, body
    assert body["provider_id"] == provider and body["service_id"] == service
    return body


async def offered_times(read: Reader, provider: str, service: str, day: date) -> list[str]:
    return clock_times(await offered(read, provider, service, day))


async def shop(seed: Seed, **service: Any) -> tuple[str, str, str]:
    """A Copenhagen organization whose one provider offers one service: (org, provider, service)."""
    org = await seed.org(timezone=ZONE, cutoff_minutes=0)
    provider = await seed.provider(org)
    return org, provider, await seed.service(org, [provider], **service)


def times(first: str, last: str, step_minutes: int = 60) -> list[str]:
    """Wall-clock times from first to last inclusive, HH:MM."""
    at = datetime.strptime(first, "%H:%M")
    end = datetime.strptime(last, "%H:%M")
    out = []
    while at <= end:
        out.append(at.strftime("%H:%M"))
        at += timedelta(minutes=step_minutes)
    return out


# ---------------------------------------------------------------------------------------------
# The rules of one day


async def test_buffers_on_both_sides_must_fit_inside_the_window(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60, before=15, after=15, interval=15)
    await seed.hours(provider, [1], "09:00", "12:00")
    # [start - 15 min, start + 75 min) must lie in 09:00-12:00: starts 09:15 .. 10:45.
    assert await offered_times(read, provider, service, MONDAY) == times("09:15", "10:45", 15)


async def test_buffers_on_an_hourly_grid_leave_only_the_start_whose_block_fits(
    seed: Seed, read: Reader
):
    _, provider, service = await shop(seed, duration=60, before=15, after=15)
    await seed.hours(provider, [1], "09:00", "12:00")
    # 09:00 needs 08:45, 11:00 needs until 12:15: only 10:00 fits.
    body = await offered(read, provider, service, MONDAY)
    assert body["slots"] == [
        {"start": "2026-03-02T10:00:00+01:00", "end": "2026-03-02T11:00:00+01:00"}
    ]
    assert body["timezone"] == ZONE


async def test_minimum_notice_hides_starts_too_close_to_now(seed: Seed, read: Reader, sql: Sql):
    _, provider, service = await shop(seed, duration=60, min_notice=120)
    await seed.hours(provider, [1], "09:00", "17:00")
    await seed.freeze("2026-03-02T08:10:00Z")  # 09:10 local: starts from 11:10 on
    assert await offered_times(read, provider, service, MONDAY) == times("12:00", "16:00")
    answer = await sql.check(None, provider, service, local(MONDAY, "11:00", ZONE))
    assert answer == {"available": False, "reason": "too_soon"}


async def test_maximum_advance_hides_starts_too_far_ahead(seed: Seed, read: Reader, sql: Sql):
    _, provider, service = await shop(seed, duration=60, max_advance_days=3)
    await seed.hours(provider, WEEKDAYS, "09:00", "17:00")
    await seed.freeze("2026-03-02T08:00:00Z")  # Monday 09:00 local: the limit is Thursday 09:00
    body = await offered(read, provider, service, MONDAY, MONDAY + timedelta(days=6))
    assert starts(body)[-1] == "2026-03-05T09:00:00+01:00"
    assert len(starts(body)) == 3 * 8 + 1
    answer = await sql.check(None, provider, service, local(date(2026, 3, 5), "10:00", ZONE))
    assert answer == {"available": False, "reason": "too_far_ahead"}


async def test_grid_is_counted_from_each_windows_start(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=45, interval=30)
    await seed.hours(provider, [1], "09:00", "11:00")
    await seed.hours(provider, [1], "13:15", "15:00")
    assert await offered_times(read, provider, service, MONDAY) == [
        *("09:00", "09:30", "10:00"),
        *("13:15", "13:45", "14:15"),
    ]


async def test_a_split_day_offers_both_windows_and_nothing_in_the_break(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, [1], "09:00", "12:00")
    await seed.hours(provider, [1], "13:00", "17:00")
    assert await offered_times(read, provider, service, MONDAY) == [
        *times("09:00", "11:00"),
        *times("13:00", "16:00"),
    ]


async def test_an_empty_override_closes_that_date_only(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, WEEKDAYS, "09:00", "17:00")
    await seed.override(provider, TUESDAY, [])
    body = await offered(read, provider, service, MONDAY, WEDNESDAY)
    days = {start[:10] for start in starts(body)}
    assert days == {str(MONDAY), str(WEDNESDAY)}
    assert len(starts(body)) == 16


async def test_an_override_replaces_the_weekly_hours_of_its_date(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, WEEKDAYS, "09:00", "17:00")
    await seed.override(provider, WEDNESDAY, [("10:00", "12:00"), ("14:00", "15:00")])
    assert await offered_times(read, provider, service, WEDNESDAY) == ["10:00", "11:00", "14:00"]
    assert await offered_times(read, provider, service, TUESDAY) == times("09:00", "16:00")


async def test_weekly_windows_apply_only_between_valid_from_and_valid_until(
    seed: Seed, read: Reader
):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, [1], "09:00", "12:00", valid_until=date(2026, 3, 9))
    await seed.hours(provider, [1], "13:00", "17:00", valid_from=date(2026, 3, 16))
    await seed.hours(
        provider, [1], "18:00", "19:00", valid_from=date(2026, 3, 9), valid_until=date(2026, 3, 9)
    )
    morning, afternoon = times("09:00", "11:00"), times("13:00", "16:00")
    assert await offered_times(read, provider, service, MONDAY) == morning
    assert await offered_times(read, provider, service, date(2026, 3, 9)) == [*morning, "18:00"]
    assert await offered_times(read, provider, service, date(2026, 3, 16)) == afternoon
    assert await offered_times(read, provider, service, date(2026, 3, 23)) == afternoon


async def test_time_off_removes_every_slot_it_touches(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, [1], "09:00", "17:00")
    await seed.time_off(provider, local(MONDAY, "11:30", ZONE), local(MONDAY, "13:00", ZONE))
    # 11:00-12:00 and 12:00-13:00 touch it; 13:00 starts where it ends (half-open ranges).
    assert await offered_times(read, provider, service, MONDAY) == [
        *("09:00", "10:00"),
        *times("13:00", "16:00"),
    ]


async def test_time_off_over_a_whole_day_closes_it(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, WEEKDAYS, "09:00", "17:00")
    await seed.time_off(provider, local(TUESDAY, "00:00", ZONE), local(WEDNESDAY, "00:00", ZONE))
    assert await offered_times(read, provider, service, TUESDAY) == []
    assert await offered_times(read, provider, service, WEDNESDAY) == times("09:00", "16:00")


async def test_an_existing_booking_blocks_its_time_with_both_buffers(
    seed: Seed, read: Reader, sql: Sql
):
    _, provider, service = await shop(seed, duration=60, before=15, after=15, interval=15)
    await seed.hours(provider, [1], "09:00", "17:00")
    customer = await seed.user()
    await sql.book(customer, provider, service, local(MONDAY, "12:00", ZONE))
    # Its block is [11:45, 13:15); a new block [s - 15, s + 75) must end by 11:45 or start
    # at 13:15 or later, and lie inside 09:00-17:00.
    assert await offered_times(read, provider, service, MONDAY) == [
        *times("09:15", "10:30", 15),
        *times("13:30", "15:45", 15),
    ]


async def test_another_services_booking_blocks_the_provider_too(seed: Seed, read: Reader, sql: Sql):
    org, provider, short = await shop(seed, duration=30)
    long = await seed.service(org, [provider], duration=120)
    await seed.hours(provider, [1], "09:00", "13:00")
    customer = await seed.user()
    await sql.book(customer, provider, long, local(MONDAY, "09:00", ZONE))
    assert await offered_times(read, provider, short, MONDAY) == times("11:00", "12:30", 30)


async def test_a_cancelled_booking_frees_its_slot_at_once(seed: Seed, read: Reader, sql: Sql):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, [1], "09:00", "12:00")
    customer = await seed.user()
    booking = await sql.book(customer, provider, service, local(MONDAY, "10:00", ZONE))
    assert await offered_times(read, provider, service, MONDAY) == ["09:00", "11:00"]
    await sql.act(customer, "cancel", booking["id"])
    assert await offered_times(read, provider, service, MONDAY) == ["09:00", "10:00", "11:00"]


async def test_a_declined_booking_frees_its_slot_at_once(seed: Seed, read: Reader, sql: Sql):
    org, provider, service = await shop(seed, duration=60, requires_confirmation=True)
    await seed.hours(provider, [1], "09:00", "12:00")
    customer, staff = await seed.user(), await seed.user()
    await seed.member(org, staff.user_id, "staff")
    booking = await sql.book(customer, provider, service, local(MONDAY, "10:00", ZONE))
    assert booking["status"] == "pending"
    assert await offered_times(read, provider, service, MONDAY) == ["09:00", "11:00"]
    await sql.act(staff, "decline", booking["id"])
    assert await offered_times(read, provider, service, MONDAY) == ["09:00", "10:00", "11:00"]


async def test_an_inactive_service_or_provider_is_not_found_for_visitors(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, [1], "09:00", "12:00")
    await seed.conn.execute("update app.services set active = false where id = $1", service)
    status, body = await read(provider, service, str(MONDAY), str(MONDAY))
    assert (status, body["code"]) == (404, "not_found")
    await seed.conn.execute("update app.services set active = true where id = $1", service)
    await seed.conn.execute("update app.providers set active = false where id = $1", provider)
    status, body = await read(provider, service, str(MONDAY), str(MONDAY))
    assert (status, body["code"]) == (404, "not_found")


# ---------------------------------------------------------------------------------------------
# Range and input errors


async def test_a_range_of_62_days_is_served_and_63_is_too_long(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, WEEKDAYS, "09:00", "17:00")
    # Local dates, the end date inclusive: 03-01 .. 05-01 is 62 days, 03-01 .. 05-02 is 63.
    status, _ = await read(provider, service, "2026-03-01", "2026-05-01")
    assert status == 200
    status, body = await read(provider, service, "2026-03-01", "2026-05-02")
    assert (status, body["code"]) == (422, "range_too_long")
    status, body = await read(provider, service, "2026-03-01T00:00:00Z", "2026-05-03T00:00:00Z")
    assert (status, body["code"]) == (422, "range_too_long")


async def test_a_range_of_62_local_dates_is_served_across_the_autumn_clock_change(
    seed: Seed, read: Reader
):
    _, provider, service = await shop(seed, duration=60)
    # 62 dates whose span holds the 25-hour day of 2026-10-25 (62 days and one hour elapse).
    status, body = await read(provider, service, "2026-10-01", "2026-12-01")
    assert status == 200, body
    status, body = await read(provider, service, "2026-10-01", "2026-12-02")
    assert (status, body["code"]) == (422, "range_too_long")


async def test_an_instant_without_an_offset_is_invalid_time(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    status, body = await read(provider, service, "2026-03-02T09:00:00", "2026-03-03")
    assert (status, body["code"]) == (422, "invalid_time")
    status, body = await read(provider, service, "2026-03-02", "2026-03-03T09:00")
    assert (status, body["code"]) == (422, "invalid_time")


async def test_instants_with_offsets_bound_the_range_exactly(seed: Seed, read: Reader):
    _, provider, service = await shop(seed, duration=60)
    await seed.hours(provider, [1], "09:00", "17:00")
    status, body = await read(
        provider, service, "2026-03-02T10:00:00Z", "2026-03-02T13:00:00+01:00"
    )
    assert status == 200
    assert clock_times(body) == ["11:00", "12:00"]


async def test_a_service_the_provider_does_not_offer_is_service_not_offered(
    seed: Seed, read: Reader
):
    org, provider, _ = await shop(seed, duration=60)
    other_provider = await seed.provider(org)
    unlinked = await seed.service(org, [other_provider], duration=30)
    status, body = await read(provider, unlinked, str(MONDAY), str(MONDAY))
    assert (status, body["code"]) == (422, "service_not_offered")
    _, _, foreign = await shop(seed, duration=60)
    status, body = await read(provider, foreign, str(MONDAY), str(MONDAY))
    assert (status, body["code"]) == (422, "service_not_offered")


async def test_an_unknown_provider_is_not_found(seed: Seed, read: Reader):
    _, _, service = await shop(seed, duration=60)
    status, body = await read(str(uuid.uuid4()), service, str(MONDAY), str(MONDAY))
    assert (status, body["code"]) == (404, "not_found")


# ---------------------------------------------------------------------------------------------
# Daylight saving time: wall-clock hours hold on the days clocks change

DST_DAYS = [
    pytest.param("Europe/Copenhagen", date(2026, 3, 29), "+01:00", "+02:00", id="cph-spring"),
    pytest.param("Europe/Copenhagen", date(2026, 10, 25), "+02:00", "+01:00", id="cph-autumn"),
    pytest.param("America/New_York", date(2026, 3, 8), "-05:00", "-04:00", id="nyc-spring"),
    pytest.param("America/New_York", date(2026, 11, 1), "-04:00", "-05:00", id="nyc-autumn"),
]

CHANGE_NIGHTS = [
    pytest.param(
        "Europe/Copenhagen",
        date(2026, 3, 29),
        ["00:00+01:00", "01:00+01:00", "03:00+02:00", "04:00+02:00", "05:00+02:00"],
        id="cph-spring",
    ),
    pytest.param(
        "Europe/Copenhagen",
        date(2026, 10, 25),
        [
            *("00:00+02:00", "01:00+02:00", "02:00+02:00"),
            *("02:00+01:00", "03:00+01:00", "04:00+01:00", "05:00+01:00"),
        ],
        id="cph-autumn",
    ),
    pytest.param(
        "America/New_York",
        date(2026, 3, 8),
        ["00:00-05:00", "01:00-05:00", "03:00-04:00", "04:00-04:00", "05:00-04:00"],
        id="nyc-spring",
    ),
    pytest.param(
        "America/New_York",
        date(2026, 11, 1),
        [
            *("00:00-04:00", "01:00-04:00"),
            *("01:00-05:00", "02:00-05:00", "03:00-05:00", "04:00-05:00", "05:00-05:00"),
        ],
        id="nyc-autumn",
    ),
]


async def dst_provider(seed: Seed, zone: str, day: date) -> tuple[str, str]:
    """A provider in `zone` (the organization is in Copenhagen), the clock ten days earlier."""
    await seed.freeze(datetime.fromisoformat(f"{day - timedelta(days=10)}T12:00:00+00:00"))
    org = await seed.org(timezone=ZONE)
    provider = await seed.provider(org, timezone=None if zone == ZONE else zone)
    return provider, await seed.service(org, [provider], duration=60)


@pytest.mark.parametrize(("zone", "day", "offset_before", "offset_after"), DST_DAYS)
async def test_working_hours_keep_their_wall_clock_times_on_the_day_clocks_change(
    seed: Seed, read: Reader, zone: str, day: date, offset_before: str, offset_after: str
):
    provider, service = await dst_provider(seed, zone, day)
    eve = day - timedelta(days=1)
    await seed.hours(provider, [eve.isoweekday(), day.isoweekday()], "09:00", "17:00")
    body = await offered(read, provider, service, eve, day)
    assert body["timezone"] == zone
    assert body["slots"] == [
        {
            "start": f"{on}T{hour:02d}:00:00{offset}",
            "end": f"{on}T{hour + 1:02d}:00:00{offset}",
        }
        for on, offset in ((eve, offset_before), (day, offset_after))
        for hour in range(9, 17)
    ]


@pytest.mark.parametrize(("zone", "day", "expected"), CHANGE_NIGHTS)
async def test_a_night_window_on_the_change_night_has_as_many_hours_as_the_clock_lets_pass(
    seed: Seed, read: Reader, zone: str, day: date, expected: list[str]
):
    provider, service = await dst_provider(seed, zone, day)
    await seed.hours(provider, [day.isoweekday()], "00:00", "06:00")
    body = await offered(read, provider, service, day)
    assert [start[11:16] + start[19:] for start in starts(body)] == expected
    instants = [datetime.fromisoformat(slot["start"]) for slot in body["slots"]]
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(instants))


# ---------------------------------------------------------------------------------------------
# Property: the slot list, check_availability and create_booking are one engine


@st.composite
def schedules(draw: st.DrawFn) -> dict[str, Any]:
    quarter = st.integers(0, 16)
    first_start = 6 * 60 + 15 * draw(quarter)  # 06:00 .. 10:00
    first_end = first_start + 15 * draw(st.integers(4, 16))
    windows = [(first_start, first_end)]
    if draw(st.booleans()):
        second_start = first_end + 15 * draw(st.integers(0, 12))
        windows.append((second_start, second_start + 15 * draw(st.integers(2, 12))))
    time_off = None
    if draw(st.booleans()):
        off_start = 6 * 60 + 5 * draw(st.integers(0, 12 * 12))
        time_off = (off_start, off_start + 5 * draw(st.integers(1, 24)))
    return {
        "duration": draw(st.sampled_from([15, 30, 45, 60, 90])),
        "before": draw(st.sampled_from([0, 5, 10, 15, 30])),
        "after": draw(st.sampled_from([0, 5, 10, 15, 30])),
        "interval": draw(st.sampled_from([15, 20, 30, 45, 60])),
        "min_notice": draw(st.sampled_from([0, 30, 120])),
        "windows": windows,
        "time_off": time_off,
        "candidates": draw(st.lists(st.integers(0, 24 * 12 - 1), max_size=10, unique=True)),
        "keep": draw(st.integers(0, 1000)),
    }


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


PROPERTY_CLOCK = "2026-03-02T07:00:00Z"  # Monday 08:00 local
PROPERTY_NOW = 8 * 60


def expected_starts(schedule: dict[str, Any]) -> list[str]:
    """The rules of API.md "Availability", computed independently in minutes of the day."""
    duration, before, after = schedule["duration"], schedule["before"], schedule["after"]
    merged: list[list[int]] = []
    for start, end in sorted(schedule["windows"]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = []
    for start, end in schedule["windows"]:
        for at in range(start, end - duration + 1, schedule["interval"]):
            block = (at - before, at + duration + after)
            inside = any(lo <= block[0] and block[1] <= hi for lo, hi in merged)
            off = schedule["time_off"]
            clear = off is None or not (block[0] < off[1] and off[0] < block[1])
            if inside and clear and at >= PROPERTY_NOW + schedule["min_notice"]:
                out.append(local(MONDAY, hhmm(at), ZONE))
    return sorted(out)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schedule=schedules())
async def test_every_offered_slot_can_be_booked_exactly_once_and_check_agrees_with_booking(
    seed: Seed, sql: Sql, schedule: dict[str, Any]
):
    await seed.freeze(PROPERTY_CLOCK)
    org = await seed.org(timezone=ZONE, cutoff_minutes=0)
    provider = await seed.provider(org)
    service = await seed.service(
        org,
        [provider],
        duration=schedule["duration"],
        before=schedule["before"],
        after=schedule["after"],
        interval=schedule["interval"],
        min_notice=schedule["min_notice"],
    )
    for start, end in schedule["windows"]:
        await seed.hours(provider, [1], hhmm(start), hhmm(end))
    if schedule["time_off"]:
        start, end = (local(MONDAY, hhmm(at), ZONE) for at in schedule["time_off"])
        await seed.time_off(provider, start, end)
    alma, bo = await seed.user(), await seed.user()

    offered_starts = starts(await sql.slots(None, provider, service, str(MONDAY), str(MONDAY)))
    assert offered_starts == expected_starts(schedule)

    # Each offered slot, on its own: booked once, refused the second time, freed by cancelling.
    for start in offered_starts:
        answer = await sql.check(alma, provider, service, start)
        assert answer == {"available": True, "reason": None}
        booking = await sql.book(alma, provider, service, start)
        assert booking["start"] == start and booking["status"] == "confirmed"
        with pytest.raises(SqlError) as taken:
            await sql.book(bo, provider, service, start)
        assert (taken.value.sqlstate, taken.value.code) == ("PT409", "slot_taken")
        assert await sql.check(bo, provider, service, start) == {
            "available": False,
            "reason": "slot_taken",
        }
        await sql.act(alma, "cancel", booking["id"])

    # Keep one booking, then every answer of check_availability is what create_booking does.
    if offered_starts:
        kept = offered_starts[schedule["keep"] % len(offered_starts)]
        await sql.book(alma, provider, service, kept)
    still_offered = starts(await sql.slots(None, provider, service, str(MONDAY), str(MONDAY)))
    candidates = [local(MONDAY, hhmm(5 * n), ZONE) for n in schedule["candidates"]]
    for start in [*offered_starts, *candidates]:
        answer = await sql.check(bo, provider, service, start)
        assert answer["available"] == (start in still_offered), (start, answer)
        try:
            booking = await sql.book(bo, provider, service, start)
        except SqlError as exc:
            assert answer == {"available": False, "reason": exc.code}, start
            assert exc.sqlstate == ("PT409" if exc.code == "slot_taken" else "PT422")
        else:
            assert answer == {"available": True, "reason": None}, start
            await sql.act(bo, "cancel", booking["id"])
    assert await seed.overlaps() == []


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=st.lists(schedules(), min_size=2, max_size=4))
async def test_org_wide_slots_are_each_providers_own_merged_and_nothing_else(
    seed: Seed, sql: Sql, plans: list[dict[str, Any]]
):
    """One query for every provider: each provider's hours and time off stay their own, and an
    inactive provider or one who does not offer the service adds nothing."""
    await seed.freeze(PROPERTY_CLOCK)
    org = await seed.org(timezone=ZONE, cutoff_minutes=0)
    shared = {k: plans[0][k] for k in ("duration", "before", "after", "interval", "min_notice")}
    providers = [await seed.provider(org) for _ in plans]
    resting = await seed.provider(org, active=False)
    elsewhere = await seed.provider(org)
    service = await seed.service(org, [*providers, resting], **shared)
    expected: dict[str, list[str]] = {}
    for provider, plan in zip(
        [*providers, resting, elsewhere], [*plans, plans[0], plans[0]], strict=True
    ):
        for start, end in plan["windows"]:
            await seed.hours(provider, [1], hhmm(start), hhmm(end))
        if plan["time_off"]:
            start, end = (local(MONDAY, hhmm(at), ZONE) for at in plan["time_off"])
            await seed.time_off(provider, start, end)
        if provider in providers:
            for start in expected_starts({**plan, **shared}):
                expected.setdefault(start, []).append(provider)

    merged = await sql.call(
        None, "select api.org_slots($1, $2, $3, $4)", org, service, str(MONDAY), str(MONDAY)
    )
    assert (merged["org_id"], merged["service_id"], merged["timezone"]) == (org, service, ZONE)
    assert [slot["start"] for slot in merged["slots"]] == sorted(expected)
    # Providers in the order they were added, as "any" breaks ties.
    assert {slot["start"]: slot["provider_ids"] for slot in merged["slots"]} == expected
    for slot in merged["slots"]:
        end = datetime.fromisoformat(slot["start"]) + timedelta(minutes=shared["duration"])
        assert datetime.fromisoformat(slot["end"]) == end


async def test_org_wide_slots_answer_not_found_and_not_offered_like_a_providers(
    seed: Seed, sql: Sql
):
    org, _, service = await shop(seed)
    other_org = await seed.org(timezone=ZONE)
    for args, code in (
        ((other_org, service), "not_found"),  # the service is another organization's
        ((str(uuid.uuid4()), service), "not_found"),
    ):
        with pytest.raises(SqlError) as refused:
            await sql.call(None, "select api.org_slots($1, $2)", *args)
        assert refused.value.code == code
    await seed.conn.execute("update app.services set active = false where id = $1", service)
    with pytest.raises(SqlError) as hidden:
        await sql.call(None, "select api.org_slots($1, $2)", org, service)
    assert hidden.value.code == "not_found", "an inactive service is invisible to visitors"
