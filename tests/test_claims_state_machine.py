"""Any sequence of holds, bookings (of one provider or "any"), confirmations, releases,
cancellations, expiries and waitlist entries keeps every calendar free of overlapping live
claims, every shared resource within its capacity, and every waitlist entry in step with the
hold it was offered.

A hypothesis state machine drives the api functions at the SQL level, on a connection as
authenticator acting (as private.handle_request does) as one of four customers; the clock is
pinned and moved forward by a rule, and the worker's maintenance (private.expire_holds) runs as
the superuser. A model predicts each answer down to the error code, which provider an "any"
claim lands on, which unit of the shared room each live claim holds, and which waitlist entry is
offered which start when time frees up; the checks after every step read the tables as the
superuser, past the exclusion constraints and RLS.

With shared resources (the service needs one room of ROOMS, fewer than the providers), a start
is bookable with a provider when the provider's calendar is free there and one room unit is free
for the whole blocked time: a unit is used by the live claims it was allocated to (live holds,
pending and confirmed bookings), and a new claim gets the lowest free unit, for good. So a room
can be short although fewer than ROOMS claims overlap at any instant: two claims on different
units, one on each side of the start, leave no single unit free for the whole hour.
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
CLOCK = datetime.fromisoformat("2026-03-01T09:00:00+00:00")  # Sunday; Monday is ahead
MONDAY = date(2026, 3, 2)
OPEN, CLOSE = 9 * 60, 13 * 60  # Monday 09:00-13:00 for every provider
DURATION, GRID, HOLD_MINUTES = 60, 30, 10
# Minutes after midnight: the 30-minute grid from 09:00, one start off it, one too late.
CANDIDATES = [OPEN + GRID * n for n in range(7)] + [9 * 60 + 15, 12 * 60 + 30]
WINDOWS = [(9 * 60, 10 * 60 + 30), (10 * 60, 12 * 60), (11 * 60, 13 * 60), (9 * 60, 13 * 60)]
CUSTOMERS = ["alma", "bo", "cleo", "dan"]
PROVIDERS = 3
ROOMS = 2  # one room resource with fewer units than providers (when claims are kept)
LIVE_OVERLAPS = """
select a.id as a, b.id as b
from app.bookings a
join app.bookings b
  on a.provider_id = b.provider_id and a.blocked && b.blocked and a.id < b.id
where a.org_id = $1
  and (a.status in ('pending', 'confirmed')
       or (a.status = 'held' and a.hold_expires_at > private.now()))
  and (b.status in ('pending', 'confirmed')
       or (b.status = 'held' and b.hold_expires_at > private.now()))
