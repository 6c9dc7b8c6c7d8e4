"""A provider's weekly working hours, date overrides and time off over HTTP: who may read and
change them, how they are validated, and that every change shows in the offered slots.

Dates are a few days after the real today (the clock is not pinned: access tokens use real
time), and every weekday gets the same hours, so the day chosen never matters.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

pytestmark = pytest.mark.anyio

API = "/api/v1"
ZONE = "Europe/Copenhagen"
WINDOW_KEYS = {"weekday", "start", "end", "valid_from", "valid_until"}
TIME_OFF_KEYS = {"id", "provider_id", "starts_at", "ends_at", "reason"}
ALL_DAY_SLOTS = ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]


# ---------------------------------------------------------------------------------------------
# Every answer: no 5xx, and every error a problem document


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text


def who(account: Any) -> dict[str, str]:
    return account.headers if account is not None else {}


def at(day: date, hhmm: str, zone: str = ZONE) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def every_day(start: str = "09:00", end: str = "17:00") -> list[dict[str, Any]]:
    return [{"weekday": d, "start": start, "end": end} for d in range(1, 8)]


# ---------------------------------------------------------------------------------------------
# A salon with one provider (Mette, who has a login) offering a one-hour service


@dataclass
class Salon:
    org_id: str
    owner: Any
    admin: Any
    staff: Any
    stylist: Any
    colleague: Any  # another provider of the same salon
    outsider: Any
    provider: dict[str, Any]
    service: dict[str, Any]
    day: date  # a few days ahead, in the provider's zone

    @property
    def hours_url(self) -> str:
        return f"{API}/providers/{self.provider['id']}/working-hours"

    def override_url(self, day: date) -> str:
        return f"{API}/providers/{self.provider['id']}/overrides/{day.isoformat()}"

    @property
    def time_off_url(self) -> str:
        return f"{API}/providers/{self.provider['id']}/time-off"


async def post_created(client: httpx.AsyncClient, url: str, by: Any, **body: Any) -> dict:
    response = await client.post(url, json=body, headers=who(by))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, add_member: Any) -> Salon:
    owner, admin, staff = [await make_account(h) for h in ("owner", "admin", "staff")]
    stylist, colleague = await make_account("mette"), await make_account("jonas")
    outsider = await make_account("outsider")
    org = await post_created(client, f"{API}/orgs", owner, slug="salon-hours", name="Salon")
    for account, role in (
        (admin, "admin"),
        (staff, "staff"),
        (stylist, "provider"),
        (colleague, "provider"),
    ):
        await add_member(org["id"], owner, account, role)
    providers = f"{API}/orgs/{org['id']}/providers"
    provider = await post_created(
        client, providers, owner, display_name="Mette", user_id=stylist.id
    )
    await post_created(client, providers, owner, display_name="Jonas", user_id=colleague.id)
    service = await post_created(
        client,
        f"{API}/orgs/{org['id']}/services",
        owner,
        name="Klipning",
        duration_minutes=60,
        price_minor=45000,
        provider_ids=[provider["id"]],
    )
    assert service["min_notice_minutes"] == 0 and service["slot_interval_minutes"] == 60
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=4)
    return Salon(
        org["id"], owner, admin, staff, stylist, colleague, outsider, provider, service, day
    )


async def put_hours(
    client: httpx.AsyncClient,
    salon: Salon,
    windows: list[dict[str, Any]],
    by: Any = None,
    **kw: Any,
) -> httpx.Response:
    return await client.put(
        salon.hours_url, json={"windows": windows, **kw}, headers=who(by or salon.owner)
    )


@pytest.fixture
async def open_daily(client: httpx.AsyncClient, salon: Salon) -> Salon:
    """Mette works 09:00-17:00 every day of the week."""
    response = await put_hours(client, salon, every_day())
    assert response.status_code == 200, response.text
    return salon


async def slots(client: httpx.AsyncClient, salon: Salon, day: date | None = None) -> list[str]:
    """Local HH:MM starts offered on one day, read as a visitor; checks every slot's shape."""
    day = day or salon.day
    response = await client.get(
        f"{API}/providers/{salon.provider['id']}/slots",
        params={"service_id": salon.service["id"], "from": day.isoformat(), "to": day.isoformat()},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provider_id"] == salon.provider["id"]
    assert body["service_id"] == salon.service["id"]
    zone = ZoneInfo(body["timezone"])
    times = []
    for slot in body["slots"]:
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert start.utcoffset() == start.astimezone(zone).utcoffset(), slot
        assert end - start == timedelta(minutes=60)
        assert start.astimezone(zone).date() == day
        times.append(start.astimezone(zone).strftime("%H:%M"))
    return times


# ---------------------------------------------------------------------------------------------
# Weekly working hours


async def test_working_hours_replace_the_whole_set(client: httpx.AsyncClient, salon: Salon):
    windows = [
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "13:00", "end": "17:00"},
        {"weekday": 3, "start": "10:00", "end": "18:30", "valid_from": "2030-01-01"},
    ]
    response = await put_hours(client, salon, windows)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provider_id"] == salon.provider["id"]
    assert body["timezone"] == ZONE
    assert all(set(w) == WINDOW_KEYS for w in body["windows"])
    assert body["windows"] == [
        {"weekday": 1, "start": "09:00", "end": "12:00", "valid_from": None, "valid_until": None},
        {"weekday": 1, "start": "13:00", "end": "17:00", "valid_from": None, "valid_until": None},
        {
            "weekday": 3,
            "start": "10:00",
            "end": "18:30",
            "valid_from": "2030-01-01",
            "valid_until": None,
        },
    ]
    # Anyone reads them.
    read = await client.get(salon.hours_url)
    assert read.status_code == 200, read.text
    assert read.json() == body

    replaced = await put_hours(client, salon, [{"weekday": 7, "start": "08:00", "end": "12:00"}])
    assert replaced.status_code == 200, replaced.text
    assert [(w["weekday"], w["start"]) for w in replaced.json()["windows"]] == [(7, "08:00")]
    assert (await client.get(salon.hours_url)).json() == replaced.json()

    cleared = await put_hours(client, salon, [])
    assert cleared.status_code == 200, cleared.text
    assert (await client.get(salon.hours_url)).json()["windows"] == []


