"""Any sequence of booking operations keeps every calendar free of overlaps, every status path
legal and every change in the history.

A hypothesis state machine drives the api functions at the SQL level, on a connection as
authenticator acting (as private.handle_request does) as staff, the provider, the booking's
customer or another customer. A model predicts each answer, down to the error code; the checks
after every step read the tables as the superuser, past the exclusion constraint and RLS.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.support.bookings import Caller, Seed, Sql, SqlError, local

# On a failure Hypothesis imports libcst to print the example as a patch; libcst trips this.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
)

ZONE = "Europe/Copenhagen"
CLOCK = "2026-02-27T09:00:00Z"
MONDAY = date(2026, 3, 2)
OPEN, CLOSE = 9 * 60, 13 * 60  # Monday 09:00-13:00 for every provider
# Minutes after midnight: the 30-minute grid from 09:00, one start off it, two too late.
CANDIDATES = [9 * 60 + 30 * n for n in range(9)] + [9 * 60 + 45]


@dataclass(frozen=True)
class ServiceRule:
    duration: int
    before: int
    after: int
    requires_confirmation: bool

    def fits(self, start: int) -> bool:
        on_grid = (start - OPEN) % 30 == 0
        return (
            on_grid and start - self.before >= OPEN and start + self.duration + self.after <= CLOSE
        )

    def block(self, start: int) -> tuple[int, int]:
        return start - self.before, start + self.duration + self.after


SERVICES = {
    "plain": ServiceRule(duration=45, before=10, after=5, requires_confirmation=False),
    "gated": ServiceRule(duration=30, before=0, after=15, requires_confirmation=True),
}
TRANSITIONS = {
    "cancel": ({"pending", "confirmed"}, "cancelled"),
    "confirm": ({"pending"}, "confirmed"),
    "decline": ({"pending"}, "declined"),
    "complete": ({"confirmed"}, "completed"),
    "no_show": ({"confirmed"}, "no_show"),
}
ACTIVE = {"pending", "confirmed"}
LEGAL_HISTORY = {
    (None, "pending"),
    (None, "confirmed"),
    ("pending", "pending"),
    ("confirmed", "confirmed"),
    *((old, new) for olds, new in TRANSITIONS.values() for old in olds),
}
ACTORS = st.sampled_from(["staff", "staff", "customer", "provider", "stranger"])


@dataclass
class Booking:
    """The model of one booking: what the database must hold after every step."""

    provider: int
    service: str
    customer: str
    start: int
    status: str
    sequence: int = 0
    history: int = 1

    def block(self) -> tuple[int, int]:
        return SERVICES[self.service].block(self.start)


def at(minutes: int) -> str:
    return local(MONDAY, f"{minutes // 60:02d}:{minutes % 60:02d}", ZONE)


def minutes_of(text: str) -> int:
    moment = datetime.fromisoformat(text)
    return moment.hour * 60 + moment.minute


class BookingMachine(RuleBasedStateMachine):
    admin_dsn: ClassVar[str]
    authenticator_dsn: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.bookings: dict[str, Booking] = {}
        self.run(self.open())

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def open(self) -> None:
        self.seed = await Seed.connect(self.admin_dsn)
        self.sql = await Sql.connect(self.authenticator_dsn)
        seed = self.seed
        await seed.freeze(CLOCK)
        self.org = await seed.org(timezone=ZONE, cutoff_minutes=0)
        self.staff, self.pia = await seed.user(), await seed.user()
        self.customers = {"alma": await seed.user(), "bo": await seed.user()}
        await seed.member(self.org, self.staff.user_id, "staff")
        await seed.member(self.org, self.pia.user_id, "provider")
        # Provider 0 is pia herself; 1 and 2 have no account.
        self.providers = [
            await seed.provider(self.org, user_id=self.pia.user_id),
            await seed.provider(self.org),
            await seed.provider(self.org),
        ]
        self.services = {
            name: await seed.service(
                self.org,
                self.providers,
                duration=spec.duration,
                before=spec.before,
                after=spec.after,
                interval=30,
                requires_confirmation=spec.requires_confirmation,
            )
            for name, spec in SERVICES.items()
        }
        for provider in self.providers:
            await seed.hours(provider, [1], "09:00", "13:00")

    def teardown(self) -> None:
        async def close() -> None:
            await self.sql.close()
            await self.seed.close()

        self.run(close())
        self.loop.close()

    # -- the model --------------------------------------------------------------------------

    def taken(self, provider: int, block: tuple[int, int], ignore: str | None = None) -> bool:
        return any(
            b.provider == provider
            and b.status in ACTIVE
            and b.block()[0] < block[1]
            and block[0] < b.block()[1]
            for booking_id, b in self.bookings.items()
            if booking_id != ignore
        )

    def actor(self, who: str, booking: Booking) -> Caller:
        if who == "staff":
            return self.staff
        if who == "provider":
            return self.pia
        if who == "customer":
            return self.customers[booking.customer]
        return self.customers["bo" if booking.customer == "alma" else "alma"]

    def call(self, who: Caller, sql: str, *args: Any) -> tuple[str, Any]:
        try:
            return "ok", self.run(self.sql.call(who, sql, *args))
        except SqlError as exc:
            return f"{exc.sqlstate} {exc.code}", None

    def pick(self, data: st.DataObject) -> tuple[str, Booking]:
        booking_id = data.draw(st.sampled_from(sorted(self.bookings)), label="booking")
        return booking_id, self.bookings[booking_id]

    # -- the rules ---------------------------------------------------------------------------

    @rule(
        provider=st.integers(0, 2),
        service=st.sampled_from(sorted(SERVICES)),
        start=st.sampled_from(CANDIDATES),
        customer=st.sampled_from(["alma", "bo"]),
        by_staff=st.booleans(),
    )
    def create(self, provider: int, service: str, start: int, customer: str, by_staff: bool):
        spec = SERVICES[service]
        known = any(b.customer == customer for b in self.bookings.values())
        if by_staff and not known:
            expected = "PT422 validation_failed"  # staff book only for their own customers
        elif not spec.fits(start):
            expected = "PT422 outside_working_hours"
        elif self.taken(provider, spec.block(start)):
            expected = "PT409 slot_taken"
        else:
            expected = "ok"
        who = self.staff if by_staff else self.customers[customer]
        outcome, booking = self.call(
            who,
            "select api.create_booking($1, $2, $3, customer_id => $4)",
            self.providers[provider],
            self.services[service],
            at(start),
            self.customers[customer].user_id if by_staff else None,
        )
        assert outcome == expected, (outcome, expected)
        if outcome == "ok":
            status = "pending" if spec.requires_confirmation else "confirmed"
            assert (booking["status"], minutes_of(booking["start"])) == (status, start)
            assert booking["customer_id"] == self.customers[customer].user_id
            self.bookings[booking["id"]] = Booking(provider, service, customer, start, status)

    def transition(self, data: st.DataObject, action: str, who: str) -> None:
        booking_id, booking = self.pick(data)
        allowed_from, to = TRANSITIONS[action]
        if who == "stranger" or (who == "provider" and booking.provider != 0):
            expected = "PT404 not_found"
        elif action == "cancel" and who == "provider":
            expected = "PT403 forbidden"  # cancelling is for the customer and staff
        elif action != "cancel" and who == "customer":
            expected = "PT403 forbidden"  # the workflow is for staff and the provider
        elif booking.status not in allowed_from:
            expected = "PT409 invalid_transition"
        else:
            expected = "ok"
        outcome, answer = self.call(
            self.actor(who, booking), f"select api.{action}_booking($1)", booking_id
        )
        assert outcome == expected, (action, who, booking.status, outcome, expected)
        if outcome == "ok":
            assert answer["status"] == to
            booking.status = to
            booking.history += 1

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), who=ACTORS)
    def cancel(self, data: st.DataObject, who: str) -> None:
        self.transition(data, "cancel", who)

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), who=ACTORS)
    def confirm(self, data: st.DataObject, who: str) -> None:
        self.transition(data, "confirm", who)

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), who=ACTORS)
    def decline(self, data: st.DataObject, who: str) -> None:
        self.transition(data, "decline", who)

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), who=ACTORS)
    def complete(self, data: st.DataObject, who: str) -> None:
        self.transition(data, "complete", who)

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), who=ACTORS)
    def no_show(self, data: st.DataObject, who: str) -> None:
        self.transition(data, "no_show", who)

    @precondition(lambda self: self.bookings)
    @rule(data=st.data(), who=st.sampled_from(["staff", "customer", "provider", "stranger"]))
    def reschedule(self, data: st.DataObject, who: str) -> None:
        booking_id, booking = self.pick(data)
        # A move to the same start is left out: it bumps the sequence but changes no time.
        start = data.draw(st.sampled_from([c for c in CANDIDATES if c != booking.start]))
        spec = SERVICES[booking.service]
        if who == "stranger" or (who == "provider" and booking.provider != 0):
            expected = "PT404 not_found"
        elif who == "provider":
            expected = "PT403 forbidden"
        elif booking.status not in ACTIVE:
            expected = "PT409 invalid_transition"
        elif not spec.fits(start):
            expected = "PT422 outside_working_hours"
        elif self.taken(booking.provider, spec.block(start), ignore=booking_id):
            expected = "PT409 slot_taken"
        else:
            expected = "ok"
        outcome, answer = self.call(
            self.actor(who, booking), "select api.reschedule_booking($1, $2)", booking_id, at(start)
        )
        assert outcome == expected, (who, booking.status, outcome, expected)
        if outcome == "ok":
            booking.start, booking.sequence, booking.history = (
                start,
                booking.sequence + 1,
                booking.history + 1,
            )
            assert (answer["id"], minutes_of(answer["start"])) == (booking_id, start)
            assert (answer["sequence"], answer["status"]) == (booking.sequence, booking.status)

    # -- the invariants ----------------------------------------------------------------------

    @invariant()
    def no_two_active_bookings_of_a_provider_overlap(self) -> None:
        assert self.run(self.seed.overlaps()) == []

    @invariant()
    def the_database_holds_what_the_model_holds(self) -> None:
        rows = self.run(
            self.seed.conn.fetch(
                "select id, provider_id, starts_at, ends_at, status::text, sequence"
                " from app.bookings where org_id = $1",
                self.org,
            )
        )
        held = {
            str(row["id"]): (
                str(row["provider_id"]),
                row["starts_at"],
                row["ends_at"] - row["starts_at"],
                row["status"],
                row["sequence"],
            )
            for row in rows
        }
        assert held == {
            booking_id: (
                self.providers[b.provider],
                datetime.fromisoformat(at(b.start)),
                timedelta(minutes=SERVICES[b.service].duration),
                b.status,
                b.sequence,
            )
            for booking_id, b in self.bookings.items()
        }

    @invariant()
    def the_history_accounts_for_every_change(self) -> None:
        rows = self.run(
            self.seed.conn.fetch(
                "select booking_id, from_status::text, to_status::text"
                " from app.booking_history where org_id = $1 order by id",
                self.org,
            )
        )
        paths: dict[str, list[tuple[str | None, str]]] = {}
        for row in rows:
            paths.setdefault(str(row["booking_id"]), []).append(
                (row["from_status"], row["to_status"])
            )
        assert set(paths) == set(self.bookings)
        for booking_id, booking in self.bookings.items():
            path = paths[booking_id]
            assert len(path) == booking.history, (booking_id, path, booking)
            assert path[-1][1] == booking.status
            assert set(path) <= LEGAL_HISTORY, path
            assert all(a[1] == b[0] for a, b in itertools.pairwise(path)), path


def test_any_sequence_of_booking_operations_keeps_calendars_and_history_consistent(db: Any):
    machine = type(
        "BookingMachineOnTestDatabase",
        (BookingMachine,),
        {"admin_dsn": db.admin_dsn, "authenticator_dsn": db.dsn_as("authenticator")},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=10,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