"""
LIVE_RESOURCE_CLAIMS = """
select c.resource_id, c.unit, c.blocked, r.capacity
from app.resource_claims c
join app.resources r on r.id = c.resource_id
where c.org_id = $1 and (upper_inf(c.claimed) or upper(c.claimed) > private.now())
"""


def at(minutes: int) -> str:
    return local(MONDAY, f"{minutes // 60:02d}:{minutes % 60:02d}", ZONE)


def minutes_of(text: str) -> int:
    moment = datetime.fromisoformat(text)
    return moment.hour * 60 + moment.minute


def fits(start: int) -> bool:
    return (start - OPEN) % GRID == 0 and start >= OPEN and start + DURATION <= CLOSE


def block(start: int) -> tuple[int, int]:
    return start, start + DURATION


@dataclass
class Claim:
    """The model of one row of app.bookings: a hold or a booking."""

    provider: int
    customer: str
    start: int
    status: str  # held, confirmed, cancelled, or gone (a deleted hold)
    expires: int | None  # clock seconds, for a hold
    unit: int | None = None  # the room unit it holds while live (with resources)

    def live(self, now: int) -> bool:
        return self.status == "confirmed" or (
            self.status == "held" and self.expires is not None and self.expires > now
        )


@dataclass
class Entry:
    """The model of one waitlist entry."""

    id: str
    customer: str
    provider: int | None
    window: tuple[int, int]
    created: int  # clock seconds
    status: str = "waiting"
    hold: str | None = None


class ClaimsMachine(RuleBasedStateMachine):
    admin_dsn: ClassVar[str]
    authenticator_dsn: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.claims: dict[str, Claim] = {}
        self.entries: dict[str, Entry] = {}
        self.now = 0  # seconds after CLOCK
        self.run(self.open())

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def open(self) -> None:
        self.seed = await Seed.connect(self.admin_dsn)
        self.sql = await Sql.connect(self.authenticator_dsn)
        seed = self.seed
        # Earlier examples' holds would expire along with this one's: the maintenance job
        # deletes expired holds of every organization.
        await seed.conn.execute("delete from app.waitlist_entries")
        await seed.conn.execute("delete from app.bookings where status = 'held'")
        await seed.freeze(CLOCK)
        self.org = await seed.org(timezone=ZONE, cutoff_minutes=0)
        await seed.conn.execute(
            "update app.organizations set max_active_bookings_per_customer = 1000,"
            " hold_minutes = $2 where id = $1",
            self.org,
            HOLD_MINUTES,
        )
        self.customers = {name: await seed.user() for name in CUSTOMERS}
        made = [await seed.provider(self.org) for _ in range(PROVIDERS)]
        # Provider i is the i-th in the order "any" breaks ties by (created_at, id).
        rows = await seed.conn.fetch(
            "select id from app.providers where org_id = $1 order by created_at, id", self.org
        )
        self.providers = [str(row["id"]) for row in rows]
        assert sorted(self.providers) == sorted(made)
        self.service = await seed.service(
            self.org, self.providers, duration=DURATION, interval=GRID
        )
        for provider in self.providers:
            await seed.hours(provider, [1], "09:00", "13:00")
        # Shared rooms only where bookings keep resource claims (a trigger on app.bookings):
        # otherwise the requirement would be written down and never enforced.
        self.resources = bool(
            await seed.conn.fetchval(
                "select exists (select 1 from pg_trigger where tgname like '%resource%'"
                " and tgrelid = 'app.bookings'::regclass)"
            )
        )
        if self.resources:
            await seed.conn.execute(
                "insert into app.resources (org_id, name, kind, capacity)"
                " values ($1, 'Rooms', 'room', $2)",
                self.org,
                ROOMS,
            )
            await seed.conn.execute(
                "insert into app.service_resources (org_id, service_id, kind, count)"
                " values ($1, $2, 'room', 1)",
                self.org,
                self.service,
            )

    def teardown(self) -> None:
        async def close() -> None:
            await self.sql.close()
            await self.seed.close()

        self.run(close())
        self.loop.close()

    # -- the model --------------------------------------------------------------------------

    def taken(self, provider: int, start: int, ignore: str | None = None) -> bool:
        lo, hi = block(start)
        return any(
            c.provider == provider and c.live(self.now) and c.start < hi and lo < c.start + DURATION
            for claim_id, c in self.claims.items()
            if claim_id != ignore
        )

    def room_for(self, start: int) -> int | None:
        """The unit a new claim of the block gets: the lowest one that no live claim uses
        anywhere in the block (private.sync_resource_claims; private.resources_free agrees).
        None when every unit is in use somewhere in the block, or without resources."""
        if not self.resources:
            return None
        lo, hi = block(start)
        used = {
            c.unit
            for c in self.claims.values()
            if c.live(self.now) and c.start < hi and lo < c.start + DURATION
        }
        return next((unit for unit in range(1, ROOMS + 1) if unit not in used), None)

    def room_free(self, start: int) -> bool:
        return not self.resources or self.room_for(start) is not None

    def booked_that_day(self, provider: int) -> int:
        return sum(
            1 for c in self.claims.values() if c.provider == provider and c.status == "confirmed"
        )

    def expected_claim(self, provider: int | None, start: int) -> tuple[str, int | None]:
        """The answer to a new hold or booking, and the provider it lands on.

        private.slot_problem checks working hours, then the provider's own calendar, then the
        room. The room is shared, so for "any" it is free for every provider or for none: a
        provider with a free calendar makes the answer resource_unavailable, none slot_taken
        (private.take_calendar)."""
        if not fits(start):
            return "PT422 outside_working_hours", None
        candidates = range(PROVIDERS) if provider is None else [provider]
        free = [p for p in candidates if not self.taken(p, start)]
        if not free:
            return "PT409 slot_taken", None
        if not self.room_free(start):
            return "PT409 resource_unavailable", None
        # The fewest pending/confirmed bookings that day, then the order providers were added.
        return "ok", min(free, key=lambda p: (self.booked_that_day(p), p))

    def offers(self, freed: list[tuple[int, int]]) -> list[tuple[str, int, int, int | None]]:
        """private.offer_waitlist on each (provider, start) freed in turn: which waiting entry
        gets a hold on which start (the first in its window free on the provider's calendar
        and with a free room unit), holding which unit. Applies the holds to a scratch copy of
        the claims."""
        claims = dict(self.claims)
        entries = {entry_id: Entry(**vars(e)) for entry_id, e in self.entries.items()}
        made: list[tuple[str, int, int, int | None]] = []
        saved = self.claims
        try:
            self.claims = claims
            for provider, freed_start in freed:
                lo, hi = block(freed_start)
                line = sorted(
                    (e for e in entries.values() if e.status == "waiting"),
                    key=lambda e: (e.created, e.id),
                )
                for entry in line:
                    if entry.provider not in (None, provider):
                        continue
                    if not (entry.window[0] < hi and lo < entry.window[1]):
                        continue
                    starts = [
                        s
                        for s in range(entry.window[0], entry.window[1])
                        if fits(s) and not self.taken(provider, s) and self.room_free(s)
                    ]
                    if not starts:
                        continue
                    start = min(starts)
                    unit = self.room_for(start)
                    key = f"offer-{len(made)}"
                    claims[key] = Claim(
                        provider, entry.customer, start, "held", self.now + HOLD_MINUTES * 60, unit
                    )
                    entry.status, entry.hold = "offered", key
                    made.append((entry.id, provider, start, unit))
        finally:
            self.claims = saved
        return made

    def call(self, who: Caller, sql: str, *args: Any) -> tuple[str, Any]:
        try:
            return "ok", self.run(self.sql.call(who, sql, *args))
        except SqlError as exc:
            return f"{exc.sqlstate} {exc.code}", None

    def take_offers(
        self, predicted: list[tuple[str, int, int, int | None]] | None, alternatives=()
    ) -> None:
        """Read the offers the step made and check them against the prediction (or any of
        the alternatives, when the order of freeing is the database's to choose)."""
        rows = self.run(
            self.seed.conn.fetch(
                "select w.id, w.hold_id, b.provider_id, b.starts_at, b.customer_id,"
                " b.status::text, b.hold_expires_at,"
                " (select c.unit from app.resource_claims c where c.booking_id = b.id) as unit"
                " from app.waitlist_entries w join app.bookings b on b.id = w.hold_id"
                " where w.org_id = $1 and w.status = 'offered'",
                self.org,
            )
        )
        order = list(self.entries)
        fresh = sorted(
            (row for row in rows if str(row["hold_id"]) not in self.claims),
            key=lambda row: order.index(str(row["id"])),
        )
        got = sorted(
            (
                str(row["id"]),
                self.providers.index(str(row["provider_id"])),
                self.minutes(row["starts_at"]),
                row["unit"],
            )
            for row in fresh
        )
        options = [
            sorted(p) for p in ([predicted] if predicted is not None else []) + list(alternatives)
        ]
        assert got in options, (got, options)
        for row in fresh:
            entry = self.entries[str(row["id"])]
            assert str(row["customer_id"]) == self.customers[entry.customer].user_id
            assert row["status"] == "held"
            assert row["hold_expires_at"] == CLOCK + timedelta(seconds=self.now + HOLD_MINUTES * 60)
            hold_id = str(row["hold_id"])
            self.claims[hold_id] = Claim(
                self.providers.index(str(row["provider_id"])),
                entry.customer,
                self.minutes(row["starts_at"]),
                "held",
                self.now + HOLD_MINUTES * 60,
                row["unit"],
            )
            entry.status, entry.hold = "offered", hold_id

    def minutes(self, moment: datetime) -> int:
        return minutes_of(moment.astimezone(datetime.fromisoformat(at(OPEN)).tzinfo).isoformat())

    def lapse(self, hold_id: str) -> None:
        for entry in self.entries.values():
            if entry.hold == hold_id and entry.status == "offered":
                entry.status = "lapsed"
            if entry.hold == hold_id:
                entry.hold = None  # the foreign key is set null when the hold row goes

    def pick(self, data: st.DataObject, statuses: set[str], label: str) -> tuple[str, Claim]:
        ids = [i for i, c in self.claims.items() if c.status in statuses]  # in order of making
        wanted = [i for i in ids if self.claims[i].status == "held"]
        if wanted and data.draw(st.integers(0, 3), label="a hold as such") > 0:
            ids = wanted
        claim_id = data.draw(st.sampled_from(ids), label=label)
        return claim_id, self.claims[claim_id]

    # -- the rules ---------------------------------------------------------------------------

    def claim(self, kind: str, provider: int | None, start: int, customer: str) -> None:
        expected, lands_on = self.expected_claim(provider, start)
        unit = self.room_for(start)
        function = "api.create_hold" if kind == "hold" else "api.create_booking"
        outcome, answer = self.call(
            self.customers[customer],
            f"select {function}($1, $2, $3)",
            "any" if provider is None else self.providers[provider],
            self.service,
            at(start),
        )
        assert outcome == expected, (kind, provider, start, outcome, expected)
        if outcome != "ok":
            return
        assert lands_on is not None
        assert answer["provider_id"] == self.providers[lands_on], (answer, lands_on)
        assert (answer["service_id"], minutes_of(answer["start"])) == (self.service, start)
        assert minutes_of(answer["end"]) == start + DURATION
        if kind == "hold":
            expires = self.now + HOLD_MINUTES * 60
            assert set(answer) == {
                "id",
                "org_id",
                "provider_id",
                "service_id",
                "start",
                "end",
                "expires_at",
            }
            assert datetime.fromisoformat(answer["expires_at"]) == CLOCK + timedelta(
                seconds=expires
            )
            self.claims[answer["id"]] = Claim(lands_on, customer, start, "held", expires, unit)
        else:
            assert answer["status"] == "confirmed"
            self.claims[answer["id"]] = Claim(lands_on, customer, start, "confirmed", None, unit)

    @rule(
        provider=st.sampled_from([None, 0, 1, 2]),
        start=st.sampled_from(CANDIDATES),
        customer=st.sampled_from(CUSTOMERS),
    )
    def create_hold(self, provider: int | None, start: int, customer: str) -> None:
        self.claim("hold", provider, start, customer)

    @rule(
        provider=st.sampled_from([None, 0, 1, 2]),
        start=st.sampled_from(CANDIDATES),
        customer=st.sampled_from(CUSTOMERS),
    )
    def create_booking(self, provider: int | None, start: int, customer: str) -> None:
        self.claim("booking", provider, start, customer)

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), holder=st.booleans())
    def confirm_hold(self, data: st.DataObject, holder: bool) -> None:
        hold_id, hold = self.pick(data, {"held", "confirmed", "cancelled", "gone"}, "hold")
        who = hold.customer if holder else CUSTOMERS[(CUSTOMERS.index(hold.customer) + 1) % 4]
        if not holder or hold.status in {"gone", "cancelled"}:
            expected = "PT404 not_found"
        elif hold.status == "confirmed":
            expected = "PT409 invalid_transition"
        elif not hold.live(self.now):
            expected = "PT410 hold_expired"
        else:
            expected = "ok"
        outcome, answer = self.call(self.customers[who], "select api.confirm_hold($1)", hold_id)
        assert outcome == expected, (hold, holder, self.now, outcome, expected)
        if outcome == "ok":
            assert (answer["id"], answer["status"]) == (hold_id, "confirmed")
            assert minutes_of(answer["start"]) == hold.start
            assert answer["provider_id"] == self.providers[hold.provider]
            hold.status, hold.expires = "confirmed", None
            for entry in self.entries.values():
                if entry.hold == hold_id and entry.status == "offered":
                    entry.status = "booked"

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), holder=st.booleans())
    def release_hold(self, data: st.DataObject, holder: bool) -> None:
        hold_id, hold = self.pick(data, {"held", "confirmed", "cancelled", "gone"}, "hold")
        who = hold.customer if holder else CUSTOMERS[(CUSTOMERS.index(hold.customer) + 1) % 4]
        expected = "ok" if holder and hold.status == "held" else "PT404 not_found"
        outcome, _ = self.call(self.customers[who], "select api.release_hold($1)", hold_id)
        assert outcome == expected, (hold, holder, outcome, expected)
        if outcome == "ok":
            hold.status = "gone"
            self.lapse(hold_id)
            self.take_offers(self.offers([(hold.provider, hold.start)]))

    @precondition(
        lambda self: any(c.status in {"confirmed", "cancelled"} for c in self.claims.values())
    )
    @rule(data=st.data())
    def cancel_booking(self, data: st.DataObject) -> None:
        booking_id, booking = self.pick(data, {"confirmed", "cancelled"}, "booking")
        expected = "ok" if booking.status == "confirmed" else "PT409 invalid_transition"
        outcome, answer = self.call(
            self.customers[booking.customer], "select api.cancel_booking($1)", booking_id
        )
        assert outcome == expected, (booking, outcome, expected)
        if outcome == "ok":
            assert answer["status"] == "cancelled"
            booking.status = "cancelled"
            self.take_offers(self.offers([(booking.provider, booking.start)]))

    @rule(minutes=st.sampled_from([3, 7, 12]))
    def advance_clock(self, minutes: int) -> None:
        self.tick(minutes * 60)

    def tick(self, seconds: int) -> None:
        self.now += seconds
        self.run(self.seed.freeze(CLOCK + timedelta(seconds=self.now)))

    @rule()
    def expire_holds(self) -> None:
        expired = [
            (claim_id, c)
            for claim_id, c in self.claims.items()
            if c.status == "held" and c.expires is not None and c.expires <= self.now
        ]
        count = self.run(self.seed.conn.fetchval("select private.expire_holds()"))
        assert count == len(expired), (count, expired)
        for claim_id, claim in expired:
            claim.status = "gone"
            self.lapse(claim_id)
        freed = [(c.provider, c.start) for _, c in expired]
        # The rows are deleted in an order of the plan's choosing; each one's offers follow it.
        orders = list(itertools.islice(itertools.permutations(freed), 720))
        self.take_offers(None, [self.offers(list(order)) for order in orders] or [[]])

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        provider=st.sampled_from([None, 0, 1, 2]),
        window=st.sampled_from(WINDOWS),
    )
    def join_waitlist(self, customer: str, provider: int | None, window: tuple[int, int]) -> None:
        # A second apart, so the line is in the order of joining (at one instant it would be in
        # the order of the entries' random ids).
        self.tick(1)
        outcome, entry = self.call(
            self.customers[customer],
            "select api.join_waitlist($1, $2, $3, $4)",
            self.service,
            at(window[0]),
            at(window[1]),
            None if provider is None else self.providers[provider],
        )
        assert outcome == "ok", outcome
        assert (entry["status"], entry["hold_id"], entry["offered_at"]) == ("waiting", None, None)
        assert (minutes_of(entry["from"]), minutes_of(entry["to"])) == window
        assert entry["provider_id"] == (None if provider is None else self.providers[provider])
        self.entries[entry["id"]] = Entry(entry["id"], customer, provider, window, self.now)

    # -- the invariants ----------------------------------------------------------------------

    @invariant()
    def no_two_live_claims_of_a_provider_overlap(self) -> None:
        assert self.run(self.seed.conn.fetch(LIVE_OVERLAPS, self.org)) == []

    @invariant()
    def live_resource_claims_stay_within_capacity(self) -> None:
        rows = self.run(self.seed.conn.fetch(LIVE_RESOURCE_CLAIMS, self.org))
        for a, b in itertools.combinations(rows, 2):
            same_unit = (a["resource_id"], a["unit"]) == (b["resource_id"], b["unit"])
            overlap = (
                a["blocked"].lower < b["blocked"].upper and b["blocked"].lower < a["blocked"].upper
            )
            assert not (same_unit and overlap), (a, b)
        for row in rows:
            at_once = [
                r
                for r in rows
                if r["resource_id"] == row["resource_id"]
                and r["blocked"].lower <= row["blocked"].lower < r["blocked"].upper
            ]
            assert len(at_once) <= row["capacity"], at_once
            assert 1 <= row["unit"] <= row["capacity"]
        if self.resources:
            # Every live claim of the service holds one room: the unit the model gave it.
            live = {
                claim_id: (c.start, c.unit)
                for claim_id, c in self.claims.items()
                if c.live(self.now)
            }
            held = {
                str(row["booking_id"]): (self.minutes(row["blocked"].lower), row["unit"])
                for row in self.run(
                    self.seed.conn.fetch(
                        "select booking_id, unit, blocked from app.resource_claims"
                        " where org_id = $1"
                        " and (upper_inf(claimed) or upper(claimed) > private.now())",
                        self.org,
                    )
                )
            }
            assert len(rows) == len(held)
            assert held == live, (held, live)

    @invariant()
    def waitlist_entries_follow_their_holds(self) -> None:
        rows = self.run(
            self.seed.conn.fetch(
                "select w.id, w.status, w.hold_id, b.status::text as hold_status,"
                " b.hold_expires_at > private.now() as live"
                " from app.waitlist_entries w left join app.bookings b on b.id = w.hold_id"
                " where w.org_id = $1",
                self.org,
            )
        )
        for row in rows:
            if row["hold_status"] == "held" and row["live"]:
                assert row["status"] == "offered", dict(row)
            if row["status"] == "booked":
                booking = self.claims[str(row["hold_id"])]
                wanted = {"confirmed"} if booking.status == "confirmed" else {"cancelled"}
                assert row["hold_status"] in wanted, dict(row)
            if row["status"] == "offered":
                assert row["hold_status"] == "held", dict(row)

    @invariant()
    def the_database_holds_what_the_model_holds(self) -> None:
        rows = self.run(
            self.seed.conn.fetch(
                "select id, provider_id, customer_id, starts_at, ends_at, status::text,"
                " hold_expires_at from app.bookings where org_id = $1",
                self.org,
            )
        )
        stored = {
            str(row["id"]): (
                self.providers.index(str(row["provider_id"])),
                str(row["customer_id"]),
                self.minutes(row["starts_at"]),
                row["ends_at"] - row["starts_at"],
                row["status"],
                row["hold_expires_at"],
            )
            for row in rows
        }
        assert stored == {
            claim_id: (
                c.provider,
                self.customers[c.customer].user_id,
                c.start,
                timedelta(minutes=DURATION),
                c.status,
                None if c.expires is None else CLOCK + timedelta(seconds=c.expires),
            )
            for claim_id, c in self.claims.items()
            if c.status != "gone"
        }
        entries = self.run(
            self.seed.conn.fetch(
                "select id, status, hold_id from app.waitlist_entries where org_id = $1", self.org
            )
        )
        assert {
            str(row["id"]): (row["status"], None if row["hold_id"] is None else str(row["hold_id"]))
            for row in entries
        } == {entry_id: (e.status, e.hold) for entry_id, e in self.entries.items()}


def test_any_sequence_of_claims_keeps_calendars_resources_and_the_waitlist_consistent(db: Any):
    machine = type(
        "ClaimsMachineOnTestDatabase",
        (ClaimsMachine,),
        {"admin_dsn": db.admin_dsn, "authenticator_dsn": db.dsn_as("authenticator")},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=50,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