async def test_windows_of_one_weekday_may_overlap_only_in_disjoint_validity(
    client: httpx.AsyncClient, salon: Salon
):
    windows = [
        {"weekday": 2, "start": "09:00", "end": "17:00", "valid_until": "2030-06-30"},
        {"weekday": 2, "start": "10:00", "end": "14:00", "valid_from": "2030-07-01"},
    ]
    response = await put_hours(client, salon, windows)
    assert response.status_code == 200, response.text
    assert [w["valid_until"] for w in response.json()["windows"]] == ["2030-06-30", None]


@pytest.mark.parametrize(
    "windows",
    [
        [
            {"weekday": 1, "start": "09:00", "end": "12:00"},
            {"weekday": 1, "start": "11:00", "end": "15:00"},
        ],
        [
            {"weekday": 4, "start": "09:00", "end": "17:00"},
            {"weekday": 4, "start": "10:00", "end": "11:00"},
        ],
        [
            {"weekday": 5, "start": "09:00", "end": "12:00"},
            {"weekday": 5, "start": "09:00", "end": "12:00"},
        ],
    ],
    ids=["partly", "nested", "identical"],
)
async def test_overlapping_windows_are_refused(
    client: httpx.AsyncClient, open_daily: Salon, windows: list[dict[str, Any]]
):
    before = (await client.get(open_daily.hours_url)).json()
    response = await put_hours(client, open_daily, windows)
    assert_problem(response, 422, "validation_failed")
    assert "overlap" in response.json()["detail"]
    assert (await client.get(open_daily.hours_url)).json() == before, "a refused PUT changed hours"


