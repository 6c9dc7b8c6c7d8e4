"""Property: no route answers a server error, whatever the path, query string, headers and body.

Every line of the route table is fuzzed as an anonymous caller and as a user who owns an
organization with a provider, a service, working hours, time off and a booking: path parameters
are real ids half of the time, query parameters and body fields carry the real names half of the
time, values are every kind of JSON (and bytes that are no JSON at all). The generic
/api/v1/rpc/<name> is fuzzed for every function in the catalog. Each test runs one app on one
database for all its examples.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.app import create_app
from api.request.routes import PREFIX, ROUTES, Route
from jwks import KeySet
from tests.support.problems import answer_errors
from tests.support.servers import LoopThread

T = TypeVar("T")
# Hypothesis' failure report imports a module that trips this deprecation; with warnings as errors
# it would turn a readable falsifying example into an internal error.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict:DeprecationWarning"),
]

EXAMPLES = 25
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PASSWORD = "velvet-otter-harbour"
IDENTITIES = ("anon", "owner")
PARAM = re.compile(r"{(\w+)}")
# Query names any route might plausibly take; the route's own are added per route.
KNOWN_QUERY = ["limit", "cursor", "from", "to", "q", "status", "service_id", "org_id"]
KNOWN_QUERY += ["provider_id", "lim", "range_from", "range_to", "id"]

# ---------------------------------------------------------------------------------------------
# Values

# No lone surrogates: they cannot travel in a URL or a header, and a JSON body carrying them is
# covered by test_fuzz.py.
CHARS = st.characters(blacklist_categories=("Cs",))
HEADER_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
AWKWARD = [
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "🦦" * 20,
    "\u202egnirts",
    "ø" * 40,
    "x" * 5000,
    "'; drop table bookings; --",
    "%s %n",
    "\\u0000",
    "$1",
    "null",
    "true",
    "-1",
    "0",
    "1e400",
    "99999999999999999999999999999999",
    "NaN",
    "Infinity",
    "-infinity",
    "infinity",
    "epoch",
    "now",
    "today",
    "allballs",
    "2026-02-30",
    "2026-13-01",
    "2026-03-02",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-03-02T10:00:00",
    "2026-03-02T10:00:00Z",
    "2026-03-02T10:00:00+05:30",
    "2026-03-02T10:00:00-14:00",
    "2026-03-02T10:00:00+99:00",
    "2026-03-02 10:00",
    "2026-03-02T24:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "4714-11-24T00:00:00Z BC",
    "294277-01-01T00:00:00Z",
    "24:00",
    "24:00:01",
    "23:59:59.999999",
    "00:00",
    "25:61",
    "-01:00",
    "P1D",
    "1 day",
    "Europe/Oslo",
    "Mars/Olympus",
    "UTC",
    "NOK",
    "€€€",
    "en-GB",
    "confirmed",
    "pending",
    "cancelled",
    "owner",
    "admin",
    "alma@example.com",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "{00000000-0000-0000-0000-000000000000}",
    "00000000000000000000000000000000",
    "{}",
    "[]",
    "{a,b}",
    '{"a": 1}',
]
DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str)
TIMESTAMPS = st.datetimes(
    min_value=dt.datetime(1, 1, 2),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.none() | st.timezones(),
).map(lambda d: d.isoformat())
TIMES = st.times().map(lambda t: t.isoformat(timespec="minutes")) | st.sampled_from(
    ["24:00", "24:00:00", "24:01", "23:59", "9:00", "09:00:00+02", "noon"]
)
UUIDS = st.uuids().map(str)


def noise(seed: int, size: int = 3000) -> str:
    """A long string that does not compress (an index or tsvector may refuse it)."""
    rng = random.Random(seed)
    return "".join(
        chr(rng.choice((rng.randrange(33, 127), rng.randrange(0x400, 0x4FF)))) for _ in range(size)
    )


NOISE = st.integers(0, 2**32).map(noise)


def b64(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


# Cursors in the shapes the server issues (base64url of "at|id", or of a JSON array), with
# awkward contents, besides plain garbage.
CURSORS = st.one_of(
    st.tuples(TIMESTAMPS | st.sampled_from(AWKWARD), UUIDS | st.sampled_from(AWKWARD)).map(
        lambda p: b64(f"{p[0]}|{p[1]}")
    ),
    st.lists(
        st.none() | st.booleans() | st.floats() | st.integers() | st.sampled_from(AWKWARD) | UUIDS,
        max_size=6,
    ).map(lambda a: b64(json.dumps(a))),
    st.tuples(
        st.floats() | st.sampled_from(AWKWARD),
        st.sampled_from(AWKWARD),
        st.sampled_from(["org", "provider", "service", "ø"]),
        UUIDS,
    ).map(lambda p: b64(json.dumps(["rank", *p]))),
)
text = (
    st.text(CHARS, max_size=30)
    | st.sampled_from(AWKWARD)
    | DATES
    | TIMESTAMPS
    | TIMES
    | UUIDS
    | st.emails()
    | NOISE
    | CURSORS
)
numbers = (
    st.integers(-100, 100_000)
    | st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, -(10**30)])
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
)
scalars = st.none() | st.booleans() | numbers | text


def json_values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4)
        ),
        max_leaves=10,
    )


WINDOW = st.fixed_dictionaries(
    {},
    optional={
        "weekday": st.integers(-1, 8) | scalars,
        "start": TIMES | scalars,
        "end": TIMES | scalars,
        "valid_from": DATES | scalars,
        "valid_to": DATES | scalars,
    },
)
WINDOWS = st.lists(WINDOW, max_size=4)
INVALID_JSON = st.sampled_from(
    [
        b"{",
        b"[1,",
        b'{"a":',
        b"\xff\xfe\x00",
        b"\xef\xbb\xbf{}",
        b'{"lim": NaN}',
        b'{"start": Infinity}',
        b"nul",
        b"'single'",
        b'{"a" 1}',
        b"{}{}",
        b'"\\ud800"',
        b'{"\\u0000": 1}',
        b"\x00",
        b"[" * 5000 + b"]" * 5000,
        b'{"a": ' + b"[" * 1500 + b"]" * 1500 + b"}",
        b'{"windows": ' + b"[" * 990 + b"]" * 990 + b"}",
        b'{"name": ' + b'{"a": ' * 900 + b"1" + b"}" * 900 + b"}",
    ]
) | st.binary(max_size=40)


def typed(pg_type: str, real: list[str]) -> st.SearchStrategy[Any]:
    """Values of roughly the right type for an argument, to get past the first check."""
    if pg_type == "uuid":
        return st.sampled_from(real) | UUIDS if real else UUIDS
    if pg_type == "uuid[]":
        return st.lists(st.sampled_from(real) | UUIDS if real else UUIDS, max_size=3)
    if pg_type in ("integer", "bigint", "smallint", "numeric"):
        return numbers
    if pg_type == "boolean":
        return st.booleans()
    if pg_type == "date":
        return DATES | st.sampled_from(["2026-02-30", "0001-01-01", "9999-12-31", "infinity"])
    if pg_type in ("json", "jsonb"):
        return WINDOWS | json_values(scalars)
    return text


def args_object(
    names: tuple[str, ...], types: tuple[str, ...], real: list[str]
) -> st.SearchStrategy[dict[str, Any]]:
    """An object whose keys are the function's argument names half of the time."""
    value = json_values(scalars)
    if not names:
        return st.dictionaries(text, value, max_size=4)
    known = st.sampled_from(list(zip(names, types, strict=True))).flatmap(
        lambda nt: st.tuples(st.just(nt[0]), typed(nt[1], real) | value)
    )
    pairs = st.lists(known | st.tuples(text, value), max_size=8)
    return pairs.map(dict)


