"""Search: api.search across 100,000 services in 1,000 organizations, and the
org-scoped GET /orgs/{id}/services?q=, each as anon through private.handle_request on one
connection, 300 sequential queries over a mix of exact, prefix, accent-folded and typo terms.

The catalogue is Danish salon fare built from word lists (klipning, farvning, frisør, skæg,
negle, massage, ...), 100 services and 5 providers an organization, seeded with a fixed random
seed through the real triggers, generated documents and GIN indexes.
"""

from __future__ import annotations

import json
import statistics
import time

import asyncpg
import uvloop

from bench.common import cluster

HANDLE = "select * from private.handle_request($1, $2, $3, $4, $5, $6)"
SEARCH = (
    "select api.search(q => r.q, lim => r.lim)::text "
    "from pg_catalog.jsonb_to_record($1) as r(q text, lim integer)"
)
LIST = (
    "select api.list_services(org_id => r.org_id, q => r.q, lim => r.lim)::text "
    "from pg_catalog.jsonb_to_record($1) as r(org_id uuid, q text, lim integer)"
)
CONTEXT = json.dumps({"id": "bench"})
ORGS, SERVICES_PER_ORG, PROVIDERS_PER_ORG = 1_000, 100, 5
RUNS, WARMUP = 300, 20

# (kind of term, term): exact words, prefixes as typed, folded spellings, and typos.
QUERIES = [
    ("exact", "klipning"),
    ("exact", "farvning"),
    ("exact", "massage"),
    ("exact", "negle"),
    ("exact", "frisør"),
    ("exact", "skægtrim"),
    ("exact", "dameklip"),
    ("prefix", "klip"),
    ("prefix", "farv"),
    ("prefix", "mass"),
    ("prefix", "neg"),
    ("prefix", "vip"),
    ("prefix", "herre"),
    ("folded", "frisor"),
    ("folded", "skaeg"),
    ("folded", "fontorring"),
    ("typo", "klipnig"),
    ("typo", "masage"),
    ("typo", "frisr"),
    ("typo", "balayge"),
    ("typo", "manicre"),
    ("typo", "pedicur"),
    ("two words", "klipning børn"),
    ("two words", "massage ryg"),
]

SEED_ORGS = """
insert into app.organizations (slug, name)
select 'salon-' || i,
       (array['Salon', 'Frisør', 'Studio', 'Hårstudiet', 'Klinik', 'Barber'])[1 + i % 6] || ' '
       || (array['Nørrebro', 'Østerbro', 'Vesterbro', 'Amager', 'Valby', 'Frederiksberg', 'Århus',
                 'Odense', 'Aalborg', 'Køge', 'Roskilde', 'Esbjerg'])[1 + (i / 6) % 12] || ' ' || i
from generate_series(1, $1::int) i
"""
SEED_PROVIDERS = """
insert into app.providers (org_id, display_name, bio)
select o.id,
       (array['Mette', 'Jonas', 'Sofie', 'Ahmed', 'Line', 'Mikkel', 'Freja', 'Søren', 'Ida',
              'Oliver', 'Maja', 'Emil', 'Aisha', 'Kasper', 'Nanna'])[1 + floor(random() * 15)::int]
         || ' ' || (array['Hansen', 'Jensen', 'Nielsen', 'Pedersen', 'Sørensen', 'Møller',
                          'Kristensen', 'Larsen'])[1 + floor(random() * 8)::int],
       (array['Frisør', 'Barber', 'Kosmetolog', 'Massør', 'Negletekniker', 'Stylist'])
         [1 + floor(random() * 6)::int]
         || ' med ' || (2 + floor(random() * 20)::int) || ' års erfaring. Elsker '
         || (array['farver', 'fletninger', 'korte klip', 'skæg', 'locs', 'balayage', 'bryllupper',
                   'negle', 'massage'])[1 + floor(random() * 9)::int] || '.'
from app.organizations o, generate_series(1, $1::int) j
"""
SEED_SERVICES = """
insert into app.services (org_id, name, description, duration_minutes, price_minor)
select o.id,
       (array['Klipning', 'Dameklipning', 'Herreklipning', 'Børneklipning', 'Farvning',
              'Hårfarvning', 'Balayage', 'Highlights', 'Skægtrim', 'Skæg og klip', 'Negle',
              'Gelénegle', 'Manicure', 'Pedicure', 'Massage', 'Rygmassage', 'Hotstone massage',
              'Sportsmassage', 'Ansigtsbehandling', 'Vippeextensions', 'Brynsfarvning',
              'Permanent', 'Føntørring', 'Opsætning', 'Fletning', 'Locs vedligehold',
              'Voksbehandling', 'Hårvask', 'Frisørkonsultation', 'Make-up'])
         [1 + floor(random() * 30)::int]
         || (array['', '', '', ' kort hår', ' langt hår', ' med vask', ' inkl. føn', ' for børn',
                   ' for herrer', ' deluxe', ' express', ' 30 min', ' 60 min'])
            [1 + floor(random() * 13)::int],
       (array['Vask, klip og føn.', 'Hel farve inkl. konsultation.', 'Afslappende behandling.',
              'Udføres af en erfaren frisør.', 'Inkluderer skæg og konturer.',
              'Plejende behandling af hænder og negle.', 'Dybdegående massage af ryg og nakke.',
              'Passer til alle hårtyper.', 'Book i god tid før bryllup og fest.',
              'Vi bruger økologiske produkter.'])[1 + floor(random() * 10)::int]
         || ' ' || (array['', 'Pris inkl. moms.', 'Husk at aflyse senest 24 timer før.',
                          'Tilbud til studerende.', 'Gavekort kan bruges.'])
            [1 + floor(random() * 5)::int],
       (array[15, 30, 45, 60, 90, 120])[1 + floor(random() * 6)::int],
       (100 + floor(random() * 1400)::int) * 100
from app.organizations o, generate_series(1, $1::int) j
"""
# One in twenty services retired: present, indexed, and never found by visitors.
RETIRE = "update app.services s set active = false where random() < 0.05"