@pytest.mark.parametrize(
    "window",
    [
        {"weekday": 1, "start": "17:00", "end": "09:00"},
        {"weekday": 1, "start": "09:00", "end": "09:00"},
        {"weekday": 8, "start": "09:00", "end": "17:00"},
        {"weekday": 0, "start": "09:00", "end": "17:00"},
        {"weekday": "1", "start": "09:00", "end": "17:00"},
        {"start": "09:00", "end": "17:00"},
        {"weekday": 1, "start": "9:00", "end": "17:00"},
        {"weekday": 1, "start": "09:00", "end": "25:00"},
        {"weekday": 1, "start": "24:00", "end": "24:00"},
        {"weekday": 1, "start": "09:00"},
        {"weekday": 1, "start": "09:00", "end": "17:00", "valid_from": "2030-02-30"},
        {"weekday": 1, "start": "09:00", "end": "17:00", "valid_from": "01/02/2030"},
        {
            "weekday": 1,
            "start": "09:00",
            "end": "17:00",
            "valid_from": "2030-02-01",
            "valid_until": "2030-01-31",
        },
    ],
    ids=[
        "end-before-start",
        "empty",
        "weekday-8",
        "weekday-0",
        "weekday-as-text",
        "no-weekday",
        "one-digit-hour",
        "hour-25",
        "start-at-24",
        "no-end",
        "no-such-date",
        "not-iso-date",
        "until-before-from",
    ],
)
async def test_a_malformed_window_is_refused(
    client: httpx.AsyncClient, open_daily: Salon, window: dict[str, Any]
):
    before = (await client.get(open_daily.hours_url)).json()
    good = {"weekday": 7, "start": "09:00", "end": "17:00"}
    response = await put_hours(client, open_daily, [good, window])
    assert_problem(response, 422, "validation_failed")
    assert (await client.get(open_daily.hours_url)).json() == before


async def test_unknown_fields_in_working_hours_are_refused(client: httpx.AsyncClient, salon: Salon):
    window = {"weekday": 1, "start": "09:00", "end": "17:00", "lunch": "12:00"}
    assert_problem(await put_hours(client, salon, [window]), 422, "unknown_field")
    assert_problem(await put_hours(client, salon, [], colour="red"), 422, "unknown_field")
    for windows in (None, {"weekday": 1}, ["09:00-17:00"]):
        response = await client.put(
            salon.hours_url, json={"windows": windows}, headers=salon.owner.headers
        )
        assert_problem(response, 422, "validation_failed")


async def test_a_window_may_end_at_midnight(client: httpx.AsyncClient, salon: Salon):
    windows = [{"weekday": d, "start": "20:00", "end": "24:00"} for d in range(1, 8)]
    response = await put_hours(client, salon, windows)
    assert response.status_code == 200, response.text
    assert {(w["start"], w["end"]) for w in response.json()["windows"]} == {("20:00", "24:00")}
    assert await slots(client, salon) == ["20:00", "21:00", "22:00", "23:00"]


async def test_setting_working_hours_can_change_the_providers_zone(
    client: httpx.AsyncClient, salon: Salon
):
    response = await put_hours(client, salon, every_day(), timezone="Europe/London")
    assert response.status_code == 200, response.text
    assert response.json()["timezone"] == "Europe/London"
    assert (await client.get(salon.hours_url)).json()["timezone"] == "Europe/London"
    provider = (await client.get(f"{API}/providers/{salon.provider['id']}")).json()
    assert provider["timezone"] == "Europe/London"

    # The same wall-clock hours, now read in London.
    london_day = datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=4)
    read = await client.get(
        f"{API}/providers/{salon.provider['id']}/slots",
        params={"service_id": salon.service["id"], "from": str(london_day), "to": str(london_day)},
    )
    assert read.status_code == 200, read.text
    assert read.json()["timezone"] == "Europe/London"
    first = datetime.fromisoformat(read.json()["slots"][0]["start"])
    assert first == at(london_day, "09:00", "Europe/London")
    assert first.utcoffset() == at(london_day, "09:00", "Europe/London").utcoffset()

    assert_problem(
        await put_hours(client, salon, [], timezone="Atlantis/Capital"), 422, "validation_failed"
    )
    back = await put_hours(client, salon, every_day(), timezone="")
    assert back.status_code == 200, back.text
    assert back.json()["timezone"] == ZONE


