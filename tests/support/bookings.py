"""Booking-domain fixtures for the slot and booking tests.

Organizations, memberships, providers, services and their hours are plain INSERTs as the
superuser (`Seed`), so these tests depend on the slot engine and the booking functions only.
Calls under test run as the API runs them: on a connection as `authenticator`, inside one
transaction that first becomes the caller as `private.handle_request` does (`Sql`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

API = "/api/v1"
PASSWORD = "velvet-otter-harbour"
_numbers = itertools.count(1)

# Every pair of active bookings of one provider whose blocked ranges overlap; read as the
# superuser, so it sees what the exclusion constraint would have had to stop.
OVERLAPS = """
select a.id as a, b.id as b
from app.bookings a
join app.bookings b
  on a.provider_id = b.provider_id and a.blocked && b.blocked and a.id < b.id
where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}"


def local(day: date, hhmm: str, zone: str) -> str:
    """RFC 3339 text of a wall-clock time on a date in a zone, with that instant's offset."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))
    return at.isoformat()


def starts(slots: dict[str, Any]) -> list[str]:
    return [slot["start"] for slot in slots["slots"]]


def clock_times(slots: dict[str, Any]) -> list[str]:
    """The local HH:MM of each slot start (the text between 'T' and the seconds)."""
    return [slot["start"][11:16] for slot in slots["slots"]]


@dataclass(frozen=True)
class Caller:
    """A user with an open session: the claims a verified access token would carry."""

    user_id: str
    session_id: str

    @property
    def claims(self) -> str:
        return json.dumps({"sub": self.user_id, "sid": self.session_id, "role": "authenticated"})


class Seed:
    """Superuser INSERTs of the booking domain's reference data."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    def __repr__(self) -> str:
        return "Seed(superuser)"

    @classmethod
    async def connect(cls, admin_dsn: str) -> Seed:
        return cls(await asyncpg.connect(admin_dsn))

    async def close(self) -> None:
        await self.conn.close()

    async def freeze(self, at: str | datetime) -> None:
        value = datetime.fromisoformat(at) if isinstance(at, str) else at
        await self.conn.execute(
            "insert into private.clock (frozen_at) values ($1)"
            " on conflict (id) do update set frozen_at = excluded.frozen_at",
            value,
        )

    async def user(self, handle: str | None = None) -> Caller:
        email = f"{handle or unique('user')}@example.com"
        user_id = await self.conn.fetchval(
            "select (private.register($1, $2, null, null) ->> 'id')", email, PASSWORD
        )
        return await self.session(user_id)

    async def session(self, user_id: str) -> Caller:
        session_id = await self.conn.fetchval(
            "insert into auth.sessions (user_id, expires_at)"
            " values ($1, now() + interval '3650 days') returning id",
            user_id,
        )
        return Caller(str(user_id), str(session_id))

    async def org(
        self,
        *,
        timezone: str = "Europe/Copenhagen",
        currency: str = "DKK",
        cutoff_minutes: int = 1440,
    ) -> str:
        slug = unique("org")
        return str(
            await self.conn.fetchval(
                "insert into app.organizations (slug, name, timezone, currency,"
                " cancellation_cutoff_minutes) values ($1, $1, $2, $3, $4) returning id",
                slug,
                timezone,
                currency,
                cutoff_minutes,
            )
        )

    async def member(self, org_id: str, user_id: str, role: str) -> None:
        await self.conn.execute(
            "insert into app.memberships (org_id, user_id, role) values ($1, $2, $3)",
            org_id,
            user_id,
            role,
        )

    async def provider(
        self,
        org_id: str,
        *,
        timezone: str | None = None,
        user_id: str | None = None,
        active: bool = True,
    ) -> str:
        return str(
            await self.conn.fetchval(
                "insert into app.providers (org_id, user_id, display_name, timezone, active)"
                " values ($1, $2, $3, $4, $5) returning id",
                org_id,
                user_id,
                unique("provider"),
                timezone,
                active,
            )
        )

    async def service(
        self,
        org_id: str,
        provider_ids: Iterable[str],
        *,
        duration: int = 60,
        before: int = 0,
        after: int = 0,
        interval: int | None = None,
        price_minor: int = 45000,
        currency: str = "DKK",
        min_notice: int = 0,
        max_advance_days: int = 90,
        requires_confirmation: bool = False,
        active: bool = True,
    ) -> str:
        service_id = str(
            await self.conn.fetchval(
                "insert into app.services (org_id, name, duration_minutes,"
                " buffer_before_minutes, buffer_after_minutes, price_minor, currency,"
                " min_notice_minutes, max_advance_days, slot_interval_minutes,"
                " requires_confirmation, active)"
                " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
                org_id,
                unique("service"),
                duration,
                before,
                after,
                price_minor,
                currency,
                min_notice,
                max_advance_days,
                interval or duration,
                requires_confirmation,
                active,
            )
        )
        for provider_id in provider_ids:
            await self.conn.execute(
                "insert into app.service_providers (org_id, service_id, provider_id)"
                " values ($1, $2, $3)",
                org_id,
                service_id,
                provider_id,
            )
        return service_id

    async def hours(
        self,
        provider_id: str,
        weekdays: Iterable[int],
        start: str,
        end: str,
        *,
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> None:
        for weekday in weekdays:
            await self.conn.execute(
                "insert into app.working_hours"
                " (org_id, provider_id, weekday, starts, ends, valid_from, valid_until)"
                " select p.org_id, p.id, $2, $3::text::time, $4::text::time, $5, $6"
                " from app.providers p where p.id = $1",
                provider_id,
                weekday,
                start,
                end,
                valid_from,
                valid_until,
            )

    async def override(self, provider_id: str, on_date: date, windows: list[tuple[str, str]]):
        ranges = [f"[{on_date} {start},{on_date} {end})" for start, end in windows]
        await self.conn.execute(
            "insert into app.date_overrides (org_id, provider_id, on_date, windows)"
            " select p.org_id, p.id, $2, $3::text[]::tsrange[] from app.providers p"
            " where p.id = $1",
            provider_id,
            on_date,
            ranges,
        )

    async def time_off(self, provider_id: str, starts_at: str, ends_at: str) -> None:
        await self.conn.execute(
            "insert into app.time_off (org_id, provider_id, period)"
            " select p.org_id, p.id, tstzrange($2::text::timestamptz, $3::text::timestamptz)"
            " from app.providers p where p.id = $1",
            provider_id,
            starts_at,
            ends_at,
        )

    async def overlaps(self) -> list[tuple[str, str]]:
        return [(str(row["a"]), str(row["b"])) for row in await self.conn.fetch(OVERLAPS)]


class SqlError(Exception):
    """An application error from SQL: SQLSTATE PTnnn and its stable code."""

    def __init__(self, sqlstate: str, code: str, detail: str) -> None:
        super().__init__(f"{sqlstate} {code}: {detail}")
        self.sqlstate, self.code, self.detail = sqlstate, code, detail


class Sql:
    """One connection as authenticator; each call is one transaction acting as its caller."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    def __repr__(self) -> str:
        return "Sql(authenticator)"

    @classmethod
    async def connect(cls, dsn: str) -> Sql:
        return cls(await asyncpg.connect(dsn))

    async def close(self) -> None:
        await self.conn.close()

    async def become(self, who: Caller | None) -> None:
        # What private.handle_request does after checking the session: transaction-local
        # claims and role. (private.act_as is for superusers only: it takes unsigned claims.)
        await self.conn.execute(
            "select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)",
            "" if who is None else who.claims,
            "anon" if who is None else "authenticated",
        )

    async def call(self, who: Caller | None, sql: str, *args: Any) -> Any:
        """Run `sql` (returning one json value) as `who` (None = anon); PT errors -> SqlError."""
        try:
            async with self.conn.transaction():
                await self.become(who)
                value = await self.conn.fetchval(sql, *args)
        except asyncpg.PostgresError as exc:
            raise as_sql_error(exc) from exc
        return json.loads(value) if isinstance(value, str) else value

    async def slots(
        self, who: Caller | None, provider_id: str, service_id: str, start: str, end: str
    ) -> dict[str, Any]:
        return await self.call(
            who, "select api.available_slots($1, $2, $3, $4)", provider_id, service_id, start, end
        )

    async def check(self, who: Caller | None, provider_id: str, service_id: str, start: str):
        return await self.call(
            who, "select api.check_availability($1, $2, $3)", provider_id, service_id, start
        )

    async def book(
        self, who: Caller, provider_id: str, service_id: str, start: str, **extra: Any
    ) -> dict[str, Any]:
        return await self.call(
            who,
            "select api.create_booking($1, $2, $3, customer_note => $4, customer_id => $5)",
            provider_id,
            service_id,
            start,
            extra.get("customer_note"),
            extra.get("customer_id"),
        )

    async def act(self, who: Caller, action: str, booking_id: str, *args: Any) -> dict[str, Any]:
        """cancel / reschedule / confirm / decline / complete / no_show on one booking."""
        placeholders = "".join(f", ${n + 2}" for n in range(len(args)))
        sql = f"select api.{action}_booking($1{placeholders})"
        return await self.call(who, sql, booking_id, *args)


def as_sql_error(exc: asyncpg.PostgresError) -> Exception:
    state = exc.sqlstate or ""
    if state.startswith("PT"):
        return SqlError(state, str(getattr(exc, "message", "")), str(getattr(exc, "detail", "")))
    return exc