async def seed(admin: str) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute("set search_path = pg_catalog; select setseed(0.42)")
        await conn.execute(SEED_ORGS, ORGS)
        await conn.execute(SEED_PROVIDERS, PROVIDERS_PER_ORG)
        await conn.execute(SEED_SERVICES, SERVICES_PER_ORG)
        await conn.execute(RETIRE)
        await conn.execute("analyze")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def latencies(conn: asyncpg.Connection, call: str, payloads: list[str]) -> list[float]:
    """WARMUP untimed calls, then RUNS timed ones, cycling through the payloads."""
    times = []
    for i in range(WARMUP + RUNS):
        payload = payloads[i % len(payloads)]
        started = time.perf_counter()
        row = await conn.fetchrow(HANDLE, "anon", None, CONTEXT, call, payload, True)
        elapsed = time.perf_counter() - started
        if row["status"] != 200:
            raise RuntimeError(f"{call} {payload} -> {row['status']}: {row['body']}")
        if i >= WARMUP:
            times.append(elapsed)
    return times


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"  {label:<44} median {median * 1000:7.2f} ms   p99 {p99(times) * 1000:7.2f} ms")
    return median


async def measure(admin: str, api_dsn: str) -> None:
    took = await seed(admin)
    conn = await asyncpg.connect(admin)
    services = await conn.fetchval("select count(*) from app.services")
    providers = await conn.fetchval("select count(*) from app.providers")
    orgs = [str(r["id"]) for r in await conn.fetch("select id from app.organizations order by id")]
    await conn.close()
    print(
        f"Search over {services:,} services and {providers:,} providers in {len(orgs):,}"
        f" organizations (seeded in {took:.0f} s); as anon through private.handle_request,"
        f" one connection, {RUNS} sequential queries each"
    )
    conn = await asyncpg.connect(api_dsn)
    try:
        found = {}
        for kind, term in QUERIES:
            row = await conn.fetchrow(
                HANDLE, "anon", None, CONTEXT, SEARCH, json.dumps({"q": term, "lim": 200}), True
            )
            found[term] = (kind, len(json.loads(row["body"])["items"]))
        mixed = [json.dumps({"q": term, "lim": 20}) for _, term in QUERIES]
        across = report(
            "api.search, mixed terms, first page of 20", await latencies(conn, SEARCH, mixed)
        )
        for kind in ("exact", "prefix", "folded", "typo"):
            terms = [json.dumps({"q": t, "lim": 20}) for k, t in QUERIES if k == kind]
            report(f"  {kind} terms only", await latencies(conn, SEARCH, terms))
        scoped = [
            json.dumps({"org_id": orgs[(i * 37) % len(orgs)], "q": term, "lim": 20})
            for i, (_, term) in enumerate(QUERIES)
        ]
        in_org = report("list_services?q= in one organization", await latencies(conn, LIST, scoped))
        plain = [json.dumps({"org_id": orgs[(i * 37) % len(orgs)], "lim": 20}) for i in range(24)]
        listing = report("list_services without q (reference)", await latencies(conn, LIST, plain))
    finally:
        await conn.close()
    print(f"  ratio search across organizations / list without q: {across / listing:.1f}")
    print(f"  ratio search in one organization / list without q:  {in_org / listing:.1f}")
    print("  matches (first 200 at most) per term:")
    print("    " + ", ".join(f"{term} {n}" for term, (_, n) in found.items()))


def main(seconds: float = 5.0) -> None:
    """`seconds` is accepted for the common interface; the query counts are fixed."""
    del seconds
    with cluster() as (admin, api_dsn):
        uvloop.run(measure(admin, api_dsn))


if __name__ == "__main__":
    main()