async def test_owners_admins_and_the_provider_set_working_hours(
    client: httpx.AsyncClient, salon: Salon
):
    for account, start in (
        (salon.owner, "08:00"),
        (salon.admin, "09:00"),
        (salon.stylist, "10:00"),
    ):
        response = await put_hours(
            client, salon, [{"weekday": 1, "start": start, "end": "12:00"}], by=account
        )
        assert response.status_code == 200, response.text
        assert response.json()["windows"][0]["start"] == start
    # The provider themself may set their own zone too.
    zone = await put_hours(client, salon, [], by=salon.stylist, timezone="Europe/Oslo")
    assert zone.status_code == 200, zone.text
    assert zone.json()["timezone"] == "Europe/Oslo"


@pytest.mark.parametrize("role", ["staff", "colleague", "outsider"])
async def test_others_may_not_set_working_hours(
    client: httpx.AsyncClient, open_daily: Salon, role: str
):
    before = (await client.get(open_daily.hours_url)).json()
    response = await put_hours(client, open_daily, [], by=getattr(open_daily, role))
    assert_problem(response, 403, "forbidden")
    assert (await client.get(open_daily.hours_url)).json() == before


async def test_anonymous_callers_read_but_do_not_set_working_hours(
    client: httpx.AsyncClient, open_daily: Salon
):
    response = await client.put(open_daily.hours_url, json={"windows": []})
    assert_problem(response, 401, "unauthorized")
    read = await client.get(open_daily.hours_url)
    assert read.status_code == 200, read.text
    assert len(read.json()["windows"]) == 7


async def test_working_hours_of_an_unknown_or_hidden_provider_are_not_found(
    client: httpx.AsyncClient, salon: Salon
):
    unknown = f"{API}/providers/{uuid.uuid4()}/working-hours"
    assert_problem(await client.get(unknown), 404, "not_found")
    assert_problem(
        await client.put(unknown, json={"windows": []}, headers=salon.owner.headers),
        404,
        "not_found",
    )
    deactivated = await client.patch(
        f"{API}/providers/{salon.provider['id']}",
        json={"active": False},
        headers=salon.owner.headers,
    )
    assert deactivated.status_code == 200, deactivated.text
    assert_problem(await client.get(salon.hours_url), 404, "not_found")
    assert_problem(
        await client.get(salon.hours_url, headers=salon.outsider.headers), 404, "not_found"
    )
    assert (await client.get(salon.hours_url, headers=salon.staff.headers)).status_code == 200


async def test_working_hours_decide_the_slots(client: httpx.AsyncClient, salon: Salon):
    assert await slots(client, salon) == [], "no hours, no slots"
    response = await put_hours(client, salon, every_day())
    assert response.status_code == 200, response.text
    assert await slots(client, salon) == ALL_DAY_SLOTS

    weekday = salon.day.isoweekday()
    split = [
        {"weekday": weekday, "start": "09:00", "end": "12:00"},
        {"weekday": weekday, "start": "13:00", "end": "15:30"},
    ]
    response = await put_hours(client, salon, split)
    assert response.status_code == 200, response.text
    assert await slots(client, salon) == ["09:00", "10:00", "11:00", "13:00", "14:00"]
    assert await slots(client, salon, salon.day + timedelta(days=1)) == []

    # A window that ended the day before no longer counts.
    expired = [{**w, "valid_until": str(salon.day - timedelta(days=1))} for w in split]
    response = await put_hours(client, salon, expired)
    assert response.status_code == 200, response.text
    assert await slots(client, salon) == []


# ---------------------------------------------------------------------------------------------
# Date overrides


