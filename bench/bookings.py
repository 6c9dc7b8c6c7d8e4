"""Bookings: the slot query at 10,000 and 1,000,000 bookings, booking creation through
the API vs direct SQL, and 64 clients racing for one slot.

Bookings are spread over many organizations and providers (5 providers an organization, one
booking a day each around the measured week), all through the real exclusion constraint.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.request

import asyncpg
import jwt
import uvloop

from bench.common import Load, api_server, cluster, request_bytes, sql_load

HANDLE = "select * from private.handle_request($1, $2, $3, $4, $5, $6)"
SLOTS = (
    "select api.available_slots(provider_id => r.provider_id, service_id => r.service_id, "
    "range_from => r.range_from, range_to => r.range_to)::text "
    "from pg_catalog.jsonb_to_record($1) as r(provider_id uuid, service_id uuid, "
    "range_from text, range_to text)"
)
CREATE = (
    "select api.create_booking(provider_id => r.provider_id, service_id => r.service_id, "
    "start => r.start)::text from pg_catalog.jsonb_to_record($1) "
    "as r(provider_id text, service_id uuid, start text)"
)
CONTEXT = json.dumps({"id": "bench"})
PASSWORD = "bench-password-1"

SEED_ORGS = """
insert into app.organizations (slug, name)
select 'org-' || i, 'Org ' || i from generate_series($1::int, $2::int) i;
"""
SEED_REST = """
insert into app.providers (org_id, display_name)
select o.id, 'P' || j from app.organizations o, generate_series(1, 5) j
where not exists (select 1 from app.providers p where p.org_id = o.id);
insert into app.services
  (org_id, name, duration_minutes, price_minor, currency, slot_interval_minutes)
select o.id, 'Cut', 60, 45000, 'DKK', 60 from app.organizations o
where not exists (select 1 from app.services s where s.org_id = o.id);
insert into app.service_providers (org_id, service_id, provider_id)
select p.org_id, s.id, p.id from app.providers p join app.services s on s.org_id = p.org_id
on conflict do nothing;
insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
select p.org_id, p.id, d, '09:00', '17:00' from app.providers p, generate_series(1, 7) d
where not exists (select 1 from app.working_hours h where h.provider_id = p.id);
"""
# 200 days of one booking a day per provider, centred on the measured week.
SEED_BOOKINGS = """
insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at, ends_at,
  status, price_minor, currency)
select p.org_id, p.id, s.id, $1::uuid, t, t + interval '1 hour', 'confirmed', 45000, 'DKK'
from app.providers p
join app.services s on s.org_id = p.org_id
cross join lateral generate_series(
  date_trunc('day', now()) - interval '100 days' + interval '10 hours',
  date_trunc('day', now()) + interval '99 days' + interval '10 hours',
  interval '1 day') t
