"""Search over HTTP: GET /search across organizations and GET /orgs/{id}/services?q= in one.

Danish stemming with accents folded ("klip" finds "Klipning", "frisor" finds "Frisør"), typo
tolerance by trigrams, an English organization's stemming, ranking, what is never searchable
(inactive services and providers for non-members, booking notes, time-off reasons), keyset
pages, validation, and re-indexing when an organization changes its search_language.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

pytestmark = pytest.mark.anyio

API = "/api/v1"
SERVICE_HIT = {"kind", "id", "org_id", "org_slug", "org_name", "name", "description", "rank"}
PROVIDER_HIT = {"kind", "id", "org_id", "org_slug", "org_name", "name", "bio", "rank"}


def who(account: Any) -> dict[str, str]:
    return account.headers if account is not None else {}


@pytest.fixture(autouse=True)
async def no_server_errors(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """Fails the test on any 5xx and on an error that is not a problem document."""
    bad: list[str] = []

    async def inspect(response: httpx.Response) -> None:
        await response.aread()
        where = f"{response.request.method} {response.request.url}"
        if response.status_code >= 500:
            bad.append(f"{where} -> {response.status_code}: {response.text[:300]}")
        elif response.status_code >= 400 and not response.headers.get(
            "content-type", ""
        ).startswith("application/problem+json"):
            bad.append(f"{where} -> {response.status_code} without a problem document")

    client.event_hooks["response"].append(inspect)
    yield
    client.event_hooks["response"].remove(inspect)
    assert bad == []


async def created(client: httpx.AsyncClient, path: str, by: Any, **body: Any) -> dict[str, Any]:
    response = await client.post(f"{API}{path}", json=body, headers=who(by))
    assert response.status_code == 201, response.text
    return response.json()


async def patched(client: httpx.AsyncClient, path: str, by: Any, **body: Any) -> dict[str, Any]:
    response = await client.patch(f"{API}{path}", json=body, headers=who(by))
    assert response.status_code == 200, response.text
    return response.json()


async def service(
    client: httpx.AsyncClient, org: dict, by: Any, name: str, description: str = "", **fields: Any
) -> dict[str, Any]:
    return await created(
        client,
        f"/orgs/{org['id']}/services",
        by,
        name=name,
        description=description,
        duration_minutes=60,
        price_minor=45000,
        **fields,
    )


@dataclass
class Catalogue:
    """Three organizations and what they offer.

    Salon Nord (danish): Klipning, Farvning ("... efter klipning"), Frisørkonsultation, and
    Skægtrim (deactivated); providers Mette ("Frisør ...") and Jonas (deactivated, "skægtrim").
    Studio Syd (danish): Massage, and Ryg whose description mentions massage.
    NYC Barbers (english): Haircut ("Cuts and styling"), provider Sam ("Styled hair ...").
    Olga owns all three; Otto is a member of none.
    """

    olga: Any
    otto: Any
    nord: dict[str, Any]
    syd: dict[str, Any]
    nyc: dict[str, Any]
    services: dict[str, dict[str, Any]]
    providers: dict[str, dict[str, Any]]


@pytest.fixture
async def catalogue(client: httpx.AsyncClient, make_account: Any) -> Catalogue:
    olga, otto = await make_account("olga"), await make_account("otto")
    nord = await created(client, "/orgs", olga, slug="salon-nord", name="Salon Nord")
    syd = await created(client, "/orgs", olga, slug="studio-syd", name="Studio Syd")
    nyc = await created(
        client,
        "/orgs",
        olga,
        slug="nyc-barbers",
        name="NYC Barbers",
        search_language="english",
        timezone="America/New_York",
        currency="USD",
    )
    providers = {
        "Mette": await created(
            client,
            f"/orgs/{nord['id']}/providers",
            olga,
            display_name="Mette",
            bio="Frisør med speciale i krøller.",
        ),
        "Jonas": await created(
            client,
            f"/orgs/{nord['id']}/providers",
            olga,
            display_name="Jonas",
            bio="Barber, skægtrim og hemmelige fletninger.",
        ),
        "Sam": await created(
            client,
            f"/orgs/{nyc['id']}/providers",
            olga,
            display_name="Sam",
            bio="Styled hair since 1999.",
        ),
    }
    await patched(client, f"/providers/{providers['Jonas']['id']}", olga, active=False)
    mette = [providers["Mette"]["id"]]
    services = {
        "Klipning": await service(
            client, nord, olga, "Klipning", "Vask, klip og føn.", provider_ids=mette
        ),
        "Farvning": await service(client, nord, olga, "Farvning", "Hel farve efter klipning."),
        "Frisørkonsultation": await service(
            client, nord, olga, "Frisørkonsultation", "Vi finder den rigtige frisure sammen."
        ),
        "Skægtrim": await service(client, nord, olga, "Skægtrim", "Trim og konturer."),
        "Massage": await service(client, syd, olga, "Massage", "Afslappende behandling."),
        "Ryg": await service(client, syd, olga, "Ryg", "Massage af ryg og nakke."),
        "Haircut": await service(client, nyc, olga, "Haircut", "Cuts and styling."),
    }
    deleted = await client.delete(
        f"{API}/services/{services['Skægtrim']['id']}", headers=olga.headers
    )
    assert deleted.status_code == 204, deleted.text
    return Catalogue(olga, otto, nord, syd, nyc, services, providers)


async def search(
    client: httpx.AsyncClient, q: str, account: Any = None, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/search", params={"q": q, **params}, headers=who(account))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "next_cursor"}
    return list(body["items"])


async def org_search(
    client: httpx.AsyncClient, org: dict, q: str, account: Any = None, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{API}/orgs/{org['id']}/services", params={"q": q, **params}, headers=who(account)
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


# ---------------------------------------------------------------------------------------------
# Danish: prefixes, stemming, accent folding


@pytest.mark.parametrize("q", ["klip", "Klip", "KLIPNING", "klipning", "  klip  "])
async def test_a_prefix_of_a_danish_word_finds_the_service(
    client: httpx.AsyncClient, catalogue: Catalogue, q: str
):
    items = await search(client, q)
    assert names(items)[0] == "Klipning"
    hit = items[0]
    assert set(hit) == SERVICE_HIT
    assert hit == {
        "kind": "service",
        "id": catalogue.services["Klipning"]["id"],
        "org_id": catalogue.nord["id"],
        "org_slug": "salon-nord",
        "org_name": "Salon Nord",
        "name": "Klipning",
        "description": "Vask, klip og føn.",
        "rank": hit["rank"],
    }
    in_org = await org_search(client, catalogue.nord, q)
    assert names(in_org)[0] == "Klipning"
    assert in_org[0] == catalogue.services["Klipning"]


@pytest.mark.parametrize("q", ["frisor", "frisør", "FRISØR", "Frisor"])
async def test_accents_fold_both_ways_so_frisor_finds_frisoer(
    client: httpx.AsyncClient, catalogue: Catalogue, q: str
):
    items = await search(client, q)
    found = {(item["kind"], item["name"]) for item in items}
    # The service by its name (a prefix of "frisørkonsultation"), Mette by her bio.
    assert found == {("service", "Frisørkonsultation"), ("provider", "Mette")}
    mette = next(item for item in items if item["kind"] == "provider")
    assert set(mette) == PROVIDER_HIT
    assert mette["bio"] == "Frisør med speciale i krøller."
    assert names(items)[0] == "Frisørkonsultation"  # a name match outranks a bio match
    assert names(await org_search(client, catalogue.nord, q)) == ["Frisørkonsultation"]


async def test_a_word_in_the_description_is_found_and_folded(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    for q in ("føn", "fon", "vask"):
        assert names(await search(client, q)) == ["Klipning"], q


@pytest.mark.parametrize(
    ("q", "expected"),
    [("klipnig", "Klipning"), ("klipnng", "Klipning"), ("frisr", "Frisørkonsultation")],
)
async def test_a_typo_in_a_name_still_finds_it(
    client: httpx.AsyncClient, catalogue: Catalogue, q: str, expected: str
):
    items = await search(client, q)
    assert names(items)[0] == expected
    assert names(await org_search(client, catalogue.nord, q))[0] == expected


async def test_typo_matches_rank_below_every_full_text_match(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    # "klipnng" matches no word, only the name "Klipning" by trigram similarity.
    [typo] = await search(client, "klipnng")
    assert 0 < typo["rank"] <= 1
    exact = await search(client, "klipning")
    assert all(item["rank"] >= 2 for item in exact)


async def test_nothing_alike_finds_nothing(client: httpx.AsyncClient, catalogue: Catalogue):
    assert await search(client, "xylofon") == []
    assert await search(client, "og") == []  # a stop word alone
    assert await search(client, "!!! ???") == []
    assert await org_search(client, catalogue.nord, "massage") == []


async def test_search_text_is_data_not_query_syntax(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    for q in ("klip:*", "'klip'", "klip\\", "(klip", "klip'", "<->klip", "klip!"):
        assert names(await search(client, q))[0] == "Klipning", q
    # Operators are words like any other: both must match, whatever & ! | say.
    for q in ("klip & !farve", "klip | farv"):
        assert names(await search(client, q)) == ["Farvning"], q


# ---------------------------------------------------------------------------------------------
# Languages


async def test_an_english_organization_stems_in_english(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    items = await search(client, "cutting")
    assert [(item["name"], item["org_slug"]) for item in items] == [("Haircut", "nyc-barbers")]
    assert names(await org_search(client, catalogue.nyc, "cutting")) == ["Haircut"]
    assert names(await org_search(client, catalogue.nyc, "style")) == ["Haircut"]
    # Danish rules would not have stemmed "cutting" to "cut".
    assert await org_search(client, catalogue.nord, "cutting") == []


async def test_changing_the_search_language_reindexes_services_and_providers(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    path = f"/orgs/{catalogue.nyc['id']}"
    assert names(await search(client, "cutting")) == ["Haircut"]
    assert names(await search(client, "styling")) == ["Haircut", "Sam"]

    await patched(client, path, catalogue.olga, search_language="danish")
    assert await search(client, "cutting") == []
    assert await org_search(client, catalogue.nyc, "cutting") == []
    # "styling" is now a word of its own: it finds the description that says it, not Sam's
    # "Styled".
    assert names(await search(client, "styling")) == ["Haircut"]

    await patched(client, path, catalogue.olga, search_language="english")
    assert names(await search(client, "cutting")) == ["Haircut"]
    assert names(await search(client, "styling")) == ["Haircut", "Sam"]


# ---------------------------------------------------------------------------------------------
# Ranking


async def test_a_name_match_ranks_above_a_description_match(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    items = await search(client, "massage")
    assert names(items) == ["Massage", "Ryg"]
    assert items[0]["rank"] >= 3 > items[1]["rank"] >= 2
    assert names(await org_search(client, catalogue.syd, "massage")) == ["Massage", "Ryg"]

    klip = await search(client, "klipning")
    assert names(klip) == ["Klipning", "Farvning"]  # Farvning mentions it in its description
    assert names(await org_search(client, catalogue.nord, "klipning")) == ["Klipning", "Farvning"]


async def test_every_word_must_match(client: httpx.AsyncClient, catalogue: Catalogue):
    assert names(await search(client, "massage nakke")) == ["Ryg"]
    assert names(await search(client, "klip vask")) == ["Klipning"]


# ---------------------------------------------------------------------------------------------
# What is never searchable


@pytest.mark.parametrize("q", ["skæg", "skaeg", "skægtrim", "jonas", "hemmelige", "fletninger"])
async def test_inactive_services_and_providers_are_not_found_by_the_public(
    client: httpx.AsyncClient, catalogue: Catalogue, q: str
):
    for account in (None, catalogue.otto, catalogue.olga):
        assert await search(client, q, account) == [], account
    for account in (None, catalogue.otto):
        assert await org_search(client, catalogue.nord, q, account) == [], account


async def test_members_find_inactive_services_in_their_organizations_list(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    for q in ("skæg", "skaeg", "skægtri", "skægtrm"):
        items = await org_search(client, catalogue.nord, q, catalogue.olga)
        assert [(s["name"], s["active"]) for s in items] == [("Skægtrim", False)], q


async def test_booking_notes_and_time_off_reasons_are_not_searchable(
    client: httpx.AsyncClient, make_account: Any, catalogue: Catalogue
):
    olga, mette = catalogue.olga, catalogue.providers["Mette"]
    hours = await client.put(
        f"{API}/providers/{mette['id']}/working-hours",
        json={"windows": [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(1, 8)]},
        headers=olga.headers,
    )
    assert hours.status_code == 200, hours.text
    zone = ZoneInfo("Europe/Copenhagen")
    day = datetime.now(zone).date() + timedelta(days=7)
    start = datetime.combine(day, time(10), zone)
    alma = await make_account("alma")
    booking = await created(
        client,
        "/bookings",
        alma,
        provider_id=mette["id"],
        service_id=catalogue.services["Klipning"]["id"],
        start=start.isoformat(),
        customer_note="Kundenote zebrafink",
    )
    noted = await patched(
        client, f"/bookings/{booking['id']}", olga, internal_note="Intern note pelikanfisk"
    )
    assert noted["internal_note"] == "Intern note pelikanfisk"
    await created(
        client,
        f"/providers/{mette['id']}/time-off",
        olga,
        starts_at=(start + timedelta(days=1)).isoformat(),
        ends_at=(start + timedelta(days=1, hours=2)).isoformat(),
        reason="Tandlæge flamingoblomst",
    )
    for q in ("pelikanfisk", "flamingoblomst", "zebrafink", "tandlæge", "intern note"):
        for account in (None, alma, olga):
            assert await search(client, q, account) == [], (q, account)
        assert await org_search(client, catalogue.nord, q, olga) == [], q


# ---------------------------------------------------------------------------------------------
# Pages and validation


async def test_pages_walk_every_result_once_in_rank_order(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    olga, org = catalogue.olga, catalogue.syd
    for i in range(7):
        await service(client, org, olga, f"Massage {i}", "Dyb massage.")
    await service(client, org, olga, "Masage special", "Stavet forkert.")  # a typo match
    everything = await search(client, "massage", limit=200)
    assert len(everything) == 10
    assert names(everything)[-1] == "Masage special"

    walked: list[dict[str, Any]] = []
    params: dict[str, Any] = {"q": "massage", "limit": 3}
    for _ in range(10):
        response = await client.get(f"{API}/search", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 3
        walked += page["items"]
        if page["next_cursor"] is None:
            break
        params = {**params, "cursor": page["next_cursor"]}
    assert walked == everything
    assert len({(item["kind"], item["id"]) for item in walked}) == len(walked)
    ranks = [item["rank"] for item in walked]
    assert ranks == sorted(ranks, reverse=True)

    listed: list[str] = []
    params = {"q": "massage", "limit": 4}
    for _ in range(10):
        page = (await client.get(f"{API}/orgs/{org['id']}/services", params=params)).json()
        listed += [s["id"] for s in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {**params, "cursor": page["next_cursor"]}
    assert listed == [item["id"] for item in everything]


def assert_invalid(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed", response.text


async def test_q_is_required_and_at_most_200_characters(
    client: httpx.AsyncClient, catalogue: Catalogue
):
    assert_invalid(await client.get(f"{API}/search"))
    for q in ("", "   ", "x" * 201):
        assert_invalid(await client.get(f"{API}/search", params={"q": q}))
    assert await search(client, "k" * 200) == []
    assert_invalid(
        await client.get(f"{API}/orgs/{catalogue.nord['id']}/services", params={"q": "x" * 201})
    )


async def test_a_bad_limit_or_cursor_is_refused(client: httpx.AsyncClient, catalogue: Catalogue):
    for params in ({"limit": 0}, {"limit": 201}, {"cursor": "bm90LWEtY3Vyc29y"}):
        assert_invalid(await client.get(f"{API}/search", params={"q": "klip", **params}))
        assert_invalid(
            await client.get(
                f"{API}/orgs/{catalogue.nord['id']}/services", params={"q": "klip", **params}
            )
        )
    # A cursor of the plain list is not a search cursor, and the other way round.
    page = (
        await client.get(f"{API}/orgs/{catalogue.nord['id']}/services", params={"limit": 1})
    ).json()
    assert_invalid(
        await client.get(
            f"{API}/orgs/{catalogue.nord['id']}/services",
            params={"q": "klip", "cursor": page["next_cursor"]},
        )
    )
    ranked = (await client.get(f"{API}/search", params={"q": "klip", "limit": 1})).json()
    assert_invalid(
        await client.get(
            f"{API}/orgs/{catalogue.nord['id']}/services",
            params={"limit": 1, "cursor": ranked["next_cursor"]},
        )
    )


async def test_search_is_reachable_as_an_rpc(client: httpx.AsyncClient, catalogue: Catalogue):
    response = await client.get(f"{API}/rpc/search", params={"q": "frisor"})
    assert response.status_code == 200, response.text
    assert {item["name"] for item in response.json()["items"]} == {"Frisørkonsultation", "Mette"}
