"""Weaknesses found in a review, each proven fixed: every test here failed on the code before its
fix. docs/security.md maps the threat model to these tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_a_refresh_tokens_successor_cannot_be_computed_from_the_token(
    client: Any, make_account: Any
) -> None:
    alma = await make_account("alma")
    r0 = alma.tokens["refresh_token"]
    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": r0})
    assert first.status_code == 200
    r1 = first.json()["refresh_token"]
    # What the successor used to be: a function of the token alone.
    keyless = b64url(hmac.new(r0.encode(), b"slotbase refresh successor", hashlib.sha256).digest())
    assert r1 != keyless
    assert r1 != b64url(hmac.new(b"", r0.encode(), hashlib.sha256).digest())
    # The grace window still hands a second tab the same pair.
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": r0})
    assert second.status_code == 200
    assert second.json()["refresh_token"] == r1


async def test_change_password_guesses_count_toward_the_lockout(
    client: Any, make_account: Any
) -> None:
    alma = await make_account("alma")
    url = "/api/v1/auth/change-password"
    new = {"new_password": "granite-puffin-lighthouse"}
    for _ in range(5):
        guess = {"current_password": "nope", **new}
        wrong = await client.post(url, headers=alma.headers, json=guess)
        assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    right = {"current_password": alma.password, **new}
    locked = await client.post(url, headers=alma.headers, json=right)
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) > 0
    # The same count locks the login too: it is one account's password being guessed.
    login = {"email": alma.email, "password": alma.password}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 429


def test_change_password_is_in_the_stricter_auth_bucket() -> None:
    from api.request.routes import AUTH_PATHS

    assert "/api/v1/auth/change-password" in AUTH_PATHS
    assert "/api/v1/rpc/change_password" in AUTH_PATHS


async def test_an_overlong_email_at_login_is_refused_before_anything_is_stored(
    client: Any, db: Any
) -> None:
    import asyncpg

    huge = "a" * 100_000 + "@example.com"
    refused = await client.post("/api/v1/auth/login", json={"email": huge, "password": "x" * 8})
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_credentials"
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        assert await conn.fetchval("select count(*) from auth.login_failures") == 0
    finally:
        await conn.close()


async def test_password_reset_requests_are_throttled_per_address_known_or_not(
    client: Any, make_account: Any, db: Any
) -> None:
    import asyncpg

    alma = await make_account("alma")
    for email in (alma.email, alma.email.upper(), "nobody@example.com", "nobody@example.com"):
        answer = await client.post("/api/v1/auth/password-reset/request", json={"email": email})
        assert answer.status_code == 202
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        sent = await conn.fetchval(
            "select count(*) from outbox.messages where kind = 'password_reset'"
        )
        recorded = await conn.fetchval("select count(*) from auth.password_reset_requests")
    finally:
        await conn.close()
    assert sent == 1, "one email per address per interval, however often it is asked for"
    assert recorded == 2, "an unknown address is recorded and throttled like a known one"


def test_subscribe_work_is_limited_per_identity_across_sockets() -> None:
    from api.live.ws import InFlight, MessageBudget

    inflight = InFlight(limit=2)
    with inflight.slot("alma") as first, inflight.slot("alma") as second:
        assert first and second
        with inflight.slot("alma") as third, inflight.slot("bo") as other:
            assert not third, "a third check for alma waits for none: it is refused"
            assert other, "another identity is not held up by alma"
    with inflight.slot("alma") as again:
        assert again, "finished checks give their slots back"
    assert inflight.counts == {}

    budget = MessageBudget(burst=3, rate=0.0)
    assert [budget.take() for _ in range(4)] == [True, True, True, False]


async def bookable(db: Any, **org: Any) -> tuple[Any, str, str, str]:
    """A Copenhagen salon open every day 08-20, with one provider and a 30-minute service."""
    from tests.support.bookings import Seed

    seed = await Seed.connect(db.admin_dsn)
    org_id = await seed.org(timezone="Europe/Copenhagen")
    if org:
        sets = ", ".join(f"{k} = ${i + 2}" for i, k in enumerate(org))
        await seed.conn.execute(
            f"update app.organizations set {sets} where id = $1", org_id, *org.values()
        )
    provider = await seed.provider(org_id)
    service = await seed.service(org_id, [provider], duration=30)
    await seed.hours(provider, range(1, 8), "08:00", "20:00")
    return seed, org_id, provider, service


def day_at(days: int, hhmm: str) -> str:
    from datetime import UTC, datetime, timedelta

    from tests.support.bookings import local

    return local((datetime.now(UTC) + timedelta(days=days)).date(), hhmm, "Europe/Copenhagen")


async def test_one_customer_cannot_fill_an_organizations_calendar(
    client: Any, make_account: Any, db: Any
) -> None:
    seed, _, provider, service = await bookable(db, max_active_bookings_per_customer=2)
    try:
        alma = await make_account("alma")

        async def book(hhmm: str) -> Any:
            body = {"provider_id": provider, "service_id": service, "start": day_at(3, hhmm)}
            return await client.post("/api/v1/bookings", json=body, headers=alma.headers)

        first, second = await book("09:00"), await book("10:00")
        assert first.status_code == second.status_code == 201
        third = await book("11:00")
        assert third.status_code == 409 and third.json()["code"] == "too_many_bookings"
        cancelled = await client.post(
            f"/api/v1/bookings/{first.json()['id']}/cancel", json={}, headers=alma.headers
        )
        assert cancelled.status_code == 200, cancelled.text
        assert (await book("11:00")).status_code == 201
    finally:
        await seed.close()


async def test_an_organization_may_take_bookings_from_verified_addresses_only(
    client: Any, make_account: Any, db: Any, verify_email: Any
) -> None:
    seed, _, provider, service = await bookable(db, booking_requires_verified_email=True)
    try:
        alma = await make_account("alma")
        body = {"provider_id": provider, "service_id": service, "start": day_at(3, "09:00")}
        refused = await client.post("/api/v1/bookings", json=body, headers=alma.headers)
        assert refused.status_code == 403 and refused.json()["code"] == "email_not_verified"
        await verify_email(alma)
        booked = await client.post("/api/v1/bookings", json=body, headers=alma.headers)
        assert booked.status_code == 201, booked.text
    finally:
        await seed.close()


async def test_erasure_reaches_a_provider_profile_the_person_was_unlinked_from(
    client: Any, make_account: Any, db: Any
) -> None:
    seed, org_id, provider, _ = await bookable(db)
    try:
        pia = await make_account("pia", full_name="Pia Person")
        await seed.member(org_id, pia.id, "provider")
        await seed.conn.execute(
            "update app.providers set user_id = $2, display_name = 'Pia Person',"
            " bio = 'Pia''s bio' where id = $1",
            provider,
            pia.id,
        )
        await seed.conn.execute(
            "insert into app.time_off (org_id, provider_id, period, reason)"
            " values ($1, $2, tstzrange(now() + interval '1 day', now() + interval '2 days'),"
            " 'Pia''s surgery')",
            org_id,
            provider,
        )
        # She leaves the salon (unlinked), then deletes her account.
        await seed.conn.execute("delete from app.memberships where user_id = $1", pia.id)
        await seed.conn.execute("update app.providers set user_id = null where id = $1", provider)
        erased = await client.delete("/api/v1/users/me", headers=pia.headers)
        assert erased.status_code == 204, erased.text
        row = await seed.conn.fetchrow(
            "select p.display_name, p.bio, (select string_agg(t.reason, ',') from app.time_off t"
            " where t.provider_id = p.id) as reasons from app.providers p where p.id = $1",
            provider,
        )
        assert (row["display_name"], row["bio"], row["reasons"]) == ("Former provider", "", "")
    finally:
        await seed.close()


async def test_the_superuser_bootstrap_does_not_promote_an_unproven_registration(
    client: Any, make_account: Any, db: Any
) -> None:
    import asyncpg

    squatter = await make_account("ops")  # registered the operator's address first, unverified
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        await conn.fetchval(
            "select private.create_superuser($1, $2)", squatter.email, "operator-chosen-secret"
        )
    finally:
        await conn.close()
    theirs = {"email": squatter.email, "password": squatter.password}
    assert (await client.post("/api/v1/auth/login", json=theirs)).status_code == 401
    refused = await client.get("/api/v1/users/me", headers=squatter.headers)
    assert refused.status_code == 401 and refused.json()["code"] == "session_revoked"
    ours = {"email": squatter.email, "password": "operator-chosen-secret"}
    admin = await client.post("/api/v1/auth/login", json=ours)
    assert admin.status_code == 200 and admin.json()["user"]["email_verified"] is True


def test_text_an_organization_chose_cannot_break_an_emails_headers() -> None:
    from datetime import UTC, datetime

    from api.common.settings import MailSettings
    from api.outbox.render import render

    row = {
        "message_id": "invitation.x@slotbase",
        "kind": "invitation",
        "recipient_email": "anna@example.com",
        "locale": "en",
        "payload": {
            "org_name": "Salon\r\nBcc: everyone@example.com" + "x" * 500,
            "role": "staff",
            "inviter_name": "Olga\n",
            "expires_at": "2026-12-11T10:00:00Z",
        },
        "created_at": datetime.now(UTC),
    }
    msg = render(row, MailSettings())
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert msg["Bcc"] is None
    assert len(msg["Subject"]) < 200
    text = msg.get_body(("plain",)).get_content()
    assert "has invited you to join Salon Bcc" in text


async def test_caps_refuse_a_snapshot_that_would_miss_parallel_bookings(
    make_account: Any, db: Any
) -> None:
    """Under REPEATABLE READ a count after the advisory lock would miss what other transactions
    committed meanwhile, and parallel bookings could all pass the cap: refused, as a conflict."""
    import asyncpg

    seed, _, provider, service = await bookable(db, max_active_bookings_per_customer=1)
    alma = await seed.user("alma")
    conn = await asyncpg.connect(db.dsn_as("authenticator"))
    try:
        with pytest.raises(asyncpg.PostgresError) as caught:
            async with conn.transaction(isolation="repeatable_read"):
                await conn.execute(
                    "select set_config('request.jwt.claims', $1, true),"
                    " set_config('role', 'authenticated', true)",
                    alma.claims,
                )
                await conn.fetchval(
                    "select api.create_booking($1, $2, $3)",
                    provider,
                    service,
                    day_at(3, "09:00"),
                )
        assert caught.value.sqlstate == "PT409"
        assert caught.value.as_dict()["message"] == "conflict"
    finally:
        await conn.close()
        await seed.close()