def bodies(
    names: tuple[str, ...], types: tuple[str, ...], real: list[str]
) -> st.SearchStrategy[bytes | None]:
    def encode(body: Any) -> bytes:
        return json.dumps(body).encode()

    return st.one_of(
        args_object(names, types, real).map(encode),
        args_object(names, types, real).map(encode),
        json_values(scalars).map(encode),
        INVALID_JSON,
        st.just(b""),
        st.none(),
    )


query_values = (
    text
    | numbers.map(str)
    | st.sampled_from(["-1", "0", "-9223372036854775809", "1" * 40, "1.5", "1e3", "\u0000"])
    | CURSORS
    | NOISE
)
header_values = (
    st.text(HEADER_CHARS, max_size=40)
    | st.sampled_from(["", "k" * 10_000, "ø" * 300, "🦦" * 100, "idem-1", " leading", "trailing "])
    | NOISE
)


# ---------------------------------------------------------------------------------------------
# The app on a loop of its own, with a world to point path ids at


@dataclass
class Api:
    runner: LoopThread
    client: httpx.AsyncClient
    catalog: Any
    email: str = "owner@example.com"
    token: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    def send(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        headers: dict[str, bytes] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        return self.runner.run(
            self.client.request(method, path, params=params, headers=headers, content=content)
        )

    def auth(self, identity: str) -> dict[str, bytes]:
        if identity == "anon":
            return {}
        return {"authorization": f"Bearer {self.token}".encode()}

    def relogin(self) -> None:
        """After a route logged the owner out (or changed things), get a fresh token if we can."""
        body = json.dumps({"email": self.email, "password": PASSWORD}).encode()
        response = self.send("POST", f"{PREFIX}/auth/login", content=body, headers=JSON_HEADERS)
        if response.status_code == 200:
            self.token = response.json()["access_token"]

    @property
    def real(self) -> list[str]:
        return list(self.ids.values())


JSON_HEADERS = {"content-type": b"application/json"}


async def _json(client: httpx.AsyncClient, method: str, path: str, token: str, body: Any) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.request(method, PREFIX + path, json=body, headers=headers)
    return response


async def build_world(api: Api) -> None:
    """Owner, organization, provider, resource, service, working hours, time off, a booking, a
    waitlist entry, a session."""
    c = api.client
    registered = await _json(
        c, "POST", "/auth/register", "", {"email": api.email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    api.ids["user"] = registered.json()["id"]
    login = await _json(c, "POST", "/auth/login", "", {"email": api.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    api.token = tok = login.json()["access_token"]
    org = await _json(c, "POST", "/orgs", tok, {"slug": "fuzz-salon", "name": "Fuzz Salon"})
    assert org.status_code == 201, org.text
    api.ids["org"] = org_id = org.json()["id"]
    api.ids["slug"] = "fuzz-salon"
    invited = await _json(
        c, "POST", f"/orgs/{org_id}/members", tok, {"email": "invitee@example.com", "role": "staff"}
    )
    assert invited.status_code == 202, invited.text
    api.ids["invitation"] = invited.json()["id"]
    provider = await _json(
        c, "POST", f"/orgs/{org_id}/providers", tok, {"display_name": "Pia", "user_id": None}
    )
    assert provider.status_code == 201, provider.text
    api.ids["provider"] = provider_id = provider.json()["id"]
    resource = await _json(
        c,
        "POST",
        f"/orgs/{org_id}/resources",
        tok,
        {"name": "Chair", "kind": "chair", "capacity": 2},
    )
    assert resource.status_code == 201, resource.text
    api.ids["resource"] = resource.json()["id"]
    service = await _json(
        c,
        "POST",
        f"/orgs/{org_id}/services",
        tok,
        {
            "name": "Cut",
            "duration_minutes": 30,
            "price_minor": 30000,
            "provider_ids": [provider_id],
            "resource_requirements": [{"kind": "chair", "count": 1}],
        },
    )
    assert service.status_code == 201, service.text
    api.ids["service"] = service_id = service.json()["id"]
    windows = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(1, 8)]
    hours = await _json(
        c, "PUT", f"/providers/{provider_id}/working-hours", tok, {"windows": windows}
    )
    assert hours.status_code == 200, hours.text
    day = dt.date.today() + dt.timedelta(days=10)
    off = await _json(
        c,
        "POST",
        f"/providers/{provider_id}/time-off",
        tok,
        {
            "starts_at": f"{day + dt.timedelta(days=3)}T09:00:00Z",
            "ends_at": f"{day + dt.timedelta(days=3)}T11:00:00Z",
        },
    )
    if off.status_code == 201:
        api.ids["time_off"] = off.json()["id"]
    for hour in range(9, 19):
        booking = await _json(
            c,
            "POST",
            "/bookings",
            tok,
            {"provider_id": provider_id, "service_id": service_id, "start": f"{day}T{hour}:00:00Z"},
        )
        if booking.status_code == 201:
            api.ids["booking"] = booking.json()["id"]
            break
    waiting = await _json(
        c,
        "POST",
        "/waitlist",
        tok,
        {"service_id": service_id, "from": str(day), "to": str(day + dt.timedelta(days=1))},
    )
    assert waiting.status_code == 201, waiting.text
    api.ids["waitlist"] = waiting.json()["id"]
    sessions = await _json(c, "GET", "/auth/sessions", tok, None)
    if sessions.status_code == 200:
        listed = sessions.json()
        items = listed.get("items", listed) if isinstance(listed, dict) else listed
        if isinstance(items, list) and items and isinstance(items[0], dict) and "id" in items[0]:
            api.ids["session"] = items[0]["id"]
    api.ids["date"] = str(day)


@pytest.fixture
def api(db: Any, settings: Any, keyset: KeySet) -> Iterator[Api]:
    """One app on one database (real Redis) for a whole hypothesis run, driven from sync code."""
    runner = LoopThread()
    stack = contextlib.AsyncExitStack()

    async def start() -> Api:
        application = create_app(settings, dsn=db.dsn_as("authenticator"), keyset=keyset)
        await stack.enter_async_context(application.router.lifespan_context(application))
        transport = httpx.ASGITransport(
            app=application, client=("203.0.113.7", 50000), raise_app_exceptions=False
        )
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=settings.issuer, timeout=30)
        )
        built = Api(runner, client, application.state.catalog)
        await build_world(built)
        return built

    try:
        yield runner.run(start())
    finally:
        runner.run(stack.aclose())
        runner.close()


# ---------------------------------------------------------------------------------------------
# What to send


def real_for(route: Route, name: str) -> str:
    """Which kind of real id a path parameter names."""
    if name == "id":
        head = route.path.removeprefix(PREFIX).split("/")[1:3]
        kinds = {
            "users": "user",
            "orgs": "org",
            "providers": "provider",
            "services": "service",
            "time-off": "time_off",
            "bookings": "booking",
            "invitations": "invitation",
            "resources": "resource",
            "waitlist": "waitlist",
        }
        return "session" if head == ["auth", "sessions"] else kinds[head[0]]
    return {
        "id_or_slug": "org",
        "org_id": "org",
        "user_id": "user",
        "provider_id": "provider",
        "on_date": "date",
    }[name]


def path_value(api: Api, route: Route, name: str) -> st.SearchStrategy[str]:
    kind = real_for(route, name)
    real = [api.ids[kind]] if kind in api.ids else []
    if name == "id_or_slug":
        real.append(api.ids["slug"])
    if kind == "date":
        real += ["2026-03-02", "2026-02-30", "0001-01-01", "9999-12-31", "infinity"]
    other = (
        UUIDS
        | st.text(CHARS, max_size=30)
        | st.sampled_from(["", "x" * 5000, "2026-02-30", "ø" * 200, "\u0000", "%00", "0"])
        | st.sampled_from(AWKWARD)
        | DATES
    )
    return st.sampled_from(real) | other if real else other


@dataclass
class Request:
    method: str
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, bytes]
    content: bytes | None

    def __repr__(self) -> str:
        body = self.content if self.content is None or len(self.content) < 600 else "..."
        heads = {k: (v if len(v) < 200 else v[:20] + b"...") for k, v in self.headers.items()}
        return f"{self.method} {self.path[:300]} params={self.params!r} {heads!r} body={body!r}"


def requests_for(api: Api, route: Route) -> st.SearchStrategy[Request]:
    fn = api.catalog.functions[route.function]
    names = sorted(PARAM.findall(route.path))
    known = sorted(set(route.query) | set(KNOWN_QUERY))
    query = st.lists(
        st.tuples(st.sampled_from(known) | st.text(CHARS, min_size=1, max_size=12), query_values),
        max_size=4,
    )
    query = st.just([]) | query
    header_names = sorted({"idempotency-key", *route.headers})
    headers = st.dictionaries(st.sampled_from(header_names), header_values.map(str.encode))
    body = (
        bodies(fn.arg_names, fn.arg_types, api.real)
        if route.body or route.method in ("POST", "PUT", "PATCH")
        else st.none()
    )

    def build(
        values: dict[str, str], params: list[tuple[str, str]], heads: dict[str, bytes], raw: Any
    ) -> Request:
        path = route.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        return Request(route.method, path, params, {**JSON_HEADERS, **heads}, raw)

    return st.builds(
        build,
        st.fixed_dictionaries({n: path_value(api, route, n) for n in names}),
        query,
        headers,
        body,
    )


def check(api: Api, identity: str, request: Request) -> httpx.Response:
    response = api.send(
        request.method,
        request.path,
        params=request.params or None,
        headers={**request.headers, **api.auth(identity)},
        content=request.content,
    )
    assert response.status_code < 500, (request, response.status_code, response.text)
    assert answer_errors(response) == [], (request, answer_errors(response))
    if identity != "anon" and response.status_code == 401:
        api.relogin()
    return response


def run_all(runs: dict[str, Callable[[], None]]) -> None:
    """Run every hypothesis search, then fail with all the falsifying examples at once."""
    failures = []
    for label, run in runs.items():
        try:
            run()
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")
    assert not failures, "\n\n".join(failures)


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_no_route_answers_a_server_error(api: Api, route: Route):
    assert route.function in api.catalog.functions, route

    def search(identity: str) -> Callable[[], None]:
        @FUZZ
        @given(request=requests_for(api, route))
        def fuzz(request: Request) -> None:
            check(api, identity, request)

        return fuzz

    run_all({identity: search(identity) for identity in IDENTITIES})


def test_the_route_table_names_only_catalog_functions(api: Api):
    missing = sorted({r.function for r in ROUTES} - set(api.catalog.functions))
    assert missing == []


def rpc_requests(api: Api, name: str) -> st.SearchStrategy[Request]:
    fn = api.catalog.functions[name]
    names = st.sampled_from([name] * 9 + ["no_such_function", "", "ø" * 30, name.upper()])
    path = names.map(lambda n: f"{PREFIX}/rpc/{quote(n, safe='')}")
    known = [*fn.arg_names, "limit", "q"]
    query = st.lists(
        st.tuples(st.sampled_from(known) | st.text(CHARS, min_size=1, max_size=12), query_values),
        max_size=len(fn.arg_names) + 2,
    )
    value_for = dict(zip(fn.arg_names, fn.arg_types, strict=True))

    # Half the time the real names with values of their type, as a GET caller would send them.
    typed_pairs = (
        st.lists(
            st.sampled_from(fn.arg_names).flatmap(
                lambda n: st.tuples(
                    st.just(n),
                    typed(value_for[n], api.real).map(
                        lambda v: v if isinstance(v, str) else json.dumps(v)
                    )
                    | query_values,
                )
            ),
            max_size=len(fn.arg_names),
        )
        if fn.arg_names
        else st.just([])
    )
    get = st.builds(lambda p, q: Request("GET", p, q, {}, None), path, query | typed_pairs)
    post = st.builds(
        lambda p, raw: Request("POST", p, [], dict(JSON_HEADERS), raw),
        path,
        bodies(fn.arg_names, fn.arg_types, api.real),
    )
    return get | post if fn.read_only else post | post | post | get


# What ends the owner's session or account: fuzzed after everything else.
LAST = {"delete_me", "anonymize_user", "logout", "logout_all", "change_password", "revoke_session"}


def test_no_rpc_call_answers_a_server_error(api: Api):
    def search(name: str, identity: str) -> Callable[[], None]:
        @FUZZ
        @given(request=rpc_requests(api, name))
        def fuzz(request: Request) -> None:
            check(api, identity, request)

        return fuzz

    run_all(
        {
            f"{identity} rpc/{name}": search(name, identity)
            for name in sorted(api.catalog.functions, key=lambda n: (n in LAST, n))
            for identity in IDENTITIES
        }
    )
