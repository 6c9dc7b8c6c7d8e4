"""Organizations, members, providers and services over HTTP: who may read and change what, the
shapes answered, defaults, the last-owner rule, org isolation and list pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

API = "/api/v1"
ORG_KEYS = {"id", "slug", "name", "timezone", "currency", "cancellation_cutoff_minutes"}
MEMBER_KEYS = {"user_id", "email", "full_name", "role"}
PROVIDER_KEYS = {"id", "org_id", "user_id", "display_name", "timezone", "bio", "active"}
PUBLIC_PROVIDER_KEYS = PROVIDER_KEYS - {"user_id"}  # who works behind it is for members only
SERVICE_KEYS = {
    "id",
    "org_id",
    "name",
    "description",
    "duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "price_minor",
    "currency",
    "min_notice_minutes",
    "max_advance_days",
    "slot_interval_minutes",
    "requires_confirmation",
    "provider_ids",
    "resource_requirements",
    "active",
}


# ---------------------------------------------------------------------------------------------
# Every answer: no 5xx, and every error a problem document


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text


def who(account: Any) -> dict[str, str]:
    return account.headers if account is not None else {}


# ---------------------------------------------------------------------------------------------
# A salon: an owner, an admin, a staff member, a stylist behind a provider, and an outsider


@dataclass
class Salon:
    org: dict[str, Any]
    owner: Any
    admin: Any
    staff: Any
    stylist: Any
    outsider: Any
    provider: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.org["id"])


async def create_org(client: httpx.AsyncClient, account: Any, slug: str, **fields: Any) -> dict:
    body = {"slug": slug, "name": slug.replace("-", " ").title(), **fields}
    response = await client.post(f"{API}/orgs", json=body, headers=who(account))
    assert response.status_code == 201, response.text
    return response.json()


async def create_provider(
    client: httpx.AsyncClient, org_id: str, by: Any, display_name: str, **fields: Any
) -> dict:
    response = await client.post(
        f"{API}/orgs/{org_id}/providers",
        json={"display_name": display_name, **fields},
        headers=who(by),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def create_service(
    client: httpx.AsyncClient, org_id: str, by: Any, name: str, **fields: Any
) -> dict:
    body = {"name": name, "duration_minutes": 30, "price_minor": 30000, **fields}
    response = await client.post(f"{API}/orgs/{org_id}/services", json=body, headers=who(by))
    assert response.status_code == 201, response.text
    return response.json()


async def members(client: httpx.AsyncClient, org_id: str, account: Any) -> dict[str, str]:
    """user_id -> role, as the account reads the member list."""
    response = await client.get(f"{API}/orgs/{org_id}/members", headers=who(account))
    assert response.status_code == 200, response.text
    return {m["user_id"]: m["role"] for m in response.json()["items"]}


@pytest.fixture
async def salon(client: httpx.AsyncClient, make_account: Any, add_member: Any) -> Salon:
    owner = await make_account("owner", full_name="Olga Owner")
    admin = await make_account("admin")
    staff = await make_account("staff")
    stylist = await make_account("stylist", full_name="Mette Stylist")
    outsider = await make_account("outsider")
    org = await create_org(client, owner, "salon-test")
    await add_member(org["id"], owner, admin, "admin")
    await add_member(org["id"], owner, staff, "staff")
    await add_member(org["id"], owner, stylist, "provider")
    provider = await create_provider(
        client, org["id"], owner, "Mette", user_id=stylist.id, bio="Klipning."
    )
    return Salon(org, owner, admin, staff, stylist, outsider, provider)


# ---------------------------------------------------------------------------------------------
# POST /orgs


async def test_any_user_creates_an_org_with_defaults_and_becomes_its_owner(
    client: httpx.AsyncClient, make_account: Any
):
    alma = await make_account("alma", full_name="Alma")
    response = await client.post(
        f"{API}/orgs", json={"slug": "alma-salon", "name": "Alma's Salon"}, headers=alma.headers
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/json")
    org = response.json()
    assert set(org) >= ORG_KEYS
    uuid.UUID(org["id"])
    assert org["slug"] == "alma-salon" and org["name"] == "Alma's Salon"
    assert org["timezone"] == "Europe/Copenhagen"
    assert org["currency"] == "DKK"
    assert org["cancellation_cutoff_minutes"] == 1440
    assert org.get("search_language", "danish") == "danish"

    listed = await client.get(f"{API}/orgs/{org['id']}/members", headers=alma.headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["next_cursor"] is None
    [member] = body["items"]
    assert set(member) >= MEMBER_KEYS
    assert member["user_id"] == alma.id
    assert member["email"] == alma.email and member["full_name"] == "Alma"
    assert member["role"] == "owner"


async def test_an_org_is_created_with_the_settings_given(
    client: httpx.AsyncClient, make_account: Any
):
    alma = await make_account("alma")
    org = await create_org(
        client,
        alma,
        "nyc-barbers",
        timezone="America/New_York",
        currency="USD",
        search_language="english",
        cancellation_cutoff_minutes=60,
    )
    assert org["timezone"] == "America/New_York"
    assert org["currency"] == "USD"
    assert org["cancellation_cutoff_minutes"] == 60
    assert org.get("search_language", "english") == "english"


async def test_a_taken_slug_is_a_conflict(client: httpx.AsyncClient, make_account: Any):
    alma, bo = await make_account("alma"), await make_account("bo")
    await create_org(client, alma, "taken")
    again = await client.post(
        f"{API}/orgs", json={"slug": "taken", "name": "Another"}, headers=bo.headers
    )
    assert_problem(again, 409, "conflict")


@pytest.mark.parametrize(
    "fields",
    [
        {"slug": "Has Spaces"},
        {"slug": "UPPER"},
        {"slug": "-leading-hyphen"},
        {"slug": "trailing-hyphen-"},
        {"slug": "x" * 64},
        {"slug": ""},
        {"slug": str(uuid.uuid4())},
        {"name": "   "},
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "CEST+2"},
        {"currency": "dkk"},
        {"currency": "DK"},
        {"currency": "EURO"},
        {"search_language": "klingon"},
        {"cancellation_cutoff_minutes": -1},
        {"cancellation_cutoff_minutes": 525601},
    ],
    ids=lambda fields: "-".join(f"{k}={str(v)[:12]}" for k, v in fields.items()),
)
async def test_an_org_with_a_bad_value_is_refused(
    client: httpx.AsyncClient, make_account: Any, fields: dict[str, Any]
):
    alma = await make_account("alma")
    body = {"slug": "good-slug", "name": "Good", **fields}
    response = await client.post(f"{API}/orgs", json=body, headers=alma.headers)
    assert_problem(response, 422, "validation_failed")
    # Nothing was created: the good slug is still free.
    assert (await client.get(f"{API}/orgs/good-slug")).status_code == 404


async def test_an_org_with_an_unknown_field_is_refused(
    client: httpx.AsyncClient, make_account: Any
):
    alma = await make_account("alma")
    response = await client.post(
        f"{API}/orgs", json={"slug": "s", "name": "S", "owner_id": alma.id}, headers=alma.headers
    )
    assert_problem(response, 422, "unknown_field")
    assert "owner_id" in response.json()["detail"]


async def test_anonymous_callers_cannot_create_an_org(client: httpx.AsyncClient):
    response = await client.post(f"{API}/orgs", json={"slug": "anon", "name": "Anon"})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer ")


# ---------------------------------------------------------------------------------------------
# GET /orgs/{id_or_slug}


async def test_anyone_reads_an_org_by_id_or_by_slug(client: httpx.AsyncClient, salon: Salon):
    by_id = await client.get(f"{API}/orgs/{salon.id}")
    by_slug = await client.get(f"{API}/orgs/salon-test")
    by_upper_id = await client.get(f"{API}/orgs/{salon.id.upper()}")
    as_outsider = await client.get(f"{API}/orgs/salon-test", headers=salon.outsider.headers)
    for response in (by_id, by_slug, by_upper_id, as_outsider):
        assert response.status_code == 200, response.text
        assert set(response.json()) >= ORG_KEYS
        assert response.json() == salon.org


@pytest.mark.parametrize("key", ["no-such-salon", "00000000-0000-4000-8000-000000000000"])
async def test_an_unknown_org_is_not_found(client: httpx.AsyncClient, salon: Salon, key: str):
    assert_problem(await client.get(f"{API}/orgs/{key}"), 404, "not_found")


# ---------------------------------------------------------------------------------------------
# PATCH /orgs/{id}


async def test_owners_and_admins_update_the_org(client: httpx.AsyncClient, salon: Salon):
    by_owner = await client.patch(
        f"{API}/orgs/{salon.id}",
        json={"name": "Salon Renamed", "timezone": "Europe/Oslo"},
        headers=salon.owner.headers,
    )
    assert by_owner.status_code == 200, by_owner.text
    assert by_owner.json()["name"] == "Salon Renamed"
    assert by_owner.json()["timezone"] == "Europe/Oslo"
    assert by_owner.json()["slug"] == "salon-test", "an omitted field must stay unchanged"

    by_admin = await client.patch(
        f"{API}/orgs/{salon.id}",
        json={"slug": "salon-renamed", "currency": "NOK", "cancellation_cutoff_minutes": 120},
        headers=salon.admin.headers,
    )
    assert by_admin.status_code == 200, by_admin.text

    read = (await client.get(f"{API}/orgs/salon-renamed")).json()
    assert read["id"] == salon.id
    assert read["name"] == "Salon Renamed" and read["timezone"] == "Europe/Oslo"
    assert read["currency"] == "NOK" and read["cancellation_cutoff_minutes"] == 120
    assert_problem(await client.get(f"{API}/orgs/salon-test"), 404, "not_found")


async def test_an_org_update_is_validated_like_creation(client: httpx.AsyncClient, salon: Salon):
    await create_org(client, salon.outsider, "someone-elses")
    url, headers = f"{API}/orgs/{salon.id}", salon.owner.headers
    assert_problem(
        await client.patch(url, json={"slug": "someone-elses"}, headers=headers), 409, "conflict"
    )
    for bad in ({"slug": "Bad Slug"}, {"timezone": "Nowhere/Land"}, {"currency": "kr"}):
        assert_problem(await client.patch(url, json=bad, headers=headers), 422, "validation_failed")
    # The id is the path; a body cannot change it.
    assert_problem(
        await client.patch(url, json={"id": str(uuid.uuid4())}, headers=headers),
        422,
        "unknown_field",
    )
    assert_problem(
        await client.patch(url, json={"owner": "me"}, headers=headers), 422, "unknown_field"
    )
    assert (await client.get(url)).json() == salon.org


@pytest.mark.parametrize("role", ["staff", "stylist", "outsider"])
async def test_only_owners_and_admins_may_update_the_org(
    client: httpx.AsyncClient, salon: Salon, role: str
):
    response = await client.patch(
        f"{API}/orgs/{salon.id}", json={"name": "Hijacked"}, headers=getattr(salon, role).headers
    )
    assert_problem(response, 403, "forbidden")
    assert (await client.get(f"{API}/orgs/{salon.id}")).json()["name"] == salon.org["name"]


async def test_anonymous_callers_cannot_update_an_org(client: httpx.AsyncClient, salon: Salon):
    response = await client.patch(f"{API}/orgs/{salon.id}", json={"name": "Anon"})
    assert_problem(response, 401, "unauthorized")


async def test_updating_an_unknown_org_is_not_found(client: httpx.AsyncClient, salon: Salon):
    response = await client.patch(
        f"{API}/orgs/{uuid.uuid4()}", json={"name": "X"}, headers=salon.owner.headers
    )
    assert_problem(response, 404, "not_found")


# ---------------------------------------------------------------------------------------------
# Members


async def test_members_of_any_role_list_the_members(client: httpx.AsyncClient, salon: Salon):
    expected = {
        salon.owner.id: "owner",
        salon.admin.id: "admin",
        salon.staff.id: "staff",
        salon.stylist.id: "provider",
    }
    for account in (salon.owner, salon.admin, salon.staff, salon.stylist):
        assert await members(client, salon.id, account) == expected
    listed = await client.get(f"{API}/orgs/{salon.id}/members", headers=salon.staff.headers)
    for member in listed.json()["items"]:
        assert set(member) >= MEMBER_KEYS
    owner = next(m for m in listed.json()["items"] if m["user_id"] == salon.owner.id)
    assert owner["email"] == salon.owner.email and owner["full_name"] == "Olga Owner"


async def test_outsiders_cannot_list_the_members(client: httpx.AsyncClient, salon: Salon):
    url = f"{API}/orgs/{salon.id}/members"
    assert_problem(await client.get(url, headers=salon.outsider.headers), 403, "forbidden")
    assert_problem(await client.get(url), 401, "unauthorized")
    assert_problem(
        await client.get(f"{API}/orgs/{uuid.uuid4()}/members", headers=salon.owner.headers),
        404,
        "not_found",
    )


async def test_each_user_lists_their_own_memberships_by_org_name(
    client: httpx.AsyncClient, salon: Salon
):
    url = f"{API}/users/me/memberships"
    atelier = await create_org(client, salon.staff, "atelier-test")
    stylist = await client.get(url, headers=salon.stylist.headers)
    assert stylist.status_code == 200, stylist.text
    assert stylist.json() == {
        "items": [
            {
                "org_id": salon.id,
                "slug": "salon-test",
                "name": "Salon Test",
                "timezone": salon.org["timezone"],
                "role": "provider",
                "provider_id": salon.provider["id"],
            }
        ],
        "next_cursor": None,
    }
    staff = (await client.get(url, headers=salon.staff.headers)).json()["items"]
    assert [(m["org_id"], m["role"], m["provider_id"]) for m in staff] == [
        (atelier["id"], "owner", None),
        (salon.id, "staff", None),
    ]
    owner = (await client.get(url, headers=salon.owner.headers)).json()["items"]
    assert [(m["org_id"], m["role"]) for m in owner] == [(salon.id, "owner")]
    outsider = await client.get(url, headers=salon.outsider.headers)
    assert outsider.json() == {"items": [], "next_cursor": None}
    assert_problem(await client.get(url), 401, "unauthorized")


async def test_the_member_list_pages_with_limit_and_cursor(client: httpx.AsyncClient, salon: Salon):
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    for _ in range(10):
        response = await client.get(
            f"{API}/orgs/{salon.id}/members", params=params, headers=salon.owner.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 1
        seen += [m["user_id"] for m in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 1, "cursor": page["next_cursor"]}
    assert sorted(seen) == sorted(await members(client, salon.id, salon.owner))
    assert len(seen) == 4


async def test_an_owner_invites_a_member_who_joins_by_accepting(
    client: httpx.AsyncClient, salon: Salon, make_account: Any, verify_email: Any
):
    newcomer = await make_account("newcomer", full_name="Nina New")
    response = await client.post(
        f"{API}/orgs/{salon.id}/members",
        json={"email": newcomer.email, "role": "staff"},
        headers=salon.owner.headers,
    )
    assert response.status_code == 202, response.text
    invitation = response.json()
    assert set(invitation) >= {"id", "org", "email", "role", "created_at", "expires_at"}
    assert (invitation["email"], invitation["role"]) == (newcomer.email, "staff")
    assert invitation["org"]["id"] == salon.id
    assert newcomer.id not in await members(client, salon.id, salon.owner)
    listed = await client.get(f"{API}/orgs/{salon.id}/invitations", headers=salon.owner.headers)
    assert [i["id"] for i in listed.json()["items"]] == [invitation["id"]]

    mine = f"{API}/users/me/invitations"
    accept = f"{API}/invitations/{invitation['id']}/accept"
    assert_problem(await client.get(mine, headers=newcomer.headers), 403, "forbidden")
    assert_problem(await client.post(accept, headers=newcomer.headers), 403, "forbidden")
    await verify_email(newcomer)
    waiting = (await client.get(mine, headers=newcomer.headers)).json()["items"]
    assert [i["id"] for i in waiting] == [invitation["id"]]
    joined = await client.post(accept, headers=newcomer.headers)
    assert joined.status_code == 200, joined.text
    member = joined.json()
    assert set(member) >= MEMBER_KEYS
    assert member["user_id"] == newcomer.id
    assert member["email"] == newcomer.email and member["full_name"] == "Nina New"
    assert member["role"] == "staff"
    assert (await members(client, salon.id, newcomer))[newcomer.id] == "staff"
    assert_problem(await client.post(accept, headers=newcomer.headers), 404, "not_found")
    assert (await client.get(mine, headers=newcomer.headers)).json()["items"] == []


async def test_an_admin_adds_members_but_not_owners(
    client: httpx.AsyncClient, salon: Salon, make_account: Any
):
    first, second = await make_account("first"), await make_account("second")
    url = f"{API}/orgs/{salon.id}/members"
    added = await client.post(
        url, json={"email": first.email, "role": "admin"}, headers=salon.admin.headers
    )
    assert added.status_code == 202, added.text
    owner = await client.post(
        url, json={"email": second.email, "role": "owner"}, headers=salon.admin.headers
    )
    assert_problem(owner, 403, "forbidden")
    assert second.id not in await members(client, salon.id, salon.owner)


async def test_adding_a_member_reports_each_mistake(
    client: httpx.AsyncClient, salon: Salon, make_account: Any
):
    newcomer = await make_account("newcomer")
    url, headers = f"{API}/orgs/{salon.id}/members", salon.owner.headers
    # An address with no account yet is invited all the same: the person may register later.
    unknown = await client.post(
        url, json={"email": "nobody@example.com", "role": "staff"}, headers=headers
    )
    assert unknown.status_code == 202, unknown.text
    not_an_address = await client.post(
        url, json={"email": "nobody", "role": "staff"}, headers=headers
    )
    assert_problem(not_an_address, 422, "invalid_email")
    duplicate = await client.post(
        url, json={"email": salon.staff.email, "role": "admin"}, headers=headers
    )
    assert_problem(duplicate, 409, "conflict")
    for role in ("boss", "customer", ""):
        bad = await client.post(url, json={"email": newcomer.email, "role": role}, headers=headers)
        assert_problem(bad, 422, "validation_failed")
    extra = await client.post(
        url, json={"email": newcomer.email, "role": "staff", "note": "hi"}, headers=headers
    )
    assert_problem(extra, 422, "unknown_field")
    unknown_org = await client.post(
        f"{API}/orgs/{uuid.uuid4()}/members",
        json={"email": newcomer.email, "role": "staff"},
        headers=headers,
    )
    assert_problem(unknown_org, 404, "not_found")
    assert newcomer.id not in await members(client, salon.id, salon.owner)
    assert (await members(client, salon.id, salon.owner))[salon.staff.id] == "staff"


@pytest.mark.parametrize("role", ["staff", "stylist", "outsider"])
async def test_only_owners_and_admins_add_members(
    client: httpx.AsyncClient, salon: Salon, make_account: Any, role: str
):
    newcomer = await make_account("newcomer")
    response = await client.post(
        f"{API}/orgs/{salon.id}/members",
        json={"email": newcomer.email, "role": "staff"},
        headers=getattr(salon, role).headers,
    )
    assert_problem(response, 403, "forbidden")
    anon = await client.post(
        f"{API}/orgs/{salon.id}/members", json={"email": newcomer.email, "role": "staff"}
    )
    assert_problem(anon, 401, "unauthorized")


async def test_an_owner_changes_a_members_role(client: httpx.AsyncClient, salon: Salon):
    response = await client.patch(
        f"{API}/orgs/{salon.id}/members/{salon.staff.id}",
        json={"role": "admin"},
        headers=salon.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) >= MEMBER_KEYS
    assert response.json()["user_id"] == salon.staff.id
    assert response.json()["role"] == "admin"
    assert (await members(client, salon.id, salon.owner))[salon.staff.id] == "admin"


async def test_demoting_the_last_owner_is_refused(client: httpx.AsyncClient, salon: Salon):
    url = f"{API}/orgs/{salon.id}/members/{salon.owner.id}"
    response = await client.patch(url, json={"role": "admin"}, headers=salon.owner.headers)
    assert_problem(response, 409, "last_owner")
    assert (await members(client, salon.id, salon.owner))[salon.owner.id] == "owner"

    # With a second owner, the first may step down.
    promoted = await client.patch(
        f"{API}/orgs/{salon.id}/members/{salon.admin.id}",
        json={"role": "owner"},
        headers=salon.owner.headers,
    )
    assert promoted.status_code == 200, promoted.text
    stepped_down = await client.patch(url, json={"role": "staff"}, headers=salon.owner.headers)
    assert stepped_down.status_code == 200, stepped_down.text
    assert stepped_down.json()["role"] == "staff"
    roles = await members(client, salon.id, salon.admin)
    assert [uid for uid, role in roles.items() if role == "owner"] == [salon.admin.id]


async def test_changing_roles_is_for_owners_and_admins_within_their_rank(
    client: httpx.AsyncClient, salon: Salon
):
    base = f"{API}/orgs/{salon.id}/members"
    # An admin may not touch an owner, nor make one.
    assert_problem(
        await client.patch(
            f"{base}/{salon.owner.id}", json={"role": "staff"}, headers=salon.admin.headers
        ),
        403,
        "forbidden",
    )
    assert_problem(
        await client.patch(
            f"{base}/{salon.staff.id}", json={"role": "owner"}, headers=salon.admin.headers
        ),
        403,
        "forbidden",
    )
    ok = await client.patch(
        f"{base}/{salon.staff.id}", json={"role": "provider"}, headers=salon.admin.headers
    )
    assert ok.status_code == 200, ok.text
    for role in ("staff", "outsider"):
        assert_problem(
            await client.patch(
                f"{base}/{salon.stylist.id}",
                json={"role": "admin"},
                headers=getattr(salon, role).headers,
            ),
            403,
            "forbidden",
        )
    assert_problem(
        await client.patch(f"{base}/{salon.stylist.id}", json={"role": "admin"}),
        401,
        "unauthorized",
    )
    assert_problem(
        await client.patch(
            f"{base}/{salon.staff.id}", json={"role": "chief"}, headers=salon.owner.headers
        ),
        422,
        "validation_failed",
    )
    assert_problem(
        await client.patch(
            f"{base}/{salon.outsider.id}", json={"role": "staff"}, headers=salon.owner.headers
        ),
        404,
        "not_found",
    )


async def test_an_owner_removes_a_member(client: httpx.AsyncClient, salon: Salon):
    response = await client.delete(
        f"{API}/orgs/{salon.id}/members/{salon.staff.id}", headers=salon.owner.headers
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert salon.staff.id not in await members(client, salon.id, salon.owner)
    # No longer a member: the list is closed to them now.
    assert_problem(
        await client.get(f"{API}/orgs/{salon.id}/members", headers=salon.staff.headers),
        403,
        "forbidden",
    )
    again = await client.delete(
        f"{API}/orgs/{salon.id}/members/{salon.staff.id}", headers=salon.owner.headers
    )
    assert_problem(again, 404, "not_found")


async def test_removing_the_last_owner_is_refused(client: httpx.AsyncClient, salon: Salon):
    url = f"{API}/orgs/{salon.id}/members/{salon.owner.id}"
    assert_problem(await client.delete(url, headers=salon.owner.headers), 409, "last_owner")
    assert (await members(client, salon.id, salon.owner))[salon.owner.id] == "owner"


async def test_a_member_may_leave_but_not_remove_others(client: httpx.AsyncClient, salon: Salon):
    base = f"{API}/orgs/{salon.id}/members"
    assert_problem(
        await client.delete(f"{base}/{salon.stylist.id}", headers=salon.staff.headers),
        403,
        "forbidden",
    )
    assert_problem(
        await client.delete(f"{base}/{salon.owner.id}", headers=salon.admin.headers),
        403,
        "forbidden",
    )
    assert_problem(
        await client.delete(f"{base}/{salon.staff.id}", headers=salon.outsider.headers),
        403,
        "forbidden",
    )
    assert_problem(await client.delete(f"{base}/{salon.staff.id}"), 401, "unauthorized")
    left = await client.delete(f"{base}/{salon.staff.id}", headers=salon.staff.headers)
    assert left.status_code == 204, left.text
    assert salon.staff.id not in await members(client, salon.id, salon.owner)


async def test_a_removed_member_is_unlinked_from_their_provider(
    client: httpx.AsyncClient, salon: Salon
):
    response = await client.delete(
        f"{API}/orgs/{salon.id}/members/{salon.stylist.id}", headers=salon.admin.headers
    )
    assert response.status_code == 204, response.text
    url = f"{API}/providers/{salon.provider['id']}"
    provider = (await client.get(url, headers=salon.owner.headers)).json()
    assert provider["user_id"] is None
    # Who works behind a provider is for members to know, not the public.
    assert "user_id" not in (await client.get(url)).json()
    # And may no longer edit the profile.
    edit = await client.patch(
        f"{API}/providers/{salon.provider['id']}",
        json={"bio": "still here?"},
        headers=salon.stylist.headers,
    )
    assert_problem(edit, 403, "forbidden")


# ---------------------------------------------------------------------------------------------
# Providers


async def test_an_owner_creates_a_provider(client: httpx.AsyncClient, salon: Salon):
    response = await client.post(
        f"{API}/orgs/{salon.id}/providers",
        json={"display_name": "Jonas", "bio": "Locs.", "timezone": "Europe/Berlin"},
        headers=salon.owner.headers,
    )
    assert response.status_code == 201, response.text
    provider = response.json()
    assert set(provider) == PROVIDER_KEYS
    uuid.UUID(provider["id"])
    assert provider["org_id"] == salon.id
    assert provider["user_id"] is None
    assert provider["display_name"] == "Jonas"
    assert provider["timezone"] == "Europe/Berlin"
    assert provider["bio"] == "Locs."
    assert provider["active"] is True


async def test_a_provider_defaults_to_the_orgs_zone_and_an_empty_bio(
    client: httpx.AsyncClient, salon: Salon
):
    provider = await create_provider(client, salon.id, salon.admin, "Jonas")
    assert provider["timezone"] == salon.org["timezone"] == "Europe/Copenhagen"
    assert provider["bio"] == ""
    assert provider["active"] is True


async def test_a_provider_linked_to_an_account_makes_it_a_member(
    client: httpx.AsyncClient, salon: Salon
):
    assert salon.provider["user_id"] == salon.stylist.id
    assert set(salon.provider) == PROVIDER_KEYS
    assert (await members(client, salon.id, salon.owner))[salon.stylist.id] == "provider"
    # Linking someone who holds a role already keeps that role.
    await create_provider(client, salon.id, salon.owner, "Staffer", user_id=salon.staff.id)
    assert (await members(client, salon.id, salon.owner))[salon.staff.id] == "staff"


async def test_creating_a_provider_reports_each_mistake(client: httpx.AsyncClient, salon: Salon):
    url, headers = f"{API}/orgs/{salon.id}/providers", salon.owner.headers
    for body in (
        {"display_name": ""},
        {"display_name": "Tz", "timezone": "Moon/Base"},
        {"display_name": "Ghost", "user_id": str(uuid.uuid4())},
        {"display_name": "Long", "bio": "x" * 5001},
    ):
        assert_problem(await client.post(url, json=body, headers=headers), 422, "validation_failed")
    assert_problem(await client.post(url, json={}, headers=headers), 422, "validation_failed")
    assert_problem(
        await client.post(url, json={"display_name": "X", "active": False}, headers=headers),
        422,
        "unknown_field",
    )
    assert_problem(
        await client.post(
            f"{API}/orgs/{uuid.uuid4()}/providers", json={"display_name": "X"}, headers=headers
        ),
        404,
        "not_found",
    )


@pytest.mark.parametrize("role", ["staff", "stylist", "outsider"])
async def test_only_owners_and_admins_create_providers(
    client: httpx.AsyncClient, salon: Salon, role: str
):
    response = await client.post(
        f"{API}/orgs/{salon.id}/providers",
        json={"display_name": "Sneaky"},
        headers=getattr(salon, role).headers,
    )
    assert_problem(response, 403, "forbidden")
    anon = await client.post(f"{API}/orgs/{salon.id}/providers", json={"display_name": "Sneaky"})
    assert_problem(anon, 401, "unauthorized")


async def deactivate_provider(client: httpx.AsyncClient, salon: Salon, name: str) -> dict:
    provider = await create_provider(client, salon.id, salon.owner, name)
    response = await client.patch(
        f"{API}/providers/{provider['id']}", json={"active": False}, headers=salon.owner.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    return response.json()


async def test_visitors_list_active_providers_and_members_all(
    client: httpx.AsyncClient, salon: Salon
):
    retired = await deactivate_provider(client, salon, "Retired")
    url = f"{API}/orgs/{salon.id}/providers"

    for account in (None, salon.outsider):
        response = await client.get(url, headers=who(account))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["next_cursor"] is None
        assert [p["display_name"] for p in body["items"]] == ["Mette"]
        assert all(set(p) == PUBLIC_PROVIDER_KEYS for p in body["items"])

    for account in (salon.owner, salon.staff, salon.stylist):
        response = await client.get(url, headers=account.headers)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [p["display_name"] for p in items] == ["Mette", "Retired"]
        assert next(p for p in items if p["id"] == retired["id"])["active"] is False

    assert_problem(await client.get(f"{API}/orgs/{uuid.uuid4()}/providers"), 404, "not_found")


async def test_anyone_reads_an_active_provider(client: httpx.AsyncClient, salon: Salon):
    public = {k: v for k, v in salon.provider.items() if k != "user_id"}
    cases = ((None, public), (salon.outsider, public), (salon.staff, salon.provider))
    for account, expected in cases:
        response = await client.get(f"{API}/providers/{salon.provider['id']}", headers=who(account))
        assert response.status_code == 200, response.text
        assert response.json() == expected
    assert_problem(await client.get(f"{API}/providers/{uuid.uuid4()}"), 404, "not_found")


async def test_an_inactive_provider_is_seen_by_members_only(
    client: httpx.AsyncClient, salon: Salon
):
    retired = await deactivate_provider(client, salon, "Retired")
    url = f"{API}/providers/{retired['id']}"
    assert_problem(await client.get(url), 404, "not_found")
    assert_problem(await client.get(url, headers=salon.outsider.headers), 404, "not_found")
    seen = await client.get(url, headers=salon.staff.headers)
    assert seen.status_code == 200, seen.text
    assert seen.json() == retired


async def test_owners_and_admins_change_any_provider_field(
    client: httpx.AsyncClient, salon: Salon, make_account: Any, add_member: Any
):
    jonas = await create_provider(client, salon.id, salon.owner, "Jonas")
    person = await make_account("jonas")
    url = f"{API}/providers/{jonas['id']}"
    # Only a member can be linked: naming any account would expose it to the organization.
    stranger = await client.patch(url, json={"user_id": person.id}, headers=salon.admin.headers)
    assert_problem(stranger, 422, "validation_failed")
    assert person.id not in await members(client, salon.id, salon.owner)
    await add_member(salon.id, salon.owner, person, "provider")
    by_owner = await client.patch(
        url,
        json={"display_name": "Jonas B.", "bio": "Skæg.", "timezone": "Europe/London"},
        headers=salon.owner.headers,
    )
    assert by_owner.status_code == 200, by_owner.text
    assert set(by_owner.json()) == PROVIDER_KEYS
    by_admin = await client.patch(
        url, json={"user_id": person.id, "active": False}, headers=salon.admin.headers
    )
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json() == {
        **jonas,
        "display_name": "Jonas B.",
        "bio": "Skæg.",
        "timezone": "Europe/London",
        "user_id": person.id,
        "active": False,
    }
    # "" returns the provider to the organization's zone.
    back = await client.patch(
        url, json={"timezone": "", "active": True}, headers=salon.admin.headers
    )
    assert back.status_code == 200, back.text
    assert back.json()["timezone"] == "Europe/Copenhagen" and back.json()["active"] is True
    assert_problem(
        await client.patch(url, json={"timezone": "Bad/Zone"}, headers=salon.admin.headers),
        422,
        "validation_failed",
    )
    assert_problem(
        await client.patch(url, json={"org_id": str(uuid.uuid4())}, headers=salon.admin.headers),
        422,
        "unknown_field",
    )


async def test_the_provider_edits_their_own_name_and_bio(client: httpx.AsyncClient, salon: Salon):
    url = f"{API}/providers/{salon.provider['id']}"
    response = await client.patch(
        url,
        json={"display_name": "Mette F.", "bio": "Farve og klip."},
        headers=salon.stylist.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        **salon.provider,
        "display_name": "Mette F.",
        "bio": "Farve og klip.",
    }


@pytest.mark.parametrize("field", ["active", "user_id"])
async def test_the_provider_may_not_change_other_fields(
    client: httpx.AsyncClient, salon: Salon, field: str
):
    value = {"active": False, "user_id": salon.owner.id}[field]
    url = f"{API}/providers/{salon.provider['id']}"
    for body in ({field: value}, {"bio": "allowed alone", field: value}):
        response = await client.patch(url, json=body, headers=salon.stylist.headers)
        assert_problem(response, 403, "forbidden")
    assert (await client.get(url, headers=salon.owner.headers)).json() == salon.provider


async def test_other_members_may_not_edit_a_provider(client: httpx.AsyncClient, salon: Salon):
    url = f"{API}/providers/{salon.provider['id']}"
    response = await client.patch(url, json={"bio": "staff was here"}, headers=salon.staff.headers)
    assert_problem(response, 403, "forbidden")
    assert_problem(await client.patch(url, json={"bio": "anon"}), 401, "unauthorized")


async def test_a_stranger_editing_a_provider_is_forbidden_when_visible_and_not_found_when_not(
    client: httpx.AsyncClient, salon: Salon
):
    # An active provider is public (anyone may GET it), so a stranger's edit is a visible thing
    # they may not change: 403. An inactive provider is invisible to them, and the contract never
    # leaks existence through 403: 404, exactly as for an id that does not exist.
    visible = await client.patch(
        f"{API}/providers/{salon.provider['id']}",
        json={"bio": "stranger"},
        headers=salon.outsider.headers,
    )
    assert_problem(visible, 403, "forbidden")
    retired = await deactivate_provider(client, salon, "Retired")
    hidden = await client.patch(
        f"{API}/providers/{retired['id']}", json={"bio": "stranger"}, headers=salon.outsider.headers
    )
    assert_problem(hidden, 404, "not_found")
    missing = await client.patch(
        f"{API}/providers/{uuid.uuid4()}", json={"bio": "x"}, headers=salon.outsider.headers
    )
    assert_problem(missing, 404, "not_found")


async def test_providers_page_through_with_limit_one(client: httpx.AsyncClient, salon: Salon):
    for name in ("Anna", "Bent", "Cecilie", "Dorte"):
        await create_provider(client, salon.id, salon.owner, name)
    await deactivate_provider(client, salon, "Egon")
    everyone = (
        await client.get(f"{API}/orgs/{salon.id}/providers", headers=salon.owner.headers)
    ).json()["items"]
    assert len(everyone) == 6

    active = [{k: v for k, v in p.items() if k != "user_id"} for p in everyone if p["active"]]
    assert len(active) == 5
    for account, expected in ((salon.owner, everyone), (None, active)):
        walked: list[dict] = []
        params: dict[str, Any] = {"limit": 1}
        for _ in range(len(everyone) + 2):
            response = await client.get(
                f"{API}/orgs/{salon.id}/providers", params=params, headers=who(account)
            )
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) == 1
            walked += page["items"]
            if page["next_cursor"] is None:
                break
            params = {"limit": 1, "cursor": page["next_cursor"]}
        assert walked == expected
    assert [p["display_name"] for p in everyone] == [
        "Anna", "Bent", "Cecilie", "Dorte", "Egon", "Mette",
    ]  # fmt: skip


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"cursor": "garbage"}])
async def test_a_bad_page_request_is_refused(
    client: httpx.AsyncClient, salon: Salon, params: dict[str, Any]
):
    response = await client.get(f"{API}/orgs/{salon.id}/providers", params=params)
    assert_problem(response, 422, "validation_failed")


async def test_an_unknown_query_parameter_is_refused(client: httpx.AsyncClient, salon: Salon):
    response = await client.get(f"{API}/orgs/{salon.id}/providers", params={"active": "false"})
    assert_problem(response, 422, "unknown_field")


# ---------------------------------------------------------------------------------------------
# Services


async def test_an_owner_creates_a_service_with_its_defaults(
    client: httpx.AsyncClient, salon: Salon
):
    response = await client.post(
        f"{API}/orgs/{salon.id}/services",
        json={
            "name": "Klipning",
            "duration_minutes": 45,
            "price_minor": 45000,
            "provider_ids": [salon.provider["id"]],
        },
        headers=salon.owner.headers,
    )
    assert response.status_code == 201, response.text
    service = response.json()
    assert set(service) == SERVICE_KEYS
    uuid.UUID(service["id"])
    assert service == {
        "id": service["id"],
        "org_id": salon.id,
        "name": "Klipning",
        "description": "",
        "duration_minutes": 45,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "price_minor": 45000,
        "currency": "DKK",
        "min_notice_minutes": 0,
        "max_advance_days": 90,
        "slot_interval_minutes": 45,
        "requires_confirmation": False,
        "provider_ids": [salon.provider["id"]],
        "resource_requirements": [],
        "active": True,
    }


async def test_a_service_keeps_every_field_given(client: httpx.AsyncClient, salon: Salon):
    jonas = await create_provider(client, salon.id, salon.owner, "Jonas")
    fields = {
        "name": "Farvning",
        "description": "Hel farve.",
        "duration_minutes": 120,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 10,
        "price_minor": 125000,
        "currency": "EUR",
        "min_notice_minutes": 1440,
        "max_advance_days": 30,
        "slot_interval_minutes": 60,
        "requires_confirmation": True,
        "provider_ids": [jonas["id"], salon.provider["id"]],
    }
    response = await client.post(
        f"{API}/orgs/{salon.id}/services", json=fields, headers=salon.admin.headers
    )
    assert response.status_code == 201, response.text
    service = response.json()
    assert {k: service[k] for k in fields if k != "provider_ids"} == {
        k: v for k, v in fields.items() if k != "provider_ids"
    }
    assert sorted(service["provider_ids"]) == sorted(fields["provider_ids"])
    assert service["active"] is True and service["org_id"] == salon.id


async def test_a_service_takes_its_orgs_currency(client: httpx.AsyncClient, make_account: Any):
    alma = await make_account("alma")
    org = await create_org(client, alma, "oslo-salong", currency="NOK", timezone="Europe/Oslo")
    service = await create_service(client, org["id"], alma, "Klipp")
    assert service["currency"] == "NOK"
    assert service["provider_ids"] == []


async def test_creating_a_service_reports_each_mistake(
    client: httpx.AsyncClient, salon: Salon, make_account: Any
):
    other_owner = await make_account("other")
    other_org = await create_org(client, other_owner, "other-salon")
    foreign = await create_provider(client, other_org["id"], other_owner, "Foreign")
    url, headers = f"{API}/orgs/{salon.id}/services", salon.owner.headers
    base = {"name": "Klip", "duration_minutes": 30, "price_minor": 100}
    for bad in (
        {"duration_minutes": 0},
        {"duration_minutes": 1441},
        {"price_minor": -1},
        {"currency": "kr"},
        {"buffer_before_minutes": -5},
        {"max_advance_days": 0},
        {"slot_interval_minutes": 4},
        {"name": ""},
        {"provider_ids": [foreign["id"]]},
        {"provider_ids": [str(uuid.uuid4())]},
    ):
        response = await client.post(url, json={**base, **bad}, headers=headers)
        assert_problem(response, 422, "validation_failed")
    missing = await client.post(url, json={"name": "No price"}, headers=headers)
    assert_problem(missing, 422, "validation_failed")
    extra = await client.post(url, json={**base, "color": "red"}, headers=headers)
    assert_problem(extra, 422, "unknown_field")
    # Nothing was half-created.
    listed = await client.get(url, headers=headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize("role", ["staff", "stylist", "outsider"])
async def test_only_owners_and_admins_create_services(
    client: httpx.AsyncClient, salon: Salon, role: str
):
    body = {"name": "Sneaky", "duration_minutes": 30, "price_minor": 1}
    response = await client.post(
        f"{API}/orgs/{salon.id}/services", json=body, headers=getattr(salon, role).headers
    )
    assert_problem(response, 403, "forbidden")
    anon = await client.post(f"{API}/orgs/{salon.id}/services", json=body)
    assert_problem(anon, 401, "unauthorized")


@pytest.fixture
async def menu(client: httpx.AsyncClient, salon: Salon) -> dict[str, dict]:
    """Klipning, Farvning and Skægtrim (inactive) offered by Mette."""
    mette = [salon.provider["id"]]
    cut = await create_service(
        client,
        salon.id,
        salon.owner,
        "Klipning",
        description="Vask, klip og føn.",
        provider_ids=mette,
    )
    colour = await create_service(
        client, salon.id, salon.owner, "Farvning", description="Hel farve.", provider_ids=mette
    )
    beard = await create_service(client, salon.id, salon.owner, "Skægtrim", provider_ids=mette)
    deleted = await client.delete(f"{API}/services/{beard['id']}", headers=salon.owner.headers)
    assert deleted.status_code == 204, deleted.text
    return {"Klipning": cut, "Farvning": colour, "Skægtrim": {**beard, "active": False}}


async def test_visitors_list_active_services_and_members_all(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict]
):
    url = f"{API}/orgs/{salon.id}/services"
    for account in (None, salon.outsider):
        response = await client.get(url, headers=who(account))
        assert response.status_code == 200, response.text
        assert response.json() == {
            "items": [menu["Farvning"], menu["Klipning"]],
            "next_cursor": None,
        }
    for account in (salon.owner, salon.staff, salon.stylist):
        items = (await client.get(url, headers=account.headers)).json()["items"]
        assert [s["name"] for s in items] == ["Farvning", "Klipning", "Skægtrim"]
        assert items[2]["active"] is False
        assert all(set(s) == SERVICE_KEYS for s in items)
    assert_problem(await client.get(f"{API}/orgs/{uuid.uuid4()}/services"), 404, "not_found")


@pytest.mark.parametrize("q", ["klip", "Klipning", "KLIP", "føn"])
async def test_service_search_finds_by_part_of_the_name_or_a_word(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict], q: str
):
    response = await client.get(f"{API}/orgs/{salon.id}/services", params={"q": q})
    assert response.status_code == 200, response.text
    assert [s["name"] for s in response.json()["items"]] == ["Klipning"]


async def test_service_search_with_no_match_is_empty(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict]
):
    response = await client.get(f"{API}/orgs/{salon.id}/services", params={"q": "massage"})
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}
    # An inactive service is not found by visitors' searches either.
    hidden = await client.get(f"{API}/orgs/{salon.id}/services", params={"q": "skæg"})
    assert hidden.json()["items"] == []
    too_long = await client.get(f"{API}/orgs/{salon.id}/services", params={"q": "x" * 201})
    assert_problem(too_long, 422, "validation_failed")


async def test_services_page_through_with_limit_one(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict]
):
    walked: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    for _ in range(5):
        page = (
            await client.get(
                f"{API}/orgs/{salon.id}/services", params=params, headers=salon.staff.headers
            )
        ).json()
        walked += [s["name"] for s in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 1, "cursor": page["next_cursor"]}
    assert walked == ["Farvning", "Klipning", "Skægtrim"]


async def test_anyone_reads_an_active_service(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict]
):
    cut = menu["Klipning"]
    for account in (None, salon.outsider, salon.staff):
        response = await client.get(f"{API}/services/{cut['id']}", headers=who(account))
        assert response.status_code == 200, response.text
        assert response.json() == cut
    assert_problem(await client.get(f"{API}/services/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(await client.get(f"{API}/services/not-a-uuid"), 422, "validation_failed")


async def test_owners_and_admins_update_a_service(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict]
):
    cut = menu["Klipning"]
    jonas = await create_provider(client, salon.id, salon.owner, "Jonas")
    url = f"{API}/services/{cut['id']}"
    response = await client.patch(
        url, json={"price_minor": 50000, "duration_minutes": 60}, headers=salon.admin.headers
    )
    assert response.status_code == 200, response.text
    # A new duration keeps the slot interval.
    assert response.json() == {**cut, "price_minor": 50000, "duration_minutes": 60}
    swapped = await client.patch(
        url, json={"provider_ids": [jonas["id"]]}, headers=salon.owner.headers
    )
    assert swapped.status_code == 200, swapped.text
    assert swapped.json()["provider_ids"] == [jonas["id"]]
    assert (await client.get(url)).json()["provider_ids"] == [jonas["id"]]
    assert_problem(
        await client.patch(url, json={"duration_minutes": 2}, headers=salon.owner.headers),
        422,
        "validation_failed",
    )
    assert_problem(
        await client.patch(url, json={"org_id": str(uuid.uuid4())}, headers=salon.owner.headers),
        422,
        "unknown_field",
    )


@pytest.mark.parametrize("role", ["staff", "stylist", "outsider"])
async def test_only_owners_and_admins_update_or_delete_a_service(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict], role: str
):
    url = f"{API}/services/{menu['Klipning']['id']}"
    headers = getattr(salon, role).headers
    assert_problem(
        await client.patch(url, json={"price_minor": 1}, headers=headers), 403, "forbidden"
    )
    assert_problem(await client.delete(url, headers=headers), 403, "forbidden")
    assert (await client.get(url)).json() == menu["Klipning"]


async def test_anonymous_callers_cannot_update_or_delete_a_service(
    client: httpx.AsyncClient, menu: dict[str, dict]
):
    url = f"{API}/services/{menu['Klipning']['id']}"
    assert_problem(await client.patch(url, json={"price_minor": 1}), 401, "unauthorized")
    assert_problem(await client.delete(url), 401, "unauthorized")


async def test_deleting_a_service_hides_it_from_visitors_but_not_members(
    client: httpx.AsyncClient, salon: Salon, menu: dict[str, dict]
):
    cut = menu["Klipning"]
    url = f"{API}/services/{cut['id']}"
    response = await client.delete(url, headers=salon.admin.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""

    assert_problem(await client.get(url), 404, "not_found")
    assert_problem(await client.get(url, headers=salon.outsider.headers), 404, "not_found")
    public = (await client.get(f"{API}/orgs/{salon.id}/services")).json()["items"]
    assert [s["name"] for s in public] == ["Farvning"]

    member_view = await client.get(url, headers=salon.staff.headers)
    assert member_view.status_code == 200, member_view.text
    assert member_view.json() == {**cut, "active": False}
    listed = (
        await client.get(f"{API}/orgs/{salon.id}/services", headers=salon.staff.headers)
    ).json()["items"]
    assert cut["id"] in [s["id"] for s in listed]

    # An owner may bring it back.
    back = await client.patch(url, json={"active": True}, headers=salon.owner.headers)
    assert back.status_code == 200, back.text
    assert (await client.get(url)).json() == cut
    assert_problem(
        await client.delete(f"{API}/services/{uuid.uuid4()}", headers=salon.owner.headers),
        404,
        "not_found",
    )


async def test_visitors_do_not_see_inactive_providers_among_a_services_providers(
    client: httpx.AsyncClient, salon: Salon
):
    retired = await deactivate_provider(client, salon, "Retired")
    service = await create_service(
        client, salon.id, salon.owner, "Klip", provider_ids=[salon.provider["id"], retired["id"]]
    )
    assert sorted(service["provider_ids"]) == sorted([salon.provider["id"], retired["id"]])
    public = (await client.get(f"{API}/services/{service['id']}")).json()
    assert public["provider_ids"] == [salon.provider["id"]]


# ---------------------------------------------------------------------------------------------
# Isolation between organizations


async def test_an_admin_of_one_org_cannot_change_another(
    client: httpx.AsyncClient,
    salon: Salon,
    make_account: Any,
    menu: dict[str, dict],
    add_member: Any,
):
    rival_owner, rival_admin = await make_account("rival-owner"), await make_account("rival-admin")
    rival = await create_org(client, rival_owner, "rival-salon")
    await add_member(rival["id"], rival_owner, rival_admin, "admin")
    headers = rival_admin.headers
    provider_url = f"{API}/providers/{salon.provider['id']}"
    service_url = f"{API}/services/{menu['Klipning']['id']}"

    # The provider and the service are public, so changing them is 403 (visible, not theirs).
    assert_problem(
        await client.patch(provider_url, json={"display_name": "Poached"}, headers=headers),
        403,
        "forbidden",
    )
    assert_problem(
        await client.patch(service_url, json={"price_minor": 1}, headers=headers), 403, "forbidden"
    )
    assert_problem(await client.delete(service_url, headers=headers), 403, "forbidden")
    # An inactive service of the other org is invisible to them: 404, not 403.
    assert_problem(
        await client.patch(
            f"{API}/services/{menu['Skægtrim']['id']}", json={"price_minor": 1}, headers=headers
        ),
        404,
        "not_found",
    )
    assert_problem(
        await client.patch(f"{API}/orgs/{salon.id}", json={"name": "Mine"}, headers=headers),
        403,
        "forbidden",
    )
    assert_problem(
        await client.post(
            f"{API}/orgs/{salon.id}/providers", json={"display_name": "Spy"}, headers=headers
        ),
        403,
        "forbidden",
    )
    assert_problem(
        await client.post(
            f"{API}/orgs/{salon.id}/services",
            json={"name": "Spy", "duration_minutes": 30, "price_minor": 1},
            headers=headers,
        ),
        403,
        "forbidden",
    )
    assert_problem(
        await client.post(
            f"{API}/orgs/{salon.id}/members",
            json={"email": rival_admin.email, "role": "owner"},
            headers=headers,
        ),
        403,
        "forbidden",
    )
    # Nor can they attach the other org's provider to their own service.
    assert_problem(
        await client.post(
            f"{API}/orgs/{rival['id']}/services",
            json={
                "name": "Borrowed",
                "duration_minutes": 30,
                "price_minor": 1,
                "provider_ids": [salon.provider["id"]],
            },
            headers=headers,
        ),
        422,
        "validation_failed",
    )
    assert (await client.get(provider_url, headers=salon.owner.headers)).json() == salon.provider
    assert (await client.get(service_url)).json() == menu["Klipning"]
    assert (await client.get(f"{API}/orgs/{salon.id}")).json() == salon.org
