"""Booking beyond one provider: org-wide slots of 50 providers over 30 days beside the 50
single-provider queries that answer the same question, and holds then confirmations beside plain
bookings, on the same calendars in one run.

Calls go the way the API sends them (private.handle_request as `authenticator`), so the figures
are the database's work for each answer, without HTTP.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import uvloop

from bench.common import cluster

HANDLE = "select * from private.handle_request($1, $2, $3, $4, $5, $6)"
CONTEXT = json.dumps({"id": "bench"})
ORG_SLOTS = (
    "select api.org_slots(org_id => r.org_id, service_id => r.service_id, "
    "range_from => r.range_from, range_to => r.range_to)::text "
    "from pg_catalog.jsonb_to_record($1) as r(org_id uuid, service_id uuid, "
    "range_from text, range_to text)"
)
SLOTS = (
    "select api.available_slots(provider_id => r.provider_id, service_id => r.service_id, "
    "range_from => r.range_from, range_to => r.range_to)::text "
    "from pg_catalog.jsonb_to_record($1) as r(provider_id uuid, service_id uuid, "
    "range_from text, range_to text)"
)
BOOK = (
    "select api.create_booking(provider_id => r.provider_id, service_id => r.service_id, "
    "start => r.start)::text from pg_catalog.jsonb_to_record($1) "
    "as r(provider_id text, service_id uuid, start text)"
)
HOLD = (
    "select api.create_hold(provider_id => r.provider_id, service_id => r.service_id, "
    "start => r.start)::text from pg_catalog.jsonb_to_record($1) "
    "as r(provider_id text, service_id uuid, start text)"
)
CONFIRM = (
    "select api.confirm_hold(id => r.id)::text from pg_catalog.jsonb_to_record($1) as r(id uuid)"
)
ZONE = "Europe/Copenhagen"
PROVIDERS = 50
DAYS = 30
CLIENTS = 8
OPERATIONS = 1000

# A salon of 50 providers, weekdays 09:00-17:00, a 45-minute service on a 15-minute grid, and
# three bookings a day for each provider across the measured month (through the real constraint).
SEED = """
with org as (
  insert into app.organizations (slug, name, max_active_bookings_per_customer)
  values ('bench-salon', 'Bench salon', 1000) returning id
), service as (
  insert into app.services (org_id, name, duration_minutes, price_minor, currency,
    slot_interval_minutes, max_advance_days)
  select id, 'Cut', 45, 45000, 'DKK', 15, 730 from org returning id, org_id
), providers as (
  insert into app.providers (org_id, display_name, created_at)
  select org.id, 'P' || i, now() + i * interval '1 microsecond'
  from org, generate_series(1, $1::int) i
  returning id, org_id
), offered as (
  insert into app.service_providers (org_id, service_id, provider_id)
  select p.org_id, s.id, p.id from providers p, service s returning provider_id
)
insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
select p.org_id, p.id, d, '09:00', '17:00' from providers p, generate_series(1, 5) d
"""
BOOKINGS = """
insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at, ends_at,
  status, price_minor, currency)