where not exists (select 1 from app.bookings b where b.provider_id = p.id);
"""


async def seed(admin: str, orgs: tuple[int, int], customer: str) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(admin)
    try:
        # Synthetic history: skip the audit, history and email triggers while seeding (the
        # exclusion constraint still checks every row; it is an index, not a trigger).
        await conn.execute("set session_replication_role = replica")
        await conn.execute(SEED_ORGS, *orgs)
        await conn.execute(SEED_REST)
        await conn.execute(SEED_BOOKINGS, customer)
        await conn.execute("analyze")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def slot_latency(api_dsn: str, provider: str, service: str, runs: int = 300) -> list[float]:
    conn = await asyncpg.connect(api_dsn)
    args = json.dumps({"provider_id": provider, "service_id": service, "range_from": "2099-01-01"})
    week = json.loads(args)
    del week["range_from"]
    payload = json.dumps(week)
    times = []
    try:
        for i in range(runs + 20):
            started = time.perf_counter()
            await conn.fetchrow(HANDLE, "anon", None, CONTEXT, SLOTS, payload, True)
            if i >= 20:
                times.append(time.perf_counter() - started)
    finally:
        await conn.close()
    return times


def http_json(port: int, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), headers=headers
    )
    with urllib.request.urlopen(req) as response:
        return dict(json.load(response))


async def bookable_provider_set(admin: str, count: int) -> tuple[list[str], str]:
    """`count` providers open around the clock with a 5-minute service: many distinct slots."""
    conn = await asyncpg.connect(admin)
    try:
        org = await conn.fetchval(
            "insert into app.organizations (slug, name, max_active_bookings_per_customer)"
            " values ('bench-open', 'Open', 1000) returning id"
        )
        service = await conn.fetchval(
            "insert into app.services (org_id, name, duration_minutes, price_minor, currency, "
            "slot_interval_minutes) values ($1, 'Quick', 5, 100, 'DKK', 5) returning id",
            org,
        )
        providers = []
        for i in range(count):
            provider = await conn.fetchval(
                "insert into app.providers (org_id, display_name) values ($1, $2) returning id",
                org,
                f"Open {i}",
            )
            await conn.execute(
                "insert into app.service_providers (org_id, service_id, provider_id) "
                "values ($1, $2, $3)",
                org,
                service,
                provider,
            )
            await conn.execute(
                "insert into app.working_hours (org_id, provider_id, weekday, starts, ends) "
                "select $1, $2, d, '00:00', '24:00' from generate_series(1, 7) d",
                org,
                provider,
            )
            providers.append(str(provider))
        return providers, str(service)
    finally:
        await conn.close()


def starts(day: int, count: int) -> list[str]:
    """Distinct 5-minute starts on one future UTC day."""
    base = time.gmtime(time.time() + 86400 * day)
    date = time.strftime("%Y-%m-%d", base)
    return [f"{date}T{(i * 5) // 60:02d}:{(i * 5) % 60:02d}:00+00:00" for i in range(count)]


async def creation(admin: str, api_dsn: str, port: int, seconds: float) -> None:
    clients = 32
    providers, service = await bookable_provider_set(admin, clients)
    # One customer a client: an organization lets one customer hold only so many upcoming
    # bookings (max_active_bookings_per_customer).
    conn = await asyncpg.connect(admin)
    for i in range(clients):
        await conn.fetchval(
            "select private.register($1, $2, null, null)", f"racer{i}@example.com", PASSWORD
        )
    await conn.close()
    tokens = [
        http_json(
            port, "/api/v1/auth/login", {"email": f"racer{i}@example.com", "password": PASSWORD}
        )["access_token"]
        for i in range(clients)
    ]
    token = tokens[0]
    claims = [json.dumps(jwt.decode(t, options={"verify_signature": False})) for t in tokens]

    # Each client books its own provider's free slots, one after another: days 2.. for the API,
    # days 40.. for direct SQL, so the two runs never compete for a slot.
    async def api_client(i: int, stop: float, load: Load) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        day, slots = 2, iter(starts(2, 288))
        while (now := time.perf_counter()) < stop:
            try:
                start = next(slots)
            except StopIteration:
                day += 1
                slots = iter(starts(day, 288))
                start = next(slots)
            body = json.dumps({"provider_id": providers[i], "service_id": service, "start": start})
            writer.write(
                request_bytes(
                    "POST",
                    "/api/v1/bookings",
                    {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"},
                    body.encode(),
                )
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            load.statuses[int(head[9:12])] += 1
            load.latencies.append(time.perf_counter() - now)
        writer.close()

    api = Load(seconds)
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(api_client(i, stop, api) for i in range(clients)))

    pool = await asyncpg.create_pool(api_dsn, min_size=clients, max_size=clients)
    cursors = {i: (40, iter(starts(40, 288))) for i in range(clients)}
    counter = iter(range(10**9))

    async def direct(conn: asyncpg.Connection) -> object:
        i = next(counter) % clients
        day, slots = cursors[i]
        try:
            start = next(slots)
        except StopIteration:
            day += 1
            slots = iter(starts(day, 288))
            start = next(slots)
        cursors[i] = (day, slots)
        args = json.dumps({"provider_id": providers[i], "service_id": service, "start": start})
        return await conn.fetchrow(HANDLE, "authenticated", claims[i], CONTEXT, CREATE, args, False)

    sql = await sql_load(pool, direct, clients=clients, seconds=seconds, warmup=0)
    await pool.close()
    print(f"Booking creation, {clients} concurrent clients on distinct slots, {seconds:.0f} s each")
    print(f"  API          {api.rate:8.0f}/s  median {api.median * 1000:6.2f} ms")
    print(f"               statuses {dict(api.statuses)}")
    print(f"  direct SQL   {sql.rate:8.0f}/s  median {sql.median * 1000:6.2f} ms")
    print(f"  ratio API / direct: {api.rate / sql.rate:.2f}  (target ≥ 0.5)")

    # 64 clients race for one slot through the API.
    race_start = starts(80, 1)[0]
    body = json.dumps({"provider_id": providers[0], "service_id": service, "start": race_start})
    request = request_bytes(
        "POST",
        "/api/v1/bookings",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body.encode(),
    )

    async def racer() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        return int(head[9:12])

    started = time.perf_counter()
    statuses = await asyncio.gather(*(racer() for _ in range(64)))
    elapsed = time.perf_counter() - started
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"64 clients racing for one slot: all answered in {elapsed * 1000:.0f} ms")
    print(f"  statuses {counts}")


async def measure(admin: str, api_dsn: str, port: int, seconds: float) -> None:
    conn = await asyncpg.connect(admin)
    customer = str(
        await conn.fetchval(
            "select (private.register('crowd@example.com', $1, null, null) ->> 'id')::uuid",
            PASSWORD,
        )
    )
    await conn.close()
    took = await seed(admin, (1, 10), customer)
    conn = await asyncpg.connect(admin)
    provider, service = await conn.fetchrow(
        "select p.id::text, s.id::text from app.providers p "
        "join app.services s on s.org_id = p.org_id order by p.created_at, p.id limit 1"
    )
    small_count = await conn.fetchval("select count(*) from app.bookings")
    await conn.close()
    small = await slot_latency(api_dsn, provider, service)
    print(f"Slot query, one provider, 7 days ({small_count:,} bookings seeded in {took:.0f} s)")
    took = await seed(admin, (11, 1000), customer)
    conn = await asyncpg.connect(admin)
    large_count = await conn.fetchval("select count(*) from app.bookings")
    await conn.close()
    large = await slot_latency(api_dsn, provider, service)
    small_median, large_median = statistics.median(small), statistics.median(large)
    print(f"  at {small_count:>9,} bookings: median {small_median * 1000:.2f} ms")
    print(f"  at {large_count:>9,} bookings: median {large_median * 1000:.2f} ms")
    print(f"  (the larger set seeded in {took:.0f} s)")
    print(
        f"  ratio large / small: {large_median / small_median:.2f}  (target ≤ 1.5, median < 5 ms)"
    )
    await creation(admin, api_dsn, port, seconds)


def main(seconds: float = 5.0) -> None:
    with cluster() as (admin, api_dsn), api_server(api_dsn) as (port, _):
        uvloop.run(measure(admin, api_dsn, port, seconds))