async def test_an_override_replaces_a_days_hours(client: httpx.AsyncClient, open_daily: Salon):
    salon = open_daily
    response = await client.put(
        salon.override_url(salon.day),
        json={"windows": [{"start": "14:00", "end": "16:00"}, {"start": "10:00", "end": "12:00"}]},
        headers=salon.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "provider_id": salon.provider["id"],
        "date": salon.day.isoformat(),
        "windows": [{"start": "10:00", "end": "12:00"}, {"start": "14:00", "end": "16:00"}],
    }
    assert await slots(client, salon) == ["10:00", "11:00", "14:00", "15:00"]
    # Only that date.
    assert await slots(client, salon, salon.day + timedelta(days=1)) == ALL_DAY_SLOTS

    listed = await client.get(f"{API}/providers/{salon.provider['id']}/overrides")
    assert listed.status_code == 200, listed.text
    assert listed.json() == {
        "items": [
            {
                "date": salon.day.isoformat(),
                "windows": [{"start": "10:00", "end": "12:00"}, {"start": "14:00", "end": "16:00"}],
            }
        ],
        "next_cursor": None,
    }


async def test_an_empty_override_closes_the_day(client: httpx.AsyncClient, open_daily: Salon):
    salon = open_daily
    response = await client.put(
        salon.override_url(salon.day), json={"windows": []}, headers=salon.stylist.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["windows"] == []
    assert await slots(client, salon) == []
    listed = (await client.get(f"{API}/providers/{salon.provider['id']}/overrides")).json()
    assert listed["items"] == [{"date": salon.day.isoformat(), "windows": []}]


async def test_deleting_an_override_restores_the_weekly_hours(
    client: httpx.AsyncClient, open_daily: Salon
):
    salon = open_daily
    url = salon.override_url(salon.day)
    closed = await client.put(url, json={"windows": []}, headers=salon.staff.headers)
    assert closed.status_code == 200, closed.text
    assert await slots(client, salon) == []

    deleted = await client.delete(url, headers=salon.staff.headers)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert await slots(client, salon) == ALL_DAY_SLOTS
    assert (await client.get(f"{API}/providers/{salon.provider['id']}/overrides")).json()[
        "items"
    ] == []
    # Deleting again is harmless.
    assert (await client.delete(url, headers=salon.staff.headers)).status_code == 204


async def test_an_override_may_open_a_day_off_until_midnight(
    client: httpx.AsyncClient, salon: Salon
):
    response = await client.put(
        salon.override_url(salon.day),
        json={"windows": [{"start": "21:00", "end": "24:00"}]},
        headers=salon.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["windows"] == [{"start": "21:00", "end": "24:00"}]
    assert await slots(client, salon) == ["21:00", "22:00", "23:00"]


async def test_overrides_are_listed_by_date_within_from_and_to(
    client: httpx.AsyncClient, salon: Salon
):
    days = [salon.day + timedelta(days=n) for n in (0, 2, 5)]
    for day in reversed(days):
        response = await client.put(
            salon.override_url(day), json={"windows": []}, headers=salon.owner.headers
        )
        assert response.status_code == 200, response.text
    url = f"{API}/providers/{salon.provider['id']}/overrides"
    everything = (await client.get(url)).json()["items"]
    assert [item["date"] for item in everything] == [d.isoformat() for d in days]
    window = await client.get(url, params={"from": str(days[1]), "to": str(days[2])})
    assert window.status_code == 200, window.text
    assert [item["date"] for item in window.json()["items"]] == [str(days[1]), str(days[2])]
    inverted = await client.get(url, params={"from": str(days[2]), "to": str(days[0])})
    assert_problem(inverted, 422, "validation_failed")
    assert_problem(await client.get(url, params={"from": "soon"}), 422, "validation_failed")


@pytest.mark.parametrize(
    "windows",
    [
        [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
        [{"start": "12:00", "end": "09:00"}],
        [{"start": "09:00", "end": "09:00"}],
        [{"start": "09:00", "end": "24:30"}],
        [{"start": "09:00"}],
        "closed",
        None,
    ],
    ids=["overlap", "end-before-start", "empty", "after-midnight", "no-end", "text", "null"],
)
async def test_a_malformed_override_is_refused(
    client: httpx.AsyncClient, open_daily: Salon, windows: Any
):
    response = await client.put(
        open_daily.override_url(open_daily.day),
        json={"windows": windows},
        headers=open_daily.owner.headers,
    )
    assert_problem(response, 422, "validation_failed")
    assert await slots(client, open_daily) == ALL_DAY_SLOTS


async def test_an_override_with_an_unknown_field_or_a_bad_date_is_refused(
    client: httpx.AsyncClient, salon: Salon
):
    headers = salon.owner.headers
    extra = await client.put(
        salon.override_url(salon.day),
        json={"windows": [{"start": "09:00", "end": "12:00", "note": "x"}]},
        headers=headers,
    )
    assert_problem(extra, 422, "unknown_field")
    bad_date = await client.put(
        f"{API}/providers/{salon.provider['id']}/overrides/2030-02-30",
        json={"windows": []},
        headers=headers,
    )
    assert_problem(bad_date, 422, "validation_failed")


@pytest.mark.parametrize("role", ["owner", "admin", "staff", "stylist"])
async def test_owners_admins_staff_and_the_provider_write_overrides(
    client: httpx.AsyncClient, open_daily: Salon, role: str
):
    account = getattr(open_daily, role)
    url = open_daily.override_url(open_daily.day)
    response = await client.put(url, json={"windows": []}, headers=account.headers)
    assert response.status_code == 200, response.text
    assert (await client.delete(url, headers=account.headers)).status_code == 204


@pytest.mark.parametrize("role", ["colleague", "outsider"])
async def test_others_may_not_write_overrides(
    client: httpx.AsyncClient, open_daily: Salon, role: str
):
    url = open_daily.override_url(open_daily.day)
    headers = getattr(open_daily, role).headers
    assert_problem(await client.put(url, json={"windows": []}, headers=headers), 403, "forbidden")
    assert_problem(await client.delete(url, headers=headers), 403, "forbidden")
    assert_problem(await client.put(url, json={"windows": []}), 401, "unauthorized")
    assert_problem(await client.delete(url), 401, "unauthorized")
    assert await slots(client, open_daily) == ALL_DAY_SLOTS


# ---------------------------------------------------------------------------------------------
# Time off


async def add_time_off(
    client: httpx.AsyncClient,
    salon: Salon,
    start: datetime,
    end: datetime,
    by: Any = None,
    **kw: Any,
) -> httpx.Response:
    body = {"starts_at": start.isoformat(), "ends_at": end.isoformat(), **kw}
    return await client.post(salon.time_off_url, json=body, headers=who(by or salon.owner))


async def test_time_off_is_created_with_instants_in_the_providers_zone(
    client: httpx.AsyncClient, salon: Salon
):
    start, end = at(salon.day, "12:30"), at(salon.day, "13:30")
    # Sent in UTC; answered with the provider's offset on that date.
    response = await client.post(
        salon.time_off_url,
        json={
            "starts_at": start.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
            "ends_at": end.astimezone(ZoneInfo("UTC")).isoformat(),
            "reason": "Tandlæge",
        },
        headers=salon.owner.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == TIME_OFF_KEYS
    uuid.UUID(body["id"])
    assert body["provider_id"] == salon.provider["id"]
    assert body["reason"] == "Tandlæge"
    assert body["starts_at"] == start.isoformat()
    assert body["ends_at"] == end.isoformat()
    for key, expected in (("starts_at", start), ("ends_at", end)):
        parsed = datetime.fromisoformat(body[key])
        assert parsed == expected and parsed.utcoffset() == expected.utcoffset()

    without_reason = await add_time_off(
        client, salon, at(salon.day, "15:00"), at(salon.day, "16:00")
    )
    assert without_reason.status_code == 201, without_reason.text
    assert without_reason.json()["reason"] is None


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("2030-01-07T10:00:00", "2030-01-07T12:00:00+01:00"),
        ("2030-01-07T10:00:00+01:00", "2030-01-07T12:00:00"),
        ("2030-01-07 10:00", "2030-01-07 12:00"),
        ("tomorrow", "2030-01-07T12:00:00+01:00"),
        ("2030-01-07", "2030-01-08"),
        ("2030-02-30T10:00:00+01:00", "2030-03-01T10:00:00+01:00"),
    ],
    ids=["start-no-offset", "end-no-offset", "both-no-offset", "words", "dates", "no-such-day"],
)
async def test_time_off_needs_instants_with_an_offset(
    client: httpx.AsyncClient, salon: Salon, starts_at: str, ends_at: str
):
    response = await client.post(
        salon.time_off_url,
        json={"starts_at": starts_at, "ends_at": ends_at},
        headers=salon.owner.headers,
    )
    assert_problem(response, 422, "invalid_time")


async def test_time_off_must_end_after_it_starts(client: httpx.AsyncClient, salon: Salon):
    start = at(salon.day, "12:00")
    for end in (start - timedelta(hours=1), start):
        assert_problem(await add_time_off(client, salon, start, end), 422, "validation_failed")
    long_reason = await add_time_off(
        client, salon, start, start + timedelta(hours=1), reason="x" * 1001
    )
    assert_problem(long_reason, 422, "validation_failed")
    extra = await client.post(
        salon.time_off_url,
        json={"starts_at": start.isoformat(), "ends_at": start.isoformat(), "all_day": True},
        headers=salon.owner.headers,
    )
    assert_problem(extra, 422, "unknown_field")


@pytest.mark.parametrize("role", ["owner", "admin", "staff", "stylist"])
async def test_owners_admins_staff_and_the_provider_add_time_off(
    client: httpx.AsyncClient, salon: Salon, role: str
):
    response = await add_time_off(
        client, salon, at(salon.day, "09:00"), at(salon.day, "10:00"), by=getattr(salon, role)
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("role", ["colleague", "outsider"])
async def test_others_may_not_add_time_off(client: httpx.AsyncClient, salon: Salon, role: str):
    start, end = at(salon.day, "09:00"), at(salon.day, "10:00")
    response = await add_time_off(client, salon, start, end, by=getattr(salon, role))
    assert_problem(response, 403, "forbidden")
    anon = await client.post(
        salon.time_off_url, json={"starts_at": start.isoformat(), "ends_at": end.isoformat()}
    )
    assert_problem(anon, 401, "unauthorized")
    unknown = await client.post(
        f"{API}/providers/{uuid.uuid4()}/time-off",
        json={"starts_at": start.isoformat(), "ends_at": end.isoformat()},
        headers=salon.owner.headers,
    )
    assert_problem(unknown, 404, "not_found")


async def test_members_list_time_off_within_a_range(client: httpx.AsyncClient, salon: Salon):
    later = salon.day + timedelta(days=3)
    first = (
        await add_time_off(
            client, salon, at(salon.day, "12:00"), at(salon.day, "13:00"), reason="Frokost"
        )
    ).json()
    second = (await add_time_off(client, salon, at(later, "08:00"), at(later, "18:00"))).json()

    for account in (salon.owner, salon.admin, salon.staff, salon.stylist, salon.colleague):
        response = await client.get(salon.time_off_url, headers=account.headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [first, second], "next_cursor": None}

    only_first = await client.get(
        salon.time_off_url,
        params={"from": str(salon.day), "to": str(salon.day)},
        headers=salon.staff.headers,
    )
    assert only_first.status_code == 200, only_first.text
    assert only_first.json()["items"] == [first]
    by_instant = await client.get(
        salon.time_off_url,
        params={"from": at(later, "17:00").isoformat()},
        headers=salon.staff.headers,
    )
    assert by_instant.json()["items"] == [second]
    paged = await client.get(salon.time_off_url, params={"limit": 1}, headers=salon.owner.headers)
    assert paged.json()["items"] == [first] and paged.json()["next_cursor"]
    rest = await client.get(
        salon.time_off_url,
        params={"limit": 1, "cursor": paged.json()["next_cursor"]},
        headers=salon.owner.headers,
    )
    assert rest.json() == {"items": [second], "next_cursor": None}

    bad_bound = await client.get(
        salon.time_off_url, params={"from": "2030-01-01T10:00"}, headers=salon.owner.headers
    )
    assert_problem(bad_bound, 422, "invalid_time")


async def test_time_off_is_not_listed_to_visitors_or_outsiders(
    client: httpx.AsyncClient, salon: Salon
):
    created = await add_time_off(client, salon, at(salon.day, "12:00"), at(salon.day, "13:00"))
    assert created.status_code == 201, created.text
    assert_problem(await client.get(salon.time_off_url), 401, "unauthorized")
    assert_problem(
        await client.get(salon.time_off_url, headers=salon.outsider.headers), 403, "forbidden"
    )


async def test_deleting_time_off_removes_it(client: httpx.AsyncClient, salon: Salon):
    created = await add_time_off(client, salon, at(salon.day, "12:00"), at(salon.day, "13:00"))
    url = f"{API}/time-off/{created.json()['id']}"
    response = await client.delete(url, headers=salon.staff.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert (await client.get(salon.time_off_url, headers=salon.owner.headers)).json()["items"] == []
    assert_problem(await client.delete(url, headers=salon.staff.headers), 404, "not_found")


async def test_the_provider_deletes_their_own_time_off(client: httpx.AsyncClient, salon: Salon):
    created = await add_time_off(
        client, salon, at(salon.day, "12:00"), at(salon.day, "13:00"), by=salon.stylist
    )
    response = await client.delete(
        f"{API}/time-off/{created.json()['id']}", headers=salon.stylist.headers
    )
    assert response.status_code == 204, response.text


async def test_who_may_not_delete_time_off_is_told_by_what_they_can_see(
    client: httpx.AsyncClient, salon: Salon
):
    created = await add_time_off(client, salon, at(salon.day, "12:00"), at(salon.day, "13:00"))
    url = f"{API}/time-off/{created.json()['id']}"
    # An outsider cannot see another org's time off at all: 404, as for an id that never existed.
    assert_problem(await client.delete(url, headers=salon.outsider.headers), 404, "not_found")
    assert_problem(
        await client.delete(f"{API}/time-off/{uuid.uuid4()}", headers=salon.owner.headers),
        404,
        "not_found",
    )
    # Another provider of the salon can read it (a member) but may not remove it: 403.
    assert_problem(await client.delete(url, headers=salon.colleague.headers), 403, "forbidden")
    assert_problem(await client.delete(url), 401, "unauthorized")
    listed = await client.get(salon.time_off_url, headers=salon.owner.headers)
    assert [t["id"] for t in listed.json()["items"]] == [created.json()["id"]]


async def test_time_off_removes_the_slots_it_touches(client: httpx.AsyncClient, open_daily: Salon):
    salon = open_daily
    created = await add_time_off(
        client, salon, at(salon.day, "12:30"), at(salon.day, "13:30"), reason="Privat"
    )
    assert created.status_code == 201, created.text
    assert await slots(client, salon) == ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]
    # Visitors see busy time, never its reason.
    read = await client.get(
        f"{API}/providers/{salon.provider['id']}/slots", params={"service_id": salon.service["id"]}
    )
    assert "Privat" not in read.text

    deleted = await client.delete(
        f"{API}/time-off/{created.json()['id']}", headers=salon.owner.headers
    )
    assert deleted.status_code == 204, deleted.text
    assert await slots(client, salon) == ALL_DAY_SLOTS


async def test_time_off_across_days_empties_them(client: httpx.AsyncClient, open_daily: Salon):
    salon = open_daily
    next_day = salon.day + timedelta(days=1)
    created = await add_time_off(client, salon, at(salon.day, "15:00"), at(next_day, "11:00"))
    assert created.status_code == 201, created.text
    assert await slots(client, salon) == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00"]
    assert await slots(client, salon, next_day) == [
        "11:00",
        "12:00",
        "13:00",
        "14:00",
        "15:00",
        "16:00",
    ]