select p.org_id, p.id, s.id, $1::uuid, t, t + interval '45 minutes', 'confirmed', 45000, 'DKK'
from app.providers p
join app.services s on s.org_id = p.org_id
cross join lateral generate_series(0, $3::int - 1) d
cross join lateral (values (10), (13), (15)) h(hour)
cross join lateral (
  select (($2::date + d) + make_interval(hours => h.hour)) at time zone 'Europe/Copenhagen' as t
) x
where extract(isodow from $2::date + d) < 6
"""


def next_monday() -> date:
    today = datetime.now(ZoneInfo(ZONE)).date()
    return today + timedelta(days=7 - today.weekday())


async def customer(conn: asyncpg.Connection, email: str) -> str:
    """Claims of a user with an open session, as the API passes them after checking a token."""
    user = await conn.fetchval(
        "select (private.register($1, 'bench-password-1', null, null) ->> 'id')::uuid", email
    )
    session = await conn.fetchval(
        "insert into auth.sessions (user_id, expires_at) values ($1, now() + interval '1 day') "
        "returning id",
        user,
    )
    return json.dumps({"sub": str(user), "sid": str(session), "role": "authenticated"})


async def timed(conn: asyncpg.Connection, role: str, claims: str | None, sql: str, args: str):
    started = time.perf_counter()
    row = await conn.fetchrow(HANDLE, role, claims, CONTEXT, sql, args, False)
    if row["status"] >= 300:
        raise RuntimeError(f"{row['status']}: {row['body']}")
    return time.perf_counter() - started, row["body"]


async def org_wide(api: str, org: str, service: str, providers: list[str], first: date) -> None:
    conn = await asyncpg.connect(api)
    span = {"range_from": str(first), "range_to": str(first + timedelta(days=DAYS - 1))}
    merged, by_hand, count = [], [], 0
    try:
        for i in range(25):
            args = json.dumps({"org_id": org, "service_id": service, **span})
            took, body = await timed(conn, "anon", None, ORG_SLOTS, args)
            count = len(json.loads(body)["slots"])
            started = time.perf_counter()
            for provider in providers:
                args = json.dumps({"provider_id": provider, "service_id": service, **span})
                await timed(conn, "anon", None, SLOTS, args)
            if i >= 5:  # the first runs warm the caches
                merged.append(took)
                by_hand.append(time.perf_counter() - started)
    finally:
        await conn.close()
    one, fifty = statistics.median(merged), statistics.median(by_hand)
    print(f"Org-wide slots: {PROVIDERS} providers, {DAYS} days ({count:,} distinct starts)")
    print(
        f"  GET /orgs/{{id}}/slots                   median {one * 1000:7.1f} ms  (target < 50 ms)"
    )
    print(f"  50 x GET /providers/{{id}}/slots, in turn median {fifty * 1000:7.1f} ms")
    print(f"  ratio one merged query / fifty single ones: {one / fifty:.2f}")


async def claims_per_second(
    api: str, people: list[str], providers: list[str], service: str, first: date
) -> None:
    """OPERATIONS bookings, then OPERATIONS holds confirmed, by CLIENTS clients on free slots."""
    pool = await asyncpg.create_pool(api, min_size=CLIENTS, max_size=CLIENTS)
    zone = ZoneInfo(ZONE)
    # Free starts (09:00, 11:00, 14:00 are free of the seeded bookings) on weekdays from week 6.
    starts = [
        datetime.combine(first + timedelta(days=35 + d), datetime.min.time(), zone)
        .replace(hour=hour)
        .isoformat()
        for d in range(200)
        if (first + timedelta(days=35 + d)).weekday() < 5
        for hour in (9, 11, 14)
    ]
    work = [(p, s) for s in starts for p in providers]

    async def run(kind: str, jobs: list[tuple[str, str]]) -> float:
        queue = iter(enumerate(jobs))

        async def client(who: str) -> None:
            async with pool.acquire() as conn:
                for _, (provider, start) in queue:
                    args = json.dumps(
                        {"provider_id": provider, "service_id": service, "start": start}
                    )
                    if kind == "book":
                        await timed(conn, "authenticated", who, BOOK, args)
                        continue
                    _, body = await timed(conn, "authenticated", who, HOLD, args)
                    hold = json.loads(body)["id"]
                    await timed(conn, "authenticated", who, CONFIRM, json.dumps({"id": hold}))

        started = time.perf_counter()
        await asyncio.gather(*(client(people[i]) for i in range(CLIENTS)))
        return time.perf_counter() - started

    try:
        booked = await run("book", work[:OPERATIONS])
        held = await run("hold", work[OPERATIONS : 2 * OPERATIONS])
    finally:
        await pool.close()
    print(f"Claims: {OPERATIONS:,} each, {CLIENTS} clients, distinct free slots")
    print(f"  POST /bookings                        {OPERATIONS / booked:8.0f}/s")
    print(f"  POST /bookings/holds + .../confirm    {OPERATIONS / held:8.0f} bookings/s")
    print(f"  ratio holds-then-confirm / plain bookings: {booked / held:.2f} of the rate")


async def measure(admin: str, api: str) -> None:
    conn = await asyncpg.connect(admin)
    first = next_monday()
    try:
        people = [await customer(conn, f"bench{i}@example.com") for i in range(CLIENTS)]
        await conn.execute(SEED, PROVIDERS)
        org, service = await conn.fetchrow(
            "select org_id::text, id::text from app.services where name = 'Cut'"
        )
        providers = [
            str(r[0])
            for r in await conn.fetch("select id from app.providers order by created_at, id")
        ]
        crowd = json.loads(await customer(conn, "crowd@example.com"))["sub"]
        await conn.execute("set session_replication_role = replica")  # no mail or audit rows
        await conn.execute(BOOKINGS, crowd, first, DAYS)
        await conn.execute("reset session_replication_role")
        await conn.execute("analyze")
    finally:
        await conn.close()
    await org_wide(api, org, service, providers, first)
    await claims_per_second(api, people, providers, service, first)


def main(seconds: float = 5.0) -> None:
    del seconds  # fixed work, not a fixed time: both sides do the same count
    with cluster() as (admin, api):
        uvloop.run(measure(admin, api))


if __name__ == "__main__":
    main()
